"""``arrbackend.fft``: ``numpy.fft`` on arrbackend arrays.

Built from the registry: the functions arrbackend implements natively, and for every
other name of ``numpy.fft`` a function that runs NumPy's through the fallback."""

from .dispatch.namespace import module_getattr as _module_getattr, populate as _populate

_NAMES = _populate(globals(), "numpy.fft")
__getattr__ = _module_getattr("numpy.fft", "arrbackend.fft")
