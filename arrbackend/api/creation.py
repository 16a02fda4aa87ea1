"""Creating arrays: ``array asarray zeros ones empty full`` (and ``_like``), ``arange
linspace eye identity copy``.

New arrays take the default layout of their machine: one device below
``settings.split_bytes``, else even blocks of axis 0.  ``*_like`` results take the layout
of their prototype, so later elementwise work between them moves nothing.  Dtypes that
devices cannot hold (object, strings, datetimes) give plain NumPy arrays.
"""
from __future__ import annotations

import operator

import numpy

from .registry import implements
from ..distributed.layout import Layout, default_layout
from ..distributed.localize import device_boxes
from ..distributed.machine import Machine, current_machine, machine_for
from ..distributed.store import Store, allocate
from ..distributed import hostio
from ..distributed.array import ndarray
from .coerce import filled_scalar
from .gate import HostData

__all__ = ["array", "asarray", "asarray_on", "zeros", "ones", "empty", "full", "arange",
           "linspace", "eye", "identity", "full_on", "machine_from_device", "new_array"]

_HOST_ONLY_KINDS = "OUSVMm"


def machine_from_device(device, name: str = "device") -> Machine:
    """The machine meant by a ``device=`` argument (None: the current machine)."""
    if device is None:
        return current_machine()
    if isinstance(device, Machine):
        return device
    from .devices import Device as ApiDevice
    if isinstance(device, ApiDevice):
        return device.machine
    if isinstance(device, str):
        if device == "cpu" and current_machine().kind == "cpu":
            return current_machine()
        return machine_for(device)
    raise ValueError(f"{name}: unsupported device {device!r}; use None, a device string "
                     f"such as 'cpu:3', or x.device")


def normalize_shape(shape, name: str) -> tuple:
    if type(shape) is tuple and all(type(s) is int and s >= 0 for s in shape):
        return shape
    if shape is None:
        raise TypeError(f"{name}: shape must be an integer or a tuple of integers, not None")
    try:
        shape = (operator.index(shape),)
    except TypeError:
        try:
            shape = tuple(operator.index(s) for s in shape)
        except TypeError:
            bad = shape if not hasattr(shape, "__iter__") else next(
                (s for s in shape if not isinstance(s, (int, numpy.integer))), shape)
            raise TypeError(f"'{type(bad).__name__}' object cannot be interpreted as an "
                            f"integer") from None
    if any(s < 0 for s in shape):
        raise ValueError("negative dimensions are not allowed")
    return shape


def _dtype(dtype, default=numpy.float64) -> numpy.dtype:
    return numpy.dtype(default if dtype is None else dtype)


def new_array(store: Store):
    return ndarray._from_store(store)


def full_on(shape, fill_value, dtype, machine: Machine, layout: Layout | None = None):
    """An array of ``shape`` filled with ``fill_value`` on ``machine``."""
    dtype = numpy.dtype(dtype)
    if layout is None:
        layout = default_layout(shape, dtype.itemsize, machine.ndev)
    fill = filled_scalar(fill_value, dtype) if fill_value is not None else None
    return new_array(allocate(machine, shape, dtype, layout, fill))


def _like_layout(prototype, shape):
    if isinstance(prototype, ndarray) and prototype.shape == shape:
        return prototype._view_layout()
    return None


# ---------------------------------------------------------------------------------------
# from data

def asarray_on(obj, machine: Machine, dtype=None, copy=None, layout: Layout | None = None,
               host: bool = False):
    """``obj`` as an arrbackend array on ``machine`` (NumPy's conversion rules).  Data
    that devices cannot hold (object, strings, bytes, datetimes) is returned as a NumPy
    array with ``host=True`` (the public conversions); otherwise it raises ``HostData``,
    and the gate answers with NumPy's own function."""
    if isinstance(obj, ndarray):
        if obj._store.machine is not machine:
            from .devices import move_to_machine
            obj = move_to_machine(obj, machine)
            copy = False if copy is None else copy
        if dtype is not None and numpy.dtype(dtype) != obj.dtype:
            if copy is False:
                raise ValueError("asarray: unable to avoid a copy while casting to "
                                 f"{numpy.dtype(dtype)}")
            from .manipulation import astype
            return astype(obj, dtype)
        if copy:
            return _copy(obj)
        return obj
    if _is_cupy(obj):
        obj = obj.get()
    if isinstance(obj, (list, tuple)) and _contains_ours(obj):
        if dtype is None or numpy.dtype(dtype).kind not in _HOST_ONLY_KINDS:
            from .manipulation import stack
            return asarray_on(stack([asarray_on(o, machine) for o in obj]), machine,
                              dtype=dtype, copy=False)
        from .fallback import _convert     # (objects, strings: NumPy builds them from
        obj = _convert(obj, _gather, None)  # host values, a ragged list into arrays)
    arr = numpy.asarray(obj, dtype=dtype)
    if arr.dtype.kind in _HOST_ONLY_KINDS:
        if not host:
            raise HostData(f"an operand of {arr.dtype} data, which stays on the host")
        return numpy.array(arr, copy=True) if copy else arr
    if copy is False and machine.is_gpu:
        raise ValueError("asarray: unable to avoid a copy while moving host data to a GPU")
    # NumPy's answer is ``arr`` itself (``obj``, or a view of it) unless a copy is asked
    # for: read-only where ``arr`` is (the values are copied onto the devices)
    readonly = not copy and not arr.flags.writeable
    if not arr.flags.c_contiguous:
        arr = numpy.ascontiguousarray(arr)
    r = new_array(hostio.scatter(arr, machine, layout,
                                 copy=bool(copy) or arr is obj or not isinstance(
                                     obj, numpy.ndarray)))
    if readonly:
        r._readonly = True
    return r


def _is_cupy(obj) -> bool:
    return type(obj).__module__.startswith("cupy") and hasattr(obj, "get")


def _contains_ours(seq) -> bool:
    for o in seq:
        if isinstance(o, ndarray):
            return True
        if isinstance(o, (list, tuple)) and _contains_ours(o):
            return True
    return False


def _gather(x):
    return hostio.gather(x, explicit=True)


def _copy(x):
    from .manipulation import astype
    return astype(x, x.dtype, copy=True)


@implements(numpy.array, extra={"device": "Array API: the device to create on"})
def array(object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, like=None,
          device=None):
    """Same as ``numpy.array``; the result lives on the current machine (or ``device``)."""
    m = machine_from_device(device)
    r = asarray_on(object, m, dtype=dtype, copy=True if copy is None else copy, host=True)
    if ndmin and getattr(r, "ndim", ndmin) < ndmin:
        r = r.reshape((1,) * (ndmin - r.ndim) + r.shape)
    return r


@implements(numpy.asarray)
def asarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    """Same as ``numpy.asarray``."""
    return asarray_on(a, machine_from_device(device), dtype=dtype, copy=copy, host=True)


@implements(numpy.asanyarray)
def asanyarray(a, dtype=None, order=None, *, device=None, copy=None, like=None):
    return asarray_on(a, machine_from_device(device), dtype=dtype, copy=copy, host=True)


@implements(numpy.ascontiguousarray)
def ascontiguousarray(a, dtype=None, *, like=None):
    """Same as ``numpy.ascontiguousarray`` (0-d inputs become 1-d)."""
    packed = isinstance(a, numpy.ndarray) and not a.flags.c_contiguous   # (NumPy copies)
    r = asarray_on(a, current_machine() if not hasattr(a, "_store") else a._store.machine,
                   dtype=dtype, copy=True if packed else None, host=True)
    if isinstance(r, ndarray) and not r.flags.c_contiguous:
        r = _copy(r)                    # (a packed copy, as NumPy makes)
    return r.reshape(1) if getattr(r, "ndim", 1) == 0 else r


@implements(numpy.copy)
def copy(a, order="K", subok=False):
    """Same as ``numpy.copy``: a new array with the layout of ``a``'s view."""
    if not isinstance(a, ndarray):
        return asarray_on(a, current_machine(), copy=True, host=True)
    return _copy(a)


# ---------------------------------------------------------------------------------------
# filled

def _filled(name, shape, fill, dtype, device):
    shape = normalize_shape(shape, name)
    dt = _dtype(dtype)
    if dt.kind in _HOST_ONLY_KINDS:
        raise HostData(f"{dt} data, which stays on the host")    # (NumPy's function)
    return full_on(shape, fill, dt, machine_from_device(device))


@implements(numpy.zeros)
def zeros(shape, dtype=float, order="C", *, device=None, like=None):
    """Same as ``numpy.zeros``."""
    return _filled("zeros", shape, 0, dtype, device)


@implements(numpy.ones)
def ones(shape, dtype=None, order="C", *, device=None, like=None):
    """Same as ``numpy.ones``."""
    return _filled("ones", shape, 1, dtype, device)


@implements(numpy.empty)
def empty(shape, dtype=float, order="C", *, device=None, like=None):
    """Same as ``numpy.empty``."""
    return _filled("empty", shape, None, dtype, device)


@implements(numpy.full)
def full(shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    """Same as ``numpy.full``; without ``dtype`` the fill value's dtype is used."""
    if isinstance(fill_value, ndarray):
        shape = normalize_shape(shape, "full")
        from .manipulation import broadcast_to
        dt = fill_value.dtype if dtype is None else numpy.dtype(dtype)
        out = full_on(shape, None, dt, fill_value._store.machine)
        out[...] = broadcast_to(fill_value, shape)
        return out
    if dtype is None:
        dtype = numpy.asarray(fill_value).dtype
    return _filled("full", shape, fill_value, dtype, device)


def _like(name, prototype, fill, dtype, shape, device):
    if shape is None:
        shape = numpy.shape(prototype) if not isinstance(prototype, ndarray) else prototype.shape
    shape = normalize_shape(shape, name)
    if dtype is None:
        dtype = prototype.dtype if hasattr(prototype, "dtype") else numpy.asarray(prototype).dtype
    dt = numpy.dtype(dtype)
    if isinstance(prototype, ndarray) and device is None:
        m = prototype._store.machine
    else:
        m = machine_from_device(device)
    if dt.kind in _HOST_ONLY_KINDS:
        raise HostData(f"{dt} data, which stays on the host")    # (NumPy's function)
    return full_on(shape, fill, dt, m, _like_layout(prototype, shape))


@implements(numpy.zeros_like)
def zeros_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    """Same as ``numpy.zeros_like``; the result takes ``a``'s layout."""
    return _like("zeros_like", a, 0, dtype, shape, device)


@implements(numpy.ones_like)
def ones_like(a, dtype=None, order="K", subok=True, shape=None, *, device=None):
    return _like("ones_like", a, 1, dtype, shape, device)


@implements(numpy.empty_like)
def empty_like(prototype, dtype=None, order="K", subok=True, shape=None, *, device=None):
    return _like("empty_like", prototype, None, dtype, shape, device)


@implements(numpy.full_like)
def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    if dtype is None and hasattr(a, "dtype"):
        dtype = a.dtype
    return _like("full_like", a, fill_value, dtype, shape, device)


# ---------------------------------------------------------------------------------------
# ranges

def _per_device(name, n, dtype, m, fill_fn):
    """A new 1-D array of length n whose device blocks are computed by
    ``fill_fn(xp, lo, hi) -> local array`` (values as a function of the index)."""
    layout = default_layout((n,), dtype.itemsize, m.ndev)
    boxes = device_boxes(layout, (n,), m.ndev)
    shards = [None] * m.ndev
    for d in m.local:
        if boxes[d] is None:
            continue
        lo, hi = boxes[d][0]
        dev = m.devices[d]
        with dev.activate():
            shards[d] = fill_fn(dev.xp, lo, hi)
    return new_array(Store(m, (n,), dtype, layout, shards))


@implements(numpy.arange)
def arange(start_or_stop, /, stop=None, step=None, *, dtype=None, device=None, like=None):
    """Same as ``numpy.arange``: element i is ``start + i*delta`` computed as NumPy does
    (``delta`` is the difference of the first two elements), on each device for its rows."""
    if stop is None:
        if start_or_stop is None:
            numpy.arange(None)          # (NumPy's TypeError, in NumPy's words)
        start, stop = 0, start_or_stop
    else:
        start = start_or_stop
    step = 1 if step is None else step
    m = machine_from_device(device)
    dt = numpy.result_type(start, stop, step) if dtype is None else numpy.dtype(dtype)
    if dt.kind in _HOST_ONLY_KINDS or dt.kind == "c":
        return asarray_on(numpy.arange(start, stop, step, dtype=dtype), m)
    n = _arange_length(start, stop, step)
    if n <= 2:
        return asarray_on(numpy.arange(start, stop, step, dtype=dtype), m)
    if dt.kind in "iub" and all(isinstance(v, (int, numpy.integer)) for v in (start, step)):
        a, b = int(start), int(step)

        def fill(xp, lo, hi):
            return xp.arange(a + lo * b, a + hi * b, b, dtype=dt)
    else:
        first = numpy.asarray(start, dt)[()]
        second = numpy.asarray(start + step, dt)[()]
        delta = second - first

        def fill(xp, lo, hi):
            out = first + xp.arange(lo, hi).astype(dt) * delta
            if lo <= 1 < hi:
                out[1 - lo] = second
            if lo == 0 < hi:
                out[0] = first
            return out.astype(dt, copy=False)
    return _per_device("arange", n, dt, m, fill)


def _arange_length(start, stop, step) -> int:
    """NumPy's length of ``arange(start, stop, step)`` (and its errors)."""
    for v in (start, stop, step):
        if isinstance(v, (numpy.ndarray, ndarray)) and v.ndim:   # (as NumPy's bool() of it)
            if v.size == 0:
                raise ValueError("The truth value of an empty array is ambiguous. Use "
                                 "`array.size > 0` to check that an array is not empty.")
            if v.size > 1:
                raise ValueError("The truth value of an array with more than one element "
                                 "is ambiguous. Use a.any() or a.all()")
    if step == 0:
        raise ZeroDivisionError("division by zero")
    if all(isinstance(v, (int, numpy.integer)) for v in (start, stop, step)):
        return len(range(int(start), int(stop), int(step)))
    import math
    q = (float(stop) - float(start)) / float(step)
    if not math.isfinite(q):
        raise ValueError("arange: cannot compute length")
    return max(0, math.ceil(q))


@implements(numpy.linspace)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    """Same as ``numpy.linspace`` (element i is ``i*step + start``; the last is ``stop``)."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    if numpy.ndim(start) or numpy.ndim(stop) or axis != 0:
        return _linspace_arrays(start, stop, num, endpoint, retstep, dtype, axis, device)
    div = (num - 1) if endpoint else num
    dt = numpy.result_type(start, stop, float(num))
    delta = numpy.subtract(stop, start, dtype=dt)
    step = delta / div if div > 0 else numpy.nan
    any_step_zero = div > 0 and step == 0
    out_dt = dt if dtype is None else numpy.dtype(dtype)
    integer = numpy.issubdtype(out_dt, numpy.integer)
    m = machine_from_device(device)
    start_c = numpy.asarray(start, dtype=dt)[()]
    stop_c = numpy.asarray(stop, dtype=dt)[()]

    def fill(xp, lo, hi):
        y = xp.arange(lo, hi, dtype=dt)
        if div > 0:
            if any_step_zero:
                y = (y / div) * delta
            else:
                y = y * step
        else:
            y = y * delta
        y = y + start_c
        if endpoint and num > 1 and lo <= num - 1 < hi:
            y[num - 1 - lo] = stop_c
        if integer:
            xp.floor(y, out=y)
        return y.astype(out_dt, copy=False)

    r = _per_device("linspace", num, out_dt, m, fill)
    if retstep:
        return r, step
    return r


def _linspace_arrays(start, stop, num, endpoint, retstep, dtype, axis, device):
    """``linspace`` with array bounds (samples along a new axis ``axis``), as NumPy
    computes it: ``arange(num)`` times the step, plus ``start``."""
    from ._helpers import ours, uf
    from .manipulation import moveaxis
    from .reductions import any as any_
    from .ufuncs import common_machine
    m = common_machine([start, stop], "linspace") if (
        isinstance(start, ndarray) or isinstance(stop, ndarray)) else \
        machine_from_device(device)
    def weak(v):                # Python scalars stay weak (NEP 50); lists are arrays
        if isinstance(v, (int, float, complex)):
            return v
        return v.dtype if hasattr(v, "dtype") else numpy.asarray(v).dtype
    dt = numpy.result_type(weak(start), weak(stop), float(num))
    lo, hi = ours(start, m), ours(stop, m)
    div = (num - 1) if endpoint else num
    delta = uf("subtract", hi, lo, dtype=dt)
    y = arange(0, num, dtype=dt, device=m).reshape((-1,) + (1,) * delta.ndim)
    step = numpy.nan
    if div > 0:
        step = uf("true_divide", delta, div)
        if bool(any_(uf("equal", step, 0))):
            y = uf("multiply", uf("true_divide", y, div), delta)
        else:
            y = uf("multiply", y, step)
    else:
        y = uf("multiply", y, delta)
    y = uf("add", y, lo)
    if endpoint and num > 1:
        y[-1, ...] = hi
    if axis != 0:
        y = moveaxis(y, 0, axis)
    out_dt = dt if dtype is None else numpy.dtype(dtype)
    if numpy.issubdtype(out_dt, numpy.integer):
        y = uf("floor", y)
    y = y.astype(out_dt, copy=False)
    return (y, step) if retstep else y


@implements(numpy.eye)
def eye(N, M=None, k=0, dtype=float, order="C", *, device=None, like=None):
    """Same as ``numpy.eye``."""
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    k = operator.index(k)
    r = zeros((N, M), dtype=dtype, device=device)
    m = r._store.machine
    lay = r._store.layout
    for d in m.local:
        shard = r._store.shards[d]
        if shard is None:
            continue
        lo, hi = lay.ranges[d] if lay.is_block else (0, N)
        i0, i1 = max(lo, -k), min(hi, M - k)
        if i1 > i0:
            dev = m.devices[d]
            with dev.activate():
                i = dev.xp.arange(i0, i1)
                shard[i - lo, i + k] = 1
    return r


@implements(numpy.identity)
def identity(n, dtype=None, *, like=None):
    """Same as ``numpy.identity``."""
    return eye(n, dtype=float if dtype is None else dtype)
