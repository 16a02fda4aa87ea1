"""``enabled()``: unmodified ``import numpy as np`` code runs on arrbackend.

While a thread is inside ``with arrbackend.enabled():`` (or a function decorated with
``@arrbackend.enabled()``), NumPy's creation functions (``np.array``, ``np.zeros``,
``np.arange``, ...) and ``np.random`` called *from the user's own code* return arrbackend
arrays.  Everything after that reaches arrbackend through NumPy's own protocols
(``__array_function__``, ``__array_ufunc__``), because the operands are arrbackend arrays.

Rules, in the order they are applied:

* Only the thread (or asyncio task) that entered the block is affected: the routing is
  held in a context variable, so another thread using NumPy at the same time gets plain
  NumPy.  The wrappers are installed in the ``numpy`` module while any block is active and
  removed when the last one exits, restoring NumPy's original functions exactly.
* Calls made from library code (anything in the standard library, in site-packages or
  dist-packages, NumPy itself and arrbackend) get plain NumPy, so SciPy, matplotlib,
  pandas and the rest keep working.  So do calls from compiled code that the user's
  line called (``print(cupy_array)`` reaching ``numpy.empty`` in CuPy's Cython):
  ``arrbackend.dispatch.callsite`` tells them from the user's own calls.  When such a
  library receives an arrbackend array it converts it with ``np.asarray``, i.e. the data
  is copied to the host (counted in ``arrbackend.counters``; a TransferWarning for GPU
  data).
* Names bound before the block (``from numpy import zeros``) are not rerouted.
* Blocks nest, restore the previous devices on exit, and are exception-safe.
"""
from __future__ import annotations

import contextlib
import functools
import sys
import threading

import numpy

from .._origin import _active, is_enabled, is_user_file as _is_user_file  # noqa: F401
from ..distributed.array import lean_array, ndarray
from ..distributed.machine import _active as _active_machine, current_machine, machine_for
from .callsite import called_directly

__all__ = ["enabled", "is_enabled", "ROUTED"]

_lock = threading.Lock()
_depth = 0
_saved: dict = {}

# NumPy functions that make arrays from no array argument: routed while enabled.
ROUTED = {
    "numpy": ["array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray",
              "asarray_chkfinite", "require", "zeros", "ones", "empty", "full",
              "zeros_like", "ones_like", "empty_like", "full_like", "arange", "linspace",
              "logspace", "geomspace", "eye", "identity", "tri", "indices",
              "diag_indices", "tril_indices", "triu_indices", "mask_indices", "meshgrid",
              "copy", "fromfunction", "fromiter", "frombuffer", "fromstring", "fromfile",
              "fromregex", "loadtxt", "genfromtxt", "load", "from_dlpack", "bartlett",
              "blackman", "hamming", "hanning", "kaiser", "isfortran"],
    "numpy.fft": ["fftfreq", "rfftfreq"],
    "numpy.random": None,   # every registered numpy.random function
}


#: creation functions whose NumPy result, on a lean device (one CPU device of one
#: process), is the array itself: NumPy makes it, arrbackend holds it (no other path)
LEAN = frozenset(("zeros", "ones", "empty", "full", "arange", "linspace", "logspace",
                  "geomspace", "eye", "identity", "tri"))
_PLAIN = frozenset((int, float, bool, complex, str, type, type(None), numpy.dtype))


def _plain(values) -> bool:
    """Whether every value is plain: a number, a string, a dtype or type, a tuple of ints."""
    for a in values:
        t = type(a)
        if t not in _PLAIN and not (t is tuple and all(type(e) is int for e in a)) \
                and not isinstance(a, numpy.generic):
            return False
    return True


def _lean(orig, args, kwargs):
    """``orig(*args, **kwargs)`` made by NumPy and held on the current machine's one lean
    device, where its arguments are plain values (numbers, shapes, dtypes) and the result
    a C-ordered array of numbers; None otherwise (the registered implementation's path)."""
    m = _active_machine.get()
    if m is None:
        m = current_machine()
    if m.ndev != 1:
        return None
    dev = m.devices[0]
    if not dev.lean or not _plain(args) or kwargs and (
            "device" in kwargs or "like" in kwargs or not _plain(kwargs.values())):
        return None
    r = orig(*args, **kwargs)
    if type(r) is not numpy.ndarray or r.dtype.kind in "OUSVMm" or \
            not r.flags.c_contiguous:
        return None     # (made again by the implementation: its answer, its layout)
    # (new memory, whatever its base: made from plain values, it aliases nothing)
    return lean_array(r, m, dev)


#: ``*_like`` functions: on a lean device, NumPy's own of the prototype's local array
LIKE = frozenset(("zeros_like", "ones_like", "empty_like", "full_like"))


def _lean_like(orig, args, kwargs):
    """``orig(prototype, ...)`` made by NumPy from the local array of a prototype on a
    lean device, the other arguments plain; None otherwise."""
    if not args or type(args[0]) is not ndarray:
        return None
    x = args[0]
    loc = x._loc
    if loc is None or not x._dev.lean or "device" in kwargs or not _plain(args[1:]) or \
            not _plain(kwargs.values()):
        return None
    r = orig(loc, *args[1:], **kwargs)
    if type(r) is not numpy.ndarray or r.dtype.kind in "OUSVMm":
        return None
    return lean_array(r, x._store.machine, x._dev)


def _make_wrapper(orig, impl, name=""):
    lean = _lean if name in LEAN else _lean_like if name in LIKE else None
    same = name in ("asarray", "asanyarray")

    def wrapper(*args, **kwargs):
        if _active.get():
            f = sys._getframe(1)
            if _is_user_file(f.f_code.co_filename) and called_directly(f):
                if lean is not None:
                    r = lean(orig, args, kwargs)
                    if r is not None:
                        return r
                elif same and not kwargs and len(args) == 1 and type(args[0]) is ndarray \
                        and not args[0]._store.scalar:
                    m = _active_machine.get()       # (an array of the current machine:
                    if args[0]._store.machine is (m or current_machine()):  # itself)
                        return args[0]
                return impl(*args, **kwargs)
        return orig(*args, **kwargs)

    try:
        functools.update_wrapper(wrapper, orig)
    except (AttributeError, TypeError):
        pass
    wrapper.__wrapped__ = orig
    wrapper._arrbackend_routed = True
    return wrapper


def _targets():
    """(module object, attribute name, original, implementation) to patch."""
    from ..api import registry
    out = []
    for modname, mod in (("numpy", numpy), ("numpy.fft", numpy.fft)):
        for name in ROUTED[modname]:
            impl = registry.get(modname, name)
            if impl is not None and hasattr(mod, name):
                out.append((mod, name, getattr(mod, name), impl.func))
    for name in registry.names("numpy.random"):
        impl = registry.get("numpy.random", name)
        if impl is not None and hasattr(numpy.random, name):
            out.append((numpy.random, name, getattr(numpy.random, name), impl.func))
    return out


def _install() -> None:
    for mod, name, orig, impl in _targets():
        if getattr(orig, "_arrbackend_routed", False):
            continue
        _saved[(mod.__name__, name)] = (mod, orig)
        setattr(mod, name, _make_wrapper(orig, impl, name if mod is numpy else ""))
    from .._settings import settings
    if settings.random == "numpy":
        # NumPy's own numbers (ARRBACKEND_RANDOM=numpy): RandomState instances made in
        # the block place their draws on the devices (for the user's code)
        from ..api.random_host import HostRandomState
        _saved[("numpy.random", "RandomState")] = (numpy.random, numpy.random.RandomState)
        numpy.random.RandomState = HostRandomState


def _uninstall() -> None:
    for (_modname, name), (mod, orig) in _saved.items():
        setattr(mod, name, orig)
    _saved.clear()


class enabled(contextlib.ContextDecorator):
    """Run unmodified NumPy code on arrbackend (context manager and decorator).

    Parameters
    ----------
    devices : str, optional
        The devices arrays are made on inside the block: ``'cpu'``, ``'cpu:N'``,
        ``'gpu'``, ``'gpu:N'``, ``'gpu:0,2'`` or ``'auto'``.  Default: ``ARRBACKEND_DEVICES``
        (``'auto'``: every visible GPU, else the CPU).

    Examples
    --------
    >>> import numpy as np
    >>> import arrbackend
    >>> with arrbackend.enabled(devices="cpu:2"):
    ...     x = np.arange(6.0)
    ...     float(np.sum(x * 2))
    30.0
    """

    def __init__(self, devices: str | None = None) -> None:
        self.devices = devices
        self._tokens: list = []

    def __enter__(self):
        global _depth
        machine = machine_for(self.devices) if self.devices is not None else None
        with _lock:
            if _depth == 0:
                _install()
            _depth += 1
        tok = _active.set(True)
        mtok = _active_machine.set(machine) if machine is not None else None
        self._tokens.append((tok, mtok))
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        global _depth
        tok, mtok = self._tokens.pop()
        if mtok is not None:
            _active_machine.reset(mtok)
        _active.reset(tok)
        with _lock:
            _depth -= 1
            if _depth == 0:
                _uninstall()
        return False

    def __repr__(self) -> str:
        return f"arrbackend.enabled(devices={self.devices!r})"
