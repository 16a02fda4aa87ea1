"""Operations that need whole lines along some axes (sorting a row, an FFT along an
axis, a local scan): ``unsplit(x, axes)`` makes sure no device's piece is cut along
those axes, and ``map_local`` runs a library call on every device's piece.

When the view is split along one of the axes, it is re-cut along the longest other axis
in one exchange (an all-to-all transpose, as distributed FFTs do with pencils); when no
other axis can carry the split (a 1-D array), it is gathered to one device (counted in
``counters['gathers']``) and the documentation of the caller says so.
"""
from __future__ import annotations

import numpy

from .._counters import count
from .elementwise import relayout
from .layout import Layout, even_ranges
from .localize import Exchange, device_boxes
from .store import Store
from .._ndarray import ndarray

__all__ = ["unsplit", "map_local", "pieces"]


def unsplit(x, axes):
    """``x`` or a copy of it whose view layout is not split along any of ``axes``."""
    m = x._store.machine
    lay = x._view_layout()
    if m.ndev == 1 or not lay.is_block or lay.axis not in axes:
        return x
    others = [a for a in range(x.ndim) if a not in axes and x.shape[a] > 1]
    if others:
        j = max(others, key=lambda a: x.shape[a])
        return relayout(x, Layout.block(j, even_ranges(x.shape[j], m.ndev)))
    count("gathers")
    return relayout(x, Layout.single(0))


def pieces(x, copy: bool = False):
    """{device: (box, local array)} for the devices holding part of ``x``'s view (a
    replicated view: every device holds the whole)."""
    m = x._store.machine
    lay = x._view_layout()
    ex = Exchange(m)
    out = {}
    for d, box in enumerate(device_boxes(lay, x.shape, m.ndev)):
        if box is None:
            continue
        loc = ex.localize(x._store, x._map, box, d, copy=copy)
        if m.is_local(d):
            out[d] = (box, loc)
    ex.run()
    return out


def map_local(x, fn, shape, dtype, layout=None):
    """A new array of ``shape``/``dtype`` whose piece on each device is
    ``fn(xp, local piece of x, box)``; the result keeps ``x``'s view layout (or
    ``layout``), so ``fn`` may change the length only of axes ``x`` is not split along."""
    m = x._store.machine
    lay = x._view_layout() if layout is None else layout
    shards = [None] * m.ndev
    for d, (box, loc) in pieces(x).items():
        dev = m.devices[d]
        with dev.activate():
            r = fn(dev.xp, loc, box)
            if r.dtype != dtype:
                r = r.astype(dtype)
            shards[d] = r
    if lay.is_single or m.ndev == 1:
        lay = Layout.single(lay.device if lay.is_single else 0)
    return ndarray._from_store(Store(m, tuple(shape), numpy.dtype(dtype), lay, shards))
