"""Random sampling with torch's names: multinomial, bernoulli, normal (no gradients, as in
torch). Numbers are drawn on the host from minigrad's generator, like randn's."""
import numpy as np

from .. import backend, creation
from ..tensor import Tensor


def _rng(generator):
    return generator.rng if generator is not None else backend.get_rng()


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """``num_samples`` indices drawn with probabilities proportional to each row of ``input``."""
    p = np.asarray(backend.to_numpy(input._data), dtype=np.float64)
    rows = p.reshape(-1, p.shape[-1]) if p.ndim else p.reshape(1, 1)
    if (rows < 0).any() or not np.isfinite(rows).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rng = _rng(generator)
    out = np.stack([rng.choice(rows.shape[1], size=num_samples, replace=replacement,
                               p=r / r.sum()) for r in rows])
    out = out.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64)
    return Tensor._make(backend.from_numpy(out, input.device), None)


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (or ``p``), else 0, in input's dtype."""
    probs = backend.to_numpy(input._data) if p is None else np.full(tuple(input.shape), p)
    draws = (_rng(generator).random(probs.shape) < probs).astype(input.dtype.name)
    return Tensor._make(backend.from_numpy(draws, input.device), None)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None):
    """Normal samples: of ``size`` for numbers, else of mean's and std's broadcast shape."""
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal() with numbers for mean and std needs a size")
        out = creation.randn(*size, generator=generator, dtype=dtype, device=device)
        return out * std + mean if (std, mean) != (1.0, 0.0) else out
    like = mean if isinstance(mean, Tensor) else std
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = np.broadcast_shapes(np.shape(backend.to_numpy(m)) if isinstance(mean, Tensor) else (),
                                np.shape(backend.to_numpy(s)) if isinstance(std, Tensor) else ())
    z = _rng(generator).standard_normal(shape).astype(like.dtype.name)
    z = Tensor._make(backend.from_numpy(z, like.device), None)
    return (z * std + mean).detach()


METHODS = {"multinomial": multinomial, "bernoulli": bernoulli}
__all__ = ["multinomial", "bernoulli", "normal"]
