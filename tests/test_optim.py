"""tensorlite.optim and optim.lr_scheduler against torch.optim: every optimizer option that changes the
update, run 20 steps from identical parameters with each library's own autograd on the same small MLP loss
(so errors would compound), comparing parameters and state after every step; torch's state_dict format and
a bit-for-bit resume; param groups; validation errors (types and wording); every scheduler's lr sequence."""
import copy
import io
import warnings

import numpy as np
import pytest
import torch

import tensorlite as tl

RNG = np.random.default_rng(1234)
SHAPES = [(4, 6), (6,), (6, 3), (3,)]
INIT = [RNG.standard_normal(s) * 0.5 for s in SHAPES]
X = RNG.standard_normal((5, 4))
Y = RNG.standard_normal((5, 3))
UNUSED = RNG.standard_normal((2, 2))  # a parameter the loss never touches: grad stays None


def make_params(lib, dtype, device="cpu"):
    dt = getattr(lib, dtype)
    ps = [lib.tensor(a, dtype=dt, device=device, requires_grad=True) for a in INIT]
    ps.append(lib.tensor(UNUSED, dtype=dt, device=device, requires_grad=True))
    return ps


def loss_fn(lib, ps, dtype):
    dt = getattr(lib, dtype)
    dev = ps[0].device
    x, y = lib.tensor(X, dtype=dt, device=dev), lib.tensor(Y, dtype=dt, device=dev)
    w1, b1, w2, b2 = ps[:4]
    h = (x @ w1 + b1).tanh()
    return ((h @ w2 + b2 - y) ** 2).mean()


def np_of(t):
    return t.detach().cpu().numpy()


def tol(dtype):
    # float32: torch's vectorised loops contract a*b+c into FMAs, a last-bit difference per op
    return dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else dict(rtol=1e-11, atol=1e-13)


def check_state(st_tl, st_torch, ps_tl, ps_torch, dtype):
    assert len(st_tl) == len(st_torch)
    for p, q in zip(ps_tl, ps_torch):
        a, b = st_tl.get(p, {}), st_torch.get(q, {})
        assert set(a) == set(b)
        for k in b:
            if b[k] is None:
                assert a[k] is None
            elif k == "step":
                assert a[k].dtype == tl.float32 and a[k].device.type == "cpu" and a[k].dim() == 0
                assert float(a[k]) == float(b[k])
            else:
                assert a[k].dtype == p.dtype and a[k].device == p.device
                want = np_of(b[k])
                t = tol(dtype)  # atol scaled to the state's magnitude: momentum sums cancel
                np.testing.assert_allclose(np_of(a[k]), want, rtol=t["rtol"],
                                           atol=t["atol"] * max(1.0, float(np.abs(want).max())), err_msg=k)


def run_both(name, kwargs, dtype="float32", steps=20, device="cpu"):
    ps_tl, ps_torch = make_params(tl, dtype, device), make_params(torch, dtype)
    opt_tl = getattr(tl.optim, name)(ps_tl, **kwargs)
    opt_torch = getattr(torch.optim, name)(ps_torch, **kwargs)
    for _ in range(steps):
        opt_tl.zero_grad()
        opt_torch.zero_grad()
        loss_fn(tl, ps_tl, dtype).backward()
        loss_fn(torch, ps_torch, dtype).backward()
        opt_tl.step()
        opt_torch.step()
        for p, q in zip(ps_tl, ps_torch):
            np.testing.assert_allclose(np_of(p), np_of(q), **tol(dtype))
        check_state(opt_tl.state, opt_torch.state, ps_tl, ps_torch, dtype)
    # the updates moved the parameters: the comparison is not vacuous
    assert not np.allclose(np_of(ps_tl[0]), INIT[0])
    return opt_tl, opt_torch


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True, weight_decay=0.05)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.05, maximize=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.05, eps=1e-3, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.001, maximize=True, eps=1e-4)),
]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}"
                                                      for n, kw in CONFIGS])
def test_matches_torch_float32(name, kwargs):
    run_both(name, kwargs)


@pytest.mark.parametrize("name,kwargs", [CONFIGS[i] for i in (3, 5, 10, 12, 16, 20)])
def test_matches_torch_float64(name, kwargs):
    run_both(name, kwargs, dtype="float64")


def test_sgd_state_layout():
    # torch's quirks: no momentum, no state; momentum buffers appear at the first step
    opt, topt = run_both("SGD", dict(lr=0.1), steps=2)
    assert len(opt.state) == 0 and len(opt.state_dict()["state"]) == len(topt.state_dict()["state"]) == 0
    opt = tl.optim.SGD(make_params(tl, "float32"), lr=0.1, momentum=0.9)
    assert len(opt.state) == 0


def test_adagrad_state_created_in_constructor():
    ps = make_params(tl, "float32")
    opt = tl.optim.Adagrad(ps, initial_accumulator_value=0.25)
    assert len(opt.state) == len(ps)
    assert float(opt.state[ps[0]]["step"]) == 0.0 and np.all(np_of(opt.state[ps[0]]["sum"]) == 0.25)


def _sd_to_tl(sd):
    """A torch optimizer state_dict converted through numpy, as a checkpoint converter would."""
    state = {k: {n: (tl.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v) for n, v in s.items()}
             for k, s in sd["state"].items()}
    return {"state": state, "param_groups": copy.deepcopy(sd["param_groups"])}


@pytest.mark.parametrize("name,kwargs", [CONFIGS[i] for i in (1, 10, 12, 15, 20)])
def test_state_dict_format_and_resume(name, kwargs):
    opt_tl, opt_torch = run_both(name, kwargs, steps=10)
    sd, tsd = opt_tl.state_dict(), opt_torch.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    assert set(sd["state"]) == set(tsd["state"])
    for k in tsd["state"]:
        assert set(sd["state"][k]) == set(tsd["state"][k])

    def straight(n):
        ps = make_params(tl, "float32")
        opt = getattr(tl.optim, name)(ps, **kwargs)
        for _ in range(n):
            opt.zero_grad()
            loss_fn(tl, ps, "float32").backward()
            opt.step()
        return ps, opt

    ps20, opt20 = straight(20)
    ps10, opt10 = straight(10)
    buf = io.BytesIO()  # through a checkpoint file, as a resumed run would
    tl.save(opt10.state_dict(), buf)
    buf.seek(0)
    saved = tl.load(buf)
    fresh = getattr(tl.optim, name)(ps10, lr=123.0)  # hyper-parameters come back from the checkpoint
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == opt10.param_groups[0]["lr"]
    for _ in range(10):
        fresh.zero_grad()
        loss_fn(tl, ps10, "float32").backward()
        fresh.step()
    for p, q in zip(ps10, ps20):
        assert np.array_equal(np_of(p), np_of(q))  # bit for bit
    for p, q in zip(ps10, ps20):
        for k, v in opt20.state[q].items():
            assert np.array_equal(np_of(fresh.state[p][k]), np_of(v)), k

    # torch's checkpoint loads into tensorlite and continues as torch does
    ps_tl = [tl.tensor(np_of(q), requires_grad=True) for q in opt_torch.param_groups[0]["params"]]
    ps_torch = opt_torch.param_groups[0]["params"]
    resumed = getattr(tl.optim, name)(ps_tl, **kwargs)
    resumed.load_state_dict(_sd_to_tl(tsd))
    for _ in range(5):
        for opt, lib, ps in ((resumed, tl, ps_tl), (opt_torch, torch, ps_torch)):
            opt.zero_grad()
            loss_fn(lib, ps, "float32").backward()
            opt.step()
    for p, q in zip(ps_tl, ps_torch):
        np.testing.assert_allclose(np_of(p), np_of(q), **tol("float32"))


def test_load_state_dict_casts_to_param_dtype_but_keeps_step():
    ps = make_params(tl, "float64")
    opt = tl.optim.Adam(ps)
    loss_fn(tl, ps, "float64").backward()
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    for s in sd["state"].values():
        s["exp_avg"] = s["exp_avg"].float()
    opt2 = tl.optim.Adam(ps)
    opt2.load_state_dict(sd)
    assert opt2.state[ps[0]]["exp_avg"].dtype == tl.float64
    assert opt2.state[ps[0]]["step"].dtype == tl.float32


def test_load_state_dict_errors():
    ps = make_params(tl, "float32")
    tps = make_params(torch, "float32")
    cases = [
        (lambda lib, p: lib.optim.SGD([{"params": p[:2]}, {"params": p[2:]}], lr=0.1),
         lambda lib, p: lib.optim.SGD(p, lr=0.1)),
        (lambda lib, p: lib.optim.SGD(p[:2], lr=0.1), lambda lib, p: lib.optim.SGD(p[:3], lr=0.1)),
    ]
    for make_a, make_b in cases:
        msgs = []
        for lib, p in ((tl, ps), (torch, tps)):
            with pytest.raises(ValueError) as e:
                make_a(lib, p).load_state_dict(make_b(lib, p).state_dict())
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]


def test_param_groups_and_add_param_group():
    def run(lib):
        ps = make_params(lib, "float32")
        opt = lib.optim.SGD([{"params": ps[:2], "lr": 0.2}, {"params": ps[2:3]}], lr=0.05, momentum=0.9)
        for i in range(12):
            if i == 5:
                opt.add_param_group({"params": ps[3], "lr": 0.3, "nesterov": True})
            opt.zero_grad()
            loss_fn(lib, ps, "float32").backward()
            opt.step()
        return ps, opt

    ps, opt = run(tl)
    tps, topt = run(torch)
    for p, q in zip(ps, tps):
        np.testing.assert_allclose(np_of(p), np_of(q), **tol("float32"))
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.05, 0.3]
    assert opt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]
    assert repr(opt) == repr(topt)
    # ps[4] is in no group; ps[3] was added: its state was created later but the same as torch's
    check_state(opt.state, topt.state, ps, tps, "float32")


@pytest.mark.parametrize("name,kwargs", [CONFIGS[i] for i in (4, 10, 12, 15, 20)])
def test_repr_matches_torch(name, kwargs):
    assert repr(getattr(tl.optim, name)(make_params(tl, "float32"), **kwargs)) == \
        repr(getattr(torch.optim, name)(make_params(torch, "float32"), **kwargs))


def test_zero_grad_and_closure():
    ps = make_params(tl, "float32")
    opt = tl.optim.SGD(ps, lr=0.1)
    loss_fn(tl, ps, "float32").backward()
    opt.zero_grad(set_to_none=False)
    assert ps[0].grad is not None and np.all(np_of(ps[0].grad) == 0) and ps[4].grad is None
    opt.zero_grad()
    assert all(p.grad is None for p in ps)

    def closure():
        opt.zero_grad()
        loss = loss_fn(tl, ps, "float32")
        loss.backward()  # needs grad mode: the closure runs under enable_grad
        return loss

    before = np_of(ps[0]).copy()
    with tl.no_grad():
        loss = opt.step(closure)
    assert isinstance(loss, tl.Tensor) and not np.array_equal(before, np_of(ps[0]))


def test_step_hooks_and_version_counter():
    ps = make_params(tl, "float32")
    opt = tl.optim.Adam(ps)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    loss_fn(tl, ps, "float32").backward()
    v = ps[0]._version
    opt.step()
    assert calls == ["pre", "post"] and ps[0]._version > v
    h1.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]


def _both_raise(make, exc):
    got = []
    for lib in (tl, torch):
        with pytest.raises(exc) as e:
            make(lib, make_params(lib, "float32"))
        got.append(str(e.value))
    assert got[0] == got[1], got


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.SGD(p, lr=-1.0),
    lambda lib, p: lib.optim.SGD(p, momentum=-0.5),
    lambda lib, p: lib.optim.SGD(p, weight_decay=-1e-3),
    lambda lib, p: lib.optim.SGD(p, nesterov=True),
    lambda lib, p: lib.optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
    lambda lib, p: lib.optim.Adam(p, lr=-1.0),
    lambda lib, p: lib.optim.Adam(p, eps=-1.0),
    lambda lib, p: lib.optim.Adam(p, betas=(1.0, 0.9)),
    lambda lib, p: lib.optim.Adam(p, betas=(0.9, -0.1)),
    lambda lib, p: lib.optim.Adam(p, betas=(0, 0.9)),
    lambda lib, p: lib.optim.AdamW(p, weight_decay=-1.0),
    lambda lib, p: lib.optim.Adagrad(p, lr_decay=-1.0),
    lambda lib, p: lib.optim.Adagrad(p, initial_accumulator_value=-1.0),
    lambda lib, p: lib.optim.Adagrad(p, eps=-1.0),
    lambda lib, p: lib.optim.RMSprop(p, alpha=-1.0),
    lambda lib, p: lib.optim.RMSprop(p, momentum=-1.0),
    lambda lib, p: lib.optim.SGD([], lr=0.1),
    lambda lib, p: lib.optim.SGD([{"params": p[:2]}, {"params": p[1:3]}], lr=0.1),
    lambda lib, p: lib.optim.SGD([{"params": p[:2]}, {"params": p[2:3], "lr": 0.2}], lr=0.1).add_param_group(
        {"params": [p[0]]}),
    lambda lib, p: lib.optim.Adam([p[0], (p[1] * 2)]),
])
def test_value_errors_match_torch(make):
    _both_raise(make, ValueError)


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.SGD(p[0], lr=0.1),
    lambda lib, p: lib.optim.SGD([{"params": set(p)}], lr=0.1),
    lambda lib, p: lib.optim.Adam([p[0], 3]),
    lambda lib, p: lib.optim.SGD(p, lr=0.1).add_param_group([p[0]]),
])
def test_type_errors_match_torch(make):
    _both_raise(make, TypeError)


def test_kernel_errors():
    p = tl.zeros(3, requires_grad=True)
    opt = tl.optim.SGD([p], lr=0.1)
    p._grad = tl.zeros(4)  # past the .grad setter's own checks: the kernel validates too
    with pytest.raises(RuntimeError, match="shape"):
        opt.step()
    p._grad = tl.zeros(3, dtype=tl.float64)
    with pytest.raises(RuntimeError, match="dtype"):
        opt.step()
    q = tl.zeros(3, dtype=tl.int64)
    q.grad = tl.zeros(3, dtype=tl.int64)
    with pytest.raises(RuntimeError, match="floating"):
        tl.optim.SGD([q], lr=0.1).step()


def test_non_contiguous_parameter():
    base = RNG.standard_normal((4, 3))
    p = tl.tensor(base).t()  # a transposed view as a leaf parameter
    p.requires_grad_(True)
    q = torch.tensor(base).t().requires_grad_(True)
    opts = tl.optim.Adam([p], lr=0.1), torch.optim.Adam([q], lr=0.1)
    for _ in range(3):
        for opt, x in zip(opts, (p, q)):
            opt.zero_grad()
            (x * x.detach().clone().abs() + x).sum().backward()
            opt.step()
    np.testing.assert_allclose(np_of(p), np_of(q), rtol=1e-12)


# -- learning-rate schedulers -------------------------------------------------------------------------------
def _sched_pair(make_sched, opt_name="SGD", opt_kwargs=None, groups=True):
    opt_kwargs = dict(lr=0.1, momentum=0.9) if opt_kwargs is None else opt_kwargs
    out = []
    for lib in (tl, torch):
        ps = make_params(lib, "float32")
        params = [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.05}] if groups else ps
        opt = getattr(lib.optim, opt_name)(params, **opt_kwargs)
        out.append((lib, ps, opt, make_sched(lib.optim.lr_scheduler, opt)))
    return out


def _group_view(opt):
    keys = ("lr", "momentum", "betas", "initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum")
    return [{k: g[k] for k in keys if k in g} for g in opt.param_groups]


def _drive(pair, steps, metrics=None):
    history = []
    for i in range(steps):
        row = []
        for lib, ps, opt, sched in pair:
            opt.zero_grad()
            loss_fn(lib, ps, "float32").backward()
            opt.step()
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[i])
            row.append((sched.get_last_lr(), _group_view(opt)))
        assert row[0] == row[1], (i, row)  # exact: the same double arithmetic
        history.append(row[0][0])
    return history


SCHEDULERS = [
    ("StepLR", lambda S, o: S.StepLR(o, step_size=3, gamma=0.5)),
    ("MultiStepLR", lambda S, o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", lambda S, o: S.ExponentialLR(o, gamma=0.9)),
    ("CosineAnnealingLR", lambda S, o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.001)),
    ("LambdaLR", lambda S, o: S.LambdaLR(o, lr_lambda=lambda e: 0.95 ** e)),
    ("LambdaLR-list", lambda S, o: S.LambdaLR(o, lr_lambda=[lambda e: 1 / (e + 1), lambda e: 0.9 ** e])),
    ("OneCycleLR", lambda S, o: S.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=30)),
    ("OneCycleLR-linear-3", lambda S, o: S.OneCycleLR(o, max_lr=0.4, epochs=3, steps_per_epoch=10,
                                                      anneal_strategy="linear", three_phase=True, pct_start=0.25)),
]


@pytest.mark.parametrize("name,make", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_scheduler_matches_torch(name, make):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # optimizer.step() comes first: no warning
        lrs = _drive(_sched_pair(make), 25 if not name.startswith("OneCycle") else 30)
    assert len({tuple(x) for x in lrs}) > 2  # the schedule moved


def test_onecycle_cycles_adam_betas():
    pair = _sched_pair(lambda S, o: S.OneCycleLR(o, max_lr=0.01, total_steps=25, base_momentum=0.8,
                                                 max_momentum=0.9), opt_name="Adam", opt_kwargs=dict(lr=0.001))
    _drive(pair, 25)
    betas = pair[0][2].param_groups[0]["betas"]
    assert betas[1] == 0.999 and 0.8 <= betas[0] <= 0.9
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        tl.optim.lr_scheduler.OneCycleLR(tl.optim.Adagrad(make_params(tl, "float32")), max_lr=0.1, total_steps=5)


def test_onecycle_too_many_steps():
    msgs = []
    for lib in (tl, torch):
        opt = lib.optim.SGD(make_params(lib, "float32"), lr=0.1, momentum=0.9)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(ValueError) as e:
                for _ in range(5):
                    opt.step()
                    sched.step()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("kwargs", [dict(patience=2), dict(mode="max", factor=0.5, patience=1, cooldown=2),
                                    dict(threshold_mode="abs", threshold=0.05, patience=0, min_lr=[0.02, 0.01]),
                                    dict(mode="max", threshold_mode="abs", min_lr=0.03, factor=0.2, patience=1)])
def test_reduce_lr_on_plateau(kwargs):
    metrics = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.89, 0.9, 0.9, 0.9, 0.9, 0.7, 0.71, 0.72, 0.8, 0.8, 0.85, 0.6,
               0.6, 0.6, 0.6, 0.61, 0.62, 0.59, 0.59]
    pair = _sched_pair(lambda S, o: S.ReduceLROnPlateau(o, **kwargs))
    lrs = _drive(pair, len(metrics), metrics)
    assert len({tuple(x) for x in lrs}) > 1
    sd, tsd = pair[0][3].state_dict(), pair[1][3].state_dict()
    assert set(sd) == set(tsd)


def test_scheduler_errors():
    for make, exc in [(lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError),
                      (lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, mode="avg"), ValueError),
                      (lambda lib, o: lib.optim.lr_scheduler.StepLR(o, 2, last_epoch=3), KeyError),
                      (lambda lib, o: lib.optim.lr_scheduler.StepLR(object(), 2), TypeError),
                      (lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lambda e: 1.0] * 2), ValueError),
                      (lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1), ValueError)]:
        msgs = []
        for lib in (tl, torch):
            with pytest.raises(exc) as e:
                make(lib, lib.optim.SGD(make_params(lib, "float32"), lr=0.1, momentum=0.9))
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]


def test_scheduler_step_before_optimizer_warns():
    opt = tl.optim.SGD(make_params(tl, "float32"), lr=0.1)
    sched = tl.optim.lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


@pytest.mark.parametrize("name,make", [SCHEDULERS[i] for i in (0, 3, 4, 6)], ids=lambda x: x if isinstance(x, str)
                         else "")
def test_scheduler_state_dict_round_trip(name, make):
    steps = 30 if name.startswith("OneCycle") else 20
    (lib, ps, opt, sched), (_, tps, topt, tsched) = _sched_pair(make)
    assert set(sched.state_dict()) == set(tsched.state_dict())
    _drive([(lib, ps, opt, sched), (torch, tps, topt, tsched)], steps // 2)
    osd, ssd = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    assert "optimizer" not in ssd
    if name == "LambdaLR":
        assert ssd["lr_lambdas"] == [None, None]
    # a fresh optimizer and scheduler pick up from the checkpoint
    ps2 = [tl.tensor(np_of(p), requires_grad=True) for p in ps]
    opt2 = tl.optim.SGD([{"params": ps2[:2]}, {"params": ps2[2:], "lr": 0.05}], lr=0.1, momentum=0.9)
    sched2 = make(tl.optim.lr_scheduler, opt2)
    opt2.load_state_dict(osd)
    sched2.load_state_dict(ssd)
    _drive([(lib, ps2, opt2, sched2), (torch, tps, topt, tsched)], steps - steps // 2)


def test_rejected_step_leaves_no_unfilled_momentum_buffer():
    p = tl.ones(3, requires_grad=True)
    opt = tl.optim.SGD([p], lr=0.1, momentum=0.9)
    p._grad = tl.ones(4)
    with pytest.raises(RuntimeError):
        opt.step()
    assert "momentum_buffer" not in opt.state[p] and p.tolist() == [1.0, 1.0, 1.0]
    p.grad = tl.full((3,), 2.0)
    opt.step()
    assert opt.state[p]["momentum_buffer"].tolist() == [2.0, 2.0, 2.0]


def test_module_parameters_generator():
    class Net(tl.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = tl.nn.Parameter(tl.tensor(INIT[0], dtype=tl.float32))
            self.b = tl.nn.Parameter(tl.tensor(INIT[1], dtype=tl.float32))

    net = Net()
    opt = tl.optim.Adam(net.parameters(), lr=0.1)  # a generator, consumed once
    tw = torch.nn.Parameter(torch.tensor(INIT[0], dtype=torch.float32))
    tb = torch.nn.Parameter(torch.tensor(INIT[1], dtype=torch.float32))
    topt = torch.optim.Adam([tw, tb], lr=0.1)
    x, tx = tl.tensor(X, dtype=tl.float32), torch.tensor(X, dtype=torch.float32)
    for _ in range(5):
        opt.zero_grad()
        topt.zero_grad()
        (x @ net.w + net.b).tanh().sum().backward()
        (tx @ tw + tb).tanh().sum().backward()
        opt.step()
        topt.step()
    assert isinstance(net.w, tl.nn.Parameter) and net.w in opt.state
    np.testing.assert_allclose(np_of(net.w), np_of(tw), **tol("float32"))


def test_amsgrad_max_propagates_nan_like_torch():
    g = np.array([1.0, np.nan, -2.0, 0.5], dtype=np.float32)
    out = []
    for lib in (tl, torch):
        p = lib.tensor(np.zeros(4, np.float32), requires_grad=True)
        opt = lib.optim.Adam([p], lr=0.1, amsgrad=True)
        for grad in (np.ones(4, np.float32), g, np.ones(4, np.float32)):
            p.grad = lib.tensor(grad)
            opt.step()
        out.append((np_of(p), np_of(opt.state[p]["max_exp_avg_sq"])))
    for a, b in zip(out[0], out[1]):
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_allclose(a[~np.isnan(a)], b[~np.isnan(b)], rtol=1e-6)
    assert np.isnan(out[0][1][1])


def test_step_counter_follows_float64_default_dtype():
    dtypes = []
    for lib in (tl, torch):
        old = lib.get_default_dtype()
        lib.set_default_dtype(lib.float64)
        try:
            p = lib.zeros(3, requires_grad=True)
            p.grad = lib.ones(3)
            opt = lib.optim.Adam([p])
            opt.step()
            opt.step()
            dtypes.append((str(opt.state[p]["step"].dtype).split(".")[-1], float(opt.state[p]["step"])))
        finally:
            lib.set_default_dtype(old)
    assert dtypes[0] == dtypes[1] == ("float64", 2.0)
