"""End-to-end comparison: each framework trains the network on its own, start to finish.

Unlike lockstep, nothing is shared but the data and the recipe: each side seeds its own
generator, draws its own initial weights, shuffles with its own ``DataLoader`` and runs
the same training loop (written once, below, against either framework). What should
agree is where they end up: the accuracy curves, side by side.
"""
import time
from dataclasses import dataclass, field

import numpy as np

from . import models
from .lockstep import _progress, evaluate, is_binary, make_loss, make_optimizer
from .models import FRAMEWORKS, build, from_numpy


@dataclass
class Curve:
    """One framework's run: accuracy (on the test data) and mean training loss by epoch.

    ``epochs[0] == 0`` is the untrained model; ``loss`` at epoch 0 is NaN.
    """
    framework: str
    epochs: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    seconds: float = 0.0             # training time, evaluation excluded

    @property
    def final_accuracy(self):
        return self.accuracy[-1] if self.accuracy else float("nan")


@dataclass
class EndToEndResult:
    name: str
    dtype: str
    epochs: int
    curves: list                     # one Curve per framework, in ``frameworks`` order
    config: dict = field(default_factory=dict)

    @property
    def frameworks(self):
        return tuple(c.framework for c in self.curves)

    @property
    def accuracy_gap(self):
        """|final accuracy of one - of the other|, as a fraction."""
        a, b = (c.final_accuracy for c in self.curves)
        return abs(a - b)


def train_loop(fw_name, model, loss_fn, optimizer, batches):
    """One epoch of the five steps every tutorial has; the same code for both frameworks.
    Returns the mean loss over the batches."""
    total, n = 0.0, 0
    for xb, yb in batches:
        optimizer.zero_grad()
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        optimizer.step()
        total += loss.item()
        n += 1
    return total / max(n, 1)


def endtoend(model, loss, train, test, *, optimizer="sgd", lr=0.01, optimizer_kwargs=None,
             epochs=10, batch_size=None, dtype="float32", seed=0, device="cpu",
             eval_every=1, frameworks=FRAMEWORKS, name=None, progress=False):
    """Train ``model`` (a description) independently in each framework; accuracy curves.

    ``train``/``test`` are ``(X, y)`` NumPy arrays. Full-batch training (``batch_size``
    None) feeds the whole training set every step; otherwise each framework's
    ``utils.data.DataLoader(TensorDataset(X, y), batch_size, shuffle=True)`` makes the
    batches, as in the tutorials. Test accuracy is measured before training and every
    ``eval_every`` epochs (and after the last).
    """
    dtype = models.dtype_name(dtype)
    binary = is_binary(loss)
    X, y = train
    curves = []
    for fw_name in frameworks:
        fw = models.framework(fw_name)
        net = build(model, fw_name, dtype=dtype, device=device, seed=seed)
        loss_fn = make_loss(fw_name, loss)
        opt = make_optimizer(fw_name, net, optimizer, lr, **dict(optimizer_kwargs or {}))
        Xt = from_numpy(fw_name, X, dtype=dtype, device=device)
        yt = from_numpy(fw_name, y.astype(dtype if binary else np.int64), device=device)
        if batch_size is None or batch_size >= len(X):
            batches = [(Xt, yt)]
        else:
            data = fw.utils.data
            batches = data.DataLoader(data.TensorDataset(Xt, yt), batch_size=batch_size,
                                      shuffle=True)
        curve = Curve(fw_name, [0], [evaluate(fw_name, net, test, binary, dtype, device)],
                      [float("nan")])
        bar = _progress(epochs, f"{name or 'train'} {fw_name} {dtype}", progress)
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            mean_loss = train_loop(fw_name, net, loss_fn, opt, batches)
            curve.seconds += time.perf_counter() - start
            if epoch % eval_every == 0 or epoch == epochs:
                curve.epochs.append(epoch)
                curve.accuracy.append(evaluate(fw_name, net, test, binary, dtype, device))
                curve.loss.append(mean_loss)
            bar.update(1)
        bar.close()
        curves.append(curve)
    config = {"optimizer": optimizer, "lr": lr, "optimizer_kwargs": dict(optimizer_kwargs or {}),
              "batch_size": batch_size, "seed": seed, "device": str(device),
              "loss": loss if isinstance(loss, str) else repr(loss),
              "train_size": int(len(X)), "test_size": int(len(test[0]))}
    return EndToEndResult(name or getattr(model, "__name__", "model"), dtype, epochs, curves,
                          config)
