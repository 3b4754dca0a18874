"""``minigrad.nn``: modules, layers, losses, ``functional`` and ``init``, as in ``torch.nn``."""
from . import functional, init
from .container import ModuleDict, ModuleList, Sequential
from .layers import (Conv2d, Dropout, Flatten, Identity, Linear, LogSoftmax, MaxPool2d, ReLU,
                     Sigmoid, Softmax, Tanh)
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter

__all__ = ["functional", "init", "Module", "Parameter", "Sequential", "ModuleList",
           "ModuleDict", "Linear", "Conv2d", "MaxPool2d", "ReLU", "Sigmoid", "Tanh", "Softmax",
           "LogSoftmax", "Flatten", "Dropout", "Identity", "CrossEntropyLoss", "NLLLoss",
           "BCEWithLogitsLoss", "MSELoss"]
