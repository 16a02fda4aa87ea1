"""Generated CUDA kernels for deferred elementwise expressions.

One RawKernel per statement and device, written from the expression tree:

* every view of one tile with the same strides shares one base pointer and one index
  computation; each view adds its own offset (a run-time constant), so the seed's
  five-point stencil reads one halo-extended tile at four offsets, as a hand-written
  kernel does;
* output axes that are contiguous in every operand are collapsed; the last axis runs
  along ``threadIdx.x`` and the others along ``blockIdx.y`` (no division per element for
  two dimensions);
* scalars, sizes, strides and offsets are kernel arguments, so a kernel is compiled once
  per expression structure and dtypes (cached), whatever the sizes and values;
* arithmetic follows NumPy's loop dtypes (``ufunc.resolve_dtypes``): operands are cast
  to the loop dtype, NaN propagates through ``maximum``/``minimum`` as in NumPy.

The NumPy evaluator of the same expressions is ``arrbackend.distributed.deferred``;
the tests compare the two.
"""
from __future__ import annotations

import numpy

from .._counters import count

__all__ = ["supports", "run", "source_for"]

CTYPE = {
    "b": "bool", "i1": "signed char", "i2": "short", "i4": "int", "i8": "long long",
    "u1": "unsigned char", "u2": "unsigned short", "u4": "unsigned int",
    "u8": "unsigned long long", "f4": "float", "f8": "double",
}


def ctype(dt) -> str:
    dt = numpy.dtype(dt)
    return CTYPE["b" if dt.kind == "b" else f"{dt.kind}{dt.itemsize}"]


# ufunc name -> (C expression with {a} {b}, dtype kinds of the loop it supports)
_F = "f"
_I = "iu"
_B = "b"
BINARY = {
    "add": ("({a} + {b})", _F + _I), "subtract": ("({a} - {b})", _F + _I),
    "multiply": ("({a} * {b})", _F + _I), "true_divide": ("({a} / {b})", _F),
    "divide": ("({a} / {b})", _F),
    "less": ("({a} < {b})", _F + _I + _B), "less_equal": ("({a} <= {b})", _F + _I + _B),
    "greater": ("({a} > {b})", _F + _I + _B),
    "greater_equal": ("({a} >= {b})", _F + _I + _B),
    "equal": ("({a} == {b})", _F + _I + _B), "not_equal": ("({a} != {b})", _F + _I + _B),
    "logical_and": ("((bool)({a}) && (bool)({b}))", _F + _I + _B),
    "logical_or": ("((bool)({a}) || (bool)({b}))", _F + _I + _B),
    "logical_xor": ("((bool)({a}) != (bool)({b}))", _F + _I + _B),
    "maximum": ("np_maximum({a}, {b})", _F + _I + _B),
    "minimum": ("np_minimum({a}, {b})", _F + _I + _B),
    "fmax": ("fmax({a}, {b})", _F), "fmin": ("fmin({a}, {b})", _F),
    "power": ("pow({a}, {b})", _F), "arctan2": ("atan2({a}, {b})", _F),
    "hypot": ("hypot({a}, {b})", _F), "copysign": ("copysign({a}, {b})", _F),
    "bitwise_and": ("({a} & {b})", _I + _B), "bitwise_or": ("({a} | {b})", _I + _B),
    "bitwise_xor": ("({a} ^ {b})", _I + _B),
}
UNARY = {
    "negative": ("(-{a})", _F + _I), "positive": ("({a})", _F + _I),
    "absolute": ("np_abs({a})", _F + _I), "square": ("({a} * {a})", _F + _I),
    "sqrt": ("sqrt({a})", _F), "cbrt": ("cbrt({a})", _F), "sin": ("sin({a})", _F),
    "cos": ("cos({a})", _F), "tan": ("tan({a})", _F), "arcsin": ("asin({a})", _F),
    "arccos": ("acos({a})", _F), "arctan": ("atan({a})", _F), "sinh": ("sinh({a})", _F),
    "cosh": ("cosh({a})", _F), "tanh": ("tanh({a})", _F), "arcsinh": ("asinh({a})", _F),
    "arccosh": ("acosh({a})", _F), "arctanh": ("atanh({a})", _F), "exp": ("exp({a})", _F),
    "exp2": ("exp2({a})", _F), "expm1": ("expm1({a})", _F), "log": ("log({a})", _F),
    "log2": ("log2({a})", _F), "log10": ("log10({a})", _F), "log1p": ("log1p({a})", _F),
    "floor": ("floor({a})", _F), "ceil": ("ceil({a})", _F), "trunc": ("trunc({a})", _F),
    "rint": ("rint({a})", _F), "reciprocal": ("(1 / {a})", _F),
    "logical_not": ("(!(bool)({a}))", _F + _I + _B), "isnan": ("isnan({a})", _F),
    "isinf": ("isinf({a})", _F), "isfinite": ("isfinite({a})", _F),
    "signbit": ("signbit({a})", _F), "invert": ("np_invert({a})", _I + _B),
    "conjugate": ("({a})", _F + _I), "sign": ("np_sign({a})", _F + _I),
    "deg2rad": ("({a} * (3.141592653589793 / 180.0))", _F),
    "rad2deg": ("({a} * (180.0 / 3.141592653589793))", _F),
    "degrees": ("({a} * (180.0 / 3.141592653589793))", _F),
    "radians": ("({a} * (3.141592653589793 / 180.0))", _F),
}

_PRELUDE = r"""
template <typename T> __device__ __forceinline__ T np_maximum(T a, T b) {
    return (a != a) ? a : ((b != b) ? b : (a >= b ? a : b)); }
template <typename T> __device__ __forceinline__ T np_minimum(T a, T b) {
    return (a != a) ? a : ((b != b) ? b : (a <= b ? a : b)); }
template <typename T> __device__ __forceinline__ T np_abs(T a) { return a < 0 ? -a : a; }
__device__ __forceinline__ float np_abs(float a) { return fabsf(a); }
__device__ __forceinline__ double np_abs(double a) { return fabs(a); }
template <typename T> __device__ __forceinline__ T np_sign(T a) {
    return a > 0 ? (T)1 : (a < 0 ? (T)-1 : a); }
template <typename T> __device__ __forceinline__ T np_invert(T a) { return ~a; }
__device__ __forceinline__ bool np_invert(bool a) { return !a; }
"""


def has_ctype(dt) -> bool:
    dt = numpy.dtype(dt)
    return dt.kind == "b" or f"{dt.kind}{dt.itemsize}" in CTYPE


_SUPPORTED = {getattr(numpy, n) for n in list(BINARY) + list(UNARY) if hasattr(numpy, n)}


def supports(ufunc, loop=None) -> bool:
    """Whether generated kernels cover ``ufunc`` (and, given, that loop of dtypes)."""
    if loop is None:
        return ufunc in _SUPPORTED
    name = ufunc.__name__
    entry = BINARY.get(name) or UNARY.get(name)
    if entry is None:
        return False
    return (all(numpy.dtype(dt).kind in entry[1] for dt in loop[:-1])
            and all(has_ctype(dt) for dt in loop))


# ---------------------------------------------------------------------------------------
# planning one launch: operands, groups, collapsed axes

class _Plan:
    def __init__(self):
        self.groups = []      # (array_for_pointer, element strides per axis, dtype)
        self.leaf_slot = {}   # id(leaf) -> (group index, offset in elements)
        self.consts = []      # (value, C type)


def _plan(expr, leaf_local, out, lvs):
    from ..distributed.deferred import Const, Op, _Cast
    plan = _Plan()
    by_key = {}
    for lf in lvs:
        arr = leaf_local[id(lf)]
        isz = arr.dtype.itemsize
        strides = tuple(s // isz for s in arr.strides)
        base = arr.data.mem.ptr if hasattr(arr.data, "mem") else arr.data.ptr
        key = (base, strides, arr.dtype.str)
        ptr = arr.data.ptr
        if key not in by_key:
            by_key[key] = len(plan.groups)
            plan.groups.append([arr, strides, arr.dtype, ptr])
        g = by_key[key]
        plan.leaf_slot[id(lf)] = (g, ptr)
    # offsets relative to the lowest address of each group
    lowest = {}
    for g, (arr, strides, dt, ptr) in enumerate(plan.groups):
        lowest[g] = min(p for (gg, p) in plan.leaf_slot.values() if gg == g)
    for k, (g, ptr) in list(plan.leaf_slot.items()):
        isz = plan.groups[g][2].itemsize
        plan.leaf_slot[k] = (g, (ptr - lowest[g]) // isz)
    for g in range(len(plan.groups)):
        plan.groups[g][3] = lowest[g]

    def walk(e):
        if isinstance(e, Const):
            plan.consts.append(e)
        elif isinstance(e, Op):
            for a in e.args:
                walk(a)
        elif isinstance(e, _Cast):
            walk(e.arg)
    walk(expr)
    return plan


def _collapse(shape, stride_sets):
    """Merge adjacent axes that are contiguous in every operand; drop length-1 axes."""
    axes = [k for k, n in enumerate(shape) if n != 1]
    if not axes:
        return (1,), [(0,) for _ in stride_sets]
    sh = [shape[axes[0]]]
    st = [[s[axes[0]]] for s in stride_sets]
    for k in axes[1:]:
        n = shape[k]
        if all(s[-1] == ss[k] * n for s, ss in zip(st, stride_sets)):
            sh[-1] *= n
            for s, ss in zip(st, stride_sets):
                s[-1] = ss[k]
        else:
            sh.append(n)
            for s, ss in zip(st, stride_sets):
                s.append(ss[k])
    return tuple(sh), [tuple(s) for s in st]


# ---------------------------------------------------------------------------------------
# code generation

def _expr_code(e, plan, names):
    from ..distributed.deferred import Const, Leaf, Op, _Cast
    if isinstance(e, Leaf):
        return names[id(e)]
    if isinstance(e, Const):
        return names[id(e)]
    if isinstance(e, _Cast):
        return f"(({ctype(e.dtype)})({_expr_code(e.arg, plan, names)}))"
    name = e.ufunc.__name__
    loop_in = e.loop[:-1]
    args = [f"(({ctype(dt)})({_expr_code(a, plan, names)}))" for a, dt in zip(e.args, loop_in)]
    tmpl = (BINARY.get(name) or UNARY.get(name))[0]
    code = tmpl.format(a=args[0], b=args[1] if len(args) > 1 else "")
    return f"(({ctype(e.dtype)}){code})"


def source_for(expr, plan, nd, out_dtype):
    """The kernel source and its name for an expression over ``nd`` collapsed axes."""
    from ..distributed.deferred import Const, leaves, _Cast
    names = {}
    params = [f"{ctype(out_dtype)}* __restrict__ out"]
    params += [f"long long os{k}" for k in range(nd)]
    params += [f"long long n{k}" for k in range(nd)]
    for g, (_arr, _st, dt, _p) in enumerate(plan.groups):
        params.append(f"const {ctype(dt)}* __restrict__ g{g}")
        params += [f"long long g{g}s{k}" for k in range(nd)]
    lvs = leaves(expr.arg if isinstance(expr, _Cast) else expr)
    body_loads = []
    seen = {}
    for i, lf in enumerate(lvs):
        g, _off = plan.leaf_slot[id(lf)]
        params.append(f"long long off{i}")
        key = (g, _off)
        if key in seen:          # the same element read twice: one load
            names[id(lf)] = seen[key]
            continue
        v = f"v{i}"
        seen[key] = v
        names[id(lf)] = v
        body_loads.append(f"        const {ctype(plan.groups[g][2])} {v} = g{g}[b{g} + off{i}];")
    for i, c in enumerate(plan.consts):
        ct = _const_ctype(c)
        params.append(f"{ct} c{i}")
        names[id(c)] = f"c{i}"
    code = _expr_code(expr, plan, names)
    # indices: the last axis on x, the others flattened on y
    idx = []
    if nd == 1:
        idx.append("        const long long i0 = j;")
    else:
        idx.append("        long long t = r;")
        for k in range(nd - 2, 0, -1):
            idx.append(f"        const long long i{k} = t % n{k}; t /= n{k};")
        idx.append("        const long long i0 = t;")
        idx.append(f"        const long long i{nd - 1} = j;")
    ob = " + ".join(f"i{k} * os{k}" for k in range(nd))
    gb = [f"        const long long b{g} = " + " + ".join(f"i{k} * g{g}s{k}" for k in range(nd))
          + ";" for g in range(len(plan.groups))]
    rows = " * ".join(f"n{k}" for k in range(nd - 1)) if nd > 1 else "1"
    src = (_PRELUDE + 'extern "C" __global__ void fused(' + ", ".join(params) + ") {\n"
           f"    const long long j = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
           f"    if (j >= n{nd - 1}) return;\n"
           f"    const long long rows = {rows};\n"
           "    for (long long r = (long long)blockIdx.y * blockDim.y + threadIdx.y; r < rows;\n"
           "         r += (long long)gridDim.y * blockDim.y) {\n"
           + "\n".join(idx) + "\n" + "\n".join(gb) + "\n" + "\n".join(body_loads) + "\n"
           f"        out[{ob}] = ({ctype(out_dtype)})({code});\n"
           "    }\n}\n")
    return src


def _const_ctype(c):
    v = c.value
    if isinstance(v, numpy.generic):
        return ctype(v.dtype)
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "long long"
    return "double"


def _structure_key(expr, plan, lvs, nd, out_dtype):
    """The kernel cache key: the expression's structure and dtypes (built with it), which
    views share a pointer, which read the same element, the axes and the output dtype."""
    slots = tuple(plan.leaf_slot[id(lf)] for lf in lvs)
    first = {}
    dups = tuple(first.setdefault(sl, i) for i, sl in enumerate(slots))
    return (expr.sig, tuple(g for g, _ in slots), dups, nd, out_dtype.str,
            tuple(grp[2].str for grp in plan.groups))


_kernels: dict = {}


def _kernel(cp, device_id, key, src):
    k = _kernels.get((device_id, key))
    if k is None:
        k = cp.RawKernel(src, "fused", options=("-std=c++17",))
        _kernels[(device_id, key)] = k
        count("kernels_compiled")
    return k


def run(dev, expr, leaf_local, out, lvs) -> None:
    """Evaluate ``expr`` (whose leaves are ``lvs``) into the local CuPy array ``out``."""
    cp = dev.xp
    if out.size == 0:
        return
    plan = _plan(expr, leaf_local, out, lvs)
    isz = out.dtype.itemsize
    ostrides = tuple(s // isz for s in out.strides)
    shape, strides = _collapse(out.shape, [ostrides] + [g[1] for g in plan.groups])
    nd = len(shape)
    key = _structure_key(expr, plan, lvs, nd, out.dtype)
    k = _kernels.get((dev.id, key))
    if k is None:
        k = _kernel(cp, dev.id, key, source_for(expr, plan, nd, out.dtype))
    args = [out]
    args += [numpy.int64(s) for s in strides[0]]
    args += [numpy.int64(n) for n in shape]
    for g, grp in enumerate(plan.groups):
        args.append(numpy.uint64(grp[3]))          # a raw device pointer
        args += [numpy.int64(s) for s in strides[1 + g]]
    for lf in lvs:
        args.append(numpy.int64(plan.leaf_slot[id(lf)][1]))
    for c in plan.consts:
        ct = _const_ctype(c)
        v = c.value
        args.append({"bool": numpy.bool_, "long long": numpy.int64,
                     "double": numpy.float64}.get(ct, lambda x: x)(v)
                    if not isinstance(v, numpy.generic) else v)
    n_last = shape[-1]
    rows = 1
    for n in shape[:-1]:
        rows *= n
    bx = 32
    while bx < n_last and bx < 256:
        bx *= 2
    by = max(1, 256 // bx)
    gx = (n_last + bx - 1) // bx
    gy = min((rows + by - 1) // by, 65535)
    k((gx, gy), (bx, by), tuple(args))
    count("kernels")
