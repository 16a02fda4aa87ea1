"""Reductions and statistics: ``sum prod min max amin amax mean var std argmin argmax any
all count_nonzero`` and ``nansum nanprod nanmin nanmax nanmean nanvar nanstd nanargmin
nanargmax``.

``sum``-like reductions run on the reduction engine.  ``mean``/``var``/``std`` and the
NaN-skipping statistics follow NumPy's own formulas step by step (``numpy/_core/_methods.py``
and ``numpy/lib/_nanfunctions_impl.py``: the same accumulation dtypes, the same division by
an ``intp`` count, the same warnings), composed from the engine's reductions and
elementwise operations, so they are distributed wherever those are.
"""
from __future__ import annotations

import builtins
import warnings

import numpy

from .registry import implements
from ..distributed import reductions as engine
from .manipulation import _ours as _conv
from .ufuncs import ufunc_call
from ..distributed.array import ndarray
from ..kernels import cpu_sum

_NoValue = numpy._NoValue

__all__ = ["sum", "prod", "max", "min", "mean", "var", "std", "argmax", "argmin", "any",
           "all", "count_nonzero"]


def _ours(a):
    return a if type(a) is ndarray else _conv(a, "reduction")


def _opt(v, default):
    return default if v is _NoValue else v


def _reduce(kind, a, axis, dtype, out, keepdims, initial, where, name):
    return engine.reduce(_ours(a), kind, axis=axis, dtype=dtype, keepdims=_opt(keepdims, False),
                         initial=initial, where=_opt(where, True), out=out, name=name)


@implements(numpy.sum, local=True)
def sum(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
        where=_NoValue):
    """Same as ``numpy.sum``; across devices, per-device sums combined in row order."""
    return _reduce("sum", a, axis, dtype, out, keepdims, initial, where, "sum")


@implements(numpy.prod, local=True)
def prod(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
         where=_NoValue):
    """Same as ``numpy.prod``."""
    return _reduce("prod", a, axis, dtype, out, keepdims, initial, where, "prod")


@implements(numpy.max, numpy.amax, local=True)
def max(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    """Same as ``numpy.max`` (NaN propagates)."""
    return _reduce("max", a, axis, None, out, keepdims, initial, where, "max")


@implements(numpy.min, numpy.amin, local=True)
def min(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    """Same as ``numpy.min`` (NaN propagates)."""
    return _reduce("min", a, axis, None, out, keepdims, initial, where, "min")


@implements(numpy.any, local=True)
def any(a, axis=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    """Same as ``numpy.any``."""
    return _reduce("any", a, axis, None, out, keepdims, _NoValue, where, "any")


@implements(numpy.all, local=True)
def all(a, axis=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    """Same as ``numpy.all``."""
    return _reduce("all", a, axis, None, out, keepdims, _NoValue, where, "all")


@implements(numpy.argmax, local=True)
def argmax(a, axis=None, out=None, *, keepdims=_NoValue):
    """Same as ``numpy.argmax``: the first index of the maximum (NaN counts as maximal)."""
    return engine.arg_reduce(_ours(a), "max", axis, _opt(keepdims, False), out)


@implements(numpy.argmin, local=True)
def argmin(a, axis=None, out=None, *, keepdims=_NoValue):
    """Same as ``numpy.argmin``."""
    return engine.arg_reduce(_ours(a), "min", axis, _opt(keepdims, False), out)


@implements(numpy.count_nonzero)
def count_nonzero(a, axis=None, *, keepdims=False):
    """Same as ``numpy.count_nonzero`` (a 0-d array where NumPy returns an int)."""
    x = _ours(a)
    nz = x if x.dtype == numpy.bool_ else ufunc_call(numpy.not_equal, (x, 0), {})
    return engine.reduce(nz, "sum", axis=axis, dtype=numpy.intp, keepdims=keepdims,
                         name="count_nonzero")


# ---------------------------------------------------------------------------------------
# mean / var / std, as numpy/_core/_methods.py computes them

def _stat_axes(axis, ndim: int, name: str, where=True) -> tuple:
    """The axes of ``mean``/``var``/``std``: as reductions take them, except for a 0-d
    array, whose axis= NumPy judges itself, with or without ``where=`` (NumPy 2.4 raises
    AxisError without it, where ``sum`` of a 0-d array takes axis 0; NumPy 2.5 raises it
    with one): asked of a 0-d stand-in and a stand-in mask of the same shape."""
    if ndim == 0 and axis is not None and axis != ():
        w = True if where is True else numpy.ones(numpy.shape(where), bool)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with numpy.errstate(all="ignore"):
                getattr(numpy, name)(numpy.zeros(()), axis=axis, where=w)  # (NumPy's error)
        return ()
    return engine.normalize_axes(axis, ndim, name)


def _count(x, axes, keepdims, where):
    """NumPy's ``_count_reduce_items``: an ``intp`` scalar, or an array with a mask."""
    if where is True:
        n = 1
        for ax in axes:
            n *= x.shape[ax]
        return numpy.intp(n)
    from .manipulation import broadcast_to
    from ._helpers import ours
    w = broadcast_to(ours(where, x._store.machine), x.shape)    # (as it is, as NumPy)
    return engine.reduce(w, "sum", axis=axes, dtype=numpy.intp, keepdims=keepdims)


def _is_zero_count(rcount, ddof=0) -> bool:
    if isinstance(rcount, numpy.integer):
        return ddof >= rcount
    return bool(any(ufunc_call(numpy.less_equal, (rcount, ddof), {})))


def _divide_inplace(ret, rcount):
    with numpy.errstate(invalid="ignore", divide="ignore"):
        return ufunc_call(numpy.true_divide, (ret, rcount), {"out": (ret,), "casting": "unsafe"})


def _mean_local(a, axis=None, dtype=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    """``numpy.mean`` of a NumPy array; the whole mean of a boolean array, or of a float32/
    float64 array larger than the caches, sums as ``np.sum`` does on one CPU device
    (``kernels.cpu_sum``: NumPy's value), then divides as NumPy's ``_mean`` does."""
    if axis is None and dtype is None and out is None and keepdims is _NoValue and \
            where is _NoValue and type(a) is numpy.ndarray and a.size:
        if a.dtype == numpy.bool_:      # (NumPy's float64 sum of booleans: the count)
            return numpy.float64(numpy.count_nonzero(a)) / numpy.intp(a.size)
        if a.dtype.char in "fd" and a.nbytes > cpu_sum.TREE_SUM_MIN:
            s = cpu_sum.whole_sum(a)
            return s.dtype.type(s / numpy.intp(a.size))
    return numpy.mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where)


@implements(numpy.mean, local=_mean_local)
def mean(a, axis=None, dtype=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    """Same as ``numpy.mean`` (integers accumulate in float64, float16 in float32)."""
    x = _ours(a)
    keepdims, where = _opt(keepdims, False), _opt(where, True)
    axes = _stat_axes(axis, x.ndim, "mean", where)
    rcount = _count(x, axes, keepdims, where)
    if _is_zero_count(rcount, 0):
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=2)
    f16 = False
    if dtype is None:
        if x.dtype.kind in "iub":
            dtype = numpy.dtype("f8")
        elif x.dtype == numpy.float16:
            dtype, f16 = numpy.dtype("f4"), True
    # (into out=: the sum is cast into it, then divided there, as NumPy does)
    ret = engine.reduce(x, "sum", axis=axes, dtype=dtype, keepdims=keepdims, where=where,
                        out=out, name="mean")
    ret = _divide_inplace(ret, rcount)
    if f16 and out is None:
        from .manipulation import astype
        ret = astype(ret, x.dtype)
    return ret


def _var_core(x, axes, dtype, ddof, keepdims, where, mean_arg, name, out=None):
    rcount = _count(x, axes, keepdims, where)
    if _is_zero_count(rcount, ddof):
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=3)
    if dtype is None and x.dtype.kind in "iub":
        dtype = numpy.dtype("f8")
    if mean_arg is not None:
        arrmean = mean_arg
    else:
        arrmean = engine.reduce(x, "sum", axis=axes, dtype=dtype, keepdims=True, where=where,
                                name=name)
        div = rcount
        if not isinstance(rcount, numpy.integer):
            div = rcount.reshape(arrmean.shape)
        arrmean = _divide_inplace(arrmean, div)
    dev = ufunc_call(numpy.subtract, (x, arrmean), {})
    if x.dtype.kind in "fiu":
        sq = ufunc_call(numpy.multiply, (dev, dev), {"out": (dev,)})
    elif x.dtype.kind == "c":
        from .manipulation import real, imag
        re, im = real(dev), imag(dev)
        sq = ufunc_call(numpy.add, (ufunc_call(numpy.multiply, (re, re), {}),
                                    ufunc_call(numpy.multiply, (im, im), {})), {})
    else:
        sq = ufunc_call(numpy.multiply, (dev, ufunc_call(numpy.conjugate, (dev,), {})), {})
        from .manipulation import real
        sq = real(sq)
    ret = engine.reduce(sq, "sum", axis=axes, dtype=dtype, keepdims=keepdims, where=where,
                        out=out, name=name)
    if isinstance(rcount, numpy.integer):
        rc = numpy.intp(builtins.max(rcount - ddof, 0))
    else:
        rc = ufunc_call(numpy.maximum, (ufunc_call(numpy.subtract, (rcount, ddof), {}), 0), {})
    return _divide_inplace(ret, rc)


def _ddof(ddof, correction, name):
    if correction is not _NoValue:
        if ddof != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        return correction
    return ddof


@implements(numpy.var, local=True)
def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    """Same as ``numpy.var`` (two passes: the mean, then the squared deviations)."""
    x = _ours(a)
    axes = _stat_axes(axis, x.ndim, "var", _opt(where, True))
    return _var_core(x, axes, dtype, _ddof(ddof, correction, "var"), _opt(keepdims, False),
                     _opt(where, True), None if mean is _NoValue else mean, "var", out)


@implements(numpy.std, local=True)
def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    """Same as ``numpy.std``: the square root of ``var``."""
    x = _ours(a)
    axes = _stat_axes(axis, x.ndim, "std", _opt(where, True))
    r = _var_core(x, axes, dtype, _ddof(ddof, correction, "std"), _opt(keepdims, False),
                  _opt(where, True), None if mean is _NoValue else mean, "std", out)
    if out is None and r.ndim == 0 and r.dtype.kind not in "fc":
        # (NumPy's scalar: ret.dtype.type(sqrt(ret)), the root computed in floats, then cast)
        return ufunc_call(numpy.sqrt, (r,), {}).astype(r.dtype)
    return ufunc_call(numpy.sqrt, (r,), {"out": (r,)})


# ---------------------------------------------------------------------------------------
# NaN-skipping versions, as numpy/lib/_nanfunctions_impl.py computes them

def _replace_nan(x, val):
    """(copy with NaN replaced by ``val``, NaN mask) for inexact dtypes, else (x, None)."""
    if x.dtype.kind not in "fc":
        return x, None
    mask = ufunc_call(numpy.isnan, (x,), {})
    from .manipulation import where
    return where(mask, val, x), mask


@implements(numpy.nansum, local=True)
def nansum(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
           where=_NoValue):
    """Same as ``numpy.nansum``: NaN counts as zero."""
    x, _ = _replace_nan(_ours(a), 0)
    return _reduce("sum", x, axis, dtype, out, keepdims, initial, where, "nansum")


@implements(numpy.nanprod, local=True)
def nanprod(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
            where=_NoValue):
    """Same as ``numpy.nanprod``: NaN counts as one."""
    x, _ = _replace_nan(_ours(a), 1)
    return _reduce("prod", x, axis, dtype, out, keepdims, initial, where, "nanprod")


def _nan_extreme(kind, a, axis, out, keepdims, initial, where):
    x = _ours(a)
    if x.dtype.kind not in "fc":
        return _reduce(kind, x, axis, None, out, keepdims, initial, where, f"nan{kind}")
    r = _reduce(f"nan{kind}", x, axis, None, out, keepdims, initial, where, f"nan{kind}")
    if bool(any(ufunc_call(numpy.isnan, (r,), {}))):
        warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=3)
    return r


@implements(numpy.nanmax, local=True)
def nanmax(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    """Same as ``numpy.nanmax``: NaN ignored; an all-NaN slice gives NaN and a warning."""
    return _nan_extreme("max", a, axis, out, keepdims, initial, where)


@implements(numpy.nanmin, local=True)
def nanmin(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
    """Same as ``numpy.nanmin``."""
    return _nan_extreme("min", a, axis, out, keepdims, initial, where)


def _nan_arg(kind, a, axis, out, keepdims):
    x = _ours(a)
    fill = -numpy.inf if kind == "max" else numpy.inf
    x2, mask = _replace_nan(x, fill)
    if mask is not None and mask.size:
        allnan = engine.reduce(mask, "all", axis=axis)
        if bool(any(allnan)):
            raise ValueError("All-NaN slice encountered")
    return engine.arg_reduce(x2, kind, axis, _opt(keepdims, False), out)


@implements(numpy.nanargmax, local=True)
def nanargmax(a, axis=None, out=None, *, keepdims=_NoValue):
    """Same as ``numpy.nanargmax`` (ValueError for an all-NaN slice)."""
    return _nan_arg("max", a, axis, out, keepdims)


@implements(numpy.nanargmin, local=True)
def nanargmin(a, axis=None, out=None, *, keepdims=_NoValue):
    """Same as ``numpy.nanargmin``."""
    return _nan_arg("min", a, axis, out, keepdims)


@implements(numpy.nanmean, local=True)
def nanmean(a, axis=None, dtype=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    """Same as ``numpy.nanmean``: the mean of the non-NaN elements."""
    x = _ours(a)
    arr, mask = _replace_nan(x, 0)
    if mask is None:
        return mean(x, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where)
    _inexact_only(dtype, out)
    keepdims, where = _opt(keepdims, False), _opt(where, True)
    notnan = ufunc_call(numpy.logical_not, (mask,), {})
    cnt = engine.reduce(notnan, "sum", axis=axis, dtype=numpy.intp, keepdims=keepdims,
                        where=where)
    tot = engine.reduce(arr, "sum", axis=axis, dtype=dtype, keepdims=keepdims, where=where,
                        out=out)
    avg = _divide_inplace(tot, cnt)
    if bool(any(ufunc_call(numpy.equal, (cnt, 0), {}))):
        warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=2)
    return avg


def _inexact_only(dtype, out) -> None:
    """NumPy's checks of the NaN-skipping statistics of inexact data."""
    if dtype is not None and numpy.dtype(dtype).kind not in "fc":
        raise TypeError("If a is inexact, then dtype must be inexact")
    if out is not None and out.dtype.kind not in "fc":
        raise TypeError("If a is inexact, then out must be inexact")


def _nanvar_core(a, axis, dtype, ddof, keepdims, where, name, out=None):
    x = _ours(a)
    arr, mask = _replace_nan(x, 0)
    if mask is None:
        axes = engine.normalize_axes(axis, x.ndim, name)
        return _var_core(x, axes, dtype, ddof, keepdims, where, None, name, out)
    _inexact_only(dtype, out)
    notnan = ufunc_call(numpy.logical_not, (mask,), {})
    cnt = engine.reduce(notnan, "sum", axis=axis, dtype=numpy.intp, keepdims=True,
                        where=where)
    avg = engine.reduce(arr, "sum", axis=axis, dtype=dtype, keepdims=True, where=where)
    avg = _divide_inplace(avg, cnt)
    from .manipulation import where as np_where
    dev = ufunc_call(numpy.subtract, (arr, avg), {})
    dev = np_where(mask, 0, dev)
    if x.dtype.kind == "c":
        from .manipulation import real, imag
        re, im = real(dev), imag(dev)
        sqr = ufunc_call(numpy.add, (ufunc_call(numpy.multiply, (re, re), {}),
                                     ufunc_call(numpy.multiply, (im, im), {})), {})
    else:
        sqr = ufunc_call(numpy.multiply, (dev, dev), {})
    var_ = engine.reduce(sqr, "sum", axis=axis, dtype=dtype, keepdims=keepdims, where=where,
                         out=out)
    if not keepdims:
        axes = engine.normalize_axes(axis, x.ndim, name)
        from .manipulation import squeeze
        cnt = squeeze(cnt, axis=axes)
    dof = ufunc_call(numpy.subtract, (cnt, ddof), {})
    isbad = ufunc_call(numpy.less_equal, (dof, 0), {})
    var_ = _divide_inplace(var_, dof)
    if bool(any(isbad)):
        warnings.warn("Degrees of freedom <= 0 for slice.", RuntimeWarning, stacklevel=3)
        from .attributes import copyto
        copyto(var_, numpy.nan, where=isbad)
    return var_


@implements(numpy.nanvar, local=True)
def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
           mean=_NoValue, correction=_NoValue):
    """Same as ``numpy.nanvar``."""
    return _nanvar_core(a, axis, dtype, _ddof(ddof, correction, "nanvar"),
                        _opt(keepdims, False), _opt(where, True), "nanvar", out)


@implements(numpy.nanstd, local=True)
def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
           mean=_NoValue, correction=_NoValue):
    """Same as ``numpy.nanstd``."""
    r = _nanvar_core(a, axis, dtype, _ddof(ddof, correction, "nanstd"), _opt(keepdims, False),
                     _opt(where, True), "nanstd", out)
    return ufunc_call(numpy.sqrt, (r,), {"out": (r,)})
