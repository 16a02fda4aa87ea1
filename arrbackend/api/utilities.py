"""Remaining array routines and host utilities: ``geomspace logspace fromfunction
apply_along_axis apply_over_axes piecewise packbits unpackbits asarray_chkfinite
asfortranarray require from_dlpack common_type isfortran may_share_memory shares_memory``
and NumPy's own host utilities that take no array data (``base_repr binary_repr
getbufsize setbufsize geterrcall seterrcall get_include show_config show_runtime info``).

``apply_along_axis`` and ``piecewise`` call the user's function on arrbackend arrays (views
of the lines, masked selections), as NumPy's own Python implementations do.  Memory
questions are answered from the stores: arrbackend arrays are C-ordered shards, never
Fortran-ordered.
"""
from __future__ import annotations

import operator

import numpy

from .registry import implements
from ..distributed.view import normalize_axis
from ._helpers import host, ours, uf
from .manipulation import astype, moveaxis, ravel, reshape, transpose
from ..distributed.array import ndarray

__all__ = ["geomspace", "logspace", "fromfunction", "apply_along_axis", "apply_over_axes",
           "piecewise", "packbits", "unpackbits", "asarray_chkfinite", "asfortranarray",
           "require", "common_type", "isfortran", "may_share_memory",
           "shares_memory"]

_UTILITY = "NumPy's own function: it takes no array data"


@implements(numpy.logspace, local=True)
def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """Same as ``numpy.logspace`` (``base ** linspace``)."""
    from .creation import linspace
    from .manipulation import expand_dims, reshape
    if numpy.ndim(base):
        # NumPy's way: the three broadcast together, base gets the samples' axis
        nd = max(numpy.ndim(start), numpy.ndim(stop), numpy.ndim(base))
        start, stop, base = (reshape(v, (1,) * (nd - numpy.ndim(v)) + numpy.shape(v))
                             for v in (ours(start), ours(stop), ours(base)))
        base = expand_dims(base, axis)
    y = linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    r = uf("power", base, y)
    return r if dtype is None else astype(r, dtype, copy=False)


@implements(numpy.geomspace, local=True)
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Same as ``numpy.geomspace``."""
    s0, s1 = numpy.asanyarray(host(start)), numpy.asanyarray(host(stop))
    if numpy.any(s0 == 0) or numpy.any(s1 == 0):
        raise ValueError("Geometric sequence cannot include zero")
    dt = numpy.result_type(s0, s1, float(num), numpy.zeros((), dtype))
    dtype = dt if dtype is None else numpy.dtype(dtype)
    s0, s1 = s0.astype(dt, copy=True), s1.astype(dt, copy=True)
    out_sign = numpy.sign(s0)
    s0 = s0 / out_sign
    s1 = s1 / out_sign
    result = logspace(numpy.log10(s0)[()], numpy.log10(s1)[()], num=num, endpoint=endpoint,
                      base=10.0, dtype=dt)
    if num > 0:
        result[0] = s0[()]
        if num > 1 and endpoint:
            result[-1] = s1[()]
    result = uf("multiply", result, out_sign[()])
    if axis != 0:
        result = moveaxis(result, 0, axis)
    return astype(result, dtype, copy=False)


@implements(numpy.fromfunction, local=True)
def fromfunction(function, shape, *, dtype=float, like=None, **kwargs):
    """Same as ``numpy.fromfunction``: ``function`` receives arrbackend index arrays."""
    from .indexing import indices
    return function(*indices(shape, dtype=dtype), **kwargs)


@implements(numpy.apply_along_axis, local=True)
def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """Same as ``numpy.apply_along_axis`` (``func1d`` is called on arrbackend views of
    the lines, one by one, as NumPy does)."""
    from .creation import zeros
    x = ours(arr)
    nd = x.ndim
    axis = normalize_axis(axis, nd)
    dims = list(range(nd))
    view = transpose(x, dims[:axis] + dims[axis + 1:] + [axis])
    inds = (ind + (Ellipsis,) for ind in numpy.ndindex(view.shape[:-1]))
    try:
        ind0 = next(inds)
    except StopIteration:
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0") \
            from None
    res = ours(func1d(view[ind0], *args, **kwargs), x._store.machine)
    buff = zeros(view.shape[:-1] + res.shape, dtype=res.dtype, device=x._store.machine)
    bd = list(range(buff.ndim))
    perm = bd[0:axis] + bd[buff.ndim - res.ndim:buff.ndim] + bd[axis:buff.ndim - res.ndim]
    buff[ind0] = res
    for ind in inds:
        buff[ind] = ours(func1d(view[ind], *args, **kwargs), x._store.machine)
    return transpose(buff, perm)


@implements(numpy.apply_over_axes, local=True)
def apply_over_axes(func, a, axes):
    """Same as ``numpy.apply_over_axes``."""
    from .manipulation import expand_dims
    val = ours(a)
    N = val.ndim
    if numpy.ndim(axes) == 0:
        axes = (axes,)
    for axis in axes:
        if axis < 0:
            axis = N + axis
        res = func(val, axis)
        if res.ndim == val.ndim:
            val = res
        else:
            res = expand_dims(res, axis)
            if res.ndim == val.ndim:
                val = res
            else:
                raise ValueError("function is not returning an array of the correct shape")
    return val


@implements(numpy.piecewise, local=True)
def piecewise(x, condlist, funclist, *args, **kw):
    """Same as ``numpy.piecewise`` (the functions receive arrbackend selections)."""
    import collections.abc
    from .creation import zeros_like
    from .manipulation import concatenate, stack
    from .reductions import any as any_
    xx = ours(x)
    m = xx._store.machine
    n2 = len(funclist)
    if isinstance(condlist, ndarray):
        first_is_array = condlist.ndim >= 2          # NumPy looks at type(condlist[0])
    else:
        first_is_array = not numpy.isscalar(condlist) and isinstance(
            condlist[0], (list, numpy.ndarray, ndarray)) and not (
            isinstance(condlist[0], ndarray) and condlist[0].ndim == 0)
    if numpy.isscalar(condlist) or (not first_is_array and xx.ndim != 0):
        condlist = [condlist]
    if isinstance(condlist, ndarray):
        conds = astype(condlist, bool)
    else:
        conds = stack([astype(ours(c, m), bool) for c in condlist])
    n = len(conds)
    if n == n2 - 1:
        condelse = uf("logical_not", any_(conds, axis=0, keepdims=True))
        conds = concatenate([conds, condelse], axis=0)
        n += 1
    elif n != n2:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are "
                         f"expected")
    y = zeros_like(xx)
    for i, func in enumerate(funclist):
        cond = conds[i]
        if not isinstance(func, collections.abc.Callable):
            y[cond] = func
        else:
            vals = xx[cond]
            if vals.size > 0:
                y[cond] = func(vals, *args, **kw)
    return y


def _bits_axis(a, axis, name):
    x = ours(a)
    if axis is None:
        return ravel(x), 0, True
    return x, normalize_axis(axis, x.ndim), False


@implements(numpy.packbits, local=True)
def packbits(a, /, axis=None, bitorder="big"):
    """Same as ``numpy.packbits`` (bits weighted and summed in groups of eight)."""
    from .creation import zeros
    from .manipulation import concatenate
    from .reductions import sum as sum_
    x = ours(a)
    if x.dtype.kind not in "biu":
        raise TypeError("Expected an input array of integer or boolean data type")
    if bitorder not in ("big", "little"):
        raise ValueError("'order' must be either 'little' or 'big'")
    x, ax, flat = _bits_axis(x, axis, "packbits")
    if x.ndim == 0:
        x = reshape(x, (1,))
    v = moveaxis(uf("not_equal", x, 0), ax, -1)
    n = v.shape[-1]
    pad = (-n) % 8
    m = x._store.machine
    bits = astype(v, numpy.uint8)
    if pad:
        bits = concatenate([bits, zeros(v.shape[:-1] + (pad,), numpy.uint8, device=m)],
                           axis=-1)
    grouped = reshape(bits, bits.shape[:-1] + ((n + pad) // 8, 8))
    w = numpy.array([128, 64, 32, 16, 8, 4, 2, 1], numpy.uint8)
    if bitorder == "little":
        w = w[::-1].copy()
    r = sum_(uf("multiply", grouped, ours(w, m)), axis=-1, dtype=numpy.uint8)
    return moveaxis(r, -1, ax)


@implements(numpy.unpackbits, local=True)
def unpackbits(a, /, axis=None, count=None, bitorder="big"):
    """Same as ``numpy.unpackbits``."""
    from .creation import zeros
    from .manipulation import concatenate
    x = ours(a)
    if x.dtype != numpy.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    if bitorder not in ("big", "little"):
        raise ValueError("'order' must be either 'little' or 'big'")
    x, ax, flat = _bits_axis(x, axis, "unpackbits")
    if x.ndim == 0:
        x = reshape(x, (1,))
    m = x._store.machine
    v = moveaxis(x, ax, -1)
    shifts = numpy.array([7, 6, 5, 4, 3, 2, 1, 0], numpy.uint8)
    if bitorder == "little":
        shifts = shifts[::-1].copy()
    bits = uf("bitwise_and", uf("right_shift", v[..., None], ours(shifts, m)), 1)
    bits = reshape(bits, v.shape[:-1] + (v.shape[-1] * 8,))
    total = bits.shape[-1]
    if count is not None:
        count = operator.index(count)
        if count >= 0:
            if count <= total:
                bits = bits[..., :count]
            else:
                bits = concatenate([bits, zeros(bits.shape[:-1] + (count - total,),
                                                numpy.uint8, device=m)], axis=-1)
        else:
            bits = bits[..., :max(total + count, 0)]
    return moveaxis(bits, -1, ax)


@implements(numpy.asarray_chkfinite, local=True)
def asarray_chkfinite(a, dtype=None, order=None):
    """Same as ``numpy.asarray_chkfinite``."""
    from .reductions import all as all_
    x = ours(a, dtype=dtype)
    if x.dtype.kind in "fc" and not bool(all_(uf("isfinite", x))):
        raise ValueError("array must not contain infs or NaNs")
    return x


@implements(numpy.asfortranarray)
def asfortranarray(a, dtype=None, *, like=None):
    """Same as ``numpy.asfortranarray`` (shards keep C order; a 0-d input becomes 1-d):
    the array itself where NumPy's is Fortran-contiguous, else a copy, as NumPy's."""
    x = ours(a, dtype=dtype)
    if x is a and not x.flags.f_contiguous:
        x = x.copy()
    return reshape(x, (1,)) if x.ndim == 0 else x


@implements(numpy.require)
def require(a, dtype=None, requirements=None, *, like=None):
    """Same as ``numpy.require``: 'W', 'O', 'C' and 'F' copy an array without that flag,
    as NumPy does (the copy is C-ordered: see the differences); 'A', 'E' hold already."""
    x = ours(a, dtype=dtype)
    reqs = set()
    if requirements:
        if isinstance(requirements, str):
            requirements = [requirements]
        names = {"C": "C", "C_CONTIGUOUS": "C", "CONTIGUOUS": "C", "F": "F",
                 "F_CONTIGUOUS": "F", "FORTRAN": "F", "A": "A", "ALIGNED": "A",
                 "W": "W", "WRITEABLE": "W", "O": "O", "OWNDATA": "O", "E": "E",
                 "ENSUREARRAY": "E"}
        for r in requirements:
            key = names.get(str(r).upper())
            if key is None:
                raise KeyError(str(r))
            reqs.add(key)
    if "C" in reqs and "F" in reqs:
        raise ValueError("Cannot specify both C and Fortran contiguous.")
    flags = x.flags
    if ("W" in reqs and not flags.writeable) or ("O" in reqs and not flags.owndata) or \
            ("C" in reqs and not flags.c_contiguous) or \
            ("F" in reqs and not flags.f_contiguous):
        return x.copy()             # (a copy where NumPy copies; its memory is C-ordered)
    return x


@implements(numpy.common_type)
def common_type(*arrays):
    """Same as ``numpy.common_type`` (reads the dtypes only)."""
    return numpy.common_type(*[numpy.empty(0, a.dtype) if isinstance(a, ndarray) else a
                               for a in arrays])


@implements(numpy.isfortran)
def isfortran(a):
    """Same as ``numpy.isfortran``: False (arrbackend shards are C-ordered)."""
    if not isinstance(a, ndarray):
        return numpy.isfortran(a)
    return False


def _touched(x):
    """Per store axis, the store indices a view touches (a range), or None if empty."""
    vm = x._map
    out = []
    for a, f in enumerate(vm.fixed):
        if f >= 0:
            out.append(range(f, f + 1))
            continue
        k = vm.view_axis_of(a)
        if k < 0:
            out.append(range(0, 1))
            continue
        _a, s, st = vm.dims[k]
        n = vm.shape[k]
        if n == 0:
            return None
        out.append(range(s, s + st * n, st) if st else range(s, s + 1))
    return out


def _ranges_meet(r1, r2) -> bool:
    """Whether two ranges share an element (ranges test membership arithmetically)."""
    small, big = (r1, r2) if len(r1) <= len(r2) else (r2, r1)
    return any(i in big for i in small)


@implements(numpy.shares_memory)
def shares_memory(a, b, /, max_work=-1):
    """Same as ``numpy.shares_memory`` for views of one store (exact); views of stores
    that share a base through a reshape or a dtype view are reported as sharing."""
    if not (isinstance(a, ndarray) and isinstance(b, ndarray)):
        return False if (isinstance(a, ndarray) or isinstance(b, ndarray)) else \
            numpy.shares_memory(a, b, max_work=max_work)
    if a._store.base is not b._store.base:
        return False
    if a._store is not b._store:
        return a.size > 0 and b.size > 0
    ta, tb = _touched(a), _touched(b)
    if ta is None or tb is None:
        return False
    return all(_ranges_meet(r1, r2) for r1, r2 in zip(ta, tb))


@implements(numpy.may_share_memory)
def may_share_memory(a, b, /, max_work=0):
    """Same as ``numpy.may_share_memory``: views of one store whose bounds overlap."""
    if not (isinstance(a, ndarray) and isinstance(b, ndarray)):
        return False if (isinstance(a, ndarray) or isinstance(b, ndarray)) else \
            numpy.may_share_memory(a, b, max_work=max_work)
    if a._store.base is not b._store.base:
        return False
    if a._store is not b._store:
        return a.size > 0 and b.size > 0
    ta, tb = _touched(a), _touched(b)
    if ta is None or tb is None:
        return False
    return all(min(r1) <= max(r2) and min(r2) <= max(r1) for r1, r2 in zip(ta, tb))


# --- host utilities (no array data) -----------------------------------------------------

def _int_arg(v):
    return int(v) if isinstance(v, ndarray) else v


@implements(numpy.base_repr, note=_UTILITY)
def base_repr(number, base=2, padding=0):
    """Same as ``numpy.base_repr``."""
    return numpy.base_repr(_int_arg(number), base, padding)


@implements(numpy.binary_repr, note=_UTILITY)
def binary_repr(num, width=None):
    """Same as ``numpy.binary_repr``."""
    return numpy.binary_repr(_int_arg(num), width)


@implements(numpy.getbufsize, note=_UTILITY)
def getbufsize():
    """Same as ``numpy.getbufsize``."""
    return numpy.getbufsize()


@implements(numpy.setbufsize, note=_UTILITY)
def setbufsize(size):
    """Same as ``numpy.setbufsize``."""
    return numpy.setbufsize(size)


@implements(numpy.geterrcall, note=_UTILITY)
def geterrcall():
    """Same as ``numpy.geterrcall``."""
    return numpy.geterrcall()


@implements(numpy.seterrcall, note=_UTILITY)
def seterrcall(func):
    """Same as ``numpy.seterrcall``."""
    return numpy.seterrcall(func)


@implements(numpy.get_include, note=_UTILITY)
def get_include():
    """Same as ``numpy.get_include``."""
    return numpy.get_include()


@implements(numpy.show_config, note=_UTILITY)
def show_config(mode="stdout"):
    """Same as ``numpy.show_config``."""
    return numpy.show_config(mode)


@implements(numpy.show_runtime, note=_UTILITY)
def show_runtime():
    """Same as ``numpy.show_runtime``."""
    return numpy.show_runtime()


@implements(numpy.info, note=_UTILITY)
def info(object=None, maxwidth=76, output=None, toplevel="numpy"):
    """Same as ``numpy.info``."""
    return numpy.info(object, maxwidth, output, toplevel)
