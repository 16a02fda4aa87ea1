"""Outputs and argument checks as NumPy has them, through both doors (``np.*`` on
arrbackend arrays under the protocols, and the ``arrbackend`` namespace), on every
machine: NumPy arrays as outputs of the namespace's functions, ``None`` entries of
``out=``, another library's ``__array_ufunc__`` beside arrbackend arrays, and the
argument checks of ``ravel``/``flatten``/``reshape``/``searchsorted``/``repeat``."""
from __future__ import annotations

import re

import numpy
import pytest

import arrbackend as ab

Z = numpy.array([1 + 2j, numpy.inf + 0j, -numpy.inf + 1j, 0j, -0.5 - 3j])


@pytest.mark.parametrize("name", ["expm1", "tanh", "sin"])
def test_a_numpy_array_takes_a_complex_result(machine, name):
    # the namespace's complex expm1/tanh (the standard's special cases) into NumPy's array
    x = ab.asarray(Z)
    got_np = numpy.full(Z.shape, 7 + 7j)
    got_ab = ab.full(Z.shape, 7 + 7j)
    with numpy.errstate(all="ignore"):
        r1 = getattr(ab, name)(x, got_np)
        r2 = getattr(ab, name)(x, out=got_ab)
    assert r1 is got_np and r2 is got_ab
    numpy.testing.assert_array_equal(got_np, ab.asnumpy(got_ab))


@pytest.mark.parametrize("door", ["numpy", "namespace"])
def test_none_entries_of_out_are_new_arrays(machine, door):
    xn = numpy.array([1.25, 2.5, -3.75], dtype=numpy.float32)
    x = ab.asarray(xn)
    mod = numpy if door == "numpy" else ab
    want_m, want_e = numpy.frexp(xn)
    m = ab.empty_like(x)
    r = mod.frexp(x, out=(m, None))
    assert r[0] is m
    numpy.testing.assert_array_equal(ab.asnumpy(r[0]), want_m)
    numpy.testing.assert_array_equal(ab.asnumpy(r[1]), want_e)
    assert r[1].dtype == want_e.dtype
    e = ab.empty(3, dtype=numpy.int32)
    r = mod.frexp(x, None, e)                   # (the second output given by position)
    assert r[1] is e
    numpy.testing.assert_array_equal(ab.asnumpy(e), want_e)
    f = numpy.zeros(3, numpy.float64)           # a NumPy array: cast as NumPy casts
    frac, whole = mod.modf(x, out=(None, f))
    assert whole is f
    numpy.testing.assert_array_equal(f, numpy.modf(xn)[1])
    numpy.testing.assert_array_equal(ab.asnumpy(frac), numpy.modf(xn)[0])


def test_out_errors_are_numpys(machine):
    x = ab.asarray(numpy.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="The 'out' tuple must have exactly one entry per "
                                         "ufunc output"):
        ab.frexp(x, out=(ab.empty_like(x),))
    for f in (lambda: ab.add(x, x, out=123), lambda: numpy.add(x, x, out=123)):
        with pytest.raises(TypeError, match="return arrays must be of ArrayType"):
            f()
    with pytest.raises(TypeError):
        numpy.frexp(x, out=(ab.empty_like(x), 5))


class _Other:
    """Another library's array: it takes part in NumPy's ufunc protocol."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return ("other", ufunc.__name__, method)

    def __array_function__(self, func, types, args, kwargs):
        return ("other", func.__name__)


def test_another_librarys_operand_is_asked(machine):
    x = ab.asarray(numpy.arange(3.0))
    other = _Other()
    assert numpy.add(x, other) == ("other", "add", "__call__")
    assert numpy.add(x, x, out=other) == ("other", "add", "__call__")
    assert numpy.add(x, x, where=other) == ("other", "add", "__call__")
    assert numpy.add.reduce(x, out=other) == ("other", "add", "reduce")
    # NumPy's own arrays and scalars stay arrbackend's to answer
    got = numpy.add(x, numpy.float32(2))
    assert isinstance(got, ab.ndarray)
    numpy.testing.assert_array_equal(ab.asnumpy(got), numpy.arange(3.0) + numpy.float32(2))
    assert float(numpy.add.reduce(x)) == 3.0


@pytest.mark.parametrize("call, exc", [
    (lambda m, a: a.flatten(0), TypeError),
    (lambda m, a: a.flatten("Z"), ValueError),
    (lambda m, a: m.ravel(a, order="Z"), ValueError),
    (lambda m, a: m.ravel(a, order=1), TypeError),
    (lambda m, a: a.reshape(), TypeError),
    (lambda m, a: m.searchsorted(m.arange(6), m.arange(3), sorter=m.arange(3)), ValueError),
    (lambda m, a: m.repeat(a, [[1, 2, 3], [1, 2, 3]]), ValueError),
])
def test_bad_arguments_raise_numpys_errors(machine, call, exc):
    a = numpy.arange(6.0).reshape(2, 3)
    with pytest.raises(exc):
        call(numpy, a)
    with pytest.raises(exc):
        call(ab, ab.asarray(a))


@pytest.mark.parametrize("order", ["C", "F", "A", "K", "c", "f", None])
def test_ravel_and_flatten_orders(machine, order):
    a = numpy.arange(12.0).reshape(3, 4)[:, 1:]
    x = ab.asarray(numpy.arange(12.0).reshape(3, 4))[:, 1:]
    numpy.testing.assert_array_equal(ab.asnumpy(ab.ravel(x, order=order)),
                                     numpy.ravel(a, order=order))
    if order is not None:
        f = x.flatten(order)
        numpy.testing.assert_array_equal(ab.asnumpy(f), a.flatten(order))
        f[0] = -1                                   # a copy: x keeps its values
        assert float(x[0, 0]) == a[0, 0]


def test_ravel_multi_index_of_no_axes_is_zero(machine):
    got = ab.ravel_multi_index((), ())
    want = numpy.ravel_multi_index((), ())
    assert int(got) == want == 0 and numpy.asarray(got).dtype == want.dtype


def test_numpys_view_of_a_read_only_array_is_read_only(machine):
    x = ab.arange(4.0)
    x.setflags(write=False)
    h = numpy.asarray(x)
    assert not h.flags.writeable            # (as NumPy's asarray of a read-only array)
    with pytest.raises(ValueError):
        h[0] = 1.0
    assert float(x[0]) == 0.0
    assert numpy.array(x).flags.writeable   # a copy is the caller's to write
    assert numpy.asarray(ab.arange(4.0)).flags.writeable


def test_an_out_tuple_longer_than_the_outputs_is_refused(machine):
    a, o1, o2 = ab.arange(3), ab.empty(3, dtype=int), ab.empty(3, dtype=int)
    for f in (ab.add, numpy.add):
        with pytest.raises(ValueError, match="exactly one entry per ufunc output"):
            f(a, a, out=(o1, o2))


@pytest.mark.parametrize("call", [
    lambda m, a: m.flip(a, axis=2.5),
    lambda m, a: m.moveaxis(a, [0.0, 1], [1, 0]),
    lambda m, a: m.moveaxis(a, 0.0, 1),
    lambda m, a: m.put_along_axis(a, m.zeros((2, 3), dtype=int), 1.0, axis=0.0),
    lambda m, a: m.take_along_axis(a, m.zeros((2, 3), dtype=int), axis=0.0),
    lambda m, a: m.diag_indices(None),
    lambda m, a: m.random.random(1.5),
    lambda m, a: m.random.normal(0.0, 1.0, size=2.0),
])
def test_non_integer_arguments_get_numpys_type_error_and_words(machine, call):
    a = numpy.arange(6.0).reshape(2, 3)
    with pytest.raises(TypeError) as want:
        call(numpy, a)
    with pytest.raises(TypeError, match=re.escape(str(want.value))):
        call(ab, ab.asarray(a))


@pytest.mark.parametrize("order", ["F", "f", "c", "A"])
def test_reshape_takes_numpys_order_letters(machine, order):
    a = numpy.arange(12.0).reshape(3, 4)
    got = ab.reshape(ab.asarray(a), (4, 3), order=order)
    numpy.testing.assert_array_equal(ab.asnumpy(got), numpy.reshape(a, (4, 3), order=order))
    with pytest.raises(ValueError):
        ab.reshape(ab.asarray(a), (4, 3), order="Z")


_POSITIONAL_OUT = [
    ("a.sum(0, None, out)", lambda xp, a, o: a.sum(0, None, o)),
    ("sum(a, 0, None, out)", lambda xp, a, o: xp.sum(a, 0, None, o)),
    ("a.mean(0, None, out)", lambda xp, a, o: a.mean(0, None, o)),
    ("a.max(0, out)", lambda xp, a, o: a.max(0, o)),
    ("a.argmin(0, out)", lambda xp, a, o: a.argmin(0, o)),
    ("cumsum(a[0], 0, None, out)", lambda xp, a, o: xp.cumsum(a[0], 0, None, o)),
    ("dot(a[0], eye, out)", lambda xp, a, o: xp.dot(a[0], xp.eye(3), o)),
    # NumPy's own functions, reaching arrbackend through its protocol
    ("numpy.sum(a, 0, None, out)", lambda xp, a, o: numpy.sum(a, 0, None, o)),
    ("numpy.mean(a, 0, None, out)", lambda xp, a, o: numpy.mean(a, 0, None, o)),
    ("numpy.cumsum(a[0], 0, None, out)", lambda xp, a, o: numpy.cumsum(a[0], 0, None, o)),
    ("numpy.clip(a[0], 1, 2, out)", lambda xp, a, o: numpy.clip(a[0], 1, 2, o)),
]


@pytest.mark.parametrize("name,f", _POSITIONAL_OUT, ids=[c[0] for c in _POSITIONAL_OUT])
def test_out_by_position_is_checked_and_written(machine, name, f):
    """An ``out`` given by position is NumPy's ``out=``: a read-only one raises NumPy's
    ValueError (nothing written), a writable one takes the result."""
    a = numpy.arange(6.0).reshape(2, 3) * 1.5
    dt = numpy.intp if "arg" in name else numpy.float64
    x = ab.asarray(a)
    ro = ab.diagonal(ab.zeros((3, 3), dtype=dt))          # read-only, as in NumPy
    with pytest.raises(ValueError):
        f(numpy, a, numpy.diagonal(numpy.zeros((3, 3), dtype=dt)))
    with pytest.raises(ValueError):
        f(ab, x, ro)
    assert not ab.asnumpy(ro).any()
    want = numpy.zeros(3, dtype=dt)
    f(numpy, a, want)
    got = ab.zeros(3, dtype=dt)
    r = f(ab, x, got)
    assert r is got
    numpy.testing.assert_allclose(ab.asnumpy(got), want)
