"""Unique values and set operations: ``unique unique_all unique_counts unique_inverse
unique_values isin intersect1d union1d setdiff1d setxor1d``.

All follow NumPy's own algorithms (``numpy/lib/_arraysetops_impl.py``) on arrbackend's
engines: the distributed sort, the boolean-mask selection (each device keeps its rows),
the distributed scan and the fancy scatter (``return_inverse``).  ``isin`` sorts the test
values and lets every device search its block of ``element`` in them.

Every ``unique*`` function returns its values sorted, with the counts, inverse and indices
that go with them, on every device and device count (NumPy >= 2.3 returns
``unique_values`` and ``unique(..., sorted=False)`` in hash order; sorted is an order both
allow, and the one ``np.unique`` and array-api-strict give).
"""
from __future__ import annotations

import math

import numpy

from .local import try_local
from .registry import implements
from ..distributed.view import normalize_axis
from ._helpers import map_blocks, ours, uf
from .manipulation import concatenate, ravel, reshape, moveaxis
from .ufuncs import common_machine

__all__ = ["unique", "unique_all", "unique_counts", "unique_inverse", "unique_values",
           "isin", "intersect1d", "union1d", "setdiff1d", "setxor1d"]

try:
    from numpy.lib._arraysetops_impl import (UniqueAllResult, UniqueCountsResult,
                                             UniqueInverseResult)
except ImportError:          # pragma: no cover (NumPy moved them)
    from collections import namedtuple
    UniqueAllResult = namedtuple("UniqueAllResult",
                                 ["values", "indices", "inverse_indices", "counts"])
    UniqueCountsResult = namedtuple("UniqueCountsResult", ["values", "counts"])
    UniqueInverseResult = namedtuple("UniqueInverseResult", ["values", "inverse_indices"])


def _mask_first(s):
    """True where a sorted 1-D array starts a new value."""
    first = ours(numpy.ones(1, bool), s._store.machine)
    if s.size <= 1:
        from .creation import ones
        return ones(s.shape, dtype=bool, device=s._store.machine)
    return concatenate([first, uf("not_equal", s[1:], s[:-1])])


def _unique1d(ar, return_index, return_inverse, return_counts, equal_nan, inv_shape):
    from ..distributed.sorting import sort_along
    from .sorting import searchsorted
    flat = ravel(ar)
    m = flat._store.machine
    n = flat.size
    need_perm = return_index or return_inverse
    s, perm = sort_along(flat, 0, "stable", with_index=need_perm)
    mask = _mask_first(s)
    if equal_nan and n and s.dtype.kind in "fc" and bool(uf("isnan", s[-1])):
        if s.dtype.kind == "c":
            first_nan = int(searchsorted(uf("isnan", s), True, side="left"))
        else:
            first_nan = int(searchsorted(s, s[-1], side="left"))
        if first_nan + 1 < n:
            mask[first_nan + 1:] = False
    ret = (s[mask],)
    return ret + _index_inverse_counts(mask, perm, n, m, return_index, return_inverse,
                                       return_counts, inv_shape)


def _unique_rows(x, axis, return_index, return_inverse, return_counts):
    """``unique`` along an axis: rows compared lexicographically, as NumPy's structured
    view of the rows compares them."""
    from .sorting import lexsort
    from .indexing import take
    from .reductions import any as any_
    ax = normalize_axis(axis, x.ndim)
    ar = moveaxis(x, ax, 0)
    orig_shape = ar.shape
    n = orig_shape[0]
    cols = math.prod(orig_shape[1:])
    ar2 = reshape(ar, (n, cols)) if ar.ndim != 2 else ar     # (not -1: n may be 0)
    cols = ar2.shape[1]
    if n == 0 or cols == 0:
        keys = None
    else:
        keys = [ar2[:, j] for j in range(cols - 1, -1, -1)]
    from .creation import arange
    m = x._store.machine
    perm = lexsort(keys) if keys else arange(n, device=m)
    s = take(ar2, perm, axis=0)
    if n:
        first = ours(numpy.ones(1, bool), m)
        diffs = any_(uf("not_equal", s[1:], s[:-1]), axis=1) if cols else \
            ours(numpy.zeros(n - 1, bool), m)
        mask = concatenate([first, diffs])
    else:
        mask = ours(numpy.zeros(0, bool), m)
    uniq = s[mask]
    uniq = moveaxis(reshape(uniq, (uniq.shape[0],) + tuple(orig_shape[1:])), 0, ax)
    ret = (uniq,)
    return ret + _index_inverse_counts(mask, perm, n, m, return_index, return_inverse,
                                       return_counts, (n,))


def _index_inverse_counts(mask, perm, n, m, return_index, return_inverse, return_counts,
                          inv_shape):
    """``unique``'s optional results from the sorted order ``perm`` and the mask of first
    occurrences in it."""
    from .creation import empty
    from .cumulative import cumsum, diff
    from .nonzero import nonzero
    ret = ()
    if return_index:
        ret += (perm[mask],)
    if return_inverse:
        imask = uf("subtract", cumsum(mask, dtype=numpy.intp), 1)
        inv = empty(n, dtype=numpy.intp, device=m)
        if n:
            inv[perm] = imask
        ret += (reshape(inv, inv_shape),)
    if return_counts:
        idx = concatenate(nonzero(mask) + (ours(numpy.array([n], numpy.intp), m),))
        ret += (diff(idx),)
    return ret


def _local_unique(ar, **kwargs):
    """NumPy's ``unique`` on the shard of an array lying whole on one CPU device, asked
    for sorted values; NotImplemented elsewhere."""
    return try_local(numpy.unique, (ar,), dict(kwargs, sorted=True))


@implements(numpy.unique)
def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           *, equal_nan=True, sorted=True):
    """Same as ``numpy.unique`` (sorted values also with ``sorted=False``)."""
    r = _local_unique(ar, return_index=return_index, return_inverse=return_inverse,
                      return_counts=return_counts, axis=axis, equal_nan=equal_nan)
    if r is not NotImplemented:
        return r
    x = ours(ar)
    if axis is None:
        ret = _unique1d(x, return_index, return_inverse, return_counts, equal_nan,
                        x.shape)
    else:
        ret = _unique_rows(x, axis, return_index, return_inverse, return_counts)
    return ret[0] if len(ret) == 1 else ret


@implements(numpy.unique_all)
def unique_all(x):
    """Same as ``numpy.unique_all``."""
    a = ours(x)
    r = _unique1d(a, True, True, True, False, a.shape)
    return UniqueAllResult(*r)


@implements(numpy.unique_counts)
def unique_counts(x):
    """Same as ``numpy.unique_counts``."""
    r = _unique1d(ours(x), False, False, True, False, None)
    return UniqueCountsResult(*r)


@implements(numpy.unique_inverse)
def unique_inverse(x):
    """Same as ``numpy.unique_inverse``."""
    a = ours(x)
    r = _unique1d(a, False, True, False, False, a.shape)
    return UniqueInverseResult(*r)


@implements(numpy.unique_values)
def unique_values(x):
    """Same as ``numpy.unique_values``, sorted (NaNs not merged, as in NumPy)."""
    r = _local_unique(x, equal_nan=False)
    if r is not NotImplemented:
        return r
    return _unique1d(ours(x), False, False, False, False, None)[0]


def _isin_kernel(invert):
    def kernel(xp, loc, w):
        ts = w[0]
        if ts.shape[0] == 0:
            r = xp.zeros(loc.shape, bool)
        else:
            idx = xp.searchsorted(ts, loc, side="left")
            idx = xp.minimum(idx, ts.shape[0] - 1)
            r = ts[idx] == loc
        return ~r if invert else r
    return kernel


@implements(numpy.isin, local=True)
def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    """Same as ``numpy.isin``: the test values are sorted (distributed sort), then each
    device looks up its block of ``element`` in them."""
    from .sorting import sort
    if kind not in (None, "sort", "table"):
        raise ValueError(f"Invalid kind: '{kind}'. Please use None, 'sort' or 'table'.")
    m = common_machine([element, test_elements], "isin")
    e = ours(element, m)
    t = ravel(ours(test_elements, m))
    if kind == "table" and not (e.dtype.kind in "iub" and t.dtype.kind in "iub"):
        raise ValueError("The 'table' method is only supported for boolean or integer "
                         "arrays. Please select 'sort' or None for kind.")
    ts = sort(t)
    if e.dtype != ts.dtype:
        dt = numpy.result_type(e.dtype, ts.dtype)
        from .manipulation import astype
        e2 = astype(e, dt) if e.dtype != dt else e
        ts = astype(ts, dt) if ts.dtype != dt else ts
    else:
        e2 = e
    return map_blocks(e2, _isin_kernel(bool(invert)), numpy.dtype(bool), whole=(ts,))


@implements(numpy.intersect1d, local=True)
def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    """Same as ``numpy.intersect1d``."""
    from .sorting import argsort, sort
    m = common_machine([ar1, ar2], "intersect1d")
    a1, a2 = ours(ar1, m), ours(ar2, m)
    if not assume_unique:
        if return_indices:
            a1, ind1 = unique(a1, return_index=True)
            a2, ind2 = unique(a2, return_index=True)
        else:
            a1, a2 = unique(a1), unique(a2)
    else:
        a1, a2 = ravel(a1), ravel(a2)
    aux = concatenate((a1, a2))
    if return_indices:
        order = argsort(aux, kind="mergesort")
        aux = aux[order]
    else:
        aux = sort(aux)
    mask = uf("equal", aux[1:], aux[:-1])
    int1d = aux[:-1][mask]
    if return_indices:
        i1 = order[:-1][mask]
        i2 = uf("subtract", order[1:][mask], a1.size)
        if not assume_unique:
            i1, i2 = ind1[i1], ind2[i2]
        return int1d, i1, i2
    return int1d


@implements(numpy.union1d, local=True)
def union1d(ar1, ar2):
    """Same as ``numpy.union1d``."""
    m = common_machine([ar1, ar2], "union1d")
    return unique(concatenate((ravel(ours(ar1, m)), ravel(ours(ar2, m)))))


@implements(numpy.setdiff1d, local=True)
def setdiff1d(ar1, ar2, assume_unique=False):
    """Same as ``numpy.setdiff1d``."""
    m = common_machine([ar1, ar2], "setdiff1d")
    a1 = ravel(ours(ar1, m)) if assume_unique else unique(ours(ar1, m))
    a2 = unique(ours(ar2, m))
    return a1[isin(a1, a2, assume_unique=True, invert=True)]


@implements(numpy.setxor1d, local=True)
def setxor1d(ar1, ar2, assume_unique=False):
    """Same as ``numpy.setxor1d``."""
    from .sorting import sort
    m = common_machine([ar1, ar2], "setxor1d")
    a1, a2 = ours(ar1, m), ours(ar2, m)
    if not assume_unique:
        a1, a2 = unique(a1), unique(a2)
    aux = concatenate((a1, a2), axis=None)
    if aux.size == 0:
        return aux
    aux = sort(aux)
    t = ours(numpy.ones(1, bool), m)
    flag = concatenate((t, uf("not_equal", aux[1:], aux[:-1]), t))
    return aux[uf("logical_and", flag[1:], flag[:-1])]
