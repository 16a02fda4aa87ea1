"""Integer-array indexing (get and set, every placement rule, split and unsplit axes) and
the index routines, against NumPy on cpu:1 and cpu:3."""
from __future__ import annotations

import numpy
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import arrbackend as ab
from helpers import check, same, to_ours

HYP = hsettings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _a(shape, dtype=float):
    return (numpy.arange(int(numpy.prod(shape))) * 7 % 23 - 5).reshape(shape).astype(dtype)


KEYS = [
    ([0, 4, 2],), ([-1, 0, -5],), ([[1, 2], [0, 0]],), (slice(None), [2, 0, 2]),
    ([1, 2], [0, 2]), ([[1], [2]], [0, 1, 2]), (0, slice(None), [1, 3]),
    ([1, 2], slice(None), [0, 3]), (slice(None), [0, 1], [3, 2]), (Ellipsis, [3, 0]),
    ([4, 4, 4],), (None, [1, 2]), (slice(1, None, 2), [2]), ([3], 1, slice(None, None, -1)),
    (numpy.array([True, False, True, False, True]), [1, 0, 2]), (numpy.array([], int),),
]


@pytest.mark.parametrize("key", KEYS)
def test_fancy_get_set(machine, key):
    a = _a((5, 3, 4))
    same(lambda x: x[key], a)
    same(lambda x: x[::-1][key], a)
    expected = a[key]
    b = a.copy()
    x = to_ours(a)
    b[key] = -numpy.arange(expected.size).reshape(expected.shape)
    x[key] = ab.asarray(-numpy.arange(expected.size).reshape(expected.shape))
    check(x, b)
    b[key] = 7.5
    x[key] = 7.5
    check(x, b)


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint32", "float32", "complex64"])
def test_fancy_dtypes(machine, dtype):
    a = _a((6, 4), dtype)
    idx = numpy.array([5, 0, 3, 3])
    same(lambda x, i: x[i], a, idx)
    same(lambda x, i: x[:, i[:2]], a, idx)
    same(lambda x, i: x[i, i], a, numpy.array([1, 2, 3]))
    x = to_ours(a)
    b = a.copy()
    b[idx[:2]] = b[idx[2:]]
    x[ab.asarray(idx[:2])] = x[ab.asarray(idx[2:])]
    check(x, b)


def test_fancy_errors_and_aliasing(machine):
    x = to_ours(_a((5, 4)))
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 with size 5"):
        x[[0, 5]]
    with pytest.raises(IndexError, match="index -5 is out of bounds for axis 1 with size 4"):
        x[:, [0, -5]]
    with pytest.raises(IndexError, match="shape mismatch"):
        x[[0, 1], [0, 1, 2]]
    with pytest.raises(ValueError, match="shape mismatch"):
        x[[0, 1]] = ab.ones((3, 4))
    with pytest.raises(IndexError, match="integer"):
        x[[0.5]]
    a = _a((6,))
    b = a.copy()
    b[[0, 1, 2]] = b[::-1][:3]
    y = to_ours(a)
    y[[0, 1, 2]] = y[::-1][:3]
    check(y, b)


@HYP
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple),
       data=st.data())
def test_fancy_property(machine, shape, data):
    a = _a(shape)
    k = data.draw(st.integers(1, len(shape)))
    key = []
    for n in shape[:k]:
        kind = data.draw(st.sampled_from(["arr", "int", "slice"]))
        if kind == "arr":
            key.append(numpy.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=0,
                                                      max_size=4)), dtype=int))
        elif kind == "int":
            key.append(data.draw(st.integers(-n, n - 1)))
        else:
            key.append(slice(None, None, data.draw(st.sampled_from([1, -1, 2]))))
    arrs = [v for v in key if isinstance(v, numpy.ndarray)]
    if not arrs or len({v.shape for v in arrs}) > 1:
        return
    key = tuple(key)
    same(lambda x: x[key], a)
    b = a.copy()
    b[key] = 99.0
    x = to_ours(a)
    x[key] = 99.0
    check(x, b)


def test_take_family(machine):
    a = _a((5, 4))
    idx = numpy.array([[0, 3], [4, 1]])
    same(lambda x: numpy.take(x, idx), a)
    same(lambda x: numpy.take(x, idx, axis=0), a)
    same(lambda x: numpy.take(x, [1, -1], axis=1), a)
    same(lambda x: numpy.take(x, 7), a)
    same(lambda x: numpy.take(x, [9, -7, 2], axis=0, mode="wrap"), a)
    same(lambda x: numpy.take(x, [9, -7, 2], axis=1, mode="clip"), a)
    same(lambda x: numpy.take(x, [5], axis=0), a)
    same(lambda x: x.take([1, 2]), a)
    same(lambda x: numpy.take(x[:0], [0], axis=0, mode="wrap"), a)
    o = numpy.argsort(a, axis=1)
    same(lambda x, i: numpy.take_along_axis(x, i, axis=1), a, o)
    same(lambda x, i: numpy.take_along_axis(x, i, axis=0), a, numpy.argsort(a, axis=0))
    same(lambda x, i: numpy.take_along_axis(x, i[:, :1], axis=1), a, o)
    same(lambda x: numpy.take_along_axis(x, numpy.array([[5]]), axis=0), a)
    same(lambda x: numpy.take_along_axis(x, numpy.array([1.0]), axis=0), a)
    same(lambda x: numpy.take_along_axis(x, numpy.array([3, 1]), axis=None), a)


def test_put_family(machine):
    a = _a((4, 5))
    for fn in (lambda x: numpy.put(x, [0, 7, -1], [10, 20, 30]),
               lambda x: numpy.put(x, [1, 2, 3], 5.5),
               lambda x: numpy.put(x, [22, -25], [1, 2], mode="wrap"),
               lambda x: numpy.put(x, [22, -25], [1, 2], mode="clip"),
               lambda x: numpy.put_along_axis(x, numpy.array([[1], [0], [4], [2]]), -1, 1),
               lambda x: numpy.put_along_axis(x, numpy.argsort(x, axis=0)[:1],
                                              numpy.array([[9, 8, 7, 6, 5]]), 0),
               lambda x: numpy.place(x, x > 3, [100, 200]),
               lambda x: numpy.putmask(x, x < 0, numpy.array([-1, -2, -3]))):
        b = a.copy()
        fn(b)
        x = to_ours(a)
        fn(x)
        check(x, b)
    with pytest.raises(IndexError, match="out of bounds"):
        numpy.put(to_ours(a), [20], 1)
    with pytest.raises(ValueError, match="Cannot insert from an empty array"):
        numpy.place(to_ours(a), to_ours(a > 0), [])
    with pytest.raises(ValueError, match="same size"):
        numpy.putmask(to_ours(a), to_ours(numpy.ones(3, bool)), 1)


@pytest.mark.parametrize("values", [[300], 300, [3 + 1j], [1.7], numpy.array([300]),
                                    numpy.array([3], numpy.int8), numpy.float64(2.5),
                                    numpy.array([3.5])])
def test_putmask_value_conversion(machine, values):
    # arrays cast safely; lists and scalars convert to the target's dtype (NumPy's rules)
    a = numpy.arange(6, dtype=numpy.int8)

    def fn(x):
        numpy.putmask(x, x > 1, values)
        return x
    same(fn, a)


def test_choose_compress_extract(machine):
    idx = numpy.array([[0, 2, 1], [1, 0, 2]])
    ch = [_a((2, 3)), _a((2, 3)) * 10, numpy.full(3, -1.0)]
    same(lambda i, c0, c1, c2: numpy.choose(i, [c0, c1, c2]), idx, *ch)
    same(lambda i: numpy.choose(i + 2, [[1, 2, 3], [4, 5, 6]], mode="wrap"), idx)
    same(lambda i: numpy.choose(i + 1, [[1, 2, 3], [4, 5, 6]], mode="clip"), idx)
    with pytest.raises(ValueError, match="invalid entry in choice array"):
        numpy.choose(to_ours(idx + 5), [to_ours(ch[0])])
    a = _a((4, 5))
    c = numpy.array([True, False, True, True])
    same(lambda x, m: numpy.compress(m, x, axis=0), a, c)
    same(lambda x: numpy.compress([0, 1, 1], x, axis=1), a)
    same(lambda x: numpy.compress([0, 1, 1], x), a)
    same(lambda x: numpy.compress([0, 1, 0, 0, 0, 0, 0, 0], x, axis=1), a)
    same(lambda x: numpy.compress([0, 1, 0, 0, 0, 0, 0, 1], x, axis=1), a)
    same(lambda x: numpy.extract(x > 2, x), a)
    same(lambda x: numpy.extract([1, 0, 1], x), a)


def test_nonzero_family(machine):
    a = _a((4, 5))
    same(numpy.argwhere, a)
    same(lambda x: numpy.argwhere(x > 100), a)
    same(lambda x: numpy.argwhere(x[0, 0]), a)
    same(numpy.flatnonzero, a)


@pytest.mark.parametrize("offset", [0, 1, -2, 7])
def test_diagonal_trace(machine, offset):
    a = _a((5, 4))
    same(lambda x: numpy.diagonal(x, offset), a)
    same(lambda x: numpy.trace(x, offset), a)
    b = _a((3, 4, 5))
    same(lambda x: numpy.diagonal(x, offset, 0, 2), b)
    same(lambda x: numpy.diagonal(x, offset, axis1=2, axis2=1), b)
    same(lambda x: numpy.trace(x, offset, 1, 2, dtype=numpy.int64), b)
    same(lambda x: x.diagonal(offset), a)
    same(lambda x: numpy.diag(x, offset), a)
    same(lambda x: numpy.diag(x[0], offset), a)
    same(lambda x: numpy.diagflat(x[:2, :2], offset), a)


def test_diagonal_errors(machine):
    same(numpy.diagonal, numpy.arange(3.0))
    same(lambda x: numpy.diagonal(x, 0, 1, 1), _a((2, 2)))
    same(numpy.diag, _a((2, 2, 2)))


def test_triangles_and_grids(machine):
    for k in (0, 1, -2):
        same(lambda x: numpy.tril(x, k), _a((5, 4)))
        same(lambda x: numpy.triu(x, k), _a((2, 5, 4)))
        check(ab.tri(4, 6, k), numpy.tri(4, 6, k))
        check(ab.tri(3, k=k, dtype=int), numpy.tri(3, k=k, dtype=int))
        check(ab.tril_indices(4, k), numpy.tril_indices(4, k))
        check(ab.triu_indices(4, k, 5), numpy.triu_indices(4, k, 5))
    same(numpy.tril, numpy.arange(4.0))
    check(ab.indices((3, 4)), numpy.indices((3, 4)))
    check(ab.indices((2, 3), dtype=numpy.int8, sparse=True),
          numpy.indices((2, 3), dtype=numpy.int8, sparse=True))
    check(ab.ix_([0, 2], [True, False, True]), numpy.ix_([0, 2], [True, False, True]))
    check(ab.diag_indices(3, 3), numpy.diag_indices(3, 3))
    same(lambda x: numpy.diag_indices_from(x), _a((3, 3)))
    same(lambda x: numpy.tril_indices_from(x, 1), _a((3, 4)))
    same(lambda x: numpy.triu_indices_from(x, -1), _a((3, 4)))
    same(lambda x: numpy.diag_indices_from(x), _a((3, 4)))
    check(ab.mask_indices(3, numpy.triu, 1), numpy.mask_indices(3, numpy.triu, 1))


def test_select(machine):
    a = _a((6,))
    same(lambda x: numpy.select([x < 0, x > 5], [x, x ** 2], default=-1), a)
    same(lambda x: numpy.select([x < 0], [3]), a)
    same(lambda x: numpy.select([x], [x]), a)
    # Python scalars stay weak in the result dtype (NEP 50)
    same(lambda x: numpy.select([x > 0], [x.astype(numpy.float32)], 0), a)
    same(lambda x: numpy.select([x > 0], [x.astype(numpy.int8)], 5), a)
    same(lambda x: numpy.select([x > 0], [x.astype(numpy.int8)], numpy.int64(5)), a)
    same(lambda x: numpy.select([x > 0, x < 0], [1.5, x.astype(numpy.float32)]), a)
    with pytest.raises(ValueError, match="same length"):
        numpy.select([to_ours(a) > 0], [])


def test_ravel_unravel(machine):
    i = numpy.array([[3, 0], [1, 2]])
    j = numpy.array([[1, 4], [0, 2]])
    same(lambda x, y: numpy.ravel_multi_index((x, y), (4, 5)), i, j)
    same(lambda x, y: numpy.ravel_multi_index((x, y), (4, 5), order="F"), i, j)
    same(lambda x, y: numpy.ravel_multi_index((x, y + 3), (4, 5), mode="wrap"), i, j)
    same(lambda x, y: numpy.ravel_multi_index((x, y + 3), (4, 5), mode=("raise", "clip")),
         i, j)
    same(lambda x, y: numpy.ravel_multi_index((x, y + 3), (4, 5)), i, j)
    f = numpy.array([0, 7, 19])
    same(lambda x: numpy.unravel_index(x, (4, 5)), f)
    same(lambda x: numpy.unravel_index(x, (4, 5), order="F"), f)
    same(lambda x: numpy.unravel_index(x, (2, 5)), f)


def test_repeated_indices_last_wins_on_device_libraries():
    """The library path used on GPUs (where repeated indices have no defined winner)
    keeps the last value in C order, as NumPy does; run here with a NumPy stand-in."""
    import types
    from arrbackend.distributed.fancy import assign_last_wins
    xp = types.ModuleType("device_like")
    xp.__dict__.update({k: getattr(numpy, k) for k in dir(numpy) if not k.startswith("__")})
    t = numpy.zeros((5, 3))
    idx = (numpy.array([4, 0, 4, 1, 0]),)
    vals = numpy.arange(15.0).reshape(5, 3)
    assign_last_wins(xp, t, idx, vals, 1)
    e = numpy.zeros((5, 3))
    e[idx] = vals
    numpy.testing.assert_array_equal(t, e)
    t2 = numpy.zeros((3, 4))
    assign_last_wins(xp, t2, (numpy.array([[1], [1]]), numpy.array([2, 2, 3])),
                     numpy.arange(6.0).reshape(2, 3), 2)
    e2 = numpy.zeros((3, 4))
    e2[numpy.array([[1], [1]]), numpy.array([2, 2, 3])] = numpy.arange(6.0).reshape(2, 3)
    numpy.testing.assert_array_equal(t2, e2)


@pytest.mark.parametrize("key", [
    (slice(None), [0, 0], Ellipsis, [False, False, False, True]),   # ... standing for no axis
    (slice(None), -3, Ellipsis, [True, False, True, True], slice(None)),
    (None, None, [-4], [], Ellipsis, []),
    ([1], slice(-2, 0, 1), slice(None, 0)),                          # an empty selection
])
def test_advanced_indices_apart_in_the_key(machine, key):
    # NumPy moves the broadcast axes first when advanced items are apart in the key, even
    # when what parts them (an Ellipsis) indexes no axis
    shape = {4: (3, 1, 4), 5: (5, 4, 4, 3), 6: (5, 2, 4), 3: (2, 1, 0)}[len(key)]
    a = numpy.arange(numpy.prod(shape), dtype=float).reshape(shape)
    k = tuple(numpy.array(i, dtype=bool if i and isinstance(i[0], bool) else numpy.intp)
              if isinstance(i, list) else i for i in key)
    same(lambda x: x[k], a)
    expected = a.copy()
    expected[k] = -numpy.arange(expected[k].size).reshape(expected[k].shape)
    x = to_ours(a)
    x[k] = to_ours(-numpy.arange(expected[k].size).reshape(expected[k].shape))
    check(x, expected)


@pytest.mark.parametrize("key", [(True, [1, 2]), (slice(None), True, Ellipsis, [1, 2]),
                                 (0, True, [1, 2]), (False, [1, 2])])
def test_python_bool_beside_index_arrays(machine, key):
    # (through the fallback, with its warning: rare; it used to fail inside the engine)
    import warnings
    a = numpy.arange(60).reshape(5, 3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ab.FallbackWarning)
        same(lambda x: x[key], a)
