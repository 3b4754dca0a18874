"""examples/mnist_modern_cnn.py (conv-BatchNorm-ReLU blocks, dropout, AdamW, OneCycleLR)
runs end to end in its --quick configuration (one epoch on 512 images): it trains,
evaluates in eval mode, draws and summarises like the other MNIST examples. (Its PyTorch
side is the same code; the course-program tests train such a network on both frameworks.)"""
import math

from test_examples import assert_pictures, run_example, summary_line


def test_modern_cnn_quick_run_trains_evaluates_and_draws(mnist_dir, tmp_path, capsys):
    result = run_example("mnist_modern_cnn", tmp_path, "--data-root", str(mnist_dir),
                         "--no-progress")
    summary_line(capsys.readouterr().out, "mnist_modern_cnn", "minigrad")
    assert math.isfinite(result.history["train_loss"][0])
    assert_pictures(result, tmp_path, ["minigrad_curves.png", "minigrad_predictions.png"])


def fashion_like_folder(folder, mnist_dir):
    """A flat folder that FashionMNIST reads: the MNIST images with the labels shifted by
    one (9 -> 0), so they are not the digits' labels (no real Fashion-MNIST here)."""
    import gzip

    import numpy as np

    from minigrad.datasets import read_idx
    folder.mkdir()
    for prefix in ("train", "t10k"):
        images = f"{prefix}-images-idx3-ubyte.gz"
        (folder / images).symlink_to(mnist_dir / images)
        labels = (read_idx(mnist_dir / f"{prefix}-labels-idx1-ubyte.gz") + 1) % 10
        header = bytes([0, 0, 8, 1]) + len(labels).to_bytes(4, "big")
        (folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(
            gzip.compress(header + labels.astype(np.uint8).tobytes()))
    return folder


def test_dataset_fashion_compare_trains_both_frameworks_on_fashion_mnist(mnist_dir, tmp_path,
                                                                        capsys):
    folder = fashion_like_folder(tmp_path / "fashion", mnist_dir)
    results = run_example("mnist_modern_cnn", tmp_path, "--dataset", "fashion", "--compare",
                          "--data-root", str(folder), "--no-progress")
    printed = capsys.readouterr().out
    for framework in ("minigrad", "torch"):
        summary_line(printed, "mnist_modern_cnn", framework)
        images, labels, _ = results[framework].extra["samples"]
        assert labels[:4] == [8, 3, 2, 1]  # the first test digits 7 2 1 0, shifted by one
    assert f"note: data: minigrad.datasets.FashionMNIST from {folder}" in printed
    assert "datasets.FashionMNIST" in "".join(results["torch"].notes)


def test_dataset_option_is_mnist_or_fashion_and_only_the_modern_cnn_takes_it(capsys):
    import pytest

    from test_examples import example
    common = example("common")
    assert common.parse_args([], "demo", "", epochs=1, fashion=True).dataset == "mnist"
    assert common.parse_args(["--dataset", "fashion"], "demo", "", epochs=1,
                             fashion=True).dataset == "fashion"
    assert common.parse_args([], "demo", "", epochs=1, mnist=True).dataset == "mnist"
    with pytest.raises(SystemExit):
        common.parse_args(["--dataset", "cifar"], "demo", "", epochs=1, fashion=True)
    with pytest.raises(SystemExit):
        common.parse_args(["--dataset", "fashion"], "demo", "", epochs=1, mnist=True)
    capsys.readouterr()
