"""The one helper every test compares with NumPy through.

``check(ours, expected)`` asserts that an arrbackend result is an arrbackend array whose
shards agree with its declared layout, and whose values, dtype and shape equal NumPy's
(tolerances keyed by dtype).  ``same(fn, *arrays)`` runs the same code on NumPy arrays and
on their arrbackend copies, and checks the results (or that both raise the same
exception class).  ``same_code(fn)`` runs ``fn(np)`` with ``np`` as NumPy and as
arrbackend (for code that makes its own arrays) and compares the same way.
``same_aliasing(program, *arrays)`` runs a program on both, then writes into each of its
variables in turn and compares every variable after every write: which variables a write
changed (views, copies) is NumPy's.
"""
from __future__ import annotations

import numpy
from numpy._core.overrides import array_function_dispatch

import arrbackend
from arrbackend.distributed.localize import view_layout

RTOL = {"e": 2e-3, "f": 2e-5, "d": 1e-12, "g": 1e-12, "F": 2e-5, "D": 1e-12}
ATOL = {"e": 1e-3, "f": 1e-6, "d": 1e-13, "g": 1e-13, "F": 1e-6, "D": 1e-13}


def check_layout(x) -> None:
    """Each shard's shape and place agree with the store's layout; nothing left over."""
    store = x._store
    lay = store.layout
    m = store.machine
    if lay.is_block:
        n = store.shape[lay.axis]
        covered = sorted(lay.ranges)
        pos = 0
        for lo, hi in covered:
            assert lo == pos and hi >= lo, f"ranges {lay.ranges} do not partition [0, {n})"
            pos = hi
        assert pos == n, f"ranges {lay.ranges} do not cover [0, {n})"
    for d in m.local:
        shard = store.shards[d]
        expected = lay.shard_shape(store.shape, d)
        if expected is None:
            assert shard is None, f"device {d} holds a shard it should not"
        else:
            assert shard is not None, f"device {d} is missing its shard"
            assert tuple(shard.shape) == expected, (d, shard.shape, expected)
            assert shard.dtype == store.dtype
    view_layout(store, x._map)   # the view's map is consistent with the layout


def _tol(dtype, rtol, atol):
    ch = numpy.dtype(dtype).char
    return (RTOL.get(ch, 0) if rtol is None else rtol,
            ATOL.get(ch, 0) if atol is None else atol)


def check(ours, expected, rtol=None, atol=None, check_dtype=True) -> None:
    """``ours`` (arrbackend) equals ``expected`` (NumPy array or scalar)."""
    if isinstance(expected, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(expected)
        for o, e in zip(ours, expected):
            check(o, e, rtol, atol, check_dtype)
        return
    assert isinstance(ours, arrbackend.ndarray), f"expected an arrbackend array, got {type(ours)}"
    check_layout(ours)
    got = arrbackend.asnumpy(ours)
    exp = numpy.asarray(expected)
    assert got.shape == exp.shape, f"shape {got.shape} != {exp.shape}"
    if check_dtype:
        assert got.dtype == exp.dtype, f"dtype {got.dtype} != {exp.dtype}"
    if exp.dtype.kind in "fc" or got.dtype.kind in "fc":
        r, a = _tol(exp.dtype if exp.dtype.kind in "fc" else got.dtype, rtol, atol)
        numpy.testing.assert_allclose(got, exp, rtol=r, atol=a, equal_nan=True)
    else:
        numpy.testing.assert_array_equal(got, exp)


def to_ours(*arrays):
    """arrbackend copies (on the current machine) of NumPy arrays."""
    out = tuple(arrbackend.asarray(a) if isinstance(a, (numpy.ndarray, numpy.generic)) else a
                for a in arrays)
    return out if len(out) != 1 else out[0]


def same(fn, *arrays, rtol=None, atol=None, check_dtype=True):
    """Run ``fn`` on NumPy arrays and on arrbackend copies; compare results or errors."""
    ours = to_ours(*arrays)
    ours = ours if isinstance(ours, tuple) else (ours,)
    try:
        with numpy.errstate(all="ignore"):
            expected = fn(*arrays)
    except Exception as exc:  # the same class must be raised
        try:
            with numpy.errstate(all="ignore"):
                fn(*ours)
        except type(exc):
            return None
        except Exception as other:
            raise AssertionError(f"NumPy raised {type(exc).__name__}: {exc}; arrbackend "
                                 f"raised {type(other).__name__}: {other}") from other
        raise AssertionError(f"NumPy raised {type(exc).__name__}: {exc}; arrbackend did not")
    with numpy.errstate(all="ignore"):
        got = fn(*ours)
    check(got, expected, rtol, atol, check_dtype)
    return got


def _write(variables: dict, name: str, step: int):
    """The user's write into one variable: ``v += c`` on odd steps (in place for arrays;
    NumPy's scalars rebind), ``v[...] = v + c`` on even ones; returns the exception."""
    v = variables[name]
    c = 1000 * step
    try:
        if step % 2 or isinstance(v, numpy.generic):
            v += c
            variables[name] = v
        else:
            v[...] = v + c
    except Exception as exc:  # (compared with NumPy's by the caller)
        return exc
    return None


def _check_all(ours: dict, theirs: dict, when: str) -> None:
    for name, expected in theirs.items():
        try:
            check(ours[name], expected)
        except AssertionError as err:
            raise AssertionError(f"{name} {when}: {err}") from None


def same_aliasing(program, *arrays, writes=None):
    """Run ``program`` (arrays -> dict of named results) on NumPy arrays and on
    arrbackend copies (inside ``enabled()``, as a user's program), then write into the variables one after another (the inputs are
    ``a0``, ``a1``, ...; ``writes`` names the order, default all of them) and after every
    write compare every variable with NumPy's: so which variables each write changed is
    NumPy's (views, copies, values).  A write NumPy refuses must raise the same class."""
    ours = to_ours(*arrays)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs_v = {f"a{i}": a for i, a in enumerate(arrays)}
    ours_v = {f"a{i}": a for i, a in enumerate(ours)}
    with numpy.errstate(all="ignore"):
        theirs_v.update(program(*arrays))
        with arrbackend.enabled():      # (as a user's program: np.array(x) is ours)
            ours_v.update(program(*ours))
    _check_all(ours_v, theirs_v, "as made")
    for step, name in enumerate(writes or list(theirs_v), 1):
        with numpy.errstate(all="ignore"):
            exc = _write(theirs_v, name, step)
            with arrbackend.enabled():
                got = _write(ours_v, name, step)
        if exc is not None:
            assert got is not None, f"NumPy refused the write into {name} ({exc!r}); " \
                                    f"arrbackend did not"
            assert isinstance(got, type(exc)), (name, exc, got)
        elif got is not None:
            raise AssertionError(f"the write into {name}: arrbackend raised {got!r}, "
                                 f"NumPy did not") from got
        _check_all(ours_v, theirs_v, f"after the write into {name}")


def check_any(ours, expected) -> None:
    """``ours`` equals ``expected`` whatever they are: arrays (arrbackend against NumPy;
    NumPy data that stays on the host against NumPy), tuples and lists of them, or Python
    values."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(expected), (ours, expected)
        for o, e in zip(ours, expected):
            check_any(o, e)
    elif isinstance(expected, (numpy.ndarray, numpy.generic)):
        if isinstance(ours, (numpy.ndarray, numpy.generic)) or \
                expected.dtype.kind in "OUSVMm":        # (host data: NumPy's own answer)
            got = numpy.asarray(ours)
            assert got.shape == expected.shape and got.dtype == expected.dtype, (got, expected)
            assert numpy.array_equal(got, expected, equal_nan=got.dtype.kind in "fc"), \
                (got, expected)
        else:
            check(ours, expected)
    else:
        assert type(ours) is type(expected) and (ours == expected or ours != ours), \
            (ours, expected)


def same_code(fn):
    """Run ``fn(np)`` with ``np`` as NumPy and as arrbackend; compare the results, or
    that both raise, arrbackend an exception of NumPy's class.  Returns arrbackend's."""
    try:
        with numpy.errstate(all="ignore"):
            expected = fn(numpy)
    except Exception as exc:
        try:
            with numpy.errstate(all="ignore"):
                fn(arrbackend)
        except type(exc):
            return None
        except Exception as other:
            raise AssertionError(f"NumPy raised {type(exc).__name__}: {exc}; arrbackend "
                                 f"raised {type(other).__name__}: {other}") from other
        raise AssertionError(f"NumPy raised {type(exc).__name__}: {exc}; arrbackend did not")
    with numpy.errstate(all="ignore"):
        got = fn(arrbackend)
    check_any(got, expected)
    return got


@array_function_dispatch(lambda x: (x,), module="fallback_example")
def doubled(x):
    """A NumPy-dispatched function arrbackend cannot know: it always runs through the
    fallback (the tests of the fallback machinery call it)."""
    return numpy.asarray(x) * 2


FALLBACK = "fallback_example.doubled"


def outcome(call, *args):
    """``(call(*args) or the class of its exception, the warnings it issued)``, every
    warning recorded (``simplefilter("always")``)."""
    import warnings
    with warnings.catch_warnings(record=True) as issued:
        warnings.simplefilter("always")
        try:
            result = call(*args)
        except Exception as exc:
            result = type(exc)
    return result, issued
