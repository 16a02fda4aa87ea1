"""The expressions of deferred statements: the intermediate form the statement path
builds (``arrbackend.distributed.deferred``) and the kernels compile
(``kernels/fused.py`` for GPUs, ``kernels/cpu_fused.py`` for numexpr).

Nodes are plain data: leaves (views of computed stores), scalars, ufunc applications,
random draws computed where they are consumed, and the final cast of an assignment.
``sig`` identifies a node's structure and dtypes (the compiled kernel's cache key); ``lvs``,
``consts`` and ``rands`` list a tree's leaves, scalars and draws in one fixed order;
``bases`` the stores whose memory it reads.
"""
from __future__ import annotations

import numpy

__all__ = ["Expr", "Leaf", "Const", "Op", "Rand", "Cast"]


class Expr:
    __slots__ = ("shape", "dtype", "size", "sig", "lvs", "bases", "rands", "consts")


class Leaf(Expr):
    """A view ``(store, map)`` of an evaluated store, the map in expression coordinates.
    ``local`` keeps the view's local array when it lies on one device (known already)."""

    __slots__ = ("store", "vmap", "local")

    def __init__(self, store, vmap, local=None):
        self.store = store
        self.vmap = vmap
        self.shape = vmap.shape
        self.dtype = store.dtype
        self.sig = store.dtype.str
        self.local = local

    # (properties, not stored fields: a node referring to itself would be a reference
    # cycle, and its store's memory would wait for the garbage collector; ``Op`` reads a
    # leaf's directly)
    lvs = property(lambda self: (self,))
    bases = property(lambda self: (self.store._base or self.store,))
    size = 1
    rands = consts = ()

    def broadcast_to(self, shape):
        return Leaf(self.store, self.vmap.broadcast_to(shape))


class Const(Expr):
    """A scalar operand (a Python scalar stays weakly typed, NEP 50)."""

    __slots__ = ("value",)

    def __init__(self, value, shape=()):
        self.value = value
        self.shape = shape
        t = type(value)
        if t is float or t is int:
            self.dtype = t                      # int / float: weak, as NEP 50 says
            self.sig = ("C", t)
        elif t is bool:
            self.dtype = _BOOL                  # (NumPy promotes True like a bool array)
            self.sig = ("C", "|b1")
        else:
            self.dtype = value.dtype
            self.sig = ("C", value.dtype.str)

    consts = property(lambda self: (self,))     # (no reference cycle: see Leaf.lvs)
    size = 1
    lvs = bases = rands = ()

    def broadcast_to(self, shape):
        return Const(self.value, shape)


_BOOL = numpy.dtype(bool)


class Op(Expr):
    """``ufunc(*args)``; ``loop`` holds NumPy's loop dtypes (inputs, then the output).
    ``sig`` identifies the structure and dtypes (the generated kernel's cache key)."""

    __slots__ = ("ufunc", "args", "loop")

    def __init__(self, ufunc, args, loop, shape, sig=None):
        self.ufunc = ufunc
        self.args = args
        self.loop = loop
        self.shape = shape
        self.dtype = loop[-1]
        a0 = args[0]
        t0 = type(a0)
        if t0 is Leaf:
            lvs0, bases0, rands0, consts0 = (a0,), (a0.store._base or a0.store,), (), ()
        elif t0 is Const:
            lvs0, bases0, rands0, consts0 = (), (), (), (a0,)
        else:
            lvs0, bases0, rands0, consts0 = a0.lvs, a0.bases, a0.rands, a0.consts
        if len(args) == 1:
            self.size = 1 + a0.size
            self.sig = sig or (ufunc, loop, (a0.sig,))
            self.lvs, self.bases, self.rands, self.consts = lvs0, bases0, rands0, consts0
            return
        a1 = args[1]
        t1 = type(a1)
        if t1 is Leaf:
            lvs1, bases1, rands1, consts1 = (a1,), (a1.store._base or a1.store,), (), ()
        elif t1 is Const:
            lvs1, bases1, rands1, consts1 = (), (), (), (a1,)
        else:
            lvs1, bases1, rands1, consts1 = a1.lvs, a1.bases, a1.rands, a1.consts
        self.size = 1 + a0.size + a1.size
        self.sig = sig or (ufunc, loop, (a0.sig, a1.sig))
        self.lvs = lvs0 + lvs1
        self.rands = rands0 + rands1
        self.consts = consts0 + consts1
        bases = bases0
        for b in bases1:
            for c in bases:
                if b is c:
                    break
            else:
                bases = bases + (b,)
        self.bases = bases

    def broadcast_to(self, shape):
        return Op(self.ufunc, tuple(a.broadcast_to(shape) for a in self.args), self.loop,
                  shape, self.sig)

class Rand(Expr):
    """Random numbers computed where they are consumed: element i (C order) of draw
    ``stream`` of generator ``key`` (``arrbackend.kernels.philox``), seen through a map
    ``vmap`` from expression coordinates to the random array's."""

    __slots__ = ("kind", "key", "stream", "domain", "rshape", "vmap")

    def __init__(self, kind, key, stream, domain, rshape, vmap, dtype):
        self.kind = kind
        self.key = key
        self.stream = stream
        self.domain = domain
        self.rshape = rshape
        self.vmap = vmap
        self.shape = vmap.shape
        self.dtype = numpy.dtype(dtype)
        self.size = 1
        self.sig = ("R", kind)
        self.lvs = self.bases = self.consts = ()

    rands = property(lambda self: (self,))      # (no reference cycle: see Leaf.lvs)

    def broadcast_to(self, shape):
        return Rand(self.kind, self.key, self.stream, self.domain, self.rshape,
                    self.vmap.broadcast_to(shape), self.dtype)

    def flat_affine(self, box):
        """(f0, per-axis steps): the C-order index of the element at ``box`` origin +
        ``i`` is ``f0 + sum(i_k * steps_k)``."""
        c = [1] * len(self.rshape)
        for a in range(len(self.rshape) - 2, -1, -1):
            c[a] = c[a + 1] * self.rshape[a + 1]
        f0 = sum(c[a] * f for a, f in enumerate(self.vmap.fixed) if f >= 0)
        steps = []
        for k, (a, start, step) in enumerate(self.vmap.dims):
            if a < 0:
                steps.append(0)
            else:
                f0 += c[a] * (start + step * box[k][0])
                steps.append(c[a] * step)
        return f0, tuple(steps)


class Cast(Expr):
    """The final cast of an assignment into a target of another dtype (unsafe)."""

    __slots__ = ("arg",)

    def __init__(self, arg, dtype):
        self.arg = arg
        self.shape = arg.shape
        self.dtype = numpy.dtype(dtype)
        self.size = arg.size
        self.sig = ("X", self.dtype.str, arg.sig)
        self.lvs, self.bases, self.rands = arg.lvs, arg.bases, arg.rands
        self.consts = arg.consts

    def broadcast_to(self, shape):
        return Cast(self.arg.broadcast_to(shape), self.dtype)
