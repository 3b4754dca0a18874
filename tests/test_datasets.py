"""minigrad.datasets: MNIST / FashionMNIST from IDX files (torchvision's layout and items),
their download with checksums, clear errors for missing or damaged files, and the
scikit-learn toy sets.

The real MNIST comes through the ``mnist_dir`` fixture (env var MINIGRAD_MNIST, a flat
folder of the four .gz files); the facts checked are those of
../shared/data/mnist/README.md.
"""
import functools
import gzip
import hashlib
import os
import subprocess
import sys
import urllib.error

import numpy as np
import pytest

import minigrad
from minigrad import datasets
from minigrad.datasets import (MNIST, DataNotFound, FashionMNIST, blobs, circles, default_root,
                               read_idx)
from minigrad.utils.data import DataLoader, default_collate, random_split

FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


@functools.lru_cache(maxsize=None)
def _load(folder, train):
    return MNIST.from_folder(folder, train=train)


@pytest.fixture
def mnist_train(mnist_dir):
    return _load(str(mnist_dir), True)


@pytest.fixture
def mnist_test(mnist_dir):
    return _load(str(mnist_dir), False)


def torchvision_layout(root, mnist_dir, name="MNIST", files=FILES, decompress=False):
    """root/<name>/raw holding the MNIST files (links to the .gz, or decompressed copies)."""
    raw = root / name / "raw"
    raw.mkdir(parents=True)
    for f in files:
        if decompress:
            (raw / f[:-3]).write_bytes(gzip.decompress((mnist_dir / f).read_bytes()))
        else:
            (raw / f).symlink_to(mnist_dir / f)
    return root


def idx_bytes(array, type_code=0x08):
    """The IDX encoding of a uint8 array."""
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array).tobytes()


# ------------------------------------------------------------- the known facts

def test_first_ten_training_labels(mnist_train):
    assert mnist_train.targets[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert [mnist_train[i][1] for i in range(10)] == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_training_label_counts(mnist_train):
    counts = np.bincount(mnist_train.targets.numpy(), minlength=10).tolist()
    assert counts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_training_pixel_mean_and_std(mnist_train):
    counts = sum(np.bincount(chunk.reshape(-1), minlength=256)  # exact, in a few chunks
                 for chunk in np.array_split(mnist_train.data.numpy(), 20))
    values = np.arange(256) / 255
    mean = (counts * values).sum() / counts.sum()
    std = np.sqrt((counts * (values - mean) ** 2).sum() / counts.sum())
    assert round(mean, 4) == 0.1307
    assert round(std, 4) == 0.3081


def test_split_sizes_and_whole_split_tensors(mnist_train, mnist_test):
    assert len(mnist_train) == 60000 and len(mnist_test) == 10000
    assert mnist_test.data.shape == (10000, 28, 28) and mnist_test.data.dtype == minigrad.uint8
    assert mnist_test.targets.shape == (10000,) and mnist_test.targets.dtype == minigrad.int64
    assert mnist_test.classes[3] == "3 - three" and mnist_test.class_to_idx["9 - nine"] == 9


def test_item_is_a_float32_1x28x28_image_in_unit_range_and_an_int_label(mnist_test):
    image, label = mnist_test[0]
    assert isinstance(image, minigrad.Tensor) and type(label) is int
    assert image.shape == (1, 28, 28) and image.dtype == minigrad.float32
    pixels = image.numpy()
    assert pixels.min() == 0.0 and pixels.max() == 1.0
    # exactly ToTensor's uint8 / 255 in float32
    np.testing.assert_array_equal(pixels[0], mnist_test.data.numpy()[0].astype(np.float32) / 255)


def test_transforms_apply_to_the_image_tensor_and_the_label(mnist_dir):
    ds = MNIST.from_folder(mnist_dir, train=False, transform=lambda x: (x - 0.1307) / 0.3081,
                           target_transform=lambda y: y + 100)
    image, label = ds[0]
    plain_image, plain_label = _load(str(mnist_dir), False)[0]
    np.testing.assert_allclose(image.numpy(), (plain_image.numpy() - 0.1307) / 0.3081, rtol=1e-6)
    assert label == plain_label + 100
    x, y = next(iter(DataLoader(ds, batch_size=3)))
    assert x.shape == (3, 1, 28, 28) and y.tolist()[0] == label


def test_root_may_hold_torchvision_layout_with_plain_files_or_be_a_flat_folder(mnist_dir, tmp_path):
    torchvision_layout(tmp_path, mnist_dir, files=FILES[2:], decompress=True)
    plain = MNIST(tmp_path, train=False)  # root/MNIST/raw, decompressed files
    np.testing.assert_array_equal(plain.data.numpy(), _load(str(mnist_dir), False).data.numpy())
    flat = MNIST(mnist_dir, train=False)  # a flat folder works as root too
    assert flat.targets.tolist() == plain.targets.tolist()


def test_data_root_comes_from_minigrad_data(mnist_dir, tmp_path, monkeypatch):
    torchvision_layout(tmp_path, mnist_dir, files=FILES[2:])
    monkeypatch.delenv("MINIGRAD_MNIST", raising=False)
    monkeypatch.setenv("MINIGRAD_DATA", str(tmp_path))
    assert default_root() == str(tmp_path)
    ds = MNIST(train=False)
    assert len(ds) == 10000 and ds.root == str(tmp_path)
    monkeypatch.delenv("MINIGRAD_DATA")
    assert default_root() == "./data"


def test_without_root_minigrad_mnist_comes_before_the_default_root(mnist_dir, tmp_path,
                                                                     monkeypatch):
    torchvision_layout(tmp_path / "root", mnist_dir, files=FILES[2:])
    monkeypatch.setenv("MINIGRAD_DATA", str(tmp_path / "root"))
    monkeypatch.setenv("MINIGRAD_MNIST", str(mnist_dir))  # a flat folder of the four files
    assert MNIST(train=False).root == str(mnist_dir)
    assert MNIST.locate(train=False) == str(mnist_dir)
    monkeypatch.setenv("MINIGRAD_MNIST", str(tmp_path / "typo"))  # falls through to the root
    assert MNIST(train=False).root == str(tmp_path / "root")
    assert MNIST.locate(train=False) == str(tmp_path / "root" / "MNIST" / "raw")


def test_an_explicit_root_is_the_only_place_looked_at(mnist_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("MINIGRAD_MNIST", str(mnist_dir))
    with pytest.raises(DataNotFound) as err:
        MNIST(tmp_path, train=False)
    assert err.value.looked == [f"root={tmp_path} (no t10k-images-idx3-ubyte[.gz], "
                                "t10k-labels-idx1-ubyte[.gz] in it or in its MNIST/raw/)"]


def test_not_found_names_every_place_looked_at_and_what_to_set(tmp_path, monkeypatch):
    monkeypatch.delenv("MINIGRAD_MNIST", raising=False)
    monkeypatch.delenv("MINIGRAD_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataNotFound) as err:
        MNIST.locate(arg="--data-root", download="--download")
    assert err.value.looked == ["$MINIGRAD_MNIST (not set)",
                                "the default root ./data (no such folder)"]
    message = str(err.value)
    assert message.startswith("MNIST files not found; looked in: $MINIGRAD_MNIST (not set); "
                              "the default root ./data (no such folder). Pass --data-root DIR "
                              "or set MINIGRAD_MNIST=DIR")
    assert message.endswith("or use --download.") and "\n" not in message
    monkeypatch.setenv("MINIGRAD_FASHIONMNIST", str(tmp_path / "f"))
    with pytest.raises(DataNotFound, match=r"FASHIONMNIST=.*/f \(no such folder\)"):
        FashionMNIST()


# -------------------------------------------------------------- batching MNIST

def test_loader_batches_are_image_and_int64_label_tensors(mnist_test):
    loader = DataLoader(mnist_test, batch_size=64, shuffle=True,
                        generator=minigrad.Generator().manual_seed(0))
    x, y = next(iter(loader))
    assert x.shape == (64, 1, 28, 28) and x.dtype == minigrad.float32
    assert y.shape == (64,) and y.dtype == minigrad.int64
    assert len(loader) == 157  # 10000 / 64, rounded up


def test_whole_batch_path_equals_collating_items_one_by_one(mnist_test):
    indices = np.array([9999, 0, 17, 17, 4242])
    fast_x, fast_y = mnist_test.__getbatch__(indices)
    slow_x, slow_y = default_collate([mnist_test[i] for i in indices.tolist()])
    np.testing.assert_array_equal(fast_x.numpy(), slow_x.numpy())
    np.testing.assert_array_equal(fast_y.numpy(), slow_y.numpy())


def test_random_split_of_mnist_batches_the_chosen_samples(mnist_test):
    train, val = random_split(mnist_test, [0.9, 0.1], generator=minigrad.Generator().manual_seed(0))
    assert (len(train), len(val)) == (9000, 1000)
    x, y = next(iter(DataLoader(val, batch_size=8)))
    expected = default_collate([mnist_test[i] for i in val.indices[:8]])
    np.testing.assert_array_equal(x.numpy(), expected[0].numpy())
    assert y.tolist() == expected[1].tolist()


def test_reassigned_data_and_targets_define_the_dataset(mnist_dir):
    ds = MNIST.from_folder(mnist_dir, train=False)
    ds.data, ds.targets = ds.data[:100], ds.targets[:100]  # a common way to take a subset
    assert len(ds) == 100
    assert sum(len(y) for _, y in DataLoader(ds, batch_size=32)) == 100


# ----------------------------------------------------------- missing and damaged files

def test_missing_files_say_where_they_are_expected_and_how_to_get_them(tmp_path):
    with pytest.raises(RuntimeError) as err:
        MNIST(tmp_path)
    msg = str(err.value)
    assert msg.startswith(f"MNIST files not found; looked in: root={tmp_path} (no "
                          "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz] in it or "
                          "in its MNIST/raw/). Pass root=DIR")
    assert "download=True" in msg and "MINIGRAD_DATA" in msg and "MINIGRAD_MNIST" in msg


def damaged_test_split(tmp_path, mnist_dir, labels_bytes):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / FILES[2]).symlink_to(mnist_dir / FILES[2])
    (raw / FILES[3][:-3]).write_bytes(labels_bytes)
    return raw / FILES[3][:-3]


def test_truncated_file_error_names_file_expected_and_found_sizes(tmp_path, mnist_dir):
    labels = gzip.decompress((mnist_dir / FILES[3]).read_bytes())
    path = damaged_test_split(tmp_path, mnist_dir, labels[:5000])
    with pytest.raises(RuntimeError) as err:
        MNIST(tmp_path, train=False)
    msg = str(err.value)
    assert str(path) in msg and "truncated" in msg
    assert "10,008 bytes" in msg and "found 5,000 bytes" in msg
    assert "download=True" in msg


def test_truncated_gzip_file_error_says_it_cannot_be_decompressed(tmp_path, mnist_dir):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / FILES[2]).symlink_to(mnist_dir / FILES[2])
    gz = (mnist_dir / FILES[3]).read_bytes()
    (raw / FILES[3]).write_bytes(gz[:len(gz) // 2])
    with pytest.raises(RuntimeError, match=r"t10k-labels-idx1-ubyte.gz: cannot decompress.*"
                                           r"truncated or corrupt.*download=True"):
        MNIST(tmp_path, train=False)


def test_wrong_magic_number_error_names_expected_and_found_magic(tmp_path, mnist_dir):
    images_header = bytes([0, 0, 8, 3]) + (10000).to_bytes(4, "big")
    path = damaged_test_split(tmp_path, mnist_dir, images_header + bytes(10000))
    with pytest.raises(RuntimeError) as err:
        MNIST(tmp_path, train=False)
    msg = str(err.value)
    assert str(path) in msg
    assert "magic number 0x00000801" in msg and "found magic number 0x00000803" in msg


def test_files_of_the_wrong_split_are_rejected_with_both_shapes(tmp_path, mnist_dir):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / FILES[0]).symlink_to(mnist_dir / FILES[2])  # test images where training ones belong
    (raw / FILES[1]).symlink_to(mnist_dir / FILES[1])
    with pytest.raises(RuntimeError, match="expected MNIST images of shape 60000 x 28 x 28, "
                                           "found 10000 x 28 x 28"):
        MNIST(tmp_path, train=True)


def test_fashion_mnist_refuses_the_digits_in_a_flat_folder(mnist_dir):
    with pytest.raises(RuntimeError, match="MNIST digits' labels, not FashionMNIST's"):
        FashionMNIST(mnist_dir, train=False)


def test_fashion_mnist_reads_torchvision_layout_and_names_its_classes(tmp_path, mnist_dir):
    torchvision_layout(tmp_path, mnist_dir, name="FashionMNIST", files=FILES[2:])
    ds = FashionMNIST(tmp_path, train=False)
    assert len(ds) == 10000 and ds.classes[9] == "Ankle boot"
    assert "Dataset FashionMNIST" in repr(ds) and "Split: Test" in repr(ds)


def test_read_idx_decodes_big_endian_values(tmp_path):
    values = np.arange(-6, 6, dtype=">i4").reshape(3, 4)
    path = tmp_path / "ints.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 2]) + (3).to_bytes(4, "big") + (4).to_bytes(4, "big")
                     + values.tobytes())
    out = read_idx(path)
    assert out.dtype == np.int32 and out.dtype.isnative
    np.testing.assert_array_equal(out, np.arange(-6, 6).reshape(3, 4))


# ------------------------------------------------------------------------ download

class FakeMirrors:
    """Serves the files of a folder for any URL ending in their name; mirrors listed in
    ``down`` fail like an unreachable host; ``damage`` alters one file's bytes."""

    def __init__(self, folder, down=(), damage=None):
        self.folder, self.down, self.damage = folder, down, damage or {}
        self.urls = []

    def __call__(self, url):
        self.urls.append(url)
        if any(url.startswith(m) for m in self.down):
            raise urllib.error.URLError("no route to host")
        name = url.rsplit("/", 1)[-1]
        data = (self.folder / name).read_bytes()
        return self.damage[name](data) if name in self.damage else data


def flip_one_pixel(gz_bytes):
    content = bytearray(gzip.decompress(gz_bytes))
    content[-1] ^= 0xFF  # the IDX structure stays valid, the checksum does not
    return gzip.compress(bytes(content))


def leftovers(raw):
    return sorted(p.name for p in raw.iterdir() if p.name.endswith(".part"))


def test_download_fetches_verifies_and_stores_all_four_files(tmp_path, mnist_dir):
    fetch = FakeMirrors(mnist_dir)
    raw = MNIST.download_raw(tmp_path, fetch=fetch)
    assert raw == str(tmp_path / "MNIST" / "raw")
    assert fetch.urls == [MNIST.mirrors[0] + f for f in FILES]
    for res in MNIST.resources:
        stored = (tmp_path / "MNIST" / "raw" / res.filename[:-3]).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == res.digest
    assert leftovers(tmp_path / "MNIST" / "raw") == []
    assert MNIST(tmp_path, train=False).targets.tolist() == \
        _load(str(mnist_dir), False).targets.tolist()


def test_download_true_uses_the_module_fetcher_and_skips_files_already_there(
        tmp_path, mnist_dir, monkeypatch):
    fetch = FakeMirrors(mnist_dir, down=(MNIST.mirrors[0],))
    monkeypatch.setattr(datasets, "fetch_url", fetch)
    ds = MNIST(tmp_path, train=False, download=True)
    assert len(ds) == 10000
    assert fetch.urls[:2] == [MNIST.mirrors[0] + FILES[0], MNIST.mirrors[1] + FILES[0]]
    fetch.urls.clear()
    MNIST(tmp_path, train=True, download=True)
    assert fetch.urls == []  # everything was downloaded the first time


def test_corrupted_download_is_rejected_and_leaves_nothing_under_the_final_name(
        tmp_path, mnist_dir):
    fetch = FakeMirrors(mnist_dir, damage={FILES[3]: flip_one_pixel})
    with pytest.raises(RuntimeError) as err:
        MNIST.download_raw(tmp_path, fetch=fetch)
    msg = str(err.value)
    assert "checksum mismatch" in msg and MNIST.resources[3].digest in msg
    assert all(m + FILES[3] in msg for m in MNIST.mirrors)  # both mirrors were tried
    raw = tmp_path / "MNIST" / "raw"
    assert not (raw / "t10k-labels-idx1-ubyte").exists()
    assert not (raw / FILES[3]).exists()
    assert leftovers(raw) == []


def test_truncated_download_is_rejected(tmp_path, mnist_dir):
    fetch = FakeMirrors(mnist_dir, damage={FILES[0]: lambda b: b[:len(b) // 3]})
    with pytest.raises(RuntimeError, match="cannot decompress"):
        MNIST.download_raw(tmp_path, fetch=fetch)
    assert list((tmp_path / "MNIST" / "raw").iterdir()) == []


def test_a_failed_write_leaves_neither_the_file_nor_its_temporary(tmp_path, mnist_dir,
                                                                  monkeypatch):
    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(datasets.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        MNIST.download_raw(tmp_path, fetch=FakeMirrors(mnist_dir))
    assert list((tmp_path / "MNIST" / "raw").iterdir()) == []


def tiny_fashion(served):
    """A FashionMNIST with 3 training and 2 test images, checked by md5 of the served bytes."""
    class TinyFashion(FashionMNIST):
        split_sizes = {True: 3, False: 2}
        mirrors = ["https://mirror.invalid/"]
        resources = [datasets.Resource(name, "md5", hashlib.md5(data).hexdigest(), "download")
                     for name, data in served.items()]
    return TinyFashion


def tiny_fashion_files(tmp_path):
    rng = np.random.default_rng(0)
    files = {}
    for prefix, n in (("train", 3), ("t10k", 2)):
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(
            idx_bytes(rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)))
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(
            idx_bytes(np.arange(n, dtype=np.uint8)))
    served = tmp_path / "served"
    served.mkdir()
    for name, data in files.items():
        (served / name).write_bytes(data)
    return files, served


def test_fashion_download_checks_the_md5_of_the_served_files(tmp_path):
    files, served = tiny_fashion_files(tmp_path)
    Tiny = tiny_fashion(files)
    Tiny.download_raw(tmp_path / "root", fetch=FakeMirrors(served))
    ds = Tiny(tmp_path / "root", train=True)
    assert len(ds) == 3 and [ds[i][1] for i in range(3)] == [0, 1, 2]

    Tiny = tiny_fashion({**files, "t10k-images-idx3-ubyte.gz": b"other bytes"})
    with pytest.raises(RuntimeError, match="checksum mismatch: expected md5"):
        Tiny.download_raw(tmp_path / "root2", fetch=FakeMirrors(served))
    assert not (tmp_path / "root2" / "TinyFashion" / "raw" / "t10k-images-idx3-ubyte").exists()


# ------------------------------------------------- download over a local HTTP server


class LocalMirror:
    """An HTTP server on 127.0.0.1 serving ``files`` (name -> bytes) under /a/ and /b/;
    ``broken`` maps "a/<name>" or "b/<name>" to "404", "corrupt" (one byte changed) or
    "cut" (announces the whole length, sends half, closes). ``url(m)`` is mirror m's URL."""

    def __init__(self, files, broken=None):
        import http.server
        import threading
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                mirror.requests.append(self.path)
                key = self.path.lstrip("/")
                name = key.split("/", 1)[-1]
                how = mirror.broken.get(key)
                if name not in mirror.files or how == "404":
                    self.send_error(404)
                    return
                body = mirror.files[name]
                if how == "corrupt":
                    body = body[:-1] + bytes([body[-1] ^ 0xFF])
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:len(body) // 2] if how == "cut" else body)

            def log_message(self, *args):
                pass

        self.files, self.broken, self.requests = files, broken or {}, []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, m):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{m}/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_mirror():
    made = []

    def make(files, broken=None):
        made.append(LocalMirror(files, broken))
        return made[-1]
    yield make
    for m in made:
        m.close()


def test_fashion_download_over_http_verifies_md5_and_stores_the_decompressed_files(
        tmp_path, local_mirror, monkeypatch):
    files, _ = tiny_fashion_files(tmp_path)
    mirror = local_mirror(files)
    Tiny = tiny_fashion(files)
    monkeypatch.setattr(Tiny, "mirrors", [mirror.url("a")])
    ds = Tiny(tmp_path / "root", train=False, download=True)  # the real fetch_url, over HTTP
    assert len(ds) == 2 and [ds[i][1] for i in range(2)] == [0, 1]
    raw = tmp_path / "root" / "TinyFashion" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(f[:-3] for f in files)
    for name, data in files.items():
        assert (raw / name[:-3]).read_bytes() == gzip.decompress(data)
    assert sorted(mirror.requests) == sorted(f"/a/{f}" for f in files)


@pytest.mark.parametrize("damage", ["corrupt", "cut"])
def test_a_damaged_fashion_download_is_refused_and_nothing_is_left_behind(
        damage, tmp_path, local_mirror, monkeypatch):
    files, _ = tiny_fashion_files(tmp_path)
    mirror = local_mirror(files, broken={"a/t10k-labels-idx1-ubyte.gz": damage})
    Tiny = tiny_fashion(files)
    monkeypatch.setattr(Tiny, "mirrors", [mirror.url("a")])
    with pytest.raises(RuntimeError) as err:
        Tiny(tmp_path / "root", train=False, download=True)
    msg = str(err.value)
    assert "Could not download t10k-labels-idx1-ubyte.gz for TinyFashion" in msg
    assert mirror.url("a") + "t10k-labels-idx1-ubyte.gz" in msg
    if damage == "corrupt":
        assert "checksum mismatch: expected md5" in msg
    raw = tmp_path / "root" / "TinyFashion" / "raw"
    assert not (raw / "t10k-labels-idx1-ubyte").exists() and leftovers(raw) == []
    assert sorted(p.name for p in raw.iterdir()) == sorted(f[:-3] for f in FILES[:3])


def test_fashion_download_tries_the_next_mirror_when_one_fails(tmp_path, local_mirror,
                                                                monkeypatch):
    files, _ = tiny_fashion_files(tmp_path)
    mirror = local_mirror(files, broken={"a/train-images-idx3-ubyte.gz": "404",
                                         "a/t10k-images-idx3-ubyte.gz": "corrupt"})
    Tiny = tiny_fashion(files)
    monkeypatch.setattr(Tiny, "mirrors", [mirror.url("a"), mirror.url("b")])
    Tiny.download_raw(tmp_path / "root")
    assert Tiny(tmp_path / "root", train=True).data.shape == (3, 28, 28)
    assert [r for r in mirror.requests if r.startswith("/b/")] == [
        "/b/train-images-idx3-ubyte.gz", "/b/t10k-images-idx3-ubyte.gz"]


def test_fashion_mnist_checks_downloads_against_the_published_md5s(tmp_path, local_mirror,
                                                                  monkeypatch):
    # The four md5s of the .gz files as served, published by Zalando's fashion-mnist README
    # and torchvision's FashionMNIST.resources (both read 2026-11-27).
    assert [(r.filename, r.algorithm, r.digest, r.of) for r in FashionMNIST.resources] == [
        ("train-images-idx3-ubyte.gz", "md5", "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "download"),
        ("train-labels-idx1-ubyte.gz", "md5", "25c81989df183df01b3e8a0aad5dffbe", "download"),
        ("t10k-images-idx3-ubyte.gz", "md5", "bef4ecab320f06d8554ea6380940ec79", "download"),
        ("t10k-labels-idx1-ubyte.gz", "md5", "bb300cfdad3c16e7a12a480ee83cd310", "download")]
    files, _ = tiny_fashion_files(tmp_path)  # right names and structure, not the real bytes
    mirror = local_mirror(files)
    monkeypatch.setattr(FashionMNIST, "mirrors", [mirror.url("a")])
    with pytest.raises(RuntimeError, match="checksum mismatch: expected md5 "
                                           "8d4fb7e6c68d591d4c3dfef9ec88bf0d of the downloaded"):
        FashionMNIST(tmp_path, download=True)
    assert list((tmp_path / "FashionMNIST" / "raw").iterdir()) == []


# ------------------------------------------------------- the real Fashion-MNIST files


def test_real_fashion_mnist_has_ten_balanced_classes_and_is_not_the_digits(fashion_dir):
    train = FashionMNIST(fashion_dir, train=True)
    test = FashionMNIST(fashion_dir, train=False)
    assert (len(train), len(test)) == (60000, 10000)
    assert np.bincount(train.targets.numpy()).tolist() == [6000] * 10
    assert np.bincount(test.targets.numpy()).tolist() == [1000] * 10
    assert train.classes[9] == "Ankle boot" and train.class_to_idx["Sneaker"] == 7
    with pytest.raises(RuntimeError, match="these are not the MNIST labels"):
        MNIST.from_folder(fashion_dir, train=False)


def test_real_fashion_mnist_gz_files_have_the_published_md5(fashion_dir):
    checked = 0
    for res in FashionMNIST.resources:
        path = fashion_dir / res.filename
        if path.is_file() and hashlib.md5(path.read_bytes()).hexdigest() == res.digest:
            checked += 1
        elif path.is_file():  # a recompressed copy: its content must still be a valid split
            FashionMNIST._check_idx(gzip.decompress(path.read_bytes()), str(path),
                                    "images" if "-images-" in res.filename else "labels",
                                    FashionMNIST.split_sizes[res.filename.startswith("train")])
    if not checked:
        pytest.skip(f"the Fashion-MNIST copy in {fashion_dir} is not the canonical .gz download")


# --------------------------------------------------------------- torchvision parity


def assert_same_as_torchvision(tv, cls, folder):
    """minigrad's dataset in ``folder`` (a flat folder, as the offline copy) and
    torchvision's, fed the layout the examples and parity hand it: the same uint8 data,
    labels, and ToTensor batches."""
    from parity import vision
    with vision.torchvision_root(cls, [folder, folder]) as (root, _):
        TV = getattr(tv.datasets, cls.__name__)
        theirs = TV(root, train=False, download=False, transform=tv.transforms.ToTensor())
    ours = cls(folder, train=False)
    np.testing.assert_array_equal(ours.data.numpy(), theirs.data.numpy())
    np.testing.assert_array_equal(ours.targets.numpy(), theirs.targets.numpy())
    import torch
    for (x, y), (tx, ty) in zip(DataLoader(ours, batch_size=1000),
                                torch.utils.data.DataLoader(theirs, batch_size=1000)):
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
    assert ours.classes == theirs.classes


def test_same_images_and_labels_as_torchvision(torchvision, mnist_dir):
    assert_same_as_torchvision(torchvision, MNIST, mnist_dir)


def test_same_fashion_images_and_labels_as_torchvision(torchvision, fashion_dir):
    assert_same_as_torchvision(torchvision, FashionMNIST, fashion_dir)


def test_same_resources_and_mirrors_as_torchvision(torchvision):
    tv = torchvision.datasets.FashionMNIST
    assert [(r.filename, r.digest) for r in FashionMNIST.resources] == list(tv.resources)
    assert FashionMNIST.mirrors == list(tv.mirrors)


# ------------------------------------------------------------ scikit-learn toy sets

def test_two_class_blobs_are_sklearns_as_float32_and_int64():
    from sklearn.datasets import make_blobs
    X, y = blobs()
    ref_X, ref_y = make_blobs(n_samples=1000, centers=2, n_features=2, random_state=42)
    assert X.dtype == np.float32 and y.dtype == np.int64 and X.shape == (1000, 2)
    np.testing.assert_array_equal(X, ref_X.astype(np.float32))
    np.testing.assert_array_equal(y, ref_y)


def test_eight_class_blobs_with_ten_thousand_points():
    X, y = blobs(n_samples=10000, centers=8, cluster_std=1.5)
    assert X.shape == (10000, 2)
    assert np.bincount(y).tolist() == [1250] * 8


def test_circles_are_the_classic_tutorials_points():
    from sklearn.datasets import make_circles
    X, y = circles()
    ref_X, ref_y = make_circles(1000, noise=0.03, random_state=42)
    np.testing.assert_array_equal(X, ref_X.astype(np.float32))
    np.testing.assert_array_equal(y, ref_y)
    assert np.bincount(y).tolist() == [500, 500]


def test_toy_sets_without_scikit_learn_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        circles()


def test_importing_the_datasets_module_does_not_import_scikit_learn():
    code = "import sys, minigrad.datasets; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(__file__)), check=True)
    assert out.stdout.strip() == "False"
