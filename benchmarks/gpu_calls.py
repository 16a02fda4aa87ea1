"""Where the host time of small GPU statements goes: per call (after warm-up), the
Python-level calls (cProfile's count) and the functions that take most of it.

    python benchmarks/gpu_calls.py [--top 12]
    python benchmarks/gpu_calls.py --devices cpu:1 --engine   # the same paths, no GPU
    python benchmarks/gpu_calls.py --floors    # first: what CuPy's own calls cost there
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import sys
import time

import numpy as np

sys.path.insert(0, ".")
import arrbackend  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--top", type=int, default=12)
    p.add_argument("--devices", default="gpu:1")
    p.add_argument("--engine", action="store_true",
                   help="one CPU device through the engine's paths (the GPU's)")
    p.add_argument("--floors", action="store_true",
                   help="first the host time of CuPy's own calls: an empty RawKernel "
                        "launch of four arguments, cupy.empty, cupy.add(out=)")
    a = p.parse_args(argv)
    if a.floors:
        floors()
    from arrbackend.testing import engine_paths
    with arrbackend.enabled(devices=a.devices):
        m = arrbackend.current_machine()
    with arrbackend.enabled(devices=a.devices), \
            (engine_paths(m) if a.engine else contextlib.nullcontext()):
        sync = m.devices[0].xp.cuda.Device().synchronize if m.is_gpu else (lambda: None)
        x, y, z = np.random.rand(1000), np.random.rand(1000), np.empty(1000)
        g, h = np.random.rand(100, 100), np.zeros((100, 100))
        cases = {
            "np.add(x, y, out=z)": lambda: np.add(x, y, out=z),
            "z[...] = x + y * 2.0": lambda: z.__setitem__(Ellipsis, x + y * 2.0),
            "stencil 100^2": lambda: h.__setitem__(
                (slice(1, -1), slice(1, -1)),
                0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])),
        }
        for name, f in cases.items():
            for _ in range(300):
                f()
            sync()
            n = 3000
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            sync()
            t = (time.perf_counter() - t0) / n
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(200):
                f()
            prof.disable()
            st = pstats.Stats(prof)
            print(f"\n== {name}: {t * 1e6:.1f} us per call, "
                  f"{st.total_calls / 200:.0f} Python-level calls")
            st.sort_stats("tottime").print_stats(a.top)


def floors(n=20000):
    """The host time per call of what a statement's launch costs at least (GPU)."""
    import cupy as cp
    k = cp.RawKernel(r"""extern "C" __global__ void f(unsigned long long o,
        unsigned long long a, unsigned long long b, const long long* P) {}""", "f")
    x, y, z, params = cp.zeros(1000), cp.zeros(1000), cp.zeros(1000), cp.zeros(8, cp.int64)
    u = np.uint64
    cases = {
        "RawKernel launch, 4 arguments": lambda: k((4,), (256,), (
            u(x.data.ptr), u(y.data.ptr), u(z.data.ptr), params)),
        "cupy.empty(1000)": lambda: cp.empty(1000),
        "cupy.add(x, y, out=z)": lambda: cp.add(x, y, out=z),
    }
    for name, f in cases.items():
        for _ in range(500):
            f()
        cp.cuda.Device().synchronize()
        t0 = time.perf_counter()
        for _ in range(n):
            f()
        cp.cuda.Device().synchronize()
        print(f"floor: {name}: {(time.perf_counter() - t0) / n * 1e6:.2f} us per call")


if __name__ == "__main__":
    main()
