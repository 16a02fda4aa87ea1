"""Common NumPy calls on small arrays (1,000 elements, a 64x64 matrix), NumPy against
arrbackend on the default CPU device, side by side in one process: the first thing a new
user times.  Each call is a loop of many calls; the best of several loops is shown, with
the ratio NumPy's time / arrbackend's (above 1: arrbackend is faster).

    python benchmarks/cpu_small.py [--json FILE] [--number 2000]

On a small machine the host's load moves single figures by 20-50 %: compare the ratios of
one run, and rerun a row that looks odd.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy

import arrbackend

from cpu_bench import best      # (this folder: the same timing as the statement table)


def calls(np, n: int = 1000) -> dict:
    """name -> a call of no argument, over arrays made by ``np`` (NumPy, or NumPy under
    ``enabled()``: arrbackend)."""
    a, b = np.linspace(0.0, 1.0, n), np.linspace(1.0, 2.0, n)
    m = np.linspace(0.0, 1.0, 64 * 64).reshape(64, 64)
    i = np.arange(n) % 7
    mask = a > 0.5
    return {
        "np.zeros(n)": lambda: np.zeros(n),
        "np.arange(n)": lambda: np.arange(n),
        "np.linspace(0, 1, n)": lambda: np.linspace(0, 1, n),
        "np.zeros_like(a)": lambda: np.zeros_like(a),
        "a.copy()": lambda: a.copy(),
        "a.astype(np.float32)": lambda: a.astype(np.float32),
        "m.T": lambda: m.T,
        "m.reshape(-1)": lambda: m.reshape(-1),
        "a[2:-2]": lambda: a[2:-2],
        "a[i]": lambda: a[i],
        "a[mask]": lambda: a[mask],
        "a[i] = 1.0": lambda: a.__setitem__(i, 1.0),
        "a + 1.0": lambda: a + 1.0,
        "a * b + np.sin(a)": lambda: a * b + np.sin(a),
        "np.sqrt(a)": lambda: np.sqrt(a),
        "a.sum()": lambda: a.sum(),
        "np.mean(a)": lambda: np.mean(a),
        "a.argmax()": lambda: a.argmax(),
        "m.sum(axis=0)": lambda: m.sum(axis=0),
        "np.dot(a, b)": lambda: np.dot(a, b),
        "m @ m": lambda: m @ m,
        "np.where(mask, a, b)": lambda: np.where(mask, a, b),
        "np.concatenate([a, b])": lambda: np.concatenate([a, b]),
        "np.sort(a)": lambda: np.sort(a),
        "np.cumsum(a)": lambda: np.cumsum(a),
        "float(a[3])": lambda: float(a[3]),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json")
    p.add_argument("--number", type=int, default=2000)
    args = p.parse_args(argv)
    ref = {k: best(f, args.number) for k, f in calls(numpy).items()}
    with arrbackend.enabled():
        import numpy as np          # (the user's NumPy, under enabled())
        ours = {k: best(f, args.number) for k, f in calls(np).items()}
        where = str(arrbackend.current_machine().spec)
    print(f"arrbackend on {where} against NumPy {numpy.__version__} "
          f"({os.cpu_count()} CPUs, {platform.machine()}); best of 5 loops of {args.number}")
    print(f"{'call':<26}{'NumPy':>10}{'arrbackend':>12}{'ratio':>8}")
    for k in ref:
        print(f"{k:<26}{ref[k] * 1e6:>8.2f}us{ours[k] * 1e6:>10.2f}us{ref[k] / ours[k]:>7.2f}x")
    if args.json:
        cmd = "python benchmarks/cpu_small.py"
        with open(args.json, "w") as f:
            json.dump({"device": f"CPU, {os.cpu_count()} cores ({platform.machine()}), "
                                 f"arrbackend on {where}",
                       "date": time.strftime("%Y-%m-%d"), "command": cmd,
                       "numpy": numpy.__version__,
                       "rows": [{"name": k, "unit": "us", "arrbackend": ours[k] * 1e6,
                                 "peers": {"numpy": ref[k] * 1e6},
                                 "target": f"got {ref[k] / ours[k]:.2f}x NumPy"}
                                for k in ref]}, f, indent=1)


if __name__ == "__main__":
    main()
