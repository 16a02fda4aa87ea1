"""The bodies of ``__array_function__`` (NEP 18) and ``__array_ufunc__`` (NEP 13).

A NumPy function called with an arrbackend array lands here: registered functions run
their implementation; anything else goes through the fallback.  Ufunc calls run on the
elementwise engine, ufunc reductions on the reduction engine.
"""
from __future__ import annotations

from ..api.fallback import call_numpy
from ..api.registry import lookup
from ..distributed.array import ndarray

__all__ = ["array_function", "array_ufunc", "hook"]

#: ``None``, or while an ``arrbackend.profile()`` is active a callable
#: ``hook(key, call, args)`` that runs ``call(*args)`` and records it under ``key`` (the
#: NumPy function, or ``(ufunc, method)``).  ``call`` is the entry point itself with
#: ``_hooked=True``, so the body below runs once.  Outside a profile the cost of a call is
#: the one ``if``.
hook = None


def array_function(func, types, args, kwargs, _hooked=False):
    if hook is not None and not _hooked:
        return hook(func, array_function, (func, types, args, kwargs, True))
    impl = lookup(func)
    if impl is not None:
        return impl.func(*args, **kwargs)
    for t in types:
        if not issubclass(t, ndarray) and t.__module__.split(".")[0] not in ("numpy",):
            if getattr(t, "__array_function__", None) is not None:
                return NotImplemented
    return call_numpy(func, args, kwargs)


def array_ufunc(ufunc, method, inputs, kwargs, _hooked=False):
    if hook is not None and not _hooked:
        return hook((ufunc, method), array_ufunc, (ufunc, method, inputs, kwargs, True))
    from ..api import ufuncs
    if method == "__call__":
        return ufuncs.ufunc_call(ufunc, inputs, kwargs)
    if len(ufuncs.METHODS) == 1:
        from ..api import ufunc_methods      # (imported on first use)
        ufunc_methods.register()
    handler = ufuncs.METHODS.get(method)
    if handler is not None:
        from ..api.gate import HostData, numpy_answer
        why = None
        try:
            result = handler(ufunc, inputs, kwargs)
        except HostData as exc:         # (an operand of object data: NumPy's answer,
            why = str(exc)              # outside the except, its errors standing alone)
        if why is not None:
            return numpy_answer(getattr(ufunc, method), inputs, kwargs,
                                f"numpy.{ufunc.__name__}.{method}", why)
        if result is not NotImplemented:
            return result
    return call_numpy(getattr(ufunc, method), inputs, kwargs,
                      name=f"numpy.{ufunc.__name__}.{method}")
