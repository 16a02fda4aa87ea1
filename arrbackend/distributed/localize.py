"""Localization: bringing the part of a view that a device needs onto that device.

Every operation picks the layout of its output, then for each device asks "which box
of each input do I need?", maps the box back through the input's index map to a box of
the input's store, and *localizes* it: a zero-copy slice of the local shard when the data
is already there, otherwise a buffer assembled from the pieces the other devices hold.
All the pieces one operation needs travel in one grouped exchange (``Exchange.run``).
Halo rows of shifted slices are not a special case: they are what localization does when
an operand is offset by a row.
"""
from __future__ import annotations

from .layout import Layout
from .comm import Transfer
from .store import alloc_local
from .view import IndexMap, view_range

__all__ = ["Exchange", "view_layout", "device_boxes", "local_view", "shard_slices", "post",
           "view_recipe", "apply_post", "fetch_recipe", "post_recipe"]


_VIEW_LAYOUTS: dict = {}        # (layout, index map) -> the view's layout (pure metadata)


def view_layout(store, vmap: IndexMap) -> Layout:
    """Where the elements of a view live, as a layout over the view's own axes (kept:
    a loop's views ask the same question of every device each statement)."""
    lay = store.layout
    if not lay.is_block:
        return lay
    key = (lay.key, vmap.key)
    hit = _VIEW_LAYOUTS.get(key)
    if hit is not None:
        return hit
    s = lay.axis
    f = vmap.fixed[s]
    if f >= 0:
        r = Layout.single(lay.owner_of(f))
    else:
        for k, (a, start, step) in enumerate(vmap.dims):
            if a == s:
                n = vmap.shape[k]
                r = Layout.block(k, [view_range(start, step, n, lo, hi)
                                     for lo, hi in lay.ranges])
                break
        else:
            raise AssertionError("a block axis is neither mapped nor fixed")
    if len(_VIEW_LAYOUTS) > 4096:
        _VIEW_LAYOUTS.clear()
    _VIEW_LAYOUTS[key] = r
    return r


def device_boxes(layout: Layout, shape: tuple, ndev: int) -> list:
    """For each device, the box (tuple of (lo, hi) per axis) of an array of ``shape``
    that it holds under ``layout``; None for devices that hold nothing."""
    full = tuple((0, n) for n in shape)
    if layout.is_block:
        k = layout.axis
        return [full[:k] + (r,) + full[k + 1:] for r in layout.ranges]
    if layout.is_single:
        return [full if d == layout.device else None for d in range(ndev)]
    return [full] * ndev


def shard_slices(sbox: list, offset_axis: int = -1, offset: int = 0) -> tuple:
    """Basic index selecting a store box (ascending per axis) in an array whose
    ``offset_axis`` starts at store index ``offset``."""
    out = []
    for a, (first, cnt, stride, _rev) in enumerate(sbox):
        if a == offset_axis:
            first -= offset
        if cnt <= 0:
            out.append(slice(0, 0))
        else:
            out.append(slice(first, first + stride * (cnt - 1) + 1, stride))
    out.append(Ellipsis)     # keeps 0-d selections arrays (views), never scalars
    return tuple(out)


def post_recipe(vmap: IndexMap, sbox: list, box: tuple):
    """How to go from an array holding a store box (all store axes, ascending) to the
    view's box: ``(index, perm, inter, shape)`` for :func:`apply_post` (each None where
    that step is not needed).  It drops fixed axes, reverses descending ones, orders the
    axes as the view does and adds its broadcast axes."""
    idx = tuple(0 if vmap.fixed[a] >= 0 else (slice(None, None, -1) if rev else _FULL)
                for a, (_f, _c, _s, rev) in enumerate(sbox))
    index = idx + (Ellipsis,) if any(i is not _FULL for i in idx) else None
    remaining = [a for a in range(len(sbox)) if vmap.fixed[a] < 0]
    order = [a for a, _s, _st in vmap.dims if a >= 0]
    perm = [remaining.index(a) for a in order] if order != remaining else None
    inter = shape = None
    if len(order) != len(vmap.dims):
        shape = tuple(hi - lo for lo, hi in box)
        inter = tuple(shape[k] if a >= 0 else 1 for k, (a, _s, _st) in enumerate(vmap.dims))
        if inter == shape:
            shape = None
    return index, perm, inter, shape


def apply_post(arr, recipe, xp):
    index, perm, inter, shape = recipe
    if index is not None:
        arr = arr[index]      # (the Ellipsis keeps a 0-d result an array: a view)
    if perm is not None:
        arr = arr.transpose(perm)
    if inter is not None:
        arr = arr.reshape(inter)
        if shape is not None:
            arr = xp.broadcast_to(arr, shape)
    return arr


def post(arr, vmap: IndexMap, sbox: list, box: tuple, xp):
    """From an array holding a store box (all store axes, ascending) to the view's box."""
    return apply_post(arr, post_recipe(vmap, sbox, box), xp)


_FULL = slice(None)


def view_recipe(store, vmap: IndexMap, d: int, box: tuple | None = None):
    """``(index, post recipe)``: the view (or its part in ``box``) on device ``d`` is
    ``apply_post(store.shards[d][index], recipe, xp)`` while it lies in d's shard."""
    if box is None:
        if vmap.ident and not store.layout.is_block:
            return None, (None, None, None, None)
        box = tuple((0, n) for n in vmap.shape)
    sbox = vmap.store_box(box)
    lay = store.layout
    if lay.is_block:
        sl = shard_slices(sbox, lay.axis, lay.ranges[d][0])
    else:
        sl = shard_slices(sbox)
    return sl, post_recipe(vmap, sbox, box)


def local_view(store, vmap: IndexMap, d: int, box: tuple | None = None):
    """The whole view (or the part of it in ``box``, view coordinates) on device d, when
    it lies entirely in d's shard (single layout on d, replicated, or a block view within
    d's range): a zero-copy array."""
    shard = store.shards[d]
    if box is None and not store.layout.is_block:
        if vmap.ident:
            return shard
        # the whole view of an unsplit store: its recipe depends on the map alone
        got = _WHOLE_VIEWS.get(vmap)
        if got is None:
            got = view_recipe(store, vmap, d)
            if len(_WHOLE_VIEWS) > 4096:
                _WHOLE_VIEWS.clear()
            _WHOLE_VIEWS[vmap] = got
        index, recipe = got
    else:
        index, recipe = view_recipe(store, vmap, d, box)
    return apply_post(shard[index], recipe, store.machine.devices[d].xp)


_WHOLE_VIEWS: dict = {}     # view map (never an identity map) -> (index, post recipe)


def fetch_recipe(store, sbox: list, d: int, m, copy: bool = False):
    """How device ``d`` gets the store box ``sbox`` (every store axis, ascending):
    ``("shard", index)``, a zero-copy slice of its own shard; or ``("buffer", shape,
    [(source device, index into its shard, index into the buffer)])``, a buffer the
    exchange fills (only the pieces this process sends or receives are listed).  Which
    of the two does not depend on the process asking: every process plans the same
    exchanges.  Pure metadata: statement plans keep it (``distributed/plans.py``)."""
    local = m.is_local(d)
    lay = store.layout
    shape = tuple(max(c, 0) for _f, c, _s, _r in sbox)
    if lay.is_block:
        s = lay.axis
        first, cnt, stride, _rev = sbox[s]
        if cnt <= 0:
            return ("shard", shard_slices(sbox, s, lay.ranges[d][0]))     # (empty)
        pieces = []
        for e, (lo, hi) in enumerate(lay.ranges):
            j0, j1 = view_range(first, stride, cnt, lo, hi)
            if j1 > j0:
                pieces.append((e, j0, j1, lo))
        if not copy and len(pieces) == 1 and pieces[0][0] == d:
            _e, j0, j1, lo = pieces[0]
            if (j0, j1) == (0, cnt):
                return ("shard", shard_slices(sbox, s, lo))
        moves = []
        for e, j0, j1, lo in pieces:
            if not (local or m.is_local(e)):
                continue
            part = list(sbox)
            part[s] = (first + stride * j0, j1 - j0, stride, False)
            moves.append((e, shard_slices(part, s, lo),
                          tuple(slice(j0, j1) if a == s else slice(None)
                                for a in range(len(sbox)))))
        return ("buffer", shape, moves)
    src = lay.device if lay.is_single else d
    if src == d and not copy:
        return ("shard", shard_slices(sbox))
    moves = []
    if local or m.is_local(src):
        moves.append((src, shard_slices(sbox), (slice(None),) * len(sbox)))
    return ("buffer", shape, moves)


class Exchange:
    """Collects the pieces one operation needs on each device, then moves them all at
    once.  ``localize`` returns the array a device will see (a zero-copy view of its
    shard, or a view of a buffer that ``run`` fills)."""

    def __init__(self, machine) -> None:
        self.machine = machine
        self.transfers: list[Transfer] = []

    def localize(self, store, vmap: IndexMap, box: tuple, d: int, copy: bool = False):
        """The view's elements in ``box`` (view coordinates) on device ``d``.  With
        ``copy`` the result never shares memory with the store."""
        sbox = vmap.store_box(box)
        arr = self.fetch(store, sbox, d, copy)
        if arr is None:
            return None
        return post(arr, vmap, sbox, box, self.machine.devices[d].xp)

    def fetch(self, store, sbox: list, d: int, copy: bool = False):
        """The store box ``sbox`` (per store axis ``(first, count, stride, rev)``) as an
        array on device ``d`` with every store axis, ascending: a zero-copy slice of the
        local shard when it holds the box, else a buffer the exchange fills.  None on a
        device of another process.

        A pending (deferred) store is computed here on every process, whichever devices
        the box lies on: across processes the computation is collective."""
        if store.pending:
            store.materialize()
        recipe = fetch_recipe(store, sbox, d, self.machine, copy)
        local = self.machine.is_local(d)
        if recipe[0] == "shard":
            return store.shards[d][recipe[1]] if local else None
        buf = alloc_local(self.machine.devices[d], recipe[1], store.dtype) if local else None
        for e, src_index, dst_index in recipe[2]:
            self.transfers.append(Transfer(e, store.shards[e], src_index, d, buf, dst_index))
        return buf

    def run(self) -> None:
        # across processes the exchange is collective: a process with nothing to move
        # still takes part (its peers' transfers may not involve it, but they wait on it)
        if self.transfers or self.machine.nranks > 1:
            self.machine.comm.exchange(self.transfers)
            self.transfers = []
