"""What torch's own calling conventions let PyTorch code do, minigrad lets it do too.

Tutorial and course code leans on a few conventions beyond the documented signatures:
``p.data`` as a tensor to write through (``p.data += -lr * p.grad``, ``w.data.normal_()``),
NumPy's argument names (``P.sum(1, keepdims=True)``, ``torch.cat(xs, axis=1)``), ``out=``
(``torch.matmul(a, b, out=c)``), both overloads of ``torch.randint``, and the way a tensor
prints. Each is checked against torch.
"""
import inspect
import warnings

import numpy as np
import pytest
import torch

import minigrad
from minigrad import nn


def both(fn):
    """fn(lib) on torch and on minigrad."""
    return fn(torch), fn(minigrad)


# ------------------------------------------------------------------ .data

def test_data_is_a_tensor_sharing_memory_cut_from_the_graph():
    for lib in (torch, minigrad):
        w = lib.ones(3, requires_grad=True)
        d = w.data
        assert type(d) is lib.Tensor and not d.requires_grad and d.is_leaf
        d[0] = 5.0  # a write through .data changes w
        assert w.tolist() == [5.0, 1.0, 1.0] and w.requires_grad


def test_data_update_is_the_classic_manual_sgd_step():
    def step(lib):
        w = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        (w * w).sum().backward()
        w.data += -0.1 * w.grad
        w.data.sub_(w.grad.data * 0.1)
        return w.tolist(), w.requires_grad, w.is_leaf, type(w.data).__name__
    (theirs, ours) = both(step)
    assert ours == theirs and np.allclose(ours[0], [0.6, -1.2])


def test_writes_through_data_are_hidden_from_autograd():
    for lib in (torch, minigrad):
        w = lib.tensor([2.0], requires_grad=True)
        y = w * w  # saves w for backward
        w.data.mul_(10)  # not seen by the version counter: no error, the new value is used
        y.backward()
        assert w.grad.tolist() == [40.0]


def test_init_functions_and_in_place_methods_work_on_data():
    def init(lib):
        lib.manual_seed(0)
        layer = lib.nn.Linear(4, 3)
        lib.nn.init.constant_(layer.bias.data, 0.5)
        layer.weight.data.fill_(0.25)
        layer.weight.data.normal_(0.0, 0.02)
        return layer.bias.tolist(), bool((layer.weight.abs() < 0.2).all()), layer.weight.requires_grad
    assert both(init)[0] == both(init)[1]


def test_assigning_data_swaps_values_shape_and_dtype_but_keeps_identity():
    for lib in (torch, minigrad):
        p = lib.nn.Parameter(lib.ones(2, 3))
        before = id(p)
        p.data = lib.zeros(4, dtype=lib.float64)
        assert (id(p), tuple(p.shape), p.dtype, p.requires_grad) == (before, (4,), lib.float64, True)
        assert type(p).__name__ == "Parameter"
        t = lib.ones(2)
        t.data = lib.arange(3)
        assert t.tolist() == [0, 1, 2]


def test_assigning_data_a_non_tensor_is_a_type_error():
    for lib in (torch, minigrad):
        with pytest.raises(TypeError):
            lib.ones(2).data = [1.0, 2.0]


# ------------------------------------------------------ NumPy's argument names

@pytest.mark.parametrize("expr", [
    "x.sum(axis=0)", "x.sum(1, keepdims=True)", "lib.sum(x, axis=1)", "x.mean(axis=0, keepdims=True)",
    "lib.cat([x, x], axis=1)", "lib.stack([x, x], axis=0)", "x.max(axis=1).values",
    "x.argmax(axis=1)", "x.std(axis=0)", "x.softmax(axis=1)", "x.cumsum(axis=1)",
    "x.unsqueeze(axis=0)", "lib.sum(a=x)", "lib.add(x, x2=x)", "lib.add(x1=x, x2=x)",
    "lib.where(x > 0, x1=x, other=-x)", "x.all(axis=0)", "x.prod(axis=1)",
    "lib.gather(x, axis=1, index=lib.zeros(2, 1, dtype=lib.int64))",
])
def test_numpy_argument_names_work_where_torchs_parser_takes_them(expr):
    ref, got = (eval(expr, {"lib": lib, "x": lib.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])})
                for lib in (torch, minigrad))
    np.testing.assert_allclose(got.numpy(), ref.numpy(), rtol=1e-6)


@pytest.mark.parametrize("expr", [
    "x.sum(axis=0, dim=0)",  # both spellings
    "x.norm(axis=0)", "lib.split(x, 1, axis=0)",  # torch writes these in Python
    "lib.nn.functional.softmax(x, axis=0)",
])
def test_numpy_argument_names_are_refused_where_torch_refuses_them(expr):
    for lib in (torch, minigrad):
        with pytest.raises(TypeError):
            eval(expr, {"lib": lib, "x": lib.ones(2, 3)})


def test_every_function_and_method_with_a_dim_takes_axis_exactly_where_torch_does():
    """torch's C++ functions take ``axis``; its Python-level ones do not: minigrad's
    wrappers follow that, name by name."""
    def written_in_cpp(obj):
        return type(obj).__name__ in ("builtin_function_or_method", "method_descriptor")
    checked = 0
    for owner, theirs in ((minigrad, torch), (minigrad.Tensor, torch.Tensor)):
        for name in dir(owner):
            ours = getattr(owner, name)
            if name.startswith("_") or not callable(ours) or not hasattr(theirs, name) or \
                    isinstance(ours, type):
                continue
            try:
                params = inspect.signature(ours).parameters
            except (TypeError, ValueError):
                continue
            if "dim" not in params:
                continue
            takes_axis = "axis" in getattr(ours, "numpy_aliases", {})
            assert takes_axis == written_in_cpp(getattr(theirs, name)), name
            checked += 1
    assert checked > 60


# ------------------------------------------------------------------------ out=

def test_out_receives_the_result_in_place_and_is_returned():
    for lib in (torch, minigrad):
        a = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        out = lib.empty(2, 2)
        view = out.numpy()
        assert lib.matmul(a, a, out=out) is out
        np.testing.assert_array_equal(view, [[7.0, 10.0], [15.0, 22.0]])  # same memory
        assert lib.mul(a, a, out=lib.empty(0)).tolist() == [[1.0, 4.0], [9.0, 16.0]]
        assert lib.sum(a, 0, out=lib.empty(2, dtype=lib.float64)).dtype == lib.float64


def test_out_of_the_wrong_shape_is_resized_with_torchs_warning():
    for lib in (torch, minigrad):
        out = lib.empty(3)
        with pytest.warns(UserWarning, match=r"had shape \[3\], which does not match the "
                                             r"required output shape \[2, 2\]"):
            lib.add(lib.ones(2, 2), 1, out=out)
        assert tuple(out.shape) == (2, 2)


def test_out_refuses_a_result_that_needs_a_gradient_or_a_lossy_cast():
    for lib in (torch, minigrad):
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"mul\(\): functions with out=\.\.\. arguments "
                                               "don't support automatic differentiation"):
            lib.mul(w, w, out=lib.empty(2))
        with lib.no_grad():
            lib.mul(w, w, out=lib.empty(2))
        with pytest.raises(RuntimeError, match="result type Float can't be cast to the "
                                               "desired output type Long"):
            lib.add(lib.ones(2), 1, out=lib.empty(2, dtype=lib.int64))


def test_out_takes_a_tuple_for_functions_that_return_two_tensors():
    for lib in (torch, minigrad):
        values, indices = lib.empty(2), lib.empty(2, dtype=lib.int64)
        lib.max(lib.tensor([[1.0, 3.0], [4.0, 2.0]]), 1, out=(values, indices))
        assert (values.tolist(), indices.tolist()) == ([3.0, 4.0], [1, 0])


# --------------------------------------------------------------------- randint

@pytest.mark.parametrize("call", ["randint(10, (3,))", "randint(3, 10, (3,))",
                                  "randint(high=10, size=(3,))", "randint(10, size=(3, 2))",
                                  "randint(0, 2, (4,), dtype=lib.int32)"])
def test_randint_has_both_of_torchs_overloads(call):
    ref, got = (eval("lib." + call, {"lib": lib}) for lib in (torch, minigrad))
    assert tuple(got.shape) == tuple(ref.shape)
    assert str(got.dtype).replace("minigrad", "torch") == str(ref.dtype)
    low = 3 if call.startswith("randint(3") else 0
    assert bool((got >= low).all()) and bool((got < 10).all())


def test_randint_refuses_an_empty_range_as_torch_does():
    for lib in (torch, minigrad):
        with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to', "
                                               "but got from=5 >= to=5"):
            lib.randint(5, 5, (2,))


# -------------------------------------------------------------------- printing

@pytest.mark.parametrize("expr", [
    "lib.tensor([True])", "lib.tensor([True, True])", "lib.tensor([True, False])",
    "lib.tensor([[True], [False]])", "lib.zeros(0, dtype=lib.bool)", "lib.zeros(0, dtype=lib.int64)",
    "lib.zeros(2, 0)", "lib.zeros(0, 3, dtype=lib.float64)", "lib.zeros(0, requires_grad=True)",
    "lib.arange(2000)", "lib.linspace(0, 1, 1500)",
])
def test_tensors_print_as_in_torch(expr):
    ref, got = (repr(eval(expr, {"lib": lib})) for lib in (torch, minigrad))
    assert got.replace("minigrad.", "torch.") == ref


# ------------------------------------------- gather and scatter with 0-d tensors

@pytest.mark.parametrize("expr", [
    "lib.zeros(3).scatter_(0, lib.tensor(1), value=1)",  # the Datasets tutorial's one-hot
    "lib.zeros(3).scatter(0, lib.tensor(1), lib.tensor(5.0))",
    "lib.zeros(3).scatter(0, lib.tensor([1]), lib.tensor(5.0))",
    "lib.zeros(3).scatter_add(0, lib.tensor(2), lib.tensor(5.0))",
    "lib.tensor(7.0).scatter(0, lib.tensor([0]), value=1.0)",
    "lib.tensor([1.0, 2.0, 3.0]).gather(0, lib.tensor(1))",
    "lib.tensor(7.0).gather(0, lib.tensor([0]))",
])
def test_gather_and_scatter_count_a_0d_tensor_as_1d_as_torch_does(expr):
    ref, got = (eval(expr, {"lib": lib}) for lib in (torch, minigrad))
    assert tuple(got.shape) == tuple(ref.shape) and got.tolist() == ref.tolist()


def test_gather_and_scatter_still_refuse_other_dimension_mismatches():
    for lib in (torch, minigrad):
        with pytest.raises(RuntimeError, match="Index tensor must have the same number of "
                                               "dimensions as self tensor"):
            lib.zeros(2, 3).scatter(1, lib.tensor([1]), value=1.0)


# ------------------------------------------- the legacy constructor and types

@pytest.mark.parametrize("expr", [
    "lib.Tensor([1, 2])", "lib.Tensor([[1, 2]])", "lib.Tensor((2, 3))", "lib.Tensor()",
    "lib.Tensor(np.arange(3))", "lib.Tensor(np.array(3.0))", "lib.Tensor(lib.arange(3))",
    "lib.FloatTensor([1, 2])", "lib.LongTensor([1.7, -2.5])", "lib.BoolTensor([1, 0])",
    "lib.ByteTensor([1])", "lib.IntTensor([1])", "lib.DoubleTensor([0.5])",
    "lib.ones(2).type(lib.LongTensor)", "lib.ones(2).type('torch.DoubleTensor')",
])
def test_the_legacy_constructor_and_types_make_what_torch_makes(expr):
    ref, got = (eval(expr, {"lib": lib, "np": np}) for lib in (torch, minigrad))
    assert str(got.dtype).replace("minigrad", "torch") == str(ref.dtype)
    assert got.tolist() == ref.tolist()


def test_legacy_sizes_make_a_tensor_of_that_shape_in_the_default_dtype():
    for lib in (torch, minigrad):
        assert tuple(lib.Tensor(2, 3).shape) == (2, 3) and lib.Tensor(2, 3).dtype == lib.float32
        assert tuple(lib.FloatTensor(lib.Size([4])).shape) == (4,)
        assert tuple(lib.Tensor(np.int64(3)).shape) == (3,)


def test_legacy_types_check_the_dtype_with_isinstance_and_name_it():
    for lib in (torch, minigrad):
        x = lib.ones(2)
        assert isinstance(x, lib.FloatTensor) and not isinstance(x.double(), lib.FloatTensor)
        assert x.long().type().endswith(".LongTensor") and isinstance(x.long(), lib.LongTensor)


def test_the_legacy_constructor_refuses_a_number_as_torch_does():
    for lib in (torch, minigrad):
        with pytest.raises(TypeError, match=r"new\(\): data must be a sequence \(got float\)"):
            lib.Tensor(3.5)
        with pytest.raises(TypeError, match=r"got numpy.float32"):
            lib.Tensor(np.float32(1))


# ----------------------------------------------------- dtype limits and constants

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_finfo_gives_torchs_limits_and_repr(dtype):
    ref, got = torch.finfo(getattr(torch, dtype)), minigrad.finfo(getattr(minigrad, dtype))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(got, field) == getattr(ref, field), field
    assert repr(got) == repr(ref)


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
def test_iinfo_gives_torchs_limits_and_repr(dtype):
    ref, got = torch.iinfo(getattr(torch, dtype)), minigrad.iinfo(getattr(minigrad, dtype))
    assert (got.bits, got.min, got.max, repr(got)) == (ref.bits, ref.min, ref.max, repr(ref))


def test_finfo_and_iinfo_refuse_the_other_kind_and_finfo_defaults_to_the_default_dtype():
    assert repr(minigrad.finfo()) == repr(torch.finfo())
    for lib in (torch, minigrad):
        with pytest.raises(TypeError, match="requires a floating point input type"):
            lib.finfo(lib.int64)
        with pytest.raises(TypeError, match="requires an integer input type"):
            lib.iinfo(lib.float32)


def test_the_math_constants_are_there():
    assert (minigrad.pi, minigrad.e, minigrad.inf) == (torch.pi, torch.e, torch.inf)
    assert minigrad.nan != minigrad.nan


@pytest.mark.parametrize("expr", ["x.sort()", "x.topk(2)", "x.kthvalue(1)", "x.median(0)",
                                  "x.cummax(0)", "x.cummin(0)", "x.max(0)", "x.min(0)"])
def test_values_and_indices_results_print_as_torchs_return_types(expr):
    ref, got = (eval(expr, {"x": lib.tensor([3.0, 1.0, 2.0])}) for lib in (torch, minigrad))
    assert repr(got).replace("minigrad.", "torch.") == repr(ref)
    assert (got.values.tolist(), got.indices.tolist()) == (ref.values.tolist(), ref.indices.tolist())
