"""Top-level settings and questions: default device, print options, what a tensor is."""
from .. import backend
from ..tensor import PRINT_OPTIONS


def set_default_device(device):
    """Where ``tensor``, ``zeros``, ``randn`` ... put new tensors from now on (None: the CPU)."""
    backend.default_device = str(backend.device(device if device is not None else "cpu"))


def get_default_device():
    """The device new tensors go to (``set_default_device``)."""
    return backend.device(backend.default_device)


_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """How tensors print: digits after the point, how many elements before "...", line width."""
    options = dict(_PROFILES[profile]) if profile else {}
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            options[name] = value
    if "threshold" in options and options["threshold"] == float("inf"):
        options["threshold"] = 2 ** 62
    if "linewidth" in options:
        options["max_line_width"] = options.pop("linewidth")
    PRINT_OPTIONS.update(options)


def is_floating_point(input):
    """True for float16, float32 and float64 tensors."""
    return input.dtype.is_floating_point


def is_nonzero(input):
    """The truth of a one-element tensor."""
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


class accelerator:
    """``minigrad.accelerator.is_available()``, ``current_accelerator()``: a CUDA GPU or None."""

    @staticmethod
    def is_available():
        return backend.cuda_is_available()

    @staticmethod
    def current_accelerator(check_available=False):
        return backend.device("cuda") if backend.cuda_is_available() else None

    @staticmethod
    def device_count():
        return 1 if backend.cuda_is_available() else 0


def half(self):
    """self.to(float16)."""
    return self.to(backend.float16)


def short(self):
    """self.to(int16)."""
    return self.to(backend.int16)


def char(self):
    """self.to(int8)."""
    return self.to(backend.int8)


def byte(self):
    """self.to(uint8)."""
    return self.to(backend.uint8)


def element_size(self):
    """Bytes per element (float32: 4)."""
    return self.dtype.itemsize


def _itemsize(self):
    """Bytes per element, as a property (element_size())."""
    return self.dtype.itemsize


def _nbytes(self):
    """Bytes the elements take: numel() * itemsize."""
    return self.numel() * self.dtype.itemsize


itemsize, nbytes = property(_itemsize), property(_nbytes)


METHODS = {"is_nonzero": is_nonzero, "half": half, "short": short, "char": char, "byte": byte,
           "element_size": element_size, "itemsize": itemsize, "nbytes": nbytes}
__all__ = ["set_default_device", "get_default_device", "set_printoptions",
           "is_floating_point", "is_nonzero", "accelerator"]
