"""``python -m arrbackend``: ``info`` on a machine without CuPy, scripts run unmodified with
their own argv and exit code, the options, ``-m``, ``demo``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import arrbackend
from arrbackend import cli

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=None, env=None, path=(), timeout=120):
    """``python -m arrbackend *args`` in a fresh interpreter (``path``: folders put first
    on its ``sys.path``)."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([*map(str, path), str(ROOT)] +
                                      [p for p in [e.get("PYTHONPATH")] if p])
    for k in list(e):
        if k.startswith("ARRBACKEND_"):
            del e[k]
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "arrbackend", *map(str, args)], cwd=cwd,
                          env=e, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def script(tmp_path):
    def make(body: str, name: str = "prog.py") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(body))
        return path
    return make


# ---------------------------------------------------------------------------------------
# info

def test_info():
    r = run("info")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for word in ("arrbackend", "NumPy", "CuPy", "CUDA runtime", "NCCL", "mpi4py", "CPU",
                 "default", "verdict: GPU runs:", "multi-GPU runs:", "multi-process runs:"):
        assert word in out, word
    assert f"arrbackend    {arrbackend.__version__}" in out
    for s in arrbackend.settings.definitions():
        assert s.name in out and s.env in out
    assert out.rstrip().splitlines()[-1].startswith("verdict:")


def test_info_json():
    r = run("info", "--json", env={"ARRBACKEND_SPLIT_BYTES": "2M"})
    assert r.returncode == 0, r.stderr
    env = json.loads(r.stdout)
    assert set(env) == {"versions", "cpu", "gpus", "gpu_error", "default_devices",
                        "settings", "processes", "verdict"}
    assert env["versions"]["arrbackend"] == arrbackend.__version__
    rows = {s["name"]: s for s in env["settings"]}
    assert rows["split_bytes"]["value"] == 2 << 20
    assert rows["split_bytes"]["source"] == "environment"
    assert rows["fusion"]["source"] == "default"
    assert set(env["verdict"]) == {"cpu", "gpu", "multi_gpu", "multi_process"}


def test_info_survives_a_bad_setting_and_a_broken_cupy(tmp_path):
    fake = tmp_path / "cupy"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise RuntimeError('CUDA driver not found')\n")
    r = run("info", env={"ARRBACKEND_FALLBACK": "bogus"}, path=[tmp_path])
    assert r.returncode == 0, r.stderr
    assert "installed but unusable (RuntimeError: CUDA driver not found)" in r.stdout
    assert "fallback" in r.stdout and "invalid" in r.stdout
    assert "verdict: GPU runs: no" in r.stdout


def test_environment_without_cupy_in_process():
    env = cli.environment()
    if env["versions"]["CuPy"] == "not installed":
        assert env["gpus"] == [] and env["verdict"]["gpu"].startswith("no")
        assert env["versions"]["CUDA runtime"].startswith("not installed")
    text = cli.format_environment(env)
    assert text.splitlines()[0] == "versions"


# ---------------------------------------------------------------------------------------
# scripts

PROG = """
    import sys
    import numpy as np
    import arrbackend
    x = np.arange(10.0)
    print("argv", sys.argv[1:])
    print("name", __name__)
    print("type", type(x).__module__.split(".")[0])
    print("machine", arrbackend.current_machine().spec)
    print("fallback", arrbackend.settings.fallback)
    print("sum", float(np.sum(x)))
    sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


def _fields(stdout: str) -> dict:
    return dict(line.split(" ", 1) for line in stdout.splitlines() if " " in line)


def test_script_argv_and_exit_code(script):
    path = script(PROG)
    r = run("--devices", "cpu:2", "--fallback", "silent", path, "3", "--devices", "x", "-v")
    assert r.returncode == 3, r.stderr
    f = _fields(r.stdout)
    assert f["argv"] == "['3', '--devices', 'x', '-v']"
    assert f["name"] == "__main__"
    assert f["type"] == "arrbackend"          # unmodified NumPy code got arrbackend arrays
    assert f["machine"] == "cpu:2"
    assert f["fallback"] == "silent"
    assert f["sum"] == "45.0"


def test_script_defaults(script):
    r = run(script(PROG))
    assert r.returncode == 0, r.stderr
    f = _fields(r.stdout)
    assert f["argv"] == "[]" and f["type"] == "arrbackend" and f["fallback"] == "warn"


def test_script_sees_its_own_directory(script, tmp_path):
    (tmp_path / "helper_mod.py").write_text("VALUE = 41\n")
    path = script("import helper_mod, sys\nsys.exit(helper_mod.VALUE + 1)\n")
    assert run(path, cwd="/").returncode == 42


def test_script_exception_and_exit_message(script):
    r = run(script("x = 1\nraise ValueError('boom')\n"))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "prog.py" in lines[1] and "line 2" in lines[1]     # starts at the script
    assert lines[-1] == "ValueError: boom"
    r = run(script("import sys\nsys.exit('bye')\n", name="bye.py"))
    assert r.returncode == 1 and r.stderr.strip() == "bye"


def test_missing_script():
    r = run("no_such_script.py")
    assert r.returncode == 2 and "can't open file" in r.stderr


def test_module(tmp_path):
    (tmp_path / "progmod.py").write_text(textwrap.dedent(PROG))
    r = run("--devices", "cpu:3", "-m", "progmod", "7", cwd=tmp_path)
    assert r.returncode == 7, r.stderr
    f = _fields(r.stdout)
    assert f["argv"] == "['7']" and f["machine"] == "cpu:3" and f["type"] == "arrbackend"


def test_profile_and_trace(script, tmp_path):
    path = script("""
        import numpy as np
        x = np.arange(100.0)
        y = np.sqrt(x) * 2
        print(float(y.sum()))
    """)
    trace = tmp_path / "trace.json"
    r = run("--devices", "cpu:2", "--profile", "--trace", trace, path)
    assert r.returncode == 0, r.stderr
    assert "arrbackend profile:" in r.stderr and "numpy.sqrt" in r.stderr
    names = {e["name"] for e in json.loads(trace.read_text())["traceEvents"]
             if e["ph"] == "X"}
    assert {"numpy.sqrt", "numpy.multiply", "numpy.sum"} <= names


def test_check_points_at_the_script_line(script):
    path = script("""
        import numpy as np
        x = np.arange(10.0)
        t = 0.0
        for i in range(10):
            t += float(x[i])
    """)
    r = run("--check", path)
    assert r.returncode == 0, r.stderr
    assert f"{path}:6: PerformanceWarning" in r.stderr


FALLBACK_SCRIPT = """\
import numpy as np
from numpy._core.overrides import array_function_dispatch
doubled = array_function_dispatch(lambda x: (x,), module="fallback_example")(
    lambda x: np.asarray(x) * 2)
doubled.__name__ = doubled.__qualname__ = "doubled"
x = np.arange(3.0)
y = doubled(x)
"""


def test_fallback_option(script):
    name = "fallback_example"
    path = script(FALLBACK_SCRIPT)
    r = run("--fallback", "error", path)
    assert r.returncode == 1
    assert "NotImplementedError" in r.stderr and name in r.stderr
    r = run("--profile", path)                 # the profiler keeps it pointing at the line
    assert r.returncode == 0
    assert f"{path}:7: FallbackWarning" in r.stderr and name in r.stderr
    r = run("--fallback", "silent", "--profile", path)
    assert r.returncode == 0 and "FallbackWarning" not in r.stderr
    assert name in r.stderr                                      # its row in the profile


def test_log_option(script):
    r = run("--log", "info", "--devices", "cpu:2", script("pass\n"))
    assert r.returncode == 0
    assert "arrbackend INFO: running script" in r.stderr and "cpu:2" in r.stderr


def test_help():
    r = run()
    assert r.returncode == 0 and "usage: python -m arrbackend" in r.stdout
    r = run("--devices")
    assert r.returncode == 2


def test_split_options_from_the_script():
    assert cli._split(["--devices", "cpu:2", "--profile", "s.py", "--profile"]) == \
        (["--devices", "cpu:2", "--profile"], ["s.py", "--profile"])
    assert cli._split(["-m", "mod", "-x"]) == (["-m", "mod"], ["-x"])
    assert cli._split(["--", "-weird.py", "1"]) == ([], ["-weird.py", "1"])
    assert cli._split(["--fallback=silent", "s.py"]) == (["--fallback=silent"], ["s.py"])


def test_run_script_in_process(script, capsys):
    path = script(PROG)
    saved = sys.argv[:]
    assert cli.run_script(str(path), ["5"], devices="cpu:2") == 5
    assert sys.argv == saved
    assert _fields(capsys.readouterr().out)["argv"] == "['5']"
    assert not arrbackend.is_enabled()


def test_demo():
    r = run("--devices", "cpu:2", "demo", "--quick", timeout=600)
    assert r.returncode == 0, r.stderr
    assert "agrees" in r.stdout and " NO " not in r.stdout


def test_every_package_is_installed():
    # pyproject lists the packages by hand (examples/ installs as arrbackend.examples)
    import re
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(re.findall(r'"([\w.]+)"', re.search(r"\npackages = \[(.*?)\]", text,
                                                      re.S).group(1)))
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "arrbackend").rglob("__init__.py")}
    assert listed == found | {"arrbackend.examples"}
