"""``ARRBACKEND_RANDOM=numpy``: ``np.random.*``, ``default_rng()`` and ``RandomState`` give
NumPy's own numbers, bit for bit, as arrbackend arrays on the devices; every distribution
NumPy has (``test_every_distribution_is_listed`` fails when NumPy grows one)."""
from __future__ import annotations

import warnings

import numpy
import pytest

import arrbackend as ab

X = numpy.arange(10.0)

# method -> (args, kwargs): each is called with these and size= where it takes one
DRAWS = {
    "beta": ((2.0, 3.0), {}), "binomial": ((10, 0.3), {}), "chisquare": ((3.0,), {}),
    "choice": ((7,), {"replace": True}), "dirichlet": (([1.0, 2.0, 3.0],), {}),
    "exponential": ((2.0,), {}), "f": ((3.0, 5.0), {}), "gamma": ((2.0, 1.5), {}),
    "geometric": ((0.3,), {}), "gumbel": ((0.5, 2.0), {}),
    "hypergeometric": ((7, 5, 4), {}), "integers": ((-5, 9), {}),
    "laplace": ((0.5, 2.0), {}), "logistic": ((0.5, 2.0), {}),
    "lognormal": ((0.1, 0.5), {}), "logseries": ((0.6,), {}),
    "multinomial": ((10, [0.2, 0.3, 0.5]), {}),
    "multivariate_hypergeometric": (([3, 4, 5], 6), {}),
    "multivariate_normal": (([0.0, 1.0], [[1.0, 0.3], [0.3, 2.0]]), {}),
    "negative_binomial": ((5, 0.4), {}), "noncentral_chisquare": ((3.0, 1.5), {}),
    "noncentral_f": ((3.0, 5.0, 1.5), {}), "normal": ((1.0, 2.0), {}),
    "pareto": ((3.0,), {}), "poisson": ((4.0,), {}), "power": ((2.5,), {}),
    "random": ((), {}), "rayleigh": ((2.0,), {}), "standard_cauchy": ((), {}),
    "standard_exponential": ((), {}), "standard_gamma": ((2.5,), {}),
    "standard_normal": ((), {}), "standard_t": ((4.0,), {}),
    "triangular": ((0.0, 1.0, 3.0), {}), "uniform": ((-1.0, 2.0), {}),
    "vonmises": ((0.5, 2.0), {}), "wald": ((1.0, 2.0), {}), "weibull": ((1.5,), {}),
    "zipf": ((2.5,), {}),
    # legacy names
    "rand": ((4, 3), {}), "randn": ((4, 3), {}), "randint": ((-5, 9), {}),
    "random_integers": ((1, 9), {}), "random_sample": ((), {}), "ranf": ((), {}),
    "sample": ((), {}), "tomaxint": ((), {}),
}
NO_SIZE = {"rand", "randn"}
# methods with no distribution to draw (state, bit generators, in-place shuffles: below)
NOT_DRAWS = {"bit_generator", "bytes", "get_state", "set_state", "seed", "spawn",
             "permutation", "permuted", "shuffle", "get_bit_generator",
             "set_bit_generator", "default_rng", "test", "BitGenerator", "Generator",
             "MT19937", "PCG64", "PCG64DXSM", "Philox", "RandomState", "SFC64",
             "SeedSequence", "mtrand"}


@pytest.fixture(autouse=True)
def _numpy_streams():
    with ab.settings.override(random="numpy"):
        yield


def _names(obj):
    return sorted(n for n in dir(obj) if not n.startswith("_") and n not in NOT_DRAWS
                  and callable(getattr(obj, n)))


def test_every_distribution_is_listed():
    for obj in (numpy.random.Generator, numpy.random.RandomState, numpy.random):
        missing = set(_names(obj)) - set(DRAWS)
        assert not missing, f"{obj.__name__} has draws the table leaves out: {missing}"


def _call(obj, name):
    args, kwargs = DRAWS[name]
    if name not in NO_SIZE:
        kwargs = dict(kwargs, size=(3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return getattr(obj, name)(*args, **kwargs)


def _same(got, want):
    assert isinstance(got, ab.ndarray), type(got)
    g = ab.asnumpy(got)
    assert g.dtype == want.dtype and g.shape == want.shape
    numpy.testing.assert_array_equal(g, want)          # bit for bit


@pytest.mark.parametrize("name", _names(numpy.random.Generator))
def test_generator(machine, name):
    _same(_call(ab.random.default_rng(42), name), _call(numpy.random.default_rng(42), name))


@pytest.mark.parametrize("name", _names(numpy.random.RandomState))
def test_random_state(machine, name):
    _same(_call(ab.random.RandomState(42), name), _call(numpy.random.RandomState(42), name))


@pytest.mark.parametrize("name", _names(numpy.random))
def test_module_functions(machine, name):
    ab.random.seed(42)
    got = _call(ab.random, name)
    numpy.random.seed(42)
    _same(got, _call(numpy.random, name))


def test_inside_enabled(machine):
    numpy.random.seed(3)
    want = (numpy.random.rand(5), numpy.random.default_rng(8).normal(size=4),
            numpy.random.RandomState(9).randn(3))
    with ab.enabled():
        numpy.random.seed(3)
        got = (numpy.random.rand(5), numpy.random.default_rng(8).normal(size=4),
               numpy.random.RandomState(9).randn(3))
        rs = numpy.random.RandomState(1)
        assert isinstance(rs, numpy.random.RandomState)       # the class found in the block
    assert isinstance(rs, numpy.random.RandomState)           # and NumPy's own
    for g, w in zip(got, want):
        _same(g, w)


def test_shuffles_and_outputs_write_into_arrbackend_arrays(machine):
    x, h = ab.asarray(X.reshape(5, 2)), X.reshape(5, 2).copy()
    ab.random.default_rng(5).shuffle(x)
    numpy.random.default_rng(5).shuffle(h)
    _same(x, h)
    ab.random.seed(6)
    ab.random.shuffle(x)
    numpy.random.seed(6)
    numpy.random.shuffle(h)
    _same(x, h)
    out = ab.zeros((5, 2))
    r = ab.random.default_rng(7).permuted(x, axis=1, out=out)
    assert r is out
    _same(out, numpy.random.default_rng(7).permuted(h, axis=1))
    _same(ab.random.default_rng(7).permutation(x), numpy.random.default_rng(7).permutation(h))
    o32 = ab.zeros(4, dtype=numpy.float32)
    ab.random.default_rng(2).standard_normal(out=o32, dtype=numpy.float32)
    _same(o32, numpy.random.default_rng(2).standard_normal(4, dtype=numpy.float32))


def test_state_and_scalars(machine):
    ab.random.seed(11)
    state = ab.random.get_state()
    assert state[0] == "MT19937"                               # NumPy's own state
    a = ab.random.normal(size=3)
    ab.random.set_state(state)
    _same(ab.random.normal(size=3), ab.asnumpy(a))
    numpy.random.seed(11)
    assert ab.random.default_rng(3).random() == numpy.random.default_rng(3).random()
    kids = ab.random.default_rng(4).spawn(2)
    _same(kids[1].random(3), numpy.random.default_rng(4).spawn(2)[1].random(3))


def test_counter_streams_stay_the_default(machine):
    with ab.settings.override(random="counter"):
        ab.random.seed(42)
        ours = ab.asnumpy(ab.random.rand(5))
    numpy.random.seed(42)
    assert not numpy.array_equal(ours, numpy.random.rand(5))
    assert ab.settings.definitions()                              # documented
    assert any(s.env == "ARRBACKEND_RANDOM" for s in ab.settings.definitions())
