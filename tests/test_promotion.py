"""Type promotion: every binary op gives torch's result dtype and values, for every pair of
dtypes, with 0-d tensors and with Python numbers on either side."""
import itertools

import numpy as np
import pytest
import torch

import minigrad

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "true_div": lambda a, b: a / b,
    "floor_div": lambda a, b: a // b,
    "remainder": lambda a, b: a % b,
    "pow": lambda a, b: a ** b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
TENSOR_ONLY = {  # functions whose operands are both tensors
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "where": lambda lib, a, b: lib.where(lib.tensor([True, False, True]), a, b),
    "fmod": lambda lib, a, b: lib.fmod(a, b),
    "atan2": lambda lib, a, b: lib.atan2(a, b),
}

# Divisors and exponents away from 0 and small, so integer results are defined and exact.
LEFT = [3, 1, 2]
RIGHT = [2, 1, 3]


def _pair(lib, dtype, values, zero_dim):
    data = values[0] if zero_dim else values
    if dtype == "bool":
        data = [bool(v % 2) for v in values] if not zero_dim else True
    return lib.tensor(data, dtype=getattr(lib, dtype))


def _run(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001  (both libraries must fail alike)
        return None, e


def _assert_same(mg, th, what):
    mg_out, mg_err = _run(mg)
    th_out, th_err = _run(th)
    if th_err is not None:
        assert mg_err is not None, f"{what}: torch raises {th_err!r}, minigrad gives {mg_out!r}"
        return
    assert mg_err is None, f"{what}: minigrad raises {mg_err!r}, torch gives {th_out!r}"
    assert str(mg_out.dtype).split(".")[1] == str(th_out.dtype).split(".")[1], \
        f"{what}: dtype {mg_out.dtype}, torch's is {th_out.dtype}"
    expected = th_out.numpy()
    tol = 1e-3 if th_out.dtype == torch.float16 else 1e-6
    np.testing.assert_allclose(mg_out.numpy().astype(np.float64), expected.astype(np.float64),
                               rtol=tol, atol=tol, err_msg=what)


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("zero_dim", ["none", "left", "right"])
def test_binary_op_of_every_dtype_pair_matches_torch(op, zero_dim):
    fn = BINARY[op]
    for da, db in itertools.product(DTYPES, DTYPES):
        def make(lib):
            return (_pair(lib, da, LEFT, zero_dim == "left"),
                    _pair(lib, db, RIGHT, zero_dim == "right"))
        _assert_same(lambda: fn(*make(minigrad)), lambda: fn(*make(torch)),
                     f"{op}({da}{' 0-d' * (zero_dim == 'left')}, "
                     f"{db}{' 0-d' * (zero_dim == 'right')})")


@pytest.mark.parametrize("op", list(TENSOR_ONLY))
def test_binary_function_of_every_dtype_pair_matches_torch(op):
    fn = TENSOR_ONLY[op]
    for da, db in itertools.product(DTYPES, DTYPES):
        _assert_same(lambda: fn(minigrad, _pair(minigrad, da, LEFT, False),
                                _pair(minigrad, db, RIGHT, False)),
                     lambda: fn(torch, _pair(torch, da, LEFT, False),
                                _pair(torch, db, RIGHT, False)),
                     f"{op}({da}, {db})")


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("scalar", [True, 2, 2.5], ids=["bool", "int", "float"])
def test_binary_op_with_a_python_number_on_either_side_matches_torch(op, scalar):
    fn = BINARY[op]
    for d in DTYPES:
        _assert_same(lambda: fn(_pair(minigrad, d, LEFT, False), scalar),
                     lambda: fn(_pair(torch, d, LEFT, False), scalar), f"{op}({d}, {scalar!r})")
        _assert_same(lambda: fn(scalar, _pair(minigrad, d, RIGHT, False)),
                     lambda: fn(scalar, _pair(torch, d, RIGHT, False)), f"{op}({scalar!r}, {d})")


def test_the_issue_examples_give_float32_like_torch():
    f32 = minigrad.ones(3)
    i64 = minigrad.tensor([1, 2, 3])
    i32 = minigrad.tensor([1, 2, 3], dtype=minigrad.int32)
    assert (f32 - i64).dtype is minigrad.float32
    assert (i64 / i64).dtype is minigrad.float32
    assert (i32 * f32).dtype is minigrad.float32
    assert (i64 * 2.5).dtype is minigrad.float32
    assert minigrad.maximum(i64, f32).dtype is minigrad.float32
    assert minigrad.where(f32 > 0, i32, f32).dtype is minigrad.float32


def test_mse_loss_against_integer_targets_stays_float32():
    pred = minigrad.zeros(4, requires_grad=True)
    loss = minigrad.nn.MSELoss()(pred, minigrad.tensor([1, 2, 3, 4]))
    assert loss.dtype is minigrad.float32


def test_a_promoted_operand_gets_its_gradient_in_its_own_dtype():
    x = minigrad.ones(3, requires_grad=True)
    y = (x * minigrad.ones(3, dtype=minigrad.float64)).sum()
    y.backward()
    assert y.dtype is minigrad.float64 and x.grad.dtype is minigrad.float32


@pytest.mark.parametrize("a, b", list(itertools.product(DTYPES, DTYPES)))
def test_promote_types_and_can_cast_follow_torch(a, b):
    ma, mb, ta, tb = (getattr(minigrad, a), getattr(minigrad, b), getattr(torch, a),
                      getattr(torch, b))
    assert str(minigrad.promote_types(ma, mb)) == str(torch.promote_types(ta, tb)).replace(
        "torch", "minigrad")
    assert minigrad.can_cast(ma, mb) == torch.can_cast(ta, tb)


def test_result_type_ranks_tensors_above_zero_dim_tensors_above_numbers():
    for args in [(minigrad.tensor([1, 2]), 2.5), (minigrad.tensor([1, 2]), minigrad.tensor(1.5,
                 dtype=minigrad.float64)), (minigrad.ones(2), minigrad.tensor(1.0,
                 dtype=minigrad.float64)), (minigrad.tensor([1], dtype=minigrad.uint8), 300),
                 (minigrad.tensor(True), 1), (minigrad.tensor([True]), 1.0)]:
        targs = [torch.tensor(a.numpy()) if isinstance(a, minigrad.Tensor) else a for a in args]
        assert str(minigrad.result_type(*args)).split(".")[1] == \
            str(torch.result_type(*targs)).split(".")[1], args


def test_set_default_dtype_changes_new_tensors_and_python_floats():
    try:
        minigrad.set_default_dtype(minigrad.float64)
        assert minigrad.get_default_dtype() is minigrad.float64
        assert minigrad.tensor([1.5]).dtype is minigrad.float64
        assert minigrad.zeros(2).dtype is minigrad.float64
        assert minigrad.randn(2).dtype is minigrad.float64
        assert (minigrad.tensor([1, 2]) * 0.5).dtype is minigrad.float64
        assert (minigrad.tensor([1, 2]) / 2).dtype is minigrad.float64
        assert "dtype" not in repr(minigrad.tensor([1.5]))
    finally:
        minigrad.set_default_dtype(minigrad.float32)
    assert minigrad.tensor([1.5]).dtype is minigrad.float32


def test_set_default_dtype_refuses_integer_types():
    with pytest.raises(TypeError, match="floating"):
        minigrad.set_default_dtype(minigrad.int64)


@pytest.mark.parametrize("name", ["sqrt", "exp", "log", "sin", "tanh", "sigmoid", "rsqrt"])
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64"])
def test_float_functions_of_integers_give_the_default_float(name, dtype):
    x = minigrad.tensor([1, 2, 3]).to(getattr(minigrad, dtype))
    expected = getattr(torch, name)(torch.tensor([1, 2, 3]).to(getattr(torch, dtype)))
    out = getattr(minigrad, name)(x) if hasattr(minigrad, name) else getattr(x, name)()
    assert out.dtype is minigrad.float32
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)


def test_sum_of_bool_and_integers_is_int64_and_mean_of_integers_raises():
    assert minigrad.tensor([True, True]).sum().dtype is minigrad.int64
    assert minigrad.tensor([1, 2], dtype=minigrad.int8).sum().dtype is minigrad.int64
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        minigrad.tensor([1, 2]).mean()


def test_matmul_of_different_float_dtypes_raises_like_torch():
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: "
                                           "float != double"):
        minigrad.ones(2, 2) @ minigrad.ones(2, 2, dtype=minigrad.float64)
    with pytest.raises(RuntimeError, match="dot : expected both vectors to have same dtype"):
        minigrad.ones(2) @ minigrad.ones(2, dtype=minigrad.float64)


def test_new_dtypes_exist_with_torch_names():
    assert minigrad.half is minigrad.float16 and minigrad.short is minigrad.int16
    assert minigrad.tensor([1, 2], dtype=minigrad.int8).dtype is minigrad.int8
    assert minigrad.float16.is_floating_point and minigrad.float16.itemsize == 2
    assert not minigrad.uint8.is_signed and minigrad.int8.is_signed


def test_comparison_with_a_python_float_compares_integers_as_floats():
    assert minigrad.tensor([1, 2, 3]).lt(2.5).tolist() == [True, True, False]
