"""The one-CPU-device path: when every arrbackend array among a call's arguments lies
whole on one CPU device, its shards *are* NumPy arrays, so NumPy's own function applied to
them gives NumPy's answer at NumPy's speed.  Registered implementations opt in with
``@implements(..., local=True)``; the distributed engine serves every other case."""
from __future__ import annotations

import functools

import numpy

from .. import _fperrors
from ..distributed.array import lean_array, ndarray
from ..distributed.layout import Layout
from ..distributed.elementwise import check_writable
from ..distributed.store import Store, before_write
from ..distributed.indexing import Value
from .gate import out_position

__all__ = ["with_local_path", "try_local"]

_SINGLE = "single"


_ACCUMULATIONS = frozenset(("cumsum", "cumprod", "nancumsum", "nancumprod",
                            "cumulative_sum", "cumulative_prod"))


class _NotLocal(Exception):
    pass


def _device_of(x, state):
    st = x._store
    m = st.machine
    if not m.shortcuts:
        raise _NotLocal
    if m.ndev != 1:
        lay = x._cache_layout or x._view_layout()
        if lay.kind != _SINGLE:
            raise _NotLocal
        d = lay.device
    else:
        d = 0
    if state[0] is None:
        state[0], state[1] = m, d
    elif state[0] is not m or state[1] != d:
        raise _NotLocal
    return x._local()


def _swap(obj, state, locals_seen):
    t = type(obj)
    if t is ndarray:
        loc = _device_of(obj, state)
        locals_seen.append((loc, obj))
        return loc
    if t is list or t is tuple:
        out = None
        for i, o in enumerate(obj):
            to = type(o)
            if to is ndarray or to is list or to is tuple:
                if out is None:
                    out = list(obj[:i])
                out.append(_swap(o, state, locals_seen))
            elif out is not None:
                out.append(o)
        return obj if out is None else (out if t is list else tuple(out))
    return obj


def _root(a):
    """The object owning the memory of a NumPy array (itself, or its bases' last)."""
    while isinstance(a, numpy.ndarray) and a.base is not None:
        a = a.base
    return a


def _wrap(r, state, locals_seen):
    if type(r) is numpy.ndarray or isinstance(r, numpy.generic):
        for loc, ours in locals_seen:
            if r is loc:
                return ours                      # out= returned
        if type(r) is numpy.ndarray and r.base is None and r.dtype.kind not in "OUSVMm" \
                and r.flags.writeable:
            m, d = state                         # (memory of its own: a new array)
            return lean_array(r, m, m.devices[d])
        scalar = type(r) is not numpy.ndarray
        r = numpy.asarray(r)
        if r.dtype.kind in "OUSVMm":
            raise _NotLocal
        if r.base is not None:          # (an array owning its memory is a new one)
            root = _root(r)
            for loc, _ in locals_seen:
                if numpy.may_share_memory(r, loc) or _root(loc) is root:
                    raise _NotLocal     # a view (an empty one too): the engine makes those
        m, d = state
        shards = [None] * m.ndev
        shards[d] = r
        st = Value() if scalar else Store.__new__(Store)   # (NumPy's scalar: a value,
        Store.__init__(st, m, r.shape, r.dtype, Layout.single(d), shards)  # see indexing)
        out = ndarray._from_store(st)
        out._readonly = not r.flags.writeable      # (NumPy's read-only results stay so)
        return out
    if isinstance(r, tuple):
        vals = [_wrap(v, state, locals_seen) for v in r]
        return type(r)(*vals) if hasattr(r, "_fields") else tuple(vals)
    if type(r) is list:
        return [_wrap(v, state, locals_seen) for v in r]
    return r


def try_local(numpy_func, args, kwargs, out_pos=None):
    """NumPy's function on the shards, or NotImplemented where that does not apply
    (``out_pos``: the position of the function's ``out`` parameter, if it has one)."""
    state = [None, 0]
    seen: list = []
    try:
        largs = _swap(args, state, seen)
        lkw = {k: _swap(v, state, seen) for k, v in kwargs.items()} if kwargs else kwargs
        if state[0] is None:
            return NotImplemented
        o = kwargs.get("out") if kwargs else None
        if o is None and out_pos is not None and len(args) > out_pos:
            o = args[out_pos]                   # (out given by position)
        if o is not None:
            if getattr(o, "ndim", None) == 0 and numpy_func.__name__ in _ACCUMULATIONS:
                return NotImplemented   # (NumPy's own crashes on a 0-d out=: ours says why)
            for x in (o if type(o) is tuple else (o,)):
                if type(x) is ndarray:
                    check_writable(x)
                    before_write(x._store)
        token = _fperrors.enter()             # NumPy's FP warnings at the user's line
        try:
            r = numpy_func(*largs, **lkw)
        finally:
            _fperrors.leave(token)
        out = _wrap(r, state, seen)
    except _NotLocal:
        return NotImplemented
    return out


#: NumPy function -> the function of NumPy arrays its one-device path calls: the
#: ndarray's ``__array_function__`` tries it first (the registered implementation, behind
#: the gate, is the same call with the dispatch in between)
FAST: dict = {}
#: NumPy function -> the position of its ``out`` parameter (where it has one): an ``out``
#: given by position is checked as ``out=`` is
OUT_POSITION: dict = {}


def with_local_path(numpy_func, func, public=()):
    pos = out_position(func)
    for nf in public:
        FAST[nf] = numpy_func
        if pos is not None:
            OUT_POSITION[nf] = pos

    @functools.wraps(func)
    def call(*args, **kwargs):
        r = try_local(numpy_func, args, kwargs, pos)
        if r is not NotImplemented:
            return r
        return func(*args, **kwargs)
    call._arrbackend_engine = func
    return call
