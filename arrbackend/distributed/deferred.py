"""Deferred elementwise evaluation: statements become expressions, evaluated as one
kernel per device.

An elementwise result is an array whose store is a ``LazyStore``: its shape, dtype and
layout are decided at once (NEP 50, as the eager engine decides them), its values are an
expression over views of other stores.  The values are computed when something needs
memory:

* an assignment into a store (``x[...] = expr``, ``out=``) evaluates the expression straight
  into the target, with no temporary;
* any other consumer (a reduction, a matmul, indexing, printing, ``float()``, ``asnumpy``)
  reads ``store.shards``, which evaluates it;
* a write to a store that an expression still reads evaluates that expression first
  (``before_write``);
* an expression larger than ``settings.fusion_max_nodes`` is evaluated when built.

Evaluation localizes, for each device, the union of the boxes that the views of one store
need — a halo-extended tile fetched once per statement, whatever the number of shifted
views — in one grouped exchange for all stores, then runs the expression: a generated
RawKernel on GPU shards (``arrbackend.kernels.fused``), NumPy ufuncs on CPU shards.
"""
from __future__ import annotations

import weakref

import numpy

from .._settings import settings
from .layout import Layout
from .localize import Exchange, device_boxes, local_view, post
from .store import Store, alloc_local, before_write
from .view import IndexMap
from .._ndarray import ndarray
from ..kernels import fused

__all__ = ["Leaf", "Const", "Op", "LazyStore", "deferring", "defer_ufunc",
           "evaluate_into", "as_expr"]

_SUPPORTED_KINDS = "biuf"


class Expr:
    __slots__ = ("shape", "dtype", "size", "sig", "lvs", "bases")


class Leaf(Expr):
    """A view ``(store, map)`` of an evaluated store, the map in expression coordinates.
    ``local`` keeps the view's local array when it lies on one device (known already)."""

    __slots__ = ("store", "vmap", "local")

    def __init__(self, store, vmap: IndexMap, local=None):
        self.store = store
        self.vmap = vmap
        self.shape = vmap.shape
        self.dtype = store.dtype
        self.size = 1
        self.sig = store.dtype.str
        self.local = local
        self.lvs = (self,)
        self.bases = (store.base,)

    def broadcast_to(self, shape):
        return Leaf(self.store, self.vmap.broadcast_to(shape))


class Const(Expr):
    """A scalar operand (a Python scalar stays weakly typed, NEP 50)."""

    __slots__ = ("value",)

    def __init__(self, value, shape=()):
        self.value = value
        self.shape = shape
        if isinstance(value, numpy.generic):
            self.dtype = value.dtype
        elif isinstance(value, bool):
            self.dtype = numpy.dtype(bool)      # (NumPy promotes True like a bool array)
        else:
            self.dtype = type(value)            # int / float: weak, as NEP 50 says
        self.size = 1
        self.sig = ("C", self.dtype if isinstance(self.dtype, type) else self.dtype.str)
        self.lvs = self.bases = ()

    def broadcast_to(self, shape):
        return Const(self.value, shape)


class Op(Expr):
    """``ufunc(*args)``; ``loop`` holds NumPy's loop dtypes (inputs, then the output).
    ``sig`` identifies the structure and dtypes (the generated kernel's cache key)."""

    __slots__ = ("ufunc", "args", "loop")

    def __init__(self, ufunc, args, loop, shape, sig=None):
        self.ufunc = ufunc
        self.args = args
        self.loop = loop
        self.shape = shape
        self.dtype = loop[-1]
        a0 = args[0]
        if len(args) == 1:
            self.size = 1 + a0.size
            self.sig = sig or (ufunc, loop, (a0.sig,))
            self.lvs, self.bases = a0.lvs, a0.bases
        else:
            a1 = args[1]
            self.size = 1 + a0.size + a1.size
            self.sig = sig or (ufunc, loop, (a0.sig, a1.sig))
            self.lvs = a0.lvs + a1.lvs
            bases = a0.bases
            for b in a1.bases:
                for c in bases:
                    if b is c:
                        break
                else:
                    bases = bases + (b,)
            self.bases = bases

    def broadcast_to(self, shape):
        return Op(self.ufunc, tuple(a.broadcast_to(shape) for a in self.args), self.loop,
                  shape, self.sig)


def leaves(expr) -> tuple:
    """The leaves of an expression, left to right (kept with every node)."""
    return expr.lvs


class LazyStore(Store):
    """A store whose values are an expression, evaluated on first use of its shards."""

    __slots__ = ("expr", "_shards", "errstate")

    def __init__(self, machine, shape, dtype, layout, expr):
        self.expr = expr
        # NumPy's floating-point error handling where the statement was written applies
        # when it is evaluated (CPU shards; GPUs do not report floating-point errors)
        self.errstate = None if machine.is_gpu else numpy.geterr()
        Store.__init__(self, machine, shape, dtype, layout, None)

    @property
    def shards(self):
        if self.expr is not None:
            self.materialize()
        return self._shards

    @shards.setter
    def shards(self, value):
        self._shards = value

    @property
    def pending(self) -> bool:
        return self.expr is not None

    def materialize(self) -> None:
        expr = self.expr
        if expr is None:
            return
        m = self.machine
        shards = [None] * m.ndev
        for d, box in enumerate(device_boxes(self.layout, self.shape, m.ndev)):
            if box is not None and m.is_local(d):
                shards[d] = alloc_local(m.devices[d], tuple(hi - lo for lo, hi in box),
                                        self.dtype)
        self._shards = shards
        self.expr = None
        target = _Target(self, IndexMap.identity(self.shape), self.layout)
        _evaluate(expr, target, m, self.errstate)


class _Target:
    __slots__ = ("store", "vmap", "layout")

    def __init__(self, store, vmap, layout):
        self.store = store
        self.vmap = vmap
        self.layout = layout


# ---------------------------------------------------------------------------------------
# building expressions

def deferring(machine, size: int) -> bool:
    """Whether an elementwise result of ``size`` elements on ``machine`` is deferred
    (``ARRBACKEND_FUSION``: 1 always, 0 never; auto on machines of several devices, and on
    one GPU for results of at least ``ARRBACKEND_FUSION_MIN_SIZE`` elements)."""
    mode = settings.fusion
    if mode == "auto":
        if machine.ndev > 1:
            return True
        return machine.is_gpu and size >= settings.fusion_min_size
    return mode == "1"


def as_expr(x, shape):
    """An operand as an expression of ``shape``: a pending whole array is inlined; any
    other array becomes a leaf (a pending view of a pending array is evaluated first)."""
    st = x._store
    if st.pending:
        if x._map.is_identity_of(st.shape):
            e = st.expr
            return e if e.shape == shape else e.broadcast_to(shape)
        st.materialize()
    if x._map.shape == shape:
        lay = x._cache_layout or x._view_layout()
        return Leaf(st, x._map, x._local() if lay.kind == "single" or st.machine.ndev == 1
                    else None)
    return Leaf(st, x._map.broadcast_to(shape))


_loop_cache: dict = {}


def _loop(ufunc, args):
    """NumPy's loop dtypes for ``ufunc`` on ``args``, or None where the generated
    kernels do not cover the loop (cached)."""
    key = (ufunc,) + tuple(a.dtype for a in args)
    loop = _loop_cache.get(key, False)
    if loop is False:
        loop = ufunc.resolve_dtypes(key[1:] + (None,) * ufunc.nout)
        if not fused.supports(ufunc, loop):     # the same statements defer everywhere
            loop = None
        _loop_cache[key] = loop
    if loop is not None:
        for a, dt in zip(args, loop):
            if type(a) is Const and type(a.value) is int and dt.kind in "iu":
                numpy.asarray(a.value, dtype=dt)    # NEP 50: OverflowError as in NumPy
    return loop


def defer_ufunc(ufunc, inputs, shape, machine, layout_for):
    """The expression ``ufunc(*inputs)`` as a new pending array, or None where this call
    is not deferred (an unsupported ufunc or dtype: it runs eagerly)."""
    if not fused.supports(ufunc):
        return None
    args = []
    arrays = []
    for x in inputs:
        if type(x) is ndarray:
            if not fused.has_ctype(x._store.dtype):
                return None
            arrays.append(x)
            args.append(as_expr(x, shape))
        elif type(x) is complex or (isinstance(x, numpy.generic) and
                                    not fused.has_ctype(x.dtype)):
            return None
        else:
            args.append(Const(x, shape))
    loop = _loop(ufunc, args)
    if loop is None:
        return None
    if ufunc is numpy.power and type(args[1]) is Const and loop[0].kind == "f" \
            and loop[0] == loop[-1] and args[1].value in (2, 0.5):
        # NumPy's own fast path for these scalar exponents (the same values)
        ufunc = numpy.square if args[1].value == 2 else numpy.sqrt
        args, loop = args[:1], (loop[0], loop[-1])
    expr = Op(ufunc, tuple(args), loop, shape)
    layout = layout_for(arrays, shape, machine, expr.dtype.itemsize)
    store = LazyStore(machine, shape, expr.dtype, layout, expr)
    if expr.size > settings.fusion_max_nodes:
        store.materialize()
    else:
        _register_reader(store, expr)
    return ndarray._from_store(store)


def _register_reader(lazy, expr) -> None:
    ref = weakref.ref(lazy)
    for b in expr.bases:
        r = b._readers
        if r is None:
            b._readers = [ref]
        else:
            if len(r) > 64:
                r[:] = [x for x in r if x() is not None]
            r.append(ref)


# ---------------------------------------------------------------------------------------
# evaluating

def evaluate_into(target, value) -> None:
    """``target[...] = value`` for a pending ``value`` (an arrbackend array whose store
    is a LazyStore, maybe broadcast): one fused evaluation straight into the target."""
    expr = as_expr(value, target.shape)
    if expr.dtype != target.dtype:
        expr = _Cast(expr, target.dtype)
    before_write(target._store)
    _evaluate(expr, _Target(target._store, target._map, target._view_layout()),
              target._store.machine, value._store.errstate)
    target._store.version += 1


class _Cast(Expr):
    """The final cast of an assignment into a target of another dtype (unsafe)."""

    __slots__ = ("arg",)

    def __init__(self, arg, dtype):
        self.arg = arg
        self.shape = arg.shape
        self.dtype = numpy.dtype(dtype)
        self.size = arg.size
        self.sig = ("X", self.dtype.str, arg.sig)
        self.lvs, self.bases = arg.lvs, arg.bases

    def broadcast_to(self, shape):
        return _Cast(self.arg.broadcast_to(shape), self.dtype)


def _all_leaves(expr):
    return expr.lvs


def _evaluate(expr, target, m, errstate=None) -> None:
    """Evaluate ``expr`` into the target view, device by device, one exchange in all."""
    lvs = _all_leaves(expr)
    if m.ndev == 1 or target.layout.is_single:
        d = target.layout.device if target.layout.is_single else 0
        if m.ndev == 1 or _all_on(lvs, d):
            return _evaluate_on(expr, lvs, target, m, d, errstate)
    tstore, tmap = target.store, target.vmap
    tbase = tstore.base
    # leaves reading the target's memory elsewhere than where they are written must see
    # the values from before the statement: they are read from a copy
    copy_of = {}
    for lf in lvs:
        if lf.store.base is tbase and (lf.store is not tstore or lf.vmap != tmap):
            copy_of[id(lf.store)] = True
    groups: dict = {}
    order = []
    for lf in lvs:
        k = id(lf.store)
        if k not in groups:
            groups[k] = []
            order.append(k)
        groups[k].append(lf)
    ex = Exchange(m)
    plans = []
    for d, box in enumerate(device_boxes(target.layout, tmap.shape, m.ndev)):
        if box is None:
            continue
        leaf_local = {}
        for k in order:
            group = groups[k]
            store = group[0].store
            sboxes = [lf.vmap.store_box(box) for lf in group]
            union = _union(sboxes)
            tile = ex.fetch(store, union, d, copy=copy_of.get(k, False))
            if tile is None:
                continue
            xp = m.devices[d].xp
            for lf, sb in zip(group, sboxes):
                rel = tuple(_rel_slice(s, u) for s, u in zip(sb, union)) + (Ellipsis,)
                leaf_local[id(lf)] = post(tile[rel], lf.vmap, sb, box, xp)
        if m.is_local(d):
            out = ex.localize(tstore, tmap, box, d)
            plans.append((d, out, leaf_local))
    ex.run()
    for d, out, leaf_local in plans:
        dev = m.devices[d]
        with dev.activate():
            if dev.is_gpu:
                fused.run(dev, expr, leaf_local, out, lvs)
            elif errstate is not None:
                with numpy.errstate(**errstate):
                    _eval_numpy(expr, leaf_local, out)
            else:
                _eval_numpy(expr, leaf_local, out)


def _all_on(lvs, d) -> bool:
    """Whether every leaf lies whole on device ``d``."""
    for lf in lvs:
        lay = lf.store.layout
        if not (lay.is_replicated or (lay.is_single and lay.device == d)):
            from .localize import view_layout
            vl = view_layout(lf.store, lf.vmap)
            if not (vl.is_single and vl.device == d):
                return False
    return True


def _evaluate_on(expr, lvs, target, m, d, errstate) -> None:
    """Every operand on device ``d``: local views, no exchange."""
    if not m.is_local(d):
        return
    tstore, tmap = target.store, target.vmap
    tbase = tstore.base
    leaf_local = {}
    for lf in lvs:
        st = lf.store
        arr = lf.local
        if arr is None:
            arr = local_view(st, lf.vmap, d)
        if st.base is tbase and (st is not tstore or lf.vmap != tmap):
            arr = arr.copy()       # read the values from before the statement
        leaf_local[id(lf)] = arr
    out = local_view(tstore, tmap, d)
    dev = m.devices[d]
    with dev.activate():
        if dev.is_gpu:
            fused.run(dev, expr, leaf_local, out, lvs)
        elif errstate is not None:
            with numpy.errstate(**errstate):
                _eval_numpy(expr, leaf_local, out)
        else:
            _eval_numpy(expr, leaf_local, out)


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


def _eval_numpy(expr, leaf_local, out) -> None:
    """The expression with NumPy ufuncs on local arrays (the CPU evaluator)."""
    numpy.copyto(out, _value_numpy(expr, leaf_local), casting="unsafe")


def _value_numpy(e, leaf_local):
    if isinstance(e, Leaf):
        return leaf_local[id(e)]
    if isinstance(e, Const):
        return e.value
    if isinstance(e, _Cast):
        return _value_numpy(e.arg, leaf_local)
    vals = [_value_numpy(a, leaf_local) for a in e.args]
    return e.ufunc(*vals)
