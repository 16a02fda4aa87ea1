"""The array's data: ``arrbackend.ndarray`` is a view onto a store.

An array is ``(store, index map)``.  Slicing, ``.T``, ``None`` and broadcasting compose
the map; nothing is copied, and writes through any view land in the store.

Two caches make the common case cheap:

* the map of a view made by basic indexing is worked out only when something asks for it
  (``_src`` holds the parent and the key until then);
* ``_loc`` is the view's local array (a ``numpy.ndarray`` or a ``cupy.ndarray`` over the
  shard's memory) when the whole view lies on one device of this process and its values
  are computed, and ``_dev`` that device: an operation whose operands all have it runs
  the device library directly on those arrays.

This module holds the data and what the engine needs of it.  The NumPy-facing behaviour
(operators, methods, the NumPy protocols) is installed on the class by
``arrbackend._ndarray``, above the engine and the API.
"""
from __future__ import annotations

import sys

import numpy

from .localize import local_view, view_layout
from .store import Held, Pooled, POOL_MIN_BYTES
from .view import IndexMap, parse_basic_index

__all__ = ["ndarray", "new_array", "lean_array", "REVERSED_AXES"]

_new = object.__new__


class ndarray:
    """An N-dimensional array spread over the devices of a machine.

    Made by arrbackend's creation functions (or NumPy's under ``enabled()``).  Behaves as
    ``numpy.ndarray``; see the docs for the differences (reductions and integer indexing
    return 0-d arrays, not NumPy scalars).
    """

    # (``_loc`` first: a dying array lets go of its local array before its store, so
    # that the store, dying with it, finds the array referred to by nobody else:
    # ``store.Pooled``)
    __slots__ = ("_loc", "_store", "_mp", "_src", "_dev", "_readonly", "_cache_layout",
                 "__weakref__")
    __array_priority__ = 100.0
    __hash__ = None  # type: ignore[assignment]

    # construction ---------------------------------------------------------------------
    @classmethod
    def _from_store(cls, store) -> "ndarray":
        """The whole of a store (its local array cached when it lies on one local device)."""
        self = _new(cls)
        self._store = store
        self._mp = None
        self._src = None
        self._readonly = False
        self._cache_layout = None
        lay = store.layout
        if lay.kind == "single" and not store.pending:
            d = lay.device
            self._loc = store.shards[d]
            self._dev = store.machine.devices[d] if self._loc is not None else None
        else:
            self._loc = self._dev = None
        return self

    @classmethod
    def _from_shards(cls, m, shape, dtype, layout, by_dev: dict) -> "ndarray":
        """A new array of the local shards ``{device index: array}`` laid out so."""
        from .store import Store
        shards = [None] * m.ndev
        for d, s in by_dev.items():
            shards[d] = s
        return cls._from_store(Store(m, tuple(shape), numpy.dtype(dtype), layout, shards))

    def _view(self, vmap: IndexMap) -> "ndarray":
        v = _new(ndarray)
        v._store = self._store
        v._mp = vmap
        v._src = None
        v._loc = v._dev = None
        v._cache_layout = None
        v._readonly = self._readonly      # a view of a read-only array is read-only
        return v

    def _with_store(self, store) -> "ndarray":
        v = self._view(self._map)
        v._store = store
        return v

    def _rebind(self, other: "ndarray") -> None:
        """Make this array the same view as ``other`` (shape assignment, resize)."""
        self._store, self._mp, self._src = other._store, other._map, None
        self._loc = self._dev = self._cache_layout = None

    # the index map, worked out on first use ---------------------------------------------
    @property
    def _map(self) -> IndexMap:
        m = self._mp
        if m is None:
            src = self._src
            if src is None:
                m = IndexMap.identity(self._store.shape)
            else:
                parent, key = src
                m = derived_map(parent._map, key)
                self._src = None
            self._mp = m
        return m

    def _view_layout(self):
        lay = self._cache_layout
        if lay is None:
            lay = self._cache_layout = view_layout(self._store, self._map)
        return lay

    def _local(self):
        """The whole view as one local array (the view lies on one device)."""
        loc = self._loc
        if loc is not None:
            return loc
        store = self._store
        lay = self._view_layout()
        d = lay.device if lay.is_single else store.machine.local[0]
        loc = local_view(store, self._map, d)
        if lay.is_single and not store.pending:
            self._loc = loc
            self._dev = store.machine.devices[d]
        return loc

    # attributes -----------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        loc = self._loc
        return loc.shape if loc is not None else self._map.shape

    @property
    def dtype(self) -> numpy.dtype:
        return self._store.dtype

    @property
    def ndim(self) -> int:
        loc = self._loc
        return loc.ndim if loc is not None else len(self._map.shape)

    @property
    def size(self) -> int:
        loc = self._loc
        return loc.size if loc is not None else self._map.size

    @property
    def itemsize(self) -> int:
        return self._store.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self._store.dtype.itemsize

    @property
    def machine(self):
        """The machine this array is spread over."""
        return self._store.machine

    @property
    def layout(self):
        """Where this view's elements live (a ``Layout`` over the view's own axes)."""
        return self._view_layout()


new_array = ndarray._from_store


def lean_array(r, machine, device) -> ndarray:
    """A new array holding the new local array ``r`` (its own memory, nothing else refers
    to it) as the whole store of ``device``, a lean device (a large block: a pooled
    store, see ``store.Pooled``)."""
    st = Pooled() if r.nbytes >= POOL_MIN_BYTES and r.base is None and \
        r.flags.c_contiguous else Held()
    st.machine = machine
    st.shape = r.shape
    st.dtype = r.dtype
    st.layout = device.single
    if machine.ndev == 1:
        st.shards = [r]
    else:
        st.shards = [None] * machine.ndev
        st.shards[device.index] = r
    st._base = st._readers = None
    x = _new(ndarray)
    x._store = st
    x._mp = x._src = x._cache_layout = None
    x._loc = r
    x._dev = device
    x._readonly = False
    return x


_VIEWS: dict = {}     # (parent map, its ident, basic key) -> child map (maps are immutable)


def _hashable(key):
    """A basic key as a hashable value (slices are not hashable before Python 3.12)."""
    if type(key) is tuple:
        return tuple(("s", k.start, k.stop, k.step) if type(k) is slice else k for k in key)
    return ("s", key.start, key.stop, key.step) if type(key) is slice else key


if sys.version_info < (3, 12):
    _as_key = _hashable
else:
    def _as_key(key):
        return key


class _Reversed:
    """The key of ``parent.T`` for ``derived_map`` (the axes reversed)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REVERSED_AXES"


REVERSED_AXES = _Reversed()


def derived_map(pmap: IndexMap, key) -> IndexMap:
    """The map of ``parent[key]`` for a basic key, or of ``parent.T`` for the key
    ``REVERSED_AXES`` (cached: maps are immutable; a key that selects everything gives
    the parent's map itself)."""
    if key is REVERSED_AXES:
        return pmap.transpose(tuple(range(len(pmap.shape) - 1, -1, -1)))
    try:
        hk = (pmap, pmap.ident, _as_key(key))   # (an identity map and an equal view
        # map of a larger store are equal maps: the child keeps its parent's identity)
        vmap = _VIEWS.get(hk)
    except TypeError:             # a slice bound that is an array: not cached
        hk = vmap = None
    if vmap is None:
        items, _adv = parse_basic_index(key, pmap.shape)
        vmap = pmap.getitem(items)
        if vmap.key == pmap.key:
            vmap = pmap
        if hk is not None:
            if len(_VIEWS) > 8192:
                _VIEWS.clear()
            _VIEWS[hk] = vmap
    return vmap
