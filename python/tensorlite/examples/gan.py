"""A small GAN on MNIST (or Fashion-MNIST): MLP generator and discriminator (Goodfellow et al. 2014),
trained with the non-saturating loss (BCE with logits) and Adam(2e-4, betas=(0.5, 0.999)). Saves a grid
of samples from a fixed noise batch as PNG after training.

    python -m tensorlite.examples.gan [--epochs 20] [--dataset fashion-mnist] [--quick]
"""
from __future__ import annotations

import argparse
import os
import time

import tensorlite as torch
import tensorlite.nn as nn
import tensorlite.nn.functional as F
from tensorlite.utils.data import DataLoader, TensorDataset

from ._common import Progress, image_grid, load_images, out_dir, pick_device, write_png


def generator(z_dim, hidden=256):
    return nn.Sequential(nn.Linear(z_dim, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 2 * hidden),
                         nn.LeakyReLU(0.2), nn.Linear(2 * hidden, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))


def discriminator(hidden=256):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 2 * hidden), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                         nn.Linear(2 * hidden, hidden), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(hidden, 1))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    p.add_argument("--data-root", default=None)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--z-dim", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto")
    p.add_argument("--out", default="runs/gan")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--quick", action="store_true", help="a smoke run: 1 epoch on 1,000 images")
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    out = out_dir(args.out)
    t0 = time.perf_counter()
    train_x, train_y, _, _, source = load_images(args.dataset, args.data_root, normalize=False)
    train_x = train_x * 2 - 1  # the generator's tanh range
    if args.quick:
        args.epochs = 1
        train_x, train_y = train_x[:1000], train_y[:1000]
    print(f"data: {source!r}; {train_x.shape[0]} training images")
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size, shuffle=True, drop_last=True,
                        generator=torch.Generator().manual_seed(args.seed))

    G, D = generator(args.z_dim).to(device), discriminator().to(device)
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999))
    fixed_z = torch.randn(64, args.z_dim, device=device)
    for epoch in range(1, args.epochs + 1):
        bar = Progress(loader, f"epoch {epoch}/{args.epochs}", len(loader), enabled=not args.no_progress)
        sums = {"d_loss": 0.0, "g_loss": 0.0, "D(x)": 0.0, "D(G(z))": 0.0}
        steps = 0
        for real, _ in bar:
            real = real.to(device)
            n = real.shape[0]
            ones, zeros = torch.ones(n, 1, device=device), torch.zeros(n, 1, device=device)
            # discriminator: real -> 1, fake -> 0 (the fake batch is detached: no generator gradient here)
            fake = G(torch.randn(n, args.z_dim, device=device))
            d_real, d_fake = D(real), D(fake.detach())
            d_loss = F.binary_cross_entropy_with_logits(d_real, ones) + \
                F.binary_cross_entropy_with_logits(d_fake, zeros)
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            # generator: the non-saturating objective, make D call the fakes real
            g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
            steps += 1
            for k, v in (("d_loss", d_loss.item()), ("g_loss", g_loss.item()),
                         ("D(x)", d_real.sigmoid().mean().item()), ("D(G(z))", d_fake.sigmoid().mean().item())):
                sums[k] += v
            bar.update(n, d=sums["d_loss"] / steps, g=sums["g_loss"] / steps)
        rate = bar.close()
        print(f"epoch {epoch:2d}  " + "  ".join(f"{k} {v / steps:.3f}" for k, v in sums.items())
              + f"  {rate:,.0f} img/s")

    G.eval()
    with torch.no_grad():
        samples = (G(fixed_z) + 1) / 2
    png = os.path.join(out, f"{args.dataset}_gan_samples.png")
    write_png(png, image_grid(samples, nrow=8))
    ckpt = os.path.join(out, f"{args.dataset}_gan.pt")
    torch.save({"generator": G.state_dict(), "discriminator": D.state_dict(), "args": vars(args)}, ckpt)
    print(f"\n{time.perf_counter() - t0:.0f} s in all\nsamples:    {png}\ncheckpoint: {ckpt}")
    return {"png": png, "d_loss": sums["d_loss"] / steps, "g_loss": sums["g_loss"] / steps}


if __name__ == "__main__":
    main()
