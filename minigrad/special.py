"""``torch.special``: the special functions under their SciPy-style names, each the same
function as minigrad's own (``expit`` is ``sigmoid``)."""
from .api.math import erf, erfc, erfinv, logit, xlogy
from .functions import sigmoid
from .nn import functional as _F


def expit(input):
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    return sigmoid(input)


def softmax(input, dim, *, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (computed in ``dtype`` when given)."""
    return _F.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """x - logsumexp(x) along ``dim`` (computed in ``dtype`` when given)."""
    return _F.log_softmax(input, dim, dtype=dtype)


__all__ = ["expit", "logit", "erf", "erfc", "erfinv", "softmax", "log_softmax", "xlogy"]
