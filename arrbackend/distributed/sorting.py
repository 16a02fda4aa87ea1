"""Sorting across devices: a sample sort.

``sort_along(x, axis)`` sorts the lines of ``x`` along ``axis`` (values, and with
``with_index`` the original positions, as ``argsort`` gives them):

* when no device's piece is cut along ``axis`` each device sorts its own lines with its
  library (nothing moves);
* when the view is split along ``axis`` and another axis can carry the split, the view is
  re-cut along that axis in one exchange, then sorted locally;
* a 1-D array split over devices is sample-sorted: each device sorts its block, a few
  regularly spaced samples of every block are allgathered and give ``ndev - 1``
  splitters (the same on every device), each device cuts its sorted block at the
  splitters and sends bucket j to device j in one grouped exchange (counts first), and
  each device merges what it received by sorting it again.  The result is block-split
  with uneven ranges (bucket sizes).  Elements equal to a splitter all go to the same
  bucket and the pieces arrive in row order, so the sort is stable: argsort's ties keep
  their original order, as ``kind='stable'`` does.

NaN sort to the end, as in NumPy (``searchsorted`` follows the same order).
"""
from __future__ import annotations

import numpy

from .axiswise import pieces, unsplit
from .comm import Transfer
from .layout import Layout
from .store import alloc_local
from .array import ndarray

__all__ = ["sort_along"]


def _kind(kind, stable):
    return "stable" if (stable or kind in ("stable", "mergesort")) else kind


def _local_sort(xp, a, axis, kind, with_index):
    if with_index:
        if xp is numpy:
            idx = numpy.argsort(a, axis=axis, kind=kind)
        else:
            idx = xp.argsort(a, axis=axis)
        return xp.take_along_axis(a, idx, axis=axis), idx.astype(numpy.intp, copy=False)
    if xp is numpy:
        return numpy.sort(a, axis=axis, kind=kind), None
    return xp.sort(a, axis=axis), None


def sort_along(x, axis: int, kind=None, with_index: bool = False):
    """(sorted values, original indices along ``axis`` or None) for every line."""
    m = x._store.machine
    lay = x._view_layout()
    if m.ndev > 1 and lay.is_block and lay.axis == axis:
        if x.ndim == 1 or all(n == 1 for a, n in enumerate(x.shape) if a != axis):
            return _sample_sort_nd(x, axis, kind, with_index)
        x = unsplit(x, (axis,))
        lay = x._view_layout()
    vals, idxs = {}, {}
    for d, (box, loc) in pieces(x).items():
        dev = m.devices[d]
        with dev.activate():
            v, i = _local_sort(dev.xp, loc, axis, kind, with_index)
        vals[d], idxs[d] = v, i
    if lay.is_single or m.ndev == 1:
        lay = Layout.single(lay.device if lay.is_single else 0)
    v = ndarray._from_shards(m, x.shape, x.dtype, lay, vals)
    i = ndarray._from_shards(m, x.shape, numpy.intp, lay, idxs) if with_index else None
    return v, i


def _sample_sort_nd(x, axis, kind, with_index):
    """Sample sort of a view that is 1-D once its length-1 axes are dropped."""
    flat = x.reshape((x.shape[axis],)) if x.ndim != 1 else x
    if flat._view_layout().is_block:
        v, i = _sample_sort(flat, kind, with_index)
    else:                   # (the reshape gathered it on one device)
        v, i = sort_along(flat, 0, kind, with_index)
    if x.ndim != 1:
        v = v.reshape(x.shape)
        i = i.reshape(x.shape) if i is not None else None
    return v, i


def _host(a) -> numpy.ndarray:
    return a.get() if hasattr(a, "get") else numpy.asarray(a)


def _sample_sort(x, kind, with_index):
    m = x._store.machine
    p = m.ndev
    lay = x._view_layout()
    dt = x.dtype
    blocks = pieces(x)
    # 1. local sorts
    local = {}
    for d, (box, loc) in blocks.items():
        dev = m.devices[d]
        with dev.activate():
            v, i = _local_sort(dev.xp, loc, 0, "stable", with_index)
            if i is not None:
                i = i + box[0][0]
        local[d] = (v, i)
    for d in m.local:
        if d not in local:          # a device holding no part of the view: an empty block
            dev = m.devices[d]
            with dev.activate():
                local[d] = (dev.xp.zeros(0, dt),
                            dev.xp.zeros(0, numpy.intp) if with_index else None)
    # 2. regular samples of every block -> the same splitters on every device
    nsamp = 4 * p
    samples, valid = {}, {}
    for d, (v, _i) in local.items():
        dev = m.devices[d]
        xp = dev.xp
        with dev.activate():
            n = v.shape[0]
            if n:
                pos = (numpy.arange(nsamp) * n) // nsamp
                samples[d] = v[xp.asarray(pos)]
                valid[d] = xp.ones(nsamp, numpy.int8)
            else:
                samples[d] = xp.zeros(nsamp, dt)
                valid[d] = xp.zeros(nsamp, numpy.int8)
    gs = m.comm.allgather(samples)
    gv = m.comm.allgather(valid)
    splitters = {}
    for d in local:
        dev = m.devices[d]
        xp = dev.xp
        with dev.activate():
            allv = xp.concatenate(gs[d])
            ok = xp.concatenate(gv[d]).astype(bool)
            cand = xp.sort(allv[ok])
            nc = cand.shape[0]
            if nc:
                at = numpy.array([(j * nc) // p for j in range(1, p)], dtype=numpy.intp)
                splitters[d] = cand[xp.asarray(at)]
            else:
                splitters[d] = cand[:0]
    # 3. cut each sorted block at the splitters; counts to everyone
    cuts, counts = {}, {}
    for d, (v, _i) in local.items():
        dev = m.devices[d]
        xp = dev.xp
        with dev.activate():
            if splitters[d].shape[0]:
                inner = _host(xp.searchsorted(v, splitters[d], side="left")).tolist()
            else:
                inner = [0] * (p - 1)
            bounds = [0] + [int(b) for b in inner] + [v.shape[0]]
            cuts[d] = bounds
            counts[d] = xp.asarray(numpy.diff(numpy.array(bounds, dtype=numpy.int64)))
    for d in m.local:
        if d not in counts:
            dev = m.devices[d]
            with dev.activate():
                counts[d] = dev.xp.zeros(p, numpy.int64)
    g = m.comm.allgather(counts)
    C = [[int(c) for c in _host(row).tolist()] for row in g[m.local[0]]]
    # 4. bucket j -> device j, sources in row order (stability)
    src_order = sorted(range(p), key=lambda e: lay.ranges[e][0])
    totals = [sum(C[d][j] for d in range(p)) for j in range(p)]
    recv_v, recv_i = {}, {}
    for j in m.local:
        dev = m.devices[j]
        recv_v[j] = alloc_local(dev, (totals[j],), dt)
        recv_i[j] = alloc_local(dev, (totals[j],), numpy.intp) if with_index else None
    transfers = []
    for j in range(p):
        off = 0
        for d in src_order:
            c = C[d][j]
            if c:
                a = cuts[d][j] if d in cuts else None
                src = local.get(d)
                s_index = (slice(a, a + c),) if a is not None else (slice(0, c),)
                transfers.append(Transfer(d, src[0] if src else None, s_index, j,
                                          recv_v.get(j), (slice(off, off + c),)))
                if with_index:
                    transfers.append(Transfer(d, src[1] if src else None, s_index, j,
                                              recv_i.get(j), (slice(off, off + c),)))
            off += c
    if transfers:
        m.comm.exchange(transfers)
    # 5. merge the sorted runs each device received
    vals, idxs = {}, {}
    for j in m.local:
        dev = m.devices[j]
        with dev.activate():
            v = recv_v[j]
            if with_index:
                if dev.xp is numpy:
                    o = numpy.argsort(v, kind="stable")
                else:
                    o = dev.xp.argsort(v)
                vals[j], idxs[j] = v[o], recv_i[j][o]
            else:
                vals[j] = numpy.sort(v, kind="stable") if dev.xp is numpy else dev.xp.sort(v)
    ranges, pos = [], 0
    for j in range(p):
        ranges.append((pos, pos + totals[j]))
        pos += totals[j]
    out_lay = Layout.block(0, ranges)
    v = ndarray._from_shards(m, x.shape, dt, out_lay, vals)
    i = ndarray._from_shards(m, x.shape, numpy.intp, out_lay, idxs) if with_index else None
    return v, i
