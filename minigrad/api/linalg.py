"""Products of matrices and vectors with torch's names and checks: mm, bmm, mv, dot, outer,
inner, einsum (all made of matmul, broadcasting, or the einsum op)."""
import string

from .. import backend
from ..ops import linalg as L
from ..promotion import KERNEL_NAMES
from ..tensor import _tensor_arg


def KERNEL(dtype):
    return KERNEL_NAMES[dtype.name]


def mm(input, mat2):
    """(n, k) @ (k, m): matrices only."""
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return input @ mat2


def bmm(input, mat2):
    """(b, n, k) @ (b, k, m): batches of the same size, no broadcasting."""
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}].")
    return input @ mat2


def mv(input, vec):
    """(n, k) @ (k,)."""
    if input.ndim != 2 or vec.ndim != 1 or input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.ndim else 0}), "
                           f"mat ({'x'.join(map(str, input.shape))}), vec "
                           f"({'x'.join(map(str, vec.shape))})")
    return input @ vec


def dot(input, tensor):
    """The sum of the products of two vectors' elements."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D "
                           "tensors")
    if input.dtype is backend.bool_ or tensor.dtype is backend.bool_:
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")
    return input @ tensor


vdot = dot


def outer(input, vec2):
    """out[i, j] = input[i] * vec2[j]."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


def inner(input, other):
    """Sum over the last dims of both (a scalar times a tensor when one is 0-d)."""
    _tensor_arg(other, "inner", 2)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    if input.dtype is backend.bool_ and other.dtype is backend.bool_ and input.numel() and \
            other.numel():
        kernel = "dot" if input.ndim == other.ndim == 1 else "addmm_impl_cpu_"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    return _inner(input, other)


def _inner(a, b):
    letters = iter(string.ascii_letters)
    sa = "".join(next(letters) for _ in range(a.ndim - 1))
    sb = "".join(next(letters) for _ in range(b.ndim - 1))
    k = next(letters)
    return einsum(f"{sa}{k},{sb}{k}->{sa}{sb}", a, b)


def einsum(equation, *operands):
    """Einstein summation, as torch.einsum: ``einsum("ij,jk->ik", a, b)``; "..." stands for
    leading dims, and without "->" the output is the subscripts used once, in order."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    lhs, arrow, output = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the "
                           f"equation" if len(operands) > len(inputs) else
                           "einsum(): fewer operands were provided than specified in the equation")
    spare = iter(c for c in string.ascii_uppercase + string.ascii_lowercase if c not in equation)
    ellipsis = ""
    if "..." in equation:
        n = max(op.ndim - len(sub.replace("...", "")) for sub, op in zip(inputs, operands)
                if "..." in sub)
        ellipsis = "".join(next(spare) for _ in range(n))
        for i, (sub, op) in enumerate(zip(inputs, operands)):
            k = op.ndim - (len(sub) - 3)  # the dims "..." covers in this operand (right-aligned)
            inputs[i] = sub.replace("...", ellipsis[n - k:] if k else "")
    if not arrow:
        counts = {c: "".join(inputs).count(c) for c in "".join(inputs)}
        output = ellipsis + "".join(sorted(c for c, k in counts.items() if k == 1
                                           and c not in ellipsis))
    else:
        output = output.replace("...", ellipsis)
    sizes = {}
    for i, (sub, op) in enumerate(zip(inputs, operands)):
        if len(sub) != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(sub)}) does not match the number of dimensions "
                               f"({op.ndim}) for operand {i} and no ellipsis was given")
        if len(set(sub)) != len(sub):
            raise NotImplementedError("einsum(): a subscript repeated within one operand "
                                      "(a diagonal or trace) is not supported")
        for c, n in zip(sub, op.shape):
            if sizes.setdefault(c, n) != n and 1 not in (n, sizes[c]):
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {sizes[c]}")
            sizes[c] = max(sizes[c], n)
    operands = [op.expand(tuple(sizes[c] for c in sub)) for sub, op in zip(inputs, operands)]
    return L.Einsum.apply(*operands, inputs=tuple(inputs), output=output)


def tensordot(a, b, dims=2):
    """Sum of products over a's last ``dims`` dims and b's first (or the dims listed as
    ``dims=([a's], [b's])``): a permute, a reshape and one matmul."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {i} and second has size {b.shape[j]} in "
                               f"dim {j}")
    da, db = [d % a.ndim for d in da], [d % b.ndim for d in db]
    keep_a = [d for d in range(a.ndim) if d not in da]
    keep_b = [d for d in range(b.ndim) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    left = a.permute(*keep_a, *da).reshape(-1, k)
    right = b.permute(*db, *keep_b).reshape(k, -1)
    return (left @ right).reshape(tuple(a.shape[d] for d in keep_a) +
                                  tuple(b.shape[d] for d in keep_b))


def trace(input):
    """The sum of a matrix's diagonal."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return input.diagonal().sum()


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """out[..., i, j] = the p-norm of x1[..., i, :] - x2[..., j, :] (batch dims broadcast);
    at a zero distance the gradient is 0, as in torch."""
    from .reduce import norm
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if not x1.dtype.is_floating_point or not x2.dtype.is_floating_point:
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{KERNEL(x1.dtype)}")
    return norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)


METHODS = {name: globals()[name] for name in "mm bmm mv dot vdot outer ger inner trace".split()}
__all__ = list(METHODS) + ["einsum", "tensordot", "cdist"]
