"""``arrbackend.profile()``: the table, ``to_dict``, the Chrome trace, the attribution of
counters to NumPy functions, nothing left installed after a profile, and the checker's
warnings at the right line."""
from __future__ import annotations

import json
import sys
import warnings

import numpy
import pytest

import arrbackend
from arrbackend import _ndarray
from arrbackend.dispatch import protocols
from arrbackend.profiling import REPEATS, PerformanceWarning, Profile, _on_count
from helpers import FALLBACK, doubled


def fallback_call():
    """(name, function) of a NumPy-dispatched call that runs through the fallback."""
    return FALLBACK, doubled


def _here() -> int:
    return sys._getframe(1).f_lineno


def _names(p) -> list:
    return sorted(r["name"] for r in p.to_dict()["functions"])


def _row(p, name) -> dict:
    rows = {r["name"]: r for r in p.to_dict()["functions"]}
    assert name in rows, f"{name} not profiled; rows: {sorted(rows)}"
    return rows[name]


@pytest.fixture
def cpu3():
    with arrbackend.enabled(devices="cpu:3"), arrbackend.settings.override(split_bytes=0):
        yield


def test_rows_per_function_and_ufunc(cpu3):
    x = numpy.arange(12.0)
    with arrbackend.profile() as p:
        y = numpy.sqrt(x) + 1            # a ufunc through NEP 13, an operator
        s = numpy.sum(y)                 # NEP 18
        m = y.mean()                     # a method
        r = numpy.add.reduce(y)          # a ufunc method
        v = float(s)                     # a conversion
        y[0] = 5.0                       # an assignment
    assert isinstance(p, Profile)
    assert _names(p) == ["ndarray.__float__", "ndarray.__setitem__", "numpy.add",
                         "numpy.add.reduce", "numpy.mean", "numpy.sqrt", "numpy.sum"]
    assert _row(p, "numpy.add")["calls"] == 1
    assert p.calls == 7
    assert v == pytest.approx(float(numpy.sum(numpy.sqrt(numpy.arange(12.0)) + 1)))
    del m, r


def test_times_are_consistent(cpu3):
    x = numpy.ones((30, 30))
    with arrbackend.profile() as p:
        for _ in range(3):
            x = x * 2 + 1
        float(x.sum())
    d = p.to_dict()
    assert d["machine"] == "cpu:3"
    for r in d["functions"]:
        assert r["calls"] >= 1
        assert 0 <= r["self_s"] <= r["total_s"] + 1e-9
    assert d["totals"]["self_s"] <= d["wall_s"]
    assert d["totals"]["calls"] == sum(r["calls"] for r in d["functions"]) == 8


def test_counters_are_attributed_to_the_call(cpu3):
    x = numpy.arange(9.0)
    name, fallback = fallback_call()
    before = arrbackend.counters.snapshot()
    with arrbackend.settings.override(fallback="silent"), arrbackend.profile() as p:
        fallback(x)                                      # a fallback to NumPy
        y = x[1:] + x[:-1]                               # shifted views: an exchange
        float(y.sum())
    after = arrbackend.counters.snapshot()
    assert _row(p, name)["fallbacks"] == 1
    assert _row(p, "ndarray.__float__")["syncs"] == 1
    d = p.to_dict()
    for name in after:            # every increment is in exactly one row (or outside)
        assert d["totals"][name] == after[name] - before[name], name
    assert d["totals"]["exchange_bytes"] > 0


def test_increments_outside_calls_have_their_own_row(cpu3):
    with arrbackend.profile() as p:
        arrbackend.counters.add("gathers")
    assert p.to_dict()["outside"]["gathers"] == 1
    assert "(outside NumPy calls)" in str(p)


def test_table(cpu3):
    x = numpy.arange(6.0)
    with arrbackend.profile() as p:
        numpy.sum(x * 2)
    text = str(p)
    lines = text.splitlines()
    assert lines[0].startswith("arrbackend profile: ") and "on cpu:3" in lines[0]
    for column in ("function", "calls", "total ms", "self ms", "kernels", "compiled",
                   "exchanged", "to host", "to device", "fallbacks"):
        assert column in lines[1]
    assert any(line.startswith("numpy.multiply ") for line in lines)
    assert lines[-1].startswith("total ")
    assert "2 calls" in lines[0]
    assert p.table(sort="name", limit=1).count("numpy.") == 1
    with pytest.raises(ValueError, match="sort must be one of"):
        p.rows(sort="size")


def test_to_dict_is_json(cpu3):
    x = numpy.arange(6.0)
    with arrbackend.profile() as p:
        numpy.exp(x)
    d = json.loads(json.dumps(p.to_dict()))
    assert set(d) >= {"machine", "wall_s", "functions", "outside", "totals"}
    row = d["functions"][0]
    assert set(row) >= {"name", "calls", "total_s", "self_s"} | set(arrbackend.counters.snapshot())


def test_chrome_trace(cpu3, tmp_path):
    x = numpy.arange(6.0)
    with arrbackend.profile() as p:
        y = numpy.sqrt(x)
        numpy.sum(y)
    path = tmp_path / "trace.json"
    assert p.chrome_trace(path) == str(path)
    doc = json.loads(path.read_text())
    calls = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert [e["name"] for e in calls] == ["numpy.sqrt", "numpy.sum"]
    for e in calls:
        assert e["dur"] >= 0 and e["ts"] >= 0 and isinstance(e["args"], dict)
    assert calls[0]["ts"] <= calls[1]["ts"]
    assert doc["otherData"]["machine"] == "cpu:3"


def test_max_events_keeps_counting(cpu3, tmp_path):
    x = numpy.arange(6.0)
    with arrbackend.profile(max_events=2) as p:
        for _ in range(5):
            x + 1
    assert _row(p, "numpy.add")["calls"] == 5
    doc = json.loads(open(p.chrome_trace(tmp_path / "t.json")).read())
    assert len([e for e in doc["traceEvents"] if e["ph"] == "X"]) == 2
    assert p.to_dict()["dropped_events"] == 3


def test_nothing_installed_outside_a_profile(cpu3):
    call, ufunc_call = _ndarray._call, _ndarray._ufunc_call
    getitem = vars(arrbackend.ndarray)["__getitem__"]
    ab_sum = arrbackend.sum
    with pytest.raises(RuntimeError, match="inside"):
        with arrbackend.profile():
            assert protocols.hook is not None
            assert arrbackend.counters.listeners
            raise RuntimeError("inside")
    assert protocols.hook is None
    assert _on_count not in arrbackend.counters.listeners
    assert _ndarray._call is call and _ndarray._ufunc_call is ufunc_call
    assert vars(arrbackend.ndarray)["__getitem__"] is getitem
    assert arrbackend.sum is ab_sum


def test_nested_profiles(cpu3):
    x = numpy.arange(6.0)
    with arrbackend.profile() as outer:
        numpy.sqrt(x)
        with arrbackend.profile() as inner:
            numpy.exp(x)
        numpy.sum(x)
    assert _names(inner) == ["numpy.exp"]
    assert _names(outer) == ["numpy.exp", "numpy.sqrt", "numpy.sum"]
    assert protocols.hook is None
    with pytest.raises(RuntimeError, match="already active"):
        with outer:
            with outer:
                pass


def test_import_arrbackend_as_np_is_profiled():
    import arrbackend as anp
    with arrbackend.devices("cpu:2"):
        x = anp.arange(6.0)
        with arrbackend.profile() as p:
            anp.sum(anp.add(x, 1))
    assert _names(p) == ["numpy.add", "numpy.sum"]


def test_results_unchanged_by_profiling(cpu3):
    x = numpy.linspace(0, 1, 50)
    expected = arrbackend.asnumpy(numpy.sin(x) * 3 + numpy.sum(x))
    with arrbackend.profile(check=True):
        got = arrbackend.asnumpy(numpy.sin(x) * 3 + numpy.sum(x))
    numpy.testing.assert_array_equal(got, expected)


# ---------------------------------------------------------------------------------------
# The checker

def _only(record, category=PerformanceWarning):
    found = [w for w in record if issubclass(w.category, category)]
    assert len(found) == 1, [str(w.message) for w in record]
    return found[0]


def test_check_fallback_in_a_loop(cpu3):
    x = numpy.arange(8.0)
    name, fallback = fallback_call()
    with arrbackend.settings.override(fallback="silent"), \
            pytest.warns(PerformanceWarning) as record, arrbackend.profile(check=True):
        for _ in range(REPEATS + 2):
            fallback(x); line = _here()  # noqa: E702
    w = _only(record)
    assert (w.filename, w.lineno) == (__file__, line)
    assert f"{name} ran through the fallback" in str(w.message)


def test_check_scalar_conversion_in_a_loop(cpu3):
    x = numpy.arange(8.0)
    total = 0.0
    with pytest.warns(PerformanceWarning) as record, arrbackend.profile(check=True):
        for i in range(REPEATS):
            total += float(x[i]); line = _here()  # noqa: E702
    w = _only(record)
    assert (w.filename, w.lineno) == (__file__, line)
    assert "float()" in str(w.message) and f"{REPEATS} times" in str(w.message)
    with pytest.warns(PerformanceWarning) as record, arrbackend.profile(check=True):
        for i in range(REPEATS):
            x[i].item(); line = _here()  # noqa: E702
    assert _only(record).lineno == line


def test_check_builtin_sum(cpu3):
    x = numpy.arange(5.0)
    with pytest.warns(PerformanceWarning) as record, arrbackend.profile(check=True):
        s = sum(x); line = _here()  # noqa: E702
    w = _only(record)
    assert (w.filename, w.lineno) == (__file__, line)
    assert "builtin sum()" in str(w.message)
    assert float(s) == 10.0


def test_check_long_python_loop(cpu3):
    from arrbackend.profiling import ITERATION_ELEMENTS
    x = numpy.zeros(ITERATION_ELEMENTS + 1)
    with pytest.warns(PerformanceWarning) as record, arrbackend.profile(check=True):
        for v in x: line = _here()  # noqa: E701
    w = _only(record)
    assert (w.filename, w.lineno) == (__file__, line)
    assert "Python loop" in str(w.message)
    del v


def test_check_host_copies_in_a_loop(cpu3):
    x = numpy.arange(8.0)
    with pytest.warns(PerformanceWarning) as record, arrbackend.profile(check=True):
        for _ in range(REPEATS):
            arrbackend.asnumpy(x); line = _here()  # noqa: E702
    w = _only(record)
    assert (w.filename, w.lineno) == (__file__, line)
    assert "copied to the host" in str(w.message)


def test_check_is_quiet_for_good_code(cpu3):
    x = numpy.arange(8.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerformanceWarning)
        with arrbackend.profile(check=True) as p:
            for _ in range(REPEATS * 2):
                x = x * 2
            float(x.sum())
            for v in numpy.arange(3.0):         # a short loop
                pass
        with arrbackend.profile() as q:          # check=False: no checker at all
            for i in range(REPEATS * 2):
                float(x[i % 8])
    assert p.calls and q.calls


def test_check_warns_once_per_line(cpu3):
    x = numpy.arange(8.0)
    with pytest.warns(PerformanceWarning) as record, arrbackend.profile(check=True):
        for i in range(REPEATS * 3):
            float(x[i % 8])
    assert len([w for w in record if issubclass(w.category, PerformanceWarning)]) == 1
