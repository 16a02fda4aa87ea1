"""Detecting the processes of a run from its launcher, and the machine they form.

First that applies:

1. ``arrbackend.init(...)`` called by the program (``bootstrap.init``);
2. a process started by an MPI launcher (``mpirun``/``mpiexec``: Open MPI's
   ``OMPI_COMM_WORLD_*``, MPICH/Hydra's ``PMI_*``, PMIx) or by ``srun`` (``SLURM_*``), with
   mpi4py installed: ``MPI.COMM_WORLD`` describes the run, the node-local rank comes from
   a shared-memory split;
3. torchrun-style variables (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``,
   ``MASTER_PORT``) or ``NCCL_COMM_ID``: GPU runs bootstrap NCCL from them (CPU data
   between processes needs MPI);
4. otherwise a single process.

Under a launcher each process drives one GPU, picked by its node-local rank; with CPU
devices each process owns ``cpu:N`` virtual devices and the machine has N per process.
"""
from __future__ import annotations

import os

from .bootstrap import World

__all__ = ["detect_world", "build_multiprocess_machine", "launcher_size", "launched_by_mpi"]

_SIZE_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS",
              "SLURM_NTASKS", "WORLD_SIZE")
_MPI_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK", "HYDRA_CONTROL_FD",
             "SLURM_PROCID")


def launcher_size() -> int:
    """The number of processes the environment says this run has (1 if none)."""
    for v in _SIZE_VARS:
        val = os.environ.get(v)
        if val:
            try:
                n = int(val)
            except ValueError:
                continue
            if v == "SLURM_NTASKS" and "SLURM_STEP_ID" not in os.environ:
                continue           # inside an allocation, not a job step started by srun
            return n
    return 1


def launched_by_mpi() -> bool:
    """Whether an MPI launcher (or ``srun``) started this process among several."""
    return any(v in os.environ for v in _MPI_VARS) and launcher_size() > 1


def detect_world() -> World:
    env = os.environ
    if launched_by_mpi():
        try:
            from mpi4py import MPI
        except ImportError:
            MPI = None
        if MPI is not None:
            comm = MPI.COMM_WORLD
            if comm.Get_size() > 1:
                node = comm.Split_type(MPI.COMM_TYPE_SHARED)
                return World(rank=comm.Get_rank(), nranks=comm.Get_size(),
                             local_rank=node.Get_rank(), local_size=node.Get_size(),
                             source="MPI (mpi4py)", mpi_comm=comm)
    if "RANK" in env and "WORLD_SIZE" in env and int(env["WORLD_SIZE"]) > 1:
        rank, size = int(env["RANK"]), int(env["WORLD_SIZE"])
        local = int(env.get("LOCAL_RANK", rank))
        return World(rank=rank, nranks=size, local_rank=local,
                     source="environment (RANK/WORLD_SIZE)")
    if "SLURM_PROCID" in env and launcher_size() > 1:
        return World(rank=int(env["SLURM_PROCID"]), nranks=launcher_size(),
                     local_rank=int(env.get("SLURM_LOCALID", 0)), source="SLURM")
    return World()


def build_multiprocess_machine(kind: str, ids: list, spec: str, w: World):
    """The machine of a run of several processes: every process's devices, in rank order."""
    from .machine import Device, Machine
    if kind == "cpu":
        n = len(ids)
        devices = [Device("cpu", j, index=r * n + j, rank=r)
                   for r in range(w.nranks) for j in range(n)]
        return Machine(devices, spec, rank=w.rank, nranks=w.nranks)
    if len(set(ids)) != len(ids):
        raise ValueError(f"devices: {spec!r} names a GPU several times (several shards on "
                         f"one GPU, in one process); in a run of several processes each "
                         f"process drives one GPU: use 'gpu' (or one id per process of a "
                         f"node, as in 'gpu:0,1')")
    # one GPU per process, chosen by the node-local rank among the visible ones
    my_id = ids[w.local_rank % len(ids)]
    all_ids = [my_id] * w.nranks
    if w.mpi_comm is not None:
        all_ids = w.mpi_comm.allgather(my_id)
    devices = []
    for r in range(w.nranks):
        if r == w.rank:
            devices.append(Device("gpu", all_ids[r], index=r, rank=r))
        else:
            devices.append(_RemoteDevice("gpu", all_ids[r], r))
    return Machine(devices, spec, rank=w.rank, nranks=w.nranks)


class _RemoteDevice:
    """A GPU of another process: known by its place, never driven from here."""

    def __init__(self, kind, id, index):
        self.kind = kind
        self.id = id
        self.index = index
        self.rank = index
        self.xp = None
        self.lean = False
        self._cupy_device = None

    @property
    def is_gpu(self) -> bool:
        return True

    def activate(self):
        raise RuntimeError(f"arrbackend: device {self!r} belongs to another process")

    def __repr__(self) -> str:
        return f"gpu:{self.id}@rank{self.rank}"
