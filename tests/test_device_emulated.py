"""The device tests (tests/test_cuda.py and the op_db entries on "cuda" in tests/test_ops.py) on the emulated
device, for machines without a GPU (CI).

They run in a child process: the device runtime is chosen once per process, and this one must keep the
no-GPU semantics (tests/test_runtime.py::test_cuda_absent_is_clean). TENSORLITE_EMULATE_CUDA=2 gives two
devices (the cross-device copy tests run) of 1 GiB each (the out-of-memory test asks for more than that, so
it fails fast without touching real memory). The emulated device runs the CPU kernels on host memory: this
checks the device plumbing of every op (outputs and gradients on the right device, no host reads of device
memory through numpy, mixed-device errors, the allocator, streams and events), not the CUDA kernels."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import tensorlite as tl

TESTS = os.path.dirname(os.path.abspath(__file__))
# the child imports the same tensorlite as this process (the source tree or the installed package)
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(tl.__file__)))


@pytest.mark.skipif(tl.cuda.is_available(), reason="a CUDA device is present: the device tests ran in this "
                                                   "process, on it")
def test_device_tests_pass_on_the_emulated_device():
    env = dict(os.environ, TENSORLITE_EMULATE_CUDA="2", TENSORLITE_EMULATE_CUDA_MEMORY=str(1 << 30),
               PYTHONPATH=PYTHON_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "pytest", os.path.join(TESTS, "test_cuda.py"), os.path.join(TESTS, "test_ops.py"),
           "-k", "test_cuda.py or test_device", "-rs", "-p", "no:warnings", "-p", "no:cacheprovider",
           "--tb=short", "-x"]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=os.path.dirname(TESTS), timeout=600)
    out = p.stdout + p.stderr
    assert p.returncode == 0, f"{' '.join(cmd)} failed ({p.returncode}):\n{out[-12000:]}"
    assert "SKIPPED" not in out and out.count(".") > 2000, out[-4000:]  # they all ran, on the device
