"""Elementwise and numerical routines composed from the engine: ``round around fix
nan_to_num real_if_close angle unwrap iscomplex isreal iscomplexobj isrealobj isneginf
isposinf sinc i0 isclose allclose array_equal array_equiv interp convolve correlate
bartlett blackman hamming hanning kaiser``.

Each follows NumPy's own formula (``numpy/lib``, ``numpy/_core/numeric.py``) with the
elementwise engine and reductions.  ``interp`` lets each device interpolate its block
of ``x`` in the whole (small) table.  ``convolve``/``correlate`` with a short kernel sum
shifted views of the zero-padded signal (a split signal needs only halo rows); with a
long one both are gathered to one device (counted) for the library's routine.
"""
from __future__ import annotations

import operator
import warnings

import numpy

from .registry import implements
from ..distributed.elementwise import assign, broadcast_shapes, elementwise
from ._helpers import host, map_blocks, ours, uf
from .manipulation import imag, real, where
from .ufuncs import common_machine
from ..distributed.array import ndarray

__all__ = ["around", "round", "fix", "nan_to_num", "real_if_close", "angle", "unwrap",
           "iscomplex", "isreal", "iscomplexobj", "isrealobj", "isneginf", "isposinf",
           "sinc", "i0", "isclose", "allclose", "array_equal", "array_equiv", "interp",
           "convolve", "correlate", "bartlett", "blackman", "hamming", "hanning", "kaiser"]


def _round_kernel(decimals):
    def kernel(xp, ins, outs):
        r = xp.round(ins[0], decimals)
        xp.copyto(outs[0], r, casting="unsafe")
    return kernel


def _round(a, decimals, out):
    x = ours(a)
    decimals = operator.index(decimals)
    with numpy.errstate(all="ignore"):
        dt = numpy.round(numpy.zeros((), x.dtype), decimals).dtype
        if out is not None:
            if out.size != x.size:
                raise ValueError("invalid output shape")
            # NumPy's casting errors for this out= (its rint, multiply or assignment)
            numpy.round(numpy.zeros((), x.dtype), decimals, out=numpy.zeros((), out.dtype))
    shape = x.shape
    if out is not None and out.shape != shape:
        shape = broadcast_shapes([shape, out.shape])
    outs = None if out is None else (out,)
    return elementwise(_round_kernel(decimals), [x], shape, [dt], out=outs)[0]


@implements(numpy.round, name="round", local=True)
def round(a, decimals=0, out=None):
    """Same as ``numpy.round`` (round half to even)."""
    return _round(a, decimals, out)


@implements(numpy.around, name="around", local=True)
def around(a, decimals=0, out=None):
    """Same as ``numpy.around``."""
    return _round(a, decimals, out)


@implements(numpy.fix, local=True)
def fix(x, out=None):
    """Same as ``numpy.fix``: round toward zero."""
    xx = ours(x)
    # NumPy's steps (its checks of out= with them)
    res = uf("ceil", xx) if out is None else uf("ceil", xx, out=out)
    return uf("floor", xx, out=res, where=uf("greater_equal", xx, 0))


def _nan_to_num_kernel(nan, maxf, minf):
    def fix_part(xp, d):
        d[xp.isnan(d)] = nan
        d[xp.isposinf(d)] = maxf
        d[xp.isneginf(d)] = minf

    def kernel(xp, ins, outs):
        o = outs[0]
        xp.copyto(o, ins[0])
        if o.dtype.kind == "c":
            fix_part(xp, o.real)
            fix_part(xp, o.imag)
        else:
            fix_part(xp, o)
    return kernel


@implements(numpy.nan_to_num, local=True)
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """Same as ``numpy.nan_to_num`` (``copy=False`` writes into ``x``)."""
    xx = ours(x)
    if xx.dtype.kind not in "fc":
        return xx.copy() if copy else xx
    f = numpy.finfo(xx.real.dtype)
    maxf = f.max if posinf is None else posinf
    minf = f.min if neginf is None else neginf
    k = _nan_to_num_kernel(nan, maxf, minf)
    if copy:
        return elementwise(k, [xx], xx.shape, [xx.dtype])[0]
    return elementwise(k, [xx], xx.shape, [xx.dtype], out=(xx,))[0]


@implements(numpy.real_if_close, local=True)
def real_if_close(a, tol=100):
    """Same as ``numpy.real_if_close``."""
    from .reductions import all as all_
    x = ours(a)
    if x.dtype.kind != "c":
        return x
    if tol > 1:
        tol = numpy.finfo(x.dtype).eps * tol
    if bool(all_(uf("less", uf("absolute", imag(x)), tol))):
        return real(x)
    return x


@implements(numpy.angle, local=True)
def angle(z, deg=False):
    """Same as ``numpy.angle``."""
    x = ours(z)
    if x.dtype.kind == "c":
        a = uf("arctan2", imag(x), real(x))
    else:
        a = uf("arctan2", 0, x)
    if deg:
        a = uf("multiply", a, 180 / numpy.pi)
    return a


@implements(numpy.unwrap, local=True)
def unwrap(p, discont=None, axis=-1, *, period=2 * numpy.pi):
    """Same as ``numpy.unwrap`` (``diff`` and a distributed ``cumsum``)."""
    from .cumulative import cumsum, diff
    from .creation import array as np_array
    from .attributes import copyto
    pp = ours(p)
    nd = pp.ndim
    dd = diff(pp, axis=axis)
    if discont is None:
        discont = period / 2
    s1 = [slice(None)] * nd
    s1[axis] = slice(1, None)
    s1 = tuple(s1)
    dtype = numpy.result_type(dd.dtype, period)
    if dtype.kind in "iu":
        interval_high, rem = divmod(period, 2)
        ambiguous = rem == 0
    else:
        interval_high = period / 2
        ambiguous = True
    interval_low = -interval_high
    ddmod = uf("add", uf("mod", uf("subtract", dd, interval_low), period), interval_low)
    if ambiguous:
        copyto(ddmod, interval_high,
               where=uf("logical_and", uf("equal", ddmod, interval_low), uf("greater", dd, 0)))
    ph = uf("subtract", ddmod, dd)
    copyto(ph, 0, where=uf("less", uf("absolute", dd), discont))
    up = np_array(pp, copy=True, dtype=dtype)
    up[s1] = uf("add", pp[s1], cumsum(ph, axis=axis))
    return up


@implements(numpy.iscomplex, local=True)
def iscomplex(x):
    """Same as ``numpy.iscomplex``."""
    from .creation import zeros
    xx = ours(x)
    if xx.dtype.kind == "c":
        return uf("not_equal", imag(xx), 0)
    return zeros(xx.shape, bool, device=xx._store.machine)


@implements(numpy.isreal, local=True)
def isreal(x):
    """Same as ``numpy.isreal``."""
    return uf("equal", imag(ours(x)), 0)


@implements(numpy.iscomplexobj)
def iscomplexobj(x):
    """Same as ``numpy.iscomplexobj`` (reads the dtype only)."""
    dt = getattr(x, "dtype", None)
    if dt is None:
        dt = numpy.asarray(x).dtype
    return issubclass(numpy.dtype(dt).type, numpy.complexfloating)


@implements(numpy.isrealobj)
def isrealobj(x):
    """Same as ``numpy.isrealobj`` (reads the dtype only)."""
    return not iscomplexobj(x)


def _isinf_sign(name, x, out):
    xx = ours(x)
    if xx.dtype.kind == "c":
        raise TypeError("This operation is not supported for complex values because it "
                        "would be ambiguous.")
    return _isinf_sign_eval(name, xx, out)


def _isinf_sign_eval(name, xx, out):
    inf = uf("isinf", xx)
    sign = uf("signbit", xx)
    r = uf("logical_and", inf, sign if name == "isneginf" else uf("logical_not", sign))
    if out is not None:
        assign(out, r)
        return out
    return r


@implements(numpy.isposinf, local=True)
def isposinf(x, out=None):
    """Same as ``numpy.isposinf``."""
    return _isinf_sign("isposinf", x, out)


@implements(numpy.isneginf, local=True)
def isneginf(x, out=None):
    """Same as ``numpy.isneginf``."""
    return _isinf_sign("isneginf", x, out)


@implements(numpy.sinc, local=True)
def sinc(x):
    """Same as ``numpy.sinc``."""
    xx = uf("multiply", numpy.pi, ours(x))
    eps = numpy.finfo(xx.dtype).eps if xx.dtype.kind == "f" else 1e-20
    y = where(uf("not_equal", xx, 0), xx, eps)
    return uf("true_divide", uf("sin", y), y)


_I0A = [-4.41534164647933937950E-18, 3.33079451882223809783E-17,
        -2.43127984654795469359E-16, 1.71539128555513303061E-15,
        -1.16853328779934516808E-14, 7.67618549860493561688E-14,
        -4.85644678311192946090E-13, 2.95505266312963983461E-12,
        -1.72682629144155570723E-11, 9.67580903537323691224E-11,
        -5.18979560163526290666E-10, 2.65982372468238665035E-9,
        -1.30002500998624804212E-8, 6.04699502254191894932E-8,
        -2.67079385394061173391E-7, 1.11738753912010371815E-6,
        -4.41673835845875056359E-6, 1.64484480707288970893E-5,
        -5.75419501008210370398E-5, 1.88502885095841655729E-4,
        -5.76375574538582365885E-4, 1.63947561694133579842E-3,
        -4.32430999505057594430E-3, 1.05464603945949983183E-2,
        -2.37374148058994688156E-2, 4.93052842396707084878E-2,
        -9.49010970480476444210E-2, 1.71620901522208775349E-1,
        -3.04682672343198398683E-1, 6.76795274409476084995E-1]
_I0B = [-7.23318048787475395456E-18, -4.83050448594418207126E-18,
        4.46562142029675999901E-17, 3.46122286769746109310E-17,
        -2.82762398051658348494E-16, -3.42548561967721913462E-16,
        1.77256013305652638360E-15, 3.81168066935262242075E-15,
        -9.55484669882830764870E-15, -4.15056934728722208663E-14,
        1.54008621752140982691E-14, 3.85277838274214270114E-13,
        7.18012445138366623367E-13, -1.79417853150680611778E-12,
        -1.32158118404477131188E-11, -3.14991652796324136454E-11,
        1.18891471078464383424E-11, 4.94060238822496958910E-10,
        3.39623202570838634515E-9, 2.26666899049817806459E-8,
        2.04891858946906374183E-7, 2.89137052083475648297E-6,
        6.88975834691682398426E-5, 3.36911647825569408990E-3,
        8.04490411014108831608E-1]


def _chbevl(xp, x, vals):
    b0 = xp.full(x.shape, vals[0], dtype=x.dtype)
    b1 = xp.zeros_like(x)
    b2 = b1
    for v in vals[1:]:
        b2 = b1
        b1 = b0
        b0 = x * b1 - b2 + v
    return 0.5 * (b0 - b2)


def _i0_kernel(xp, ins, outs):
    x = xp.abs(ins[0])
    small = x <= 8.0
    with numpy.errstate(all="ignore"):
        r1 = xp.exp(x) * _chbevl(xp, x / 2.0 - 2, _I0A)
        r2 = xp.exp(x) * _chbevl(xp, 32.0 / x - 2.0, _I0B) / xp.sqrt(x)
    xp.copyto(outs[0], xp.where(small, r1, r2), casting="unsafe")


@implements(numpy.i0, local=True)
def i0(x):
    """Same as ``numpy.i0`` (NumPy's Chebyshev expansions, one elementwise pass)."""
    from .manipulation import astype
    xx = ours(x)
    if xx.dtype.kind == "c":
        raise TypeError("i0 not supported for complex values")
    if xx.dtype.kind != "f":
        xx = astype(xx, float)
    return elementwise(_i0_kernel, [xx], xx.shape, [xx.dtype])[0]


def _weak_or_array(v, m):
    return v if isinstance(v, (int, float, complex)) else ours(v, m)


@implements(numpy.isclose, local=True)
def isclose(a, b, rtol=1.e-5, atol=1.e-8, equal_nan=False):
    """Same as ``numpy.isclose`` (a 0-d array where NumPy returns a scalar)."""
    from .manipulation import astype
    m = common_machine([a, b, rtol, atol], "isclose")
    x, y, at, rt = (_weak_or_array(v, m) for v in (a, b, atol, rtol))
    if isinstance(y, ndarray) and y.dtype.kind != "m":
        dt = numpy.result_type(y.dtype, 1.)
        if dt != y.dtype:
            y = astype(y, dt)
    elif isinstance(y, int):
        y = float(y)
    finite_tol = all(numpy.all(numpy.isfinite(host(t) if isinstance(t, ndarray) else t))
                     for t in (at, rt))
    if not finite_tol:
        msg = f"One of rtol or atol is not valid, atol: {atol}, rtol: {rtol}"
        mode = numpy.geterr()["invalid"]
        if mode == "warn":
            warnings.warn(msg, RuntimeWarning, stacklevel=2)
        elif mode == "raise":
            raise FloatingPointError(msg)
    with numpy.errstate(invalid="ignore"):
        close = uf("less_equal", uf("absolute", uf("subtract", x, y)),
                   uf("add", at, uf("multiply", rt, uf("absolute", y))))
        r = uf("logical_or", uf("logical_and", close, uf("isfinite", y)), uf("equal", x, y))
        if equal_nan:
            r = uf("logical_or", r, uf("logical_and", uf("isnan", x), uf("isnan", y)))
    if not isinstance(r, ndarray):
        r = ours(numpy.asarray(r), m)
    return r


@implements(numpy.allclose, local=True)
def allclose(a, b, rtol=1.e-5, atol=1.e-8, equal_nan=False):
    """Same as ``numpy.allclose``: a Python bool."""
    from .reductions import all as all_
    return bool(all_(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


@implements(numpy.array_equal, local=True)
def array_equal(a1, a2, equal_nan=False):
    """Same as ``numpy.array_equal``: a Python bool."""
    from .reductions import all as all_
    try:
        m = common_machine([a1, a2], "array_equal")
        x, y = ours(a1, m), ours(a2, m)
    except Exception:
        return False
    if x.shape != y.shape:
        return False
    if not equal_nan:
        return bool(all_(uf("equal", x, y)))
    if x is y:
        return True
    if x.dtype.kind not in "fcmM" and y.dtype.kind not in "fcmM":
        return bool(all_(uf("equal", x, y)))
    xn, yn = uf("isnan", x), uf("isnan", y)
    if not bool(all_(uf("equal", xn, yn))):
        return False
    return bool(all_(uf("logical_or", uf("equal", x, y), xn)))


@implements(numpy.array_equiv, local=True)
def array_equiv(a1, a2):
    """Same as ``numpy.array_equiv``: a Python bool."""
    from .reductions import all as all_
    from ..distributed.elementwise import broadcast_shapes
    try:
        m = common_machine([a1, a2], "array_equiv")
        x, y = ours(a1, m), ours(a2, m)
        broadcast_shapes([x.shape, y.shape])
    except Exception:
        return False
    return bool(all_(uf("equal", x, y)))


@implements(numpy.interp, local=True)
def interp(x, xp, fp, left=None, right=None, period=None):
    """Same as ``numpy.interp``: each device interpolates its block of ``x`` in the
    whole table ``(xp, fp)``."""
    from .manipulation import astype
    m = common_machine([x, xp, fp], "interp")
    xx = ours(x, m)
    xt, ft = ours(xp, m), ours(fp, m)
    if xt.ndim != 1 or ft.ndim != 1:
        raise ValueError("object too deep for desired array")
    if ft.shape[0] != xt.shape[0]:
        raise ValueError("fp and xp are not of the same length.")
    if xt.shape[0] == 0:
        raise ValueError("array of sample points is empty")
    if period is not None and period == 0:
        raise ValueError("period must be a non-zero value")
    if xx.dtype.kind == "c":
        raise TypeError("Cannot cast array data from dtype('complex128') to "
                        "dtype('float64') according to the rule 'safe'")
    out_dt = numpy.dtype(numpy.complex128 if ft.dtype.kind == "c" else numpy.float64)
    xt = astype(xt, numpy.float64) if xt.dtype != numpy.float64 else xt
    ft = astype(ft, out_dt) if ft.dtype != out_dt else ft
    xx = astype(xx, numpy.float64) if xx.dtype != numpy.float64 else xx

    def local(xpm, loc, w):
        return xpm.interp(loc, w[0], w[1], left=left, right=right, period=period)
    return map_blocks(xx, local, out_dt, whole=(xt, ft))


def _full_correlation(a, v, conj):
    """``full`` correlation of 1-D ``a`` with a short kernel ``v`` (host values)."""
    from .creation import zeros
    from .manipulation import concatenate, astype
    m = a._store.machine
    vh = host(v)
    if conj and vh.dtype.kind == "c":
        vh = numpy.conjugate(vh)
    N, M = a.shape[0], vh.shape[0]
    dt = numpy.result_type(a.dtype, vh.dtype)
    pad = zeros(M - 1, dtype=dt, device=m)
    ap = concatenate([pad, astype(a, dt), pad]) if M > 1 else astype(a, dt)
    L = N + M - 1
    acc = None
    for n in range(M):
        term = uf("multiply", ap[n:n + L], vh[n])
        acc = term if acc is None else uf("add", acc, term)
    return acc


def _modes(full, N, M, mode, swapped_same):
    L = min(N, M)
    if mode == "full":
        return full
    if mode == "valid":
        return full[L - 1:max(N, M)]
    if mode == "same":
        off = (L - 1) // 2 if (N >= M or swapped_same) else L // 2
        return full[off:off + max(N, M)]
    raise ValueError(f"mode must be one of 'full', 'same', or 'valid' (got {mode!r})")


_SHORT = 64


def _corr(a, v, mode, conj, name):
    from ..distributed.matmul import gather_to, from_local
    m = common_machine([a, v], name)
    x = ours(a, m)
    k = ours(v, m)
    if x.ndim == 0:
        x = x.reshape(1)
    if k.ndim == 0:
        k = k.reshape(1)
    if x.ndim != 1 or k.ndim != 1:
        raise ValueError("object too deep for desired array")
    if x.shape[0] == 0 or k.shape[0] == 0:      # (convolve says which, before this)
        raise ValueError("Array arguments cannot be empty")
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"mode must be one of 'full', 'same', or 'valid' (got {mode!r})")
    N, M = x.shape[0], k.shape[0]
    if min(N, M) <= _SHORT:
        if M <= N:
            full = _full_correlation(x, k, conj)
        else:
            # correlate(a, v)[j] = conj(correlate(v, a))[L-1-j] (reversed)
            full = _full_correlation(k, x, conj)[::-1]
            if conj and full.dtype.kind == "c":
                full = uf("conjugate", full)
        return _modes(full, N, M, mode, False)
    d = 0
    xl, kl = gather_to(x, d), gather_to(k, d)
    dev = m.devices[d]
    with dev.activate():
        if not conj and kl.dtype.kind == "c":
            kl = dev.xp.conj(kl)        # the library's correlate conjugates ``v``
        r = dev.xp.correlate(xl, kl, mode=mode)
    return from_local(m, d, r)


@implements(numpy.correlate, local=True, note="kernels longer than 64 are gathered to "
            "one device")
def correlate(a, v, mode="valid"):
    """Same as ``numpy.correlate`` (``v`` conjugated)."""
    return _corr(a, v, mode, True, "correlate")


@implements(numpy.convolve, local=True, note="kernels longer than 64 are gathered to "
            "one device")
def convolve(a, v, mode="full"):
    """Same as ``numpy.convolve``."""
    m = common_machine([a, v], "convolve")
    x, k = ours(a, m), ours(v, m)
    x = x.reshape(1) if x.ndim == 0 else x
    k = k.reshape(1) if k.ndim == 0 else k
    if x.ndim == 1 and x.shape[0] == 0:
        raise ValueError("a cannot be empty")
    if k.ndim == 1 and k.shape[0] == 0:
        raise ValueError("v cannot be empty")
    if k.shape[0] > x.shape[0]:
        x, k = k, x
    return _corr(x, k[::-1], mode, False, "convolve")


def _window(M, body):
    from .creation import array as np_array, ones
    values = numpy.array([0.0, M])
    M = values[1]
    if M < 1:
        return np_array(numpy.array([], dtype=values.dtype))
    if M == 1:
        return ones(1, dtype=values.dtype)
    from .creation import arange
    n = arange(1 - M, M, 2)
    return body(n, M)


@implements(numpy.bartlett, local=True)
def bartlett(M):
    """Same as ``numpy.bartlett``."""
    return _window(M, lambda n, M: where(uf("less_equal", n, 0),
                                         uf("add", 1, uf("true_divide", n, M - 1)),
                                         uf("subtract", 1, uf("true_divide", n, M - 1))))


@implements(numpy.blackman, local=True)
def blackman(M):
    """Same as ``numpy.blackman``."""
    def body(n, M):
        c1 = uf("cos", uf("true_divide", uf("multiply", numpy.pi, n), M - 1))
        c2 = uf("cos", uf("true_divide", uf("multiply", 2.0 * numpy.pi, n), M - 1))
        return uf("add", uf("add", 0.42, uf("multiply", 0.5, c1)), uf("multiply", 0.08, c2))
    return _window(M, body)


@implements(numpy.hamming, local=True)
def hamming(M):
    """Same as ``numpy.hamming``."""
    return _window(M, lambda n, M: uf("add", 0.54, uf("multiply", 0.46, uf(
        "cos", uf("true_divide", uf("multiply", numpy.pi, n), M - 1)))))


@implements(numpy.hanning, local=True)
def hanning(M):
    """Same as ``numpy.hanning``."""
    return _window(M, lambda n, M: uf("add", 0.5, uf("multiply", 0.5, uf(
        "cos", uf("true_divide", uf("multiply", numpy.pi, n), M - 1)))))


@implements(numpy.kaiser, local=True)
def kaiser(M, beta):
    """Same as ``numpy.kaiser``."""
    from .creation import arange, ones
    values = numpy.array([0.0, M, beta])
    M, beta = values[1], values[2]
    if M == 1:
        return ones(1, dtype=values.dtype)
    n = arange(0, M)
    alpha = (M - 1) / 2.0
    inner = uf("subtract", 1, uf("power", uf("true_divide", uf("subtract", n, alpha), alpha),
                                  2.0))
    return uf("true_divide", i0(uf("multiply", beta, uf("sqrt", inner))),
              i0(ours(numpy.asarray(beta))))
