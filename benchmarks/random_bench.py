"""Random numbers on the CPU: NumPy against arrbackend's default device, the same calls in
one process (under ``arrbackend.enabled()`` for arrbackend), interleaved, median of the
repetitions.  Speed-up = NumPy's time / arrbackend's.

    python benchmarks/random_bench.py [--repeat 15] [--devices cpu] [--threads N] [--json FILE]

The rows are the ones the random-number work is judged by: ``np.random.randn(4000, 4000)``,
``np.random.rand(10**7)``, ``np.random.default_rng(1).random(10**7)`` and
``np.random.randint(0, 256, 10**7)``.  arrbackend's values are computed by the compiled
CPU kernels (``arrbackend.kernels.philox_cpu``) or, where numba is missing, by the NumPy
path; the report says which, and on how many threads.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

import arrbackend

ROWS = [
    ("np.random.randn(4000, 4000)", lambda: np.random.randn(4000, 4000), 1.5),
    ("np.random.rand(10**7)", lambda: np.random.rand(10**7), 1.2),
    ("np.random.default_rng(1).random(10**7)",
     lambda: np.random.default_rng(1).random(10**7), 1.2),
    ("np.random.randint(0, 256, 10**7)", lambda: np.random.randint(0, 256, 10**7), 1.2),
]


def _ours(fn):
    def run():
        with arrbackend.enabled():
            r = fn()
        arrbackend.evaluate(r)
        arrbackend.synchronize()
    return run


def measure(repeat: int) -> list:
    rows = []
    for label, fn, target in ROWS:
        ours = _ours(fn)
        fn(), ours()                              # warm: compile, first touch of memory
        t_np, t_ab = [], []
        for _ in range(repeat):                   # interleaved: the same machine load
            t0 = time.perf_counter()
            fn()
            t1 = time.perf_counter()
            ours()
            t2 = time.perf_counter()
            t_np.append(t1 - t0)
            t_ab.append(t2 - t1)
        a, b = statistics.median(t_np), statistics.median(t_ab)
        rows.append({"case": label, "numpy_ms": a * 1e3, "arrbackend_ms": b * 1e3,
                     "speedup": a / b, "target": target})
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--devices", default=None, help="arrbackend devices (default: the default)")
    p.add_argument("--threads", default=None, help="cpu_threads (default: auto)")
    p.add_argument("--json", default=None, help="also write the results here")
    a = p.parse_args(argv)
    if a.devices:
        arrbackend.settings.devices = a.devices
    if a.threads:
        arrbackend.settings.cpu_threads = a.threads
    from arrbackend.kernels import cpu_threads, philox
    rows = measure(a.repeat)
    info = {"machine": platform.processor() or platform.machine(),
            "cores": cpu_threads.cores(), "load_average": os.getloadavg()[0],
            "numpy": np.__version__, "python": platform.python_version(),
            "path": philox.cpu_path(), "kernel_threads": cpu_threads.kernel_threads(),
            "devices": arrbackend.settings.devices, "repeat": a.repeat}
    print(f"# {info['cores']} cores, load {info['load_average']:.1f}, NumPy {info['numpy']}, "
          f"CPU path {info['path']} on {info['kernel_threads']} threads, devices "
          f"{info['devices']}, median of {a.repeat}")
    print(f"{'case':42s} {'NumPy ms':>9s} {'arrbackend ms':>14s} {'speed-up':>9s} {'target':>7s}")
    for r in rows:
        print(f"{r['case']:42s} {r['numpy_ms']:9.1f} {r['arrbackend_ms']:14.1f} "
              f"{r['speedup']:8.2f}x {r['target']:6.1f}x")
    if a.json:                  # the format of benchmarks/results (docs/make_plots.py)
        out = {"device": f"CPU, {info['cores']} cores ({info['machine']})",
               "date": time.strftime("%Y-%m-%d"),
               "command": "python benchmarks/random_bench.py" + (
                   f" --threads {a.threads}" if a.threads else ""),
               "numpy": info["numpy"], "info": info,
               "rows": [{"name": r["case"], "unit": "ms", "arrbackend": r["arrbackend_ms"],
                         "peers": {"numpy": r["numpy_ms"]},
                         "target": f">= {r['target']}x NumPy (got {r['speedup']:.2f}x)"}
                        for r in rows]}
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
