"""The asv benchmark suite is importable and every benchmark runs once on tiny sizes
(GPU variants where a GPU is present)."""
from __future__ import annotations

import importlib
import inspect
import itertools
import os
import sys

import pytest

from arrbackend.distributed.machine import gpu_count

ROOT = os.path.join(os.path.dirname(__file__), os.pardir)


def _benchmarks():
    sys.path.insert(0, os.path.join(ROOT, "asv_bench"))
    os.environ["ARRBACKEND_BENCH_TINY"] = "1"
    for module in ("benchmarks.bench_core", "benchmarks.bench_random",
                   "benchmarks.bench_calls"):
        mod = importlib.import_module(module)
        for name, cls in inspect.getmembers(mod, inspect.isclass):
            if cls.__module__ != mod.__name__ or name.startswith("_"):
                continue
            methods = [m for m in dir(cls) if m.startswith(("time_", "track_", "timeraw_"))]
            if methods:
                yield name, cls, methods


@pytest.mark.parametrize("name,cls,methods", list(_benchmarks()), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_benchmark_runs_once(name, cls, methods):
    params = getattr(cls, "params", [])
    if params and not isinstance(params[0], (list, tuple)):
        params = [params]
    combos = list(itertools.product(*params)) if params else [()]
    ran = 0
    for combo in combos:
        bench = cls()
        try:
            if hasattr(bench, "setup"):
                bench.setup(*combo)
        except NotImplementedError as exc:   # asv's way of skipping: only for no GPU
            if str(exc) != "no GPU" or gpu_count():
                raise
            continue
        try:
            for m in methods:
                r = getattr(bench, m)(*combo)
                if m.startswith("timeraw_"):
                    assert isinstance(r, str)
                elif m.startswith("track_"):
                    assert isinstance(r, (int, float))
                ran += 1
        finally:
            if hasattr(bench, "teardown"):
                bench.teardown(*combo)
    if not name.endswith("GPU") or gpu_count():
        assert ran > 0
