"""Rearranging, splitting, joining, padding, scans and differences against NumPy on cpu:1
and cpu:3 (views stay views)."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from helpers import check, same, to_ours


def _a(shape, dtype=float):
    return (numpy.arange(int(numpy.prod(shape))) * 5 % 17 - 6).reshape(shape).astype(dtype)


def test_flips_are_views(machine):
    a = _a((5, 4))
    for fn in (lambda x: numpy.flip(x), lambda x: numpy.flip(x, 1), lambda x: numpy.flip(x, (0, 1)),
               numpy.fliplr, numpy.flipud, numpy.rot90, lambda x: numpy.rot90(x, 2),
               lambda x: numpy.rot90(x, -1, axes=(1, 0)), lambda x: numpy.rot90(x, 3)):
        same(fn, a)
    x = to_ours(a)
    v = numpy.flipud(x)
    v[0, 0] = 100.0
    assert float(x[4, 0]) == 100.0
    same(numpy.fliplr, numpy.arange(3.0))
    same(lambda x: numpy.rot90(x), numpy.arange(3.0))
    same(lambda x: numpy.flip(x, 3), a)


@pytest.mark.parametrize("shift,axis", [(2, None), (-3, 0), (1, 1), ((1, 2), (0, 1)),
                                        (7, 0), (0, 1), ((1, -2), (0, -2)), (3, (1, 1))])
def test_roll(machine, shift, axis):
    same(lambda x: numpy.roll(x, shift, axis), _a((5, 4)))


@pytest.mark.parametrize("dtype", ["int32", "float64", "bool", "complex64"])
def test_tile_repeat_resize(machine, dtype):
    a = _a((3, 2), dtype)
    for reps in (2, (2, 1), (1, 3), (2, 1, 2), 0):
        same(lambda x: numpy.tile(x, reps), a)
    same(lambda x: numpy.repeat(x, 2), a)
    same(lambda x: numpy.repeat(x, 3, axis=0), a)
    same(lambda x: numpy.repeat(x, [1, 0, 2], axis=0), a)
    same(lambda x: numpy.repeat(x, [2], axis=1), a)
    same(lambda x: x.repeat(0), a)
    same(lambda x: numpy.repeat(x, -1), a)
    same(lambda x: numpy.repeat(x, [1, -1, 2], axis=0), a)
    same(lambda x: numpy.repeat(x, [1, 2], axis=0), a)
    same(lambda x: numpy.resize(x, (4, 5)), a)
    same(lambda x: numpy.resize(x, 2), a)
    same(lambda x: numpy.resize(x[:0], (2, 2)), a)


@pytest.mark.parametrize("fn", [lambda x: numpy.repeat(x, 1), lambda x: numpy.repeat(x, 1, axis=1),
                                lambda x: numpy.resize(x, (3, 2)), lambda x: numpy.resize(x, 4),
                                lambda x: numpy.resize(x, (4, 3))])
def test_repeat_resize_return_new_arrays(machine, fn):
    a = _a((2, 3))
    x = to_ours(a)
    r = fn(x)
    check(r, fn(a))
    r[(0,) * r.ndim] = -7            # writing the result leaves the input as it was
    check(x, a)


def test_splits(machine):
    a = _a((6, 4, 2))
    for fn in (lambda x: numpy.split(x, 3), lambda x: numpy.split(x, [1, 4], axis=1),
               lambda x: numpy.array_split(x, 4), lambda x: numpy.array_split(x, [2, 10]),
               lambda x: numpy.hsplit(x, 2), lambda x: numpy.vsplit(x, [3]),
               lambda x: numpy.dsplit(x, 2), lambda x: numpy.hsplit(x[0, :, 0], 2),
               lambda x: numpy.split(x, 4), lambda x: numpy.vsplit(x[0, 0], 2),
               lambda x: numpy.array_split(x, 0)):
        same(lambda x: tuple(fn(x)), a)


def test_stacks(machine):
    a, b = _a((4, 3)), _a((4, 3)) + 100
    same(lambda x, y: numpy.hstack([x, y]), a, b)
    same(lambda x, y: numpy.vstack((x, y[0])), a, b)
    same(lambda x, y: numpy.dstack([x, y]), a, b)
    same(lambda x, y: numpy.column_stack([x[:, 0], y]), a, b)
    same(lambda x, y: numpy.hstack([x[0], y[1]], dtype=numpy.float32), a, b)
    same(lambda x, y: numpy.block([[x, y], [y, x]]), a, b)
    same(lambda x, y: numpy.block([x[0], y[0]]), a, b)
    same(lambda x: numpy.block([[x], [x]]), a)
    if hasattr(numpy, "row_stack"):      # (removed in NumPy 2.5)
        with pytest.warns(DeprecationWarning):
            r = ab.row_stack([ab.ones(2), ab.zeros(2)])
        check(r, numpy.vstack([numpy.ones(2), numpy.zeros(2)]))
    same(lambda x: numpy.block([[x], []]), a)
    same(lambda x, y: numpy.block([x, [y]]), a, b)
    with pytest.raises(ValueError, match="cannot be empty"):
        ab.block([[to_ours(a)], []])
    with pytest.raises(TypeError, match="tuple"):
        ab.block((to_ours(a), to_ours(b)))
    with pytest.raises(ValueError, match="depths are mismatched"):
        ab.block([to_ours(a), [to_ours(b)]])


def test_append_insert_delete(machine):
    a = _a((4, 3))
    same(lambda x: numpy.append(x, [[1, 2, 3]], axis=0), a)
    same(lambda x: numpy.append(x, [7, 8]), a)
    for obj, axis in ((1, 0), ([0, 2], 1), (slice(1, 3), 0), (-1, None), ([True, False, True], 1),
                      (slice(None, None, 2), 0), ([], 0), (numpy.array([5, 1]), None)):
        same(lambda x: numpy.delete(x, obj, axis=axis), a)
    for obj, val, axis in ((1, 9, 0), (2, [7, 8, 9], 0), ([1, 3], 5, 1), (0, [[1], [2], [3],
                                                                              [4]], 1),
                           (slice(0, 2), 0, 1), (-1, 1, None), ([0, 0], [1, 2], None)):
        same(lambda x: numpy.insert(x, obj, val, axis=axis), a)
    same(lambda x: numpy.delete(x, 9, axis=0), a)
    same(lambda x: numpy.insert(x, 9, 0, axis=0), a)


def test_atleast_rollaxis_unstack(machine):
    a = _a((2, 3, 4))
    for s in (numpy.float64(2.0).reshape(()), numpy.arange(3.0), _a((2, 2))):
        same(numpy.atleast_1d, s)
        same(numpy.atleast_2d, s)
        same(numpy.atleast_3d, s)
    same(lambda x, y: numpy.atleast_2d(x, y), numpy.arange(2.0), _a((2, 2)))
    same(lambda x: numpy.rollaxis(x, 2), a)
    same(lambda x: numpy.rollaxis(x, 0, 3), a)
    same(lambda x: numpy.rollaxis(x, 1, 5), a)
    same(lambda x: numpy.unstack(x, axis=1), a)
    same(numpy.unstack, numpy.float64(1.0).reshape(()))
    same(numpy.matrix_transpose, a)
    same(numpy.matrix_transpose, numpy.arange(3.0))


def test_meshgrid_trim_zeros(machine):
    x, y = numpy.arange(3.0), numpy.arange(4.0) * 2
    same(lambda p, q: numpy.meshgrid(p, q), x, y)
    same(lambda p, q: numpy.meshgrid(p, q, indexing="ij", sparse=True), x, y)
    same(lambda p, q: numpy.meshgrid(p, q, p, copy=False), x, y)
    z = numpy.array([0, 0, 3, 0, 2, 0, 0])
    same(numpy.trim_zeros, z)
    same(lambda v: numpy.trim_zeros(v, "f"), z)
    same(lambda v: numpy.trim_zeros(v, "b"), z)
    same(lambda v: numpy.trim_zeros(v * 0), z)
    b = numpy.array([[0, 0, 2, 3, 0, 0], [0, 1, 0, 3, 0, 0], [0, 0, 0, 0, 0, 0]])
    same(numpy.trim_zeros, b)
    same(lambda v: numpy.trim_zeros(v, axis=-1), b)
    same(lambda v: numpy.trim_zeros(v, "x"), z)


PAD_MODES = [("constant", {}), ("constant", {"constant_values": ((1, 2), (3, 4))}),
             ("edge", {}), ("linear_ramp", {"end_values": 5}), ("maximum", {}),
             ("minimum", {"stat_length": 2}), ("mean", {}), ("median", {"stat_length": 3}),
             ("reflect", {}), ("reflect", {"reflect_type": "odd"}), ("symmetric", {}),
             ("wrap", {}), ("empty", {})]


@pytest.mark.parametrize("mode,kw", PAD_MODES)
def test_pad(machine, mode, kw):
    for dt in (float, int):
        a = _a((4, 3), dt)
        for pw in (2, (1, 3), ((2, 7), (0, 1))):
            if mode == "empty":
                r = numpy.pad(to_ours(a), pw, mode)
                e = numpy.pad(a, pw, mode)
                assert r.shape == e.shape and r.dtype == e.dtype
                check(r[tuple(slice(p, p + n) for p, n in zip(numpy.broadcast_to(pw, (2, 2))[:, 0],
                                                              a.shape))], a)
                continue
            same(lambda x: numpy.pad(x, pw, mode, **kw), a)


def test_pad_special(machine):
    same(lambda x: numpy.pad(x, 2, "wrap"), numpy.arange(3.0))
    same(lambda x: numpy.pad(x, {0: 1, 1: (0, 2)}), _a((2, 2)))
    same(lambda x: numpy.pad(x, 1, "edge"), numpy.zeros((0, 3)))
    same(lambda x: numpy.pad(x, 1.5), _a((2, 2)))
    same(lambda x: numpy.pad(x, 1, "bogus"), _a((2, 2)))
    same(lambda x: numpy.pad(x, 1, "edge", constant_values=3), _a((2, 2)))

    def ten(vector, iaxis_pad_width, iaxis, kwargs):
        vector[:iaxis_pad_width[0]] = 10
        vector[vector.shape[0] - iaxis_pad_width[1]:] = 10

    same(lambda x: numpy.pad(x, 1, ten), _a((3, 2)))


@pytest.mark.parametrize("dtype", ["bool", "int8", "int64", "uint8", "float32", "float64",
                                   "complex128"])
def test_cumulative(machine, dtype):
    a = _a((5, 4), dtype)
    same(numpy.cumsum, a)
    same(lambda x: numpy.cumsum(x, axis=0), a)
    same(lambda x: numpy.cumprod(x, axis=1), a)
    same(lambda x: numpy.cumprod(x[:3], axis=0, dtype=numpy.float64), a)
    same(lambda x: numpy.cumulative_sum(x, axis=0, include_initial=True), a)
    same(lambda x: numpy.cumulative_prod(x[0]), a)
    same(lambda x: x.cumsum(), a)
    same(lambda x: numpy.cumulative_sum(x), a)
    same(lambda x: numpy.cumsum(x, axis=2), a)


def test_cumulative_out_nan_empty(machine):
    f = numpy.array([1.0, numpy.nan, 2.0, numpy.nan, 3.0] * 3)
    same(numpy.nancumsum, f)
    same(numpy.nancumprod, f)
    same(numpy.cumsum, numpy.zeros((0, 3)))
    same(lambda x: numpy.cumulative_sum(x), numpy.float64(2.0).reshape(()))
    x = to_ours(numpy.arange(10.0))
    out = ab.zeros(10)
    r = numpy.cumsum(x, out=out)
    assert r is out
    check(out, numpy.cumsum(numpy.arange(10.0)))


def test_diff_and_friends(machine):
    a = _a((6, 5))
    same(numpy.diff, a)
    same(lambda x: numpy.diff(x, n=2, axis=0), a)
    same(lambda x: numpy.diff(x, axis=0, prepend=0, append=x[-1:]), a)
    same(lambda x: numpy.diff(x > 0), a)
    same(lambda x: numpy.diff(x, n=0), a)
    same(lambda x: numpy.diff(x, n=-1), a)
    same(numpy.diff, numpy.float64(1.0).reshape(()))
    same(numpy.ediff1d, a)
    same(lambda x: numpy.ediff1d(x, to_begin=[-1, -2], to_end=9), a)
    same(lambda x: numpy.ediff1d(x.astype(numpy.int8), to_end=1.5), a)
    same(numpy.trapezoid, a)
    same(lambda x: numpy.trapezoid(x, dx=0.5, axis=0), a)
    same(lambda x: numpy.trapezoid(x, x=numpy.arange(5.0) ** 2), a)
    same(lambda x: numpy.trapezoid(x, x=x ** 2, axis=0), a)
