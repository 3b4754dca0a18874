"""What the differential fuzzer found once it drew the ops whose arguments depend on the
input's shape (gather, scatter, take_along_dim, losses, pooling ...): each behaviour stated
against torch (values, gradients and second derivatives in float64, every device)."""
import numpy as np
import pytest
import torch

import minigrad
from parity.opcheck import check_op


def _both(fn):
    """fn(lib) on torch and on minigrad, as NumPy arrays (or the error's type)."""
    out = []
    for lib in (torch, minigrad):
        try:
            got = fn(lib)
            out.append(got.detach().numpy() if hasattr(got, "detach") else got)
        except Exception as e:  # noqa: BLE001 - the error is the outcome
            out.append(type(e))
    return out


def _ix(lib, data, device):
    """An int64 index tensor (on ``device`` for minigrad)."""
    return lib.tensor(data) if lib is torch else lib.tensor(data, device=device)


def _same_value_and_gradient(fn, x, device):
    """fn(lib, x) and the gradient of its weighted sum agree, infinities and NaNs included
    (check_op compares finite values)."""
    got = []
    for lib in (torch, minigrad):
        t = lib.tensor(x, requires_grad=True) if lib is torch else \
            lib.tensor(x, device=device, requires_grad=True)
        y = fn(lib, t)
        w = np.linspace(-1.0, 2.0, y.numel()).reshape(tuple(y.shape))
        g, = lib.autograd.grad((y * lib.tensor(w).to(y.device)).sum(), [t])
        got.append((np.asarray(y.detach().cpu().numpy()), np.asarray(g.cpu().numpy())))
    for a, b in zip(*got):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ indexing along a dim


def test_scatter_keeps_the_last_value_written_where_positions_repeat(device):
    """torch's loop writes src in index order, so the last one stays; they never add up."""
    def fn(lib, x, src):
        return lib.scatter(x, 0, _ix(lib, [[0, 1], [0, 1], [0, 0]], device), src)
    check_op(lambda x, s: fn(minigrad, x, s), lambda x, s: fn(torch, x, s),
             np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
             device=device, order=2)
    th, mg = _both(lambda lib: lib.tensor([127], dtype=lib.uint8).scatter(
        0, lib.tensor([0, 0, 0]), lib.tensor([0, 127, 200], dtype=lib.uint8)))
    assert th.tolist() == mg.tolist() == [200]


def test_gather_and_scatter_treat_a_0d_input_as_one_element(device):
    for fn in (lambda lib, x: lib.gather(x, 0, _ix(lib, 0, device)),
               lambda lib, x: lib.scatter_add(x, -1, _ix(lib, 0, device), x * 3),
               lambda lib, x: lib.scatter(x, 0, _ix(lib, 0, device), x * x),
               lambda lib, x: lib.index_add(x, 0, _ix(lib, [0], device), x * 2)):
        check_op(lambda x: fn(minigrad, x), lambda x: fn(torch, x), np.array(2.5),
                 device=device, order=2)


def test_index_add_refuses_a_source_of_the_wrong_shape_as_torch_does():
    th, mg = _both(lambda lib: lib.tensor(2.5).index_add(0, lib.tensor([0]), lib.tensor([1.0])))
    assert th is mg is RuntimeError


def test_take_along_dim_broadcasts_input_and_indices_in_the_other_dims(device):
    idx = np.array([[[1, 1, 1], [0, 0, 1]]])
    x = np.arange(12.0).reshape(3, 2, 2) - 5
    check_op(lambda x: minigrad.take_along_dim(x, minigrad.tensor(idx, device=device), -1),
             lambda x: torch.take_along_dim(x, torch.tensor(idx), -1), x, device=device, order=2)
    check_op(lambda x: x.take_along_dim(minigrad.tensor([[0], [0]], device=device), -2),
             lambda x: x.take_along_dim(torch.tensor([[0], [0]]), -2),
             np.array([[2.0, -1.0, 2.0]]), device=device, order=2)


# ------------------------------------------------------------------ losses


def test_binary_cross_entropy_gradient_is_torchs_formula_finite_at_0_and_1(device):
    """(x - y) / max(x (1 - x), eps), not the chain rule through the clamped logs (NaN)."""
    def fn(lib, x, y):
        target = lib.tensor(y, dtype=x.dtype).to(x.device)
        return lib.nn.functional.binary_cross_entropy(x, target, reduction="sum")
    y = [0.33, 0.5, 0.2, 1.0]  # (the target's gradient is infinite at x = 0 and 1)
    check_op(lambda x: fn(minigrad, x, y), lambda x: fn(torch, x, y),
             np.array([1.0, 0.0, 0.3, 0.5]), device=device)
    check_op(lambda x, y: minigrad.nn.functional.binary_cross_entropy(x, y, reduction="sum"),
             lambda x, y: torch.nn.functional.binary_cross_entropy(x, y, reduction="sum"),
             np.array([0.9, 0.1, 0.3, 0.5]), np.array(y), device=device, order=2)


def test_binary_cross_entropy_refuses_a_nan_probability_as_torch_does():
    th, mg = _both(lambda lib: lib.nn.functional.binary_cross_entropy(
        lib.tensor([float("nan"), 0.5]), lib.tensor([0.0, 1.0])))
    assert th is mg is RuntimeError


@pytest.mark.parametrize("loss", ["huber_loss", "smooth_l1_loss"])
def test_huber_and_smooth_l1_gradients_are_the_slope_at_an_infinite_difference(device, loss):
    """Beyond delta (beta) the gradient is +-delta (+-1) even for an infinite difference; a
    NaN difference has a NaN gradient, as in torch's kernel."""
    def fn(lib, x):
        target = lib.full(tuple(x.shape), 0.5, dtype=x.dtype)
        return getattr(lib.nn.functional, loss)(x, target.to(x.device), reduction="none")
    _same_value_and_gradient(fn, np.array([-np.inf, 0.25, np.inf, 3.0, np.nan, 1.5, -0.5]),
                             device)
    check_op(lambda x: fn(minigrad, x), lambda x: fn(torch, x), np.array([-2.0, 0.25, 3.0, 0.9]),
             device=device, order=2)


def test_cosine_similarity_broadcasts_before_it_picks_dim(device):
    """x1 (3, 2) and x2 (1, 3, 2) along dim 1: the broadcast shape's dim 1 (size 3)."""
    x1 = np.array([[0.3, -1.0], [1.257, 0.0], [-4.11, 1.57]])
    x2 = np.array([[[1.41, 1.157], [0.9, 0.0], [-1.5, -2.0]]])
    check_op(lambda a, b: minigrad.nn.functional.cosine_similarity(a, b),
             lambda a, b: torch.nn.functional.cosine_similarity(a, b), x1, x2, device=device,
             order=2)
    check_op(lambda a, b: minigrad.nn.functional.cosine_similarity(a, b, dim=-2),
             lambda a, b: torch.nn.functional.cosine_similarity(a, b, dim=-2),
             np.array([[0.3], [np.nan], [0.0]]), np.array([[-0.9]]), device=device)


# ------------------------------------------------------------------ cutting and moving dims


def test_tensor_split_reads_negative_indices_from_the_end(device):
    for points in ([-1, 1, 3], [-1, -3, 4, -9]):
        check_op(lambda x: minigrad.tensor_split(x, points)[0] * 1 + 0,
                 lambda x: torch.tensor_split(x, points)[0] * 1 + 0, np.arange(5.0),
                 device=device)
        th, mg = _both(lambda lib: [tuple(p.shape) for p in lib.arange(5).tensor_split(points)])
        assert th == mg


def test_split_and_chunk_of_an_empty_dim_give_torchs_pieces():
    th, mg = _both(lambda lib: [tuple(p.shape) for p in lib.zeros(0, 2).chunk(3)])
    assert th == mg == [(0, 2)] * 3
    th, mg = _both(lambda lib: [tuple(p.shape) for p in lib.zeros(0).split(3)])
    assert th == mg == [(0,)]


@pytest.mark.parametrize("call", [lambda x: x.chunk(2), lambda x: x.split(1),
                                  lambda x: x.tensor_split(2), lambda x: x.narrow(0, 0, 1),
                                  lambda x: x.unflatten(0, (1,))])
def test_cutting_a_0d_tensor_raises_runtime_error_as_torch_does(call):
    th, mg = _both(lambda lib: call(lib.tensor(1.5)))
    assert th is mg is RuntimeError


def test_movedim_of_a_0d_tensor_returns_it():
    th, mg = _both(lambda lib: lib.movedim(lib.tensor(0.5), [0], (-1,)))
    assert th == mg == 0.5


# ------------------------------------------------------------------ pooling


def test_adaptive_max_pool2d_takes_the_last_nan_of_a_window_as_its_maximum(device):
    """torch's loop replaces the running maximum by every NaN it meets."""
    nan = np.nan
    x = np.array([[[[3.2, nan, 2.0, nan], [1.0, 1.25, 1.02, 0.43], [0.5, -1.0, 1.57, -4.1]]]])

    def fn(lib, x):
        out, idx = lib.nn.functional.adaptive_max_pool2d(x, (4, 1), return_indices=True)
        return out * 1 + idx.to(out.dtype)
    _same_value_and_gradient(fn, x, device)


# ------------------------------------------------------------------ arithmetic, attention


def test_lerp_computes_from_end_when_the_weight_is_at_least_a_half(device):
    """torch's kernel: exact at weight 1, and infinities give NaN where it says."""
    inf, nan = np.inf, np.nan
    a = np.array([[-2.0, inf], [-0.0, -1.0], [1.57, 2.0]])
    b = np.array([[nan, -1.0], [-1.0, 1.1], [-inf, 0.9]])
    for w in (-0.5, 1.0, 0.25):
        _same_value_and_gradient(lambda lib, x: lib.lerp(x, lib.tensor(b).to(x.device), w),
                                 a, device)
    w = np.array([[0.43, 1.03], [1.16, 0.0], [-0.5, 0.3]])
    check_op(lambda x, e, w: minigrad.lerp(x, e, w), lambda x, e, w: torch.lerp(x, e, w),
             np.array([[-2.0, 0.1], [-0.3, -1.0], [1.57, 2.0]]), -b.clip(-2, 2).round(1) + 0.3,
             w, device=device, order=2)


def test_lerp_of_integers_raises_as_torch_does():
    th, mg = _both(lambda lib: lib.tensor([1]).lerp(lib.tensor([2]), 0.5))
    assert th is mg is NotImplementedError


def test_attention_gives_0_to_a_query_that_may_attend_to_no_key(device):
    """torch's _safe_softmax (since 2.5): a fully masked row is 0, its gradients 0."""
    rng = np.random.default_rng(0)
    mask = [[True, False, True, False], [False] * 4]

    def fn(lib, q, k, v):
        m = lib.tensor(mask) if lib is torch else lib.tensor(mask, device=device)
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m)
    check_op(lambda *a: fn(minigrad, *a), lambda *a: fn(torch, *a), rng.standard_normal((2, 3)),
             rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), device=device, order=2)


def test_in_place_index_ops_keep_the_gradient_of_what_they_write_into(device):
    """masked_fill_, scatter_, scatter_add_, index_add_ on a computed tensor: the elements
    they leave pass their gradient on to its history (they were cut off)."""
    def fn(lib, x):
        ix = (lambda d: _ix(lib, d, device))
        y = x * 2
        y.masked_fill_(ix([True, False, False]), 0.0)
        y.scatter_add_(0, ix([2]), x[1:2] * x[1:2])
        y.index_add_(0, ix([1]), x[:1] * 3)
        return y.scatter_(0, ix([0]), x[2:] * 5)
    check_op(lambda x: fn(minigrad, x), lambda x: fn(torch, x), np.array([1.0, 2.0, 3.0]),
             device=device, order=2)


# ------------------------------------------------------------------ misuse: torch's error types

MISUSE = {  # what torch refuses, and how
    "group_norm with one value per group": (ValueError, lambda lib: lib.nn.functional.group_norm(
        lib.tensor([[0.5, 1.0]]), 2)),
    "batch_norm training with eps 0": (ValueError, lambda lib: lib.nn.functional.batch_norm(
        lib.ones(2, 2), lib.zeros(2), lib.ones(2), training=True, eps=0.0)),
    "layer_norm over no dims": (RuntimeError, lambda lib: lib.nn.functional.layer_norm(
        lib.ones(2), [])),
    "pad cropping more than there is": (RuntimeError, lambda lib: lib.nn.functional.pad(
        lib.ones(2, 3), (-2, -2))),
    "prelu of integers": (NotImplementedError, lambda lib: lib.nn.functional.prelu(
        lib.tensor([1, 2]), lib.tensor([1]))),
    "kl_div of integers": (RuntimeError, lambda lib: lib.nn.functional.kl_div(
        lib.tensor([1, 2]), lib.tensor([1.0, 2.0]), reduction="sum")),
    "adaptive_max_pool2d of integers": (NotImplementedError, lambda lib:
                                        lib.nn.functional.adaptive_max_pool2d(
                                            lib.ones(1, 2, 2, dtype=lib.int64), 1)),
    "eye of a negative size": (RuntimeError, lambda lib: lib.eye(2, -1)),
    "meshgrid of a matrix": (RuntimeError, lambda lib: lib.meshgrid(lib.ones(2, 2),
                                                                    indexing="ij")),
    "topk of bools": (RuntimeError, lambda lib: lib.tensor([True]).topk(1)),
    "kthvalue of bools": (NotImplementedError, lambda lib: lib.tensor([True]).kthvalue(1)),
    "kthvalue along an empty dim": (IndexError, lambda lib: lib.ones(2, 0).kthvalue(1)),
    "repeat_interleave with a count per another size": (
        RuntimeError, lambda lib: lib.ones(3).repeat_interleave(lib.tensor([1, 2]), dim=0)),
    "repeat_interleave with a wrong output_size": (
        RuntimeError, lambda lib: lib.ones(2).repeat_interleave(2, output_size=3)),
    "take_along_dim of a 0-d tensor along a dim": (
        IndexError, lambda lib: lib.tensor(1.0).take_along_dim(lib.tensor(0), -1)),
    "index_select of two positions of a 0-d tensor": (
        RuntimeError, lambda lib: lib.tensor(1.0).index_select(0, lib.tensor([0, 3]))),
    "index_add_ at a negative position": (IndexError, lambda lib: lib.tensor([1.0, 2.0])
                                          .index_add_(-1, lib.tensor([-3, 1]),
                                                      lib.tensor([1.0, 2.0]))),
    "masked_select with a mask that does not broadcast": (
        RuntimeError, lambda lib: lib.masked_select(lib.tensor([2, 3]),
                                                    lib.tensor([[True, False, False]]))),
    "binary_cross_entropy of a target above 1": (
        RuntimeError, lambda lib: lib.nn.functional.binary_cross_entropy(
            lib.tensor([0.5]), lib.tensor([2.0]))),
    "batch_norm training on one value per channel, before the stats' sizes": (
        ValueError, lambda lib: lib.nn.functional.batch_norm(
            lib.tensor([2.0]), lib.tensor([-3.0]), lib.tensor([2.0]), training=True)),
    "take_along_dim with int32 indices": (
        RuntimeError, lambda lib: lib.ones(1, 2).take_along_dim(
            lib.tensor([[0]], dtype=lib.int32), -1)),
    "masked_fill_ with a mask wider than self": (
        RuntimeError, lambda lib: lib.ones(2).masked_fill_(lib.tensor([[True, False]]), 0.0)),
    "binary_cross_entropy with a weight wider than the input": (
        RuntimeError, lambda lib: lib.nn.functional.binary_cross_entropy(
            lib.tensor([0.5]), lib.tensor([1.0]), weight=lib.tensor([2.0, 2.0]))),
    "group_norm of a vector": (RuntimeError, lambda lib: lib.nn.functional.group_norm(
        lib.tensor([0.3]), 1)),
    "index_add of a wrong source shape, before its positions": (
        RuntimeError, lambda lib: lib.tensor(2.5).index_add(0, lib.tensor([0, -2, 0]),
                                                            lib.tensor([0.3, -0.9, 0.4]))),
    "conv_transpose2d to a negative size": (
        RuntimeError, lambda lib: lib.nn.functional.conv_transpose2d(
            lib.ones(1, 2, 2, 1), lib.ones(2, 1, 3, 1), padding=1)),
    "attention of a 0-d query": (
        RuntimeError, lambda lib: lib.nn.functional.scaled_dot_product_attention(
            lib.tensor(1.0), lib.ones(2, 3), lib.ones(2, 3))),
    "batch_norm of integers": (NotImplementedError, lambda lib: lib.nn.functional.batch_norm(
        lib.tensor([[0], [2]], dtype=lib.int32), lib.tensor([-2], dtype=lib.int32),
        lib.tensor([3], dtype=lib.int32))),
    "masked_select with a uint8 mask": (
        RuntimeError, lambda lib: lib.masked_select(lib.tensor([2, 3]),
                                                    lib.tensor([1, 0], dtype=lib.uint8))),
}


@pytest.mark.parametrize("case", sorted(MISUSE))
def test_misuse_found_by_the_fuzzer_raises_torchs_error_type(case):
    error, call = MISUSE[case]
    th, mg = _both(call)
    assert th is error and mg is error, (th, mg)


ACCEPTED = ["negative indices", "0-d unfold", "scatter add of a number", "unflatten an empty",
            "topk 0 of a 0-d tensor", "masked_fill with a wider mask"]


@pytest.mark.parametrize("case", ACCEPTED)
def test_calls_torch_accepts_that_minigrad_refused(case):
    call = {"unflatten an empty": lambda lib: lib.zeros(0, 1, 2).unflatten(1, (1, -1)),
            "topk 0 of a 0-d tensor": lambda lib: lib.topk(lib.tensor(2.0), 0, dim=0)[0],
            "masked_fill with a wider mask": lambda lib: lib.masked_fill(
                lib.tensor(2.5), lib.tensor([False]), 0.0),
            "negative indices": lambda lib: lib.tensor([[2, -3], [0, -2]]).take_along_dim(
                lib.tensor([[-1, 0], [0, 0]]), 1),
            "0-d unfold": lambda lib: lib.tensor(1.0).unfold(0, 1, 1),
            "scatter add of a number": lambda lib: lib.scatter(
                lib.ones(2, 2), 0, lib.tensor([[1, 1]]), value=2.0, reduce="add")}[case]
    th, mg = _both(call)
    np.testing.assert_array_equal(mg, th)
    assert mg.shape == th.shape


def test_embedding_rows_of_width_0_have_a_gradient(device):
    _same_value_and_gradient(lambda lib, w: lib.nn.functional.embedding(
        _ix(lib, [0, 1], device), w, padding_idx=-1), np.zeros((4, 0)), device)


def test_attention_masks_replace_the_scores_they_hide(device):
    """A NaN score at a position the causal (or boolean) mask hides does not reach the
    query's row: torch fills hidden scores with -inf, it does not add -inf to them."""
    nan = np.nan
    k = np.array([[[[1.25], [0.38], [2.5]], [[-0.0], [nan], [0.5]]]])

    def fn(lib, v):
        q = lib.tensor([[[[2.5], [-1.71], [2.5]], [[-2.14], [-3.65], [-2.14]]]],
                       dtype=v.dtype).to(v.device)
        return lib.nn.functional.scaled_dot_product_attention(
            q, lib.tensor(k).to(v.device), v, is_causal=True, scale=2.0)
    _same_value_and_gradient(fn, np.array([[[[nan], [-1.0], [2.85]], [[1.0], [0.34], [1.25]]]]),
                             device)
    th, mg = _both(lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(2, 0), lib.ones(1, 0), lib.tensor([[0.34, -1.0]]), is_causal=True))
    np.testing.assert_allclose(mg, th)  # (no features: scores 0, whatever the scale)


def test_pooling_and_cosine_similarity_of_integers_follow_torchs_kernels():
    th, mg = _both(lambda lib: lib.nn.functional.avg_pool2d(
        lib.tensor([[[[1, 2], [3, 7]]], [[[-1, -2], [-3, -7]]]]), 2))
    assert mg.dtype == th.dtype == np.int64 and mg.tolist() == th.tolist()
    for call in (lambda lib: lib.nn.functional.avg_pool2d(lib.ones(1, 2, 2, dtype=lib.uint8), 2),
                 lambda lib: lib.nn.functional.adaptive_avg_pool2d(
                     lib.ones(1, 1, 2, 2, dtype=lib.int64), 1),
                 lambda lib: lib.nn.functional.cosine_similarity(
                     lib.tensor([[1, 2]], dtype=lib.uint8), lib.tensor([1, 3], dtype=lib.uint8))):
        th, mg = _both(call)
        assert issubclass(th, RuntimeError) and issubclass(mg, RuntimeError), (th, mg)
    th, mg = _both(lambda lib: lib.tensor(True).kthvalue(1)[0])  # (a 0-d bool passes)
    assert th == mg


def test_pad_by_nothing_returns_a_new_tensor():
    """As torch's: hooks and retain_grad on the input and on the result are two tensors'."""
    x = minigrad.ones(2, 3, requires_grad=True)
    y = minigrad.nn.functional.pad(x, (0, 0), mode="reflect")
    assert y is not x and not y.is_leaf


def test_cosine_similarity_clamps_the_norms_value_not_its_gradient(device):
    """Below eps the norm's value is eps, but its gradient is still the norm's (torch clamps
    in place under no_grad, out of autograd's sight): the gradient was wrong there."""
    check_op(lambda a, b: minigrad.nn.functional.cosine_similarity(a, b, dim=-1, eps=0.5),
             lambda a, b: torch.nn.functional.cosine_similarity(a, b, dim=-1, eps=0.5),
             np.array([[0.3857], [-1.0]]), np.array([[-2.14], [-2.0]]), device=device, order=2)


def test_movedim_and_unflatten_refuse_what_torch_refuses():
    for call in (lambda lib: lib.tensor(-3.6).moveaxis([-1, -1], (-1, -1)),
                 lambda lib: lib.ones(2, 2).unflatten(2, ()),
                 lambda lib: lib.zeros(0, 2)[:, :0].unflatten(-2, (4,))):
        th, mg = _both(call)
        assert th is mg is RuntimeError


def test_group_norm_of_an_empty_batch_is_empty():
    th, mg = _both(lambda lib: lib.nn.functional.group_norm(lib.zeros(0, 2), 1))
    assert th.shape == mg.shape == (0, 2)
