"""Test configuration: every test that takes the ``machine`` fixture runs on ``cpu:1``,
on ``cpu:3`` (uneven splits: the split threshold is set to 0 so that even tiny arrays are
really cut across devices), on ``cpu:1-engine`` (one CPU device whose calls go through the
engine's paths, the ones a GPU takes, instead of to NumPy on the local array) and, where
CuPy finds a GPU, on ``gpu``.  The ``multi`` fixture
takes the machines of several devices and the GPU machines; with exactly one GPU it adds
``gpu:0,0,0`` (three shards on that GPU), so that every sharded GPU path runs on real GPU
memory.

``ARRBACKEND_TEST_MACHINES`` (``;`` between specs) overrides the list, e.g.
``ARRBACKEND_TEST_MACHINES='gpu;gpu:0,0,0'`` runs the whole suite on both on one GPU.
"""
from __future__ import annotations

import contextlib
import os

import numpy
import pytest

import arrbackend
from arrbackend.distributed.machine import gpu_count
from arrbackend.testing import engine_paths

if "ARRBACKEND_KERNEL_CACHE" not in os.environ:
    # compiled statements go to a folder of this run, not the user's cache
    import atexit
    import shutil
    import tempfile
    _KERNELS = tempfile.mkdtemp(prefix="arrbackend-kernels-")
    os.environ["ARRBACKEND_KERNEL_CACHE"] = _KERNELS
    atexit.register(shutil.rmtree, _KERNELS, True)


def _machines() -> list:
    env = os.environ.get("ARRBACKEND_TEST_MACHINES")
    if env:
        return [s.strip() for s in env.split(";") if s.strip()]
    specs = ["cpu:1", "cpu:3", "cpu:1-engine"]
    if gpu_count():
        specs.append("gpu")
    return specs


MACHINES = _machines()


def _multi_machines() -> list:
    specs = [s for s in MACHINES if s.removesuffix("-engine") != "cpu:1"] or list(MACHINES)
    if (gpu_count() == 1 and any(s.startswith("gpu") for s in MACHINES)
            and "gpu:0,0,0" not in specs):
        specs.append("gpu:0,0,0")
    return specs


MULTI = _multi_machines()

# tests/mpi runs under an MPI launcher: tests/test_multiprocess.py starts it that way
collect_ignore = ["mpi"] if arrbackend.world().nranks < 2 else []


@contextlib.contextmanager
def _on(spec: str):
    """The machine of a test spec, split even when tiny; ``'cpu:1-engine'`` is ``cpu:1``
    with its calls through the engine's paths (the GPU's), not handed to NumPy."""
    base = spec.removesuffix("-engine")
    with arrbackend.devices(base) as m, arrbackend.settings.override(split_bytes=0):
        if base == spec:
            yield m
        else:
            with engine_paths(m):
                yield m


@pytest.fixture(params=MACHINES)
def machine(request):
    """Arrays made inside the test live on this machine, split even when tiny."""
    with _on(request.param) as m:
        yield m


@pytest.fixture(params=MULTI)
def multi(request):
    """Machines with several devices (or the GPU), split even when tiny."""
    with _on(request.param) as m:
        yield m


@pytest.fixture(autouse=True)
def _fresh_fallback_warnings():
    from arrbackend.api.fallback import reset_warnings
    reset_warnings()
    yield


def pytest_report_header(config):
    return [f"arrbackend machines: {', '.join(MACHINES)} (several devices: "
            f"{', '.join(MULTI)}); NumPy {numpy.__version__}"]
