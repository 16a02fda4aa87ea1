"""``arrbackend.ndarray``: a view onto a store.

An array is ``(store, index map)``.  Slicing, ``.T``, ``None`` and broadcasting compose
the map; nothing is copied, and writes through any view land in the store.  NumPy
reaches arrbackend through this class's ``__array_function__`` and ``__array_ufunc__``;
operators and methods call the same registered implementations.
"""
from __future__ import annotations

import operator

import numpy

from ._ndarray_methods import NdarrayMethods
from .dispatch.registry import lookup
from .distributed.localize import local_view, view_layout
from .distributed.view import IndexMap

__all__ = ["ndarray"]


def _call(npfunc, *args, **kwargs):
    """Call arrbackend's implementation of ``npfunc`` (or the fallback)."""
    impl = lookup(npfunc)
    if impl is None:
        if isinstance(npfunc, numpy.ufunc):
            return _ufunc_call(npfunc, args, kwargs)
        from .dispatch.fallback import call_numpy
        return call_numpy(npfunc, args, kwargs)
    return impl.func(*args, **kwargs)


def _forward(npfunc, name: str):
    def method(self, *args, **kwargs):
        return _call(npfunc, self, *args, **kwargs)

    method.__name__ = name
    method.__qualname__ = f"ndarray.{name}"
    method.__doc__ = f"Same as ``numpy.ndarray.{name}`` (see ``arrbackend.{npfunc.__name__}``)."
    return method


class ndarray(NdarrayMethods):
    """An N-dimensional array spread over the devices of a machine.

    Made by arrbackend's creation functions (or NumPy's under ``enabled()``), never by
    calling this class with a buffer.  Behaves as ``numpy.ndarray``; see the docs for the
    differences (reductions and integer indexing return 0-d arrays, not NumPy scalars).
    """

    __slots__ = ("_store", "_map", "_cache_layout", "_cache_local", "_readonly",
                 "__weakref__")
    __array_priority__ = 100.0
    __hash__ = None  # type: ignore[assignment]

    def __new__(cls, shape, dtype=float, buffer=None, offset=0, strides=None, order=None):
        if buffer is not None or strides is not None:
            raise NotImplementedError("arrbackend.ndarray(shape, dtype) makes an empty "
                                      "array; buffer= and strides= are not supported")
        from .api.creation import empty
        return empty(shape, dtype)

    # construction ---------------------------------------------------------------------
    @classmethod
    def _from_store(cls, store) -> "ndarray":
        self = object.__new__(cls)
        self._store = store
        self._map = IndexMap.identity(store.shape)
        self._cache_layout = None
        self._cache_local = None
        self._readonly = False
        return self

    @classmethod
    def _from_shards(cls, m, shape, dtype, layout, by_dev: dict) -> "ndarray":
        """A new array of the local shards ``{device index: array}`` laid out so."""
        from .distributed.store import Store
        shards = [None] * m.ndev
        for d, s in by_dev.items():
            shards[d] = s
        return cls._from_store(Store(m, tuple(shape), numpy.dtype(dtype), layout, shards))

    def _view(self, vmap: IndexMap) -> "ndarray":
        v = object.__new__(ndarray)
        v._store = self._store
        v._map = vmap
        v._cache_layout = None
        v._cache_local = None
        v._readonly = self._readonly      # a view of a read-only array is read-only
        return v

    def _with_store(self, store) -> "ndarray":
        v = object.__new__(ndarray)
        v._store = store
        v._map = self._map
        v._cache_layout = None
        v._cache_local = None
        v._readonly = self._readonly
        return v

    def _view_layout(self):
        lay = self._cache_layout
        if lay is None:
            lay = self._cache_layout = view_layout(self._store, self._map)
        return lay

    def _local(self):
        """The whole view as one local array (the view lies on one device)."""
        store = self._store
        lay = self._view_layout()
        d = lay.device if lay.is_single else store.machine.local[0]
        shard = store.shards[d]
        c = self._cache_local
        if c is not None and c[0] is shard:
            return c[1]
        arr = local_view(store, self._map, d)
        self._cache_local = (shard, arr)
        return arr

    # attributes -----------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self._map.shape

    @shape.setter
    def shape(self, value) -> None:
        new = self.reshape(value)
        if new._store is not self._store and new._store.base is not self._store.base:
            raise AttributeError("arrbackend: setting shape would need a copy; use reshape")
        self._store, self._map = new._store, new._map
        self._cache_layout = self._cache_local = None

    @property
    def dtype(self) -> numpy.dtype:
        return self._store.dtype

    @property
    def ndim(self) -> int:
        return len(self._map.shape)

    @property
    def size(self) -> int:
        return self._map.size

    @property
    def itemsize(self) -> int:
        return self._store.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self._store.dtype.itemsize

    @property
    def device(self):
        from .dispatch.devices import device_of
        return device_of(self)

    @property
    def machine(self):
        """The machine this array is spread over."""
        return self._store.machine

    @property
    def layout(self):
        """Where this view's elements live (a ``Layout`` over the view's own axes)."""
        return self._view_layout()

    @property
    def T(self) -> "ndarray":
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
        self.imag[...] = value

    @property
    def strides(self) -> tuple:
        """The strides of a C-contiguous array of this shape and dtype (the shards keep
        their own memory layout; this is the layout ``asnumpy`` returns)."""
        st, acc = [], self.itemsize
        for n in reversed(self.shape):
            st.append(acc)
            acc *= max(n, 1)
        return tuple(reversed(st))

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
        raise AttributeError("arrbackend arrays have no single data buffer; use "
                             "arrbackend.asnumpy(x) or x.__dlpack__() on one device")

    # NumPy protocols ------------------------------------------------------------------
    def __array_function__(self, func, types, args, kwargs):
        return _array_function(func, types, args, kwargs)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__":
            return _ufunc_call(ufunc, inputs, kwargs)
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
        return host

    def __array_namespace__(self, api_version=None):
        from .dispatch.array_api import namespace_for
        return namespace_for(api_version)

    # indexing -------------------------------------------------------------------------
    def __getitem__(self, key):
        if _indexing is None:
            _bind_indexing()
        return _indexing.getitem(self, key)

    def __setitem__(self, key, value) -> None:
        if _indexing is None:
            _bind_indexing()
        _indexing.setitem(self, key, value)

    def __len__(self) -> int:
        if not self._map.shape:
            raise TypeError("len() of unsized object")
        return self._map.shape[0]

    def __iter__(self):
        if not self._map.shape:
            raise TypeError("iteration over a 0-d array")
        for i in range(self._map.shape[0]):
            yield self[i]

    # conversions to Python ------------------------------------------------------------
    def _scalar_host(self):
        """The value for a conversion to a Python scalar: the gathered element, or for
        arrays of another size a data-free stand-in that makes NumPy raise its error."""
        if self.size != 1:
            return numpy.broadcast_to(numpy.zeros((), self.dtype), self.shape)
        from .distributed.hostio import gather
        from ._counters import count
        count("syncs")
        return gather(self, explicit=True)

    def __bool__(self) -> bool:
        return bool(self._scalar_host())

    def __float__(self) -> float:
        return float(self._real_scalar())

    def __int__(self) -> int:
        return int(self._real_scalar())

    def _real_scalar(self):
        """A 0-d complex array stands where NumPy gives a complex scalar, which converts
        to float or int with a ComplexWarning (a complex 0-d NumPy array would raise)."""
        v = self._scalar_host()
        if self.ndim == 0 and self.dtype.kind == "c":
            import warnings
            from .dispatch.fallback import user_stacklevel
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
            return self._single_local("__cuda_array_interface__").__cuda_array_interface__
        except BufferError as exc:
            raise AttributeError(str(exc)) from None

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
        if not self._store.machine.is_gpu and not local.flags.writeable:
            local = local.copy()
        return local.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        m = self._store.machine
        lay = self._view_layout()
        d = lay.device if lay.is_single else m.local[0]
        return (2, m.devices[d].id) if m.is_gpu else (1, 0)      # kDLCUDA / kDLCPU

    def to_device(self, device, /, *, stream=None):
        from .dispatch.devices import to_device
        return to_device(self, device, stream=stream)

    # shape and type methods -----------------------------------------------------------
    def reshape(self, *shape, order="C", copy=None):
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        return _call(numpy.reshape, self, shape, order=order, copy=copy)

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], int)):
            axes = axes[0]
        return _call(numpy.transpose, self, axes if axes != () else None)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        from .api.manipulation import astype
        return astype(self, dtype, casting=casting, copy=copy)

    def copy(self, order="C"):
        return _call(numpy.copy, self)

    def flatten(self, order="C"):
        return _call(numpy.ravel, self, order).copy()

    def fill(self, value) -> None:
        self[...] = value

    def view(self, dtype=None, type=None):
        if type is not None and type is not ndarray:
            raise NotImplementedError("arrbackend: view(type=...) is not supported")
        if dtype is None or numpy.dtype(dtype) == self.dtype:
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

    # operators ------------------------------------------------------------------------
    def __neg__(self):
        return _ufunc(numpy.negative, self)

    def __pos__(self):
        return _ufunc(numpy.positive, self)

    def __abs__(self):
        return _ufunc(numpy.absolute, self)

    def __invert__(self):
        return _ufunc(numpy.invert, self)

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

    def __eq__(self, other):  # type: ignore[override]
        if _defer(other):
            return NotImplemented
        return _ufunc(numpy.equal, self, other)

    def __ne__(self, other):  # type: ignore[override]
        if _defer(other):
            return NotImplemented
        return _ufunc(numpy.not_equal, self, other)


_indexing = None          # arrbackend.distributed.indexing (which imports this module)


def _bind_indexing() -> None:
    global _indexing
    from .distributed import indexing
    _indexing = indexing


def _defer(other) -> bool:
    """Whether a binary operator should return NotImplemented (NumPy's rule)."""
    t = type(other)
    return getattr(t, "__array_ufunc__", 0) is None


def _ufunc(uf, *args, **kwargs):
    return _ufunc_call(uf, args, kwargs)


def _make_binops():
    table = [("add", numpy.add), ("sub", numpy.subtract), ("mul", numpy.multiply),
             ("truediv", numpy.true_divide), ("floordiv", numpy.floor_divide),
             ("mod", numpy.remainder), ("pow", numpy.power), ("lshift", numpy.left_shift),
             ("rshift", numpy.right_shift), ("and", numpy.bitwise_and),
             ("or", numpy.bitwise_or), ("xor", numpy.bitwise_xor)]
    for name, uf in table:
        def fwd(self, other, _uf=uf):
            if _defer(other):
                return NotImplemented
            return _ufunc(_uf, self, other)

        def rev(self, other, _uf=uf):
            if _defer(other):
                return NotImplemented
            return _ufunc(_uf, other, self)

        def inplace(self, other, _uf=uf):
            _ufunc(_uf, self, other, out=(self,))
            return self

        for prefix, fn in (("", fwd), ("r", rev), ("i", inplace)):
            fn.__name__ = f"__{prefix}{name}__"
            setattr(ndarray, fn.__name__, fn)
    for name, uf in (("lt", numpy.less), ("le", numpy.less_equal), ("gt", numpy.greater),
                     ("ge", numpy.greater_equal)):
        def cmp(self, other, _uf=uf):
            if _defer(other):
                return NotImplemented
            return _ufunc(_uf, self, other)
        cmp.__name__ = f"__{name}__"
        setattr(ndarray, cmp.__name__, cmp)


def _make_forwarded_methods():
    names = ["sum", "prod", "mean", "var", "std", "min", "max", "argmin", "argmax", "any",
             "all", "cumsum", "cumprod", "round", "conj", "conjugate", "dot",
             "nonzero", "repeat", "searchsorted", "squeeze", "swapaxes", "take", "trace",
             "diagonal", "ravel", "argsort", "argpartition", "compress", "choose", "put"]
    for name in names:
        npfunc = getattr(numpy, name)
        setattr(ndarray, name, _forward(npfunc, name))


_make_binops()
_make_forwarded_methods()

from .api.ufuncs import ufunc_call as _ufunc_call  # noqa: E402  (needs the class above)
from .dispatch.protocols import array_function as _array_function  # noqa: E402
from .dispatch.protocols import array_ufunc as _array_ufunc  # noqa: E402
