"""Module: the base class of every layer and model, as in PyTorch.

A Module keeps three ordered registries, filled by plain attribute assignment:

    self.fc = Linear(4, 2)            -> _modules["fc"]      (a child module)
    self.w = Parameter(...)           -> _parameters["w"]    (learnable)
    self.register_buffer("m", t)      -> _buffers["m"]       (state that is not learned)

Everything else (``parameters()``, ``state_dict()``, ``to()``, ``train()``, the printed
tree) is a walk over these registries, children in the order they were assigned.
"""
from collections import OrderedDict, namedtuple

from .. import autograd, backend
from ..tensor import Tensor, to_args
from .parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it did not find and did not expect."""

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
                f"unexpected_keys={self.unexpected_keys})")

    __str__ = __repr__


from ..utils.hooks import RemovableHandle  # noqa: E402  (its old home; torch.utils.hooks)


def _type_description(value):
    if isinstance(value, Tensor):
        return f"minigrad.{_TENSOR_TYPE_NAMES.get(value.dtype.name, 'Tensor')}"
    return type(value).__name__


_TENSOR_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
                      "int32": "IntTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _indent(text, spaces):
    """Indent every line but the first (a child's repr nests under its '(name): ')."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module:
    """Base class for all neural network modules: subclass it, assign layers and
    parameters in ``__init__`` (after ``super().__init__()``), and write ``forward``."""

    training: bool

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        d["_forward_pre_hooks"] = {}
        d["_forward_hooks"] = {}

    # ------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  f'"forward" function')

    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks_on:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args, kwargs):
        """Forward with its hooks, in torch's order: forward pre-hooks; inputs wrapped for
        the backward hooks; forward; forward hooks; the output wrapped."""
        with_kwargs = self.__dict__.get("_hooks_with_kwargs", ())
        for key, hook in list(self._forward_pre_hooks.items()):
            if key in with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {result}.")
                    args, kwargs = result
                continue
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        watch = None
        if (self._backward_hooks or self._backward_pre_hooks) and autograd.is_grad_enabled():
            from .backward_hooks import BackwardHook
            watch = BackwardHook(self)
            args = watch.setup_inputs(args)
        out = self.forward(*args, **kwargs)
        for key, hook in list(self._forward_hooks.items()):
            result = hook(self, args, kwargs, out) if key in with_kwargs else hook(self, args, out)
            if result is not None:
                out = result
        return out if watch is None else watch.setup_output(out)

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args)`` runs before forward; it may return replacement args
        (``with_kwargs=True``: ``hook(module, args, kwargs)`` returning ``(args, kwargs)``)."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """``hook(module, args, output)`` runs after forward; it may return a new output
        (``with_kwargs=True``: ``hook(module, args, kwargs, output)``)."""
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)

    # Backward hooks live in dicts of the instance's own, made by the first registration:
    # until then these empty class-level ones keep __call__'s test cheap.
    _backward_hooks = _backward_pre_hooks = {}
    _backward_hooks_on = False

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output)`` runs once the gradients with respect to
        the module's positional inputs are computed (a tuple, one per input: None for a
        non-tensor, zeros for a tensor that needs none); it may return a replacement
        ``grad_input``. See backward_hooks.py."""
        return self._add_backward_hook("_backward_hooks", hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output)`` runs when the gradient of the module's output is
        computed; it may return a replacement ``grad_output``."""
        return self._add_backward_hook("_backward_pre_hooks", hook, prepend)

    def _add_backward_hook(self, name, hook, prepend):
        d = self.__dict__
        if name not in d:
            d[name] = {}
        d["_backward_hooks_on"] = True
        return self._add_hook(d[name], hook, prepend, False)

    def _add_hook(self, hooks, hook, prepend, with_kwargs):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            for key in [k for k in hooks if k != handle.id]:
                hooks[key] = hooks.pop(key)  # moved behind the new one
        if with_kwargs:
            self.__dict__.setdefault("_hooks_with_kwargs", set()).add(handle.id)
        return handle

    # ------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_type_description(value)}' as parameter "
                                f"'{name}' (minigrad.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            if d.get("_modules") is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            d["_modules"][name] = value
        elif d.get("_modules") is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{_type_description(value)}' as child module "
                                f"'{name}' (minigrad.nn.Module or None expected)")
            d["_modules"][name] = None
        elif d.get("_buffers") is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_type_description(value)}' as buffer "
                                f"'{name}' (minigrad.Tensor or None expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, keep):
        """Remove ``name`` from the other registries before registering it in ``keep``
        (where replacing it in place keeps its position in the order)."""
        d = self.__dict__
        d.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:
                d[registry].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __getattr__(self, name):
        # Only called when normal lookup fails: look in the registries.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            items = d.get(registry)
            if items is not None and name in items:
                return items[name]
        hint = ""
        if "_parameters" not in d and not name.startswith("__"):
            hint = (f" (did {type(self).__name__}.__init__ forget to call "
                    f"super().__init__()?)")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'{hint}")

    def __delattr__(self, name):
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in d[registry]:
                del d[registry][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def _check_new_name(self, name, kind):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if name == "":
            raise KeyError(f"{kind} name can't be empty string \"\"")
        if "." in name:
            raise KeyError(f"{kind} name can't contain \".\"")

    def register_parameter(self, name, param):
        """Add a parameter (or None) under ``name``; the same as ``self.name = param``."""
        self._check_new_name(name, "parameter")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_type_description(param)}' object to parameter "
                            f"'{name}' (minigrad.nn.Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is state but not a parameter (saved in state_dict unless
        ``persistent=False``, moved by ``to()``)."""
        self._check_new_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_type_description(tensor)}' object to buffer "
                            f"'{name}' (minigrad Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module (or None) under ``name``; the same as ``self.name = module``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_new_name(name, "module")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        """The module at a dotted path such as ``"features.0"`` (``""`` is self)."""
        module = self
        if target == "":
            return module
        for part in target.split("."):
            if part not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{part}`")
            module = module._modules[part]
        return module

    def get_parameter(self, target):
        prefix, _, name = target.rpartition(".")
        module = self.get_submodule(prefix)
        if name not in module._parameters:
            raise AttributeError(f"{module._get_name()} has no parameter `{name}`")
        return module._parameters[name]

    # ------------------------------------------------------------ traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(name, module) for self and every descendant, depth first, each once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate):
        seen = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, parameter) pairs, in registration order, shared ones once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call ``fn(module)`` on every child (recursively), then on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------ modes
    def train(self, mode=True):
        """Set training mode (Dropout active) on self and all descendants; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """Evaluation mode (Dropout passes its input through); ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's ``.grad`` (to None, or to zeros in place)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad._data[...] = 0

    # ------------------------------------------------------------ devices and dtypes
    def _apply_to_arrays(self, convert):
        """Replace the data of every parameter, gradient and buffer by ``convert(data)``
        in place: the Parameter objects stay the same, so optimizers keep working."""
        for module in self.modules():
            for p in module._parameters.values():
                if p is None:
                    continue
                p._data = convert(p._data)
                if p.grad is not None:
                    p.grad._data = convert(p.grad._data)
            for b in module._buffers.values():
                if b is not None:
                    b._data = convert(b._data)
        return self

    def to(self, *args, **kwargs):
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(tensor)``: move
        and/or cast the parameters and buffers in place (only floating-point ones are
        cast); returns self."""
        dev, dt = to_args(args, kwargs)
        if dt is not None and not dt.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dt}")
        dev = backend.device(dev) if dev is not None else None

        def convert(array):
            if dev is not None:
                array = backend.move(array, dev)
            if dt is not None and backend.dtype_of(array).is_floating_point:
                xp = backend.device_of(array).xp
                target = backend.backend_dtype(dt, xp)
                if array.dtype != target:
                    array = xp.astype(array, target)
            return array

        return self._apply_to_arrays(convert)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else backend.device("cuda", device))

    def float(self):
        return self.to(backend.float32)

    def double(self):
        return self.to(backend.float64)

    # ------------------------------------------------------------ state
    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An OrderedDict from dotted names ("fc1.weight", "0.bias") to the parameters and
        persistent buffers, detached (sharing memory) unless ``keep_vars=True``."""
        if destination is None:
            destination = OrderedDict()
        # shared submodules appear under every name they have, as in PyTorch
        for module_prefix, module in self.named_modules(prefix=prefix.rstrip("."),
                                                        remove_duplicate=False):
            dot = module_prefix + ("." if module_prefix else "")
            for name, p in module._parameters.items():
                if p is not None:
                    destination[dot + name] = p if keep_vars else p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers_set:
                    destination[dot + name] = b if keep_vars else b.detach()
        return destination

    def _expected_state(self):
        """Dotted name -> (module, registry, local name) for every state_dict entry."""
        expected = OrderedDict()
        for module_prefix, module in self.named_modules(remove_duplicate=False):
            dot = module_prefix + ("." if module_prefix else "")
            for name, p in module._parameters.items():
                if p is not None:
                    expected[dot + name] = (module, "_parameters", name)
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers_set:
                    expected[dot + name] = (module, "_buffers", name)
        return expected

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values from ``state_dict`` into the parameters and buffers in place.

        Missing and unexpected keys are errors when ``strict`` (else they are returned
        as ``(missing_keys, unexpected_keys)``); a shape mismatch is always an error.
        """
        from collections.abc import Mapping
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        expected = self._expected_state()
        missing = [k for k in expected if k not in state_dict]
        unexpected = [k for k in state_dict if k not in expected]
        errors = []
        updates = []
        for key, (module, registry, name) in expected.items():
            if key not in state_dict:
                continue
            current = module.__dict__[registry][name]
            value = state_dict[key]
            if isinstance(value, Tensor):
                array = value._data
            elif backend.is_array(value):
                array = backend.coerce(value)
            else:
                errors.append(f'While copying the parameter named "{key}", expected '
                              f'minigrad.Tensor or Tensor-like object from checkpoint but '
                              f'received {type(value)}')
                continue
            if tuple(array.shape) != tuple(current.shape):
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{_size(array.shape)!r} from checkpoint, the shape in current "
                              f"model is {current.shape!r}.")
                continue
            updates.append((module, registry, name, current, array))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with autograd.no_grad():
            for module, registry, name, current, array in updates:
                array = backend.move(array, current.device)
                xp = current.device.xp
                if array.dtype != current._data.dtype:
                    array = xp.astype(array, current._data.dtype)
                if assign:
                    new = (Parameter(Tensor._of(array), current.requires_grad)
                           if registry == "_parameters" else Tensor._of(array))
                    module.__dict__[registry][name] = new
                else:
                    current.copy_(array)  # in place: bumps the version counter
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------ printing
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside the parentheses of this module's repr line (override it)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _indent(repr(module), 2)
                       for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def _size(shape):
    from ..tensor import Size
    return Size(tuple(shape))
