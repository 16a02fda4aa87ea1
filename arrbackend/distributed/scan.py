"""Prefix scans (``cumsum``, ``cumprod``) across devices.

Each device scans the piece it holds with its library.  When the view is split along the
scanned axis, every device's last line (its block total) is allgathered, each device
combines the totals of the blocks before it (in row order: an exclusive scan of the
per-device totals) and applies that offset to its piece.  Nothing else moves, and the
result keeps the input's layout.  Integer scans are exact.  Floating-point scans, where
one process holds every device, run in NumPy's order instead (each device seeded with the
previous device's last line: NumPy's values, zeros and overflows included); across
processes they are grouped by device, and may differ from NumPy's in the last bits.
"""
from __future__ import annotations

import functools

import numpy

from .axiswise import pieces
from .layout import Layout
from .store import Store
from .array import ndarray
from .. import _fperrors

__all__ = ["scan"]

_LOCAL = {"add": "cumsum", "multiply": "cumprod"}
_IDENTITY = {"add": 0, "multiply": 1}


def _add_offsets(m, lay, axis, op, dtype, parts) -> None:
    """Combine each device's scan with the totals of the devices holding earlier rows."""
    totals = {}
    for d, r in parts.items():
        dev = m.devices[d]
        xp = dev.xp
        with dev.activate():
            if r.shape[axis]:
                last = [slice(None)] * r.ndim
                last[axis] = slice(r.shape[axis] - 1, None)
                totals[d] = xp.ascontiguousarray(r[tuple(last)])
            else:
                shape = list(r.shape)
                shape[axis] = 1
                totals[d] = xp.full(tuple(shape), _IDENTITY[op], dtype)
    g = m.comm.allgather(totals)
    order = sorted(range(m.ndev), key=lambda e: lay.ranges[e][0])
    for d in parts:
        before = [e for e in order if lay.ranges[e][0] < lay.ranges[d][0]
                  and lay.ranges[e][1] > lay.ranges[e][0]]
        if not before or parts[d].size == 0:
            continue
        dev = m.devices[d]
        xp = dev.xp
        with dev.activate():
            f = getattr(xp, op)
            offset = functools.reduce(f, [g[d][e] for e in before])
            parts[d] = f(parts[d], offset).astype(dtype, copy=False)


def _local_scan(dev, a, axis: int, op: str, dtype):
    """One device's scan of its piece.  A GPU's library scans in parallel, in float16
    where the result is float16, so a partial product can overflow where NumPy's
    sequential one meets a zero first: on GPUs float16 scans accumulate in float32 and
    round once, as float16 sums do."""
    f = getattr(dev.xp, _LOCAL[op])
    if dev.is_gpu and dtype == numpy.float16:
        return f(a, axis=axis, dtype=numpy.float32).astype(dtype)
    return f(a, axis=axis, dtype=dtype)


def _seeded(m, lay, axis, op, dtype, local) -> dict:
    """Floating-point scans in NumPy's order: the devices in row order, each scanning its
    piece after the previous device's last line (so a zero before an overflow stays
    zero, and sums round as NumPy's sequential ones).  One process holds every device."""
    parts: dict = {}
    seed = None
    for d in sorted(local, key=lambda e: lay.ranges[e][0]):
        _box, loc = local[d]
        dev = m.devices[d]
        xp = dev.xp
        with dev.activate():
            a = xp.asarray(loc)
            if seed is not None and a.shape[axis]:
                s = xp.array(seed, copy=True) if xp is not numpy else numpy.asarray(seed)
                r = _local_scan(dev, xp.concatenate([s, a.astype(dtype, copy=False)],
                                                    axis=axis), axis, op, dtype)
                first = [slice(None)] * r.ndim
                first[axis] = slice(1, None)
                r = r[tuple(first)]
            else:
                r = _local_scan(dev, a, axis, op, dtype)
            parts[d] = r
            if r.shape[axis]:
                last = [slice(None)] * r.ndim
                last[axis] = slice(r.shape[axis] - 1, None)
                seed = r[tuple(last)]
    return parts


def scan(x, axis: int, op: str, dtype):
    """The inclusive scan of ``x`` along ``axis`` with ``op`` ('add' or 'multiply'),
    computed in ``dtype``."""
    m = x._store.machine
    lay = x._view_layout()
    dtype = numpy.dtype(dtype)
    parts = {}
    local = pieces(x)
    # NumPy's warnings once, at the user's line, named as NumPy names them (the offsets'
    # add or multiply is part of the accumulation)
    split = m.ndev > 1 and lay.is_block and lay.axis == axis
    with _fperrors.at_user(not m.is_gpu, "accumulate"):
        if split and dtype.kind in "fc" and m.nranks == 1:
            parts = _seeded(m, lay, axis, op, dtype, local)
        else:
            for d, (box, loc) in local.items():
                dev = m.devices[d]
                with dev.activate():
                    parts[d] = _local_scan(dev, loc, axis, op, dtype)
            if split:
                _add_offsets(m, lay, axis, op, dtype, parts)
    if lay.is_single or m.ndev == 1:
        lay = Layout.single(lay.device if lay.is_single else 0)
    shards = [None] * m.ndev
    for d, r in parts.items():
        shards[d] = r
    return ndarray._from_store(Store(m, tuple(x.shape), dtype, lay, shards))
