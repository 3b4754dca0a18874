"""A new user's first ten minutes: every command README.md and examples/README.md show works
as written, in a fresh copy of the repository, in a new shell after the two set-up commands.

The copy holds what a clone of this working tree would (tracked and not-ignored files, no
``data/``, no ``out/``); its ``.venv`` stands for the one ``scripts/setup`` makes: its
``bin/python`` runs this interpreter and its install stamp matches, so that the scripts
find set-up done (creating a real one takes pip minutes and is not what is tested here).
``PATH`` starts with ``.venv/bin``, as after ``source .venv/bin/activate``; no MINIGRAD_*
variable is set unless a case sets it, as in a new shell. Long runs get arguments that
shorten them (``QUICK``; a tolerance of 100 accuracy points where a few epochs on a few
samples leave the frameworks' accuracies apart by chance): what is checked is that each
command starts, does its job and exits 0, and that each mistake of the issue's list ends
in one line and exit status 2.
"""
import hashlib
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ["README.md", "examples/README.md"]

# Every command the docs show -> what the test appends to make it short ("" = as written).
QUICK = {
    "bash scripts/setup": "",
    "bash scripts/demo": " --steps 3 --epochs 20 --acc-tolerance 100",
    "bash scripts/test": " -n 0 -q -k test_list_shows_every_preset_and_exits_0",
    "bash scripts/test -k conv -x": " -n 0 --collect-only -q",
    "python -m parity --list": "",
    "python -m parity circles --dtype float64": " --steps 30",
    "python -m parity mnist-lenet --dtype float64": " --steps 3 --limit 256",
    "python -m parity mnist-mlp --plot": " --steps 3 --epochs 1 --limit 512 --acc-tolerance 100",
    "python -m bench --quick": " --only mnist_mlp,blobs",
    "python -m bench.longrun": " --steps 200 --chains 1000,10000 --no-torch",
    "python -m parity.fuzz --cases 5000": " --cases 40",  # (the last --cases counts)
    "python examples/blobs_binary.py": " --quick",
    "python examples/blobs_multiclass.py": " --quick",
    "python examples/circles.py": " --quick",
    "python examples/mnist_mlp.py": " --quick",
    "python examples/mnist_lenet.py": " --quick",
    "python examples/mnist_modern_cnn.py": " --quick",
    "python examples/conv_filters.py": " --quick",
    "python examples/higher_order.py": " --quick",
}
# Not run by a subprocess of their own: the shell set-up (stood in for by PATH), a
# placeholder, and commands that another one runs whole (scripts/demo is setup + parity).
NOT_RUN = {"source .venv/bin/activate", "python -m parity <preset> --dtype float64",
           "python -m parity",           # bash scripts/demo runs it
           "python -m bench",            # its quick form is python -m bench --quick
           # need a GPU: test_gpu_commands_say_there_is_none runs them without one
           "bash scripts/gpu-check OUTDIR", "python -m bench --device cuda",
           # installs 5.5 GB of CUDA torch + torchvision into a venv of its own: run by hand
           # (its last result is in README.md), never by CI
           "bash scripts/torchvision-check"}
SLOW = {"bash scripts/demo", "python -m bench --quick",
        "python -m parity mnist-mlp --plot", "python -m parity circles --dtype float64",
        "bash scripts/test", "bash scripts/test -k conv -x"}


def documented_commands():
    """The shell commands in the docs' ```bash blocks and `inline code`."""
    found = set()
    for doc in DOCS:
        text = (ROOT / doc).read_text()
        for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
            found.update(line.split("  #")[0].strip() for line in block.splitlines()
                         if line.strip())
        found.update(code.strip() for code in re.findall(r"`([^`\n]+)`", text)
                     if re.match(r"(python -m |python examples/|bash scripts/|source \.venv)",
                                 code))
    return found


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory):
    """A copy of the repository as a clone would have it, with a stand-in ``.venv``."""
    repo = tmp_path_factory.mktemp("new-user") / "minigrad"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        source = ROOT / name
        if name and source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    bin_dir = repo / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for exe in ("python", "python3"):
        (bin_dir / exe).write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        (bin_dir / exe).chmod(stat.S_IRWXU)
    digest = hashlib.sha256((repo / "pyproject.toml").read_bytes()).hexdigest()
    (repo / ".venv" / ".minigrad-installed").write_text(digest + "\n")
    return repo


def shell(repo, command, env=None, timeout=300):
    """``command`` in bash, in ``repo``, as in a new shell after activating ``.venv``."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("MINIGRAD_", "PYTEST_", "PYTHON")) and k != "VIRTUAL_ENV"}
    base.update(PATH=f"{repo / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
                VIRTUAL_ENV=str(repo / ".venv"), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    base.update(env or {})
    return subprocess.run(["bash", "-c", command], cwd=repo, env=base, capture_output=True,
                          text=True, timeout=timeout)


def test_every_command_in_the_docs_is_run_here():
    shown = documented_commands()
    assert shown - NOT_RUN == set(QUICK), (
        f"commands in the docs but not in QUICK: {sorted(shown - NOT_RUN - set(QUICK))}; "
        f"in QUICK but no longer in the docs: {sorted(set(QUICK) - shown)}")


def _param(command):
    marks = [pytest.mark.slow] if command in SLOW else []
    return pytest.param(command, id=command, marks=marks)


@pytest.mark.parametrize("command", [_param(c) for c in QUICK])
def test_documented_command_runs_as_written(command, fresh_copy, request):
    env = {}
    if "mnist" in command or "conv_filters" in command:  # the documented variable
        env["MINIGRAD_MNIST"] = str(request.getfixturevalue("mnist_dir"))
    proc = shell(fresh_copy, command + QUICK[command], env)
    shown = f"$ {command}{QUICK[command]}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, shown
    assert "Traceback" not in proc.stderr, shown
    if command.startswith("python examples/"):
        assert re.search(r"^Summary \[\w+ \| minigrad \| cpu\]: test accuracy", proc.stdout,
                         re.M), shown
        assert proc.stderr == "", shown  # no progress bars into a file or a pipe
    if command.startswith(("python -m parity", "bash scripts/demo")) and "--list" not in command:
        assert proc.stdout.strip().splitlines()[-1].startswith("PASS: "), shown
    if command == "python -m parity mnist-mlp --plot":
        files = sorted(p.name for p in (fresh_copy / "runs" / "parity").glob("mnist-mlp*"))
        assert files == ["mnist-mlp-endtoend.png", "mnist-mlp-lockstep-float64.png",
                         "mnist-mlp.json"], shown
        assert "JSON report: runs/parity/mnist-mlp.json" in proc.stdout, shown
    if command.startswith("python -m bench "):
        assert "these numbers only show that the benchmark runs" in proc.stdout, shown


# --------------------------------------------------------------- the usual mistakes


def one_line_error(proc, starts):
    """Exit status 2 and one line that says what is wrong, no traceback."""
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "Traceback" not in text, text
    errors = [line for line in text.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith(starts), text
    return errors[0]


def test_a_wrong_data_root_names_it_and_the_flag(fresh_copy, tmp_path):
    proc = shell(fresh_copy, f"python examples/mnist_mlp.py --quick --data-root {tmp_path}/x")
    line = one_line_error(proc, "python examples/mnist_mlp.py: error: MNIST files not found; ")
    assert f"looked in: --data-root {tmp_path}/x (no such folder)" in line
    assert line.endswith("or use --download.")


def test_no_data_anywhere_names_every_place_looked_at(fresh_copy):
    for command in ("python examples/mnist_lenet.py --quick",
                    "python -m parity mnist-mlp --dtype float64"):
        line = one_line_error(shell(fresh_copy, command), ("python examples", "error: "))
        assert "looked in: $MINIGRAD_MNIST (not set); the default root ./data (no such " \
               "folder). Pass --data-root DIR or set MINIGRAD_MNIST=DIR" in line


def test_minigrad_data_works_for_parity_as_for_the_library_and_examples(fresh_copy, mnist_dir,
                                                                         tmp_path):
    (tmp_path / "MNIST").mkdir()
    (tmp_path / "MNIST" / "raw").symlink_to(mnist_dir)
    env = {"MINIGRAD_DATA": str(tmp_path)}
    proc = shell(fresh_copy, "python -m parity mnist-mlp --dtype float64 --steps 2 --limit 128",
                 env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"MNIST IDX files in {tmp_path}/MNIST/raw" in proc.stdout


@pytest.mark.parametrize("framework", ["minigrad", "torch"])
def test_device_cuda_without_a_gpu_is_one_line_on_either_framework(framework, fresh_copy):
    import torch

    import minigrad
    if minigrad.cuda.is_available() and torch.cuda.is_available():
        pytest.skip("this machine has a GPU both frameworks can use")
    proc = shell(fresh_copy, f"python examples/blobs_binary.py --quick --device cuda "
                             f"--framework {framework}")
    line = one_line_error(proc, "python examples/blobs_binary.py: error: --device cuda is not "
                                "usable by ")
    assert line.endswith("use --device cpu")


def test_parity_device_cuda_without_a_gpu_is_one_line(fresh_copy):
    import minigrad
    if minigrad.cuda.is_available():
        pytest.skip("this machine has a GPU")
    one_line_error(shell(fresh_copy, "python -m parity circles --device cuda"),
                   "error: device 'cuda' is not usable")


def test_test_summary_says_why_mnist_tests_were_skipped(fresh_copy):
    proc = shell(fresh_copy, "bash scripts/test -n 0 -q -k test_mnist_preset_reads_the_data_root",
                 env={"MINIGRAD_MNIST": "/nowhere/mnist"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^ +1 skipped: no MNIST: looked in \$MINIGRAD_MNIST=/nowhere/mnist "
                     r"\(no such folder\); the default root ./data \(no such folder\)",
                     proc.stdout, re.M), proc.stdout


def test_longrun_help_says_what_it_measures(capsys):
    from bench import longrun
    with pytest.raises(SystemExit):
        longrun.main(["--help"])
    text = capsys.readouterr().out
    assert "memory stays flat" in text and "deep chain" in text and "issue" not in text


def test_parity_says_where_plots_and_json_went_beside_json_on_stdout(fresh_copy):
    import json
    proc = shell(fresh_copy, "python -m parity blobs-mlp --dtype float64 --steps 3 --plot "
                             "--json --out reports")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["files"] == ["reports/blobs-mlp-lockstep-float64.png", "reports/blobs-mlp.json"]
    assert proc.stderr.splitlines()[:2] == ["plot: reports/blobs-mlp-lockstep-float64.png",
                                            "JSON report: reports/blobs-mlp.json"]
    assert json.loads((fresh_copy / "reports" / "blobs-mlp.json").read_text())["passed"]


def test_gpu_commands_say_there_is_none_and_stop_at_once(fresh_copy, tmp_path):
    import minigrad
    if minigrad.cuda.is_available():
        pytest.skip("this machine has a GPU (scripts/gpu-check then runs for real)")
    for command in (f"bash scripts/gpu-check {tmp_path}/out", "python -m bench --device cuda"):
        proc = shell(fresh_copy, command, timeout=60)
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2 and "Traceback" not in text, text
        assert "no GPU" in text.splitlines()[-1] or "no usable CUDA GPU" in text, text
