"""GPUs through NCCL (``cupy.cuda.nccl``).

One process driving several GPUs builds its communicators with
``NcclCommunicator.initAll(device_ids)`` and wraps the calls for its GPUs in
``groupStart()/groupEnd()`` (one thread issuing blocking NCCL calls for several GPUs
would deadlock otherwise).  Several processes build one communicator each from a unique
id handed out by the bootstrap.  Every transfer travels as bytes (``NCCL_UINT8``), so any
dtype moves; copies between the shards of one GPU are plain device copies.
"""
from __future__ import annotations

from ..._counters import count
from . import Communicator, Transfer

_UINT8 = 1


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

    @property
    def uses_nccl(self) -> bool:
        return self.machine.ndev > 1 or self._force

    # collectives --------------------------------------------------------------------
    def exchange(self, transfers: list[Transfer]) -> None:
        cp = self.cupy
        devs = self.machine.devices
        local = [t for t in transfers if t.src == t.dst]
        remote = [t for t in transfers if t.src != t.dst]
        for t in local:
            if t.dst_array is not None:
                with devs[t.dst].activate():
                    t.dst_array[t.dst_index] = t.src_array[t.src_index]
        if not remote:
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
        for t, buf in recvs:
            with devs[t.dst].activate():
                t.dst_array[t.dst_index] = buf
        count("exchanges")
        count("exchange_bytes", nbytes)

    def allgather(self, parts: dict, what: str = "allgather") -> dict:
        cp = self.cupy
        m = self.machine
        if not self.uses_nccl:
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
        count("collectives")
        count("exchange_bytes", sum(b.nbytes for b, _ in out.values()))
        return {d: [buf[i] for i in range(m.ndev)] for d, (buf, _) in out.items()}

    def allgather_obj(self, value) -> list:
        if self.machine.nranks == 1:
            return [value]
        from .mpi import world_allgather_obj
        return world_allgather_obj(value)

    def broadcast(self, root: int, parts: dict, shape: tuple, dtype) -> dict:
        cp = self.cupy
        m = self.machine
        if not self.uses_nccl:
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
        count("collectives")
        return out

    def barrier(self) -> None:
        for d in self.machine.local:
            with self.machine.devices[d].activate():
                self.cupy.cuda.get_current_stream().synchronize()
