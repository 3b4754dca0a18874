"""The supported-API page: which of torch's names minigrad has, read off both libraries.

    python -m parity.apipage > docs/api.md

Every public name of ``minigrad``, ``minigrad.Tensor``, ``minigrad.nn``,
``minigrad.nn.functional`` and ``minigrad.optim`` that torch also has at the same place,
with the first line of minigrad's docstring. ``tests/test_api_page.py`` checks that the page
in the repository is what this prints, so it cannot fall behind the code.
"""
import inspect


def _sections():
    import torch
    import torch.nn
    import torch.nn.functional
    import torch.optim

    import minigrad
    import minigrad.nn
    import minigrad.nn.functional
    import minigrad.optim
    return [
        ("minigrad (torch)", minigrad, torch),
        ("Tensor methods and attributes (torch.Tensor)", minigrad.Tensor, torch.Tensor),
        ("minigrad.nn (torch.nn)", minigrad.nn, torch.nn),
        ("minigrad.nn.functional (torch.nn.functional)", minigrad.nn.functional,
         torch.nn.functional),
        ("minigrad.optim (torch.optim)", minigrad.optim, torch.optim),
    ]


def _summary(obj):
    doc = inspect.getdoc(obj) if callable(obj) or inspect.isclass(obj) else None
    if not doc or obj.__class__.__name__ in ("dtype",):
        return ""
    line = doc.strip().splitlines()[0].strip()
    return line.replace("|", "\\|")


def _names(ours, theirs):
    out = []
    for name in sorted(set(dir(ours)), key=lambda n: (n.lower(), n)):
        is_dunder = name.startswith("__") and name.endswith("__")
        if name.startswith("_") and not is_dunder:
            continue
        if is_dunder and name not in _OPERATORS:
            continue
        if not hasattr(theirs, name):
            continue
        obj = getattr(ours, name)
        if inspect.ismodule(obj) and name not in ("nn", "optim", "autograd", "utils", "cuda"):
            continue
        out.append((name, obj))
    return out


_OPERATORS = {"__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__",
              "__pow__", "__matmul__", "__neg__", "__getitem__", "__setitem__", "__len__",
              "__iter__", "__eq__", "__lt__", "__le__", "__gt__", "__ge__", "__ne__",
              "__and__", "__or__", "__invert__", "__radd__", "__rsub__", "__rmul__",
              "__rtruediv__", "__rfloordiv__", "__rmod__", "__rpow__", "__iadd__", "__isub__",
              "__imul__", "__itruediv__", "__bool__", "__float__", "__int__", "__index__",
              "__format__", "__repr__", "__array__"}


def generate():
    """The page, as Markdown text."""
    lines = ["# Supported API", "",
             "The names of PyTorch's API that minigrad has, each with the first line of its "
             "docstring. Generated from the code by `python -m parity.apipage > docs/api.md` "
             "(a test checks that this page is what that prints).", ""]
    total = 0
    for title, ours, theirs in _sections():
        names = _names(ours, theirs)
        total += len(names)
        lines += [f"## {title}", "", f"{len(names)} names.", "", "| name | what it does |",
                  "| --- | --- |"]
        lines += [f"| `{name}` | {_summary(obj)} |" for name, obj in names]
        lines.append("")
    lines.insert(4, f"{total} names in all.")
    lines.insert(5, "")
    return "\n".join(lines)


if __name__ == "__main__":
    print(generate(), end="")
