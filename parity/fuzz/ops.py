"""Which ops the fuzzer runs: everything minigrad exports that torch also has, found by
reflection (top-level functions, Tensor methods, operators and properties, nn.functional),
less what is not an op to compare (listed with the reason)."""
import inspect
from dataclasses import dataclass

from . import programs

# What is exported but is not an op to compare: creation from nothing random, devices,
# modes, files, Python protocol. Each with the reason it is left out (printed by --list).
NOT_OPS = {
    "rand": "random", "randn": "random", "randint": "random", "randperm": "random",
    "empty": "uninitialised memory in torch", "manual_seed": "random state",
    "Generator": "random state", "dropout": "random", "uniform_": "random",
    "normal_": "random", "bernoulli": "random", "rand_like": "random",
    "randn_like": "random", "dropout2d": "random", "empty_like": "uninitialised memory in torch",
    "new_empty": "uninitialised memory in torch", "tensor": "constructor (every program uses it)",
    "as_tensor": "constructor", "from_numpy": "constructor", "Tensor": "constructor",
    "Size": "constructor", "device": "device object", "dtype": "dtype object",
    "cuda": "device", "cpu": "device", "to": "device/dtype conversion, several signatures",
    "is_cuda": "device", "save": "files", "load": "files", "set_flush_denormal": "CPU mode",
    "no_grad": "grad mode", "enable_grad": "grad mode", "inference_mode": "grad mode",
    "set_grad_enabled": "grad mode", "is_grad_enabled": "grad mode",
    "backward": "run by the harness itself", "grad": "autograd state",
    "grad_fn": "autograd state", "data": "raw storage", "requires_grad": "autograd state",
    "requires_grad_": "autograd state", "retain_grad": "autograd state",
    "detach_": "autograd state", "is_leaf": "autograd state", "type": "string output",
    "numpy": "NumPy bridge", "is_tensor": "Python type check",
    "normal": "random", "multinomial": "random", "register_hook": "autograd state (the "
    "order-2 mode's hooks use it)", "set_default_device": "global state",
    "set_default_dtype": "global state",
}
NOT_OPS.update({"seed": "random state", "initial_seed": "random state",  # (helper brd's names)
                "random_": "random", "bernoulli_": "random", "exponential_": "random",
                "gumbel_softmax": "random"})
# Python protocol methods of Tensor: not ops of their own.
PROTOCOL = {"__init__", "__new__", "__repr__", "__str__", "__hash__", "__array__",
            "__array_priority__", "__slots__", "__weakref__", "__class__", "__doc__",
            "__module__", "__dict__", "__getattribute__", "__getattr__", "__setattr__",
            "__delattr__", "__reduce__", "__reduce_ex__", "__sizeof__", "__init_subclass__",
            "__subclasshook__", "__dir__", "__format__", "__iter__", "__len__", "__bool__",
            "__float__", "__int__", "__index__", "__getstate__", "__setstate__",
            "__deepcopy__", "__copy__", "__contains__", "__reversed__", "__array_wrap__",
            "__dlpack__", "__dlpack_device__", "__torch_function__", "__annotations__"}


@dataclass
class OpInfo:
    name: str          # as exported: "sum", "Tensor.sum", "F.linear", "Tensor.__add__"
    kind: str          # "function", "method", "property"
    params: list       # inspect.Parameter list (without self)
    where: str         # "minigrad" | "Tensor" | "F"

    def call_repr(self, parts):
        if self.kind == "property":
            return f"{parts[0]}.{self.name.split('.')[-1]}"
        if self.kind == "method":
            return f"{parts[0]}.{self.name.split('.')[-1]}({', '.join(parts[1:])})"
        return f"{self.name}({', '.join(parts)})"


def discover():
    """(ops, skipped): every exported op torch also has, and {name: reason} of the rest."""
    import torch
    import torch.nn.functional as TF

    import minigrad
    import minigrad.nn.functional as F

    ops, skipped = [], {}

    def consider(name, obj, where, kind, torch_has):
        short = name.split(".")[-1]
        if not torch_has:
            return
        if short in NOT_OPS:
            skipped[name] = NOT_OPS[short]
            return
        if kind == "property":
            ops.append(OpInfo(name, kind, [], where))
            return
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            skipped[name] = "no signature"
            return
        params = list(sig.parameters.values())
        if kind == "method":
            params = params[1:]  # self
        if _is_forwarder(params) and hasattr(minigrad.Tensor, short):
            method = getattr(minigrad.Tensor, short)
            params = list(inspect.signature(method).parameters.values())[1:]
            params.insert(0, inspect.Parameter("input", inspect.Parameter.POSITIONAL_OR_KEYWORD))
        unknown = [p.name for p in params if p.default is inspect.Parameter.empty
                   and p.kind not in (p.VAR_KEYWORD,) and programs.generator_for(p) is None]
        if unknown and name not in programs.PER_OP and \
                name not in programs.ON_INPUT:
            skipped[name] = f"no generator for required parameter(s) {', '.join(unknown)}"
            return
        ops.append(OpInfo(name, kind, params, where))

    for name in sorted(dir(minigrad)):
        obj = getattr(minigrad, name)
        if name.startswith("_") or inspect.ismodule(obj) or not callable(obj) or \
                isinstance(obj, (type,)) and name not in ("Tensor",):
            continue
        if isinstance(obj, minigrad.dtype):
            continue
        consider(name, obj, "minigrad", "function", hasattr(torch, name))
    for name in sorted(vars(minigrad.Tensor)) + sorted(
            n for n in dir(minigrad.Tensor) if n not in vars(minigrad.Tensor)):
        if name in PROTOCOL or (name.startswith("_") and not name.startswith("__")):
            continue
        attr = inspect.getattr_static(minigrad.Tensor, name)
        if any(o.name == f"Tensor.{name}" for o in ops) or f"Tensor.{name}" in skipped:
            continue
        kind = "property" if isinstance(attr, property) else "method"
        if kind == "method" and not callable(getattr(minigrad.Tensor, name)):
            continue
        consider(f"Tensor.{name}", getattr(minigrad.Tensor, name), "Tensor", kind,
                 hasattr(torch.Tensor, name))
    for name in sorted(getattr(F, "__all__", dir(F))):
        obj = getattr(F, name, None)
        if name.startswith("_") or obj is None or not callable(obj) or inspect.isclass(obj):
            continue
        consider(f"F.{name}", obj, "F", "function", hasattr(TF, name))
    return ops, skipped


def _is_forwarder(params):
    """``def f(input, *args, **kwargs)``: minigrad's torch.xxx forms of Tensor methods."""
    kinds = [p.kind for p in params]
    return inspect.Parameter.VAR_POSITIONAL in kinds and inspect.Parameter.VAR_KEYWORD in kinds
