"""Compiled evaluation of deferred expressions on CPU shards (numba): one loop nest per
statement, written from the expression tree.

NumPy computes ``0.25 * (a + b + c + d)`` in four passes over memory, each writing a
temporary; numexpr in one pass, but it copies strided operands (the shifted views of a
stencil) through buffers.  The loop nest written here reads every operand in place,
strided or not, and writes the target once: a stencil step of 250x250 views takes 67 us
where NumPy's ufuncs take 157 us and numexpr 227 us (2 cores), and it costs about 2 us
to call, so it pays from a few thousand elements.

The expressions are those whose values are NumPy's (``cpu_fused.source``: one float
dtype throughout, ``+ - * /``, ``sqrt`` and comparisons exact in any precision; the C
library's functions in double precision only).  The kernels are compiled without
``fastmath`` (no reassociation, no fused multiply-adds) and with NumPy's error model
(``1.0 / 0`` is ``inf``, not an exception); floating-point errors leave no trace here,
so the caller checks the values as it does numexpr's (``plans._run_fused``).

A kernel is compiled for a statement the plan has replayed (``plans``: its third run),
so a statement run once or twice never waits for the compiler; kernels are kept per
expression structure and dimension (numba compiles once per operand layout and dtype).
Compiling a parallel nest takes one to two seconds: the nest's source is written to a file
in the cache folder (``settings.kernel_cache``), and numba keeps the machine code beside it,
so the next process loads it instead (a stencil step of 1000x1000 on 2 cores: its first
compiled run 1.46 s, loaded 0.75-0.80 s, most of it importing numba and starting its
threads).
"""
from __future__ import annotations

import os
import sys

import numpy

from . import cpu_fused, cpu_threads

__all__ = ["program", "Kernel", "Unusable", "compile_source"]

_MAX_NDIM = 4
#: the least work (elements) a parallel loop nest is launched for: below it, starting
#: the threads costs more than they save (a 256x256 statement on 2 cores: 42 us on one
#: thread, 136 us on two through numba's work queue)
PARALLEL_MIN = 1 << 20
#: ... and for a nest that calls the C library's functions (sin, exp, ...): each element
#: costs tens of nanoseconds there, so threads pay from fewer elements
PARALLEL_MIN_FUNCTIONS = 1 << 17
_FUNCS = ("sqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
          "tanh", "arcsinh", "arccosh", "arctanh", "exp", "expm1", "log", "log10",
          "log1p")
_DIALECT = ("{}[IDX]",
            dict(cpu_fused._BINARY, arctan2="np.arctan2({}, {})"),
            dict(cpu_fused._UNARY, **{f: f"np.{f}({{}})" for f in _FUNCS}),
            cpu_fused._COMPARE,
            # (integers, and float32 into float64, cast as NumPy casts them into the
            # float dtype of the operation)
            {(numpy.dtype(i), numpy.dtype(f)): f"np.{numpy.dtype(f).name}({{}})"
             for i in "bBhHiIlLqQf" for f in (numpy.float64, numpy.float32)
             if i != "f" and numpy.can_cast(i, f, "safe") or
             i == "f" and f is numpy.float64})

_kernels: dict = {}          # (expr.sig, ndim) -> the statement's Kernel, or None


class Unusable(Exception):
    """numba could not compile a loop nest (the statement runs NumPy's ufuncs)."""


class Kernel:
    """A statement's loop nest: ``kernel(out, rows, *operands)``, the operands being the
    leaves (arrays of the target's shape) then the scalars (of the loop dtype), ``rows``
    the count of values that are not finite, per chunk."""

    __slots__ = ("serial", "parallel", "nargs", "src", "heavy")

    def __init__(self, src, nargs):
        self.src = src
        self.heavy = any(f"np.{f}(" in src for f in _FUNCS if f != "sqrt")
        self.nargs = nargs
        self.serial = None
        self.parallel = None

    def __call__(self, out, args) -> bool:
        """Compute into ``out``; whether a value written is not finite."""
        work = out.size
        least = PARALLEL_MIN_FUNCTIONS if self.heavy else PARALLEL_MIN
        threads = cpu_threads.threads_for(work) if work >= least else 1
        try:
            if threads > 1:
                if self.parallel is None:
                    self.parallel = _compile(self.src, True)
                rows = numpy.zeros(min(out.shape[0], 8 * threads), numpy.int64)
                cpu_threads.launch(self.parallel, threads, out, rows, *args)
                return bool(rows.any())
            if self.serial is None:
                self.serial = _compile(self.src, False)
            rows = numpy.zeros(1, numpy.int64)          # (the serial nest: one chunk)
            self.serial(out, rows, *args)
        except Exception as exc:    # noqa: BLE001  (numba's typing or lowering errors:
            raise Unusable from exc  # raised before the nest writes anything)
        return bool(rows[0])


def program(expr, lvs, ndim):
    """The kernel computing ``expr`` (leaves ``lvs``) into an ``ndim``-dimensional
    target, or None where numba is missing or the expression is not of the supported
    kind."""
    if not 1 <= ndim <= _MAX_NDIM:
        return None
    key = (expr.sig, ndim)
    hit = _kernels.get(key, False)
    if hit is not False:
        return hit
    hit = None
    if cpu_threads.available():
        text = cpu_fused.source(expr, lvs, _DIALECT, temps=True)
        if text is not None:
            body, sig = text
            hit = Kernel(_loops(body, [name for name, _ in sig], ndim), len(sig))
    if len(_kernels) > 4096:
        _kernels.clear()
    _kernels[key] = hit
    return hit


def _loops(body, names, ndim) -> str:
    """The loop nest, serial and parallel (``RANGE`` stands for what differs), of the
    statement ``body`` (``(assignments, result, checked)``, ``cpu_fused.source``).  It
    also counts the values that are not finite, of every operation (a floating-point
    error may leave no trace in the result: ``exp(-1 / 0)`` is 0), not only the
    result's: ``x - x`` is 0 for a finite ``x``, NaN otherwise, and their float sum is 0
    or NaN, a chain of additions that costs less than counting them as integers -- 42
    against 66 us for a 250x250 stencil step -- where a separate pass would read the
    target again.  The parallel nest runs over chunks of the first axis, each counting
    into its own element of ``rows`` (a reduction variable would make numba allocate
    with ``np.empty``, which ``enabled()`` reroutes)."""
    assigned, result, checked = body
    idx = ", ".join(f"i{k}" for k in range(ndim))
    lines = [f"def kernel(out, rows, {', '.join(names)}):",
             "    n0 = out.shape[0]",
             "    step = (n0 + rows.shape[0] - 1) // rows.shape[0]",
             "    for c in RANGE(rows.shape[0]):",
             "        bad = 0.0",
             "        for i0 in range(c * step, min(n0, c * step + step)):"]
    for k in range(1, ndim):
        lines.append("    " * (k + 2) + f"for i{k} in range(out.shape[{k}]):")
    pad = "    " * (ndim + 2)
    for t, value in assigned:
        lines.append(pad + f"{t} = " + value.replace("IDX", idx))
    lines.append(pad + f"out[{idx}] = " + result.replace("IDX", idx))
    if checked:
        lines.append(pad + "bad += " + " + ".join(f"({t} - {t})" for t in checked))
    lines += ["        rows[c] = bad != 0.0", "    return 0"]
    return "\n".join(lines) + "\n"


def compile_source(src):
    """The serial kernel ``kernel`` defined by the Python source ``src`` (kept in the
    cache folder as a statement's nest is)."""
    return _compile(src, False)


def _compile(src, parallel):
    nb = cpu_threads.numba()
    text = src.replace("RANGE", "prange" if parallel else "range")
    kernel = _from_cache_folder(text)
    if kernel is not None:      # (numba keeps its machine code beside the file)
        try:
            return nb.njit(nogil=True, error_model="numpy", parallel=parallel,
                           cache=True)(kernel)
        except RuntimeError:    # (no folder numba may write its cache to: compiled here)
            pass
    scope = {"np": numpy, "prange": nb.prange}
    exec(text, scope)   # noqa: S102
    return nb.njit(nogil=True, error_model="numpy", parallel=parallel)(scope["kernel"])


def cache_folder() -> str | None:
    """Where compiled loop nests are kept between runs (``settings.kernel_cache``), or
    None."""
    from .._settings import settings
    where = settings.kernel_cache
    if where.strip().lower() in ("off", "0", "false", "no", ""):
        return None
    if where.strip().lower() == "auto":
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                 ".cache")
        where = os.path.join(base, "arrbackend", "kernels")
    return where


def _from_cache_folder(text):
    """The loop nest ``text`` as a function of a file in the cache folder (written once,
    named by its text's hash), which numba can cache; None where there is no folder or it
    cannot be written."""
    folder = cache_folder()
    if folder is None:
        return None
    import hashlib
    import importlib.util
    name = "k" + hashlib.sha256(text.encode()).hexdigest()[:24]
    path = os.path.join(folder, name + ".py")
    try:
        if not os.path.exists(path):
            os.makedirs(folder, mode=0o700, exist_ok=True)
            part = f"{path}.{os.getpid()}.part"
            with open(part, "w") as f:
                f.write("# a statement's loop nest, written by arrbackend "
                        "(kernels/cpu_numba.py)\nimport numpy as np\n"
                        "from numba import prange\n\n\n" + text)
            os.replace(part, path)          # (whole, also with other processes at it)
        modname = f"arrbackend_kernel_{name}"
        module = sys.modules.get(modname)
        if module is None:
            spec = importlib.util.spec_from_file_location(modname, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[modname] = module   # (numba's cached code names its module)
        return module.kernel
    except (OSError, SyntaxError, AttributeError, ImportError):
        return None
