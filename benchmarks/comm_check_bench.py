"""What the collectives' signature check costs, under an MPI launcher (CPU shards):

    mpiexec -n 3 python benchmarks/comm_check_bench.py [--json FILE]

For a small and a large reduction read back to Python (``float(x.sum())``: the engine's
exchange, the gather of the partial sums, the read of the result, three collectives), and
for the bare collectives (a signature round alone; an allgather of one float64 per
device), the time per call with ``comm_check`` on and off, interleaved in blocks, median
over the blocks, in wall-clock time and in CPU time of rank 0 (which a machine with fewer
cores than processes disturbs less).  Rank 0 prints the table (microseconds); every rank
runs every line.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy

import arrbackend as ab


def per_call(f, n: int, blocks: int) -> dict:
    """Median seconds per call of ``f`` over ``blocks`` blocks of ``n`` calls, wall clock
    and this process's CPU time, with the check on and off, the blocks interleaved."""
    out = {(on, clock): [] for on in (True, False) for clock in ("wall", "cpu")}
    for on in (True, False):
        with ab.settings.override(comm_check=on):
            f()                                                  # warm
    for _ in range(blocks):
        for on in (True, False):
            with ab.settings.override(comm_check=on):
                t0, c0 = time.perf_counter(), time.process_time()
                for _ in range(n):
                    f()
                out[on, "wall"].append((time.perf_counter() - t0) / n)
                out[on, "cpu"].append((time.process_time() - c0) / n)
    return {k: float(numpy.median(ts)) for k, ts in out.items()}


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--json")
    p.add_argument("--blocks", type=int, default=7)
    a = p.parse_args(argv)
    m = ab.current_machine()
    comm = m.comm
    with ab.settings.override(split_bytes=0):
        small = ab.arange(3000.0)                    # 1000 elements per process
        large = ab.arange(float(3 * 10**6))          # 8 MB per process
        part = {d: numpy.ones(1) for d in m.local}
        cases = [
            ("signature round alone", lambda: comm.g.enter("bench"), 2000),
            ("allgather of 8 bytes per device", lambda: comm.allgather(part, "bench"), 1000),
            ("float(x.sum()), 3000 float64", lambda: float(small.sum()), 300),
            ("float(x.sum()), 3e6 float64", lambda: float(large.sum()), 30),
        ]
        rows = []
        for name, f, n in cases:
            t = per_call(f, n, a.blocks)
            rows.append({"case": name} | {
                f"{clock}_{label}_us": t[on, clock] * 1e6
                for clock in ("wall", "cpu") for on, label in ((True, "on"), (False, "off"))})
    if ab.rank() == 0:
        print(f"{ab.world_size()} processes, {m.spec} each, {os.cpu_count()} CPU cores; "
              f"median of {a.blocks} blocks; microseconds per call, wall clock and rank "
              f"0's CPU time, with the check on and off")
        print(f"{'case':<34}{'wall on':>9}{'off':>8}{'cost':>8}{'cpu on':>9}{'off':>8}"
              f"{'cost':>8}")
        for r in rows:
            print(f"{r['case']:<34}" + "".join(
                f"{r[f'{c}_on_us']:>{9 if c == 'cpu' else 9}.1f}{r[f'{c}_off_us']:>8.1f}"
                f"{r[f'{c}_on_us'] - r[f'{c}_off_us']:>8.1f}" for c in ("wall", "cpu")))
        if a.json:
            with open(a.json, "w") as fh:
                json.dump({"processes": ab.world_size(), "devices": m.spec, "rows": rows},
                          fh, indent=1)


if __name__ == "__main__":
    main()
