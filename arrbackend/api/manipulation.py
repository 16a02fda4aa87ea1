"""Shapes, axes, joining and elementwise selection: ``reshape ravel transpose swapaxes
moveaxis squeeze expand_dims broadcast_to broadcast_arrays concatenate stack where clip
astype real imag``.

Transposes, axis moves, squeezes and broadcasts are views (index maps).  ``reshape`` is
a view where NumPy's is (the view's strides allow it) and every device keeps its own
elements: each device reshapes its part of the memory (a store over the same memory,
``distributed.derived``); otherwise it redistributes the data in one exchange (a copy;
see the docs).  ``ravel`` is a view of a contiguous array only, as NumPy's.
"""
from __future__ import annotations

import math
import operator

import numpy

from .registry import implements
from ..distributed.elementwise import broadcast_shapes, elementwise, relayout
from ..distributed.indexing import basic_view
from ..distributed.layout import Layout, default_layout, even_ranges
from ..distributed.localize import device_boxes
from ..distributed.comm import Transfer
from ..distributed.derived import (Derived, c_strides, derived_array, is_c_contiguous,
                                   reshape_strides, store_strides, view_parts,
                                   view_strides)
from ..distributed.store import Store, alloc_local
from ..distributed.view import IndexMap, normalize_axis, normalize_axis_tuple
from .ufuncs import as_operand, common_machine
from ..distributed.array import ndarray

__all__ = ["astype", "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "squeeze",
           "expand_dims", "broadcast_to", "broadcast_arrays", "concatenate", "stack",
           "where", "clip", "real", "imag", "view_as_dtype"]

_NoValue = numpy._NoValue


def _ours(x, name: str):
    if isinstance(x, ndarray):
        return x
    from .creation import asarray_on
    from ..distributed.machine import current_machine
    return asarray_on(x, current_machine())


# ---------------------------------------------------------------------------------------
# dtype

def _cast_kernel(xp, ins, outs):
    if ins[0].dtype.kind == "c" and outs[0].dtype.kind != "c":
        import warnings
        with warnings.catch_warnings():         # (astype gave NumPy's one warning)
            warnings.simplefilter("ignore", numpy.exceptions.ComplexWarning)
            xp.copyto(outs[0], ins[0], casting="unsafe")
        return
    xp.copyto(outs[0], ins[0], casting="unsafe")


@implements(numpy.astype)
def astype(x, dtype, /, *, copy=True, device=None, casting="unsafe"):
    """Same as ``numpy.astype`` / ``ndarray.astype``: a copy in the layout of ``x``'s view."""
    x = _ours(x, "astype")
    dt = numpy.dtype(dtype)
    if not numpy.can_cast(x.dtype, dt, casting=casting):
        raise TypeError(f"Cannot cast array data from {x.dtype!r} to {dt!r} according to "
                        f"the rule {casting!r}")
    if not copy and dt == x.dtype:
        return x
    if x.dtype.kind == "c" and dt.kind not in "cO":
        import warnings
        warnings.warn("Casting complex values to real discards the imaginary part",
                      numpy.exceptions.ComplexWarning, stacklevel=3)
    return elementwise(_cast_kernel, [x], x.shape, [dt])[0]


def view_as_dtype(x, dtype):
    """``x.view(dtype)`` for the same itemsize (a view of every shard).  ``x.view(cls)``
    of a NumPy subclass, and views as dtypes no device holds (strings, records), are
    NumPy arrays on the host (``hostio.host_view``); views as objects raise NumPy's
    TypeError."""
    if isinstance(dtype, type) and issubclass(dtype, numpy.ndarray):
        from ..distributed.hostio import host_view
        return host_view(x, dtype)
    dt = numpy.dtype(dtype)
    if dt.hasobject:
        raise TypeError("Cannot change data-type for array of references.")
    if dt.kind not in "biufc":
        from ..distributed.hostio import host_view
        return host_view(x, numpy.ndarray, dt)
    if dt.itemsize != x.dtype.itemsize:
        from .fallback import call_numpy
        return call_numpy(lambda a: a.view(dt), (x,), {},
                          name="ndarray.view with a different itemsize")
    s = x._store
    shards = [None if sh is None else sh.view(dt) for sh in s.shards]
    return x._view(x._map)._with_store(Derived(s.machine, s.shape, dt, s.layout, shards,
                                               s, store_strides(s)))


# ---------------------------------------------------------------------------------------
# reshape

def _new_shape(shape, size: int, name: str) -> tuple:
    """The new shape, as NumPy reads it: any negative length is the one unknown."""
    try:
        shape = (operator.index(shape),)
    except TypeError:
        shape = tuple(_dim(s) for s in shape)
    unknown = [i for i, s in enumerate(shape) if s < 0]
    if len(unknown) > 1:
        raise ValueError("can only specify one unknown dimension")
    if unknown:
        known = math.prod(s for s in shape if s >= 0)
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape "
                             f"{_shape_text(shape)}")
        shape = tuple(size // known if s < 0 else s for s in shape)
    if math.prod(shape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {_shape_text(shape)}")
    return shape


def _dim(s) -> int:
    if isinstance(s, (bool, numpy.bool_)):
        raise TypeError("an integer is required")
    return operator.index(s)


def _shape_text(shape) -> str:
    return "(" + ",".join("newaxis" if s < 0 else str(s) for s in shape) + ")"


def _unit_axes_map(vmap: IndexMap, shape: tuple):
    """A map for ``shape`` when it differs from the view's only by length-1 axes."""
    old = [(k, n) for k, n in enumerate(vmap.shape) if n != 1]
    new = [n for n in shape if n != 1]
    if [n for _, n in old] != new:
        return None
    fixed = list(vmap.fixed)
    for k, n in enumerate(vmap.shape):
        if n == 1:
            a, s, _st = vmap.dims[k]
            if a >= 0:
                fixed[a] = s
    dims, j = [], 0
    for n in shape:
        if n == 1:
            dims.append((-1, 0, 0))
        else:
            dims.append(vmap.dims[old[j][0]])
            j += 1
    return IndexMap(tuple(dims), tuple(fixed), tuple(shape))


@implements(numpy.reshape, extra={"newshape": "NumPy < 2.1 spelling of shape"})
def reshape(a, /, shape=_NoValue, order="C", *, newshape=None, copy=None):
    """Same as ``numpy.reshape`` (C order).  A view when the shards can be kept;
    otherwise a copy (``copy=False`` then raises, as NumPy does when it must copy)."""
    x = _ours(a, "reshape")
    if shape is _NoValue:
        if newshape is None:
            raise TypeError("reshape() missing 1 required positional argument: 'shape'")
        shape = newshape
    if shape is None:
        shape = x.shape                         # (NumPy: None keeps the shape)
    if order not in ("C", "A", "K", None):
        check_order(order, "reshape")           # (NumPy's errors; lowercase letters too)
        if order.upper() == "F":
            rev = transpose(x)
            return transpose(reshape(rev, tuple(reversed(_new_shape(shape, x.size,
                                                                    "reshape"))), copy=copy))
    shape = _new_shape(shape, x.size, "reshape")
    if copy:
        x = x.copy()
    if shape == x.shape:
        return x._view(x._map)
    vmap = _unit_axes_map(x._map, shape)
    if vmap is not None:
        return x._view(vmap)
    r = _reshape_keep_shards(x, shape)
    if r is not None:
        return r
    if copy is False and x.size:
        raise ValueError("Unable to avoid creating a copy while reshaping.")
    r = _reshape_copy(x, shape)
    if not x.size:
        r._readonly = x._readonly       # (NumPy reshapes an empty array as a view)
    return r


def _reshape_keep_shards(x, shape):
    """``x.reshape(shape)`` as a view of ``x``'s memory, or None where it must be a
    copy: where NumPy's reshape copies (the view's strides do not allow it), or where a
    device cannot keep its own elements (the new rows do not fall on the block
    boundaries; see the docs)."""
    store = x._store
    if x.size == 0:
        return None
    if x._map.ident and type(store) is not Derived:
        return _reshape_whole(x, shape)
    isz = x.dtype.itemsize
    strides = reshape_strides(x.shape, view_strides(store, x._map), shape, isz)
    if strides is None:
        return None                     # NumPy copies
    lay, parts = view_parts(x)
    m = store.machine
    if lay.is_block:
        k = lay.axis
        if any(n != 1 for n in x.shape[:k]):
            return None
        k2 = next((j for j, n in enumerate(shape) if n != 1), None)
        if k2 is None:
            return None
        row, new_row = math.prod(x.shape[k + 1:]), math.prod(shape[k2 + 1:])
        ranges = []
        for lo, hi in lay.ranges:
            if (lo * row) % new_row or (hi * row) % new_row:
                return None
            ranges.append((lo * row // new_row, hi * row // new_row))
        layout = Layout.block(k2, ranges)
    else:
        layout = lay
    if m.nranks > 1:
        # every process decides alike, from the metadata of every device's shard
        if type(store) is Derived:
            return None
        for d, box in enumerate(device_boxes(lay, x.shape, m.ndev)):
            if box is not None and reshape_strides(
                    tuple(hi - lo for lo, hi in box), _shard_view_strides(store, x._map, d),
                    layout.shard_shape(shape, d), isz) is None:
                return None
    plans = {}
    for d, box, loc in parts:
        lshape = layout.shard_shape(shape, d)
        lstrides = reshape_strides(loc.shape, loc.strides, lshape, isz)
        if lstrides is None and m.nranks == 1:
            return None                 # this device's memory does not allow it
        plans[d] = (loc, lshape, lstrides)
    shards = {}
    for d, (loc, lshape, lstrides) in plans.items():
        dev = m.devices[d]
        with dev.activate():
            if lstrides is None or is_c_contiguous(loc.shape, loc.strides, isz):
                shards[d] = loc.reshape(lshape)     # (a view; or, where the shard is not
                                                    # laid out as its metadata says, a copy)
            else:
                shards[d] = dev.xp.lib.stride_tricks.as_strided(loc, lshape, lstrides)
    readonly = any(a < 0 and n > 1 for (a, _s, _st), n in zip(x._map.dims, x.shape))
    return derived_array(x, shape, x.dtype, layout, shards, strides, readonly)


def _reshape_whole(x, shape):
    """The reshape of a whole store that owns its (C-ordered) memory: each shard
    reshaped, when the new rows fall on the block boundaries (the common case, quick)."""
    store = x._store
    lay = store.layout
    m = store.machine
    if lay.is_block:
        if lay.axis != 0 or not shape:
            return None
        row, new_row = math.prod(store.shape[1:]), math.prod(shape[1:])
        if new_row == 0 or row == 0:
            return None
        ranges = []
        for lo, hi in lay.ranges:
            if (lo * row) % new_row or (hi * row) % new_row:
                return None
            ranges.append((lo * row // new_row, hi * row // new_row))
        lay = Layout.block(0, ranges)
    shards = [None] * m.ndev
    for d, sh in enumerate(store.shards):
        if sh is not None:
            with m.devices[d].activate():
                shards[d] = sh.reshape(lay.shard_shape(shape, d))
    r = _wrap(Store(m, shape, store.dtype, lay, shards, base=store))
    r._readonly = x._readonly
    return r


def _shard_view_strides(store, vmap, d: int) -> tuple:
    """The strides of the view's part on device ``d`` in a C-ordered shard."""
    cs = c_strides(store.layout.shard_shape(store.shape, d), store.dtype.itemsize)
    return tuple(st * cs[a] if a >= 0 else 0 for a, _s, st in vmap.dims)


def _rows(layout: Layout, n: int, ndev: int) -> list:
    """Axis-0 row ranges of a block-along-0 or single layout (single: one device has all)."""
    if layout.is_block:
        return list(layout.ranges)
    owner = layout.device if layout.is_single else 0
    return [(0, n) if d == owner else (0, 0) for d in range(ndev)]


def _reshape_copy(x, shape):
    """Copy into the default layout of the new shape, moving flat ranges between devices."""
    m = x._store.machine
    src = x
    slay = src._view_layout()
    if not src._map.is_identity_of(src._store.shape) or not (
            slay.is_single or (slay.is_block and slay.axis == 0) or slay.is_replicated):
        target = (Layout.block(0, even_ranges(x.shape[0], m.ndev))
                  if x.ndim and m.ndev > 1 and x.shape[0] > 1 else Layout.single(0))
        src = relayout(x, target)
        slay = src._store.layout
    dlay = default_layout(shape, x.dtype.itemsize, m.ndev)
    if shape and shape[0] < 2 or not shape:
        dlay = Layout.single(0)
    srow = 1
    for n in src.shape[1:]:
        srow *= n
    drow = 1
    for n in shape[1:]:
        drow *= n
    src_rows = _rows(slay, src.shape[0] if src.ndim else 1, m.ndev)
    if slay.is_replicated:
        src_rows = [(0, src.shape[0]) if d == m.local[0] else (0, 0) for d in range(m.ndev)]
    dst_rows = _rows(dlay, shape[0] if shape else 1, m.ndev)
    shards = [None] * m.ndev
    transfers = []
    flat_dst = {}
    for e in range(m.ndev):
        if not dlay.holds(e):
            continue
        r0, r1 = dst_rows[e]
        if m.is_local(e):
            dshape = ((r1 - r0,) + tuple(shape[1:])) if shape else ()
            shards[e] = alloc_local(m.devices[e], dshape, x.dtype)
            flat_dst[e] = shards[e].reshape(-1)
        L, H = r0 * drow, r1 * drow
        for d in range(m.ndev):
            l0, l1 = src_rows[d]
            a, b = max(L, l0 * srow), min(H, l1 * srow)
            if b <= a:
                continue
            sflat = None
            if m.is_local(d):
                sh = src._store.shards[d]
                sflat = sh.reshape(-1)
            transfers.append(Transfer(d, sflat, (slice(a - l0 * srow, b - l0 * srow),), e,
                                      flat_dst.get(e), (slice(a - L, b - L),)))
    if transfers:
        m.comm.exchange(transfers)
    return _wrap(Store(m, shape, x.dtype, dlay, shards))


def _wrap(store):
    return ndarray._from_store(store)


def check_order(order, name: str) -> None:
    """NumPy's checks of an ``order`` argument: a string of C, F, A or K (or None)."""
    if order is None:
        return
    if not isinstance(order, str):
        raise TypeError(f"{name}: order must be str, not {type(order).__name__}")
    if order.upper() not in ("C", "F", "A", "K"):
        raise ValueError(f"{name}: order must be one of 'C', 'F', 'A', or 'K' (got "
                         f"{order!r})")


@implements(numpy.ravel)
def ravel(a, order="C"):
    """Same as ``numpy.ravel``."""
    x = _ours(a, "ravel")
    check_order(order, "ravel")
    if order is not None and order.upper() == "F":
        x = transpose(x)
    # NumPy's ravel is a view of a contiguous array only (a reshape of any other view
    # would be one where the strides allow: ravel copies there)
    if not (x._map.ident and type(x._store) is not Derived) and not is_c_contiguous(
            x.shape, view_strides(x._store, x._map), x.dtype.itemsize):
        x = x.copy()
    return reshape(x, (-1,))


# ---------------------------------------------------------------------------------------
# axes (views)

@implements(numpy.transpose)
def transpose(a, axes=None):
    """Same as ``numpy.transpose``: a view."""
    x = _ours(a, "transpose")
    nd = x.ndim
    if axes is None:
        perm = tuple(range(nd - 1, -1, -1))
    else:
        try:
            perm = tuple(operator.index(p) for p in axes)
        except TypeError:
            perm = (operator.index(axes),)
        if len(perm) != nd:
            raise ValueError("axes don't match array")
        perm = tuple(normalize_axis(p, nd) for p in perm)
        if len(set(perm)) != nd:
            raise ValueError("repeated axis in transpose")
    return x._view(x._map.transpose(perm))


@implements(name="permute_dims", module="numpy")
def permute_dims(a, /, axes=None):
    """The Array API's name of ``transpose`` (NumPy's ``permute_dims`` *is* ``transpose``)."""
    return transpose(a, axes)


def concat(arrays, /, *, axis=0):
    """The Array API's ``concat`` (NumPy's ``concat`` *is* ``concatenate``)."""
    return concatenate(arrays, axis=axis)


@implements(numpy.swapaxes)
def swapaxes(a, axis1, axis2):
    """Same as ``numpy.swapaxes``: a view."""
    x = _ours(a, "swapaxes")
    i, j = normalize_axis(axis1, x.ndim), normalize_axis(axis2, x.ndim)
    perm = list(range(x.ndim))
    perm[i], perm[j] = perm[j], perm[i]
    return x._view(x._map.transpose(perm))


@implements(numpy.moveaxis)
def moveaxis(a, source, destination):
    """Same as ``numpy.moveaxis``: a view."""
    x = _ours(a, "moveaxis")
    src = normalize_axis_tuple(source, x.ndim, "source")
    dst = normalize_axis_tuple(destination, x.ndim, "destination")
    if len(src) != len(dst):
        raise ValueError("`source` and `destination` arguments must have the same number "
                         "of elements")
    order = [n for n in range(x.ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return x._view(x._map.transpose(order))


@implements(numpy.squeeze)
def squeeze(a, axis=None):
    """Same as ``numpy.squeeze``: a view."""
    x = _ours(a, "squeeze")
    if axis is None:
        axes = tuple(k for k, n in enumerate(x.shape) if n == 1)
    elif x.ndim == 0 and not isinstance(axis, (tuple, bool, numpy.bool_)) and \
            hasattr(axis, "__index__") and operator.index(axis) in (0, -1):
        axes = ()               # (NumPy lets a 0-d array name axis 0 or -1 here)
    else:
        if not isinstance(axis, tuple):
            axis = operator.index(axis)         # (an int or a tuple, as in NumPy)
        axes = normalize_axis_tuple(axis, x.ndim, "axis")
        for k in axes:
            if x.shape[k] != 1:
                raise ValueError("cannot select an axis to squeeze out which has size not "
                                 "equal to one")
    key = tuple(0 if k in axes else slice(None) for k in range(x.ndim))
    return basic_view(x, key) if axes else x._view(x._map)      # (a view, also 0-d)


@implements(numpy.expand_dims)
def expand_dims(a, axis):
    """Same as ``numpy.expand_dims``: a view."""
    x = _ours(a, "expand_dims")
    nd = x.ndim
    if isinstance(axis, (list, tuple)):
        axes = tuple(axis)
    else:
        axes = (axis,)
    out_nd = nd + len(axes)
    norm = sorted(normalize_axis(ax, out_nd) for ax in axes)
    if len(set(norm)) != len(norm):
        raise ValueError("repeated axis")
    key, src = [], 0
    for k in range(out_nd):
        if k in norm:
            key.append(None)
        else:
            key.append(slice(None))
            src += 1
    return x[tuple(key)]


@implements(numpy.broadcast_to)
def broadcast_to(array, shape, subok=False):
    """Same as ``numpy.broadcast_to``: a read-only view."""
    x = _ours(array, "broadcast_to")
    from .creation import normalize_shape
    shape = normalize_shape(shape, "broadcast_to")
    if len(shape) < x.ndim:
        raise ValueError("input operand has more dimensions than allowed by the axis "
                         "remapping")
    try:
        full = broadcast_shapes([x.shape, shape])
    except ValueError:
        full = None
    if full != shape:
        raise ValueError(f"operands could not be broadcast together with remapped shapes "
                         f"[original->remapped]: {x.shape}  and requested shape {shape}")
    v = x._view(x._map if x.shape == shape else x._map.broadcast_to(shape))
    v._readonly = True          # (NumPy's view is read-only, and so are views of it)
    return v


@implements(numpy.broadcast_arrays)
def broadcast_arrays(*args, subok=False):
    """Same as ``numpy.broadcast_arrays``: the arrays already of the common shape
    themselves, views of the others (which repeat elements, so cannot be written);
    operands of object or string dtype come back as NumPy's, as arrbackend arrays cannot
    hold them."""
    from .gate import HostData
    xs = []
    for a in args:
        try:
            xs.append(_ours(a, "broadcast_arrays"))
        except HostData:                # (matplotlib's bar: hatch=None among the arrays)
            xs.append(numpy.asarray(a))
    shape = broadcast_shapes([x.shape for x in xs]) if xs else ()
    return tuple(x if x.shape == shape else
                 x._view(x._map.broadcast_to(shape)) if isinstance(x, ndarray) else
                 numpy.broadcast_to(x, shape) for x in xs)


# ---------------------------------------------------------------------------------------
# joining

def _join_dtype(arrays, dtype, casting, name):
    dt = numpy.result_type(*[a.dtype for a in arrays]) if dtype is None else numpy.dtype(dtype)
    for a in arrays:
        if not numpy.can_cast(a.dtype, dt, casting=casting):
            raise TypeError(f"Cannot cast array data from {a.dtype!r} to {dt!r} according "
                            f"to the rule {casting!r}")
    return dt


@implements(numpy.concatenate, local=True)
def concatenate(arrays, /, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """Same as ``numpy.concatenate``: every piece lands in the result in one exchange."""
    if out is not None and dtype is not None:
        raise TypeError("concatenate() only takes `out` or `dtype` as an argument, but both "
                        "were provided.")
    m = common_machine(arrays if isinstance(arrays, (list, tuple)) else [arrays], "concatenate")
    xs = [as_operand(a, m) for a in arrays]
    xs = [x if isinstance(x, ndarray) else _ours(numpy.asarray(x), "concatenate") for x in xs]
    if not xs:
        raise ValueError("need at least one array to concatenate")
    if axis is None:
        xs = [ravel(x) for x in xs]
        axis = 0
    axis = operator.index(axis)         # (NumPy reads the axis before the arrays' ndim)
    if any(x.ndim == 0 for x in xs):
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    nd = xs[0].ndim
    for i, x in enumerate(xs):
        if x.ndim != nd:
            raise ValueError(f"all the input arrays must have same number of dimensions, but "
                             f"the array at index 0 has {nd} dimension(s) and the array at "
                             f"index {i} has {x.ndim} dimension(s)")
    ax = normalize_axis(axis, nd)
    for i, x in enumerate(xs):
        for k in range(nd):
            if k != ax and x.shape[k] != xs[0].shape[k]:
                raise ValueError(f"all the input array dimensions except for the "
                                 f"concatenation axis must match exactly, but along dimension "
                                 f"{k}, the array at index 0 has size {xs[0].shape[k]} and "
                                 f"the array at index {i} has size {x.shape[k]}")
    dt = _join_dtype(xs, dtype if out is None else out.dtype, casting, "concatenate")
    shape = list(xs[0].shape)
    shape[ax] = sum(x.shape[ax] for x in xs)
    shape = tuple(shape)
    if out is not None:
        if out.shape != shape:
            raise ValueError("Output array has wrong dimensionality")
        result = out
    else:
        result = _empty_for_join(xs, shape, dt, ax, m)
    pairs, off = [], 0
    for x in xs:
        n = x.shape[ax]
        key = (slice(None),) * ax + (slice(off, off + n),)
        pairs.append((result[key], x))
        off += n
    assign_many(pairs)
    return result


def _empty_for_join(xs, shape, dt, ax, m):
    """The result of a join: aligned with the pieces when they are all split the same
    way along another axis, else the default layout."""
    lays = [x._view_layout() for x in xs]
    first = lays[0]
    if first.is_block and first.axis != ax and all(l == first for l in lays):
        layout = first
    else:
        layout = default_layout(shape, dt.itemsize, m.ndev)
    from .creation import full_on
    return full_on(shape, None, dt, m, layout)


def assign_many(pairs) -> None:
    """Several ``target[...] = value`` at once (one exchange for all of them)."""
    from ..distributed.elementwise import assign_all
    assign_all(pairs)


@implements(numpy.stack, local=True)
def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """Same as ``numpy.stack``."""
    m = common_machine(list(arrays), "stack")
    xs = [_as_array(a, m) for a in arrays]
    if not xs:
        raise ValueError("need at least one array to stack")
    shape = xs[0].shape
    if any(x.shape != shape for x in xs):
        raise ValueError("all input arrays must have the same shape")
    ax = normalize_axis(axis, len(shape) + 1)
    return concatenate([expand_dims(x, ax) for x in xs], axis=ax, out=out, dtype=dtype,
                       casting=casting)


def _as_array(a, m):
    from .creation import asarray_on
    return a if isinstance(a, ndarray) else asarray_on(a, m)


# ---------------------------------------------------------------------------------------
# elementwise selection

def _where_kernel(xp, ins, outs):
    if xp is not numpy:         # (the device library's where takes arrays only)
        ins = [v if hasattr(v, "shape") else xp.asarray(v) for v in ins]
    r = xp.where(ins[0], ins[1], ins[2])
    xp.copyto(outs[0], r, casting="unsafe")


@implements(numpy.where, local=True)
def where(condition, x=None, y=None, /):
    """Same as ``numpy.where``."""
    if x is None and y is None:
        from .nonzero import nonzero
        return nonzero(condition)
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    m = common_machine([condition, x, y], "where")
    ins = [as_operand(v, m, "where") for v in (condition, x, y)]
    if not isinstance(ins[0], ndarray) and not any(isinstance(v, ndarray) for v in ins[1:]):
        ins[0] = _as_array(numpy.asarray(ins[0]), m)
    stand = [numpy.zeros((), v.dtype) if isinstance(v, ndarray) else v for v in ins]
    dt = numpy.where(numpy.zeros((), bool), stand[1], stand[2]).dtype
    if isinstance(ins[0], ndarray) and ins[0].dtype != numpy.bool_:
        from .ufuncs import ufunc_call
        ins[0] = ufunc_call(numpy.not_equal, (ins[0], 0), {})     # truth, as NumPy takes it
    shape = broadcast_shapes([v.shape for v in ins if isinstance(v, ndarray)])
    return elementwise(_where_kernel, ins, shape, [dt], machine=m)[0]


def _clip_kernel(has_lo, has_hi):
    def kernel(xp, ins, outs):
        lo = ins[1] if has_lo else None
        hi = ins[1 + has_lo] if has_hi else None
        if xp is not numpy and outs[0].dtype.kind == "c":
            r = _complex_clip(xp, ins[0].astype(outs[0].dtype, copy=False), lo, hi)
        elif xp is not numpy:
            r = _device_clip(xp, ins[0], lo, hi)
        else:
            r = xp.clip(ins[0], lo, hi) if has_lo or has_hi else ins[0]
        xp.copyto(outs[0], r, casting="unsafe")
    return kernel


def _device_clip(xp, x, lo, hi):
    """NumPy's clip of real values, ``minimum(maximum(x, lo), hi)`` with NaNs kept (a NaN
    value stays NaN, also where ``lo > hi``), on a device library whose own clip takes
    the C library's fmax/fmin (a NaN becomes a bound) and no ``None`` bound."""
    r = x
    if lo is not None:
        r = xp.maximum(r, lo)
    if hi is not None:
        r = xp.minimum(r, hi)
    return r


def _complex_clip(xp, x, lo, hi):
    """NumPy's clip of complex values (ordered by real part, then imaginary part; a NaN
    in either operand wins), which the GPU library's clip does not take."""
    def nan(a):
        return xp.isnan(a.real) | xp.isnan(a.imag)

    def bound(a, b, above):
        b = xp.asarray(b).astype(a.dtype, copy=False)
        ar, ai, br, bi = a.real, a.imag, b.real, b.imag
        keep = (ar > br) | ((ar == br) & (ai >= bi)) if above else \
            (ar < br) | ((ar == br) & (ai <= bi))
        return xp.where(nan(a) | (keep & ~nan(b)), a, b)

    r = x
    if lo is not None:
        r = bound(r, lo, True)
    if hi is not None:
        r = bound(r, hi, False)
    return r


_CLIP_WHY = ("the bounds are named min and max (positional or keyword), as in the Array "
             "API standard; NumPy's a_min/a_max stay accepted as keywords")


@implements(numpy.clip, local=True,
            missing={"a_min": _CLIP_WHY, "a_max": _CLIP_WHY, "min": _CLIP_WHY,
                     "max": _CLIP_WHY})
def clip(a, min=_NoValue, max=_NoValue, out=None, *, a_min=_NoValue, a_max=_NoValue,
         **kwargs):
    """Same as ``numpy.clip`` (positional bounds, ``min=``/``max=`` or ``a_min=``/``a_max=``)."""
    if min is not _NoValue:
        if a_min is not _NoValue:
            raise ValueError("Passing `min` or `max` keyword argument when `a_min` and "
                             "`a_max` are provided is forbidden.")
        a_min = min
    if max is not _NoValue:
        if a_max is not _NoValue:
            raise ValueError("Passing `min` or `max` keyword argument when `a_min` and "
                             "`a_max` are provided is forbidden.")
        a_max = max
    a_min = None if a_min is _NoValue else a_min
    a_max = None if a_max is _NoValue else a_max
    m = common_machine([a, a_min, a_max, out], "clip")
    x = _as_array(a, m)
    ins = [x]
    for v in (a_min, a_max):
        if v is not None:
            ins.append(as_operand(v, m, "clip"))
    stand = [numpy.zeros((), v.dtype) if isinstance(v, ndarray) else v for v in ins]
    lo = stand[1] if a_min is not None else None
    hi = stand[1 + (a_min is not None)] if a_max is not None else None
    with numpy.errstate(all="ignore"):
        dt = numpy.clip(stand[0], lo, hi, **kwargs).dtype
        if out is not None:          # NumPy's casting error for this out=
            numpy.clip(stand[0], lo, hi, out=numpy.zeros((), out.dtype), **kwargs)
    if x.dtype.kind in "iu" and dt == x.dtype:
        # a Python int bound beyond the dtype's range bounds nothing: NumPy takes it
        # (clip(uint8, -1, 2)), where a device library's NEP 50 conversion raises
        info = numpy.iinfo(x.dtype)
        if type(a_min) is int and a_min < info.min:
            a_min = None
            del ins[1]
        if type(a_max) is int and a_max > info.max:
            a_max = None
            del ins[-1]
    shape = broadcast_shapes([v.shape for v in ins if isinstance(v, ndarray)])
    if out is not None and out.shape != shape:
        try:
            full = broadcast_shapes([shape, out.shape])
        except ValueError:
            full = None
        if full != out.shape:
            shapes = [getattr(v, "shape", ()) for v in (x, a_min, a_max, out)]
            raise ValueError("operands could not be broadcast together with shapes " +
                             " ".join("(" + ",".join(map(str, sh)) + ("," if len(sh) == 1
                                                                    else "") + ")"
                                      for sh in shapes) + " ")
        shape = full
    kernel = _clip_kernel(a_min is not None, a_max is not None)
    outs = None if out is None else (out,)
    return elementwise(kernel, ins, shape, [dt], out=outs, machine=m)[0]


# ---------------------------------------------------------------------------------------
# complex parts (views)

def _part(x, which: str):
    """The real or imaginary parts: of complex values a view (a store over the same
    memory); of real ones the array itself (a view) or read-only zeros, as in NumPy."""
    s = x._store
    if x.dtype.kind != "c":
        if which == "real":
            return x._view(x._map)
        from .creation import zeros_like
        z = zeros_like(x)
        z._readonly = True
        return z
    rdt = numpy.empty(0, x.dtype).real.dtype
    shards = [None if sh is None else getattr(sh, which) for sh in s.shards]
    store = Derived(s.machine, s.shape, rdt, s.layout, shards, s, store_strides(s))
    return x._view(x._map)._with_store(store)


@implements(numpy.real)
def real(val):
    """Same as ``numpy.real``: for complex arrays a view of the real parts."""
    return _part(_ours(val, "real"), "real")


@implements(numpy.imag)
def imag(val):
    """Same as ``numpy.imag``: for complex arrays a view of the imaginary parts."""
    return _part(_ours(val, "imag"), "imag")


implements(name="concat", module="numpy")(concat)
