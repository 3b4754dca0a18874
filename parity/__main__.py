"""``python -m parity [preset]``: train a network in minigrad and PyTorch, show they agree.

Without ``--dtype`` a preset runs both halves of the proof:
  1. float64 lockstep: same initial weights, same batches, same optimizer; every loss,
     gradient and parameter must agree to ``--tolerance`` (relative) at every step;
  2. float32 end-to-end: each framework trains on its own (own initialisation, own
     DataLoader) for ``--epochs``; the final test accuracies must be within
     ``--acc-tolerance`` percentage points.
``--dtype float64`` runs only the lockstep; ``--dtype float32`` runs a float32 lockstep,
which reports the natural drift and compares the end accuracies.

The exit status is 0 when everything is within tolerance, 1 when something is not, 2 when
the run could not start (unknown preset, missing data, unusable device); the last line
printed says why. Files (``--plot``'s PNGs, the JSON report) go to ``--out``, by default
``runs/parity``, and each path is printed as it is written (on stderr under ``--json``,
whose stdout is the JSON document alone).
"""
import argparse
import contextlib
import json
import os
import sys
import time

from . import presets, report
from .endtoend import endtoend
from .lockstep import OPTIMIZERS, lockstep

DEFAULT_LR = {"sgd": 0.01, "adam": 1e-3, "adamw": 1e-3}


def build_parser():
    p = argparse.ArgumentParser(
        prog="python -m parity",
        description="Train the same network in minigrad and PyTorch and show how far they "
                    "drift apart: float64 lockstep (identical weights and batches) and float32 "
                    "end-to-end (independent runs, accuracy curves).",
        epilog="Exit status: 0 within tolerance, 1 beyond it, 2 when the run cannot start.")
    p.add_argument("preset", nargs="?", default=presets.DEFAULT,
                   help=f"which run (default {presets.DEFAULT}; --list shows them all)")
    p.add_argument("--list", action="store_true", help="list the presets and exit")
    p.add_argument("--dtype", choices=["float64", "float32"], default=None,
                   help="float64: lockstep only; float32: float32 lockstep with accuracies "
                        "(default: float64 lockstep, then float32 end-to-end)")
    p.add_argument("--steps", type=_positive, default=None,
                   help="lockstep training steps (default: the preset's)")
    p.add_argument("--epochs", type=_positive, default=None,
                   help="end-to-end epochs (default: the preset's)")
    p.add_argument("--endtoend", action=argparse.BooleanOptionalAction, default=None,
                   help="run the float32 end-to-end comparison (default: only without --dtype)")
    p.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=None,
                   help="override the preset's optimizer")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: the "
                   "preset's, or the optimizer's usual one when --optimizer changes it)")
    p.add_argument("--batch-size", type=_positive, default=None,
                   help="override the preset's batch size")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--device", default="cpu",
                   help="minigrad device: cpu, cuda, strict (torch uses the CPU unless it has "
                        "the device)")
    p.add_argument("--threads", type=_nonnegative, default=1,
                   help="CPU threads for both frameworks, torch and NumPy's BLAS (default 1: "
                        "a fair comparison, and these small networks gain little from more; "
                        "0 leaves each library's own choice)")
    p.add_argument("--data-root", default=None,
                   help="MNIST: a folder holding the four IDX files or MNIST/raw/ with them "
                        "(default: $MINIGRAD_MNIST, else $MINIGRAD_DATA, else ./data)")
    p.add_argument("--download", action="store_true",
                   help="MNIST: fetch the files that are missing (into --data-root, else "
                        "$MINIGRAD_DATA, else ./data)")
    p.add_argument("--limit", type=_positive, default=None,
                   help="use only the first N training and test samples")
    p.add_argument("--tolerance", type=float, default=1e-9,
                   help="float64 lockstep: largest allowed relative difference (default 1e-9)")
    p.add_argument("--acc-tolerance", type=float, default=None,
                   help="float32: largest allowed accuracy gap in percentage points "
                        "(default: the preset's, usually 2)")
    p.add_argument("--out", default=None,
                   help="folder for the files: PNGs and the JSON report (default runs/parity; "
                        "giving it writes the JSON report)")
    p.add_argument("--plot", action="store_true",
                   help="write PNG plots (divergence by step, accuracy curves) and the JSON "
                        "report to --out")
    p.add_argument("--json", action="store_true",
                   help="print the report as JSON on stdout instead of tables (and the "
                        "paths of written files on stderr)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bars on stderr (default: when stderr is a terminal)")
    return p


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _nonnegative(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or a positive integer, got {text}")
    return value


def list_presets():
    lines = []
    width = max(len(n) for n in presets.PRESETS)
    for name, p in presets.PRESETS.items():
        tag = (" (needs MNIST: --data-root, MINIGRAD_MNIST or ./data; or --download)"
               if p.needs_download else "")
        default = " [default]" if name == presets.DEFAULT else ""
        lines.append(f"{name:<{width}}  {p.description}{default}{tag}")
    return "\n".join(lines)


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.list:
        print(list_presets())
        return 0
    say = (lambda *a: None) if args.json else print
    # where written files are announced: stdout, or stderr when stdout is the JSON
    tell = (lambda text: print(text, file=sys.stderr)) if args.json else print
    args.tell = tell
    started = time.perf_counter()
    try:
        preset = presets.get(args.preset)
    except KeyError as e:
        return _finish(args, None, f"error: {e.args[0]}", 2)
    say(f"parity: {preset.name}: {preset.description}")
    problem = _check_device(args.device)
    if problem:
        return _finish(args, None, f"error: {problem}", 2)
    try:
        data = preset.data(args.data_root, args.download).limited(args.limit)
    except presets.DataMissing as e:
        return _finish(args, None, f"error: {e}", 2)
    except ImportError as e:
        return _finish(args, None, f"error: {missing_package(e)}", 2)
    say(f"data: {len(data.train[0])} training, {len(data.test[0])} test samples ({data.source})")

    with _threads(args.threads):
        doc, problems, summary = run(args, preset, data, say)

    seconds = time.perf_counter() - started
    doc["seconds"] = round(seconds, 2)
    doc["threads"] = args.threads or "library default"
    doc["problems"] = problems
    if args.out or args.plot:
        path = os.path.join(_out(args), f"{preset.name}.json")
        doc["files"].append(path)
        with open(path, "w") as f:
            json.dump(dict(doc, passed=not problems), f, indent=1)
        tell(f"JSON report: {path}")
    say(f"\ndone in {seconds:.1f} s")
    if problems:
        return _finish(args, doc, "FAIL: " + "; ".join(problems), 1)
    return _finish(args, doc, "PASS: " + "; ".join(summary), 0)


def run(args, preset, data, say=print):
    """Every experiment of ``preset``: lockstep (and end-to-end) as ``args`` ask.
    Returns (JSON document, problems, one-line summaries)."""
    run_lockstep_dtype = args.dtype or "float64"
    run_endtoend = args.endtoend if args.endtoend is not None else args.dtype is None
    doc = {"preset": preset.name, "description": preset.description,
           "data": {"source": data.source, "train": len(data.train[0]),
                    "test": len(data.test[0])},
           "experiments": [], "files": []}
    problems = []
    summary = []
    for exp in preset.experiments:
        optimizer = args.optimizer or exp.optimizer
        same_opt = optimizer == exp.optimizer
        lr = args.lr if args.lr is not None else (exp.lr if same_opt else DEFAULT_LR[optimizer])
        kw = dict(exp.optimizer_kwargs) if same_opt else {}
        batch_size = args.batch_size or exp.batch_size
        acc_tol = args.acc_tolerance if args.acc_tolerance is not None else exp.acc_tolerance
        recipe = exp.recipe(optimizer=optimizer, lr=lr, optimizer_kwargs=kw,
                            batch_size=batch_size, seed=args.seed, device=args.device,
                            progress=args.progress)
        entry = {"label": exp.label}
        steps = args.steps or exp.steps
        batch = "full batch" if batch_size is None else f"batch {batch_size}"
        say(f"\n== {exp.label}: {run_lockstep_dtype} lockstep, {steps} steps, {optimizer} "
            f"lr={lr:g}, {batch}")
        tol = args.tolerance if run_lockstep_dtype == "float64" else None
        ls = lockstep(train=data.train, test=data.test, steps=steps, dtype=run_lockstep_dtype,
                      tolerance=tol, **recipe)
        say(report.lockstep_table(ls))
        entry["lockstep"] = report.lockstep_dict(ls)
        if tol is not None:
            summary.append(f"{exp.label} float64 worst rel {report.fmt(ls.worst_rel)}")
            if not ls.passed:
                problems.append(f"{exp.label} float64 lockstep beyond tolerance {tol:g}: "
                                f"{ls.failure['message']}")
        else:
            gap = 100 * abs(ls.accuracy[0] - ls.accuracy[1])
            summary.append(f"{exp.label} float32 drift {report.fmt(ls.worst_rel)}, accuracy "
                           f"{_accs(ls.frameworks, ls.accuracy)}")
            if not gap <= acc_tol:
                problems.append(f"{exp.label} float32 lockstep accuracies differ by {gap:.2f} "
                                f"points ({_accs(ls.frameworks, ls.accuracy)}), more than "
                                f"{acc_tol:g}")
        if args.plot:
            _plot(args, report.plot_lockstep, ls, f"{exp.label}-lockstep-{ls.dtype}.png", doc)

        if run_endtoend:
            epochs = args.epochs or exp.epochs
            say(f"\n== {exp.label}: float32 end-to-end, {epochs} epochs each, own "
                "initialisation")
            ee = endtoend(train=data.train, test=data.test, epochs=epochs, dtype="float32",
                          eval_every=max(1, min(exp.eval_every, epochs)), **recipe)
            say(report.endtoend_table(ee))
            entry["endtoend"] = report.endtoend_dict(ee)
            gap = 100 * ee.accuracy_gap
            finals = [c.final_accuracy for c in ee.curves]
            summary.append(f"{exp.label} float32 accuracy {_accs(ee.frameworks, finals)}")
            if not gap <= acc_tol:
                problems.append(f"{exp.label} float32 end-to-end accuracies differ by {gap:.2f} "
                                f"points ({_accs(ee.frameworks, finals)}), more than {acc_tol:g}")
            if args.plot:
                _plot(args, report.plot_endtoend, ee, f"{exp.label}-endtoend.png", doc)
        doc["experiments"].append(entry)

    return doc, problems, summary


def missing_package(error):
    """What to do about an ImportError: use the project's environment, not this Python."""
    name = error.name or getattr(error.__cause__, "name", None) or error
    return (f"{name} is not installed in this Python ({sys.executable}): run "
            "`source .venv/bin/activate` in the repository first (`bash scripts/setup` "
            "creates .venv with everything parity and the examples use)")


def _check_device(device):
    """None if minigrad can use ``device``, else why not."""
    import minigrad
    try:
        minigrad.zeros(1, device=device)
    except Exception as e:  # unknown name, missing CuPy, no GPU ...
        return f"device {device!r} is not usable: {e}"
    return None


@contextlib.contextmanager
def _threads(n):
    """Run with ``n`` CPU threads in torch and in NumPy's BLAS (which minigrad uses), and
    restore both afterwards; ``n`` = 0 changes nothing. One thread each is a fair
    comparison, and it avoids the cores' oversubscription (threads of both libraries
    spinning against each other and against other processes) that can make these small
    networks several times slower."""
    if not n:
        yield
        return
    import torch
    before = torch.get_num_threads()
    try:  # BLAS and OpenMP pools (torch's among them) first: it records their sizes
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(n)
    except ImportError:  # then set OPENBLAS_NUM_THREADS before starting Python
        limiter = None
    torch.set_num_threads(n)
    try:
        yield
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
        torch.set_num_threads(before)


def _accs(frameworks, accs):
    return ", ".join(f"{f} {report.pct(a)}" for f, a in zip(frameworks, accs))


def _finish(args, doc, verdict, status):
    if args.json:
        doc = dict(doc or {})
        doc["passed"] = status == 0
        doc["status"] = status
        doc["verdict"] = verdict
        print(json.dumps(doc))
        print(verdict, file=sys.stderr)
    else:
        print(verdict)
    return status


def _out(args):
    out = args.out or os.path.join("runs", "parity")
    os.makedirs(out, exist_ok=True)
    return out


def _plot(args, plot, result, filename, doc):
    path = plot(result, os.path.join(_out(args), filename))
    doc["files"].append(path)
    getattr(args, "tell", print)(f"plot: {path}")


if __name__ == "__main__":
    sys.exit(main())
