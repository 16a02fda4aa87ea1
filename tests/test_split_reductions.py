"""Reductions, statistics and sorts of arrays cut over devices (and of views some devices
hold nothing of), edge cases included: ``ddof`` at or past the count, all-NaN slices,
empty axes, the axis checks of 0-d arrays, strided and reversed views."""
from __future__ import annotations

import warnings

import numpy
import pytest

from helpers import same_code

NAN = numpy.nan


def _strided(np):
    return np.arange(9.0).reshape(3, 3)[::2, ::2]


CASES = {
    # ddof at or past the number of elements
    "var-ddof-n": lambda np: np.var(np.arange(3.0), ddof=3),
    "var-ddof-past-n": lambda np: np.var(np.arange(3.0), ddof=4),
    "var-constant-ddof-n": lambda np: np.var(np.ones(3), ddof=3),
    "std-ddof-past-n": lambda np: np.std(np.arange(3.0), ddof=5),
    "var-axis0-ddof": lambda np: np.var(np.arange(6.0).reshape(2, 3), axis=0, ddof=2),
    "var-axis1-ddof": lambda np: np.var(np.arange(6.0).reshape(2, 3), axis=1, ddof=3),
    "var-int-ddof": lambda np: np.var(np.arange(6).reshape(2, 3), axis=0, ddof=2),
    "var-strided-ddof": lambda np: np.var(np.ones((5, 2))[::2], axis=0, ddof=3),
    "std-correction": lambda np: np.std(np.arange(6.0).reshape(3, 2), axis=0, correction=3),
    "nanvar-ddof": lambda np: np.nanvar(np.arange(3.0), ddof=3),
    "nanstd-ddof-axis": lambda np: np.nanstd(np.arange(6.0).reshape(2, 3), axis=0, ddof=2),
    "nanvar-nan-ddof": lambda np: np.nanvar(np.asarray([[NAN, 1.0], [2.0, 3.0]]), axis=0,
                                            ddof=1),
    # all-NaN slices
    "nanmean-all-nan": lambda np: np.nanmean(np.full(5, NAN)),
    "nanmean-all-nan-axis0": lambda np: np.nanmean(np.full((3, 2), NAN), axis=0),
    "nanmean-all-nan-axis1": lambda np: np.nanmean(np.full((3, 2), NAN), axis=1),
    "nanmean-some-nan": lambda np: np.nanmean(np.asarray([[NAN, 1.0], [NAN, 3.0],
                                                          [NAN, NAN]]), axis=0),
    "nanvar-all-nan": lambda np: np.nanvar(np.full((3, 2), NAN), axis=0),
    "nanmedian-all-nan": lambda np: np.nanmedian(np.full((3, 2), NAN), axis=0),
    "nanmax-all-nan": lambda np: np.nanmax(np.full((3, 2), NAN), axis=0),
    "nansum-all-nan": lambda np: np.nansum(np.full((3, 2), NAN), axis=0),
    # empty axes
    "mean-empty-rows": lambda np: np.mean(np.zeros((0, 3)), axis=0),
    "mean-empty-columns": lambda np: np.mean(np.zeros((3, 0)), axis=0),
    "var-empty": lambda np: np.var(np.zeros((0, 3)), axis=0),
    # 0-d arrays: axis 0 and -1 name the array itself where NumPy allows it
    "var-0d-axis0": lambda np: np.var(np.asarray(1.0), axis=0),
    "var-0d-axis-1": lambda np: np.var(np.asarray(1.0), axis=-1),
    "var-0d-axis1": lambda np: np.var(np.asarray(1.0), axis=1),
    "mean-0d-axis0": lambda np: np.mean(np.asarray(1.0), axis=0),
    "std-0d-axis-tuple": lambda np: np.std(np.asarray(1.0), axis=(0,)),
    "sum-0d-axis0": lambda np: np.sum(np.asarray(1.0), axis=0),
    "sum-0d-axis-tuple": lambda np: np.sum(np.asarray(1.0), axis=(0,)),
    "max-0d-axis0": lambda np: np.max(np.asarray(1.0), axis=0),
    "argmax-0d-axis0": lambda np: np.argmax(np.asarray(1.0), axis=0),
    "argmin-0d-axis-1": lambda np: np.argmin(np.asarray(1.0), axis=-1),
    "argmax-0d-axis1": lambda np: np.argmax(np.asarray(1.0), axis=1),
    "cumsum-0d-axis0": lambda np: np.cumsum(np.asarray(1.0), axis=0),
    "cumsum-0d-axis1": lambda np: np.cumsum(np.asarray(1.0), axis=1),
    "cumprod-0d-axis0": lambda np: np.cumprod(np.asarray(2.0), axis=0),
    "sort-0d-axis0": lambda np: np.sort(np.asarray(1.0), axis=0),
    "sort-0d-axis-None": lambda np: np.sort(np.asarray(1.0), axis=None),
    "argsort-0d-axis0": lambda np: np.argsort(np.asarray(1.0), axis=0),
    "median-0d-axis0": lambda np: np.median(np.asarray(1.0), axis=0),
    "percentile-0d-axis0": lambda np: np.percentile(np.asarray(1.0), 50, axis=0),
    "nanmean-0d-axis0": lambda np: np.nanmean(np.asarray(1.0), axis=0),
    "ptp-0d-axis0": lambda np: np.ptp(np.asarray(1.0), axis=0),
    "any-0d-axis0": lambda np: np.any(np.asarray(1.0), axis=0),
    "count_nonzero-0d-axis0": lambda np: np.count_nonzero(np.asarray(1.0), axis=0),
    "average-0d-axis0": lambda np: np.average(np.asarray(1.0), axis=0),
    "diff-0d-axis0": lambda np: np.diff(np.asarray(1.0), axis=0),
    "flip-0d-axis0": lambda np: np.flip(np.asarray(1.0), axis=0),
    # sorts and order statistics of views some devices hold none of
    "sort-diff-1x1": lambda np: np.sort(np.diff(np.ones((1, 2)), axis=1), axis=0),
    "sort-diff-1x2": lambda np: np.sort(np.diff(np.ones((2, 2)), axis=0), axis=0),
    "sort-strided-1x1": lambda np: np.sort(np.ones((3, 3))[::2, ::2][:1, :1], axis=0),
    "argsort-strided-1x1": lambda np: np.argsort(np.ones((3, 3))[::2, ::2][:1, :1], axis=0),
    "median-strided-1x1": lambda np: np.median(np.ones((3, 3))[::2, ::2][:1, :1], axis=0),
    "median-strided": lambda np: np.median(_strided(np), axis=0),
    "median-strided-rows": lambda np: np.median(np.arange(9.0).reshape(3, 3)[1:, ::2], axis=1),
    "sort-reversed": lambda np: np.sort(np.arange(9.0).reshape(3, 3)[::-1, 1:], axis=0),
    "sort-every-third-row": lambda np: np.sort(np.arange(12.0).reshape(4, 3)[::3], axis=0),
    "argsort-one-row": lambda np: np.argsort(np.arange(12.0).reshape(4, 3)[1:2], axis=0),
    "percentile-strided": lambda np: np.percentile(np.arange(12.0).reshape(4, 3)[::2], 30,
                                                   axis=0),
    "quantile-transposed": lambda np: np.quantile(np.arange(12.0).reshape(4, 3).T, 0.3,
                                                  axis=1),
    "sort-column-vector": lambda np: np.sort(np.arange(5.0)[::-1].reshape(5, 1), axis=0),
    "argsort-column-vector": lambda np: np.argsort(np.asarray([3.0, 1.0, 2.0, 1.0])
                                                   .reshape(4, 1), axis=0),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_reductions_of_split_arrays(machine, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        same_code(CASES[case])


@pytest.mark.parametrize("fn, message", [
    (lambda np: np.var(np.arange(3.0), ddof=3), "Degrees of freedom <= 0"),
    (lambda np: np.nanmean(np.full((3, 2), NAN), axis=0), "Mean of empty slice"),
    (lambda np: np.nanvar(np.full((3, 2), NAN), axis=0), "Degrees of freedom <= 0"),
    (lambda np: np.nanmax(np.full((3, 2), NAN), axis=0), "All-NaN slice"),
    (lambda np: np.mean(np.zeros((0, 3)), axis=0), "Mean of empty slice"),
])
def test_reductions_warn_as_numpy(machine, fn, message):
    import arrbackend
    with pytest.warns(RuntimeWarning, match=message):
        fn(numpy)
    with pytest.warns(RuntimeWarning, match=message):
        fn(arrbackend)
