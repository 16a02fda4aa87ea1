"""``numpy.fft``: every function.

A transform along an axis runs on each device for the lines it holds (pocketfft through
NumPy on CPU devices, cuFFT through CuPy on GPUs): batched along the axes that are not
transformed, with nothing moving.  When the array is split along the transformed axis it
is re-cut along another axis first (one all-to-all exchange, as pencil-decomposed FFTs
do); a 1-D array split over devices is gathered to one device (counted).  The n-D
transforms apply the 1-D ones axis by axis in NumPy's order, so results agree with NumPy
to rounding.  ``fftshift`` is a roll (one concatenation per axis), ``fftfreq`` an
``arange`` scaled.
"""
from __future__ import annotations

import operator
import warnings

import numpy

from .registry import implements
from ..distributed.axiswise import unsplit
from ..distributed.elementwise import assign
from ..distributed.view import normalize_axis
from ._helpers import map_blocks, ours, uf
from .manipulation import astype

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2",
           "irfft2", "fftn", "ifftn", "rfftn", "irfftn", "fftfreq", "rfftfreq", "fftshift",
           "ifftshift"]

_NORMS = ("backward", None, "ortho", "forward")
_NOTE = "batched along the other axes; a 1-D array split over devices is gathered"


def _raw(a, n, axis, kind, norm, out):
    x = ours(a)
    ax = normalize_axis(axis, x.ndim)
    if n is None:
        n = (x.shape[ax] - 1) * 2 if kind == "irfft" else x.shape[ax]
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or '
                         f'"forward".')
    real_dt = numpy.result_type(numpy.empty(0, x.dtype).real.dtype, 1.0)
    cplx_dt = numpy.result_type(real_dt, 1j)
    if kind == "irfft":
        in_dt, out_dt, n_out = cplx_dt, real_dt, n
    elif kind == "rfft":
        if x.dtype.kind == "c":
            raise TypeError("ufunc 'rfft_n_even' did not contain a loop with signature "
                            "matching types")
        in_dt, out_dt, n_out = real_dt, cplx_dt, n // 2 + 1
    else:
        in_dt, out_dt, n_out = cplx_dt, cplx_dt, n
    if x.dtype != in_dt:
        x = astype(x, in_dt)
    y = unsplit(x, (ax,))
    shape = y.shape[:ax] + (n_out,) + y.shape[ax + 1:]

    def local(xp, loc, _whole):
        if loc.size == 0 and loc.shape[ax] != 0:
            return xp.zeros(loc.shape[:ax] + (n_out,) + loc.shape[ax + 1:], out_dt)
        if loc.shape[ax] == 0 and kind != "irfft":
            # NumPy zero-pads an empty line to n points
            pad = list(loc.shape)
            pad[ax] = n
            loc = xp.zeros(tuple(pad), in_dt)
        return getattr(xp.fft, kind)(loc, n=n, axis=ax, norm=norm)
    r = map_blocks(y, local, out_dt, shape=shape)
    if out is not None:
        if out.shape != r.shape:
            raise ValueError("output array has wrong shape.")
        assign(out, r)
        return out
    return r


def _swap(norm):
    table = {"backward": "forward", None: "forward", "ortho": "ortho", "forward": "backward"}
    try:
        return table[norm]
    except KeyError:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or '
                         f'"forward".') from None


@implements(numpy.fft.fft, local=True, note=_NOTE)
def fft(a, n=None, axis=-1, norm=None, out=None):
    """Same as ``numpy.fft.fft``."""
    return _raw(a, n, axis, "fft", norm, out)


@implements(numpy.fft.ifft, local=True, note=_NOTE)
def ifft(a, n=None, axis=-1, norm=None, out=None):
    """Same as ``numpy.fft.ifft``."""
    return _raw(a, n, axis, "ifft", norm, out)


@implements(numpy.fft.rfft, local=True, note=_NOTE)
def rfft(a, n=None, axis=-1, norm=None, out=None):
    """Same as ``numpy.fft.rfft``."""
    return _raw(a, n, axis, "rfft", norm, out)


@implements(numpy.fft.irfft, local=True, note=_NOTE)
def irfft(a, n=None, axis=-1, norm=None, out=None):
    """Same as ``numpy.fft.irfft``."""
    return _raw(a, n, axis, "irfft", norm, out)


@implements(numpy.fft.hfft, local=True, note=_NOTE)
def hfft(a, n=None, axis=-1, norm=None, out=None):
    """Same as ``numpy.fft.hfft``: ``irfft`` of the conjugate."""
    x = ours(a)
    if n is None:
        n = (x.shape[axis] - 1) * 2
    return irfft(uf("conjugate", x), n, axis, norm=_swap(norm), out=out)


@implements(numpy.fft.ihfft, local=True, note=_NOTE)
def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """Same as ``numpy.fft.ihfft``: the conjugate of ``rfft``."""
    x = ours(a)
    if n is None:
        n = x.shape[axis]
    r = rfft(x, n, axis, norm=_swap(norm))
    r = uf("conjugate", r)
    if out is not None:
        assign(out, r)
        return out
    return r


def _cook(x, s, axes, invreal=False):
    if s is None:
        shapeless = True
        s = list(x.shape) if axes is None else [x.shape[a] for a in axes]
    else:
        shapeless = False
    s = list(s)
    if axes is None:
        if not shapeless:
            warnings.warn("`axes` should not be `None` if `s` is not `None` (Deprecated in "
                          "NumPy 2.0). In a future version of NumPy, this will raise an "
                          "error and `s[i]` will correspond to the size along the "
                          "transformed axis specified by `axes[i]`. To retain current "
                          "behaviour, pass a sequence [0, ..., k-1] to `axes` for an array "
                          "of dimension k.", DeprecationWarning, stacklevel=4)
        axes = list(range(-len(s), 0))
    axes = list(axes)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if invreal and shapeless:
        s[-1] = (x.shape[axes[-1]] - 1) * 2
    if None in s:
        warnings.warn("Passing an array containing `None` values to `s` is deprecated in "
                      "NumPy 2.0 and will raise an error in a future version of NumPy. To "
                      "use the default behaviour of the corresponding 1-D transform, pass "
                      "the value matching the default for its `n` parameter. To use the "
                      "default behaviour for every axis, the `s` argument can be omitted.",
                      DeprecationWarning, stacklevel=4)
    s = [x.shape[a] if v == -1 else v for v, a in zip(s, axes)]
    return s, axes


def _nd(a, s, axes, kind, norm, out):
    x = ours(a)
    s, axes = _cook(x, s, axes)
    for ii in reversed(range(len(axes))):
        x = _raw(x, s[ii], axes[ii], kind, norm, None)
    return _to_out(x, out)


def _to_out(r, out):
    if out is not None:
        assign(out, r)
        return out
    return r


def _rnd(a, s, axes, norm, out):
    x = ours(a)
    s, axes = _cook(x, s, axes)
    x = _raw(x, s[-1], axes[-1], "rfft", norm, None)
    for ii in range(len(axes) - 2, -1, -1):
        x = _raw(x, s[ii], axes[ii], "fft", norm, None)
    return _to_out(x, out)


def _irnd(a, s, axes, norm, out):
    x = ours(a)
    s, axes = _cook(x, s, axes, invreal=True)
    for ii in range(len(axes) - 1):
        x = _raw(x, s[ii], axes[ii], "ifft", norm, None)
    x = _raw(x, s[-1], axes[-1], "irfft", norm, None)
    return _to_out(x, out)


@implements(numpy.fft.fftn, local=True, note=_NOTE)
def fftn(a, s=None, axes=None, norm=None, out=None):
    """Same as ``numpy.fft.fftn``."""
    return _nd(a, s, axes, "fft", norm, out)


@implements(numpy.fft.ifftn, local=True, note=_NOTE)
def ifftn(a, s=None, axes=None, norm=None, out=None):
    """Same as ``numpy.fft.ifftn``."""
    return _nd(a, s, axes, "ifft", norm, out)


@implements(numpy.fft.fft2, local=True, note=_NOTE)
def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """Same as ``numpy.fft.fft2``."""
    return _nd(a, s, axes, "fft", norm, out)


@implements(numpy.fft.ifft2, local=True, note=_NOTE)
def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """Same as ``numpy.fft.ifft2``."""
    return _nd(a, s, axes, "ifft", norm, out)


@implements(numpy.fft.rfftn, local=True, note=_NOTE)
def rfftn(a, s=None, axes=None, norm=None, out=None):
    """Same as ``numpy.fft.rfftn``."""
    return _rnd(a, s, axes, norm, out)


@implements(numpy.fft.rfft2, local=True, note=_NOTE)
def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """Same as ``numpy.fft.rfft2``."""
    return _rnd(a, s, axes, norm, out)


@implements(numpy.fft.irfftn, local=True, note=_NOTE)
def irfftn(a, s=None, axes=None, norm=None, out=None):
    """Same as ``numpy.fft.irfftn``."""
    return _irnd(a, s, axes, norm, out)


@implements(numpy.fft.irfft2, local=True, note=_NOTE)
def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """Same as ``numpy.fft.irfft2``."""
    return _irnd(a, s, axes, norm, out)


def _freq_n(n):
    if not isinstance(n, (int, numpy.integer)):
        raise ValueError("n should be an integer")
    return int(n)


@implements(numpy.fft.fftfreq, extra={"dtype": "Array API (2025.12): the result dtype"})
def fftfreq(n, d=1.0, device=None, *, dtype=None):
    """Same as ``numpy.fft.fftfreq`` (``dtype=``: the Array API's result dtype)."""
    from .creation import arange, empty
    n = _freq_n(n)
    val = 1.0 / (n * d)
    results = empty(n, int, device=device)
    N = (n - 1) // 2 + 1
    results[:N] = arange(0, N, dtype=int, device=device)
    results[N:] = arange(-(n // 2), 0, dtype=int, device=device)
    return _freq_dtype(uf("multiply", results, val), dtype)


def _freq_dtype(r, dtype):
    if dtype is None or numpy.dtype(dtype) == r.dtype:
        return r
    from .manipulation import astype
    return astype(r, dtype)


@implements(numpy.fft.rfftfreq, extra={"dtype": "Array API (2025.12): the result dtype"})
def rfftfreq(n, d=1.0, device=None, *, dtype=None):
    """Same as ``numpy.fft.rfftfreq`` (``dtype=``: the Array API's result dtype)."""
    from .creation import arange
    n = _freq_n(n)
    val = 1.0 / (n * d)
    return _freq_dtype(uf("multiply", arange(0, n // 2 + 1, dtype=int, device=device), val),
                       dtype)


def _shift(x, axes, sign):
    from .shaping import roll
    a = ours(x)
    if axes is None:
        axes = tuple(range(a.ndim))
        shift = [sign * (dim // 2) for dim in a.shape]
    elif isinstance(axes, (int, numpy.integer)):
        shift = sign * (a.shape[axes] // 2)
    else:
        shift = [sign * (a.shape[ax] // 2) for ax in axes]
    if a.ndim == 0 and not isinstance(axes, (int, numpy.integer)) and not len(axes):
        # NumPy's roll of nothing along no axis fails unpacking the pairs: the same class
        raise ValueError(f"{'fftshift' if sign > 0 else 'ifftshift'}: a 0-d array has no "
                         f"axis to shift")
    if a.ndim == 0:
        return a.copy()
    return roll(a, shift, axes)


@implements(numpy.fft.fftshift, local=True)
def fftshift(x, axes=None):
    """Same as ``numpy.fft.fftshift``."""
    return _shift(x, axes, 1)


@implements(numpy.fft.ifftshift, local=True)
def ifftshift(x, axes=None):
    """Same as ``numpy.fft.ifftshift``."""
    return _shift(x, axes, -1)
