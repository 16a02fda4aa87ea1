"""A tour of the tutorial's programs: each runs with plain NumPy and, unchanged, under
``arrbackend.enabled()``; the table shows whether they agree and how long each took.

    python examples/tour.py            # the tutorial's sizes
    python examples/tour.py --quick    # small sizes (seconds on a laptop)
    python examples/tour.py --devices cpu:4

arrbackend runs on every visible GPU, else on the CPU (``--devices`` or
``ARRBACKEND_DEVICES`` choose).  NumPy sees the same random inputs as arrbackend
(``arrbackend.testing.numpy_with_arrbackend_random``), so results compare value by value.
Each side runs each program three times: the first run warms up (compiles kernels, warms
libraries and NumPy's heap), the faster of the other two is shown.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import arrbackend                                                   # noqa: E402
from arrbackend.testing import assert_same, numpy_with_arrbackend_random  # noqa: E402

import array_basics, fluid_step, heat_stencil, image_preprocess  # noqa: E401,E402
import inplace_batches, large_sums, matrix_chain, monte_carlo_pi  # noqa: E401,E402
import safe_inverse, timing_monitor                              # noqa: E401,E402


def scenarios(quick: bool):
    s = 0.25 if quick else 1.0

    def n(x):
        return max(8, int(x * s))

    def chain():
        A, B, C = (np.random.randn(n(2000), n(2000)) for _ in range(3))
        r = matrix_chain.chain(A, B, C)
        return r, np.mean(r), np.std(r)

    def inplace():
        data = np.random.randn(n(10000), 100)
        return inplace_batches.in_place(data.copy()), inplace_batches.batched_row_norms(data)

    def monitor():
        return timing_monitor.workload(n(2000))

    def images():
        imgs = np.random.randint(0, 256, (n(100), 224, 224, 3))
        return image_preprocess.preprocess(imgs)

    return [
        ("array basics", lambda: array_basics.basics(n(1000)), 1e-9),
        ("Monte Carlo pi", lambda: monte_carlo_pi.estimate_pi(n(10_000_000)), 0),
        ("heat stencil", lambda: heat_stencil.diffuse(heat_stencil.initial_plate(n(1000)),
                                                      50), 1e-9),
        ("large sums and dot", lambda: large_sums.big_sum_and_product(n(4000), n(2000)), 1e-9),
        ("matrix chain", chain, 1e-8),
        ("in-place, out=, batches", inplace, 1e-9),
        ("timing monitor", monitor, 1e-8),
        ("linalg.inv, guarded", lambda: safe_inverse.guarded(safe_inverse.invert_random,
                                                             n(1000))[0], 1e-6),
        ("image preprocessing", images, 1e-9),
        ("fluid step (gradient)", lambda: fluid_step.simulate(n(256), 50, report=False),
         1e-9),
    ]


#: runs of each program on each side: a first one that warms up (NumPy's heap, compiled
#: kernels), then the best of the others (one timing of a program of 0.1 s on a laptop
#: varies by 2x from one run to the next)
RUNS = 3


def run(quick: bool, devices: str | None) -> int:
    with arrbackend.enabled(devices=devices):
        machine = arrbackend.current_machine()
    where = ",".join(repr(d) for d in machine.devices)
    print(f"arrbackend {arrbackend.__version__} on {where} (devices={machine.spec!r}); "
          f"NumPy {np.__version__} on the host")
    print(f"{'program':<26}{'agrees':>8}{'NumPy s':>10}{'arrbackend s':>14}{'speed-up':>10}"
          f"  device")
    failures = 0
    for name, story, rtol in scenarios(quick):
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet):
            with numpy_with_arrbackend_random():      # the same inputs, for the check
                np.random.seed(42)
                expected = story()
            t_np = t_ab = float("inf")
            for i in range(RUNS):                     # NumPy, with its own RNG: the
                np.random.seed(42)                    # first run warms up, the best of
                t0 = time.perf_counter()              # the others is timed, as below
                story()
                if i:
                    t_np = min(t_np, time.perf_counter() - t0)
            arrbackend.counters.reset()
            with arrbackend.enabled(devices=devices):
                for i in range(RUNS):
                    np.random.seed(42)
                    t0 = time.perf_counter()
                    got = story()
                    arrbackend.synchronize()
                    if i:
                        t_ab = min(t_ab, time.perf_counter() - t0)
        try:
            assert_same(got, expected, rtol=rtol, atol=rtol)
            agree = "yes"
        except AssertionError:
            agree = "NO"
            failures += 1
        fb = arrbackend.counters.fallbacks
        note = f"  ({fb} fallbacks)" if fb else ""
        print(f"{name:<26}{agree:>8}{t_np:>10.4f}{t_ab:>14.4f}{t_np / t_ab:>9.1f}x  "
              f"{where}{note}")
    return failures


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes")
    p.add_argument("--devices", default=None, help="e.g. cpu:4, gpu, gpu:0,2")
    a = p.parse_args(argv)
    return 1 if run(a.quick, a.devices) else 0


if __name__ == "__main__":
    sys.exit(main())
