"""Index-producing routines: ``nonzero`` (and ``where`` with one argument).

Each device finds the nonzero elements of the rows it holds; the index arrays keep each
device's results where they are (an uneven block layout), so only the counts move.
"""
from __future__ import annotations

import numpy

from .registry import implements
from ..distributed.layout import Layout, even_ranges
from ..distributed.localize import Exchange, device_boxes
from ..distributed.store import Store
from ..distributed.array import ndarray

__all__ = ["nonzero"]


def _ours(a):
    from .manipulation import _ours as conv
    return conv(a, "nonzero")


@implements(numpy.nonzero)
def nonzero(a):
    """Same as ``numpy.nonzero``: a tuple of index arrays in C order."""
    from ..distributed.elementwise import relayout
    from ..distributed.indexing import _counts
    x = _ours(a)
    if x.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "np.atleast_1d(scalar).nonzero() instead. If the context of this "
                         "error is of the form `arr[nonzero(cond)]`, just use `arr[cond]`.")
    m = x._store.machine
    lay = x._view_layout()
    if lay.is_block and lay.axis != 0:
        x = relayout(x, Layout.block(0, even_ranges(x.shape[0], m.ndev)))
        lay = x._view_layout()
    boxes = device_boxes(lay, x.shape, m.ndev)
    if lay.is_replicated:
        boxes = [b if d == 0 else None for d, b in enumerate(boxes)]
    ex = Exchange(m)
    pieces = {}
    for d, box in enumerate(boxes):
        if box is None:
            continue
        v = ex.localize(x._store, x._map, box, d)
        if m.is_local(d):
            pieces[d] = (v, box)
    ex.run()
    local = {}
    counts = {}
    for d, (v, box) in pieces.items():
        dev = m.devices[d]
        with dev.activate():
            idx = dev.xp.nonzero(v)
            idx = tuple((i + box[k][0]).astype(numpy.intp) if box[k][0] else
                        i.astype(numpy.intp, copy=False) for k, i in enumerate(idx))
        local[d] = idx
        counts[d] = int(idx[0].shape[0])
    allc = _counts(m, counts)
    if lay.is_block:
        order = sorted(range(m.ndev), key=lambda e: lay.ranges[e][0])
        ranges, pos = [None] * m.ndev, 0
        for e in order:
            ranges[e] = (pos, pos + allc[e])
            pos += allc[e]
        rlay, total = Layout.block(0, ranges), pos
    else:
        owner = lay.device if lay.is_single else 0
        rlay, total = Layout.single(owner), allc[owner]
    if x.ndim == 1:
        shards = [None] * m.ndev
        for d, idx in local.items():
            shards[d] = idx[0]
        return (ndarray._from_store(Store(m, (total,), numpy.dtype(numpy.intp), rlay,
                                          shards)),)
    # as NumPy's: the columns of one (count, ndim) array of coordinates (views, not
    # contiguous: a ravel copies, a write into one leaves the others)
    shards = [None] * m.ndev
    for d, idx in local.items():
        with m.devices[d].activate():
            shards[d] = m.devices[d].xp.stack(idx, axis=1)
    coords = ndarray._from_store(Store(m, (total, x.ndim), numpy.dtype(numpy.intp), rlay,
                                       shards))
    return tuple(coords[:, k] for k in range(x.ndim))
