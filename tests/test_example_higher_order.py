"""examples/higher_order.py runs on both libraries and they agree: Newton's method with
second derivatives from autograd, a Hessian-vector product against the full Hessian, and a
critic trained with a gradient penalty (WGAN-GP)."""
import importlib
import pathlib
import sys

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))


def test_higher_order_example_agrees_with_torch_and_each_part_does_its_job(tmp_path, capsys):
    results = importlib.import_module("higher_order").main(
        ["--quick", "--compare", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "[minigrad] Newton" in out and "[torch] WGAN-GP critic" in out
    assert results["largest difference"] < 1e-9
    m = results["minigrad"]
    assert abs(m["newton"]["slope"]) < 1e-12  # Newton converged to a stationary point
    assert abs(m["newton"]["x"] - 1.1309011226) < 1e-9
    assert m["hvp"]["|Hv - H @ v|"] < 1e-12 and m["hvp"]["|Hv - functional.hvp|"] < 1e-12
    first, last = (m["penalty"][k] for k in ("first (loss, critic gap, |grad|)",
                                             "last (loss, critic gap, |grad|)"))
    assert last[0] < first[0]               # the loss went down
    assert abs(last[2] - 1) < abs(first[2] - 1)  # the gradient norm moved towards 1
    assert m["penalty"]["test accuracy"] == results["torch"]["penalty"]["test accuracy"] > 80
    assert "Summary [higher_order | torch | cpu]: test accuracy" in out
