"""Build/runtime surface: threads, ISA selection, build configuration, CUDA availability."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import tensorlite as tl


def _run(code, **env):
    e = dict(os.environ)
    e.update(env)
    return subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True, timeout=120)


def test_version_and_config():
    assert isinstance(tl.__version__, str) and tl.__version__.count(".") >= 2
    s = tl.__config__.show()
    for key in ("C++ compiler", "ISA variants built", "ISA selected", "OpenMP", "CUDA built"):
        assert key in s


def test_set_get_num_threads():
    n = tl.get_num_threads()
    try:
        tl.set_num_threads(1)
        assert tl.get_num_threads() == 1
    finally:
        tl.set_num_threads(n)
    with pytest.raises(RuntimeError):
        tl.set_num_threads(0)


def test_omp_num_threads_respected():
    r = _run("import tensorlite; print(tensorlite.get_num_threads())", OMP_NUM_THREADS="1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"


def test_default_threads_is_core_count():
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    r = subprocess.run([sys.executable, "-c", "import tensorlite, os; print(tensorlite.get_num_threads(), "
                        "len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count())"],
                       env=env, capture_output=True, text=True, timeout=120)
    got, cores = r.stdout.split()
    assert int(got) >= 1 and int(got) == int(cores) or int(got) == os.cpu_count()


def test_isa_override():
    r = _run("import tensorlite as t; print(t._C.isa_selected())", TENSORLITE_ISA="generic")
    assert r.stdout.strip() == "generic", r.stderr
    r = _run("import tensorlite as t; t.ones(2) @ t.ones(2) if hasattr(t, 'matmul') else None; "
             "print(t._C.isa_selected())", TENSORLITE_ISA="bogus")
    assert r.returncode != 0 and "TENSORLITE_ISA" in r.stderr


def test_cuda_absent_is_clean():
    assert tl.backends.cuda.is_built() in (True, False)
    if tl.cuda.is_available():
        pytest.skip("a GPU is present: covered by the CUDA tests")
    assert tl.cuda.device_count() == 0
    # torch: AssertionError when built without CUDA, RuntimeError when built with it but no GPU is usable
    err = RuntimeError if tl.backends.cuda.is_built() else AssertionError
    with pytest.raises(err, match="CUDA"):
        tl.ones(2).to("cuda")
    with pytest.raises(err, match="CUDA"):
        tl.zeros(2, device="cuda")
    with pytest.raises(RuntimeError):
        tl.device("gpu")


def test_out_of_memory_error_is_a_runtime_error():
    # torch.OutOfMemoryError subclasses RuntimeError, so `except RuntimeError` also catches it
    assert tl.OutOfMemoryError is tl.cuda.OutOfMemoryError
    assert issubclass(tl.OutOfMemoryError, RuntimeError)


def test_device_allocator_size_classes():
    # the caching allocator's classes (core/allocator.cpp): 512-byte steps up to 1 MiB, then a quarter of
    # the power of two, so a cached block of a class fits every request of that class with <= 25% slack
    r = tl._C.cuda_rounded_size
    assert [r(n) for n in (1, 512, 513, 1 << 20)] == [512, 512, 1024, 1 << 20]
    assert r((1 << 20) + 1) == (1 << 20) + (1 << 18)
    assert r(3 << 20) == 3 << 20
    assert r((3 << 20) + 1) == (3 << 20) + (1 << 19)
    for n in (1, 777, 5 << 20, (1 << 30) + 12345):
        assert n <= r(n) <= (n + 511 if n <= 1 << 20 else n * 1.25)
