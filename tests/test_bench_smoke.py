"""Smoke tests of the benchmark (``python -m bench``) and the long-run script.

They run everything at tiny sizes so the benchmark never rots; they check that the
report exists and holds a minigrad/torch ratio for every benchmark. No timing is
asserted: on a shared 2-core machine a time says nothing about correctness.
"""
import json
import math
import pathlib
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

import minigrad  # noqa: E402
import minigrad.nn  # noqa: E402

from bench import longrun, models, report  # noqa: E402
from bench.run import Settings, limited_threads, main, run  # noqa: E402

EXPECTED = ["mnist_mlp", "lenet", "blobs", "bn_cnn", "op_matmul", "op_conv2d_3x3",
            "op_conv2d_5x5", "op_max_pool2d", "op_cross_entropy", "op_adam_step"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-out")
    # one thread each: on a busy machine 2-thread BLAS/OpenMP pools stall, and this is
    # a smoke run (the limit is lifted afterwards)
    with limited_threads(1):
        results = run(Settings(quick=True, repeats=2), str(out), log=lambda *a: None)
    return out, results


def test_quick_benchmark_writes_markdown_json_and_scaling_png(quick_run):
    out, _ = quick_run
    for name in ("report.md", "results.json", "scaling.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert (out / "scaling.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_benchmark_has_a_positive_ratio_in_json_and_markdown(quick_run):
    out, _ = quick_run
    saved = json.loads((out / "results.json").read_text())
    md = (out / "report.md").read_text()
    names = [b["name"] for b in saved["benchmarks"]]
    assert names[:len(EXPECTED)] == EXPECTED
    assert any(n.startswith("scaling_batch_") for n in names)
    assert any(n.startswith("scaling_width_") for n in names)
    for b in saved["benchmarks"]:
        assert "error" not in b, (b["name"], b.get("error"))
        assert math.isfinite(b["ratio"]) and b["ratio"] > 0, b["name"]
        for fw in ("minigrad", "torch"):
            assert b[fw]["median_s"] > 0 and len(b[fw]["samples_s"]) == 2
        row = next(line for line in md.splitlines() if line.startswith(f"| {b['name']} |"))
        assert f"**{b['ratio']:.2f}**" in row


def test_report_header_names_machine_versions_and_threads(quick_run):
    out, results = quick_run
    md = (out / "report.md").read_text()
    m = results["machine"]
    assert m["cpu_count"] >= 1 and m["cpu_model"] in md
    assert m["torch_threads"] == 1  # what the fixture asked for
    for text in (f"python {m['python']}", f"numpy {m['numpy']}", f"torch {torch.__version__}",
                 "torch 1 intra-op", "OPENBLAS_NUM_THREADS"):
        assert text in md


def test_memory_is_measured_for_both_frameworks_in_subprocesses(quick_run):
    _, results = quick_run
    mem = results["memory"]
    for fw in ("minigrad", "torch"):
        m = mem["frameworks"][fw]
        assert "error" not in m, m.get("error")
        assert m["framework"] == fw and m["samples"] == 256
        assert m["peak_rss_mb"] >= m["rss_before_epoch_mb"] > 0
        assert math.isfinite(m["final_loss"])
    assert mem["ratio"] > 0


def test_cuda_comparison_is_skipped_with_a_reason_or_timed(quick_run):
    _, results = quick_run
    cuda = results["cuda"]
    if minigrad.cuda.is_available() and torch.cuda.is_available():
        assert not cuda["skipped"] and all("ratio" in b for b in cuda["benchmarks"])
    else:
        assert cuda["skipped"] and "no GPU" in cuda["reason"]


def test_cli_only_selects_benchmarks_by_name_and_rejects_zero_repeats(tmp_path, capsys):
    assert main(["--quick", "--only", "op_cross_entropy", "--repeats", "2",
                 "--out", str(tmp_path)]) == 0
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [b["name"] for b in saved["benchmarks"]] == ["op_cross_entropy"]
    assert "memory" not in saved and "op_cross_entropy" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--quick", "--repeats", "0", "--out", str(tmp_path)])


@pytest.mark.parametrize("argv, message", [
    (["--only", "lenet,lenett"], "--only lenett matches no benchmark; names: mnist_mlp, lenet"),
    (["--threads", "0"], "--threads must be at least 1, got 0"),
    (["--repeats", "-2"], "--repeats must be at least 1, got -2"),
])
def test_cli_names_the_bad_value_before_running_anything(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit):
        main(["--quick", "--out", str(tmp_path / "out")] + argv)
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("make", [models.mlp, models.lenet, models.blobs_mlp, models.bn_cnn],
                         ids=["mlp", "lenet", "blobs", "bn_cnn"])
def test_one_model_definition_builds_the_same_network_in_both_frameworks(make):
    torch.manual_seed(0)
    t_model = make(torch.nn).double()
    m_model = make(minigrad.nn).double()
    models.copy_parameters(t_model, m_model)
    shape = (3, 2) if make is models.blobs_mlp else (3, 1, 28, 28)
    x = np.random.default_rng(0).random(shape)
    expected = t_model(torch.from_numpy(x)).detach().numpy()
    got = m_model(minigrad.from_numpy(x.copy())).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_markdown_shows_an_error_row_instead_of_crashing_when_a_benchmark_fails():
    record = {"name": "op_broken", "group": "ops", "description": "an op that raised",
              "error": "RuntimeError: boom"}
    assert "error: RuntimeError: boom" in report._table([record])
    assert "ERROR" in report.console_line(record)


def test_longrun_checks_run_at_tiny_sizes():
    flat = longrun.flat_memory(steps=20, checkpoints=(10, 20), pool=4)
    assert [r["step"] for r in flat["rows"]] == [10, 20]
    assert all(math.isfinite(r["loss"]) for r in flat["rows"])
    assert longrun.no_grad_holds_nothing()["ok"]
    c = longrun.chain(2_000)
    assert c["ops"] == 2_000 and c["grad_rel_error"] < 1e-12


def test_each_timed_block_follows_a_pause_and_untimed_rewarm_steps(monkeypatch):
    """measure(): pause (the other framework's threads go quiet), then ~rewarm_seconds of
    untimed steps, then the timed block; the samples count only the timed block."""
    from bench import run as bench_run
    events = []
    monkeypatch.setattr(bench_run.time, "sleep", lambda s: events.append("pause"))
    blocks = []
    real_time_block = bench_run._time_block

    def time_block(step, sync, n, clock=None):
        blocks.append(n)
        events.append(f"block of {n}")
        return real_time_block(step, sync, n)

    monkeypatch.setattr(bench_run, "_time_block", time_block)
    settings = Settings(quick=True, repeats=2)
    settings.settle_seconds, settings.rewarm_seconds = 0.2, 1.0  # every step counts as re-warm
    calls = []
    bench_run.measure({"a": (lambda: calls.append(1), lambda: None)}, settings)
    timed = events[events.index("pause"):]
    inner = int(timed[1].split()[-1])
    assert timed == ["pause", f"block of {inner}"] * 2
    calibration = sum(blocks[:-2])
    # all calls = warm-up + calibration + per round (re-warm = inner, capped) + timed block
    assert len(calls) == settings.warmup_steps + calibration + 2 * (inner + inner)


def test_bench_arrays_counts_the_arrays_a_training_step_makes():
    """``python -m bench.arrays mnist_mlp`` (its own process: it replaces NumPy's
    allocator) prints the arrays, megabytes and scalars one step makes."""
    import subprocess
    out = subprocess.run([sys.executable, "-m", "bench.arrays", "mnist_mlp"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    fields = out.split()
    assert fields[0] == "mnist_mlp" and fields[1] == "arrays/step", out
    assert 10 < float(fields[2]) < 1000 and float(fields[4]) > 0, out
