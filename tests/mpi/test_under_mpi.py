"""Run under an MPI launcher (``mpiexec -n 2 python -m pytest tests/mpi``): one program on
several processes, each owning its devices; every result must equal the single-process
NumPy result (random arrays bit for bit).  tests/test_multiprocess.py launches this."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from arrbackend.kernels import philox

pytestmark = pytest.mark.skipif(ab.world().nranks < 2, reason="needs an MPI launcher")


@pytest.fixture(autouse=True)
def split_everything():
    with ab.settings.override(split_bytes=0):
        yield


def host(x):
    return ab.asnumpy(x)


def test_machine_spans_processes():
    m = ab.current_machine()
    w = ab.world()
    assert m.nranks == w.nranks and m.ndev % w.nranks == 0
    assert all(m.devices[d].rank == w.rank for d in m.local)


def test_stencil_halo_exchange():
    a = numpy.arange(11 * 7, dtype=float).reshape(11, 7) ** 1.5
    g = ab.asarray(a)
    new = ab.zeros_like(g)
    for _ in range(3):
        new[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
        new[0, :] = g[0, :]
        g, new = new, g
    e = a.copy()
    en = numpy.zeros_like(e)
    for _ in range(3):
        en[1:-1, 1:-1] = 0.25 * (e[:-2, 1:-1] + e[2:, 1:-1] + e[1:-1, :-2] + e[1:-1, 2:])
        en[0, :] = e[0, :]
        e, en = en, e
    numpy.testing.assert_allclose(host(g), e, rtol=1e-14)


def test_stencil_on_large_shares():
    # shares large enough that each device computes its edge rows from tiles and its
    # interior in place (plans._pieces), the edges' rows sent between processes
    a = numpy.random.default_rng(2).random((1100, 300))
    g = ab.asarray(a)
    new = ab.zeros_like(g)
    e, en = a.copy(), numpy.zeros_like(a)
    for _ in range(3):
        new[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
        en[1:-1, 1:-1] = 0.25 * (e[:-2, 1:-1] + e[2:, 1:-1] + e[1:-1, :-2] + e[1:-1, 2:])
        g, new, e, en = new, g, en, e
    numpy.testing.assert_array_equal(host(g), e)


def test_exchanges_not_involving_every_process():
    # the blocks read here live on some processes only: the others still take part
    a = numpy.arange(12.0)
    x = ab.asarray(a)
    numpy.testing.assert_array_equal(host(x[:4] + x[4:8]), a[:4] + a[4:8])
    with ab.settings.override(fusion="0"):
        numpy.testing.assert_array_equal(host(x[1:3] * x[2:4]), a[1:3] * a[2:4])


def test_reductions_and_python_values():
    a = numpy.linspace(-3, 5, 13 * 4).reshape(13, 4)
    x = ab.asarray(a)
    numpy.testing.assert_allclose(host(x.sum(axis=0)), a.sum(axis=0), rtol=1e-13)
    numpy.testing.assert_allclose(host(x.sum(axis=1)), a.sum(axis=1), rtol=1e-13)
    assert float(x.mean()) == pytest.approx(a.mean(), rel=1e-13)
    assert float(x.std()) == pytest.approx(a.std(), rel=1e-13)
    assert int(numpy.argmax(x)) == int(numpy.argmax(a))
    numpy.testing.assert_array_equal(host(numpy.argmin(x, axis=0)), numpy.argmin(a, axis=0))
    assert bool((x > 4).any()) and not bool((x > 5).any())


def test_matmul_and_transposes():
    a = numpy.arange(35.0).reshape(7, 5) / 7
    b = numpy.arange(20.0).reshape(5, 4) - 3
    x, y = ab.asarray(a), ab.asarray(b)
    numpy.testing.assert_allclose(host(x @ y), a @ b, rtol=1e-13)
    numpy.testing.assert_allclose(host(x.T @ x), a.T @ a, rtol=1e-13)
    numpy.testing.assert_allclose(host(x + x[::-1]), a + a[::-1])
    numpy.testing.assert_allclose(host(numpy.linalg.inv(x.T @ x + numpy.eye(5))),
                                  numpy.linalg.inv(a.T @ a + numpy.eye(5)), rtol=1e-10)


def test_random_is_the_single_process_stream():
    ab.random.seed(77)
    u = ab.random.uniform(-1, 1, 1001)
    z = ab.random.randn(17, 3)
    k = ab.random.randint(0, 100, 50)
    key = ab.api.random._legacy().key
    cpu = ab.current_machine().devices[0]
    numpy.testing.assert_array_equal(host(u), philox.generate(cpu, "uniform", 0, 1001, key, 0, 0)
                                     * 2 - 1)
    numpy.testing.assert_array_equal(host(z), philox.generate(cpu, "normal", 0, 51, key, 1, 0)
                                     .reshape(17, 3))
    numpy.testing.assert_array_equal(host(k), philox.generate(cpu, "integers", 0, 50, key, 2, 0,
                                                              (0, 100)))


def test_masks_joins_reshapes_and_fallbacks():
    a = numpy.arange(24.0).reshape(6, 4) % 5
    x = ab.asarray(a)
    numpy.testing.assert_array_equal(host(x[x > 2]), a[a > 2])
    b = a.copy()
    b[b > 2] = -b[b > 2]
    x[x > 2] = -x[x > 2]
    numpy.testing.assert_array_equal(host(x), b)
    numpy.testing.assert_array_equal(host(numpy.concatenate([x, x[:2]])),
                                     numpy.concatenate([b, b[:2]]))
    numpy.testing.assert_array_equal(host(x.reshape(4, 6)), b.reshape(4, 6))
    numpy.testing.assert_array_equal(host(x.T.ravel()), b.T.ravel())
    idx = numpy.array([5, 0, 3])
    import warnings
    with warnings.catch_warnings():      # native or through the fallback: the same answer
        warnings.simplefilter("ignore", ab.FallbackWarning)
        numpy.testing.assert_array_equal(host(x[idx]), b[idx])
        numpy.testing.assert_array_equal(host(numpy.sort(x, axis=0)), numpy.sort(b, axis=0))


def test_seed_fluid_program(monkeypatch):
    import os
    monkeypatch.syspath_prepend(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                                             "examples"))
    import fluid_step
    with ab.enabled():
        u, v, peaks = fluid_step.simulate(24, 21, report=False)
        u, v, peaks = host(u), host(v), [float(p) for p in peaks]
    ue, ve, pe = fluid_step.simulate(24, 21, report=False)
    numpy.testing.assert_allclose(u, ue, rtol=1e-12, atol=1e-15)
    numpy.testing.assert_allclose(v, ve, rtol=1e-12, atol=1e-15)
    numpy.testing.assert_allclose(peaks, [float(p) for p in pe], rtol=1e-12)


def test_small_arrays_live_on_one_process():
    # below split_bytes an array lies whole on one device, of one process: every process
    # still takes part in its reductions, parameter checks and writes
    with ab.settings.override(split_bytes=1 << 20):
        a = numpy.arange(6.0)
        x = ab.asarray(a)
        assert float(ab.sum(x)) == a.sum()
        assert bool(ab.any(x > 1)) and not bool(ab.all(x > 1))
        numpy.testing.assert_allclose(host(ab.mean(x.reshape(2, 3), axis=0)),
                                      a.reshape(2, 3).mean(axis=0))
        assert int(ab.argmax(x)) == 5
        out = ab.zeros(())
        ab.sum(x, out=out)
        assert float(out) == a.sum()
        g = ab.random.default_rng(0).gamma(2.0, size=4)      # (its checks reduce)
        assert host(g).shape == (4,) and (host(g) > 0).all()
        y = x[:4] * 2 + 1            # computed by one process, known to all as an array
        with ab.settings.override(split_bytes=0):
            big = ab.asarray(numpy.arange(16.0).reshape(4, 4))     # spread over all
            numpy.testing.assert_array_equal(
                host(big + y), numpy.arange(16.0).reshape(4, 4) + a[:4] * 2 + 1)
        y += 1
        numpy.testing.assert_array_equal(host(y), a[:4] * 2 + 2)
        i = ab.argsort(x)
        with pytest.raises(TypeError):      # NumPy's casting error, on every process
            i += x
        assert float(ab.sum(x)) == a.sum()  # (and all still in step)


MIXED_OPS = [
    lambda xp, a, b: xp.sum(a, axis=0), lambda xp, a, b: xp.cumsum(a, axis=-1),
    lambda xp, a, b: xp.sort(a, axis=0), lambda xp, a, b: a + b,
    lambda xp, a, b: xp.where(a > 0, a, b), lambda xp, a, b: a @ b.T,
    lambda xp, a, b: a[[0, -1, 1]], lambda xp, a, b: a[a > 0],
    lambda xp, a, b: xp.concatenate([a, b]), lambda xp, a, b: xp.argsort(a, kind="stable"),
    lambda xp, a, b: xp.linalg.norm(a), lambda xp, a, b: xp.quantile(a, 0.3, axis=0),
    lambda xp, a, b: xp.maximum(a, b) * 2.5, lambda xp, a, b: xp.einsum("ij,ij->i", a, b),
]


def test_small_and_spread_arrays_mixed():
    # arrays on one process's device and arrays spread over all, in random chains: the
    # same values as NumPy on every process, and every process in step
    import random
    rnd = random.Random(5)
    for it in range(60):
        shape = (rnd.randint(3, 6), rnd.randint(3, 5))
        a = numpy.random.default_rng(it).standard_normal(shape)
        b = numpy.random.default_rng(it + 1).standard_normal(shape)
        chain = [rnd.choice(MIXED_OPS) for _ in range(rnd.randint(1, 3))]
        with ab.settings.override(split_bytes=rnd.choice([0, 1 << 20])):
            x = ab.asarray(a)
        with ab.settings.override(split_bytes=rnd.choice([0, 1 << 20])):
            y = ab.asarray(b)
        want, got = a, x
        for f in chain:
            if want.shape != a.shape:
                break
            want, got = f(numpy, want, b), f(ab, got, y)
        numpy.testing.assert_allclose(host(got), want, rtol=1e-12, atol=1e-12)
