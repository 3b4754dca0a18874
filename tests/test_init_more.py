"""nn.init.trunc_normal_ and orthogonal_: the distributions and properties PyTorch's have."""
import numpy as np
import pytest
import torch

import minigrad
from minigrad.nn import init


def test_trunc_normal_stays_inside_its_bounds_with_torchs_moments(device):
    t = minigrad.empty(200, 100, device=device)
    init.trunc_normal_(t, mean=0.5, std=2.0, a=-1.0, b=3.0)
    values = np.asarray(t.cpu())
    reference = torch.nn.init.trunc_normal_(torch.empty(200, 100), 0.5, 2.0, -1.0, 3.0).numpy()
    assert values.min() >= -1.0 and values.max() <= 3.0
    assert abs(values.mean() - reference.mean()) < 0.05
    assert abs(values.std() - reference.std()) < 0.05
    assert t.dtype == minigrad.float32


@pytest.mark.parametrize("shape", [(5, 5), (3, 8), (8, 3), (4, 2, 3, 3)])
def test_orthogonal_gives_orthonormal_rows_or_columns_times_gain(shape, device):
    t = minigrad.empty(*shape, dtype=minigrad.float64, device=device)
    init.orthogonal_(t, gain=2.0)
    q = np.asarray(t.cpu()).reshape(shape[0], -1) / 2.0
    small = min(q.shape)
    gram = q @ q.T if q.shape[0] == small else q.T @ q
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_orthogonal_rejects_vectors_like_torch():
    for lib, module in ((torch, torch.nn.init), (minigrad, init)):
        with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are "
                                             "supported"):
            module.orthogonal_(lib.zeros(3))


def test_new_init_functions_are_reproducible_under_manual_seed():
    out = []
    for _ in range(2):
        minigrad.manual_seed(3)
        a, b = minigrad.empty(4, 4), minigrad.empty(4, 4)
        init.orthogonal_(a)
        init.trunc_normal_(b)
        out.append((a.tolist(), b.tolist()))
    assert out[0] == out[1]
