"""The elementwise engine: every NumPy ufunc through ``__array_ufunc__``, NEP 50
promotion with Python and NumPy scalars, ``out=`` / ``where=`` / ``dtype=`` / ``casting=``,
broadcasting across operands with different layouts, and NumPy's errors."""
from __future__ import annotations

import sys
import warnings

import numpy
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import arrbackend as ab
from helpers import check, same, to_ours

HYP = hsettings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

UFUNCS = [getattr(numpy, n) for n in sorted(dir(numpy))
          if isinstance(getattr(numpy, n), numpy.ufunc) and getattr(numpy, n).signature is None]


def _inputs(uf, dtype):
    rng = numpy.random.default_rng(1)
    out = []
    for i in range(uf.nin):
        if numpy.dtype(dtype).kind == "f":
            a = rng.uniform(0.1, 3.0, size=(5, 4)).astype(dtype)
        elif numpy.dtype(dtype).kind == "b":
            a = rng.integers(0, 2, size=(5, 4)).astype(bool)
        else:
            a = rng.integers(1, 6, size=(5, 4)).astype(dtype)
        out.append(a)
    return out


@pytest.mark.parametrize("uf", UFUNCS, ids=lambda u: u.__name__)
@pytest.mark.parametrize("dtype", ["float64", "int64", "bool"])
def test_every_ufunc(machine, uf, dtype):
    args = _inputs(uf, dtype)
    try:
        with numpy.errstate(all="ignore"):
            expected = uf(*args)
    except TypeError:
        with pytest.raises(TypeError):
            uf(*to_ours(*args) if len(args) > 1 else (to_ours(*args),))
        return
    ours = to_ours(*args)
    ours = ours if isinstance(ours, tuple) else (ours,)
    with numpy.errstate(all="ignore"):
        got = uf(*ours)
    check(got, expected)


SCALARS = [2, -3, 2.5, 1j, True, numpy.float32(1.5), numpy.int8(3), numpy.uint8(200),
           numpy.float64(0.25)]
ADTYPES = ["int8", "uint8", "int32", "int64", "float16", "float32", "float64", "complex64",
           "bool"]


@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("dtype", ADTYPES)
@pytest.mark.parametrize("op", ["add", "multiply", "true_divide", "subtract"])
def test_nep50_scalars(machine, scalar, dtype, op):
    uf = getattr(numpy, op)
    a = numpy.arange(6).astype(dtype).reshape(3, 2)
    same(lambda x: uf(x, scalar), a)
    same(lambda x: uf(scalar, x), a)


def test_python_int_out_of_bounds(machine):
    x = ab.arange(4, dtype=numpy.uint8)
    with pytest.raises(OverflowError, match="out of bounds for uint8"):
        x + 300
    with pytest.raises(OverflowError):
        x[0] = -1


@pytest.mark.parametrize("fusion", ["auto", "1"])
def test_python_ints_beyond_64_bits(machine, fusion):
    # converted as NumPy's loop converts them (a float64, a uint64), compared exactly
    f, i = numpy.arange(5.0), numpy.arange(5)
    u, b = numpy.arange(5, dtype=numpy.uint64), numpy.arange(5, dtype=numpy.uint8)
    with ab.settings.override(fusion=fusion, fusion_min_size=0):
        same(lambda x: x * 2**70, f)
        same(lambda x: x + (2**63 + 5), u)
        same(lambda x: (x < 2**70, x == -2**65, x >= 2**64), i)
        same(lambda x: (x < 300, x != -1), b)
        with pytest.raises(OverflowError):
            ab.asarray(i) + 2**70
        for _ in range(2):      # a cached fast path still checks every value
            same(lambda x: x + 1, i)
            with pytest.raises(OverflowError):
                ab.asarray(i) + 2**64


@HYP
@given(d1=st.sampled_from(ADTYPES), d2=st.sampled_from(ADTYPES),
       s1=st.sampled_from([(4, 3), (1, 3), (4, 1), (3,), (), (0, 3)]),
       s2=st.sampled_from([(4, 3), (1, 3), (4, 1), (3,), ()]))
def test_promotion_and_broadcasting(machine, d1, d2, s1, s2):
    a = (numpy.arange(int(numpy.prod(s1))).reshape(s1) % 5).astype(d1)
    b = (numpy.arange(int(numpy.prod(s2))).reshape(s2) % 3 + 1).astype(d2)
    same(numpy.add, a, b)
    same(numpy.multiply, a, b)
    same(lambda x, y: x < y, a, b)


def test_operands_with_different_layouts(machine):
    a = numpy.arange(30.0).reshape(6, 5)
    b = numpy.arange(30.0).reshape(5, 6)
    same(lambda x, y: x + y.T, a, b)
    same(lambda x, y: x[::-1] * y.T, a, b)
    same(lambda x, y: x[1:, ::2] - y.T[:-1, 1::2], a, b)
    same(lambda x, y: x[:, None, :] + y[None, :5, :5].T, a, b)


def test_out_where_dtype_casting(machine):
    a = numpy.arange(12.0).reshape(3, 4)
    x = to_ours(a)
    out = ab.zeros((3, 4))
    r = numpy.sin(x, out=out)
    assert r is out
    check(out, numpy.sin(a))
    o2 = ab.zeros((3, 4))
    numpy.add(x, 1, out=o2, where=x > 4)
    e2 = numpy.zeros((3, 4))
    numpy.add(a, 1, out=e2, where=a > 4)
    check(o2, e2)
    check(numpy.add(x, 1, dtype=numpy.float32), numpy.add(a, 1, dtype=numpy.float32))
    iout = ab.zeros((3, 4), dtype=int)
    with pytest.raises(numpy._core._exceptions._UFuncOutputCastingError):
        numpy.add(x, 1, out=iout)
    numpy.add(x, 1, out=iout, casting="unsafe")
    check(iout, (a + 1).astype(int))
    with pytest.raises(ValueError, match="non-broadcastable output"):
        numpy.add(x, 1, out=ab.zeros(4))
    with pytest.raises(TypeError):
        numpy.add(x, 1, casting="no", dtype=numpy.float32)


def test_multiple_outputs(machine):
    a = numpy.linspace(-3, 3, 12).reshape(3, 4)
    same(numpy.divmod, a, numpy.full((3, 4), 0.7))
    same(numpy.modf, a)
    same(numpy.frexp, a)
    x = to_ours(a)
    q, r = ab.empty((3, 4)), ab.empty((3, 4))
    numpy.divmod(x, 0.7, out=(q, r))
    eq, er = numpy.divmod(a, 0.7)
    check(q, eq)
    check(r, er)


def test_inplace_operators(machine):
    a = numpy.arange(10.0)
    x = to_ours(a)
    x += 1
    x *= 2
    x -= a[::-1].copy()
    x /= 3
    a += 1
    a *= 2
    a -= a[::-1].copy() * 0 + numpy.arange(10.0)[::-1]
    a /= 3
    check(x, a)
    i = ab.arange(5)
    with pytest.raises(numpy._core._exceptions._UFuncOutputCastingError):
        i += 1.5


def test_operator_table(machine):
    a = numpy.arange(1, 13).reshape(3, 4)
    b = numpy.arange(12, 0, -1).reshape(3, 4)
    for fn in (lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / y,
               lambda x, y: x // y, lambda x, y: x % y, lambda x, y: x ** 2, lambda x, y: 2 ** x,
               lambda x, y: x << 1, lambda x, y: x >> 1, lambda x, y: x & y,
               lambda x, y: x | y, lambda x, y: x ^ y, lambda x, y: -x, lambda x, y: +x,
               lambda x, y: abs(-x), lambda x, y: ~x, lambda x, y: x == y,
               lambda x, y: x != y, lambda x, y: x < y, lambda x, y: x <= y,
               lambda x, y: x > y, lambda x, y: x >= y, lambda x, y: 7 - x, lambda x, y: 1 / x,
               lambda x, y: divmod(x, 5)[0], lambda x, y: 100 // x, lambda x, y: 3 % x):
        same(fn, a, b)


def test_host_numpy_operands_and_lists(machine):
    a = numpy.arange(6.0)
    x = to_ours(a)
    check(x + numpy.ones(6), a + 1)
    check(numpy.ones(6) + x, a + 1)
    check(x * [1, 2, 3, 4, 5, 6], a * [1, 2, 3, 4, 5, 6])
    check(numpy.float32(2) * x, numpy.float32(2) * a)


def test_broadcast_error_message(machine):
    with pytest.raises(ValueError, match="could not be broadcast together with shapes"):
        ab.ones(3) + ab.ones(4)


def test_nan_and_floating_warnings(machine):
    x = ab.asarray([0.0, 1.0, -1.0])
    expected = numpy.array([numpy.nan, numpy.inf, -numpy.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = x / 0.0                 # (a deferred statement is computed later...)
        check(r, expected)              # (... here, under the filters of its own line)
    if machine.is_gpu:
        return                          # GPUs do not report floating-point errors
    with pytest.warns(RuntimeWarning, match="divide") as rec, \
            ab.settings.override(fusion="1", fusion_min_size=0):
        r = x / 0.0                     # deferred: the warning still names this line
        check(r, expected)
    assert {(w.filename, w.lineno) for w in rec} == {(__file__, rec[0].lineno)}
    with ab.settings.override(fusion="1", fusion_min_size=0):
        with numpy.errstate(divide="raise"):
            r = x[1:] / 0.0             # deferred: raises where it is computed
        with pytest.raises(FloatingPointError):
            check(r, expected[1:])


@pytest.mark.parametrize("fusion", ["0", "auto"])
def test_eager_floating_warnings_name_the_user_line(machine, fusion):
    if machine.is_gpu:
        pytest.skip("GPUs do not report floating-point errors")
    x, z = ab.asarray([0.0, 1.0]), ab.zeros(2)
    with ab.settings.override(fusion=fusion), warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        r = x / z                                          # the two kinds, once each
        ab.log(z, where=ab.asarray([True, False]), out=ab.ones(2))   # the general path
        check(r, numpy.array([numpy.nan, numpy.inf]))
        big = ab.asarray([[1e308, 1e308]])
        check(big @ big.T, numpy.array([[numpy.inf]]))       # a NumPy function's ufunc
        check(ab.prod(big), numpy.inf)                        # reductions and scans, on
        check(ab.cumprod(big), numpy.array([1e308, numpy.inf]))   # spread arrays too
    assert sorted((w.filename, w.lineno, str(w.message)) for w in rec) == [
        (__file__, line, "divide by zero encountered in divide"),
        (__file__, line, "invalid value encountered in divide"),
        (__file__, line + 1, "divide by zero encountered in log"),
        (__file__, line + 4, "overflow encountered in matmul"),
        (__file__, line + 5, "overflow encountered in reduce"),
        (__file__, line + 6, "overflow encountered in accumulate")]
    with ab.settings.override(fusion=fusion):
        with numpy.errstate(all="raise"), pytest.raises(FloatingPointError):
            ab.evaluate(x / z)
        with numpy.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("error")
            check(x / z, numpy.array([numpy.nan, numpy.inf]))
        calls = []
        with numpy.errstate(all="call", call=lambda kind, flag: calls.append(kind)):
            ab.evaluate(x / z)                             # the user's own handler stays
        assert sorted(calls) == ["divide by zero", "invalid value"]   # (once per shard)
    assert numpy.geterr()["divide"] == "warn"             # the user's state is restored


def test_arrays_on_different_machines():
    with ab.devices("cpu:1"):
        x = ab.ones(3)
    with ab.devices("cpu:2"):
        y = ab.ones(3)
    with pytest.raises(ValueError, match="different devices"):
        x + y


@pytest.mark.parametrize("out_dtype", [complex, bool, numpy.int8])
def test_comparison_with_int_beyond_dtype_and_where(machine, out_dtype):
    # one answer for every element; NumPy's own loop crashes on this combination, so the
    # expected values are written by copyto
    a = ab.arange(6, dtype="int8").reshape(3, 2)
    mask = numpy.array([[True, False]] * 3)
    for fn, value, answer in ((numpy.less, 300, False), (numpy.less, -1000, True),
                              (numpy.not_equal, 2**70, True)):
        out = ab.ones((3, 2), out_dtype)
        r = fn(value, a, where=ab.asarray(mask), out=out, casting="safe" if
               out_dtype is not numpy.int8 else "same_kind")
        assert r is out
        expected = numpy.ones((3, 2), out_dtype)
        numpy.copyto(expected, answer, where=mask)
        check(out, expected)
        check(fn(value, a), numpy.full((3, 2), answer))
    with pytest.raises(TypeError):
        numpy.less(300, a, where=ab.asarray(mask), out=ab.ones((3, 2)), casting="no")
    o = ab.ones(())
    assert numpy.less(300, numpy.uint8(3), out=o) is o       # no array among the inputs
    check(o, numpy.zeros(()))


def test_integer_negative_power_only_where_computed(machine):
    # NumPy's error comes from the loop: nothing computed (an empty array), no error
    same(lambda x: numpy.power(x, -1), numpy.array([2, 3]))
    same(lambda x: numpy.power(x, -1), numpy.array([], dtype=int))
    same(lambda x: numpy.power(x, numpy.int64(-1), dtype=numpy.int32),
         numpy.array([], dtype=int))


def test_floating_warnings_stay_in_their_thread(machine):
    # one thread's floating-point warnings are never issued in another thread (the
    # warning filters are process-wide: "error" turns each warning into an exception in
    # the thread that issued it)
    import threading
    zero, one = ab.zeros(10), ab.ones(10)
    stop, wrong = threading.Event(), []

    def warner():
        for _ in range(20000):
            try:
                zero / zero
            except RuntimeWarning:
                pass

    def quiet():
        while not stop.is_set():
            try:
                one + one
            except RuntimeWarning as exc:
                wrong.append(str(exc))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t1, t2 = threading.Thread(target=warner), threading.Thread(target=quiet)
        t2.start()
        t1.start()
        t1.join()
        stop.set()
        t2.join()
    assert wrong == []


_SPECIAL_PARTS = (0.0, -0.0, numpy.inf, -numpy.inf, numpy.nan, 1.0, -2.5)


@pytest.mark.parametrize("name", ["sqrt", "exp", "exp2", "expm1", "log", "log2", "log10",
                                  "log1p", "sin", "cos", "tan", "sinh", "cosh", "tanh",
                                  "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
                                  "arctanh", "sign", "reciprocal"])
@pytest.mark.parametrize("dtype", ["complex128", "complex64"])
def test_complex_special_values_are_numpys(machine, name, dtype):
    """Complex functions at infinities, NaNs and signed zeros give NumPy's values (C99's
    tables) on every device, signs of zeros included -- a GPU's library has its own;
    other values agree within the dtype's rounding."""
    z = numpy.array([complex(r, i) for r in _SPECIAL_PARTS for i in _SPECIAL_PARTS],
                    dtype=dtype).reshape(7, 7)
    fn = getattr(numpy, name)
    with numpy.errstate(all="ignore"):
        want = fn(z)
        got = ab.asnumpy(fn(to_ours(z)))
    assert got.dtype == want.dtype
    with numpy.errstate(all="ignore"):      # (an element alone keeps its 0-d shape)
        one = fn(to_ours(numpy.asarray(z[1, 3])))
    assert one.shape == () and one.dtype == want.dtype
    special = ~numpy.isfinite(z) | (z == 0) | numpy.signbit(z.real) & (z.real == 0) | \
        numpy.signbit(z.imag) & (z.imag == 0)
    for part in ("real", "imag"):
        g, w = getattr(got, part), getattr(want, part)
        same = (g == w) & (numpy.signbit(g) == numpy.signbit(w)) | \
            numpy.isnan(g) & numpy.isnan(w)
        assert same[special].all(), (part, z[special & ~same], g[special & ~same],
                                     w[special & ~same])
        tol = 8 * numpy.finfo(g.dtype).eps
        with numpy.errstate(invalid="ignore"):
            close = same | (numpy.abs(g - w) <= tol * numpy.abs(w))
        assert close.all(), (part, z[~close], g[~close], w[~close])


def test_complex_specials_patch_a_device_librarys_values():
    """The GPU path's correction (``ufuncs._complex_specials``), run with NumPy standing
    in for the device library and a stand-in function that gets every special value
    wrong: NumPy's values at the special elements, the library's elsewhere, broadcast
    operands and ``out=`` included."""
    from arrbackend.api import ufuncs
    z = numpy.array([complex(r, i) for r in _SPECIAL_PARTS for i in _SPECIAL_PARTS])
    special = ~numpy.isfinite(z) | (z == 0) | numpy.signbit(z.real) & (z.real == 0) | \
        numpy.signbit(z.imag) & (z.imag == 0)

    def wrong(x, **kw):                 # (a library whose special values are all NaN)
        with numpy.errstate(all="ignore"):
            r = numpy.asarray(numpy.log(x))     # (an array, as a device library's)
        r[special[: r.size].reshape(r.shape) if r.shape == z.shape else
          numpy.zeros(r.shape, bool)] = complex(numpy.nan, numpy.nan)
        return r

    with numpy.errstate(all="ignore"):
        want = numpy.log(z)
        got = ufuncs._complex_specials(numpy, numpy.log, wrong, z)
        out = numpy.empty_like(z)
        assert ufuncs._complex_specials(numpy, numpy.log, wrong, z, out=out) is out
        # one element as a 0-d array (a result of its shape), and a strided operand
        zero_d = [ufuncs._complex_specials(numpy, numpy.log, wrong, numpy.asarray(v))
                  for v in z]
        strided = ufuncs._complex_specials(numpy, numpy.log, wrong, z[::2])
    assert all(g.shape == () for g in zero_d)
    numpy.testing.assert_array_equal(numpy.array(zero_d), want)
    numpy.testing.assert_array_equal(strided, want[::2])
    for g in (got, out):
        numpy.testing.assert_array_equal(g, want)
        assert (numpy.signbit(g.imag) == numpy.signbit(want.imag)).all()


def test_half_spacing_is_numpys_bit_for_bit():
    """The GPU path's float16 ``spacing`` (``ufuncs._half_spacing``, NumPy standing in
    for the device library) over every float16 value: NumPy's ``npy_half_spacing``,
    positive always, the gap below a negative power of two."""
    from arrbackend.api import ufuncs
    every = numpy.arange(1 << 16, dtype=numpy.uint16).view(numpy.float16)
    with numpy.errstate(all="ignore"):
        want = numpy.spacing(every)
    got = ufuncs._half_spacing(numpy, every)
    numpy.testing.assert_array_equal(got.view(numpy.uint16), want.view(numpy.uint16))
    assert ufuncs._half_spacing(numpy, numpy.asarray(numpy.float16(-1))).shape == ()


def test_complex_clip_is_numpys():
    """The GPU path's clip of complex values (``manipulation._complex_clip``, NumPy
    standing in for the device library, whose clip takes no complex values): ordered by
    real then imaginary part, NaN in either operand propagated, one bound or both."""
    from arrbackend.api.manipulation import _complex_clip
    rng = numpy.random.default_rng(5)
    x = rng.integers(-3, 4, 300) + 1j * rng.integers(-3, 4, 300)
    x[::17] = complex(numpy.nan, 1)
    x[5::23] = complex(1, numpy.nan)
    for lo, hi in [(-1, 2), (1 + 1j, 2 - 1j), (None, 0.5j), (-1j, None),
                   (numpy.array(1 + 2j), complex(numpy.nan, 0)),
                   (x[::-1], x[::-1] + 1)]:
        with numpy.errstate(invalid="ignore"):
            want = numpy.clip(x, lo, hi)
        got = _complex_clip(numpy, x, lo, hi)
        assert ((got == want) | (numpy.isnan(got) & numpy.isnan(want))).all(), (lo, hi)


_POWER_PARTS = (0.0, -0.0, 1.0, -1.5, 2.0, numpy.inf, numpy.nan)


@pytest.mark.parametrize("name", ["power", "float_power"])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_power_is_numpys(machine, name, dtype):
    """Complex power on every device: ``0 ** 0`` is 1, a zero base gives 0 or NaN by the
    exponent's real part, small integer exponents and special values give NumPy's values
    exactly; other values agree within the dtype's rounding. (A GPU's library computes
    every complex power as ``exp(b log a)``, NaN at ``0 ** 0``.)"""
    zs = [complex(r, i) for r in _POWER_PARTS for i in _POWER_PARTS]
    exps = zs + [3, -2, 5, 1j, 0.5 - 2j]
    a = numpy.array(zs, dtype)[:, None]
    b = numpy.array(exps, dtype)[None, :]
    fn = getattr(numpy, name)
    with numpy.errstate(all="ignore"):
        want = fn(a, b)
        got = ab.asnumpy(fn(to_ours(a), to_ours(b)))
        also = ab.asnumpy(to_ours(a) ** to_ours(b)) if name == "power" else got
        v0 = ab.arange(3, dtype=dtype)                 # (a program that found it)
        first = ab.asnumpy(fn(v0, v0))
    assert got.dtype == want.dtype and also.dtype == want.dtype
    numpy.testing.assert_array_equal(first, fn(numpy.arange(3, dtype=dtype),
                                               numpy.arange(3, dtype=dtype)))
    exact = ~numpy.isfinite(a) | ~numpy.isfinite(b) | (a == 0) | (b == 0) | \
        ((b.imag == 0) & (b.real == numpy.round(b.real)) & (numpy.abs(b.real) < 100))
    exact = numpy.broadcast_to(exact, want.shape)
    for res in (got, also):
        for part in ("real", "imag"):
            g, w = getattr(res, part), getattr(want, part)
            same = (g == w) | numpy.isnan(g) & numpy.isnan(w)
            assert same[exact].all(), (a.repeat(b.size, 1)[exact & ~same],
                                       b.repeat(a.size, 0)[exact & ~same],
                                       g[exact & ~same], w[exact & ~same])
            tol = 16 * numpy.finfo(g.dtype).eps
            with numpy.errstate(invalid="ignore"):
                close = same | (numpy.abs(g - w) <= tol * numpy.abs(want))
            assert close.all(), (part, numpy.broadcast_to(a, want.shape)[~close][:6],
                                 numpy.broadcast_to(b, want.shape)[~close][:6],
                                 g[~close][:6], w[~close][:6])


def _complex_ufuncs():
    """Every ufunc with a complex loop (NumPy's ``types``), with its arity."""
    names = []
    for uf in UFUNCS:
        if uf.nout == 1 and any(t.startswith("D" * uf.nin) for t in uf.types):
            names.append(uf.__name__)
    return sorted(set(names))


_EDGE_PARTS = (0.0, -0.0, 1.0, -2.5, numpy.inf, -numpy.inf, numpy.nan)


@pytest.mark.parametrize("name", _complex_ufuncs())
def test_every_complex_ufunc_at_edge_values(machine, name):
    """Every ufunc NumPy computes for complex values, over a grid of edge values (signed
    zeros, infinities, NaNs in either part), gives NumPy's values on every device: equal
    where an input has a zero, infinite or NaN part (NaNs as NaNs, in either part), and
    within the dtype's rounding elsewhere. A device library has its own special-value
    rules; this is the whole class, where a few functions were checked by name before."""
    uf = getattr(numpy, name)
    zs = numpy.array([complex(r, i) for r in _EDGE_PARTS for i in _EDGE_PARTS])
    ins = [zs] if uf.nin == 1 else [zs[:, None], zs[None, :]]
    with numpy.errstate(all="ignore"):
        want = uf(*ins)                     # (each has a loop for these: _complex_ufuncs)
        ours = to_ours(*ins)
        got = ab.asnumpy(uf(*(ours if isinstance(ours, tuple) else (ours,))))
    assert got.dtype == want.dtype and got.shape == want.shape
    plain = numpy.ones(want.shape, bool)     # (no infinite or NaN part, not 0, no -0)
    for z in ins:
        plain &= numpy.isfinite(z) & (z != 0)
        if name not in ("power", "float_power"):    # (a signed zero part is no special
            plain &= ~(numpy.signbit(z.real) & (z.real == 0)) & \
                ~(numpy.signbit(z.imag) & (z.imag == 0))    # case of NumPy's power)
    if name in ("power", "float_power"):            # (integer exponents: exact)
        e = ins[1]
        plain &= ~((e.imag == 0) & (e.real == numpy.round(e.real)) & (abs(e.real) < 100))
    parts = ("real", "imag") if want.dtype.kind == "c" else ("real",)
    for part in parts:
        g, w = getattr(got, part), getattr(want, part)
        if w.dtype.kind == "b":
            bad = g != w
        else:
            same_ = (g == w) | numpy.isnan(g) & numpy.isnan(w)
            with numpy.errstate(invalid="ignore"):
                close = same_ | (numpy.abs(g - w) <= 16 * numpy.finfo(w.dtype).eps
                                 * numpy.abs(w))
            bad = numpy.where(plain, ~close, ~same_)
        where = numpy.argwhere(bad)[:5]
        assert not bad.any(), (name, part, [[z[tuple(numpy.minimum(k, numpy.array(z.shape)
                                                                  - 1))] for z in ins]
                                            for k in where], g[bad][:5], w[bad][:5])


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint8", "uint32"])
def test_shifts_by_the_width_or_more(machine, dtype):
    """A shift by the dtype's width or more, or by a negative count, is NumPy's: 0, and
    -1 for a right shift of a negative value (a device's shift instruction takes the
    count modulo the width)."""
    signed = numpy.dtype(dtype).kind == "i"
    x = numpy.array([0, 1, -8 if signed else 200, 5, 1 << 6], dtype)[:, None]
    counts = [0, 1, 7, 8, 31, 32, 63, 64, 65, 100] + ([-1, -100] if signed else [200])
    n = numpy.array(counts, dtype)[None, :]
    for fn in (numpy.left_shift, numpy.right_shift):
        for args in ((x, n), (x, numpy.array(70, dtype)), (x, 70), (x, 3)):
            numpy.testing.assert_array_equal(ab.asnumpy(fn(*to_ours(*args))), fn(*args))
    y = to_ours(numpy.broadcast_to(x, (5, 5)).copy())
    y <<= to_ours(n[:, -5:])
    numpy.testing.assert_array_equal(ab.asnumpy(y), x << n[:, -5:])


def test_integer_power_with_a_negative_exponent_array_raises(machine):
    """NumPy refuses an integer array raised to a negative integer array element, on
    every device (a device library computes 0 or 1)."""
    v = numpy.array([0, 0, -1])
    for call in (lambda a, b: a ** b, numpy.power):
        with pytest.raises(ValueError, match="negative integer powers"):
            call(to_ours(v), to_ours(v))
    numpy.testing.assert_array_equal(ab.asnumpy(to_ours(v) ** to_ours(abs(v))), v ** abs(v))
    empty = numpy.zeros(0, numpy.int64)
    assert ab.asnumpy(to_ours(empty) ** to_ours(empty - 1)).shape == (0,)


def test_numpy_scalars_promote_as_numpy_promotes(machine):
    """A NumPy scalar or a 0-d array takes part in promotion by its dtype (NEP 50) on
    every device: a uint8 array compared with ``int8(-3)`` is compared in int16."""
    u = numpy.arange(3, dtype=numpy.uint8)
    for fn, s in ((numpy.less, numpy.int8(-3)), (numpy.greater, numpy.int8(-3)),
                  (numpy.add, numpy.int8(-3)), (numpy.maximum, numpy.int16(-300)),
                  (numpy.multiply, numpy.float64(0.5)), (numpy.equal, numpy.int8(-1))):
        for args in ((u, s), (s, u), (u, numpy.asarray(s)), (numpy.asarray(s), u)):
            want = fn(*args)
            got = fn(*to_ours(*args))       # (a 0-d array: arrbackend's own)
            assert got.dtype == want.dtype
            numpy.testing.assert_array_equal(ab.asnumpy(got), want)


def test_float16_floor_division_of_a_large_python_int(machine):
    """A Python int beyond float16's range is an infinity in a float16 loop, also where
    a device computes float16 in float32: ``2**40 // float16(-2)`` is NaN, as NumPy's."""
    h = numpy.array([-2.0, 3.0, 0.5], numpy.float16)
    with numpy.errstate(all="ignore"):
        for fn in (numpy.floor_divide, numpy.remainder):
            numpy.testing.assert_array_equal(ab.asnumpy(fn(2**40, to_ours(h))), fn(2**40, h))
        q, r = numpy.divmod(2**40, to_ours(h))
        wq, wr = numpy.divmod(2**40, h)
    numpy.testing.assert_array_equal(ab.asnumpy(q), wq)
    numpy.testing.assert_array_equal(ab.asnumpy(r), wr)


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8", "uint64"])
def test_integer_division_edges(machine, dtype):
    """Integer floor division, remainder and divmod at their edges give NumPy's values on
    every device: by zero (0), the smallest value by -1 (NumPy's wrapped quotient), and
    every sign combination."""
    info = numpy.iinfo(dtype)
    vals = [0, 1, 7, info.max, info.min] + ([-1, -7] if info.min < 0 else [])
    x = numpy.array(vals, dtype)[:, None]
    y = numpy.array(vals, dtype)[None, :]
    with numpy.errstate(all="ignore"):
        for fn in (numpy.floor_divide, numpy.remainder, numpy.fmod):
            numpy.testing.assert_array_equal(ab.asnumpy(fn(*to_ours(x, y))), fn(x, y))
        q, r = numpy.divmod(*to_ours(x, y))
        wq, wr = numpy.divmod(x, y)
    numpy.testing.assert_array_equal(ab.asnumpy(q), wq)
    numpy.testing.assert_array_equal(ab.asnumpy(r), wr)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_float_division_edges(machine, dtype):
    """Float floor division, remainder, fmod and divmod over signed zeros, infinities,
    NaNs and large values give NumPy's values on every device, signs of zeros included."""
    vals = [0.0, -0.0, 1.0, -1.0, 2.5, -7.0, 0.1, 1e30, -1e-30, numpy.inf, -numpy.inf,
            numpy.nan]
    with numpy.errstate(all="ignore"):
        x = numpy.array(vals, dtype)[:, None]
        y = numpy.array(vals, dtype)[None, :]
        got = [ab.asnumpy(r) for r in (numpy.floor_divide(*to_ours(x, y)),
                                       numpy.remainder(*to_ours(x, y)),
                                       numpy.fmod(*to_ours(x, y)),
                                       *numpy.divmod(*to_ours(x, y)))]
        want = [numpy.floor_divide(x, y), numpy.remainder(x, y), numpy.fmod(x, y),
                *numpy.divmod(x, y)]
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        numpy.testing.assert_array_equal(g, w)
        assert ((numpy.signbit(g) == numpy.signbit(w)) | numpy.isnan(w)).all()


@pytest.mark.parametrize("dtype", ["float64", "float32", "int16", "bool"])
def test_clip_keeps_nans_and_crossed_bounds(machine, dtype):
    """``np.clip`` is ``minimum(maximum(x, lo), hi)`` on every device, as NumPy's: a NaN
    value stays NaN, bounds that cross give ``hi``, a NaN bound propagates, and a
    ``None`` bound bounds nothing (a device library's clip takes fmax/fmin, and no
    ``None``)."""
    x = numpy.array([0.0, numpy.nan, 5.0, -3.0, 1.5, 2.0]) if dtype.startswith("float") \
        else numpy.array([0, 1, 5, -3, 1, 2])
    x = x.astype(dtype)
    bounds = [(2, -1), (0, 1), (0, None), (None, 2)]
    if dtype.startswith("float"):
        bounds.append((numpy.nan, 1))
    for lo, hi in bounds:
        with numpy.errstate(all="ignore"):
            want = numpy.clip(x, lo, hi)
            got = ab.asnumpy(numpy.clip(to_ours(x), lo, hi))
        assert got.dtype == want.dtype
        numpy.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["less", "less_equal", "greater", "greater_equal", "equal",
                                  "not_equal"])
def test_uint64_compared_with_signed_integers(machine, name):
    """A uint64 operand compared with a signed integer one is compared exactly (NumPy's
    ``Qq->?`` loops): a negative value is below every unsigned one, and values beyond
    float64's precision stay apart -- on every device, fused or not (C, and a device
    library, take the signed value as unsigned or compare in float64)."""
    fn = getattr(numpy, name)
    u = numpy.array([0, 1, 2, 2**63, 2**64 - 1, 2**63 + 1], numpy.uint64)
    for s in (numpy.array([-3, 1, 3, -1, 2**63 - 1, 2**63 - 1], numpy.int64),
              numpy.array([-3, 1, 3, -1, 127, 5], numpy.int8), numpy.int8(-3),
              numpy.int64(2**62)):
        for args in ((u, s), (s, u)):
            want = fn(*args)
            got = fn(*to_ours(*args))
            assert got.dtype == want.dtype
            numpy.testing.assert_array_equal(ab.asnumpy(got), want)
    v = numpy.cumprod(numpy.arange(3, dtype=numpy.uint8))   # (a program that found it)
    numpy.testing.assert_array_equal(ab.asnumpy(fn(to_ours(v), numpy.int8(-3))),
                                     fn(v, numpy.int8(-3)))
