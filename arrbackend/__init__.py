"""arrbackend: a drop-in, distributed, GPU-accelerated NumPy.

Three front doors, one engine:

* ``with arrbackend.enabled(): ...`` around unmodified ``import numpy as np`` code;
* ``import arrbackend as np``: this module is a NumPy-2-style namespace;
* the Array API standard: ``x.__array_namespace__()`` is this module.

Importing arrbackend never imports CuPy or touches CUDA; the first GPU operation does.
"""
from __future__ import annotations

__version__ = "0.1.0"

from ._settings import settings
from ._counters import counters
from ._ndarray import ndarray
from .api.fallback import FallbackWarning
from .distributed.hostio import TransferWarning
from .dispatch.enabled import enabled, is_enabled
from .api.devices import Device
from .distributed.machine import current_machine, use_machine
from .distributed.layout import Layout
from .distributed.bootstrap import init, world, rank, world_size, print_once
from .distributed.comm.check import CommError
from . import api as _api  # noqa: F401  (registers every implementation)
from .dispatch.namespace import populate as _populate, module_getattr as _module_getattr
from .dispatch.array_api import API_VERSION as __array_api_version__
from .dispatch.array_api import namespace_info as __array_namespace_info__


def asnumpy(x):
    """The array ``x`` as a NumPy array on the host (an explicit, counted copy)."""
    from .distributed.hostio import gather
    if isinstance(x, ndarray):
        return gather(x, explicit=True)
    import numpy
    return numpy.asarray(x)


def evaluate(*arrays):
    """Compute any deferred values of ``arrays`` now (their kernels are launched; use
    ``synchronize()`` to wait for them).  Returns the arrays, one or a tuple."""
    for x in arrays:
        if isinstance(x, ndarray) and x._store.pending:
            x._store.materialize()
    return arrays[0] if len(arrays) == 1 else arrays


def synchronize(machine=None) -> None:
    """Wait until every device of ``machine`` (default: the current one) has finished
    the work queued so far (a no-op on CPU devices)."""
    m = machine if machine is not None else current_machine()
    if m.is_gpu:
        for d in m.local:
            dev = m.devices[d]
            with dev.activate():
                dev.xp.cuda.get_current_stream().synchronize()


def devices(spec: str | None = None):
    """Context manager: arrays created inside are made on ``spec`` (e.g. ``'cpu:3'``)."""
    return use_machine(spec)


_NAMES = _populate(globals(), "numpy")
_numpy_getattr = _module_getattr("numpy", "arrbackend")

# imported when first used (importing arrbackend stays short): the namespaces built from
# the registry, the standard's finfo/iinfo, the profiler
_LAZY = {"linalg": ("arrbackend.linalg", None), "fft": ("arrbackend.fft", None),
         "random": ("arrbackend.random", None),
         "finfo": ("arrbackend.api.attributes", "finfo"),
         "iinfo": ("arrbackend.api.attributes", "iinfo"),
         "profile": ("arrbackend.profiling", "profile")}
for _name in _LAZY:
    globals().pop(_name, None)


def __getattr__(name: str):
    spec = _LAZY.get(name)
    if spec is None:
        return _numpy_getattr(name)
    import importlib
    mod = importlib.import_module(spec[0])
    value = mod if spec[1] is None else getattr(mod, spec[1])
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | set(_NAMES))

__all__ = ["ndarray", "enabled", "asnumpy", "synchronize", "evaluate", "profile", "settings", "counters", "FallbackWarning",
           "TransferWarning", "Device", "devices", "current_machine", "linalg", "fft",
           "random", "world", "rank", "world_size", "print_once", "CommError",
           "init"] + _NAMES

from .distributed.failures import install_if_launched as _install_if_launched  # noqa: E402
_install_if_launched()      # under mpiexec/srun: an uncaught error ends every process
