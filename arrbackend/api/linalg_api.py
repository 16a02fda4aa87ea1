"""The Array API additions to ``numpy.linalg``: ``vector_norm matrix_norm diagonal trace
outer cross matmul matrix_transpose tensordot vecdot`` (each the top-level function with
the standard's argument conventions: distributed wherever that one is)."""
from __future__ import annotations

import numpy

from .registry import implements
from ..distributed.reductions import normalize_axes
from ._helpers import ours

__all__ = ["vector_norm", "matrix_norm", "diagonal", "trace", "outer", "cross", "matmul",
           "matrix_transpose", "tensordot", "vecdot"]


@implements(numpy.linalg.vector_norm, local=True)
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """Same as ``numpy.linalg.vector_norm``."""
    from .linalg import norm
    from .manipulation import ravel, reshape, transpose
    a = ours(x)
    shape = list(a.shape)
    if axis is None:
        a = ravel(a)
        _axis = 0
    elif isinstance(axis, tuple):
        norm_axes = normalize_axes(axis, a.ndim, "vector_norm")
        rest = tuple(i for i in range(a.ndim) if i not in norm_axes)
        order = tuple(ax % a.ndim for ax in axis) + rest
        n = 1
        for i in axis:
            n *= a.shape[i]
        a = reshape(transpose(a, order), (n,) + tuple(a.shape[i] for i in rest))
        _axis = 0
    else:
        _axis = axis
    res = norm(a, axis=_axis, ord=ord)
    if keepdims:
        axes = normalize_axes(tuple(range(len(shape))) if axis is None else
                              (axis if isinstance(axis, tuple) else (axis,)), len(shape),
                              "vector_norm")
        for i in axes:
            shape[i] = 1
        res = reshape(res, tuple(shape))
    return res


@implements(numpy.linalg.matrix_norm, local=True)
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Same as ``numpy.linalg.matrix_norm``."""
    from .linalg import norm
    return norm(ours(x), axis=(-2, -1), keepdims=keepdims, ord=ord)


@implements(numpy.linalg.diagonal)
def diagonal(x, /, *, offset=0):
    """Same as ``numpy.linalg.diagonal``: a read-only view."""
    from .indexing import diagonal as diag_
    return diag_(ours(x), offset=offset, axis1=-2, axis2=-1)


@implements(numpy.linalg.trace, local=True)
def trace(x, /, *, offset=0, dtype=None):
    """Same as ``numpy.linalg.trace``."""
    from .indexing import trace as trace_
    return trace_(ours(x), offset=offset, axis1=-2, axis2=-1, dtype=dtype)


@implements(numpy.linalg.outer, local=True)
def outer(x1, x2, /):
    """Same as ``numpy.linalg.outer`` (1-D operands only)."""
    from .products import outer as outer_
    from .ufuncs import common_machine
    m = common_machine([x1, x2], "outer")
    a, b = ours(x1, m), ours(x2, m)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"Input arrays must be one-dimensional, but they are "
                         f"x1.ndim={a.ndim} and x2.ndim={b.ndim}.")
    return outer_(a, b)


@implements(numpy.linalg.cross, local=True)
def cross(x1, x2, /, *, axis=-1):
    """Same as ``numpy.linalg.cross`` (3-element vectors only)."""
    from .products import cross as cross_
    from .ufuncs import common_machine
    m = common_machine([x1, x2], "cross")
    a, b = ours(x1, m), ours(x2, m)
    if a.ndim == 0 or b.ndim == 0:      # NumPy's own error (its type changed in NumPy 2.5)
        numpy.linalg.cross(*(numpy.broadcast_to(numpy.zeros((), x.dtype), x.shape)
                             for x in (a, b)), axis=axis)
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise ValueError(f"Both input arrays must be (arrays of) 3-dimensional vectors, but "
                         f"they are {a.shape[axis]} and {b.shape[axis]} dimensional instead.")
    return cross_(a, b, axis=axis)


@implements(numpy.linalg.matmul, local=True)
def matmul(x1, x2, /):
    """Same as ``numpy.linalg.matmul``."""
    from .linalg import matmul as mm
    return mm(x1, x2)


@implements(numpy.linalg.matrix_transpose)
def matrix_transpose(x, /):
    """Same as ``numpy.linalg.matrix_transpose``: a view."""
    from .shaping import matrix_transpose as mt
    return mt(x)


@implements(numpy.linalg.tensordot, local=True)
def tensordot(x1, x2, /, *, axes=2):
    """Same as ``numpy.linalg.tensordot``."""
    from .products import tensordot as td
    return td(x1, x2, axes=axes)


@implements(numpy.linalg.vecdot, local=True)
def vecdot(x1, x2, /, *, axis=-1):
    """Same as ``numpy.linalg.vecdot``."""
    from .products import vecdot as vd
    return vd(x1, x2, axis=axis)
