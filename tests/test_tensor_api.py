"""The Tensor surface a PyTorch user expects: creation, dtypes, devices, printing, conversion."""
import numpy as np
import pytest
import torch

import minigrad


def test_python_floats_become_float32_and_ints_int64_like_torch():
    assert minigrad.tensor([1.0, 2.0]).dtype == minigrad.float32
    assert minigrad.tensor([1, 2]).dtype == minigrad.int64
    assert minigrad.tensor([True, False]).dtype == minigrad.bool
    assert minigrad.tensor(np.zeros(2)).dtype == minigrad.float64  # NumPy dtype is kept
    assert minigrad.tensor([1, 2], dtype=minigrad.float64).dtype == minigrad.double


def test_factories_follow_torch_signatures():
    assert minigrad.zeros(2, 3).shape == (2, 3) == minigrad.zeros((2, 3)).shape
    assert minigrad.ones(4).tolist() == [1.0] * 4
    assert minigrad.full((2,), 7).tolist() == [7, 7] and minigrad.full((2,), 7).dtype == minigrad.int64
    assert minigrad.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert minigrad.arange(0, 1, 0.25).dtype == minigrad.float32
    assert minigrad.randn(3, 4).shape == (3, 4) and minigrad.rand(2).dtype == minigrad.float32
    x = minigrad.tensor([[1.0, 2.0]])
    assert minigrad.zeros_like(x).tolist() == [[0.0, 0.0]]
    assert minigrad.ones_like(x, dtype=minigrad.float64).dtype == minigrad.float64


def test_manual_seed_makes_random_tensors_reproducible():
    minigrad.manual_seed(42)
    a = minigrad.randn(5)
    minigrad.manual_seed(42)
    assert minigrad.randn(5).tolist() == a.tolist()
    g = minigrad.Generator().manual_seed(3)
    assert minigrad.rand(3, generator=g).tolist() == minigrad.rand(
        3, generator=minigrad.Generator().manual_seed(3)).tolist()


def test_from_numpy_shares_memory():
    a = np.zeros(3, dtype=np.float32)
    t = minigrad.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 5.0


def test_shape_size_dim_and_numel():
    x = minigrad.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and isinstance(x.shape, tuple)
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == 3 == x.ndim and x.numel() == 24 and len(x) == 2
    assert repr(x.shape) == "minigrad.Size([2, 3, 4])"


def test_repr_reads_like_torch():
    assert repr(minigrad.tensor([1.0, 2.5])) == "tensor([1.0000, 2.5000])"
    assert repr(minigrad.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(minigrad.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(minigrad.tensor([1.0], dtype=minigrad.float64)) == \
        "tensor([1.], dtype=minigrad.float64)"
    y = minigrad.tensor([1.0], requires_grad=True) * 2
    assert repr(y) == "tensor([2.], grad_fn=<MulBackward>)"


def test_format_spec_works_on_one_element_tensors():
    loss = minigrad.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235"
    assert f"{minigrad.tensor([3]).sum():>3}" == "  3"


def test_item_tolist_numpy_and_python_conversions():
    x = minigrad.tensor([[1.5, 2.0]])
    assert x[0, 1].item() == 2.0 and float(x[0, 0]) == 1.5
    assert x.tolist() == [[1.5, 2.0]]
    assert isinstance(x.numpy(), np.ndarray)
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        x.item()
    with pytest.raises(RuntimeError, match="detach"):
        minigrad.ones(2, requires_grad=True).numpy()


def test_dtype_conversions_and_type():
    x = minigrad.tensor([1.7, -2.2])
    assert x.double().dtype == minigrad.float64 and x.float().dtype == minigrad.float32
    assert x.long().tolist() == [1, -2]
    assert x.type(minigrad.float64).dtype == minigrad.float64
    assert x.type() == "minigrad.FloatTensor"
    assert (x > 0).type(minigrad.float).sum().item() == 1.0
    assert x.to(minigrad.float64).dtype == minigrad.float64


def test_casting_to_integers_drops_the_graph():
    x = minigrad.tensor([1.5], requires_grad=True)
    assert not x.long().requires_grad
    assert x.double().requires_grad


def test_requires_grad_only_for_floating_point():
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.tensor([1, 2], requires_grad=True)


def test_devices_have_torch_like_names_and_cuda_reports_absence_without_error():
    assert minigrad.zeros(1).device == minigrad.device("cpu")
    assert repr(minigrad.device("cpu")) == "device(type='cpu')"
    assert str(minigrad.device("cuda:0")) == "cuda:0"
    assert isinstance(minigrad.cuda.is_available(), bool)
    if not minigrad.cuda.is_available():
        with pytest.raises(Exception):
            minigrad.zeros(1).to("cuda")


def test_view_reshape_errors_name_the_shape_and_size():
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        minigrad.zeros(2, 3).view(4, 2)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        minigrad.zeros(2, 3).view(-1, -1)


def test_iteration_and_indexing_by_tensors():
    x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert [row.tolist() for row in x] == [[1.0, 2.0], [3.0, 4.0]]
    assert x[minigrad.tensor([1])].tolist() == [[3.0, 4.0]]
    assert x[x > 2].tolist() == [3.0, 4.0]


def test_in_place_helpers_on_plain_tensors():
    x = minigrad.zeros(3)
    x[1] = 5.0
    x.add_(1).mul_(2)
    assert x.tolist() == [2.0, 12.0, 2.0]
    x.zero_()
    assert x.tolist() == [0.0] * 3
    x.fill_(2.0)
    assert x.tolist() == [2.0] * 3


def test_reductions_of_bool_tensors_count_like_torch():
    pred = minigrad.tensor([1, 2, 3])
    correct = (pred == minigrad.tensor([1, 0, 3])).sum()
    assert correct.item() == 2 and correct.dtype == minigrad.int64
    assert (pred == 3).type(minigrad.float).sum().item() == 1.0
    with pytest.raises(RuntimeError, match="floating point"):
        pred.mean()


def test_max_with_dim_is_a_named_pair_like_torch():
    x = minigrad.tensor([[1.0, 9.0], [8.0, 2.0]])
    values, indices = minigrad.max(x, 1)
    out = x.max(dim=1)
    assert out.values.tolist() == values.tolist() == [9.0, 8.0]
    assert out.indices.tolist() == indices.tolist() == [1, 0]
    t = torch.tensor([[1.0, 9.0], [8.0, 2.0]]).max(dim=1)
    assert out.indices.tolist() == t.indices.tolist()


def test_flatten_squeeze_unsqueeze_shapes_match_torch():
    for fn in (lambda t: t.flatten(), lambda t: t.flatten(1), lambda t: t.flatten(0, 1),
               lambda t: t.unsqueeze(-1), lambda t: t.squeeze(1), lambda t: t.squeeze(),
               lambda t: t.permute(2, 0, 1), lambda t: t.transpose(0, -1), lambda t: t.mT):
        assert tuple(fn(minigrad.zeros(2, 1, 3)).shape) == tuple(fn(torch.zeros(2, 1, 3)).shape)


def test_set_flush_denormal_turns_denormals_into_zero_and_back():
    tiny = np.array([1e-40], dtype=np.float32)  # a float32 denormal
    if not minigrad.set_flush_denormal(True):
        pytest.skip("flush-to-zero is only available on x86-64 Linux")
    try:
        assert (tiny * np.float32(1.0)).view(np.uint32)[0] == 0
    finally:
        assert minigrad.set_flush_denormal(False)
    assert (tiny * np.float32(1.0)).view(np.uint32)[0] != 0
