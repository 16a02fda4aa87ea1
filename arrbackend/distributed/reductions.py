"""The reduction engine.

Each device reduces the part of the view it holds (no data moves); when the reduced axes
include the axis the view is split along, the partial results are gathered to every
device and combined in the order of the rows they cover, giving a replicated result
identical on every device.  Otherwise each device keeps its block of the result.

``reduce`` serves ``sum prod max min any all`` and the NaN-skipping ``nanmax nanmin``, with
``axis`` (ints, tuples, negatives), ``keepdims``, ``dtype``, ``where`` and ``initial``;
``arg_reduce`` serves ``argmax``/``argmin``.  Means, variances and the other statistics are
composed from these and the elementwise engine in ``arrbackend.api.reductions``.
"""
from __future__ import annotations

import contextlib
import functools

import numpy
from numpy.exceptions import AxisError

from .comm.check import note_reduction
from .layout import Layout
from .localize import Exchange, device_boxes
from .store import Store, mark_scalar
from .view import normalize_axis
from .. import _fperrors
from .deferred import FUSED_REDUCTIONS, reduce_pending
from .array import ndarray

__all__ = ["reduce", "arg_reduce", "normalize_axes", "ufunc_reduce", "KINDS"]

_NOVALUE = numpy._NoValue


class Kind:
    def __init__(self, name, numpy_func, combine, fill, nan_skip=False):
        self.name = name
        self.numpy_func = numpy_func      # NumPy's reduction (stand-in checks)
        self.combine = combine            # ufunc name combining partial results
        self.fill = fill                  # value of masked-out elements (None: initial)
        self.nan_skip = nan_skip


KINDS = {
    "sum": Kind("sum", numpy.sum, "add", 0),
    "prod": Kind("prod", numpy.prod, "multiply", 1),
    "max": Kind("max", numpy.max, "maximum", None),
    "min": Kind("min", numpy.min, "minimum", None),
    "any": Kind("any", numpy.any, "logical_or", False),
    "all": Kind("all", numpy.all, "logical_and", True),
    "nanmax": Kind("nanmax", numpy.nanmax, "fmax", None, nan_skip=True),
    "nanmin": Kind("nanmin", numpy.nanmin, "fmin", None, nan_skip=True),
}

_UFUNCS = {"max": numpy.maximum, "min": numpy.minimum, "nanmax": numpy.fmax,
           "nanmin": numpy.fmin}
_UFUNC_KINDS = {numpy.add: "sum", numpy.multiply: "prod", numpy.maximum: "max",
                numpy.minimum: "min", numpy.logical_or: "any", numpy.logical_and: "all",
                numpy.fmax: "nanmax", numpy.fmin: "nanmin"}


def normalize_axes(axis, ndim: int, name: str) -> tuple:
    """``axis`` as a sorted tuple of non-negative ints (NumPy's errors)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        items = axis
    else:
        items = (axis,)
    out = []
    for a in items:
        try:
            ai = a.__index__()
        except AttributeError:
            raise TypeError(f"{name}: axis must be an integer or a tuple of integers, got "
                            f"{type(a).__name__}") from None
        if ndim == 0 and ai in (0, -1) and not isinstance(axis, tuple):
            continue            # NumPy reduces a 0-d array "along" axis 0 or -1: itself
        if not -ndim <= ai < ndim:
            raise AxisError(ai, ndim)
        out.append(ai % ndim)
    if len(set(out)) != len(out):
        raise ValueError("duplicate value in 'axis'")
    return tuple(sorted(out))


_stand_in_cache: dict = {}


def _stand_in_check(kind: Kind, x, axes, dtype, keepdims, initial, where, out,
                    ufunc=None):
    """Ask NumPy on a tiny stand-in of the same rank: errors and the result dtype
    (cached for calls without ``initial``).  With ``ufunc``, NumPy's ``ufunc.reduce``
    is asked (its keywords differ from the functions')."""
    shape = tuple(min(n, 1) for n in x.shape)
    wshape = getattr(where, "shape", ())
    if wshape and wshape != x.shape:            # (the stand-in's sizes cannot tell)
        try:
            ok = numpy.broadcast_shapes(wshape, x.shape) == x.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"non-broadcastable operand with shape {wshape} doesn't match "
                             f"the broadcast shape {x.shape}")
    key = None
    if initial is _NOVALUE:
        key = (kind.name, x.dtype, shape, axes, dtype, keepdims,
               None if where is True else getattr(where, "shape", ()),
               None if out is None else out.dtype, ufunc)
        hit = _stand_in_cache.get(key)
        if hit is not None:
            return hit
    r = _stand_in_run(kind, x, shape, axes, dtype, keepdims, initial, where, out, ufunc)
    if key is not None:
        _stand_in_cache[key] = r
    return r


def _stand_in_run(kind, x, shape, axes, dtype, keepdims, initial, where, out, ufunc=None):
    kw = {"axis": axes, "keepdims": keepdims}
    if dtype is not None and (ufunc is not None or
                              kind.name not in ("max", "min", "nanmax", "nanmin")):
        kw["dtype"] = dtype
    if initial is not _NOVALUE:
        kw["initial"] = initial
    if where is not True and where is not None:
        kw["where"] = numpy.ones(tuple(min(n, 1) for n in getattr(where, "shape", ())), bool)
    sample = numpy.zeros(shape, x.dtype)
    if out is not None:
        rshape = tuple(1 if i in axes else n for i, n in enumerate(shape))
        if not keepdims:
            rshape = tuple(n for i, n in enumerate(rshape) if i not in axes)
        kw["out"] = numpy.zeros(rshape, out.dtype)
    with numpy.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            r = kind.numpy_func(sample, **kw) if ufunc is None else ufunc.reduce(sample, **kw)
    return numpy.asarray(r).dtype if out is None else numpy.dtype(dtype or
                                                                  numpy.asarray(r).dtype)


def _quiet(kind: Kind):
    """The error state of a device's part of a reduction: a sum's or a product's invalid
    values (inf - inf, 0 * inf) are NumPy's to report; the comparisons of the others
    (NaN met by max, min) are not."""
    if kind.name in ("sum", "prod"):
        return contextlib.nullcontext()
    return numpy.errstate(invalid="ignore")


def _local_reduce(xp, kind: Kind, a, axes, dtype, where, initial):
    """Reduce one device's piece over ``axes`` keeping the reduced dims (an array, also
    where the library answers a 0-d piece with a scalar)."""
    return xp.asarray(_local_reduce1(xp, kind, a, axes, dtype, where, initial))


def _local_reduce1(xp, kind: Kind, a, axes, dtype, where, initial):
    if where is not None and xp is numpy and kind.name in ("sum", "prod") and \
            initial is None:
        # NumPy's masked loop, in its order (element after element, where the filled
        # array's sum would pair the elements of a contiguous axis: other last bits)
        uf = numpy.add if kind.name == "sum" else numpy.multiply
        return uf.reduce(a, axis=axes, dtype=dtype, keepdims=True, where=where)
    if where is not None:
        fill = kind.fill if kind.fill is not None else initial
        a = xp.where(where, a, xp.asarray(fill, dtype=a.dtype))
    if initial is not None and kind.fill is None and any(a.shape[k] == 0 for k in axes):
        # nothing to reduce here but an initial value: it is the answer (max and min of
        # the device libraries take no initial=)
        return xp.full(tuple(1 if k in axes else n for k, n in enumerate(a.shape)), initial,
                       dtype=a.dtype)
    if kind.name == "sum":
        return xp.sum(a, axis=axes, dtype=dtype, keepdims=True)
    if kind.name == "prod":
        return xp.prod(a, axis=axes, dtype=dtype, keepdims=True)
    if kind.name == "max":
        return xp.max(a, axis=axes, keepdims=True)
    if kind.name == "min":
        return xp.min(a, axis=axes, keepdims=True)
    if kind.name == "any":
        return xp.any(a, axis=axes, keepdims=True)
    if kind.name == "all":
        return xp.all(a, axis=axes, keepdims=True)
    # nanmax / nanmin: NaN skipped; an all-NaN slice gives NaN (the caller warns once)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f = xp.nanmax if kind.name == "nanmax" else xp.nanmin
        return f(a, axis=axes, keepdims=True)


def _product_in_order(m, lay, axis: int, pieces: dict, partial: dict, dtype) -> None:
    """A floating-point product along the split axis in NumPy's order: each device
    multiplies on from the previous device's product (so a zero met before an overflow
    keeps the product zero, as NumPy's sequential loop does), the last device's product
    is the whole one and the others' become ones.  One process holds every device, on
    CPUs (a GPU's own product is parallel: docs/differences.md)."""
    prev = None
    last = None
    for d in sorted(pieces, key=lambda e: lay.ranges[e][0]):
        a = pieces[d][0]
        if a.shape[axis] == 0:
            continue
        dev = m.devices[d]
        xp = dev.xp
        with dev.activate():
            if prev is not None:
                p = xp.asarray(prev)
                a = xp.concatenate([p, a.astype(p.dtype, copy=False)], axis=axis)
            prev = xp.prod(a, axis=axis, dtype=dtype, keepdims=True)
            partial[d] = xp.ones_like(prev)
        last = d
    if last is not None:
        partial[last] = prev


def reduce(x, kind_name: str, axis=None, dtype=None, keepdims=False, initial=_NOVALUE,
           where=True, out=None, name: str | None = None, ufunc=None):
    """A reduction of ``x`` (an arrbackend array) of the given kind (for ``ufunc.reduce``
    pass ``ufunc``: NumPy's checks of its keywords)."""
    kind = KINDS[kind_name]
    name = name or kind_name
    axes = normalize_axes(axis, x.ndim, name)
    m = x._store.machine
    note_reduction(m, name, x.shape, x.dtype)      # part of the next collective's signature
    w = None
    if where is not True:
        from ..api.coerce import where_operand
        w = where_operand(where, m)                 # (NumPy's conversion and errors)
        if not isinstance(w, ndarray):
            w = None if bool(w) else w
    res_dtype = _stand_in_check(kind, x, axes, dtype, keepdims, initial,
                                w if w is not None else True, out, ufunc)
    if kind.fill is None and (dtype is not None or out is not None):
        # max/min in NumPy's loop dtype (dtype=, or the one an out= of another dtype
        # selects): the input and initial= are cast to it first, as NumPy casts them
        loop = numpy.dtype(dtype) if dtype is not None else _UFUNCS[kind_name].resolve_dtypes(
            (out.dtype, x.dtype, None), reduction=True, casting="unsafe")[-1]
        if loop != x.dtype:
            x = x.astype(loop)
        dtype = None
    if dtype is not None and x.dtype.kind == "c" and numpy.dtype(dtype).kind != "c":
        # a complex input summed in a real dtype: NumPy casts it first (the imaginary part
        # dropped, with NumPy's warning), a cast the GPU's reduction kernels cannot compile
        x = x.astype(dtype)
    user_dtype = dtype
    if dtype is None and kind_name in ("sum", "prod"):
        if out is not None:
            # NumPy's reduction loop for this input and this out= (float64 for an int64
            # input into a float64 out, and for a float64 input into an int64 out)
            uf = numpy.add if kind_name == "sum" else numpy.multiply
            res_dtype = uf.resolve_dtypes((out.dtype, x.dtype, None), reduction=True,
                                          casting="unsafe")[-1]
        dtype = res_dtype
    numpy_loop = dtype
    if initial is not _NOVALUE:         # NumPy casts initial= into the loop's dtype first
        loop_dt = numpy.dtype(numpy_loop) if numpy_loop is not None else x.dtype
        if loop_dt.kind in "iub" and numpy.asarray(initial).dtype.kind == "f":
            with numpy.errstate(all="ignore"):
                initial = numpy.asarray(initial).astype(loop_dt)[()]
    half = kind_name in ("sum", "prod") and numpy.dtype(res_dtype) == numpy.float16
    if half:
        # NumPy's float16 loops accumulate in float32 and round once (along a contiguous
        # axis): so do the devices' partial results and their combination
        dtype = numpy.dtype(numpy.float32)
    # ... and their inputs are float16: other values are cast to float16 first (2**40
    # is inf there, so np.prod([0, 0, 2**40], dtype=np.float16) is nan)
    cast16 = half and x.dtype != numpy.float16
    if isinstance(w, (bool, numpy.bool_)):          # where=False: nothing reduced
        from ..api.creation import full_on
        rshape = _result_shape(x.shape, axes, keepdims)
        return _finish(full_on(rshape, kind.fill if initial is _NOVALUE else initial,
                               res_dtype, m), out)
    rshape_keep = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
    if (w is None and initial is _NOVALUE and x._store.pending and x._map.ident
            and len(axes) == x.ndim and kind_name in FUSED_REDUCTIONS and m.is_gpu
            and not cast16):
        parts = reduce_pending(x._store, kind_name, dtype if kind_name in ("sum", "prod")
                               else res_dtype)
        if parts is not None:
            shards = [None] * m.ndev
            for d, v in parts.items():
                if v.dtype != res_dtype:
                    v = v.astype(res_dtype)
                shards[d] = v.reshape(rshape_keep) if keepdims else v
            xl = x._store.layout
            lay0 = (Layout.single(xl.device if xl.is_single else 0)
                    if m.ndev == 1 or xl.is_single else Layout.replicated())
            r = ndarray._from_store(Store(m, _result_shape(x.shape, axes, keepdims),
                                          numpy.dtype(res_dtype), lay0, shards))
            return _finish(r, out)
    lay = x._view_layout()
    if w is None and (lay.is_single or m.ndev == 1):
        # on one device: reduce the local array directly
        d = max(lay.device, 0)
        if not m.is_local(d):       # another process's device: it computes, this one holds
            return _finish(ndarray._from_store(Store(       # no shard (and every process
                m, _result_shape(x.shape, axes, keepdims), numpy.dtype(res_dtype),
                Layout.single(d), [None] * m.ndev)), out)   # takes this same branch)
        dev = m.devices[d]
        ident = initial if initial is not _NOVALUE else None
        xp = dev.xp
        with dev.activate(), _fperrors.at_user(not m.is_gpu, "reduce"):
            if ident is None and kind.name in ("sum", "prod", "max", "min", "any", "all"):
                # the library's own reduction, called as a user would call it
                ax = None if len(axes) == x.ndim else axes
                f = getattr(xp, kind.name)
                if kind.name in ("sum", "prod"):
                    # (into an out=: NumPy's loop dtype for that out, chosen above; a
                    # float16 sum on a GPU: accumulated in float32, as NumPy's is)
                    loop = dtype if half and xp is not numpy else \
                        numpy_loop if out is not None else user_dtype
                    src = x._local()
                    if cast16 and xp is not numpy:
                        src = src.astype(numpy.float16)
                    r = f(src, axis=ax, keepdims=keepdims, dtype=loop)
                else:
                    r = f(x._local(), axis=ax, keepdims=keepdims)
                r = xp.asarray(r)
                if r.dtype != res_dtype:
                    r = r.astype(res_dtype)
            else:
                src = x._local()
                if cast16:
                    src = src.astype(numpy.float16)
                with _quiet(kind):
                    r = _local_reduce(xp, kind, src, axes, dtype, None, ident)
                r = _postprocess(xp, r, kind, ident, res_dtype, axes, keepdims)
        shards = [None] * m.ndev
        shards[d] = r
        rshape = _result_shape(x.shape, axes, keepdims)
        return _finish(ndarray._from_store(Store(m, rshape, numpy.dtype(res_dtype),
                                                 Layout.single(d), shards)), out)
    boxes = device_boxes(lay, x.shape, m.ndev)
    ex = Exchange(m)
    pieces = {}
    for d, box in enumerate(boxes):
        if box is None:
            continue
        a = ex.localize(x._store, x._map, box, d)
        wl = None
        if w is not None:
            wmap = w._map if w.shape == x.shape else w._map.broadcast_to(x.shape)
            wl = ex.localize(w._store, wmap, box, d)
        if m.is_local(d):
            pieces[d] = (a, wl, box)
    ex.run()
    ident = initial if initial is not _NOVALUE else None
    split = lay.axis if lay.is_block else -1
    partial = {}
    # a floating-point product along the split axis, on CPUs: in NumPy's order, each
    # device's part multiplied on from the previous one (not each on its own first)
    in_order = kind.name == "prod" and split >= 0 and tuple(axes) == (split,) and \
        w is None and ident is None and m.nranks == 1 and not m.is_gpu and \
        numpy.dtype(res_dtype).kind in "fc"
    # NumPy's warnings once, at the user's line, named as NumPy names them: a combining
    # step's add or maximum is part of the reduction
    with _fperrors.at_user(not m.is_gpu, "reduce"):
        if cast16:
            for d, (a, wl, box) in list(pieces.items()):
                with m.devices[d].activate():
                    pieces[d] = (a.astype(numpy.float16), wl, box)
        for d, (a, wl, box) in pieces.items():
            dev = m.devices[d]
            with dev.activate():
                if split in axes and a.shape[split] == 0 and kind.fill is None:
                    # nothing here to reduce: a placeholder the combination leaves out
                    partial[d] = dev.xp.zeros(rshape_keep, dtype if kind.name in (
                        "sum", "prod") else res_dtype)
                    continue
                if in_order and a.shape[split]:
                    continue            # (computed below, in order)
                with _quiet(kind):
                    partial[d] = _local_reduce(dev.xp, kind, a, axes, dtype, wl, ident)
        if in_order:
            _product_in_order(m, lay, split, pieces, partial, dtype)
        if split >= 0 and split in axes:
            # combine the partials of all devices, in the order of the rows they hold
            order = [d for d in sorted(range(m.ndev), key=lambda e: lay.ranges[e][0])
                     if lay.ranges[d][1] > lay.ranges[d][0] or kind.fill is not None]
            gathered = (m.comm.allgather(partial, f"{name} over axes {axes} of {x.shape}")
                        if m.ndev > 1 else {d: [partial[d]] for d in partial})
            shards = [None] * m.ndev
            for d, parts in gathered.items():
                dev = m.devices[d]
                with dev.activate():
                    chosen = [parts[e] for e in order]
                    if not chosen:
                        chosen = [dev.xp.full(rshape_keep, initial, res_dtype)]
                    comb = getattr(dev.xp, kind.combine)
                    r = functools.reduce(comb, chosen)
                    shards[d] = _postprocess(dev.xp, r, kind, ident, res_dtype, axes,
                                             keepdims)
            store = Store(m, _result_shape(x.shape, axes, keepdims), numpy.dtype(res_dtype),
                          Layout.replicated() if m.ndev > 1 else Layout.single(0), shards)
        else:
            shards = [None] * m.ndev
            for d, r in partial.items():
                dev = m.devices[d]
                with dev.activate():
                    shards[d] = _postprocess(dev.xp, r, kind, ident, res_dtype, axes,
                                             keepdims)
            rshape = _result_shape(x.shape, axes, keepdims)
            if lay.is_block:
                k = lay.axis if keepdims else lay.axis - sum(1 for a in axes if a < lay.axis)
                rlay = Layout.block(k, lay.ranges)
            else:
                rlay = lay
            store = Store(m, rshape, numpy.dtype(res_dtype), rlay, shards)
    return _finish(ndarray._from_store(store), out)


def _postprocess(xp, r, kind, ident, res_dtype, axes, keepdims):
    if ident is not None and kind.fill is None:
        r = getattr(xp, kind.combine)(r, xp.asarray(ident, dtype=r.dtype))
    elif ident is not None:
        r = getattr(xp, kind.combine)(r, ident)
    if r.dtype != res_dtype:
        r = r.astype(res_dtype)
    if not keepdims:
        r = r.reshape(tuple(n for i, n in enumerate(r.shape) if i not in axes))
    return r


def _result_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _finish(result, out):
    if out is None:
        # NumPy's reductions give a scalar where the result is 0-d
        return mark_scalar(result) if result.ndim == 0 else result
    if out.shape != result.shape:
        raise ValueError(f"output parameter for reduction has shape {out.shape}, "
                         f"expected {result.shape}")
    from .elementwise import assign
    assign(out, result)
    return out


def arg_reduce(x, kind: str, axis=None, keepdims=False, out=None):
    """``argmax``/``argmin``: the first index of the extreme value (NaN counts as the
    extreme, as in NumPy)."""
    name = f"arg{kind}"
    if x.ndim == 0:                 # NumPy takes a 0-d array as one element of a 1-d one
        if axis is not None:
            normalize_axis(axis, 1, name)
        return _finish_arg(arg_reduce(x.reshape(1), kind, 0), out, name)
    if axis is None:
        if x.size == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        flat = x.reshape(-1)
        r = arg_reduce(flat, kind, 0)
        if keepdims:
            r = r.reshape((1,) * x.ndim)
        return _finish_arg(r, out, name)
    ax = normalize_axis(axis, x.ndim, name)      # one axis (a tuple: NumPy's TypeError)
    if x.shape[ax] == 0:
        raise ValueError(f"attempt to get {name} of an empty sequence")
    m = x._store.machine
    note_reduction(m, name, x.shape, x.dtype)
    lay = x._view_layout()
    boxes = device_boxes(lay, x.shape, m.ndev)
    ex = Exchange(m)
    pieces = {}
    for d, box in enumerate(boxes):
        if box is None:
            continue
        a = ex.localize(x._store, x._map, box, d)
        if m.is_local(d):
            pieces[d] = (a, box)
    ex.run()
    split = lay.axis if lay.is_block else -1
    partial = {}
    for d, (a, box) in pieces.items():
        dev = m.devices[d]
        xp = dev.xp
        with dev.activate():
            if a.shape[ax] == 0:
                idx = xp.zeros(a.shape[:ax] + (1,) + a.shape[ax + 1:], numpy.intp)
                val = xp.zeros(idx.shape, a.dtype)
            else:
                idx = getattr(xp, name)(a, axis=ax, keepdims=True)
                val = xp.take_along_axis(a, idx, axis=ax)
                idx = idx.astype(numpy.intp) + box[ax][0]
            partial[d] = (idx, val)
    rshape = tuple(n for i, n in enumerate(x.shape) if i != ax)
    if split == ax:
        order = [d for d in sorted(range(m.ndev), key=lambda e: lay.ranges[e][0])
                 if lay.ranges[d][1] > lay.ranges[d][0]]
        gi = m.comm.allgather({d: p[0] for d, p in partial.items()}, f"{name} of {x.shape}")
        gv = m.comm.allgather({d: p[1] for d, p in partial.items()}, f"{name} of {x.shape}")
        shards = [None] * m.ndev
        for d in partial:
            dev = m.devices[d]
            xp = dev.xp
            with dev.activate():
                best_i, best_v = gi[d][order[0]], gv[d][order[0]]
                for e in order[1:]:
                    vi, vv = gi[d][e], gv[d][e]
                    better = _better(xp, kind, vv, best_v)
                    best_i = xp.where(better, vi, best_i)
                    best_v = xp.where(better, vv, best_v)
                shards[d] = best_i.reshape(rshape)
        rlay = Layout.replicated() if m.ndev > 1 else Layout.single(0)
    else:
        shards = [None] * m.ndev
        for d, (idx, _v) in partial.items():
            shards[d] = idx.reshape(idx.shape[:ax] + idx.shape[ax + 1:])
        if lay.is_block:
            rlay = Layout.block(lay.axis - (1 if lay.axis > ax else 0), lay.ranges)
        else:
            rlay = lay
    r = ndarray._from_store(Store(m, rshape, numpy.dtype(numpy.intp), rlay, shards))
    if keepdims:
        r = numpy.expand_dims(r, ax)
    return _finish_arg(r, out, name)


def _finish_arg(r, out, name):
    if out is not None:
        from ..api.coerce import check_writeback_out
        check_writeback_out(out, numpy.intp, r.shape, f"np.{name}.")
    return _finish(r, out)


def _better(xp, kind, v, best):
    """Whether candidate value v (from later rows) beats ``best``: strictly more extreme,
    or NaN where best is not NaN (ties keep the earlier index)."""
    if v.dtype.kind in "fc":
        vnan, bnan = xp.isnan(v), xp.isnan(best)
        cmp = (v > best) if kind == "max" else (v < best)
        return (vnan & ~bnan) | (cmp & ~bnan)
    return (v > best) if kind == "max" else (v < best)


def ufunc_reduce(ufunc, inputs, kwargs):
    """``ufunc.reduce`` for the ufuncs with a reduction kind; NotImplemented otherwise."""
    kname = _UFUNC_KINDS.get(ufunc)
    if kname is None or len(inputs) != 1 or not isinstance(inputs[0], ndarray):
        return NotImplemented
    o = kwargs.get("out")
    if type(o) is numpy.ndarray or type(o) is tuple and o and type(o[0]) is numpy.ndarray:
        from ..api.gate import _into_host_out         # a NumPy array as out=
        return _into_host_out(lambda *a, **k: ufunc_reduce(ufunc, a, k), inputs, kwargs,
                              None, f"numpy.{ufunc.__name__}.reduce")
    kw = dict(kwargs)
    axis = kw.pop("axis", 0)
    dtype = kw.pop("dtype", None)
    out = kw.pop("out", None)
    if isinstance(out, tuple):
        out = out[0]
    keepdims = kw.pop("keepdims", False)
    initial = kw.pop("initial", _NOVALUE)
    where = kw.pop("where", True)
    if kw:
        return NotImplemented
    x = inputs[0]
    if kname in ("any", "all") and x.dtype != numpy.bool_:
        return NotImplemented       # logical_or.reduce on numbers keeps the dtype
    if dtype is not None and kname not in ("sum", "prod"):
        return NotImplemented       # maximum.reduce(x, dtype=...) computes in that dtype
    return reduce(x, kname, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial,
                  where=where, out=out, name=f"{ufunc.__name__}.reduce", ufunc=ufunc)
