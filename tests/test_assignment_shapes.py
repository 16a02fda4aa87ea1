"""The value's shape in assignments, as NumPy takes it: extra leading length-1 axes are
dropped in basic, mask and fancy assignment and in ``copyto`` (``w[:] = zeros((1, 3))``);
one boolean array of the array's own shape takes only 0-d or 1-d values (NumPy's
TypeError, and its ValueError for a 1-d value of another length); other mismatches are
NumPy's ValueError with NumPy's message."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from helpers import check, same

M1 = numpy.array([True, False])
M3 = numpy.array([True, False, True])


def _v(*shape):
    return numpy.arange(numpy.prod(shape), dtype=float).reshape(shape) - 10


# (key, value shape): keys of every kind, values with and without extra leading axes
CASES = {
    "basic (1,3)": (slice(None), (1, 3)),
    "basic (1,1,2,3)": (Ellipsis, (1, 1, 2, 3)),
    "basic (2,1,3): no": (slice(None), (2, 1, 3)),
    "row mask (1,3)": (M1, (1, 3)),
    "row mask (1,1,1,3)": (M1, (1, 1, 1, 3)),
    "row mask (2,3): no": (M1, (2, 3)),
    "row mask, slice (1,1,3)": ((M1, slice(None)), (1, 1, 3)),
    "slice, column mask (1,2,1)": ((slice(None), M3), (1, 2, 1)),
    "slice, column mask (1,1,2)": ((slice(None), M3), (1, 1, 2)),
    "ellipsis, whole mask (1,3)": ((Ellipsis, "whole"), (1, 3)),
    "None, whole mask (1,3)": ((None, "whole"), (1, 3)),
    "NumPy bool (1,1,1,3)": (numpy.True_, (1, 1, 1, 3)),
    "whole mask (3,)": ("whole", (3,)),
    "whole mask (1,)": ("whole", (1,)),
    "whole mask ()": ("whole", ()),
    "whole mask (1,3): TypeError": ("whole", (1, 3)),
    "whole mask (1,1): TypeError": ("whole", (1, 1)),
    "whole mask in a tuple (1,3): TypeError": (("whole",), (1, 3)),
    "whole mask (5,): ValueError": ("whole", (5,)),
    "list mask (1,3): TypeError": ("list", (1, 3)),
    "fancy (1,1,3)": ([0, 1], (1, 1, 3)),
    "fancy (2,1) from (1,1,3): no": (([[0], [1]], 0), (1, 1, 3)),
    "fancy (1,4): no": ([0, 1], (1, 4)),
    "fancy, slice (1,2,2)": (([0, 1], slice(1, None)), (1, 2, 2)),
    "int, fancy (1,1,2)": ((0, [0, 2]), (1, 1, 2)),
    "fancy, fancy (1,1,2)": (([0, 1], [2, 0]), (1, 1, 2)),
    "slice, fancy (1,1,2,2)": ((slice(None), [2, 0]), (1, 1, 2, 2)),
}


def _key(key):
    if isinstance(key, tuple):
        return tuple(_key(k) for k in key)
    if isinstance(key, str):        # a mask of the array's own shape
        whole = numpy.array([[False, True, False], [True, True, False]])
        return whole.tolist() if key == "list" else whole
    return key


@pytest.mark.parametrize("case", list(CASES))
def test_assigned_value_shapes(machine, case):
    key, vshape = CASES[case]
    value = _v(*vshape)

    def run(a):
        a[_key(key)] = value
        return a
    same(run, numpy.zeros((2, 3)))


@pytest.mark.parametrize("case", ["whole mask (1,3): TypeError", "whole mask (5,): ValueError",
                                  "fancy (2,1) from (1,1,3): no", "row mask (2,3): no",
                                  "basic (2,1,3): no"])
def test_assignment_messages(machine, case):
    key, vshape = CASES[case]
    theirs = numpy.zeros((2, 3))
    with pytest.raises(Exception) as expected:
        theirs[_key(key)] = _v(*vshape)
    ours = ab.zeros((2, 3))
    with pytest.raises(type(expected.value)) as got:
        ours[_key(key)] = _v(*vshape)
    assert str(got.value) == str(expected.value)


COPYTO = {
    "src (1,1,3)": lambda np, w: np.copyto(w, _v(1, 1, 3)),
    "src (2,1,3): no": lambda np, w: np.copyto(w, _v(2, 1, 3)),
    "src (1,3), where": lambda np, w: np.copyto(w, _v(1, 3), where=M3),
    "where (1,3): no": lambda np, w: np.copyto(w, 5.0, where=M3[None]),
    "where of ints: TypeError": lambda np, w: np.copyto(w, 5.0, where=numpy.array([1, 0, 1])),
    "where a list of ints": lambda np, w: np.copyto(w, 5.0, where=[1, 0, 1]),
    "where 1": lambda np, w: np.copyto(w, 5.0, where=1),
    "where False": lambda np, w: np.copyto(w, 5.0, where=False),
    "src a nested list": lambda np, w: np.copyto(w, [[1.0, 2.0, 3.0]]),
    "complex array: TypeError": lambda np, w: np.copyto(w, _v(3) + 1j),
    "complex scalar: TypeError": lambda np, w: np.copyto(w, 1j),
}


@pytest.mark.parametrize("case", list(COPYTO))
def test_copyto_shapes(machine, case):
    fn = COPYTO[case]
    theirs = numpy.ones(3)
    try:
        fn(numpy, theirs)
    except Exception as exc:
        with pytest.raises(type(exc)) as got:
            fn(ab, ab.ones(3))
        assert str(got.value) == str(exc)
        return
    ours = ab.ones(3)
    fn(ab, ours)
    check(ours, theirs)


@pytest.mark.parametrize("vshape", [(1, 1, 3), (2, 1, 3), (1, 3), (3,), ()])
def test_ufunc_at_value_shapes(machine, vshape):
    # ufunc.at, unlike assignment, keeps the value's leading length-1 axes (NumPy's error)
    def run(a):
        numpy.add.at(a, [0, 1], _v(*vshape))
        return a
    same(run, numpy.zeros((2, 3)))
