"""Random sampling with torch's names: multinomial, bernoulli, normal (no gradients, as in
torch). Numbers are drawn on the host from minigrad's generator, like randn's."""
import numpy as np

from .. import backend, creation
from ..promotion import KERNEL_NAMES
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


def seed():
    """Seed the global generator from the OS's entropy; returns that seed."""
    s = int(np.random.SeedSequence().entropy) % (1 << 64)
    backend.manual_seed(s)
    return s


def initial_seed():
    """The seed the global generator was last seeded with (``manual_seed`` or ``seed``)."""
    return backend._seed


def _fill(self, values):
    return self.copy_(Tensor._make(backend.from_numpy(np.asarray(values).astype(self.dtype.name),
                                                      self.device), None))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill self with 1 with probability ``p`` (a number or a tensor), else 0."""
    if isinstance(p, Tensor):
        probs = backend.to_numpy(p._data)
        if (probs < 0).any() or (probs > 1).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                               "(Could this error message be improved?  If so, please report "
                               "an enhancement request to PyTorch.)")
        probs = np.broadcast_to(probs, tuple(self.shape))
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        probs = np.full(tuple(self.shape), p)
    return _fill(self, _rng(generator).random(probs.shape) < probs)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill self with exponential samples of rate ``lambd`` (density lambd * exp(-lambd x))."""
    if not self.dtype.is_floating_point:
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{KERNEL_NAMES[self.dtype.name]}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill(self, _rng(generator).exponential(1.0 / lambd, size=tuple(self.shape)))


_RANDOM_TOP = {"float64": 2 ** 53, "float32": 2 ** 24, "float16": 2 ** 11, "bool": 1}


def random_(self, *args, generator=None, **kwargs):
    """Fill self with integers drawn uniformly: ``random_(to)`` from [0, to), ``random_(from,
    to)`` from [from, to), ``random_()`` from [0, 2^mantissa] for floats (the dtype's
    largest for integers)."""
    bounds = dict(zip(("from", "to"), args), **kwargs)
    if len(args) == 1 and not kwargs:
        bounds = {"from": 0, "to": args[0]}
    low, high = bounds.get("from", 0), bounds.get("to")
    name = self.dtype.name
    if high is None:
        top = _RANDOM_TOP.get(name)
        high = top + 1 if top is not None else int(np.iinfo(name).max) + 1
        if not bounds:
            low = 0
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    if not self.dtype.is_floating_point and name != "bool":
        info = np.iinfo(name)
        if low < info.min or high - 1 > info.max:
            raise RuntimeError(f"to - 1 is out of bounds for {_C_NAMES.get(name, name)}")
    return _fill(self, _rng(generator).integers(low, high, size=tuple(self.shape)))


_C_NAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int",
            "int64": "long"}


METHODS = {"multinomial": multinomial, "bernoulli": bernoulli, "bernoulli_": bernoulli_,
           "exponential_": exponential_, "random_": random_}
__all__ = ["multinomial", "bernoulli", "normal", "seed", "initial_seed"]
