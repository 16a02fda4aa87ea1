"""Floating-point warnings of eager NumPy calls, issued at the user's line.

NumPy issues ``RuntimeWarning: divide by zero encountered in divide`` from the Python frame
that called the ufunc: for an arrbackend call that frame is arrbackend's, so the warning
would name arrbackend's line, and the default warning filter would then show it once per
process instead of once per user line.  Around an eager NumPy call, ``enter`` turns NumPy's
``'warn'`` modes into ``'log'``, whose messages are recorded here; ``leave`` issues them as
the warnings NumPy would have issued, in NumPy's words, at the user's line and under the
filters in force.  The other modes (``'ignore'``, ``'raise'``, ...) stay as the user set
them.

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

__all__ = ["enter", "leave", "geterr"]

_ORDER = ("divide by zero", "overflow", "underflow", "invalid value")   # as NumPy checks
_made = [None, None]      # [the user's error state, ours for it (None: nothing to change)]
_modes = [None, None]     # [the user's error state, numpy.geterr() for it]


def geterr() -> dict:
    """``numpy.geterr()``, the same dict while the error state is the same (not to be
    changed by the caller)."""
    if _STATE is None:
        return numpy.geterr()
    state = _STATE.get()
    if state is not _modes[0]:
        _modes[1] = numpy.geterr()
        _modes[0] = state
    return _modes[1]


class _Log:
    """NumPy's ``'log'`` handler: ``write("Warning: <kind> encountered in <name>\\n")``."""

    def __init__(self):
        self.messages: list = []

    def write(self, message: str) -> None:
        self.messages.append(message.strip().removeprefix("Warning: "))


_log = _Log()


def _ours_for(state):
    modes = geterr()
    used = set(modes.values())
    ours = None
    if "warn" in used and not used & {"call", "log"}:     # the user's own handler stays
        with numpy.errstate(call=_log, **{k: "log" if v == "warn" else v
                                          for k, v in modes.items()}):
            ours = _STATE.get()
    _made[0], _made[1] = state, ours
    return ours


def _rank(message: str) -> int:
    return next((i for i, k in enumerate(_ORDER) if message.startswith(k)), len(_ORDER))


def enter():
    """A token for :func:`leave`; None when nothing was changed."""
    if _STATE is None:
        return None
    state = _STATE.get()
    ours = _made[1] if state is _made[0] else _ours_for(state)
    return None if ours is None else _STATE.set(ours)


def leave(token) -> None:
    """Restore the user's error state; issue what NumPy logged in between as its warnings,
    at the user's line (once each, in NumPy's order, when each device logged its own)."""
    if token is None:
        return
    _STATE.reset(token)
    if _log.messages:
        found = dict.fromkeys(_log.messages)
        _log.messages.clear()
        from .dispatch.fallback import user_origin
        filename, lineno, module, registry = user_origin()
        for message in sorted(found, key=_rank):
            warnings.warn_explicit(message, RuntimeWarning, filename, lineno,
                                   module=module, registry=registry)
