"""Index maps: how a view's indices land in its store.

View axis k is either mapped to store axis ``a`` (view index i -> store index
``start + step * i``; ``step`` may be negative) or is a broadcast axis (``a == -1``: any
length, reads the same element).  Store axes that no view axis maps are *fixed* at one
index (integer indexing, or a length-1 axis that was broadcast).  Slicing, integer
indexing, ``None``, ``...``, transposition and broadcasting only compose maps: no data moves.
"""
from __future__ import annotations

import operator

from numpy.exceptions import AxisError

__all__ = ["IndexMap", "parse_basic_index", "view_range", "normalize_axis"]

_INDEX_ERROR = ("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) "
                "and integer or boolean arrays are valid indices")


class IndexMap:
    """(dims, fixed, shape): ``dims[k] = (store_axis, start, step)``, ``fixed[a]`` the
    index a store axis is fixed at (or -1), ``shape`` the view's shape."""

    __slots__ = ("dims", "fixed", "shape", "key", "ident", "_hash", "size", "has_broadcast")

    def __init__(self, dims: tuple, fixed: tuple, shape: tuple, ident: bool = False):
        self.dims = dims
        self.fixed = fixed
        self.shape = shape
        self.key = (dims, fixed, shape)     # what the map is (plans are keyed by it)
        self._hash = None
        self.ident = ident          # the identity map of its store (made by identity())
        self.has_broadcast = any(a < 0 for a, _s, _st in dims)
        n = 1
        for x in shape:
            n *= x
        self.size = n          # the whole store, as it is (known when built so)

    @staticmethod
    def identity(shape: tuple) -> "IndexMap":
        n = len(shape)
        key = shape
        m = _IDENTITY_CACHE.get(key)
        if m is None:
            m = IndexMap(tuple((a, 0, 1) for a in range(n)), (-1,) * n, shape, True)
            if len(_IDENTITY_CACHE) < 4096:
                _IDENTITY_CACHE[key] = m
        return m

    def __eq__(self, other) -> bool:
        return isinstance(other, IndexMap) and self.key == other.key

    def __hash__(self) -> int:
        h = self._hash
        if h is None:
            h = self._hash = hash(self.key)
        return h

    def is_identity_of(self, store_shape: tuple) -> bool:
        return self.shape == store_shape and all(
            a == k and s == 0 and st == 1 for k, (a, s, st) in enumerate(self.dims))

    def view_axis_of(self, store_axis: int) -> int:
        """The view axis mapping ``store_axis``, or -1 if that axis is fixed."""
        for k, (a, _, _) in enumerate(self.dims):
            if a == store_axis:
                return k
        return -1

    # composition ------------------------------------------------------------------
    def transpose(self, perm) -> "IndexMap":
        return IndexMap(tuple(self.dims[p] for p in perm), self.fixed,
                        tuple(self.shape[p] for p in perm))

    def broadcast_to(self, shape: tuple) -> "IndexMap":
        """The map of this view broadcast to ``shape`` (shapes already checked)."""
        extra = len(shape) - len(self.shape)
        dims = [(-1, 0, 0)] * extra
        fixed = list(self.fixed)
        for k, (a, s, st) in enumerate(self.dims):
            if self.shape[k] == 1 and shape[extra + k] != 1:
                if a >= 0:
                    fixed[a] = s
                dims.append((-1, 0, 0))
            else:
                dims.append((a, s, st))
        return IndexMap(tuple(dims), tuple(fixed), tuple(shape))

    def getitem(self, key: tuple) -> "IndexMap":
        """Apply a parsed basic index (items: int, (start, stop, step), None)."""
        dims, fixed, shape = [], list(self.fixed), []
        k = 0
        for item in key:
            if item is None:
                dims.append((-1, 0, 0))
                shape.append(1)
                continue
            a, s, st = self.dims[k]
            if isinstance(item, tuple):
                start, stop, step = item
                n = len(range(start, stop, step))
                if a >= 0:
                    dims.append((a, s + st * start, st * step))
                else:
                    dims.append((-1, 0, 0))
                shape.append(n)
            else:
                if a >= 0:
                    fixed[a] = s + st * item
            k += 1
        for j in range(k, len(self.dims)):
            dims.append(self.dims[j])
            shape.append(self.shape[j])
        return IndexMap(tuple(dims), tuple(fixed), tuple(shape))

    def store_box(self, box: tuple) -> list:
        """For a box of view ranges, the store indices it reads, per store axis, as
        ``(first, count, stride, reversed)`` with ``stride > 0`` (ascending)."""
        out = [None] * len(self.fixed)
        for a, f in enumerate(self.fixed):
            if f >= 0:
                out[a] = (f, 1, 1, False)
        for k, (a, s, st) in enumerate(self.dims):
            if a < 0:
                continue
            lo, hi = box[k]
            n = hi - lo
            if n <= 0:
                out[a] = (s, 0, abs(st) or 1, False)
            elif st > 0:
                out[a] = (s + st * lo, n, st, False)
            else:
                out[a] = (s + st * (hi - 1), n, -st, True)
        return out

    def __repr__(self) -> str:
        return f"IndexMap(dims={self.dims}, fixed={self.fixed}, shape={self.shape})"


_IDENTITY_CACHE: dict = {}


def view_range(start: int, step: int, n: int, lo: int, hi: int) -> tuple[int, int]:
    """The view indices i in [0, n) with ``lo <= start + step*i < hi`` (a range, as the
    map is monotone)."""
    if step > 0:
        i0 = -((start - lo) // step)          # ceil((lo - start) / step)
        i1 = -((start - hi) // step)
    else:
        m = -step
        i0 = (start - hi) // m + 1
        i1 = (start - lo) // m + 1
    i0 = min(max(i0, 0), n)
    i1 = min(max(i1, 0), n)
    return (i0, max(i0, i1))


def normalize_axis(axis, ndim: int, argname: str = "axis") -> int:
    try:
        ax = operator.index(axis)
    except TypeError:
        raise TypeError(f"'{type(axis).__name__}' object cannot be interpreted as an "
                        f"integer ({argname})") from None
    if not -ndim <= ax < ndim:
        raise AxisError(ax, ndim)
    return ax % ndim if ndim else 0


def normalize_axis_index(axis, ndim: int, argname: str = "axis") -> int:
    """``normalize_axis`` with NumPy's ``normalize_axis_index`` message for an axis that
    is not an integer (the functions written in Python in NumPy: ``moveaxis``,
    ``expand_dims``, ``put_along_axis``...)."""
    try:
        operator.index(axis)
    except TypeError:
        raise TypeError(f"integer argument expected, got {type(axis).__name__} "
                        f"({argname})") from None
    return normalize_axis(axis, ndim, argname)


def normalize_axis_tuple(axis, ndim: int, argname: str = "axis") -> tuple:
    """NumPy's ``normalize_axis_tuple``: an integer or a sequence of them (a float is
    iterated, as NumPy iterates it: "'float' object is not iterable"), no axis twice."""
    if type(axis) not in (tuple, list):
        try:
            axis = [operator.index(axis)]
        except TypeError:
            pass
    out = tuple(normalize_axis_index(a, ndim, argname) for a in axis)
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in `{argname}` argument")
    return out


def _is_int_like(item) -> bool:
    if isinstance(item, bool):
        return False
    try:
        operator.index(item)
        return True
    except TypeError:
        return False


def parse_basic_index(key, shape: tuple):
    """Split an index into its basic part and the rest.

    Returns ``(items, advanced)``: ``items`` is a list over the index positions in which
    ints are normalised, slices are ``(start, stop, step)`` triples and ``None`` stays;
    ``advanced`` is None for a purely basic index, else the list of positions holding
    arrays or booleans (left in ``items`` as they were).  The Ellipsis is expanded.
    """
    if not isinstance(key, tuple):
        key = (key,)
    n_ell = 0
    consumed = 0
    advanced = []
    for pos, item in enumerate(key):
        if item is Ellipsis:
            n_ell += 1
        elif item is None:
            pass
        elif isinstance(item, slice) or _is_int_like(item):
            consumed += 1
        elif isinstance(item, bool) or hasattr(item, "shape") or isinstance(item, (list,)):
            advanced.append(pos)
            nd = _bool_ndim(item)
            consumed += nd if nd is not None else 1
        else:
            raise IndexError(_INDEX_ERROR)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > len(shape):
        raise IndexError(f"too many indices for array: array is {len(shape)}-dimensional, "
                         f"but {consumed} were indexed")
    items = []
    axis = 0
    adv_positions = []
    for item in key:
        if item is Ellipsis:
            fill = len(shape) - consumed
            for _ in range(fill):
                items.append((0, shape[axis], 1))
                axis += 1
            continue
        if item is None:
            items.append(None)
            continue
        if isinstance(item, slice):
            items.append(item.indices(shape[axis]))
            axis += 1
        elif _is_int_like(item) and not (hasattr(item, "shape") and _is_array_obj(item)):
            i = operator.index(item)
            n = shape[axis]
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
            items.append(i % n if n else i)
            axis += 1
        else:
            adv_positions.append(len(items))
            items.append(item)
            nd = _bool_ndim(item)
            axis += nd if nd is not None else 1
    while axis < len(shape):
        items.append((0, shape[axis], 1))
        axis += 1
    return items, (adv_positions or None)


def _is_array_obj(item) -> bool:
    # arrays (ours, NumPy's, CuPy's) of integer dtype with ndim > 0 are advanced indices
    return getattr(item, "ndim", 0) > 0


def _bool_ndim(item):
    """Axes a boolean index consumes (its ndim), or None if it is not boolean."""
    if isinstance(item, bool):
        return 0
    dt = getattr(item, "dtype", None)
    if dt is not None and dt.kind == "b":
        return item.ndim
    if isinstance(item, list):
        import numpy
        arr = numpy.asarray(item)
        if arr.dtype.kind == "b":
            return arr.ndim
    return None


def separated_advanced(key) -> bool:
    """Whether the key's advanced items (arrays, and ints beside them) are apart in the
    key itself: NumPy then puts the broadcast axes first, even where what separates them
    indexes no axis (an Ellipsis standing for none)."""
    raw = key if isinstance(key, tuple) else (key,)
    adv = [i for i, k in enumerate(raw)
           if hasattr(k, "shape") or (_is_int_like(k) and k is not None)]
    return len(adv) > 1 and adv[-1] - adv[0] + 1 != len(adv)
