"""Sphinx extension: the parts of the docs that are generated from data.

When the build starts it writes, under ``docs/_generated/`` (never edited by hand):

* ``settings.md``: the table of settings, from ``arrbackend.settings.definitions()``;
* ``coverage.md``: ``docs/coverage.md`` (generated from the registry by
  ``tools/coverage.py``) when present, else a note saying how to make it;
* ``benchmarks/``: the plots and the body of the benchmarks page, from
  ``benchmarks/results/*.json`` (``docs/make_plots.py``);
* ``profile_sample.txt``: a profile of a small stencil on ``cpu:3``, printed as
  ``print(profile)`` prints it.

The pages include these files, so the one build command keeps them current.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent
GENERATED = DOCS / "_generated"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# how each converter of arrbackend._settings reads a value, for the "Values" column
_CONVERTERS = {
    "_size": "integer; suffixes k, M, G multiply by 1024, 1024², 1024³",
    "_positive_int": "integer ≥ 1",
    "_bool": "boolean: 1/0, true/false, yes/no, on/off",
}


def _values(setting) -> str:
    """What values a setting accepts, from its converter."""
    conv = setting.convert
    name = getattr(conv, "__name__", "")
    if name in _CONVERTERS:
        return _CONVERTERS[name]
    doc = (conv.__doc__ or "").strip() if getattr(conv, "__module__", "") == \
        "arrbackend._settings" else ""
    first = doc.split("\n")[0] if doc else ""
    if first and "|" in first and " " not in first:          # a choice: 'warn|error|silent'
        return ", ".join(f"`{v}`" for v in first.split("|"))
    if first:
        return first.rstrip(".")
    return {bool: "boolean", int: "integer", float: "number", str: "text"}.get(
        type(setting.default), type(setting.default).__name__)


def settings_table() -> str:
    from arrbackend import settings
    lines = ["| Setting | Environment variable | Default | Values | What it does |",
             "|---|---|---|---|---|"]
    for s in settings.definitions():
        lines.append(f"| `{s.name}` | `{s.env}` | `{s.default!r}` | {_cell(_values(s))} | "
                     f"{_cell(s.help)} |")
    return "\n".join(lines) + "\n"


def coverage_page() -> str:
    source = DOCS / "coverage.md"
    if source.is_file():
        return source.read_text()
    return ("# API coverage\n\n```{note}\nThe coverage table is generated from the registry "
            "by `python tools/coverage.py`, which writes `docs/coverage.md`; it has not been "
            "generated in this checkout.\n```\n")


def profile_sample() -> str:
    import numpy as np

    import arrbackend
    with arrbackend.enabled(devices="cpu:3"), arrbackend.settings.override(split_bytes=0):
        grid = np.zeros((300, 300))
        grid[0, :] = 100
        with arrbackend.profile() as p:
            for _ in range(20):
                grid[1:-1, 1:-1] = 0.25 * (grid[:-2, 1:-1] + grid[2:, 1:-1]
                                           + grid[1:-1, :-2] + grid[1:-1, 2:])
            float(grid.mean())
    return p.table() + "\n"


def _make_plots() -> None:
    spec = importlib.util.spec_from_file_location("arrbackend_make_plots",
                                                  DOCS / "make_plots.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.make(out=GENERATED / "benchmarks")


def _write(name: str, text: str) -> None:
    path = GENERATED / name
    if not path.is_file() or path.read_text() != text:      # unchanged: no rebuild
        path.write_text(text)


def generate(app=None) -> None:
    GENERATED.mkdir(exist_ok=True)
    _write("settings.md", settings_table())
    _write("coverage.md", coverage_page())
    _write("profile_sample.txt", profile_sample())
    _make_plots()


def setup(app):
    app.connect("builder-inited", generate)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
