"""Sphinx configuration.  Build (warnings are errors) and test every example:

    python -m sphinx -W -b html docs docs/_build/html
    python -m sphinx -W -b doctest docs docs/_build/doctest
"""
import os
import sys

DOCS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(DOCS))            # arrbackend from this checkout
sys.path.insert(0, os.path.join(DOCS, "_ext"))

import arrbackend  # noqa: E402

project = "arrbackend"
author = "the arrbackend developers"
copyright = "the arrbackend developers"
release = arrbackend.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "numpydoc",
    "arrbackend_docs",          # generated pages: settings, coverage, benchmarks
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_generated", "coverage.md", "make_plots.py"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

doctest_global_setup = """
import numpy as np
import arrbackend
"""
doctest_default_flags = (__import__("doctest").ELLIPSIS
                         | __import__("doctest").NORMALIZE_WHITESPACE
                         | __import__("doctest").DONT_ACCEPT_TRUE_FOR_1)

html_theme = "alabaster"
html_theme_options = {"page_width": "1180px", "sidebar_width": "230px"}
html_title = f"arrbackend {release}"
html_static_path = []
