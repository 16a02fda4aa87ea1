"""The parts of the ``numpy.ndarray`` protocol that need more than one call: the ``==``
and ``!=`` operators with an operand of no comparable dtype, ``x in a``, the
constructor with ``buffer=``, ``.data`` and ``__setstate__``.  ``arrbackend.ndarray``'s
methods of those names call these functions."""
from __future__ import annotations

import numpy

from ..distributed.array import ndarray
from .ufuncs import ufunc_call

__all__ = ["compare", "power", "contains", "new", "data", "setstate"]

_NO_LOOP = numpy._core._exceptions._UFuncNoLoopError


def compare(ufunc, a, other):
    """``a == other`` (``ufunc`` is ``numpy.equal``) or ``a != other``
    (``numpy.not_equal``), as NumPy's operators: where the two dtypes cannot be compared
    (a number and a string, ``None``), every element is unequal, in the broadcast
    shape; a structured operand raises NumPy's TypeError."""
    if other is None:
        return _constant(ufunc, a, ())
    try:
        return ufunc_call(ufunc, (a, other), {})
    except _NO_LOOP:
        pass
    if isinstance(other, ndarray):
        shape = other.shape
    else:
        arr = numpy.asarray(other)
        if arr.dtype.kind == "V":
            raise TypeError("Cannot compare structured or void to non-void arrays.")
        shape = arr.shape
    return _constant(ufunc, a, shape)


def _constant(ufunc, a, shape):
    from ..distributed.elementwise import broadcast_shapes
    from .creation import full_on
    try:
        full = broadcast_shapes([a.shape, shape])
    except ValueError:
        raise ValueError(f"operands could not be broadcast together with shapes "
                         f"{_fmt(a.shape)} {_fmt(shape)} ") from None
    return full_on(full, ufunc is numpy.not_equal, numpy.bool_, a._store.machine)


def _fmt(shape) -> str:
    return "(" + ",".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def power(a, exponent, inplace: bool = False):
    """``a ** exponent`` (``inplace``: ``a **= exponent``) as NumPy's operator computes
    it: a Python int 2 squares (``bool ** 2`` is int8, as ``square`` gives), and for
    float and complex arrays a Python int -1 takes the reciprocal and a Python float 0.5
    the square root; any other exponent is ``power``."""
    op, t = None, type(exponent)
    if t is int and exponent == 2:
        op = numpy.square
    elif a.dtype.kind in "fc" and (t is int and exponent == -1 or
                                   t is float and exponent == 0.5):
        op = numpy.reciprocal if t is int else numpy.sqrt
    kw = {"out": (a,)} if inplace else {}
    if op is None:
        return ufunc_call(numpy.power, (a, exponent), kw)
    return ufunc_call(op, (a,), kw)


def contains(a, value) -> bool:
    """``value in a``: whether any element equals ``value`` (NumPy's
    ``(a == value).any()``, for any number of dimensions)."""
    from .reductions import any as any_
    r = compare(numpy.equal, a, value)
    if not isinstance(r, ndarray):
        return bool(r)
    return bool(any_(r))


def new(shape, dtype=float, buffer=None, offset=0, strides=None, order=None):
    """``arrbackend.ndarray(shape, dtype, buffer, offset, strides, order)``: NumPy's
    array over ``buffer`` (or a new one), copied onto the devices of the current
    machine."""
    from .creation import empty, asarray_on
    from ..distributed.machine import current_machine
    if buffer is None and strides is None:
        return empty(shape, dtype, order="C" if order is None else order)
    if isinstance(buffer, ndarray):
        from ..distributed.hostio import gather
        buffer = gather(buffer, explicit=True)
    host = numpy.ndarray(shape, dtype, buffer, offset, strides, order)
    if buffer is None:
        host = numpy.zeros_like(host)      # (NumPy's memory would be uninitialised)
    r = asarray_on(host, current_machine(), copy=True, host=True)
    if isinstance(r, ndarray) and not host.flags.writeable:
        r._readonly = True
    return r


def data(a) -> memoryview:
    """``a.data``: a read-only buffer of the array's values (a host copy: the elements
    live on the devices, so writes through a buffer could not reach them)."""
    from ..distributed.hostio import gather
    host = numpy.array(gather(a, explicit=True), copy=True)
    host.flags.writeable = False
    return host.data


def setstate(a, state) -> None:
    """``a.__setstate__(state)`` with NumPy's pickled state ``(version, shape, dtype,
    is_fortran, data)``: ``a`` takes that shape, dtype and those values."""
    from .creation import asarray_on
    host = numpy.ndarray.__new__(numpy.ndarray, (0,), numpy.uint8)
    host.__setstate__(state)
    a._rebind(asarray_on(host, a._store.machine, copy=True))
    a._readonly = False          # (NumPy's array is writeable after it, too)
