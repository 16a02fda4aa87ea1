"""Plans: what a deferred statement does on each device, worked out once per form of
statement and replayed.

A program's loop presents the same statement thousands of times, with operands of the
same shapes, dtypes, index maps and layouts.  Everything the engine decides from that
metadata is the statement's *plan*, built the first time:

* per device, its box of the target, and for each store the statement reads the *tile*
  it needs (the union of the boxes of that store's views: one halo-extended tile however
  many shifted views read it): a slice of its own shard, a slice of the shard with its
  halo rows (``halo.py``), or a buffer that the statement's one grouped exchange fills,
  with the pieces each device sends;
* each leaf's view of its tile, and the target's view of its shard (index recipes);
* the copies that aliasing needs (a leaf reading the target's memory elsewhere than it
  writes reads the values from before the statement);
* the evaluator: on a GPU a compiled kernel with its launch arguments, on a CPU device a
  numexpr program or a straight-line program of NumPy's ufuncs.

A plan is kept under a key made of everything it read: the expression's structure and
dtypes (``expr.sig``, built with the expression); for each leaf, which of the
statement's stores it reads (by order of appearance, not identity: the seed's ping-pong
between two grids replays one plan) and its index map; for each store its shape, dtype,
layout, whether it shares the target's memory, its halo widths, and on GPUs its shards'
strides; the target's store and map; the random leaves' maps; the machine.  A plan binds no data:
each replay takes the shards of this statement's stores, and the per-statement values
(scalars, random streams) from its expression.  A change of any property builds another
plan; nothing stale is ever read.
"""
from __future__ import annotations

import math
import weakref

import numpy
from numpy.lib.stride_tricks import as_strided as _as_strided

from .._counters import count
from ..kernels import cpu_fused, cpu_numba
from .comm import Transfer
from . import halo
from .localize import apply_post, device_boxes, fetch_recipe, post_recipe, shard_slices
from .store import POOL_MIN_BYTES, alloc_local, give, take

__all__ = ["evaluate", "plan_count", "clear"]

_PLANS: dict = {}
_MAX_PLANS = 4096
_NO_POST = (None, None, None, None)


def plan_count() -> int:
    """How many statement plans are kept (for tests and the profile)."""
    return len(_PLANS)


def clear() -> None:
    _PLANS.clear()


def _key(expr, lvs, tstore, tmap, layout, m):
    """The statement's stores (in order of first appearance) and its plan key."""
    stores = []
    leaves = []
    for lf in lvs:
        st = lf.store
        i = 0
        for s in stores:
            if s is st:
                break
            i += 1
        else:
            stores.append(st)
        leaves.append((i, lf.vmap.key))
    tbase = tstore._base or tstore
    gpu = m.is_gpu
    groups = []
    for s in stores:
        groups.append((s.shape, s.dtype, s.layout.key, (s._base or s) is tbase, s is tstore,
                       _strides(s, m) if gpu else None, halo.key(s)))
    key = (m, expr.sig, tuple(leaves), tuple(groups), layout.key,
           (tstore.shape, tstore.dtype, tstore.layout.key, tmap.key,
            _strides(tstore, m) if gpu else None))
    if expr.rands:
        key += tuple((r.kind, r.dtype, r.rshape, r.vmap.key) for r in expr.rands)
    return stores, key


def _strides(store, m):
    shards = store.shards
    if m.ndev == 1:
        return shards[0].strides
    return tuple(None if shards[d] is None else shards[d].strides for d in m.local)


def evaluate(expr, lvs, tstore, tmap, layout, m, errstate, rand_local) -> None:
    """Evaluate ``expr`` (leaves ``lvs``) into the view ``tmap`` of ``tstore``, whose
    elements lie under ``layout`` (the view's layout), on every device of ``m``."""
    if _wanted:
        _grow_wanted()
    stores, key = _key(expr, lvs, tstore, tmap, layout, m)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _Plan(expr, lvs, stores, tstore, tmap, layout, m, rand_local)
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        _PLANS[key] = plan
    plan.run(expr, stores, tstore, errstate, rand_local)
    if plan.wants:
        plan.want(stores)


#: halos to grow before the next statement (``_Plan.want``): not at the end of this
#: one, whose expression still refers to its stores' memory
_wanted: list = []


def _grow_wanted() -> None:
    wanted = _wanted[:]
    del _wanted[:]
    for ref, d, (top, bot), dev in wanted:
        st = ref()
        if st is not None:
            halo.grow(st, d, top, bot, dev)


class _Plan:
    """The statement on every device: ``parts`` for this process's devices, and
    ``moves``, the pieces each device's tiles receive (``(device, store, [(source device,
    index into its shard, index into the tile)])``, the sends of this process included)."""

    __slots__ = ("m", "parts", "moves", "exchange", "wants", "rows")

    def __init__(self, expr, lvs, stores, tstore, tmap, layout, m, rand_local):
        self.m = m
        tbase = tstore.base
        groups = [[lf for lf in lvs if lf.store is st] for st in stores]
        # leaves reading the target's memory elsewhere than it is written read the values
        # from before the statement: a copy
        copies = [st.base is tbase and any(st is not tstore or lf.vmap != tmap
                                           for lf in groups[g])
                  for g, st in enumerate(stores)]
        self.parts = []
        self.moves = []     # (index in parts or None, device, store, pieces)
        # whether any device anywhere receives a tile: then every process takes part in
        # the exchange (the same answer on every process: plans are built from metadata)
        self.exchange = False
        self.wants = []     # (store, device, (top, bot)): halos that would serve a tile
        for d, dbox in enumerate(device_boxes(layout, tmap.shape, m.ndev)):
            if dbox is None:
                continue
            for box in _pieces(dbox, tmap.shape, groups, stores, copies, d, m):
                self._add(expr, lvs, stores, tstore, tmap, groups, copies, d, box)
        self.rows = None
        if m.is_gpu:
            for part in self.parts:
                part.prepare(expr, lvs, stores, tstore, rand_local)
            if self.exchange and m.nranks == 1 and all(
                    m.devices[d]._cupy_device is None for d in m.local):
                self.rows = self._row_copies(stores)

    def _add(self, expr, lvs, stores, tstore, tmap, groups, copies, d, box) -> None:
        """The share of ``box`` (a box of the target view on device ``d``)."""
        m = self.m
        tiles = []          # per store: ("shard" or "halo", index) or ("buffer", shape)
        unions = []
        local = m.is_local(d)
        for g, st in enumerate(stores):
            union = _union([lf.vmap.store_box(box) for lf in groups[g]])
            need = None if copies[g] else halo.rows(st, union, d)
            if need is not None:
                union = halo.widened(union, st.shape)
            unions.append(union)
            recipe = fetch_recipe(st, union, d, m, copies[g])
            if recipe[0] == "shard":
                tiles.append(recipe)
                continue
            self.exchange = True
            pieces = recipe[2]
            have = halo.widths(st, d) if need is not None and local else None
            if have is not None and have[0] >= need[0] and have[1] >= need[1]:
                # the tile is the shard with its spare rows: only the neighbours' rows move
                lo = st.layout.ranges[d][0]
                tiles.append(("halo", shard_slices(union, 0, lo - have[0])))
                pieces = [p for p in pieces if p[0] != d]
            else:
                tiles.append(("buffer", recipe[1]))
                if need is not None and local:
                    self.wants.append((g, d, need))
            if pieces:
                self.moves.append((len(self.parts) if local else None, d, g, pieces))
        if not local:
            return
        leaves = []
        for lf in lvs:
            g = next(i for i, st in enumerate(stores) if st is lf.store)
            sb = lf.vmap.store_box(box)
            rel = tuple(_rel_slice(s, u) for s, u in zip(sb, unions[g])) + (Ellipsis,)
            post = post_recipe(lf.vmap, sb, box)
            leaves.append((g, rel, None if post == _NO_POST else post))
        tsb = tmap.store_box(box)
        trecipe = fetch_recipe(tstore, tsb, d, m)
        assert trecipe[0] == "shard", "a target lies on its own devices"
        tpost = post_recipe(tmap, tsb, box)
        target = (trecipe[1], None if tpost == _NO_POST else tpost)
        self.parts.append(_Part(expr, lvs, m.devices[d], box, tiles, leaves, target))

    def _row_copies(self, stores):
        """Shards on the one current GPU whose every tile is read in place (halos): the
        exchange as planned memory copies, ``(store, from device, byte offset from its
        shard, to device, byte offset from its shard, bytes)`` -- the offsets are fixed
        by the shapes, strides and halo widths that the plan's key holds.  None where a
        piece is not one contiguous block or a tile is a buffer of its own."""
        if any(spec[0] == "buffer" for p in self.parts for spec in p.tiles):
            return None
        out = []
        for i, d, g, pieces in self.moves:
            if i is None:
                return None
            shards = stores[g].shards
            tile = halo.full(stores[g], d)[self.parts[i].tiles[g][1]]
            for e, src_index, dst_index in pieces:
                src, dst = shards[e][src_index], tile[dst_index]
                if not (src.flags.c_contiguous and dst.flags.c_contiguous
                        and src.shape == dst.shape):
                    return None
                if src.nbytes:
                    out.append((g, e, src.data.ptr - shards[e].data.ptr, d,
                                dst.data.ptr - shards[d].data.ptr, src.nbytes))
        return out

    def want(self, stores) -> None:
        """Ask for the halos that would let this statement read its tiles in place."""
        for g, d, need in self.wants:
            if halo.asked(stores[g]):
                _wanted.append((weakref.ref(stores[g]), d, need, self.m.devices[d]))

    def run(self, expr, stores, tstore, errstate, rand_local) -> None:
        parts = self.parts
        m = self.m
        tiles = None
        if self.rows is not None:
            _copy_rows(self.rows, stores, m.devices[m.local[0]].xp)
        elif self.exchange:
            tiles = [p.make_tiles(stores) for p in parts]
            transfers = []
            for i, d, g, pieces in self.moves:
                buf = tiles[i][g] if i is not None else None
                st = stores[g]
                for e, src_index, dst_index in pieces:
                    transfers.append(Transfer(e, st.shards[e], src_index, d, buf, dst_index))
            m.comm.exchange(transfers)
        if errstate is None or m.is_gpu:
            for i, p in enumerate(parts):
                p.run(expr, stores, tstore, tiles and tiles[i], None, rand_local)
            return
        with errstate.applied():       # (one block for all devices: each warning once)
            for i, p in enumerate(parts):
                p.run(expr, stores, tstore, tiles and tiles[i], errstate.state, rand_local)


def _copy_rows(rows, stores, cp) -> None:
    """A plan's exchange on one GPU: its planned memory copies, on the current stream."""
    memcpy = cp.cuda.runtime.memcpyAsync
    stream = cp.cuda.get_current_stream().ptr
    nbytes = 0
    for g, e, src_off, d, dst_off, n in rows:
        shards = stores[g].shards
        memcpy(shards[d].data.ptr + dst_off, shards[e].data.ptr + src_off, n, 3, stream)
        nbytes += n
    if nbytes:
        count("exchanges")
        count("exchange_bytes", nbytes)


#: the widest edge band split off a device's share (``_pieces``), and the least share
#: (elements) that is split: each band is one more evaluation, host work that a copy of
#: a small share costs less than.  On a GPU the copy is fast and the host work slow
#: (H100, stencil step on gpu:0,0,0,0: 4096^2, shares of 4M elements, 0.59 ms a step
#: unsplit and 0.81 ms split, the GPU waiting for the host; 16384^2, 3.06 ms and 1.68 ms)
_MAX_EDGE = 8
_SPLIT_MIN = 1 << 17
_SPLIT_MIN_GPU = 1 << 23


def _pieces(box, shape, groups, stores, copies, d, m) -> list:
    """A device's share of a statement: its box, or, where its leaves read a few rows of
    the neighbouring devices' shards (a stencil's halo), three boxes along the split
    axis -- two edge bands whose tiles the exchange fills, and the interior between
    them, which reads the device's own shards in place.  (One box would copy the whole
    of its own shard into a tile beside the halo rows: a stencil step on four shards of
    one GPU spent more time copying than computing.)  Not where halo rows can serve
    the tiles (``halo.rows``): one box then reads the shard and its halos in place."""
    cut = [a for a, (lo, hi) in enumerate(box) if (lo, hi) != (0, shape[a])]
    least = _SPLIT_MIN_GPU if m.is_gpu else _SPLIT_MIN
    if len(cut) != 1 or any(copies) or math.prod(hi - lo for lo, hi in box) < least:
        return [box]

    def in_place(b):
        """Whether every store's tile of box ``b`` is read in place: a slice of the
        shard, or one with halo rows.  Between processes the answer must be the same on
        every process (the pieces sent depend on it), so there it is metadata only --
        whether halos *may* serve the tile, grown yet or not; in one process, whether
        they do now (a store whose halos are not grown yet, or cannot be, is cut)."""
        for g, st in enumerate(stores):
            u = _union([lf.vmap.store_box(b) for lf in groups[g]])
            if fetch_recipe(st, u, d, m)[0] == "shard":
                continue
            need = halo.rows(st, u, d)
            if need is None:
                return False
            if m.nranks == 1:
                have = halo.widths(st, d)
                if have is None or have[0] < need[0] or have[1] < need[1]:
                    return False
        return True

    if in_place(box):
        return [box]
    a = cut[0]
    lo, hi = box[a]
    for k in range(1, _MAX_EDGE + 1):
        if hi - lo <= 4 * k:
            break
        inner = box[:a] + ((lo + k, hi - k),) + box[a + 1:]
        if in_place(inner):
            return [box[:a] + ((lo, lo + k),) + box[a + 1:], inner,
                    box[:a] + ((hi - k, hi),) + box[a + 1:]]
    return [box]


class _Part:
    """One device's share: its tiles, the leaves' views of them, the target's view of
    its shard, and the evaluator (``program``/``fused`` on a CPU device, the prepared
    ``launch`` on a GPU)."""

    __slots__ = ("d", "dev", "box", "tiles", "leaves", "target", "program", "root_copy",
                 "fused", "launch", "jit", "runs")

    def __init__(self, expr, lvs, dev, box, tiles, leaves, target):
        self.d = dev.index
        self.dev = dev
        self.box = box
        self.tiles = tiles
        self.leaves = leaves
        self.target = target
        self.launch = None
        self.fused = None
        self.jit = False                # (False: not asked yet; None: no kernel)
        self.runs = 0
        self.program = self.root_copy = None
        if not dev.is_gpu:
            self.program, self.root_copy = _compile(expr, lvs)
            size = 1
            for lo, hi in box:
                size *= hi - lo
            if size >= cpu_fused.MIN_SIZE:
                self.fused = cpu_fused.program(expr, lvs)

    def make_tiles(self, stores) -> list:
        """This statement's tiles here: slices of the shards, new buffers to fill."""
        d = self.d
        return [stores[g].shards[d][spec[1]] if spec[0] == "shard" else
                halo.full(stores[g], d)[spec[1]] if spec[0] == "halo" else
                alloc_local(self.dev, spec[1], stores[g].dtype)
                for g, spec in enumerate(self.tiles)]

    def _values(self, stores, tiles) -> list:
        """The leaves' local views for this statement."""
        d = self.d
        xp = self.dev.xp
        vals = []
        for g, rel, post in self.leaves:
            t = tiles[g] if tiles is not None else stores[g].shards[d][self.tiles[g][1]]
            a = t[rel]
            vals.append(a if post is None else apply_post(a, post, xp))
        return vals

    def run(self, expr, stores, tstore, tiles, modes, rand_local) -> None:
        if self.dev.is_gpu:
            if self.launch is not None:
                self._launch(expr, stores, tstore, tiles)
            return                      # (no launch: nothing to write)
        vals = self._values(stores, tiles)
        for c in expr.consts:
            vals.append(c.value)
        for r in expr.rands:
            vals.append(rand_local(r, self.box, self.dev))
        out = _target(tstore, self.d, self.target, numpy)
        jit = self.jit
        if jit is False and out.size:
            self.runs += 1
            if self.runs >= _JIT_AFTER and self.runs * out.size >= _JIT_WORK:
                jit = self.jit = cpu_numba.program(expr, expr.lvs, out.ndim)
        if jit:
            try:
                if _run_fused(jit, vals, out, modes, self._shares(stores, tstore)):
                    return
            except cpu_numba.Unusable:
                self.jit = None
        if self.fused is not None and out.size and _run_fused(
                self.fused, vals, out, modes, self._shares(stores, tstore)):
            return
        count("numpy_statements")
        _execute(self.program, self.root_copy, vals, out)

    def _shares(self, stores, tstore) -> bool:
        """Whether a leaf reads the target's memory in place (not through a copy)."""
        tbase = tstore._base or tstore
        return any((stores[g]._base or stores[g]) is tbase and self.tiles[g][0] != "buffer"
                   for g, _r, _p in self.leaves)

    # GPUs: a launch prepared once, replayed with this statement's pointers ------------
    def prepare(self, expr, lvs, stores, tstore, rand_local) -> None:
        from ..kernels import fused
        dev = self.dev
        with dev.activate():
            tiles = self.make_tiles(stores)
            vals = self._values(stores, tiles)
            leaf_local = {id(lf): v for lf, v in zip(lvs, vals)}
            for r in expr.rands:
                leaf_local[id(r)] = rand_local(r, self.box, dev)
            out = _target(tstore, self.d, self.target, dev.xp)
            if out.size == 0:
                return
            owners = [g for g, _r, _p in self.leaves]
            ptrs = [_base_ptr(st, self.d, spec, t) for st, spec, t in
                    zip(stores, self.tiles, tiles)]
            self.launch = fused.prepare(dev, expr, leaf_local, out, lvs, owners, ptrs,
                                        tstore.shards[self.d].data.ptr)

    def _launch(self, expr, stores, tstore, tiles) -> None:
        d = self.d
        if tiles is None:
            ptrs = [st.shards[d].data.ptr for st in stores]
        else:
            ptrs = [_base_ptr(st, d, spec, t) for st, spec, t in
                    zip(stores, self.tiles, tiles)]
        if self.dev._cupy_device is None:       # (the current device: no switch)
            self.launch.run(ptrs, tstore.shards[d].data.ptr, expr)
            return
        with self.dev.activate():
            self.launch.run(ptrs, tstore.shards[d].data.ptr, expr)


def _base_ptr(store, d, spec, tile) -> int:
    """The pointer a prepared launch takes for a tile: its shard's (a slice of the shard,
    or of the shard with its halo rows: the offsets from it are planned, negative into
    the rows before it) or the buffer's own."""
    return tile.data.ptr if spec[0] == "buffer" else store.shards[d].data.ptr


def _target(tstore, d, target, xp):
    index, post = target
    a = tstore.shards[d][index]
    return a if post is None else apply_post(a, post, xp)


# numexpr reads and writes strided views through copies, at about the cost of three of
# NumPy's strided operations (measured on 2 cores: one addition of 254x254 views of a
# 256x256 array, numexpr 200 us, NumPy 81 us; the five operations of a stencil step of
# 998x998 views, numexpr 3.7 ms, NumPy 6.3 ms)
_STRIDED_MIN_OPS = 3


def _spans(args, out):
    """Where the target is a block of rows of a larger C-ordered array (an interior
    ``a[1:-1, 1:-1]``) and every operand is a block of rows of the same pitch: the
    operands and the target as 1-d contiguous spans from their first element to their
    last, which numexpr reads without copies (the few elements between the rows are
    computed too, and the target's are put back after).  ``(operands, target, the
    target's gaps, their values)``, or None."""
    if out.ndim != 2:
        return None
    rows, cols = out.shape
    isz = out.itemsize
    pitch, step = out.strides
    if rows < 2 or step != isz or pitch % isz:
        return None
    p = pitch // isz
    if p <= cols or (p - cols) * 16 > cols:
        return None                 # (contiguous already, or too much between the rows)
    n = (rows - 1) * p + cols
    flat = []
    for a in args:
        if a.ndim == 0:
            flat.append(a)
            continue
        s = a.itemsize
        if a.shape != out.shape or a.strides != (p * s, s):
            return None
        flat.append(_as_strided(a, (n,), (s,)))
    span = _as_strided(out, (n,), (isz,))
    gaps = _as_strided(span[cols:], (rows - 1, p - cols), (pitch, isz))
    return flat, span, gaps, gaps.copy()


#: a statement's compiled loop nest (``cpu_numba``) is made on its plan's third run at
#: the earliest, once the plan has computed ``_JIT_WORK`` elements in all: compiling
#: takes about 0.3 s, which a statement of 10**6 elements saves back in about 100 runs,
#: one of 10**4 elements never (a statement run a few times keeps NumPy's ufuncs)
_JIT_AFTER = 3
_JIT_WORK = 1 << 22


def _all_finite(x) -> bool:
    """Whether every value of ``x`` is finite: one sum (its own overflow and NaN are no
    error of the user's: silent), counted one by one only where the sum is not finite."""
    with numpy.errstate(all="ignore"):
        return bool(numpy.isfinite(numpy.add.reduce(x, axis=None))) or \
            bool(numpy.isfinite(x).all())


def _run_fused(prog, vals, out, modes, shares) -> bool:
    """The numexpr program into ``out``; False where NumPy's ufuncs must compute the
    statement (errors to report that the values cannot show, or a check that found
    values that are not finite: NumPy then issues its warnings or raises)."""
    check = modes is not None and (modes["divide"] != "ignore" or modes["over"] != "ignore"
                                   or modes["invalid"] != "ignore")
    if modes is not None and modes["under"] != "ignore":
        return False                # (underflow leaves no trace in the values)
    kernel = type(prog) is cpu_numba.Kernel
    if check and out.dtype.kind == "b" and not kernel:
        return False                # (numexpr: a comparison's operands go unchecked; a
    if kernel:                      # loop nest checks them: cpu_fused._MASKING)
        shape = out.shape
        args = [v if type(v) is not numpy.ndarray or v.shape == shape else
                numpy.broadcast_to(v, shape) for v in vals[:prog.nargs]]
        dest = out
        if check and shares:
            # (a check that fails computes again from the leaves, which must be intact:
            # the values go to a scratch array first, a pooled block where there is one)
            dest = take(shape, out.dtype) if out.nbytes >= POOL_MIN_BYTES else None
            if dest is None:
                dest = numpy.empty(shape, out.dtype)
        try:
            if prog(dest, args) and check:
                return False            # (values that are not finite: NumPy's ufuncs)
            if dest is not out:
                numpy.copyto(out, dest)
        finally:
            if dest is not out and dest.nbytes >= POOL_MIN_BYTES:
                give(dest)
        count("fused_statements")
        return True
    program, nargs, ops = prog
    args = [v if type(v) is numpy.ndarray else numpy.asarray(v) for v in vals[:nargs]]
    spans = None
    if not out.flags.c_contiguous:
        # (a leaf reading the target's own elements in place reads them at the same
        # places, element by element: the spans keep that)
        spans = _spans(args, out)
        if spans is None and ops < _STRIDED_MIN_OPS:
            return False            # (numexpr copies strided operands through buffers: for
            #                          a short expression NumPy's own loops are faster)
    cpu_fused.use_threads()
    if spans is not None:
        flat, span, gaps, kept = spans
        if check and shares:
            # (a check that fails computes again from the leaves, which must be intact:
            # the spans into a scratch span, its rows then copied over the target's)
            scratch = numpy.empty(span.shape, span.dtype)
            program(*flat, out=scratch, order="K", casting="safe", ex_uses_vml=False)
            rows = _as_strided(scratch, out.shape, (out.strides[0], out.itemsize))
            if not _all_finite(rows):
                return False
            numpy.copyto(out, rows)
            count("fused_statements")
            return True
        program(*flat, out=span, order="K", casting="safe", ex_uses_vml=False)
        bad = check and not _all_finite(span)
        numpy.copyto(gaps, kept)
        if bad and not _all_finite(out):
            return False
        count("fused_statements")
        return True
    # a leaf reading the very elements it writes: a scratch array first (a check that
    # fails computes again from the leaves, which must be intact)
    dest = numpy.empty(out.shape, out.dtype) if (check and shares) else out
    program(*args, out=dest, order="K", casting="safe", ex_uses_vml=False)
    if check and not _all_finite(dest):
        return False
    if dest is not out:
        numpy.copyto(out, dest)
    count("fused_statements")
    return True


# ---------------------------------------------------------------------------------------
# the NumPy program: ufuncs in order, the root writing the target

def _compile(expr, lvs):
    """The expression as a straight-line program: instructions ``(ufunc, argument slots,
    slot written)``, slots being the leaves, then the scalars, then the random leaves,
    then temporaries (-1: the target).  A temporary is reused in place where an operation
    consumes it (NumPy's temporary elision, done here): a chain like
    ``0.25 * (a + b + c + d)`` makes one.  ``root_copy``: the value slot copied into the
    target where the root is not an operation."""
    from ..kernels.expr import Cast, Const, Leaf, Op, Rand
    slots = {}
    for i, lf in enumerate(lvs):
        slots[id(lf)] = i
    n = len(lvs)
    for c in expr.consts:
        slots[id(c)] = n
        n += 1
    for r in expr.rands:
        slots[id(r)] = n
        n += 1
    program = []
    owned = {}                 # slot of a temporary -> its dtype (free to overwrite)
    reuse = expr.shape != ()   # (0-d results are NumPy scalars: nothing to write into)
    nxt = [n]

    def emit(e, root):
        if isinstance(e, Cast):
            return emit(e.arg, root)
        if isinstance(e, (Leaf, Const, Rand)):
            return slots[id(e)]
        args = [emit(a, False) for a in e.args]
        if root:
            program.append((e.ufunc, tuple(args), -1))
            return -1
        into = -1
        for a in args:
            if a in owned and owned[a] == e.dtype:
                into = a
                break
        for a in args:
            owned.pop(a, None)
        if into < 0:
            into = nxt[0]
            nxt[0] += 1
        if reuse:
            owned[into] = e.dtype
        program.append((e.ufunc, tuple(args), into))
        return into

    root = expr.arg if isinstance(expr, Cast) else expr
    if isinstance(root, Op):
        emit(root, True)
        return tuple(program), -1
    return (), emit(root, True)


def _execute(program, root_copy, vals, out) -> None:
    if root_copy >= 0:
        numpy.copyto(out, vals[root_copy], casting="unsafe")
        return
    for uf, args, into in program:
        a = [vals[i] for i in args]
        if into < 0:
            uf(*a, out=out, casting="unsafe")           # the root: into the target
        elif into == len(vals):
            vals.append(uf(*a))                         # a new temporary
        else:
            uf(*a, out=vals[into])                      # a temporary reused in place


# ---------------------------------------------------------------------------------------
# boxes

def _union(sboxes):
    """The smallest ascending store box containing all the given ones (stride 1 where
    strides or phases differ)."""
    out = []
    for parts in zip(*sboxes):
        live = [p for p in parts if p[1] > 0]
        if not live:
            out.append(parts[0])
            continue
        lo = min(p[0] for p in live)
        hi = max(p[0] + p[2] * (p[1] - 1) for p in live)
        strides = {p[2] for p in live}
        st = strides.pop() if len(strides) == 1 else 1
        if st > 1 and any((p[0] - lo) % st for p in live):
            st = 1
        out.append((lo, (hi - lo) // st + 1, st, False))
    return out


def _rel_slice(sb, u):
    first, cnt, stride, _rev = sb
    ufirst, _ucnt, ustride, _ = u
    if cnt <= 0:
        return slice(0, 0)
    start = (first - ufirst) // ustride
    step = stride // ustride
    return slice(start, start + step * (cnt - 1) + 1, step)

