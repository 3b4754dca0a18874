"""The code in the README and the tour runs as written (documentation that cannot rot)."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ["README.md", "docs/tour.md"]


def python_blocks(path):
    text = (ROOT / path).read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_every_doc_has_python_examples():
    for doc in DOCS:
        assert python_blocks(doc), doc


@pytest.mark.parametrize("doc", DOCS)
def test_python_blocks_run_in_order(doc):
    env = {}
    for block in python_blocks(doc):
        if "class Tanh(Op)" in block or "class ReLU(Op)" in block:
            continue  # excerpts of the engine's source, shown for reading
        if block.lstrip().startswith(("optimizer.zero_grad()",)):
            continue  # the five-line skeleton, names defined by the reader's program
        exec(compile(block, f"<{doc}>", "exec"), env)


@pytest.mark.parametrize("doc", DOCS)
def test_engine_excerpts_are_copied_verbatim_from_the_source(doc):
    """An op shown in the docs is the op as it is in minigrad/ops, not an older version."""
    source = "".join(p.read_text() for p in (ROOT / "minigrad" / "ops").glob("*.py"))
    for block in python_blocks(doc):
        if re.match(r"class \w+\(Op\):", block) and "from " not in block:
            assert block in source, block


def test_tour_links_point_at_the_lines_they_name():
    """A link like [`sum_to`](../minigrad/autograd.py#L195) must land on the line that
    defines or holds ``sum_to``; other links must at least land on code, not a blank."""
    text = (ROOT / "docs/tour.md").read_text()
    links = re.findall(r"\[([^\]]*)\]\(\.\./([\w/]+\.py)#L(\d+)\)", text)
    assert len(links) >= 15
    for label, path, line in links:
        lines = (ROOT / path).read_text().splitlines()
        target = lines[int(line) - 1]
        assert target.strip(), f"{path}#L{line} is a blank line"
        name = re.fullmatch(r"`([\w.]+)`", label)
        if name:
            assert name.group(1).split(".")[-1] in target, (label, path, line, target)
    # "`nn.Linear.forward` ([layers.py](../minigrad/nn/layers.py#L64))": a link labelled
    # with a file name must land on a line holding a part of the name just before it
    named_files = re.findall(r"`([\w.]+)`\s*\(\[[^\]]*\]\(\.\./([\w/]+\.py)#L(\d+)\)\)", text)
    assert len(named_files) >= 4
    for name, path, line in named_files:
        target = (ROOT / path).read_text().splitlines()[int(line) - 1]
        assert any(part in target for part in name.split(".")), (name, path, line, target)


def test_readme_links_point_at_the_lines_they_name():
    """The README's reading path links code lines ([`sum_to`](minigrad/autograd.py#L517)):
    each must land on the line that holds the name in its label."""
    text = (ROOT / "README.md").read_text()
    links = re.findall(r"\[`([\w.]+)`\]\(([\w/]+\.py)#L(\d+)\)", text)
    assert len(links) >= 8
    for label, path, line in links:
        target = (ROOT / path).read_text().splitlines()[int(line) - 1]
        assert label.split(".")[-1] in target, (label, path, line, target)
