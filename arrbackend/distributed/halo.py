"""Halo rows: shards that keep a few spare rows above and below their own.

A stencil statement on a sharded array reads, on each device, its own rows and a few of
each neighbour's.  Without halos the plan assembles that tile in a new buffer every
statement: the device's whole shard copied beside the neighbours' rows (or the share cut
into three boxes, two edge bands and the interior, each one more evaluation).  A shard
with halo rows is a view into a larger allocation with ``top`` spare rows before it and
``bot`` after it; the exchange writes the neighbours' rows into the spare rows, and the
tile is a view of the allocation: no copy of the device's own rows, one evaluation.

Halos are grown lazily, the first time a plan reads a store that way (``want``), by
moving the shard into a larger allocation once.  Only where nothing else can see the old
shard: the store owns its memory (no other store shares it, ``Store.base``), and no view
of the shard is alive anywhere (its reference count) -- a view would go on reading the
old memory.  A store's halos stay valid while its shards are the ones they were grown
for (``widths``); plans key on them, so a plan that reads spare rows is replayed only
with stores that have them.

Whether a tile *may* use halos (``rows``) is decided from metadata alone, the same on
every process (the pieces sent between processes must match); whether the store *has*
them is the local process's state and changes only what it copies locally.
"""
from __future__ import annotations

import sys

from .._counters import count
from .store import alloc_local

__all__ = ["MAX_ROWS", "rows", "widened", "widths", "key", "full", "grow", "pin", "asked"]

#: the most spare rows on either side: a halo serves shifts of up to this many rows
MAX_ROWS = 8

_refcount = sys.getrefcount


def _refs(a, gpu: bool) -> tuple:
    """Who can see ``a``'s memory, as reference counts: of ``a``, of its base (None
    where it owns its memory) and, on a GPU, of its memory pointer and of the memory
    block (one per pointer of the device library into it)."""
    b = a.base
    if not gpu:
        return (_refcount(a), None if b is None else _refcount(b), None, None)
    ptr = a.data
    # (views made by reshape share the pointer object: counted through ``base``;
    # slices make their own pointer into the same memory block: counted through ``mem``;
    # an array built over the pointer itself is counted through the pointer)
    return (_refcount(a), None if b is None else _refcount(b), _refcount(ptr),
            _refcount(ptr.mem))


class _Holder:
    __slots__ = ("_base",)


def _calibrate_base() -> int:
    """The count ``grow`` reads for a base store that only its derived store refers to."""
    h = _Holder()
    h._base = _Holder()
    return _refcount(h._base)


_BASE_ALONE = _calibrate_base()

_ALONE: dict = {}


def _alone(xp, gpu: bool) -> tuple:
    """The counts ``_refs`` reads, for ``xp``'s arrays, of an array only a list refers
    to: one owning its memory, one viewing a block nothing else views; and (second)
    one viewing a block that one other list holds (a reshaped store's shard, whose
    base store nothing else refers to)."""
    hit = _ALONE.get(xp)
    if hit is None:
        held = [xp.empty(4)]
        owner = _refs(held[0], gpu)
        held = [xp.empty(8)[2:6]]
        view = _refs(held[0], gpu)
        other = [xp.empty(8)]
        held = [other[0].reshape(2, 4)]
        shared = _refs(held[0], gpu)
        hit = _ALONE[xp] = ((owner, view), (shared,))
    return hit


#: refusals (memory shared) after which a store is not asked again
_REFUSALS = 4


def _refused(store, lasting: bool = False) -> bool:
    """Count a refusal; after ``_REFUSALS`` (at once where it will not change: a layout,
    a size, no memory) the store is never asked again (a sharing that lasted that many
    statements usually lasts)."""
    h = getattr(store, "halo", None)
    if h is None or type(h) is int:
        n = _REFUSALS if lasting else (h or 0) + 1
        store.halo = False if n >= _REFUSALS else n
    return False


def asked(store) -> bool:
    """Whether growing ``store``'s halos may still be tried."""
    return getattr(store, "halo", None) is not False


def pin(store) -> None:
    """Never grow the halos of ``store`` or of its base: its memory was handed out by
    address (the CUDA array interface), which no reference count shows."""
    for s in (store, store.base):
        h = getattr(s, "halo", None)
        s.halo = h[:3] + (True,) if type(h) is tuple else False


def rows(store, union, d):
    """``(top, bot)``: the rows before and after device ``d``'s own that the store box
    ``union`` reads, where a halo can serve them (a block layout along axis 0, a share
    of rows, at most ``MAX_ROWS`` each side); None otherwise (or where no rows outside
    are read).  Metadata only."""
    lay = store.layout
    if not lay.is_block or lay.axis != 0 or not union:
        return None
    first, cnt, stride, _rev = union[0]
    if cnt <= 0:
        return None
    lo, hi = lay.ranges[d]
    if hi <= lo:
        return None
    top = lo - first
    bot = first + stride * (cnt - 1) + 1 - hi
    if top < 0:
        top = 0
    if bot < 0:
        bot = 0
    if not (top or bot) or top > MAX_ROWS or bot > MAX_ROWS:
        return None
    if 8 * max(top, bot) > hi - lo:
        return None                     # (spare rows would cost more than they save)
    return top, bot


def widened(union, shape) -> list:
    """The store box a halo tile holds: ``union``'s rows (every row between its first
    and last) across whole rows, so that every piece moved into it is a block of whole
    rows (contiguous, the same on the sending and the receiving side)."""
    first, cnt, stride, _rev = union[0]
    out = [(first, stride * (cnt - 1) + 1, 1, False)]
    out += [(0, n, 1, False) for n in shape[1:]]
    return out


def key(store):
    """The store's halo widths per device (for plan keys), or None: no halos, or halos
    grown for shards the store no longer has (then forgotten)."""
    h = getattr(store, "halo", None)    # (unset on a store made field by field)
    if type(h) is not tuple:
        return None
    shards = store.shards
    for d, a in enumerate(h[0]):
        if a is not None and shards[d] is not a:
            store.halo = False if h[3] else None
            return None
    return h[1]


def widths(store, d):
    """``(top, bot)`` spare rows of device ``d``'s shard, or None."""
    w = key(store)
    if w is None or w[d] == (0, 0):
        return None
    return w[d]


def full(store, d):
    """Device ``d``'s allocation: the shard with its spare rows."""
    return store.halo[2][d]


def grow(store, d, top, bot, dev) -> bool:
    """Give device ``d``'s shard ``top`` and ``bot`` spare rows (at least), moving it
    into a new allocation, where nothing else can see the old one; whether it did."""
    if getattr(store, "halo", None) is False or \
            (store._base is not None and getattr(store._base, "halo", None) is False):
        return False
    shards = store.shards
    if shards[d] is None or shards[d].ndim == 0:
        return False
    alone, shared = _alone(dev.xp, dev.is_gpu)
    if store._base is None:
        if _refs(shards[d], dev.is_gpu) not in alone:
            return _refused(store)      # (a view of its memory is alive: it would go stale)
    elif _refcount(store._base) != _BASE_ALONE or _refs(shards[d], dev.is_gpu) not in shared:
        return _refused(store)          # (another store, or a view, shares the memory)
    sh = shards[d]
    if not sh.flags.c_contiguous:
        return _refused(store, True)
    w = key(store)
    if w is not None and (w[d] != (0, 0) or store.halo[3]):
        return False                    # (grown once: a wider shift copies its tile)
    n = sh.shape[0]
    k = max(top, bot)
    if 8 * k > n:
        return _refused(store, True)    # (spare rows cost more than they save)
    try:
        big = alloc_local(dev, (n + 2 * k,) + sh.shape[1:], sh.dtype)
    except MemoryError:
        return _refused(store, True)
    inner = big[k:k + n]
    if dev.is_gpu:
        with dev.activate():
            inner.data.copy_from_device_async(sh.data, sh.nbytes)
            # (done before the old block is freed: a pool that frees in the order of
            # another stream must not hand it out while the copy still reads it)
            dev.xp.cuda.get_current_stream().synchronize()
    else:
        inner[...] = sh
    h = store.halo if w is not None else None       # (None, or the devices grown)
    nd = len(shards)
    interiors = list(h[0]) if h else [None] * nd
    ws = list(h[1]) if h else [(0, 0)] * nd
    fulls = list(h[2]) if h else [None] * nd
    interiors[d], ws[d], fulls[d] = inner, (k, k), big
    shards[d] = inner
    count("halos")
    store.halo = (tuple(interiors), tuple(ws), tuple(fulls), False)
    if store._base is not None and all(a is None or a is i for a, i in zip(shards, interiors)):
        # its memory is its own now, on every device; the deferred statements that
        # still read it were registered with the base: they stay registered here
        readers = store._base._readers
        if readers:
            store._readers = (store._readers or []) + readers
        store._base = None
    return True
