"""``numpy.linalg`` and ``numpy.fft`` against NumPy on cpu:1 and cpu:3 (factorizations
compared through invariants where NumPy's answer is unique only up to signs)."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from helpers import check, same, to_ours

LinAlgError = numpy.linalg.LinAlgError


def _spd(n, seed=0, dtype=float):
    rng = numpy.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    return (a @ a.T + n * numpy.eye(n)).astype(dtype)


def _m(shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128", "int64"])
def test_solve_det_inverse_family(machine, dtype):
    a = _spd(5, dtype=dtype if dtype != "int64" else float)
    a = a.astype(dtype) if dtype != "int64" else numpy.round(a).astype(numpy.int64)
    b = _m((5, 2), 1)
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {}
    same(numpy.linalg.solve, a, b, **tol)
    same(lambda x, y: numpy.linalg.solve(x, y[:, 0]), a, b, **tol)
    same(numpy.linalg.det, a, **tol)
    same(lambda x: tuple(numpy.linalg.slogdet(x)), a, **tol)
    same(numpy.linalg.eigvalsh, a, **tol)
    same(numpy.linalg.cholesky, a, **tol)
    same(lambda x: numpy.linalg.cholesky(x, upper=True), a, **tol)
    same(lambda x: numpy.linalg.matrix_power(x, 3), a, **tol)
    same(lambda x: numpy.linalg.matrix_power(x, -2), a, rtol=1e-4, atol=1e-6)
    same(lambda x: numpy.linalg.matrix_power(x, 0), a)
    same(lambda x: numpy.linalg.pinv(x), a, rtol=1e-4, atol=1e-6)
    same(numpy.linalg.matrix_rank, a)
    same(numpy.linalg.cond, a, rtol=1e-4)
    same(lambda x: numpy.linalg.cond(x, "fro"), a, rtol=1e-4)


def test_stacked_and_errors(machine):
    a = numpy.stack([_spd(3, s) for s in range(4)])
    same(numpy.linalg.det, a)
    same(numpy.linalg.inv, a)
    same(lambda x: numpy.linalg.solve(x, x[:, :, :1]), a)
    same(numpy.linalg.eigvalsh, a)
    with pytest.raises(LinAlgError, match="Singular matrix"):
        numpy.linalg.solve(ab.zeros((3, 3)), ab.ones(3))
    with pytest.raises(LinAlgError, match="not positive definite"):
        numpy.linalg.cholesky(-ab.eye(3))
    with pytest.raises(LinAlgError, match="must be square"):
        numpy.linalg.det(ab.ones((2, 3)))
    with pytest.raises(LinAlgError, match="at least two-dimensional"):
        numpy.linalg.eigh(ab.ones(3))
    with pytest.raises(TypeError, match="exponent must be an integer"):
        numpy.linalg.matrix_power(to_ours(a[0]), 1.5)
    with pytest.raises(TypeError, match="float16"):
        numpy.linalg.det(ab.ones((2, 2), dtype=numpy.float16))


def test_factorizations_invariants(machine):
    a = _m((6, 4))
    x = to_ours(a)
    q, r = numpy.linalg.qr(x)
    assert type(q).__name__ == "ndarray" and q.shape == (6, 4) and r.shape == (4, 4)
    check(q @ r, a)
    check(numpy.abs(r), numpy.abs(numpy.linalg.qr(a)[1]))
    check(numpy.linalg.qr(x, mode="r"), numpy.linalg.qr(a, mode="r"))
    qc, rc = numpy.linalg.qr(x, mode="complete")
    check(qc @ rc, a)
    u, s, vh = numpy.linalg.svd(x, full_matrices=False)
    check(s, numpy.linalg.svd(a, compute_uv=False))
    check((u * s) @ vh, a)
    check(numpy.linalg.svd(x, compute_uv=False), numpy.linalg.svd(a, compute_uv=False))
    check(numpy.linalg.svdvals(x), numpy.linalg.svdvals(a))
    res = numpy.linalg.svd(x)
    assert type(res).__name__ == "SVDResult" and res.U.shape == (6, 6)
    sp = _spd(4)
    w, v = numpy.linalg.eigh(to_ours(sp))
    check(w, numpy.linalg.eigh(sp)[0])
    check(to_ours(sp) @ v, v * w)
    g = _m((4, 4), 3)
    ev = numpy.linalg.eigvals(to_ours(g))
    ref = numpy.linalg.eigvals(g)
    check(numpy.sort_complex(ev), numpy.sort_complex(ref))
    w2, v2 = numpy.linalg.eig(to_ours(g))
    check(to_ours(g).astype(complex) @ v2, v2 * w2)
    y = _m((6, 2), 4)
    same(lambda p, q: numpy.linalg.lstsq(p, q, rcond=None)[0], a, y)
    same(lambda p, q: numpy.linalg.lstsq(p, q[:, 0], rcond=None)[1], a, y)
    assert int(numpy.linalg.lstsq(x, to_ours(y))[2]) == 4


def test_composed(machine):
    a, b, c = _m((3, 4)), _m((4, 5), 1), _m((5, 2), 2)
    same(lambda p, q, r: numpy.linalg.multi_dot([p, q, r]), a, b, c)
    same(lambda p, q, r: numpy.linalg.multi_dot([p[0], q, r, r.T]), a, b, c)
    same(lambda p, q, r: numpy.linalg.multi_dot([p, q]), a, b, c)
    same(lambda x: numpy.linalg.tensorinv(x, ind=2), _spd(6).reshape(2, 3, 6))
    same(lambda x, y: numpy.linalg.tensorsolve(x, y), _spd(6).reshape(2, 3, 2, 3),
         _m((2, 3), 6))
    v = _m((4, 3), 7)
    for o in (None, 1, 3, numpy.inf, -numpy.inf, 0):
        same(lambda x: numpy.linalg.vector_norm(x, ord=2 if o is None else o), v)
    same(lambda x: numpy.linalg.vector_norm(x, axis=(0, 1), keepdims=True), v)
    same(lambda x: numpy.linalg.vector_norm(x, axis=0), v)
    for o in ("fro", 1, numpy.inf, 2, "nuc"):
        same(lambda x: numpy.linalg.matrix_norm(x, ord=o), v)
    same(lambda x: numpy.linalg.diagonal(x, offset=1), v)
    same(lambda x: numpy.linalg.trace(x, offset=-1), v)
    same(lambda x: numpy.linalg.outer(x[0], x[1]), v)
    same(lambda x: numpy.linalg.outer(x, x[1]), v)
    same(lambda x: numpy.linalg.cross(x, x[::-1]), v)
    same(lambda x: numpy.linalg.cross(x[:, :2], x[:, :2]), v)
    same(lambda x: numpy.linalg.matmul(x, x.T), v)
    same(numpy.linalg.matrix_transpose, v)
    same(lambda x: numpy.linalg.tensordot(x, x.T, axes=1), v)
    same(lambda x: numpy.linalg.vecdot(x, x, axis=0), v)


FFTS = ["fft", "ifft", "rfft", "ihfft"]


@pytest.mark.parametrize("name", FFTS)
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_fft_1d(machine, name, norm):
    a = _m((6, 8))
    f = getattr(numpy.fft, name)
    same(lambda x: f(x, norm=norm), a)
    same(lambda x: f(x, axis=0, norm=norm), a)
    same(lambda x: f(x, n=5, axis=0, norm=norm), a)
    same(lambda x: f(x, n=11, norm=norm), a)
    same(lambda x: f(x[0], norm=norm), a)
    same(lambda x: f(x.astype(numpy.float32), norm=norm), a)


@pytest.mark.parametrize("name", ["irfft", "hfft"])
def test_fft_inverse_real(machine, name):
    a = _m((5, 6)) + 1j * _m((5, 6), 1)
    f = getattr(numpy.fft, name)
    same(f, a)
    same(lambda x: f(x, n=7, axis=0), a)
    same(lambda x: f(x.astype(numpy.complex64), norm="ortho"), a)


def test_fft_nd(machine):
    a = _m((4, 6, 5))
    for name in ("fftn", "ifftn", "rfftn", "fft2", "ifft2", "rfft2"):
        f = getattr(numpy.fft, name)
        same(f, a)
        same(lambda x: f(x, axes=(0, 2)), a)
        same(lambda x: f(x, s=(3, 4), axes=(1, 0)), a)
    c = numpy.fft.rfftn(a)
    for name in ("irfftn", "irfft2"):
        f = getattr(numpy.fft, name)
        same(f, c)
        same(lambda x: f(x, s=(4, 6), axes=(0, 1)), c)
    same(lambda x: numpy.fft.fft(x, n=0), a)
    same(lambda x: numpy.fft.fft(x, norm="bogus"), a)
    same(lambda x: numpy.fft.fftn(x, s=(3,), axes=(0, 1)), a)
    out = ab.zeros((4, 6, 5), dtype=complex)
    numpy.fft.fftn(to_ours(a), out=out)
    check(out, numpy.fft.fftn(a))


def test_fft_helpers(machine):
    for n in (1, 6, 7):
        check(ab.fft.fftfreq(n, 0.5), numpy.fft.fftfreq(n, 0.5))
        check(ab.fft.rfftfreq(n), numpy.fft.rfftfreq(n))
    a = _m((5, 4))
    same(numpy.fft.fftshift, a)
    same(numpy.fft.ifftshift, a)
    same(lambda x: numpy.fft.fftshift(x, axes=0), a)
    same(lambda x: numpy.fft.ifftshift(x, axes=(1,)), a)
    with pytest.raises(ValueError, match="integer"):
        ab.fft.fftfreq(2.5)


def test_fft_split_axis_is_recut(multi):
    """A transform along the split axis re-cuts the array along another axis; a split
    1-D array is gathered (counted)."""
    a = _m((12, 6))
    x = to_ours(a)
    ab.counters.reset()
    check(numpy.fft.fft(x, axis=0), numpy.fft.fft(a, axis=0))
    assert ab.counters.gathers == 0
    check(numpy.fft.fft(to_ours(a[:, 0])), numpy.fft.fft(a[:, 0]))


@pytest.mark.parametrize("shape", [(2, 0, 0), (3, 0), (0, 3), (2, 2, 0)])
def test_norms_of_empty_arrays(machine, shape):
    # NumPy's max-based norms start from 0 (initial=0): an empty array's norm is 0
    a = numpy.zeros(shape)
    for ord in (1, numpy.inf, 2, "fro", "nuc"):
        same(lambda x: numpy.linalg.norm(x, ord, axis=(-2, -1)), a)
    same(lambda x: numpy.linalg.norm(x, numpy.inf, axis=-1), a)
    same(lambda x: numpy.max(x, axis=-1, initial=0), a)
    same(lambda x: numpy.min(x, axis=None, initial=5), a)
    if len(shape) == 3:
        same(numpy.linalg.matrix_rank, a)
    same(numpy.linalg.pinv, a.astype(numpy.int64))
    same(numpy.linalg.pinv, numpy.ones((2, 0, 1, 1), numpy.int64))   # (empty batch only)


@pytest.mark.parametrize("da", ["bool", "int8", "float32", "complex64"])
@pytest.mark.parametrize("db", ["bool", "float32", "float64", "complex64"])
def test_linalg_result_dtypes(machine, da, db):
    # NumPy's rule: single precision only when every operand is float32/complex64
    a = (numpy.eye(2) * 2 + numpy.array([[0, 1], [0, 0]])).astype(da)
    b = numpy.ones(2).astype(db)
    same(numpy.linalg.solve, a, b)
    same(lambda x, y: numpy.linalg.lstsq(x, y)[0], a, b)


@pytest.mark.parametrize("dtype", [numpy.longdouble, numpy.clongdouble, numpy.float16])
def test_linalg_unsupported_dtypes(machine, dtype):
    # NumPy's TypeError, not a silent computation in another precision
    m = (numpy.eye(3) * 2).astype(dtype)
    if machine.is_gpu and dtype != numpy.float16:
        # a long double cannot live on a GPU at all: the project's TypeError, at once
        with pytest.raises(TypeError, match="cannot live on"):
            to_ours(m)
        return
    for fn in (numpy.linalg.svd, numpy.linalg.qr, numpy.linalg.inv, numpy.linalg.eigh,
               lambda x: numpy.linalg.solve(x, x)):
        same(fn, m)
