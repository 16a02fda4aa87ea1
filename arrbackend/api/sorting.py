"""Sorting and searching: ``sort argsort partition argpartition searchsorted lexsort
sort_complex``.

Sorting runs on ``arrbackend.distributed.sorting``: lines that lie whole on a device are
sorted there; a split 1-D array is sample-sorted across the devices (one allgather of
samples, one grouped exchange of buckets); a view split along the sorted axis of a
several-dimensional array is re-cut along another axis first.  Across devices the sort
is stable whatever ``kind`` says (a valid answer for every kind; ``argsort``'s ties keep
their order).  ``partition``/``argpartition`` return a full sort where the axis is split
(a valid partition); on one device they call the library's introselect.
"""
from __future__ import annotations

import operator

import numpy

from .registry import implements
from ..distributed.layout import Layout
from ..distributed.sorting import sort_along
from ..distributed.view import normalize_axis
from ._helpers import host, map_blocks, new_array, ours, uf
from ..distributed.array import ndarray

__all__ = ["sort", "argsort", "partition", "argpartition", "searchsorted", "lexsort",
           "sort_complex"]


def _check_kind(x, kind, stable, order, name):
    if order is not None:
        raise ValueError("Cannot specify order when the array has no fields.")
    getattr(numpy, name)(numpy.zeros(1, x.dtype), kind=kind, stable=stable)


def _prepare(a, axis, name):
    x = ours(a)
    if axis is None:
        from .manipulation import ravel
        return ravel(x), 0
    return x, normalize_axis(axis, x.ndim)


_DESCENDING = {"descending": "NumPy 2.5's parameter (also accepted with older NumPy): "
                             "the reverse order, equal elements in their original order"}


def _flip(x, ax):
    return x[(slice(None),) * ax + (slice(None, None, -1),)]


def _sort_local(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """``sort`` of a NumPy array as the engine gives it (the one-device path): NumPy's
    sort, reversed for ``descending``."""
    r = numpy.sort(a, axis=axis, kind=kind, order=order, stable=stable)
    return numpy.flip(r, -1 if axis is None else axis).copy() if descending else r


def _argsort_local(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """``argsort`` of a NumPy array as the engine gives it (the one-device path): ties in
    their order whatever the kind (NumPy's checks of ``kind``/``stable`` first)."""
    if order is not None:
        raise ValueError("Cannot specify order when the array has no fields.")
    numpy.argsort(numpy.zeros(1, a.dtype), kind=kind, stable=stable)
    if axis is None:
        a, axis = a.reshape(-1), -1
    elif a.ndim == 0:
        a = a.reshape(1)                    # (NumPy sorts a 0-d array as one element)
    if not descending:
        return numpy.argsort(a, axis=axis, kind="stable")
    i = numpy.argsort(numpy.flip(a, axis), axis=axis, kind="stable")
    return numpy.subtract(a.shape[axis] - 1, numpy.flip(i, axis))


@implements(numpy.sort, extra=_DESCENDING, local=_sort_local)
def sort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """Same as ``numpy.sort``; across devices a sample sort (see the module).  With
    ``descending`` the reverse of the ascending order (NaN first)."""
    x, ax = _prepare(a, axis, "sort")
    _check_kind(x, kind, stable, order, "sort")
    r = sort_along(x, ax, "stable" if stable else kind)[0]
    return _flip(r, ax).copy() if descending else r


@implements(numpy.argsort, extra=_DESCENDING, local=_argsort_local)
def argsort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """Same as ``numpy.argsort``; across devices stable (ties keep their order).  With
    ``descending`` the reverse order, equal elements still in their original order."""
    x = ours(a)
    if x.ndim == 0:
        from .manipulation import ravel
        x = ravel(x)             # (NumPy sorts a 0-d array as one element)
    x, ax = _prepare(x, axis, "argsort")
    _check_kind(x, kind, stable, order, "argsort")
    if not descending:
        # ties keep their order whatever the kind: one of the orders every kind of
        # NumPy's allows, the one the Array API standard requires, and the same on every
        # device and device count (docs/differences.md)
        return sort_along(x, ax, "stable", with_index=True)[1]
    i = sort_along(_flip(x, ax), ax, "stable", with_index=True)[1]
    return uf("subtract", x.shape[ax] - 1, _flip(i, ax))


def _kths(kth, n):
    try:
        ks = [operator.index(kth)]
    except TypeError:
        arr = numpy.asarray(kth.get() if hasattr(kth, "get") else
                            (kth if not isinstance(kth, ndarray) else host(kth)))
        if arr.dtype.kind not in "iu":
            raise TypeError("Partition index must be integer")
        ks = [int(k) for k in arr.ravel()]
    out = []
    for k in ks:
        kk = k + n if k < 0 else k
        if not 0 <= kk < n:
            raise ValueError(f"kth(={kk}) out of bounds ({n})")
        out.append(kk)
    return out


def _partition(a, kth, axis, kind, order, with_index):
    name = "argpartition" if with_index else "partition"
    if with_index and axis is not None and numpy.ndim(a) == 0:
        from .manipulation import ravel
        a = ravel(ours(a))      # (NumPy's argpartition takes a 0-d array as a 1-d one)
    x, ax = _prepare(a, axis, name)
    if order is not None:
        raise ValueError("Cannot specify order when the array has no fields.")
    if kind != "introselect":
        raise ValueError(f"{name}: kind must be 'introselect' (got {kind!r})")
    if x.size == 0:                      # nothing to partition: NumPy checks only that
        _kths(kth, 1 << 62)              # kth is made of integers
        from .creation import empty
        return empty(x.shape, dtype=numpy.intp if with_index else x.dtype,
                     device=x._store.machine)
    ks = _kths(kth, x.shape[ax])
    lay = x._view_layout()
    m = x._store.machine
    if m.ndev > 1 and lay.is_block and lay.axis == ax:
        v, i = sort_along(x, ax, "stable", with_index)
        return i if with_index else v
    dt = numpy.intp if with_index else x.dtype

    def local(xp, loc, _w):
        f = xp.argpartition if with_index else xp.partition
        return f(loc, ks if len(ks) > 1 else ks[0], axis=ax) if loc.size else \
            (xp.zeros(loc.shape, dt) if with_index else loc.copy())
    return map_blocks(x, local, dt)


@implements(numpy.partition, local=True)
def partition(a, kth, axis=-1, kind="introselect", order=None):
    """Same as ``numpy.partition`` (a full sort where the axis is split: also a valid
    partition, so the other elements' order may differ from NumPy's)."""
    return _partition(a, kth, axis, kind, order, False)


@implements(numpy.argpartition, local=True)
def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """Same as ``numpy.argpartition`` (see ``partition``)."""
    return _partition(a, kth, axis, kind, order, True)


@implements(numpy.searchsorted, local=True)
def searchsorted(a, v, side="left", sorter=None):
    """Same as ``numpy.searchsorted`` (a 0-d array for a scalar ``v``).  Each device
    searches its block of ``v`` in the whole of ``a``; when ``a`` is the larger and is
    split, each device counts in its own block of ``a`` and the counts are summed."""
    from .ufuncs import common_machine, as_operand
    m = common_machine([a, v, sorter], "searchsorted")
    x = ours(a, m)
    if x.ndim != 1:
        raise ValueError("object too deep for desired array" if x.ndim > 1 else
                         "object of too small depth for desired array")
    vv = as_operand(v, m, "searchsorted")
    if not isinstance(vv, ndarray):
        vv = ours(numpy.asarray(vv), m)
    numpy.searchsorted(numpy.zeros(1, x.dtype), numpy.zeros((), vv.dtype), side=side)
    if sorter is not None:
        from .indexing import take
        sorter = ours(sorter, m)
        if sorter.ndim != 1 or sorter.size != x.size:
            raise ValueError("searchsorted: sorter.size must equal a.size")
        x = take(x, sorter)
    lay = x._view_layout()
    if m.ndev > 1 and lay.is_block and x.size > 4 * max(vv.size, 1):
        return _searchsorted_counts(x, vv, side)

    def local(xp, loc, w):
        return xp.searchsorted(w[0], loc, side=side).astype(numpy.intp, copy=False)
    return map_blocks(vv, local, numpy.intp, whole=(x,))


def _searchsorted_counts(x, vv, side):
    """``a`` split and large: every device counts in its block; the counts are summed."""
    from ..distributed import reductions as R
    from ..distributed.axiswise import pieces
    m = x._store.machine
    whole = {}
    ex_pieces = pieces(x)
    from ..distributed.localize import Exchange
    ex = Exchange(m)
    for d in ex_pieces:
        whole[d] = ex.localize(vv._store, vv._map, tuple((0, n) for n in vv.shape), d)
    ex.run()
    parts = {}
    for d, (box, loc) in ex_pieces.items():
        dev = m.devices[d]
        with dev.activate():
            r = dev.xp.searchsorted(loc, whole[d], side=side).astype(numpy.intp)
            parts[d] = r.reshape((1,) + tuple(vv.shape))
    lay = Layout.block(0, tuple((d, d + 1) for d in range(m.ndev)))
    stacked = new_array(m, (m.ndev,) + tuple(vv.shape), numpy.intp, lay, parts)
    return R.reduce(stacked, "sum", axis=0)


@implements(numpy.lexsort, local=True)
def lexsort(keys, axis=-1):
    """Same as ``numpy.lexsort``: stable argsorts from the least significant key (the
    first) to the most significant (the last)."""
    from .indexing import take_along_axis
    if isinstance(keys, numpy.ndarray):
        keys = ours(keys)
    if isinstance(keys, ndarray):           # (NumPy: the keys along the first axis)
        ks = [keys[i] for i in range(keys.shape[0])] if keys.ndim else [keys]
    elif isinstance(keys, tuple) or isinstance(keys, list):
        ks = [ours(k) for k in keys]
    else:
        ks = [ours(keys)]
    if not ks:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    shape = ks[0].shape
    if any(k.shape != shape for k in ks):
        raise ValueError("all keys need to be the same shape")
    if len(shape) == 0:
        from .creation import zeros
        return zeros((), numpy.intp)
    ax = normalize_axis(axis, len(shape))
    perm = argsort(ks[0], axis=ax, kind="stable")
    for k in ks[1:]:
        kk = take_along_axis(k, perm, ax)
        perm = take_along_axis(perm, argsort(kk, axis=ax, kind="stable"), ax)
    return perm


@implements(numpy.sort_complex, local=True)
def sort_complex(a):
    """Same as ``numpy.sort_complex``."""
    from .manipulation import astype
    x = sort(ours(a))
    if x.dtype.kind == "c":
        return x
    if x.dtype.char in "bhBH":
        return astype(x, numpy.complex64)
    if x.dtype.char == "g":
        return astype(x, numpy.clongdouble)
    return astype(x, numpy.complex128)
