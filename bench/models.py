"""The benchmark's networks, each written once against a namespace ``nn``.

``mlp(torch.nn)`` and ``mlp(minigrad.nn)`` build the same architecture in the two
frameworks: the benchmark code never branches on which one it is timing. ``Framework``
wraps the handful of things that do differ (making tensors from NumPy arrays, waiting
for a GPU, the default thread settings).
"""
import numpy as np

# ------------------------------------------------------------------- networks


def mlp(nn, hidden=128, in_features=784, classes=10):
    """The MNIST MLP: flatten a (N, 1, 28, 28) batch, 784-hidden-10 with one ReLU."""
    return nn.Sequential(nn.Flatten(), nn.Linear(in_features, hidden), nn.ReLU(),
                         nn.Linear(hidden, classes))


def lenet(nn):
    """LeNet-5 for 28x28 inputs: conv 1->6 5x5 pad 2, pool, conv 6->16 5x5, pool, 400-120-84-10."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def mlp_wide(nn, width=4096, classes=10):
    """A wide MLP for a GEMM-bound GPU step: width-width-width-classes with ReLUs."""
    return nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, classes))


def bn_cnn(nn):
    """A small modern CNN: two conv 3x3 - BatchNorm - ReLU - max-pool blocks (1->16->32
    channels), then one linear layer, 32*7*7 -> 10 (the BatchNorm layers in training mode)."""
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10))


def blobs_mlp(nn, widths=(2, 16, 32, 64, 32, 16, 8)):
    """The small MLP for 8-class 2-D blobs: 2-16-32-64-32-16-8, ReLU between layers."""
    layers = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(a, b))
    return nn.Sequential(*layers)


# ------------------------------------------------------------------ frameworks


class Framework:
    """One framework's namespaces (``lib``, ``nn``, ``F``, ``optim``) on one device."""

    def __init__(self, name, device="cpu"):
        self.name = name
        self.device = device
        if name == "torch":
            import torch
            import torch.nn.functional as F
            self.lib, self.nn, self.F, self.optim = torch, torch.nn, F, torch.optim
        elif name == "minigrad":
            import minigrad
            import minigrad.nn  # noqa: F401  (explicit: __init__ may not import them yet)
            import minigrad.nn.functional as F
            import minigrad.optim  # noqa: F401
            self.lib, self.nn, self.F, self.optim = minigrad, minigrad.nn, F, minigrad.optim
        else:
            raise ValueError(f"unknown framework {name!r} (expected 'minigrad' or 'torch')")

    def __repr__(self):
        return f"Framework({self.name!r}, device={self.device!r})"

    def tensor(self, array, requires_grad=False):
        """A tensor on this framework's device holding a copy of NumPy ``array``."""
        t = self.lib.from_numpy(np.ascontiguousarray(array).copy())
        if self.device != "cpu":
            t = t.to(self.device)
        if requires_grad:
            t.requires_grad_(True)
        return t

    def build(self, make, *args, **kwargs):
        """``make(self.nn, ...)`` in float32 on this framework's device."""
        model = make(self.nn, *args, **kwargs).float()
        return model.to(self.device) if self.device != "cpu" else model

    def synchronize(self):
        """Wait for queued GPU work (a no-op on the CPU) so timers see the whole step."""
        if self.device == "cpu":
            return
        if self.name == "torch":
            self.lib.cuda.synchronize()
        else:
            import cupy
            cupy.cuda.Device().synchronize()


def copy_parameters(src, dst):
    """Give ``dst`` (a model of the other framework) the weights of ``src``, so both
    frameworks do exactly the same arithmetic (same ReLU sparsity, same loss)."""
    sp, dp = list(src.parameters()), list(dst.parameters())
    if [tuple(p.shape) for p in sp] != [tuple(p.shape) for p in dp]:
        raise ValueError("the two models have different parameter shapes")
    for a, b in zip(sp, dp):
        values = np.array(a.detach().cpu().numpy())  # dst casts to its own dtype
        if type(b).__module__.startswith("torch"):
            import torch
            with torch.no_grad():
                b.copy_(torch.from_numpy(values))
        elif b.device.type == "cpu":  # minigrad
            b.data[...] = values
        else:  # minigrad on CUDA
            import cupy
            b.data[...] = cupy.asarray(values)
