"""arrbackend on the CPU against NumPy, as a new user tries it: the same NumPy statements
run on NumPy arrays and, under ``arrbackend.enabled()``, on arrbackend arrays of the
default device, side by side in one process.  Speed-up = NumPy's time / arrbackend's.

    python benchmarks/cpu_bench.py [--json FILE] [--quick] [--devices cpu:2]

Times are the best of several repetitions of a loop of calls (small cases) or of single
calls (large cases); every arrbackend call ends with its values computed
(``arrbackend.evaluate``), so deferred work is counted.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

import arrbackend


def best(f, number, repeat=5):
    f()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            f()
        ts.append((time.perf_counter() - t0) / number)
    return min(ts)


def stencil(g, h):
    h[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])


def cases(quick: bool):
    big = 1000 if quick else 4000
    return [
        ("stencil step 100^2", lambda: {"g": np.random.rand(100, 100), "h": np.zeros((100, 100))},
         lambda d: stencil(d["g"], d["h"]), 200),
        ("stencil step 1000^2", lambda: {"g": np.random.rand(1000, 1000),
                                          "h": np.zeros((1000, 1000))},
         lambda d: stencil(d["g"], d["h"]), 3),
        (f"stencil step {big}^2", lambda: {"g": np.random.rand(big, big), "h": np.zeros((big, big))},
         lambda d: stencil(d["g"], d["h"]), 1),
        ("a * b + np.sin(a), 1,000", lambda: {"a": np.random.rand(1000), "b": np.random.rand(1000)},
         lambda d: d["a"] * d["b"] + np.sin(d["a"]), 500),
        ("a * b + np.sin(a), 10^6", lambda: {"a": np.random.rand(10**6), "b": np.random.rand(10**6)},
         lambda d: d["a"] * d["b"] + np.sin(d["a"]), 3),
        ("np.sum(a), 1,000", lambda: {"a": np.random.rand(1000)}, lambda d: np.sum(d["a"]), 1000),
        ("np.sum(a), 10^6", lambda: {"a": np.random.rand(10**6)}, lambda d: np.sum(d["a"]), 10),
        ("np.add(a, b, out=z), 1,000", lambda: {"a": np.random.rand(1000), "b": np.random.rand(1000),
                                                "z": np.empty(1000)},
         lambda d: np.add(d["a"], d["b"], out=d["z"]), 1000),
        ("z[...] = a + b * 2.0, 1,000", lambda: {"a": np.random.rand(1000),
                                                 "b": np.random.rand(1000), "z": np.empty(1000)},
         lambda d: d["z"].__setitem__(Ellipsis, d["a"] + d["b"] * 2.0), 1000),
    ]


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--json")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--devices", default=None)
    a = p.parse_args(argv)
    rows = []
    for name, make, run, number in cases(a.quick):
        np.random.seed(0)
        host = make()
        t_np = best(lambda: run(host), number)
        with arrbackend.enabled(devices=a.devices):
            ours = {k: np.asarray(v) for k, v in host.items()}
            t_ab = best(lambda: arrbackend.evaluate(run(ours)), number)
            where = str(arrbackend.current_machine().spec)
        rows.append({"name": name, "numpy_s": t_np, "arrbackend_s": t_ab,
                     "speedup": t_np / t_ab})
    print(f"arrbackend on {where} against NumPy {np.__version__} "
          f"({os.cpu_count()} CPUs, {platform.machine()})")
    print(f"{'case':<30}{'NumPy':>12}{'arrbackend':>12}{'speed-up':>10}")
    for r in rows:
        print(f"{r['name']:<30}{r['numpy_s'] * 1e6:>10.1f}us{r['arrbackend_s'] * 1e6:>10.1f}us"
              f"{r['speedup']:>9.2f}x")
    if a.json:
        # (the format of the other results files: docs/make_plots.py draws it)
        cmd = "python benchmarks/cpu_bench.py" + (" --quick" if a.quick else "") + \
            (f" --devices {a.devices}" if a.devices else "")
        with open(a.json, "w") as f:
            json.dump({"device": f"CPU, {os.cpu_count()} cores ({platform.machine()}), "
                                 f"arrbackend on {where}",
                       "date": time.strftime("%Y-%m-%d"), "command": cmd,
                       "numpy": np.__version__,
                       "rows": [{"name": r["name"], "unit": "us",
                                 "arrbackend": r["arrbackend_s"] * 1e6,
                                 "peers": {"numpy": r["numpy_s"] * 1e6},
                                 "target": f"got {r['speedup']:.2f}x NumPy"} for r in rows]},
                      f, indent=1)


if __name__ == "__main__":
    main()
