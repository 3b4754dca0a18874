"""NumPy's argument names, where torch's argument parser accepts them.

torch's functions and Tensor methods written in C++ take ``axis`` for ``dim``, ``keepdims``
for ``keepdim``, ``x``, ``a`` or ``x1`` for ``input`` and ``x2`` for ``other``, so NumPy habits
such as ``P.sum(1, keepdims=True)`` or ``torch.cat(xs, axis=1)`` run. The few that torch
writes in Python (``torch.norm``, ``torch.split``, ``torch.unique``, ``Tensor.unflatten``, all
of ``nn.functional``) take only their own names. minigrad wraps its counterparts of the
former once, at import, in a function that renames those keywords; code inside minigrad
calls the plain functions and pays nothing.
"""
import functools
import inspect

ALIASES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input", "x1": "input",
           "x2": "other"}
# torch's Python-level functions and methods: their own argument names only.
WRITTEN_IN_PYTHON = frozenset({"norm", "split", "unique", "unflatten"})


def accept_numpy_names(fn, name):
    """``fn``, or a wrapper of it that renames NumPy's keywords to the parameters ``fn`` has."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    aliases = {alias: own for alias, own in ALIASES.items()
               if own in params and alias not in params}
    if not aliases or name in WRITTEN_IN_PYTHON:
        return fn

    @functools.wraps(fn)
    def with_numpy_names(*args, **kwargs):
        if kwargs:
            for alias in aliases.keys() & kwargs.keys():
                own = aliases[alias]
                if own in kwargs:  # both spellings: torch's parser takes neither
                    raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
                kwargs[own] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    with_numpy_names.numpy_aliases = aliases
    return with_numpy_names


def install(namespace, names, tensor_class):
    """Wrap the public functions ``names`` of ``namespace`` and every public method of
    ``tensor_class`` that has a ``dim``, ``keepdim``, ``input`` or ``other`` parameter."""
    for name in names:
        fn = namespace.get(name)
        if inspect.isfunction(fn):
            namespace[name] = accept_numpy_names(fn, name)
    for name, fn in list(vars(tensor_class).items()):
        if not name.startswith("_") and inspect.isfunction(fn):
            setattr(tensor_class, name, accept_numpy_names(fn, name))
