"""``numpy.random``: the legacy functions (``seed rand randn random random_sample uniform
normal randint standard_normal``) and ``default_rng(seed)`` Generators (``random normal
uniform integers standard_normal``).

Values are a pure function of (seed, stream, global element index): every draw takes the
next stream number of its generator, and each device computes the elements of its own
rows with Philox4x32-10 (``arrbackend.kernels.philox`` specifies the stream).  So an
array is bit-identical on ``cpu:1`` and ``cpu:3``, on one GPU or several, CPU or GPU, and
``np.random.seed(s)`` makes a run repeatable.  The values differ from NumPy's own streams
(NumPy's are sequential, not counter-based); their distributions are the same.
"""
from __future__ import annotations

import math
import operator
import secrets
import threading

import numpy

from .registry import implements
from ..distributed.layout import default_layout
from ..distributed.deferred import deferring, random_array
from ..distributed.localize import device_boxes
from ..distributed.store import Store, mark_scalar
from ..kernels import philox
from .creation import machine_from_device, normalize_shape
from .ufuncs import ufunc_call
from ..distributed.array import ndarray

__all__ = ["seed", "rand", "randn", "random", "random_sample", "uniform", "normal", "randint",
           "standard_normal", "default_rng", "Generator"]

_LEGACY, _GENERATOR = 0, 1


def _key_from_seed(seed) -> tuple:
    words = numpy.random.SeedSequence(seed).generate_state(2, numpy.uint32)
    return (int(words[0]), int(words[1]))       # the Philox4x32 key


class _Stream:
    """A key and the next stream number (one per generator)."""

    def __init__(self, seed, domain: int) -> None:
        self.domain = domain
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed) -> None:
        if seed is None:
            seed = _shared_entropy()
        self.key = _key_from_seed(seed)
        self.next = 0

    def take(self) -> int:
        with self._lock:
            s = self.next
            self.next += 1
            return s


def _shared_entropy() -> int:
    """Fresh entropy, the same in every process of a run (rank 0's, broadcast)."""
    from ..distributed.bootstrap import world
    value = secrets.randbits(128)
    w = world()
    if w.nranks > 1 and w.mpi_comm is not None:
        value = w.mpi_comm.bcast(value, root=0)
    return value


_global = None
_global_lock = threading.Lock()


def _legacy() -> _Stream:
    global _global
    if _global is None:
        with _global_lock:
            if _global is None:
                _global = _Stream(None, _LEGACY)
    return _global


def _size(size, name):
    if size is None:
        return ()
    try:
        return normalize_shape(size, name)
    except TypeError:       # (NumPy's message for a size of floats or other objects)
        raise TypeError(f"{name}: expected a sequence of integers or a single integer, "
                        f"got '{size}'") from None


def draw(stream: _Stream, kind: str, shape: tuple, dtype, params=None, device=None):
    """A new array of ``shape``: element i (C order) is element i of the next stream of
    ``stream`` (computed on each device for its rows)."""
    m = machine_from_device(device)
    s = stream.take()
    dt = numpy.dtype(dtype)
    layout = default_layout(shape, dt.itemsize, m.ndev)
    size = 1
    for n in shape:
        size *= n
    if kind in ("uniform", "uniform32", "normal") and m.is_gpu and deferring(m, size):
        # computed where it is consumed, inside the consumer's kernel (on CPU devices,
        # each use would generate the numbers again: they are stored, as NumPy does)
        r = random_array(m, "uniform" if kind == "uniform32" else kind, stream.key, s,
                         stream.domain, shape, dt, layout)
        return mark_scalar(r) if not shape else r   # (no size: NumPy's scalar)
    row = 1
    for n in shape[1:]:
        row *= n
    shards = [None] * m.ndev
    for d, box in enumerate(device_boxes(layout, shape, m.ndev)):
        if box is None or not m.is_local(d):
            continue
        lo, hi = box[0] if shape else (0, 1)
        dev = m.devices[d]
        flat = philox.generate(dev, kind, lo * row, (hi - lo) * row, stream.key, s,
                               stream.domain, params)
        with dev.activate():
            shp = ((hi - lo),) + tuple(shape[1:]) if shape else ()
            local = flat.reshape(shp)
            if local.dtype != dt:
                local = local.astype(dt)
            shards[d] = local
    r = ndarray._from_store(Store(m, shape, dt, layout, shards))
    return mark_scalar(r) if not shape else r       # (no size: NumPy's scalar)


def _shape_of_params(size, *params):
    from ..distributed.elementwise import broadcast_shapes
    shapes = [numpy.shape(p) if not hasattr(p, "_store") else p.shape for p in params]
    full = broadcast_shapes(shapes) if shapes else ()
    if size is None:
        return full
    size = _size(size, "random")
    try:
        ok = broadcast_shapes([full, size]) == size
    except ValueError:
        ok = False
    if not ok:                          # NumPy's errors for a size the parameters exceed
        if len(size) < len(full) or not size:
            raise ValueError(f"Output size {size} is not compatible with broadcast "
                             f"dimensions of inputs {full}.")
        raise ValueError(f"shape mismatch: objects cannot be broadcast to a single shape."
                         f"  Mismatch is between arg 0 with shape {size} and arg 1 with "
                         f"shape {full}.")
    return size


def _check_scale(scale, name="scale"):
    if hasattr(scale, "_store"):
        from .reductions import any as any_
        if bool(any_(ufunc_call(numpy.less, (scale, 0), {}))):
            raise ValueError(f"{name} < 0")
    elif numpy.any(numpy.asarray(scale) < 0):
        raise ValueError(f"{name} < 0")


def _uniform(stream, low, high, size, dtype=numpy.float64, generator=False):
    """``low + (high - low) * u`` after NumPy's checks of the range: finite (both APIs),
    then, for a Generator, not negative (arrays checked on the devices, once each)."""
    tl, th = type(low), type(high)
    if (tl is int or tl is float) and (th is int or th is float):
        # (Python numbers, the common call: NumPy's checks without NumPy's calls; the
        # bounds as doubles first, as NumPy converts them -- an int beyond floats is
        # NumPy's OverflowError -- and the span theirs)
        low, high = float(low), float(high)
        span = high - low
        if not math.isfinite(span):
            raise OverflowError("high - low range exceeds valid bounds" if generator else
                                "Range exceeds valid bounds")
        if generator and span < 0:
            raise ValueError("high - low < 0")
        u = draw(stream, "uniform" if numpy.dtype(dtype) == numpy.float64 else "uniform32",
                 () if size is None else _size(size, "random"), dtype)
        if low == 0.0 and high == 1.0:
            return u
        return ufunc_call(numpy.add, (low, ufunc_call(numpy.multiply, (span, u), {})), {})
    arrays = isinstance(low, ndarray) or isinstance(high, ndarray)
    with numpy.errstate(all="ignore"):
        if arrays:
            span = ufunc_call(numpy.subtract, (high, low), {})
        elif isinstance(low, (int, float)) and isinstance(high, (int, float)):
            span = high - low       # (Python numbers stay weakly typed)
        else:
            span = numpy.subtract(high, low)        # (lists, NumPy scalars and arrays)
        if arrays:
            from .reductions import all as all_, any as any_
            finite = bool(all_(ufunc_call(numpy.isfinite, (span,), {})))
        else:
            finite = bool(numpy.all(numpy.isfinite(span)))
        if not finite:
            raise OverflowError("high - low range exceeds valid bounds" if generator else
                                "Range exceeds valid bounds")
        if generator and (bool(any_(ufunc_call(numpy.less, (span, 0), {}))) if arrays
                          else bool(numpy.any(span < 0))):
            raise ValueError("high - low < 0")
    shape = _shape_of_params(size, low, high)
    u = draw(stream, "uniform" if numpy.dtype(dtype) == numpy.float64 else "uniform32",
             shape, dtype)
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low == 0.0 \
            and high == 1.0:
        return u
    return ufunc_call(numpy.add, (low, ufunc_call(numpy.multiply, (span, u), {})), {})


def _normal(stream, loc, scale, size):
    _check_scale(scale)
    shape = _shape_of_params(size, loc, scale)
    z = draw(stream, "normal", shape, numpy.float64)
    if isinstance(loc, (int, float)) and isinstance(scale, (int, float)) and loc == 0.0 \
            and scale == 1.0:
        return z
    return ufunc_call(numpy.add, (loc, ufunc_call(numpy.multiply, (scale, z), {})), {})


_INT_DTYPES = {numpy.dtype(t) for t in (numpy.int8, numpy.int16, numpy.int32, numpy.int64,
                                         numpy.uint8, numpy.uint16, numpy.uint32,
                                         numpy.uint64, numpy.bool_)}


def _integers(stream, low, high, size, dtype, endpoint, name):
    dt = numpy.dtype(dtype)
    if dt not in _INT_DTYPES:
        raise TypeError(f"Unsupported dtype {dt!r} for {name}")
    if high is None:
        low, high = 0, low
    try:
        lo, hi = operator.index(low), operator.index(high)
    except TypeError:
        raise NotImplementedError(f"{name}: array-valued low/high are not supported") from None
    if endpoint:
        hi += 1
    shape = _size(size, name)
    if 0 in shape:                  # no draw: NumPy checks nothing more
        from .creation import empty
        return empty(shape, dtype=dt)
    if lo >= hi:
        raise ValueError("low >= high" if name == "integers" else "high <= low")
    lo_ok, hi_ok = (0, 1) if dt == numpy.bool_ else (numpy.iinfo(dt).min,
                                                     numpy.iinfo(dt).max)
    if lo < lo_ok or hi - 1 > hi_ok:
        raise ValueError(f"{'low' if lo < lo_ok else 'high'} is out of bounds for {dt}")
    r = draw(stream, "integers", shape, numpy.int64 if dt != numpy.uint64 else numpy.uint64,
             params=(lo, (hi - lo) % (1 << 64)))
    if r.dtype != dt:
        from .manipulation import astype
        r = astype(r, dt)
    return r


# ---------------------------------------------------------------------------------------
# legacy module functions

@implements(numpy.random.seed, module="numpy.random", name="seed")
def seed(seed=None):
    """Same as ``numpy.random.seed``: restarts the global streams from ``seed``."""
    if seed is not None:
        if isinstance(seed, ndarray):
            from ._helpers import host
            seed = host(seed)
        numpy.random.RandomState(seed)          # NumPy's checks of a seed, its errors
        arr = numpy.asarray(seed)
        seed = arr.tolist() if arr.ndim else int(arr)
    _legacy().reseed(seed)


@implements(numpy.random.rand, module="numpy.random", name="rand")
def rand(*args):
    """Same as ``numpy.random.rand``: uniform on [0, 1)."""
    return draw(_legacy(), "uniform", _size(args, "rand") if args else (), numpy.float64)


@implements(numpy.random.randn, module="numpy.random", name="randn")
def randn(*args):
    """Same as ``numpy.random.randn``: standard normal."""
    return draw(_legacy(), "normal", _size(args, "randn") if args else (), numpy.float64)


@implements(numpy.random.random_sample, module="numpy.random", name="random_sample")
def random_sample(size=None):
    """Same as ``numpy.random.random_sample``."""
    return draw(_legacy(), "uniform", _size(size, "random_sample"), numpy.float64)


@implements(numpy.random.random, module="numpy.random", name="random")
def random(size=None):
    """Same as ``numpy.random.random``."""
    return draw(_legacy(), "uniform", _size(size, "random"), numpy.float64)


@implements(numpy.random.uniform, module="numpy.random", name="uniform")
def uniform(low=0.0, high=1.0, size=None):
    """Same as ``numpy.random.uniform``: ``low + (high - low) * u``."""
    return _uniform(_legacy(), low, high, size)


@implements(numpy.random.normal, module="numpy.random", name="normal")
def normal(loc=0.0, scale=1.0, size=None):
    """Same as ``numpy.random.normal``: ``loc + scale * z``."""
    return _normal(_legacy(), loc, scale, size)


@implements(numpy.random.standard_normal, module="numpy.random", name="standard_normal")
def standard_normal(size=None):
    """Same as ``numpy.random.standard_normal``."""
    return draw(_legacy(), "normal", _size(size, "standard_normal"), numpy.float64)


@implements(numpy.random.randint, module="numpy.random", name="randint")
def randint(low, high=None, size=None, dtype=int):
    """Same as ``numpy.random.randint``: uniform integers in [low, high)."""
    return _integers(_legacy(), low, high, size, dtype, False, "randint")


# ---------------------------------------------------------------------------------------
# Generators

class Generator:
    """``numpy.random.Generator`` over arrbackend arrays (counter-based; see the module):
    the methods here, and every other distribution from ``random_functions.GeneratorMethods``
    (copied onto the class when that module is imported, at the end of this one)."""

    def __init__(self, seed=None) -> None:
        self._stream = _Stream(seed, _GENERATOR)
        self._children = 0       # spawned so far (their keys follow from the parent's)

    def random(self, size=None, dtype=numpy.float64, out=None):
        dt = numpy.dtype(dtype)
        if dt not in (numpy.float64, numpy.float32):
            raise TypeError(f"Unsupported dtype {dt!r} for random")
        r = draw(self._stream, "uniform" if dt == numpy.float64 else "uniform32",
                 _size(size, "random") if out is None else out.shape, dt)
        return _into(out, r)

    def uniform(self, low=0.0, high=1.0, size=None):
        return _uniform(self._stream, low, high, size, generator=True)

    def normal(self, loc=0.0, scale=1.0, size=None):
        return _normal(self._stream, loc, scale, size)

    def standard_normal(self, size=None, dtype=numpy.float64, out=None):
        dt = numpy.dtype(dtype)
        if dt not in (numpy.float64, numpy.float32):
            raise TypeError(f"Unsupported dtype {dt!r} for standard_normal")
        r = draw(self._stream, "normal", _size(size, "standard_normal") if out is None
                 else out.shape, numpy.float64)
        if dt != numpy.float64:
            from .manipulation import astype
            r = astype(r, dt)
        return _into(out, r)

    def integers(self, low, high=None, size=None, dtype=numpy.int64, endpoint=False):
        return _integers(self._stream, low, high, size, dtype, endpoint, "integers")

    def __repr__(self) -> str:
        return "Generator(Philox4x32) on arrbackend"


def _into(out, r):
    if out is None:
        return r
    from ..distributed.elementwise import assign
    assign(out, r)
    return out


@implements(numpy.random.default_rng, module="numpy.random", name="default_rng")
def default_rng(seed=None):
    """Same as ``numpy.random.default_rng``: a Generator whose draws are arrbackend arrays."""
    if isinstance(seed, Generator):
        return seed
    if isinstance(seed, numpy.random.SeedSequence):
        seed = seed.entropy
    return Generator(seed)


from . import random_functions  # noqa: E402,F401  (the other distributions' methods)
