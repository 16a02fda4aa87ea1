"""Dispatch overhead, elementwise work, reductions, the seed's stencil, halo exchange,
communicators and import time: NumPy against arrbackend."""
import subprocess
import sys

import numpy

import arrbackend

from .common import namespace, size, sync


class _Base:
    machine = "cpu"
    params = ["numpy", "arrbackend"]
    param_names = ["backend"]

    def _enter(self, backend):
        self.xp, ctx = namespace(backend, self.machine)
        self.ctx = ctx
        if ctx is not None:
            ctx.__enter__()

    def teardown(self, *args):
        if getattr(self, "ctx", None) is not None:
            self.ctx.__exit__(None, None, None)


class DispatchOverhead(_Base):
    """Per-call cost of tiny operations (1,000 elements)."""

    def setup(self, backend):
        self._enter(backend)
        self.a = self.xp.asarray(numpy.random.random(1000))
        self.b = self.xp.asarray(numpy.random.random(1000))

    def time_add(self, backend):
        sync(self.a + self.b)

    def time_sum(self, backend):
        sync(self.a.sum())

    def time_slice_multiply(self, backend):
        sync(self.a[1:-1] * 2)


class SmallCalls(_Base):
    """Common calls on 1,000 elements that one CPU device hands to NumPy itself
    (advanced indexing, creation, views, copies, sorts)."""

    def setup(self, backend):
        self._enter(backend)
        self.a = self.xp.asarray(numpy.random.random(1000))
        self.i = self.xp.asarray(numpy.arange(1000) % 7)
        self.mask = self.a > 0.5
        self.m = self.xp.asarray(numpy.random.random((32, 32)))

    def time_take_by_index_array(self, backend):
        sync(self.a[self.i])

    def time_mask_select(self, backend):
        sync(self.a[self.mask])

    def time_put_by_index_array(self, backend):
        self.a[self.i] = 0.5
        sync()

    def time_zeros(self, backend):
        sync(self.xp.zeros(1000))

    def time_transpose_and_reshape(self, backend):
        sync(self.m.T.reshape(-1))

    def time_copy_astype(self, backend):
        sync(self.a.astype(numpy.float32).copy())

    def time_sort(self, backend):
        sync(self.xp.sort(self.a))


class Elementwise(_Base):
    params = (["numpy", "arrbackend"], [10**4, 10**6])
    param_names = ["backend", "n"]

    def setup(self, backend, n):
        self._enter(backend)
        n = size(n)
        self.x = self.xp.asarray(numpy.random.random(n))
        self.y = self.xp.asarray(numpy.random.random(n))

    def time_expression(self, backend, n):
        sync(self.xp.sqrt(self.x * self.x + self.y * self.y) + 1.5 * self.x)

class Reductions(_Base):
    params = (["numpy", "arrbackend"], [None, 0, 1])
    param_names = ["backend", "axis"]

    def setup(self, backend, axis):
        self._enter(backend)
        n = size(1000)
        self.x = self.xp.asarray(numpy.random.random((n, n)))

    def time_sum(self, backend, axis):
        sync(self.x.sum(axis=axis))

    def time_std(self, backend, axis):
        sync(self.x.std(axis=axis))

def stencil_step(grid, new):
    """The tutorial's update, as the user writes it."""
    new[1:-1, 1:-1] = 0.25 * (grid[:-2, 1:-1] + grid[2:, 1:-1]
                              + grid[1:-1, :-2] + grid[1:-1, 2:])


class Stencil(_Base):
    params = (["numpy", "arrbackend"], [100, 1000])
    param_names = ["backend", "n"]

    def setup(self, backend, n):
        self._enter(backend)
        n = size(n)
        self.g = self.xp.asarray(numpy.random.random((n, n)))
        self.h = self.xp.zeros_like(self.g)

    def time_step(self, backend, n):
        stencil_step(self.g, self.h)
        sync()

class HaloExchange:
    """A shifted slice across devices: the halo rows move in one grouped exchange."""
    params = ["cpu:2", "cpu:4"]
    param_names = ["machine"]

    def setup(self, machine):
        self.ctx = arrbackend.devices(machine)
        self.ctx.__enter__()
        self.settings = arrbackend.settings.override(split_bytes=0)
        self.settings.__enter__()
        n = size(512)
        self.g = arrbackend.asarray(numpy.random.random((n, n)))
        self.h = arrbackend.zeros_like(self.g)

    def time_shifted_add(self, machine):
        self.h[1:-1] = self.g[:-2] + self.g[2:]
        sync()

    def track_bytes_exchanged(self, machine):
        arrbackend.counters.reset()
        self.h[1:-1] = self.g[:-2] + self.g[2:]
        return arrbackend.counters.exchange_bytes

    def teardown(self, machine):
        self.settings.__exit__(None, None, None)
        self.ctx.__exit__(None, None, None)


class Communicators:
    """The collectives of the machine's communicator."""
    params = ["cpu:4"]
    param_names = ["machine"]

    def setup(self, machine):
        self.ctx = arrbackend.devices(machine)
        self.m = self.ctx.__enter__()
        self.parts = {d: numpy.random.random(size(10000)) for d in self.m.local}

    def time_allgather(self, machine):
        self.m.comm.allgather(self.parts)

    def time_broadcast(self, machine):
        self.m.comm.broadcast(0, self.parts, self.parts[0].shape, self.parts[0].dtype)

    def teardown(self, machine):
        self.ctx.__exit__(None, None, None)


class ImportTime:
    def timeraw_import(self):
        return "import arrbackend"

    def time_import_subprocess(self):
        subprocess.run([sys.executable, "-c", "import arrbackend"], check=True)


# GPU variants: the same benchmarks, set up on the GPU
class DispatchOverheadGPU(DispatchOverhead):
    machine = "gpu"
    params = ["arrbackend"]


class ElementwiseGPU(Elementwise):
    machine = "gpu"
    params = (["arrbackend"], [10**6, 10**8])


class ReductionsGPU(Reductions):
    machine = "gpu"
    params = (["arrbackend"], [None, 0, 1])


class StencilGPU(Stencil):
    machine = "gpu"
    params = (["arrbackend"], [100, 4096, 16384])

    def track_gpu_memory_bytes(self, backend, n):
        import cupy
        return cupy.get_default_memory_pool().used_bytes()
