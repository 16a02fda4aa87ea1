"""Operations that need whole lines along some axes (sorting a row, an FFT along an
axis, a local scan): ``unsplit(x, axes)`` makes sure no device's piece is cut along
those axes, and ``pieces`` gives every device's piece (``api._helpers.map_blocks`` runs
a library call on each).

When the view is split along one of the axes, it is re-cut along the longest other axis
in one exchange (an all-to-all transpose, as distributed FFTs do with pencils); when no
other axis can carry the split (a 1-D array), it is gathered to one device (counted in
``counters['gathers']``) and the documentation of the caller says so.
"""
from __future__ import annotations

from .._counters import count
from .elementwise import relayout
from .layout import Layout, even_ranges
from .localize import Exchange, device_boxes

__all__ = ["unsplit", "pieces"]


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
