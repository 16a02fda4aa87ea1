"""The rest of ``numpy.random``: every distribution, ``choice permutation shuffle
permuted bytes``, the legacy state functions, and the same as ``Generator`` methods.

Each entry of ``DISTRIBUTIONS`` is one sampler written once (``core(stream, args)``, see
``arrbackend.api.random_dists``); the legacy module function (on the global stream) and
the ``Generator`` method (on the generator's stream) are built from it with NumPy's own
signature, so arguments bind exactly as NumPy binds them.  ``GeneratorMethods`` holds
the methods: ``arrbackend.api.random.Generator`` inherits it.

Permutations sort random 64-bit keys with the distributed sort; ``choice`` without
replacement takes the smallest keys (Efraimidis–Spirakis keys ``-log(u)/p`` with ``p=``).
"""
from __future__ import annotations

import inspect
import operator
import warnings

import numpy

from .registry import implements
from ..distributed.elementwise import assign
from . import random_dists as D
from .random_samplers import (
    _finish, _exponential, _standard_exponential, _standard_gamma, _gamma, _beta,
    _chisquare, _f, _noncentral_chisquare, _noncentral_f, _standard_t, _standard_cauchy,
    _gumbel, _laplace, _logistic, _lognormal, _pareto, _power, _rayleigh, _weibull,
    _triangular, _wald, _vonmises, _poisson, _binomial, _negative_binomial, _geometric,
    _hypergeometric, _logseries, _zipf, _multinomial, _dirichlet, _multivariate_normal,
    _multivariate_hypergeometric)
from ._helpers import host, ours, uf
from .manipulation import where
from ..distributed.array import ndarray
from ..distributed.store import mark_scalar

__all__ = ["GeneratorMethods", "DISTRIBUTIONS"]


# --- permutations and choice ---------------------------------------------------------------

def _keys(s, shape):
    return draw(s, "integers", tuple(shape), numpy.int64, params=(0, 0))


def _perm_indices(s, n):
    from .sorting import argsort
    return argsort(_keys(s, (n,)), kind="stable")


def _permutation(s, a):
    from .indexing import take
    x = a["x"]
    axis = a.get("axis", 0)
    if isinstance(x, (int, numpy.integer)):
        return _perm_indices(s, int(x))
    arr = ours(x)
    if arr.ndim == 0:
        raise IndexError("x must be an integer or at least 1-dimensional")
    from ..distributed.view import normalize_axis
    ax = normalize_axis(axis, arr.ndim)
    return take(arr, _perm_indices(s, arr.shape[ax]), axis=ax)


def _shuffle(s, a):
    x = a["x"]
    if not isinstance(x, ndarray):
        raise TypeError("arrbackend.random.shuffle shuffles arrbackend arrays in place")
    if x.ndim == 0:
        raise TypeError("shuffle only supports arrays with at least one dimension")
    x[...] = _permutation(s, {"x": x, "axis": a.get("axis", 0)})
    return None


def _permuted(s, a):
    from .sorting import argsort
    from .indexing import take_along_axis
    x = ours(a["x"])
    axis = a.get("axis")
    out = a.get("out")
    if axis is None:
        r = _permutation(s, {"x": x.reshape(-1), "axis": 0}).reshape(x.shape)
    else:
        from ..distributed.view import normalize_axis
        ax = normalize_axis(axis, x.ndim)
        order = argsort(_keys(s, x.shape), axis=ax, kind="stable")
        r = take_along_axis(x, order, ax)
    if out is not None:
        if out.shape != x.shape:
            raise ValueError("out must have the same shape as x")
        assign(out, r)
        return out
    return r


def _choice(s, a, generator):
    from .cumulative import cumsum
    from .indexing import take
    from .sorting import argsort, searchsorted
    from .reductions import count_nonzero
    pop = a["a"]
    size, replace, p = a["size"], a["replace"], a["p"]
    axis = a.get("axis", 0) if generator else 0
    shape = () if size is None else ((size,) if numpy.ndim(size) == 0 else tuple(size))
    k = 1
    for v in shape:
        k *= v
    if isinstance(pop, (int, numpy.integer)) or (isinstance(pop, ndarray) and pop.ndim == 0
                                                 and pop.dtype.kind in "iu"):
        n = int(pop)
        population = None
        if n < 0 or (n == 0 and k != 0):
            raise ValueError("a must be a positive integer unless no samples are taken"
                             if generator else
                             "a must be greater than 0 unless no samples are taken")
    else:
        population = ours(pop)
        if population.ndim == 0:
            raise ValueError("a must be a sequence or an integer, not a 0-d array"
                             if generator else "a must be 1-dimensional or an integer")
        if not generator and population.ndim != 1:
            raise ValueError("a must be 1-dimensional")
        from ..distributed.view import normalize_axis
        axis = normalize_axis(axis, population.ndim)
        n = population.shape[axis]
        if n == 0 and k != 0:
            raise ValueError("a cannot be empty unless no samples are taken")
    pp = None
    if p is not None:
        pp = ours(p, dtype=float)
        if pp.ndim != 1:
            raise ValueError("p must be 1-dimensional")
        if pp.size != n:
            raise ValueError("a and p must have same size")
        from .reductions import any as any_, sum as sum_
        if bool(any_(uf("logical_not", uf("greater_equal", pp, 0)))):   # (NaN too)
            raise ValueError("probabilities are not non-negative")
        if abs(float(sum_(pp)) - 1.0) > numpy.sqrt(numpy.finfo(numpy.float64).eps):
            raise ValueError("probabilities do not sum to 1")
    if replace:
        P = D.Params(s, shape)
        if pp is None:
            idx = draw(s, "integers", shape, numpy.int64, params=(0, n)) if n else \
                _finish(0, P, numpy.int64)
        else:
            cdf = cumsum(pp)
            cdf = uf("true_divide", cdf, cdf[-1])
            idx = searchsorted(cdf, D.uniform(P), side="right")
            idx = uf("minimum", idx, n - 1)
    else:
        if k > n:
            raise ValueError("Cannot take a larger sample than population when "
                             "replace is False" if generator else
                             "Cannot take a larger sample than population when "
                             "'replace=False'")
        if pp is not None:
            if int(count_nonzero(pp)) < k:
                raise ValueError("Fewer non-zero entries in p than size")
            u = D.uniform(D.Params(s, (n,)))
            with numpy.errstate(divide="ignore"):
                keys = uf("negative", uf("true_divide", uf("log", u), pp))
            keys = where(uf("equal", pp, 0), numpy.inf, keys)
            order = argsort(keys, kind="stable")
        else:
            order = _perm_indices(s, n)
        idx = order[:k].reshape(shape)
    if population is None:
        return idx
    return take(population, idx, axis=axis)


def _bytes(s, a):
    length = operator.index(a["length"])
    r = draw(s, "integers", (length,), numpy.int64, params=(0, 256))
    return host(r).astype(numpy.uint8).tobytes()


# --- the table ----------------------------------------------------------------------------

DISTRIBUTIONS = {
    "exponential": _exponential, "standard_exponential": _standard_exponential,
    "gamma": _gamma, "standard_gamma": _standard_gamma, "beta": _beta,
    "chisquare": _chisquare, "f": _f, "noncentral_chisquare": _noncentral_chisquare,
    "noncentral_f": _noncentral_f, "standard_t": _standard_t,
    "standard_cauchy": _standard_cauchy, "gumbel": _gumbel, "laplace": _laplace,
    "logistic": _logistic, "lognormal": _lognormal, "pareto": _pareto, "power": _power,
    "rayleigh": _rayleigh, "weibull": _weibull, "triangular": _triangular, "wald": _wald,
    "vonmises": _vonmises, "poisson": _poisson, "binomial": _binomial,
    "negative_binomial": _negative_binomial, "geometric": _geometric,
    "hypergeometric": _hypergeometric, "logseries": _logseries, "zipf": _zipf,
    "multinomial": _multinomial, "dirichlet": _dirichlet,
    "multivariate_normal": _multivariate_normal, "permutation": _permutation,
    "shuffle": _shuffle, "bytes": _bytes,
}
GENERATOR_ONLY = {"multivariate_hypergeometric": _multivariate_hypergeometric,
                  "permuted": _permuted}


_NOTE = ("a pure function of (seed, stream, element index): the same values on any "
         "number of devices")


def _scalar(r, args):
    """A draw's 0-d result stands for NumPy's scalar (no ``size``, no ``out``)."""
    if type(r) is ndarray and r.ndim == 0 and args.get("size") is None and \
            args.get("out") is None:
        mark_scalar(r)
    return r


def _legacy_function(name, core):
    nf = getattr(numpy.random, name)
    sig = inspect.signature(nf)

    def f(*args, **kwargs):
        b = sig.bind(*args, **kwargs)
        b.apply_defaults()
        return _scalar(core(_legacy(), dict(b.arguments)), b.arguments)
    f.__signature__ = sig
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Same as ``numpy.random.{name}`` ({_NOTE})."
    return implements(nf, module="numpy.random", name=name, note=_NOTE)(f)


def _method(name, core):
    nf = getattr(numpy.random.Generator, name)
    sig = inspect.signature(nf)

    def method(self, *args, **kwargs):
        b = sig.bind(self, *args, **kwargs)
        b.apply_defaults()
        args_ = dict(b.arguments)
        args_.pop("self", None)
        return _scalar(core(self._stream, args_), args_)
    method.__signature__ = sig
    method.__name__ = name
    method.__qualname__ = f"Generator.{name}"
    method.__doc__ = f"Same as ``numpy.random.Generator.{name}`` ({_NOTE})."
    implements(nf, module="numpy.random", name=f"Generator.{name}", note=_NOTE)(method)
    return method


for _name, _core in DISTRIBUTIONS.items():
    globals()[_name] = _legacy_function(_name, _core)

choice = _legacy_function("choice", lambda s, a: _choice(s, a, False))


class GeneratorMethods:
    """The ``numpy.random.Generator`` methods beyond ``random uniform normal
    standard_normal integers`` (each a row of ``DISTRIBUTIONS``)."""


for _name, _core in list(DISTRIBUTIONS.items()) + list(GENERATOR_ONLY.items()):
    setattr(GeneratorMethods, _name, _method(_name, _core))
GeneratorMethods.choice = _method("choice", lambda s, a: _choice(s, a, True))


def _spawn(self, n_children):
    """Same as ``numpy.random.Generator.spawn``: independent child generators."""
    key = list(self._stream.key)
    kids = []
    for i in range(operator.index(n_children)):
        ss = numpy.random.SeedSequence(entropy=key, spawn_key=(self._children + i,))
        kids.append(type(self)([int(w) for w in ss.generate_state(4)]))
    self._children += len(kids)
    return kids


_spawn.__qualname__ = "Generator.spawn"
implements(numpy.random.Generator.spawn, module="numpy.random", name="Generator.spawn",
           note="children keyed from the parent's key")(_spawn)
GeneratorMethods.spawn = _spawn


# --- legacy extras ---------------------------------------------------------------------

@implements(numpy.random.random_integers, module="numpy.random", name="random_integers")
def random_integers(low, high=None, size=None):
    """Same as ``numpy.random.random_integers`` (deprecated there): integers in
    [low, high]."""
    from .random import randint
    if high is None:
        warnings.warn("This function is deprecated. Please call randint(1, {low} + 1) "
                      "instead".format(low=low), DeprecationWarning, stacklevel=2)
        low, high = 1, low
    else:
        warnings.warn("This function is deprecated. Please call randint({low}, {high} + 1) "
                      "instead".format(low=low, high=high), DeprecationWarning, stacklevel=2)
    return randint(low, int(high) + 1, size=size)


@implements(numpy.random.ranf, module="numpy.random", name="ranf")
def ranf(*args, **kwargs):
    """Same as ``numpy.random.ranf`` (``random_sample``)."""
    from .random import random_sample
    return random_sample(*args, **kwargs)


@implements(numpy.random.sample, module="numpy.random", name="sample")
def sample(*args, **kwargs):
    """Same as ``numpy.random.sample`` (``random_sample``)."""
    from .random import random_sample
    return random_sample(*args, **kwargs)


_STATE_NAME = "arrbackend.Philox4x32"


@implements(numpy.random.get_state, module="numpy.random", name="get_state",
            note="the state of arrbackend's global counter-based stream (a dict)")
def get_state(legacy=True):
    """The global stream's state: ``{'bit_generator': 'arrbackend.Philox4x32', 'state':
    {'key': ..., 'stream': ...}}`` (NumPy's MT19937 tuples describe another generator)."""
    st = _legacy()
    return {"bit_generator": _STATE_NAME, "state": {"key": tuple(st.key), "stream": st.next}}


@implements(numpy.random.set_state, module="numpy.random", name="set_state",
            note="accepts the states arrbackend's get_state returns")
def set_state(state):
    """Restore a state from ``get_state`` (ValueError for another generator's state)."""
    if not (isinstance(state, dict) and state.get("bit_generator") == _STATE_NAME):
        raise ValueError("set_state: arrbackend's random streams take the states its "
                         "get_state returns (a dict with bit_generator "
                         f"'{_STATE_NAME}')")
    st = _legacy()
    st.key = tuple(int(k) for k in state["state"]["key"])
    st.next = int(state["state"]["stream"])


class BitGenerator:
    """The global stream as a bit generator object (``get_bit_generator``)."""

    def __init__(self, stream: _Stream) -> None:
        self._stream = stream

    @property
    def state(self):
        return {"bit_generator": _STATE_NAME,
                "state": {"key": tuple(self._stream.key), "stream": self._stream.next}}

    @state.setter
    def state(self, value) -> None:
        set_state(value)

    def __repr__(self) -> str:
        return "arrbackend BitGenerator(Philox4x32)"


@implements(numpy.random.get_bit_generator, module="numpy.random", name="get_bit_generator")
def get_bit_generator():
    """The global stream as a ``BitGenerator`` object."""
    return BitGenerator(_legacy())


@implements(numpy.random.set_bit_generator, module="numpy.random", name="set_bit_generator")
def set_bit_generator(bitgen):
    """Reseed the global stream: from an arrbackend ``BitGenerator`` (its state), or
    from a NumPy bit generator's seed sequence."""
    if isinstance(bitgen, BitGenerator):
        set_state(bitgen.state)
        return
    ss = getattr(bitgen, "seed_seq", None)
    if ss is None:
        raise TypeError("set_bit_generator: expected a bit generator")
    _legacy().reseed([int(w) for w in ss.generate_state(4)])


# the engine's draws and its Generator (bound last: arrbackend.api.random imports this
# module at its end, and this module may be imported first)
from .random import _legacy, _Stream, draw, Generator  # noqa: E402

for _name, _value in vars(GeneratorMethods).items():
    if not _name.startswith("__") and _name not in vars(Generator):
        setattr(Generator, _name, _value)
