"""Turn benchmark results into a console table, a Markdown report, JSON and a PNG."""
import json
import math
import os

NOTES = [
    "Inputs are random data of MNIST's shape (pixels uniform in [0, 1), labels uniform in "
    "0..9), made once; data loading is not timed. The blobs data is scikit-learn's "
    "`make_blobs` (8 centers, 2 features).",
    "Both frameworks train the same model: minigrad's weights are copied from the torch "
    "model's initialisation, so both do the same arithmetic in float32.",
    "Per framework: warm-up steps, then blocks of steps of ~0.1 s (~4 ms with --quick); "
    "one sample = block time / steps. Frameworks alternate and the order flips every round. "
    "Median of the samples; spread = interquartile range as % of the median.",
    "Before each block the benchmark sleeps 0.2 s: after a call, OpenBLAS's idle threads "
    "spin for ~0.1 s on the core that torch's next parallel region needs (and torch's "
    "OpenMP threads spin too). Without the pause torch's blobs step measured 5.9 ms "
    "instead of 3.7 ms and its LeNet step 9 ms instead of 4.9 ms: the two frameworks' "
    "thread pools slowed each other, torch's far more.",
    "A training step is zero_grad + forward + loss + backward + optimizer step. Per-op "
    "rows time forward + backward of one op (the output gradient is given, leaves' .grad "
    "reset each call). Python's garbage collector stays on, as in real training.",
    "Denormals: with a fixed batch some ReLU units die, the gradients of their weights are "
    "exactly 0, and Adam's first moment of those weights decays into denormal float32 "
    "values that never reach 0 (once m is a few denormal ulps, m - 0.1 m rounds back to "
    "m). From a few hundred steps on, every Adam step of torch pays the CPU's slow "
    "denormal path (+30% to +130% on the MLP step, measured). minigrad's optimizers step "
    "with denormals flushed to zero (`minigrad.cpu_speed.denormals_flushed`), so minigrad's "
    "step stays flat; "
    "the mnist_mlp row (~2,000 steps per framework) includes torch's slow regime, the "
    "scaling rows (fewer steps) mostly do not. `--flush-denormal` flushes everywhere, for "
    "both (for torch only on its main thread).",
    "Page faults per call: minor faults (first touches of memory the C library had to map "
    "afresh) during the timed blocks. Thousands per step mean that large temporaries are "
    "returned to the kernel and mapped again every step; glibc decides that from the "
    "process's allocation history, which makes such cases vary from run to run.",
    "Ratio = minigrad median / torch median: below 1 means minigrad is faster. *Ratio of "
    "best* divides the two fastest samples: on a shared machine it is the figure least "
    "disturbed by other processes.",
    "Both frameworks use 2-thread pools by default (torch's OpenMP pool, NumPy's OpenBLAS). "
    "When other processes keep the cores busy, a pool whose second thread is descheduled "
    "makes a step many times slower; `--threads 1` removes that noise source for both.",
]


def _ms(seconds):
    """Milliseconds with 3 significant digits (us for small values)."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    ms = seconds * 1e3
    if ms < 1:
        return f"{ms * 1e3:.0f} us" if ms >= 0.1 else f"{ms * 1e3:.1f} us"
    return f"{ms:.3g} ms" if ms < 100 else f"{ms:.0f} ms"


def _spread(t):
    if not t or not t.get("median_s"):
        return "-"
    return f"{100 * (t['q3_s'] - t['q1_s']) / t['median_s']:.0f}%"


def _faults(t):
    f = t.get("page_faults_per_call")
    return "-" if f is None else f"{f:.0f}"


def header_text(machine):
    blas = "; ".join(machine.get("numpy_blas") or []) or "unknown"
    lines = [
        f"machine: {machine.get('cpu_model', '?')}, {machine.get('cpu_count')} logical CPUs "
        f"({machine.get('cpus_usable', '?')} usable), {machine.get('memory_mb', '?')} MB RAM",
        f"python {machine.get('python')}, numpy {machine.get('numpy')} (BLAS: {blas}), "
        f"torch {machine.get('torch')}, minigrad {machine.get('minigrad')} "
        f"(git {machine.get('minigrad_git')})",
        f"threads: torch {machine.get('torch_threads')} intra-op / "
        f"{machine.get('torch_interop_threads')} inter-op, "
        f"env {machine.get('thread_env') or 'unset'}; "
        f"load average at start {machine.get('load_average_start')}",
    ]
    return "\n".join(lines)


def console_line(record):
    if "error" in record:
        return f"{record['name']:<20} ERROR {record['error']}"
    mg, tc = record.get("minigrad"), record.get("torch")
    return (f"{record['name']:<20} minigrad {_ms(mg['median_s']):>9} ({_spread(mg):>4})   "
            f"torch {_ms(tc['median_s']):>9} ({_spread(tc):>4})   "
            f"ratio {record['ratio']:.2f}")


def _table(records):
    rows = ["| benchmark | what | minigrad | torch | minigrad/torch | spread mg / torch "
            "| ratio of best | page faults per call mg / torch | steps x repeats |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in records:
        if "error" in r:
            rows.append(f"| {r['name']} | {r['description']} | error: {r['error']} | | | | | "
                        "| |")
            continue
        mg, tc = r["minigrad"], r["torch"]
        rows.append(
            f"| {r['name']} | {r['description']} | {_ms(mg['median_s'])} | "
            f"{_ms(tc['median_s'])} | **{r['ratio']:.2f}** | {_spread(mg)} / {_spread(tc)} | "
            f"{mg['min_s'] / tc['min_s']:.2f} | {_faults(mg)} / {_faults(tc)} | "
            f"{mg['calls_per_sample']}/{tc['calls_per_sample']} x {len(mg['samples_s'])} |")
    return "\n".join(rows)


QUICK_WARNING = ("--quick: tiny sizes, 3 short repeats; these numbers only show that the "
                 "benchmark runs, not which framework is faster (run without --quick for that)")


def summary_table(results):
    if not results["benchmarks"]:
        return ""
    warning = f"{QUICK_WARNING}\n" if results["settings"].get("quick") else ""
    return "\n" + warning + _table(results["benchmarks"]) + "\n" + warning


def memory_text(memory):
    lines = [f"peak RSS of one LeNet epoch ({memory['samples']} random samples, batch "
             f"{memory['batch']}, Adam), each framework in its own process:"]
    for name, m in memory["frameworks"].items():
        if "error" in m:
            lines.append(f"  {name}: error {m['error']}")
            continue
        lines.append(f"  {name:<9} peak {m['peak_rss_mb']:.0f} MB (before the epoch "
                     f"{m['rss_before_epoch_mb']:.0f} MB, +{m['epoch_increment_mb']:.1f} MB "
                     f"during it; epoch {m['epoch_seconds']:.1f} s)")
    if "ratio" in memory:
        lines.append(f"  ratio minigrad/torch (peak): {memory['ratio']:.2f}")
    return "\n".join(lines)


def _memory_md(memory):
    rows = [f"One LeNet epoch: {memory['samples']:,} random MNIST-shaped samples, batch "
            f"{memory['batch']}, Adam; each framework in a fresh subprocess. The peak-RSS mark "
            "(VmHWM) is reset just before the epoch (after imports, data and one warm-up "
            "step), so *epoch increment* is what training itself adds; *peak* includes the "
            "interpreter, the framework's libraries and the data "
            f"({memory['samples'] * (784 * 4 + 8) / 2**20:.0f} MB of float32 images and "
            "int64 labels).",
            "",
            "| framework | after import | before epoch | peak during epoch | epoch increment "
            "| epoch time |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, m in memory["frameworks"].items():
        if "error" in m:
            rows.append(f"| {name} | error: {m['error']} | | | | |")
            continue
        rows.append(f"| {name} | {m['rss_after_import_mb']:.0f} MB | "
                    f"{m['rss_before_epoch_mb']:.0f} MB | {m['peak_rss_mb']:.0f} MB | "
                    f"{m['epoch_increment_mb']:.1f} MB | {m['epoch_seconds']:.1f} s |")
    if "ratio" in memory:
        rows += ["", f"Peak ratio minigrad/torch: **{memory['ratio']:.2f}**"]
    return "\n".join(rows)


def _fit_line(xs, ys):
    """Least-squares a + b*x through the points (a: fixed cost, b: cost per unit of x)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return my - b * mx, b


def overhead_fit(records):
    """Per framework, the batch-scaling step times fitted as fixed + per-sample cost (us)."""
    rs = [r for r in records if r.get("axis") == "batch" and "ratio" in r]
    if len(rs) < 2:
        return {}
    xs = [r["batch"] for r in rs]
    return {name: dict(zip(("fixed_us", "per_sample_us"),
                           (1e6 * v for v in _fit_line(xs, [r[name]["median_s"] for r in rs]))))
            for name in ("minigrad", "torch")}


def _scaling_md(records):
    out = []
    for axis, label in (("batch", "batch size (hidden 128)"), ("width", "hidden width (batch 64)")):
        rs = [r for r in records if r.get("axis") == axis and "ratio" in r]
        if not rs:
            continue
        key = "batch" if axis == "batch" else "hidden"
        out += [f"**MLP step time against {label}**", "",
                f"| {key} | minigrad | torch | minigrad/torch | minigrad us/sample "
                "| torch us/sample |",
                "|---:|---:|---:|---:|---:|---:|"]
        for r in rs:
            mg, tc = r["minigrad"]["median_s"], r["torch"]["median_s"]
            out.append(f"| {r[key]} | {_ms(mg)} | {_ms(tc)} | {r['ratio']:.2f} | "
                       f"{1e6 * mg / r['batch']:.1f} | {1e6 * tc / r['batch']:.1f} |")
        out.append("")
    fit = overhead_fit(records)
    if fit:
        out += ["Straight-line fit of step time against batch size (step = fixed + "
                "per-sample x batch): " + "; ".join(
                    f"{name} {f['fixed_us']:.0f} us fixed + {f['per_sample_us']:.2f} us per "
                    f"sample" for name, f in fit.items()) +
                ". The fixed part is per-step overhead (Python, op dispatch, the optimizer "
                "over 101,770 parameters); the per-sample part is arithmetic (GEMMs and "
                "element-wise passes).", ""]
    return "\n".join(out)


def markdown(results, png_name=None):
    m = results["machine"]
    s = results["settings"]
    bench = results["benchmarks"]
    main = [r for r in bench if r["group"] in ("train", "ops")]
    lines = ["# minigrad vs PyTorch (CPU): side-by-side benchmark", "",
             "## Machine", "", "```", header_text(m),
             f"load average at end {m.get('load_average_end')}", "```", "",
             f"Settings: {'QUICK (smoke sizes, numbers not meaningful)' if s['quick'] else 'full'}"
             f", {s.get('clock', 'wall')} clock, {s['repeats']} repeats per framework, blocks "
             f"of ~{s['block_seconds']} s, "
             f"{s['warmup_steps']} warm-up steps"
             f"{', flush-to-zero on' if s.get('flush_denormal') else ''}.", ""]
    loads = [la[0] for la in (m.get("load_average_start"), m.get("load_average_end")) if la]
    if loads and max(loads) > 0.5 * (m.get("cpu_count") or 1):
        lines += [f"**Busy machine**: the 1-minute load average reached {max(loads):.1f} on "
                  f"{m.get('cpu_count')} CPUs during the run, so other processes competed for "
                  "the cores; expect noisy medians (see the spread column and the ratio of the "
                  "best samples), and prefer `--threads 1 --clock cpu` for comparisons.", ""]
    if main:
        lines += ["## Training steps and ops", "", _table(main), ""]
    scaling = [r for r in bench if r["group"] == "scaling"]
    if scaling:
        lines += ["## Scaling", "",
                  "Where minigrad's time per sample falls as the batch grows, the step is "
                  "dominated by fixed per-op (Python) overhead; where the ratio tends to 1 "
                  "at large batch or width, both are bound by the same GEMMs.", ""]
        if png_name:
            lines += [f"![scaling curves]({png_name})", ""]
        lines += [_scaling_md(scaling), _table(scaling), ""]
    if "memory" in results:
        lines += ["## Peak memory", "", _memory_md(results["memory"]), ""]
    if "cuda" in results:
        lines += ["## CUDA (CuPy vs PyTorch CUDA)", ""]
        if results["cuda"].get("skipped"):
            lines += [f"Skipped: {results['cuda']['reason']}.", ""]
        else:
            lines += [f"Device: {results['cuda'].get('device', 'unknown')}.", "",
                      _table(results["cuda"]["benchmarks"]), ""]
    if results.get("profiles"):
        lines += ["## Profiles", "", "cProfile output of minigrad's training steps: " +
                  ", ".join(f"`{os.path.basename(p)}`" for p in results["profiles"]), ""]
    lines += ["## Method", ""] + [f"- {n}" for n in NOTES] + [""]
    return "\n".join(lines)


def plot_scaling(records, path, quick=False):
    """Step time and ratio against batch size and hidden width; False without matplotlib.
    A ``quick`` run's figure says on top that its numbers mean nothing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    except ImportError:
        return False
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    axes_def = (("batch", "batch", "batch size (hidden 128)"),
                ("width", "hidden", "hidden width (batch 64)"))
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex="col")
    for col, (axis, key, label) in enumerate(axes_def):
        rs = [r for r in records if r.get("axis") == axis and "ratio" in r]
        top, bottom = axes[0][col], axes[1][col]
        if not rs:
            top.set_visible(False)
            bottom.set_visible(False)
            continue
        xs = [r[key] for r in rs]
        for name, style in (("minigrad", "o-"), ("torch", "s--")):
            med = [1e3 * r[name]["median_s"] for r in rs]
            lo = [1e3 * (r[name]["median_s"] - r[name]["q1_s"]) for r in rs]
            hi = [1e3 * (r[name]["q3_s"] - r[name]["median_s"]) for r in rs]
            top.errorbar(xs, med, yerr=[lo, hi], fmt=style, capsize=3, label=name)
        top.set_xscale("log", base=2)
        top.set_yscale("log")
        top.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        top.yaxis.set_major_formatter(plain)
        top.yaxis.set_minor_formatter(NullFormatter())
        top.set_ylabel("ms per training step (median)")
        top.set_title(f"MLP 784-H-10, Adam: step time vs {label}")
        top.grid(True, which="both", alpha=0.3)
        top.legend()
        bottom.plot(xs, [r["ratio"] for r in rs], "o-", color="C2")
        bottom.axhline(1.0, color="gray", lw=1, ls=":")
        bottom.set_xscale("log", base=2)
        bottom.set_xticks(xs)
        bottom.xaxis.set_major_formatter(plain)
        bottom.set_xlabel(label)
        bottom.set_ylabel("minigrad / torch")
        bottom.grid(True, which="both", alpha=0.3)
    if quick:
        fig.suptitle("QUICK RUN (tiny sizes, 3 short repeats): these numbers mean nothing",
                     color="firebrick")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write(results, out_dir):
    """Write results.json, report.md and (with scaling results) scaling.png; return paths."""
    paths = []
    png = os.path.join(out_dir, "scaling.png")
    scaling = [r for r in results["benchmarks"] if r["group"] == "scaling"]
    have_png = bool(scaling) and plot_scaling(scaling, png,
                                              quick=results["settings"].get("quick", False))
    if have_png:
        paths.append(png)
    md = os.path.join(out_dir, "report.md")
    with open(md, "w") as f:
        f.write(markdown(results, "scaling.png" if have_png else None))
    paths.insert(0, md)
    js = os.path.join(out_dir, "results.json")
    with open(js, "w") as f:
        json.dump(results, f, indent=1)
    paths.insert(1, js)
    return paths
