"""One program on several processes (MPI launcher, NumPy shards): the distributed test
module under ``mpiexec -n 2`` and ``-n 3`` (uneven), and the failures that must end in an
error naming the ranks, not a hang.  Needs mpi4py and an ``mpiexec`` (the test extra
installs mpi4py and MPICH from PyPI)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py", reason="multi-process runs need mpi4py (pip install mpi4py)")
MPIEXEC = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep +
                       os.environ.get("PATH", ""))
pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="no mpiexec on this machine")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)


def mpirun(n, args, devices="cpu:1", limit=240, extra_env=None):
    env = dict(os.environ, ARRBACKEND_DEVICES=devices, PYTHONUNBUFFERED="1")
    env.pop("ARRBACKEND_TEST_MACHINES", None)
    env.update(extra_env or {})
    p = subprocess.run(["timeout", str(limit), MPIEXEC, "-n", str(n), sys.executable, "-m",
                        "mpi4py"] + args, cwd=ROOT, env=env, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


@pytest.mark.parametrize("n,devices", [(2, "cpu:1"), (3, "cpu:1"), (2, "cpu:2")])
def test_distributed_suite(n, devices):
    rc, out = mpirun(n, ["-m", "pytest", "tests/mpi", "-q", "-p", "no:cacheprovider"],
                        devices)
    assert rc == 0, out[-4000:]
    # every process ran every test of the module (none skipped: they run under MPI)
    import re
    counts = re.findall(r"(\d+) passed", out)
    ntests = sum(1 for line in open(os.path.join(ROOT, "tests", "mpi", "test_under_mpi.py"))
                 if line.startswith("def test_"))
    assert counts == [str(ntests)] * n and "skipped" not in out, out[-2000:]


def test_a_skipped_collective_is_an_error_naming_ranks_and_operations():
    rc, out = mpirun(2, ["tests/mpi_programs/skip_collective.py"], limit=60)
    assert rc != 0 and rc != 124, out[-3000:]
    assert "collective mismatch" in out and "rank 1" in out, out[-3000:]
    # rank 0 is in the sum; rank 1 is past it, computing x * 2 for its max
    assert "sum over axes" in out and ("max over axes" in out or "'exchange'" in out)


def test_a_stuck_peer_is_reported_within_the_timeout():
    rc, out = mpirun(2, ["tests/mpi_programs/dead_peer.py", "stuck"], limit=60)
    assert rc != 0 and rc != 124, out[-3000:]
    assert "rank(s) [1] did not answer" in out, out[-3000:]


def test_a_killed_peer_ends_the_job():
    rc, out = mpirun(2, ["tests/mpi_programs/dead_peer.py", "killed"], limit=60)
    assert rc != 0 and rc != 124, out[-3000:]
