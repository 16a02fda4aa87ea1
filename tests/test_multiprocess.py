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


def mpirun(n, args, devices="cpu:1", limit=240, extra_env=None, via=("-m", "mpi4py")):
    """``mpiexec -n n python [via] args`` (``limit``: a guard against hangs only)."""
    env = dict(os.environ, ARRBACKEND_DEVICES=devices, PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join([os.path.abspath(ROOT)] + [
                   p for p in [os.environ.get("PYTHONPATH")] if p]))
    for k in [k for k in env if k.startswith("ARRBACKEND_") and k != "ARRBACKEND_DEVICES"]:
        del env[k]
    env.update(extra_env or {})
    p = subprocess.run(["timeout", str(limit), MPIEXEC, "-n", str(n), sys.executable,
                        *via, *args], cwd=ROOT, env=env, capture_output=True, text=True)
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
    assert "'sum of (12,) float64' at tests/mpi_programs/skip_collective.py:8" in out
    assert "'max of (12,) float64' at tests/mpi_programs/skip_collective.py:9" in out


def test_a_stuck_peer_is_reported_within_the_timeout():
    rc, out = mpirun(2, ["tests/mpi_programs/dead_peer.py", "stuck"], limit=60)
    assert rc != 0 and rc != 124, out[-3000:]
    assert "rank 0 waited 3 s (ARRBACKEND_COMM_TIMEOUT) in collective #4 'exchange'" in out
    assert ("rank 1 did not arrive; the last collective every process completed is #3 "
            "'read [float64 ()]' at tests/mpi_programs/dead_peer.py:13") in out, out[-3000:]


def test_a_killed_peer_ends_the_job():
    rc, out = mpirun(2, ["tests/mpi_programs/dead_peer.py", "killed"], limit=60)
    assert rc != 0 and rc != 124, out[-3000:]


# The table of the multi-process issue, one test a row: under ``mpiexec -n 3`` as a user
# starts a script (``python script.py``), with a 20 s bound on waiting; the launcher's
# ``timeout`` only guards against a hang.
ROWS = dict(limit=120, extra_env={"ARRBACKEND_COMM_TIMEOUT": "20"}, via=())


def test_printing_a_reduction_on_rank_0_is_an_error_on_every_rank():
    rc, out = mpirun(3, ["tests/mpi_programs/print_on_rank0.py", "catch"], **ROWS)
    assert rc == 0, out[-3000:]
    for r in range(3):
        assert f"rank {r} caught CommError: arrbackend: collective mismatch" in out, out
    expected = ("rank 0 is in collective #1 'read [float64 ()]' at "
                "tests/mpi_programs/print_on_rank0.py:13, after 'max of (300, 10) float64' "
                "at tests/mpi_programs/print_on_rank0.py:13; ranks 1 and 2 are in collective "
                "#1 'read [float64 ()]' at tests/mpi_programs/print_on_rank0.py:14")
    assert out.count(expected) == 3, out
    assert "2999" not in out and "55.0" not in out     # no value printed, right or wrong


def test_different_reductions_on_different_ranks_end_the_job_with_an_error():
    rc, out = mpirun(3, ["tests/mpi_programs/different_reductions.py"], **ROWS)
    assert rc not in (0, 124), out[-3000:]
    assert ("ranks 0 and 2 are in collective #1 'read [float64 ()]' at "
            "tests/mpi_programs/different_reductions.py:9, after 'sum of (100, 300) "
            "float64'") in out, out[-3000:]
    assert ("rank 1 is in collective #1 'read [float64 ()]' at "
            "tests/mpi_programs/different_reductions.py:7, after 'max of (100, 300) "
            "float64'") in out, out[-3000:]
    assert "30000.0" not in out


@pytest.mark.parametrize("via", [(), ("-m", "arrbackend")], ids=["python", "python-m-arrbackend"])
def test_an_error_on_one_rank_ends_the_job_with_its_traceback_once(via):
    rc, out = mpirun(3, ["tests/mpi_programs/raise_on_one_rank.py"],
                     **dict(ROWS, via=via))
    assert rc not in (0, 124), out[-3000:]
    assert out.count("ValueError: rank 1 cannot go on") == 1, out[-3000:]
    assert out.count("Traceback (most recent call last)") == 1, out[-3000:]
    # the others were ended, not left to time out
    assert "CommError" not in out and "sum 30000.0" not in out, out[-3000:]


def test_a_rank_that_ends_early_is_named_at_once():
    rc, out = mpirun(3, ["tests/mpi_programs/ends_early.py"], **ROWS)
    assert rc not in (0, 124), out[-3000:]
    assert "rank 1 has ended its program" in out, out[-3000:]
    assert "ARRBACKEND_COMM_TIMEOUT" not in out          # (not a timeout)
