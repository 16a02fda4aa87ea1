"""Generate ``docs/coverage.md``: which of NumPy's public callables arrbackend implements
natively, read from the registry (never from prose).

    python tools/coverage.py            # rewrite docs/coverage.md
    python tools/coverage.py --check    # exit 1 if docs/coverage.md is out of date

The callables counted are NumPy's public top-level functions and ufuncs, the functions of
``numpy.linalg``, ``numpy.fft`` and ``numpy.random`` (the legacy module functions), the
methods of ``numpy.random.Generator`` and of ``numpy.ndarray``.  Each is

* **native** when arrbackend has its own implementation: a registered function
  (``@implements``), a ufunc (the elementwise engine), a method of ``arrbackend.ndarray``
  or of arrbackend's ``Generator`` that calls registered implementations;
* **utility** when it takes no array data (dtype tools, error and print settings,
  configuration, datetime routines for dtypes arrbackend arrays never hold): NumPy's own
  object serves it, and it is left out of the headline's denominator;
* **fallback** otherwise: it still works, through NumPy on the host (a FallbackWarning).

Per native name the table says where it runs natively: on CPU devices, on one GPU, and
across several devices (``gathers`` where the operands are gathered to one device first,
as the registration's ``devices="single"`` declares).
"""
from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy  # noqa: E402

import arrbackend  # noqa: E402
from arrbackend.dispatch.namespace import NUMPY_PASSTHROUGH  # noqa: E402
from arrbackend.api.registry import lookup  # noqa: E402

OUTPUT = ROOT / "docs" / "coverage.md"

# Callables that take no array data: NumPy's own object is the right answer.
UTILITIES = {
    "numpy": {
        "show_config", "show_runtime", "test", "info", "get_include", "getbufsize",
        "setbufsize", "geterrcall", "seterrcall", "base_repr", "binary_repr", "frompyfunc",
        "busday_count", "busday_offset", "is_busday", "datetime_as_string", "datetime_data",
        "isnat",
    } | set(NUMPY_PASSTHROUGH),
    "numpy.linalg": {"test"},
    "numpy.fft": {"test"},
    "numpy.random": {"test"},
}
UTILITY_WHY = ("dtype tools, error and print settings, configuration and the datetime "
               "routines (arrbackend arrays never hold datetimes) take no array data")

# Observed on the GPU machine (CuPy 14.2.0, NumPy 2.5.2): ufuncs CuPy lacks.  ``spacing``
# is composed from others by the elementwise engine; these run through the fallback on a GPU.
CUPY_MISSING_UFUNCS = {"isnat"}


def _callables(mod) -> list:
    """The module's public callables (an alias another package adds, as numexpr adds
    ``numpy.expm1x``, is not NumPy's: neither listed in ``__all__`` nor named so)."""
    out = []
    public = set(getattr(mod, "__all__", ()))
    for name in dir(mod):
        if name.startswith("_"):
            continue
        obj = getattr(mod, name)
        if name not in public and getattr(obj, "__name__", name) != name:
            continue
        if isinstance(obj, (type, types.ModuleType)) or not callable(obj):
            continue
        out.append(name)
    return sorted(out)


def _methods(cls) -> list:
    return sorted(n for n in dir(cls) if not n.startswith("_")
                  and callable(getattr(cls, n, None)))


def _impl_row(impl):
    dev = impl.devices
    cpu = "native"
    gpu = "fallback" if dev == "cpu" else "native"
    multi = {"multi": "native", "single": "gathers", "cpu": "native (CPU)"}.get(dev, dev)
    return cpu, gpu, multi, impl.note


def classify(module: str, name: str, obj):
    """(status, cpu, gpu, several, note) for one public callable."""
    if name in UTILITIES.get(module, ()):
        return ("utility", "", "", "", "NumPy's own (no array data)")
    if isinstance(obj, numpy.ufunc) and obj.signature is None:
        gpu = "fallback" if name in CUPY_MISSING_UFUNCS else "native"
        return ("native", "native", gpu, "native", "ufunc: the elementwise engine")
    impl = lookup(obj)
    if impl is not None:
        return ("native",) + _impl_row(impl)
    return ("fallback", "fallback", "fallback", "fallback", "")


def _forwarded(method):
    """The NumPy function an ``arrbackend.ndarray`` method forwards to, if it does."""
    for cell in (getattr(method, "__closure__", None) or ()):
        v = cell.cell_contents
        if callable(v) and getattr(v, "__module__", "").startswith("numpy"):
            return v
    return None


def classify_method(cls_name: str, name: str):
    if cls_name == "ndarray":
        m = getattr(arrbackend.ndarray, name, None)
        if m is None:
            from arrbackend._ndarray_methods import NdarrayMethods
            if hasattr(NdarrayMethods, name):
                return ("fallback", "", "", "",
                        "written (arrbackend/_ndarray_methods.py), not yet a base of ndarray")
            return ("fallback", "", "", "", "missing")
        npf = _forwarded(m)
        if isinstance(npf, numpy.ufunc):
            return ("native", "native", "native", "native", "ufunc: the elementwise engine")
        if npf is not None:
            impl = lookup(npf)
            if impl is None:
                return ("fallback", "fallback", "fallback", "fallback",
                        f"forwards to numpy.{npf.__name__}")
            return ("native",) + _impl_row(impl)[:3] + (f"numpy.{npf.__name__}",)
        return ("native", "native", "native", "native", "")
    ours = getattr(arrbackend.random.Generator, name, None)
    if ours is None:
        return ("fallback", "", "", "", "missing")
    from arrbackend.api.registry import by_name
    impl = by_name().get(f"numpy.random:Generator.{name}")
    if impl is not None:
        return ("native",) + _impl_row(impl)
    return ("native", "native", "native", "native", "")


def inventory() -> dict:
    """{section: [(name, status, cpu, gpu, several, note)]}"""
    sections = {}
    for module in ("numpy", "numpy.linalg", "numpy.fft", "numpy.random"):
        mod = __import__(module, fromlist=["_"])
        rows = []
        for name in _callables(mod):
            rows.append((name,) + classify(module, name, getattr(mod, name)))
        sections[module] = rows
    for label, cls in (("numpy.random.Generator", numpy.random.Generator),
                       ("numpy.ndarray", numpy.ndarray)):
        short = label.rsplit(".", 1)[1]
        sections[label] = [(n,) + classify_method(short, n) for n in _methods(cls)]
    return sections


def _counts(rows):
    native = sum(1 for r in rows if r[1] == "native")
    util = sum(1 for r in rows if r[1] == "utility")
    return native, util, len(rows)


def render() -> str:
    sections = inventory()
    total_native = total_util = total = 0
    for rows in sections.values():
        n, u, t = _counts(rows)
        total_native, total_util, total = total_native + n, total_util + u, total + t
    array_total = total - total_util
    pct = 100.0 * total_native / array_total
    raw = 100.0 * total_native / total
    lines = [
        "# NumPy coverage",
        "",
        "Generated from the registry by `python tools/coverage.py` (do not edit by hand; "
        "`tests/test_registry.py` checks that it is current).",
        "",
        f"NumPy {numpy.__version__}.  **{total_native} of {array_total} array callables "
        f"are native ({pct:.1f}%)**; counting also the {total_util} utilities that take no "
        f"array data, {total_native} of {total} ({raw:.1f}%).",
        "",
        f"*Utilities*: {UTILITY_WHY}; NumPy's own objects serve them.",
        "*Fallback*: runs through NumPy on the host (operands gathered, result scattered "
        "back) with a `FallbackWarning`.",
        "*gathers*: native, but a spread operand is first gathered to one device "
        "(`counters['gathers']`).",
        "",
        "| namespace | callables | native | fallback | utilities | native share |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, rows in sections.items():
        n, u, t = _counts(rows)
        share = 100.0 * n / (t - u) if t - u else 100.0
        lines.append(f"| `{label}` | {t} | {n} | {t - n - u} | {u} | {share:.1f}% |")
    lines.append("")
    for label, rows in sections.items():
        lines += [f"## `{label}`", "",
                  "| name | status | CPU | one GPU | several devices | notes |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for name, status, cpu, gpu, multi, note in rows:
            note = " ".join(str(note).split())
            if len(note) > 90:
                note = note[:87] + "..."
            lines.append(f"| `{name}` | {status} | {cpu} | {gpu} | {multi} | {note} |")
        lines.append("")
    return "\n".join(lines)


def headline() -> float:
    sections = inventory()
    n = u = t = 0
    for rows in sections.values():
        a, b, c = _counts(rows)
        n, u, t = n + a, u + b, t + c
    return 100.0 * n / (t - u)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="only check docs/coverage.md")
    args = p.parse_args(argv)
    text = render() + "\n"
    if args.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python tools/coverage.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT}: {headline():.1f}% of NumPy's array callables native")
    return 0


if __name__ == "__main__":
    sys.exit(main())
