"""What every example shares: command line, framework choice, progress bar, summary, plots.

Each example is written once against the names ``torch``, ``nn``, ``F``, ``optim`` and
``DataLoader``; ``framework(name)`` hands it either PyTorch's modules or minigrad's::

    fw = framework("minigrad")      # or "torch"
    torch, nn, optim = fw.torch, fw.nn, fw.optim

An example defines ``train(args, fw) -> Result`` (data, model, training loop, accuracy)
and ``plot(args, result, out) -> [png paths]``; ``run`` parses nothing itself: it times
``train``, calls ``plot``, and prints the summary. With ``--compare`` it trains on both
frameworks and also draws both runs' curves in one figure.

matplotlib is imported only when a picture is drawn, with the non-interactive Agg backend.
"""
import argparse
import dataclasses
import os
import sys
import time
import types

import numpy as np

# Let `python examples/X.py` import minigrad from the repository without installing it.
_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

FRAMEWORKS = ("minigrad", "torch")
# --dataset's choices: the name of the class in minigrad.datasets and in torchvision.datasets
DATASETS = {"mnist": "MNIST", "fashion": "FashionMNIST"}


# ------------------------------------------------------------------ command line


def parse_args(argv, example, description, epochs, quick_epochs=None, extra=None,
               mnist=False, fashion=False):
    """The options every example takes (``extra(parser)`` may add its own; ``mnist``
    adds ``--data-root`` and ``--download``, ``fashion`` also ``--dataset mnist|fashion``).

    ``epochs`` is the tutorial's setting; ``--quick`` switches to a tiny configuration
    (``quick_epochs`` epochs, small data subsets) for tests and smoke runs.
    """
    p = argparse.ArgumentParser(prog=f"python examples/{example}.py", description=description,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--framework", choices=FRAMEWORKS, default="minigrad",
                   help="which library runs the example (default: minigrad)")
    p.add_argument("--compare", action="store_true",
                   help="run on both frameworks and draw both runs' curves in one figure")
    p.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    p.add_argument("--epochs", type=int, default=None,
                   help=f"training epochs (default: {epochs}; with --quick: "
                        f"{quick_epochs or epochs})")
    p.add_argument("--out", default=None,
                   help=f"folder for the pictures (default: ./out/{example})")
    if mnist or fashion:
        p.add_argument("--data-root", default=None,
                       help="a folder holding the four MNIST IDX files, or MNIST/raw/ with "
                            "them (default: $MINIGRAD_MNIST, else $MINIGRAD_DATA, else ./data)"
                            + ("; for --dataset fashion, FashionMNIST/raw/ and "
                               "$MINIGRAD_FASHIONMNIST" if fashion else ""))
        p.add_argument("--download", action="store_true",
                       help="fetch the MNIST files that are missing (into --data-root, else "
                            "$MINIGRAD_DATA, else ./data)")
    if fashion:
        p.add_argument("--dataset", choices=DATASETS, default="mnist",
                       help="the handwritten digits (mnist, the default) or Zalando's "
                            "Fashion-MNIST (fashion): the same sizes and file names")
    p.add_argument("--quick", action="store_true",
                   help="a tiny configuration (few epochs, small subsets) for smoke tests")
    p.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bars on stderr (default: only when stderr is a terminal)")
    if extra is not None:
        extra(p)
    args = p.parse_args(argv)
    args.example = example
    args.dataset = getattr(args, "dataset", "mnist")
    if args.epochs is None:
        args.epochs = (quick_epochs or epochs) if args.quick else epochs
    if args.out is None:
        args.out = os.path.join("out", example)
    if args.progress is None:
        args.progress = sys.stderr.isatty()
    return args


def fail(args, message):
    """End the run with one line on stderr and exit status 2: a mistake in how the
    example was called (data not found, no such device), not a bug worth a traceback."""
    print(f"python examples/{args.example}.py: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_device(args, names):
    """Fail (one line) unless every framework in ``names`` can use ``args.device``."""
    for name in names:
        try:
            if name == "torch":
                import torch
                torch.zeros(1, device=args.device)
            else:
                import minigrad
                minigrad.zeros(1, device=args.device)
        except Exception as e:  # an unknown name, no GPU, no CuPy, torch built without CUDA
            fail(args, f"--device {args.device} is not usable by {name} here ({e}); "
                       "use --device cpu")


# ------------------------------------------------------------------ frameworks


def framework(name):
    """``torch``, ``nn``, ``F``, ``optim``, ``DataLoader``, ``TensorDataset``, ``Subset``
    from PyTorch (``"torch"``) or minigrad (``"minigrad"``), in one namespace."""
    if name == "torch":
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim
        from torch.utils.data import DataLoader, Subset, TensorDataset
        # The first optimizer PyTorch builds imports torch._dynamo (seconds); do it here so
        # that the measured wall time is spent training, not importing.
        import torch._dynamo  # noqa: F401
    elif name == "minigrad":
        import minigrad as torch
        import minigrad.nn as nn
        import minigrad.nn.functional as F
        import minigrad.optim as optim
        from minigrad.utils.data import DataLoader, Subset, TensorDataset
    else:
        raise ValueError(f"unknown framework {name!r}: choose one of {', '.join(FRAMEWORKS)}")
    return types.SimpleNamespace(name=name, torch=torch, nn=nn, F=F, optim=optim,
                                 DataLoader=DataLoader, TensorDataset=TensorDataset,
                                 Subset=Subset)


def to_numpy(t):
    """A tensor of either framework as a NumPy array (detached, on the host)."""
    return np.asarray(t.detach().cpu().numpy())


# ------------------------------------------------------------------ results


def accuracy_fn(y_true, y_pred):
    """Percentage of predictions equal to the labels (the tutorials' accuracy_fn)."""
    return (y_true == y_pred).sum().item() / len(y_pred) * 100


def new_history():
    """Per-epoch lists, filled by ``record_epoch``: what ``plot_curves`` draws."""
    return {"epoch": [], "train_loss": [], "test_loss": [], "train_acc": [], "test_acc": []}


def record_epoch(history, epoch, train_loss, test_loss, train_acc, test_acc):
    """Append one epoch (counted from 1) to ``history``."""
    for key, value in [("epoch", epoch), ("train_loss", train_loss), ("test_loss", test_loss),
                       ("train_acc", train_acc), ("test_acc", test_acc)]:
        history[key].append(value)


@dataclasses.dataclass
class Result:
    """What ``train`` hands back: the final test accuracy (percent), the per-epoch
    history (lists under names such as ``train_loss``, ``test_acc``; ``epoch`` holds the
    x values), whatever ``plot`` needs (``extra``), and notes for the summary."""
    accuracy: float
    history: dict
    extra: dict = dataclasses.field(default_factory=dict)
    notes: list = dataclasses.field(default_factory=list)
    framework: str = ""
    seconds: float = 0.0
    pictures: list = dataclasses.field(default_factory=list)


def run(args, train, plot, curve_groups=None):
    """Train (timed), draw, summarise. Returns the Result, or {framework: Result} with
    ``--compare``. ``curve_groups`` (see ``plot_curves``) selects the curves that the
    comparison figure draws for both frameworks."""
    names = FRAMEWORKS if args.compare else (args.framework,)
    check_device(args, names)
    os.makedirs(args.out, exist_ok=True)
    results = {}
    for name in names:
        fw = framework(name)
        fw.torch.manual_seed(args.seed)
        start = time.perf_counter()
        result = train(args, fw)
        result.seconds = time.perf_counter() - start
        result.framework = name
        result.pictures = list(plot(args, result, args.out))
        results[name] = result
    if args.compare and args.epochs < 2:
        results["minigrad"].notes.append("no comparison figure: curves need two epochs or more")
    elif args.compare:
        path = os.path.join(args.out, "compare_curves.png")
        plot_curves({n: r.history for n, r in results.items()}, path,
                    title=f"{args.example}: minigrad (solid) vs PyTorch (dashed)",
                    groups=curve_groups)
        results["minigrad"].pictures.append(path)
    for result in results.values():
        print_summary(args, result)
    print("Wall time is one run's, evaluation and pictures included, on a machine that may be "
          "busy: for speed, `python -m bench` times both frameworks fairly.")
    return results if args.compare else results[args.framework]


def print_summary(args, result):
    """One line that says what ran and how well, then the pictures and notes."""
    print(f"Summary [{args.example} | {result.framework} | {args.device}]: test accuracy "
          f"{result.accuracy:.2f}% after {args.epochs} epoch(s){' (quick)' if args.quick else ''}"
          f", wall time {result.seconds:.1f} s")
    for path in result.pictures:
        print(f"  picture: {path}")
    for note in result.notes:
        print(f"  note: {note}")


# ------------------------------------------------------------------ progress bar


def progress(iterable, args, desc, total=None, leave=True):
    """A tqdm progress bar over ``iterable`` on a terminal (or the iterable itself with
    --no-progress, or when stderr is a file or a pipe)."""
    if not getattr(args, "progress", True):
        return _Quiet(iterable)
    from tqdm.auto import tqdm
    return tqdm(iterable, desc=desc, total=total, leave=leave, dynamic_ncols=True,
                file=sys.stderr)


class _Quiet:
    """Stands in for a tqdm bar: iterates, and ignores set_postfix."""

    def __init__(self, iterable):
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable)

    def set_postfix(self, *a, **k):
        pass


# ------------------------------------------------------------------ data


QUICK_TRAIN, QUICK_TEST = 512, 256  # MNIST images kept by --quick


def mnist(args, fw):
    """(train set, test set, note): MNIST, or Fashion-MNIST with ``--dataset fashion``, for
    ``fw``, as the tutorials load it.

    The files are found by ``minigrad.datasets``' rule (``--data-root``, else
    ``$MINIGRAD_MNIST`` / ``$MINIGRAD_FASHIONMNIST``, else ``$MINIGRAD_DATA`` or
    ``./data``); ``--download`` fetches what is missing. minigrad reads them with
    ``minigrad.datasets.MNIST`` (``FashionMNIST``). PyTorch uses
    ``torchvision.datasets.MNIST(..., transform=transforms.ToTensor())`` whenever
    torchvision imports; otherwise the very same arrays that minigrad read are wrapped in
    torch tensors (``ToTensor`` would give the same values: uint8 / 255 in float32, shape
    1x28x28), and the note says why in one line. ``--quick`` keeps the first 512 training
    and 256 test images.
    """
    import minigrad.datasets as datasets
    name = DATASETS[getattr(args, "dataset", "mnist")]
    Dataset = getattr(datasets, name)
    folders = []
    for train in (True, False):
        try:
            if args.download:
                Dataset(args.data_root, train=train, download=True)
            folders.append(Dataset.locate(args.data_root, train=train, arg="--data-root",
                                          download="--download"))
        except RuntimeError as e:  # not found, a damaged file, a failed download
            fail(args, str(e))
    if fw.name == "minigrad":
        train_set = Dataset(folders[0], train=True)
        test_set = Dataset(folders[1], train=False)
        note = f"data: minigrad.datasets.{name} from {folders[0]}"
    else:
        from parity import vision
        torchvision, why = vision.import_torchvision()
        if torchvision is None:
            return (*_torch_tensors(args, fw, Dataset, folders), vision.fallback_note(name, why))
        from torchvision import datasets as tv_datasets, transforms
        TV = tv_datasets.FashionMNIST if name == "FashionMNIST" else tv_datasets.MNIST
        with vision.torchvision_root(Dataset, folders) as (root, how):
            # What a PyTorch user writes (the files are there, so no download):
            train_set = TV(root, train=True, download=False, transform=transforms.ToTensor())
            test_set = TV(root, train=False, download=False, transform=transforms.ToTensor())
        note = f"data: torchvision.datasets.{name} with transforms.ToTensor(), from {how}"
    if args.quick:
        train_set = fw.Subset(train_set, list(range(QUICK_TRAIN)))
        test_set = fw.Subset(test_set, list(range(QUICK_TEST)))
    return train_set, test_set, note


def _torch_tensors(args, fw, Dataset, folders):
    """Without torchvision: the arrays minigrad read, as two torch TensorDatasets."""
    sets = []
    for folder, train, n in ((folders[0], True, QUICK_TRAIN), (folders[1], False, QUICK_TEST)):
        ds = Dataset(folder, train=train)
        n = n if args.quick else len(ds)
        images = ds.data.numpy()[:n].astype(np.float32).reshape(-1, 1, 28, 28)
        images /= 255  # what ToTensor does: uint8 -> float32 in [0, 1]
        labels = ds.targets.numpy()[:n].astype(np.int64)
        sets.append(fw.TensorDataset(fw.torch.from_numpy(images), fw.torch.from_numpy(labels)))
    return sets


# ------------------------------------------------------------------ plotting


def sample_predictions(model, test_set, args, torch, n=16):
    """(images, labels, predictions) of the first ``n`` test images, in eval mode: what
    the prediction grids plot."""
    model.eval()
    images = torch.stack([test_set[i][0] for i in range(n)])
    labels = [int(test_set[i][1]) for i in range(n)]
    with torch.no_grad():
        predictions = model(images.to(args.device)).argmax(1)
    return to_numpy(images), labels, to_numpy(predictions)


def pyplot():
    """matplotlib.pyplot with the Agg backend (imported on first use: files, no windows)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save(fig, path):
    """Save ``fig`` as PNG at ``path``, close it, return the path."""
    fig.savefig(path, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return path


# Which history keys share an axis: (y label, [(key, legend label), ...]).
LOSS_AND_ACCURACY = [("loss", [("train_loss", "train loss"), ("test_loss", "test loss")]),
                     ("accuracy (%)", [("train_acc", "train accuracy"),
                                       ("test_acc", "test accuracy")])]


def plot_curves(histories, path, title, groups=None):
    """Loss and accuracy per epoch, one panel per group; ``histories`` maps a run label
    to its history. Each curve keeps its colour in every run; several runs share the
    panels, the first run's lines solid, the second's dashed (the ``title`` says which
    is which), and the legends name each curve once."""
    plt = pyplot()
    groups = groups or LOSS_AND_ACCURACY
    fig, axes = plt.subplots(1, len(groups), figsize=(5.5 * len(groups), 4))
    axes = np.atleast_1d(axes)
    styles = ["-", "--", ":", "-."]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    epochs = max(len(h["epoch"]) for h in histories.values())
    for ax, (ylabel, keys) in zip(axes, groups):
        for k, (key, label) in enumerate(keys):
            color = colors[k % len(colors)]
            for r, h in enumerate(histories.values()):
                if h.get(key):
                    ax.plot(h["epoch"][:len(h[key])], h[key], styles[r % len(styles)],
                            color=color, marker="o" if epochs <= 12 else None, markersize=4,
                            label=label if r == 0 else None)
        _epoch_axis(ax, histories)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def _epoch_axis(ax, histories):
    """Whole epochs on the x axis; a one-epoch run says that a curve needs more."""
    from matplotlib.ticker import MaxNLocator
    last = max((h["epoch"][-1] for h in histories.values() if h["epoch"]), default=1)
    ax.set_xlabel("epoch" if last > 1 else "epoch (one epoch: a curve needs --epochs 2 or more)")
    if last <= 12:
        ax.set_xticks(range(1, last + 1))
        ax.set_xlim(0.5, last + 0.5)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_decision_boundary(ax, predict, X, y, title, resolution=300):
    """Colour the plane by the class ``predict`` gives each point (``predict``: NumPy
    float32 [n, 2] -> int labels [n]), with the data points on top."""
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0))
    (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype(np.float32)
    zz = np.asarray(predict(grid)).reshape(xx.shape)
    n_classes = int(max(y.max(), zz.max())) + 1
    levels = np.arange(n_classes + 1) - 0.5
    cmap = "RdYlBu" if n_classes <= 2 else "tab10"
    ax.contourf(xx, yy, zz, levels=levels, cmap=cmap, alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap=cmap, vmin=-0.5, vmax=n_classes - 0.5,
               edgecolors="k", linewidths=0.2)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("feature 0")
    ax.set_ylabel("feature 1")
    ax.set_title(title)


def plot_boundaries(panels, path, title):
    """Decision boundaries side by side: ``panels`` is [(predict, X, y, subtitle), ...]."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 5), squeeze=False)
    for ax, (predict, X, y, subtitle) in zip(axes[0], panels):
        plot_decision_boundary(ax, predict, X, y, subtitle)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def plot_predictions(images, labels, predictions, path, title, columns=8):
    """A grid of images, each titled "pred P (true T)" -- green when right, red when wrong."""
    plt = pyplot()
    n = len(images)
    rows = (n + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.9 * rows + 0.5),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(np.asarray(images[i]).reshape(28, 28), cmap="gray_r")
        ok = int(predictions[i]) == int(labels[i])
        ax.set_title(f"pred {int(predictions[i])} (true {int(labels[i])})", fontsize=8,
                     color="green" if ok else "red")
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


def plot_filters(weights, path, title, columns=8):
    """Conv kernels ``weights`` (out_channels x 1 x k x k) as small grey images in a grid,
    each on its own colour scale (dark = negative, light = positive)."""
    plt = pyplot()
    w = np.asarray(weights)[:, 0]
    rows = (len(w) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.45 * rows + 0.6),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(w):
            ax.axis("off")
            continue
        lim = np.abs(w[i]).max() or 1.0
        ax.imshow(w[i], cmap="gray", vmin=-lim, vmax=lim)
        ax.set_title(f"filter {i}", fontsize=7)
    fig.suptitle(title)
    fig.text(0.5, 0.0, "light = positive weight, dark = negative (each kernel on its own "
             "symmetric scale; mid-grey = 0)", ha="center", va="top", fontsize=8)
    fig.tight_layout()
    return save(fig, path)
