"""``RemovableHandle``, what every ``register_*_hook`` returns (torch.utils.hooks)."""
from ..autograd import RemovableHandle

__all__ = ["RemovableHandle"]
