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
