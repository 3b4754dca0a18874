"""Exactly torch's semantics for what minigrad already has (issue 17): one case per kind,
each run on torch and on minigrad with the same code, stating torch's behaviour.

``like_torch(f)`` runs ``f(lib)`` with ``lib`` = torch, then minigrad: both must raise
(the same error type, and the same message where ``message=True``) or both return the
same values (NaN-aware), shapes and dtypes. ``grads(lib, f, *values)`` returns
``f``'s result and the gradients of float64 leaves made from ``values``.
"""
import math
import warnings

import numpy as np
import pytest

import minigrad

from conftest import TORCH_PINNED

torch = pytest.importorskip("torch")

nan, inf = math.nan, math.inf


def _canonical(out, lib):
    if isinstance(out, lib.Tensor):
        return ("tensor", np.array(out.detach().numpy()), str(out.dtype).split(".")[-1])
    if isinstance(out, (tuple, list)):
        return tuple(_canonical(o, lib) for o in out)
    return out


def _run(f, lib):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return None, _canonical(f(lib), lib)
        except Exception as e:  # noqa: BLE001 - the error is the outcome
            return e, None


def _same(a, b):
    if isinstance(a, tuple) and a and a[0] == "tensor":
        (_, x, dx), (_, y, dy) = a, b
        assert x.shape == y.shape, (x.shape, y.shape)
        assert dx == dy, (dx, dy)
        rtol = 1e-6 if dx == "float32" else 1e-9  # float32: exp and tanh differ by an ulp
        np.testing.assert_allclose(y, x, rtol=rtol, atol=1e-12, equal_nan=True)
        assert np.array_equal(np.isnan(x), np.isnan(y)) if x.dtype.kind == "f" else True
    elif isinstance(a, tuple):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v)
    else:
        assert a == b or (a != a and b != b), (a, b)


def like_torch(f, message=True):
    """f(torch) and f(minigrad) agree: same result, or the same error."""
    t_err, t_out = _run(f, torch)
    m_err, m_out = _run(f, minigrad)
    if t_err is not None:
        assert m_err is not None, f"torch raises {t_err!r}, minigrad returns {m_out}"
        assert isinstance(m_err, type(t_err)), (t_err, m_err)
        if message and TORCH_PINNED:  # torch's words (the pinned version's), maybe followed
            # by details of minigrad's own
            assert str(m_err).split("\n")[0].startswith(str(t_err).split("\n")[0]), (
                t_err, m_err)
        return
    assert m_err is None, f"minigrad raises {m_err!r}, torch returns {t_out}"
    _same(t_out, m_out)


def grads(lib, f, *values):
    """f(lib, *leaves) and the leaves' gradients after backward of its weighted sum."""
    leaves = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in values]
    y = f(lib, *leaves)
    w = np.linspace(0.5, 1.5, int(np.prod(tuple(y.shape))) or 1)[:y.numel()]
    (y * lib.tensor(w.reshape(tuple(y.shape)), dtype=lib.float64)).sum().backward()
    return [y] + [t.grad for t in leaves]


X = [10.0, 20.0, 30.0]
CUBE = np.arange(24.0).reshape(2, 3, 4)
SQUARE = np.arange(9.0).reshape(3, 3)

# ------------------------------------------------------------ 1, 2: index keys

INDEXING = {
    "a list of bools is a mask": lambda L: grads(L, lambda L, x: x[[True, False, True]], X),
    "a uint8 tensor is a mask": lambda L: grads(
        L, lambda L, x: x[L.tensor([1, 0, 1], dtype=L.uint8)], X),
    "a mixed list of bools and ints is an int index": lambda L: grads(
        L, lambda L, x: x[[True, 1]], X),
    "an int selects before an index tensor is placed": lambda L: grads(
        L, lambda L, x: x[0, :, L.tensor([0, 1])], CUBE),
    "ints between index arrays select first": lambda L: grads(
        L, lambda L, x: x[[0, 1], 1, [0, 1]], CUBE),
    "a 0-d int tensor selects like an int": lambda L: grads(
        L, lambda L, x: x[L.tensor(1), [0, 2]], SQUARE),
    "None and an int before an index list": lambda L: grads(
        L, lambda L, x: x[1, None, :, [0, 1]], CUBE),
    "a nested list is read as a tuple": lambda L: grads(L, lambda L, x: x[[[0, 1], [1, 2]]],
                                                        SQUARE),
    "a list with a slice is read as a tuple": lambda L: grads(
        L, lambda L, x: x[[0, slice(None)]], SQUARE),
    "a bool list in a tuple masks its dim": lambda L: grads(
        L, lambda L, x: x[:, [True, False, True]], SQUARE),
    "an empty list selects nothing": lambda L: L.tensor(SQUARE)[[]],
    "a negative step raises": lambda L: L.tensor(X)[::-1],
    "a zero step raises": lambda L: L.tensor(X)[::0],
    "a float index tensor raises": lambda L: L.tensor(X)[L.tensor([0.0, 1.0])],
    "an index array on a 0-d tensor raises": lambda L: L.tensor(2.0)[[0]],
}


@pytest.mark.parametrize("case", INDEXING)
def test_index_keys_mean_what_they_mean_in_torch(case):
    like_torch(INDEXING[case], message=case != "an index array on a 0-d tensor raises")


def _set(L, key, value):
    z = L.zeros(2, 3, 4)
    z[key(L)] = value(L)
    return z


SETITEM = {
    "through an int and an index tensor, not transposed": lambda L: _set(
        L, lambda L: (0, slice(None), L.tensor([0, 1])), lambda L: L.arange(6.0).reshape(3, 2)),
    "through a bool list": lambda L: _set(L, lambda L: [True, False], lambda L: 1.0),
    "through a uint8 mask tensor": lambda L: _set(
        L, lambda L: L.tensor([0, 1], dtype=L.uint8), lambda L: L.ones(3, 4)),
    "through a nested list": lambda L: _set(L, lambda L: [[0, 1], [1, 2]], lambda L: 7.0),
}


@pytest.mark.parametrize("case", SETITEM)
def test_setitem_writes_where_torch_writes(case):
    like_torch(SETITEM[case])


# ------------------------------------------------------------ 3, 8, 9: dims

DIMS = {
    "sum(dim=[]) reduces every dim": lambda L: grads(L, lambda L, x: x.sum(dim=[]), SQUARE),
    "mean(dim=()) reduces every dim": lambda L: grads(L, lambda L, x: x.mean(dim=()), SQUARE),
    "amax(dim=[]) reduces every dim": lambda L: L.tensor(SQUARE).amax(dim=[]),
    "a 0-d tensor takes dim 0 and -1": lambda L: [L.tensor(3.0).sum(0), L.tensor(3.0).amax(0),
                                                  L.tensor(3.0).mean(-1)],
    "a 0-d tensor has no dim 1": lambda L: L.tensor(3.0).sum(1),
    "an out-of-range dim raises IndexError": lambda L: L.ones(2, 3).sum(4),
    "a dim named twice raises": lambda L: L.ones(2, 3).sum((1, -1)),
    "unsqueeze(4) of a 2-d tensor raises": lambda L: L.ones(2, 3).unsqueeze(4),
    "unsqueeze(-3) of a 2-d tensor is the front": lambda L: L.ones(2, 3).unsqueeze(-3),
    "flatten(1) of a 1-d tensor raises": lambda L: L.ones(3).flatten(1),
    "flatten(1, 0) raises": lambda L: L.ones(2, 3).flatten(1, 0),
    "permute(0, 3) raises": lambda L: L.ones(2, 3).permute(0, 3),
    "permute(0, 0) raises": lambda L: L.ones(2, 3).permute(0, 0),
    "stack(dim=5) raises": lambda L: L.stack([L.ones(2, 3)], dim=5),
    "cat(dim=-3) raises": lambda L: L.cat([L.ones(2, 3)], dim=-3),
    "cat of 0-d tensors raises": lambda L: L.cat([L.tensor(1.0)]),
    "squeeze(2) raises": lambda L: L.ones(2, 3).squeeze(2),
    "squeeze(dim=[]) squeezes none": lambda L: L.ones(2, 1).squeeze([]),
    "max(dim=2) of a 0-d tensor raises": lambda L: L.tensor(3.0).max(dim=2),
    "size(2) of a 2-d tensor raises": lambda L: L.ones(2, 3).size(2),
    "transpose(0, 2) of a 2-d tensor raises": lambda L: L.ones(2, 3).transpose(0, 2),
    "transpose(0, -1) of a 0-d tensor is itself": lambda L: L.tensor(5.0).transpose(0, -1),
    "t() of a 3-d tensor raises": lambda L: L.ones(2, 3, 4).t(),
    "softmax(1) of a 1-d tensor raises": lambda L: L.ones(2).softmax(1),
    "argmax(2) raises": lambda L: L.ones(2, 3).argmax(2),
    "all(dim=[0]) reduces dim 0": lambda L: L.ones(2, 3).all(dim=[0]),
    "any([0, 1]) reduces both": lambda L: L.ones(2, 3).any([0, 1]),
    "all(()) reduces nothing": lambda L: L.ones(2, 3).all(()),
    "logsumexp(dim=(), keepdim=True) reduces all": lambda L: L.tensor(SQUARE).logsumexp(
        (), keepdim=True),
}


@pytest.mark.parametrize("case", DIMS)
def test_dims_are_checked_and_wrapped_as_in_torch(case):
    like_torch(DIMS[case])


# ------------------------------------------------------------ 4, 5: pow and logsumexp

POW_LSE = {
    "x ** b at x = 0, b = 0 has zero gradients": lambda L: grads(
        L, lambda L, x, b: x ** b, [0.0, 0.0, 2.0, -2.0], [0.0, 1.0, 0.5, 0.5]),
    "x ** b at x = 0, b < 0": lambda L: grads(L, lambda L, x, b: x ** b, [0.0, 0.0],
                                              [-1.0, 2.0]),
    "x.pow(0.) at 0 has gradient 0": lambda L: grads(L, lambda L, x: x.pow(0.0), [0.0, 1.0]),
    "x.pow(0.5) at 0 and below": lambda L: grads(L, lambda L, x: x.pow(0.5), [0.0, -1.0]),
    "0 ** x": lambda L: grads(L, lambda L, x: 0 ** x, [0.0, 1.0, -1.0]),
    "(-2.) ** x": lambda L: grads(L, lambda L, x: (-2.0) ** x, [0.0, 1.0, 0.5]),
    "2 ** x": lambda L: grads(L, lambda L, x: 2 ** x, [0.0, 1.0, 0.5]),
    "2 ** an int tensor with negative powers": lambda L: 2 ** L.tensor([-1, 0, 2]),
    "ints ** ints with negative powers": lambda L: L.tensor([2, 3, 0, -1, 1, -1]) ** L.tensor(
        [-1, 2, -1, -3, -2, -2]),
    "an int tensor ** a negative int raises": lambda L: L.tensor([2, 3]) ** -1,
    "logsumexp of -infs is -inf": lambda L: grads(L, lambda L, x: x.logsumexp(0), [-inf, -inf]),
    "logsumexp with +inf is inf": lambda L: grads(L, lambda L, x: x.logsumexp(0), [inf, 1.0]),
    "logsumexp of +infs": lambda L: grads(L, lambda L, x: x.logsumexp(0), [inf, inf]),
    "logsumexp of an empty dim is -inf": lambda L: L.zeros(2, 0).logsumexp(1),
}


@pytest.mark.parametrize("case", POW_LSE)
def test_pow_and_logsumexp_at_the_edges_are_torchs(case):
    like_torch(POW_LSE[case])


# ------------------------------------------------------------ 6, 7: empty, 0-d, small dtypes

EDGES = {
    "linear with no input features": lambda L: grads(
        L, lambda L, x, w: L.nn.functional.linear(x, w), np.zeros((2, 0)), np.zeros((3, 0))),
    "linear with no input features, batched": lambda L: grads(
        L, lambda L, x, w, b: L.nn.functional.linear(x, w, b), np.zeros((1, 2, 0)),
        np.zeros((2, 0)), [1.0, 2.0]),
    "linear with a vector weight": lambda L: grads(
        L, lambda L, x, w: L.nn.functional.linear(x, w), np.ones((2, 3)), [1.0, 2.0, 3.0]),
    "linear of a 0-d input raises": lambda L: L.nn.functional.linear(L.tensor(1.0),
                                                                      L.ones(2, 3)),
    "softmax of an empty tensor": lambda L: L.zeros(0).softmax(0),
    "log_softmax along an empty dim": lambda L: L.log_softmax(L.zeros(2, 0), 1),
    "softmax of a 0-d tensor is 1": lambda L: grads(L, lambda L, x: x.softmax(0), 2.0),
    "max over an empty dim raises": lambda L: L.zeros(2, 0).max(1),
    "amax over an empty dim raises": lambda L: L.zeros(2, 0).amax(1),
    "amax of an empty tensor raises": lambda L: L.zeros(0).amax(),
    "amax along a non-empty dim of an empty tensor": lambda L: L.zeros(2, 0).amax(0),
    "argmax of an empty tensor raises": lambda L: L.zeros(0).argmax(),
    "uint8 sqrt is float32": lambda L: L.tensor([1, 4], dtype=L.uint8).sqrt(),
    "bool sqrt is float32": lambda L: L.tensor([True, False]).sqrt(),
    "int64 exp is float32": lambda L: L.tensor([0, 1]).exp(),
    "uint8 tanh is float32": lambda L: L.tensor([0, 1], dtype=L.uint8).tanh(),
    "bool ** 2 is int64": lambda L: L.tensor([True, False]) ** 2,
    "bool ** True is the bools": lambda L: L.tensor([True, False]) ** True,
    "bool ** a bool tensor raises": lambda L: L.tensor([True]) ** L.tensor([True]),
    "sigmoid of bools": lambda L: L.sigmoid(L.tensor([True, False])),
    "add(uint8, -1, alpha=3) wraps": lambda L: L.add(L.tensor([1, 2], dtype=L.uint8), -1,
                                                     alpha=3),
    "uint8 - 3 wraps": lambda L: L.tensor([1, 2], dtype=L.uint8) - 3,
    "uint8 + 300 wraps": lambda L: L.tensor([1, 2], dtype=L.uint8) + 300,
    "uint8 sub_ wraps": lambda L: L.tensor([1, 2], dtype=L.uint8).sub_(3),
    "uint8 -= uint8 wraps": lambda L: L.tensor([1, 2], dtype=L.uint8).sub_(
        L.tensor([2, 2], dtype=L.uint8)),
    "int add with a float alpha raises": lambda L: L.add(L.tensor([1]), L.tensor([1]),
                                                         alpha=0.5),
    "x.sub(y, alpha=2)": lambda L: L.ones(2).sub(L.ones(2), alpha=2),
    "all of uint8 is uint8": lambda L: L.tensor([1, 2], dtype=L.uint8).all(),
    "round has a zero gradient": lambda L: grads(L, lambda L, x: L.round(x, decimals=1),
                                                 [0.25, 1.36]),
    "round of bools raises": lambda L: L.round(L.tensor([True])),
    "sum(dtype=long) of a tensor that requires grad raises": lambda L: L.ones(
        2, requires_grad=True).sum(dtype=L.int64),
}


@pytest.mark.parametrize("case", EDGES)
def test_empty_zero_d_and_small_dtype_edges_are_torchs(case):
    like_torch(EDGES[case], message=case != "round of bools raises")  # (kernel names vary)


# ------------------------------------------------------------ 8, 9: raises or not

RAISES = {
    "expand(-1, 3) of a 1-d tensor": lambda L: L.ones(3).expand(-1, 3),
    "one_hot of a class >= num_classes": lambda L: L.nn.functional.one_hot(L.tensor([0, 3]),
                                                                           3),
    "one_hot of a negative class": lambda L: L.nn.functional.one_hot(L.tensor([0, -1]), 3),
    "one_hot of floats": lambda L: L.nn.functional.one_hot(L.tensor([0.0, 1.0]), 3),
    "one_hot of int32": lambda L: L.nn.functional.one_hot(L.tensor([0, 1], dtype=L.int32), 3),
    "one_hot of nothing, classes unknown": lambda L: L.nn.functional.one_hot(
        L.tensor([], dtype=L.int64)),
    "matmul of float32 and float64": lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64),
    "dot of int64 and float32": lambda L: L.ones(2, dtype=L.int64) @ L.ones(2),
    "matmul of a 0-d tensor": lambda L: L.tensor(1.0) @ L.ones(2),
    "where with a float condition": lambda L: L.where(L.tensor([1.0, 0.0]), L.ones(2),
                                                      L.zeros(2)),
    "cross_entropy with int32 targets": lambda L: L.nn.functional.cross_entropy(
        L.zeros(2, 3), L.tensor([0, 1], dtype=L.int32)),
    "cross_entropy with probabilities and ignore_index": lambda L: (
        L.nn.functional.cross_entropy(L.zeros(2, 3), L.ones(2, 3) / 3, ignore_index=0)),
    "arange(-3)": lambda L: L.arange(-3),
    "arange with step 0": lambda L: L.arange(0, 3, 0),
    "clamp_ of an int tensor with float bounds": lambda L: L.tensor([1, 2]).clamp_(0.5, 1.5),
    "clamp of bools with bool bounds": lambda L: L.tensor([True]).clamp(min=True),
    "maximum(x, 2.0)": lambda L: L.maximum(L.ones(2), 2.0),
    "minimum(x, 1)": lambda L: L.minimum(L.ones(2), 1),
    "-bools": lambda L: -L.tensor([True]),
    "+bools": lambda L: +L.tensor([True]),
    "bools - bools": lambda L: L.tensor([True]) - L.tensor([True]),
    "bools.sub(False)": lambda L: L.tensor([True]).sub(False),
    "abs of bools": lambda L: L.tensor([True]).abs(),
    "argmax of bools": lambda L: L.tensor([True, False]).argmax(),
    "softmax of ints": lambda L: L.softmax(L.tensor([1, 2]), 0),
    "& of floats": lambda L: L.ones(2) & L.ones(2),
    "comparing shapes that do not broadcast": lambda L: L.ones(2, 3) < L.ones(2),
    "full of inf as int64": lambda L: L.full((2,), inf, dtype=L.int64),
    "mT of a vector": lambda L: L.ones(2).mT,
    "clamp with tensor bounds": lambda L: grads(
        L, lambda L, x, lo, hi: L.clamp(x, min=lo, max=hi), [1.0, 5.0, nan, 3.0, 0.5],
        [2.0, 2.0, 2.0, 4.0, nan], [4.0, 4.0, 4.0, 3.5, 1.0]),
    "clamp with a tensor min only": lambda L: grads(
        L, lambda L, x, lo: L.clamp(x, min=lo), [1.0, 5.0], [2.0, 2.0]),
    "x @ 2 is NotImplemented (TypeError)": lambda L: L.ones(2) @ 2,
    "expand to fewer dims than the tensor has": lambda L: L.ones(2, 3).expand(3),
    "view_as(a number)": lambda L: L.ones(2).view_as(2.0),
    "allclose of shapes that do not broadcast": lambda L: L.allclose(L.ones(2, 3), L.ones(2)),
    "stack names a bad dim before unequal shapes": lambda L: L.stack([L.ones(2), L.ones(3)],
                                                                     dim=5),
    "cat leaves a (0,) tensor out": lambda L: L.cat([L.ones(2, 2), L.zeros(0), L.ones(1, 2)]),
    "clamp_ with a bound of more dims raises": lambda L: L.ones(2).clamp_(max=L.ones(1, 2)),
    "softmax of an empty int tensor": lambda L: L.softmax(L.tensor([], dtype=L.int32), 0),
    "logsumexp of uint8 is float32": lambda L: L.tensor([1, 2], dtype=L.uint8).logsumexp(0),
}


@pytest.mark.parametrize("case", RAISES)
def test_raises_exactly_where_torch_raises(case):
    like_torch(RAISES[case], message=case not in (
        "x @ 2 is NotImplemented (TypeError)",  # (Python's words)
        "expand to fewer dims than the tensor has"))  # (names minigrad.FloatTensor)


# ------------------------------------------------------------ 10: gradients at NaN

NAN_GRADS = {
    "relu'(nan) is 1": lambda L: grads(L, lambda L, x: x.relu(), [nan, 0.0, 1.0, -1.0]),
    "abs'(nan) is 0": lambda L: grads(L, lambda L, x: x.abs(), [nan, 0.0, 1.0, -1.0, -0.0]),
    "amax over a NaN: NaN gradients": lambda L: grads(L, lambda L, x: x.amax(), [nan, 1.0, 3.0]),
    "amin along a dim with a NaN": lambda L: grads(L, lambda L, x: x.amin(1),
                                                   [[1.0, nan, -3.0], [1.0, 2.0, 1.0]]),
    "max() goes to the NaNs": lambda L: grads(L, lambda L, x: x.max(), [nan, 1.0, nan]),
    "min() goes to the NaN": lambda L: grads(L, lambda L, x: x.min(), [1.0, nan, 3.0]),
    "min(dim) goes to the first NaN": lambda L: grads(L, lambda L, x: x.min(0)[0],
                                                      [1.0, nan, 3.0, nan]),
    "maximum with a NaN passes the gradient both ways": lambda L: grads(
        L, lambda L, a, b: L.maximum(a, b), [nan, 1.0, 2.0], [1.0, nan, 2.0]),
    "minimum with a NaN passes the gradient both ways": lambda L: grads(
        L, lambda L, a, b: L.minimum(a, b), [nan, 1.0, 2.0], [1.0, nan, 2.0]),
    "clamp at NaN has gradient 0": lambda L: grads(L, lambda L, x: x.clamp(0, 1),
                                                   [nan, 0.5, 2.0]),
    "maximum sends a NaN upstream gradient to the winner only": lambda L: grads(
        L, lambda L, a, b: L.maximum(a, b).logsumexp(0), [[-0.7, 1.0], [-1.5, 0.0]],
        [[-1.5, 2.0], [nan, 0.5]]),
    "max() sends a NaN upstream gradient to the NaN only": lambda L: grads(
        L, lambda L, x: x.max().amax(), [2.5, nan, 1.0]),
    "a / b with b * b below the smallest float": lambda L: grads(
        L, lambda L, a, b: a / b, [1e-300, inf, 1.0], [1e-200, -0.0, -0.0]),
}


@pytest.mark.parametrize("case", NAN_GRADS)
def test_gradients_at_nan_and_infinity_are_torchs(case):
    like_torch(NAN_GRADS[case])


# ------------------------------------------------------------ the fuzzer's findings in the new API


def _F(L):
    return L.nn.functional


FUZZ_FOUND = {
    "clamp with a float number bound backpropagates": lambda L: grads(
        L, lambda L, x: x.clamp(min=0.5), [0.0, 1.0]),
    "elu of int64 has no kernel": lambda L: _F(L).elu(L.tensor([1])),
    "selu of uint8 has no kernel": lambda L: _F(L).selu(L.tensor([1], dtype=L.uint8)),
    "celu with alpha 0 raises before the dtype check": lambda L: _F(L).celu(
        L.tensor([True]), alpha=0.0),
    "gelu of bools has no kernel": lambda L: _F(L).gelu(L.tensor([True])),
    "leaky_relu of int32 has no kernel": lambda L: _F(L).leaky_relu(L.tensor([1],
                                                                          dtype=L.int32)),
    "silu of int64 has no kernel": lambda L: _F(L).silu(L.tensor([1])),
    "softplus of bools has no kernel": lambda L: _F(L).softplus(L.tensor([True])),
    "mish of int64 has no kernel": lambda L: _F(L).mish(L.tensor([1])),
    "hardswish of int32 has no kernel": lambda L: _F(L).hardswish(L.tensor([1], dtype=L.int32)),
    "hardtanh keeps int64": lambda L: _F(L).hardtanh(L.tensor([-3, 0, 3])),
    "relu6 keeps uint8": lambda L: _F(L).relu6(L.tensor([1, 9], dtype=L.uint8)),
    "hardtanh of bools raises": lambda L: _F(L).hardtanh(L.tensor([True])),
    "hardtanh of uint8 with a negative limit raises": lambda L: _F(L).hardtanh(
        L.tensor([1], dtype=L.uint8)),
    "relu6 passes the gradient at NaN": lambda L: grads(
        L, lambda L, x: _F(L).relu6(x), [nan, 1.0]),
    "relu6's gradient is 0 outside even for an infinite upstream": lambda L: grads(
        L, lambda L, x: _F(L).relu6(x).log(), [-1.5, 1.0]),
    "elu passes the gradient at NaN": lambda L: grads(
        L, lambda L, x: _F(L).elu(x), [nan, -0.7]),
    "fliplr of a vector raises": lambda L: L.ones(3).fliplr(),
    "flipud of a 0-d tensor raises": lambda L: L.tensor(1.0).flipud(),
    "repeat with a negative count raises": lambda L: L.tensor(2).repeat(-1),
    "repeat -1 times an empty dim is allowed": lambda L: L.zeros(0).repeat(2, -1),
    "repeat_interleave of repeats alone": lambda L: L.repeat_interleave(L.tensor([2, 0, 1])),
    "repeat_interleave with negative repeats raises": lambda L: L.repeat_interleave(
        L.tensor([-2])),
    "repeat_interleave with uint8 repeats raises": lambda L: L.repeat_interleave(
        L.tensor([2], dtype=L.uint8)),
    "sign of NaN is 0": lambda L: L.sign(L.tensor([nan, -2.0, 0.0])),
    "square of bools is int64": lambda L: L.tensor([True, False]).square(),
    "var of a 0-d tensor along dim 0 is NaN": lambda L: L.tensor(1.0).var(0),
    "std over dim=[] reduces every dim": lambda L: L.tensor([1.0, 2.0, 4.0]).std(dim=[]),
    "all with dim=None keeps the dims with keepdim": lambda L: L.all(
        L.tensor([[True, False]]), dim=None, keepdim=True),
    "any of a 0-d tensor checks dim": lambda L: L.tensor(1.0).any(dim=-2),
    "count_nonzero over dim=[] counts everything": lambda L: L.count_nonzero(
        L.tensor([1.0, 0.0, 2.0]), dim=[]),
    "var over a repeated dim raises": lambda L: L.var(L.ones(2, 3, 2), dim=(1, -2)),
    "median of bools has no kernel": lambda L: L.tensor([True]).median(),
    "median along an empty dim raises": lambda L: L.median(L.zeros(2, 0), dim=1),
    "logcumsumexp of int64 has no kernel": lambda L: L.tensor([1]).logcumsumexp(0),
    "frac of int64 has no kernel": lambda L: L.tensor([1]).frac(),
    "ceil of bools has no kernel": lambda L: L.tensor([True]).ceil(),
    "dot of bools has no kernel": lambda L: L.dot(L.tensor([True]), L.tensor([True])),
    "inner checks the last dims": lambda L: L.inner(L.ones(2, 2), L.ones(2, 1)),
    "norm checks the input's dtype before dtype=": lambda L: L.tensor([1]).norm(
        dtype=L.float32),
    "norm refuses a narrowing dtype=": lambda L: L.tensor([0.5], dtype=L.float64).norm(
        dtype=L.float32),
    "normalize of ints raises": lambda L: _F(L).normalize(L.tensor([[1, 2]])),
    "normalize's gradient at a zero vector": lambda L: grads(
        L, lambda L, x: _F(L).normalize(x, dim=0), [0.0, 0.0]),
    "isclose of bools": lambda L: L.tensor([True, False]).isclose(L.tensor([True, True])),
    "isclose of two dtypes raises": lambda L: L.isclose(L.tensor([1.0]), L.tensor([1])),
    "allclose of two dtypes raises": lambda L: L.allclose(L.tensor([1.0]), L.tensor([1])),
    "logical_or of shapes that do not broadcast": lambda L: L.logical_or(L.ones(3),
                                                                        L.ones(1, 2)),
    "interpolate without size or scale_factor": lambda L: _F(L).interpolate(L.ones(2)),
    "interpolate with a size of the wrong length": lambda L: _F(L).interpolate(
        L.ones(1, 1, 2, 2), size=(3,)),
    "x ** False is ones, bools too": lambda L: L.tensor([True, False]).pow(False),
    "prod with dtype=int64 of a tensor that requires grad raises": lambda L: L.prod(
        L.tensor([1.5], requires_grad=True), dtype=L.int64),
    "prod of an empty tensor backpropagates": lambda L: grads(
        L, lambda L, x: x.reshape(1, 0).prod(), []),
    "uint8 / 300 does not wrap the 300": lambda L: L.tensor([1, 255], dtype=L.uint8) / 300,
    "clip of bools with a float bound is float": lambda L: L.clip(
        L.tensor([True, False]), min=True, max=0.5),
    "unique along a dim with another empty dim raises": lambda L: L.zeros(2, 0, 1).unique(
        dim=2),
    "integer remainder of an empty tensor by 0": lambda L: L.remainder(
        L.zeros(0, dtype=L.uint8), 0),
}


@pytest.mark.parametrize("case", FUZZ_FOUND)
def test_what_the_fuzzer_found_in_the_new_api_is_torchs(case):
    like_torch(FUZZ_FOUND[case])
