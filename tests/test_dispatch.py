"""Dispatch: ``enabled()`` routing (nesting, exceptions, threads, library code, exact
restore), the fallback (warning once per function, error and silent modes, counters,
in-place functions written back), the namespace, conversions to Python and NumPy."""
from __future__ import annotations

import threading
import warnings

import numpy
import pytest
from numpy._core.overrides import array_function_dispatch

import arrbackend as ab
from arrbackend import FallbackWarning
from helpers import FALLBACK, doubled, check, outcome, to_ours


# -----------------------------------------------------------------------------------
# enabled()

def test_enabled_routes_creation_and_random():
    with ab.enabled(devices="cpu:2"):
        x = numpy.zeros((3, 4))
        y = numpy.arange(5)
        z = numpy.random.randn(4)
        w = numpy.array([1, 2, 3])
        assert all(isinstance(v, ab.ndarray) for v in (x, y, z, w))
        assert x.device == ab.Device(ab.current_machine())
        s = numpy.sum(y * 2)
        assert isinstance(s, ab.ndarray) and int(s) == 20
    assert isinstance(numpy.zeros(3), numpy.ndarray)


def test_enabled_restores_numpy_exactly():
    originals = {n: getattr(numpy, n) for n in ("zeros", "array", "arange", "asarray")}
    rnd = {n: getattr(numpy.random, n) for n in ("rand", "seed", "default_rng")}
    with ab.enabled():
        assert numpy.zeros is not originals["zeros"]
        with ab.enabled(devices="cpu:3"):
            assert ab.current_machine().ndev == 3
        assert ab.current_machine().ndev != 3 or ab.settings.devices == "cpu:3"
    for n, f in originals.items():
        assert getattr(numpy, n) is f
    for n, f in rnd.items():
        assert getattr(numpy.random, n) is f


def test_enabled_exception_safe_and_decorator():
    zeros = numpy.zeros
    with pytest.raises(RuntimeError):
        with ab.enabled():
            raise RuntimeError("boom")
    assert numpy.zeros is zeros

    @ab.enabled(devices="cpu:2")
    def f(n):
        return numpy.ones(n) * 2

    r = f(4)
    assert isinstance(r, ab.ndarray) and r._store.machine.ndev == 2
    assert numpy.zeros is zeros


def test_other_threads_get_numpy():
    seen = {}
    inside = threading.Event()
    release = threading.Event()

    def worker():
        inside.wait(5)
        seen["type"] = type(numpy.zeros(3))
        release.set()

    t = threading.Thread(target=worker)
    t.start()
    with ab.enabled():
        inside.set()
        release.wait(5)
        assert isinstance(numpy.zeros(3), ab.ndarray)
    t.join()
    assert seen["type"] is numpy.ndarray


def test_library_code_gets_numpy():
    """Creation calls made by library code inside the block return NumPy arrays."""
    scope: dict = {}
    exec(compile("import numpy\ndef make():\n    return numpy.zeros(3)\n", numpy.__file__,
                 "exec"), scope)
    import scipy.signal as scipy_signal          # (the test extra installs SciPy)
    with ab.enabled():
        assert isinstance(scope["make"](), numpy.ndarray)
        w = scipy_signal.get_window("hann", 8)            # SciPy builds it with NumPy
        assert isinstance(w, numpy.ndarray)
        assert isinstance(numpy.zeros(3), ab.ndarray)       # while user code is routed
        x = numpy.arange(4.0)
        import scipy.linalg                                # a library receiving our array
        r = scipy.linalg.norm(x)
        assert abs(float(r) - float(numpy.sqrt(14.0))) < 1e-12


def test_import_as_np_namespace():
    import arrbackend as np
    with ab.devices("cpu:2"):
        a = np.linspace(0, 1, 5)
        assert isinstance(a, np.ndarray)
        assert isinstance(np.sin(a), np.ndarray)
        assert np.pi == numpy.pi and np.float32 is numpy.float32
        assert isinstance(np.linalg.inv(np.eye(3)), np.ndarray)
        assert isinstance(np.random.rand(3), np.ndarray)
        assert isinstance(np.add([1, 2], [3, 4]), np.ndarray)


# -----------------------------------------------------------------------------------
# fallback

def test_fallback_warns_once_and_counts(machine):
    x = to_ours(numpy.arange(10.0))
    before = ab.counters.fallbacks
    with pytest.warns(FallbackWarning, match=FALLBACK):
        r = doubled(x)
    check(r, numpy.arange(10.0) * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        doubled(x)                       # warned once already: silent now
    assert ab.counters.fallbacks == before + 2


def test_fallback_error_and_silent_modes(machine):
    x = to_ours(numpy.arange(10.0))
    with ab.settings.override(fallback="error"):
        with pytest.raises(NotImplementedError, match="doubled"):
            doubled(x)
    with ab.settings.override(fallback="silent"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            doubled(x)


@array_function_dispatch(lambda a, v: (a,), module="fallback_example")
def fill_first_row(a, v):
    """Writes into its argument: a fallback must write the result back."""
    a[0] = v


def test_fallback_writes_back_in_place_functions(machine):
    x = to_ours(numpy.zeros((4, 4)))
    with pytest.warns(FallbackWarning):
        fill_first_row(x, 5.0)
    expected = numpy.zeros((4, 4))
    expected[0] = 5.0
    check(x, expected)


def test_fallback_of_namespace_names(machine):
    with pytest.warns(FallbackWarning, match="numpy.bmat"), warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        r = ab.bmat([[ab.eye(2), ab.zeros((2, 1))]])
    assert isinstance(r, ab.ndarray)
    check(r, numpy.hstack([numpy.eye(2), numpy.zeros((2, 1))]))


# -----------------------------------------------------------------------------------
# conversions

def test_conversions(machine):
    a = numpy.arange(6.0).reshape(2, 3)
    x = to_ours(a)
    assert numpy.asarray(x).tolist() == a.tolist()
    assert x.tolist() == a.tolist()
    assert float(x[1, 2]) == 5.0 and int(x[1, 1]) == 4 and bool(x[0, 1])
    assert complex(x[0, 1]) == 1 + 0j
    assert x[1, 2].item() == 5.0 and x.item(4) == 4.0
    assert [1, 2, 3][ab.asarray(1)] == 2
    assert f"{x[0, 1]:.3f}" == "1.000"
    assert repr(x) == repr(a) and str(x) == str(a)
    assert repr(ab.arange(3)) == "array([0, 1, 2])"
    with pytest.raises(TypeError):
        float(x)
    with pytest.raises(TypeError, match="only integer scalar arrays"):
        [1, 2][x[0, 1]]
    h = numpy.asarray(x, dtype=numpy.float32)
    assert h.dtype == numpy.float32
    c = numpy.array(x, copy=True)
    c[0, 0] = 99
    assert float(x[0, 0]) == 0.0
    assert ab.asnumpy(x).shape == (2, 3)
    import pickle
    y = pickle.loads(pickle.dumps(x))
    check(y, a)
    import copy
    z = copy.deepcopy(x)
    z[0, 0] = 5
    assert float(x[0, 0]) == 0.0


def test_array_copy_false_raises_where_needed(multi):
    x = ab.arange(10.0)
    if x._view_layout().is_single and not x._store.machine.is_gpu:
        numpy.asarray(x, copy=False)
    else:
        with pytest.raises(ValueError, match="unable to avoid a copy"):
            numpy.asarray(x, copy=False)


def test_counters_track_transfers(multi):
    ab.counters.reset()
    g = ab.arange(36.0).reshape(6, 6)
    n = ab.zeros_like(g)
    n[1:-1, 1:-1] = g[:-2, 1:-1] + g[2:, 1:-1]
    if multi.ndev > 1:
        assert ab.counters.exchanges >= 1 and ab.counters.exchange_bytes > 0
    else:
        assert ab.counters.exchanges == 0      # one device: nothing moves
    assert ab.counters.fallbacks == 0


@pytest.mark.parametrize("call", [
    lambda np, a: np.gradient(a, 0.5, axis=1), lambda np, a: np.mean(a, axis=0),
    lambda np, a: np.std(a, axis=(0, 1), ddof=1), lambda np, a: np.diag(a),
    lambda np, a: np.asarray_chkfinite(a), lambda np, a: np.tile(a, 2),
    lambda np, a: np.histogram(a, bins=4), lambda np, a: np.where(a > 0.5),
    lambda np, a: np.cumsum(a, axis=1, dtype=float), lambda np, a: np.mean(a[:0], axis=0),
    lambda np, a: np.sum(a, axis=5), lambda np, a: np.fft.fftshift(a, axes=0),
    lambda np, a: np.round(a, 2), lambda np, a: np.clip(a, 0.2, None)])
def test_function_of_one_array_and_plain_values(call):
    """``np.f(a, <plain Python values>)`` on one CPU device, the common call that skips
    the dispatch: NumPy's values, warnings and errors; a new array never aliases ``a``, a
    view (``np.diag`` of a matrix) is one, and a function returning its argument returns
    the same array."""
    an = numpy.random.default_rng(1).random((4, 6))
    want, want_w = outcome(call, numpy, an)
    with ab.enabled(devices="cpu:1"):
        import numpy as np
        a = np.asarray(an)
        got, got_w = outcome(call, np, a)
    # (a floating-point warning names the user's line, not NumPy's: docs/differences.md)
    assert [(w.category, str(w.message)) for w in got_w] == \
        [(w.category, str(w.message)) for w in want_w]
    if isinstance(want, type):
        assert got is want
        return
    outs = got if isinstance(got, tuple) else (got,)
    for g, w in zip(outs, want if isinstance(want, tuple) else (want,)):
        numpy.testing.assert_array_equal(ab.asnumpy(g), w)
        assert g.dtype == w.dtype and g.shape == w.shape
    if got is a:
        assert call(numpy, an) is an
        return
    shared = [isinstance(w, numpy.ndarray) and numpy.shares_memory(w, an)
              for w in (want if isinstance(want, tuple) else (want,))]
    expect = [w.copy() if not s else None for w, s in
              zip(want if isinstance(want, tuple) else (want,), shared)]
    a[...] = -1.0                      # writes to the argument reach views, not copies
    an[...] = -1.0
    for g, w, s, e in zip(outs, want if isinstance(want, tuple) else (want,), shared,
                          expect):
        numpy.testing.assert_array_equal(ab.asnumpy(g), w if s else e)
