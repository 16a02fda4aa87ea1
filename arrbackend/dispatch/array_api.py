"""The Array API standard's entry point: ``x.__array_namespace__()`` returns the
``arrbackend`` module itself (NumPy-2 style: one namespace serves NumPy users and the
standard)."""
from __future__ import annotations

__all__ = ["namespace_for", "SUPPORTED_VERSIONS", "API_VERSION"]

API_VERSION = "2025.12"
SUPPORTED_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12", "2025.12")


def namespace_for(api_version=None):
    if api_version is not None and api_version not in SUPPORTED_VERSIONS:
        raise ValueError(f"__array_namespace__: unsupported API version {api_version!r}; "
                         f"arrbackend implements {', '.join(SUPPORTED_VERSIONS)}")
    import arrbackend
    return arrbackend


_DTYPE_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float32", "float64", "complex64", "complex128")


class Info:
    """What ``arrbackend.__array_namespace_info__()`` returns (the standard's inspection
    API): capabilities, default device and dtypes, the dtypes and devices available."""

    def capabilities(self) -> dict:
        return {"boolean indexing": True, "data-dependent shapes": True,
                "max dimensions": 64}

    def default_device(self):
        from ..distributed.machine import current_machine
        from ..api.devices import Device
        return Device(current_machine())

    def default_dtypes(self, *, device=None) -> dict:
        import numpy
        return {"real floating": numpy.dtype(numpy.float64),
                "complex floating": numpy.dtype(numpy.complex128),
                "integral": numpy.dtype(numpy.intp), "indexing": numpy.dtype(numpy.intp)}

    def dtypes(self, *, device=None, kind=None) -> dict:
        import numpy
        out = {}
        for name in _DTYPE_NAMES:
            dt = numpy.dtype(name)
            if kind is None or numpy.isdtype(dt, kind):
                out[name] = dt
        return out

    def devices(self) -> tuple:
        from ..distributed.machine import current_machine, machine_for, gpu_count
        from ..api.devices import Device
        found = [current_machine()]
        for spec in ("cpu",) + (("gpu",) if gpu_count() else ()):
            m = machine_for(spec)
            if all(m is not f for f in found):
                found.append(m)
        return tuple(Device(m) for m in found)


def namespace_info() -> Info:
    """The Array API standard's inspection namespace."""
    return Info()
