"""Where a device library's elementwise values differ from NumPy's (CuPy's float floor
division and remainder, its complex expm1 and division), arrbackend composes NumPy's from
the library's other functions.  The compositions are written for any array library; run here on NumPy
arrays, they must give NumPy's own values bit for bit (signed zeros, infinities, NaNs)."""
import itertools

import math

import numpy
import pytest

from arrbackend.api import ufunc_methods, ufuncs

VALUES = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 3.0, -7.0, 0.1, -0.3, 1e16, 1e308, -1e-308,
          5e-324, numpy.inf, -numpy.inf, numpy.nan]
PAIRS = list(itertools.product(VALUES, VALUES))


def _same_bits(got, want):
    got, want = numpy.asarray(got), numpy.asarray(want)
    assert got.dtype == want.dtype
    numpy.testing.assert_array_equal(got, want)
    assert numpy.all((numpy.signbit(got) == numpy.signbit(want)) | numpy.isnan(want))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_float_floor_division_and_remainder(dtype):
    with numpy.errstate(all="ignore"):          # (1e308 is inf in the narrow types)
        a = numpy.array([p[0] for p in PAIRS]).astype(dtype)
        b = numpy.array([p[1] for p in PAIRS]).astype(dtype)
        _same_bits(ufuncs._npy_floor_divide(numpy, a, b), numpy.floor_divide(a, b))
        _same_bits(ufuncs._npy_remainder(numpy, a, b), numpy.remainder(a, b))
        q, m = ufuncs._npy_divmod(numpy, a, b)
        want_q, want_m = numpy.divmod(a, b)
        _same_bits(q, want_q)
        _same_bits(m, want_m)
        out = numpy.empty_like(a)
        assert ufuncs._npy_floor_divide(numpy, a, b, out=out) is out
        _same_bits(out, numpy.floor_divide(a, b))


def test_integer_floor_division_is_the_librarys():
    a = numpy.arange(-6, 7)
    b = numpy.array([3, -3, 0, 2, -2, 5, -5, 1, 4, -4, 0, 7, -1])
    with numpy.errstate(all="ignore"):
        _same_bits(ufuncs._npy_floor_divide(numpy, a, b), numpy.floor_divide(a, b))
        _same_bits(ufuncs._npy_remainder(numpy, a, b), numpy.remainder(a, b))


def test_complex_expm1():
    z = numpy.array([complex(x, y) for x, y in PAIRS])
    with numpy.errstate(all="ignore"):
        got = ufuncs._npy_expm1(numpy, z)
        want = numpy.expm1(z)
    reals = numpy.array([x for x, _ in PAIRS if abs(x) < 700])
    simd = not numpy.array_equal(numpy.expm1(reals), [math.expm1(x) for x in reals])
    if simd or numpy.lib.NumpyVersion(numpy.__version__) >= "2.5.0":
        # (NumPy 2.5 composes complex expm1 another way: within an ulp of 2.4's, which
        # the composition follows bit for bit; and where NumPy's real expm1 is a SIMD
        # loop (AVX-512 processors), not the C library's that its complex loop calls,
        # the composition is within an ulp too)
        fin = numpy.isfinite(want)
        numpy.testing.assert_array_max_ulp(got.real[fin], want.real[fin], maxulp=2)
        numpy.testing.assert_array_max_ulp(got.imag[fin], want.imag[fin], maxulp=2)
        return
    _same_bits(got.real, want.real)
    _same_bits(got.imag, want.imag)
    r = numpy.array([0.5, -0.0, numpy.inf])
    _same_bits(ufuncs._npy_expm1(numpy, r), numpy.expm1(r))       # reals: the library's


def test_device_libraries_get_the_compositions():
    class Library:                       # a stand-in device library: NumPy's functions
        floor_divide = staticmethod(numpy.floor_divide)
    f = ufuncs._device_ufunc(Library, numpy.floor_divide)
    assert f.func is ufuncs._npy_floor_divide
    assert ufuncs._device_ufunc(numpy, numpy.floor_divide) is numpy.floor_divide


@pytest.mark.parametrize("name", ["power", "arctan2", "subtract", "true_divide", "hypot"])
def test_non_associative_reductions_fold_in_order(name):
    uf = getattr(numpy, name)
    assert not ufunc_methods._is_reorderable(uf, numpy.dtype(float))
    a = numpy.linspace(0.5, 1.7, 21).reshape(7, 3)
    with numpy.errstate(all="ignore"):
        got = ufunc_methods.fold(_Generic, uf, a, 0, numpy.dtype(float))
        numpy.testing.assert_allclose(got, uf.reduce(a, axis=0), rtol=1e-14)


class _Generic:
    """NumPy under another name: the device libraries' path of ``fold``."""
    def __getattr__(self, name):
        return getattr(numpy, name)


_Generic = _Generic()


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_division(dtype):
    parts = [0.0, -0.0, 1.0, -1.0, 2.5, -3.0, 1e308, -1e-308, numpy.inf, -numpy.inf,
             numpy.nan]
    zs = [complex(x, y) for x, y in itertools.product(parts, parts)]
    pairs = list(itertools.product(zs, zs))
    with numpy.errstate(all="ignore"):
        a = numpy.array([p[0] for p in pairs]).astype(dtype)
        b = numpy.array([p[1] for p in pairs]).astype(dtype)
        got = ufuncs._npy_true_divide(numpy, a, b)
        want = numpy.true_divide(a, b)
    _same_bits(got.real, want.real)
    _same_bits(got.imag, want.imag)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor", "logical_not"])
def test_logical_ufuncs_of_complex_values(name):
    """The logical ufuncs of complex operands as NumPy computes them (true where not
    zero; CuPy has no complex loops), and of other operands the library's own."""
    uf = getattr(numpy, name)
    z = numpy.array([0, 1j, 2 + 0j, -0.0 - 0j, numpy.nan], numpy.complex64)
    f = numpy.array([1.5, 0, 0, 2, 0])
    for ins in ([z], [f]) if uf.nin == 1 else ([z, z[::-1]], [z, f], [f, z], [f, f[::-1]]):
        got = ufuncs._npy_logical(name)(numpy, *ins)
        numpy.testing.assert_array_equal(got, uf(*ins))
        assert got.dtype == numpy.bool_
        out = numpy.empty(5, bool)
        assert ufuncs._npy_logical(name)(numpy, *ins, out=out) is out
        numpy.testing.assert_array_equal(out, uf(*ins))


@pytest.mark.parametrize("name", ["power", "float_power"])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_power(name, dtype):
    """NumPy's complex power (``0 ** 0`` is 1, ``0 ** z`` is 0 or NaN by the sign of
    ``z``'s real part, integer exponents below 100 by repeated multiplication, signs of
    zeros included), composed for a device library whose power is ``exp(b log a)``."""
    parts = [0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -3.0, numpy.inf, numpy.nan]
    zs = [complex(x, y) for x, y in itertools.product(parts, parts)]
    exps = zs + [2, 3, 4, -1, -2, -3, 7, 99, -99, 100, 1j, -1j, 1 + 1j, -1 + 1j]
    a = numpy.array(zs, dtype)[:, None]
    b = numpy.array(exps, dtype)[None, :]
    uf = getattr(numpy, name)
    with numpy.errstate(all="ignore"):
        want = uf(a, b)
        got = ufuncs._npy_power(name)(numpy, a, b)
        out = numpy.empty_like(want)
        assert ufuncs._npy_power(name)(numpy, a, b, out=out) is out
        zero_d = ufuncs._npy_power(name)(numpy, numpy.asarray(a[0, 0]), b[0, 0])
    for g in (got, out):
        _same_bits(g.real, want.real)
        _same_bits(g.imag, want.imag)
    assert zero_d.shape == () and zero_d == 1
    real = numpy.arange(4.0)
    _same_bits(ufuncs._npy_power(name)(numpy, real, real), uf(real, real))


@pytest.mark.parametrize("name", ["less", "less_equal", "greater", "greater_equal",
                                  "maximum", "minimum", "fmax", "fmin"])
def test_complex_order(name):
    """NumPy's order of complex values (by real part, then imaginary part; a NaN in
    either part makes a comparison false; maximum/minimum keep the first operand's NaN,
    fmax/fmin the other operand), composed for a device library, bit for bit; other
    dtypes are the library's own."""
    parts = [0.0, -0.0, 1.0, -2.5, numpy.inf, -numpy.inf, numpy.nan]
    zs = numpy.array([complex(x, y) for x, y in itertools.product(parts, parts)])
    f = ufuncs._NUMPY_VALUES[name]
    uf = getattr(numpy, name)
    for a, b in ((zs[:, None], zs[None, :]), (zs, 1.0), (zs.astype(numpy.complex64), 2j),
                 (numpy.arange(3.0), 1.0)):
        got, want = f(numpy, a, b), uf(a, b)
        assert got.dtype == want.dtype
        if want.dtype.kind == "c":
            _same_bits(got.real, want.real)
            _same_bits(got.imag, want.imag)
        else:
            numpy.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["left_shift", "right_shift"])
def test_shifts(name):
    """NumPy's shifts by the width or more, or by a negative count (0, or -1 for a
    negative value shifted right), composed for a device library."""
    uf = getattr(numpy, name)
    for dt in ("int8", "int16", "int64", "uint8", "uint64"):
        signed = numpy.dtype(dt).kind == "i"
        x = numpy.array([0, 1, -8 if signed else 200, 5], dt)[:, None]
        n = numpy.array([0, 1, 7, 8, 15, 16, 63, 64, 100] + ([-1] if signed else [200]),
                        dt)[None, :]
        for args in ((x, n), (x, 3), (x, 70)):
            got = ufuncs._NUMPY_VALUES[name](numpy, *args)
            numpy.testing.assert_array_equal(got, uf(*args))
            assert got.dtype == uf(*args).dtype


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8", "uint64"])
def test_integer_fmod(dtype):
    """Integer fmod from integer operations (the dividend's sign, 0 for a zero divisor),
    bit for bit with NumPy's, at the extremes of the dtype too (a device library's fmod
    goes through double precision)."""
    info = numpy.iinfo(dtype)
    vals = [0, 1, 7, info.max, info.min] + ([-1, -7, info.min + 1] if info.min else [])
    x = numpy.array(vals, dtype)[:, None]
    y = numpy.array(vals, dtype)[None, :]
    with numpy.errstate(all="ignore"):
        got, want = ufuncs._npy_fmod(numpy, x, y), numpy.fmod(x, y)
    assert got.dtype == want.dtype
    numpy.testing.assert_array_equal(got, want)


def test_device_clip():
    """A device's clip of real values is NumPy's: a NaN stays NaN, also where the bounds
    cross; a NaN bound propagates; a ``None`` bound bounds nothing (bool values too).
    (Which zero ``clip(-0.0, 0, 1)`` gives is not kept: NumPy's SIMD loop gives -0.0.)"""
    from arrbackend.api.manipulation import _device_clip
    x = numpy.array([0.0, numpy.nan, 5.0, -3.0, 1.5, -0.0])
    for lo, hi in ((2, -1), (0, 1), (numpy.nan, 1), (0, None), (None, 2),
                   (numpy.array([0, numpy.nan, 1, 1, 1, 0]), 3)):
        with numpy.errstate(all="ignore"):       # (the sign of a zero: either)
            got, want = _device_clip(numpy, x, lo, hi), numpy.clip(x, lo, hi)
        assert got.dtype == want.dtype
        numpy.testing.assert_array_equal(got, want)
    b = numpy.array([True, False])
    numpy.testing.assert_array_equal(_device_clip(numpy, b, 0, None), numpy.clip(b, 0, None))


@pytest.mark.parametrize("name", ["less", "less_equal", "greater", "greater_equal", "equal",
                                  "not_equal"])
def test_uint64_with_signed_comparisons(name):
    """The exact comparison of uint64 with signed integers (NumPy's ``Qq->?`` loops),
    composed for a device library, in either order, bit for bit."""
    f = ufuncs._NUMPY_VALUES[name]
    u = numpy.array([0, 1, 2, 2**63, 2**64 - 1, 2**63 + 1], numpy.uint64)
    for s in (numpy.array([-3, 1, 3, -1, 2**63 - 1, 2**63 - 1], numpy.int64),
              numpy.array([-3, 1, 3, -1, 127, 5], numpy.int8), numpy.int8(-3)):
        for args in ((u, s), (s, u)):
            got, want = f(numpy, *args), getattr(numpy, name)(*args)
            assert got.dtype == want.dtype
            numpy.testing.assert_array_equal(got, want)
