"""The misuse catalogue: each mistake a learner makes meets an error that teaches.

One row per misuse: what the user wrote, the error type, and the words the message must
contain (the shapes, dtypes, devices or values involved).
"""
import re

import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.data import DataLoader, TensorDataset


def strict():
    """The strict test device, or skip where array_api_strict is missing (the GPU machine)."""
    pytest.importorskip("array_api_strict")
    return "strict"


def z(*shape, **kw):
    return minigrad.zeros(*shape, **kw)


def leaf(*shape):
    return minigrad.zeros(*shape, requires_grad=True)


def backward_twice():
    x = leaf(3)
    y = (x.exp() * 2).sum()
    y.backward()
    y.backward()


def modified_in_place():
    w = leaf(3)
    x = z(3)
    y = (w * x).sum()
    x.add_(1)
    y.backward()


def optimizer_with_non_leaf():
    minigrad.optim.SGD([leaf(2) * 2], lr=0.1)


def load_state_dict(model, state):
    model.load_state_dict(state)


def linear(i, o):
    minigrad.manual_seed(0)
    return nn.Linear(i, o)


def missing_mnist(tmp="/nonexistent-minigrad-root"):
    minigrad.datasets.MNIST(tmp, train=True)


CATALOGUE = [
    # (id, call, error type, words the message must contain)
    ("add shapes", lambda: z(2, 3) + z(4, 3), (RuntimeError, ValueError), ["(2, 3)", "(4, 3)"]),
    ("sub shapes", lambda: z(5) - z(4), (RuntimeError, ValueError), ["(5,)", "(4,)"]),
    ("mul shapes", lambda: z(2, 3) * z(2, 2), (RuntimeError, ValueError), ["(2, 3)", "(2, 2)"]),
    ("div shapes", lambda: z(3, 1, 2) / z(4, 3), (RuntimeError, ValueError), ["(3, 1, 2)", "(4, 3)"]),
    ("pow shapes", lambda: z(2) ** z(3), (RuntimeError, ValueError), ["(2,)", "(3,)"]),
    ("where shapes", lambda: minigrad.where(z(2) > 0, z(3), z(2)), (RuntimeError, ValueError),
     ["(3,)", "(2,)"]),
    ("matmul 2d", lambda: z(64, 784) @ z(128, 10), RuntimeError,
     ["mat1 and mat2 shapes cannot be multiplied", "64x784", "128x10"]),
    ("matmul vectors", lambda: z(3) @ z(4), RuntimeError, ["3", "4"]),
    ("matmul batched", lambda: z(2, 3, 4) @ z(2, 5, 6), RuntimeError, ["(2, 3, 4)", "(2, 5, 6)"]),
    ("linear in_features", lambda: linear(784, 10)(z(64, 100)), RuntimeError,
     ["64x100", "784x10"]),
    ("linear dtype", lambda: linear(3, 2)(z(4, 3, dtype=minigrad.float64)), RuntimeError,
     ["Double", "Float"]),
    ("conv channels", lambda: nn.Conv2d(1, 6, 5)(z(64, 3, 28, 28)), RuntimeError,
     ["[6, 1, 5, 5]", "[64, 3, 28, 28]", "1 channels", "3 channels"]),
    ("conv too small", lambda: nn.Conv2d(1, 6, 5)(z(1, 1, 2, 2)), RuntimeError,
     ["(2 x 2)", "(5 x 5)"]),
    ("conv dims", lambda: nn.Conv2d(1, 6, 3)(z(28, 28)), RuntimeError, ["3D", "4D", "[28, 28]"]),
    ("conv dtype", lambda: nn.Conv2d(1, 2, 3)(z(1, 1, 5, 5, dtype=minigrad.float64)),
     RuntimeError, ["double", "float"]),
    ("pool too small", lambda: F.max_pool2d(z(1, 1, 1, 1), 2), RuntimeError, ["too small"]),
    ("pool padding", lambda: F.max_pool2d(z(1, 1, 8, 8), 2, padding=2), RuntimeError,
     ["pad should be at most half"]),
    ("ce batch", lambda: F.cross_entropy(z(64, 10), z(32, dtype=minigrad.int64)), ValueError,
     ["64", "32"]),
    ("ce class range", lambda: F.cross_entropy(z(2, 10), minigrad.tensor([1, 10])), IndexError,
     ["Target 10 is out of bounds"]),
    ("ce negative class", lambda: F.cross_entropy(z(2, 10), minigrad.tensor([-3, 1])), IndexError,
     ["-3"]),
    ("ce float targets", lambda: F.cross_entropy(z(4, 3), z(4)), RuntimeError,
     ["Float"]),
    ("nll class range", lambda: F.nll_loss(z(3, 5), minigrad.tensor([0, 5, 1])), IndexError,
     ["Target 5 is out of bounds"]),
    ("bce shape", lambda: F.binary_cross_entropy_with_logits(z(4, 1), z(4)), ValueError,
     ["[4]", "[4, 1]"]),
    ("mse shape", lambda: F.mse_loss(z(4, 2), z(3, 2)), (RuntimeError, ValueError),
     ["(4, 2)", "(3, 2)"]),
    ("backward non-scalar", lambda: (leaf(2, 3) * 2).backward(), RuntimeError,
     ["scalar outputs", "(2, 3)"]),
    ("backward twice", backward_twice, RuntimeError, ["second time", "retain_graph=True"]),
    ("backward no grad", lambda: z(3).sum().backward(), RuntimeError, ["does not require grad"]),
    ("backward wrong gradient", lambda: (leaf(2) * 2).backward(z(3)), RuntimeError,
     ["Size([3])", "Size([2])"]),
    ("in-place on saved input", modified_in_place, RuntimeError,
     ["modified by an inplace operation", "version 1", "version 0"]),
    ("in-place on leaf", lambda: leaf(2).add_(1), RuntimeError, ["leaf", "in-place"]),
    ("int requires grad", lambda: minigrad.tensor([1, 2], requires_grad=True), RuntimeError,
     ["floating point", "int64"]),
    ("optimizer empty", lambda: minigrad.optim.Adam([], lr=1e-3), ValueError,
     ["empty parameter list"]),
    ("optimizer non-leaf", optimizer_with_non_leaf, ValueError, ["non-leaf"]),
    ("optimizer lr", lambda: minigrad.optim.SGD([leaf(2)], lr=-1), ValueError,
     ["Invalid learning rate: -1"]),
    ("load missing", lambda: load_state_dict(linear(3, 2), {"weight": z(2, 3)}), RuntimeError,
     ["Missing key(s)", '"bias"']),
    ("load unexpected", lambda: load_state_dict(linear(3, 2), {
        "weight": z(2, 3), "bias": z(2), "extra": z(1)}), RuntimeError,
     ["Unexpected key(s)", '"extra"']),
    ("load shape", lambda: load_state_dict(linear(3, 2), {"weight": z(2, 4), "bias": z(2)}),
     RuntimeError, ["size mismatch for weight", "[2, 4]", "[2, 3]"]),
    ("device mix", lambda: z(2) + z(2, device=strict()), RuntimeError,
     ["same device", "cpu", "strict"]),
    ("unknown device", lambda: z(2).to("tpu"), RuntimeError, ["tpu"]),
    ("dataloader batch 0", lambda: DataLoader(TensorDataset(z(4)), batch_size=0), ValueError,
     ["batch_size=0"]),
    ("tensordataset sizes", lambda: TensorDataset(z(4), z(5)), (ValueError, AssertionError),
     ["Size mismatch"]),
    ("mnist bad root", missing_mnist, RuntimeError,
     ["/nonexistent-minigrad-root", "download=True"]),
    ("view size", lambda: z(2, 3).view(4, 2), RuntimeError, ["[4, 2]", "size 6"]),
    ("item of many", lambda: z(3).item(), RuntimeError, ["3 elements"]),
    ("cat sizes", lambda: minigrad.cat([z(2, 3), z(2, 4)], 0), RuntimeError,
     ["[2, 3]", "[2, 4]"]),
    ("stack sizes", lambda: minigrad.stack([z(2), z(3)]), RuntimeError, ["[2]", "[3]"]),
    ("sum dim range", lambda: z(2, 3).sum(5), IndexError, ["Dimension out of range", "5"]),
    ("numpy with grad", lambda: leaf(2).numpy(), RuntimeError, ["detach()"]),
    ("load not a file", lambda: minigrad.load(__file__), RuntimeError, [__file__.split("/")[-1]]),
    # normalisation, embedding, pooling and the new losses (issue 14)
    ("batchnorm channels", lambda: nn.BatchNorm2d(3)(z(2, 4, 5, 5)), RuntimeError,
     ["running_mean should contain 4 elements not 3"]),
    ("batchnorm one value per channel", lambda: nn.BatchNorm1d(3)(z(1, 3)), ValueError,
     ["Expected more than 1 value per channel when training", "[1, 3]"]),
    ("batchnorm2d rank", lambda: nn.BatchNorm2d(3)(z(2, 3, 5)), ValueError,
     ["expected 4D input (got 3D input)"]),
    ("layernorm shape", lambda: nn.LayerNorm(10)(z(4, 8)), RuntimeError,
     ["normalized_shape=[10]", "[*, 10]", "[4, 8]"]),
    ("groupnorm groups", lambda: nn.GroupNorm(3, 4), ValueError,
     ["num_channels (4) must be divisible by num_groups (3)"]),
    ("embedding float indices", lambda: nn.Embedding(5, 2)(z(3)), RuntimeError,
     ["Long, Int", "FloatTensor"]),
    ("embedding index range", lambda: nn.Embedding(5, 2)(minigrad.tensor([0, 5])), IndexError,
     ["index out of range in self", "[0, 4]"]),
    ("avg pool padding", lambda: F.avg_pool2d(z(1, 1, 8, 8), 2, padding=2), RuntimeError,
     ["pad should be smaller than or equal to half of kernel size"]),
    ("bce probabilities", lambda: F.binary_cross_entropy(z(3) + 2, z(3)), RuntimeError,
     ["between 0 and 1"]),
    ("prelu channels", lambda: nn.PReLU(3)(z(2, 4)), RuntimeError,
     ["parameter numbers = 3", "channel size = 4"]),
    ("clip nonfinite", lambda: clip_nonfinite(), RuntimeError, ["non-finite", "order 2.0"]),
    ("scheduler one cycle overrun", lambda: one_cycle_overrun(), ValueError,
     ["Tried to step 3 times", "total steps is 2"]),
]


def clip_nonfinite():
    w = leaf(2)
    w.grad = minigrad.tensor([float("nan"), 1.0])
    nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)


def one_cycle_overrun():
    opt = minigrad.optim.SGD([leaf(2)], lr=0.1, momentum=0.9)
    sched = minigrad.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    for _ in range(3):
        opt.step()
        sched.step()


@pytest.mark.parametrize("call, error, words", [row[1:] for row in CATALOGUE],
                         ids=[row[0] for row in CATALOGUE])
def test_misuse_raises_a_clear_error(call, error, words):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for w in words:
        assert w in message, f"{w!r} not in message: {message!r}"


def test_the_catalogue_is_at_least_forty_misuses():
    assert len(CATALOGUE) >= 40
    assert len({row[0] for row in CATALOGUE}) == len(CATALOGUE)


OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
       "/": lambda a, b: a / b}


def _broadcastable(a, b):
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and 1 not in (x, y):
            return False
    return True


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(hnp.array_shapes(min_dims=1, max_dims=4, max_side=6),
       hnp.array_shapes(min_dims=1, max_dims=4, max_side=6), st.sampled_from(sorted(OPS)))
def test_any_non_broadcastable_pair_names_both_shapes(a, b, op):
    if _broadcastable(a, b):
        return
    with pytest.raises((RuntimeError, ValueError)) as info:
        OPS[op](minigrad.zeros(*a), minigrad.zeros(*b))
    message = str(info.value)
    assert str(tuple(a)) in message and str(tuple(b)) in message, message
    assert re.search("broadcast|size of tensor", message)
