"""Deferred evaluation: expressions built from elementwise operations give the eager
results (property tests over random expression trees, slices and dtypes), including
aliasing (a destination read at another offset), writes to stores an expression still
reads, size caps, and one exchange per statement."""
from __future__ import annotations

import contextlib
import os
import warnings

import numpy
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import arrbackend as ab
from helpers import check, check_layout, same, to_ours

HYP = hsettings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

BIN = [numpy.add, numpy.subtract, numpy.multiply, numpy.true_divide, numpy.maximum,
       numpy.minimum, numpy.less, numpy.greater_equal, numpy.equal, numpy.logical_and,
       numpy.power, numpy.hypot, numpy.arctan2, numpy.fmax]
UN = [numpy.negative, numpy.absolute, numpy.sqrt, numpy.sin, numpy.cos, numpy.exp,
      numpy.log1p, numpy.square, numpy.floor, numpy.isnan, numpy.logical_not, numpy.tanh]


@pytest.fixture(params=["eager", "deferred"])
def mode(request, machine):
    with ab.settings.override(fusion="0" if request.param == "eager" else "1"):
        yield request.param


CONSTS = [2, 0.5, -1.25, True, numpy.float32(1.5), 3]


@st.composite
def trees(draw, depth=3, un=UN, bin=BIN, consts=CONSTS, operands=4, flips=True):
    """(function of a list of operands, number of operands) building a random tree of
    ``un`` and ``bin`` over ``operands`` operands (each maybe reversed: ``flips``) and
    ``consts``."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(["leaf", "leaf", "const"]))
        if kind == "const":
            c = draw(st.sampled_from(consts))
            return (lambda ops, c=c: c), 0
        i = draw(st.integers(0, operands - 1))
        sl = draw(st.sampled_from([slice(None), slice(None, None, -1)] if flips else
                                  [slice(None)]))

        def leaf(ops, i=i, sl=sl):
            return ops[i][sl]
        return leaf, 1
    sub = trees(depth - 1, un, bin, consts, operands, flips)
    if draw(st.booleans()):
        f = draw(st.sampled_from(un))
        a, n = draw(sub)
        return (lambda ops, f=f, a=a: f(a(ops))), n
    f = draw(st.sampled_from(bin))
    a, na = draw(sub)
    b, nb = draw(sub)
    return (lambda ops, f=f, a=a, b=b: f(a(ops), b(ops))), na + nb


def _operands(dtype, shape):
    rng = numpy.random.default_rng(0)
    ops = []
    for _ in range(4):
        a = rng.uniform(0.1, 4, shape)
        ops.append(a.astype(dtype) if numpy.dtype(dtype).kind == "f" else
                   (a * 3).astype(dtype))
    return ops


@HYP
@given(tree=trees(), dtype=st.sampled_from(["float64", "float32", "int32", "int64", "uint8"]),
       shape=st.sampled_from([(7, 5), (1, 4), (6,), (3, 1)]))
def test_random_trees_match_numpy(mode, tree, dtype, shape):
    fn, _ = tree
    ops = _operands(dtype, shape)
    try:
        with numpy.errstate(all="ignore"):
            expected = fn(ops)
    except Exception as exc:
        with pytest.raises(type(exc)):
            with numpy.errstate(all="ignore"):
                fn([ab.asarray(o) for o in ops])
        return
    with numpy.errstate(all="ignore"):
        got = fn([ab.asarray(o) for o in ops])
    if not isinstance(got, ab.ndarray):
        assert numpy.asarray(got).dtype == numpy.asarray(expected).dtype
        return
    rtol = 1e-5 if numpy.asarray(expected).dtype == numpy.float32 else 1e-12
    if ab.current_machine().is_gpu and numpy.asarray(expected).dtype.kind == "f":
        # the GPU's math library differs from the host's by an ulp or two, which the rest
        # of the tree can amplify: sin(exp(exp(x))) moves by 1e-8 for one ulp of its
        # argument.  Each element may differ by what moving the operands by two ulps
        # moves NumPy's own answer, and by the tolerance beyond that.
        with numpy.errstate(all="ignore"):
            spread = numpy.zeros(numpy.shape(expected))
            for k in (-2, 2):
                moved = fn([o * o.dtype.type(1 + k * numpy.finfo(o.dtype).eps)
                            if o.dtype.kind == "f" else o for o in ops])
                spread = numpy.fmax(spread, numpy.abs(moved - expected))
        check_layout(got)
        got_h, exp_h = ab.asnumpy(got), numpy.asarray(expected)
        assert got_h.shape == exp_h.shape and got_h.dtype == exp_h.dtype
        with numpy.errstate(all="ignore"):
            tol = max(rtol, 1e-9)
            if numpy.dtype(dtype).kind in "iu":
                # integer operands, which cannot be moved by an ulp: the tree's float16
                # and float32 values (sin of uint8 is float16) carry the library's ulp at
                # their own precision into a float64 result
                tol = 4e-3
            near = numpy.abs(got_h - exp_h) <= tol * (1 + numpy.abs(exp_h)) + 2 * spread
        ok = (got_h == exp_h) | (numpy.isnan(got_h) & numpy.isnan(exp_h)) | near
        assert ok.all(), (got_h[~ok], exp_h[~ok], spread[~ok])
        return
    check(got, expected, rtol=rtol, atol=rtol)


def test_statement_is_one_exchange(multi):
    with ab.settings.override(fusion="1"):
        g = ab.asarray(numpy.random.default_rng(1).random((12, 9)))
        new = ab.zeros_like(g)
        ab.counters.reset()
        new[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
        if multi.ndev > 1 and not multi.is_gpu:
            assert ab.counters.exchanges == 1
        gn = ab.asnumpy(g)
        nn = numpy.zeros_like(gn)
        nn[1:-1, 1:-1] = 0.25 * (gn[:-2, 1:-1] + gn[2:, 1:-1] + gn[1:-1, :-2] + gn[1:-1, 2:])
        check(new, nn)


@pytest.mark.parametrize("src, split", [
    ("new[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])",
     True),
    ("new[2:-2] = g[:-4] - g[4:] * 0.5 + h[2:-2]", True),
    ("new[1:-1, ::-1] = g[2:, :] - g[:-2, ::-1]", True),
    ("new[:, 1:-1] = g[:, :-2] + g[:, 2:]", False),    # (no halo: in place already)
    ("g[1:-1] = g[:-2] + g[2:]", False),               # (reads its own target: a copy)
])
def test_halo_statements_read_their_own_shards_in_place(multi, src, split, monkeypatch):
    """A statement reading a few rows of the neighbouring shards (a stencil) computes the
    rows next to them from tiles, and the interior of each shard from the shard itself:
    the device copies next to nothing of its own shard (``tile_bytes``).  (A GPU splits
    larger shares only: here as small ones as a CPU.)"""
    from arrbackend.distributed import plans
    monkeypatch.setattr(plans, "_SPLIT_MIN_GPU", plans._SPLIT_MIN)
    plans.clear()
    rng = numpy.random.default_rng(3)
    gn, hn = rng.random((640, 640)), rng.random((640, 640))
    want = {"g": gn.copy(), "h": hn, "new": numpy.zeros_like(gn)}
    exec(src, {}, want)
    with ab.settings.override(fusion="1"):
        got = {"g": ab.asarray(gn), "h": ab.asarray(hn), "new": ab.zeros((640, 640))}
        for _ in range(2):                      # (the second run replays the plan)
            got["g"][...] = ab.asarray(gn)
            ab.evaluate(got["g"])
            ab.counters.reset()
            exec(src, {}, got)
            ab.evaluate(got["new"], got["g"])
            tile = ab.counters.tile_bytes
        for name in ("g", "new"):
            check(got[name], want[name], rtol=1e-15, atol=1e-15)
    if multi.ndev > 1 and split:
        assert tile < gn.nbytes // 20, tile


def test_in_place_statements_evaluate_once(machine):
    with ab.settings.override(fusion="1", fusion_min_size=0):
        an = numpy.arange(12.0)
        bn = an[::-1].copy()
        a, b = to_ours(an), to_ours(bn)
        for stmt in (lambda x, y: x.__iadd__(y),
                     lambda x, y: numpy.add(x, y, out=x),
                     lambda x, y: x.__setitem__(Ellipsis, x * 2 + y),
                     lambda x, y: x.__setitem__(slice(1, None), x[:-1] * 2 + y[1:])):
            ab.counters.reset()
            stmt(a, b)
            assert ab.counters["statements"] == 1
            stmt(an, bn)
            check(a, an)
        v = a * 3 - b                 # a value kept by the user, then its operand written
        a[...] = v
        a += 1
        check(v, (an * 3 - bn))
        check(a, an * 3 - bn + 1)


@pytest.mark.parametrize("case", range(6))
def test_aliasing(mode, case):
    a = numpy.arange(30.0).reshape(6, 5)
    x = ab.asarray(a)
    if case == 0:
        a[1:] = a[:-1] * 2 + 1
        x[1:] = x[:-1] * 2 + 1
    elif case == 1:
        a[:, ::-1] += a * 1
        x[:, ::-1] += x * 1
    elif case == 2:
        a[...] = a[::-1] + a
        x[...] = x[::-1] + x
    elif case == 3:
        y = a + 1
        a[0] = 100                       # written after y was defined
        z = y * 2
        yx = x + 1
        x[0] = 100
        zx = yx * 2
        check(zx, z)
    elif case == 4:
        b = numpy.sqrt(a)
        bx = numpy.sqrt(x)
        numpy.multiply(a, 3, out=a)      # an in-place write to what b reads
        numpy.multiply(x, 3, out=x)
        check(bx, b)
    else:
        a[2:, 1:] = a[:-2, :-1] + a[2:, 1:]
        x[2:, 1:] = x[:-2, :-1] + x[2:, 1:]
    check(x, a)


def test_mask_and_reduction_consumers(mode):
    a = numpy.linspace(-2, 2, 35).reshape(7, 5)
    x = ab.asarray(a)
    e = numpy.sqrt(a**2 + 1) - 1
    ex = numpy.sqrt(x**2 + 1) - 1
    check(ex[ex > 0.3], e[e > 0.3])
    check(numpy.sum(ex * 2, axis=0), numpy.sum(e * 2, axis=0))
    check((ex + 1)[::2, 1], (e + 1)[::2, 1])
    assert float(ex.max()) == pytest.approx(float(e.max()))


def test_size_cap_evaluates_long_chains(mode):
    with ab.settings.override(fusion_max_nodes=8):
        x = ab.arange(10.0)
        y = x
        for _ in range(20):
            y = y * 1.5 + 1
        expected = numpy.arange(10.0)
        for _ in range(20):
            expected = expected * 1.5 + 1
        check(y, expected)


def test_errstate_applies_where_written(machine):
    if machine.is_gpu:
        pytest.skip("GPUs do not report floating-point errors (as in CuPy): see the docs")
    with ab.settings.override(fusion="1"):
        x = ab.asarray([0.0, 1.0])
        with numpy.errstate(divide="raise"):
            y = 1.0 / x
            with pytest.raises(FloatingPointError):
                ab.asnumpy(y)
        with numpy.errstate(divide="ignore"):
            z = 1.0 / x
        ab.asnumpy(z)      # evaluated outside the block: still ignored


def test_cast_into_target(mode):
    a = numpy.linspace(0, 5, 12)
    x = ab.asarray(a)
    t = ab.zeros(12, dtype=numpy.int32)
    t[...] = x * 2
    check(t, (a * 2).astype(numpy.int32))
    f = ab.zeros(12, dtype=numpy.float32)
    numpy.add(x, 1, out=f, casting="unsafe")
    check(f, (a + 1).astype(numpy.float32))


def test_random_inside_consumers_is_the_same_stream(machine):
    """Deferred random arrays (computed inside their consumer's kernel on GPUs) give the
    numbers eager draws give, on any machine."""
    with ab.devices("cpu:1"), ab.settings.override(fusion="0"):
        ab.random.seed(21)
        ex, ey = ab.asnumpy(ab.random.uniform(-1, 1, 10007)), ab.asnumpy(ab.random.uniform(
            -1, 1, 10007))
        ez = ab.asnumpy(ab.random.randn(301, 7))
        ef = ab.asnumpy(ab.random.default_rng(3).random(999, dtype=numpy.float32))
    with ab.settings.override(fusion="1"):
        ab.random.seed(21)
        x, y = ab.random.uniform(-1, 1, 10007), ab.random.uniform(-1, 1, 10007)
        z = ab.random.randn(301, 7)
        f = ab.random.default_rng(3).random(999, dtype=numpy.float32)
        inside = numpy.sum(numpy.sqrt(x**2 + y**2) <= 1)       # a fused reduction
        expected_inside = numpy.sum(numpy.sqrt(ex**2 + ey**2) <= 1)
        assert int(inside) == int(expected_inside)
        numpy.testing.assert_array_equal(ab.asnumpy(x), ex)
        numpy.testing.assert_array_equal(ab.asnumpy(f), ef)
        numpy.testing.assert_array_max_ulp(ab.asnumpy(z), ez, maxulp=8)
        check(numpy.max(z * 2 - 1), numpy.max(ez * 2 - 1), rtol=1e-12)
        check(numpy.min(numpy.abs(z)), numpy.min(numpy.abs(ez)), rtol=1e-12)
        check(numpy.sum(z * z), numpy.sum(ez * ez), rtol=1e-9)
        assert bool(numpy.any(z > 3)) == bool(numpy.any(ez > 3))
        assert bool(numpy.all(z < 10)) == bool(numpy.all(ez < 10))


@pytest.mark.parametrize("kind", ["sum", "prod", "max", "min", "any", "all", "mean"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8", "bool"])
def test_fused_reductions_match_numpy(machine, kind, dtype):
    a = (numpy.arange(257 * 3).reshape(257, 3) % 13 - 4).astype(dtype)
    with ab.settings.override(fusion="1"):
        x = ab.asarray(a)
        expr = numpy.abs(x) if dtype != "bool" else numpy.logical_not(x)
        e = numpy.abs(a) if dtype != "bool" else numpy.logical_not(a)
        with numpy.errstate(all="ignore"):
            got = getattr(numpy, kind)(expr)
            exp = getattr(numpy, kind)(e)
        check(got, exp, rtol=1e-5 if dtype == "float32" else 1e-12)


def test_fused_reductions_of_many_blocks_match_numpy(machine):
    # more blocks than a block has threads (a GPU's last block combines their partials
    # in a loop), each reduction twice (its counter of finished blocks back at 0), and
    # reductions of other dtypes between them (each dtype's own partials)
    a = numpy.arange(600_003, dtype=numpy.int64)
    with ab.settings.override(fusion="1"):
        x = ab.asarray(a)
        for _ in range(2):
            assert int(numpy.sum(x % 7 == 3)) == int(numpy.sum(a % 7 == 3))
            assert int(numpy.max(x * 3 - 5)) == int(numpy.max(a * 3 - 5))
            assert float(numpy.min(x * 0.5)) == float(numpy.min(a * 0.5))
            assert bool(numpy.any(x == 599_999)) and not bool(numpy.all(x > 0))
            assert float(numpy.sum(x * 0.25)) == pytest.approx(float(numpy.sum(a * 0.25)),
                                                                rel=1e-12)


class _DeviceArray:
    """A NumPy array seen as the kernel planner sees device arrays (pointers)."""

    def __init__(self, a):
        from types import SimpleNamespace
        self.dtype, self.strides, self.shape, self.size = a.dtype, a.strides, a.shape, a.size
        self.data = SimpleNamespace(ptr=a.ctypes.data, mem=SimpleNamespace(ptr=a.ctypes.data))


@pytest.mark.parametrize("dtype,make,ctype", [
    ("float64", lambda x: x * 2.5, "double c0"), ("float32", lambda x: x * 2, "float c0"),
    ("int8", lambda x: x + 1, "signed char c0"), ("float64", lambda x: x * 2**70, "double c0"),
    ("uint64", lambda x: x + (2**63 + 5), "unsigned long long c0"),
    ("bool", lambda x: x & True, "bool c0")])
def test_generated_kernels_type_their_scalars(dtype, make, ctype):
    # the GPU kernel source, generated here without a GPU: every scalar is a parameter
    # of its loop dtype, and its value is passed as that type
    from arrbackend.kernels import fused
    with ab.devices("cpu:1"), ab.settings.override(fusion="1", fusion_min_size=0):
        a = numpy.arange(8).astype(dtype)
        r = make(ab.asarray(a))
        expr = r._store.expr
        local = {id(lf): _DeviceArray(a) for lf in expr.lvs}
        plan = fused._plan(expr, local, expr.lvs)
        src = fused.source_for(expr, plan, expr.lvs, 1, r.dtype)
        assert ctype in src, src
        values = fused._dynamic_args([], expr)
        assert [type(v) for v in values] == [c.value.dtype.type for c in expr.consts]
        check(r, make(a))


def test_arrays_are_freed_without_the_garbage_collector(machine):
    # deferred statements hold no reference cycles: memory goes back when the array goes
    import gc
    import weakref
    gc.disable()
    try:
        with ab.settings.override(fusion="1", fusion_min_size=0):
            y = ab.ones(64)
            refs = []
            for _ in range(3):
                x = ab.empty(64)
                x[...] = y * 2 + 1
                v = x * 3
                assert float(v[5]) == 9.0
                refs.append(weakref.ref(x._store))
                del x, v
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


@pytest.mark.parametrize("dtype", ["int8", "uint8", "bool", "float16", "float32"])
@pytest.mark.parametrize("exponent", [2.0, 0.5, 2, numpy.float32(2)])
def test_power_shortcuts_keep_the_loop_dtype(machine, dtype, exponent):
    # x ** 2 and x ** 0.5 become square/sqrt only when x already has the loop's dtype
    # (int8 ** 2.0 once wrapped around in int8 instead of computing in float64)
    a = numpy.array([100, 3, 5], dtype)
    with ab.settings.override(fusion="1", fusion_min_size=0):
        same(lambda x: numpy.power(x, exponent), a)
        if not (dtype == "bool" and type(exponent) is int):   # (NumPy's bool ** 2 operator
            same(lambda x: x ** exponent + 1, a)              # takes square: int8)


@pytest.mark.parametrize("assign", [lambda a: a.__setitem__(Ellipsis, a),
                                    lambda a: a.__setitem__(slice(None, None, -1), a),
                                    lambda a: numpy.copyto(a, a)])
def test_pending_array_assigned_into_itself(machine, assign):
    # the value is the target's own pending store: computed once, into itself, and the
    # store is freed without the garbage collector afterwards
    import gc
    import weakref
    with ab.settings.override(fusion="1", fusion_min_size=0):
        a = ab.arange(40.0) * 2
        h = numpy.arange(40.0) * 2
        assign(a)
        assign(h)
        check(a, h)
        gc.disable()
        try:
            b = ab.arange(40.0) * 2
            assign(b)
            ref = weakref.ref(b._store)
            del b
            assert ref() is None
        finally:
            gc.enable()


def test_a_computed_deferred_array_takes_the_lean_path():
    """Once a deferred array's value is computed, basic indexing and assignment on it
    go NumPy's way on the local array: a handful of Python-level calls, as for any
    one-device array (counted with cProfile; the engine's path makes dozens)."""
    import cProfile
    import pstats
    with ab.enabled(devices="cpu:1"), ab.settings.override(fusion="1"):
        import numpy as np
        u = np.ones((64, 64))
        un = u - 0.5 * (u * u)              # deferred
        un[1:-1, 1:-1] += 1.0               # computed here
        prof = cProfile.Profile()
        prof.enable()
        un[0, :] = 0
        un[:, -1] = 0
        prof.disable()
        calls = pstats.Stats(prof).total_calls
        assert calls <= 20, calls          # (the engine: about 400)
        want = numpy.full((64, 64), 0.5)
        want[1:-1, 1:-1] = 1.5
        want[0, :] = 0
        want[:, -1] = 0
        numpy.testing.assert_array_equal(numpy.asarray(un), want)


def _stencil_statements(np, g, h, m):
    """Statements writing the interior of a grid from views of the same pitch."""
    nxt = np.full(g.shape, -7.0)                     # (its edges must stay -7)
    nxt[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
    h[1:-1, 1:-1] += 0.5 * g[1:-1, 1:-1] - h[1:-1, 1:-1] * 2    # (h reads its own cells)
    g[1:-1, 1:-1] = g[:-2, 1:-1] + g[2:, 1:-1] * 3 - g[1:-1, 2:]  # (g reads its neighbours)
    m[1:-1, 1:-1] = (g[:-2, 1:-1] + 1) * 2 > g[2:, 1:-1]         # (a bool target)
    return nxt, h, g, m


@pytest.fixture(params=["numexpr", "compiled"])
def evaluator(request, monkeypatch):
    """The CPU evaluator of fused statements: numexpr, or the compiled loop nests
    (``kernels/cpu_numba``, made here on a plan's first run instead of its third)."""
    from arrbackend.distributed import plans
    if request.param == "numexpr":
        # (a dependency; missing only where the project runs from source without it)
        pytest.importorskip("numexpr", reason="numexpr is not installed: NumPy runs them")
    if request.param == "compiled":
        from arrbackend.kernels import cpu_threads
        if not cpu_threads.available():
            # (numba is a dependency, but one too old or too new for this NumPy does not
            # import: then no loop nest is compiled anywhere, numexpr runs them all)
            pytest.skip("numba cannot be imported with this NumPy: no compiled evaluator")
        from arrbackend.kernels import cpu_numba
        monkeypatch.setattr(plans, "_JIT_AFTER", 1)
        monkeypatch.setattr(plans, "_JIT_WORK", 0)
        monkeypatch.setattr(cpu_numba, "PARALLEL_MIN", 50000)   # (the threads' nest too)
    plans.clear()
    yield request.param
    plans.clear()


@pytest.mark.parametrize("edge", [0.0, numpy.inf, 1e308])
def test_interior_statements_leave_the_edges(edge, evaluator):
    """Fused statements writing the interior of a grid (numexpr reads the rows as one span,
    the elements between them included) leave every edge element as it was, whatever it
    holds, and warn as NumPy does: an infinity at the edges is not an overflow inside."""
    rng = numpy.random.default_rng(4)
    gn, hn = rng.random((300, 310)), rng.random((300, 310))
    for x in (gn, hn):
        x[:, 0] = x[:, -1] = x[0] = x[-1] = edge
    mn = numpy.zeros((300, 310), bool)
    with warnings.catch_warnings(record=True) as want:
        warnings.simplefilter("always")
        expected = _stencil_statements(numpy, gn.copy(), hn.copy(), mn.copy())
    with ab.enabled(devices="cpu:1"), ab.settings.override(fusion="1"):
        ab.counters.reset()
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            import numpy as np
            out = _stencil_statements(np, np.asarray(gn), np.asarray(hn), np.asarray(mn))
        if edge == 0:                   # (else NumPy computes those that meet the edges)
            assert ab.counters.fused_statements >= 3
    for o, e in zip(out, expected):
        assert o.dtype == e.dtype
        numpy.testing.assert_array_equal(ab.asnumpy(o), e)
    # (which warnings: NumPy repeats one for each ufunc of the statement it met in)
    assert {str(w.message) for w in got} == {str(w.message) for w in want}


# statements in which a floating-point error below an operation leaves no trace in the
# result: NumPy warns, so must a fused evaluation (it checks the values that such an
# operation takes, not only its result)
_MASKED = [
    lambda np, x: np.exp(-1.0 / x),                 # 1/0 is inf, exp(-inf) is 0
    lambda np, x: 2.0 / (x * 1e308 * 10.0),         # overflow, then 2/inf is 0
    lambda np, x: np.tanh(1.0 / x) + 1.0,
    lambda np, x: np.arctan(x / x),                 # 0/0 is NaN: it stays NaN
    lambda np, x: (1.0 / x) > 0.5,                  # a comparison of an infinity
    lambda np, x: (x * 1e308 * 10.0) <= x,
    lambda np, x: np.expm1(-(1.0 / x)) * 2.0,
    lambda np, x: np.sqrt(x - 0.5) < 2.0,           # sqrt(-0.5) is NaN: a bool result
]


@pytest.mark.parametrize("k", range(len(_MASKED)))
@pytest.mark.parametrize("zero", [False, True])
def test_errors_that_leave_no_trace_in_the_result_warn(k, zero, evaluator):
    """A floating-point error under an operation that takes an infinity or NaN to a
    finite value or a bool (``exp(-1 / 0)`` is 0, a comparison is true or false) warns
    as NumPy warns on a fused statement too, with NumPy's values; without the error, it
    is fused."""
    f = _MASKED[k]
    xn = numpy.linspace(0.25, 2.0, 300 * 200).reshape(300, 200)
    if zero:
        xn[7, 3] = 0.0
    with warnings.catch_warnings(record=True) as want_w:
        warnings.simplefilter("always")
        want = f(numpy, xn)
    with ab.enabled(devices="cpu:1"), ab.settings.override(fusion="1"):
        import numpy as np
        x = np.asarray(xn)
        out = np.empty(xn.shape, want.dtype)
        for _ in range(2):                  # (the second run: the compiled nest's)
            ab.counters.reset()
            with warnings.catch_warnings(record=True) as got_w:
                warnings.simplefilter("always")
                out[...] = f(np, x)
            # (the C library's tanh, exp, ...: within a rounding of NumPy's own loops)
            numpy.testing.assert_allclose(ab.asnumpy(out), want, rtol=4e-16, atol=0)
            assert {str(w.message) for w in got_w} == {str(w.message) for w in want_w}
        if not want_w and evaluator == "compiled":
            assert ab.counters.fused_statements == 1
        elif evaluator == "numexpr":    # (it checks only its result: none of these is
            assert ab.counters.fused_statements == 0    # given to it)


@pytest.mark.parametrize("dt", ["int64", "int32", "int16", "uint8", "uint64", "bool",
                                "longlong"])
@pytest.mark.parametrize("fl", ["float64", "float32"])
def test_integer_operands_of_float_statements(dt, fl, evaluator):
    """``(images / 255.0 - mean) / std`` with integer images: each integer operand is cast
    as NumPy casts it into the operation's float dtype (fused where the evaluator can
    cast it: numexpr widens int32 and int64 beside a float64 operand, the compiled nests
    cast any integer), with NumPy's values and dtype; an operation of integers alone
    (``i / j``: float64, computed from the integers) is NumPy's, fused or not."""
    rng = numpy.random.default_rng(6)
    x = rng.integers(0, 256, (300, 400)).astype(dt)
    j = rng.integers(1, 9, (300, 400)).astype(dt)
    mean = rng.random(400).astype(fl)
    scale, std = numpy.array(255.0, fl), numpy.array(0.229, fl)

    def step(np, x, j, mean):
        return (x / scale - mean) / std, x / j + mean, np.sqrt(x) * mean, x * 0.5 + 2

    want = step(numpy, x, j, mean)
    with ab.enabled(devices="cpu:1"), ab.settings.override(fusion="1"):
        import numpy as np
        ab.counters.reset()
        for _ in range(4):          # (the compiled nest is made on a plan's first run)
            got = step(np, np.asarray(x), np.asarray(j), np.asarray(mean))
        fused = ab.counters.fused_statements
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        numpy.testing.assert_array_equal(ab.asnumpy(g), w)
    widened = dt in ("int64", "int32", "longlong") and fl == "float64"
    # (longlong: int64 of another type object, which numexpr's signature does not know)
    if evaluator == "compiled" and dt != "bool" or evaluator == "numexpr" and widened:
        assert fused >= 4           # (the first statement each time, at least)


EXACT_BIN = [numpy.add, numpy.subtract, numpy.multiply, numpy.true_divide]
EXACT_UN = [numpy.negative, numpy.absolute, numpy.square, numpy.sqrt]
MIXED = ["int64", "int32", "int16", "uint8", "float32", "float64"]


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees(un=EXACT_UN, bin=EXACT_BIN, consts=[2, 0.5, -1.25, numpy.float32(1.5), 3,
                                                     255.0],
                  operands=len(MIXED), flips=False))
def test_mixed_dtype_statements_are_numpys_to_the_bit(tree, evaluator):
    """Fused statements over integer and float operands together (numexpr or the compiled
    nests, 40000 elements): NumPy's dtype and NumPy's bits, whatever the evaluator casts,
    widens or leaves to NumPy's ufuncs."""
    fn, n = tree
    rng = numpy.random.default_rng(7)
    ops = [(rng.standard_normal((200, 200)) * 100).astype(dt) if dt[0] == "f" else
           rng.integers(0 if dt[0] == "u" else -100, 100, (200, 200)).astype(dt)
           for dt in MIXED]
    with numpy.errstate(all="ignore"):
        want = fn(ops)
    if n == 0 or numpy.ndim(want) == 0:
        return
    with ab.enabled(devices="cpu:1"), ab.settings.override(fusion="1"):
        with numpy.errstate(all="ignore"):
            got = ab.asnumpy(fn([ab.asarray(o) for o in ops]))
    assert got.dtype == want.dtype
    numpy.testing.assert_array_equal(got, want)


def test_interior_update_that_meets_a_zero_division_adds_once(evaluator):
    """A fused ``h[1:-1, 1:-1] += ...`` (the target read in place, rows as spans) whose
    values meet a division by zero: computed again by NumPy from intact leaves, so each
    cell is added to once, and NumPy's warning is issued."""
    rng = numpy.random.default_rng(5)
    hn, gn, zn = rng.random((300, 310)), rng.random((300, 310)), rng.random((300, 310)) + 1
    zn[150, 150] = 0.0

    def step(np, h, g, z):
        h[1:-1, 1:-1] += g[1:-1, 1:-1] / z[1:-1, 1:-1] - h[1:-1, 1:-1] * 0.5
        return h

    with warnings.catch_warnings(record=True) as want:
        warnings.simplefilter("always")
        expected = step(numpy, hn.copy(), gn, zn)
    with ab.enabled(devices="cpu:1"), ab.settings.override(fusion="1"):
        import numpy as np
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            out = step(np, np.asarray(hn), np.asarray(gn), np.asarray(zn))
        numpy.testing.assert_array_equal(ab.asnumpy(out), expected)
        zn[150, 150] = 1.0                      # (and without the zero: fused, the same)
        ab.counters.reset()
        out = step(np, np.asarray(hn), np.asarray(gn), np.asarray(zn))
        assert ab.counters.fused_statements >= 1
    numpy.testing.assert_array_equal(ab.asnumpy(out), step(numpy, hn.copy(), gn, zn))
    assert [str(w.message) for w in got] == [str(w.message) for w in want]


@pytest.mark.parametrize("src", ["g += g / z", "g[1:-1, 1:-1] += g[1:-1, 1:-1] / z[1:-1, 1:-1]",
                                 "g *= (g / z) - 1.0"])
def test_inplace_of_a_pending_value_that_reads_the_target_warns_once(machine, src):
    """``g += g / z`` with a zero in ``z``: the pending quotient reads the target, so it is
    computed once, before the write (NumPy's one warning, NumPy's values), not again
    inside the in-place statement."""
    gn = numpy.linspace(1.0, 2.0, 300 * 310).reshape(300, 310)
    zn = numpy.ones((300, 310))
    zn[150, 150] = 0.0
    g = gn.copy()
    z = zn
    with warnings.catch_warnings(record=True) as want:
        warnings.simplefilter("always")
        exec(src)
    expected = g
    with ab.enabled(), ab.settings.override(fusion="1"):
        import numpy as np
        g, z = np.asarray(gn), np.asarray(zn)
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            exec(src)
            out = ab.asnumpy(g)
    numpy.testing.assert_array_equal(out, expected)
    if machine.is_gpu:      # GPU kernels report no floating-point errors (documented)
        want = []
    assert [str(w.message) for w in got] == [str(w.message) for w in want]


def test_edge_bands_draw_the_same_random_numbers(multi, monkeypatch):
    """Random draws inside a statement cut into edge bands and interiors are the numbers
    of the uncut statement (each value a function of its element's index)."""
    from arrbackend.distributed import plans

    def run(least):
        monkeypatch.setattr(plans, "_SPLIT_MIN", least)
        monkeypatch.setattr(plans, "_SPLIT_MIN_GPU", least)
        plans.clear()
        with ab.enabled(), ab.settings.override(fusion="1", split_bytes=0):
            import numpy as np
            np.random.seed(5)
            g = np.arange(640 * 640, dtype=float).reshape(640, 640) % 7
            h = np.zeros((640, 640))
            h[1:-1, 1:-1] = g[:-2, 1:-1] + g[2:, 1:-1] * np.random.random((638, 638)) \
                - np.random.standard_normal((638, 638))
            return ab.asnumpy(h)
    numpy.testing.assert_array_equal(run(1 << 17), run(1 << 60))


def test_reduction_of_a_pending_replicated_array(multi):
    """A reduction of a pending expression over an array every device holds whole (a
    reduction's result) counts it once, not once per device (found on gpu:0,0,0)."""
    with ab.enabled(), ab.settings.override(fusion="1", split_bytes=0):
        import numpy as np
        v = np.max(np.zeros(3), where=True, initial=5)
        assert np.count_nonzero(v) == 1
        assert np.sum(v * 2) == 10.0
        assert np.max(np.ones((4, 3)).sum(axis=0) + 1) == 5.0


def test_host_calls_per_shard_stay_few():
    """A statement's host work does not grow much with the number of shards: the plan,
    the views' layouts and the copies of whole stores cover every device at once
    (cProfile's count of Python-level calls, 2 against 8 shards of a 64x64 grid)."""
    import cProfile
    import pstats
    g0 = numpy.random.default_rng(0).random((64, 64))

    def calls(dev, fn):
        with ab.enabled(devices=dev), ab.settings.override(fusion="1", split_bytes=0):
            import numpy as np
            g, new = np.asarray(g0), np.asarray(g0)
            for _ in range(3):
                fn(g, new)
            prof = cProfile.Profile()
            prof.enable()
            r = fn(g, new)
            ab.synchronize()
            prof.disable()
            numpy.testing.assert_array_equal(ab.asnumpy(r), fn(g0, g0.copy()))
        return pstats.Stats(prof).total_calls

    def stencil(g, new):
        new[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
        return new

    def copy(g, new):
        return g.copy()

    for fn, per_shard in ((stencil, 45), (copy, 16)):
        two, eight = calls("cpu:2", fn), calls("cpu:8", fn)
        assert eight - two <= 6 * per_shard, (fn.__name__, two, eight)


_COMPILED = [
    ("0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])", (1, 1)),
    ("g * h - h / 3.0 + np.sqrt(g)", None),
    ("(g - h) * (g + h) * 0.5", None),
    ("g[::2] * 2.0 - h[1::2]", (2, 0)),
    ("g.T * h.T + 1.0", "T"),
    ("g * row - np.absolute(h) ** 2", None),
    ("np.maximum(g, 0.5) + h", None),                # (not compiled: NumPy's ufuncs)
    ("g + h <= 1.0", None),
    ("-g + h * np.float32(3)", None),
    ("np.sin(g) + np.exp(h) - np.log1p(g)", None),
]


@pytest.mark.parametrize("devices", ["cpu:1", "cpu:3"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("stmt", range(len(_COMPILED)))
def test_compiled_statements_match_numpy(devices, dtype, ndim, stmt, evaluator):
    """Fused statements through each CPU evaluator, each run four times as a loop runs
    them (the compiled loop nest made on the plan's first run): NumPy's values bit
    for bit where the operations are correctly rounded (``+ - * /``, ``sqrt``), within
    the C library's rounding for its functions; the target's other elements untouched."""
    src, where = _COMPILED[stmt]
    if ndim == 1 and where is not None:
        return                          # (a 2-d statement)
    shape = {1: (70000,), 2: (70, 90), 3: (6, 30, 40)}[ndim]   # (70000: two threads)
    rng = numpy.random.default_rng(stmt)
    gn = rng.uniform(0.1, 2.0, shape).astype(dtype)
    hn = rng.uniform(0.1, 2.0, shape).astype(dtype)
    rown = rng.uniform(0.1, 2.0, shape[-1:]).astype(dtype)

    def run(np, g, h, row):
        env = {"np": np, "g": g, "h": h, "row": row}
        r = eval(src, env)                                          # noqa: S307
        out = np.full(r.shape, -7.0, dtype=r.dtype)
        out[...] = eval(src, env)                                   # noqa: S307
        return out

    exact = "sin" not in src
    with numpy.errstate(all="ignore"):
        want = run(numpy, gn, hn, rown)
    with ab.enabled(devices=devices), ab.settings.override(fusion="1"):
        import numpy as np
        g, h, row = np.asarray(gn), np.asarray(hn), np.asarray(rown)
        ab.counters.reset()
        for _ in range(4):
            got = run(np, g, h, row)
            assert got.dtype == want.dtype and got.shape == want.shape
            if exact:
                numpy.testing.assert_array_equal(ab.asnumpy(got), want)
            else:
                numpy.testing.assert_allclose(ab.asnumpy(got), want, rtol=1e-14)
        assert ab.counters.statements >= 4


_CACHED_RUN = """
import numpy
import arrbackend as ab
from arrbackend.distributed import plans
from arrbackend.kernels import cpu_numba
plans._JIT_AFTER, plans._JIT_WORK = 1, 0
gn = numpy.arange(600.0).reshape(20, 30)
with ab.enabled(devices="cpu:1"), ab.settings.override(fusion="1"):
    import numpy as np
    g, h = np.asarray(gn), np.zeros((20, 30))
    for _ in range(3):
        h[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
    assert (ab.asnumpy(h)[1:-1, 1:-1] == gn[1:-1, 1:-1]).all()
hits = misses = 0
for k in cpu_numba._kernels.values():
    for f in (k.serial, k.parallel) if k else ():
        if f is not None:
            hits += sum(f.stats.cache_hits.values())
            misses += sum(f.stats.cache_misses.values())
print(hits, misses)
"""


def test_compiled_statements_are_kept_between_runs(tmp_path):
    """A statement's compiled loop nest is written to the kernel cache folder once; the
    next process loads it (numba's cache hits) instead of compiling it again."""
    from arrbackend.kernels import cpu_threads
    if not cpu_threads.available():
        # (numba is a dependency, but one that does not import with this NumPy compiles
        # nothing, so there is nothing to keep: numexpr and NumPy run the statements)
        pytest.skip("numba does not import here: no statement is compiled")
    import subprocess
    import sys
    env = dict(os.environ, ARRBACKEND_KERNEL_CACHE=str(tmp_path / "kernels"))
    runs = [subprocess.run([sys.executable, "-c", _CACHED_RUN], env=env, text=True,
                           capture_output=True) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr[-3000:]
    first, second = (tuple(map(int, r.stdout.split())) for r in runs)
    assert first[0] == 0 and first[1] > 0, first
    assert second[0] > 0 and second[1] == 0, second
    assert len(list((tmp_path / "kernels").glob("k*.py"))) == 1
    off = dict(env, ARRBACKEND_KERNEL_CACHE="off")
    r = subprocess.run([sys.executable, "-c", _CACHED_RUN], env=off, text=True,
                       capture_output=True)
    assert r.returncode == 0 and r.stdout.split() == ["0", "1"], r.stderr[-3000:]   # (compiled)


def test_a_loop_nest_numba_cannot_compile_runs_numpys_ufuncs(monkeypatch):
    """Where numba fails to compile a statement's loop nest, the statement runs NumPy's
    ufuncs (the same values), and does not try to compile it again."""
    from arrbackend.distributed import plans
    from arrbackend.kernels import cpu_numba, cpu_threads
    tries = []

    def broken(src, parallel):
        tries.append(src)
        raise RuntimeError("no compiler here")

    monkeypatch.setattr(cpu_numba, "_compile", broken)
    monkeypatch.setattr(cpu_threads, "available", lambda: True)   # (numba or not)
    monkeypatch.setattr(plans, "_JIT_AFTER", 1)
    monkeypatch.setattr(plans, "_JIT_WORK", 0)
    monkeypatch.setattr(cpu_numba, "_kernels", {})
    plans.clear()
    gn = numpy.random.default_rng(2).random((50, 40))
    with ab.enabled(devices="cpu:1"), ab.settings.override(fusion="1"):
        import numpy as np
        g = np.asarray(gn)
        for _ in range(3):
            out = g * 3.0 - g / 7.0
            numpy.testing.assert_array_equal(ab.asnumpy(out), gn * 3.0 - gn / 7.0)
    plans.clear()
    assert len(tries) == 1


def test_the_engine_test_machine_takes_the_engines_paths():
    """``engine_paths`` (the ``cpu:1-engine`` test machine) sends one CPU device's calls
    through the engine, as a GPU's go, where plain ``cpu:1`` hands them to NumPy on the
    local arrays (counted: Python-level calls of one statement); the answers are NumPy's
    on both, and the machine is as it was after the block."""
    import cProfile
    import pstats
    from arrbackend.testing import engine_paths
    x = numpy.arange(12.0).reshape(3, 4)
    want = numpy.flip(numpy.sin(x) * 2 + x[::-1], axis=0)
    with ab.devices("cpu:1") as m:
        calls = []
        for engine in (False, True):
            with (engine_paths(m) if engine else contextlib.nullcontext()), ab.enabled():
                import numpy as np
                a = np.asarray(x)
                prof = cProfile.Profile()
                prof.enable()
                got = np.flip(np.sin(a) * 2 + a[::-1], axis=0)
                prof.disable()
                numpy.testing.assert_array_equal(ab.asnumpy(got), want)
                calls.append(pstats.Stats(prof).total_calls)
        assert calls[1] > 2 * calls[0], calls
        assert m.shortcuts and all(d.lean for d in m.devices)
