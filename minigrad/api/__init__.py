"""PyTorch's functions beyond the core, by topic: each is both ``minigrad.name(t, ...)`` and,
where torch has it, the method ``t.name(...)``.

The differentiable primitives live in ``minigrad/ops/`` (forward and backward side by side);
the functions here only turn torch's calling conventions into op calls, or compose other
functions (``std`` from ``var``, ``lerp`` from ``+`` and ``*``): a composite has no backward of
its own, the engine differentiates the primitives it is made of.
"""
from ..tensor import Tensor
from . import bins, creation, index, linalg, math, random, reduce, shape, sort, top

MODULES = (creation, index, linalg, math, random, reduce, shape, sort, top, bins)

for _module in MODULES:
    for _name, _fn in _module.METHODS.items():
        setattr(Tensor, _name, _fn)
