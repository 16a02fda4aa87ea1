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
from .array import ndarray
from .. import _fperrors

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
    with _fperrors.at_user(not m.is_gpu):     # (NumPy's warnings, once, at the user's line)
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
    shards = [None] * m.ndev
    # NumPy's warnings once, at the user's line (the partial products' sum is part of the
    # matmul, as NumPy names it)
    with _fperrors.at_user(not m.is_gpu, "matmul"):
        for d, x, y in plans:
            dev = m.devices[d]
            with dev.activate():
                r = dev.xp.matmul(x, y)
                partial[d] = dev.xp.ascontiguousarray(
                    dev.xp.broadcast_to(r, oshape)).astype(dtype, copy=False)
        order = sorted(range(m.ndev), key=lambda e: la.ranges[e][0])
        gathered = m.comm.allgather(partial)
        for d, parts in gathered.items():
            dev = m.devices[d]
            with dev.activate():
                shards[d] = functools.reduce(dev.xp.add, [parts[e] for e in order])
    return ndarray._from_store(Store(m, oshape, numpy.dtype(dtype), Layout.replicated(), shards))


def on_one_device(fn, arrays, spread: bool = True):
    """Run ``fn(xp, is_gpu, *local_arrays)`` on one device (the one a whole operand
    already lies on, else the first) with every array gathered there (counted), for the
    routines that have no distributed algorithm, and wrap the array results (spread back
    by the default layout with ``spread``).  In a run of several processes only the owner
    of that device computes; the others learn the results' shapes (and Python values)
    from it, and its errors are raised everywhere."""
    m = arrays[0]._store.machine
    d = 0
    for a in arrays:
        lay = a._view_layout()
        if lay.is_single:
            d = lay.device
            break
    dev = m.devices[d]
    locs = [gather_to(a, d) for a in arrays]
    out, err = None, None
    if m.is_local(d):
        try:
            with dev.activate():
                out = fn(dev.xp, dev.is_gpu, *locs)
        except Exception as exc:
            if m.nranks == 1:
                raise
            err = exc
    if m.nranks > 1:
        shared = m.comm.allgather_obj((err, _describe(out) if m.is_local(d) else None))
        errs = [e for e, _ in shared if e is not None]
        if errs:
            raise errs[0]
        desc = next(dsc for _, dsc in shared if dsc is not None)
        return _wrap(m, d, out if m.is_local(d) else _placeholders(desc), spread, desc)
    return _wrap(m, d, out, spread, None)


def _describe(r):
    """Shapes, dtypes and Python values of a result (what other processes need)."""
    if isinstance(r, tuple):
        return ("t", [_describe(v) for v in r])
    if isinstance(r, numpy.generic):            # (before float: numpy.float64 is one)
        return ("a", (), r.dtype)
    if r is None or isinstance(r, (int, float, complex)):
        return ("v", r)
    return ("a", tuple(r.shape), r.dtype)


def _placeholders(desc):
    kind = desc[0]
    if kind == "t":
        return tuple(_placeholders(d) for d in desc[1])
    if kind == "v":
        return desc[1]
    return None


def _wrap(m, d, r, spread, desc):
    if isinstance(r, tuple):
        subs = desc[1] if desc is not None else [None] * len(r)
        vals = [_wrap(m, d, v, spread, sd) for v, sd in zip(r, subs)]
        return type(r)(*vals) if hasattr(r, "_fields") else tuple(vals)
    if desc is not None and desc[0] == "a" and r is None:
        return from_local(m, d, None, spread, shape=desc[1], dtype=desc[2])
    if isinstance(r, numpy.generic):            # (before float: numpy.float64 is one)
        r = numpy.asarray(r)
    elif r is None or isinstance(r, (int, float, complex)):
        return r
    if not hasattr(r, "shape"):
        return r
    dev = m.devices[d]
    if dev.is_gpu and isinstance(r, numpy.ndarray):
        with dev.activate():
            r = dev.xp.asarray(r)
    return from_local(m, d, r, spread=spread)


def gpu_linalg_errors(is_gpu, message):
    """A context raising NumPy's LinAlgError text for cuSOLVER failures on GPUs."""
    import contextlib
    if not is_gpu:
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def ctx():
        import cupyx
        try:
            with cupyx.errstate(linalg="raise"):
                yield
        except numpy.linalg.LinAlgError:
            raise numpy.linalg.LinAlgError(message) from None
    return ctx()


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
