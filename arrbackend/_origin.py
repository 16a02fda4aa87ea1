"""Where the user's code is: the first frame outside arrbackend and NumPy.

Warnings arrbackend issues on the user's behalf (fallbacks, transfers, floating-point
errors found when a deferred statement is evaluated) point there, as NumPy's own do.
"""
from __future__ import annotations

import os
import sys

import numpy

__all__ = ["user_stacklevel", "user_origin", "is_library"]

_PACKAGES = None
_LIBRARY: dict = {}      # a code object's file name -> whether it is arrbackend's or NumPy's


def is_library(filename: str) -> bool:
    """Whether a frame of this file is arrbackend's or NumPy's (the shipped examples are
    user code: they are the demo)."""
    hit = _LIBRARY.get(filename)
    if hit is None:
        global _PACKAGES
        if _PACKAGES is None:
            ours = os.path.dirname(os.path.abspath(__file__))
            _PACKAGES = (tuple(d + os.sep for d in
                               (ours, os.path.dirname(os.path.abspath(numpy.__file__)))),
                         os.path.join(ours, "examples") + os.sep)
        path = os.path.abspath(filename)
        hit = _LIBRARY[filename] = path.startswith(_PACKAGES[0]) and \
            not path.startswith(_PACKAGES[1])
    return hit


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning issued by the caller of this function
    point at the first frame outside arrbackend and NumPy (the user's line)."""
    f = sys._getframe(1)        # the frame that will call warnings.warn
    level = 1
    while f is not None and is_library(f.f_code.co_filename):
        f = f.f_back
        level += 1
    return level


def user_origin():
    """Where the user's code is now, for a warning raised later on its behalf:
    ``(filename, lineno, module name, warning registry)``."""
    f = sys._getframe(1)
    while f.f_back is not None and is_library(f.f_code.co_filename):
        f = f.f_back
    g = f.f_globals
    return (f.f_code.co_filename, f.f_lineno, g.get("__name__", "__main__"),
            g.setdefault("__warningregistry__", {}))
