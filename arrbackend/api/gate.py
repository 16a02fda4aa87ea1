"""The one gate every registered function is called through (from the ``arrbackend``
namespace, ``__array_function__`` and the array methods alike).

It gives NumPy's answer, or NumPy's exception, for the arguments the engine does not
hold:

* operands whose data cannot live on devices (object, strings, bytes, datetimes: also
  ``None`` or a string where an array is expected): the coercion of an operand raises
  ``HostData`` (``asarray_on``), and NumPy's own function runs instead, on the host.
  With no arrbackend array among the arguments nothing leaves a device and NumPy is
  simply called; otherwise it is the fallback (gathered operands, a FallbackWarning).
* a NumPy array as ``out=``: the function writes into an arrbackend copy of it, which is
  then copied back, and the NumPy array is returned (NumPy's checks of ``out`` are the
  function's own).

Internal calls between implementations do not pass the gate (they call the functions
themselves), so it costs one Python call per user-level call.
"""
from __future__ import annotations

import functools
import inspect

import numpy

from ..distributed.array import ndarray
from ..distributed.store import mark_scalar
from ..distributed.indexing import view_copy

__all__ = ["HostData", "host_target", "install", "numpy_answer", "has_ours", "out_position"]

_HOST_KINDS = "OUSVMm"


class HostData(Exception):
    """An argument the engine does not hold: an operand whose data cannot live on
    devices (object, string, bytes, datetime: raised by ``asarray_on``) or a NumPy array
    to write into (``host_target``); the gate answers with NumPy's own function.  The
    message says which, for the fallback's warning."""


def host_target(x) -> None:
    """Raise ``HostData`` when ``x``, the array a function writes into, is NumPy's."""
    if isinstance(x, numpy.ndarray):
        raise HostData("a NumPy array to write into")


def has_ours(obj) -> bool:
    """Whether an arrbackend array is among ``obj`` (nested lists, tuples, dicts)."""
    if isinstance(obj, ndarray):
        return True
    if isinstance(obj, (list, tuple)):
        return any(has_ours(o) for o in obj)
    if isinstance(obj, dict):
        return any(has_ours(o) for o in obj.values())
    return False


def numpy_answer(func, args, kwargs, name: str, why: str = ""):
    """NumPy's ``func`` on the arguments: called as it is when no arrbackend array is
    among them (NumPy data in, NumPy data out), else through the fallback."""
    if not has_ours((args, kwargs)):
        return func(*args, **kwargs)
    from .fallback import call_numpy
    r = call_numpy(func, args, kwargs, name=name, why=why or "an operand whose data "
                   "stays on the host (object, string, bytes or datetime)")
    if isinstance(r, numpy.generic) and r.dtype.kind not in _HOST_KINDS:
        from .creation import asarray_on           # (a 0-d array, as arrbackend answers)
        r = asarray_on(r, _machine_of(args, kwargs))
    return r


def _other_out(func, args, kwargs, pos, name, o):
    """A call whose ``out`` is not one arrbackend array: a NumPy array (or a tuple with
    one) is written through a copy; a tuple of arrbackend arrays is the function's to
    take; anything else is NumPy's TypeError."""
    if isinstance(o, ndarray):
        return func(*args, **kwargs)
    if type(o) is numpy.ndarray or type(o) is tuple and any(
            type(e) is numpy.ndarray for e in o):
        return _into_host_out(func, args, kwargs, pos, name)
    if type(o) is tuple and all(e is None or isinstance(e, ndarray) for e in o):
        return func(*args, **kwargs)
    raise TypeError(f"{name}: return arrays must be of ArrayType (out= is a "
                    f"{type(o).__name__})")


def _machine_of(args, kwargs):
    for x in list(args) + list(kwargs.values()):
        if isinstance(x, ndarray):
            return x._store.machine
        if isinstance(x, (list, tuple)):
            for y in x:
                if isinstance(y, ndarray):
                    return y._store.machine
    from ..distributed.machine import current_machine
    return current_machine()


def _into_host_out(func, args, kwargs, pos, name):
    """``func`` with a NumPy array as ``out``: computed into an arrbackend copy of it,
    then copied back (the NumPy array is returned, as NumPy returns ``out``)."""
    from .creation import asarray_on
    from ..distributed.hostio import gather
    args = list(args)
    if "out" in kwargs:
        host = kwargs["out"]
    else:
        host = args[pos]
    single = type(host) is numpy.ndarray
    hosts = (host,) if single else host
    m = _machine_of(args, kwargs)
    temps = []
    for h in hosts:
        if type(h) is not numpy.ndarray:
            temps.append(h)
            continue
        if not h.flags.writeable:
            raise ValueError("output array is read-only")
        if h.dtype.kind in _HOST_KINDS:
            raise HostData(f"an out= of {h.dtype} data")
        temps.append(asarray_on(h, m, copy=True))
    new = temps[0] if single else tuple(temps)
    if "out" in kwargs:
        kwargs = dict(kwargs, out=new)
    else:
        args[pos] = new
    r = func(*args, **kwargs)
    for h, t in zip(hosts, temps):
        if h is not t:
            numpy.copyto(h, gather(t, explicit=True), casting="unsafe")

    def back(v):
        for h, t in zip(hosts, temps):
            if v is t:
                return h
        return v

    if r is new:
        return host
    if isinstance(r, tuple):
        return tuple(back(v) for v in r)
    return back(r)


def out_position(func):
    """The index of a positional-or-keyword ``out`` parameter, or None."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return None
    for i, p in enumerate(params):
        if p.name == "out":
            return i if p.kind is p.POSITIONAL_OR_KEYWORD else None
        if p.kind is p.VAR_POSITIONAL:
            return None
    return None


#: NumPy functions whose 0-d result is one of NumPy's scalars (not a 0-d array): the
#: result then stands for it (``store.Value``: in-place operators rebind the name).
#: Reductions and ufuncs mark their results themselves.
SCALAR_RESULTS = frozenset(f for f in (
    numpy.dot, numpy.vdot, numpy.inner, numpy.matmul, numpy.einsum, numpy.trace,
    numpy.median, numpy.percentile, numpy.quantile, numpy.nanmedian, numpy.nanpercentile,
    numpy.nanquantile, numpy.average, numpy.ptp, numpy.interp, numpy.round, numpy.around,
    numpy.clip, numpy.linalg.norm, numpy.linalg.det, getattr(numpy.linalg, "vector_norm", None),
    getattr(numpy.linalg, "matrix_norm", None), getattr(numpy.linalg, "trace", None),
    getattr(numpy.linalg, "vecdot", None), getattr(numpy, "vecdot", None),
    numpy.linalg.slogdet, numpy.searchsorted, numpy.digitize) if f is not None)


def _mark_scalar(r, args) -> None:
    """Mark a new 0-d result (not the store of an argument) as NumPy's scalar."""
    st = r._store
    for a in args:
        if type(a) is ndarray and a._store is st:
            return
    mark_scalar(r)


def gated(impl):
    """``impl.func`` behind the gate."""
    func = impl.func
    nf = impl.numpy_func
    name = f"{impl.module}.{impl.name}"
    pos = out_position(func)
    answer = nf is not None and impl.module != "numpy.random"
    scalar = nf in SCALAR_RESULTS

    @functools.wraps(func)
    def call(*args, **kwargs):
        try:
            if kwargs:
                o = kwargs.get("out")
                if o is not None and type(o) is not ndarray:
                    return _other_out(func, args, kwargs, pos, name, o)
            if pos is not None and len(args) > pos:
                o = args[pos]
                if o is not None and type(o) is not ndarray:
                    return _other_out(func, args, kwargs, pos, name, o)
            r = func(*args, **kwargs)
            if type(r) is ndarray and r is not kwargs.get("out") and \
                    (pos is None or len(args) <= pos or r is not args[pos]):
                for a in args:
                    if type(a) is ndarray and a._store.scalar and \
                            (r._store.base is a._store.base) and a.ndim == 0:
                        # a view of a stand-in for NumPy's scalar: a new array, as
                        # NumPy's functions make from its scalar
                        r = view_copy(r)
                        break
            if scalar and kwargs.get("out") is None and (pos is None or len(args) <= pos or
                                                         args[pos] is None):
                if type(r) is ndarray:
                    if r.ndim == 0:
                        _mark_scalar(r, args)
                elif isinstance(r, tuple):          # (slogdet's sign and logarithm)
                    for v in r:
                        if type(v) is ndarray and v.ndim == 0:
                            _mark_scalar(v, args)
            return r
        except HostData as exc:
            why = str(exc)
        # (NumPy's answer, outside the except: its errors stand alone)
        if not answer:
            raise TypeError(f"{name}: arrays of object, string, bytes or datetime data are "
                            f"not supported")
        return numpy_answer(nf, args, kwargs, name, why)

    call._arrbackend_gated = func
    return call


def install() -> None:
    """Put every registered implementation behind the gate, those of the families
    imported later too."""
    from .registry import on_register
    on_register(_gate)


def _gate(impl) -> None:
    if getattr(impl.func, "_arrbackend_gated", None) is None:
        impl.func = gated(impl)
