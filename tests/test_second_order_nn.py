"""Second derivatives of the nn-level ops, layers and losses match torch's (float64).

Each test differentiates the op twice (``check_op(..., order=2)``: the gradients are
recorded with ``create_graph=True``, weighted by random tensors and differentiated
again) on the cpu and the strict Array API device. Under create_graph the fused ops run
their plain reference backward (e.g. ``Linear.plain_backward``); the last tests check that
those plain references agree with the fast first-order paths on drawn inputs.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
import minigrad.nn.functional as F
from parity import check_op

RNG = np.random.default_rng(0)


def classes(*shape, n=4):
    return RNG.integers(0, n, size=shape)


def probs(*shape):
    return RNG.uniform(0.05, 0.95, size=shape)


# ------------------------------------------------------------------ linear and relu


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no bias"])
def test_linear_second_derivative_matches_torch(device, bias):
    b = (3,) if bias else None
    check_op(lambda x, w, *b: F.linear(x, w, *b), lambda x, w, *b: TF.linear(x, w, *b),
             (5, 4), (3, 4), *([b] if b else []), device=device, order=2)


def test_linear_with_leading_axes_second_derivative_matches_torch(device):
    check_op(lambda x, w, b: F.linear(x, w, b) ** 2, lambda x, w, b: TF.linear(x, w, b) ** 2,
             (2, 3, 4), (5, 4), (5,), device=device, order=2)
    check_op(lambda x, w, b: F.linear(x, w, b) ** 2, lambda x, w, b: TF.linear(x, w, b) ** 2,
             (4,), (5, 4), (5,), device=device, order=2)


def test_relu_second_derivative_is_zero_and_passes_the_mask_like_torch(device):
    # (relu(x) * x): the second derivative routes through relu's first-order mask
    check_op(lambda x: F.relu(x) * x, lambda x: TF.relu(x) * x, (4, 5), device=device, order=2)
    check_op(lambda x: F.relu(x), lambda x: TF.relu(x), (4, 5), device=device, order=3)


# ------------------------------------------------------------------ classification losses


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_second_derivative_matches_torch(device, reduction):
    t = classes(5)
    check_op(lambda x, t: F.cross_entropy(x, t, reduction=reduction),
             lambda x, t: TF.cross_entropy(x, t, reduction=reduction),
             (5, 4), t, device=device, order=2)


def test_cross_entropy_with_weight_ignore_index_and_smoothing_second_derivative_matches_torch(
        device):
    t = np.array([0, 3, -100, 1, 2])
    w = np.array([0.5, 1.0, 2.0, 1.5])
    kw = dict(ignore_index=-100, label_smoothing=0.2)
    check_op(lambda x, t: F.cross_entropy(x, t, weight=minigrad.tensor(w, device=device), **kw),
             lambda x, t: TF.cross_entropy(x, t, weight=torch.tensor(w), **kw),
             (5, 4), t, device=device, order=2)


def test_cross_entropy_of_images_second_derivative_matches_torch(device):
    check_op(lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
             lambda x, t: TF.cross_entropy(x, t, label_smoothing=0.1),
             (2, 3, 2, 2), classes(2, 2, 2, n=3), device=device, order=2)


def test_cross_entropy_with_probabilities_second_derivative_matches_torch(device):
    check_op(lambda x, p, w: F.cross_entropy(x, p, weight=w, label_smoothing=0.1),
             lambda x, p, w: TF.cross_entropy(x, p, weight=w, label_smoothing=0.1),
             (4, 3), probs(4, 3), (3,), device=device, order=2)


def test_nll_loss_second_derivative_matches_torch(device):
    w = np.array([0.5, 1.0, 2.0, 1.5])
    check_op(lambda x, t: F.nll_loss(x, t, weight=minigrad.tensor(w, device=device)) ** 2,
             lambda x, t: TF.nll_loss(x, t, weight=torch.tensor(w)) ** 2,
             (5, 4), classes(5), device=device, order=2)


@pytest.mark.parametrize("pos_weight", [False, True], ids=["plain", "pos_weight"])
def test_bce_with_logits_second_derivative_matches_torch(device, pos_weight):
    # the weights get no gradient (in torch neither): constants of the check
    pw = np.array([0.5, 2.0, 1.5]) if pos_weight else None
    w = np.abs(RNG.standard_normal(3))

    def mg(x, y):
        pwt = None if pw is None else minigrad.tensor(pw, device=device)
        return F.binary_cross_entropy_with_logits(x, y, weight=minigrad.tensor(w, device=device),
                                                  pos_weight=pwt)

    def th(x, y):
        pwt = None if pw is None else torch.tensor(pw)
        return TF.binary_cross_entropy_with_logits(x, y, weight=torch.tensor(w), pos_weight=pwt)

    check_op(mg, th, (4, 3), probs(4, 3), device=device, order=2)


def test_binary_cross_entropy_second_derivative_matches_torch(device):
    w = np.abs(RNG.standard_normal((4, 3)))
    check_op(lambda p, y: F.binary_cross_entropy(p, y, weight=minigrad.tensor(w, device=device)),
             lambda p, y: TF.binary_cross_entropy(p, y, weight=torch.tensor(w)),
             probs(4, 3), probs(4, 3), device=device, order=2)


# ------------------------------------------------------------------ regression losses


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_second_derivative_matches_torch(device, reduction):
    check_op(lambda x, y: F.mse_loss(x, y, reduction=reduction),
             lambda x, y: TF.mse_loss(x, y, reduction=reduction), (3, 4), (3, 4),
             device=device, order=2)


def test_weighted_mse_loss_second_derivative_matches_torch(device):
    w = np.abs(RNG.standard_normal((3, 4)))
    check_op(lambda x, y, w: F.mse_loss(x, y, weight=w), lambda x, y, w: TF.mse_loss(x, y, weight=w),
             (3, 4), (3, 4), w, device=device, order=2)


@pytest.mark.parametrize("name,kw", [("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.7}),
                                     ("huber_loss", {"delta": 0.8})])
def test_regression_loss_second_derivative_matches_torch(device, name, kw):
    x, y = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    check_op(lambda a, b: getattr(F, name)(a, b, **kw) * getattr(F, name)(a, b, **kw),
             lambda a, b: getattr(TF, name)(a, b, **kw) * getattr(TF, name)(a, b, **kw),
             x, y, device=device, order=2)


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_second_derivative_matches_torch(device, log_target):
    y = RNG.standard_normal((3, 4)) if log_target else probs(3, 4)
    check_op(lambda x, y: F.kl_div(x, y, reduction="batchmean", log_target=log_target) ** 2,
             lambda x, y: TF.kl_div(x, y, reduction="batchmean", log_target=log_target) ** 2,
             (3, 4), y, device=device, order=2)


def test_cosine_similarity_and_normalize_second_derivatives_match_torch(device):
    check_op(lambda a, b: F.cosine_similarity(a, b), lambda a, b: TF.cosine_similarity(a, b),
             (3, 4), (3, 4), device=device, order=2)
    check_op(lambda a: F.normalize(a, dim=1), lambda a: TF.normalize(a, dim=1), (3, 4),
             device=device, order=2)


# ------------------------------------------------------------------ normalisation


@pytest.mark.parametrize("affine", [True, False], ids=["affine", "plain"])
def test_batch_norm_training_second_derivative_matches_torch(device, affine):
    extra = ((3,), (3,)) if affine else ()
    check_op(lambda x, *wb: F.batch_norm(x, None, None, *wb, training=True),
             lambda x, *wb: TF.batch_norm(x, None, None, *wb, training=True),
             (4, 3, 2, 2), *extra, device=device, order=2)


def test_batch_norm_of_a_2d_batch_second_derivative_matches_torch(device):
    check_op(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True) ** 2,
             lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True) ** 2,
             (5, 3), (3,), (3,), device=device, order=2)


def test_batch_norm_eval_second_derivative_matches_torch(device):
    mean, var = RNG.standard_normal(3), np.abs(RNG.standard_normal(3)) + 0.5
    check_op(lambda x, w, b: F.batch_norm(x, minigrad.tensor(mean, device=device),
                                          minigrad.tensor(var, device=device), w, b) ** 2,
             lambda x, w, b: TF.batch_norm(x, torch.tensor(mean), torch.tensor(var), w, b) ** 2,
             (4, 3), (3,), (3,), device=device, order=2)


def test_layer_norm_and_group_norm_second_derivatives_match_torch(device):
    check_op(lambda x, w, b: F.layer_norm(x, (4,), w, b), lambda x, w, b: TF.layer_norm(x, (4,), w, b),
             (3, 4), (4,), (4,), device=device, order=2)
    check_op(lambda x, w, b: F.group_norm(x, 2, w, b), lambda x, w, b: TF.group_norm(x, 2, w, b),
             (2, 4, 3), (4,), (4,), device=device, order=2)


# ------------------------------------------------------------------ convolution and pooling


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1}, {"dilation": 2, "padding": (1, 2)},
                                {"groups": 2}, {"padding": "same"}],
                         ids=["plain", "strided", "dilated", "groups", "same"])
def test_conv2d_second_derivative_matches_torch(device, kw):
    check_op(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw),
             (2, 4, 5, 5), (2, 4 // kw.get("groups", 1), 3, 3), (2,), device=device, order=2)


def test_conv2d_with_long_windows_second_derivative_matches_torch(device):
    # C*kh*kw >= 64: the one-big-product path; squared so the second derivative is not zero
    check_op(lambda x, w: F.conv2d(x, w, padding=1) ** 2, lambda x, w: TF.conv2d(x, w, padding=1) ** 2,
             (2, 8, 4, 4), (3, 8, 3, 3), device=device, order=2)


def test_unbatched_conv2d_second_derivative_matches_torch(device):
    check_op(lambda x, w: F.conv2d(x, w) ** 2, lambda x, w: TF.conv2d(x, w) ** 2,
             (2, 4, 4), (3, 2, 2, 2), device=device, order=2)


def test_conv1d_second_derivative_matches_torch(device):
    check_op(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1) ** 2,
             lambda x, w, b: TF.conv1d(x, w, b, stride=2, padding=1) ** 2,
             (2, 3, 7), (4, 3, 3), (4,), device=device, order=2)


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1, "output_padding": 1},
                                {"dilation": 2}], ids=["plain", "strided", "dilated"])
def test_conv_transpose2d_second_derivative_matches_torch(device, kw):
    check_op(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw) ** 2,
             lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw) ** 2,
             (2, 3, 3, 3), (3, 2, 2, 2), (2,), device=device, order=2)


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1},
                                {"kernel_size": 2, "dilation": 2, "ceil_mode": True}],
                         ids=["plain", "overlapping", "dilated"])
def test_max_pool2d_second_derivative_matches_torch(device, kw):
    check_op(lambda x: F.max_pool2d(x, **kw) ** 2, lambda x: TF.max_pool2d(x, **kw) ** 2,
             (2, 2, 5, 5), device=device, order=2)


@pytest.mark.parametrize("kw", [{"kernel_size": 2},
                                {"kernel_size": 3, "stride": 2, "padding": 1,
                                 "count_include_pad": False, "ceil_mode": True},
                                {"kernel_size": 2, "divisor_override": 3}],
                         ids=["plain", "padded", "divisor_override"])
def test_avg_pool2d_second_derivative_matches_torch(device, kw):
    check_op(lambda x: F.avg_pool2d(x, **kw) ** 2, lambda x: TF.avg_pool2d(x, **kw) ** 2,
             (2, 2, 5, 5), device=device, order=2)


def test_adaptive_pooling_second_derivatives_match_torch(device):
    check_op(lambda x: F.adaptive_avg_pool2d(x, (2, 3)) ** 2,
             lambda x: TF.adaptive_avg_pool2d(x, (2, 3)) ** 2, (2, 2, 5, 4), device=device, order=2)
    check_op(lambda x: F.adaptive_max_pool2d(x, (2, 3)) ** 2,
             lambda x: TF.adaptive_max_pool2d(x, (2, 3)) ** 2, (2, 2, 5, 4), device=device, order=2)


# ------------------------------------------------------------------ resampling and padding


@pytest.mark.parametrize("kw", [{"scale_factor": 2}, {"size": (3, 5), "mode": "bilinear"},
                                {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True}],
                         ids=["nearest", "bilinear", "align_corners"])
def test_interpolate_second_derivative_matches_torch(device, kw):
    check_op(lambda x: F.interpolate(x, **kw) ** 2, lambda x: TF.interpolate(x, **kw) ** 2,
             (1, 2, 3, 4), device=device, order=2)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate"])
def test_pad_second_derivative_matches_torch(device, mode):
    check_op(lambda x: F.pad(x, (2, 1, 1, 2), mode=mode) ** 2,
             lambda x: TF.pad(x, (2, 1, 1, 2), mode=mode) ** 2, (1, 2, 3, 4), device=device,
             order=2)


# ------------------------------------------------------------------ dropout and attention


def test_dropout_second_derivative_uses_the_forward_mask(device):
    # p = 0 and p = 1 are deterministic, so they compare with torch; the mask in between
    # is a constant of the graph: the second derivative of (dropout(x) * x) is 2 * mask
    for p in (0.0, 1.0):
        check_op(lambda x: F.dropout(x, p) * x, lambda x: TF.dropout(x, p) * x, (3, 4),
                 device=device, order=2)
    x = minigrad.tensor(RNG.standard_normal((3, 40)), device=device, requires_grad=True)
    y = F.dropout(x, 0.5)
    mask = (y.detach().numpy() != 0) * 2.0
    g, = minigrad.autograd.grad((y * x).sum(), x, create_graph=True)
    h, = minigrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 2 * mask, rtol=1e-12)


def test_dropout2d_second_derivative_uses_the_forward_channel_mask(device):
    x = minigrad.tensor(RNG.standard_normal((2, 6, 3, 2)), device=device, requires_grad=True)
    y = F.dropout2d(x, 0.5)
    mask = (y.detach().numpy() != 0) * 2.0
    g, = minigrad.autograd.grad((y * x).sum(), x, create_graph=True)
    h, = minigrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 2 * mask, rtol=1e-12)


def test_scaled_dot_product_attention_second_derivative_matches_torch(device):
    mask = RNG.standard_normal((3, 4))
    check_op(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
             lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True),
             (2, 3, 4), (2, 3, 4), (2, 3, 4), device=device, order=2)
    check_op(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
             lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, attn_mask=m),
             (2, 3, 4), (2, 4, 4), (2, 4, 2), mask, device=device, order=2)


def test_multihead_attention_second_derivative_matches_torch(device):
    e, h = 4, 2
    w_in, b_in = RNG.standard_normal((3 * e, e)), RNG.standard_normal(3 * e)
    w_out, b_out = RNG.standard_normal((e, e)), RNG.standard_normal(e)

    def mg(q, k, v):
        t = lambda a: minigrad.tensor(a, device=device)  # noqa: E731
        return minigrad.nn.functional.multi_head_attention_forward(
            q, k, v, h, t(w_in), t(b_in), t(w_out), t(b_out), need_weights=True, training=False)

    def th(q, k, v):
        t = torch.tensor
        return TF.multi_head_attention_forward(q, k, v, e, h, t(w_in), t(b_in), None, None, False,
                                               0.0, t(w_out), t(b_out), training=False,
                                               need_weights=True)

    check_op(mg, th,
             (3, 2, e), (5, 2, e), (5, 2, e), device=device, order=2)


# ------------------------------------------------------------------ plain references agree
#
# Linear, ReLU, CrossEntropy, Convolution (and BatchNorm, ConvTranspose) keep a plain
# reference backward (``plain_backward``) beside the fast one. A first-order backward runs
# the fast one; under create_graph the engine runs the plain one. Both must give the same
# gradients, to float64 rounding, on whatever inputs hypothesis draws.

PLAIN = settings(max_examples=20, deadline=None, database=None, derandomize=True)


def fast_and_plain_gradients(fn, *arrays):
    """fn's input gradients by the fast backward (first order) and by the plain reference
    (the same backward under create_graph=True). The loss is sum(out * u) * s for a random
    u and s = 1 + sum(x^2) of the first input, so that the gradient reaching the op, u * s,
    depends on the inputs (its gradients are recorded) and is non-zero everywhere."""
    ts = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    up = minigrad.tensor(np.random.default_rng(1).standard_normal(tuple(out.shape)))
    loss = (out * up).sum() * (1 + (ts[0] * ts[0]).sum())
    fast = minigrad.autograd.grad(loss, ts, retain_graph=True)
    plain = minigrad.autograd.grad(loss, ts, create_graph=True)
    assert all(p.requires_grad for p in plain)  # recorded: the plain path really ran
    return [f.numpy() for f in fast], [p.detach().numpy() for p in plain]


def assert_agree(fast, plain):
    for f, p in zip(fast, plain):
        np.testing.assert_allclose(p, f, rtol=1e-11, atol=1e-12)


def floats(shape):
    return hnp.arrays(np.float64, shape, elements=st.floats(-3, 3, width=64))



@PLAIN
@given(st.data())
def test_linear_plain_reference_agrees_with_the_fast_backward(data):
    lead = data.draw(st.sampled_from([(1,), (7,), (3, 2), (2, 1, 3)]), "leading axes")
    n_in, n_out = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    x, w, b = (data.draw(floats(s)) for s in (lead + (n_in,), (n_out, n_in), (n_out,)))
    assert_agree(*fast_and_plain_gradients(F.linear, x, w, b))


@PLAIN
@given(floats(hnp.array_shapes(min_dims=1, max_dims=3, max_side=6)))
def test_relu_plain_reference_agrees_with_the_fast_backward(x):
    assert_agree(*fast_and_plain_gradients(F.relu, x))


@PLAIN
@given(st.data())
def test_cross_entropy_plain_reference_agrees_with_the_fast_backward(data):
    n, c = data.draw(st.integers(1, 6)), data.draw(st.integers(2, 5))
    x = data.draw(floats((n, c)))
    t = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    general = data.draw(st.booleans(), "weights, ignore_index and smoothing")
    kw = dict(reduction=data.draw(st.sampled_from(["mean", "sum", "none"])))
    if general:  # softmax * sum_c a_c - a, with a spelled out
        t[0] = -100
        kw.update(weight=minigrad.tensor(data.draw(floats((c,)).map(np.abs))),
                  label_smoothing=data.draw(st.sampled_from([0.0, 0.3])))
    assert_agree(*fast_and_plain_gradients(
        lambda x: F.cross_entropy(x, minigrad.tensor(t), **kw), x))


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2]))
    cg = draw(st.sampled_from([1, 2, 3, 8]))  # 8 * 3 * 3 >= 64: the one-product fast path
    o = groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h = draw(st.integers(dilation[0] * (kh - 1) + 1, 6))
    w = draw(st.integers(dilation[1] * (kw - 1) + 1, 6))
    shape = (draw(st.integers(1, 3)), groups * cg, h, w)
    if draw(st.booleans()):
        shape = shape[1:]  # unbatched
    x, weight, bias = (draw(floats(s)) for s in (shape, (o, cg, kh, kw), (o,)))
    return x, weight, bias, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


@PLAIN
@given(conv_cases())
def test_conv2d_plain_reference_agrees_with_the_fast_forward_and_backward(case):
    from minigrad.ops.conv import plain_conv2d
    x, w, b, kw = case
    fast_out = F.conv2d(minigrad.tensor(x), minigrad.tensor(w), minigrad.tensor(b), **kw)
    ph, pw = kw["padding"]
    x4 = x if x.ndim == 4 else x[None]
    plain_out = plain_conv2d(np, x4, w, b, kw["stride"], (ph, ph, pw, pw), kw["dilation"],
                             kw["groups"])
    np.testing.assert_allclose(plain_out if x.ndim == 4 else plain_out[0], fast_out.numpy(),
                               rtol=1e-11, atol=1e-12)
    assert_agree(*fast_and_plain_gradients(lambda x, w, b: F.conv2d(x, w, b, **kw), x, w, b))


@PLAIN
@given(st.data())
def test_conv_transpose2d_plain_reference_agrees_with_the_fast_backward(data):
    stride, dilation = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    padding = data.draw(st.integers(0, 1))
    x = data.draw(floats((data.draw(st.integers(1, 2)), 3, 3, 4)))
    w, b = data.draw(floats((3, 2, 2, 3))), data.draw(floats((2,)))
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    assert_agree(*fast_and_plain_gradients(
        lambda x, w, b: F.conv_transpose2d(x, w, b, **kw), x, w, b))


@PLAIN
@given(st.sampled_from([(5, 3), (4, 3, 2), (2, 3, 2, 3)]).flatmap(floats),
       floats((3,)), floats((3,)))
def test_batch_norm_plain_reference_agrees_with_the_fast_backward(x, w, b):
    assert_agree(*fast_and_plain_gradients(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), x, w, b))
