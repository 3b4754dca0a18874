"""``minigrad.save`` / ``minigrad.load``: checkpoints as plain data, never as code.

A checkpoint is a zip archive holding

* ``manifest.json``: the saved object's structure (dicts, lists, tuples, numbers,
  strings, ``None``), where every tensor is a reference ``{"__type__": "tensor",
  "index": i}`` into a table that gives each tensor's file, dtype, shape and the SHA-256
  of that file;
* ``tensors/<i>.npy``: one NumPy ``.npy`` file per tensor, written and read with
  ``allow_pickle=False``.

Loading parses JSON and ``.npy`` headers only; nothing in the file is ever executed
(``pickle`` is never called), so a checkpoint from an untrusted source can at worst fail
to load. Every tensor file is checked against its checksum, dtype and shape, and any
problem raises ``CheckpointError`` naming the file and what is wrong.

Saving to a path is atomic: the archive is written to a temporary file in the same
folder, flushed to disk, then renamed over the target, so a crash mid-save leaves any
previous checkpoint intact.
"""
import contextlib
import hashlib
import io
import json
import os
import secrets
import stat
import zipfile
from collections import OrderedDict

import numpy as np

from . import backend
from .tensor import Tensor

FORMAT = "minigrad-checkpoint"
VERSION = 1
MANIFEST = "manifest.json"
_DTYPES = set(backend.DTYPES)  # every dtype minigrad has (float16, int8 ... too)


class CheckpointError(RuntimeError):
    """A file that cannot be loaded as a minigrad checkpoint (truncated, corrupted, foreign)."""


# ------------------------------------------------------------------------ save


def save(obj, f):
    """Save ``obj`` (nested dicts/lists/tuples of tensors, numbers, strings) to ``f``.

    ``f`` is a path (written atomically) or a binary file object opened for writing.
    """
    tensors = []
    root = _encode(obj, tensors, {})  # unsupported types fail here, before any file is touched
    if hasattr(f, "write"):
        _write_archive(f, root, tensors)
        return
    with atomic_write(f) as fh:
        _write_archive(fh, root, tensors)


@contextlib.contextmanager
def atomic_write(path, suffix=".tmp"):
    """Write a file so that ``path`` only ever holds the old content or all of the new.

    Yields a binary file opened on a temporary file beside ``path``; when the block ends
    without an exception the data is flushed to disk and the file renamed over ``path``
    (an atomic replace), otherwise the temporary file is removed and ``path`` is untouched.
    The file gets the permissions a plain ``open(path, "wb")`` would leave (as with
    ``torch.save``): those of the file it replaces, or the usual ones under the umask.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}{suffix}")
    # mode 0o666 less the umask, as open() creates files (mkstemp's would be 0o600)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            if os.path.exists(path):
                os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)


def _fsync_folder(folder):
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _encode(obj, tensors, seen):
    """``obj`` as JSON-ready data; tensors are appended to ``tensors`` and referenced by index.

    Every dict, tuple, tensor and special float becomes a tagged JSON object
    (``{"__type__": ...}``), so plain JSON objects never occur and dict keys keep their
    Python types (an optimizer's ``{0: ...}`` comes back with the int key 0).
    """
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            return {"__type__": "float", "value": repr(obj)}
        return obj
    if isinstance(obj, Tensor):
        index = seen.get(id(obj))
        if index is None:  # the same tensor saved twice is stored once, and loads as one
            index = seen[id(obj)] = len(tensors)
            tensors.append(obj)
        return {"__type__": "tensor", "index": index}
    if isinstance(obj, dict):
        kind = "odict" if isinstance(obj, OrderedDict) else "dict"
        return {"__type__": kind, "items": [[_encode_key(k), _encode(v, tensors, seen)]
                                            for k, v in obj.items()]}
    if isinstance(obj, list):
        return [_encode(v, tensors, seen) for v in obj]
    if isinstance(obj, tuple):
        return {"__type__": "tuple", "items": [_encode(v, tensors, seen) for v in obj]}
    if isinstance(obj, backend.dtype):
        return {"__type__": "dtype", "name": obj.name}
    if isinstance(obj, backend.device):
        return {"__type__": "device", "name": str(obj)}
    if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":  # e.g. an accuracy from NumPy
        return _encode(obj.item(), tensors, seen)
    raise TypeError(f"minigrad.save cannot store an object of type {type(obj).__qualname__} "
                    "(supported: Tensor, dict, OrderedDict, list, tuple, str, int, float, bool, "
                    "None, minigrad dtypes and devices); save its state_dict() instead")


def _encode_key(key):
    if key is None or isinstance(key, (bool, int, str)):
        return key
    if isinstance(key, float) or (isinstance(key, tuple) and all(_is_plain_key(k) for k in key)):
        return _encode(key, [], {})
    raise TypeError(f"minigrad.save cannot store a dict key of type {type(key).__qualname__} "
                    "(keys must be str, int, float, bool, None or tuples of those)")


def _is_plain_key(key):
    if key is None or isinstance(key, (bool, int, str, float)):
        return True
    return isinstance(key, tuple) and all(_is_plain_key(k) for k in key)


def _write_archive(fh, root, tensors):
    entries = []
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for i, t in enumerate(tensors):
            array = backend.to_numpy(t._data)
            name = f"tensors/{i}.npy"
            with zf.open(name, "w", force_zip64=array.nbytes > 2**31) as member:
                writer = _HashingWriter(member)
                np.lib.format.write_array(writer, array, allow_pickle=False)
            entry = {"file": name, "dtype": t.dtype.name, "shape": list(array.shape),
                     "sha256": writer.sha256.hexdigest(), "device": str(t.device)}
            if t.requires_grad:
                entry["requires_grad"] = True
            if type(t).__name__ == "Parameter":
                entry["parameter"] = True
            entries.append(entry)
        manifest = {"format": FORMAT, "version": VERSION, "tensors": entries, "root": root}
        zf.writestr(MANIFEST, json.dumps(manifest, allow_nan=False))


class _HashingWriter:
    """A write-only file that hashes what passes through it."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def write(self, data):
        self.sha256.update(data)
        return self.raw.write(data)


# ------------------------------------------------------------------------ load


def load(f, map_location=None):
    """Load what ``save`` wrote. Tensors come back on the CPU, or where ``map_location`` says.

    ``map_location`` may be a device (``"cpu"``, ``"cuda"``, ``minigrad.device(...)``), a
    dict mapping saved device names to devices (``{"cuda:0": "cpu"}``), or a function
    ``fn(tensor, saved_device_name)`` returning the tensor to use.
    """
    name = _describe(f)
    if hasattr(f, "read"):
        if not (hasattr(f, "seekable") and f.seekable()):
            f = io.BytesIO(f.read())
        return _read_archive(f, name, map_location)
    with open(f, "rb") as fh:
        return _read_archive(fh, name, map_location)


def _describe(f):
    if hasattr(f, "read"):
        return repr(getattr(f, "name", f"<{type(f).__name__}>"))
    return repr(os.fspath(f))


def _read_archive(fh, name, map_location):
    start = fh.tell()
    head = fh.read(4)
    fh.seek(start)
    if head[:2] != b"PK":
        hint = (" (it looks like a pickle, which minigrad refuses to load because unpickling can "
                "run arbitrary code)" if head[:1] == b"\x80" else "")
        raise CheckpointError(f"{name} is not a minigrad checkpoint: not a zip archive{hint}")
    try:
        zf = zipfile.ZipFile(fh)
    except Exception as e:  # BadZipFile, EOFError, struct.error, OSError...
        raise CheckpointError(f"{name} is truncated or corrupted: cannot read the zip archive "
                              f"({type(e).__name__}: {e})") from e
    with zf:
        manifest = _read_manifest(zf, name)
        tensors = [_read_tensor(zf, name, i, entry, map_location)
                   for i, entry in enumerate(manifest["tensors"])]
        try:
            return _decode(manifest["root"], tensors)
        except CheckpointError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, RecursionError) as e:
            raise CheckpointError(f"{name} is corrupted: malformed manifest structure "
                                  f"({type(e).__name__}: {e})") from e


def _read_member(zf, name, member):
    try:
        info = zf.getinfo(member)
    except KeyError as e:
        raise CheckpointError(f"{name} is incomplete: the archive has no {member!r}") from e
    if info.compress_type != zipfile.ZIP_STORED:  # no decompression bombs: members are stored
        raise CheckpointError(f"{name}: {member!r} is compressed, but minigrad checkpoints "
                              "store their members uncompressed; refusing to decompress it")
    try:
        return zf.read(info)
    except Exception as e:  # BadZipFile (bad CRC), zlib.error, EOFError, struct.error...
        raise CheckpointError(f"{name} is truncated or corrupted: cannot read {member!r} "
                              f"({type(e).__name__}: {e})") from e


def _read_manifest(zf, name):
    names = set(zf.namelist())
    if MANIFEST not in names:
        hint = (" (it looks like a PyTorch checkpoint: load it with torch.load)"
                if any(n.endswith("data.pkl") for n in names) else "")
        raise CheckpointError(f"{name} is not a minigrad checkpoint: no {MANIFEST} in the "
                              f"archive{hint}")
    raw = _read_member(zf, name, MANIFEST)
    try:
        manifest = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CheckpointError(f"{name} is corrupted: {MANIFEST} is not valid JSON ({e})") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError(f"{name} is not a minigrad checkpoint: {MANIFEST} does not "
                              f"declare format {FORMAT!r}")
    version = manifest.get("version")
    if version != VERSION:
        raise CheckpointError(f"{name} has checkpoint format version {version!r}; this minigrad "
                              f"reads version {VERSION}")
    if not isinstance(manifest.get("tensors"), list) or "root" not in manifest:
        raise CheckpointError(f"{name} is corrupted: {MANIFEST} lacks its tensor table or root")
    return manifest


def _reject_constant(token):
    raise ValueError(f"non-standard JSON constant {token}")


def _read_tensor(zf, name, i, entry, map_location):
    try:
        member, dtype, shape, digest = (entry["file"], entry["dtype"], tuple(entry["shape"]),
                                        entry["sha256"])
        if not (isinstance(member, str) and isinstance(dtype, str) and isinstance(digest, str)
                and all(type(n) is int for n in shape)):
            raise TypeError("file, dtype and sha256 must be strings, shape a list of ints")
    except (KeyError, TypeError) as e:
        raise CheckpointError(f"{name} is corrupted: entry {i} of the tensor table is "
                              f"malformed ({e!r})") from e
    if dtype not in _DTYPES:
        raise CheckpointError(f"{name}: tensor {i} ({member}) has unsupported dtype {dtype!r} "
                              f"(supported: {', '.join(sorted(_DTYPES))})")
    raw = _read_member(zf, name, member)
    if hashlib.sha256(raw).hexdigest() != digest:
        raise CheckpointError(f"{name} is corrupted: {member} does not match its SHA-256 "
                              "checksum")
    try:
        array = np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)
    except Exception as e:  # object arrays are refused here (allow_pickle=False)
        raise CheckpointError(f"{name}: cannot read {member} as an array "
                              f"({type(e).__name__}: {e})") from e
    if array.dtype.name not in _DTYPES or array.dtype.name != dtype:
        raise CheckpointError(f"{name}: {member} holds dtype {array.dtype}, where the manifest "
                              f"says {dtype!r} (supported: {', '.join(sorted(_DTYPES))})")
    if array.shape != shape:
        raise CheckpointError(f"{name}: {member} has shape {list(array.shape)}, where the "
                              f"manifest says {list(shape)}")
    # a native-endian, C-ordered array that owns its (writable) memory
    if array.dtype.byteorder not in "=|":
        array = array.astype(array.dtype.newbyteorder("="))
    if not (array.flags.c_contiguous and array.flags.writeable):
        array = np.array(array, order="C")
    t = Tensor._make(array, None)
    saved_device = entry.get("device")
    t = _place(t, saved_device if isinstance(saved_device, str) else "cpu", map_location)
    if entry.get("requires_grad"):
        if not t.dtype.is_floating_point:
            raise CheckpointError(f"{name} is corrupted: {member} has dtype {dtype} but is "
                                  "marked requires_grad (only floating point tensors can be)")
        t.requires_grad_(True)
    if entry.get("parameter"):
        t = _as_parameter(t)
    return t


def _as_parameter(t):
    try:
        from .nn import Parameter
    except ImportError:  # pragma: no cover - minigrad without its nn package
        return t
    return Parameter(t, requires_grad=t.requires_grad)


def _place(t, saved_device, map_location):
    if map_location is None:
        return t
    if callable(map_location) and not isinstance(map_location, (str, backend.device)):
        out = map_location(t, saved_device)
        return t if out is None else out
    if isinstance(map_location, dict):
        target = map_location.get(saved_device, "cpu")
    else:
        target = map_location
    dev = backend.device(target)
    return t if dev == t.device else Tensor._make(backend.move(t._data, dev), None)


def _decode(node, tensors):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, tensors) for v in node]
    kind = node["__type__"]
    if kind == "tensor":
        index = node["index"]
        if not isinstance(index, int) or not 0 <= index < len(tensors):
            raise CheckpointError(f"tensor reference {index!r} is out of range")
        return tensors[index]
    if kind in ("dict", "odict"):
        items = ((_decode_key(k, tensors), _decode(v, tensors)) for k, v in node["items"])
        return OrderedDict(items) if kind == "odict" else dict(items)
    if kind == "tuple":
        return tuple(_decode(v, tensors) for v in node["items"])
    if kind == "float":
        if node["value"] not in ("nan", "inf", "-inf"):
            raise ValueError(f"bad float {node['value']!r}")
        return float(node["value"])
    if kind == "dtype":
        return backend.DTYPES[node["name"]]
    if kind == "device":
        return backend.device(node["name"])
    raise ValueError(f"unknown type tag {kind!r}")


def _decode_key(key, tensors):
    out = _decode(key, tensors)
    if isinstance(out, (list, dict, Tensor)):
        raise ValueError(f"unhashable dict key in manifest: {key!r}")
    return out
