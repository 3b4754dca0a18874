"""BCELoss, L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss, cosine_similarity and normalize:
PyTorch's values and gradients (input and target), every reduction, on every device."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from parity import check_op, strategies as S

REDUCTIONS = ["mean", "sum", "none"]
SHAPES = st.sampled_from([(5,), (3, 4), (2, 3, 2)])


def pair(low=-3.0, high=3.0, target_low=None, target_high=None):
    """(input, target) arrays of one drawn shape."""
    @st.composite
    def draw_pair(draw):
        shape = draw(SHAPES)
        return (draw(S.arrays(st.just(shape), low, high)),
                draw(S.arrays(st.just(shape), low if target_low is None else target_low,
                              high if target_high is None else target_high)))
    return draw_pair()


def check_loss(mg_fn, th_fn, inputs, device):
    # the pair is unpacked into two differentiated float inputs
    check_op(lambda x, y: mg_fn(x, y), lambda x, y: th_fn(x, y), *inputs, device=device,
             max_examples=15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,mg_fn,th_fn,kw", [
    ("l1", F.l1_loss, TF.l1_loss, {}),
    ("smooth_l1", F.smooth_l1_loss, TF.smooth_l1_loss, {}),
    ("smooth_l1 beta 0.5", F.smooth_l1_loss, TF.smooth_l1_loss, dict(beta=0.5)),
    ("smooth_l1 beta 0", F.smooth_l1_loss, TF.smooth_l1_loss, dict(beta=0.0)),
    ("huber", F.huber_loss, TF.huber_loss, {}),
    ("huber delta 2", F.huber_loss, TF.huber_loss, dict(delta=2.0)),
], ids=["l1", "smooth_l1", "smooth_l1 beta 0.5", "smooth_l1 beta 0", "huber", "huber delta 2"])
def test_regression_loss_matches_torch(name, mg_fn, th_fn, kw, reduction, device):
    shapes = st.sampled_from([(5,), (3, 4)])
    # targets on a half-step grid so that |d| lands on beta/delta exactly, now and then
    grid = st.integers(-6, 6).map(lambda k: k / 2)
    from hypothesis.extra import numpy as hnp

    @st.composite
    def both(draw):
        shape = draw(shapes)
        x = draw(hnp.arrays(np.float64, shape, elements=grid))
        y = draw(S.arrays(st.just(shape)))
        return x, np.where(draw(hnp.arrays(np.bool_, shape)), np.round(y * 2) / 2, y)

    check_op(lambda case: mg_fn(minigrad.tensor(case[0], device=device, requires_grad=True),
                                minigrad.tensor(case[1], device=device), reduction=reduction,
                                **kw),
             lambda case: th_fn(torch.tensor(case[0]), torch.tensor(case[1]),
                                reduction=reduction, **kw), both(), device=device,
             max_examples=15)
    x, y = np.random.default_rng(0).standard_normal((2, 3, 4))
    y[0, :2] = x[0, :2] + np.array([1.0, -0.5])  # exactly at the kinks
    check_op(lambda a, b: mg_fn(a, b, reduction=reduction, **kw),
             lambda a, b: th_fn(a, b, reduction=reduction, **kw), x, y, device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_matches_torch_with_and_without_weights(reduction, device):
    probs = st.sampled_from([(4,), (2, 3)]).flatmap(
        lambda s: st.tuples(S.arrays(st.just(s), 0.02, 0.98), S.arrays(st.just(s), 0.0, 1.0)))
    check_op(lambda c: F.binary_cross_entropy(
        minigrad.tensor(c[0], device=device), minigrad.tensor(c[1], device=device),
        reduction=reduction),
        lambda c: TF.binary_cross_entropy(torch.tensor(c[0]), torch.tensor(c[1]),
                                          reduction=reduction), probs, device=device,
        max_examples=10)
    rng = np.random.default_rng(0)
    x, y, w = rng.uniform(0.05, 0.95, (3, 4)), rng.uniform(0, 1, (3, 4)), rng.uniform(0, 2, 4)
    check_op(lambda a, b: F.binary_cross_entropy(a, b, minigrad.tensor(w, device=device),
                                                 reduction=reduction),
             lambda a, b: TF.binary_cross_entropy(a, b, torch.tensor(w), reduction=reduction),
             x, y, device=device)


def test_binary_cross_entropy_clamps_the_log_at_minus_100_like_torch(device):
    x, y = np.array([0.0, 1.0, 0.5]), np.array([1.0, 0.0, 1.0])
    check_op(lambda a: F.binary_cross_entropy(a, minigrad.tensor(y, device=device),
                                              reduction="none"),
             lambda a: TF.binary_cross_entropy(a, torch.tensor(y), reduction="none").detach(),
             x, device=device)


def test_binary_cross_entropy_rejects_probabilities_outside_0_1_and_size_mismatch():
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(minigrad.tensor([1.5]), minigrad.tensor([1.0]))
    with pytest.raises(ValueError, match="Using a target size"):
        F.binary_cross_entropy(minigrad.tensor([0.5, 0.5]), minigrad.tensor([1.0]))


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target, device):
    rng = np.random.default_rng(0)
    logp = np.log(rng.dirichlet(np.ones(5), size=3))
    q = rng.dirichlet(np.ones(5), size=3)
    q[0, 1] = 0.0  # a zero-probability target contributes 0
    target = np.log(q + 1e-3) if log_target else q
    with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
        # the target as a constant (torch's target gradient at a 0 probability is nan) ...
        check_op(lambda a: F.kl_div(a, minigrad.tensor(target, device=device),
                                    reduction=reduction, log_target=log_target),
                 lambda a: TF.kl_div(a, torch.tensor(target), reduction=reduction,
                                     log_target=log_target), logp, device=device)
        # ... and differentiated where it is positive
        check_op(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                 lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
                 logp, np.abs(target) + 0.01, device=device)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_cosine_similarity_and_normalize_match_torch(device):
    check_op(lambda a, b: F.cosine_similarity(a, b), lambda a, b: TF.cosine_similarity(a, b),
             (4, 3, 2), (4, 3, 2), device=device)
    check_op(lambda a, b: F.cosine_similarity(a, b, dim=-1),
             lambda a, b: TF.cosine_similarity(a, b, dim=-1), (4, 5), (1, 5), device=device)
    check_op(lambda a: F.normalize(a), lambda a: TF.normalize(a), (3, 4), device=device)
    check_op(lambda a: F.normalize(a, p=1.0, dim=0), lambda a: TF.normalize(a, p=1.0, dim=0),
             (3, 4), device=device)
    zero_rows = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 3.0]])  # gradient 1/eps, not nan
    check_op(lambda a: F.normalize(a), lambda a: TF.normalize(a), zero_rows, device=device,
             rtol=1e-9, atol=1e-3)
    check_op(lambda a, b: F.cosine_similarity(a, b), lambda a, b: TF.cosine_similarity(a, b),
             zero_rows, zero_rows[::-1].copy(), device=device, atol=1e-3)
    check_op(lambda a, b: nn.CosineSimilarity(dim=0)(a, b),
             lambda a, b: torch.nn.CosineSimilarity(dim=0)(a, b), (6,), (6,), device=device)


@pytest.mark.parametrize("make", [
    lambda m: m.BCELoss(), lambda m: m.L1Loss(reduction="sum"), lambda m: m.SmoothL1Loss(beta=0.5),
    lambda m: m.HuberLoss(delta=2.0),
    lambda m: m.KLDivLoss(reduction="batchmean", log_target=True)])
def test_loss_modules_match_torch(make):
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(0.1, 0.9, (4, 3))
    mg_loss, th_loss = make(nn), make(torch.nn)
    assert repr(mg_loss) == repr(th_loss)
    np.testing.assert_allclose(mg_loss(minigrad.tensor(x), minigrad.tensor(y)).item(),
                               th_loss(torch.tensor(x), torch.tensor(y)).item(), rtol=1e-12)
    assert list(nn.BCELoss(weight=minigrad.ones(3)).state_dict()) == ["weight"]
