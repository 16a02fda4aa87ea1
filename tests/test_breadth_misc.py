"""Files and text, printing, creation helpers, apply/piecewise, bit packing, memory
queries, host utilities and the ndarray method mixin, against NumPy on cpu:1 and cpu:3."""
from __future__ import annotations

import io
import pickle

import numpy
import pytest

import arrbackend as ab
from arrbackend._ndarray_methods import NdarrayMethods
from helpers import check, same, to_ours


def _a(shape, dtype=float):
    return (numpy.arange(int(numpy.prod(shape))) * 3 % 11 - 4).reshape(shape).astype(dtype)


def test_save_load(machine, tmp_path):
    a = _a((5, 3))
    x = to_ours(a)
    numpy.save(tmp_path / "a.npy", x)
    r = ab.load(tmp_path / "a.npy")
    check(r, a)
    numpy.savez(tmp_path / "b.npz", x, second=x * 2)
    with ab.load(tmp_path / "b.npz") as z:
        check(z["arr_0"], a)
        check(z["second"], a * 2)
        assert sorted(z.files) == ["arr_0", "second"]
    numpy.savez_compressed(tmp_path / "c.npz", y=x)
    check(ab.load(tmp_path / "c.npz")["y"], a)
    numpy.savetxt(tmp_path / "a.txt", x, fmt="%.3f")
    check(ab.loadtxt(tmp_path / "a.txt"), numpy.loadtxt(tmp_path / "a.txt"))
    check(ab.genfromtxt(tmp_path / "a.txt"), numpy.genfromtxt(tmp_path / "a.txt"))
    (tmp_path / "r.txt").write_text("1 2\n3 4\n")
    check(ab.fromregex(tmp_path / "r.txt", r"(\d) (\d)", [("a", int), ("b", int)])["a"]
          if False else ab.fromfile(tmp_path / "r.txt", sep=" ", dtype=int),
          numpy.fromfile(tmp_path / "r.txt", sep=" ", dtype=int))
    rec = ab.fromregex(tmp_path / "r.txt", r"(\d) (\d)", [("a", int), ("b", int)])
    assert isinstance(rec, numpy.ndarray) and rec["b"].tolist() == [2, 4]
    x.tofile(tmp_path / "raw.bin") if hasattr(x, "tofile") else NdarrayMethods.tofile(
        x, tmp_path / "raw.bin")
    check(ab.fromfile(tmp_path / "raw.bin"), a.ravel())


def test_buffers_and_text(machine):
    buf = numpy.arange(6, dtype=numpy.int16).tobytes()
    check(ab.frombuffer(buf, dtype=numpy.int16), numpy.frombuffer(buf, dtype=numpy.int16))
    check(ab.frombuffer(buf, dtype=numpy.int16, count=2, offset=4),
          numpy.frombuffer(buf, dtype=numpy.int16, count=2, offset=4))
    check(ab.fromstring("1 2 3", dtype=int, sep=" "), numpy.fromstring("1 2 3", dtype=int,
                                                                       sep=" "))
    check(ab.fromiter((i * i for i in range(5)), dtype=float),
          numpy.fromiter((i * i for i in range(5)), dtype=float))
    a = _a((3, 4))
    x = to_ours(a)
    assert numpy.array2string(x, precision=2) == numpy.array2string(a, precision=2)
    assert numpy.array_repr(x) == numpy.array_repr(a)
    assert numpy.array_str(x, max_line_width=20) == numpy.array_str(a, max_line_width=20)
    s = ab.loadtxt(io.StringIO("a,1\nb,2"), dtype=str, delimiter=",")
    assert isinstance(s, numpy.ndarray)


def test_spaces_and_fromfunction(machine):
    check(ab.logspace(0, 3, 7), numpy.logspace(0, 3, 7))
    check(ab.logspace(0, 2, 5, base=2.0, dtype=numpy.float32),
          numpy.logspace(0, 2, 5, base=2.0, dtype=numpy.float32))
    check(ab.geomspace(1, 1000, 4), numpy.geomspace(1, 1000, 4))
    check(ab.geomspace(-1, -16, 5, endpoint=False), numpy.geomspace(-1, -16, 5,
                                                                    endpoint=False))
    check(ab.geomspace(1j, 16j, 3), numpy.geomspace(1j, 16j, 3))
    with pytest.raises(ValueError, match="zero"):
        ab.geomspace(0, 10)


SPACES = [lambda n, a: n.linspace(a, 5, 4), lambda n, a: n.linspace(a, a * 3, 4, axis=1),
          lambda n, a: n.linspace(a, 5, 4, axis=-1, retstep=True)[0],
          lambda n, a: n.linspace(a, 5, 4, axis=-1, retstep=True)[1],
          lambda n, a: n.linspace(0, 5, 4, axis=1), lambda n, a: n.linspace(a, 5, 0),
          lambda n, a: n.linspace(a, a, 3), lambda n, a: n.linspace(a, 7, 5, dtype=int),
          lambda n, a: n.linspace(2, a, 4, endpoint=False),
          lambda n, a: n.logspace(0, 2, 3, base=a), lambda n, a: n.logspace(a, 2, 3, base=a, axis=1),
          lambda n, a: n.logspace(a, 2, 3), lambda n, a: n.geomspace(a, 8.0, 4),
          lambda n, a: n.geomspace(-a, -8.0, 4, axis=1),
          lambda n, a: n.geomspace(1, a * 4, 3, endpoint=False),
          lambda n, a: n.linspace([0, 1], a[:2], 3, dtype=numpy.float32)]


@pytest.mark.parametrize("fn", SPACES)
def test_spaces_with_array_bounds(machine, fn):
    # natively (no fallback warning: the suite turns it into an error)
    same(lambda a: fn(numpy, a), numpy.array([1.0, 2.0, 4.0]))
    check(ab.linspace([0, 1], [5, 6], 3), numpy.linspace([0, 1], [5, 6], 3))  # list bounds
    check(ab.fromfunction(lambda i, j: i * 10 + j, (3, 4)),
          numpy.fromfunction(lambda i, j: i * 10 + j, (3, 4)))
    check(ab.fromfunction(lambda i: i % 2, (5,), dtype=int),
          numpy.fromfunction(lambda i: i % 2, (5,), dtype=int))


def test_apply_and_piecewise(machine):
    a = _a((4, 5))
    same(lambda x: numpy.apply_along_axis(lambda v: v[::-1] * 2, 1, x), a)
    same(lambda x: numpy.apply_along_axis(numpy.sum, 0, x), a)
    same(lambda x: numpy.apply_along_axis(lambda v: numpy.stack([v.min(), v.max()]), 1, x), a)
    same(lambda x: numpy.apply_over_axes(numpy.sum, x, [0, 1]), a)
    same(lambda x: numpy.apply_over_axes(numpy.mean, x, 1), a)
    same(lambda x: numpy.apply_along_axis(numpy.sum, 0, x[:0]), a)
    f = numpy.linspace(-2, 2, 9)
    same(lambda x: numpy.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v ** 2]), f)
    same(lambda x: numpy.piecewise(x, [x < -1, x > 1], [0, 1, lambda v: v * 10]), f)
    same(lambda x: numpy.piecewise(x, x > 0, [1.5]), f)
    same(lambda x: numpy.piecewise(x, [x > 0], [1, 2, 3]), f)


@pytest.mark.parametrize("bitorder", ["big", "little"])
def test_packbits(machine, bitorder):
    a = (_a((3, 11)) > 0)
    same(lambda x: numpy.packbits(x, bitorder=bitorder), a)
    same(lambda x: numpy.packbits(x, axis=1, bitorder=bitorder), a)
    same(lambda x: numpy.packbits(x.astype(int), axis=0, bitorder=bitorder), a)
    p = numpy.packbits(a, axis=1)
    same(lambda x: numpy.unpackbits(x, axis=1, bitorder=bitorder), p)
    same(lambda x: numpy.unpackbits(x, bitorder=bitorder, count=5), p)
    same(lambda x: numpy.unpackbits(x, axis=1, count=-3), p)
    same(lambda x: numpy.unpackbits(x, axis=0, count=5), p)
    same(lambda x: numpy.packbits(x.astype(float)), a)
    same(lambda x: numpy.unpackbits(x.astype(int)), p)


def test_array_conversions(machine):
    # (NumPy does not dispatch these: they are reached as arrbackend.<name>)
    a = _a((3, 2))
    check(ab.asarray_chkfinite(a), a)
    check(ab.asarray_chkfinite(to_ours(a), dtype=numpy.float32), a.astype(numpy.float32))
    with pytest.raises(ValueError, match="infs or NaNs"):
        ab.asarray_chkfinite(to_ours(numpy.array([1.0, numpy.nan])))
    check(ab.asfortranarray(to_ours(a)), numpy.asfortranarray(a))
    check(ab.asfortranarray(to_ours(a)[0, 0]), numpy.asfortranarray(a[0, 0]))
    check(ab.require(to_ours(a), numpy.float32, ["C", "W"]), numpy.require(a, numpy.float32,
                                                                        ["C", "W"]))
    with pytest.raises(ValueError, match="both C and Fortran"):
        ab.require(to_ours(a), requirements=["C", "F"])
    assert ab.isfortran(to_ours(a)) is False
    assert numpy.common_type(to_ours(a), to_ours(a.astype(numpy.float32))) is numpy.float64
    assert numpy.common_type(to_ours(a.astype(int))) is numpy.float64
    x = to_ours(a)
    b = numpy.broadcast_to(x[0], (3, 2))
    r = ab.require(b, requirements="W")
    r[0, 0] = 5
    assert float(x[0, 0]) != 5 and r.flags.writeable


def test_memory_queries(machine):
    x = ab.arange(20.0)
    y = ab.arange(20.0)
    assert numpy.shares_memory(x, x[::2])
    assert not numpy.shares_memory(x[:10], x[10:])
    assert not numpy.shares_memory(x[::2], x[1::2])
    assert not numpy.shares_memory(x, y)
    assert numpy.may_share_memory(x[::2], x[1::2])
    assert not numpy.may_share_memory(x[:5], x[5:])
    assert not numpy.may_share_memory(x, y)
    r = x.reshape(4, 5)          # a view where the rows fall on the shard boundaries
    assert numpy.shares_memory(r[1], x[5:6]) == (r._store.base is x._store.base)


def test_host_utilities():
    assert ab.base_repr(10, 3) == numpy.base_repr(10, 3)
    assert ab.binary_repr(ab.asarray(5), width=6) == numpy.binary_repr(5, width=6)
    assert ab.getbufsize() == numpy.getbufsize()
    assert ab.geterrcall() is numpy.geterrcall()
    assert ab.get_include() == numpy.get_include()
    old = ab.setbufsize(16384)
    ab.setbufsize(old)


def test_ndarray_method_mixin(machine):
    a = numpy.array([5.0, 1.0, 4.0, 2.0, 3.0, 0.0])
    x = to_ours(a)
    NdarrayMethods.partition(x, 2)
    h = ab.asnumpy(x)
    assert h[2] == 2.0 and (h[:2] <= 2).all() and (h[3:] >= 2).all()
    y = ab.arange(6.0)
    NdarrayMethods.resize(y, (2, 4))
    b = numpy.arange(6.0)
    b.resize((2, 4))
    check(y, b)
    with pytest.raises(ValueError, match="does not own its data"):
        NdarrayMethods.resize(ab.arange(6.0)[::2], 2)
    for dt in (numpy.int16, numpy.float64, numpy.complex64, numpy.uint8):
        v = numpy.arange(5).astype(dt)
        check(NdarrayMethods.byteswap(to_ours(v)), v.byteswap())
    z = to_ours(v := numpy.arange(5, dtype=numpy.int32))
    NdarrayMethods.byteswap(z, inplace=True)
    check(z, v.byteswap())
    c = to_ours(numpy.array([1 + 2j, 3 - 1j]))
    import contextlib
    on_host = pytest.warns(ab.FallbackWarning) if machine.is_gpu else contextlib.nullcontext()
    with on_host:                 # (CuPy has no getfield: GPU arrays take the fallback)
        check(NdarrayMethods.getfield(c, numpy.float64, 8), numpy.array([2.0, -1.0]))
    on_host = pytest.warns(ab.FallbackWarning) if machine.is_gpu else contextlib.nullcontext()
    with on_host:
        NdarrayMethods.setfield(c, 9.0, numpy.float64, 8)
    check(c, numpy.array([1 + 9j, 3 + 9j]))
    with pytest.raises(ValueError, match="offset"):
        NdarrayMethods.getfield(c, numpy.float64, 12)
    NdarrayMethods.setflags(x, write=True)
    NdarrayMethods.setflags(x, write=False)          # read-only now (as in NumPy)
    assert not x.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        x[...] = 0
    NdarrayMethods.setflags(x, write=True)
    check(pickle.loads(NdarrayMethods.dumps(x)), ab.asnumpy(x))
    f = io.BytesIO()
    NdarrayMethods.dump(x, f)
    check(pickle.loads(f.getvalue()), ab.asnumpy(x))


@pytest.mark.parametrize("sa,sb", [((2,), (0,)), ((2, 0), (0, 3)), ((0, 2), (2, 3)),
                                   ((2, 3), (3, 0)), ((2, 2, 0), (0, 4))])
def test_products_with_empty_operands(machine, sa, sb):
    a, b = numpy.ones(sa), numpy.ones(sb)
    if len(sa) == 1:
        same(lambda x, y: numpy.einsum("i,j->ij", x, y), a, b)
        same(numpy.outer, a, b)
    else:
        same(numpy.dot, a, b)
        same(lambda x, y: numpy.tensordot(x, y, axes=1), a, b)


@pytest.mark.parametrize("shape,axis", [((3, 0, 2), 0), ((3, 3, 0), -1), ((0, 3), 0),
                                        ((3, 0), 1)])
def test_unique_rows_of_empty_arrays(machine, shape, axis):
    same(lambda x: numpy.unique(x, axis=axis), numpy.zeros(shape))


def test_error_order_and_empty_inputs(machine):
    # NumPy resolves the dtypes before broadcasting: the dtype error comes first
    same(lambda x, y: numpy.remainder(x, y), numpy.ones((2, 2), complex), numpy.ones(3))
    same(numpy.ediff1d, numpy.zeros((2, 0), bool))        # bool subtract, even when empty


def test_complex_element_to_python_number(machine):
    # an element of a complex array (a NumPy complex scalar; here a 0-d array) converts to
    # float/int with NumPy's ComplexWarning, not a TypeError
    a = numpy.fft.fft(numpy.ones((4, 5)), axis=0)
    x = to_ours(a)
    with pytest.warns(numpy.exceptions.ComplexWarning):
        assert float(x[0, 0]) == float(a[0, 0].real)
    with pytest.warns(numpy.exceptions.ComplexWarning):
        assert int(x[0, 0]) == 4
    with pytest.raises(TypeError):
        float(ab.asarray([1 + 2j]))
