"""The random stream on CPU shards, compiled (the stream is specified in
``arrbackend.kernels.philox``): one multi-threaded numba kernel per kind that computes the
Philox4x32-10 words and the transform in one pass into the output.

Imported only where numba is (``philox.generate`` asks ``cpu_threads.available()``
first).  ``_run_<kind>`` computes tiles [t0, t1) of the whole blocks of a range, ``_T``
blocks at a time: the words first (a loop the compiler turns into SIMD: 32-bit words,
32x32->64-bit products) into a small scratch array, then the values, written straight
into the output; the chunk that starts the range also computes the elements of the partial
blocks at its two ends, one at a time, by the same functions.  ``_par_<kind>`` runs chunks
of tiles in parallel (``prange``); a small draw calls ``_run_<kind>`` alone (a parallel
launch costs tens of microseconds).

``fastmath`` is off and the error model NumPy's (no division checks): the floating-point
operations are those of the specification, in its order, so the values are the NumPy
path's and the reference's bit for bit.  Compiled on first use of each kind and cached
on disk (``cache=True``).  The first use of a kind in a process also checks a window of
its values against the plain-Python reference (``usable``): a kernel that disagrees (a
cache compiled against other constants, a compiler that rounds differently) is not used,
the NumPy path is, with a warning; the values never differ.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import njit, prange

from . import cpu_threads
from . import philox as P

__all__ = ["generate"]

_U = np.uint64
_u32 = np.uint32
_M32 = _U(P.M32)
_S32, _U1, _U11, _U12, _U51, _U52 = _U(32), _U(1), _U(11), _U(12), _U(51), _U(52)
_M0, _M1 = _U(P.M0), _U(P.M1)
_MASK51, _HALF51, _ONE51 = _U((1 << 51) - 1), _U(1 << 50), _U(1 << 51)
_SQRT2_M = _U(P.SQRT2_M)
_T = 256                     # blocks per tile
TWO_M53, TWO_M52, TWO_M24 = P.TWO_M53, 2.0 ** -52, np.float32(P.TWO_M24)
LG1, LG2, LG3, LG4, LG5, LG6, LG7 = P.LG1, P.LG2, P.LG3, P.LG4, P.LG5, P.LG6, P.LG7
LN2_HI, LN2_LO, PIO2_2M51 = P.LN2_HI, P.LN2_LO, P.PIO2_2M51
S1, S2, S3, S4, S5, S6 = P.S1, P.S2, P.S3, P.S4, P.S5, P.S6
C1, C2, C3, C4, C5, C6 = P.C1, P.C2, P.C3, P.C4, P.C5, P.C6


# --- one block -------------------------------------------------------------------------

_J = dict(cache=True, error_model="numpy")
_I = dict(inline="always", error_model="numpy")      # inlined where called (the hot loops)


@njit(**_I)
def _block(b, ks, c2, c3):
    """Philox4x32-10 of counter (b lo, b hi, c2, c3); ``ks`` the 20 round keys (uint32).
    The words are uint32 (eight SIMD lanes for the xors), the products uint64 (one
    32x32->64-bit multiply each)."""
    x0, x1, x2, x3 = _u32(b & 0xFFFFFFFF), _u32(b >> 32), c2, c3
    for r in range(10):
        p0 = _M0 * _U(x0)
        p1 = _M1 * _U(x2)
        x0, x1, x2, x3 = (_u32(p1 >> _S32) ^ x1 ^ ks[2 * r], _u32(p1),
                          _u32(p0 >> _S32) ^ x3 ^ ks[2 * r + 1], _u32(p0))
    return x0, x1, x2, x3


@njit(**_I)
def _tile(y, b, m, ks, c2, c3):
    """The words of blocks [b, b+m) into ``y[0:4, 0:m]``."""
    for j in range(m):
        x0, x1, x2, x3 = _block(b + j, ks, c2, c3)
        y[0, j] = x0
        y[1, j] = x1
        y[2, j] = x2
        y[3, j] = x3


# --- transforms (philox.log_reference and sincos_reference, operation for operation) -----

@njit(**_I)
def _w64(hi, lo):
    return (_U(hi) << _S32) | _U(lo)


@njit(**_I)
def _u53(hi, lo):
    return np.float64(np.int64(_w64(hi, lo) >> _U11)) * TWO_M53


@njit(**_I)
def _u24(x):
    return np.float32(np.int32(x >> _u32(8))) * TWO_M24


@njit(**_I)
def _mulhi64(a, b):
    a_lo, a_hi = a & _M32, a >> _S32
    b_lo, b_hi = b & _M32, b >> _S32
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    lo_hi = a_lo * b_hi
    cross = (lo_lo >> _S32) + (hi_lo & _M32) + lo_hi
    return a_hi * b_hi + (hi_lo >> _S32) + (cross >> _S32)


@njit(**_I)
def _int(hi, lo, low, rng):
    w = _w64(hi, lo)
    return low + (w if rng == _U(0) else _mulhi64(w, rng))


@njit(**_I)
def _log_odd(n):
    bits = np.float64(np.int64(n)).view(np.uint64)       # exact: n < 2**53
    e = np.int64(bits >> _U52) - 1023                      # bit length - 1
    m = n << _U(52 - e)
    big = m > _SQRT2_M
    x = np.float64(np.int64(m)) * (TWO_M53 if big else TWO_M52)
    k = e - 53 + (1 if big else 0)
    f = x - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (LG2 + w * (LG4 + w * LG6))
    t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
    r = t2 + t1
    dk = np.float64(k)
    return s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI


@njit(**_I)
def _normal2(x0, x1, x2, x3):
    rho = np.sqrt(-2.0 * _log_odd(((_w64(x0, x1) >> _U12) << _U1) | _U1))
    a = _w64(x2, x3) >> _U11
    q = np.int64(a >> _U51)
    r = a & _MASK51
    swap = r > _HALF51
    s = _ONE51 - r if swap else r
    x = np.float64(np.int64(s)) * PIO2_2M51
    z = x * x
    w = z * z
    rs = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6)
    sn = x + z * x * (S1 + z * rs)
    rc = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6))
    hz = 0.5 * z
    v = 1.0 - hz
    cs = v + (((1.0 - v) - hz) + z * rc)
    sp = cs if swap else sn
    cp = sn if swap else cs
    u = cp if q & 1 else sp
    t = sp if q & 1 else cp
    return rho * (-t if (q + 1) & 2 else t), rho * (-u if q & 2 else u)


# --- the kernels ---------------------------------------------------------------------------

def tiles(start: int, n: int, per: int) -> int:
    """The number of tiles of whole blocks of elements [start, start+n)."""
    return (max((start + n) // per - (start + per - 1) // per, 0) + _T - 1) // _T


@njit(**_J)
def _bounds(start, n, per):
    """(first whole block, end of the whole blocks, first element of the tail)."""
    bf = (start + per - 1) // per
    bl = (start + n) // per
    return bf, bl, max(bl * per, bf * per)


# the elements of the partial blocks at the ends of a range, one at a time

@njit(**_J)
def _one_uniform(i, ks, c2, c3):
    x0, x1, x2, x3 = _block(i // 2, ks, c2, c3)
    return _u53(x2, x3) if i & 1 else _u53(x0, x1)


@njit(**_J)
def _one_uniform32(i, ks, c2, c3):
    x0, x1, x2, x3 = _block(i // 4, ks, c2, c3)
    j = i & 3
    return _u24(x0 if j == 0 else x1 if j == 1 else x2 if j == 2 else x3)


@njit(**_J)
def _one_integer(i, ks, c2, c3, low, rng):
    x0, x1, x2, x3 = _block(i // 2, ks, c2, c3)
    return _int(x2, x3, low, rng) if i & 1 else _int(x0, x1, low, rng)


@njit(**_J)
def _one_normal(i, ks, c2, c3):
    x0, x1, x2, x3 = _block(i // 2, ks, c2, c3)
    z0, z1 = _normal2(x0, x1, x2, x3)
    return z1 if i & 1 else z0


@njit(**_J)
def _run_uniform(out, start, ks, c2, c3, t0, t1, edges):
    c2, c3 = _u32(c2), _u32(c3)
    n = out.size
    bf, bl, tail = _bounds(start, n, 2)
    if edges:
        for i in range(start, min(start + n, bf * 2)):
            out[i - start] = _one_uniform(i, ks, c2, c3)
        for i in range(tail, start + n):
            out[i - start] = _one_uniform(i, ks, c2, c3)
    y = np.empty((4, _T), np.uint32)
    for t in range(t0, t1):
        b = bf + t * _T
        m = min(_T, bl - b)
        _tile(y, b, m, ks, c2, c3)
        dst = out[2 * b - start:]
        for j in range(m):
            dst[2 * j] = _u53(y[0, j], y[1, j])
            dst[2 * j + 1] = _u53(y[2, j], y[3, j])


@njit(**_J)
def _run_uniform32(out, start, ks, c2, c3, t0, t1, edges):
    c2, c3 = _u32(c2), _u32(c3)
    n = out.size
    bf, bl, tail = _bounds(start, n, 4)
    if edges:
        for i in range(start, min(start + n, bf * 4)):
            out[i - start] = _one_uniform32(i, ks, c2, c3)
        for i in range(tail, start + n):
            out[i - start] = _one_uniform32(i, ks, c2, c3)
    y = np.empty((4, _T), np.uint32)
    for t in range(t0, t1):
        b = bf + t * _T
        m = min(_T, bl - b)
        _tile(y, b, m, ks, c2, c3)
        dst = out[4 * b - start:]
        for j in range(m):
            dst[4 * j] = _u24(y[0, j])
            dst[4 * j + 1] = _u24(y[1, j])
            dst[4 * j + 2] = _u24(y[2, j])
            dst[4 * j + 3] = _u24(y[3, j])


@njit(**_J)
def _run_integers(out, start, ks, c2, c3, t0, t1, edges, low, rng):
    """``out``: uint64 (the int64 result's bits)."""
    c2, c3 = _u32(c2), _u32(c3)
    n = out.size
    bf, bl, tail = _bounds(start, n, 2)
    if edges:
        for i in range(start, min(start + n, bf * 2)):
            out[i - start] = _one_integer(i, ks, c2, c3, low, rng)
        for i in range(tail, start + n):
            out[i - start] = _one_integer(i, ks, c2, c3, low, rng)
    y = np.empty((4, _T), np.uint32)
    for t in range(t0, t1):
        b = bf + t * _T
        m = min(_T, bl - b)
        _tile(y, b, m, ks, c2, c3)
        dst = out[2 * b - start:]
        for j in range(m):
            dst[2 * j] = _int(y[0, j], y[1, j], low, rng)
            dst[2 * j + 1] = _int(y[2, j], y[3, j], low, rng)


@njit(**_J)
def _run_normal(out, start, ks, c2, c3, t0, t1, edges):
    c2, c3 = _u32(c2), _u32(c3)
    n = out.size
    bf, bl, tail = _bounds(start, n, 2)
    if edges:
        for i in range(start, min(start + n, bf * 2)):
            out[i - start] = _one_normal(i, ks, c2, c3)
        for i in range(tail, start + n):
            out[i - start] = _one_normal(i, ks, c2, c3)
    y = np.empty((4, _T), np.uint32)
    for t in range(t0, t1):
        b = bf + t * _T
        m = min(_T, bl - b)
        _tile(y, b, m, ks, c2, c3)
        dst = out[2 * b - start:]
        for j in range(m):
            z0, z1 = _normal2(y[0, j], y[1, j], y[2, j], y[3, j])
            dst[2 * j] = z0
            dst[2 * j + 1] = z1


_P = dict(parallel=True, cache=True, error_model="numpy")


@njit(**_P)
def _par_uniform(out, start, ks, c2, c3, ntiles, nchunks):
    for c in prange(nchunks):
        _run_uniform(out, start, ks, c2, c3, c * ntiles // nchunks,
                     (c + 1) * ntiles // nchunks, c == 0)


@njit(**_P)
def _par_uniform32(out, start, ks, c2, c3, ntiles, nchunks):
    for c in prange(nchunks):
        _run_uniform32(out, start, ks, c2, c3, c * ntiles // nchunks,
                       (c + 1) * ntiles // nchunks, c == 0)


@njit(**_P)
def _par_normal(out, start, ks, c2, c3, ntiles, nchunks):
    for c in prange(nchunks):
        _run_normal(out, start, ks, c2, c3, c * ntiles // nchunks,
                    (c + 1) * ntiles // nchunks, c == 0)


@njit(**_P)
def _par_integers(out, start, ks, c2, c3, ntiles, nchunks, low, rng):
    for c in prange(nchunks):
        _run_integers(out, start, ks, c2, c3, c * ntiles // nchunks,
                      (c + 1) * ntiles // nchunks, c == 0, low, rng)


@functools.lru_cache(maxsize=64)
def round_keys(k0: int, k1: int) -> np.ndarray:
    """The 20 round keys of a Philox4x32-10 key (read-only)."""
    ks = np.empty(2 * P.ROUNDS, np.uint32)
    for r in range(P.ROUNDS):
        ks[2 * r], ks[2 * r + 1] = k0, k1
        k0, k1 = (k0 + P.W0) & P.M32, (k1 + P.W1) & P.M32
    ks.flags.writeable = False
    return ks


_KERNELS = {"uniform": (_par_uniform, _run_uniform, np.float64),
            "uniform32": (_par_uniform32, _run_uniform32, np.float32),
            "normal": (_par_normal, _run_normal, np.float64),
            "integers": (_par_integers, _run_integers, np.uint64)}


_checked: dict = {}
_CHECK = [("uniform", None), ("uniform32", None), ("normal", None), ("integers", (-7, 1000)),
          ("integers", (3, 0))]


def usable(kind: str) -> bool:
    """Whether the compiled kernel of ``kind`` gives the reference's values (checked once
    per process, on windows that cross a tile and have partial blocks at both ends)."""
    ok = _checked.get(kind)
    if ok is None:
        key, stream = (0x2545F491, 0x9E3779B9), 2**32 + 5
        inputs = P.block_inputs(key, stream, 1)
        why = None
        try:
            for k, params in _CHECK:
                if k != kind:
                    continue
                for start, n in ((2**33 + 1, 3), (4 * _T - 3, P.PER_BLOCK[k] * _T + 9)):
                    got = generate(k, start, n, inputs, params, threads=1)
                    ref = P.reference(k, start, n, key, stream, 1, params)
                    if got.dtype != ref.dtype or got.tobytes() != ref.tobytes():
                        why = ("disagrees with the specification (a stale numba cache, or "
                               "a compiler that rounds differently)")
        except Exception as exc:  # noqa: BLE001  (no cache directory, a compiler error)
            why = f"cannot run ({type(exc).__name__}: {exc})"
        ok = why is None
        if not ok:
            import warnings
            warnings.warn(f"arrbackend: the compiled CPU kernel of {kind!r} random numbers "
                          f"{why}; the NumPy path computes them instead (the same values, "
                          "slower)", RuntimeWarning, stacklevel=3)
        _checked[kind] = ok
    return ok


def generate(kind: str, start: int, n: int, inputs, params=None, threads=None):
    """Elements [start, start+n) of a draw (``inputs`` = ``philox.block_inputs``) on
    ``threads`` threads (default ``cpu_threads.threads_for(n)``)."""
    parallel, serial, dt = _KERNELS[kind]
    out = np.empty(n, dt)
    if n:
        k0, k1, c2, c3 = inputs
        if threads is None:
            threads = cpu_threads.threads_for(n)
        ntiles = tiles(start, n, P.PER_BLOCK[kind])
        nchunks = min(ntiles, 4 * threads)
        # (Python ints: the quickest arguments for numba's dispatcher to type)
        head = (out, start, round_keys(k0, k1), c2, c3)
        extra = (_U(params[0] & P.M64), _U(params[1])) if kind == "integers" else ()
        if threads == 1 or nchunks < 2:
            serial(*head, 0, ntiles, True, *extra)
        else:
            cpu_threads.launch(parallel, threads, *head, ntiles, nchunks, *extra)
    return out.view(np.int64) if kind == "integers" else out
