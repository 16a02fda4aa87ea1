"""Index routines: ``take take_along_axis put put_along_axis place putmask choose
compress extract argwhere flatnonzero diagonal trace diag diagflat tri tril triu indices
ix_ select diag_indices(_from) tril_indices(_from) triu_indices(_from) mask_indices
ravel_multi_index unravel_index``.

Gathers and scatters by integer arrays run on the fancy-indexing engine
(``arrbackend.distributed.fancy``): rows stay where they are when the indexed axis is not
the split one, else a distributed gather moves only the requested rows.  Boolean
selections (``compress``, ``extract``, ``place``) run on the mask engine, elementwise
selections (``choose``, ``putmask``, ``select``, ``tril``) on the elementwise engine.
``diagonal`` is a read-only view, as in NumPy.
"""
from __future__ import annotations

import operator

import numpy

from .registry import implements
from ..distributed.derived import diagonal_view
from ..distributed.elementwise import assign, broadcast_shapes, check_writable, elementwise
from ..distributed.layout import Layout
from ..distributed.localize import Exchange, device_boxes
from ..distributed.store import before_write
from ..distributed.view import normalize_axis, normalize_axis_index
from ._helpers import new_array, ours, uf
from .creation import _is_cupy
from .ufuncs import as_operand, common_machine
from ..distributed.array import ndarray
from .coerce import int_operand, values_as
from .gate import host_target

__all__ = ["take", "take_along_axis", "put", "put_along_axis", "place", "putmask", "choose",
           "compress", "extract", "argwhere", "flatnonzero", "diagonal", "trace", "diag",
           "diagflat", "tri", "tril", "triu", "indices", "ix_", "select", "cycle"]


def _ravel(x):
    from .manipulation import ravel
    return ravel(x)


def _wrap_mode(idx, n, mode):
    """Indices after ``mode`` ('wrap' or 'clip'); 'raise' leaves them to the check."""
    if mode in ("raise", None):
        return idx
    if mode == "wrap":
        return uf("remainder", idx, n)
    if mode == "clip":
        from .manipulation import clip
        return clip(idx, 0, n - 1)
    raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")


@implements(numpy.take, local=True)
def take(a, indices, axis=None, out=None, mode="raise"):
    """Same as ``numpy.take`` (a distributed gather where the axis is split)."""
    m = common_machine([a, indices, out], "take")
    x = ours(a, m)
    if axis is None or x.ndim == 0:     # (NumPy takes a 0-d array as a 1-d one)
        if axis is not None:
            normalize_axis(axis, 1)
        x, ax = _ravel(x), 0
    else:
        ax = normalize_axis(axis, x.ndim)
    n = x.shape[ax]
    pre = (slice(None),) * ax
    scalar = not isinstance(indices, (ndarray, numpy.ndarray)) and numpy.ndim(indices) == 0
    idx = None if scalar else int_operand(indices, m, "same_kind")
    ishape = () if scalar else idx.shape
    rshape = x.shape[:ax] + ishape + x.shape[ax + 1:]
    if 0 in rshape:
        # NumPy checks each index once per position before the axis: none, or no index,
        # and nothing is checked (an index past the end of an empty array's axis behind
        # an empty leading one is no error)
        if 0 in x.shape[:ax] or 0 in ishape:
            if mode not in ("raise", "wrap", "clip"):
                _wrap_mode(None, n, mode)               # (NumPy's error for the mode)
            from .creation import empty
            r = empty(rshape, dtype=x.dtype, device=m)
            if out is not None:
                _check_take_out(x.dtype, out, r.shape)
                check_writable(out)
                return out
            return r
    elif n == 0:
        raise IndexError("cannot do a non-empty take from an empty axes.")
    if scalar:
        i = int(numpy.asarray(indices, dtype=numpy.intp))     # NumPy's conversion
        if mode == "wrap" and n:
            i %= n
        elif mode == "clip" and n:
            i = min(max(i, 0), n - 1)
        elif mode not in ("raise", "wrap", "clip"):
            _wrap_mode(None, n, mode)
        if not -n <= i < n:
            if n == 0 and mode != "raise":
                raise IndexError("cannot do a non-empty take from an empty axes.")
            raise IndexError(f"index {i} is out of bounds for axis {ax} with size {n}")
        r = x[pre + (i,)].copy()
    else:
        if n == 0 and idx.size and mode != "raise":
            raise IndexError("cannot do a non-empty take from an empty axes.")
        idx = _wrap_mode(idx, n, mode)
        r = x[pre + (idx,)] if idx.ndim else x[pre + (int(idx),)].copy()
        if ax and idx.ndim and out is None and not r.flags.c_contiguous:
            # NumPy's take writes a new C-ordered array (its a[:, idx] does not: the
            # index moves the indexed axes first), whose ravel() is a view
            from .creation import _copy
            r = _copy(r)
    if out is not None:
        _check_take_out(x.dtype, out, r.shape)
        assign(out, r)
        return out
    return r


_take_out_errors: dict = {}


def _check_take_out(dtype, out, shape) -> None:
    """``take``'s checks of ``out=``: the dtype as NumPy judges it (asked once per pair
    of dtypes with a two-element stand-in: its rule changed between NumPy versions), the
    shape judged first."""
    if tuple(out.shape) != tuple(shape):
        raise ValueError("output array does not match result of ndarray.take")
    key = (numpy.dtype(dtype), out.dtype)
    err = _take_out_errors.get(key, False)
    if err is False:
        try:
            numpy.take(numpy.zeros(2, key[0]), [0, 1], out=numpy.zeros(2, key[1]))
            err = None
        except TypeError as exc:
            err = str(exc)
        _take_out_errors[key] = err
    if err is not None:
        raise TypeError(err)


def _along_checks(arr, indices, axis):
    x = ours(arr)
    if not hasattr(indices, "dtype"):          # (NumPy reads indices.dtype: its error)
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'dtype'")
    idx = ours(indices, x._store.machine)
    if idx.dtype.kind not in "iu":
        raise IndexError("`indices` must be an integer array")
    if axis is None:
        if idx.ndim != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        return _ravel(x), idx, 0
    if idx.ndim != x.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    return x, idx, normalize_axis_index(axis, x.ndim)


def _along_shapes(x, idx, ax):
    """(result shape, arr's broadcast shape) of take/put_along_axis."""
    a_sh = list(x.shape)
    i_sh = list(idx.shape)
    a_sh[ax] = i_sh[ax] = 1
    b = list(broadcast_shapes([tuple(a_sh), tuple(i_sh)]))
    rshape = tuple(b[:ax] + [idx.shape[ax]] + b[ax + 1:])
    ashape = tuple(b[:ax] + [x.shape[ax]] + b[ax + 1:])
    return rshape, ashape


def _bview(x, shape):
    return x if x.shape == shape else x._view(x._map.broadcast_to(shape))


@implements(numpy.take_along_axis, local=True)
def take_along_axis(arr, indices, axis=-1):
    """Same as ``numpy.take_along_axis``: each device reads its lines whole (a line split
    along ``axis`` arrives in the operation's one exchange)."""
    from ..distributed.fancy import normalize_index
    x, idx, ax = _along_checks(arr, indices, axis)
    m = x._store.machine
    rshape, ashape = _along_shapes(x, idx, ax)
    idx = normalize_index(idx, x.shape[ax], ax)
    xa, ib = _bview(x, ashape), _bview(idx, rshape)
    lay = xa._view_layout()
    if m.ndev == 1:
        lay = Layout.single(0)
    elif not (lay.is_block and lay.axis != ax):
        il = ib._view_layout()
        lay = il if (il.is_block or il.is_single) else Layout.single(0)
    ex = Exchange(m)
    plans = []
    for d, box in enumerate(device_boxes(lay, rshape, m.ndev)):
        if box is None:
            continue
        abox = tuple((0, ashape[ax]) if a == ax else b for a, b in enumerate(box))
        al = ex.localize(xa._store, xa._map, abox, d)
        il_ = ex.localize(ib._store, ib._map, box, d)
        if m.is_local(d):
            plans.append((d, al, il_))
    ex.run()
    out = {}
    for d, al, il_ in plans:
        dev = m.devices[d]
        with dev.activate():
            out[d] = dev.xp.take_along_axis(al, il_, axis=ax) if il_.size else \
                dev.xp.empty(il_.shape, x.dtype)
    return new_array(m, rshape, x.dtype, lay, out)


def _local_put_along(xp, a, idx, vals, ax):
    ix = []
    for k, n in enumerate(idx.shape):
        if k == ax:
            ix.append(idx)
        else:
            shape = [1] * idx.ndim
            shape[k] = n
            ix.append(xp.arange(n).reshape(shape))
    from ..distributed.fancy import assign_last_wins
    if xp is numpy:
        a[tuple(ix)] = vals
        return
    # the indexed axes first, as assign_last_wins expects
    perm = [ax] + [k for k in range(a.ndim) if k != ax]
    at = a.transpose(perm)
    full = [xp.broadcast_to(c, idx.shape) for c in ix]
    comps = [full[k] for k in perm]
    assign_last_wins(xp, at, comps, xp.broadcast_to(xp.asarray(vals, dtype=a.dtype),
                                                     idx.shape), a.ndim)


@implements(numpy.put_along_axis)
def put_along_axis(arr, indices, values, axis):
    """Same as ``numpy.put_along_axis`` (in place)."""
    from ..distributed.axiswise import unsplit
    from ..distributed.fancy import normalize_index
    if not isinstance(arr, ndarray):
        host_target(arr)
        raise TypeError("put_along_axis: arr must be an arrbackend array")
    x, idx, ax = _along_checks(arr, indices, axis)
    m = x._store.machine
    rshape, ashape = _along_shapes(x, idx, ax)
    if ashape != x.shape:
        raise ValueError(f"shape mismatch: value array of shape {idx.shape} could not be "
                         f"broadcast to indexing result of shape {x.shape}")
    idx = normalize_index(idx, x.shape[ax], ax)
    vals = as_operand(values, m, "put_along_axis")
    check_writable(x, "assignment destination is read-only")
    target = unsplit(x, (ax,))
    before_write(target._store)
    lay = target._view_layout()
    ex = Exchange(m)
    plans = []
    ib = _bview(idx, rshape)
    for d, box in enumerate(device_boxes(lay, target.shape, m.ndev)):
        if box is None:
            continue
        tl = ex.localize(target._store, target._map, box, d)
        rbox = tuple((0, rshape[ax]) if a == ax else b for a, b in enumerate(box))
        il_ = ex.localize(ib._store, ib._map, rbox, d)
        if isinstance(vals, ndarray):
            vb = _bview(vals, broadcast_shapes([vals.shape, rshape]))
            if vb.shape != rshape:
                raise ValueError("put_along_axis: values do not broadcast to the indices")
            vl = ex.localize(vb._store, vb._map, rbox, d, copy=True)
        else:
            vl = vals
        if m.is_local(d):
            plans.append((d, tl, il_, vl))
    ex.run()
    for d, tl, il_, vl in plans:
        dev = m.devices[d]
        with dev.activate():
            _local_put_along(dev.xp, tl, il_, vl, ax)
    if target is not x:
        assign(x, target)


def cycle(v, n: int, machine):
    """The flat values of ``v`` repeated cyclically to length ``n``: a view of ``v``
    where one exists (``v`` of one element, or of at least ``n``), else a new array."""
    from .manipulation import broadcast_to, reshape
    flat = _ravel(ours(v, machine))
    if flat.size == n:
        return flat
    if flat.size == 1:
        return broadcast_to(flat, (n,))
    reps = -(-n // flat.size)
    tiled = reshape(broadcast_to(flat[None, :], (reps, flat.size)), (-1,))
    return tiled[:n]


@implements(numpy.put)
def put(a, ind, v, mode="raise"):
    """Same as ``numpy.put``: ``a.flat[ind] = v`` (``v`` repeated as needed)."""
    from ..distributed.fancy import normalize_index
    if not isinstance(a, ndarray):
        host_target(a)
        raise TypeError(f"argument 1 must be numpy.ndarray, not {type(a).__name__}")
    m = a._store.machine
    n = a.size
    if n == 0 and (ind.size if isinstance(ind, ndarray) else numpy.size(ind)) > 0:
        raise IndexError("cannot replace elements of an empty array")   # (NumPy's order)
    vals = _ravel(values_as(v, a.dtype, m))
    idx = _ravel(int_operand(ind, m, "safe"))
    if vals.size == 0 or idx.size == 0:
        return None
    idx = _wrap_mode(idx, n, mode)
    idx = normalize_index(idx, n, 0)
    vv = cycle(vals, idx.size, m)
    if a.ndim == 0:
        a[...] = vv[-1]
        return None
    comps, rem = [], idx
    for k in range(a.ndim - 1, 0, -1):
        comps.append(uf("remainder", rem, a.shape[k]))
        rem = uf("floor_divide", rem, a.shape[k])
    comps.append(rem)
    a[tuple(reversed(comps))] = vv
    return None


@implements(numpy.fill_diagonal)
def fill_diagonal(a, val, wrap=False):
    """Same as ``numpy.fill_diagonal``: ``a.flat[:end:step] = val`` (values cycled, cast
    to ``a``'s dtype as a flat assignment casts), written where the diagonal lies."""
    from .creation import arange
    from .manipulation import astype
    if not isinstance(a, ndarray):
        host_target(a)
        raise TypeError(f"fill_diagonal: a must be an arrbackend array, not "
                        f"{type(a).__name__}")
    if a.ndim < 2:
        raise ValueError("array must be at least 2-d")
    end = None
    if a.ndim == 2:
        step = a.shape[1] + 1
        if not wrap:
            end = a.shape[1] * a.shape[1]
    else:
        if len(set(a.shape)) != 1:
            raise ValueError("All dimensions of input must be of equal length")
        step = 1 + int(numpy.cumprod(a.shape[:-1]).sum())
    m = a._store.machine
    pos = arange(0, min(a.size, end) if end is not None else a.size, step, device=m)
    if pos.size == 0:
        return None
    vals = ours(val, m)
    if vals.size == 0:
        return None
    a[unravel_index(pos, a.shape)] = astype(cycle(vals, pos.size, m), a.dtype, copy=False)
    return None


@implements(numpy.place)
def place(arr, mask, vals):
    """Same as ``numpy.place``: the masked elements take ``vals`` in order, repeated."""
    from .manipulation import astype, reshape
    from .reductions import count_nonzero
    if not isinstance(arr, ndarray):
        host_target(arr)
        raise TypeError(f"argument 1 must be numpy.ndarray, not {type(arr).__name__}")
    m = arr._store.machine
    mk = ours(mask, m)
    if mk.size != arr.size:
        raise ValueError("place: mask and data must be the same size")
    mk = reshape(astype(mk, bool) if mk.dtype != numpy.bool_ else mk, arr.shape)
    cnt = int(count_nonzero(mk))
    v = _ravel(ours(vals, m))
    if cnt == 0:
        return None
    if v.size == 0:
        raise ValueError("Cannot insert from an empty array!")
    arr[mk] = cycle(v, cnt, m)
    return None


@implements(numpy.putmask)
def putmask(a, /, mask, values):
    """Same as ``numpy.putmask``: ``a.flat[n] = values.flat[n % len(values)]`` where
    the mask is true (one elementwise pass)."""
    from .manipulation import astype, reshape, where
    if not isinstance(a, ndarray):
        host_target(a)
        raise TypeError(f"argument a of putmask must be a numpy array, not "
                        f"{type(a).__name__}")
    m = a._store.machine
    mk = ours(mask, m)
    if mk.size != a.size:
        raise ValueError("putmask: mask and data must be the same size")
    if isinstance(values, (ndarray, numpy.ndarray)) or _is_cupy(values):
        # an array must cast safely; anything else converts to a's dtype (NumPy's rules)
        if not numpy.can_cast(values.dtype, a.dtype, "safe"):
            raise TypeError(f"Cannot cast array data from {values.dtype!r} to "
                            f"{a.dtype!r} according to the rule 'safe'")
        vals = ours(values, m)
    else:
        vals = ours(numpy.asarray(values, dtype=a.dtype), m)
    if vals.size == 0:
        return None
    mk = reshape(astype(mk, bool) if mk.dtype != numpy.bool_ else mk, a.shape)
    full = reshape(cycle(vals, a.size, m), a.shape)
    assign(a, where(mk, astype(full, a.dtype, copy=False), a))
    return None


def _choose_kernel(n):
    def kernel(xp, ins, outs):
        idx, ch = ins[0], ins[1:]
        xp.copyto(outs[0], ch[0], casting="unsafe")
        for j in range(1, n):
            xp.copyto(outs[0], ch[j], casting="unsafe", where=(idx == j))
    return kernel


@implements(numpy.choose, local=True)
def choose(a, choices, out=None, mode="raise"):
    """Same as ``numpy.choose`` (one elementwise pass over the broadcast operands)."""
    from .reductions import any as any_
    m = common_machine([a, out] + (list(choices) if isinstance(choices, (list, tuple))
                                   else [choices]), "choose")
    idx = ours(a, m)
    if idx.dtype.kind not in "iub":
        raise TypeError("Cannot cast array data from dtype('float64') to dtype('int64') "
                        "according to the rule 'safe'")
    if isinstance(choices, ndarray):
        chs = [choices[i] for i in range(choices.shape[0])]
    else:
        chs = [as_operand(c, m, "choose") for c in choices]
        chs = [c if isinstance(c, ndarray) else ours(numpy.asarray(c), m) for c in chs]
    n = len(chs)
    if n == 0:
        raise ValueError("0-length sequence.")
    if mode == "raise":
        if idx.size and bool(any_(uf("logical_or", uf("less", idx, 0),
                                     uf("greater_equal", idx, n)))):
            raise ValueError("invalid entry in choice array")
    else:
        idx = _wrap_mode(idx, n, mode)
    dt = numpy.result_type(*[c.dtype for c in chs])
    shape = broadcast_shapes([idx.shape] + [c.shape for c in chs])
    res = elementwise(_choose_kernel(n), [idx] + chs, shape, [dt], machine=m)[0]
    if out is not None:
        assign(out, res)
        return out
    return res


@implements(numpy.compress, local=True)
def compress(condition, a, axis=None, out=None):
    """Same as ``numpy.compress`` (the mask engine: each device keeps its rows)."""
    from .manipulation import astype
    from .nonzero import nonzero
    m = common_machine([condition, a, out], "compress")
    x = ours(a, m)
    cond = ours(condition, m)
    if cond.ndim != 1:
        raise ValueError("condition must be a 1-d array")
    if axis is None or x.ndim == 0:     # (NumPy takes a 0-d array as a 1-d one)
        if axis is not None:
            normalize_axis(axis, 1)
        x, ax = _ravel(x), 0
    else:
        ax = normalize_axis(axis, x.ndim)
    n = x.shape[ax]
    if cond.dtype != numpy.bool_:
        cond = astype(cond, bool)
    if cond.size > n:
        extra = nonzero(cond[n:])[0]
        if extra.size:
            raise IndexError(f"index {int(extra[0]) + n} is out of bounds for axis {ax} "
                             f"with size {n}")
        cond = cond[:n]
    pre = (slice(None),) * ax
    r = x[pre + (slice(0, cond.size),)][pre + (cond,)]
    if out is not None:
        assign(out, r)
        return out
    return r


@implements(numpy.extract, local=True)
def extract(condition, arr):
    """Same as ``numpy.extract``."""
    m = common_machine([condition, arr], "extract")
    c = _ravel(ours(condition, m))
    x = _ravel(ours(arr, m))
    if c.size == x.size:
        from .manipulation import astype
        return x[c if c.dtype == numpy.bool_ else astype(c, bool)]
    from .nonzero import nonzero
    return take(x, nonzero(c)[0])


@implements(numpy.argwhere, local=True)
def argwhere(a):
    """Same as ``numpy.argwhere``."""
    from .nonzero import nonzero
    from .manipulation import reshape, stack
    x = ours(a)
    if x.ndim == 0:
        nz = nonzero(reshape(x, (1,)))[0]
        return reshape(nz, (-1, 1))[:, :0].copy()
    return stack(nonzero(x), axis=0).T      # (NumPy's layout: the transpose of the rows)


@implements(numpy.flatnonzero, local=True)
def flatnonzero(a):
    """Same as ``numpy.flatnonzero``."""
    from .nonzero import nonzero
    return nonzero(_ravel(ours(a)))[0]


def _diag_index(n1, n2, offset, m):
    from .creation import arange
    if offset >= 0:
        L = max(0, min(n1, n2 - offset))
        i = arange(L, device=m)
        return i, uf("add", i, offset) if offset else i, L
    L = max(0, min(n1 + offset, n2))
    i = arange(L, device=m)
    return uf("add", i, -offset), i, L


@implements(numpy.diagonal)
def diagonal(a, offset=0, axis1=0, axis2=1):
    """Same as ``numpy.diagonal``: a read-only view (each device keeps its part)."""
    x = ours(a)
    if x.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    a1, a2 = normalize_axis(axis1, x.ndim), normalize_axis(axis2, x.ndim)
    if a1 == a2:
        raise ValueError("axis1 and axis2 cannot be the same")
    return diagonal_view(x, operator.index(offset), a1, a2)


@implements(numpy.trace, local=True)
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """Same as ``numpy.trace``."""
    from .reductions import sum as sum_
    return sum_(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype, out=out)


@implements(numpy.diag, local=True)
def diag(v, k=0):
    """Same as ``numpy.diag`` (of a 2-D array a read-only view of its diagonal)."""
    from .creation import zeros
    x = ours(v)
    k = operator.index(k)
    if x.ndim == 1:
        n = x.shape[0] + abs(k)
        res = zeros((n, n), dtype=x.dtype, device=x._store.machine)
        rows, cols, L = _diag_index(n, n, k, x._store.machine)
        if L:
            res[rows, cols] = x
        return res
    if x.ndim == 2:
        return diagonal(x, k)
    raise ValueError("Input must be 1- or 2-d.")


@implements(numpy.diagflat, local=True)
def diagflat(v, k=0):
    """Same as ``numpy.diagflat``."""
    return diag(_ravel(ours(v)), k)


@implements(numpy.tri, local=True)
def tri(N, M=None, k=0, dtype=float, *, like=None):
    """Same as ``numpy.tri`` (split by rows like any new array)."""
    from .creation import arange
    from .manipulation import astype
    if M is None:
        M = N
    # NumPy's construction, so that float N, M, k give NumPy's answer
    r = uf("greater_equal", arange(N, dtype=_min_int(0, N))[:, None],
           arange(-k, M - k, dtype=_min_int(-k, M - k))[None, :])
    return r if numpy.dtype(dtype) == numpy.bool_ else astype(r, dtype)


def _min_int(low, high):
    """The smallest integer dtype holding [low, high] (NumPy's choice in ``tri``)."""
    for t in (numpy.int8, numpy.int16, numpy.int32):
        info = numpy.iinfo(t)
        if high <= info.max and low >= info.min:
            return t
    return numpy.int64


@implements(numpy.tril, local=True)
def tril(m, k=0):
    """Same as ``numpy.tril``."""
    from .manipulation import where
    from .creation import zeros
    x = ours(m)
    mask = tri(*x.shape[-2:], k=k, dtype=bool)
    return where(mask, x, zeros(1, x.dtype, device=x._store.machine))


@implements(numpy.triu, local=True)
def triu(m, k=0):
    """Same as ``numpy.triu``."""
    from .manipulation import where
    from .creation import zeros
    x = ours(m)
    mask = tri(*x.shape[-2:], k=k - 1, dtype=bool)
    return where(mask, zeros(1, x.dtype, device=x._store.machine), x)


@implements(numpy.indices, local=True)
def indices(dimensions, dtype=int, sparse=False):
    """Same as ``numpy.indices``."""
    from .creation import arange, empty
    dimensions = tuple(dimensions)
    N = len(dimensions)
    shape = (1,) * N
    res = () if sparse else empty((N,) + dimensions, dtype=dtype)
    for i, dim in enumerate(dimensions):
        idx = arange(dim, dtype=dtype).reshape(shape[:i] + (dim,) + shape[i + 1:])
        if sparse:
            res = res + (idx,)
        else:
            res[i] = idx
    return res


@implements(numpy.ix_, local=True)
def ix_(*args):
    """Same as ``numpy.ix_``."""
    from .manipulation import astype
    from .nonzero import nonzero
    out = []
    nd = len(args)
    m = common_machine(list(args), "ix_")
    for k, new in enumerate(args):
        if not isinstance(new, ndarray):
            new = ours(numpy.asarray(new), m)
            if new.size == 0:
                new = astype(new, numpy.intp)
        if new.ndim != 1:
            raise ValueError("Cross index must be 1 dimensional")
        if new.dtype == numpy.bool_:
            new, = nonzero(new)
        out.append(new.reshape((1,) * k + (new.size,) + (1,) * (nd - k - 1)))
    return tuple(out)


@implements(numpy.select, local=True)
def select(condlist, choicelist, default=0):
    """Same as ``numpy.select``."""
    from .creation import full
    from .manipulation import broadcast_arrays
    from .attributes import copyto
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    m = common_machine(list(condlist) + list(choicelist) + [default], "select")
    # Python scalars keep their weak type in the promotion (NEP 50), as in NumPy
    weak = lambda v, arr: v if type(v) in (bool, int, float, complex) else arr.dtype  # noqa: E731
    raw = list(choicelist)
    choicelist = [ours(c, m) for c in raw]
    try:
        intermediate = numpy.result_type(*[weak(v, c) for v, c in zip(raw, choicelist)])
    except TypeError as e:
        raise TypeError(f"Choicelist elements do not have a common dtype: {e}") from None
    default_array = ours(default, m)
    choicelist.append(default_array)
    try:
        dtype = numpy.result_type(intermediate, weak(default, default_array))
    except TypeError as e:
        raise TypeError(f"Choicelists and default value do not have a common dtype: "
                        f"{e}") from None
    condlist = list(broadcast_arrays(*[ours(c, m) for c in condlist]))
    choicelist = list(broadcast_arrays(*choicelist))
    for i, cond in enumerate(condlist):
        if cond.dtype != numpy.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    if choicelist[0].ndim == 0:
        result_shape = condlist[0].shape
    else:
        result_shape = broadcast_arrays(condlist[0], choicelist[0])[0].shape
    result = full(result_shape, choicelist[-1], dtype)
    for choice, cond in zip(choicelist[-2::-1], condlist[::-1]):
        copyto(result, choice, where=cond)
    return result


@implements(numpy.diag_indices, local=True)
def diag_indices(n, ndim=2):
    """Same as ``numpy.diag_indices``."""
    from .creation import arange
    idx = arange(n)
    return (idx,) * ndim


@implements(numpy.diag_indices_from, local=True)
def diag_indices_from(arr):
    """Same as ``numpy.diag_indices_from``."""
    x = ours(arr)
    if not x.ndim >= 2:
        raise ValueError("input array must be at least 2-d")
    if any(n != x.shape[0] for n in x.shape[1:]):
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(x.shape[0], x.ndim)


def _tri_indices(mask):
    from .manipulation import broadcast_to
    return tuple(broadcast_to(inds, mask.shape)[mask]
                 for inds in indices(mask.shape, sparse=True))


@implements(numpy.tril_indices, local=True)
def tril_indices(n, k=0, m=None):
    """Same as ``numpy.tril_indices``."""
    return _tri_indices(tri(n, m, k=k, dtype=bool))


@implements(numpy.triu_indices, local=True)
def triu_indices(n, k=0, m=None):
    """Same as ``numpy.triu_indices``."""
    return _tri_indices(uf("logical_not", tri(n, m, k=k - 1, dtype=bool)))


def _from_2d(arr):
    x = ours(arr)
    if x.ndim != 2:
        raise ValueError("input array must be 2-d")
    return x


@implements(numpy.tril_indices_from, local=True)
def tril_indices_from(arr, k=0):
    """Same as ``numpy.tril_indices_from``."""
    x = _from_2d(arr)
    return tril_indices(x.shape[-2], k=k, m=x.shape[-1])


@implements(numpy.triu_indices_from, local=True)
def triu_indices_from(arr, k=0):
    """Same as ``numpy.triu_indices_from``."""
    x = _from_2d(arr)
    return triu_indices(x.shape[-2], k=k, m=x.shape[-1])


@implements(numpy.mask_indices, local=True)
def mask_indices(n, mask_func, k=0):
    """Same as ``numpy.mask_indices`` (``mask_func`` receives an arrbackend array)."""
    from .creation import ones
    from .nonzero import nonzero
    a = mask_func(ones((n, n), int), k)
    return nonzero(uf("not_equal", a, 0))


def _modes(mode, n):
    if isinstance(mode, str):
        return [mode] * n
    modes = list(mode)
    if len(modes) != n:
        raise ValueError("mode must have the same length as the number of dimensions")
    return modes


@implements(numpy.ravel_multi_index, name="ravel_multi_index", local=True)
def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """Same as ``numpy.ravel_multi_index`` (a 0-d array for scalar coordinates)."""
    from .reductions import any as any_
    from .manipulation import astype
    dims = tuple(operator.index(d) for d in (dims if not numpy.isscalar(dims) else (dims,)))
    if len(multi_index) != len(dims):
        raise ValueError(f"parameter multi_index must be a sequence of length {len(dims)}")
    if not dims:            # (no axes: the one element of a 0-d array, index 0)
        from .creation import asarray
        return asarray(numpy.ravel_multi_index((), ()))
    m = common_machine(list(multi_index), "ravel_multi_index")
    comps = [ours(c, m) for c in multi_index]
    if order not in ("C", "F"):
        raise ValueError("only 'C' or 'F' order is permitted")
    strides = [1] * len(dims)
    rng = range(len(dims) - 2, -1, -1) if order == "C" else range(1, len(dims))
    for k in rng:
        strides[k] = strides[k + 1] * dims[k + 1] if order == "C" else \
            strides[k - 1] * dims[k - 1]
    total = None
    for c, n, st, md in zip(comps, dims, strides, _modes(mode, len(dims))):
        if c.dtype.kind not in "iu":
            raise TypeError("only int indices permitted")
        c = astype(c, numpy.intp, copy=False)
        if md == "raise":
            if c.size and bool(any_(uf("logical_or", uf("less", c, 0),
                                       uf("greater_equal", c, n)))):
                raise ValueError("invalid entry in coordinates array")
        else:
            c = _wrap_mode(c, n, md)
        term = uf("multiply", c, st)
        total = term if total is None else uf("add", total, term)
    return total


@implements(numpy.unravel_index, name="unravel_index", local=True)
def unravel_index(indices, shape, order="C"):
    """Same as ``numpy.unravel_index`` (0-d arrays for a scalar index)."""
    from .reductions import max as max_, min as min_
    from .manipulation import astype
    shape = tuple(operator.index(d) for d in (shape if not numpy.isscalar(shape)
                                                else (shape,)))
    idx = ours(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError("only int indices permitted")
    idx = astype(idx, numpy.intp)
    size = 1
    for d in shape:
        size *= d
    if idx.size:
        hi, lo = int(max_(idx)), int(min_(idx))
        if hi >= size or lo < 0:
            bad = hi if hi >= size else lo
            raise ValueError(f"index {bad} is out of bounds for array with size {size}")
    if order not in ("C", "F"):
        raise ValueError("only 'C' or 'F' order is permitted")
    out = [None] * len(shape)
    rem = idx
    dims = range(len(shape) - 1, -1, -1) if order == "C" else range(len(shape))
    last = list(dims)[-1] if shape else None
    for k in dims:
        if k == last:
            out[k] = rem
        else:
            out[k] = uf("remainder", rem, shape[k])
            rem = uf("floor_divide", rem, shape[k])
    return tuple(out)
