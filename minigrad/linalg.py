"""``torch.linalg``: norms of vectors and matrices (composites of minigrad's reductions) and
the square-matrix inverse, determinant and solve (ops in ``ops/matrix.py``, twice
differentiable)."""
from .api import reduce
from .api.shape import broadcast_shapes
from .api.common import wrap_dims
from .ops import matrix as X
from .promotion import KERNEL_NAMES
from .tensor import Tensor


def _float_matrix(A, name, square=True):
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if not A.dtype.is_floating_point:
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as "
                           f"input. Got {KERNEL_NAMES[A.dtype.name]}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ``ord``-norm of the elements over ``dim`` (all of them by default):
    (sum |x|^ord)^(1/ord); inf: max |x|, -inf: min |x|, 0: the count of non-zeros."""
    return reduce.norm(x, p=ord, dim=dim, keepdim=keepdim, dtype=dtype)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """A norm of each matrix over ``dim``: 'fro' sqrt(sum A^2); 1 / -1 the largest / smallest
    column sum of |A|; inf / -inf the largest / smallest row sum of |A|. ('nuc', 2 and -2 need
    singular values: not supported.)"""
    _float_matrix(A, "matrix_norm", square=False)
    d0, d1 = wrap_dims(tuple(dim), A.ndim)
    x = A if dtype is None else A.to(dtype)
    if ord == "fro":
        return reduce.norm(x, 2, dim=(d0, d1), keepdim=keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs singular values, "
                                  f"which minigrad does not compute")
    inf = float("inf")
    if ord not in (1, -1, inf, -inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    summed, other = (d0, d1) if ord in (1, -1) else (d1, d0)  # 1: columns' sums, inf: rows'
    sums = x.abs().sum(dim=summed, keepdim=True)
    out = sums.amax(dim=other, keepdim=True) if ord > 0 else sums.amin(dim=other, keepdim=True)
    return out if keepdim else out.squeeze((d0, d1))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (1-d, or ``dim`` an int) or a matrix norm (2-d, or ``dim`` a pair); with
    neither ``ord`` nor ``dim``, the 2-norm of all elements."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim, dtype=dtype)
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A.ndim}D.")
        dim = tuple(range(A.ndim))
    if len(dim) == 1:
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got "
                       f"{list(dim)}")


def inv(A):
    """The inverse of each square matrix: inv(A) @ A = I."""
    _float_matrix(A, "inv")
    return X.Inv.apply(A)


def det(A):
    """The determinant of each square matrix."""
    _float_matrix(A, "det")
    return X.Det.apply(A)


def solve(A, B, *, left=True):
    """X with A X = B (``left=False``: X A = B); B is a vector when it is 1-d or A's shape less
    its last dim; batch dims broadcast."""
    _float_matrix(A, "solve")
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg_solve(): argument 'B' (position 2) must be Tensor, not "
                        f"{type(B).__name__}")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {KERNEL_NAMES[A.dtype.name]} and B of type "
                           f"{KERNEL_NAMES[B.dtype.name]} instead")
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    b = B.unsqueeze(-1) if vector else B
    n = A.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = "
                           f"B ({A.shape[-2]}x{n} and {b.shape[-2]}x{b.shape[-1]})")
    batch = tuple(broadcast_shapes(A.shape[:-2], b.shape[:-2]))
    x = X.Solve.apply(A.expand(batch + (n, n)), b.expand(batch + tuple(b.shape[-2:])))
    return x.squeeze(-1) if vector else x


__all__ = ["norm", "vector_norm", "matrix_norm", "inv", "det", "solve"]
