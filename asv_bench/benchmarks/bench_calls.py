"""Python-level calls per statement (cProfile's count, after the statement's plan is
made): the host work of a small statement as a number that does not move with the
machine's load, so that a regression shows in asv's history as a step.

Statements as a user writes them, over 1,000 elements (the stencil over 100x100):
the seed's stencil step, ``z[...] = x + y * 2.0``, ``np.sum(x)``, ``np.add(x, y,
out=z)``.  Machines: ``cpu:1`` (a laptop's default: NumPy on the local arrays),
``cpu:1-engine`` (the engine's paths, the GPU's, on a NumPy shard) and ``gpu``.
"""
import contextlib
import cProfile
import pstats

import numpy

import arrbackend

from .common import namespace

STATEMENTS = ("stencil 100^2", "z[...] = x + y * 2.0", "np.sum(x)", "np.add(x, y, out=z)")


def statements(np):
    """The statements (name -> a function of no argument) over new arrays of ``np``."""
    x, y, z = np.linspace(0.0, 1.0, 1000), np.linspace(1.0, 2.0, 1000), np.zeros(1000)
    g = np.linspace(0.0, 1.0, 10000).reshape(100, 100)
    h = np.zeros((100, 100))

    def stencil():
        h[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
        return h

    def expression():
        z[...] = x + y * 2.0
        return z

    return {"stencil 100^2": stencil, "z[...] = x + y * 2.0": expression,
            "np.sum(x)": lambda: np.sum(x), "np.add(x, y, out=z)": lambda: np.add(x, y, out=z)}


def python_calls(statement: str, machine: str, check: bool = True, own: bool = False) -> int:
    """cProfile's count of Python-level calls of one run of ``statement`` on ``machine``
    after three runs (``own``: only the calls of arrbackend's functions, which NumPy's
    version does not move); with ``check``, its value is compared with NumPy's first."""
    engine = machine.endswith("-engine")
    spec = machine[:-len("-engine")] if engine else machine
    with arrbackend.enabled(devices=spec):
        from arrbackend.testing import engine_paths
        with engine_paths() if engine else contextlib.nullcontext():
            import numpy as np      # (the user's NumPy, under enabled())
            f = statements(np)[statement]
            for _ in range(3):
                got = f()
            arrbackend.synchronize()
            prof = cProfile.Profile()
            prof.enable()
            f()
            prof.disable()
            if check:
                want = statements(numpy)[statement]()
                numpy.testing.assert_allclose(arrbackend.asnumpy(got), want, rtol=1e-12)
    stats = pstats.Stats(prof)
    if not own:
        return stats.total_calls
    return sum(row[1] for (path, _line, _name), row in stats.stats.items()
               if "arrbackend" in path.replace("\\", "/").split("/"))


class PythonCalls:
    params = (list(STATEMENTS), ["cpu:1", "cpu:1-engine"])
    param_names = ["statement", "machine"]

    def setup(self, statement, machine):
        namespace("arrbackend", machine)        # (asv's skip where there is no GPU)

    def track_python_calls(self, statement, machine):
        return python_calls(statement, machine, check=False)

    track_python_calls.unit = "calls"


class PythonCallsGPU(PythonCalls):
    params = (list(STATEMENTS), ["gpu"])
