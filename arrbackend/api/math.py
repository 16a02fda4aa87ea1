"""Numerical routines composed from the engine: ``gradient``.

``gradient`` follows NumPy's formulas operation by operation (central differences inside,
one- or two-sided differences at the edges, uniform or non-uniform spacing), written with
arrbackend's shifted views: the halo rows a split axis needs come from localization.
"""
from __future__ import annotations

import numpy

from .registry import implements
from ..distributed.store import POOL_MIN_BYTES, take
from ..distributed.view import normalize_axis
from ..kernels.cpu_gradient import gradient_into

__all__ = ["gradient"]


def _numpy_gradient(f, *varargs, axis=None, edge_order=1):
    """``numpy.gradient`` of a NumPy array, its common case (floating-point values, one
    Python number as the spacing or none, first-order edges) without NumPy's temporaries:
    each difference is written straight into the result and divided there, NumPy's own
    operations in NumPy's order, so the same values and warnings (along an axis whose
    interior is not contiguous, NumPy's own statements).  Every other case is NumPy's own
    function."""
    n = f.ndim if type(f) is numpy.ndarray else 0
    if n == 0 or edge_order != 1 or f.dtype.kind not in "fc" or len(varargs) > 1 or \
            (varargs and type(varargs[0]) not in (float, int)):
        return numpy.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    if axis is None:
        axes = range(n)
    elif type(axis) is int and -n <= axis < n:
        axes = (axis % n,)
    else:
        return numpy.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    if any(f.shape[ax] < 2 for ax in axes):
        return numpy.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    dx = varargs[0] if varargs else 1.0
    outs = []
    pooled = f.flags.c_contiguous and f.nbytes >= POOL_MIN_BYTES
    for ax in axes:
        out = take(f.shape, f.dtype) if pooled else None     # (a reused block: no page
        if out is None:                                     # faults, see store.Pooled)
            out = numpy.empty_like(f)
        if gradient_into(f, out, ax, dx):       # (one compiled pass: NumPy's values)
            outs.append(out)
            continue
        lo = [slice(None)] * n
        hi = list(lo)
        mid = list(lo)
        lo[ax], mid[ax], hi[ax] = slice(None, -2), slice(1, -1), slice(2, None)
        o = out[tuple(mid)]
        if o.flags.c_contiguous:            # (the first axis of a C-ordered array)
            numpy.subtract(f[tuple(hi)], f[tuple(lo)], out=o)
            numpy.divide(o, 2. * dx, out=o)
        else:                               # (NumPy's own statement: strided writes cost
            o[...] = (f[tuple(hi)] - f[tuple(lo)]) / (2. * dx)   # more than its copy)
        for i, j, k in ((0, 1, 0), (-1, -1, -2)):
            lo[ax], mid[ax], hi[ax] = k, i, j
            out[tuple(mid)] = (f[tuple(hi)] - f[tuple(lo)]) / dx
        outs.append(out)
    return outs[0] if len(outs) == 1 else tuple(outs)


@implements(numpy.gradient, local=_numpy_gradient)
def gradient(f, *varargs, axis=None, edge_order=1):
    """Same as ``numpy.gradient``."""
    from .creation import asarray, empty_like
    from .manipulation import _ours, astype
    from .reductions import all as all_
    f = _ours(f, "gradient")
    N = f.ndim
    if axis is None:
        axes = tuple(range(N))
    else:
        if isinstance(axis, (list, tuple)):
            axes = tuple(normalize_axis(a, N) for a in axis)
        else:
            axes = (normalize_axis(axis, N),)
        if len(set(axes)) != len(axes):
            raise ValueError("repeated axis")
    n = len(varargs)
    if n == 0:
        dx = [1.0] * len(axes)
    elif n == 1 and numpy.ndim(varargs[0]) == 0:
        dx = list(varargs) * len(axes)
    elif n == len(axes):
        dx = list(varargs)
        for i, distances in enumerate(dx):
            if numpy.ndim(distances) == 0:
                continue
            distances = asarray(distances)
            if distances.ndim != 1:
                raise ValueError("distances must be either scalars or 1d")
            if len(distances) != f.shape[axes[i]]:
                raise ValueError("when 1d, distances must match the length of the "
                                 "corresponding dimension")
            if distances.dtype.kind in "iu":
                distances = astype(distances, numpy.float64)
            diffx = distances[1:] - distances[:-1]
            if bool(all_(diffx == diffx[0])):
                diffx = diffx[0]
            dx[i] = diffx
    else:
        raise TypeError("invalid number of arguments")
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    otype = f.dtype
    if otype.kind not in "fc":
        if otype.kind in "iu":
            f = astype(f, numpy.float64)
        otype = numpy.dtype(numpy.float64)
    outvals = []
    for ax, ax_dx in zip(axes, dx):
        if f.shape[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, "
                             "at least (edge_order + 1) elements are required.")
        out = empty_like(f, dtype=otype)
        uniform = numpy.ndim(ax_dx) == 0

        def sl(s):
            key = [slice(None)] * N
            key[ax] = s
            return tuple(key)

        if uniform:
            out[sl(slice(1, -1))] = (f[sl(slice(2, None))] - f[sl(slice(None, -2))]) / (2. * ax_dx)
        else:
            dx1, dx2 = ax_dx[0:-1], ax_dx[1:]
            a = -(dx2) / (dx1 * (dx1 + dx2))
            b = (dx2 - dx1) / (dx1 * dx2)
            c = dx1 / (dx2 * (dx1 + dx2))
            shape = [1] * N
            shape[ax] = -1
            a, b, c = a.reshape(shape), b.reshape(shape), c.reshape(shape)
            out[sl(slice(1, -1))] = (a * f[sl(slice(None, -2))] + b * f[sl(slice(1, -1))]
                                     + c * f[sl(slice(2, None))])
        if edge_order == 1:
            dx_0 = ax_dx if uniform else ax_dx[0]
            out[sl(0)] = (f[sl(1)] - f[sl(0)]) / dx_0
            dx_n = ax_dx if uniform else ax_dx[-1]
            out[sl(-1)] = (f[sl(-1)] - f[sl(-2)]) / dx_n
        else:
            if uniform:
                a, b, c = -1.5 / ax_dx, 2. / ax_dx, -0.5 / ax_dx
            else:
                dx1, dx2 = ax_dx[0], ax_dx[1]
                a = -(2. * dx1 + dx2) / (dx1 * (dx1 + dx2))
                b = (dx1 + dx2) / (dx1 * dx2)
                c = - dx1 / (dx2 * (dx1 + dx2))
            out[sl(0)] = a * f[sl(0)] + b * f[sl(1)] + c * f[sl(2)]
            if uniform:
                a, b, c = 0.5 / ax_dx, -2. / ax_dx, 1.5 / ax_dx
            else:
                dx1, dx2 = ax_dx[-2], ax_dx[-1]
                a = (dx2) / (dx1 * (dx1 + dx2))
                b = - (dx2 + dx1) / (dx1 * dx2)
                c = (2. * dx2 + dx1) / (dx2 * (dx1 + dx2))
            out[sl(-1)] = a * f[sl(-3)] + b * f[sl(-2)] + c * f[sl(-1)]
        outvals.append(out)
    if len(axes) == 1:
        return outvals[0]
    return tuple(outvals)
