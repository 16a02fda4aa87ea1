"""The statements of the random programs in ``tests/test_programs.py`` on arrays: creation,
ufuncs (out=, where=, dtype=, casting=), operators and in-place operators, basic, fancy and
mask indexing and assignment, views.  Each method draws one statement; some are invalid on
purpose (then both sides must raise the same class).
"""
from __future__ import annotations

import math

import numpy
from hypothesis import strategies as st

from program_draws import (BINARY_UFUNCS, INPLACE_OPS, OPERATORS, TWO_OUT_UFUNCS,
                           UNARY_UFUNCS, Draws, broadcast, fits_integer, is_array,
                           is_operand)
from program_exclusions import excluded
from programs import Attr, BinOp, Call, Item, Key, Lit, Ns, Seq, Stmt, UnOp, Var

__all__ = ["ArrayStatements"]


class ArrayStatements(Draws):
    """Statements that make arrays, compute elementwise, index, assign and take views."""

    def create(self) -> Stmt:
        dtype, shape = self.dtype(), self.shape()
        how = self.pick(["array", "array", "arange", "zeros", "full", "linspace", "eye",
                         "ones", "like", "copy", "astype", "big"])
        v = self.var(is_array)
        if how in ("like", "copy", "astype") and v is None:
            how = "array"
        if how == "array":
            return self.assign(self.literal_array(shape, dtype, typed=not self.chance(20)),
                               "np.array")
        if how == "arange":
            n = math.prod(shape)
            e = Call(Ns("arange"), (Lit(n),), (("dtype", self.dt(dtype)),))
            if dtype == "bool":
                e = BinOp("==", BinOp("%", Call(Ns("arange"), (Lit(n),)), Lit(3)), Lit(0))
            return self.assign(Call(Attr(e, "reshape"), (Lit(shape),)), "np.arange")
        if how in ("zeros", "ones"):
            return self.assign(Call(Ns(how), (Lit(shape),), (("dtype", self.dt(dtype)),)),
                               f"np.{how}")
        if how == "full":
            fill = self.fill(dtype)
            return self.assign(Call(Ns("full"), (Lit(shape), Lit(fill)),
                                    (("dtype", self.dt(dtype)),)), "np.full")
        if how == "linspace":
            n = math.prod(shape)
            # (negative floats into unsigned integers: the processor's answer, see
            # docs/differences.md)
            start = 0 if numpy.dtype(dtype).kind == "u" else -2
            e = Call(Ns("linspace"), (Lit(start), Lit(3), Lit(n)), (("dtype", self.dt(dtype)),))
            return self.assign(Call(Attr(e, "reshape"), (Lit(shape),)), "np.linspace")
        if how == "eye":
            args = (Lit(self.int_in(0, 4)), Lit(self.int_in(0, 4)))
            return self.assign(Call(Ns("eye"), args, (("k", Lit(self.int_in(-2, 2))),
                                                       ("dtype", self.dt(dtype)))), "np.eye")
        if how == "big":
            # above numexpr's size, so that fused statements (fusion 'always' or a low
            # threshold) run it (not float16: its sums of 70000 elements round differently
            # in every order, NumPy's included)
            dtype = "float32" if dtype == "float16" else dtype
            e = Call(Attr(BinOp("%", Call(Ns("arange"), (Lit(70000),)), Lit(5)), "astype"),
                     (self.dt(dtype),))
            if self.chance(30):
                e = Call(Attr(e, "reshape"), (Lit(-1), Lit(4)))
            return self.assign(e, "np.arange(big)")
        if how == "like":
            fn = self.pick(["zeros_like", "ones_like", "full_like", "empty_like"])
            kw = (("dtype", self.dt(dtype)),) if self.chance(40) else ()
            to = dtype if kw else self.val(v).dtype.name
            args = (v, Lit(self.fill(to))) if fn == "full_like" else (v,)
            if fn == "empty_like":      # (values unspecified: only the shape and dtype)
                return self.assign(Attr(Call(Ns(fn), args, kw), "shape"), "np.empty_like")
            return self.assign(Call(Ns(fn), args, kw), f"np.{fn}")
        if how == "copy":
            form = self.pick(["v.copy()", "np.copy", "np.array", "np.asarray",
                              "np.array(copy=False)", "np.ascontiguousarray", "v.flatten()"])
            e = {"v.copy()": Call(Attr(v, "copy")), "np.copy": Call(Ns("copy"), (v,)),
                 "np.array": Call(Ns("array"), (v,)), "np.asarray": Call(Ns("asarray"), (v,)),
                 "np.array(copy=False)": Call(Ns("array"), (v,), (("copy", Lit(False)),)),
                 "np.ascontiguousarray": Call(Ns("ascontiguousarray"), (v,)),
                 "v.flatten()": Call(Attr(v, "flatten"))}[form]
            return self.assign(e, form)
        form = self.pick(["astype", "astype(copy=False)", "np.asarray(dtype)"])
        if not fits_integer(self.val(v), dtype):
            dtype = "float64"   # (floats out of range into integers: see docs/differences.md)
        if form == "astype":
            e = Call(Attr(v, "astype"), (self.dt(dtype),))
        elif form == "astype(copy=False)":
            e = Call(Attr(v, "astype"), (self.dt(dtype),), (("copy", Lit(False)),))
        else:
            e = Call(Ns("asarray"), (v,), (("dtype", self.dt(dtype)),))
        return self.assign(e, form)

    def ufunc(self) -> Stmt:
        kind = self.pick(["binary", "unary", "binary", "two_out"])
        a = self.var() or self.fresh(self.shape(), self.dtype())
        sa = self.shape_of(a)
        if kind == "two_out":
            name = self.pick(sorted(TWO_OUT_UFUNCS))
            args = (a, self.operand_like(sa)) if name == "divmod" else (a,)
            if self.chance(30):
                shape = broadcast(*(self.shape_of(x) for x in args)) or sa
                strict = 0 if excluded("two_out_shapes") else 10
                outs = (self.out_for(shape, strict), self.out_for(shape, strict))
                # (two outputs in the same memory: NumPy's iterator decides, element by
                # element, which one is left there, or refuses with "WRITEBACKIFCOPY base
                # is read-only" for some layouts: documented, not generated)
                if None not in outs and not numpy.shares_memory(
                        *(numpy.asarray(self.val(o)) for o in outs)):
                    return self.assign(Call(Ns(name), args, (("out", Seq(outs, "tuple")),)),
                                       f"np.{name}(out=)", n=2)
            return self.assign(Call(Ns(name), args), f"np.{name}", n=2)
        name = self.pick(BINARY_UFUNCS if kind == "binary" else UNARY_UFUNCS)
        args = (a, self.operand_like(sa)) if kind == "binary" else (a,)
        if kind == "binary" and self.chance(15):
            args = args[::-1]
        if name == "power" and self.kind_of(args[0]) == "b" and \
                type(self.val(args[1])) is int and excluded("bool_power"):
            args = (args[0], Lit(2.0))
        if name == "power" and self.empty_negative_power(args[0], args[1]):
            args = (args[0], Lit(2)) + args[2:]
        if name == "floor_divide" and self.standard_floor(*args):
            name = "true_divide"
        shape = broadcast(*(self.shape_of(x) for x in args)) or sa
        kw, label = [], f"np.{name}"
        out = self.out_for(shape) if self.chance(35) else None
        if out is not None:
            if self.chance(15) and not excluded("positional_out_fused"):
                args = args + (out,)
                label += "(positional out)"
            else:
                kw.append(("out", out))
                label += "(out=)"
            if self.chance(45) and not self.numpy_where_bug(name, args, out):
                mask = self.mask_for(shape)
                if broadcast(self.shape_of(mask), self.shape_of(out)) != self.shape_of(out) \
                        and excluded("where_shape"):
                    mask = Lit(True)
                kw.append(("where", mask))
                label += "(where=)"
        if self.chance(15):
            kw.append(("dtype", self.dt(self.dtype())))
            label += "(dtype=)"
        if self.chance(10):
            kw.append(("casting", Lit(self.pick(["unsafe", "same_kind", "safe", "no"]))))
            label += "(casting=)"
        if name == "power" and (out is not None or kw) and self.int_power(args[0], args[1]):
            args, label = args[:2], f"np.{name}"
            kw = [(k, v) for k, v in kw if k not in ("out", "where")]
        return self.assign(Call(Ns(name), args, tuple(kw)), label)

    def operator(self) -> Stmt:
        op = self.pick(OPERATORS + ["unary"])
        a = self.var() or self.fresh(self.shape(), self.dtype())
        if op == "unary":
            u = self.pick(["-", "~", "abs", "+"])
            return self.assign(UnOp(u, a), f"unary {u}")
        sa = self.shape_of(a)
        if op == "@":
            a = self.small(a)
            sa = self.shape_of(a)
            b = self.var(lambda v: is_array(v) and v.ndim >= 1 and len(sa) >= 1 and
                         v.shape[0] == sa[-1]) if sa else None
            b = self.small(b or self.fresh((sa[-1],) if sa else (2,), self.dtype()))
            if not self.finite(a, b):
                op, b = "*", self.operand_like(sa)
        else:
            b = self.operand_like(sa)
        if op == "**" and self.kind_of(a) == "b" and type(self.val(b)) is int and \
                (excluded("bool_power") or isinstance(self.val(a), numpy.generic)):
            b = Lit(2.0)    # (NumPy's bool scalar ** 2 is int64, its array's int8; the
            #                  0-d array standing for the scalar answers as the array)
        if op == "**" and self.empty_negative_power(a, b):
            b = Lit(2)
        if op == "**" and type(self.val(a)) is int and type(self.val(b)) is int:
            b = Lit(2)     # Python's own int power (len(v) ** 2**40 never ends): not ours
        if op == "//" and self.standard_floor(a, b):
            op = "/"
        # (a Python scalar first with a NumPy float64/complex128 scalar second: Python's
        # own arithmetic answers, a Python scalar; arrbackend's 0-d array standing for the
        # NumPy scalar answers an array: documented, not generated)
        if op != "@" and self.chance(15) and not isinstance(b, Var) and \
                not isinstance(self.val(a), numpy.generic):
            return self.assign(BinOp(op, b, a), f"scalar {op} array")
        return self.assign(BinOp(op, a, b), f"array {op}")

    def inplace(self) -> Stmt:
        t = self.writable()
        scalar = None
        if self.chance(20):         # a NumPy scalar's name: op= rebinds it (a new value)
            scalar = self.var(lambda v: isinstance(v, numpy.generic) and v.dtype.kind in "biuf")
        if scalar is not None:
            t = scalar
        if t is None:
            return self.create()
        op = self.pick(INPLACE_OPS)
        if scalar is None and self.chance(30):         # v[key] op= value
            k = self.scalar_index(t, self.key(self.shape_of(t), target=t))
            try:
                sel = numpy.shape(self.val(Item(t, k)))
            except Exception:
                sel = ()
            if self.empty_fancy(t, k, sel):
                k, sel = Key((Ellipsis,)), self.shape_of(t)
            b = self.operand_like(sel)
            if op == "**" and self.int_power(Item(t, k), b):
                op = "+"
            if op == "//" and self.standard_floor(Item(t, k), b):
                op = "+"
            return Stmt("augitem", b, obj=t, key=k, op=op, label=f"v[key] {op}=")
        b = self.operand_like(self.shape_of(t))
        if self.chance(10):
            b = Item(t, Key((slice(None, None, -1),))) if self.val(t).ndim else t
        if op == "**" and self.int_power(t, b):
            op = "+"
        if op == "//" and self.standard_floor(t, b):
            op = "+"
        return Stmt("aug", b, (t.name,), op=op, label=f"{op}=")

    def alias(self) -> Stmt:
        """``new = v``: a second name for an array or a scalar (what later statements do
        to one name, in place or by rebinding, the other shows)."""
        v = self.var()
        if v is None:
            return self.create()
        return self.assign(v, "alias")

    def getitem(self) -> Stmt:
        a = self.indexable()
        if a is None:
            return self.create()
        k = self.scalar_index(a, self.key(self.shape_of(a), target=a))
        return self.assign(Item(a, k), "getitem")

    def setitem(self) -> Stmt:
        t = self.writable()
        if t is None:
            return self.create()
        k = self.key(self.shape_of(t), target=t)
        try:
            sel = numpy.shape(self.val(Item(t, k)))
        except Exception:
            sel = None
        if self.empty_fancy(t, k, sel):
            k = Key((Ellipsis,))
            sel = self.shape_of(t)
        r = self.int_in(0, 9)
        if sel is None or r < 3:
            value = self.scalar() if r != 0 else Lit(self.value(self.dtype()))
        elif r < 5:
            value = self.var(lambda v: is_operand(v) and broadcast(numpy.shape(v), sel) ==
                             sel) or self.scalar()
        elif r < 8:
            shape = sel[self.int_in(0, len(sel)):] if self.chance(30) else sel
            if self.chance(40) and not excluded("leading_ones_value"):
                shape = (1,) * self.int_in(1, 2) + shape        # extra leading size-1 dims
            value = self.fresh(shape, self.dtype())
        else:
            value = Item(Item(t, k), Key((slice(None, None, -1),))) if sel else Item(t, k)
        if self.wraps(value, t) or sel is None and not self.fits_value(value, t) and \
                excluded("setitem_error_order"):
            value = Lit(self.value(self.val(t).dtype.name))
        if self.zero_d_nonfinite_into_ints(value, t) or self.out_of_range_into_ints(value, t):
            value = Lit(self.value(self.val(t).dtype.name))
        return Stmt("setitem", value, obj=t, key=k, label="setitem")

    def zero_d_nonfinite_into_ints(self, value, target) -> bool:
        """Documented (docs/differences.md, 0-d arrays instead of NumPy scalars): a 0-d
        float array holding NaN or an infinity, assigned into integers, follows a NumPy
        scalar's rules (ValueError, OverflowError); NumPy's own 0-d array casts it with a
        warning.  Not generated."""
        try:
            v, t = self.val(value), self.val(target)
        except Exception:
            return False
        return (is_array(v) and v.ndim == 0 and v.dtype.kind in "fc" and
                numpy.asarray(t).dtype.kind in "iu" and
                not numpy.isfinite(numpy.asarray(v, dtype=complex)))

    def out_of_range_into_ints(self, value, target) -> bool:
        """Floats out of an integer type's range (NaN, infinities) assigned into integers:
        the processor's answer, not NumPy's (docs/differences.md).  Not generated."""
        try:
            v, t = self.val(value), self.val(target)
        except Exception:
            return False
        return is_array(v) and not fits_integer(v, numpy.asarray(t).dtype.name)

    def view(self) -> Stmt:
        form = self.pick(["slice", "T", "reshape", "ravel", "diagonal", "real", "imag",
                          "expand_dims", "transpose", "swapaxes", "moveaxis", "squeeze",
                          "newaxis", "broadcast_to", "flip", "rot90", "view", "split",
                          "np.reshape", "np.ravel", "np.diag", "np.real", "atleast_2d",
                          "np.transpose", "np.squeeze", "np.diagonal"])
        a = self.indexable() if form in ("slice", "split", "reshape", "np.reshape", "ravel",
                                         "np.ravel") else self.var(is_array)
        if a is None:
            return self.create()
        s = self.shape_of(a)
        nd, size = len(s), math.prod(s)
        if form in ("diagonal", "np.diag", "np.diagonal") and excluded("diagonal_view"):
            form = "T"
        real = self.val(a).dtype.kind != "c"
        if form == "imag" and real and excluded("imag_of_real"):
            form = "real"
        if form == "slice":
            return self.assign(Item(a, self.scalar_index(a, self.key(s, basic=True))),
                               "basic slice")
        if form in ("T", "real", "imag"):
            return self.assign(Attr(a, form), f"v.{form}")
        if form in ("reshape", "np.reshape"):
            new = self.new_shape(size)
            e = Call(Attr(a, "reshape"), tuple(Lit(x) for x in new)) if form == "reshape" \
                and new and self.chance(50) else \
                (Call(Attr(a, "reshape"), (Lit(new),)) if form == "reshape"
                 else Call(Ns("reshape"), (a, Lit(new))))
            return self.assign(e, form, reshape=True)
        if form in ("ravel", "np.ravel"):
            e = Call(Attr(a, "ravel")) if form == "ravel" else Call(Ns("ravel"), (a,))
            return self.assign(e, form, reshape=True)
        if form in ("diagonal", "np.diag", "np.diagonal"):
            k = self.int_in(-2, 2)
            if form == "diagonal":
                return self.assign(Call(Attr(a, "diagonal"), (Lit(k),) if k else ()),
                                   "v.diagonal")
            if form == "np.diag":
                if nd == 1:             # (a matrix of that side: kept small)
                    a = self.small(a)
                return self.assign(Call(Ns("diag"), (a, Lit(k))), "np.diag")
            axes = (Lit(self.int_in(0, 2)), Lit(self.int_in(-1, 1)))
            return self.assign(Call(Ns("diagonal"), (a, Lit(k)) + axes), "np.diagonal")
        if form == "np.real":
            fn = "real" if real and excluded("imag_of_real") else self.pick(["real", "imag"])
            return self.assign(Call(Ns(fn), (a,)), f"np.{fn}")
        if form == "expand_dims":
            return self.assign(Call(Ns("expand_dims"), (a, Lit(self.int_in(-nd - 1, nd)))),
                               "np.expand_dims")
        if form in ("transpose", "np.transpose"):
            perm = tuple(self.draw(st.permutations(range(nd))))
            e = Call(Attr(a, "transpose"), (Lit(perm),)) if form == "transpose" else \
                Call(Ns("transpose"), (a, Lit(perm)))
            return self.assign(e, form)
        if form in ("swapaxes", "moveaxis"):
            i, j = self.int_in(-nd, max(nd - 1, 0)), self.int_in(-nd, max(nd - 1, 0))
            e = Call(Attr(a, "swapaxes"), (Lit(i), Lit(j))) if form == "swapaxes" else \
                Call(Ns("moveaxis"), (a, Lit(i), Lit(j)))
            return self.assign(e, form)
        if form in ("squeeze", "np.squeeze"):
            ones = [i for i, n in enumerate(s) if n == 1]
            ax = (Lit(self.pick(ones)),) if ones and self.chance(40) else ()
            e = Call(Attr(a, "squeeze"), ax) if form == "squeeze" else \
                Call(Ns("squeeze"), (a,) + ax)
            return self.assign(e, form)
        if form == "newaxis":
            return self.assign(Item(a, Key((self.pick([None, Ellipsis]), None))), "v[None]")
        if form == "broadcast_to":
            return self.assign(Call(Ns("broadcast_to"), (a, Lit((2,) + s))), "np.broadcast_to")
        if form == "flip" and nd == 0 and excluded("integer_index_scalar"):
            form = "rot90"      # (np.flip of a 0-d array is a[()]: a scalar in NumPy)
        if form == "flip":
            ax = (("axis", Lit(self.int_in(-nd, nd - 1))),) if nd and self.chance(50) else ()
            return self.assign(Call(Ns("flip"), (a,), ax), "np.flip")
        if form == "rot90":
            return self.assign(Call(Ns("rot90"), (a,)), "np.rot90")
        if form == "view":
            return self.assign(Call(Attr(a, "view")), "v.view()")
        if form == "atleast_2d":
            return self.assign(Call(Ns(self.pick(["atleast_2d", "atleast_1d", "atleast_3d"])),
                                    (a,)), "np.atleast_nd")
        # split into two pieces
        ax = self.int_in(0, max(nd - 1, 0))
        cut = self.int_in(0, s[ax]) if nd else 1
        if self.chance(50):
            e = Call(Ns("split"), (a, Lit([cut])), (("axis", Lit(ax)),))
        else:
            e = Call(Ns("array_split"), (a, Lit(2)), (("axis", Lit(ax)),) if ax else ())
        return self.assign(e, "np.split", n=2)
