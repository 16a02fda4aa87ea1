"""Files, buffers and text: ``load save savez savez_compressed loadtxt savetxt genfromtxt
fromfile fromregex frombuffer fromstring fromiter array2string array_repr array_str``.

Data that comes from the host (a file, a buffer, an iterator) is read by NumPy and
scattered onto the devices by the default layout, like any ``array(...)``; data written
to the host or printed is gathered explicitly (``asnumpy``, no TransferWarning): moving
the bytes to the host *is* the operation.  Dtypes the devices cannot hold (strings,
objects, structured records) stay NumPy arrays, as everywhere in arrbackend.
"""
from __future__ import annotations

import numpy

from .registry import implements
from ._helpers import host
from ..distributed.array import ndarray

__all__ = ["load", "save", "savez", "savez_compressed", "loadtxt", "savetxt", "genfromtxt",
           "fromfile", "fromregex", "frombuffer", "fromstring", "fromiter", "array2string",
           "array_repr", "array_str"]

_READ = "read on the host by NumPy, then scattered onto the devices"
_WRITE = "gathered to the host explicitly, then written by NumPy"


def _scatter(r):
    """NumPy results onto the current machine (device-holdable dtypes only)."""
    from .creation import asarray_on
    from ..distributed.machine import current_machine
    if isinstance(r, numpy.ndarray):
        if r.dtype.kind in "OUSVMm" or r.dtype.names is not None:
            return r
        return asarray_on(r, current_machine(), copy=True)
    if isinstance(r, tuple):
        return tuple(_scatter(v) for v in r)
    if isinstance(r, list):
        return [_scatter(v) for v in r]
    return r


def _gathered(obj):
    if isinstance(obj, ndarray):
        return host(obj)
    if isinstance(obj, (list, tuple)) and any(isinstance(o, ndarray) for o in obj):
        return type(obj)(_gathered(o) for o in obj)
    return obj


class NpzOnDevices:
    """``load`` of an ``.npz`` file: NumPy's lazy archive whose arrays are scattered onto
    the devices when read (``files``, ``keys``, ``close`` and ``with`` as NumPy's)."""

    def __init__(self, npz) -> None:
        self._npz = npz
        self.files = npz.files

    def __getitem__(self, key):
        return _scatter(self._npz[key])

    def __contains__(self, key) -> bool:
        return key in self._npz

    def __iter__(self):
        return iter(self._npz)

    def __len__(self) -> int:
        return len(self._npz)

    def keys(self):
        return self._npz.keys()

    def items(self):
        return [(k, self[k]) for k in self._npz.files]

    def values(self):
        return [self[k] for k in self._npz.files]

    def close(self) -> None:
        self._npz.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@implements(numpy.load, note=_READ)
def load(file, mmap_mode=None, allow_pickle=False, fix_imports=True, encoding="ASCII", *,
         max_header_size=10000):
    """Same as ``numpy.load``; arrays are scattered onto the devices (``.npz`` archives
    on access)."""
    r = numpy.load(file, mmap_mode=mmap_mode, allow_pickle=allow_pickle,
                   fix_imports=fix_imports, encoding=encoding,
                   max_header_size=max_header_size)
    if isinstance(r, numpy.lib.npyio.NpzFile):
        return NpzOnDevices(r)
    return _scatter(numpy.asarray(r) if isinstance(r, numpy.memmap) else r)


@implements(numpy.save, note=_WRITE)
def save(file, arr, allow_pickle=True):
    """Same as ``numpy.save``."""
    return numpy.save(file, _gathered(arr), allow_pickle=allow_pickle)


@implements(numpy.savez, note=_WRITE)
def savez(file, *args, allow_pickle=True, **kwds):
    """Same as ``numpy.savez``."""
    return numpy.savez(file, *[_gathered(a) for a in args], allow_pickle=allow_pickle,
                       **{k: _gathered(v) for k, v in kwds.items()})


@implements(numpy.savez_compressed, note=_WRITE)
def savez_compressed(file, *args, allow_pickle=True, **kwds):
    """Same as ``numpy.savez_compressed``."""
    return numpy.savez_compressed(file, *[_gathered(a) for a in args],
                                  allow_pickle=allow_pickle,
                                  **{k: _gathered(v) for k, v in kwds.items()})


@implements(numpy.loadtxt, note=_READ)
def loadtxt(fname, dtype=float, comments="#", delimiter=None, converters=None, skiprows=0,
            usecols=None, unpack=False, ndmin=0, encoding=None, max_rows=None, *,
            quotechar=None, like=None):
    """Same as ``numpy.loadtxt``."""
    return _scatter(numpy.loadtxt(fname, dtype=dtype, comments=comments, delimiter=delimiter,
                                  converters=converters, skiprows=skiprows, usecols=usecols,
                                  unpack=unpack, ndmin=ndmin, encoding=encoding,
                                  max_rows=max_rows, quotechar=quotechar))


@implements(numpy.savetxt, note=_WRITE)
def savetxt(fname, X, fmt="%.18e", delimiter=" ", newline="\n", header="", footer="",
            comments="# ", encoding=None):
    """Same as ``numpy.savetxt``."""
    return numpy.savetxt(fname, _gathered(X), fmt=fmt, delimiter=delimiter, newline=newline,
                         header=header, footer=footer, comments=comments, encoding=encoding)


@implements(numpy.genfromtxt, note=_READ)
def genfromtxt(fname, dtype=float, comments="#", delimiter=None, skip_header=0,
               skip_footer=0, converters=None, missing_values=None, filling_values=None,
               usecols=None, names=None, excludelist=None,
               deletechars=" !#$%&'()*+,-./:;<=>?@[\\]^{|}~", replace_space="_",
               autostrip=False, case_sensitive=True, defaultfmt="f%i", unpack=None,
               usemask=False, loose=True, invalid_raise=True, max_rows=None, encoding=None,
               *, ndmin=0, like=None):
    """Same as ``numpy.genfromtxt`` (masked or structured results stay NumPy's)."""
    r = numpy.genfromtxt(fname, dtype=dtype, comments=comments, delimiter=delimiter,
                         skip_header=skip_header, skip_footer=skip_footer,
                         converters=converters, missing_values=missing_values,
                         filling_values=filling_values, usecols=usecols, names=names,
                         excludelist=excludelist, deletechars=deletechars,
                         replace_space=replace_space, autostrip=autostrip,
                         case_sensitive=case_sensitive, defaultfmt=defaultfmt,
                         unpack=unpack, usemask=usemask, loose=loose,
                         invalid_raise=invalid_raise, max_rows=max_rows, encoding=encoding,
                         ndmin=ndmin)
    if isinstance(r, numpy.ma.MaskedArray):
        return r
    return _scatter(r)


@implements(numpy.fromfile, note=_READ)
def fromfile(file, dtype=None, count=-1, sep="", offset=0, *, like=None):
    """Same as ``numpy.fromfile``."""
    return _scatter(numpy.fromfile(file, dtype=float if dtype is None else dtype,
                                   count=count, sep=sep, offset=offset))


@implements(numpy.fromregex, note=_READ)
def fromregex(file, regexp, dtype, encoding=None):
    """Same as ``numpy.fromregex``."""
    return _scatter(numpy.fromregex(file, regexp, dtype, encoding=encoding))


@implements(numpy.frombuffer, note=_READ)
def frombuffer(buffer, dtype=None, count=-1, offset=0, *, like=None):
    """Same as ``numpy.frombuffer`` (a copy on the devices, not a view of the buffer)."""
    return _scatter(numpy.frombuffer(buffer, dtype=float if dtype is None else dtype,
                                     count=count, offset=offset))


@implements(numpy.fromstring, name="fromstring", note=_READ)
def fromstring(string, dtype=float, count=-1, *, sep, like=None):
    """Same as ``numpy.fromstring``."""
    return _scatter(numpy.fromstring(string, dtype=dtype, count=count, sep=sep))


@implements(numpy.fromiter, note=_READ)
def fromiter(iter, dtype, count=-1, *, like=None):
    """Same as ``numpy.fromiter``."""
    return _scatter(numpy.fromiter(iter, dtype, count=count))


@implements(numpy.array2string, note="gathered to the host explicitly for printing")
def array2string(a, max_line_width=None, precision=None, suppress_small=None, separator=" ",
                 prefix="", *, formatter=None, threshold=None, edgeitems=None, sign=None,
                 floatmode=None, suffix="", legacy=None):
    """Same as ``numpy.array2string``."""
    return numpy.array2string(_gathered(a), max_line_width=max_line_width,
                              precision=precision, suppress_small=suppress_small,
                              separator=separator, prefix=prefix, formatter=formatter,
                              threshold=threshold, edgeitems=edgeitems, sign=sign,
                              floatmode=floatmode, suffix=suffix, legacy=legacy)


@implements(numpy.array_repr, note="gathered to the host explicitly for printing")
def array_repr(arr, max_line_width=None, precision=None, suppress_small=None):
    """Same as ``numpy.array_repr``."""
    return numpy.array_repr(_gathered(arr), max_line_width, precision, suppress_small)


@implements(numpy.array_str, note="gathered to the host explicitly for printing")
def array_str(a, max_line_width=None, precision=None, suppress_small=None):
    """Same as ``numpy.array_str``."""
    return numpy.array_str(_gathered(a), max_line_width, precision, suppress_small)
