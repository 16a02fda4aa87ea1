"""Building the ``arrbackend`` namespaces (``arrbackend``, ``arrbackend.linalg``,
``arrbackend.fft``, ``arrbackend.random``) from the registry.

Registered implementations become module attributes; NumPy's ufuncs become
``ufunc_proxy`` objects; dtypes and constants are NumPy's own.  A NumPy name with no
implementation is still reachable: the module's ``__getattr__`` returns a function that
runs it through the fallback (with its FallbackWarning).
"""
from __future__ import annotations

import importlib
import inspect
import sys

import numpy

from ..api import registry

__all__ = ["populate", "module_getattr", "NUMPY_PASSTHROUGH"]

# NumPy objects that are not functions over arrays: types, constants, dtype tools.
NUMPY_PASSTHROUGH = (
    "bool", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "intp", "uintp", "float16", "float32", "float64", "complex64", "complex128",
    "longlong", "ulonglong", "half", "single", "double", "longdouble", "csingle", "cdouble",
    "clongdouble", "byte", "ubyte", "short", "ushort", "intc", "uintc", "int_", "uint",
    "float_", "complex_", "object_", "str_", "bytes_", "void", "generic", "number",
    "integer", "signedinteger", "unsignedinteger", "inexact", "floating",
    "complexfloating", "character", "flexible", "datetime64", "timedelta64",
    "pi", "e", "inf", "nan", "newaxis", "euler_gamma", "little_endian",
    "dtype", "promote_types", "issubdtype", "isdtype", "errstate",
    "seterr", "geterr", "printoptions", "set_printoptions", "get_printoptions",
    "typename", "mintypecode", "format_float_positional", "format_float_scientific",
    "index_exp", "s_", "ndindex", "ndenumerate", "exceptions", "ufunc", "isscalar",
    "AxisError", "ComplexWarning", "broadcast_shapes", "iterable",
)


def populate(namespace: dict, module: str) -> list:
    """Put the implementations registered for ``module`` (whose families are imported)
    into ``namespace``; the others come when first asked for (``module_getattr``).
    Returns every name the namespace serves."""
    names = set(registry.names(module))
    for key, impl in registry.loaded().items():
        mod, _, name = key.partition(":")
        if mod == module and "." not in name:
            namespace[name] = impl.func
    if module == "numpy":
        from ..api.ufuncs import UFUNC_NAMES, ufunc_proxy
        for name in UFUNC_NAMES:
            if name not in namespace:
                namespace[name] = ufunc_proxy(getattr(numpy, name))
                names.add(name)
        for name in NUMPY_PASSTHROUGH:
            if hasattr(numpy, name) and name not in namespace:
                namespace[name] = getattr(numpy, name)
                names.add(name)
    _share_aliases(namespace, importlib.import_module(module))
    return sorted(names)


def _share_aliases(namespace: dict, npmod) -> None:
    """NumPy's aliases are one object under two names (``asin is arcsin``, ``concat is
    concatenate``, ``permute_dims is transpose``): so are arrbackend's, the object of
    NumPy's own name for it."""
    for name in list(namespace):
        obj = getattr(npmod, name, None)
        canonical = getattr(obj, "__name__", None)
        if canonical and canonical != name and canonical in namespace and \
                getattr(npmod, canonical, None) is obj:
            namespace[name] = namespace[canonical]


def _fallback_function(func, qualname: str):
    from ..api.fallback import call_numpy

    def fallback(*args, **kwargs):
        return call_numpy(func, args, kwargs, name=qualname)

    fallback.__name__ = getattr(func, "__name__", qualname)
    fallback.__qualname__ = fallback.__name__
    try:
        fallback.__signature__ = inspect.signature(func)      # NumPy's parameters
    except (TypeError, ValueError):
        pass
    fallback.__doc__ = (f"``{qualname}`` through the fallback: arrbackend has no native "
                        f"implementation, so the operands are gathered to NumPy.")
    fallback._arrbackend_fallback = True
    return fallback


def module_getattr(module: str, ours: str):
    """A module ``__getattr__`` serving NumPy names arrbackend does not implement."""
    cache: dict = {}

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(f"module {ours!r} has no attribute {name!r}")
        if name in cache:
            return cache[name]
        npmod = importlib.import_module(module)
        impl = registry.get(module, name)       # (its family imported on first use)
        if impl is not None:
            obj = impl.func
            canonical = getattr(getattr(npmod, name, None), "__name__", name)
            if canonical != name and registry.get(module, canonical) is not None:
                obj = getattr(sys.modules[ours], canonical)     # NumPy's aliases: one object
            setattr(sys.modules[ours], name, obj)
            return obj
        try:
            obj = getattr(npmod, name)
        except AttributeError:
            raise AttributeError(f"module {ours!r} has no attribute {name!r}") from None
        if callable(obj) and not isinstance(obj, type) and not isinstance(obj, numpy.ufunc):
            obj = _fallback_function(obj, f"{module}.{name}")
        cache[name] = obj
        return obj

    return __getattr__
