"""Small helpers shared by the API modules added for NumPy breadth: conversions of
arguments to arrbackend arrays, a short spelling of ufunc calls, explicit fallbacks for
rare options, and per-device maps with whole side operands."""
from __future__ import annotations

import numpy

from ..distributed.layout import Layout
from ..distributed.localize import Exchange, device_boxes
from .ufuncs import ufunc_call
from ..distributed.array import ndarray

__all__ = ["ours", "uf", "fallback", "map_blocks", "host", "new_array", "NoValue"]

NoValue = numpy._NoValue


def ours(x, machine=None, dtype=None):
    """``x`` as an arrbackend array (on ``machine``, default: the current one)."""
    from .creation import asarray_on
    if isinstance(x, ndarray):
        if dtype is not None and numpy.dtype(dtype) != x.dtype:
            from .manipulation import astype
            return astype(x, dtype)
        return x
    if machine is None:
        from ..distributed.machine import current_machine
        machine = current_machine()
    return asarray_on(x, machine, dtype=dtype)


def uf(name: str, *args, **kwargs):
    """``numpy.<name>(*args)`` through the elementwise engine."""
    return ufunc_call(getattr(numpy, name), args, kwargs)


def fallback(func, args, kwargs, why: str):
    """Run NumPy's ``func`` through the fallback (warns once, names ``why``)."""
    from .fallback import call_numpy
    return call_numpy(func, args, kwargs, why=why)


def host(x) -> numpy.ndarray:
    """A (small) array's values on the host, gathered explicitly."""
    if isinstance(x, ndarray):
        from ..distributed.hostio import gather
        return numpy.asarray(gather(x, explicit=True))
    return numpy.asarray(x)


new_array = ndarray._from_shards


def map_blocks(x, fn, dtype, whole=(), shape=None, layout=None):
    """A new array whose piece on each device is ``fn(xp, piece of x, [whole arrays])``:
    each device gets its box of ``x`` (in ``x``'s view layout, or ``layout`` over
    ``x``'s shape) and the whole of every array in ``whole`` (one exchange for all)."""
    m = x._store.machine
    lay = x._view_layout() if layout is None else layout
    if m.ndev == 1 or lay.is_replicated:
        lay = Layout.single(0)
    ex = Exchange(m)
    plans = []
    for d, box in enumerate(device_boxes(lay, x.shape, m.ndev)):
        if box is None:
            continue
        loc = ex.localize(x._store, x._map, box, d)
        wl = [ex.localize(w._store, w._map, tuple((0, n) for n in w.shape), d)
              if isinstance(w, ndarray) else w for w in whole]
        if m.is_local(d):
            plans.append((d, loc, wl))
    ex.run()
    out = {}
    for d, loc, wl in plans:
        dev = m.devices[d]
        with dev.activate():
            r = fn(dev.xp, loc, wl)
            if r.dtype != dtype:
                r = r.astype(dtype)
            out[d] = r
    return new_array(m, x.shape if shape is None else shape, dtype, lay, out)
