"""What the statements of the random programs (``tests/test_programs.py``) are drawn from:
dtypes, values, scalars, shapes, the ufuncs and operators, and ``Draws``, the helpers that
pick variables of the NumPy side (shapes, dtypes, values) to make mostly valid statements.
"""
from __future__ import annotations

import math

import numpy
from hypothesis import strategies as st

from program_exclusions import excluded
from programs import Attr, BinOp, Call, Item, Key, Lit, Ns, Stmt, Var, evaluate

__all__ = ["Draws", "DTYPES", "POOLS", "SCALARS", "UNARY_UFUNCS", "BINARY_UFUNCS",
           "TWO_OUT_UFUNCS", "REDUCE_UFUNCS", "OPERATORS", "INPLACE_OPS", "is_array",
           "is_operand", "broadcast", "fits", "unsafe_cast", "fits_integer", "is_fancy",
           "divisors", "product_meets_zero"]

DTYPES = ["float64", "int64", "bool", "int8", "uint8", "int32", "float16", "float32",
          "complex64", "complex128"]

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


def is_array(v) -> bool:
    return isinstance(v, numpy.ndarray)


def is_operand(v) -> bool:
    return isinstance(v, (numpy.ndarray, numpy.generic)) or \
        type(v) in (bool, int, float, complex)


def broadcast(*shapes):
    try:
        return numpy.broadcast_shapes(*shapes)
    except ValueError:
        return None


def fits(a: tuple, b: tuple) -> bool:
    """Whether shapes a and b broadcast, to a result of a reasonable size."""
    shape = broadcast(a, b)
    return shape is not None and math.prod(shape) <= max(math.prod(a), math.prod(b), 4096)


def unsafe_cast(value, dtype: str) -> bool:
    """Whether NumPy casts the Python scalar ``value`` into ``dtype`` unsafely."""
    kind = numpy.dtype(dtype).kind
    if isinstance(value, complex):
        return kind != "c"
    if isinstance(value, float):
        return kind in "biu" and not (math.isfinite(value) and value == int(value) and
                                      (kind == "b" or numpy.iinfo(dtype).min <= value <=
                                       numpy.iinfo(dtype).max))
    if isinstance(value, int) and not isinstance(value, bool):
        return kind == "u" and value < 0
    return False


def fits_integer(values, dtype: str) -> bool:
    """Whether NumPy's array ``values`` cast into ``dtype`` has one answer everywhere: not
    floats out of an integer type's range (the processor's answer: docs/differences.md)."""
    kind = numpy.dtype(dtype).kind
    values = numpy.asarray(values)
    if kind not in "iu" or values.dtype.kind not in "fc" or values.size == 0:
        return True
    with numpy.errstate(all="ignore"):
        x = numpy.trunc(numpy.real(values).astype(numpy.float64))
    info = numpy.iinfo(dtype)
    return bool(numpy.all(numpy.isfinite(x) & (x >= info.min) & (x <= info.max)))


def product_meets_zero(values) -> bool:
    """Whether a floating-point product of ``values`` holds a zero and overflows without
    it: NumPy's sequential order meets the zero first (0), parallel or per-device partial
    products may meet an infinity (nan) -- docs/differences.md; or is a complex product
    that overflows (which part reaches infinity first depends on the order, too)."""
    values = numpy.asarray(values)
    if values.dtype.kind == "c" and values.size:
        with numpy.errstate(all="ignore"):
            mags = numpy.abs(values).astype(numpy.float64)
            big = mags[mags != 0]
            if not numpy.all(numpy.isfinite(big)) or \
                    numpy.sum(numpy.log(big)) > numpy.log(numpy.finfo(values.dtype).max) - 1:
                return True
    if values.dtype.kind not in "fc" or not values.size or numpy.all(values != 0):
        return False
    with numpy.errstate(all="ignore"):
        nonzero = numpy.abs(values[values != 0]).astype(numpy.float64)
        return bool(numpy.sum(numpy.log(nonzero[numpy.isfinite(nonzero)] + 0.0)) >
                    numpy.log(numpy.finfo(values.dtype).max) - 1 or
                    not numpy.all(numpy.isfinite(nonzero)))


def is_fancy(k: Key) -> bool:
    return any(isinstance(i, (Lit, BinOp)) for i in k.items)


def divisors(n: int) -> list:
    return [d for d in range(1, n + 1) if n % d == 0] if n else [0, 1]


class Draws:
    """Drawing helpers; ``env`` is the NumPy side's variables."""

    def __init__(self, draw, env: dict, new_name, ndev: int, standard: bool = False):
        self.standard = standard    # the arrbackend namespace: the Array API's values
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
        specials = SPECIALS.get(dtype, [])
        if specials and self.chance(8):
            return self.pick(specials)
        return self.pick(POOLS[kind])

    def scalar(self):
        return self.pick(SCALARS)

    def fill(self, dtype: str):
        """A fill value for an array of ``dtype``."""
        value = self.value(self.dtype())
        if excluded("fill_cast_unsafely") and unsafe_cast(value, dtype):
            return self.value(dtype)
        return value

    # --- the variables ------------------------------------------------------------------
    def names(self, pred=is_operand) -> list:
        return sorted((n for n, v in self.env.items() if pred(v)), key=lambda n: int(n[1:]))

    def var(self, pred=is_operand):
        """A variable satisfying pred, or None."""
        names = self.names(pred)
        return Var(self.pick(names)) if names else None

    def writable(self, pred=lambda v: True):
        """An array variable the program may write into (NumPy scalars are immutable:
        arrbackend's 0-d arrays standing for them are not written, see differences.md)."""
        return self.var(lambda v: is_array(v) and v.flags.writeable and pred(v))

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
        if 0 in shape[:-1]:         # ([[], []] is of shape (2, 0) whatever was meant)
            return Call(Ns("zeros"), (Lit(shape),), (("dtype", self.dt(dtype)),))
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
            other = self.var(lambda v: is_operand(v) and fits(numpy.shape(v), shape))
            if other is not None:
                return other
        if r < 8:
            return self.scalar()
        if r < 9:
            return self.fresh(shape[-1:] if shape and self.chance(50) else shape,
                              self.dtype())
        return self.var(lambda v: is_operand(v) and (broadcast(numpy.shape(v), shape) is None
                                                      or fits(numpy.shape(v), shape))) \
            or self.scalar()

    def small(self, e):
        """``e``, or its first 8 along every axis when it is large (outer products stay
        small, whichever axis is long)."""
        v = self.val(e)
        if numpy.size(v) <= 64:
            return e
        return Item(e, Key((slice(None, 8),) * max(numpy.ndim(v), 1)))

    def array_or_new(self, pred=is_array):
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
        """A boolean operand broadcastable to ``shape`` (for where=; sometimes not: bad
        input)."""
        r = self.int_in(0, 4)
        if r == 0:
            return Lit(self.pick([True, False]))
        if self.chance(4):
            return self.fresh((shape[0] + 1,) if shape else (2,), "bool")
        m = self.var(lambda v: is_array(v) and v.dtype == bool and
                     broadcast(v.shape, shape) == shape)
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
        (see EXCLUSIONS: numpy_scalar_out_of_range; a variable holding a NumPy scalar is a
        0-d array on arrbackend's side, assigned as NumPy assigns a 0-d array, without
        the check: documented, so not generated either)."""
        v, dt = self.val(value), self.val(t).dtype
        if not isinstance(v, numpy.generic) or dt.kind not in "iu" or v.dtype.kind not in "iuf":
            return False
        if not isinstance(value, Var) and not excluded("numpy_scalar_out_of_range"):
            return False        # (a NumPy scalar written out: checked as NumPy checks it)
        info = numpy.iinfo(dt)
        return not (info.min <= float(v) <= info.max)

    def fits_value(self, value, t) -> bool:
        """Whether the scalar (or array) ``value`` is of ``t``'s kind (or lower) and its
        values in ``t``'s range."""
        v, dt = numpy.asarray(self.val(value)), self.val(t).dtype
        if not numpy.can_cast(v.dtype, dt, "same_kind"):
            return False
        if dt.kind in "iu" and v.dtype.kind in "iub" and v.size:
            info = numpy.iinfo(dt)
            return info.min <= int(v.min()) and int(v.max()) <= info.max
        return True

    def empty_fancy(self, t, k: Key, sel) -> bool:
        """Whether assigning to t[k] is left out (see EXCLUSIONS: empty_fancy_set)."""
        return sel is not None and math.prod(sel) == 0 and is_fancy(k) and \
            1 in self.shape_of(t) and excluded("empty_fancy_set")

    def strict_out(self) -> bool:
        """Whether out= must have the result's dtype (see EXCLUSIONS: out_dtype_split)."""
        return self.ndev > 1 and excluded("out_dtype_split")

    def numpy_where_bug(self, name: str, args: tuple, out) -> bool:
        """NumPy 2.4 writes the elements where= leaves out too when an input overlaps out=
        and the loop's output is cast (np.logical_and(a, a[-1:], out=a, where=m) with a of
        integers): its answer is not generated.  NumPy 2.4 also crashes (a segmentation
        fault) comparing an integer array with a Python integer out of its range under a
        where= mask (np.greater_equal(int32_array, 2**40, where=False)): not generated."""
        if name in ("less", "less_equal", "greater", "greater_equal", "equal", "not_equal"):
            vals = [self.val(x) for x in args[:2]]
            ints = [v for v in vals if type(v) is int]
            kinds = [numpy.asarray(v).dtype for v in vals if is_array(v)]
            for v in ints:
                for dt in kinds:
                    if dt.kind in "iu" and not numpy.iinfo(dt).min <= v <= numpy.iinfo(dt).max:
                        return True
        try:
            o = self.val(out)
            loop = getattr(numpy, name)(*(self.val(x) for x in args[:getattr(numpy, name).nin]))
        except Exception:
            return False
        overlap = any(is_array(self.val(x)) and numpy.shares_memory(self.val(x), o)
                      for x in args)
        return overlap and numpy.asarray(loop).dtype != o.dtype

    def empty_negative_power(self, base, exponent) -> bool:
        """See EXCLUSIONS: empty_negative_power."""
        e = self.val(exponent)
        return type(e) is int and e < 0 and self.kind_of(base) in "iu" and \
            numpy.size(self.val(base)) == 0 and excluded("empty_negative_power")

    def finite(self, *operands) -> bool:
        """Whether the operands hold no inf or NaN (np.dot and matmul give BLAS's answers
        there, e.g. 0 * inf is 0 through a BLAS scaling: not generated)."""
        try:
            return all(numpy.isfinite(numpy.asarray(self.val(x), dtype=complex)).all()
                       for x in operands)
        except Exception:           # (an operand NumPy cannot make: the statement raises)
            return True

    def standard_floor(self, *operands) -> bool:
        """Documented (guide, "Where the standard and NumPy disagree"): through the
        ``arrbackend`` namespace, ``//`` and ``floor_divide`` of infinities give the
        standard's values.  Such statements are not generated there."""
        return self.standard and not self.finite(*operands)

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
        """An array variable to index or split (read-only ones left out while excluded:
        see EXCLUSIONS, view_of_readonly)."""
        return self.var(lambda v: is_array(v) and (v.flags.writeable or
                                                    not excluded("view_of_readonly")))

    def new_shape(self, size: int) -> tuple:
        """A shape of ``size`` elements (with -1 sometimes; sometimes wrong: bad input)."""
        ds = divisors(size)
        r = self.int_in(0, 9)
        if r == 9:
            return (self.pick([size + 1, 2 * size + 1]),)
        a = self.pick(ds)
        if r < 3:
            return (size,) if r else (-1,)
        if r < 6:
            return (a, -1) if self.chance(40) else (a, size // a if a else 0)
        b = self.pick(divisors(size // a)) if a else 1
        c = size // (a * b) if a * b else 0
        return (a, b, -1 if self.chance(30) else c)
