"""The samplers of ``numpy.random``'s distributions, one function per distribution:
``core(stream, args)`` with NumPy's argument names (``args`` as NumPy binds them).  Each
checks its parameters with NumPy's messages, broadcasts them against ``size`` and draws
through ``arrbackend.api.random_dists`` (pure functions of seed, stream and element).
``arrbackend.api.random_functions`` turns them into the legacy functions and the
``Generator`` methods."""
from __future__ import annotations

import warnings

import numpy

from ..distributed.elementwise import assign, broadcast_shapes
from . import random_dists as D
from ._helpers import host, ours, uf
from .manipulation import astype, where
from ..distributed.array import ndarray


# --- arguments ------------------------------------------------------------------------

def _param(v):
    if isinstance(v, ndarray) or isinstance(v, (int, float)):
        return v
    if isinstance(v, numpy.generic):
        return v.item()
    a = numpy.asarray(v)
    if a.ndim == 0:
        return a.item()
    return ours(a)


def _shape(size, *params):
    shapes = [p.shape for p in params if isinstance(p, ndarray)]
    if size is None:
        return broadcast_shapes(shapes) if shapes else ()
    from .creation import normalize_shape
    size = normalize_shape(size, "random")
    if shapes:
        try:
            full = broadcast_shapes(shapes + [size])
        except ValueError:
            full = None
        if full != size:
            raise ValueError("shape mismatch: objects cannot be broadcast to a single shape."
                             "  Mismatch is between arg 0 with shape "
                             f"{shapes[0]} and arg 1 with shape {size}.")
    return size


def _bad(cond) -> bool:
    """Whether an elementwise condition holds anywhere (parameters checks)."""
    if isinstance(cond, ndarray):
        from .reductions import any as any_
        return bool(any_(cond))
    return bool(numpy.any(cond))


def _check(cond, msg):
    with numpy.errstate(invalid="ignore"):
        if _bad(cond):
            raise ValueError(msg)


def _isnan(v):
    return uf("isnan", v) if isinstance(v, ndarray) else numpy.isnan(v)


def _lt(v, x):
    return uf("less", v, x)


def _le(v, x):
    return uf("less_equal", v, x)


def _nan_propagating(*names):
    """A rejection sampler whose NaN parameters give NaN, as NumPy's do (the rounds of a
    rejection sampler would never accept there): it runs on the parameters with NaN
    replaced by 1 and writes NaN where one was NaN."""
    def wrap(core):
        def sampler(s, a):
            mask = None
            clean = dict(a)
            for n in names:
                v = _param(a[n])
                nan = _isnan(v) if isinstance(v, (ndarray, float)) else False
                if not _bad(nan):
                    continue
                clean[n] = where(nan, 1.0, v) if isinstance(v, ndarray) else 1.0
                mask = nan if mask is None else uf("logical_or", mask, nan)
            if mask is None:
                return core(s, a)
            r = core(s, clean)
            r[...] = where(mask, numpy.nan, r)       # (r may be the caller's out=)
            return r
        sampler.__name__ = core.__name__
        return sampler
    return wrap


def _P(stream, size, *params):
    return D.Params(stream, _shape(size, *params))


def _finish(r, P, dtype=numpy.float64):
    with numpy.errstate(all="ignore"):
        D.settle(r)
    if not isinstance(r, ndarray):
        from .creation import full
        return full(P.shape, r, dtype=dtype)
    if r.shape != P.shape:
        from .manipulation import broadcast_to
        r = broadcast_to(r, P.shape).copy()
    return astype(r, dtype) if r.dtype != dtype else r


# --- continuous ------------------------------------------------------------------------

def _exponential(s, a):
    scale = _param(a["scale"])
    _check(_lt(scale, 0), "scale < 0")
    P = _P(s, a["size"], scale)
    return _finish(uf("multiply", scale, D.std_exp(P)), P)


def _standard_exponential(s, a):
    P = _P(s, a["size"])
    r = _finish(D.std_exp(P), P)
    return _dtype_out(r, a)


def _dtype_out(r, a):
    dt = numpy.dtype(a.get("dtype", numpy.float64) or numpy.float64)
    if dt not in (numpy.float64, numpy.float32):
        raise TypeError(f"Unsupported dtype {dt!r}")
    if dt != r.dtype:
        r = astype(r, dt)
    out = a.get("out")
    if out is not None:
        assign(out, r)
        return out
    return r


@_nan_propagating("shape")
def _standard_gamma(s, a):
    shape = _param(a["shape"])
    _check(_lt(shape, 0), "shape < 0")
    size = a["size"] if a.get("out") is None else a["out"].shape
    P = _P(s, size, shape)
    return _dtype_out(_finish(D.std_gamma(P, shape), P), a)


@_nan_propagating("shape", "scale")
def _gamma(s, a):
    shape, scale = _param(a["shape"]), _param(a["scale"])
    _check(_lt(shape, 0), "shape < 0")
    _check(_lt(scale, 0), "scale < 0")
    P = _P(s, a["size"], shape, scale)
    return _finish(uf("multiply", D.std_gamma(P, shape), scale), P)


@_nan_propagating("a", "b")
def _beta(s, a):
    x, y = _param(a["a"]), _param(a["b"])
    _check(_le(x, 0), "a <= 0")
    _check(_le(y, 0), "b <= 0")
    P = _P(s, a["size"], x, y)
    gx = D.std_gamma(P, x)
    gy = D.std_gamma(P, y)
    with numpy.errstate(all="ignore"):
        r = uf("true_divide", gx, uf("add", gx, gy))
    return _finish(r, P)


def _chisq(P, df):
    return uf("multiply", 2.0, D.std_gamma(P, uf("true_divide", df, 2.0)))


@_nan_propagating("df")
def _chisquare(s, a):
    df = _param(a["df"])
    _check(_le(df, 0), "df <= 0")
    P = _P(s, a["size"], df)
    return _finish(_chisq(P, df), P)


@_nan_propagating("dfnum", "dfden")
def _f(s, a):
    dn, dd = _param(a["dfnum"]), _param(a["dfden"])
    _check(_le(dn, 0), "dfnum <= 0")
    _check(_le(dd, 0), "dfden <= 0")
    P = _P(s, a["size"], dn, dd)
    r = uf("true_divide", uf("true_divide", _chisq(P, dn), dn),
           uf("true_divide", _chisq(P, dd), dd))
    return _finish(r, P)


def _ncchisq(P, df, nonc):
    zero = uf("equal", nonc, 0)
    big = uf("greater", df, 1)
    c1 = _chisq(P, where(big, uf("subtract", df, 1), 1.0))
    n = uf("add", D.normal(P), uf("sqrt", nonc))
    r_big = uf("add", c1, uf("multiply", n, n))
    r = r_big
    if _bad(uf("logical_and", uf("logical_not", big), uf("logical_not", zero))):
        i = D.poisson(P, uf("true_divide", nonc, 2.0))
        r_small = _chisq(P, uf("add", df, uf("multiply", 2.0, i)))
        r = where(big, r_big, r_small)
    if _bad(zero):
        r = where(zero, _chisq(P, df), r)
    return r


@_nan_propagating("df", "nonc")
def _noncentral_chisquare(s, a):
    df, nonc = _param(a["df"]), _param(a["nonc"])
    _check(_le(df, 0), "df <= 0")
    _check(_lt(nonc, 0), "nonc < 0")
    P = _P(s, a["size"], df, nonc)
    return _finish(_ncchisq(P, df, nonc), P)


@_nan_propagating("dfnum", "dfden", "nonc")
def _noncentral_f(s, a):
    dn, dd, nonc = _param(a["dfnum"]), _param(a["dfden"]), _param(a["nonc"])
    _check(_le(dn, 0), "dfnum <= 0")
    _check(_le(dd, 0), "dfden <= 0")
    _check(_lt(nonc, 0), "nonc < 0")
    P = _P(s, a["size"], dn, dd, nonc)
    t = uf("multiply", _ncchisq(P, dn, nonc), dd)
    return _finish(uf("true_divide", t, uf("multiply", _chisq(P, dd), dn)), P)


@_nan_propagating("df")
def _standard_t(s, a):
    df = _param(a["df"])
    _check(_le(df, 0), "df <= 0")
    P = _P(s, a["size"], df)
    num = D.normal(P)
    den = D.std_gamma(P, uf("true_divide", df, 2.0))
    r = uf("true_divide", uf("multiply", uf("sqrt", uf("true_divide", df, 2.0)), num),
           uf("sqrt", den))
    return _finish(r, P)


def _standard_cauchy(s, a):
    P = _P(s, a["size"])
    return _finish(uf("true_divide", D.normal(P), D.normal(P)), P)


def _loc_scale(a, name_loc="loc", name_scale="scale"):
    loc, scale = _param(a[name_loc]), _param(a[name_scale])
    _check(_lt(scale, 0), f"{name_scale} < 0")
    return loc, scale


def _gumbel(s, a):
    loc, scale = _loc_scale(a)
    P = _P(s, a["size"], loc, scale)
    with numpy.errstate(divide="ignore"):
        g = uf("negative", uf("log", D.std_exp(P)))
    return _finish(uf("add", loc, uf("multiply", scale, g)), P)


def _laplace(s, a):
    loc, scale = _loc_scale(a)
    P = _P(s, a["size"], loc, scale)
    U = D.uniform(P)
    with numpy.errstate(divide="ignore"):
        hi = uf("subtract", loc, uf("multiply", scale, uf("log", uf("subtract", 2.0, uf(
            "add", U, U)))))
        lo = uf("add", loc, uf("multiply", scale, uf("log", uf("add", U, U))))
    return _finish(where(uf("greater_equal", U, 0.5), hi, lo), P)


def _logistic(s, a):
    loc, scale = _loc_scale(a)
    P = _P(s, a["size"], loc, scale)
    U = D.uniform(P)
    with numpy.errstate(divide="ignore"):
        r = uf("add", loc, uf("multiply", scale, uf("log", uf("true_divide", U, uf(
            "subtract", 1.0, U)))))
    return _finish(r, P)


def _lognormal(s, a):
    mean, sigma = _loc_scale(a, "mean", "sigma")
    P = _P(s, a["size"], mean, sigma)
    return _finish(uf("exp", uf("add", mean, uf("multiply", sigma, D.normal(P)))), P)


def _pareto(s, a):
    x = _param(a["a"])
    _check(_le(x, 0), "a <= 0")
    P = _P(s, a["size"], x)
    return _finish(uf("expm1", uf("true_divide", D.std_exp(P), x)), P)


def _power(s, a):
    x = _param(a["a"])
    _check(_le(x, 0), "a <= 0")
    P = _P(s, a["size"], x)
    base = uf("negative", uf("expm1", uf("negative", D.std_exp(P))))
    return _finish(uf("power", base, uf("true_divide", 1.0, x)), P)


def _rayleigh(s, a):
    scale = _param(a["scale"])
    _check(_lt(scale, 0), "scale < 0")
    P = _P(s, a["size"], scale)
    return _finish(uf("multiply", scale, uf("sqrt", uf("multiply", 2.0, D.std_exp(P)))), P)


def _weibull(s, a):
    x = _param(a["a"])
    _check(_lt(x, 0), "a < 0")
    P = _P(s, a["size"], x)
    with numpy.errstate(divide="ignore"):
        r = uf("power", D.std_exp(P), uf("true_divide", 1.0, x))
    return _finish(where(uf("equal", x, 0), 0.0, r), P)


def _triangular(s, a):
    left, mode, right = _param(a["left"]), _param(a["mode"]), _param(a["right"])
    _check(uf("greater", left, mode), "left > mode")
    _check(uf("greater", mode, right), "mode > right")
    _check(uf("equal", left, right), "left == right")
    P = _P(s, a["size"], left, mode, right)
    base = uf("subtract", right, left)
    leftbase = uf("subtract", mode, left)
    ratio = uf("true_divide", leftbase, base)
    leftprod = uf("multiply", leftbase, base)
    rightprod = uf("multiply", uf("subtract", right, mode), base)
    U = D.uniform(P)
    lo = uf("add", left, uf("sqrt", uf("multiply", U, leftprod)))
    hi = uf("subtract", right, uf("sqrt", uf("multiply", uf("subtract", 1.0, U), rightprod)))
    return _finish(where(uf("less_equal", U, ratio), lo, hi), P)


def _wald(s, a):
    mean, scale = _param(a["mean"]), _param(a["scale"])
    _check(_le(mean, 0), "mean <= 0")
    _check(_le(scale, 0), "scale <= 0")
    P = _P(s, a["size"], mean, scale)
    mu_2l = uf("true_divide", mean, uf("multiply", 2.0, scale))
    Y = D.normal(P)
    Y = uf("multiply", uf("multiply", mean, Y), Y)
    root = uf("sqrt", uf("add", uf("multiply", uf("multiply", 4.0, scale), Y),
                         uf("multiply", Y, Y)))
    X = uf("add", mean, uf("multiply", mu_2l, uf("subtract", Y, root)))
    U = D.uniform(P)
    keep = uf("less_equal", U, uf("true_divide", mean, uf("add", mean, X)))
    return _finish(where(keep, X, uf("true_divide", uf("multiply", mean, mean), X)), P)


@_nan_propagating("mu", "kappa")
def _vonmises(s, a):
    mu, kappa = _param(a["mu"]), _param(a["kappa"])
    _check(_lt(kappa, 0), "kappa < 0")
    P = _P(s, a["size"], mu, kappa)
    pi = numpy.pi
    tiny = uf("less", kappa, 1e-8)
    k = where(tiny, 1.0, kappa)
    r = uf("add", 1.0, uf("sqrt", uf("add", 1.0, uf("multiply", 4.0, uf("multiply", k, k)))))
    rho = uf("true_divide", uf("subtract", r, uf("sqrt", uf("multiply", 2.0, r))),
             uf("multiply", 2.0, k))
    s_ = uf("true_divide", uf("add", 1.0, uf("multiply", rho, rho)), uf("multiply", 2.0, rho))
    s_ = where(uf("less", k, 1e-5), uf("add", uf("true_divide", 1.0, k), k), s_)

    def propose(P):
        U = D.uniform(P)
        V = D.uniform(P)
        Z = uf("cos", uf("multiply", pi, U))
        W = uf("true_divide", uf("add", 1.0, uf("multiply", s_, Z)), uf("add", s_, Z))
        Y = uf("multiply", k, uf("subtract", s_, W))
        with numpy.errstate(all="ignore"):
            ok = uf("logical_or", uf("greater_equal", uf("subtract", uf("multiply", Y, uf(
                "subtract", 2.0, Y)), V), 0), uf("greater_equal", uf("add", uf("log", uf(
                    "true_divide", Y, V)), uf("subtract", 1.0, Y)), 0))
        return W, ok
    W = D.rejection(P, propose)
    U = D.uniform(P)
    from .manipulation import clip
    res = uf("arccos", clip(W, -1.0, 1.0))
    res = where(uf("less", U, 0.5), uf("negative", res), res)
    res = uf("add", res, mu)
    neg = uf("less", res, 0)
    mod = uf("subtract", uf("fmod", uf("add", uf("absolute", res), pi), 2 * pi), pi)
    res = where(neg, uf("negative", mod), mod)
    huge = uf("greater", kappa, 1e6)
    if _bad(huge):
        alt = uf("add", mu, uf("multiply", uf("sqrt", uf("true_divide", 1.0, k)), D.normal(P)))
        alt = uf("subtract", uf("mod", uf("add", alt, pi), 2 * pi), pi)
        res = where(huge, alt, res)
    if _bad(tiny):
        res = where(tiny, uf("multiply", pi, uf("subtract", uf("multiply", 2.0, D.uniform(P)),
                                                1.0)), res)
    return _finish(res, P)


# --- discrete --------------------------------------------------------------------------

def _poisson(s, a):
    lam = _param(a["lam"])
    _check(uf("logical_or", _lt(lam, 0), _isnan(lam)), "lam < 0 or lam is NaN")
    _check(uf("greater", lam, 9.223372006484771e18), "lam value too large")
    P = _P(s, a["size"], lam)
    return _finish(D.poisson(P, lam), P, numpy.int64)


def _binomial(s, a):
    n, p = _param(a["n"]), _param(a["p"])
    if isinstance(n, float) and n != int(n) or isinstance(n, ndarray) and n.dtype.kind == "f":
        n = astype(ours(n), numpy.int64) if isinstance(n, ndarray) else int(n)
    _check(_lt(n, 0), "n < 0")
    _check(uf("logical_or", uf("logical_or", _lt(p, 0), uf("greater", p, 1)), _isnan(p)),
           "p < 0, p > 1 or p is NaN")
    P = _P(s, a["size"], n, p)
    return _finish(D.binomial(P, n, p), P, numpy.int64)


def _negative_binomial(s, a):
    n, p = _param(a["n"]), _param(a["p"])
    nan = _isnan(n) if isinstance(n, (ndarray, float)) else False
    if s.domain:                                  # (a Generator's check, not the legacy's)
        _check(nan, "n must not be NaN")
    _check(_le(n, 0), "n <= 0")
    _check(uf("logical_or", uf("logical_or", _le(p, 0), uf("greater", p, 1)), _isnan(p)),
           "p <= 0, p > 1 or p contains NaNs")
    P = _P(s, a["size"], n, p)
    if _bad(nan):                                 # the legacy function answers 0 there
        n = where(nan, 1.0, n) if isinstance(n, ndarray) else 1.0
    lam = uf("multiply", D.std_gamma(P, n), uf("true_divide", uf("subtract", 1.0, p), p))
    r = D.poisson(P, lam)
    return _finish(where(nan, 0, r) if _bad(nan) else r, P, numpy.int64)


def _geometric(s, a):
    p = _param(a["p"])
    _check(uf("logical_or", uf("logical_or", _le(p, 0), uf("greater", p, 1)), _isnan(p)),
           "p <= 0, p > 1 or p contains NaNs")
    P = _P(s, a["size"], p)
    with numpy.errstate(divide="ignore"):
        r = uf("ceil", uf("true_divide", uf("negative", D.std_exp(P)), uf(
            "log1p", uf("negative", p))))
    r = where(uf("equal", p, 1), 1.0, uf("maximum", r, 1.0))
    return _finish(r, P, numpy.int64)


def _hypergeometric(s, a):
    good, bad, ns = _param(a["ngood"]), _param(a["nbad"]), _param(a["nsample"])
    _check(_lt(good, 0), "ngood < 0")
    _check(_lt(bad, 0), "nbad < 0")
    _check(_lt(ns, 0), "nsample < 0")
    _check(uf("less", uf("add", good, bad), ns), "ngood + nbad < nsample")
    P = _P(s, a["size"], good, bad, ns)
    return _finish(_hyper(P, good, bad, ns), P, numpy.int64)


_HRUA_FROM = 400      # items drawn (or left) from which HRUA's rounds cost less


def _hyper(P, good, bad, ns):
    """HRUA (NumPy's ratio-of-uniforms sampler, in rounds of candidates for the whole
    array) where at least ``_HRUA_FROM`` items are drawn and as many left, else the simple
    sampler (one pass per item drawn: cheaper below that, as every HRUA round evaluates
    four log-gammas); arrays of parameters use each where it applies.  (NumPy switches at
    10, but its values come from sequential streams anyway.)"""
    total = uf("add", good, bad)
    big = uf("logical_and", uf("greater_equal", ns, _HRUA_FROM),
             uf("less_equal", ns, uf("subtract", total, _HRUA_FROM)))
    if not _bad(big):
        return _hyper_simple(P, good, bad, ns)
    if _bad(uf("logical_not", big)):
        small = _hyper_simple(P, where(big, 0, good), where(big, 0, bad), where(big, 0, ns))
        f = _HRUA_FROM
        large = _hrua(P, where(big, good, f), where(big, bad, f), where(big, ns, f))
        return where(big, large, small)
    return _hrua(P, good, bad, ns)


_HRUA_D1 = 2 * numpy.sqrt(2 / numpy.e)        # NumPy's constants (Stadlober 1989)
_HRUA_D2 = 3 - 2 * numpy.sqrt(3 / numpy.e)


def _hrua(P, good, bad, ns):
    """NumPy's ``hypergeometric_hrua``: candidates ``a + h (V - 1/2) / U`` accepted by
    the log-factorial test, in rounds for the whole array."""
    f = lambda v: astype(v, numpy.float64) if isinstance(v, ndarray) else float(v)  # noqa: E731
    good, bad, ns = f(good), f(bad), f(ns)
    lf = lambda k: D.loggam(uf("add", k, 1.0))       # noqa: E731  log(k!)
    pop = uf("add", good, bad)
    sample = uf("minimum", ns, uf("subtract", pop, ns))
    lo, hi = uf("minimum", good, bad), uf("maximum", good, bad)
    p, q = uf("true_divide", lo, pop), uf("true_divide", hi, pop)
    a = uf("add", uf("multiply", sample, p), 0.5)
    var = uf("true_divide", uf("multiply", uf("multiply", uf("subtract", pop, sample), sample),
                                uf("multiply", p, q)), uf("subtract", pop, 1.0))
    c = uf("sqrt", uf("add", var, 0.5))
    h = uf("add", uf("multiply", _HRUA_D1, c), _HRUA_D2)
    m = uf("floor", uf("true_divide", uf("multiply", uf("add", sample, 1.0), uf("add", lo, 1.0)),
                       uf("add", pop, 2.0)))

    def lfsum(k):
        return uf("add", uf("add", lf(k), lf(uf("subtract", lo, k))), uf("add", lf(
            uf("subtract", sample, k)), lf(uf("add", uf("subtract", hi, sample), k))))
    g = lfsum(m)
    b = uf("minimum", uf("add", uf("minimum", sample, lo), 1.0),
           uf("floor", uf("add", a, uf("multiply", 16.0, c))))

    def propose(P):
        U, V = D.uniform(P), D.uniform(P)
        X = uf("add", a, uf("true_divide", uf("multiply", h, uf("subtract", V, 0.5)), U))
        inside = uf("logical_and", uf("greater_equal", X, 0.0), uf("less", X, b))
        K = uf("floor", where(inside, X, 0.0))
        T = uf("subtract", g, lfsum(K))
        fast = uf("less_equal", uf("subtract", uf("multiply", U, uf("subtract", 4.0, U)), 3.0), T)
        reject = uf("greater_equal", uf("multiply", U, uf("subtract", U, T)), 1.0)
        slow = uf("less_equal", uf("multiply", 2.0, uf("log", U)), T)
        ok = uf("logical_and", inside, uf("logical_or", fast, uf("logical_and", uf(
            "logical_not", reject), slow)))
        return K, ok
    K = D.rejection(P, propose)
    K = where(uf("greater", good, bad), uf("subtract", sample, K), K)
    return where(uf("less", sample, ns), uf("subtract", good, K), K)


def _hyper_simple(P, good, bad, ns):
    """NumPy's simple hypergeometric sampler (one uniform per item drawn), using the
    complement so that at most half the population is drawn."""
    from .reductions import max as max_
    total = uf("add", good, bad)
    comp = uf("greater", uf("multiply", 2, ns), total)
    sample = where(comp, uf("subtract", total, ns), ns)
    d1 = astype(uf("subtract", total, sample), numpy.float64)
    d2 = astype(uf("minimum", bad, good), numpy.float64)
    Y = d2
    K = astype(sample, numpy.float64)
    steps = int(host(max_(ours(sample))))
    for _ in range(steps):
        active = uf("logical_and", uf("greater", Y, 0.0), uf("greater", K, 0.0))
        U = D.uniform(P)
        with numpy.errstate(all="ignore"):
            dec = uf("floor", uf("add", U, uf("true_divide", Y, uf("add", d1, K))))
        Y = where(active, uf("subtract", Y, dec), Y)
        K = where(active, uf("subtract", K, 1.0), K)
    Z = uf("subtract", d2, Y)
    Z = where(uf("greater", good, bad), uf("subtract", sample, Z), Z)
    return where(comp, uf("subtract", good, Z), Z)


def _logseries(s, a):
    p = _param(a["p"])
    _check(uf("logical_or", uf("logical_or", _lt(p, 0), uf("greater_equal", p, 1)),
              _isnan(p)), "p < 0, p >= 1 or p is NaN")
    P = _P(s, a["size"], p)
    r = uf("log1p", uf("negative", p))

    def propose(P):
        V = D.uniform(P)
        U = D.uniform(P)
        q = uf("negative", uf("expm1", uf("multiply", r, U)))
        with numpy.errstate(all="ignore"):
            val = uf("floor", uf("add", 1.0, uf("true_divide", uf("log", V), uf("log", q))))
        one = uf("greater_equal", V, p)
        inner = uf("less_equal", V, uf("multiply", q, q))
        res = where(one, 1.0, where(inner, val, where(uf("greater_equal", V, q), 1.0, 2.0)))
        bad = uf("logical_and", uf("logical_not", one), uf("logical_and", inner, uf(
            "logical_or", uf("less", val, 1.0), uf("equal", V, 0.0))))
        return res, uf("logical_not", bad)
    return _finish(D.rejection(P, propose), P, numpy.int64)


def _zipf(s, a):
    x = _param(a["a"])
    _check(uf("logical_or", _le(x, 1), _isnan(x)), "a <= 1 or a is NaN")
    P = _P(s, a["size"], x)
    am1 = uf("subtract", x, 1.0)
    b = uf("power", 2.0, am1)

    def propose(P):
        U = uf("subtract", 1.0, D.uniform(P))
        V = D.uniform(P)
        with numpy.errstate(all="ignore"):
            X = uf("floor", uf("power", U, uf("true_divide", -1.0, am1)))
            T = uf("power", uf("add", 1.0, uf("true_divide", 1.0, X)), am1)
            ok = uf("less_equal", uf("true_divide", uf("multiply", uf("multiply", V, X), uf(
                "subtract", T, 1.0)), uf("subtract", b, 1.0)), uf("true_divide", T, b))
            ok = uf("logical_and", ok, uf("logical_and", uf("greater_equal", X, 1.0), uf(
                "less", X, 9.2e18)))
        return X, ok
    return _finish(D.rejection(P, propose), P, numpy.int64)


# --- multivariate ----------------------------------------------------------------------

def _multinomial(s, a):
    from .manipulation import stack
    n = _param(a["n"])
    pv = host(a["pvals"]) if isinstance(a["pvals"], ndarray) else numpy.asarray(
        a["pvals"], dtype=float)
    if pv.ndim != 1:
        raise ValueError("pvals must be a 1-d sequence")
    if numpy.any(pv < 0) or numpy.any(pv > 1) or numpy.any(numpy.isnan(pv)):
        raise ValueError("pvals < 0, pvals > 1 or pvals contains NaNs")
    if pv[:-1].sum() > 1.0 + 1e-12:
        raise ValueError("sum(pvals[:-1]) > 1.0")
    _check(_lt(n, 0), "n < 0")
    P = _P(s, a["size"], n)
    remaining = n
    left = 1.0
    cols = []
    for j in range(len(pv) - 1):
        pj = min(max(pv[j] / left, 0.0), 1.0) if left > 0 else 0.0
        x = D.binomial(P, remaining, pj) if pj > 0 else _finish(0, P, numpy.int64)
        cols.append(_finish(x, P, numpy.int64))
        remaining = uf("subtract", remaining, x)
        left -= pv[j]
    cols.append(_finish(remaining, P, numpy.int64))
    return stack(cols, axis=-1)


def _dirichlet(s, a):
    from .reductions import sum as sum_
    alpha = host(a["alpha"]) if isinstance(a["alpha"], ndarray) else numpy.asarray(
        a["alpha"], dtype=float)
    if alpha.ndim != 1:
        raise ValueError("alpha must be a one-dimensional sequence")
    if numpy.any(alpha < 0):
        raise ValueError("alpha < 0")
    size = a["size"]
    from .creation import normalize_shape
    shape = (normalize_shape(size, "dirichlet") if size is not None else ()) + (len(alpha),)
    if numpy.isnan(alpha).any():            # NumPy's answer: NaN everywhere
        from .creation import full
        return full(shape, numpy.nan)
    P = D.Params(s, shape)
    alph = ours(alpha)                    # (broadcast by the sampler's arithmetic)
    g = D.std_gamma(P, alph)
    with numpy.errstate(all="ignore"):
        return uf("true_divide", g, sum_(g, axis=-1, keepdims=True))


def _multivariate_normal(s, a):
    from .linalg import matmul
    mean = host(a["mean"]) if isinstance(a["mean"], ndarray) else numpy.asarray(a["mean"])
    cov = host(a["cov"]) if isinstance(a["cov"], ndarray) else numpy.asarray(a["cov"])
    size = a["size"]
    shape = () if size is None else ((size,) if numpy.ndim(size) == 0 else tuple(size))
    if mean.ndim != 1:
        raise ValueError("mean must be 1 dimensional")
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ValueError("cov must be 2 dimensional and square")
    if mean.shape[0] != cov.shape[0]:
        raise ValueError("mean and cov must have same length")
    method = a.get("method", "svd")
    check_valid = a.get("check_valid", "warn")
    if check_valid not in ("warn", "raise", "ignore"):
        raise ValueError("check_valid must equal 'warn', 'raise', or 'ignore'")
    if method == "cholesky":
        factor = numpy.linalg.cholesky(cov).T
    elif method == "eigh":
        w, v = numpy.linalg.eigh(cov)
        factor = (v * numpy.sqrt(numpy.maximum(w, 0))).T
        if check_valid != "ignore" and numpy.any(w < -a.get("tol", 1e-8)):
            _psd(check_valid)
    else:
        u, sv, vh = numpy.linalg.svd(cov)
        if check_valid != "ignore":
            psd = numpy.allclose(numpy.dot(vh.T * sv, vh), cov, rtol=a.get("tol", 1e-8),
                                 atol=a.get("tol", 1e-8))
            if not psd:
                _psd(check_valid)
        factor = numpy.sqrt(sv)[:, None] * vh
    n = mean.shape[0]
    P = D.Params(s, shape + (n,))
    z = D.normal(P)
    x = matmul(z, ours(factor))
    return uf("add", x, ours(mean))


def _psd(check_valid):
    if check_valid == "warn":
        warnings.warn("covariance is not symmetric positive-semidefinite.", RuntimeWarning,
                      stacklevel=4)
    else:
        raise ValueError("covariance is not symmetric positive-semidefinite.")


def _multivariate_hypergeometric(s, a):
    from .manipulation import stack
    colors = numpy.asarray(host(a["colors"]) if isinstance(a["colors"], ndarray)
                           else a["colors"])
    if colors.ndim != 1:
        raise ValueError("colors must be a one-dimensional sequence")
    if numpy.any(colors < 0):
        raise ValueError("colors must be a sequence of nonnegative integers")
    if a.get("method", "marginals") not in ("count", "marginals"):
        raise ValueError('method must be "count" or "marginals".')
    ns = _param(a["nsample"])
    _check(_lt(ns, 0), "nsample must be nonnegative.")
    _check(uf("greater", ns, int(colors.sum())), "nsample > sum(colors)")
    size = a["size"]
    from .creation import normalize_shape
    base = normalize_shape(size, "multivariate_hypergeometric") if size is not None else ()
    P = _P(s, base if size is not None else None, ns) if isinstance(ns, ndarray) else \
        D.Params(s, base)
    remaining = ns
    cols = []
    rest = int(colors.sum())
    for c in colors[:-1]:
        rest -= int(c)
        x = _finish(_hyper(P, int(c), rest, remaining), P, numpy.int64)
        cols.append(x)
        remaining = uf("subtract", remaining, x)
    cols.append(_finish(remaining, P, numpy.int64))
    return stack(cols, axis=-1)
