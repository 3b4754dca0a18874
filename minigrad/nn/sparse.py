"""Embedding: a lookup table of learned vectors, one row per index, and ``F.embedding``."""
from .. import autograd
from ..creation import empty
from ..ops import sparse as S
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["embedding"]

_INDEX_TYPES = ("int64", "int32")


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer ``input``
    (any shape): the output has shape ``input.shape + (embedding_dim,)``.

    ``padding_idx``: that row gets no gradient. ``max_norm``: rows that the lookup reads
    and whose ``norm_type``-norm exceeds it are rescaled in place to norm ``max_norm``
    first, as in PyTorch. ``scale_grad_by_freq``: divide each row's gradient by how often
    its index occurs in the batch.
    """
    if input.dtype.name not in _INDEX_TYPES:
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.type()} instead "
                           f"(while checking arguments for embedding)")
    if sparse:
        raise NotImplementedError("minigrad has no sparse gradients (sparse=True)")
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx += n
        elif padding_idx >= n:
            raise AssertionError("Padding_idx must be within num_embeddings")
    data = input._data
    if data.size and (int(input.device.xp.min(data)) < 0 or int(input.device.xp.max(data)) >= n):
        raise IndexError(f"index out of range in self (indices must lie in [0, {n - 1}] for "
                         f"{n} embeddings; got values from {int(input.device.xp.min(data))} "
                         f"to {int(input.device.xp.max(data))})")
    if max_norm is not None:
        _renorm_rows(weight, data, max_norm, norm_type)
    return S.Embedding.apply(weight, data, padding_idx=padding_idx,
                             scale_grad_by_freq=scale_grad_by_freq)


def _renorm_rows(weight, idx, max_norm, norm_type):
    """Rescale, in place, the rows of ``weight`` that ``idx`` reads and whose norm is above
    ``max_norm`` to norm max_norm (PyTorch's embedding_renorm_, with its 1e-7)."""
    xp = weight.device.xp
    rows = xp.unique_values(xp.reshape(idx, (-1,)))
    picked = xp.take(weight._data, rows, axis=0)
    norms = xp.sum(xp.abs(picked) ** norm_type, axis=1) ** (1 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), xp.ones_like(norms))
    with autograd.no_grad():
        weight._data[rows, ...] = picked * xp.reshape(scale, (-1, 1))
        weight._version += 1


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, initialised N(0, 1)
    (the ``padding_idx`` row, if any, zeros); ``forward(indices)`` looks rows up."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if padding_idx > 0:
                if padding_idx >= num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
            elif padding_idx < 0:
                if padding_idx < -num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(empty((num_embeddings, embedding_dim), dtype=dtype,
                                          device=device), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with autograd.no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        """An Embedding whose table is ``embeddings`` (2-D; frozen unless ``freeze=False``)."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=Tensor._of(embeddings._data), _freeze=freeze)
