"""GPUs through NCCL (``cupy.cuda.nccl``).

One process driving several GPUs builds its communicators with
``NcclCommunicator.initAll(device_ids)`` and wraps the calls for its GPUs in
``groupStart()/groupEnd()`` (one thread issuing blocking NCCL calls for several GPUs
would deadlock otherwise).  Several processes build one communicator each from a unique
id handed out by the bootstrap.  Every transfer travels as bytes (``NCCL_UINT8``), so any
dtype moves; copies between the shards of one GPU are plain device copies.

Between processes every collective is checked (``check.py``): the signatures travel over
MPI when the run has it (host messages, and the ranks that did not arrive are named), else
through NCCL itself.  Each NCCL call is then waited for, polling its completion with a
growing sleep, at most ``settings.comm_timeout`` seconds; past it the NCCL communicators
are aborted (``ncclCommAbort``) and a ``CommError`` is raised, instead of a hang.  In one
process (``initAll``) no peer can be missing: nothing is checked or waited for.
"""
from __future__ import annotations

import time

import numpy

from ..._counters import count
from . import Communicator, Transfer
from .check import Checker, CommError, _Missing, deadline, wait_for

_UINT8 = 1


class NcclChecker(Checker):
    """Signatures exchanged through NCCL (runs without MPI; one-rank tests): participants
    are the machine's devices, one per process."""

    def __init__(self, comm: "NcclCommunicator") -> None:
        m = comm.machine
        super().__init__(m.local[0], m.ndev, force=comm._force)
        self.nccl_comm = comm

    def _swap(self, payload, what, detail, among=None) -> dict:
        if among is not None:
            raise _Missing(None)          # (NCCL exchanges with every device or none)
        c = self.nccl_comm
        cp, m = c.cupy, c.machine
        comms = c._communicators()
        n = payload.nbytes
        bufs = {}
        c.nccl.groupStart()
        try:
            for d in m.local:
                with m.devices[d].activate():
                    src = cp.asarray(payload)
                    dst = cp.empty((m.ndev, n), numpy.uint8)
                    comms[d].allGather(src.data.ptr, dst.data.ptr, n, _UINT8, c._stream(d))
                    bufs[d] = (src, dst)
        finally:
            c.nccl.groupEnd()
        if not c._wait():
            raise _Missing(None)
        d0 = m.local[0]
        with m.devices[d0].activate():
            rows = bufs[d0][1].get()
        return {m.devices[i].rank if m.nranks > 1 else i: rows[i]
                for i in range(m.ndev) if i != d0}

    def _abort(self) -> None:
        self.nccl_comm.abort()


class NcclCommunicator(Communicator):
    def __init__(self, machine, uid=None, force: bool = False) -> None:
        import cupy
        from cupy.cuda import nccl
        self.machine = machine
        self.cupy = cupy
        self.nccl = nccl
        self._comms = None          # device index -> nccl.NcclCommunicator
        self._uid = uid
        self._force = force         # build communicators even for one GPU (tests)
        self._checker = None
        self.broken: str | None = None

    # set-up -------------------------------------------------------------------------
    def _communicators(self) -> dict:
        if self._comms is None:
            nccl = self.nccl
            if not nccl.available:
                raise RuntimeError("arrbackend: NCCL cannot be loaded, so data cannot move "
                                   "between GPUs; install the nvidia-nccl wheel for your "
                                   "CUDA (the cuda12/cuda13 extras do)")
            m = self.machine
            if m.nranks == 1:
                comms = nccl.NcclCommunicator.initAll([d.id for d in m.devices])
                self._comms = {d: comms[d] for d in range(m.ndev)}
            else:
                # one communicator per local GPU; ranks are device indices; the unique id
                # comes from rank 0 over MPI, or from NCCL_COMM_ID (every rank makes it)
                uid = self._uid
                if uid is None:
                    from ..bootstrap import world
                    w = world()
                    if w.mpi_comm is not None:
                        uid = w.mpi_comm.bcast(nccl.get_unique_id() if w.rank == 0 else None,
                                               root=0)
                    else:
                        uid = nccl.get_unique_id()
                nccl.groupStart()
                try:
                    comms = {}
                    for d in m.local:
                        with m.devices[d].activate():
                            comms[d] = nccl.NcclCommunicator(m.ndev, uid, d)
                finally:
                    nccl.groupEnd()
                self._comms = comms
        return self._comms

    def _stream(self, d: int) -> int:
        return self.cupy.cuda.get_current_stream().ptr

    # checks and bounded waits (several processes; one rank with force) -----------------
    @property
    def checked(self) -> bool:
        return self.machine.nranks > 1 or self._force

    def checker(self) -> Checker:
        if self._checker is None:
            from ..bootstrap import world
            w = world()
            if self.machine.nranks > 1 and w.mpi_comm is not None:
                from .mpi import guard_for
                self._checker = guard_for(w.mpi_comm)       # host messages over MPI
            else:
                self._checker = NcclChecker(self)
        return self._checker

    def _enter(self, op: str, dtype=None, shape=None):
        """Check the collective's signature with the other processes (None in one
        process, where there is nothing to check)."""
        if not self.checked:
            return None
        if self.broken is not None:
            raise CommError(self.broken)
        ck = self.checker()
        try:
            ck.enter(op, dtype, shape)
        except CommError:
            if ck.broken is not None:
                self.abort()
            raise
        return ck

    def _wait(self) -> bool:
        """Wait, at most until the deadline, for the NCCL calls queued on this process's
        devices; polls the completion (and NCCL's asynchronous errors) with a growing
        sleep.  False after the deadline."""
        cp, m = self.cupy, self.machine
        events = []
        for d in m.local:
            with m.devices[d].activate():
                ev = cp.cuda.Event(block=False, disable_timing=True)
                ev.record()
                events.append(ev)
        comms = list((self._comms or {}).values())
        last = [time.monotonic()]

        def done() -> bool:
            if all(e.done for e in events):
                return True
            now = time.monotonic()
            if now - last[0] > 0.1:                 # NCCL's asynchronous errors
                last[0] = now
                for c in comms:
                    c.check_async_error()
            return False

        return wait_for(done, deadline())

    def _finish(self, ck, what: str = "exchange its data") -> None:
        """After a checked collective's NCCL calls: wait for them (bounded)."""
        if ck is None:
            return
        if not self._wait():
            err = ck.timed_out(None, what)
            self.abort()
            raise err
        ck.completed()

    def abort(self) -> None:
        """``ncclCommAbort`` on this process's communicators: NCCL calls stuck waiting
        for a peer end; every later collective raises ``CommError``."""
        comms, self._comms = self._comms, None
        self.broken = self.broken or ("arrbackend: the NCCL communicators were aborted "
                                      "after an earlier collective failed")
        for c in (comms or {}).values():
            try:
                c.abort()
            except Exception:  # noqa: BLE001  (already failed: aborting is best effort)
                pass

    def note(self, text: str) -> None:
        if self.checked:
            self.checker().note(text)

    @property
    def uses_nccl(self) -> bool:
        return self.machine.ndev > 1 or self._force

    # collectives --------------------------------------------------------------------
    def exchange(self, transfers: list[Transfer]) -> None:
        cp = self.cupy
        devs = self.machine.devices
        ck = self._enter("exchange")
        local = [t for t in transfers if t.src == t.dst]
        remote = [t for t in transfers if t.src != t.dst]
        for t in local:
            if t.dst_array is not None:
                with devs[t.dst].activate():
                    t.dst_array[t.dst_index] = t.src_array[t.src_index]
        if not remote:
            self._finish(ck)
            return
        comms = self._communicators()
        sends, recvs = [], []
        for t in remote:
            if t.src_array is not None:
                with devs[t.src].activate():
                    sends.append((t, cp.ascontiguousarray(t.src_array[t.src_index])))
            if t.dst_array is not None:
                with devs[t.dst].activate():
                    shape = t.dst_array[t.dst_index].shape
                    recvs.append((t, cp.empty(shape, t.dst_array.dtype)))
        nbytes = 0
        self.nccl.groupStart()
        try:
            for t, piece in sends:
                with devs[t.src].activate():
                    comms[t.src].send(piece.data.ptr, piece.nbytes, _UINT8, t.dst,
                                      self._stream(t.src))
                nbytes += piece.nbytes
            for t, buf in recvs:
                with devs[t.dst].activate():
                    comms[t.dst].recv(buf.data.ptr, buf.nbytes, _UINT8, t.src,
                                      self._stream(t.dst))
        finally:
            self.nccl.groupEnd()
        self._finish(ck)
        for t, buf in recvs:
            with devs[t.dst].activate():
                t.dst_array[t.dst_index] = buf
        count("exchanges")
        count("exchange_bytes", nbytes)

    def allgather(self, parts: dict, what: str = "allgather") -> dict:
        cp = self.cupy
        m = self.machine
        sample = next(iter(parts.values()))
        ck = self._enter(what, sample.dtype, sample.shape)
        if not self.uses_nccl:
            self._finish(ck)
            return {d: [parts[d]] for d in parts}
        comms = self._communicators()
        out = {}
        self.nccl.groupStart()
        try:
            for d, part in parts.items():
                with m.devices[d].activate():
                    src = cp.ascontiguousarray(part)
                    buf = cp.empty((m.ndev,) + part.shape, part.dtype)
                    comms[d].allGather(src.data.ptr, buf.data.ptr, src.nbytes, _UINT8,
                                       self._stream(d))
                    out[d] = (buf, src)
        finally:
            self.nccl.groupEnd()
        self._finish(ck)
        count("collectives")
        count("exchange_bytes", sum(b.nbytes for b, _ in out.values()))
        return {d: [buf[i] for i in range(m.ndev)] for d, (buf, _) in out.items()}

    def allgather_obj(self, value, op: str = "allgather_obj") -> list:
        if self.machine.nranks == 1:
            return [value]
        from .mpi import world_allgather_obj
        return world_allgather_obj(value, op)

    def broadcast(self, root: int, parts: dict, shape: tuple, dtype) -> dict:
        cp = self.cupy
        m = self.machine
        ck = self._enter(f"broadcast from device {root}", dtype, shape)
        if not self.uses_nccl:
            self._finish(ck)
            return dict(parts)
        comms = self._communicators()
        out = {}
        self.nccl.groupStart()
        try:
            for d in m.local:
                with m.devices[d].activate():
                    buf = (cp.ascontiguousarray(parts[root]) if d == root
                           else cp.empty(shape, dtype))
                    comms[d].bcast(buf.data.ptr, buf.nbytes, _UINT8, root, self._stream(d))
                    out[d] = buf
        finally:
            self.nccl.groupEnd()
        self._finish(ck)
        count("collectives")
        return out

    def barrier(self) -> None:
        for d in self.machine.local:
            with self.machine.devices[d].activate():
                self.cupy.cuda.get_current_stream().synchronize()
