"""NumPy functions that write into an argument, run through the fallback: the write lands
in the arrbackend array, as it lands in a NumPy array (or NumPy's error is raised).

The set comes from NumPy itself: every function of ``numpy``, ``numpy.linalg`` and
``numpy.fft`` whose signature has ``out``, every ufunc (``out=`` and ``ufunc.at``), and the
functions and methods NumPy documents as writing in place.  ``test_inventory`` fails when
NumPy grows a function of that kind that the table below does not exercise.  Each case runs
the same call on NumPy arrays and, through ``call_numpy`` (the fallback itself), on
arrbackend copies; then every argument and the result are compared."""
from __future__ import annotations

import inspect
import warnings

import numpy
import pytest

import arrbackend as ab
from arrbackend.api.fallback import call_numpy
from helpers import check, to_ours


@pytest.fixture(autouse=True)
def _silent_fallback():
    with ab.settings.override(fallback="silent"):
        yield


def _a():
    return numpy.arange(1.0, 13.0).reshape(3, 4)


def _o(shape, dtype=float):
    return numpy.full(shape, 7, dtype)


def _red(out_shape=(4,), dtype=float, data=_a, **kw):
    return lambda: ((data(),), dict(kw, axis=0, out=_o(out_shape, dtype)))


def _q(name):
    return lambda: ((_a(), 0.5), {"axis": 0, "out": _o((4,))})


# name -> () -> (args, kwargs) for NumPy; every array in them is compared after the call
OUT_CASES = {
    "all": _red(dtype=bool), "any": _red(dtype=bool), "amax": _red(), "amin": _red(),
    "max": _red(), "min": _red(), "mean": _red(), "median": _red(), "nanmax": _red(),
    "nanmean": _red(), "nanmedian": _red(), "nanmin": _red(), "nanprod": _red(),
    "nanstd": _red(), "nansum": _red(), "nanvar": _red(), "prod": _red(), "ptp": _red(),
    "std": _red(), "sum": _red(), "var": _red(), "argmax": _red(dtype=numpy.intp),
    "argmin": _red(dtype=numpy.intp), "nanargmax": _red(dtype=numpy.intp),
    "nanargmin": _red(dtype=numpy.intp), "percentile": _q("percentile"),
    "quantile": _q("quantile"), "nanpercentile": _q("nanpercentile"),
    "nanquantile": _q("nanquantile"),
    "cumsum": _red((3, 4)), "cumprod": _red((3, 4)), "nancumsum": _red((3, 4)),
    "nancumprod": _red((3, 4)), "cumulative_sum": _red((3, 4)),
    "cumulative_prod": _red((3, 4)),
    "around": lambda: ((_a() / 7, 2), {"out": _o((3, 4))}),
    "round": lambda: ((_a() / 7, 2), {"out": _o((3, 4))}),
    "fix": lambda: ((_a() / 7,), {"out": _o((3, 4))}),
    "isneginf": lambda: ((-_a(),), {"out": _o((3, 4), bool)}),
    "isposinf": lambda: ((_a(),), {"out": _o((3, 4), bool)}),
    "clip": lambda: ((_a(), 3, 8), {"out": _o((3, 4))}),
    "take": lambda: ((_a(), numpy.array([0, 2])), {"axis": 1, "out": _o((3, 2))}),
    "choose": lambda: ((numpy.array([0, 1, 0]), [_a()[0, :3], _a()[1, :3]]),
                       {"out": _o((3,))}),
    "compress": lambda: ((numpy.array([True, False, True]), _a()),
                         {"axis": 0, "out": _o((2, 4))}),
    "concatenate": lambda: (([_a(), _a()],), {"out": _o((6, 4))}),
    "concat": lambda: (([_a(), _a()],), {"out": _o((6, 4))}),
    "stack": lambda: (([_a(), _a()],), {"out": _o((2, 3, 4))}),
    "dot": lambda: ((_a(), _a().T), {"out": _o((3, 3))}),
    "einsum": lambda: (("ij,kj->ik", _a(), _a()), {"out": _o((3, 3))}),
    "outer": lambda: ((_a()[0], _a()[1]), {"out": _o((4, 4))}),
    "trace": lambda: ((_a(),), {"out": _o(())}),
    "linalg.multi_dot": lambda: (([_a(), _a().T, _a()],), {"out": _o((3, 4))}),
}
for _n, _shape, _dt in [("fft", (3, 4), complex), ("ifft", (3, 4), complex),
                        ("fft2", (3, 4), complex), ("ifft2", (3, 4), complex),
                        ("fftn", (3, 4), complex), ("ifftn", (3, 4), complex),
                        ("rfft", (3, 3), complex), ("rfft2", (3, 3), complex),
                        ("rfftn", (3, 3), complex), ("ihfft", (3, 3), complex),
                        ("irfft", (3, 6), float), ("irfft2", (3, 6), float),
                        ("irfftn", (3, 6), float), ("hfft", (3, 6), float)]:
    OUT_CASES[f"fft.{_n}"] = (lambda s, d: lambda: ((_a(),), {"out": _o(s, d)}))(_shape, _dt)

# out= of date functions: their arrays are datetimes or business-day calendars, which
# arrbackend keeps as NumPy arrays (no arrbackend array takes part in the call)
NOT_ARRAYS = {"busday_count", "busday_offset", "is_busday"}


def _rng():
    return numpy.random.default_rng(7)


# functions NumPy documents as writing into an argument (no out= parameter)
IN_PLACE_CASES = {
    "put": (numpy.put, lambda: ((_a(), [0, 5, 5], [-1.0, -2.0, -3.0]), {})),
    "place": (numpy.place, lambda: ((_a(), _a() > 6, [0.5, 1.5]), {})),
    "putmask": (numpy.putmask, lambda: ((_a(), _a() > 6, [0.5, 1.5]), {})),
    "copyto": (numpy.copyto, lambda: ((_a(), _a()[::-1]), {"where": _a() > 4})),
    "fill_diagonal": (numpy.fill_diagonal, lambda: ((_a(), 0.0), {"wrap": True})),
    "put_along_axis": (numpy.put_along_axis,
                       lambda: ((_a(), numpy.array([[0], [2], [1]]), -5.0, 1), {})),
    "nan_to_num": (numpy.nan_to_num,
                   lambda: ((numpy.array([1.0, numpy.nan, numpy.inf]),), {"copy": False})),
    "random.shuffle": (lambda x: _rng().shuffle(x), lambda: ((_a(),), {})),
    "random.Generator.shuffle": (lambda x: _rng().shuffle(x, axis=1),
                                 lambda: ((_a(),), {})),
    "random.Generator.permuted": (lambda x, out: _rng().permuted(x, axis=1, out=out),
                                  lambda: ((_a(), _o((3, 4))), {})),
    # NumPy's methods, called by a function on its argument
    "ndarray.sort": (lambda x: x.sort(axis=0), lambda: ((_a()[::-1].copy(),), {})),
    "ndarray.partition": (lambda x: x.partition(1), lambda: ((_a()[:, ::-1].copy(),), {})),
    "ndarray.fill": (lambda x: x.fill(3.5), lambda: ((_a(),), {})),
    "ndarray.put": (lambda x: x.put([1, 2], 9.0), lambda: ((_a(),), {})),
    "ndarray.byteswap": (lambda x: x.byteswap(inplace=True), lambda: ((_a(),), {})),
    "ndarray.__setitem__": (lambda x: x.__setitem__((1, slice(None)), 0),
                            lambda: ((_a(),), {})),
    "ndarray.__iadd__": (lambda x: x.__iadd__(1), lambda: ((_a(),), {})),
    "ndarray.setfield": (lambda x: x.setfield(2.5, numpy.float64), lambda: ((_a(),), {})),
}


def _ufunc_types(uf):
    """One loop of ``uf``: its input and output dtypes (float64 when it has one)."""
    for pref in ("d", "l", "?"):
        for t in uf.types:
            ins, outs = t.split("->")
            if ins == pref * uf.nin and "O" not in outs:
                return [numpy.dtype(c) for c in ins], [numpy.dtype(c) for c in outs]
    return None


UFUNCS = sorted({getattr(numpy, n).__name__ for n in dir(numpy)   # (aliases once)
                 if isinstance(getattr(numpy, n), numpy.ufunc)
                 and getattr(numpy, n).signature is None and _ufunc_types(getattr(numpy, n))})


def _ufunc_inputs(uf):
    ins, outs = _ufunc_types(uf)
    data = []
    for i, dt in enumerate(ins):
        v = numpy.arange(1, 13).reshape(3, 4) % (5 + i) + 1
        data.append((v > 2) if dt.kind == "b" else (v / 8 if dt.kind == "f" else v).astype(dt))
    return data, outs


def test_inventory():
    """Every NumPy function with an ``out`` parameter has a case (or a stated reason)."""
    missing = []
    for prefix, mod in (("", numpy), ("linalg.", numpy.linalg), ("fft.", numpy.fft)):
        for name in dir(mod):
            f = getattr(mod, name)
            if name.startswith("_") or isinstance(f, (type, numpy.ufunc)) or not callable(f):
                continue
            try:
                params = inspect.signature(f).parameters
            except (TypeError, ValueError):
                params = {}
            doc_sig = (f.__doc__ or "").lstrip().split("\n", 1)[0]
            if ("out" in params or "out=" in doc_sig) and prefix + name not in OUT_CASES \
                    and name not in NOT_ARRAYS:
                missing.append(prefix + name)
    assert not missing, f"NumPy functions with out= that the table leaves out: {missing}"
    assert UFUNCS and len(UFUNCS) > 70


def _host(v):
    return ab.asnumpy(v) if isinstance(v, ab.ndarray) else v


def _compare(ours, theirs):
    """Every array among ``ours`` (arrbackend) equals the NumPy one at the same place."""
    if isinstance(theirs, numpy.ndarray):
        assert isinstance(ours, ab.ndarray), f"expected an arrbackend array, got {ours!r}"
        check(ours, theirs)
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _compare(o, t)
    elif isinstance(theirs, dict):
        for k in theirs:
            _compare(ours[k], theirs[k])
    elif isinstance(theirs, (float, complex, numpy.generic)) and not isinstance(theirs, str):
        numpy.testing.assert_allclose(_host(ours), theirs, rtol=1e-12)


def _ours(obj):
    if isinstance(obj, numpy.ndarray):
        return to_ours(obj)
    if isinstance(obj, list):
        return [_ours(o) for o in obj]
    if isinstance(obj, tuple):
        return tuple(_ours(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _ours(v) for k, v in obj.items()}
    return obj


def _run_both(func, make):
    args, kwargs = make()
    mine_args, mine_kwargs = _ours(args), _ours(kwargs)
    with warnings.catch_warnings(), numpy.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            expected = func(*args, **kwargs)
        except Exception as exc:
            with pytest.raises(type(exc)):
                call_numpy(func, mine_args, mine_kwargs)
            return
        got = call_numpy(func, mine_args, mine_kwargs)
    _compare(got, expected)
    _compare(mine_args, args)            # what NumPy wrote into the arguments
    _compare(mine_kwargs, kwargs)


def _resolve(name):
    obj = numpy
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("name", sorted(OUT_CASES))
def test_out_functions(machine, name):
    _run_both(_resolve(name), OUT_CASES[name])


@pytest.mark.parametrize("name", sorted(IN_PLACE_CASES))
def test_in_place_functions(machine, name):
    func, make = IN_PLACE_CASES[name]
    _run_both(func, make)


@pytest.mark.parametrize("name", UFUNCS)
def test_ufunc_out_and_at(machine, name):
    uf = getattr(numpy, name)
    ins, outs = _ufunc_inputs(uf)
    out = tuple(_o((3, 4), dt) for dt in outs)
    _run_both(uf, lambda: (tuple(i.copy() for i in ins), {"out": out}))
    if uf.nout == 1:
        idx = numpy.array([0, 2, 0, 0])             # repeated indices accumulate
        rest = (ins[1][0],) if uf.nin == 2 else ()
        _run_both(uf.at, lambda: ((ins[0].copy(), idx) + rest, {}))
        scalar = (ins[1].flat[3].item(),) if uf.nin == 2 else ()
        _run_both(uf.at, lambda: ((ins[0].copy(), [0, 2, 0]) + scalar, {}))
        _run_both(uf.at, lambda: ((ins[0][0].copy(), [0, 2, 0]) + scalar, {}))   # 1-D


def test_read_only_arguments_raise_numpy_error(machine):
    x = to_ours(_a())
    x.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        call_numpy(numpy.put, (x, [0], [1.0]), {})
    b = ab.broadcast_to(to_ours(numpy.arange(4.0)), (3, 4))
    with pytest.raises(ValueError, match="read-only"):
        call_numpy(numpy.copyto, (b, 1.0), {})
    check(x, _a())


def test_results_that_view_an_argument_are_read_only(machine):
    x = to_ours(_a())
    v = call_numpy(lambda a: a[1:], (x,), {})
    check(v, _a()[1:])
    with pytest.raises(ValueError, match="read-only"):
        v[0, 0] = 5.0                      # the write could not reach x: NumPy's error
    check(x, _a())


def test_shape_changed_in_place_raises(machine):
    x = to_ours(_a())
    with pytest.raises(NotImplementedError, match="changed the shape"):
        call_numpy(lambda a: a.resize((2, 2), refcheck=False), (x,), {}, name="resizer")


# NumPy's in-place methods called on arrbackend arrays themselves (native, no fallback)
METHODS = {
    "sort": lambda x: x.sort(axis=0),
    "sort_last": lambda x: x.sort(),
    "partition": lambda x: x.partition(1, axis=1),
    "fill": lambda x: x.fill(2.5),
    "put": lambda x: x.put([0, 5, 5], [-1.0, -2.0, -3.0]),
    "resize": lambda x: x.resize((2, 3), refcheck=False),
    "byteswap": lambda x: x.byteswap(inplace=True),
    "setfield": lambda x: x.setfield(4.0, numpy.float64),
    "setitem": lambda x: x.__setitem__((slice(1, None), 2), 9.0),
    "iadd": lambda x: x.__iadd__(x[::-1].copy()),
    "itruediv": lambda x: x.__itruediv__(3.0),
}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_in_place_methods(machine, name):
    h = _a()[::-1].copy()
    x = to_ours(h)
    with ab.settings.override(fallback="error"):
        METHODS[name](x)
    METHODS[name](h)
    if name == "partition":              # (a valid partition, not NumPy's order)
        assert numpy.all(ab.asnumpy(x)[:, :1] <= ab.asnumpy(x)[:, 1:2])
        check(ab.sort(x, axis=1), numpy.sort(h, axis=1))
        return
    check(x, h)


def test_a_view_with_a_new_axis_is_written_back(machine):
    """A new axis (``w[:, None]``) repeats nothing: NumPy writes through such a view, and
    so does NumPy's answer for an operand of object data (the fallback's host copy)."""
    import warnings
    want = numpy.zeros((2, 3))
    numpy.add(want[:, None], numpy.full((2, 1, 3), 1, dtype=object), out=want[:, None],
              casting="unsafe")
    w = ab.zeros((2, 3))
    v = w[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        numpy.add(v, numpy.full((2, 1, 3), 1, dtype=object), out=v, casting="unsafe")
    numpy.testing.assert_array_equal(ab.asnumpy(w), want)
