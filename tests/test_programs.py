"""Random NumPy programs, run on NumPy and on arrbackend side by side, every variable
compared after every statement.

Hypothesis's stateful testing draws programs of a few statements: creation of 0-d to 3-d
arrays of every common dtype, ufuncs with out=/where=/dtype=/casting=, operators and
in-place operators, basic/fancy/mask indexing and assignment, views, reductions,
manipulation, ufunc methods, conversions to Python and bad input (``program_statements``,
``program_functions``; the statement records and the comparison are in ``programs``).
Each statement runs on NumPy and on arrbackend (``enabled()`` around the same NumPy code,
or ``arrbackend`` itself as ``np``), on every test machine with arrays split even when
tiny, with deferred evaluation always, never, or by size with a low or the default
threshold, and arrays below and above it.  After each statement every live variable must
agree: value (NaN-aware, tolerances keyed by dtype), dtype, shape, writeability, and which
variables the statement changed (a write through a view changes what it changes in NumPy,
a copy changes nothing else).  When NumPy raises, arrbackend must raise the same class.
Some programs are compared only at checkpoints and at the end, so that expressions stay
deferred across statements.  A failure prints the program as NumPy source, shrunk.

Known differences are normalized where the statements are drawn, documented ones
(docs/differences.md) and NumPy's own unspecified results; the classes arrbackend still
gets wrong are left out by name (``program_exclusions.EXCLUSIONS``), to be lifted when
fixed.

Environment variables: ``ARRBACKEND_FUZZ_EXAMPLES`` (programs per machine, default 50),
``ARRBACKEND_FUZZ_STEPS`` (statements per program, default 10), ``ARRBACKEND_FUZZ_SEED``
(explore from this seed instead of the fixed one), ``ARRBACKEND_FUZZ_LIFT`` (generate the
excluded statements again: names from ``program_exclusions.EXCLUSIONS``, or ``all``),
``ARRBACKEND_FUZZ_REPORT`` (a file: each diverging program is appended there as a JSON
line, with its statements pickled to replay, and the run goes on instead of stopping at
the first).  A long run::

    ARRBACKEND_FUZZ_EXAMPLES=3000 ARRBACKEND_FUZZ_SEED=1 python -m pytest tests/test_programs.py
"""
from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import pickle
import warnings

import numpy
import pytest
from hypothesis import HealthCheck, Phase, seed as hseed, settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, precondition, rule,
                                 run_state_machine_as_test)

import arrbackend
from arrbackend.dispatch.enabled import ROUTED
from program_functions import Gen
import programs
from programs import (Attr, Call, Item, Key, Lit, Ns, Stmt, Var, changed, difference,
                      execute, public_class, references, render, same_error, snapshot)

EXAMPLES = int(os.environ.get("ARRBACKEND_FUZZ_EXAMPLES", "50"))
STEPS = int(os.environ.get("ARRBACKEND_FUZZ_STEPS", "10"))
SEED = os.environ.get("ARRBACKEND_FUZZ_SEED")
REPORT = os.environ.get("ARRBACKEND_FUZZ_REPORT")

FUSION = {"default": {}, "low threshold": {"fusion_min_size": 16}, "off": {"fusion": "0"},
          "always": {"fusion": "1"}}


class Divergence(AssertionError):
    """arrbackend's program state is not NumPy's."""

    def __init__(self, message: str, signature: tuple):
        super().__init__(message)
        self.signature = signature


def _shares(x, y) -> bool:
    return isinstance(x, arrbackend.ndarray) and isinstance(y, arrbackend.ndarray) and \
        x._store.base is y._store.base


class Programs(RuleBasedStateMachine):
    """One random program; the test machine is the one active when it runs."""

    def __init__(self):
        super().__init__()
        self.np_env: dict = {}
        self.ab_env: dict = {}
        self.np_seen: dict = {}         # host copies at the last comparison
        self.ab_seen: dict = {}
        self.origin: dict = {}          # variable -> label of the statement that set it
        self.bound: set = set()         # names bound since the last comparison
        self.plain: set = set()         # names computed by NumPy alone (see uses_backend)
        self.lines: list = []
        self.stmts: list = []
        self.count = 0
        self.failed = False
        self.machine = arrbackend.current_machine()
        programs.FLOOR["char"] = None
        self.ctx = contextlib.ExitStack()
        self.ctx.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        self.ctx.enter_context(numpy.errstate(all="ignore"))
        self.door = "enabled"
        self.lazy = False
        self.fusion = "default"

    # --- setup --------------------------------------------------------------------------
    def new_name(self) -> str:
        self.count += 1
        return f"v{self.count - 1}"

    def gen(self, data) -> Gen:
        return Gen(data.draw, self.np_env, self.new_name, self.machine.ndev,
                   standard=self.door != "enabled")

    @initialize(door=st.sampled_from(["enabled", "namespace"]),
                fusion=st.sampled_from(sorted(FUSION)), lazy=st.booleans(), data=st.data())
    def start(self, door, fusion, lazy, data):
        self.door, self.fusion, self.lazy = door, fusion, lazy
        self.ctx.enter_context(arrbackend.settings.override(**FUSION[fusion]))
        self.run(self.gen(data).create())

    def teardown(self):
        try:
            if not self.failed and self.lazy:
                self.compare()
        finally:
            self.ctx.close()

    # --- the rules ----------------------------------------------------------------------
    @rule(data=st.data())
    def create(self, data):
        self.run(self.gen(data).create())

    @rule(data=st.data())
    def ufunc(self, data):
        self.run(self.gen(data).ufunc())

    @rule(data=st.data())
    def operator(self, data):
        self.run(self.gen(data).operator())

    @rule(data=st.data())
    def inplace(self, data):
        self.run(self.gen(data).inplace())

    @rule(data=st.data())
    def alias(self, data):
        self.run(self.gen(data).alias())

    @rule(data=st.data())
    def getitem(self, data):
        self.run(self.gen(data).getitem())

    @rule(data=st.data())
    def setitem(self, data):
        self.run(self.gen(data).setitem())

    @rule(data=st.data())
    def view(self, data):
        self.run(self.gen(data).view())

    @rule(data=st.data())
    def reduction(self, data):
        self.run(self.gen(data).reduction())

    @rule(data=st.data())
    def manipulation(self, data):
        self.run(self.gen(data).manipulation())

    @rule(data=st.data())
    def ufunc_method(self, data):
        self.run(self.gen(data).ufunc_method())

    @rule(data=st.data())
    def convert(self, data):
        self.run(self.gen(data).convert())

    @rule(data=st.data())
    def bad_input(self, data):
        self.run(self.gen(data).bad_input())

    @precondition(lambda self: len(self.np_env) > 4)
    @rule(data=st.data())
    def delete(self, data):
        name = data.draw(st.sampled_from(sorted(self.np_env)))
        self.run(Stmt("delete", targets=(name,), label="del"))

    @precondition(lambda self: self.lazy)
    @rule()
    def checkpoint(self):
        self.run(Stmt("compare", label="compare"))

    # --- running a statement on both sides ----------------------------------------------
    def side(self, s: Stmt, env: dict, ours: bool):
        ns = numpy if not ours or self.door == "enabled" else arrbackend
        with contextlib.ExitStack() as ctx:
            if ours and self.door == "enabled":
                ctx.enter_context(arrbackend.enabled())
            try:
                return execute(s, env, ns), None
            except Exception as exc:        # (the same class must come from both)
                return None, exc

    def run(self, s: Stmt) -> None:
        if self.failed:
            return
        self.lines.append(render(s))
        self.stmts.append(s)
        if s.kind == "compare":
            self.compare()
            return
        before = {n: v.copy() for n, v in self.np_env.items() if isinstance(v, numpy.ndarray)}
        np_new, np_exc = self.side(s, self.np_env, ours=False)
        ab_new, ab_exc = self.side(s, self.ab_env, ours=True)
        if np_exc is not None or ab_exc is not None:
            if np_exc is not None and ab_exc is not None and same_error(np_exc, ab_exc):
                self.lines[-1] += f"    # {public_class(type(np_exc)).__name__}"
                self.undo_partial_writes(before)
            else:
                self.diverge(_raise_message(np_exc, ab_exc), (s.label, "raises",
                             _exc_name(np_exc), _exc_name(ab_exc)))
                return
        if np_exc is None and ab_exc is None:
            for name in np_new:
                if s.kind != "aug" or np_new[name] is not self.np_env[name]:
                    self.bound.add(name)        # (a new value, not one changed in place)
                self.np_env[name], self.ab_env[name] = np_new[name], ab_new[name]
                self.origin[name] = s.label
                if self.uses_backend(s):
                    self.plain.discard(name)
                else:
                    self.plain.add(name)
            if s.kind == "delete":
                for name in s.targets:
                    for d in (self.np_env, self.ab_env, self.np_seen, self.ab_seen):
                        d.pop(name, None)
            if s.notes.get("reshape") and self.machine.ndev > 1:
                self.reshape_copies(s.targets[0])
        if not self.lazy:
            self.compare(statement=s)

    def undo_partial_writes(self, before: dict) -> None:
        """NumPy may write part of a result before raising (np.put, a ufunc loop), where
        arrbackend may check first: when both raise, an array NumPy changed is put back as
        it was if arrbackend's is still as it was."""
        for name, old in before.items():
            now = self.np_env.get(name)
            if not (isinstance(now, numpy.ndarray) and now.flags.writeable and
                    changed(old, now)):
                continue
            try:
                ours = snapshot(self.ab_env[name])
            except Exception:
                continue
            if not changed(old, ours):
                now[...] = old

    def uses_backend(self, s: Stmt) -> bool:
        """Whether arrbackend takes part in the statement: an arrbackend operand, a
        creation routed by ``enabled()``, or the ``arrbackend`` namespace.  Under
        ``enabled()``, NumPy functions of NumPy scalars are NumPy's own business."""
        names, paths = set(), set()
        references(s, names, paths)
        if self.door != "enabled":      # (any namespace function is arrbackend's; a
            #                                 dtype named through it is only a dtype)
            if any(not isinstance(getattr(numpy, p.split(".")[-1], None), type)
                   for p in paths):
                # (documented: a function given only data devices cannot hold, objects
                # or strings, answers as NumPy: np.argsort of objects is NumPy's array)
                held = [self.ab_env.get(n) for n in names]
                return not (held and all(isinstance(v, numpy.ndarray) and
                                         v.dtype.kind in "OUSVMm" for v in held))
        elif any(p.split(".")[0] in ROUTED["numpy"] for p in paths):
            return True
        return any(_holds_backend(self.ab_env.get(n)) for n in names)

    def reshape_copies(self, name: str) -> None:
        """Documented: on several devices a reshape copies when the shards cannot be
        kept; the NumPy side then copies too, so that later writes agree."""
        x, y = self.np_env[name], self.ab_env[name]
        if not isinstance(x, numpy.ndarray):
            return
        for other, v in self.np_env.items():
            if other != name and isinstance(v, numpy.ndarray) and \
                    numpy.shares_memory(x, v) and not _shares(y, self.ab_env[other]):
                self.np_env[name] = x.copy()
                self.lines[-1] += "    # (a copy on several devices: documented)"
                return

    # --- comparing ----------------------------------------------------------------------
    def compare(self, statement: Stmt | None = None) -> None:
        """Every variable against NumPy's, and the variables changed since the last
        comparison (by ``statement`` when one is given) against those NumPy changed."""
        np_now, ab_now, problems = {}, {}, []
        if self.machine.devices[0].is_gpu:
            for v in self.np_env.values():
                dt = getattr(v, "dtype", None)
                if isinstance(dt, numpy.dtype) and dt.kind in "fc":
                    part = dt.itemsize // (2 if dt.kind == "c" else 1)
                    if part == 2 or (part == 4 and programs.FLOOR["char"] is None):
                        programs.FLOOR["char"] = "e" if part == 2 else "f"
        for name in sorted(self.np_env, key=lambda n: int(n[1:])):
            np_now[name] = snapshot(self.np_env[name])
            try:
                ab_now[name] = snapshot(self.ab_env[name])
            except Exception as exc:
                problems.append((name, f"reading it raised {type(exc).__name__}: {exc}",
                                 "read raises"))
                continue
            why = difference(self.np_env[name], self.ab_env[name], ab_now[name],
                             plain=name in self.plain)
            if why is not None:
                problems.append((name, why, why.split(":")[0]))
        kept = [n for n in np_now if n in self.np_seen and n in self.ab_seen and
                n in ab_now and n not in self.bound]
        np_changed = {n for n in kept if changed(self.np_seen[n], np_now[n])}
        ab_changed = {n for n in kept if changed(self.ab_seen[n], ab_now[n])}
        if programs.FLOOR["char"] is not None:
            # (on a GPU, values within the tolerance of NumPy's: a write that changed an
            # element by an ulp on one side may leave the other side's value as it was,
            # tanh(9.9) squared in float32 being 1.0 there)
            for n in np_changed ^ ab_changed:
                seen, now = (self.np_seen, np_now) if n in np_changed else \
                    (self.ab_seen, ab_now)
                old, new = seen[n], now[n]
                if isinstance(old, numpy.ndarray) and isinstance(new, numpy.ndarray) and \
                        old.shape == new.shape and old.dtype == new.dtype and \
                        old.dtype.kind in "fc" and \
                        programs._close(new, old, old.dtype) is None:
                    np_changed.discard(n)
                    ab_changed.discard(n)
        if statement is not None:
            for n in np_changed:
                self.origin[n] = statement.label
        self.np_seen, self.ab_seen, self.bound = np_now, ab_now, set()
        if not problems and np_changed == ab_changed:
            return
        what = "the last statement" if statement is not None else "the statements since " \
            "the last comparison"
        text = []
        if np_changed != ab_changed:
            text.append(f"variables changed by {what}: NumPy {sorted(np_changed)}, "
                        f"arrbackend {sorted(ab_changed)}")
        text += [f"{n}: {why}" for n, why, _ in problems]
        first = problems[0] if problems else (sorted(np_changed ^ ab_changed)[0], "",
                                              "changed")
        label = statement.label if statement is not None else self.origin.get(first[0], "?")
        self.diverge("\n".join(text), (label, first[2]))

    def diverge(self, message: str, signature: tuple) -> None:
        self.failed = True
        where = (f"{self.machine.spec} (split_bytes=0), fusion {self.fusion}, front door "
                 f"{'enabled()' if self.door == 'enabled' else 'import arrbackend as np'}, "
                 f"compared {'at checkpoints' if self.lazy else 'after every statement'}")
        program = "\n".join("    " + line for line in ["import numpy as np"] + self.lines)
        text = f"arrbackend differs from NumPy on {where}:\n\n{program}\n\n{message}"
        if REPORT:
            _report(self, text, signature)
            return
        raise Divergence(text, signature)


def _report(m: Programs, text: str, signature: tuple) -> None:
    """Long runs: append the divergence to ARRBACKEND_FUZZ_REPORT (a JSON line; the
    statements pickled, to replay) and go on with the next program."""
    record = {"machine": m.machine.spec, "signature": list(signature), "text": text,
              "config": [m.door, m.fusion, m.lazy],
              "stmts": base64.b64encode(pickle.dumps(m.stmts)).decode()}
    with open(REPORT, "a") as f:
        f.write(json.dumps(record) + "\n")


def _holds_backend(v) -> bool:
    if isinstance(v, (tuple, list)):
        return any(_holds_backend(x) for x in v)
    return isinstance(v, arrbackend.ndarray)


def _exc_name(exc) -> str:
    return "-" if exc is None else public_class(type(exc)).__name__


def _raise_message(np_exc, ab_exc) -> str:
    np_text = "returned" if np_exc is None else f"raised {type(np_exc).__name__}: {np_exc}"
    ab_text = "returned" if ab_exc is None else f"raised {type(ab_exc).__name__}: {ab_exc}"
    return f"the last statement: NumPy {np_text}; arrbackend {ab_text}"


def _settings():
    s = hsettings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                  derandomize=SEED is None, database=None,
                  suppress_health_check=list(HealthCheck),
                  # (no explain phase: its tracing makes shrinking take minutes)
                  phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
    return s


def test_random_programs(machine):
    if SEED is not None:
        hseed(int(SEED))(Programs)
    run_state_machine_as_test(Programs, settings=_settings())


def _program(door: str, lazy: bool = False) -> Programs:
    m = Programs()
    m.door, m.lazy = door, lazy
    m.run(Stmt("assign", Call(Ns("arange"), (Lit(6.0),)), ("v0",)))
    m.run(Stmt("assign", Item(Var("v0"), Key((slice(1, None, 2),))), ("v1",)))
    return m


@pytest.mark.parametrize("door", ["enabled", "namespace"])
def test_a_write_through_a_view_is_seen(machine, door):
    """The comparison itself: a program whose variables alias passes."""
    m = _program(door)
    try:
        m.run(Stmt("setitem", Lit(-1.0), obj=Var("v1"), key=Key((0,))))
        m.run(Stmt("assign", Attr(Var("v0"), "T"), ("v2",)))
        assert numpy.array_equal(m.np_env["v0"], [0, -1, 2, 3, 4, 5])
        assert m.np_seen.keys() == {"v0", "v1", "v2"}
    finally:
        m.teardown()


@pytest.mark.parametrize("lazy", [False, True])
def test_a_divergence_is_reported(machine, lazy):
    """The comparison itself: a view that went stale on one side is reported, with the
    program, the variables each side changed and the value that differs."""
    m = _program("enabled", lazy)
    m.run(Stmt("compare"))
    m.ab_env["v1"] = m.ab_env["v1"].copy()          # (as if the view had been a copy)
    try:
        with pytest.raises(Divergence) as info:
            m.run(Stmt("setitem", Lit(-1.0), obj=Var("v0"), key=Key((1,))))
            m.run(Stmt("compare"))
        text = str(info.value)
        assert "v1 = v0[1::2]\n    # (every variable compared here)\n    v0[1] = -1.0" in text
        assert "NumPy ['v0', 'v1'], arrbackend ['v0']" in text
        assert "v1: values: 1 of 3 elements differ, first at (0,)" in text
    finally:
        m.failed = True
        m.teardown()


def test_an_error_of_another_class_is_reported(machine, monkeypatch):
    m = _program("namespace")
    monkeypatch.setattr(arrbackend, "reshape", lambda a, shape: a)     # (accepts anything)
    try:
        with pytest.raises(Divergence, match="NumPy raised ValueError: cannot reshape .*; "
                           "arrbackend returned"):
            m.run(Stmt("assign", Call(Ns("reshape"), (Var("v0"), Lit((4,)))), ("v2",)))
    finally:
        m.failed = True
        m.teardown()


def _outcome(np, src: str, shape: bool = False):
    """What the statements ``src`` leave in ``r`` (as a list, with its shape if asked),
    run with ``np`` as the namespace and warnings off; or the class of their error."""
    ns = {"np": np}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(src, ns)
        r = ns["r"]
        value = numpy.asarray(r).tolist()
        return (numpy.shape(r), value) if shape else value
    except Exception as exc:
        return type(exc)


def _agrees(src: str, shape: bool = False, fusion: str | None = None) -> None:
    """The statements ``src`` leave NumPy's outcome in ``r`` under ``enabled()`` (with
    ``fusion`` set, if given): its value (and shape), or the class of its error."""
    want = _outcome(numpy, src, shape)
    with arrbackend.settings.override(**({"fusion": fusion} if fusion else {})), \
            arrbackend.enabled():
        import numpy as np
        got = _outcome(np, src, shape)
    assert got == want


# --- divergences the random programs found, kept as regression tests ----------------------

def test_fused_float32_expression(machine):
    """A float32 expression on the fused CPU path (numexpr names single precision by
    Python's float)."""
    x = (numpy.arange(70000) % 5).astype(numpy.float32)
    with arrbackend.settings.override(fusion="1"), arrbackend.enabled():
        import numpy as np
        a = np.asarray(x)
        r = a + a * np.float32(2.5) + np.sin(a)
        assert r.dtype == numpy.float32
        numpy.testing.assert_array_equal(numpy.asarray(r), x + x * numpy.float32(2.5)
                                         + numpy.sin(x))


@pytest.mark.parametrize("func", ["all", "any", "sum", "prod", "max", "nansum"])
def test_reduction_where_of_another_shape(machine, func):
    """A where= mask that does not broadcast to the array is refused, as NumPy does,
    even where every axis has length one."""
    with arrbackend.enabled():
        import numpy as np
        a = np.zeros((1, 1))
        with pytest.raises(ValueError):
            getattr(numpy, func)(numpy.zeros((1, 1)), where=numpy.array([True, True]))
        with pytest.raises(ValueError):
            getattr(np, func)(a, where=np.array([True, True]))


def test_accumulate_axis_none_of_1d(machine):
    with arrbackend.enabled():
        import numpy as np
        r = np.add.accumulate(np.arange(4.0), axis=None)
        numpy.testing.assert_array_equal(numpy.asarray(r), [0.0, 1.0, 3.0, 6.0])
        with pytest.raises(ValueError):
            np.add.accumulate(np.ones((2, 2)), axis=None)


@pytest.mark.parametrize("value", [numpy.array([1.0]), [1.0], numpy.array([[1.0]])])
def test_one_element_takes_no_sequence(machine, value):
    """``a[i, j] = v`` with ``v`` of one or more dimensions: NumPy's ValueError, also for
    a value computed on the fused path (``a[0] += a``)."""
    with arrbackend.settings.override(fusion="1"), arrbackend.enabled():
        import numpy as np
        a = np.arange(6.0).reshape(3, 2)
        with pytest.raises(ValueError, match="sequence"):
            a[0, 1] = value
        a[0] = numpy.array([7.0, 8.0])                 # (a row takes one)
        b = np.arange(1.0)
        with pytest.raises(ValueError, match="sequence"):
            b[0] += b
        assert numpy.asarray(a).tolist() == [[7.0, 8.0], [2.0, 3.0], [4.0, 5.0]]


def test_fancy_assignment_selecting_nothing(machine):
    with arrbackend.settings.override(fusion="1"), arrbackend.enabled():
        import numpy as np
        a = np.arange(3.0).reshape(3, 1)
        a[[], :-1] = 0.0
        a[[0, 2], :] = -1.0
        assert numpy.asarray(a).ravel().tolist() == [-1.0, 1.0, -1.0]
        with pytest.raises(IndexError):
            a[[7], :-1] = 0.0


@pytest.mark.parametrize("value, error", [(numpy.nan, ValueError), (1j, TypeError),
                                          (2**40, OverflowError)])
def test_insert_converts_as_numpy(machine, value, error):
    x = numpy.arange(4, dtype=numpy.int8)
    with pytest.raises(error):
        numpy.insert(x, 0, value)
    with arrbackend.enabled():
        import numpy as np
        with pytest.raises(error):
            np.insert(np.asarray(x), 0, value)
        r = np.insert(np.asarray(x), 1, 2.7)
        numpy.testing.assert_array_equal(numpy.asarray(r), numpy.insert(x, 1, 2.7))


@pytest.mark.parametrize("dtype", ["int64", "int8", "bool", "uint16"])
def test_std_into_an_integer_dtype(machine, dtype):
    x = numpy.arange(6.0).reshape(2, 3) * 7
    want = numpy.std(x, dtype=dtype)
    with arrbackend.enabled():
        import numpy as np
        got = np.std(np.asarray(x), dtype=dtype)
    assert got.dtype == want.dtype and numpy.asarray(got) == want


def _resident_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="Linux's /proc")
def test_zeros_keep_the_hosts_zeroed_pages():
    """np.zeros on the host is NumPy's (pages zeroed by the system, touched only when
    written): a large zeros then one write stays cheap in memory."""
    with arrbackend.enabled(devices="cpu:1"):
        import numpy as np
        before = _resident_bytes()
        z = np.zeros((8192, 8192))                       # 512 MiB, untouched
        z[0, 0] = 1.0
        grown = _resident_bytes() - before
        assert float(z[0, 0]) == 1.0
        assert grown < 128 * 2**20
        assert numpy.signbit(numpy.asarray(np.full(2, -0.0))).all()


@pytest.mark.parametrize("fusion", ["0", "1"])
def test_namespace_ufuncs_take_positional_outputs(machine, fusion):
    with arrbackend.settings.override(fusion=fusion):
        v = arrbackend.arange(3.0)
        assert arrbackend.add(v, v, v) is v
        assert arrbackend.sqrt(v, v) is v
        o = arrbackend.zeros(3)
        q, r = arrbackend.divmod(v, 2.0, o)
        assert q is o
        want = numpy.sqrt(numpy.arange(3.0) * 2)
        numpy.testing.assert_array_equal(numpy.asarray(v), want)
        numpy.testing.assert_array_equal(numpy.asarray(o), want // 2.0)
        numpy.testing.assert_array_equal(numpy.asarray(r), want % 2.0)
        with pytest.raises(TypeError):
            arrbackend.add(v, v, v, out=v)
        with pytest.raises(TypeError):
            arrbackend.add(v, v, v, v)


@pytest.mark.parametrize("shape, ind, v", [((0,), [0], 1j), ((0,), [], 1j), ((0,), [0], []),
                                           ((3,), [], 1j), ((3,), [0], []), ((0,), [0.5], 1),
                                           ((3,), [5], 1j), ((3,), [1, -1], [7, 8])])
def test_put_checks_in_numpys_order(machine, shape, ind, v):
    def go(np, a):
        try:
            np.put(a, ind, v)
            return numpy.asarray(a).tolist()
        except Exception as exc:
            return type(exc)
    want = go(numpy, numpy.zeros(shape))
    with arrbackend.enabled():
        import numpy as np
        assert go(np, np.zeros(shape)) == want


def test_matmul_out_under_enabled(machine):
    """NumPy's ufunc protocol hands matmul's out= over as a tuple."""
    x, y = numpy.arange(6.0).reshape(3, 2), numpy.ones((2, 2), bool)
    want = numpy.matmul(x, y)
    with arrbackend.enabled():
        import numpy as np
        a = np.asarray(x)
        assert np.matmul(a, np.asarray(y), out=a) is a
        numpy.testing.assert_array_equal(numpy.asarray(a), want)


def test_namespace_floordiv_inplace_checks_the_shape(machine):
    a = arrbackend.zeros(2)
    with pytest.raises(ValueError, match="non-broadcastable output"):
        a //= arrbackend.ones((3, 2))
    e = arrbackend.zeros(0)
    with pytest.raises(ValueError, match="non-broadcastable output"):
        e //= arrbackend.ones((3, 3, 0))
    b = arrbackend.full((3, 2), 7.0)
    b //= arrbackend.full(2, 2.0)
    assert numpy.asarray(b).tolist() == [[3.0, 3.0]] * 3


@pytest.mark.parametrize("shape, repeats, axis", [
    ((3, 0), -1, None), ((3, 0), -1, 1), ((3, 0), -1, 0), ((3,), -1, None),
    ((3,), 1.5, None), ((0,), [], None), ((2, 0), [], 1), ((2,), [1.5, 2.0], None),
    ((3,), [-1, 1, 1], None), ((2, 3), 2, 0), ((2, 3), [1, 0, 2], 1)])
def test_repeat_counts_as_numpy(machine, shape, repeats, axis):
    def go(np):
        try:
            x = np.arange(int(numpy.prod(shape)), dtype=float).reshape(shape)
            return numpy.asarray(np.repeat(x, repeats, axis=axis)).tolist()
        except Exception as exc:
            return type(exc)
    want = go(numpy)
    with arrbackend.enabled():
        import numpy as np
        assert go(np) == want


@pytest.mark.parametrize("shape, key, value", [
    ((3, 1), ([False] * 3, slice(None, -1)), 0.0),
    ((1, 1, 3), ([False], slice(None, -1), slice(None)), 2),
    ((3, 1), ([False] * 3, slice(None, -1)), numpy.zeros((2, 2))),
    ((3, 2), ([True, False, True], slice(None)), 5.0)])
def test_mask_assignment_selecting_nothing(machine, shape, key, value):
    """A boolean mask beside a slice, selecting nothing: nothing written, the value's
    shape still checked (NumPy: ValueError for a value that cannot broadcast)."""
    def go(np):
        try:
            x = np.arange(int(numpy.prod(shape)), dtype=float).reshape(shape)
            k = tuple(np.asarray(numpy.array(i)) if isinstance(i, list) else i for i in key)
            x[k] = np.asarray(value) if isinstance(value, numpy.ndarray) else value
            return numpy.asarray(x).tolist()
        except Exception as exc:
            return type(exc)
    want = go(numpy)
    with arrbackend.settings.override(fusion="1"), arrbackend.enabled():
        import numpy as np
        assert go(np) == want


@pytest.mark.parametrize("src", [
    "np.multiply.reduce(np.array([3, 3]), initial=0.5)",
    "np.maximum.reduce(np.array([3, 1]), initial=7.9)",
    "np.prod(np.array([3, 3]), initial=0.5)",
    "np.max(np.array([3, 1]), initial=7.9)",
    "np.add.reduce(np.array([3, 3]), initial=1.5, dtype=float)"])
def test_float_initial_of_an_integer_reduction(machine, src):
    """NumPy casts initial= into the loop's dtype before reducing (0.5 into int64: 0)."""
    want = numpy.asarray(eval(src, {"np": numpy}))
    with arrbackend.enabled():
        import numpy as np
        got = numpy.asarray(eval(src, {"np": np}))
    assert got.dtype == want.dtype and got.tolist() == want.tolist()


@pytest.mark.parametrize("src", [
    "v0 = np.array(0, dtype=np.int64); v2 = np.std(v0, ddof=1); v0[()] = v2; r = v0",
    "v0 = np.array(0, dtype=np.int64); v0[()] /= v0; r = v0",
    "v0 = np.zeros(3, np.int64); v0[1:] = np.sum(np.array([np.inf])); r = v0",
    "v0 = np.zeros(3, np.int64); v0[...] = np.sum(np.array([2.5])); r = v0",
    "v0 = np.zeros(3, np.int64); v0[v0 > 0] = np.nanmean(np.array([np.nan])); r = v0",
    "v0 = np.zeros(3, np.int64); v0[v0 == 0] = np.nanmean(np.array([np.nan])); r = v0",
    "v0 = np.zeros(3, np.int64); v0[[0, 1]] = np.nanmean(np.array([np.nan])); r = v0",
    "v0 = np.array(1.0); v1 = np.flip(v0); v0 += v0; r = v1",
    "v0 = np.zeros(3); r = np.argmax(v0, out=v0)",
    "v0 = np.arange(3); r = np.take(np.arange(3.0), [0, 1], out=np.zeros(3, np.int8))"])
def test_zero_d_values_follow_numpys_scalar_rules(machine, src):
    """A 0-d array that stands for NumPy's scalar (a reduction's, an element's) assigned
    into integers follows a scalar's rules (NaN raises ValueError, an infinity
    OverflowError); np.flip of a 0-d array is its value; out= shapes judged first."""
    def go(np):
        return _outcome(np, src)
    want = go(numpy)
    for fusion in ("0", "1"):
        with arrbackend.settings.override(fusion=fusion), arrbackend.enabled():
            import numpy as np
            assert go(np) == want


def test_namespace_tanh_checks_its_out(machine):
    v = arrbackend.arange(3)
    with pytest.raises(TypeError, match="Cannot cast ufunc .tanh. output"):
        arrbackend.tanh(v, out=v)
    z = arrbackend.asarray(numpy.array([complex(numpy.inf, 1.0), 1 + 1j]))
    o = arrbackend.zeros(2, complex)
    assert arrbackend.tanh(z, out=o) is o
    numpy.testing.assert_array_equal(numpy.asarray(o), numpy.asarray(arrbackend.tanh(z)))


def test_more_than_the_host_holds_is_numpys_memory_error(machine):
    """An array larger than the host's memory and swap: NumPy's MemoryError at once (its
    shards one by one could each be granted, then fill the swap).  A host that grants
    every allocation (vm.overcommit_memory=1) lets NumPy's zeros through: arrbackend still
    refuses it, with the same message as elsewhere."""
    try:
        numpy.zeros((100000, 100000, 100))
        want = None
    except MemoryError as exc:
        want = str(exc)
    with arrbackend.enabled(devices="cpu:1" if machine.devices[0].is_gpu else None):
        # (host memory: GPUs have their own out-of-memory errors, tested with them)
        import numpy as np
        with pytest.raises(MemoryError) as got:
            np.zeros((100000, 100000, 100))
        # an outer product of float16 twice the size of the host's memory and swap
        from arrbackend.distributed.store import _host_memory
        n = math.isqrt((_host_memory() or 2 ** 40) // 4) + 1
        a = np.zeros((2, n), np.uint8)
        with pytest.raises(MemoryError):
            np.ldexp.outer(a, a)
    assert str(got.value) == (want or "Unable to allocate 7.28 TiB for an array with shape "
                              "(100000, 100000, 100) and data type float64")


@pytest.mark.parametrize("src", [
    "v0 = np.zeros(3); np.copyto(v0, 1j, casting='unsafe'); r = v0",
    "v0 = np.zeros(3, int); np.copyto(v0, 2.5, casting='unsafe', "
    "where=np.array([True, False, True])); r = v0",
    "v0 = np.eye(2, 0); r = np.insert(v0, 1, 1j)",
    "v0 = np.arange(4); r = np.insert(v0, [1, 9], 7.5)",
    "v0 = np.arange(4); r = np.insert(v0, [1, 2], 7.5)"])
def test_scalars_cast_as_numpy_casts_them(machine, src):
    """copyto's scalar cast under casting='unsafe' (complex into floats: the real part);
    insert judges its index before its values."""
    _agrees(src, fusion="1")


@pytest.mark.parametrize("src", [
    "v1 = np.zeros((0, 1, 0, 1)); r = v1[..., [], [0], :]",
    "v1 = np.zeros((3, 2)); r = v1[[], [5]]",
    "v1 = np.zeros((3, 2)); v1[[], [7]] = 1; r = v1",
    "v1 = np.zeros((3, 2)); r = v1[[1, 5]]",
    "v1 = np.arange(5.0); np.copyto(v1, v1, where=np.ones(6, bool)); r = v1",
    "v1 = np.arange(5.0); np.copyto(v1, v1[::-1], where=np.ones(6, bool)); r = v1",
    "d = np.zeros((3, 0)).diagonal(); r = np.reshape(d, (0, 0)).flags.writeable",
    "v = np.arange(3.0); r = [np.repeat(v, 0).flags.writeable, np.tile(v, 0).flags.writeable]",
    "r = np.reshape(np.zeros((0, 3))[:, ::2], (2, 0), copy=False).shape"])
def test_nothing_selected_nothing_checked(machine, src):
    """Index arrays that broadcast to nothing are not checked against the axis (as
    NumPy); copyto of an array onto itself does nothing, before any check; an empty
    array reshapes as a view (a read-only one stays so)."""
    def go(np):
        return _outcome(np, src, shape=True)
    want = go(numpy)
    with arrbackend.settings.override(fusion="1"), arrbackend.enabled():
        import numpy as np
        assert go(np) == want


@pytest.mark.parametrize("func", ["cumsum", "cumprod"])
def test_float_scans_in_numpys_order(machine, func):
    """Floating-point scans across devices run in NumPy's order: a zero before an
    overflow stays zero (cumprod of float16 0, 1, ..., 26 is all zeros, not NaN), and
    sums round as NumPy's sequential ones."""
    rng = numpy.random.default_rng(0)
    for a in (numpy.arange(27, dtype=numpy.float16).reshape(3, 3, 3),
              rng.standard_normal(1001), rng.standard_normal((9, 4)).astype(numpy.float32)):
        for axis in (None, 0):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                want = getattr(numpy, func)(a, axis=axis)
                with arrbackend.enabled():
                    import numpy as np
                    got = numpy.asarray(getattr(np, func)(np.asarray(a), axis=axis))
            if machine.devices[0].is_gpu:       # (the GPU library's own arithmetic)
                numpy.testing.assert_allclose(got, want, rtol=1e-3 if a.dtype.itemsize < 8
                                              else 1e-12)
                continue
            assert got.dtype == want.dtype
            numpy.testing.assert_array_equal(got, want)


def test_namespace_floordiv_of_an_element_is_out_of_place(machine):
    """``v[()] //= w`` through the namespace: the element's value is NumPy's scalar,
    divided out of place, then assigned (a sequence into one element: ValueError)."""
    v = arrbackend.array(0, dtype=numpy.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="sequence"):
            v[()] //= arrbackend.zeros(3)
        a = arrbackend.asarray(numpy.array([7, 9]))
        a[0] //= 2
    assert numpy.asarray(a).tolist() == [3, 9]


@pytest.mark.parametrize("src", [
    "v0 = np.zeros((1, 0, 3)); v0[..., [False], [], None] = 1j; r = v0",
    "v0 = np.zeros(3); v0[[True, False]] = 1j; r = v0",
    "v0 = np.zeros(3); v0[[5]] = 1j; r = v0",
    "v0 = np.zeros(3); v0[[5]] = [1, 2]; r = v0",
    "v0 = np.zeros((2, 3), np.uint8); v0[[0, 1], [True, False, True]] = -1; r = v0"])
def test_fancy_assignment_judges_index_and_value_in_numpys_order(machine, src):
    """A boolean index of the wrong shape is NumPy's IndexError before the value is
    converted; integers out of bounds come after the value's errors."""
    _agrees(src)


@pytest.mark.parametrize("src", [
    "v0 = np.eye(1, 0); r = np.logical_and.reduce(v0, where=np.array([True, True]))",
    "v0 = np.ones((3, 2)); r = np.add.reduce(v0, where=np.array([True, False, True]))",
    "v0 = np.ones((3, 2)); r = np.add.reduce(v0, axis=1, where=np.array([[True], [False]]))",
    "v0 = np.ones((3, 2)); r = np.multiply.reduce(v0, where=np.array([True, False]))"])
def test_reduce_where_must_broadcast_to_the_array(machine, src):
    """ufunc.reduce's where= that does not broadcast to the array, empty or not: NumPy's
    ValueError (a stand-in of size one would have taken it)."""
    _agrees(src)


@pytest.mark.parametrize("src", [
    "v0 = np.arange(0.0); v4 = v0 / None; r = np.add.outer(v0, v4)",
    "v0 = np.arange(3.0); r = np.add.outer(v0, np.array([1, 2], dtype=object))",
    "v0 = np.arange(3.0); r = np.subtract.accumulate(v0 + np.array([1, 2, 3], dtype=object))",
    "v0 = np.arange(1, dtype=np.int8).reshape(()); np.add.at(v0, (), 300); r = v0",
    "v0 = np.arange(3, dtype=np.int8); np.add.at(v0, [0, 0], 300); r = v0",
    "v0 = np.arange(3, dtype=np.uint8); np.subtract.at(v0, [2, 0], 1); r = v0",
    "v0 = np.arange(3, dtype=np.int16); np.multiply.at(v0, [1, 2], 2.7); r = v0"])
def test_ufunc_methods_take_what_numpy_takes(machine, src):
    """ufunc methods given an operand of object data answer as NumPy (its answer on the
    host, not an internal error); ufunc.at converts a Python number as an array, as
    NumPy's does (300 added into int8 wraps)."""
    _agrees(src)


@pytest.mark.parametrize("src", [
    "v0 = np.array([0, 1, 5], np.uint8); r = np.clip(v0, -1, 2)",
    "v0 = np.array([0, 1, 5], np.uint8); r = np.clip(v0, 1, 2 ** 70)",
    "v0 = np.array([0, 1, 5], np.int8); r = np.clip(v0, -300, 300)",
    "v0 = np.array([0, 1, 5], np.uint8); r = np.clip(v0, 300, 400)",
    "v0 = np.array([0, 1, 5], np.uint8); r = np.clip(v0, None, -3)",
    "v0 = np.array([], np.complex64); r = np.logical_and.outer(v0, v0)",
    "v0 = np.array([0, 1j, 2], np.complex64); r = np.logical_or(v0, v0[::-1])",
    "v0 = np.array([0, 1j, 2], np.complex128); r = np.logical_not(v0)"])
def test_library_gaps_answer_as_numpy(machine, src):
    """Where a device library refuses what NumPy takes: clip's Python int bounds beyond
    the dtype's range bound nothing; the logical ufuncs take complex values."""
    _agrees(src)


@pytest.mark.parametrize("shape", [(3, 0), (3, 2)])
def test_two_outputs_of_different_shapes(machine, shape):
    """Outputs take part in the broadcast: one output of a larger shape leaves the other
    non-broadcastable (NumPy's ValueError), empty arrays too."""
    src = (f"v1 = np.ones({shape}); v0 = np.zeros((3,) + {shape}); "
           f"r = np.frexp(v1, out=(v1, v0.astype(np.int32)))")
    want = _outcome(numpy, src)
    with arrbackend.enabled():
        import numpy as np
        got = _outcome(np, src)
    assert got == want == ValueError


@pytest.mark.parametrize("src", [
    "v0 = np.arange(3.0); r = np.array([v0, 2], dtype=object)[0]",
    "v0 = np.arange(3.0); r = np.array([v0, v0 * 2], dtype=object)",
    "v0 = np.arange(3.0); r = np.array([[v0], [v0]], dtype='U5')"])
def test_host_dtype_arrays_from_lists_of_arrays(machine, src):
    """np.array of a list holding arrbackend arrays into object or string data: NumPy's
    array, built from the values (ragged lists become arrays of arrays)."""
    _agrees(src, shape=True)


def test_float_products_across_devices_in_numpys_order(machine):
    """A product along the split axis meets a zero before the overflow as NumPy's
    sequential product does (0, not nan), over the CPU devices of one process."""
    rng = numpy.random.default_rng(3)
    cases = [numpy.sort((numpy.arange(70000) % 5).astype(float)),
             numpy.array([0.0] + [1e300] * 100), rng.random((9, 4)) * 3,
             (rng.random((12, 3)) * 3).astype(numpy.float32), rng.random(50) + 1j]
    with arrbackend.enabled():
        import numpy as np
        for i, v in enumerate(cases):
            if i < 2 and machine.devices[0].is_gpu:
                continue                # (documented: a GPU's products are parallel)
            for f in (lambda t: t.prod(), lambda t: np.multiply.reduce(t),
                      lambda t: np.prod(t, axis=0, keepdims=True)):
                with numpy.errstate(all="ignore"):
                    want = f(v)
                    got = arrbackend.asnumpy(f(np.asarray(v)))
                assert got.dtype == want.dtype
                numpy.testing.assert_allclose(got, want, rtol=1e-12 if v.dtype.itemsize
                                              >= 8 else 1e-5)


@pytest.mark.parametrize("src", [
    "v0 = np.array([], dtype=np.int8); r = v0 ** (-1)",
    "v0 = np.array([], dtype=np.uint16); r = np.power(v0, -2)",
    "v0 = np.array([], dtype=np.int16); r = np.power(v0, -2)",
    "v0 = np.zeros((2, 0), dtype=np.int32); r = np.power(v0, np.int64(-1))"])
def test_empty_integers_to_negative_powers_keep_numpys_dtype(machine, src):
    """An empty integer array to a negative Python int power: no error (nothing is
    computed) and NumPy's dtype (the Python int stays weak)."""
    src += "; r = str(r.dtype) + str(r.shape)"
    want = _outcome(numpy, src)
    for fusion in ("0", "1"):
        with arrbackend.settings.override(fusion=fusion), arrbackend.enabled():
            import numpy as np
            got = _outcome(np, src)
        assert got == want, fusion


@pytest.mark.parametrize("src", [
    "np.cumsum(np.full((), 0, np.int8), out=np.full((), 1, np.int8))",
    "np.cumprod(np.full((), 2.0), out=np.full((), 1.0))",
    "np.add.accumulate(np.zeros(3), out=np.zeros(()))",
    "np.cumsum(np.zeros(3), out=np.zeros(()))",
    "np.nancumsum(np.zeros(3), out=np.zeros(()))",
    "np.zeros(3).cumprod(out=np.zeros(()))"])
def test_accumulations_into_a_0d_out_raise(machine, src):
    """An accumulation into a 0-d out=: NumPy 2.4's own crashes the process there; ours
    raises NumPy's error for an out of the wrong size (the statements are not run on
    NumPy)."""
    with arrbackend.enabled():
        import numpy as np
        with pytest.raises(ValueError, match="provided out is the wrong size"):
            eval(src, {"np": np})


@pytest.mark.parametrize("src", [
    "r = 70000 @ np.array([0, 0], dtype=np.int8)",
    "r = 3 @ np.array([0, 0], dtype=np.int8)",
    "r = np.matmul(np.ones(2), 2.5)",
    "r = np.array([[1, 2]], np.uint8) @ -1"])
def test_matmul_with_a_python_number_raises_numpys_error(machine, src):
    """A Python number in matmul: NumPy converts it before judging its dimensions
    (OverflowError beside int8), then ValueError."""
    _agrees(src)


@pytest.mark.parametrize("src", [
    "v0 = np.array([1., 2.5]); v3 = np.zeros(2, object); "
    "v5, v6 = np.divmod(v0, np.array([2., 1.]), out=(v0, v3)); "
    "r = v0.tolist() + v3.tolist() + [v5 is v0, v6 is v3]",
    "v0 = np.array([], dtype=np.float64); v3 = v0 / None; "
    "v5, v6 = np.divmod(v0, v0, out=(v0, v3)); r = [v5 is v0, v6 is v3, v3.dtype == object]",
    "v0 = np.arange(3.); v1 = np.zeros(3, object); np.modf(v0 / 2, out=(v1, v0)); "
    "r = [v0.tolist(), v1.tolist()]"])
def test_outputs_of_both_kinds(machine, src):
    """A two-output ufunc whose outputs are one device array and one NumPy array (of
    objects): NumPy's answer, written into both."""
    _agrees(src)


@pytest.mark.parametrize("src", [
    "v0 = np.eye(0, 0, k=0, dtype=np.float64); v2 = v0 / None; "
    "np.bitwise_or.at(v2, [0], np.array([0.0], dtype=np.float64)); r = 1",
    "v2 = np.zeros(2, object); np.add.at(v2, [1], np.array([2.5])); r = v2.tolist()"])
def test_ufunc_at_into_objects_is_numpys(machine, src):
    """ufunc.at into a NumPy array of objects with device values: NumPy's own call, its
    errors in its order (an index out of bounds before any element is computed)."""
    _agrees(src)


def test_an_outer_product_larger_than_the_host_is_refused_before_numpy_allocates(
        machine, monkeypatch):
    """ufunc.outer checks its product's size against the host's memory before NumPy
    allocates it: a host that grants every allocation would otherwise fill its memory
    (the limit is lowered here to 1 GiB)."""
    from arrbackend.distributed import store
    monkeypatch.setattr(store, "_host_bytes", [1 << 30])
    with arrbackend.enabled(devices="cpu:1" if machine.devices[0].is_gpu else None):
        import numpy as np
        a = np.zeros((2, 16385), np.uint8)
        with pytest.raises(MemoryError, match=r"Unable to allocate 2.00 GiB for an array "
                                              r"with shape \(2, 16385, 2, 16385\) and data "
                                              r"type float16"):
            np.ldexp.outer(a, a)
        small = np.add.outer(a[0, :3], a[0, :4])          # (within the limit: computed)
        assert small.shape == (3, 4) and int(small.sum()) == 0


@pytest.mark.parametrize("src", [
    "v = np.zeros((3, 0)); r = np.cumprod(v, out=v)",
    "v = np.zeros((3, 0)); r = np.cumsum(v, out=np.zeros((0, 4)))",
    "v = np.zeros((3, 0)); r = np.cumsum(v, axis=1, out=np.zeros((0, 3)))",
    "v = np.zeros((2, 0, 2)); r = np.cumsum(v, axis=0, out=np.zeros((0,)))",
    "v0 = np.arange(3.0); r = np.cumprod(v0, out=v0[[]])",
    "r = np.cumsum(np.arange(3.0), out=np.zeros((1, 0)))",
    "r = np.cumsum(np.arange(6.0).reshape(2, 3), axis=1, out=np.zeros((0, 3)))",
    "r = np.add.accumulate(np.arange(3.0), out=np.zeros(0))",
    "r = np.maximum.accumulate(np.arange(6.0).reshape(2, 3), axis=1, out=np.zeros((0, 3)))",
    "r = np.cumulative_sum(np.arange(3.0), out=np.empty((0, 2)))",
    "r = np.cumulative_prod(np.arange(3.0), out=np.empty(0), include_initial=True)",
    # (a read-only empty out= is still refused)
    "r = np.cumsum(np.arange(3.0), out=np.broadcast_to(np.ones(1), (0,)))",
    "r = np.add.accumulate(np.arange(3.0), out=np.broadcast_to(np.ones(1), (0,)))",
    "r = np.cumulative_sum(np.arange(3.0), out=np.broadcast_to(np.ones(1), (0,)))"])
def test_empty_accumulations_into_an_out_of_another_empty_shape(machine, src):
    """A scan whose ``out=`` is empty in another shape: NumPy's answer (it takes the
    whole of a (3, 0) array scanned into itself, and three elements scanned into an empty
    ``out=``, left as it is) or NumPy's error, on every machine."""
    _agrees(src, shape=True)


@pytest.mark.parametrize("src", [
    "r = np.repeat(np.array(0.0), 0, axis=0)",
    "r = np.repeat(np.array(2.0), 2, axis=-1)",
    "r = np.repeat(np.array(2.0), [3], axis=0)",
    "r = np.repeat(np.array(2.0), 2, axis=1)",
    "r = np.take(np.array(3.0), [0, 0], axis=-1)",
    "r = np.take(np.array(3.0), 0, axis=1)",
    "r = np.compress([True], np.array(3.0), axis=0)",
    "r = np.argpartition(np.array(3.0), 0, axis=0)",
    "r = np.partition(np.array(3.0), 0, axis=0)",
    "r = np.argmax(np.array(0.0), out=np.array(0.0))",
    "r = np.argmin(np.array(0.0), out=np.array(0, np.int32))",
    "r = np.nanargmax(np.array(1.0), out=np.array(0.0))",
])
def test_a_0d_array_taken_as_1d_by_axis(machine, src):
    """Functions NumPy gives a 0-d array as a 1-d one where an axis is named (its
    ``PyArray_CheckAxis``): ``repeat``, ``take``, ``compress``, ``argpartition``; and an
    ``out=`` of the arg-reductions of a 0-d array checked as NumPy checks it."""
    _agrees(src, shape=True)


def test_an_equal_view_of_a_larger_array_is_no_identity(machine):
    """An array's own index map and an equal-looking view of a larger array (the first
    two rows of four) are equal maps; a view of either keeps which it is (a cached child
    of one once answered for the other: the write went over the whole larger array)."""
    _agrees("t = np.tile(np.arange(3.0)[:1], (2, 3))\n"
            "t[...] = t + 1\n"
            "y = np.arange(12.0).reshape(4, 3)\n"
            "p = np.array_split(y, 3)[0]\n"
            "p[...] = p + 1\n"
            "r = (y, t)", shape=True)


def test_nonzero_gives_columns_of_one_array(machine):
    """``np.nonzero`` of a 2-d array gives, as NumPy's, the columns of one array of
    coordinates: a ravel of one is a copy, so a later write into it leaves the ravel."""
    _agrees("v0 = np.arange(9, dtype=np.float64).reshape((3, 3))\n"
            "v1, v2 = np.nonzero(v0)\n"
            "v3 = v1.ravel()\n"
            "v1 += v1\n"
            "r = (v1, v2, v3)", shape=True)


@pytest.mark.parametrize("src", [
    "r = np.take(np.eye(0, 0), 0, axis=1)",
    "r = np.take(np.zeros((1, 0, 1)), 1, axis=-1)",
    "r = np.take(np.zeros((0, 3)), 5, axis=1)",
    "r = np.take(np.zeros((0,)), [1])",
    "r = np.take(np.zeros((2, 0)), [5], axis=0)",
    "r = np.take(np.zeros((0, 0)), 0, axis=0)",
    "r = np.take(np.zeros((3, 0)), 7, axis=0)",
    "r = np.take(np.zeros((0, 3)), 5, axis=1, mode='bogus')",
    "r = np.take(np.zeros((2, 0)), 1, axis=1, mode='clip')",
    "r = np.take(np.arange(6.0), np.zeros(0, int), out=np.broadcast_to(np.ones(1), (0,)))",
])
def test_take_of_empty_results_checks_what_numpy_checks(machine, src):
    """``take`` checks an index once per position before its axis, as NumPy copies (an
    index past an axis of an empty array behind an empty leading axis is no error), and
    a read-only ``out=`` is refused even for an empty result."""
    _agrees(src, shape=True)


@pytest.mark.parametrize("src", [
    "r = np.median(np.zeros((1, 0, 3)), axis=(0, 2))",
    "r = np.quantile(np.zeros((1, 0, 3)), 0.5, axis=(0, 2))",
    "r = np.nanmedian(np.zeros((1, 0, 3)), axis=(0, 2))",
    "r = np.copyto(np.array(0.0), np.array(0.0), where=np.array([True, True]))",
    "v = np.array(1.0); v.flags.writeable = False; r = np.copyto(v, v)",
    "v = np.arange(3.0); v.flags.writeable = False; np.copyto(v, v); r = v",
    "v = np.arange(9.0).reshape(3, 3)[:, 4:].imag; r = np.tile(v, 2).flags.writeable",
    "r = np.tile(np.zeros((0, 3)), (2, 2))",
    "x = (np.arange(70000) % 5).astype(np.float64).reshape(-1, 4)\n"
    "w = (np.arange(70000) % 7 - 3).astype(bool).reshape(-1, 4)\n"
    "r = np.argsort(np.var(x, axis=1, where=w), kind='stable')",
    "v = np.array(1 + 2j, np.complex64); r = np.add.reduce(v, dtype=np.int64)",
    "v = np.array([1 + 2j, 3j, 2.5 - 1j]); r = np.sum(v, dtype=np.float32)",
    "v = np.array([1 + 2j, 3j, 2.5 - 1j]); r = np.prod(v, axis=0, dtype=np.int8)",
    "r = np.signbit(np.sign(np.array([-0.0, 0.0, -1.5, 2.0])))",
    "r = np.signbit(np.sign(np.array([-0.0, 0.0], np.float32)))",
    "r = np.clip(np.array([0j, 1 + 3j, -2 - 1j, 2 + 0.5j], np.complex64), -1, 2)",
    "r = np.clip(np.array([0j, 1 + 3j, -2 - 1j]), np.array(1j), None)",
    "r = np.spacing(np.array([0, 0, -1, 3, -4], dtype=np.int8))",
    "r = np.spacing(np.array([-1.0, -0.0, 65504.0, -3e-6], dtype=np.float16))",
    "v = np.arange(1, 4.0).reshape(3, 1); r = np.cumprod(v, out=v); r = v",
    "v = np.arange(1, 7.0).reshape(3, 2); r = np.cumsum(v, out=v)",
    "r = np.linalg.solve(np.eye(3)[None] * (1 + 1j), np.zeros((1, 3, 0), np.complex64))",
    "r = np.linalg.solve(np.zeros((2, 0, 0)), np.zeros((2, 0, 4)))",
    "v0 = np.arange(3.0).reshape(3, 1); v1 = np.repeat(v0, [2], axis=1); v2 = v1.ravel()\n"
    "v1[:, :] = 0.0; r = v2",
    "v1 = np.take(np.arange(24.0).reshape(2, 3, 4), [0, 2], axis=2); v2 = v1.ravel()\n"
    "v1[...] = 5.0; r = v2",
    "r = np.take(np.arange(12.0).reshape(3, 4), [[0], [2]], axis=1).flags.c_contiguous",
    "v2 = np.concatenate([np.eye(4, 2, dtype=np.int64)] * 2, axis=1)\n"
    "r = np.dot(v2, np.eye(4, 2, dtype=np.int64), out=np.argwhere(v2))",
    "r = np.dot(np.ones((2, 2)), np.ones((2, 2)), out=np.zeros((2, 2)).T)",
])
def test_edges_the_engine_paths_met(machine, src):
    """Random programs on ``cpu:1-engine`` (the GPU's paths): ``median``/``quantile``
    over several axes of an empty array (NumPy's reshape error; the NaN versions answer),
    ``copyto`` of an array onto itself still checks ``where=``, ``tile`` of an empty
    array is NumPy's reshape of it (read-only if it is), and a reduction with
    ``where=`` on one CPU device adds in NumPy's order (a stable ``argsort`` of ``var``
    sees the last bits).  On a GPU: a complex array reduced in a real dtype (NumPy casts
    it first; the GPU's reduction kernel cannot), the sign of -0.0 is +0.0, ``clip`` of
    complex values, NumPy's float16 ``spacing`` (positive, the gap below -1 for -1), a
    (3, 1) array scanned whole into itself (NumPy accepts it), ``solve`` with nothing to
    solve (the device library divides by a zero stride), ``take``/``repeat`` along a
    later axis write a C-ordered array as NumPy's do (its ``ravel()`` a view)."""
    if "argsort" in src and machine.devices[0].is_gpu:
        # a GPU adds in parallel (docs/differences.md): the variances agree to rounding,
        # the order of near-ties need not
        src = src.replace("np.argsort(", "(").replace(", kind='stable')", ")")
        want, got = {}, {}
        exec(src, {"np": numpy}, want)
        with arrbackend.enabled():
            import numpy as np
            exec(src, {"np": np}, got)
        numpy.testing.assert_allclose(arrbackend.asnumpy(got["r"]), want["r"], rtol=1e-12)
        return
    _agrees(src, shape=True)
