"""Utilities with PyTorch's names: ``minigrad.utils.data`` (Dataset, DataLoader ...)."""
from . import data

__all__ = ["data"]
