"""Matrix products across devices.

``matmul(a, b)``: the result takes the row blocks of ``a`` (or the column blocks of ``b``);
each device localizes its rows of ``a`` and the whole of ``b`` it needs (a replicated or
gathered right operand) and calls its library's matmul (cuBLAS through CuPy on GPUs).
When both operands are split along the contracted axis (a distributed inner product),
each device multiplies its slabs and the partial products are summed across devices.

``gather_to``/``from_local`` serve the routines that run on one device (LAPACK/cuSOLVER
factorizations): the whole operand is gathered, counted in ``counters['gathers']``.
"""
from __future__ import annotations

import functools

import numpy

from .._counters import count
from .elementwise import broadcast_shapes, relayout
from .layout import Layout, default_layout
from .localize import Exchange, device_boxes
from .store import Store
from .._ndarray import ndarray

__all__ = ["matmul", "gather_to", "from_local"]


def _batch_box(box_batch, shape_batch):
    """Map a box over the broadcast batch axes onto an operand's own batch axes."""
    off = len(box_batch) - len(shape_batch)
    out = []
    for k, n in enumerate(shape_batch):
        lo, hi = box_batch[off + k]
        out.append((0, 1) if n == 1 and (hi - lo) != 0 else (lo, hi))
    return tuple(out)


def matmul(a2, b2, dtype) -> "ndarray":
    """``a2 @ b2`` for operands with at least two dimensions (shapes already checked)."""
    m = a2._store.machine
    batch = broadcast_shapes([a2.shape[:-2], b2.shape[:-2]]) if (a2.ndim > 2 or b2.ndim > 2) \
        else ()
    n, k, p = a2.shape[-2], a2.shape[-1], b2.shape[-1]
    oshape = batch + (n, p)
    nb = len(batch)
    la, lb = a2._view_layout(), b2._view_layout()
    if m.ndev > 1 and la.is_block and la.axis == a2.ndim - 1 and k > 0:
        return _contracted_split(a2, b2, la, batch, oshape, dtype)
    layout = None
    if m.ndev == 1:
        layout = Layout.single(0)
    elif la.is_block and la.axis < a2.ndim - 1:
        ax = la.axis + nb - (a2.ndim - 2)
        if a2.shape[la.axis] == oshape[ax]:
            layout = Layout.block(ax, la.ranges)
    if layout is None and m.ndev > 1 and lb.is_block and lb.axis != b2.ndim - 2:
        ax = lb.axis + nb - (b2.ndim - 2) if lb.axis < b2.ndim - 2 else len(oshape) - 1
        if b2.shape[lb.axis] == oshape[ax]:
            layout = Layout.block(ax, lb.ranges)
    if layout is None:
        if la.is_single and (lb.is_single and lb.device == la.device or lb.is_replicated):
            layout = la
        elif la.is_replicated and lb.is_replicated:
            layout = la
        else:
            layout = default_layout(oshape, numpy.dtype(dtype).itemsize, m.ndev)
    ex = Exchange(m)
    plans = []
    for d, box in enumerate(device_boxes(layout, oshape, m.ndev)):
        if box is None:
            continue
        abox = _batch_box(box[:nb], a2.shape[:-2]) + (box[nb], (0, k))
        bbox = _batch_box(box[:nb], b2.shape[:-2]) + ((0, k), box[nb + 1])
        la_ = ex.localize(a2._store, a2._map, abox, d)
        lb_ = ex.localize(b2._store, b2._map, bbox, d)
        if m.is_local(d):
            plans.append((d, la_, lb_))
    ex.run()
    shards = [None] * m.ndev
    for d, x, y in plans:
        dev = m.devices[d]
        with dev.activate():
            shards[d] = _local_matmul(dev.xp, x, y, dtype)
    return ndarray._from_store(Store(m, oshape, numpy.dtype(dtype), layout, shards))


def _local_matmul(xp, x, y, dtype):
    r = xp.matmul(x, y)
    if r.dtype != dtype:
        r = r.astype(dtype)
    return r


def _contracted_split(a2, b2, la, batch, oshape, dtype):
    """Both operands cut along the contracted axis: partial products, summed."""
    m = a2._store.machine
    nb = len(batch)
    ex = Exchange(m)
    plans = []
    for d, (lo, hi) in enumerate(la.ranges):
        abox = tuple((0, s) for s in a2.shape[:-1]) + ((lo, hi),)
        bbox = tuple((0, s) for s in b2.shape[:-2]) + ((lo, hi), (0, b2.shape[-1]))
        x = ex.localize(a2._store, a2._map, abox, d)
        y = ex.localize(b2._store, b2._map, bbox, d)
        if m.is_local(d):
            plans.append((d, x, y))
    ex.run()
    partial = {}
    for d, x, y in plans:
        dev = m.devices[d]
        with dev.activate():
            r = dev.xp.matmul(x, y)
            partial[d] = dev.xp.ascontiguousarray(
                dev.xp.broadcast_to(r, oshape)).astype(dtype, copy=False)
    order = sorted(range(m.ndev), key=lambda e: la.ranges[e][0])
    gathered = m.comm.allgather(partial)
    shards = [None] * m.ndev
    for d, parts in gathered.items():
        dev = m.devices[d]
        with dev.activate():
            shards[d] = functools.reduce(dev.xp.add, [parts[e] for e in order])
    return ndarray._from_store(Store(m, oshape, numpy.dtype(dtype), Layout.replicated(), shards))


def on_one_device(fn, arrays, results, d: int = 0, spread: bool = True):
    """Run ``fn(xp, *local_arrays)`` on device ``d`` with every array gathered there
    (counted), for the routines that have no distributed algorithm.  ``results`` lists
    the (shape, dtype) of what ``fn`` returns (a tuple when several); the results are
    spread back by the default layout.  In a run of several processes only the owner of
    ``d`` computes, and an error it raises is raised by every process."""
    m = arrays[0]._store.machine
    locs = [gather_to(a, d) for a in arrays]
    out, err = None, None
    if m.is_local(d):
        dev = m.devices[d]
        try:
            with dev.activate():
                out = fn(dev.xp, *locs)
        except Exception as exc:
            if m.nranks == 1:
                raise
            err = exc
    if m.nranks > 1:
        errs = [e for e in m.comm.allgather_obj(err) if e is not None]
        if errs:
            raise errs[0]
    single = len(results) == 1
    outs = (out,) if single else (out if out is not None else (None,) * len(results))
    made = tuple(from_local(m, d, o, spread, shape=sh, dtype=dt)
                 for o, (sh, dt) in zip(outs, results))
    return made[0] if single else made


def gather_to(x, d: int = 0):
    """The whole of ``x`` as one local array on device ``d`` (counted as a gather when
    the data was spread over several devices)."""
    m = x._store.machine
    lay = x._view_layout()
    if lay.is_single and lay.device == d or lay.is_replicated or m.ndev == 1:
        return x._local() if (lay.is_single or m.ndev == 1) else _local_copy(x, d)
    count("gathers")
    ex = Exchange(m)
    arr = ex.localize(x._store, x._map, tuple((0, s) for s in x.shape), d)
    ex.run()
    return arr


def _local_copy(x, d):
    ex = Exchange(x._store.machine)
    arr = ex.localize(x._store, x._map, tuple((0, s) for s in x.shape), d)
    ex.run()
    return arr


def from_local(machine, d: int, arr, spread: bool = True, shape=None, dtype=None):
    """An arrbackend array from a local array of device ``d``; spread over the machine
    by the default layout when ``spread`` and the array is large enough.  Processes not
    owning ``d`` pass ``arr=None`` with the ``shape`` and ``dtype``."""
    shards = [None] * machine.ndev
    if machine.is_local(d):
        shards[d] = arr
    shape = tuple(arr.shape) if arr is not None else tuple(shape)
    dtype = numpy.dtype(arr.dtype if arr is not None else dtype)
    x = ndarray._from_store(Store(machine, shape, dtype, Layout.single(d), shards))
    if spread and machine.ndev > 1:
        lay = default_layout(shape, x.dtype.itemsize, machine.ndev)
        if not (lay.is_single and lay.device == d):
            x = relayout(x, lay)
    return x
