"""GPU benchmarks: arrbackend (unmodified NumPy code under ``enabled()``) against CuPy
eager, ``cupy.fuse`` and a hand-written RawKernel, measured side by side in one run.

    python benchmarks/gpu_bench.py [--json FILE] [--quick]

Times are medians of CUDA-event-timed repetitions after warm-ups (per-call overheads:
a loop of many calls between two synchronizations).  Prints a table with ratios; writes
every number, the device and the command to ``--json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")   # (JAX beside CuPy)
sys.path.insert(0, ".")
import arrbackend  # noqa: E402

ROWS: list = []


def gtime(cp, f, reps=10, warm=2, inner=1):
    """Median seconds per call of ``f``: CUDA events around ``inner`` back-to-back calls
    (as a program's loop issues them), ``reps`` times, after warm-up calls."""
    for _ in range(warm):
        f()
    cp.cuda.Device().synchronize()
    s, e = cp.cuda.Event(), cp.cuda.Event()
    ts = []
    for _ in range(reps):
        s.record()
        for _ in range(inner):
            f()
        e.record()
        e.synchronize()
        ts.append(cp.cuda.get_elapsed_time(s, e) / 1e3 / inner)
    return float(np.median(ts))


def per_call(cp, f, n=5000):
    for _ in range(200):
        f()
    cp.cuda.Device().synchronize()
    best = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(n):
            f()
        cp.cuda.Device().synchronize()
        best.append((time.perf_counter() - t0) / n)
    return float(np.median(best))


def row(name, ours, peers: dict, unit="ms", target=None):
    ROWS.append({"name": name, "arrbackend": ours, "unit": unit, "peers": peers,
                 "target": target})


def stencil(np_, grid, new):
    """The tutorial's five-point update, as the user writes it."""
    new[1:-1, 1:-1] = 0.25 * (grid[:-2, 1:-1] + grid[2:, 1:-1]
                              + grid[1:-1, :-2] + grid[1:-1, 2:])


def monte_carlo(np_, n):
    x = np_.random.uniform(-1, 1, n)
    y = np_.random.uniform(-1, 1, n)
    return 4 * np_.sum(np_.sqrt(x**2 + y**2) <= 1) / n


def bench_overhead(cp):
    a, b = np.random.random(1000), np.random.random(1000)
    ga, gb, gz = cp.asarray(a), cp.asarray(b), cp.empty(1000)
    with arrbackend.enabled(devices="gpu:1"):
        xa, xb, xz = np.asarray(a), np.asarray(b), np.empty(1000)
        ev = arrbackend.evaluate          # results are computed, not left deferred
        t_add = per_call(cp, lambda: ev(xa + xb))
        t_out = per_call(cp, lambda: np.add(xa, xb, out=xz))
        t_expr = per_call(cp, lambda: xz.__setitem__(Ellipsis, xa + xb * 2.0))
        t_sum = per_call(cp, lambda: xa.sum())
        t_sl = per_call(cp, lambda: ev(xa[1:-1] * 2))
    row("np.add(x, y, out=z), 1,000 (per call)", t_out * 1e6,
        {"cupy": per_call(cp, lambda: cp.add(ga, gb, out=gz)) * 1e6}, "us", "<= 1.0x cupy")
    row("z[...] = x + y * 2.0, 1,000 (per call)", t_expr * 1e6,
        {"cupy": per_call(cp, lambda: gz.__setitem__(Ellipsis, ga + gb * 2.0)) * 1e6}, "us",
        "<= 0.5x cupy")
    row("a + b, 1,000 float64 (per call)", t_add * 1e6,
        {"cupy": per_call(cp, lambda: ga + gb) * 1e6}, "us", "<= 1.5x cupy")
    row("a.sum(), 1,000 (per call)", t_sum * 1e6, {"cupy": per_call(cp, lambda: ga.sum()) * 1e6},
        "us")
    row("a[1:-1] * 2, 1,000 (per call)", t_sl * 1e6,
        {"cupy": per_call(cp, lambda: ga[1:-1] * 2) * 1e6}, "us")


def _jax_stencil(N):
    """JAX ``jit`` of the same step with the output buffer donated (its best form),
    ping-pong between two buffers; None where JAX is missing."""
    try:
        import jax
        import jax.numpy as jnp
    except Exception:
        return None
    jax.config.update("jax_enable_x64", True)   # (float64 as the other columns: JAX's
                                                # default would make float32 arrays)

    def step(g, h):
        return h.at[1:-1, 1:-1].set(0.25 * (g[:-2, 1:-1] + g[2:, 1:-1]
                                             + g[1:-1, :-2] + g[1:-1, 2:]))

    f = jax.jit(step, donate_argnums=1)
    g = jnp.asarray(np.random.random((N, N)))
    h = jnp.zeros((N, N), dtype=g.dtype)
    assert g.dtype == jnp.float64, g.dtype
    for _ in range(3):
        h = f(g, h)
        g, h = h, g
    g.block_until_ready()
    inner = 50 if N <= 4096 else 10
    best = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(inner):
            h = f(g, h)
            g, h = h, g
        g.block_until_ready()
        best.append((time.perf_counter() - t0) / inner)
    return float(np.median(best))


def bench_stencil(cp, sizes):
    kern = cp.RawKernel(r'''
    extern "C" __global__ void st5(const double* __restrict__ g, double* __restrict__ o, int n) {
        int j = blockIdx.x * blockDim.x + threadIdx.x + 1;
        int i = blockIdx.y * blockDim.y + threadIdx.y + 1;
        if (i < n - 1 && j < n - 1) {
            size_t k = (size_t)i * n + j;
            o[k] = 0.25 * (g[k - n] + g[k + n] + g[k - 1] + g[k + 1]);
        }
    }''', "st5")

    @cp.fuse()
    def f5(a, b, c, d):
        return 0.25 * (a + b + c + d)

    for N in sizes:
        g = cp.random.random((N, N))
        h = cp.zeros_like(g)
        inner = 20 if N <= 4096 else 5
        eager = gtime(cp, lambda: stencil(cp, g, h), inner=inner)
        fused = gtime(cp, lambda: h.__setitem__((slice(1, -1), slice(1, -1)),
                                                f5(g[:-2, 1:-1], g[2:, 1:-1], g[1:-1, :-2],
                                                   g[1:-1, 2:])), inner=inner)
        blk = (128, 2)
        grd = ((N - 2 + 127) // 128, (N - 2 + 1) // 2)
        hand = gtime(cp, lambda: kern(grd, blk, (g, h, cp.int32(N))), inner=inner)
        with arrbackend.enabled(devices="gpu:1"):
            G = np.asarray(cp.asnumpy(g)) if N <= 4096 else np.random.random((N, N))
            H = np.zeros_like(G)
            arrbackend.evaluate(G, H)       # real arrays, not random numbers made on use
            ours = gtime(cp, lambda: stencil(np, G, H), inner=inner)
            if N <= 4096:   # check the values against CuPy's
                stencil(np, G, H)
                hh = cp.zeros_like(g)
                stencil(cp, g, hh)
                assert np.allclose(arrbackend.asnumpy(H), cp.asnumpy(hh))
        peers = {"cupy": eager * 1e3, "cupy.fuse": fused * 1e3, "hand kernel": hand * 1e3}
        tj = _jax_stencil(N)
        if tj is not None:
            peers["jax jit"] = tj * 1e3
        if N <= 100:
            peers["numpy"] = _numpy_time(lambda: stencil(np, cp.asnumpy(g), cp.asnumpy(h)))
        target = {100: "<= 0.030 ms", 4096: "<= 1.12x hand", 16384: "<= 1.02x hand"}.get(N)
        row(f"stencil step {N}^2 float64", ours * 1e3, peers, "ms", target)
        del g, h
        cp.get_default_memory_pool().free_all_blocks()


def bench_shards(cp, sizes):
    """The seed's stencil step on one GPU cut into 4 shards (``gpu:0,0,0,0``) against the
    same step on ``gpu``: the host cost of a statement per shard."""
    for N in sizes:
        times = {}
        for spec in ("gpu:1", "gpu:0,0,0,0"):
            with arrbackend.enabled(devices=spec), arrbackend.settings.override(split_bytes=0):
                G = np.random.random((N, N))
                H = np.zeros_like(G)
                arrbackend.evaluate(G, H)
                times[spec] = gtime(cp, lambda: stencil(np, G, H), inner=20 if N <= 4096 else 5)
        row(f"stencil {N}^2 on gpu:0,0,0,0", times["gpu:0,0,0,0"] * 1e3,
            {"cupy": times["gpu:1"] * 1e3}, "ms",
            {4096: "<= 1.5x gpu", 16384: "<= 1.15x gpu"}.get(N))


def _numpy_time(f, reps=50):
    f()
    t0 = time.perf_counter()
    for _ in range(reps):
        f()
    return (time.perf_counter() - t0) / reps * 1e3


# The floor for Monte Carlo pi with arrbackend's stream: the same Philox4x32-10 blocks
# (arrbackend.kernels.philox_cuda's device functions), the same uniform(-1, 1) values and
# test, written by hand as one kernel that keeps nothing (a count per warp).
_HAND_MC = r"""
extern "C" __global__ void mc(long long nb, u64 k0, u64 k1, u64 s0, u64 s1,
                              unsigned long long* count) {
    unsigned long long c = 0;
    for (long long b = blockIdx.x * (long long)blockDim.x + threadIdx.x; b < nb;
         b += (long long)gridDim.x * blockDim.x) {
        u32 a0, a1, a2, a3, b0, b1, b2, b3;
        rng_block((u64)b, k0, k1, s0, 0, a0, a1, a2, a3);
        rng_block((u64)b, k0, k1, s1, 0, b0, b1, b2, b3);
        const double x0 = -1.0 + 2.0 * rng_u53(a0, a1), x1 = -1.0 + 2.0 * rng_u53(a2, a3);
        const double y0 = -1.0 + 2.0 * rng_u53(b0, b1), y1 = -1.0 + 2.0 * rng_u53(b2, b3);
        c += (sqrt(x0 * x0 + y0 * y0) <= 1.0) + (sqrt(x1 * x1 + y1 * y1) <= 1.0);
    }
    for (int o = 16; o; o >>= 1) c += __shfl_down_sync(0xffffffffu, c, o);
    if ((threadIdx.x & 31) == 0) atomicAdd(count, c);
}
"""


def bench_mc(cp, n):
    from arrbackend.kernels.philox_cuda import RNG_DEVICE
    eager = gtime(cp, lambda: float(monte_carlo(cp, n)), reps=5)
    with arrbackend.enabled(devices="gpu:1"):
        ours = gtime(cp, lambda: float(monte_carlo(np, n)), reps=5)
        est = float(monte_carlo(np, n))
    assert abs(est - np.pi) < 1e-3, est
    kern = cp.RawKernel(RNG_DEVICE + _HAND_MC, "mc")
    count = cp.zeros(1, cp.uint64)
    sms = cp.cuda.runtime.getDeviceProperties(0)["multiProcessorCount"]

    def hand():
        count.fill(0)
        kern((sms * 8,), (256,), (cp.int64(n // 2), cp.uint64(12345), cp.uint64(678),
                                  cp.uint64(0), cp.uint64(1), count))
        return int(count.get()[0])
    try:
        assert abs(4 * hand() / n - np.pi) < 1e-3
        t_hand = gtime(cp, hand, reps=5)
    except Exception as exc:    # noqa: BLE001  (the row stands without its floor)
        print(f"hand Monte Carlo kernel: {type(exc).__name__}: {exc}"[:300])
        t_hand = None
    row(f"Monte Carlo pi, {n:.0e} samples", ours * 1e3,
        {"cupy": eager * 1e3, "hand kernel": t_hand and t_hand * 1e3}, "ms", "<= 1.5 ms")


def bench_sum_expr(cp, n):
    """A reduction of an expression over arrays: ``np.sum(x**2 + y**2 <= 1)`` against
    the time to read ``x`` and ``y`` once (CuPy's sums of each) and CuPy's
    eager statement."""
    x, y = cp.random.uniform(-1, 1, n), cp.random.uniform(-1, 1, n)
    t_read = gtime(cp, lambda: (cp.sum(x), cp.sum(y)), reps=5)   # (each read once)
    eager = gtime(cp, lambda: cp.sum(x**2 + y**2 <= 1), reps=5)
    want = int(cp.sum(x**2 + y**2 <= 1))
    with arrbackend.enabled(devices="gpu:1"):
        X, Y = np.asarray(cp.asnumpy(x)), np.asarray(cp.asnumpy(y))
        arrbackend.evaluate(X, Y)
        assert int(np.sum(X**2 + Y**2 <= 1)) == want
        ours = gtime(cp, lambda: float(np.sum(X**2 + Y**2 <= 1)), reps=5)
    del x, y
    cp.get_default_memory_pool().free_all_blocks()
    row(f"np.sum(x**2 + y**2 <= 1), {n:.0e} float64", ours * 1e3,
        {"cupy": eager * 1e3, "hand kernel": t_read * 1e3}, "ms", "<= 1.1x reading x, y")


def bench_random(cp, n):
    """Draws written to memory against CuPy's (cuRAND), and a draw consumed by a fused
    reduction (the generator's arithmetic only, nothing written)."""
    t_cp = {k: gtime(cp, f, reps=5) for k, f in (
        ("u", lambda: cp.random.random(n)), ("z", lambda: cp.random.standard_normal(n)),
        ("i", lambda: cp.random.randint(0, 256, n)))}
    with arrbackend.enabled(devices="gpu:1"):
        ev = arrbackend.evaluate
        t_u = gtime(cp, lambda: ev(np.random.rand(n)), reps=5)
        t_z = gtime(cp, lambda: ev(np.random.randn(n)), reps=5)
        t_i = gtime(cp, lambda: ev(np.random.randint(0, 256, n)), reps=5)
        t_r = gtime(cp, lambda: float(np.sum(np.random.rand(n) < 0.5)), reps=5)
    row(f"np.random.rand({n:.0e})", t_u * 1e3, {"cupy": t_cp["u"] * 1e3}, "ms")
    row(f"np.random.randn({n:.0e})", t_z * 1e3, {"cupy": t_cp["z"] * 1e3}, "ms")
    row(f"np.random.randint(0, 256, {n:.0e})", t_i * 1e3, {"cupy": t_cp["i"] * 1e3}, "ms")
    row(f"np.sum(np.random.rand({n:.0e}) < 0.5)", t_r * 1e3, {"cupy": None}, "ms")


def bench_matmul(cp, n):
    A, B = cp.random.random((n, n)), cp.random.random((n, n))
    t_cp = gtime(cp, lambda: A @ B, reps=5)
    with arrbackend.enabled(devices="gpu:1"):
        X, Y = np.random.random((n, n)), np.random.random((n, n))
        t_ab = gtime(cp, lambda: X @ Y, reps=5)
    row(f"matmul {n}^2 float64", t_ab * 1e3, {"cupy": t_cp * 1e3}, "ms", ">= 0.95x cupy")


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--json", default=None)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    import cupy as cp
    dev = cp.cuda.runtime.getDeviceProperties(0)["name"].decode()
    t0 = time.time()
    bench_overhead(cp)
    bench_stencil(cp, [100, 4096] if a.quick else [100, 4096, 16384])
    bench_shards(cp, [4096] if a.quick else [4096, 16384])
    bench_mc(cp, 10**7 if a.quick else 10**8)
    bench_sum_expr(cp, 10**7 if a.quick else 10**8)
    bench_random(cp, 10**7 if a.quick else 10**8)
    bench_matmul(cp, 2048 if a.quick else 8192)
    print(f"\narrbackend GPU benchmarks on {dev} ({time.time() - t0:.0f} s)")
    print(f"{'benchmark':<40}{'arrbackend':>11}{'cupy':>9}{'fuse':>8}{'hand':>8}{'jax':>8}"
          f"{'ratio':>8}  target")
    for r in ROWS:
        pe = r["peers"]
        ref = pe.get("hand kernel", pe.get("cupy"))
        ratio = r["arrbackend"] / ref if ref else float("nan")
        if r["name"].startswith("matmul"):
            ratio = pe["cupy"] / r["arrbackend"]
        fmt = lambda v: f"{v:.3f}" if v is not None else "-"  # noqa: E731
        print(f"{r['name']:<40}{fmt(r['arrbackend']):>11}{fmt(pe.get('cupy')):>9}"
              f"{fmt(pe.get('cupy.fuse')):>8}{fmt(pe.get('hand kernel')):>8}"
              f"{fmt(pe.get('jax jit')):>8}{ratio:>7.2f}x  {r['target'] or ''} [{r['unit']}]")
    if a.json:
        info = {"device": dev, "command": "python benchmarks/gpu_bench.py" +
                (" --quick" if a.quick else ""), "date": time.strftime("%Y-%m-%d"),
                "cupy": cp.__version__, "numpy": np.__version__,
                "python": platform.python_version(), "arrbackend": arrbackend.__version__,
                "fusion": arrbackend.settings.fusion,
                "nvidia_smi": subprocess.run(["nvidia-smi", "-L"], capture_output=True,
                                             text=True).stdout.strip(),
                "rows": ROWS}
        with open(a.json, "w") as f:
            json.dump(info, f, indent=1)


if __name__ == "__main__":
    main()
