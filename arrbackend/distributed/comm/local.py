"""The in-process engine for CPU devices: every shard is a NumPy array of this process,
so a transfer is a copy."""
from __future__ import annotations

import numpy

from ..._counters import count
from . import Communicator, Transfer


class LocalCommunicator(Communicator):
    def __init__(self, machine) -> None:
        self.machine = machine

    def exchange(self, transfers: list[Transfer]) -> None:
        nbytes = 0
        for t in transfers:
            piece = t.src_array[t.src_index]
            t.dst_array[t.dst_index] = piece
            if t.src != t.dst:
                nbytes += piece.nbytes
        if nbytes:
            count("exchanges")
            count("exchange_bytes", nbytes)

    def allgather(self, parts: dict, what: str = "allgather") -> dict:
        order = [parts[d] for d in range(self.machine.ndev)]
        if self.machine.ndev > 1:
            count("collectives")
            count("exchange_bytes", sum(p.nbytes for p in order) * (self.machine.ndev - 1))
        return {d: order for d in parts}

    def allgather_obj(self, value) -> list:
        return [value]

    def broadcast(self, root: int, parts: dict, shape: tuple, dtype) -> dict:
        src = parts[root]
        out = {}
        for d in self.machine.local:
            out[d] = src if d == root else numpy.array(src, copy=True)
        if self.machine.ndev > 1:
            count("collectives")
            count("exchange_bytes", src.nbytes * (self.machine.ndev - 1))
        return out
