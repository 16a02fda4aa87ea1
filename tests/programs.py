"""Random NumPy programs, run on NumPy and on arrbackend side by side: the statement model
behind ``tests/test_programs.py``.

A statement is a record, never source text to execute: its expression tree names variables,
attributes of the namespace (``np.add.reduce``, ``np.float32``), builtins and literals.  The
same record is evaluated once with ``np`` bound to NumPy and once with ``np`` bound to
arrbackend's front door, and rendered as the NumPy source a user would write, which is the
reproducer printed when the two sides disagree.

The comparison follows ``tests/helpers.py`` (tolerances keyed by dtype, NaN-aware) and
normalizes the documented differences (``docs/differences.md``): where NumPy returns a
scalar, arrbackend may return a 0-d array.
"""
from __future__ import annotations

import builtins
import math
import operator
from dataclasses import dataclass, field

import numpy

import arrbackend
from helpers import ATOL, RTOL

__all__ = ["Var", "Ns", "Lit", "Call", "Attr", "Item", "BinOp", "UnOp", "Seq", "Builtin",
           "Key", "Stmt", "evaluate", "execute", "render", "references", "snapshot", "changed",
           "difference", "public_class", "same_error"]


# ---------------------------------------------------------------------------------------
# expressions

class Expr:
    __slots__ = ()


@dataclass(frozen=True)
class Var(Expr):
    name: str


@dataclass(frozen=True)
class Ns(Expr):
    """An attribute of the namespace: ``np.<path>``."""
    path: str


@dataclass(frozen=True)
class Lit(Expr):
    """A Python literal (numbers, None, lists, tuples, slices, strings)."""
    value: object


@dataclass(frozen=True)
class Builtin(Expr):
    name: str


@dataclass(frozen=True)
class Call(Expr):
    fn: Expr
    args: tuple = ()
    kwargs: tuple = ()          # ((name, Expr), ...)


@dataclass(frozen=True)
class Attr(Expr):
    obj: Expr
    name: str


@dataclass(frozen=True)
class Key(Expr):
    """An index: its items are slices, ints, None, Ellipsis, lists (Lit) or expressions."""
    items: tuple


@dataclass(frozen=True)
class Item(Expr):
    obj: Expr
    key: Key


@dataclass(frozen=True)
class BinOp(Expr):
    op: str
    a: Expr
    b: Expr


@dataclass(frozen=True)
class UnOp(Expr):
    op: str
    a: Expr


@dataclass(frozen=True)
class Seq(Expr):
    items: tuple
    kind: str = "list"


BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
          "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
          "&": operator.and_, "|": operator.or_, "^": operator.xor,
          "<<": operator.lshift, ">>": operator.rshift, "@": operator.matmul,
          "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
          "==": operator.eq, "!=": operator.ne}
INPLACE = {"+": operator.iadd, "-": operator.isub, "*": operator.imul,
           "/": operator.itruediv, "//": operator.ifloordiv, "%": operator.imod,
           "**": operator.ipow, "&": operator.iand, "|": operator.ior, "^": operator.ixor,
           "<<": operator.ilshift, ">>": operator.irshift, "@": operator.imatmul}
UNARY = {"-": operator.neg, "+": operator.pos, "~": operator.invert, "abs": abs}


def evaluate(e, env: dict, ns):
    """The value of expression ``e`` with variables from ``env`` and ``np`` = ``ns``."""
    if isinstance(e, Var):
        return env[e.name]
    if isinstance(e, Lit):
        return e.value
    if isinstance(e, Ns):
        obj = ns
        for part in e.path.split("."):
            obj = getattr(obj, part)
        return obj
    if isinstance(e, Call):
        fn = evaluate(e.fn, env, ns)
        args = [evaluate(a, env, ns) for a in e.args]
        kwargs = {k: evaluate(v, env, ns) for k, v in e.kwargs}
        return fn(*args, **kwargs)
    if isinstance(e, Attr):
        return getattr(evaluate(e.obj, env, ns), e.name)
    if isinstance(e, Item):
        return evaluate(e.obj, env, ns)[evaluate(e.key, env, ns)]
    if isinstance(e, Key):
        items = tuple(evaluate(i, env, ns) if isinstance(i, Expr) else i for i in e.items)
        return items[0] if len(items) == 1 else items
    if isinstance(e, BinOp):
        return BINARY[e.op](evaluate(e.a, env, ns), evaluate(e.b, env, ns))
    if isinstance(e, UnOp):
        return UNARY[e.op](evaluate(e.a, env, ns))
    if isinstance(e, Seq):
        items = [evaluate(i, env, ns) for i in e.items]
        return items if e.kind == "list" else tuple(items)
    if isinstance(e, Builtin):
        return getattr(builtins, e.name)
    raise TypeError(f"not an expression: {e!r}")


# ---------------------------------------------------------------------------------------
# statements

@dataclass
class Stmt:
    """``targets = expr`` (assign; several targets unpack), ``obj[key] = expr`` (setitem),
    ``target op= expr`` (aug), ``obj[key] op= expr`` (augitem), ``expr`` (expr),
    ``del target`` (delete), a comparison of every variable (compare).  ``label`` names
    the operation (a divergence class is keyed by it)."""
    kind: str
    expr: Expr | None = None
    targets: tuple = ()
    obj: Expr | None = None
    key: Key | None = None
    op: str = ""
    label: str = ""
    notes: dict = field(default_factory=dict)


def execute(s: Stmt, env: dict, ns) -> dict:
    """Run ``s``; returns the names it binds (a write through a view changes ``env``'s
    arrays in place, as the program would)."""
    if s.kind == "assign":
        value = evaluate(s.expr, env, ns)
        if len(s.targets) == 1 and not s.notes.get("unpack"):
            return {s.targets[0]: value}
        values = list(value)
        if len(values) != len(s.targets):
            raise ValueError(f"expected {len(s.targets)} values to unpack, "
                             f"got {len(values)}")
        return dict(zip(s.targets, values))
    if s.kind == "setitem":
        obj = evaluate(s.obj, env, ns)
        obj[evaluate(s.key, env, ns)] = evaluate(s.expr, env, ns)
        return {}
    if s.kind == "aug":
        name = s.targets[0]
        return {name: INPLACE[s.op](env[name], evaluate(s.expr, env, ns))}
    if s.kind == "augitem":         # (Python's order: get the item, operate, set it back)
        obj, key = evaluate(s.obj, env, ns), evaluate(s.key, env, ns)
        obj[key] = INPLACE[s.op](obj[key], evaluate(s.expr, env, ns))
        return {}
    if s.kind == "expr":
        evaluate(s.expr, env, ns)
        return {}
    if s.kind in ("delete", "compare"):
        return {}
    raise ValueError(s.kind)


# ---------------------------------------------------------------------------------------
# rendering

def _number(v) -> str:
    if isinstance(v, bool) or v is None:
        return repr(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "np.nan"
        if math.isinf(v):
            return "np.inf" if v > 0 else "-np.inf"
        return repr(v)
    if isinstance(v, complex):
        if any(math.isnan(p) or math.isinf(p) for p in (v.real, v.imag)):
            return f"complex({_number(v.real)}, {_number(v.imag)})"
        return repr(v)
    return repr(v)


def _literal(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_literal(x) for x in v) + "]"
    if isinstance(v, tuple):
        inner = ", ".join(_literal(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, slice):
        return f"slice({v.start!r}, {v.stop!r}, {v.step!r})"
    if v is Ellipsis:
        return "..."
    return _number(v)


def _key_item(i) -> str:
    if isinstance(i, Expr):
        return render(i)
    if isinstance(i, slice):
        text = ("" if i.start is None else str(i.start)) + ":" + \
               ("" if i.stop is None else str(i.stop))
        return text + ("" if i.step is None else f":{i.step}")
    if i is Ellipsis:
        return "..."
    return _literal(i)


_PRECEDENCE = {"**": 7, "*": 5, "/": 5, "//": 5, "%": 5, "@": 5, "+": 4, "-": 4,
               "<<": 3, ">>": 3, "&": 2.6, "^": 2.5, "|": 2.4,
               "<": 1, "<=": 1, ">": 1, ">=": 1, "==": 1, "!=": 1}


def _operand(e, outer: float, right: bool = False) -> str:
    text = render(e)
    if isinstance(e, BinOp):
        p = _PRECEDENCE[e.op]
        if p < outer or (p == outer and (right or e.op == "**")):
            return f"({text})"
    if isinstance(e, UnOp) and e.op != "abs" and outer >= 7:
        return f"({text})"
    if isinstance(e, Lit) and text.startswith("-") and outer >= 6:
        return f"({text})"
    return text


def render(e) -> str:
    """NumPy source for an expression or a statement."""
    if isinstance(e, Stmt):
        return _render_stmt(e)
    if isinstance(e, Var):
        return e.name
    if isinstance(e, Ns):
        return f"np.{e.path}"
    if isinstance(e, Lit):
        return _literal(e.value)
    if isinstance(e, Builtin):
        return e.name
    if isinstance(e, Call):
        parts = [render(a) for a in e.args] + [f"{k}={render(v)}" for k, v in e.kwargs]
        return f"{render(e.fn)}({', '.join(parts)})"
    if isinstance(e, Attr):
        return f"{_operand(e.obj, 9)}.{e.name}"
    if isinstance(e, Key):
        if not e.items:
            return "()"
        return ", ".join(_key_item(i) for i in e.items)
    if isinstance(e, Item):
        return f"{_operand(e.obj, 9)}[{render(e.key)}]"
    if isinstance(e, BinOp):
        p = _PRECEDENCE[e.op]
        return f"{_operand(e.a, p)} {e.op} {_operand(e.b, p, right=True)}"
    if isinstance(e, UnOp):
        if e.op == "abs":
            return f"abs({render(e.a)})"
        return f"{e.op}{_operand(e.a, 6)}"
    if isinstance(e, Seq):
        inner = ", ".join(render(i) for i in e.items)
        if e.kind == "list":
            return f"[{inner}]"
        return f"({inner},)" if len(e.items) == 1 else f"({inner})"
    raise TypeError(f"not an expression: {e!r}")


def _render_stmt(s: Stmt) -> str:
    if s.kind == "assign":
        comma = "," if len(s.targets) == 1 and s.notes.get("unpack") else ""
        return f"{', '.join(s.targets)}{comma} = {render(s.expr)}"
    if s.kind == "setitem":
        return f"{_operand(s.obj, 9)}[{render(s.key)}] = {render(s.expr)}"
    if s.kind == "aug":
        return f"{s.targets[0]} {s.op}= {render(s.expr)}"
    if s.kind == "augitem":
        return f"{_operand(s.obj, 9)}[{render(s.key)}] {s.op}= {render(s.expr)}"
    if s.kind == "expr":
        return render(s.expr)
    if s.kind == "delete":
        return f"del {', '.join(s.targets)}"
    if s.kind == "compare":
        return "# (every variable compared here)"
    raise ValueError(s.kind)


# ---------------------------------------------------------------------------------------
# comparing the two sides

def references(e, names: set, paths: set) -> None:
    """The variables and namespace attributes an expression or statement uses."""
    if isinstance(e, Var):
        names.add(e.name)
    elif isinstance(e, Ns):
        paths.add(e.path)
    elif isinstance(e, (Stmt, Call, Attr, Item, BinOp, UnOp, Seq, Key)):
        for value in vars(e).values():
            references(value, names, paths)
    elif isinstance(e, (tuple, list)):
        for x in e:
            references(x, names, paths)


def snapshot(v):
    """A host copy of a variable's value (arrbackend arrays are copied to NumPy, which
    evaluates a deferred one)."""
    if isinstance(v, arrbackend.ndarray):
        return arrbackend.asnumpy(v).copy()     # (asnumpy may return a shard itself)
    if isinstance(v, numpy.ndarray):
        return v.copy()
    if isinstance(v, list):
        return [snapshot(x) for x in v]
    if isinstance(v, tuple):
        return tuple(snapshot(x) for x in v)
    return v


def changed(before, after) -> bool:
    """Whether a value changed (exactly; NaN equals NaN, -0.0 equals 0.0)."""
    if isinstance(before, (numpy.ndarray, numpy.generic)) and \
            isinstance(after, (numpy.ndarray, numpy.generic)):
        b, a = numpy.asarray(before), numpy.asarray(after)
        if a.shape != b.shape or a.dtype != b.dtype:
            return True
        return not numpy.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if type(before) is not type(after):
        return True
    if isinstance(before, (tuple, list)):
        return len(before) != len(after) or any(changed(b, a) for b, a in zip(before, after))
    try:
        return bool(before != after) and not (before != before and after != after)
    except Exception:
        return True


#: on a GPU, whose math library differs from the host's by an ulp or two (documented):
#: the narrowest inexact dtype the program has computed in, whose rounding then reaches
#: wider results (a complex64 power added to a complex128 number); None on the host
FLOOR = {"char": None}


def _close(got, want, dtype) -> str | None:
    ch = numpy.dtype(dtype).char
    if numpy.dtype(dtype).kind in "fc":
        rtol, atol = RTOL.get(ch, 1e-12), ATOL.get(ch, 1e-13)
        floor = FLOOR["char"]
        if floor is not None:
            rtol, atol = max(rtol, RTOL[floor]), max(atol, ATOL[floor])
        bad = ~numpy.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        # infinities must agree in sign (isclose treats inf == inf, -inf != inf already)
    else:
        bad = got != want
    bad = numpy.asarray(bad)
    if not bad.any():
        return None
    where = tuple(int(i) for i in numpy.argwhere(bad)[0]) if bad.ndim else ()
    return (f"values: {int(bad.sum())} of {bad.size} elements differ, first at {where}: "
            f"NumPy {want[where]!r}, arrbackend {got[where]!r}")


def _python_leaves(v, out):
    if isinstance(v, list):
        for x in v:
            _python_leaves(x, out)
    else:
        out.append(v)
    return out


def difference(np_value, ab_value, ab_host, plain: bool = False) -> str | None:
    """Why arrbackend's value (``ab_value``, copied to the host as ``ab_host``) is not
    NumPy's ``np_value``; None when they agree.  ``plain``: the statement used no
    arrbackend array (NumPy code under ``enabled()`` on NumPy scalars stays NumPy)."""
    if isinstance(np_value, numpy.ndarray):
        # (documented: data devices cannot hold, object dtype included, stays in NumPy
        # arrays on the host)
        host_kind = np_value.dtype.kind in "OUSVMm"
        if not isinstance(ab_value, arrbackend.ndarray) and \
                not ((plain or host_kind) and isinstance(ab_value, numpy.ndarray)):
            return f"type: NumPy ndarray, arrbackend {type(ab_value).__name__}"
        if bool(ab_value.flags.writeable) != bool(np_value.flags.writeable):
            return (f"writeable: NumPy {np_value.flags.writeable}, "
                    f"arrbackend {ab_value.flags.writeable}")
    elif isinstance(np_value, numpy.generic):
        # documented: arrbackend returns a 0-d array where NumPy returns a scalar
        if isinstance(ab_value, arrbackend.ndarray):
            if ab_value.ndim != 0:
                return f"shape: NumPy scalar, arrbackend shape {ab_value.shape}"
        elif not isinstance(ab_value, numpy.generic):
            return f"type: NumPy {type(np_value).__name__}, arrbackend {type(ab_value).__name__}"
    else:
        if type(np_value) is not type(ab_value):
            return f"type: NumPy {type(np_value).__name__}, arrbackend {type(ab_value).__name__}"
        if isinstance(np_value, tuple) and any(isinstance(x, (numpy.ndarray, numpy.generic))
                                               for x in np_value):
            if len(np_value) != len(ab_value):
                return f"type: NumPy {len(np_value)} items, arrbackend {len(ab_value)}"
            for i, (x, y, h) in enumerate(zip(np_value, ab_value, ab_host)):
                why = difference(x, y, h, plain)
                if why is not None:
                    return f"{why} (item {i})"
            return None
        if type(np_value) is not type(ab_value):
            return f"type: NumPy {type(np_value).__name__}, arrbackend {type(ab_value).__name__}"
        if isinstance(np_value, list):
            a, b = _python_leaves(np_value, []), _python_leaves(ab_host, [])
            if [type(x) for x in a] != [type(x) for x in b]:
                return f"type: of the elements, NumPy {np_value!r}, arrbackend {ab_host!r}"
            np_value, ab_host = numpy.asarray(a), numpy.asarray(b)
        elif isinstance(np_value, (int, float, complex)):
            np_value, ab_host = numpy.asarray(np_value), numpy.asarray(ab_host)
        else:
            return None if np_value == ab_host else \
                f"values: NumPy {np_value!r}, arrbackend {ab_host!r}"
        if np_value.shape != ab_host.shape:
            return f"values: NumPy {np_value!r}, arrbackend {ab_host!r}"
        return _close(ab_host, np_value, "e" if np_value.dtype.kind in "fc" else
                      np_value.dtype)
    want, got = numpy.asarray(np_value), numpy.asarray(ab_host)
    if got.shape != want.shape:
        return f"shape: NumPy {want.shape}, arrbackend {got.shape}"
    if got.dtype != want.dtype:
        return f"dtype: NumPy {want.dtype}, arrbackend {got.dtype}"
    return _close(got, want, want.dtype)


def public_class(cls: type) -> type:
    """The nearest class in ``cls``'s MRO that a user can name: a builtin exception or one
    of ``numpy.exceptions`` (NumPy's casting errors are private subclasses of
    TypeError)."""
    for c in cls.__mro__:
        if c.__module__ == "builtins" or getattr(numpy.exceptions, c.__name__, None) is c:
            return c
    return Exception


def same_error(np_exc: BaseException, ab_exc: BaseException) -> bool:
    return isinstance(ab_exc, public_class(type(np_exc)))
