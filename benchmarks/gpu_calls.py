"""Where the host time of small GPU statements goes: per call (after warm-up), the
Python-level calls (cProfile's count) and the functions that take most of it.

    python benchmarks/gpu_calls.py [--top 12]
    python benchmarks/gpu_calls.py --devices cpu:1 --engine   # the same paths, no GPU
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
    a = p.parse_args(argv)
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


if __name__ == "__main__":
    main()
