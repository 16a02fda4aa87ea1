"""Boolean masks (get and set, any rank, mixed with slices), nonzero/where, reshape
(views and copies), joining, where/clip/astype, and the linear algebra the seed's
programs use (dot, matmul, inv, norm)."""
from __future__ import annotations

import numpy
import pytest

import arrbackend as ab
from helpers import check, same, to_ours


def _a(shape, dtype=float):
    return (numpy.arange(int(numpy.prod(shape))) % 11 - 4).reshape(shape).astype(dtype)


MASK_CASES = [
    ((12,), lambda a: a > 0),
    ((6, 4), lambda a: a > 0),
    ((6, 4), lambda a: a[:, 0] > -2),
    ((5, 3, 4), lambda a: a[:, :, 0] > 0),
    ((5, 3, 4), lambda a: a[0] > 0),
    ((0, 3), lambda a: a[:, 0] > 0),
]


@pytest.mark.parametrize("shape,mk", MASK_CASES)
def test_mask_get_set(machine, shape, mk):
    a = _a(shape)
    m = mk(a)
    x, xm = to_ours(a), to_ours(m)
    if m.ndim == a.ndim - 1 and m.shape == a.shape[1:]:
        check(x[:, xm], a[:, m])
        b = a.copy()
        b[:, m] = -1
        x[:, xm] = -1
        check(x, b)
        return
    check(x[xm], a[m])
    b = a.copy()
    b[m] = b[m] * 10
    x[xm] = x[xm] * 10
    check(x, b)
    b[m] = 0.5
    x[xm] = 0.5
    check(x, b)
    check(x[m], b[m])     # a NumPy mask works too


def test_seed_flip_mask_assignment(machine):
    rng = numpy.random.default_rng(0)
    imgs = rng.integers(0, 256, (6, 5, 4, 3)).astype(float)
    flip = rng.random(6) > 0.5
    x, f = to_ours(imgs), to_ours(flip)
    b = imgs.copy()
    b[flip] = b[flip, :, ::-1, :]
    x[f] = x[f, :, ::-1, :]
    check(x, b)


def test_mask_with_basic_parts_and_separated_ints(machine):
    a = _a((4, 5, 6))
    m = a[0, :, 0] > 0
    same(lambda x: x[1, m], a)
    same(lambda x: x[:, m, 2], a)
    same(lambda x: x[::-1, m, ::2], a)
    m6 = a[0, 0, :] > -3
    same(lambda x: x[:, 0, m6], a)
    same(lambda x: x[..., m6], a)


def test_mask_errors(machine):
    x = ab.arange(6.0)
    with pytest.raises(IndexError, match="boolean index did not match"):
        x[ab.asarray([True, False])]
    with pytest.raises(ValueError, match="cannot assign 3 input values to the 2 output"):
        x[x > 3] = ab.asarray([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match="arrays used as indices must be of integer"):
        x[[1.5, 2.5]]


def test_nonzero_where(machine):
    a = _a((5, 4))
    same(lambda x: numpy.nonzero(x > 0), a)
    same(lambda x: numpy.where(x > 0), a)
    same(lambda x: numpy.where(x > 0, x, -x), a)
    same(lambda x: numpy.where(x > 0, 1, 2.5), a)
    same(lambda x: numpy.where(x > 0, x.astype(numpy.int8), 5), a)
    same(lambda x: (x > 1).nonzero(), a)


@pytest.mark.parametrize("shape,new", [((6, 4), (24,)), ((6, 4), (4, 6)), ((6, 4), (3, 2, 4)),
                                       ((6, 4), (-1, 2)), ((12,), (3, 4)), ((12,), (2, 2, 3)),
                                       ((4, 1, 3), (4, 3)), ((4, 3), (1, 4, 1, 3)),
                                       ((5, 4), (20, 1)), ((1,), ()), ((0, 3), (3, 0))])
def test_reshape(machine, shape, new):
    a = _a(shape)
    same(lambda x: x.reshape(new), a)
    same(lambda x: numpy.reshape(x[::-1], new), a)
    same(lambda x: x.T.reshape(new[::-1] if -1 not in new else new), a)


def test_reshape_view_semantics(machine):
    x = ab.arange(24.0)
    v = x.reshape(6, 4)         # whole rows stay on their devices: a view
    v[0, 0] = -1
    assert float(x[0]) == -1
    with pytest.raises(ValueError, match="cannot reshape array of size 24 into shape"):
        x.reshape(5, 5)
    with pytest.raises(ValueError, match="only specify one unknown"):
        x.reshape(-1, -1)
    same(lambda y: y.ravel(), _a((3, 4)))
    same(lambda y: y.T.ravel(), _a((3, 4)))
    same(lambda y: y.flatten(), _a((3, 4)))


def test_join(machine):
    a, b = _a((4, 3)), _a((2, 3)) + 100
    same(lambda x, y: numpy.concatenate([x, y]), a, b)
    same(lambda x, y: numpy.concatenate([x.T, y.T], axis=1), a, b)
    same(lambda x, y: numpy.concatenate([x, y], axis=None), a, b)
    same(lambda x, y: numpy.concatenate((x[:2], y), axis=-1), a, b)
    same(lambda x, y: numpy.stack([x[:2], y]), a, b)
    same(lambda x, y: numpy.stack([x[:2], y], axis=1), a, b)
    same(lambda x, y: numpy.concatenate([x, y.astype(numpy.float32)], dtype=numpy.float32),
         a, b)
    with pytest.raises(ValueError, match="must match exactly"):
        numpy.concatenate([ab.ones((2, 3)), ab.ones((2, 4))])
    with pytest.raises(ValueError, match="same number of dimensions"):
        numpy.concatenate([ab.ones(3), ab.ones((2, 2))])
    with pytest.raises(ValueError, match="same shape"):
        numpy.stack([ab.ones(3), ab.ones(4)])


def test_clip_astype_where(machine):
    a = _a((6, 5))
    same(lambda x: numpy.clip(x, -1, 2), a)
    same(lambda x: x.clip(0), a)
    same(lambda x: numpy.clip(x, x[0], 3), a)
    same(lambda x: numpy.clip(x.astype(int), 0.5, 2), a)
    same(lambda x: x.astype(numpy.int8), a)
    same(lambda x: x.astype(numpy.complex64).real, a)
    same(lambda x: (x + 1j * x).imag, a)
    with pytest.raises(TypeError, match="Cannot cast"):
        ab.ones(3).astype(int, casting="safe")


def test_complex_parts_are_views(machine):
    z = ab.asarray(numpy.arange(6) + 1j * numpy.arange(6))
    z.real[:] = 7.0
    z.imag[2] = -1.0
    e = numpy.full(6, 7.0) + 1j * numpy.arange(6)
    e[2] = 7 - 1j
    check(z, e)


# -----------------------------------------------------------------------------------
# linear algebra

@pytest.mark.parametrize("sa,sb", [((5, 4), (4, 3)), ((4,), (4,)), ((5, 4), (4,)),
                                   ((4,), (4, 3)), ((2, 5, 4), (4, 3)), ((2, 5, 4), (2, 4, 3)),
                                   ((1, 5, 4), (3, 4, 2)), ((0, 4), (4, 3)), ((7, 7), (7, 7))])
def test_matmul_dot(machine, sa, sb):
    a, b = _a(sa), _a(sb) / 3
    same(numpy.matmul, a, b)
    same(lambda x, y: x @ y, a, b)
    same(numpy.dot, a, b)


def test_dot_nd_and_transposed(machine):
    a, b = _a((3, 4, 5)), _a((2, 5, 6))
    same(numpy.dot, a, b)
    c = _a((6, 6))
    same(lambda x: numpy.dot(x, x.T), c)
    same(lambda x: numpy.dot(x.T, x[:, ::-1]), c)
    same(lambda x: numpy.dot(x, 2.0), c)
    same(lambda x: numpy.vdot(x, x), c)
    same(lambda x: numpy.inner(x, x), c)
    with pytest.raises(ValueError, match="not aligned"):
        numpy.dot(ab.ones((2, 3)), ab.ones((2, 3)))
    with pytest.raises(ValueError, match="mismatch in its core dimension"):
        ab.ones((2, 3)) @ ab.ones((2, 3))


def test_inv_norm(machine):
    rng = numpy.random.default_rng(2)
    a = rng.standard_normal((6, 6)) + 6 * numpy.eye(6)
    same(numpy.linalg.inv, a)
    same(lambda x: numpy.linalg.inv(x.astype(numpy.float32)), a, rtol=1e-4)
    same(lambda x: x @ numpy.linalg.inv(x), a)
    with pytest.raises(numpy.linalg.LinAlgError, match="Singular matrix"):
        numpy.linalg.inv(ab.zeros((3, 3)))
    with pytest.raises(numpy.linalg.LinAlgError, match="square"):
        numpy.linalg.inv(ab.ones((2, 3)))
    for ord_ in (None, "fro", 1, -1, numpy.inf, -numpy.inf, 2, -2, "nuc"):
        same(lambda x: numpy.linalg.norm(x, ord_), a)
    v = a[0]
    for ord_ in (None, 0, 1, 2, 3, numpy.inf, -numpy.inf, -1):
        same(lambda x: numpy.linalg.norm(x[0], ord_), a)
    same(lambda x: numpy.linalg.norm(x, axis=1), a)
    same(lambda x: numpy.linalg.norm(x, axis=0, keepdims=True), a)
    assert v.shape == (6,)
