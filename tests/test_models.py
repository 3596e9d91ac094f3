"""Small models trained a few steps in tensorlite and torch from the same weights and batches: the
losses of every step and the final parameters must agree. This is the end-to-end check of modules,
losses, autograd and the optimizers together (each is also tested alone elsewhere)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tensorlite as tl


def _classifier(lib):
    return lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(36, 32), lib.nn.ReLU(), lib.nn.Linear(32, 16),
                             lib.nn.Tanh(), lib.nn.Linear(16, 5))


def _autoencoder(lib):
    return lib.nn.Sequential(lib.nn.Linear(36, 12), lib.nn.GELU(), lib.nn.Linear(12, 36), lib.nn.Sigmoid())


def _copy_weights(src_torch, dst_tl):
    dst_tl.load_state_dict({k: tl.tensor(v.detach().numpy()) for k, v in src_torch.state_dict().items()})


def _train(lib, model, make_opt, batches, loss_fn, sched=None):
    opt = make_opt(lib, model)
    scheduler = sched(lib, opt) if sched else None
    losses = []
    for x, y in batches:
        x, y = lib.tensor(x), lib.tensor(y)
        loss = loss_fn(lib, model(x), y)
        opt.zero_grad()
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(loss.item())
    return losses, {k: v.detach().numpy() for k, v in model.state_dict().items()}


OPTIMIZERS = {
    "sgd_momentum_l2": lambda lib, m: lib.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3),
    "adam": lambda lib, m: lib.optim.Adam(m.parameters(), lr=1e-2),
    "adamw_amsgrad": lambda lib, m: lib.optim.AdamW(m.parameters(), lr=1e-2, amsgrad=True),
    "rmsprop": lambda lib, m: lib.optim.RMSprop(m.parameters(), lr=1e-2, momentum=0.5),
    "adagrad": lambda lib, m: lib.optim.Adagrad(m.parameters(), lr=0.1),
}


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_mlp_classifier_trains_like_torch(opt):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((16, 6, 6)).astype(np.float32) for _ in range(8)]
    batches = [(x, x.reshape(16, -1)[:, :5].argmax(1)) for x in xs]  # a learnable rule, so the loss falls
    torch.manual_seed(0)
    tm = _classifier(torch)
    mm = _classifier(tl)
    _copy_weights(tm, mm)

    def ce(lib, out, y):
        return lib.nn.functional.cross_entropy(out, y, label_smoothing=0.05)

    def step_lr(lib, o):
        return lib.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)
    lt, pt = _train(torch, tm, OPTIMIZERS[opt], batches, ce, step_lr)
    lm, pm = _train(tl, mm, OPTIMIZERS[opt], batches, ce, step_lr)
    np.testing.assert_allclose(lm, lt, rtol=2e-5, atol=1e-6)
    assert lt[-1] < lt[0]  # it learns (so agreement is not trivially about constants)
    for k in pt:
        np.testing.assert_allclose(pm[k], pt[k], rtol=1e-4, atol=1e-5, err_msg=k)


def test_autoencoder_bce_trains_like_torch():
    rng = np.random.default_rng(1)
    batches = [(rng.random((20, 36), dtype=np.float32),) * 2 for _ in range(6)]
    torch.manual_seed(1)
    tm, mm = _autoencoder(torch), _autoencoder(tl)
    _copy_weights(tm, mm)

    def bce(lib, out, y):
        return lib.nn.functional.binary_cross_entropy(out, y) + 0.1 * lib.nn.functional.mse_loss(out, y)
    lt, pt = _train(torch, tm, OPTIMIZERS["adam"], batches, bce)
    lm, pm = _train(tl, mm, OPTIMIZERS["adam"], batches, bce)
    np.testing.assert_allclose(lm, lt, rtol=2e-5, atol=1e-6)
    for k in pt:
        np.testing.assert_allclose(pm[k], pt[k], rtol=1e-4, atol=1e-5, err_msg=k)


def test_gan_step_with_detach_and_two_optimizers_like_torch():
    """One GAN round: the discriminator sees a detached fake batch, the generator's loss goes through
    the discriminator; BCE with logits on both sides."""
    rng = np.random.default_rng(2)
    z = rng.standard_normal((8, 4)).astype(np.float32)
    real = rng.standard_normal((8, 6)).astype(np.float32)
    torch.manual_seed(2)
    res = {}
    tg, td = torch.nn.Linear(4, 6), torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.LeakyReLU(0.2),
                                                        torch.nn.Linear(8, 1))
    mg, md = tl.nn.Linear(4, 6), tl.nn.Sequential(tl.nn.Linear(6, 8), tl.nn.LeakyReLU(0.2), tl.nn.Linear(8, 1))
    _copy_weights(tg, mg)
    _copy_weights(td, md)
    for lib, G, D in ((torch, tg, td), (tl, mg, md)):
        og = lib.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
        od = lib.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
        F = lib.nn.functional
        out = []
        for _ in range(3):
            fake = G(lib.tensor(z))
            ones, zeros = lib.ones(8, 1), lib.zeros(8, 1)
            d_loss = F.binary_cross_entropy_with_logits(D(lib.tensor(real)), ones) + \
                F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
            od.zero_grad()
            d_loss.backward()
            od.step()
            g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
            og.zero_grad()
            g_loss.backward()
            og.step()
            out += [d_loss.item(), g_loss.item()]
        res[lib.__name__] = (out, G.weight.detach().numpy())
    np.testing.assert_allclose(res["tensorlite"][0], res["torch"][0], rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(res["tensorlite"][1], res["torch"][1], rtol=1e-4, atol=1e-5)
