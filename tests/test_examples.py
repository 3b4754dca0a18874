"""The tutorial examples run end to end (in a tiny --quick configuration) and draw their pictures.

Each example is imported and its ``main(argv)`` called in-process; MNIST examples read the
IDX files from the ``mnist_dir`` fixture (``$MINIGRAD_MNIST``) and are skipped without it.
"""
import importlib
import os
import pathlib
import re
import struct
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))


def example(name):
    return importlib.import_module(name)


def run_example(name, out, *args):
    return example(name).main(["--quick", "--out", str(out), *args])


def assert_valid_png(path):
    """A complete PNG file: signature, a real image header, and the closing IEND chunk."""
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 200 and height >= 150, f"{path} is only {width}x{height}"
    assert data.endswith(b"IEND\xaeB`\x82"), f"{path} is truncated"


def summary_line(captured, name, framework):
    pattern = (rf"^Summary \[{name} \| {framework} \| cpu\]: test accuracy (\d+\.\d\d)% after "
               rf"\d+ epoch\(s\) \(quick\), wall time \d+\.\d s$")
    match = re.search(pattern, captured, re.M)
    assert match, f"no summary line for {name}/{framework} in:\n{captured}"
    return float(match.group(1))


def assert_pictures(result, out, expected_names):
    assert sorted(os.path.basename(p) for p in result.pictures) == sorted(expected_names)
    for p in result.pictures:
        assert pathlib.Path(p).parent == out
        assert_valid_png(p)


# ------------------------------------------------------------------ two-dimensional data


def test_blobs_binary_compare_runs_both_frameworks_and_draws_both_curves_in_one_figure(
        tmp_path, capsys):
    results = run_example("blobs_binary", tmp_path, "--compare")
    printed = capsys.readouterr().out
    assert set(results) == {"minigrad", "torch"}
    for fw in ("minigrad", "torch"):
        accuracy = summary_line(printed, "blobs_binary", fw)
        assert accuracy == pytest.approx(results[fw].accuracy, abs=0.005)
        assert 0 <= accuracy <= 100
        assert len(results[fw].history["train_loss"]) == 5
        assert f"  picture: {tmp_path / (fw + '_decision_boundary.png')}" in printed
    assert_pictures(results["minigrad"], tmp_path,
                    ["minigrad_decision_boundary.png", "minigrad_curves.png",
                     "compare_curves.png"])
    assert_pictures(results["torch"], tmp_path,
                    ["torch_decision_boundary.png", "torch_curves.png"])


def test_blobs_multiclass_quick_run_writes_regions_and_curves(tmp_path, capsys):
    result = run_example("blobs_multiclass", tmp_path, "--no-progress")
    summary_line(capsys.readouterr().out, "blobs_multiclass", "minigrad")
    assert result.framework == "minigrad"
    assert_pictures(result, tmp_path, ["minigrad_decision_regions.png", "minigrad_curves.png"])


def test_circles_quick_run_on_torch_plots_both_models(tmp_path, capsys):
    result = run_example("circles", tmp_path, "--framework", "torch", "--epochs", "3")
    printed = capsys.readouterr().out
    assert "linear model (SGD): test accuracy" in printed
    assert set(result.extra["accuracies"]) == {"linear", "relu"}
    assert len(result.history["linear_test_acc"]) == 3
    assert_pictures(result, tmp_path, ["torch_decision_boundaries.png", "torch_curves.png"])


def test_circles_at_full_settings_linear_model_fails_and_relu_model_succeeds(tmp_path):
    # 1,000 full-batch epochs on 800 points: a few seconds on minigrad
    result = example("circles").main(["--out", str(tmp_path), "--no-progress"])
    accuracies = result.extra["accuracies"]
    assert 35 <= accuracies["linear"] <= 65   # a straight line: about a coin flip
    assert accuracies["relu"] > 97


# ------------------------------------------------------------------ MNIST


@pytest.mark.parametrize("framework", ["minigrad", "torch"])
def test_mnist_mlp_quick_run_on_both_frameworks(framework, mnist_dir, tmp_path, capsys):
    result = run_example("mnist_mlp", tmp_path, "--framework", framework,
                         "--data-root", str(mnist_dir))
    printed = capsys.readouterr().out
    summary_line(printed, "mnist_mlp", framework)
    if framework == "torch":
        assert re.search(r"note: data: (torchvision|.*wrapped in torch tensors)", printed)
    assert result.accuracy > 40  # 512 images, one epoch: well above chance (10%)
    images, labels, predictions = result.extra["samples"]
    assert images.shape == (16, 1, 28, 28) and len(labels) == len(predictions) == 16
    assert labels[:4] == [7, 2, 1, 0]  # the first test digits
    assert_pictures(result, tmp_path, [f"{framework}_curves.png",
                                       f"{framework}_predictions.png"])


def test_mnist_lenet_quick_run_writes_curves_and_predictions(mnist_dir, tmp_path, capsys):
    result = run_example("mnist_lenet", tmp_path, "--data-root", str(mnist_dir))
    summary_line(capsys.readouterr().out, "mnist_lenet", "minigrad")
    assert_pictures(result, tmp_path, ["minigrad_curves.png", "minigrad_predictions.png"])


def test_conv_filters_quick_run_draws_the_32_kernels(mnist_dir, tmp_path, capsys):
    result = run_example("conv_filters", tmp_path, "--data-root", str(mnist_dir),
                         "--no-progress")
    summary_line(capsys.readouterr().out, "conv_filters", "minigrad")
    initial, learned = result.extra["filters"]
    assert learned.shape == initial.shape == (32, 1, 3, 3)
    assert abs(learned - initial).max() > 0  # training moved the kernels
    assert_pictures(result, tmp_path, ["minigrad_filters.png", "minigrad_filters_initial.png",
                                       "minigrad_predictions.png"])


def test_mnist_example_without_data_says_where_it_looked_in_one_line_and_exits_2(tmp_path,
                                                                                  capsys):
    with pytest.raises(SystemExit) as exit_:
        run_example("mnist_mlp", tmp_path / "out", "--data-root", str(tmp_path))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"python examples/mnist_mlp.py: error: MNIST files not found; looked "
                          f"in: --data-root {tmp_path} (no train-images-idx3-ubyte[.gz]")
    assert err.rstrip().endswith("or use --download.")


@pytest.mark.parametrize("framework", ["minigrad", "torch"])
def test_a_device_the_framework_cannot_use_is_a_one_line_error(framework, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run_example("blobs_binary", tmp_path, "--framework", framework, "--device", "nodevice")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"python examples/blobs_binary.py: error: --device nodevice is not "
                          f"usable by {framework} here (")
    assert err.rstrip().endswith("use --device cpu")
    assert not (tmp_path / f"{framework}_curves.png").exists()


# ------------------------------------------------------------------ shared helpers


def test_common_arguments_default_to_minigrad_cpu_and_out_folder():
    common = example("common")
    args = common.parse_args([], "demo", "a demo", epochs=10, quick_epochs=2)
    assert (args.framework, args.device, args.epochs, args.quick) == ("minigrad", "cpu", 10,
                                                                       False)
    assert args.out == os.path.join("out", "demo")
    assert args.progress is False  # stderr is not a terminal under pytest
    assert common.parse_args(["--progress"], "demo", "", epochs=1).progress is True
    assert common.parse_args(["--quick"], "demo", "", epochs=10, quick_epochs=2).epochs == 2
    assert common.parse_args(["--quick", "--epochs", "3"], "demo", "", epochs=10).epochs == 3
    with pytest.raises(SystemExit):
        common.parse_args(["--framework", "jax"], "demo", "", epochs=1)


def test_only_mnist_examples_take_a_data_root_and_download(capsys):
    common = example("common")
    args = common.parse_args(["--data-root", "/some/mnist", "--download"], "demo", "",
                             epochs=1, mnist=True)
    assert (args.data_root, args.download) == ("/some/mnist", True)
    assert common.parse_args([], "demo", "", epochs=1, mnist=True).data_root is None
    with pytest.raises(SystemExit):
        common.parse_args(["--data-root", "/some/mnist"], "demo", "", epochs=1)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        example("blobs_binary").main(["--help"])
    assert "--data-root" not in capsys.readouterr().out


def test_framework_namespaces_expose_the_same_names_from_each_library():
    common = example("common")
    import torch

    import minigrad
    mg, pt = common.framework("minigrad"), common.framework("torch")
    assert mg.torch is minigrad and pt.torch is torch
    for name in ("nn", "F", "optim"):  # modules: torch.nn <-> minigrad.nn ...
        assert getattr(mg, name).__name__ == getattr(pt, name).__name__.replace("torch",
                                                                                "minigrad")
    for name in ("DataLoader", "TensorDataset", "Subset"):  # classes of the same name
        assert getattr(mg, name).__name__ == getattr(pt, name).__name__ == name
        assert getattr(mg, name).__module__.startswith("minigrad.")
        assert getattr(pt, name).__module__.startswith("torch.")


def test_importing_common_does_not_import_matplotlib():
    code = (f"import sys; sys.path.insert(0, {str(EXAMPLES)!r}); import common; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_comparison_figure_keeps_each_curves_colour_and_names_it_once(tmp_path, monkeypatch):
    common = example("common")
    figures = []
    monkeypatch.setattr(common, "save", lambda fig, path: figures.append(fig) or path)
    history = {"epoch": [1, 2, 3], "train_loss": [3, 2, 1], "test_loss": [3, 2, 2],
               "train_acc": [50, 60, 70], "test_acc": [40, 50, 60]}
    common.plot_curves({"minigrad": history, "torch": history}, str(tmp_path / "c.png"), "t")
    for ax in figures[0].axes:
        lines = ax.get_lines()
        assert len(lines) == 4  # two curves, each drawn for both frameworks
        by_style = {}
        for line in lines:
            by_style.setdefault(line.get_linestyle(), []).append(line.get_color())
        assert by_style["-"] == by_style["--"]  # the same colour per curve in both runs
        assert len(set(by_style["-"])) == 2
        assert len(ax.get_legend().get_texts()) == 2
        assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
