"""A failed process ends the run.

In a run of several processes the others would wait in their next collective for the one
that failed.  When an MPI launcher started several processes (or the program described
its run with ``arrbackend.init(mpi_comm=...)``), arrbackend installs a ``sys.excepthook``
that prints the uncaught exception's traceback, as Python does, once, then ends the job
with ``MPI_Abort``, as ``python -m mpi4py`` does.  ``python -m arrbackend script.py``
does the same for the script it runs.  A process killed outright is the launcher's to
end (``mpiexec`` and ``srun`` end the others).
"""
from __future__ import annotations

import os
import sys
import time

__all__ = ["install", "abort_run"]

_previous = None
_GRACE = 1.0


def install() -> None:
    """Install the hook (once; a hook the program sets later takes precedence)."""
    global _previous
    if _previous is None and sys.excepthook is not _hook:
        _previous = sys.excepthook
        sys.excepthook = _hook


def install_if_launched() -> None:
    """Install the hook when the environment says an MPI launcher started several
    processes (at ``import arrbackend``: before any array exists, MPI not started)."""
    from .launcher import launched_by_mpi
    if launched_by_mpi():
        install()


def _hook(etype, value, tb) -> None:
    (_previous or sys.__excepthook__)(etype, value, tb)
    abort_run(f"{etype.__name__}")


def _mpi_world():
    """(rank, size, communicator to abort) of a run of several MPI processes, else None."""
    from . import bootstrap
    w = bootstrap._world
    if w is not None:
        return (w.rank, w.nranks, w.mpi_comm) if w.nranks > 1 and w.mpi_comm is not None \
            else None
    from .launcher import launched_by_mpi
    if not launched_by_mpi():
        return None
    try:                  # the run has not been described yet (no array made): MPI's world
        from mpi4py import MPI
        comm = MPI.COMM_WORLD
        return (comm.Get_rank(), comm.Get_size(), comm) if comm.Get_size() > 1 else None
    except Exception:  # noqa: BLE001  (no mpi4py: the launcher's own handling applies)
        return None


def abort_run(why: str) -> None:
    """End every process of a multi-process MPI run (no-op in a single process)."""
    found = _mpi_world()
    if found is None:
        return
    rank, size, comm = found
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001
        pass
    print(f"arrbackend: rank {rank} of {size} failed ({why}); ending every process of "
          f"the run (MPI_Abort)", file=sys.stderr, flush=True)
    time.sleep(_GRACE)      # the launcher forwards this output before it ends the processes
    comm.Abort(1)
    os._exit(1)                                        # (Abort does not return)
