"""Typed settings: one object, each entry with its environment variable, default,
converter and help text.  Used everywhere, listed by ``python -m arrbackend info`` and
rendered into the docs.

A value comes from (first that applies): an override made in the program
(``settings.override(...)`` or assignment), the environment variable, the default.
"""
from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["Setting", "settings"]


def _choice(*allowed: str) -> Callable[[str], str]:
    def convert(text) -> str:
        if isinstance(text, bool):
            text = "1" if text else "0"
        value = str(text).strip().lower()
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {text!r}")
        return value

    convert.__doc__ = "|".join(allowed)
    return convert


def _auto_or_bool(text: Any) -> str:
    """'auto', else a boolean as '1' or '0'."""
    if str(text).strip().lower() == "auto":
        return "auto"
    return "1" if _bool(text) else "0"


def _bool(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    value = str(text).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected a boolean (1/0, true/false), got {text!r}")


def _size(text: Any) -> int:
    """An integer number of bytes; accepts suffixes k, M, G (powers of 1024)."""
    if isinstance(text, int):
        value = text
    else:
        t = str(text).strip()
        mult = 1
        if t and t[-1] in "kKmMgG":
            mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[t[-1].lower()]
            t = t[:-1]
        value = int(float(t) * mult)
    if value < 0:
        raise ValueError(f"expected a size >= 0, got {text!r}")
    return value


def _auto_or_positive_int(text: Any):
    """'auto', else an integer >= 1."""
    if str(text).strip().lower() == "auto":
        return "auto"
    return _positive_int(text)


def _positive_int(text: Any) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"expected an integer >= 1, got {text!r}")
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    convert: Callable[[Any], Any]
    help: str


_DEFINITIONS = [
    Setting("devices", "ARRBACKEND_DEVICES", "auto", str,
            "Devices arrays are spread over: 'auto' (every visible GPU, else one CPU "
            "device), 'cpu', 'cpu:N' (N virtual CPU devices), 'gpu', 'gpu:N' (the first N "
            "GPUs), 'gpu:0,2' (GPUs by id; one id as 'gpu:1,'), 'gpu:0,0,0' (one GPU named "
            "several times: one shard per entry, moved by device copies)."),
    Setting("fallback", "ARRBACKEND_FALLBACK", "warn", _choice("warn", "error", "silent"),
            "What a call to a NumPy function arrbackend does not implement does: 'warn' "
            "(gather to NumPy, call it, scatter back, and warn once per function with a "
            "FallbackWarning), 'error' (raise NotImplementedError), 'silent' (as warn, no "
            "warning)."),
    Setting("transfer", "ARRBACKEND_TRANSFER", "warn", _choice("warn", "error", "silent"),
            "What an implicit copy of GPU data to the host (np.asarray on a GPU array, a "
            "fallback) does: 'warn' (TransferWarning, once per call site), 'error' "
            "(raise), 'silent'. arrbackend.asnumpy() is explicit and never warns."),
    Setting("split_bytes", "ARRBACKEND_SPLIT_BYTES", 1 << 20, _size,
            "Arrays created with fewer bytes than this live on one device instead of being "
            "cut into blocks over all devices (suffixes k, M, G accepted)."),
    Setting("fusion", "ARRBACKEND_FUSION", "auto", _auto_or_bool,
            "Defer elementwise operations and evaluate each statement as one generated "
            "kernel per device (NumPy on CPU devices): 'auto' on machines of several "
            "devices, and on one device for results of at least fusion_min_size elements; "
            "'1' (true/on/yes) always; '0' (false/off/no) never (every operation runs "
            "eagerly)."),
    Setting("fusion_min_size", "ARRBACKEND_FUSION_MIN_SIZE", 262144, _size,
            "With fusion 'auto' on one device, results with fewer elements than this run "
            "eagerly (the per-statement overhead of a small statement outweighs the "
            "memory passes fusion saves; on a CPU, NumPy's loops over arrays that fit the "
            "caches also beat numexpr's)."),
    Setting("fusion_max_nodes", "ARRBACKEND_FUSION_MAX_NODES", 64, _positive_int,
            "A deferred expression with more operations than this is evaluated at once."),
    Setting("cpu_threads", "ARRBACKEND_CPU_THREADS", "auto", _auto_or_positive_int,
            "Threads a compiled kernel uses on a CPU device (a fused statement through "
            "numexpr, random numbers through numba): 'auto' (the cores given to this "
            "process; CPU devices compute one after another, so devices never oversubscribe "
            "them) or a number."),
    Setting("kernel_cache", "ARRBACKEND_KERNEL_CACHE", "auto", str,
            "Folder where a CPU device's compiled statements (numba loop nests) are kept "
            "between runs, so that a statement is compiled once per machine, not once per "
            "process: 'auto' ($XDG_CACHE_HOME or ~/.cache, then arrbackend/kernels), a "
            "path, or 'off' (compiled in each process, nothing written)."),
    Setting("random", "ARRBACKEND_RANDOM", "counter", _choice("counter", "numpy"),
            "Where random numbers come from: 'counter' (counter-based Philox streams "
            "computed on the devices: each value a pure function of seed, stream and "
            "element index, so the same on any number of devices, but not NumPy's "
            "numbers); 'numpy' (np.random.*, default_rng() and RandomState draw NumPy's "
            "own numbers, value for value: NumPy generates them sequentially on the host, "
            "then they are copied to the devices, so each draw costs NumPy's single-thread "
            "time plus one host-to-device copy of the result)."),
    Setting("comm_timeout", "ARRBACKEND_COMM_TIMEOUT", 300.0, float,
            "Seconds a collective between processes may wait for the others (multi-process "
            "runs). Past it, the processes that arrived raise CommError naming those that "
            "did not and the last collective they completed, and the communicator is "
            "closed (NCCL's aborted). 0 waits without bound."),
    Setting("comm_check", "ARRBACKEND_COMM_CHECK", True, _bool,
            "Before each collective between processes, compare its signature (sequence "
            "number, operation, dtype, shape, and the reductions since the previous one) "
            "and raise CommError on every process, naming the ranks and their lines, when "
            "they differ. Off: no comparison (comm_timeout still bounds the wait)."),
]


class _Settings:
    """The active settings.  ``settings.split_bytes`` reads a value;
    ``with settings.override(split_bytes=0): ...`` changes it for a block.

    Environment variables are read when a setting is first used (and again after
    ``settings.reload()``); a resolved value is a plain attribute, so reading a setting
    on a hot path costs nothing."""

    def __init__(self) -> None:
        object.__setattr__(self, "_defs", {s.name: s for s in _DEFINITIONS})
        object.__setattr__(self, "_overrides", {})
        object.__setattr__(self, "_lock", threading.Lock())

    def definitions(self) -> list[Setting]:
        return list(self._defs.values())

    def __getattr__(self, name: str) -> Any:
        defs = object.__getattribute__(self, "_defs")
        if name == "cpu_eager_max":
            # derived: results on one CPU device with fewer elements than this run eagerly
            mode = self.fusion
            value = (self.fusion_min_size if mode == "auto" else
                     (0 if mode == "1" else float("inf")))
            self.__dict__[name] = value
            return value
        if name not in defs:
            raise AttributeError(f"arrbackend has no setting {name!r}")
        value = self._from_environment(name)
        self.__dict__[name] = value
        return value

    def _from_environment(self, name: str) -> Any:
        s = self._defs[name]
        raw = os.environ.get(s.env)
        if raw is None:
            return s.default
        try:
            return s.convert(raw)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"environment variable {s.env}={raw!r}: {exc}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._defs:
            raise AttributeError(f"arrbackend has no setting {name!r}")
        try:
            converted = self._defs[name].convert(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"setting {name}={value!r}: {exc}") from None
        self._overrides[name] = converted
        self.__dict__[name] = converted
        self.__dict__.pop("cpu_eager_max", None)

    def reset(self, name: str) -> None:
        """Forget a program override: the environment or the default applies again."""
        self._overrides.pop(name, None)
        self.__dict__.pop(name, None)
        self.__dict__.pop("cpu_eager_max", None)

    def reload(self) -> None:
        """Read the environment variables again (program overrides stay)."""
        for name in self._defs:
            if name not in self._overrides:
                self.__dict__.pop(name, None)
        self.__dict__.pop("cpu_eager_max", None)

    def source(self, name: str) -> str:
        """Where the active value of ``name`` comes from: 'program', 'environment', 'default'."""
        if name in self._overrides:
            return "program"
        if os.environ.get(self._defs[name].env) is not None:
            return "environment"
        return "default"

    @contextlib.contextmanager
    def override(self, **values: Any):
        with self._lock:
            saved = {k: self._overrides.get(k, _MISSING) for k in values}
            for k, v in values.items():
                setattr(self, k, v)
        try:
            yield self
        finally:
            with self._lock:
                for k, v in saved.items():
                    if v is _MISSING:
                        self.reset(k)
                    else:
                        self._overrides[k] = v
                        self.__dict__[k] = v
                self.__dict__.pop("cpu_eager_max", None)

    def as_table(self) -> list[tuple[str, str, Any, str, str]]:
        """(name, environment variable, value, source, help) for each setting."""
        return [(s.name, s.env, getattr(self, s.name), self.source(s.name), s.help)
                for s in self._defs.values()]

    def __repr__(self) -> str:
        body = ", ".join(f"{s.name}={getattr(self, s.name)!r}" for s in self._defs.values())
        return f"arrbackend.settings({body})"


_MISSING = object()
settings = _Settings()
