"""Array attributes and dtype queries: ``shape ndim size result_type can_cast copyto``,
and the ``flags`` / ``flat`` helpers of ``ndarray``.

The dtype queries look only at dtypes, never at data: NumPy would otherwise convert
an arrbackend array to a host array just to learn its dtype.
"""
from __future__ import annotations

import weakref

import numpy

from .registry import implements
from ..distributed.array import ndarray
from ..distributed.derived import is_c_contiguous, view_strides as _view_strides
from .gate import host_target

__all__ = ["shape", "ndim", "size", "result_type", "can_cast", "copyto", "Flags", "setflags",
           "view_strides", "FlatIter"]


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
    """Same as ``numpy.copyto``: ``src`` (extra leading length-1 axes dropped) and
    ``where`` broadcast to ``dst``, NumPy's casting rule and errors."""
    from ..distributed.elementwise import (assign, broadcast_shapes, check_writable,
                                           fit_value, shape_text)
    from .coerce import where_operand
    from .ufuncs import as_operand
    if not isinstance(dst, ndarray):
        host_target(dst)
        raise TypeError(f"copyto() argument 1 must be numpy.ndarray, not "
                        f"{type(dst).__name__}")
    m = dst._store.machine
    value = as_operand(src, m, "copyto")
    if isinstance(value, ndarray):
        if not numpy.can_cast(value.dtype, dst.dtype, casting):
            what = "scalar" if value.ndim == 0 else "array data"
            raise TypeError(f"Cannot cast {what} from {value.dtype!r} to {dst.dtype!r} "
                            f"according to the rule {casting!r}")
        if value is dst or (value._store is dst._store and value._map.key == dst._map.key):
            # an array copied onto itself: nothing to write, nothing checked (NumPy; a
            # 0-d one goes NumPy's way for a scalar, which checks where= first)
            if value.ndim:
                return
            check_writable(dst, "assignment destination is read-only")
            value = None
        else:
            value = fit_value(value, value.shape, dst.shape)
    else:                       # the scalar as NumPy casts it into dst (its errors too)
        cell = numpy.zeros((), dst.dtype)
        with numpy.errstate(all="ignore"):
            numpy.copyto(cell, value, casting=casting)
        value = cell[()]
    if where is not True:
        where = where_operand(where, m)
        if isinstance(where, ndarray):
            try:
                ok = broadcast_shapes([where.shape, dst.shape]) == dst.shape
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(f"could not broadcast where mask from shape "
                                 f"{shape_text(where.shape)} into shape "
                                 f"{shape_text(dst.shape)}")
        elif not where:
            return
        else:
            where = True
    if value is None:
        return
    if where is True:
        assign(dst, value)
        return
    from .manipulation import where as np_where
    assign(dst, np_where(where, value, dst))


_UNALIGNED: "weakref.WeakValueDictionary" = weakref.WeakValueDictionary()  # id -> array


class Flags:
    """``x.flags``, as NumPy's flags object: the flags of the view as NumPy has them for
    the same view of a new array, their derived combinations, item access by NumPy's
    keys, and equality.  ``writeable``,
    ``aligned`` and ``writebackifcopy`` are set as ``setflags`` sets them."""

    __slots__ = ("_x",)
    __hash__ = None  # type: ignore[assignment]

    _KEYS = {"C": "c_contiguous", "C_CONTIGUOUS": "c_contiguous", "CONTIGUOUS": "contiguous",
             "F": "f_contiguous", "F_CONTIGUOUS": "f_contiguous", "FORTRAN": "fortran",
             "O": "owndata", "OWNDATA": "owndata", "W": "writeable", "WRITEABLE": "writeable",
             "A": "aligned", "ALIGNED": "aligned", "X": "writebackifcopy",
             "WRITEBACKIFCOPY": "writebackifcopy", "B": "behaved", "BEHAVED": "behaved",
             "CA": "carray", "CARRAY": "carray", "FA": "farray", "FARRAY": "farray",
             "FNC": "fnc", "FORC": "forc"}
    _SETTABLE = {"W": "write", "WRITEABLE": "write", "A": "align", "ALIGNED": "align",
                 "X": "uic", "WRITEBACKIFCOPY": "uic"}

    def __init__(self, x) -> None:
        self._x = x

    def _contiguous(self, c_order: bool) -> bool:
        """NumPy's rule, for NumPy's strides of the view: the strides of the axes longer
        than 1 are those of a packed array."""
        x = self._x
        shape, strides = x.shape, _strides_of(x)
        if c_order:
            return is_c_contiguous(shape, strides, x.dtype.itemsize)
        return is_c_contiguous(shape[::-1], strides[::-1], x.dtype.itemsize)


    @property
    def c_contiguous(self) -> bool:
        return self._contiguous(True)

    contiguous = c_contiguous

    @property
    def f_contiguous(self) -> bool:
        return self._contiguous(False)

    fortran = f_contiguous

    @property
    def owndata(self) -> bool:
        x = self._x
        return x._map.is_identity_of(x._store.shape) and x._store.base is x._store

    @property
    def writeable(self) -> bool:
        x = self._x
        return not x._readonly and not any(a < 0 and n > 1 for (a, _s, _st), n in
                                           zip(x._map.dims, x.shape))

    @writeable.setter
    def writeable(self, value) -> None:
        setflags(self._x, write=value)

    @property
    def aligned(self) -> bool:
        return _UNALIGNED.get(id(self._x)) is not self._x

    @aligned.setter
    def aligned(self, value) -> None:
        setflags(self._x, align=value)

    @property
    def writebackifcopy(self) -> bool:
        return False

    @writebackifcopy.setter
    def writebackifcopy(self, value) -> None:
        setflags(self._x, uic=value)

    # the derived flags, with NumPy's definitions
    @property
    def behaved(self) -> bool:
        return self.aligned and self.writeable

    @property
    def carray(self) -> bool:
        return self.c_contiguous and self.behaved

    @property
    def farray(self) -> bool:
        return (self.aligned or self.writeable or self.f_contiguous) and \
            not self.c_contiguous

    @property
    def fnc(self) -> bool:
        return self.f_contiguous and not self.c_contiguous

    @property
    def forc(self) -> bool:
        return self.f_contiguous or self.c_contiguous

    @property
    def num(self) -> int:
        return (1 * self.c_contiguous + 2 * self.f_contiguous + 4 * self.owndata
                + 0x100 * self.aligned + 0x400 * self.writeable)

    def __getitem__(self, key):
        attr = self._KEYS.get(key) if isinstance(key, str) else None
        if attr is None:
            raise KeyError("Unknown flag")
        return getattr(self, attr)

    def __setitem__(self, key, value) -> None:
        arg = self._SETTABLE.get(key) if isinstance(key, str) else None
        if arg is None:
            raise KeyError("Unknown flag")
        setflags(self._x, **{arg: value})

    def __eq__(self, other):
        if not isinstance(other, Flags):
            return NotImplemented
        return self.num == other.num

    def __repr__(self) -> str:
        return "".join(f"  {k.upper()} : {getattr(self, k)}\n"
                       for k in ("c_contiguous", "f_contiguous", "owndata", "writeable",
                                 "aligned", "writebackifcopy"))


def view_strides(x) -> tuple:
    """``x.strides`` as NumPy gives them for the same view of a new array: the view's
    steps through its store, a C-ordered array, or NumPy's view of it for a store over
    another's memory (0 along broadcast and new axes)."""
    return _strides_of(x)


def _strides_of(x) -> tuple:
    return _view_strides(x._store, x._map)


def setflags(x, write=None, align=None, uic=None) -> None:
    """``x.setflags(write, align, uic)`` as NumPy's: ``write=False`` makes ``x`` (and
    the views taken from it afterwards) read-only, ``write=True`` undoes it except for a
    view that repeats elements (a broadcast); ``align=False`` marks ``x`` unaligned (its
    shards are aligned; the flag is what NumPy reports); WRITEBACKIFCOPY cannot be set."""
    if write is not None:
        if write and any(a < 0 and n > 1 for (a, _s, _st), n in
                         zip(x._map.dims, x._map.shape)):
            raise ValueError("cannot set WRITEABLE flag to True of this array")
        x._readonly = not write
    if align is not None:
        if align:
            _UNALIGNED.pop(id(x), None)
        else:
            _UNALIGNED[id(x)] = x
    if uic:
        raise ValueError("cannot set WRITEBACKIFCOPY flag to True")


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
        r = self._flat()[key]
        # NumPy's flat indexing gives a copy, never a view of the array
        return r.copy() if isinstance(r, ndarray) and r._store.base is \
            self.base._store.base else r

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
