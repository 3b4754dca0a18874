"""Second derivatives at the edges of an op's domain match torch's, NaN for NaN.

Where a derivative is singular (a zero vector's norm, a zero base, a division by 0, no
degrees of freedom left) torch's double backward follows from its documented backward
formula: what the formula treats as a constant has no derivative (0), what it
differentiates gives NaN or inf there. Each case below is such a point, in float64,
checked with ``check_op(..., order=2)`` (values, gradients and second derivatives).
"""
import warnings

import numpy as np
import pytest
import torch

import minigrad
import minigrad.nn.functional as MF
import torch.nn.functional as TF
from parity import check_op


def check2(fn, *inputs, device="cpu", order=2):
    """``fn(lib, F, *tensors)`` on minigrad and on torch, differentiated ``order`` times."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (var's "degrees of freedom is <= 0", on both sides)
        check_op(lambda *xs: fn(minigrad, MF, *xs), lambda *xs: fn(torch, TF, *xs), *inputs,
                 device=device, order=order)


# ------------------------------------------------------------ no degrees of freedom left


@pytest.mark.parametrize("fn", [
    lambda lib, F, a: a.var(),
    lambda lib, F, a: lib.var_mean(a),
    lambda lib, F, a: a.std(),
    lambda lib, F, a: lib.var(a, correction=2),
    lambda lib, F, a: lib.var(a, keepdim=True, correction=3),
], ids=["var", "var_mean", "std", "var correction 2", "var keepdim correction 3"])
@pytest.mark.parametrize("values", [[1.5], [0.5, 2.0], [1.0, 1.0]], ids=["one", "two", "equal"])
def test_var_of_all_elements_without_dof_has_torchs_constant_gradient(fn, values, device):
    # N - correction <= 0: torch's gradient is g * (NaN where x == mean, else inf), a
    # constant: its second derivative is 0 (the variance's own formula would give NaN)
    check2(fn, np.array(values), device=device)


def test_var_of_a_0d_tensor_has_torchs_constant_gradient(device):
    check2(lambda lib, F, a: a.var() + lib.var(a, 0, keepdim=True), np.array(1.25), device=device)


def test_var_along_a_dim_of_one_element_differentiates_its_formula_as_torch(device):
    # over a dim torch differentiates 2 (x - mean) / 0 itself: NaN second derivatives
    check2(lambda lib, F, a: a.var(1) + lib.var_mean(a, 0)[0].sum(), np.array([[1.0], [2.0]]),
           device=device)
