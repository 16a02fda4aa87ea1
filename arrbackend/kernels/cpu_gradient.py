"""``numpy.gradient``'s common case on one CPU array as one compiled pass (numba).

NumPy's ``gradient`` of an ``(n, n)`` float array along an axis makes a temporary of the
interior differences, divides it, copies it into the result, then computes each edge
with its own small temporaries: at 256x256 about 150 us on this kind of machine, most
of it memory traffic and calls.  The loop nest here reads each element twice from cache
and writes the result once, vectorized.

Its values are NumPy's bit for bit: the same operations in the same order on the same
types (``(f[i+1] - f[i-1]) / (2. * dx)`` inside, ``(f[1] - f[0]) / dx`` and
``(f[-1] - f[-2]) / dx`` at the edges; the spacing cast to the array's dtype as NumPy
casts a Python number), compiled without fast-math.  Floating-point errors leave no
trace in a compiled loop, so the result's values are checked (a float sum of ``x - x``:
0 where every value is finite), and where one is not finite, or where the user asked to
hear of underflow, the caller computes it again with NumPy, which issues its warnings.

A kernel is compiled on the fourth call in a process (``JIT_AFTER``: a program calling
``gradient`` once or twice never waits for the compiler), and kept in the kernel cache
folder as the fused statements' nests are (``cpu_numba``).
"""
from __future__ import annotations

import numpy

from . import cpu_numba, cpu_threads
from .._fperrors import geterr

__all__ = ["gradient_into"]

#: calls of ``gradient_into`` before its kernels are compiled
JIT_AFTER = 3

# a middle axis (or the first): the array seen as (before, axis, after).  The check of
# values sums ``x - x`` into one accumulator per column, not into one number: a single
# running sum is a chain the compiler may not reorder (no fast-math), so it would keep
# the loop from being vectorized (4x slower at 256x256).  (The caller makes the
# accumulators: a NumPy function named in a kernel is ``enabled()``'s while it is on.)
_AXIS = """
def kernel(f, out, acc, h2, h):
    m = f.shape[2]
    n = f.shape[1]
    for p in range(f.shape[0]):
        for q in range(m):
            x = (f[p, 1, q] - f[p, 0, q]) / h
            out[p, 0, q] = x
            acc[q] += x - x
        for i in range(1, n - 1):
            for q in range(m):
                x = (f[p, i + 1, q] - f[p, i - 1, q]) / h2
                out[p, i, q] = x
                acc[q] += x - x
        for q in range(m):
            x = (f[p, n - 1, q] - f[p, n - 2, q]) / h
            out[p, n - 1, q] = x
            acc[q] += x - x
    bad = 0.0
    for q in range(m):
        bad += acc[q]
    return bad != 0.0
"""
# the last axis: the array seen as (before, axis)
_LAST = """
def kernel(f, out, acc, h2, h):
    n = f.shape[1]
    for p in range(f.shape[0]):
        x = (f[p, 1] - f[p, 0]) / h
        out[p, 0] = x
        acc[0] += x - x
        for i in range(1, n - 1):
            x = (f[p, i + 1] - f[p, i - 1]) / h2
            out[p, i] = x
            acc[i] += x - x
        x = (f[p, n - 1] - f[p, n - 2]) / h
        out[p, n - 1] = x
        acc[n - 1] += x - x
    bad = 0.0
    for i in range(n):
        bad += acc[i]
    return bad != 0.0
"""
_DTYPES = (numpy.dtype(numpy.float64), numpy.dtype(numpy.float32))
_state = {"calls": 0}


def _kernel(which: str):
    k = _state.get(which)
    if k is None:
        k = _state[which] = cpu_numba.compile_source(_AXIS if which == "axis" else _LAST)
    return k


def gradient_into(f, out, ax: int, dx) -> bool:
    """``out`` (a new C-ordered array of ``f``'s shape and dtype) := NumPy's gradient of
    the C-ordered float array ``f`` along ``ax`` (``f.shape[ax] >= 2``) with the spacing
    ``dx`` (a Python number); False where it was not computed here (no compiler, too
    early, values that are not finite): the caller computes it with NumPy."""
    if f.dtype not in _DTYPES or not f.flags.c_contiguous or f.size == 0:
        return False
    if _state["calls"] < JIT_AFTER:
        _state["calls"] += 1
        return False
    if not cpu_threads.available() or geterr()["under"] != "ignore":
        return False
    sh = f.shape
    before = 1
    for k in sh[:ax]:
        before *= k
    t = f.dtype.type
    try:
        with numpy.errstate(all="ignore"):  # (NumPy's own path reports what they meet)
            h2, h = t(2. * dx), t(dx)
    except (OverflowError, TypeError, ValueError):
        return False                        # (a spacing NumPy's path refuses as NumPy does)
    if not (numpy.isfinite(h2) and numpy.isfinite(h)):
        return False
    try:
        if ax == f.ndim - 1:
            bad = _kernel("last")(f.reshape(before, sh[ax]), out.reshape(before, sh[ax]),
                                  numpy.zeros(sh[ax], f.dtype), h2, h)
        else:
            shape3 = (before, sh[ax], f.size // (before * sh[ax]))
            bad = _kernel("axis")(f.reshape(shape3), out.reshape(shape3),
                                  numpy.zeros(shape3[2], f.dtype), h2, h)
    except Exception:       # noqa: BLE001  (numba's typing or lowering errors, raised
        _state["calls"] = -(1 << 62)        # before anything is written: NumPy's path)
        return False
    return not bad
