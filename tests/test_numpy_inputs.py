"""Inputs NumPy accepts, answered as NumPy answers them: every registered function with
operands the devices do not hold (None, strings, object and string arrays, NumPy
arrays), NumPy arrays as ``out=`` and as the array written into, numbers coerced as
NumPy coerces them (float counts and indices), and scalars stored as NumPy stores them.
No internal error of arrbackend's (AttributeError, KeyError, ...) reaches the caller."""
from __future__ import annotations

import warnings

import numpy
import pytest

import arrbackend as ab
from arrbackend import FallbackWarning
from arrbackend.api.coerce import assigned_scalar
from arrbackend.api.registry import by_name
from helpers import check, check_any, same_code

# functions whose first argument is no array operand (file names, callables, sizes)
_NOT_OPERANDS = {"info", "fromstring", "fromfile", "load", "save", "savez",
                 "savez_compressed", "savetxt", "loadtxt", "genfromtxt", "fromregex",
                 "memmap", "frombuffer", "fromiter", "fromfunction"}
FUNCTIONS = sorted(key for key, impl in by_name().items()
                   if impl.numpy_func is not None and not key.startswith("numpy.random")
                   and key.partition(":")[2] not in _NOT_OPERANDS)

ODD = {
    "None": lambda: None,
    "str": lambda: "abc",
    "str-array": lambda: numpy.array(["b", "a", "c"]),
    "object-array": lambda: numpy.array([3, 1, 2], dtype=object),
    "numpy-array": lambda: numpy.array([3.0, 1.0, 2.0]),
    "mixed-list": lambda: [1, "a"],
}
_INTERNAL = (AttributeError, KeyError, IndexError, NameError, UnboundLocalError)


def _run(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn()
    except Exception as exc:
        return "raised", exc


@pytest.mark.parametrize("kind", sorted(ODD))
def test_every_function_with_an_operand_the_devices_do_not_hold(machine, kind):
    """Each registered function called with this operand alone gives NumPy's answer
    (NumPy's own result for host data) or raises NumPy's exception class."""
    problems = []
    for key in FUNCTIONS:
        impl = by_name()[key]
        theirs = _run(lambda: impl.numpy_func(ODD[kind]()))
        ours = _run(lambda: impl.func(ODD[kind]()))
        if theirs[0] == "raised":
            if ours[0] == "ok" or not isinstance(ours[1], type(theirs[1])):
                problems.append(f"{key}: NumPy raised {type(theirs[1]).__name__}, "
                                f"arrbackend {ours[1]!r:.120}")
            continue
        if ours[0] == "raised":
            problems.append(f"{key}: NumPy answered, arrbackend raised {ours[1]!r:.120}")
            continue
        try:
            if key.partition(":")[2].startswith("empty"):     # (values undefined)
                assert (numpy.shape(ours[1]), ours[1].dtype) == \
                    (numpy.shape(theirs[1]), theirs[1].dtype)
            else:
                check_any(ours[1], theirs[1])
        except AssertionError as exc:
            problems.append(f"{key}: {exc!s:.200}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("second", ["None", "str", "str-array", "object-array",
                                    "numpy-array", "mixed-list", "float", "dict"])
def test_no_internal_error_for_any_second_argument(machine, second):
    """Whatever the second argument, an error is NumPy's class or a TypeError/ValueError
    of arrbackend's, never an internal lookup error that NumPy does not raise."""
    make = dict(ODD, float=lambda: 1.5, dict=lambda: {"a": 1})[second]
    leaks = []
    for key in FUNCTIONS:
        impl = by_name()[key]
        for base in (numpy.arange(3.0), numpy.arange(6.0).reshape(2, 3)):
            theirs = _run(lambda: impl.numpy_func(base, make()))
            ours = _run(lambda: impl.func(ab.asarray(base), make()))
            if ours[0] == "raised" and isinstance(ours[1], _INTERNAL) and \
                    not isinstance(ours[1], numpy.exceptions.AxisError) and not (
                    theirs[0] == "raised" and isinstance(ours[1], type(theirs[1]))):
                leaks.append(f"{key}{base.shape}: {ours[1]!r:.150}")
    assert not leaks, "\n".join(leaks)


# -----------------------------------------------------------------------------------
# NumPy arrays as out= and as the array written into

OUT_CASES = {
    "cumsum": lambda np, o: np.cumsum(np.arange(4.0), out=o),
    "sum-axis": lambda np, o: np.sum(np.ones((4, 3)), axis=0, out=o[:3]),
    "mean-int8": lambda np, o: np.mean(np.arange(12).reshape(4, 3) * 50, axis=0,
                                       out=o[:3].view(numpy.int8)[:3]),
    "take": lambda np, o: np.take(np.arange(5.0), [1, 2, 0, 4], out=o),
    "clip": lambda np, o: np.clip(np.arange(4.0), 1, 2, out=o),
    "dot": lambda np, o: np.dot(np.ones((2, 2)), np.ones((2, 2)), out=o.reshape(2, 2)),
    "matmul": lambda np, o: np.matmul(np.ones((2, 2)), np.ones((2, 2)), out=o.reshape(2, 2)),
    "add": lambda np, o: np.add(np.arange(4.0), 1, out=o),
    "add.reduce": lambda np, o: np.add.reduce(np.ones((3, 4)), axis=0, out=o),
    "round": lambda np, o: np.round(np.arange(4.0) / 3, 2, out=o),
    "concatenate": lambda np, o: np.concatenate([np.ones(2), np.zeros(2)], out=o),
    "argmax": lambda np, o: np.argmax(np.ones((2, 4)), axis=0, out=o.view(numpy.int64)),
    "positional": lambda np, o: np.cumsum(np.arange(4.0), 0, None, o),
}


@pytest.mark.parametrize("case", sorted(OUT_CASES))
def test_numpy_array_as_out(machine, case):
    """The result is written into the NumPy array, which is returned (NumPy's checks of
    out= are kept: see test_ufunc_keywords)."""
    fn = OUT_CASES[case]
    theirs_out, ours_out = numpy.full(4, -7.0), numpy.full(4, -7.0)
    expected = fn(numpy, theirs_out)
    got = fn(ab, ours_out)
    numpy.testing.assert_array_equal(ours_out, theirs_out)
    assert type(got) is numpy.ndarray and numpy.shares_memory(got, ours_out)
    numpy.testing.assert_array_equal(got, expected)


def test_numpy_out_read_only_or_no_array(machine):
    ro = numpy.zeros(4)
    ro.flags.writeable = False
    for out in (ro, "x", [0.0] * 4, 3.0):
        same_code(lambda np: np.cumsum(np.arange(4.0), out=out))
        same_code(lambda np: np.add(np.arange(4.0), 1, out=out))
        same_code(lambda np: np.take(np.arange(4.0), [0, 1, 2, 3], out=out))


TARGET_CASES = {
    "put": lambda np, t, v: np.put(t, [0, 2], v[:2]),
    "place": lambda np, t, v: np.place(t, t > 1, v[:1]),
    "putmask": lambda np, t, v: np.putmask(t, t > 1, v),
    "copyto": lambda np, t, v: np.copyto(t, v),
    "fill_diagonal": lambda np, t, v: np.fill_diagonal(t.reshape(2, 2), v[:2]),
    "put_along_axis": lambda np, t, v: np.put_along_axis(t, np.asarray([1, 0]), v[:2], 0),
}


@pytest.mark.parametrize("case", sorted(TARGET_CASES))
def test_numpy_array_written_into(machine, case):
    """A function that writes into its first argument writes into a NumPy array there,
    as NumPy does (arrbackend values are gathered to it: a FallbackWarning)."""
    theirs, ours = numpy.arange(4.0), numpy.arange(4.0)
    TARGET_CASES[case](numpy, theirs, numpy.array([10.0, 20.0, 30.0, 40.0]))
    with pytest.warns(FallbackWarning, match="NumPy array to write into"):
        TARGET_CASES[case](ab, ours, ab.asarray([10.0, 20.0, 30.0, 40.0]))
    numpy.testing.assert_array_equal(ours, theirs)


def test_host_data_with_arrbackend_operands(machine):
    """Object data among arrbackend operands: NumPy's answer, through the fallback."""
    objs = numpy.array([1, 2.5, 3], dtype=object)
    expected = numpy.concatenate([numpy.arange(3.0), objs])
    with pytest.warns(FallbackWarning, match="stays on the host"):
        got = ab.concatenate([ab.arange(3.0), objs])
    check_any(got, expected)
    with pytest.warns(FallbackWarning):
        got = ab.arange(3.0) * objs
    check_any(got, numpy.arange(3.0) * objs)


def test_ufunc_with_none_or_strings_raises_numpys_error_without_moving_data(machine):
    x = ab.arange(3.0)
    before = ab.counters["fallbacks"]
    for other in (None, "x", numpy.array(["a", "b", "c"])):
        for op in (lambda a, b: a / b, lambda a, b: a + b, lambda a, b: b - a,
                   lambda a, b: a < b):
            with pytest.raises(TypeError) as ours:
                op(x, other)
            with pytest.raises(TypeError) as theirs:
                op(numpy.arange(3.0), other)
            assert str(ours.value) == str(theirs.value)
    assert ab.counters["fallbacks"] == before


# -----------------------------------------------------------------------------------
# numbers coerced as NumPy coerces them

NUMBER_CASES = {
    "tri-float": lambda np: np.tri(3.0, 4.0, 1.0),
    "tri-fraction": lambda np: np.tri(3.5),
    "tri-half-k": lambda np: np.tri(3, 4, 0.5),
    "tri-bool": lambda np: np.tri(True),
    "tri-str": lambda np: np.tri("3"),
    "tril-float-k": lambda np: np.tril(np.ones((3, 3)), 1.0),
    "triu-float-k": lambda np: np.triu(np.ones((3, 4)), -1.0),
    "tril_indices": lambda np: np.tril_indices(3.0, 0.5, 2.0),
    "triu_indices": lambda np: np.triu_indices(3.0),
    "triu_indices-k": lambda np: np.triu_indices(3, 1.0),
    "tril_indices_from": lambda np: np.tril_indices_from(np.ones((3, 3)), 1.0),
    "triu_indices_from": lambda np: np.triu_indices_from(np.ones((3, 3)), 1.0),
    "mask_indices": lambda np: np.mask_indices(3, np.triu, 1.0),
    "diag_indices": lambda np: np.diag_indices(3.0),
    "eye-float": lambda np: np.eye(3.0),
    "repeat-float": lambda np: np.repeat(np.arange(3), 2.0),
    "repeat-fraction": lambda np: np.repeat(np.arange(3), 2.5),
    "repeat-list": lambda np: np.repeat(np.arange(3), [1.5, 2.0, 1]),
    "repeat-str": lambda np: np.repeat(np.arange(3), "2"),
    "repeat-complex": lambda np: np.repeat(np.arange(3), 2 + 0j),
    "repeat-negative": lambda np: np.repeat(np.arange(3), -1.0),
    "repeat-float-array": lambda np: np.repeat(np.arange(3), np.asarray([2.0, 1.0, 1.0])),
    "repeat-0d-float-array": lambda np: np.repeat(np.arange(3), numpy.array(2.0)),
    "repeat-uint64-array": lambda np: np.repeat(np.arange(3), np.asarray([1, 1, 1],
                                                                          np.uint64)),
    "take-float": lambda np: np.take(np.arange(3), 1.7),
    "take-numpy-float": lambda np: np.take(np.arange(3), numpy.float64(1)),
    "take-str": lambda np: np.take(np.arange(3), "1"),
    "take-float-list": lambda np: np.take(np.arange(3), [1.0, 2.0]),
    "take-float-array": lambda np: np.take(np.arange(3), np.asarray([1.0])),
    "take-complex": lambda np: np.take(np.arange(3), 1 + 0j),
    "reshape-any-negative": lambda np: np.arange(6).reshape(2, -5),
    "reshape-first-negative": lambda np: np.arange(6).reshape(-7, 3),
    "reshape-two-negative": lambda np: np.arange(6).reshape(-1, -5),
    "reshape-None": lambda np: np.reshape(np.arange(6).reshape(2, 3), None),
    "reshape-bool": lambda np: np.arange(6).reshape((True, 6)),
    "reshape-float": lambda np: np.arange(4).reshape(2.0, 2),
    "reshape-missing": lambda np: np.reshape(np.arange(4)),
    "insert-float": lambda np: np.insert(np.arange(3), 1.0, 5),
    "squeeze-list-axis": lambda np: np.squeeze(np.ones((1, 3)), axis=[0]),
    "squeeze-tuple-axis": lambda np: np.squeeze(np.ones((1, 3)), axis=(0,)),
    "squeeze-float-axis": lambda np: np.squeeze(np.ones((1, 3)), axis=0.0),
    "seed-float": lambda np: np.random.seed(12.0),
    "seed-str": lambda np: np.random.seed("a"),
    "seed-negative": lambda np: np.random.seed(-1),
    "seed-too-big": lambda np: np.random.seed(2**33),
    "seed-numpy-float": lambda np: np.random.seed(numpy.float64(1)),
    "hstack-array": lambda np: np.hstack(numpy.array([3.0, 1.0])),
    "vstack-str": lambda np: np.vstack("ab"),
    "einsum-no-subscripts": lambda np: np.einsum(np.ones(2)),
    "arange-array": lambda np: np.arange(numpy.array([3.0, 1.0])),
}


def _put(np, idx, v, dtype=float):
    z = np.zeros(3, dtype)
    np.put(z, idx, v)
    return z


NUMBER_CASES.update({
    "put-float-indices": lambda np: _put(np, [0.0, 1.0], 5),
    "put-fraction-index": lambda np: _put(np, 1.5, 5),
    "put-str-index": lambda np: _put(np, "1", 5),
    "put-float-array-index": lambda np: _put(np, np.asarray([1.0]), 5),
    "put-complex-value": lambda np: _put(np, [0], 2 + 0j, numpy.uint8),
    "put-big-value": lambda np: _put(np, [0], 300, numpy.uint8),
    "put-big-array-value": lambda np: _put(np, [0], np.asarray([300]), numpy.uint8),
    "put-fraction-value": lambda np: _put(np, [0], 2.7, numpy.uint8),
    "full-complex-int8": lambda np: np.full((), -0.5j, dtype=numpy.int8),
    "full-nan-uint8": lambda np: np.full(2, numpy.nan, dtype=numpy.uint8),
    "full-big-uint8": lambda np: np.full(2, 300, dtype=numpy.uint8),
    "full-str-float": lambda np: np.full(2, "1.5", dtype=float),
})


@pytest.mark.parametrize("case", sorted(NUMBER_CASES))
def test_numbers_coerced_as_numpy(machine, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", numpy.exceptions.ComplexWarning)
        same_code(NUMBER_CASES[case])


VALUES = [numpy.uint8(200), 200, 300, -1, 2 + 0j, numpy.complex128(2 + 0j), -0.5j,
          numpy.nan, numpy.float64(numpy.nan), 1e300, numpy.inf, numpy.array(200, numpy.uint8),
          numpy.int64(2**40), True, "x", "5", None, 2.5]


@pytest.mark.parametrize("dtype", [numpy.int8, numpy.uint8, numpy.float32, numpy.bool_,
                                   numpy.complex64])
def test_assigned_scalar_is_numpys_item_assignment(dtype):
    """The scalar stored by ``a[i] = v`` (basic indices): NumPy's value, warning or
    error for every kind of value."""
    for v in VALUES:
        a = numpy.zeros(3, dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                a[1] = v
                expected = ("ok", a[1])
            except Exception as exc:
                expected = ("raised", type(exc))
            try:
                got = ("ok", assigned_scalar(v, numpy.dtype(dtype)))
            except Exception as exc:
                got = ("raised", type(exc))
        if expected[0] == "ok":
            assert got[0] == "ok" and got[1].dtype == expected[1].dtype, (v, got, expected)
            numpy.testing.assert_array_equal(got[1], expected[1])
        else:
            assert got == expected, (v, got, expected)


def test_full_values_land_on_every_device(machine):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(ab.full((5, 2), -0.5j, dtype=numpy.int8),
              numpy.full((5, 2), -0.5j, dtype=numpy.int8))
