"""``pad``: NumPy's own algorithm (``numpy/lib/_arraypad_impl.py``) on arrbackend arrays.

The padded array is allocated once and the input copied into its middle; every mode then
fills the pad areas axis by axis by assigning views of the padded array to other views of
it (edges, reflections, wraps, statistics, ramps): the elementwise engine moves the rows a
split axis needs between devices.  Pad widths and fill values are small parameters read
on the host.
"""
from __future__ import annotations

import numpy

from .registry import implements
from ._helpers import host, ours, uf
from ..distributed.array import ndarray

__all__ = ["pad"]


def _at(sl, axis):
    return (slice(None),) * axis + (sl, Ellipsis)


def _view_roi(array, area, axis):
    axis += 1
    return array[(slice(None),) * axis + area[axis:]]


def _pad_simple(array, pad_width, fill_value=None):
    from .creation import empty, full
    new_shape = tuple(left + size + right for size, (left, right) in zip(array.shape,
                                                                         pad_width))
    m = array._store.machine
    if fill_value is None:
        padded = empty(new_shape, dtype=array.dtype, device=m)
    else:
        padded = full(new_shape, fill_value, dtype=array.dtype, device=m)
    area = tuple(slice(left, left + size) for size, (left, right) in zip(array.shape,
                                                                        pad_width))
    padded[area] = array
    return padded, area


def _set_pad_area(padded, axis, width_pair, value_pair):
    padded[_at(slice(None, width_pair[0]), axis)] = value_pair[0]
    padded[_at(slice(padded.shape[axis] - width_pair[1], None), axis)] = value_pair[1]


def _get_edges(padded, axis, width_pair):
    left = width_pair[0]
    right = padded.shape[axis] - width_pair[1]
    return padded[_at(slice(left, left + 1), axis)], padded[_at(slice(right - 1, right), axis)]


def _ramp(start, stop_edge, num, dtype, axis):
    """``linspace(start, stop, num, endpoint=False, dtype, axis)`` for an array ``stop``
    whose ``axis`` has length one."""
    from .creation import arange
    from .manipulation import astype, reshape
    m = stop_edge._store.machine
    shape = [1] * stop_edge.ndim
    shape[axis] = num
    step_idx = reshape(arange(num, dtype=numpy.float64, device=m), tuple(shape))
    st = astype(stop_edge, numpy.result_type(stop_edge.dtype, float))
    delta = uf("subtract", st, start)
    y = uf("add", uf("multiply", step_idx, uf("true_divide", delta, float(num))), start) \
        if num else uf("multiply", step_idx, delta)
    if numpy.dtype(dtype).kind in "iub":
        y = uf("floor", y)
    return astype(y, dtype)


def _get_linear_ramps(padded, axis, width_pair, end_value_pair):
    edges = _get_edges(padded, axis, width_pair)
    left, right = (_ramp(end, edge, width, padded.dtype, axis)
                   for end, edge, width in zip(end_value_pair, edges, width_pair))
    return left, right[_at(slice(None, None, -1), axis)]


def _round_if_needed(arr, dtype):
    if numpy.dtype(dtype).kind in "iu":
        return uf("rint", arr)
    return arr


def _get_stats(padded, axis, width_pair, length_pair, stat, minmax):
    left_index = width_pair[0]
    right_index = padded.shape[axis] - width_pair[1]
    max_length = right_index - left_index
    left_length, right_length = length_pair
    if left_length is None or max_length < left_length:
        left_length = max_length
    if right_length is None or max_length < right_length:
        right_length = max_length
    if (left_length == 0 or right_length == 0) and minmax:
        raise ValueError("stat_length of 0 yields no value for padding")
    left_chunk = padded[_at(slice(left_index, left_index + left_length), axis)]
    left_stat = _round_if_needed(stat(left_chunk, axis=axis, keepdims=True), padded.dtype)
    if left_length == right_length == max_length:
        return left_stat, left_stat
    right_chunk = padded[_at(slice(right_index - right_length, right_index), axis)]
    right_stat = _round_if_needed(stat(right_chunk, axis=axis, keepdims=True), padded.dtype)
    return left_stat, right_stat


def _set_reflect_both(padded, axis, width_pair, method, period, include_edge=False):
    left_pad, right_pad = width_pair
    old_length = padded.shape[axis] - right_pad - left_pad
    if include_edge:
        old_length = old_length // period * period
        edge_offset = 1
    else:
        old_length = (old_length - 1) // (period - 1) * (period - 1) + 1
        edge_offset = 0
        old_length -= 1
    if left_pad > 0:
        chunk = min(old_length, left_pad)
        stop = left_pad - edge_offset
        start = stop + chunk
        left_chunk = padded[_at(slice(start, stop if stop >= 0 else None, -1), axis)]
        if method == "odd":
            edge = padded[_at(slice(left_pad, left_pad + 1), axis)]
            left_chunk = uf("subtract", uf("multiply", 2, edge), left_chunk)
        padded[_at(slice(left_pad - chunk, left_pad), axis)] = left_chunk
        left_pad -= chunk
    if right_pad > 0:
        chunk = min(old_length, right_pad)
        n = padded.shape[axis]
        start = -right_pad + edge_offset - 2
        stop = start - chunk
        right_chunk = padded[_at(slice(n + start, n + stop if n + stop >= 0 else None, -1),
                                 axis)]
        if method == "odd":
            edge = padded[_at(slice(n - right_pad - 1, n - right_pad), axis)]
            right_chunk = uf("subtract", uf("multiply", 2, edge), right_chunk)
        start = n - right_pad
        padded[_at(slice(start, start + chunk), axis)] = right_chunk
        right_pad -= chunk
    return left_pad, right_pad


def _set_wrap_both(padded, axis, width_pair, original_period):
    left_pad, right_pad = width_pair
    n = padded.shape[axis]
    period = n - right_pad - left_pad
    period = period // original_period * original_period
    new_left = new_right = 0
    if left_pad > 0:
        end = left_pad + period
        chunk = padded[_at(slice(end - min(period, left_pad), end), axis)]
        if left_pad > period:
            area = _at(slice(left_pad - period, left_pad), axis)
            new_left = left_pad - period
        else:
            area = _at(slice(None, left_pad), axis)
        padded[area] = chunk
    if right_pad > 0:
        start = n - right_pad - period
        chunk = padded[_at(slice(start, start + min(period, right_pad)), axis)]
        if right_pad > period:
            area = _at(slice(n - right_pad, n - right_pad + period), axis)
            new_right = right_pad - period
        else:
            area = _at(slice(n - right_pad, None), axis)
        padded[area] = chunk
    return new_left, new_right


def _as_pairs(x, ndim, as_index=False):
    if x is None:
        return ((None, None),) * ndim
    x = numpy.array(host(x) if isinstance(x, ndarray) else x)
    if as_index:
        x = numpy.round(x).astype(numpy.intp, copy=False)
    if x.ndim < 3:
        if x.size == 1:
            x = x.ravel()
            if as_index and x < 0:
                raise ValueError("index can't contain negative values")
            return ((x[0], x[0]),) * ndim
        if x.size == 2 and x.shape != (2, 1):
            x = x.ravel()
            if as_index and (x[0] < 0 or x[1] < 0):
                raise ValueError("index can't contain negative values")
            return ((x[0], x[1]),) * ndim
    if as_index and x.min() < 0:
        raise ValueError("index can't contain negative values")
    return numpy.broadcast_to(x, (ndim, 2)).tolist()


_ALLOWED = {"empty": [], "edge": [], "wrap": [], "constant": ["constant_values"],
            "linear_ramp": ["end_values"], "maximum": ["stat_length"],
            "mean": ["stat_length"], "median": ["stat_length"],
            "minimum": ["stat_length"], "reflect": ["reflect_type"],
            "symmetric": ["reflect_type"]}


@implements(numpy.pad, local=True)
def pad(array, pad_width, mode="constant", **kwargs):
    """Same as ``numpy.pad`` (every mode, and a callable ``mode`` receiving arrbackend
    views of the lines)."""
    from . import reductions as R
    from .statistics import median
    x = ours(array)
    if isinstance(pad_width, dict):
        seq = [(0, 0)] * x.ndim
        for axis, width in pad_width.items():
            seq[axis] = (width, width) if isinstance(width, int) else tuple(width)
        pad_width = seq
    pw = numpy.asarray(host(pad_width) if isinstance(pad_width, ndarray) else pad_width)
    if pw.dtype.kind != "i":
        raise TypeError("`pad_width` must be of integral type.")
    pad_width = [tuple(int(v) for v in p) for p in _as_pairs(pw, x.ndim, as_index=True)]
    if callable(mode):
        padded, _ = _pad_simple(x, pad_width, fill_value=0)
        from .manipulation import moveaxis
        for axis in range(padded.ndim):
            view = moveaxis(padded, axis, -1)
            for ind in numpy.ndindex(view.shape[:-1]):
                mode(view[ind + (Ellipsis,)], pad_width[axis], axis, kwargs)
        return padded
    try:
        unsupported = set(kwargs) - set(_ALLOWED[mode])
    except (KeyError, TypeError):
        raise ValueError(f"mode '{mode}' is not supported") from None
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unsupported}")
    stats = {"maximum": (R.max, True), "minimum": (R.min, True), "mean": (R.mean, False),
             "median": (median, False)}
    padded, area = _pad_simple(x, pad_width)
    axes = range(padded.ndim)
    if mode == "constant":
        values = _as_pairs(kwargs.get("constant_values", 0), padded.ndim)
        for axis, wp, vp in zip(axes, pad_width, values):
            _set_pad_area(_view_roi(padded, area, axis), axis, wp, vp)
    elif mode == "empty":
        pass
    elif x.size == 0:
        for axis, wp in zip(axes, pad_width):
            if x.shape[axis] == 0 and any(wp):
                raise ValueError(f"can't extend empty axis {axis} using modes other than "
                                 f"'constant' or 'empty'")
    elif mode == "edge":
        for axis, wp in zip(axes, pad_width):
            roi = _view_roi(padded, area, axis)
            _set_pad_area(roi, axis, wp, _get_edges(roi, axis, wp))
    elif mode == "linear_ramp":
        ends = _as_pairs(kwargs.get("end_values", 0), padded.ndim)
        for axis, wp, vp in zip(axes, pad_width, ends):
            roi = _view_roi(padded, area, axis)
            _set_pad_area(roi, axis, wp, _get_linear_ramps(roi, axis, wp, vp))
    elif mode in stats:
        func, minmax = stats[mode]
        lengths = _as_pairs(kwargs.get("stat_length"), padded.ndim, as_index=True)
        for axis, wp, lp in zip(axes, pad_width, lengths):
            roi = _view_roi(padded, area, axis)
            _set_pad_area(roi, axis, wp, _get_stats(roi, axis, wp, lp, func, minmax))
    elif mode in {"reflect", "symmetric"}:
        method = kwargs.get("reflect_type", "even")
        include_edge = mode == "symmetric"
        for axis, (li, ri) in zip(axes, pad_width):
            if x.shape[axis] == 1 and (li > 0 or ri > 0):
                _set_pad_area(padded, axis, (li, ri), _get_edges(padded, axis, (li, ri)))
                continue
            roi = _view_roi(padded, area, axis)
            while li > 0 or ri > 0:
                li, ri = _set_reflect_both(roi, axis, (li, ri), method, x.shape[axis],
                                           include_edge)
    elif mode == "wrap":
        for axis, (li, ri) in zip(axes, pad_width):
            roi = _view_roi(padded, area, axis)
            period = padded.shape[axis] - ri - li
            while li > 0 or ri > 0:
                li, ri = _set_wrap_both(roi, axis, (li, ri), period)
    return padded
