"""Cumulative operations and differences: ``cumsum cumprod cumulative_sum
cumulative_prod nancumsum nancumprod diff ediff1d trapezoid``.

Scans run on ``arrbackend.distributed.scan`` (a local scan on each device, then an
exclusive scan of the per-device totals applied as an offset: only one line per device
moves).  ``diff`` and ``trapezoid`` are shifted views combined elementwise, so a split
axis needs only the halo row that localization brings.
"""
from __future__ import annotations

import operator

import numpy

from .registry import implements
from ..distributed.elementwise import assign, check_writable
from ..distributed.scan import scan
from ..distributed.view import normalize_axis
from ._helpers import NoValue, ours, uf

__all__ = ["cumsum", "cumprod", "cumulative_sum", "cumulative_prod", "nancumsum",
           "nancumprod", "diff", "ediff1d", "trapezoid"]


def _into(out, r, check=None, itself=False):
    """``r``, or written into ``out`` (NumPy's message for a wrong size).  ``check``:
    NumPy's call on stand-ins of the operands, for an empty ``out`` of another shape, or
    the scanned array itself as its ``out`` (``itself``) of another shape (NumPy accepts
    some: a (3, 0) array scanned whole into itself, three elements scanned into an empty
    ``out``, which it leaves as it is, a (3, 1) array scanned whole into itself, its
    elements in order)."""
    if out is None:
        return r
    if out.shape != r.shape:
        if check is not None and (out.size == 0 or itself and out.size == r.size):
            check(numpy.zeros(out.shape, out.dtype))     # (NumPy's error, if any)
            check_writable(out)
            if out.size:
                from .manipulation import reshape
                assign(out, reshape(r, out.shape))
            return out
        raise ValueError("provided out is the wrong size for the accumulation.")
    assign(out, r)
    return out


def _scan(kind, a, axis, dtype, out, name):
    from .manipulation import ravel
    x = ours(a)
    if axis is None or x.ndim == 0:     # (NumPy scans a 0-d array as a 1-d one)
        x = ravel(x)
        ax = 0 if axis is None else normalize_axis(axis, 1)
    else:
        ax = normalize_axis(axis, x.ndim)
    f = numpy.cumsum if kind == "add" else numpy.cumprod
    rdt = f(numpy.zeros(1, x.dtype), dtype=dtype).dtype
    r = scan(x, ax, kind, rdt)
    shape = numpy.shape(a)
    itself = out is a

    def check(o):               # (the scanned array is its own out: one stand-in for both)
        src = o if itself else numpy.broadcast_to(numpy.zeros((), x.dtype), shape)
        f(src, axis=axis, dtype=dtype, out=o)
    return _into(out, r, check, itself)


@implements(numpy.cumsum, local=True)
def cumsum(a, axis=None, dtype=None, out=None):
    """Same as ``numpy.cumsum`` (distributed prefix sum; float sums grouped by device)."""
    return _scan("add", a, axis, dtype, out, "cumsum")


@implements(numpy.cumprod, local=True)
def cumprod(a, axis=None, dtype=None, out=None):
    """Same as ``numpy.cumprod``."""
    return _scan("multiply", a, axis, dtype, out, "cumprod")


def _cumulative(kind, x, axis, dtype, out, include_initial, name):
    from .manipulation import concatenate, reshape
    from .creation import full
    x = ours(x)
    if x.ndim == 0:
        x = reshape(x, (1,))
    if axis is None:
        if x.ndim > 1:
            raise ValueError("For arrays which have more than one dimension ``axis`` "
                             "argument is required.")
        axis = 0
    if isinstance(axis, tuple):          # (NumPy hands axis to ufunc.accumulate)
        if len(axis) != 1:
            raise ValueError(f"{name}: accumulate does not allow multiple axes")
        axis, = axis
    ax = normalize_axis(axis, x.ndim)
    r = _scan(kind, x, ax, dtype, None, name)
    if include_initial:
        shape = list(r.shape)
        shape[ax] = 1
        init = full(tuple(shape), 0 if kind == "add" else 1, dtype=r.dtype,
                    device=x._store.machine)
        r = concatenate([init, r], axis=ax)
    f = numpy.cumulative_sum if kind == "add" else numpy.cumulative_prod
    whole = numpy.broadcast_to(numpy.zeros((), x.dtype), x.shape)
    return _into(out, r, lambda o: f(whole, axis=ax, dtype=dtype, out=o,
                                     include_initial=include_initial))


@implements(numpy.cumulative_sum, local=True)
def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """Same as ``numpy.cumulative_sum``."""
    return _cumulative("add", x, axis, dtype, out, include_initial, "cumulative_sum")


@implements(numpy.cumulative_prod, local=True)
def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """Same as ``numpy.cumulative_prod``."""
    return _cumulative("multiply", x, axis, dtype, out, include_initial, "cumulative_prod")


def _nan_to(x, val):
    from .manipulation import where
    if x.dtype.kind not in "fc":
        return x
    return where(uf("isnan", x), val, x)


@implements(numpy.nancumsum, local=True)
def nancumsum(a, axis=None, dtype=None, out=None):
    """Same as ``numpy.nancumsum``: NaN counts as zero."""
    return _scan("add", _nan_to(ours(a), 0), axis, dtype, out, "nancumsum")


@implements(numpy.nancumprod, local=True)
def nancumprod(a, axis=None, dtype=None, out=None):
    """Same as ``numpy.nancumprod``: NaN counts as one."""
    return _scan("multiply", _nan_to(ours(a), 1), axis, dtype, out, "nancumprod")


@implements(numpy.diff, local=True)
def diff(a, n=1, axis=-1, prepend=NoValue, append=NoValue):
    """Same as ``numpy.diff`` (shifted views: a split axis moves one halo row)."""
    from .manipulation import broadcast_to, concatenate
    n = operator.index(n)
    if n == 0:
        return a
    if n < 0:
        raise ValueError("order must be non-negative but got " + repr(n))
    x = ours(a)
    nd = x.ndim
    if nd == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    ax = normalize_axis(axis, nd)
    m = x._store.machine
    combined = []
    for extra, first in ((prepend, True), (append, False)):
        if extra is NoValue:
            continue
        e = ours(extra, m)
        if e.ndim == 0:
            shape = list(x.shape)
            shape[ax] = 1
            e = broadcast_to(e, tuple(shape))
        combined.append((first, e))
    if combined:
        parts = [e for f, e in combined if f] + [x] + [e for f, e in combined if not f]
        x = concatenate(parts, axis=ax)
    s1 = [slice(None)] * nd
    s2 = [slice(None)] * nd
    s1[ax] = slice(1, None)
    s2[ax] = slice(None, -1)
    s1, s2 = tuple(s1), tuple(s2)
    op = "not_equal" if x.dtype == numpy.bool_ else "subtract"
    for _ in range(n):
        x = uf(op, x[s1], x[s2])
    return x


@implements(numpy.ediff1d, local=True)
def ediff1d(ary, to_end=None, to_begin=None):
    """Same as ``numpy.ediff1d``."""
    from .creation import empty
    from .manipulation import ravel
    x = ravel(ours(ary))
    m = x._store.machine
    dt = x.dtype
    numpy.subtract(numpy.zeros(0, dt), numpy.zeros(0, dt))   # NumPy's error (bool), even
    pieces = {}                                              # when there is no difference
    for name, v in (("to_begin", to_begin), ("to_end", to_end)):
        if v is None:
            pieces[name] = None
            continue
        v = ours(v, m)
        if not numpy.can_cast(v.dtype, dt, casting="same_kind"):
            raise TypeError(f"dtype of `{name}` must be compatible with input `ary` under "
                            f"the `same_kind` rule.")
        pieces[name] = ravel(v)
    lb = pieces["to_begin"].size if pieces["to_begin"] is not None else 0
    le = pieces["to_end"].size if pieces["to_end"] is not None else 0
    ld = max(x.size - 1, 0)
    result = empty(ld + lb + le, dtype=dt, device=m)
    if lb:
        result[:lb] = pieces["to_begin"]
    if le:
        result[lb + ld:] = pieces["to_end"]
    if ld:
        uf("subtract", x[1:], x[:-1], out=(result[lb:lb + ld],))
    return result


@implements(numpy.trapezoid, local=True)
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Same as ``numpy.trapezoid`` (a 0-d array where NumPy returns a scalar)."""
    from .reductions import sum as sum_
    yy = ours(y)
    nd = yy.ndim
    if x is None:
        d = dx
    else:
        xx = ours(x, yy._store.machine)
        if xx.ndim == 1:
            d = diff(xx)
            shape = [1] * nd
            shape[axis] = d.shape[0]
            d = d.reshape(tuple(shape))
        else:
            d = diff(xx, axis=axis)
    s1 = [slice(None)] * nd
    s2 = [slice(None)] * nd
    s1[axis] = slice(1, None)
    s2[axis] = slice(None, -1)
    inner = uf("add", yy[tuple(s1)], yy[tuple(s2)])
    return sum_(uf("true_divide", uf("multiply", d, inner), 2.0), axis)
