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
