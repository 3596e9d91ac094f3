#!/usr/bin/env bash
# Developer build: compiles into build/dev-<name> and drops _C into python/tensorlite so that
# `PYTHONPATH=python pytest` runs against the fresh build. `pip install .` is the user path.
#   tools/dev_build.sh [name] [extra cmake args...]   (TENSORLITE_CUDA=OFF by default here: faster)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-dev}; shift || true
bdir=build/$name
cmake -S . -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTENSORLITE_CUDA=${TENSORLITE_CUDA:-OFF} \
  -Dpybind11_DIR="$(python -c 'import pybind11; print(pybind11.get_cmake_dir())')" "$@" >/dev/null
cmake --build "$bdir" -j 2
cp "$bdir"/_C*.so python/tensorlite/
