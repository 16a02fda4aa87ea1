"""``arrbackend.ndarray``'s NumPy behaviour: operators, methods and NumPy's protocols.

The class and its data live in ``arrbackend.distributed.array`` (the engine reads them);
this module, above the engine and the API, gives the class what makes it a NumPy array.

Every statement arrives here.  The common case takes a lean path written out in the
operator itself: when every operand is a computed array lying on one CPU device of this
process (``_loc``/``_dev``, see ``distributed/array.py``) and the result is small, the
operator calls NumPy on the local arrays between two switches of NumPy's error state (so
that a floating-point warning names the user's line) and wraps the result; a large
result is computed into a reused block where one is free (``store.Pooled``: no page
faults for a block glibc gave back to the system).  Everything else -- several devices,
GPUs, deferred expressions, keywords, other operand types -- goes to the registered
implementations (``arrbackend.api``), unchanged.
"""
from __future__ import annotations

import operator
import sys

import numpy

from . import _fperrors as _fp
from ._counters import count, counters as _counters_obj
from ._ndarray_methods import NdarrayMethods
from ._settings import settings as _S
from .distributed.array import REVERSED_AXES as _REVERSED_AXES, ndarray
from .distributed import halo as _halo
from .distributed.store import Held as _Held, Pooled as _Pooled, before_write
from .distributed.store import Store as _Store, mark_scalar as _mark_scalar
from .distributed.store import POOL_MIN_BYTES as _POOL_MIN, take as _take
from .api.registry import lookup
from .api.local import FAST as _LOCAL_FAST, OUT_POSITION as _LOCAL_OUT
from .api.local import try_local as _try_local
from .api.local import _NotLocal, _wrap as _local_wrap
from .kernels.cpu_sum import TREE_SUM_MIN as _TREE_MIN, whole_sum as _whole_sum

__all__ = ["ndarray"]

_new = object.__new__
_SYNCS = _counters_obj._c          # (the counters' table: lean paths count inline)
_STATE_SET = _fp.STATE.set
_STATE_RESET = _fp.STATE.reset
_LOG = _fp.log
_PY_NUMBERS = (float, int, bool, complex)
_square = numpy.square
_BASIC = (int, slice)


def _wrap(r, like, store_type=_Held) -> ndarray:
    """A new array holding the local array ``r`` on the device of ``like``'s ``_loc``
    (``store_type``: ``Value`` for an element's value; a large new array of the lean
    path is ``Pooled``).  A NumPy scalar becomes a 0-d array holding a ``Value``: where
    NumPy gives a scalar, in-place operators rebind the name (``s = a.sum(); t = s;
    s += 1`` leaves ``t`` as it was)."""
    dev = like._dev
    if type(r) is not numpy.ndarray and dev.lean:
        r = r[...]                      # a NumPy scalar: a 0-d array (a copy) ...
        store_type = _Value             # ... that stands for the scalar
    m = like._store.machine
    if store_type is _Held and r.nbytes >= _POOL_MIN and r.base is None and dev.lean \
            and r.flags.c_contiguous:
        store_type = _Pooled
    st = store_type()
    st.machine = m
    st.shape = r.shape
    st.dtype = r.dtype
    st.layout = dev.single
    if m.ndev == 1:
        st.shards = [r]
    else:
        st.shards = [None] * m.ndev
        st.shards[dev.index] = r
    st._base = st._readers = None
    x = _new(ndarray)
    x._store = st
    x._mp = x._src = x._cache_layout = None
    x._loc = r
    x._dev = dev
    x._readonly = False
    return x


def _call(npfunc, *args, **kwargs):
    """Call arrbackend's implementation of ``npfunc`` (or the fallback)."""
    impl = lookup(npfunc)
    if impl is None:
        if isinstance(npfunc, numpy.ufunc):
            return _ufunc_call(npfunc, args, kwargs)
        from .api.fallback import call_numpy
        return call_numpy(npfunc, args, kwargs)
    return impl.func(*args, **kwargs)


def _forward(npfunc, name: str):
    red = _LEAN_REDUCE.get(npfunc)

    def method(self, *args, **kwargs):
        if self._loc is not None and self._dev.lean and _protocols.hook is None:
            if red is not None and not args and not kwargs:
                return _lean_reduce(self, red)
            fast = _LOCAL_FAST.get(npfunc)
            if fast is not None:        # (NumPy's function on the local arrays)
                r = _local_first(self, fast, (self,) + args, kwargs)
                if r is not _NO_OPERAND and r is not NotImplemented:
                    return r
        return _call(npfunc, self, *args, **kwargs)

    method.__name__ = name
    method.__qualname__ = f"ndarray.{name}"
    method.__doc__ = f"Same as ``numpy.ndarray.{name}`` (see ``arrbackend.{npfunc.__name__}``)."
    return method


def _defer(other) -> bool:
    """Whether a binary operator should return NotImplemented (NumPy's rule)."""
    return getattr(type(other), "__array_ufunc__", 0) is None


def _ufunc(uf, *args, **kwargs):
    return _ufunc_call(uf, args, kwargs)


# ---------------------------------------------------------------------------------------
# the lean operators

def _computed_loc(x):
    """The local array of ``x`` where it became one since ``x`` was made: a whole store
    on one device whose deferred value has been computed (None otherwise)."""
    if x._src is not None:
        return None
    st = x._store
    lay = st.layout
    if lay.kind != "single" or st.pending:
        return None
    mp = x._mp
    if mp is not None and not mp.is_identity_of(st.shape):
        return None
    loc = st.shards[lay.device]
    if loc is not None:
        x._loc = loc
        x._dev = st.machine.devices[lay.device]
    return loc


def _operand(x, dev, lim):
    """``x`` as an argument of an eager NumPy call beside an array on ``dev``, or None."""
    t = type(x)
    if t is ndarray:
        if x._dev is dev:
            b = x._loc
            if b.size < lim:
                return b
        return None
    if t in _PY_NUMBERS or isinstance(x, numpy.generic):
        return x
    return None


_NO_OPERAND = object()


# ---------------------------------------------------------------------------------------
# temporary elision, as NumPy's: ``(u * g) + 1`` adds into the product's memory

# NumPy's NPY_MIN_ELIDE_BYTES (256 KiB): below, allocation is cheap; the pool's least
# block too, so that the operators test one size for both
_ELIDE_BYTES = _POOL_MIN
_RESOLVED: dict = {}


def _calibrate():
    """``(references to a left operand that only the interpreter's stack holds, the
    BINARY_OP opcode, references to such a right operand)`` as this Python counts them
    inside an operator method, or None where a temporary cannot be told from a named
    operand (then nothing is elided)."""
    import dis
    binary = dis.opmap.get("BINARY_OP")
    if binary is None:
        return None

    class Probe:
        def __add__(self, other):
            f = sys._getframe(1)
            return (sys.getrefcount(self), sys.getrefcount(other),
                    f.f_code.co_code[f.f_lasti] == binary)

    def argument(q):
        return q + q

    temp = Probe() + Probe()
    p = Probe()
    q = Probe()
    named = [p + q, argument(p)]
    for r in [p]:
        named.append(r + r)
    if not temp[2] or any(not n[2] or n[0] <= temp[0] or n[1] <= temp[1] for n in named):
        return None         # (a named operand counted as a temporary: never elide)
    return temp[0], binary, temp[1]


_TEMP = _calibrate()
_refs = sys.getrefcount
_frame = sys._getframe


def _elidable(self, a, b, uf, rev: bool, right: bool = False) -> bool:
    """Whether ``uf``'s result may be written over ``self``'s memory (an array of at
    least ``_ELIDE_BYTES``: the caller checks that): ``self`` is a temporary the
    interpreter's stack alone holds, in the middle of a binary operation
    (not called from compiled code holding it), whose local array nothing else can reach
    (not its store's views, NumPy views or deferred readers), and the result has its
    dtype and shape.  ``right``: ``self`` is the operation's right operand (``u * g``
    written into ``g``'s memory: elementwise, any binary ufunc may write over an
    operand it reads, not only NumPy's commutative ones)."""
    if _TEMP is None or _refs(self) != _TEMP[2 if right else 0] + 1 or \
            a.base is not None or self._readonly or self._mp is not None or \
            self._src is not None:
        return False                                # (+1: the reference of this call)
    f = _frame(2)
    if f.f_code.co_code[f.f_lasti] != _TEMP[1]:
        return False
    st = self._store
    if (type(st) is not _Held and type(st) is not _Pooled) or st._readers or \
            st._base is not None or \
            _refs(st) != 3 or _refs(a) != 5:
        return False    # (st: self._store, st, the argument; a: the shard, _loc, a, b?, arg)
    dt = _result_dtype(a, b, uf, rev)
    return dt is not False and dt == a.dtype


def _result_dtype(a, b, uf, rev: bool):
    """The dtype of ``uf(a, b)`` (``uf(b, a)`` where ``rev``) for a NumPy array ``a`` and
    an array ``b`` of its shape or a Python number; False where that is not known here
    (other operands, or a call NumPy refuses: its own call says why)."""
    tb = type(b)
    if b is None:                       # (a unary ufunc)
        key = (uf, a.dtype)
        dt = _RESOLVED.get(key)
        if dt is None:
            try:
                dt = uf.resolve_dtypes((a.dtype, None))[-1]
            except Exception:
                dt = False
            _RESOLVED[key] = dt
        return dt
    if tb is numpy.ndarray:
        if b.shape != a.shape:
            return False
        key = (uf, a.dtype, b.dtype, rev)
    elif tb is float or tb is int or tb is complex:
        key = (uf, a.dtype, tb, rev)
    else:
        return False
    dt = _RESOLVED.get(key)
    if dt is None:
        bt = b.dtype if tb is numpy.ndarray else tb
        try:
            dt = uf.resolve_dtypes(((bt, a.dtype) if rev else (a.dtype, bt)) + (None,))[-1]
        except Exception:
            dt = False
        _RESOLVED[key] = dt
    return dt


def _pooled(a, b, uf, rev: bool):
    """A pooled array for the result of ``uf(a, b)`` (store.Pooled), or None."""
    dt = _result_dtype(a, b, uf, rev)
    if dt is False:
        return None
    return _take(a.shape, dt)


_PLAIN = frozenset((float, int, bool, complex, numpy.ndarray, type(None), list, tuple))


def _foreign_ufunc(inputs, kwargs) -> bool:
    """Whether an operand (or ``out=``/``where=``) is of another library that takes part
    in NumPy's ufunc protocol (its own ``__array_ufunc__``): NumPy then asks it, as it
    does for a NumPy array's operands, once arrbackend answers NotImplemented."""
    for x in inputs:
        t = type(x)
        if t is not ndarray and t not in _PLAIN and _takes_ufuncs(t):
            return True
    for k in ("out", "where"):
        v = kwargs.get(k)
        if v is not None:
            for x in (v if type(v) is tuple else (v,)):
                t = type(x)
                if t is not ndarray and t not in _PLAIN and _takes_ufuncs(t):
                    return True
    return False


def _takes_ufuncs(t) -> bool:
    f = getattr(t, "__array_ufunc__", None)
    return f is not None and f is not _NP_UFUNC and not issubclass(t, (ndarray, numpy.generic))


_NP_UFUNC = numpy.ndarray.__array_ufunc__


def _make_operator(uf, name: str, order: str, pyop=None):
    """The operator ``name`` for the ufunc ``uf``: ``order`` is 'fwd' (``self op x``),
    'rev' (``x op self``) or 'unary'.  The lean path is written out here once: NumPy on
    the local arrays between two switches of NumPy's error state, the result wrapped as
    a new one-device array (a store made without a Python-level call)."""
    unary = order == "unary"
    rev = order == "rev"
    compare = uf is numpy.equal or uf is numpy.not_equal
    power = name == "pow" and not rev
    binary = not unary and uf.nin == 2 and uf.nout == 1

    def op(self, other=_NO_OPERAND):
        a = self._loc
        if a is None:
            a = _computed_loc(self)
        if a is not None and self._dev.lean and _protocols.hook is None:
            lim = _S.cpu_eager_max
            if a.size < lim:
                t = type(other)
                if unary:
                    b = a
                elif t is ndarray:
                    if other._loc is None:
                        _computed_loc(other)
                    b = other._loc if other._dev is self._dev else None
                    if b is not None and b.size >= lim:
                        b = None
                elif t is float or t is int or t is bool:
                    b = other
                else:
                    b = _operand(other, self._dev, lim)
                if b is not None:
                    made = _fp.made
                    tok = _STATE_SET(made[1])
                    if tok.old_value is not made[0]:
                        tok = _fp.resync(tok)
                    elide = False
                    try:
                        if pyop is not None:        # NumPy's operator itself (a ** 2)
                            if not rev and (t is int or t is float) and b == 2 and \
                                    a.nbytes >= _POOL_MIN and a.dtype.kind in "fc" and \
                                    (buf := _take(a.shape, a.dtype)) is not None:
                                r = _square(a, out=buf)     # (NumPy's a ** 2 is square)
                            else:
                                r = pyop(b, a) if rev else pyop(a, b)
                        elif unary:
                            r = uf(a)
                        elif not binary or a.nbytes < _ELIDE_BYTES:
                            r = uf(b, a) if rev else uf(a, b)   # (small: nothing to reuse)
                        elif _elidable(self, a, b, uf, rev):
                            r = uf(b, a, out=a) if rev else uf(a, b, out=a)
                            elide = True
                        elif t is ndarray and not rev and \
                                _elidable(other, b, a, uf, True, True):
                            r = uf(a, b, out=b)
                            elide = other
                        elif (buf := _pooled(a, b, uf, rev)) is not None:
                            r = uf(b, a, out=buf) if rev else uf(a, b, out=buf)
                        else:
                            r = uf(b, a) if rev else uf(a, b)
                    finally:
                        _STATE_RESET(tok)
                    if _LOG.messages:
                        _fp.issue()
                    if elide is not False:
                        return self if elide is True else elide
                    if type(r) is not numpy.ndarray:
                        r = r[...]              # a NumPy scalar: a 0-d array (a copy)
                        st = _Value()           # (standing for the scalar, see _wrap)
                    else:
                        st = _Pooled() if r.nbytes >= _POOL_MIN and r.base is None and \
                            r.flags.c_contiguous else _Held()
                    dev = self._dev
                    m = self._store.machine
                    st.machine = m
                    st.shape = r.shape
                    st.dtype = r.dtype
                    st.layout = dev.single
                    if m.ndev == 1:
                        st.shards = [r]
                    else:
                        st.shards = [None] * m.ndev
                        st.shards[dev.index] = r
                    st._base = st._readers = None
                    x = _new(ndarray)
                    x._store = st
                    x._mp = x._src = x._cache_layout = None
                    x._loc = r
                    x._dev = dev
                    x._readonly = False
                    return x
        if unary:
            args = (self,)
        elif _defer(other):
            return NotImplemented
        else:
            args = (other, self) if rev else (self, other)
        if compare:
            return _compare(uf, self, other)    # (NumPy's answers for odd operands too)
        if power and (type(other) is int or type(other) is float):
            return _power(self, other)          # NumPy's operator: x ** 2 is square(x)
        if _protocols.hook is None:
            r = _defer_call(uf, args)           # a deferred expression, where it applies
            if r is not None:
                return r
        return _ufunc_call(uf, args, {})

    op.__name__ = f"__{name}__" if not rev else f"__r{name}__"
    return op


def _make_inplace(uf, name: str, pyop=None):
    power = name == "pow"

    def inplace(self, other):
        if self._store.scalar and self.ndim == 0:
            return NotImplemented       # it stands for NumPy's scalar: out of place
        a = self._loc
        if a is not None and self._dev.lean and not self._readonly \
                and a.size < _S.cpu_eager_max and _protocols.hook is None:
            b = _operand(other, self._dev, _S.cpu_eager_max)
            if b is not None:
                st = self._store
                if (st._base or st)._readers:
                    before_write(st)
                made = _fp.made
                tok = _STATE_SET(made[1])
                if tok.old_value is not made[0]:
                    tok = _fp.resync(tok)
                try:
                    if pyop is not None:
                        pyop(a, b)              # NumPy's in-place operator (a **= 2)
                    else:
                        uf(a, b, out=a)
                finally:
                    _STATE_RESET(tok)
                if _LOG.messages:
                    _fp.issue()
                return self
        if power and (type(other) is int or type(other) is float):
            _power(self, other, inplace=True)
            return self
        _ufunc_call(uf, (self, other), {"out": (self,)})
        return self

    inplace.__name__ = f"__i{name}__"
    return inplace


def _eager_ufunc(self, ufunc, inputs, kwargs):
    """``ufunc(*inputs)`` / ``ufunc(*inputs, out=(o,))`` on one CPU device, or None."""
    dev = self._dev
    lim = _S.cpu_eager_max
    out = None
    for k in kwargs:
        if k != "out":
            return None
        out = kwargs["out"]
        if type(out) is tuple:
            if ufunc.nout != 1:
                return None
            (out,) = out
        if type(out) is not ndarray or out._dev is not dev or out._readonly:
            return None
        o = out._loc
        if o.size >= lim:
            return None
    if ufunc.nin == 2:
        try:
            x, y = inputs
        except ValueError:
            return None
        a = _operand(x, dev, lim)
        b = _operand(y, dev, lim)
        if a is None or b is None:
            return None
        args = (a, b)
    elif ufunc.nin == 1:
        try:
            (x,) = inputs
        except ValueError:
            return None
        a = _operand(x, dev, lim)
        if a is None:
            return None
        args = (a,)
    else:
        return None
    if out is not None:
        st = out._store
        if (st._base or st)._readers:
            before_write(st)
    buf = None
    if out is None and ufunc.nout == 1 and type(a) is numpy.ndarray and \
            a.nbytes >= _POOL_MIN:          # (a reused block: store.Pooled)
        buf = _pooled(a, args[1] if len(args) == 2 else None, ufunc, False)
    made = _fp.made
    tok = _STATE_SET(made[1])
    if tok.old_value is not made[0]:
        tok = _fp.resync(tok)
    try:
        if out is not None:
            r = ufunc(*args, out=o)
        elif buf is not None:
            r = ufunc(*args, out=buf)
        else:
            r = ufunc(*args)
    finally:
        _STATE_RESET(tok)
    if _LOG.messages:
        _fp.issue()
    if out is not None:
        return out
    if ufunc.nout != 1:
        return tuple(_wrap(v, self) for v in r)
    return _wrap(r, self)


_PLAIN = frozenset((int, float, bool, str, complex, type(None), slice, type))


def _plain(v) -> bool:
    t = type(v)
    return t in _PLAIN or (t is tuple and all(type(e) is int for e in v))


def _local_first(self, fast, args, kwargs, first=None, seen=None):
    """``fast(self's local array, *the other arguments)`` where ``self`` comes first and
    every other argument is a plain Python value (the common one-device call:
    ``np.gradient(u, dx, axis=1)``, ``np.mean(a, axis=0)``): the result of new memory
    wrapped as ``_wrap`` wraps an operator's; any other result as the general local path
    wraps it (``try_local``), from the same call.  ``_NO_OPERAND`` where this path does not
    apply, NotImplemented where the result is not one the local path may hold (a view of
    ``self``'s memory, an object array: the engine's implementation answers, as after
    ``try_local``).  ``first``, ``seen``: the first argument's local form and the pairs
    (local array, array) it holds, where it is not ``self`` (``_local_seq``)."""
    loc = self._loc if first is None else first
    dev = self._dev
    rest = args[1:]
    for i, a in enumerate(rest):
        if type(a) is ndarray:              # another array of the device: its local one
            la = a._loc                     # (maybe a positional out=: writable, and
            if la is None or a._dev is not dev or a._readonly:  # read by no pending
                return _NO_OPERAND                              # expression, as NumPy
            st = a._store                                       # writes it)
            if (st._base or st)._readers:
                before_write(st)
            seen = [(loc, self)] if seen is None else list(seen)
            if type(rest) is tuple:
                rest = list(rest)
            rest[i] = la
            seen.append((la, a))
        elif not _plain(a):
            return _NO_OPERAND
    if kwargs:
        for v in kwargs.values():
            if not _plain(v):
                return _NO_OPERAND
    made = _fp.made
    tok = _STATE_SET(made[1])
    if tok.old_value is not made[0]:
        tok = _fp.resync(tok)
    try:
        r = fast(loc, *rest, **kwargs)
    finally:
        _STATE_RESET(tok)
    if _LOG.messages:
        _fp.issue()
    if type(r) is numpy.ndarray and r.base is None and r is not loc and \
            r.dtype.kind not in "OUSVMm" and r.flags.writeable and \
            (seen is None or all(r is not la for la, _ in seen)):
        return _wrap(r, self)                   # (an array of its own: a new one)
    if isinstance(r, numpy.generic) and r.dtype.kind not in "OUSVMm":
        return _wrap(r, self)                   # (NumPy's scalar: a Value)
    try:
        return _local_wrap(r, [self._store.machine, dev.index], seen or [(loc, self)])
    except _NotLocal:
        return NotImplemented


def _local_seq(self, fast, args, kwargs):
    """``fast(the local arrays of a sequence of arrays, *the other arguments)`` where the
    first argument is a list or tuple of arrays of ``self``'s device and the others are
    plain (``np.concatenate([a, b])``, ``np.stack((a, b), axis=1)``): a result of new
    memory wrapped as ``_wrap`` wraps it (the rest as ``_local_first`` goes on);
    ``_NO_OPERAND`` where this path does not apply."""
    dev = self._dev
    locs = []
    seen = []
    for x in args[0]:
        if type(x) is not ndarray:
            return _NO_OPERAND
        la = x._loc
        if la is None or x._dev is not dev:
            return _NO_OPERAND
        locs.append(la)
        seen.append((la, x))
    return _local_first(self, fast, args, kwargs,
                        locs if type(args[0]) is list else tuple(locs), seen)


# full reductions of one array on one CPU device: NumPy's own reduction of the local array
_LEAN_REDUCE = {numpy.sum: numpy.add.reduce, numpy.prod: numpy.multiply.reduce,
                numpy.max: numpy.maximum.reduce, numpy.amax: numpy.maximum.reduce,
                numpy.min: numpy.minimum.reduce, numpy.amin: numpy.minimum.reduce,
                numpy.any: numpy.logical_or.reduce, numpy.all: numpy.logical_and.reduce}


_ADD, _BOOL = numpy.add.reduce, numpy.dtype(bool)


def _lean_reduce(self, red):
    a = self._loc
    made = _fp.made
    tok = _STATE_SET(made[1])
    if tok.old_value is not made[0]:
        tok = _fp.resync(tok)
    try:
        r = _whole_sum(a) if red is _ADD and (a.nbytes > _TREE_MIN or a.dtype == _BOOL) \
            else red(a, axis=None)      # (a count, or on threads: kernels/cpu_sum.py)
    finally:
        _STATE_RESET(tok)
    if _LOG.messages:
        _fp.issue("reduce")
    return _wrap(r, self)


# ---------------------------------------------------------------------------------------
# the class's methods (installed on ``arrbackend.distributed.array.ndarray``)

class _Methods(NdarrayMethods):
    """The NumPy-facing methods of ``arrbackend.ndarray`` (copied onto the class)."""

    __slots__ = ()

    def __new__(cls, shape, dtype=float, buffer=None, offset=0, strides=None, order=None):
        from .api.protocol import new
        return new(shape, dtype, buffer, offset, strides, order)

    # attributes -----------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        loc = self._loc
        return loc.shape if loc is not None else self._map.shape

    @shape.setter
    def shape(self, value) -> None:
        new = self.reshape(value)
        if new._store is not self._store and new._store.base is not self._store.base:
            raise AttributeError("arrbackend: setting shape would need a copy; use reshape")
        self._rebind(new)

    @property
    def device(self):
        from .api.devices import device_of
        return device_of(self)

    @property
    def T(self) -> "ndarray":
        loc = self._loc
        if loc is not None and self._dev.lean:
            return _lean_transposed(self, loc)
        return self.transpose()

    @property
    def mT(self) -> "ndarray":
        if self.ndim < 2:
            raise ValueError("matrix transpose with ndim < 2 is undefined")
        return self.swapaxes(-1, -2)

    @property
    def real(self) -> "ndarray":
        return _call(numpy.real, self)

    @real.setter
    def real(self, value) -> None:
        self.real[...] = value

    @property
    def imag(self) -> "ndarray":
        return _call(numpy.imag, self)

    @imag.setter
    def imag(self, value) -> None:
        if self.dtype.kind != "c":
            raise TypeError("array does not have imaginary part to set")
        self.imag[...] = value

    @property
    def strides(self) -> tuple:
        """NumPy's strides of the same view of a new (C-ordered) array."""
        from .api.attributes import view_strides
        return view_strides(self)

    @property
    def flags(self):
        from .api.attributes import Flags
        return Flags(self)

    @property
    def flat(self):
        from .api.attributes import FlatIter
        return FlatIter(self)

    @property
    def base(self):
        return None

    @property
    def data(self):
        """A read-only buffer of the values (a host copy; see the differences page)."""
        from .api.protocol import data
        return data(self)

    def __contains__(self, value) -> bool:
        from .api.protocol import contains
        return contains(self, value)

    def __setstate__(self, state) -> None:
        from .api.protocol import setstate
        setstate(self, state)

    # NumPy protocols ------------------------------------------------------------------
    def __array_function__(self, func, types, args, kwargs):
        red = _LEAN_REDUCE.get(func)
        if red is not None and not kwargs and self._loc is not None and self._dev.lean:
            try:
                (x,) = args
            except ValueError:
                x = None
            if x is self and _protocols.hook is None:
                made = _fp.made
                tok = _STATE_SET(made[1])
                if tok.old_value is not made[0]:
                    tok = _fp.resync(tok)
                try:
                    a = self._loc
                    r = _whole_sum(a) if red is _ADD and (a.nbytes > _TREE_MIN or
                                                          a.dtype == _BOOL) \
                        else red(a, axis=None)
                finally:
                    _STATE_RESET(tok)
                if _LOG.messages:
                    _fp.issue("reduce")
                return _wrap(r, self)
        fast = _LOCAL_FAST.get(func)
        if fast is not None and args and self._loc is not None and self._dev.lean and \
                _protocols.hook is None:
            first = args[0]
            if first is self:
                r = _local_first(self, fast, args, kwargs)
            elif type(first) is list or type(first) is tuple:
                r = _local_seq(self, fast, args, kwargs)
            else:
                r = _NO_OPERAND
            if r is not _NO_OPERAND:
                if r is NotImplemented:         # (not the engine's to hold: its answer)
                    return _array_function(func, types, args, kwargs)
                return r
        if fast is not None and self._loc is not None and self._dev.lean and \
                _protocols.hook is None and \
                (not kwargs or type(kwargs.get("out", self)) is ndarray) and \
                not any(type(a) is numpy.ndarray for a in args):   # (a positional out=)
            r = _try_local(fast, args, kwargs,      # (the registered implementation's
                           _LOCAL_OUT.get(func))    # first step, without the dispatch)
            if r is not NotImplemented:
                return r
        return _array_function(func, types, args, kwargs)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__":
            if self._loc is not None and self._dev.lean and _protocols.hook is None:
                r = _eager_ufunc(self, ufunc, inputs, kwargs)
                if r is not None:
                    return r
            if _foreign_ufunc(inputs, kwargs):
                return NotImplemented
            return _ufunc_call(ufunc, inputs, kwargs)
        if _foreign_ufunc(inputs, kwargs):
            return NotImplemented
        return _array_ufunc(ufunc, method, inputs, kwargs)

    def __array__(self, dtype=None, copy=None):
        from .distributed.hostio import gather
        m = self._store.machine
        if copy is False and (m.is_gpu or not self._view_layout().is_single
                              or (dtype is not None and numpy.dtype(dtype) != self.dtype)):
            raise ValueError("arrbackend: unable to avoid a copy while making a NumPy array "
                             "(the data is on a GPU or spread over several devices)")
        host = gather(self)
        if dtype is not None and numpy.dtype(dtype) != host.dtype:
            return host.astype(dtype)
        if copy:
            return numpy.array(host, copy=True)
        if self._readonly and host.flags.writeable:
            host = host.view()          # (NumPy's view of a read-only array is read-only)
            host.flags.writeable = False
        return host

    def __array_namespace__(self, api_version=None):
        from .dispatch.array_api import namespace_for
        return namespace_for(api_version)

    # indexing -------------------------------------------------------------------------
    def __getitem__(self, key):
        loc = self._loc
        if loc is None:
            loc = _computed_loc(self)
        if loc is not None and self._dev.lean:
            # a basic key on one CPU device: NumPy indexes the local array (its errors)
            t = type(key)
            basic = element = False
            if t is tuple:
                n = ints = 0
                for k in key:
                    n += 1
                    tk = type(k)
                    if tk is int:
                        ints += 1
                    elif tk is not slice and k is not None and k is not Ellipsis:
                        break
                else:
                    basic = True
                    element = ints == n and n == loc.ndim
            elif t is slice or key is Ellipsis or key is None:
                basic = True
            elif t is int:
                basic = True
                element = loc.ndim == 1
            if basic and not self._store.scalar:
                r = loc[key]
                if element:
                    return _wrap(r, self, _Value)   # an element: a value, not a view
                v = _new(ndarray)
                v._store = self._store
                v._mp = v._cache_layout = None
                v._src = (self, key)                # its map, when asked for
                v._loc = r
                v._dev = self._dev
                v._readonly = self._readonly
                return v
            lkey = _advanced_key(key, self._dev)
            if lkey is not None:
                # an integer or boolean array among the key: NumPy's advanced indexing of
                # the local array (its copy, its errors)
                r = loc[lkey]
                if type(r) is not numpy.ndarray:
                    return _wrap(r, self, _Value)   # (a 0-d index array: a value)
                return _wrap(r, self)
        return _getitem(self, key)

    def __setitem__(self, key, value) -> None:
        loc = self._loc
        if loc is None:
            loc = _computed_loc(self)
        if loc is not None and self._dev.lean and not self._readonly:
            t = type(key)
            basic = t is slice or t is int or key is Ellipsis or key is None
            if t is tuple:
                basic = True
                for k in key:
                    tk = type(k)
                    if tk is not int and tk is not slice and k is not None \
                            and k is not Ellipsis:
                        basic = False
                        break
            if basic:
                tv = type(value)
                if tv is ndarray and value._dev is self._dev \
                        and value._loc.dtype == loc.dtype:
                    st = self._store
                    if (st._base or st)._readers:
                        before_write(st)
                    loc[key] = value._loc           # NumPy's assignment (overlaps too)
                    return
                if (tv is float or tv is int or tv is bool) and loc.dtype.char in "dD":
                    st = self._store                # (a Python number into float64 or
                    if (st._base or st)._readers:   # complex128: no cast that warns)
                        before_write(st)
                    loc[key] = value
                    return
                if _lean_store(self, loc, key, value):
                    return
            else:
                lkey = _advanced_key(key, self._dev)
                if lkey is not None and _lean_store(self, loc, lkey, value):
                    return
        _setitem(self, key, value)

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of unsized object")
        return shape[0]

    def __iter__(self):
        shape = self.shape
        if not shape:
            raise TypeError("iteration over a 0-d array")   # (at iter(), as NumPy)
        return (self[i] for i in range(shape[0]))

    # conversions to Python ------------------------------------------------------------
    def _scalar_host(self):
        """The value for a conversion to a Python scalar: the gathered element, or for
        arrays of another size a data-free stand-in that makes NumPy raise its error."""
        if self.size != 1:
            return numpy.broadcast_to(numpy.zeros((), self.dtype), self.shape)
        count("syncs")
        loc = self._loc
        if loc is not None and self._dev.lean:
            return loc
        from .distributed.hostio import gather
        return gather(self, explicit=True)

    def __bool__(self) -> bool:
        loc = self._loc
        if loc is not None and self._dev.lean and _protocols.hook is None:
            _SYNCS["syncs"] += 1            # (the counter, without a call: no profile)
            return bool(loc)
        return bool(self._scalar_host())

    def __float__(self) -> float:
        loc = self._loc
        if loc is not None and self._dev.lean and loc.ndim == 0 and loc.dtype.kind != "c" \
                and _protocols.hook is None:
            _SYNCS["syncs"] += 1            # (the counter, without a call: no profile)
            return float(loc)
        return float(self._real_scalar())

    def __int__(self) -> int:
        return int(self._real_scalar())

    def _real_scalar(self):
        """A 0-d complex array stands where NumPy gives a complex scalar, which converts
        to float or int with a ComplexWarning (a complex 0-d NumPy array would raise)."""
        v = self._scalar_host()
        if self.ndim == 0 and self.dtype.kind == "c":
            import warnings
            from ._origin import user_stacklevel
            warnings.warn("Casting complex values to real discards the imaginary part",
                          numpy.exceptions.ComplexWarning, stacklevel=user_stacklevel())
            return v.real[()]
        return v

    def __complex__(self) -> complex:
        return complex(self._scalar_host())

    def __index__(self) -> int:
        if self.dtype.kind not in "iub":
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return operator.index(self._scalar_host()[()] if self.ndim == 0
                              else self._scalar_host())

    def item(self, *args):
        if len(args) == 1 and not isinstance(args[0], tuple):
            flat = operator.index(args[0])
            if not -self.size <= flat < self.size:
                raise IndexError("index out of bounds")
            args = numpy.unravel_index(flat % self.size, self.shape)
        elif len(args) == 1:
            args = args[0]
        if args:
            return self[tuple(args)]._scalar_host().item()
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self._scalar_host().item()

    def tolist(self):
        from .distributed.hostio import gather
        return gather(self, explicit=True).tolist()

    def tobytes(self, order="C") -> bytes:
        from .distributed.hostio import gather
        return gather(self, explicit=True).tobytes(order)

    def __repr__(self) -> str:
        from .distributed.hostio import gather
        return numpy.array_repr(gather(self, explicit=True))

    def __str__(self) -> str:
        from .distributed.hostio import gather
        return numpy.array_str(gather(self, explicit=True))

    def __format__(self, spec: str) -> str:
        if self.ndim == 0:
            return format(self._scalar_host()[()], spec)
        if spec:
            raise TypeError("unsupported format string passed to arrbackend.ndarray.__format__")
        return str(self)

    def __reduce__(self):
        from .distributed.hostio import gather
        from .api.creation import asarray
        return (asarray, (gather(self, explicit=True),))

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    # device interop -------------------------------------------------------------------
    def _single_local(self, what: str):
        lay = self._view_layout()
        if not (lay.is_single or self._store.machine.ndev == 1):
            raise BufferError(f"arrbackend: {what} needs the array on one device; this one "
                              f"is spread over {self._store.machine.ndev} devices")
        return self._local()

    @property
    def __cuda_array_interface__(self):
        if not self._store.machine.is_gpu:
            raise AttributeError("__cuda_array_interface__ exists only for GPU arrays")
        try:
            local = self._single_local("__cuda_array_interface__")
        except BufferError as exc:
            raise AttributeError(str(exc)) from None
        _halo.pin(self._store)          # (an address handed out: the shard stays where it is)
        return local.__cuda_array_interface__

    def _exportable(self, copy=None):
        """The array as one local array: its own memory on one device, else (an array
        spread over several devices) a copy gathered on the first one."""
        lay = self._view_layout()
        if lay.is_single or self._store.machine.ndev == 1:
            return self._local()
        if copy is False:
            raise BufferError("arrbackend: exporting an array spread over several devices "
                              "needs a copy (copy=False was asked)")
        from .distributed.matmul import gather_to
        return gather_to(self, self._store.machine.local[0])

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        local = self._exportable(copy)
        kwargs = {}
        if stream is not None:
            kwargs["stream"] = stream
        if max_version is not None:
            kwargs["max_version"] = max_version
        if dl_device is not None:
            kwargs["dl_device"] = dl_device
        if copy is not None:
            kwargs["copy"] = copy
        if self._store.machine.is_gpu:
            own = self.__dlpack_device__()
            elsewhere = dl_device is not None and tuple(dl_device) != own
            if copy is False and elsewhere:
                raise BufferError(f"__dlpack__: an array on a GPU cannot be exported to "
                                  f"device {tuple(dl_device)} without a copy (copy=False)")
            if copy is True and not elsewhere:
                local = local.copy()        # (the device library copies only to the host)
                kwargs.pop("copy")
                kwargs.pop("dl_device", None)
            elif copy is None and elsewhere:
                kwargs["copy"] = True       # (copy=None: a copy where one is needed)
        elif not local.flags.writeable:
            local = local.copy()
        return local.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        m = self._store.machine
        lay = self._view_layout()
        d = lay.device if lay.is_single else m.local[0]
        return (2, m.devices[d].id) if m.is_gpu else (1, 0)      # kDLCUDA / kDLCPU

    def to_device(self, device, /, *, stream=None):
        from .api.devices import to_device
        return to_device(self, device, stream=stream)

    # shape and type methods -----------------------------------------------------------
    def reshape(self, *shape, order="C", copy=None):
        if not shape:
            raise TypeError("reshape() takes exactly 1 argument (0 given)")
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        loc = self._loc
        if loc is not None and self._dev.lean and order == "C" and copy is None and \
                self._mp is None and self._src is None and loc.flags.c_contiguous:
            st = self._store
            if type(st) in _PLAIN_STORES:
                # the whole store of one CPU device: NumPy reshapes its array (its
                # errors), a view of the same memory
                r = loc.reshape(shape)
                m = st.machine
                shards = [None] * m.ndev
                shards[self._dev.index] = r
                v = _new(ndarray)
                v._store = _Store(m, r.shape, st.dtype, self._dev.single, shards, base=st)
                v._mp = v._src = v._cache_layout = None
                v._loc = r
                v._dev = self._dev
                v._readonly = self._readonly
                return v
        return _call(numpy.reshape, self, shape, order=order, copy=copy)

    def transpose(self, *axes):
        if not axes:
            loc = self._loc
            if loc is not None and self._dev.lean:
                return _lean_transposed(self, loc)
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], int)):
            axes = axes[0]
        return _call(numpy.transpose, self, axes if axes != () else None)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        loc = self._loc
        if loc is not None and self._dev.lean and _protocols.hook is None and \
                type(casting) is str and (copy is True or copy is False):
            dt = numpy.dtype(dtype)             # (NumPy's TypeError for a bad one)
            if dt == loc.dtype and not copy:
                return self
            if dt.kind not in "OUSVMm":
                made = _fp.made                 # a cast may warn (NaN to an integer)
                tok = _STATE_SET(made[1])
                if tok.old_value is not made[0]:
                    tok = _fp.resync(tok)
                try:
                    r = loc.astype(dt, order="C", casting=casting)   # (NumPy's errors)
                finally:
                    _STATE_RESET(tok)
                if _LOG.messages:
                    _fp.issue()
                return _wrap(r, self, type(self._store) if type(self._store) is _Value
                             else _Held)        # (a scalar's cast is a scalar)
        from .api.manipulation import astype
        r = astype(self, dtype, casting=casting, copy=copy)
        return _mark_scalar(r) if self._store.scalar and r is not self and r.ndim == 0 else r

    def copy(self, order="C"):
        loc = self._loc
        if loc is not None and self._dev.lean and _protocols.hook is None and order == "C":
            return _wrap(loc.copy(), self, type(self._store) if type(self._store) is _Value
                         else _Held)            # (a scalar's copy is a scalar)
        r = _call(numpy.copy, self)
        return _mark_scalar(r) if self._store.scalar and r.ndim == 0 else r

    def flatten(self, order="C"):
        from .api.manipulation import check_order
        check_order(order, "flatten")
        return _call(numpy.ravel, self, order).copy()

    def fill(self, value) -> None:
        self[...] = value

    def view(self, dtype=None, type=None):
        if type is not None and type is not ndarray:
            from .distributed.hostio import host_view
            return host_view(self, type, dtype)      # a NumPy subclass lives on the host
        if dtype is None or numpy.dtype(dtype) == self.dtype:
            if self._store.scalar and self.ndim == 0:
                return _view_copy(self)         # (NumPy's scalar makes a new array)
            return self._view(self._map)
        from .api.manipulation import view_as_dtype
        return view_as_dtype(self, dtype)

    def clip(self, min=None, max=None, out=None, **kwargs):
        """Same as ``numpy.ndarray.clip`` (either bound may be omitted)."""
        return _call(numpy.clip, self, min, max, out=out, **kwargs)

    def sort(self, axis=-1, kind=None, order=None, *, stable=None) -> None:
        self[...] = _call(numpy.sort, self, axis=axis, kind=kind, order=order, stable=stable)

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        return arr

    # operators that are not plain ufunc calls ------------------------------------------
    def __matmul__(self, other):
        if _defer(other):
            return NotImplemented
        return _call(numpy.matmul, self, other)

    def __rmatmul__(self, other):
        if _defer(other):
            return NotImplemented
        return _call(numpy.matmul, other, self)

    def __imatmul__(self, other):
        return _call(numpy.matmul, self, other, out=self)

    def __divmod__(self, other):
        if _defer(other):
            return NotImplemented
        return _ufunc(numpy.divmod, self, other)

    def __rdivmod__(self, other):
        if _defer(other):
            return NotImplemented
        return _ufunc(numpy.divmod, other, self)


_BASIC_ENTRY = frozenset((int, slice, type(None), type(Ellipsis)))


def _advanced_entry(k, dev):
    """One entry of an advanced key as NumPy indexes a local array of ``dev`` with it
    (an arrbackend array: its local array), ``True`` for a basic entry, or None where the
    engine must do it (an array elsewhere, a nested sequence, an object of another kind)."""
    t = type(k)
    if t in _BASIC_ENTRY:
        return True
    if t is ndarray:
        v = k._loc
        if v is None:
            v = _computed_loc(k)
        return v if v is not None and k._dev is dev else None
    if t is numpy.ndarray or t is bool or t is numpy.bool_:
        return k
    if t is list:
        for e in k:
            if type(e) is not int and type(e) is not bool:
                return None
        return k
    if isinstance(k, numpy.integer):
        return True
    return None


def _advanced_key(key, dev):
    """``key`` for NumPy to index a local array of ``dev`` with, where it has an integer
    or boolean array, list or a boolean among its entries (advanced indexing: a copy);
    None for a basic key or one the engine must handle."""
    if type(key) is not tuple:
        v = _advanced_entry(key, dev)
        return None if v is None or v is True else v
    out = []
    advanced = False
    for k in key:
        v = _advanced_entry(k, dev)
        if v is None:
            return None
        if v is True:
            out.append(k)
        else:
            out.append(v)
            advanced = True
    return tuple(out) if advanced else None


def _lean_transposed(self, loc):
    """``self.T`` on a lean device: NumPy's view of the local array, its map worked out
    when asked for (as for a basic index); a 0-d array is its own transpose (NumPy's
    scalar: itself)."""
    if loc.ndim == 0 and self._store.scalar:
        return self
    v = _new(ndarray)
    v._store = self._store
    v._mp = v._cache_layout = None
    v._src = (self, _REVERSED_AXES)
    v._loc = loc.T
    v._dev = self._dev
    v._readonly = self._readonly
    return v


def _lean_store(self, loc, key, value) -> bool:
    """``self[key] = value`` written by NumPy into the local array (NumPy's own item
    assignment: its casts, its errors, its handling of overlapping memory); False where
    the engine must do it (another device, another kind of value)."""
    t = type(value)
    if t is ndarray:
        v = value._loc
        if v is None:
            v = _computed_loc(value)
        if v is None or value._dev is not self._dev:
            return False
    elif t is float or t is int or t is bool or t is complex or isinstance(value, numpy.generic):
        v = value
    else:
        return False
    st = self._store
    if (st._base or st)._readers:
        before_write(st)
    if t is ndarray and v.dtype == loc.dtype:
        loc[key] = v
        return True
    if t is ndarray and v.ndim == 0 and v.dtype.kind in "fc" and loc.dtype.kind in "iu":
        v = v[()]                       # (it stands for NumPy's scalar: a scalar's rules)
    made = _fp.made                     # a cast may warn (NaN to an integer, ...)
    tok = _STATE_SET(made[1])
    if tok.old_value is not made[0]:
        tok = _fp.resync(tok)
    try:
        loc[key] = v
    finally:
        _STATE_RESET(tok)
    if _LOG.messages:
        _fp.issue()
    return True


def _install() -> None:
    for cls in (NdarrayMethods, _Methods):
        for name, value in vars(cls).items():
            if name in ("__slots__", "__module__", "__qualname__", "__doc__",
                        "__dict__", "__weakref__"):
                continue
            setattr(ndarray, name, value)
    table = [("add", numpy.add), ("sub", numpy.subtract), ("mul", numpy.multiply),
             ("truediv", numpy.true_divide), ("floordiv", numpy.floor_divide),
             ("mod", numpy.remainder), ("pow", numpy.power), ("lshift", numpy.left_shift),
             ("rshift", numpy.right_shift), ("and", numpy.bitwise_and),
             ("or", numpy.bitwise_or), ("xor", numpy.bitwise_xor)]
    for name, uf in table:
        fwd = rev = inp = None
        if name == "pow":       # NumPy's ** operator has shortcuts (a ** 2 is square(a))
            fwd, rev, inp = operator.pow, operator.pow, operator.ipow
        setattr(ndarray, f"__{name}__", _make_operator(uf, name, "fwd", fwd))
        setattr(ndarray, f"__r{name}__", _make_operator(uf, name, "rev", rev))
        setattr(ndarray, f"__i{name}__", _make_inplace(uf, name, inp))
    for name, uf in (("lt", numpy.less), ("le", numpy.less_equal), ("gt", numpy.greater),
                     ("ge", numpy.greater_equal)):
        setattr(ndarray, f"__{name}__", _make_operator(uf, name, "fwd"))
    # NumPy's == and != answer where no loop compares the dtypes: its operators decide
    ndarray.__eq__ = _make_operator(numpy.equal, "eq", "fwd", operator.eq)
    ndarray.__ne__ = _make_operator(numpy.not_equal, "ne", "fwd", operator.ne)
    for name, uf in (("neg", numpy.negative), ("pos", numpy.positive),
                     ("abs", numpy.absolute), ("invert", numpy.invert)):
        setattr(ndarray, f"__{name}__", _make_operator(uf, name, "unary"))
    names = ["sum", "prod", "mean", "var", "std", "min", "max", "argmin", "argmax", "any",
             "all", "cumsum", "cumprod", "round", "conj", "conjugate", "dot",
             "nonzero", "repeat", "searchsorted", "squeeze", "swapaxes", "take", "trace",
             "diagonal", "ravel", "argsort", "argpartition", "compress", "choose", "put"]
    for name in names:
        setattr(ndarray, name, _forward(getattr(numpy, name), name))
    ndarray.__module__ = "arrbackend"


_install()

from .api.ufuncs import ufunc_call as _ufunc_call  # noqa: E402
from .distributed.deferred import defer_call as _defer_call  # noqa: E402
from .api.protocol import compare as _compare, power as _power  # noqa: E402
from .dispatch.protocols import array_function as _array_function  # noqa: E402
from .dispatch.protocols import array_ufunc as _array_ufunc  # noqa: E402
from .distributed.indexing import getitem as _getitem, setitem as _setitem  # noqa: E402
from .distributed.indexing import Value as _Value, view_copy as _view_copy  # noqa: E402

_PLAIN_STORES = frozenset((_Store, _Held, _Pooled))     # (whole stores a lean reshape views)
from .dispatch import protocols as _protocols  # noqa: E402
from .api.standard import floordiv_operators as _floordiv_operators  # noqa: E402

# the Array API standard's values for // with infinities (NumPy's under enabled())
(ndarray.__floordiv__, ndarray.__rfloordiv__,
 ndarray.__ifloordiv__) = _floordiv_operators(ndarray.__floordiv__, ndarray.__rfloordiv__,
                                              ndarray.__ifloordiv__)
