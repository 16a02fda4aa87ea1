"""Whether a routed NumPy function was called by the user's line itself, or by compiled
code that the user's line called.

``enabled()`` routes NumPy's creation functions only for the user's own calls.  Python
frames say which file called; compiled code (Cython, C: CuPy's ``.get()``, pandas'
``lib.pyx``, NumPy's own ``SeedSequence``) leaves no frame, so the last Python frame is
the user's line that called *it*: ``print(cupy_array)`` reaches ``numpy.empty`` from
CuPy's compiled ``__str__`` with the user's frame on top.  The difference is in what that
line is calling: the instruction running in the frame, and the callee written in the
source at that instruction's position (``co_positions``), resolved without side effects
(names, module attributes, static attributes).  The routed function itself, or a
higher-order builtin that calls it for the user (``map(np.array, rows)``), means the
user's call; anything else compiled means a library's, and so does a callee that cannot
be read without running code (the method of a call's result).  A line without source
(``python -c``, an interactive prompt without history) counts as the user's call.
"""
from __future__ import annotations

import ast
import builtins
import dis
import functools
import inspect
import linecache
import types

__all__ = ["called_directly"]

_CACHE = dis.opmap.get("CACHE", -1)
_CALL_OPS = frozenset(dis.opmap[n] for n in ("CALL", "CALL_KW", "CALL_FUNCTION_EX",
                                               "CALL_FUNCTION", "CALL_FUNCTION_KW",
                                               "CALL_METHOD") if n in dis.opmap)

# builtins that call a function they are given (map(np.array, rows), sorted(key=...))
_HIGHER_ORDER = frozenset(getattr(builtins, n) for n in (
    "map", "filter", "sorted", "min", "max", "sum", "list", "tuple", "set", "frozenset",
    "dict", "zip", "enumerate", "reversed", "all", "any", "next", "iter"))
_HIGHER_ORDER_MODULES = frozenset(("functools", "_functools", "itertools", "operator",
                                   "_operator"))

_UNKNOWN = object()
_callee_cache: dict = {}


def _callee(code, lasti: int):
    """The callee expression (an ``ast`` node) of the call at ``lasti`` in ``code``;
    None when the source cannot say; False when the instruction is not a call."""
    key = (id(code), lasti)          # (a code object hashes its whole contents)
    hit = _callee_cache.get(key)
    if hit is not None and hit[0] is code:
        return hit[1]
    node = None
    raw = code.co_code
    at = lasti
    while 0 < at < len(raw) and raw[at] == _CACHE:     # (the call's inline cache)
        at -= 2
    if at < 0 or at >= len(raw) or raw[at] not in _CALL_OPS:
        node = False                # the frame runs an operator, a format, a loop...
    elif hasattr(code, "co_positions"):
        try:
            pos = list(code.co_positions())[at // 2]
            node = _parse_call(code.co_filename, *pos)
        except (IndexError, ValueError, SyntaxError, UnicodeError, TypeError):
            node = None
    if len(_callee_cache) > 4096:
        _callee_cache.clear()
    _callee_cache[key] = (code, node)
    return node


def _parse_call(filename, line, end_line, col, end_col):
    if None in (line, end_line, col, end_col):
        return None
    lines = linecache.getlines(filename)
    if not lines or end_line > len(lines):
        return None
    chunk = [ln.encode("utf-8") for ln in lines[line - 1:end_line]]   # (offsets: bytes)
    if len(chunk) == 1:
        text = chunk[0][col:end_col]
    else:
        text = chunk[0][col:] + b"".join(chunk[1:-1]) + chunk[-1][:end_col]
    tree = ast.parse(text.decode("utf-8").strip(), mode="eval").body
    return tree.func if isinstance(tree, ast.Call) else None


def _resolve(node, frame):
    """The object a callee expression names, found without running code; _UNKNOWN if the
    expression is more than names and attributes."""
    if isinstance(node, ast.Name):
        for scope in (frame.f_locals, frame.f_globals, frame.f_builtins):
            if node.id in scope:
                return scope[node.id]
        return _UNKNOWN
    if isinstance(node, ast.Attribute):
        return _attribute(_resolve(node.value, frame), node.attr)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        base = _resolve(node.value, frame)          # funcs[0], table["zeros"]
        if type(base) in (list, tuple, dict):
            try:
                return base[node.slice.value]
            except (LookupError, TypeError):
                return _UNKNOWN
        return _UNKNOWN
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == "getattr" and len(node.args) == 2 and not node.keywords and \
            isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str) \
            and _resolve(node.func, frame) is builtins.getattr:
        return _attribute(_resolve(node.args[0], frame), node.args[1].value)
    return _UNKNOWN


def _attribute(base, name):
    if base is _UNKNOWN:
        return _UNKNOWN
    try:
        if isinstance(base, (types.ModuleType, type)):
            return getattr(base, name)
        return inspect.getattr_static(base, name)
    except AttributeError:
        return _UNKNOWN


def _users_call(obj) -> bool:
    """Whether calling ``obj`` from the user's line is the user's own call of a routed
    function (or could be)."""
    if getattr(obj, "_arrbackend_routed", False):
        return True
    if isinstance(obj, (types.FunctionType, types.MethodType, functools.partial)):
        return True             # Python code (or a partial of the routed function)
    try:
        if obj in _HIGHER_ORDER:
            return True
    except TypeError:           # (unhashable)
        return False
    return getattr(obj, "__module__", None) in _HIGHER_ORDER_MODULES


def called_directly(frame) -> bool:
    """Whether the user's ``frame`` is itself calling the routed function now running
    (else compiled code it called is calling it)."""
    node = _callee(frame.f_code, frame.f_lasti)
    if node is False:
        return False
    if node is None:
        return True
    obj = _resolve(node, frame)
    # a callee that cannot be read without running code (a method of a call's result:
    # np.random.RandomState(5).rand(2)) is taken for compiled code: NumPy's array is
    # safe there, an arrbackend array may crash it
    return obj is not _UNKNOWN and _users_call(obj)
