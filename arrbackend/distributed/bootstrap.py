"""Which process am I, how many are there, and which devices does each own.

A single process (plain ``python``) owns every device of its machine.  Runs under a
launcher (``mpirun``, ``srun``, torchrun-style variables) are described by a ``World``
with several ranks; each rank owns the devices it drives, and the machine lists the
devices of all ranks in rank order.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["World", "world", "build_machine", "init", "rank", "world_size", "print_once"]


@dataclass
class World:
    rank: int = 0
    nranks: int = 1
    local_rank: int = 0
    local_size: int = 1
    source: str = "single process"
    mpi_comm: Any = None
    extra: dict = field(default_factory=dict)


_world: World | None = None
_lock = threading.Lock()


def world() -> World:
    """The processes of this run (computed once; ``init`` may set it explicitly first)."""
    global _world
    if _world is None:
        with _lock:
            if _world is None:
                _world = _detect()
    return _world


def rank() -> int:
    """This process's rank in the run: 0 to ``world_size() - 1`` (0 in a single process).

    Every process runs the whole program and must call every array operation; use the
    rank only for what one process does alone, such as printing or writing a file::

        total = float(np.sum(a))        # every rank computes it
        if arrbackend.rank() == 0:
            print(total)                # one rank prints it
    """
    return world().rank


def world_size() -> int:
    """The number of processes of the run (1 in a single process)."""
    return world().nranks


def print_once(*values, rank: int = 0, **kwargs) -> None:
    """``print(*values, **kwargs)`` on one process (``rank``, default 0).  Every process
    converts the values to text (an array's values are read by every process, as the
    rule "every rank calls every array operation" asks), then one prints them."""
    text = [str(v) for v in values]
    if world().rank == rank:
        print(*text, **kwargs)


def init(rank: int | None = None, nranks: int | None = None,
         local_rank: int | None = None, mpi_comm: Any = None) -> World:
    """Describe the processes of this run explicitly (before any array is made)."""
    global _world
    with _lock:
        if mpi_comm is not None:
            _world = World(rank=mpi_comm.Get_rank(), nranks=mpi_comm.Get_size(),
                           local_rank=local_rank if local_rank is not None else 0,
                           source="arrbackend.init(mpi_comm)", mpi_comm=mpi_comm)
            if _world.nranks > 1:
                from .failures import install
                install()
        else:
            _world = World(rank=rank or 0, nranks=nranks or 1,
                           local_rank=local_rank if local_rank is not None else (rank or 0),
                           source="arrbackend.init")
        return _world


def _detect() -> World:
    from . import launcher
    return launcher.detect_world()


def build_machine(kind: str, ids: list[int], spec: str, w: World):
    """The machine for device ids ``ids`` of this process, in a run described by ``w``."""
    from .machine import Device, Machine
    if w.nranks == 1:
        devices = [Device(kind, i, index=k, rank=0) for k, i in enumerate(ids)]
        return Machine(devices, spec, rank=0, nranks=1)
    from . import launcher
    return launcher.build_multiprocess_machine(kind, ids, spec, w)
