"""MNIST and Fashion-MNIST from their IDX files; blobs and circles over scikit-learn.

Where the files go (torchvision's layout)::

    <root>/MNIST/raw/train-images-idx3-ubyte[.gz]      <root>/FashionMNIST/raw/...
    <root>/MNIST/raw/train-labels-idx1-ubyte[.gz]
    <root>/MNIST/raw/t10k-images-idx3-ubyte[.gz]
    <root>/MNIST/raw/t10k-labels-idx1-ubyte[.gz]

Where minigrad looks (one rule for the library, ``python -m parity``, the examples and
the tests; ``MNIST.locate`` implements it):

1. the ``root`` argument (``--data-root`` on the command lines), and nothing else if given;
2. ``$MINIGRAD_MNIST`` (``$MINIGRAD_FASHIONMNIST`` for Fashion-MNIST), if set;
3. the default root, ``default_root()``: ``$MINIGRAD_DATA`` if set, else ``./data``.

Each place may hold torchvision's layout (``<place>/MNIST/raw/...``) or be a *flat*
folder of the four files (like the offline copy in ``../shared/data/mnist``); in a flat
folder the labels' checksum tells MNIST from Fashion-MNIST, whose files have the same
names. The first place that holds the files wins; when none does, ``DataNotFound`` names
every place looked at and what to set. ``download=True`` fetches into the ``root``
argument, else into the default root.

Items: ``ds[i]`` is ``(image, label)``, the image a float32 tensor of shape 1x28x28 with
values in [0, 1] and the label a Python int. torchvision returns a PIL image when there is
no transform, and the tutorials add ``transforms.ToTensor()`` to get exactly this tensor;
minigrad has no PIL dependency, so the tensor *is* the untransformed item, and a
``transform`` (any callable) is applied to it. ``ds.data`` (uint8, N x 28 x 28) and
``ds.targets`` (int64, N) hold the whole split, as in torchvision.

An IDX file is a 4-byte magic number (two zero bytes, a type code -- 0x08 for unsigned
bytes -- and the number of dimensions), one big-endian int32 per dimension, then the
values. The loader checks all of it against the file's length, so a truncated or corrupt
file gives an error that names the file, what was expected and what was found.
"""
import collections
import gzip
import hashlib
import operator
import os
import pathlib
import struct
import zlib

import numpy as np

from . import backend
from .serialization import atomic_write
from .tensor import Tensor
from .utils.data import Dataset, default_collate

__all__ = ["MNIST", "FashionMNIST", "DataNotFound", "default_root", "read_idx", "fetch_url",
           "blobs", "circles"]


def default_root():
    """The data root: ``$MINIGRAD_DATA`` if set, else ``./data``."""
    return os.path.expanduser(os.environ.get("MINIGRAD_DATA") or "./data")


class DataNotFound(RuntimeError):
    """A dataset's files are in none of the places looked at. The message names each place
    and what was wrong there, then how to point minigrad at the files; ``looked`` holds
    the places' descriptions alone."""

    def __init__(self, message, looked):
        super().__init__(message)
        self.looked = looked


# -------------------------------------------------------------------- IDX files

# type code -> (NumPy dtype as stored, name)
_IDX_TYPES = {0x08: (">u1", "unsigned byte"), 0x09: (">i1", "signed byte"),
              0x0B: (">i2", "short"), 0x0C: (">i4", "int"), 0x0D: (">f4", "float"),
              0x0E: (">f8", "double")}


def _decompress_if_gzipped(raw, name):
    if raw[:2] != b"\x1f\x8b":  # not gzip: the plain IDX bytes
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise RuntimeError(f"{name}: cannot decompress it ({e}): the gzip file is truncated or "
                           "corrupt") from None


def _parse_idx(buf, name):
    """(magic number, dims, values) of IDX bytes ``buf``, checked against their length."""
    if len(buf) < 4:
        raise RuntimeError(f"{name}: not an IDX file: expected a 4-byte magic number, found "
                           f"{len(buf)} byte(s)")
    magic = int.from_bytes(buf[:4], "big")
    code, ndim = buf[2], buf[3]
    if buf[0] != 0 or buf[1] != 0 or code not in _IDX_TYPES:
        raise RuntimeError(f"{name}: not an IDX file: expected a magic number 0x0000TTNN (two "
                           "zero bytes, a type code 08/09/0B/0C/0D/0E, the number of "
                           f"dimensions), found 0x{magic:08X}")
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise RuntimeError(f"{name}: truncated IDX file: the magic number 0x{magic:08X} "
                           f"announces {ndim} dimensions ({header} header bytes), found only "
                           f"{len(buf)} bytes")
    dims = struct.unpack(f">{ndim}I", bytes(buf[4:header]))
    stored, _ = _IDX_TYPES[code]
    count = 1
    for d in dims:
        count *= d
    expected = header + count * np.dtype(stored).itemsize
    if len(buf) != expected:
        what = "truncated" if len(buf) < expected else "corrupt"
        shape = " x ".join(str(d) for d in dims)
        raise RuntimeError(f"{name}: {what} IDX file: its header announces {shape} values, "
                           f"{expected:,} bytes in all, found {len(buf):,} bytes")
    values = np.frombuffer(buf, dtype=stored, count=count, offset=header).reshape(dims)
    return magic, dims, values


def read_idx(path):
    """The array stored in IDX file ``path`` (gzipped or not), in native byte order."""
    path = pathlib.Path(path)
    with open(path, "rb") as f:
        raw = f.read()
    _, _, values = _parse_idx(_decompress_if_gzipped(raw, str(path)), str(path))
    return values.astype(values.dtype.newbyteorder("="), copy=False)


# ---------------------------------------------------------------------- download


def fetch_url(url, timeout=60.0):
    """The bytes at ``url`` (raises OSError on network or HTTP errors).

    ``MNIST(..., download=True)`` calls this module-level function; tests replace it (or
    pass ``fetch=`` to ``download_raw``) to serve local bytes instead of the network.
    """
    import urllib.request
    request = urllib.request.Request(url, headers={"User-Agent": "minigrad"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


# A file as the mirrors serve it, and how to check it: `digest` is the `algorithm` hash of
# the decompressed IDX bytes (of="content") or of the bytes as downloaded (of="download").
Resource = collections.namedtuple("Resource", "filename algorithm digest of")


# --------------------------------------------------------------------- datasets


class MNIST(Dataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28.

    ``MNIST(root, train=True, transform=None, target_transform=None, download=False)``
    as in torchvision (``root=None``: ``$MINIGRAD_MNIST``, then the default root; see
    the module's docstring); items are
    ``(1x28x28 float32 tensor in [0, 1], int label)`` -- what torchvision gives with
    ``transforms.ToTensor()``.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    # sha256 of the decompressed bytes: a recompressed copy checks out as well as the
    # canonical download (the offline copy in ../shared/data/mnist is recompressed).
    resources = [
        Resource("train-images-idx3-ubyte.gz", "sha256",
                 "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", "content"),
        Resource("train-labels-idx1-ubyte.gz", "sha256",
                 "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", "content"),
        Resource("t10k-images-idx3-ubyte.gz", "sha256",
                 "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", "content"),
        Resource("t10k-labels-idx1-ubyte.gz", "sha256",
                 "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", "content"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    image_size = (28, 28)
    split_sizes = {True: 60000, False: 10000}
    env_var = "MINIGRAD_MNIST"  # the variable that names this dataset's folder

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=False):
        places = self._places(root)
        found, looked = self._search(places, train)
        if found is None and download:
            self.download_raw(root)
            found, looked = self._search(places, train)
        if found is None:
            raise self._not_found(looked, "root=", "download=True")
        place, paths, flat = found
        self._setup(place, train, transform, target_transform)
        self._load(paths, flat)

    @classmethod
    def locate(cls, root=None, train=True, *, arg="root=", download="download=True"):
        """The folder that holds the split's two IDX files, found by the rule in this
        module's docstring; else ``DataNotFound``, whose message names every place looked
        at and tells the user to set ``arg`` (how the caller spells the root: a command
        line passes ``"--data-root"``), ``cls.env_var``, or use ``download``."""
        found, looked = cls._search(cls._places(root, arg), train)
        if found is None:
            raise cls._not_found(looked, arg, download)
        return str(found[1][0].parent)

    @classmethod
    def from_folder(cls, folder, train=True, transform=None, target_transform=None):
        """Load from a flat folder that holds the IDX files themselves (no ``MNIST/raw``)."""
        self = cls.__new__(cls)
        self._setup(folder, train, transform, target_transform)
        folder = pathlib.Path(self.root)
        paths = self._split_files(folder)
        if paths is None:
            looked = [f"{folder} ({self._missing(folder, self.train, raw=False)})"]
            raise self._not_found(looked, "from_folder(DIR)",
                                  f"{type(self).__name__}(root, download=True)")
        self._load(paths, flat=True)
        return self

    def _setup(self, root, train, transform, target_transform):
        self.root = os.path.expanduser(os.fspath(root))
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform

    # ------------------------------------------------------------- finding files
    @property
    def raw_folder(self):
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    @staticmethod
    def _stems_of(train):
        prefix = "train" if train else "t10k"
        return (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")

    def _stems(self):
        return self._stems_of(self.train)

    @classmethod
    def _files_in(cls, folder, train):
        """The (images, labels) paths in ``folder`` (plain files first, then .gz), or None."""
        paths = []
        for stem in cls._stems_of(train):
            found = [folder / n for n in (stem, stem + ".gz") if (folder / n).is_file()]
            if not found:
                return None
            paths.append(found[0])
        return paths

    def _split_files(self, folder):
        return self._files_in(folder, self.train)

    @classmethod
    def _places(cls, root, arg="root="):
        """Where to look, in order: [(how the place was chosen, its path or None)]."""
        if root is not None:
            return [(arg if arg.endswith("=") else arg + " ", os.path.expanduser(os.fspath(root)))]
        variable = os.environ.get(cls.env_var)
        data = os.environ.get("MINIGRAD_DATA")
        return [(f"${cls.env_var}=", os.path.expanduser(variable) if variable else None),
                ("$MINIGRAD_DATA=" if data else "the default root ", default_root())]

    @classmethod
    def _search(cls, places, train):
        """((place, (images, labels) paths, flat), looked) for the first place holding the
        split's files -- in its ``<Name>/raw`` first, then flat -- else (None, looked):
        what was wrong with each place, for the error message."""
        looked = []
        for label, path in places:
            if path is None:
                looked.append(f"{label.rstrip('= ')} (not set)")
                continue
            folder = pathlib.Path(path)
            if not folder.is_dir():
                looked.append(f"{label}{path} (no such folder)")
                continue
            for where, flat in ((folder / cls.__name__ / "raw", False), (folder, True)):
                paths = cls._files_in(where, train)
                if paths is not None:
                    return (path, paths, flat), looked
            looked.append(f"{label}{path} ({cls._missing(folder, train)})")
        return None, looked

    @classmethod
    def _missing(cls, folder, train, raw=True):
        names = [s + "[.gz]" for s in cls._stems_of(train)
                 if not any((folder / n).is_file() for n in (s, s + ".gz"))]
        return f"no {', '.join(names)} in it" + (f" or in its {cls.__name__}/raw/" if raw else "")

    @classmethod
    def _not_found(cls, looked, arg, download):
        name = cls.__name__
        target = arg if "DIR" in arg else arg + ("DIR" if arg.endswith("=") else " DIR")
        message = (f"{name} files not found; looked in: {'; '.join(looked)}. Pass {target} "
                   f"or set {cls.env_var}=DIR, where DIR holds the four IDX files "
                   f"({{train,t10k}}-{{images-idx3,labels-idx1}}-ubyte[.gz]) or {name}/raw/ "
                   f"with them; or use {download}")
        if arg == "root=":
            message += " (MINIGRAD_DATA sets the default root, for every dataset)"
        return DataNotFound(message + ".", looked)

    def _how_to_fix(self, path):
        return (f" -- delete {path} and use {type(self).__name__}(root, download=True), or copy "
                f"the original file there (mirrors: {', '.join(self.mirrors)})")

    # ------------------------------------------------------------- loading
    def _load(self, paths, flat):
        images = self._read(paths[0], "images")
        labels = self._read(paths[1], "labels")
        if flat:
            self._check_identity(labels, paths[1])
        self.data = Tensor._make(images, None)
        self.targets = Tensor._make(labels.astype(np.int64), None)

    def _read(self, path, kind):
        with open(path, "rb") as f:
            raw = f.read()
        try:
            buf = _decompress_if_gzipped(raw, str(path))
            return self._check_idx(buf, str(path), kind, self.split_sizes[self.train])
        except RuntimeError as e:
            raise RuntimeError(str(e) + self._how_to_fix(path)) from None

    @classmethod
    def _check_idx(cls, buf, name, kind, n_expected):
        """The uint8 array in IDX bytes ``buf`` after checking that it holds this dataset's
        ``kind`` ("images" or "labels") for ``n_expected`` samples."""
        ndim = 3 if kind == "images" else 1
        want_magic = 0x800 + ndim
        if len(buf) >= 4 and int.from_bytes(buf[:4], "big") != want_magic:
            found = int.from_bytes(buf[:4], "big")
            raise RuntimeError(f"{name}: expected an IDX file of {cls.__name__} {kind} (magic "
                               f"number 0x{want_magic:08X}: unsigned bytes, {ndim} "
                               f"dimension{'s' if ndim > 1 else ''}), found magic number "
                               f"0x{found:08X}: the file is corrupt or holds other data")
        _, dims, values = _parse_idx(buf, name)
        want = (n_expected,) + (cls.image_size if kind == "images" else ())
        if tuple(dims) != want:
            raise RuntimeError(f"{name}: expected {cls.__name__} {kind} of shape "
                               f"{' x '.join(map(str, want))}, found "
                               f"{' x '.join(map(str, dims))}")
        if kind == "labels" and values.size and int(values.max()) >= len(cls.classes):
            raise RuntimeError(f"{name}: expected labels 0..{len(cls.classes) - 1}, found "
                               f"{int(values.max())}")
        return np.frombuffer(bytearray(values), dtype=np.uint8).reshape(dims)  # writable

    @classmethod
    def _known_label_digests(cls):
        return {r.digest for r in cls.resources
                if r.algorithm == "sha256" and r.of == "content" and "labels" in r.filename}

    def _check_identity(self, labels, path):
        """In a flat folder the file names do not say which dataset it is: the labels do."""
        digest = hashlib.sha256(_label_file_bytes(labels)).hexdigest()
        mine = self._known_label_digests()
        is_mnist = digest in MNIST._known_label_digests()
        if mine and digest not in mine:
            raise RuntimeError(f"{path}: these are not the {type(self).__name__} labels (sha256 "
                               f"of the decompressed file {digest}, expected one of "
                               f"{sorted(mine)}); put other datasets under root/<Name>/raw")
        if not mine and is_mnist and type(self) is not MNIST:
            raise RuntimeError(f"{path}: these are the MNIST digits' labels, not "
                               f"{type(self).__name__}'s (both use the same file names); point "
                               f"root at a folder holding {type(self).__name__}/raw")

    # ------------------------------------------------------------- download
    @classmethod
    def download_raw(cls, root=None, *, fetch=None):
        """Fetch the four files that are missing under ``root/<Name>/raw``.

        Each file comes from the first of ``cls.mirrors`` that serves it with the right
        checksum and a valid IDX structure; it is stored decompressed, written to a
        temporary file and renamed into place only when complete, so nothing half-written
        ever appears under the final name. ``fetch(url) -> bytes`` defaults to
        ``fetch_url``. Returns the raw folder.
        """
        fetch = fetch_url if fetch is None else fetch
        raw = pathlib.Path(default_root() if root is None else os.path.expanduser(os.fspath(root)))
        raw = raw / cls.__name__ / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        for res in cls.resources:
            stem = res.filename[:-3] if res.filename.endswith(".gz") else res.filename
            if (raw / stem).is_file() or (raw / (stem + ".gz")).is_file():
                continue
            failures = []
            for mirror in cls.mirrors:
                url = mirror + res.filename
                try:
                    served = fetch(url)
                except Exception as e:  # network errors of every kind: try the next mirror
                    failures.append(f"{url}: {type(e).__name__}: {e}")
                    continue
                try:
                    content = cls._verified_content(res, served, url)
                except RuntimeError as e:
                    failures.append(str(e))
                    continue
                with atomic_write(raw / stem, suffix=".part") as f:  # all of it, or nothing
                    f.write(content)
                break
            else:
                raise RuntimeError(
                    f"Could not download {res.filename} for {cls.__name__}; tried:\n  "
                    + "\n  ".join(failures)
                    + f"\nNothing was written to {raw / stem}. Check the network connection, "
                    f"or copy the file (gzipped or not) into {raw} yourself.")
        return str(raw)

    @classmethod
    def _verified_content(cls, res, served, url):
        # A checksum of the served bytes is checked before decompressing them, so that a
        # damaged download is reported as such rather than as a gzip error.
        content = served if res.of == "download" else _decompress_if_gzipped(served, url)
        got = hashlib.new(res.algorithm, content).hexdigest()
        if got != res.digest:
            which = "decompressed" if res.of == "content" else "downloaded"
            raise RuntimeError(f"{url}: checksum mismatch: expected {res.algorithm} "
                               f"{res.digest} of the {which} bytes, got {got}")
        if res.of == "download":
            content = _decompress_if_gzipped(served, url)
        kind = "images" if "-images-" in res.filename else "labels"
        n = cls.split_sizes[res.filename.startswith("train")]
        cls._check_idx(content, url, kind, n)
        return content

    # ------------------------------------------------------------- items
    def _arrays(self):
        images, labels = self.data, self.targets  # users may replace these (e.g. subsets)
        images = backend.to_numpy(images._data) if isinstance(images, Tensor) else np.asarray(images)
        labels = backend.to_numpy(labels._data) if isinstance(labels, Tensor) else np.asarray(labels)
        return images, labels

    def __getitem__(self, index):
        images, labels = self._arrays()
        index = operator.index(index)
        img = Tensor._make((images[index].astype(np.float32) / 255)[None], None)
        target = int(labels[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getbatch__(self, indices):
        """A batch [images B x 1 x 28 x 28 float32, labels int64] in one indexing step."""
        if self.transform is not None or self.target_transform is not None:
            return default_collate([self[i] for i in indices.tolist()])
        images, labels = self._arrays()
        x = np.take(images, indices, axis=0).astype(np.float32) / 255
        y = np.take(labels, indices).astype(np.int64, copy=False)
        return [Tensor._make(x.reshape((len(indices), 1) + x.shape[1:]), None),
                Tensor._make(y, None)]

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}",
                 f"    Split: {'Train' if self.train else 'Test'}"]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        if self.target_transform is not None:
            lines.append(f"    Target transform: {self.target_transform!r}")
        return "\n".join(lines)


def _label_file_bytes(labels):
    """The decompressed bytes of the IDX label file that holds ``labels``."""
    header = struct.pack(">II", 0x801, len(labels))
    return header + np.ascontiguousarray(labels, dtype=np.uint8).tobytes()


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: the same format and sizes as MNIST, ten kinds of clothing.

    Downloads are checked against the md5 of the .gz files as served (the checksums
    torchvision and the Fashion-MNIST repository publish) and the IDX structure.
    """

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        Resource("train-images-idx3-ubyte.gz", "md5", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                 "download"),
        Resource("train-labels-idx1-ubyte.gz", "md5", "25c81989df183df01b3e8a0aad5dffbe",
                 "download"),
        Resource("t10k-images-idx3-ubyte.gz", "md5", "bef4ecab320f06d8554ea6380940ec79",
                 "download"),
        Resource("t10k-labels-idx1-ubyte.gz", "md5", "bb300cfdad3c16e7a12a480ee83cd310",
                 "download"),
    ]
    env_var = "MINIGRAD_FASHIONMNIST"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


# ------------------------------------------------------- toy sets (scikit-learn)


def _sklearn_datasets():
    try:
        from sklearn import datasets
    except ImportError as e:
        raise ImportError("minigrad.datasets.blobs and circles use scikit-learn: "
                          "pip install scikit-learn") from e
    return datasets


def blobs(n_samples=1000, centers=2, n_features=2, cluster_std=1.0, random_state=42,
          **kwargs):
    """Gaussian blobs, one per class: ``(X float32 [n, n_features], y int64 [n])``
    (``sklearn.datasets.make_blobs``; extra keywords go to it)."""
    X, y = _sklearn_datasets().make_blobs(n_samples=n_samples, centers=centers,
                                          n_features=n_features, cluster_std=cluster_std,
                                          random_state=random_state, **kwargs)
    return X.astype(np.float32), y.astype(np.int64)


def circles(n_samples=1000, noise=0.03, factor=0.8, random_state=42, **kwargs):
    """Two concentric circles (class 0 outside, 1 inside): ``(X float32 [n, 2], y int64
    [n])`` (``sklearn.datasets.make_circles``; noise=0.03, random_state=42 as in the
    classic tutorial)."""
    X, y = _sklearn_datasets().make_circles(n_samples=n_samples, noise=noise, factor=factor,
                                            random_state=random_state, **kwargs)
    return X.astype(np.float32), y.astype(np.int64)
