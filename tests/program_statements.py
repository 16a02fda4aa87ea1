"""The statements of the random programs in ``tests/test_programs.py``: one generator per
family (creation, ufuncs, operators, in-place operators, indexing, assignment, views,
reductions, manipulation, ufunc methods, conversions to Python, bad input).

A generator looks at the NumPy side's variables (shapes, dtypes, values) to make mostly
valid statements, and sometimes invalid ones: then both sides must raise the same class.

``EXCLUSIONS`` names the statements left out because arrbackend still answers them
differently from NumPy; each entry says which class it avoids, so it can be lifted when that
class is fixed.  ``ARRBACKEND_FUZZ_LIFT=name,name`` (or ``all``) generates them again.
"""
from __future__ import annotations

import math
import os

import numpy
from hypothesis import strategies as st

from programs import (Attr, BinOp, Builtin, Call, Item, Key, Lit, Ns, Seq, Stmt, UnOp,
                      Var, evaluate)

__all__ = ["Gen", "EXCLUSIONS", "DTYPES"]

DTYPES = ["float64", "int64", "bool", "int8", "uint8", "int32", "float16", "float32",
          "complex64", "complex128"]

# Documented differences (docs/differences.md) and NumPy's own unspecified results are not
# generated: they are normalizations, not exclusions.
EXCLUSIONS: dict[str, str] = {
    "integer_index_scalar":
        "issue 18 class 1: an index taking every axis by an integer (or a[()] of a 0-d "
        "array) returns a 0-d array still tied to its array: a later write to the array "
        "changes it (the key gets a trailing ..., a 0-d view in NumPy too)",
    "leading_ones_value":
        "class 6: an assigned value with extra leading size-1 dimensions is refused",
    "fill_cast_unsafely":
        "class 7: np.full / np.full_like raise for a fill value NumPy casts unsafely "
        "(complex into a real dtype, a negative number into an unsigned one, a float "
        "into an integer one)",
    "imag_of_real":
        "class 5: .imag / np.imag of a real array is writeable (NumPy: read-only)",
    "diagonal_view":
        "class 3: diagonal / np.diag of a 2-d array / np.diagonal return writeable "
        "copies (NumPy: read-only views)",
    "broadcast_to_same_shape":
        "np.broadcast_to(a, a.shape) returns a itself, writeable (NumPy: a read-only view)",
    "none_operand":
        "class 16: a / None raises ZeroDivisionError, a + None UFuncTypeError (NumPy: "
        "TypeError)",
    "str_compare":
        "class 16: a == 'x', a != [1, 'a'] raise UFuncTypeError (NumPy answers, or "
        "raises ValueError for shapes that do not broadcast)",
    "squeeze_axis_list":
        "class 16: np.squeeze(a, axis=[0]) is accepted (NumPy: TypeError)",
    "reshape_bad_args":
        "class 10: a.reshape(None) and a.reshape((2, -5)) differ from NumPy",
    "ufunc_at":
        "ufunc.at loses its writes (the fidelity issue; fallback write-back)",
    "view_of_readonly":
        "a view of a read-only array (np.broadcast_to's) reports flags.writeable other "
        "than NumPy's: a basic index, np.array_split report True (NumPy: False; a write "
        "still raises ValueError), np.flip, np.expand_dims, np.transpose, np.rot90 "
        "report False (NumPy: True)",
    "repeat_bad_repeats":
        "class 10: np.repeat(a, 1.5) raises TypeError (NumPy truncates to 1), so does "
        "np.repeat(empty, [], axis=0); on several devices np.repeat of an empty array "
        "with repeats -1 raises (NumPy returns it)",
    "nan_of_nothing":
        "class 14: on several devices mean/var/std over no element (where= selecting "
        "none, ddof >= n) give 0.0 (NumPy: nan)",
    "tile_alias":
        "class 2: on several devices np.tile, and np.repeat along an axis of length 1, "
        "return a read-only alias of their input",
    "out_dtype_split":
        "class 12: on several devices argmax/argmin/clip accept an out= of a dtype NumPy "
        "refuses (argmax into floats, clip of floats into integers)",
    "positional_out_fused":
        "class 9: on several devices a positional out (np.isnan(a, a)) raises TypeError: "
        "resolve_dtypes",
    "empty_fancy_set":
        "a fancy assignment selecting nothing (an empty slice beside an index array) into "
        "a view that added a length-1 axis raises 'assignment destination is read-only' "
        "(a = np.zeros(5)[None]; a[0:0, [0]] = 1; NumPy: nothing to do)",
    "insert_value_kind":
        "class 7: np.insert of a scalar of another kind (a complex into reals) casts it "
        "(NumPy: TypeError)",
    "reduce_float_initial":
        "ufunc.reduce with a float initial= on integers (np.multiply.reduce([3, 3], "
        "initial=0.5)) computes in floats and casts the result (NumPy casts initial "
        "first: 0)",
    "where_python_bool":
        "class 14: on several devices mean/var/std(where=False) end in an internal "
        "AttributeError",
    "axis_of_0d":
        "class 14: axis= on a 0-d array is checked the other way round (cumprod(x0d, "
        "axis=-1) refused on every machine, argmin(x0d, axis=-1) on several devices; "
        "NumPy accepts both)",
    "out_dtype_matmul":
        "class 12: np.dot / np.matmul with an out= of another dtype than the result end "
        "in an internal AttributeError (NumPy: UFuncTypeError or ValueError)",
    "logical_reduce_keywords":
        "class 11: logical_and/logical_or.reduce(initial=) and (dtype=) raise an "
        "internal TypeError",
    "reduce_dtype":
        "class 11: maximum/minimum/fmax/fmin.reduce ignore dtype=",
    "complex_to_python_real":
        "float() / int() of a complex 0-d array return (NumPy: TypeError)",
    "numpy_scalar_out_of_range":
        "class 7: assigning a NumPy scalar that does not fit an integer array "
        "(int8_array[...] = np.uint8(200), np.int64(300), np.float32(1e10)) wraps it "
        "(NumPy: OverflowError)",
    "put_value_kind":
        "class 7: np.put with a scalar of another kind than the array (a float into "
        "integers, a complex into reals) casts it (NumPy raises; and arrbackend checks "
        "the indices first, NumPy the value)",
}


def _lifted() -> set:
    text = os.environ.get("ARRBACKEND_FUZZ_LIFT", "")
    return {s.strip() for s in text.split(",") if s.strip()}


_LIFTED = _lifted()


def excluded(name: str) -> bool:
    """Whether the statements of exclusion ``name`` are left out of the programs."""
    assert name in EXCLUSIONS, name
    return "all" not in _LIFTED and name not in _LIFTED


POOLS = {
    "b": [True, False],
    "i": [0, 1, -1, 2, 3, -3, 5, -8, 7],
    "u": [0, 1, 2, 3, 5, 7, 9],
    "f": [0.0, 1.0, -1.0, 0.5, -1.5, 2.5, 3.0, -4.0, 2.0],
    "c": [0j, 1 + 0j, -1.5 + 2j, 0.5j, 2 - 1j, -3 + 0j, 1 + 1j],
}
SPECIALS = {
    "bool": [], "int8": [127, -128], "uint8": [200, 255], "int32": [2**31 - 1, -2**31],
    "int64": [2**40, -2**62], "float16": [math.nan, math.inf, -0.0, 1e3],
    "float32": [math.nan, -math.inf, -0.0, 1e30], "float64": [math.nan, math.inf, -0.0, 1e300],
    "complex64": [complex(math.nan, 0), complex(math.inf, 1)],
    "complex128": [complex(math.nan, 1), -0.0j],
}
# Scalars as operands: Python's (weak, NEP 50) and NumPy's (strong)
SCALARS = [Lit(2), Lit(0.5), Lit(-1), Lit(3), Lit(True), Lit(-2.5), Lit(1j), Lit(0),
           Lit(300), Lit(math.nan), Lit(2**40),
           Call(Ns("float32"), (Lit(1.5),)), Call(Ns("uint8"), (Lit(200),)),
           Call(Ns("int8"), (Lit(-3),)), Call(Ns("float16"), (Lit(2.0),)),
           Call(Ns("int64"), (Lit(7),)), Call(Ns("complex64"), (Lit(1 - 1j),))]

UNARY_UFUNCS = ["negative", "absolute", "sqrt", "square", "exp", "log", "sin", "floor",
                "rint", "sign", "isnan", "isfinite", "logical_not", "invert", "reciprocal",
                "conjugate", "positive", "ceil", "trunc", "log1p", "tanh", "cbrt", "fabs",
                "signbit", "exp2", "arctan", "deg2rad", "isinf", "spacing"]
BINARY_UFUNCS = ["add", "subtract", "multiply", "true_divide", "floor_divide", "remainder",
                 "power", "maximum", "minimum", "fmax", "fmin", "arctan2", "hypot", "less",
                 "greater_equal", "equal", "not_equal", "logical_and", "logical_or",
                 "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift",
                 "right_shift", "copysign", "fmod", "float_power", "heaviside", "gcd",
                 "logaddexp", "nextafter", "ldexp", "lcm"]
TWO_OUT_UFUNCS = {"divmod": 2, "modf": 1, "frexp": 1}
REDUCE_UFUNCS = ["add", "multiply", "maximum", "minimum", "logical_and", "logical_or",
                 "bitwise_or", "bitwise_xor", "subtract", "true_divide", "fmax", "minimum"]
OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "@", "<",
             "<=", ">", ">=", "==", "!="]
INPLACE_OPS = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>"]


def _is_array(v) -> bool:
    return isinstance(v, numpy.ndarray)


def _is_operand(v) -> bool:
    return isinstance(v, (numpy.ndarray, numpy.generic)) or \
        type(v) in (bool, int, float, complex)


def _broadcast(*shapes):
    try:
        return numpy.broadcast_shapes(*shapes)
    except ValueError:
        return None


def _fits(a: tuple, b: tuple) -> bool:
    """Whether shapes a and b broadcast, to a result of a reasonable size."""
    shape = _broadcast(a, b)
    return shape is not None and math.prod(shape) <= max(math.prod(a), math.prod(b), 4096)


def _unsafe(value, dtype: str) -> bool:
    """Whether NumPy casts the Python scalar ``value`` into ``dtype`` unsafely."""
    kind = numpy.dtype(dtype).kind
    if isinstance(value, complex):
        return kind != "c"
    if isinstance(value, float):
        return kind in "biu" and not (math.isfinite(value) and value == int(value) and
                                      (kind != "u" or value >= 0))
    if isinstance(value, int) and not isinstance(value, bool):
        return kind == "u" and value < 0
    return False


def _fancy(k: Key) -> bool:
    return any(isinstance(i, (Lit, BinOp)) for i in k.items)


def _divisors(n: int) -> list:
    return [d for d in range(1, n + 1) if n % d == 0] if n else [0, 1]


class Gen:
    """Draws statements for the programs; ``env`` is the NumPy side's variables."""

    def __init__(self, draw, env: dict, new_name, ndev: int):
        self.draw = draw
        self.env = env
        self.new_name = new_name
        self.ndev = ndev

    # --- drawing ------------------------------------------------------------------------
    def pick(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    def chance(self, pct: int) -> bool:
        """True with probability pct% (shrinks to False)."""
        return self.draw(st.integers(0, 99)) >= 100 - pct

    def int_in(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def dtype(self) -> str:
        return self.pick(DTYPES)

    def shape(self, max_ndim: int = 3) -> tuple:
        ndim = self.pick([1, 2, 0, 3, 2, 1][: 6 if max_ndim >= 3 else 4])
        return tuple(self.pick([3, 2, 4, 1, 0, 5]) for _ in range(min(ndim, max_ndim)))

    def value(self, dtype: str):
        kind = numpy.dtype(dtype).kind
        if SPECIALS[dtype] and self.chance(8):
            return self.pick(SPECIALS[dtype])
        return self.pick(POOLS[kind])

    def scalar(self):
        return self.pick(SCALARS)

    def fill(self, dtype: str):
        """A fill value for an array of ``dtype``."""
        value = self.value(self.dtype())
        if excluded("fill_cast_unsafely") and _unsafe(value, dtype):
            return self.value(dtype)
        return value

    # --- the variables ------------------------------------------------------------------
    def names(self, pred=_is_operand) -> list:
        return sorted((n for n, v in self.env.items() if pred(v)), key=lambda n: int(n[1:]))

    def var(self, pred=_is_operand):
        """A variable satisfying pred, or None."""
        names = self.names(pred)
        return Var(self.pick(names)) if names else None

    def writable(self, pred=lambda v: True):
        """An array variable the program may write into (NumPy scalars are immutable:
        arrbackend's 0-d arrays standing for them are not written, see differences.md)."""
        return self.var(lambda v: _is_array(v) and v.flags.writeable and pred(v))

    def val(self, e):
        """The NumPy side's value of an expression without side effects."""
        return evaluate(e, self.env, numpy)

    def shape_of(self, e) -> tuple:
        return numpy.shape(self.val(e))

    def kind_of(self, e) -> str:
        v = self.val(e)
        return numpy.asarray(v).dtype.kind

    # --- building blocks ----------------------------------------------------------------
    @staticmethod
    def dt(name: str) -> Ns:
        return Ns(name)

    def nested(self, shape: tuple, dtype: str):
        if not shape:
            return self.value(dtype)
        return [self.nested(shape[1:], dtype) for _ in range(shape[0])]

    def literal_array(self, shape: tuple, dtype: str, typed: bool = True) -> Call:
        kw = (("dtype", self.dt(dtype)),) if typed else ()
        return Call(Ns("array"), (Lit(self.nested(shape, dtype)),), kw)

    def fresh(self, shape: tuple, dtype: str):
        """An expression making a new array of ``shape`` and ``dtype``."""
        size = math.prod(shape)
        if size <= 12:
            return self.literal_array(shape, dtype)
        base = BinOp("-", BinOp("%", Call(Ns("arange"), (Lit(size),)), Lit(7)), Lit(3))
        return Call(Attr(Call(Attr(base, "astype"), (self.dt(dtype),)), "reshape"),
                    (Lit(shape),))

    def operand_like(self, shape: tuple):
        """A second operand for an elementwise operation with an operand of ``shape``."""
        r = self.int_in(0, 9)
        if r < 4:
            fits = self.var(lambda v: _is_operand(v) and _fits(numpy.shape(v), shape))
            if fits is not None:
                return fits
        if r < 8:
            return self.scalar()
        if r < 9:
            return self.fresh(shape[-1:] if shape and self.chance(50) else shape,
                              self.dtype())
        return self.var(lambda v: _is_operand(v) and (_broadcast(numpy.shape(v), shape) is None
                                                       or _fits(numpy.shape(v), shape))) \
            or self.scalar()

    def small(self, e):
        """``e``, or its first rows when it is large (outer products stay small)."""
        return Item(e, Key((slice(None, 8),))) if numpy.size(self.val(e)) > 64 else e

    def array_or_new(self, pred=_is_array):
        v = self.var(pred)
        if v is None:
            return self.fresh(self.shape(), self.dtype())
        return v

    def axis(self, ndim: int, allow_tuple: bool = True, allow_none: bool = True):
        r = self.int_in(0, 9)
        if r < 2 and allow_none:
            return None
        if ndim == 0 or r == 9:
            return self.int_in(-ndim - 1, ndim)      # (out of range: AxisError)
        if r >= 7 and allow_tuple and ndim >= 2:
            axes = self.draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                                      unique_by=lambda a: a % ndim))
            return tuple(axes)
        return self.int_in(-ndim, ndim - 1)

    def mask_for(self, shape: tuple):
        """A boolean operand broadcastable to ``shape`` (for where=)."""
        r = self.int_in(0, 4)
        if r == 0:
            return Lit(self.pick([True, False]))
        m = self.var(lambda v: _is_array(v) and v.dtype == bool and
                     _broadcast(v.shape, shape) == shape)
        if m is not None and r < 3:
            return m
        return self.fresh(shape[-1:] if shape and r == 4 else shape, "bool")

    def out_for(self, shape: tuple, any_shape: int = 10):
        """A writable variable of ``shape`` (sometimes of another shape: bad input)."""
        if self.chance(any_shape):
            return self.writable()
        return self.writable(lambda v: v.shape == shape)

    def wraps(self, value, t) -> bool:
        """Whether ``value`` is a NumPy scalar out of the range of the integer array ``t``
        (see EXCLUSIONS: numpy_scalar_out_of_range)."""
        v, dt = self.val(value), self.val(t).dtype
        if not isinstance(v, numpy.generic) or dt.kind not in "iu" or v.dtype.kind not in "iuf" \
                or not excluded("numpy_scalar_out_of_range"):
            return False
        info = numpy.iinfo(dt)
        return not (info.min <= float(v) <= info.max)

    def empty_fancy(self, t, k: Key, sel) -> bool:
        """Whether assigning to t[k] is left out (see EXCLUSIONS: empty_fancy_set)."""
        return sel is not None and math.prod(sel) == 0 and _fancy(k) and \
            1 in self.shape_of(t) and excluded("empty_fancy_set")

    def strict_out(self) -> bool:
        """Whether out= must have the result's dtype (see EXCLUSIONS: out_dtype_split)."""
        return self.ndev > 1 and excluded("out_dtype_split")

    def numpy_where_bug(self, name: str, args: tuple, out) -> bool:
        """NumPy 2.4 writes the elements where= leaves out too when an input overlaps out=
        and the loop's output is cast (np.logical_and(a, a[-1:], out=a, where=m) with a of
        integers): its answer is not generated."""
        try:
            o = self.val(out)
            loop = getattr(numpy, name)(*(self.val(x) for x in args[:getattr(numpy, name).nin]))
        except Exception:
            return False
        overlap = any(_is_array(self.val(x)) and numpy.shares_memory(self.val(x), o)
                      for x in args)
        return overlap and numpy.asarray(loop).dtype != o.dtype

    def int_power(self, base, exponent) -> bool:
        """Documented: arrbackend raises for integers to negative integer powers before
        computing, NumPy for the elements it computes (so a where= mask or the elements
        written into out= before the error differ).  Such statements are not generated."""
        try:
            b, e = numpy.asarray(self.val(base)), numpy.asarray(self.val(exponent))
        except Exception:
            return False
        return b.dtype.kind in "biu" and e.dtype.kind in "iu" and bool((e < 0).any())

    # --- statements ---------------------------------------------------------------------
    def assign(self, expr, label: str, n: int | None = None, **notes) -> Stmt:
        """``name = expr``; with ``n``, ``n`` names unpacking the result."""
        if n is not None:
            notes["unpack"] = True
        return Stmt("assign", expr, tuple(self.new_name() for _ in range(n or 1)),
                    label=label, notes=notes)

    def create(self) -> Stmt:
        dtype, shape = self.dtype(), self.shape()
        how = self.pick(["array", "array", "arange", "zeros", "full", "linspace", "eye",
                         "ones", "like", "copy", "astype", "big"])
        v = self.var(_is_array)
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
            e = Call(Ns("linspace"), (Lit(-2), Lit(3), Lit(n)), (("dtype", self.dt(dtype)),))
            return self.assign(Call(Attr(e, "reshape"), (Lit(shape),)), "np.linspace")
        if how == "eye":
            args = (Lit(self.int_in(0, 4)), Lit(self.int_in(0, 4)))
            return self.assign(Call(Ns("eye"), args, (("k", Lit(self.int_in(-2, 2))),
                                                       ("dtype", self.dt(dtype)))), "np.eye")
        if how == "big":
            # above the fusion threshold however the machine's is set
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
                shape = _broadcast(*(self.shape_of(x) for x in args)) or sa
                outs = (self.out_for(shape), self.out_for(shape))
                if None not in outs:
                    return self.assign(Call(Ns(name), args, (("out", Seq(outs, "tuple")),)),
                                       f"np.{name}(out=)", n=2)
            return self.assign(Call(Ns(name), args), f"np.{name}", n=2)
        name = self.pick(BINARY_UFUNCS if kind == "binary" else UNARY_UFUNCS)
        args = (a, self.operand_like(sa)) if kind == "binary" else (a,)
        if kind == "binary" and self.chance(15):
            args = args[::-1]
        shape = _broadcast(*(self.shape_of(x) for x in args)) or sa
        kw, label = [], f"np.{name}"
        out = self.out_for(shape) if self.chance(35) else None
        if out is not None:
            if self.chance(15) and not (self.ndev > 1 and excluded("positional_out_fused")):
                args = args + (out,)
                label += "(positional out)"
            else:
                kw.append(("out", out))
                label += "(out=)"
            if self.chance(45) and not self.numpy_where_bug(name, args, out):
                kw.append(("where", self.mask_for(shape)))
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
            b = self.var(lambda v: _is_array(v) and v.ndim >= 1 and len(sa) >= 1 and
                         v.shape[0] == sa[-1]) if sa else None
            b = self.small(b or self.fresh((sa[-1],) if sa else (2,), self.dtype()))
        else:
            b = self.operand_like(sa)
        if op != "@" and self.chance(15) and not isinstance(b, Var):
            return self.assign(BinOp(op, b, a), f"scalar {op} array")
        return self.assign(BinOp(op, a, b), f"array {op}")

    def inplace(self) -> Stmt:
        t = self.writable()
        if t is None:
            return self.create()
        op = self.pick(INPLACE_OPS)
        if self.chance(30):         # v[key] op= value
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
            return Stmt("augitem", b, obj=t, key=k, op=op, label=f"v[key] {op}=")
        b = self.operand_like(self.shape_of(t))
        if self.chance(10):
            b = Item(t, Key((slice(None, None, -1),))) if self.val(t).ndim else t
        if op == "**" and self.int_power(t, b):
            op = "+"
        return Stmt("aug", b, (t.name,), op=op, label=f"{op}=")

    def key(self, shape: tuple, basic: bool = False, target=None) -> Key:
        """An index for an array of ``shape``: ints, slices, None, Ellipsis, integer lists
        and boolean masks (``basic``: no integer lists or masks)."""
        items, i, ellipsis = [], 0, False
        kinds = ["slice", "int", "none", "ellipsis"] + ([] if basic else
                                                        ["ints", "mask", "ints2d", "maskvar"])
        while i < len(shape) and len(items) < 4:
            n = shape[i]
            kind = self.pick(kinds)
            if kind == "slice":
                start = self.pick([None, 1, -1, 0, 2, -2, n + 1])
                stop = self.pick([None, -1, 2, 1, 0, n + 2])
                step = self.pick([None, 2, -1, -2, 3])
                items.append(slice(start, stop, step))
                i += 1
            elif kind == "int" and n:
                items.append(self.int_in(-n, n - 1) if not self.chance(5) else n)
                i += 1
            elif kind == "none":
                items.append(None)
            elif kind == "ellipsis" and not ellipsis:
                items.append(Ellipsis)
                ellipsis = True
                i += self.int_in(0, len(shape) - i)
            elif kind == "ints" and n:
                idx = self.draw(st.lists(st.integers(-n, n - 1), max_size=4))
                items.append(Lit(idx))
                i += 1
            elif kind == "ints2d" and n:
                idx = self.draw(st.lists(st.lists(st.integers(-n, n - 1), min_size=2,
                                                  max_size=2), min_size=1, max_size=2))
                items.append(Lit(idx))
                i += 1
            elif kind == "mask":
                items.append(Lit(self.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
                             if n <= 12 else self.fresh((n,), "bool"))
                i += 1
            elif kind == "maskvar" and target is not None and i == 0 and not items and \
                    self.kind_of(target) not in "c":
                items.append(BinOp(self.pick([">", "<", "!="]), target, Lit(0)))
                i = len(shape)
        if not items and self.chance(30):
            items.append(Ellipsis)
        return Key(tuple(items))

    def scalar_index(self, a, k: Key) -> Key:
        """``k``, with a trailing ... where it would take a scalar out of ``a``."""
        if excluded("integer_index_scalar"):
            try:
                if isinstance(self.val(Item(a, k)), numpy.generic):
                    return Key(k.items + (Ellipsis,))
            except Exception:
                pass
        return k

    def indexable(self):
        """An array variable to index (read-only ones left out while excluded)."""
        return self.var(lambda v: _is_array(v) and (v.flags.writeable or
                                                    not excluded("view_of_readonly")))

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
            if self.wraps(value, t):
                value = Lit(self.value(self.val(t).dtype.name))
        elif r < 5:
            value = self.var(lambda v: _is_operand(v) and _broadcast(numpy.shape(v), sel) ==
                             sel) or self.scalar()
        elif r < 8:
            shape = sel[self.int_in(0, len(sel)):] if self.chance(30) else sel
            if self.chance(40) and not excluded("leading_ones_value"):
                shape = (1,) * self.int_in(1, 2) + shape        # extra leading size-1 dims
            value = self.fresh(shape, self.dtype())
        else:
            value = Item(Item(t, k), Key((slice(None, None, -1),))) if sel else Item(t, k)
        return Stmt("setitem", value, obj=t, key=k, label="setitem")

    def view(self) -> Stmt:
        a = self.indexable()
        if a is None:
            return self.create()
        s = self.shape_of(a)
        nd, size = len(s), math.prod(s)
        form = self.pick(["slice", "T", "reshape", "ravel", "diagonal", "real", "imag",
                          "expand_dims", "transpose", "swapaxes", "moveaxis", "squeeze",
                          "newaxis", "broadcast_to", "flip", "rot90", "view", "split",
                          "np.reshape", "np.ravel", "np.diag", "np.real", "atleast_2d",
                          "np.transpose", "np.squeeze", "np.diagonal"])
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

    def new_shape(self, size: int) -> tuple:
        """A shape of ``size`` elements (with -1 sometimes; sometimes wrong: bad input)."""
        ds = _divisors(size)
        r = self.int_in(0, 9)
        if r == 9:
            return (self.pick([size + 1, 2 * size + 1]),)
        a = self.pick(ds)
        if r < 3:
            return (size,) if r else (-1,)
        if r < 6:
            return (a, -1) if self.chance(40) else (a, size // a if a else 0)
        b = self.pick(_divisors(size // a)) if a else 1
        c = size // (a * b) if a * b else 0
        return (a, b, -1 if self.chance(30) else c)

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

    def reduction(self) -> Stmt:
        name = self.pick(sorted(self.REDUCERS))
        method, kws = self.REDUCERS[name]
        a = self.var(lambda v: _is_array(v) or isinstance(v, numpy.generic)) or \
            self.fresh(self.shape(), self.dtype())
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
            kw.append(("dtype", self.dt(self.dtype())))
        if "ddof" in allowed and self.chance(40):
            kw.append(("ddof", Lit(self.int_in(0, 3))))
        if "where" in allowed and self.chance(25):
            kw.append(("where", self.mask_for(s)))
            if name in ("max", "min") and self.chance(85):
                kw.append(("initial", Lit(self.pick([-5, 5, 0.5]))))
        elif "initial" in allowed and self.chance(15):
            kw.append(("initial", Lit(self.pick([-5, 5, 0.5, 1]))))
        kw = self.reduction_keywords(name, a, kw)
        # (NumPy's functions called on a NumPy scalar return a new scalar even with out=;
        # arrbackend's 0-d array standing for it returns out: documented, not generated)
        if "out" in allowed and self.chance(25) and _is_array(self.val(a)):
            try:
                shape = numpy.shape(self.val(Call(Ns(name), (a,), tuple(kw))))
            except Exception:
                shape = None
            out = self.out_for(shape) if shape is not None else None
            if name in ("argmax", "argmin") and self.strict_out():
                out = self.writable(lambda v: v.shape == shape and v.dtype == numpy.intp)
            if out is not None:
                kw.append(("out", out))
        if method and self.chance(40) and isinstance(a, Var) and _is_array(self.val(a)):
            return self.assign(Call(Attr(a, name), (), tuple(kw)), f"v.{name}()")
        label = f"np.{name}" + "".join(f"({k}=)" for k, _ in kw if k in ("where", "out",
                                                                         "dtype", "initial"))
        return self.assign(Call(Ns(name), (a,), tuple(kw)), label)

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
        data_nan = numpy.isnan(numpy.asarray(self.val(a), dtype=complex)).any()
        if name in ("mean", "var", "std") and self.ndev > 1 and excluded("nan_of_nothing") \
                and nans(kw) > 0 and not data_nan:
            kw = [k for k in kw if k[0] not in ("ddof", "where")]
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
        a = self.var(_is_array)
        if a is None:
            return self.create()
        s = self.shape_of(a)
        nd = len(s)
        if form in ("concatenate", "stack", "vstack", "hstack"):
            same = self.var(lambda v: _is_array(v) and v.shape == s)
            b = same if same is not None and self.chance(70) else \
                self.var(lambda v: _is_array(v) and v.ndim == nd) or a
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
            if excluded("put_value_kind") and not numpy.can_cast(
                    numpy.asarray(self.val(vals)).dtype, self.val(t).dtype, "same_kind"):
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
            if excluded("insert_value_kind") and not numpy.can_cast(
                    numpy.asarray(self.val(value)).dtype, self.val(a).dtype, "same_kind"):
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
                b = self.var(lambda v: _is_array(v) and v.ndim >= 1 and nd >= 1 and
                             v.shape[max(v.ndim - 2, 0)] == s[-1]) if nd else None
                b = self.small(b or self.fresh((s[-1] if nd else 2, self.pick([2, 3])),
                                               self.dtype()))
            kw = ()
            if form != "outer" and self.chance(25):
                try:
                    r = numpy.asarray(self.val(Call(Ns(form), (a, b))))
                    out = self.out_for(r.shape) if not excluded("out_dtype_matmul") else \
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
        a = self.var(_is_array) or self.fresh(self.shape(), self.dtype())
        s = self.shape_of(a)
        nd = len(s)
        if method in ("reduce", "accumulate", "reduceat"):
            uf = self.pick(REDUCE_UFUNCS)
            kw = []
            if self.chance(70):
                kw.append(("axis", Lit(self.axis(nd, allow_tuple=method == "reduce"))))
            if self.chance(25) and not (method == "reduce" and excluded("reduce_dtype") and
                                        uf in ("maximum", "minimum", "fmax", "fmin")) and \
                    not (method == "reduce" and uf.startswith("logical") and
                         excluded("logical_reduce_keywords")):
                kw.append(("dtype", self.dt(self.dtype())))
            if method == "reduce":
                if self.chance(20):
                    kw.append(("keepdims", Lit(True)))
                if self.chance(20) and not (uf.startswith("logical") and
                                            excluded("logical_reduce_keywords")):
                    init = self.pick([0, 1, -2, 0.5])
                    if init == 0.5 and self.kind_of(a) in "biu" and \
                            excluded("reduce_float_initial"):
                        init = 2
                    kw.append(("initial", Lit(init)))
                if self.chance(15):
                    kw.append(("where", self.mask_for(s)))
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
            b = self.var(lambda v: _is_operand(v) and numpy.ndim(v) <= 2) or \
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
        a = self.var(_is_operand)
        if a is None:
            return self.create()
        form = self.pick(["float", "int", "bool", "complex", "item", "tolist", "len",
                          "shape", "ndim", "size", "dtype", "item(i)"])
        if form in ("float", "int") and self.kind_of(a) == "c" and \
                excluded("complex_to_python_real"):
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
        a = self.var(_is_array) or self.fresh(self.shape(), self.dtype())
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
                               "bad reshape")
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
            b = self.var(lambda v: _is_array(v) and _broadcast(v.shape, s) is None)
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
            b = self.var(lambda v: _is_array(v) and v.ndim != nd) or Lit(1)
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
