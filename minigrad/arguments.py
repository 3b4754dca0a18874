"""Two calling conventions of torch's C++ functions, added to minigrad's in one place.

- **NumPy's argument names.** torch's functions and Tensor methods written in C++ take
  ``axis`` for ``dim``, ``keepdims`` for ``keepdim``, ``x``, ``a`` or ``x1`` for ``input``
  and ``x2`` for ``other``, so NumPy habits such as ``P.sum(1, keepdims=True)`` or
  ``torch.cat(xs, axis=1)`` run. The few that torch writes in Python (``torch.norm``,
  ``torch.split``, ``torch.unique``, ``Tensor.unflatten``, all of ``nn.functional``) take
  only their own names.
- **out=** (top-level functions): ``torch.matmul(a, b, out=c)`` writes the result into
  ``c`` (resized, with a warning, when it has elements and the wrong shape) and returns it;
  refused when the result would need a gradient, or cannot be cast to ``c``'s dtype.

minigrad wraps its public functions and methods once, at import; code inside minigrad
calls the plain functions and pays nothing.
"""
import functools
import inspect
import warnings

ALIASES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input", "x1": "input",
           "x2": "other"}
# torch's Python-level functions and methods: their own argument names only.
WRITTEN_IN_PYTHON = {"function": frozenset({"norm", "split", "unique"}),
                     "method": frozenset({"norm", "split", "unique", "unflatten"})}
# functions that return no tensor, so no out= (prefixes, and whole names)
NO_TENSOR_RESULT = ("set_", "get_", "is_", "can_", "save", "load", "manual_seed", "numel",
                    "equal", "allclose", "result_type", "promote_types")


def torch_conventions(fn, name, kind, takes_out):
    """``fn`` (a ``kind`` "function" or "method"), or a wrapper of it that renames NumPy's
    keywords to ``fn``'s parameters and, if ``takes_out``, handles ``out=``."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    aliases = {} if name in WRITTEN_IN_PYTHON[kind] else {
        alias: own for alias, own in ALIASES.items() if own in params and alias not in params}
    takes_out = takes_out and "out" not in params
    if not aliases and not takes_out:
        return fn

    @functools.wraps(fn)
    def with_torch_conventions(*args, **kwargs):
        if not kwargs:
            return fn(*args)
        for alias in aliases.keys() & kwargs.keys():
            own = aliases[alias]
            if own in kwargs:  # both spellings: torch's parser takes neither
                raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
            kwargs[own] = kwargs.pop(alias)
        out = kwargs.pop("out", None) if takes_out else None
        result = fn(*args, **kwargs)
        return result if out is None else write_out(name, result, out)

    with_torch_conventions.numpy_aliases = aliases
    return with_torch_conventions


def write_out(name, result, out):
    """Copy ``result`` (a tensor, or a tuple of them) into ``out`` and return ``out``."""
    from .autograd import is_grad_enabled
    from .promotion import KERNEL_NAMES, can_cast
    from .tensor import Tensor
    results, outs = (result, out) if isinstance(result, tuple) else ((result,), (out,))
    if len(outs) != len(results) or not all(isinstance(o, Tensor) for o in outs):
        raise TypeError(f"{name}(): argument 'out' must be "
                        f"{'a tuple of Tensors' if len(results) > 1 else 'Tensor'}, "
                        f"not {type(out).__name__}")
    for r, o in zip(results, outs):
        if r.requires_grad and is_grad_enabled():
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                               "automatic differentiation, but one of the arguments requires "
                               "grad.")
        if not can_cast(r.dtype, o.dtype):
            raise RuntimeError(f"result type {KERNEL_NAMES[r.dtype.name]} can't be cast to the "
                               f"desired output type {KERNEL_NAMES[o.dtype.name]}")
    for r, o in zip(results, outs):
        o._inplace(name)
        values = o.device.xp.astype(r._data, o._data.dtype)
        if tuple(o.shape) == tuple(r.shape):
            o._data[...] = values
        else:
            if o.numel():
                warnings.warn(f"An output with one or more elements was resized since it had "
                              f"shape {list(o.shape)}, which does not match the required "
                              f"output shape {list(r.shape)}. This behavior is deprecated, "
                              "and in a future PyTorch release outputs will not be resized "
                              "unless they have zero elements. You can explicitly reuse an "
                              "out tensor t by resizing it, inplace, to zero elements with "
                              "t.resize_(0).", UserWarning, stacklevel=3)
            o._data = values
    return out if not isinstance(result, tuple) else type(result)(*outs)


def install(namespace, names, tensor_class):
    """Wrap the public functions ``names`` of ``namespace`` (NumPy's names and out=) and
    every public method of ``tensor_class`` (NumPy's names)."""
    for name in names:
        fn = namespace.get(name)
        if inspect.isfunction(fn):
            namespace[name] = torch_conventions(fn, name, "function", takes_out=not name.startswith(
                NO_TENSOR_RESULT))
    for name, fn in list(vars(tensor_class).items()):
        if not name.startswith("_") and inspect.isfunction(fn):
            setattr(tensor_class, name, torch_conventions(fn, name, "method", takes_out=False))
