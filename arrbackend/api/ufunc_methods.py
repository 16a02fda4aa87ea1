"""The methods of every ufunc on arrbackend arrays: ``outer``, ``at``, ``reduce``,
``accumulate`` and ``reduceat`` (the ``METHODS`` handlers of ``__array_ufunc__``).

NumPy's errors and result dtypes come from asking NumPy's own method on tiny stand-ins of
the same dtypes and ranks.  Then:

* ``outer`` is the ufunc on ``a`` with ``b.ndim`` new axes and ``b`` (the elementwise
  engine, every keyword of a ufunc call);
* ``reduce`` of the reductions the reduction engine knows (``add``, ``maximum``, ...) runs
  there; any other ufunc is reduced along one axis at a time: the array is re-cut so no
  device's piece is split along that axis, and each device reduces its piece;
* ``accumulate`` of ``add``/``multiply`` is the distributed scan; other ufuncs, and
  ``reduceat``, work on pieces whole along the axis, as ``reduce`` does;
* ``at`` is a scatter on each shard: the key is parsed as for ``x[key] = v``, each device
  applies the ufunc to the rows it holds (rows on other devices travel there with their
  values, in the order of the index), and repeated indices accumulate as in NumPy.

On CPU shards each device calls NumPy's method itself.  GPU shards use the device
library's elementwise ufunc (``fold``, ``scan``, ``segments`` and ``apply_at`` below),
which only needs ``xp.<ufunc>`` and indexing, so those paths are tested on NumPy too.
"""
from __future__ import annotations

import warnings

import numpy

from ..distributed.axiswise import unsplit
from ..distributed.layout import Layout
from ..distributed.localize import Exchange, device_boxes
from ..distributed.view import normalize_axis
from ..distributed.array import ndarray
from ..distributed.store import mark_scalar
from .ufuncs import _device_ufunc, as_operand, common_machine, ufunc_call

__all__ = ["outer", "at", "reduce", "accumulate", "reduceat", "fold", "scan", "segments",
           "apply_at", "register"]

_NOVALUE = numpy._NoValue


def _stand_in(x, shape=None):
    """A NumPy stand-in for an operand: arrays become small zero arrays of their dtype."""
    if isinstance(x, ndarray) or (isinstance(x, numpy.ndarray)):
        return numpy.zeros(tuple(min(n, 1) for n in x.shape) if shape is None else shape,
                           x.dtype)
    return x


def _fits(shape: tuple, target: tuple) -> bool:
    """Whether ``shape`` broadcasts to ``target``."""
    try:
        return numpy.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def _zero_strides(one, shape: tuple):
    """A read-only array of ``shape`` whose elements are all ``one``'s one element."""
    return numpy.broadcast_to(one.reshape(()), shape)


def _ask_numpy(call):
    """Run ``call`` (NumPy's method on stand-ins) for its errors and its result."""
    with warnings.catch_warnings(), numpy.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return call()


def _out_of(kwargs, name):
    out = kwargs.pop("out", None)
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError(f"{name}: the 'out' tuple must have exactly one entry")
        out = out[0]
    return out


def _into(out, r, name):
    """``r``, or written into ``out`` (an arrbackend or a NumPy array)."""
    if out is None:
        return r
    if out.shape != r.shape:
        raise ValueError(f"{name}: output parameter has shape {out.shape}, expected "
                         f"{r.shape}")
    if isinstance(out, ndarray):
        from ..distributed.elementwise import assign
        assign(out, r)
        return out
    from ..distributed.hostio import gather
    numpy.copyto(out, gather(r), casting="unsafe")
    return out


def _array(x, m=None):
    """``x`` as an arrbackend array (NumPy makes arrays of a method's operands: a
    Python scalar is not weak here)."""
    if isinstance(x, ndarray):
        return x
    from .creation import asarray_on
    from ..distributed.machine import current_machine
    return asarray_on(numpy.asarray(x), m if m is not None else current_machine())


#: Run the device-library paths (``fold`` ...) on NumPy arrays too: the tests set it to
#: check on the CPU the code that GPU shards run.
GENERIC_ON_NUMPY = False


def _native(xp) -> bool:
    return xp is numpy and not GENERIC_ON_NUMPY


def _lib(xp, ufunc):
    """The device library's elementwise ufunc of the same name (NumPy's values where the
    library's differ: ``arrbackend.api.ufuncs._device_ufunc``)."""
    return _device_ufunc(xp, ufunc)


# ---------------------------------------------------------------------------------------
# outer

def outer(ufunc, inputs, kwargs):
    """``ufunc.outer(a, b, **kwargs)``: the ufunc on ``a[..., None, ...]`` and ``b``."""
    name = f"{ufunc.__name__}.outer"
    if len(inputs) != 2:
        raise TypeError("exactly two arguments expected")
    m = common_machine(list(inputs), name)
    a, b = _array(inputs[0], m), _array(inputs[1], m)
    probe = _ask_numpy(lambda: ufunc.outer(_stand_in(a), _stand_in(b)))   # NumPy's errors
    if "out" not in kwargs:
        # NumPy's MemoryError for a product larger than the host holds (a host that
        # grants every allocation would let NumPy fill its memory and swap first)
        from ..distributed.store import check_host_size
        for r in (probe if isinstance(probe, tuple) else (probe,)):
            check_host_size(m, a.shape + b.shape, numpy.asarray(r).dtype,
                            m.devices[0].single)
    a2 = a._view(a._map.getitem([(0, n, 1) for n in a.shape] + [None] * b.ndim)) \
        if b.ndim else a
    return ufunc_call(ufunc, (a2, b), dict(kwargs))


# ---------------------------------------------------------------------------------------
# reduce

#: ufuncs whose reduction may be computed pairwise (associative: NumPy reorders them too)
_ASSOCIATIVE = frozenset(getattr(numpy, n) for n in (
    "add", "multiply", "maximum", "minimum", "fmax", "fmin", "logical_and", "logical_or",
    "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm")
    if hasattr(numpy, n))


def _is_reorderable(ufunc, dtype) -> bool:
    """Whether ``ufunc``'s reduction may be computed pairwise rather than in order: an
    associative operation (decided here, not by asking NumPy to reduce a small probe
    over two axes: its answer for such a probe changed between NumPy versions)."""
    return ufunc in _ASSOCIATIVE


def _axes(axis, ndim, name) -> tuple:
    from ..distributed.reductions import normalize_axes
    if axis is None:
        return tuple(range(ndim))
    return normalize_axes(axis, ndim, name)


def reduce(ufunc, inputs, kwargs):
    """``ufunc.reduce(array, axis=0, dtype=None, out=None, keepdims=False, initial,
    where=True)`` for every ufunc (a 0-d result without ``out=`` stands for NumPy's
    scalar)."""
    r = _reduce(ufunc, inputs, kwargs)
    if type(r) is ndarray and r.ndim == 0 and kwargs.get("out") is None and \
            not any(type(x) is ndarray and x._store.base is r._store.base for x in inputs):
        mark_scalar(r)
    return r


def _reduce(ufunc, inputs, kwargs):
    from ..distributed.reductions import ufunc_reduce
    r = ufunc_reduce(ufunc, inputs, dict(kwargs))
    if r is not NotImplemented:
        return r
    name = f"{ufunc.__name__}.reduce"
    kw = dict(kwargs)
    x = _array(inputs[0])
    axis = kw.pop("axis", 0)
    dtype = kw.pop("dtype", None)
    out = _out_of(kw, name)
    keepdims = kw.pop("keepdims", False)
    initial = kw.pop("initial", _NOVALUE)
    where = kw.pop("where", True)
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw))}'")
    skw = {"axis": axis, "dtype": dtype, "keepdims": keepdims}
    if initial is not _NOVALUE:
        skw["initial"] = initial
    stand = _stand_in(x)
    if where is not True:
        skw["where"] = numpy.ones(tuple(min(n, 1) for n in numpy.shape(where)), bool) \
            if not isinstance(where, (bool, numpy.bool_)) else where
        if not isinstance(where, (bool, numpy.bool_)) and not _fits(numpy.shape(where),
                                                                     x.shape):
            # (a mask that does not broadcast to the array: NumPy's error, asked of
            # stand-ins of the real shapes whose elements are all one)
            stand = _zero_strides(numpy.zeros(1, x.dtype), x.shape)
            skw["where"] = _zero_strides(numpy.ones(1, bool), numpy.shape(where))
    if out is not None:
        skw["out"] = None
    res = _ask_numpy(lambda: numpy.asarray(ufunc.reduce(stand, **skw)))
    rdt = res.dtype if out is None or dtype is not None else out.dtype
    axes = _axes(axis, x.ndim, name)
    init = None if initial is _NOVALUE else initial
    if init is not None:            # NumPy casts initial= into the loop's dtype first
        loop_dt = numpy.dtype(dtype) if dtype is not None else res.dtype
        if loop_dt.kind in "iub" and numpy.asarray(init).dtype.kind == "f":
            with numpy.errstate(all="ignore"):
                init = numpy.asarray(init).astype(loop_dt)[()]
    w = None
    if where is not True:
        w = as_operand(where, x._store.machine, "where")
        if not isinstance(w, ndarray):
            w = None if bool(w) else _full(x.shape, False, numpy.bool_, x)
    if w is not None and init is None:
        init = ufunc.identity        # (NumPy has asked for initial= where there is none)
    if any(x.shape[a] == 0 for a in axes):
        r = _full(tuple(n for i, n in enumerate(x.shape) if i not in axes),
                  ufunc.identity if init is None else init, rdt, x)
    else:
        if w is not None and len(axes) > 1:
            # several axes: the elements left out become the start value (the identity),
            # and one reduction of every element follows
            from .manipulation import where as where_
            fill = ufunc.identity if ufunc.identity is not None else init
            x = where_(w, _array(x).astype(rdt), numpy.asarray(fill, dtype=rdt)[()])
            w = None
        r = _reduce_axes(ufunc, x, axes, rdt, init, w, dtype)
    if keepdims:
        r = r._view(r._map.getitem([None if i in axes else (0, n, 1)
                                    for i, n in enumerate(x.shape)]))
    return _into(out, r, name)


def _full(shape, value, dtype, like):
    from .creation import full_on
    return full_on(shape, value, dtype, like._store.machine)


def _reduce_axes(ufunc, x, axes, rdt, initial, w, loop):
    """``x`` reduced over ``axes`` (the last first), in dtype ``rdt``; the reduced axes
    are dropped.  ``initial`` and ``where`` apply to one reduction (several axes come
    here without a mask)."""
    if not axes:
        return _reduce_one(ufunc, x, None, rdt, initial, w, loop)
    r = x
    for i, ax in enumerate(sorted(axes, reverse=True)):
        last = i == len(axes) - 1
        r = _reduce_one(ufunc, r, ax, rdt, initial if last else None, w, loop)
    return r


def _pieces(x, others=()):
    """{device: (box, piece of x, [pieces of others broadcast to x's shape])}."""
    m = x._store.machine
    lay = x._view_layout()
    ex = Exchange(m)
    out = {}
    for d, box in enumerate(device_boxes(lay, x.shape, m.ndev)):
        if box is None:
            continue
        loc = ex.localize(x._store, x._map, box, d)
        ol = []
        for o in others:
            omap = o._map if o.shape == x.shape else o._map.broadcast_to(x.shape)
            ol.append(ex.localize(o._store, omap, box, d))
        if m.is_local(d):
            out[d] = (box, loc, ol)
    ex.run()
    return out, lay


def _same(lay, m):
    """The layout of a result of the same shape as a view laid out as ``lay``."""
    return Layout.single(max(lay.device, 0)) if lay.is_single or m.ndev == 1 else lay


def _dropping(lay, ax, m):
    """The layout of a result without axis ``ax`` of a view laid out as ``lay`` (not
    split along ``ax``)."""
    if lay.is_block:
        return Layout.block(lay.axis - (1 if lay.axis > ax else 0), lay.ranges)
    return _same(lay, m)


def _reduce_one(ufunc, x, ax, rdt, initial, w, loop):
    """``x`` reduced along axis ``ax`` (None: over no axis, e.g. of a 0-d array)."""
    m = x._store.machine
    if ax is not None:
        x = unsplit(x, (ax,))
    parts, lay = _pieces(x, (w,) if w is not None else ())
    rshape = tuple(n for i, n in enumerate(x.shape) if i != ax)
    shards = {}
    for d, (box, loc, ol) in parts.items():
        dev = m.devices[d]
        with dev.activate(), numpy.errstate(all="ignore"):
            shards[d] = fold(dev.xp, ufunc, loc, ax, rdt, initial, ol[0] if ol else None,
                             loop)
    rlay = _same(lay, m) if ax is None else _dropping(lay, ax, m)
    return ndarray._from_shards(m, rshape, rdt, rlay, shards)


def fold(xp, ufunc, a, axis, dtype, initial=None, where=None, loop=None):
    """``ufunc.reduce(a, axis)`` into ``dtype`` (computed in ``loop``, the user's dtype,
    if given) on one device's array: NumPy's own method on NumPy arrays; on others, the
    device library's elementwise ufunc applied along the axis (pairwise for ufuncs NumPy
    may reorder, else in order, as NumPy folds)."""
    dtype = numpy.dtype(dtype)
    if _native(xp):
        kw = {"dtype": loop}
        if initial is not None:
            kw["initial"] = initial
        if where is not None:
            kw["where"] = where
        out = numpy.empty(tuple(n for i, n in enumerate(a.shape) if i != axis), dtype)
        ufunc.reduce(a, axis=axis if axis is not None else (), out=out, **kw)
        return out
    f = _lib(xp, ufunc)
    a = xp.asarray(a)
    if axis is None:            # a 0-d array: itself, combined with initial
        r = a.astype(dtype)
        if initial is not None:
            init = xp.asarray(initial).astype(dtype)
            r2 = xp.asarray(f(init, r)).astype(dtype)
            r = r2 if where is None else xp.where(where, r2, init)
        return r
    w = None if where is None else xp.moveaxis(xp.broadcast_to(where, a.shape), axis, 0)
    a = xp.moveaxis(a, axis, 0).astype(dtype, copy=False)
    n = a.shape[0]
    if initial is not None:
        acc = xp.full(a.shape[1:], initial, dtype=dtype)
    elif n == 0:
        return xp.full(a.shape[1:], ufunc.identity, dtype=dtype)
    else:
        acc = None
    if w is None and acc is None and _is_reorderable(ufunc, dtype) and n > 2:
        cur = a
        while cur.shape[0] > 1:           # pairwise: log2(n) launches
            k = cur.shape[0] // 2
            pair = xp.asarray(f(cur[0:2 * k:2], cur[1:2 * k:2])).astype(dtype, copy=False)
            cur = xp.concatenate([pair, cur[2 * k:]]) if cur.shape[0] % 2 else pair
        return cur[0]
    start = 0
    if acc is None:
        acc, start = a[0].copy(), 1
    for i in range(start, n):
        nxt = xp.asarray(f(acc, a[i])).astype(dtype, copy=False)
        acc = nxt if w is None else xp.where(w[i], nxt, acc)
    return acc


# ---------------------------------------------------------------------------------------
# accumulate

def accumulate(ufunc, inputs, kwargs):
    """``ufunc.accumulate(array, axis=0, dtype=None, out=None)`` for every ufunc."""
    name = f"{ufunc.__name__}.accumulate"
    kw = dict(kwargs)
    x = _array(inputs[0])
    axis = kw.pop("axis", 0)
    dtype = kw.pop("dtype", None)
    out = _out_of(kw, name)
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw))}'")
    skw = {"axis": axis, "dtype": dtype}
    if out is not None and out.ndim == 0:
        # (NumPy's own accumulate crashes the process on a 0-d out=: its error for a 0-d
        # array, else its message for an out of the wrong size)
        _ask_numpy(lambda: ufunc.accumulate(_stand_in(x), **skw))
        raise ValueError("provided out is the wrong size for the accumulation.")
    if out is not None:
        skw["out"] = numpy.zeros(_stand_in(out).shape, out.dtype)
    res = _ask_numpy(lambda: ufunc.accumulate(_stand_in(x), **skw))
    if out is not None and out.size == 0 and out.shape != x.shape:
        # NumPy accepts some empty out= of another shape (three elements into none) and
        # writes nothing: asked with the operand's own shape (a zero-stride stand-in)
        whole = numpy.broadcast_to(numpy.zeros((), x.dtype), x.shape)
        _ask_numpy(lambda: ufunc.accumulate(whole, **dict(
            skw, out=numpy.zeros(out.shape, out.dtype))))
        if isinstance(out, ndarray):
            from ..distributed.elementwise import check_writable
            check_writable(out)
        elif not out.flags.writeable:
            raise ValueError("output array is read-only")
        return out
    rdt = res.dtype
    if isinstance(axis, tuple):
        axis = axis[0]
    ax = normalize_axis(0 if axis is None else axis, x.ndim)   # None: NumPy took a 1-d array
    if ufunc in (numpy.add, numpy.multiply) and rdt.kind != "b":
        from ..distributed.scan import scan as dist_scan
        r = dist_scan(x, ax, ufunc.__name__, rdt)
        return _into(out, r, name)
    m = x._store.machine
    x = unsplit(x, (ax,))
    parts, lay = _pieces(x)
    shards = {}
    for d, (box, loc, _ol) in parts.items():
        dev = m.devices[d]
        with dev.activate(), numpy.errstate(all="ignore"):
            shards[d] = scan(dev.xp, ufunc, loc, ax, rdt, dtype)
    r = ndarray._from_shards(m, x.shape, rdt, _same(lay, m), shards)
    return _into(out, r, name)


def scan(xp, ufunc, a, axis, dtype, loop=None):
    """``ufunc.accumulate(a, axis)`` into ``dtype`` (computed in ``loop`` if given) on
    one device's array (in order, as NumPy accumulates)."""
    dtype = numpy.dtype(dtype)
    if _native(xp):
        return ufunc.accumulate(a, axis=axis, dtype=loop, out=numpy.empty(a.shape, dtype))
    f = _lib(xp, ufunc)
    a = xp.moveaxis(xp.asarray(a), axis, 0).astype(dtype)
    r = a.copy()
    for i in range(1, a.shape[0]):
        r[i] = xp.asarray(f(r[i - 1], a[i])).astype(dtype, copy=False)
    return xp.moveaxis(r, 0, axis)


# ---------------------------------------------------------------------------------------
# reduceat

def reduceat(ufunc, inputs, kwargs):
    """``ufunc.reduceat(array, indices, axis=0, dtype=None, out=None)``."""
    name = f"{ufunc.__name__}.reduceat"
    kw = dict(kwargs)
    x = _array(inputs[0])
    idx = inputs[1] if len(inputs) > 1 else kw.pop("indices")
    axis = kw.pop("axis", 0)
    dtype = kw.pop("dtype", None)
    out = _out_of(kw, name)
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw))}'")
    if isinstance(idx, ndarray):
        from ..distributed.hostio import gather
        idx = gather(idx, explicit=True)      # (the segment starts, a short index list)
    arr = numpy.asarray(idx)
    # NumPy casts a list's entries to integers, and an array's only safely
    kinds = "biuf" if isinstance(idx, (list, tuple)) else "biu"
    ind = arr.astype(numpy.intp) if arr.ndim == 1 and arr.dtype.kind in kinds else None
    if ind is not None and x.ndim:
        n = x.shape[normalize_axis(axis, x.ndim)]
        for i in ind.tolist():                 # NumPy checks the indices first
            if not 0 <= i < n:
                raise IndexError(f"index {i} out-of-bounds in {name} [0, {n})")
    sidx = numpy.zeros(ind.shape, numpy.intp) if ind is not None else idx
    res = _ask_numpy(lambda: ufunc.reduceat(_stand_in(x), sidx, axis=axis, dtype=dtype))
    rdt = res.dtype if out is None or dtype is not None else numpy.dtype(out.dtype)
    ax = normalize_axis(axis, x.ndim)
    m = x._store.machine
    x = unsplit(x, (ax,))
    parts, lay = _pieces(x)
    shards = {}
    for d, (box, loc, _ol) in parts.items():
        dev = m.devices[d]
        with dev.activate(), numpy.errstate(all="ignore"):
            shards[d] = segments(dev.xp, ufunc, loc, ind, ax, rdt, dtype)
    rshape = x.shape[:ax] + (len(ind),) + x.shape[ax + 1:]
    r = ndarray._from_shards(m, rshape, rdt, _same(lay, m), shards)
    return _into(out, r, name)


def segments(xp, ufunc, a, ind, axis, dtype, loop=None):
    """``ufunc.reduceat(a, ind, axis)`` into ``dtype`` (computed in ``loop`` if given)
    on one device's array."""
    dtype = numpy.dtype(dtype)
    if _native(xp):
        shape = a.shape[:axis] + (len(ind),) + a.shape[axis + 1:]
        return ufunc.reduceat(a, ind, axis=axis, dtype=loop, out=numpy.empty(shape, dtype))
    a = xp.moveaxis(xp.asarray(a), axis, 0)
    n = a.shape[0]
    rows = []
    for j, lo in enumerate(ind.tolist()):
        hi = int(ind[j + 1]) if j + 1 < len(ind) else n
        if hi <= lo:
            rows.append(a[lo].astype(dtype))
        else:
            rows.append(fold(xp, ufunc, a[lo:hi], 0, dtype))
    r = xp.stack(rows) if rows else xp.zeros((0,) + a.shape[1:], dtype)
    return xp.moveaxis(r, 0, axis)


# ---------------------------------------------------------------------------------------
# at

def at(ufunc, inputs, kwargs):
    """``ufunc.at(a, indices, b=None)``: ``a[indices] = ufunc(a[indices], b)`` with
    repeated indices applied once per occurrence, in order."""
    name = f"{ufunc.__name__}.at"
    if kwargs:
        raise TypeError(f"{name}() takes no keyword arguments")
    if len(inputs) < 2:
        raise TypeError(f"at() takes at least 2 positional arguments ({len(inputs)} given)")
    a, key = inputs[0], inputs[1]
    b = inputs[2] if len(inputs) > 2 else None
    if b is None or isinstance(b, (bool, int, float, complex, numpy.generic)):
        probe = () if b is None else (b,)
    else:
        probe = (numpy.zeros((), b.dtype if isinstance(b, (ndarray, numpy.ndarray))
                             else numpy.asarray(b).dtype),)
    adt = a.dtype if isinstance(a, (ndarray, numpy.ndarray)) else numpy.asarray(a).dtype
    if not isinstance(a, ndarray):
        # a NumPy array written with arrbackend indices or values: NumPy does it (with
        # NumPy's errors in NumPy's order: a probe of objects would compute on them)
        from ..distributed.hostio import gather
        conv = [gather(v, explicit=True) if isinstance(v, ndarray) else v
                for v in (key, b)]
        ufunc.at(a, conv[0], *((conv[1],) if b is not None else ()))
        return None
    _ask_numpy(lambda: ufunc.at(numpy.zeros(1, adt), [0], *probe))     # NumPy's errors
    from ..distributed.elementwise import check_writable
    check_writable(a, "output array is read-only")
    m = a._store.machine
    if type(b) in (bool, int, float, complex):
        b = numpy.asarray(b)[()]    # (NumPy's at converts a Python number as an array:
        #                              300 into int8 wraps, as any int64 cast would)
    if isinstance(b, (list, tuple)) or (isinstance(b, numpy.ndarray) and b.ndim):
        b = as_operand(numpy.asarray(b), m, name)
    elif isinstance(b, numpy.ndarray):
        b = b[()]
    elif isinstance(b, ndarray) and b._store.machine is not m:
        common_machine([a, b], name)
    from ..distributed import fancy
    fancy.apply_at(a, key, b, ufunc)
    return None


def apply_at(xp, ufunc, target, comps, vals, k: int) -> None:
    """``ufunc.at(target, comps, vals)`` on one device's arrays: ``comps`` index the
    first ``k`` axes of ``target`` (arrays or ints), ``vals`` is None (a unary ufunc), a
    scalar, or an array of the indexed shape.  Repeated indices each apply, in order."""
    comps = tuple(comps)
    extra = () if vals is None else (vals,)
    if _native(xp):
        ufunc.at(target, comps, *extra)
        return
    shape = numpy.broadcast_shapes(*[getattr(c, "shape", ()) for c in comps])
    flat = [xp.broadcast_to(xp.asarray(c), shape).reshape(-1) for c in comps]
    n = flat[0].shape[0] if flat else 0
    if n == 0:
        return
    rest = tuple(target.shape[k:])
    v = None
    if vals is not None:
        v = xp.broadcast_to(xp.asarray(vals), shape + rest).reshape((n,) + rest) \
            if getattr(vals, "ndim", 0) else vals
    f = _lib(xp, ufunc)
    lin = xp.ravel_multi_index(tuple(flat), target.shape[:k]) if k else \
        xp.zeros(n, numpy.intp)
    order = xp.argsort(lin, kind="stable")
    s = lin[order]
    rank_sorted = xp.arange(n) - xp.searchsorted(s, s, side="left")
    rank = xp.empty(n, dtype=rank_sorted.dtype)
    rank[order] = rank_sorted
    top = int(rank_sorted.max())
    if top >= _ATOMIC_ROUNDS and _library_at(xp, ufunc, target, flat, v):
        return                          # (many repeats: the library's atomic scatter)
    for r in range(top + 1):            # each round touches every index at most once
        sel = xp.nonzero(rank == r)[0] if top else xp.arange(n)
        idx = tuple(c[sel] for c in flat)
        cur = target[idx]
        if v is None:
            new = f(cur)
        elif getattr(v, "ndim", 0):
            new = f(cur, v[sel])
        else:
            new = f(cur, v)
        target[idx] = xp.asarray(new).astype(target.dtype, copy=False)


#: From this many repeats of one index, ``apply_at`` on a GPU uses the library's own
#: (atomic) ``ufunc.at`` where it has one: exact for integers, for floats a sum in
#: another order than NumPy's (equal to rounding); below, rounds in NumPy's order.
_ATOMIC_ROUNDS = 32
_ATOMIC_UFUNCS = frozenset((numpy.add, numpy.subtract, numpy.maximum, numpy.minimum,
                            numpy.bitwise_and, numpy.bitwise_or, numpy.bitwise_xor))


def _library_at(xp, ufunc, target, flat, v) -> bool:
    """``xp.<ufunc>.at`` (CuPy's atomic scatter) if the library has it for these dtypes;
    False where it does not (nothing written then)."""
    if _native(xp) or ufunc not in _ATOMIC_UFUNCS or v is None:
        return False
    vals = xp.asarray(v)
    if vals.dtype != target.dtype or (target.dtype.kind not in "iuf") or \
            (target.dtype.kind == "f" and ufunc not in (numpy.add, numpy.subtract)):
        return False
    at = getattr(getattr(xp, ufunc.__name__, None), "at", None)
    if at is None:
        return False
    try:
        at(target, tuple(flat), vals)
    except (NotImplementedError, TypeError):
        return False
    return True


def register() -> None:
    """Make these the ``__array_ufunc__`` handlers of the ufunc methods."""
    from .ufuncs import METHODS
    METHODS.update(reduce=reduce, accumulate=accumulate, reduceat=reduceat, outer=outer,
                   at=at)


register()
