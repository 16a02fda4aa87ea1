"""The fallback: a NumPy function arrbackend does not implement still works.

Its arrbackend operands are gathered to NumPy arrays, NumPy is called, and the NumPy
arrays in the result are scattered back as arrbackend arrays.  The first call of each
function warns with a ``FallbackWarning`` naming it (``ARRBACKEND_FALLBACK=warn``); the
policy can also be ``error`` (NotImplementedError) or ``silent``.  Every fallback is
counted in ``arrbackend.counters['fallbacks']``.

Functions that write into an argument (``np.copyto``, ``np.put``, ``np.fill_diagonal``,
``out=``) are handled safely: the gathered copies are handed to NumPy read-only first, and
if NumPy needs to write, the call is repeated on writable copies that are then written
back into the arrbackend arrays.
"""
from __future__ import annotations

import threading
import warnings

import numpy

from .._counters import count
from .._settings import settings
from .._origin import user_origin, user_stacklevel  # noqa: F401  (used by the API)
from ..distributed.array import ndarray

__all__ = ["FallbackWarning", "call_numpy", "fallback_policy_check"]


class FallbackWarning(UserWarning):
    """A NumPy function ran through NumPy on the host because arrbackend has no
    implementation of it (the operands were gathered and the result scattered back)."""


_warned: set = set()
_warned_lock = threading.Lock()


def _qualname(func) -> str:
    mod = getattr(func, "__module__", None) or "numpy"
    if mod.startswith("numpy._core") or mod == "numpy.core":
        mod = "numpy"
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", repr(func))
    return f"{mod}.{name}"


def fallback_policy_check(func, why: str = "", name: str | None = None) -> None:
    """Count a fallback and apply the policy (warn once per function / raise).  The
    warning points at the user's line, whatever the depth of the call."""
    name = name or _qualname(func)
    count("fallbacks")
    mode = settings.fallback
    reason = f" ({why})" if why else ""
    if mode == "error":
        raise NotImplementedError(
            f"arrbackend has no implementation of {name}{reason}, and "
            f"ARRBACKEND_FALLBACK=error forbids running it through NumPy")
    if mode == "warn":
        with _warned_lock:
            first = name not in _warned
            _warned.add(name)
        if first:
            warnings.warn(f"arrbackend: {name} is not implemented natively{reason}; it ran "
                          f"on the host through NumPy (operands gathered, result scattered "
                          f"back)", FallbackWarning, stacklevel=user_stacklevel())


def reset_warnings() -> None:
    with _warned_lock:
        _warned.clear()


def _convert(obj, fn, seen_arrays):
    if isinstance(obj, ndarray):
        return fn(obj)
    if isinstance(obj, (list, tuple)):
        conv = [_convert(o, fn, seen_arrays) for o in obj]
        if isinstance(obj, tuple):
            return type(obj)(*conv) if hasattr(obj, "_fields") else tuple(conv)
        return conv
    if isinstance(obj, dict):
        return {k: _convert(v, fn, seen_arrays) for k, v in obj.items()}
    return obj


def call_numpy(func, args: tuple, kwargs: dict, machine=None, why: str = "",
               name: str | None = None):
    """Run NumPy's ``func`` on gathered copies of the arrbackend operands and scatter the
    result back (the fallback path)."""
    from ..distributed.hostio import gather
    fallback_policy_check(func, why=why, name=name)
    originals: list = []

    def to_host(x: ndarray, writable: bool):
        h = numpy.array(gather(x, explicit=True), copy=True)
        if not writable:
            h.flags.writeable = False
        originals.append((x, h))
        return h

    found = [None]

    def grab(x):
        if found[0] is None:
            found[0] = x._store.machine
        return x

    _convert((args, kwargs), grab, None)
    if machine is None and found[0] is None:
        from ..distributed.machine import current_machine
        machine = current_machine()      # no arrbackend operand: results go to the default
    m = machine or found[0]
    hargs, hkwargs = _convert((args, kwargs), lambda x: to_host(x, False), None)
    try:
        result = func(*hargs, **hkwargs)
    except ValueError as exc:
        if "read-only" not in str(exc):
            raise
        originals.clear()
        hargs, hkwargs = _convert((args, kwargs), lambda x: to_host(x, True), None)
        result = func(*hargs, **hkwargs)
        from ..distributed.elementwise import assign
        for x, h in originals:
            assign(x, _from_host(h, m))
    return _scatter_result(result, m, {id(h): x for x, h in originals})


def _from_host(h, machine):
    from ..distributed.hostio import scatter
    return ndarray._from_store(scatter(numpy.asarray(h, order="C"), machine))


def _scatter_result(result, machine, back: dict):
    if isinstance(result, numpy.ndarray):
        if id(result) in back:              # NumPy returned an argument (out=...)
            return back[id(result)]
        if result.dtype.kind in "OUSMmV":   # not numeric: stays a NumPy array
            return result
        return _from_host(result, machine)
    if isinstance(result, tuple):
        conv = [_scatter_result(r, machine, back) for r in result]
        return type(result)(*conv) if hasattr(result, "_fields") else tuple(conv)
    if isinstance(result, list):
        return [_scatter_result(r, machine, back) for r in result]
    return result
