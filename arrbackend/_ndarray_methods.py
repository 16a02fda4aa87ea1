"""``ndarray`` methods that ``arrbackend/_ndarray.py`` does not define yet: ``partition
resize byteswap getfield setfield setflags dump dumps tofile``.

``NdarrayMethods`` is a mixin (no state, ``__slots__ = ()``) meant to be a base class of
``arrbackend.ndarray``::

    from ._ndarray_methods import NdarrayMethods
    class ndarray(NdarrayMethods): ...

This module imports nothing from arrbackend at import time, so ``_ndarray.py`` can import
it before defining the class.
"""
from __future__ import annotations

import operator
import pickle

import numpy

__all__ = ["NdarrayMethods"]


def _byteswap_kernel(xp, ins, outs):
    a = xp.ascontiguousarray(ins[0])
    dt = a.dtype
    if xp is numpy:
        outs[0][...] = a.byteswap()
        return
    part = dt.itemsize // 2 if dt.kind == "c" else dt.itemsize
    if part == 1:
        outs[0][...] = a
        return
    b = a.view(numpy.uint8).reshape(a.shape + (dt.itemsize // part, part))[..., ::-1]
    b = xp.ascontiguousarray(b).reshape(a.shape + (dt.itemsize,))
    outs[0][...] = b.view(dt).reshape(a.shape)


class NdarrayMethods:
    """The methods of ``numpy.ndarray`` added to ``arrbackend.ndarray``."""

    __slots__ = ()

    def partition(self, kth, axis=-1, kind="introselect", order=None):
        """Same as ``numpy.ndarray.partition`` (in place; where the axis is split across
        devices the result is fully sorted, which is also a valid partition)."""
        from .api.sorting import partition
        self[...] = partition(self, kth, axis=axis, kind=kind, order=order)

    def resize(self, *new_shape, refcheck=True):
        """Same as ``numpy.ndarray.resize``: the array changes shape in place, extra
        elements are zero (only for arrays that own their data, as in NumPy)."""
        from .api.creation import zeros
        from .api.manipulation import ravel, reshape
        if len(new_shape) == 1 and not isinstance(new_shape[0], int):
            new_shape = tuple(new_shape[0]) if new_shape[0] is not None else ()
        new_shape = tuple(operator.index(n) for n in new_shape)
        if any(n < 0 for n in new_shape):
            raise ValueError("negative dimensions not allowed")
        if not (self._map.is_identity_of(self._store.shape)
                and self._store.base is self._store):
            raise ValueError("cannot resize this array: it does not own its data")
        n = 1
        for s in new_shape:
            n *= s
        flat = ravel(self)
        new = zeros((n,), dtype=self.dtype, device=self._store.machine)
        k = min(n, flat.size)
        if k:
            new[:k] = flat[:k]
        self._rebind(reshape(new, new_shape))

    def byteswap(self, inplace=False):
        """Same as ``numpy.ndarray.byteswap`` (each component of a complex swapped)."""
        from .distributed.elementwise import elementwise
        out = (self,) if inplace else None
        r = elementwise(_byteswap_kernel, [self], self.shape, [self.dtype], out=out)[0]
        return self if inplace else r

    def getfield(self, dtype, offset=0):
        """Same as ``numpy.ndarray.getfield``: a view of every shard (CPU devices; GPU
        arrays run it through the fallback)."""
        from .distributed.store import Store
        dt = numpy.dtype(dtype)
        if offset < 0 or offset + dt.itemsize > self.dtype.itemsize:
            raise ValueError(f"Need 0 <= offset <= {self.dtype.itemsize - dt.itemsize} for "
                             f"requested type but received offset = {offset}")
        s = self._store
        if s.machine.is_gpu:
            if dt == self.dtype and offset == 0:        # (the whole element: a view)
                return self._view(self._map)
            from .api.fallback import call_numpy
            return call_numpy(lambda a: a.getfield(dt, offset), (self,), {},
                              name="ndarray.getfield on GPU")
        shards = [None if sh is None else sh.getfield(dt, offset) for sh in s.shards]
        return self._view(self._map)._with_store(
            Store(s.machine, s.shape, dt, s.layout, shards, base=s))

    def setfield(self, val, dtype, offset=0):
        """Same as ``numpy.ndarray.setfield``: writes through ``getfield``'s view (GPU
        arrays: through the fallback, which writes the result back)."""
        from .distributed.store import before_write
        if self._store.machine.is_gpu:
            dt = numpy.dtype(dtype)
            if dt == self.dtype and offset == 0:        # (the whole element)
                self[...] = val
                return
            from .api.fallback import call_numpy
            call_numpy(lambda a, v: a.setfield(v, dt, offset), (self, val), {},
                       name="ndarray.setfield on GPU")
            return
        from .distributed.elementwise import check_writable
        check_writable(self, "assignment destination is read-only")
        before_write(self._store)
        view = NdarrayMethods.getfield(self, dtype, offset)
        view[...] = val

    def setflags(self, write=None, align=None, uic=None):
        """Same as ``numpy.ndarray.setflags``."""
        from .api.attributes import setflags
        setflags(self, write, align, uic)

    def dump(self, file):
        """Same as ``numpy.ndarray.dump``: a pickle (of the gathered values)."""
        if isinstance(file, (str, bytes)) or hasattr(file, "__fspath__"):
            with open(file, "wb") as f:
                pickle.dump(self, f, protocol=2)
        else:
            pickle.dump(self, file, protocol=2)

    def dumps(self):
        """Same as ``numpy.ndarray.dumps``."""
        return pickle.dumps(self, protocol=2)

    def tofile(self, fid, /, sep="", format="%s"):
        """Same as ``numpy.ndarray.tofile`` (the values are gathered explicitly)."""
        from .distributed.hostio import gather
        numpy.asarray(gather(self, explicit=True)).tofile(fid, sep=sep, format=format)
