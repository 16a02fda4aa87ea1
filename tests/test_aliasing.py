"""Views and aliasing as NumPy has them: after every write, the variables that changed
are NumPy's (``same_aliasing`` writes into each variable of a program in turn and compares
them all).  One parametrized test per class: integer indexing gives values; functions
that make new arrays never return views of their input; diagonals and reshapes are views
where NumPy's are; the complex parts; and NumPy's read-only flags (``asarray`` of a
read-only NumPy array)."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from helpers import check, same_aliasing, to_ours


def _grid(*shape, dtype=float):
    return (numpy.arange(numpy.prod(shape)) % 7).astype(dtype).reshape(shape) \
        if dtype == "bool" else numpy.arange(numpy.prod(shape), dtype=dtype).reshape(shape)


# ---------------------------------------------------------------------------------------
# integer indexing of every axis gives a value (NumPy: a scalar), never a live view

ELEMENTS = {
    "ints": lambda a: {"v": a[3, 2]},
    "negative ints": lambda a: {"v": a[-1, -3]},
    "numpy ints": lambda a: {"v": a[numpy.int64(1), numpy.intp(2)]},
    "a tuple key": lambda a: {"v": a[(2, 1)]},
    "row, then element": lambda a: {"r": a[1], "v": a[1][2]},
    "of a transposed view": lambda a: {"v": a.T[2, 3]},
    "of a reversed strided view": lambda a: {"s": a[::-2, ::2], "v": a[::-2, ::2][1, 1]},
    "ints and an ellipsis (a 0-d view)": lambda a: {"v": a[1, ..., 2]},
    "an empty tuple (a view)": lambda a: {"v": a[()]},
    "a 0-d view, then its element": lambda a: {"z": a[1, 2, ...], "v": a[1, 2, ...][()]},
    "iteration": lambda a: {"v": list(a[0])[1], "w": [r for r in a][2][0]},
}


@pytest.mark.parametrize("case", list(ELEMENTS))
def test_integer_indexing_gives_values(machine, case):
    same_aliasing(ELEMENTS[case], _grid(4, 3))


@pytest.mark.parametrize("dtype", ["uint8", "int16", "float32"])
def test_element_value_after_writes_to_its_array(machine, dtype):
    a = _grid(5, 2, dtype=dtype)
    x = to_ours(a)
    v, w = a[3, 1], x[3, 1]
    a[-4:] = 9
    x[-4:] = 9
    check(w, v)
    check(x, a)


def test_in_place_operator_on_an_element(machine):
    # NumPy: u8[3] is a scalar, /= makes a float64 1.5, stored back truncated
    a = numpy.arange(6, dtype=numpy.uint8)
    x = to_ours(a)
    a[3] /= 2
    x[3] /= 2
    check(x, a)


# ---------------------------------------------------------------------------------------
# functions that make a new array never return a view of their input; those that return
# views (or the input itself) in NumPy do here

NEW_OR_VIEW = {
    "tile": lambda a: {"t": numpy.tile(a, (3, 1))},
    "tile 1-d reps": lambda a: {"t": numpy.tile(a, 2)},
    "tile ones": lambda a: {"t": numpy.tile(a, (1, 1))},
    "tile of a row": lambda a: {"t": numpy.tile(a[1], (2, 1))},
    "tile of one element": lambda a: {"t": numpy.tile(a[:1, :1], (2, 3))},
    "repeat": lambda a: {"r": numpy.repeat(a, 2, axis=0)},
    "repeat once": lambda a: {"r": numpy.repeat(a, 1, axis=1)},
    "repeat one element": lambda a: {"r": numpy.repeat(a[:1, :1], 3)},
    "resize": lambda a: {"r": numpy.resize(a, (2, 6))},
    "copy": lambda a: {"c": numpy.copy(a), "m": a.copy(), "r": numpy.array(a)},
    "astype": lambda a: {"c": a.astype(a.dtype)},
    "flatten": lambda a: {"f": a.flatten(), "g": a[:, :1].flatten()},
    "joins of one array": lambda a: {"c": numpy.concatenate([a]), "s": numpy.stack([a]),
                                     "h": numpy.hstack([a]), "v": numpy.vstack([a]),
                                     "b": numpy.block([a])},
    "append": lambda a: {"p": numpy.append(a, [])},
    "sort": lambda a: {"s": numpy.sort(a, axis=0)},
    "pad 0": lambda a: {"p": numpy.pad(a, 0)},
    "roll 0": lambda a: {"r": numpy.roll(a, 0)},
    "tril triu": lambda a: {"l": numpy.tril(a, 5), "u": numpy.triu(a, -5)},
    "delete nothing": lambda a: {"d": numpy.delete(a, [], axis=0)},
    "elementwise": lambda a: {"p": +a, "q": numpy.positive(a), "c": numpy.clip(a, -1, 99),
                              "w": numpy.where(True, a, 0), "n": numpy.nan_to_num(a)},
    "asarray": lambda a: {"v": numpy.asarray(a), "w": numpy.asanyarray(a),
                          "c": numpy.ascontiguousarray(a)},
    "views": lambda a: {"t": a.T, "s": numpy.swapaxes(a, 0, 1), "f": numpy.flip(a),
                        "l": numpy.fliplr(a), "r": numpy.rot90(a), "e": numpy.expand_dims(a, 0),
                        "q": numpy.squeeze(a[:1]), "t2": numpy.atleast_2d(a[0]),
                        "m": numpy.moveaxis(a, 0, 1), "v": a.view()},
    "splits": lambda a: dict(zip("pqr", numpy.array_split(a, 3))),
    "broadcast_to (read-only)": lambda a: {"b": numpy.broadcast_to(a[:1], (3, 3)),
                                           "c": numpy.broadcast_to(a, a.shape)},
    "real of a real array": lambda a: {"r": numpy.real(a), "s": a.real},
    "flat indexing (copies)": lambda a: {"r": a.flat[:], "s": a.flat[2:7], "t": a.flat[[1, 4]]},
    "asfortranarray, require": lambda a: {"f": numpy.asfortranarray(a),
                                          "g": numpy.asfortranarray(a[0]),
                                          "r": numpy.require(a, requirements="F"),
                                          "s": numpy.require(a, requirements="C"),
                                          "t": numpy.require(a[:, ::2], requirements="C")},
    "diff n=0, astype copy=False": lambda a: {"d": numpy.diff(a, n=0),
                                              "c": a.astype(a.dtype, copy=False)},
    "reductions over no axes": lambda a: {"s": numpy.sum(a, axis=()),
                                          "m": numpy.max(a, axis=()),
                                          "p": numpy.prod(a, axis=())},
}


@pytest.mark.parametrize("case", list(NEW_OR_VIEW))
def test_new_arrays_and_views(machine, case):
    same_aliasing(NEW_OR_VIEW[case], _grid(4, 3))


def test_tile_does_not_alias_its_input_sorted(machine):
    a = numpy.array([3.0, 1.0, 2.0])
    x = to_ours(a)
    t, u = numpy.tile(a, (3, 1)), numpy.tile(x, (3, 1))
    a.sort()
    x.sort()
    u[1, 1] = -1
    t[1, 1] = -1
    check(u, t)
    check(x, a)


# ---------------------------------------------------------------------------------------
# diagonals: read-only views, as in NumPy

DIAGONALS = {
    "diagonal": lambda a: {"d": numpy.diagonal(a)},
    "offset": lambda a: {"d": numpy.diagonal(a, 1), "e": numpy.diagonal(a, -2)},
    "beyond the array": lambda a: {"d": numpy.diagonal(a, 7), "e": numpy.diagonal(a, -9)},
    "swapped axes": lambda a: {"d": numpy.diagonal(a, 1, 1, 0)},
    "method": lambda a: {"d": a.diagonal(-1)},
    "diag of 2-d": lambda a: {"d": numpy.diag(a), "e": numpy.diag(a, 2)},
    "linalg.diagonal": lambda a: {"d": numpy.linalg.diagonal(a, offset=1)},
    "of a reversed view": lambda a: {"v": a[::-1], "d": numpy.diagonal(a[::-1], 1)},
    "of a strided view": lambda a: {"d": numpy.diagonal(a[1::2, ::2])},
    "of a transposed view": lambda a: {"d": numpy.diagonal(a.T, -1)},
    "of a row block": lambda a: {"d": numpy.diagonal(a[2:5], 2)},
    "einsum ii->i (writeable)": lambda a: {"d": numpy.einsum("ii->i", a[:5])},
    "trace": lambda a: {"t": numpy.trace(a, 1)},
}


@pytest.mark.parametrize("case", list(DIAGONALS))
def test_diagonals_are_views(machine, case):
    same_aliasing(DIAGONALS[case], _grid(6, 5))


@pytest.mark.parametrize("axes", [(0, 1), (1, 2), (2, 0), (0, 2)])
@pytest.mark.parametrize("offset", [-2, 0, 1, 3])
def test_diagonals_of_3d(machine, axes, offset):
    same_aliasing(lambda a: {"d": numpy.diagonal(a, offset, *axes)}, _grid(5, 4, 3))


def test_diagonal_is_read_only_until_made_writeable(machine):
    a = _grid(4, 4)
    x = to_ours(a)
    d, e = numpy.diagonal(a), numpy.diagonal(x)
    assert not e.flags.writeable and not e.flags.owndata
    assert e.strides == d.strides and e.flags.c_contiguous == d.flags.c_contiguous
    with pytest.raises(ValueError, match="read-only"):
        e[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        e += 1.0
    d.flags.writeable = True
    e.flags.writeable = True            # (NumPy allows it: the writes reach the array)
    d[1] = -5.0
    e[1] = -5.0
    check(x, a)


# ---------------------------------------------------------------------------------------
# reshape of a view is a view where NumPy's is (and where each device keeps its rows)

RESHAPES = {
    "expand_dims, then reshape": lambda a: (lambda v1: {"v1": v1, "v2": v1.reshape(
        a.size, -1, 1)})(numpy.expand_dims(a.reshape(-1), -1)),
    "rows": lambda a: {"r": a[2:].reshape(-1)},
    "rows, split": lambda a: {"r": a[2:].reshape(2, 2, 4)},
    "a column (strided)": lambda a: {"r": a[:, :1].reshape(-1), "s": a[:, 1:2].reshape(3, 2)},
    "strided rows": lambda a: {"r": a[::2].reshape(3, 2, 2)},
    "every other column (a copy)": lambda a: {"r": a[:, ::2].reshape(-1)},
    "transposed (a copy)": lambda a: {"r": a.T.reshape(-1), "s": a.T.reshape(2, 12)},
    "reversed (a copy)": lambda a: {"r": a[::-1].reshape(-1)},
    "of a reshape": lambda a: {"r": a.reshape(3, 8).reshape(24)},
    "of a diagonal": lambda a: {"d": numpy.diagonal(a), "r": numpy.diagonal(a).reshape(2, 2)},
    "ravel": lambda a: {"r": a.ravel(), "s": numpy.ravel(a[1:3])},
    "ravel of strided views (copies)": lambda a: {"r": a[:, :1].ravel(),
                                                  "s": a[::2].ravel(), "t": a.T.ravel()},
    "ravel of a column, F order": lambda a: {"r": a[:, 1].ravel(order="F")},
}


@pytest.mark.parametrize("case", list(RESHAPES))
def test_reshapes_of_views(machine, case):
    same_aliasing(RESHAPES[case], _grid(6, 4))


def test_reshape_of_expand_dims(machine):
    # the program: v2 is a view of v1, so v1 += 100 changes it
    def program(v0):
        v1 = numpy.expand_dims(v0, -1)
        return {"v1": v1, "v2": v1.reshape(9, -1, 1)}
    same_aliasing(program, numpy.arange(9.0), writes=["v1", "v2", "a0"])


@pytest.mark.parametrize("shape", [(3, 4, 2), (6, 4), (2, 12)])
def test_reshape_of_a_strided_view_on_one_device(shape):
    # on one device every reshape that NumPy makes a view is one here
    with ab.devices("cpu:1"):
        same_aliasing(lambda a: {"v": a[:, 1:3], "r": a[:, 1:3].reshape(shape)}, _grid(12, 4))


def test_reshape_view_flags_follow_numpy(machine):
    a = _grid(6, 4)
    x = to_ours(a)
    for fn in (lambda t: t[:, :1].reshape(-1), lambda t: t[::2].reshape(3, 2, 2),
               lambda t: numpy.diagonal(t).reshape(2, 2), lambda t: t.reshape(3, 8)):
        r, s = fn(a), fn(x)
        assert s.strides == r.strides
        assert s.flags.c_contiguous == r.flags.c_contiguous
        assert s.flags.writeable == r.flags.writeable


# ---------------------------------------------------------------------------------------
# complex parts; read-only flags

PARTS = {
    "real, imag of complex": lambda a: {"r": a.real, "i": a.imag, "n": numpy.imag(a)},
    "of a view": lambda a: {"r": a[1:, ::2].real, "i": a.T.imag},
}


@pytest.mark.parametrize("case", list(PARTS))
def test_complex_parts_are_views(machine, case):
    same_aliasing(PARTS[case], _grid(4, 3) * (1 - 2j))


@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
def test_parts_of_real_arrays(machine, dtype):
    # .real is the array itself (a view); .imag read-only zeros
    a = _grid(4, 3, dtype=dtype)
    x = to_ours(a)
    for part in ("real", "imag"):
        p, q = getattr(a, part), getattr(x, part)
        check(q, p)
        assert q.flags.writeable == p.flags.writeable
        check(numpy.imag(x), numpy.imag(a))
    with pytest.raises(ValueError, match="read-only"):
        x.imag[0] = 1
    x.real[0] = 1
    a.real[0] = 1
    check(x, a)


ASARRAY = {
    "asarray": lambda np, h: np.asarray(h), "asanyarray": lambda np, h: np.asanyarray(h),
    "array copy=False": lambda np, h: np.array(h, copy=False),
    "strided": lambda np, h: np.asarray(h[::2]),
    "ascontiguousarray": lambda np, h: np.ascontiguousarray(h),
    "asarray copy=True": lambda np, h: np.asarray(h, copy=True),
    "array": lambda np, h: np.array(h),
    "another dtype": lambda np, h: np.asarray(h, dtype=numpy.float32),
    "ascontiguousarray strided": lambda np, h: np.ascontiguousarray(h[::2]),
    "a list of it": lambda np, h: np.asarray([h]),
}


@pytest.mark.parametrize("case", list(ASARRAY))
def test_asarray_of_a_read_only_numpy_array(machine, case):
    # NumPy gives the read-only array itself (or a view of it) unless it copies: the
    # result is read-only exactly where NumPy's is
    host = numpy.arange(6.0)
    host.flags.writeable = False
    fn = ASARRAY[case]
    theirs = fn(numpy, host)
    if machine.is_gpu and case == "array copy=False":
        with pytest.raises(ValueError, match="copy"):
            fn(ab, host)                # (host memory cannot be a GPU array's)
        return
    ours = fn(ab, host)
    check(ours, theirs)
    assert ours.flags.writeable == theirs.flags.writeable
    if not theirs.flags.writeable:
        with pytest.raises(ValueError, match="read-only"):
            ours[0] = 1
    else:
        ours[0] = 1
        theirs[0] = 1
        check(ours, theirs)


# ---------------------------------------------------------------------------------------
# temporaries: an operator writes into an operand only the interpreter holds (NumPy's
# temporary elision), never into one a name, a container, a view or compiled code holds

def _elision_cases(np, x, y):
    """Statements whose temporaries may be reused, and those whose operands must stay."""
    import functools
    import operator
    out = {}
    t = x * 2
    out["named"] = t + 1
    out["t after"] = t                                  # (unchanged: a name holds it)
    out["chain"] = 0.01 * ((x * y) + (y * x)) - x
    out["reversed"] = 3.0 - (x * y)
    items = [x * 2, y * 3]
    out["reduce"] = functools.reduce(operator.add, items)
    out["items after"] = items[0]                        # (the list holds it)
    out["operator.add"] = operator.add(x * 2, y)
    out["sum"] = sum([x * 2, y, y])
    v = x * 5
    w = v[::2]
    out["view base"] = v + 1
    out["view after"] = w
    out["mixed dtypes"] = (x * 2) / 3 + (x > 4)         # (a bool operand: float result)
    out["into int"] = (x.astype(np.int32) * 2) // 3 + 1.5   # (float result: not into int)
    d = {"k": x * 7}
    out["dict"] = d["k"] + 1
    out["dict after"] = d["k"]
    # the right operand a temporary: written over for any binary ufunc
    out["right"] = x - (y * 2)
    p = np.abs(y) + 1
    out["right pow"] = p ** (x * 0.5)
    out["right compare"] = x < (y * 2)                  # (bool result: not into floats)
    r = y * 3
    out["right named"] = x - r
    out["right named after"] = r
    out["right broadcast"] = x[:1] - (y * 2)            # (shapes differ: a new array)
    out["right int"] = (x.astype(np.int32) * 3) - (x.astype(np.int32) * 2)
    out["right into int"] = x - (x.astype(np.int32) * 2)     # (float result)
    items = [y * 4]
    out["right list"] = x / items[0]
    out["right list after"] = items[0]
    return out


@pytest.mark.parametrize("n", [60000, 40])
def test_temporaries_are_reused_only_where_nothing_holds_them(n):
    xn = numpy.linspace(-3, 5, n)
    yn = numpy.cos(xn)
    want = _elision_cases(numpy, xn, yn)
    with ab.enabled(devices="cpu:1"):
        import numpy as np
        got = _elision_cases(np, np.asarray(xn), np.asarray(yn))
    assert got.keys() == want.keys()
    for k in want:
        assert got[k].dtype == want[k].dtype, k
        numpy.testing.assert_array_equal(ab.asnumpy(got[k]), want[k], err_msg=k)


def _peak(statement, *args):
    """``(the most bytes held at once while statement(*args) runs, its result)``, as
    tracemalloc counts them (NumPy's and arrbackend's arrays alike)."""
    import tracemalloc
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        z = statement(*args)
        return tracemalloc.get_traced_memory()[1] - base, z
    finally:
        tracemalloc.stop()


def test_a_chain_of_temporaries_holds_no_more_memory_than_numpys():
    """``0.01 * ((x * y) + (y * x)) - x`` holds at most two temporaries at a time, as
    NumPy's elision does (counted in bytes, by tracemalloc)."""
    xn = numpy.linspace(0, 1, 60000)
    yn = xn * 0.5

    def chain(x, y):
        return 0.01 * ((x * y) + (y * x)) - x
    want, zn = _peak(chain, xn, yn)
    with ab.enabled(devices="cpu:1"):
        import numpy as np
        got, z = _peak(chain, np.asarray(xn), np.asarray(yn))
    numpy.testing.assert_array_equal(ab.asnumpy(z), zn)
    assert got <= want + 4096, (got, want)


def test_a_temporary_right_operand_is_reused_where_numpy_allocates():
    """``u - dt * (u * gx)``: NumPy elides only into a left operand (or either one of a
    commutative operation); arrbackend also writes a subtraction into its temporary right
    operand, so the statement holds one array less than NumPy's (tracemalloc)."""
    un = numpy.linspace(0, 1, 60000)
    gn = numpy.sin(un)

    def step(u, g):
        return u - 0.01 * (u * (g + 1))
    want, zn = _peak(step, un, gn)
    with ab.enabled(devices="cpu:1"):
        import numpy as np
        got, z = _peak(step, np.asarray(un), np.asarray(gn))
    numpy.testing.assert_array_equal(ab.asnumpy(z), zn)
    assert got <= want - un.nbytes + 4096, (got, want)


def test_pooled_temporaries_never_alias_live_values():
    """Large temporaries of the lean operators are reused once nothing refers to them
    (``store.Pooled``): a long run of statements that keep views, NumPy arrays, names and
    pending results of earlier ones alive gives NumPy's values for every variable after
    every statement, and a reused block is never one that something still sees."""
    import numpy
    from arrbackend.distributed import store
    rng = numpy.random.default_rng(7)
    n = 200                                        # (200x200 float64: 320 KB, pooled)
    an, bn = rng.random((n, n)), rng.random((n, n))
    steps = [
        lambda e: e.__setitem__("t", e["a"] + e["b"] * 2.0),
        lambda e: e.__setitem__("v", e["t"][1:, :]),
        lambda e: e.__setitem__("t", e["a"] - e["b"]),
        lambda e: e.__setitem__("h", e["np"].asarray(e["t"]) if e["np"] is numpy else
                                e["ab"].asnumpy(e["t"])),
        lambda e: e.__setitem__("t", (e["a"] + 1.0) * (e["b"] - 1.0) - e["a"]),
        lambda e: e.__setitem__("w", e["t"] < 0.5),
        lambda e: e.__setitem__("t", e["a"] * 3.0 + e["b"] * 4.0),
        lambda e: e["t"].__iadd__(e["b"]),
        lambda e: e.__setitem__("u", e["t"] + e["t"]),
        lambda e: e.__setitem__("t", None),
        lambda e: e.__setitem__("x", e["a"] / e["b"] - e["b"] / e["a"]),
        lambda e: e.__setitem__("y", -e["x"] + e["a"]),
    ]
    want = {"np": numpy, "a": an.copy(), "b": bn.copy()}
    with ab.enabled(devices="cpu:1"):
        import numpy as np
        got = {"np": np, "ab": ab, "a": np.asarray(an), "b": np.asarray(bn)}
        for _ in range(3):
            for step in steps:
                step(want)
                step(got)
                for k, w in want.items():
                    if k in ("np", "ab") or w is None:
                        continue
                    g = got[k]
                    numpy.testing.assert_array_equal(
                        g if isinstance(g, numpy.ndarray) else ab.asnumpy(g), w)
        a, b = got["a"], got["b"]
        x = a + b
        addr = ab.asnumpy(x).__array_interface__["data"][0]
        del x                                     # (nothing refers to its block now)
        y = a * b
        assert y._loc.__array_interface__["data"][0] == addr     # reused
        v = y[2:]
        del y                                     # (v still sees the block: kept)
        z = a - b
        assert z._loc.__array_interface__["data"][0] != addr
        numpy.testing.assert_array_equal(ab.asnumpy(v), (an * bn)[2:])
        numpy.testing.assert_array_equal(ab.asnumpy(z), an - bn)
    assert store._pooled[0] <= store.POOL_MAX_BYTES


def test_pool_reads_reference_counts_as_calibrated():
    """The pool's guard counts references the way this Python counts them (calibrated
    at import: an array only a shards list holds, against one held once more); where the
    count is not the one expected, nothing is pooled."""
    import numpy
    from arrbackend.distributed import store
    assert store._FREE_REFS is not None
    kept = numpy.empty(1 << 16)
    assert store._shard_refs([kept])[1] == store._FREE_REFS + 1
    assert store._shard_refs([numpy.empty(1 << 16)])[1] == store._FREE_REFS
