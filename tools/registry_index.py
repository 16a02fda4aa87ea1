"""Generate ``arrbackend/api/index.py``: which module of ``arrbackend.api`` implements
each NumPy name, read from the registry (so ``import arrbackend`` imports only the
families every program uses, and the others when first called).

    python tools/registry_index.py            # rewrite arrbackend/api/index.py
    python tools/registry_index.py --check    # exit 1 if it is out of date
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUTPUT = ROOT / "arrbackend" / "api" / "index.py"

HEADER = '''"""Which module of ``arrbackend.api`` implements each NumPy name: generated from the
registry by ``python tools/registry_index.py`` (do not edit by hand;
``tests/test_registry.py`` checks that it is current).

Keys are the registered ``module:name`` and, for each NumPy callable, its own
``module:__name__`` (how ``lookup`` finds a family from the callable alone)."""

FAMILIES = {
'''


def render() -> str:
    import arrbackend  # noqa: F401
    from arrbackend.api import registry
    import arrbackend.api as api
    for info in pkgutil.iter_modules(api.__path__):
        importlib.import_module(f"arrbackend.api.{info.name}")
    registry.load_all()
    families: dict = {}
    for key, impl in registry._BY_NAME.items():
        fam = _family(impl)
        if fam is None:
            continue
        keys = families.setdefault(fam, set())
        keys.add(key)
        nf = impl.numpy_func
        if nf is not None and getattr(nf, "__name__", None):
            keys.add(f"{registry._module_of(nf)}:{nf.__name__}")
    lines = [HEADER]
    for fam in sorted(families):
        keys = sorted(families[fam])
        lines.append(f"    {fam!r}: (\n")
        for k in keys:
            lines.append(f"        {k!r},\n")
        lines.append("    ),\n")
    lines.append("}\n")
    return "".join(lines)


def _family(impl):
    func = getattr(impl.func, "_arrbackend_gated", impl.func)
    func = getattr(func, "_arrbackend_engine", func)
    mod = getattr(func, "__module__", None)
    while mod and not mod.startswith("arrbackend.api.") and hasattr(func, "__wrapped__"):
        func = func.__wrapped__
        mod = getattr(func, "__module__", None)
    return mod if mod and mod.startswith("arrbackend.api.") else None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true")
    a = p.parse_args(argv)
    text = render()
    if a.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            print("arrbackend/api/index.py is out of date: run python tools/registry_index.py")
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
