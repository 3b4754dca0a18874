"""Losses (functional and modules) against PyTorch in float64: values and gradients.

Every case runs minigrad and torch on the same numbers; hypothesis draws batch sizes,
class counts, extra spatial dims, reductions, class weights, ignore_index,
label_smoothing and pos_weight. Tolerance: 1e-9 relative (1e-12 absolute).
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn

RTOL, ATOL = 1e-9, 1e-12
SETTINGS = dict(max_examples=25, deadline=None, database=None, derandomize=True)


def to_np(t):
    return minigrad.backend.to_numpy(t.detach().data)


def assert_close(mg, th, what="", rtol=RTOL, atol=ATOL):
    th = th.detach().numpy() if isinstance(th, torch.Tensor) else np.asarray(th)
    mg = to_np(mg) if isinstance(mg, minigrad.Tensor) else np.asarray(mg)
    assert mg.shape == th.shape, f"{what}: shape {mg.shape} vs torch {th.shape}"
    np.testing.assert_allclose(mg, th, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def both(arrays, grads, device):
    """The same arrays as minigrad tensors (on ``device``) and torch tensors; those whose
    index is in ``grads`` require grad."""
    mg = [None if a is None else minigrad.tensor(a, device=device, requires_grad=i in grads)
          for i, a in enumerate(arrays)]
    th = [None if a is None else torch.tensor(a, requires_grad=i in grads)
          for i, a in enumerate(arrays)]
    return mg, th


def check_loss(mg_fn, th_fn, arrays, grads, device, what):
    """Compare the loss and, after backward (through a random upstream gradient when the
    loss is not a scalar), the gradients of the inputs listed in ``grads``."""
    mg, th = both(arrays, grads, device)
    mg_out, th_out = mg_fn(*mg), th_fn(*th)
    assert_close(mg_out, th_out, f"{what}: loss")
    assert mg_out.dtype == minigrad.float64
    up = np.random.default_rng(7).standard_normal(tuple(th_out.shape))
    (mg_out * minigrad.tensor(up, device=device)).sum().backward()
    (th_out * torch.tensor(up)).sum().backward()
    for i in grads:
        assert_close(mg[i].grad, th[i].grad, f"{what}: gradient of argument {i}")


# --------------------------------------------------------------- cross entropy

@st.composite
def classification_case(draw, allow_smoothing=True):
    """Logits (N, C, d1, ...), integer targets, and the loss options."""
    n = draw(st.integers(1, 6))
    c = draw(st.integers(1, 6))
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    logits = rng.standard_normal((n, c) + spatial) * draw(st.sampled_from([1.0, 5.0]))
    target = rng.integers(0, c, size=(n,) + spatial)
    ignore = draw(st.sampled_from(["none", "default", "class"]))
    ignore_index = -100
    if ignore == "default":
        target = np.where(rng.random(target.shape) < 0.3, -100, target)
    elif ignore == "class":
        ignore_index = int(rng.integers(0, c))
    weight = rng.uniform(0.1, 2.0, size=c) if draw(st.booleans()) else None
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    smoothing = draw(st.sampled_from([0.0, 0.1, 0.45, 1.0])) if allow_smoothing else 0.0
    return logits, target, weight, ignore_index, reduction, smoothing


def test_cross_entropy_with_class_indices_matches_torch(device):
    @given(classification_case())
    @settings(**SETTINGS)
    def run(case):
        logits, target, weight, ignore_index, reduction, smoothing = case
        opts = dict(ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing)
        check_loss(lambda x, t, w: F.cross_entropy(x, t, weight=w, **opts),
                   lambda x, t, w: TF.cross_entropy(x, t, weight=w, **opts),
                   [logits, target, weight], (0,), device,
                   f"cross_entropy {logits.shape} {opts} weight={weight is not None}")

    run()


@st.composite
def probability_case(draw):
    n = draw(st.integers(1, 5))
    c = draw(st.integers(1, 5))
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=1)))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    logits = rng.standard_normal((n, c) + spatial) * 3
    raw = rng.random((n, c) + spatial)
    probs = raw / raw.sum(axis=1, keepdims=True)
    weight = rng.uniform(0.1, 2.0, size=c) if draw(st.booleans()) else None
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    smoothing = draw(st.sampled_from([0.0, 0.2, 1.0]))
    return logits, probs, weight, reduction, smoothing


def test_cross_entropy_with_class_probabilities_matches_torch_including_target_grad(device):
    @given(probability_case())
    @settings(**SETTINGS)
    def run(case):
        logits, probs, weight, reduction, smoothing = case
        opts = dict(reduction=reduction, label_smoothing=smoothing)
        check_loss(lambda x, p, w: F.cross_entropy(x, p, weight=w, **opts),
                   lambda x, p, w: TF.cross_entropy(x, p, weight=w, **opts),
                   [logits, probs, weight], (0, 1), device, f"cross_entropy probs {opts}")

    run()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_accepts_unbatched_logits(reduction, device):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal(5)
    check_loss(lambda x, t: F.cross_entropy(x, t, reduction=reduction),
               lambda x, t: TF.cross_entropy(x, t, reduction=reduction),
               [logits, np.array(3)], (0,), device, "unbatched class index")
    probs = rng.dirichlet(np.ones(5))
    check_loss(lambda x, p: F.cross_entropy(x, p, reduction=reduction),
               lambda x, p: TF.cross_entropy(x, p, reduction=reduction),
               [logits, probs], (0, 1), device, "unbatched probabilities")


def test_cross_entropy_module_equals_functional_and_keeps_weight_as_buffer(device):
    rng = np.random.default_rng(1)
    logits, target = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    weight = rng.uniform(0.5, 2, 4)
    loss_fn = nn.CrossEntropyLoss(weight=minigrad.tensor(weight), label_smoothing=0.1,
                                  ignore_index=2).to(device)
    torch_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight), label_smoothing=0.1,
                                         ignore_index=2)
    check_loss(loss_fn, torch_fn, [logits, target], (0,), device, "CrossEntropyLoss")
    assert list(loss_fn.state_dict()) == list(torch_fn.state_dict()) == ["weight"]
    assert loss_fn.weight.device == minigrad.device(device)
    assert repr(loss_fn) == repr(torch_fn) == "CrossEntropyLoss()"


def test_cross_entropy_all_targets_ignored_gives_nan_like_torch():
    logits = np.random.default_rng(2).standard_normal((3, 4))
    target = np.full(3, -100)
    mg = F.cross_entropy(minigrad.tensor(logits), minigrad.tensor(target))
    th = TF.cross_entropy(torch.tensor(logits), torch.tensor(target))
    assert np.isnan(mg.item()) and np.isnan(th.item())
    assert F.cross_entropy(minigrad.tensor(logits), minigrad.tensor(target),
                           reduction="sum").item() == 0.0


def test_cross_entropy_keeps_float32_and_accepts_uint8_targets():
    logits = minigrad.randn(4, 3)
    assert F.cross_entropy(logits, minigrad.tensor([0, 1, 2, 1])).dtype == minigrad.float32
    byte_target = minigrad.tensor(np.array([0, 1, 2, 1], dtype=np.uint8))
    assert F.cross_entropy(logits, byte_target).item() == pytest.approx(
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2, 1])).item())


# ------------------------------------------------------------------- nll loss

def test_nll_loss_matches_torch(device):
    @given(classification_case(allow_smoothing=False))
    @settings(**SETTINGS)
    def run(case):
        logits, target, weight, ignore_index, reduction, _ = case
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        opts = dict(ignore_index=ignore_index, reduction=reduction)
        check_loss(lambda x, t, w: F.nll_loss(x, t, weight=w, **opts),
                   lambda x, t, w: TF.nll_loss(x, t, weight=w, **opts),
                   [logp, target, weight], (0,), device, f"nll_loss {logp.shape} {opts}")

    run()


def test_nll_loss_after_log_softmax_equals_cross_entropy(device):
    rng = np.random.default_rng(3)
    x = minigrad.tensor(rng.standard_normal((5, 7)), device=device)
    t = minigrad.tensor(rng.integers(0, 7, 5), device=device)
    a = nn.NLLLoss()(nn.LogSoftmax(dim=1)(x), t)
    b = nn.CrossEntropyLoss()(x, t)
    assert a.item() == pytest.approx(b.item(), rel=1e-12)


# ----------------------------------------------------------- BCE with logits

@st.composite
def binary_case(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    logits = rng.standard_normal(shape) * draw(st.sampled_from([1.0, 10.0]))
    target = rng.random(shape)
    if draw(st.booleans()):
        target = (target > 0.5).astype(np.float64)  # hard labels
    weight = rng.uniform(0.1, 2, shape) if draw(st.booleans()) else None
    pos_weight = rng.uniform(0.1, 3, shape[-1:]) if draw(st.booleans()) else None
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    return logits, target, weight, pos_weight, reduction


def test_bce_with_logits_matches_torch_including_target_grad(device):
    @given(binary_case())
    @settings(**SETTINGS)
    def run(case):
        logits, target, weight, pos_weight, reduction = case
        check_loss(
            lambda x, y, w, pw: F.binary_cross_entropy_with_logits(
                x, y, w, reduction=reduction, pos_weight=pw),
            lambda x, y, w, pw: TF.binary_cross_entropy_with_logits(
                x, y, w, reduction=reduction, pos_weight=pw),
            [logits, target, weight, pos_weight], (0, 1), device,
            f"bce_with_logits {logits.shape} {reduction} w={weight is not None} "
            f"pw={pos_weight is not None}")

    run()


def test_bce_with_logits_module_keeps_pos_weight_as_buffer(device):
    rng = np.random.default_rng(4)
    logits, target = rng.standard_normal((8, 3)), (rng.random((8, 3)) > 0.5) * 1.0
    pos_weight = np.array([1.0, 2.0, 0.5])
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=minigrad.tensor(pos_weight)).to(device)
    torch_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight))
    check_loss(loss_fn, torch_fn, [logits, target], (0,), device, "BCEWithLogitsLoss")
    assert list(loss_fn.state_dict()) == list(torch_fn.state_dict()) == ["pos_weight"]


# ------------------------------------------------------------------------ MSE

def test_mse_loss_matches_torch_with_and_without_weight(device):
    @given(st.lists(st.integers(1, 4), max_size=3), st.sampled_from(["mean", "sum", "none"]),
           st.booleans(), st.integers(0, 2 ** 16))
    @settings(**SETTINGS)
    def run(shape, reduction, weighted, seed):
        rng = np.random.default_rng(seed)
        x, y = rng.standard_normal(shape), rng.standard_normal(shape)
        w = rng.uniform(0.1, 2, shape) if weighted else None
        check_loss(lambda a, b, w: F.mse_loss(a, b, reduction=reduction, weight=w),
                   lambda a, b, w: TF.mse_loss(a, b, reduction=reduction, weight=w),
                   [x, y, w], (0, 1) + ((2,) if weighted else ()), device,
                   f"mse_loss {shape} {reduction}")

    run()


@pytest.mark.filterwarnings("ignore:Using a target size .torch")
def test_mse_loss_warns_and_broadcasts_when_target_shape_differs(device):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((4, 1)), rng.standard_normal(4)
    with pytest.warns(UserWarning, match=r"target size \(minigrad.Size\(\[4\]\)\) that is "
                                         r"different to the input size"):
        check_loss(nn.MSELoss(), torch.nn.MSELoss(), [x, y], (0, 1), device, "broadcast mse")


# ------------------------------------------------------------ numerical safety

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4])
def test_losses_stay_finite_and_match_torch_for_huge_logits(dtype, scale, device):
    rng = np.random.default_rng(6)
    logits = (rng.standard_normal((16, 5)) * scale).astype(dtype)
    logits[0] = [scale, -scale, scale, 0.0, -scale]  # ties at the maximum, extreme gaps
    target = rng.integers(0, 5, 16)
    # float32 cannot be exact: the tolerance is a few ulps of the loss's magnitude
    rtol, atol = (1e-6, scale * 1e-6) if dtype == "float32" else (RTOL, scale * 1e-15)
    cases = {
        "cross_entropy": (lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
                          lambda x, t: TF.cross_entropy(x, t, label_smoothing=0.1),
                          target),
        "bce_with_logits": (lambda x, t: F.binary_cross_entropy_with_logits(
                                x, t, pos_weight=minigrad.tensor([2.0] * 5, dtype=x.dtype,
                                                                 device=x.device)),
                            lambda x, t: TF.binary_cross_entropy_with_logits(
                                x, t, pos_weight=torch.tensor([2.0] * 5, dtype=x.dtype)),
                            (rng.random((16, 5)) > 0.5).astype(dtype)),
        "log_softmax": (lambda x, t: F.log_softmax(x, dim=1).sum(),
                        lambda x, t: TF.log_softmax(x, dim=1).sum(), None),
        "softmax": (lambda x, t: (F.softmax(x, dim=1) * x).sum(),
                    lambda x, t: (TF.softmax(x, dim=1) * x).sum(), None),
    }
    for name, (mg_fn, th_fn, tgt) in cases.items():
        x_mg = minigrad.tensor(logits, device=device, requires_grad=True)
        x_th = torch.tensor(logits, requires_grad=True)
        t_mg = None if tgt is None else minigrad.tensor(tgt, device=device)
        t_th = None if tgt is None else torch.tensor(tgt)
        out_mg, out_th = mg_fn(x_mg, t_mg), th_fn(x_th, t_th)
        out_mg.backward()
        out_th.backward()
        assert out_mg.dtype.name == dtype, name
        assert np.isfinite(out_mg.item()) and np.all(np.isfinite(to_np(x_mg.grad))), name
        assert_close(out_mg, out_th, f"{name} value at scale {scale}", rtol, atol)
        assert_close(x_mg.grad, x_th.grad, f"{name} gradient at scale {scale}", rtol,
                     1e-6 if dtype == "float32" else 1e-12)


# --------------------------------------------------------------------- misuse

def _raises(exc, match, fn):
    with pytest.raises(exc, match=match):
        fn()


def test_cross_entropy_target_out_of_range_names_the_value_and_class_count():
    x = minigrad.randn(4, 10)
    _raises(IndexError, r"Target 10 is out of bounds\..*10 classes",
            lambda: F.cross_entropy(x, minigrad.tensor([1, 2, 10, 3])))
    _raises(IndexError, r"Target -1 is out of bounds\.",
            lambda: F.cross_entropy(x, minigrad.tensor([1, 2, -1, 3])))
    _raises(IndexError, r"Target 12 is out of bounds\.",
            lambda: F.nll_loss(x, minigrad.tensor([12, 2, -100, 3])))
    assert np.isfinite(F.cross_entropy(x, minigrad.tensor([1, 2, -100, 3])).item())


def test_cross_entropy_float_targets_of_the_wrong_shape_say_indices_were_expected():
    x = minigrad.randn(4, 10)
    _raises(RuntimeError, r"expected target dtype to be Long or Byte, but got Float.*"
                          r"shape \[4, 10\].*shape \[4\]",
            lambda: F.cross_entropy(x, minigrad.tensor([1.0, 2.0, 1.0, 3.0])))
    _raises(RuntimeError, "Expected floating point type for target with class probabilities, "
                          "got Long",
            lambda: F.cross_entropy(x, minigrad.zeros(4, 10, dtype=minigrad.int64)))


def test_cross_entropy_batch_and_spatial_size_mismatches():
    _raises(ValueError, r"Expected input batch_size \(64\) to match target batch_size \(32\)\.",
            lambda: F.cross_entropy(minigrad.randn(64, 10), minigrad.randint(0, 10, (32,))))
    _raises(ValueError, r"Expected input batch_size \(4\) to match target batch_size \(3\)\.",
            lambda: F.nll_loss(minigrad.randn(4, 10), minigrad.randint(0, 10, (3,))))
    _raises(RuntimeError, r"size mismatch \(got input: \[4, 3, 5, 5\] , target: \[4, 5, 6\]",
            lambda: F.cross_entropy(minigrad.randn(4, 3, 5, 5), minigrad.randint(0, 3, (4, 5, 6))))
    _raises(RuntimeError, "multi-target not supported",
            lambda: F.cross_entropy(minigrad.randn(4, 10), minigrad.randint(0, 10, (4, 2))))


def test_cross_entropy_bad_options():
    x, t = minigrad.randn(4, 10), minigrad.randint(0, 10, (4,))
    _raises(RuntimeError, r"weight tensor should be defined either for all 10 classes or no "
                          r"classes but got weight tensor of shape: \[9\]",
            lambda: F.cross_entropy(x, t, weight=minigrad.ones(9)))
    _raises(RuntimeError, "expected scalar type Float but found Double",
            lambda: F.cross_entropy(x, t, weight=minigrad.ones(10, dtype=minigrad.float64)))
    _raises(ValueError, "bad is not a valid value for reduction",
            lambda: F.cross_entropy(x, t, reduction="bad"))
    _raises(RuntimeError, r"label_smoothing must be between 0.0 and 1.0. Got: 1.5",
            lambda: F.cross_entropy(x, t, label_smoothing=1.5))


def test_bce_with_logits_target_shape_and_dtype_errors():
    _raises(ValueError, r"Target size \(minigrad.Size\(\[4\]\)\) must be the same as input "
                        r"size \(minigrad.Size\(\[4, 1\]\)\)",
            lambda: F.binary_cross_entropy_with_logits(minigrad.randn(4, 1), minigrad.rand(4)))
    _raises(RuntimeError, "can't be cast to the desired output type Long",
            lambda: nn.BCEWithLogitsLoss()(minigrad.randn(4), minigrad.tensor([0, 1, 1, 0])))


def test_mse_loss_weight_must_match_input():
    _raises(ValueError, "Weights and input must have the same size.",
            lambda: F.mse_loss(minigrad.randn(4), minigrad.randn(4), weight=minigrad.ones(3)))


def test_deprecated_size_average_and_reduce_map_to_reduction_like_torch():
    rng = np.random.default_rng(8)
    x, t = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    for size_average, reduce, reduction in [(None, False, "none"), (False, None, "sum"),
                                            (True, True, "mean"), (False, True, "sum")]:
        with pytest.warns(UserWarning, match=f"please use reduction='{reduction}' instead"):
            mg = F.cross_entropy(minigrad.tensor(x), minigrad.tensor(t),
                                 size_average=size_average, reduce=reduce)
        with pytest.warns(UserWarning):
            th = TF.cross_entropy(torch.tensor(x), torch.tensor(t), size_average=size_average,
                                  reduce=reduce)
        assert_close(mg, th, f"size_average={size_average} reduce={reduce}")


# --------------------------------------------- finite differences (no torch involved)

def test_loss_gradients_agree_with_finite_differences():
    rng = np.random.default_rng(10)

    def leaf(shape):
        return minigrad.tensor(rng.standard_normal(shape), requires_grad=True)

    target = minigrad.tensor([0, 2, -100, 1])
    weight = minigrad.tensor(rng.uniform(0.5, 2, 3))
    probs = minigrad.tensor(rng.dirichlet(np.ones(3), size=4), requires_grad=True)
    labels = minigrad.tensor((rng.random((4, 3)) > 0.5) * 1.0, requires_grad=True)
    cases = {
        "cross_entropy indices": (lambda x: F.cross_entropy(x, target, weight=weight,
                                                            label_smoothing=0.2), [leaf((4, 3))]),
        "cross_entropy spatial": (lambda x: F.cross_entropy(x, minigrad.tensor([[0, 1], [2, 2]]),
                                                            reduction="none"), [leaf((2, 3, 2))]),
        "cross_entropy probs": (lambda x, p: F.cross_entropy(x, p, label_smoothing=0.1),
                                [leaf((4, 3)), probs]),
        "nll_loss": (lambda x: F.nll_loss(x, target, weight=weight), [leaf((4, 3))]),
        "bce_with_logits": (lambda x, y: F.binary_cross_entropy_with_logits(
            x, y, pos_weight=minigrad.tensor([0.5, 1.0, 3.0], dtype=minigrad.float64)),
            [leaf((4, 3)), labels]),
        "mse weighted": (lambda x, y, w: F.mse_loss(x, y, weight=w),
                         [leaf((4, 3)), leaf((4, 3)), minigrad.tensor(
                             rng.uniform(0.5, 2, (4, 3)), requires_grad=True)]),
    }
    for name, (fn, inputs) in cases.items():
        assert minigrad.autograd.gradcheck(fn, inputs, eps=1e-6, atol=1e-7, rtol=1e-5), name
