"""Counter-based random numbers: Philox4x64-10 (Salmon et al., SC'11), the generator
behind ``numpy.random.Philox``.

A random value is a pure function of (key, stream, domain, global element index), so an
array has the same values on 1, 3 or 8 devices, in one process or many: each device
computes the elements of its own rows.  On CPU shards the 64-bit words come from NumPy's
own ``Philox`` bit generator positioned at the right counter; on GPU shards from the
RawKernel below, which runs the same integer arithmetic, so words, uniforms and integers
agree bit for bit and normals (``log``/``cos`` on the device) agree to a few ulp.

Word ``w`` of a stream is output word ``w % 4`` of the Philox block with counter
``(w // 4, stream, 0, domain)``.  Element i of a uniform or integer draw uses word i; of a
normal draw, words 2i and 2i+1 (Box-Muller, cosine branch).
"""
from __future__ import annotations

import numpy

__all__ = ["words_reference", "generate", "M0", "M1", "W0", "W1"]

M0, M1 = 0xD2E7470EE14C6C93, 0xCA5A826395121157
W0, W1 = 0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B
_MASK = (1 << 64) - 1
TWO_M53 = 1.0 / 9007199254740992.0


def _block_reference(ctr, key):
    """One Philox4x64-10 block in plain Python integers (the specification)."""
    x0, x1, x2, x3 = ctr
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + W0) & _MASK, (k1 + W1) & _MASK
        p0, p1 = M0 * x0, M1 * x2
        hi0, lo0 = p0 >> 64, p0 & _MASK
        hi1, lo1 = p1 >> 64, p1 & _MASK
        x0, x1, x2, x3 = hi1 ^ x1 ^ k0, lo1, hi0 ^ x3 ^ k1, lo0
    return [x0, x1, x2, x3]


def words_reference(key, stream: int, domain: int, start: int, count: int) -> list:
    """Words [start, start+count) in plain Python (slow; for tests)."""
    out = []
    for w in range(start, start + count):
        out.append(_block_reference((w // 4, stream, 0, domain), key)[w % 4])
    return out


def _words_numpy(key, stream: int, domain: int, start: int, count: int) -> numpy.ndarray:
    """Words [start, start+count) from NumPy's Philox (positioned one block early, as
    it increments its counter before producing a block)."""
    if count <= 0:
        return numpy.empty(0, numpy.uint64)
    b0 = start // 4
    c = (b0 + (stream << 64) + (domain << 192) - 1) % (1 << 256)
    ctr = numpy.array([(c >> (64 * i)) & _MASK for i in range(4)], dtype=numpy.uint64)
    bg = numpy.random.Philox(key=numpy.array(key, dtype=numpy.uint64), counter=ctr)
    nblocks = (start + count - 1) // 4 - b0 + 1
    raw = bg.random_raw(nblocks * 4)
    off = start - 4 * b0
    return raw[off:off + count]


def _mulhi64_numpy(a: numpy.ndarray, b: int) -> numpy.ndarray:
    """floor(a * b / 2**64) for uint64 ``a`` and Python int 0 <= b < 2**64."""
    m32 = numpy.uint64(0xFFFFFFFF)
    s32 = numpy.uint64(32)
    a_lo, a_hi = a & m32, a >> s32
    b_lo, b_hi = numpy.uint64(b & 0xFFFFFFFF), numpy.uint64(b >> 32)
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    lo_hi = a_lo * b_hi
    hi_hi = a_hi * b_hi
    cross = (lo_lo >> s32) + (hi_lo & m32) + lo_hi
    return hi_hi + (hi_lo >> s32) + (cross >> s32)


def _generate_numpy(kind, start, n, key, stream, domain, params):
    if kind == "uniform":
        w = _words_numpy(key, stream, domain, start, n)
        return (w >> numpy.uint64(11)).astype(numpy.float64) * TWO_M53
    if kind == "uniform32":
        w = _words_numpy(key, stream, domain, start, n)
        return ((w >> numpy.uint64(40)).astype(numpy.float32)
                * numpy.float32(1.0 / 16777216.0))
    if kind == "normal":
        w = _words_numpy(key, stream, domain, 2 * start, 2 * n)
        u1 = ((w[0::2] >> numpy.uint64(11)).astype(numpy.float64) + 1.0) * TWO_M53
        u2 = (w[1::2] >> numpy.uint64(11)).astype(numpy.float64) * TWO_M53
        return numpy.sqrt(-2.0 * numpy.log(u1)) * numpy.cos(2.0 * numpy.pi * u2)
    if kind == "integers":
        low, rng = params
        w = _words_numpy(key, stream, domain, start, n)
        if rng == 0:                       # the whole 64-bit range
            off = w
        else:
            off = _mulhi64_numpy(w, rng)
        return (numpy.uint64(low & _MASK) + off).view(numpy.int64)
    raise ValueError(kind)


#: The device function: one Philox4x64-10 block (shared by every kernel that draws).
PHILOX_DEVICE = r"""
typedef unsigned long long u64;
__device__ __forceinline__ void philox(u64 b, u64 stream, u64 domain, u64 k0, u64 k1,
                                       u64 out[4]) {
    u64 x0 = b, x1 = stream, x2 = 0, x3 = domain;
    #pragma unroll
    for (int r = 0; r < 10; ++r) {
        if (r) { k0 += 0x9E3779B97F4A7C15ULL; k1 += 0xBB67AE8584CAA73BULL; }
        u64 hi0 = __umul64hi(0xD2E7470EE14C6C93ULL, x0), lo0 = 0xD2E7470EE14C6C93ULL * x0;
        u64 hi1 = __umul64hi(0xCA5A826395121157ULL, x2), lo1 = 0xCA5A826395121157ULL * x2;
        x0 = hi1 ^ x1 ^ k0; x1 = lo1; x2 = hi0 ^ x3 ^ k1; x3 = lo0;
    }
    out[0] = x0; out[1] = x1; out[2] = x2; out[3] = x3;
}
"""

_CUDA_SOURCE = PHILOX_DEVICE + r"""
// Uniform doubles / uint64-based integers: element i uses word i.
extern "C" __global__ void rng_words(int kind, void* dst, long long start, long long n,
                                     u64 k0, u64 k1, u64 stream, u64 domain,
                                     u64 low, u64 range) {
    long long b = start / 4 + (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long w0 = b * 4;
    if (w0 >= start + n) return;
    u64 w[4];
    philox((u64)b, stream, domain, k0, k1, w);
    #pragma unroll
    for (int j = 0; j < 4; ++j) {
        long long i = w0 + j;
        if (i < start || i >= start + n) continue;
        long long o = i - start;
        if (kind == 0) {
            ((double*)dst)[o] = (double)(w[j] >> 11) * (1.0 / 9007199254740992.0);
        } else if (kind == 1) {
            ((float*)dst)[o] = (float)(w[j] >> 40) * (1.0f / 16777216.0f);
        } else {
            u64 off = range ? __umul64hi(w[j], range) : w[j];
            ((long long*)dst)[o] = (long long)(low + off);
        }
    }
}

// Normals: element i uses words 2i (u1, in (0,1]) and 2i+1 (u2, in [0,1)).
extern "C" __global__ void rng_normal(double* dst, long long start, long long n,
                                      u64 k0, u64 k1, u64 stream, u64 domain) {
    long long b = (2 * start) / 4 + (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long e0 = b * 2;               // first element whose words are in this block
    if (e0 >= start + n) return;
    u64 w[4];
    philox((u64)b, stream, domain, k0, k1, w);
    #pragma unroll
    for (int j = 0; j < 2; ++j) {
        long long i = e0 + j;
        if (i < start || i >= start + n) continue;
        double u1 = ((double)(w[2 * j] >> 11) + 1.0) * (1.0 / 9007199254740992.0);
        double u2 = (double)(w[2 * j + 1] >> 11) * (1.0 / 9007199254740992.0);
        dst[i - start] = sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2);
    }
}
"""

_modules: dict = {}


def _module(cp, device_id: int):
    mod = _modules.get(device_id)
    if mod is None:
        from .._counters import count
        mod = cp.RawModule(code=_CUDA_SOURCE, options=("-std=c++14",))
        _modules[device_id] = mod
        count("kernels_compiled")
    return mod


def _generate_cupy(cp, device_id, kind, start, n, key, stream, domain, params):
    mod = _module(cp, device_id)
    u = numpy.uint64
    if kind == "normal":
        out = cp.empty(n, numpy.float64)
        if n:
            nblocks = (2 * (start + n) - 1) // 4 - (2 * start) // 4 + 1
            f = mod.get_function("rng_normal")
            f(((nblocks + 255) // 256,), (256,),
              (out, numpy.int64(start), numpy.int64(n), u(key[0]), u(key[1]), u(stream),
               u(domain)))
        return out
    code, dt, low, rng = {"uniform": (0, numpy.float64, 0, 0),
                          "uniform32": (1, numpy.float32, 0, 0)}.get(kind, (2, numpy.int64,
                                                                          0, 0))
    if kind == "integers":
        low, rng = params
    out = cp.empty(n, dt)
    if n:
        nblocks = (start + n - 1) // 4 - start // 4 + 1
        f = mod.get_function("rng_words")
        f(((nblocks + 255) // 256,), (256,),
          (numpy.int32(code), out, numpy.int64(start), numpy.int64(n), u(key[0]), u(key[1]),
           u(stream), u(domain), u(low & _MASK), u(rng & _MASK)))
    return out


def generate(device, kind: str, start: int, n: int, key, stream: int, domain: int,
             params=None):
    """Elements [start, start+n) of a draw of ``kind`` ('uniform', 'uniform32', 'normal',
    'integers' with params (low, range)) as a 1-D local array on ``device``."""
    if device.is_gpu:
        with device.activate():
            return _generate_cupy(device.xp, device.id, kind, start, n, key, stream, domain,
                                  params)
    return _generate_numpy(kind, start, n, key, stream, domain, params)
