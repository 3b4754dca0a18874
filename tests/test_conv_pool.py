"""conv2d and max_pool2d: PyTorch's values, gradients, hyper-parameters and error messages.

Every case runs on the `device` fixture (NumPy "cpu", the Array API "strict" device, and
CUDA where present) and is compared with torch in float64.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings, strategies as st

import minigrad
from minigrad.autograd import gradcheck
from minigrad.ops.conv import conv2d, max_pool2d

RTOL, ATOL = 1e-9, 1e-12
# the `device` fixture is a plain string, safe to share across hypothesis examples
WITH_DEVICE_FIXTURE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def mg(array, device, requires_grad=False):
    return minigrad.tensor(array, device=device, requires_grad=requires_grad)


def th(array, requires_grad=False):
    return torch.tensor(array, requires_grad=requires_grad)


def assert_close(mg_tensor, torch_tensor, rtol=RTOL, atol=ATOL):
    expected = torch_tensor.detach().numpy()
    actual = np.asarray(mg_tensor.detach())
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def run_conv_both(device, x, w, b, upstream, **kw):
    """conv2d forward and backward on minigrad and torch; returns (mg tensors, torch tensors)."""
    mx, mw = mg(x, device, True), mg(w, device, True)
    tx, tw = th(x, True), th(w, True)
    mb = mg(b, device, True) if b is not None else None
    tb = th(b, True) if b is not None else None
    mout, tout = conv2d(mx, mw, mb, **kw), F.conv2d(tx, tw, tb, **kw)
    g = upstream(tout.shape)
    mout.backward(mg(g, device))
    tout.backward(th(g))
    return (mout, mx, mw, mb), (tout, tx, tw, tb)


def assert_conv_matches(m, t):
    (mout, mx, mw, mb), (tout, tx, tw, tb) = m, t
    assert_close(mout, tout)
    assert_close(mx.grad, tx.grad)
    assert_close(mw.grad, tw.grad)
    if mb is not None:
        assert_close(mb.grad, tb.grad)


def random_upstream(seed):
    rng = np.random.default_rng(seed)
    return lambda shape: rng.standard_normal(tuple(shape))


# ------------------------------------------------------------------------ conv2d


@st.composite
def conv_cases(draw, long_windows=False):
    """Hyper-parameters of a valid conv2d: odd and non-square sizes, non-square kernels,
    stride 1-3, padding 0-2, dilation 1-2, with or without bias. ``long_windows``: at
    least 64 inputs per output pixel (C*kh*kw), which the engine multiplies as one big
    matrix product instead of one per output row."""
    n, cin, cout = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    if long_windows:
        cin = -(-64 // (kh * kw)) + draw(st.integers(0, 2))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    # input at least as large as the dilated kernel once padded
    h = max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]) + draw(st.integers(0, 6))
    w = max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]) + draw(st.integers(0, 6))
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**31))
    return dict(shape=(n, cin, h, w), weight=(cout, cin, kh, kw), bias=bias, seed=seed,
                kw=dict(stride=stride, padding=padding, dilation=dilation))


def check_conv_case(device, case):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal(case["shape"])
    w = rng.standard_normal(case["weight"])
    b = rng.standard_normal(case["weight"][0]) if case["bias"] else None
    m, t = run_conv_both(device, x, w, b, random_upstream(case["seed"] + 1), **case["kw"])
    assert_conv_matches(m, t)


@settings(WITH_DEVICE_FIXTURE, max_examples=40)
@given(case=conv_cases())
def test_conv2d_matches_torch_values_and_gradients_over_hyperparameters(device, case):
    check_conv_case(device, case)


@settings(WITH_DEVICE_FIXTURE, max_examples=25)
@given(case=conv_cases(long_windows=True))
def test_conv2d_with_long_windows_matches_torch_over_hyperparameters(device, case):
    check_conv_case(device, case)


@settings(WITH_DEVICE_FIXTURE, max_examples=25)
@given(case=conv_cases())
def test_conv2d_first_layer_weight_gradient_from_a_plain_upstream_gradient(device, case):
    """A first layer (the input needs no gradient) with more output channels than inputs
    per pixel, and the upstream gradient in plain (N, O, Ho, Wo) memory: the weight
    gradient is then computed sample by sample from windows taken afresh from x."""
    n, cin, _, _ = case["shape"]
    _, _, kh, kw = case["weight"]
    cout = cin * kh * kw + 2
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal(case["shape"])
    w = rng.standard_normal((cout, cin, kh, kw))
    b = rng.standard_normal(cout) if case["bias"] else None
    mw, tw = mg(w, device, True), th(w, True)
    mb = mg(b, device, True) if b is not None else None
    tb = th(b, True) if b is not None else None
    tout = F.conv2d(th(x), tw, tb, **case["kw"])
    g = rng.standard_normal(tuple(tout.shape))
    conv2d(mg(x, device), mw, mb, **case["kw"]).backward(mg(g, device))
    tout.backward(th(g))
    assert_close(mw.grad, tw.grad)
    if b is not None:
        assert_close(mb.grad, tb.grad)


@pytest.mark.parametrize("stride, padding", [(1, 0), (1, 2), (2, 1), ((2, 3), (0, 1))])
def test_conv2d_lenet_shapes_match_torch(device, stride, padding):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 6, 14, 13)), rng.standard_normal((16, 6, 5, 5)), \
        rng.standard_normal(16)
    m, t = run_conv_both(device, x, w, b, random_upstream(1), stride=stride, padding=padding)
    assert_conv_matches(m, t)


def test_conv2d_accepts_int_tuple_and_one_element_list_hyperparameters(device):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 2, 9, 8)), rng.standard_normal((3, 2, 3, 2))
    for kw in (dict(stride=2, padding=1, dilation=2), dict(stride=(2, 2), padding=(1, 1),
               dilation=(2, 2)), dict(stride=[2], padding=[1], dilation=[2])):
        assert_close(conv2d(mg(x, device), mg(w, device), **kw),
                     F.conv2d(th(x), th(w), stride=2, padding=1, dilation=2))


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch's notice
@pytest.mark.parametrize("kernel, dilation", [((3, 3), 1), ((2, 4), 1), ((3, 2), 2)])
def test_conv2d_padding_same_keeps_the_size_and_pads_the_odd_extra_after(device, kernel,
                                                                           dilation):
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 2, 7, 6)), rng.standard_normal((3, 2) + kernel), \
        rng.standard_normal(3)
    m, t = run_conv_both(device, x, w, b, random_upstream(3), padding="same", dilation=dilation)
    assert tuple(m[0].shape) == (2, 3, 7, 6)
    assert_conv_matches(m, t)


def test_conv2d_padding_valid_means_no_padding(device):
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, 1, 6, 5)), rng.standard_normal((2, 1, 3, 3))
    assert_close(conv2d(mg(x, device), mg(w, device), padding="valid"),
                 F.conv2d(th(x), th(w)))


@pytest.mark.parametrize("groups, cin, cout", [(2, 4, 6), (3, 3, 3), (2, 2, 4)])
def test_conv2d_groups_split_channels_like_torch(device, groups, cin, cout):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, cin, 7, 6))
    w, b = rng.standard_normal((cout, cin // groups, 3, 2)), rng.standard_normal(cout)
    m, t = run_conv_both(device, x, w, b, random_upstream(6), groups=groups, padding=1)
    assert_conv_matches(m, t)


@pytest.mark.parametrize("cin", [2, 8], ids=["short-windows", "long-windows"])
def test_conv2d_unbatched_input_gives_unbatched_output_and_gradients(device, cin):
    rng = np.random.default_rng(7)
    x, w, b = rng.standard_normal((cin, 6, 5)), rng.standard_normal((3, cin, 3, 3)), \
        rng.standard_normal(3)
    m, t = run_conv_both(device, x, w, b, random_upstream(8), padding=1, stride=(1, 2))
    assert tuple(m[0].shape) == (3, 6, 3)
    assert tuple(m[1].grad.shape) == (cin, 6, 5)
    assert_conv_matches(m, t)


def test_conv2d_bias_is_optional_and_only_needed_gradients_are_computed(device):
    rng = np.random.default_rng(9)
    x, w = rng.standard_normal((2, 1, 6, 6)), rng.standard_normal((2, 1, 3, 3))
    mx, mw = mg(x, device), mg(w, device, True)   # input needs no gradient (a first layer)
    out = conv2d(mx, mw)
    out.sum().backward()
    tw = th(w, True)
    F.conv2d(th(x), tw).sum().backward()
    assert mx.grad is None
    assert_close(mw.grad, tw.grad)


@pytest.mark.parametrize("input_grad", [False, True])
@pytest.mark.parametrize("groups, bias", [(1, True), (1, False), (2, True)])
@pytest.mark.parametrize("layout", ["NCHW", "batch-fastest"])
@pytest.mark.parametrize("cin", [2, 16], ids=["short-windows", "long-windows"])
def test_conv2d_gradients_do_not_depend_on_the_memory_layout_of_the_upstream_gradient(
        device, layout, groups, bias, input_grad, cin):
    # many output channels, few inputs per pixel (a first layer): the weight gradient may be
    # computed per sample instead of transposing the upstream gradient; 16 channels of 2x2
    # windows (64 inputs per pixel) take the one-big-product path
    rng = np.random.default_rng(31)
    x, w = rng.standard_normal((3, cin, 7, 6)), rng.standard_normal((12, cin // groups, 2, 2))
    b = rng.standard_normal(12) if bias else None
    g = rng.standard_normal((3, 12, 6, 7))
    mx, mw = mg(x, device, input_grad), mg(w, device, True)
    mb = mg(b, device, True) if bias else None
    mg_g = mg(g, device) if layout == "NCHW" else \
        mg(np.ascontiguousarray(g.transpose(2, 1, 3, 0)), device).permute(3, 1, 0, 2)
    conv2d(mx, mw, mb, padding=(0, 1), groups=groups).backward(mg_g)
    tx, tw = th(x, input_grad), th(w, True)
    tb = th(b, True) if bias else None
    F.conv2d(tx, tw, tb, padding=(0, 1), groups=groups).backward(th(g))
    assert_close(mw.grad, tw.grad)
    if bias:
        assert_close(mb.grad, tb.grad)
    if input_grad:
        assert_close(mx.grad, tx.grad)


def test_conv2d_keeps_float32_in_float32(device):
    rng = np.random.default_rng(10)
    x = mg(rng.standard_normal((2, 3, 8, 8)).astype(np.float32), device, True)
    w = mg(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), device, True)
    b = mg(rng.standard_normal(4).astype(np.float32), device, True)
    out = conv2d(x, w, b, padding=1)
    out.sum().backward()
    assert out.dtype == minigrad.float32
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == minigrad.float32
    expected = F.conv2d(torch.tensor(np.asarray(x.detach())), torch.tensor(np.asarray(w.detach())),
                        torch.tensor(np.asarray(b.detach())), padding=1)
    assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_conv2d_gradients_pass_finite_difference_gradcheck(device):
    rng = np.random.default_rng(11)
    x = mg(rng.standard_normal((1, 2, 4, 4)), device, True)
    w = mg(rng.standard_normal((2, 2, 2, 2)), device, True)
    b = mg(rng.standard_normal(2), device, True)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride=(1, 2), padding=1), (x, w, b))


def test_conv2d_on_an_empty_batch_gives_an_empty_output(device):
    x, w = mg(np.zeros((0, 1, 5, 5)), device), mg(np.ones((2, 1, 3, 3)), device)
    assert tuple(conv2d(x, w).shape) == (0, 2, 3, 3)


def test_conv_relu_pool_conv_flatten_chain_matches_torch(device):
    """The LeNet pattern, end to end: layouts that conv and pool pass between themselves
    must not show in values, reshapes or gradients."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((3, 1, 12, 12))
    w1, b1 = rng.standard_normal((4, 1, 5, 5)), rng.standard_normal(4)
    w2, b2 = rng.standard_normal((6, 4, 3, 3)), rng.standard_normal(6)
    mparams = [mg(a, device, True) for a in (w1, b1, w2, b2)]
    tparams = [th(a, True) for a in (w1, b1, w2, b2)]

    def net(F_conv, F_pool, xx, w1, b1, w2, b2):
        h = F_pool(F_conv(xx, w1, b1, padding=2).relu(), 2)
        h = F_pool(F_conv(h, w2, b2).relu(), 2)
        return h.reshape(h.shape[0], -1)

    mout = net(conv2d, max_pool2d, mg(x, device), *mparams)
    tout = net(F.conv2d, F.max_pool2d, th(x), *tparams)
    assert_close(mout, tout)
    upstream = rng.standard_normal(tuple(tout.shape))
    mout.backward(mg(upstream, device))
    tout.backward(th(upstream))
    for m, t in zip(mparams, tparams):
        assert_close(m.grad, t.grad)


# ---------------------------------------------------------------- conv2d errors


def test_conv2d_names_the_channel_mismatch(device):
    x, w = mg(np.zeros((64, 3, 28, 28)), device), mg(np.zeros((6, 1, 5, 5)), device)
    with pytest.raises(RuntimeError, match=r"Given groups=1, weight of size \[6, 1, 5, 5\], "
                       r"expected input\[64, 3, 28, 28\] to have 1 channels, but got 3 "
                       r"channels instead"):
        conv2d(x, w)


def test_conv2d_names_an_input_smaller_than_the_kernel(device):
    x, w = mg(np.zeros((1, 1, 2, 2)), device), mg(np.zeros((6, 1, 5, 5)), device)
    with pytest.raises(RuntimeError, match=r"Calculated padded input size per channel: "
                       r"\(2 x 2\)\. Kernel size: \(5 x 5\)\. Kernel size can't be greater"):
        conv2d(x, w)


@pytest.mark.parametrize("shape", [(8, 8), (1, 1, 1, 8, 8)])
def test_conv2d_rejects_inputs_that_are_not_3d_or_4d(device, shape):
    x, w = mg(np.zeros(shape), device), mg(np.zeros((2, 1, 3, 3)), device)
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input "
                       r"to conv2d, but got input of size: \[" + ", ".join(map(str, shape))):
        conv2d(x, w)


def test_conv2d_rejects_a_weight_that_is_not_4d(device):
    x, w = mg(np.zeros((1, 1, 8, 8)), device), mg(np.zeros((6, 5, 5)), device)
    with pytest.raises(RuntimeError, match=r"4D weight.*\[6, 5, 5\]"):
        conv2d(x, w)


def test_conv2d_rejects_input_and_weight_of_different_dtypes(device):
    x = mg(np.zeros((1, 1, 8, 8)), device)                         # float64 ("double")
    w = mg(np.zeros((2, 1, 3, 3), dtype=np.float32), device)       # float32 ("float")
    with pytest.raises(RuntimeError, match=r"Input type \(double\) and weight type \(float\) "
                       r"should be the same"):
        conv2d(x, w)


def test_conv2d_rejects_a_bias_of_another_dtype(device):
    x, w = mg(np.zeros((1, 1, 8, 8)), device), mg(np.zeros((2, 1, 3, 3)), device)
    b = mg(np.zeros(2, dtype=np.float32), device)
    with pytest.raises(RuntimeError, match=r"Input type \(double\) and bias type \(float\) "
                       r"should be the same"):
        conv2d(x, w, b)


def test_conv2d_rejects_a_bias_of_the_wrong_size(device):
    x, w = mg(np.zeros((1, 1, 8, 8)), device), mg(np.zeros((6, 1, 5, 5)), device)
    with pytest.raises(RuntimeError, match=r"expected bias to be 1-dimensional with 6 elements, "
                       r"but got bias of size \[5\]"):
        conv2d(x, w, mg(np.zeros(5), device))


def test_conv2d_rejects_groups_that_do_not_divide_the_channels(device):
    x, w = mg(np.zeros((1, 4, 8, 8)), device), mg(np.zeros((6, 2, 5, 5)), device)
    with pytest.raises(RuntimeError, match=r"Given groups=4, expected weight to be divisible by "
                       r"4 at dimension 0"):
        conv2d(x, w, groups=4)
    with pytest.raises(RuntimeError, match=r"Given groups=3, weight of size \[6, 2, 5, 5\], "
                       r"expected input\[1, 4, 8, 8\] to have 6 channels, but got 4"):
        conv2d(x, w, groups=3)
    with pytest.raises(RuntimeError, match="non-positive groups is not supported"):
        conv2d(x, w, groups=0)


@pytest.mark.parametrize("kw, message", [
    (dict(stride=0), "non-positive stride is not supported"),
    (dict(padding=-1), "negative padding is not supported"),
    (dict(dilation=0), "non-positive dilation is not supported"),
    (dict(stride=2, padding="same"), "padding='same' is not supported for strided convolutions"),
    (dict(padding="full"), "Invalid padding string: 'full'"),
    (dict(stride=(1, 2, 3)), "expected stride to be a single integer value or a list of 2 values"),
])
def test_conv2d_rejects_bad_hyperparameters_with_torch_messages(device, kw, message):
    x, w = mg(np.zeros((1, 1, 8, 8)), device), mg(np.zeros((2, 1, 3, 3)), device)
    with pytest.raises(RuntimeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        conv2d(x, w, **kw)


def test_conv2d_rejects_an_input_that_is_not_a_tensor(device):
    with pytest.raises(TypeError, match=r"conv2d\(\): argument 'input'.*must be Tensor, not "
                       r"ndarray"):
        conv2d(np.zeros((1, 1, 8, 8)), mg(np.zeros((2, 1, 3, 3)), device))


# -------------------------------------------------------------------- max_pool2d


@st.composite
def pool_cases(draw):
    """max_pool2d hyper-parameters: non-square kernels, default or explicit stride (so both
    non-overlapping and overlapping windows), padding up to half the kernel, dilation,
    ceil_mode; data with many ties (integers, ReLU'd) or distinct values."""
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    ceil_mode = draw(st.booleans())
    eh, ew = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    # smallest input: every window must hold an input element (with dilation, a window on a
    # tiny input can fall entirely into the padding; PyTorch then reports an index outside
    # the input)
    h = (eh if dilation[0] > 1 else max(1, eh - 2 * padding[0])) + draw(st.integers(0, 6))
    w = (ew if dilation[1] > 1 else max(1, ew - 2 * padding[1])) + draw(st.integers(0, 6))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w)
    data = draw(st.sampled_from(["ties", "relu", "distinct"]))
    return dict(shape=shape, data=data, seed=draw(st.integers(0, 2**31)),
                kw=dict(kernel_size=(kh, kw), stride=stride, padding=padding, dilation=dilation,
                        ceil_mode=ceil_mode))


def pool_data(kind, shape, rng):
    if kind == "ties":      # small integers: most windows hold several equal maxima
        return rng.integers(-2, 3, shape).astype(np.float64)
    if kind == "relu":      # after a ReLU: many windows are all zeros
        return np.maximum(rng.standard_normal(shape), 0)
    return rng.permutation(np.arange(np.prod(shape), dtype=np.float64)).reshape(shape)


def run_pool_both(device, x, upstream, **kw):
    mx, tx = mg(x, device, True), th(x, True)
    mout, mind = max_pool2d(mx, return_indices=True, **kw)
    tout, tind = F.max_pool2d(tx, return_indices=True, **kw)
    g = upstream(tout.shape)
    mout.backward(mg(g, device))
    tout.backward(th(g))
    return (mout, mind, mx), (tout, tind, tx)


def assert_pool_matches(m, t):
    (mout, mind, mx), (tout, tind, tx) = m, t
    assert_close(mout, tout, rtol=0, atol=0)
    assert mind.dtype == minigrad.int64
    np.testing.assert_array_equal(np.asarray(mind), tind.numpy())
    assert_close(mx.grad, tx.grad)


@settings(WITH_DEVICE_FIXTURE, max_examples=50)
@given(case=pool_cases())
def test_max_pool2d_matches_torch_values_indices_and_gradients_over_hyperparameters(device,
                                                                                      case):
    rng = np.random.default_rng(case["seed"])
    x = pool_data(case["data"], case["shape"], rng)
    m, t = run_pool_both(device, x, random_upstream(case["seed"] + 1), **case["kw"])
    assert_pool_matches(m, t)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(2, 2)),
                                dict(kernel_size=2, stride=2), dict(kernel_size=(3, 2))])
def test_max_pool2d_non_overlapping_windows_match_torch(device, kw):
    x = np.maximum(np.random.default_rng(13).standard_normal((3, 4, 12, 10)), 0)
    assert_pool_matches(*run_pool_both(device, x, random_upstream(14), **kw))


def test_max_pool2d_overlapping_windows_add_gradients_where_windows_share_the_maximum(device):
    # kernel 3, stride 2: neighbouring windows share a row/column, so one input can be the
    # maximum of several windows and receives the sum of their gradients.
    x = np.random.default_rng(15).integers(0, 3, (2, 3, 9, 7)).astype(np.float64)
    m, t = run_pool_both(device, x, random_upstream(16), kernel_size=3, stride=2)
    assert_pool_matches(m, t)
    assert (t[2].grad.numpy() != 0).sum() < x.size // 2


def test_max_pool2d_sends_the_gradient_of_a_tie_to_the_first_maximum_in_row_major_order(device):
    x = np.array([[[[1., 3., 3., 0.],
                    [3., 2., 0., 0.],
                    [0., 0., 0., 0.],
                    [0., 0., 0., 0.]]]])
    mx = mg(x, device, True)
    max_pool2d(mx, 2).sum().backward()
    expected = np.zeros_like(x)
    expected[0, 0, 0, 1] = 1   # window 1: 3 at (0,1) before (1,0)
    expected[0, 0, 0, 2] = 1   # window 2: 3 at (0,2)
    expected[0, 0, 2, 0] = 1   # windows 3 and 4: all zeros -> first element
    expected[0, 0, 2, 2] = 1
    np.testing.assert_array_equal(np.asarray(mx.grad), expected)


def test_max_pool2d_padding_is_negative_infinity_so_negative_inputs_still_win(device):
    x = -1 - np.random.default_rng(17).random((1, 2, 5, 5))
    assert_pool_matches(*run_pool_both(device, x, random_upstream(18), kernel_size=3, stride=2,
                                       padding=1))


def test_max_pool2d_window_of_minus_infinity_sends_its_gradient_inside_the_input(device):
    x = np.full((1, 1, 4, 4), -np.inf)
    x[0, 0, 2:, 2:] = 1.0
    assert_pool_matches(*run_pool_both(device, x, random_upstream(30), kernel_size=3,
                                       stride=2, padding=1))


def test_max_pool2d_propagates_nan_like_torch(device):
    x = np.arange(16, dtype=np.float64).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan     # window 1 holds two NaNs
    mx, tx = mg(x, device, True), th(x, True)
    mout, tout = max_pool2d(mx, 2), F.max_pool2d(tx, 2)
    np.testing.assert_array_equal(np.asarray(mout.detach()), tout.detach().numpy())  # NaN == NaN
    mout.sum().backward()
    tout.sum().backward()
    np.testing.assert_array_equal(np.asarray(mx.grad), tx.grad.numpy())


def test_max_pool2d_ceil_mode_adds_a_last_partial_window(device):
    x = np.random.default_rng(19).standard_normal((1, 2, 5, 7))
    m, t = run_pool_both(device, x, random_upstream(20), kernel_size=2, ceil_mode=True)
    assert tuple(m[0].shape) == (1, 2, 3, 4)
    assert_pool_matches(m, t)


def test_max_pool2d_unbatched_input(device):
    x = np.random.default_rng(21).standard_normal((3, 6, 5))
    m, t = run_pool_both(device, x, random_upstream(22), kernel_size=2)
    assert tuple(m[0].shape) == (3, 3, 2) and tuple(m[1].shape) == (3, 3, 2)
    assert_pool_matches(m, t)


def test_max_pool2d_keeps_float32_in_float32(device):
    x = mg(np.random.default_rng(23).standard_normal((2, 3, 8, 8)).astype(np.float32), device,
           True)
    out = max_pool2d(x, 2)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == minigrad.float32


def test_max_pool2d_without_gradients_gives_the_same_values(device):
    x = np.random.default_rng(24).integers(-3, 4, (2, 2, 7, 7)).astype(np.float64)
    with minigrad.no_grad():
        out = max_pool2d(mg(x, device, True), 3, stride=2, padding=1)
    assert out.grad_fn is None
    assert_close(out, F.max_pool2d(th(x), 3, stride=2, padding=1), rtol=0, atol=0)


def test_max_pool2d_without_gradients_keeps_unbatched_input_unbatched(device):
    x = np.random.default_rng(27).standard_normal((2, 4, 4))
    with minigrad.no_grad():
        out = max_pool2d(mg(x, device), 2)
    assert_close(out, F.max_pool2d(th(x), 2), rtol=0, atol=0)


def test_max_pool2d_pools_integer_tensors(device):
    x = np.random.default_rng(25).integers(-50, 50, (2, 2, 6, 6))
    out = max_pool2d(mg(x, device), 3, stride=2, padding=1)
    assert out.dtype == minigrad.int64
    np.testing.assert_array_equal(np.asarray(out),
                                  F.max_pool2d(torch.tensor(x), 3, 2, padding=1).numpy())


def test_max_pool2d_gradients_pass_finite_difference_gradcheck(device):
    x = np.random.default_rng(26).permutation(np.arange(30.0)).reshape(1, 2, 3, 5) / 7
    mx = mg(x, device, True)
    assert gradcheck(lambda x: max_pool2d(x, (2, 2), stride=1, padding=(1, 0)), (mx,))


# ------------------------------------------------------------ max_pool2d errors


def test_max_pool2d_rejects_padding_above_half_the_kernel(device):
    x = mg(np.zeros((1, 1, 4, 4)), device)
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel "
                       "size, but got pad=2, kernel_size=3 and dilation=1"):
        max_pool2d(x, 3, padding=2)


def test_max_pool2d_names_a_non_positive_output_size(device):
    x = mg(np.zeros((1, 1, 4, 4)), device)
    with pytest.raises(RuntimeError, match=r"Given input size: \(1x4x4\)\. Calculated output "
                       r"size: \(1x0x0\)\. Output size is too small"):
        max_pool2d(x, 5)


@pytest.mark.parametrize("shape", [(4, 4), (1, 1, 1, 4, 4), (1, 0, 4, 4)])
def test_max_pool2d_rejects_inputs_that_are_not_non_empty_3d_or_4d(device, shape):
    with pytest.raises(RuntimeError, match=r"non-empty 3D or 4D \(batch mode\) tensor expected "
                       "for input"):
        max_pool2d(mg(np.zeros(shape), device), 2)


@pytest.mark.parametrize("kw, message", [
    (dict(kernel_size=(2, 2, 2)), "kernel_size must either be a single int, or a tuple of two"),
    (dict(kernel_size=2, stride=0), "stride should not be zero"),
    (dict(kernel_size=2, padding=-1), "pad must be non-negative, but got pad: -1"),
    (dict(kernel_size=2, dilation=0), "dilation should be greater than zero"),
])
def test_max_pool2d_rejects_bad_hyperparameters_with_torch_messages(device, kw, message):
    with pytest.raises(RuntimeError, match=message):
        max_pool2d(mg(np.zeros((1, 1, 4, 4)), device), **kw)
