"""Array attributes and dtype queries: ``shape ndim size result_type can_cast copyto``,
and the ``flags`` / ``flat`` helpers of ``ndarray``.

The dtype queries look only at dtypes, never at data: NumPy would otherwise convert
an arrbackend array to a host array just to learn its dtype.
"""
from __future__ import annotations

import numpy

from ..dispatch.registry import implements
from ..distributed.array import ndarray

__all__ = ["shape", "ndim", "size", "result_type", "can_cast", "copyto", "Flags", "FlatIter"]


def _dtype_or_value(x):
    return x.dtype if isinstance(x, ndarray) else x


@implements(numpy.shape)
def shape(a):
    """Same as ``numpy.shape``."""
    return a.shape if isinstance(a, ndarray) else numpy.shape(a)


@implements(numpy.ndim)
def ndim(a):
    """Same as ``numpy.ndim``."""
    return a.ndim if isinstance(a, ndarray) else numpy.ndim(a)


@implements(numpy.size)
def size(a, axis=None):
    """Same as ``numpy.size``."""
    if not isinstance(a, ndarray):
        return numpy.size(a, axis)
    if axis is None:
        return a.size
    from ..distributed.view import normalize_axis
    return a.shape[normalize_axis(axis, a.ndim)]


@implements(numpy.result_type)
def result_type(*arrays_and_dtypes):
    """Same as ``numpy.result_type`` (NEP 50: Python scalars are weak)."""
    return numpy.result_type(*[_dtype_or_value(x) for x in arrays_and_dtypes])


@implements(numpy.can_cast)
def can_cast(from_, to, casting="safe"):
    """Same as ``numpy.can_cast``."""
    return numpy.can_cast(_dtype_or_value(from_), to, casting=casting)


@implements(numpy.min_scalar_type)
def min_scalar_type(a, /):
    if isinstance(a, ndarray):
        return a.dtype if a.ndim else numpy.min_scalar_type(a.item())
    return numpy.min_scalar_type(a)


@implements(numpy.copyto)
def copyto(dst, src, casting="same_kind", where=True):
    """Same as ``numpy.copyto``."""
    from ..distributed.elementwise import assign
    from .ufuncs import as_operand
    if not isinstance(dst, ndarray):
        raise TypeError("copyto() argument 1 must be an arrbackend array when the source is "
                        "one")
    value = as_operand(src, dst._store.machine, "copyto")
    stand = numpy.zeros((), value.dtype) if isinstance(value, ndarray) else value
    with numpy.errstate(all="ignore"):
        numpy.copyto(numpy.zeros((), dst.dtype), stand, casting=casting)
    if where is True:
        if isinstance(value, ndarray):
            assign(dst, value)
        else:
            assign(dst, numpy.asarray(value, dtype=dst.dtype)[()])
        return
    from .manipulation import where as np_where
    assign(dst, np_where(where, value, dst))


class Flags:
    """Like ``ndarray.flags`` (shards are C-contiguous); ``writeable`` can be set."""

    _KEYS = {"C_CONTIGUOUS": "c_contiguous", "C": "c_contiguous",
             "F_CONTIGUOUS": "f_contiguous", "F": "f_contiguous",
             "OWNDATA": "owndata", "O": "owndata", "WRITEABLE": "writeable",
             "W": "writeable", "ALIGNED": "aligned", "A": "aligned",
             "CONTIGUOUS": "contiguous", "WRITEBACKIFCOPY": "writebackifcopy",
             "X": "writebackifcopy"}

    def __init__(self, x) -> None:
        self._x = x
        self.c_contiguous = True
        self.f_contiguous = x.ndim <= 1
        self.contiguous = True
        self.owndata = x._map.is_identity_of(x._store.shape) and x._store.base is x._store
        self.aligned = True
        self.writebackifcopy = False

    @property
    def writeable(self) -> bool:
        x = self._x
        return not x._readonly and not any(a < 0 and n > 1 for (a, _s, _st), n in
                                           zip(x._map.dims, x.shape))

    @writeable.setter
    def writeable(self, value) -> None:
        self._x.setflags(write=bool(value))

    def _key(self, key: str) -> str:
        return self._KEYS.get(key.upper(), key.lower())

    def __getitem__(self, key: str):
        return getattr(self, self._key(key))

    def __setitem__(self, key: str, value) -> None:
        if self._key(key) != "writeable":
            raise KeyError(f"arrbackend: only the WRITEABLE flag can be set, not {key!r}")
        self.writeable = value

    def __repr__(self) -> str:
        return "\n".join(f"  {k.upper()} : {getattr(self, k)}"
                         for k in ("c_contiguous", "f_contiguous", "owndata", "writeable",
                                   "aligned", "writebackifcopy"))


class FlatIter:
    """``x.flat``: C-order iteration and indexing over a flattened view of ``x``."""

    def __init__(self, x) -> None:
        self.base = x

    def _flat(self):
        from .manipulation import ravel
        return ravel(self.base)

    def __len__(self) -> int:
        return self.base.size

    def __iter__(self):
        return iter(self._flat())

    def __getitem__(self, key):
        return self._flat()[key]

    def __setitem__(self, key, value) -> None:
        from .manipulation import reshape
        flat = self._flat()
        flat[key] = value
        if flat._store.base is not self.base._store.base:
            self.base[...] = reshape(flat, self.base.shape)

    def __array__(self, dtype=None, copy=None):
        return numpy.asarray(self._flat(), dtype=dtype)


class finfo_object:
    """``finfo`` as the Array API standard describes it: Python floats and ints."""

    def __init__(self, info) -> None:
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(info.resolution)
        self.dtype = info.dtype
        self.tiny = float(info.tiny)
        self.precision = int(info.precision)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min}, max={self.max}, "
                f"dtype={self.dtype})")


def finfo(type, /):
    """Machine limits of a floating dtype (as ``numpy.finfo``, with Python scalars)."""
    if isinstance(type, ndarray):
        type = type.dtype
    return finfo_object(numpy.finfo(type))


def iinfo(type, /):
    """Machine limits of an integer dtype (``numpy.iinfo``)."""
    if isinstance(type, ndarray):
        type = type.dtype
    return numpy.iinfo(type)


@implements(numpy.from_dlpack, extra={"device": "Array API: the device to make it on",
                                      "copy": "Array API: whether to copy"})
def from_dlpack(x, /, *, device=None, copy=None):
    """An arrbackend array from any DLPack-capable array (NumPy, CuPy, PyTorch, JAX...)."""
    from .creation import asarray_on, machine_from_device
    if isinstance(x, ndarray):
        return asarray_on(x, machine_from_device(device) if device is not None else
                          x._store.machine, copy=copy)
    m = machine_from_device(device)
    dev = getattr(x, "__dlpack_device__", lambda: (1, 0))()
    if dev[0] == 2 and m.is_gpu:          # a CUDA array: through CuPy, no host copy
        import cupy
        return asarray_on(cupy.from_dlpack(x), m, copy=copy)
    return asarray_on(numpy.from_dlpack(x), m, copy=copy)
