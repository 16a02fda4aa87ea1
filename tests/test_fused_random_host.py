"""The generated CUDA kernels that draw random numbers inside a statement
(``arrbackend.kernels.fused`` with the device functions of ``philox_cuda``), built for the
host (``cuda_host.py``) and run one thread per block, without a GPU: an elementwise
statement and a fused reduction over pending draws give the stream's values (the
plain-Python reference), for the whole array and for the box one device of several
computes, with broadcast draws, an array operand, and the four-at-a-time reduction."""
from __future__ import annotations

import ctypes
import re

import numpy
import pytest

import arrbackend as ab
from arrbackend.distributed.deferred import random_array
from arrbackend.distributed.layout import default_layout
from arrbackend.kernels import fused, philox
import cuda_host

KEY = (0x0BADF00D, 0x12345678)
_CTYPES = {"long long": ctypes.c_longlong, "u64": ctypes.c_uint64, "double": ctypes.c_double,
           "float": ctypes.c_float, "int": ctypes.c_int, "bool": ctypes.c_bool,
           "unsigned long long": ctypes.c_uint64}


class _HostArray:
    """A NumPy array seen as the kernel planner sees device arrays (pointers)."""

    def __init__(self, a):
        from types import SimpleNamespace
        self.a = a
        self.dtype, self.strides, self.shape, self.size = a.dtype, a.strides, a.shape, a.size
        self.data = SimpleNamespace(ptr=a.ctypes.data, mem=SimpleNamespace(ptr=a.ctypes.data))


def _run_host(src, name, grid, args, tmp_path):
    """Compile ``src`` with a driver that runs kernel ``name`` over ``grid`` (x, y) blocks
    of one thread, and call it with ``args``."""
    sig = re.search(r'extern "C" __global__ void ' + name + r"\((.*?)\)\s*\{", src, re.S)
    params = [p.strip() for p in sig.group(1).split(",")]
    names = [p.split()[-1] for p in params]
    driver = (f'extern "C" void host_{name}(unsigned gx, unsigned gy, {sig.group(1)}) {{\n'
              "    blockDim.x = blockDim.y = 1; threadIdx.x = threadIdx.y = 0;\n"
              "    gridDim.x = gx; gridDim.y = gy;\n"
              "    for (unsigned by = 0; by < gy; ++by) for (unsigned bx = 0; bx < gx; ++bx) {\n"
              f"        blockIdx.x = bx; blockIdx.y = by; {name}({', '.join(names)});\n"
              "    }\n}\n")
    lib = cuda_host.build(src + driver, tmp_path)
    fn = getattr(lib, f"host_{name}")
    types = [ctypes.c_uint, ctypes.c_uint]
    for p in params:
        t = " ".join(p.split()[:-1]).replace("const ", "").replace("__restrict__", "").strip()
        types.append(ctypes.c_void_p if "*" in t else _CTYPES[t])
    fn.argtypes = types
    conv = []
    for t, v in zip(types[2:], args):
        if t is ctypes.c_void_p:
            v = v.ctypes.data if isinstance(v, numpy.ndarray) else int(v)
        conv.append(v.item() if isinstance(v, numpy.generic) else v)
    fn(grid[0], grid[1], *conv)


def _pending(kind, shape, dtype, stream):
    m = ab.current_machine()
    lay = default_layout(shape, numpy.dtype(dtype).itemsize, m.ndev)
    return random_array(m, kind, KEY, stream, 1, shape, dtype, lay)


def _reference(kind, shape, dtype, stream):
    n = int(numpy.prod(shape))
    vals = philox.reference("uniform32" if numpy.dtype(dtype) == numpy.float32 and
                            kind == "uniform" else kind, 0, n, KEY, stream, 1)
    return vals.reshape(shape)


@pytest.fixture
def deferring():
    with ab.devices("cpu:1"), ab.settings.override(fusion="1", fusion_min_size=0):
        yield


def _leaf_local(expr, box, arrays=()):
    local = {id(r): ("rand",) + r.flat_affine(box) for r in expr.rands}
    for lf, a in zip(expr.lvs, arrays):
        local[id(lf)] = _HostArray(a)
    return local


BOXES = [None, ((7, 23), (3, 40))]          # the whole array; a device's box of it


@pytest.mark.parametrize("box", BOXES, ids=["whole", "box"])
def test_elementwise_statement_draws_the_stream(deferring, tmp_path, box):
    shape = (30, 40)
    box = box or tuple((0, n) for n in shape)
    a = numpy.linspace(-1.0, 1.0, 40)
    z = _pending("normal", shape, numpy.float64, 5)
    x = _pending("uniform", (40,), numpy.float64, 6)
    f = _pending("uniform", shape, numpy.float32, 7)
    v = z * 2.0 + x * ab.asarray(a) + f           # a broadcast draw, an array, float32 draws
    expr = v._store.expr
    lvs = expr.lvs
    sub = tuple(slice(lo, hi) for lo, hi in box)
    out = numpy.zeros(tuple(hi - lo for lo, hi in box))
    a_local = numpy.broadcast_to(a[sub[1]], out.shape)       # the tile the engine fetches
    local = _leaf_local(expr, box, [a_local] * len(lvs))
    hout = _HostArray(out)
    plan = fused._plan(expr, local, lvs)
    sets = [tuple(s // 8 for s in out.strides)] + [g[1] for g in plan.groups] + \
        [st for _r, _f, st in plan.rands]
    cshape, strides = fused._collapse(out.shape, sets)
    nd = len(cshape)
    src = fused.source_for(expr, plan, lvs, nd, out.dtype, False)
    params = numpy.array(fused.param_values(plan, lvs, strides, cshape), dtype=numpy.int64)
    args = [hout.data.ptr] + [grp[3] for grp in plan.groups] + fused.stream_args(expr) + \
        [params]
    rows = int(numpy.prod(cshape[:-1])) if nd > 1 else 1
    _run_host(src, "fused", (cshape[-1], rows), args, tmp_path)
    rz = _reference("normal", shape, numpy.float64, 5)
    rx = _reference("uniform", (40,), numpy.float64, 6)
    rf = _reference("uniform", shape, numpy.float32, 7)
    expected = (rz * 2.0 + rx * a + rf.astype(numpy.float64))[sub]
    assert numpy.array_equal(out, expected)


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
@pytest.mark.parametrize("start", [0, 12, 13])
def test_fused_reduction_draws_the_stream(deferring, tmp_path, dtype, start):
    # a count over two uniform draws: four values per thread from a multiple of 4 (the
    # vectorized kernel, rng_uniform4), one at a time otherwise
    n = 1003
    x = _pending("uniform", (n,), dtype, 11)
    y = _pending("uniform", (n,), dtype, 12)
    expr = (x < y)._store.expr
    box = ((start, n),)
    local = _leaf_local(expr, box)
    plan = fused._plan(expr, local, ())
    total = n - start
    cshape, strides = fused._collapse((total,), [st for _r, _f, st in plan.rands])
    vec = all(f0 % 4 == 0 and strides[i][0] == 1 for i, (r, f0, _s) in enumerate(plan.rands))
    src = fused.reduce_source_for(expr, plan, (), len(cshape), "sum", numpy.int64, vec)
    assert ("rng_uniform4(rf0" in src) == vec == (start % 4 == 0)
    blocks = 7
    partial = numpy.zeros(blocks, numpy.int64)
    static, rands = fused._static_args(plan, (), strides)
    args = [partial, total] + list(cshape) + list(static) + fused._dynamic_args(rands, expr)
    _run_host(src, "fused_reduce", (blocks, 1), args, tmp_path)
    rx = _reference("uniform", (n,), dtype, 11)[start:]
    ry = _reference("uniform", (n,), dtype, 12)[start:]
    assert int(partial.sum()) == int(numpy.sum(rx < ry))
