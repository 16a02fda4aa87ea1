"""Reductions of narrow types (float16, small integers, bool) accumulate as NumPy's do, on
every device and device count: integers and booleans in NumPy's result types, exactly;
float16 sums and products in float32, rounded once (what NumPy's float16 loops do along a
contiguous axis), so that the answer differs from NumPy's by no more than NumPy's own
rounding (along another axis NumPy adds in float16, one rounding per element)."""
from __future__ import annotations

import warnings

import numpy
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import arrbackend as ab
from helpers import check, to_ours

HYP = hsettings(max_examples=10, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

NARROW = ["float16", "int8", "uint8", "int16", "uint16", "bool"]
ACCUMULATING = {"sum", "prod", "mean", "var", "std", "nansum", "nanprod", "nanmean",
                "cumsum", "cumprod", "nancumsum", "add.reduce", "multiply.reduce",
                "add.accumulate", "average"}
EXACT = ["max", "min", "ptp", "any", "all", "count_nonzero", "argmax", "argmin",
         "maximum.reduce", "minimum.reduce", "logical_or.reduce", "nanmax", "nanmin"]
REDUCTIONS = sorted(ACCUMULATING) + EXACT


def _fn(name):
    if "." in name:
        uf, meth = name.split(".")
        return getattr(getattr(numpy, uf), meth)
    return getattr(numpy, name)


def _run(name, x, axis):
    f = _fn(name)
    if name in ("ptp",) and x.dtype == numpy.bool_:
        return None                                  # (NumPy: TypeError for both)
    if name == "count_nonzero" or name.startswith("arg"):
        return f(x, axis=axis if not isinstance(axis, tuple) else axis[0])
    if name in ("cumsum", "cumprod", "nancumsum") and isinstance(axis, tuple):
        axis = axis[0]
    if "accumulate" in name:
        return f(x, axis=axis if axis is not None else 0)
    return f(x, axis=axis)


def _bound(name, a, axis, got, expected):
    """How far from NumPy a float16 result may be: NumPy's own rounding error when it
    adds (or multiplies) in float16, one rounding per element, plus one of ours."""
    u = 2.0 ** -11
    a64 = numpy.abs(a.astype(numpy.float64))
    top = numpy.max(a64) if a.size else 0.0
    ax = axis if axis is not None else tuple(range(a.ndim))
    n = a.size if axis is None else numpy.prod([a.shape[i] for i in numpy.atleast_1d(ax)])
    if name in ("prod", "nanprod", "multiply.reduce", "cumprod"):
        scale = numpy.abs(expected.astype(numpy.float64))
    elif name in ("var", "std"):
        scale = top ** (2 if name == "var" else 1) + 0 * numpy.abs(expected)
    elif name in ("mean", "nanmean", "average"):
        scale = top + 0 * numpy.abs(expected)
    elif name.startswith(("cum", "nancum", "add.acc")):
        ax1 = axis[0] if isinstance(axis, tuple) else axis
        if ax1 is None and name == "add.accumulate":
            ax1 = 0
        scale = numpy.cumsum(a64, axis=ax1)
    else:
        scale = numpy.sum(a64, axis=axis)
    return 2 * (n + 2) * u * scale + 2 * u * numpy.abs(expected.astype(numpy.float64))


def _compare(name, a, axis):
    with warnings.catch_warnings(), numpy.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            expected = _run(name, a, axis)
        except Exception as exc:
            with pytest.raises(type(exc)):
                _run(name, to_ours(a), axis)
            return
        if expected is None:
            return
        got = _run(name, to_ours(a), axis)
    expected = numpy.asarray(expected)
    g = ab.asnumpy(ab.asarray(got))
    assert g.dtype == expected.dtype and g.shape == expected.shape, (g.dtype, expected.dtype)
    if expected.dtype.kind == "f" and expected.dtype.itemsize == 2 and name in ACCUMULATING:
        with numpy.errstate(invalid="ignore"):
            diff = numpy.abs(g.astype(numpy.float64) - expected.astype(numpy.float64))
        bound = _bound(name, a, axis, g, expected)
        diff = numpy.where(numpy.isnan(diff), numpy.inf, diff)
        same_inf = (g == expected) | (numpy.isnan(g) & numpy.isnan(expected))
        assert numpy.all(same_inf | (diff <= bound)), (name, axis, g, expected)
    elif expected.dtype.kind in "fc":
        numpy.testing.assert_allclose(g, expected, rtol=1e-12, equal_nan=True)
    else:
        numpy.testing.assert_array_equal(g, expected)


def _arrays(dtype):
    dt = numpy.dtype(dtype)
    if dt.kind == "b":
        elems = st.booleans()
    elif dt.kind == "f":
        # no value under 0.5 in magnitude but 0: products of nine stay normal numbers
        # (a product in float16's subnormal range has no relative precision to compare)
        elems = st.one_of(st.just(0.0), st.floats(0.5, 8, width=16),
                          st.floats(-8, -0.5, width=16))
    else:
        info = numpy.iinfo(dt)
        elems = st.integers(int(info.min), int(info.max))
    shapes = st.tuples(st.integers(0, 9), st.integers(1, 7))
    return shapes.flatmap(lambda s: st.lists(elems, min_size=s[0] * s[1],
                                             max_size=s[0] * s[1]).map(
        lambda v: numpy.array(v, dtype=dt).reshape(s)))


@pytest.mark.parametrize("dtype", NARROW)
@HYP
@given(data=st.data())
def test_reductions_of_narrow_types(machine, dtype, data):
    a = data.draw(_arrays(dtype))
    axis = data.draw(st.sampled_from([None, 0, 1, -1, (0, 1)]))
    for name in REDUCTIONS:
        _compare(name, a, axis)


@pytest.mark.parametrize("how", ["array", "deferred", "ufunc", "method"])
def test_float16_sum_of_many_tenths(machine, how):
    # NumPy: 409.5 (accumulated in float32); adding in float16 would stop far lower
    x = ab.full(4096, 0.1, dtype=numpy.float16)
    r = {"array": lambda: numpy.sum(x), "deferred": lambda: numpy.sum(x * 1),
         "ufunc": lambda: numpy.add.reduce(x), "method": lambda: x.sum()}[how]()
    want = numpy.full(4096, 0.1, dtype=numpy.float16).sum()
    assert want == 409.5
    check(r, want, rtol=0, atol=0)
    check(numpy.mean(x), numpy.full(4096, 0.1, dtype=numpy.float16).mean(), rtol=0, atol=0)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "bool"])
def test_small_integer_sums_do_not_wrap(machine, dtype):
    a = numpy.full((300, 2), 100 if dtype != "bool" else True, dtype=dtype)
    for f in (numpy.sum, numpy.add.reduce, numpy.cumsum, numpy.prod, numpy.mean):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            check(f(to_ours(a), axis=0), f(a, axis=0))


@pytest.mark.parametrize("values", [[0, 0, 2**40], [2**40, 0, 0], [70000, -70000, 5],
                                    [1, 2, 3], [[70000, 1], [-70000, 2]], [1e5, -1e5, 0.5]])
@pytest.mark.parametrize("name", ["sum", "prod"])
@pytest.mark.parametrize("extra", [{}, {"axis": 0}, {"initial": 1}])
def test_float16_reductions_cast_their_inputs_first(machine, values, name, extra):
    """``np.prod(ints, dtype=np.float16)``: NumPy's float16 loop takes float16 inputs, so
    each value is cast to float16 first (2**40 is inf there: 0 * 0 * inf is nan), then
    accumulated in float32 -- the same answer and warnings on every machine."""
    v = numpy.array(values)
    with warnings.catch_warnings(record=True) as want_w:
        warnings.simplefilter("always")
        want = getattr(numpy, name)(v, dtype=numpy.float16, **extra)
    with ab.enabled(devices=machine.spec), warnings.catch_warnings(record=True) as got_w:
        warnings.simplefilter("always")
        import numpy as np
        got = ab.asnumpy(getattr(np, name)(np.asarray(v), dtype=np.float16, **extra))
    assert got.dtype == want.dtype
    numpy.testing.assert_array_equal(got, want)
    if not machine.devices[0].is_gpu:     # (GPUs report no floating-point errors)
        assert {str(w.message) for w in got_w} == {str(w.message) for w in want_w}
