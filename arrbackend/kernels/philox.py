"""Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11), the specification
of arrbackend's random stream, its plain-Python reference, and the dispatch to the three
implementations that must agree with it bit for bit.

A random value is a pure function of (key, stream, domain, element index, kind), so an
array has the same values on 1, 3 or 8 devices, in one process or many, whatever box of
it a device computes.

The stream
----------
``key`` is two 32-bit words (from ``numpy.random.SeedSequence``), ``stream`` the number of
the draw (0, 1, 2, ... per generator, below 2**63) and ``domain`` 0 (the legacy functions)
or 1 (Generators).  Block ``b`` of a draw is Philox4x32-10 of

    counter (b mod 2**32, b div 2**32, stream mod 2**32, stream div 2**32 + 2**31 * domain)
    key     (key[0], key[1])

giving four 32-bit words x0 x1 x2 x3, read as two 64-bit words W0 = x0*2**32 + x1 and
W1 = x2*2**32 + x3.  Element i of a draw of kind

* ``uniform`` (float64): block i div 2, word W_(i mod 2): (W >> 11) * 2**-53, in [0, 1);
* ``uniform32`` (float32): block i div 4, word x_(i mod 4): (x >> 8) * 2**-24, in [0, 1);
* ``integers`` with params (low, r): block i div 2, word W_(i mod 2):
  low + floor(W * r / 2**64) modulo 2**64 as int64 (r = 0: the whole range, low + W);
* ``normal`` (float64): block i div 2, both words: n = 2*(W0 >> 12) + 1 and a = W1 >> 11,
  rho = sqrt(-2 log(n * 2**-53)), theta = 2 pi a * 2**-53; element 2j is rho cos(theta),
  element 2j+1 is rho sin(theta) (Box-Muller, both branches).

``log``, ``sin`` and ``cos`` here are not a library's: they are the fixed polynomial
evaluations of ``log_reference`` and ``sincos_reference`` below (fdlibm's kernels, under
1 ulp for log and 2 ulp for sin/cos against the exact values), written with correctly
rounded +, -, *, / and sqrt only, in a fixed order, with no fused multiply-add.  So normals
too are the same bits in Python, in NumPy, in the compiled CPU kernels and (with the
``__d*_rn`` intrinsics, which the compiler never contracts) in CUDA.

The implementations
-------------------
* CPU shards: compiled, multi-threaded kernels (``philox_cpu``, numba) that compute the
  words and the transform in one pass into the output, each checked against the reference
  on its first use; where numba is missing (or cannot be imported, or a kernel fails its
  check), the NumPy path (``philox_numpy``): the same values, computed more slowly.
* GPU shards: the RawKernels of ``philox_cuda``, and the device functions that generated
  kernels inline (``philox_cuda.RNG_DEVICE``), so that a draw consumed by a fused
  statement is computed inside it, never stored.
* ``reference``: plain Python integers and floats, for tests.
"""
from __future__ import annotations

import math

import numpy

from . import cpu_threads

__all__ = ["block_inputs", "block_reference", "log_reference", "sincos_reference",
           "reference", "generate", "cpu_path", "KINDS", "PER_BLOCK"]

M0, M1 = 0xD2511F53, 0xCD9E8D57             # the multipliers
W0, W1 = 0x9E3779B9, 0xBB67AE85             # the key increments (Weyl sequence)
M32 = 0xFFFFFFFF
M64 = (1 << 64) - 1
ROUNDS = 10

#: elements per Philox block, by kind
PER_BLOCK = {"uniform": 2, "uniform32": 4, "integers": 2, "normal": 2}
KINDS = tuple(PER_BLOCK)

# fdlibm's coefficients (k_sin.c, k_cos.c, e_log.c), from their bit patterns
_h = float.fromhex
S1, S2, S3 = _h("-0x1.5555555555549p-3"), _h("0x1.111111110f8a6p-7"), _h("-0x1.a01a019c161d5p-13")
S4, S5, S6 = _h("0x1.71de357b1fe7dp-19"), _h("-0x1.ae5e68a2b9cebp-26"), _h("0x1.5d93a5acfd57cp-33")
C1, C2, C3 = _h("0x1.555555555554cp-5"), _h("-0x1.6c16c16c15177p-10"), _h("0x1.a01a019cb159p-16")
C4, C5, C6 = _h("-0x1.27e4f809c52adp-22"), _h("0x1.1ee9ebdb4b1c4p-29"), _h("-0x1.8fae9be8838d4p-37")
LG1, LG2, LG3 = _h("0x1.5555555555593p-1"), _h("0x1.999999997fa04p-2"), _h("0x1.2492494229359p-2")
LG4, LG5, LG6 = _h("0x1.c71c51d8e78afp-3"), _h("0x1.7466496cb03dep-3"), _h("0x1.39a09d078c69fp-3")
LG7 = _h("0x1.2f112df3e5244p-3")
LN2_HI, LN2_LO = _h("0x1.62e42fee00000p-1"), _h("0x1.a39ef35793c76p-33")
#: floor(sqrt(2) * 2**52): mantissas above it are halved (log's argument in (0.707, 1.414])
SQRT2_M = 0x16A09E667F3BCC
#: pi/2 * 2**-51 (the angle of one step of a quarter turn cut into 2**51)
PIO2_2M51 = math.pi / 2 * 2.0 ** -51
TWO_M53 = 2.0 ** -53
TWO_M24 = 2.0 ** -24


def block_inputs(key, stream: int, domain: int) -> tuple:
    """(k0, k1, c2, c3): the key words and the counter's upper words of a draw."""
    k0, k1 = (int(k) for k in key)
    if not (0 <= k0 <= M32 and 0 <= k1 <= M32):
        raise ValueError(f"philox: a key is two 32-bit words, got {key!r}")
    if not 0 <= stream < (1 << 63) or domain not in (0, 1):
        raise ValueError(f"philox: stream must be in [0, 2**63) and domain 0 or 1, got "
                         f"{stream!r}, {domain!r}")
    return k0, k1, stream & M32, (stream >> 32) | (domain << 31)


def block_reference(ctr, key) -> list:
    """One Philox4x32-10 block in plain Python integers (the specification)."""
    x0, x1, x2, x3 = ctr
    k0, k1 = key
    for r in range(ROUNDS):
        if r:
            k0, k1 = (k0 + W0) & M32, (k1 + W1) & M32
        p0, p1 = M0 * x0, M1 * x2
        x0, x1, x2, x3 = (p1 >> 32) ^ x1 ^ k0, p1 & M32, (p0 >> 32) ^ x3 ^ k1, p0 & M32
    return [x0, x1, x2, x3]


def log_reference(n: int) -> float:
    """log(n * 2**-53) for odd n in [1, 2**53), as every implementation computes it."""
    e = n.bit_length() - 1
    m = n << (52 - e)                       # the 53-bit mantissa, in [2**52, 2**53)
    k = e - 53
    if m > SQRT2_M:
        x = float(m) * 2.0 ** -53
        k += 1
    else:
        x = float(m) * 2.0 ** -52
    f = x - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (LG2 + w * (LG4 + w * LG6))
    t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
    r = t2 + t1
    dk = float(k)
    return s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI


def sincos_reference(a: int) -> tuple:
    """(sin, cos) of 2 pi a * 2**-53 for a in [0, 2**53), as every implementation computes
    them: the quadrant and the octant from the integer, then fdlibm's kernels on
    [0, pi/4]."""
    q = a >> 51
    r = a & ((1 << 51) - 1)
    swap = r > (1 << 50)
    s = (1 << 51) - r if swap else r
    x = float(s) * PIO2_2M51
    z = x * x
    w = z * z
    rs = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6)
    sn = x + z * x * (S1 + z * rs)
    rc = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6))
    hz = 0.5 * z
    v = 1.0 - hz
    cs = v + (((1.0 - v) - hz) + z * rc)
    sp, cp = (cs, sn) if swap else (sn, cs)
    u, v = (cp, sp) if q & 1 else (sp, cp)
    return (-u if q & 2 else u), (-v if (q + 1) & 2 else v)


def _element_reference(kind, i, inputs, params):
    k0, k1, c2, c3 = inputs
    per = PER_BLOCK[kind]
    b, j = divmod(i, per)
    x = block_reference((b & M32, b >> 32, c2, c3), (k0, k1))
    if kind == "uniform32":
        return float(x[j] >> 8) * TWO_M24
    w = [(x[0] << 32) | x[1], (x[2] << 32) | x[3]]
    if kind == "uniform":
        return float(w[j] >> 11) * TWO_M53
    if kind == "integers":
        low, rng = params
        off = w[j] if rng == 0 else (w[j] * rng) >> 64
        v = (low + off) & M64
        return v - (1 << 64) if v >> 63 else v
    rho = math.sqrt(-2.0 * log_reference(2 * (w[0] >> 12) + 1))
    sn, cs = sincos_reference(w[1] >> 11)
    return rho * (sn if j else cs)


_DTYPES = {"uniform": numpy.float64, "uniform32": numpy.float32, "integers": numpy.int64,
           "normal": numpy.float64}


def reference(kind: str, start: int, n: int, key, stream: int, domain: int,
              params=None) -> numpy.ndarray:
    """Elements [start, start+n) of a draw in plain Python (slow; for tests)."""
    inputs = block_inputs(key, stream, domain)
    vals = [_element_reference(kind, i, inputs, params) for i in range(start, start + n)]
    return numpy.array(vals, dtype=_DTYPES[kind])


def _check(kind, start, n, params):
    if kind not in PER_BLOCK:
        raise ValueError(f"philox: unknown kind {kind!r}")
    if start < 0 or n < 0:
        raise ValueError(f"philox: negative start or count ({start}, {n})")
    if kind == "integers":
        low, rng = params
        if not 0 <= rng <= M64:
            raise ValueError(f"philox: integer range {rng} out of [0, 2**64)")


_compiled: dict = {}        # kind -> the compiled CPU kernels' module, or None (NumPy path)


def _cpu_module(kind: str):
    """The module that computes ``kind`` on CPU shards: ``philox_cpu`` where numba is and
    the kernel passed its check, else ``philox_numpy``."""
    mod = _compiled.get(kind)
    if mod is None:
        if cpu_threads.available():
            from . import philox_cpu as mod
            if not mod.usable(kind):
                from . import philox_numpy as mod
        else:
            from . import philox_numpy as mod
        _compiled[kind] = mod
    return mod


def cpu_path(kind: str = "uniform") -> str:
    """'compiled' where the compiled CPU kernel of ``kind`` runs, 'numpy' where numba is
    missing (or the kernel failed its check against the reference)."""
    _compiled.pop(kind, None)
    return "numpy" if _cpu_module(kind).__name__.endswith("numpy") else "compiled"


def generate(device, kind: str, start: int, n: int, key, stream: int, domain: int,
             params=None):
    """Elements [start, start+n) of a draw of ``kind`` ('uniform', 'uniform32', 'normal',
    'integers' with params (low, range)) as a 1-D local array on ``device``."""
    _check(kind, start, n, params)
    inputs = block_inputs(key, stream, domain)
    if device.is_gpu:
        from . import philox_cuda
        with device.activate():
            return philox_cuda.generate(device.xp, device.id, kind, start, n, inputs, params)
    return _cpu_module(kind).generate(kind, start, n, inputs, params)
