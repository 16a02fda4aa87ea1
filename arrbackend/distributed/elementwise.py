"""The elementwise engine: every elementwise operation of arrbackend runs through
``elementwise`` (ufuncs, ``where``, ``clip``, ``astype``, assignment).  The deferred
engine replaces this one function.

The output takes the layout of its first distributed operand (so that operand needs no
data movement); each device localizes the box of every operand that its part of the
output needs, one grouped exchange moves the missing pieces (halo rows, transposed
blocks), then each device runs the local kernel on its arrays with its ``xp``.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy

from .layout import Layout, choose_layout
from .localize import Exchange, device_boxes
from .store import Store, alloc_local, before_write, check_host_size
from .deferred import evaluate_into
from ..kernels.fused import CTYPE_DTYPES
from .array import ndarray

__all__ = ["elementwise", "broadcast_shapes", "choose_layout", "aliases", "assign",
           "fit_value"]


def broadcast_shapes(shapes: Sequence[tuple], what: str = "operands") -> tuple:
    """NumPy's broadcasting of several shapes (with NumPy's error text)."""
    first = shapes[0]
    if all(s == first for s in shapes):
        return first
    nd = max(len(s) for s in shapes)
    out = [1] * nd
    for s in shapes:
        off = nd - len(s)
        for i, n in enumerate(s):
            cur = out[off + i]
            if n == cur or n == 1:
                continue
            if cur == 1:
                out[off + i] = n
            else:
                txt = " ".join(str(tuple(x)).replace(",)", ",)") for x in shapes)
                raise ValueError(f"{what} could not be broadcast together with shapes {txt} ")
    return tuple(out)


def aliases(x, target) -> bool:
    """Whether reading ``x`` while writing ``target`` could read already-written data:
    they share memory and are not the very same view."""
    xs, ts = x._store, target._store
    return xs.base is ts.base and (xs is not ts or x._map != target._map)


def check_writable(x, message: str = "output array is read-only") -> None:
    """An array made read-only, or a view that repeats elements (a broadcast), cannot be
    written, as in NumPy."""
    if x._readonly:
        raise ValueError(message)
    shape = x._map.shape
    for k, (a, _s, _st) in enumerate(x._map.dims):
        if a < 0 and shape[k] > 1:
            raise ValueError(message)


def elementwise(kernel: Callable, inputs: Sequence, shape: tuple, dtypes: Sequence,
                out: Sequence | None = None, machine=None, layout: Layout | None = None):
    """Run ``kernel(xp, local_inputs, local_outputs)`` over ``shape`` on every device.

    ``inputs`` are arrbackend arrays (any layout, broadcast to ``shape``) or scalars;
    ``out`` are arrbackend arrays of exactly ``shape`` to write into (else new arrays of
    ``dtypes`` are made, with ``layout`` if given, and returned).  Returns the tuple of
    output arrays.
    """
    arrays = [x for x in inputs if isinstance(x, ndarray)]
    if machine is None:
        machine = (arrays[0] if arrays else out[0])._store.machine
    ndev = machine.ndev
    if out is not None:
        for o in out:
            if o._readonly or o._map.has_broadcast:
                check_writable(o)
            before_write(o._store)
        if 0 in shape:
            return tuple(out)   # nothing to write (a new axis sliced empty is no broadcast)

    # fast path: everything on one device (always so on a one-device machine)
    d = _common_device(arrays, out, ndev) if layout is None or layout.is_single else None
    if d is not None and layout is not None and layout.device != d:
        d = None
    if d is not None:
        dev = machine.devices[d]
        if not machine.is_local(d):
            return _wrap_new(machine, shape, dtypes, Layout.single(d), out, {})
        xp = dev.xp
        with dev.activate():
            locs = [x._local() if isinstance(x, ndarray) else x for x in inputs]
            if out is None:
                outs = [alloc_local(dev, shape, dt) for dt in dtypes]
            else:
                outs = [o._local() for o in out]
                for i, x in enumerate(inputs):
                    if isinstance(x, ndarray) and any(aliases(x, o) for o in out):
                        locs[i] = locs[i].copy()
            kernel(xp, locs, outs)
        if out is not None:
            return tuple(out)
        return _wrap_new(machine, shape, dtypes, Layout.single(d), None, {d: outs})

    # general path: pick the layout, localize every operand, one exchange, compute
    if out is not None:
        layout = out[0]._view_layout()
        if any(o._view_layout() != layout for o in out[1:]):
            fresh = elementwise(kernel, inputs, shape, [o.dtype for o in out], None, machine)
            for o, f in zip(out, fresh):
                assign(o, f)
            return tuple(out)
    elif layout is None:
        itemsize = max(numpy.dtype(dt).itemsize for dt in dtypes)
        layout = choose_layout(arrays, shape, machine, itemsize)
    boxes = device_boxes(layout, shape, ndev)
    if out is None:
        for dt in dtypes:           # (NumPy's MemoryError for more than the host holds)
            check_host_size(machine, shape, dt, layout)
        if _aligned(inputs, shape, layout):
            # every operand is a whole store of this layout: each device computes on its
            # own shards, nothing to localize or exchange (``x.copy()``, ``a + b``)
            new_shards = {}
            for d, box in enumerate(boxes):
                if box is None or not machine.is_local(d):
                    continue
                dev = machine.devices[d]
                bshape = tuple(hi - lo for lo, hi in box)
                with dev.activate():
                    outs = [alloc_local(dev, bshape, dt) for dt in dtypes]
                    kernel(dev.xp, [x._store.shards[d] if isinstance(x, ndarray) else x
                                    for x in inputs], outs)
                new_shards[d] = outs
            return _wrap_new(machine, shape, dtypes, layout, None, new_shards)
    ex = Exchange(machine)
    plans = []
    new_shards: dict = {}
    for d, box in enumerate(boxes):
        if box is None:
            continue
        locs = []
        for x in inputs:
            if not isinstance(x, ndarray):
                locs.append(x)
                continue
            vmap = x._map if x._map.shape == shape else x._map.broadcast_to(shape)
            copy = out is not None and any(aliases(x, o) for o in out)
            locs.append(ex.localize(x._store, vmap, box, d, copy=copy))
        if not machine.is_local(d):
            continue
        dev = machine.devices[d]
        if out is None:
            bshape = tuple(hi - lo for lo, hi in box)
            outs = [alloc_local(dev, bshape, dt) for dt in dtypes]
            new_shards[d] = outs
        else:
            outs = [ex.localize(o._store, o._map, box, d) for o in out]
        plans.append((dev, locs, outs))
    ex.run()
    for dev, locs, outs in plans:
        with dev.activate():
            kernel(dev.xp, locs, outs)
    if out is not None:
        return tuple(out)
    return _wrap_new(machine, shape, dtypes, layout, None, new_shards)


def _aligned(inputs, shape: tuple, layout: Layout) -> bool:
    """Whether every array among ``inputs`` is its whole store (identity map, no
    broadcast) of ``shape``, laid out as ``layout``: its shards are the operands."""
    for x in inputs:
        if isinstance(x, ndarray):
            st = x._store
            if not x._map.ident or st.shape != shape or st.layout != layout or \
                    st.pending:
                return False
    return True


def _common_device(arrays, out, ndev: int):
    """The device holding every operand and output whole, if there is one."""
    if ndev == 1:
        return 0
    d = None
    for group in (arrays, out or ()):
        for a in group:
            lay = a._view_layout()
            if not lay.is_single:
                return None
            if d is None:
                d = lay.device
            elif d != lay.device:
                return None
    return d


def _wrap_new(machine, shape, dtypes, layout, out, shards_by_dev: dict):
    results = []
    for i, dt in enumerate(dtypes):
        shards = [None] * machine.ndev
        for d, outs in shards_by_dev.items():
            shards[d] = outs[i]
        results.append(ndarray._from_store(Store(machine, shape, numpy.dtype(dt), layout, shards)))
    return tuple(results)


def _copy_kernel(xp, ins, outs):
    xp.copyto(outs[0], ins[0], casting="unsafe")


def assign(target, value) -> None:
    """``target[...] = value``: ``value`` (an arrbackend array broadcastable to the
    target, or a scalar already converted to the target's dtype) is cast unsafely, as
    NumPy's item assignment does.  Reads of the target's own memory at another offset
    see the values from before the assignment."""
    tmap = target._mp or target._map
    if target._readonly or tmap.has_broadcast:
        check_writable(target, "assignment destination is read-only")
    tshape = tmap.shape
    if type(value) is ndarray:
        vshape = (value._mp or value._map).shape
        if vshape != tshape:
            value = fit_value(value, vshape, tshape)
    if 0 in tshape:
        return                  # nothing to write (a new axis sliced empty is no broadcast)
    if type(value) is ndarray and value._store.pending and (value._mp or value._map).ident \
            and target.dtype in CTYPE_DTYPES:
        evaluate_into(target, value)      # the statement's one fused evaluation
        return
    elementwise(_copy_kernel, [value], tshape, [target.dtype], out=(target,),
                machine=target._store.machine)


def fit_value(value, vshape: tuple, tshape: tuple, indexed: bool = False):
    """A value of shape ``vshape`` made to broadcast to ``tshape`` as NumPy's assignment
    does: extra leading length-1 axes are dropped (a view); else NumPy's ValueError
    (``indexed``: its message for an assignment through array indices)."""
    extra = len(vshape) - len(tshape)
    shape = vshape
    if extra > 0 and all(n == 1 for n in vshape[:extra]):
        from .indexing import basic_view
        value = basic_view(value, (0,) * extra)
        shape = vshape[extra:]
    try:
        full = broadcast_shapes([shape, tshape])
    except ValueError:
        full = None
    if full != tshape:
        if indexed:
            raise ValueError(f"shape mismatch: value array of shape {shape_text(vshape)} "
                             f"could not be broadcast to indexing result of shape "
                             f"{shape_text(tshape)}")
        raise ValueError(f"could not broadcast input array from shape {shape_text(vshape)} "
                         f"into shape {shape_text(tshape)}")
    return value


def shape_text(shape: tuple) -> str:
    """A shape as NumPy's messages write it: ``(2,3)``, ``(4,)``, ``()``."""
    return "(" + ",".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def assign_all(pairs) -> None:
    """Several ``target[...] = value`` (values already broadcastable arrbackend arrays or
    converted scalars) with the data of all of them moved in one exchange."""
    if not pairs:
        return
    machine = pairs[0][0]._store.machine
    for target, _ in pairs:
        before_write(target._store)
    if machine.ndev == 1:
        for target, value in pairs:
            assign(target, value)
        return
    ex = Exchange(machine)
    plans = []
    for target, value in pairs:
        layout = target._view_layout()
        for d, box in enumerate(device_boxes(layout, target.shape, machine.ndev)):
            if box is None:
                continue
            if isinstance(value, ndarray):
                vmap = (value._map if value.shape == target.shape
                        else value._map.broadcast_to(target.shape))
                src = ex.localize(value._store, vmap, box, d, copy=aliases(value, target))
            else:
                src = value
            if machine.is_local(d):
                dst = ex.localize(target._store, target._map, box, d)
                plans.append((machine.devices[d], dst, src))
    ex.run()
    for dev, dst, src in plans:
        with dev.activate():
            dev.xp.copyto(dst, src, casting="unsafe")


def relayout(x, layout: Layout):
    """A copy of ``x`` with the given layout (the data moves in one exchange)."""
    return elementwise(_copy_kernel, [x], x.shape, [x.dtype], layout=layout)[0]
