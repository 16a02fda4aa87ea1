"""NumPy's coercions of arguments, in one place.

NumPy converts an argument in one of two ways, and the difference shows at the edges:

* an *array* (NumPy's or arrbackend's, 0-d included) keeps its dtype and is cast by a
  rule (``safe`` for ``repeat``/``put`` indices, ``same_kind`` for ``take``, ``unsafe``
  for values written into an array);
* anything else (Python numbers, NumPy scalars, strings, lists) is converted by
  ``numpy.asarray(x, dtype=...)``, so ``2.0``, ``[1.5, 2.0]`` and ``'1'`` become
  integers where an integer array is wanted, while ``2+0j`` and Python ints out of range
  raise NumPy's TypeError and OverflowError.

A scalar stored into an array (``a[i] = v``, ``full``) follows NumPy's item assignment,
computed by NumPy itself on a 0-d array.
"""
from __future__ import annotations

import numpy

from .. import _fperrors
from ..distributed.array import ndarray
from ..distributed.indexing import assigned_scalar  # noqa: F401  (NumPy's item assignment)

__all__ = ["int_operand", "values_as", "where_operand", "assigned_scalar", "filled_scalar",
           "check_writeback_out"]


def _cast_error(x, to, casting: str) -> TypeError:
    what = "scalar" if x.ndim == 0 else "array data"
    return TypeError(f"Cannot cast {what} from {x.dtype!r} to {numpy.dtype(to)!r} "
                     f"according to the rule '{casting}'")


def int_operand(x, machine, casting: str = "safe"):
    """An integer (``intp``) arrbackend array of ``x``, as NumPy converts indices and
    counts: arrays by ``casting`` from their dtype, anything else by value."""
    from .creation import asarray_on
    from .manipulation import astype
    if isinstance(x, (ndarray, numpy.ndarray)):
        if x.dtype != numpy.intp:
            if not numpy.can_cast(x.dtype, numpy.intp, casting):
                raise _cast_error(x, numpy.intp, casting)
        r = asarray_on(x, machine)
        return r if r.dtype == numpy.intp else astype(r, numpy.intp)
    return asarray_on(numpy.asarray(x, dtype=numpy.intp), machine)


def where_operand(where, machine):
    """A ``where=`` mask as NumPy converts it: a boolean array, an array of another dtype
    is NumPy's TypeError (no safe cast to bool), anything else is converted by value
    (``[1, 0, 1]``, ``'x'``); a 0-d mask is a NumPy bool."""
    from .creation import asarray_on
    if isinstance(where, (ndarray, numpy.ndarray)):
        if where.dtype != numpy.bool_:
            if not numpy.can_cast(where.dtype, numpy.bool_, "safe"):
                raise _cast_error(where, numpy.bool_, "safe")
            from .manipulation import astype
            where = astype(asarray_on(where, machine), numpy.bool_)
        if isinstance(where, numpy.ndarray) and where.ndim == 0:
            return where[()]
        return asarray_on(where, machine)
    w = numpy.asarray(where, dtype=numpy.bool_)
    return w[()] if w.ndim == 0 else asarray_on(w, machine)


def values_as(v, dtype, machine):
    """``v`` as an arrbackend array of ``dtype``, as NumPy converts values written into
    an array (``put``, ``place``): arrays cast unsafely, anything else by value."""
    from .creation import asarray_on
    from .manipulation import astype
    if isinstance(v, ndarray):
        return v if v.dtype == dtype else astype(v, dtype)
    if isinstance(v, numpy.ndarray):
        return asarray_on(v.astype(dtype), machine)
    return asarray_on(numpy.asarray(v, dtype=dtype), machine)


_ZERO_ONE: dict = {}     # (0 or 1, dtype) -> the filled scalar (zeros, ones: no error)


def filled_scalar(value, dtype):
    """``value`` as NumPy fills a new ``dtype`` array with it (``full``: an unsafe cast,
    with NumPy's checks of Python ints)."""
    if type(value) is int and (value == 0 or value == 1):
        hit = _ZERO_ONE.get((value, dtype))
        if hit is None:
            hit = _ZERO_ONE[(value, dtype)] = numpy.ones((), dtype)[()] if value else \
                numpy.zeros((), dtype)[()]
        return hit
    cell = numpy.empty((), dtype)
    token = _fperrors.enter()
    try:
        numpy.copyto(cell, value, casting="unsafe")
    finally:
        _fperrors.leave(token)
    return cell[()]


def check_writeback_out(out, dtype, shape, what: str) -> None:
    """NumPy's checks of an ``out=`` that a function fills as a copy of its own dtype
    (``take``, ``argmax``): the same shape, and a dtype that casts safely to the
    function's dtype (an int8 ``out`` may take an argmax, a float or uint64 one may not),
    the shape judged first."""
    if tuple(out.shape) != tuple(shape):
        raise ValueError(f"output array does not match result of {what}")
    if not numpy.can_cast(out.dtype, dtype, "safe"):
        raise TypeError(f"Cannot cast array data from {out.dtype!r} to {numpy.dtype(dtype)!r}"
                        f" according to the rule 'safe'")
