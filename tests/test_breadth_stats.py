"""Order statistics, moments and counting against NumPy on cpu:1 and cpu:3."""
from __future__ import annotations

import warnings

import numpy
import pytest

import arrbackend as ab
from helpers import check, same, to_ours

METHODS = ["linear", "lower", "higher", "nearest", "midpoint", "inverted_cdf",
           "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
           "hazen", "weibull", "median_unbiased", "normal_unbiased"]


def _a(shape, dtype=float, seed=0):
    return numpy.random.default_rng(seed).integers(-20, 20, shape).astype(dtype)


@pytest.mark.parametrize("method", METHODS)
def test_quantile_methods(machine, method):
    a = _a((9, 4)) + 0.25
    same(lambda x: numpy.quantile(x, [0.0, 0.1, 0.5, 0.93, 1.0], axis=0, method=method), a)
    same(lambda x: numpy.quantile(x, 0.3, axis=1, method=method), a)
    same(lambda x: numpy.percentile(x, 37.5, method=method), a)
    an = a.copy()
    an[2, 1] = numpy.nan
    an[:, 3] = numpy.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        same(lambda x: numpy.nanquantile(x, [0.1, 0.5, 0.93], axis=0, method=method), an)
        same(lambda x: numpy.nanpercentile(x, 40, axis=0, method=method), an)


@pytest.mark.parametrize("dtype", ["int16", "float32", "float64", "bool"])
def test_quantile_dtypes_axes(machine, dtype):
    a = _a((6, 5, 3), dtype)
    same(lambda x: numpy.quantile(x, 0.5), a)
    same(lambda x: numpy.quantile(x, [0.25, 0.75], axis=(0, 2), keepdims=True), a)
    same(lambda x: numpy.median(x, axis=(1, 2)), a)
    same(lambda x: numpy.median(x, axis=0, keepdims=True), a)
    same(lambda x: numpy.percentile(x, numpy.array([5.0, 95.0]), axis=-1), a)
    if dtype != "bool":
        same(lambda x: numpy.nanmedian(x, axis=1), a)


@pytest.mark.parametrize("fn", [numpy.quantile, numpy.percentile, numpy.nanquantile,
                                numpy.nanpercentile])
@pytest.mark.parametrize("keepdims", [False, True])
def test_weighted_quantiles(machine, fn, keepdims):
    # weights= runs through the fallback (it says so), with every other argument kept
    a, w = _a((3, 4)), _a((3, 4), seed=1) ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ab.FallbackWarning)     # (warned once per name)
        same(lambda x, y: fn(x, 30 if "perc" in fn.__name__ else 0.3, axis=1, weights=y,
                             keepdims=keepdims, method="inverted_cdf"), a, w)


def test_quantile_nan_and_errors(machine):
    a = numpy.array([[1.0, numpy.nan, 3.0], [4.0, 5.0, 6.0]])
    same(lambda x: numpy.median(x, axis=1), a)
    same(lambda x: numpy.quantile(x, 0.5, axis=1), a)
    same(lambda x: numpy.nanmedian(x, axis=1), a)
    with pytest.warns(RuntimeWarning, match="All-NaN slice"):
        r = numpy.nanmedian(to_ours(numpy.full((2, 3), numpy.nan)), axis=1)
    check(r, numpy.full(2, numpy.nan))
    same(lambda x: numpy.quantile(x, 1.5), a)
    same(lambda x: numpy.percentile(x, -1), a)
    same(lambda x: numpy.quantile(x, 0.5, method="bogus"), a)
    same(lambda x: numpy.quantile(x.astype(complex), 0.5), a)
    out = ab.zeros(3)
    numpy.median(to_ours(a), axis=0, out=out)
    check(out, numpy.median(a, axis=0))


@pytest.mark.parametrize("shape,axis", [((0, 3), 0), ((3, 0), 1), ((4, 3, 0), None),
                                        ((3, 0), 0), ((5, 0, 0), (0, 1)), ((3, 4), (0, 1))])
def test_quantiles_of_empty_arrays(machine, shape, axis):
    # an empty reduced axis is NumPy's IndexError whatever the layout (one split layout
    # used to answer NaN); NaN-skipping versions of an empty array answer as nanmean does
    a = numpy.arange(numpy.prod(shape), dtype=numpy.float32).reshape(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for kw in ({}, {"keepdims": True}):
            same(lambda x: numpy.nanpercentile(x, [10, 50], axis=axis, **kw), a)
            same(lambda x: numpy.nanmedian(x, axis=axis, **kw), a)
            if shape != (5, 0, 0):         # (NumPy fails to reshape its own empty result)
                same(lambda x: numpy.quantile(x, 0.3, axis=axis, **kw), a)


def test_average_of_an_empty_result(machine):
    a = numpy.zeros((5, 0, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # (the mean of an empty slice)
        same(lambda x: numpy.average(x, axis=1), a)      # a mean over nothing: NaN
        same(lambda x: numpy.average(x, axis=2), a)      # an empty result: NumPy's error


def test_average_cov_corrcoef_ptp(machine):
    a = _a((5, 4)) / 3
    w = numpy.arange(1.0, 6.0)
    same(numpy.average, a)
    same(lambda x, y: numpy.average(x, axis=0, weights=y), a, w)
    same(lambda x, y: numpy.average(x, axis=0, weights=y, returned=True), a, w)
    same(lambda x: numpy.average(x, axis=1, returned=True, keepdims=True), a)
    same(lambda x: numpy.average(x, weights=x), a)
    same(lambda x: numpy.average(x, axis=0, weights=numpy.zeros(5)), a)
    same(numpy.cov, a)
    same(lambda x: numpy.cov(x, rowvar=False, bias=True), a)
    same(lambda x: numpy.cov(x[0], x[1], ddof=0), a)
    same(lambda x: numpy.cov(x, fweights=[1, 2, 1, 3], aweights=[0.5, 1.0, 2.0, 1.0]), a)
    same(lambda x: numpy.cov(x.astype(numpy.complex128) * (1 + 1j)), a)
    same(numpy.corrcoef, a)
    same(lambda x: numpy.corrcoef(x[0], x[1]), a)
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
        same(lambda x: numpy.cov(x[:, :1]), a)
    for fn in (numpy.ptp, lambda x: numpy.ptp(x, axis=0), lambda x: numpy.ptp(x, 1, keepdims=True)):
        same(fn, a)
        same(fn, _a((5, 4), numpy.int8))


@pytest.mark.parametrize("bins", [5, [-20, -3, 0, 5.5, 25], "auto", "fd", "sturges", "scott",
                                  "rice", "sqrt", "doane", "stone"])
def test_histogram(machine, bins):
    a = _a((40,)) * 1.5
    same(lambda x: numpy.histogram(x, bins=bins), a)
    if not isinstance(bins, str):
        same(lambda x: numpy.histogram(x, bins=bins, range=(-10, 10), density=True), a)
        same(lambda x: numpy.histogram(x, bins=bins, weights=x * 0.5 + 30), a)


def _flat(r):
    return (r[0],) + tuple(r[1])


def test_histogram_more(machine):
    a = _a((30,))
    with pytest.warns(RuntimeWarning, match="Converting input from bool"):
        same(lambda x: numpy.histogram(x > 0), a)
    same(lambda x: numpy.histogram(x[:0]), a)
    same(lambda x: numpy.histogram(x, bins=0), a)
    same(lambda x: numpy.histogram(x, bins=[3, 1]), a)
    same(lambda x: numpy.histogram(x, bins="bogus"), a)
    same(lambda x: numpy.histogram(x, range=(5, 1)), a)
    b = _a((30, 3), seed=1)
    same(lambda x: _flat(numpy.histogramdd(x, bins=(3, 4, 5))), b)
    same(lambda x: _flat(numpy.histogramdd(x, bins=3, density=True)), b)
    same(lambda x: _flat(numpy.histogramdd(x, bins=[[-20, 0, 20], 2, 3], weights=x[:, 0])), b)
    # a sample cut along its columns (the transpose of an array cut along its rows)
    c = _a((3, 30), seed=2)
    same(lambda y: _flat(numpy.histogramdd(y.T, bins=3)), c)
    same(lambda y: _flat(numpy.histogramdd(y[:2].T, bins=2, weights=y[2])), c)
    same(lambda x: _flat(numpy.histogramdd(x[:, 0], bins=4)), b)
    same(lambda x: numpy.histogram2d(x[:, 0], x[:, 1], bins=4), b)
    same(lambda x: numpy.histogram2d(x[:, 0], x[:, 1], bins=(3, [-20, 0, 5, 20]),
                                     range=None, weights=x[:, 2]), b)


def test_bincount_digitize(machine):
    x = numpy.random.default_rng(2).integers(0, 7, 25)
    same(numpy.bincount, x)
    same(lambda v: numpy.bincount(v, minlength=10), x)
    same(lambda v: numpy.bincount(v, weights=v * 0.5), x)
    same(lambda v: numpy.bincount(v[:0]), x)
    same(lambda v: numpy.bincount(v - 3), x)
    same(lambda v: numpy.bincount(v.astype(float)), x)
    same(lambda v: numpy.bincount(v.reshape(5, 5)), x)
    f = numpy.linspace(-2, 9, 13)
    same(lambda v: numpy.digitize(v, [0, 1, 4, 8]), f)
    same(lambda v: numpy.digitize(v, [8, 4, 1, 0], right=True), f)
    same(lambda v: numpy.digitize(v, [0, 4, 1]), f)
    same(lambda v: numpy.digitize(v.astype(complex), [0, 4]), f)
