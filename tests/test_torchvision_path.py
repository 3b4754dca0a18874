"""The PyTorch side of the MNIST / Fashion-MNIST examples and of parity's MNIST presets loads
through ``torchvision.datasets`` + ``transforms.ToTensor()`` whenever torchvision imports,
and falls back to minigrad's arrays, saying why in one line, when it does not.

torchvision does not import on the development machines (the wheels on the index are CUDA
builds), so the choice is checked with a stand-in: a fake ``torchvision`` put in
``sys.modules`` that records how it is called and reads torchvision's layout as the real
one does (``<root>/<Name>/raw/`` with the decompressed files). The comparison with the real
torchvision is in test_datasets.py and runs wherever torchvision imports.
"""
import gzip
import importlib
import pathlib
import sys
import types

import numpy as np
import pytest
import torch

from minigrad import datasets
from parity import presets, vision

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
common = importlib.import_module("common")

FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


# ------------------------------------------------------------ a torchvision stand-in

def fake_torchvision(calls, alter=None):
    """A module tree torchvision / torchvision.datasets / torchvision.transforms whose
    MNIST and FashionMNIST read ``root/<Name>/raw`` (decompressed files only, as the real
    one with download=False) and append ``(name, root, train, download, transform)`` to
    ``calls``; ``alter(images)`` may change the images it serves."""
    tv = types.ModuleType("torchvision")
    tv_datasets = types.ModuleType("torchvision.datasets")
    tv_transforms = types.ModuleType("torchvision.transforms")

    class ToTensor:
        def __call__(self, pic):  # an H x W uint8 array, as the real one given a PIL image
            return torch.from_numpy(pic[None].astype(np.float32) / np.float32(255))

    class FakeMNIST(torch.utils.data.Dataset):
        def __init__(self, root, train=True, transform=None, target_transform=None,
                     download=False):
            name = type(self).__name__
            calls.append((name, root, train, download, transform))
            raw = pathlib.Path(root) / name / "raw"
            prefix = "train" if train else "t10k"
            paths = [raw / f"{prefix}-images-idx3-ubyte", raw / f"{prefix}-labels-idx1-ubyte"]
            if not all(p.is_file() for p in paths):
                raise RuntimeError("Dataset not found. You can use download=True to download it")
            images = datasets.read_idx(paths[0])
            self.data = torch.from_numpy(alter(images) if alter else images.copy())
            self.targets = torch.from_numpy(datasets.read_idx(paths[1]).astype(np.int64))
            self.transform = transform

        def __getitem__(self, i):
            return self.transform(self.data[i].numpy()), int(self.targets[i])

        def __len__(self):
            return len(self.data)

    tv_datasets.MNIST = type("MNIST", (FakeMNIST,), {})
    tv_datasets.FashionMNIST = type("FashionMNIST", (FakeMNIST,), {})
    tv_transforms.ToTensor = ToTensor
    tv.datasets, tv.transforms = tv_datasets, tv_transforms
    return {"torchvision": tv, "torchvision.datasets": tv_datasets,
            "torchvision.transforms": tv_transforms}


@pytest.fixture
def with_fake_torchvision(monkeypatch):
    """Install the stand-in; returns the list its datasets record their calls in."""
    calls = []
    for name, module in fake_torchvision(calls).items():
        monkeypatch.setitem(sys.modules, name, module)
    return calls


class _Refuse:
    """A meta-path finder that makes ``import torchvision`` raise ``error``."""

    def __init__(self, error):
        self.error = error

    def find_spec(self, name, path=None, target=None):
        if name == "torchvision" or name.startswith("torchvision."):
            raise self.error
        return None


@pytest.fixture(params=[ImportError("No module named 'torchvision'"),
                        RuntimeError("operator torchvision::nms does not exist\nmore detail")],
                ids=["not-installed", "cuda-build-on-cpu-torch"])
def broken_torchvision(request, monkeypatch):
    for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_Refuse(request.param)] + sys.meta_path)
    return request.param


def example_args(data_root, dataset="mnist", quick=True):
    return types.SimpleNamespace(data_root=str(data_root), download=False, quick=quick,
                                 dataset=dataset, example="test")


def tiny_idx_folder(folder, n_train=5, n_test=3, seed=0):
    """A flat folder of the four files with few images (enough for finding and copying,
    not for minigrad's loader, which checks the real split sizes)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        for stem, arr, ndim in ((f"{prefix}-images-idx3-ubyte", images, 3),
                                (f"{prefix}-labels-idx1-ubyte", labels, 1)):
            header = bytes([0, 0, 8, ndim]) + b"".join(int(d).to_bytes(4, "big")
                                                      for d in arr.shape)
            (folder / (stem + ".gz")).write_bytes(gzip.compress(header + arr.tobytes()))
    return folder


# ---------------------------------------------------------------- the examples


def test_examples_torch_side_uses_torchvision_datasets_with_to_tensor_when_it_imports(
        with_fake_torchvision, mnist_dir):
    calls = with_fake_torchvision
    train_set, test_set, note = common.mnist(example_args(mnist_dir), common.framework("torch"))
    assert [(c[0], c[2], c[3]) for c in calls] == [("MNIST", True, False), ("MNIST", False, False)]
    assert all(type(c[4]).__name__ == "ToTensor" for c in calls)
    assert note.startswith("data: torchvision.datasets.MNIST with transforms.ToTensor(), from "
                           "a temporary MNIST/raw/ decompressed from ")
    assert not pathlib.Path(calls[0][1]).exists()  # the temporary layout is gone
    x, y = test_set[0]
    ours = datasets.MNIST(mnist_dir, train=False)[0]
    np.testing.assert_array_equal(x.numpy(), ours[0].numpy())
    assert y == ours[1] == 7 and len(train_set) == common.QUICK_TRAIN


def test_a_torchvision_layout_of_decompressed_files_is_handed_over_as_it_is(
        with_fake_torchvision, tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    for f in tiny_idx_folder(tmp_path / "flat").iterdir():
        raw.mkdir(parents=True, exist_ok=True)
        (raw / f.name[:-3]).write_bytes(gzip.decompress(f.read_bytes()))
    _, test_set, note = common.mnist(example_args(tmp_path, "fashion", quick=False),
                                     common.framework("torch"))
    calls = with_fake_torchvision
    assert [(c[0], c[1], c[2]) for c in calls] == [("FashionMNIST", str(tmp_path), True),
                                                   ("FashionMNIST", str(tmp_path), False)]
    assert note == ("data: torchvision.datasets.FashionMNIST with transforms.ToTensor(), "
                    f"from {tmp_path}")
    assert len(test_set) == 3


def test_fashion_dataset_choice_reaches_torchvisions_fashion_mnist(with_fake_torchvision,
                                                                  tmp_path, monkeypatch):
    folder = tiny_idx_folder(tmp_path / "fashion")
    monkeypatch.setenv("MINIGRAD_FASHIONMNIST", str(folder))
    args = example_args(None, "fashion", quick=False)
    args.data_root = None
    train_set, test_set, note = common.mnist(args, common.framework("torch"))
    assert [c[0] for c in with_fake_torchvision] == ["FashionMNIST", "FashionMNIST"]
    assert "torchvision.datasets.FashionMNIST" in note
    assert (len(train_set), len(test_set)) == (5, 3)
    expected = datasets.read_idx(folder / "t10k-images-idx3-ubyte.gz")[2] / np.float32(255)
    np.testing.assert_array_equal(test_set[2][0].numpy()[0], expected.astype(np.float32))


def test_without_torchvision_the_examples_say_why_in_one_line_and_use_minigrads_arrays(
        broken_torchvision, mnist_dir):
    _, test_set, note = common.mnist(example_args(mnist_dir), common.framework("torch"))
    assert isinstance(test_set, torch.utils.data.TensorDataset)
    first_line = str(broken_torchvision).splitlines()[0]
    assert note == (f"data: torchvision is not usable here ({type(broken_torchvision).__name__}"
                    f": {first_line}), so PyTorch trains on the arrays read by "
                    "minigrad.datasets.MNIST, wrapped in torch tensors (the values "
                    "transforms.ToTensor() gives: uint8 / 255 in float32, 1 x 28 x 28)")
    assert "\n" not in note
    x, y = test_set[0]
    np.testing.assert_array_equal(x.numpy(), datasets.MNIST(mnist_dir, train=False)[0][0].numpy())


def test_import_torchvision_reports_each_kind_of_failure(broken_torchvision):
    module, why = vision.import_torchvision()
    assert module is None
    assert why == f"{type(broken_torchvision).__name__}: {str(broken_torchvision).splitlines()[0]}"


# -------------------------------------------------------------- parity's presets


def test_parity_mnist_preset_reads_pytorchs_side_through_torchvision(with_fake_torchvision,
                                                                     mnist_dir):
    data = presets.mnist_data(str(mnist_dir))
    calls = with_fake_torchvision
    assert [(c[0], c[2], c[3], type(c[4]).__name__) for c in calls] == [
        ("MNIST", True, False, "ToTensor"), ("MNIST", False, False, "ToTensor")]
    assert "PyTorch's by torchvision.datasets.MNIST with transforms.ToTensor() (the same " \
           "arrays, checked)" in data.source
    assert data.train[0].shape == (60000, 1, 28, 28) and data.test[1][:3].tolist() == [7, 2, 1]


def test_parity_refuses_torchvision_arrays_that_differ_from_minigrads(monkeypatch, mnist_dir):
    def one_pixel_off(images):
        images = images.copy()
        images[-1, 0, 0] ^= 1
        return images

    for name, module in fake_torchvision([], alter=one_pixel_off).items():
        monkeypatch.setitem(sys.modules, name, module)
    with pytest.raises(RuntimeError, match="MNIST training set read by torchvision differs"):
        presets.mnist_data(str(mnist_dir))


def test_parity_without_torchvision_says_so_in_the_data_source(broken_torchvision, mnist_dir):
    data = presets.mnist_data(str(mnist_dir))
    assert data.source.endswith("read by minigrad.datasets.MNIST for both sides (torchvision "
                                f"is not usable here: {type(broken_torchvision).__name__}: "
                                f"{str(broken_torchvision).splitlines()[0]})")
