"""Counting: ``histogram histogram2d histogramdd bincount digitize``.

Bin edges are computed as NumPy computes them (``_get_bin_edges``/``histogramdd``: the
data's extremes and the bin-width estimators come from the engine's reductions, sorts and
percentiles; the edges themselves are a small host ``linspace``).  Then each device
counts its own block with its library (``histogram``/``histogramdd``/``bincount`` with
those edges: the same bins NumPy assigns), and the per-device counts are summed by the
reduction engine.  Only the counts move.
"""
from __future__ import annotations

import operator
import warnings

import numpy

from .registry import implements
from ..distributed.layout import Layout
from ..distributed.localize import Exchange, device_boxes
from ._helpers import host, new_array, ours, uf
from .manipulation import astype, ravel
from .ufuncs import common_machine
from ..distributed.array import ndarray

__all__ = ["histogram", "histogram_bin_edges", "histogram2d", "histogramdd", "bincount",
           "digitize"]


def _local_sum(arrays, fn, out_shape, dtype):
    """Sum over devices of ``fn(xp, *local pieces)`` (each of ``out_shape``): the
    arrays share a shape; each device takes the same box of every one."""
    from ..distributed import reductions as R
    first = arrays[0]
    m = first._store.machine
    lay = first._view_layout()
    if lay.is_replicated or m.ndev == 1:
        lay = Layout.single(0)
    ex = Exchange(m)
    plans = []
    for d, box in enumerate(device_boxes(lay, first.shape, m.ndev)):
        if box is None:
            continue
        locs = [ex.localize(a._store, a._map, box, d) if isinstance(a, ndarray) else a
                for a in arrays]
        if m.is_local(d):
            plans.append((d, locs))
    ex.run()
    parts = {}
    for d, locs in plans:
        dev = m.devices[d]
        with dev.activate():
            parts[d] = dev.xp.asarray(fn(dev.xp, *locs)).astype(dtype, copy=False)
    if lay.is_single:
        return new_array(m, out_shape, dtype, lay, parts)
    parts = {d: p.reshape((1,) + tuple(out_shape)) for d, p in parts.items()}
    slay = Layout.block(0, tuple((d, d + 1) for d in range(m.ndev)))
    stacked = new_array(m, (m.ndev,) + tuple(out_shape), dtype, slay, parts)
    return R.reduce(stacked, "sum", axis=0, dtype=dtype)


def _scalar(x):
    return host(x)[()]


# --- bin edges (numpy/lib/_histograms_impl.py) -------------------------------------------

def _ptp(x):
    from .statistics import ptp
    return _scalar(ptp(x))


def _bw_sqrt(x, rng):
    return _ptp(x) / numpy.sqrt(x.size)


def _bw_sturges(x, rng):
    return _ptp(x) / (numpy.log2(x.size) + 1.0)


def _bw_rice(x, rng):
    return _ptp(x) / (2.0 * x.size ** (1.0 / 3))


def _bw_scott(x, rng):
    from .reductions import std
    return (24.0 * numpy.pi ** 0.5 / x.size) ** (1.0 / 3.0) * _scalar(std(x))


def _bw_stone(x, rng):
    n = x.size
    ptp_x = _ptp(x)
    if n <= 1 or ptp_x == 0:
        return 0

    def jhat(nbins):
        hh = ptp_x / nbins
        p_k = host(histogram(x, bins=nbins, range=rng)[0]) / n
        return (2 - (n + 1) * p_k.dot(p_k)) / hh

    upper = max(100, int(numpy.sqrt(n)))
    nbins = min(range(1, upper + 1), key=jhat)
    if nbins == upper:
        warnings.warn("The number of bins estimated may be suboptimal.", RuntimeWarning,
                      stacklevel=3)
    return ptp_x / nbins


def _bw_doane(x, rng):
    from .reductions import mean, std
    if x.size > 2:
        sg1 = numpy.sqrt(6.0 * (x.size - 2) / ((x.size + 1.0) * (x.size + 3)))
        sigma = _scalar(std(x))
        if sigma > 0.0:
            temp = uf("subtract", x, mean(x))
            temp = uf("true_divide", temp, sigma)
            temp = uf("power", temp, 3)
            g1 = _scalar(mean(temp))
            return _ptp(x) / (1.0 + numpy.log2(x.size) +
                              numpy.log2(1.0 + numpy.absolute(g1) / sg1))
    return 0.0


def _bw_fd(x, rng):
    from .statistics import percentile
    p = host(percentile(x, [75, 25]))
    iqr = numpy.subtract(*p)
    return 2.0 * iqr * x.size ** (-1.0 / 3.0)


def _bw_auto(x, rng):
    fd = _bw_fd(x, rng)
    sturges = _bw_sturges(x, rng)
    sq = _bw_sqrt(x, rng)
    return min(max(fd, sq / 2), sturges)


_SELECTORS = {"stone": _bw_stone, "auto": _bw_auto, "doane": _bw_doane, "fd": _bw_fd,
              "rice": _bw_rice, "scott": _bw_scott, "sqrt": _bw_sqrt,
              "sturges": _bw_sturges}


def _outer_edges(a, rng):
    from .reductions import max as max_, min as min_
    if rng is not None:
        first, last = rng
        if first > last:
            raise ValueError("max must be larger than min in range parameter.")
        if not (numpy.isfinite(first) and numpy.isfinite(last)):
            raise ValueError(f"supplied range of [{first}, {last}] is not finite")
    elif a.size == 0:
        first, last = 0, 1
    else:
        first, last = _scalar(min_(a)), _scalar(max_(a))
        if not (numpy.isfinite(first) and numpy.isfinite(last)):
            raise ValueError(f"autodetected range of [{first}, {last}] is not finite")
    if first == last:
        first = first - 0.5
        last = last + 0.5
    return first, last


def _unsigned_subtract(a, b):
    table = {numpy.byte: numpy.ubyte, numpy.short: numpy.ushort, numpy.intc: numpy.uintc,
             numpy.int_: numpy.uint, numpy.longlong: numpy.ulonglong}
    dt = numpy.result_type(a, b)
    udt = table.get(dt.type)
    if udt is None:
        return numpy.subtract(a, b, dtype=dt)
    return numpy.subtract(numpy.asarray(a, dtype=dt), numpy.asarray(b, dtype=dt),
                          casting="unsafe", dtype=udt)


def _bin_edges(a, bins, rng, weights):
    """NumPy's ``_get_bin_edges``: the edges as a host array."""
    from .reductions import all as all_
    n_equal = None
    edges = None
    if isinstance(bins, str):
        if bins not in _SELECTORS:
            raise ValueError(f"{bins!r} is not a valid estimator for `bins`")
        if weights is not None:
            raise TypeError("Automated estimation of the number of bins is not supported "
                            "for weighted data")
        first, last = _outer_edges(a, rng)
        if rng is not None:
            keep = uf("logical_and", uf("greater_equal", a, first), uf("less_equal", a, last))
            if not bool(all_(keep)):
                a = a[keep]
        if a.size == 0:
            n_equal = 1
        else:
            width = _SELECTORS[bins](a, (first, last))
            if width:
                if a.dtype.kind in "iu" and width < 1:
                    width = 1
                n_equal = int(numpy.ceil(_unsigned_subtract(last, first) / width))
            else:
                n_equal = 1
    elif numpy.ndim(bins) == 0 and not isinstance(bins, ndarray) or (
            isinstance(bins, ndarray) and bins.ndim == 0):
        try:
            n_equal = operator.index(bins)
        except TypeError as e:
            raise TypeError("`bins` must be an integer, a string, or an array") from e
        if n_equal < 1:
            raise ValueError("`bins` must be positive, when an integer")
        first, last = _outer_edges(a, rng)
    elif (bins.ndim if isinstance(bins, ndarray) else numpy.ndim(bins)) == 1:
        edges = host(bins)
        if numpy.any(edges[:-1] > edges[1:]):
            raise ValueError("`bins` must increase monotonically, when an array")
    else:
        raise ValueError("`bins` must be 1d, when an array")
    if n_equal is not None:
        bin_type = numpy.result_type(first, last, numpy.zeros((), a.dtype))
        if bin_type.kind in "iub":
            bin_type = numpy.result_type(bin_type, float)
        edges = numpy.linspace(first, last, n_equal + 1, endpoint=True, dtype=bin_type)
        if numpy.any(edges[:-1] >= edges[1:]):
            raise ValueError(f"Too many bins for data range. Cannot create {n_equal} "
                             f"finite-sized bins.")
    return edges


def _ravel_check(a, weights):
    x = ours(a)
    if x.dtype == numpy.bool_:
        warnings.warn(f"Converting input from {x.dtype} to {numpy.uint8} for "
                      f"compatibility.", RuntimeWarning, stacklevel=3)
        x = astype(x, numpy.uint8)
    w = None
    if weights is not None:
        w = ours(weights, x._store.machine)
        if w.shape != x.shape:
            raise ValueError("weights should have the same shape as a.")
        w = ravel(w)
    return ravel(x), w


@implements(numpy.histogram_bin_edges, local=True)
def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """Same as ``numpy.histogram_bin_edges``."""
    x, w = _ravel_check(a, weights)
    return ours(_bin_edges(x, bins, range, w), x._store.machine)


@implements(numpy.histogram, local=True)
def histogram(a, bins=10, range=None, density=None, weights=None):
    """Same as ``numpy.histogram``: each device counts its block into the common
    edges; the counts are summed across devices."""
    x, w = _ravel_check(a, weights)
    m = x._store.machine
    edges = _bin_edges(x, bins, range, w)
    nb = len(edges) - 1
    ntype = numpy.dtype(numpy.intp) if w is None else w.dtype
    if x.size == 0:
        from .creation import zeros
        n = zeros(nb, dtype=ntype, device=m)
    else:
        def count(xp, loc, *wl):
            e = xp.asarray(edges)
            if xp is not numpy and loc.dtype.kind in "biu":
                # compared with the edges in their common dtype, as NumPy compares (a
                # device library may compare in the data's narrow integer type)
                loc = loc.astype(numpy.result_type(loc.dtype, e.dtype))
            r = xp.histogram(loc, bins=e, weights=wl[0] if wl else None)[0]
            return r
        n = _local_sum([x] + ([w] if w is not None else []), count, (nb,), ntype)
    e = ours(edges, m)
    if density:
        from .reductions import sum as sum_
        db = astype(ours(numpy.diff(edges), m), float)
        return uf("true_divide", uf("true_divide", n, db), sum_(n)), e
    return n, e


@implements(numpy.histogramdd, local=True)
def histogramdd(sample, bins=10, range=None, density=None, weights=None):
    """Same as ``numpy.histogramdd`` (per-device counts into common edges, summed)."""
    from .manipulation import stack, transpose
    if isinstance(sample, (list, tuple)):
        m = common_machine(list(sample), "histogramdd")
        s = stack([ours(c, m) for c in sample], axis=1)
    else:
        s = ours(sample)
        if s.ndim < 2:
            s = transpose(s.reshape((1,) + s.shape) if s.ndim == 1 else s.reshape(1, 1))
        m = s._store.machine
    N, D = s.shape
    try:
        M = len(bins)
        if M != D:
            raise ValueError("The dimension of bins must be equal to the dimension of the "
                             "sample x.")
    except TypeError:
        bins = D * [bins]
    if range is None:
        range = (None,) * D
    elif len(range) != D:
        raise ValueError("range argument must have one entry per dimension")
    edges = []
    for i in numpy.arange(D):
        b = bins[i]
        if numpy.ndim(b) == 0 and not isinstance(b, ndarray):
            if b < 1:
                raise ValueError(f"`bins[{i}]` must be positive, when an integer")
            smin, smax = _outer_edges(s[:, int(i)], range[i])
            try:
                n = operator.index(b)
            except TypeError as e:
                raise TypeError(f"`bins[{i}]` must be an integer, when a scalar") from e
            edges.append(numpy.linspace(smin, smax, n + 1))
        elif numpy.ndim(b) == 1 or (isinstance(b, ndarray) and b.ndim == 1):
            e = host(b)
            if numpy.any(e[:-1] > e[1:]):
                raise ValueError(f"`bins[{i}]` must be monotonically increasing, when an "
                                 f"array")
            edges.append(e)
        else:
            raise ValueError(f"`bins[{i}]` must be a scalar or 1d array")
    shape = tuple(len(e) - 1 for e in edges)
    w = None
    if weights is not None:
        w = ravel(ours(weights, m))

    def count(xp, loc, *wl):
        es = [xp.asarray(e) for e in edges]
        if xp is numpy:
            return numpy.histogramdd(loc, bins=es, weights=wl[0] if wl else None)[0]
        return xp.histogramdd(loc, bins=es, weights=wl[0] if wl else None)[0]

    if N == 0:
        from .creation import zeros
        hist = zeros(shape, device=m)
    else:
        from ..distributed.axiswise import unsplit
        s = unsplit(s, (1,))           # whole rows on each device
        hist = _local_sum([s], count, shape, numpy.float64) if w is None else \
            _local_sum_rows(s, w, count, shape)
    if density:
        from .reductions import sum as sum_
        tot = sum_(hist)
        for i in numpy.arange(D):
            sh = numpy.ones(D, int)
            sh[i] = shape[i]
            hist = uf("true_divide", hist, ours(numpy.diff(edges[i]).reshape(tuple(sh)), m))
        hist = uf("true_divide", hist, tot)
    return hist, [ours(e, m) for e in edges]


def _local_sum_rows(s, w, count, shape):
    """``count`` over row blocks of the (N, D) sample with the matching weights."""
    from .manipulation import broadcast_to
    wb = broadcast_to(w[:, None], s.shape)

    def fn(xp, loc, wl):
        return count(xp, loc, wl[:, 0])
    return _local_sum([s, wb], fn, shape, numpy.float64)


@implements(numpy.histogram2d, local=True)
def histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    """Same as ``numpy.histogram2d``."""
    try:
        N = len(bins)
    except TypeError:
        N = 1
    if N not in {1, 2}:
        xedges = yedges = bins
        bins = [xedges, yedges]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


@implements(numpy.bincount, local=True)
def bincount(x, /, weights=None, minlength=0):
    """Same as ``numpy.bincount``: per-device counts of the global length, summed."""
    from .reductions import max as max_, min as min_
    a = ours(x)
    m = a._store.machine
    if a.ndim != 1:
        raise ValueError("object too deep for desired array" if a.ndim > 1 else
                         "object of too small depth for desired array")
    if a.dtype.kind not in "iub":
        raise TypeError(f"Cannot cast array data from {a.dtype!r} to dtype('int64') "
                        f"according to the rule 'safe'")
    minlength = operator.index(minlength)
    if minlength < 0:
        raise ValueError("'minlength' must not be negative")
    w = None
    if weights is not None:
        w = ours(weights, m)
        if w.shape != a.shape:
            raise ValueError("The weights and list don't have the same length.")
    dt = numpy.dtype(numpy.intp) if w is None else numpy.dtype(numpy.float64)
    if a.size == 0:
        from .creation import zeros
        return zeros(minlength, dtype=dt, device=m)
    if int(min_(a)) < 0:
        raise ValueError("'list' argument must have no negative elements")
    n = max(int(max_(a)) + 1, minlength)

    def count(xp, loc, *wl):
        loc = loc.astype(numpy.intp, copy=False)
        if wl:
            return xp.bincount(loc, weights=wl[0].astype(numpy.float64), minlength=n)
        return xp.bincount(loc, minlength=n)
    return _local_sum([a] + ([w] if w is not None else []), count, (n,), dt)


@implements(numpy.digitize, local=True)
def digitize(x, bins, right=False):
    """Same as ``numpy.digitize`` (``searchsorted`` in the bins)."""
    from .sorting import searchsorted
    from .reductions import all as all_
    m = common_machine([x, bins], "digitize")
    xx = ours(x, m)
    b = ours(bins, m)
    if xx.dtype.kind == "c":
        raise TypeError("x may not be complex")
    if b.ndim != 1:
        raise ValueError("object too deep for desired array" if b.ndim > 1 else
                         "object of too small depth for desired array")
    if b.size > 1:
        inc = bool(all_(uf("greater_equal", b[1:], b[:-1])))
        dec = bool(all_(uf("less_equal", b[1:], b[:-1])))
        if not inc and not dec:
            raise ValueError("bins must be monotonically increasing or decreasing")
        mono = 1 if inc else -1
    else:
        mono = 1
    side = "left" if right else "right"
    if mono == -1:
        return uf("subtract", b.size, searchsorted(b[::-1], xx, side=side))
    return searchsorted(b, xx, side=side)
