"""One test per section of docs/differences.md: the behaviour each section describes,
where NumPy's answer cannot be given."""
from __future__ import annotations

import inspect
import warnings

import numpy
import pytest

import arrbackend as ab
from arrbackend import FallbackWarning
from arrbackend.api import protocol


def test_arrays_are_not_numpy_ndarray(multi):
    x = ab.arange(4.0)
    assert not isinstance(x, numpy.ndarray) and isinstance(x, ab.ndarray)
    assert x[1:].base is None
    assert type(ab.asnumpy(x)) is numpy.ndarray
    words = ab.asarray(["b", "a"])              # data devices cannot hold stays NumPy's
    assert type(words) is numpy.ndarray
    assert ab.sort(words).tolist() == ["a", "b"]
    with pytest.warns(FallbackWarning):
        mixed = ab.concatenate([x, numpy.array(["c"])])
    assert type(mixed) is numpy.ndarray and mixed.tolist() == ["0.0", "1.0", "2.0", "3.0", "c"]


def test_zero_d_arrays_instead_of_numpy_scalars(multi):
    s = ab.arange(4.0).sum()
    first = ab.arange(4.0)[0]
    assert isinstance(s, ab.ndarray) and s.ndim == 0 and first.ndim == 0
    assert float(s) + 1 == 7.0 and f"{s:.2f}" == "6.00" and s.item() == 6.0
    with pytest.raises(TypeError, match="unhashable"):
        {s: "six"}


def test_zero_d_nan_into_integers_raises_as_numpys_scalar(multi):
    a = ab.zeros(3, dtype=numpy.int64)
    with pytest.raises(ValueError):
        numpy.zeros(3, numpy.int64)[0] = numpy.float64("nan")      # (NumPy's scalar)
    with pytest.raises(ValueError):
        a[0] = ab.asarray(numpy.array(numpy.nan))
    with pytest.raises(OverflowError):
        a[1:] = ab.sum(ab.asarray([numpy.inf]))
    assert ab.asnumpy(a).tolist() == [0, 0, 0]
    small = ab.asarray(numpy.array([127, 1], numpy.int8))
    with pytest.raises(OverflowError):
        numpy.zeros(2, numpy.int8)[0] = numpy.sum(numpy.array([127, 1], numpy.int8))
    small[0] = ab.sum(small)                # (a 0-d array of 128: wraps, as NumPy's would)
    want = numpy.array([127, 1], numpy.int8)
    want[0] = numpy.array(128)
    assert ab.asnumpy(small).tolist() == want.tolist() == [-128, 1]
    assert (numpy.all(numpy.ones(2)) ** 2).dtype == numpy.int64            # NumPy's scalar
    assert (numpy.array(True) ** 2).dtype == numpy.int8                    # NumPy's array
    assert (ab.all(ab.ones(2)) ** 2).dtype == numpy.int8


def test_complex_zero_d_arrays_convert_as_numpy_scalars(multi):
    z = ab.asarray(numpy.array(1.5 + 2j))
    with pytest.warns(numpy.exceptions.ComplexWarning):
        assert float(z) == float(numpy.complex128(1.5 + 2j).real) == 1.5
    with pytest.raises(TypeError):
        float(numpy.array(1.5 + 2j))          # (NumPy's 0-d array refuses)


def test_random_streams_differ_from_numpys_and_not_across_devices():
    with ab.devices("cpu:1"):
        ab.random.seed(42)
        ours = ab.asnumpy(ab.random.rand(5))
    with ab.devices("cpu:3"), ab.settings.override(split_bytes=0):
        ab.random.seed(42)
        spread = ab.asnumpy(ab.random.rand(5))
    theirs = numpy.random.RandomState(42).rand(5)
    assert not (ours == theirs).any()
    numpy.testing.assert_array_equal(ours, spread)


def test_reshape_copies_when_the_shards_cannot_be_kept():
    with ab.devices("cpu:3"), ab.settings.override(split_bytes=0):
        x = ab.arange(12.0).reshape(4, 3)
        y = x.reshape(3, 4)
        y[0, 0] = 100.0
        assert float(x[0, 0]) == 0.0 and float(y[0, 0]) == 100.0
        with pytest.raises(ValueError, match="Unable to avoid creating a copy"):
            x.reshape(3, 4, copy=False)


def test_arrays_made_from_numpy_arrays_hold_a_copy(machine):
    h = numpy.arange(3.0)
    for x in (ab.asarray(h), ab.asarray(h, copy=None), ab.asanyarray(h)):
        x[0] = 10.0
        assert h[0] == 0.0 and float(x[0]) == 10.0
        h[1] = -1.0
        assert float(x[1]) == 1.0
        h[1] = 1.0
    h.flags.writeable = False
    assert not ab.asarray(h).flags.writeable and not ab.asarray(h[::2]).flags.writeable
    assert ab.asarray(h, dtype=numpy.float32).flags.writeable and ab.array(h).flags.writeable


def test_memory_is_c_ordered(machine):
    f = ab.asfortranarray(ab.ones((2, 3)))
    assert not f.flags.f_contiguous and numpy.asfortranarray(numpy.ones((2, 3))).flags.f_contiguous
    g = ab.ones((2, 3), order="F")
    assert g.flags.c_contiguous and not g.flags.f_contiguous
    numpy.testing.assert_array_equal(ab.asnumpy(ab.ravel(ab.arange(6).reshape(2, 3), "F")),
                                     numpy.ravel(numpy.arange(6).reshape(2, 3), "F"))
    v = ab.ones((3, 4))[:, ::2]
    assert not v.flags.c_contiguous and not numpy.ones((3, 4))[:, ::2].flags.c_contiguous


def test_the_constructor_copies_its_buffer_and_data_is_a_copy(machine):
    b = numpy.array([1.0, 2.0])
    x = protocol.new((2,), float, buffer=b)
    x[0] = 5.0
    b[1] = 7.0
    assert b.tolist() == [1.0, 7.0] and ab.asnumpy(x).tolist() == [5.0, 2.0]
    d = protocol.data(x)
    assert d.readonly and bytes(d) == numpy.array([5.0, 2.0]).tobytes()
    with pytest.raises(TypeError):
        d[0] = 1


def test_no_copy_free_export_of_arrays_spread_over_devices():
    with ab.devices("cpu:3"), ab.settings.override(split_bytes=0):
        x = ab.arange(6.0)
        with pytest.raises(ValueError, match="unable to avoid a copy"):
            numpy.asarray(x, copy=False)
        with pytest.raises(BufferError):
            x.__dlpack__(copy=False)
        numpy.testing.assert_array_equal(numpy.asarray(x), numpy.arange(6.0))
        numpy.testing.assert_array_equal(numpy.from_dlpack(x), numpy.arange(6.0))


def test_integers_to_negative_integer_powers_raise_before_computing(machine):
    x, none = ab.arange(1, 4), ab.zeros(3, bool)
    numpy.power(numpy.arange(1, 4), -1, out=numpy.zeros(3, int),
                where=numpy.zeros(3, bool))                             # NumPy: nothing
    with pytest.raises(ValueError, match="Integers to negative integer powers"):
        ab.power(x, -1, out=ab.zeros(3, int), where=none)
    assert ab.power(ab.arange(0), -1).shape == (0,)


def test_floating_point_errors_of_statements_computed_later():
    """A deferred statement (an array spread over devices) reports its floating-point
    errors when it is computed, at the line that wrote it; never, if never used."""
    with ab.devices("cpu:3"), ab.settings.override(split_bytes=0, fusion="auto"):
        x, z = ab.ones(6), ab.zeros(6)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            unused = x / z
            assert unused._store.pending and not seen
            del unused
            used = x / z
            line = inspect.currentframe().f_lineno - 1
            assert not seen
            assert float(used.sum()) == numpy.inf
        assert [str(w.message) for w in seen] == ["divide by zero encountered in divide"]
        assert seen[0].filename == __file__ and seen[0].lineno == line


def test_two_outputs_in_the_same_memory(machine):
    xn, yn = numpy.arange(1.0, 7.0).reshape(3, 2), numpy.full((3, 2), 4.0)
    vn = numpy.zeros((3, 2))
    numpy.divmod(xn, yn, out=(vn, vn))
    x, y, v = ab.asarray(xn), ab.asarray(yn), ab.zeros((3, 2))
    ab.divmod(x, y, out=(v, v))
    numpy.testing.assert_array_equal(ab.asnumpy(v), vn)           # NumPy's, no input there
    wn = numpy.arange(1.0, 7.0).reshape(3, 2)
    with pytest.raises(ValueError, match="WRITEBACKIFCOPY"):
        numpy.divmod(wn, wn[:, :1], out=(wn, wn))
    w = ab.asarray(numpy.arange(1.0, 7.0).reshape(3, 2))
    ab.divmod(w, w[:, :1], out=(w, w))                            # arrbackend computes
    q, r = numpy.divmod(numpy.arange(1.0, 7.0).reshape(3, 2), numpy.array([[1.], [3.], [5.]]))
    numpy.testing.assert_array_equal(ab.asnumpy(w), q)             # (the first output)
