"""Shared set-up for the asv benchmarks.

Every benchmark class times NumPy and arrbackend side by side (``params`` has a
``backend`` axis).  GPU variants subclass a CPU benchmark and override only ``setup``
(``machine = "gpu"``); they are skipped (``NotImplementedError`` in ``setup``, asv's way)
where CuPy finds no GPU.  Every ``time_*`` ends with ``sync()`` so that asynchronous device
work is inside the measurement.
"""
import numpy

import arrbackend
from arrbackend.distributed.machine import gpu_count

#: Sizes; ``ARRBACKEND_BENCH_TINY=1`` (the CI check) makes them tiny.
import os

TINY = os.environ.get("ARRBACKEND_BENCH_TINY") == "1"


def size(n: int) -> int:
    return 8 if TINY else n


def namespace(backend: str, machine: str):
    """(array module, context manager) for a backend: NumPy, or arrbackend on a machine."""
    if backend == "numpy":
        return numpy, None
    if machine.startswith("gpu") and not gpu_count():
        raise NotImplementedError("no GPU")
    return arrbackend, arrbackend.devices(machine)


def sync(x=None):
    """Finish the work queued so far (deferred values evaluated, devices idle)."""
    if isinstance(x, arrbackend.ndarray):
        arrbackend.evaluate(x)
    arrbackend.synchronize()
