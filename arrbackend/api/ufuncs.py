"""NumPy's ufuncs on arrbackend arrays.

``ufunc_call`` is the body of ``__array_ufunc__(ufunc, '__call__', ...)`` and of every
arithmetic operator: NEP 50 promotion and NumPy's errors come from asking NumPy itself on
0-d stand-ins (cached per signature), then the elementwise engine runs the ufunc on each
device's arrays (``numpy.<name>`` on CPU shards, ``cupy.<name>`` on GPU shards).
``out=``, ``where=``, ``dtype=``, ``casting=`` and ``signature=`` behave as in NumPy.
"""
from __future__ import annotations

import functools

import numpy

from ..distributed.deferred import defer_call, evaluate_call
from ..kernels.fused import CTYPE_DTYPES
from ..distributed.elementwise import aliases, broadcast_shapes, elementwise
from .. import _fperrors
from .._settings import settings
from ..distributed.layout import Layout
from ..distributed.machine import current_machine
from ..distributed.store import Store, alloc_local, before_write, mark_scalar
from ..distributed.array import ndarray
from .gate import HostData, has_ours, numpy_answer

__all__ = ["ufunc_call", "METHODS", "as_operand", "common_machine", "resolve_dtypes",
           "UFUNC_NAMES", "ufunc_proxy"]

_PY_SCALARS = (bool, int, float, complex)


def common_machine(objs, name: str):
    """The machine of the arrbackend arrays among ``objs`` (all must share it)."""
    m = None
    for x in objs:
        if isinstance(x, ndarray):
            xm = x._store.machine
            if m is None:
                m = xm
            elif xm is not m:
                raise ValueError(f"{name}: arrays on different devices ({m.spec!r} and "
                                 f"{xm.spec!r}); move one with "
                                 f"arrbackend.asarray(x, device=...)")
    return m if m is not None else current_machine()


def as_operand(x, machine, name: str = "operand"):
    """An elementwise operand: arrbackend arrays stay; Python and NumPy scalars stay
    scalars (NEP 50: Python scalars are weak); everything else becomes an arrbackend
    array on ``machine``."""
    if isinstance(x, ndarray) or isinstance(x, _PY_SCALARS) or isinstance(x, numpy.generic):
        return x
    from .creation import asarray_on
    if isinstance(x, numpy.ndarray) and x.ndim == 0:
        return x[()]
    return asarray_on(x, machine)


_dtype_cache: dict = {}


def _stand_in(x):
    dt = getattr(x, "dtype", None)
    if dt is not None and not isinstance(x, numpy.generic):
        return numpy.zeros((), dt)
    return x


def resolve_dtypes(ufunc, ins, outs, dtype, casting, signature) -> tuple:
    """The output dtypes of ``ufunc`` on ``ins`` (NumPy's promotion and errors)."""
    has_pyint = any(type(x) is int for x in ins)
    key = (ufunc, tuple(getattr(x, "dtype", None) if not isinstance(x, _PY_SCALARS)
                        else type(x) for x in ins),
           None if outs is None else tuple(o.dtype for o in outs), dtype, casting,
           signature)
    if not has_pyint:
        hit = _dtype_cache.get(key)
        if hit is not None:
            return hit
    kw = {}
    if outs is not None:
        kw["out"] = tuple(numpy.zeros((), o.dtype) for o in outs)
    if dtype is not None:
        kw["dtype"] = dtype
    if casting is not None:
        kw["casting"] = casting
    if signature is not None:
        kw["signature"] = signature
    try:
        with numpy.errstate(all="ignore"):
            r = ufunc(*[_stand_in(x) for x in ins], **kw)
    except ValueError as exc:
        # an error about the values, not the dtypes (an int to a negative int power):
        # NumPy raises it only where an element is computed, so not for empty arrays.
        # Raised here otherwise, on every process alike and on GPUs (whose libraries do
        # not check), also where where= would leave every element out.
        if ufunc is not numpy.power or "negative integer powers" not in str(exc) or \
                any(x.size for x in ins if isinstance(x, ndarray)):
            raise
        with numpy.errstate(all="ignore"):     # the same keywords, a positive exponent
            r = ufunc(*[_stand_in(x) if isinstance(x, ndarray) else
                        abs(x) for x in ins], **kw)     # (a Python int stays one: weak)
    if outs is not None:
        res = tuple(o.dtype for o in outs)
    else:
        res = tuple(numpy.asarray(v).dtype for v in (r if ufunc.nout > 1 else (r,)))
    if not has_pyint:
        _dtype_cache[key] = res
    return res


_kernel_cache: dict = {}


def _kernel(ufunc, nin: int, dtype, casting, signature, has_where: bool):
    key = (ufunc, dtype, casting, signature, has_where)
    k = _kernel_cache.get(key)
    if k is not None:
        return k
    kw = {}
    if dtype is not None:
        kw["dtype"] = dtype
    if casting is not None:
        kw["casting"] = casting
    if signature is not None:
        kw["signature"] = signature
    single = ufunc.nout == 1

    def kernel(xp, ins, outs):
        if xp is numpy:
            if has_where:
                ufunc(*ins[:nin], out=tuple(outs), where=ins[nin], **kw)
            else:
                ufunc(*ins, out=outs[0] if single else tuple(outs), **kw)
            return
        f = _device_ufunc(xp, ufunc)
        ckw = {k: v for k, v in kw.items() if k != "signature"}
        if not kw and any(isinstance(x, numpy.generic) or getattr(x, "ndim", 1) == 0
                          for x in ins[:nin]) and \
                len({getattr(x, "dtype", None) for x in ins[:nin]} - {None}) > 1:
            ins = _loop_typed(ufunc, ins[:nin]) + list(ins[nin:])
        if has_where:
            res = f(*ins[:nin], **ckw)
            res = (res,) if single else res
            for o, r in reversed(list(zip(outs, res))):   # (see below: the first last)
                xp.copyto(o, r, casting="unsafe", where=ins[nin])
        elif not single and xp.may_share_memory(outs[0], outs[1]):
            # outputs in the same memory: NumPy's loops write the last output first and
            # the first last, so the first output's values are what remains
            res = f(*ins, **ckw)
            for o, r in reversed(list(zip(outs, res))):
                o[...] = r
        else:
            f(*ins, out=outs[0] if single else tuple(outs), **ckw)

    _kernel_cache[key] = kernel
    return kernel


_SINGLE = "single"


# comparisons with a Python int beyond every integer dtype have exact answers in NumPy
_COMPARISONS = frozenset((numpy.less, numpy.less_equal, numpy.greater, numpy.greater_equal,
                          numpy.equal, numpy.not_equal))


def _typed_big_ints(ufunc, ins):
    """Python ints as values of NumPy's loop dtypes (2**70 as a float64, 2**63 + 5 as a
    uint64); ``(ins, answer)`` with ``answer`` the one boolean of a comparison with an int
    beyond its integer dtype (the same for every element, as NumPy computes it), else
    None."""
    loop = ufunc.resolve_dtypes(tuple(x.dtype if isinstance(x, (ndarray, numpy.generic))
                                      else type(x) for x in ins) + (None,) * ufunc.nout)
    out = list(ins)
    for i, x in enumerate(ins):
        if type(x) is not int:
            continue
        dt = loop[i]
        if dt.kind in "iu" and ufunc in _COMPARISONS:
            info = numpy.iinfo(dt)
            if not info.min <= x <= info.max:
                bound = dt.type(info.max if x > 0 else info.min)
                probe = [x if j == i else bound for j in range(len(ins))]
                return ins, bool(ufunc(*probe))
        out[i] = dt.type(x)
    return out, None


def _loop_typed(ufunc, ins):
    """The inputs with NumPy scalars, and the arrays beside them, in the dtypes of
    NumPy's loop: a device library may promote a NumPy scalar by its value (CuPy's
    ``uint8 array < int8(-3)`` compares in uint8, where NumPy compares in int16)."""
    try:
        dts = ufunc.resolve_dtypes(tuple(
            x.dtype if hasattr(x, "dtype") else
            (int if type(x) is bool else type(x)) for x in ins) + (None,) * ufunc.nout)
    except (TypeError, ValueError):
        return ins
    return [x.astype(dt) if hasattr(x, "dtype") and x.dtype != dt else x
            for x, dt in zip(ins, dts)]


def _fast(ufunc, inputs, out):
    """The common case, cheaply: every operand on one device, no keyword but ``out=``.
    Returns None when the general path is needed."""
    m = None
    d = -1
    locs = []
    sig = [ufunc]
    generic = False
    big = settings.fusion_min_size if out is None and settings.fusion == "auto" else None
    for x in inputs:
        t = type(x)
        if t is ndarray:
            st = x._store
            if st.pending:
                return None            # a deferred operand: extend its expression
            if big is not None and x._map.size >= big:
                return None            # a large result: deferred (fused) instead
            if m is None:
                m = st.machine
            elif st.machine is not m:
                return None
            if m.ndev != 1:
                lay = x._cache_layout or x._view_layout()
                if lay.kind != _SINGLE or (d >= 0 and lay.device != d):
                    return None
                d = lay.device
                if not m.is_local(d):
                    locs.append(None)      # (another process's device: see below)
                    sig.append(st.dtype)
                    continue
            locs.append(x._local())
            sig.append(st.dtype)
            if not x._map.shape:
                generic = True          # (a 0-d array: a device library may take it as
        elif t is float or t is bool or t is complex:       # a scalar, by its value)
            locs.append(x)
            sig.append(t)
        elif t is int:
            locs.append(x)
            sig.append(t)
            if not -2**31 <= x < 2**31:
                return None        # NumPy's checks of a large Python int: the general path
        elif isinstance(x, numpy.generic):
            locs.append(x)
            sig.append(x.dtype)
            generic = True
        else:
            return None
    if m is None or len(locs) != ufunc.nin:
        return None
    if out is not None:
        o = out[0]
        if type(o) is not ndarray or o._store.machine is not m or o._map.has_broadcast \
                or o._readonly:
            return None
        if m.ndev != 1:
            lay = o._cache_layout or o._view_layout()
            if lay.kind != _SINGLE or (d >= 0 and lay.device != d):
                return None
            d = lay.device
    if out is not None and m.nranks > 1 and any(type(x) is ndarray and x.shape != out[0].shape
                                                for x in inputs):
        return None     # (broadcast into out=: the general path, on every process alike)
    d = max(d, 0)
    if not m.is_local(d):
        return _elsewhere(ufunc, inputs, out, m, d)
    dev = m.devices[d]
    if dev.xp is numpy:
        if out is not None:
            before_write(out[0]._store)
        token = _fperrors.enter()        # NumPy's FP warnings at the user's line
        try:
            r = ufunc(*locs) if out is None else ufunc(*locs, out=out[0]._local())
        finally:
            _fperrors.leave(token)
        if out is None:
            if type(r) is not numpy.ndarray:
                r = numpy.asarray(r)
            shards = [None] * m.ndev
            shards[d] = r
            return ndarray._from_store(Store(m, r.shape, r.dtype, Layout.single(d), shards))
        return out[0]
    if out is not None:
        sig.append(out[0].dtype)
    if ufunc is numpy.power and type(locs[1]) is int and locs[1] < 0 and \
            getattr(locs[0], "dtype", None) is not None and locs[0].dtype.kind == "i" \
            and locs[0].size:
        # (the dtypes' cache below holds no exponent's value: NumPy's error checked here)
        raise ValueError("Integers to negative integer powers are not allowed.")
    key = tuple(sig)
    dt = _fast_dtypes.get(key)
    if dt is None:
        # NumPy decides (and raises); a Python int is checked against the array dtypes
        dt = resolve_dtypes(ufunc, inputs, out, None, None, None)[0]
        if int not in sig or not any(isinstance(k, numpy.dtype) and k.kind in "iu"
                                     and (k.itemsize < 8 or k.kind == "u") for k in sig):
            _fast_dtypes[key] = dt
    f = _device_ufunc(dev.xp, ufunc)
    if f is None:
        return None
    if generic and len({k for k in sig[1:] if isinstance(k, numpy.dtype)}) > 1:
        locs = _loop_typed(ufunc, locs)
    if out is None and dev._cupy_device is None:
        # the library allocates, as a plain call does (the current device is this one)
        try:
            r = f(*locs)
        except Exception as exc:
            if type(exc).__name__ == "OutOfMemoryError":
                alloc_local(dev, broadcast_shapes([x.shape for x in locs
                                                   if hasattr(x, "shape")]), dt)
            raise
        if r.dtype != dt:
            r = r.astype(dt)
        shards = [None] * m.ndev
        shards[d] = r
        return ndarray._from_store(Store(m, r.shape, dt, Layout.single(d), shards))
    shapes = [x.shape for x in locs if hasattr(x, "shape")]
    shape = shapes[0] if len(shapes) == 1 or all(s == shapes[0] for s in shapes) \
        else broadcast_shapes(shapes)
    with dev.activate():
        if out is None:
            try:
                r = f(*locs)               # the library allocates, as a plain call does
            except Exception as exc:
                if type(exc).__name__ == "OutOfMemoryError":
                    alloc_local(dev, shape, dt)     # raises the clear MemoryError
                raise
            if r.dtype != dt:
                r = r.astype(dt)
            shards = [None] * m.ndev
            shards[d] = r
            return ndarray._from_store(Store(m, shape, dt, Layout.single(d), shards))
        o = out[0]
        if o.shape != shape:
            return None
        before_write(o._store)
        for i, x in enumerate(inputs):
            if type(x) is ndarray and aliases(x, o):
                locs[i] = locs[i].copy()
        f(*locs, out=o._local())
    return o


def _elsewhere(ufunc, inputs, out, m, d):
    """A one-device call on another process's device: that process computes; here the
    result is the same kind of array with no local shard.  Every process takes the same
    branch, so the next collective finds them all."""
    dt = resolve_dtypes(ufunc, inputs, out, None, None, None)[0]   # NumPy's errors, as
    if out is not None:                                            # the owner meets them
        before_write(out[0]._store)
        return out[0]
    shapes = [x.shape for x in inputs if type(x) is ndarray]
    shape = shapes[0] if len(shapes) == 1 else broadcast_shapes(shapes)
    return ndarray._from_store(Store(m, shape, dt, Layout.single(d), [None] * m.ndev))


_device_ufuncs: dict = {}
_fast_dtypes: dict = {}


def _device_ufunc(xp, ufunc):
    """The device library's ufunc of the same name, or one composed from others; where
    the library's values differ from NumPy's, a composition giving NumPy's."""
    key = (ufunc, xp)
    f = _device_ufuncs.get(key, False)
    if f is False:
        name = ufunc.__name__
        f = None if xp is numpy else _NUMPY_VALUES.get(name)
        if f is not None:
            f = functools.partial(f, xp)
        else:
            f = getattr(xp, name, None)
            if f is None and name in _COMPOSED:
                f = functools.partial(_COMPOSED[name], xp)
        if f is not None and xp is not numpy and name in _COMPLEX_SPECIALS:
            f = functools.partial(_complex_specials, xp, getattr(numpy, name), f)
        _device_ufuncs[key] = f
    return f


# Complex functions whose special values (infinities, NaNs, signed zeros) the device
# library computes otherwise than NumPy (C99's tables): CuPy's log(inf + nan j) is
# nan + nan j, NumPy's inf + nan j; its reciprocal(inf j) is nan + nan j, NumPy's -0j;
# its sin(inf - 0j) is nan + 0j, NumPy's nan - 0j (measured with CuPy 14, an H100)
_COMPLEX_SPECIALS = frozenset((
    "sqrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
    "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
    "arctanh", "sign", "reciprocal"))


def _complex_specials(xp, npfunc, f, x, out=None, **kw):
    """``f(x)`` on the device, where ``x`` is complex with NumPy's values at the special
    inputs (a part infinite or NaN, a negative zero part, zero): those few elements are
    computed by NumPy on the host (finding them costs one synchronization; other values
    are the device library's, within its rounding)."""
    r = f(x, **kw)
    z = xp.asarray(x)
    if z.dtype.kind != "c" or r.dtype.kind != "c" or z.size == 0:
        return _write(xp, r, out)
    re, im = z.real, z.imag
    special = ~(xp.isfinite(re) & xp.isfinite(im)) | ((re == 0) & (im == 0)) | \
        ((re == 0) & xp.signbit(re)) | ((im == 0) & xp.signbit(im))
    idx = xp.flatnonzero(xp.broadcast_to(special, r.shape))
    if idx.size:
        zs = xp.broadcast_to(z, r.shape).ravel()[idx]
        zs = zs if xp is numpy else zs.get()
        with numpy.errstate(all="ignore"):
            fixed = npfunc(zs.astype(r.dtype, copy=False))
        if not r.flags.c_contiguous:    # (not ascontiguousarray: it makes 0-d 1-d)
            r = r.copy()
        r.reshape(-1)[idx] = xp.asarray(fixed)
    return _write(xp, r, out)


def _spacing(xp, x, out=None, **kw):
    """``spacing`` (missing from CuPy): the gap to the next float away from zero."""
    x = xp.asarray(x)
    if out is None:
        out = xp.empty(x.shape, numpy.spacing(numpy.zeros((), x.dtype)).dtype)
    x = x.astype(out.dtype, copy=False)
    if out.dtype == numpy.float16:
        out[...] = _half_spacing(xp, x)
        return out
    toward = xp.copysign(xp.asarray(numpy.inf, dtype=out.dtype), x)
    xp.subtract(xp.nextafter(x, toward), x, out=out)
    return out


def _half_spacing(xp, x):
    """NumPy's float16 spacing (``npy_half_spacing``), bit for bit: positive always, and
    for a negative power of two the gap below it (``spacing(float16(-1))`` is 2**-11)."""
    h = xp.ascontiguousarray(x).view(numpy.uint16).astype(numpy.int32)
    e = h & 0x7C00
    low = (h & 0x8000 != 0) & (h & 0x03FF == 0)     # (a negative power of two, or -0)
    shift = (e >> 10) - 1 - low
    sub = xp.where(e > 0x0400, xp.left_shift(1, xp.maximum(shift, 0)), 1)
    r = xp.where(e > 0x2800 + 0x0400 * low, e - 0x2800 - 0x0400 * low, sub)
    r = xp.where(h == 0x7BFF, 0x7C00, xp.where(e == 0x7C00, 0x7E00, r))
    return r.astype(numpy.uint16).view(numpy.float16).reshape(x.shape)


_COMPOSED = {"spacing": _spacing}


# ---------------------------------------------------------------------------------------
# NumPy's values where a device library computes others (CuPy: C's floor of the quotient
# for float floor division, C99's special cases for complex expm1, complex division by
# zero)

def _float_divmod(xp, a, b, dt):
    """NumPy's float floor quotient and remainder (Python's algorithm: fmod, then the
    quotient corrected towards the floor and rounded), computed in ``dt``."""
    a = xp.asarray(a).astype(dt, copy=False)
    b = xp.asarray(b).astype(dt, copy=False)
    zero = xp.zeros((), dt)
    mod = xp.fmod(a, b)
    div = (a - mod) / b
    fix = (mod != 0) & ((b < 0) != (mod < 0))
    mod = xp.where(mod == 0, xp.copysign(zero, b), xp.where(fix, mod + b, mod))
    div = xp.where(fix, div - 1, div)
    fl = xp.floor(div)
    fl = xp.where(div - fl > 0.5, fl + 1, fl)
    quot = xp.where(div != 0, fl, xp.copysign(zero, a / b))
    by_zero = b == 0
    quot = xp.where(by_zero, a / b, quot)
    mod = xp.where(by_zero, xp.fmod(a, b), mod)
    return quot, mod


def _loop_dtype(dt):
    dt = numpy.dtype(dt)
    return numpy.dtype(numpy.float32) if dt.itemsize < 4 else dt     # (float16: in float)


def _write(xp, r, out):
    if out is None:
        return r
    out[...] = r
    return out


def _in_dtype(xp, a, b, dt):
    """``a`` and ``b`` as arrays of ``dt``, the dtype NumPy's loop takes them in (a
    Python int beyond float16's range is an infinity there, not a float32 value)."""
    return xp.asarray(a).astype(dt, copy=False), xp.asarray(b).astype(dt, copy=False)


def _npy_floor_divide(xp, a, b, out=None, **kw):
    r = xp.floor_divide(a, b, **kw)
    if r.dtype.kind != "f":
        return _write(xp, r, out)
    q, _ = _float_divmod(xp, *_in_dtype(xp, a, b, r.dtype), _loop_dtype(r.dtype))
    return _write(xp, q.astype(r.dtype, copy=False), out)


def _npy_remainder(xp, a, b, out=None, **kw):
    r = xp.remainder(a, b, **kw)
    if r.dtype.kind != "f":
        return _write(xp, r, out)
    _, m = _float_divmod(xp, *_in_dtype(xp, a, b, r.dtype), _loop_dtype(r.dtype))
    return _write(xp, m.astype(r.dtype, copy=False), out)


def _npy_divmod(xp, a, b, out=None, **kw):
    q, m = xp.divmod(a, b, **kw)
    if q.dtype.kind == "f":
        q2, m2 = _float_divmod(xp, *_in_dtype(xp, a, b, q.dtype), _loop_dtype(q.dtype))
        q, m = q2.astype(q.dtype, copy=False), m2.astype(m.dtype, copy=False)
    if out is None:
        return q, m
    out[0][...] = q
    out[1][...] = m
    return out


def _npy_expm1(xp, x, out=None, **kw):
    r = xp.expm1(x, **kw)
    if r.dtype.kind != "c":
        return _write(xp, r, out)
    z = xp.asarray(x).astype(r.dtype, copy=False)
    h = xp.sin(z.imag / 2)          # exp(z) - 1 as NumPy composes it
    re = xp.expm1(z.real) * xp.cos(z.imag) - 2 * h * h
    im = xp.exp(z.real) * xp.sin(z.imag)
    res = xp.empty(r.shape, r.dtype)
    res.real = re
    res.imag = im
    return _write(xp, res, out)


def _npy_true_divide(xp, a, b, out=None, **kw):
    r = xp.true_divide(a, b, **kw)
    if r.dtype.kind != "c":
        return _write(xp, r, out)
    x, y = _in_dtype(xp, a, b, r.dtype)
    ar, ai, br, bi = x.real, x.imag, y.real, y.imag
    abr, abi = xp.abs(br), xp.abs(bi)
    real_big = abr >= abi               # Smith's method, as NumPy's loop computes it
    zero = (abr == 0) & (abi == 0)      # (a complex infinity or NaN, not NaN + NaN j)
    one = xp.ones((), br.dtype)
    rat1 = bi / xp.where(zero, one, br)
    scl1 = 1.0 / (br + bi * rat1)
    rat2 = br / xp.where(real_big, one, bi)
    scl2 = 1.0 / (bi + br * rat2)
    re = xp.where(real_big, xp.where(zero, ar / abr, (ar + ai * rat1) * scl1),
                  (ar * rat2 + ai) * scl2)
    im = xp.where(real_big, xp.where(zero, ai / abr, (ai - ar * rat1) * scl1),
                  (ai * rat2 - ar) * scl2)
    res = xp.empty(r.shape, r.dtype)
    res.real = re
    res.imag = im
    return _write(xp, res, out)


def _cmul(xp, a, b):
    """A complex product as NumPy's loops form it (no special handling of infinities)."""
    re = a.real * b.real - a.imag * b.imag
    im = a.real * b.imag + a.imag * b.real
    res = xp.empty(re.shape, a.dtype)
    res.real = re
    res.imag = im
    return res


def _npy_power(name: str):
    def power(xp, a, b, out=None, **kw):
        dt = kw.get("dtype")
        if _kind(a) != "c" and _kind(b) != "c" and (dt is None or
                                                      numpy.dtype(dt).kind != "c"):
            if name == "power" and dt is None and _kind(b) == "i" and \
                    _kind(a) in "iub" and _any_negative(xp, b) and \
                    0 not in numpy.broadcast_shapes(numpy.shape(a), numpy.shape(b)):
                # (NumPy's integer loop refuses it; a device library's computes 0 or 1)
                raise ValueError("Integers to negative integer powers are not allowed.")
            return getattr(xp, name)(a, b, out=out, **kw)
        if name == "float_power":       # (complex: computed in complex128, as NumPy's)
            r = xp.power(*_in_dtype(xp, a, b, numpy.dtype(dt or numpy.complex128)))
        else:
            r = xp.power(a, b, **kw)
        return _npy_complex_power(xp, r, a, b, out)
    return power


def _any_negative(xp, b) -> bool:
    """Whether an integer exponent has a negative value (a NumPy scalar checked here, an
    array on its device: one synchronization)."""
    if isinstance(b, numpy.generic):
        return bool(b < 0)
    return bool((xp.asarray(b) < 0).any())


def _npy_complex_power(xp, r, a, b, out):
    """``r``, the device library's ``a ** b``, with NumPy's values where ``r`` is complex
    (``npy_cpow``): ``z ** 0`` is 1; ``0 ** z`` is 0 where ``z``'s real part is
    positive, NaN otherwise; an integer exponent below 100 in size is repeated
    multiplication (and its reciprocal, for a negative one); an element with an infinite
    or NaN part is NumPy's own, computed on the host. The device library takes every
    complex power as ``exp(b log a)``, so its ``0 ** 0`` is NaN and its ``1j ** 2`` is
    not exactly -1."""
    if r.dtype.kind != "c" or r.size == 0:
        return _write(xp, r, out)
    x = xp.broadcast_to(xp.asarray(a).astype(r.dtype, copy=False), r.shape)
    y = xp.broadcast_to(xp.asarray(b).astype(r.dtype, copy=False), r.shape)
    br, bi = y.real, y.imag
    n = xp.where((bi == 0) & (xp.trunc(br) == br) & (xp.abs(br) < 100), br, 0)
    n = xp.abs(n).astype(numpy.int64)
    integral = n > 0
    acc = xp.ones(r.shape, r.dtype)
    p = x
    for bit in range(7):            # (|n| < 100 < 2**7)
        acc = xp.where((n >> bit) & 1 != 0, _cmul(xp, acc, p), acc)
        p = _cmul(xp, p, p)
    acc = xp.where(br < 0, _npy_true_divide(xp, xp.ones((), r.dtype), acc), acc)
    sq = _cmul(xp, x, x)                # (1, 2 and 3 as NumPy forms them: no 1 * x)
    small = xp.where(n == 1, x, xp.where(n == 2, sq, _cmul(xp, x, sq)))
    res = xp.where(integral, xp.where((n <= 3) & (br > 0), small, acc), r)
    zero_base = (x.real == 0) & (x.imag == 0)
    res = xp.where(zero_base, xp.where(br > 0, xp.zeros((), r.dtype),
                                       xp.asarray(complex(numpy.nan, numpy.nan), r.dtype)),
                   res)
    res = xp.where((br == 0) & (bi == 0), xp.ones((), r.dtype), res)
    special = ~(xp.isfinite(x.real) & xp.isfinite(x.imag) & xp.isfinite(br)
                & xp.isfinite(bi))
    idx = xp.flatnonzero(special)
    if idx.size:
        xs, ys = x.ravel()[idx], y.ravel()[idx]
        if xp is not numpy:
            xs, ys = xs.get(), ys.get()
        with numpy.errstate(all="ignore"):
            fixed = numpy.power(xs, ys)
        if not res.flags.c_contiguous:
            res = res.copy()
        res.reshape(-1)[idx] = xp.asarray(fixed)
    return _write(xp, res, out)


def _kind(v) -> str:
    """The dtype kind of an operand, without making a device array of a Python number."""
    dt = getattr(v, "dtype", None)
    if dt is not None:
        return dt.kind
    return "c" if type(v) is complex else "?"


def _complex_order(name: str):
    """A comparison, ``maximum``/``minimum`` or ``fmax``/``fmin`` with NumPy's order of
    complex values: by real part, then imaginary part, where a comparison with a NaN in
    either part is false (NumPy's ``CLT``, ``CGE``, ...); maximum and minimum take the
    first operand where it has a NaN, fmax and fmin where the second has one. A device
    library's loops order NaNs otherwise. Other dtypes: the library's own."""
    less = name in ("less", "less_equal", "minimum", "fmin")
    strict = name in ("less", "greater")
    pick = name in ("maximum", "minimum", "fmax", "fmin")

    def compare(xp, a, b, out=None, **kw):
        ka, kb = _kind(a), _kind(b)
        if not pick and _mixed_sign(a, b, ka, kb) and kw.get("dtype") is None:
            return _write(xp, _exact_mixed(xp, name, a, b, ka == "i"), out)
        if (ka != "c" and kb != "c") or name in ("equal", "not_equal"):
            return getattr(xp, name)(a, b, out=out, **kw)
        dt = numpy.result_type(*(getattr(v, "dtype", v) for v in (a, b)))   # (weak
        x, y = _in_dtype(xp, a, b, dt)                                      # scalars)
        xr, xi, yr, yi = x.real, x.imag, y.real, y.imag
        no_nan = ~(xp.isnan(xi) | xp.isnan(yi))
        first = (xr < yr) if less else (xr > yr)
        second = ((xi < yi) if less else (xi > yi)) if strict else \
            ((xi <= yi) if less else (xi >= yi))
        holds = (first & no_nan) | ((xr == yr) & second)
        if not pick:
            return _write(xp, holds, out)
        nan_x = xp.isnan(xr) | xp.isnan(xi)
        nan_y = xp.isnan(yr) | xp.isnan(yi)
        take_x = holds | (nan_y if name in ("fmax", "fmin") else nan_x)
        r = xp.where(take_x, x, y)
        if kw.get("dtype") is not None:
            r = r.astype(kw["dtype"])
        return _write(xp, r, out)
    return compare


def _mixed_sign(a, b, ka, kb) -> bool:
    """Whether a comparison's operands are a uint64 array and a signed integer one: NumPy
    compares them exactly (its ``Qq->?`` loops), a device library in float64 or, where
    both are cast to one 64-bit type, with the signed value taken as unsigned."""
    if {ka, kb} != {"u", "i"}:
        return False
    u = a if ka == "u" else b
    return u.dtype.itemsize == 8


_FLIPPED = {"less": "greater", "less_equal": "greater_equal", "greater": "less",
            "greater_equal": "less_equal", "equal": "equal", "not_equal": "not_equal"}


def _exact_mixed(xp, name, a, b, signed_first):
    """``name(a, b)`` of a uint64 and a signed operand, exactly: a negative value is below
    every unsigned one, others compare as uint64."""
    u, s = (b, a) if signed_first else (a, b)
    op = _FLIPPED[name] if signed_first else name     # (``u op s``)
    u = xp.asarray(u)
    s = xp.asarray(s).astype(numpy.int64, copy=False)
    su = s.astype(numpy.uint64)                 # (used only where s >= 0)
    if op == "less":
        return (s > 0) & (u < su)
    if op == "less_equal":
        return (s >= 0) & (u <= su)
    if op == "greater":
        return (s < 0) | (u > su)
    if op == "greater_equal":
        return (s < 0) | (u >= su)
    same = (s >= 0) & (u == su)
    return same if op == "equal" else ~same


def _npy_shift(name: str):
    """``left_shift``/``right_shift`` as NumPy's loops compute them: a shift by the
    width or more, or by a negative count, gives 0 (``right_shift`` of a negative
    value: -1), where a device's shift instruction takes the count modulo the width."""
    def shift(xp, a, b, out=None, **kw):
        r = getattr(xp, name)(a, b, **kw)
        if r.dtype.kind not in "iu" or r.size == 0 or \
                type(b) is int and 0 <= b < 8 * r.dtype.itemsize:
            return _write(xp, r, out)
        x, n = _in_dtype(xp, a, b, r.dtype)
        over = n >= 8 * r.dtype.itemsize
        if r.dtype.kind == "i":
            over = over | (n < 0)
        fill = xp.zeros((), r.dtype)
        if name == "right_shift" and r.dtype.kind == "i":
            fill = xp.where(x < 0, xp.asarray(-1, r.dtype), fill)
        return _write(xp, xp.where(over, fill, r), out)
    return shift


def _npy_fmod(xp, a, b, out=None, **kw):
    """Integer ``fmod`` from integer operations (the sign of the dividend; 0 for a zero
    divisor, as NumPy's loop gives it): a device library's goes through double precision,
    which 64-bit values do not fit (``fmod(2**63 - 1, 7)`` was 1, not 0)."""
    r = xp.fmod(a, b, **kw)
    if r.dtype.kind not in "iu":
        return _write(xp, r, out)
    x, y = _in_dtype(xp, a, b, r.dtype)
    zero = y == 0
    safe = xp.where(zero, xp.ones((), r.dtype), y)
    m = xp.remainder(x, safe)                       # (the sign of the divisor)
    if r.dtype.kind == "i":
        m = xp.where((m != 0) & ((m < 0) != (x < 0)), m - safe, m)
    return _write(xp, xp.where(zero, xp.zeros((), r.dtype), m), out)


def _npy_logical(name: str):
    """``logical_and``/``or``/``xor``/``not`` taking complex operands as NumPy does
    (true where not zero), which CuPy's loops lack."""
    def logical(xp, *args, out=None, **kw):
        args = [xp.asarray(a) for a in args]
        if any(a.dtype.kind == "c" for a in args):
            args = [a != 0 if a.dtype.kind == "c" else a for a in args]
        return _write(xp, getattr(xp, name)(*args, **kw), out)
    return logical


_NUMPY_VALUES = {"true_divide": _npy_true_divide, "divide": _npy_true_divide,
                 "floor_divide": _npy_floor_divide, "remainder": _npy_remainder,
                 "mod": _npy_remainder, "divmod": _npy_divmod, "expm1": _npy_expm1,
                 "power": _npy_power("power"), "float_power": _npy_power("float_power"),
                 **{n: _complex_order(n) for n in ("less", "less_equal", "greater",
                                                    "greater_equal", "maximum", "minimum",
                                                    "fmax", "fmin", "equal", "not_equal")},
                 **{n: _npy_shift(n) for n in ("left_shift", "right_shift")},
                 "fmod": _npy_fmod,
                 **{n: _npy_logical(n) for n in ("logical_and", "logical_or",
                                                  "logical_xor", "logical_not")}}


_KERNEL_DTYPES = CTYPE_DTYPES      # (a target the generated kernels can write)


def _defer(ufunc, inputs, out):
    """The call as a deferred expression (evaluated straight into ``out`` if given), or
    None where it goes another way."""
    if out is None:
        return defer_call(ufunc, inputs)
    o = out[0]
    if len(out) != 1 or type(o) is not ndarray or o.dtype not in _KERNEL_DTYPES:
        return None
    return o if evaluate_call(ufunc, inputs, o) else None


def ufunc_call(ufunc, inputs, kwargs):
    """``ufunc(*inputs, **kwargs)`` on arrbackend arrays (a 0-d result without ``out=``
    stands for NumPy's scalar: ``store.Value``)."""
    outless = len(inputs) == ufunc.nin and (not kwargs or kwargs.get("out") is None)
    r = _ufunc_call(ufunc, inputs, kwargs)
    if outless:
        if type(r) is ndarray:
            if r.ndim == 0:
                mark_scalar(r)
        elif type(r) is tuple:
            for v in r:
                if type(v) is ndarray and v.ndim == 0:
                    mark_scalar(v)
    return r


def _ufunc_call(ufunc, inputs, kwargs):
    if ufunc.nout == 1 and ufunc.signature is None:
        if not kwargs:
            # deferral where the machine defers, else small one-device work eagerly
            r = _defer(ufunc, inputs, None)
            if r is None and settings.fusion != "1":
                r = _fast(ufunc, inputs, None)
            if r is not None:
                return r
        elif len(kwargs) == 1 and "out" in kwargs:
            o = kwargs["out"]
            o = o if type(o) is tuple else (o,)
            if len(o) == 1:         # (else NumPy's error, from the general path)
                r = _defer(ufunc, inputs, o)
                if r is None:
                    r = _fast(ufunc, inputs, o)
                if r is not None:
                    return r
    if ufunc.signature is not None:
        return _gufunc(ufunc, inputs, kwargs)
    name = ufunc.__name__
    out = kwargs.pop("out", None)
    where = kwargs.pop("where", True)
    dtype = kwargs.pop("dtype", None)
    casting = kwargs.pop("casting", None)
    signature = kwargs.pop("signature", None)
    kwargs.pop("order", None)
    kwargs.pop("subok", None)
    if kwargs:
        bad = next(iter(kwargs))
        raise TypeError(f"{name}() got an unexpected keyword argument '{bad}'")
    if len(inputs) != ufunc.nin:
        if len(inputs) == ufunc.nin + ufunc.nout and out is None:
            inputs, out = inputs[:ufunc.nin], inputs[ufunc.nin:]
        else:
            raise TypeError(f"{name}() takes from {ufunc.nin} to {ufunc.nin + ufunc.nout} "
                            f"positional arguments but {len(inputs)} were given")
    if out is not None:
        out = out if isinstance(out, tuple) else (out,)
        if all(o is None for o in out):
            out = None
    host_out = None
    if out is not None:
        if len(out) != ufunc.nout:
            raise ValueError(f"{name}: The 'out' tuple must have exactly one entry per "
                             f"ufunc output ({ufunc.nout})")
        if any(o is None for o in out):
            # some outputs given, the others new (NumPy's None entries): computed whole,
            # then written into the given ones as NumPy's casting allows
            kw = {k: v for k, v in (("dtype", dtype), ("casting", casting),
                                    ("signature", signature)) if v is not None}
            if where is not True:
                kw["where"] = where
            return _into_some(ufunc_call(ufunc, inputs, kw), out, casting, where)
        if not all(isinstance(o, ndarray) for o in out):
            if all(isinstance(o, numpy.ndarray) for o in out):
                host_out, out = out, None
            elif all(isinstance(o, (ndarray, numpy.ndarray)) for o in out):
                # outputs of both kinds (one holding objects, say): NumPy's answer, the
                # devices' outputs written back
                kw = {k: v for k, v in (("out", out), ("dtype", dtype), ("casting", casting),
                                        ("signature", signature)) if v is not None}
                if where is not True:
                    kw["where"] = where
                return _on_host(ufunc, inputs, kw)
            else:
                raise TypeError(f"{name}: return arrays must be of ArrayType (out= got "
                                f"{', '.join(type(o).__name__ for o in out)})")
    machine = common_machine(list(inputs) + list(out or ()), name)
    try:
        ins = [as_operand(x, machine, name) for x in inputs]
    except HostData:
        ins = None
    if ins is None:         # (NumPy's answer, outside the except: its errors stand alone)
        kw = {k: v for k, v in (("out", host_out or out), ("dtype", dtype),
                                ("casting", casting), ("signature", signature))
              if v is not None}
        if where is not True:
            kw["where"] = where
        return _on_host(ufunc, inputs, kw)
    dtypes = resolve_dtypes(ufunc, ins, out, dtype, casting, signature)   # NumPy's errors
    answer = None
    if (machine.is_gpu and any(type(x) is int and not -2**63 <= x < 2**63 for x in ins)) \
            or (ufunc in _COMPARISONS and any(type(x) is int and not 0 <= x <= 127
                                              for x in ins)):   # (0..127 fit every dtype)
        # a Python int beyond 64 bits (the GPU library cannot take it as it is), or a
        # comparison with an int beyond its dtype: one answer for every element (NumPy's
        # own loop crashes on that with where=)
        ins, answer = _typed_big_ints(ufunc, ins)
        if answer is not None:
            return _constant_answer(answer, ins, out, host_out, where, casting, machine)
    if machine.is_gpu and _device_ufunc(machine.devices[0].xp, ufunc) is None:
        from .fallback import call_numpy
        kw = {"where": where} if where is not True else {}
        return call_numpy(ufunc, inputs, dict(kw, out=out, dtype=dtype, casting=casting),
                          name=f"numpy.{name} (on GPU)")
    shapes = [x.shape for x in ins if isinstance(x, ndarray)]
    shapes += [()] if not shapes else []
    shape = broadcast_shapes(shapes) if len(shapes) > 1 else shapes[0]
    if out is not None:
        for o in out:
            if o.shape != shape:
                try:
                    full = broadcast_shapes([shape, o.shape])
                except ValueError:
                    full = None
                if full != o.shape:
                    raise ValueError(f"{name}: non-broadcastable output operand with shape "
                                     f"{o.shape} doesn't match the broadcast shape {shape}")
                shape = full
        for o in out:           # (an output broadcasting the shape: the others must too)
            if o.shape != shape:
                raise ValueError(f"{name}: non-broadcastable output operand with shape "
                                 f"{o.shape} doesn't match the broadcast shape {shape}")
    has_where = where is not True
    if has_where:
        from .coerce import where_operand
        w = where_operand(where, machine)           # (NumPy's conversion and errors)
        ins = ins + [w]
        if isinstance(w, ndarray):
            shape = broadcast_shapes([shape, w.shape]) if w.shape != shape else shape
            if out is not None and out[0].shape != shape:   # (also where it is empty)
                raise ValueError(f"{name}: non-broadcastable output operand with shape "
                                 f"{out[0].shape} doesn't match the broadcast shape {shape}")
    if ufunc is numpy.power and machine.is_gpu and dtypes[0].kind in "iu":
        _check_int_power(ins[1])     # (the device library does not check the values)
    kernel = _kernel(ufunc, ufunc.nin, dtype, casting, signature, has_where)
    token = None if machine.is_gpu else _fperrors.enter()
    try:
        res = elementwise(kernel, ins, shape, dtypes, out, machine)
    finally:
        _fperrors.leave(token)
    if host_out is not None:
        from ..distributed.hostio import gather
        for h, r in zip(host_out, res):
            numpy.copyto(h, gather(r), casting="unsafe")
        return host_out[0] if ufunc.nout == 1 else host_out
    return res[0] if ufunc.nout == 1 else res


def _into_some(results, out, casting, where):
    """``results`` (a tuple) with each of them written into its entry of ``out`` that is
    an array (arrbackend's or NumPy's), that entry in its place."""
    from .attributes import copyto
    res = list(results)
    for i, o in enumerate(out):
        if o is None:
            continue
        if isinstance(o, ndarray):
            copyto(o, res[i], casting=casting or "same_kind", where=where)
        else:
            numpy.copyto(o, numpy.asarray(res[i]), casting=casting or "same_kind",
                         where=numpy.asarray(where) if isinstance(where, ndarray) else where)
        res[i] = o
    return tuple(res)


def _on_host(ufunc, inputs, kwargs):
    """NumPy's ufunc where an operand's data stays on the host (object, strings, None):
    NumPy's type error without moving data when the dtypes alone decide it (``a + 'x'``,
    ``a / None``), else NumPy's answer (through the fallback when arrbackend data is
    involved)."""
    name = f"numpy.{ufunc.__name__}"
    if not has_ours((inputs, kwargs)):
        return ufunc(*inputs, **kwargs)
    probe, objects = [], False
    for x in inputs:
        if isinstance(x, ndarray):
            x = numpy.zeros((), x.dtype)
        else:
            x = numpy.asarray(x)
            objects = objects or x.dtype.kind == "O"
            x = x.reshape(-1)[:1].reshape(()) if x.size else x
        probe.append(x)
    # object elements decide for themselves, and only where there are elements
    if not objects or all(x.size for x in inputs if isinstance(x, ndarray)):
        kw = {k: v for k, v in kwargs.items() if k in ("dtype", "casting", "signature")}
        if kwargs.get("out") is not None:
            kw["out"] = tuple(numpy.zeros((), o.dtype) for o in kwargs["out"])
        try:
            with numpy.errstate(all="ignore"):
                ufunc(*probe, **kw)
        except TypeError:
            raise                       # the dtypes decide: NumPy raises this for all
        except Exception:
            pass                        # a value's error: the real operands decide
    return numpy_answer(ufunc, inputs, kwargs, name)


def _check_int_power(exponent) -> None:
    """NumPy's ValueError for an integer to a negative integer power (array exponents
    on GPUs, whose libraries compute a value instead; a scalar one is checked with the
    dtypes)."""
    if isinstance(exponent, ndarray) and exponent.dtype.kind == "i" and exponent.size:
        from ..distributed import reductions
        if bool(reductions.reduce(ufunc_call(numpy.less, (exponent, 0), {}), "any")):
            raise ValueError("Integers to negative integer powers are not allowed.")


def _constant_answer(answer, ins, out, host_out, where, casting, machine):
    """A comparison whose answer is the same everywhere, written as NumPy would write it
    (``where=``, ``out=``, ``casting=``)."""
    from .creation import full_on
    from .attributes import copyto
    shapes = [x.shape for x in ins if isinstance(x, ndarray)] or [()]
    if isinstance(where, ndarray):
        shapes.append(where.shape)
    shape = broadcast_shapes(shapes) if len(shapes) > 1 else shapes[0]
    casting = casting or "same_kind"
    if host_out is not None:
        from ..distributed.hostio import gather
        numpy.copyto(host_out[0], answer, casting=casting,
                     where=gather(where) if isinstance(where, ndarray) else where)
        return host_out[0]
    if out is None:
        if where is True:
            return full_on(shape, answer, numpy.bool_, machine)
        out = (full_on(shape, False, numpy.bool_, machine),)   # (NumPy leaves it unset)
    copyto(out[0], answer, casting=casting, where=where)
    return out[0]


def _gufunc(ufunc, inputs, kwargs):
    """A generalized ufunc (matmul, vecdot, matvec, vecmat): its registered function takes
    every keyword NumPy's does."""
    from .registry import lookup
    impl = lookup(ufunc)
    if impl is not None:
        out = kwargs.get("out")
        host = out[0] if isinstance(out, tuple) and len(out) == 1 else out
        if isinstance(host, numpy.ndarray):
            # a NumPy out= (as for ufuncs): the result is copied into it
            from ..distributed.hostio import gather
            kwargs["out"] = None
            r = gather(impl.func(*inputs, **kwargs))
            if r.shape != host.shape:
                raise ValueError(f"{ufunc.__name__}: output has shape {host.shape}, the "
                                 f"result {r.shape}")
            numpy.copyto(host, r, casting=kwargs.get("casting", "same_kind"))
            return host
        return impl.func(*inputs, **kwargs)
    from .fallback import call_numpy
    return call_numpy(ufunc, inputs, kwargs, name=f"numpy.{ufunc.__name__}")


def _reduce(ufunc, inputs, kwargs):
    from ..distributed import reductions
    return reductions.ufunc_reduce(ufunc, inputs, kwargs)


METHODS = {"reduce": _reduce}   # and the others: arrbackend.api.ufunc_methods.register()

UFUNC_NAMES = sorted(n for n, v in vars(numpy).items()      # (loaded names: no submodule
                     if isinstance(v, numpy.ufunc) and not n.startswith("_"))   # imported)


class ufunc_proxy:
    """``arrbackend.<ufunc>``: calls NumPy's ufunc on arrbackend arrays, making
    arrbackend arrays of anything else (lists, NumPy arrays) first."""

    def __init__(self, uf: numpy.ufunc) -> None:
        self._ufunc = uf
        self.__name__ = uf.__name__
        self.__doc__ = uf.__doc__
        for attr in ("nin", "nout", "nargs", "ntypes", "types", "identity", "signature"):
            setattr(self, attr, getattr(uf, attr))

    @property
    def __signature__(self):
        """NumPy's ufunc's parameters (``inspect.signature``: the Array API test suite
        checks ``vecdot``'s ``axis``), not ``__call__``'s ``*args, **kwargs``."""
        import inspect
        try:
            return inspect.signature(self._ufunc)
        except (TypeError, ValueError):
            return None

    def __call__(self, *args, **kwargs):
        uf = self._ufunc
        if len(args) > uf.nin:          # outputs given by position, as NumPy takes them
            outs = args[uf.nin:]
            if len(outs) > uf.nout:
                raise TypeError(f"{uf.__name__}() takes from {uf.nin} to {uf.nargs} "
                                f"positional arguments but {len(args)} were given")
            if "out" in kwargs:
                raise TypeError("cannot specify 'out' as both a positional and keyword "
                                "argument")
            args = args[:uf.nin]
            # (some outputs given, the rest new: as None entries of out=)
            kwargs = dict(kwargs, out=tuple(outs) + (None,) * (uf.nout - len(outs)))
        std = self._standard().get(uf)
        if std is not None:           # the Array API standard's values (api/standard.py)
            return std(*args, **kwargs)
        return ufunc_call(self._ufunc, args, kwargs)

    @staticmethod
    def _standard() -> dict:
        from .standard import STANDARD_UFUNCS
        return STANDARD_UFUNCS

    def _args(self, args):
        from .creation import asarray
        return tuple(a if isinstance(a, (ndarray,) + _PY_SCALARS) or a is None
                     else asarray(a) for a in args)

    def reduce(self, array, *args, **kwargs):
        return getattr(self._ufunc, "reduce")(*self._args((array,)), *args, **kwargs)

    def accumulate(self, array, *args, **kwargs):
        return self._ufunc.accumulate(*self._args((array,)), *args, **kwargs)

    def reduceat(self, array, indices, *args, **kwargs):
        return self._ufunc.reduceat(*self._args((array,)), indices, *args, **kwargs)

    def outer(self, a, b, **kwargs):
        return self._ufunc.outer(*self._args((a, b)), **kwargs)

    def at(self, a, indices, b=None):
        if b is None:
            return self._ufunc.at(a, indices)
        return self._ufunc.at(a, indices, b)

    def __repr__(self) -> str:
        return f"<arrbackend ufunc '{self.__name__}'>"
