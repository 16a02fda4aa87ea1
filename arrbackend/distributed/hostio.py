"""Moving whole arrays between the host and the devices: scattering a NumPy array into a
new store, and gathering a view back into one NumPy array.  Both are counted; copies of
GPU data to the host that the user did not ask for explicitly warn (``ARRBACKEND_TRANSFER``).
"""
from __future__ import annotations

import warnings

import numpy

from .._counters import count
from .._settings import settings
from .layout import Layout, default_layout
from .localize import device_boxes, view_layout, local_view
from .machine import Machine
from .device_dtypes import check_device_dtype
from .store import Store, alloc_local

__all__ = ["scatter", "gather", "TransferWarning", "check_device_dtype", "host_view"]


class TransferWarning(UserWarning):
    """GPU data was copied to the host because an operation needed it there."""


def scatter(host: numpy.ndarray, machine: Machine, layout: Layout | None = None,
            copy: bool = True) -> Store:
    """A new store holding ``host`` under ``layout`` (default: by size).  On CPU devices
    with ``copy=False`` the shards are views of ``host`` (read-only use only)."""
    if layout is None:
        layout = default_layout(host.shape, host.dtype.itemsize, machine.ndev)
    shards: list = [None] * machine.ndev
    boxes = device_boxes(layout, host.shape, machine.ndev)
    for d in machine.local:
        box = boxes[d]
        if box is None:
            continue
        piece = host[tuple(slice(lo, hi) for lo, hi in box)] if layout.is_block else host
        dev = machine.devices[d]
        if dev.is_gpu:
            check_device_dtype(dev, piece.dtype)
            with dev.activate():
                buf = alloc_local(dev, piece.shape, piece.dtype)
                buf.set(numpy.asarray(piece, order="C"))   # (keeps 0-d arrays 0-d)
            count("to_device")
            count("to_device_bytes", piece.nbytes)
            shards[d] = buf
        else:
            shards[d] = numpy.array(piece, copy=True) if copy else piece
    return Store(machine, tuple(host.shape), host.dtype, layout, shards)


def gather(arr, explicit: bool = False) -> numpy.ndarray:
    """The whole view ``arr`` as one NumPy array on the host (a new array, except on a
    single CPU device where it may share memory with the store)."""
    store, vmap = arr._store, arr._map
    if store.pending:
        store.materialize()      # on every process (collective), before any piece is read
    m = store.machine
    lay = view_layout(store, vmap)
    if m.is_gpu:
        _note_host_transfer(arr, explicit)
    if m.nranks > 1:
        return _gather_processes(arr, lay)
    if lay.is_single or lay.is_replicated:
        d = lay.device if lay.is_single else m.local[0]
        local = local_view(store, vmap, d)
        return local.get() if m.is_gpu else local
    out = numpy.empty(vmap.shape, store.dtype)
    for d, box in enumerate(device_boxes(lay, vmap.shape, m.ndev)):
        if box is None or box[lay.axis][1] <= box[lay.axis][0]:
            continue
        piece = local_view(store, vmap, d, box)      # each device's own piece
        out[tuple(slice(lo, hi) for lo, hi in box)] = piece.get() if m.is_gpu else piece
    return out


def host_view(arr, cls=numpy.ndarray, dtype=None):
    """``arr.view(cls)`` (or ``arr.view(dtype, cls)``) for what cannot live on a device:
    a NumPy subclass, a string or record dtype.  The result is a NumPy array on the host,
    an instance of ``cls`` whose ``__array_finalize__`` has run: it shares memory with
    ``arr`` where ``arr`` lies whole on one CPU device (as NumPy's view would), else it is
    a copy, with the TransferWarning of any implicit copy of GPU data.  It is never a
    NumPy array over device memory."""
    host = gather(arr)                 # GPU data: a copy in host memory (.get())
    if not isinstance(host, numpy.ndarray) or type(host) is not numpy.ndarray:
        host = numpy.asarray(host)
    if dtype is None:
        return host.view(cls)
    return host.view(dtype=dtype, type=cls)


def _gather_processes(arr, lay) -> numpy.ndarray:
    """The whole view on the host of every process (each contributes its devices'
    pieces; all processes receive the same array)."""
    store, vmap = arr._store, arr._map
    m = store.machine
    boxes = device_boxes(lay, vmap.shape, m.ndev)
    if lay.is_replicated:
        boxes = [b if d == 0 else None for d, b in enumerate(boxes)]
    mine = []
    for d in m.local:
        box = boxes[d]
        if box is None:
            continue
        piece = local_view(store, vmap, d, box)
        mine.append((box, piece.get() if m.is_gpu else numpy.asarray(piece)))
    out = numpy.empty(vmap.shape, store.dtype)
    for pieces in m.comm.allgather_obj(mine, f"read [{store.dtype} {vmap.shape}]"):
        for box, piece in pieces:
            out[tuple(slice(lo, hi) for lo, hi in box)] = piece
    return out


def _note_host_transfer(arr, explicit: bool) -> None:
    count("host_transfers")
    count("host_bytes", arr.nbytes)
    if explicit:
        return
    mode = settings.transfer
    if mode == "silent":
        return
    msg = (f"arrbackend: copying a {arr.shape} {arr.dtype} array from {arr.device} to the "
           f"host; use arrbackend.asnumpy(x) to say so explicitly, or set "
           f"ARRBACKEND_TRANSFER=silent")
    if mode == "error":
        raise RuntimeError(msg + " (ARRBACKEND_TRANSFER=error)")
    from .._origin import user_stacklevel
    warnings.warn(msg, TransferWarning, stacklevel=user_stacklevel())
