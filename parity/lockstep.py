"""Lockstep training: the same network in minigrad and PyTorch, step by step, compared.

Both sides start from the same weights (built on one side, copied to the other), see the
same batches in the same order and use the same optimizer with the same
hyper-parameters. After every step the run records

- the loss of each side, and how far apart they are;
- for every layer (the parameters of one module: a Linear's weight and bias): the
  largest absolute and relative difference of its gradients (before the update) and of
  its parameters (after the update).

"Relative" is measured against the layer's own scale: ``max|a - b| / max|b|`` over the
layer's tensors. An element-wise ratio would blow up on entries that are sums cancelling
to nearly zero (an output bias's gradient near convergence is one), which is
summation-order noise and not a disagreement; the layer's largest entry sets the scale
that such noise is relative to.

In float64 the two must agree to ``tolerance`` (default 1e-9) at every step; the first
step where they do not is diagnosed: the forward pass (which layer's output first
differs), a gradient (which layer's), or the optimizer update. In float32 the run just
measures the natural drift and compares the end accuracies.
"""
import time
from dataclasses import dataclass, field

import numpy as np

from . import models
from .convert import copy_state
from .models import FRAMEWORKS, build, from_numpy, named_modules

LOSSES = {"cross_entropy": "CrossEntropyLoss", "bce_with_logits": "BCEWithLogitsLoss",
          "mse": "MSELoss", "nll": "NLLLoss"}
OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
              "adagrad": "Adagrad", "adadelta": "Adadelta", "adamax": "Adamax",
              "nadam": "NAdam", "radam": "RAdam"}


@dataclass
class LockstepResult:
    """Everything a lockstep run measured (``report`` turns it into tables, JSON, plots).

    Per-step arrays have one row per step. ``grad_abs``/``grad_scale`` and
    ``param_abs``/``param_scale`` have one column per parameter (``param_names`` order):
    ``max|a - b|`` and ``max|b|`` of its gradient, and of its value after the step.
    ``layers`` lists the modules that own parameters, ``(path, type)``, in the order of
    their first parameter; ``param_layer[i]`` is the layer of parameter ``i``. Side 0 is
    the framework under test (minigrad), side 1 the reference (torch).
    """
    name: str
    frameworks: tuple
    dtype: str
    steps: int
    tolerance: float
    param_names: list
    param_layer: list
    layers: list
    loss: list                       # [side 0, side 1]: the loss at each step
    output_rel: np.ndarray           # relative difference of the model outputs, per step
    grad_abs: np.ndarray
    grad_scale: np.ndarray
    param_abs: np.ndarray
    param_scale: np.ndarray
    failure: dict = None             # the first step beyond tolerance, diagnosed
    accuracy: list = None            # [side 0, side 1]: end accuracies (with test data)
    seconds: float = 0.0
    config: dict = field(default_factory=dict)

    @property
    def loss_abs(self):
        return np.abs(np.asarray(self.loss[0]) - np.asarray(self.loss[1]))

    @property
    def loss_rel(self):
        return _ratio(self.loss_abs, np.abs(np.asarray(self.loss[1])))

    def _by_layer(self, values, reduce=np.maximum):
        out = np.zeros((values.shape[0], len(self.layers)))
        for i, j in enumerate(self.param_layer):
            out[:, j] = reduce(out[:, j], values[:, i])
        return out

    @property
    def grad_layer_abs(self):
        """max |gradient difference| per layer, per step (steps x layers)."""
        return self._by_layer(self.grad_abs)

    @property
    def grad_rel(self):
        """Relative gradient difference per layer, per step (steps x layers)."""
        return _ratio(self.grad_layer_abs, self._by_layer(self.grad_scale))

    @property
    def param_layer_abs(self):
        return self._by_layer(self.param_abs)

    @property
    def param_rel(self):
        """Relative parameter difference per layer after each step (steps x layers)."""
        return _ratio(self.param_layer_abs, self._by_layer(self.param_scale))

    @property
    def worst_rel(self):
        """The largest relative difference of anything (loss, gradient, parameter)."""
        parts = [np.asarray(self.loss_rel).ravel(), self.grad_rel.ravel(),
                 self.param_rel.ravel()]
        parts = [p for p in parts if p.size]
        return float(max(np.max(p) for p in parts)) if parts else 0.0

    @property
    def passed(self):
        return self.failure is None

    def worst(self, j):
        """For layer ``j``: the step where it differed most, and the numbers there."""
        grad_rel, param_rel = self.grad_rel[:, j], self.param_rel[:, j]
        score = np.maximum(grad_rel, param_rel)
        bad = ~np.isfinite(score)
        step = int(np.argmax(bad)) if bad.any() else int(np.argmax(score))
        return {"step": step, "grad_abs": float(self.grad_layer_abs[step, j]),
                "grad_rel": float(grad_rel[step]),
                "param_abs": float(self.param_layer_abs[step, j]),
                "param_rel": float(param_rel[step])}


def make_loss(fw_name, loss):
    """A loss module: ``"cross_entropy"``, ``"bce_with_logits"``, ``"mse"``, ``"nll"``, or a
    description ``lambda nn: nn.CrossEntropyLoss(label_smoothing=0.1)``."""
    nn = models.framework(fw_name).nn
    if callable(loss):
        return loss(nn)
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {sorted(LOSSES)} or a "
                         "function of nn")
    return getattr(nn, LOSSES[loss])()


def make_optimizer(fw_name, model, name, lr, **kwargs):
    """``fw.optim.SGD(model.parameters(), lr=lr, **kwargs)`` (or Adam, AdamW)."""
    key = name.lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}")
    cls = getattr(models.framework(fw_name).optim, OPTIMIZERS[key])
    return cls(model.parameters(), lr=lr, **kwargs)


def is_binary(loss):
    return loss == "bce_with_logits"


def batch_indices(n, batch_size, seed):
    """Endless batches of row indices: a fresh shuffle (NumPy, seeded) every epoch, or the
    whole data set every step when ``batch_size`` is None or covers it. The last batch of
    an epoch may be smaller, as with ``DataLoader(drop_last=False)``."""
    if batch_size is None or batch_size >= n:
        everything = np.arange(n)
        while True:
            yield everything
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start:start + batch_size]


def lockstep(model, loss, train, *, optimizer="sgd", lr=0.01, optimizer_kwargs=None,
             steps=100, batch_size=None, dtype="float64", seed=0, device="cpu",
             init_from="torch", tolerance=None, test=None, frameworks=FRAMEWORKS,
             name=None, progress=False):
    """Train ``model`` (a description: a function of ``nn``) in both frameworks in lockstep.

    ``train`` and ``test`` are ``(X, y)`` NumPy arrays; ``loss`` a name (``make_loss``);
    ``optimizer`` ``"sgd"``, ``"adam"`` or ``"adamw"`` with ``lr`` and ``optimizer_kwargs``.
    With ``tolerance`` set, the first step at which any relative difference exceeds it is
    diagnosed into ``result.failure``. With ``test``, ``result.accuracy`` holds both
    end accuracies. Returns a ``LockstepResult``.
    """
    dtype = models.dtype_name(dtype)
    fa, fb = frameworks
    optimizer_kwargs = dict(optimizer_kwargs or {})
    X, y = train
    binary = is_binary(loss)

    # Side 0 is the framework under test, side 1 the reference; the side named by
    # ``init_from`` draws the initial weights and the other copies them.
    sides = (0, 1)
    source = frameworks.index(init_from) if init_from in frameworks else 1
    nets = [None, None]
    nets[source] = build(model, frameworks[source], dtype=dtype, device=device, seed=seed)
    nets[1 - source] = build(model, frameworks[1 - source], dtype=dtype, device=device,
                             seed=seed)
    copy_state(nets[source], nets[1 - source])
    names = [[n for n, _ in net.named_parameters()] for net in nets]
    if names[0] != names[1]:
        raise ValueError(f"the two builds have different parameters: {names[0]} ({fa}) vs "
                         f"{names[1]} ({fb})")
    names = names[0]
    params = [[p for _, p in net.named_parameters()] for net in nets]
    losses = [make_loss(f, loss) for f in frameworks]
    opts = [make_optimizer(f, net, optimizer, lr, **optimizer_kwargs)
            for f, net in zip(frameworks, nets)]

    n_p = len(names)
    rec = {k: np.zeros((steps, n_p)) for k in ("grad_abs", "grad_scale", "param_abs",
                                                "param_scale")}
    layers, param_layer = _layers(nets[0], names)
    loss_values = [np.zeros(steps), np.zeros(steps)]
    output_rel = np.zeros(steps)
    failure = None
    batches = batch_indices(len(X), batch_size, seed)
    bar = _progress(steps, f"lockstep {name or ''} {dtype}".replace("  ", " "), progress)
    start = time.perf_counter()
    for step in range(steps):
        idx = next(batches)
        xb_np = X[idx]
        yb_np = y[idx].astype(dtype if binary else np.int64)
        out, lossv, inputs = [None, None], [None, None], [None, None]
        for s in sides:
            f = frameworks[s]
            inputs[s] = from_numpy(f, xb_np, dtype=dtype, device=device)
            yb = from_numpy(f, yb_np, dtype=dtype, device=device)
            opts[s].zero_grad()
            out[s] = nets[s](inputs[s])
            lossv[s] = losses[s](out[s], yb)
            loss_values[s][step] = lossv[s].item()
        output_rel[step] = _rel(_view(out[0]), _view(out[1]))
        loss_rel = _ratio(abs(loss_values[0][step] - loss_values[1][step]),
                          abs(loss_values[1][step]))
        if failure is None and tolerance is not None and (
                not output_rel[step] <= tolerance or not loss_rel <= tolerance):
            failure = _diagnose_forward(nets, frameworks, inputs, step, tolerance,
                                        output_rel[step], loss_rel)

        for s in sides:
            lossv[s].backward()
        for i in range(n_p):
            rec["grad_abs"][step, i], rec["grad_scale"][step, i] = _diff(
                _grad(params[0][i]), _grad(params[1][i]))
        if failure is None and tolerance is not None:
            failure = _diagnose_grads(layers, param_layer, rec, step, tolerance)

        for s in sides:
            opts[s].step()
        for i in range(n_p):
            rec["param_abs"][step, i], rec["param_scale"][step, i] = _diff(
                _view(params[0][i]), _view(params[1][i]))
        if failure is None and tolerance is not None:
            failure = _diagnose_update(layers, param_layer, rec, step, tolerance, optimizer)
        bar.update(1)
    bar.close()
    seconds = time.perf_counter() - start

    accuracy = None
    if test is not None:
        accuracy = [evaluate(f, net, test, binary, dtype=dtype, device=device)
                    for f, net in zip(frameworks, nets)]
    config = {"optimizer": optimizer, "lr": lr, "optimizer_kwargs": optimizer_kwargs,
              "batch_size": batch_size, "seed": seed, "device": str(device),
              "init_from": frameworks[source],
              "loss": loss if isinstance(loss, str) else repr(loss),
              "train_size": int(len(X))}
    return LockstepResult(
        name=name or getattr(model, "__name__", "model"), frameworks=tuple(frameworks),
        dtype=dtype, steps=steps, tolerance=tolerance, param_names=names,
        param_layer=param_layer, layers=layers, loss=loss_values, output_rel=output_rel,
        failure=failure, accuracy=accuracy, seconds=seconds, config=config, **rec)


def evaluate(fw_name, model, data, binary, dtype="float32", device="cpu", batch_size=2000):
    """Accuracy of ``model`` on ``data = (X, y)``: ``logit > 0`` for a binary model, the
    arg-max class otherwise."""
    fw = models.framework(fw_name)
    X, y = data
    was_training = model.training
    model.eval()
    correct = 0
    with fw.no_grad():
        for start in range(0, len(X), batch_size):
            xb = from_numpy(fw_name, X[start:start + batch_size], dtype=dtype, device=device)
            out = _view(model(xb)).reshape(len(xb), -1)
            pred = (out[:, 0] > 0) if binary else out.argmax(axis=1)
            correct += int(np.sum(pred.astype(np.int64) == y[start:start + batch_size]))
    model.train(was_training)
    return correct / len(X)


# ---------------------------------------------------------------- differences


def _view(t):
    """A host NumPy view of a tensor's values (no copy where there is none to make)."""
    return np.asarray(t.detach().cpu().numpy())


def _grad(p):
    return None if p.grad is None else _view(p.grad)


def _ratio(num, den):
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1), np.where(num > 0, np.inf, 0.0))
    out = np.where(np.isnan(num), np.inf, out)
    return out if out.ndim else float(out)


def _diff(a, b):
    """(max |a - b|, max |b|); a missing gradient counts as zeros, a NaN as infinitely far."""
    if a is None and b is None:
        return 0.0, 0.0
    if a is None:
        a = np.zeros_like(b)
    if b is None:
        b = np.zeros_like(a)
    if a.shape != b.shape:
        return np.inf, 0.0
    if a.size == 0:
        return 0.0, 0.0
    diff = np.abs(a.astype(np.float64, copy=False) - b.astype(np.float64, copy=False))
    worst = float(np.max(diff))
    return (worst if np.isfinite(worst) else np.inf), float(np.max(np.abs(b)))


def _rel(a, b):
    """max |a - b| / max |b|."""
    worst, scale = _diff(a, b)
    return _ratio(worst, scale)


def _layers(net, names):
    """The modules owning the parameters, in order, and each parameter's module index."""
    layers, index = [], []
    for n in names:
        path, kind = models.layer_of(net, n)
        key = (path or "<model>", kind)
        if key not in layers:
            layers.append(key)
        index.append(layers.index(key))
    return layers, index


# ------------------------------------------------------------------ diagnosis


def _diagnose_forward(nets, frameworks, inputs, step, tolerance, out_rel, loss_rel):
    """The forward pass differs: run it again recording every module's output on both
    sides, and name the first module (in execution order) whose output differs."""
    layer, kind, value = None, None, out_rel
    try:
        records = []
        for f, net, x in zip(frameworks, nets, inputs):
            with models.framework(f).no_grad():
                records.append(_module_outputs(net, x))
        for (name, kind_a, oa), (_, _, ob) in zip(*records):
            rel = _rel(oa, ob)
            if not rel <= tolerance:
                layer, kind, value = name or "<model>", kind_a, rel
                break
    except Exception:  # the diagnosis must never hide the finding itself
        pass
    if layer is None:
        what = (f"the model outputs differ by {out_rel:.3g} (relative)" if out_rel > tolerance
                else f"the losses differ by {loss_rel:.3g} (relative)")
        msg = (f"step {step}: the forward pass diverged: {what}, beyond the tolerance "
               f"{tolerance:g}" + ("" if out_rel > tolerance else
                                   " (the model outputs agree, so the loss function differs)"))
        return {"step": step, "phase": "forward", "layer": "<loss>" if out_rel <= tolerance
                else "<model>", "type": None, "rel": float(max(out_rel, loss_rel)),
                "message": msg}
    return {"step": step, "phase": "forward", "layer": layer, "type": kind, "rel": float(value),
            "message": f"step {step}: the forward pass diverged first at layer {layer!r} "
                       f"({kind}): its output differs by {value:.3g} (relative), beyond the "
                       f"tolerance {tolerance:g}"}


def _module_outputs(model, x):
    """[(module name, type, output array)] in the order the modules finish their forward
    (recorded with forward hooks, which both frameworks offer)."""
    records = []
    handles = []
    for name, mod in named_modules(model):
        def hook(module, args, out, _name=name):
            if hasattr(out, "detach"):
                records.append((_name, type(module).__name__, _view(out)))
        handles.append(mod.register_forward_hook(hook))
    try:
        model(x)
    finally:
        for h in handles:
            h.remove()
    return records


def _layer_rel(rec, kind, param_layer, n_layers, step):
    worst, scale = np.zeros(n_layers), np.zeros(n_layers)
    for i, j in enumerate(param_layer):
        worst[j] = max(worst[j], rec[kind + "_abs"][step, i])
        scale[j] = max(scale[j], rec[kind + "_scale"][step, i])
    return _ratio(worst, scale)


def _diagnose_grads(layers, param_layer, rec, step, tolerance):
    rel = _layer_rel(rec, "grad", param_layer, len(layers), step)
    bad = [j for j in range(len(layers)) if not rel[j] <= tolerance]
    if not bad:
        return None
    # Gradients flow from the loss back to the input: a faulty backward corrupts the
    # gradients of the layers *before* it, so the last layer (in forward order) whose
    # gradient differs sits closest to the fault.
    j = bad[-1]
    layer, kind = layers[j]
    later = layers[j + 1:]
    tail = (f"; the gradients of the layers after it ({later[0][0]!r} ...) agree, so the faulty "
            "backward is in this layer or between it and the next" if later else "")
    others = [repr(layers[k][0]) for k in bad[:-1]]
    also = f" (also differing: {', '.join(others)})" if others else ""
    return {"step": step, "phase": "gradient", "layer": layer, "type": kind,
            "rel": float(rel[j]),
            "message": f"step {step}: the gradients diverged first at layer {layer!r} ({kind}): "
                       f"they differ by {rel[j]:.3g} (relative), beyond the tolerance "
                       f"{tolerance:g}{also}{tail}"}


def _diagnose_update(layers, param_layer, rec, step, tolerance, optimizer):
    rel = _layer_rel(rec, "param", param_layer, len(layers), step)
    bad = [j for j in range(len(layers)) if not rel[j] <= tolerance]
    if not bad:
        return None
    j = bad[0]
    layer, kind = layers[j]
    return {"step": step, "phase": "update", "layer": layer, "type": kind, "rel": float(rel[j]),
            "message": f"step {step}: the {optimizer} update diverged at layer {layer!r} ({kind}): "
                       f"its gradients agreed but the new parameters differ by {rel[j]:.3g} "
                       f"(relative), beyond the tolerance {tolerance:g}"}


class _NoBar:
    def update(self, n=1):
        pass

    def close(self):
        pass


def _progress(total, desc, progress):
    """A tqdm bar on stderr that disappears when done (``progress=None``: only on a
    terminal)."""
    if progress is False:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=desc.strip(), leave=False,
                disable=None if progress is None else not progress, dynamic_ncols=True)
