"""An MLP autoencoder on MNIST (or Fashion-MNIST): 784 -> 256 -> 32 -> 256 -> 784 with a sigmoid output,
trained with binary cross-entropy and Adam. Saves a PNG with test images (top rows) over their
reconstructions (bottom rows), and the loss curves.

    python -m tensorlite.examples.autoencoder [--epochs 10] [--code 32] [--dataset fashion-mnist] [--quick]
"""
from __future__ import annotations

import argparse
import os
import time

import tensorlite as torch
import tensorlite.nn as nn
import tensorlite.nn.functional as F
from tensorlite.utils.data import DataLoader, TensorDataset

from ._common import (Progress, image_grid, load_images, out_dir, pick_device, plot_curves, split_train_val,
                      write_png)


class AutoEncoder(nn.Module):
    def __init__(self, code=32, hidden=256):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, code))
        self.decoder = nn.Sequential(nn.Linear(code, hidden), nn.ReLU(), nn.Linear(hidden, 784), nn.Sigmoid(),
                                     nn.Unflatten(1, (1, 28, 28)))

    def forward(self, x):
        return self.decoder(self.encoder(x))


def evaluate(model, loader, device):
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for x, _ in loader:
            x = x.to(device)
            total += F.binary_cross_entropy(model(x), x, reduction="sum").item() / 784
            n += x.shape[0]
    return total / n


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    p.add_argument("--data-root", default=None)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--code", type=int, default=32, help="size of the bottleneck")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto")
    p.add_argument("--out", default="runs/autoencoder")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--quick", action="store_true", help="a smoke run: 1 epoch on 1,000 images")
    args = p.parse_args(argv)

    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    out = out_dir(args.out)
    t0 = time.perf_counter()
    train_x, train_y, test_x, test_y, source = load_images(args.dataset, args.data_root, normalize=False)
    if args.quick:
        args.epochs = 1
        train_x, train_y, test_x, test_y = train_x[:1000], train_y[:1000], test_x[:200], test_y[:200]
    train_set, val_set = split_train_val(train_x, train_y, 0.1, args.seed)
    print(f"data: {source!r}; {len(train_set)} train / {len(val_set)} validation images")
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(args.seed))
    val_loader = DataLoader(val_set, batch_size=500)

    model = AutoEncoder(args.code).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    history = {"train_loss": [], "val_loss": []}
    for epoch in range(1, args.epochs + 1):
        model.train()
        bar = Progress(loader, f"epoch {epoch}/{args.epochs}", len(loader), enabled=not args.no_progress)
        total, n = 0.0, 0
        for x, _ in bar:
            x = x.to(device)
            loss = F.binary_cross_entropy(model(x), x)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * x.shape[0]
            n += x.shape[0]
            bar.update(x.shape[0], loss=total / n)
        rate = bar.close()
        val = evaluate(model, val_loader, device)
        history["train_loss"].append(total / n)
        history["val_loss"].append(val)
        print(f"epoch {epoch:2d}  train BCE {total / n:.4f}  val BCE {val:.4f}  {rate:,.0f} img/s")

    test_loss = evaluate(model, DataLoader(TensorDataset(test_x, test_y), batch_size=500), device)
    model.eval()
    with torch.no_grad():
        originals = test_x[:16].to(device)
        recon = model(originals)
    grid = image_grid(torch.cat([originals, recon]), nrow=16)
    png = os.path.join(out, f"{args.dataset}_reconstructions.png")
    write_png(png, grid)
    ckpt = os.path.join(out, f"{args.dataset}_autoencoder.pt")
    torch.save({"model": model.state_dict(), "args": vars(args)}, ckpt)
    print(f"\ntest reconstruction BCE per pixel {test_loss:.4f}; {time.perf_counter() - t0:.0f} s in all")
    print(f"reconstructions: {png}\ncheckpoint:      {ckpt}")
    plot = plot_curves(os.path.join(out, f"{args.dataset}_autoencoder_curves.png"), history,
                       f"autoencoder on {args.dataset}")
    if plot:
        print(f"plot:            {plot}")
    return {"test_loss": test_loss, "history": history, "png": png}


if __name__ == "__main__":
    main()
