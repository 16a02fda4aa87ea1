"""Communicators: how bytes move between the shards of a machine.

One interface, several engines:

* ``LocalCommunicator``: CPU devices of one process (plain copies);
* ``NcclCommunicator``: GPUs through ``cupy.cuda.nccl`` (one process: ``initAll``; several
  processes: a unique id from the bootstrap), calls grouped with ``groupStart/groupEnd``;
* ``MpiCommunicator``: CPU devices spread over several processes, through ``mpi4py``.

Every engine offers the same four collectives, entered by every process of the run:

* ``exchange(transfers)``: grouped point-to-point copies, each ``Transfer`` moving
  ``src_shard[src_index]`` of device ``src`` into ``dst_buf[dst_index]`` of device ``dst``;
* ``allgather(parts)``: every device's array (same shape on every device) to every device;
* ``allgather_obj(value, op)``: small Python values (counts, shapes) from every process;
* ``broadcast(root, array)``: one device's array to every device.

Between processes every collective carries a signature that the processes compare before
they mix data, and waits at most ``settings.comm_timeout`` seconds (``check.py``).

Bytes moved between devices are counted in ``arrbackend.counters``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .check import CommError

__all__ = ["Transfer", "Communicator", "CommError", "make_communicator"]


@dataclass
class Transfer:
    src: int                 # device index of the source
    src_array: Any           # the source shard (None where the source is not local)
    src_index: tuple         # basic index into the source shard
    dst: int                 # device index of the destination
    dst_array: Any           # the destination buffer (None where it is not local)
    dst_index: tuple         # basic index into the destination buffer


class Communicator:
    """Base class: engines implement the collectives below."""

    machine: Any

    def exchange(self, transfers: list[Transfer]) -> None:
        raise NotImplementedError

    def allgather(self, parts: dict, what: str = "allgather") -> dict:
        """``parts[d]`` for each local device d -> ``{d: [part of device 0, 1, ...]}``.
        ``what`` names the operation (processes compare it with the parts' dtype and
        shape: see ``check.py``)."""
        raise NotImplementedError

    def allgather_obj(self, value, op: str = "allgather_obj") -> list:
        """One small Python value per process -> the list of all, in rank order.
        ``op`` names the operation (processes compare it)."""
        raise NotImplementedError

    def note(self, text: str) -> None:
        """A reduction computed without moving data; between processes it becomes part of
        the next collective's signature (``check.Checker.note``)."""

    def broadcast(self, root: int, parts: dict, shape: tuple, dtype) -> dict:
        """``parts[root]`` (where local) to every local device: ``{d: array}``."""
        raise NotImplementedError

    def barrier(self) -> None:
        pass


def make_communicator(machine) -> Communicator:
    ids = [d.id for d in machine.devices]
    if machine.kind == "gpu" and (machine.nranks > 1 or len(set(ids)) == len(ids)):
        from .nccl import NcclCommunicator
        return NcclCommunicator(machine)
    if machine.nranks > 1:
        from .mpi import MpiCommunicator
        return MpiCommunicator(machine)
    # CPU devices of one process, or one process naming a GPU several times (gpu:0,0,0:
    # NCCL refuses two ranks on one GPU): copies in place of messages
    from .local import LocalCommunicator
    return LocalCommunicator(machine)
