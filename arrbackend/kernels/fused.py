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
  to the loop dtype, NaN propagates through ``maximum``/``minimum`` as in NumPy;
* compiled with ``--fmad=false``: ``a * b + c`` is rounded twice, as NumPy's two loops
  round it, not once in a fused multiply-add (``np.gradient``'s one-sided edges, the
  stencil's weighted sums: NumPy's bits, not an ulp away).

The NumPy evaluator of the same expressions is ``arrbackend.distributed.deferred``;
the tests compare the two.
"""
from __future__ import annotations

import re

import numpy

from .._counters import count
from . import philox_cuda

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
    return a > 0 ? (T)1 : (a < 0 ? (T)-1 : (a == 0 ? (T)0 : a)); }
template <typename T> __device__ __forceinline__ T np_invert(T a) { return ~a; }
__device__ __forceinline__ bool np_invert(bool a) { return !a; }
"""


_has_ctype: dict = {}


def has_ctype(dt) -> bool:
    """Whether generated kernels have a C type for ``dt``."""
    hit = _has_ctype.get(dt)
    if hit is None:
        d = numpy.dtype(dt)
        hit = _has_ctype[dt] = d.kind == "b" or f"{d.kind}{d.itemsize}" in CTYPE
    return hit


_SUPPORTED = {getattr(numpy, n) for n in list(BINARY) + list(UNARY) if hasattr(numpy, n)}
SUPPORTED_UFUNCS = frozenset(_SUPPORTED)
#: the dtypes generated kernels have a C type for (native byte order)
CTYPE_DTYPES = frozenset(numpy.dtype(c) for c in "?bBhHiIlLqQfd")


def supports(ufunc, loop=None) -> bool:
    """Whether generated kernels cover ``ufunc`` (and, given, that loop of dtypes)."""
    if loop is None:
        return ufunc in _SUPPORTED
    name = ufunc.__name__
    entry = BINARY.get(name) or UNARY.get(name)
    if entry is None:
        return False
    kinds = {numpy.dtype(dt).kind for dt in loop[:-1]}
    if "i" in kinds and "u" in kinds:
        # (NumPy compares uint64 with int64 exactly; C would convert the signed one)
        return False
    return (all(numpy.dtype(dt).kind in entry[1] for dt in loop[:-1])
            and all(has_ctype(dt) for dt in loop))


# ---------------------------------------------------------------------------------------
# planning one launch: operands, groups, collapsed axes

class _Plan:
    def __init__(self):
        self.groups = []      # [array, element strides per axis, dtype, base pointer]
        self.leaf_slot = {}   # id(leaf) -> (group index, offset in elements)
        self.consts = []      # Const nodes, in order
        self.rands = []       # (Rand node, first flat index, flat steps per axis)
        self.owner = []       # per group: the caller's index of the memory it reads


def _plan(expr, leaf_local, lvs, owners=None):
    """Leaves grouped by memory and strides (one base pointer and one index computation
    per group); ``owners`` (one per leaf) names the caller's buffer each leaf reads, so
    that a prepared launch can take each group's pointer from that buffer."""
    plan = _Plan()
    by_key = {}
    for k, lf in enumerate(lvs):
        arr = leaf_local[id(lf)]
        isz = arr.dtype.itemsize
        strides = tuple(s // isz for s in arr.strides)
        if owners is None:
            base = arr.data.mem.ptr if hasattr(arr.data, "mem") else arr.data.ptr
        else:
            base = owners[k]
        key = (base, strides, arr.dtype.str)
        ptr = arr.data.ptr
        if key not in by_key:
            by_key[key] = len(plan.groups)
            plan.groups.append([arr, strides, arr.dtype, ptr])
            plan.owner.append(base)
        g = by_key[key]
        plan.leaf_slot[id(lf)] = (g, ptr)
    # offsets relative to the lowest address of each group
    lowest = {}
    for (g, p) in plan.leaf_slot.values():
        lowest[g] = min(lowest.get(g, p), p)
    for k, (g, ptr) in list(plan.leaf_slot.items()):
        isz = plan.groups[g][2].itemsize
        plan.leaf_slot[k] = (g, (ptr - lowest[g]) // isz)
    for g in range(len(plan.groups)):
        plan.groups[g][3] = lowest[g]
    for r in expr.rands:
        _tag, f0, steps = leaf_local[id(r)]
        plan.rands.append((r, f0, steps))
    plan.consts = expr.consts
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

# the random stream's device functions (rng_uniform, rng_uniform32, rng_normal,
# rng_uniform4): arrbackend.kernels.philox_cuda
_RNG = philox_cuda.RNG_DEVICE


def _expr_code(e, plan, names):
    from .expr import Cast, Const, Leaf, Rand
    if isinstance(e, (Leaf, Const, Rand)):
        return names[id(e)]
    if isinstance(e, Cast):
        return f"(({ctype(e.dtype)})({_expr_code(e.arg, plan, names)}))"
    name = e.ufunc.__name__
    loop_in = e.loop[:-1]
    args = [f"(({ctype(dt)})({_expr_code(a, plan, names)}))" for a, dt in zip(e.args, loop_in)]
    tmpl = (BINARY.get(name) or UNARY.get(name))[0]
    code = tmpl.format(a=args[0], b=args[1] if len(args) > 1 else "")
    return f"(({ctype(e.dtype)}){code})"


def _operands(expr, plan, lvs, nd, idx="long long", vec=False):
    """(kernel parameters, per-element statements, the value's C expression); ``idx`` is
    the C type of index arithmetic (``int`` when every offset fits in 32 bits)."""
    names = {}
    params = [f"long long n{k}" for k in range(nd)]
    for g, (_arr, _st, dt, _p) in enumerate(plan.groups):
        params.append(f"const {ctype(dt)}* __restrict__ g{g}")
        params += [f"long long g{g}s{k}" for k in range(nd)]
    body = [f"        const {idx} b{g} = " + " + ".join(f"i{k} * ({idx})g{g}s{k}" for k in range(nd))
            + ";" for g in range(len(plan.groups))]
    seen = {}
    for i, lf in enumerate(lvs):
        g, off = plan.leaf_slot[id(lf)]
        params.append(f"long long off{i}")
        if (g, off) in seen:          # the same element read twice: one load
            names[id(lf)] = seen[(g, off)]
            continue
        v = f"v{i}"
        seen[(g, off)] = v
        names[id(lf)] = v
        body.append(f"        const {ctype(plan.groups[g][2])} {v} = g{g}[b{g} + ({idx})off{i}];")
    for i, (r, _f0, _steps) in enumerate(plan.rands):
        params += [f"long long rf{i}"] + [f"long long rs{i}_{k}" for k in range(nd)]
        params += [f"u64 rk{i}a", f"u64 rk{i}b", f"u64 rst{i}", f"u64 rdm{i}"]
        flat = f"rf{i} + " + " + ".join(f"i{k} * rs{i}_{k}" for k in range(nd))
        if vec and r.kind == "uniform":
            # this thread's four consecutive values, computed once (rng_uniform4)
            body.append(f"        const {ctype(r.dtype)} q{i} = w{i}[jj];")
        else:
            fn = {"uniform": "rng_uniform32" if r.dtype == numpy.float32 else "rng_uniform",
                  "normal": "rng_normal"}[r.kind]
            body.append(f"        const {ctype(r.dtype)} q{i} = ({ctype(r.dtype)}){fn}({flat}, "
                        f"rk{i}a, rk{i}b, rst{i}, rdm{i});")
        names[id(r)] = f"q{i}"
    for i, c in enumerate(plan.consts):
        params.append(f"{_const_ctype(c)} c{i}")
        names[id(c)] = f"c{i}"
    return params, body, _expr_code(expr, plan, names)


_STATIC = re.compile(r"long long (os|n|g\d+s|off|rf|rs)\d")


def source_for(expr, plan, lvs, nd, out_dtype, i32=False):
    """The elementwise kernel's source for an expression over ``nd`` collapsed axes.

    The sizes, strides and offsets a launch is planned with (``os``, ``n``, ``g..s``,
    ``off``, the random leaves' ``rf``/``rs``) are read from one array ``P`` in device
    memory, made once per plan: a launch then passes only the pointers, the random
    streams and the scalars (CuPy's cost per argument is most of a small launch's)."""
    I = "int" if i32 else "long long"
    params, body, code = _operands(expr, plan, lvs, nd, I)
    params = [f"{ctype(out_dtype)}* __restrict__ out"] + \
        [f"long long os{k}" for k in range(nd)] + params
    static = [p for p in params if _STATIC.match(p)]
    params = [p for p in params if not _STATIC.match(p)] + \
        ["const long long* __restrict__ P"]
    body = [f"    const {p} = P[{k}];" for k, p in enumerate(static)] + body
    idx = []
    if nd == 1:
        idx.append(f"        const {I} i0 = j;")
    else:
        idx.append(f"        {I} t = r;")
        for k in range(nd - 2, 0, -1):
            idx.append(f"        const {I} i{k} = t % ({I})n{k}; t /= ({I})n{k};")
        idx.append(f"        const {I} i0 = t;")
        idx.append(f"        const {I} i{nd - 1} = j;")
    ob = " + ".join(f"i{k} * ({I})os{k}" for k in range(nd))
    rows = " * ".join(f"n{k}" for k in range(nd - 1)) if nd > 1 else "1"
    loads = [b for b in body if b.startswith("    const long long ") and "= P[" in b]
    body = [b for b in body if b not in loads]
    return (_PRELUDE + (_RNG if plan.rands else "") +
            'extern "C" __global__ void fused(' + ", ".join(params) + ") {\n"
            + "\n".join(loads) + "\n"
            f"    const {I} j = ({I})blockIdx.x * blockDim.x + threadIdx.x;\n"
            f"    if (j >= ({I})n{nd - 1}) return;\n"
            f"    const {I} rows = {rows};\n"
            f"    for ({I} r = ({I})blockIdx.y * blockDim.y + threadIdx.y; r < rows;\n"
            f"         r += ({I})gridDim.y * blockDim.y) {{\n"
            + "\n".join(idx) + "\n" + "\n".join(body) + "\n"
            f"        out[{ob}] = ({ctype(out_dtype)})({code});\n"
            "    }\n}\n")


_COMBINE = {"sum": "({a} + {b})", "prod": "({a} * {b})", "max": "np_maximum({a}, {b})",
            "min": "np_minimum({a}, {b})", "any": "({a} || {b})", "all": "({a} && {b})"}


def identity_value(kind, dt):
    """The identity of a reduction ``kind`` in accumulation dtype ``dt`` (a Python value)."""
    dt = numpy.dtype(dt)
    if kind in ("sum", "any"):
        return 0
    if kind in ("prod", "all"):
        return 1
    if dt.kind == "f":
        return -numpy.inf if kind == "max" else numpy.inf
    if dt.kind == "b":
        return kind != "max"
    info = numpy.iinfo(dt)
    return info.min if kind == "max" else info.max


def _identity(kind, dt) -> str:
    """``identity_value`` as C text."""
    v = identity_value(kind, dt)
    dt = numpy.dtype(dt)
    if kind in ("any", "all") or dt.kind == "b":
        return "true" if v else "false"
    if kind in ("sum", "prod"):
        return str(v)
    if dt.kind == "f":
        return ("-" if v < 0 else "") + "__longlong_as_double(0x7ff0000000000000LL)"
    if v == -2**63:
        return "(-9223372036854775807LL - 1)"
    return f"(({ctype(dt)}){v}{'ULL' if dt.kind == 'u' else 'LL'})"


def reduce_source_for(expr, plan, lvs, nd, kind, acc_dtype, vec=False):
    """A reduction kernel: every element's value combined into one partial per block.
    With ``vec`` (one axis, uniform random leaves read contiguously from a multiple of 4)
    each thread takes four consecutive elements, computed together per random leaf
    (``rng_uniform4``)."""
    params, body, code = _operands(expr, plan, lvs, nd, vec=vec)
    acc = ctype(acc_dtype)
    params = [f"{acc}* __restrict__ partial", "long long total"] + params
    idx = ["        long long t = e;"]
    for k in range(nd - 1, 0, -1):
        idx.append(f"        const long long i{k} = t % n{k}; t /= n{k};")
    idx.append("        const long long i0 = t;")
    comb = _COMBINE[kind]
    step = f"        acc = {comb.format(a='acc', b=f'(({acc})({code}))')};\n"
    if vec:
        words = "".join(f"        {ctype(r.dtype)} w{i}[4]; rng_uniform4(rf{i} + e4 * 4, "
                        f"rk{i}a, rk{i}b, rst{i}, rdm{i}, w{i});\n"
                        for i, (r, _f, _s) in enumerate(plan.rands) if r.kind == "uniform")
        loop = ("    for (long long e4 = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
                "         e4 * 4 < total; e4 += (long long)gridDim.x * blockDim.x) {\n"
                + words +
                "      #pragma unroll\n"
                "      for (int jj = 0; jj < 4; ++jj) {\n"
                "        const long long e = e4 * 4 + jj;\n"
                "        if (e >= total) break;\n"
                + "\n".join(idx) + "\n" + "\n".join(body) + "\n" + step +
                "      }\n    }\n")
    else:
        loop = ("    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n"
                "         e < total; e += (long long)gridDim.x * blockDim.x) {\n"
                + "\n".join(idx) + "\n" + "\n".join(body) + "\n" + step + "    }\n")
    return (_PRELUDE + (_RNG if plan.rands else "") +
            'extern "C" __global__ void fused_reduce(' + ", ".join(params) + ") {\n"
            f"    {acc} acc = ({acc}){_identity(kind, acc_dtype)};\n"
            + loop +
            f"    __shared__ {acc} sh[256];\n"
            "    sh[threadIdx.x] = acc;\n"
            "    __syncthreads();\n"
            "    for (int s = blockDim.x / 2; s > 0; s >>= 1) {\n"
            f"        if (threadIdx.x < s) sh[threadIdx.x] = "
            f"{comb.format(a='sh[threadIdx.x]', b='sh[threadIdx.x + s]')};\n"
            "        __syncthreads();\n"
            "    }\n"
            "    if (threadIdx.x == 0) partial[blockIdx.x] = sh[0];\n"
            "}\n")


def _const_ctype(c):
    return ctype(c.value.dtype)      # (scalars carry their loop dtype: defer_ufunc)


def _structure_key(expr, plan, lvs, nd, out_dtype, extra=()):
    """The kernel cache key: the expression's structure and dtypes (built with it), which
    views share a pointer, which read the same element, the axes and the output dtype."""
    slots = tuple(plan.leaf_slot[id(lf)] for lf in lvs)
    first = {}
    dups = tuple(first.setdefault(sl, i) for i, sl in enumerate(slots))
    return (expr.sig, tuple(g for g, _ in slots), dups, nd, numpy.dtype(out_dtype).str,
            tuple(grp[2].str for grp in plan.groups), extra)


_kernels: dict = {}


def _kernel(cp, device_id, key, src, name):
    k = _kernels.get((device_id, key))
    if k is None:
        k = cp.RawKernel(src, name, options=("-std=c++17", "--fmad=false"))
        _kernels[(device_id, key)] = k
        count("kernels_compiled")
    return k


def _static_args(plan, lvs, strides):
    """The arguments fixed by the operands' memory: group pointers and strides, view
    offsets; and each random leaf's first index and steps."""
    args = []
    ng = len(plan.groups)
    for g, grp in enumerate(plan.groups):
        args.append(numpy.uint64(grp[3]))          # a raw device pointer
        args += [numpy.int64(x) for x in strides[g]]
    for lf in lvs:
        args.append(numpy.int64(plan.leaf_slot[id(lf)][1]))
    rands = [(f0, [numpy.int64(x) for x in strides[ng + i]])
             for i, (_r, f0, _s) in enumerate(plan.rands)]
    return args, rands


def _dynamic_args(rands, expr) -> list:
    """The arguments of one statement: random streams and scalar values."""
    args = []
    for (f0, steps), r in zip(rands, expr.rands):
        args.append(numpy.int64(f0))
        args += steps
        args += [numpy.uint64(r.key[0]), numpy.uint64(r.key[1]), numpy.uint64(r.stream),
                 numpy.uint64(r.domain)]
    args += [c.value for c in expr.consts]
    return args


def _fits_32(shape, strides, plan, lvs) -> bool:
    """Whether every index the kernel computes fits in a 32-bit int."""
    lim = 2**31 - 1
    n = 1
    for x in shape:
        n *= x
    if n > lim:
        return False
    for st in strides:
        if sum((x - 1) * abs(s) for x, s in zip(shape, st)) > lim // 2:
            return False
    return all(abs(plan.leaf_slot[id(lf)][1]) < lim // 2 for lf in lvs)


class Launch:
    """A prepared launch: the kernel, the sizes, strides and offsets it was planned with
    (``params``, one int64 array in device memory), and where the per-statement
    arguments go: the pointers (each a caller's buffer plus a planned byte offset), the
    random streams and the scalars.  A statement of the same form replays it with its
    own buffers."""

    __slots__ = ("kernel", "params", "ngroups", "grid", "block", "ptr_slots", "out_delta",
                 "group_ptrs", "rands")

    def __init__(self, kernel, params, group_ptrs, rands, grid, block):
        self.kernel = kernel
        self.params = params
        self.group_ptrs = group_ptrs       # the pointers it was planned with
        self.ngroups = len(group_ptrs)
        self.rands = rands
        self.grid = grid
        self.block = block
        self.ptr_slots = ()
        self.out_delta = 0

    def __call__(self, expr, out) -> None:
        args = [out] + [_u64(p) for p in self.group_ptrs] + stream_args(expr)
        args.append(self.params)
        self.kernel(self.grid, self.block, tuple(args))
        count("kernels")

    def run(self, ptrs, out_ptr: int, expr) -> None:
        """Launch with the buffers ``ptrs`` (device pointers, in the order of the
        ``owners`` it was prepared with) and the target's buffer ``out_ptr``."""
        args = [_u64(out_ptr + self.out_delta)]
        for owner, delta in self.ptr_slots:
            args.append(_u64(ptrs[owner] + delta))
        if self.rands or expr.consts:
            args += stream_args(expr)
        args.append(self.params)
        self.kernel(self.grid, self.block, tuple(args))
        count("kernels")


_u64 = numpy.uint64


def stream_args(expr) -> list:
    """The arguments of one statement: random streams and scalar values."""
    args = []
    for r in expr.rands:
        args += [numpy.uint64(r.key[0]), numpy.uint64(r.key[1]), numpy.uint64(r.stream),
                 numpy.uint64(r.domain)]
    args += [c.value for c in expr.consts]
    return args


def param_values(plan, lvs, strides, shape) -> list:
    """The planned values, in the order of an elementwise kernel's loads from ``P``:
    the output's strides, the sizes, each group's strides, each leaf's offset, each
    random leaf's first index and steps (``strides``: the output's, then the groups',
    then the random leaves', as ``_collapse`` gives them)."""
    ng = len(plan.groups)
    values = list(strides[0]) + list(shape)
    for g in range(ng):
        values += list(strides[1 + g])
    values += [plan.leaf_slot[id(lf)][1] for lf in lvs]
    for i, (_r, f0, _s) in enumerate(plan.rands):
        values += [f0] + list(strides[1 + ng + i])
    return values


def _launch(dev, expr, leaf_local, out, lvs, owners=None):
    """The kernel and its launch for ``expr`` into the local CuPy array ``out``:
    ``(Launch, plan)``."""
    cp = dev.xp
    plan = _plan(expr, leaf_local, lvs, owners)
    isz = out.dtype.itemsize
    ostrides = tuple(s // isz for s in out.strides)
    sets = [ostrides] + [g[1] for g in plan.groups] + [st for _r, _f, st in plan.rands]
    shape, strides = _collapse(out.shape, sets)
    nd = len(shape)
    i32 = _fits_32(shape, strides, plan, lvs)
    key = _structure_key(expr, plan, lvs, nd, out.dtype, ("i32",) if i32 else ())
    k = _kernels.get((dev.id, key))
    if k is None:
        k = _kernel(cp, dev.id, key, source_for(expr, plan, lvs, nd, out.dtype, i32), "fused")
    params = cp.asarray(numpy.array(param_values(plan, lvs, strides, shape),
                                    dtype=numpy.int64))
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
    return Launch(k, params, [grp[3] for grp in plan.groups], plan.rands, (gx, gy),
                  (bx, by)), plan


def prepare(dev, expr, leaf_local, out, lvs, owners, owner_ptrs, out_ptr):
    """A Launch that a statement of the same form replays with its own buffers:
    ``owners[i]`` is the index (into ``owner_ptrs``, the buffers' device pointers) of the
    buffer leaf i reads; ``out_ptr`` the target's buffer."""
    launch, plan = _launch(dev, expr, leaf_local, out, lvs, owners)
    launch.ptr_slots = tuple((plan.owner[g], plan.groups[g][3] - owner_ptrs[plan.owner[g]])
                             for g in range(len(plan.groups)))
    launch.out_delta = out.data.ptr - out_ptr
    return launch


def run(dev, expr, leaf_local, out, lvs):
    """Evaluate ``expr`` (whose leaves are ``lvs``) into the local CuPy array ``out``;
    returns the Launch (to repeat the statement cheaply), or None for an empty output."""
    if out.size == 0:
        return None
    launch = _launch(dev, expr, leaf_local, out, lvs)[0]
    launch(expr, out)
    return launch


_sm_counts: dict = {}


def _resident_blocks(cp, device_id: int) -> int:
    """Enough blocks of 256 threads to fill the GPU (8 per multiprocessor)."""
    n = _sm_counts.get(device_id)
    if n is None:
        n = _sm_counts[device_id] = cp.cuda.runtime.getDeviceProperties(
            device_id)["multiProcessorCount"]
    return 8 * n


def reduce_run(dev, expr, leaf_local, lvs, shape, kind, acc_dtype):
    """The ``kind`` reduction of ``expr`` over its whole local box (``shape``) on ``dev``:
    one generated kernel computing the values and combining them (no temporary array),
    then the per-block partials combined.  Returns a 0-d CuPy array."""
    cp = dev.xp
    acc_dtype = numpy.dtype(acc_dtype)
    total = 1
    for n in shape:
        total *= n
    if total == 0:
        return None
    plan = _plan(expr, leaf_local, lvs)
    sets = [g[1] for g in plan.groups] + [st for _r, _f, st in plan.rands]
    if not sets:
        sets = [tuple(0 for _ in shape)]
    cshape, strides = _collapse(shape, sets)
    if not plan.groups and not plan.rands:
        strides = []
    nd = len(cshape)
    ng = len(plan.groups)
    vec = nd == 1 and any(r.kind == "uniform" for r, _f, _s in plan.rands) and all(
        r.kind != "uniform" or (f0 % 4 == 0 and strides[ng + i][0] == 1)
        for i, (r, f0, _s) in enumerate(plan.rands))
    key = _structure_key(expr, plan, lvs, nd, acc_dtype, ("reduce", kind, vec))
    k = _kernels.get((dev.id, key))
    if k is None:
        k = _kernel(cp, dev.id, key, reduce_source_for(expr, plan, lvs, nd, kind, acc_dtype,
                                                       vec), "fused_reduce")
    threads = 256
    work = (total + 3) // 4 if vec else total
    blocks = int(min((work + threads - 1) // threads, _resident_blocks(cp, dev.id)))
    partial = cp.empty(blocks, acc_dtype)
    static, rands = _static_args(plan, lvs, strides)
    args = [partial, numpy.int64(total)] + [numpy.int64(n) for n in cshape] + static + \
        _dynamic_args(rands, expr)
    k((blocks,), (threads,), tuple(args))
    count("kernels")
    f = {"sum": cp.sum, "prod": cp.prod, "max": cp.max, "min": cp.min, "any": cp.any,
         "all": cp.all}[kind]
    r = f(partial)
    return r.astype(acc_dtype, copy=False) if r.dtype != acc_dtype else r
