"""Creation functions and random numbers.

Random values are a pure function of (seed, stream, element index): bit-identical on
``cpu:1`` and ``cpu:3``; ``seed(s)`` repeats a run; the distributions match NumPy's
(checked by statistics).  The stream itself (Philox4x32-10, every implementation against
the reference) is tested in test_philox.py."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from helpers import check


@pytest.mark.parametrize("dtype", [None, "int8", "uint16", "float32", "complex128", bool])
def test_filled(machine, dtype):
    for shape in [(), (0,), (5,), (4, 3), (7, 2, 3)]:
        check(ab.zeros(shape, dtype=dtype), numpy.zeros(shape, dtype=dtype))
        check(ab.ones(shape, dtype=dtype), numpy.ones(shape, dtype=dtype))
        check(ab.full(shape, 3, dtype=dtype), numpy.full(shape, 3, dtype=dtype))
        e = ab.empty(shape, dtype=dtype)
        assert e.shape == numpy.empty(shape, dtype=dtype).shape
        assert e.dtype == numpy.empty(shape, dtype=dtype).dtype


def test_like_functions_keep_layout(machine):
    a = numpy.arange(20.0).reshape(5, 4)
    x = ab.asarray(a)
    for f in ("zeros_like", "ones_like", "empty_like"):
        r = getattr(numpy, f)(x)
        assert isinstance(r, ab.ndarray) and r.shape == a.shape and r.dtype == a.dtype
        assert r._view_layout() == x._view_layout()
    check(numpy.full_like(x, 7, dtype=int), numpy.full_like(a, 7, dtype=int))
    check(numpy.zeros_like(x[:, ::2]), numpy.zeros_like(a[:, ::2]))
    check(ab.full((2, 3), 1.5), numpy.full((2, 3), 1.5))
    check(ab.full((3,), 2**40), numpy.full((3,), 2**40))


@pytest.mark.parametrize("args", [(10,), (3, 17), (2, 20, 3), (0.5, 7.3, 0.7), (10, 0, -2),
                                  (5, 1), (1.0, 2.0, 0.1), (-3, 3)])
@pytest.mark.parametrize("dtype", [None, "float32", "int16", "float64"])
def test_arange(machine, args, dtype):
    try:
        expected = numpy.arange(*args, dtype=dtype)
    except (ValueError, TypeError) as exc:
        with pytest.raises(type(exc)):
            ab.arange(*args, dtype=dtype)
        return
    got = ab.arange(*args, dtype=dtype)
    check(got, expected, rtol=0, atol=0)


def test_arange_errors():
    with pytest.raises(ZeroDivisionError):
        ab.arange(0, 5, 0)
    with pytest.raises(ValueError, match="cannot compute length"):
        ab.arange(0, numpy.inf)


@pytest.mark.parametrize("kw", [dict(num=50), dict(num=7, endpoint=False), dict(num=1),
                                dict(num=0), dict(num=11, dtype=int), dict(num=5, retstep=True)])
def test_linspace(machine, kw):
    e = numpy.linspace(-1.5, 2.25, **kw)
    g = ab.linspace(-1.5, 2.25, **kw)
    if kw.get("retstep"):
        check(g[0], e[0], rtol=0, atol=0)
        assert g[1] == e[1]
    else:
        check(g, e, rtol=0, atol=0)


def test_eye_identity_array_copy(machine):
    for args in [(4,), (3, 5), (5, 3, 1), (4, 4, -2), (0,)]:
        check(ab.eye(*args), numpy.eye(*args))
    check(ab.eye(3, dtype=int), numpy.eye(3, dtype=int))
    check(ab.identity(5), numpy.identity(5))
    check(ab.array([[1, 2], [3, 4]]), numpy.array([[1, 2], [3, 4]]))
    check(ab.array([1.5, 2], dtype=numpy.float32), numpy.array([1.5, 2], dtype=numpy.float32))
    check(ab.array(3.0), numpy.array(3.0))
    check(ab.array([1, 2], ndmin=3), numpy.array([1, 2], ndmin=3))
    x = ab.arange(6)
    y = ab.copy(x)
    y[0] = 100
    assert int(x[0]) == 0
    z = ab.asarray(x)
    assert z is x
    assert isinstance(ab.array(["a", "b"]), numpy.ndarray)   # strings stay on the host


def test_creation_errors():
    with pytest.raises(ValueError, match="negative dimensions"):
        ab.zeros(-1)
    with pytest.raises(TypeError, match="data type"):
        ab.zeros(3, dtype="foo")
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        ab.ones((2.5, 3))


# -----------------------------------------------------------------------------------
# random

DRAWS = [
    ("rand", lambda r: r.rand(9, 5)),
    ("randn", lambda r: r.randn(9, 5)),
    ("random", lambda r: r.random((7, 3))),
    ("random_sample", lambda r: r.random_sample(11)),
    ("uniform", lambda r: r.uniform(-1, 1, 13)),
    ("normal", lambda r: r.normal(2.0, 3.0, (4, 6))),
    ("randint", lambda r: r.randint(0, 256, (6, 5))),
    ("standard_normal", lambda r: r.standard_normal((8, 2))),
]


@pytest.mark.parametrize("name,fn", DRAWS, ids=[d[0] for d in DRAWS])
def test_random_identical_across_device_counts(name, fn):
    results = []
    for spec in ("cpu:1", "cpu:3", "cpu:4"):
        with ab.devices(spec), ab.settings.override(split_bytes=0):
            ab.random.seed(1234)
            fn(ab.random)          # a first draw: streams advance the same way
            results.append(ab.asnumpy(fn(ab.random)))
    for r in results[1:]:
        numpy.testing.assert_array_equal(r, results[0])


def test_seed_repeats_and_streams_differ(machine):
    ab.random.seed(7)
    a = ab.asnumpy(ab.random.rand(100))
    b = ab.asnumpy(ab.random.rand(100))
    ab.random.seed(7)
    numpy.testing.assert_array_equal(ab.asnumpy(ab.random.rand(100)), a)
    assert not numpy.array_equal(a, b)
    g1, g2 = ab.random.default_rng(3), ab.random.default_rng(3)
    numpy.testing.assert_array_equal(ab.asnumpy(g1.random(50)), ab.asnumpy(g2.random(50)))
    assert not numpy.array_equal(ab.asnumpy(ab.random.default_rng(4).random(50)),
                                 ab.asnumpy(ab.random.default_rng(3).random(50)))


def test_distributions(machine):
    ab.random.seed(11)
    n = 200_000
    u = ab.asnumpy(ab.random.uniform(-1, 1, n))
    assert u.min() >= -1 and u.max() < 1 and abs(u.mean()) < 0.01
    z = ab.asnumpy(ab.random.randn(n))
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    assert abs(numpy.mean(z**4) - 3) < 0.05            # kurtosis of a normal
    i = ab.asnumpy(ab.random.randint(3, 9, n))
    assert i.min() == 3 and i.max() == 8 and i.dtype == numpy.int64
    counts = numpy.bincount(i - 3) / n
    assert numpy.all(abs(counts - 1 / 6) < 0.005)
    g = ab.random.default_rng(5)
    k = ab.asnumpy(g.integers(0, 2**62, 1000))
    assert k.min() >= 0 and k.max() < 2**62
    f = g.random(10, dtype=numpy.float32)
    assert f.dtype == numpy.float32
    x = g.normal(5, 2, (300, 300))
    assert abs(float(x.mean()) - 5) < 0.05 and abs(float(x.std()) - 2) < 0.05
    e = g.integers(1, 6, 1000, endpoint=True)
    assert int(e.max()) == 6


def test_random_errors():
    with pytest.raises(ValueError, match="Seed must be between"):
        ab.random.seed(-1)
    with pytest.raises(ValueError, match="high <= low"):
        ab.random.randint(5, 5)
    with pytest.raises(ValueError, match="scale < 0"):
        ab.random.normal(0, -1, 3)
    with pytest.raises(ValueError, match="out of bounds"):
        ab.random.randint(0, 300, 4, dtype=numpy.uint8)
