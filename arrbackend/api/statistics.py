"""Order statistics and moments: ``median percentile quantile nanmedian nanpercentile
nanquantile average cov corrcoef ptp``.

Quantiles follow NumPy's ``_quantile`` step by step (the thirteen methods, the same
virtual indexes, ``_lerp`` and NaN propagation), with the reduced axes moved to the front
and sorted by the distributed sort instead of partitioned; the order statistics are then
read with the fancy-indexing engine.  The NaN-skipping versions sort once (NaN last),
count the valid values of every line and compute the indexes of every line at once, so
nothing is looped over in Python.  ``weights=`` (``inverted_cdf`` only) runs through the
fallback.  ``average``, ``cov`` and ``corrcoef`` are NumPy's formulas on the engine's
reductions and distributed products.
"""
from __future__ import annotations

import math
import warnings

import numpy

from .registry import implements
from ..distributed.elementwise import assign
from ..distributed.sorting import sort_along
from ..distributed.reductions import normalize_axes
from ._helpers import NoValue, fallback, host, ours, uf
from .manipulation import astype, moveaxis, reshape, ravel, where
from ..distributed.array import ndarray

__all__ = ["median", "percentile", "quantile", "nanmedian", "nanpercentile", "nanquantile",
           "average", "cov", "corrcoef", "ptp"]

# --- NumPy's quantile methods: the virtual index and the gamma correction ---------------


def _gamma_mask(default, conditioned, where_):
    return numpy.where(where_, conditioned, default)


def _discrete(index, cond):
    previous = numpy.floor(index)
    nxt = previous + 1
    gamma = index - previous
    res = numpy.where(cond(gamma, index), previous, nxt).astype(numpy.intp)
    return numpy.maximum(res, 0)


def _cvi(n, q, alpha, beta):
    return n * q + (alpha + q * (1 - alpha - beta)) - 1


METHODS = {
    "inverted_cdf": (lambda n, q: _discrete(n * q - 1, lambda g, _: g == 0), None),
    "averaged_inverted_cdf": (lambda n, q: n * q - 1,
                              lambda g, _: _gamma_mask(1.0, 0.5, g == 0)),
    "closest_observation": (
        lambda n, q: _discrete(n * q - 1 - 0.5,
                               lambda g, i: (g == 0) & (numpy.floor(i) % 2 == 1)), None),
    "interpolated_inverted_cdf": (lambda n, q: _cvi(n, q, 0, 1), lambda g, _: g),
    "hazen": (lambda n, q: _cvi(n, q, 0.5, 0.5), lambda g, _: g),
    "weibull": (lambda n, q: _cvi(n, q, 0, 0), lambda g, _: g),
    "linear": (lambda n, q: (n - 1) * q, lambda g, _: g),
    "median_unbiased": (lambda n, q: _cvi(n, q, 1 / 3.0, 1 / 3.0), lambda g, _: g),
    "normal_unbiased": (lambda n, q: _cvi(n, q, 3 / 8.0, 3 / 8.0), lambda g, _: g),
    "lower": (lambda n, q: numpy.floor((n - 1) * q).astype(numpy.intp), None),
    "higher": (lambda n, q: numpy.ceil((n - 1) * q).astype(numpy.intp), None),
    "midpoint": (lambda n, q: 0.5 * (numpy.floor((n - 1) * q) + numpy.ceil((n - 1) * q)),
                 lambda g, i: _gamma_mask(0.5, 0.0, i % 1 == 0)),
    "nearest": (lambda n, q: numpy.around((n - 1) * q).astype(numpy.intp), None),
}


def _method(method):
    try:
        return METHODS[method]
    except KeyError:
        raise ValueError(f"{method!r} is not a valid method. Use one of: "
                         f"{METHODS.keys()}") from None


def _index_plan(method, n, q):
    """(previous, next, gamma or None) indexes for ``n`` values (an int, or an integer
    array of per-line counts broadcast with ``q``)."""
    get_vi, fix = _method(method)
    vi = get_vi(n, q)
    vi_dtype = vi.dtype
    if fix is None or (method == "linear" and vi_dtype.kind in "iu"):
        return vi, None, None
    prev = numpy.floor(vi)
    nxt = prev + 1
    above = vi >= n - 1
    below = vi < 0
    last = n - 1
    prev = numpy.where(above, last, numpy.where(below, 0, prev)).astype(numpy.intp)
    nxt = numpy.where(above, last, numpy.where(below, 0, nxt)).astype(numpy.intp)
    gamma = fix(vi - prev, vi)
    gamma = gamma.astype(vi_dtype) if hasattr(gamma, "astype") else gamma
    return prev, nxt, gamma


def _lerp(a, b, t):
    diff_b_a = uf("subtract", b, a)
    r = uf("add", a, uf("multiply", diff_b_a, t))
    uf("subtract", b, uf("multiply", diff_b_a, uf("subtract", 1, t)), out=(r,),
       where=uf("greater_equal", t, 0.5), casting="unsafe", dtype=r.dtype)
    return r


# --- reduced axes to the front --------------------------------------------------------

def _front(x, axis, reshaped=False):
    """(array with the reduced axes merged into axis 0, normalized axes or None);
    ``reshaped``: NumPy's error where its own merge (a reshape to the kept axes and -1)
    fails, an empty array with an empty kept axis (``median``, ``quantile``; the NaN
    versions answer an empty array first)."""
    if axis is None:
        return ravel(x), None
    axes = normalize_axes(axis, x.ndim, "quantile") if isinstance(axis, tuple) else \
        normalize_axes((axis,), x.ndim, "quantile")
    keep = [k for k in range(x.ndim) if k not in axes]
    moved = moveaxis(x, list(axes), list(range(len(axes))))
    if len(axes) != 1:
        kept = tuple(x.shape[k] for k in keep)
        if reshaped and x.size == 0 and 0 in kept:
            raise ValueError(f"cannot reshape array of size 0 into shape "
                             f"({','.join(map(str, kept + ('newaxis',)))})")
        n = math.prod(x.shape[k] for k in axes)
        moved = reshape(moved, (n,) + tuple(x.shape[k] for k in keep))   # (-1: ambiguous
        # when a kept axis has length 0)
    return moved, axes


def _keep(r, x, axes, nq):
    """NumPy's ``keepdims`` for a result whose first ``nq`` axes are q's."""
    q_shape = r.shape[:nq]
    if axes is None:
        return reshape(r, q_shape + (1,) * x.ndim)
    shape = tuple(1 if k in axes else n for k, n in enumerate(x.shape))
    return reshape(r, q_shape + shape)


def _finish(r, out):
    if out is None:
        return r
    assign(out, r)
    return out


def _take0(arr, idx):
    from .indexing import take
    if isinstance(idx, numpy.ndarray) and idx.ndim == 0:
        return arr[int(idx)]
    if isinstance(idx, (int, numpy.integer)):
        return arr[int(idx)]
    return take(arr, ours(idx, arr._store.machine), axis=0)


def _quantile(x, q, axis, out, method, keepdims, weak_q, name):
    if x.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    arr, axes = _front(x, axis, name != "nanquantile")
    n = arr.shape[0]
    if n == 0:      # NumPy's error, whatever the layout (NumPy indexes the empty axis)
        raise IndexError(f"{name}: index -1 is out of bounds for axis 0 with size 0")
    arr = sort_along(arr, 0, "stable")[0]
    prev, nxt, gamma = _index_plan(method, n, q)
    if nxt is None:
        r = _take0(arr, prev)
    else:
        a, b = _take0(arr, prev), _take0(arr, nxt)
        if weak_q:
            g = float(gamma)
        else:
            g = gamma.reshape(gamma.shape + (1,) * (arr.ndim - 1))
        r = _lerp(a, b, g)
    if x.dtype.kind in "fc":
        nan_lines = uf("isnan", arr[-1])
        r = where(nan_lines, arr[-1], r) if r.dtype == arr.dtype else \
            where(nan_lines, astype(arr[-1], r.dtype), r)
    if keepdims:
        r = _keep(r, x, axes, q.ndim)
    return _finish(r, out)


def _check_q(q, scale, name):
    weak = type(q) in (int, float)
    qa = numpy.asarray(q.get() if hasattr(q, "get") else
                       (q if not isinstance(q, ndarray) else host(q)))
    if scale != 1:
        qa = numpy.true_divide(qa, scale)
    if not (qa.size == 0 or (qa.min() >= 0 and qa.max() <= 1)):
        raise ValueError("Percentiles must be in the range [0, 100]" if scale == 100 else
                         "Quantiles must be in the range [0, 1]")
    if qa.ndim > 2:
        raise ValueError("q must be a scalar or 1d")
    return qa, weak


def _weighted(func, a, q, axis, out, method, keepdims, weights):
    """The weighted quantiles (method 'inverted_cdf'), through the fallback."""
    kw = dict(axis=axis, out=out, method=method, weights=weights)
    if keepdims is not NoValue:
        kw["keepdims"] = keepdims
    return fallback(func, (a, q), kw, "weights=")


@implements(numpy.quantile, local=True,
            note="weights= (method 'inverted_cdf') runs through the fallback")
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None):
    """Same as ``numpy.quantile`` (every method); the reduced axes are sorted by the
    distributed sort."""
    if weights is not None:
        return _weighted(numpy.quantile, a, q, axis, out, method, keepdims, weights)
    qa, weak = _check_q(q, 1, "quantile")
    return _quantile(ours(a), qa, axis, out, method, keepdims, weak, "quantile")


@implements(numpy.percentile, local=True,
            note="weights= (method 'inverted_cdf') runs through the fallback")
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None):
    """Same as ``numpy.percentile``."""
    if weights is not None:
        return _weighted(numpy.percentile, a, q, axis, out, method, keepdims, weights)
    x = ours(a)
    if x.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    qa, weak = _check_q(q, 100, "percentile")
    return _quantile(x, qa, axis, out, method, keepdims, weak, "percentile")


@implements(numpy.median, local=True)
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """Same as ``numpy.median``: the mean of the middle one or two sorted values."""
    from .reductions import mean
    x = ours(a)
    arr, axes = _front(x, axis, True)
    n = arr.shape[0]
    if n == 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            r = mean(arr, axis=0)
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=2)
    else:
        arr = sort_along(arr, 0, "stable")[0]
        h = n // 2
        r = mean(arr[h:h + 1] if n % 2 else arr[h - 1:h + 1], axis=0)
        if x.dtype.kind in "fc":
            last = arr[-1]
            nan_lines = uf("isnan", last)
            r = where(nan_lines, astype(last, r.dtype), r)
    if keepdims:
        r = _keep(r, x, axes, 0)
    if out is not None and out.shape != r.shape:   # (NumPy's median checks; its quantiles
        raise ValueError(f"median: output has shape {out.shape}, the result {r.shape}")
    return _finish(r, out)                          # broadcast into out=)


# --- NaN-skipping versions ----------------------------------------------------------------

def _valid_counts(arr):
    from ..distributed import reductions as R
    return R.reduce(uf("logical_not", uf("isnan", arr)), "sum", axis=0, dtype=numpy.intp)


def _all_nan_warn(cnt):
    from .reductions import any as any_
    empty = uf("equal", cnt, 0)
    if cnt.size and bool(any_(empty)):
        warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=4)
    return empty


def _take_lines(arr, idx):
    """``arr[idx[..., j], j]`` for per-line indexes ``idx`` of shape ``q + lines``."""
    from .indexing import take_along_axis
    nq = idx.ndim - (arr.ndim - 1)
    if nq == 0:
        return take_along_axis(arr, idx[None], 0)[0]
    lines = arr.shape[1:]
    nqs = math.prod(idx.shape[:nq])
    flat_q = reshape(idx, (nqs,) + lines)        # (not -1: lines may hold no element)
    r = take_along_axis(arr, flat_q, 0)
    return reshape(r, idx.shape)


def _nanquantile(x, q, axis, out, method, keepdims, weak_q):
    if x.size == 0:        # NumPy answers an empty array with nanmean (q's axes dropped)
        from .reductions import nanmean
        return nanmean(x, axis=axis, out=out, keepdims=keepdims)
    if x.dtype.kind not in "fc":
        return _quantile(x, q, axis, out, method, keepdims, weak_q, "nanquantile")
    if x.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    arr, axes = _front(x, axis)
    arr = sort_along(arr, 0, "stable")[0]
    cnt = _valid_counts(arr)
    empty = _all_nan_warn(cnt)
    qq = q.reshape(q.shape + (1,) * (arr.ndim - 1))
    n = uf("maximum", cnt, 1)
    prev, nxt, gamma = _index_plan(method, n, ours(qq, x._store.machine)
                                   if q.ndim else float(q))
    if prev.ndim < q.ndim + arr.ndim - 1:
        from .manipulation import broadcast_to
        prev = broadcast_to(prev, q.shape + arr.shape[1:])
    if nxt is None:
        r = _take_lines(arr, prev)
    else:
        a = _take_lines(arr, prev)
        from .manipulation import broadcast_to
        b = _take_lines(arr, broadcast_to(nxt, prev.shape))
        g = gamma
        if weak_q:
            g = astype(g, arr.dtype)
        r = _lerp(a, b, g)
    r = where(empty, numpy.nan, r)
    if keepdims:
        r = _keep(r, x, axes, q.ndim)
    return _finish(r, out)


@implements(numpy.nanquantile, local=True,
            note="weights= (method 'inverted_cdf') runs through the fallback")
def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=NoValue, *, weights=None):
    """Same as ``numpy.nanquantile``."""
    if weights is not None:
        return _weighted(numpy.nanquantile, a, q, axis, out, method, keepdims, weights)
    qa, weak = _check_q(q, 1, "nanquantile")
    return _nanquantile(ours(a), qa, axis, out, method,
                        False if keepdims is NoValue else keepdims, weak)


@implements(numpy.nanpercentile, local=True,
            note="weights= (method 'inverted_cdf') runs through the fallback")
def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=NoValue, *, weights=None):
    """Same as ``numpy.nanpercentile``."""
    if weights is not None:
        return _weighted(numpy.nanpercentile, a, q, axis, out, method, keepdims, weights)
    x = ours(a)
    if x.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    qa, weak = _check_q(q, 100, "nanpercentile")
    return _nanquantile(x, qa, axis, out, method,
                        False if keepdims is NoValue else keepdims, weak)


@implements(numpy.nanmedian, local=True)
def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=NoValue):
    """Same as ``numpy.nanmedian``: the median of the non-NaN values of every line."""
    from .reductions import mean
    from .manipulation import concatenate
    x = ours(a)
    keepdims = False if keepdims is NoValue else keepdims
    if x.size == 0:        # NumPy answers an empty array with nanmean
        from .reductions import nanmean
        return nanmean(x, axis=axis, out=out, keepdims=keepdims)
    if x.dtype.kind not in "fc":
        return median(x, axis=axis, out=out, keepdims=keepdims)
    arr, axes = _front(x, axis)
    arr = sort_along(arr, 0, "stable")[0]
    cnt = _valid_counts(arr)
    empty = _all_nan_warn(cnt)
    n = uf("maximum", cnt, 1)
    lo = uf("floor_divide", uf("subtract", n, 1), 2)
    hi = uf("floor_divide", n, 2)
    va, vb = _take_lines(arr, lo), _take_lines(arr, hi)
    both = concatenate([va[None], vb[None]])
    with numpy.errstate(all="ignore"):
        r = where(uf("equal", lo, hi), va, mean(both, axis=0))
    r = where(empty, numpy.nan, r)
    if keepdims:
        r = _keep(r, x, axes, 0)
    return _finish(r, out)


# --- moments ------------------------------------------------------------------------------

def _weights_valid(w, x, axis):
    if x.shape != w.shape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        if w.shape != tuple(x.shape[ax] for ax in axis):
            raise ValueError("Shape of weights must be consistent with shape of a along "
                             "specified axis.")
        from .manipulation import transpose
        w = transpose(w, numpy.argsort(axis).tolist())
        w = reshape(w, tuple(s if ax in axis else 1 for ax, s in enumerate(x.shape)))
    return w


@implements(numpy.average, local=True)
def average(a, axis=None, weights=None, returned=False, *, keepdims=NoValue):
    """Same as ``numpy.average``."""
    from .reductions import mean, sum as sum_, any as any_
    from .manipulation import broadcast_to
    x = ours(a)
    if axis is not None:
        axis = normalize_axes(axis, x.ndim, "average") if isinstance(axis, tuple) else \
            normalize_axes((axis,), x.ndim, "average")
        axis = tuple(axis)
    kd = {} if keepdims is NoValue else {"keepdims": keepdims}
    if weights is None:
        avg = mean(x, axis, **kd)
        if avg.size == 0:       # NumPy divides x.size by the result's size: 0
            raise ZeroDivisionError("average: division by zero (the result is empty)")
        scl = numpy.asarray(x.size / avg.size, dtype=avg.dtype)[()]
        scl_arr = None
    else:
        w = _weights_valid(ours(weights, x._store.machine), x, axis)
        if x.dtype.kind in "iub":
            rdt = numpy.result_type(x.dtype, w.dtype, "f8")
        else:
            rdt = numpy.result_type(x.dtype, w.dtype)
        scl_arr = sum_(w, axis=axis, dtype=rdt, **kd) if w.shape == x.shape or axis is None \
            else sum_(broadcast_to(w, x.shape), axis=axis, dtype=rdt, **kd)
        if bool(any_(uf("equal", scl_arr, 0.0))):
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        avg = uf("true_divide", sum_(uf("multiply", x, w, dtype=rdt), axis, **kd), scl_arr)
    if returned:
        if scl_arr is None:
            from .creation import full
            scl_arr = full(avg.shape, scl, dtype=avg.dtype, device=x._store.machine)
        elif scl_arr.shape != avg.shape:
            scl_arr = broadcast_to(scl_arr, avg.shape).copy()
        return avg, scl_arr
    return avg


@implements(numpy.cov, local=True)
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """Same as ``numpy.cov`` (the centred product is a distributed matmul)."""
    from .creation import array as np_array
    from .manipulation import concatenate, transpose, squeeze
    from .linalg import dot
    from .reductions import all as all_, any as any_, sum as sum_
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    mm = ours(m)
    mach = mm._store.machine
    if mm.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    yy = None
    if y is not None:
        yy = ours(y, mach)
        if yy.ndim > 2:
            raise ValueError("y has more than 2 dimensions")
    if dtype is None:
        dtype = numpy.result_type(mm.dtype, numpy.float64) if yy is None else \
            numpy.result_type(mm.dtype, yy.dtype, numpy.float64)
    X = np_array(mm, ndmin=2, dtype=dtype)
    if not rowvar and mm.ndim != 1:
        X = transpose(X)
    if X.shape[0] == 0:
        from .creation import empty
        return empty((0, 0), device=mach)
    if yy is not None:
        yy = np_array(yy, ndmin=2, dtype=dtype)
        if not rowvar and yy.shape[0] != 1:
            yy = transpose(yy)
        X = concatenate((X, yy), axis=0)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    w = None
    if fweights is not None:
        fw = ours(fweights, mach, dtype=float)
        if not bool(all_(uf("equal", fw, uf("rint", fw)))):
            raise TypeError("fweights must be integer")
        if fw.ndim > 1:
            raise RuntimeError("cannot handle multidimensional fweights")
        if fw.shape[0] != X.shape[1]:
            raise RuntimeError("incompatible numbers of samples and fweights")
        if bool(any_(uf("less", fw, 0))):
            raise ValueError("fweights cannot be negative")
        w = fw
    aw = None
    if aweights is not None:
        aw = ours(aweights, mach, dtype=float)
        if aw.ndim > 1:
            raise RuntimeError("cannot handle multidimensional aweights")
        if aw.shape[0] != X.shape[1]:
            raise RuntimeError("incompatible numbers of samples and aweights")
        if bool(any_(uf("less", aw, 0))):
            raise ValueError("aweights cannot be negative")
        w = aw if w is None else uf("multiply", w, aw)
    avg, w_sum = average(X, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if w is None:
        fact = X.shape[1] - ddof
    elif ddof == 0:
        fact = w_sum
    elif aw is None:
        fact = uf("subtract", w_sum, ddof)
    else:
        fact = uf("subtract", w_sum, uf("true_divide", uf("multiply", ddof, sum_(
            uf("multiply", w, aw))), w_sum))
    if float(fact) <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        fact = 0.0
    X = uf("subtract", X, avg[:, None])
    X_T = transpose(X) if w is None else transpose(uf("multiply", X, w))
    c = dot(X, uf("conjugate", X_T))
    with numpy.errstate(divide="ignore", invalid="ignore"):
        c = uf("multiply", c, uf("true_divide", 1, fact))
    return squeeze(c)


@implements(numpy.corrcoef, local=True)
def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """Same as ``numpy.corrcoef``."""
    from .indexing import diag
    from .manipulation import clip, real, imag
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim != 2:
        with numpy.errstate(divide="ignore", invalid="ignore"):
            return uf("true_divide", c, c)
    d = diag(c)
    stddev = uf("sqrt", real(d))
    with numpy.errstate(divide="ignore", invalid="ignore"):
        c = uf("true_divide", c, stddev[:, None])
        c = uf("true_divide", c, stddev[None, :])
    if c.dtype.kind == "c":
        re = clip(real(c), -1, 1)
        im = clip(imag(c), -1, 1)
        return uf("add", re, uf("multiply", im, 1j)).astype(c.dtype)
    return clip(c, -1, 1)


@implements(numpy.ptp, local=True)
def ptp(a, axis=None, out=None, keepdims=NoValue):
    """Same as ``numpy.ptp``: ``max - min`` (wrapping for integers, as NumPy)."""
    from .reductions import max as max_, min as min_
    x = ours(a)
    kd = False if keepdims is NoValue else keepdims
    # NumPy's steps: the maximum into out=, minus the minimum (its casting check)
    hi = max_(x, axis=axis, out=out, keepdims=kd)
    lo = min_(x, axis=axis, keepdims=kd)
    return uf("subtract", hi, lo) if out is None else uf("subtract", hi, lo, out=out)
