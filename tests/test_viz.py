"""minigrad.viz: the computational graph as Graphviz DOT text, and rendering it with `dot`."""
import os
import pathlib
import re
import stat
import subprocess
import sys

import pytest

import minigrad
from minigrad import viz


def parse_dot(text):
    """({node id: label}, [(tail, head), ...]) of the DOT text that to_dot writes."""
    nodes = {m.group(1): m.group(2).split("\\n")
             for m in re.finditer(r'^\s+(\w+) \[label="((?:[^"\\]|\\.)*)"', text, re.M)}
    edges = re.findall(r"^\s+(\w+) -> (\w+);$", text, re.M)
    return nodes, edges


@pytest.fixture
def small_graph():
    """y = relu(x @ w + b).sum() with x: 4x3 (a constant), w: 3x2 and b: 2 (parameters)."""
    x = minigrad.randn(4, 3)
    w = minigrad.randn(3, 2, requires_grad=True)
    b = minigrad.zeros(2, requires_grad=True)
    y = minigrad.relu(x @ w + b).sum()
    return x, w, b, y


def test_dot_of_relu_affine_sum_has_one_node_per_op_and_tensor_with_exact_edges(small_graph):
    x, w, b, y = small_graph
    nodes, edges = parse_dot(viz.to_dot(y, params={"w": w, "b": b}))
    assert nodes == {
        "t0": ["output", "()", "float32"],
        "op0": ["SumBackward"],
        "t1": ["(4, 2)", "float32"],
        "op1": ["ReLUBackward"],
        "t2": ["(4, 2)", "float32"],
        "op2": ["AddBackward"],
        "t3": ["(4, 2)", "float32"],
        "t4": ["b", "(2,)", "float32"],
        "op3": ["MatMulBackward"],
        "t5": ["(4, 3)", "float32"],
        "t6": ["w", "(3, 2)", "float32"],
    }
    # data-flow direction: inputs -> op -> output, from x and w up to the scalar
    assert sorted(edges) == sorted([
        ("t5", "op3"), ("t6", "op3"), ("op3", "t3"),
        ("t3", "op2"), ("t4", "op2"), ("op2", "t2"),
        ("t2", "op1"), ("op1", "t1"),
        ("t1", "op0"), ("op0", "t0"),
    ])


def test_dot_shows_gradient_norms_of_leaves_after_backward(small_graph):
    x, w, b, y = small_graph
    y.backward()
    nodes, _ = parse_dot(viz.to_dot(y, params={"w": w, "b": b}))
    norm_w = float((w.grad * w.grad).sum().item()) ** 0.5
    norm_b = float((b.grad * b.grad).sum().item()) ** 0.5
    assert nodes["t6"] == ["w", "(3, 2)", "float32", f"grad norm {norm_w:.4g}"]
    assert nodes["t4"] == ["b", "(2,)", "float32", f"grad norm {norm_b:.4g}"]
    assert nodes["t5"] == ["(4, 3)", "float32"]  # x has no gradient
    hidden, _ = parse_dot(viz.to_dot(y, params={"w": w, "b": b}, show_grad_norms=False))
    assert hidden["t6"] == ["w", "(3, 2)", "float32"]


def test_dot_output_is_identical_for_identical_graphs():
    def build():
        minigrad.manual_seed(1)
        a = minigrad.randn(2, 2, requires_grad=True)
        return ((a * a).exp() - a).mean()
    assert viz.to_dot(build()) == viz.to_dot(build())


def test_tensor_used_twice_is_one_node_with_two_edges():
    a = minigrad.randn(3, requires_grad=True)
    nodes, edges = parse_dot(viz.to_dot((a * a).sum(), params=[("a", a)]))
    (a_id,) = [k for k, label in nodes.items() if label[0] == "a"]
    assert edges.count((a_id, "op1")) == 2
    assert nodes["op1"] == ["MulBackward"]


def test_python_number_arguments_appear_as_constant_nodes():
    a = minigrad.randn(3, requires_grad=True)
    nodes, edges = parse_dot(viz.to_dot((a * 2.5).sum()))
    assert nodes["c0"] == ["2.5"]
    assert ("c0", "op1") in edges


def test_leaf_tensor_alone_is_a_single_node():
    nodes, edges = parse_dot(viz.to_dot(minigrad.ones(2, 5, dtype=minigrad.float64)))
    assert nodes == {"t0": ["output", "(2, 5)", "float64"]}
    assert edges == []


def test_very_deep_graph_is_walked_without_recursion():
    a = minigrad.ones(1, requires_grad=True)
    y = a
    for _ in range(5000):
        y = y * 1.0
    nodes, edges = parse_dot(viz.to_dot(y))
    assert sum(k.startswith("op") for k in nodes) == 5000
    assert len(edges) == 3 * 5000


def test_to_dot_rejects_non_tensors():
    with pytest.raises(TypeError, match="minigrad Tensor"):
        viz.to_dot([1.0, 2.0])


def test_render_without_graphviz_writes_dot_file_and_says_dot_is_missing(
        small_graph, tmp_path, monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    *_, y = small_graph
    with pytest.raises(RuntimeError, match=r"Graphviz's `dot` program is not installed"
                       r".*written to .*graph\.dot"):
        viz.render(y, tmp_path / "graph", format="svg")
    assert (tmp_path / "graph.dot").read_text() == viz.to_dot(y)
    assert not (tmp_path / "graph.svg").exists()


def test_render_runs_dot_with_the_requested_format(small_graph, tmp_path, monkeypatch):
    # a stand-in `dot` that records its arguments and writes the output file
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\n"
                    "import sys\n"
                    "open(sys.argv[-1], 'w').write(' '.join(sys.argv[1:]))\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(fake.parent) + os.pathsep + os.environ.get("PATH", ""))
    *_, y = small_graph
    out = viz.render(y, tmp_path / "pics" / "graph.png", format="png")
    assert out == str(tmp_path / "pics" / "graph.png")
    dot_file = tmp_path / "pics" / "graph.dot"
    assert (tmp_path / "pics" / "graph.png").read_text() == f"-Tpng {dot_file} -o {out}"


def test_render_rejects_unknown_formats(small_graph, tmp_path):
    with pytest.raises(ValueError, match="'svg' or 'png'"):
        viz.render(small_graph[-1], tmp_path / "g", format="pdf")


def test_importing_viz_does_not_import_matplotlib_or_graphviz():
    code = ("import sys, minigrad.viz; "
            "print(sorted(m for m in ('matplotlib', 'graphviz') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_readme_snippet_for_a_two_layer_mlp_prints_the_graph_shown_there():
    """examples/README.md shows to_dot on a two-layer MLP's loss; the snippet still makes
    that graph (gradient-norm values aside, which depend on the initialisation)."""
    readme = (pathlib.Path(__file__).resolve().parent.parent / "examples" / "README.md")
    text = readme.read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    shown = re.search(r"```dot\n(.*?)```", text, re.S).group(1)
    code = code.replace("viz.render(", "# viz.render(").replace(
        "print(viz.to_dot(loss, params=names))", "made = viz.to_dot(loss, params=names)")
    namespace = {}
    exec(code, namespace)

    def without_norm_values(dot):
        return re.sub(r"grad norm [0-9.e+-]+", "grad norm N", dot)
    assert without_norm_values(namespace["made"]) == without_norm_values(shown)


def test_gradient_norms_are_read_on_every_device(device):
    w = minigrad.tensor([[3.0, 0.0], [0.0, 4.0]], requires_grad=True, device=device)
    y = (w * w).sum() / 2  # d y / d w = w, whose norm is 5
    y.backward()
    nodes, _ = parse_dot(viz.to_dot(y, params={"w": w}))
    assert ["w", "(2, 2)", "float32", "grad norm 5"] in nodes.values()


def test_a_tensor_written_in_place_shows_its_history_as_a_chain_without_a_cycle():
    x = minigrad.ones(3, requires_grad=True)
    h = x * 2
    h.relu_()  # h's history is now Mul -> ReLU; ReLU's input is h as it was before
    nodes, edges = parse_dot(viz.to_dot(h.sum()))
    ops = {nid: label[0] for nid, label in nodes.items() if nid.startswith("op")}
    by_label = {v: k for k, v in ops.items()}
    into = {head: tail for tail, head in edges}
    relu_input = into[by_label["ReLUBackward"]]
    assert into[relu_input] == by_label["MulBackward"]  # old h came out of the product
    assert len(edges) == len(set(edges)) and len(ops) == 3
