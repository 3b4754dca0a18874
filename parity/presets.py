"""The runs ``python -m parity`` knows by name: the tutorials' data, networks and recipes.

A ``Preset`` is a data set plus one or more ``Experiment``s (a network and how to train
it); ``circles`` has two, a linear model and a ReLU model. Data for blobs and circles
come from scikit-learn (nothing to download); MNIST is read from IDX files.
"""
from dataclasses import dataclass, field

import numpy as np

from . import models


@dataclass
class Data:
    """NumPy arrays: ``train = (X, y)``, ``test = (X, y)``; y holds class indices."""
    train: tuple
    test: tuple
    source: str = ""

    def limited(self, limit):
        """The first ``limit`` training and test samples (all of them for None)."""
        if not limit:
            return self
        return Data(tuple(a[:limit] for a in self.train), tuple(a[:limit] for a in self.test),
                    f"{self.source}, first {limit} samples")


@dataclass
class Experiment:
    """A network (a description, see ``parity.models``) and its training recipe."""
    label: str
    model: object
    loss: str                        # a ``parity.lockstep.LOSSES`` name
    optimizer: str
    lr: float
    batch_size: int = None           # None: the full training set every step
    optimizer_kwargs: dict = field(default_factory=dict)
    steps: int = 200                 # lockstep steps
    epochs: int = 10                 # end-to-end epochs
    eval_every: int = 1              # end-to-end: epochs between accuracy measurements
    acc_tolerance: float = 2.0       # end-to-end: allowed accuracy gap, percentage points

    def recipe(self, **overrides):
        """Keyword arguments for ``parity.lockstep``/``parity.endtoend``: model, loss and
        training recipe, with ``overrides`` applied (``steps=5``, ``dtype="float32"``...)."""
        kw = {"model": self.model, "loss": self.loss, "optimizer": self.optimizer,
              "lr": self.lr, "optimizer_kwargs": dict(self.optimizer_kwargs),
              "batch_size": self.batch_size, "name": self.label}
        kw.update(overrides)
        return kw


@dataclass
class Preset:
    name: str
    description: str
    data: object                     # data(data_root, download) -> Data
    experiments: list
    needs_download: bool = False


class DataMissing(RuntimeError):
    """The data a preset needs are not where it looked (the message says where and how)."""


# ----------------------------------------------------------------------- data


def _split(X, y, seed=42):
    from sklearn.model_selection import train_test_split
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=seed)
    return (X_train, y_train), (X_test, y_test)


def blobs2_data(data_root=None, download=False):
    from minigrad.datasets import blobs
    X, y = blobs(n_samples=1000, centers=2, cluster_std=1.5, random_state=42)
    train, test = _split(X, y)
    return Data(train, test, "sklearn make_blobs: 1,000 points, 2 classes")


def blobs8_data(data_root=None, download=False):
    from minigrad.datasets import blobs
    X, y = blobs(n_samples=10000, centers=8, cluster_std=1.5, random_state=42)
    train, test = _split(X, y)
    return Data(train, test, "sklearn make_blobs: 10,000 points, 8 classes")


def circles_data(data_root=None, download=False):
    from minigrad.datasets import circles
    X, y = circles(n_samples=1000, noise=0.03, random_state=42)
    train, test = _split(X, y)
    return Data(train, test, "sklearn make_circles: 1,000 points, 2 classes")


def mnist_data(data_root=None, download=False):
    """MNIST as float images in [0, 1], N x 1 x 28 x 28, and int64 labels, from
    ``data_root``, else where ``minigrad.datasets`` looks (``$MINIGRAD_MNIST``, then the
    default root); ``download`` fetches what is missing there.

    minigrad's side is read by ``minigrad.datasets.MNIST``. Wherever torchvision imports,
    PyTorch's side is read by ``torchvision.datasets.MNIST`` with
    ``transforms.ToTensor()``, and the two must be the very same arrays (lockstep feeds
    both networks identical batches); elsewhere both sides use minigrad's arrays, and the
    data's description says why in one line."""
    import minigrad.datasets as D
    from . import vision
    splits, folders = [], []
    for train in (True, False):
        try:
            if download:
                D.MNIST(data_root, train=train, download=True)
            folder = D.MNIST.locate(data_root, train=train, arg="--data-root",
                                    download="--download")
            ds = D.MNIST(folder, train=train)
        except RuntimeError as e:  # DataNotFound, a damaged file, a failed download
            raise DataMissing(str(e)) from None
        images = np.asarray(ds.data.numpy(), dtype=np.float32).reshape(-1, 1, 28, 28) / 255
        splits.append((images, np.asarray(ds.targets.numpy(), dtype=np.int64)))
        folders.append(folder)
    source = f"MNIST IDX files in {folder}"
    torchvision, why = vision.import_torchvision()
    if torchvision is None:
        return Data(splits[0], splits[1], f"{source}, read by minigrad.datasets.MNIST for both "
                    f"sides (torchvision is not usable here: {why})")
    for (X, y), (tX, ty), split in zip(splits, vision.torchvision_arrays(D.MNIST, folders),
                                       ("training", "test")):
        if not (np.array_equal(X, tX) and np.array_equal(y, ty)):
            raise RuntimeError(f"the MNIST {split} set read by torchvision differs from "
                               "minigrad.datasets.MNIST's: a loader bug, please report it")
    return Data(splits[0], splits[1], f"{source}; minigrad's side read by "
                "minigrad.datasets.MNIST, PyTorch's by torchvision.datasets.MNIST with "
                "transforms.ToTensor() (the same arrays, checked)")


# -------------------------------------------------------------------- presets


PRESETS = {p.name: p for p in [
    Preset("blobs8-mlp",
           "8-class blobs (10,000 points), the 2-16-32-64-32-16-8 ReLU MLP, CrossEntropyLoss, "
           "full-batch SGD lr 0.1",
           blobs8_data,
           [Experiment("blobs8-mlp", models.blobs8_mlp, "cross_entropy", "sgd", lr=0.1,
                       steps=200, epochs=1000, eval_every=50)]),
    Preset("blobs-mlp",
           "2-class blobs (1,000 points), MLP 2-8-8-1 with squeeze(1) logits, "
           "BCEWithLogitsLoss, full-batch SGD lr 0.01",
           blobs2_data,
           [Experiment("blobs-mlp", models.blobs_mlp, "bce_with_logits", "sgd", lr=0.01,
                       steps=300, epochs=300, eval_every=25)]),
    Preset("circles",
           "2 concentric circles (1,000 points): a linear 2-5-1 model (SGD) fails, a ReLU "
           "2-10-10-1 model (Adam) succeeds",
           circles_data,
           [Experiment("circles-linear", models.circles_linear, "bce_with_logits", "sgd",
                       lr=0.1, steps=300, epochs=1000, eval_every=100, acc_tolerance=10.0),
            Experiment("circles-relu", models.circles_relu, "bce_with_logits", "adam",
                       lr=0.01, steps=300, epochs=1000, eval_every=100)]),
    Preset("mnist-mlp",
           "MNIST, 784-128-10 MLP with ReLU, CrossEntropyLoss, Adam lr 1e-3, batch 64",
           mnist_data,
           [Experiment("mnist-mlp", models.mnist_mlp, "cross_entropy", "adam", lr=1e-3,
                       batch_size=64, steps=200, epochs=2)],
           needs_download=True),
    Preset("mnist-lenet",
           "MNIST, LeNet-5 (conv(1,6,5)-relu-maxpool2-conv(6,16,5)-relu-maxpool2-"
           "fc120-fc84-fc10), CrossEntropyLoss, Adam lr 1e-3, batch 64",
           mnist_data,
           [Experiment("mnist-lenet", models.lenet, "cross_entropy", "adam", lr=1e-3,
                       batch_size=64, steps=100, epochs=1)],
           needs_download=True),
]}

DEFAULT = "blobs8-mlp"


def get(name):
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; known presets: {', '.join(PRESETS)}")
    return PRESETS[name]
