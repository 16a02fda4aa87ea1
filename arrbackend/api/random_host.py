"""NumPy's own random numbers on request (``ARRBACKEND_RANDOM=numpy``).

By default ``np.random`` draws from arrbackend's counter-based device streams (see
``arrbackend.api.random``): the same values on any number of devices, but not NumPy's.
With ``settings.random == 'numpy'`` every draw is NumPy's: NumPy generates it on the host
from its own state (the legacy global ``RandomState`` for ``np.random.rand`` and the other
module functions, a ``Generator`` for ``default_rng``, a ``RandomState`` instance), and
the result is copied to the devices.  So a port can be checked against a NumPy run value
for value.  In-place draws (``shuffle``, ``out=``) write into the arrbackend array.

* The module functions switch on the setting at each call (``install`` wraps their
  registered implementations once).
* ``default_rng`` returns a ``HostGenerator``, a ``numpy.random.Generator`` whose methods
  place their arrays on the devices; ``HostRandomState`` does the same for
  ``RandomState`` (``arrbackend.random.RandomState``, and ``np.random.RandomState`` inside
  ``enabled()`` in this mode).  Called from library code inside ``enabled()`` they return
  NumPy's arrays, as every routed function does.
"""
from __future__ import annotations

import functools
import sys
import threading

import numpy

from .._settings import settings
from .fallback import run_on_host

__all__ = ["numpy_mode", "HostGenerator", "HostRandomState", "host_default_rng"]

_RandomState = numpy.random.mtrand.RandomState     # NumPy's class (never patched)


def numpy_mode() -> bool:
    """Whether random numbers are NumPy's own (``ARRBACKEND_RANDOM=numpy``)."""
    return settings.random == "numpy"


def _placed_for_caller(depth: int = 2) -> bool:
    """Whether a draw goes to the devices: not when library code calls inside
    ``enabled()`` (it gets NumPy's arrays, as from every routed function)."""
    from .._origin import is_enabled, is_user_file as _is_user_file
    if not is_enabled():
        return True
    return _is_user_file(sys._getframe(depth).f_code.co_filename)


_drawing = threading.local()       # inside a host draw (NumPy's method calling others)


def _host_method(cls, name):
    base = getattr(cls, name)

    @functools.wraps(base)
    def method(self, *args, **kwargs):
        if getattr(_drawing, "on", False) or not _placed_for_caller():
            return base(self, *args, **kwargs)      # NumPy's own arrays
        _drawing.on = True
        try:
            return run_on_host(functools.partial(base, self), args, kwargs,
                               name=f"{cls.__name__}.{name}")
        finally:
            _drawing.on = False
    return method


_PLAIN = {"bit_generator", "spawn", "get_state", "set_state", "seed", "bytes"}


def _draw_methods(cls) -> dict:
    return {n: _host_method(cls, n) for n in dir(cls)
            if not n.startswith("_") and n not in _PLAIN and callable(getattr(cls, n))}


class HostGenerator(numpy.random.Generator):
    """A ``numpy.random.Generator`` (NumPy's numbers) whose draws are arrbackend arrays."""

    def spawn(self, n_children):
        return [HostGenerator(g.bit_generator)
                for g in numpy.random.Generator.spawn(self, n_children)]

    def __repr__(self) -> str:
        return f"HostGenerator({type(self.bit_generator).__name__}) on arrbackend"

    def __reduce__(self):
        return (HostGenerator, (self.bit_generator,))


for _n, _m in _draw_methods(numpy.random.Generator).items():
    setattr(HostGenerator, _n, _m)


class _SameClass(type):
    """``isinstance(x, HostRandomState)`` holds for every ``numpy.random.RandomState``:
    code that checks the class it finds under ``np.random`` inside ``enabled()`` keeps
    accepting the RandomStates it was given."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, _RandomState)

    def __subclasscheck__(cls, sub) -> bool:
        return issubclass(sub, _RandomState)


class HostRandomState(_RandomState, metaclass=_SameClass):
    """A ``numpy.random.RandomState`` (NumPy's numbers) whose draws are arrbackend arrays."""

    def __reduce__(self):
        return (_restore_random_state, (self.get_state(),))


def _restore_random_state(state):
    rs = HostRandomState()
    rs.set_state(state)
    return rs


for _n, _m in _draw_methods(_RandomState).items():
    setattr(HostRandomState, _n, _m)


def host_default_rng(seed=None):
    """``numpy.random.default_rng(seed)`` as a ``HostGenerator`` (the same stream)."""
    if isinstance(seed, HostGenerator):
        return seed
    if hasattr(seed, "_stream"):            # (an arrbackend counter-based Generator)
        raise TypeError("default_rng: a counter-based arrbackend Generator cannot seed "
                        "NumPy's streams (ARRBACKEND_RANDOM=numpy)")
    return HostGenerator(numpy.random.default_rng(seed).bit_generator)
