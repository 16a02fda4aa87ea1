"""The Array API standard's entry point: ``x.__array_namespace__()`` returns the
``arrbackend`` module itself (NumPy-2 style: one namespace serves NumPy users and the
standard)."""
from __future__ import annotations

__all__ = ["namespace_for", "SUPPORTED_VERSIONS", "API_VERSION"]

API_VERSION = "2024.12"
SUPPORTED_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12")


def namespace_for(api_version=None):
    if api_version is not None and api_version not in SUPPORTED_VERSIONS:
        raise ValueError(f"__array_namespace__: unsupported API version {api_version!r}; "
                         f"arrbackend implements {', '.join(SUPPORTED_VERSIONS)}")
    import arrbackend
    return arrbackend
