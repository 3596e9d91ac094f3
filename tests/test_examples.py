"""The example scripts in their quick mode (what CI can afford): each runs end to end on the bundled
MNIST split and writes what it promises. The full runs and their accuracy are in bench/RESULTS.md and
the README; here the checks are that the pipeline works and learns something."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import tensorlite as tl
from tensorlite.examples import autoencoder, gan, mnist


def _png_ok(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_mnist_quick_learns_and_writes_checkpoint(tmp_path, capsys):
    r = mnist.main(["--quick", "--out", str(tmp_path), "--threads", "2"])
    out = capsys.readouterr().out
    assert "test accuracy" in out and "checkpoint:" in out
    assert r["test_acc"] > 0.6  # 2 epochs on 900 images: far above chance (0.1)
    assert len(r["history"]["val_loss"]) == 2
    ckpt = tl.load(r["checkpoint"])
    assert set(ckpt) >= {"epoch", "model", "optimizer", "val_loss"}
    m = mnist.mlp()
    m.load_state_dict(ckpt["model"])  # the checkpoint restores a fresh model
    if r["plot"] is not None:
        assert _png_ok(r["plot"])
    else:
        assert "matplotlib is not installed" in out


def test_mnist_sgd_plateau_l1_no_augment(tmp_path):
    r = mnist.main(["--quick", "--out", str(tmp_path), "--optimizer", "sgd", "--schedule", "plateau",
                    "--l1", "1e-5", "--weight-decay", "1e-4", "--no-augment", "--no-progress"])
    assert r["test_acc"] > 0.5


def test_autoencoder_quick(tmp_path):
    r = autoencoder.main(["--quick", "--out", str(tmp_path), "--no-progress"])
    assert r["test_loss"] < 0.6 and _png_ok(r["png"])  # an untrained decoder gives ~0.69


def test_gan_quick(tmp_path):
    r = gan.main(["--quick", "--out", str(tmp_path), "--no-progress"])
    assert _png_ok(r["png"])


def test_mnist_runs_as_a_module(tmp_path):
    """The README's command line itself (python -m ...), in a child process."""
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(tl.__file__)) + os.pathsep
               + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-m", "tensorlite.examples.mnist", "--quick", "--no-progress", "--out",
                        str(tmp_path)], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "test accuracy" in p.stdout
