"""The Array API standard's values where NumPy's differ.

``arrbackend`` is one namespace for NumPy users and for the standard, and its functions
are the registry's, which also serve NumPy code under ``enabled()``.  In a few places the
standard asks for other values than NumPy gives; there the namespace (and so
``x.__array_namespace__()``) gives the standard's, while ``np.*`` called on arrbackend
arrays keeps NumPy's:

* ``floor_divide`` with an infinite operand: ``+inf // 2`` is ``+inf`` (NumPy: NaN),
  ``1 // -inf`` is ``-0`` (NumPy: ``-1``);
* complex ``expm1`` and ``tanh`` of infinities, zeros and NaNs (NumPy follows C99's
  ``cexp``/``ctanh``);
* ``linalg.eig``/``linalg.eigvals`` return complex results always (``complex64`` for
  ``float32`` input); NumPy's are real when every eigenvalue is.

The ``//`` operators of arrbackend arrays give the standard's values outside
``enabled()`` and NumPy's inside it (``floordiv_operators``).  Each correction is a kernel
of the elementwise engine over NumPy's (or the device library's) own result.
"""
from __future__ import annotations

import numpy

from ..distributed.elementwise import broadcast_shapes, elementwise
from ..distributed.array import ndarray
from .ufuncs import as_operand, common_machine, resolve_dtypes, ufunc_call

__all__ = ["floor_divide", "expm1", "tanh", "eig", "eigvals", "floordiv_operators",
           "STANDARD_UFUNCS"]


def _shape(*xs):
    shapes = [x.shape for x in xs if isinstance(x, ndarray)] or [()]
    return broadcast_shapes(shapes) if len(shapes) > 1 else shapes[0]


def _patched(kernel, name, inputs, r, out):
    """``kernel`` run over the operands and NumPy's result ``r`` (into ``out`` if
    given; else a new array)."""
    m = common_machine(list(inputs) + [r], name)
    ins = [as_operand(x, m, name) for x in inputs] + [r]
    res = elementwise(kernel, ins, _shape(*ins), [r.dtype], out=None if out is None
                      else (out,), machine=m)[0]
    return res


def _floor_divide_kernel(xp, ins, outs):
    a, b, r = (xp.asarray(v) for v in ins)
    inf_by_finite = xp.isinf(a) & xp.isfinite(b) & (b != 0)
    finite_by_inf = xp.isfinite(a) & (a != 0) & xp.isinf(b)
    signed_inf = xp.where(xp.signbit(a) != xp.signbit(b), -xp.inf, xp.inf)
    signed_zero = xp.where(xp.signbit(a) != xp.signbit(b), -0.0, 0.0)
    res = xp.where(inf_by_finite, signed_inf, xp.where(finite_by_inf, signed_zero, r))
    outs[0][...] = res.astype(outs[0].dtype, copy=False)


def floor_divide(x1, x2, /, out=None, **kwargs):
    """``floor_divide`` with the standard's special cases: an infinite numerator over a
    finite nonzero denominator is an infinity, a finite nonzero numerator over an
    infinity is a signed zero (NumPy: NaN and -1 or 0)."""
    if isinstance(out, tuple):
        out = out[0] if len(out) == 1 else out
    if out is not None or kwargs.get("where", True) is not True:
        if kwargs.get("where", True) is not True or not isinstance(out, ndarray):
            return ufunc_call(numpy.floor_divide, (x1, x2), dict(kwargs, out=out))
        m = common_machine([x1, x2, out], "floor_divide")     # NumPy's casting errors
        resolve_dtypes(numpy.floor_divide, [as_operand(x, m) for x in (x1, x2)], (out,),
                       kwargs.get("dtype"), kwargs.get("casting"), kwargs.get("signature"))
        shape = broadcast_shapes([numpy.shape(x) if not isinstance(x, ndarray) else x.shape
                                  for x in (x1, x2, out)])   # (then NumPy's shape error)
        if shape != out.shape:
            raise ValueError(f"non-broadcastable output operand with shape {out.shape} "
                             f"doesn't match the broadcast shape {shape}")
    r = ufunc_call(numpy.floor_divide, (x1, x2), dict(kwargs))
    if r.dtype.kind != "f":
        return _into(out, r)
    return _patched(_floor_divide_kernel, "floor_divide", (x1, x2), r, out)


def _parts(xp, x, r):
    x = xp.asarray(x)
    r = xp.asarray(r)
    return x.real, x.imag, r.real.copy(), r.imag.copy()


def _set_complex(xp, out, re, im):
    out.real = re
    out.imag = im


def _expm1_kernel(xp, ins, outs):
    a, b, re, im = _parts(xp, ins[0], ins[1])
    inf, nan = xp.inf, xp.nan
    b0 = b == 0
    cases = [  # (where, real part, imaginary part); b's sign kept on zero parts
        ((a == 0) & b0, 0.0, b),
        ((a == inf) & b0, inf, b),
        ((a == -inf) & xp.isinf(b), -1.0, xp.copysign(0.0, b)),
        ((a == inf) & xp.isinf(b), inf, nan),
        ((a == -inf) & xp.isnan(b), -1.0, 0.0),
        ((a == inf) & xp.isnan(b), inf, nan),
        (xp.isnan(a) & b0, nan, b),
    ]
    for mask, rv, iv in cases:
        re = xp.where(mask, rv, re)
        im = xp.where(mask, iv, im)
    _set_complex(xp, outs[0], re, im)


def _tanh_kernel(xp, ins, outs):
    a, b, re, im = _parts(xp, ins[0], ins[1])
    mask = (a == xp.inf) & ~xp.isnan(b)            # 1 + 0j, the zero signed as b
    re = xp.where(mask, 1.0, re)
    im = xp.where(mask, xp.copysign(0.0, b), im)
    mneg = (a == -xp.inf) & ~xp.isnan(b)           # tanh(-x) = -tanh(x)
    re = xp.where(mneg, -1.0, re)
    im = xp.where(mneg, xp.copysign(0.0, b), im)
    _set_complex(xp, outs[0], re, im)


def _complex_unary(uf, kernel):
    def f(x, /, out=None, **kwargs):
        if out is not None:         # NumPy's checks of out= and its values, then the cases
            r = ufunc_call(uf, (x,), dict(kwargs, out=out))
            if isinstance(r, tuple):
                r = r[0]
            if r.dtype.kind != "c" or kwargs.get("where", True) is not True:
                return r
            if not isinstance(r, ndarray):      # a NumPy array given as out=: the cases
                fixed = _patched(kernel, uf.__name__, (x,),     # computed, then written
                                 ufunc_call(uf, (x,), dict(kwargs)), None)
                r[...] = numpy.asarray(fixed)
                return r
            return _patched(kernel, uf.__name__, (x,), r, r)
        r = ufunc_call(uf, (x,), dict(kwargs))
        if r.dtype.kind != "c" or kwargs.get("where", True) is not True:
            return r
        return _patched(kernel, uf.__name__, (x,), r, None)
    f.__name__ = f.__qualname__ = uf.__name__
    f.__doc__ = (f"``{uf.__name__}`` with the standard's special cases for complex "
                 f"infinities, zeros and NaNs.")
    return f


expm1 = _complex_unary(numpy.expm1, _expm1_kernel)
tanh = _complex_unary(numpy.tanh, _tanh_kernel)


def _into(out, r):
    if out is None:
        return r
    o = out[0] if isinstance(out, tuple) else out
    from ..distributed.elementwise import assign
    assign(o, r)
    return o


#: NumPy ufunc -> the standard's version (``arrbackend.<name>`` calls these)
STANDARD_UFUNCS = {numpy.floor_divide: floor_divide, numpy.expm1: expm1,
                   numpy.tanh: tanh}


_PLAIN_OPERANDS = (int, float, bool, numpy.generic, numpy.ndarray)


def floordiv_operators(fwd, rev, inplace):
    """The ``//``, reversed ``//`` and ``//=`` operators of arrbackend arrays, made from
    NumPy's (``fwd``, ``rev``, ``inplace``): NumPy's values for NumPy code under
    ``enabled()``, the standard's otherwise (an Array API or ``import arrbackend as np``
    program)."""
    from .._origin import is_enabled

    def __floordiv__(self, other):
        r = fwd(self, other)
        if is_enabled() or not isinstance(r, ndarray) or r.dtype.kind != "f":
            return r
        return _patched(_floor_divide_kernel, "floor_divide", (self, other), r, None)

    def __rfloordiv__(self, other):
        r = rev(self, other)
        if is_enabled() or not isinstance(r, ndarray) or r.dtype.kind != "f":
            return r
        return _patched(_floor_divide_kernel, "floor_divide", (other, self), r, None)

    def __ifloordiv__(self, other):
        if is_enabled() or not isinstance(other, (ndarray,) + _PLAIN_OPERANDS) or \
                (self._store.scalar and self.ndim == 0):     # (NumPy's scalar: out of place)
            return inplace(self, other)
        floor_divide(self, other, out=self)
        return self

    for f, g in ((__floordiv__, fwd), (__rfloordiv__, rev), (__ifloordiv__, inplace)):
        f.__doc__ = getattr(g, "__doc__", None)
    return __floordiv__, __rfloordiv__, __ifloordiv__


def _complex_dtype(dt):
    return numpy.dtype(numpy.complex64 if dt in (numpy.float32, numpy.complex64)
                       else numpy.complex128)


def eig(x, /):
    """``linalg.eig`` as the standard asks: complex eigenvalues and eigenvectors always
    (NumPy's are real when every eigenvalue is)."""
    from .linalg_solvers import eig as numpy_eig, _named
    from .manipulation import astype
    r = numpy_eig(x)
    dt = _complex_dtype(_dtype_of(x))
    return _named("EigResult", (astype(r.eigenvalues, dt, copy=False),
                                astype(r.eigenvectors, dt, copy=False)))


def eigvals(x, /):
    """``linalg.eigvals`` as the standard asks: complex always."""
    from .linalg_solvers import eigvals as numpy_eigvals
    from .manipulation import astype
    return astype(numpy_eigvals(x), _complex_dtype(_dtype_of(x)), copy=False)


def _dtype_of(x):
    return numpy.dtype(x.dtype) if hasattr(x, "dtype") else numpy.asarray(x).dtype
