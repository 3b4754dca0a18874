"""parity: train the same network in minigrad and PyTorch, and show that they agree.

    python -m parity --list            # the presets
    python -m parity blobs8-mlp        # float64 lockstep, then float32 end-to-end

As a library:

- ``build(desc, "minigrad" | "torch")``: one network description (``def net(nn): ...``)
  built in either framework (``parity.models`` holds the tutorials' networks);
- ``to_torch`` / ``to_minigrad`` / ``copy_state``: a module in the other framework, with
  bit-identical weights (``parity.convert``);
- ``lockstep(...)``: identical weights and batches, differences of loss, gradients and
  parameters after every step, and a diagnosis of the first step that diverges;
- ``endtoend(...)``: independent training runs, accuracy curves side by side;
- ``check_op(minigrad_fn, torch_fn, *inputs)`` and ``parity.strategies``: forward and
  backward of one op against PyTorch's over hypothesis-generated inputs.

Importing parity needs minigrad and torch; scikit-learn, matplotlib and hypothesis are
imported only by the parts that use them.
"""
from . import models, presets, report
from .convert import ConversionError, convert, copy_state, to_minigrad, to_torch
from .endtoend import endtoend
from .lockstep import lockstep
from .models import build
from .opcheck import check_op

__all__ = ["build", "convert", "to_torch", "to_minigrad", "copy_state", "ConversionError",
           "lockstep", "endtoend", "check_op", "strategies", "models", "presets", "report"]


def __getattr__(name):
    # ``parity.strategies`` imports hypothesis (a test dependency): load it on first use.
    if name == "strategies":
        import importlib
        return importlib.import_module(".strategies", __name__)
    raise AttributeError(f"module 'parity' has no attribute {name!r}")
