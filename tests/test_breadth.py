"""The torch names a new user reaches for first (diff, kron, tensordot, torch.linalg,
torch.special, F.unfold ...): values, gradients and second derivatives against torch in
float64 on every device; the counting ops' integers; the in-place samplers' ranges; and the
same errors as torch on bad input."""
import numpy as np
import pytest
import torch

import minigrad
from parity.opcheck import check_op

RNG = np.random.default_rng(7)


def data(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape)


def well_conditioned(*shape):
    """Square matrices with a strong diagonal (invertible, modest condition number)."""
    return data(*shape) + 4 * np.eye(shape[-1])


def L(lib):
    """torch.nn.functional or minigrad.nn.functional, beside the library itself."""
    return lib.nn.functional


# name: (call(lib, *tensors), inputs). Every op here is differentiable: its values, gradients
# and second derivatives must match torch's.
DIFFERENTIABLE = {
    "diff": (lambda lib, x: lib.diff(x), [data(3, 4)]),
    "diff n=2 dim=0 prepend append": (
        lambda lib, x, p: lib.diff(x, n=2, dim=0, prepend=p, append=p), [data(3, 4), data(1, 4)]),
    "Tensor.diff": (lambda lib, x: x.diff(dim=0), [data(4, 2)]),
    "kron matrices": (lambda lib, a, b: lib.kron(a, b), [data(2, 3), data(3, 2)]),
    "kron vector and matrix": (lambda lib, a, b: a.kron(b), [data(3), data(2, 2)]),
    "tensordot dims=1": (lambda lib, a, b: lib.tensordot(a, b, 1), [data(2, 3), data(3, 4)]),
    "tensordot dims=2": (lambda lib, a, b: lib.tensordot(a, b), [data(2, 3, 4), data(3, 4, 2)]),
    "tensordot dim lists": (lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [1, 0])),
                            [data(2, 3, 4), data(4, 2, 5)]),
    "block_diag": (lambda lib, a, b, c: lib.block_diag(a, b, c), [data(2, 3), data(3), data(1, 1)]),
    "cartesian_prod": (lambda lib, a, b: lib.cartesian_prod(a, b), [data(3), data(2)]),
    "atleast_1d": (lambda lib, x: lib.atleast_1d(x.sum()), [data(3)]),
    "atleast_2d": (lambda lib, x: lib.atleast_2d(x), [data(3)]),
    "atleast_3d": (lambda lib, x, y: lib.atleast_3d(x, y), [data(3), data(2, 3)]),
    "rot90 k=1": (lambda lib, x: lib.rot90(x), [data(2, 3, 2)]),
    "rot90 k=-1 dims=(2, 0)": (lambda lib, x: x.rot90(-1, [2, 0]), [data(2, 3, 2)]),
    "rot90 k=2": (lambda lib, x: lib.rot90(x, 2, (0, 1)), [data(2, 3)]),
    "logit": (lambda lib, x: lib.logit(x), [data(3, 4, low=0.05, high=0.95)]),
    "logit eps": (lambda lib, x: x.logit(eps=0.2), [data(3, 4, low=0.05, high=0.95)]),
    "clamp_min": (lambda lib, x: lib.clamp_min(x, 0.3), [data(3, 4)]),
    "clamp_max tensor bound": (lambda lib, x, m: x.clamp_max(m), [data(3, 4), data(4)]),
    "xlogy": (lambda lib, x, y: lib.xlogy(x, y), [data(3, 4), data(4, low=0.1, high=3.0)]),
    "xlogy x=0": (lambda lib, y: lib.xlogy(y * 0, y),
                  [data(3, low=0.1, high=3.0)]),
    "trace": (lambda lib, x: lib.trace(x), [data(3, 4)]),
    "cdist p=2": (lambda lib, a, b: lib.cdist(a, b), [data(2, 3, 4), data(2, 5, 4)]),
    "cdist p=1": (lambda lib, a, b: lib.cdist(a, b, p=1), [data(3, 2), data(4, 2)]),
    "cdist p=3": (lambda lib, a, b: lib.cdist(a, b, p=3.0), [data(3, 2), data(4, 2)]),
    "linalg.inv": (lambda lib, a: lib.linalg.inv(a), [well_conditioned(2, 3, 3)]),
    "linalg.det": (lambda lib, a: lib.linalg.det(a), [well_conditioned(2, 3, 3)]),
    "linalg.solve matrix": (lambda lib, a, b: lib.linalg.solve(a, b),
                            [well_conditioned(3, 3), data(3, 2)]),
    "linalg.solve batch of vectors": (lambda lib, a, b: lib.linalg.solve(a, b),
                                      [well_conditioned(2, 3, 3), data(2, 3)]),
    "linalg.solve broadcast": (lambda lib, a, b: lib.linalg.solve(a, b),
                               [well_conditioned(3, 3), data(2, 3, 2)]),
    "linalg.solve left=False": (lambda lib, a, b: lib.linalg.solve(a, b, left=False),
                                [well_conditioned(3, 3), data(2, 3)]),
    "linalg.vector_norm": (lambda lib, x: lib.linalg.vector_norm(x), [data(3, 4)]),
    "linalg.vector_norm ord=3 dim": (lambda lib, x: lib.linalg.vector_norm(x, 3, dim=(0, 2)),
                                     [data(2, 3, 4)]),
    "linalg.vector_norm ord=inf": (lambda lib, x: lib.linalg.vector_norm(x, float("inf"), -1),
                                   [data(3, 4)]),
    "linalg.matrix_norm fro": (lambda lib, x: lib.linalg.matrix_norm(x), [data(2, 3, 4)]),
    "linalg.matrix_norm 1": (lambda lib, x: lib.linalg.matrix_norm(x, 1), [data(2, 3, 4)]),
    "linalg.matrix_norm -1 keepdim": (lambda lib, x: lib.linalg.matrix_norm(x, -1, keepdim=True),
                                      [data(2, 3, 4)]),
    "linalg.matrix_norm inf dim": (lambda lib, x: lib.linalg.matrix_norm(x, float("inf"), (0, 2)),
                                   [data(2, 3, 4)]),
    "linalg.matrix_norm -inf": (lambda lib, x: lib.linalg.matrix_norm(x, -float("inf")),
                                [data(3, 4)]),
    "linalg.norm all": (lambda lib, x: lib.linalg.norm(x), [data(2, 3, 4)]),
    "linalg.norm vector ord=1": (lambda lib, x: lib.linalg.norm(x, 1), [data(5)]),
    "linalg.norm matrix ord=inf": (lambda lib, x: lib.linalg.norm(x, float("inf")), [data(3, 4)]),
    "linalg.norm dim int": (lambda lib, x: lib.linalg.norm(x, dim=1, keepdim=True), [data(3, 4)]),
    "special.expit": (lambda lib, x: lib.special.expit(x), [data(3, 4)]),
    "special.logit": (lambda lib, x: lib.special.logit(x, eps=0.1), [data(3, low=0.05, high=0.95)]),
    "special.erf": (lambda lib, x: lib.special.erf(x), [data(3, 4)]),
    "special.erfc": (lambda lib, x: lib.special.erfc(x), [data(3, 4)]),
    "erfinv": (lambda lib, x: lib.erfinv(x), [data(3, 4, low=-0.95, high=0.95)]),
    "special.erfinv": (lambda lib, x: lib.special.erfinv(x), [data(5, low=-0.99, high=0.99)]),
    "special.softmax": (lambda lib, x: lib.special.softmax(x, 1), [data(3, 4)]),
    "special.log_softmax": (lambda lib, x: lib.special.log_softmax(x, 0), [data(3, 4)]),
    "special.xlogy": (lambda lib, x, y: lib.special.xlogy(x, y),
                      [data(3), data(3, low=0.1, high=3.0)]),
    "F.pairwise_distance": (lambda lib, a, b: L(lib).pairwise_distance(a, b),
                            [data(3, 4), data(3, 4)]),
    "F.pairwise_distance p=1 keepdim": (
        lambda lib, a, b: L(lib).pairwise_distance(a, b, p=1.0, keepdim=True),
        [data(3, 4), data(4)]),
    "F.pairwise_distance vectors": (lambda lib, a, b: L(lib).pairwise_distance(a, b),
                                    [data(4), data(4)]),
    "F.pixel_shuffle": (lambda lib, x: L(lib).pixel_shuffle(x, 2), [data(2, 8, 3, 2)]),
    "F.pixel_shuffle unbatched": (lambda lib, x: L(lib).pixel_shuffle(x, 3), [data(9, 2, 1)]),
    "F.pixel_unshuffle": (lambda lib, x: L(lib).pixel_unshuffle(x, 2), [data(1, 2, 3, 4, 6)]),
    "F.unfold": (lambda lib, x: L(lib).unfold(x, 2), [data(2, 3, 4, 5)]),
    "F.unfold dilation padding stride": (
        lambda lib, x: L(lib).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
        [data(2, 3, 5, 6)]),
    "F.unfold unbatched": (lambda lib, x: L(lib).unfold(x, 3, stride=2), [data(2, 5, 5)]),
    "F.fold": (lambda lib, x: L(lib).fold(x, (4, 5), 2), [data(2, 12, 12)]),
    "F.fold dilation padding stride": (
        lambda lib, x: L(lib).fold(x, (5, 6), (2, 3), padding=1, stride=2), [data(2, 18, 9)]),
    "F.fold unbatched dilation": (lambda lib, x: L(lib).fold(x, 4, 2, dilation=2), [data(8, 4)]),
    "nn.Unflatten": (lambda lib, x: lib.nn.Unflatten(1, (2, 3))(x), [data(4, 6)]),
    "nn.Softmax2d": (lambda lib, x: lib.nn.Softmax2d()(x), [data(2, 3, 2, 2)]),
    "nn.PixelShuffle": (lambda lib, x: lib.nn.PixelShuffle(2)(x), [data(1, 4, 2, 3)]),
    "nn.PixelUnshuffle": (lambda lib, x: lib.nn.PixelUnshuffle(2)(x), [data(1, 1, 4, 2)]),
    "nn.Unfold": (lambda lib, x: lib.nn.Unfold(2, padding=1)(x), [data(1, 2, 3, 3)]),
    "nn.Fold": (lambda lib, x: lib.nn.Fold((3, 3), 2)(x), [data(1, 8, 4)]),
    "nn.PairwiseDistance": (lambda lib, a, b: lib.nn.PairwiseDistance(p=3.0)(a, b),
                            [data(2, 4), data(2, 4)]),
}




def torch_cdist_by_norms(lib, a, b, p=2.0):
    """torch.cdist has no second derivative ('_cdist_backward' is not differentiable): the
    same distances as torch's vector norms of the differences, which have one."""
    if lib is torch:
        return torch.linalg.vector_norm(a.unsqueeze(-2) - b.unsqueeze(-3), p, dim=-1)
    return lib.cdist(a, b, p=p)


DIFFERENTIABLE.update({
    "cdist p=2 second derivative": (torch_cdist_by_norms, [data(2, 3, 4), data(2, 5, 4)]),
    "cdist p=3 second derivative": (lambda lib, a, b: torch_cdist_by_norms(lib, a, b, 3.0),
                                    [data(3, 2), data(4, 2)]),
})
FIRST_ORDER_ONLY = ("cdist p=2", "cdist p=1", "cdist p=3")


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_op_values_gradients_and_second_derivatives_match_torch(name, device):
    call, inputs = DIFFERENTIABLE[name]
    check_op(lambda *t: call(minigrad, *t), lambda *t: call(torch, *t), *inputs, device=device,
             name=name, order=1 if name in FIRST_ORDER_ONLY else 2)


def test_erfinv_matches_torch_across_its_domain_edges_and_outside():
    x = np.concatenate([np.linspace(-0.999999, 0.999999, 2001), [1.0, -1.0, 1.5, -2.0, 0.0]])
    got, expected = minigrad.tensor(x).erfinv().numpy(), torch.tensor(x).erfinv().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)  # (inf and nan included)
    assert minigrad.erfinv(minigrad.tensor([0, 1])).dtype is minigrad.float32


def test_xlogy_and_logit_gradients_at_their_edges_are_torchs():
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor([0.0, 0.0, 0.0, 2.0, 1.0], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([0.3, 0.0, -1.0, float("nan"), 0.0], dtype=lib.float64, requires_grad=True)
        p = lib.tensor([-1.5, 0.0, 1.0, 2.0, 0.05], dtype=lib.float64, requires_grad=True)
        out = lib.xlogy(x, y).sum() + lib.logit(p).sum() + lib.logit(p, eps=0.1).sum()
        out.backward()
        results.append([t.numpy() for t in (x.grad, y.grad, p.grad)])
    for got, expected in zip(*results):
        np.testing.assert_array_equal(got, expected)


def test_fold_is_unfolds_adjoint_so_fold_of_unfold_counts_each_pixels_blocks():
    x = minigrad.ones(1, 1, 4, 5)
    counts = minigrad.nn.functional.fold(minigrad.nn.functional.unfold(x, 2), (4, 5), 2)
    expected = torch.nn.functional.fold(torch.nn.functional.unfold(torch.ones(1, 1, 4, 5), 2),
                                        (4, 5), 2)
    assert np.array_equal(counts.numpy(), expected.numpy())
    assert counts[0, 0, 1, 1].item() == 4 and counts[0, 0, 0, 0].item() == 1


def test_pixel_unshuffle_undoes_pixel_shuffle():
    x = minigrad.randn(2, 8, 3, 5)
    F = minigrad.nn.functional
    assert minigrad.equal(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2), x)


# ------------------------------------------------------------ not differentiable: integers
COUNTING = {
    "bincount": lambda lib: lib.bincount(lib.tensor([1, 3, 3, 0, 7])),
    "bincount minlength": lambda lib: lib.bincount(lib.tensor([1, 3, 3]), minlength=6),
    "bincount float32 weights": lambda lib: lib.tensor([1, 3, 3, 0]).bincount(
        weights=lib.tensor([0.5, 1.0, 2.0, 3.0])),
    "bincount int weights give float64": lambda lib: lib.bincount(
        lib.tensor([1, 3, 3]), weights=lib.tensor([1, 2, 3], dtype=lib.int32)),
    "bincount empty": lambda lib: lib.bincount(lib.tensor([], dtype=lib.int64)),
    "histc range": lambda lib: lib.histc(lib.tensor([1.0, 2, 1, 4, 9, -1]), bins=4, min=0, max=4),
    "histc data range float64": lambda lib: lib.tensor(
        [1.0, 2, 1, 4, 9, -1], dtype=lib.float64).histc(bins=5),
    "histc single value": lambda lib: lib.histc(lib.tensor([1.0, 1.0]), bins=3),
    "searchsorted": lambda lib: lib.searchsorted(lib.tensor([1, 3, 5, 7, 9]),
                                                 lib.tensor([[3, 6, 9], [0, 5, 10]])),
    "searchsorted rows right": lambda lib: lib.searchsorted(
        lib.tensor([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]]), lib.tensor([[3, 6, 9], [2, 6, 10]]),
        right=True),
    "searchsorted side right int32": lambda lib: lib.searchsorted(
        lib.tensor([1.0, 3, 5]), lib.tensor([3.0, 4]), side="right", out_int32=True),
    "searchsorted scalar": lambda lib: lib.searchsorted(lib.tensor([1, 3, 5, 7, 9]), 5),
    "searchsorted sorter": lambda lib: lib.searchsorted(
        lib.tensor([5, 1, 9, 3, 7]), lib.tensor([3, 6, 9]), sorter=lib.tensor([1, 3, 0, 4, 2])),
    "bucketize": lambda lib: lib.bucketize(lib.tensor([[3, 6, 9], [1, 5, 10]]),
                                           lib.tensor([1, 3, 5, 7, 9])),
    "bucketize right": lambda lib: lib.bucketize(lib.tensor([3.0, 6, 9]),
                                                 lib.tensor([1.0, 3, 5, 7, 9]), right=True),
}


@pytest.mark.parametrize("name", list(COUNTING))
def test_counting_ops_match_torch_values_and_dtype(name, device):
    call = COUNTING[name]
    minigrad.set_default_device(device)
    try:
        out = call(minigrad)
    finally:
        minigrad.set_default_device(None)
    expected = call(torch)
    assert str(out.device) == str(minigrad.device(device))
    assert out.dtype.name == str(expected.dtype).split(".")[-1]
    assert not out.requires_grad
    assert np.array_equal(out.numpy(), expected.numpy())


def test_histc_of_a_tensor_that_requires_grad_has_no_gradient_as_torch():
    x = minigrad.tensor([0.1, 0.5, 0.9], requires_grad=True)
    assert not minigrad.histc(x, bins=2, min=0, max=1).requires_grad


# ------------------------------------------------------------ in place, random, sizes
def test_fill_diagonal_matches_torch_square_cube_tall_and_wrapped():
    for shape, wrap in (((3, 3), False), ((2, 2, 2), False), ((7, 3), False), ((7, 3), True),
                        ((3, 5), True)):
        m = minigrad.ones(*shape).fill_diagonal_(0.5, wrap=wrap)
        t = torch.ones(*shape).fill_diagonal_(0.5, wrap=wrap)
        assert np.array_equal(m.numpy(), t.numpy()), (shape, wrap)


def test_fill_diagonal_blocks_the_gradient_on_the_diagonal_as_torch():
    x = minigrad.ones(3, 3, requires_grad=True)
    (x * 2).fill_diagonal_(0).sum().backward()
    xt = torch.ones(3, 3, requires_grad=True)
    (xt * 2).fill_diagonal_(0).sum().backward()
    assert np.array_equal(x.grad.numpy(), xt.grad.numpy())


def test_random_in_place_samplers_stay_in_torchs_ranges_and_dtypes():
    minigrad.manual_seed(1)
    x = minigrad.empty(2000).random_(3, 7)
    assert set(np.unique(x.numpy())) == {3.0, 4.0, 5.0, 6.0}
    assert set(np.unique(minigrad.empty(500, dtype=minigrad.int64).random_(4).numpy())) == \
        {0, 1, 2, 3}
    assert set(np.unique(minigrad.zeros(500).random_(0, to=2).numpy())) == {0.0, 1.0}
    big = minigrad.empty(1000).random_()  # float32: [0, 2^24]
    assert big.min().item() >= 0 and big.max().item() <= 2 ** 24 and big.max().item() > 2 ** 20
    assert minigrad.empty(100, dtype=minigrad.int32).random_().min().item() >= 0
    b = minigrad.empty(4000, dtype=minigrad.float64).bernoulli_(0.25)
    assert set(np.unique(b.numpy())) == {0.0, 1.0} and abs(b.mean().item() - 0.25) < 0.05
    assert np.array_equal(minigrad.empty(4).bernoulli_(minigrad.tensor([0.0, 1, 1, 0])).numpy(),
                          [0, 1, 1, 0])
    e = minigrad.empty(4000, dtype=minigrad.float64).exponential_(2.0)
    assert e.min().item() > 0 and abs(e.mean().item() - 0.5) < 0.05


def test_manual_seed_makes_random_fills_repeat_and_initial_seed_reports_it():
    minigrad.manual_seed(123)
    assert minigrad.initial_seed() == 123
    first = minigrad.empty(5).exponential_()
    minigrad.manual_seed(123)
    assert minigrad.equal(minigrad.empty(5).exponential_(), first)
    s = minigrad.seed()
    assert isinstance(s, int) and minigrad.initial_seed() == s


def test_element_size_itemsize_and_nbytes_as_torch():
    for dtype in ("float16", "float32", "float64", "int32", "int64", "uint8", "bool"):
        m = minigrad.zeros(2, 3, dtype=getattr(minigrad, dtype if dtype != "bool" else "bool"))
        t = torch.zeros(2, 3, dtype=getattr(torch, dtype))
        assert (m.element_size(), m.itemsize, m.nbytes) == (t.element_size(), t.itemsize,
                                                            t.nbytes), dtype


def test_gumbel_softmax_soft_is_a_distribution_and_hard_is_its_one_hot_with_its_gradient():
    F = minigrad.nn.functional
    logits = minigrad.randn(4, 5, dtype=minigrad.float64, requires_grad=True)
    minigrad.manual_seed(3)
    soft = F.gumbel_softmax(logits, tau=0.5)
    minigrad.manual_seed(3)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert np.allclose(soft.sum(-1).numpy(force=True), 1.0)
    one_hot = np.eye(5)[soft.detach().numpy().argmax(-1)]
    assert np.array_equal(hard.detach().numpy(), one_hot)
    w = minigrad.randn(4, 5, dtype=minigrad.float64)
    g_soft, = minigrad.autograd.grad((soft * w).sum(), logits)
    g_hard, = minigrad.autograd.grad((hard * w).sum(), logits)
    assert np.allclose(g_soft.numpy(), g_hard.numpy(), rtol=1e-12)  # straight-through


def test_legacy_variable_is_a_new_leaf_sharing_the_data():
    x = minigrad.ones(2)
    v = minigrad.autograd.Variable(x, requires_grad=True)
    assert v is not x and v.requires_grad and v.is_leaf
    assert not minigrad.autograd.Variable(x).requires_grad
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]


def test_backends_answer_as_on_a_machine_without_mps_and_take_cudnn_flags():
    assert minigrad.backends.mps.is_available() is False
    minigrad.backends.cudnn.benchmark = True
    minigrad.backends.cudnn.deterministic = True
    assert minigrad.backends.cudnn.benchmark and minigrad.backends.cudnn.deterministic
    minigrad.backends.cudnn.benchmark = minigrad.backends.cudnn.deterministic = False


def test_new_modules_print_as_torchs():
    for make in (lambda nn: nn.Unfold(2, padding=1), lambda nn: nn.Fold((3, 3), 2, stride=1),
                 lambda nn: nn.PixelShuffle(2), lambda nn: nn.PixelUnshuffle(3),
                 lambda nn: nn.Unflatten(1, (2, 3)), lambda nn: nn.PairwiseDistance(),
                 lambda nn: nn.Softmax2d()):
        assert repr(make(minigrad.nn)) == repr(make(torch.nn))


def test_linalg_solve_and_inv_refuse_a_singular_matrix_with_runtime_error():
    with pytest.raises(RuntimeError, match="linalg.inv"):
        minigrad.linalg.inv(minigrad.ones(2, 2, dtype=minigrad.float64))
    with pytest.raises(RuntimeError, match="linalg.solve"):
        minigrad.linalg.solve(minigrad.ones(2, 2), minigrad.ones(2))


def test_matrix_norm_refuses_singular_value_orders_clearly():
    with pytest.raises(NotImplementedError, match="singular values"):
        minigrad.linalg.matrix_norm(minigrad.ones(2, 2), "nuc")


# ------------------------------------------------------------ errors, as torch's
MISUSE = {
    "diff of a 0-d tensor": lambda lib: lib.diff(lib.tensor(1.0)),
    "diff negative order": lambda lib: lib.diff(lib.ones(3), n=-1),
    "rot90 of a vector": lambda lib: lib.rot90(lib.ones(3)),
    "rot90 same dims": lambda lib: lib.rot90(lib.ones(3, 3), dims=[0, 0]),
    "rot90 one dim": lambda lib: lib.rot90(lib.ones(3, 3), dims=[0]),
    "trace of a vector": lambda lib: lib.trace(lib.ones(3)),
    "block_diag of 3-d": lambda lib: lib.block_diag(lib.ones(2), lib.ones(2, 2, 2)),
    "cartesian_prod of a matrix": lambda lib: lib.cartesian_prod(lib.ones(2, 2)),
    "tensordot sizes": lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 3), dims=1),
    "tensordot dim lists sizes": lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 3),
                                                           dims=([0], [1])),
    "tensordot list lengths": lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 3),
                                                        dims=([0], [1, 0])),
    "tensordot negative dims": lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3), dims=-1),
    "cdist of a vector": lambda lib: lib.cdist(lib.ones(2), lib.ones(2, 3)),
    "cdist columns": lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(2, 4)),
    "cdist negative p": lambda lib: lib.cdist(lib.ones(2, 3), lib.ones(2, 3), p=-1),
    "cdist integers": lambda lib: lib.cdist(lib.ones(2, 3, dtype=lib.int64), lib.ones(2, 3)),
    "bincount negative": lambda lib: lib.bincount(lib.tensor([-1, 2])),
    "bincount 2-d": lambda lib: lib.bincount(lib.ones(2, 2, dtype=lib.int64)),
    "bincount floats": lambda lib: lib.bincount(lib.ones(2)),
    "bincount weights length": lambda lib: lib.bincount(lib.tensor([1, 2]),
                                                        weights=lib.ones(3)),
    "histc integers": lambda lib: lib.histc(lib.tensor([1, 2])),
    "histc max below min": lambda lib: lib.histc(lib.ones(3), min=2, max=1),
    "histc zero bins": lambda lib: lib.histc(lib.ones(3), bins=0),
    "searchsorted leading dims": lambda lib: lib.searchsorted(lib.ones(2, 3), lib.ones(3)),
    "searchsorted side": lambda lib: lib.searchsorted(lib.ones(3), lib.ones(3), side="middle"),
    "searchsorted side against right": lambda lib: lib.searchsorted(
        lib.ones(3), lib.ones(3), side="left", right=True),
    "bucketize 2-d boundaries": lambda lib: lib.bucketize(lib.ones(3), lib.ones(2, 2)),
    "random_ from >= to": lambda lib: lib.ones(3).random_(5, 2),
    "random_ negative to": lambda lib: lib.ones(3).random_(-5),
    "random_ beyond uint8": lambda lib: lib.ones(3, dtype=lib.uint8).random_(0, 300),
    "random_ on a leaf that requires grad": lambda lib: lib.ones(3, requires_grad=True).random_(),
    "exponential_ lambda 0": lambda lib: lib.ones(3).exponential_(0),
    "bernoulli_ p above 1": lambda lib: lib.ones(3).bernoulli_(1.5),
    "bernoulli_ tensor p above 1": lambda lib: lib.ones(3).bernoulli_(lib.tensor([0.5, 2, 0.1])),
    "fill_diagonal_ of a vector": lambda lib: lib.ones(3).fill_diagonal_(1),
    "fill_diagonal_ unequal dims": lambda lib: lib.ones(3, 3, 2).fill_diagonal_(1),
    "linalg.inv not square": lambda lib: lib.linalg.inv(lib.ones(2, 3)),
    "linalg.inv integers": lambda lib: lib.linalg.inv(lib.ones(2, 2, dtype=lib.int64)),
    "linalg.det not square": lambda lib: lib.linalg.det(lib.ones(2, 3)),
    "linalg.det vector": lambda lib: lib.linalg.det(lib.ones(2)),
    "linalg.solve not square": lambda lib: lib.linalg.solve(lib.ones(2, 3), lib.ones(2)),
    "linalg.solve shapes": lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(3)),
    "linalg.solve dtypes": lambda lib: lib.linalg.solve(lib.eye(2, dtype=lib.float64),
                                                        lib.ones(2)),
    "linalg.matrix_norm vector": lambda lib: lib.linalg.matrix_norm(lib.ones(2)),
    "linalg.matrix_norm order 3": lambda lib: lib.linalg.matrix_norm(lib.ones(2, 2), ord=3),
    "linalg.matrix_norm integers": lambda lib: lib.linalg.matrix_norm(
        lib.ones(2, 2, dtype=lib.int64)),
    "linalg.norm ord of 3-d": lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), ord=1),
    "linalg.vector_norm integers": lambda lib: lib.linalg.vector_norm(
        lib.ones(2, dtype=lib.int64)),
    "pixel_shuffle 2-d": lambda lib: L(lib).pixel_shuffle(lib.ones(3, 3), 2),
    "pixel_shuffle channels": lambda lib: L(lib).pixel_shuffle(lib.ones(5, 3, 3), 2),
    "pixel_unshuffle height": lambda lib: L(lib).pixel_unshuffle(lib.ones(5, 3, 4), 2),
    "pixel_unshuffle width": lambda lib: L(lib).pixel_unshuffle(lib.ones(5, 4, 3), 2),
    "unfold kernel too big": lambda lib: L(lib).unfold(lib.ones(1, 1, 3, 3), 4),
    "fold channels": lambda lib: L(lib).fold(lib.ones(1, 5, 4), (3, 3), 2),
    "fold blocks": lambda lib: L(lib).fold(lib.ones(1, 4, 5), (3, 3), 2),
    "Softmax2d of 2-d": lambda lib: lib.nn.Softmax2d()(lib.ones(3, 3)),
}


@pytest.mark.parametrize("name", list(MISUSE))
def test_misuse_raises_torchs_error_type_and_message(name):
    call = MISUSE[name]
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(Exception) as got:
        call(minigrad)
    assert isinstance(got.value, type(expected.value).__mro__[0 if type(expected.value).__module__
                      == "builtins" else 1]), (got.value, expected.value)
    assert str(got.value) == str(expected.value)


def test_histc_checks_the_dtype_first_and_takes_0d_tensor_bounds_as_numbers():
    """(found by the fuzzer after the merge) torch converts a 0-d bound to its number."""
    for lib in (torch, minigrad):
        with pytest.raises(NotImplementedError, match="histogram_cpu"):
            lib.tensor(0).histc(max=lib.tensor(0))
        with pytest.raises(TypeError, match="argument 'max' must be Number, not Tensor"):
            lib.tensor([1.0]).histc(max=lib.tensor([2.0]))
    ref = torch.tensor([1.0, 1.5]).histc(bins=4, max=torch.tensor(2.0))
    got = minigrad.tensor([1.0, 1.5]).histc(bins=4, max=minigrad.tensor(2.0))
    assert got.tolist() == ref.tolist()


# ---------------------------------------- the same names on shapes hypothesis draws

def _drawn(strategy, device, call, order=2):
    """check_op of ``call(minigrad, *tensors, *args)`` against ``call(torch, ...)`` (float64,
    to ``order``) on a few inputs drawn by ``strategy``, which gives (tensors, args)."""
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=6, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(drawn):
        tensors, args = drawn
        check_op(lambda *t: call(minigrad, *t, *args), lambda *t: call(torch, *t, *args),
                 *tensors, device=device, order=order)
    run()


@pytest.mark.parametrize("name, call", [
    ("diff", lambda lib, x, d: lib.diff(x, dim=d)),
    ("rot90", lambda lib, x, d: lib.rot90(x, 1, (d, (d + 1) % x.ndim)) if x.ndim > 1 else x),
    ("atleast_3d", lambda lib, x, d: lib.atleast_3d(x)),
    ("clamp_min", lambda lib, x, d: lib.clamp_min(x, -0.5)),
    ("logit", lambda lib, x, d: lib.logit(x.sigmoid(), eps=1e-6)),
])
def test_shape_and_math_names_match_torch_on_drawn_shapes(name, call, device):
    from hypothesis import strategies as st
    from parity import strategies as S

    @st.composite
    def array_and_dim(draw):
        shape = draw(S.shapes(min_dims=1, max_dims=3, max_side=4))
        return (draw(S.arrays(shape)),), (draw(st.integers(0, len(shape) - 1)),)
    _drawn(array_and_dim(), device, call)


def test_kron_tensordot_and_cdist_match_torch_on_drawn_values(device):
    from hypothesis import strategies as st
    from parity import strategies as S
    pair = st.tuples(st.tuples(S.arrays((2, 3)), S.arrays((3, 2))), st.just(()))
    _drawn(pair, device, lambda lib, a, b: lib.kron(a, b))
    _drawn(pair, device, lambda lib, a, b: lib.tensordot(a, b, dims=1))
    rows = st.tuples(st.tuples(S.arrays((3, 2)), S.arrays((4, 2))), st.just(()))
    # torch's cdist has no double backward: first order against cdist itself
    _drawn(rows, device, lambda lib, a, b: lib.cdist(a, b), order=1)
