"""``minigrad.nn``: modules, layers, losses, ``functional`` and ``init``, as in ``torch.nn``."""
from . import functional, init, utils
from .activation import (CELU, ELU, GELU, SELU, Hardswish, Hardtanh, LeakyReLU, Mish, PReLU,
                         ReLU6, SiLU, Softplus, Softsign)
from .conv import Conv1d, ConvTranspose2d
from .attention import MultiheadAttention
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .dropout import Dropout2d
from .layers import (Conv2d, Dropout, Flatten, Identity, Linear, LogSoftmax, MaxPool2d, ReLU,
                     Sigmoid, Softmax, Softmax2d, Tanh, Unflatten)
from .fold import Fold, PixelShuffle, PixelUnshuffle, Unfold
from .loss import (BCELoss, BCEWithLogitsLoss, CosineSimilarity, CrossEntropyLoss, HuberLoss,
                   KLDivLoss, L1Loss, MSELoss, NLLLoss, PairwiseDistance, SmoothL1Loss)
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from .padding import ConstantPad2d, ReflectionPad2d, ReplicationPad2d, ZeroPad2d
from .parameter import Parameter
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d
from .sparse import Embedding
from .upsampling import Upsample

__all__ = ["functional", "init", "utils", "Module", "Parameter", "Sequential", "ModuleList",
           "ModuleDict", "ParameterList", "ParameterDict", "Linear", "Conv2d", "MaxPool2d",
           "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "BatchNorm1d", "BatchNorm2d",
           "LayerNorm", "GroupNorm", "Embedding", "ReLU", "Sigmoid", "Tanh", "Softmax",
           "LogSoftmax", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Softplus",
           "Hardtanh", "ReLU6", "Hardswish", "Softsign", "PReLU", "Flatten", "Dropout",
           "Dropout2d", "Identity", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss",
           "BCELoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss",
           "CosineSimilarity", "Conv1d", "ConvTranspose2d", "Upsample", "ZeroPad2d",
           "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d", "MultiheadAttention",
           "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
           "Unflatten", "Softmax2d", "PixelShuffle", "PixelUnshuffle", "Unfold", "Fold",
           "PairwiseDistance"]
