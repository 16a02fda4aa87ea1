"""Random numbers on the CPU: NumPy's generators and arrbackend's (the compiled kernels of
``arrbackend.kernels.philox_cpu``) side by side, the rows the random-number work is judged
by, and a uniform draw inside a statement."""
import numpy

import arrbackend

from .bench_core import _Base
from .common import size, sync


class RandomCPU(_Base):
    """``np.random.randn(4000, 4000)``, ``rand(10**7)``, ``default_rng(1).random(10**7)``,
    ``randint(0, 256, 10**7)`` (timings include writing the result)."""

    def setup(self, backend):
        self._enter(backend)
        self.n = size(10**7)
        self.side = size(4000)
        self.xp.random.seed(0)
        # warm: compile (or load) each kernel once
        self.xp.random.randn(8), self.xp.random.rand(8), self.xp.random.randint(0, 256, 8)
        self.xp.random.default_rng(1).random(8)

    def time_randn(self, backend):
        sync(self.xp.random.randn(self.side, self.side))

    def time_rand(self, backend):
        sync(self.xp.random.rand(self.n))

    def time_default_rng_random(self, backend):
        sync(self.xp.random.default_rng(1).random(self.n))

    def time_randint(self, backend):
        sync(self.xp.random.randint(0, 256, self.n))

    def time_uniform_float32(self, backend):
        sync(self.xp.random.default_rng(1).random(self.n, dtype=numpy.float32))


class RandomThreads:
    """One draw of 10**7 uniforms on 1 and on every thread (``cpu_threads``)."""
    params = [1, "auto"]
    param_names = ["threads"]

    def setup(self, threads):
        self.ctx = arrbackend.settings.override(cpu_threads=threads)
        self.ctx.__enter__()
        self.n = size(10**7)
        arrbackend.random.rand(8)

    def time_rand(self, threads):
        sync(arrbackend.random.rand(self.n))

    def teardown(self, threads):
        self.ctx.__exit__(None, None, None)
