"""Device specifications, machines and settings."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import arrbackend as ab
from arrbackend.distributed.machine import parse_devices, gpu_count


@pytest.mark.parametrize("spec,expected", [("cpu", ("cpu", [0])), ("cpu:3", ("cpu", [0, 1, 2])),
                                           ("CPU:2", ("cpu", [0, 1])), ("cpu:0,2", ("cpu", [0, 2]))])
def test_parse(spec, expected):
    assert parse_devices(spec) == expected


def test_parse_auto_and_errors():
    kind, ids = parse_devices("auto")
    assert (kind, ids) == (("gpu", list(range(gpu_count()))) if gpu_count() else ("cpu", [0]))
    for bad in ("tpu:2", "cpu:x", "cpu:0", "cpu:1,1"):
        with pytest.raises(ValueError, match="devices"):
            parse_devices(bad)
    if not gpu_count():
        with pytest.raises(RuntimeError, match="asks for GPUs but none can be used"):
            parse_devices("gpu:2")
    with pytest.raises(TypeError):
        parse_devices(3)


def test_machines_are_shared_and_local_vs_all():
    with ab.devices("cpu:3") as m1:
        pass
    with ab.devices("cpu:3") as m2:
        pass
    assert m1 is m2
    assert m1.ndev == 3 and m1.local == (0, 1, 2) and m1.rank == 0 and m1.nranks == 1


def test_environment_variable_chooses_devices():
    env = dict(os.environ, ARRBACKEND_DEVICES="cpu:4", ARRBACKEND_SPLIT_BYTES="0")
    code = ("import arrbackend as ab; x = ab.arange(12.0); "
            "print(ab.current_machine().spec, x._store.layout.ranges)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("cpu:4") and "(0, 3), (3, 6), (6, 9), (9, 12)" in out


def test_import_does_not_import_cupy():
    code = "import sys, arrbackend; x = arrbackend.ones(3) + 1; print('cupy' in sys.modules)"
    env = dict(os.environ, ARRBACKEND_DEVICES="cpu")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "False"


def test_settings():
    s = ab.settings
    assert s.split_bytes == 1 << 20 or "ARRBACKEND_SPLIT_BYTES" in os.environ
    with s.override(split_bytes="2k"):
        assert s.split_bytes == 2048 and s.source("split_bytes") == "program"
    with pytest.raises(ValueError, match="fallback"):
        s.fallback = "sometimes"
    with pytest.raises(AttributeError):
        s.no_such_setting
    for text, value in (("true", "1"), ("OFF", "0"), ("auto", "auto"), ("1", "1"), (False, "0")):
        with s.override(fusion=text):
            assert s.fusion == value
    with pytest.raises(ValueError, match="fusion"):
        s.fusion = "sometimes"
    names = [row[0] for row in s.as_table()]
    assert {"devices", "fallback", "transfer", "split_bytes", "fusion"} <= set(names)


def test_small_arrays_stay_on_one_device():
    with ab.devices("cpu:3"):
        small = ab.zeros(1000)          # 8 kB < 1 MiB: one device
        big = ab.zeros((300, 1000))     # 2.4 MB: split in row blocks
    assert small._store.layout.is_single
    assert big._store.layout.is_block and big._store.layout.ranges == ((0, 100), (100, 200),
                                                                         (200, 300))
