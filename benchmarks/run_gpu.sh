#!/usr/bin/env bash
# On a machine with a GPU, from the repository root: everything a change must pass there,
# then the GPU benchmarks.
#
#   bash benchmarks/run_gpu.sh [--quick]      # the benchmarks' smaller sizes
#
#   1. the test suite on the GPU and on three shards of it (MACHINES='gpu;gpu:0,0,0'),
#   2. random programs against NumPy on both (SEEDS, EXAMPLES per seed),
#   3. the Array API test suite on the GPU, where ARRAY_API_TESTS names a checkout of
#      data-apis/array-api-tests (with its array-api submodule),
#   4. benchmarks/gpu_bench.py, its JSON into $OUT.
#
# Pure-Python test dependencies the machine lacks (pytest-xdist, hypothesis, numexpr,
# array-api-compat, ndindex, pytest-json-report) may travel as wheels in .whl/ (a folder
# git ignores); they are installed into /tmp/site first.  Logs go to $OUT.
set -u
OUT=${OUT:-/tmp/arrbackend-gpu}
MACHINES=${MACHINES:-gpu;gpu:0,0,0}
SEEDS=${SEEDS:-20 21}
EXAMPLES=${EXAMPLES:-300}
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
git log --oneline -1 2>/dev/null
if [ "${1:-}" = "--bench-only" ]; then shift; SKIP_TESTS=1; fi
if [ -z "${SKIP_TESTS:-}" ]; then
  echo "== GPU test suite (ARRBACKEND_TEST_MACHINES=$MACHINES) =="
  ARRBACKEND_TEST_MACHINES=$MACHINES timeout ${TEST_TIMEOUT:-420} python3 -m pytest -q \
    -p no:cacheprovider ${PYTEST_ARGS:--n 8} --tb=line -rf --maxfail=200 \
    --junitxml="$OUT/gpu-tests.xml" ${TESTS:-tests} 2>&1 | tee "$OUT/gpu-tests.log" \
    | grep -E "^(FAILED|ERROR)|passed|failed" | cut -c1-230 | tail -60
  IFS=';' read -ra SPECS <<< "$MACHINES"
  for seed in $SEEDS; do
    for m in "${SPECS[@]}"; do
      echo "== random programs: seed $seed, $EXAMPLES programs, $m =="
      ARRBACKEND_TEST_MACHINES=$m ARRBACKEND_FUZZ_SEED=$seed ARRBACKEND_FUZZ_EXAMPLES=$EXAMPLES \
        timeout 300 python3 -m pytest -q -p no:cacheprovider -x --tb=short \
        tests/test_programs.py -k random > "$OUT/programs-$seed-$m.log" 2>&1
      grep -E "^E " "$OUT/programs-$seed-$m.log" | head -12 | cut -c1-230
      tail -1 "$OUT/programs-$seed-$m.log"
    done
  done
  if [ -n "${ARRAY_API_TESTS:-}" ]; then
    echo "== Array API test suite on gpu =="
    here=$PWD
    (cd "$ARRAY_API_TESTS" && ARRAY_API_TESTS_MODULE=arrbackend ARRBACKEND_DEVICES=gpu \
      timeout 300 python3 -m pytest --rootdir . array_api_tests -q -p no:cacheprovider -n 8 \
      --max-examples 40 --hypothesis-disable-deadline \
      --xfails-file "$here/tests/array_api_known_failures.txt" > "$OUT/array-api.log" 2>&1)
    grep -E "^(FAILED|ERROR)" "$OUT/array-api.log" | head -20 | cut -c1-230
    tail -1 "$OUT/array-api.log"
  fi
fi
echo "== GPU benchmarks =="
[ -n "${SKIP_BENCH:-}" ] || timeout 300 python3 benchmarks/gpu_bench.py --json "$OUT/gpu-bench.json" "$@" 2>&1 | tee "$OUT/gpu-bench.log" | tail -20
tar czf "$OUT/cupy_cache.tgz" -C .cupy_cache . 2>/dev/null || true
