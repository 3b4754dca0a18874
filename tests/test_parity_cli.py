"""``python -m parity``: presets, exit status, the verdict in the last line, JSON output."""
import json
import os
import pathlib
import subprocess
import sys

from parity import presets
from parity.__main__ import main

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_cli(*args, env=None):
    """The CLI in a fresh interpreter, as a user runs it: (status, stdout, stderr)."""
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([sys.executable, "-m", "parity", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def last_line(text):
    return text.strip().splitlines()[-1]


def test_list_shows_every_preset_and_exits_0():
    status, out, _ = run_cli("--list")
    assert status == 0
    names = [line.split()[0] for line in out.strip().splitlines()]
    assert names == list(presets.PRESETS)
    assert {"blobs-mlp", "blobs8-mlp", "circles", "mnist-mlp", "mnist-lenet"} <= set(names)


def test_short_float64_run_within_tolerance_exits_0_and_says_pass_last():
    status, out, _ = run_cli("blobs-mlp", "--dtype", "float64", "--steps", "8")
    assert status == 0, out
    assert last_line(out).startswith("PASS: blobs-mlp float64 worst rel ")
    assert "float64 lockstep, 8 steps" in out


def test_impossible_tolerance_exits_1_with_the_reason_in_the_last_line(capsys):
    status = main(["blobs8-mlp", "--dtype", "float64", "--steps", "10", "--limit", "500",
                   "--tolerance", "1e-300"])
    out = capsys.readouterr().out
    assert status == 1
    line = last_line(out)
    assert line.startswith("FAIL: blobs8-mlp float64 lockstep beyond tolerance 1e-300: step ")
    assert "diverged" in line and "beyond the tolerance 1e-300" in line


def test_json_output_parses_and_holds_the_numbers(capsys):
    import torch
    threads = torch.get_num_threads()
    status = main(["circles", "--dtype", "float64", "--steps", "5", "--json"])
    assert torch.get_num_threads() == threads  # one thread during the run only
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert status == 0 and doc["passed"] is True and doc["status"] == 0
    assert doc["verdict"].startswith("PASS")
    assert [e["label"] for e in doc["experiments"]] == ["circles-linear", "circles-relu"]
    ls = doc["experiments"][1]["lockstep"]
    assert ls["dtype"] == "float64" and ls["steps"] == 5 and ls["tolerance"] == 1e-9
    assert 0 <= ls["worst_rel"] <= 1e-9
    assert set(ls["layers"]) == {"body.0", "body.2", "body.4"}
    assert len(ls["layers"]["body.0"]["grad_rel"]) == 5
    assert len(ls["loss"]["minigrad"]) == len(ls["loss"]["torch"]) == 5
    assert set(ls["accuracy"]) == {"minigrad", "torch"}
    assert captured.err.strip().splitlines()[-1] == doc["verdict"]


def test_default_run_adds_float32_end_to_end_and_writes_report_and_plots(tmp_path, capsys):
    status = main(["circles", "--steps", "5", "--epochs", "40", "--out", str(tmp_path),
                   "--plot", "--acc-tolerance", "100"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "float32 end-to-end, 40 epochs each" in out
    doc = json.loads((tmp_path / "circles.json").read_text())
    ee = doc["experiments"][1]["endtoend"]
    assert ee["curves"]["minigrad"]["epochs"][-1] == ee["curves"]["torch"]["epochs"][-1] == 40
    assert 0 <= ee["curves"]["torch"]["final_accuracy"] <= 1
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == ["circles-linear-endtoend.png", "circles-linear-lockstep-float64.png",
                    "circles-relu-endtoend.png", "circles-relu-lockstep-float64.png"]


def test_float32_accuracy_gap_beyond_acc_tolerance_fails(capsys):
    status = main(["blobs-mlp", "--dtype", "float32", "--steps", "3", "--acc-tolerance", "-1"])
    assert status == 1
    assert last_line(capsys.readouterr().out).startswith(
        "FAIL: blobs-mlp float32 lockstep accuracies differ by 0.00 points")


def test_mnist_preset_without_data_fails_with_a_clear_message(tmp_path):
    status, out, _ = run_cli("mnist-mlp", "--data-root", str(tmp_path / "nowhere"),
                             env={"MINIGRAD_MNIST": ""})
    assert status == 2
    assert last_line(out).startswith(f"error: MNIST files not found; looked in: --data-root "
                                     f"{tmp_path / 'nowhere'} (no such folder). Pass --data-root")
    assert last_line(out).endswith("or use --download.")


def test_unknown_preset_exits_2_naming_the_known_ones(capsys):
    assert main(["imagenet"]) == 2
    line = last_line(capsys.readouterr().out)
    assert "unknown preset 'imagenet'" in line and "blobs8-mlp" in line


def test_mnist_preset_reads_the_data_root(mnist_dir, capsys):
    status = main(["mnist-mlp", "--dtype", "float64", "--steps", "3", "--limit", "256",
                   "--data-root", str(mnist_dir)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "data: 256 training, 256 test samples" in out


def test_importing_parity_leaves_optional_libraries_unloaded():
    code = ("import sys, parity; print(sorted(m for m in ('sklearn', 'matplotlib', 'hypothesis', "
            "'tqdm') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_missing_package_sends_the_user_to_the_project_environment(monkeypatch, capsys):
    def no_sklearn(data_root=None, download=False):
        raise ImportError("minigrad.datasets.blobs and circles use scikit-learn: pip install "
                          "scikit-learn") from ModuleNotFoundError("No module named 'sklearn'",
                                                                  name="sklearn")
    monkeypatch.setattr(presets.PRESETS["blobs-mlp"], "data", no_sklearn)
    assert main(["blobs-mlp"]) == 2
    line = last_line(capsys.readouterr().out)
    assert line.startswith(f"error: sklearn is not installed in this Python ({sys.executable}): "
                           "run `source .venv/bin/activate` in the repository first")
    assert "pip install" not in line
