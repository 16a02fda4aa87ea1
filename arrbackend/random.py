"""``arrbackend.random``: ``numpy.random`` on arrbackend arrays.

Built from the registry: the functions arrbackend implements natively, and for every
other name of ``numpy.random`` a function that runs NumPy's through the fallback."""

from .dispatch.namespace import module_getattr as _module_getattr, populate as _populate

_NAMES = _populate(globals(), "numpy.random")
__getattr__ = _module_getattr("numpy.random", "arrbackend.random")
from .api.random import Generator  # noqa: E402
from .api.random_host import HostRandomState as RandomState  # noqa: E402  (NumPy's numbers)
