#!/usr/bin/env bash
# Builds and runs the C++ benchmarks: a CPU-only build of the core in build/bench (Release, the package
# build's flags, no Python module), only the benchmark target, 2 jobs (the machine is shared).
#   bench/cpp/run.sh [bench_gemm args...]
#   e.g.  bench/cpp/run.sh --quick          bench/cpp/run.sh --threads 1 --filter linear
# Google Benchmark is used when installed (Debian: apt-get install libbenchmark-dev), else the
# built-in harness; BENCH_BUILD_DIR picks another build folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
bdir=${BENCH_BUILD_DIR:-build/bench}
gen=()
if [[ ! -f $bdir/CMakeCache.txt ]] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
cmake -S . -B "$bdir" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DTENSORLITE_CUDA=OFF -DTENSORLITE_PYTHON=OFF \
  -DTENSORLITE_BUILD_BENCH=ON >/dev/null
cmake --build "$bdir" -j 2 --target bench_gemm
exec "$bdir/bench/cpp/bench_gemm" "$@"
