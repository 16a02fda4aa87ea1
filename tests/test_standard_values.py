"""Where the Array API standard and NumPy give different values, the ``arrbackend``
namespace (``x.__array_namespace__()``) gives the standard's and ``np.*`` on arrbackend
arrays (NumPy code, under ``enabled()`` or not) gives NumPy's; both compared here, case by
case, with the standard's special-case tables and with NumPy."""
from __future__ import annotations

import math
import warnings

import numpy
import pytest

import arrbackend as ab
from helpers import check, to_ours

INF, NAN = math.inf, math.nan

# (x1, x2, the standard's floor_divide): the cases where NumPy answers otherwise
FLOOR_DIVIDE = [(INF, 2.0, INF), (INF, -2.0, -INF), (-INF, 2.0, -INF), (-INF, -2.0, INF),
                (3.0, -INF, -0.0), (-3.0, INF, -0.0), (3.0, INF, 0.0), (-3.0, -INF, 0.0),
                (7.0, 2.0, 3.0), (-7.0, 2.0, -4.0), (NAN, 2.0, NAN), (INF, INF, NAN),
                (0.0, 0.0, NAN), (1.0, -0.0, -INF)]


def _pairs(dtype):
    a = numpy.array([p[0] for p in FLOOR_DIVIDE], dtype=dtype)
    b = numpy.array([p[1] for p in FLOOR_DIVIDE], dtype=dtype)
    want = numpy.array([p[2] for p in FLOOR_DIVIDE], dtype=dtype)
    return a, b, want


def _same_bits(got, want):
    g = ab.asnumpy(got)
    assert g.dtype == want.dtype, (g.dtype, want.dtype)
    numpy.testing.assert_array_equal(g, want)
    same_sign = numpy.signbit(g) == numpy.signbit(want)
    assert numpy.all(same_sign | numpy.isnan(want)), (g, want)      # -0 is not +0


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings(), numpy.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_floor_divide(machine, dtype):
    a, b, want = _pairs(dtype)
    x, y = to_ours(a), to_ours(b)
    _same_bits(ab.floor_divide(x, y), want)                    # the namespace
    _same_bits(x.__array_namespace__().floor_divide(x, y), want)
    _same_bits(ab.floor_divide(x, y, out=ab.zeros_like(x)), want)
    _same_bits(ab.floor_divide(a[:4], 2.0), numpy.array([INF, INF, -INF, -INF], dtype))
    check(numpy.floor_divide(x, y), numpy.floor_divide(a, b))  # NumPy code: NumPy's
    with ab.enabled():
        check(numpy.floor_divide(x, y), numpy.floor_divide(a, b))
        check(x // y, a // b)
    check(ab.floor_divide(to_ours(numpy.arange(-3, 4)), 2), numpy.arange(-3, 4) // 2)
    with pytest.raises(TypeError, match="Cannot cast ufunc .floor_divide. output"):
        ab.floor_divide(x, y, out=to_ours(numpy.zeros(len(a), int)))    # NumPy's error
    with pytest.raises(TypeError, match="Cannot cast ufunc .floor_divide. output"):
        numpy.floor_divide(a, b, out=numpy.zeros(len(a), int))


def test_floor_divide_operators_outside_enabled(machine):
    a, b, want = _pairs("float64")
    x, y = to_ours(a), to_ours(b)
    _same_bits(x // y, want)
    z = x.copy()
    z //= y
    _same_bits(z, want)


def _complex(re, im):
    z = numpy.empty(len(re), complex)
    z.real, z.imag = re, im
    return z


# (real, imag) in, (real, imag) out: the standard's table for complex expm1 and tanh
EXPM1 = [((0.0, 0.0), (0.0, 0.0)), ((-0.0, 0.0), (0.0, 0.0)), ((INF, 0.0), (INF, 0.0)),
         ((-INF, INF), (-1.0, 0.0)), ((INF, INF), (INF, NAN)), ((-INF, NAN), (-1.0, 0.0)),
         ((INF, NAN), (INF, NAN)), ((NAN, 0.0), (NAN, 0.0)), ((NAN, NAN), (NAN, NAN)),
         ((0.5, -0.25), (numpy.expm1(0.5 - 0.25j).real, numpy.expm1(0.5 - 0.25j).imag))]
TANH = [((INF, 2.0), (1.0, 0.0)), ((INF, 1.0), (1.0, 0.0)), ((INF, -2.0), (1.0, -0.0)),
        ((-INF, 2.0), (-1.0, 0.0)), ((0.0, 0.0), (0.0, 0.0)), ((NAN, 0.0), (NAN, 0.0)),
        ((0.5, 0.25), (numpy.tanh(0.5 + 0.25j).real, numpy.tanh(0.5 + 0.25j).imag))]


@pytest.mark.parametrize("name,table", [("expm1", EXPM1), ("tanh", TANH)])
def test_complex_special_cases(machine, name, table):
    z = _complex([c[0][0] for c in table], [c[0][1] for c in table])
    want = _complex([c[1][0] for c in table], [c[1][1] for c in table])
    got = ab.asnumpy(getattr(ab, name)(to_ours(z)))
    for part in ("real", "imag"):
        g, w = getattr(got, part), getattr(want, part)
        numpy.testing.assert_allclose(g, w, rtol=1e-15)
        assert numpy.all((numpy.signbit(g) == numpy.signbit(w)) | numpy.isnan(w)), (part, g)
    check(getattr(numpy, name)(to_ours(z)), getattr(numpy, name)(z))    # NumPy's values
    check(getattr(ab, name)(to_ours(z.real)), getattr(numpy, name)(z.real))  # reals alike


@pytest.mark.parametrize("dtype,cdtype", [("float32", "complex64"), ("float64", "complex128"),
                                          ("complex64", "complex64")])
def test_eig_is_complex(machine, dtype, cdtype):
    m = numpy.array([[2.0, 1.0], [1.0, 3.0]], dtype=dtype)       # real eigenvalues
    x = to_ours(m)
    r = ab.linalg.eig(x)
    assert r.eigenvalues.dtype == cdtype and r.eigenvectors.dtype == cdtype
    assert ab.linalg.eigvals(x).dtype == cdtype
    assert x.__array_namespace__().linalg.eig(x).eigenvalues.dtype == cdtype
    want = numpy.linalg.eigvals(m)
    numpy.testing.assert_allclose(numpy.sort(ab.asnumpy(ab.linalg.eigvals(x)).real),
                                  numpy.sort(want.real), rtol=1e-5)
    # NumPy code keeps NumPy's answer (real here)
    assert numpy.linalg.eig(x).eigenvalues.dtype == numpy.linalg.eig(m).eigenvalues.dtype
    assert numpy.linalg.eigvals(x).dtype == want.dtype
