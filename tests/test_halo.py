"""Halo rows (``distributed/halo.py``): a store read with a shift of a few rows gets spare
rows around each shard, grown once, and then its stencil statements move only the
neighbours' rows -- with NumPy's values, and never where another array shares the
shard's memory (which would then go stale)."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from arrbackend.distributed import halo

from helpers import check


def _stencil(g, h):
    h[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])


def _steps(g, h, k, fn=_stencil):
    for _ in range(k):
        fn(g, h)
        fn(h, g)


@pytest.mark.parametrize("n", [64, 203])
def test_stencil_grows_halos_and_keeps_numpys_values(multi, n):
    """The seed's ping-pong stencil: after the first steps both grids have spare rows,
    a step copies no row of a device's own shard (``tile_bytes``) and moves only the
    neighbours' rows, and every value is NumPy's, bit for bit."""
    gn = numpy.random.default_rng(5).random((n, n))
    hn = numpy.zeros_like(gn)
    g, h = ab.asarray(gn), ab.asarray(hn)
    _steps(gn, hn, 6)
    ab.counters.reset()
    _steps(g, h, 3)
    ab.evaluate(g, h)
    if multi.ndev > 1:
        assert halo.key(g._store) is not None and halo.key(h._store) is not None
        assert ab.counters.halos == 2 * multi.ndev       # (each shard moved once)
        ab.counters.reset()
        _steps(g, h, 3)
        ab.evaluate(g, h)
        assert ab.counters.tile_bytes == 0 and ab.counters.halos == 0
        # each device receives at most one row from each neighbour per statement
        assert ab.counters.exchange_bytes <= 6 * 2 * (multi.ndev - 1) * n * 8
    else:
        _steps(g, h, 3)
    check(g, gn, rtol=0, atol=0)
    check(h, hn, rtol=0, atol=0)


def test_halo_views_and_other_operations(multi):
    """A grid with spare rows behaves as any array: views, reductions, sorting, fancy
    indexing, reshapes and writes give NumPy's answers."""
    n = 96
    gn = numpy.random.default_rng(6).random((n, 7))
    g = ab.asarray(gn)
    out = ab.zeros((n - 2, 7))
    for _ in range(3):
        out[...] = g[:-2] - 2 * g[1:-1] + g[2:]
    ab.evaluate(out)
    check(out, gn[:-2] - 2 * gn[1:-1] + gn[2:])
    if multi.ndev > 1:
        assert halo.key(g._store) is not None
    check(g.sum(axis=0), gn.sum(axis=0))
    check(ab.sort(g, axis=0), numpy.sort(gn, axis=0))
    check(g[[0, n - 1, n // 2]], gn[[0, n - 1, n // 2]])
    check(g.reshape(-1)[::5], gn.reshape(-1)[::5])
    check(g.T @ g, gn.T @ gn, rtol=1e-12)
    v = g[10:20]
    g[10:20] = -1.0
    gn[10:20] = -1.0
    check(v, gn[10:20])
    check(g, gn)


def _shared_grid(rows, cols, scale, steps):
    """A grid reshaped from a flat array the caller keeps (NumPy's and arrbackend's), and
    the stencil's target after ``steps`` steps: ``(flat, grid, target)`` of each."""
    flat_n = numpy.arange(rows * cols, dtype=float) / scale
    flat = ab.arange(rows * cols, dtype=float) / scale
    grid_n, grid = flat_n.reshape(rows, cols), flat.reshape(rows, cols)
    hn, h = numpy.zeros((rows, cols)), ab.zeros((rows, cols))
    for _ in range(steps):
        _stencil(grid, h)
        _stencil(grid_n, hn)
    ab.evaluate(h)
    return flat_n, grid_n, hn, flat, grid, h


def test_shared_memory_is_never_moved(multi):
    """A grid that is a reshape of a flat array the user still has shares its memory:
    its shards keep their place (no halos), and a write through either is seen by the
    other, as in NumPy."""
    n = 120
    flat_n, grid_n, hn, flat, grid, h = _shared_grid(n, n, 1, steps=4)
    assert halo.key(grid._store) is None
    flat[n * 50 + 7] = -5.0
    flat_n[n * 50 + 7] = -5.0
    check(grid, grid_n)
    _stencil(grid, h)
    _stencil(grid_n, hn)
    check(h, hn)


def test_shared_memory_large_shares_are_cut(multi, monkeypatch):
    """Where a store cannot have halos (its memory is shared), a large share is cut into
    two edge bands and an interior read in place, as before halos: a step copies next to
    nothing of the device's own rows (``tile_bytes``)."""
    from arrbackend.distributed import plans
    monkeypatch.setattr(plans, "_SPLIT_MIN_GPU", plans._SPLIT_MIN)
    plans.clear()
    _, grid_n, hn, _flat, grid, h = _shared_grid(1200, 400, 7, steps=3)
    ab.counters.reset()
    _stencil(grid, h)
    _stencil(grid_n, hn)
    ab.evaluate(h)
    assert halo.key(grid._store) is None
    if multi.ndev > 1:
        assert ab.counters.tile_bytes < grid_n.nbytes // 20, ab.counters.tile_bytes
    check(h, hn, rtol=0, atol=0)


def test_reshape_of_a_temporary_grows(multi):
    """``arange(...).reshape(...)``: the flat array is gone, so the grid's memory is its
    own, and it gets spare rows like any other."""
    n = 120
    gn = numpy.arange(n * n, dtype=float).reshape(n, n) / 7
    g = ab.arange(n * n, dtype=float).reshape(n, n) / 7
    g2 = ab.arange(n * n, dtype=float).reshape(n, n)
    g2 /= 7
    hn = numpy.zeros((n, n))
    h, h2 = ab.zeros((n, n)), ab.zeros((n, n))
    _steps(gn, hn, 4)
    _steps(g, h, 4)
    _steps(g2, h2, 4)
    check(g, gn, rtol=0, atol=0)
    check(g2, gn, rtol=0, atol=0)
    check(h2, hn, rtol=0, atol=0)
    if multi.ndev > 1:
        assert halo.key(g2._store) is not None


@pytest.mark.parametrize("shift", [1, 3, halo.MAX_ROWS, halo.MAX_ROWS + 1, 20])
def test_shifts_wide_and_narrow(multi, shift):
    """A 1-d stencil of any width: spare rows serve shifts up to ``MAX_ROWS``, wider
    ones copy their tiles; NumPy's values either way, on every step."""
    n = 400
    un = numpy.random.default_rng(7).random(n)
    vn = numpy.zeros(n)
    u, v = ab.asarray(un), ab.asarray(vn)
    for _ in range(4):
        v[shift:-shift] = u[:-2 * shift] + u[2 * shift:] - 2 * u[shift:-shift]
        u[shift:-shift] = v[shift:-shift] * 0.5 + u[shift:-shift]
        vn[shift:-shift] = un[:-2 * shift] + un[2 * shift:] - 2 * un[shift:-shift]
        un[shift:-shift] = vn[shift:-shift] * 0.5 + un[shift:-shift]
        check(v, vn)
        check(u, un)
    w = halo.key(u._store)
    if multi.ndev > 1 and shift <= halo.MAX_ROWS:
        assert w is not None
    if shift > halo.MAX_ROWS:
        assert w is None


def test_spare_rows_are_never_seen(multi):
    """What a device keeps in its spare rows (its neighbours' rows, from the last
    statement) never reaches a result: whole-array reads, copies, host copies and
    reductions see the array's own elements only."""
    n = 64
    gn = numpy.random.default_rng(8).random((n, 5))
    g = ab.asarray(gn)
    s = ab.zeros((n - 2, 5))
    for _ in range(3):
        s[...] = g[:-2] + g[2:]
    ab.evaluate(s)
    g[...] = 1.0
    check(g, numpy.ones((n, 5)))
    assert float(g.sum()) == n * 5
    assert ab.asnumpy(g.copy()).tolist() == numpy.ones((n, 5)).tolist()
    check(ab.concatenate([g, g]), numpy.ones((2 * n, 5)))


def test_exported_gpu_memory_keeps_its_place(multi):
    """An address handed out through the CUDA array interface pins the array's memory:
    no halos grown after it, so the exported array stays live."""
    if not multi.is_gpu:
        pytest.skip("the CUDA array interface exists for GPU arrays only")
    import cupy
    n = 96
    gn = numpy.random.default_rng(9).random((n, n))
    g = ab.asarray(gn)
    row = g[n // 2]
    exported = cupy.asarray(row)
    h = ab.zeros((n, n))
    for _ in range(3):
        _stencil(g, h)
    ab.evaluate(h)
    assert halo.key(g._store) is None
    g[n // 2] = 3.0
    assert cupy.asnumpy(exported).tolist() == [3.0] * n


def test_pinned_memory_keeps_its_place(multi):
    """Memory whose address was handed out (``halo.pin``, as the CUDA array interface
    does) never moves, for a reshaped array as for its base."""
    n = 120
    gn = numpy.arange(n * n, dtype=float).reshape(n, n)
    for pin_base in (False, True):
        g = ab.arange(n * n, dtype=float).reshape(n, n)
        halo.pin(g._store.base if pin_base else g._store)
        h, hn = ab.zeros((n, n)), numpy.zeros((n, n))
        for _ in range(3):
            _stencil(g, h)
        _stencil(gn, hn)
        ab.evaluate(h)
        assert halo.key(g._store) is None
        check(h, hn, rtol=0, atol=0)
