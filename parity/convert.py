"""minigrad <-> PyTorch: the same module in the other framework, with the same weights.

    torch_model = to_torch(minigrad_model)       # or convert(model, to="torch")
    back = to_minigrad(torch_model)              # every weight bit-identical
    copy_state(src, dst)                         # weights by state_dict name, either way

What converts:
- the library layers both frameworks have (``SUPPORTED_LAYERS``: Linear, Conv2d,
  MaxPool2d, ReLU, Sequential, ...), rebuilt from their hyper-parameters;
- your own ``nn.Module`` subclasses, whatever their depth: the counterpart is a class of
  the same name deriving from the other framework's ``nn.Module``, holding the converted
  children, parameters and plain attributes. Its methods are your methods, with every
  framework name they use (``torch``, ``F``, ``nn.ReLU``, ``torch.relu``...) swapped for
  the other framework's, exactly as if you had changed the imports.

Anything else (a library layer the other framework lacks) raises ``ConversionError``
naming the layer's type and where it sits in the tree.
"""
import collections
import importlib
import inspect
import types

from . import models
from .models import framework, framework_of, from_numpy, to_numpy


class ConversionError(TypeError):
    """A module (or weight) has no counterpart in the other framework."""


# layer type -> the constructor arguments to read off an instance (same names in both)
SUPPORTED_LAYERS = {
    "Linear": ("in_features", "out_features", "bias"),
    "Conv2d": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
               "groups", "bias", "padding_mode"),
    "MaxPool2d": ("kernel_size", "stride", "padding", "dilation", "return_indices",
                  "ceil_mode"),
    "Flatten": ("start_dim", "end_dim"),
    "Dropout": ("p", "inplace"),
    "ReLU": ("inplace",), "Sigmoid": (), "Tanh": (), "Identity": (),
    "Softmax": ("dim",), "LogSoftmax": ("dim",),
    "CrossEntropyLoss": ("weight", "ignore_index", "reduction", "label_smoothing"),
    "NLLLoss": ("weight", "ignore_index", "reduction"),
    "BCEWithLogitsLoss": ("weight", "reduction", "pos_weight"),
    "MSELoss": ("reduction",),
    # normalisation, pooling, embedding, activations, losses and convolutions of issue 14
    "BatchNorm1d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "BatchNorm2d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "LayerNorm": ("normalized_shape", "eps", "elementwise_affine", "bias"),
    "GroupNorm": ("num_groups", "num_channels", "eps", "affine"),
    "Embedding": ("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type",
                  "scale_grad_by_freq", "sparse"),
    "AvgPool2d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                  "divisor_override"),
    "AdaptiveAvgPool2d": ("output_size",),
    "AdaptiveMaxPool2d": ("output_size", "return_indices"),
    "Dropout2d": ("p", "inplace"),
    "LeakyReLU": ("negative_slope", "inplace"), "ELU": ("alpha", "inplace"),
    "SELU": ("inplace",), "CELU": ("alpha", "inplace"), "GELU": ("approximate",),
    "SiLU": ("inplace",), "Mish": ("inplace",), "Softplus": ("beta", "threshold"),
    "Hardtanh": ("min_val", "max_val", "inplace"), "ReLU6": ("inplace",),
    "Hardswish": ("inplace",), "Softsign": (), "PReLU": ("num_parameters", "init"),
    "BCELoss": ("weight", "reduction"), "L1Loss": ("reduction",),
    "SmoothL1Loss": ("reduction", "beta"), "HuberLoss": ("reduction", "delta"),
    "KLDivLoss": ("reduction", "log_target"),
    "Conv1d": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
               "groups", "bias", "padding_mode"),
    "ConvTranspose2d": ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                        "output_padding", "groups", "bias", "dilation", "padding_mode"),
    "Upsample": ("size", "scale_factor", "mode", "align_corners"),
    "ZeroPad2d": ("padding",), "ReflectionPad2d": ("padding",),
    "ReplicationPad2d": ("padding",), "ConstantPad2d": ("padding", "value"),
    # recurrent layers (their ``bias`` is a bool attribute, not a parameter)
    "RNN": ("input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first",
            "dropout", "bidirectional"),
    "LSTM": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
             "bidirectional", "proj_size"),
    "GRU": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
            "bidirectional"),
    "RNNCell": ("input_size", "hidden_size", "bias", "nonlinearity"),
    "LSTMCell": ("input_size", "hidden_size", "bias"),
    "GRUCell": ("input_size", "hidden_size", "bias"),
}
CONTAINERS = ("Sequential", "ModuleList", "ModuleDict")


# --------------------------------------------------------------------- modules


def to_torch(module):
    """The ``torch.nn`` counterpart of a minigrad module, with bit-identical weights."""
    return convert(module, to="torch")


def to_minigrad(module):
    """The ``minigrad.nn`` counterpart of a torch module, with bit-identical weights."""
    return convert(module, to="minigrad")


def convert(module, to):
    """The counterpart of ``module`` in framework ``to`` (``"torch"`` or ``"minigrad"``).

    The result has the same tree of modules under the same names, the same training
    mode, dtype and (where the target has it) device, and weights copied bit for bit.
    """
    source = framework_of(module)
    if to not in models.FRAMEWORKS:
        raise ValueError(f"unknown framework {to!r}; expected one of {models.FRAMEWORKS}")
    if source == to:
        raise ValueError(f"the module is already a {to} module")
    converter = _Converter(source, to)
    out = converter.module(module, "")
    copy_state(module, out)
    return out


def copy_state(src, dst):
    """Copy every entry of ``src.state_dict()`` into ``dst`` (either framework, either way).

    The two must have the same state_dict names and shapes; a difference raises
    ``KeyError`` (names) or ``ValueError`` (shapes) saying which entries. Values keep
    ``dst``'s dtype and device; with equal dtypes the copy is bit-exact.
    """
    src_state = src.state_dict()
    dst_state = dst.state_dict()
    missing = [k for k in dst_state if k not in src_state]
    unexpected = [k for k in src_state if k not in dst_state]
    if missing or unexpected:
        raise KeyError(f"state_dict names differ: missing in the source {missing}, not in the "
                       f"destination {unexpected}")
    dst_fw = framework_of(dst)
    new = collections.OrderedDict()
    for name, target in dst_state.items():
        value = to_numpy(src_state[name])
        if tuple(value.shape) != tuple(target.shape):
            raise ValueError(f"shape mismatch for {name!r}: {tuple(value.shape)} in the source, "
                             f"{tuple(target.shape)} in the destination")
        new[name] = from_numpy(dst_fw, value, dtype=target.dtype, device=target.device)
    dst.load_state_dict(new)
    return dst


class _Converter:
    def __init__(self, source, target):
        self.source, self.target = source, target
        self.src_fw, self.dst_fw = framework(source), framework(target)
        # attributes every module of the source framework has: its own bookkeeping
        self.internal = set(getattr(self.src_fw.nn.Module(), "__dict__", ()))

    # ------------------------------------------------------------------ modules
    def module(self, m, path):
        cls = type(m)
        if _is_library_class(cls, self.source):
            name = cls.__name__
            if name in CONTAINERS:
                return self.container(m, path)
            if name not in SUPPORTED_LAYERS or not hasattr(self.dst_fw.nn, name):
                self.unsupported(m, path)
            out = self.layer(m, path, getattr(self.dst_fw.nn, name))
            own = [p for n, p in m.named_parameters() if "." not in n]
            if own:  # built in the default dtype on the CPU: match the source's
                out = out.to(models.dtype_of(self.target, own[0].dtype))
                device = _device(own[0], self.target)
                if device != "cpu":
                    out = out.to(device)
            return self.finish(m, out)
        return self.custom(m, path)

    def layer(self, m, path, cls):
        """A library layer rebuilt from its hyper-parameters; a setting the target cannot
        take (not in its signature, or refused by it) is a ConversionError."""
        kwargs = {}
        for arg in SUPPORTED_LAYERS[type(m).__name__]:
            if arg == "bias":
                bias = getattr(m, "bias", None)
                kwargs[arg] = bias if isinstance(bias, bool) else bias is not None
            elif hasattr(m, arg):
                kwargs[arg] = self.value(getattr(m, arg))
        accepted = inspect.signature(cls).parameters
        source_args = inspect.signature(type(m)).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in accepted.values())  # RNN(*a, **kw)
        for arg in list(kwargs):
            if arg in accepted or takes_any:
                continue
            default = source_args[arg].default if arg in source_args else inspect.Parameter.empty
            if kwargs[arg] is default or (not _is_tensor(kwargs[arg], self.target)
                                          and _same(kwargs[arg], default)):
                del kwargs[arg]
                continue
            raise ConversionError(
                f"cannot convert {self.source} layer {path or '<root>'!r} to {self.target}: "
                f"{type(m).__name__}({arg}={kwargs[arg]!r}) has no {self.target} counterpart "
                f"({self.target}'s {type(m).__name__} has no argument {arg!r})")
        try:
            return cls(**kwargs)
        except (TypeError, ValueError, NotImplementedError) as e:
            raise ConversionError(
                f"cannot convert {self.source} layer {path or '<root>'!r} to {self.target}: "
                f"{self.target}'s {type(m).__name__} refused {kwargs}: {e}") from None

    def unsupported(self, m, path):
        raise ConversionError(
            f"cannot convert {self.source} layer {path or '<root>'!r} of type "
            f"{type(m).__name__} to {self.target}: {type(m).__name__} has no {self.target} "
            f"counterpart (supported layers: {', '.join(sorted(SUPPORTED_LAYERS))}, "
            f"{', '.join(CONTAINERS)}, and your own nn.Module subclasses built from them)")

    def container(self, m, path):
        children = [(n, self.module(c, _join(path, n))) for n, c in m.named_children()]
        cls = getattr(self.dst_fw.nn, type(m).__name__)
        if type(m).__name__ == "ModuleList":
            out = cls([c for _, c in children])
        elif type(m).__name__ == "ModuleDict":
            out = cls(collections.OrderedDict(children))
        elif [n for n, _ in children] == [str(i) for i in range(len(children))]:
            out = cls(*[c for _, c in children])
        else:
            out = cls(collections.OrderedDict(children))
        return self.finish(m, out)

    def custom(self, m, path):
        cls = self.counterpart_class(type(m))
        out = cls.__new__(cls)
        self.dst_fw.nn.Module.__init__(out)
        own_params = {n: p for n, p in m.named_parameters() if "." not in n}
        children = dict(m.named_children())
        for key, value in getattr(m, "__dict__", {}).items():
            if key in self.internal or key in own_params or key in children:
                continue
            object.__setattr__(out, key, self.value(value))
        for name, child in children.items():
            setattr(out, name, None if child is None else self.module(child, _join(path, name)))
        for name, p in own_params.items():
            data = from_numpy(self.target, to_numpy(p), device=_device(p, self.target))
            setattr(out, name, self.dst_fw.nn.Parameter(data, requires_grad=p.requires_grad))
        if hasattr(m, "named_buffers"):
            for name, b in m.named_buffers():
                if "." not in name and hasattr(out, "register_buffer"):
                    out.register_buffer(name, self.value(b))
        return self.finish(m, out)

    def finish(self, m, out):
        out.train(m.training)
        return out

    # ------------------------------------------------------- classes and values
    def counterpart_class(self, cls):
        key = (cls, self.target)
        if key in _COUNTERPARTS:
            return _COUNTERPARTS[key]
        bases = tuple(self.base(b) for b in cls.__bases__)
        namespace = {}
        class_cell = types.CellType()
        for k, v in cls.__dict__.items():
            if k in ("__dict__", "__weakref__"):
                continue
            namespace[k] = self.method(v, class_cell)
        new = type(cls.__name__, bases, namespace)
        new.__qualname__ = cls.__qualname__
        class_cell.cell_contents = new
        _COUNTERPARTS[key] = new
        _COUNTERPARTS[(new, self.source)] = cls
        return new

    def base(self, b):
        if b is object:
            return object
        if _is_library_class(b, self.source):
            counterpart = getattr(self.dst_fw.nn, b.__name__, None)
            if counterpart is None:
                raise ConversionError(f"{b.__name__} (a base class) has no {self.target} "
                                      "counterpart")
            return counterpart
        return self.counterpart_class(b)

    def method(self, v, class_cell):
        if isinstance(v, staticmethod):
            return staticmethod(self.method(v.__func__, class_cell))
        if isinstance(v, classmethod):
            return classmethod(self.method(v.__func__, class_cell))
        if isinstance(v, property):
            return property(*(None if f is None else self.method(f, class_cell)
                              for f in (v.fget, v.fset, v.fdel)), v.__doc__)
        if not isinstance(v, types.FunctionType):
            return v
        globs = {k: self.value(g, deep=False) for k, g in v.__globals__.items()}
        globs["__builtins__"] = v.__globals__.get("__builtins__", __builtins__)
        closure = None
        if v.__closure__:
            closure = tuple(
                class_cell if name == "__class__" else types.CellType(self.value(_cell(c)))
                for name, c in zip(v.__code__.co_freevars, v.__closure__))
        f = types.FunctionType(v.__code__, globs, v.__name__, v.__defaults__, closure)
        f.__kwdefaults__ = v.__kwdefaults__
        f.__qualname__, f.__doc__, f.__module__ = v.__qualname__, v.__doc__, v.__module__
        return f

    def value(self, v, deep=True):
        """A framework object (module, function, class, tensor) -> its counterpart."""
        if isinstance(v, types.ModuleType):
            if v.__name__.split(".")[0] != self.source:
                return v
            name = self.target + v.__name__[len(self.source):]
            try:
                return importlib.import_module(name)
            except ImportError:
                return v
        if isinstance(v, (types.FunctionType, types.BuiltinFunctionType, type)):
            return _public_counterpart(v, self.source, self.target)
        if deep and _is_tensor(v, self.source):
            return from_numpy(self.target, to_numpy(v))
        return v


_COUNTERPARTS = {}
_NAMESPACES = ("", ".nn", ".nn.functional", ".nn.init", ".optim", ".autograd", ".utils.data")
_PUBLIC = {}


def _public_counterpart(obj, source, target):
    """``minigrad.relu`` -> ``torch.relu``, ``minigrad.nn.Linear`` -> ``torch.nn.Linear``..."""
    root = (getattr(obj, "__module__", None) or "").split(".")[0]
    if root != source:
        return obj
    if source not in _PUBLIC:
        index = {}
        for ns in _NAMESPACES:
            try:
                mod = importlib.import_module(source + ns)
            except ImportError:
                continue
            for name, o in vars(mod).items():
                if not name.startswith("_"):
                    index.setdefault(id(o), (ns, name))
        _PUBLIC[source] = index
    where = _PUBLIC[source].get(id(obj))
    if where is None:
        return obj
    ns, name = where
    try:
        return getattr(importlib.import_module(target + ns), name)
    except (ImportError, AttributeError):
        return obj


def _is_library_class(cls, fw_name):
    return cls.__module__.split(".")[0] == fw_name


def _is_tensor(v, fw_name):
    return type(v).__name__ in ("Tensor", "Parameter") and _is_library_class(type(v), fw_name)


def _same(a, b):
    """a == b for hyper-parameters (1 == (1, 1) for 2-d settings)."""
    if isinstance(a, tuple) and not isinstance(b, tuple):
        return all(x == b for x in a)
    if isinstance(b, tuple) and not isinstance(a, tuple):
        return all(a == y for y in b)
    try:
        return bool(a == b)
    except Exception:
        return False


def _device(t, target):
    return models.resolve_device(target, getattr(t.device, "type", str(t.device)))


def _cell(c):
    try:
        return c.cell_contents
    except ValueError:  # an empty cell
        return None


def _join(path, name):
    return f"{path}.{name}" if path else name
