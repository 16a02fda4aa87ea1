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

import threading
import warnings

import numpy

try:   # where NumPy keeps its error state (NumPy >= 2.0); without it, NumPy's own warnings
    from numpy._core._multiarray_umath import _extobj_contextvar as _STATE
except ImportError:                                       # pragma: no cover
    _STATE = None

__all__ = ["enter", "leave", "geterr", "user_modes", "at_user", "rank", "ordered", "collect",
           "collected", "STATE", "made", "resync", "issue", "log"]

_ORDER = ("divide by zero", "overflow", "underflow", "invalid value")   # as NumPy checks
STATE = _STATE
# (the user's error state, its modes) and (the user's error state, ours for it or None):
# replaced whole, so that threads never see one half of another thread's update
_modes = (None, None)
_made = (None, None)
# The eager paths switch states inline: ``tok = STATE.set(made[1])``; where
# ``tok.old_value is not made[0]`` the user's state is another one, and :func:`resync`
# switches to ours for it.  ``made[1]`` is the user's own state where nothing changes.
made = (None, None)
_by_modes: dict = {}      # the modes -> ours (None: nothing to change)


def geterr() -> dict:
    """``numpy.geterr()``, the same dict while the error state is the same (not to be
    changed by the caller)."""
    global _modes
    if _STATE is None:
        return numpy.geterr()
    state = _STATE.get()
    seen = _modes
    if state is seen[0]:
        return seen[1]
    modes = numpy.geterr()
    _modes = (state, modes)
    return modes


def user_modes() -> dict:
    """The user's error modes, also inside a block between :func:`enter` and
    :func:`leave` (where NumPy's modes are ours: ``'log'`` into this module)."""
    modes = geterr()
    if modes is _no_log[0]:
        return modes            # (the same modes as last time, none of them 'log')
    if "log" in modes.values():
        if numpy.geterrcall() is _log:
            return {k: "warn" if v == "log" else v for k, v in modes.items()}
        return modes
    _no_log[0] = modes
    return modes


_no_log = [None]      # the last modes seen without 'log' (geterr's dict, kept while valid)


class _Log(threading.local):
    """NumPy's ``'log'`` handler: ``write("Warning: <kind> encountered in <name>\\n")``;
    each thread logs for itself."""

    def __init__(self):
        self.messages: list = []

    def write(self, message: str) -> None:
        self.messages.append(message.strip().removeprefix("Warning: "))


_log = _Log()
log = _log


def _ours_for(state):
    """Our error state for the user's (cached by its modes: a user's ``errstate`` block
    around every call makes a new state object with the same modes each time)."""
    global _made
    modes = geterr()
    key = tuple(modes.values())         # (numpy.geterr() lists them in a fixed order)
    if key in _by_modes:
        ours = _by_modes[key]
    else:
        used = set(modes.values())
        ours = None
        if "warn" in used and not used & {"call", "log"}:   # the user's own handler stays
            with numpy.errstate(call=_log, **{k: "log" if v == "warn" else v
                                              for k, v in modes.items()}):
                ours = _STATE.get()
        if len(_by_modes) < 256:
            _by_modes[key] = ours
    _made = (state, ours)
    return ours


def rank(message: str) -> int:
    """Where a warning's kind comes in NumPy's order of checks."""
    return next((i for i, k in enumerate(_ORDER) if message.startswith(k)), len(_ORDER))


def enter():
    """A token for :func:`leave`; None when nothing was changed."""
    if _STATE is None:
        return None
    state = _STATE.get()
    made = _made
    ours = made[1] if state is made[0] else _ours_for(state)
    return None if ours is None else _STATE.set(ours)


def resync(tok):
    """The token of a switch to our error state for the user's current one (after an
    inline switch that found the user's state changed; ``tok`` is that switch's)."""
    global made
    STATE.reset(tok)
    state = STATE.get()
    ours = _made[1] if state is _made[0] else _ours_for(state)
    tok = STATE.set(state if ours is None else ours)
    made = (tok.old_value, tok.var.get())
    return tok


def issue(name: str | None = None) -> None:
    """Issue what NumPy logged as its warnings at the user's line (see :func:`leave`)."""
    messages = _log.messages
    _log.messages = []
    if name is not None:
        messages = [m.rpartition(" encountered in ")[0] + f" encountered in {name}"
                    for m in messages]
    from ._origin import user_origin
    filename, lineno, module, registry = user_origin()
    for message in ordered(messages):
        warnings.warn_explicit(message, RuntimeWarning, filename, lineno,
                               module=module, registry=registry)


def collect():
    """``(handler, previous)``: NumPy's ``'log'`` modes with ``call=handler`` log into a
    fresh list for this thread; :func:`collected` gives it back and restores
    ``previous``."""
    previous = _log.messages
    _log.messages = []
    return _log, previous


def collected(previous) -> list:
    mine = _log.messages
    _log.messages = previous
    return mine


def ordered(messages) -> list:
    """Messages once each: ufunc by ufunc in the order first seen, and each ufunc's kinds
    in NumPy's order (each device logs its own, maybe in another order)."""
    by_op: dict = {}
    for m in messages:
        by_op.setdefault(m.rpartition(" encountered in ")[2], {})[m] = None
    return [m for group in by_op.values() for m in sorted(group, key=rank)]


def leave(token, name: str | None = None) -> None:
    """Restore the user's error state; issue what NumPy logged in between as its warnings,
    at the user's line (once each, in NumPy's order).  ``name``: the operation to name
    in every message (a reduction's combining step says ``add``, NumPy ``reduce``)."""
    if token is None:
        return
    _STATE.reset(token)
    if _log.messages:
        issue(name)


class at_user:
    """``with at_user(active, name):`` — :func:`enter` and :func:`leave` around a block
    (for the engine's per-device loops on CPU shards; ``active=False`` on GPUs, which
    report no floating-point errors; ``name`` as for :func:`leave`)."""

    __slots__ = ("active", "token", "name")

    def __init__(self, active: bool = True, name: str | None = None):
        self.active = active
        self.token = None
        self.name = name

    def __enter__(self):
        if self.active:
            self.token = enter()
        return self

    def __exit__(self, *exc):
        leave(self.token, self.name)
        self.token = None
        return False
