"""``check_op`` on success: it says what it compared, so a silent pass is not a mystery."""
import torch

import minigrad
from parity import check_op, strategies as S
from parity.opcheck import OpCheck


def test_a_passing_check_reports_examples_outputs_gradients_and_the_largest_difference():
    report = check_op(lambda x: x.tanh(), lambda x: x.tanh(), (3, 4))
    assert isinstance(report, OpCheck)
    assert (report.examples, report.outputs, report.gradients) == (1, 1, 1)
    assert 0 <= report.worst_rel < 1e-12
    assert str(report).startswith("check_op <lambda>: 1 example(s), 1 output(s) and 1 "
                                  "gradient(s) each, agree with torch (rtol 1e-09, atol 1e-12); "
                                  "largest difference ")


def test_drawn_examples_are_counted_and_a_function_apply_is_named_by_its_class():
    class Square(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    report = check_op(Square.apply, lambda x: x * x, S.arrays(), max_examples=7)
    assert report.name == "Square.apply" and report.examples == 7
    two = check_op(lambda a, b: a * b, torch.mul, S.arrays((2, 3)), S.arrays((2, 3)),
                   max_examples=3)
    assert (two.outputs, two.gradients) == (1, 2)


def test_equal_infinities_agree_and_opposite_ones_differ():
    import numpy as np
    import pytest

    from parity.opcheck import OpMismatch
    x = np.array([0.0, 1.0, -1.0])
    check_op(lambda a: a / 0.0, lambda a: a / 0.0, x)  # NaN, inf and -inf, as torch's
    with pytest.raises(OpMismatch, match=r"output 0: differs from torch at index \(1,\): inf vs -inf"):
        check_op(lambda a: a / 0.0, lambda a: -a / 0.0, x)
