"""The distributions of ``numpy.random`` as pure functions of (seed, stream, element).

Every distribution is written with the elementwise engine over uniform, normal and
64-bit integer draws (``arrbackend.api.random.draw``, Philox counters), so each element is
a function of the generator's key, the stream numbers the call takes and the element's
global index: the same values on 1, 3 or 8 devices of a kind.  Algorithms are NumPy's
(``numpy/random/src/distributions/distributions.c``) where they take a fixed number of
draws; rejection samplers (gamma, beta, von Mises, Poisson, binomial, zipf, ...) run in
*rounds*: every round draws candidates for the whole array from fresh streams, elements
accepted in an earlier round keep their value, and the rounds end when no element is
pending (one reduction per round).  The number of rounds depends only on the values, so
it is the same on every machine.  Values differ from NumPy's own streams (NumPy's are
sequential); the distributions are the same.
"""
from __future__ import annotations

import numpy

from ._helpers import ours, uf
from .manipulation import astype, where
from .random import draw

__all__ = ["Params", "uniform", "normal", "std_exp", "std_gamma", "poisson", "binomial",
           "rejection", "loggam", "settle"]

_MAX_ROUNDS = 200


class Params:
    """A distribution call's arguments broadcast to the output shape."""

    def __init__(self, stream, shape) -> None:
        self.stream = stream
        self.shape = tuple(shape)


def uniform(P):
    return draw(P.stream, "uniform", P.shape, numpy.float64)


def normal(P):
    return draw(P.stream, "normal", P.shape, numpy.float64)


def std_exp(P):
    """-log(1 - U): NumPy's inverse-CDF standard exponential."""
    return uf("negative", uf("log1p", uf("negative", uniform(P))))


def settle(*arrays):
    """Evaluate deferred values now (inside the caller's ``errstate``: the intermediate
    infinities and NaNs of a sampler are expected)."""
    for x in arrays:
        st = getattr(x, "_store", None)
        if st is not None and st.pending:
            st.materialize()


def rejection(P, propose):
    """Rounds of ``propose(P) -> (candidates, accepted)`` until every element is
    accepted; an element keeps the candidate of the first round that accepted it."""
    from .reductions import any as any_
    result = pending = None
    for _ in range(_MAX_ROUNDS):
        with numpy.errstate(all="ignore"):
            cand, ok = propose(P)
            if result is None:
                result, pending = cand, uf("logical_not", ok)
            else:
                take = uf("logical_and", pending, ok)
                result = where(take, cand, result)
                pending = uf("logical_and", pending, uf("logical_not", ok))
            settle(result, pending)
        if not bool(any_(pending)):
            return result
    raise RuntimeError("arrbackend.random: a rejection sampler did not finish in "
                       f"{_MAX_ROUNDS} rounds (parameters out of the sampler's range?)")


# --- gamma family ----------------------------------------------------------------------

def _mt_gamma(P, shape):
    """Marsaglia–Tsang for ``shape >= 1`` (an array broadcast to P.shape)."""
    d = uf("subtract", shape, 1.0 / 3.0)
    c = uf("true_divide", 1.0, uf("sqrt", uf("multiply", 9.0, d)))

    def propose(P):
        X = normal(P)
        U = uniform(P)
        V = uf("add", 1.0, uf("multiply", c, X))
        pos = uf("greater", V, 0.0)
        V3 = uf("multiply", uf("multiply", V, V), V)
        X2 = uf("multiply", X, X)
        quick = uf("less", U, uf("subtract", 1.0, uf("multiply", 0.0331, uf("multiply", X2, X2))))
        with numpy.errstate(all="ignore"):
            slow = uf("less", uf("log", U), uf("add", uf("multiply", 0.5, X2), uf(
                "multiply", d, uf("add", uf("subtract", 1.0, V3), uf("log", V3)))))
        ok = uf("logical_and", pos, uf("logical_or", quick, slow))
        return uf("multiply", d, V3), ok
    return rejection(P, propose)


def std_gamma(P, shape):
    """Standard gamma: Marsaglia–Tsang; ``shape < 1`` by ``G(shape+1) * U**(1/shape)``;
    ``shape == 0`` gives 0."""
    k = ours(shape) if not isinstance(shape, (int, float)) else shape
    small = uf("less", k, 1.0)
    boosted = where(small, uf("add", k, 1.0), k)
    g = _mt_gamma(P, boosted)
    if _has_true(small):
        with numpy.errstate(all="ignore"):
            u = uniform(P)
            g = where(small, uf("multiply", g, uf("power", u, uf("true_divide", 1.0, k))), g)
        g = where(uf("equal", k, 0.0), 0.0, g)
    return g


def _has_true(mask) -> bool:
    from .reductions import any as any_
    if hasattr(mask, "_store"):
        return bool(any_(mask))
    return bool(numpy.any(mask))


# --- log-gamma (NumPy's random_loggam) --------------------------------------------------

_LOGGAM_A = [8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
             -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
             6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
             -1.39243221690590e+00]


def loggam(x):
    """log Gamma(x) for x > 0 (NumPy's series with the shift below 7), elementwise."""
    x = astype(ours(x), numpy.float64) if not isinstance(x, float) else x
    n = where(uf("less", x, 7.0), uf("floor", uf("subtract", 7.0, x)), 0.0)
    x0 = uf("add", x, n)
    x2 = uf("multiply", uf("true_divide", 1.0, x0), uf("true_divide", 1.0, x0))
    gl0 = _LOGGAM_A[9]
    for k in range(8, -1, -1):
        gl0 = uf("add", uf("multiply", gl0, x2), _LOGGAM_A[k])
    gl = uf("add", uf("add", uf("true_divide", gl0, x0), 0.5 * numpy.log(2 * numpy.pi)),
            uf("subtract", uf("multiply", uf("subtract", x0, 0.5), uf("log", x0)), x0))
    with numpy.errstate(all="ignore"):      # (log(0) in the lanes where() leaves out)
        for k in range(1, 8):
            step = uf("greater_equal", n, k)
            gl = where(step, uf("subtract", gl, uf("log", uf("subtract", x0, float(k)))), gl)
    return where(uf("logical_or", uf("equal", x, 1.0), uf("equal", x, 2.0)), 0.0, gl)


# --- Poisson ---------------------------------------------------------------------------

def _poisson_small(P, lam):
    """Inversion by sequential search (one uniform per element)."""
    from .creation import zeros
    U = uniform(P)
    p = uf("exp", uf("negative", lam))
    s = p
    k = zeros(P.shape, numpy.int64)
    active = uf("greater", U, s)
    j = 0
    while _has_true(active) and j < 1000:
        j += 1
        p = uf("true_divide", uf("multiply", p, lam), float(j))
        s = uf("add", s, p)
        k = where(active, j, k)
        active = uf("logical_and", active, uf("greater", U, s))
        if not _has_true(uf("greater", p, 0.0)):
            break
    return k


def _poisson_ptrs(P, lam):
    """Hörmann's PTRS (NumPy's random_poisson_ptrs) for ``lam >= 10``."""
    slam = uf("sqrt", lam)
    loglam = uf("log", lam)
    b = uf("add", 0.931, uf("multiply", 2.53, slam))
    a = uf("add", -0.059, uf("multiply", 0.02483, b))
    invalpha = uf("add", 1.1239, uf("true_divide", 1.1328, uf("subtract", b, 3.4)))
    vr = uf("subtract", 0.9277, uf("true_divide", 3.6224, uf("subtract", b, 2.0)))

    def propose(P):
        U = uf("subtract", uniform(P), 0.5)
        V = uniform(P)
        us = uf("subtract", 0.5, uf("absolute", U))
        with numpy.errstate(all="ignore"):
            kf = uf("floor", uf("add", uf("multiply", uf("add", uf("true_divide", uf(
                "multiply", 2.0, a), us), b), U), uf("add", lam, 0.43)))
            quick = uf("logical_and", uf("greater_equal", us, 0.07), uf("less_equal", V, vr))
            bad = uf("logical_or", uf("less", kf, 0), uf("logical_and", uf("less", us, 0.013),
                                                         uf("greater", V, us)))
            kk = uf("maximum", kf, 0.0)
            lhs = uf("subtract", uf("add", uf("log", V), uf("log", invalpha)),
                     uf("log", uf("add", uf("true_divide", a, uf("multiply", us, us)), b)))
            rhs = uf("subtract", uf("add", uf("negative", lam), uf("multiply", kk, loglam)),
                     loggam(uf("add", kk, 1.0)))
            slow = uf("logical_and", uf("logical_not", bad), uf("less_equal", lhs, rhs))
        return kf, uf("logical_or", quick, slow)
    return astype(rejection(P, propose), numpy.int64)


def poisson(P, lam):
    """Poisson(lam) for lam broadcast to P.shape (int64)."""
    lam = ours(lam) if not isinstance(lam, (int, float)) else float(lam)
    small = uf("less", lam, 10.0)
    res = None
    if _has_true(small):
        res = _poisson_small(P, where(small, lam, 0.0))
    if _has_true(uf("logical_not", small)):
        big = _poisson_ptrs(P, where(small, 10.0, lam))
        res = big if res is None else where(small, res, big)
    return res


# --- binomial ----------------------------------------------------------------------------

def _binomial_inversion(P, n, p):
    """NumPy's inversion for ``n*p < 30`` (p <= 0.5), restarting an element that walks
    past its bound in a later round."""
    from .creation import zeros
    from .reductions import max as max_
    q = uf("subtract", 1.0, p)
    with numpy.errstate(all="ignore"):
        qn = uf("exp", uf("multiply", n, uf("log", q)))
    np_ = uf("multiply", n, p)
    bound = uf("minimum", n, uf("add", np_, uf("multiply", 10.0, uf("sqrt", uf(
        "add", uf("multiply", np_, q), 1.0)))))
    maxb = int(numpy.ceil(float(max_(bound)))) if hasattr(bound, "_store") else \
        int(numpy.ceil(bound))

    def propose(P):
        U = uniform(P)
        px = qn
        X = zeros(P.shape, numpy.int64)
        active = uf("greater", U, px)
        j = 0
        with numpy.errstate(all="ignore"):
            while _has_true(active) and j <= maxb:
                j += 1
                U = where(active, uf("subtract", U, px), U)
                px = uf("true_divide", uf("multiply", uf("multiply", uf(
                    "add", uf("subtract", n, j), 1.0), p), px), uf("multiply", float(j), q))
                X = where(active, j, X)
                active = uf("logical_and", active, uf("greater", U, px))
        ok = uf("logical_and", uf("logical_not", active), uf("less_equal", X, bound))
        return X, ok
    return rejection(P, propose)


def _binomial_btrs(P, n, p):
    """Hörmann's BTRS (transformed rejection with squeeze) for ``n*p >= 10``, p <= 0.5."""
    q = uf("subtract", 1.0, p)
    spq = uf("sqrt", uf("multiply", uf("multiply", n, p), q))
    b = uf("add", 1.15, uf("multiply", 2.53, spq))
    a = uf("add", uf("add", -0.0873, uf("multiply", 0.0248, b)), uf("multiply", 0.01, p))
    c = uf("add", uf("multiply", n, p), 0.5)
    vr = uf("subtract", 0.92, uf("true_divide", 4.2, b))
    alpha = uf("multiply", uf("add", 2.83, uf("true_divide", 5.1, b)), spq)
    lpq = uf("log", uf("true_divide", p, q))
    mm = uf("floor", uf("multiply", uf("add", n, 1.0), p))
    h = uf("add", loggam(uf("add", mm, 1.0)), loggam(uf("add", uf("subtract", n, mm), 1.0)))

    def propose(P):
        U = uf("subtract", uniform(P), 0.5)
        V = uniform(P)
        us = uf("subtract", 0.5, uf("absolute", U))
        with numpy.errstate(all="ignore"):
            k = uf("floor", uf("add", uf("multiply", uf("add", uf("true_divide", uf(
                "multiply", 2.0, a), us), b), U), c))
            inside = uf("logical_and", uf("greater_equal", k, 0), uf("less_equal", k, n))
            quick = uf("logical_and", uf("greater_equal", us, 0.07), uf("less_equal", V, vr))
            kk = uf("minimum", uf("maximum", k, 0.0), n)
            lv = uf("log", uf("true_divide", uf("multiply", V, alpha), uf(
                "add", uf("true_divide", a, uf("multiply", us, us)), b)))
            rhs = uf("add", uf("subtract", uf("subtract", h, loggam(uf("add", kk, 1.0))),
                               loggam(uf("add", uf("subtract", n, kk), 1.0))),
                     uf("multiply", uf("subtract", kk, mm), lpq))
            ok = uf("logical_and", inside, uf("logical_or", quick, uf("less_equal", lv, rhs)))
        return k, ok
    return astype(rejection(P, propose), numpy.int64)


def binomial(P, n, p):
    """Binomial(n, p) (int64), n and p broadcast to P.shape."""
    nf = astype(ours(n), numpy.float64) if not isinstance(n, (int, float)) else float(n)
    pf = ours(p) if not isinstance(p, (int, float)) else float(p)
    flip = uf("greater", pf, 0.5)
    pp = where(flip, uf("subtract", 1.0, pf), pf)
    np_ = uf("multiply", nf, pp)
    small = uf("less", np_, 30.0)
    res = None
    if _has_true(small):
        res = _binomial_inversion(P, where(small, nf, 0.0), where(small, pp, 0.0))
    if _has_true(uf("logical_not", small)):
        big = _binomial_btrs(P, where(small, 100.0, nf), where(small, 0.5, pp))
        res = big if res is None else where(small, res, big)
    res = where(flip, uf("subtract", astype(ours(nf) if not isinstance(nf, float) else
                                            ours(numpy.asarray(nf)), numpy.int64), res), res)
    zero = uf("logical_or", uf("equal", nf, 0.0), uf("equal", pf, 0.0))
    return astype(where(zero, 0, res), numpy.int64)
