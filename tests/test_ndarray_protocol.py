"""The ``numpy.ndarray`` protocol as NumPy has it: the flags object (derived flags, keys,
equality, ``setflags``), ``==``/``!=`` with operands of no comparable dtype, ``x in a``,
pickling and ``__setstate__``, the constructor with ``buffer=``, ``.data``, the Array API
aliases being NumPy's objects, and NumPy's exception classes."""
from __future__ import annotations

import pickle

import numpy
import pytest

import arrbackend as ab
from arrbackend import FallbackWarning
from helpers import check, same_code

FLAG_KEYS = ["C", "F", "W", "O", "A", "X", "CA", "FA", "FNC", "FORC", "B", "BEHAVED",
             "CARRAY", "FARRAY", "C_CONTIGUOUS", "F_CONTIGUOUS", "CONTIGUOUS", "FORTRAN",
             "OWNDATA", "WRITEABLE", "ALIGNED", "WRITEBACKIFCOPY"]
FLAG_ATTRS = ["aligned", "behaved", "c_contiguous", "carray", "contiguous", "f_contiguous",
              "farray", "fnc", "forc", "fortran", "num", "owndata", "writeable",
              "writebackifcopy"]
SHAPES = [(2, 2), (3,), (1, 3), (3, 1), (0, 3), ()]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("how", ["new", "broadcast", "read-only", "unaligned"])
def test_flags_as_numpys(machine, shape, how):
    def make(np):
        if how == "broadcast":
            return np.broadcast_to(np.ones(shape[-1:] or ()), (2,) + shape)
        a = np.ones(shape)
        if how == "read-only":
            a.flags.writeable = False
        if how == "unaligned":
            a.setflags(align=False)
        return a
    theirs, ours = make(numpy).flags, make(ab).flags
    for key in FLAG_KEYS:
        assert ours[key] == theirs[key], key
    for attr in FLAG_ATTRS:
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert repr(ours) == repr(theirs)
    assert (ours == make(ab).flags) and not (ours != make(ab).flags)


def test_flags_keys_and_setting(machine):
    a, x = numpy.ones(3), ab.ones(3)
    for bad in ("fnc", "U", "UPDATEIFCOPY", 1):
        with pytest.raises(KeyError):
            a.flags[bad]
        with pytest.raises(KeyError):
            x.flags[bad]
    with pytest.raises(KeyError):
        x.flags["C"] = True
    with pytest.raises(AttributeError):
        x.flags.c_contiguous = True
    x.flags["W"] = False
    assert not x.flags.writeable and not x.flags.behaved
    with pytest.raises(ValueError, match="read-only"):
        x[0] = 1.0
    x.flags.writeable = True
    with pytest.raises(ValueError, match="WRITEBACKIFCOPY"):
        x.flags["X"] = True
    assert x.flags != ab.ones((2, 2)).flags and x.flags != 1
    with pytest.raises(TypeError):
        hash(x.flags)


def test_setflags(machine):
    x = ab.ones(3)
    x.setflags(align=False)
    assert not x.flags.aligned and not x.flags["A"] and not x.flags.carray
    x.setflags(align=True)
    assert x.flags.aligned
    v = ab.broadcast_to(ab.ones(3), (2, 3))
    with pytest.raises(ValueError, match="WRITEABLE"):
        v.setflags(write=True)


OTHERS = {"str": "x", "bytes": b"x", "str-list": ["a", "b", "c"], "mixed-list": [1, "a"],
          "short-list": ["a", "b"], "None": None, "object": object(),
          "str-array": numpy.array(["a", "b", "c"]), "0d-str-array": numpy.array("x"),
          "datetime": numpy.datetime64("2020"),
          "void": numpy.array([(1, 2)], dtype="i,i")}


@pytest.mark.parametrize("other", sorted(OTHERS))
@pytest.mark.parametrize("shape", [(3,), (), (2, 3)], ids=str)
@pytest.mark.parametrize("ufunc", [numpy.equal, numpy.not_equal], ids=lambda u: u.__name__)
def test_equality_with_incomparable_operands(machine, other, shape, ufunc):
    """``a == other`` / ``a != other`` where no loop compares the dtypes: every element
    unequal, in the broadcast shape (or NumPy's error)."""
    value = OTHERS[other]
    a = numpy.ones(shape)
    op = (lambda p, q: p == q) if ufunc is numpy.equal else (lambda p, q: p != q)
    try:
        expected = op(a, value)
    except Exception as exc:
        with pytest.raises(type(exc)):
            op(ab.asarray(a), value)
        return
    if other == "object":       # (its __eq__ decides, element by element: NumPy does it)
        with pytest.warns(FallbackWarning, match="stays on the host"):
            got = op(ab.asarray(a), value)
    else:
        got = op(ab.asarray(a), value)
    check(got, expected)


@pytest.mark.parametrize("value", [1.0, 3.0, numpy.nan, [1.0, 1.0], "x", None])
@pytest.mark.parametrize("shape", [(2, 2), (3,), (2, 1, 2), (0, 2)], ids=str)
def test_contains_any_number_of_dimensions(machine, value, shape):
    a = numpy.arange(numpy.prod(shape), dtype=float).reshape(shape)
    try:
        expected = value in a
    except Exception as exc:
        with pytest.raises(type(exc)):
            value in ab.asarray(a)       # noqa: B015
        return
    assert (value in ab.asarray(a)) is expected


def test_pickling_and_setstate(machine):
    x = ab.arange(12.0).reshape(4, 3)[1:, ::2]
    y = pickle.loads(pickle.dumps(x))
    check(y, numpy.arange(12.0).reshape(4, 3)[1:, ::2])
    state = numpy.arange(5, dtype=numpy.int16).__reduce__()[2]
    z = ab.ones(3)
    z.flags.writeable = False
    z.__setstate__(state)
    check(z, numpy.arange(5, dtype=numpy.int16))
    assert z.flags.writeable
    z[0] = 7
    assert int(z[0]) == 7


@pytest.mark.parametrize("kw", [
    dict(shape=(2,), dtype=float, buffer=numpy.array([1.0, 2.0])),
    dict(shape=(2,), dtype=numpy.int32, buffer=numpy.arange(4, dtype=numpy.int32), offset=4),
    dict(shape=(2,), dtype=float, buffer=numpy.arange(4.0), strides=(16,)),
    dict(shape=(2, 2), dtype=numpy.uint8, buffer=bytes(range(4))),
    dict(shape=(3,), dtype=float, buffer=numpy.array([1.0])),
    dict(shape=(2, 3), dtype=float),
], ids=["float", "offset", "strides", "bytes", "too-small", "no-buffer"])
def test_constructor_with_buffer(machine, kw):
    try:
        expected = numpy.ndarray(**kw)
    except Exception as exc:
        with pytest.raises(type(exc)):
            ab.ndarray(**kw)
        return
    got = ab.ndarray(**kw)
    assert isinstance(got, ab.ndarray) and got.shape == expected.shape \
        and got.dtype == expected.dtype
    if "buffer" in kw:
        check(got, expected)
        assert got.flags.writeable == expected.flags.writeable


def test_data_is_a_read_only_buffer_of_the_values(machine):
    a = numpy.arange(6.0).reshape(2, 3)[:, 1:]
    d = ab.asarray(a).data
    assert bytes(d) == numpy.ascontiguousarray(a).tobytes() and d.readonly
    assert d.format == "d" and d.shape == (2, 2)


def _aliases(npmod):
    groups: dict = {}
    for name in getattr(npmod, "__all__", None) or dir(npmod):   # (not names others add)
        obj = getattr(npmod, name)
        if not name.startswith("_") and callable(obj) and not isinstance(obj, type):
            groups.setdefault(id(obj), []).append(name)
    return [sorted(g) for g in groups.values() if len(g) > 1]


@pytest.mark.parametrize("module", ["", "linalg", "fft", "random"])
def test_aliases_are_one_object_as_in_numpy(module):
    npmod = getattr(numpy, module) if module else numpy
    ours = getattr(ab, module) if module else ab
    groups = _aliases(npmod)
    if not module:
        assert ["arcsin", "asin"] in groups and ["concat", "concatenate"] in groups
    for names in groups:
        objs = [getattr(ours, n) for n in names]
        assert all(o is objs[0] for o in objs), names


EXCEPTIONS = {
    "divide-by-None": lambda np: np.ones(3) / None,
    "None-divided": lambda np: None / np.ones(3),
    "add-str": lambda np: np.ones(3) + "x",
    "less-str": lambda np: np.ones(3) < "x",
    "less-None": lambda np: np.ones(3) < None,
    "multiply-mixed-list": lambda np: np.ones(3) * [1, "a", 2],
    "squeeze-list-axis": lambda np: np.squeeze(np.ones((1, 3)), axis=[0]),
    "seed-float": lambda np: np.random.seed(12.0),
    "seed-str": lambda np: np.random.seed("a"),
    "sum-list-axis": lambda np: np.sum(np.ones((1, 3)), axis=[0]),
    "reshape-two-unknown": lambda np: np.arange(6).reshape(-1, -1),
    "cumsum-out-list": lambda np: np.cumsum(np.arange(3.0), out=[0.0, 0.0, 0.0]),
}


@pytest.mark.parametrize("case", sorted(EXCEPTIONS))
def test_numpys_exception_classes(machine, case):
    same_code(EXCEPTIONS[case])


VIEWS = {
    "new": lambda np: np.ones((3, 4)),
    "columns-step": lambda np: np.ones((3, 4))[:, ::2],
    "reversed": lambda np: np.ones((3, 4))[::-1],
    "transposed": lambda np: np.ones((3, 4)).T,
    "new-axis": lambda np: np.ones((3, 4))[None, 1:2],
    "broadcast": lambda np: np.broadcast_to(np.ones(4), (3, 4)),
    "int8-row": lambda np: np.ones((3, 4), numpy.int8)[1],
    "scalar": lambda np: np.ones(()),
    "mixed": lambda np: np.arange(24.0).reshape(2, 3, 4)[:, 1, ::3],
    "reshaped": lambda np: np.arange(12.0).reshape(3, 4).reshape(4, 3),
}


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_strides_and_contiguity_of_views_as_numpys(machine, view):
    """A view's strides and contiguity flags are NumPy's for the same view of a new
    array (the elements themselves live in the shards, C-ordered)."""
    from arrbackend.api.attributes import view_strides
    theirs, ours = VIEWS[view](numpy), VIEWS[view](ab)
    assert view_strides(ours) == theirs.strides
    for key in ("C", "F", "W", "CA", "FA", "FNC", "FORC", "B"):
        assert ours.flags[key] == theirs.flags[key], key
