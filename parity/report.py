"""Reports a person wants to look at: terminal tables, JSON, and (optionally) PNG plots.

- ``lockstep_table(result)``: one row per parameter (grouped by layer) with its gradient
  and parameter differences at its worst step, then the loss difference and the verdict.
- ``endtoend_table(result)``: both accuracy curves side by side.
- ``lockstep_dict`` / ``endtoend_dict``: the same numbers, JSON-ready.
- ``plot_lockstep`` / ``plot_endtoend``: PNGs (matplotlib is imported only here, lazily).
"""
import math

import numpy as np


def fmt(x):
    """A difference for a table: ``3.1e-16``, ``0`` for exactly zero, ``inf``/``nan``."""
    if x is None:
        return "-"
    x = float(x)
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    return f"{x:.1e}"


def pct(x):
    return "-" if x is None or not math.isfinite(x) else f"{100 * x:.2f}%"


def table(headers, rows, align=None):
    """A plain text table: columns padded to their widest cell, numbers right-aligned."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or ["<"] + [">"] * (len(headers) - 1)
    lines = []
    for k, r in enumerate(cells):
        lines.append("  ".join(f"{c:{a}{w}}" for c, a, w in zip(r, align, widths)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ------------------------------------------------------------------- lockstep


def lockstep_table(result):
    """Per layer: gradient and parameter differences at that layer's worst step."""
    a, b = result.frameworks
    rows = []
    for j, (layer, kind) in enumerate(result.layers):
        w = result.worst(j)
        params = ", ".join(n[len(layer) + 1:] if n.startswith(layer + ".") else n
                           for n, k in zip(result.param_names, result.param_layer) if k == j)
        row = [layer, kind, params, fmt(w["grad_abs"]), fmt(w["grad_rel"]),
               fmt(w["param_abs"]), fmt(w["param_rel"]), w["step"]]
        if result.tolerance is not None:
            beyond = ~(np.maximum(result.grad_rel[:, j], result.param_rel[:, j])
                       <= result.tolerance)
            row.append(int(np.argmax(beyond)) if beyond.any() else "-")
        rows.append(row)
    headers = ["layer", "type", "params", "grad max|d|", "grad rel", "param max|d|",
               "param rel", "worst step"]
    if result.tolerance is not None:
        headers.append("first > tol")
    out = [table(headers, rows, ["<"] * 3 + [">"] * (len(headers) - 3))]
    if result.steps:
        la, lr = result.loss_abs, result.loss_rel
        s = int(np.argmax(np.where(np.isfinite(lr), lr, np.inf)))
        out.append(f"loss: worst |d| {fmt(la[s])} (rel {fmt(lr[s])}) at step {s}; final loss "
                   f"{a} {result.loss[0][-1]:.6g}, {b} {result.loss[1][-1]:.6g}")
    if result.accuracy:
        out.append(f"accuracy after {result.steps} steps: {a} {pct(result.accuracy[0])}, "
                   f"{b} {pct(result.accuracy[1])}")
    verdict = f"worst relative difference over {result.steps} steps: {fmt(result.worst_rel)}"
    if result.tolerance is not None:
        verdict += f" (tolerance {result.tolerance:g}): " + ("OK" if result.passed else "FAILED")
    out.append(verdict)
    if result.failure:
        out.append("first divergence: " + result.failure["message"])
    return "\n".join(out)


def lockstep_dict(result):
    """The lockstep numbers as plain JSON types (lists of floats, None for NaN/inf).

    ``layers`` holds, per layer and per step, the relative differences the verdict is
    based on; ``params`` the absolute differences and scales (max|torch|) per tensor.
    """
    a, b = result.frameworks
    grad_rel, param_rel = result.grad_rel, result.param_rel
    layers = {}
    for j, (layer, kind) in enumerate(result.layers):
        layers[layer] = {
            "type": kind, "worst": _clean(result.worst(j)),
            "params": [n for n, k in zip(result.param_names, result.param_layer) if k == j],
            "grad_rel": _floats(grad_rel[:, j]), "param_rel": _floats(param_rel[:, j])}
    params = {}
    for i, name in enumerate(result.param_names):
        params[name] = {
            "layer": result.layers[result.param_layer[i]][0],
            "grad_abs": _floats(result.grad_abs[:, i]),
            "grad_scale": _floats(result.grad_scale[:, i]),
            "param_abs": _floats(result.param_abs[:, i]),
            "param_scale": _floats(result.param_scale[:, i])}
    return {
        "name": result.name, "frameworks": [a, b], "dtype": result.dtype, "steps": result.steps,
        "tolerance": result.tolerance, "passed": result.passed,
        "worst_rel": _float(result.worst_rel), "failure": _clean(result.failure),
        "accuracy": None if not result.accuracy else dict(zip((a, b), result.accuracy)),
        "seconds": round(result.seconds, 3), "config": result.config,
        "loss": {a: _floats(result.loss[0]), b: _floats(result.loss[1]),
                 "abs_diff": _floats(result.loss_abs), "rel_diff": _floats(result.loss_rel)},
        "output_rel": _floats(result.output_rel),
        "layers": layers,
        "params": params,
    }


def layer_curves(result, which="grad_rel"):
    """{"layer (Type)": relative difference per step}."""
    values = getattr(result, which)
    return {f"{layer} ({kind})": values[:, j] for j, (layer, kind) in enumerate(result.layers)}


def plot_lockstep(result, path):
    """PNG: gradient and parameter relative differences per layer, and the loss's, by step."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), sharey=True)
    floor = 1e-18
    steps = np.arange(result.steps)
    for ax, which, title in ((axes[0], "grad_rel", "gradients"),
                             (axes[1], "param_rel", "parameters after the step")):
        for label, curve in layer_curves(result, which).items():
            ax.plot(steps, np.maximum(curve, floor), label=label, lw=1)
        ax.set_title(f"{title}: max|d| / max|torch|")
    axes[2].plot(steps, np.maximum(result.loss_rel, floor), color="k", lw=1, label="loss")
    axes[2].plot(steps, np.maximum(result.output_rel, floor), color="tab:gray", lw=1,
                 label="model output")
    axes[2].set_title("loss and output")
    from matplotlib.ticker import MaxNLocator
    for ax in axes:
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if result.tolerance is not None:
            ax.axhline(result.tolerance, color="r", ls="--", lw=1, label="tolerance")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel(f"relative difference ({result.dtype}; 0 drawn at {floor:g})")
    axes[0].legend(fontsize=7)
    axes[2].legend(fontsize=7)
    a, b = result.frameworks
    fig.suptitle(f"{result.name}: {a} vs {b}, {result.dtype} lockstep")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ------------------------------------------------------------------ end to end


def endtoend_table(result, max_rows=12):
    """Both accuracy curves side by side: every k-th measurement, evenly spaced, at most
    ``max_rows`` rows and always the last."""
    c0, c1 = result.curves
    n = len(c0.epochs)
    stride = max(1, math.ceil((n - 1) / (max_rows - 1)))
    idx = list(range(0, n, stride))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    rows = [[c0.epochs[i], pct(c0.accuracy[i]), pct(c1.accuracy[i]),
             _loss(c0.loss[i]), _loss(c1.loss[i])] for i in idx]
    headers = ["epoch", f"{c0.framework} acc", f"{c1.framework} acc", f"{c0.framework} loss",
               f"{c1.framework} loss"]
    out = [table(headers, rows, [">"] * 5)]
    out.append(f"final test accuracy: {c0.framework} {pct(c0.final_accuracy)}, {c1.framework} "
               f"{pct(c1.final_accuracy)} (gap {100 * result.accuracy_gap:.2f} points); "
               f"training time {c0.framework} {c0.seconds:.1f} s, {c1.framework} "
               f"{c1.seconds:.1f} s")
    return "\n".join(out)


def endtoend_dict(result):
    return {
        "name": result.name, "dtype": result.dtype, "epochs": result.epochs,
        "config": result.config, "accuracy_gap": _float(result.accuracy_gap),
        "curves": {c.framework: {"epochs": list(c.epochs), "accuracy": _floats(c.accuracy),
                                 "loss": _floats(c.loss), "final_accuracy":
                                 _float(c.final_accuracy), "seconds": round(c.seconds, 3)}
                   for c in result.curves},
    }


def plot_endtoend(result, path):
    """PNG: test accuracy and training loss by epoch, both frameworks on one plot."""
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for c, style in zip(result.curves, ("-o", "--s")):
        ax1.plot(c.epochs, [100 * a for a in c.accuracy], style, ms=3, label=c.framework)
        ax2.plot(c.epochs[1:], c.loss[1:], style, ms=3, label=c.framework)
    ax1.set(xlabel="epoch", ylabel="test accuracy (%)", title="accuracy")
    ax2.set(xlabel="epoch", ylabel="mean training loss", title="training loss")
    from matplotlib.ticker import MaxNLocator
    for ax in (ax1, ax2):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.suptitle(f"{result.name}: trained independently, {result.dtype}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# -------------------------------------------------------------------- helpers


def _pyplot():
    import matplotlib
    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _loss(x):
    return "-" if x is None or not math.isfinite(x) else f"{x:.4f}"


def _float(x):
    x = float(x)
    return x if math.isfinite(x) else None


def _floats(values):
    return [_float(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def _clean(d):
    if d is None:
        return None
    out = {}
    for k, v in d.items():
        if isinstance(v, (float, np.floating)):
            v = _float(v)
        elif isinstance(v, np.integer):
            v = int(v)
        out[k] = v
    return out
