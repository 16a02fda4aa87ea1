"""Profiles: where a NumPy program's time, kernels and data movement go.

>>> import numpy as np
>>> import arrbackend
>>> with arrbackend.enabled(devices="cpu:2"), arrbackend.profile() as p:
...     x = np.ones(1000)
...     total = float(np.sum(x * 2))
>>> sorted(row["name"] for row in p.to_dict()["functions"])
['ndarray.__float__', 'numpy.multiply', 'numpy.sum']

``print(p)`` shows a table, one row per NumPy function (and per ufunc): the calls, the
time (total, and *self*: without the NumPy calls made inside it), the kernels launched
(and how many of them were generated and compiled for the occasion), the bytes exchanged
between devices, the copies to and from the host, and the fallbacks to NumPy.
``p.to_dict()`` returns the same numbers as data, ``p.chrome_trace(path)`` writes a
timeline for ``chrome://tracing`` or Perfetto.

What is measured, and how:

* Every NumPy call that reaches arrbackend is timed while a profile is active: ``np.f(x)``
  through ``__array_function__`` / ``__array_ufunc__`` (``arrbackend.dispatch.protocols``
  calls ``protocols.hook``), operators and ``np.<ufunc>(x)``, array methods, indexing and
  assignment, conversions to Python and to NumPy, and the functions of the ``arrbackend``
  namespaces.  Outside a profile nothing is measured and nothing is wrapped.
* The counters (``arrbackend.counters``) that a call increments are attributed, through
  ``counters.listeners``, to the innermost NumPy call in progress; increments made outside
  any call (creation functions routed by ``enabled()``, for instance) are shown on a row of
  their own.
* On GPUs the devices are synchronized at the end of every profiled call, so that a call's
  time includes the device work it launched (``sync=False`` keeps launches asynchronous:
  times then show the cost of launching only).  With deferred evaluation, elementwise
  operations only record an expression; their kernel runs, and is timed, in the call that
  needs the values (an assignment ``x[...] = ...``, a reduction, ``float()``).

``profile(check=True)`` also watches for slow patterns and warns (``PerformanceWarning``)
at the line of the user's program that causes them: a fallback to NumPy repeated at one
line (a fallback inside a loop), ``float()`` / ``.item()`` / ``bool()`` of an array repeated
at one line, copies between the host and the devices repeated at one line, and Python's
builtin ``sum`` (or any Python loop) iterating over an arrbackend array element by element.

Diagnostics go to the ``logging`` logger named ``arrbackend``.
"""
from __future__ import annotations

import builtins
import dis
import json
import logging
import os
import sys
import threading
import time
import warnings
from collections import Counter

import numpy

from ._counters import counters
from .dispatch import protocols

__all__ = ["profile", "Profile", "PerformanceWarning", "REPEATS", "ITERATION_ELEMENTS"]

logger = logging.getLogger("arrbackend")

REPEATS = 5
"""The checker reports a pattern once it has happened this many times at one line."""

ITERATION_ELEMENTS = 100
"""The checker reports a Python loop over an arrbackend array at this many elements."""

OUTSIDE = "(outside NumPy calls)"
"""The row of counter increments made while no profiled call was in progress."""

_COUNTER_NAMES = tuple(counters.snapshot())


class PerformanceWarning(UserWarning):
    """A slow pattern found by ``arrbackend.profile(check=True)``; the warning points at the
    line of the program that causes it."""


# ---------------------------------------------------------------------------------------
# The recorder: one stack of calls in progress per thread, shared by the active profiles

class _Frame:
    __slots__ = ("key", "t0", "child", "counts", "seen")

    def __init__(self, key) -> None:
        self.key = key
        self.t0 = 0
        self.child = 0
        self.counts = None
        self.seen = None


_local = threading.local()
_lock = threading.RLock()
_active: tuple = ()              # the profiles being recorded, outermost first
_sync = False                    # synchronize GPUs at the end of each call
_checking = 0                    # active profiles with check=True
_main_stack: list | None = None  # the stack of the thread that started profiling
_installed: list = []            # (owner, attribute, original) replaced while profiling
_perf_ns = time.perf_counter_ns


def _stack() -> list:
    try:
        return _local.stack
    except AttributeError:
        s = _local.stack = []
        return s


def _hook(key, call, args, kwargs=None):
    """Run ``call(*args, **kwargs)`` as one profiled call of ``key``."""
    if type(key) is tuple and key[1] == "__call__":
        key = key[0]
    stack = _stack()
    if stack and stack[-1].key == key:        # the same call entering a second door
        return call(*args) if kwargs is None else call(*args, **kwargs)
    frame = _Frame(key)
    stack.append(frame)
    if _checking and key in _HOST_COPIES:
        _check_event("to_host", frame)
    t0 = frame.t0 = _perf_ns()
    try:
        return call(*args) if kwargs is None else call(*args, **kwargs)
    finally:
        if _sync:
            import arrbackend
            arrbackend.synchronize()
        dur = _perf_ns() - t0
        stack.pop()
        if stack:
            stack[-1].child += dur
        for p in _active:
            p._add(frame, dur)


# calls that copy an array to the host on any machine (the counters see GPU copies only)
_HOST_COPIES = frozenset({"ndarray.__array__", "ndarray.tolist", "arrbackend.asnumpy"})

_CHECKED = {"fallbacks": "fallback", "syncs": "scalar", "host_transfers": "to_host",
            "to_device": "to_device"}


def _on_count(name: str, amount: int) -> None:
    """``counters.listeners`` entry: attribute an increment to the innermost call."""
    stack = _stack() or _main_stack
    frame = stack[-1] if stack else None
    if frame is not None:
        c = frame.counts
        if c is None:
            c = frame.counts = {}
        c[name] = c.get(name, 0) + amount
    else:
        for p in _active:
            p._outside[name] += amount
    if _checking and name in _CHECKED:
        _check_event(_CHECKED[name], frame)


# ---------------------------------------------------------------------------------------
# Names of what was called

_names: dict = {}


def _describe(key) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, tuple):
        return f"{_describe(key[0])}.{key[1]}"
    if isinstance(key, numpy.ufunc):
        return f"numpy.{key.__name__}"
    from .api.registry import lookup
    impl = lookup(key)
    if impl is not None:
        return f"{impl.module}.{impl.name}"
    return _public_name(key)


_PUBLIC = ("numpy", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.lib.stride_tricks",
           "numpy.polynomial")


def _public_name(func) -> str:
    """``numpy.unwrap`` rather than ``numpy.lib._function_base_impl.unwrap``."""
    name = getattr(func, "__name__", None)
    if name is not None:
        for modname in _PUBLIC:
            obj = getattr(sys.modules.get(modname), name, None)
            if obj is not None and (obj is func or getattr(obj, "__wrapped__", None) is func):
                return f"{modname}.{name}"
    from .api.fallback import _qualname
    if getattr(func, "_arrbackend_routed", False):          # NumPy's, under enabled()
        func = func.__wrapped__
    return _qualname(func)


def _name(key) -> str:
    try:
        return _names[key]
    except KeyError:
        n = _names[key] = _describe(key)
        return n
    except TypeError:              # an unhashable key: described each time
        return _describe(key)


# ---------------------------------------------------------------------------------------
# Entry points that do not pass through dispatch/protocols.py: wrapped while profiling

_NDARRAY_METHODS = ("__getitem__", "__setitem__", "__float__", "__int__", "__bool__",
                    "__complex__", "__index__", "item", "tolist", "__array__", "__repr__",
                    "__str__", "astype")


def _wrap_ufunc_call(orig):
    def ufunc_call(ufunc, inputs, kwargs):
        return _hook(ufunc, orig, (ufunc, inputs, kwargs))
    return ufunc_call


def _wrap_call(orig):
    def _call(npfunc, *args, **kwargs):
        return _hook(npfunc, orig, (npfunc,) + args, kwargs)
    return _call


def _wrap_method(name: str):
    key = f"ndarray.{name}"

    def wrap(orig):
        def method(self, *args, **kwargs):
            return _hook(key, orig, (self,) + args, kwargs)
        method.__name__ = orig.__name__
        method.__qualname__ = orig.__qualname__
        method.__doc__ = orig.__doc__
        method.__wrapped__ = orig
        return method
    return wrap


def _wrap_proxy_call(orig):
    def __call__(self, *args, **kwargs):
        return _hook(self._ufunc, orig, (self,) + args, kwargs)
    return __call__


def _wrap_function(key):
    def wrap(orig):
        def function(*args, **kwargs):
            return _hook(key, orig, args, kwargs)
        function.__name__ = getattr(orig, "__name__", "function")
        function.__qualname__ = getattr(orig, "__qualname__", function.__name__)
        function.__doc__ = orig.__doc__
        function.__wrapped__ = orig
        return function
    return wrap


def _entry_points() -> list:
    """(owner, attribute, wrapper factory) for each way into arrbackend that does not call
    ``protocols.hook`` itself: operators and ``np.<ufunc>(x)`` (``_ndarray._ufunc_call``),
    array methods (``_ndarray._call`` and the methods below), ``arrbackend.<ufunc>``
    (``ufunc_proxy.__call__``) and the registered functions of the ``arrbackend``
    namespaces (``import arrbackend as np``).  (Warnings name the first frame outside
    arrbackend and NumPy, so the profiler's frames do not shift them.)"""
    from . import _ndarray
    from .api.ufuncs import ufunc_proxy
    from .api.registry import by_name
    nd = _ndarray.ndarray
    eps = [(_ndarray, "_ufunc_call", _wrap_ufunc_call), (_ndarray, "_call", _wrap_call),
           (ufunc_proxy, "__call__", _wrap_proxy_call)]
    eps += [(nd, name, _wrap_method(name)) for name in _NDARRAY_METHODS if name in vars(nd)]
    import arrbackend
    eps.append((arrbackend, "asnumpy", _wrap_function("arrbackend.asnumpy")))
    impls = {id(i.func): i for i in by_name().values()}
    for modname in ("arrbackend", "arrbackend.linalg", "arrbackend.fft", "arrbackend.random"):
        mod = sys.modules.get(modname)
        if mod is None:
            continue
        for attr, obj in list(vars(mod).items()):
            impl = impls.get(id(obj))
            if impl is not None and callable(obj):
                key = impl.numpy_func if impl.numpy_func is not None else \
                    f"arrbackend.{impl.name}"
                eps.append((mod, attr, _wrap_function(key)))
    return eps


def _install() -> None:
    global _main_stack
    _main_stack = _stack()
    for owner, attr, wrap in _entry_points():
        orig = vars(owner)[attr]
        setattr(owner, attr, wrap(orig))
        _installed.append((owner, attr, orig))
    counters.listeners.append(_on_count)
    protocols.hook = _hook


def _uninstall() -> None:
    global _main_stack
    protocols.hook = None
    if _on_count in counters.listeners:
        counters.listeners.remove(_on_count)
    while _installed:
        owner, attr, orig = _installed.pop()
        setattr(owner, attr, orig)
    _main_stack = None


# ---------------------------------------------------------------------------------------
# The checker

def _user_frame(depth: int = 2):
    """The innermost frame of the user's program (not arrbackend, NumPy, the standard
    library or an installed package), or None."""
    from ._origin import is_user_file as _is_user_file
    f = sys._getframe(depth)
    while f is not None:
        if _is_user_file(f.f_code.co_filename):
            return f
        f = f.f_back
    return None


_ADVICE = {
    "fallback": ("{what} ran through the fallback {n} times at this line (in a loop?): each "
                 "call copies its operands to the host, runs NumPy and copies the result "
                 "back. Move the call out of the loop, or use a function arrbackend "
                 "implements (see the coverage table)."),
    "scalar": ("{what}: converting an arrbackend array to a Python value (float(), int(), "
               "bool(), .item()) happened {n} times at this line (in a loop?): each one "
               "waits for the devices and copies the value to the host. Keep the values in "
               "an array and convert once, after the loop."),
    "to_host": ("{what}: arrbackend data was copied to the host {n} times at this line (in "
                "a loop?). Keep the work on arrbackend arrays, or copy once with "
                "arrbackend.asnumpy() outside the loop."),
    "to_device": ("{what}: host data was copied to the devices {n} times at this line (in "
                  "a loop?). Make the array once, before the loop, with np.asarray()."),
}


def _check_event(kind: str, frame) -> None:
    if frame is not None:
        seen = frame.seen
        if seen is None:
            seen = frame.seen = set()
        if kind in ("to_host", "to_device") and seen & {"fallback", "scalar"}:
            return                    # the copy of a fallback or a conversion, reported there
        if kind in seen:
            return                    # one event per call
        seen.add(kind)
    uf = _user_frame(3)
    if uf is None:
        return
    what = _name(frame.key) if frame is not None else "a call"
    for p in _active:
        if p.check:
            p._checker_hit(kind, uf, what)


def _warn_at(frame, message: str) -> None:
    logger.debug("performance: %s:%s: %s", frame.f_code.co_filename, frame.f_lineno, message)
    warnings.warn_explicit(message, PerformanceWarning, frame.f_code.co_filename,
                           frame.f_lineno, module=frame.f_globals.get("__name__") or
                           frame.f_code.co_filename, registry=None)


def _calls_builtin_sum(frame) -> bool:
    """Whether the current line of ``frame`` calls Python's builtin ``sum``."""
    try:
        if frame.f_locals.get("sum", frame.f_globals.get("sum", builtins.sum)) \
                is not builtins.sum:
            return False
        line, current = frame.f_lineno, None
        for ins in dis.get_instructions(frame.f_code):
            pos = getattr(ins, "positions", None)
            if pos is not None and pos.lineno is not None:
                current = pos.lineno
            elif isinstance(getattr(ins, "starts_line", None), int) and \
                    not isinstance(ins.starts_line, bool):
                current = ins.starts_line
            if ins.offset > frame.f_lasti:
                break
            if current == line and ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and \
                    ins.argval == "sum":
                return True
    except Exception:  # noqa: BLE001  (a heuristic for the message only)
        return False
    return False


def _wrap_iter(orig):
    def __iter__(self):
        frame = _user_frame(2)
        site = None if frame is None else (frame.f_code.co_filename, frame.f_lineno)
        summing = frame is not None and _calls_builtin_sum(frame)
        n = 0
        for item in orig(self):
            n += 1
            if site is not None and (n == 2 or n % ITERATION_ELEMENTS == 0):
                for p in _active:
                    if p.check:
                        p._iteration(site, frame, summing, n)
            yield item
    __iter__.__wrapped__ = orig
    return __iter__


# ---------------------------------------------------------------------------------------
# Profiles

class _Row:
    __slots__ = ("calls", "total", "self_", "counts")

    def __init__(self) -> None:
        self.calls = 0
        self.total = 0
        self.self_ = 0
        self.counts = Counter()


class Profile:
    """The calls, times and counters recorded while the profile was active.

    Made by :func:`arrbackend.profile`; use it as a context manager.  ``print(profile)``
    shows the table; :meth:`to_dict` and :meth:`chrome_trace` give the data.
    """

    def __init__(self, check: bool = False, sync: bool | None = None,
                 max_events: int = 200_000) -> None:
        self.check = bool(check)
        self.sync = sync
        self.max_events = int(max_events)
        self._rows: dict = {}
        self._outside: Counter = Counter()
        self._events: list = []
        self._dropped = 0
        self._t0 = None
        self._wall = 0
        self._running = False
        self._machine = None
        self._hits: Counter = Counter()
        self._warned: set = set()

    # recording ------------------------------------------------------------------------
    def __enter__(self) -> "Profile":
        global _active, _sync, _checking
        if self._running:
            raise RuntimeError("arrbackend.profile: this profile is already active")
        from .distributed.machine import current_machine
        m = current_machine()
        self._machine = m.spec if m.spec != "auto" else ",".join(map(repr, m.devices))
        sync = m.is_gpu if self.sync is None else bool(self.sync)
        with _lock:
            if not _active:
                _install()
            if self.check:
                if _checking == 0:
                    self._install_check()
                _checking += 1
            _active = _active + (self,)
            _sync = _sync or sync
            self._sync_now = sync
        self._running = True
        logger.debug("profile started on %s (check=%s, sync=%s)", self._machine, self.check,
                     sync)
        if self._t0 is None:
            self._t0 = _perf_ns()
        self._entered = _perf_ns()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        global _active, _sync, _checking
        self._wall += _perf_ns() - self._entered
        with _lock:
            _active = tuple(p for p in _active if p is not self)
            _sync = any(p._sync_now for p in _active)
            if self.check:
                _checking -= 1
                if _checking == 0:
                    self._uninstall_check()
            if not _active:
                _uninstall()
        self._running = False
        logger.debug("profile stopped: %s in %.6f s", _plural(self.calls, "call"),
                     self._wall / 1e9)
        return False

    @staticmethod
    def _install_check() -> None:
        from .distributed.array import ndarray
        orig = vars(ndarray)["__iter__"]
        ndarray.__iter__ = _wrap_iter(orig)
        _installed.insert(0, (ndarray, "__iter__", orig))

    @staticmethod
    def _uninstall_check() -> None:
        from .distributed.array import ndarray
        for i, (owner, attr, orig) in enumerate(_installed):
            if owner is ndarray and attr == "__iter__":
                setattr(owner, attr, orig)
                del _installed[i]
                break

    def _add(self, frame: _Frame, dur: int) -> None:
        if frame.t0 < self._entered:
            return                        # began before this profile did
        name = _name(frame.key)
        row = self._rows.get(name)
        if row is None:
            row = self._rows[name] = _Row()
        row.calls += 1
        row.total += dur
        row.self_ += dur - frame.child
        if frame.counts:
            row.counts.update(frame.counts)
        if len(self._events) < self.max_events:
            self._events.append((name, threading.get_ident(), frame.t0, dur, frame.counts))
        else:
            self._dropped += 1

    def _checker_hit(self, kind: str, frame, what: str) -> None:
        site = (kind, frame.f_code.co_filename, frame.f_lineno)
        self._hits[site] += 1
        n = self._hits[site]
        if n == REPEATS and site not in self._warned:
            self._warned.add(site)
            _warn_at(frame, "arrbackend: " + _ADVICE[kind].format(what=what, n=n))

    def _iteration(self, site, frame, summing: bool, n: int) -> None:
        key = ("iterate",) + site
        if key in self._warned:
            return
        if summing:
            msg = ("arrbackend: Python's builtin sum() iterates over an arrbackend array "
                   "element by element (one small array and one addition per element); "
                   "use np.sum(x) or x.sum(), which reduces on the devices.")
        elif n >= ITERATION_ELEMENTS:
            msg = (f"arrbackend: a Python loop iterates over an arrbackend array element by "
                   f"element ({n} elements so far at this line); each element is a small "
                   f"array of its own. Use whole-array operations instead.")
        else:
            return
        self._warned.add(key)
        _warn_at(frame, msg)

    # results --------------------------------------------------------------------------
    @property
    def calls(self) -> int:
        """The number of profiled calls."""
        return sum(r.calls for r in self._rows.values())

    @property
    def wall_time(self) -> float:
        """Seconds spent inside the profile's ``with`` blocks."""
        extra = _perf_ns() - self._entered if self._running else 0
        return (self._wall + extra) / 1e9

    def rows(self, sort: str = "self") -> list[dict]:
        """One dict per function: ``name``, ``calls``, ``total_s``, ``self_s`` and every
        counter of ``arrbackend.counters``; sorted by ``sort`` (``'self'``, ``'total'``,
        ``'calls'`` or ``'name'``)."""
        out = []
        for name, r in self._rows.items():
            d = {"name": name, "calls": r.calls, "total_s": r.total / 1e9,
                 "self_s": r.self_ / 1e9}
            d.update({c: r.counts.get(c, 0) for c in _COUNTER_NAMES})
            out.append(d)
        keys = {"self": lambda d: (-d["self_s"], d["name"]),
                "total": lambda d: (-d["total_s"], d["name"]),
                "calls": lambda d: (-d["calls"], d["name"]), "name": lambda d: d["name"]}
        if sort not in keys:
            raise ValueError(f"profile.rows: sort must be one of {', '.join(keys)}, "
                             f"got {sort!r}")
        return sorted(out, key=keys[sort])

    def to_dict(self) -> dict:
        """The profile as plain data (JSON-serializable)."""
        rows = self.rows()
        outside = {c: self._outside.get(c, 0) for c in _COUNTER_NAMES}
        totals = {c: sum(r[c] for r in rows) + outside[c] for c in _COUNTER_NAMES}
        totals["calls"] = sum(r["calls"] for r in rows)
        totals["self_s"] = sum(r["self_s"] for r in rows)
        return {"machine": self._machine, "wall_s": self.wall_time, "synchronized":
                bool(getattr(self, "_sync_now", False)), "functions": rows,
                "outside": outside, "totals": totals, "dropped_events": self._dropped}

    def table(self, sort: str = "self", limit: int | None = None) -> str:
        """The profile as a text table (what ``print(profile)`` shows)."""
        rows = self.rows(sort)
        shown = rows if limit is None else rows[:limit]
        d = self.to_dict()
        head = (f"arrbackend profile: {d['wall_s'] * 1e3:.3f} ms wall on "
                f"{self._machine or '?'}, {_plural(d['totals']['calls'], 'call')} "
                f"({d['totals']['self_s'] * 1e3:.3f} ms inside them)")
        cols = ["function", "calls", "total ms", "self ms", "kernels", "compiled", "exchanged",
                "to host", "to device", "fallbacks"]
        lines = []

        def fmt(name, r, timed=True):
            return [name, str(r["calls"]) if timed else "",
                    f"{r['total_s'] * 1e3:.3f}" if timed else "",
                    f"{r['self_s'] * 1e3:.3f}" if timed else "",
                    str(r["kernels"]), str(r["kernels_compiled"]),
                    _bytes(r["exchange_bytes"]), _copies(r["host_transfers"], r["host_bytes"]),
                    _copies(r["to_device"], r["to_device_bytes"]), str(r["fallbacks"])]

        for r in shown:
            lines.append(fmt(r["name"], r))
        if limit is not None and len(rows) > limit:
            lines.append([f"({len(rows) - limit} more)"] + [""] * (len(cols) - 1))
        if any(d["outside"].values()):
            lines.append(fmt(OUTSIDE, d["outside"], timed=False))
        tot = dict(d["totals"], total_s=d["totals"]["self_s"])
        lines.append(fmt("total", tot))
        widths = [max(len(c), *(len(x[i]) for x in lines)) for i, c in enumerate(cols)]
        widths[0] = min(widths[0], 40)

        def render(cells):
            first = cells[0] if len(cells[0]) <= widths[0] else cells[0][:widths[0] - 1] + "~"
            return "  ".join([first.ljust(widths[0])] +
                             [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]).rstrip()

        sep = "  ".join("-" * w for w in widths)
        out = [head, render(cols), sep] + [render(x) for x in lines[:-1]] + [sep,
                                                                            render(lines[-1])]
        if self._dropped:
            out.append(f"({self._dropped} calls not kept for the trace: max_events="
                       f"{self.max_events})")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        state = "active" if self._running else "stopped"
        return (f"<arrbackend.profile {state}: {self.calls} calls, "
                f"{len(self._rows)} functions, {self.wall_time:.6f} s>")

    def chrome_trace(self, path) -> str:
        """Write the calls as a Chrome trace (JSON: open in ``chrome://tracing`` or
        https://ui.perfetto.dev); returns ``path``.  Each call is a complete event whose
        ``args`` hold the counters it incremented."""
        from . import __version__
        pid = os.getpid()
        t0 = self._t0 or 0
        tids: dict = {}
        events = []
        for name, tid, start, dur, counts in self._events:
            t = tids.setdefault(tid, len(tids))
            events.append({"name": name, "cat": "numpy", "ph": "X", "pid": pid, "tid": t,
                           "ts": (start - t0) / 1e3, "dur": dur / 1e3,
                           "args": dict(counts or {})})
        for t in tids.values():
            events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": t,
                           "args": {"name": "main" if t == 0 else f"thread {t}"}})
        doc = {"traceEvents": events, "displayTimeUnit": "ms",
               "otherData": {"arrbackend": __version__, "machine": self._machine,
                             "dropped_events": self._dropped}}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        return os.fspath(path)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _bytes(n: int) -> str:
    if not n:
        return "0"
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _copies(count: int, nbytes: int) -> str:
    return "0" if not count else f"{count} ({_bytes(nbytes)})"


def profile(check: bool = False, sync: bool | None = None,
            max_events: int = 200_000) -> Profile:
    """Profile the NumPy calls made inside a ``with`` block.

    Parameters
    ----------
    check : bool, optional
        Also warn (``PerformanceWarning``, pointing at the line of the program) about slow
        patterns: a fallback to NumPy, a conversion to a Python value (``float()``,
        ``.item()``) or a copy between host and devices repeated at one line (a loop), and
        Python's builtin ``sum`` or a Python loop iterating over an arrbackend array.
    sync : bool, optional
        Synchronize the devices at the end of every profiled call, so that its time
        includes the device work it launched.  Default: on GPU machines only.
    max_events : int, optional
        The most calls kept for :meth:`Profile.chrome_trace` (the table counts them all).

    Returns
    -------
    Profile
        Use it as a context manager; ``print()`` it afterwards.

    Examples
    --------
    >>> import numpy as np
    >>> import arrbackend
    >>> with arrbackend.enabled(devices="cpu:2"):
    ...     x = np.arange(10.0)
    ...     with arrbackend.profile() as p:
    ...         y = np.sqrt(x) + 1
    ...         s = y.sum()
    >>> sorted(row["name"] for row in p.to_dict()["functions"])
    ['numpy.add', 'numpy.sqrt', 'numpy.sum']
    >>> p.to_dict()["totals"]["calls"]
    3
    """
    return Profile(check=check, sync=sync, max_events=max_events)
