"""``outer``, ``at``, ``reduce``, ``accumulate`` and ``reduceat`` of every NumPy ufunc on
arrbackend arrays, natively (``ARRBACKEND_FALLBACK=error`` throughout), against NumPy:
values, dtypes, and the same exception class where NumPy raises.  The paths GPU shards
take (the device library's elementwise ufunc, applied along an axis or in rounds of
distinct indices) are run on NumPy arrays too."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from arrbackend.api import ufunc_methods
from helpers import check, same, to_ours


def _numpy_folds_in_order() -> bool:
    """Whether this NumPy reduces a non-associative ufunc in order along an axis: the
    NumPy 2.5.2 of the GPU machine's image answers ``power.reduce([[2., 3., 2.]], axis=1)``
    with 2 ** 2 (its first and last elements; ``arctan2`` the same), which is not the
    fold NumPy documents and 2.4 computes (64)."""
    with numpy.errstate(all="ignore"):
        return float(numpy.power.reduce(numpy.array([[2.0, 3.0, 2.0]]), axis=1)[0]) == 64.0


_IN_ORDER = _numpy_folds_in_order()


def _against_numpys_fold(uf) -> None:
    if not _IN_ORDER and uf not in ufunc_methods._ASSOCIATIVE:
        pytest.xfail("this NumPy's reduce/accumulate of a non-associative ufunc skips "
                     "elements (see _numpy_folds_in_order): no reference to compare with")


@pytest.fixture(autouse=True)
def _no_fallback():
    with ab.settings.override(fallback="error"):
        yield


def _loop(uf):
    """Input dtypes of one loop of ``uf`` (float64 first, then int64, then bool)."""
    for pref in ("d", "l", "?"):
        for t in uf.types:
            ins, outs = t.split("->")
            if ins == pref * uf.nin and "O" not in outs:
                return [numpy.dtype(c) for c in ins]
    return None


UFUNCS = sorted({getattr(numpy, n).__name__ for n in dir(numpy)   # (aliases once)
                 if isinstance(getattr(numpy, n), numpy.ufunc)
                 and getattr(numpy, n).signature is None and _loop(getattr(numpy, n))})
BINARY = [n for n in UFUNCS if getattr(numpy, n).nin == 2]
BINARY_ONE_OUT = [n for n in BINARY if getattr(numpy, n).nout == 1]
ONE_OUT = [n for n in UFUNCS if getattr(numpy, n).nout == 1]


def _data(dt, shape=(5, 4), shift=0):
    v = (numpy.arange(numpy.prod(shape)).reshape(shape) * 7 + shift) % 5 + 1
    if dt.kind == "b":
        return v % 2 == 0
    return (v / 4 if dt.kind == "f" else v).astype(dt)


def test_every_ufunc_is_covered():
    assert len(UFUNCS) > 70 and len(BINARY_ONE_OUT) > 30


@pytest.mark.parametrize("name", BINARY)
def test_outer(machine, name):
    uf = getattr(numpy, name)
    d0, d1 = _loop(uf)
    a, b = _data(d0, (4,)), _data(d1, (3, 2), shift=1)
    same(uf.outer, a, b)
    same(lambda x: uf.outer(x, 3), a)               # NumPy makes an array of the 3
    same(lambda x, y: uf.outer(x[1:], y[:, 0]), a, b)


@pytest.mark.parametrize("name", BINARY_ONE_OUT)
def test_reduce(machine, name):
    uf = getattr(numpy, name)
    _against_numpys_fold(uf)
    a = _data(_loop(uf)[0])
    for kw in ({}, {"axis": 1}, {"axis": None}, {"axis": (0, 1)}, {"axis": 0, "keepdims": True},
               {"axis": -1, "dtype": numpy.float32 if a.dtype.kind == "f" else None}):
        same(lambda x: uf.reduce(x, **kw), a)
    same(lambda x: uf.reduce(x[:0], axis=0), a)                 # empty: identity or error
    same(lambda x: uf.reduce(x, axis=1, initial=a.dtype.type(1)), a)
    where = numpy.arange(20).reshape(5, 4) % 3 != 0
    same(lambda x, w: uf.reduce(x, axis=0, initial=a.dtype.type(1), where=w), a, where)
    same(lambda x, w: uf.reduce(x, axis=None, initial=a.dtype.type(1), where=w), a, where)
    same(lambda x: uf.reduce(x[2, 1]), a)                       # a 0-d array: AxisError
    if a.dtype.kind != "b" and not name.startswith(("left", "right")):
        out = to_ours(numpy.zeros(4, a.dtype))
        try:
            with numpy.errstate(all="ignore"):
                ref = uf.reduce(a, axis=0, out=numpy.zeros(4, a.dtype))
        except Exception as exc:
            with pytest.raises(type(exc)):
                uf.reduce(to_ours(a), axis=0, out=out)
        else:
            with numpy.errstate(all="ignore"):
                r = uf.reduce(to_ours(a), axis=0, out=out)
            assert r is out
            check(out, ref)


@pytest.mark.parametrize("name", BINARY_ONE_OUT)
def test_accumulate_and_reduceat(machine, name):
    uf = getattr(numpy, name)
    _against_numpys_fold(uf)
    a = _data(_loop(uf)[0])
    same(uf.accumulate, a)
    same(lambda x: uf.accumulate(x, axis=1), a)
    same(lambda x: uf.accumulate(x[::-1, 1:], axis=0), a)
    same(lambda x: uf.accumulate(x, axis=None), a)              # NumPy's ValueError
    same(lambda x: uf.reduceat(x, [0, 3, 1, 4]), a)
    same(lambda x: uf.reduceat(x, [0, 2], axis=1), a)
    same(lambda x: uf.reduceat(x, [1, 5]), a)                   # IndexError


@pytest.mark.parametrize("name", ONE_OUT)
def test_at(machine, name):
    uf = getattr(numpy, name)
    dts = _loop(uf)
    a = _data(dts[0], (6, 3))
    b = (_data(dts[1], (3,), shift=2),) if uf.nin == 2 else ()
    scalar = (b[0][1].item(),) if b else ()

    def at(x, *rest, key):
        y = x.copy()
        uf.at(y, key, *rest)
        return y

    idx = numpy.array([0, 4, 0, 5, 0])
    same(lambda x: at(x, *scalar, key=[0, 4, 0, 5, 0]), a)       # repeats accumulate
    same(lambda x, i: at(x, *scalar, key=i), a, idx)
    same(lambda x, i: at(x, *scalar, key=(i, 1)), a, idx)
    same(lambda x, i: at(x, *scalar, key=(i, numpy.array([2, 2, 0, 1, 2]))), a, idx)
    same(lambda x: at(x, *scalar, key=(slice(1, 4), 2)), a)
    same(lambda x: at(x, *scalar, key=slice(None, None, 2)), a)
    same(lambda x: at(x, *scalar, key=x[:, 0] > x[0, 0]), a)      # a mask
    same(lambda x, i: at(x, *scalar, key=-i - 1), a, idx)        # negative indices
    if b:
        same(lambda x, i, v: at(x, v, key=(i[:3], slice(None))), a, idx, b[0])
        same(lambda x, v: at(x, v[:2], key=[1, 1]), a, b[0][None].repeat(2, 0))
    same(lambda x: at(x, *scalar, key=[7]), a)                   # IndexError


def test_method_errors_are_numpy_errors(machine):
    a = numpy.arange(6.0).reshape(2, 3)
    same(lambda x: numpy.negative.outer(x, x), a)
    same(lambda x: numpy.divmod.reduce(x), a)
    same(lambda x: numpy.negative.reduce(x), a)
    same(lambda x: numpy.subtract.reduce(x, axis=(0, 1)), a)
    same(lambda x: numpy.subtract.reduce(x, where=x > 1), a)     # no identity, no initial
    same(lambda x: numpy.add.accumulate(x[0, 0]), a)
    same(lambda x: numpy.add.reduceat(x, [0.5]), a)
    for call in (lambda x: numpy.negative.at(x, [0], 1.0), lambda x: numpy.add.at(x, [0]),
                 lambda x: numpy.divmod.at(x, [0], 1.0),
                 lambda x: numpy.add.at(x, [0, 1], [1.0, 2.0])):
        with pytest.raises(ValueError):
            call(numpy.array(a))
        with pytest.raises(ValueError):
            call(to_ours(a))
    with pytest.raises(TypeError):
        numpy.matmul.outer(to_ours(a), to_ours(a))


def test_at_on_read_only_and_numpy_targets(machine):
    x = to_ours(numpy.zeros(4))
    x.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        numpy.add.at(x, [0], 1.0)
    h = numpy.zeros(4)
    numpy.add.at(h, to_ours(numpy.array([1, 1, 3])), to_ours(numpy.array([1.0, 2.0, 4.0])))
    numpy.testing.assert_array_equal(h, [0.0, 3.0, 0.0, 4.0])


def test_the_issue_examples(machine):
    x = to_ours(numpy.zeros(5))
    numpy.add.at(x, [0, 0, 1], 1.0)
    check(x, numpy.array([2.0, 1.0, 0, 0, 0]))
    check(numpy.floor_divide.outer(to_ours(numpy.arange(5)), to_ours(numpy.arange(1, 4))),
          numpy.floor_divide.outer(numpy.arange(5), numpy.arange(1, 4)))
    check(ab.add.outer(ab.arange(3), ab.arange(2)), numpy.add.outer(numpy.arange(3),
                                                                   numpy.arange(2)))


# ---------------------------------------------------------------------------------------
# the device-library paths, run on NumPy arrays

@pytest.fixture
def generic(monkeypatch):
    monkeypatch.setattr(ufunc_methods, "GENERIC_ON_NUMPY", True)


def _close(got, want):
    numpy.testing.assert_allclose(numpy.asarray(got, dtype=numpy.result_type(got, float)),
                                  numpy.asarray(want, dtype=numpy.result_type(want, float)),
                                  rtol=1e-12, equal_nan=True)
    assert numpy.asarray(got).dtype == numpy.asarray(want).dtype


@pytest.mark.parametrize("name", BINARY_ONE_OUT)
def test_device_paths(generic, name):
    uf = getattr(numpy, name)
    _against_numpys_fold(uf)
    a = _data(_loop(uf)[0], (6, 3))
    with numpy.errstate(all="ignore"):
        try:
            want = uf.reduce(a, axis=0)
        except (TypeError, ValueError):
            return                      # (the stand-in raises NumPy's error first)
        _close(ufunc_methods.fold(numpy, uf, a, 0, want.dtype), want)
        _close(ufunc_methods.fold(numpy, uf, a, 1, want.dtype), uf.reduce(a, axis=1))
        w = numpy.arange(18).reshape(6, 3) % 4 != 1
        one = a.dtype.type(1)
        _close(ufunc_methods.fold(numpy, uf, a, 0, want.dtype, one, w),
               uf.reduce(a, axis=0, initial=one, where=w))
        _close(ufunc_methods.fold(numpy, uf, a[2, 1], None, want.dtype, one),
               uf.reduce(a[2, 1], axis=(), initial=one))
        _close(ufunc_methods.scan(numpy, uf, a, 1, want.dtype), uf.accumulate(a, axis=1))
        ind = numpy.array([0, 4, 1, 5])
        _close(ufunc_methods.segments(numpy, uf, a, ind, 0, want.dtype),
               uf.reduceat(a, ind, axis=0))
        t, ref = a.copy(), a.copy()
        i = numpy.array([0, 5, 0, 0, 2])
        v = _data(a.dtype, (5, 3), shift=3)
        ufunc_methods.apply_at(numpy, uf, t, (i,), v, 1)
        uf.at(ref, i, v)
        _close(t, ref)
