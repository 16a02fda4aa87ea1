"""Elementwise routines, products, einsum, convolutions, windows and polynomials against
NumPy on cpu:1 and cpu:3."""
from __future__ import annotations


import numpy
import pytest

import arrbackend as ab
from helpers import check, outcome, same, to_ours


def _a(shape, dtype=float, seed=0):
    return numpy.random.default_rng(seed).integers(-9, 10, shape).astype(dtype)


@pytest.mark.parametrize("dtype", ["int16", "uint8", "float32", "float64", "complex128"])
def test_rounding_and_predicates(machine, dtype):
    a = _a((5, 4), dtype) / (3 if numpy.dtype(dtype).kind in "fc" else 1)
    a = a.astype(dtype)
    for fn in (numpy.round, lambda x: numpy.around(x, 1), lambda x: numpy.round(x, -1),
               numpy.iscomplex, numpy.isreal, numpy.real_if_close, numpy.angle,
               lambda x: numpy.angle(x, deg=True), numpy.sinc):
        same(fn, a)
    if numpy.dtype(dtype).kind != "c":
        same(numpy.fix, a)
        same(numpy.i0, a)
        same(numpy.isposinf, a)
        same(numpy.isneginf, a)
    assert numpy.iscomplexobj(to_ours(a)) == numpy.iscomplexobj(a)
    assert numpy.isrealobj(to_ours(a)) == numpy.isrealobj(a)


def test_nan_to_num_unwrap(machine):
    f = numpy.array([1.0, numpy.nan, numpy.inf, -numpy.inf, -2.5])
    same(numpy.nan_to_num, f)
    same(lambda x: numpy.nan_to_num(x, nan=-1, posinf=9, neginf=-9), f)
    same(lambda x: numpy.nan_to_num(x + 1j * x[::-1]), f)
    same(numpy.nan_to_num, numpy.arange(3))
    x = to_ours(f)
    r = numpy.nan_to_num(x, copy=False)
    assert r is x
    check(x, numpy.nan_to_num(f))
    p = numpy.cumsum(numpy.random.default_rng(1).uniform(-2, 2, 30))
    same(numpy.unwrap, p)
    same(lambda v: numpy.unwrap(v, discont=4.0), p)
    same(lambda v: numpy.unwrap(v.reshape(5, 6), axis=0), p)
    same(lambda v: numpy.unwrap((v * 3).astype(int), period=6), p)
    same(lambda v: numpy.real_if_close(v + 1e-20j), p)
    same(numpy.isposinf, f + 0j)


def test_isclose_family(machine):
    a = numpy.array([1.0, numpy.nan, 3.0, numpy.inf, 1e-9])
    b = numpy.array([1.0 + 1e-9, numpy.nan, 3.1, numpy.inf, 0.0])
    same(numpy.isclose, a, b)
    same(lambda x, y: numpy.isclose(x, y, equal_nan=True, atol=0), a, b)
    same(lambda x: numpy.isclose(x, 3), a)
    for fn in (lambda x, y: numpy.allclose(x, y), lambda x, y: numpy.allclose(x, x, equal_nan=True),
               lambda x, y: numpy.array_equal(x, x), lambda x, y: numpy.array_equal(x, x, True),
               lambda x, y: numpy.array_equal(x, y[:3]), lambda x, y: numpy.array_equiv(x, y),
               lambda x, y: numpy.array_equiv(x[:1], numpy.ones(1)),
               lambda x, y: numpy.array_equiv(x, y[:2])):
        assert fn(to_ours(a), to_ours(b)) == fn(a, b)
        assert type(fn(to_ours(a), to_ours(b))) is bool


def test_interp(machine):
    x = numpy.linspace(-1, 6, 23)
    xp, fp = numpy.array([0.0, 1.0, 2.5, 4.0]), numpy.array([1.0, -1.0, 2.0, 0.5])
    same(numpy.interp, x, xp, fp)
    same(lambda v, a, b: numpy.interp(v, a, b, left=-5, right=5), x, xp, fp)
    same(lambda v, a, b: numpy.interp(v, a, b + 1j * b), x, xp, fp)
    same(lambda v, a, b: numpy.interp(v, a, b, period=3), x, xp, fp)
    same(lambda v, a, b: numpy.interp(v, a, b[:2]), x, xp, fp)
    same(lambda v, a, b: numpy.interp(v, a[:0], b[:0]), x, xp, fp)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("n,m", [(12, 3), (12, 4), (3, 12), (4, 11), (5, 5), (7, 1), (80, 70)])
def test_convolve_correlate(machine, mode, n, m):
    a = _a((n,)) / 2
    v = _a((m,), seed=1)
    tol = {"atol": 1e-9} if min(n, m) > 64 else {}     # (long kernels: FFT-based on GPUs)
    same(lambda x, y: numpy.convolve(x, y, mode), a, v, **tol)
    same(lambda x, y: numpy.correlate(x, y, mode), a, v, **tol)
    same(lambda x, y: numpy.correlate(x, y * (1 + 2j), mode), a, v, **tol)
    same(lambda x, y: numpy.convolve(x * (2 - 1j), y * (1 + 2j), mode), a, v, **tol)
    same(lambda x, y: numpy.correlate(x * (2 - 1j), y * (1 + 2j), mode), a, v, **tol)


def test_convolve_errors(machine):
    same(lambda x: numpy.convolve(x, x[:0]), numpy.arange(3.0))
    same(lambda x: numpy.convolve(x[:0], x), numpy.arange(3.0))
    same(lambda x: numpy.correlate(x[:0], x), numpy.arange(3.0))
    same(lambda x: numpy.correlate(x, x, "bogus"), numpy.arange(3.0))
    same(lambda x: numpy.convolve(x, 2.0), numpy.arange(3.0))


@pytest.mark.parametrize("M", [0, 1, 2, 7, 12])
def test_windows(machine, M):
    for name in ("bartlett", "blackman", "hamming", "hanning"):
        check(getattr(ab, name)(M), getattr(numpy, name)(M), atol=1e-15)
    check(ab.kaiser(M, 5.0), numpy.kaiser(M, 5.0), atol=1e-14)


EINSUM = [("ij,jk->ik", [(4, 3), (3, 5)]), ("ij,jk", [(4, 3), (3, 5)]), ("ii->i", [(4, 4)]),
          ("ii", [(4, 4)]), ("ij->ji", [(3, 4)]), ("ij->", [(3, 4)]), ("i,i->", [(5,), (5,)]),
          ("i,j->ij", [(3,), (4,)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
          ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]), ("ijk,jil->kl", [(3, 4, 2), (4, 3, 5)]),
          ("i,i,i->i", [(4,), (4,), (4,)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
          ("iij->ij", [(3, 3, 2)]), ("ij,ij->i", [(3, 4), (3, 4)]), ("...i->...", [(2, 3, 4)]),
          ("ba,b", [(3, 2), (3,)]), ("i...,i...->...", [(3, 2), (3, 1)])]


@pytest.mark.parametrize("subs,shapes", EINSUM)
def test_einsum(machine, subs, shapes):
    arrs = [_a(s, seed=i) for i, s in enumerate(shapes)]
    same(lambda *xs: numpy.einsum(subs, *xs), *arrs)
    if len(arrs) <= 2:
        same(lambda *xs: numpy.einsum(subs, *[x.astype(numpy.int32) for x in xs]), *arrs)
    path = numpy.einsum_path(subs, *[to_ours(x) for x in arrs])
    assert path == numpy.einsum_path(subs, *arrs)


def test_einsum_forms_and_errors(machine):
    a, b = _a((3, 4)), _a((4, 2), seed=1)
    same(lambda x, y: numpy.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b)
    same(lambda x, y: numpy.einsum("ij,jk->ik", x, y, dtype=numpy.float32), a, b)
    same(lambda x: numpy.einsum("ij,jk->ik", x), a)
    same(lambda x: numpy.einsum("ij->ik", x), a)
    same(lambda x: numpy.einsum("...i->i", x), a)
    same(lambda x, y: numpy.einsum("ij,ij->", x, y), a, b)
    out = ab.zeros((3, 2))
    numpy.einsum("ij,jk->ik", to_ours(a), to_ours(b), out=out)
    check(out, a @ b)


def test_products(machine):
    a, b = _a((3, 4)), _a((4, 5), seed=1)
    c = _a((2, 3, 4), seed=2)
    same(numpy.outer, a, b)
    same(numpy.kron, a, b)
    same(lambda x, y: numpy.kron(x[0], y), a, b)
    same(lambda x, y: numpy.kron(x, 2.0), a, b)
    same(lambda x, y: numpy.tensordot(x, y, 1), a, b)
    same(lambda x, y: numpy.tensordot(x, y, axes=([1, 2], [0, 1])), c, _a((3, 4, 2), seed=3))
    same(lambda x, y: numpy.tensordot(x, y, 0), a[0], b[0])
    same(lambda x, y: numpy.tensordot(x, y, axes=([0], [0])), a, b)
    same(lambda x, y: numpy.vecdot(x, y[:, :4].T), a, b)
    same(lambda x, y: numpy.vecdot(x + 1j, x), a, b)
    same(lambda x, y: numpy.vecdot(x, y), a, b)
    same(lambda x, y: numpy.matvec(x, y[:, 0]), a, b)
    same(lambda x, y: numpy.vecmat(x[:, 0] * 1j, y[:3]), a, b)


GUFUNC_KWARGS = [
    (numpy.vecdot, {"axis": 0}), (numpy.vecdot, {"axis": 1, "keepdims": True}),
    (numpy.vecdot, {"axes": [0, 0]}), (numpy.vecdot, {"axes": [(0,), (0,), ()]}),
    (numpy.vecdot, {"axes": [0, 0, 1], "keepdims": True}), (numpy.vecdot, {"axes": [0, 0, 1]}),
    (numpy.vecdot, {"axis": 0, "axes": [0, 0]}), (numpy.vecdot, {"axes": [0]}),
    (numpy.vecdot, {"axes": [5, 0]}), (numpy.vecdot, {"dtype": numpy.float32}),
    (numpy.vecdot, {"signature": "dd->d"}), (numpy.matvec, {"axes": [(1, 0), (0,), (0,)]}),
    (numpy.matvec, {"keepdims": True}), (numpy.matvec, {"axis": 0}),
    (numpy.vecmat, {"axes": [0, (0, 2), 0]}), (numpy.matmul, {"axes": [(0, 1), (0, 1), (0, 1)]}),
    (numpy.matmul, {"axes": [(-2, -1), (-1, -2), (-2, -1)]}), (numpy.matmul, {"axis": 0}),
    (numpy.matmul, {"keepdims": True})]


@pytest.mark.parametrize("fn,kw", GUFUNC_KWARGS)
def test_gufunc_axes_and_options(machine, fn, kw):
    # core axes anywhere, as NumPy's gufunc machinery places them; its errors otherwise
    x, y = _a((3, 3, 3)), _a((3, 3, 3), seed=1)
    same(lambda p, q: fn(p, q, **kw), x, y)
    if fn is numpy.vecdot:
        same(lambda p, q: fn(p, q, **kw), x.astype(numpy.int8), y.astype(numpy.int16))


def test_gufunc_out_casting(machine):
    x = _a((3, 4)) * 3
    X = to_ours(x)
    for fn in (numpy.vecdot, numpy.matvec):
        y = x[0] if fn is numpy.matvec else x
        o = ab.zeros(3)
        assert fn(X, to_ours(y), out=o) is o
        check(o, fn(x, y))
        with pytest.raises(TypeError, match="Cannot cast"):
            fn(X, to_ours(y), out=ab.zeros(3, dtype=numpy.int64))
        o = ab.zeros(3, dtype=numpy.int64)
        fn(X, to_ours(y), out=o, casting="unsafe")
        check(o, fn(x, y, out=numpy.zeros(3, numpy.int64), casting="unsafe"))
        h = numpy.zeros(3)                     # a NumPy out=, as for ufuncs
        assert fn(X, to_ours(y), out=h) is h
        numpy.testing.assert_allclose(h, fn(x, y))
        with pytest.raises(ValueError):
            fn(X, to_ours(y), out=ab.zeros(4))
    v, w = _a((5, 3)), _a((5, 3), seed=4)
    same(numpy.cross, v, w)
    same(lambda x, y: numpy.cross(x.T, y.T, axis=0), v, w)
    same(lambda x, y: numpy.cross(x, y[0]), v, w)
    try:                           # 2-vectors: deprecated in NumPy 2.0, an error in 2.5
        numpy.cross(numpy.zeros(2), numpy.zeros(3))
        ctx = pytest.warns(DeprecationWarning)
    except ValueError:
        import contextlib
        ctx = contextlib.nullcontext()
    with ctx:
        same(lambda x, y: numpy.cross(x[:, :2], y), v, w)
    same(lambda x, y: numpy.cross(x[:, :1], y), v, w)


def test_polynomials(machine):
    p = numpy.array([1.0, -3.0, 2.0, 5.0])
    x = numpy.linspace(-2, 2, 17)
    same(numpy.polyval, p, x)
    same(lambda c, v: numpy.polyval(c.astype(int), v.astype(int)), p, x)
    same(lambda v: numpy.vander(v), x[:5])
    same(lambda v: numpy.vander(v, 3, increasing=True), x[:5])
    same(lambda v: numpy.vander(v.astype(int), 4), x[:5])
    y = 2 * x ** 2 - x + 1
    same(lambda a, b: numpy.polyfit(a, b, 2), x, y)
    same(lambda a, b: numpy.polyfit(a, b, 2, w=numpy.linspace(1, 2, 17), cov=True), x, y)
    same(lambda a, b: numpy.polyfit(a, b, 1, full=True)[:4], x, y)
    assert numpy.polyfit(to_ours(x), to_ours(y), 1, full=True)[4] == numpy.polyfit(
        x, y, 1, full=True)[4]
    same(lambda a, b: numpy.polyfit(a, numpy.stack([b, 2 * b], 1), 2), x, y)
    for fn in (numpy.polyadd, numpy.polysub, numpy.polymul, numpy.polydiv):
        same(fn, p, p[:2])
        same(fn, p[:2], p)
    same(numpy.polyder, p)
    same(lambda c: numpy.polyder(c, 2), p)
    same(numpy.polyint, p)
    same(lambda c: numpy.polyint(c, 2, k=[1, 2]), p)
    same(numpy.poly, numpy.array([1.0, 2.0, -3.0]))
    same(numpy.poly, numpy.array([[1.0, 2.0], [0.0, 3.0]]))
    r = numpy.roots(to_ours(numpy.array([1.0, -6.0, 11.0, -6.0, 0.0])))
    check(numpy.sort(r.real), numpy.sort(numpy.roots(numpy.array([1.0, -6, 11, -6, 0])).real))
    same(numpy.roots, numpy.array([0.0, 0.0]))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "complex128", "int64"])
@pytest.mark.parametrize("call", [
    lambda np, f: np.gradient(f), lambda np, f: np.gradient(f, 0.5, axis=1),
    lambda np, f: np.gradient(f, 3, axis=-2), lambda np, f: np.gradient(f, axis=0),
    lambda np, f: np.gradient(f.T, 2.0), lambda np, f: np.gradient(f[::2], 1.0, axis=1),
    lambda np, f: np.gradient(f[:, :2], axis=1), lambda np, f: np.gradient(f, np.float32(2)),
    lambda np, f: np.gradient(f, 1.0, edge_order=2), lambda np, f: np.gradient(f, axis=(0, 1)),
    lambda np, f: np.gradient(f, axis=2), lambda np, f: np.gradient(f[:, :1], axis=1),
    lambda np, f: np.gradient(f[0], 0.25)])
@pytest.mark.parametrize("compiled", [False, True])
def test_gradient_is_numpys_to_the_bit(machine, dtype, call, compiled, monkeypatch):
    """np.gradient, whose common case on one CPU device writes its differences straight
    into the result (``compiled``: in one compiled pass, ``kernels/cpu_gradient``, made
    here on the first call instead of the fourth): NumPy's values (bit for bit), dtype,
    memory order, warnings and errors, for every spacing, axis and edge order."""
    from arrbackend.kernels import cpu_gradient
    monkeypatch.setattr(cpu_gradient, "JIT_AFTER", 0 if compiled else 1 << 62)
    rng = numpy.random.default_rng(3)
    fn = (rng.standard_normal((7, 9)) * 100).astype(dtype)
    if dtype == "float64":
        fn[2, 3], fn[4, 4] = numpy.inf, numpy.nan
    want, want_w = outcome(call, numpy, fn)
    with ab.enabled():
        import numpy as np
        got, got_w = outcome(call, np, np.asarray(fn))
    assert [str(w.message) for w in got_w] == [str(w.message) for w in want_w]
    if isinstance(want, type):
        assert got is want
        return
    assert isinstance(got, tuple) == isinstance(want, tuple)
    for g, w in zip(*(((x,) if not isinstance(x, tuple) else x) for x in (got, want))):
        assert g.dtype == w.dtype and g.shape == w.shape
        h = ab.asnumpy(g)
        if len(machine.devices) == 1 and machine.shortcuts:
            # (NumPy's own arrays; elsewhere shards are C-ordered: docs/differences.md)
            assert h.flags.c_contiguous == w.flags.c_contiguous
        c = numpy.ascontiguousarray
        numpy.testing.assert_array_equal(c(h).view(numpy.uint8), c(w).view(numpy.uint8))


@pytest.mark.parametrize("under", ["ignore", "warn"])
def test_gradient_compiled_reports_what_numpy_reports(under, monkeypatch):
    """The compiled gradient leaves no trace of floating-point errors: values that are
    not finite (an infinity minus an infinity), and underflow where the user asked to
    hear of it, are computed again by NumPy, with its warnings."""
    from arrbackend.kernels import cpu_gradient
    monkeypatch.setattr(cpu_gradient, "JIT_AFTER", 0)
    fn = numpy.linspace(1.0, 2.0, 48).reshape(6, 8) * 1e-300   # (differences / 1e10
    fn[2, 3:5] = numpy.inf                                      # underflow)
    for f, dx in ((fn, 1e10), (numpy.abs(fn[:, ::-1]).copy(), 1e10)):
        def call(np, a):
            with np.errstate(under=under):
                return np.gradient(a, dx, axis=1), np.gradient(a, dx, axis=0)
        want, want_w = outcome(call, numpy, f)
        with ab.enabled(devices="cpu:1"):
            import numpy as np
            got, got_w = outcome(call, np, np.asarray(f))
        # (each kind once per call: docs/differences.md)
        assert {str(w.message) for w in got_w} == {str(w.message) for w in want_w}
        assert any("underflow" in str(w.message) for w in want_w) == (under == "warn")
        for g, w in zip(got, want):
            numpy.testing.assert_array_equal(ab.asnumpy(g), w)


def test_gradient_compiled_after_a_refused_spacing(monkeypatch):
    """A spacing NumPy refuses (``OverflowError``) or a float32 spacing out of range (its
    warnings) goes NumPy's way for that call only: the compiled pass serves the next."""
    from arrbackend.kernels import cpu_gradient
    monkeypatch.setattr(cpu_gradient, "JIT_AFTER", 0)
    used = []
    real = cpu_gradient.gradient_into
    monkeypatch.setattr(cpu_gradient, "gradient_into",
                        lambda *a: used.append(real(*a)) or used[-1])
    from arrbackend.api import math as abmath
    monkeypatch.setattr(abmath, "gradient_into", cpu_gradient.gradient_into)
    f = numpy.random.default_rng(2).random((6, 5)).astype(numpy.float32)
    with ab.enabled(devices="cpu:1"):
        import numpy as np
        x = np.asarray(f)
        with pytest.raises(OverflowError):
            np.gradient(x, 10**400)
        want, want_w = outcome(lambda n, a: n.gradient(a, 1e39, axis=0), numpy, f)
        got, got_w = outcome(lambda n, a: n.gradient(a, 1e39, axis=0), np, x)
        assert {str(w.message) for w in got_w} == {str(w.message) for w in want_w}
        numpy.testing.assert_array_equal(ab.asnumpy(got), want)
        used.clear()
        g = np.gradient(x, 0.5)
    assert used == [True, True]
    for a, b in zip(g, numpy.gradient(f, 0.5)):
        numpy.testing.assert_array_equal(ab.asnumpy(a), b)
