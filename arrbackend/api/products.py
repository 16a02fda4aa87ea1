"""Products: ``einsum einsum_path tensordot kron outer cross vecdot matvec vecmat``.

``einsum`` is reduced to the engine's operations: repeated labels of one operand become
``diagonal``s, labels only one operand carries are summed away, and the operands are
contracted pairwise, left to right, by the distributed ``matmul`` (batch labels stay
batch axes, contracted labels are merged into the inner dimension) or, when nothing is
contracted, by a broadcast multiply.  ``einsum_path`` asks NumPy with data-free
stand-ins (it only reads shapes).  ``tensordot`` is NumPy's transpose-reshape-``dot``.
"""
from __future__ import annotations

import operator
import warnings

import numpy

from .registry import implements
from ..distributed.elementwise import assign, broadcast_shapes
from ..distributed.view import normalize_axis
from ._helpers import ours, uf
from .manipulation import astype, broadcast_to, moveaxis, ravel, reshape, transpose
from .ufuncs import common_machine
from ..distributed.array import ndarray

__all__ = ["einsum", "einsum_path", "tensordot", "kron", "outer", "cross", "vecdot",
           "matvec", "vecmat"]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sublist_to_str(sub):
    out = ""
    for s in sub:
        if s is Ellipsis:
            out += "..."
        else:
            s = operator.index(s)
            if not 0 <= s < 52:
                raise ValueError("subscript is not within the valid range [0, 52)")
            out += _LETTERS[s]
    return out


def _parse(operands):
    """(input subscripts per operand, output subscripts, arrays)."""
    if not operands or isinstance(operands[0], str) and len(operands) < 2:
        raise ValueError("must specify the einstein sum subscripts string and at least one "
                         "operand, or at least one operand and its corresponding subscripts "
                         "list")
    if not isinstance(operands[0], str) and len(operands) < 2:
        raise ValueError("must provide at least an operand and a subscripts list to einsum")
    if isinstance(operands[0], str):
        subs = operands[0].replace(" ", "")
        arrays = list(operands[1:])
    else:
        ops = list(operands)
        arrays, parts = [], []
        while len(ops) >= 2:
            arrays.append(ops.pop(0))
            parts.append(_sublist_to_str(ops.pop(0)))
        subs = ",".join(parts)
        if ops:
            subs += "->" + _sublist_to_str(ops[0])
    if "->" in subs:
        ins, out = subs.split("->")
        explicit = True
    else:
        ins, out, explicit = subs, None, False
    in_list = ins.split(",")
    if len(in_list) != len(arrays):
        raise ValueError("more operands provided to einstein sum function than specified "
                         "in the subscripts string" if len(arrays) > len(in_list) else
                         "fewer operands provided to einstein sum function than specified "
                         "in the subscripts string")
    for s in in_list + ([out] if out else []):
        for ch in s.replace("...", ""):
            if ch not in _LETTERS:
                raise ValueError(f"invalid subscript '{ch}' in einstein sum subscripts "
                                 f"string, subscripts must be letters")
    return in_list, out, explicit, arrays


def _expand(in_list, out, explicit, arrays):
    """Labels per operand as lists (ellipsis dims get private labels), output labels."""
    labels = []
    ell_nd = 0
    for s, a in zip(in_list, arrays):
        if "..." in s:
            pre, post = s.split("...")
            n = a.ndim - len(pre) - len(post)
            if n < 0:
                raise ValueError("einstein sum subscripts string contains too many "
                                 "subscripts for operand")
            ell_nd = max(ell_nd, n)
            labels.append(list(pre) + [("@", n, k) for k in range(n)] + list(post))
        else:
            if len(s) != a.ndim:
                raise ValueError("operand has more dimensions than subscripts given in "
                                 "einstein sum, but no '...' ellipsis provided to "
                                 "broadcast the extra dimensions." if a.ndim > len(s) else
                                 "einstein sum subscripts string contains too many "
                                 "subscripts for operand")
            labels.append(list(s))
    # ellipsis labels aligned from the right
    fixed = []
    for lab in labels:
        new = []
        for x in lab:
            if isinstance(x, tuple):
                _, n, k = x
                new.append(f"@{ell_nd - n + k}")
            else:
                new.append(x)
        fixed.append(new)
    ell = [f"@{k}" for k in range(ell_nd)]
    if explicit:
        if "..." in out:
            pre, post = out.split("...")
            out_labels = list(pre) + ell + list(post)
        else:
            out_labels = list(out)
            if ell_nd:
                raise ValueError("output has more dimensions than subscripts given in "
                                 "einstein sum, but no '...' ellipsis provided to "
                                 "broadcast the extra dimensions.")
        for ch in out_labels:
            if not ch.startswith("@") and not any(ch in lab for lab in fixed):
                raise ValueError(f"einstein sum subscripts string included output "
                                 f"subscript '{ch}' which never appeared in an input")
        if len(set(out_labels)) != len(out_labels):
            raise ValueError("einstein sum subscripts string includes output subscript "
                             "more than once")
    else:
        counts = {}
        for lab in fixed:
            for x in lab:
                if not x.startswith("@"):
                    counts[x] = counts.get(x, 0) + 1
        out_labels = ell + sorted((c for c, k in counts.items() if k == 1),
                                  key=_LETTERS.index)
    return fixed, out_labels


def _diagonals(x, lab):
    """The operand's repeated labels taken as diagonals: views, writeable as NumPy's
    (``einsum('ii->i', a)`` is a view of ``a``)."""
    from ..distributed.derived import diagonal_view
    while True:
        seen = {}
        rep = None
        for i, c in enumerate(lab):
            if c in seen:
                rep = (seen[c], i)
                break
            seen[c] = i
        if rep is None:
            return x, lab
        i, j = rep
        if x.shape[i] != x.shape[j]:
            raise ValueError(f"dimensions in operand for collapsing index '{lab[i]}' don't "
                             f"match ({x.shape[i]} != {x.shape[j]})")
        c = lab[i]
        x = diagonal_view(x, 0, i, j, readonly=False)
        lab = [l for k, l in enumerate(lab) if k not in (i, j)] + [c]


def _sum_out(x, lab, keep):
    from .reductions import sum as sum_
    axes = tuple(i for i, c in enumerate(lab) if c not in keep)
    if not axes:
        return x, lab
    return sum_(x, axis=axes), [c for c in lab if c in keep]


def _sizes(ops):
    sizes = {}
    for x, lab in ops:
        for c, n in zip(lab, x.shape):
            cur = sizes.get(c, 1)
            if n != 1 and cur != 1 and n != cur:
                raise ValueError(f"operands could not be broadcast together with remapped "
                                 f"shapes [original->remapped]: size {cur} and {n} for "
                                 f"label '{c}'")
            sizes[c] = n if cur == 1 else cur     # (1 broadcasts to any size, 0 too)
    return sizes


def _pair(A, la, B, lb, keep, sizes):
    """Contract two labelled operands, keeping the labels in ``keep``."""
    from .linalg import matmul
    both = [c for c in la if c in lb]
    batch = [c for c in both if c in keep]
    contr = [c for c in both if c not in keep]
    fa = [c for c in la if c not in lb]
    fb = [c for c in lb if c not in la]
    if not contr:
        order = batch + fa + fb
        ea = _align(A, la, order)
        eb = _align(B, lb, order)
        return uf("multiply", ea, eb), order
    # broadcast the contracted labels of size 1 against the other operand
    for c in contr:
        n = sizes[c]
        if A.shape[la.index(c)] != n:
            shp = list(A.shape)
            shp[la.index(c)] = n
            A = broadcast_to(A, tuple(shp))
        if B.shape[lb.index(c)] != n:
            shp = list(B.shape)
            shp[lb.index(c)] = n
            B = broadcast_to(B, tuple(shp))
    At = transpose(A, [la.index(c) for c in batch + fa + contr])
    Bt = transpose(B, [lb.index(c) for c in batch + contr + fb])
    nb = len(batch)
    sa = At.shape[:nb] + (_prod(At.shape[nb:nb + len(fa)]), _prod(At.shape[nb + len(fa):]))
    sb = Bt.shape[:nb] + (_prod(Bt.shape[nb:nb + len(contr)]),
                          _prod(Bt.shape[nb + len(contr):]))
    C = matmul(reshape(At, sa), reshape(Bt, sb))
    fa_shape = tuple(At.shape[nb:nb + len(fa)])
    fb_shape = tuple(Bt.shape[nb + len(contr):])
    C = reshape(C, C.shape[:nb] + fa_shape + fb_shape)
    return C, batch + fa + fb


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _align(x, lab, order):
    """``x`` transposed to ``order`` with length-1 axes for the labels it lacks."""
    present = [c for c in order if c in lab]
    x = transpose(x, [lab.index(c) for c in present])
    key = tuple(slice(None) if c in lab else None for c in order)
    return x[key] if key else x


@implements(numpy.einsum, local=True, missing={"optimize": "contractions run pairwise, "
                                                           "left to right"})
def einsum(*operands, out=None, optimize=False, **kwargs):
    """Same as ``numpy.einsum`` (diagonals, sums and pairwise distributed products)."""
    dtype = kwargs.pop("dtype", None)
    casting = kwargs.pop("casting", "safe")
    kwargs.pop("order", None)
    if kwargs:
        raise TypeError(f"einsum() got an unexpected keyword argument "
                        f"'{next(iter(kwargs))}'")
    in_list, outs, explicit, arrays = _parse(operands)
    m = common_machine(list(arrays) + [out], "einsum")
    arrays = [ours(a, m) for a in arrays]
    rdt = numpy.result_type(*[a.dtype for a in arrays]) if dtype is None else \
        numpy.dtype(dtype)
    if dtype is not None:
        from .manipulation import astype
        for a in arrays:
            if not numpy.can_cast(a.dtype, rdt, casting=casting):
                raise TypeError(f"Cannot cast array data from {a.dtype!r} to {rdt!r} "
                                f"according to the rule {casting!r}")
        arrays = [astype(a, rdt) if a.dtype != rdt else a for a in arrays]
    if out is not None and not numpy.can_cast(rdt, out.dtype, casting=casting):
        raise TypeError(f"Iterator requested dtype could not be cast from {rdt!r} to "
                        f"{out.dtype!r}, the operand {len(arrays)} dtype, according to the "
                        f"rule {casting!r}")
    labels, out_labels = _expand(in_list, outs, explicit, arrays)
    ops = [_diagonals(a, lab) for a, lab in zip(arrays, labels)]
    sizes = _sizes(ops)
    # sum away what only one operand carries
    for i, (x, lab) in enumerate(ops):
        others = set(out_labels)
        for j, (_y, lb) in enumerate(ops):
            if j != i:
                others.update(lb)
        ops[i] = _sum_out(x, lab, others)
    x, lab = ops[0]
    for i in range(1, len(ops)):
        keep = set(out_labels)
        for _y, lb in ops[i + 1:]:
            keep.update(lb)
        y, lb = ops[i]
        x, lab = _pair(x, lab, y, lb, keep, sizes)
        x, lab = _sum_out(x, lab, keep)
    x, lab = _sum_out(x, lab, set(out_labels))
    shape = tuple(sizes.get(c, 1) for c in out_labels)
    r = _align(x, lab, out_labels)
    if r.shape != shape:
        r = broadcast_to(r, shape)
    if len(ops) > 1 or r.dtype != rdt:
        from .manipulation import astype
        r = astype(r, rdt) if r.dtype != rdt else r
    if out is not None:
        assign(out, r)
        return out
    return r


@implements(numpy.einsum_path)
def einsum_path(*operands, optimize="greedy", einsum_call=False):
    """Same as ``numpy.einsum_path`` (NumPy's planner on data-free stand-ins)."""
    stand = []
    for o in operands:
        if isinstance(o, ndarray):
            stand.append(numpy.broadcast_to(numpy.zeros((), o.dtype), o.shape))
        else:
            stand.append(o)
    return numpy.einsum_path(*stand, optimize=optimize, einsum_call=einsum_call)


@implements(numpy.tensordot, local=True)
def tensordot(a, b, axes=2):
    """Same as ``numpy.tensordot`` (a transposed, reshaped distributed ``dot``)."""
    from .linalg import dot
    try:
        iter(axes)
    except Exception:
        axes_a = list(range(-axes, 0))
        axes_b = list(range(axes))
    else:
        axes_a, axes_b = axes
    try:
        na = len(axes_a)
        axes_a = list(axes_a)
    except TypeError:
        axes_a, na = [axes_a], 1
    try:
        nb = len(axes_b)
        axes_b = list(axes_b)
    except TypeError:
        axes_b, nb = [axes_b], 1
    if len(set(axes_a)) != len(axes_a) or len(set(axes_b)) != len(axes_b):
        raise ValueError("duplicate axes are not allowed in tensordot")
    m = common_machine([a, b], "tensordot")
    x, y = ours(a, m), ours(b, m)
    as_, bs = x.shape, y.shape
    equal = na == nb
    if equal:
        for k in range(na):
            if as_[axes_a[k]] != bs[axes_b[k]]:
                equal = False
                break
            if axes_a[k] < 0:
                axes_a[k] += x.ndim
            if axes_b[k] < 0:
                axes_b[k] += y.ndim
    if not equal:
        raise ValueError("shape-mismatch for sum")
    notin_a = [k for k in range(x.ndim) if k not in axes_a]
    notin_b = [k for k in range(y.ndim) if k not in axes_b]
    n2 = _prod([as_[k] for k in axes_a])
    at = reshape(transpose(x, notin_a + axes_a), (_prod([as_[k] for k in notin_a]), n2))
    bt = reshape(transpose(y, axes_b + notin_b), (n2, _prod([bs[k] for k in notin_b])))
    res = dot(at, bt)
    return reshape(res, tuple(as_[k] for k in notin_a) + tuple(bs[k] for k in notin_b))


@implements(numpy.kron, local=True)
def kron(a, b):
    """Same as ``numpy.kron`` (a broadcast product reshaped)."""
    from .manipulation import expand_dims
    m = common_machine([a, b], "kron")
    y = ours(b, m)
    x = ours(a, m)
    if x.ndim < y.ndim:
        x = reshape(x, (1,) * (y.ndim - x.ndim) + x.shape)
    nda, ndb = x.ndim, y.ndim
    nd = max(nda, ndb)
    if nda == 0 or ndb == 0:
        return uf("multiply", x, y)
    as_ = (1,) * max(0, ndb - nda) + x.shape
    bs = (1,) * max(0, nda - ndb) + y.shape
    xa = expand_dims(x, tuple(range(ndb - nda))) if ndb > nda else x
    yb = expand_dims(y, tuple(range(nda - ndb))) if nda > ndb else y
    xa = expand_dims(xa, tuple(range(1, nd * 2, 2)))
    yb = expand_dims(yb, tuple(range(0, nd * 2, 2)))
    r = uf("multiply", xa, yb)
    return reshape(r, tuple(p * q for p, q in zip(as_, bs)))


@implements(numpy.outer, local=True)
def outer(a, b, out=None):
    """Same as ``numpy.outer``."""
    m = common_machine([a, b, out], "outer")
    x, y = ravel(ours(a, m)), ravel(ours(b, m))
    kw = {} if out is None else {"out": (out,)}
    return uf("multiply", x[:, None], y[None, :], **kw)


@implements(numpy.cross, local=True)
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Same as ``numpy.cross``."""
    from .creation import empty
    from .manipulation import astype
    if axis is not None:
        axisa, axisb, axisc = (axis,) * 3
    m = common_machine([a, b], "cross")
    x, y = ours(a, m), ours(b, m)
    if x.ndim < 1 or y.ndim < 1:
        raise ValueError("At least one array has zero dimension")
    x = moveaxis(x, normalize_axis(axisa, x.ndim, "axisa"), -1)
    y = moveaxis(y, normalize_axis(axisb, y.ndim, "axisb"), -1)
    if x.shape[-1] not in (2, 3) or y.shape[-1] not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 "
                         "or 3)")
    if x.shape[-1] == 2 or y.shape[-1] == 2:
        _two_vectors_allowed(x.shape[-1], y.shape[-1])
    shape = broadcast_shapes([x.shape[:-1], y.shape[:-1]])
    three = x.shape[-1] == 3 or y.shape[-1] == 3
    if three:
        shape += (3,)
        axisc = normalize_axis(axisc, len(shape), "axisc")
    dt = numpy.promote_types(x.dtype, y.dtype)
    x, y = astype(x, dt, copy=False), astype(y, dt, copy=False)
    a0, a1 = x[..., 0], x[..., 1]
    b0, b1 = y[..., 0], y[..., 1]
    a2 = x[..., 2] if x.shape[-1] == 3 else None
    b2 = y[..., 2] if y.shape[-1] == 3 else None

    def mul(p, q):
        return uf("multiply", p, q)

    def sub(p, q):
        return uf("subtract", p, q)

    if not three:
        return sub(mul(a0, b1), mul(a1, b0))
    cp = empty(shape, dtype=dt, device=m)
    if x.shape[-1] == 2:
        cp[..., 0] = mul(a1, b2)
        cp[..., 1] = uf("negative", mul(a0, b2))
        cp[..., 2] = sub(mul(a0, b1), mul(a1, b0))
    elif y.shape[-1] == 3:
        cp[..., 0] = sub(mul(a1, b2), mul(a2, b1))
        cp[..., 1] = sub(mul(a2, b0), mul(a0, b2))
        cp[..., 2] = sub(mul(a0, b1), mul(a1, b0))
    else:
        cp[..., 0] = uf("negative", mul(a2, b1))
        cp[..., 1] = mul(a2, b0)
        cp[..., 2] = sub(mul(a0, b1), mul(a1, b0))
    return moveaxis(cp, -1, axisc)


def _two_vectors_allowed(na, nb) -> None:
    """2-element vectors: deprecated in NumPy 2.0 (a warning), removed later (an error):
    whatever the installed NumPy does on data-free stand-ins."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        numpy.cross(numpy.zeros(na), numpy.zeros(nb))
    warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of "
                  "3-dimensional vectors instead. (deprecated in NumPy 2.0)",
                  DeprecationWarning, stacklevel=3)


# core dimensions of the inputs, and whether the output has one: (n),(n)->() etc.
_CORES = {"vecdot": (1, 1, 0), "matvec": (2, 1, 1), "vecmat": (1, 2, 1)}


def _gufunc(ufunc, x1, x2, out, kw, body):
    """A two-input gufunc: NumPy checks the arguments and chooses the loop dtype on
    data-free stand-ins of the operands' ranks (its errors, its messages); ``body`` gets
    the operands cast to that dtype with their core axes last and returns the result with
    its core axis (or kept axis) last, which then moves where ``axes``/``axis`` ask."""
    name = ufunc.__name__
    if isinstance(out, tuple):
        out, = out
    m = common_machine([x1, x2, out], name)
    a, b = ours(x1, m), ours(x2, m)
    kw = {k: v for k, v in kw.items() if v is not None}
    stand = lambda v: numpy.zeros((1,) * v.ndim, v.dtype)  # noqa: E731
    ref = ufunc(stand(a), stand(b), **kw)
    if out is not None:
        ufunc(stand(a), stand(b), out=stand(out), **kw)
    dt = ref.dtype
    ca, cb, cout = _CORES[name]
    axes, axis, keep = kw.get("axes"), kw.get("axis"), kw.get("keepdims", False)
    if axis is not None:
        axes = [axis, axis, axis]
    elif axes is None:
        axes = [tuple(range(-ca, 0)), tuple(range(-cb, 0)), -1]
    tup = lambda t: tuple(t) if isinstance(t, (tuple, list)) else (t,)  # noqa: E731
    moved = []
    for v, ax, k in ((a, axes[0], ca), (b, axes[1], cb)):
        src = tuple(normalize_axis(i, v.ndim) for i in tup(ax))
        moved.append(moveaxis(astype(v, dt, copy=False), src, tuple(range(-k, 0))))
    if moved[0].shape[-1] != moved[1].shape[-cb]:
        # the shared core dimension differs (the stand-ins above have size 1 there): NumPy
        # raises its error on data-free stand-ins of the real shapes, before computing
        full = lambda v: numpy.broadcast_to(numpy.zeros((), v.dtype), v.shape)  # noqa: E731
        ufunc(full(a), full(b), **kw)
    r = body(*moved, dt)
    if cout or keep:
        oax = axes[2] if len(axes) > 2 else -1
        r = moveaxis(r, -1, normalize_axis(tup(oax)[0], r.ndim))
    if out is not None:
        if out.shape != r.shape:
            raise ValueError(f"{name}: output has shape {out.shape}, the result {r.shape}")
        assign(out, r)
        return out
    return r


def _gufunc_kw(axes, axis, keepdims, casting, dtype, signature):
    return {"axes": axes, "axis": axis, "keepdims": keepdims or None, "casting": casting,
            "dtype": dtype, "signature": signature}


@implements(numpy.vecdot, name="vecdot", local=True)
def vecdot(x1, x2, /, out=None, *, axes=None, axis=None, keepdims=False, casting="same_kind",
           order="K", dtype=None, subok=True, signature=None):
    """Same as ``numpy.vecdot``: ``sum(conj(x1) * x2)`` over the core axis (``order`` and
    ``subok`` change nothing here: results are new arrbackend arrays)."""
    from .reductions import sum as sum_

    def body(a, b, dt):
        if dt.kind == "c":
            a = uf("conjugate", a)
        return sum_(uf("multiply", a, b), axis=-1, keepdims=keepdims, dtype=dt)
    return _gufunc(numpy.vecdot, x1, x2, out,
                   _gufunc_kw(axes, axis, keepdims, casting, dtype, signature), body)


@implements(numpy.matvec, name="matvec", local=True)
def matvec(x1, x2, /, out=None, *, axes=None, axis=None, keepdims=False, casting="same_kind",
           order="K", dtype=None, subok=True, signature=None):
    """Same as ``numpy.matvec``: matrix (..., m, n) times vector (..., n)."""
    from .linalg import matmul
    return _gufunc(numpy.matvec, x1, x2, out,
                   _gufunc_kw(axes, axis, keepdims, casting, dtype, signature),
                   lambda a, b, dt: matmul(a, b[..., None])[..., 0])


@implements(numpy.vecmat, name="vecmat", local=True)
def vecmat(x1, x2, /, out=None, *, axes=None, axis=None, keepdims=False, casting="same_kind",
           order="K", dtype=None, subok=True, signature=None):
    """Same as ``numpy.vecmat``: conj(vector (..., n)) times matrix (..., n, m)."""
    from .linalg import matmul

    def body(a, b, dt):
        if dt.kind == "c":
            a = uf("conjugate", a)
        return matmul(a[..., None, :], b)[..., 0, :]
    return _gufunc(numpy.vecmat, x1, x2, out,
                   _gufunc_kw(axes, axis, keepdims, casting, dtype, signature), body)
