"""``x[key]`` and ``x[key] = value``.

Basic indices (ints, slices with any step, ``None``, ``...``) only compose the index map.
A boolean mask selects on each device from the rows that device holds: the result keeps
each device's selected rows where they are (an uneven block layout), so nothing moves but
the per-device counts.  Assignment through a mask writes each device's rows from the
matching rows of the value.  Integer-array (fancy) indices are handled by
``arrbackend.distributed.fancy``.
"""
from __future__ import annotations

import warnings

import numpy

from .. import _fperrors
from .layout import Layout, even_ranges
from .localize import Exchange, device_boxes
from .store import Store, Value, before_write  # noqa: F401  (Value: imported from here too)
from .elementwise import assign
from .view import parse_basic_index, separated_advanced
from .array import derived_map, ndarray

__all__ = ["getitem", "setitem", "basic_view", "assigned_scalar", "Value", "element_value",
           "view_copy"]


def _basic_fast(key):
    """Whether ``key`` is certainly a basic index (the common cases, checked quickly)."""
    t = type(key)
    if t is int or t is slice or key is None or key is Ellipsis:
        return True
    if t is tuple:
        for k in key:
            tk = type(k)
            if not (tk is int or tk is slice or k is None or k is Ellipsis):
                return False
        return True
    return False


def basic_view(x, key):
    """The view ``x[key]`` for a basic key, also where NumPy's ``x[key]`` would give an
    element's value (the engine's own views: ``squeeze`` of a (1, 1) array)."""
    return x._view(derived_map(x._map, key))


_basic_view = basic_view


def _is_element(key, ndim: int) -> bool:
    """Whether a basic key picks one element (an int per axis): NumPy gives a value, not
    a view."""
    if type(key) is not tuple:
        return ndim == 1 and type(key) is int
    return len(key) == ndim and all(type(k) is int for k in key)


def element_value(v):
    """A copy of the one-element 0-d view ``v``, on the device(s) holding it (nothing
    moves; a pending store is computed first)."""
    return view_copy(v, Value)


def view_copy(v, store_type=Store):
    """A copy of the view ``v`` as a new array laid out as the view (nothing moves; a
    pending store is computed first)."""
    from .derived import view_parts
    lay, parts = view_parts(v)
    m = v._store.machine
    shards = [None] * m.ndev
    for d, _box, loc in parts:
        with m.devices[d].activate():
            shards[d] = loc.copy()
    st = store_type.__new__(store_type)
    Store.__init__(st, m, tuple(v.shape), v.dtype, lay, shards)
    return ndarray._from_store(st)


def getitem(x, key):
    if _basic_fast(key):
        v = _basic_view(x, key)
        if _is_element(key, x.ndim):
            return element_value(v)
        # a 0-d stand-in for NumPy's scalar gives new arrays, as the scalar does
        return view_copy(v) if x._store.scalar and x.ndim == 0 else v
    key = _convert_key(x, key)
    items, adv = parse_basic_index(key, x.shape)
    if adv is None:
        v = x._view(x._map.getitem(items))
        if len(items) == x.ndim and all(type(i) is int for i in items):
            return element_value(v)
        # a 0-d index array makes the indexing advanced in NumPy: a copy, not a view
        return v.copy() if any(isinstance(k, (ndarray, numpy.ndarray)) for k in key) else v
    sel = _mask_selection(x, items, adv, key)
    if sel is not None:
        return _bool_get(*sel)
    from . import fancy
    return fancy.getitem(x, key)


def setitem(x, key, value) -> None:
    if x._readonly:
        raise ValueError("assignment destination is read-only")
    if _one_element(key, x.ndim) and _sequence_value(value):
        # NumPy's errors for one element given a sequence (they differ by dtype), asked
        # of a one-element stand-in; a bool element takes a one-element sequence
        numpy.zeros(1, x.dtype)[0] = numpy.zeros(value.shape, value.dtype) \
            if isinstance(value, ndarray) else value
    if _basic_fast(key):
        target = _basic_view(x, key)
        assign(target, _value_for(target, value, basic=True))
        return
    given = key
    key = _convert_key(x, key)
    items, adv = parse_basic_index(key, x.shape)
    if adv is None:
        target = x._view(x._map.getitem(items))
        assign(target, _value_for(target, value, basic=True))
        return
    sel = _mask_selection(x, items, adv, key)
    if sel is not None:
        value = _fancy_value(x, given, value)
        # one boolean array of the array's shape: NumPy's own path, with its rules for
        # the value (0-d or 1-d only)
        whole = len(key) == 1 and isinstance(key[0], ndarray) and key[0].ndim == x.ndim
        if whole and isinstance(value, ndarray) and value.ndim > 1:
            raise TypeError(f"NumPy boolean array indexing assignment requires a 0 or "
                            f"1-dimensional input, input has {value.ndim} dimensions")
        _bool_set(*sel, value=value, whole=whole)
        return
    from . import fancy
    fancy.setitem(x, key, _fancy_value(x, given, value))


def _fancy_value(x, key, value):
    """The value of a fancy or mask assignment; where it cannot be converted, NumPy's
    error, which may be the index's (NumPy prepares the index, a boolean array's shape
    checked, before it converts the value; its bounds after): the assignment asked of a
    stand-in of ``x``'s shape whose elements are all one (a zero-stride view)."""
    try:
        return _value_for(x, value)
    except (TypeError, ValueError, OverflowError):
        if x.dtype.kind in "biufc":
            from numpy.lib.stride_tricks import as_strided
            from .hostio import gather
            stand = as_strided(numpy.zeros(1, x.dtype), x.shape, (0,) * x.ndim)
            k = tuple(gather(i, explicit=True) if isinstance(i, ndarray) else i
                      for i in (key if type(key) is tuple else (key,)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stand[k] = gather(value, explicit=True) if isinstance(value, ndarray) \
                    else value
        raise


def _one_element(key, ndim: int) -> bool:
    """Whether ``key`` picks one element by integers alone (NumPy's item assignment)."""
    if type(key) is not tuple:
        key = (key,)
    return len(key) == ndim and all(
        isinstance(k, (int, numpy.integer)) and not isinstance(k, (bool, numpy.bool_))
        for k in key)


def _sequence_value(value) -> bool:
    if isinstance(value, (bool, int, float, complex, numpy.generic)):
        return False
    if isinstance(value, (ndarray, numpy.ndarray)):
        return value.ndim > 0
    return isinstance(value, (list, tuple))


def assigned_scalar(value, dtype):
    """``value`` as NumPy stores it into one element of a ``dtype`` array (``a[i] = v``,
    ``a[...] = v`` with basic indices): computed by NumPy itself on a 0-d array, so
    Python ints out of range and NaN into integers raise, a NumPy scalar out of range
    raises OverflowError, complex into real raises (a Python complex) or warns."""
    cell = numpy.empty((), dtype)
    token = _fperrors.enter()          # NumPy's warnings of the cast at the user's line
    try:
        cell[()] = value
    finally:
        _fperrors.leave(token)
    return cell[()]


def _value_for(target, value, basic: bool = False):
    """A value to assign: arrbackend arrays stay; scalars are converted to the target's
    dtype as NumPy's item assignment does (``basic``: a basic index, NumPy's rules for
    one element; else NumPy's conversion); anything else becomes an arrbackend array."""
    if isinstance(value, ndarray):
        if value._store.machine is not target._store.machine:
            raise ValueError("setitem: the value is on different devices "
                             f"({value._store.machine.spec!r}) than the array "
                             f"({target._store.machine.spec!r})")
        if basic and value.ndim == 0 and value.dtype.kind in "fc" and \
                target.dtype.kind in "iu":
            # a 0-d array stands for NumPy's scalar: NumPy's rules for a scalar under a
            # basic index (NaN or an infinity into integers raise; fancy and mask
            # assignment cast it as an array), read on the host
            from .hostio import gather
            return assigned_scalar(gather(value, explicit=True)[()], target.dtype)
        return value
    if isinstance(value, (bool, int, float, complex, numpy.generic)):
        if basic:
            return assigned_scalar(value, target.dtype)
        return numpy.asarray(value, dtype=target.dtype)[()]
    arr = numpy.asarray(value)
    if arr.ndim == 0:
        return numpy.asarray(arr, dtype=target.dtype)[()]
    if arr.dtype.kind in "OUSVMm" and target.dtype.kind not in "OUSVMm":
        arr = numpy.asarray(value, dtype=target.dtype)
    from ..api.creation import asarray_on
    return asarray_on(arr, target._store.machine)


def _convert_key(x, key):
    """Lists and NumPy arrays in an index become arrbackend arrays (booleans and ints)."""
    from ..api.creation import asarray_on
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, list) or (isinstance(k, numpy.ndarray) and k.ndim > 0):
            arr = numpy.asarray(k)
            if arr.dtype.kind not in "biu":
                if arr.size == 0:
                    arr = arr.astype(numpy.intp)
                else:
                    raise IndexError("arrays used as indices must be of integer (or "
                                     "boolean) type")
            out.append(asarray_on(arr, x._store.machine))
        elif isinstance(k, ndarray) and k.ndim > 0 and k.dtype.kind not in "biu":
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
        elif isinstance(k, ndarray) and k._store.machine is not x._store.machine:
            raise ValueError(f"index: arrays on different devices "
                             f"({x._store.machine.spec!r} and {k._store.machine.spec!r}); "
                             f"move one with arrbackend.asarray(x, device=...)")
        else:
            out.append(k)
    return tuple(out)


def _mask_selection(x, items, adv, key):
    """For an index made of basic items and one boolean array: the basic view, the
    position of the masked axes in it, the mask, and whether the selected axis moves to
    the front (NumPy's rule for separated advanced indices).  None otherwise."""
    if len(adv) != 1:
        return None
    p = adv[0]
    mask = items[p]
    if not isinstance(mask, ndarray) or mask.dtype != numpy.bool_:
        if isinstance(mask, (bool, numpy.bool_)):
            from ..api.creation import asarray_on
            mask = asarray_on(numpy.asarray(bool(mask)), x._store.machine)
        else:
            return None
    k = mask.ndim
    # axes of x consumed before the mask: slices and ints among items[:p]
    consumed = sum(1 for it in items[:p] if it is not None)
    # an empty boolean axis selects nothing from an axis of any length (NumPy)
    full = [(0, 0 if mask.shape[j] == 0 else x.shape[consumed + j], 1) for j in range(k)]
    basic = list(items[:p]) + full + list(items[p + 1:])
    view = x._view(x._map.getitem(basic))
    q = sum(1 for it in items[:p] if it is None or isinstance(it, tuple))
    for j in range(k):
        n, mn = view.shape[q + j], mask.shape[j]
        if n != mn:
            raise IndexError(f"boolean index did not match indexed array along axis "
                             f"{consumed + j}; size of axis is {n} but size of "
                             f"corresponding boolean axis is {mn}")
    advpos = [i for i, it in enumerate(items) if i == p or isinstance(it, int)]
    to_front = advpos[-1] - advpos[0] + 1 != len(advpos) or separated_advanced(key)
    return view, q, mask, to_front


def _counts(m, local_counts: dict) -> list:
    """The selected-element count of every device (all processes agree)."""
    if m.nranks == 1:
        return [local_counts.get(d, 0) for d in range(m.ndev)]
    merged: dict = {}
    for part in m.comm.allgather_obj(local_counts):
        merged.update(part)
    return [merged.get(d, 0) for d in range(m.ndev)]


def _prepare(view, q, mask):
    """Per device: the view's piece, the mask's piece, and the layout facts."""
    m = view._store.machine
    k = mask.ndim
    lay = view._view_layout()
    if lay.is_block and q < lay.axis < q + k:
        # split inside the mask but not on its first axis: re-cut along the first one
        from .elementwise import relayout
        view = relayout(view, Layout.block(q, even_ranges(view.shape[q], m.ndev)))
        lay = view._view_layout()
    boxes = device_boxes(lay, view.shape, m.ndev)
    ex = Exchange(m)
    pieces = {}
    for d, box in enumerate(boxes):
        if box is None:
            continue
        v = ex.localize(view._store, view._map, box, d)
        mk = ex.localize(mask._store, mask._map, box[q:q + k], d)
        if m.is_local(d):
            pieces[d] = (v, mk, box)
    ex.run()
    split_in_mask = lay.is_block and q <= lay.axis < q + k
    return view, lay, boxes, pieces, split_in_mask


def _bool_get(view, q, mask, to_front):
    m = view._store.machine
    k = mask.ndim
    view, lay, boxes, pieces, split_in_mask = _prepare(view, q, mask)
    shards = [None] * m.ndev
    local_counts = {}
    pre = (slice(None),) * q
    for d, (v, mk, box) in pieces.items():
        dev = m.devices[d]
        with dev.activate():
            sel = v[pre + (mk,)]
        shards[d] = sel
        local_counts[d] = int(sel.shape[q])
    counts = _counts(m, local_counts)
    outer = view.shape[:q]
    inner = view.shape[q + k:]
    if split_in_mask:
        order = sorted(range(m.ndev), key=lambda e: lay.ranges[e][0])
        ranges = [None] * m.ndev
        pos = 0
        for e in order:
            ranges[e] = (pos, pos + counts[e])
            pos += counts[e]
        total = pos
        rlay = Layout.block(q, ranges)
    else:
        held = [d for d in range(m.ndev) if boxes[d] is not None]
        total = counts[held[0]] if held else 0
        if lay.is_block:
            ax = lay.axis if lay.axis < q else lay.axis - k + 1
            rlay = Layout.block(ax, lay.ranges)
        else:
            rlay = lay
    shape = outer + (total,) + inner
    r = ndarray._from_store(Store(m, shape, view.dtype, rlay, shards))
    if to_front and q != 0:
        r = numpy.moveaxis(r, q, 0)
    return r


def _bool_set(view, q, mask, to_front, value, whole=False) -> None:
    from .elementwise import aliases, fit_value
    m = view._store.machine
    k = mask.ndim
    target = view
    view, lay, boxes, pieces, split_in_mask = _prepare(view, q, mask)
    if view is not target:
        # the view was re-cut along the mask's first axis: assign there, then copy back
        from .elementwise import assign
        _bool_set(view, q, mask, to_front, value, whole)
        assign(target, view)
        return
    before_write(view._store)
    local_counts = {}
    for d, (v, mk, box) in pieces.items():
        dev = m.devices[d]
        with dev.activate():
            local_counts[d] = int(mk.sum())
    counts = _counts(m, local_counts)
    outer, inner = view.shape[:q], view.shape[q + k:]
    if split_in_mask:
        order = sorted(range(m.ndev), key=lambda e: lay.ranges[e][0])
        starts, pos = [0] * m.ndev, 0
        for e in order:
            starts[e] = pos
            pos += counts[e]
        total = pos
    else:
        held = [d for d in range(m.ndev) if boxes[d] is not None]
        total = counts[held[0]] if held else 0
        starts = [0] * m.ndev
    rshape = outer + (total,) + inner
    if to_front and q != 0:
        rshape = (total,) + outer + inner
    if isinstance(value, ndarray):
        vshape = value.shape
        if whole and vshape not in ((), (1,), rshape):
            raise ValueError(f"NumPy boolean array indexing assignment cannot assign "
                             f"{vshape[0]} input values to the {rshape[0]} output "
                             f"values where the mask is true")
        value = fit_value(value, vshape, rshape, indexed=True)
        if 0 in rshape:
            return                      # (nothing selected: nothing to write)
        if to_front and q != 0:
            value = numpy.moveaxis(numpy.broadcast_to(value, rshape), 0, q)
            rshape = outer + (total,) + inner
        vmap = value._map if value.shape == rshape else value._map.broadcast_to(rshape)
        copy = aliases(value, target)
        ex = Exchange(m)
        vals = {}
        for d, box in enumerate(boxes):
            if box is None:
                continue
            sel_len = counts[d] if split_in_mask else total
            vbox = box[:q] + ((starts[d], starts[d] + sel_len),) + box[q + k:]
            loc = ex.localize(value._store, vmap, vbox, d, copy=copy)
            if m.is_local(d):
                vals[d] = loc
        ex.run()
    if 0 in rshape:
        return                          # (nothing selected: nothing to write)
    pre = (slice(None),) * q
    for d, (v, mk, box) in pieces.items():
        dev = m.devices[d]
        with dev.activate():
            if isinstance(value, ndarray):
                lv = vals[d]
                if lv.dtype != v.dtype:
                    lv = lv.astype(v.dtype)
                v[pre + (mk,)] = lv
            else:
                v[pre + (mk,)] = value
