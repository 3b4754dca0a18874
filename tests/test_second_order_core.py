"""Every core op is differentiable twice: its first AND second derivatives match torch's.

``check_op(..., order=2)`` differentiates each op with ``create_graph=True``, weights the
gradients by random tensors, differentiates that sum again, and compares both levels with
torch in float64 (a Hessian-vector product). Each case is one op (or one torch function
built from several) on a small fixed input; kinks and ties are included where torch defines
the second derivative there (0 for floor, sign, max's index routing ...). The nn-level ops
(convolution, pooling, normalisation, losses) are checked in their own file.
"""
import numpy as np
import pytest
import torch

import minigrad
import minigrad.nn.functional as MF
import torch.nn.functional as TF
from parity import check_op

RNG = np.random.default_rng(7)
A = (3, 4)                                          # standard-normal data of this shape
POS = RNG.uniform(0.5, 2.0, (3, 4))                 # log, sqrt, pow ... want x > 0
UNIT = RNG.uniform(-0.9, 0.9, (3, 4))               # asin, acos, atanh
ABOVE_ONE = RNG.uniform(1.5, 3.0, (3, 4))           # acosh
KINKS = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0, 6.0, 7.0])  # activation edges
TIES = np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, -1.0, 0.5], [2.0, 1.0, 2.0, 2.0]])
WITH_ZEROS = np.array([[2.0, 0.0, -1.5, 3.0], [0.5, -2.0, 0.0, 0.0], [1.0, 1.5, -0.5, 2.0]])
INDEX = np.array([[2, 0, 1, 2], [1, 1, 0, 2]])      # positions along dim 0 of a (3, 4)
PICK = np.array([2, 0, 2, 1])                       # rows picked (one repeated)
REPEATS = np.array([2, 0, 3])


def case(name, fn, *inputs):
    """One op: ``fn(lib, F, *tensors)`` runs on minigrad (lib=minigrad, F=its functional)
    and on torch alike."""
    return pytest.param(fn, inputs, id=name)


ELEMENTWISE = [
    case("add", lambda lib, F, a, b: a + b, A, (4,)),
    case("sub", lambda lib, F, a, b: a - b, A, (3, 1)),
    case("mul", lambda lib, F, a, b: a * b, A, A),
    case("mul by itself", lambda lib, F, a: a * a, A),
    case("div", lambda lib, F, a, b: a / b, A, POS),
    case("neg", lambda lib, F, a: -a, A),
    case("pow number exponent", lambda lib, F, a: a ** 3, A),
    case("pow fractional exponent", lambda lib, F, a: a ** 2.5, POS),
    case("pow tensor exponent", lambda lib, F, a, b: a ** b, POS, A),
    case("pow number base", lambda lib, F, b: 2.0 ** b, A),
    case("exp", lambda lib, F, a: a.exp(), A),
    case("log", lambda lib, F, a: a.log(), POS),
    case("sqrt", lambda lib, F, a: a.sqrt(), POS),
    case("abs", lambda lib, F, a: a.abs(), WITH_ZEROS),
    case("round", lambda lib, F, a: lib.round(a * 3), A),
    case("round decimals", lambda lib, F, a: lib.round(a, decimals=1), A),
    case("clamp numbers", lambda lib, F, a: a.clamp(-0.5, 0.5), KINKS / 2),
    case("clamp tensors", lambda lib, F, a, lo, hi: lib.clamp(a, lo, hi), A, A, A),
    case("relu", lambda lib, F, a: a.relu(), KINKS),
    case("sigmoid", lambda lib, F, a: a.sigmoid(), A),
    case("tanh", lambda lib, F, a: a.tanh(), A),
    case("maximum", lambda lib, F, a, b: lib.maximum(a, b), A, A),
    case("maximum with ties", lambda lib, F, a, b: lib.maximum(a, b), TIES, TIES.T.copy().T),
    case("minimum", lambda lib, F, a, b: lib.minimum(a, b), A, A),
    case("where", lambda lib, F, a, b: lib.where(a > 0, a * b, b), A, A),
    case("matmul", lambda lib, F, a, b: a @ b, (2, 3), (3, 4)),
    case("matmul batched", lambda lib, F, a, b: a @ b, (2, 2, 3), (3, 2)),
    case("matmul vector matrix", lambda lib, F, a, b: a @ b, (3,), (3, 4)),
    case("matmul matrix vector", lambda lib, F, a, b: a @ b, (2, 3), (3,)),
    case("matmul dot", lambda lib, F, a, b: a @ b, (3,), (3,)),
]

MATH = [
    case("sin", lambda lib, F, a: a.sin(), A),
    case("cos", lambda lib, F, a: a.cos(), A),
    case("tan", lambda lib, F, a: a.tan(), UNIT),
    case("asin", lambda lib, F, a: a.asin(), UNIT),
    case("acos", lambda lib, F, a: a.acos(), UNIT),
    case("atan", lambda lib, F, a: a.atan(), A),
    case("atan2", lambda lib, F, a, b: lib.atan2(a, b), A, A),
    case("sinh", lambda lib, F, a: a.sinh(), A),
    case("cosh", lambda lib, F, a: a.cosh(), A),
    case("asinh", lambda lib, F, a: a.asinh(), A),
    case("acosh", lambda lib, F, a: a.acosh(), ABOVE_ONE),
    case("atanh", lambda lib, F, a: a.atanh(), UNIT),
    case("erf", lambda lib, F, a: a.erf(), A),
    case("erfc", lambda lib, F, a: lib.erfc(a), A),
    case("log2", lambda lib, F, a: a.log2(), POS),
    case("log10", lambda lib, F, a: a.log10(), POS),
    case("log1p", lambda lib, F, a: a.log1p(), POS),
    case("exp2", lambda lib, F, a: a.exp2(), A),
    case("expm1", lambda lib, F, a: a.expm1(), A),
    case("rsqrt", lambda lib, F, a: a.rsqrt(), POS),
    case("reciprocal", lambda lib, F, a: a.reciprocal(), POS),
    case("square", lambda lib, F, a: lib.square(a), A),
    case("floor", lambda lib, F, a: a.floor(), A),
    case("ceil", lambda lib, F, a: a.ceil(), A),
    case("trunc", lambda lib, F, a: a.trunc(), A),
    case("sign", lambda lib, F, a: a.sign(), WITH_ZEROS),
    case("frac", lambda lib, F, a: a.frac(), A),
    case("remainder", lambda lib, F, a, b: lib.remainder(a, b), A, POS),
    case("fmod", lambda lib, F, a, b: lib.fmod(a, b), A, POS),
    case("lerp", lambda lib, F, a, b, w: lib.lerp(a, b, w), A, A, A),
]

REDUCTIONS = [
    case("sum", lambda lib, F, a: (a * a).sum(), A),
    case("sum along dims", lambda lib, F, a: (a * a).sum((0, 1), keepdim=True), (2, 3, 2)),
    case("mean", lambda lib, F, a: (a * a).mean(1), A),
    case("max along dim", lambda lib, F, a: (a * a).max(1).values, A),
    case("min along dim with ties", lambda lib, F, a: (a * a).min(0, keepdim=True).values,
         TIES),
    case("max of all with ties", lambda lib, F, a: (a * a).max(), TIES),
    case("min of all", lambda lib, F, a: (a * a).min(), A),
    case("amax with ties", lambda lib, F, a: (a * a).amax(1), TIES),
    case("amin over dims", lambda lib, F, a: (a * a).amin((0, 1)), A),
    case("softmax", lambda lib, F, a: a.softmax(1), A),
    case("log_softmax", lambda lib, F, a: a.log_softmax(0), A),
    case("functional softmax", lambda lib, F, a: F.softmax(a, dim=-1), A),
    case("functional log_softmax", lambda lib, F, a: F.log_softmax(a, dim=-1), A),
    case("logsumexp", lambda lib, F, a: a.logsumexp(1), A),
    case("logsumexp keepdim", lambda lib, F, a: lib.logsumexp(a, (0, 1), keepdim=True), A),
    case("prod", lambda lib, F, a: a.prod(), A),
    case("prod along dim", lambda lib, F, a: a.prod(1), A),
    case("prod with zeros", lambda lib, F, a: a.prod(1), WITH_ZEROS),
    case("cumsum", lambda lib, F, a: (a * a).cumsum(1), A),
    case("cumprod", lambda lib, F, a: a.cumprod(1), A),
    case("cumprod with zeros", lambda lib, F, a: a.cumprod(1), WITH_ZEROS),
    case("logcumsumexp", lambda lib, F, a: lib.logcumsumexp(a, 1), A),
    case("var", lambda lib, F, a: a.var(), A),
    case("var along dim", lambda lib, F, a: a.var(1, keepdim=True), A),
    case("std", lambda lib, F, a: a.std(0), A),
    case("std unbiased=False", lambda lib, F, a: lib.std(a, 1, unbiased=False), A),
    case("norm", lambda lib, F, a: a.norm(), A),
    case("norm p=1 along dim", lambda lib, F, a: a.norm(1, dim=1), A),
    case("norm p=3", lambda lib, F, a: a.norm(3), A),
    case("norm p=inf", lambda lib, F, a: a.norm(float("inf"), dim=0), A),
    case("median", lambda lib, F, a: a.median(), A),
    case("median along dim", lambda lib, F, a: a.median(1).values, A),
    case("cummax", lambda lib, F, a: lib.cummax(a * a, 1).values, A),
    case("cummin", lambda lib, F, a: lib.cummin(a * a, 0).values, A),
    case("sort values", lambda lib, F, a: (a * a).sort(1).values, A),
    case("topk values", lambda lib, F, a: (a * a).topk(2, dim=1).values, A),
    case("kthvalue", lambda lib, F, a: lib.kthvalue(a * a, 2, 1).values, A),
    case("msort", lambda lib, F, a: lib.msort(a * a), A),
]

SHAPES = [
    case("reshape", lambda lib, F, a: (a * a).reshape(4, 3), A),
    case("view and flatten", lambda lib, F, a: (a * a).view(2, 6).flatten(), A),
    case("squeeze unsqueeze", lambda lib, F, a: (a * a).unsqueeze(1).squeeze(), A),
    case("permute", lambda lib, F, a: (a * a).permute(2, 0, 1), (2, 3, 2)),
    case("transpose and t", lambda lib, F, a: (a * a).t() @ a, A),
    case("expand", lambda lib, F, a: (a * a).expand(2, 3, 4), (3, 1)),
    case("cat", lambda lib, F, a, b: lib.cat([a * a, b], 1), A, (3, 2)),
    case("stack", lambda lib, F, a, b: lib.stack([a * b, b], 1), A, A),
    case("slice", lambda lib, F, a: (a * a)[1:, ::2], A),
    case("int and slice index", lambda lib, F, a: (a * a)[1, 1:3], A),
    case("new axes", lambda lib, F, a: (a * a)[:, None, 1], A),
    case("mask index", lambda lib, F, a: (a * a)[a > 0], A),
    case("int array index with repeats", lambda lib, F, a: (a * a)[ix(lib, [2, 0, 2], a)], A),
    case("paired int arrays", lambda lib, F, a: (a * a)[ix(lib, [0, 2, 2], a),
                                                          ix(lib, [1, 3, 1], a)], A),
    case("flip", lambda lib, F, a: (a * a).flip(0), A),
    case("roll", lambda lib, F, a: lib.roll(a * a, 1, 1), A),
    case("roll flat", lambda lib, F, a: lib.roll(a * a, 5), A),
    case("repeat", lambda lib, F, a: (a * a).repeat(2, 1), A),
    case("tile", lambda lib, F, a: lib.tile(a * a, (1, 2)), A),
    case("narrow split chunk", lambda lib, F, a: lib.narrow(a * a, 1, 1, 2) * lib.chunk(
        a, 2, 1)[0] + lib.split(a, 2, 1)[1], A),
    case("unbind", lambda lib, F, a: lib.unbind(a * a, 0)[1], A),
    case("movedim", lambda lib, F, a: lib.movedim(a * a, 0, -1), (2, 3, 2)),
    case("repeat_interleave", lambda lib, F, a: (a * a).repeat_interleave(2, dim=0), A),
    case("repeat_interleave counts", lambda lib, F, a: lib.repeat_interleave(
        a * a, ix(lib, REPEATS, a), dim=0), A),
    case("diagonal", lambda lib, F, a: lib.diagonal(a * a, 1), A),
    case("diag of a vector", lambda lib, F, a: lib.diag(a * a, -1), (3,)),
    case("tril triu", lambda lib, F, a: lib.tril(a * a) + lib.triu(a, 1), (3, 3)),
    case("unfold", lambda lib, F, a: (a * a).unfold(1, 2, 1), A),
    case("contiguous", lambda lib, F, a: (a * a).t().contiguous(), A),
    case("clone", lambda lib, F, a: (a * a).clone(), A),
    case("cast to float32 and back", lambda lib, F, a: (a * a).float().double(), A),
    case("setitem", lambda lib, F, a, b: _setitem(lib, a, b), A, (4,)),
    case("masked setitem", lambda lib, F, a: _masked_setitem(lib, a), A),
]

INDEXING = [
    case("gather", lambda lib, F, a: lib.gather(a * a, 0, ix(lib, INDEX, a)), A),
    case("take_along_dim", lambda lib, F, a: lib.take_along_dim(a * a, ix(lib, INDEX, a), 0),
         A),
    case("take_along_dim flat", lambda lib, F, a: lib.take_along_dim(
        a * a, ix(lib, PICK, a)), A),
    case("index_select", lambda lib, F, a: lib.index_select(a * a, 0, ix(lib, PICK, a)), A),
    case("scatter_add", lambda lib, F, a, s: lib.scatter_add(a * a, 0, ix(lib, INDEX, a), s * s),
         A, (2, 4)),
    case("scatter", lambda lib, F, a, s: lib.scatter(a * a, 0, ix(lib, INDEX[:1], a), s * s),
         A, (1, 4)),
    case("index_add", lambda lib, F, a, s: (a * a).index_add(0, ix(lib, PICK[:2], a), s * s),
         A, (2, 4)),
    case("masked_fill", lambda lib, F, a: (a * a).masked_fill(a > 0, 2.0), A),
    case("masked_select", lambda lib, F, a: lib.masked_select(a * a, a < 0), A),
    case("embedding", lambda lib, F, w: F.embedding(ix(lib, INDEX, w), w * w), (4, 3)),
    case("embedding padding and frequency", lambda lib, F, w: F.embedding(
        ix(lib, INDEX, w), w * w, padding_idx=1, scale_grad_by_freq=True), (4, 3)),
]

LINALG = [
    case("einsum", lambda lib, F, a, b: lib.einsum("ij,jk->ik", a * a, b), A, (4, 2)),
    case("einsum summed out", lambda lib, F, a, b: lib.einsum("ij,kj->i", a * a, b), A, (2, 4)),
    case("mm", lambda lib, F, a, b: lib.mm(a, b * b), A, (4, 2)),
    case("bmm", lambda lib, F, a, b: lib.bmm(a * a, b), (2, 2, 3), (2, 3, 2)),
    case("mv", lambda lib, F, a, b: lib.mv(a * a, b), A, (4,)),
    case("dot", lambda lib, F, a, b: lib.dot(a * a, b), (4,), (4,)),
    case("outer", lambda lib, F, a, b: lib.outer(a * a, b), (3,), (4,)),
    case("inner", lambda lib, F, a, b: lib.inner(a * a, b), A, (2, 4)),
]

ACTIVATIONS = [
    case("leaky_relu", lambda lib, F, a: F.leaky_relu(a * 2, 0.2), KINKS),
    case("elu", lambda lib, F, a: F.elu(a), KINKS),
    case("elu alpha", lambda lib, F, a: F.elu(a, 0.5), KINKS),
    case("selu", lambda lib, F, a: F.selu(a), KINKS),
    case("celu", lambda lib, F, a: F.celu(a, 1.5), KINKS),
    case("hardtanh", lambda lib, F, a: F.hardtanh(a * a, -1.0, 2.0), KINKS),
    case("relu6", lambda lib, F, a: F.relu6(a * 2), KINKS),
    case("hardswish", lambda lib, F, a: F.hardswish(a * 2), KINKS),
    case("softplus", lambda lib, F, a: F.softplus(a), KINKS),
    case("softplus beta and threshold", lambda lib, F, a: F.softplus(a, beta=2, threshold=3),
         KINKS),
    case("gelu", lambda lib, F, a: F.gelu(a), KINKS),
    case("gelu tanh", lambda lib, F, a: F.gelu(a, approximate="tanh"), KINKS),
    case("silu", lambda lib, F, a: F.silu(a), KINKS),
    case("mish", lambda lib, F, a: F.mish(a), KINKS),
    case("softsign", lambda lib, F, a: F.softsign(a), KINKS),
    case("prelu", lambda lib, F, a, w: F.prelu(a, w), (2, 3, 2), (3,)),
    case("prelu one weight", lambda lib, F, a, w: F.prelu(a, w), A, (1,)),
    case("prelu at zero", lambda lib, F, a, w: F.prelu(a, w),
         np.array([[0.0, -1.0, 2.0], [0.0, 0.0, -0.5]]), (3,)),
]


def ix(lib, values, like):
    """An index tensor on ``like``'s device."""
    return lib.tensor(values).to(like.device)


def _setitem(lib, a, b):
    y = a * a
    y[1] = b * b
    return y


def _masked_setitem(lib, a):
    y = a * 1.0
    y[a < 0] = 0.0
    return y * y


@pytest.mark.parametrize(
    "fn, inputs", ELEMENTWISE + MATH + REDUCTIONS + SHAPES + INDEXING + LINALG + ACTIVATIONS)
def test_second_derivative_matches_torch(fn, inputs, device):
    check_op(lambda *xs: fn(minigrad, MF, *xs), lambda *xs: fn(torch, TF, *xs), *inputs,
             device=device, order=2)


def test_moving_between_devices_is_differentiable_twice(strict_device):
    def fn(lib, x):
        y = x * x
        if lib is minigrad:  # (torch's cpu tensor stays put: the devices are minigrad's)
            y = y.to(strict_device).to("cpu")
        return y * x
    check_op(lambda x: fn(minigrad, x), lambda x: fn(torch, x), A, order=2)


def test_third_derivatives_of_index_ops_match_torch(device):
    # add_at (an index's gradient) and the index itself are each other's backward
    check_op(lambda a: (a * a * a)[ix(minigrad, [2, 0, 2], a)],
             lambda a: (a * a * a)[torch.tensor([2, 0, 2])], A, device=device, order=3)
    check_op(lambda a: minigrad.gather(a * a * a, 0, ix(minigrad, INDEX, a)),
             lambda a: torch.gather(a * a * a, 0, torch.tensor(INDEX)), A, device=device,
             order=3)
