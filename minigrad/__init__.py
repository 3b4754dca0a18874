"""minigrad: a from-scratch tensor and reverse-mode autograd engine with PyTorch's API.

Swap ``import torch`` for ``import minigrad as torch`` (and ``torch.nn`` for
``minigrad.nn``...) and a tutorial runs on this engine.
"""
from . import autograd, backend, cpu_speed
from .autograd import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                       no_grad, set_grad_enabled)
from .autograd import is_anomaly_check_nan_enabled, is_anomaly_enabled  # noqa: E402
from .backend import device, dtype
from .cpu_speed import set_flush_denormal
from .backend import bool_ as bool  # noqa: A001  (torch.bool)
from .backend import float16, float32, float64, int8, int16, int32, int64, uint8
from .promotion import (can_cast, get_default_dtype, promote_types, result_type,
                        set_default_dtype)
from .creation import (Generator, arange, as_tensor, empty, from_numpy, full, full_like,
                       linspace, manual_seed, ones, ones_like, rand, randint, randn, randperm,
                       tensor, zeros, zeros_like)
from .functions import (abs, add, allclose, amax, amin, argmax, argmin, cat, clamp, clip,
                        clone, concat, div, eq, equal, exp, flatten, ge, gt, is_tensor, le,
                        log, log_softmax, logsumexp, lt, matmul, max, maximum, mean, min,
                        minimum, mul, ne, neg, numel, permute, pow, relu, reshape, round,
                        sigmoid, softmax, sqrt, squeeze, stack, sub, sum, tanh, transpose,
                        unsqueeze, where)
from .tensor import Size, Tensor
from .api.creation import *  # noqa: E402,F401,F403  (eye, logspace, randn_like ...)
from .api.index import *  # noqa: E402,F401,F403  (gather, scatter, index_select ...)
from .api.linalg import *  # noqa: E402,F401,F403  (mm, bmm, dot, outer, einsum ...)
from .api.math import *  # noqa: E402,F401,F403  (sin, floor, remainder, isclose ...)
from .api.random import *  # noqa: E402,F401,F403  (multinomial, bernoulli, normal)
from .api.reduce import *  # noqa: E402,F401,F403  (prod, var, std, norm, cumsum ...)
from .api.sort import *  # noqa: E402,F401,F403  (sort, argsort, topk, unique ...)
from .api.shape import *  # noqa: E402,F401,F403  (split, chunk, flip, tril, movedim ...)
from .api.top import *  # noqa: E402,F401,F403  (set_default_device, set_printoptions ...)
from .legacy import *  # noqa: E402,F401,F403  (FloatTensor, LongTensor ...: legacy types)
from .dtype_info import finfo, iinfo  # noqa: E402
from math import e, inf, nan, pi  # noqa: E402,F401  (torch.inf, torch.pi ...)
from .api.bins import *  # noqa: E402,F401,F403  (bincount, histc, bucketize, searchsorted)
from . import datasets, nn, optim, utils, viz  # noqa: E402  (torch.nn, torch.optim ...)
from . import backends, linalg, special  # noqa: E402  (torch.linalg, torch.special ...)
from . import arguments  # noqa: E402

# x.sum(axis=0, keepdims=True), torch.cat(xs, axis=1), torch.matmul(a, b, out=c): torch's
# argument parser takes NumPy's names and out=; so do minigrad's functions
arguments.install(globals(), [n for n in dir() if not n.startswith("_")], Tensor)

float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001
short = int16
half = float16

__version__ = "0.1.0"


class cuda:
    """``minigrad.cuda.is_available()`` and friends (False, never an error, without a GPU)."""

    @staticmethod
    def is_available():
        return backend.cuda_is_available()

    @staticmethod
    def device_count():
        if not backend.cuda_is_available():
            return 0
        import cupy
        return cupy.cuda.runtime.getDeviceCount()

    @staticmethod
    def manual_seed(seed):
        manual_seed(seed)  # random numbers are drawn on the host for every device

    manual_seed_all = manual_seed


def save(obj, f):
    from .serialization import save as _save
    return _save(obj, f)


def load(f, map_location=None, weights_only=True):
    from .serialization import load as _load
    return _load(f, map_location=map_location)
