"""The command line, ``python -m arrbackend``.

::

    python -m arrbackend [options] script.py [args ...]   run a NumPy script on arrbackend
    python -m arrbackend [options] -m module [args ...]   the same, for a module
    python -m arrbackend info [--json]                    versions, devices, settings, verdict
    python -m arrbackend [options] demo [args ...]        the tour of the examples

A script runs unmodified under ``arrbackend.enabled(devices=...)``, as ``python script.py``
would run it: with its own ``sys.argv``, ``sys.path[0]`` and exit code.  The options come
before the script's name; everything after it belongs to the script.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.metadata
import json
import logging
import os
import platform
import runpy
import sys
import traceback
from pathlib import Path

__all__ = ["main", "run_script", "environment", "format_environment"]

logger = logging.getLogger("arrbackend")

_COMMANDS = ("info", "demo")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m arrbackend",
        usage="python -m arrbackend [options] (script.py | -m module | info | demo) [args ...]",
        description="Run an unmodified NumPy script on arrbackend (options come before the "
                    "script's name; what follows it is the script's own sys.argv), or: "
                    "'info' (versions, devices, settings and what this machine can run), "
                    "'demo' (the tour of the examples).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--devices", metavar="SPEC",
                   help="devices the script's arrays are spread over: auto, cpu, cpu:N, gpu, "
                        "gpu:N, gpu:0,2 (default: ARRBACKEND_DEVICES, else auto)")
    p.add_argument("--fallback", choices=("warn", "error", "silent"),
                   help="what a NumPy function arrbackend does not implement does "
                        "(default: ARRBACKEND_FALLBACK, else warn)")
    p.add_argument("--profile", action="store_true",
                   help="print a profile of the script's NumPy calls when it ends (stderr)")
    p.add_argument("--check", action="store_true",
                   help="warn at the lines of slow patterns (fallbacks or conversions in "
                        "loops, Python's sum over arrays); implies profiling")
    p.add_argument("--trace", metavar="FILE",
                   help="write the profile as a Chrome trace (JSON) to FILE; implies "
                        "profiling")
    p.add_argument("--log", metavar="LEVEL", type=str.upper,
                   choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                   help="show the 'arrbackend' logger's messages from LEVEL up (stderr)")
    p.add_argument("-m", dest="module", metavar="MODULE",
                   help="run a module as 'python -m MODULE' does")
    return p


_WITH_VALUE = {"--devices", "--fallback", "--trace", "--log"}


def _split(argv: list[str]) -> tuple[list[str], list[str]]:
    """(the options, the target and its arguments): the options end at the first word
    that is neither an option nor an option's value, or after ``-m MODULE`` / ``--``."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv[:i], argv[i + 1:]
        if a == "-m":
            return argv[:i + 2], argv[i + 2:]
        if not a.startswith("-") or a == "-":
            break
        i += 2 if (a in _WITH_VALUE) else 1
    return argv[:i], argv[i:]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    opts_argv, rest = _split(argv)
    opts = parser.parse_args(opts_argv)
    if opts.log:
        _log_to_stderr(opts.log)
    if opts.module is not None:
        return run_script(opts.module, rest, module=True, devices=opts.devices,
                          fallback=opts.fallback, profile=opts.profile, check=opts.check,
                          trace=opts.trace)
    if not rest:
        parser.print_help()
        return 0
    target, args = rest[0], rest[1:]
    if target == "info":
        return _info_command(args)
    if target == "demo":
        return _demo_command(args, opts)
    return run_script(target, args, devices=opts.devices, fallback=opts.fallback,
                      profile=opts.profile, check=opts.check, trace=opts.trace)


def _log_to_stderr(level: str) -> None:
    log = logging.getLogger("arrbackend")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("arrbackend %(levelname)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False


# ---------------------------------------------------------------------------------------
# Running a script

def run_script(target: str, args: list[str], module: bool = False,
               devices: str | None = None, fallback: str | None = None,
               profile: bool = False, check: bool = False, trace: str | None = None,
               enable: bool = True) -> int:
    """Run ``target`` (a script's path, or a module's name with ``module=True``) with
    ``sys.argv = [target, *args]`` under ``arrbackend.enabled(devices=devices)``.

    Returns the script's exit code (0 when it ends normally, the ``SystemExit`` code,
    1 after an exception, whose traceback is printed from the script's frames on).  With
    ``profile``, ``check`` or ``trace`` the NumPy calls are profiled and the profile is
    printed to stderr at the end (written to ``trace`` as a Chrome trace)."""
    import arrbackend
    if not module and not os.path.exists(target):
        print(f"python -m arrbackend: can't open file {target!r}: no such file",
              file=sys.stderr)
        return 2
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [target] + list(args)
    sys.path.insert(0, os.getcwd() if module else os.path.dirname(os.path.abspath(target)))
    prof = None
    code = 0
    try:
        with contextlib.ExitStack() as stack:
            if fallback is not None:
                stack.enter_context(arrbackend.settings.override(fallback=fallback))
            if enable:
                stack.enter_context(arrbackend.enabled(devices=devices))
                logger.info("running %s %s on %s", "module" if module else "script", target,
                            arrbackend.current_machine().spec)
            if profile or check or trace:
                prof = stack.enter_context(arrbackend.profile(check=check))
            try:
                if module:
                    runpy.run_module(target, run_name="__main__", alter_sys=True)
                else:
                    runpy.run_path(target, run_name="__main__")
            except SystemExit as exc:
                code = _exit_code(exc)
            except Exception as exc:  # noqa: BLE001  (reported as Python would)
                _print_user_traceback(exc)
                code = 1
                _abort_other_processes(exc)
    finally:
        sys.argv[:] = saved_argv
        sys.path[:] = saved_path
        if prof is not None:
            if profile or check:
                print(prof.table(), file=sys.stderr)
            if trace:
                prof.chrome_trace(trace)
                print(f"arrbackend: trace written to {trace}", file=sys.stderr)
    return code


def _abort_other_processes(exc: BaseException) -> None:
    """In a run of several processes, an error in one ends the job (as ``python -m
    mpi4py`` does) instead of leaving the others waiting in a collective."""
    from .distributed.failures import abort_run
    abort_run(type(exc).__name__)


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def _print_user_traceback(exc: BaseException) -> None:
    """The traceback from the first frame outside this module and runpy (as Python shows
    a script's)."""
    skip = {os.path.abspath(__file__), os.path.abspath(runpy.__file__)}

    def ours(filename: str) -> bool:
        return filename == "<frozen runpy>" or os.path.abspath(filename) in skip

    tb = exc.__traceback__
    while tb is not None and ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb if tb is not None else exc.__traceback__)


def _demo_command(args: list[str], opts) -> int:
    here = Path(__file__).resolve().parent
    # installed: arrbackend/examples (pyproject maps examples/ there); a checkout: examples/
    tour = next((p for p in (here / "examples" / "tour.py",
                             here.parent / "examples" / "tour.py") if p.is_file()), None)
    if tour is None:
        print("python -m arrbackend demo: examples/tour.py is missing from this "
              "installation", file=sys.stderr)
        return 2
    if opts.devices:
        args = list(args) + ["--devices", opts.devices]
    return run_script(str(tour), args, fallback=opts.fallback, profile=opts.profile,
                      check=opts.check, trace=opts.trace, enable=False)


# ---------------------------------------------------------------------------------------
# info

def _info_command(args: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m arrbackend info",
                                description="Versions, devices, settings, and whether GPU, "
                                            "multi-GPU and multi-process runs are possible.")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    a = p.parse_args(args)
    env = environment()
    print(json.dumps(env, indent=1) if a.json else format_environment(env))
    return 0


def _distribution_version(*names: str) -> str | None:
    for n in names:
        try:
            return importlib.metadata.version(n)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _cuda_version(v: int) -> str:
    return f"{v // 1000}.{(v % 1000) // 10}"


def _nccl_version(v: int) -> str:
    if v >= 20900:
        return f"{v // 10000}.{(v % 10000) // 100}.{v % 100}"
    return f"{v // 1000}.{(v % 1000) // 100}.{v % 100}"


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")


def _versions() -> tuple[dict, object]:
    import numpy

    import arrbackend
    v = {"arrbackend": arrbackend.__version__, "Python": platform.python_version(),
         "NumPy": numpy.__version__}
    cupy = None
    try:
        cupy = importlib.import_module("cupy")
        v["CuPy"] = cupy.__version__
    except ImportError:
        v["CuPy"] = "not installed"
    except Exception as exc:  # noqa: BLE001  (a broken install is reported, not raised)
        v["CuPy"] = f"installed but unusable ({_error(exc)})"
    if cupy is None:
        v["CUDA runtime"] = v["CUDA driver"] = "not installed (comes with CuPy)"
    else:
        for key, fn in (("CUDA runtime", "runtimeGetVersion"), ("CUDA driver",
                                                                 "driverGetVersion")):
            try:
                n = int(getattr(cupy.cuda.runtime, fn)())
                v[key] = _cuda_version(n) if n else "no driver"
            except Exception as exc:  # noqa: BLE001
                v[key] = f"unavailable ({_error(exc)})"
    v["NCCL"] = _nccl(cupy)
    v["numba"] = _numba()
    mpi = _distribution_version("mpi4py")
    v["mpi4py"] = mpi if mpi is not None else "not installed"
    return v, cupy


def _numba() -> str:
    """numba's version, or why the CPU random numbers take the NumPy path."""
    from .kernels import cpu_threads
    nb = cpu_threads.numba()
    if nb is not None:
        return nb.__version__
    installed = _distribution_version("numba")
    why = "not installed" if installed is None else f"{installed} installed but unusable"
    return f"{why} (CPU random numbers take the slower NumPy path: the same values)"


def _nccl(cupy) -> str:
    package = _distribution_version("nvidia-nccl-cu13", "nvidia-nccl-cu12",
                                    "nvidia-nccl-cu11")
    if cupy is not None:
        try:
            from cupy.cuda import nccl
            return _nccl_version(int(nccl.get_version()))
        except Exception as exc:  # noqa: BLE001
            if package is not None:
                return f"{package} (package installed; CuPy cannot load it: {_error(exc)})"
    return f"{package} (package installed)" if package is not None else "not installed"


def _cpu() -> dict:
    info: dict = {"cores": os.cpu_count()}
    if hasattr(os, "sched_getaffinity"):
        info["usable_cores"] = len(os.sched_getaffinity(0))
    try:
        info["memory_bytes"] = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        info["memory_bytes"] = None
    return info


def _gpus(cupy) -> tuple[list, str | None]:
    from .distributed.machine import gpu_count, gpu_unavailable_reason
    n = gpu_count()
    if n == 0:
        return [], gpu_unavailable_reason() or "CuPy finds no GPU"
    out = []
    for i in range(n):
        g: dict = {"id": i}
        try:
            props = cupy.cuda.runtime.getDeviceProperties(i)
            name = props.get("name", b"")
            g["name"] = name.decode() if isinstance(name, bytes) else str(name)
            g["memory_bytes"] = int(props.get("totalGlobalMem", 0))
            g["compute_capability"] = f"{props.get('major', '?')}.{props.get('minor', '?')}"
            with cupy.cuda.Device(i):
                g["free_bytes"] = int(cupy.cuda.runtime.memGetInfo()[0])
        except Exception as exc:  # noqa: BLE001
            g["error"] = _error(exc)
        out.append(g)
    return out, None


def _settings() -> list[dict]:
    from ._settings import settings
    rows = []
    for s in settings.definitions():
        row = {"name": s.name, "env": s.env, "value": None,
               "source": settings.source(s.name), "default": s.default}
        try:
            row["value"] = getattr(settings, s.name)
        except ValueError as exc:
            row["error"] = str(exc)
        rows.append(row)
    return rows


def _default_devices() -> dict:
    from ._settings import settings
    from .distributed.machine import parse_devices
    try:
        spec = settings.devices
    except ValueError as exc:
        return {"spec": None, "error": _error(exc)}
    try:
        kind, ids = parse_devices(spec)
        return {"spec": spec, "devices": [f"{kind}:{i}" for i in ids]}
    except Exception as exc:  # noqa: BLE001
        return {"spec": spec, "error": _error(exc)}


def _processes() -> dict:
    from .distributed import bootstrap
    info: dict = {}
    try:
        w = bootstrap.world()
        info.update(rank=w.rank, nranks=w.nranks, source=w.source)
    except Exception as exc:  # noqa: BLE001
        info["error"] = _error(exc)
    return info


def environment() -> dict:
    """What ``python -m arrbackend info`` reports, as data: ``versions``, ``cpu``,
    ``gpus`` (and ``gpu_error``), ``default_devices``, ``settings``, ``processes`` and the
    ``verdict``.  Never raises for a missing or broken optional package."""
    versions, cupy = _versions()
    gpus, gpu_error = [], None
    try:
        gpus, gpu_error = _gpus(cupy)
    except Exception as exc:  # noqa: BLE001
        gpu_error = _error(exc)
    env = {"versions": versions, "cpu": _cpu(), "gpus": gpus, "gpu_error": gpu_error,
           "default_devices": _default_devices(), "settings": _settings(),
           "processes": _processes()}
    env["verdict"] = _verdict(env)
    return env


def _verdict(env: dict) -> dict:
    n = len(env["gpus"])
    nccl = env["versions"]["NCCL"]
    nccl_ok = nccl[:1].isdigit() and "cannot load" not in nccl
    if n:
        gpu = f"yes ({n} GPU{'s' if n > 1 else ''})"
    else:
        gpu = f"no ({env['gpu_error']})"
    if n >= 2 and nccl_ok:
        multi = f"yes ({n} GPUs, NCCL {nccl})"
    elif n >= 2:
        multi = f"no (NCCL: {nccl})"
    else:
        multi = "no (needs 2 or more GPUs)"
    procs = env["processes"]
    mpi = env["versions"]["mpi4py"]
    if procs.get("nranks", 1) > 1:
        mp = f"yes (this is rank {procs['rank']} of {procs['nranks']}, {procs['source']})"
    elif mpi == "not installed":
        mp = "no (mpi4py not installed)"
    else:
        mp = f"yes (mpi4py {mpi}; start with mpirun or srun)"
    return {"cpu": "yes (cpu:N virtual devices run the distributed engine)", "gpu": gpu,
            "multi_gpu": multi, "multi_process": mp}


def _gib(n) -> str:
    return "?" if n is None else f"{n / (1 << 30):.1f} GiB"


def format_environment(env: dict) -> str:
    """The text that ``python -m arrbackend info`` prints."""
    lines = ["versions"]
    for k, v in env["versions"].items():
        lines.append(f"  {k:<14}{v}")
    lines += ["", "devices"]
    cpu = env["cpu"]
    usable = cpu.get("usable_cores")
    cores = f"{cpu['cores']} cores" + (f" ({usable} usable)" if usable not in (None,
                                                                              cpu["cores"])
                                       else "")
    lines.append(f"  {'CPU':<14}{cores}, {_gib(cpu.get('memory_bytes'))} memory")
    if env["gpus"]:
        for g in env["gpus"]:
            if "error" in g:
                lines.append(f"  gpu:{g['id']:<10}{g.get('name', '?')} ({g['error']})")
            else:
                lines.append(f"  gpu:{g['id']:<10}{g['name']}, {_gib(g['memory_bytes'])} "
                             f"({_gib(g['free_bytes'])} free), compute capability "
                             f"{g['compute_capability']}")
    else:
        lines.append(f"  {'GPUs':<14}none ({env['gpu_error']})")
    dd = env["default_devices"]
    where = ", ".join(dd["devices"]) if "devices" in dd else f"error: {dd['error']}"
    lines.append(f"  {'default':<14}devices={dd['spec']!r} -> {where}")
    procs = env["processes"]
    if "nranks" in procs:
        lines.append(f"  {'processes':<14}{procs['nranks']} ({procs['source']})")
    lines += ["", "settings (value, where it comes from, environment variable)"]
    width = max(len(s["name"]) for s in env["settings"])
    shown = [("invalid" if s.get("error") else repr(s["value"])) for s in env["settings"]]
    vwidth = max(len(v) for v in shown)
    for s, value in zip(env["settings"], shown):
        lines.append(f"  {s['name']:<{width}}  {value:<{vwidth}}  {s['source']:<11}  "
                     f"{s['env']}")
        if s.get("error"):
            lines.append(f"  {'':<{width}}  ({s['error']})")
    v = env["verdict"]
    lines += ["", f"verdict: GPU runs: {v['gpu']}; multi-GPU runs: {v['multi_gpu']}; "
                  f"multi-process runs: {v['multi_process']}"]
    return "\n".join(lines)
