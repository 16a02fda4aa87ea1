"""Plans: what a deferred statement does on a device, worked out once per form of
statement and replayed.

A program's loop presents the same statement thousands of times, with operands of the
same shapes, dtypes, index maps and layouts.  Everything the engine decides from that
metadata -- the local view of every operand (or, for a generated kernel, its offsets and
strides in its shard), the copies that aliasing needs, the evaluator (a compiled kernel,
or NumPy's ufuncs in order with their temporaries) -- is the statement's *plan*.  It is
built the first time and kept under a key made of everything it read:

* the expression's structure and dtypes (``expr.sig``, built with the expression);
* for each leaf, which of the statement's stores it reads (by order of appearance, not
  identity: the seed's ping-pong between two grids replays one plan) and its index map;
* for each store, its shape, dtype, layout and the strides of its shard on the device,
  and whether it shares memory with the target;
* the target's store (shape, dtype, layout, strides) and index map; the random leaves'
  maps; the device.

A plan binds no data: each replay takes the shards of this statement's stores, so a
change of any property above builds (and keeps) another plan, and nothing stale is ever
read.  The per-statement values -- scalars, random streams -- come from the expression.
"""
from __future__ import annotations

import numpy

from .._counters import count
from ..kernels import cpu_fused
from .localize import apply_post, view_recipe

__all__ = ["evaluate_on", "plan_count", "clear"]

_PLANS: dict = {}
_MAX_PLANS = 4096


def plan_count() -> int:
    """How many statement plans are kept (for tests and the profile)."""
    return len(_PLANS)


def clear() -> None:
    _PLANS.clear()


def _key(expr, lvs, tstore, tmap, d):
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
    groups = []
    for s in stores:
        sh = s.shards[d]
        groups.append((s.shape, s.dtype, s.layout.key, sh.strides,
                       (s._base or s) is tbase, s is tstore))
    tsh = tstore.shards[d]
    key = (d, expr.sig, tuple(leaves), tuple(groups),
           (tstore.shape, tstore.dtype, tstore.layout.key, tsh.strides, tmap.key))
    if expr.rands:
        key += tuple((r.kind, r.dtype, r.rshape, r.vmap.key) for r in expr.rands)
    return stores, key


def evaluate_on(expr, lvs, tstore, tmap, m, d, errstate, rand_local) -> None:
    """Evaluate ``expr`` (leaves ``lvs``) into the view ``tmap`` of ``tstore``, on device
    ``d`` of this process, which holds every operand whole."""
    stores, key = _key(expr, lvs, tstore, tmap, d)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _build(expr, lvs, stores, tstore, tmap, m.devices[d], rand_local)
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        _PLANS[key] = plan
    plan.run(expr, stores, tstore, errstate)


def _build(expr, lvs, stores, tstore, tmap, dev, rand_local):
    d = dev.index
    tbase = tstore.base
    leaves = []
    for lf in lvs:
        st = lf.store
        g = next(i for i, s in enumerate(stores) if s is st)
        index, post = view_recipe(st, lf.vmap, d)
        # a leaf reading the target's memory elsewhere than where it is written reads the
        # values from before the statement: a copy
        copy = st.base is tbase and (st is not tstore or lf.vmap != tmap)
        leaves.append((g, index, None if post == (None, None, None, None) else post, copy))
    tindex, tpost = view_recipe(tstore, tmap, d)
    target = (tindex, None if tpost == (None, None, None, None) else tpost)
    if dev.is_gpu:
        return _GpuPlan(expr, lvs, stores, tstore, leaves, target, dev, rand_local)
    return _CpuPlan(expr, lvs, leaves, target, dev, rand_local)


def _bind(shard, index, post, xp):
    a = shard if index is None else shard[index]
    return a if post is None else apply_post(a, post, xp)


# ---------------------------------------------------------------------------------------
# CPU shards: NumPy's ufuncs in order, the root writing the target

class _CpuPlan:
    """The leaves' local views and an evaluator: a numexpr program (one multi-threaded
    pass, ``kernels/cpu_fused``) where it computes NumPy's values and the target is
    large, else a straight-line program of ufunc calls: instruction ``(ufunc, argument
    slots, temporary it writes into or -1)``; slots are the leaves, then the scalars,
    then the random leaves, then the temporaries."""

    __slots__ = ("d", "leaves", "target", "program", "rands", "box", "dev",
                 "rand_local", "root_copy", "fused")

    def __init__(self, expr, lvs, leaves, target, dev, rand_local):
        self.d = dev.index
        self.dev = dev
        self.leaves = leaves
        self.target = target
        self.rand_local = rand_local
        self.rands = len(expr.rands)
        self.box = None
        self.program, self.root_copy = _compile(expr, lvs)
        size = 1
        for n in expr.shape:
            size *= n
        self.fused = cpu_fused.program(expr, lvs) if size >= cpu_fused.MIN_SIZE else None

    def run(self, expr, stores, tstore, errstate) -> None:
        d = self.d
        vals = []
        shares = False
        tbase = tstore._base or tstore
        for g, index, post, copy in self.leaves:
            st = stores[g]
            sh = st.shards[d]
            a = sh if index is None else sh[index]
            if post is not None:
                a = apply_post(a, post, numpy)
            if copy:
                a = a.copy()
            elif (st._base or st) is tbase:
                shares = True
            vals.append(a)
        for c in expr.consts:
            vals.append(c.value)
        if self.rands:
            if self.box is None:
                self.box = tuple((0, n) for n in expr.shape)
            for r in expr.rands:
                vals.append(self.rand_local(r, self.box, self.dev))
        out = _bind(tstore.shards[d], self.target[0], self.target[1], numpy)
        if self.fused is not None and self._fused(vals, out, errstate, shares):
            return
        count("numpy_statements")
        if errstate is None:
            _execute(self.program, self.root_copy, vals, out)
        else:
            with errstate.applied():
                _execute(self.program, self.root_copy, vals, out)

    def _fused(self, vals, out, errstate, shares) -> bool:
        """The numexpr program into ``out``; False where NumPy's ufuncs must compute the
        statement (errors to report, or a check that found values that are not
        finite)."""
        modes = errstate.state if errstate is not None else None
        check = modes is not None and (modes["divide"] != "ignore" or modes["over"] != "ignore"
                                       or modes["invalid"] != "ignore")
        if modes is not None and modes["under"] != "ignore":
            return False                # (underflow leaves no trace in the values)
        prog, nargs = self.fused
        if check and out.dtype.kind == "b":
            return False                # (a comparison's operands can't be checked after)
        cpu_fused.use_threads()
        args = [numpy.asarray(v) if not isinstance(v, numpy.ndarray) else v
                for v in vals[:nargs]]
        # a leaf reading the very elements it writes: numexpr writes a scratch array first
        # (a check that fails computes again from the leaves, which must be intact)
        dest = numpy.empty(out.shape, out.dtype) if (check and shares) else out
        prog(*args, out=dest, order="K", casting="safe", ex_uses_vml=False)
        if check and not numpy.isfinite(numpy.add.reduce(dest, axis=None)):
            return False                # NumPy computes it, with its warnings or error
        if dest is not out:
            numpy.copyto(out, dest)
        count("fused_statements")
        return True


def _compile(expr, lvs):
    """The expression as a straight-line program (see ``_CpuPlan``), reusing a temporary
    in place where an operation consumes it (NumPy's temporary elision, done here): a
    chain like ``0.25 * (a + b + c + d)`` makes one temporary.  ``root_copy``: the value
    slot copied into the target where the root is not an operation."""
    from .deferred import Const, Leaf, Op, Rand, _Cast
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

    def emit(e, root):
        if isinstance(e, _Cast):
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
            into = emit.next
            emit.next += 1
        if reuse:
            owned[into] = e.dtype
        program.append((e.ufunc, tuple(args), into))
        return into

    emit.next = n
    root = expr.arg if isinstance(expr, _Cast) else expr
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
# GPU shards: one generated kernel, launched with this statement's pointers

class _GpuPlan:
    """A prepared launch: the kernel and its arguments but for the pointers, which each
    replay takes from this statement's shards (store base pointer + a planned offset)."""

    __slots__ = ("d", "dev", "launch", "copies", "rand_local", "leaves", "target", "lvs")

    def __init__(self, expr, lvs, stores, tstore, leaves, target, dev, rand_local):
        self.d = dev.index
        self.dev = dev
        self.rand_local = rand_local
        self.leaves = leaves
        self.target = target
        self.lvs = None
        # leaves reading the target's memory elsewhere are read from copies made by each
        # statement: those statements launch from their local views, not from a template
        self.copies = any(c for _g, _i, _p, c in leaves)
        self.launch = None
        if not self.copies:
            with dev.activate():
                leaf_local, out = self._locals(expr, lvs, stores, tstore)
                if out.size:
                    from ..kernels import fused
                    groups = [next(i for i, s in enumerate(stores) if s is lf.store)
                              for lf in lvs]
                    self.launch = fused.prepare(
                        dev, expr, leaf_local, out, lvs, groups,
                        [s.shards[self.d].data.ptr for s in stores],
                        tstore.shards[self.d].data.ptr)

    def _locals(self, expr, lvs, stores, tstore):
        d, dev = self.d, self.dev
        leaf_local = {}
        for lf, (g, index, post, copy) in zip(lvs, self.leaves):
            a = _bind(stores[g].shards[d], index, post, dev.xp)
            leaf_local[id(lf)] = a.copy() if copy else a
        if expr.rands:
            box = tuple((0, n) for n in expr.shape)
            for r in expr.rands:
                leaf_local[id(r)] = self.rand_local(r, box, dev)
        return leaf_local, _bind(tstore.shards[d], self.target[0], self.target[1], dev.xp)

    def run(self, expr, stores, tstore, errstate) -> None:
        d = self.d
        launch = self.launch
        if launch is not None:
            with self.dev.activate():
                launch.run([s.shards[d].data.ptr for s in stores],
                           tstore.shards[d].data.ptr, expr)
            return
        if self.copies:
            from ..kernels import fused
            with self.dev.activate():
                leaf_local, out = self._locals(expr, expr.lvs, stores, tstore)
                fused.run(self.dev, expr, leaf_local, out, expr.lvs)
