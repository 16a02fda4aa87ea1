"""Differential property tests: random shapes (lengths 0 and 1 included), dtypes, axes and
index keys, the same call on NumPy and on arrbackend (on every test machine, split even when
tiny), and the same answer or the same exception class.  Each bug these found once is also
pinned by a plain test next to its subject."""
from __future__ import annotations

import warnings

import numpy
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import arrbackend as ab

HYP = hsettings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

DTYPES = ["bool", "int8", "uint8", "int64", "float32", "float64", "complex128"]
shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


def _data(shape, dtype, seed):
    rng = numpy.random.default_rng(seed)
    a = numpy.asarray(rng.standard_normal(shape) * 4)
    if dtype == "complex128":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


def _run(fn, *arrays):
    """(result or None, exception or None) of ``fn`` on the arrays, warnings quiet."""
    with warnings.catch_warnings(), numpy.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            r = fn(*arrays)
        except Exception as exc:       # the same class must come from both
            return None, exc
    return r, None


def _agree(fn, *host):
    want, err = _run(fn, *[h.copy() for h in host])      # (fn may write its operands)
    if isinstance(err, ValueError) and "cannot reshape array of size 0" in str(err):
        return      # NumPy fails inside its own code on some empty inputs (median over
        #            two axes of a (2, 0, 0) array); arrbackend answers an empty result
    got, our_err = _run(fn, *[ab.asarray(h) for h in host])
    if err is not None or our_err is not None:
        assert err is not None and our_err is not None, (repr(err), repr(our_err))
        assert isinstance(our_err, type(err)) or isinstance(err, type(our_err)), \
            (repr(err), repr(our_err))
        return
    want = numpy.asarray(want)
    got = ab.asnumpy(got) if isinstance(got, ab.ndarray) else numpy.asarray(got)
    assert got.shape == want.shape and got.dtype == want.dtype, \
        (got.shape, want.shape, got.dtype, want.dtype)
    if want.dtype.kind in "fc":
        single = any(h.dtype in (numpy.float32, numpy.complex64) for h in host)
        tol = 1e-4 if single or want.dtype in (numpy.float32, numpy.complex64) else 1e-9
        numpy.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True)
    else:
        numpy.testing.assert_array_equal(got, want)


AXIS_FUNCS = {
    "sum": lambda x, ax, kd: numpy.sum(x, axis=ax, keepdims=kd),
    "prod": lambda x, ax, kd: numpy.prod(x, axis=ax, keepdims=kd),
    "mean": lambda x, ax, kd: numpy.mean(x, axis=ax, keepdims=kd),
    "var": lambda x, ax, kd: numpy.var(x, axis=ax, keepdims=kd),
    "max": lambda x, ax, kd: numpy.max(x, axis=ax, keepdims=kd),
    "min_initial": lambda x, ax, kd: numpy.min(x, axis=ax, keepdims=kd, initial=3)
    if x.dtype.kind != "c" else numpy.min(x, axis=ax),
    "argmax": lambda x, ax, kd: numpy.argmax(x, axis=ax, keepdims=kd),
    "any": lambda x, ax, kd: numpy.any(x, axis=ax, keepdims=kd),
    "count_nonzero": lambda x, ax, kd: numpy.count_nonzero(x, axis=ax, keepdims=kd),
    "cumsum": lambda x, ax, kd: numpy.cumsum(x, axis=ax),
    "median": lambda x, ax, kd: numpy.median(x, axis=ax, keepdims=kd),
    "quantile": lambda x, ax, kd: numpy.quantile(x, [0.25, 0.5], axis=ax, keepdims=kd),
    "nanpercentile": lambda x, ax, kd: numpy.nanpercentile(x, 30, axis=ax, keepdims=kd),
    "sort": lambda x, ax, kd: numpy.sort(x, axis=ax),
    "flip": lambda x, ax, kd: numpy.flip(x, axis=ax),
    "roll": lambda x, ax, kd: numpy.roll(x, 2, axis=ax),
    "diff": lambda x, ax, kd: numpy.diff(x, axis=-1 if ax is None else ax),
    "concatenate": lambda x, ax, kd: numpy.concatenate([x, x], axis=ax),
    "unique": lambda x, ax, kd: numpy.unique(x, axis=ax) if x.dtype.kind != "c" and
    not isinstance(ax, tuple) else x,
    "norm": lambda x, ax, kd: numpy.linalg.norm(x, axis=ax, keepdims=kd),
}


@HYP
@given(shape=shapes, dtype=st.sampled_from(DTYPES), fn=st.sampled_from(sorted(AXIS_FUNCS)),
       axis=st.one_of(st.none(), st.integers(-3, 2), st.tuples(st.integers(-3, 2)),
                      st.tuples(st.integers(0, 2), st.integers(-3, -1))),
       keepdims=st.booleans(), seed=st.integers(0, 99))
def test_axis_functions(machine, shape, dtype, fn, axis, keepdims, seed):
    _agree(lambda x: AXIS_FUNCS[fn](x, axis, keepdims), _data(shape, dtype, seed))


@st.composite
def keys(draw, shape):
    """A mix of ints, slices, None, an Ellipsis, integer and boolean arrays."""
    key, i, ellipsis = [], 0, False
    while i < len(shape):
        n = shape[i]
        kind = draw(st.sampled_from(["slice", "int", "none", "ellipsis", "ints", "mask"]))
        if kind == "slice":
            key.append(slice(draw(st.integers(-n - 1, n + 1)), draw(st.integers(-n - 1, n + 1)),
                             draw(st.sampled_from([None, 1, 2, -1, -2]))))
            i += 1
        elif kind == "int" and n:
            key.append(draw(st.integers(-n, n - 1)))
            i += 1
        elif kind == "none":
            key.append(None)
        elif kind == "ellipsis" and not ellipsis:
            key.append(Ellipsis)
            ellipsis = True
            i += draw(st.integers(0, len(shape) - i))
        elif kind == "ints" and n:
            key.append(numpy.array(draw(st.lists(st.integers(-n, n - 1), max_size=4)),
                                   dtype=numpy.intp))
            i += 1
        elif kind == "mask":
            key.append(numpy.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                                   dtype=bool))
            i += 1
    return tuple(key)


@HYP
@given(data=st.data(), shape=st.lists(st.integers(0, 4), min_size=1, max_size=3).map(tuple),
       dtype=st.sampled_from(["float64", "int32", "bool"]), seed=st.integers(0, 99),
       assign=st.booleans())
def test_indexing(machine, data, shape, dtype, seed, assign):
    a = _data(shape, dtype, seed)
    key = data.draw(keys(shape))
    want, err = _run(lambda x: x[key], a)
    if not assign or err is not None:
        _agree(lambda x: x[key], a)
        return
    value = _data(numpy.shape(want), dtype, seed + 1)

    def put(x):
        x[key] = value if isinstance(x, numpy.ndarray) else ab.asarray(value)
        return x
    _agree(put, a)


UFUNCS = [numpy.add, numpy.subtract, numpy.multiply, numpy.true_divide, numpy.floor_divide,
          numpy.power, numpy.maximum, numpy.arctan2, numpy.less, numpy.equal, numpy.sqrt,
          numpy.negative, numpy.absolute, numpy.isnan, numpy.bitwise_and]
SCALARS = [0, 1, -1, 3, 300, -129, 2**40, 0.5, -2.5, True, numpy.float32(2), numpy.uint8(200)]


@HYP
@given(uf=st.sampled_from(UFUNCS), shape=shapes, dtype=st.sampled_from(DTYPES),
       other=st.one_of(st.sampled_from(SCALARS), st.sampled_from(DTYPES)),
       out_dtype=st.one_of(st.none(), st.sampled_from(DTYPES)), where=st.booleans(),
       casting=st.sampled_from([None, "same_kind", "unsafe"]), seed=st.integers(0, 99))
def test_ufunc_keywords(machine, uf, shape, dtype, other, out_dtype, where, casting, seed):
    a = _data(shape, dtype, seed)
    b = _data(shape, other, seed + 1) if isinstance(other, str) else other
    if uf in (numpy.less, numpy.equal) and where and isinstance(b, int):
        return          # (NumPy 2.4's own loop crashes there; pinned in test_elementwise)
    if uf is numpy.power and where and isinstance(b, (int, numpy.integer)) and b < 0:
        return          # (raised up front even where where= computes nothing: documented)
    mask = numpy.random.default_rng(seed).random(shape) < 0.5
    if where and out_dtype is None:
        out_dtype = "float64"       # (where= without out= leaves values unset)

    def call(x, y=None):
        ours = not isinstance(x, numpy.ndarray)
        conv = ab.asarray if ours else (lambda v: v)
        args = (x,) if uf.nin == 1 else (x, b if y is None else y)
        kw = {} if casting is None else {"casting": casting}
        if out_dtype is not None:
            kw["out"] = conv(numpy.zeros(shape, out_dtype))
        if where:
            kw["where"] = conv(mask)
        r = uf(*args, **kw)
        return kw.get("out", r)
    if uf.nin == 2 and isinstance(b, numpy.ndarray):
        _agree(call, a, b)
    else:
        _agree(call, a)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_inplace_overlapping_views(machine, n):
    # NumPy's in-place statements on overlapping views read the values from before
    a = numpy.arange(n * 3, dtype=float).reshape(n, 3)

    def steps(x):
        x[1:] += x[:-1]
        x[::-1] *= x[: len(x)]
        x[:, ::-1] = x * 2 - x[:, :1]
        return x
    _agree(steps, a)


PAIR_FUNCS = {
    "where": lambda x, y: numpy.where(x > 0 if x.dtype != bool else x, x, y),
    "dot": numpy.dot, "matmul": numpy.matmul, "inner": numpy.inner, "outer": numpy.outer,
    "kron": numpy.kron, "vecdot": numpy.vecdot,
    "tensordot1": lambda x, y: numpy.tensordot(x, y, axes=1),
    "einsum_outer": lambda x, y: numpy.einsum("i,j->ij", numpy.ravel(x), numpy.ravel(y)),
    "convolve": lambda x, y: numpy.convolve(numpy.ravel(x), numpy.ravel(y)),
    "isin": numpy.isin, "intersect1d": numpy.intersect1d, "setdiff1d": numpy.setdiff1d,
    "searchsorted": lambda x, y: numpy.searchsorted(numpy.sort(numpy.ravel(x)), y),
    "stack": lambda x, y: numpy.stack([x, y]), "add": numpy.add,
    "remainder": numpy.remainder, "solve": numpy.linalg.solve,
    "allclose": lambda x, y: numpy.asarray(numpy.allclose(x, y)),
}


@HYP
@given(fn=st.sampled_from(sorted(PAIR_FUNCS)), sa=shapes, sb=shapes,
       da=st.sampled_from(DTYPES), db=st.sampled_from(DTYPES), seed=st.integers(0, 99))
def test_two_operand_functions(machine, fn, sa, sb, da, db, seed):
    _agree(PAIR_FUNCS[fn], _data(sa, da, seed), _data(sb, db, seed + 1))


LINALG = {
    "inv": numpy.linalg.inv, "det": numpy.linalg.det, "pinv": numpy.linalg.pinv,
    "norm1": lambda x: numpy.linalg.norm(x, 1, axis=(-2, -1)),
    "norm2": lambda x: numpy.linalg.norm(x, 2, axis=(-2, -1)),
    "norminf": lambda x: numpy.linalg.norm(x, numpy.inf, axis=-1),
    "matrix_rank": numpy.linalg.matrix_rank, "svdvals": numpy.linalg.svdvals,
    "eigvalsh": lambda x: numpy.linalg.eigvalsh(x @ numpy.swapaxes(x, -1, -2).conj()),
    "matrix_power": lambda x: numpy.linalg.matrix_power(x, 3),
    "fft": lambda x: numpy.fft.fft(x, axis=-2), "rfft2": lambda x: numpy.fft.rfft2(x.real),
}


@HYP
@given(fn=st.sampled_from(sorted(LINALG)), n=st.integers(0, 3),
       batch=st.lists(st.integers(0, 2), max_size=2).map(tuple),
       dtype=st.sampled_from(["float64", "complex128", "int64"]), seed=st.integers(0, 99))
def test_linear_algebra(machine, fn, n, batch, dtype, seed):
    a = _data(batch + (n, n), dtype, seed)
    if dtype != "int64":
        a = a + n * numpy.eye(n, dtype=dtype)           # (well conditioned)
    _agree(LINALG[fn], a)


ONE_FUNCS = {
    "cov": numpy.cov, "corrcoef": numpy.corrcoef,
    "histogram": lambda x: numpy.histogram(x.real, bins=3)[0] if x.dtype != bool else x,
    "bincount": lambda x: numpy.bincount(numpy.abs(numpy.ravel(x)).astype(int)),
    "digitize": lambda x: numpy.digitize(x.real, [-1, 0, 1]) if x.dtype != bool else x,
    "diff2": lambda x: numpy.diff(x, n=2), "gradient": lambda x: numpy.gradient(numpy.ravel(
        x)) if x.size > 1 else x, "trapezoid": numpy.trapezoid, "cumprod": numpy.cumprod,
    "nansum": numpy.nansum, "nanmax": numpy.nanmax, "nanargmin": numpy.nanargmin,
    "clip": lambda x: numpy.clip(x, -1, 2), "round": lambda x: numpy.round(x, 1),
    "sign": numpy.sign, "fix": numpy.fix, "nan_to_num": numpy.nan_to_num,
    "triu": lambda x: numpy.triu(x, -1), "diag": numpy.diag, "trace": numpy.trace,
    "rot90": numpy.rot90, "pad": lambda x: numpy.pad(x, 1, mode="reflect"),
    "pad_edge": lambda x: numpy.pad(x, (1, 2), mode="edge"),
    "tile": lambda x: numpy.tile(x, (2, 1)), "repeat": lambda x: numpy.repeat(x, 2, axis=0)
    if x.ndim else x, "resize": lambda x: numpy.resize(x, (2, 3)),
    "flatnonzero": numpy.flatnonzero, "argwhere": numpy.argwhere,
    "nonzero": lambda x: numpy.stack(numpy.nonzero(x)) if x.ndim else x,
    "unique_counts": lambda x: numpy.unique_counts(x).counts,
    "ptp": numpy.ptp, "average": lambda x: numpy.average(x, axis=0) if x.ndim else x,
    "real_if_close": numpy.real_if_close, "angle": numpy.angle, "sinc": numpy.sinc,
    "ravel_F": lambda x: numpy.ravel(x, order="F"), "swapaxes": lambda x: numpy.swapaxes(
        x, 0, -1) if x.ndim else x, "squeeze": numpy.squeeze, "atleast_3d": numpy.atleast_3d,
    "tril_indices_from": lambda x: numpy.stack(numpy.tril_indices_from(x)) if x.ndim == 2
    else x, "isneginf": lambda x: numpy.isneginf(x) if x.dtype.kind != "c" else x,
    "fft_ifft": lambda x: numpy.fft.ifft(numpy.fft.fft(x, axis=0), axis=0) if x.ndim else x,
    "copy_T": lambda x: x.T.copy(), "astype_c": lambda x: x.astype(numpy.complex64),
    "item_list": lambda x: numpy.asarray(x.tolist()),
}


@HYP
@given(fn=st.sampled_from(sorted(ONE_FUNCS)), shape=shapes, dtype=st.sampled_from(DTYPES),
       seed=st.integers(0, 99))
def test_one_operand_functions(machine, fn, shape, dtype, seed):
    _agree(ONE_FUNCS[fn], _data(shape, dtype, seed))


WHERE_FUNCS = {
    "sum": lambda x, w, ax: numpy.sum(x, axis=ax, where=w),
    "prod": lambda x, w, ax: numpy.prod(x, axis=ax, where=w),
    "max": lambda x, w, ax: numpy.max(x, axis=ax, where=w, initial=-5),
    "min": lambda x, w, ax: numpy.min(x, axis=ax, where=w, initial=5),
    "mean": lambda x, w, ax: numpy.mean(x, axis=ax, where=w),
    "var": lambda x, w, ax: numpy.var(x, axis=ax, where=w),
    "std": lambda x, w, ax: numpy.std(x, axis=ax, where=w, ddof=1),
    "any": lambda x, w, ax: numpy.any(x, axis=ax, where=w),
    "all": lambda x, w, ax: numpy.all(x, axis=ax, where=w),
    "nansum": lambda x, w, ax: numpy.nansum(x, axis=ax, where=w),
    "nanmean": lambda x, w, ax: numpy.nanmean(x, axis=ax, where=w),
    "count_nonzero": lambda x, w, ax: numpy.count_nonzero(x, axis=ax),
    "add.reduce": lambda x, w, ax: numpy.add.reduce(x, axis=ax, where=w, initial=0),
}


@HYP
@given(fn=st.sampled_from(sorted(WHERE_FUNCS)), shape=shapes,
       dtype=st.sampled_from(["bool", "int8", "int64", "float32", "float64"]),
       axis=st.one_of(st.none(), st.integers(-1, 0)), seed=st.integers(0, 99),
       nan=st.booleans())
def test_reductions_with_where(machine, fn, shape, dtype, axis, seed, nan):
    a = _data(shape, dtype, seed)
    if nan and a.dtype.kind == "f" and a.size:
        a.ravel()[::3] = numpy.nan
    w = numpy.random.default_rng(seed).random(shape) < 0.6
    _agree(lambda x, m: WHERE_FUNCS[fn](x, m, axis), a, w)


SORT_FUNCS = {
    "sort_stable": lambda x: numpy.sort(x, kind="stable"),
    "argsort_stable": lambda x: numpy.argsort(x, kind="stable", axis=0) if x.ndim else x,
    "sort_descending": lambda x: numpy.sort(x, axis=-1, stable=True)[..., ::-1],
    "searchsorted_sorter": lambda x: numpy.searchsorted(numpy.ravel(x), numpy.ravel(x)[:3],
                                                        sorter=numpy.argsort(numpy.ravel(
                                                            x), kind="stable")),
    "lexsort": lambda x: numpy.lexsort(x) if x.ndim == 2 else x,
    "unique_all_counts": lambda x: numpy.unique_all(numpy.ravel(x)).counts,
    "unique_inverse": lambda x: numpy.unique(x, return_inverse=True)[1],
    "unique_index": lambda x: numpy.unique(x, return_index=True)[1],
    "intersect_indices": lambda x: numpy.stack(numpy.intersect1d(
        numpy.ravel(x), numpy.ravel(x)[::-1], return_indices=True)[1:]),
    "isin_invert": lambda x: numpy.isin(x, numpy.ravel(x)[:2], invert=True),
    "argmax_keepdims": lambda x: numpy.argmax(x, axis=-1, keepdims=True) if x.ndim and
    x.shape[-1] else x,
    "msort": lambda x: numpy.sort(x, axis=0) if x.ndim else x,
}


@HYP
@given(fn=st.sampled_from(sorted(SORT_FUNCS)), shape=shapes,
       dtype=st.sampled_from(["bool", "int8", "uint8", "float32", "float64"]),
       seed=st.integers(0, 99), ties=st.booleans())
def test_sorting_and_sets(machine, fn, shape, dtype, seed, ties):
    a = _data(shape, dtype, seed)
    if ties:
        a = numpy.round(a / 4).astype(dtype)
    if a.dtype.kind == "f" and a.size > 2:
        a.ravel()[1] = numpy.nan
    _agree(SORT_FUNCS[fn], a)


VIEW_STEPS = {
    "slice": lambda v: v[1:] if v.ndim else v, "T": lambda v: v.T,
    "swap": lambda v: v.swapaxes(0, -1) if v.ndim >= 2 else v,
    "flip": lambda v: v[::-1] if v.ndim else v, "newaxis": lambda v: v[None],
    "real": lambda v: v.real if v.dtype.kind == "c" else v,
    "imag": lambda v: v.imag if v.dtype.kind == "c" else v,
    "moveaxis": lambda v: numpy.moveaxis(v, 0, -1) if v.ndim >= 2 else v,
    "squeeze": numpy.squeeze, "step": lambda v: v[..., ::2] if v.ndim else v,
    "row": lambda v: v[-1] if v.ndim >= 2 and v.shape[0] else v,
}


@HYP
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
       dtype=st.sampled_from(["float64", "complex128", "int32"]),
       steps=st.lists(st.sampled_from(sorted(VIEW_STEPS)), min_size=1, max_size=4),
       value=st.sampled_from([0, 7, 1.5, "array"]), seed=st.integers(0, 99))
def test_writes_through_views(machine, shape, dtype, steps, value, seed):
    def write(x):
        v = x
        for s in steps:
            v = VIEW_STEPS[s](v)
        if value == "array":
            w = numpy.arange(v.size).reshape(v.shape).astype(v.dtype)
            v[...] = w if isinstance(x, numpy.ndarray) else ab.asarray(w)
        else:
            v[...] = value
        v += 1
        return x
    _agree(write, _data(shape, dtype, seed))


MORE_FUNCS = {
    "einsum_trace": lambda x: numpy.einsum("ii->i", x[..., :1, :1]) if x.ndim >= 2 and
    x.size else x,              # (NumPy reads past an empty operand's memory there)
    "einsum_sum": lambda x: numpy.einsum("...i->...", x) if x.ndim else x,
    "einsum_T": lambda x: numpy.einsum("ij->ji", x) if x.ndim == 2 else x,
    "einsum_mm": lambda x: numpy.einsum("ij,jk->ik", x, x.T) if x.ndim == 2 else x,
    "einsum_outer3": lambda x: numpy.einsum("i,j,k->ijk", *([numpy.ravel(x)[:3]] * 3)),
    "pad_widths": lambda x: numpy.pad(x, [(1, 2)] * x.ndim, mode="symmetric") if x.size else x,
    "pad_wrap": lambda x: numpy.pad(x, 2, mode="wrap") if x.size else x,
    "pad_const": lambda x: numpy.pad(x, [(0, 1)] * x.ndim, constant_values=7),
    "pad_linear": lambda x: numpy.pad(x, 1, mode="linear_ramp", end_values=2),
    "pad_mean": lambda x: numpy.pad(x, (2, 1), mode="mean") if x.size else x,
    "hist_weights": lambda x: numpy.histogram(x.real, bins=4, weights=numpy.abs(x.real),
                                              density=True)[0] if x.dtype != bool else x,
    "hist_range": lambda x: numpy.histogram(x.real, bins=[-2, 0, 1, 5], range=(-1, 1))[0]
    if x.dtype != bool else x,
    "fft_n": lambda x: numpy.fft.fft(x, n=3, axis=0, norm="forward") if x.ndim else x,
    "rfftn_s": lambda x: numpy.fft.rfftn(x.real, s=(2, 3)[: min(x.ndim, 2)] or None)
    if x.ndim else x,
    "irfft2": lambda x: numpy.fft.irfft2(x) if x.ndim >= 2 and x.shape[-1] else x,
    "hfft": lambda x: numpy.fft.hfft(x, n=4) if x.ndim and x.shape[-1] else x,
    "fftfreq": lambda x: numpy.fft.fftfreq(x.size + 1, d=0.5),
    "ifftshift": lambda x: numpy.fft.ifftshift(x),
}


@HYP
@given(fn=st.sampled_from(sorted(MORE_FUNCS)), shape=shapes,
       dtype=st.sampled_from(["bool", "int8", "float32", "float64", "complex128"]),
       seed=st.integers(0, 99))
def test_einsum_pad_histogram_fft(machine, fn, shape, dtype, seed):
    _agree(MORE_FUNCS[fn], _data(shape, dtype, seed))


# the engine's own answers on 0-d and empty inputs: on one CPU device NumPy's function
# answers these itself, so the engine (what GPU shards run) is asked here directly
ENGINE_CASES = {
    "argmax_0d": (lambda x: numpy.argmax(x, axis=0), ()),
    "argmin_0d_keepdims": (lambda x: numpy.argmin(x, axis=-1, keepdims=True), ()),
    "argmax_0d_axis1": (lambda x: numpy.argmax(x, axis=1), ()),
    "cumsum_0d": (lambda x: numpy.cumsum(x, axis=0), ()),
    "cumprod_0d_axis1": (lambda x: numpy.cumprod(x, axis=1), ()),
    "fftshift_0d": (lambda x: numpy.fft.fftshift(x), ()),
    "ifftshift_0d_axes0": (lambda x: numpy.fft.ifftshift(x, axes=0), ()),
    "mean_where_0d": (lambda x: numpy.mean(x, where=x > 0), ()),
    "var_where_0d": (lambda x: numpy.var(x, where=x > 0), ()),
    "partition_empty": (lambda x: numpy.partition(x, 3), (0,)),
    "argpartition_empty_2d": (lambda x: numpy.argpartition(x, [0, 5], axis=0), (0, 2)),
}


@pytest.mark.parametrize("case", sorted(ENGINE_CASES))
def test_engine_edge_cases(machine, monkeypatch, case):
    import arrbackend.api.local as local
    monkeypatch.setattr(local, "try_local", lambda *a, **k: NotImplemented)
    fn, shape = ENGINE_CASES[case]
    _agree(fn, _data(shape, "float64", 3) + 1)
