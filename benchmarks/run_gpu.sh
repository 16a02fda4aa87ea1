#!/usr/bin/env bash
# On the GPU machine, from the repository root: the GPU test suite, then the GPU
# benchmarks, ending with two short tables.  Needs CuPy there; pure-Python test
# dependencies missing on that machine travel as wheels in .whl/ (see docs/developing.md).
#
#   bash benchmarks/run_gpu.sh [--quick]
set -u
OUT=${OUT:-/tmp/arrbackend-gpu}
mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:${PYTHONPATH:-}
fi
export PYTHONPATH=$PWD:${PYTHONPATH:-}
export PYTHONUNBUFFERED=1
# CuPy's compiled-kernel cache: kept between runs when .cupy_cache/ is carried along
mkdir -p .cupy_cache && export CUPY_CACHE_DIR=$PWD/.cupy_cache
# the multi-process tests start mpiexec; Open MPI refuses root without these
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
nvidia-smi -L
python3 -c "import cupy, numpy; print('cupy', cupy.__version__, 'numpy', numpy.__version__)"
if [ "${1:-}" = "--bench-only" ]; then shift; SKIP_TESTS=1; fi
echo "== GPU test suite (ARRBACKEND_TEST_MACHINES=${MACHINES:-gpu}) =="
if [ -z "${SKIP_TESTS:-}" ]; then
ARRBACKEND_TEST_MACHINES=${MACHINES:-gpu} timeout ${TEST_TIMEOUT:-420} python3 -m pytest -q -p no:cacheprovider ${PYTEST_ARGS:--n 8} \
  --tb=line -rf --maxfail=200 --junitxml="$OUT/gpu-tests.xml" ${TESTS:-tests} 2>&1 | tee "$OUT/gpu-tests.log" | grep -E "^(FAILED|ERROR)|passed|failed" | cut -c1-230 | tail -60
fi
echo "== GPU benchmarks =="
[ -n "${SKIP_BENCH:-}" ] || timeout 300 python3 benchmarks/gpu_bench.py --json "$OUT/gpu-bench.json" "$@" 2>&1 | tee "$OUT/gpu-bench.log" | tail -20
tar czf "$OUT/cupy_cache.tgz" -C .cupy_cache . 2>/dev/null || true
