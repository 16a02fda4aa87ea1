"""Device objects as the Array API standard sees them.

An arrbackend array lives on a *machine* (one or several devices that its shards are
spread over); ``x.device`` is that machine wrapped as a ``Device``.  Arrays on the same
machine can be combined; arrays on different machines raise ValueError until one is moved
with ``to_device``/``asarray(x, device=...)``.
"""
from __future__ import annotations

import numpy

from .._counters import count
from ..distributed.array import ndarray

__all__ = ["Device", "device_of", "to_device", "move_to_machine"]


class Device:
    """The devices an array is spread over (``'cpu'``, ``'cpu:3'``, ``'gpu'``, ...)."""

    __slots__ = ("machine",)

    def __init__(self, machine) -> None:
        self.machine = machine

    def __eq__(self, other) -> bool:
        if isinstance(other, Device):
            return other.machine is self.machine
        if isinstance(other, str):
            from ..distributed.machine import machine_for
            try:
                return machine_for(other) is self.machine
            except (ValueError, RuntimeError):
                return False
        return NotImplemented

    def __hash__(self) -> int:
        return id(self.machine)

    @property
    def kind(self) -> str:
        return self.machine.kind

    def __repr__(self) -> str:
        return f"arrbackend.Device({self.machine.spec!r})"

    def __str__(self) -> str:
        return self.machine.spec


_devices: dict = {}


def device_of(x) -> Device:
    m = x._store.machine
    dev = _devices.get(id(m))
    if dev is None or dev.machine is not m:
        dev = _devices[id(m)] = Device(m)
    return dev


def move_to_machine(x, machine):
    """A copy of ``x`` on another machine (through the host; counted)."""
    from ..distributed.hostio import gather, scatter
    host = numpy.asarray(gather(x, explicit=True), order="C")
    count("host_transfers")
    return ndarray._from_store(scatter(host, machine))


def to_device(x, device, stream=None):
    from ..api.creation import machine_from_device
    if device is None:
        return x
    if isinstance(device, str) and device == "cpu" and x._store.machine.kind == "cpu":
        return x
    m = machine_from_device(device, "to_device")
    if m is x._store.machine:
        return x
    return move_to_machine(x, m)
