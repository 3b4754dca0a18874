"""Fast paths compute what their plain versions compute, bit for bit: each one is checked
here against the plain code it stands in for (the CPU tricks of minigrad/cpu_speed.py,
and the NumPy/CuPy-only branches of ops)."""
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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel, stride, padding, layout", [
    (2, 2, 0, (0, 1, 2, 3)),        # tiles the input exactly: dx made without zeros
    (2, 2, 0, (3, 1, 0, 2)),        # the same on a conv output's layout (batch fastest)
    (3, 3, 1, (0, 1, 2, 3)),        # padded, tiling the padded input
    (2, 3, 0, (0, 1, 2, 3)),        # disjoint windows that leave pixels out
    (3, 2, 1, (0, 1, 2, 3)),        # overlapping windows: the plain path either way
])
@pytest.mark.parametrize("g_like_output", [True, False])  # as a next layer returns it, or not
def test_max_pool_backward_written_into_the_window_views_equals_the_plain_backward(
        monkeypatch, dtype, kernel, stride, padding, layout, g_like_output):
    from minigrad.ops import conv
    shape = (4, 3, 8, 10)
    base = np.random.default_rng(1).standard_normal([shape[a] for a in layout]).astype(dtype)
    base.reshape(-1)[::5] = 0.5  # ties inside windows: the first maximum takes g
    x_np = base.transpose(np.argsort(layout))

    def grad(fast):
        if not fast:  # arrays without strides as far as the op can tell: the plain path
            monkeypatch.setattr(conv, "has_strides", lambda a: False)
        x = minigrad.from_numpy(x_np).requires_grad_(True)
        out = minigrad.nn.functional.max_pool2d(x, kernel, stride, padding)
        g = np.random.default_rng(2).standard_normal(tuple(out.shape)).astype(dtype)
        g.reshape(-1)[::3] *= -1e-30  # tiny negative products: -0.0 must come out the same
        if g_like_output:  # the same numbers, laid out in memory like the pooled output
            like = np.empty_like(out.data)
            like[...] = g
            g = like
        out.backward(minigrad.from_numpy(g))
        monkeypatch.undo()
        return x.grad.numpy()

    assert _bits_equal(grad(True), grad(False))


def test_ones_vector_is_one_constant_per_length_dtype_and_device():
    from minigrad import backend
    a32, a64 = np.zeros(3, np.float32), np.zeros(3, np.float64)
    ones = backend.ones_vector(a32, 5)
    assert ones.dtype == np.float32 and ones.tolist() == [1.0] * 5
    assert backend.ones_vector(a32, 5) is ones  # kept: no fill at every call
    assert backend.ones_vector(a64, 5).dtype == np.float64
    assert backend.ones_vector(a32, 6).shape == (6,)


@pytest.mark.parametrize("size", [6, 10000])  # the plain path, and the fast one
def test_relu_keeps_the_dtype_of_bool_and_integer_inputs(size):
    for dtype in (np.bool_, np.uint8, np.int32, np.int64, np.float16):
        x = (np.arange(size) % 3 - 1).astype(dtype)
        out = cpu_speed.relu(x)
        assert out.dtype == dtype and _bits_equal(out, np.maximum(x, np.zeros((), dtype)))
