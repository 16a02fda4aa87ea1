"""The in-process engine: every shard belongs to this process, so a transfer is a copy.

Serves the CPU devices of one process (NumPy shards) and GPU machines that name a GPU
several times (``gpu:0,0,0``: several shards on one GPU, which NCCL refuses): there a
transfer is a device copy, and between two different GPUs of such a machine a peer copy.
"""
from __future__ import annotations

import numpy

from ..._counters import count
from . import Communicator, Transfer


def _on(dev, arr):
    """``arr`` usable on device ``dev``: itself when it is already there, else a copy
    made on ``dev`` (another GPU of the same process)."""
    if not dev.is_gpu or arr.device.id == dev.id:
        return arr
    with arr.device:
        src = dev.xp.ascontiguousarray(arr)
    with dev.activate():
        out = dev.xp.empty(arr.shape, arr.dtype)
        out.data.copy_from_device(src.data, src.nbytes)
    return out


def _copy(dev, dst, src) -> None:
    """``dst[...] = src`` on GPU ``dev`` (the current device): one asynchronous memory
    copy where both are one contiguous block on the same GPU (a halo's rows, a block of
    whole rows: a copy kernel's launch costs the host several times more), else the
    device library's assignment."""
    if (src.nbytes and dst.shape == src.shape and dst.dtype == src.dtype
            and dst.flags.c_contiguous and src.flags.c_contiguous
            and src.data.device_id == dev.id):
        dst.data.copy_from_device_async(src.data, src.nbytes)
    else:
        dst[...] = _on(dev, src)


class LocalCommunicator(Communicator):
    def __init__(self, machine) -> None:
        self.machine = machine

    def exchange(self, transfers: list[Transfer]) -> None:
        nbytes = own = 0
        devs = self.machine.devices
        gpu = self.machine.is_gpu
        for t in transfers:
            piece = t.src_array[t.src_index]
            if gpu:
                dev = devs[t.dst]
                with dev.activate():
                    _copy(dev, t.dst_array[t.dst_index], piece)
            else:                                       # (NumPy shards: a copy)
                t.dst_array[t.dst_index] = piece
            if t.src != t.dst:
                nbytes += piece.nbytes
            else:
                own += piece.nbytes
        if nbytes:
            count("exchanges")
            count("exchange_bytes", nbytes)
        if own:
            count("tile_bytes", own)

    def allgather(self, parts: dict, what: str = "allgather") -> dict:
        m = self.machine
        order = [parts[d] for d in range(m.ndev)]
        if m.ndev > 1:
            count("collectives")
            count("exchange_bytes", sum(p.nbytes for p in order) * (m.ndev - 1))
        if not m.is_gpu:
            return {d: order for d in parts}
        return {d: [_on(m.devices[d], p) for p in order] for d in parts}

    def allgather_obj(self, value, op: str = "allgather_obj") -> list:
        return [value]

    def broadcast(self, root: int, parts: dict, shape: tuple, dtype) -> dict:
        src = parts[root]
        out = {}
        for d in self.machine.local:
            dev = self.machine.devices[d]
            if d == root:
                out[d] = src
                continue
            copy = _on(dev, src)
            if copy is src:
                with dev.activate():
                    copy = dev.xp.array(src, copy=True) if dev.is_gpu else \
                        numpy.array(src, copy=True)
            out[d] = copy
        if self.machine.ndev > 1:
            count("collectives")
            count("exchange_bytes", src.nbytes * (self.machine.ndev - 1))
        return out
