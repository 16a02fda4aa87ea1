"""The packages form layers (docs/design.md): a lower layer never imports a higher one.
The contract is in pyproject.toml; ``lint-imports`` checks it here as in CI."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_layers_contract_is_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is in the test extra: pip install '.[test]'")
    r = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": str(Path(exe).parent)})
    assert r.returncode == 0 and "broken" in r.stdout and "0 broken" in r.stdout, \
        r.stdout[-3000:] + r.stderr[-2000:]


def test_api_modules_say_their_family():
    """Each module of ``arrbackend.api`` is named for its family of NumPy functions (no
    catch-all modules of leftovers)."""
    names = sorted(p.stem for p in (ROOT / "arrbackend" / "api").glob("*.py"))
    assert "indexing" in names and "random_functions" in names
    vague = [n for n in names if n.endswith(("more", "_misc", "_other", "_extra"))]
    assert not vague, vague
