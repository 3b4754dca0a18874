"""minigrad.save / minigrad.load: round trips, resumable checkpoints, atomic writes, and files
that are truncated, corrupted, foreign or malicious (loading never runs code from a file)."""
import io
import json
import os
import pickle
import shlex
import stat
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import minigrad
from minigrad import optim, serialization
from minigrad.serialization import CheckpointError


# ----------------------------------------------------------------------------- helpers


def assert_same(a, b, path="obj"):
    """Same types all the way down (dict key types too) and bit-identical tensors."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, minigrad.Tensor):
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape), path
        assert a.requires_grad == b.requires_grad, path
        x, y = np.asarray(a.data), np.asarray(b.data)
        assert x.tobytes() == y.tobytes(), f"{path}: values differ"
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for (k, v), k2 in zip(a.items(), b):
            assert type(k) is type(k2), f"{path}: key {k!r} changed type"
            assert_same(v, b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and a != a:
        assert b != b, path
    else:
        assert a == b, path


def round_trip(obj, **load_kwargs):
    buf = io.BytesIO()
    minigrad.save(obj, buf)
    buf.seek(0)
    return minigrad.load(buf, **load_kwargs)


def sample_checkpoint():
    w = minigrad.tensor([[1.5, -2.0, 3.25], [0.0, -0.0, 1e-30]], dtype=minigrad.float64,
                        requires_grad=True)
    return {
        "model": OrderedDict([("fc.weight", w), ("fc.bias", minigrad.zeros(3))]),
        "epoch": 3,
        "note": "après l'époque 3",
    }


# ------------------------------------------------------------------------ round trips


def test_nested_structures_round_trip_with_their_exact_types():
    obj = {
        "int": 7, "big_int": 2 ** 70, "float": 0.1, "neg_zero": -0.0, "nan": float("nan"),
        "inf": float("inf"), "-inf": float("-inf"), "bool": True, "none": None, "str": "π",
        "list": [1, [2.0, "three"], ()], "tuple": (1, (2,), [None]),
        "odict": OrderedDict([("b", 1), ("a", 2)]),
        0: "int key", 1.5: "float key", (1, "a"): "tuple key", None: "None key", True: "bool key",
        "dtype": minigrad.float64, "device": minigrad.device("cpu"),
    }
    assert_same(round_trip(obj), obj)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 0, 3), (3, 4, 2)])
def test_tensors_of_every_dtype_and_shape_round_trip_bit_exactly(dtype, shape):
    rng = np.random.default_rng(0)
    values = rng.standard_normal(shape) * 1e3
    if dtype == "float64" and values.size:
        values.flat[0] = np.nan
    t = minigrad.tensor(values.astype(dtype))
    out = round_trip({"t": t})["t"]
    assert_same(out, t)
    assert out.device == minigrad.device("cpu")


def test_requires_grad_and_tensor_sharing_are_preserved():
    w = minigrad.ones(2, 2, requires_grad=True)
    out = round_trip({"a": w, "b": [w], "c": minigrad.ones(2)})
    assert out["a"] is out["b"][0] and out["a"].requires_grad and out["a"].is_leaf
    assert not out["c"].requires_grad


def test_loaded_tensors_are_writable_and_independent_of_the_file(tmp_path):
    path = tmp_path / "t.mg"
    minigrad.save({"w": minigrad.ones(3)}, path)
    w = minigrad.load(path)["w"]
    w.add_(1)
    assert w.tolist() == [2.0, 2.0, 2.0]
    assert minigrad.load(path)["w"].tolist() == [1.0, 1.0, 1.0]


def test_paths_as_str_and_pathlike_and_file_objects_all_work(tmp_path):
    obj = sample_checkpoint()
    minigrad.save(obj, str(tmp_path / "a.pt"))
    minigrad.save(obj, tmp_path / "b.pt")
    with open(tmp_path / "c.pt", "wb") as fh:
        minigrad.save(obj, fh)
    for name in ("a.pt", "b.pt", "c.pt"):
        assert_same(minigrad.load(tmp_path / name), obj)
        with open(tmp_path / name, "rb") as fh:
            assert_same(minigrad.load(fh), obj)
    assert minigrad.load(str(tmp_path / "a.pt"), weights_only=True)["epoch"] == 3


def test_a_non_seekable_stream_can_be_read():
    buf = io.BytesIO()
    minigrad.save(sample_checkpoint(), buf)

    class Stream(io.RawIOBase):
        def __init__(self, data):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self.inner.readinto(b)

    assert_same(minigrad.load(Stream(buf.getvalue())), sample_checkpoint())


def test_tensors_come_back_on_the_cpu_unless_map_location_says_otherwise(strict_device):
    t = minigrad.tensor([1.0, 2.0], device=strict_device)
    assert round_trip(t).device == minigrad.device("cpu")
    assert round_trip(t, map_location="strict").device == minigrad.device("strict")
    assert round_trip(t, map_location={"strict": "strict"}).device == minigrad.device("strict")
    seen = []
    out = round_trip(t, map_location=lambda tensor, where: seen.append(where) or tensor)
    assert seen == ["strict"] and out.tolist() == [1.0, 2.0]


def test_module_like_state_dict_round_trips_into_fresh_parameters():
    params = OrderedDict((name, minigrad.randn(*shape, dtype=minigrad.float64,
                                               requires_grad=True))
                         for name, shape in [("0.weight", (4, 3)), ("0.bias", (4,))])
    state = OrderedDict((k, v.detach()) for k, v in params.items())
    loaded = round_trip(state)
    assert_same(loaded, state)


def test_nn_module_state_dict_round_trips(tmp_path):
    nn = pytest.importorskip("minigrad.nn")
    if not hasattr(nn, "Linear"):
        pytest.skip("minigrad.nn.Linear not written yet")
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    minigrad.save(model.state_dict(), tmp_path / "model.pt")
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(minigrad.load(tmp_path / "model.pt"))
    for (name, p), (_, q) in zip(model.named_parameters(), fresh.named_parameters()):
        assert np.array_equal(p.data, q.data), name


def test_parameters_come_back_as_parameters():
    Parameter = pytest.importorskip("minigrad.nn").Parameter
    p = Parameter(minigrad.ones(2))
    out = round_trip({"p": p})["p"]
    assert type(out) is Parameter and out.requires_grad and out.tolist() == [1.0, 1.0]


def test_unsupported_objects_are_refused_before_any_file_is_written(tmp_path):
    path = tmp_path / "ckpt.pt"
    for bad in ({"f": lambda: 0}, {"s": {1, 2}}, [np.zeros(2)], {object(): 1}):
        with pytest.raises(TypeError, match="minigrad.save cannot store"):
            minigrad.save(bad, path)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ resuming training


def make_run(seed=0):
    rng = np.random.default_rng(seed)
    init = {"W1": rng.standard_normal((4, 8)) * 0.5, "b1": np.zeros(8),
            "W2": rng.standard_normal((8, 3)) * 0.5, "b2": np.zeros(3)}
    batches = [(rng.standard_normal((6, 4)), rng.standard_normal((6, 3))) for _ in range(20)]
    return init, batches


def train_steps(params, opt, batches):
    for x, y in batches:
        x = minigrad.tensor(x, dtype=minigrad.float64)
        y = minigrad.tensor(y, dtype=minigrad.float64)
        opt.zero_grad()
        h = (x @ params["W1"] + params["b1"]).relu()
        (((h @ params["W2"] + params["b2"]) - y) ** 2).mean().backward()
        opt.step()


OPTIMIZERS = {
    "sgd_nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                        weight_decay=1e-3),
    "adam_amsgrad": lambda p: optim.Adam(p, lr=0.02, amsgrad=True),
    "adamw": lambda p: optim.AdamW(p, lr=0.02),
}


@pytest.mark.parametrize("make_opt", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_checkpoint_resume_is_bit_identical_to_an_uninterrupted_run(tmp_path, make_opt):
    init, batches = make_run()
    fresh = lambda: {k: minigrad.tensor(v, dtype=minigrad.float64, requires_grad=True)  # noqa
                     for k, v in init.items()}
    straight = fresh()
    train_steps(straight, make_opt(list(straight.values())), batches)

    first = fresh()
    opt = make_opt(list(first.values()))
    train_steps(first, opt, batches[:8])
    path = tmp_path / "ckpt.pt"
    minigrad.save({"model": {k: v.detach() for k, v in first.items()},
                   "optimizer": opt.state_dict(), "epoch": 8}, path)
    del first, opt

    ckpt = minigrad.load(path)
    assert ckpt["epoch"] == 8
    resumed = {k: minigrad.zeros(*v.shape, dtype=minigrad.float64, requires_grad=True)
               for k, v in ckpt["model"].items()}
    with minigrad.no_grad():
        for k, v in ckpt["model"].items():
            resumed[k].copy_(v)
    opt = make_opt(list(resumed.values()))
    opt.load_state_dict(ckpt["optimizer"])
    train_steps(resumed, opt, batches[8:])
    for k in init:
        assert resumed[k]._data.tobytes() == straight[k]._data.tobytes(), k


def test_nn_checkpoint_of_model_optimizer_and_scheduler_resumes_bit_identically(tmp_path):
    nn = pytest.importorskip("minigrad.nn")
    F = nn.functional
    rng = np.random.default_rng(0)
    batches = [(minigrad.tensor(rng.standard_normal((8, 4)), dtype=minigrad.float64),
                minigrad.tensor(rng.integers(0, 3, size=8))) for _ in range(16)]

    def build(seed):
        minigrad.manual_seed(seed)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).double()
        opt = optim.Adam(model.parameters(), lr=0.01)
        return model, opt, optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)

    def run(model, opt, sched, batches):
        for x, y in batches:
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
            sched.step()

    straight = build(0)
    run(*straight, batches)

    model, opt, sched = build(0)
    run(model, opt, sched, batches[:7])
    minigrad.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                   "scheduler": sched.state_dict(), "epoch": 7}, tmp_path / "ckpt.pt")

    model, opt, sched = build(1)  # different initial weights: the checkpoint must win
    ckpt = minigrad.load(tmp_path / "ckpt.pt")
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    sched.load_state_dict(ckpt["scheduler"])
    run(model, opt, sched, batches[ckpt["epoch"]:])
    assert sched.get_last_lr() == straight[2].get_last_lr()
    for (name, p), q in zip(model.named_parameters(), straight[0].parameters()):
        assert p._data.tobytes() == q._data.tobytes(), name


def test_optimizer_state_dict_round_trips_with_int_keys_and_step_tensors():
    w = minigrad.ones(3, requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    sd = round_trip(opt.state_dict())
    assert list(sd["state"]) == [0]
    assert sd["state"][0]["step"].item() == 1.0
    assert sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert_same(sd, opt.state_dict())


def test_saved_tensors_are_plain_npy_files_that_numpy_reads_without_pickle():
    """The .npy files inside are plain NumPy arrays (readable without minigrad)."""
    t = minigrad.tensor([[1.0, 2.0]], dtype=minigrad.float64)
    buf = io.BytesIO()
    minigrad.save({"t": t}, buf)
    with zipfile.ZipFile(buf) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        array = np.load(io.BytesIO(zf.read(manifest["tensors"][0]["file"])), allow_pickle=False)
    assert torch.equal(torch.from_numpy(array), torch.tensor([[1.0, 2.0]], dtype=torch.float64))


# ------------------------------------------------------------------------- atomicity


def test_saving_replaces_the_old_file(tmp_path):
    path = tmp_path / "ckpt.pt"
    minigrad.save({"epoch": 1}, path)
    minigrad.save({"epoch": 2}, path)
    assert minigrad.load(path) == {"epoch": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX permissions")
def test_a_saved_file_gets_the_permissions_open_would_give_it_like_torch_save(tmp_path):
    """A new checkpoint is readable as any file the user writes (0o666 less the umask),
    not private to them as a temporary file would be; overwriting keeps the old file's."""
    def mode(p):
        return stat.S_IMODE(os.stat(p).st_mode)

    with open(tmp_path / "plain", "wb"):
        pass
    minigrad.save({"epoch": 1}, tmp_path / "new.pt")
    torch.save({"epoch": 1}, tmp_path / "torch.pt")
    assert mode(tmp_path / "new.pt") == mode(tmp_path / "plain") == mode(tmp_path / "torch.pt")
    os.chmod(tmp_path / "new.pt", 0o640)
    minigrad.save({"epoch": 2}, tmp_path / "new.pt")
    assert mode(tmp_path / "new.pt") == 0o640
    assert minigrad.load(tmp_path / "new.pt") == {"epoch": 2}


class Crash(Exception):
    pass


@pytest.mark.parametrize("where", ["write_array", "fsync", "replace", "keyboard_interrupt"])
def test_a_crash_mid_save_leaves_the_old_file_intact_and_no_temp_file(tmp_path, monkeypatch,
                                                                      where):
    path = tmp_path / "ckpt.pt"
    minigrad.save(sample_checkpoint(), path)
    old_bytes = path.read_bytes()

    if where in ("write_array", "keyboard_interrupt"):
        real = np.lib.format.write_array
        error = Crash if where == "write_array" else KeyboardInterrupt
        calls = []

        def write_then_crash(fp, array, **kwargs):
            calls.append(1)
            if len(calls) == 2:  # the first tensor is already in the temp file
                fp.write(b"partial")
                raise error("crash")
            return real(fp, array, **kwargs)
        monkeypatch.setattr(np.lib.format, "write_array", write_then_crash)
        expected = error
    else:
        def crash(*args):
            raise Crash("crash")
        monkeypatch.setattr(os, where, crash)
        expected = Crash

    new = {"model": {"a": minigrad.zeros(100), "b": minigrad.ones(100)}, "epoch": 99}
    with pytest.raises(expected):
        minigrad.save(new, path)
    monkeypatch.undo()
    assert path.read_bytes() == old_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]
    assert_same(minigrad.load(path), sample_checkpoint())


def test_a_failed_first_save_leaves_no_file_at_all(tmp_path, monkeypatch):
    def crash(*args):
        raise Crash("crash")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(Crash):
        minigrad.save(sample_checkpoint(), tmp_path / "new.pt")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------ damaged or foreign files


def saved_bytes(obj=None):
    buf = io.BytesIO()
    minigrad.save(sample_checkpoint() if obj is None else obj, buf)
    return buf.getvalue()


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        minigrad.load(tmp_path / "nope.pt")


@pytest.mark.parametrize("keep", [0, 1, 10, 100, 0.5, 0.9, -1])
def test_truncated_file_gives_a_clear_error_naming_the_file(tmp_path, keep):
    data = saved_bytes()
    n = keep if isinstance(keep, int) and keep >= 0 else (
        int(len(data) * keep) if isinstance(keep, float) else len(data) + keep)
    path = tmp_path / "truncated.pt"
    path.write_bytes(data[:n])
    with pytest.raises(CheckpointError, match="truncated.pt") as info:
        minigrad.load(path)
    assert any(word in str(info.value) for word in ("truncated", "corrupted", "not a zip"))


def test_every_single_byte_corruption_is_detected_or_harmless():
    """Flip each byte of a checkpoint: loading either raises CheckpointError or (when the
    byte was zip bookkeeping such as a timestamp) returns exactly the saved data."""
    obj = {"w": minigrad.tensor([1.0, 2.0, 3.0]), "epoch": 3}
    data = saved_bytes(obj)
    detected = 0
    for i in range(len(data)):
        damaged = bytearray(data)
        damaged[i] ^= 0x41
        try:
            out = minigrad.load(io.BytesIO(bytes(damaged)))
        except CheckpointError:
            detected += 1
        else:
            assert_same(out, obj, f"flip at byte {i}")
    assert detected > len(data) // 2


def test_a_tensor_that_does_not_match_its_checksum_is_refused():
    data = saved_bytes({"w": minigrad.tensor([1.0, 2.0, 3.0])})
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:  # a consistent zip (CRCs recomputed)...
        for item in src.infolist():
            payload = src.read(item)
            if item.filename.endswith(".npy"):  # ...whose tensor was altered after saving
                payload = payload[:-8] + np.float32(9.0).tobytes() + payload[-4:]
            dst.writestr(item.filename, payload)
    out.seek(0)
    with pytest.raises(CheckpointError, match="SHA-256"):
        minigrad.load(out)


@pytest.mark.parametrize("content,words", [
    (b"", "not a zip archive"),
    (b"hello, this is text", "not a zip archive"),
    (bytes(range(256)) * 4, "not a zip archive"),
])
def test_files_that_are_not_checkpoints_are_named_as_such(tmp_path, content, words):
    path = tmp_path / "other.bin"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=words):
        minigrad.load(path)


def test_a_zip_without_a_manifest_is_not_a_checkpoint():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hi")
    buf.seek(0)
    with pytest.raises(CheckpointError, match="no manifest.json"):
        minigrad.load(buf)


def test_a_pytorch_checkpoint_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(CheckpointError, match="PyTorch checkpoint: load it with torch.load"):
        minigrad.load(path)


def rewrite_manifest(data, edit):
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            payload = src.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(payload)
                edit(manifest)
                payload = json.dumps(manifest)
            dst.writestr(item.filename, payload)
    out.seek(0)
    return out


@pytest.mark.parametrize("edit,words", [
    (lambda m: m.update(version=2), "format version 2; this minigrad reads version 1"),
    (lambda m: m.update(format="something-else"), "does not declare format"),
    (lambda m: m["tensors"][0].update(dtype="complex128"), "unsupported dtype 'complex128'"),
    (lambda m: m["tensors"][0].update(shape=[4]), "has shape \\[3\\], where the manifest says"),
    (lambda m: m["tensors"][0].update(file="tensors/7.npy"), "has no 'tensors/7.npy'"),
    (lambda m: m.update(root={"__type__": "tensor", "index": 5}), "out of range"),
    (lambda m: m.update(root={"__type__": "pickle", "data": "gASV"}), "unknown type tag"),
    (lambda m: m.pop("tensors"), "lacks its tensor table"),
])
def test_inconsistent_manifests_are_refused_with_the_reason(edit, words):
    data = saved_bytes({"w": minigrad.tensor([1.0, 2.0, 3.0])})
    with pytest.raises(CheckpointError, match=words):
        minigrad.load(rewrite_manifest(data, edit))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2 ** 40) | st.floats(allow_nan=False)
    | st.text(max_size=6) | st.sampled_from(["tensor", "dict", "tuple", "float", "nan", "bool"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["__type__", "items", "index", "value", "name", "x"]), inner, max_size=3),
    max_leaves=8)
MANIFEST_FIELDS = [("root",), ("root", "items"), ("root", "items", 0), ("tensors",),
                   ("tensors", 0), ("tensors", 0, "file"), ("tensors", 0, "dtype"),
                   ("tensors", 0, "shape"), ("tensors", 0, "sha256"),
                   ("tensors", 0, "requires_grad"), ("tensors", 0, "parameter"),
                   ("tensors", 0, "device"), ("version",), ("format",)]


@given(field=st.sampled_from(MANIFEST_FIELDS), value=JSON_VALUES)
@settings(max_examples=150, deadline=None)
def test_any_value_in_any_manifest_field_loads_or_raises_checkpoint_error(field, value):
    data = saved_bytes({"w": minigrad.tensor([1.0, 2.0, 3.0]), "n": 1})

    def edit(manifest):
        node = manifest
        for key in field[:-1]:
            node = node[key]
        node[field[-1]] = value

    try:
        minigrad.load(rewrite_manifest(data, edit))
    except CheckpointError:
        pass


def test_compressed_members_are_refused_rather_than_decompressed():
    """A stored-only format bounds what loading reads by the file's size (no zip bombs)."""
    src = zipfile.ZipFile(io.BytesIO(saved_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item))
    out.seek(0)
    with pytest.raises(CheckpointError, match="'manifest.json' is compressed"):
        minigrad.load(out)


def test_an_array_of_unsupported_dtype_is_refused():
    data = saved_bytes({"w": minigrad.tensor([1.0, 2.0, 3.0])})
    npy = io.BytesIO()
    np.save(npy, np.array([1 + 2j, 3j, 4.0]), allow_pickle=False)
    with pytest.raises(CheckpointError, match="holds dtype complex128"):
        minigrad.load(replace_member(data, "tensors/0.npy", npy.getvalue()))


# ------------------------------------------------------------------ malicious files


class RunsShellCommand:
    """Unpickling this runs a shell command (the classic malicious-pickle payload)."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def malicious(marker):
    return RunsShellCommand(f"touch {shlex.quote(str(marker))}")


def test_the_payload_used_below_really_executes_when_unpickled(tmp_path):
    marker = tmp_path / "control-marker"
    pickle.loads(pickle.dumps(malicious(marker)))
    assert marker.exists()


def test_a_malicious_pickle_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"state": malicious(marker)}))
    with pytest.raises(CheckpointError, match="pickle"):
        minigrad.load(path)
    assert not marker.exists()


def test_a_malicious_pickle_inside_a_torch_style_zip_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps(malicious(marker)))
    buf.seek(0)
    with pytest.raises(CheckpointError, match="not a minigrad checkpoint"):
        minigrad.load(buf)
    assert not marker.exists()


def replace_member(data, name, payload, fix_checksum=True):
    """The archive with member ``name`` replaced (and its manifest checksum updated)."""
    import hashlib
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == name:
                content = payload
            elif item.filename == "manifest.json" and fix_checksum:
                manifest = json.loads(content)
                for entry in manifest["tensors"]:
                    if entry["file"] == name:
                        entry["sha256"] = hashlib.sha256(payload).hexdigest()
                content = json.dumps(manifest)
            dst.writestr(item.filename, content)
    out.seek(0)
    return out


def test_an_object_array_is_refused_without_unpickling_it(tmp_path):
    marker = tmp_path / "pwned"
    npy = io.BytesIO()
    np.save(npy, np.array([malicious(marker)], dtype=object), allow_pickle=True)
    data = saved_bytes({"w": minigrad.tensor([1.0, 2.0, 3.0])})
    with pytest.raises(CheckpointError, match="tensors/0.npy") as info:
        minigrad.load(replace_member(data, "tensors/0.npy", npy.getvalue()))
    assert "allow_pickle" in str(info.value) or "Object arrays" in str(info.value)
    assert not marker.exists()
    # control: the same bytes do run the payload when NumPy is allowed to unpickle
    np.load(io.BytesIO(npy.getvalue()), allow_pickle=True)
    assert marker.exists()


def test_the_error_type_is_a_runtime_error_subclass():
    assert issubclass(CheckpointError, RuntimeError)
    assert serialization.CheckpointError is CheckpointError
