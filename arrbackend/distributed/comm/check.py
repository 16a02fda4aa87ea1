"""Collectives that check each other, and a bound on waiting: the logic every engine
shares (MPI between processes, NCCL between GPUs of several processes).

Every process runs the same program, so every process must enter the same collectives in
the same order.  Before a collective mixes data, the processes compare its *signature*:

* a sequence number (the collective's place in the run),
* the operation (``'sum over axes (0,) of (100, 300)'``, ``'read'``, ``'exchange'``...),
  its dtype and shape,
* and the reductions each process computed since the previous collective without moving
  data (a reduction of an array held by one process is not a collective, but its result is
  read by every process later: a ``max`` on one rank and a ``sum`` on another differ here).

Each process sends the others a fixed-size row (sequence number, 64-bit digest of the
signature, state); an engine provides only ``_swap``, the exchange of such rows (the MPI
engine also sends the row together with the collective's data, and judges it before the
data is used).  When the rows differ, a second, larger exchange carries the descriptions
and the user's line, and every process raises the same ``CommError`` naming the ranks and
their operations.  When a peer does not arrive within ``settings.comm_timeout`` seconds,
the processes that arrived raise a ``CommError`` naming it and the last collective every
process completed.  After either, the group is *broken* (NCCL's communicators are aborted)
and later collectives raise at once.

``settings.comm_check`` (``ARRBACKEND_COMM_CHECK``) turns the comparison off; the bound on
waiting stays.  Waiting polls with a growing sleep: a waiting process leaves its core to
the others.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from typing import Callable

import numpy

from ..._origin import is_library
from ..._settings import settings

__all__ = ["CommError", "Checker", "wait_for", "user_line", "describe_mismatch",
           "note_reduction"]

RUN, END = 0, 1             # a row's state: in a collective / the program has ended
ROW = 4                     # int64 words of a row: sequence, digest, state, spare
DETAIL_BYTES = 2048         # the description of a process's collective (second exchange)
_NOTES_KEPT = 4             # descriptions kept of the reductions since the last collective


class CommError(RuntimeError):
    """The processes of a run disagree about a collective, or one of them did not arrive
    within ``settings.comm_timeout`` seconds."""


class _Missing(Exception):
    """An engine's exchange ran out of time; ``peers``: the ranks that did not answer
    (None where the engine cannot tell)."""

    def __init__(self, peers):
        super().__init__(peers)
        self.peers = peers


def wait_for(done: Callable[[], bool], deadline: float | None) -> bool:
    """Poll ``done()`` until it is true (True) or ``deadline`` (``time.monotonic()``)
    passes (False).  A few quick polls (a prompt answer is seen at once), then sleeps
    growing from 20 us to 1 ms: a process waiting long for a slow peer costs next to no
    CPU time, and leaves the core to the peers that share it."""
    for _ in range(32):
        if done():
            return True
    delay = 20e-6
    while True:
        if done():
            return True
        if deadline is not None and time.monotonic() > deadline:
            return done()
        time.sleep(delay)
        delay = min(delay * 2, 1e-3)


def deadline() -> float | None:
    limit = settings.comm_timeout
    return time.monotonic() + limit if limit > 0 else None


_shown: dict = {}             # a code object's file name -> as errors show it
_names: dict = {}             # a dtype -> its name


def user_line() -> str:
    """``file:line`` of the innermost frame outside arrbackend and NumPy (the user's)."""
    f = sys._getframe(1)
    while f is not None and is_library(f.f_code.co_filename):
        f = f.f_back
    if f is None:
        return "?"
    name = f.f_code.co_filename
    shown = _shown.get(name)
    if shown is None:
        shown = name
        try:
            rel = os.path.relpath(name)
            if not rel.startswith(os.pardir):
                shown = rel
        except ValueError:
            pass
        _shown[name] = shown
    return f"{shown}:{f.f_lineno}"


def _dtype_name(dtype) -> str:
    name = _names.get(dtype)
    if name is None:
        name = _names[dtype] = str(numpy.dtype(dtype))
    return name


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little",
                          signed=True)


def _ranks(rs) -> str:
    rs = sorted(rs)
    return (f"rank {rs[0]}" if len(rs) == 1 else
            "ranks " + ", ".join(map(str, rs[:-1])) + f" and {rs[-1]}")


def _doing(d: dict, plural: bool = False) -> str:
    """What one process (or several alike) is doing, as the error names it."""
    if d.get("state") == END:
        return "have ended their program" if plural else "has ended its program"
    text = f"{'are' if plural else 'is'} in collective #{d['seq']} '{d['op']}' at {d['line']}"
    if d.get("notes"):
        text += ", after " + ", ".join(f"'{t}' at {ln}" for t, ln in d["notes"])
        if d.get("more"):
            text += f" (and {d['more']} earlier)"
    return text


def describe_mismatch(me: int, details: dict) -> str:
    """The error every process raises when the signatures differ: ``details`` maps each
    rank to its description (``seq``, ``op``, ``line``, ``notes``, ``state``)."""
    groups: dict = {}
    for r, d in details.items():
        key = (d.get("state"), d.get("seq"), d.get("op"), tuple(map(tuple, d.get("notes", ())))
               if d.get("state") != END else None)
        groups.setdefault(key, []).append(r)
    parts = []
    for key, rs in sorted(groups.items(), key=lambda kv: min(kv[1])):
        d = details[min(rs)]
        lines = sorted({details[r].get("line") for r in rs} - {None})
        text = _doing(d, len(rs) > 1)
        if len(lines) > 1:
            text = text.replace(f" at {d['line']}", " at " + " / ".join(lines), 1)
        parts.append(f"{_ranks(rs)} {text}")
    return (f"arrbackend: collective mismatch (seen by rank {me}): " + "; ".join(parts) +
            ". Every process must call every arrbackend operation, in the same order: "
            "compute a value on every rank and print it on one "
            "(arrbackend.print_once(value), or 'if arrbackend.rank() == 0: print(value)' "
            "with the value computed before the 'if')")


class Checker:
    """The signature of each collective of one group of processes, compared between them;
    engines subclass it and provide ``_swap`` (and ``_abort`` where there is something to
    abort).  ``rank``/``size``: this process's place among the participants."""

    def __init__(self, rank: int, size: int, force: bool = False) -> None:
        self.rank = rank
        self.size = size
        self.force = force            # compare even alone (one-rank tests of an engine)
        self.seq = 0
        self.notes: list = []         # (text, line) of the reductions since the last one
        self.noted = 0                # how many reductions were noted since then
        self.notes_digest = ""
        self.current = None           # (seq, op, line) of the collective in progress
        self.last = None              # the last collective every process completed
        self.broken: str | None = None

    # what engines provide ------------------------------------------------------------
    def _swap(self, payload: numpy.ndarray, what: str, detail: bool,
              among: set | None = None) -> dict:
        """Every other participant's ``payload`` (a uint8 array of the same size
        everywhere): ``{rank: array}``; raises ``_Missing`` after the deadline.
        ``detail``: the second, larger exchange; ``among``: only with these ranks (an
        engine that cannot choose raises ``_Missing(None)`` at once)."""
        raise NotImplementedError

    def _abort(self) -> None:
        pass

    # -------------------------------------------------------------------------------
    def note(self, text: str) -> None:
        """A reduction computed without a collective (its data is on one process): it
        becomes part of the next collective's signature."""
        self.noted += 1
        self.notes_digest = f"{self.notes_digest};{text}"
        if len(self.notes) < _NOTES_KEPT:
            self.notes.append((text, user_line()))

    def enter(self, op: str, dtype=None, shape=None) -> None:
        """Start collective ``op`` (every process must be starting the same one now):
        compare signatures, raise ``CommError`` if they differ."""
        sig = self.begin_signature(op, dtype, shape)
        if sig is not None:
            self.judge(sig, self._exchange(sig[0].view(numpy.uint8), "arrive"))

    def begin_signature(self, op: str, dtype=None, shape=None):
        """The bookkeeping of a new collective; returns its signature (``row``, the notes
        since the last collective, their count) when the processes compare it, else None.
        Engines that send the row together with the data call this, then ``judge``."""
        if self.broken is not None:
            raise CommError(self.broken)
        self.seq += 1
        if dtype is not None:
            name = _dtype_name(dtype)
            op = f"{op} [{name} {tuple(shape)}]" if shape is not None else f"{op} [{name}]"
        notes, noted, nd = self.notes, self.noted, self.notes_digest
        self.notes, self.noted, self.notes_digest = [], 0, ""
        after = (", after " + ", ".join(f"'{t}' at {ln}" for t, ln in notes)) if notes else ""
        self.current = (self.seq, op, user_line() + after)
        if (self.size > 1 or self.force) and settings.comm_check:
            row = numpy.array([self.seq, _digest(op + "|" + nd), RUN, 0], numpy.int64)
            return row, notes, noted
        return None

    def judge(self, sig, rows: dict) -> None:
        """Compare our signature with every other process's row (``{rank: uint8 array}``);
        on a difference, describe and raise the same ``CommError`` as every process."""
        row, notes, noted = sig
        rows = {r: v.view(numpy.int64) for r, v in rows.items()}
        if any(v[0] != row[0] or v[1] != row[1] or v[2] != RUN for v in rows.values()):
            self._mismatch(rows, notes, noted)

    def completed(self) -> None:
        """The collective entered last has moved its data."""
        self.last = self.current

    def end(self) -> None:
        """This process's program has ended: peers still waiting in a collective learn
        it at once (engines that can send without waiting override this)."""

    # -------------------------------------------------------------------------------
    def _exchange(self, payload, what: str, detail: bool = False, among=None) -> dict:
        try:
            return self._swap(payload, what, detail, among)
        except _Missing as exc:
            raise self.timed_out(exc.peers, what) from None

    def _mismatch(self, rows: dict, notes: list, noted: int) -> None:
        seq, op, line = self.current
        line = line.split(", after ", 1)[0]
        mine = {"seq": seq, "op": op, "line": line, "notes": notes,
                "more": max(noted - len(notes), 0), "state": RUN}
        ended = {r for r, v in rows.items() if v[2] == END}
        details = {r: {"state": END} for r in ended}
        # the ended processes are gone: the others exchange descriptions among themselves
        # (every process saw the same rows, so all take the same branch)
        details.update(self._swap_details(mine, (set(rows) - ended) if ended else None))
        details[self.rank] = mine
        msg = describe_mismatch(self.rank, details)
        # (data another process posted for its own collective may have met ours)
        self.broken = (f"arrbackend: the processes can no longer exchange data after a "
                       f"collective mismatch: {msg}")
        raise CommError(msg)

    def _swap_details(self, mine: dict, among=None) -> dict:
        text = json.dumps(mine).encode()[:DETAIL_BYTES]
        buf = numpy.zeros(DETAIL_BYTES, numpy.uint8)
        buf[:len(text)] = numpy.frombuffer(text, numpy.uint8)
        got = self._exchange(buf, "describe its collective", detail=True, among=among)
        out = {}
        for r, b in got.items():
            try:
                out[r] = json.loads(bytes(b).rstrip(b"\0").decode(errors="replace"))
            except ValueError:
                out[r] = {"seq": "?", "op": "(description cut short)", "line": "?"}
        return out

    def timed_out(self, peers, what: str) -> CommError:
        """The error for a collective that did not complete in time (``what``: what the
        missing processes did not do); breaks the group."""
        seq, op, line = self.current if self.current else (0, "?", "?")
        limit = settings.comm_timeout
        who = (f"{_ranks(peers)} did not {what}" if peers else
               f"some process did not {what} (this engine cannot tell which)")
        if self.last is not None:
            before = (f"the last collective every process completed is #{self.last[0]} "
                      f"'{self.last[1]}' at {self.last[2]}")
        else:
            before = "no collective had completed before it"
        msg = (f"arrbackend: rank {self.rank} waited {limit:g} s (ARRBACKEND_COMM_TIMEOUT) "
               f"in collective #{seq} '{op}' at {line}: {who}; "
               f"{before}. A process stopped (stuck outside arrbackend, or waiting for "
               f"something else) or took another path through the program; if some "
               f"processes legitimately work longer alone, raise comm_timeout")
        self.broken = (f"arrbackend: the processes can no longer exchange data after an "
                       f"earlier failure: {msg}")
        self._abort()
        return CommError(msg)


def note_reduction(machine, name: str, shape, dtype) -> None:
    """Record a reduction in a run of several processes (see ``Checker.note``)."""
    if machine.nranks > 1:
        machine.comm.note(f"{name} of {tuple(shape)} {_dtype_name(dtype)}")
