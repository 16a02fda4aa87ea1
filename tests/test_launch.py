"""The driver-level launcher of generated kernels (``arrbackend.kernels.launch``): the
values a launch packs are the C values of the kernel's parameters, each where the
pointer handed to the driver says, for every C type the generated kernels take."""
import ctypes
import struct
from types import SimpleNamespace

import numpy
import pytest

from arrbackend.kernels import fused, launch

# a value of each C type the generated kernels take, at an edge of its range
EDGE = {"bool": True, "int8": -128, "int16": -32768, "int32": -2**31, "int64": -2**63,
        "uint8": 255, "uint16": 65535, "uint32": 2**32 - 1, "uint64": 2**64 - 1,
        "float32": -0.1, "float64": 2.5e-308}


def _fake_cupy(calls):
    driver = SimpleNamespace(launchKernel=lambda *a: calls.append(a))
    cuda = SimpleNamespace(driver=driver, get_current_stream=lambda: SimpleNamespace(ptr=7))
    return SimpleNamespace(cuda=cuda)


def test_every_kernel_ctype_is_packed_as_its_c_value():
    calls = []
    assert set(EDGE) == {str(dt) for dt in fused.CTYPE_DTYPES}
    values = [numpy.dtype(dt).type(v) for dt, v in EDGE.items()] + [2**62 + 3, 1.5, False]
    kernel = SimpleNamespace(kernel=SimpleNamespace(ptr=1234))
    lau = launch.launcher(_fake_cupy(calls), kernel, values)
    lau((3, 2), (32, 8), values)
    (fn, gx, gy, gz, bx, by, bz, shmem, stream, params, extra), = calls
    assert (fn, gx, gy, gz, bx, by, bz, shmem, stream, extra) == (1234, 3, 2, 1, 32, 8, 1, 0,
                                                                   7, 0)
    ptrs = (ctypes.c_void_p * len(values)).from_address(params)
    for p, v in zip(ptrs, values):
        dt = v.dtype if isinstance(v, numpy.generic) else numpy.dtype(
            {bool: numpy.bool_, int: numpy.int64, float: numpy.float64}[type(v)])
        assert p % 8 == 0
        got = numpy.frombuffer(ctypes.string_at(p, dt.itemsize), dtype=dt)[0]
        assert got == v and got.dtype == dt
    # the next launch packs its own values into the same buffer
    lau((1,), (1,), [type(v)(0) if not isinstance(v, numpy.generic) else v.dtype.type(0)
                     for v in values])
    assert all(ctypes.string_at(p, 1) == b"\0" for p in ptrs)


@pytest.mark.parametrize("value", [object(), "x", 1j, numpy.complex128(1)])
def test_values_of_other_kinds_get_no_launcher(value):
    kernel = SimpleNamespace(kernel=SimpleNamespace(ptr=1))
    if isinstance(value, numpy.complex128):
        with pytest.raises(KeyError):
            launch.launcher(_fake_cupy([]), kernel, [value])
    else:
        assert launch.launcher(_fake_cupy([]), kernel, [value]) is None


def test_no_driver_entry_point_gets_no_launcher():
    kernel = SimpleNamespace(kernel=SimpleNamespace(ptr=1))
    assert launch.launcher(SimpleNamespace(cuda=SimpleNamespace()), kernel, [1]) is None
    assert struct.calcsize("<" + launch._code(numpy.float64)) == 8
