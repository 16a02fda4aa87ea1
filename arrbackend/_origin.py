"""Where the user's code is: the first frame outside arrbackend and NumPy.

Warnings arrbackend issues on the user's behalf (fallbacks, transfers, floating-point
errors found when a deferred statement is evaluated) point there, as NumPy's own do.
"""
from __future__ import annotations

import contextvars
import os
import sys
import sysconfig

import numpy

__all__ = ["user_stacklevel", "user_origin", "is_library", "is_user_file", "is_enabled"]

# whether this thread (or task) is inside ``arrbackend.enabled()`` (set by dispatch.enabled)
_active: contextvars.ContextVar[bool] = contextvars.ContextVar("arrbackend_enabled",
                                                              default=False)

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
    known = _LIBRARY
    while f.f_back is not None:         # (called for every deferred operation: inlined)
        hit = known.get(f.f_code.co_filename)
        if hit is None:
            hit = is_library(f.f_code.co_filename)
        if not hit:
            break
        f = f.f_back
    g = f.f_globals
    registry = g.get("__warningregistry__")
    if registry is None:
        registry = g.setdefault("__warningregistry__", {})
    return (f.f_code.co_filename, f.f_lineno, g.get("__name__", "__main__"), registry)


def is_enabled() -> bool:
    """Whether this thread is inside an ``enabled()`` block."""
    return _active.get()


def _library_roots() -> tuple:
    roots = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            roots.add(os.path.realpath(p))
    for mod in (numpy,):
        roots.add(os.path.realpath(os.path.dirname(mod.__file__)))
    roots.add(os.path.realpath(os.path.dirname(__file__)))
    return tuple(sorted(roots))


_ROOTS = None
_user_cache: dict = {}
_EXAMPLES = os.path.join(os.path.dirname(os.path.realpath(__file__)), "examples") + os.sep


def is_user_file(filename: str) -> bool:
    """Whether a frame of this file is the user's own code (not the standard library, an
    installed package, NumPy or arrbackend; the shipped examples are the user's)."""
    hit = _user_cache.get(filename)
    if hit is not None:
        return hit
    global _ROOTS
    if _ROOTS is None:
        _ROOTS = _library_roots()
    if os.path.realpath(filename).startswith(_EXAMPLES):
        user = True             # the tutorial's programs that arrbackend ships (its demo)
    elif filename.startswith("<frozen") or "site-packages" in filename or \
            "dist-packages" in filename:
        user = False
    elif filename.startswith("<"):
        user = True
    else:
        real = os.path.realpath(filename)
        user = not any(real == r or real.startswith(r + os.sep) for r in _ROOTS)
    _user_cache[filename] = user
    return user
