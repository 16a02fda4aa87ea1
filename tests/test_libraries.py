"""Compiled code and real libraries inside ``enabled()``.

NumPy creation functions called from compiled code that the user's line called (NumPy's
own Cython ``SeedSequence``, CuPy's ``.get()``) return NumPy arrays; the user's own calls,
also through ``map`` or a table of functions, return arrbackend arrays.  pandas, SciPy and
matplotlib are used inside ``enabled()`` on arrbackend data, their answers compared with
the same program on NumPy data."""
from __future__ import annotations

import io
import warnings

import numpy
import pytest

import arrbackend as ab
from arrbackend.distributed.machine import gpu_count


# ---------------------------------------------------------------------------------------
# who is calling

def _user_program(np):
    """A user's program (this file is user code): what each line gets."""
    zeros = np.zeros
    table = {"ones": np.ones}
    return {
        "direct": np.zeros(2),
        "bound name": zeros(2),
        "table": table["ones"](2),
        "getattr": getattr(np, "arange")(3),
        "map": list(map(np.array, [[1.0, 2.0], [3.0]]))[0],
        "comprehension": [np.full(2, v) for v in (1, 2)][1],
        # NumPy's compiled SeedSequence makes arrays with np.asarray from the user's line
        "RandomState": np.random.RandomState(5).rand(3),
        "SeedSequence": np.random.SeedSequence(5).generate_state(2),
        "PCG64": np.random.Generator(np.random.PCG64(5)).random(2),
    }


@pytest.mark.parametrize("spec", ["cpu:1", "cpu:3"])
def test_users_calls_are_routed_compiled_callers_get_numpy(spec):
    with ab.enabled(devices=spec):
        got = _user_program(numpy)
    want = _user_program(numpy)
    for key in ("direct", "bound name", "table", "getattr", "map", "comprehension"):
        assert isinstance(got[key], ab.ndarray), key
        numpy.testing.assert_array_equal(ab.asnumpy(got[key]), want[key])
    for key in ("RandomState", "SeedSequence", "PCG64"):        # NumPy's, and no crash
        assert isinstance(got[key], numpy.ndarray), key
        numpy.testing.assert_array_equal(got[key], want[key])


# ---------------------------------------------------------------------------------------
# pandas, SciPy, matplotlib on arrbackend data

def _pandas_program(np, pd, to_keys):
    x = np.arange(12.0) * 1.5
    k = np.arange(12) % 3
    s = pd.Series(x)
    df = pd.DataFrame({"a": x, "k": k, "b": np.sqrt(x)})
    return {
        "sum": s.sum(), "describe": df.describe().to_numpy(),
        "by column": df.groupby("k")["a"].mean().to_numpy(),
        "by keys": s.groupby(to_keys(k)).sum().to_numpy(),
        "rolling": s.rolling(3).mean().to_numpy(),
        "map": pd.Series(k).map({0: 10, 1: 20, 2: 30}).to_numpy(),
        "2-d": pd.DataFrame(x.reshape(4, 3)).cumsum().to_numpy(),
        "where": s.where(s > 6.0, 0.0).to_numpy(),
    }


@pytest.mark.parametrize("spec", ["cpu:1", "cpu:3"])
def test_pandas(spec):
    pd = pytest.importorskip("pandas", reason="pandas is in the test extra")
    with ab.enabled(devices=spec), warnings.catch_warnings():
        warnings.simplefilter("ignore", ab.TransferWarning)
        # pandas takes an array as group keys only if it is NumPy's (any other array
        # is taken for a mapping function): hand it NumPy's copy
        got = _pandas_program(numpy, pd, ab.asnumpy)
    want = _pandas_program(numpy, pd, lambda v: v)
    for key in want:
        numpy.testing.assert_allclose(numpy.asarray(got[key], dtype=float),
                                      numpy.asarray(want[key], dtype=float), rtol=1e-12,
                                      equal_nan=True, err_msg=key)


def _scipy_program(np):
    import scipy.interpolate
    import scipy.linalg
    import scipy.optimize
    import scipy.signal
    import scipy.stats
    x = np.linspace(0.0, 3.0, 16)
    y = np.sin(x)
    res = scipy.optimize.minimize(lambda v: float(np.sum((v - np.arange(3.0)) ** 2)),
                                  np.zeros(3), method="BFGS")
    return {
        "describe": np.asarray(scipy.stats.describe(y)[2:]),
        "convolve": scipy.signal.convolve(y, np.ones(3) / 3),
        "solve": scipy.linalg.solve(np.eye(3) * 2 + 0.5, np.ones(3)),
        "interp": scipy.interpolate.CubicSpline(x, y)(np.array([0.5, 1.25])),
        "minimize": res.x,
        "pearsonr": np.asarray(scipy.stats.pearsonr(x, y)[0]),
    }


@pytest.mark.parametrize("spec", ["cpu:1", "cpu:3"])
def test_scipy(spec):
    pytest.importorskip("scipy", reason="SciPy is in the test extra")
    with ab.enabled(devices=spec):
        got = _scipy_program(numpy)
    want = _scipy_program(numpy)
    for key in want:
        numpy.testing.assert_allclose(ab.asnumpy(got[key]) if isinstance(got[key], ab.ndarray)
                                      else numpy.asarray(got[key]), want[key], rtol=1e-6,
                                      atol=1e-8, err_msg=key)


def _plot(np, plt, hist=False):
    x = np.linspace(0.0, 2.0, 9)
    fig, ax = plt.subplots()
    line, = ax.plot(x, x ** 2)
    counts = numpy.zeros(0)
    if hist:
        counts, _edges, _bars = ax.hist(np.arange(20.0) % 7, bins=4)
        counts = numpy.concatenate([counts, ax.bar(np.arange(3), np.arange(3.0) + 1)
                                    .datavalues])
    im = ax.imshow(np.arange(12.0).reshape(3, 4))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return line.get_xydata(), numpy.asarray(counts), numpy.asarray(im.get_array()), \
        buf.getvalue()[:8]


@pytest.mark.parametrize("spec", ["cpu:1", "cpu:3"])
def test_matplotlib(spec):
    matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is in the test extra")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with ab.enabled(devices=spec):
        got = _plot(numpy, plt)
    want = _plot(numpy, plt)
    for g, w in zip(got[:3], want[:3]):
        numpy.testing.assert_allclose(g, w)
    assert got[3] == want[3] == b"\x89PNG\r\n\x1a\n"


def test_matplotlib_hist_and_bar():
    matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is in the test extra")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with ab.enabled(devices="cpu:3"):
        got = _plot(numpy, plt, hist=True)
    numpy.testing.assert_allclose(got[1], _plot(numpy, plt, hist=True)[1])


# ---------------------------------------------------------------------------------------
# CuPy next to arrbackend (GPU)

@pytest.mark.gpu
@pytest.mark.skipif(not gpu_count(), reason="no GPU visible to CuPy")
def test_cupy_inside_enabled():
    import cupy
    want = str(numpy.arange(6.0))
    with ab.enabled(devices="gpu"):
        x = numpy.arange(6.0)
        c = cupy.asarray(x)                       # zero-copy: the shard's own memory
        assert c.data.ptr == x._local().data.ptr
        text = str(c)                            # CuPy's compiled .get() makes NumPy arrays
        h = c.get()
    assert text == want
    assert type(h) is numpy.ndarray
