"""arrbackend on one CPU device against NumPy on large arrays (the CPU baseline):
the same statements, the median of repeated runs, ratios.

    python benchmarks/cpu_bench.py [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

import arrbackend


def med(f, reps=7):
    f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def stencil(g, h):
    h[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])


CASES = [
    ("a + b, 1e7 float64", lambda xp, d: d["a"] + d["b"]),
    ("sqrt(a*a + b*b), 1e7", lambda xp, d: xp.sqrt(d["a"] * d["a"] + d["b"] * d["b"])),
    ("sum(a), 1e7", lambda xp, d: xp.sum(d["a"])),
    ("std(m, axis=0), 4000x2500", lambda xp, d: xp.std(d["m"], axis=0)),
    ("stencil step 4000^2", lambda xp, d: stencil(d["g"], d["h"])),
    ("m @ m.T, 1500^2", lambda xp, d: d["k"] @ d["k"].T),
    ("sin(m) + cos(m), 4000x2500", lambda xp, d: xp.sin(d["m"]) + xp.cos(d["m"])),
]


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--json")
    a = p.parse_args(argv)
    rng = np.random.default_rng(0)
    host = {"a": rng.random(10**7), "b": rng.random(10**7), "m": rng.random((4000, 2500)),
            "g": rng.random((4000, 4000)), "h": np.zeros((4000, 4000)),
            "k": rng.random((1500, 1500))}
    rows = []
    with arrbackend.devices("cpu:1"):
        ours = {k: arrbackend.asarray(v) for k, v in host.items()}
        for name, f in CASES:
            t_np = med(lambda: f(np, host))
            t_ab = med(lambda: arrbackend.evaluate(f(arrbackend, ours)))
            rows.append({"name": name, "numpy_s": t_np, "arrbackend_s": t_ab,
                         "ratio": t_ab / t_np})
    print(f"arrbackend on cpu:1 against NumPy ({platform.processor() or platform.machine()})")
    print(f"{'case':<30}{'NumPy ms':>10}{'arrbackend ms':>15}{'ratio':>8}")
    for r in rows:
        print(f"{r['name']:<30}{r['numpy_s'] * 1e3:>10.2f}{r['arrbackend_s'] * 1e3:>15.2f}"
              f"{r['ratio']:>8.2f}")
    if a.json:
        json.dump({"command": "python benchmarks/cpu_bench.py", "date": time.strftime("%Y-%m-%d"),
                   "numpy": np.__version__, "rows": rows}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
