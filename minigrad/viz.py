"""See the computational graph: Graphviz DOT text for the graph that made a tensor.

Every tensor produced by an op remembers that op as its ``grad_fn``, and every op keeps
its ``inputs`` -- that chain of links *is* the graph ``backward`` walks. ``to_dot`` walks
it too and writes it down in Graphviz's DOT language::

    loss = F.cross_entropy(model(x), y)
    loss.backward()
    print(minigrad.viz.to_dot(loss, params=dict(model.named_parameters())))
    minigrad.viz.render(loss, "mlp_graph", format="svg")   # needs Graphviz's `dot`

The drawing has one box per tensor (its name if ``params`` names it, its shape and
dtype; after ``backward`` the norm of each leaf's ``.grad``) and one ellipse per op
(``MatMulBackward``, ``ReLUBackward``, ...), with arrows in the direction the data flows
in the forward pass: input tensors -> op -> output tensor. Gradients flow back along the
same arrows, reversed.

Only text is produced here: no Graphviz Python package and no matplotlib are needed.
``render`` calls the ``dot`` program (from the Graphviz distribution) when it is on the
PATH to turn the text into SVG or PNG.
"""
import collections
import math
import numbers
import os
import shutil
import subprocess

from . import backend
from .tensor import Tensor

__all__ = ["to_dot", "render"]

# Fill colours: trainable leaves (parameters), other leaves, op nodes, the output.
_PARAM_COLOR = "lightblue"
_LEAF_COLOR = "white"
_OP_COLOR = "lightgray"
_OUTPUT_COLOR = "darkolivegreen1"


def to_dot(tensor, params=None, show_grad_norms=True, graph_name="minigrad"):
    """The DOT text of the graph that produced ``tensor``.

    ``params`` names tensors in the picture: a dict ``{name: tensor}`` or an iterable of
    ``(name, tensor)`` pairs such as ``model.named_parameters()``. With
    ``show_grad_norms`` (the default), leaves that have a ``.grad`` show its 2-norm.

    The output is deterministic: nodes are numbered in the order a breadth-first walk
    from ``tensor`` meets them (tensors ``t0, t1, ...``, ops ``op0, op1, ...``), and the
    inputs of each op are visited in argument order. The walk uses an explicit queue, so
    very deep graphs are fine.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot expects a minigrad Tensor, got {type(tensor).__name__}")
    names = _names_by_id(params)

    node_lines = []
    edge_lines = []
    ids = {}              # id(tensor or op or constant slot) -> DOT node id
    keep = []             # keep every object we key by id() alive for the whole walk
    counts = collections.Counter()

    def node_id(obj, kind):
        key = id(obj)
        if key not in ids:
            ids[key] = f"{kind}{counts[kind]}"
            counts[kind] += 1
            keep.append(obj)
            return ids[key], True
        return ids[key], False

    def add_tensor(t, role):
        nid, new = node_id(t, "t")
        if new:
            node_lines.append(_tensor_line(nid, t, names.get(id(t)), role, show_grad_norms))
        return nid, new

    root_id, _ = add_tensor(tensor, "output")
    queue = collections.deque()
    if tensor.grad_fn is not None:
        queue.append((tensor.grad_fn, root_id))

    while queue:
        op, out_id = queue.popleft()
        op_id, new = node_id(op, "op")
        edge_lines.append(f"  {op_id} -> {out_id};")
        if not new:
            continue
        node_lines.append(f'  {op_id} [label="{_escape(op.name())}", shape=ellipse, '
                          f'style=filled, fillcolor={_OP_COLOR}];')
        for position, inp in enumerate(op.inputs or ()):
            if isinstance(inp, Tensor):
                producer = op.edges[position]  # recorded when the op ran
                if producer is not None and producer is not inp and producer is not inp.grad_fn:
                    # the input as it was before an in-place write gave it a new history
                    in_id, first_visit = node_id(_Slot(op, position), "t")
                    node_lines.append(_tensor_line(in_id, inp, names.get(id(inp)), None, False))
                else:
                    in_id, first_visit = add_tensor(inp, None)
                edge_lines.append(f"  {in_id} -> {op_id};")
                if first_visit and producer is not None and producer is not inp:
                    queue.append((producer, in_id))
            elif inp is not None:
                # a plain value (a Python number, say) that the op used as an argument
                const_id, _ = node_id(_Slot(op, position), "c")
                node_lines.append(f'  {const_id} [label="{_escape(_constant_label(inp))}", '
                                  'shape=plaintext];')
                edge_lines.append(f"  {const_id} -> {op_id};")

    header = [f"digraph {graph_name} {{",
              "  rankdir=TB;",
              '  node [fontname="Helvetica", fontsize=11];',
              '  edge [fontname="Helvetica", fontsize=9];']
    return "\n".join(header + node_lines + edge_lines + ["}"]) + "\n"


def render(tensor, path, format="svg", params=None, show_grad_norms=True):
    """Write ``path``.dot and, with Graphviz's ``dot`` program, ``path``.svg (or .png).

    ``path`` may carry the extension (``"graph.svg"``) or not (``"graph"``). Returns the
    path of the picture. Without ``dot`` on the PATH the .dot file is still written and a
    RuntimeError says so (install Graphviz, e.g. ``apt-get install graphviz``, or paste the
    .dot text into any online Graphviz viewer).
    """
    if format not in ("svg", "png"):
        raise ValueError(f"render: format must be 'svg' or 'png', got {format!r}")
    base, ext = os.path.splitext(os.fspath(path))
    if ext.lower() not in (".svg", ".png", ".dot", ".gv"):
        base = os.fspath(path)
    dot_path = base + ".dot"
    out_path = f"{base}.{format}"
    text = to_dot(tensor, params=params, show_grad_norms=show_grad_norms)
    parent = os.path.dirname(dot_path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(dot_path, "w", encoding="utf-8") as f:
        f.write(text)
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            f"Graphviz's `dot` program is not installed (not found on the PATH), so no "
            f".{format} was made; the graph's DOT text was written to {dot_path}. Install "
            f"Graphviz (e.g. `apt-get install graphviz`) and run `dot -T{format} {dot_path} "
            f"-o {out_path}`, or paste the .dot file into an online Graphviz viewer.")
    result = subprocess.run([dot, f"-T{format}", dot_path, "-o", out_path],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"`dot -T{format} {dot_path}` failed (exit code "
                           f"{result.returncode}): {result.stderr.strip()}")
    return out_path


# ---------------------------------------------------------------------- helpers


class _Slot:
    """A plain-value argument of an op: its own node, one per (op, position)."""

    __slots__ = ("op", "position")

    def __init__(self, op, position):
        self.op, self.position = op, position


def _names_by_id(params):
    if params is None:
        return {}
    pairs = params.items() if isinstance(params, dict) else params
    return {id(t): str(name) for name, t in pairs}


def _tensor_line(nid, t, name, role, show_grad_norms):
    lines = []
    if name is not None:
        lines.append(name)
    elif role == "output":
        lines.append("output")
    lines.append(_shape_text(t.shape))
    lines.append(t.dtype.name)
    if show_grad_norms and t.grad is not None:
        lines.append(f"grad norm {_norm(t.grad):.4g}")
    if role == "output":
        color = _OUTPUT_COLOR
    elif t.grad_fn is None and t.requires_grad:
        color = _PARAM_COLOR
    else:
        color = _LEAF_COLOR
    label = "\\n".join(_escape(s) for s in lines)
    return (f'  {nid} [label="{label}", shape=box, style="rounded,filled", '
            f"fillcolor={color}];")


def _shape_text(shape):
    return "(" + ", ".join(str(n) for n in shape) + ")" if len(shape) != 1 else f"({shape[0]},)"


def _norm(grad):
    """The 2-norm of a gradient tensor, as a Python float (computed on the host)."""
    a = backend.to_numpy(grad._data)
    return math.sqrt(float((a.astype("float64") ** 2).sum()))


def _constant_label(value):
    if isinstance(value, bool) or isinstance(value, numbers.Number):
        return repr(value)
    if backend.is_array(value):
        return f"array {_shape_text(value.shape)}"
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


def _escape(text):
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
