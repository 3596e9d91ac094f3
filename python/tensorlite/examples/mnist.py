"""Train a classifier on MNIST (or Fashion-MNIST) with tensorlite: the project's main job.

    python -m tensorlite.examples.mnist                      # MLP on the bundled MNIST split, < 2 min on 2 cores
    python -m tensorlite.examples.mnist --dataset fashion-mnist --epochs 15
    python -m tensorlite.examples.mnist --optimizer sgd --schedule plateau --quick

A PyTorch training script, written against tensorlite: swap `import tensorlite as torch` for
`import torch` (and `tensorlite.datasets` for torchvision's) and the model, loss, optimizer, schedule
and loop are unchanged. It holds out a validation split from the training images, augments each batch
with random shifts, stops early when the validation loss stops improving, keeps a checkpoint of the
best model (`tensorlite.save`), reports the test accuracy of that model and plots the curves.
"""
from __future__ import annotations

import argparse
import math
import os
import time

import tensorlite as torch
import tensorlite.nn as nn
import tensorlite.nn.functional as F
from tensorlite.utils.data import DataLoader, TensorDataset

from ._common import Progress, load_images, out_dir, pick_device, plot_curves, random_shift, split_train_val


def mlp(hidden=(1024, 512), dropout=0.2):
    layers, width = [nn.Flatten()], 28 * 28
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(dropout)]
        width = h
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def lenet5():
    """LeNet-5 (LeCun et al. 1998) for 28x28 inputs: the first convolution pads by 2, as usual."""
    if not hasattr(nn, "Conv2d"):
        raise SystemExit("--model lenet needs nn.Conv2d, which tensorlite does not have yet; use --model mlp")
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def evaluate(model, loader, device):
    """(mean loss, accuracy) over a loader, in eval mode without a graph."""
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            logits = model(x)
            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            n += y.shape[0]
    return total_loss / n, correct / n


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=["mlp", "lenet"], default="mlp")
    p.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    p.add_argument("--data-root", default=None, help="folder with the IDX files (default: $TENSORLITE_DATA, "
                                                    "the Debian dataset package, then the bundled MNIST split)")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--lr", type=float, default=None, help="default: 1e-3 for Adam, 0.05 for SGD")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=0.0, help="L2 penalty through the optimizer")
    p.add_argument("--l1", type=float, default=0.0, help="L1 penalty on the weights, added to the loss")
    p.add_argument("--schedule", choices=["step", "plateau", "none"], default="step")
    p.add_argument("--patience", type=int, default=6, help="early stopping: epochs without a better "
                                                          "validation loss")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--no-augment", action="store_true", help="no random shifts of the training images")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--out", default="runs/mnist", help="where the checkpoint and the plot go")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--quick", action="store_true", help="a smoke run: 2 epochs on 1,000 images")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    out = out_dir(args.out)
    t_start = time.perf_counter()

    train_x, train_y, test_x, test_y, source = load_images(args.dataset, args.data_root)
    if args.quick:
        args.epochs = min(args.epochs, 2)
        train_x, train_y, test_x, test_y = train_x[:1000], train_y[:1000], test_x[:500], test_y[:500]
    train_set, val_set = split_train_val(train_x, train_y, args.val_fraction, args.seed)
    print(f"data: {source!r}\n      {len(train_set)} train / {len(val_set)} validation / {test_x.shape[0]} test "
          f"images; device {device}, {torch.get_num_threads()} threads")

    g = torch.Generator().manual_seed(args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=g)
    val_loader = DataLoader(val_set, batch_size=1000)
    test_loader = DataLoader(TensorDataset(test_x, test_y), batch_size=1000)

    model = (mlp() if args.model == "mlp" else lenet5()).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {args.model}, {n_params:,} parameters\n{model}")
    if args.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=args.lr or 1e-3, weight_decay=args.weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=args.lr or 0.05, momentum=args.momentum,
                              weight_decay=args.weight_decay)
    if args.schedule == "step":
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, args.epochs // 3), gamma=0.3)
    elif args.schedule == "plateau":
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.3, patience=2)
    else:
        sched = None
    fill = float(train_x.min())  # the background value, for the border a shift uncovers
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]

    ckpt_path = os.path.join(out, f"{args.dataset}_{args.model}_best.pt")
    history = {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc", "lr")}
    best_val, bad_epochs, best_epoch = math.inf, 0, 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        bar = Progress(train_loader, f"epoch {epoch}/{args.epochs}", len(train_loader),
                       enabled=not args.no_progress)
        run_loss, run_correct, run_n = 0.0, 0, 0
        for x, y in bar:
            x, y = x.to(device), y.to(device)
            if not args.no_augment:
                x = random_shift(x, 2, fill)
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            if args.l1:
                loss = loss + args.l1 * sum(w.abs().sum() for w in weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            n = y.shape[0]
            run_loss += loss.item() * n
            run_correct += (logits.argmax(1) == y).sum().item()
            run_n += n
            bar.update(n, loss=run_loss / run_n)
        rate = bar.close()
        val_loss, val_acc = evaluate(model, val_loader, device)
        lr = opt.param_groups[0]["lr"]
        for k, v in zip(history, (run_loss / run_n, run_correct / run_n, val_loss, val_acc, lr)):
            history[k].append(v)
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step(val_loss)
        elif sched is not None:
            sched.step()
        improved = val_loss < best_val
        print(f"epoch {epoch:2d}  train loss {run_loss / run_n:.4f} acc {run_correct / run_n:.4f}  "
              f"val loss {val_loss:.4f} acc {val_acc:.4f}  lr {lr:.2e}  {rate:,.0f} img/s"
              + ("  *" if improved else ""))
        if improved:
            best_val, bad_epochs, best_epoch = val_loss, 0, epoch
            torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": opt.state_dict(),
                        "val_loss": val_loss, "val_acc": val_acc, "args": vars(args)}, ckpt_path)
        else:
            bad_epochs += 1
            if bad_epochs >= args.patience:
                print(f"early stopping: no better validation loss for {args.patience} epochs")
                break

    ckpt = torch.load(ckpt_path)
    model.load_state_dict(ckpt["model"])
    test_loss, test_acc = evaluate(model, test_loader, device)
    elapsed = time.perf_counter() - t_start
    print(f"\ntest accuracy {test_acc * 100:.2f}% (loss {test_loss:.4f}) with the best model, from epoch "
          f"{best_epoch}; {elapsed:.0f} s in all")
    print(f"checkpoint: {ckpt_path}")
    plot = plot_curves(os.path.join(out, f"{args.dataset}_{args.model}_curves.png"), history,
                       f"{args.model} on {args.dataset}: test accuracy {test_acc * 100:.2f}%")
    if plot:
        print(f"plot:       {plot}")
    return {"test_acc": test_acc, "test_loss": test_loss, "history": history, "checkpoint": ckpt_path,
            "plot": plot, "seconds": elapsed}


if __name__ == "__main__":
    main()
