"""The registry: one table from NumPy callables to arrbackend implementations.

``@implements(numpy.sum)`` registers an implementation once, with NumPy's signature.
``__array_function__``, the ``arrbackend`` namespace, the Array API surface and the
generated coverage table all read this table.  Signatures are compared with NumPy's when
registered: a mismatch that is not listed in ``extra=``/``missing=`` with a reason is a bug
that ``tests/test_registry.py`` reports.
"""
from __future__ import annotations

import importlib
import inspect
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["implements", "Implementation", "lookup", "registry", "by_name", "get", "names",
           "defer", "load", "load_all", "on_register", "loaded"]


@dataclass
class Implementation:
    numpy_func: Any              # the NumPy callable (None for arrbackend-only functions)
    func: Callable               # the implementation
    name: str                    # public name, e.g. 'sum' or 'linalg.inv'
    module: str                  # 'numpy', 'numpy.linalg', 'numpy.random', ...
    devices: str = "multi"       # 'multi' (any layout), 'single' (gathers to one device),
    #                              'cpu' (CPU shards only; GPUs fall back)
    note: str = ""               # what the documentation says about this implementation
    extra: dict = field(default_factory=dict)     # parameter -> reason (not in NumPy)
    missing: dict = field(default_factory=dict)   # parameter -> reason (NumPy's, unsupported)
    local: bool = False          # on one CPU device, NumPy's own function runs on the shard


_REGISTRY: dict = {}       # numpy callable -> Implementation
_BY_NAME: dict = {}        # 'module:name' -> Implementation

# Families (modules of arrbackend.api) are imported when first needed: importing
# arrbackend imports the few every program uses, and ``lookup``/``get`` import the others
# from the index (``api/index.py``, generated from the registry and checked by a test).
_PENDING: dict = {}        # 'module:name' (registered, or a NumPy callable's own) -> family
_FAMILIES: set = set()     # the families not imported yet
_HOOKS: list = []          # callables applied to each new Implementation, in order
_NONE: set = set()         # NumPy callables known to have no implementation


def implements(*numpy_funcs, name: str | None = None, module: str | None = None,
               devices: str = "multi", note: str = "", extra: dict | None = None,
               missing: dict | None = None, local=False):
    """Register the decorated function as arrbackend's implementation of
    ``numpy_funcs`` (aliases share one implementation).

    ``local=True`` declares that when every array argument lies whole on one CPU device,
    NumPy's own function applied to the shards gives the answer (a new array, or ``out=``):
    that call is made instead, which is NumPy's result exactly at NumPy's speed.  ``local``
    may instead name a function of NumPy arrays that gives NumPy's function's results
    exactly, faster: that one is called."""

    def decorate(func: Callable) -> Callable:
        targets = numpy_funcs or (None,)
        impl_func = func
        if local and numpy_funcs:
            from .local import with_local_path
            impl_func = with_local_path(numpy_funcs[0] if local is True else local, func,
                                        numpy_funcs)
        for nf in targets:
            mod = module or _module_of(nf)
            nm = name or getattr(nf, "__name__", None) or func.__name__
            impl = Implementation(nf, impl_func, nm, mod, devices, note, dict(extra or {}),
                                  dict(missing or {}), bool(local))
            for hook in _HOOKS:
                hook(impl)
            if nf is not None:
                _REGISTRY[nf] = impl
            _BY_NAME[f"{mod}:{nm}"] = impl
        func._arrbackend_impl = True
        return impl_func

    return decorate


def _module_of(nf) -> str:
    if nf is None:
        return "arrbackend"
    mod = getattr(nf, "__module__", None) or "numpy"
    if mod.startswith("numpy.linalg"):
        return "numpy.linalg"
    if mod.startswith("numpy.fft"):
        return "numpy.fft"
    if mod.startswith("numpy.random"):
        return "numpy.random"
    return "numpy"


def lookup(numpy_func) -> Implementation | None:
    impl = _REGISTRY.get(numpy_func)
    if impl is None:
        if getattr(numpy_func, "_arrbackend_routed", False):
            return lookup(numpy_func.__wrapped__)      # NumPy's function under enabled()
        if _FAMILIES and numpy_func not in _NONE:
            try:
                key = f"{_module_of(numpy_func)}:{numpy_func.__name__}"
            except (AttributeError, TypeError):
                key = None
            family = _PENDING.get(key)
            if family is not None:
                load(family)
            else:
                load_all()      # (a name the index does not know: another NumPy's)
            impl = _REGISTRY.get(numpy_func)
            if impl is None:
                try:
                    _NONE.add(numpy_func)
                except TypeError:
                    pass
    return impl


def get(module: str, name: str) -> Implementation | None:
    """The implementation registered under ``module:name`` (its family imported)."""
    key = f"{module}:{name}"
    impl = _BY_NAME.get(key)
    if impl is None and _FAMILIES:
        if key in _PENDING:
            load(_PENDING[key])
        elif hasattr(importlib.import_module(module), name):
            load_all()      # (a name the index does not know: another NumPy's)
        impl = _BY_NAME.get(key)
    return impl


def names(module: str) -> list:
    """Every name registered for ``module``, imported or not."""
    out = {k.partition(":")[2] for k in _BY_NAME if k.partition(":")[0] == module}
    out |= {k.partition(":")[2] for k, fam in _PENDING.items()
            if k.partition(":")[0] == module and fam in _FAMILIES}
    return sorted(n for n in out if "." not in n)


def defer(index: dict) -> None:
    """Families to import when first needed: ``{family module: keys}``."""
    for family, keys in index.items():
        if family in sys.modules:
            continue
        _FAMILIES.add(family)
        for key in keys:
            _PENDING.setdefault(key, family)


def load(family: str) -> None:
    if family in _FAMILIES:
        _FAMILIES.discard(family)
        importlib.import_module(family)
        _NONE.clear()


def load_all() -> None:
    for family in sorted(_FAMILIES):
        load(family)


def on_register(hook) -> None:
    """Apply ``hook(impl)`` to every implementation, registered now or later."""
    _HOOKS.append(hook)
    seen = set()
    for impl in list(_REGISTRY.values()) + list(_BY_NAME.values()):
        if id(impl) not in seen:
            seen.add(id(impl))
            hook(impl)


def loaded() -> dict:
    """The ``module:name`` implementations of the families imported so far."""
    return dict(_BY_NAME)


def registry() -> dict:
    load_all()
    return dict(_REGISTRY)


def by_name() -> dict:
    load_all()
    return dict(_BY_NAME)


def signature_mismatches(impl: Implementation) -> list[str]:
    """Differences between an implementation's parameters and NumPy's, beyond the
    ones the registration lists with a reason."""
    nf = impl.numpy_func
    if nf is None:
        return []
    try:
        ours = inspect.signature(impl.func)
        theirs = inspect.signature(nf)
    except (TypeError, ValueError):
        return []
    problems = []
    our_params = {p.name: p for p in ours.parameters.values()}
    their_params = {p.name: p for p in theirs.parameters.values()}
    for pname, p in their_params.items():
        if pname in impl.missing:
            continue
        q = our_params.get(pname)
        if q is None:
            if p.kind is p.VAR_KEYWORD and any(x.kind is x.VAR_KEYWORD
                                               for x in ours.parameters.values()):
                continue
            problems.append(f"{impl.module}.{impl.name}: missing parameter {pname!r}")
        elif q.kind != p.kind and not (p.kind is p.POSITIONAL_OR_KEYWORD and
                                       q.kind is q.POSITIONAL_OR_KEYWORD):
            problems.append(f"{impl.module}.{impl.name}: parameter {pname!r} is "
                            f"{q.kind.description}, NumPy's is {p.kind.description}")
    for pname in our_params:
        if pname not in their_params and pname not in impl.extra:
            problems.append(f"{impl.module}.{impl.name}: extra parameter {pname!r}")
    order_ours = [n for n in our_params if n in their_params]
    order_theirs = [n for n in their_params if n in our_params]
    if order_ours != order_theirs:
        problems.append(f"{impl.module}.{impl.name}: parameter order {order_ours} differs "
                        f"from NumPy's {order_theirs}")
    return problems
