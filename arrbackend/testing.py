"""Helpers for checking a NumPy program on arrbackend against NumPy itself.

arrbackend's random numbers are counter-based (the same on any number of devices), so
they differ from NumPy's sequential streams.  ``numpy_with_arrbackend_random()`` makes
plain NumPy's ``np.random`` functions answer with arrbackend's draws (copied to the host),
so that one program run with NumPy and with arrbackend sees identical inputs and can be
compared value by value with ``assert_same``.
"""
from __future__ import annotations

import contextlib

import numpy

__all__ = ["numpy_with_arrbackend_random", "assert_same", "to_host", "engine_paths"]

_RANDOM = ("seed", "rand", "randn", "random", "random_sample", "uniform", "normal",
           "randint", "standard_normal")


@contextlib.contextmanager
def numpy_with_arrbackend_random():
    """Inside the block, plain NumPy's ``np.random`` returns arrbackend's draws as NumPy
    arrays (and ``np.random.seed`` seeds arrbackend's streams)."""
    import arrbackend as ab
    saved = {n: getattr(numpy.random, n) for n in _RANDOM}

    def host(fn):
        def call(*args, **kwargs):
            with ab.devices("cpu:1"):
                r = fn(*args, **kwargs)
            return ab.asnumpy(r) if isinstance(r, ab.ndarray) else r
        call.__name__ = fn.__name__
        return call

    try:
        for n in _RANDOM:
            setattr(numpy.random, n, host(getattr(ab.random, n)))
        yield
    finally:
        for n, f in saved.items():
            setattr(numpy.random, n, f)


@contextlib.contextmanager
def engine_paths(machine=None):
    """Inside the block, the machine's calls take the distributed engine's paths even on
    one CPU device, where they are otherwise handed to NumPy on the local arrays: the
    paths a GPU takes, exercised by NumPy shards (a test machine ``'cpu:1-engine'``).
    The machine object is shared (``'cpu'`` and ``'cpu:1'`` are one): for a test's
    duration in one thread, not for a program's other threads.  Processes under MPI take
    the engine's paths already (their shortcuts are off)."""
    import arrbackend as ab
    m = machine if machine is not None else ab.current_machine()
    saved = m.shortcuts, [d.lean for d in m.devices]
    m.shortcuts = False
    for d in m.devices:
        d.lean = False
    try:
        yield m
    finally:
        m.shortcuts = saved[0]
        for d, lean in zip(m.devices, saved[1]):
            d.lean = lean


def to_host(obj):
    """Every arrbackend array inside ``obj`` (dicts, lists, tuples) as a NumPy array."""
    import arrbackend as ab
    if isinstance(obj, ab.ndarray):
        return ab.asnumpy(obj)
    if isinstance(obj, dict):
        return {k: to_host(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_host(v) for v in obj)
    return obj


def assert_same(got, expected, rtol: float = 1e-9, atol: float = 1e-9) -> None:
    """``got`` (arrbackend results, any nesting) equals NumPy's ``expected``: same
    shapes and dtypes, values within the tolerances (exact for integers and booleans)."""
    got = to_host(got)
    if isinstance(expected, dict):
        assert set(got) == set(expected), (set(got), set(expected))
        for k in expected:
            assert_same(got[k], expected[k], rtol, atol)
        return
    if isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same(g, e, rtol, atol)
        return
    if isinstance(expected, (numpy.ndarray, numpy.generic)) or isinstance(got, numpy.ndarray):
        g, e = numpy.asarray(got), numpy.asarray(expected)
        assert g.shape == e.shape, f"shape {g.shape} != {e.shape}"
        assert g.dtype == e.dtype, f"dtype {g.dtype} != {e.dtype}"
        if e.dtype.kind in "fc":
            numpy.testing.assert_allclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        else:
            numpy.testing.assert_array_equal(g, e)
        return
    if isinstance(expected, float):
        assert abs(float(got) - expected) <= atol + rtol * abs(expected), (got, expected)
        return
    assert got == expected, (got, expected)
