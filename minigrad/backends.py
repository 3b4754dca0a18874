"""``torch.backends``: the questions and switches tutorials touch. minigrad has no MPS or
cuDNN, so ``mps.is_available()`` is False and the cuDNN flags are plain settable attributes
that change nothing."""


class mps:
    """Apple's Metal backend: never available here."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def is_built():
        return False


class cudnn:
    """cuDNN's switches: settable, without effect (minigrad's convolutions are its own)."""

    enabled = True
    benchmark = False
    deterministic = False

    @staticmethod
    def is_available():
        return False


__all__ = ["mps", "cudnn"]
