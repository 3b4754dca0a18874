"""The layers, functions, optimizers, schedules and helpers added for course code take
PyTorch's argument names and defaults, in PyTorch's order (so that code written against
torch's keywords runs unchanged). Compared with ``inspect.signature`` where torch's is
a Python function (its C++ built-ins have none to compare)."""
import inspect

import pytest
import torch

import minigrad

from conftest import TORCH_PINNED
import minigrad.nn as nn
import minigrad.nn.functional as F

PAIRS = [
    *[(f"F.{n}", getattr(torch.nn.functional, n), getattr(F, n)) for n in (
        "leaky_relu", "elu", "selu", "celu", "silu", "mish", "hardtanh", "relu6", "hardswish",
        "softsign", "batch_norm", "layer_norm", "group_norm", "dropout2d", "embedding",
        "adaptive_avg_pool2d", "binary_cross_entropy", "l1_loss", "smooth_l1_loss",
        "huber_loss", "kl_div", "normalize", "pad", "interpolate")],
    *[(f"nn.{n}", getattr(torch.nn, n), getattr(nn, n)) for n in (
        "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Softplus", "Hardtanh",
        "ReLU6", "Hardswish", "Softsign", "PReLU", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
        "GroupNorm", "Dropout2d", "Embedding", "AvgPool2d", "AdaptiveAvgPool2d",
        "AdaptiveMaxPool2d", "BCELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss",
        "CosineSimilarity", "Conv1d", "ConvTranspose2d", "Upsample", "MultiheadAttention",
        "ParameterList", "ParameterDict", "ZeroPad2d", "ConstantPad2d", "ReflectionPad2d",
        "ReplicationPad2d")],
    *[(f"optim.{n}", getattr(torch.optim, n), getattr(minigrad.optim, n)) for n in (
        "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam")],
    *[(f"lr_scheduler.{n}", getattr(torch.optim.lr_scheduler, n),
       getattr(minigrad.optim.lr_scheduler, n)) for n in (
        "LambdaLR", "MultiplicativeLR", "MultiStepLR", "CosineAnnealingLR",
        "CosineAnnealingWarmRestarts", "OneCycleLR", "LinearLR", "ConstantLR", "SequentialLR",
        "ReduceLROnPlateau")],
    *[(f"init.{n}", getattr(torch.nn.init, n), getattr(nn.init, n)) for n in (
        "trunc_normal_", "orthogonal_", "kaiming_normal_", "xavier_normal_", "constant_",
        "calculate_gain")],
    *[(f"utils.{n}", getattr(torch.nn.utils, n), getattr(nn.utils, n)) for n in (
        "clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
        "vector_to_parameters")],
]


def arguments(fn):
    return [(p.name, p.default, p.kind) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("name,torch_fn,minigrad_fn", PAIRS, ids=[p[0] for p in PAIRS])
def test_arguments_and_defaults_are_torchs(name, torch_fn, minigrad_fn):
    theirs = arguments(torch_fn)
    mine = arguments(minigrad_fn)
    if not TORCH_PINNED:  # an older torch may lack newer keywords (BatchNorm's bias)
        mine = [a for a in mine if a[0] in {t[0] for t in theirs}]
    assert mine == theirs
