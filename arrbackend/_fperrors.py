"""Floating-point warnings of eager NumPy calls, issued at the user's line.

NumPy issues ``RuntimeWarning: divide by zero encountered in divide`` from the Python frame
that called the ufunc: for an arrbackend call that frame is arrbackend's, so the warning
would name arrbackend's line, and the default warning filter would then show it once per
process instead of once per user line.  Around an eager ufunc call, ``enter`` turns NumPy's
``'warn'`` modes into calls that record what happened; ``leave`` issues the warnings NumPy
would have issued, with NumPy's words, at the user's line and under the filters in force.
The other modes (``'ignore'``, ``'raise'``, ...) stay as the user set them.

The switch costs two context-variable operations: the modes made for one error state of
the user's are kept until that state changes.
"""
from __future__ import annotations

import warnings

import numpy

try:   # where NumPy keeps its error state (NumPy >= 2.0); without it, NumPy's own warnings
    from numpy._core._multiarray_umath import _extobj_contextvar as _STATE
except ImportError:                                       # pragma: no cover
    _STATE = None

__all__ = ["enter", "leave"]

_hits: list = []
_ORDER = ("divide by zero", "overflow", "underflow", "invalid value")   # as NumPy checks
_made = [None, None]      # [the user's error state, ours for it (None: nothing to change)]


def _record(kind: str, flag: int) -> None:
    _hits.append(kind)


def _ours_for(state):
    modes = numpy.geterr()
    used = set(modes.values())
    ours = None
    if "warn" in used and not used & {"call", "log"}:     # the user's own handler stays
        with numpy.errstate(call=_record, **{k: "call" if v == "warn" else v
                                             for k, v in modes.items()}):
            ours = _STATE.get()
    _made[0], _made[1] = state, ours
    return ours


def enter():
    """A token for :func:`leave`; None when nothing was changed."""
    if _STATE is None:
        return None
    state = _STATE.get()
    ours = _made[1] if state is _made[0] else _ours_for(state)
    return None if ours is None else _STATE.set(ours)


def leave(token, name: str) -> None:
    """Restore the user's error state; issue what the call in between recorded, as NumPy
    words it (``<kind> encountered in <name>``), at the user's line."""
    if token is None:
        return
    _STATE.reset(token)
    if _hits:
        kinds = [k for k in _ORDER if k in _hits]    # (one call per device: NumPy's order)
        _hits.clear()
        from .dispatch.fallback import user_origin
        filename, lineno, module, registry = user_origin()
        for kind in kinds:
            warnings.warn_explicit(f"{kind} encountered in {name}", RuntimeWarning,
                                   filename, lineno, module=module, registry=registry)
