"""What one CPU device hands to NumPy itself (the lean path), checked on every machine
against NumPy: advanced indexing (integer and boolean arrays, lists, booleans in the
key: a read is a copy, a write lands in the array and in every view of it), creation
under ``enabled()``, ``*_like``, ``copy``, ``astype``, ``reshape`` and ``.T`` (views of the
same memory), methods with other arrays as arguments.  Values, errors and aliasing."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab

A = numpy.arange(60, dtype=numpy.float64).reshape(3, 4, 5) / 7.0


def _keys(np, a):
    """Keys over an array of shape (3, 4, 5), made with ``np`` (the same on both sides)."""
    i = np.asarray([2, 0, -1, 2])
    j = np.asarray([[1, 3], [0, -4]])
    m = np.asarray(a)[..., 0] > 1.5                     # (3, 4) mask
    m1 = np.asarray([True, False, True])
    return [
        i, (i,), (slice(None), [3, 1]), (1, j), (i, slice(1, 3)), (i, i, i),
        (Ellipsis, [4, 0, 0]), (None, i), (slice(None), None, j), ([0, 2], Ellipsis, [1, 4]),
        m, (m, 2), (m1,), (m1, slice(None), [0, 1]), True, False, (1, True), [],
        (numpy.int64(1), [0, 2]), np.asarray(2), (np.asarray(1), np.asarray(2), np.asarray(3)),
        (np.asarray([0, 1]), 1, slice(None, None, -1)),
    ]


def test_reads_match_numpy_and_are_copies(machine):
    for k_np, k_ab in zip(_keys(numpy, A), _keys(ab, ab.asarray(A))):
        x = ab.asarray(A)
        want = A[k_np]
        got = x[k_ab]
        numpy.testing.assert_array_equal(ab.asnumpy(got), want)
        assert got.shape == numpy.shape(want) and got.dtype == want.dtype
        before = ab.asnumpy(got).copy()
        x[...] = -1.0                                   # the source changes ...
        numpy.testing.assert_array_equal(ab.asnumpy(got), before)   # ... the copy not
        if got.size:
            got[(0,) * got.ndim] = 99.0                 # a write to the copy ...
            assert (ab.asnumpy(x) == -1.0).all()        # ... leaves the source alone


def test_a_zero_d_index_array_gives_a_value(machine):
    x = ab.asarray(A)
    v = x[ab.asarray(1), ab.asarray(2), ab.asarray(3)]
    assert v.shape == () and float(v) == A[1, 2, 3]
    x[...] = 0.0
    assert float(v) == A[1, 2, 3]                       # a value, not a live view
    v += 1                                              # rebinds, as a NumPy scalar does
    assert float(v) == A[1, 2, 3] + 1 and float(ab.sum(x)) == 0.0


def test_writes_match_numpy_and_reach_views(machine):
    for k_np, k_ab in zip(_keys(numpy, A), _keys(ab, ab.asarray(A))):
        want = A.copy()
        view_np = want[1]
        x = ab.asarray(A)
        view = x[1]                                     # a live view of the target
        shape = want[k_np].shape
        val = numpy.arange(numpy.prod(shape), dtype=numpy.float64).reshape(shape) - 7.5
        want[k_np] = val
        x[k_ab] = ab.asarray(val)
        numpy.testing.assert_array_equal(ab.asnumpy(x), want)
        numpy.testing.assert_array_equal(ab.asnumpy(view), view_np)
        want[k_np] = 2.5                                # a Python scalar
        x[k_ab] = 2.5
        numpy.testing.assert_array_equal(ab.asnumpy(x), want)


def test_writes_cast_as_numpy_casts(machine):
    a = numpy.zeros(6, numpy.int16)
    x = ab.asarray(a)
    a[[1, 3]] = numpy.array([2.7, -3.9])
    x[[1, 3]] = ab.asarray([2.7, -3.9])
    a[numpy.array([True, False] * 3)] = 7
    x[ab.asarray([True, False] * 3)] = 7
    numpy.testing.assert_array_equal(ab.asnumpy(x), a)
    with pytest.raises(OverflowError):
        numpy.zeros(3, numpy.int8)[[0]] = 300
    with pytest.raises(OverflowError):
        ab.zeros(3, dtype=numpy.int8)[[0]] = 300


def test_a_pending_expression_reads_the_values_before_the_write(machine):
    a = numpy.linspace(0.0, 1.0, 8)
    x = ab.asarray(a)
    y = x * 2.0 + 1.0                                   # (deferred where the machine defers)
    x[[0, 5]] = -4.0
    numpy.testing.assert_array_equal(ab.asnumpy(y), a * 2.0 + 1.0)
    a[[0, 5]] = -4.0
    numpy.testing.assert_array_equal(ab.asnumpy(x), a)


def test_errors_are_numpys(machine):
    x = ab.asarray(A)
    cases = [
        (lambda xp, a: a[xp.asarray([0, 3])], IndexError),                 # out of bounds
        (lambda xp, a: a[:, xp.asarray([-5])], IndexError),
        (lambda xp, a: a[xp.asarray([0.0, 1.0])], IndexError),             # float indices
        (lambda xp, a: a[xp.asarray([True, False])], IndexError),          # mask length
        (lambda xp, a: a[xp.asarray([0, 1]), xp.asarray([0, 1, 2])], IndexError),  # shapes
        (lambda xp, a: a.__setitem__(xp.asarray([0, 1]), xp.ones((3, 4, 5))), ValueError),
    ]
    for f, exc in cases:
        with pytest.raises(exc):
            f(numpy, A.copy())
        with pytest.raises(exc):
            f(ab, x)
    numpy.testing.assert_array_equal(ab.asnumpy(x), A)  # nothing written by a failure


def test_read_only_arrays_refuse_writes(machine):
    x = ab.asarray(A[0])
    d = ab.diagonal(x)                                  # a read-only view
    with pytest.raises(ValueError):
        d[[0]] = 1.0
    r = d[[0, 1]]                                       # a copy of it is writeable
    r[[0]] = 5.0
    assert float(r[0]) == 5.0
    numpy.testing.assert_array_equal(ab.asnumpy(x), A[0])


def test_index_arrays_of_another_machine(machine):
    x = ab.asarray(A)
    with ab.devices("cpu:4" if machine.ndev == 2 else "cpu:2"):    # (another machine)
        i = ab.asarray([2, 0])
    with pytest.raises(ValueError, match="different devices"):  # (as for x + y)
        x[i]
    with pytest.raises(ValueError, match="different devices"):
        x[i] = 1.0
    numpy.testing.assert_array_equal(ab.asnumpy(x), A)


# ---------------------------------------------------------------------------------------
# creation under enabled(): on one CPU device NumPy makes the array and arrbackend holds it

_CREATIONS = [      # (written out: routing reads the callee in the user's line)
    lambda np: np.zeros(5), lambda np: np.zeros((2, 3), dtype="int8"),
    lambda np: np.ones((3, 2)), lambda np: np.ones(4, dtype=bool),
    lambda np: np.empty((0, 3)), lambda np: np.full((2, 2), 7),
    lambda np: np.full(3, 2.5, dtype=np.float32), lambda np: np.full((2,), True),
    lambda np: np.arange(7), lambda np: np.arange(1, 2, 0.25),
    lambda np: np.arange(5, dtype="u2"), lambda np: np.linspace(0, 1, 9),
    lambda np: np.linspace(0, 10, 4, endpoint=False, dtype=int),
    lambda np: np.logspace(0, 2, 5), lambda np: np.geomspace(1, 1000, 4),
    lambda np: np.eye(3, k=1), lambda np: np.identity(4, dtype=np.int32),
    lambda np: np.tri(3, 4, k=-1),
    lambda np: np.zeros(70000), lambda np: np.full((300, 300), -1.5),   # (pooled blocks)
]


@pytest.mark.parametrize("make", _CREATIONS)
def test_creation_under_enabled_is_numpys(machine, make):
    want = make(numpy)
    with ab.enabled():
        import numpy as np
        got = make(np)
        other = make(np)
    assert isinstance(got, ab.ndarray) and got.dtype == want.dtype and got.shape == want.shape
    numpy.testing.assert_array_equal(ab.asnumpy(got), want)
    if got.size:
        got[...] = 0                                # each call's array is its own
        numpy.testing.assert_array_equal(ab.asnumpy(other), want)


@pytest.mark.parametrize("call,exc", [
    (lambda np: np.zeros(-1), ValueError), (lambda np: np.ones((2, -3)), ValueError),
    (lambda np: np.zeros(3, dtype="no such type"), TypeError),
    (lambda np: np.arange(0, 5, 0), ZeroDivisionError),
    (lambda np: np.linspace(0, 1, -2), ValueError), (lambda np: np.eye(2.5), TypeError),
])
def test_creation_errors_under_enabled_are_numpys(machine, call, exc):
    with pytest.raises(exc):
        call(numpy)
    with ab.enabled():
        import numpy as np
        with pytest.raises(exc):
            call(np)


def test_pooled_blocks_come_back_as_numpy_makes_them(machine):
    with ab.enabled():
        import numpy as np
        for _ in range(3):
            z = np.zeros((400, 400))
            assert float(np.abs(z).max()) == 0.0    # (a reused block is zeroed again)
            z += 5.0
            del z
        o = np.ones((400, 400))
        assert float(o.sum()) == 160000.0


# ---------------------------------------------------------------------------------------
# views, copies and casts

def test_reshape_and_transpose_are_views(machine):
    a = numpy.arange(24.0).reshape(4, 6)
    x = ab.asarray(a)
    views_np = [a.T, a.transpose()]
    views = [x.T, x.transpose()]
    if machine.ndev == 1:       # (split across devices a reshape may copy: docs/differences)
        views_np += [a.reshape(6, 4), a.reshape(-1), a.reshape((2, 3, 4)).T]
        views += [x.reshape(6, 4), x.reshape(-1), x.reshape((2, 3, 4)).T]
    for v, w in zip(views, views_np):
        assert v.shape == w.shape
        numpy.testing.assert_array_equal(ab.asnumpy(v), w)
    a[1, 2] = -7.0
    x[1, 2] = -7.0                              # a write to the source reaches every view
    views[0][5, 3] = 42.0                       # a write through a view reaches the source
    views_np[0][5, 3] = 42.0
    for v, w in zip(views, views_np):
        numpy.testing.assert_array_equal(ab.asnumpy(v), w)
    numpy.testing.assert_array_equal(ab.asnumpy(x), a)
    numpy.testing.assert_array_equal(ab.asnumpy(x.T + 1.0), a.T + 1.0)
    with pytest.raises(ValueError):
        x.reshape(5, 5)
    with pytest.raises(ValueError):
        x.reshape(-1, -1)


def test_views_of_read_only_arrays_are_read_only(machine):
    x = ab.diagonal(ab.asarray(numpy.arange(16.0).reshape(4, 4)))
    for v in (x.reshape(2, 2), x.T) if machine.ndev == 1 else (x.T,):
        with pytest.raises(ValueError):
            v[...] = 1.0


def test_copy_and_astype_are_new_arrays(machine):
    a = numpy.linspace(-2.0, 2.0, 12).reshape(3, 4)
    x = ab.asarray(a)
    c, f, i, same, same_copy = x.copy(), x.astype(numpy.float32), x.astype(int), \
        x.astype(numpy.float64, copy=False), x.astype(numpy.float64)
    assert same is x and same_copy is not x
    x[...] = 0.0
    numpy.testing.assert_array_equal(ab.asnumpy(c), a)
    numpy.testing.assert_array_equal(ab.asnumpy(f), a.astype(numpy.float32))
    numpy.testing.assert_array_equal(ab.asnumpy(i), a.astype(int))
    numpy.testing.assert_array_equal(ab.asnumpy(same_copy), a)
    with pytest.raises(TypeError):
        x.astype(numpy.int8, casting="safe")
    with pytest.warns(RuntimeWarning):           # NaN to an integer: NumPy's warning
        ab.asarray([numpy.nan, 1.0]).astype(numpy.int64)


@pytest.mark.parametrize("make,empty", [
    (lambda np, x: np.zeros_like(x), False), (lambda np, x: np.ones_like(x, dtype=np.int16), False),
    (lambda np, x: np.empty_like(x, shape=(2, 2)), True), (lambda np, x: np.full_like(x, 3.5), False),
    (lambda np, x: np.full_like(x, 7, dtype=np.uint8), False),
])
def test_like_functions_under_enabled_are_numpys(machine, make, empty):
    a = numpy.arange(6.0).reshape(2, 3)
    want = make(numpy, a)
    x = ab.asarray(a)
    with ab.enabled():
        import numpy as np
        got = make(np, x)
        assert np.asarray(x) is x
    assert isinstance(got, ab.ndarray) and got.shape == want.shape and got.dtype == want.dtype
    if not empty:
        numpy.testing.assert_array_equal(ab.asnumpy(got), want)
    got[...] = 1
    numpy.testing.assert_array_equal(ab.asnumpy(x), a)     # (its own memory)


def test_methods_with_array_arguments(machine):
    a, b = numpy.arange(6.0), numpy.arange(6.0)[::-1].copy()
    x, y = ab.asarray(a), ab.asarray(b)
    numpy.testing.assert_array_equal(ab.asnumpy(x.dot(y)), a.dot(b))
    numpy.testing.assert_array_equal(ab.asnumpy(x.mean(axis=0)), a.mean(axis=0))
    numpy.testing.assert_array_equal(ab.asnumpy(x.reshape(2, 3).argmax(axis=1)),
                                     a.reshape(2, 3).argmax(axis=1))
    assert int(x.argmax()) == int(a.argmax())


@pytest.mark.parametrize("name", ["concatenate", "stack", "vstack", "hstack", "column_stack",
                                  "dstack"])
def test_sequence_functions_make_new_arrays(machine, name):
    """A function of a sequence of arrays: NumPy's values and dtype, a new array (writing
    the parts afterwards leaves it), NumPy's error for parts that do not fit."""
    a, b = numpy.arange(4.0).reshape(2, 2), numpy.arange(4, dtype=numpy.int32).reshape(2, 2)
    want = getattr(numpy, name)([a, b])
    with ab.enabled():
        import numpy as np
        x, y = np.asarray(a), np.asarray(b)
        got = getattr(np, name)([x, y])
        got_t = getattr(np, name)((x, y))
        x[...] = -1.0
        with pytest.raises(ValueError):
            np.concatenate([x, np.ones(3)])
    for g in (got, got_t):
        assert isinstance(g, ab.ndarray) and g.dtype == want.dtype
        numpy.testing.assert_array_equal(ab.asnumpy(g), want)
