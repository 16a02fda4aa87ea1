"""Which dtypes a device's library can hold.

CPU shards are NumPy arrays and hold what arrbackend holds (booleans, integers, floats and
complex numbers of every size).  GPU shards are CuPy arrays: no ``longdouble`` or
``clongdouble``.  Asking a GPU for one raises the project's TypeError, naming the dtype and
the device, instead of the library's error from somewhere inside an operation.
"""
from __future__ import annotations

import numpy

__all__ = ["check_device_dtype", "GPU_DTYPE_KINDS"]

#: The kinds of dtype a GPU shard can hold (CuPy's), up to 8-byte reals and 16-byte complex.
GPU_DTYPE_KINDS = "biufc"


def check_device_dtype(device, dtype) -> None:
    """TypeError for a dtype that ``device``'s library cannot hold."""
    if not device.is_gpu:
        return
    dt = numpy.dtype(dtype)
    if dt.kind not in GPU_DTYPE_KINDS or dt.itemsize > (16 if dt.kind == "c" else 8):
        raise TypeError(f"arrbackend: arrays of dtype {dt} cannot live on {device} (the "
                        f"GPU library has no {dt.name}); keep them in NumPy, or convert "
                        f"with .astype(numpy.float64) first")
