"""Fused, multi-threaded evaluation of deferred expressions on CPU shards (numexpr).

A statement's expression becomes one numexpr program: it reads each operand once, in
cache-sized blocks, on every core given to the process, and writes the target once,
where NumPy's ufuncs would make a temporary per operator.  The program is written from
the expression tree, so that it computes what NumPy's ufuncs compute:

* only loops numexpr computes as NumPy does: every operand and every intermediate value
  of one float dtype (float64 or float32, scalars passed as typed 0-d arrays, never as
  literals numexpr would widen), or an int32/int64 operand beside a float64 one (numexpr
  widens it to double as NumPy casts it), a comparison only as the last operation;
* floating-point errors: numexpr reports none, so the target is checked for values that
  are not finite, and where there are any (or where the user asked for underflow to be
  reported) the statement is computed again by NumPy's ufuncs under the user's error
  state, which issues NumPy's warnings or raises its error -- with NumPy's values;
* results agree with NumPy's to the last bit for ``+ - * /`` and ``sqrt``; for the other
  functions within the dtype's rounding (numexpr calls the C library's).

Where numexpr is missing, or the expression is of another kind, the NumPy evaluator
runs (``arrbackend.distributed.plans``); ``arrbackend.profile()`` counts both.
"""
from __future__ import annotations

import numpy

from . import cpu_threads

__all__ = ["available", "program", "use_threads", "source", "MIN_SIZE"]

#: Below this many output elements NumPy's ufuncs cost less than numexpr's call.
MIN_SIZE = 32768

_ne = None
_missing = False


def _numexpr():
    global _ne, _missing
    if _ne is None and not _missing:
        try:
            import numexpr  # noqa: PLC0415  (imported on first use)
            _ne = numexpr
        except ImportError:
            _missing = True
    return _ne


def available() -> bool:
    return _numexpr() is not None


_BINARY = {"add": "({} + {})", "subtract": "({} - {})", "multiply": "({} * {})",
           "true_divide": "({} / {})", "divide": "({} / {})", "power": "({} ** {})",
           "arctan2": "arctan2({}, {})"}
_UNARY = {"negative": "(-{})", "positive": "({})", "absolute": "abs({})",
          "square": "({0} * {0})", "sqrt": "sqrt({})", "sin": "sin({})", "cos": "cos({})",
          "tan": "tan({})", "arcsin": "arcsin({})", "arccos": "arccos({})",
          "arctan": "arctan({})", "sinh": "sinh({})", "cosh": "cosh({})",
          "tanh": "tanh({})", "arcsinh": "arcsinh({})", "arccosh": "arccosh({})",
          "arctanh": "arctanh({})", "exp": "exp({})", "expm1": "expm1({})",
          "log": "log({})", "log10": "log10({})", "log1p": "log1p({})"}
_COMPARE = {"less": "({} < {})", "less_equal": "({} <= {})", "greater": "({} > {})",
            "greater_equal": "({} >= {})", "equal": "({} == {})",
            "not_equal": "({} != {})"}
_FLOATS = (numpy.dtype(numpy.float64), numpy.dtype(numpy.float32))
# correctly rounded in IEEE arithmetic, so numexpr's values are NumPy's in any precision
_EXACT = frozenset(["add", "subtract", "multiply", "true_divide", "divide", "negative",
                    "positive", "absolute", "square", "sqrt"] + list(_COMPARE))

# numexpr names its kinds by types: single precision is Python's ``float``
# (by dtype, not by its type: an int64 array made as ``numpy.longlong`` has that type,
# which numexpr does not know)
_KIND = {numpy.dtype(numpy.float64): numpy.float64, numpy.dtype(numpy.float32): float,
         numpy.dtype(numpy.int64): numpy.int64, numpy.dtype(numpy.int32): numpy.int32}

_programs: dict = {}


def program(expr, lvs):
    """``(compiled program, number of arguments, number of operations)`` for ``expr``
    (leaves ``lvs``), or None where numexpr would not compute NumPy's values.  The arguments are the leaves in order,
    then the scalars (as 0-d arrays of their loop dtype)."""
    ne = _numexpr()
    if ne is None:
        return None
    key = expr.sig
    hit = _programs.get(key, False)
    if hit is not False:
        return hit
    hit = _write(ne, expr, lvs)
    if len(_programs) > 4096:
        _programs.clear()
    _programs[key] = hit
    return hit


def _write(ne, expr, lvs):
    text = source(expr, lvs, _NUMEXPR)
    if text is None:
        return None
    src, sig = text
    ops = src.count("(")            # (every operation is written with its parentheses)
    return ne.NumExpr(src, signature=sig), len(sig), ops


# numexpr's spelling: operands by name, NumPy's function names; an int32 or int64 operand
# beside a float64 one is widened to double by numexpr itself, as NumPy casts it
_WIDENED = {(numpy.dtype(t), numpy.dtype(numpy.float64)): "{}" for t in (numpy.int32,
                                                                         numpy.int64)}
_NUMEXPR = ("{}", dict(_BINARY), dict(_UNARY), _COMPARE, _WIDENED)


# Operations whose result can be finite where an operand is not (``1 / inf`` is 0,
# ``exp(-inf)`` is 0, ``nan ** 0`` is 1, a comparison is a bool): a floating-point error
# raised below them would leave no trace in the result.  In a program whose only check
# is of its result (numexpr's), their operands that can carry an error (operations, not
# leaves or scalars) are refused; a loop nest checks every operation's value instead.
_MASKING = {"true_divide": (1,), "divide": (1,), "power": (0, 1), "arctan2": (0, 1),
            "exp": (0,), "expm1": (0,), "tanh": (0,), "arctan": (0,), "reciprocal": (0,)}


def source(expr, lvs, dialect, temps=False):
    """``(text, signature)``: ``expr`` (leaves ``lvs``) as one expression in ``dialect``
    (``(leaf format, binary, unary, comparison templates, integer casts)``; leaves are
    named ``v<i>``, scalars ``c<i>``), with ``(name, kind)`` of each argument, or None
    where the expression is not of the kind whose values are NumPy's (see the module's
    docstring).

    An integer operand of an operation NumPy computes in a float dtype (``images /
    255.0``: its loop is float64) is cast as NumPy casts it, by the dialect's template
    for ``(integer dtype, float dtype)``; a pair it lacks is not supported.

    ``temps``: the text is ``(assignments, result, checked)`` instead, every operation's
    value a variable ``t<k>`` assigned in order, ``checked`` the variables whose check
    shows every error of the statement: the result (a float one), and each operation's
    value that a masking operation (``_MASKING``) or a comparison takes -- every other
    operation passes an infinity or NaN on to one of those."""
    from .expr import Const, Leaf, Op
    leaf, binary, unary, compare, casts = dialect
    names = {}
    sig = []
    for i, lf in enumerate(lvs):
        names[id(lf)] = leaf.format(f"v{i}")
        sig.append((f"v{i}", _KIND.get(lf.dtype, lf.dtype.type)))
    for i, c in enumerate(expr.consts):
        names[id(c)] = f"c{i}"
        dt = numpy.dtype(c.value.dtype)
        sig.append((f"c{i}", _KIND.get(dt, dt.type)))
    if expr.rands:
        return None
    dtype = [None]

    def text(e, root, loop=None):
        # (``loop``: the float dtype the consuming operation computes in; every operation
        # computes in the same one, ``dtype[0]``, and every operand is of it or cast)
        if isinstance(e, (Leaf, Const)):
            dt = e.dtype if isinstance(e, Leaf) else numpy.dtype(e.value.dtype)
            if loop is None:                        # (the whole expression: a leaf)
                if dt not in _FLOATS:
                    raise _Unsupported
                dtype[0] = dt
            elif dt != loop:
                if (dt, loop) not in casts:
                    raise _Unsupported
                return casts[dt, loop].format(names[id(e)])
            return names[id(e)]
        if not isinstance(e, Op):
            raise _Unsupported
        name = e.ufunc.__name__
        lp = e.loop[0]
        if any(dt != lp for dt in e.loop[:-1]) or lp not in _FLOATS or \
                (dtype[0] is not None and lp != dtype[0]):
            raise _Unsupported
        dtype[0] = lp
        if casts is _WIDENED and all(_integer(a) for a in e.args):
            raise _Unsupported      # (numexpr widens an integer beside a float operand)
        args = [text(a, False, lp) for a in e.args]
        masking = range(len(args)) if name in compare else _MASKING.get(name, ())
        for k in masking:
            if isinstance(e.args[k], Op):
                if not temps:
                    raise _Unsupported  # (an error below it could leave no trace)
                checked.append(args[k])
        if name in compare:
            if not root:
                raise _Unsupported      # (a bool value inside: numexpr casts otherwise)
            return _named(compare[name].format(*args))
        if e.dtype != lp:
            raise _Unsupported
        tmpl = binary.get(name) if len(args) == 2 else unary.get(name)
        if tmpl is None or (lp == _FLOATS[1] and name not in _EXACT):
            raise _Unsupported      # (single precision: NumPy's own SIMD math, not libm's)
        t = _named(tmpl.format(*args))
        if root and temps:
            checked.append(t)
        return t

    assigned = []
    checked = []

    def _named(value):
        if not temps:
            return value
        t = f"t{len(assigned)}"
        assigned.append((t, value))
        return t

    try:
        src = text(expr, True)
    except _Unsupported:
        return None
    if dtype[0] is None:
        return None
    if temps:
        return (assigned, src, checked), sig
    return src, sig


class _Unsupported(Exception):
    pass


def _integer(e) -> bool:
    from .expr import Const, Leaf
    if isinstance(e, Leaf):
        return e.dtype.kind in "iub"
    return isinstance(e, Const) and numpy.dtype(e.value.dtype).kind in "iub"


_threads_set = None


def use_threads() -> None:
    """numexpr's thread count: the ``cpu_threads`` setting, by default the cores given
    to this process (the devices of a ``cpu:N`` machine run one after another, each on
    every core)."""
    global _threads_set
    n = cpu_threads.setting_threads()
    if n != _threads_set:
        _ne.set_num_threads(n)
        _threads_set = n
