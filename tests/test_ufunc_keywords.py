"""Ufunc and function keywords as NumPy reads them: ``ufunc.reduce``'s ``dtype=`` and
``initial=``, the shapes and dtypes of ``out=`` and ``where=`` (ufuncs, ``dot``,
``matmul``, ``multi_dot``, ``take``, ``clip``, ``round``, reductions into an ``out=`` of
another dtype), and the ``**`` operator's promotion."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from arrbackend.api import protocol
from helpers import check, same_code

F32 = numpy.float32

REDUCE_CASES = {
    "maximum-dtype": lambda np: np.maximum.reduce(np.arange(4, dtype=F32), dtype=numpy.float64),
    "maximum-dtype-axis": lambda np: np.maximum.reduce(
        np.arange(6, dtype=F32).reshape(2, 3), axis=0, dtype=numpy.float64),
    "maximum-dtype-all-axes": lambda np: np.maximum.reduce(
        np.arange(6.0).reshape(2, 3), axis=(0, 1), dtype=F32),
    "minimum-dtype-int": lambda np: np.minimum.reduce(np.asarray([1.5, 2.5]), dtype=numpy.int64),
    "maximum-int-to-float": lambda np: np.maximum.reduce(np.arange(3), dtype=F32),
    "fmax-dtype": lambda np: np.fmax.reduce(np.asarray([numpy.nan, 1.0]), dtype=F32),
    "and-initial": lambda np: np.logical_and.reduce(np.asarray([True, False]), initial=True),
    "and-initial-axis": lambda np: np.logical_and.reduce(np.asarray([[True, False]]), axis=0,
                                                         initial=False),
    "or-initial-empty": lambda np: np.logical_or.reduce(np.asarray([], bool), initial=True),
    "add-initial": lambda np: np.add.reduce(np.arange(4.0), initial=10),
    "add-dtype-initial": lambda np: np.add.reduce(np.arange(3), dtype=F32, initial=0.5),
    "add-dtype-int8": lambda np: np.add.reduce(np.arange(6).reshape(2, 3) * 50, axis=0,
                                               dtype=numpy.int8),
    "minimum-initial-where": lambda np: np.minimum.reduce(
        np.arange(3.0), initial=-1, where=np.asarray([True, False, True])),
    "maximum-empty": lambda np: np.maximum.reduce(np.zeros(0)),
    "multiply-dtype-out": lambda np: np.multiply.reduce(np.arange(1, 4), dtype=numpy.int8,
                                                        out=np.zeros((), numpy.float64)),
    "maximum-out-initial": lambda np: np.maximum.reduce(
        np.zeros((2, 3), int), axis=0, out=np.zeros(3), initial=0.5),
    "add-axis-list": lambda np: np.add.reduce(np.arange(6).reshape(2, 3), axis=[0]),
    "add-axis-None-keepdims": lambda np: np.add.reduce(np.arange(6).reshape(2, 3), axis=None,
                                                       keepdims=True),
    "add-numpy-out": lambda np: np.add.reduce(np.arange(4.0), axis=0, out=numpy.zeros(())),
    "add-tuple-out": lambda np: np.add.reduce(np.arange(4.0), out=(np.zeros(()),)),
}


@pytest.mark.parametrize("case", sorted(REDUCE_CASES))
def test_ufunc_reduce_keywords(machine, case):
    same_code(REDUCE_CASES[case])


def _inplace(fn):
    def run(np):
        v = np.ones((3, 4))
        return fn(np, v), v
    return run


OUT_CASES = {
    # ufuncs: out= and where= shapes and dtypes
    "where-rows": _inplace(lambda np, v: np.log10(v, out=v, where=np.ones((2, 4), bool))),
    "where-column": _inplace(lambda np, v: np.log10(v, out=v, where=np.ones((3, 1), bool))),
    "where-extra-axis": _inplace(lambda np, v: np.log10(v, out=v,
                                                        where=np.ones((2, 3, 4), bool))),
    "where-list": _inplace(lambda np, v: np.add(v, 1, out=v, where=[True, False])),
    "out-rows": lambda np: np.add(np.ones((3, 4)), 1, out=np.zeros((2, 4))),
    "out-extra-axis": lambda np: np.add(np.ones((3, 4)), 1, out=np.zeros((2, 3, 4))),
    "out-broadcast": lambda np: np.add(np.ones((3, 1)), 1, out=np.zeros((3, 4))),
    "out-int": lambda np: np.sqrt(np.ones(3), out=np.zeros(3, numpy.int8)),
    "out-int-unsafe": lambda np: np.add(np.ones(3), 1, out=np.zeros(3, int), casting="unsafe"),
    # dot, matmul, multi_dot
    "dot-float32": lambda np: np.dot(np.ones((2, 2)), np.ones((2, 2)),
                                     out=np.zeros((2, 2), F32)),
    "dot-shape": lambda np: np.dot(np.ones((2, 2)), np.ones((2, 2)), out=np.zeros((2, 3))),
    "dot-ndim": lambda np: np.dot(np.ones(3), np.ones(3), out=np.zeros((1,))),
    "dot-scalar-float32": lambda np: np.dot(np.ones((2, 2)), 2.0, out=np.zeros((2, 2), F32)),
    "dot-int-into-float": lambda np: np.dot(np.ones((2, 2), int), np.ones((2, 2), int),
                                            out=np.zeros((2, 2))),
    "dot-ok": lambda np: np.dot(np.ones((2, 2)), np.ones((2, 2)), out=np.zeros((2, 2))),
    "matmul-int": lambda np: np.matmul(np.ones((2, 2)), np.ones((2, 2)),
                                       out=np.zeros((2, 2), int)),
    "matmul-unsafe": lambda np: np.matmul(np.ones((2, 2)), np.ones((2, 2)),
                                          out=np.zeros((2, 2), int), casting="unsafe"),
    "matmul-float32": lambda np: np.matmul(np.ones((2, 2)), np.ones((2, 2)),
                                           out=np.zeros((2, 2), F32)),
    "matmul-core": lambda np: np.matmul(np.ones((2, 2)), np.ones((2, 2)), out=np.zeros((2, 3))),
    "matmul-loop-broadcast": lambda np: np.matmul(np.ones((2, 2)), np.ones((2, 2)),
                                                  out=np.zeros((3, 2, 2))),
    "matmul-loop-mismatch": lambda np: np.matmul(np.ones((3, 2, 2)), np.ones((2, 2)),
                                                 out=np.zeros((1, 2, 2))),
    "matmul-vectors-into-1d": lambda np: np.matmul(np.ones(3), np.ones(3), out=np.zeros(2)),
    "multi_dot-float32": lambda np: np.linalg.multi_dot(
        [np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2))], out=np.zeros((2, 2), F32)),
    "multi_dot-two": lambda np: np.linalg.multi_dot([np.ones((2, 2)), np.ones((2, 2))],
                                                    out=np.zeros((2, 2), F32)),
    "multi_dot-vector-ends": lambda np: np.linalg.multi_dot(
        [np.ones(2), np.ones((2, 2)), np.ones(2)], out=np.zeros((1, 1))),
    "multi_dot-vector-ends-0d": lambda np: np.linalg.multi_dot(
        [np.ones(2), np.ones((2, 2)), np.ones(2)], out=np.zeros(())),
    # take, argmax: out= as a copy of the result's dtype
    "take-int-out-of-float": lambda np: np.take(np.arange(5.0), [1, 2], out=np.zeros(2, int)),
    "take-float-out-of-int": lambda np: np.take(np.arange(5), [1, 2], out=np.zeros(2)),
    "take-int64-out-of-int8": lambda np: np.take(np.arange(5, dtype=numpy.int8), [1, 2],
                                                 out=np.zeros(2, int)),
    "take-shape": lambda np: np.take(np.arange(5.0), [1, 2], out=np.zeros((1, 2))),
    "take-scalar": lambda np: np.take(np.arange(5.0), 1, out=np.zeros(())),
    "argmax-float-out": lambda np: np.argmax(np.ones((2, 3)), axis=0, out=np.zeros(3)),
    "argmax-int32-out": lambda np: np.argmax(np.ones((2, 3)), axis=0,
                                             out=np.zeros(3, numpy.int32)),
    "argmin-shape": lambda np: np.argmin(np.ones((2, 3)), axis=None, out=np.zeros(2, int)),
    # clip, round, fix, ptp, einsum
    "clip-int": lambda np: np.clip(np.arange(5.0), 1, 3, out=np.zeros(5, int)),
    "clip-int-bound": lambda np: np.clip(np.arange(5), 1.5, 3, out=np.zeros(5, int)),
    "clip-shape": lambda np: np.clip(np.arange(5.0), 1, 3, out=np.zeros(4)),
    "clip-broadcast": lambda np: np.clip(np.arange(5.0), 1, 3, out=np.zeros((2, 5))),
    "clip-unsafe": lambda np: np.clip(np.arange(5.0), 1, 3, out=np.zeros(5, int),
                                      casting="unsafe"),
    "round-int": lambda np: np.round(np.arange(5.0) / 3, 1, out=np.zeros(5, int)),
    "round-decimals-0-int": lambda np: np.round(np.arange(5.0) / 3, 0, out=np.zeros(5, int)),
    "round-ints": lambda np: np.round(np.arange(5) * 3, -1, out=np.zeros(5, numpy.int8)),
    "round-size": lambda np: np.round(np.arange(5.0) / 3, 1, out=np.zeros(4)),
    "round-same-size": lambda np: np.round(np.arange(5.0) / 3, 1, out=np.zeros((1, 5))),
    "fix-int": lambda np: np.fix(np.arange(5.0) - 2.5, out=np.zeros(5, int)),
    "fix-float32": lambda np: np.fix(np.arange(5.0) - 2.5, out=np.zeros(5, F32)),
    "ptp-int": lambda np: np.ptp(np.ones((2, 3)), axis=1, out=np.zeros(2, int)),
    "ptp-int8": lambda np: np.ptp(np.arange(6).reshape(2, 3) * 60, axis=0,
                                  out=np.zeros(3, numpy.int8)),
    "einsum-float32": lambda np: np.einsum("ij->i", np.ones((2, 3)), out=np.zeros(2, F32)),
    # reductions into an out= of another dtype
    "amax-initial-into-float": lambda np: np.amax(np.zeros((2, 3), int), axis=0,
                                                  out=np.zeros(3), initial=0.5),
    "amin-initial-into-float": lambda np: np.amin(np.zeros((2, 3), int), axis=0,
                                                  out=np.zeros(3), initial=-0.5),
    "amax-initial-int": lambda np: np.amax(np.zeros((2, 3), int), axis=1, initial=0.5),
    "amax-into-int8": lambda np: np.amax(np.asarray([1.5, 300.7]), out=np.zeros((), numpy.int8)),
    "sum-initial-into-int8": lambda np: np.sum(np.arange(6).reshape(2, 3), axis=0,
                                               out=np.zeros(3, numpy.int8), initial=0.5),
    "mean-int32-into-int8": lambda np: np.mean(np.arange(12, dtype=numpy.int32).reshape(4, 3)
                                               * 50, axis=0, out=np.zeros(3, numpy.int8)),
    "mean-rows-into-int8": lambda np: np.mean(np.arange(12, dtype=numpy.int32).reshape(4, 3)
                                              * 50, axis=1, out=np.zeros(4, numpy.int8)),
    "mean-all-into-int8": lambda np: np.mean(np.arange(12).reshape(4, 3) * 7,
                                             out=np.zeros((), numpy.int8)),
    "mean-where-into-int8": lambda np: np.mean(
        np.arange(12).reshape(4, 3) * 7, axis=0, out=np.zeros(3, numpy.int8),
        where=np.asarray([True, False, True])),
    "mean-into-float16": lambda np: np.mean(np.arange(12.0).reshape(4, 3) * 7.3, axis=0,
                                            out=np.zeros(3, numpy.float16)),
    "mean-out-shape": lambda np: np.mean(np.ones((4, 3)), axis=0, out=np.zeros(2)),
    "mean-out-ndim": lambda np: np.mean(np.ones((4, 3)), axis=0, out=np.zeros((1, 3))),
    "var-into-int8": lambda np: np.var(np.arange(12.0).reshape(4, 3) * 7.3, axis=0,
                                       out=np.zeros(3, numpy.int8)),
    "var-ints-into-int8": lambda np: np.var(np.arange(12).reshape(4, 3) * 7, axis=0,
                                            out=np.zeros(3, numpy.int8)),
    "std-into-int8": lambda np: np.std(np.arange(12.0).reshape(4, 3) * 7.3, axis=0,
                                       out=np.zeros(3, numpy.int8)),
    "std-into-float32": lambda np: np.std(np.arange(12.0).reshape(4, 3) * 7.3, axis=0,
                                          out=np.zeros(3, F32)),
    "nanmean-into-int8": lambda np: np.nanmean(np.arange(12.0).reshape(4, 3), axis=0,
                                               out=np.zeros(3, numpy.int8)),
    "nanvar-dtype-int": lambda np: np.nanvar(np.arange(12.0).reshape(4, 3), axis=0, dtype=int),
    "nanstd-into-float32": lambda np: np.nanstd(
        np.asarray([[numpy.nan, 1.0], [2.0, 3.0], [4.0, numpy.nan]]), axis=0, ddof=1,
        out=np.zeros(2, F32)),
    "where-grows-empty-out": lambda np: np.negative(
        np.zeros((3, 0, 1)), out=np.zeros((3, 0, 1)), where=np.ones(4, bool)),
    "nanmean-into-float32": lambda np: np.nanmean(
        np.asarray([[numpy.nan, 1.0], [2.0, numpy.nan]]), axis=0, out=np.zeros(2, F32)),
}


@pytest.mark.parametrize("case", sorted(OUT_CASES))
def test_out_and_where_checked_as_numpy(machine, case):
    same_code(OUT_CASES[case])


POWER_CASES = {
    "bool-2": (numpy.array([True, False]), 2),
    "bool-3": (numpy.array([True, False]), 3),
    "bool-True": (numpy.array([True, False]), True),
    "bool-2.0": (numpy.array([True, False]), 2.0),
    "bool-int64-2": (numpy.array([True, False]), numpy.int64(2)),
    "int8-2": (numpy.array([1, 2], numpy.int8), 2),
    "uint8-2": (numpy.array([1, 20], numpy.uint8), 2),
    "int-minus-1": (numpy.array([1, 2]), -1),
    "float-half": (numpy.array([1.0, 2.0, -0.0, -numpy.inf]), 0.5),
    "float-minus-1": (numpy.array([1.0, 2.0, 0.0]), -1),
    "float32-2": (numpy.array([1.0, 2.0], F32), 2),
    "float16-half": (numpy.array([1.0, 2.0], numpy.float16), 0.5),
    "complex-2": (numpy.array([1 + 1j, 2.0]), 2),
    "complex-minus-1": (numpy.array([1 + 1j, 2.0]), -1),
}


@pytest.mark.parametrize("case", sorted(POWER_CASES))
@pytest.mark.parametrize("inplace", [False, True])
def test_power_operator_as_numpys(machine, case, inplace):
    """``a ** e`` and ``a **= e``: NumPy's operator squares for 2, and for inexact
    arrays takes the reciprocal for -1 and the square root for 0.5 (dtypes and special
    values of those functions: ``bool ** 2`` is int8, ``-inf ** 0.5`` is nan)."""
    arr, e = POWER_CASES[case]
    x = ab.asarray(arr)

    def theirs():
        a = arr.copy()
        if inplace:
            a **= e
            return a
        return a ** e

    try:
        with numpy.errstate(all="ignore"):
            expected = theirs()
    except Exception as exc:
        with pytest.raises(type(exc)):
            protocol.power(x, e, inplace=inplace)
        return
    with numpy.errstate(all="ignore"):
        got = protocol.power(x, e, inplace=inplace)
    check(got, expected)
    if inplace:
        assert got is x


WHERES = {
    "str": "x", "empty-str": "", "int-list": [1, 0, 1], "bool-list": [True, False, True],
    "int-array": numpy.array([1, 0, 1]), "float-array": numpy.array([1.0, 0.0, 1.0]),
    "object-array": numpy.array([True, False, True], dtype=object),
    "None-list": [None, 1, 0], "uint8-scalar": numpy.uint8(1), "int": 2, "float": 0.5,
    "None": None, "column": [[True], [False]], "False": False,
    "0d-array": numpy.array(True),
}
WHERE_USES = [
    lambda np, w: np.add(np.arange(3.0), 1, where=w, out=np.zeros(3)),
    lambda np, w: np.sum(np.arange(3.0), where=w),
    lambda np, w: np.maximum.reduce(np.arange(3.0), where=w, initial=0),
    lambda np, w: np.mean(np.arange(3.0), where=w),
    lambda np, w: np.var(np.arange(3.0), where=w),
]


@pytest.mark.parametrize("where", sorted(WHERES))
def test_where_converted_as_numpy(machine, where):
    """``where=`` of any kind: a boolean array; an array of another dtype is NumPy's
    TypeError; anything else is converted by value (and ``mean`` counts it as NumPy)."""
    import warnings
    from arrbackend import FallbackWarning
    for use in WHERE_USES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            # (object data in where= is NumPy's to read: gathered, with a FallbackWarning)
            warnings.simplefilter("ignore", FallbackWarning)
            same_code(lambda np: use(np, WHERES[where]))
