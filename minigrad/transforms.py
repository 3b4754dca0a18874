"""The torchvision transforms a beginner's program uses: ToTensor, Normalize, Compose, Lambda.

The import swap, next to the datasets::

    from torchvision import datasets, transforms      # PyTorch
    from minigrad import datasets, transforms         # minigrad

    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.1307,), (0.3081,))])
    train_set = datasets.MNIST("data", train=True, download=True, transform=transform)

Each class has torchvision's name, arguments, repr, errors and formula. One difference,
because minigrad has no PIL dependency: ``minigrad.datasets`` items are already the
tensor torchvision's ``ToTensor`` makes (float32, C x H x W, values in [0, 1]), so
``ToTensor`` hands a minigrad tensor back unchanged; it converts NumPy arrays (and PIL
images, where PIL is installed) as torchvision does.
"""
import numpy as np

from .creation import as_tensor
from .tensor import Tensor

__all__ = ["Compose", "ToTensor", "Normalize", "Lambda"]


class Compose:
    """Apply ``transforms`` one after the other: ``Compose([t1, t2])(x) == t2(t1(x))``."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return type(self).__name__ + "(" + "".join(f"\n    {t}" for t in self.transforms) + "\n)"


class ToTensor:
    """An image as a float32 tensor C x H x W: a NumPy array H x W (x C) or a PIL image;
    unsigned bytes are scaled to [0, 1] (divided by 255), other dtypes keep their values.

    A minigrad tensor (what ``minigrad.datasets`` items already are) is returned as is.
    """

    def __call__(self, pic):
        if isinstance(pic, Tensor):
            return pic
        if not isinstance(pic, np.ndarray):
            if not _is_pil_image(pic):
                raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
            mode = pic.mode
            pic = np.array(pic, copy=True)
            if mode == "1":  # a bilevel image: True/False pixels become 255/0, as torchvision
                pic = pic.astype(np.uint8) * 255
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic[:, :, None]
        img = np.ascontiguousarray(pic.transpose(2, 0, 1))  # H x W x C -> C x H x W
        if img.dtype == np.uint8:
            img = img.astype(np.float32) / np.float32(255)
        return as_tensor(img)

    def __repr__(self):
        return f"{type(self).__name__}()"


def _is_pil_image(obj):
    try:
        from PIL import Image
    except ImportError:
        return False
    return isinstance(obj, Image.Image)


class Normalize:
    """``(img - mean) / std`` per channel of a float tensor image ``... x C x H x W``.

    ``mean`` and ``std`` are sequences with one value per channel (or one for all); they
    are converted to the image's dtype first, and a std that becomes 0 raises ValueError.
    ``inplace=True`` overwrites the image instead of returning a new tensor.
    """

    def __init__(self, mean, std, inplace=False):
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if tensor.ndim < 2:
            raise TypeError("Tensor is not a torch image.")
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). "
                             f"Got tensor.size() = {tensor.size()}")
        dtype = tensor.dtype
        mean = as_tensor(self.mean, dtype=dtype, device=tensor.device)
        std = as_tensor(self.std, dtype=dtype, device=tensor.device)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to "
                             "division by zero.")
        if mean.ndim == 1:
            mean = mean.view(-1, 1, 1)
        if std.ndim == 1:
            std = std.view(-1, 1, 1)
        if self.inplace:
            return tensor.sub_(mean).div_(std)
        return (tensor - mean) / std

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """A transform made of any function: ``Lambda(lambda x: x.repeat(3, 1, 1))``."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{type(self).__name__}()"
