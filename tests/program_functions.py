"""The statements of the random programs in ``tests/test_programs.py`` on functions:
reductions (axis, keepdims, dtype, where, initial, out, ddof), manipulation, ufunc methods
(reduce, accumulate, reduceat, outer, at), conversions to Python, and bad input.
"""
from __future__ import annotations

import math

import numpy
from hypothesis import strategies as st

from program_draws import (BINARY_UFUNCS, REDUCE_UFUNCS, broadcast, fits, fits_integer,
                           is_array, is_operand, product_meets_zero)
from program_exclusions import excluded
from program_statements import ArrayStatements
from programs import Attr, BinOp, Builtin, Call, Item, Key, Lit, Ns, Seq, Stmt, Var

__all__ = ["Gen"]


class Gen(ArrayStatements):
    """Draws the statements of the programs (``ArrayStatements`` and these)."""

    REDUCERS = {
        # name: (method too, keywords)
        "sum": (True, "axis dtype keepdims where initial out"),
        "prod": (True, "axis dtype keepdims where initial out"),
        "mean": (True, "axis dtype keepdims where out"),
        "var": (True, "axis dtype keepdims where out ddof"),
        "std": (True, "axis dtype keepdims where out ddof"),
        "max": (True, "axis keepdims where initial out"),
        "min": (True, "axis keepdims where initial out"),
        "argmax": (True, "axis keepdims out"),
        "argmin": (True, "axis keepdims out"),
        "any": (True, "axis keepdims where out"),
        "all": (True, "axis keepdims where out"),
        "cumsum": (True, "axis dtype out"),
        "cumprod": (True, "axis dtype out"),
        "ptp": (False, "axis keepdims"),
        "count_nonzero": (False, "axis keepdims"),
        "median": (False, "axis keepdims"),
        "nansum": (False, "axis dtype keepdims"),
        "nanmean": (False, "axis keepdims"),
        "nanmax": (False, "axis keepdims"),
        "nanargmin": (False, "axis"),
        "average": (False, "axis keepdims"),
    }

    def many_float16(self, a) -> bool:
        """Whether ``a`` holds more than 1024 float16 values (or, on several devices,
        4096 float32 or complex64 ones): NumPy's sums and products of them along some axes round at
        each step, arrbackend's in another order (documented: docs/differences.md)."""
        v = self.val(a)
        dt = getattr(v, "dtype", None)
        return (dt == numpy.float16 and numpy.size(v) > 1024) or \
            (dt in (numpy.float32, numpy.complex64) and self.ndev > 1 and
             numpy.size(v) > 4096)

    def cancels(self, a) -> bool:
        """Whether, on several devices, ``a`` holds a float beyond 2**53, which a sum of
        other values in another order can cancel before or after the small ones
        (``[-1e300, 2, 2, 1e300, 2, 2]``: NumPy's sum 4, the devices' sums -1e300 and 1e300
        add to 0; documented: docs/differences.md)."""
        v = self.val(a)
        if self.ndev == 1 or getattr(v, "dtype", numpy.dtype(int)).kind not in "fc":
            return False
        with numpy.errstate(all="ignore"):
            m = numpy.abs(numpy.asarray(v))
            return bool((m[numpy.isfinite(m)] >= 2.0 ** 53).any())

    def sum_dtype(self, a) -> str:
        """A dtype= for a reduction of ``a``: not float16 over many elements, whose sums
        NumPy rounds at each step along some axes and arrbackend accumulates in float32
        (documented: docs/differences.md)."""
        dt = self.dtype()
        n = numpy.size(self.val(a))
        if dt == "float16" and n > 1024:
            dt = "float32"
        if dt in ("float32", "complex64") and self.ndev > 1 and n > 4096:
            dt = "float64" if dt == "float32" else "complex128"     # (the same, documented)
        if not fits_integer(self.val(a), dt):
            dt = "float64"      # (floats out of range into integers: the same, documented)
        return dt

    def reduction(self) -> Stmt:
        name = self.pick(sorted(self.REDUCERS))
        a = self.var(lambda v: is_array(v) or isinstance(v, numpy.generic)) or \
            self.fresh(self.shape(), self.dtype())
        if name in ("prod", "cumprod", "nanprod") and product_meets_zero(self.val(a)):
            name = {"prod": "sum", "cumprod": "cumsum", "nanprod": "nansum"}[name]
            # (a zero meeting an overflowing partial product: the order decides, see
            # docs/differences.md)
        if (self.many_float16(a) or self.cancels(a)) and \
                name in ("sum", "nansum", "mean", "var", "std", "prod", "nanprod",
                         "cumsum", "cumprod", "nanmean", "average"):
            name = "max"        # (documented: float16 sums accumulate in float32)
        method, kws = self.REDUCERS[name]
        s = self.shape_of(a)
        kw = []
        allowed = kws.split()
        if "axis" in allowed and self.chance(70) and not (not s and excluded("axis_of_0d")):
            ax = self.axis(len(s), allow_tuple=name not in ("argmax", "argmin", "cumsum",
                                                            "cumprod", "nanargmin"))
            kw.append(("axis", Lit(ax)))
        if "keepdims" in allowed and self.chance(30):
            kw.append(("keepdims", Lit(True)))
        if "dtype" in allowed and self.chance(20):
            kw.append(("dtype", self.dt(self.sum_dtype(a))))
        if "ddof" in allowed and self.chance(40):
            kw.append(("ddof", Lit(self.int_in(0, 3))))
        if "where" in allowed and self.chance(25):
            kw.append(("where", self.where_for(s)))
            if name in ("max", "min") and self.chance(85):
                kw.append(("initial", Lit(self.pick([-5, 5, 0.5]))))
        elif "initial" in allowed and self.chance(15):
            kw.append(("initial", Lit(self.pick([-5, 5, 0.5, 1]))))
        kw = self.reduction_keywords(name, a, kw)
        # (NumPy's functions called on a NumPy scalar return a new scalar even with out=;
        # arrbackend's 0-d array standing for it returns out: documented, not generated)
        if "out" in allowed and self.chance(25) and is_array(self.val(a)):
            try:
                shape = numpy.shape(self.val(Call(Ns(name), (a,), tuple(kw))))
            except Exception:
                shape = None
            out = self.out_for(shape) if shape is not None else None
            if name in ("argmax", "argmin") and self.strict_out():
                out = self.writable(lambda v: v.shape == shape and v.dtype == numpy.intp)
            if name == "std" and self.ndev > 1 and excluded("std_out_dtype"):
                out = self.writable(lambda v: v.shape == shape and v.dtype.kind in "fc")
            if out is not None and name in ("cumsum", "cumprod") and \
                    numpy.ndim(self.val(out)) == 0:
                out = None      # (NumPy's own accumulation crashes on a 0-d out=)
            if out is not None and name in ("cumsum", "cumprod") and shape is not None and \
                    numpy.shape(self.val(out)) != shape and \
                    self.numpy_takes_other_out(name, a, kw, out, shape):
                out = None
            if out is not None:
                kw.append(("out", out))
        if method and self.chance(40) and isinstance(a, Var) and is_array(self.val(a)):
            return self.assign(Call(Attr(a, name), (), tuple(kw)), f"v.{name}()")
        label = f"np.{name}" + "".join(f"({k}=)" for k, _ in kw if k in ("where", "out",
                                                                         "dtype", "initial"))
        return self.assign(Call(Ns(name), (a,), tuple(kw)), label)

    def numpy_takes_other_out(self, name, a, kw, out, shape) -> bool:
        """Whether NumPy's accumulation ``name`` takes ``out`` of another shape than its
        result's, beyond the scanned array itself as its own out= (of the same size,
        documented and tested): NumPy refuses most ("the wrong size for the
        accumulation"), but takes some larger outs (``np.cumprod(v0, axis=0, out=v1)``,
        a (3, 3) scan into (3, 3, 3, 3)) and one that overlaps the input, which it fills
        in part (``np.cumprod(v[:1], out=v)`` returns ``v``).  Such an out= is not
        generated; one NumPy refuses is (bad input)."""
        o, v = self.val(out), self.val(a)
        if isinstance(out, Var) and isinstance(a, Var) and out.name == a.name and \
                numpy.size(o) == math.prod(shape):
            return False
        if numpy.shares_memory(o, v):
            return True
        try:
            with numpy.errstate(all="ignore"):
                getattr(numpy, name)(numpy.array(v, copy=True), out=numpy.array(o, copy=True),
                                     **{k: self.val(e) for k, e in kw})
        except Exception:
            return False
        return True

    def where_for(self, shape: tuple):
        """A where= for a reduction of an array of ``shape`` (see EXCLUSIONS:
        where_shape)."""
        mask = self.mask_for(shape)
        if broadcast(self.shape_of(mask), shape) is None and excluded("where_shape"):
            return Lit(True)
        return mask

    def over_nothing(self, a, keys: dict) -> bool:
        """Whether a mean/var/std with these keywords has no element (or not more than
        ddof) to average somewhere."""
        x = numpy.asarray(self.val(a))
        try:
            where = keys.get("where")
            w = numpy.broadcast_to(True if where is None else self.val(where), x.shape)
            axis = keys["axis"].value if "axis" in keys else None
            count = numpy.sum(w, axis=axis)
        except Exception:
            return False
        ddof = keys["ddof"].value if "ddof" in keys else 0
        return bool((count - ddof <= 0).any())

    def reduction_keywords(self, name: str, a, kw: list) -> list:
        """The keywords of a reduction, less those not generated (see EXCLUSIONS)."""
        def nans(keywords):
            try:
                r = self.val(Call(Ns(name), (a,), tuple(keywords)))
                return int(numpy.isnan(numpy.asarray(r, dtype=complex)).sum())
            except Exception:
                return -1
        keys = dict(kw)
        if name in ("mean", "var", "std") and "dtype" in keys and \
                numpy.dtype(keys["dtype"].path).kind in "biu" and \
                nans([k for k in kw if k[0] != "dtype"]) != 0:
            # (a NaN mean cast to an integer dtype: NumPy's value is unspecified)
            kw = [k for k in kw if k[0] != "dtype"]
        if name in ("mean", "var", "std") and self.ndev > 1 and excluded("nan_of_nothing") \
                and self.over_nothing(a, keys):
            kw = [k for k in kw if k[0] not in ("ddof", "where")]
        init = keys.get("initial")
        if init is not None and init.value != int(init.value) and name in ("sum", "prod") \
                and self.kind_of(a) in "biu" and self.ndev > 1 and \
                excluded("reduce_float_initial"):
            kw = [k if k[0] != "initial" else ("initial", Lit(2)) for k in kw]
        if name == "std" and "dtype" in keys and self.ndev > 1 and \
                numpy.dtype(keys["dtype"].path).kind in "biu" and excluded("std_integer_dtype"):
            kw = [k for k in kw if k[0] != "dtype"]
        where = keys.get("where")
        if isinstance(where, Lit) and name in ("mean", "var", "std") and self.ndev > 1 and \
                excluded("where_python_bool"):
            kw = [k if k[0] != "where" else ("where", Lit([where.value])) for k in kw]
        return kw

    def manipulation(self) -> Stmt:
        form = self.pick(["concatenate", "stack", "tile", "repeat", "roll", "sort",
                          "v.sort()", "argsort", "where", "clip", "unique", "copyto", "put",
                          "take", "triu", "diff", "append", "delete", "nonzero", "outer",
                          "dot", "trace", "searchsorted", "vstack", "hstack", "argwhere",
                          "pad", "insert", "flatnonzero", "matmul"])
        a = self.var(is_array)
        if a is None:
            return self.create()
        s = self.shape_of(a)
        nd = len(s)
        if form in ("concatenate", "stack", "vstack", "hstack"):
            same = self.var(lambda v: is_array(v) and v.shape == s)
            b = same if same is not None and self.chance(70) else \
                self.var(lambda v: is_array(v) and v.ndim == nd) or a
            ax = self.axis(nd + (form == "stack"), allow_tuple=False,
                           allow_none=form == "concatenate")
            if form in ("vstack", "hstack"):
                return self.assign(Call(Ns(form), (Seq((a, b)),)), f"np.{form}")
            kw = (("axis", Lit(ax)),) if self.chance(70) else ()
            return self.assign(Call(Ns(form), (Seq((a, b)),), kw), f"np.{form}")
        if form == "tile" and self.ndev > 1 and excluded("tile_alias"):
            form = "repeat"
        if form == "tile":
            reps = self.pick([2, (2, 1), (1, 2), (2, 1, 1), 0, (1,), (3, 2)])
            return self.assign(Call(Ns("tile"), (a, Lit(reps))), "np.tile")
        if form == "repeat":
            ax = self.axis(nd, allow_tuple=False)
            n = s[ax] if ax is not None and -nd <= ax < nd else math.prod(s)
            reps = Lit(self.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))) \
                if self.chance(30) and n <= 12 and (n or not excluded("repeat_bad_repeats")) \
                else Lit(self.int_in(0, 3))
            if self.ndev > 1 and n == 1 and nd and ax is not None and excluded("tile_alias"):
                reps = Lit([self.int_in(0, 3)])
            return self.assign(Call(Ns("repeat"), (a, reps), (("axis", Lit(ax)),)),
                               "np.repeat")
        if form == "roll":
            ax = self.axis(nd, allow_tuple=False)
            return self.assign(Call(Ns("roll"), (a, Lit(self.int_in(-3, 3))),
                                    (("axis", Lit(ax)),)), "np.roll")
        if form in ("sort", "argsort"):
            kw = (("axis", Lit(self.axis(nd, allow_tuple=False))),) if self.chance(50) else ()
            if form == "argsort":       # (ties: only the stable order is specified)
                kw += (("kind", Lit("stable")),)
            elif self.chance(30):
                kw += (("kind", Lit(self.pick(["stable", "quicksort", "heapsort"]))),)
            return self.assign(Call(Ns(form), (a,), kw), f"np.{form}")
        if form == "v.sort()":
            t = self.writable()
            if t is None:
                return self.create()
            kw = (("axis", Lit(self.axis(len(self.shape_of(t)), allow_tuple=False,
                                         allow_none=False))),) if self.chance(40) else ()
            return Stmt("expr", Call(Attr(t, "sort"), (), kw), label="v.sort()")
        if form == "where":
            cond = self.mask_for(s)
            if not fits(self.shape_of(cond), s) and broadcast(self.shape_of(cond), s):
                # (a mask of another length that still broadcasts, against a trailing axis
                # of one: a result of 10**9 elements, which no machine of the test holds
                # twice)
                cond = self.fresh(s, "bool")
            return self.assign(Call(Ns("where"), (cond, a, self.operand_like(s))), "np.where")
        if form == "clip":
            lo, hi = self.pick([(Lit(-1), Lit(2)), (Lit(0), Lit(None)), (Lit(None), Lit(1.5)),
                                (Lit(2), Lit(-1))])
            kw = ()
            if self.chance(20):
                try:
                    dt = numpy.asarray(self.val(Call(Ns("clip"), (a, lo, hi)))).dtype
                except Exception:
                    dt = self.val(a).dtype
                out = self.out_for(s) if not self.strict_out() else \
                    self.writable(lambda v: v.shape == s and v.dtype == dt)
                kw = (("out", out),) if out is not None else ()
            return self.assign(Call(Ns("clip"), (a, lo, hi), kw), "np.clip")
        if form == "unique":
            kw = (("return_counts", Lit(True)),) if self.chance(30) else ()
            return self.assign(Call(Ns("unique"), (a,), kw), "np.unique", n=2 if kw else None)
        if form == "copyto":
            t = self.writable()
            if t is None:
                return self.create()
            st_ = self.shape_of(t)
            src = self.operand_like(st_)
            if len(self.shape_of(src)) > len(st_) and excluded("leading_ones_value"):
                src = self.scalar()
            kw = []
            if self.chance(30):
                kw.append(("where", self.mask_for(st_)))
            if self.chance(30):
                kw.append(("casting", Lit(self.pick(["unsafe", "same_kind", "no"]))))
            return Stmt("expr", Call(Ns("copyto"), (t, src), tuple(kw)), label="np.copyto")
        if form == "put":
            t = self.writable()
            if t is None:
                return self.create()
            n = self.val(t).size
            idx = self.draw(st.lists(st.integers(-n - 1, n) if n else st.integers(-1, 1),
                                     min_size=1, max_size=3))
            vals = self.scalar() if self.chance(50) else \
                self.fresh((len(idx),), self.dtype())
            if self.wraps(vals, t):
                vals = Lit(self.value(self.val(t).dtype.name))
            if excluded("put_value_kind") and not isinstance(self.val(vals), numpy.ndarray) \
                    and not self.fits_value(vals, t):
                vals = self.fresh((len(idx),), self.val(t).dtype.name)
            return Stmt("expr", Call(Ns("put"), (t, Lit(idx), vals)), label="np.put")
        if form == "take":
            ax = self.axis(nd, allow_tuple=False)
            n = s[ax] if ax is not None and -nd <= ax < nd else math.prod(s)
            idx = self.draw(st.lists(st.integers(-n, max(n - 1, 0)), max_size=3)) \
                if self.chance(70) else self.int_in(-n, n)
            return self.assign(Call(Ns("take"), (a, Lit(idx)), (("axis", Lit(ax)),)),
                               "np.take")
        if form == "triu":
            if nd == 1:                 # (a square of that side: kept small)
                a = self.small(a)
            return self.assign(Call(Ns(self.pick(["triu", "tril"])), (a, Lit(self.int_in(-1, 1)))),
                               "np.triu/tril")
        if form == "diff":
            kw = (("axis", Lit(self.axis(nd, allow_tuple=False, allow_none=False))),) \
                if self.chance(40) else ()
            return self.assign(Call(Ns("diff"), (a,), kw), "np.diff")
        if form == "append":
            return self.assign(Call(Ns("append"), (a, self.operand_like(s))), "np.append")
        if form == "delete":
            n = s[0] if nd else 1
            return self.assign(Call(Ns("delete"), (a, Lit(self.int_in(-n, max(n - 1, 0)))),
                                    (("axis", Lit(0)),) if nd else ()), "np.delete")
        if form == "insert":
            n = s[0] if nd else 0
            value = self.scalar()
            if excluded("insert_value_kind") and not self.fits_value(value, a):
                value = Lit(0)
            return self.assign(Call(Ns("insert"), (a, Lit(self.int_in(0, n)), value)),
                               "np.insert")
        if form == "nonzero":
            return self.assign(Call(Ns("nonzero"), (a,)), "np.nonzero", n=max(nd, 1))
        if form in ("outer", "dot", "matmul"):
            if form == "outer":
                a = self.small(a)
                b = self.small(self.array_or_new())
            else:
                a = self.small(a)
                s = self.shape_of(a)
                b = self.var(lambda v: is_array(v) and v.ndim >= 1 and nd >= 1 and
                             v.shape[max(v.ndim - 2, 0)] == s[-1]) if nd else None
                b = self.small(b or self.fresh((s[-1] if nd else 2, self.pick([2, 3])),
                                               self.dtype()))
                if not self.finite(a, b):
                    form = "outer"
            kw = ()
            if form != "outer" and self.chance(25) and not (
                    form == "matmul" and self.ndev > 1 and excluded("matmul_out_split")):
                try:
                    r = numpy.asarray(self.val(Call(Ns(form), (a, b))))
                    out = self.out_for(r.shape) if not self.strict_out() else \
                        self.writable(lambda v: v.shape == r.shape and v.dtype == r.dtype)
                    kw = (("out", out),) if out is not None else ()
                except Exception:
                    pass
            return self.assign(Call(Ns(form), (a, b), kw), f"np.{form}")
        if form == "trace":
            return self.assign(Call(Ns("trace"), (a,)), "np.trace")
        if form == "searchsorted":
            return self.assign(Call(Ns("searchsorted"), (Call(Ns("sort"), (Call(Ns("ravel"),
                                                                              (a,)),)),
                                                        self.operand_like(s))), "np.searchsorted")
        if form == "argwhere":
            return self.assign(Call(Ns("argwhere"), (a,)), "np.argwhere")
        if form == "flatnonzero":
            return self.assign(Call(Ns("flatnonzero"), (a,)), "np.flatnonzero")
        return self.assign(Call(Ns("pad"), (a, Lit(self.int_in(0, 2)))), "np.pad")

    def ufunc_method(self) -> Stmt:
        method = self.pick(["reduce", "accumulate", "outer", "at", "reduceat", "reduce"])
        if method == "at" and excluded("ufunc_at"):
            method = "reduce"
        a = self.var(lambda v: is_array(v) and (v.size > 0 or method != "reduceat")) or \
            self.fresh(self.shape(), self.dtype())
        s = self.shape_of(a)
        nd = len(s)
        if method in ("reduce", "accumulate", "reduceat"):
            uf = self.pick(REDUCE_UFUNCS)
            if uf == "multiply" and product_meets_zero(self.val(a)):
                uf = "add"              # (documented: docs/differences.md)
            if uf in ("add", "multiply", "subtract") and \
                    (self.many_float16(a) or self.cancels(a)):
                uf = "maximum"          # (documented: float16 sums accumulate in float32)
            kw = []
            if self.chance(70):
                kw.append(("axis", Lit(self.axis(nd, allow_tuple=method == "reduce"))))
            if self.chance(25) and not (method == "reduce" and excluded("reduce_dtype") and
                                        uf in ("maximum", "minimum", "fmax", "fmin")) and \
                    not (method == "reduce" and uf.startswith("logical") and
                         excluded("logical_reduce_keywords")):
                kw.append(("dtype", self.dt(self.sum_dtype(a))))
            if method == "reduce":
                if self.chance(20):
                    kw.append(("keepdims", Lit(True)))
                if self.chance(20) and not (uf.startswith("logical") and
                                            excluded("logical_reduce_keywords")):
                    init = self.pick([0, 1, -2, 0.5])
                    dt = dict(kw).get("dtype")
                    kind = numpy.dtype(dt.path).kind if dt is not None else self.kind_of(a)
                    if init == 0.5 and kind in "biu" and excluded("reduce_float_initial"):
                        init = 2
                    kw.append(("initial", Lit(init)))
                if self.chance(15):
                    kw.append(("where", self.where_for(s)))
            args = (a,)
            if method == "reduceat":
                n = s[0] if nd else 1
                args = (a, Lit(sorted(self.draw(st.lists(st.integers(0, max(n - 1, 0)),
                                                         min_size=1, max_size=3)))))
                kw = [(k, v) for k, v in kw if k != "axis"]
            label = f"np.{uf}.{method}" + "".join(f"({k}=)" for k, _ in kw if k != "axis")
            return self.assign(Call(Ns(f"{uf}.{method}"), args, tuple(kw)), label)
        if method == "outer":
            uf = self.pick(BINARY_UFUNCS)
            b = self.var(lambda v: is_operand(v) and numpy.ndim(v) <= 2) or \
                self.fresh((self.int_in(0, 3),), self.dtype())
            return self.assign(Call(Ns(f"{uf}.outer"), (self.small(a), self.small(b))),
                               f"np.{uf}.outer")
        t = self.writable()
        if t is None:
            return self.create()
        st_ = self.shape_of(t)
        n = st_[0] if st_ else 0
        if st_:
            idx = Lit(self.draw(st.lists(st.integers(-n, max(n - 1, 0)) if n else
                                         st.integers(0, 0), min_size=1, max_size=4)))
            if len(st_) >= 2 and self.chance(30):
                m = st_[1]
                idx = Lit((idx.value, self.draw(st.lists(st.integers(-m, max(m - 1, 0)),
                                                         min_size=len(idx.value),
                                                         max_size=len(idx.value)))))
        else:
            idx = Lit(())
        if self.chance(25):
            uf = self.pick(["negative", "absolute", "square"])
            return Stmt("expr", Call(Ns(f"{uf}.at"), (t, idx)), label=f"np.{uf}.at")
        uf = self.pick(["add", "multiply", "maximum", "subtract", "minimum", "bitwise_or",
                        "true_divide", "power"])
        b = self.scalar() if self.chance(60) else self.fresh((1,), self.dtype())
        if uf == "power" and self.int_power(t, b):
            uf = "add"
        return Stmt("expr", Call(Ns(f"{uf}.at"), (t, idx, b)), label=f"np.{uf}.at")

    def convert(self) -> Stmt:
        a = self.var(lambda v: is_operand(v) and numpy.size(v) == 1) \
            if self.chance(70) else None
        a = a or self.var(is_operand)
        if a is None:
            return self.create()
        form = self.pick(["float", "int", "bool", "complex", "item", "tolist", "len",
                          "shape", "ndim", "size", "dtype", "item(i)"])
        # (documented: float()/int() of a complex 0-d array answer as of NumPy's complex
        # scalar, which it stands for; NumPy's 0-d array refuses: not generated)
        if form in ("float", "int") and self.kind_of(a) == "c" and is_array(self.val(a)):
            form = "complex"
        if form in ("float", "int", "bool", "complex", "len"):
            return self.assign(Call(Builtin(form), (a,)), f"{form}(v)")
        if form == "item":
            return self.assign(Call(Attr(a, "item")), "v.item()")
        if form == "item(i)":
            return self.assign(Call(Attr(a, "item"), (Lit(self.int_in(-2, 3)),)), "v.item(i)")
        if form == "tolist":
            return self.assign(Call(Attr(a, "tolist")), "v.tolist()")
        return self.assign(Attr(a, form), f"v.{form}")

    def bad_input(self) -> Stmt:
        a = self.var(is_array) or self.fresh(self.shape(), self.dtype())
        s = self.shape_of(a)
        nd = len(s)
        form = self.pick(["axis", "reshape", "out_shape", "casting", "index", "broadcast",
                          "readonly", "kwarg", "concat", "zeros", "float_index", "repeat",
                          "take", "squeeze_list", "none_op", "str_eq", "dtype", "dup_axis",
                          "overflow_literal", "reshape_neg"])
        if form == "axis":
            return self.assign(Call(Ns(self.pick(["sum", "argmax", "cumsum", "mean", "flip"])),
                                    (a,), (("axis", Lit(nd + self.int_in(0, 1))),)), "bad axis")
        if form == "reshape":
            return self.assign(Call(Attr(a, "reshape"), (Lit(math.prod(s) + 1),)),
                               "bad reshape")
        if form == "reshape_neg" and not excluded("reshape_bad_args"):
            return self.assign(Call(Attr(a, "reshape"), (Lit(self.pick([(2, -5), (-1, -1),
                                                                         None]),),)),
                               "bad reshape", reshape=True)
        if form == "out_shape":
            out = self.writable(lambda v: v.shape != s)
            if out is None:
                return self.create()
            return self.assign(Call(Ns(self.pick(["add", "sqrt"])), (a, Lit(1))
                                    if self.chance(50) else (a,),
                                    (("out", out),)), "out= of another shape")
        if form == "casting":
            out = self.writable(lambda v: v.shape == s and v.dtype.kind in "biu")
            if out is None:
                return self.create()
            return self.assign(Call(Ns("multiply"), (a, Lit(0.5)), (("out", out),)),
                               "out= needs unsafe casting")
        if form == "index":
            return self.assign(Item(a, Key((s[0] + 1 if nd else 0,))), "index out of range")
        if form == "broadcast":
            b = self.var(lambda v: is_array(v) and broadcast(v.shape, s) is None)
            if b is None:
                return self.create()
            return self.assign(BinOp("+", a, b), "shapes do not broadcast")
        if form == "readonly":
            ro = self.pick(["broadcast_to", "diagonal", "imag"])
            if ro == "diagonal" and excluded("diagonal_view") or \
                    ro == "imag" and self.val(a).dtype.kind != "c" and excluded("imag_of_real"):
                ro = "broadcast_to"
            same = not excluded("broadcast_to_same_shape") and self.chance(50)
            e = {"broadcast_to": Call(Ns("broadcast_to"), (a, Lit(s if same else (2,) + s))),
                 "diagonal": Call(Attr(a, "diagonal")), "imag": Attr(a, "imag")}[ro]
            return Stmt("setitem", Lit(1), obj=e, key=Key((Ellipsis,)),
                        label=f"write into {ro}")
        if form == "kwarg":
            return self.assign(Call(Ns("sum"), (a,), (("axes", Lit(0)),)), "unknown keyword")
        if form == "concat":
            b = self.var(lambda v: is_array(v) and v.ndim != nd) or Lit(1)
            return self.assign(Call(Ns("concatenate"), (Seq((a, b)),)), "concatenate ndim")
        if form == "zeros":
            return self.assign(Call(Ns("zeros"), (Lit(self.pick([-1, (2, -3), (2, "a"),
                                                                2.5])),)), "bad shape")
        if form == "float_index":
            return self.assign(Item(a, Key((self.pick([1.0, Lit([1.5]), "a"]),))),
                               "non-integer index")
        if form == "repeat":
            reps = self.pick([-1, 1.5, [1, 2, 3, 4, 5, 6]])
            if reps == 1.5 or reps == -1 and self.ndev > 1 and math.prod(s) == 0:
                reps = reps if not excluded("repeat_bad_repeats") else [1, 2, 3, 4, 5, 6]
            return self.assign(Call(Ns("repeat"), (a, Lit(reps))), "bad repeats")
        if form == "take":
            return self.assign(Call(Ns("take"), (a, Lit(100))), "take out of range")
        if form == "squeeze_list" and not excluded("squeeze_axis_list"):
            return self.assign(Call(Ns("squeeze"), (a,), (("axis", Lit([0])),)),
                               "squeeze axis list")
        if form == "none_op" and not excluded("none_operand"):
            return self.assign(BinOp(self.pick(["/", "+"]), a, Lit(None)), "array op None")
        if form == "str_eq" and not excluded("str_compare"):
            return self.assign(BinOp(self.pick(["==", "!="]), a, Lit(self.pick(["x", [1, "a"]]))),
                               "compare with str")
        if form == "dtype":
            return self.assign(Call(Ns("sum"), (a,), (("dtype", Lit("foo")),)), "bad dtype")
        if form == "dup_axis":
            return self.assign(Call(Ns("add.reduce"), (a,), (("axis", Lit((0, 0))),)),
                               "duplicate axis")
        dtype = self.pick(["uint8", "int8"])
        return self.assign(Call(Ns("array"), (Lit([self.pick([-1, 300, 256])]),),
                                (("dtype", self.dt(dtype)),)), "literal out of range")
