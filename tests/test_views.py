"""Views: basic indexing of every kind, transposes and broadcasts are views of the store
(no copy); writes through any view land in the store; overlapping assignment behaves
as in NumPy.  Property tests draw shapes (0-size, one row per device, uneven), slices
(negative steps) and dtypes."""
from __future__ import annotations

import numpy
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import arrbackend as ab
from helpers import check, same, to_ours

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128"]

HYP = hsettings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _data(shape, dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    x = rng.integers(-50, 50, size=shape) if numpy.dtype(dtype).kind != "b" else \
        rng.integers(0, 2, size=shape)
    if numpy.dtype(dtype).kind == "c":
        x = x + 1j * rng.integers(-5, 5, size=shape)
    with numpy.errstate(all="ignore"):
        return x.astype(dtype)


shapes = st.lists(st.integers(0, 7), min_size=1, max_size=3).map(tuple)


@st.composite
def shape_and_index(draw):
    shape = draw(shapes)
    key = []
    for n in shape:
        kind = draw(st.sampled_from(["slice", "int", "none", "full"]))
        if kind == "int" and n > 0:
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
            stop = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
            step = draw(st.one_of(st.none(), st.integers(-3, 3).filter(lambda s: s != 0)))
            key.append(slice(start, stop, step))
        elif kind == "none":
            key.append(None)
            key.append(slice(None))
        else:
            key.append(slice(None))
    if draw(st.booleans()) and key:
        cut = draw(st.integers(0, len(key)))
        key = key[:cut] + [Ellipsis]
    return shape, tuple(key)


@HYP
@given(si=shape_and_index(), dtype=st.sampled_from(DTYPES))
def test_basic_index_is_view(machine, si, dtype):
    shape, key = si
    a = _data(shape, dtype)
    x = to_ours(a)
    v = x[key]
    check(v, a[key])
    if numpy.ndim(a[key]) == 0 and not isinstance(a[key], numpy.ndarray):
        assert v._store is not x._store  # an element: a value, as NumPy's scalar
    else:
        assert v._store is x._store      # a view: same store, no copy


@HYP
@given(si=shape_and_index())
def test_write_through_view(machine, si):
    shape, key = si
    a = _data(shape, "float64")
    x = to_ours(a)
    a[key] = -7.5
    x[key] = -7.5
    check(x, a)
    v = x[key]
    if not isinstance(a[key], numpy.ndarray):
        v[...] = 5.0                     # an element's value: the array is unchanged
        check(x, a)
        return
    a[key] = a[key] * 2 + 1
    v[...] = v * 2 + 1
    check(x, a)


@pytest.mark.parametrize("key", [
    (slice(None, None, 2),), (slice(None, None, -1),), (slice(5, 1, -2),),
    (Ellipsis, 0), (None, slice(1, -1)), (3, slice(None, None, -3)), (-1,), ()])
def test_explicit_views(machine, key):
    a = numpy.arange(7 * 5, dtype=float).reshape(7, 5)
    same(lambda x: x[key], a)


def test_transpose_swapaxes_broadcast_are_views(machine):
    a = numpy.arange(4 * 5 * 6).reshape(4, 5, 6)
    x = to_ours(a)
    for fn in (lambda t: t.T, lambda t: t.transpose(1, 0, 2), lambda t: t.swapaxes(0, 2),
               lambda t: numpy.moveaxis(t, 0, -1), lambda t: t.mT,
               lambda t: numpy.broadcast_to(t[:, :1], (4, 5, 6)),
               lambda t: t[:, None, ::-1], lambda t: numpy.expand_dims(t, 1),
               lambda t: t[:1].squeeze(0)):
        v = fn(x)
        check(v, fn(a))
        assert v._store is x._store


def test_write_through_transposed_and_negative_step(machine):
    a = numpy.arange(6 * 4, dtype=float).reshape(6, 4)
    x = to_ours(a)
    x.T[1, ::-2] = 100.0
    a.T[1, ::-2] = 100.0
    check(x, a)
    x[::-1][2] = numpy.arange(4.0)
    a[::-1][2] = numpy.arange(4.0)
    check(x, a)


def test_broadcast_view_is_read_only(machine):
    x = ab.zeros((1, 3))
    b = numpy.broadcast_to(x, (4, 3))
    with pytest.raises(ValueError, match="read-only"):
        b[...] = 1.0
    assert not b.flags.writeable


@pytest.mark.parametrize("case", ["shift_right", "shift_left", "reverse_add", "self_T"])
def test_overlapping_assignment(machine, case):
    def run(x):
        if case == "shift_right":
            x[1:] = x[:-1]
        elif case == "shift_left":
            x[:-1] = x[1:]
        elif case == "reverse_add":
            x[:, ::-1] += x
        else:
            x[...] = x.T + 0
        return x
    for n in (1, 2, 3, 5, 8):
        shape = (n, n) if case in ("reverse_add", "self_T") else (n * 3,)
        a = numpy.arange(numpy.prod(shape), dtype=float).reshape(shape)
        x = to_ours(a)
        check(run(x), run(a.copy()))


def test_index_errors(machine):
    x = ab.arange(6).reshape(2, 3)
    a = numpy.arange(6).reshape(2, 3)
    for key in [5, (0, 7), (1, 2, 3), (Ellipsis, Ellipsis), 1.5, "a"]:
        with pytest.raises(IndexError) as ours:
            x[key]
        with pytest.raises(IndexError) as theirs:
            a[key]
        assert str(theirs.value).split(";")[0][:20] == str(ours.value).split(";")[0][:20]


def test_len_iter(machine):
    a = numpy.arange(12).reshape(4, 3)
    x = to_ours(a)
    assert len(x) == 4
    for row, arow in zip(x, a):
        check(row, arow)
    with pytest.raises(TypeError, match="len"):
        len(ab.asarray(3.0))
    with pytest.raises(TypeError, match="iteration"):
        iter(ab.asarray(3.0)).__next__()


READ_ONLY_WRITES = {
    "setitem": lambda x: x.__setitem__(0, 1), "slice": lambda x: x.__setitem__(slice(1, 3), 5),
    "mask": lambda x: x.__setitem__(x > 2, 0), "fancy": lambda x: x.__setitem__([0, 2], 0),
    "iadd": lambda x: x.__iadd__(1), "out": lambda x: numpy.add(x, 1, out=x),
    "fill": lambda x: x.fill(3), "sort": lambda x: x.sort(), "put": lambda x: numpy.put(x, [0], 9),
    "putmask": lambda x: numpy.putmask(x, x > 1, 0), "place": lambda x: numpy.place(x, x > 1, [0]),
    "copyto": lambda x: numpy.copyto(x, 2), "cumsum_out": lambda x: numpy.cumsum(x, out=x),
    "put_along": lambda x: numpy.put_along_axis(x, numpy.array([0]), 5, 0),
    "sum_out": lambda x: numpy.sum(x.reshape(2, 3), axis=0, out=x[:3]),
    "clip_out": lambda x: numpy.clip(x, 0, 1, out=x), "view": lambda x: x[1:].__setitem__(0, 7),
    "partition": lambda x: x.partition(2)}


@pytest.mark.parametrize("name", list(READ_ONLY_WRITES))
def test_read_only_arrays(machine, name):
    # setflags(write=False): every write raises NumPy's error and changes nothing
    op = READ_ONLY_WRITES[name]
    a = numpy.arange(6.0)
    x = ab.asarray(a)
    a.setflags(write=False)
    x.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        op(a)
    with pytest.raises(ValueError, match="read-only"):
        op(x)
    check(x, numpy.arange(6.0))
    assert not x.flags.writeable and not x[1:].flags["W"]


def test_writeable_flag(machine):
    x = ab.arange(3.0)
    assert x.flags.writeable
    x.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        x[0] = 1
    x.flags["WRITEABLE"] = True
    x[0] = 1
    check(x, numpy.array([1.0, 1.0, 2.0]))
    b = ab.broadcast_to(ab.arange(3.0), (2, 3))
    assert not b.flags.writeable
    with pytest.raises(ValueError, match="WRITEABLE"):
        b.setflags(write=True)


def test_writes_into_a_new_axis_sliced_empty(machine):
    # x[None][1:] is empty, not a broadcast: assignment and in-place updates are no-ops
    x = ab.arange(4.0)
    v = x[None][1:]
    v[...] = 3
    v += 1
    numpy.add(v, 1, out=v)
    check(x, numpy.arange(4.0))
    w = x[None][0:]
    w += 1                                     # (length 1: writes through)
    check(x, numpy.arange(4.0) + 1)
