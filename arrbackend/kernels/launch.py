"""Kernel launches at the driver's cost.

A call of a CuPy ``RawKernel`` converts every argument (a NumPy scalar, a CuPy array) to
a C value through Python-level type dispatch: about 10 us for four arguments on the
lent H100's host, as much as a whole ``cupy.add`` and ten times the driver's own
``cuLaunchKernel``.  The generated kernels take the same argument types on every launch
of a plan, so a :class:`Launcher` packs them once per launch into a buffer laid out for
that signature (one ``struct.pack_into``) and hands the driver pointers into it, made
once.  The driver copies the values when the launch is queued, so the buffer serves the
next launch at once; a lock keeps two threads from packing it at the same time.

Where the driver entry point is missing (another CuPy), :func:`launcher` returns None and
the caller calls the ``RawKernel`` as before.
"""
from __future__ import annotations

import ctypes
import struct
import threading

import numpy

__all__ = ["launcher", "Launcher"]

_SLOT = 16       # bytes per argument: any of the kernels' C types, aligned


def _code(dt) -> str:
    """The ``struct`` code of a kernel parameter of NumPy dtype ``dt``."""
    dt = numpy.dtype(dt)
    if dt.kind == "b":
        return "?"
    if dt.kind == "f":
        return {2: "e", 4: "f", 8: "d"}[dt.itemsize]
    codes = {1: "b", 2: "h", 4: "i", 8: "q"}[dt.itemsize]
    return codes.upper() if dt.kind == "u" else codes


def _driver(cp):
    """``(launchKernel, current stream pointer)`` of this CuPy, or None."""
    try:
        launch = cp.cuda.driver.launchKernel
        get_stream = cp.cuda.get_current_stream
    except AttributeError:          # pragma: no cover  (a CuPy without them)
        return None
    return launch, get_stream


class Launcher:
    """One kernel's launches on the current device: ``launcher(grid, block, values)``,
    ``values`` in the order and C types of the signature it was made for (device
    pointers as integers)."""

    __slots__ = ("function", "fn", "packer", "buf", "offset", "params", "addr", "lock",
                 "launch", "stream")

    def __init__(self, function, codes, launch, stream):
        self.function = function            # (keeps the kernel's module loaded)
        self.fn = function.ptr
        self.packer = struct.Struct("<" + "".join(c + "x" * (_SLOT - struct.calcsize(c))
                                                  for c in codes))
        n = len(codes)
        self.buf = ctypes.create_string_buffer(_SLOT * n + _SLOT)
        base = ctypes.addressof(self.buf)
        base += -base % _SLOT
        self.params = (ctypes.c_void_p * max(n, 1))(*[base + _SLOT * i for i in range(n)])
        self.addr = ctypes.addressof(self.params)
        self.offset = base - ctypes.addressof(self.buf)
        self.lock = threading.Lock()
        self.launch = launch
        self.stream = stream

    def __call__(self, grid, block, values) -> None:
        gy = grid[1] if len(grid) > 1 else 1
        by = block[1] if len(block) > 1 else 1
        with self.lock:
            self.packer.pack_into(self.buf, self.offset, *values)
            self.launch(self.fn, grid[0], gy, 1, block[0], by, 1, 0, self.stream().ptr,
                        self.addr, 0)


def launcher(cp, kernel, values):
    """A :class:`Launcher` of ``kernel`` (a ``RawKernel``) on the current device, for
    arguments of the C types of ``values`` (NumPy scalars, as a ``RawKernel`` call takes
    them, device pointers as ``numpy.uint64``; Python ``int``/``float``/``bool`` as
    ``long long``/``double``/``bool``); None where this CuPy has no driver entry point or
    a value of another kind."""
    drv = _driver(cp)
    if drv is None:
        return None
    codes = []
    for v in values:
        t = type(v)
        if isinstance(v, numpy.generic):
            codes.append(_code(v.dtype))
        elif t is bool:
            codes.append("?")
        elif t is int:
            codes.append("q")
        elif t is float:
            codes.append("d")
        else:
            return None
    return Launcher(kernel.kernel, codes, *drv)
