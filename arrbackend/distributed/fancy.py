"""Integer-array ("fancy") indexing: ``x[idx]``, ``x[i, j]``, ``x[:, idx]``, ``x[idx] = v``.

The key is split into a basic view (slices, ``None``) and the advanced entries (integer
arrays, and the integers and boolean arrays that come with them, booleans turned into
their ``nonzero`` indices).  The advanced axes are moved to the front of the view, which
leaves one primitive: ``gather(w, idxs)`` reading ``w[idxs[0], ..., idxs[k-1], ...]`` and
``scatter`` writing it.  NumPy's placement rule (advanced indices next to each other keep
their place, else they go first) is a transpose of the result (a view).

Where the data lives decides how the primitive runs:

* the view is split along an axis that is *not* indexed (or lies on one device): each
  device indexes the rows it holds with the whole index arrays; nothing of ``w`` moves;
* the view is split along an indexed axis: a distributed gather.  Each device holding a
  block of the index arrays works out which device owns each requested row, sends the
  requests in one grouped exchange (counts first, by an allgather), the owners read their
  rows with the library's own fancy indexing and send them back in a second exchange, and
  the requester puts them in place.  ``scatter`` is the same with the values travelling
  with the requests.

Indices are checked (``IndexError`` with NumPy's text) and negative ones wrapped with the
elementwise and reduction engines.  With repeated indices in an assignment the last one in
C order wins when the index arrays are on one device or split along their first axis.
"""
from __future__ import annotations

import math

import numpy

from .layout import Layout, default_layout
from .localize import Exchange, device_boxes
from .comm import Transfer
from .store import alloc_local, before_write
from .view import parse_basic_index, separated_advanced
from .array import ndarray

__all__ = ["getitem", "setitem", "gather", "scatter", "normalize_index"]


class _Unsupported(Exception):
    pass


# ---------------------------------------------------------------------------------------
# the key

def _prepare(x, key, bounds: bool = True):
    """(w, idxs, k, B, front, p0): ``w`` the view with the k advanced axes first, the
    index entries (ints or arrbackend int arrays, checked and wrapped), their broadcast
    shape B, and where the B axes go in NumPy's result (``front`` or at ``p0``)."""
    items, _adv = parse_basic_index(key, x.shape)
    entries = []          # (kind, value, original axis)
    axis = 0
    for it in items:
        if it is None:
            entries.append(("new", None, -1))
        elif isinstance(it, tuple):
            entries.append(("slice", it, axis))
            axis += 1
        elif isinstance(it, (bool, numpy.bool_)):     # (before int: bool is an int)
            raise _Unsupported
        elif isinstance(it, int):
            entries.append(("adv", it, axis))
            axis += 1
        elif isinstance(it, ndarray) and it.dtype == numpy.bool_:
            if it.ndim == 0:
                raise _Unsupported
            for j in range(it.ndim):
                n, mn = x.shape[axis + j], it.shape[j]
                if n != mn and mn != 0:       # an empty mask axis matches any (NumPy)
                    raise IndexError(f"boolean index did not match indexed array along axis "
                                     f"{axis + j}; size of axis is {n} but size of "
                                     f"corresponding boolean axis is {mn}")
            for j, nz in enumerate(it.nonzero()):
                entries.append(("adv", nz, axis + j))
            axis += it.ndim
        elif isinstance(it, ndarray):
            if it.dtype.kind not in "iu":
                raise IndexError("arrays used as indices must be of integer (or boolean) "
                                 "type")
            entries.append(("adv", it, axis))
            axis += 1
        else:
            raise _Unsupported
    v_items = []
    for kind, val, ax in entries:
        if kind == "new":
            v_items.append(None)
        elif kind == "slice":
            v_items.append(val)
        else:
            v_items.append((0, x.shape[ax], 1))
    v = x._view(x._map.getitem(v_items))
    adv_pos = [p for p, e in enumerate(entries) if e[0] == "adv"]
    rest_pos = [p for p in range(len(entries)) if p not in adv_pos]
    from .elementwise import broadcast_shapes
    shapes = [entries[p][1].shape for p in adv_pos if isinstance(entries[p][1], ndarray)]
    try:
        B = broadcast_shapes(shapes or [()])
    except ValueError:
        txt = " ".join(str(tuple(s)) for s in shapes)
        raise IndexError(f"shape mismatch: indexing arrays could not be broadcast together "
                         f"with shapes {txt}") from None
    idxs = [(entries[p][1], x.shape[entries[p][2]], entries[p][2]) for p in adv_pos]
    if bounds:
        idxs = _bounded(idxs, B)
    w = v.transpose(adv_pos + rest_pos)
    p0 = adv_pos[0]
    front = adv_pos != list(range(p0, p0 + len(adv_pos))) or separated_advanced(key)
    return w, idxs, len(adv_pos), tuple(B), front, p0


def _bounded(idxs, B) -> list:
    """The index arrays ``(array, axis length, axis)`` checked against their axes, negative
    entries wrapped (NumPy's IndexError for one out of bounds)."""
    out = []
    for val, n, ax in idxs:
        if isinstance(val, ndarray):
            if 0 in B:                  # (no element selected: NumPy checks no bounds)
                val = val.astype(numpy.intp) if val.dtype != numpy.intp else val
            else:
                val = normalize_index(val, n, ax)
        out.append(val)
    return out



def normalize_index(i, n: int, axis: int):
    """``i`` (an integer arrbackend array) checked against an axis of length ``n`` and
    with negative entries wrapped (NumPy's IndexError otherwise)."""
    from ..distributed import reductions as R
    if i.dtype.kind == "u" or i.dtype != numpy.intp:
        if i.dtype.kind == "u" and i.size and int(R.reduce(i, "max")) > numpy.iinfo(
                numpy.intp).max:
            raise IndexError("index out of bounds")
        i = i.astype(numpy.intp)
    if i.size == 0:
        return i
    lo = int(R.reduce(i, "min"))
    hi = int(R.reduce(i, "max"))
    if hi >= n or lo < -n:
        bad = numpy.logical_or(numpy.greater_equal(i, n), numpy.less(i, -n))
        pos = int(R.arg_reduce(bad.ravel(), "max"))
        val = int(i.ravel()[pos])
        raise IndexError(f"index {val} is out of bounds for axis {axis} with size {n}")
    if lo < 0:
        i = numpy.where(numpy.less(i, 0), numpy.add(i, n), i)
    return i


def _placed(r, nb: int, front: bool, p0: int):
    """The gathered result (B axes first) with the B axes where NumPy puts them."""
    if front or p0 == 0:
        return r
    nd = r.ndim
    perm = list(range(nb, nb + p0)) + list(range(nb)) + list(range(nb + p0, nd))
    return r.transpose(perm)


def _unplaced(v, nb: int, front: bool, p0: int):
    """The inverse of ``_placed`` (a value in NumPy's result order to B-first order)."""
    if front or p0 == 0:
        return v
    nd = v.ndim
    perm = list(range(p0, p0 + nb)) + list(range(p0)) + list(range(p0 + nb, nd))
    return v.transpose(perm)


def getitem(x, key):
    try:
        w, idxs, k, B, front, p0 = _prepare(x, key)
    except _Unsupported:
        return _fallback_get(x, key)
    return _placed(gather(w, idxs, k, B), len(B), front, p0)


def setitem(x, key, value, op=None) -> None:
    """``x[key] = value``; with ``op`` (a ufunc), ``op.at(x, key, value)``: each indexed
    element becomes ``op(element, value)``, once per occurrence of its index."""
    try:
        w, idxs, k, B, front, p0 = _prepare(x, key, bounds=False)
    except _Unsupported:
        if op is not None:
            raise
        _fallback_set(x, key, value)
        return
    rshape_np = w.shape[k:]
    nb = len(B)
    full = B + tuple(rshape_np)
    if not front and p0:
        rest = tuple(rshape_np)
        numpy_shape = rest[:p0] + B + rest[p0:]
    else:
        numpy_shape = full
    if isinstance(value, ndarray):
        from .elementwise import broadcast_shapes, fit_value
        if op is None:          # assignment: extra leading length-1 axes are dropped
            value = fit_value(value, value.shape, numpy_shape, indexed=True)
        else:                   # ufunc.at: the value broadcasts as it is
            try:
                ok = broadcast_shapes([value.shape, numpy_shape]) == numpy_shape
            except ValueError:
                ok = False
            if not ok:
                raise ValueError("array is not broadcastable to correct shape")
        value = _unplaced(value._view(value._map.broadcast_to(numpy_shape))
                          if value.shape != numpy_shape else value, nb, front, p0)
    # (the bounds after the value's shape, as NumPy checks them)
    scatter(w, _bounded(idxs, B), k, B, value, op)


def apply_at(x, key, value, op) -> None:
    """``op.at(x, key, value)`` (``value`` None for a unary ufunc): a scatter on each
    shard that applies ``op`` instead of assigning, repeated indices accumulating."""
    from .indexing import _convert_key
    key = _convert_key(x, key)
    items, adv = parse_basic_index(key, x.shape)
    if not any(isinstance(it, int) for it in items) and adv is None:
        # slices only: no index repeats, the ufunc runs in place on the view
        t = x._view(x._map.getitem(items))
        op(*((t,) if value is None else (t, value)), out=(t,), casting="unsafe")
        return
    setitem(x, key, value, op)


def _fallback_get(x, key):
    import operator
    from ..api.fallback import call_numpy
    return call_numpy(operator.getitem, (x, key), {},
                      name="ndarray.__getitem__ with a Python bool among array indices")


def _fallback_set(x, key, value) -> None:
    import operator
    from ..api.fallback import call_numpy
    call_numpy(operator.setitem, (x, key, value), {},
               name="ndarray.__setitem__ with a Python bool among array indices")


# ---------------------------------------------------------------------------------------
# the primitives

def _index_views(idxs, B):
    """Each array entry as a view broadcast to B (ints stay ints)."""
    out = []
    for i in idxs:
        if isinstance(i, ndarray) and i.shape != B:
            out.append(i._view(i._map.broadcast_to(B)))
        else:
            out.append(i)
    return out


def _index_layout(idxs, rshape, m):
    """The layout of a result that follows the index arrays: split where one of them is
    split along one of its own axes, else on the device of a one-device index array,
    else by size."""
    single = None
    for i in idxs:
        if not isinstance(i, ndarray):
            continue
        lay = i._view_layout()
        if lay.is_block and i.shape[lay.axis] > 1 and not i._map.dims[lay.axis][0] < 0:
            return Layout.block(lay.axis, lay.ranges)
        if lay.is_single and single is None:
            single = lay
    if single is not None:
        return single
    return default_layout(rshape, 8, m.ndev)


def _same_device_single(w, idxs):
    """The one device holding ``w`` and every index array whole, or None."""
    m = w._store.machine
    if m.ndev == 1:
        return 0
    lay = w._view_layout()
    if not lay.is_single:
        return None
    for i in idxs:
        if isinstance(i, ndarray):
            il = i._view_layout()
            if not (il.is_single and il.device == lay.device):
                return None
    return lay.device


def _flat_local(xp, loc, bshape):
    """An index piece (local array or int) as a flat intp array over ``bshape``."""
    if isinstance(loc, int):
        size = 1
        for n in bshape:
            size *= n
        return xp.full(size, loc, dtype=numpy.intp)
    return xp.ascontiguousarray(xp.broadcast_to(loc, bshape)).reshape(-1).astype(
        numpy.intp, copy=False)


def assign_last_wins(xp, target, comps, vals, k: int) -> None:
    """``target[comps] = vals`` where repeated indices keep the last value in C order,
    as NumPy does (CuPy leaves the winner of repeated indices undefined)."""
    comps = tuple(comps)
    if xp is numpy or getattr(vals, "ndim", 0) == 0:
        target[comps] = vals
        return
    shape = numpy.broadcast_shapes(*[getattr(c, "shape", ()) for c in comps])
    flat = [xp.broadcast_to(xp.asarray(c), shape).reshape(-1) for c in comps]
    n = flat[0].shape[0] if flat else 0
    if n <= 1:
        target[comps] = vals
        return
    lin = xp.ravel_multi_index(tuple(flat), target.shape[:k])
    _u, first = xp.unique(lin[::-1], return_index=True)
    keep = n - 1 - first
    rest = target.shape[k:]
    v = xp.broadcast_to(vals, shape + tuple(rest)).reshape((n,) + tuple(rest))
    target[tuple(f[keep] for f in flat)] = v[keep]


def _host_ints(a) -> list:
    return [int(v) for v in (a.get() if hasattr(a, "get") else a).tolist()]


def gather(w, idxs, k: int, B: tuple):
    """``w[idxs[0], ..., idxs[k-1]]`` for ``w`` whose first k axes are indexed by the
    (checked, non-negative) entries ``idxs`` broadcast to ``B``: shape ``B + w.shape[k:]``."""
    m = w._store.machine
    rest = tuple(w.shape[k:])
    rshape = tuple(B) + rest
    nb = len(B)
    dt = w.dtype
    d = _same_device_single(w, idxs)
    if d is not None:
        if not m.is_local(d):
            return ndarray._from_shards(m, rshape, dt, Layout.single(d), {})
        dev = m.devices[d]
        with dev.activate():
            locs = tuple(i._local() if isinstance(i, ndarray) else i for i in idxs)
            r = dev.xp.asarray(w._local()[locs]).reshape(rshape)   # a new array
        return ndarray._from_shards(m, rshape, dt, Layout.single(d), {d: r})
    bidx = _index_views(idxs, B)
    wl = w._view_layout()
    if wl.is_block and wl.axis < k:
        return _gather_remote(w, bidx, k, B, wl)
    if wl.is_block:
        lay_r = Layout.block(nb + wl.axis - k, wl.ranges)
    else:
        lay_r = _index_layout(bidx, rshape, m)
        if wl.is_single and not lay_r.is_block:
            lay_r = wl
    ex = Exchange(m)
    plans = []
    for d, box in enumerate(device_boxes(lay_r, rshape, m.ndev)):
        if box is None:
            continue
        wbox = tuple((0, n) for n in w.shape[:k]) + tuple(box[nb:])
        wloc = ex.localize(w._store, w._map, wbox, d)
        ilocs = [ex.localize(i._store, i._map, tuple(box[:nb]), d)
                 if isinstance(i, ndarray) else i for i in bidx]
        if m.is_local(d):
            plans.append((d, box, wloc, ilocs))
    ex.run()
    shards = {}
    for d, box, wloc, ilocs in plans:
        dev = m.devices[d]
        with dev.activate():
            bshape = tuple(hi - lo for lo, hi in box[:nb])
            if any(isinstance(i, int) for i in ilocs) or not ilocs:
                ilocs = [dev.xp.full(bshape, i, numpy.intp) if isinstance(i, int) else i
                         for i in ilocs]
            r = wloc[tuple(ilocs)]
            shards[d] = dev.xp.ascontiguousarray(r).reshape(
                tuple(hi - lo for lo, hi in box))
    return ndarray._from_shards(m, rshape, dt, lay_r, shards)


def _owners(xp, comp, wl):
    """For flat indices ``comp`` along the split axis, the device owning each."""
    held = sorted((lo, e) for e, (lo, hi) in enumerate(wl.ranges) if hi > lo)
    starts = xp.asarray(numpy.array([lo for lo, _ in held], dtype=numpy.intp))
    devs = xp.asarray(numpy.array([e for _, e in held], dtype=numpy.intp))
    pos = xp.searchsorted(starts, comp, side="right") - 1
    return devs[pos]


def _route(m, counts_local: dict):
    """Allgather each device's per-destination counts: C[d][e] for all d, e."""
    parts = {d: c for d, c in counts_local.items()}
    for d in m.local:
        if d not in parts:
            dev = m.devices[d]
            with dev.activate():
                parts[d] = dev.xp.zeros(m.ndev, numpy.int64)
    if m.ndev == 1:
        return [_host_ints(parts[0])]
    g = m.comm.allgather(parts)
    first = g[m.local[0]]
    return [_host_ints(c) for c in first]


def _requests(w, bidx, k, B, lay_r, wl, values=None):
    """Phase one of a distributed gather or scatter: each device's index components
    (and values) sorted by owner and sent to the owners.  Returns per-device plans."""
    m = w._store.machine
    nb = len(B)
    rest = tuple(w.shape[k:])
    rshape = tuple(B) + rest
    s = wl.axis
    ex = Exchange(m)
    boxes = device_boxes(lay_r, rshape, m.ndev)
    locs = {}
    for d, box in enumerate(boxes):
        if box is None:
            continue
        il = [ex.localize(i._store, i._map, tuple(box[:nb]), d)
              if isinstance(i, ndarray) else i for i in bidx]
        vl = None
        if values is not None and isinstance(values, ndarray):
            vbox = tuple(box[:nb]) + tuple((0, n) for n in rest)
            vl = ex.localize(values._store, values._map, vbox, d, copy=True)
        if m.is_local(d):
            locs[d] = (box, il, vl)
    wblocks = {}
    for e, (lo, hi) in enumerate(wl.ranges):
        wbox = tuple((lo, hi) if a == s else (0, n) for a, n in enumerate(w.shape))
        blk = ex.localize(w._store, w._map, wbox, e)
        if m.is_local(e):
            wblocks[e] = (blk, lo)
    ex.run()
    sorted_req, counts = {}, {}
    for d, (box, il, vl) in locs.items():
        dev = m.devices[d]
        xp = dev.xp
        with dev.activate():
            bshape = tuple(hi - lo for lo, hi in box[:nb])
            comps = [_flat_local(xp, c, bshape) for c in il]
            owner = _owners(xp, comps[s], wl) if comps[s].size else \
                xp.zeros(0, numpy.intp)
            order = xp.argsort(owner, kind="stable")
            cnt = xp.bincount(owner, minlength=m.ndev).astype(numpy.int64)
            req = xp.stack([c[order] for c in comps]) if comps[0].size else \
                xp.zeros((k, 0), numpy.intp)
            vals = None
            if vl is not None:
                nb_el = math.prod(bshape)
                flatv = xp.ascontiguousarray(vl).reshape((nb_el,) + rest)   # (not -1:
                # rest may hold no element)
                vals = flatv[order]
            sorted_req[d] = (bshape, order, req, vals)
            counts[d] = cnt
    C = _route(m, counts)
    # source order: by where each device's index block starts (C order of the index)
    src_order = sorted(range(m.ndev), key=lambda dd: (boxes[dd][:nb] if boxes[dd] else ()))
    send_off = {d: _offsets(C[d]) for d in range(m.ndev)}
    recv_off, recv_tot = {}, {}
    for e in range(m.ndev):
        pos, offs = 0, {}
        for d in src_order:
            offs[d] = pos
            pos += C[d][e]
        recv_off[e], recv_tot[e] = offs, pos
    transfers, recv = [], {}
    for e in range(m.ndev):
        if not m.is_local(e):
            continue
        dev = m.devices[e]
        with dev.activate():
            rq = alloc_local(dev, (k, recv_tot[e]), numpy.intp)
            rv = alloc_local(dev, (recv_tot[e],) + rest, values.dtype if isinstance(
                values, ndarray) else w.dtype) if isinstance(values, ndarray) else None
        recv[e] = (rq, rv)
    for d in range(m.ndev):
        for e in range(m.ndev):
            c = C[d][e]
            if c == 0:
                continue
            a, b = send_off[d][e], send_off[d][e] + c
            ra, rb = recv_off[e][d], recv_off[e][d] + c
            src = sorted_req.get(d)
            dst = recv.get(e)
            transfers.append(Transfer(d, src[2] if src else None, (slice(None), slice(a, b)),
                                      e, dst[0] if dst else None, (slice(None), slice(ra, rb))))
            if isinstance(values, ndarray):
                transfers.append(Transfer(d, src[3] if src else None, (slice(a, b),),
                                          e, dst[1] if dst else None, (slice(ra, rb),)))
    if transfers:
        m.comm.exchange(transfers)
    return C, send_off, recv_off, recv_tot, sorted_req, recv, wblocks


def _offsets(counts) -> list:
    out, pos = [], 0
    for c in counts:
        out.append(pos)
        pos += c
    return out


def _gather_remote(w, bidx, k, B, wl):
    m = w._store.machine
    rest = tuple(w.shape[k:])
    rshape = tuple(B) + rest
    lay_r = _index_layout(bidx, rshape, m)
    C, send_off, recv_off, recv_tot, sorted_req, recv, wblocks = _requests(
        w, bidx, k, B, lay_r, wl)
    s = wl.axis
    resp = {}
    for e, (rq, _rv) in recv.items():
        dev = m.devices[e]
        with dev.activate():
            blk, lo = wblocks[e]
            if rq.shape[1]:
                comps = [rq[j] - lo if j == s else rq[j] for j in range(k)]
                resp[e] = dev.xp.ascontiguousarray(blk[tuple(comps)])
            else:
                resp[e] = alloc_local(dev, (0,) + rest, w.dtype)
    got = {}
    for d, (bshape, order, req, _v) in sorted_req.items():
        dev = m.devices[d]
        with dev.activate():
            got[d] = alloc_local(dev, (req.shape[1],) + rest, w.dtype)
    transfers = []
    for d in range(m.ndev):
        for e in range(m.ndev):
            c = C[d][e]
            if c == 0:
                continue
            ra = recv_off[e][d]
            a = send_off[d][e]
            transfers.append(Transfer(e, resp.get(e), (slice(ra, ra + c),),
                                      d, got.get(d), (slice(a, a + c),)))
    if transfers:
        m.comm.exchange(transfers)
    shards = {}
    for d, (bshape, order, req, _v) in sorted_req.items():
        dev = m.devices[d]
        with dev.activate():
            out = alloc_local(dev, got[d].shape, w.dtype)
            out[order] = got[d]
            shards[d] = out.reshape(tuple(bshape) + rest)
    return ndarray._from_shards(m, rshape, w.dtype, lay_r, shards)


def scatter(w, idxs, k: int, B: tuple, value, op=None) -> None:
    """``w[idxs...] = value`` (value: an arrbackend array of shape ``B + w.shape[k:]``
    or a scalar of w's dtype); with ``op`` (a ufunc) ``op.at`` instead (value: such an
    array, any scalar, or None for a unary ufunc)."""
    from .elementwise import aliases, check_writable
    m = w._store.machine
    if w._map.has_broadcast:
        check_writable(w, "assignment destination is read-only")
    rest = tuple(w.shape[k:])
    rshape = tuple(B) + rest
    if 0 in rshape:
        return                              # (nothing selected: nothing to write)
    before_write(w._store)
    nb = len(B)
    bidx = _index_views(idxs, B)
    wl = w._view_layout()
    copy = isinstance(value, ndarray) and aliases(value, w)
    if wl.is_block and wl.axis < k:
        _scatter_remote(w, bidx, k, B, wl, value, op)
        return
    # every device writes the rows it holds, reading the whole index arrays
    ex = Exchange(m)
    plans = []
    for d in range(m.ndev):
        if wl.is_single and d != wl.device:
            continue
        if wl.is_block:
            lo, hi = wl.ranges[d]
            wbox = tuple((lo, hi) if a == wl.axis else (0, n) for a, n in enumerate(w.shape))
            rbox = tuple((0, n) for n in B) + wbox[k:]
        else:
            wbox = tuple((0, n) for n in w.shape)
            rbox = tuple((0, n) for n in rshape)
        tloc = ex.localize(w._store, w._map, wbox, d)
        ilocs = [ex.localize(i._store, i._map, rbox[:nb], d) if isinstance(i, ndarray) else i
                 for i in bidx]
        if isinstance(value, ndarray):
            vmap = value._map if value.shape == rshape else value._map.broadcast_to(rshape)
            vloc = ex.localize(value._store, vmap, rbox, d, copy=copy)
        else:
            vloc = value
        if m.is_local(d):
            plans.append((d, tloc, ilocs, vloc))
    ex.run()
    for d, tloc, ilocs, vloc in plans:
        dev = m.devices[d]
        with dev.activate():
            if op is not None:
                _apply_op(dev.xp, op, tloc, ilocs, vloc, k)
                continue
            if hasattr(vloc, "dtype") and vloc.dtype != w.dtype and not isinstance(
                    vloc, numpy.generic):
                vloc = vloc.astype(w.dtype)
            assign_last_wins(dev.xp, tloc, ilocs, vloc, k)


def _apply_op(xp, op, target, comps, vals, k) -> None:
    from ..api.ufunc_methods import apply_at
    from .. import _fperrors
    token = _fperrors.enter() if xp is numpy else None     # NumPy's warnings, at the
    try:                                                   # user's line
        apply_at(xp, op, target, comps, vals, k)
    finally:
        _fperrors.leave(token)


def _scatter_remote(w, bidx, k, B, wl, value, op=None) -> None:
    m = w._store.machine
    rest = tuple(w.shape[k:])
    rshape = tuple(B) + rest
    lay_r = _index_layout(bidx, rshape, m)
    vals = value
    if isinstance(value, ndarray) and value.shape != rshape:
        vals = value._view(value._map.broadcast_to(rshape))
    C, send_off, recv_off, recv_tot, sorted_req, recv, wblocks = _requests(
        w, bidx, k, B, lay_r, wl, values=vals)
    s = wl.axis
    for e, (rq, rv) in recv.items():
        if not rq.shape[1]:
            continue
        dev = m.devices[e]
        with dev.activate():
            blk, lo = wblocks[e]
            comps = tuple(rq[j] - lo if j == s else rq[j] for j in range(k))
            if op is not None:
                _apply_op(dev.xp, op, blk, comps, rv if rv is not None else value, k)
            elif rv is not None:
                assign_last_wins(dev.xp, blk, comps, rv.astype(w.dtype, copy=False), k)
            else:
                blk[comps] = value
