"""Linear algebra: ``matmul dot vdot inner`` and ``numpy.linalg.inv norm``.

Products are distributed (``arrbackend.distributed.matmul``).  ``inv`` factorizes on one
device (LAPACK through NumPy, cuSOLVER through CuPy): a spread matrix is gathered there,
counted in ``counters['gathers']``, and the inverse is spread back by the default layout.
"""
from __future__ import annotations

import math

import numpy

from .registry import implements
from ..distributed import matmul as engine
from .ufuncs import common_machine, ufunc_call
from ..distributed.array import ndarray

_NoValue = numpy._NoValue
LinAlgError = numpy.linalg.LinAlgError

__all__ = ["matmul", "dot", "inv", "norm"]


def _arr(x, m):
    from .creation import asarray_on
    return x if isinstance(x, ndarray) else asarray_on(x, m)


_SIG = "(n?,k),(k,m?)->(n?,m?)"


def _shp(shape) -> str:
    """A shape as NumPy's C code prints it: ``(3,4)``, ``(3,)``."""
    return "(" + ",".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _matmul_axes(a, b, out, axes, axis, keepdims, casting, dtype):
    """``matmul`` with its core axes elsewhere than last: NumPy checks the arguments on
    data-free stand-ins (``axis``/``keepdims`` are errors for matmul's signature), then the
    core axes move last, and the result's move where ``axes`` asks."""
    from ..distributed.elementwise import assign
    from ..distributed.view import normalize_axis
    from .manipulation import moveaxis
    kw = {k: v for k, v in (("axes", axes), ("axis", axis)) if v is not _NoValue}
    stand = lambda v: numpy.zeros((1,) * v.ndim, v.dtype)  # noqa: E731
    if keepdims:
        kw["keepdims"] = keepdims
    numpy.matmul(stand(a), stand(b), **kw)
    tup = lambda t: tuple(t) if isinstance(t, (tuple, list)) else (t,)  # noqa: E731
    ops = []
    for v, ax in ((a, axes[0]), (b, axes[1])):
        src = tuple(normalize_axis(i, v.ndim) for i in tup(ax))
        ops.append(moveaxis(v, src, tuple(range(-len(src), 0))))
    r = matmul(*ops, casting=casting, dtype=dtype)
    core = min(a.ndim, 2) + min(b.ndim, 2) - 2
    if len(axes) > 2 and core:
        dst = tuple(normalize_axis(i, r.ndim) for i in tup(axes[2]))
        r = moveaxis(r, tuple(range(-core, 0)), dst)
    if out is not None:
        if out.shape != r.shape:
            raise ValueError(f"matmul: output has shape {out.shape}, the result {r.shape}")
        assign(out, r)
        return out
    return r


@implements(numpy.matmul, local=True, missing={
    "axes": "not supported (NotImplementedError)", "axis": "not supported",
    "keepdims": "not supported", "order": "results are C-ordered", "subok": "ignored",
    "signature": "ignored"})
def matmul(x1, x2, /, out=None, *, casting="same_kind", order="K", dtype=None, subok=True,
           signature=None, axes=_NoValue, axis=_NoValue, keepdims=False):
    """Same as ``numpy.matmul``: row blocks of ``x1`` against the needed part of ``x2``."""
    if isinstance(out, tuple):                  # (as NumPy's ufunc protocol passes it)
        if len(out) != 1:
            raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        out = out[0]
    m = common_machine([x1, x2, out], "matmul")
    if type(x1) in (bool, int, float, complex) or type(x2) in (bool, int, float, complex):
        # a Python number: never enough dimensions, but NumPy converts it first (70000
        # beside int8 is its OverflowError): its error, asked of stand-ins
        def stand(x):
            if isinstance(x, ndarray):
                return numpy.broadcast_to(numpy.zeros((), x.dtype), x.shape)
            return x
        numpy.matmul(stand(x1), stand(x2))
    a, b = _arr(x1, m), _arr(x2, m)
    if axes is not _NoValue or axis is not _NoValue or keepdims:
        return _matmul_axes(a, b, out, axes, axis, keepdims, casting, dtype)
    for i, x in enumerate((a, b)):
        if x.ndim == 0:
            raise ValueError(f"matmul: Input operand {i} does not have enough dimensions (has "
                             f"0, gufunc core with signature {_SIG} requires 1)")
    kw = {"casting": casting}
    if dtype is not None:
        kw["dtype"] = dtype
    dt = numpy.matmul(numpy.zeros((1, 1), a.dtype), numpy.zeros((1, 1), b.dtype), **kw).dtype
    if out is not None:          # NumPy's casting error for this out=
        numpy.matmul(numpy.zeros((1, 1), a.dtype), numpy.zeros((1, 1), b.dtype),
                     out=numpy.zeros((1, 1), out.dtype), **kw)
    a2 = a if a.ndim >= 2 else a[None, :]
    b2 = b if b.ndim >= 2 else b[:, None]
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0, "
                         f"with gufunc signature {_SIG} (size {b2.shape[-2]} is different "
                         f"from {a2.shape[-1]})")
    r = engine.matmul(a2, b2, dt)
    if a.ndim == 1 and b.ndim == 1:
        r = r[..., 0, 0]
    elif a.ndim == 1:
        r = r[..., 0, :]
    elif b.ndim == 1:
        r = r[..., 0]
    if out is not None:
        return _into_gufunc_out(out, r, (a.ndim >= 2) + (b.ndim >= 2))
    return r


def _into_gufunc_out(out, r, core: int):
    """``r`` (``core`` trailing core axes) written into a gufunc's ``out=`` as NumPy
    writes it: the core axes must match, the loop axes broadcast to ``out``'s."""
    from ..distributed.elementwise import assign, broadcast_shapes
    from .manipulation import broadcast_to
    rc, oc = r.shape[r.ndim - core:], out.shape[max(out.ndim - core, 0):]
    if out.ndim < core:
        raise ValueError(f"matmul: Output operand 0 does not have enough dimensions (has "
                         f"{out.ndim}, gufunc core with signature {_SIG} requires {core})")
    for i, (n, k) in enumerate(zip(rc, oc)):
        if n != k:
            raise ValueError(f"matmul: Output operand 0 has a mismatch in its core dimension "
                             f"{i}, with gufunc signature {_SIG} (size {k} is different "
                             f"from {n})")
    if out.shape != r.shape:
        rl, ol = r.shape[:r.ndim - core], out.shape[:out.ndim - core]
        try:
            ok = broadcast_shapes([rl, ol]) == ol
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"non-broadcastable output operand with shape {_shp(out.shape)}"
                             f" doesn't match the broadcast shape {_shp(r.shape)}")
        r = broadcast_to(r, out.shape)
    assign(out, r)
    return out


@implements(numpy.dot, local=True)
def dot(a, b, out=None):
    """Same as ``numpy.dot``."""
    from .manipulation import moveaxis, reshape
    m = common_machine([a, b, out], "dot")
    x, y = _arr(a, m), _arr(b, m)
    if x.ndim == 0 or y.ndim == 0:
        r = ufunc_call(numpy.multiply, (x, y), {})
    elif y.ndim <= 2:
        kx, ky = x.shape[-1], y.shape[0]
        if kx != ky:
            raise ValueError(f"shapes {_shp(x.shape)} and {_shp(y.shape)} not aligned: {kx} "
                             f"(dim {x.ndim - 1}) != {ky} (dim 0)")
        r = matmul(x, y)
    else:
        kx, ky = x.shape[-1], y.shape[-2]
        if kx != ky:
            raise ValueError(f"shapes {_shp(x.shape)} and {_shp(y.shape)} not aligned: {kx} "
                             f"(dim {x.ndim - 1}) != {ky} (dim {y.ndim - 2})")
        yk = moveaxis(y, -2, 0)
        rest = yk.shape[1:]
        rows = x.size // kx if kx else math.prod(x.shape[:-1])
        cols = yk.size // ky if ky else math.prod(rest)
        r = matmul(reshape(x, (rows, kx)), reshape(yk, (ky, cols)))
        r = reshape(r, x.shape[:-1] + rest)
    if out is not None:
        from ..distributed.elementwise import assign
        check_dot_out(out, r)
        assign(out, r)
        return out
    return r


def check_dot_out(out, r) -> None:
    """NumPy's checks of ``dot``'s ``out=``: exactly the result's dtype, number of
    dimensions and shape, C-ordered."""
    if out.ndim != r.ndim or out.dtype != r.dtype or not out.flags.writeable or \
            not out.flags.c_contiguous:
        raise ValueError("output array is not acceptable (must have the right datatype, "
                         "number of dimensions, and be a C-Array)")
    if out.shape != r.shape:
        raise ValueError("output array has wrong dimensions")


@implements(numpy.vdot, local=True)
def vdot(a, b, /):
    """Same as ``numpy.vdot``: the first argument is conjugated, both are flattened."""
    from .manipulation import ravel
    m = common_machine([a, b], "vdot")
    x, y = ravel(_arr(a, m)), ravel(_arr(b, m))
    if x.size != y.size:
        raise ValueError("cannot reshape array of size %d into shape (%d,)" % (y.size, x.size))
    if x.dtype.kind == "c":
        x = ufunc_call(numpy.conjugate, (x,), {})
    return matmul(x, y)


@implements(numpy.inner, local=True)
def inner(a, b, /):
    """Same as ``numpy.inner``: a sum product over the last axes."""
    from .manipulation import swapaxes
    m = common_machine([a, b], "inner")
    x, y = _arr(a, m), _arr(b, m)
    if x.ndim == 0 or y.ndim == 0:
        return ufunc_call(numpy.multiply, (x, y), {})
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"shapes {_shp(x.shape)} and {_shp(y.shape)} not aligned: "
                         f"{x.shape[-1]} (dim {x.ndim - 1}) != {y.shape[-1]} (dim {y.ndim - 1})")
    if y.ndim == 1:
        return matmul(x, y)
    return dot(x, swapaxes(y, -1, -2))


def _assert_stacked_square(a, name):
    if a.ndim < 2:
        raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least "
                          f"two-dimensional")
    if a.shape[-1] != a.shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")


@implements(numpy.linalg.inv, devices="single", local=True,
            note="factorized on one device; a spread matrix is gathered there first")
def inv(a):
    """Same as ``numpy.linalg.inv`` (LinAlgError for a singular matrix, on GPUs too)."""
    from .manipulation import _ours
    from .linalg_solvers import _check_dtype, _result_type
    x = _ours(a, "inv")
    _assert_stacked_square(x, "inv")
    _check_dtype(x)                     # (float16: NumPy's TypeError)
    dt = _result_type(x)

    def compute(xp, gpu, local):
        with engine.gpu_linalg_errors(gpu, "Singular matrix"):     # NumPy's words
            return xp.linalg.inv(local.astype(dt, copy=False))
    return engine.on_one_device(compute, [x])


@implements(numpy.linalg.norm, local=True)
def norm(x, ord=None, axis=None, keepdims=False):
    """Same as ``numpy.linalg.norm`` for vectors (any ``ord``) and matrices (``'fro'``,
    ``1``, ``-1``, ``inf``, ``-inf``; ``2``, ``-2`` and ``'nuc'`` use the singular values,
    computed on one device)."""
    from . import reductions as R
    from .manipulation import _ours, ravel
    a = _ours(x, "norm")
    if a.dtype.kind not in "fc":
        from .manipulation import astype
        a = astype(a, numpy.float64)
    if axis is None:
        if ord is None or (ord in ("f", "fro") and a.ndim == 2) or (ord == 2 and a.ndim == 1):
            flat = ravel(a)
            sq = _abs2(flat)
            r = ufunc_call(numpy.sqrt, (R.sum(sq),), {})
            if keepdims:
                r = r.reshape((1,) * a.ndim)
            return r
        axis = tuple(range(a.ndim))
        if a.ndim not in (1, 2):
            raise ValueError("Improper number of dimensions to norm.")
    elif not isinstance(axis, tuple):
        axis = (int(axis),)
    if len(axis) == 1:
        return _vector_norm(a, ord, axis, keepdims)
    if len(axis) == 2:
        return _matrix_norm(a, ord, axis, keepdims)
    raise ValueError("Improper number of dimensions to norm.")


def _abs2(x):
    if x.dtype.kind == "c":
        from .manipulation import real, imag
        re, im = real(x), imag(x)
        return ufunc_call(numpy.add, (ufunc_call(numpy.multiply, (re, re), {}),
                                      ufunc_call(numpy.multiply, (im, im), {})), {})
    return ufunc_call(numpy.multiply, (x, x), {})


def _vector_norm(a, ord, axis, keepdims):
    from . import reductions as R
    absx = ufunc_call(numpy.absolute, (a,), {})
    if ord == numpy.inf:
        # NumPy starts from 0 (an empty array's norm); only then, so that the reduction of
        # a deferred |x| stays one fused kernel on GPUs
        kw = {"initial": 0} if absx.size == 0 else {}
        return R.max(absx, axis=axis, keepdims=keepdims, **kw)
    if ord == -numpy.inf:
        return R.min(absx, axis=axis, keepdims=keepdims)
    if ord == 0:
        from .manipulation import astype
        nz = ufunc_call(numpy.not_equal, (a, 0), {})
        return astype(R.sum(nz, axis=axis, keepdims=keepdims), absx.dtype)
    if ord == 1:
        return R.sum(absx, axis=axis, keepdims=keepdims)
    if ord is None or ord == 2:
        s = R.sum(_abs2(a), axis=axis, keepdims=keepdims)
        return ufunc_call(numpy.sqrt, (s,), {})
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    p = ufunc_call(numpy.power, (absx, ord), {})
    s = R.sum(p, axis=axis, keepdims=keepdims)
    return ufunc_call(numpy.power, (s, 1.0 / ord), {})


def _matrix_norm(a, ord, axis, keepdims):
    from . import reductions as R
    from .manipulation import moveaxis
    from ..distributed.view import normalize_axis
    r_ax, c_ax = (normalize_axis(axis[0], a.ndim), normalize_axis(axis[1], a.ndim))
    if r_ax == c_ax:
        raise ValueError("Duplicate axes given.")
    absx = ufunc_call(numpy.absolute, (a,), {})
    if ord in (None, "fro", "f"):
        s = R.sum(_abs2(a), axis=(r_ax, c_ax), keepdims=keepdims)
        return ufunc_call(numpy.sqrt, (s,), {})
    if ord in (1, -1):
        colsum = R.sum(absx, axis=r_ax, keepdims=True)
        r = R.max(colsum, axis=c_ax, keepdims=True, initial=0) if ord == 1 else \
            R.min(colsum, axis=c_ax, keepdims=True)
    elif ord in (numpy.inf, -numpy.inf):
        rowsum = R.sum(absx, axis=c_ax, keepdims=True)
        r = R.max(rowsum, axis=r_ax, keepdims=True, initial=0) if ord == numpy.inf else \
            R.min(rowsum, axis=r_ax, keepdims=True)
    elif ord in (2, -2, "nuc"):
        mat = moveaxis(a, (r_ax, c_ax), (-2, -1))

        def singular(xp, gpu, local):
            sv = xp.linalg.svd(local, compute_uv=False)
            if ord == 2:
                return sv.max(axis=-1) if sv.shape[-1] else xp.zeros(sv.shape[:-1], sv.dtype)
            if ord == -2:
                return sv.min(axis=-1)
            return sv.sum(axis=-1)
        r = engine.on_one_device(singular, [mat], spread=False)
        if keepdims:
            shape = list(a.shape)
            shape[r_ax] = shape[c_ax] = 1
            r = r.reshape(tuple(shape))
        return r
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        return r
    from .manipulation import squeeze
    return squeeze(r, axis=(r_ax, c_ax))
