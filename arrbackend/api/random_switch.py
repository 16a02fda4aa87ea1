"""``numpy.random`` module functions follow the random-number setting: arrbackend's own
streams (default), or with ``ARRBACKEND_RANDOM=numpy`` NumPy's numbers computed on the
host and placed on the devices (``random_host``, imported only then).  Applied to every
registered implementation, now or later, before the gate wraps it."""
from __future__ import annotations

import functools

from .._settings import settings


def _switch(impl):
    """The registered implementation of a ``numpy.random`` function, or in NumPy mode
    NumPy's own function run on the host with its result placed on the devices."""
    engine = impl.func
    numpy_func = impl.numpy_func
    name = f"numpy.random.{impl.name}"

    @functools.wraps(engine)
    def call(*args, **kwargs):
        if settings.random != "numpy":
            return engine(*args, **kwargs)
        from .random_host import host_default_rng
        from .fallback import run_on_host
        if impl.name == "default_rng":
            return host_default_rng(*args, **kwargs)
        return run_on_host(numpy_func, args, kwargs, name=name)

    call._arrbackend_engine = getattr(engine, "_arrbackend_engine", engine)
    return call


def install() -> None:
    """Make every registered ``numpy.random`` module function follow the setting (also
    those of the families imported later), before the gate wraps it."""
    from .registry import on_register
    on_register(_follow_setting)


def _follow_setting(impl) -> None:
    if impl.module == "numpy.random" and "." not in impl.name and \
            not getattr(impl.func, "_arrbackend_random_switch", False):
        impl.func = _switch(impl)
        impl.func._arrbackend_random_switch = True


install()
