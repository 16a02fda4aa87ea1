"""The fallback: a NumPy function arrbackend does not implement still works.

Its arrbackend operands are gathered to NumPy arrays, NumPy is called, and the NumPy
arrays in the result are scattered back as arrbackend arrays.  The first call of each
function warns with a ``FallbackWarning`` naming it (``ARRBACKEND_FALLBACK=warn``); the
policy can also be ``error`` (NotImplementedError) or ``silent``.  Every fallback is
counted in ``arrbackend.counters['fallbacks']``.

Functions that write into an argument (``out=``, ``ufunc.at``, ``np.put``, ``np.place``,
``np.putmask``, ``np.copyto``, ``np.fill_diagonal``, ``np.random.shuffle``, a method such
as ``sort`` called on an argument, ...) write into the arrbackend array as they would into
a NumPy array: each host copy is compared after the call with what it held before, and
what changed is written back.  Read-only arrbackend arrays (and broadcast views) are
handed to NumPy read-only, so NumPy raises its own error where it would write.
"""
from __future__ import annotations

import threading
import warnings

import numpy

from .._counters import count
from .._settings import settings
from .._origin import user_origin, user_stacklevel  # noqa: F401  (used by the API)
from ..distributed.array import ndarray

__all__ = ["FallbackWarning", "call_numpy", "run_on_host", "fallback_policy_check"]


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


class _HostCopies:
    """The host copies NumPy works on, one per arrbackend array (an array passed twice is
    one copy, as NumPy would see one array), each with what it held before the call."""

    def __init__(self) -> None:
        self.items: dict = {}          # id(x) -> (x, host copy, reference)

    def __call__(self, x: ndarray) -> numpy.ndarray:
        hit = self.items.get(id(x))
        if hit is not None:
            return hit[1]
        from ..distributed.hostio import gather
        ref = gather(x, explicit=True)
        h = numpy.array(ref, copy=True, order="C")
        if x._readonly or (x._map.has_broadcast and any(
                a < 0 and n > 1 for (a, _s, _st), n in zip(x._map.dims, x._map.shape))):
            h.flags.writeable = False       # NumPy raises where it would write, as for
            ref = None                      # a read-only or broadcast NumPy array (a new
            #                                 axis of length 1 is no broadcast: writable)
        self.items[id(x)] = (x, h, ref)
        return h

    def write_back(self, name: str, machine) -> None:
        """Write into each arrbackend array what NumPy wrote into its copy (``out=``,
        ``np.put``, ``ufunc.at``, ``ndarray.sort`` of an argument, ...).  A copy is
        compared with what it held, whatever the read-only flag said: some NumPy
        functions (``ufunc.at``) write without looking at it."""
        from ..distributed.elementwise import assign
        for x, h, ref in self.items.values():
            if ref is None:
                continue
            if h.shape != ref.shape or h.dtype != ref.dtype:
                raise NotImplementedError(
                    f"{name} changed the shape or dtype of an argument in place (now "
                    f"{h.shape} {h.dtype}); an arrbackend array cannot follow: use the "
                    f"function's result, or run it on arrbackend.asnumpy(x)")
            if _differs(h, ref):
                assign(x, _from_host(h, machine))

    def owner_of(self, r: numpy.ndarray):
        """The arrbackend array whose copy ``r`` is, or whether ``r`` is a view of one."""
        for x, h, _ref in self.items.values():
            if r is h:
                return x, False
        for x, h, _ref in self.items.values():
            if numpy.may_share_memory(r, h):
                return None, True
        return None, False


def _differs(h: numpy.ndarray, ref: numpy.ndarray) -> bool:
    """Whether two arrays of one shape and dtype differ in any byte (NaNs compare)."""
    if h.size == 0:
        return False
    a = numpy.ascontiguousarray(h).reshape(-1).view(numpy.uint8)
    b = numpy.ascontiguousarray(ref).reshape(-1).view(numpy.uint8)
    return not numpy.array_equal(a, b)


def call_numpy(func, args: tuple, kwargs: dict, machine=None, why: str = "",
               name: str | None = None):
    """Run NumPy's ``func`` on host copies of the arrbackend operands and scatter the
    result back (the fallback path).  Whatever NumPy writes into an argument is written
    back into that arrbackend array; a result that is a view of an argument comes back
    read-only (a write to it could not reach the argument)."""
    fallback_policy_check(func, why=why, name=name)
    return run_on_host(func, args, kwargs, machine, name)


def run_on_host(func, args: tuple, kwargs: dict, machine=None, name: str | None = None):
    """``func`` (a NumPy function) on host copies of the arrbackend operands, as the
    fallback runs it but without its policy: what NumPy writes into an argument is
    written back, NumPy arrays in the result are placed on ``machine`` (default: the
    operands' machine, else the current one)."""
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
    copies = _HostCopies()
    hargs, hkwargs = _convert((args, kwargs), copies, None)
    result = func(*hargs, **hkwargs)
    copies.write_back(name or _qualname(func), m)
    return _scatter_result(result, m, copies)


def _from_host(h, machine):
    from ..distributed.hostio import scatter
    return ndarray._from_store(scatter(numpy.asarray(h, order="C"), machine))


def _scatter_result(result, machine, copies: _HostCopies):
    if isinstance(result, numpy.ndarray):
        owner, view = copies.owner_of(result)
        if owner is not None:              # NumPy returned an argument (out=...)
            return owner
        if result.dtype.kind in "OUSMmV":   # not numeric: stays a NumPy array
            return result
        r = _from_host(result, machine)
        if view:
            r._readonly = True
        return r
    if isinstance(result, tuple):
        conv = [_scatter_result(r, machine, copies) for r in result]
        return type(result)(*conv) if hasattr(result, "_fields") else tuple(conv)
    if isinstance(result, list):
        return [_scatter_result(r, machine, copies) for r in result]
    return result
