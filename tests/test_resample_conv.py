"""F.pad, F.interpolate/nn.Upsample, conv1d/Conv1d and conv_transpose2d/ConvTranspose2d:
PyTorch's values and gradients (float64) over drawn shapes and settings, on every device;
reprs and errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from parity import check_op, strategies as S


# ----------------------------------------------------------------------------- pad

@st.composite
def pad_cases(draw, mode):
    ndim = draw(st.integers(3, 4))
    shape = tuple(draw(st.integers(2, 5)) for _ in range(ndim))
    # non-constant modes pad the last 1 dim of 2D/3D inputs, the last 2 of 3D/4D ones
    dims = draw(st.integers(1, 2)) if mode == "constant" else (1 if ndim == 3 and draw(
        st.booleans()) else 2)
    low = -1 if mode == "constant" else 0
    pads = []
    for k in range(dims):
        n = shape[ndim - 1 - k]
        high = n - 1 if mode == "reflect" else 3
        pads += [draw(st.integers(low, high)), draw(st.integers(low, high))]
    return shape, pads


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate"])
def test_pad_matches_torch_values_and_gradients(mode, device):
    @st.composite
    def cases(draw):
        shape, pads = draw(pad_cases(mode))
        return draw(S.arrays(st.just(shape))), pads

    value = 1.5 if mode == "constant" else None
    check_op(lambda c: F.pad(minigrad.tensor(c[0], device=device), c[1], mode, value),
             lambda c: TF.pad(torch.tensor(c[0]), c[1], mode, value), cases(), device=device,
             max_examples=20)
    for shape, pads in [((2, 3, 4, 5), [1, 2, 3, 1]), ((1, 2, 5), [4, 2]),
                        ((2, 2, 3, 3), [2, 0, 0, 2])]:
        check_op(lambda x: F.pad(x, pads, mode), lambda x: TF.pad(x, pads, mode), shape,
                 device=device, name=f"{mode} {pads}")


def test_pad_rejects_a_reflection_as_wide_as_the_input_like_torch():
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding "
                                           "input dimension"):
        F.pad(minigrad.zeros(1, 1, 3, 3), (3, 3, 0, 0), "reflect")
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(minigrad.zeros(2, 2), (1,))


@pytest.mark.parametrize("name,args", [("ZeroPad2d", (2,)), ("ZeroPad2d", ((1, 0, 2, 1),)),
                                       ("ConstantPad2d", ((1, 1, 0, 2), 3.5)),
                                       ("ReflectionPad2d", (1,)),
                                       ("ReplicationPad2d", ((2, 0, 1, 3),))])
def test_padding_layers_match_torch(name, args):
    mg_layer, th_layer = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(mg_layer) == repr(th_layer)
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4))
    np.testing.assert_array_equal(np.asarray(mg_layer(minigrad.tensor(x))),
                                  th_layer(torch.tensor(x)).numpy())


# --------------------------------------------------------------------- interpolate

INTERPOLATE = [
    dict(scale_factor=2), dict(scale_factor=3, mode="nearest"), dict(size=(5, 7)),
    dict(size=(3, 2)), dict(scale_factor=1.5), dict(scale_factor=0.5),
    dict(scale_factor=2, mode="bilinear"), dict(scale_factor=2, mode="bilinear",
                                                align_corners=True),
    dict(size=(7, 3), mode="bilinear"), dict(size=(7, 3), mode="bilinear", align_corners=True),
    dict(size=(1, 4), mode="bilinear", align_corners=True),
    dict(scale_factor=(1.7, 0.6), mode="bilinear"),
    dict(scale_factor=1.7, mode="nearest", recompute_scale_factor=True),
]


@pytest.mark.parametrize("kwargs", INTERPOLATE, ids=[str(k) for k in INTERPOLATE])
def test_interpolate_matches_torch_values_and_gradients(kwargs, device):
    for shape in [(2, 3, 4, 5), (1, 1, 6, 3)]:
        check_op(lambda x: F.interpolate(x, **kwargs), lambda x: TF.interpolate(x, **kwargs),
                 shape, device=device, name=str(kwargs))


def test_upsample_module_matches_torch_and_prints_like_it():
    for kwargs in (dict(scale_factor=2), dict(size=(4, 4), mode="bilinear"),
                   dict(scale_factor=2, mode="bilinear", align_corners=True)):
        mg_layer, th_layer = nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs)
        assert repr(mg_layer) == repr(th_layer)
        x = np.random.default_rng(0).standard_normal((1, 2, 3, 3))
        np.testing.assert_allclose(np.asarray(mg_layer(minigrad.tensor(x))),
                                   th_layer(torch.tensor(x)).numpy(), rtol=1e-12)


def test_interpolate_rejects_align_corners_for_nearest_like_torch():
    with pytest.raises(ValueError, match="align_corners option can only be set with the "
                                         "interpolating modes"):
        F.interpolate(minigrad.zeros(1, 1, 2, 2), scale_factor=2, align_corners=True)


# ------------------------------------------------------------------------ conv1d

@st.composite
def conv1d_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k, stride, dilation = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    padding = draw(st.integers(0, 2))
    length = draw(st.integers(max(1, dilation * (k - 1) + 1 - 2 * padding), 8))
    shape = (draw(st.integers(1, 2)), cin, length)
    return (draw(S.arrays(st.just(shape))), draw(S.arrays(st.just((cout, cin // groups, k)))),
            draw(S.arrays(st.just((cout,)))),
            dict(stride=stride, padding=padding, dilation=dilation, groups=groups))


def test_conv1d_matches_torch_over_drawn_settings(device):
    # the case's arrays are differentiated: unpack them into check_op's float inputs
    cases = conv1d_cases()
    check_op(lambda c: F.conv1d(minigrad.tensor(c[0], device=device),
                                minigrad.tensor(c[1], device=device),
                                minigrad.tensor(c[2], device=device), **c[3]),
             lambda c: TF.conv1d(torch.tensor(c[0]), torch.tensor(c[1]), torch.tensor(c[2]),
                                 **c[3]), cases, device=device, max_examples=20)
    for kw in (dict(stride=2, padding=1), dict(padding="same", dilation=2), dict(groups=2)):
        check_op(lambda x, w, b: F.conv1d(x, w, b, **kw),
                 lambda x, w, b: TF.conv1d(x, w, b, **kw), (2, 4, 9),
                 (6, 4 // kw.get("groups", 1), 3),
                 (6,), device=device, name=str(kw))


def test_conv1d_module_initialises_and_prints_like_torch():
    for kwargs in (dict(), dict(stride=2, padding=1, bias=False), dict(dilation=2, groups=2)):
        mg_layer, th_layer = nn.Conv1d(4, 6, 3, **kwargs), torch.nn.Conv1d(4, 6, 3, **kwargs)
        assert repr(mg_layer) == repr(th_layer)
        assert list(mg_layer.state_dict()) == list(th_layer.state_dict())
        assert mg_layer.weight.shape == tuple(th_layer.weight.shape)
    bound = 1 / np.sqrt(4 * 3)
    assert np.abs(np.asarray(nn.Conv1d(4, 50, 3).weight.detach())).max() <= bound


# ---------------------------------------------------------------- conv_transpose2d

TRANSPOSED = [dict(), dict(stride=2), dict(stride=2, padding=1), dict(stride=2, padding=1,
                                                                      output_padding=1),
              dict(stride=3, padding=2, output_padding=2), dict(dilation=2, padding=1),
              dict(stride=(2, 1), padding=(0, 1), output_padding=(1, 0)),
              dict(stride=2, output_padding=1, padding=0)]


@pytest.mark.parametrize("kwargs", TRANSPOSED, ids=[str(k) for k in TRANSPOSED])
def test_conv_transpose2d_matches_torch_values_and_gradients(kwargs, device):
    check_op(lambda x, w, b: F.conv_transpose2d(x, w, b, **kwargs),
             lambda x, w, b: TF.conv_transpose2d(x, w, b, **kwargs),
             (2, 3, 4, 5), (3, 2, 3, 2), (2,), device=device, name=str(kwargs))
    check_op(lambda x, w: F.conv_transpose2d(x, w, **kwargs),
             lambda x, w: TF.conv_transpose2d(x, w, **kwargs), (3, 3, 3), (3, 4, 2, 2),
             device=device, name=f"unbatched {kwargs}")


def test_conv_transpose2d_module_initialises_and_prints_like_torch():
    for kwargs in (dict(), dict(stride=2, padding=1, output_padding=1, bias=False)):
        mg_layer = nn.ConvTranspose2d(4, 6, 3, **kwargs)
        th_layer = torch.nn.ConvTranspose2d(4, 6, 3, **kwargs)
        assert repr(mg_layer) == repr(th_layer)
        assert mg_layer.weight.shape == tuple(th_layer.weight.shape) == (4, 6, 3, 3)
    bound = 1 / np.sqrt(6 * 9)  # fan_in from the weight's dim 1, as torch computes it
    assert np.abs(np.asarray(nn.ConvTranspose2d(4, 6, 3).bias.detach())).max() <= bound


def test_conv_transpose2d_rejects_output_padding_not_below_stride_or_dilation():
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride "
                                           "or dilation"):
        F.conv_transpose2d(minigrad.zeros(1, 1, 3, 3), minigrad.zeros(1, 1, 2, 2), stride=2,
                           output_padding=2)


@st.composite
def conv_transpose_cases(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    # output_padding below stride or dilation, as torch requires
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    out_h = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    out_w = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    if out_h < 1 or out_w < 1:
        padding = (0, 0)
    cin, cout = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    x = draw(S.arrays(st.just((draw(st.integers(1, 2)), cin, h, w))))
    weight = draw(S.arrays(st.just((cin, cout, kh, kw))))
    bias = draw(st.one_of(st.none(), S.arrays(st.just((cout,)))))
    return x, weight, bias, dict(stride=stride, padding=padding, output_padding=output_padding,
                                 dilation=dilation)


def test_conv_transpose2d_matches_torch_over_drawn_settings(device):
    # check_op compares the values here; the gradients are compared per setting above
    def mg(c):
        b = None if c[2] is None else minigrad.tensor(c[2], device=device)
        return F.conv_transpose2d(minigrad.tensor(c[0], device=device),
                                  minigrad.tensor(c[1], device=device), b, **c[3])

    def th(c):
        b = None if c[2] is None else torch.tensor(c[2])
        return TF.conv_transpose2d(torch.tensor(c[0]), torch.tensor(c[1]), b, **c[3])

    check_op(mg, th, conv_transpose_cases(), device=device, max_examples=30)


def test_conv_transpose2d_gradients_pass_finite_difference_gradcheck():
    from minigrad.autograd import gradcheck
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
    w = minigrad.tensor(rng.standard_normal((2, 3, 2, 2)), requires_grad=True)
    b = minigrad.tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                        output_padding=1), (x, w, b))


@pytest.mark.parametrize("mode,align_corners", [("nearest", None), ("bilinear", False),
                                                ("bilinear", True)])
def test_interpolate_matches_torch_over_drawn_sizes(mode, align_corners, device):
    check_op(lambda x, size: F.interpolate(x, size=size, mode=mode, align_corners=align_corners),
             lambda x, size: TF.interpolate(x, size=size, mode=mode,
                                            align_corners=align_corners),
             S.arrays(st.sampled_from([(1, 2, 3, 4), (2, 1, 5, 2), (1, 1, 1, 3)])),
             st.lists(st.integers(1, 9), min_size=2, max_size=2), device=device,
             max_examples=20)
