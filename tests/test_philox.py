"""The random stream (``arrbackend.kernels.philox``): the plain-Python reference against
Philox4x32-10's published answers and the exact functions, and every implementation
against the reference bit for bit, over random windows (start, count): the compiled CPU
kernels (serial and parallel), the NumPy path, and the CUDA source's logic compiled for
the host (``cuda_host.py``); then the public functions through the NumPy path, as where
numba is missing, the threads, a fork after drawing, and the check of the compiled
kernels on first use."""
from __future__ import annotations

import ctypes
import math
import os
import subprocess
import sys

import numpy
import pytest

import arrbackend as ab
from arrbackend.kernels import cpu_threads, philox, philox_cuda, philox_numpy
import cuda_host

KEY = (0x1234ABCD, 0x9E3779B9)
DRAWS = [("uniform", None), ("uniform32", None), ("normal", None),
         ("integers", (-5, 1000)), ("integers", (0, 0)), ("integers", (2**63, 3)),
         ("integers", (-2**63, 2**64 - 1)), ("integers", (7, 1)), ("integers", (0, 256))]
IDS = [k if p is None else f"{k}{p}" for k, p in DRAWS]


def _bits(a):
    return numpy.ascontiguousarray(a).view(numpy.uint8)


def _windows(seed, count, max_n):
    """Random (start, count) windows: small and near-tile sizes, odd and huge starts."""
    rng = numpy.random.default_rng(seed)
    out = [(0, 0), (0, 1), (1, 1), (3, 2), (5, 7)]
    for _ in range(count):
        start = int(rng.integers(0, 2**40)) if rng.random() < 0.3 else int(rng.integers(0, 50))
        out.append((start, int(rng.integers(0, max_n))))
    return out


# --- the reference ---------------------------------------------------------------------

KAT = [((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
       ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
       ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1))]


@pytest.mark.parametrize("ctr,key,expected", KAT)
def test_block_is_philox4x32_10(ctr, key, expected):
    # the known answers published with Random123 (kat_vectors, "philox4x32 10")
    assert tuple(philox.block_reference(ctr, key)) == expected


def test_counter_layout():
    k0, k1, c2, c3 = philox.block_inputs(KEY, 2**33 + 5, 1)
    assert (k0, k1, c2, c3) == (KEY[0], KEY[1], 5, 2 | (1 << 31))
    b = 2**32 + 9                   # element 2b+1 of a uniform draw: block b, second word
    x = philox.block_reference((9, 1, c2, c3), KEY)
    expected = ((x[2] << 32 | x[3]) >> 11) * 2.0**-53
    assert philox.reference("uniform", 2 * b + 1, 1, KEY, 2**33 + 5, 1)[0] == expected
    with pytest.raises(ValueError, match="two 32-bit words"):
        philox.block_inputs((2**32, 0), 0, 0)
    with pytest.raises(ValueError, match="domain 0 or 1"):
        philox.block_inputs(KEY, 0, 2)
    with pytest.raises(ValueError, match="stream"):
        philox.block_inputs(KEY, 2**63, 0)


def _ulps(got, exact):
    return float(abs(numpy.longdouble(got) - exact)
                 / numpy.longdouble(numpy.spacing(abs(numpy.float64(exact)))))


@pytest.mark.skipif(numpy.finfo(numpy.longdouble).nmant < 60,
                    reason="needs an extended-precision long double for the exact values")
def test_log_and_sincos_are_accurate():
    # the polynomial transforms against values exact to ~64 bits (long double): log within
    # 1 ulp, sin and cos within 2 ulp of the exact angle 2 pi a 2**-53
    rng = numpy.random.default_rng(1)
    L = numpy.longdouble
    pi = L("3.14159265358979323846264338327950288")
    ns = [1, 3, 2**53 - 1, 2**52 + 1, 0x16A09E667F3BCD] + \
        [int(v) | 1 for v in rng.integers(1, 2**53, 3000)] + \
        [int(v) | 1 for v in rng.integers(1, 2**20, 300)]
    worst = max(_ulps(philox.log_reference(n), numpy.log(L(n) / L(2**53))) for n in ns)
    assert worst < 1.0
    assert philox.log_reference(1) == math.log(2.0**-53)
    a_s = [0, 1, 2**50, 2**50 + 1, 2**51 - 1, 2**51, 3 * 2**50, 2**53 - 1] + \
        [int(v) for v in rng.integers(0, 2**53, 3000)]
    worst = 0.0
    for a in a_s:
        q, r = a >> 51, a & (2**51 - 1)          # the exact angle, reduced exactly
        sp = numpy.sin(pi / 2 * L(r) / L(2**51))
        cp = numpy.sin(pi / 2 * L(2**51 - r) / L(2**51))
        exact = [(sp, cp), (cp, -sp), (-sp, -cp), (-cp, sp)][q]
        for got, ex in zip(philox.sincos_reference(a), exact):
            if got == 0.0:
                assert abs(ex) < 1e-18
            else:
                worst = max(worst, _ulps(got, ex))
    assert worst < 2.0
    assert philox.sincos_reference(0) == (0.0, 1.0)
    assert philox.sincos_reference(2**51) == (1.0, -0.0)


# --- the implementations against the reference ------------------------------------------

def test_mulhi64():
    rng = numpy.random.default_rng(0)
    a = rng.integers(0, 2**63, size=1000, dtype=numpy.uint64) * numpy.uint64(2) + \
        numpy.uint64(1)
    a[:3] = [0, 1, 2**64 - 1]
    for b in (1, 7, 255, 2**32 - 1, 2**32 + 5, 2**63 + 12345, 2**64 - 1):
        got = philox_numpy._mulhi64(a, b)
        assert [int(g) for g in got] == [(int(x) * b) >> 64 for x in a]


@pytest.mark.parametrize("kind,params", DRAWS, ids=IDS)
def test_numpy_path_matches_reference(kind, params):
    inputs = philox.block_inputs(KEY, 77, 1)
    for start, n in _windows(sum(map(ord, kind)), 6, 600):
        ref = philox.reference(kind, start, n, KEY, 77, 1, params)
        got = philox_numpy.generate(kind, start, n, inputs, params)
        assert got.dtype == ref.dtype and got.shape == (n,)
        assert numpy.array_equal(_bits(got), _bits(ref)), (kind, start, n)


needs_numba = pytest.mark.skipif(not cpu_threads.available(), reason="numba is missing")


@needs_numba
@pytest.mark.parametrize("kind,params", DRAWS, ids=IDS)
def test_compiled_kernels_match_reference(kind, params):
    from arrbackend.kernels import philox_cpu
    inputs = philox.block_inputs(KEY, 5, 0)
    for start, n in _windows(3, 6, 2100):     # (tiles of 256 blocks: partial tiles too)
        ref = philox.reference(kind, start, n, KEY, 5, 0, params)
        for threads in (1, 2, 3):
            got = philox_cpu.generate(kind, start, n, inputs, params, threads=threads)
            assert got.dtype == ref.dtype and got.shape == (n,)
            assert numpy.array_equal(_bits(got), _bits(ref)), (kind, start, n, threads)


@needs_numba
@pytest.mark.parametrize("kind,params", DRAWS[:4], ids=IDS[:4])
def test_compiled_kernels_match_numpy_path_on_large_windows(kind, params):
    # windows of many tiles and chunks, cut anywhere: the same values as one big window
    from arrbackend.kernels import philox_cpu
    inputs = philox.block_inputs(KEY, 12, 1)
    whole = philox_numpy.generate(kind, 2**35 + 1, 300_001, inputs, params)
    assert numpy.array_equal(_bits(philox_cpu.generate(kind, 2**35 + 1, 300_001, inputs,
                                                       params, threads=2)), _bits(whole))
    rng = numpy.random.default_rng(4)
    cuts = sorted(int(c) for c in rng.integers(0, 300_001, 5))
    for lo, hi in zip([0] + cuts, cuts + [300_001]):
        part = philox_cpu.generate(kind, 2**35 + 1 + lo, hi - lo, inputs, params, threads=2)
        assert numpy.array_equal(_bits(part), _bits(whole[lo:hi]))


# --- the CUDA source, compiled for the host -------------------------------------------------

_HOST_DRIVER = r"""
extern "C" void host_fill(int kind, void* dst, long long start, long long n, u64 k0, u64 k1,
                          u64 s, u64 d, u64 low, u64 range) {
    const int per = kind == 1 ? 4 : 2;
    const long long nblocks = (start + n - 1) / per - start / per + 1;
    blockDim.x = 256;
    for (long long t = 0; t < (nblocks + 255) / 256 * 256; ++t) {
        blockIdx.x = (unsigned)(t / 256); threadIdx.x = (unsigned)(t % 256);
        rng_fill(kind, dst, start, n, k0, k1, s, d, low, range);
    }
}
extern "C" void host_elements(int kind, double* dst, long long start, long long n, u64 k0,
                              u64 k1, u64 s, u64 d) {
    for (long long i = 0; i < n; ++i) {
        const long long f = start + i;
        dst[i] = kind == 0 ? rng_uniform(f, k0, k1, s, d)
               : kind == 1 ? (double)rng_uniform32(f, k0, k1, s, d)
               : rng_normal(f, k0, k1, s, d);
    }
}
extern "C" void host_uniform4(int f32, double* dst, long long f, u64 k0, u64 k1, u64 s,
                              u64 d) {
    if (f32) { float v[4]; rng_uniform4(f, k0, k1, s, d, v);
               for (int j = 0; j < 4; ++j) dst[j] = v[j]; }
    else { rng_uniform4(f, k0, k1, s, d, dst); }
}
"""


@pytest.fixture(scope="module")
def host_cuda(tmp_path_factory):
    """The CUDA source (RNG_DEVICE and rng_fill) built as host C++ (cuda_host.py)."""
    return cuda_host.build(philox_cuda._CUDA_SOURCE + _HOST_DRIVER,
                           tmp_path_factory.mktemp("cuda_host"))


_CODES = {"uniform": (0, numpy.float64), "uniform32": (1, numpy.float32),
          "integers": (2, numpy.int64), "normal": (3, numpy.float64)}
_U64 = ctypes.c_uint64
_I64 = ctypes.c_longlong


@pytest.mark.parametrize("kind,params", DRAWS, ids=IDS)
def test_cuda_fill_kernel_matches_reference(host_cuda, kind, params):
    k0, k1, c2, c3 = philox.block_inputs(KEY, 2**32 + 3, 1)
    code, dt = _CODES[kind]
    low, rng = params if params else (0, 0)
    for start, n in _windows(8, 5, 700):
        ref = philox.reference(kind, start, n, KEY, 2**32 + 3, 1, params)
        out = numpy.zeros(n, dt)
        if n:
            host_cuda.host_fill(ctypes.c_int(code), out.ctypes.data_as(ctypes.c_void_p),
                                _I64(start), _I64(n), _U64(k0), _U64(k1),
                                _U64(c2 | (c3 << 32)), _U64(0), _U64(low % 2**64),
                                _U64(rng))
        assert numpy.array_equal(_bits(out), _bits(ref)), (kind, start, n)


@pytest.mark.parametrize("kind", ["uniform", "uniform32", "normal"])
def test_cuda_element_functions_match_reference(host_cuda, kind):
    # the device functions generated kernels inline: element f, and four from a multiple
    # of 4, with the (key, stream, domain) arguments fused kernels pass
    stream, domain = 2**33 + 7, 1
    for start, n in _windows(9, 4, 300):
        ref = philox.reference(kind, start, n, KEY, stream, domain)
        out = numpy.zeros(n)
        host_cuda.host_elements(ctypes.c_int(["uniform", "uniform32", "normal"].index(kind)),
                                out.ctypes.data_as(ctypes.c_void_p), _I64(start), _I64(n),
                                _U64(KEY[0]), _U64(KEY[1]), _U64(stream), _U64(domain))
        assert numpy.array_equal(out, ref.astype(numpy.float64)), (kind, start, n)
    if kind != "normal":
        for f in (0, 4, 2**40 + 8):
            v = numpy.zeros(4)
            host_cuda.host_uniform4(ctypes.c_int(kind == "uniform32"),
                                    v.ctypes.data_as(ctypes.c_void_p), _I64(f),
                                    _U64(KEY[0]), _U64(KEY[1]), _U64(stream), _U64(domain))
            ref = philox.reference(kind, f, 4, KEY, stream, domain)
            assert numpy.array_equal(v, ref.astype(numpy.float64))


# --- the public functions, compiled and through the NumPy path ----------------------------

def _public_draws():
    ab.random.seed(2024)
    g = ab.random.default_rng(8)
    return [ab.random.rand(3001), ab.random.randn(77, 13), ab.random.randint(-3, 250, 999),
            ab.random.uniform(-2.0, 5.0, 501), g.random(1003, dtype=numpy.float32),
            g.integers(0, 2**62, 64), g.standard_normal(257), g.exponential(2.0, 100)]


@needs_numba
def test_public_draws_are_the_same_without_numba(machine, monkeypatch):
    compiled = [ab.asnumpy(x) for x in _public_draws()]
    monkeypatch.setattr(cpu_threads, "available", lambda: False)
    monkeypatch.setattr(philox, "_compiled", {})
    assert philox.cpu_path() == "numpy"
    fallback = [ab.asnumpy(x) for x in _public_draws()]
    for a, b in zip(compiled, fallback):
        assert a.dtype == b.dtype and numpy.array_equal(_bits(a), _bits(b))


def test_threads_follow_the_setting():
    with ab.settings.override(cpu_threads=3):
        expected = 3 if not cpu_threads.available() else min(
            3, cpu_threads.numba().config.NUMBA_NUM_THREADS)
        assert cpu_threads.kernel_threads() == expected
        assert cpu_threads.threads_for(10) == 1
        assert cpu_threads.threads_for(10**7) == expected
    with ab.settings.override(cpu_threads="auto"):
        n = cpu_threads.cores()
        if cpu_threads.available():
            n = min(n, cpu_threads.numba().config.NUMBA_NUM_THREADS)
        assert cpu_threads.kernel_threads() == n
    with pytest.raises(ValueError, match="integer >= 1"):
        ab.settings.cpu_threads = 0


_FORK_SCRIPT = r"""
import multiprocessing, numpy, arrbackend as ab
ab.random.seed(3)
a = ab.asnumpy(ab.random.rand(300_000))          # the parallel kernel, before the fork
def child(q):
    ab.random.seed(3)
    q.put(float(ab.asnumpy(ab.random.rand(300_000)).sum()))
ctx = multiprocessing.get_context("fork")
q = ctx.Queue()
p = ctx.Process(target=child, args=(q,))
p.start()
got = q.get(timeout=100)
p.join(100)
assert p.exitcode == 0 and got == float(a.sum()), (p.exitcode, got, float(a.sum()))
print("ok")
"""


@needs_numba
def test_fork_after_drawing():
    # the threading layer is fork-safe: a child forked after a parallel draw draws again
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(ab.__file__)))] +
        [p for p in [os.environ.get("PYTHONPATH")] if p]))
    env.pop("NUMBA_THREADING_LAYER", None)
    env["ARRBACKEND_DEVICES"] = "cpu:1"     # (the CPU kernels' threads; CUDA forbids fork)
    r = subprocess.run([sys.executable, "-c", _FORK_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def _cpu_device():
    """A CPU device (these tests are about the CPU kernels, whatever the default)."""
    with ab.devices("cpu:1") as m:
        return m.devices[0]


@needs_numba
def test_a_kernel_that_disagrees_is_not_used(monkeypatch):
    # the first use of a kind checks the compiled kernel against the reference; here the
    # reference is made to disagree: a warning, and the NumPy path's values
    from arrbackend.kernels import philox_cpu
    monkeypatch.setattr(philox_cpu, "_checked", {})
    monkeypatch.setattr(philox, "_compiled", {})
    real = philox.reference
    monkeypatch.setattr(philox, "reference", lambda *a, **k: real(*a, **k) + 1.0)
    with pytest.warns(RuntimeWarning, match="disagrees with the specification"):
        assert philox.cpu_path("normal") == "numpy"
    monkeypatch.setattr(philox, "reference", real)
    inputs = philox.block_inputs(KEY, 1, 0)
    got = philox.generate(_cpu_device(), "normal", 5, 100, KEY, 1, 0)
    assert numpy.array_equal(_bits(got), _bits(philox_numpy.generate("normal", 5, 100,
                                                                      inputs)))
    monkeypatch.setattr(philox_cpu, "_checked", {})
    assert philox.cpu_path("normal") == "compiled"


@needs_numba
def test_a_kernel_that_cannot_run_is_not_used(monkeypatch):
    # (numba with no writable cache directory, or a compiler error): the NumPy path
    from arrbackend.kernels import philox_cpu
    monkeypatch.setattr(philox_cpu, "_checked", {})
    monkeypatch.setattr(philox, "_compiled", {})

    def broken(*args):
        raise RuntimeError("cannot cache function: no locator available")
    monkeypatch.setitem(philox_cpu._KERNELS, "uniform",
                        (broken, broken, philox_cpu._KERNELS["uniform"][2]))
    with pytest.warns(RuntimeWarning, match="cannot run .*no locator"):
        assert philox.cpu_path("uniform") == "numpy"
    got = philox.generate(_cpu_device(), "uniform", 3, 50, KEY, 1, 0)
    assert numpy.array_equal(got, philox.reference("uniform", 3, 50, KEY, 1, 0))
