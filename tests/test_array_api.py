"""The Array API front door: the namespace's identity and inspection API, and the cases
where the standard's test suite (array-api-tests) once found us wrong, pinned so that they
stay right.  ``tests/array_api_known_failures.txt`` lists what that suite still reports, and
why each is NumPy's behaviour rather than a bug."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as xp
from helpers import check, same


def test_namespace_identity(machine):
    x = xp.asarray([1.0, 2.0])
    assert x.__array_namespace__() is xp
    assert xp.__array_api_version__ == "2025.12"
    info = xp.__array_namespace_info__()
    assert info.capabilities()["boolean indexing"] is True
    assert isinstance(info.devices(), tuple) and x.device in info.devices()
    assert info.default_dtypes()["real floating"] == xp.float64
    assert set(info.dtypes(kind="integral")) == {"int8", "int16", "int32", "int64",
                                                 "uint8", "uint16", "uint32", "uint64"}


def test_argsort_keeps_ties_in_order(machine):
    # the standard asks for a stable sort by default; NumPy's default allows it
    a = numpy.array([3, 1, 3, 1, 2, 3, 1, 2] * 5, dtype=numpy.int8)
    check(xp.argsort(xp.asarray(a)), numpy.argsort(a, kind="stable"))
    check(xp.argsort(xp.asarray(a), descending=True),
          (len(a) - 1 - numpy.argsort(a[::-1], kind="stable"))[::-1])


@pytest.mark.parametrize("dtype", ["uint8", "int16", "float32", "complex64"])
def test_vecdot_keeps_the_loop_dtype(machine, dtype):
    a = (numpy.arange(12) % 7).astype(dtype).reshape(3, 4)
    b = (numpy.arange(12) % 5 + 250 % 7).astype(dtype).reshape(3, 4)
    same(lambda x, y: numpy.vecdot(x, y), a, b)
    if dtype != "complex64":
        check(xp.linalg.vecdot(xp.asarray(a), xp.asarray(b)), numpy.vecdot(a, b))


@pytest.mark.parametrize("fn,a,b", [("vecdot", (1,), (2,)), ("vecdot", (3, 1), (3, 2)),
                                    ("matvec", (2, 3), (4,)), ("vecmat", (3,), (4, 2))])
def test_gufunc_core_dimensions_must_match(machine, fn, a, b):
    # a core dimension of size 1 does not broadcast (the suite found vecdot((1,), (2,)) = 0)
    with pytest.raises(ValueError) as ours:
        getattr(xp, fn)(xp.zeros(a), xp.zeros(b))
    with pytest.raises(ValueError) as theirs:
        getattr(numpy, fn)(numpy.zeros(a), numpy.zeros(b))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("fn", ["fftfreq", "rfftfreq"])
@pytest.mark.parametrize("dtype", [None, "float32"])
def test_fftfreq_dtype(machine, fn, dtype):
    got = getattr(xp.fft, fn)(7, d=0.5, dtype=dtype)
    want = getattr(numpy.fft, fn)(7, d=0.5).astype(dtype or "float64")
    check(got, want)


@pytest.mark.parametrize("shape,mask_shape", [
    ((0, 1), (0, 0)), ((1, 0), (0, 0)), ((1, 3), (0, 3)), ((2, 1, 2), (2, 0)), ((0, 2), (0, 0)),
    ((3, 2), (0, 2)), ((3, 2), (3, 0)), ((3,), (0,)), ((0, 2, 3), (0, 0)),
    ((3, 2), (1, 0)), ((3, 2), (0, 1)), ((3, 2), (2, 0))])   # the last three: IndexError
def test_empty_boolean_mask_axes(machine, shape, mask_shape):
    x = numpy.arange(int(numpy.prod(shape)), dtype=float).reshape(shape)
    m = numpy.zeros(mask_shape, bool)
    same(lambda a, b: a[b], x, m)


def test_empty_boolean_mask_with_integer_arrays(machine):
    x = numpy.arange(6.0).reshape(2, 3)
    same(lambda a: a[numpy.array([], bool), numpy.array([0])], x)
    same(lambda a: a[numpy.array([0]), numpy.array([], bool)], x)


def test_dlpack_of_split_array(machine):
    a = numpy.arange(20.0).reshape(5, 4)
    x = xp.asarray(a)
    if x.device.kind == "cpu":
        check(xp.asarray(numpy.from_dlpack(x)), a)
        back = xp.from_dlpack(x)
        check(back, a)
    if len(machine.devices) > 1:
        # one buffer cannot be shared without copying the shards together
        with pytest.raises(BufferError, match="copy"):
            x.__dlpack__(copy=False)


def test_ufunc_signatures_are_numpys():
    """``inspect.signature`` of the namespace's ufuncs gives NumPy's parameters (the
    Array API suite checks ``vecdot``'s ``axis``), not ``*args, **kwargs``."""
    import inspect
    for name in ("vecdot", "add", "sin", "matmul"):
        assert inspect.signature(getattr(xp, name)) == \
            inspect.signature(getattr(numpy, name))
    assert "axis" in inspect.signature(xp.vecdot).parameters
