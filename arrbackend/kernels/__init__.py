"""Device code: CuPy RawKernel sources and their launchers, each with the NumPy reference
it must agree with."""
