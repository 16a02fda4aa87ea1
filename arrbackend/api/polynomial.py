"""Polynomials: ``polyval polyfit poly roots polyadd polysub polymul polydiv polyder
polyint vander`` — NumPy's own algorithms (``numpy/lib/_polynomial_impl.py``) on
arrbackend arrays.  ``polyval`` evaluates Horner's scheme elementwise over a distributed
``x`` (the coefficients are small and read on the host); ``vander`` is a distributed
``cumprod``; ``polyfit`` and ``roots`` use the one-device ``lstsq``/``eigvals``.
``numpy.poly1d`` arguments run through the fallback (the class is NumPy's).
"""
from __future__ import annotations

import warnings

import numpy

from .registry import implements
from ._helpers import fallback, host, ours, uf
from .manipulation import astype, concatenate
from .ufuncs import common_machine
from ..distributed.array import ndarray

__all__ = ["polyval", "polyfit", "poly", "roots", "polyadd", "polysub", "polymul",
           "polydiv", "polyder", "polyint", "vander"]


def _poly1d(*args):
    return any(isinstance(a, numpy.poly1d) for a in args)


def _1d(a, m):
    x = ours(a, m)
    return x.reshape(1) if x.ndim == 0 else x


@implements(numpy.polyval, local=True)
def polyval(p, x):
    """Same as ``numpy.polyval`` (Horner's scheme over the whole of ``x``)."""
    from .creation import zeros_like
    if _poly1d(p, x):
        return fallback(numpy.polyval, (p, x), {}, "numpy.poly1d arguments")
    m = common_machine([p, x], "polyval")
    ph = host(p) if isinstance(p, ndarray) else numpy.asarray(p)
    xx = ours(x, m)
    y = zeros_like(xx)
    for pv in ph:
        y = uf("add", uf("multiply", y, xx), pv)
    return y


@implements(numpy.vander, local=True)
def vander(x, N=None, increasing=False):
    """Same as ``numpy.vander`` (powers by a ``cumprod`` along each row)."""
    from .creation import empty
    from .cumulative import cumprod
    from .manipulation import broadcast_to
    xx = ours(x)
    if xx.ndim != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    if N is None:
        N = xx.shape[0]
    dt = numpy.promote_types(xx.dtype, int)
    v = empty((xx.shape[0], N), dtype=dt, device=xx._store.machine)
    tmp = v[:, ::-1] if not increasing else v
    if N > 0:
        tmp[:, 0] = 1
    if N > 1:
        tmp[:, 1:] = cumprod(astype(broadcast_to(xx[:, None], (xx.shape[0], N - 1)), dt),
                             axis=1)
    return v


@implements(numpy.polyfit, devices="single", local=True,
            note="the least-squares solve runs on one device")
def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Same as ``numpy.polyfit``."""
    from .linalg import dot, inv
    from .linalg_solvers import lstsq
    from .reductions import sum as sum_
    from .products import outer
    m = common_machine([x, y, w], "polyfit")
    order = int(deg) + 1
    xx = uf("add", ours(x, m), 0.0)
    yy = uf("add", ours(y, m), 0.0)
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if xx.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if xx.size == 0:
        raise TypeError("expected non-empty vector for x")
    if yy.ndim < 1 or yy.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if xx.shape[0] != yy.shape[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = len(xx) * numpy.finfo(xx.dtype).eps
    lhs = vander(xx, order)
    rhs = yy
    if w is not None:
        ww = uf("add", ours(w, m), 0.0)
        if ww.ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if ww.shape[0] != yy.shape[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = uf("multiply", lhs, ww[:, None])
        rhs = uf("multiply", rhs, ww[:, None] if rhs.ndim == 2 else ww)
    scale = uf("sqrt", sum_(uf("multiply", lhs, lhs), axis=0))
    lhs = uf("true_divide", lhs, scale)
    c, resids, rank, s = lstsq(lhs, rhs, rcond)
    c = uf("true_divide", c.T, scale).T
    if rank != order and not full:
        warnings.warn("Polyfit may be poorly conditioned", numpy.exceptions.RankWarning,
                      stacklevel=2)
    if full:
        return c, resids, rank, s, rcond
    if cov:
        Vbase = inv(dot(lhs.T, lhs))
        Vbase = uf("true_divide", Vbase, outer(scale, scale))
        if cov == "unscaled":
            fac = 1
        else:
            if len(xx) <= order:
                raise ValueError("the number of data points must exceed order to scale "
                                 "the covariance matrix")
            fac = uf("true_divide", resids, len(xx) - order)
        if yy.ndim == 1:
            return c, uf("multiply", Vbase, fac)
        return c, uf("multiply", Vbase[:, :, None], fac)
    return c


@implements(numpy.poly, devices="single", local=True,
            note="a matrix argument's eigenvalues come from one device")
def poly(seq_of_zeros):
    """Same as ``numpy.poly``: the coefficients of the product of ``x - zero`` (a few
    numbers, multiplied out on the host from the zeros or a matrix's eigenvalues)."""
    from .linalg_solvers import eigvals
    z = ours(seq_of_zeros)
    if z.ndim == 0:
        z = z.reshape(1)
    sh = z.shape
    if len(sh) == 2 and sh[0] == sh[1] and sh[0] != 0:
        z = eigvals(z)
    elif len(sh) != 1:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if len(z) == 0:
        return 1.0
    return ours(numpy.poly(host(z)), z._store.machine)


@implements(numpy.roots, devices="single", local=True,
            note="the companion matrix's eigenvalues come from one device")
def roots(p):
    """Same as ``numpy.roots`` (eigenvalues of the companion matrix)."""
    from .linalg_solvers import eigvals
    from .nonzero import nonzero
    from .indexing import diag
    from .creation import ones, zeros
    pp = ours(p)
    if pp.ndim == 0:
        pp = pp.reshape(1)
    if pp.ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    m = pp._store.machine
    nz = host(nonzero(pp)[0])
    if len(nz) == 0:
        return ours(numpy.array([]), m)
    trailing = len(pp) - int(nz[-1]) - 1
    pp = pp[int(nz[0]):int(nz[-1]) + 1]
    if pp.dtype.kind not in "fc":
        pp = astype(pp, float)
    N = len(pp)
    if N > 1:
        A = diag(ones((N - 2,), pp.dtype, device=m), -1)
        A[0, :] = uf("true_divide", uf("negative", pp[1:]), pp[0])
        r = eigvals(A)
    else:
        r = ours(numpy.array([]), m)
    return concatenate((r, zeros(trailing, r.dtype, device=m)))


def _pad_add(a1, a2, op):
    from .creation import zeros
    m = common_machine([a1, a2], "polyadd")
    x, y = _1d(a1, m), _1d(a2, m)
    diff = len(y) - len(x)
    if diff > 0:
        x = concatenate((zeros(diff, x.dtype, device=m), x))
    elif diff < 0:
        y = concatenate((zeros(-diff, y.dtype, device=m), y))
    return uf(op, x, y)


@implements(numpy.polyadd, local=True)
def polyadd(a1, a2):
    """Same as ``numpy.polyadd``."""
    if _poly1d(a1, a2):
        return fallback(numpy.polyadd, (a1, a2), {}, "numpy.poly1d arguments")
    return _pad_add(a1, a2, "add")


@implements(numpy.polysub, local=True)
def polysub(a1, a2):
    """Same as ``numpy.polysub``."""
    if _poly1d(a1, a2):
        return fallback(numpy.polysub, (a1, a2), {}, "numpy.poly1d arguments")
    return _pad_add(a1, a2, "subtract")


@implements(numpy.polymul, local=True)
def polymul(a1, a2):
    """Same as ``numpy.polymul`` (a convolution)."""
    from .numerical import convolve
    if _poly1d(a1, a2):
        return fallback(numpy.polymul, (a1, a2), {}, "numpy.poly1d arguments")
    m = common_machine([a1, a2], "polymul")
    return convolve(_1d(a1, m), _1d(a2, m))


@implements(numpy.polydiv, local=True)
def polydiv(u, v):
    """Same as ``numpy.polydiv``: NumPy's long division of the (few) coefficients on
    the host."""
    if _poly1d(u, v):
        return fallback(numpy.polydiv, (u, v), {}, "numpy.poly1d arguments")
    m = common_machine([u, v], "polydiv")
    q, r = numpy.polydiv(host(_1d(u, m)), host(_1d(v, m)))
    return ours(q, m), ours(r, m)


@implements(numpy.polyder, local=True)
def polyder(p, m=1):
    """Same as ``numpy.polyder``."""
    from .creation import arange
    if _poly1d(p):
        return fallback(numpy.polyder, (p,), {"m": m}, "numpy.poly1d arguments")
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    pp = ours(p)
    if m == 0:
        return pp
    n = len(pp) - 1
    y = uf("multiply", pp[:-1], arange(n, 0, -1, device=pp._store.machine))
    return polyder(y, m - 1)


@implements(numpy.polyint, local=True)
def polyint(p, m=1, k=None):
    """Same as ``numpy.polyint``."""
    from .creation import arange
    if _poly1d(p):
        return fallback(numpy.polyint, (p,), {"m": m, "k": k}, "numpy.poly1d arguments")
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    kk = numpy.zeros(m, float) if k is None else numpy.atleast_1d(
        host(k) if isinstance(k, ndarray) else k)
    if len(kk) == 1 and m > 1:
        kk = kk[0] * numpy.ones(m, float)
    if len(kk) < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    pp = ours(p)
    if m == 0:
        return pp
    mach = pp._store.machine
    y = concatenate((uf("true_divide", pp, arange(len(pp), 0, -1, device=mach)),
                     ours(numpy.asarray([kk[0]]), mach)))
    return polyint(y, m - 1, k=kk[1:])
