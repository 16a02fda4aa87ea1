"""The compiled CPU kernels' runtime: numba, imported on first use (``import arrbackend``
never imports it), and the number of threads a kernel runs on.

Threads: the setting ``cpu_threads`` ('auto': the cores this process may run on,
``os.sched_getaffinity``; the devices of ``cpu:N`` compute one after another, so they
never run more threads than that at once), never more than numba's pool, and fewer for
small work (``threads_for``).

numba's threading layer: unless the program chose one (``NUMBA_THREADING_LAYER``), a
fork-safe one (``forksafe``: TBB where installed, else numba's own work queue), so that a
program may fork (``multiprocessing``) after drawing random numbers; GNU OpenMP's runtime
aborts a child forked from a process that used it.  The work queue admits one parallel
kernel at a time: ``launch`` takes a lock while that layer runs.
"""
from __future__ import annotations

import os
import threading

__all__ = ["numba", "available", "cores", "setting_threads", "kernel_threads", "threads_for",
           "launch"]

_state: dict = {}
_lock = threading.Lock()
_launch_lock = threading.Lock()

#: the least work (elements) that a second thread is worth
MIN_PER_THREAD = 1 << 15


def numba():
    """The numba module, or None where it is missing or cannot be imported (a numba too
    old or too new for this NumPy); imported once."""
    if "numba" not in _state:
        with _lock:
            if "numba" not in _state:
                _state["numba"] = _import()
    return _state["numba"]


def _import():
    try:
        import numba as nb
    except Exception:  # noqa: BLE001  (ImportError, or a numba that rejects this NumPy)
        return None
    if "NUMBA_THREADING_LAYER" not in os.environ:
        nb.config.THREADING_LAYER = "forksafe"
    return nb


def available() -> bool:
    return numba() is not None


def cores() -> int:
    """The cores this process may run on (read once)."""
    n = _state.get("cores")
    if n is None:
        try:
            n = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            n = os.cpu_count() or 1
        _state["cores"] = n
    return n


def setting_threads() -> int:
    """The ``cpu_threads`` setting, resolved ('auto': the cores); numba is not imported."""
    from .._settings import settings
    value = settings.cpu_threads
    return cores() if value == "auto" else int(value)


def kernel_threads() -> int:
    """The threads one compiled CPU kernel may use (the setting, resolved)."""
    value = setting_threads()
    nb = numba()
    if nb is not None:
        value = min(value, nb.config.NUMBA_NUM_THREADS)
    return value


def threads_for(work: int) -> int:
    """Threads for a kernel over ``work`` elements: one per MIN_PER_THREAD, at most
    ``kernel_threads()``."""
    if work < 2 * MIN_PER_THREAD:
        return 1
    return max(1, min(kernel_threads(), work // MIN_PER_THREAD))


def launch(kernel, threads: int, *args):
    """Run a parallel numba kernel on ``threads`` threads."""
    nb = numba()
    nb.set_num_threads(min(threads, nb.config.NUMBA_NUM_THREADS))
    if _state.get("concurrent"):
        return kernel(*args)
    with _launch_lock:
        result = kernel(*args)
        if "concurrent" not in _state:
            _state["concurrent"] = nb.threading_layer() != "workqueue"
    return result
