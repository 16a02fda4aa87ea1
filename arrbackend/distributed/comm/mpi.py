"""CPU devices spread over several processes: MPI through mpi4py.

Every process runs the same program (control replication), so every process computes
the same list of transfers and enters the same collectives in the same order.  Before
each collective the processes compare its signature (``check.Checker``: sequence number,
operation, dtype, shape), point to point with every peer; a peer doing something else,
or not answering within ``settings.comm_timeout`` seconds, is reported as a ``CommError``
naming the ranks and the operations, instead of a wrong number or a hang.  All traffic is
non-blocking and polled against that deadline without burning a core.  The communicator
works on its own duplicate of the world communicator, so the program's own MPI messages
never mix with arrbackend's.  A process whose program ends tells its peers, so that one
still waiting in a collective reports it at once.
"""
from __future__ import annotations

import atexit
import pickle

import numpy

from ..._counters import count
from . import Communicator, Transfer
from .check import END, Checker, CommError, _Missing, deadline, wait_for

__all__ = ["MpiCommunicator", "CommError", "MpiChecker", "guard_for", "world_allgather_obj"]

_CHECK, _DATA, _OBJ, _DETAIL = 11, 12, 13, 14


class MpiChecker(Checker):
    """Signature-checked, deadline-bounded point-to-point traffic on one communicator
    (a duplicate of ``comm``)."""

    def __init__(self, comm):
        super().__init__(comm.Get_rank(), comm.Get_size())
        self.comm = comm.Dup()
        self._stale: list = []        # requests left pending by a timeout

    def _swap(self, payload, what, detail, among=None) -> dict:
        tag = _DETAIL if detail else _CHECK
        peers = [r for r in range(self.size) if r != self.rank and
                 (among is None or r in among)]
        bufs = {r: numpy.empty_like(payload) for r in peers}
        recvs = [self.comm.Irecv(bufs[r], source=r, tag=tag) for r in peers]
        sends = [self.comm.Isend(payload, dest=r, tag=tag) for r in peers]
        self.poll(recvs + sends, peers + peers, None)
        return bufs

    def poll(self, reqs: list, peers: list, what: str | None) -> None:
        """Wait for ``reqs`` (``peers[i]``: the rank of ``reqs[i]``) until the deadline;
        ``what`` names the data phase of the current collective (None: the check)."""
        from mpi4py import MPI
        if wait_for(lambda: MPI.Request.Testall(reqs), deadline()):
            return
        missing = sorted({p for p, r in zip(peers, reqs) if not r.Test()})
        for r in reqs:
            if r != MPI.REQUEST_NULL:
                self._stale.append(r)
        if what is None:
            raise _Missing(missing)
        raise self.timed_out(missing, what)

    def begin(self, op: str, dtype=None, shape=None):
        """Start collective ``op``: its signature row goes to every peer now, together
        with the data the caller posts next; ``finish`` judges it before the data is
        used.  (One round of messages, not two.)"""
        sig = self.begin_signature(op, dtype, shape)
        if sig is None:
            return None
        payload = sig[0].view(numpy.uint8)
        peers = [r for r in range(self.size) if r != self.rank]
        bufs = {r: numpy.empty_like(payload) for r in peers}
        reqs = [self.comm.Irecv(bufs[r], source=r, tag=_CHECK) for r in peers]
        reqs += [self.comm.Isend(payload, dest=r, tag=_CHECK) for r in peers]
        return sig, peers, bufs, reqs

    def finish(self, pending, reqs: list, peers: list) -> None:
        """Wait for the signatures started by ``begin`` and judge them, then for the
        data requests ``reqs`` (``peers``: their ranks).  After a mismatch the data
        posted may have met another collective's: the requests are cancelled."""
        if pending is not None:
            sig, speers, bufs, sreqs = pending
            try:
                self.poll(sreqs, speers + speers, None)
            except _Missing as exc:
                self._stale.extend(reqs)
                raise self.timed_out(exc.peers, "arrive") from None
            try:
                self.judge(sig, bufs)
            except CommError:
                self._stale.extend(reqs)
                self._abort()
                raise
        self.poll(reqs, peers, "exchange its data")
        self.completed()

    def _abort(self) -> None:
        for r in self._stale:
            try:
                r.Cancel()
            except Exception:  # noqa: BLE001  (a send that cannot be cancelled)
                pass
        self._stale = []

    def end(self) -> None:
        """Tell every peer this program has ended (a peer still in a collective raises)."""
        if self.broken is not None or self.size == 1:
            return
        row = numpy.array([self.seq + 1, 0, END, 0], numpy.int64).view(numpy.uint8)
        reqs = [self.comm.Isend(row, dest=r, tag=_CHECK)
                for r in range(self.size) if r != self.rank]
        from mpi4py import MPI
        wait_for(lambda: MPI.Request.Testall(reqs), deadline())

    def allgather_obj(self, value, op="allgather_obj") -> list:
        pending = self.begin(op)
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
        self.finish(pending, reqs, peers)
        bufs = {}
        reqs, peers = [], []
        for r in range(self.size):
            if r != self.rank:
                bufs[r] = numpy.empty(int(lengths[r][0]), numpy.uint8)
                reqs.append(self.comm.Irecv(bufs[r], source=r, tag=_OBJ))
                peers.append(r)
                reqs.append(self.comm.Isend(data, dest=r, tag=_OBJ))
                peers.append(r)
        self.poll(reqs, peers, "exchange its data")
        return [value if r == self.rank else pickle.loads(bufs[r].tobytes())
                for r in range(self.size)]


_guards: dict = {}


def _end_all() -> None:
    for g in list(_guards.values()):
        try:
            g.end()
        except Exception:  # noqa: BLE001  (MPI already finalized: nothing to tell)
            pass


def guard_for(comm) -> MpiChecker:
    """The checker of MPI communicator ``comm`` (one per communicator, so that every
    machine of a run shares one sequence of collectives)."""
    g = _guards.get(id(comm))
    if g is None:
        if not _guards:
            atexit.register(_end_all)
        g = _guards[id(comm)] = MpiChecker(comm)
    return g


def world_allgather_obj(value, op="allgather_obj") -> list:
    """One Python value per process, from every process (the run's world communicator)."""
    from ..bootstrap import world
    w = world()
    if w.nranks == 1:
        return [value]
    if w.mpi_comm is None:
        raise CommError("arrbackend: exchanging Python values between processes needs MPI "
                        "(mpi4py); start the run with mpirun/mpiexec/srun")
    return guard_for(w.mpi_comm).allgather_obj(value, op)


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
        pending = g.begin("exchange")
        me = g.rank
        reqs, peers, recvs, keep = [], [], [], []
        nbytes = 0
        for t in transfers:
            so, do = self._owner(t.src), self._owner(t.dst)
            if so == me and do == me:
                piece = t.src_array[t.src_index]
                t.dst_array[t.dst_index] = piece
                if t.src == t.dst:
                    count("tile_bytes", piece.nbytes)
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
        g.finish(pending, reqs, peers)
        for t, buf in recvs:
            t.dst_array[t.dst_index] = buf
        if nbytes:
            count("exchanges")
            count("exchange_bytes", nbytes)

    def allgather(self, parts: dict, what: str = "allgather") -> dict:
        g = self.g
        m = self.machine
        me = g.rank
        sample = next(iter(parts.values()))
        pending = g.begin(what, sample.dtype, sample.shape)
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
        g.finish(pending, reqs, peers)
        count("collectives")
        return {d: list(result) for d in parts}

    def allgather_obj(self, value, op: str = "allgather_obj") -> list:
        return self.g.allgather_obj(value, op)

    def note(self, text: str) -> None:
        self.g.note(text)

    def broadcast(self, root: int, parts: dict, shape: tuple, dtype) -> dict:
        g = self.g
        pending = g.begin(f"broadcast from device {root}", dtype, shape)
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
        g.finish(pending, reqs, peers)
        count("collectives")
        return {d: (src if d == root else numpy.array(src, copy=True))
                for d in self.machine.local}

    def barrier(self) -> None:
        self.g.enter("barrier")
        self.g.completed()
