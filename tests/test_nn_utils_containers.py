"""ParameterList/ParameterDict, and nn.utils: clip_grad_norm_, clip_grad_value_,
parameters_to_vector, vector_to_parameters, against PyTorch."""
import math

import numpy as np
import pytest
import torch

import minigrad
import minigrad.nn as nn
from minigrad.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                               vector_to_parameters)


def test_parameter_list_registers_and_prints_like_torch():
    def model(lib, m):
        class Model(m.Module):
            def __init__(self):
                super().__init__()
                self.params = m.ParameterList([m.Parameter(lib.zeros(2, 3)) for _ in range(2)])
                self.params.append(lib.ones(4))
        return Model()

    mg_model, th_model = model(minigrad, nn), model(torch, torch.nn)
    assert [n for n, _ in mg_model.named_parameters()] == \
        [n for n, _ in th_model.named_parameters()] == ["params.0", "params.1", "params.2"]
    assert isinstance(mg_model.params[2], nn.Parameter) and len(mg_model.params) == 3
    assert repr(mg_model).replace("minigrad", "torch") == repr(th_model)
    assert list(mg_model.state_dict()) == list(th_model.state_dict())


def test_parameter_dict_sorts_a_plain_dict_but_keeps_an_ordered_dicts_order_like_torch():
    from collections import OrderedDict
    mg = nn.ParameterDict({"b": nn.Parameter(minigrad.zeros(1)), "a": minigrad.ones(2)})
    th = torch.nn.ParameterDict({"b": torch.nn.Parameter(torch.zeros(1)), "a": torch.ones(2)})
    assert list(mg.keys()) == list(th.keys()) == ["a", "b"]
    ordered = OrderedDict([("z", minigrad.ones(1)), ("y", minigrad.ones(1))])
    assert list(nn.ParameterDict(ordered)) == ["z", "y"]
    assert isinstance(mg["a"], nn.Parameter) and "a" in mg and len(mg) == 2
    assert repr(mg).replace("minigrad", "torch") == repr(th)
    assert list(mg.state_dict()) == list(th.state_dict())


def _twin_grads(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    values = [rng.standard_normal(s) for s in shapes]
    grads = [rng.standard_normal(s) * scale for s in shapes]
    mg, th = [], []
    for v, g in zip(values, grads):
        p = nn.Parameter(minigrad.tensor(v))
        p.grad = minigrad.tensor(g)
        q = torch.nn.Parameter(torch.tensor(v))
        q.grad = torch.tensor(g)
        mg.append(p)
        th.append(q)
    return mg, th


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0),
                                                (0.3, math.inf), (2.0, 3.0)])
def test_clip_grad_norm_returns_the_total_norm_and_scales_like_torch(max_norm, norm_type):
    mg, th = _twin_grads()
    total_mg = clip_grad_norm_(mg, max_norm, norm_type)
    total_th = torch.nn.utils.clip_grad_norm_(th, max_norm, norm_type)
    np.testing.assert_allclose(total_mg.item(), total_th.item(), rtol=1e-13)
    for p, q in zip(mg, th):
        np.testing.assert_allclose(np.asarray(p.grad), q.grad.numpy(), rtol=1e-13)


def test_clip_grad_norm_raises_on_a_nonfinite_norm_only_when_asked():
    mg, _ = _twin_grads()
    mg[0].grad.data[0, 0] = float("inf")
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from "
                                           "`parameters` is non-finite"):
        clip_grad_norm_(mg, 1.0, error_if_nonfinite=True)
    assert math.isinf(clip_grad_norm_(mg, 1.0).item())


def test_clip_grad_norm_of_no_gradients_is_zero_and_accepts_a_single_tensor():
    p = nn.Parameter(minigrad.ones(3))
    assert clip_grad_norm_([p], 1.0).item() == 0.0
    p.grad = minigrad.tensor([3.0, 4.0, 0.0])
    assert abs(clip_grad_norm_(p, 1.0).item() - 5.0) < 1e-6
    np.testing.assert_allclose(np.asarray(p.grad), [0.6, 0.8, 0.0], rtol=1e-5)


def test_clip_grad_value_clamps_each_element_like_torch():
    mg, th = _twin_grads(scale=3.0)
    assert clip_grad_value_(mg, 1.5) is None
    torch.nn.utils.clip_grad_value_(th, 1.5)
    for p, q in zip(mg, th):
        np.testing.assert_array_equal(np.asarray(p.grad), q.grad.numpy())


def test_parameters_to_vector_and_back_round_trip_like_torch():
    mg, th = _twin_grads()
    v_mg, v_th = parameters_to_vector(mg), torch.nn.utils.parameters_to_vector(th)
    np.testing.assert_array_equal(np.asarray(v_mg.detach()), v_th.detach().numpy())
    new = np.arange(v_th.numel(), dtype=np.float64)
    vector_to_parameters(minigrad.tensor(new), mg)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), th)
    for p, q in zip(mg, th):
        np.testing.assert_array_equal(np.asarray(p.detach()), q.detach().numpy())
    with pytest.raises(TypeError, match="expected minigrad.Tensor, but got: list"):
        vector_to_parameters([1.0], mg)


def test_parameters_to_vector_is_differentiable():
    a, b = nn.Parameter(minigrad.ones(2, 2)), nn.Parameter(minigrad.ones(3))
    (parameters_to_vector([a, b]) * minigrad.arange(7.0)).sum().backward()
    assert a.grad.tolist() == [[0.0, 1.0], [2.0, 3.0]] and b.grad.tolist() == [4.0, 5.0, 6.0]
