"""The checks collectives make of each other (``comm/check.py``), in one process: three
checkers in three threads exchange their rows through memory, as the MPI and NCCL engines
do through messages; the signature comparison, the error naming the ranks, the bound on
waiting and the ended program are the engines' shared logic.  The rank API in a single
process, and the device specifications that name a GPU several times."""
from __future__ import annotations

import threading
import time

import numpy
import pytest

import arrbackend as ab
from arrbackend.distributed.comm.check import (END, Checker, CommError, _Missing,
                                               describe_mismatch, wait_for)
from arrbackend.distributed.machine import gpu_count, parse_devices

HERE = "tests/test_comm_check.py"


class _Board:
    """Rows posted by the threads, matched by order per sender as MPI matches messages."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.cv = threading.Condition()
        self.posts: dict = {}


class ThreadChecker(Checker):
    def __init__(self, board: _Board, rank: int) -> None:
        super().__init__(rank, board.n)
        self.board = board
        self.rounds = {False: 0, True: 0}
        self.swaps = 0

    def _post(self, detail, payload):
        k = self.rounds[detail]
        self.rounds[detail] += 1
        with self.board.cv:
            self.board.posts[(detail, k, self.rank)] = payload.copy()
            self.board.cv.notify_all()
        return k

    def _swap(self, payload, what, detail, among=None):
        self.swaps += 1
        k = self._post(detail, payload)
        peers = [r for r in range(self.size) if r != self.rank and
                 (among is None or r in among)]
        posts = self.board.posts
        with self.board.cv:
            if not self.board.cv.wait_for(lambda: all((detail, k, r) in posts for r in peers),
                                          timeout=ab.settings.comm_timeout):
                raise _Missing([r for r in peers if (detail, k, r) not in posts])
            return {r: posts[(detail, k, r)] for r in peers}

    def end(self):
        self._post(False, numpy.array([self.seq + 1, 0, END, 0], numpy.int64).view(numpy.uint8))


def run_ranks(programs, n=3):
    """Run ``programs[r](checker)`` for each rank r in its own thread: each rank's value,
    or the exception it raised."""
    board = _Board(n)
    checkers = [ThreadChecker(board, r) for r in range(n)]
    results = [None] * n

    def main(r):
        try:
            results[r] = programs[r](checkers[r])
        except Exception as exc:  # noqa: BLE001  (compared by the test)
            results[r] = exc

    threads = [threading.Thread(target=main, args=(r,)) for r in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)                      # a guard against a hang only
    assert not any(t.is_alive() for t in threads)
    return results, checkers


def reduce_then_read(name):
    def program(ck):
        ck.note(f"{name} of (100, 300) float64")          # the reduction's line
        ck.enter("read", numpy.float64, ())               # the read's line
        ck.completed()
        return ck.seq
    return program


LINE_NOTE = 1 + reduce_then_read.__code__.co_firstlineno + 1
LINE_READ = LINE_NOTE + 1


def test_the_same_collective_everywhere_passes():
    res, cks = run_ranks([reduce_then_read("sum")] * 3)
    assert res == [1, 1, 1]
    assert cks[0].last[:2] == (1, "read [float64 ()]")


def test_different_reductions_raise_the_same_error_on_every_rank():
    res, cks = run_ranks([reduce_then_read("sum"), reduce_then_read("max"),
                          reduce_then_read("sum")])
    assert all(isinstance(e, CommError) for e in res), res
    body = (f"ranks 0 and 2 are in collective #1 'read [float64 ()]' at {HERE}:{LINE_READ}, "
            f"after 'sum of (100, 300) float64' at {HERE}:{LINE_NOTE}; rank 1 is in "
            f"collective #1 'read [float64 ()]' at {HERE}:{LINE_READ}, after 'max of "
            f"(100, 300) float64' at {HERE}:{LINE_NOTE}. Every process must call every "
            f"arrbackend operation, in the same order")
    for r, e in enumerate(res):
        assert str(e).startswith(f"arrbackend: collective mismatch (seen by rank {r}): "
                                 + body), str(e)
        with pytest.raises(CommError, match="can no longer exchange data after a collective "
                                            "mismatch"):
            cks[r].enter("read")                        # closed: at once


@pytest.mark.parametrize("other,shown", [
    ((numpy.float32, (2,)), "'allgather [float32 (2,)]'"),
    ((numpy.float64, (3,)), "'allgather [float64 (3,)]'"),
])
def test_dtype_and_shape_are_part_of_the_signature(other, shown):
    def make(dtype, shape):
        return lambda ck: ck.enter("allgather", dtype, shape)
    res, _ = run_ranks([make(numpy.float64, (2,)), make(*other)], n=2)
    for e in res:
        assert isinstance(e, CommError)
        assert "rank 0 is in collective #1 'allgather [float64 (2,)]'" in str(e)
        assert f"rank 1 is in collective #1 {shown}" in str(e)


def test_a_missing_rank_is_named_with_the_last_collective_and_breaks_the_group():
    gave_up = threading.Semaphore(0)

    def early(ck):
        ck.enter("read", numpy.float64, ())
        ck.completed()
        try:
            ck.enter("sum over axes (0,) of (12,)", numpy.float64, ())
        finally:
            gave_up.release()
        return "passed"

    def late(ck):
        ck.enter("read", numpy.float64, ())
        ck.completed()
        for _ in range(2):                 # enters no collective until the others gave up
            gave_up.acquire(timeout=30)
        return "late"

    with ab.settings.override(comm_timeout=0.5):
        res, cks = run_ranks([early, early, late])
    for r in (0, 1):
        e = res[r]
        assert isinstance(e, CommError)
        assert (f"rank {r} waited 0.5 s (ARRBACKEND_COMM_TIMEOUT) in collective #2 'sum "
                f"over axes (0,) of (12,) [float64 ()]'") in str(e)
        assert ("rank 2 did not arrive; the last collective every process completed is "
                "#1 'read [float64 ()]'") in str(e)
        with pytest.raises(CommError, match="can no longer exchange data"):
            cks[r].enter("read")                       # broken: at once, no waiting
    assert res[2] == "late"


def test_a_rank_that_ended_its_program_is_named():
    def goes_on(ck):
        ck.enter("exchange")
        return "passed"

    def ends(ck):
        ck.end()
        return "ended"

    res, _ = run_ranks([goes_on, ends, goes_on])
    assert res[1] == "ended"
    for r in (0, 2):
        assert isinstance(res[r], CommError)
        assert ("ranks 0 and 2 are in collective #1 'exchange' at "
                f"{HERE}") in str(res[r]) and "; rank 1 has ended its program." in str(res[r])


def test_the_check_can_be_turned_off():
    with ab.settings.override(comm_check=False):
        res, cks = run_ranks([reduce_then_read("sum"), reduce_then_read("max")], n=2)
    assert res == [1, 1] and [c.swaps for c in cks] == [0, 0]


def test_waiting_sleeps_instead_of_spinning():
    # 0.3 s of waiting for something that never comes: a busy loop would poll about a
    # million times; the wait polls 32 times, then sleeps up to 1 ms between polls
    polls = []

    def never() -> bool:
        polls.append(1)
        return False

    assert wait_for(never, time.monotonic() + 0.3) is False
    assert 32 < len(polls) < 5000, len(polls)


def test_the_description_lists_differing_lines_and_earlier_reductions():
    details = {0: {"seq": 4, "op": "read", "line": "a.py:3", "notes": [], "state": 0},
               1: {"seq": 4, "op": "read", "line": "a.py:5", "notes": [], "state": 0},
               2: {"seq": 4, "op": "read", "line": "a.py:9", "notes": [["sum of (3,) int64",
                                                                        "a.py:8"]],
                   "more": 2, "state": 0}}
    text = describe_mismatch(2, details)
    assert text.startswith(
        "arrbackend: collective mismatch (seen by rank 2): ranks 0 and 1 are in collective #4 "
        "'read' at a.py:3 / a.py:5; rank 2 is in collective #4 'read' at a.py:9, after "
        "'sum of (3,) int64' at a.py:8 (and 2 earlier). ")


def test_rank_api_in_one_process(capsys):
    assert ab.rank() == 0 and ab.world_size() == 1
    with ab.devices("cpu:3"), ab.settings.override(split_bytes=0):
        a = ab.arange(6.0)
        ab.print_once("sum", a.sum(), a[2:4], sep="|")
        ab.print_once("not printed", rank=1)
    assert capsys.readouterr().out == "sum|15.0|[2. 3.]\n"


def test_one_process_collectives_are_not_checked():
    with ab.devices("cpu:3") as m, ab.settings.override(split_bytes=0):
        float(ab.arange(12.0).sum())
        assert type(m.comm).__name__ == "LocalCommunicator"
        assert not hasattr(m.comm, "g")


def test_a_gpu_may_be_named_several_times_a_cpu_device_may_not():
    with pytest.raises(ValueError, match=r"devices: 'cpu:1,1' repeats a CPU device; CPU "
                                         r"devices are virtual: 'cpu:2' gives 2 of them"):
        parse_devices("cpu:1,1")
    if gpu_count() == 0:
        # the repetition is accepted; what is missing is the GPU
        with pytest.raises(RuntimeError, match="'gpu:0,0,0' asks for GPUs but none"):
            parse_devices("gpu:0,0,0")
    else:
        assert parse_devices("gpu:0,0,0") == ("gpu", [0, 0, 0])
