"""GPU-only behaviour (skipped where CuPy finds no GPU): the same random numbers as on
the CPU, NCCL through ``cupy.cuda.nccl`` (one rank), clear MemoryErrors that leave arrays
intact, device interop (``__cuda_array_interface__``, DLPack), no implicit host copies."""
from __future__ import annotations

import warnings

import numpy
import pytest

import arrbackend as ab
from arrbackend.distributed.machine import gpu_count

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not gpu_count(), reason="no GPU visible to CuPy")]


def test_random_matches_cpu():
    draws = {}
    for spec in ("cpu:1", "cpu:3", "gpu"):
        with ab.devices(spec), ab.settings.override(split_bytes=0):
            ab.random.seed(99)
            u = ab.asnumpy(ab.random.uniform(-1, 1, 10001))
            i = ab.asnumpy(ab.random.randint(-5, 2**40, 999))
            z = ab.asnumpy(ab.random.randn(5003))
            f = ab.asnumpy(ab.random.default_rng(4).random(77, dtype=numpy.float32))
            draws[spec] = (u, i, z, f)
    for spec in ("cpu:3", "gpu"):
        u, i, z, f = draws[spec]
        numpy.testing.assert_array_equal(u, draws["cpu:1"][0])      # bit for bit
        numpy.testing.assert_array_equal(i, draws["cpu:1"][1])
        numpy.testing.assert_array_equal(f, draws["cpu:1"][3])
        numpy.testing.assert_array_max_ulp(z, draws["cpu:1"][2], maxulp=8)


@pytest.mark.parametrize("fusion", ["0", "1"])
def test_random_bit_identical_to_cpu(fusion):
    # the stream (Philox4x32-10) on the GPU: uniforms, integers and float32 uniforms bit for
    # bit; normals too, as their transform is the same correctly rounded operations in the
    # same order (no fused multiply-add); fusion '1' computes the draws inside generated
    # kernels (rng_uniform, rng_uniform32, rng_normal), '0' with rng_fill
    draws = {}
    for spec in ("cpu:1", "gpu"):
        with ab.devices(spec), ab.settings.override(split_bytes=0, fusion=fusion):
            ab.random.seed(7)
            g = ab.random.default_rng(11)
            draws[spec] = [ab.asnumpy(x) for x in (
                ab.random.rand(100_003), ab.random.randn(317, 319),
                ab.random.randint(-(2**40), 2**40, 10_001), ab.random.randint(0, 256, 999),
                g.random(50_001, dtype=numpy.float32), g.standard_normal(4099),
                g.integers(0, 2**63, 77), ab.random.uniform(-1, 1, (129, 3))[::2, 1:])]
    for a, b in zip(draws["gpu"], draws["cpu:1"]):
        assert a.dtype == b.dtype
        numpy.testing.assert_array_equal(a, b)


def test_random_reduction_of_draws_matches_cpu():
    # uniforms consumed by a fused reduction (four per thread, rng_uniform4); the test is
    # a comparison of the draws themselves, exact whatever the arithmetic's contraction
    counts = {}
    for spec in ("cpu:1", "gpu"):
        with ab.devices(spec), ab.settings.override(fusion="1"):
            ab.random.seed(3)
            for dt in (numpy.float64, numpy.float32):
                g = ab.random.default_rng(5)
                x, y = g.random(1_000_003, dtype=dt), g.random(1_000_003, dtype=dt)
                counts[spec, dt] = (int(numpy.sum(x < y)), int(numpy.sum(x >= 0.75)))
    for dt in (numpy.float64, numpy.float32):
        assert counts["gpu", dt] == counts["cpu:1", dt]


def test_nccl_one_rank_collectives():
    import cupy
    from arrbackend.distributed.comm import Transfer
    from arrbackend.distributed.comm.nccl import NcclCommunicator
    with ab.devices("gpu:1") as m:
        comm = NcclCommunicator(m, force=True)
        x = cupy.arange(12, dtype=cupy.float64).reshape(3, 4)
        g = comm.allgather({0: x})
        assert len(g[0]) == 1 and bool((g[0][0] == x).all())
        b = comm.broadcast(0, {0: x}, x.shape, x.dtype)
        assert bool((b[0] == x).all())
        dst = cupy.zeros((3, 4))
        comm.exchange([Transfer(0, x, (slice(1, 3),), 0, dst, (slice(0, 2),))])
        assert bool((dst[:2] == x[1:]).all()) and bool((dst[2] == 0).all())


def test_nccl_one_rank_signature_check():
    # the signature exchange of runs without MPI goes through NCCL itself; one rank
    # compares with nobody but runs the same code
    import cupy
    from arrbackend.distributed.comm.nccl import NcclChecker, NcclCommunicator
    with ab.devices("gpu:1") as m:
        comm = NcclCommunicator(m, force=True)
        ck = comm.checker()
        assert isinstance(ck, NcclChecker)
        x = cupy.arange(4.0)
        comm.note("max of (4,) float64")
        comm.allgather({0: x}, "sum over axes (0,) of (4,)")
        comm.broadcast(0, {0: x}, x.shape, x.dtype)
        assert ck.seq == 2 and ck.last[:2] == (2, "broadcast from device 0 [float64 (4,)]")
        row = numpy.arange(4, dtype=numpy.int64).view(numpy.uint8)
        assert ck._swap(row, "arrive", False) == {}          # (no other rank)


def test_nccl_timeout_aborts_the_communicator(monkeypatch):
    import cupy
    from arrbackend.distributed.comm import nccl as nccl_engine
    with ab.devices("gpu:1") as m:
        comm = nccl_engine.NcclCommunicator(m, force=True)
        x = cupy.arange(4.0)
        comm.allgather({0: x})
        monkeypatch.setattr(nccl_engine, "wait_for", lambda done, deadline: False)
        # (the signatures' exchange, first, is what runs out of time here)
        with pytest.raises(ab.CommError, match=r"some process did not arrive \(this engine "
                                               r"cannot tell which\)"):
            comm.allgather({0: x})
        assert comm._comms is None                            # aborted
        monkeypatch.undo()
        with pytest.raises(ab.CommError, match="no longer exchange data|were aborted after "
                                               "an earlier collective failed"):
            comm.allgather({0: x})


def test_one_gpu_named_three_times():
    a = numpy.arange(11 * 7, dtype=float).reshape(11, 7) ** 1.5
    with ab.devices("gpu:0,0,0") as m, ab.settings.override(split_bytes=0):
        assert m.ndev == 3 and type(m.comm).__name__ == "LocalCommunicator"
        g = ab.asarray(a)
        new = g.copy()
        new[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
        assert [s is not None for s in new._store.shards] == [True] * 3
        e = a.copy()
        e[1:-1, 1:-1] = 0.25 * (a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:])
        numpy.testing.assert_allclose(ab.asnumpy(new), e, rtol=1e-14)
        assert float(g.sum()) == pytest.approx(a.sum(), rel=1e-14)
        numpy.testing.assert_array_equal(ab.asnumpy(ab.sort(g[:, 3])), numpy.sort(a[:, 3]))


def test_repeated_statements_free_their_arrays():
    # the prepared launches of repeated statements do not keep dead arrays' memory
    import cupy
    with ab.devices("gpu"), ab.settings.override(fusion="1"):
        y = ab.ones(2**22)
        pool = cupy.get_default_memory_pool()
        for _ in range(6):
            x = ab.empty(2**22)
            x[...] = y * 2
            assert float(x[5]) == 2.0
            del x
        assert pool.used_bytes() <= 3 * 2**22 * 8, pool.used_bytes()


def test_memory_error_is_clear_and_harmless():
    with ab.devices("gpu"):
        x = ab.arange(10.0)
        import cupy
        free, total = cupy.cuda.runtime.memGetInfo()
        n = int(total // 8 * 4)        # four times the card
        with pytest.raises(MemoryError, match=r"asked for [\d,]+ bytes.*free"):
            ab.zeros(n)
        with pytest.raises(MemoryError):
            x + ab.empty(n)
        assert float(x.sum()) == 45.0   # the user's arrays are intact


def test_interop_and_no_silent_host_copies():
    import cupy
    with ab.devices("gpu"):
        x = ab.arange(6.0).reshape(2, 3)
        cai = x.__cuda_array_interface__
        assert cai["shape"] == (2, 3)
        c = cupy.asarray(x)
        assert bool((c == cupy.arange(6.0).reshape(2, 3)).all())
        d = cupy.from_dlpack(x)
        assert d.shape == (2, 3)
        ab.counters.reset()
        y = (x * 2 + 1).sum(axis=0)
        assert ab.counters.host_transfers == 0
        with pytest.warns(ab.TransferWarning):
            numpy.asarray(y)
        with ab.settings.override(transfer="error"):
            with pytest.raises(RuntimeError, match="ARRBACKEND_TRANSFER=error"):
                numpy.asarray(y)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ab.asnumpy(y)           # explicit: no warning
            float(y[0])             # a Python scalar: no warning


def test_dlpack_copies_on_the_device_and_refuses_what_needs_one():
    """The standard's ``__dlpack__``: ``copy=True`` copies on the GPU (CuPy copies only to
    the host); ``copy=False`` to another device is a BufferError."""
    import cupy
    with ab.devices("gpu"):
        x = ab.arange(6.0)
        d = cupy.from_dlpack(x, copy=True)
        d[0] = 99.0
        assert float(x[0]) == 0.0 and float(d[1]) == 1.0
        with pytest.raises(BufferError):
            x.__dlpack__(copy=False, dl_device=(1, 0))
        numpy.testing.assert_array_equal(numpy.from_dlpack(x, device="cpu"),
                                         numpy.arange(6.0))


def test_linalg_on_gpu_raises_like_numpy():
    with ab.devices("gpu"):
        with pytest.raises(numpy.linalg.LinAlgError, match="Singular matrix"):
            numpy.linalg.inv(ab.zeros((4, 4)))
