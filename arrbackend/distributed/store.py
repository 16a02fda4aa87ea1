"""Stores: one global array cut into shards by a layout.

A shard is a plain local array (``numpy.ndarray`` on a CPU device, ``cupy.ndarray`` on a
GPU).  ``shards[d]`` is the shard of device d when d is local to this process and holds
data under the layout, else None.  Stores that share memory (a reshape that kept the
shards) have the same ``base``; a write first evaluates the deferred expressions that still
read the store (``before_write``).
"""
from __future__ import annotations

import math
import os
import sys

import numpy

from .device_dtypes import check_device_dtype
from .layout import Layout
from .machine import Machine

__all__ = ["Store", "Held", "Pooled", "allocate", "device_memory_error", "before_write",
           "check_host_size", "take", "give", "clear_pool"]

_EMPTY = numpy.empty
_FULL = numpy.full
_ZEROS = numpy.zeros
_LARGE = 2**30          # (bytes: larger arrays are checked against the host's memory)


def _all_zero_bits(fill, dtype) -> bool:
    """Whether ``fill`` stored in ``dtype`` is all zero bytes (``numpy.zeros`` then: the
    host's zeroed pages, untouched until written, as NumPy's own ``zeros``)."""
    k = dtype.kind
    try:
        if k in "iub":
            return bool(fill == 0)
        if k == "f":
            return bool(fill == 0) and math.copysign(1.0, fill) > 0
        if k == "c":
            c = complex(fill)
            return c == 0 and math.copysign(1.0, c.real) > 0 and math.copysign(1.0, c.imag) > 0
    except (TypeError, ValueError):
        pass
    return False


class Store:
    # ``expr``, ``errstate``, ``used``: a deferred store's (``distributed.deferred``), which
    # becomes a plain Store once computed (the same fields, so the class can change)
    # ``halo``: the shards' spare rows (``distributed.halo``), set where grown
    __slots__ = ("machine", "shape", "dtype", "layout", "shards", "_base",
                 "_readers", "expr", "errstate", "used", "halo", "__weakref__")
    #: whether the array of this store stands for one of NumPy's scalars (see ``Value``)
    scalar = False

    def __init__(self, machine: Machine, shape: tuple, dtype: numpy.dtype, layout: Layout,
                 shards: list, base: "Store | None" = None):
        self.machine = machine
        self.shape = shape
        self.dtype = dtype
        self.layout = layout
        self.shards = shards
        # the store owning the memory (None: this one); never a reference to itself, so
        # that a store is freed as soon as its last array goes (no reference cycle)
        self._base = None if base is None else base.base
        self._readers = None     # deferred expressions still reading this memory

    #: Whether the values are an expression not evaluated yet (deferred stores override).
    pending = False

    def materialize(self) -> None:
        """Compute the values (a deferred store's; a computed store has them)."""

    @property
    def base(self) -> "Store":
        return self if self._base is None else self._base

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def local_shards(self):
        """(device index, shard) for the devices of this process holding data."""
        return [(d, s) for d, s in enumerate(self.shards) if s is not None]

    def __repr__(self) -> str:
        return (f"Store(shape={self.shape}, dtype={self.dtype}, layout={self.layout!r}, "
                f"machine={self.machine.spec!r})")


class Held(Store):
    """A store the operators' lean path makes: a Store, built by setting its fields
    (``Held()`` makes it without a Python-level call; the caller sets every field)."""

    __slots__ = ()
    __init__ = object.__init__


# ---------------------------------------------------------------------------------------
# the lean path's memory pool: large temporaries are reused, not returned to the system
#
# A statement like ``u[:-2] + u[2:] - 4 * u[1:-1]`` on arrays of a few hundred kilobytes
# allocates and frees the same few blocks again and again.  glibc returns such blocks to
# the system (mmap'd, or trimmed off the top of the heap), and every new one is paid for
# again in page faults, one per 4 KiB page: for a 256x256 grid that is most of the
# statement's time.  A ``Pooled`` store's array, when nothing else refers to it any more,
# goes to this pool instead, and the next result of its shape and dtype is computed into
# it (``out=``).

POOL_MIN_BYTES = 1 << 18        # (smaller blocks come from malloc's own free lists)
POOL_MAX_BYTES = 1 << 27        # what the pool may hold in all
_pool: dict = {}                # shape -> {dtype: [arrays nothing else refers to]}
_pooled = [0]                   # bytes held


def take(shape, dtype):
    """A pooled array of ``shape`` and ``dtype`` (its values are garbage), or None."""
    by_dtype = _pool.get(shape)
    if by_dtype:
        free = by_dtype.get(dtype)
        if free:
            try:
                a = free.pop()
            except IndexError:      # (another thread took it)
                return None
            _pooled[0] -= a.nbytes
            return a
    return None


class Value(Held):
    """The store of a 0-d result where NumPy gives a scalar: an element's value taken by
    integer indexing (``a[i, j]``: a copy, never a view, so later writes into ``a`` leave
    it as it was), a reduction's or a ufunc's 0-d result.  It marks the array, so that
    in-place operators on it answer as on NumPy's scalars: out of place (``s = a.sum();
    t = s; s += 1`` leaves ``t`` as it was)."""

    __slots__ = ()
    scalar = True


def mark_scalar(x):
    """Mark the new 0-d array ``x`` (its store made for it alone) as standing for NumPy's
    scalar; a pending store is marked too, and stays so once computed."""
    st = x._store
    t = type(st)
    if t is Store or t is Held:
        st.__class__ = Value
    elif getattr(t, "scalar_class", None) is not None:
        st.__class__ = t.scalar_class
    return x


class Pooled(Held):
    """A lean store of a large new array (C-contiguous, owning its memory): when the
    store dies and nothing else refers to the array, the array joins the pool."""

    __slots__ = ()

    def __del__(self):
        try:
            a, refs = _shard_refs(self.shards)
            if refs == _FREE_REFS:      # (nobody else -- no NumPy view, no name -- can
                give(a)                 # see what is written into it next)
        except Exception:           # noqa: BLE001  (interpreter shutdown: nothing to keep)
            pass


def _shard_refs(shards):
    """``(the store's array, its reference count as counted here)``."""
    if len(shards) == 1:
        a = shards[0]
    else:
        a = next((x for x in shards if x is not None), None)
    return a, (-1 if a is None else _refcount(a))


def _calibrate_free_refs():
    """The count ``_shard_refs`` reads for an array that only a store's shards list holds
    (3 on CPython 3.11: the list, the local name, getrefcount's argument), checked
    against one held once more; None (no pooling) where this Python counts otherwise."""
    free = _shard_refs([numpy.empty(1)])[1]
    kept = numpy.empty(1)
    held = _shard_refs([kept])[1]
    return free if held == free + 1 else None


def give(a) -> None:
    """Put ``a`` (a C-ordered NumPy array of its own that nothing else refers to, of at
    least POOL_MIN_BYTES) into the pool, where there is room for it."""
    n = a.nbytes
    if _pooled[0] + n > POOL_MAX_BYTES or a.base is not None or \
            a.dtype.kind not in "biufc":
        return                      # (object arrays would keep their objects alive)
    by_dtype = _pool.get(a.shape)
    if by_dtype is None:
        by_dtype = _pool[a.shape] = {}
    free = by_dtype.get(a.dtype)
    if free is None:
        free = by_dtype[a.dtype] = []
    if len(free) < 4:
        free.append(a)
        _pooled[0] += n


_refcount = sys.getrefcount


_FREE_REFS = _calibrate_free_refs()


def clear_pool() -> None:
    _pool.clear()
    _pooled[0] = 0


def before_write(store, keep=None) -> None:
    """Evaluate the deferred expressions that still read ``store``'s memory: a write
    must not change what an earlier statement computes (NumPy's order of effects).
    ``keep``: a deferred store the caller itself is about to evaluate into ``store``."""
    b = store.base
    readers = b._readers
    if readers:
        b._readers = None
        for ref in readers:
            lazy = ref()
            if lazy is not None and lazy is not keep:
                lazy.materialize()


def device_memory_error(device, nbytes: int, exc: BaseException | None = None) -> MemoryError:
    """A MemoryError saying how many bytes were asked for on which device, and what is free."""
    free = total = None
    try:
        with device.activate():
            free, total = device.xp.cuda.runtime.memGetInfo()
        pool = device.xp.get_default_memory_pool()
        free += pool.free_bytes()
    except Exception:
        pass
    where = f"{device!r}"
    if free is not None:
        msg = (f"arrbackend: out of memory on {where}: asked for {nbytes:,} bytes, "
               f"{free:,} bytes free of {total:,}; the arrays you already have are unchanged")
    else:
        msg = f"arrbackend: out of memory on {where}: asked for {nbytes:,} bytes"
    err = MemoryError(msg)
    err.__cause__ = exc
    return err


def alloc_local(device, shape: tuple, dtype, fill=None):
    """One array on ``device`` (``numpy.empty``/``cupy.empty``), raising a clear MemoryError."""
    xp = device.xp
    try:
        if device.is_gpu:
            check_device_dtype(device, dtype)
            with device.activate():
                if fill is None:
                    return xp.empty(shape, dtype)
                return xp.full(shape, fill, dtype)
        if fill is None:
            if _pool and type(shape) is tuple and _pool.get(shape):
                a = take(shape, numpy.dtype(dtype))     # (a reused block: Pooled)
                if a is not None:
                    return a
            return _EMPTY(shape, dtype)     # (NumPy's own: enabled() may route numpy.empty)
        if _all_zero_bits(fill, dtype):
            return _ZEROS(shape, dtype)
        return _FULL(shape, fill, dtype)
    except MemoryError as exc:
        nbytes = int(numpy.prod(shape, dtype=numpy.int64)) * numpy.dtype(dtype).itemsize
        raise device_memory_error(device, nbytes, exc) from None
    except Exception as exc:
        if type(exc).__name__ == "OutOfMemoryError":
            nbytes = int(numpy.prod(shape, dtype=numpy.int64)) * numpy.dtype(dtype).itemsize
            raise device_memory_error(device, nbytes, exc) from None
        raise


_host_bytes: list = []


def _host_memory() -> int:
    """What the host can hold: its memory and swap (0 where unknown)."""
    if not _host_bytes:
        total = 0
        try:
            with open("/proc/meminfo") as f:
                for line in f:
                    name, value = line.split(":", 1)
                    if name in ("MemTotal", "SwapTotal"):
                        total += int(value.split()[0]) * 1024
        except (OSError, ValueError):
            try:
                total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
            except (ValueError, OSError, AttributeError):
                total = 0
        _host_bytes.append(total)
    return _host_bytes[0]


def check_host_size(machine: Machine, shape: tuple, dtype, layout: Layout) -> None:
    """MemoryError, as NumPy's, for an array larger than the host can hold: its CPU
    shards one by one might each be granted (the system promises memory it has not got)
    and then fill the swap, where NumPy's one allocation is refused at once.  Free below
    a gigabyte."""
    dtype = numpy.dtype(dtype)
    if math.prod(shape) * dtype.itemsize <= _LARGE:
        return
    nbytes = 0
    for d in machine.local:
        if not machine.devices[d].is_gpu:
            sshape = layout.shard_shape(shape, d)
            if sshape is not None:
                nbytes += math.prod(sshape) * dtype.itemsize
    limit = _host_memory()
    if limit and nbytes > limit:
        units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        size, unit = float(nbytes), 0
        while size >= 1024 and unit < len(units) - 1:
            size /= 1024
            unit += 1
        raise MemoryError(f"Unable to allocate {size:#.3g} {units[unit]} for an array with "
                          f"shape {tuple(shape)} and data type {dtype}")


def allocate(machine: Machine, shape: tuple, dtype, layout: Layout, fill=None) -> Store:
    """A new store with uninitialised (or ``fill``-ed) shards on this process's devices.
    If any device runs out of memory nothing is kept and MemoryError says why."""
    dtype = numpy.dtype(dtype)
    check_host_size(machine, shape, dtype, layout)
    shards: list = [None] * machine.ndev
    for d in machine.local:
        sshape = layout.shard_shape(shape, d)
        if sshape is not None:
            shards[d] = alloc_local(machine.devices[d], sshape, dtype, fill)
    return Store(machine, shape, dtype, layout, shards)

