"""Network descriptions written once, built in either framework.

A description is a function of a framework's ``nn`` namespace::

    def blobs8_mlp(nn):
        return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), ..., nn.Linear(16, 8))

    model = build(blobs8_mlp, "minigrad")   # minigrad.nn.Sequential
    model = build(blobs8_mlp, "torch")      # torch.nn.Sequential

Because both builds run the same code, the two models have the same layers under the
same ``state_dict`` names, which is what lets ``parity.convert.copy_state`` give them
identical weights.

This module also holds the few helpers that let the rest of parity drive either
framework with one piece of code: ``framework(name)``, ``to_numpy``, ``from_numpy``.
"""
import importlib

import numpy as np

FRAMEWORKS = ("minigrad", "torch")


# ------------------------------------------------------------------ frameworks


def framework(name):
    """The top-level module of a framework (``minigrad`` or ``torch``), with ``nn``,
    ``nn.functional``, ``optim`` and ``utils.data`` imported."""
    if name not in FRAMEWORKS:
        raise ValueError(f"unknown framework {name!r}; expected one of {FRAMEWORKS}")
    top = importlib.import_module(name)
    for sub in ("nn", "nn.functional", "optim", "utils.data"):
        try:
            importlib.import_module(f"{name}.{sub}")
        except ImportError:
            if sub in ("nn", "nn.functional"):
                raise
    return top


_framework = framework  # for build(), whose argument has the same name


def other(name):
    """The framework that is not ``name``."""
    return FRAMEWORKS[1 - FRAMEWORKS.index(name)]


def framework_of(obj):
    """``"torch"`` or ``"minigrad"``: which framework a tensor or module belongs to."""
    for cls in type(obj).__mro__:
        root = cls.__module__.split(".")[0]
        if root in FRAMEWORKS:
            return root
    raise TypeError(f"{type(obj).__name__} (from {type(obj).__module__}) is neither a minigrad "
                    "nor a torch object")


def dtype_of(fw_name, dtype):
    """``"float64"`` (or a framework dtype) -> that framework's dtype object."""
    return getattr(framework(fw_name), dtype_name(dtype))


def dtype_name(dtype):
    """``torch.float64``, ``minigrad.float64``, ``np.float64`` or ``"float64"`` -> ``"float64"``."""
    if isinstance(dtype, str):
        name = dtype
    elif str(dtype).startswith(("torch.", "minigrad.")):
        name = str(dtype).partition(".")[2]
    else:
        name = np.dtype(dtype).name
    return {"float": "float32", "double": "float64"}.get(name, name)


def resolve_device(fw_name, device):
    """The device a framework runs on: torch falls back to the CPU for devices it lacks
    (minigrad's ``"strict"`` test device, or ``"cuda"`` on a CPU-only torch build)."""
    device = str(device or "cpu")
    if fw_name == "torch":
        import torch
        if device.startswith("cuda") and torch.cuda.is_available():
            return device
        return "cpu"
    return device


def to_numpy(t):
    """A framework tensor (or None) -> a NumPy array on the host (a copy for torch)."""
    if t is None:
        return None
    return np.array(t.detach().cpu().numpy(), copy=True)


def from_numpy(fw_name, array, dtype=None, device="cpu"):
    """A NumPy array -> a tensor of the framework, optionally cast and moved."""
    fw = framework(fw_name)
    array = np.asarray(array, order="C")  # (ascontiguousarray would make a 0-d array 1-d)
    if dtype is not None and array.dtype.kind == "f":
        array = array.astype(dtype_name(dtype), copy=False)
    t = fw.from_numpy(array)
    device = resolve_device(fw_name, device)
    if device != "cpu":
        t = t.to(device)
    return t


def manual_seed(fw_name, seed):
    framework(fw_name).manual_seed(int(seed))


# --------------------------------------------------------------------- building


def build(desc, framework="minigrad", dtype=None, device="cpu", seed=None):
    """Build the network that ``desc(nn)`` describes in ``framework``.

    ``seed`` seeds that framework's random generator first (so the initial weights are
    reproducible); ``dtype`` (``"float64"``...) and ``device`` are applied afterwards.
    """
    fw = _framework(framework)
    if seed is not None:
        fw.manual_seed(int(seed))
    model = desc(fw.nn)
    if dtype is not None:
        model = model.to(dtype_of(framework, dtype))
    device = resolve_device(framework, device)
    if device != "cpu":
        model = model.to(device)
    return model


def named_modules(module, prefix=""):
    """``(name, module)`` for the module and every descendant, like torch's
    ``named_modules`` (works on any framework whose modules have ``named_children``)."""
    out = [(prefix, module)]
    for name, child in module.named_children():
        if child is None:
            continue
        out.extend(named_modules(child, f"{prefix}.{name}" if prefix else name))
    return out


def layer_of(model, param_name):
    """``("layers.0", "Linear")`` for a parameter named ``"layers.0.weight"``."""
    path = param_name.rpartition(".")[0]
    modules = dict(named_modules(model))
    mod = modules.get(path, model)
    return path, type(mod).__name__


# ------------------------------------------------------------------ descriptions
# The networks of the tutorials the presets come from. Each takes the ``nn`` namespace
# of a framework; keyword arguments give the sizes.


def blobs_mlp(nn, in_features=2, hidden=8, out_features=1):
    """Input-Hidden-ReLU-Hidden-ReLU-Output, returning ``squeeze(1)`` logits for a binary
    ``BCEWithLogitsLoss``."""

    class BlobsMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer_1 = nn.Linear(in_features, hidden)
            self.layer_2 = nn.Linear(hidden, hidden)
            self.layer_3 = nn.Linear(hidden, out_features)
            self.relu = nn.ReLU()

        def forward(self, x):
            x = self.relu(self.layer_1(x))
            x = self.relu(self.layer_2(x))
            return self.layer_3(x).squeeze(1)

    return BlobsMLP()


def blobs8_mlp(nn, sizes=(2, 16, 32, 64, 32, 16, 8)):
    """The 2-16-32-64-32-16-8 ReLU network of the 8-class blobs tutorial."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _logits(nn, body):
    """``body`` followed by ``squeeze(1)``: one logit per sample for ``BCEWithLogitsLoss``."""

    class BinaryClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = body

        def forward(self, x):
            return self.body(x).squeeze(1)

    return BinaryClassifier()


def circles_linear(nn, hidden=5):
    """Two linear layers and no non-linearity: a straight decision boundary, so it cannot
    separate the circles (about 50% accuracy)."""
    return _logits(nn, nn.Sequential(nn.Linear(2, hidden), nn.Linear(hidden, 1)))


def circles_relu(nn, hidden=10):
    """2-10-10-1 with ReLUs between the layers: learns the circular boundary."""
    return _logits(nn, nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                     nn.ReLU(), nn.Linear(hidden, 1)))


def mnist_mlp(nn, hidden=128):
    """784-128-10 with a ReLU, on flattened 28x28 images."""
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(),
                         nn.Linear(hidden, 10))


def lenet(nn):
    """LeNet-5 for 28x28 MNIST: conv(1,6,5)-relu-maxpool2-conv(6,16,5)-relu-maxpool2-
    flatten-fc120-relu-fc84-relu-fc10."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))
