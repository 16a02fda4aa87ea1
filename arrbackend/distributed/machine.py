"""Devices and machines.

A *machine* is the ordered list of devices that arrays are spread over, across all the
processes of a run.  Each device belongs to one process (its ``rank``); the devices of
this process are the machine's *local* devices.  In a single process every device is local.

``cpu:N`` gives N virtual CPU devices holding NumPy shards (the distributed engine, tested
on a laptop); ``gpu`` / ``gpu:N`` / ``gpu:0,2`` give CuPy shards; ``gpu:0,0,0`` names one
GPU three times: three shards on it, moved by device copies (the sharded GPU engine, run
on one GPU).  CuPy is imported on the
first use of a GPU machine, never by ``import arrbackend``.
"""
from __future__ import annotations

import contextlib
import contextvars
import threading
from typing import Iterator, Sequence

import numpy

from .._settings import settings
from . import bootstrap
from .layout import Layout

__all__ = ["Device", "Machine", "parse_devices", "current_machine", "use_machine",
           "gpu_count", "cupy_module"]


_cupy = None
_cupy_error: str | None = None


def cupy_module():
    """CuPy, imported on first use; None (with the reason kept) if it cannot be used."""
    global _cupy, _cupy_error
    if _cupy is None and _cupy_error is None:
        try:
            import cupy  # noqa: PLC0415  (imported lazily on purpose)
            cupy.cuda.runtime.getDeviceCount()
            _cupy = cupy
        except Exception as exc:  # no CuPy, no driver, no device: all mean "no GPU"
            _cupy_error = f"{type(exc).__name__}: {exc}"
    return _cupy


def gpu_count() -> int:
    """Number of GPUs this process can see (0 without CuPy or a driver)."""
    cp = cupy_module()
    if cp is None:
        return 0
    try:
        return int(cp.cuda.runtime.getDeviceCount())
    except Exception:
        return 0


def gpu_unavailable_reason() -> str | None:
    cupy_module()
    return _cupy_error


_NULL = contextlib.nullcontext()


class Device:
    """One device of a machine: a virtual CPU device or one GPU."""

    __slots__ = ("kind", "id", "index", "rank", "xp", "lean", "single", "is_gpu",
                 "_cupy_device")

    def __init__(self, kind: str, id: int, index: int, rank: int = 0):
        self.kind = kind
        # the operators call NumPy on this device's arrays directly (a CPU device of a
        # one-process machine: no other process takes part in what happens here)
        self.lean = False
        self.single = Layout.single(index)      # the layout of an array held here whole
        self.is_gpu = kind == "gpu"
        self.id = id
        self.index = index
        self.rank = rank
        self._cupy_device = None
        if kind == "cpu":
            self.xp = numpy
        else:
            cp = cupy_module()
            if cp is None:
                raise RuntimeError(
                    f"arrbackend: device gpu:{id} was asked for but no GPU can be used "
                    f"({gpu_unavailable_reason()}); install the 'cuda12' or 'cuda13' extra "
                    f"or choose ARRBACKEND_DEVICES=cpu")
            self.xp = cp
            self._cupy_device = cp.cuda.Device(id)

    def activate(self):
        """Context manager making this device current for CuPy calls (no-op on CPU)."""
        if self._cupy_device is None:
            return _NULL
        return self._cupy_device

    def __repr__(self) -> str:
        return f"{self.kind}:{self.id}"


class Machine:
    """The ordered devices arrays are spread over, and the communicator between them."""

    def __init__(self, devices: Sequence[Device], spec: str, rank: int = 0, nranks: int = 1):
        self.devices = tuple(devices)
        self.spec = spec
        self.rank = rank
        self.nranks = nranks
        kinds = {d.kind for d in self.devices}
        if len(kinds) != 1:
            raise ValueError(f"arrbackend: a machine holds one kind of device, got {spec!r}")
        self.kind = kinds.pop()
        self.is_gpu = self.kind == "gpu"
        self.ndev = len(self.devices)
        self.local = tuple(d.index for d in self.devices if d.rank == rank)
        # one process's CPU devices hand calls to NumPy on their local arrays (the lean
        # and local paths); ``shortcuts`` off sends them through the engine, as on a GPU
        self.shortcuts = self.kind == "cpu" and nranks == 1
        for d in self.devices:
            d.lean = self.shortcuts
        if self.kind == "gpu" and all(self.devices[d].id == 0 for d in self.local):
            # this process drives only the default GPU (once, or several shards on it as
            # in 'gpu:0,0,0'): no device switch per call
            for d in self.local:
                self.devices[d]._cupy_device = None
        self._comm = None
        self._lock = threading.Lock()

    @property
    def comm(self):
        """The communicator between this machine's devices (created on first use)."""
        if self._comm is None:
            with self._lock:
                if self._comm is None:
                    from .comm import make_communicator
                    self._comm = make_communicator(self)
        return self._comm

    def is_local(self, index: int) -> bool:
        return self.devices[index].rank == self.rank

    def __repr__(self) -> str:
        return f"Machine({self.spec!r}, devices={list(self.devices)})"


# ---------------------------------------------------------------------------------------
# Parsing device specifications

def parse_devices(spec: str) -> tuple[str, list[int]]:
    """``'cpu:3'`` -> ('cpu', [0, 1, 2]); ``'gpu:0,2'`` -> ('gpu', [0, 2]);
    ``'gpu:0,0,0'`` -> ('gpu', [0, 0, 0]) (three shards on GPU 0); ``'auto'`` -> every
    visible GPU, else one CPU device."""
    if not isinstance(spec, str):
        raise TypeError(f"devices: expected a string such as 'cpu:3' or 'gpu', got "
                        f"{type(spec).__name__}")
    text = spec.strip().lower()
    if text in ("auto", ""):
        n = gpu_count()
        return ("gpu", list(range(n))) if n else ("cpu", [0])
    kind, _, rest = text.partition(":")
    if kind not in ("cpu", "gpu"):
        raise ValueError(f"devices: unknown device kind {kind!r} in {spec!r}; use 'cpu', "
                         f"'cpu:N', 'gpu', 'gpu:N' or 'gpu:0,2'")
    try:
        if rest == "":
            ids = list(range(gpu_count() if kind == "gpu" else 1))
        elif "," in rest:
            ids = [int(p) for p in rest.split(",") if p.strip() != ""]
        else:
            ids = list(range(int(rest)))
    except ValueError:
        raise ValueError(f"devices: cannot read {spec!r}; use 'cpu:N', 'gpu:N' or "
                         f"'gpu:0,2'") from None
    if not ids or any(i < 0 for i in ids):
        raise ValueError(f"devices: {spec!r} names no devices")
    if kind == "cpu" and len(set(ids)) != len(ids):
        raise ValueError(f"devices: {spec!r} repeats a CPU device; CPU devices are virtual: "
                         f"'cpu:{len(ids)}' gives {len(ids)} of them")
    if kind == "gpu":
        n = gpu_count()
        if n == 0:
            raise RuntimeError(f"devices: {spec!r} asks for GPUs but none can be used "
                               f"({gpu_unavailable_reason()})")
        bad = [i for i in ids if i >= n]
        if bad:
            raise ValueError(f"devices: {spec!r} names GPU {bad[0]} but only {n} "
                             f"GPU(s) are visible")
    return kind, ids


_machines: dict[str, Machine] = {}
_machines_lock = threading.Lock()


_by_spec: dict = {}      # specification text -> (world, its machine)


def machine_for(spec: str) -> Machine:
    """The machine for a specification (one object per distinct machine)."""
    world = bootstrap.world()
    hit = _by_spec.get(spec) if type(spec) is str else None
    if hit is not None and hit[0] is world:
        return hit[1]       # (every creation call asks: parsing 'auto' costs microseconds)
    kind, ids = parse_devices(spec)
    key = f"{kind}:{','.join(map(str, ids))}@{world.nranks}"
    with _machines_lock:
        m = _machines.get(key)
        if m is None:
            m = bootstrap.build_machine(kind, ids, spec, world)
            _machines[key] = m
        if len(_by_spec) < 256:
            _by_spec[spec] = (world, m)
        return m


_active: contextvars.ContextVar[Machine | None] = contextvars.ContextVar(
    "arrbackend_machine", default=None)


def current_machine() -> Machine:
    """The machine new arrays are created on: the innermost ``enabled(devices=...)`` /
    ``use_machine``, else ``ARRBACKEND_DEVICES`` (default 'auto')."""
    m = _active.get()
    if m is None:
        m = machine_for(settings.devices)
    return m


@contextlib.contextmanager
def use_machine(spec: str | Machine | None) -> Iterator[Machine]:
    """Make ``spec`` the current machine inside the block (None keeps the current one)."""
    if spec is None:
        yield current_machine()
        return
    m = spec if isinstance(spec, Machine) else machine_for(spec)
    token = _active.set(m)
    try:
        yield m
    finally:
        _active.reset(token)
