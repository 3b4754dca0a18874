"""The CPU speed tricks (minigrad/cpu_speed.py) compute what their plain versions compute,
bit for bit: each fast path is checked here against the plain code it stands in for."""
import numpy as np
import pytest

import minigrad
from minigrad import cpu_speed


def _bits_equal(a, b):
    """Same shape, dtype and bits (NaN payloads and the sign of zero included)."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def _awkward_values(shape, dtype, seed=0):
    """Random values with NaN, -0.0 and -inf sprinkled in (floats)."""
    x = (np.random.default_rng(seed).standard_normal(shape) * 3).astype(dtype)
    if np.issubdtype(dtype, np.floating):
        flat = x.reshape(-1)
        flat[::7], flat[1::11], flat[2::13], flat[3::17] = np.nan, -0.0, -np.inf, np.inf
    return x


# layouts the engine produces: row-major, a Linear output (feature-major), a conv output
# (batch fastest), a chunk boundary inside, and not dense at all (every other row)
LAYOUTS = [((300, 40), (0, 1)), ((64, 200), (1, 0)), ((5, 6, 7, 64), (3, 1, 0, 2)),
           ((cpu_speed._CHUNK + 5,), (0,)), ((3, 4), (1, 0))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("shape, axes", LAYOUTS)
def test_relu_fast_path_equals_maximum_with_zero_bit_for_bit_and_keeps_the_layout(
        dtype, shape, axes):
    x = _awkward_values(shape, dtype).transpose(axes)
    out = cpu_speed.relu(x)
    assert _bits_equal(out, np.maximum(x, np.zeros((), dtype=dtype)))
    assert out.strides == x.strides


def test_relu_fast_path_of_a_strided_view_equals_maximum_with_zero():
    x = _awkward_values((400, 50), np.float32)[::2]
    assert _bits_equal(cpu_speed.relu(x), np.maximum(x, np.float32(0)))


def test_relu_op_uses_the_fast_path_and_gives_torch_values_at_nan_and_infinities():
    torch = pytest.importorskip("torch")
    x = _awkward_values((64, 200), np.float32).T  # big enough for the fast path
    got = minigrad.relu(minigrad.from_numpy(x)).numpy()
    want = torch.relu(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(got, want)  # (NaN where NaN; -0.0 == 0.0)
