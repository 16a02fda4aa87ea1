"""``arrbackend.linalg``: ``numpy.linalg`` on arrbackend arrays.

Built from the registry: the functions arrbackend implements natively, and for every
other name of ``numpy.linalg`` a function that runs NumPy's through the fallback."""
import numpy as _numpy

from .dispatch.namespace import module_getattr as _module_getattr, populate as _populate

_NAMES = _populate(globals(), "numpy.linalg")
__getattr__ = _module_getattr("numpy.linalg", "arrbackend.linalg")
LinAlgError = _numpy.linalg.LinAlgError
# the standard's complex results always (np.linalg.eig under enabled() keeps NumPy's)
from .api.standard import eig, eigvals  # noqa: E402
