"""``numpy.linalg`` beyond ``inv``/``norm``: factorizations, solvers and the Array API
additions.

Factorizations and solvers (``solve det slogdet lstsq qr svd svdvals eig eigh eigvals
eigvalsh cholesky``) run on one device: LAPACK through NumPy on a CPU device, cuSOLVER
through CuPy on a GPU; a matrix spread over devices is gathered there first (counted in
``counters['gathers']``) and the results are spread back by the default layout.  A GPU
whose CuPy lacks a routine (``eig``/``eigvals`` on older CuPy) runs it through the
fallback, which warns.  Errors carry NumPy's words on every device.

Composed from distributed operations: ``matrix_power multi_dot`` (distributed matmuls),
``pinv matrix_rank cond`` (NumPy's formulas around the one-device SVD/inverse),
``tensorinv tensorsolve vector_norm matrix_norm diagonal trace outer cross matmul
matrix_transpose tensordot vecdot``.
"""
from __future__ import annotations

import operator

import numpy

from .registry import implements
from ..distributed import matmul as engine
from ._helpers import NoValue, fallback, ours, uf
from .ufuncs import common_machine

__all__ = ["solve", "det", "slogdet", "lstsq", "qr", "svd", "svdvals", "eig", "eigh",
           "eigvals", "eigvalsh", "cholesky", "matrix_power", "multi_dot", "pinv",
           "matrix_rank", "cond", "tensorinv", "tensorsolve"]

LinAlgError = numpy.linalg.LinAlgError
_SINGLE = "factorized on one device; a matrix spread over devices is gathered there first"


def _assert_2d(*arrays):
    for a in arrays:
        if a.ndim < 2:
            raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least "
                              f"two-dimensional")


def _assert_square(*arrays):
    for a in arrays:
        if a.shape[-1] != a.shape[-2]:
            raise LinAlgError("Last 2 dimensions of the array must be square")


def _check_dtype(*arrays):
    for a in arrays:
        if a.dtype == numpy.float16:
            raise TypeError("array type float16 is unsupported in linalg")
        if a.dtype.kind not in "biufc":
            raise TypeError(f"array type {a.dtype} is unsupported in linalg")


def _result_type(*arrays):
    """NumPy's linalg dtype (``_commonType``): single precision only when every operand
    is float32 or complex64; bools and integers count as double."""
    double = complex_ = False
    for a in arrays:
        dt = a.dtype
        if dt.kind in "fc" and (dt.itemsize > (16 if dt.kind == "c" else 8) or
                                dt == numpy.float16):
            raise TypeError(f"array type {dt} is unsupported in linalg")
        complex_ |= dt.kind == "c"
        double |= dt.kind not in "fc" or dt.itemsize == (16 if dt.kind == "c" else 8)
    if complex_:
        return numpy.dtype(numpy.complex128 if double else numpy.complex64)
    return numpy.dtype(numpy.float64 if double else numpy.float32)


_RESULT_TYPES: dict = {}


def _named(name, values):
    """NumPy's result namedtuple class ``name`` (EigResult, SVDResult, ...)."""
    cls = _RESULT_TYPES.get(name)
    if cls is None:
        import numpy.linalg._linalg as L
        cls = _RESULT_TYPES[name] = getattr(L, name)
    return cls(*values)


def _on_one_device(fn, arrays, spread=True, gpu_missing=None, np_func=None, args=(),
                   kwargs=None):
    """``engine.on_one_device``; with ``gpu_missing`` (a CuPy name), a GPU lacking it
    takes the fallback."""
    m = common_machine(arrays, "linalg")
    if gpu_missing is not None and m.is_gpu and \
            getattr(m.devices[0].xp.linalg, gpu_missing, None) is None:
        return fallback(np_func, tuple(arrays) + tuple(args), kwargs or {},
                        f"CuPy has no linalg.{gpu_missing}")
    return engine.on_one_device(fn, arrays, spread)


def _prep(a, *, square=True, name="linalg"):
    x = ours(a)
    _assert_2d(x)
    if square:
        _assert_square(x)
    _check_dtype(x)
    return x


@implements(numpy.linalg.solve, devices="single", local=True, note=_SINGLE)
def solve(a, b):
    """Same as ``numpy.linalg.solve`` (NumPy 2 rules: a 1-D ``b`` is one vector)."""
    m = common_machine([a, b], "solve")
    x = _prep(ours(a, m))
    y = ours(b, m)
    _check_dtype(y)
    dt = _result_type(x, y)

    def fn(xp, gpu, al, bl):
        al, bl = al.astype(dt, copy=False), bl.astype(dt, copy=False)
        with engine.gpu_linalg_errors(gpu, "Singular matrix"):
            if gpu and (al.size == 0 or bl.size == 0):
                # nothing to solve (the device library divides by a zero stride here)
                shape = al.shape[:-1] if bl.ndim == 1 else \
                    numpy.broadcast_shapes(al.shape[:-2], bl.shape[:-2]) + bl.shape[-2:]
                return xp.empty(shape, dt)
            if gpu and bl.ndim == 1:
                bb = xp.broadcast_to(bl[:, None], al.shape[:-1] + (1,))
                return xp.linalg.solve(al, xp.ascontiguousarray(bb))[..., 0]
            if gpu and bl.ndim != al.ndim:
                shape = numpy.broadcast_shapes(al.shape[:-2], bl.shape[:-2])
                al = xp.ascontiguousarray(xp.broadcast_to(al, shape + al.shape[-2:]))
                bl = xp.ascontiguousarray(xp.broadcast_to(bl, shape + bl.shape[-2:]))
            return xp.linalg.solve(al, bl)
    if y.ndim == 1 and y.shape[0] != x.shape[-1] or y.ndim > 1 and y.shape[-2] != x.shape[-1]:
        raise ValueError(f"solve: Input operand 1 has a mismatch in its core dimension 0, "
                         f"with gufunc signature (m,m),(m{',n' if y.ndim > 1 else ''})->"
                         f"(m{',n' if y.ndim > 1 else ''}) (size {y.shape[-1 if y.ndim == 1 else -2]}"
                         f" is different from {x.shape[-1]})")
    return _on_one_device(fn, [x, y])


@implements(numpy.linalg.det, devices="single", local=True, note=_SINGLE)
def det(a):
    """Same as ``numpy.linalg.det``."""
    x = _prep(a)
    dt = _result_type(x)
    return _on_one_device(lambda xp, gpu, al: xp.asarray(xp.linalg.det(al.astype(dt, copy=False))), [x],
                          spread=False)


@implements(numpy.linalg.slogdet, devices="single", note=_SINGLE)
def slogdet(a):
    """Same as ``numpy.linalg.slogdet`` (a ``SlogdetResult``)."""
    x = _prep(a)
    dt = _result_type(x)

    def fn(xp, gpu, al):
        s, l = xp.linalg.slogdet(al.astype(dt, copy=False))
        return xp.asarray(s), xp.asarray(l)
    r = _on_one_device(fn, [x], spread=False)
    return _named("SlogdetResult", r)


@implements(numpy.linalg.lstsq, devices="single", local=True, note=_SINGLE)
def lstsq(a, b, rcond=None):
    """Same as ``numpy.linalg.lstsq`` (the rank a 0-d int32 array, as NumPy scalars are)."""
    m = common_machine([a, b], "lstsq")
    x = ours(a, m)
    y = ours(b, m)
    if x.ndim != 2:
        raise LinAlgError(f"{x.ndim}-dimensional array given. Array must be two-dimensional")
    if y.ndim not in (1, 2):
        raise LinAlgError(f"{y.ndim}-dimensional array given. Array must be one or "
                          f"two-dimensional")
    if x.shape[0] != y.shape[0]:
        raise LinAlgError("Incompatible dimensions")
    _check_dtype(x, y)
    dt = _result_type(x, y)

    def fn(xp, gpu, al, bl):
        r = xp.linalg.lstsq(al.astype(dt, copy=False), bl.astype(dt, copy=False), rcond=rcond)
        return (r[0], r[1], numpy.int32(int(r[2])), r[3])
    return _on_one_device(fn, [x, y])


@implements(numpy.linalg.qr, devices="single", note=_SINGLE)
def qr(a, mode="reduced"):
    """Same as ``numpy.linalg.qr`` (a ``QRResult`` for 'reduced'/'complete')."""
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError(f"Unrecognized mode '{mode}'")
    x = _prep(a, square=False)
    dt = _result_type(x)

    def fn(xp, gpu, al):
        r = xp.linalg.qr(al.astype(dt, copy=False), mode=mode)
        return tuple(r) if isinstance(r, tuple) else r
    r = _on_one_device(fn, [x])
    if mode in ("reduced", "complete"):
        return _named("QRResult", r)
    return r


@implements(numpy.linalg.svd, devices="single", note=_SINGLE)
def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """Same as ``numpy.linalg.svd`` (an ``SVDResult`` with ``compute_uv``)."""
    x = _prep(a, square=False)
    dt = _result_type(x)

    def fn(xp, gpu, al):
        al = al.astype(dt, copy=False)
        with engine.gpu_linalg_errors(gpu, "SVD did not converge"):
            if gpu:
                if hermitian and not compute_uv:
                    return xp.abs(xp.linalg.eigvalsh(al))[..., ::-1].copy()
                r = xp.linalg.svd(al, full_matrices=full_matrices, compute_uv=compute_uv)
            else:
                r = numpy.linalg.svd(al, full_matrices=full_matrices, compute_uv=compute_uv,
                                     hermitian=hermitian)
        return tuple(r) if compute_uv else r
    r = _on_one_device(fn, [x])
    return _named("SVDResult", r) if compute_uv else r


@implements(numpy.linalg.svdvals, devices="single", local=True, note=_SINGLE)
def svdvals(x, /):
    """Same as ``numpy.linalg.svdvals``."""
    return svd(x, compute_uv=False, hermitian=False)


@implements(numpy.linalg.eig, devices="single", note=_SINGLE)
def eig(a):
    """Same as ``numpy.linalg.eig`` (an ``EigResult``)."""
    x = _prep(a)
    dt = _result_type(x)

    def fn(xp, gpu, al):
        return tuple(xp.linalg.eig(al.astype(dt, copy=False)))
    r = _on_one_device(fn, [x], gpu_missing="eig", np_func=numpy.linalg.eig)
    return r if not isinstance(r, tuple) or hasattr(r, "_fields") else _named("EigResult", r)


@implements(numpy.linalg.eigvals, devices="single", local=True, note=_SINGLE)
def eigvals(a):
    """Same as ``numpy.linalg.eigvals``."""
    x = _prep(a)
    dt = _result_type(x)
    return _on_one_device(lambda xp, gpu, al: xp.linalg.eigvals(al.astype(dt, copy=False)), [x],
                          gpu_missing="eigvals", np_func=numpy.linalg.eigvals)


def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")


@implements(numpy.linalg.eigh, devices="single", note=_SINGLE)
def eigh(a, UPLO="L"):
    """Same as ``numpy.linalg.eigh`` (an ``EighResult``)."""
    _uplo(UPLO)
    x = _prep(a)
    dt = _result_type(x)
    r = _on_one_device(lambda xp, gpu, al: tuple(xp.linalg.eigh(al.astype(dt, copy=False), UPLO=UPLO)),
                       [x])
    return _named("EighResult", r)


@implements(numpy.linalg.eigvalsh, devices="single", local=True, note=_SINGLE)
def eigvalsh(a, UPLO="L"):
    """Same as ``numpy.linalg.eigvalsh``."""
    _uplo(UPLO)
    x = _prep(a)
    dt = _result_type(x)
    return _on_one_device(lambda xp, gpu, al: xp.linalg.eigvalsh(al.astype(dt, copy=False), UPLO=UPLO),
                          [x])


@implements(numpy.linalg.cholesky, devices="single", local=True, note=_SINGLE)
def cholesky(a, /, *, upper=False):
    """Same as ``numpy.linalg.cholesky`` (``upper=True`` gives the conjugate transpose)."""
    x = _prep(a)
    dt = _result_type(x)

    def fn(xp, gpu, al):
        with engine.gpu_linalg_errors(gpu, "Matrix is not positive definite"):
            if gpu:
                low = xp.linalg.cholesky(al.astype(dt, copy=False))
                if gpu and bool(xp.isnan(low).any()):
                    raise LinAlgError("Matrix is not positive definite")
                return xp.conj(xp.swapaxes(low, -1, -2)).copy() if upper else low
            return numpy.linalg.cholesky(al.astype(dt, copy=False), upper=upper)
    return _on_one_device(fn, [x])


# --- composed from distributed operations ------------------------------------------------

@implements(numpy.linalg.matrix_power, local=True)
def matrix_power(a, n):
    """Same as ``numpy.linalg.matrix_power`` (repeated squaring by distributed matmuls)."""
    from .linalg import inv, matmul
    from .creation import empty_like, eye
    x = ours(a)
    _assert_2d(x)
    _assert_square(x)
    try:
        n = operator.index(n)
    except TypeError as e:
        raise TypeError("exponent must be an integer") from e
    if n == 0:
        r = empty_like(x)
        r[...] = eye(x.shape[-2], dtype=x.dtype, device=x._store.machine)
        return r
    if n < 0:
        x = inv(x)
        n = -n
    if n == 1:
        return x.copy()
    if n == 2:
        return matmul(x, x)
    if n == 3:
        return matmul(matmul(x, x), x)
    z = result = None
    while n > 0:
        z = x if z is None else matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


def _chain_order(arrays):
    n = len(arrays)
    p = [a.shape[0] for a in arrays] + [arrays[-1].shape[1]]
    cost = numpy.zeros((n, n))
    s = numpy.empty((n, n), dtype=numpy.intp)
    for ln in range(1, n):
        for i in range(n - ln):
            j = i + ln
            cost[i, j] = numpy.inf
            for k in range(i, j):
                q = cost[i, k] + cost[k + 1, j] + p[i] * p[k + 1] * p[j + 1]
                if q < cost[i, j]:
                    cost[i, j] = q
                    s[i, j] = k
    return s


@implements(numpy.linalg.multi_dot, local=True)
def multi_dot(arrays, *, out=None):
    """Same as ``numpy.linalg.multi_dot`` (the cheapest order, distributed matmuls)."""
    from .linalg import dot
    from ..distributed.elementwise import assign
    n = len(arrays)
    if n < 2:
        raise ValueError("Expecting at least two arrays.")
    m = common_machine(list(arrays) + [out], "multi_dot")
    arrs = [ours(a, m) for a in arrays]
    if n == 2:
        return dot(arrs[0], arrs[1], out=out)
    nd_first, nd_last = arrs[0].ndim, arrs[-1].ndim
    if nd_first == 1:
        arrs[0] = arrs[0][None, :]
    if nd_last == 1:
        arrs[-1] = arrs[-1][:, None]
    for a in arrs:
        if a.ndim != 2:
            raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be "
                              f"two-dimensional")
    order = _chain_order(arrs)

    def rec(i, j):
        if i == j:
            return arrs[i]
        k = order[i, j]
        return dot(rec(i, k), rec(k + 1, j))
    r = rec(0, n - 1)
    if out is not None:          # (the 2-D product goes into out=, as in NumPy)
        from .linalg import check_dot_out
        check_dot_out(out, r)
        assign(out, r)
        r = out
    if nd_first == 1 and nd_last == 1:
        r = r[0, 0]
    elif nd_first == 1 or nd_last == 1:
        from .manipulation import ravel
        r = ravel(r)
    return r


@implements(numpy.linalg.pinv, devices="single", local=True,
            note="the SVD runs on one device; the products are distributed")
def pinv(a, rcond=None, hermitian=False, *, rtol=NoValue):
    """Same as ``numpy.linalg.pinv`` (NumPy's formula around the SVD)."""
    from .linalg import matmul
    from .manipulation import swapaxes, where
    from .reductions import max as max_
    from .creation import empty
    x = ours(a)
    _assert_2d(x)
    if rcond is None:
        if rtol is NoValue:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(x.shape[-2:]) * numpy.finfo(_result_type(x)).eps
        else:
            rcond = rtol
    elif rtol is not NoValue:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    mm, nn = x.shape[-2:]
    if mm * nn == 0:                   # empty matrices: NumPy keeps the input's dtype
        return empty(x.shape[:-2] + (nn, mm), dtype=x.dtype, device=x._store.machine)
    xc = uf("conjugate", x)
    u, s, vt = svd(xc, full_matrices=False, hermitian=hermitian)
    rc = ours(rcond, x._store.machine)
    cutoff = uf("multiply", rc[..., None], max_(s, axis=-1, keepdims=True))
    large = uf("greater", s, cutoff)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        sinv = where(large, uf("true_divide", 1, s), 0)
    sinv = sinv.astype(s.dtype) if sinv.dtype != s.dtype else sinv
    return matmul(swapaxes(vt, -1, -2), uf("multiply", sinv[..., None], swapaxes(u, -1, -2)))


@implements(numpy.linalg.matrix_rank, devices="single", local=True,
            note="the singular values come from one device")
def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """Same as ``numpy.linalg.matrix_rank``."""
    from .reductions import all as all_, count_nonzero, max as max_
    if rtol is not None and tol is not None:
        raise ValueError("`tol` and `rtol` can't be both set.")
    x = ours(A)
    if x.ndim < 2:
        return int(not bool(all_(uf("equal", x, 0))))
    S = svd(x, compute_uv=False, hermitian=hermitian)
    if tol is None:
        if rtol is None:
            rtol = max(x.shape[-2:]) * numpy.finfo(S.dtype).eps
        else:
            rtol = ours(rtol, x._store.machine)[..., None]
        tol = uf("multiply", max_(S, axis=-1, keepdims=True, initial=0), rtol)
    else:
        tol = ours(tol, x._store.machine)[..., None]
    return count_nonzero(uf("greater", S, tol), axis=-1)


@implements(numpy.linalg.cond, devices="single", local=True,
            note="the SVD or inverse runs on one device")
def cond(x, p=None):
    """Same as ``numpy.linalg.cond``."""
    from .linalg import inv, norm
    from .manipulation import where
    from .reductions import any as any_
    a = ours(x)
    if a.ndim >= 2 and a.size == 0 and a.shape[-1] * a.shape[-2] == 0:
        raise LinAlgError("cond is not defined on empty arrays")
    with numpy.errstate(all="ignore"):
        if p is None or p in {2, -2}:
            s = svd(a, compute_uv=False)
            r = uf("true_divide", s[..., -1], s[..., 0]) if p == -2 else \
                uf("true_divide", s[..., 0], s[..., -1])
        else:
            _assert_2d(a)
            _assert_square(a)
            rt = _result_type(a)
            rt = numpy.empty(0, rt).real.dtype
            try:
                invx = inv(a)
            except LinAlgError:
                from .creation import full_on
                invx = full_on(a.shape, numpy.nan, numpy.float64, a._store.machine)
            r = uf("multiply", norm(a, p, axis=(-2, -1)), norm(invx, p, axis=(-2, -1)))
            r = r.astype(rt) if r.dtype != rt else r
    nan_mask = uf("isnan", r)
    if bool(any_(nan_mask)):
        xnan = any_(uf("isnan", a), axis=(-2, -1))
        nan_mask = uf("logical_and", nan_mask, uf("logical_not", xnan))
        r = where(nan_mask, numpy.inf, r).astype(r.dtype)
    return r


@implements(numpy.linalg.tensorinv, devices="single", local=True, note=_SINGLE)
def tensorinv(a, ind=2):
    """Same as ``numpy.linalg.tensorinv``."""
    from .linalg import inv
    from .manipulation import reshape
    x = ours(a)
    oldshape = x.shape
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    invshape = oldshape[ind:] + oldshape[:ind]
    prod = 1
    for k in oldshape[ind:]:
        prod *= k
    return reshape(inv(reshape(x, (prod, -1))), invshape)


@implements(numpy.linalg.tensorsolve, devices="single", local=True, note=_SINGLE)
def tensorsolve(a, b, axes=None):
    """Same as ``numpy.linalg.tensorsolve``."""
    from .manipulation import reshape, ravel, transpose
    m = common_machine([a, b], "tensorsolve")
    x, y = ours(a, m), ours(b, m)
    an = x.ndim
    if axes is not None:
        allaxes = list(range(an))
        for k in axes:
            allaxes.remove(k)
            allaxes.insert(an, k)
        x = transpose(x, allaxes)
    oldshape = x.shape[-(an - y.ndim):]
    prod = 1
    for k in oldshape:
        prod *= k
    if x.size != prod ** 2:
        raise LinAlgError("Input arrays must satisfy the requirement "
                          "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    return reshape(solve(reshape(x, (prod, prod)), ravel(y)), oldshape)
