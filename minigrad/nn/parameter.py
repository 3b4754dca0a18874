"""Parameter: a tensor that a Module registers as one of its learnable weights."""
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that, assigned as a Module attribute, joins ``module.parameters()``.

    It shares memory with ``data`` and requires grad by default. Optimizers update
    it in place, so the object itself never changes identity (``param.data = t`` swaps
    its values, shape and dtype included, as in PyTorch).
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        self._init(data, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):  # copy/deepcopy/pickle keep the class and the flag
        return (Parameter, (Tensor._of(self._data), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        xp = self.device.xp
        out = Parameter(Tensor._of(xp.asarray(self._data, copy=True)), self.requires_grad)
        if self.grad is not None:
            out.grad = Tensor._of(xp.asarray(self.grad._data, copy=True))
        memo[id(self)] = out
        return out
