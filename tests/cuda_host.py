"""CUDA C source built as host C++, to run the logic of device code without a GPU: the
device intrinsics written out (``__dmul_rn`` as a plain product, compiled with
``-ffp-contract=off`` so that nothing fuses into a multiply-add, as on the GPU), the
thread and block indices as globals that a host driver sets, ``__shared__`` memory as
static, ``__syncthreads`` a no-op (drivers run one thread per block)."""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess

import pytest

SHIM = r"""
#include <cmath>
#include <cstring>
#define __device__
#define __forceinline__ inline
#define __global__
#define __shared__ static
struct rng_dim3 { unsigned x, y, z; };
static rng_dim3 blockIdx, blockDim, threadIdx, gridDim;
static inline void __syncthreads() {}
static inline unsigned __umulhi(unsigned a, unsigned b) {
    return (unsigned)(((unsigned long long)a * b) >> 32); }
static inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long)(((unsigned __int128)a * b) >> 64); }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __dsqrt_rn(double a) { return std::sqrt(a); }
static inline double __ull2double_rn(unsigned long long a) { return (double)a; }
static inline int __clzll(long long a) { return __builtin_clzll((unsigned long long)a); }
static inline double __longlong_as_double(long long a) { double d; std::memcpy(&d, &a, 8);
                                                         return d; }
using std::sqrt; using std::log; using std::cos; using std::sin; using std::fabs;
"""


def build(source: str, folder) -> ctypes.CDLL:
    """``SHIM + source`` compiled into a shared library and loaded (skips the test where
    no C++ compiler is found)."""
    cxx = shutil.which(os.environ.get("CXX", "c++")) or shutil.which("g++")
    if cxx is None:
        pytest.skip("no C++ compiler to run the CUDA source's logic on the host")
    src = os.path.join(str(folder), "kernel.cpp")
    lib = os.path.join(str(folder), "kernel.so")
    with open(src, "w") as f:
        f.write(SHIM + source)
    r = subprocess.run([cxx, "-std=c++17", "-O2", "-ffp-contract=off", "-fno-fast-math",
                        "-Wno-unknown-pragmas", "-shared", "-fPIC", src, "-o", lib],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return ctypes.CDLL(lib)
