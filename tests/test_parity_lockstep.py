"""parity.lockstep: identical weights and batches; float64 agreement, and finding a fault."""
import json

import numpy as np
import pytest
import torch

import minigrad
import minigrad.optim
from parity import endtoend, lockstep, presets, report
from parity.lockstep import batch_indices

TOLERANCE = 1e-9

# (preset, experiment index, steps, samples): a few steps on a slice of the data keeps each
# case to a few seconds; the CLI runs the full-length versions.
CASES = [("blobs-mlp", 0, 40, None), ("blobs8-mlp", 0, 20, 1000), ("circles", 0, 40, None),
         ("circles", 1, 40, None), ("mnist-mlp", 0, 12, 768), ("mnist-lenet", 0, 6, 384)]


def preset_data(name, limit, request):
    preset = presets.get(name)
    root = request.getfixturevalue("mnist_dir") if preset.needs_download else None
    return preset, preset.data(root).limited(limit)


@pytest.mark.parametrize("name,index,steps,limit", CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_every_preset_agrees_with_torch_in_float64_lockstep(name, index, steps, limit, request):
    preset, data = preset_data(name, limit, request)
    exp = preset.experiments[index]
    result = lockstep(train=data.train, test=data.test, steps=steps, dtype="float64",
                      tolerance=TOLERANCE, **exp.recipe())
    assert result.failure is None, result.failure["message"]
    assert result.worst_rel <= TOLERANCE
    assert result.grad_rel.shape == (steps, len(result.layers))
    assert np.all(np.isfinite(result.loss[0])) and result.loss[0][-1] < result.loss[0][0]
    assert result.accuracy[0] == result.accuracy[1]


# --------------------------------------------------------------- a broken op


class ScaleWrongGainGrad(minigrad.autograd.Function):
    """y = x * gain, with the gradient of ``gain`` doubled: a bug to be found."""

    @staticmethod
    def forward(ctx, x, gain):
        ctx.save_for_backward(x, gain)
        return x * gain

    @staticmethod
    def backward(ctx, grad):
        x, gain = ctx.saved_tensors
        return grad * gain, 2 * (grad * x).sum(0)


class ScaleWrongInputGrad(ScaleWrongGainGrad):
    """y = x * gain, with the gradient of ``x`` missing its factor ``gain``."""

    @staticmethod
    def backward(ctx, grad):
        x, gain = ctx.saved_tensors
        return grad, (grad * x).sum(0)


class ScaleWrongForward(ScaleWrongGainGrad):
    @staticmethod
    def forward(ctx, x, gain):
        ctx.save_for_backward(x, gain)
        return x * gain * 1.001


def scaled_mlp(function):
    """Linear-ReLU-Scale-Linear; on minigrad the Scale layer runs ``function``."""

    def desc(nn):
        fw = minigrad if nn is minigrad.nn else torch

        class Scale(nn.Module):
            def __init__(self, n):
                super().__init__()
                self.gain = nn.Parameter(fw.rand(n) + 0.5)

            def forward(self, x):
                if fw is minigrad:
                    return function.apply(x, self.gain)
                return x * self.gain

        return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), Scale(8), nn.Linear(8, 3))

    return desc


def toy_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)


class ScaleRight(ScaleWrongGainGrad):
    """y = x * gain, done right."""

    @staticmethod
    def backward(ctx, grad):
        x, gain = ctx.saved_tensors
        return grad * gain, (grad * x).sum(0)


def test_correct_custom_function_in_a_model_stays_in_lockstep():
    result = lockstep(scaled_mlp(ScaleRight), "cross_entropy", toy_data(), steps=10,
                      tolerance=TOLERANCE, optimizer="sgd", lr=0.1)
    assert result.passed and result.worst_rel < TOLERANCE


def test_broken_parameter_gradient_is_found_at_step_0_in_its_layer():
    result = lockstep(scaled_mlp(ScaleWrongGainGrad), "cross_entropy", toy_data(), steps=10,
                      tolerance=TOLERANCE, optimizer="sgd", lr=0.1)
    assert not result.passed
    f = result.failure
    assert (f["step"], f["phase"], f["layer"], f["type"]) == (0, "gradient", "2", "Scale")
    table = report.lockstep_table(result)
    assert "FAILED" in table
    assert "first divergence: step 0: the gradients diverged first at layer '2' (Scale)" in table


def test_broken_input_gradient_is_located_before_the_layers_that_still_agree():
    result = lockstep(scaled_mlp(ScaleWrongInputGrad), "cross_entropy", toy_data(), steps=5,
                      tolerance=TOLERANCE, optimizer="adam", lr=0.01)
    f = result.failure
    assert (f["step"], f["phase"], f["layer"], f["type"]) == (0, "gradient", "0", "Linear")
    assert "the gradients of the layers after it ('2' ...) agree" in f["message"]


def test_broken_forward_is_found_at_step_0_in_the_layer_whose_output_differs():
    result = lockstep(scaled_mlp(ScaleWrongForward), "cross_entropy", toy_data(), steps=3,
                      tolerance=TOLERANCE)
    f = result.failure
    assert (f["step"], f["phase"], f["layer"], f["type"]) == (0, "forward", "2", "Scale")
    assert "forward pass diverged first at layer '2' (Scale)" in f["message"]


def test_divergence_appearing_later_is_reported_at_its_first_step():
    class LateFault(ScaleWrongGainGrad):
        """Correct for the first 7 backward passes, then the gain's gradient doubles."""
        calls = 0

        @staticmethod
        def backward(ctx, grad):
            LateFault.calls += 1
            x, gain = ctx.saved_tensors
            factor = 2 if LateFault.calls > 7 else 1
            return grad * gain, factor * (grad * x).sum(0)

    result = lockstep(scaled_mlp(LateFault), "cross_entropy", toy_data(), steps=12,
                      tolerance=TOLERANCE, optimizer="sgd", lr=0.1)
    f = result.failure
    assert (f["step"], f["phase"], f["layer"]) == (7, "gradient", "2")
    scale = result.layers.index(("2", "Scale"))
    assert result.grad_rel[:7].max() <= TOLERANCE < result.grad_rel[7, scale]


def test_wrong_optimizer_update_is_reported_as_the_update_of_the_layer_it_touched(
        monkeypatch):
    correct_step = minigrad.optim.SGD.step

    def slightly_wrong_step(self, closure=None):
        correct_step(self)
        last_bias = self.param_groups[0]["params"][-1]
        last_bias.data *= 1 + 1e-6

    monkeypatch.setattr(minigrad.optim.SGD, "step", slightly_wrong_step)
    result = lockstep(scaled_mlp(ScaleRight), "cross_entropy",
                      toy_data(), steps=3, tolerance=TOLERANCE, optimizer="sgd", lr=0.1)
    f = result.failure
    assert (f["step"], f["phase"], f["layer"], f["type"]) == (0, "update", "3", "Linear")
    assert "its gradients agreed but the new parameters differ" in f["message"]


# ------------------------------------------------------------ float32 and reports


def test_float32_lockstep_reports_small_natural_drift_and_both_accuracies():
    preset = presets.get("blobs-mlp")
    data = preset.data()
    result = lockstep(train=data.train, test=data.test, steps=30, dtype="float32",
                      **preset.experiments[0].recipe())
    assert result.failure is None  # nothing is judged without a tolerance
    assert 0 < result.worst_rel < 1e-3
    assert len(result.accuracy) == 2 and abs(result.accuracy[0] - result.accuracy[1]) <= 0.01


def test_endtoend_trains_each_framework_independently_with_curves_side_by_side():
    preset = presets.get("circles")
    data = preset.data()
    result = endtoend(train=data.train, test=data.test, epochs=60, eval_every=20,
                      **preset.experiments[1].recipe())
    assert result.frameworks == ("minigrad", "torch")
    for curve in result.curves:
        assert curve.epochs == [0, 20, 40, 60]
        assert curve.accuracy[-1] > 0.8
    assert result.accuracy_gap < 0.1


def test_batches_are_reproducible_shuffles_covering_each_epoch():
    a = batch_indices(10, 4, seed=3)
    first = [next(a) for _ in range(3)]
    assert [len(b) for b in first] == [4, 4, 2]
    assert sorted(np.concatenate(first).tolist()) == list(range(10))
    b = batch_indices(10, 4, seed=3)
    assert all(np.array_equal(x, next(b)) for x in first)
    assert np.array_equal(next(batch_indices(10, None, seed=0)), np.arange(10))


def test_report_json_and_plots_hold_the_same_numbers(tmp_path):
    result = lockstep(scaled_mlp(ScaleWrongGainGrad), "cross_entropy", toy_data(), steps=4,
                      tolerance=TOLERANCE)
    doc = json.loads(json.dumps(report.lockstep_dict(result)))
    assert doc["passed"] is False and doc["failure"]["layer"] == "2"
    assert doc["layers"]["2"]["type"] == "Scale"
    scale = result.layers.index(("2", "Scale"))
    assert doc["layers"]["2"]["grad_rel"][0] == pytest.approx(result.grad_rel[0, scale])
    assert len(doc["loss"]["minigrad"]) == 4
    path = report.plot_lockstep(result, tmp_path / "lockstep.png")
    assert path.stat().st_size > 1000
