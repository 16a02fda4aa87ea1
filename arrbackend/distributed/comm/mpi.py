"""CPU devices spread over several processes: MPI through mpi4py.

Every process runs the same program (control replication), so every process computes
the same list of transfers and enters the same collectives in the same order.  Before
each collective the processes compare what they are about to do (a sequence number and
the operation's name, point to point with every peer); a peer doing something else, or
not answering within ``settings.comm_timeout`` seconds, is reported as an error naming
the ranks and the operations, instead of a hang.  All traffic is non-blocking and polled
against that deadline.  The communicator works on its own duplicate of the world
communicator, so the program's own MPI messages never mix with arrbackend's.
"""
from __future__ import annotations

import pickle
import time

import numpy

from ..._counters import count
from ..._settings import settings
from . import Communicator, Transfer

__all__ = ["MpiCommunicator", "CommError", "world_allgather_obj"]

_CHECK, _DATA, _OBJ = 11, 12, 13
_MSG = 128


class CommError(RuntimeError):
    """Processes of a run disagree about a collective, or one of them stopped answering."""


class _Guard:
    """Sequence-checked, deadline-bounded point-to-point traffic on one communicator."""

    def __init__(self, comm):
        self.comm = comm.Dup()
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.seq = 0

    def _poll(self, reqs, what, peers):
        from mpi4py import MPI
        limit = settings.comm_timeout
        deadline = time.monotonic() + limit if limit > 0 else None
        while True:
            if MPI.Request.Testall(reqs):
                return
            if deadline is not None and time.monotonic() > deadline:
                missing = sorted({p for p, r in zip(peers, reqs) if not r.Test()})
                raise CommError(
                    f"arrbackend: rank {self.rank}: rank(s) {missing} did not answer in "
                    f"{what} within {limit:g} s (ARRBACKEND_COMM_TIMEOUT): a process "
                    f"died or the processes took different paths through the program")
            time.sleep(0.0002)

    def check(self, op: str) -> None:
        """Every process must be entering the same collective (``op``) now."""
        self.seq += 1
        mine = f"{self.seq}:{op}".encode()[:_MSG].ljust(_MSG)
        if self.size == 1:
            return
        sbuf = numpy.frombuffer(mine, dtype=numpy.uint8).copy()
        rbufs, reqs, peers = {}, [], []
        for r in range(self.size):
            if r == self.rank:
                continue
            rbufs[r] = numpy.empty(_MSG, numpy.uint8)
            reqs.append(self.comm.Irecv(rbufs[r], source=r, tag=_CHECK))
            peers.append(r)
        for r in range(self.size):
            if r != self.rank:
                reqs.append(self.comm.Isend(sbuf, dest=r, tag=_CHECK))
                peers.append(r)
        self._poll(reqs, f"collective #{self.seq} '{op}'", peers)
        for r, b in rbufs.items():
            theirs = bytes(b).rstrip(b" ").decode(errors="replace")
            if theirs != mine.rstrip(b" ").decode():
                raise CommError(f"arrbackend: collective mismatch: rank {self.rank} is in "
                                f"#{self.seq} '{op}' while rank {r} is in "
                                f"#{theirs.replace(':', ' ', 1)}; every process must run "
                                f"the same operations on arrbackend arrays in the same order")

    def allgather_obj(self, value, op="allgather_obj") -> list:
        self.check(op)
        data = numpy.frombuffer(pickle.dumps(value), dtype=numpy.uint8)
        lengths = {}
        reqs, peers = [], []
        n = numpy.array([data.size], dtype=numpy.int64)
        for r in range(self.size):
            if r != self.rank:
                lengths[r] = numpy.empty(1, numpy.int64)
                reqs.append(self.comm.Irecv(lengths[r], source=r, tag=_OBJ))
                peers.append(r)
                reqs.append(self.comm.Isend(n, dest=r, tag=_OBJ))
                peers.append(r)
        self._poll(reqs, f"'{op}' (sizes)", peers)
        bufs = {}
        reqs, peers = [], []
        for r in range(self.size):
            if r != self.rank:
                bufs[r] = numpy.empty(int(lengths[r][0]), numpy.uint8)
                reqs.append(self.comm.Irecv(bufs[r], source=r, tag=_OBJ))
                peers.append(r)
                reqs.append(self.comm.Isend(data, dest=r, tag=_OBJ))
                peers.append(r)
        self._poll(reqs, f"'{op}'", peers)
        return [value if r == self.rank else pickle.loads(bufs[r].tobytes())
                for r in range(self.size)]


_guards: dict = {}


def guard_for(comm) -> _Guard:
    g = _guards.get(id(comm))
    if g is None:
        g = _guards[id(comm)] = _Guard(comm)
    return g


def world_allgather_obj(value) -> list:
    """One Python value per process, from every process (the run's world communicator)."""
    from ..bootstrap import world
    w = world()
    if w.nranks == 1:
        return [value]
    if w.mpi_comm is None:
        raise CommError("arrbackend: exchanging Python values between processes needs MPI "
                        "(mpi4py); start the run with mpirun/mpiexec/srun")
    return guard_for(w.mpi_comm).allgather_obj(value)


class MpiCommunicator(Communicator):
    """CPU shards in several processes (each process owns ``cpu:N`` devices)."""

    def __init__(self, machine) -> None:
        from ..bootstrap import world
        w = world()
        if w.mpi_comm is None:
            raise CommError("arrbackend: CPU devices in several processes communicate "
                            "through MPI: install mpi4py (the 'mpi' extra) and start the "
                            "run with mpirun/mpiexec/srun")
        self.machine = machine
        self.g = guard_for(w.mpi_comm)

    def _owner(self, d: int) -> int:
        return self.machine.devices[d].rank

    def exchange(self, transfers: list[Transfer]) -> None:
        g = self.g
        g.check("exchange")
        me = g.rank
        reqs, peers, recvs, keep = [], [], [], []
        nbytes = 0
        for t in transfers:
            so, do = self._owner(t.src), self._owner(t.dst)
            if so == me and do == me:
                t.dst_array[t.dst_index] = t.src_array[t.src_index]
                continue
            if so == me:
                piece = numpy.ascontiguousarray(t.src_array[t.src_index])
                keep.append(piece)          # alive until the send completes
                reqs.append(g.comm.Isend(piece.reshape(-1).view(numpy.uint8), dest=do,
                                         tag=_DATA))
                peers.append(do)
                nbytes += piece.nbytes
            elif do == me:
                view = t.dst_array[t.dst_index]
                buf = numpy.empty(view.shape, view.dtype)
                reqs.append(g.comm.Irecv(buf.reshape(-1).view(numpy.uint8), source=so,
                                         tag=_DATA))
                peers.append(so)
                recvs.append((t, buf))
        g._poll(reqs, "'exchange' (data)", peers)
        for t, buf in recvs:
            t.dst_array[t.dst_index] = buf
        if nbytes:
            count("exchanges")
            count("exchange_bytes", nbytes)

    def allgather(self, parts: dict, what: str = "allgather") -> dict:
        g = self.g
        g.check(what)
        m = self.machine
        me = g.rank
        sample = next(iter(parts.values()))
        result = [None] * m.ndev
        for d, p in parts.items():
            result[d] = p
        reqs, peers = [], []
        for d in range(m.ndev):
            o = self._owner(d)
            if o == me:
                continue
            result[d] = numpy.empty(sample.shape, sample.dtype)
            reqs.append(g.comm.Irecv(result[d].reshape(-1).view(numpy.uint8), source=o,
                                     tag=_DATA))
            peers.append(o)
        sends = {d: numpy.ascontiguousarray(p) for d, p in parts.items()}
        for r in range(g.size):
            if r == me:
                continue
            for d in sorted(sends):
                reqs.append(g.comm.Isend(sends[d].reshape(-1).view(numpy.uint8), dest=r,
                                         tag=_DATA))
                peers.append(r)
        g._poll(reqs, "'allgather' (data)", peers)
        count("collectives")
        return {d: list(result) for d in parts}

    def allgather_obj(self, value) -> list:
        return self.g.allgather_obj(value)

    def broadcast(self, root: int, parts: dict, shape: tuple, dtype) -> dict:
        g = self.g
        g.check("broadcast")
        owner = self._owner(root)
        me = g.rank
        reqs, peers = [], []
        if owner == me:
            src = numpy.ascontiguousarray(parts[root])
            for r in range(g.size):
                if r != me:
                    reqs.append(g.comm.Isend(src.reshape(-1).view(numpy.uint8), dest=r,
                                             tag=_DATA))
                    peers.append(r)
        else:
            src = numpy.empty(shape, dtype)
            reqs.append(g.comm.Irecv(src.reshape(-1).view(numpy.uint8), source=owner,
                                     tag=_DATA))
            peers.append(owner)
        g._poll(reqs, "'broadcast' (data)", peers)
        count("collectives")
        return {d: (src if d == root else numpy.array(src, copy=True))
                for d in self.machine.local}

    def barrier(self) -> None:
        self.g.check("barrier")
