"""The random stream on GPU shards (the stream is specified in ``arrbackend.kernels.philox``).

``RNG_DEVICE`` holds the device functions: one Philox4x32-10 block (32-bit multiplies,
native on GPUs), and the element functions ``rng_uniform``, ``rng_uniform32``,
``rng_normal`` (element ``f`` of a draw) and ``rng_uniform4`` (four consecutive elements
from a multiple of 4) that generated kernels inline (``arrbackend.kernels.fused``), so a
draw consumed by a statement costs the generator's arithmetic and no memory traffic.
``rng_fill`` (built on the same functions) fills an array with a draw, one thread per
Philox block.

The normal transform is written with ``__dmul_rn``/``__dadd_rn``/``__dsub_rn``/
``__ddiv_rn``/``__dsqrt_rn``, which the compiler never fuses into multiply-adds, and the
specification's constants as exact bit patterns: the arithmetic of
``philox.log_reference`` and ``philox.sincos_reference`` step for step.
"""
from __future__ import annotations

import struct

import numpy

from . import philox as P

__all__ = ["RNG_DEVICE", "generate"]


def _c(x: float) -> str:
    """A double constant as its exact bit pattern."""
    bits = struct.unpack("<q", struct.pack("<d", x))[0]
    return f"__longlong_as_double({bits}LL)"


RNG_DEVICE = r"""
typedef unsigned int u32;
typedef unsigned long long u64;
// One Philox4x32-10 block: counter (b lo, b hi, stream lo, stream hi | domain << 31).
__device__ __forceinline__ void rng_block(u64 b, u64 k0_, u64 k1_, u64 s, u64 d,
                                          u32& x0, u32& x1, u32& x2, u32& x3) {
    u32 k0 = (u32)k0_, k1 = (u32)k1_;
    x0 = (u32)b; x1 = (u32)(b >> 32); x2 = (u32)s; x3 = (u32)(s >> 32) | ((u32)d << 31);
    #pragma unroll
    for (int r = 0; r < 10; ++r) {
        if (r) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        const u32 hi0 = __umulhi(0xD2511F53u, x0), lo0 = 0xD2511F53u * x0;
        const u32 hi1 = __umulhi(0xCD9E8D57u, x2), lo1 = 0xCD9E8D57u * x2;
        x0 = hi1 ^ x1 ^ k0; x1 = lo1; x2 = hi0 ^ x3 ^ k1; x3 = lo0;
    }
}
__device__ __forceinline__ double rng_u53(u32 hi, u32 lo) {
    return (double)((((u64)hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
}
__device__ __forceinline__ double rng_uniform(long long f, u64 k0, u64 k1, u64 s, u64 d) {
    u32 x0, x1, x2, x3; rng_block((u64)(f >> 1), k0, k1, s, d, x0, x1, x2, x3);
    return (f & 1) ? rng_u53(x2, x3) : rng_u53(x0, x1);
}
__device__ __forceinline__ float rng_uniform32(long long f, u64 k0, u64 k1, u64 s, u64 d) {
    u32 x0, x1, x2, x3; rng_block((u64)(f >> 2), k0, k1, s, d, x0, x1, x2, x3);
    const int j = (int)(f & 3);
    const u32 x = j == 0 ? x0 : j == 1 ? x1 : j == 2 ? x2 : x3;
    return (float)(x >> 8) * (1.0f / 16777216.0f);
}
// Four consecutive elements from f (a multiple of 4): two blocks, or one for floats.
__device__ __forceinline__ void rng_uniform4(long long f, u64 k0, u64 k1, u64 s, u64 d,
                                             double v[4]) {
    u32 x0, x1, x2, x3; rng_block((u64)(f >> 1), k0, k1, s, d, x0, x1, x2, x3);
    v[0] = rng_u53(x0, x1); v[1] = rng_u53(x2, x3);
    rng_block((u64)(f >> 1) + 1, k0, k1, s, d, x0, x1, x2, x3);
    v[2] = rng_u53(x0, x1); v[3] = rng_u53(x2, x3);
}
__device__ __forceinline__ void rng_uniform4(long long f, u64 k0, u64 k1, u64 s, u64 d,
                                             float v[4]) {
    u32 x0, x1, x2, x3; rng_block((u64)(f >> 2), k0, k1, s, d, x0, x1, x2, x3);
    v[0] = (float)(x0 >> 8) * (1.0f / 16777216.0f); v[1] = (float)(x1 >> 8) * (1.0f / 16777216.0f);
    v[2] = (float)(x2 >> 8) * (1.0f / 16777216.0f); v[3] = (float)(x3 >> 8) * (1.0f / 16777216.0f);
}
__device__ __forceinline__ double rng_m(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ double rng_a(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ double rng_s(double a, double b) { return __dsub_rn(a, b); }
// log(n * 2**-53), n odd in [1, 2**53): philox.log_reference step for step.
__device__ __forceinline__ double rng_log(u64 n) {
    const int e = 63 - __clzll((long long)n);
    const u64 m = n << (52 - e);
    int k = e - 53;
    double x;
    if (m > @SQRT2_M@ULL) { x = rng_m(__ull2double_rn(m), @TWO_M53@); k += 1; }
    else { x = rng_m(__ull2double_rn(m), @TWO_M52@); }
    const double f = rng_s(x, 1.0);
    const double hfsq = rng_m(rng_m(0.5, f), f);
    const double s = __ddiv_rn(f, rng_a(2.0, f));
    const double z = rng_m(s, s), w = rng_m(z, z);
    const double t1 = rng_m(w, rng_a(@LG2@, rng_m(w, rng_a(@LG4@, rng_m(w, @LG6@)))));
    const double t2 = rng_m(z, rng_a(@LG1@, rng_m(w, rng_a(@LG3@, rng_m(w, rng_a(@LG5@,
                                                                  rng_m(w, @LG7@)))))));
    const double r = rng_a(t2, t1);
    const double dk = (double)k;
    return rng_a(rng_a(rng_s(rng_a(rng_m(s, rng_a(hfsq, r)), rng_m(dk, @LN2_LO@)), hfsq), f),
                 rng_m(dk, @LN2_HI@));
}
// (sin, cos) of 2 pi a * 2**-53, a in [0, 2**53): philox.sincos_reference step for step.
__device__ __forceinline__ void rng_sincos(u64 a, double& sn_, double& cs_) {
    const int q = (int)(a >> 51);
    const u64 r = a & ((1ULL << 51) - 1);
    const bool swap = r > (1ULL << 50);
    const u64 si = swap ? (1ULL << 51) - r : r;
    const double x = rng_m(__ull2double_rn(si), @PIO2_2M51@);
    const double z = rng_m(x, x), w = rng_m(z, z);
    const double rs = rng_a(rng_a(@S2@, rng_m(z, rng_a(@S3@, rng_m(z, @S4@)))),
                            rng_m(rng_m(z, w), rng_a(@S5@, rng_m(z, @S6@))));
    const double sn = rng_a(x, rng_m(rng_m(z, x), rng_a(@S1@, rng_m(z, rs))));
    const double rc = rng_a(rng_m(z, rng_a(@C1@, rng_m(z, rng_a(@C2@, rng_m(z, @C3@))))),
                            rng_m(rng_m(w, w), rng_a(@C4@, rng_m(z, rng_a(@C5@,
                                                                   rng_m(z, @C6@))))));
    const double hz = rng_m(0.5, z);
    const double v = rng_s(1.0, hz);
    const double cs = rng_a(v, rng_a(rng_s(rng_s(1.0, v), hz), rng_m(z, rc)));
    const double sp = swap ? cs : sn, cp = swap ? sn : cs;
    const double u = (q & 1) ? cp : sp, t = (q & 1) ? sp : cp;
    sn_ = (q & 2) ? -u : u;
    cs_ = ((q + 1) & 2) ? -t : t;
}
// The normal pair of one block: (rho cos theta, rho sin theta).
__device__ __forceinline__ void rng_normal2(u32 x0, u32 x1, u32 x2, u32 x3, double& z0,
                                            double& z1) {
    const u64 n = (((((u64)x0 << 32) | x1) >> 12) << 1) | 1ULL;
    const double rho = __dsqrt_rn(rng_m(-2.0, rng_log(n)));
    double sn, cs;
    rng_sincos((((u64)x2 << 32) | x3) >> 11, sn, cs);
    z0 = rng_m(rho, cs); z1 = rng_m(rho, sn);
}
__device__ __forceinline__ double rng_normal(long long f, u64 k0, u64 k1, u64 s, u64 d) {
    u32 x0, x1, x2, x3; rng_block((u64)(f >> 1), k0, k1, s, d, x0, x1, x2, x3);
    double z0, z1; rng_normal2(x0, x1, x2, x3, z0, z1);
    return (f & 1) ? z1 : z0;
}
"""
for _name in ("SQRT2_M",):
    RNG_DEVICE = RNG_DEVICE.replace(f"@{_name}@", str(getattr(P, _name)))
for _name, _value in (("TWO_M53", 2.0 ** -53), ("TWO_M52", 2.0 ** -52)):
    RNG_DEVICE = RNG_DEVICE.replace(f"@{_name}@", _c(_value))
for _name in ("LG1", "LG2", "LG3", "LG4", "LG5", "LG6", "LG7", "LN2_HI", "LN2_LO",
              "PIO2_2M51", "S1", "S2", "S3", "S4", "S5", "S6", "C1", "C2", "C3", "C4", "C5",
              "C6"):
    RNG_DEVICE = RNG_DEVICE.replace(f"@{_name}@", _c(getattr(P, _name)))
assert "@" not in RNG_DEVICE

_CUDA_SOURCE = RNG_DEVICE + r"""
// A draw into dst[0, n): element i = start + o; one thread per Philox block.
// kind 0: uniform doubles, 1: uniform floats, 2: integers (low, range), 3: normals.
extern "C" __global__ void rng_fill(int kind, void* dst, long long start, long long n,
                                    u64 k0, u64 k1, u64 s, u64 d, u64 low, u64 range) {
    const int per = kind == 1 ? 4 : 2;
    const long long b = start / per + (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const long long e0 = b * per;
    if (e0 >= start + n) return;
    u32 x0, x1, x2, x3;
    rng_block((u64)b, k0, k1, s, d, x0, x1, x2, x3);
    if (kind == 1) {
        const u32 x[4] = {x0, x1, x2, x3};
        #pragma unroll
        for (int j = 0; j < 4; ++j) {
            const long long i = e0 + j;
            if (i >= start && i < start + n)
                ((float*)dst)[i - start] = (float)(x[j] >> 8) * (1.0f / 16777216.0f);
        }
        return;
    }
    if (kind == 2) {
        const u64 w[2] = {((u64)x0 << 32) | x1, ((u64)x2 << 32) | x3};
        #pragma unroll
        for (int j = 0; j < 2; ++j) {
            const long long i = e0 + j;
            if (i >= start && i < start + n)
                ((long long*)dst)[i - start] =
                    (long long)(low + (range ? __umul64hi(w[j], range) : w[j]));
        }
        return;
    }
    double v[2];
    if (kind == 3) {
        rng_normal2(x0, x1, x2, x3, v[0], v[1]);
    } else {
        v[0] = rng_u53(x0, x1); v[1] = rng_u53(x2, x3);
    }
    #pragma unroll
    for (int j = 0; j < 2; ++j) {
        const long long i = e0 + j;
        if (i >= start && i < start + n) ((double*)dst)[i - start] = v[j];
    }
}
"""

_modules: dict = {}


def _module(cp, device_id: int):
    mod = _modules.get(device_id)
    if mod is None:
        from .._counters import count
        mod = cp.RawModule(code=_CUDA_SOURCE, options=("-std=c++17",))
        _modules[device_id] = mod
        count("kernels_compiled")
    return mod


_CODES = {"uniform": (0, numpy.float64), "uniform32": (1, numpy.float32),
          "integers": (2, numpy.int64), "normal": (3, numpy.float64)}


def generate(cp, device_id, kind, start, n, inputs, params):
    """Elements [start, start+n) of a draw (``inputs`` = ``philox.block_inputs``) as a
    CuPy array on the current device."""
    code, dt = _CODES[kind]
    out = cp.empty(n, dt)
    if n == 0:
        return out
    k0, k1, c2, c3 = inputs
    per = P.PER_BLOCK[kind]
    nblocks = (start + n - 1) // per - start // per + 1
    low, rng = params if kind == "integers" else (0, 0)
    u = numpy.uint64
    f = _module(cp, device_id).get_function("rng_fill")
    # (the stream and domain go in as the counter's upper words: s = c2 | c3 << 32, d = 0)
    f(((nblocks + 255) // 256,), (256,),
      (numpy.int32(code), out, numpy.int64(start), numpy.int64(n), u(k0), u(k1),
       u(c2 | (c3 << 32)), u(0), u(low & P.M64), u(rng & P.M64)))
    return out
