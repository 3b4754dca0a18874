"""torchvision for the PyTorch side of MNIST / Fashion-MNIST runs, wherever it imports.

The examples and ``python -m parity``'s MNIST presets load the PyTorch side's data as a
PyTorch user writes it::

    from torchvision import datasets, transforms
    train_set = datasets.MNIST(root, train=True, download=False,
                               transform=transforms.ToTensor())

whenever torchvision imports, and fall back to the arrays ``minigrad.datasets`` read
(saying so in one line) when it does not. Importing can fail in more ways than
ImportError: a torchvision wheel built for a CUDA torch installs beside the CPU torch and
then fails on import with a RuntimeError (``operator torchvision::nms does not exist``).

torchvision reads only its own layout, ``<root>/<Name>/raw/`` holding the *decompressed*
IDX files (with ``download=False``; it would try to download over ``.gz`` files whose md5
differs from the canonical one, such as the project's recompressed offline copy).
``torchvision_root`` hands it such a root: the folder minigrad found, when it already is
that layout, else a temporary one with decompressed copies, deleted afterwards (torchvision
reads the whole split into memory when the dataset is made).
"""
import contextlib
import gzip
import os
import pathlib
import shutil
import tempfile


def import_torchvision():
    """``(torchvision, None)``, or ``(None, why)`` with ``why`` one line saying why
    torchvision cannot be used here (the exception's type and first line)."""
    try:
        import torchvision
        from torchvision import datasets, transforms  # noqa: F401  (what the callers use)
    except Exception as e:  # ImportError; RuntimeError from a CUDA build on a CPU torch
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        return None, f"{type(e).__name__}: {first}" if first else type(e).__name__
    return torchvision, None


def fallback_note(dataset, why):
    """The one line that says the PyTorch side does not use torchvision, and why."""
    return (f"data: torchvision is not usable here ({why}), so PyTorch trains on the arrays "
            f"read by minigrad.datasets.{dataset}, wrapped in torch tensors (the values "
            "transforms.ToTensor() gives: uint8 / 255 in float32, 1 x 28 x 28)")


def _decompressed_in(folder, stems):
    return all((folder / stem).is_file() for stem in stems)


@contextlib.contextmanager
def torchvision_root(cls, folders):
    """A root that torchvision's ``cls.__name__`` dataset reads with ``download=False``.

    ``cls`` is a ``minigrad.datasets`` class (MNIST, FashionMNIST); ``folders`` are the
    folders minigrad found the training and test files in (``cls.locate``). Yields
    ``(root, how)``: ``how`` says in words where the files came from.
    """
    folders = [pathlib.Path(f) for f in folders]
    stems = [s for train in (True, False) for s in cls._stems_of(train)]
    raw = folders[0]
    if (all(f == raw for f in folders) and raw.name == "raw" and raw.parent.name == cls.__name__
            and _decompressed_in(raw, stems)):
        yield str(raw.parent.parent), f"{raw.parent.parent}"
        return
    tmp = tempfile.mkdtemp(prefix="minigrad-torchvision-")
    try:
        target = pathlib.Path(tmp) / cls.__name__ / "raw"
        target.mkdir(parents=True)
        for train, folder in zip((True, False), folders):
            for path in cls._files_in(folder, train):
                data = path.read_bytes()
                if data[:2] == b"\x1f\x8b":
                    data = gzip.decompress(data)
                stem = path.name[:-3] if path.name.endswith(".gz") else path.name
                (target / stem).write_bytes(data)
        where = ", ".join(sorted({os.fspath(f) for f in folders}))
        yield tmp, f"a temporary {cls.__name__}/raw/ decompressed from {where}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def torchvision_arrays(cls, folders):
    """``[(X, y) training, (X, y) test]`` as NumPy arrays, read the way a PyTorch user
    reads them: ``torchvision.datasets.<Name>(root, train, transform=transforms.ToTensor())``
    batched by a ``torch.utils.data.DataLoader``. Needs torchvision (see
    ``import_torchvision``); ``cls`` and ``folders`` as for ``torchvision_root``."""
    import torch
    from torchvision import datasets, transforms
    TV = getattr(datasets, cls.__name__)
    with torchvision_root(cls, folders) as (root, _):
        sets = [TV(root, train=train, download=False, transform=transforms.ToTensor())
                for train in (True, False)]
    out = []
    for ds in sets:
        X, y = next(iter(torch.utils.data.DataLoader(ds, batch_size=len(ds))))
        out.append((X.numpy(), y.numpy()))
    return out
