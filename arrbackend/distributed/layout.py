"""Layouts: how a store's global array is cut into shards, one per device.

* ``block(axis, ranges)``: device d holds the index range ``ranges[d] = (lo, hi)`` along
  ``axis`` and everything along the other axes.  Ranges partition ``[0, n)``; they may be
  uneven, empty, and need not follow device order (a reversed view's result keeps its
  data where it already is).
* ``replicated()``: every device holds the whole array.
* ``single(d)``: device d holds the whole array; other devices hold nothing.  Arrays
  smaller than ``settings.split_bytes`` live this way, and every array of a one-device
  machine does.
"""
from __future__ import annotations

from .._settings import settings

__all__ = ["Layout", "even_ranges", "default_layout", "choose_layout"]

BLOCK, REPLICATED, SINGLE = "block", "replicated", "single"


class Layout:
    __slots__ = ("kind", "axis", "ranges", "device", "key")

    def __init__(self, kind: str, axis: int = -1, ranges: tuple = (), device: int = -1):
        self.kind = kind
        self.axis = axis
        self.ranges = ranges
        self.device = device
        self.key = (kind, axis, ranges, device)     # what the layout is

    # constructors -------------------------------------------------------------------
    @staticmethod
    def single(device: int = 0) -> "Layout":
        return _SINGLES[device] if device < len(_SINGLES) else Layout(SINGLE, device=device)

    @staticmethod
    def replicated() -> "Layout":
        return _REPLICATED

    @staticmethod
    def block(axis: int, ranges) -> "Layout":
        return Layout(BLOCK, axis=axis, ranges=tuple((int(a), int(b)) for a, b in ranges))

    # queries ------------------------------------------------------------------------
    @property
    def is_block(self) -> bool:
        return self.kind == BLOCK

    @property
    def is_single(self) -> bool:
        return self.kind == SINGLE

    @property
    def is_replicated(self) -> bool:
        return self.kind == REPLICATED

    def holds(self, d: int) -> bool:
        """Whether device d has a shard (possibly empty) of this layout."""
        return self.kind != SINGLE or d == self.device

    def shard_shape(self, shape: tuple, d: int) -> tuple | None:
        if self.kind == BLOCK:
            lo, hi = self.ranges[d]
            return shape[:self.axis] + (hi - lo,) + shape[self.axis + 1:]
        if self.kind == SINGLE and d != self.device:
            return None
        return shape

    def owner_of(self, index: int) -> int:
        """The device holding index ``index`` along the block axis."""
        for d, (lo, hi) in enumerate(self.ranges):
            if lo <= index < hi:
                return d
        raise IndexError(index)

    def __eq__(self, other) -> bool:
        return isinstance(other, Layout) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        if self.kind == BLOCK:
            return f"Layout.block(axis={self.axis}, ranges={list(self.ranges)})"
        if self.kind == SINGLE:
            return f"Layout.single({self.device})"
        return "Layout.replicated()"


_SINGLES = [Layout(SINGLE, device=i) for i in range(64)]
_REPLICATED = Layout(REPLICATED)


def even_ranges(n: int, ndev: int) -> tuple:
    """``n`` rows over ``ndev`` devices as NumPy's ``array_split`` cuts them: the first
    ``n % ndev`` devices get one row more."""
    base, extra = divmod(n, ndev)
    out, lo = [], 0
    for d in range(ndev):
        hi = lo + base + (1 if d < extra else 0)
        out.append((lo, hi))
        lo = hi
    return tuple(out)


def default_layout(shape: tuple, itemsize: int, ndev: int) -> Layout:
    """The layout of a new array: one device below ``settings.split_bytes`` (or when it
    cannot be cut along axis 0), else even blocks of axis 0 over every device."""
    if ndev == 1 or len(shape) == 0 or shape[0] < 2:
        return Layout.single(0)
    size = 1
    for s in shape:
        size *= s
    if size * itemsize < settings.split_bytes:
        return Layout.single(0)
    return Layout.block(0, even_ranges(shape[0], ndev))


def choose_layout(arrays, shape: tuple, machine, itemsize: int) -> Layout:
    """The layout of a new result of ``shape`` computed from ``arrays``: aligned with the
    first operand spread in blocks along an axis the result keeps, else on the device of
    the first single-device operand, else replicated or split by size."""
    if machine.ndev == 1:
        return Layout.single(0)
    single = None
    all_replicated = bool(arrays)
    nd = len(shape)
    for a in arrays:
        lay = a._view_layout()
        if lay.is_block:
            k = lay.axis + nd - a.ndim
            if a._map.shape[lay.axis] == shape[k]:
                return lay if k == lay.axis else Layout.block(k, lay.ranges)
            all_replicated = False
        elif lay.is_single:
            all_replicated = False
            if single is None:
                single = lay
    if single is not None:
        return single
    if all_replicated:
        return Layout.replicated()
    return default_layout(shape, itemsize, machine.ndev)
