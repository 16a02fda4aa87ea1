"""Reductions across devices: ``sum prod min max mean var std argmin argmax any all
count_nonzero`` and the nan-variants, with ``axis`` (ints, tuples, negatives),
``keepdims``, ``dtype``, ``out``, ``where``, ``ddof``, ``initial``; empty inputs and
NumPy's errors and warnings."""
from __future__ import annotations

import warnings

import numpy
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import arrbackend as ab
from helpers import check, same, to_ours

HYP = hsettings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

REDUCTIONS = ["sum", "prod", "min", "max", "mean", "var", "std", "argmin", "argmax", "any",
              "all", "count_nonzero", "nansum", "nanprod", "nanmin", "nanmax", "nanmean",
              "nanvar", "nanstd", "nanargmin", "nanargmax"]
AXES = [None, 0, 1, -1, (0, 1), (1, 0), (-1, 0), 2, (0, 2)]


def _data(dtype, shape=(5, 4, 3), nans=False):
    rng = numpy.random.default_rng(7)
    a = rng.uniform(-2, 2, size=shape)
    if numpy.dtype(dtype).kind in "iu":
        a = rng.integers(0, 9, size=shape)
    elif numpy.dtype(dtype).kind == "b":
        a = rng.integers(0, 2, size=shape)
    a = a.astype(dtype)
    if nans and a.dtype.kind == "f":
        a[1, 2, 0] = numpy.nan
        a[3] = numpy.nan
    return a


def _call(name, x, axis, **kw):
    f = getattr(numpy, name)
    if name.startswith(("arg", "nanarg")):
        if isinstance(axis, tuple):
            axis = axis[0]
        return f(x, axis=axis, **kw)
    if name == "count_nonzero":
        return f(x, axis=axis)
    return f(x, axis=axis, **kw)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "bool"])
def test_reductions(machine, name, axis, dtype):
    a = _data(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        same(lambda x: _call(name, x, axis), a, rtol=1e-4 if dtype == "float32" else None)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_with_nan(machine, name):
    a = _data("float64", nans=True)
    for axis in (None, 0, 2, (0, 2)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            same(lambda x: _call(name, x, axis), a)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean", "var", "std", "any",
                                  "all", "nansum", "nanmean", "nanmax"])
def test_keepdims(machine, name):
    a = _data("float64")
    for axis in (None, 1, (0, 2)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            same(lambda x: getattr(numpy, name)(x, axis=axis, keepdims=True), a)


def test_dtype_out_where_initial_ddof(machine):
    a = _data("float64")
    x = to_ours(a)
    check(numpy.sum(x, axis=0, dtype=numpy.float32), numpy.sum(a, axis=0, dtype=numpy.float32))
    check(numpy.sum(to_ours(a.astype(numpy.int8)), axis=1),
          numpy.sum(a.astype(numpy.int8), axis=1))
    mask = a > 0
    wm = to_ours(mask)
    check(numpy.sum(x, axis=1, where=wm), numpy.sum(a, axis=1, where=mask))
    check(numpy.max(x, axis=1, where=wm, initial=-10), numpy.max(a, axis=1, where=mask,
                                                                initial=-10))
    check(numpy.mean(x, axis=(0, 2), where=wm), numpy.mean(a, axis=(0, 2), where=mask))
    check(numpy.var(x, axis=0, ddof=1), numpy.var(a, axis=0, ddof=1))
    check(numpy.std(x, axis=2, ddof=2), numpy.std(a, axis=2, ddof=2))
    check(numpy.std(x, correction=1), numpy.std(a, correction=1))
    check(numpy.sum(x, initial=5.0), numpy.sum(a, initial=5.0))
    out = ab.zeros((4, 3))
    r = numpy.sum(x, axis=0, out=out)
    assert r is out
    check(out, numpy.sum(a, axis=0))
    iout = ab.zeros((5,), dtype=int)
    numpy.add.reduce(x, axis=(1, 2), out=iout)   # accumulates in float64, cast once
    ion = numpy.zeros((5,), dtype=int)
    numpy.add.reduce(a, axis=(1, 2), out=ion)
    check(iout, ion)
    fout = ab.zeros((5,))
    numpy.add.reduce(x, axis=(1, 2), out=fout)
    check(fout, numpy.add.reduce(a, axis=(1, 2)))
    check(numpy.add.reduce(x), numpy.add.reduce(a))
    check(numpy.maximum.reduce(x, axis=1), numpy.maximum.reduce(a, axis=1))
    check(numpy.mean(to_ours(a.astype(numpy.float16)), axis=0),
          numpy.mean(a.astype(numpy.float16), axis=0))


@pytest.mark.parametrize("fn", [numpy.sum, numpy.prod])
def test_out_of_another_dtype_accumulates_in_its_dtype(machine, fn):
    # as NumPy: with no dtype=, the accumulation dtype is out's
    for a, odt in ((numpy.array([2**53, 1, 1, 3]), numpy.float64),
                   (numpy.array([2.0**24, 1, 1, 1.5], dtype=numpy.float32), numpy.float64),
                   (numpy.array([True, False, True]), numpy.int8),
                   (numpy.array([0.6, 0.6, 0.6, 1.7]), numpy.int64),
                   (numpy.array([3, 250, 7], dtype=numpy.uint8), numpy.float16)):
        o, on = ab.zeros((), dtype=odt), numpy.zeros((), odt)
        assert fn(to_ours(a), out=o) is o
        fn(a, out=on)
        check(o, on, rtol=0, atol=0)


def test_methods_match_functions(machine):
    a = _data("float64")
    for name in ("sum", "prod", "min", "max", "mean", "var", "std", "argmin", "argmax",
                 "any", "all"):
        same(lambda x: getattr(x, name)(axis=1), a)
        same(lambda x: getattr(x, name)(), a)


@HYP
@given(shape=st.lists(st.integers(0, 6), min_size=1, max_size=3).map(tuple),
       data=st.data())
def test_random_shapes(machine, shape, data):
    a = numpy.arange(int(numpy.prod(shape)), dtype=float).reshape(shape) % 7 - 3
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    for name in ("sum", "max", "mean", "argmax", "any"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            same(lambda x: _call(name, x, axis), a)


def test_errors(machine):
    x = ab.ones((3, 4))
    with pytest.raises(numpy.exceptions.AxisError):
        numpy.sum(x, axis=2)
    with pytest.raises(ValueError, match="duplicate value in 'axis'"):
        numpy.sum(x, axis=(0, 0))
    with pytest.raises(ValueError, match="zero-size array to reduction operation"):
        numpy.max(ab.ones((0, 3)))
    with pytest.raises(ValueError, match="attempt to get argmax of an empty sequence"):
        numpy.argmax(ab.ones((0,)))
    with pytest.raises(ValueError, match="does not have an identity"):
        numpy.max(x, where=x > 0)
    with pytest.raises(ValueError, match="All-NaN slice"):
        numpy.nanargmax(ab.asarray([numpy.nan, numpy.nan]))
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        numpy.mean(ab.ones((0,)))
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
        numpy.var(ab.ones((1,)), ddof=1)


def test_reduction_results_agree_on_every_device(multi):
    a = numpy.random.default_rng(3).standard_normal((17, 5))
    r = numpy.sum(to_ours(a), axis=0)
    shards = [numpy.asarray(s.get() if hasattr(s, "get") else s)
              for s in r._store.shards if s is not None]
    for s in shards[1:]:
        numpy.testing.assert_array_equal(s, shards[0])


def test_axis_argument_forms(machine):
    a = numpy.arange(12.0).reshape(3, 4)
    for fn in (numpy.argmax, numpy.argmin, numpy.nanargmax, numpy.nanargmin):
        same(lambda x: fn(x, axis=(0,)), a)                 # one axis only: TypeError
        same(lambda x: fn(x, axis=-1), a)
    for fn in (numpy.cumulative_sum, numpy.cumulative_prod):
        same(lambda x: fn(x, axis=(1,)), a)                 # (NumPy takes a one-axis tuple)
        same(lambda x: fn(x, axis=(0, 1)), a)
    z = numpy.array(3.0)
    for fn in (numpy.count_nonzero, numpy.squeeze, numpy.sum, numpy.max, numpy.argsort,
               numpy.sort):
        for axis in (0, -1, (0,), 1, None):                 # a 0-d array's "axis 0"
            same(lambda x: fn(x, axis=axis), z)


def test_out_shape_and_empty_partition(machine):
    a = numpy.ones((4, 3))
    for fn in (numpy.mean, numpy.std, numpy.nanmean, numpy.median):
        with pytest.raises(ValueError):                 # not broadcast into a larger out=
            fn(to_ours(a), axis=0, out=ab.zeros((2, 3)))
    same(lambda x: numpy.partition(x, 0), numpy.zeros((2, 0)))
    same(lambda x: numpy.argpartition(x, [0]), numpy.zeros((2, 0)))
    same(lambda x: numpy.partition(x, 0), numpy.zeros(0))
    for kth in (0, 5, [0, 7], 1.5):          # nothing to partition: kth is not checked
        for shape in ((0,), (0, 3), (3, 0)):   # against the axis (only for integers)
            same(lambda x: numpy.partition(x, kth), numpy.zeros(shape))
            same(lambda x: numpy.argpartition(x, kth, axis=0), numpy.zeros(shape))
    same(numpy.linalg.inv, numpy.eye(2, dtype=numpy.float16))   # NumPy's TypeError
    same(lambda x: numpy.power(x, -1, dtype=numpy.int32), numpy.zeros(0, int))


@pytest.mark.parametrize("threads", [2, 3, 8, 16])
def test_whole_sum_on_threads_is_numpys_value_bit_for_bit(monkeypatch, threads):
    """A whole sum cut along NumPy's pairwise tree and summed on several threads
    (``kernels.cpu_sum``): NumPy's value and type bit for bit, over sizes around the cuts,
    float32 and float64, 1-d and C-ordered 2-d; a sum that is not finite gives NumPy's
    value and warning."""
    from arrbackend.kernels import cpu_sum, cpu_threads
    monkeypatch.setattr(cpu_sum, "TREE_SUM_MIN", 0)
    monkeypatch.setattr(cpu_threads, "setting_threads", lambda: threads)
    monkeypatch.setattr(cpu_threads, "MIN_PER_THREAD", 1)
    rng = numpy.random.default_rng(threads)
    sizes = [129, 136, 255, 256, 1000, 1031, 4096 + 7, 65536 + 8, 100_003, 262_144]
    for n in sizes:
        for dt in (numpy.float64, numpy.float32):
            a = (rng.standard_normal(n) * 10 ** rng.uniform(-3, 6, n)).astype(dt)
            for x in (a, a[: n - n % 3].reshape(-1, 3)):
                want, got = numpy.add.reduce(x, axis=None), cpu_sum.whole_sum(x)
                assert type(got) is type(want) and got == want, (n, dt, x.shape)
    for x in (a.astype(">f8"), numpy.frombuffer(b"\0" + a.astype("f8").tobytes(),
                                                "f8", count=a.size, offset=1)):
        want = numpy.add.reduce(x, axis=None)       # (swapped or unaligned: NumPy's
        assert cpu_sum.whole_sum(x) == want         # buffered pieces)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = cpu_sum.whole_sum(numpy.full(1000, 1e306))
    assert got == numpy.inf and [str(m.message) for m in w] == \
        ["overflow encountered in reduce"]
    assert numpy.isnan(cpu_sum.whole_sum(numpy.array([1.0] * 500 + [numpy.nan])))


def test_a_sum_of_booleans_is_a_count():
    """``np.sum`` of a boolean array on one CPU device: NumPy's integer and its type, for
    contiguous, strided, empty and 0-d masks."""
    rng = numpy.random.default_rng(3)
    masks = [rng.random(100_001) < 0.3, (rng.random((300, 40)) < 0.5)[:, ::3],
             numpy.zeros(0, bool), numpy.array(True), numpy.ones((7, 0), bool)]
    _whole_as_numpys("sum", masks)


def _whole_as_numpys(name, arrays):
    """``np.<name>(x)`` and ``x.<name>()`` on ``cpu:1``: NumPy's value and type."""
    with ab.enabled(devices="cpu:1"):
        import numpy as np
        for xn in arrays:
            x = np.asarray(xn)
            for got in (getattr(np, name)(x), getattr(x, name)()):
                want = getattr(numpy, name)(xn)
                assert got == want and got.dtype == want.dtype, (xn.shape, got, want)


def test_whole_means_of_masks_and_large_arrays_are_numpys():
    """``np.mean`` / ``a.mean()`` on one CPU device of a mask (a count divided) and of a
    float array larger than the caches (the threaded sum): NumPy's value and dtype; an
    empty one NumPy's warning and NaN."""
    rng = numpy.random.default_rng(8)
    cases = [rng.random(100_003) < 0.3, (rng.random((300, 40)) < 0.5)[:, ::3],
             numpy.array(True), rng.random(1_200_000),
             (rng.random(2_200_000) * 7).astype(numpy.float32), rng.random((3, 4))]
    _whole_as_numpys("mean", cases)
    with ab.enabled(devices="cpu:1"):
        import numpy as np
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            assert numpy.isnan(float(np.mean(np.zeros(0, bool))))
        with warnings.catch_warnings(record=True) as want:
            warnings.simplefilter("always")
            numpy.mean(numpy.zeros(0, bool))
        assert [str(w.message) for w in got] == [str(w.message) for w in want]


def test_a_large_sum_is_numpys_value():
    """``np.sum`` and ``a.sum()`` of an array larger than the caches on one CPU device
    (summed on several threads where there are several cores): NumPy's value."""
    an = numpy.random.default_rng(9).random(1_200_000)      # (9.6 MB)
    with ab.enabled(devices="cpu:1"):
        import numpy as np
        a = np.asarray(an)
        for got in (np.sum(a), a.sum(), np.sum(a.reshape(1000, 1200))):
            assert got == numpy.sum(an) and got.dtype == numpy.float64


def test_a_large_sum_in_a_forked_child():
    """A forked child sums on threads of its own (the parent's are not there)."""
    import multiprocessing
    from arrbackend.kernels import cpu_sum
    a = numpy.random.default_rng(4).random(1_200_000)
    assert cpu_sum.whole_sum(a) == numpy.add.reduce(a)      # (the parent's threads made)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(cpu_sum.whole_sum, (a,)).get(timeout=60)
    assert got == numpy.add.reduce(a)
