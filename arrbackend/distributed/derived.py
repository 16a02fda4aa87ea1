"""Stores over another store's memory, and NumPy's strides.

Some views cannot be written as an index map: a diagonal, a reshape of a strided view,
the real parts of complex values.  Such a view is a *derived* store: each shard is a view
(``numpy``/``cupy``) of the part of the source that the same device holds, and its
``base`` is the source's, so writes land in the source's memory, aliasing is seen by the
engine, and deferred readers of the source are computed before a write.

Every store also has NumPy's strides for its whole array: C-ordered strides for a store
that owns its memory, and for a derived store the strides NumPy's view would have
(``Derived.strides``).  They are metadata that every process has, so contiguity flags and
whether a reshape can be a view are decided as NumPy decides them, the same everywhere.
"""
from __future__ import annotations

from .localize import device_boxes, local_view, view_layout
from .store import Store

__all__ = ["Derived", "c_strides", "store_strides", "view_strides", "is_c_contiguous",
           "reshape_strides", "view_parts", "derived_array", "diagonal_view"]


class Derived(Store):
    """A store whose shards are views of the shards of ``base`` (see the module)."""

    __slots__ = ("strides",)

    def __init__(self, machine, shape: tuple, dtype, layout, shards: list, base: Store,
                 strides: tuple):
        Store.__init__(self, machine, tuple(shape), dtype, layout, shards, base=base)
        self.strides = tuple(strides)


def c_strides(shape: tuple, itemsize: int) -> tuple:
    """The strides (bytes) of a C-ordered array of ``shape``."""
    out, acc = [0] * len(shape), itemsize
    for k in range(len(shape) - 1, -1, -1):
        out[k] = acc
        acc *= max(shape[k], 1)
    return tuple(out)


def store_strides(store) -> tuple:
    """NumPy's strides (bytes) of a store's whole array."""
    if type(store) is Derived:
        return store.strides
    return c_strides(store.shape, store.dtype.itemsize)


def view_strides(store, vmap) -> tuple:
    """NumPy's strides (bytes) of the view ``vmap`` of ``store`` (0 along broadcast and
    new axes)."""
    ss = store_strides(store)
    return tuple(st * ss[a] if a >= 0 else 0 for a, _s, st in vmap.dims)


def is_c_contiguous(shape: tuple, strides: tuple, itemsize: int) -> bool:
    """NumPy's C_CONTIGUOUS flag: the axes longer than 1 have a packed array's strides
    (an empty array is contiguous)."""
    if 0 in shape:
        return True
    acc = itemsize
    for n, s in zip(reversed(shape), reversed(strides)):
        if n != 1:
            if s != acc:
                return False
            acc *= n
    return True


def reshape_strides(shape: tuple, strides: tuple, newshape: tuple, itemsize: int):
    """The strides of ``newshape`` over the memory of an array of ``shape`` and
    ``strides`` when NumPy's C-order reshape of it is a view, else None (NumPy's
    ``_attempt_nocopy_reshape``, after its shortcut for contiguous arrays)."""
    if is_c_contiguous(shape, strides, itemsize):
        return c_strides(newshape, itemsize)
    old = [(n, s) for n, s in zip(shape, strides) if n != 1]
    dims = [n for n, _ in old]
    ostr = [s for _, s in old]
    new = [0] * len(newshape)
    oi, oj, ni, nj = 0, 1, 0, 1
    while ni < len(newshape) and oi < len(dims):
        np_, op = newshape[ni], dims[oi]
        while np_ != op:
            if np_ < op:
                np_ *= newshape[nj]
                nj += 1
            else:
                op *= dims[oj]
                oj += 1
        for ok in range(oi, oj - 1):
            if ostr[ok] != dims[ok + 1] * ostr[ok + 1]:
                return None
        new[nj - 1] = ostr[oj - 1]
        for nk in range(nj - 1, ni, -1):
            new[nk - 1] = new[nk] * newshape[nk]
        ni, nj = nj, nj + 1
        oi, oj = oj, oj + 1
    last = new[ni - 1] if ni >= 1 else itemsize
    for nk in range(ni, len(newshape)):
        new[nk] = last
    return tuple(new)


def view_parts(x):
    """The layout of the view ``x`` over its own axes, and for each device of this
    process holding part of it: ``(device index, box, local array)``, the local array a
    zero-copy view of the device's shard."""
    store, vmap = x._store, x._map
    if store.pending:
        store.materialize()
    m = store.machine
    lay = view_layout(store, vmap)
    boxes = device_boxes(lay, vmap.shape, m.ndev)
    parts = [(d, boxes[d], local_view(store, vmap, d, boxes[d]))
             for d in m.local if boxes[d] is not None]
    return lay, parts


def derived_array(x, shape: tuple, dtype, layout, shards: dict, strides: tuple,
                  readonly: bool):
    """A new array over ``x``'s memory: the shards ``{device: local view}`` laid out by
    ``layout``; read-only if ``readonly`` (or if ``x`` is)."""
    from .array import ndarray
    import numpy
    store = x._store
    m = store.machine
    full = [None] * m.ndev
    for d, sh in shards.items():
        full[d] = sh
    r = ndarray._from_store(Derived(m, shape, numpy.dtype(dtype), layout, full, store,
                                    strides))
    r._readonly = bool(readonly or x._readonly)
    return r


def diagonal_view(x, offset: int, a1: int, a2: int, readonly: bool = True):
    """The diagonal of ``x`` over axes ``a1``, ``a2`` (normalized, distinct) as NumPy's
    ``diagonal`` gives it: a view, the other axes first, then the diagonal.  Each device
    takes the diagonal of its own part, so nothing moves; where the view is split along
    ``a1`` or ``a2`` each device holds the diagonal elements of its rows."""
    from .layout import Layout
    rest = [k for k in range(x.ndim) if k not in (a1, a2)]
    n1, n2 = x.shape[a1], x.shape[a2]
    if offset >= 0:
        length, s1, s2 = max(0, min(n1, n2 - offset)), 0, offset
    else:
        length, s1, s2 = max(0, min(n1 + offset, n2)), -offset, 0
    shape = tuple(x.shape[k] for k in rest) + (length,)
    vs = view_strides(x._store, x._map)
    strides = tuple(vs[k] for k in rest) + (vs[a1] + vs[a2],)
    lay, parts = view_parts(x)
    layout = lay
    if lay.is_block:
        k = lay.axis
        if k in rest:
            layout = Layout.block(rest.index(k), lay.ranges)
        else:
            s = s1 if k == a1 else s2

            def clip(i):
                return min(max(i - s, 0), length)
            layout = Layout.block(len(rest), [(clip(lo), clip(hi)) for lo, hi in lay.ranges])
    m = x._store.machine
    shards = {}
    for d, box, loc in parts:
        off = offset
        if lay.is_block and lay.axis == a1:
            off += box[a1][0]           # (the device's rows start at box[a1][0])
        elif lay.is_block and lay.axis == a2:
            off -= box[a2][0]
        dev = m.devices[d]
        with dev.activate():
            sh = dev.xp.diagonal(loc, off, a1, a2)
            if not dev.is_gpu and loc.flags.writeable and not sh.flags.writeable:
                sh.flags.writeable = True       # (NumPy's read-only flag is ours to keep)
        shards[d] = sh
    repeats = any(a < 0 and n > 1 for (a, _s, _st), n in zip(x._map.dims, x.shape))
    return derived_array(x, shape, x.dtype, layout, shards, strides, readonly or repeats)
