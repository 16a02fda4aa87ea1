"""Where NumPy gives a scalar, arrbackend gives a 0-d array that stands for it: an
in-place operator then rebinds the name, as on NumPy's scalar (``s = a.sum(); t = s;
s += 1`` leaves ``t`` as it was); where NumPy gives a 0-d array, the operator writes
into it, as into NumPy's.  Checked on every machine against NumPy, statement by
statement."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab

_A = numpy.arange(1.0, 7.0)

# (name, f(np, a, z)): a = arange(1, 7), z = a 0-d array of 2.5
_CASES = [
    ("a.sum()", lambda np, a, z: a.sum()), ("np.sum(a)", lambda np, a, z: np.sum(a)),
    ("np.max(a)", lambda np, a, z: np.max(a)), ("a.min()", lambda np, a, z: a.min()),
    ("a.mean()", lambda np, a, z: a.mean()), ("np.std(a)", lambda np, a, z: np.std(a)),
    ("np.var(a)", lambda np, a, z: np.var(a)), ("a.prod()", lambda np, a, z: a.prod()),
    ("a.argmax()", lambda np, a, z: a.argmax()), ("np.nansum(a)", lambda np, a, z: np.nansum(a)),
    ("np.nanmean(a)", lambda np, a, z: np.nanmean(a)), ("a[2]", lambda np, a, z: a[2]),
    ("a[2] * 2", lambda np, a, z: a[2] * 2), ("np.sin(a[2])", lambda np, a, z: np.sin(a[2])),
    ("-a[1]", lambda np, a, z: -a[1]), ("z + 1", lambda np, a, z: z + 1),
    ("np.add(z, z)", lambda np, a, z: np.add(z, z)), ("np.dot(a, a)", lambda np, a, z: np.dot(a, a)),
    ("a @ a", lambda np, a, z: a @ a), ("np.vdot(a, a)", lambda np, a, z: np.vdot(a, a)),
    ("np.median(a)", lambda np, a, z: np.median(a)),
    ("np.percentile(a, 30)", lambda np, a, z: np.percentile(a, 30)),
    ("np.average(a)", lambda np, a, z: np.average(a)), ("np.ptp(a)", lambda np, a, z: np.ptp(a)),
    ("np.linalg.norm(a)", lambda np, a, z: np.linalg.norm(a)),
    ("np.round(z)", lambda np, a, z: np.round(z)), ("np.clip(z, 0, 1)", lambda np, a, z: np.clip(z, 0, 1)),
    ("a[2].copy()", lambda np, a, z: a[2].copy()), ("a[2].astype(int)", lambda np, a, z: a[2].astype(int)),
    ("a.sum(keepdims=True)", lambda np, a, z: a.sum(keepdims=True)),
    ("np.argmax(a, keepdims=True)", lambda np, a, z: np.argmax(a, keepdims=True)),
    ("np.maximum.reduce(a, dtype=float)",
     lambda np, a, z: np.maximum.reduce(a, dtype=np.float64)),
    ("np.add.reduce(a)", lambda np, a, z: np.add.reduce(a)),
    ("a.reshape(2, 3).argmin(keepdims=True)",
     lambda np, a, z: a.reshape(2, 3).argmin(keepdims=True)),
    # 0-d arrays in NumPy: written in place
    ("z.copy()", lambda np, a, z: z.copy()), ("np.copy(z)", lambda np, a, z: np.copy(z)),
    ("z.astype(int)", lambda np, a, z: z.astype(int)), ("z[...]", lambda np, a, z: z[...]),
    ("np.asarray(2.0)", lambda np, a, z: np.asarray(2.0)), ("np.zeros(())", lambda np, a, z: np.zeros(())),
    ("a[:1].reshape(())", lambda np, a, z: a[:1].reshape(())),
    ("np.squeeze(a[:1])", lambda np, a, z: np.squeeze(a[:1])),
    ("np.where(True, z, z)", lambda np, a, z: np.where(True, z, z)),
]


@pytest.mark.parametrize("name,f", _CASES, ids=[c[0] for c in _CASES])
def test_in_place_operators_rebind_where_numpy_gives_a_scalar(machine, name, f):
    a, z = _A.copy(), numpy.array(2.5)
    r = f(numpy, a, z)
    alias = r
    r += 1
    want = (numpy.asarray(alias).copy(), numpy.asarray(r).copy(), a, z)
    x, xz = ab.asarray(_A), ab.asarray(2.5)
    s = f(ab, x, xz)
    alias2 = s
    s += 1
    got = (ab.asnumpy(alias2), ab.asnumpy(s), ab.asnumpy(x), ab.asnumpy(xz))
    for g, w in zip(got, want):
        numpy.testing.assert_allclose(g, w, rtol=1e-12)


def test_under_enabled_too(machine):
    with ab.enabled():
        import numpy as np
        a = np.arange(1.0, 7.0)
        s = a.sum()
        t = s
        s += 1
        m = np.mean(a)
        n = m
        m *= 2
        z = np.zeros(())
        y = z
        z += 1
    assert float(t) == 21.0 and float(s) == 22.0 and float(n) == 3.5 and float(m) == 7.0
    assert float(y) == 1.0                  # (a 0-d array: written in place)


_VIEWS = [
    ("s.reshape(1)", lambda np, s: s.reshape(1)), ("s[None]", lambda np, s: s[None]),
    ("s[...]", lambda np, s: s[...]), ("s.ravel()", lambda np, s: s.ravel()),
    ("np.atleast_1d(s)", lambda np, s: np.atleast_1d(s)),
    ("np.expand_dims(s, 0)", lambda np, s: np.expand_dims(s, 0)),
    ("np.reshape(s, (1, 1))", lambda np, s: np.reshape(s, (1, 1))),
]


@pytest.mark.parametrize("name,f", _VIEWS, ids=[c[0] for c in _VIEWS])
def test_arrays_made_from_a_scalar_stand_in_are_new(machine, name, f):
    """NumPy makes a new array from its scalar; so does arrbackend from the 0-d array
    standing for it (a reduction's result, an element): writing it leaves the value."""
    for make in (lambda xp, a: a.sum(), lambda xp, a: a[2], lambda xp, a: xp.max(a)):
        a = numpy.arange(4.0)
        s = make(numpy, a)
        v = f(numpy, s)
        v[...] = 99.0
        x = ab.asarray(numpy.arange(4.0))
        t = make(ab, x)
        w = f(ab, t)
        w[...] = 99.0
        assert float(t) == float(s)
        numpy.testing.assert_array_equal(ab.asnumpy(w), v)
    with ab.enabled():
        import numpy as np
        s = np.arange(4.0).sum()
        c = np.asarray(s)
        c[...] = 5.0
        assert float(s) == 6.0


_DRAWS = [
    ("np.random.rand()", lambda np, rng: np.random.rand()),
    ("np.random.randint(5)", lambda np, rng: np.random.randint(5)),
    ("np.random.poisson(3.0)", lambda np, rng: np.random.poisson(3.0)),
    ("np.random.normal(np.asarray(0.0))", lambda np, rng: np.random.normal(np.asarray(0.0))),
    ("rng.random()", lambda np, rng: rng.random()),
    ("rng.integers(5)", lambda np, rng: rng.integers(5)),
    ("rng.binomial(5, 0.5)", lambda np, rng: rng.binomial(5, 0.5)),
    ("rng.choice(5)", lambda np, rng: rng.choice(5)),
]


@pytest.mark.parametrize("name,f", _DRAWS, ids=[c[0] for c in _DRAWS])
def test_draws_without_size_are_scalars(machine, name, f):
    """NumPy's random functions give a scalar without ``size``: ``x += 1`` rebinds."""
    with ab.enabled():
        import numpy as np
        x = f(np, np.random.default_rng(3))
        y = x
        before = float(y)
        x += 1
        assert float(y) == before and float(x) == before + 1
        a = np.random.rand(3)                   # (with a size: an array, written in place)
        b = a
        a += 1
        assert (ab.asnumpy(b) == ab.asnumpy(a)).all()


_KINDS = {   # (a = [1, 4, 2, 8, 5], m = [[2, 1], [1, 3]], z = 2.5 as a 0-d array)
    "count_nonzero(a)": lambda np, a, m, z: np.count_nonzero(a),
    "linalg.matrix_rank(m)": lambda np, a, m, z: np.linalg.matrix_rank(m),
    "linalg.det(m)": lambda np, a, m, z: np.linalg.det(m),
    "linalg.slogdet(m)[1]": lambda np, a, m, z: np.linalg.slogdet(m)[1],
    "linalg.cond(m)": lambda np, a, m, z: np.linalg.cond(m),
    "isclose(z, z)": lambda np, a, m, z: np.isclose(z, z),
    "polyval(a[:3], 2.0)": lambda np, a, m, z: np.polyval(a[:3], 2.0),
    "cov(a)": lambda np, a, m, z: np.cov(a),
    "nanargmax(a)": lambda np, a, m, z: np.nanargmax(a),
    "nanstd(a)": lambda np, a, m, z: np.nanstd(a),
    "real(z)": lambda np, a, m, z: np.real(z),
    "sinc(z)": lambda np, a, m, z: np.sinc(z),
    "searchsorted(a, 3.0)": lambda np, a, m, z: np.searchsorted(a, 3.0),
    "searchsorted(a, [3.0])": lambda np, a, m, z: np.searchsorted(a, [3.0]),
    "digitize(3.0, [1, 2, 4])": lambda np, a, m, z: np.digitize(3.0, np.asarray([1, 2, 4])),
    "trapezoid(a)": lambda np, a, m, z: np.trapezoid(a),
    "tensordot(a, a, 1)": lambda np, a, m, z: np.tensordot(a, a, 1),
    "einsum('i,i', a, a)": lambda np, a, m, z: np.einsum("i,i", a, a),
    "cumsum(z)": lambda np, a, m, z: np.cumsum(z),
    "squeeze(a[:1])": lambda np, a, m, z: np.squeeze(a[:1]),
    "where(True, z, z)": lambda np, a, m, z: np.where(True, z, z),
    "a[a > 0][0]": lambda np, a, m, z: a[a > 0][0],
    "m.trace()": lambda np, a, m, z: m.trace(),
    "sign(z)": lambda np, a, m, z: np.sign(z),
    "median(m, axis=None)": lambda np, a, m, z: np.median(m, axis=None),
    "var(a, ddof=1)": lambda np, a, m, z: np.var(a, ddof=1),
}


@pytest.mark.parametrize("name", sorted(_KINDS))
def test_scalar_where_numpy_gives_a_scalar(machine, name):
    """A 0-d result stands for a scalar exactly where NumPy's result is one."""
    import warnings
    f = _KINDS[name]
    a, m, z = numpy.array([1.0, 4.0, 2.0, 8.0, 5.0]), numpy.array([[2.0, 1.0], [1.0, 3.0]]), \
        numpy.array(2.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = f(numpy, a, m, z)
        s = f(ab, ab.asarray(a), ab.asarray(m), ab.asarray(z))
    want = not isinstance(r, numpy.ndarray)
    got = not isinstance(s, ab.ndarray) or (s.ndim == 0 and s._store.scalar)
    assert got == want, (type(r), s)
