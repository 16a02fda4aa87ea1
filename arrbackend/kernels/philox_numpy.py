"""The random stream with NumPy array operations (the stream is specified in
``arrbackend.kernels.philox``): the path taken where numba is missing.

The values are those of the compiled kernels bit for bit — the same integer arithmetic,
and the normal transform's floating-point operations one by one, in the specification's
order — only slower: every operation is a pass over a chunk of blocks, on one thread.
"""
from __future__ import annotations

import numpy

from . import philox as P

__all__ = ["generate", "blocks"]

_U = numpy.uint64
_M32 = _U(P.M32)
_S32 = _U(32)
_CHUNK = 1 << 15            # blocks per pass (the temporaries stay in cache)
_DTYPES = {"uniform": numpy.float64, "uniform32": numpy.float32, "integers": numpy.int64,
           "normal": numpy.float64}


def blocks(b0: int, nb: int, inputs) -> tuple:
    """The words x0..x3 (uint64 arrays holding 32-bit values) of blocks [b0, b0+nb)."""
    k0, k1, c2, c3 = inputs
    b = numpy.arange(b0, b0 + nb, dtype=numpy.uint64)
    x0, x1 = b & _M32, b >> _S32
    x2, x3 = numpy.full(nb, c2, numpy.uint64), numpy.full(nb, c3, numpy.uint64)
    m0, m1 = _U(P.M0), _U(P.M1)
    for r in range(P.ROUNDS):
        if r:
            k0, k1 = (k0 + P.W0) & P.M32, (k1 + P.W1) & P.M32
        p0, p1 = x0 * m0, x2 * m1
        x0 = (p1 >> _S32) ^ x1 ^ _U(k0)
        x1 = p1 & _M32
        x2 = (p0 >> _S32) ^ x3 ^ _U(k1)
        x3 = p0 & _M32
    return x0, x1, x2, x3


def _mulhi64(a: numpy.ndarray, b: int) -> numpy.ndarray:
    """floor(a * b / 2**64) for uint64 ``a`` and 0 <= b < 2**64."""
    m32 = _M32
    a_lo, a_hi = a & m32, a >> _S32
    b_lo, b_hi = _U(b & P.M32), _U(b >> 32)
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    lo_hi = a_lo * b_hi
    hi_hi = a_hi * b_hi
    cross = (lo_lo >> _S32) + (hi_lo & m32) + lo_hi
    return hi_hi + (hi_lo >> _S32) + (cross >> _S32)


def log_odd(n: numpy.ndarray) -> numpy.ndarray:
    """``philox.log_reference`` over an array of odd uint64 values in [1, 2**53)."""
    _, ex = numpy.frexp(n.astype(numpy.float64))        # exact: n < 2**53
    e = ex.astype(numpy.int64) - 1                        # bit length - 1
    m = n << (52 - e).astype(numpy.uint64)
    big = m > _U(P.SQRT2_M)
    x = m.astype(numpy.float64) * numpy.where(big, 2.0 ** -53, 2.0 ** -52)
    k = e - 53 + big
    f = x - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (P.LG2 + w * (P.LG4 + w * P.LG6))
    t2 = z * (P.LG1 + w * (P.LG3 + w * (P.LG5 + w * P.LG7)))
    r = t2 + t1
    dk = k.astype(numpy.float64)
    return s * (hfsq + r) + dk * P.LN2_LO - hfsq + f + dk * P.LN2_HI


def sincos_turn(a: numpy.ndarray) -> tuple:
    """``philox.sincos_reference`` over an array of uint64 values in [0, 2**53)."""
    q = (a >> _U(51)).astype(numpy.int64)
    r = a & _U((1 << 51) - 1)
    swap = r > _U(1 << 50)
    s = numpy.where(swap, _U(1 << 51) - r, r)
    x = s.astype(numpy.float64) * P.PIO2_2M51
    z = x * x
    w = z * z
    rs = P.S2 + z * (P.S3 + z * P.S4) + z * w * (P.S5 + z * P.S6)
    sn = x + z * x * (P.S1 + z * rs)
    rc = z * (P.C1 + z * (P.C2 + z * P.C3)) + w * w * (P.C4 + z * (P.C5 + z * P.C6))
    hz = 0.5 * z
    v = 1.0 - hz
    cs = v + (((1.0 - v) - hz) + z * rc)
    sp, cp = numpy.where(swap, cs, sn), numpy.where(swap, sn, cs)
    odd = (q & 1).astype(bool)
    u, t = numpy.where(odd, cp, sp), numpy.where(odd, sp, cp)
    return (numpy.where((q & 2).astype(bool), -u, u),
            numpy.where(((q + 1) & 2).astype(bool), -t, t))


def _values(kind: str, x, params) -> numpy.ndarray:
    """The elements of a run of blocks, as an array (blocks, elements per block)."""
    x0, x1, x2, x3 = x
    if kind == "uniform32":
        out = numpy.empty((x0.size, 4), numpy.float32)
        for j, xj in enumerate(x):
            out[:, j] = (xj >> _U(8)).astype(numpy.float32) * numpy.float32(P.TWO_M24)
        return out
    w0, w1 = (x0 << _S32) | x1, (x2 << _S32) | x3
    if kind == "uniform":
        out = numpy.empty((x0.size, 2), numpy.float64)
        out[:, 0] = (w0 >> _U(11)).astype(numpy.float64) * P.TWO_M53
        out[:, 1] = (w1 >> _U(11)).astype(numpy.float64) * P.TWO_M53
        return out
    if kind == "integers":
        low, rng = params
        out = numpy.empty((x0.size, 2), numpy.uint64)
        for j, w in enumerate((w0, w1)):
            out[:, j] = _U(low & P.M64) + (w if rng == 0 else _mulhi64(w, rng))
        return out.view(numpy.int64)
    rho = numpy.sqrt(-2.0 * log_odd(((w0 >> _U(12)) << _U(1)) | _U(1)))
    sn, cs = sincos_turn(w1 >> _U(11))
    out = numpy.empty((x0.size, 2), numpy.float64)
    out[:, 0] = rho * cs
    out[:, 1] = rho * sn
    return out


def generate(kind: str, start: int, n: int, inputs, params=None) -> numpy.ndarray:
    """Elements [start, start+n) of a draw (``inputs`` = ``philox.block_inputs``)."""
    out = numpy.empty(n, _DTYPES[kind])
    if n == 0:
        return out
    per = P.PER_BLOCK[kind]
    b_end = (start + n - 1) // per + 1
    with numpy.errstate(over="ignore"):          # (the uint64 products wrap, as meant)
        for b0 in range(start // per, b_end, _CHUNK):
            nb = min(_CHUNK, b_end - b0)
            flat = _values(kind, blocks(b0, nb, inputs), params).reshape(-1)
            e0 = b0 * per
            lo, hi = max(start, e0), min(start + n, e0 + nb * per)
            out[lo - start:hi - start] = flat[lo - e0:hi - e0]
    return out
