"""Sorting, searching and set operations on cpu:1 (NumPy's own function on the shard)
and cpu:3 (the sample sort, the distributed searches) against NumPy."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from helpers import check, same, to_ours

DTYPES = ["bool", "int8", "int32", "int64", "uint16", "float32", "float64", "complex128"]


def _data(shape, dtype, seed=0, unique=False):
    rng = numpy.random.default_rng(seed)
    n = int(numpy.prod(shape))
    if unique:
        v = rng.permutation(n) - n // 3
    else:
        v = rng.integers(-6, 7, n)
    if numpy.dtype(dtype).kind == "b":
        v = v > 0
    x = v.reshape(shape).astype(dtype)
    if numpy.dtype(dtype).kind == "c":
        x = x + 1j * rng.integers(-2, 3, shape)
    return x


@pytest.mark.parametrize("dtype", DTYPES)
def test_sort_dtypes(machine, dtype):
    a = _data((23,), dtype)
    same(numpy.sort, a)
    same(lambda x: numpy.sort(x, kind="stable"), a)
    same(lambda x: numpy.argsort(x, kind="stable"), a)
    same(lambda x: numpy.sort(x[::-1][2:]), a)


@pytest.mark.parametrize("shape,axis", [((7, 5), 0), ((7, 5), 1), ((7, 5), -1), ((7, 5), None),
                                        ((4, 3, 5), 1), ((0, 4), 0), ((5, 0), 1), ((1, 9), 1),
                                        ((9, 1), 0)])
def test_sort_axes(machine, shape, axis):
    a = _data(shape, "float64", unique=True).astype(float)
    same(lambda x: numpy.sort(x, axis=axis), a)
    same(lambda x: numpy.argsort(x, axis=axis), a)
    same(lambda x: numpy.sort(x.T, axis=axis) if x.ndim == 2 and axis is not None
         else numpy.sort(x, axis=axis), a)


def test_sort_nan_and_stability(machine):
    a = numpy.array([3.0, numpy.nan, 1.0, 2.0, numpy.nan, -numpy.inf, 1.0, 0.0, 1.0] * 3)
    same(numpy.sort, a)
    same(lambda x: numpy.argsort(x, stable=True), a)
    ties = numpy.repeat(numpy.arange(4), 9)[::-1].copy()
    same(lambda x: numpy.argsort(x, kind="stable"), ties)
    x = to_ours(numpy.arange(12.0)[::-1].copy())
    x.sort()
    check(x, numpy.arange(12.0))


def test_sort_descending(machine):
    a = numpy.array([3.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0] * 3)
    x = to_ours(a)
    check(numpy.sort(x, descending=True) if _has_descending() else ab.sort(x, descending=True),
          numpy.sort(a)[::-1])
    idx = ab.argsort(x, descending=True)
    expected = numpy.lexsort((numpy.arange(a.size), -a))   # ties in their original order
    check(idx, expected)
    b = a.reshape(3, 7)
    check(ab.argsort(to_ours(b), axis=1, descending=True),
          numpy.stack([numpy.lexsort((numpy.arange(7), -r)) for r in b]))


def _has_descending() -> bool:
    import inspect
    return "descending" in inspect.signature(numpy.sort).parameters


def test_sort_errors(machine):
    same(lambda x: numpy.sort(x, kind="bogus"), numpy.arange(4.0))
    same(lambda x: numpy.sort(x, axis=2), numpy.arange(4.0))
    same(lambda x: numpy.sort(x, order="a"), numpy.arange(4.0))
    same(lambda x: numpy.sort(x), numpy.float64(3.0).reshape(()))


def _check_partition(got, a, kth, axis=-1):
    g = ab.asnumpy(got)
    s = numpy.sort(a, axis=axis)
    for k in numpy.atleast_1d(kth):
        numpy.testing.assert_array_equal(numpy.take(g, k, axis=axis), numpy.take(s, k, axis=axis))
        lo = numpy.take(g, numpy.arange(k), axis=axis)
        assert numpy.all(lo <= numpy.expand_dims(numpy.take(s, k, axis=axis), axis))


def test_partition(machine):
    a = _data((17,), "float64", unique=True)
    for kth in (0, 5, -1, [2, 9]):
        _check_partition(numpy.partition(to_ours(a), kth), a, kth)
        idx = numpy.argpartition(to_ours(a), kth)
        _check_partition(ab.asarray(a)[idx], a, kth)
    b = _data((6, 5), "int64", unique=True)
    _check_partition(numpy.partition(to_ours(b), 2, axis=0), b, 2, axis=0)
    _check_partition(numpy.partition(to_ours(b), 3, axis=1), b, 3, axis=1)
    with pytest.raises(ValueError, match="out of bounds"):
        numpy.partition(to_ours(a), 17)
    same(lambda x: numpy.partition(x, 30), a)


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(machine, side):
    a = numpy.sort(_data((40,), "int64"))
    v = _data((3, 5), "int64", seed=1)
    same(lambda x, y: numpy.searchsorted(x, y, side=side), a, v)
    same(lambda x: numpy.searchsorted(x, 2, side=side), a)
    same(lambda x: numpy.searchsorted(x, [0.5, 100.0], side=side), a)
    f = numpy.sort(_data((11,), "float64")) + 0.25
    same(lambda x: x.searchsorted(numpy.array([numpy.nan, -1.0, 3.25]), side=side), f)
    perm = numpy.argsort(v.ravel())
    same(lambda x, p: numpy.searchsorted(x, 1, side=side, sorter=p), v.ravel(), perm)
    same(lambda x: numpy.searchsorted(x, 1, side="middle"), a)
    same(lambda x: numpy.searchsorted(x.reshape(5, 8), 1), a)


def test_lexsort_sort_complex(machine):
    k1 = _data((15,), "int64", seed=1)
    k2 = _data((15,), "int64", seed=2)
    same(lambda x, y: numpy.lexsort((x, y)), k1, k2)
    same(lambda x, y: numpy.lexsort(numpy.stack([x, y])), k1, k2)
    same(lambda x: numpy.lexsort((x.reshape(3, 5),), axis=0), k1)
    with pytest.raises(ValueError, match="same shape"):
        numpy.lexsort([to_ours(k1), to_ours(k1[:3])])
    for dt in ("int8", "int64", "float32", "complex64", "bool"):
        same(numpy.sort_complex, _data((9,), dt))


@pytest.mark.parametrize("dtype", ["int16", "float64", "bool", "complex128"])
def test_unique(machine, dtype):
    a = _data((4, 6), dtype)
    same(numpy.unique, a)
    same(lambda x: numpy.unique(x, return_index=True, return_inverse=True,
                                return_counts=True), a)
    same(lambda x: numpy.unique(x, axis=0), numpy.repeat(a[:2], 3, axis=0))
    same(lambda x: numpy.unique(x, axis=1, return_index=True, return_inverse=True,
                                return_counts=True), numpy.repeat(a[:, :2], 2, axis=1))


def _sorted_unique(a, fn):
    """What every ``unique*`` function returns: NumPy's sorted ``np.unique`` results
    (NaNs not merged: the Array API functions keep each NaN)."""
    v, idx, inv, cnt = numpy.unique(a, return_index=True, return_inverse=True,
                                    return_counts=True, equal_nan=False)
    inv = inv.reshape(a.shape)
    return {"unique_values": v, "unique_counts": (v, cnt), "unique_inverse": (v, inv),
            "unique_all": (v, idx, inv, cnt),
            "unique_unsorted": numpy.unique(a)}[fn]


@pytest.mark.parametrize("fn", ["unique_values", "unique_counts", "unique_inverse",
                                "unique_all", "unique_unsorted"])
@pytest.mark.parametrize("dtype", DTYPES + ["float64-nan"])
@pytest.mark.parametrize("shape", [(4, 6), (40,), (0,), (1,)])
def test_unique_functions_are_sorted(machine, fn, dtype, shape):
    # NumPy >= 2.3 gives unique_values (and unique(sorted=False)) in hash order; the
    # same program must give the same array on every device: sorted, with matching
    # counts, inverse and first indices
    a = _data(shape, dtype.split("-")[0], seed=len(shape))
    if dtype.endswith("nan") and a.size > 3:
        a.ravel()[[0, 3]] = numpy.nan
    f = (lambda x: numpy.unique(x, sorted=False)) if fn == "unique_unsorted" else \
        getattr(numpy, fn)
    got = f(to_ours(a))
    want = _sorted_unique(a, fn)
    check(tuple(got) if isinstance(want, tuple) else got, want)


def test_unique_nan_empty(machine):
    a = numpy.array([2.0, numpy.nan, 1.0, numpy.nan, 2.0, numpy.nan])
    same(numpy.unique, a)
    same(lambda x: numpy.unique(x, equal_nan=False), a)
    same(lambda x: numpy.unique(x, return_inverse=True, return_counts=True), a)
    e = numpy.zeros((0,), float)
    same(lambda x: numpy.unique(x, return_index=True, return_inverse=True,
                                return_counts=True), e)
    r = numpy.unique_all(to_ours(a))
    assert type(r).__name__ == "UniqueAllResult"


def test_set_operations(machine):
    a = _data((13,), "int64", seed=3)
    b = _data((9,), "int64", seed=4)
    same(numpy.isin, a, b)
    same(lambda x, y: numpy.isin(x, y, invert=True), a, b)
    same(lambda x, y: numpy.isin(x.reshape(13, 1), y, kind="table"), a, b)
    same(lambda x, y: numpy.isin(x, y.astype(float) + 0.5), a, b)
    same(lambda x: numpy.isin(x, []), a)
    same(numpy.intersect1d, a, b)
    same(lambda x, y: numpy.intersect1d(x, y, return_indices=True), a, b)
    same(numpy.union1d, a, b)
    same(numpy.setdiff1d, a, b)
    same(numpy.setxor1d, a, b)
    u, v = numpy.unique(a), numpy.unique(b)
    same(lambda x, y: numpy.intersect1d(x, y, assume_unique=True, return_indices=True), u, v)
    same(lambda x, y: numpy.setxor1d(x, y, assume_unique=True), u, v)
    same(lambda x, y: numpy.setdiff1d(x, y, assume_unique=True), u, v)
    f = numpy.array([1.0, numpy.nan, 3.0])
    same(lambda x: numpy.isin(x, [numpy.nan, 3.0]), f)
    with pytest.raises(ValueError, match="Invalid kind"):
        numpy.isin(to_ours(a), to_ours(b), kind="bogus")
    with pytest.raises(ValueError, match="table"):
        numpy.isin(to_ours(f), to_ours(f), kind="table")


def test_sample_sort_moves_only_buckets(multi):
    """A split 1-D sort is a sample sort: the result is split by bucket (no gather)."""
    a = numpy.random.default_rng(5).standard_normal(300)
    x = to_ours(a)
    ab.counters.reset()
    r = numpy.sort(x)
    check(r, numpy.sort(a))
    if multi.ndev > 1:
        assert r._store.layout.is_block
        assert ab.counters.gathers == 0
