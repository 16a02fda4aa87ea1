"""Counters of the things that cost: fallbacks to NumPy, copies to and from the host,
bytes exchanged between devices, gathers to one device, kernels launched.

``arrbackend.counters`` reads them (a dict-like snapshot); ``arrbackend.counters.reset()``
zeroes them.  Tests use them to prove that a program ran with no fallback and no hidden
host round-trip; the profiler attributes them to the NumPy function that caused them.
"""
from __future__ import annotations

import threading
from collections import Counter

__all__ = ["counters", "count"]

_NAMES = (
    "fallbacks",          # calls that went to NumPy through the fallback
    "host_transfers",     # implicit copies of device data to the host (np.asarray, ...)
    "host_bytes",         # their bytes
    "to_device",          # host data copied onto devices (np.array(list) under enabled)
    "to_device_bytes",
    "exchanges",          # grouped exchanges between devices that moved data
    "exchange_bytes",     # bytes moved between devices
    "tile_bytes",         # bytes a device copied from its own shards into statement tiles
    "halos",              # shards moved into an allocation with halo rows (once each)
    "collectives",        # allgather / broadcast calls
    "gathers",            # whole arrays gathered to one device (linalg, sort fallbacks)
    "statements",         # deferred statements evaluated (one per device group)
    "fused_statements",   # ... of them computed on a CPU device by one numexpr pass
    "numpy_statements",   # ... of them computed on a CPU device by NumPy's ufuncs
    "kernels",            # kernels launched by the deferred engine
    "kernels_compiled",   # kernels generated and compiled
    "syncs",              # device-to-host synchronisations for Python values
)


class _Counters:
    def __init__(self) -> None:
        self._c: Counter = Counter()
        self._lock = threading.Lock()
        self.listeners: list = []   # profilers: callables (name, amount)

    def add(self, name: str, amount: int = 1) -> None:
        self._c[name] += amount
        for fn in self.listeners:
            fn(name, amount)

    def __getitem__(self, name: str) -> int:
        if name not in _NAMES:
            raise KeyError(f"arrbackend has no counter {name!r}; counters: {', '.join(_NAMES)}")
        return self._c[name]

    def __getattr__(self, name: str) -> int:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(str(exc)) from None

    def snapshot(self) -> dict:
        return {n: self._c[n] for n in _NAMES}

    def reset(self) -> None:
        with self._lock:
            self._c.clear()

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v}" for k, v in self.snapshot().items() if v)
        return f"arrbackend.counters({body})"


counters = _Counters()
count = counters.add
