"""Rearranging, splitting and joining: ``flip fliplr flipud rot90 roll tile repeat
resize split array_split hsplit vsplit dsplit hstack vstack row_stack dstack column_stack
block append insert delete atleast_1d atleast_2d atleast_3d rollaxis unstack
matrix_transpose meshgrid trim_zeros``.

Flips, rotations by 90 degrees, splits, ``rollaxis`` and ``unstack`` are views (index
maps with negative steps and permuted axes): nothing is copied, as in NumPy.  Joins are
one ``concatenate`` (every piece lands in the result in one exchange); ``tile`` and
``repeat`` by a scalar are a broadcast view copied into its new shape; ``repeat`` by an
array and ``delete``/``insert`` by indices run on the fancy and mask engines.  Index
arguments given as arrbackend arrays (``insert``/``delete`` positions, split points) are
small metadata read on the host.
"""
from __future__ import annotations

import operator
import warnings

import numpy
from numpy.exceptions import AxisError

from .registry import implements
from ..distributed.view import normalize_axis, normalize_axis_tuple
from ._helpers import host, ours
from .manipulation import (broadcast_arrays, broadcast_to, concatenate, ravel, reshape,
                           swapaxes, transpose, moveaxis)
from .ufuncs import common_machine
from ..distributed.array import ndarray
from .coerce import int_operand

__all__ = ["flip", "fliplr", "flipud", "rot90", "roll", "tile", "repeat", "resize", "split",
           "array_split", "hstack", "vstack", "dstack", "column_stack", "block", "append",
           "insert", "delete", "atleast_1d", "atleast_2d", "atleast_3d", "rollaxis",
           "unstack", "matrix_transpose", "meshgrid", "trim_zeros"]


@implements(numpy.flip)
def flip(m, axis=None):
    """Same as ``numpy.flip``: a view."""
    x = ours(m)
    axes = range(x.ndim) if axis is None else normalize_axis_tuple(axis, x.ndim)
    key = tuple(slice(None, None, -1) if k in axes else slice(None) for k in range(x.ndim))
    return x[key]               # (of a 0-d array x[()]: its value, as NumPy's scalar)


@implements(numpy.fliplr)
def fliplr(m):
    """Same as ``numpy.fliplr``: a view."""
    x = ours(m)
    if x.ndim < 2:
        raise ValueError("Input must be >= 2-d.")
    return x[:, ::-1]


@implements(numpy.flipud)
def flipud(m):
    """Same as ``numpy.flipud``: a view."""
    x = ours(m)
    if x.ndim < 1:
        raise ValueError("Input must be >= 1-d.")
    return x[::-1, ...]


@implements(numpy.rot90)
def rot90(m, k=1, axes=(0, 1)):
    """Same as ``numpy.rot90``: a view."""
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    x = ours(m)
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == x.ndim:
        raise ValueError("Axes must be different.")
    if (axes[0] >= x.ndim or axes[0] < -x.ndim or axes[1] >= x.ndim
            or axes[1] < -x.ndim):
        raise ValueError(f"Axes={axes} out of range for array of ndim={x.ndim}.")
    k %= 4
    if k == 0:
        return x[:]
    if k == 2:
        return flip(flip(x, axes[0]), axes[1])
    perm = list(range(x.ndim))
    perm[axes[0]], perm[axes[1]] = perm[axes[1]], perm[axes[0]]
    if k == 1:
        return transpose(flip(x, axes[1]), perm)
    return flip(transpose(x, perm), axes[1])


@implements(numpy.roll, local=True)
def roll(a, shift, axis=None):
    """Same as ``numpy.roll``: one concatenation of two views per rolled axis."""
    x = ours(a)
    if axis is None:
        return reshape(roll(ravel(x), shift, 0), x.shape)
    axes = tuple(normalize_axis(k, x.ndim) for k in axis) if isinstance(
        axis, (tuple, list)) else (normalize_axis(axis, x.ndim),)   # (repeats add up)
    sh = numpy.atleast_1d(numpy.asarray(shift))
    ax_arr = numpy.atleast_1d(numpy.asarray(axes))
    if sh.ndim > 1 or ax_arr.ndim > 1:
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences")
    try:
        pairs = numpy.broadcast(sh, ax_arr)
    except ValueError:
        raise ValueError("shape mismatch: objects cannot be broadcast to a single "
                         "shape") from None
    shifts = {k: 0 for k in range(x.ndim)}
    for s, ax in pairs:
        shifts[int(ax)] += int(s)
    r = x
    for ax, s in shifts.items():
        n = x.shape[ax]
        if n == 0 or s % n == 0:
            continue
        s %= n
        pre = (slice(None),) * ax
        r = concatenate([r[pre + (slice(n - s, None),)], r[pre + (slice(0, n - s),)]],
                        axis=ax)
    return r.copy() if r is x else r


@implements(numpy.tile, local=True)
def tile(A, reps):
    """Same as ``numpy.tile``: a broadcast view copied into the tiled shape."""
    x = ours(A)
    try:
        tup = tuple(operator.index(r) for r in reps)
    except TypeError:
        tup = (operator.index(reps),)
    d = len(tup)
    if x.ndim < d:
        x = reshape(x, (1,) * (d - x.ndim) + x.shape)
    if d < x.ndim:
        tup = (1,) * (x.ndim - d) + tup
    if any(t < 0 for t in tup):
        raise ValueError("negative dimensions are not allowed")
    shape_out = tuple(s * t for s, t in zip(x.shape, tup))
    if all(t == 1 for t in tup):
        return x.copy()
    if x.size == 0:
        return reshape(x, shape_out)    # (NumPy's: a reshape of the input, read-only if it is)
    key = (None, slice(None)) * x.ndim
    expanded = x[key] if x.ndim else x
    full = []
    for s, t in zip(x.shape, tup):
        full += [t, s]
    r = reshape(broadcast_to(expanded, tuple(full)), shape_out)
    # a new array, never a view of ``A`` (the reshape keeps views where it can)
    return r.copy() if r._store.base is x._store.base or r._readonly else r


@implements(numpy.repeat, local=True)
def repeat(a, repeats, axis=None):
    """Same as ``numpy.repeat``: by a scalar a broadcast view copied; by an array a
    gather of the source rows (``searchsorted`` of the output positions)."""
    from .cumulative import cumsum
    from .creation import arange
    from .indexing import take
    from .sorting import searchsorted
    x = ours(a)
    if axis is None or x.ndim == 0:     # (NumPy takes a 0-d array as a 1-d one)
        if axis is not None:
            normalize_axis(axis, 1)
        x, ax = ravel(x), 0
    else:
        ax = normalize_axis(axis, x.ndim)
    n = x.shape[ax]
    m = x._store.machine
    if numpy.ndim(repeats) > 1:
        raise ValueError(f"repeat: repeats must be a scalar or 1-d, got "
                         f"{numpy.ndim(repeats)} dimensions")
    if not isinstance(repeats, (ndarray, numpy.ndarray)) and numpy.ndim(repeats) == 0:
        r = int(numpy.asarray(repeats, dtype=numpy.intp))      # NumPy's conversion
        if r < 0 and n:
            raise ValueError("negative dimensions are not allowed")
        if r == 1 or not n:             # (no element to repeat: any count, as NumPy)
            return x.copy()             # a new array, never a view of ``a``
        view = x[(slice(None),) * (ax + 1) + (None,)]
        shape = x.shape[:ax + 1] + (r,) + x.shape[ax + 1:]
        out_shape = x.shape[:ax] + (n * r,) + x.shape[ax + 1:]
        if 0 in out_shape:
            from .creation import empty
            return empty(out_shape, dtype=x.dtype, device=m)     # (a new, writeable array)
        rep = reshape(broadcast_to(view, shape), out_shape)
        # a new array, never a view of ``a`` (the reshape keeps views where it can)
        return rep.copy() if rep._store.base is x._store.base or rep._readonly else rep
    reps = ravel(int_operand(repeats, m, "safe"))
    if reps.size not in (1, n):
        raise ValueError(f"operands could not be broadcast together with shape ({n},) "
                         f"({reps.size},)")
    if reps.size == 1:
        reps = broadcast_to(reps, (n,))
    from .reductions import min as min_
    if n and int(min_(reps)) < 0:
        raise ValueError("repeats may not contain negative values.")
    cs = cumsum(reps, dtype=numpy.intp)
    total = int(cs[-1]) if n else 0
    idx = searchsorted(cs, arange(total, device=m), side="right")
    return take(x, idx, axis=ax)


@implements(numpy.resize, local=True)
def resize(a, new_shape):
    """Same as ``numpy.resize``: the flat data repeated cyclically."""
    from .creation import zeros_like
    from .indexing import cycle
    if isinstance(new_shape, (int, numpy.integer)):
        new_shape = (new_shape,)
    x = ravel(ours(a))
    new_size = 1
    for dim in new_shape:
        new_size *= dim
        if dim < 0:
            raise ValueError("all elements of `new_shape` must be non-negative")
    if x.size == 0 or new_size == 0:
        return zeros_like(x, shape=tuple(new_shape))
    r = reshape(cycle(x, new_size, x._store.machine), tuple(new_shape))
    # a new array, never a view of ``a`` (cycle keeps views where it can)
    return r.copy() if r._store.base is x._store.base or r._readonly else r


def _div_points(n, indices_or_sections):
    try:
        pts = list(indices_or_sections)
        return len(pts) + 1, [0] + [int(p) for p in pts] + [n]
    except TypeError:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.") from None
        each, extras = divmod(n, sections)
        sizes = [0] + extras * [each + 1] + (sections - extras) * [each]
        return sections, numpy.cumsum(sizes).tolist()


@implements(numpy.array_split)
def array_split(ary, indices_or_sections, axis=0):
    """Same as ``numpy.array_split``: a list of views."""
    x = ours(ary)
    ax = normalize_axis(axis, x.ndim)
    if isinstance(indices_or_sections, ndarray):
        indices_or_sections = host(indices_or_sections).tolist()
    k, pts = _div_points(x.shape[ax], indices_or_sections)
    s = swapaxes(x, ax, 0)
    return [swapaxes(s[pts[i]:pts[i + 1]], ax, 0) for i in range(k)]


@implements(numpy.split)
def split(ary, indices_or_sections, axis=0):
    """Same as ``numpy.split``: a list of views."""
    x = ours(ary)
    if isinstance(indices_or_sections, ndarray):
        indices_or_sections = host(indices_or_sections).tolist()
    try:
        len(indices_or_sections)
    except TypeError:
        n = x.shape[normalize_axis(axis, x.ndim)]
        if n % indices_or_sections:
            raise ValueError("array split does not result in an equal division") from None
    return array_split(x, indices_or_sections, axis)


@implements(numpy.hsplit)
def hsplit(ary, indices_or_sections):
    """Same as ``numpy.hsplit``."""
    x = ours(ary)
    if x.ndim == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(x, indices_or_sections, 1 if x.ndim > 1 else 0)


@implements(numpy.vsplit)
def vsplit(ary, indices_or_sections):
    """Same as ``numpy.vsplit``."""
    x = ours(ary)
    if x.ndim < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(x, indices_or_sections, 0)


@implements(numpy.dsplit)
def dsplit(ary, indices_or_sections):
    """Same as ``numpy.dsplit``."""
    x = ours(ary)
    if x.ndim < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(x, indices_or_sections, 2)


def _atleast(arys, nd, name):
    res = []
    for a in arys:
        x = ours(a)
        if x.ndim == 0:
            x = reshape(x, (1,) * nd)
        elif nd == 2 and x.ndim == 1:
            x = x[None, :]
        elif nd == 3 and x.ndim == 1:
            x = x[None, :, None]
        elif nd == 3 and x.ndim == 2:
            x = x[:, :, None]
        res.append(x)
    return res[0] if len(res) == 1 else tuple(res)


@implements(numpy.atleast_1d)
def atleast_1d(*arys):
    """Same as ``numpy.atleast_1d`` (views)."""
    return _atleast(arys, 1, "atleast_1d")


@implements(numpy.atleast_2d)
def atleast_2d(*arys):
    """Same as ``numpy.atleast_2d`` (views)."""
    return _atleast(arys, 2, "atleast_2d")


@implements(numpy.atleast_3d)
def atleast_3d(*arys):
    """Same as ``numpy.atleast_3d`` (views)."""
    return _atleast(arys, 3, "atleast_3d")


def _seq(tup):
    if not hasattr(tup, "__getitem__"):       # (NumPy's test of a sequence)
        raise TypeError('arrays to stack must be passed as a "sequence" type such as list '
                        'or tuple.')
    if isinstance(tup, ndarray):
        return [tup[i] for i in range(tup.shape[0])]
    tup = list(tup)
    m = common_machine(tup, "stack")
    return [ours(t, m) for t in tup]


def _listify(r):
    return [r] if isinstance(r, ndarray) else list(r)


@implements(numpy.hstack, local=True)
def hstack(tup, *, dtype=None, casting="same_kind"):
    """Same as ``numpy.hstack``."""
    arrs = _listify(atleast_1d(*_seq(tup)))
    if arrs and arrs[0].ndim == 1:
        return concatenate(arrs, 0, dtype=dtype, casting=casting)
    return concatenate(arrs, 1, dtype=dtype, casting=casting)


@implements(numpy.vstack, local=True)
def vstack(tup, *, dtype=None, casting="same_kind"):
    """Same as ``numpy.vstack``."""
    return concatenate(_listify(atleast_2d(*_seq(tup))), 0, dtype=dtype, casting=casting)


def row_stack(tup, *, dtype=None, casting="same_kind"):
    """Same as ``numpy.row_stack`` (deprecated there: use ``vstack``)."""
    warnings.warn("`row_stack` alias is deprecated. Use `np.vstack` directly.",
                  DeprecationWarning, stacklevel=2)
    return vstack(tup, dtype=dtype, casting=casting)


if hasattr(numpy, "row_stack"):          # removed in NumPy 2.5
    row_stack = implements(numpy.row_stack, name="row_stack", local=True)(row_stack)


@implements(numpy.dstack, local=True)
def dstack(tup):
    """Same as ``numpy.dstack``."""
    return concatenate(_listify(atleast_3d(*_seq(tup))), 2)


@implements(numpy.column_stack, local=True)
def column_stack(tup):
    """Same as ``numpy.column_stack``."""
    arrays = []
    for v in _seq(tup):
        if v.ndim < 2:
            v = transpose(reshape(v, (1,) * (2 - v.ndim) + v.shape))
        arrays.append(v)
    return concatenate(arrays, 1)


# ---------------------------------------------------------------------------------------
# block

def _fmt(index):
    return "arrays" + "".join(f"[{i}]" for i in index if i is not None)


def _depths(arrays, parent=()):
    if isinstance(arrays, tuple):
        raise TypeError(f"{_fmt(parent)} is a tuple. Only lists can be used to arrange "
                        f"blocks, and np.block does not allow implicit conversion from "
                        f"tuple to ndarray.")
    if isinstance(arrays, list) and arrays:
        results = [_depths(a, parent + (i,)) for i, a in enumerate(arrays)]
        first, max_nd = results[0][0], results[0][1]
        for index, nd in results[1:]:
            max_nd = max(max_nd, nd)
            if len(index) != len(first):
                raise ValueError(f"List depths are mismatched. First element was at depth "
                                 f"{len(first)}, but there is an element at depth "
                                 f"{len(index)} ({_fmt(index)})")
            if index[-1] is None:
                first = index
        return first, max_nd
    if isinstance(arrays, list):
        return parent + (None,), 0
    return parent, numpy.ndim(arrays) if not isinstance(arrays, ndarray) else arrays.ndim


def _block_rec(arrays, max_depth, result_ndim, m, depth=0):
    if depth < max_depth:
        arrs = [_block_rec(a, max_depth, result_ndim, m, depth + 1) for a in arrays]
        return concatenate(arrs, axis=-(max_depth - depth))
    x = ours(arrays, m)
    return reshape(x, (1,) * (result_ndim - x.ndim) + x.shape) if x.ndim < result_ndim else x


def _leaves(arrays):
    if isinstance(arrays, list):
        for a in arrays:
            yield from _leaves(a)
    else:
        yield arrays


@implements(numpy.block, local=True)
def block(arrays):
    """Same as ``numpy.block`` (nested concatenations)."""
    bottom, arr_nd = _depths(arrays)
    list_nd = len(bottom)
    if bottom and bottom[-1] is None:
        raise ValueError(f"List at {_fmt(bottom)} cannot be empty")
    result_nd = max(arr_nd, list_nd)
    m = common_machine(list(_leaves(arrays)), "block")
    return _block_rec(arrays, list_nd, result_nd, m)


# ---------------------------------------------------------------------------------------
# append / insert / delete

@implements(numpy.append, local=True)
def append(arr, values, axis=None):
    """Same as ``numpy.append``."""
    x = ours(arr)
    v = ours(values, x._store.machine)
    if axis is None:
        if x.ndim != 1:
            x = ravel(x)
        v = ravel(v)
        axis = x.ndim - 1
    return concatenate((x, v), axis=axis)


def _prep_axis(x, axis):
    if axis is None:
        if x.ndim != 1:
            x = ravel(x)
        return x, x.ndim - 1
    return x, normalize_axis(axis, x.ndim)


@implements(numpy.delete, local=True)
def delete(arr, obj, axis=None):
    """Same as ``numpy.delete`` (the kept rows selected by a mask)."""
    from .creation import empty
    x, ax = _prep_axis(ours(arr), axis)
    N = x.shape[ax]
    pre = (slice(None),) * ax
    if isinstance(obj, slice):
        start, stop, step = obj.indices(N)
        if len(range(start, stop, step)) <= 0:
            return x.copy()
        keep = numpy.ones(N, dtype=bool)
        keep[obj] = False
    else:
        o = host(obj) if isinstance(obj, ndarray) else numpy.asarray(obj)
        if o.size == 0 and not isinstance(obj, (numpy.ndarray, ndarray)):
            o = o.astype(numpy.intp)
        if isinstance(obj, (int, numpy.integer)) and not isinstance(obj, bool) or (
                o.size == 1 and o.dtype.kind in "ui"):
            i = int(o.item())
            if i < -N or i >= N:
                raise IndexError(f"index {i} is out of bounds for axis {ax} with size {N}")
            keep = numpy.ones(N, dtype=bool)
            keep[i] = False
        elif o.dtype == bool:
            if o.shape != (N,):
                raise ValueError(f"boolean array argument obj to delete must be one "
                                 f"dimensional and match the axis length of {N}")
            keep = ~o
        else:
            keep = numpy.ones(N, dtype=bool)
            if o.dtype.kind not in "iu":
                raise IndexError("arrays used as indices must be of integer (or boolean) "
                                 "type")
            bad = o[(o >= N) | (o < -N)]
            if bad.size:
                raise IndexError(f"index {int(bad[0])} is out of bounds for axis {ax} "
                                 f"with size {N}")
            keep[o] = False
    if keep.all():
        return x.copy()
    if not keep.any():
        shape = list(x.shape)
        shape[ax] = 0
        return empty(tuple(shape), dtype=x.dtype, device=x._store.machine)
    return x[pre + (ours(keep, x._store.machine),)]


def _inserted(values, dtype):
    """``insert``'s values converted as NumPy converts them (NaN, complex or out-of-range
    numbers into integers refused), after the index checks, as NumPy orders them."""
    if isinstance(values, ndarray):
        return values
    return numpy.array(values, dtype=dtype)


@implements(numpy.insert, local=True)
def insert(arr, obj, values, axis=None):
    """Same as ``numpy.insert``."""
    from .creation import empty, asarray_on
    from .manipulation import astype
    x, ax = _prep_axis(ours(arr), axis)
    m = x._store.machine
    N = x.shape[ax]
    newshape = list(x.shape)
    pre = (slice(None),) * ax
    if isinstance(obj, slice):
        idx = numpy.arange(*obj.indices(N), dtype=numpy.intp)
    else:
        idx = numpy.array(host(obj) if isinstance(obj, ndarray) else obj)
        if idx.dtype == bool:
            if idx.ndim != 1:
                raise ValueError("boolean array argument obj to insert must be one "
                                 "dimensional")
            idx = numpy.flatnonzero(idx)
        elif idx.ndim > 1:
            raise ValueError("index array argument obj to insert must be one dimensional "
                             "or scalar")
    if idx.size == 1:
        index = idx.item()
        if index < -N or index > N:
            raise IndexError(f"index {obj} is out of bounds for axis {ax} with size {N}")
        if not isinstance(index, int):         # (NumPy slices with it)
            raise TypeError("slice indices must be integers or None or have an __index__ "
                            "method")
        if index < 0:
            index += N
        vals = ours(_inserted(values, x.dtype), m)
        if vals.dtype != x.dtype:
            vals = astype(vals, x.dtype)
        if vals.ndim < x.ndim:
            vals = reshape(vals, (1,) * (x.ndim - vals.ndim) + vals.shape)
        if idx.ndim == 0:
            vals = moveaxis(vals, 0, ax)
        numnew = vals.shape[ax]
        newshape[ax] += numnew
        new = empty(tuple(newshape), dtype=x.dtype, device=m)
        new[pre + (slice(None, index),)] = x[pre + (slice(None, index),)]
        new[pre + (slice(index, index + numnew),)] = vals
        new[pre + (slice(index + numnew, None),)] = x[pre + (slice(index, None),)]
        return new
    if idx.size == 0 and not isinstance(obj, (numpy.ndarray, ndarray)):
        idx = idx.astype(numpy.intp)
    if idx.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    idx = idx.copy()
    idx[idx < 0] += N
    numnew = len(idx)
    order = idx.argsort(kind="mergesort")
    idx[order] += numpy.arange(numnew)
    newshape[ax] += numnew
    old_mask = numpy.ones(newshape[ax], dtype=bool)
    old_mask[idx] = False
    values = _inserted(values, x.dtype)
    new = empty(tuple(newshape), dtype=x.dtype, device=m)
    new[pre + (asarray_on(idx, m),)] = values if not isinstance(values, (list, tuple)) \
        else asarray_on(numpy.asarray(values), m)
    new[pre + (asarray_on(old_mask, m),)] = x
    return new


# ---------------------------------------------------------------------------------------
# axes

@implements(numpy.rollaxis)
def rollaxis(a, axis, start=0):
    """Same as ``numpy.rollaxis``: a view."""
    x = ours(a)
    n = x.ndim
    axis = normalize_axis(axis, n)
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise AxisError(f"'start' arg requires {-n} <= start < {n + 1}, but {start} was "
                        f"passed in")
    if axis < start:
        start -= 1
    if axis == start:
        return x[...]
    axes = list(range(n))
    axes.remove(axis)
    axes.insert(start, axis)
    return transpose(x, axes)


@implements(numpy.unstack)
def unstack(x, /, *, axis=0):
    """Same as ``numpy.unstack``: a tuple of views."""
    a = ours(x)
    if a.ndim == 0:
        raise ValueError("Input array must be at least 1-d.")
    v = moveaxis(a, axis, 0)
    return tuple(v[i] for i in range(v.shape[0]))


@implements(numpy.matrix_transpose)
def matrix_transpose(x, /):
    """Same as ``numpy.matrix_transpose``: a view."""
    a = ours(x)
    if a.ndim < 2:
        raise ValueError(f"Input array must be at least 2-dimensional, but it is {a.ndim}")
    return swapaxes(a, -1, -2)


@implements(numpy.meshgrid, local=True)
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Same as ``numpy.meshgrid`` (``copy=False`` gives broadcast views)."""
    ndim = len(xi)
    if indexing not in ["xy", "ij"]:
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    m = common_machine(list(xi), "meshgrid")
    s0 = (1,) * ndim
    output = [reshape(ours(x, m), s0[:i] + (-1,) + s0[i + 1:]) for i, x in enumerate(xi)]
    if indexing == "xy" and ndim > 1:
        output[0] = reshape(output[0], (1, -1) + s0[2:])
        output[1] = reshape(output[1], (-1, 1) + s0[2:])
    if not sparse:
        output = broadcast_arrays(*output)
    if copy:
        output = tuple(x.copy() for x in output)
    return tuple(output)


@implements(numpy.trim_zeros, local=True)
def trim_zeros(filt, trim="fb", axis=None):
    """Same as ``numpy.trim_zeros``: a view of the smallest box holding the nonzeros."""
    from .indexing import argwhere
    from .reductions import max as max_, min as min_
    x = ours(filt)
    trim = trim.lower()
    if trim not in {"fb", "bf", "f", "b"}:
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    axes = tuple(range(x.ndim)) if axis is None else normalize_axis_tuple(axis, x.ndim)
    if not axes:
        return x
    nz = argwhere(x)
    if nz.size == 0:
        start = stop = [0] * x.ndim
    else:
        start = host(min_(nz, axis=0)).tolist()
        stop = [v + 1 for v in host(max_(nz, axis=0)).tolist()]
        if "f" not in trim:
            start = [None] * x.ndim
        if "b" not in trim:
            stop = [None] * x.ndim
    sl = tuple(slice(start[k], stop[k]) if k in axes else slice(None)
               for k in range(x.ndim))
    return x[sl]
