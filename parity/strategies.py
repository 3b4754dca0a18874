"""Hypothesis strategies for op checks: shapes, arrays, broadcastable pairs, conv/pool settings.

Every array strategy draws float64 NumPy arrays; ``check_op`` turns them into a minigrad
tensor and a torch tensor holding the same numbers.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def shapes(min_dims=0, max_dims=4, min_side=1, max_side=5):
    """Array shapes, including scalars (0 dims) and size-1 axes."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def arrays(shape=None, low=-3.0, high=3.0, dtype=np.float64, unique=False):
    """Float arrays of ``shape`` (a tuple or a strategy; default: any small shape).

    Values are drawn in [low, high]; ``unique=True`` avoids ties (for max and sort-like ops).
    """
    shape = shapes() if shape is None else shape
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)
    return hnp.arrays(dtype, shape, elements=elements, unique=unique)


def positive_arrays(shape=None, low=0.1, high=4.0):
    """Arrays away from 0, for log, sqrt and division."""
    return arrays(shape, low, high)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=5):
    """A tuple of ``num_shapes`` shapes that broadcast together (size-1 and missing axes)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims,
                                             max_dims=max_dims, max_side=max_side).map(
        lambda r: r.input_shapes)


@st.composite
def broadcastable_arrays(draw, num_arrays=2, low=-3.0, high=3.0, max_dims=4):
    """A tuple of arrays whose shapes broadcast together."""
    return tuple(draw(arrays(s, low, high)) for s in draw(broadcastable_shapes(num_arrays,
                                                                               max_dims=max_dims)))


@st.composite
def matmul_shapes(draw, max_side=5):
    """(shape_a, shape_b) valid for matmul: vector-vector, matrix-vector, batched, broadcast."""
    n, k, m = (draw(st.integers(1, max_side)) for _ in range(3))
    kind = draw(st.sampled_from(["mm", "mv", "vm", "vv", "batched", "broadcast"]))
    if kind == "mm":
        return (n, k), (k, m)
    if kind == "mv":
        return (n, k), (k,)
    if kind == "vm":
        return (k,), (k, m)
    if kind == "vv":
        return (k,), (k,)
    b = draw(st.integers(1, 3))
    if kind == "batched":
        return (b, n, k), (b, k, m)
    return (b, 1, n, k), (2, k, m)


@st.composite
def conv2d_params(draw, max_batch=3, max_channels=3, max_size=9, max_kernel=4):
    """Keyword arguments and shapes for a valid conv2d: stride, padding, non-square kernels."""
    kh, kw = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    h = draw(st.integers(max(1, kh - 2 * padding[0]), max_size))
    w = draw(st.integers(max(1, kw - 2 * padding[1]), max_size))
    return dict(batch=draw(st.integers(1, max_batch)), in_channels=draw(st.integers(1, max_channels)),
                out_channels=draw(st.integers(1, max_channels)), height=h, width=w,
                kernel_size=(kh, kw), stride=stride, padding=padding, bias=draw(st.booleans()))


@st.composite
def pool2d_params(draw, max_batch=2, max_channels=3, max_size=9, max_kernel=4):
    """Keyword arguments and shapes for a valid max_pool2d, overlapping windows included."""
    kh, kw = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2)))
    h = draw(st.integers(max(1, kh - 2 * padding[0]), max_size))
    w = draw(st.integers(max(1, kw - 2 * padding[1]), max_size))
    return dict(batch=draw(st.integers(1, max_batch)), channels=draw(st.integers(1, max_channels)),
                height=h, width=w, kernel_size=(kh, kw), stride=stride, padding=padding)


def dims(ndim):
    """A valid ``dim`` argument for an ``ndim``-dimensional tensor (negative ones too)."""
    if ndim == 0:
        return st.sampled_from([0, -1])
    return st.integers(-ndim, ndim - 1)
