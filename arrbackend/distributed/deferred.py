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

import contextlib
import warnings
import weakref

import numpy

from .. import _fperrors
from .._settings import settings
from .localize import Exchange, device_boxes, local_view, post, view_layout
from .._counters import count
from .._origin import user_origin
from .layout import choose_layout
from .store import Pooled, Store, Value, alloc_local, before_write
from .view import IndexMap
from .array import ndarray
from ..kernels import fused
from ..kernels.expr import Cast, Const, Leaf, Op, Rand  # noqa: F401  (the nodes)
from . import plans
from .plans import _rel_slice, _union

__all__ = ["Leaf", "Const", "Op", "LazyStore", "deferring", "defer_ufunc", "defer_call",
           "evaluate_into", "as_expr"]

_SUPPORTED_KINDS = "biuf"


def random_array(machine, kind, key, stream, domain, shape, dtype, layout):
    """A pending array of random numbers (computed by its consumer's kernel)."""
    expr = Rand(kind, key, stream, domain, shape, IndexMap.identity(shape), dtype)
    return ndarray._from_store(LazyStore(machine, shape, expr.dtype, layout, expr))


_SHARDS = Store.__dict__["shards"]      # the field a LazyStore's property fronts


class LazyStore(Store):
    """A store whose values are an expression, evaluated on first use of its shards;
    then it is a plain Store (the class changes: the same fields)."""

    __slots__ = ()
    pending = True

    def __init__(self, machine, shape, dtype, layout, expr):
        self.machine = machine
        self.shape = shape
        self.dtype = dtype
        self.layout = layout
        self._base = None
        self._readers = None
        _SHARDS.__set__(self, None)
        self.expr = expr
        self.used = False       # inlined into a consumer's expression already
        # NumPy's floating-point error handling where the statement was written applies
        # when it is evaluated (CPU shards; GPUs do not report floating-point errors)
        self.errstate = None if machine.is_gpu else _Errors()

    @property
    def shards(self):
        if self.expr is not None:
            self.materialize()
        return _SHARDS.__get__(self)

    @shards.setter
    def shards(self, value):
        _SHARDS.__set__(self, value)

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
        _SHARDS.__set__(self, shards)
        self.expr = None
        errstate, self.errstate = self.errstate, None
        # computed: a plain store from now on (one CPU device's: its block is reused
        # once nothing refers to it, see store.Pooled; a scalar's value: store.Value)
        self.__class__ = Value if self.scalar else \
            Pooled if m.ndev == 1 and not m.is_gpu else Store
        _evaluate(expr, _Target(self, IndexMap.identity(self.shape), self.layout), m,
                  errstate)


class LazyValue(LazyStore):
    """A pending 0-d result where NumPy gives a scalar (``store.Value`` once computed)."""

    __slots__ = ()
    scalar = True


LazyStore.scalar_class = LazyValue


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
    (``ARRBACKEND_FUSION``: 1 always, 0 never; auto on GPUs and on machines of several
    devices, and on one CPU device for results of at least ``ARRBACKEND_FUSION_MIN_SIZE``
    elements).  ``defer_call`` applies the same rule."""
    mode = settings.fusion
    if mode == "auto":
        return machine.is_gpu or machine.ndev > 1 or size >= settings.fusion_min_size
    return mode == "1"


def as_expr(x, shape):
    """An operand as an expression of ``shape``: a pending whole array is inlined; any
    other array becomes a leaf (a pending view of a pending array is evaluated first)."""
    st = x._store
    vm = x._mp
    if vm is None:
        vm = x._map
    if st.pending:
        es = st.errstate
        if es is not None:
            now = _fperrors.user_modes()
            if es.state is not now and es.state != now:
                st.materialize()    # written under other floating-point error rules
        if st.pending:
            if vm.ident and not st.used:
                # inlined into its first consumer; a second consumer reads it computed
                # (an array used twice is computed once more at most, not once per use)
                st.used = True
                e = st.expr
                return e if e.shape == shape else e.broadcast_to(shape)
            st.materialize()
    if vm.shape != shape:
        return Leaf(st, vm.broadcast_to(shape))
    m = st.machine
    if m.is_gpu:
        return Leaf(st, vm)         # kernels read the shard at the plan's offsets
    loc = x._loc
    if loc is None and (m.ndev == 1 or (x._view_layout().kind == "single" and
                                        m.is_local(x._view_layout().device))):
        loc = x._local()
    return Leaf(st, vm, loc)


_loop_cache: dict = {}
_COMPARE = frozenset(("less", "less_equal", "greater", "greater_equal", "equal", "not_equal"))


def _loop(ufunc, args):
    """NumPy's loop dtypes for ``ufunc`` on ``args``, or None where the generated
    kernels do not cover the loop (cached)."""
    key = (ufunc, args[0].dtype) if len(args) == 1 else (ufunc, args[0].dtype, args[1].dtype)
    loop = _loop_cache.get(key, False)
    if loop is False:
        loop = ufunc.resolve_dtypes(key[1:] + (None,) * ufunc.nout)
        if not fused.supports(ufunc, loop):     # the same statements defer everywhere
            loop = None
        _loop_cache[key] = loop
    if loop is not None:
        for a, dt in zip(args, loop):
            if type(a) is Const and type(a.value) is int and dt.kind in "iu":
                try:
                    numpy.asarray(a.value, dtype=dt)    # NEP 50: OverflowError as NumPy
                except OverflowError:
                    if ufunc.__name__ in _COMPARE:
                        return None     # exact in NumPy: computed eagerly
                    raise
    return loop


_SUPPORTED = fused.SUPPORTED_UFUNCS
_HAS_CTYPE = fused.CTYPE_DTYPES


def defer_call(ufunc, inputs, register=True):
    """``ufunc(*inputs)`` as a new pending array where this machine defers elementwise
    work (``deferring``); None where the call runs otherwise: not deferred here, a ufunc
    or dtype the generated kernels do not cover, operands of other kinds, or shapes that
    do not broadcast (the general path raises NumPy's errors in NumPy's order)."""
    if ufunc not in _SUPPORTED:
        return None
    m = None
    shape = None
    for x in inputs:
        t = type(x)
        if t is ndarray:
            st = x._store
            if m is None:
                m = st.machine
            elif st.machine is not m:
                return None
            if st.dtype not in _HAS_CTYPE:
                return None
            loc = x._loc
            xs = loc.shape if loc is not None else (x._mp or x._map).shape
            if shape is None or xs == shape:
                shape = xs
            else:
                try:
                    shape = broadcast_pair(shape, xs)
                except ValueError:
                    return None
        elif t is float or t is int or t is bool:
            pass
        elif isinstance(x, numpy.generic):
            if x.dtype not in _HAS_CTYPE:
                return None
        else:
            return None
    if m is None:
        return None
    mode = settings.fusion
    if mode != "1":
        if mode == "0":
            return None
        if m.ndev == 1 and not m.is_gpu:
            n = 1
            for k in shape:
                n *= k
            if n < settings.fusion_min_size:
                return None
    return defer_ufunc(ufunc, inputs, shape, m, register=register)


def broadcast_pair(a: tuple, b: tuple) -> tuple:
    """NumPy's broadcast of two shapes (ValueError where they do not broadcast)."""
    if len(a) < len(b):
        a, b = b, a
    off = len(a) - len(b)
    out = list(a)
    for i, n in enumerate(b):
        cur = a[off + i]
        if n != cur:
            if cur == 1:
                out[off + i] = n
            elif n != 1:
                raise ValueError("shapes do not broadcast")
    return tuple(out)


def build(ufunc, inputs, shape):
    """``(expression, array operands)`` of ``ufunc(*inputs)`` over ``shape``, or None
    where the generated kernels do not cover the call (a ufunc, dtype or scalar kind)."""
    if ufunc not in _SUPPORTED:
        return None
    args = []
    arrays = []
    for x in inputs:
        t = type(x)
        if t is ndarray:
            if x._store.dtype not in _HAS_CTYPE:
                return None
            arrays.append(x)
            args.append(as_expr(x, shape))
        elif t is not float and t is not int and t is not bool and (
                not isinstance(x, numpy.generic) or x.dtype not in _HAS_CTYPE):
            return None
        else:
            args.append(Const(x, shape))
    loop = _loop(ufunc, args)
    if loop is None:
        return None
    if ufunc is numpy.power:
        if loop[1].kind == "i":
            # an integer to a negative integer power is NumPy's ValueError: a scalar
            # exponent is checked here, an array one where its values are (eagerly: the
            # generated kernels do not check)
            if type(args[1]) is not Const:
                return None
            if args[1].value < 0 and 0 not in shape:
                raise ValueError("Integers to negative integer powers are not allowed.")
        elif type(args[1]) is Const and loop[0].kind == "f" and \
                loop[0] == loop[-1] == args[0].dtype and args[1].value in (2, 0.5):
            # NumPy's own fast path for these scalar exponents (the same values)
            ufunc = numpy.square if args[1].value == 2 else numpy.sqrt
            args, loop = args[:1], (loop[0], loop[-1])
    # scalars become values of their loop dtype (what the ufunc's loop does with them):
    # the kernels then see one typed value, as large as the dtype allows (2**70 as a
    # float64, 2**63 + 5 as a uint64)
    if len(arrays) == len(args):
        args = tuple(args)
    else:
        args = tuple(Const(loop[i].type(a.value), shape) if type(a) is Const and
                     type(a.value) is not loop[i].type else a for i, a in enumerate(args))
    return Op(ufunc, args, loop, shape), arrays


def defer_ufunc(ufunc, inputs, shape, machine, layout_for=None, register=True):
    """The expression ``ufunc(*inputs)`` of ``shape`` as a new pending array, or None
    where this call is not deferred (an unsupported ufunc or dtype: it runs eagerly).
    ``register=False`` where the caller evaluates it at once: no later write needs to
    know that it reads its operands."""
    built = build(ufunc, inputs, shape)
    if built is None:
        return None
    expr, arrays = built
    if machine.ndev == 1:
        layout = machine.devices[0].single
    else:
        layout = (layout_for or choose_layout)(arrays, shape, machine, expr.dtype.itemsize)
    # (a 0-d result of a ufunc stands for NumPy's scalar)
    store = (LazyValue if shape == () else LazyStore)(machine, shape, expr.dtype, layout, expr)
    if expr.size > settings.fusion_max_nodes:
        store.materialize()
    elif register:
        _register_reader(store, expr)
    return ndarray._from_store(store)


def evaluate_call(ufunc, inputs, out) -> bool:
    """``ufunc(*inputs, out=out)`` as one evaluation straight into ``out`` (of the
    inputs' broadcast shape, a dtype the kernels write, on the inputs' machine), where
    this machine defers elementwise work; False where the call goes another way."""
    m = out._store.machine
    shape = (out._mp or out._map).shape
    mode = settings.fusion
    if mode != "1":
        if mode == "0":
            return False
        if m.ndev == 1 and not m.is_gpu:
            n = 1
            for k in shape:
                n *= k
            if n < settings.fusion_min_size:
                return False
    for x in inputs:
        t = type(x)
        if t is ndarray:
            if x._store.machine is not m:
                return False
            xs = x._loc.shape if x._loc is not None else (x._mp or x._map).shape
            if xs != shape:
                try:
                    if broadcast_pair(xs, shape) != shape:
                        return False
                except ValueError:
                    return False
        elif t is not float and t is not int and t is not bool and \
                not isinstance(x, numpy.generic):
            return False        # (NumPy arrays, lists: made arrays by the general path)
    if out._readonly or (out._mp or out._map).has_broadcast:
        return False        # the general path raises NumPy's read-only error
    # a pending operand that reads the target (``g += g / z``) is computed first, once,
    # and read as a value: built before the write, the statement would compute it again
    before_write(out._store)
    built = build(ufunc, inputs, shape)
    if built is None:
        return False
    expr = built[0]
    if not _same_kind(expr.dtype, out.dtype):
        return False        # ... and NumPy's casting error
    if 0 in shape:
        return True         # nothing to write
    if expr.dtype != out.dtype:
        expr = Cast(expr, out.dtype)
    count("statements")
    plans.evaluate(expr, expr.lvs, out._store, out._mp or out._map, out._view_layout(), m,
                   _Errors() if not m.is_gpu else None, _rand_local)
    return True


_casts: dict = {}


def _same_kind(a, b) -> bool:
    hit = _casts.get((a, b))
    if hit is None:
        hit = _casts[(a, b)] = bool(numpy.can_cast(a, b, "same_kind"))
    return hit


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
    if 0 in target.shape:
        return                  # nothing to write
    expr = as_expr(value, target.shape)
    vs = value._store
    # the value itself, if the statement just made it (``a[...] = a * 2 + b``), is not
    # computed twice: after the write it reads the target instead (same values)
    keep = vs if (vs.pending and expr is vs.expr and vs.dtype == target.dtype
                  and vs is not target._store) else None     # (not ``a[...] = a``)
    if expr.dtype != target.dtype:
        expr = Cast(expr, target.dtype)
    before_write(target._store, keep)
    _evaluate(expr, _Target(target._store, target._map, target._view_layout()),
              target._store.machine, vs.errstate)
    if keep is not None:
        keep.expr = Leaf(target._store, target._map)
        keep.used = False
        _register_reader(keep, keep.expr)


def _evaluate(expr, target, m, errstate=None) -> None:
    """Evaluate ``expr`` into the target view on every device: the statement's plan
    (found, or built once) runs with this statement's shards, one exchange in all."""
    count("statements")
    plans.evaluate(expr, expr.lvs, target.store, target.vmap, target.layout, m, errstate,
                   _rand_local)


class _Errors:
    """NumPy's floating-point error handling where a statement was written, and for
    warnings, the user's line and warning filters there: a RuntimeWarning found when the
    statement is evaluated later is issued as if by that line, under those filters."""

    __slots__ = ("state", "origin", "filters")

    def __init__(self):
        self.state = _fperrors.user_modes()
        warn = "warn" in self.state.values()
        if warn:
            self.origin = user_origin()
            self.filters = warnings.filters
        else:
            self.origin = self.filters = None

    @contextlib.contextmanager
    def applied(self):
        used = set(self.state.values())
        if self.origin is None or used & {"call", "log"}:   # (the user's handler: as set)
            with numpy.errstate(**self.state):
                yield
            return
        # the 'warn' modes log here (this thread only); the warnings are issued at the
        # statement's line under its filters, once each, also when an error is raised
        handler, previous = _fperrors.collect()
        try:
            with numpy.errstate(call=handler, **{k: "log" if v == "warn" else v
                                                 for k, v in self.state.items()}):
                yield
        finally:
            messages = _fperrors.collected(previous)
            if messages:
                filename, lineno, module, registry = self.origin
                with warnings.catch_warnings():
                    warnings.filters = self.filters
                    warnings._filters_mutated()
                    for text in _fperrors.ordered(messages):
                        warnings.warn_explicit(text, RuntimeWarning, filename, lineno,
                                               module=module, registry=registry)


def plan_devices(expr, lvs, layout, shape, m, tstore=None, tmap=None):
    """For each device holding part of ``layout`` (over ``shape``): the local arrays of
    the expression's leaves (one tile per store, fetched once) and random leaves.
    Returns the exchange (not yet run) and ``[(device, box, leaf_local)]`` for the
    devices of this process."""
    tbase = tstore.base if tstore is not None else None
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
    for d, box in enumerate(device_boxes(layout, shape, m.ndev)):
        if box is None:
            continue
        leaf_local = {}
        xp = m.devices[d].xp
        for k in order:
            group = groups[k]
            store = group[0].store
            sboxes = [lf.vmap.store_box(box) for lf in group]
            union = _union(sboxes)
            tile = ex.fetch(store, union, d, copy=copy_of.get(k, False))
            if tile is None:
                continue
            for lf, sb in zip(group, sboxes):
                rel = tuple(_rel_slice(s, u) for s, u in zip(sb, union)) + (Ellipsis,)
                leaf_local[id(lf)] = post(tile[rel], lf.vmap, sb, box, xp)
        if m.is_local(d):
            for r in expr.rands:
                leaf_local[id(r)] = _rand_local(r, box, m.devices[d])
            plans.append((d, box, leaf_local))
    return ex, plans


def _rand_local(r, box, dev):
    """A random leaf on one device: its values (CPU) or its index affine map (GPU)."""
    f0, steps = r.flat_affine(box)
    if dev.is_gpu:
        return ("rand", f0, steps)
    from ..kernels import philox
    shape = tuple(hi - lo for lo, hi in box)
    n = 1
    for x in shape:
        n *= x
    if n == 0:
        return numpy.zeros(shape, r.dtype)
    kind = "uniform32" if r.kind == "uniform" and r.dtype == numpy.float32 else r.kind
    if _c_contiguous(shape, steps):          # a run of consecutive elements
        vals = philox.generate(dev, kind, f0, n, r.key, r.stream, r.domain)
        return vals.reshape(shape).astype(r.dtype, copy=False)
    # the C-order indices of the box: generate their span, then pick
    idx = numpy.full(shape, f0, dtype=numpy.int64)
    for k, st in enumerate(steps):
        if st:
            sh = [1] * len(shape)
            sh[k] = shape[k]
            idx = idx + (numpy.arange(shape[k], dtype=numpy.int64) * st).reshape(sh)
    lo, hi = int(idx.min()), int(idx.max()) + 1
    vals = philox.generate(dev, kind, lo, hi - lo, r.key, r.stream, r.domain)
    return vals[idx - lo].astype(r.dtype, copy=False)


def _c_contiguous(shape, steps) -> bool:
    acc = 1
    for n, st in zip(reversed(shape), reversed(steps)):
        if n != 1 and st != acc:
            return False
        acc *= n
    return True


# ---------------------------------------------------------------------------------------
# fused reductions

FUSED_REDUCTIONS = ("sum", "prod", "max", "min", "any", "all")


def _all_on(lvs, d: int) -> bool:
    """Whether every leaf can be read on device ``d`` without moving data."""
    for lf in lvs:
        if lf.local is None:
            lay = view_layout(lf.store, lf.vmap)
            if not (lay.is_replicated or lay.is_single and lay.device == d):
                return False
    return True


def reduce_pending(lazy, kind: str, acc_dtype):
    """The ``kind`` reduction over every element of a pending GPU array, computed by one
    generated kernel per device from the expression (the array itself is never written).
    Returns the per-device results (a 0-d array per local device, combined across
    devices), or None where this path does not apply."""
    expr = lazy.expr
    m = lazy.machine
    if expr is None or not m.is_gpu or isinstance(expr, Cast):
        return None
    lvs = expr.lvs
    layout = lazy.layout
    if layout.is_replicated and m.ndev > 1:
        return None     # (every device would reduce the whole array: the sum n times over)
    if m.ndev == 1 or (layout.is_single and _all_on(lvs, layout.device)):
        d = layout.device if layout.is_single else 0
        if not m.is_local(d):
            return {}
        dev = m.devices[d]
        box = tuple((0, n) for n in lazy.shape)
        leaf_local = {id(lf): lf.local if lf.local is not None else
                      local_view(lf.store, lf.vmap, d) for lf in lvs}
        for r in expr.rands:
            leaf_local[id(r)] = _rand_local(r, box, dev)
        with dev.activate():
            part = fused.reduce_run(dev, expr, leaf_local, lvs, lazy.shape, kind, acc_dtype)
        return None if part is None else {d: part}
    ex, plans = plan_devices(expr, lvs, layout, lazy.shape, m)
    ex.run()
    parts = {}
    for d, box, leaf_local in plans:
        dev = m.devices[d]
        shape = tuple(hi - lo for lo, hi in box)
        with dev.activate():
            part = fused.reduce_run(dev, expr, leaf_local, lvs, shape, kind, acc_dtype)
            if part is None and layout.is_single:
                return None
            if part is None:
                part = dev.xp.asarray(fused.identity_value(kind, acc_dtype), dtype=acc_dtype)
        parts[d] = part
    if layout.is_single:
        return parts            # (one device's, its leaves moved there: as on one device)
    gathered = m.comm.allgather(parts, f"{kind} of {lazy.shape}")
    out = {}
    for d, values in gathered.items():
        dev = m.devices[d]
        with dev.activate():
            comb = {"sum": dev.xp.add, "prod": dev.xp.multiply, "max": dev.xp.maximum,
                    "min": dev.xp.minimum, "any": dev.xp.logical_or,
                    "all": dev.xp.logical_and}[kind]
            r = values[0]
            for v in values[1:]:
                r = comb(r, v)
            out[d] = r.astype(acc_dtype, copy=False)
    return out
