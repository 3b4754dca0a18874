"""Attention: ``F.scaled_dot_product_attention`` and ``nn.MultiheadAttention``, both
composites of matmul, softmax and the projections (the engine differentiates them)::

    attention(Q, K, V) = softmax(Q K^T * scale + bias) V,   scale = 1 / sqrt(head size)

``bias`` is 0 where a query may look at a key and -inf where it may not (a causal mask,
a boolean ``attn_mask`` or ``key_padding_mask``), or a float mask added as it is. Note the
two conventions, both PyTorch's: a boolean mask of scaled_dot_product_attention is True
where attention is allowed; MultiheadAttention's masks are True where it is not.
"""
import math

from .. import backend
from ..creation import empty
from ..tensor import Tensor
from . import init
from .dropout import _check_p
from .functional import dropout, linear
from .layers import Linear
from .module import Module
from .parameter import Parameter

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _as_bias(mask, dtype):
    """A mask as an additive bias: a boolean mask (True = may attend) becomes 0 / -inf; a
    float mask is the bias itself."""
    if mask.dtype is backend.bool_:
        xp = mask.device.xp
        zero = xp.zeros((), dtype=backend.backend_dtype(dtype, xp))
        return Tensor._make(xp.where(mask._data, zero, zero - float("inf")), None)
    return mask


def _blocked_bias(mask, dtype):
    """MultiheadAttention's masks say the opposite: a boolean True marks a position that
    may NOT be attended (-inf); a float mask is the bias itself."""
    if mask.dtype is backend.bool_:
        return _as_bias(Tensor._make(~mask._data, None), dtype)
    return mask


def _causal_bias(n_queries, n_keys, dtype, device):
    """0 on and below the diagonal, -inf above: query i sees keys 0..i only."""
    xp = device.xp
    rows = xp.reshape(xp.arange(n_queries), (n_queries, 1))
    cols = xp.reshape(xp.arange(n_keys), (1, n_keys))
    zero = xp.zeros((), dtype=backend.backend_dtype(dtype, xp))
    return Tensor._make(xp.where(rows >= cols, zero, zero - float("inf")), None)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(query key^T * scale + mask) value over the last two dims (..., L, E) x
    (..., S, E) -> (..., L, Ev); ``scale`` defaults to 1 / sqrt(E); ``is_causal`` masks
    each query's future keys; ``dropout_p`` drops attention weights (always, as PyTorch's
    function does: pass 0.0 in eval)."""
    if enable_gqa:
        raise NotImplementedError("minigrad's scaled_dot_product_attention has no enable_gqa")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, "
                           f"but got query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: "
                           f"{value.ndim} instead.")
    n_queries, n_keys = query.shape[-2], key.shape[-2]
    if scale is None:  # (no features: the product is 0 whatever the scale)
        scale = 1 / math.sqrt(query.shape[-1]) if query.shape[-1] else 1.0
    scores = query @ key.transpose(-2, -1) * scale
    # a boolean (or causal) mask replaces the scores it hides by -inf, as torch's does (a
    # NaN score there must not reach the row); a float mask is added
    from ..functions import where
    if is_causal:
        scores = where(_causal_bias(n_queries, n_keys, query.dtype, query.device)._data == 0,
                       scores, -math.inf)
    if attn_mask is not None and attn_mask.dtype is backend.bool_:
        scores = where(attn_mask._data, scores, -math.inf)
    elif attn_mask is not None:
        scores = scores + attn_mask
    weights = _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights @ value


def _safe_softmax(scores):
    """softmax over the last dim, 0 (not NaN) in a row whose scores are all -inf (a query
    that may attend to no key), as PyTorch's _safe_softmax gives since 2.5."""
    xp = scores.device.xp
    blocked = xp.all(scores._data == -float("inf"), axis=-1, keepdims=True)
    if not bool(xp.any(blocked)):
        return scores.softmax(-1)
    from ..functions import where
    return where(blocked, 0.0, where(blocked, 0.0, scores).softmax(-1))


def multi_head_attention_forward(query, key, value, num_heads, in_proj_weight, in_proj_bias,
                                 out_proj_weight, out_proj_bias, key_padding_mask=None,
                                 need_weights=True, attn_mask=None, average_attn_weights=True,
                                 is_causal=False, dropout_p=0.0, training=True):
    """Multi-head attention of (L, N, E) queries over (S, N, E) keys and values, as
    PyTorch's ``F.multi_head_attention_forward`` (packed in-projection only)."""
    n_queries, batch, embed = query.shape
    n_keys = key.shape[0]
    head = embed // num_heads
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the scaled_dot_product_attention below masks by itself
    else:
        is_causal = False
    w_q, w_k, w_v = (in_proj_weight[i * embed:(i + 1) * embed] for i in range(3))
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = (in_proj_bias[i * embed:(i + 1) * embed] for i in range(3))
    q, k, v = linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)
    # merge the masks into one additive (N*H or 1, L, S) bias
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (n_queries, n_keys):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape!r}, but "
                                   f"should be {(n_queries, n_keys)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (batch * num_heads, n_queries, n_keys):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape!r}, but "
                               f"should be {(batch * num_heads, n_queries, n_keys)}.")
        attn_mask = _blocked_bias(attn_mask, query.dtype)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (batch, n_keys):
            raise AssertionError(f"expecting key_padding_mask shape of {(batch, n_keys)}, but "
                                 f"got {tuple(key_padding_mask.shape)}")
        padding = _blocked_bias(key_padding_mask, query.dtype).reshape(batch, 1, 1, n_keys)
        padding = padding.expand(batch, num_heads, 1, n_keys).reshape(batch * num_heads, 1,
                                                                       n_keys)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    # (L, N, E) -> (N*H, L, head): each head of each sample is one batch entry
    q = q.reshape(n_queries, batch * num_heads, head).transpose(0, 1)
    k = k.reshape(n_keys, batch * num_heads, head).transpose(0, 1)
    v = v.reshape(n_keys, batch * num_heads, head).transpose(0, 1)
    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = (q * math.sqrt(1.0 / head)) @ k.transpose(-2, -1)
        if attn_mask is not None:
            scores = attn_mask + scores
        weights = scores.softmax(-1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = weights @ v
    else:
        if attn_mask is not None and attn_mask.shape[0] == 1:
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask is not None:
            attn_mask = attn_mask.reshape(batch, num_heads, -1, n_keys)
        out = scaled_dot_product_attention(q.reshape(batch, num_heads, n_queries, head),
                                           k.reshape(batch, num_heads, n_keys, head),
                                           v.reshape(batch, num_heads, n_keys, head),
                                           attn_mask, dropout_p, is_causal)
        out = out.reshape(batch * num_heads, n_queries, head)
        weights = None
    out = out.transpose(0, 1).reshape(n_queries * batch, embed)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(n_queries, batch, embed)
    if weights is not None:
        weights = weights.reshape(batch, num_heads, n_queries, n_keys)
        if average_attn_weights:
            weights = weights.mean(1)
    return out, weights


class NonDynamicallyQuantizableLinear(Linear):
    """The output projection of MultiheadAttention (PyTorch's name for it, kept so that the
    printed model matches)."""


class MultiheadAttention(Module):
    """``num_heads`` attention heads over ``embed_dim`` features, each of size
    embed_dim / num_heads: project queries, keys and values (one packed (3E, E) weight),
    attend per head, concatenate the heads and project back (``out_proj``).

    ``forward(query, key, value)`` takes (L, N, E) inputs, or (N, L, E) with
    ``batch_first=True``, or unbatched (L, E); returns (output, attention weights averaged
    over the heads, or None when ``need_weights=False``).
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        if add_bias_kv or add_zero_attn or (kdim not in (None, embed_dim)) or \
                (vdim not in (None, embed_dim)):
            raise NotImplementedError("minigrad's MultiheadAttention has no add_bias_kv, "
                                      "add_zero_attn or separate kdim/vdim")
        self.embed_dim = embed_dim
        self.kdim = self.vdim = embed_dim
        self._qkv_same_embed_dim = True
        self.num_heads = num_heads
        self.dropout = _check_p(dropout)
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), dtype=dtype,
                                              device=device))
        self.register_parameter("q_proj_weight", None)
        self.register_parameter("k_proj_weight", None)
        self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, dtype=dtype, device=device))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        device=device, dtype=dtype)
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
        self._reset_parameters()

    def _reset_parameters(self):
        init.xavier_uniform_(self.in_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        batched = query.ndim == 3
        if batched and self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        if not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        out, weights = multi_head_attention_forward(
            query, key, value, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.out_proj.weight, self.out_proj.bias, key_padding_mask, need_weights,
            attn_mask, average_attn_weights, is_causal, self.dropout, self.training)
        if not batched:
            out = out.squeeze(1)
            weights = None if weights is None else weights.squeeze(0)
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, weights
