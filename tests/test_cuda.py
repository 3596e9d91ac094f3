"""tensorlite.cuda and "cuda" tensors: the runtime API, the caching allocator, streams and events, moves
between devices, mixed-device errors and randomness.

These run wherever tensorlite.cuda.is_available(): on a GPU, and in CI on the emulated device (host
memory posing as two GPUs; tests/test_device_emulated.py runs this file in a child process with
TENSORLITE_EMULATE_CUDA=2). On the emulated device they test the device-agnostic layers, not kernels;
the values are still checked against torch on the CPU, so they can fail."""
from __future__ import annotations

import copy
import pickle
import re

import numpy as np
import pytest
import torch

import tensorlite as tl

pytestmark = pytest.mark.skipif(not tl.cuda.is_available(),
                                reason="no CUDA device: tensorlite.cuda.is_available() is False "
                                       "(tests/test_device_emulated.py runs these on the emulated device)")

two_devices = pytest.mark.skipif(tl.cuda.is_available() and tl.cuda.device_count() < 2,
                                 reason="needs two CUDA devices")

SAME_DEVICE = "Expected all tensors to be on the same device"
DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]


def _cuda0():
    return tl.device("cuda", 0)


def _arr(dtype, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.startswith("float"):
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(0, 100, size=shape).astype(dtype)


# -- runtime API ------------------------------------------------------------------------------------------
def test_runtime_api():
    assert tl.cuda.is_available() and tl.cuda.is_initialized()
    n = tl.cuda.device_count()
    assert n >= 1
    assert tl.cuda.current_device() == 0
    for i in range(n):
        name = tl.cuda.get_device_name(i)
        assert isinstance(name, str) and name
        assert tl.cuda.get_device_properties(i).total_memory > 0
    assert tl.cuda.get_device_name() == tl.cuda.get_device_name(0) == tl.cuda.get_device_name("cuda:0")
    tl.cuda.synchronize()
    tl.cuda.synchronize(0)
    free, total = tl.cuda.mem_get_info()
    assert 0 <= free <= total
    with pytest.raises(ValueError):
        tl.cuda.get_device_name("cpu")


def test_bad_device_ordinal():
    n = tl.cuda.device_count()
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        tl.zeros(2, device=f"cuda:{n}")
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        tl.ones(2).to(f"cuda:{n}")


@two_devices
def test_set_device_and_device_context():
    try:
        tl.cuda.set_device(1)
        assert tl.cuda.current_device() == 1
        assert tl.ones(2, device="cuda").device == tl.device("cuda", 1)
        assert tl.ones(2).cuda().device == tl.device("cuda", 1)
    finally:
        tl.cuda.set_device(0)
    assert tl.cuda.current_device() == 0
    with tl.cuda.device(1):
        assert tl.cuda.current_device() == 1
        assert tl.zeros(3, device="cuda").get_device() == 1
        with tl.cuda.device("cuda:0"):
            assert tl.cuda.current_device() == 0
        assert tl.cuda.current_device() == 1
    assert tl.cuda.current_device() == 0
    with tl.cuda.device(None):  # torch: a no-op
        assert tl.cuda.current_device() == 0


def test_device_context_one_device():
    with tl.cuda.device(0):
        assert tl.cuda.current_device() == 0
        assert tl.zeros(1, device="cuda").device == _cuda0()


# -- memory and the caching allocator --------------------------------------------------------------------
def test_memory_accounting():
    tl.cuda.synchronize()
    base = tl.cuda.memory_allocated()
    x = tl.empty(1 << 18, device="cuda")  # 1 MiB
    assert tl.cuda.memory_allocated() >= base + (1 << 20)
    assert tl.cuda.memory_reserved() >= tl.cuda.memory_allocated()
    assert tl.cuda.max_memory_allocated() >= tl.cuda.memory_allocated()
    peak = tl.cuda.max_memory_allocated()
    del x
    assert tl.cuda.memory_allocated() == base
    assert tl.cuda.max_memory_allocated() == peak  # the peak stays until reset
    assert tl.cuda.memory_reserved() >= base + (1 << 20)  # the freed block is cached, not returned
    tl.cuda.reset_peak_memory_stats()
    assert tl.cuda.max_memory_allocated() == tl.cuda.memory_allocated()
    tl.cuda.empty_cache()
    assert tl.cuda.memory_reserved() == tl.cuda.memory_allocated()
    st = tl.cuda.memory_stats()
    for k in ("allocated_bytes.all.current", "allocated_bytes.all.peak", "reserved_bytes.all.current",
              "reserved_bytes.all.peak", "num_device_alloc", "num_device_free", "num_alloc_retries", "num_ooms"):
        assert k in st and isinstance(st[k], int)
    assert tl.cuda.memory_allocated(0) == tl.cuda.memory_allocated("cuda:0") == tl.cuda.memory_allocated()


def test_cached_blocks_are_reused():
    """A loop that allocates the same sizes each iteration (a training step) needs device mallocs only in
    its first iteration: the allocator hands the freed blocks out again."""
    w = tl.randn(64, 64, device="cuda")

    def step():
        x = tl.randn(32, 64, device="cuda")
        y = (x @ w).relu() * 2 + 1
        big = tl.empty(300_000, device="cuda")
        big.fill_(1.0)
        return float(y.sum()) + float(big[:10].sum())

    step()
    n = tl.cuda.memory_stats()["num_device_alloc"]
    used = tl.cuda.memory_allocated()
    for _ in range(5):
        step()
    assert tl.cuda.memory_stats()["num_device_alloc"] == n
    assert tl.cuda.memory_allocated() == used


def test_out_of_memory_is_an_exception_and_recoverable():
    total = tl.cuda.get_device_properties(0).total_memory
    n = total // 4 + (1 << 20)  # more float32s than the device has bytes for
    ooms = tl.cuda.memory_stats()["num_ooms"]
    with pytest.raises(tl.cuda.OutOfMemoryError) as ei:
        tl.empty(n, device="cuda")
    assert isinstance(ei.value, RuntimeError)
    msg = str(ei.value)
    assert re.search(r"CUDA out of memory\. Tried to allocate \d+(\.\d+)? (GiB|TiB|MiB)", msg), msg
    assert tl.cuda.memory_stats()["num_ooms"] == ooms + 1
    # the process goes on: allocation and kernels still work
    x = tl.ones(1000, device="cuda")
    assert float((x * 2).sum()) == 2000.0


# -- streams and events ---------------------------------------------------------------------------------
def test_streams():
    default = tl.cuda.current_stream()
    assert default == tl.cuda.default_stream()
    s = tl.cuda.Stream()
    assert s.device == _cuda0() and s != default
    x = tl.arange(1000, dtype=tl.float32, device="cuda")
    with tl.cuda.stream(s):
        assert tl.cuda.current_stream() == s
        s.wait_stream(default)  # x was made on the default stream
        y = x * 2 + 1
    assert tl.cuda.current_stream() == default
    default.wait_stream(s)
    s.synchronize()
    assert s.query()
    np.testing.assert_array_equal(y.cpu().numpy(), np.arange(1000, dtype=np.float32) * 2 + 1)
    with tl.cuda.stream(None):
        assert tl.cuda.current_stream() == default


def test_record_stream():
    # x is allocated on the default stream and used on s: after record_stream, freeing x waits for s, and
    # its block goes back to the default stream's pool (the next same-size allocation there reuses it)
    s = tl.cuda.Stream()
    x = tl.ones(1 << 16, device="cuda")
    with tl.cuda.stream(s):
        y = x * 3
    x.record_stream(s)
    x.record_stream(s)  # recording twice is harmless
    before = tl.cuda.memory_stats()["num_device_alloc"]
    del x
    z = tl.empty(1 << 16, device="cuda")
    assert tl.cuda.memory_stats()["num_device_alloc"] == before
    s.synchronize()
    np.testing.assert_array_equal(y.cpu().numpy(), np.full(1 << 16, 3, np.float32))
    assert z.is_cuda
    with pytest.raises(RuntimeError, match="record_stream"):
        tl.ones(2).record_stream(s)


def test_events():
    start, end = tl.cuda.Event(enable_timing=True), tl.cuda.Event(enable_timing=True)
    start.record()
    x = tl.randn(256, 256, device="cuda")
    for _ in range(3):
        x = x @ x / 16
    end.record()
    end.synchronize()
    assert end.query()
    ms = start.elapsed_time(end)
    assert isinstance(ms, float) and ms >= 0
    e = tl.cuda.Event()
    e.record()
    e.wait()
    e.synchronize()
    with pytest.raises(RuntimeError, match="enable_timing"):
        e.elapsed_time(end)
    assert tl.cuda.Event().query()  # never recorded: done


# -- moving tensors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["contig", "transposed", "sliced", "0d", "empty"])
def test_round_trip(dtype, layout):
    shape = {"0d": (), "empty": (0, 3)}.get(layout, (4, 6))
    a = _arr(dtype, shape)
    x = tl.tensor(a)
    if layout == "transposed":
        x, a = x.t(), a.T
    elif layout == "sliced":
        x, a = x[1:, ::2], a[1:, ::2]
    for y in (x.cuda(), x.to("cuda"), x.to("cuda:0"), x.to(tl.device("cuda")), x.to(device="cuda", non_blocking=True),
              x.cuda(0), tl.tensor(a, device="cuda"), tl.as_tensor(a, device="cuda")):
        assert y.device == _cuda0() and y.is_cuda and not y.is_cpu and y.get_device() == 0
        assert y.dtype == x.dtype and tuple(y.shape) == a.shape
        back = y.cpu()
        assert back.device == tl.device("cpu") and back.get_device() == -1
        np.testing.assert_array_equal(back.numpy(), a)
        np.testing.assert_array_equal(y.to("cpu").numpy(), a)
        assert y.tolist() == a.tolist()
    y = x.cuda()
    assert y.cuda() is y and y.to("cuda") is y  # already there: torch returns self
    assert y.to("cuda", copy=True) is not y
    assert x.cpu() is x


def test_to_with_dtype_and_device():
    x = tl.tensor([[1.5, -2.0], [3.25, 4.0]])
    y = x.to("cuda", tl.float64)
    assert y.device == _cuda0() and y.dtype == tl.float64
    z = y.to(tl.int64)
    assert z.device == _cuda0() and z.tolist() == [[1, -2], [3, 4]]
    w = x.to(tl.zeros(1, dtype=tl.int32, device="cuda"))  # .to(other): other's dtype and device
    assert w.device == _cuda0() and w.dtype == tl.int32
    assert x.type(tl.float64).device == tl.device("cpu")


def test_host_conversions():
    x = tl.tensor([1.0, 2.5, -3.0], device="cuda")
    with pytest.raises(TypeError, match=re.escape("can't convert cuda:0 device type tensor to numpy. Use "
                                                  "Tensor.cpu() to copy the tensor to host memory first.")):
        x.numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0"):
        np.asarray(x)
    np.testing.assert_array_equal(x.numpy(force=True), [1.0, 2.5, -3.0])  # torch: detach().cpu().numpy()
    assert x.tolist() == [1.0, 2.5, -3.0]
    assert x[1].item() == 2.5
    assert float(x[1]) == 2.5 and int(x[2]) == -3 and bool(x[0])
    assert [1, 2, 3][tl.tensor(2, device="cuda")] == 3  # __index__
    assert f"{x[1]:.2f}" == "2.50"
    assert repr(x) == "tensor([ 1.0000,  2.5000, -3.0000], device='cuda:0')"
    assert repr(tl.tensor([1, 2], dtype=tl.int32, device="cuda")) == "tensor([1, 2], device='cuda:0', dtype=tensorlite.int32)"
    assert repr(tl.zeros(0, 3, device="cuda")) == "tensor([], device='cuda:0', size=(0, 3))"
    assert repr(tl.ones(2, device="cuda", requires_grad=True)) == \
        "tensor([1., 1.], device='cuda:0', requires_grad=True)"
    assert str(x * 2) == repr(x * 2)


def test_pickle_and_deepcopy_keep_the_device():
    x = tl.tensor([[1.0, 2.0], [3.0, 4.0]], device="cuda").t()
    for y in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert y.device == _cuda0()
        assert y.tolist() == x.tolist()


@two_devices
def test_copies_between_devices():
    a = _arr("float32", (5, 7))
    x0 = tl.tensor(a, device="cuda:0")
    x1 = x0.to("cuda:1")
    assert x1.device == tl.device("cuda", 1) and x1.get_device() == 1
    np.testing.assert_array_equal(x1.cpu().numpy(), a)
    np.testing.assert_array_equal(x1.t().to("cuda:0").cpu().numpy(), a.T)  # non-contiguous source
    y = (x1 * 2).sum(0)
    assert y.device == tl.device("cuda", 1)
    np.testing.assert_allclose(y.cpu().numpy(), (a * 2).sum(0), rtol=1e-6)
    dst = tl.zeros(5, 7, device="cuda:0")
    dst.copy_(x1)
    np.testing.assert_array_equal(dst.cpu().numpy(), a)
    dst[:, 1:3] = x1[:, :2]  # copy into a strided destination on another device
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        x0 + x1
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        x0 @ x1.t()
    with tl.cuda.device(1):
        assert tl.cuda.memory_allocated(1) > 0


# -- creation on the device ------------------------------------------------------------------------------
def test_creation_on_device():
    made = [tl.zeros(2, 3, device="cuda"), tl.ones(2, device="cuda"), tl.full((2,), 7, device="cuda"),
            tl.empty(3, device="cuda"), tl.arange(5, device="cuda"), tl.linspace(0, 1, 5, device="cuda"),
            tl.eye(3, device="cuda"), tl.tensor([1, 2], device="cuda"), tl.rand(3, device="cuda"),
            tl.randn(3, device="cuda"), tl.randint(0, 5, (3,), device="cuda"), tl.randperm(6, device="cuda"),
            tl.normal(0.0, 1.0, (4,), device="cuda"), tl.tril_indices(3, 3, device="cuda"),
            tl.scalar_tensor(2.0, device="cuda"), tl.empty_strided((2, 3), (1, 2), device="cuda")]
    x = tl.ones(2, 3, device="cuda")
    made += [tl.zeros_like(x), tl.ones_like(x), tl.full_like(x, 3), tl.empty_like(x), tl.rand_like(x),
             tl.randn_like(x), tl.randint_like(x, 4), x.new_zeros(2), x.new_ones(2), x.new_full((2,), 1.5),
             x.new_empty(2), x.new_tensor([1.0, 2.0]), tl.bernoulli(x * 0.5), tl.multinomial(x[0], 2),
             tl.normal(x, 1.0), x.clone().uniform_(), x.clone().normal_(), x.clone().bernoulli_(0.3),
             x.clone().random_(0, 3), x.clone().exponential_()]
    for k, t in enumerate(made):
        assert t.device == _cuda0(), f"#{k}: {t.device}"
    assert tl.zeros_like(x, device="cpu").device == tl.device("cpu")
    assert tl.zeros(2, device=tl.device("cuda", 0)).device == _cuda0()
    assert tl.zeros(2, device=0).device == _cuda0()  # an int means a CUDA ordinal, as in torch
    np.testing.assert_array_equal(tl.arange(5, device="cuda").cpu().numpy(), np.arange(5))
    np.testing.assert_array_equal(tl.eye(3, device="cuda").cpu().numpy(), np.eye(3, dtype=np.float32))


def test_manual_seed_same_numbers_on_cpu_and_cuda():
    """The CUDA samplers draw the CPU's Philox stream: uniform, integer and Bernoulli samples are bitwise
    equal; normal ones to an ulp or two (log and cos are libdevice's on the GPU, glibc's on the host)."""
    exact = (lambda d: tl.rand(4, 5, device=d), lambda d: tl.rand(5, device=d, dtype=tl.float64),
             lambda d: tl.randint(-5, 5, (9,), device=d), lambda d: tl.randperm(10, device=d),
             lambda d: tl.empty(6, device=d).uniform_(-2, 2), lambda d: tl.ones(8, device=d).bernoulli_(0.5),
             lambda d: tl.ones(2, 4, device=d).t().bernoulli_(tl.full((4, 2), 0.3)),
             lambda d: tl.bernoulli(tl.full((3, 3), 0.6, device=d)), lambda d: tl.ones(5, device=d).random_(0, 7))
    normal = (lambda d: tl.randn(7, device=d, dtype=tl.float64), lambda d: tl.randn(3, 4, device=d),
              lambda d: tl.zeros(4, 3, device=d).t().normal_(1.0, 2.0), lambda d: tl.normal(tl.ones(5, device=d), 0.5),
              lambda d: tl.ones(6, device=d).exponential_())
    for k, fn in enumerate(exact + normal):
        tl.manual_seed(123)
        a = fn("cpu")
        tl.manual_seed(123)
        b = fn("cuda")
        assert b.is_cuda, k
        if k < len(exact):
            np.testing.assert_array_equal(a.numpy(), b.cpu().numpy(), err_msg=f"sampler {k}")
        else:
            np.testing.assert_allclose(a.numpy(), b.cpu().numpy(), rtol=1e-6, atol=1e-6, err_msg=f"sampler {k}")
    tl.cuda.manual_seed(5)
    a = tl.rand(3, device="cuda")
    tl.manual_seed(5)
    np.testing.assert_array_equal(a.cpu().numpy(), tl.rand(3).numpy())


# -- mixed devices ---------------------------------------------------------------------------------------
def test_mixed_device_errors():
    c = tl.ones(2, 3, device="cuda")
    h = tl.ones(2, 3)
    i_h = tl.tensor([0, 1])
    for fn in (lambda: c + h, lambda: h * c, lambda: c.add_(h), lambda: c @ h.t(), lambda: tl.mm(h, c.t()),
               lambda: tl.cat([c, h]), lambda: tl.stack([h, c]), lambda: tl.where(c > 0, c, h),
               lambda: tl.where(h > 0, c, c), lambda: c.index_select(0, i_h), lambda: c.gather(0, i_h.view(2, 1)),
               lambda: tl.maximum(c, h), lambda: c.masked_fill(h > 0, 1.0)):
        with pytest.raises(RuntimeError, match=SAME_DEVICE):
            fn()


def test_cross_entropy_on_device():
    """The fused kernel on the device: value and gradient against torch, the out-of-range target's
    IndexError (read back from the device), mixed devices."""
    import torch.nn.functional as F
    x = np.random.default_rng(0).standard_normal((6, 5)).astype("float32")
    t = np.array([0, 4, 2, -100, 1, 3])
    xc = tl.tensor(x, device="cuda", requires_grad=True)
    loss = tl.nn.functional.cross_entropy(xc, tl.tensor(t, device="cuda"), label_smoothing=0.1)
    assert loss.device == _cuda0()
    loss.backward()
    assert xc.grad.device == _cuda0()
    xt = torch.tensor(x, requires_grad=True)
    ref = F.cross_entropy(xt, torch.tensor(t), label_smoothing=0.1)
    ref.backward()
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-5)
    np.testing.assert_allclose(xc.grad.cpu().numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-7)
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        tl.nn.functional.cross_entropy(tl.ones(2, 5, device="cuda"), tl.tensor([1, 7], device="cuda"))
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        tl.nn.functional.cross_entropy(tl.ones(2, 5, device="cuda"), tl.tensor([1, 2]))


def test_zero_dim_cpu_tensor_mixes_with_cuda():
    """torch's exception to the same-device rule: a 0-dim CPU tensor acts as a scalar."""
    c = tl.tensor([1.0, 2.0, 3.0], device="cuda")
    s = tl.tensor(2.0)
    for r, want in ((c + s, [3.0, 4.0, 5.0]), (s * c, [2.0, 4.0, 6.0]), (c / s, [0.5, 1.0, 1.5]),
                    (tl.where(c > 1.5, c, tl.tensor(0.0)), [0.0, 2.0, 3.0]), (tl.maximum(c, s), [2.0, 2.0, 3.0])):
        assert r.device == _cuda0()
        assert r.tolist() == want
    c.mul_(s)
    assert c.tolist() == [2.0, 4.0, 6.0]
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        s.add_(tl.tensor(1.0, device="cuda"))  # in place into the CPU tensor: not allowed (torch neither)


def test_indexing_with_host_indices():
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    c = tl.tensor(a, device="cuda")
    idx = tl.tensor([2, 0])
    mask = tl.tensor([True, False, True, False])
    for got, want in ((c[idx], a[[2, 0]]), (c[[1, 3]], a[[1, 3]]), (c[mask], a[[True, False, True, False]]),
                      (c[:, idx], a[:, [2, 0]]), (c[idx, 1:3], a[[2, 0], 1:3]), (c[np.array([3])], a[[3]])):
        assert got.device == _cuda0()
        np.testing.assert_array_equal(got.cpu().numpy(), want)
    c[idx] = 0.0
    c[tl.tensor([1]), tl.tensor([5])] = tl.tensor(-1.0)
    want = a.copy()
    want[[2, 0]] = 0.0
    want[1, 5] = -1.0
    np.testing.assert_array_equal(c.cpu().numpy(), want)


# -- autograd across devices -----------------------------------------------------------------------------
def test_autograd_through_to_device():
    x = tl.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.to("cuda")
    assert y.grad_fn is not None and y.is_cuda
    z = (y * y).sum()
    z.backward()
    assert x.grad.device == tl.device("cpu")
    assert x.grad.tolist() == [2.0, -4.0, 6.0]

    w = tl.tensor([[1.0, 2.0], [3.0, 4.0]], device="cuda", requires_grad=True)
    out = (w.cpu().t() ** 2).sum() + w.sum().cpu() * 0
    out.backward()
    assert w.grad.device == _cuda0()
    assert w.grad.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    # dtype change on the way: the gradient comes back in the source dtype
    v = tl.tensor([0.5, 1.5], dtype=tl.float64, device="cuda", requires_grad=True)
    v.to("cpu", tl.float32).sum().backward()
    assert v.grad.device == _cuda0() and v.grad.dtype == tl.float64 and v.grad.tolist() == [1.0, 1.0]


def test_autograd_on_device_matches_torch():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3))
    x = tl.tensor(a, device="cuda", requires_grad=True)
    w = tl.tensor(b, device="cuda", requires_grad=True)
    loss = ((x @ w).tanh().log_softmax(-1) * tl.arange(3, device="cuda")).mean()
    loss.backward()
    tx, tw = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    tloss = ((tx @ tw).tanh().log_softmax(-1) * torch.arange(3)).mean()
    tloss.backward()
    assert x.grad.is_cuda and w.grad.is_cuda
    np.testing.assert_allclose(float(loss), float(tloss), rtol=1e-12)
    np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.grad.cpu().numpy(), tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    # implicit ones for a scalar output, materialised zero grads of multi-output nodes, all on the device
    v = tl.tensor([3.0, 1.0, 2.0], device="cuda", requires_grad=True)
    vals, _ = v.sort()
    vals[0].backward()
    assert v.grad.is_cuda and v.grad.tolist() == [0.0, 1.0, 0.0]


def test_gradcheck_on_device():
    x = tl.tensor([[0.3, -0.7], [1.1, 0.2]], dtype=tl.float64, device="cuda", requires_grad=True)
    assert tl.autograd.gradcheck(lambda t: (t.exp() * t.sum(0)).t(), (x,))
    assert tl.autograd.gradgradcheck(lambda t: (t * t).sum(1), (x,))


def test_gradients_must_be_on_the_tensors_device():
    x = tl.ones(3, device="cuda", requires_grad=True)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient located on device with index '-1' to a "
                                           "tensor located on device with index '0'"):
        x.grad = tl.zeros(3)
    x.grad = tl.zeros(3, device="cuda")
    y = x * 2
    with pytest.raises(RuntimeError, match="invalid gradient at index 0 - expected device cuda:0 but got cpu"):
        y.backward(tl.ones(3))

    class Bad(tl.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

        @staticmethod
        def backward(ctx, g):
            return g.cpu()

    with pytest.raises(RuntimeError, match="returned an invalid gradient at index 0 - expected device cuda:0 but got "
                                           "cpu"):
        Bad.apply(x).sum().backward()


def test_type_names_and_pinning():
    x = tl.ones(2, device="cuda")
    assert x.type() == "torch.cuda.FloatTensor" and x.long().type() == "torch.cuda.LongTensor"
    y = x.type("torch.DoubleTensor")
    assert y.device == tl.device("cpu") and y.dtype == tl.float64
    z = tl.ones(2).type("torch.cuda.LongTensor")
    assert z.device == _cuda0() and z.dtype == tl.int64
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        x.pin_memory()
    h = tl.ones(2)
    assert not h.is_pinned() and h.pin_memory().cuda(non_blocking=True).is_cuda


# -- matmul: csrc/cuda/gemm.cu on a GPU (the CPU kernels on the emulated device) ------------------------
# Edge tiles (1, 3, 17, 31, 33, 127, 257, 1000+ against 64/128-wide tiles), every transpose combination,
# views that defeat the 16-byte loads, batches, alpha/beta and K == 0, against float64 products on the host.
# With TF32 off the tolerance is tight enough to catch TF32 (about 5e-4 relative per product) leaking in.
MM_SHAPES = [(1, 1, 1), (3, 5, 7), (17, 31, 33), (33, 17, 127), (127, 257, 31), (257, 127, 130), (64, 1031, 129),
             (1000, 33, 1025), (1, 300, 64), (64, 300, 1), (1, 257, 3)]


@pytest.fixture(params=[False, True], ids=["tf32_off", "tf32_on"])
def tf32(request):
    tl.backends.cuda.matmul.allow_tf32 = request.param
    yield request.param
    tl.backends.cuda.matmul.allow_tf32 = False


def _mm_check(got, want, k, tf32=False, dtype="float32"):
    tol = 1e-12 if dtype == "float64" else (1e-2 if tf32 else 1e-5)
    np.testing.assert_allclose(got.cpu().numpy(), want, rtol=tol, atol=tol * max(1.0, np.sqrt(k)))


@pytest.mark.parametrize("m,k,n", MM_SHAPES)
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_shapes_and_transposes(m, k, n, ta, tb, tf32):
    a, b = _arr("float32", (k, m) if ta else (m, k), 1), _arr("float32", (n, k) if tb else (k, n), 2)
    x, y = tl.tensor(a, device="cuda"), tl.tensor(b, device="cuda")
    x, y = (x.t() if ta else x), (y.t() if tb else y)
    a64, b64 = (a.T if ta else a).astype(np.float64), (b.T if tb else b).astype(np.float64)
    _mm_check(x @ y, a64 @ b64, k, tf32)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_views_that_defeat_vector_loads(dtype, tf32):
    m, k, n = 67, 45, 38
    flat_a, flat_b = _arr(dtype, (m * k + 1,), 3), _arr(dtype, (k * n + 1,), 4)
    fa, fb = tl.tensor(flat_a, device="cuda"), tl.tensor(flat_b, device="cuda")
    want = flat_a[1:].reshape(m, k).astype(np.float64) @ flat_b[1:].reshape(k, n).astype(np.float64)
    # starting at element 1: misaligned base, contiguous rows
    _mm_check(fa[1:].view(m, k) @ fb[1:].view(k, n), want, k, tf32, dtype)
    # the same, transposed storage
    ta = tl.tensor(np.ascontiguousarray(flat_a[1:].reshape(m, k).T), device="cuda")
    _mm_check(ta.t() @ fb[1:].view(k, n), want, k, tf32, dtype)
    # column slices: unit inner stride, leading stride not a multiple of 4
    big_a, big_b = _arr(dtype, (m, k + 3), 5), _arr(dtype, (k, n + 5), 6)
    ga, gb = tl.tensor(big_a, device="cuda"), tl.tensor(big_b, device="cuda")
    want = big_a[:, 1:k + 1].astype(np.float64) @ big_b[:, 2:n + 2].astype(np.float64)
    _mm_check(ga[:, 1:k + 1] @ gb[:, 2:n + 2], want, k, tf32, dtype)
    # general strides: no unit stride anywhere
    huge_a, huge_b = _arr(dtype, (2 * m, 3 * k), 7), _arr(dtype, (3 * k, 2 * n), 8)
    ha, hb = tl.tensor(huge_a, device="cuda"), tl.tensor(huge_b, device="cuda")
    want = huge_a[::2, ::3].astype(np.float64) @ huge_b[::3, ::2].astype(np.float64)
    _mm_check(ha[::2, ::3] @ hb[::3, ::2], want, k, tf32, dtype)


def test_bmm_batched_and_broadcast(tf32):
    a, b = _arr("float32", (5, 33, 17), 9), _arr("float32", (5, 17, 130), 10)
    x, y = tl.tensor(a, device="cuda"), tl.tensor(b, device="cuda")
    _mm_check(tl.bmm(x, y), a.astype(np.float64) @ b, 17, tf32)
    # items of odd size: every other item starts misaligned
    _mm_check(x @ y[0], a.astype(np.float64) @ b[0], 17, tf32)
    # broadcast batch dims (2, 1) x (3,) -> (2, 3), the right operand transposed
    c, d = _arr("float32", (2, 1, 31, 65), 11), _arr("float32", (3, 129, 65), 12)
    u, v = tl.tensor(c, device="cuda"), tl.tensor(d, device="cuda")
    _mm_check(u @ v.transpose(1, 2), c.astype(np.float64) @ np.swapaxes(d, 1, 2), 65, tf32)
    # a batch of many small products
    e, f = _arr("float32", (300, 3, 5), 13), _arr("float32", (300, 5, 2), 14)
    _mm_check(tl.tensor(e, device="cuda") @ tl.tensor(f, device="cuda"), e.astype(np.float64) @ f, 5, tf32)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_addmm_alpha_beta(dtype, tf32):
    m, k, n = 70, 129, 45
    a, b, c = _arr(dtype, (m, k), 15), _arr(dtype, (k, n), 16), _arr(dtype, (m, n), 17)
    x, y, z = (tl.tensor(t, device="cuda") for t in (a, b, c))
    ab = a.astype(np.float64) @ b
    _mm_check(tl.addmm(z, x, y, beta=0.5, alpha=-1.5), 0.5 * c + -1.5 * ab, k, tf32, dtype)
    # beta == 0: the input is never read, its NaNs do not leak
    nan = tl.full((m, n), float("nan"), dtype=getattr(tl, dtype), device="cuda")
    got = tl.addmm(nan, x, y, beta=0, alpha=2.0)
    assert not np.isnan(got.cpu().numpy()).any()
    _mm_check(got, 2.0 * ab, k, tf32, dtype)
    # broadcast bias (linear), and baddbmm
    bias = _arr(dtype, (n,), 18)
    _mm_check(tl.addmm(tl.tensor(bias, device="cuda"), x, y), bias + ab, k, tf32, dtype)
    bb = tl.baddbmm(z.unsqueeze(0).expand(2, m, n), x.unsqueeze(0).expand(2, m, k), y.expand(2, k, n), beta=2.0,
                    alpha=0.25)
    _mm_check(bb, np.broadcast_to(2.0 * c + 0.25 * ab, (2, m, n)), k, tf32, dtype)


def test_matmul_k_zero():
    x, y = tl.zeros(5, 0, device="cuda"), tl.zeros(0, 7, device="cuda")
    assert (x @ y).cpu().numpy().tolist() == np.zeros((5, 7)).tolist()
    c = _arr("float32", (5, 7), 19)
    got = tl.addmm(tl.tensor(c, device="cuda"), x, y, beta=2.0, alpha=3.0)
    np.testing.assert_allclose(got.cpu().numpy(), 2.0 * c, rtol=1e-6)
    nan = tl.full((5, 7), float("nan"), device="cuda")
    assert (tl.addmm(nan, x, y, beta=0).cpu().numpy() == 0).all()
    # no product at all: an Inf alpha does not make 0 * Inf
    got = tl.addmm(tl.tensor(c, device="cuda"), x, y, beta=2.0, alpha=float("inf"))
    np.testing.assert_allclose(got.cpu().numpy(), 2.0 * c, rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("m,k,n", [(70, 129, 45), (37, 70, 1), (1, 70, 37)])  # tiled, gemv N == 1, gemv M == 1
def test_addmm_alpha_zero_ignores_inf_and_nan(dtype, m, k, n, tf32):
    """alpha == 0 skips the product (as BLAS, torch and the CPU GEMM): beta * C even with Inf/NaN in A, B."""
    a, b, c = _arr(dtype, (m, k), 26), _arr(dtype, (n, k), 27).T, _arr(dtype, (m, n), 28)
    a[0, 0], b[-1, -1] = np.inf, np.nan
    x, z = tl.tensor(a, device="cuda"), tl.tensor(c, device="cuda")
    y = tl.tensor(np.ascontiguousarray(b.T), device="cuda").t()  # B^T row-contiguous: the M == 1 gemv path
    for beta in (0.0, 1.5):
        got = tl.addmm(z, x, y, beta=beta, alpha=0).cpu().numpy()
        np.testing.assert_array_equal(got, (beta * c.astype(np.float64)).astype(dtype), err_msg=str(beta))


def test_matmul_float64_large_k():
    a, b = _arr("float64", (130, 2051), 20), _arr("float64", (2051, 67), 21)
    _mm_check(tl.tensor(a, device="cuda") @ tl.tensor(b, device="cuda"), a @ b, 2051, dtype="float64")


def test_matmul_integer_and_gemv_paths():
    a, b = _arr("int64", (37, 70), 22), _arr("int64", (70, 65), 23)
    got = tl.tensor(a, device="cuda") @ tl.tensor(b, device="cuda")
    assert (got.cpu().numpy() == a @ b).all()
    v = _arr("float32", (70,), 24)
    m = _arr("float32", (37, 70), 25)
    _mm_check(tl.tensor(m, device="cuda") @ tl.tensor(v, device="cuda"), m.astype(np.float64) @ v, 70)
    _mm_check(tl.tensor(v, device="cuda") @ tl.tensor(m, device="cuda").t(), m.astype(np.float64) @ v, 70)


def test_matmul_tf32_flag_changes_the_result_only_when_on():
    """On a GPU with TF32 on, inputs are rounded to 10 mantissa bits: products of values that TF32 cannot
    represent differ from float32; with it off they are float32-exact. (The emulated device runs the CPU
    kernel, which never uses TF32, as torch's CPU matmul.)"""
    a = np.full((32, 16), 1 + 2 ** -12, np.float32)  # every float32 partial sum is exact
    b = np.ones((16, 40), np.float32)
    x, y = tl.tensor(a, device="cuda"), tl.tensor(b, device="cuda")
    exact = (a.astype(np.float64) @ b).astype(np.float32)
    assert ((x @ y).cpu().numpy() == exact).all()
    tl.backends.cuda.matmul.allow_tf32 = True
    try:
        got = (x @ y).cpu().numpy()
    finally:
        tl.backends.cuda.matmul.allow_tf32 = False
    if tl.cuda.is_emulated():
        assert (got == exact).all()
    else:
        assert (got == 16.0).all()  # 1 + 2^-12 rounds to 1 in TF32 (10 mantissa bits)


# -- optimizers: csrc/cuda/optim.cu on a GPU (the CPU kernels on the emulated device) ------------------------
OPTIM_CASES = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
               ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
               ("AdamW", dict(lr=0.05)),
               ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
               ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5))]


def _optim_loss(lib, ps, x):
    w, b = ps
    return ((x @ w + b).tanh() ** 2).mean()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", OPTIM_CASES, ids=[c[0] for c in OPTIM_CASES])
def test_optimizers_on_device_match_torch(name, kwargs, dtype):
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal((6, 300)).astype(dtype), rng.standard_normal(300).astype(dtype)]
    xa = rng.standard_normal((4, 6)).astype(dtype)
    ps = [tl.tensor(a, device="cuda", requires_grad=True) for a in arrays]
    tps = [torch.tensor(a, requires_grad=True) for a in arrays]
    opt, topt = getattr(tl.optim, name)(ps, **kwargs), getattr(torch.optim, name)(tps, **kwargs)
    x, tx = tl.tensor(xa, device="cuda"), torch.tensor(xa)
    for _ in range(10):
        opt.zero_grad()
        topt.zero_grad()
        _optim_loss(tl, ps, x).backward()
        _optim_loss(torch, tps, tx).backward()
        opt.step()
        topt.step()
    rtol = 1e-4 if dtype == "float32" else 1e-10

    def close(got, want):  # centered RMSprop's sqrt(E[g^2] - E[g]^2) cancels: atol scales with the values
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * max(1.0, float(np.abs(want).max())))

    for p, q in zip(ps, tps):
        assert p.is_cuda
        close(p.detach().cpu().numpy(), q.detach().numpy())
    for p, q in zip(ps, tps):
        st, tst = opt.state[p], topt.state[q]
        assert set(st) == set(tst)
        if "step" in tst:
            assert st["step"].device.type == "cpu" and float(st["step"]) == float(tst["step"])
        for k, v in st.items():
            if k != "step":
                assert v.is_cuda and v.dtype == p.dtype
                close(v.cpu().numpy(), tst[k].numpy())
    # a CPU checkpoint loads onto device params: state follows the params, the step counter stays on the host
    cpu_ps = [tl.tensor(a, requires_grad=True) for a in arrays]
    cpu_opt = getattr(tl.optim, name)(cpu_ps, **kwargs)
    for p in cpu_ps:
        p.grad = tl.ones_like(p)
    cpu_opt.step()
    opt.load_state_dict(cpu_opt.state_dict())
    for p in ps:
        for k, v in opt.state[p].items():
            assert v.device.type == ("cpu" if k == "step" else "cuda")


def test_optimizer_mixed_device_error():
    p = tl.zeros(3, device="cuda", requires_grad=True)
    p._grad = tl.zeros(3)  # past the .grad setter: the fused step checks devices itself
    with pytest.raises(RuntimeError, match=SAME_DEVICE):
        tl.optim.SGD([p], lr=0.1).step()
