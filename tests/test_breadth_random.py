"""The rest of ``numpy.random``: every distribution and permutation as a pure function of
(seed, stream, element) — the same values on cpu:1 and cpu:3 — with the right dtype,
shape, support and moments, and NumPy's errors."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from arrbackend.api.random_functions import DISTRIBUTIONS, GeneratorMethods
from helpers import check, to_ours

N = 4000

# (name, args, expected mean, expected variance or None, integer?)
CASES = [
    ("exponential", (2.0,), 2.0, 4.0, False), ("standard_exponential", (), 1.0, 1.0, False),
    ("gamma", (2.5, 2.0), 5.0, 10.0, False), ("gamma", (0.4,), 0.4, 0.4, False),
    ("standard_gamma", (3.0,), 3.0, 3.0, False), ("beta", (2.0, 3.0), 0.4, 0.04, False),
    ("beta", (0.3, 0.5), 0.375, None, False), ("chisquare", (4.0,), 4.0, 8.0, False),
    ("f", (5.0, 10.0), 1.25, None, False), ("noncentral_chisquare", (3.0, 2.0), 5.0, 14.0, False),
    ("noncentral_chisquare", (0.5, 1.0), 1.5, 5.0, False),
    ("noncentral_f", (5.0, 10.0, 2.0), 1.75, None, False),
    ("standard_t", (6.0,), 0.0, 1.5, False), ("standard_cauchy", (), None, None, False),
    ("gumbel", (1.0, 2.0), 1.0 + 2.0 * 0.5772156649, None, False),
    ("laplace", (1.0, 2.0), 1.0, 8.0, False), ("logistic", (1.0, 2.0), 1.0, None, False),
    ("lognormal", (0.0, 0.5), numpy.exp(0.125), None, False), ("pareto", (4.0,), 1 / 3, None,
                                                                False),
    ("power", (3.0,), 0.75, None, False), ("rayleigh", (2.0,), 2.0 * numpy.sqrt(numpy.pi / 2),
                                             None, False),
    ("weibull", (2.0,), numpy.sqrt(numpy.pi) / 2, None, False),
    ("triangular", (0.0, 1.0, 4.0), 5 / 3, None, False), ("wald", (2.0, 3.0), 2.0, 8 / 3, False),
    ("vonmises", (0.5, 3.0), 0.5, None, False), ("vonmises", (0.0, 1e-9), 0.0, None, False),
    ("poisson", (3.5,), 3.5, 3.5, True), ("poisson", (60.0,), 60.0, 60.0, True),
    ("binomial", (12, 0.3), 3.6, 2.52, True), ("binomial", (400, 0.7), 280.0, 84.0, True),
    ("negative_binomial", (5, 0.4), 7.5, 18.75, True), ("geometric", (0.3,), 1 / 0.3, None,
                                                          True),
    ("hypergeometric", (10, 7, 8), 80 / 17, None, True), ("logseries", (0.6,), None, None,
                                                          True),
    ("hypergeometric", (100, 200, 50), 50 / 3, 50 * 2 / 9 * 250 / 299, True),
    ("hypergeometric", (3000, 5000, 2500), 2500 * 3 / 8, 2500 * 15 / 64 * 5500 / 7999,
     True),                                                                     # (HRUA)
    ("zipf", (3.0,), None, None, True),
]


@pytest.mark.parametrize("name,args,mean,var,integer", CASES)
def test_distribution(machine, name, args, mean, var, integer):
    ab.random.seed(11)
    r = getattr(ab.random, name)(*args, size=N)
    assert isinstance(r, ab.ndarray) and r.shape == (N,)
    assert r.dtype == (numpy.int64 if integer else numpy.float64)
    h = ab.asnumpy(r)
    assert numpy.all(numpy.isfinite(h))
    if mean is not None:
        sd = numpy.sqrt(var if var is not None else h.var())
        assert abs(h.mean() - mean) < 5 * sd / numpy.sqrt(N) + 1e-9, (h.mean(), mean)
    if var is not None:
        assert abs(h.var() / var - 1) < 0.15, (h.var(), var)
    ref = getattr(numpy.random.default_rng(0), name)(*args, size=N)
    # (sample medians of an integer distribution whose CDF is near 1/2 at an integer differ
    # by one between samples: binomial(12, 0.3) has P(X <= 3) = 0.4925)
    slack = 1 if integer else 0
    assert abs(numpy.median(h) - numpy.median(ref)) < 0.2 * (numpy.std(ref) + 1) + slack
    g = getattr(ab.random.default_rng(3), name)(*args, size=(2, 3))
    assert g.shape == (2, 3)


def test_same_values_on_every_machine():
    draws = {}
    for spec in ("cpu:1", "cpu:3"):
        with ab.devices(spec), ab.settings.override(split_bytes=0):
            ab.random.seed(5)
            g = ab.random.default_rng(9)
            vals = [ab.random.gamma(0.7, size=50), ab.random.binomial(300, 0.2, size=50),
                    ab.random.poisson(ab.asarray(numpy.linspace(0.5, 80, 50))),
                    ab.random.permutation(40), ab.random.choice(10, 8, replace=False),
                    g.vonmises(1.0, 2.0, size=30), g.permuted(ab.arange(30).reshape(5, 6), axis=1),
                    g.multinomial(25, [0.2, 0.5, 0.3], size=4), g.dirichlet([1.0, 2.0], size=3),
                    g.choice(ab.arange(12.0), 5, p=numpy.full(12, 1 / 12), replace=False),
                    g.multivariate_hypergeometric([4, 5, 6], 7, size=3)]
            draws[spec] = [ab.asnumpy(v) for v in vals]
    for a, b in zip(draws["cpu:1"], draws["cpu:3"]):
        numpy.testing.assert_array_equal(a, b)


def test_array_parameters(machine):
    ab.random.seed(2)
    lam = to_ours(numpy.array([[0.5], [5.0], [50.0]]))
    r = ab.random.poisson(lam, size=(3, 400))
    m = ab.asnumpy(r).mean(axis=1)
    numpy.testing.assert_allclose(m, [0.5, 5.0, 50.0], rtol=0.15)
    sh = ab.random.gamma(ab.asarray([0.5, 3.0]), size=(300, 2))
    numpy.testing.assert_allclose(ab.asnumpy(sh).mean(axis=0), [0.5, 3.0], rtol=0.2)
    b = ab.random.binomial(ab.asarray([10, 1000]), ab.asarray([0.9, 0.1]), size=(200, 2))
    numpy.testing.assert_allclose(ab.asnumpy(b).mean(axis=0), [9.0, 100.0], rtol=0.1)
    with pytest.raises(ValueError, match="shape mismatch"):
        ab.random.gamma(ab.asarray([1.0, 2.0]), size=3)


@pytest.mark.parametrize("call,msg", [
    (lambda r: r.exponential(-1), "scale < 0"), (lambda r: r.gamma(-1), "shape < 0"),
    (lambda r: r.beta(0, 1), "a <= 0"), (lambda r: r.poisson(-1), "lam < 0"),
    (lambda r: r.binomial(-1, 0.5), "n < 0"), (lambda r: r.binomial(3, 1.5), "p < 0, p > 1"),
    (lambda r: r.geometric(0), "p <= 0"), (lambda r: r.hypergeometric(1, 1, 3),
                                          "ngood \\+ nbad < nsample"),
    (lambda r: r.zipf(1.0), "a <= 1"), (lambda r: r.logseries(1.0), "p >= 1"),
    (lambda r: r.vonmises(0, -1), "kappa < 0"), (lambda r: r.triangular(1, 0, 2), "left > mode"),
    (lambda r: r.wald(0, 1), "mean <= 0"), (lambda r: r.chisquare(0), "df <= 0"),
    (lambda r: r.noncentral_chisquare(1, -1), "nonc < 0"), (lambda r: r.dirichlet([-1, 1]),
                                                           "alpha < 0"),
    (lambda r: r.multinomial(3, [0.9, 0.9, 0.1]), "sum\\(pvals"),
    (lambda r: r.choice(3, 4, replace=False), "larger sample"),
    (lambda r: r.choice(3, p=[0.2, 0.2, 0.2]), "do not sum to 1"),
])
def test_errors(machine, call, msg):
    with pytest.raises(ValueError, match=msg):
        call(ab.random)
    with pytest.raises(ValueError, match=msg):
        call(ab.random.default_rng(0))


def test_hypergeometric_mixed_samplers(machine):
    # one array of parameters: the simple sampler for small samples, HRUA for large ones
    ns = numpy.array([3, 1200] * 10000)
    h = ab.asnumpy(ab.random.default_rng(5).hypergeometric(2000, 3000, to_ours(ns)))
    for k in (3, 1200):
        v = h[ns == k]
        assert v.min() >= 0 and v.max() <= k
        assert abs(v.mean() - k * 0.4) < 5 * numpy.sqrt(k * 0.24 / v.size) + 1e-9


@pytest.mark.parametrize("name,args", [
    ("gamma", (numpy.nan, 1.0)), ("standard_gamma", (numpy.nan,)), ("beta", (numpy.nan, 1.0)),
    ("chisquare", (numpy.nan,)), ("standard_t", (numpy.nan,)), ("vonmises", (0.0, numpy.nan)),
    ("f", (numpy.nan, 1.0)), ("noncentral_chisquare", (numpy.nan, 1.0)),
])
def test_nan_parameters_give_nan(machine, name, args):
    # a rejection sampler would never accept there; NumPy answers NaN
    want = getattr(numpy.random.default_rng(0), name)(*args, size=3)
    assert numpy.isnan(want).all()
    check(getattr(ab.random.default_rng(0), name)(*args, size=3), want)
    mixed = ab.asarray([2.0, numpy.nan, 3.0])              # only where the parameter is NaN
    r = ab.asnumpy(getattr(ab.random.default_rng(0), name)(
        *[(mixed if a != a else a) for a in args]))
    assert numpy.isnan(r).tolist() == [False, True, False]


def test_argument_checks_as_numpy(machine):
    g, G = numpy.random.default_rng(0), ab.random.default_rng(0)
    for call in (lambda r: r.uniform(0.0, numpy.nan, 3), lambda r: r.uniform(-1e308, 1e308),
                 lambda r: r.uniform(2, 1), lambda r: r.normal([0.0, 1.0], 1.0, size=()),
                 lambda r: r.uniform([0.0, 1.0], 2.0, size=(3,)),
                 lambda r: r.integers(0, 3, dtype=bool), lambda r: r.choice(0),
                 lambda r: r.negative_binomial(numpy.nan, 0.5)):
        with pytest.raises(Exception) as theirs:
            call(g)
        with pytest.raises(type(theirs.value)):
            call(G)
    for call in (lambda r: r.choice(0, (0,), replace=False), lambda r: r.integers(5, 3, size=0),
                 lambda r: r.integers(-5, size=(2, 0), dtype=numpy.uint8, endpoint=True)):
        want = call(g)                                 # nothing drawn: nothing checked
        check(call(G), want)


def test_choice_permutation_shuffle(machine):
    ab.random.seed(4)
    c = ab.random.choice(5, size=(20, 3))
    assert c.shape == (20, 3) and c.dtype == numpy.int64
    h = ab.asnumpy(c)
    assert h.min() >= 0 and h.max() < 5
    nr = ab.asnumpy(ab.random.choice(30, 30, replace=False))
    numpy.testing.assert_array_equal(numpy.sort(nr), numpy.arange(30))
    w = ab.asnumpy(ab.random.choice(4, 4000, p=[0.1, 0.0, 0.6, 0.3]))
    assert (w == 1).sum() == 0 and abs((w == 2).mean() - 0.6) < 0.05
    pop = ab.asarray(numpy.arange(10.0) * 2)
    s = ab.random.choice(pop, 4)
    assert set(ab.asnumpy(s)) <= set(numpy.arange(10.0) * 2)
    p = ab.random.permutation(ab.arange(12.0).reshape(4, 3))
    numpy.testing.assert_array_equal(numpy.sort(ab.asnumpy(p)[:, 0]), numpy.arange(4) * 3.0)
    x = ab.arange(20)
    ab.random.shuffle(x)
    numpy.testing.assert_array_equal(numpy.sort(ab.asnumpy(x)), numpy.arange(20))
    g = ab.random.default_rng(1)
    y = ab.arange(12).reshape(3, 4)
    g.shuffle(y, axis=1)
    numpy.testing.assert_array_equal(numpy.sort(ab.asnumpy(y), axis=1),
                                     numpy.arange(12).reshape(3, 4))
    q = g.permuted(ab.arange(12).reshape(3, 4), axis=None)
    numpy.testing.assert_array_equal(numpy.sort(ab.asnumpy(q).ravel()), numpy.arange(12))
    out = ab.zeros((3, 4), dtype=int)
    g.permuted(ab.arange(12).reshape(3, 4), axis=0, out=out)
    numpy.testing.assert_array_equal(numpy.sort(ab.asnumpy(out), axis=0),
                                     numpy.arange(12).reshape(3, 4))
    assert g.choice(ab.arange(6).reshape(2, 3), 2, axis=1, replace=False).shape == (2, 2)


def test_multivariate(machine):
    g = ab.random.default_rng(6)
    mean, cov = [1.0, -2.0], [[2.0, 0.6], [0.6, 1.0]]
    for method in ("svd", "eigh", "cholesky"):
        x = g.multivariate_normal(mean, cov, size=3000, method=method)
        h = ab.asnumpy(x)
        numpy.testing.assert_allclose(h.mean(axis=0), mean, atol=0.1)
        numpy.testing.assert_allclose(numpy.cov(h.T), cov, atol=0.15)
    with pytest.warns(RuntimeWarning, match="positive-semidefinite"):
        ab.random.multivariate_normal([0, 0], [[1, 2], [2, 1]], size=2)
    m = ab.asnumpy(ab.random.multinomial(20, [0.2, 0.3, 0.5], size=500))
    assert (m.sum(axis=1) == 20).all()
    numpy.testing.assert_allclose(m.mean(axis=0), [4, 6, 10], rtol=0.1)
    d = ab.asnumpy(ab.random.dirichlet([1.0, 2.0, 3.0], size=500))
    numpy.testing.assert_allclose(d.sum(axis=1), 1.0)
    mh = ab.asnumpy(g.multivariate_hypergeometric([3, 4, 5], 6, size=300))
    assert (mh.sum(axis=1) == 6).all() and (mh <= [3, 4, 5]).all()


def test_state_and_misc(machine):
    ab.random.seed(8)
    st = ab.random.get_state()
    a = ab.asnumpy(ab.random.gamma(2.0, size=5))
    ab.random.set_state(st)
    numpy.testing.assert_array_equal(ab.asnumpy(ab.random.gamma(2.0, size=5)), a)
    with pytest.raises(ValueError, match="get_state"):
        ab.random.set_state(numpy.random.get_state())
    bg = ab.random.get_bit_generator()
    ab.random.seed(1)
    ab.random.set_bit_generator(bg)
    ab.random.set_bit_generator(numpy.random.PCG64(3))
    assert isinstance(ab.random.bytes(7), bytes) and len(ab.random.bytes(7)) == 7
    with pytest.warns(DeprecationWarning):
        r = ab.random.random_integers(3, 5, size=50)
    h = ab.asnumpy(r)
    assert h.min() >= 3 and h.max() <= 5
    assert ab.random.ranf(3).shape == (3,) and ab.random.sample((2, 2)).shape == (2, 2)
    kids = ab.random.default_rng(4).spawn(2)
    v0, v1 = (ab.asnumpy(k.random(4)) for k in kids)
    assert not numpy.array_equal(v0, v1)
    assert ab.random.default_rng(5).bytes(3) == ab.random.default_rng(5).bytes(3)
    check(ab.random.default_rng(1).standard_gamma(2.0, size=3, dtype=numpy.float32).astype(float),
          ab.asnumpy(ab.random.default_rng(1).standard_gamma(2.0, size=3,
                                                            dtype=numpy.float32)).astype(float))


def test_every_generator_method_is_there():
    for name in list(DISTRIBUTIONS) + ["choice", "permuted", "multivariate_hypergeometric",
                                       "spawn"]:
        assert callable(getattr(ab.random.Generator, name, None)), name
        assert callable(getattr(GeneratorMethods, name)), name


def test_review_fixes(machine):
    g, G = numpy.random.default_rng(0), ab.random.default_rng(0)
    for call in (lambda r: r.uniform(0.0, -numpy.inf), lambda r: r.uniform(1.7e308, -1.7e308)):
        with pytest.raises(OverflowError):              # the range check comes first
            call(g)
        with pytest.raises(OverflowError):
            call(G)
    want = g.dirichlet([numpy.nan, 1.0], 2)              # NaN alpha: NaN, not an error
    check(G.dirichlet([numpy.nan, 1.0], 2), want)
    with pytest.raises(ValueError, match="NaN"):       # a Generator checks n for NaN...
        G.negative_binomial(numpy.nan, 0.5)
    check(ab.random.negative_binomial(numpy.nan, 0.5, size=2),     # ...the legacy answers 0
          numpy.random.negative_binomial(numpy.nan, 0.5, size=2))


@pytest.mark.parametrize("bounds", [(-1, 1), (0.0, 1.0), (2.5, -1), (0, 10**30), (0, 10**400),
                                    (2, 2**53 + 1),
                                    (-1e308, 1e308), (0.0, numpy.inf), (numpy.nan, 1.0),
                                    (True, 3), (numpy.float32(1), 2.0)])
@pytest.mark.parametrize("api", ["legacy", "generator"])
def test_uniform_bounds_as_numpy_checks_them(machine, bounds, api):
    """``uniform(low, high, size)`` with scalar bounds: NumPy's exception type where NumPy
    refuses the range (not finite, beyond floats, negative for a Generator), else values
    in ``[low, high)`` (or ``(high, low]``) of NumPy's dtype and shape."""
    low, high = bounds

    def call(np):
        src = np.random if api == "legacy" else np.random.default_rng(5)
        return src.uniform(low, high, (3, 4))

    try:
        want = call(numpy)
    except Exception as exc:        # noqa: BLE001
        with ab.enabled(devices=machine.spec), pytest.raises(type(exc)) as got:
            import numpy as np
            call(np)
        if isinstance(exc, (OverflowError, ValueError)) and "bounds" in str(exc):
            assert str(got.value) == str(exc)       # (NumPy's words, API by API)
        return
    with ab.enabled(devices=machine.spec):
        import numpy as np
        got = ab.asnumpy(call(np))
    assert got.dtype == want.dtype and got.shape == want.shape
    lo, hi = sorted((float(low), float(high)))
    assert numpy.all((got >= lo) & (got <= hi))
    with ab.enabled(devices=machine.spec):      # (the bounds as doubles, as NumPy takes
        import numpy as np                       # them: low + (high - low) * u)
        np.random.seed(3)
        r = ab.asnumpy(np.random.uniform(low, high, 5))
        np.random.seed(3)
        u = ab.asnumpy(np.random.uniform(0.0, 1.0, 5))
    lo64, hi64 = numpy.float64(low), numpy.float64(high)
    numpy.testing.assert_array_equal(r, (lo64 + (hi64 - lo64) * u).astype(r.dtype))
