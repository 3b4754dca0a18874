"""Side-by-side benchmark: minigrad against PyTorch (CPU), in one process.

    python -m bench                    # full run, report in ./bench-out
    python -m bench --quick            # tiny sizes, 3 repeats (what the smoke test runs)
    python -m bench --only lenet,ops   # a subset: names, name fragments or groups
    python -m bench --profile          # also cProfile minigrad's training steps

How a number is made: both frameworks get the same model (same initial weights, copied
from the torch model), the same float32 batch and the same optimizer; each does a few
warm-up steps; then, for ``--repeats`` rounds, each framework runs a block of steps
(sized so that a block takes ~0.1 s) and the block time divided by its step count is
one sample. The two frameworks alternate, and the order flips every round, so a burst
of load from another process hits both; before each block the benchmark pauses 0.2 s,
so that the other framework's idle threads stop spin-waiting on the cores first, then
runs ~20 ms of untimed steps, so that the block starts warm. The figure reported is the
median sample; the spread is the interquartile range as a percentage of the median.

A training step is ``zero_grad(); loss = loss_fn(model(x), y); loss.backward();
optimizer.step()``. Data loading is not timed (the batch is made once).
"""
import argparse
import contextlib
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

from . import models
from .models import Framework

FRAMEWORKS = ("minigrad", "torch")


# ------------------------------------------------------------------ settings


class Settings:
    """Sizes and repeat counts for a full run or a ``--quick`` smoke run."""

    def __init__(self, quick=False, repeats=None, clock="wall"):
        self.quick = quick
        if clock not in CLOCKS:
            raise ValueError(f"clock must be one of {sorted(CLOCKS)}, got {clock!r}")
        self.clock = clock
        self.flush_denormal = False
        self.repeats = repeats or (3 if quick else 15)
        self.block_seconds = 0.004 if quick else 0.1
        # pause before each timed block, then untimed steps to warm up again: see measure()
        self.settle_seconds = 0.0 if quick else 0.2
        self.rewarm_seconds = 0.0 if quick else 0.02
        self.warmup_steps = 1 if quick else 5
        self.batch_sizes = (16, 64) if quick else (16, 32, 64, 128, 256, 512, 1024)
        self.widths = (64, 256) if quick else (64, 128, 256, 512, 1024, 2048)
        self.memory_samples = 256 if quick else 60_000
        self.blobs_samples = 512 if quick else 8_000
        self.gemm_width = 256 if quick else 4096


# ------------------------------------------------------------------- timing

# "wall": elapsed time (what a user waits for). "cpu": CPU time of the whole process
# (all threads), which excludes the time other processes held the cores; with
# --threads 1 it is the steadiest figure on a shared machine, but with several threads
# it also counts their spin-waiting, so compare frameworks with it only at 1 thread.
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def _minor_faults():
    """Minor page faults of this process so far (each first touch of freshly mapped memory)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not Unix
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _time_block(step, sync, n, clock=time.perf_counter):
    sync()
    t0 = clock()
    for _ in range(n):
        step()
    sync()
    return clock() - t0


def measure(steps, settings):
    """Median seconds per call of each framework's ``step``, alternating frameworks.

    ``steps`` maps a framework name to ``(step, synchronize)``. Returns, per framework,
    a dict with the median, the quartiles, the samples and the calls per sample.
    """
    clock = CLOCKS[settings.clock]
    inner, rewarm = {}, {}
    for name, (step, sync) in steps.items():
        for _ in range(settings.warmup_steps):
            step()
        sync()
        # calibrate: how many calls make one block of ~block_seconds
        n, elapsed = 1, _time_block(step, sync, 1, clock)
        while elapsed < settings.block_seconds / 5 and n < 4096:
            n *= 2
            elapsed = _time_block(step, sync, n, clock)
        per_call = elapsed / n
        inner[name] = max(1, min(100_000, round(settings.block_seconds / max(per_call, 1e-9))))
        rewarm[name] = min(inner[name], math.ceil(settings.rewarm_seconds / max(per_call, 1e-9)))
    samples = {name: [] for name in steps}
    faults = {name: 0 for name in steps}
    order = list(steps)
    for r in range(settings.repeats):
        for name in (order if r % 2 == 0 else order[::-1]):
            step, sync = steps[name]
            # Let the other framework's idle threads go to sleep first: OpenBLAS's spin
            # for ~0.1 s after each call, on the core the next framework's threads need
            # (measured: torch's blobs step is 3.7 ms after a pause, 5.9 ms without one).
            time.sleep(settings.settle_seconds)
            # After the pause the first steps run cold, both frameworks' (measured on
            # minigrad's blobs step: 7-8 ms, then 5.5, then the steady 4.9 ms): a few
            # untimed steps, ~20 ms of them, so that a sample is a steady-state step.
            for _ in range(rewarm[name]):
                step()
            f0 = _minor_faults()
            samples[name].append(_time_block(step, sync, inner[name], clock) / inner[name])
            faults[name] += _minor_faults() - f0
    out = {}
    for name, s in samples.items():
        q = statistics.quantiles(s, n=4) if len(s) >= 2 else [s[0]] * 3
        out[name] = {"median_s": statistics.median(s), "q1_s": q[0], "q3_s": q[2],
                     "min_s": min(s), "max_s": max(s), "samples_s": s,
                     "calls_per_sample": inner[name],
                     "page_faults_per_call": faults[name] / (inner[name] * len(s))}
    return out


# ------------------------------------------------------------- benchmark cases


class Case:
    """One side-by-side benchmark: ``setup(frameworks)`` -> {name: step function}."""

    def __init__(self, name, group, description, setup, params=None):
        self.name, self.group, self.description = name, group, description
        self.setup, self.params = setup, params or {}


def _mnist_batch(batch, seed=0):
    """Random data of MNIST's shape: (batch, 1, 28, 28) pixels in [0, 1), labels 0..9."""
    rng = np.random.default_rng(seed)
    x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, size=batch, dtype=np.int64)
    return x, y


def _wide_batch(width, seed=0):
    """Random (width, width) float32 inputs and labels 0..9 for the GEMM-bound MLP."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((width, width), dtype=np.float32),
            rng.integers(0, 10, size=width, dtype=np.int64))


def _blobs(n, seed=0):
    """8-class 2-D blobs (scikit-learn's make_blobs; Gaussian clusters without it)."""
    try:
        from sklearn.datasets import make_blobs
        x, y = make_blobs(n_samples=n, centers=8, n_features=2, random_state=seed)
    except ImportError:  # pragma: no cover - scikit-learn is a dev dependency
        rng = np.random.default_rng(seed)
        centers = rng.uniform(-10, 10, size=(8, 2))
        y = rng.integers(0, 8, size=n)
        x = centers[y] + rng.standard_normal((n, 2))
    return x.astype(np.float32), y.astype(np.int64)


def _seed(fw, seed=0):
    fw.lib.manual_seed(seed)


def training_setup(make, make_args, data, optimizer, opt_kwargs):
    """A training-step case: the torch model is built first, minigrad's gets its weights."""

    def setup(fws):
        by_name = {fw.name: fw for fw in fws}
        built = {}
        for fw in sorted(fws, key=lambda f: f.name != "torch"):  # torch first
            _seed(fw)
            built[fw.name] = fw.build(make, **make_args)
        if "torch" in built:
            for name, model in built.items():
                if name != "torch":
                    models.copy_parameters(built["torch"], model)
        x_np, y_np = data()
        steps = {}
        for name, model in built.items():
            fw = by_name[name]
            x, y = fw.tensor(x_np), fw.tensor(y_np)
            opt = getattr(fw.optim, optimizer)(model.parameters(), **opt_kwargs)
            loss_fn = fw.nn.CrossEntropyLoss()

            def step(model=model, opt=opt, loss_fn=loss_fn, x=x, y=y):
                opt.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()
                return loss

            steps[name] = (step, fw.synchronize)
        return steps

    return setup


def op_setup(build):
    """A per-op case: ``build(fw, rng)`` returns (function, leaves, output gradient or
    None for a scalar); the step is the forward plus the backward of that function."""

    def setup(fws):
        steps = {}
        for fw in fws:
            fn, leaves, gout_np = build(fw, np.random.default_rng(0))
            gout = None if gout_np is None else fw.tensor(gout_np)

            def step(fn=fn, leaves=leaves, gout=gout):
                for t in leaves:
                    t.grad = None
                out = fn()
                out.backward(gout)
                return out

            steps[fw.name] = (step, fw.synchronize)
        return steps

    return setup


def _randn(rng, *shape):
    return rng.standard_normal(shape, dtype=np.float32)


def _matmul(fw, rng):
    a = fw.tensor(_randn(rng, 64, 784), requires_grad=True)
    b = fw.tensor(_randn(rng, 784, 128) * 0.05, requires_grad=True)
    return (lambda: fw.lib.matmul(a, b)), (a, b), _randn(rng, 64, 128)


def _conv3x3(fw, rng):
    x = fw.tensor(rng.random((64, 1, 28, 28), dtype=np.float32))  # an input image: no grad
    w = fw.tensor(_randn(rng, 32, 1, 3, 3) * 0.3, requires_grad=True)
    b = fw.tensor(_randn(rng, 32) * 0.1, requires_grad=True)
    return (lambda: fw.F.conv2d(x, w, b, padding=1)), (w, b), _randn(rng, 64, 32, 28, 28)


def _conv5x5(fw, rng):
    x = fw.tensor(_randn(rng, 64, 6, 14, 14), requires_grad=True)  # a hidden layer's input
    w = fw.tensor(_randn(rng, 16, 6, 5, 5) * 0.08, requires_grad=True)
    b = fw.tensor(_randn(rng, 16) * 0.1, requires_grad=True)
    return (lambda: fw.F.conv2d(x, w, b)), (x, w, b), _randn(rng, 64, 16, 10, 10)


def _max_pool(fw, rng):
    x = fw.tensor(_randn(rng, 64, 6, 28, 28), requires_grad=True)
    return (lambda: fw.F.max_pool2d(x, 2)), (x,), _randn(rng, 64, 6, 14, 14)


def _cross_entropy(fw, rng):
    logits = fw.tensor(_randn(rng, 64, 10), requires_grad=True)
    target = fw.tensor(rng.integers(0, 10, size=64, dtype=np.int64))
    return (lambda: fw.F.cross_entropy(logits, target)), (logits,), None


def adam_setup(fws):
    """Adam's update alone on 100,172 parameters (a 316x316 weight and its 316 bias)."""
    rng = np.random.default_rng(0)
    shapes = [(316, 316), (316,)]
    values = [_randn(rng, *s) for s in shapes]
    grads = [_randn(rng, *s) for s in shapes]
    steps = {}
    for fw in fws:
        params = [fw.tensor(v, requires_grad=True) for v in values]
        for p, g in zip(params, grads):
            p.grad = fw.tensor(g)
        opt = fw.optim.Adam(params, lr=1e-3)
        steps[fw.name] = (opt.step, fw.synchronize)
    return steps


def cases(settings, device="cpu"):
    """Every side-by-side case, in report order."""
    adam = dict(lr=1e-3)
    mnist = lambda b: (lambda: _mnist_batch(b))  # noqa: E731
    out = [
        Case("mnist_mlp", "train", "MNIST MLP 784-128-10, batch 64, Adam",
             training_setup(models.mlp, {}, mnist(64), "Adam", adam)),
        Case("lenet", "train", "LeNet 1x28x28 -> 10, batch 64, Adam",
             training_setup(models.lenet, {}, mnist(64), "Adam", adam)),
        Case("blobs", "train",
             f"blobs MLP 2-16-32-64-32-16-8, full batch {settings.blobs_samples}, SGD lr=0.1",
             training_setup(models.blobs_mlp, {}, lambda: _blobs(settings.blobs_samples),
                            "SGD", dict(lr=0.1))),
        Case("bn_cnn", "train",
             "CNN 2 x (conv 3x3, BatchNorm, ReLU, pool) 1->16->32 -> 10, batch 64, Adam",
             training_setup(models.bn_cnn, {}, mnist(64), "Adam", adam)),
    ]
    if device != "cpu":
        # On a GPU the small networks measure per-op launch overhead; a wide MLP at a large
        # batch measures the matrix products themselves (GEMM-bound: ~0.8 TFLOP a step).
        wide = settings.gemm_width
        out.append(Case("gemm_mlp", "train",
                        f"MLP {wide}-{wide}-{wide}-10, batch {wide}, Adam (GEMM-bound)",
                        training_setup(models.mlp_wide, {"width": wide},
                                       lambda: _wide_batch(wide), "Adam", adam)))
        return [Case(f"cuda_{c.name}", "cuda", c.description + " (CUDA)", c.setup)
                for c in out]
    out += [
        Case("op_matmul", "ops", "matmul 64x784 @ 784x128, fwd+bwd (both grads)",
             op_setup(_matmul)),
        Case("op_conv2d_3x3", "ops",
             "conv2d 3x3 pad 1, 1->32 ch on 64x1x28x28, fwd+bwd (weight, bias)",
             op_setup(_conv3x3)),
        Case("op_conv2d_5x5", "ops",
             "conv2d 5x5, 6->16 ch on 64x6x14x14, fwd+bwd (input, weight, bias)",
             op_setup(_conv5x5)),
        Case("op_max_pool2d", "ops", "max_pool2d 2x2 on 64x6x28x28, fwd+bwd",
             op_setup(_max_pool)),
        Case("op_cross_entropy", "ops", "cross_entropy 64x10 logits, fwd+bwd",
             op_setup(_cross_entropy)),
        Case("op_adam_step", "ops", "Adam step on 100,172 parameters (2 tensors)",
             adam_setup),
    ]
    for b in settings.batch_sizes:
        out.append(Case(f"scaling_batch_{b}", "scaling",
                        f"MLP 784-128-10, batch {b}, Adam",
                        training_setup(models.mlp, {}, mnist(b), "Adam", adam),
                        params={"axis": "batch", "batch": b, "hidden": 128}))
    for h in settings.widths:
        out.append(Case(f"scaling_width_{h}", "scaling",
                        f"MLP 784-{h}-10, batch 64, Adam",
                        training_setup(models.mlp, {"hidden": h}, mnist(64), "Adam", adam),
                        params={"axis": "width", "batch": 64, "hidden": h}))
    return out


def _selected(case_name, group, only):
    if not only:
        return True
    return any(tok == group or tok in case_name for tok in only)


# what --only can name besides the cases: the groups, and the two parts that are not cases
GROUPS = ("train", "ops", "scaling", "memory", "cuda")


def unknown_selections(only):
    """The --only tokens that select nothing (a typo would otherwise run an empty bench)."""
    names = [(c.name, c.group) for c in cases(Settings())]
    names += [(c.name, c.group) for c in cases(Settings(), device="cuda")]
    names += [("memory", "memory")]
    return [tok for tok in only
            if tok not in GROUPS and not any(_selected(n, g, (tok,)) for n, g in names)]


def run_case(case, fws, settings):
    record = {"name": case.name, "group": case.group, "description": case.description,
              **case.params}
    try:
        steps = case.setup(fws)
        timings = measure(steps, settings)
    except Exception as e:  # keep going: one missing op must not hide the other numbers
        record["error"] = f"{type(e).__name__}: {e}"
        return record
    for name, t in timings.items():
        record[name] = t
    if "minigrad" in timings and "torch" in timings:
        record["ratio"] = timings["minigrad"]["median_s"] / timings["torch"]["median_s"]
    return record


# ------------------------------------------------------------------- memory


def _proc_status_kb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss():
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS; False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_rss_kb():
    hwm = _proc_status_kb("VmHWM")
    if hwm is not None:
        return hwm
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def memory_worker(framework, samples, batch=64):
    """Run one LeNet epoch (Adam) on ``samples`` random MNIST-shaped images and report RSS.

    Runs in its own process (``python -m bench.run --memory-worker NAME``) so the other
    framework's allocations do not count. Batches are a shuffled fancy-index of NumPy
    arrays wrapped with ``from_numpy`` (the same for both frameworks).
    """
    rss_start = _proc_status_kb("VmRSS")
    fw = Framework(framework)
    rss_imported = _proc_status_kb("VmRSS")
    _seed(fw)
    model = fw.build(models.lenet)
    opt = fw.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = fw.nn.CrossEntropyLoss()
    x_all, y_all = _mnist_batch(samples, seed=1)
    rng = np.random.default_rng(2)

    def step(idx):
        x, y = fw.lib.from_numpy(x_all[idx]), fw.lib.from_numpy(y_all[idx])
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    step(np.arange(min(batch, samples)))  # one warm-up step creates Adam's state
    gc.collect()
    rss_before = _proc_status_kb("VmRSS")
    reset = _reset_peak_rss()
    t0 = time.perf_counter()
    order = rng.permutation(samples)
    loss = None
    for i in range(0, samples, batch):
        loss = step(order[i:i + batch])
    seconds = time.perf_counter() - t0
    peak = _peak_rss_kb()
    return {"framework": framework, "samples": samples, "batch": batch,
            "rss_start_mb": rss_start / 1024, "rss_after_import_mb": rss_imported / 1024,
            "rss_before_epoch_mb": rss_before / 1024, "peak_rss_mb": peak / 1024,
            "epoch_increment_mb": (peak - rss_before) / 1024, "peak_reset": reset,
            "epoch_seconds": seconds, "final_loss": float(loss.item())}


def measure_memory(settings):
    """Peak RSS of one LeNet epoch, each framework in a fresh subprocess."""
    out = {"samples": settings.memory_samples, "batch": 64, "frameworks": {}}
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    for name in FRAMEWORKS:
        cmd = [sys.executable, "-m", "bench.run", "--memory-worker", name,
               "--memory-samples", str(settings.memory_samples)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            out["frameworks"][name] = {"error": " | ".join(tail)}
            continue
        out["frameworks"][name] = json.loads(proc.stdout.strip().splitlines()[-1])
    fw = out["frameworks"]
    if all("peak_rss_mb" in fw.get(n, {}) for n in FRAMEWORKS):
        out["ratio"] = fw["minigrad"]["peak_rss_mb"] / fw["torch"]["peak_rss_mb"]
    return out


# ------------------------------------------------------------------ machine


def machine_info():
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "numpy": np.__version__, "cpu_count": os.cpu_count()}
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        info["cpu_model"] = platform.processor() or "unknown"
    mem = _meminfo_total_mb()
    if mem:
        info["memory_mb"] = mem
    try:
        import torch
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
        info["torch_interop_threads"] = torch.get_num_interop_threads()
    except ImportError:
        info["torch"] = None
    try:
        from threadpoolctl import threadpool_info
        info["numpy_blas"] = [
            f"{p.get('internal_api')} {p.get('version')} ({p.get('num_threads')} threads, "
            f"{p.get('architecture')})" for p in threadpool_info()
            if p.get("user_api") == "blas" and "numpy" in p.get("filepath", "")]
    except Exception:
        pass
    info["thread_env"] = {k: os.environ[k] for k in
                          ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
                          if k in os.environ}
    try:
        import minigrad
        info["minigrad"] = getattr(minigrad, "__version__", "?")
    except ImportError:
        info["minigrad"] = None
    info["minigrad_git"] = _git_revision()
    info["load_average_start"] = _loadavg()
    return info


def _meminfo_total_mb():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None


def _loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _git_revision():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                             capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=5).stdout
        return rev + ("+uncommitted" if dirty.strip() else "") if rev else None
    except Exception:
        return None


@contextlib.contextmanager
def limited_threads(n):
    """Within the block, torch's intra-op pool and NumPy's BLAS pool use ``n`` threads (the
    NumPy limit needs threadpoolctl); the subprocesses of the memory benchmark inherit it
    through the usual environment variables. Everything is restored afterwards."""
    import torch
    before = torch.get_num_threads()
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    env_before = {k: os.environ.get(k) for k in names}
    torch.set_num_threads(n)
    os.environ.update({k: str(n) for k in names})
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print("warning: threadpoolctl is not installed; NumPy's BLAS threads unchanged")
        limiter = contextlib.nullcontext()
    else:
        limiter = threadpool_limits(limits=n, user_api="blas")
    try:
        with limiter:
            yield
    finally:
        torch.set_num_threads(before)
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# ------------------------------------------------------------------- CUDA


def cuda_status():
    """(available, reason): the CUDA comparison needs both CuPy-backed minigrad and torch."""
    import torch
    try:
        import minigrad
        mg = bool(minigrad.cuda.is_available())
    except Exception:
        mg = False
    tc = torch.cuda.is_available()
    if mg and tc:
        return True, ""
    missing = [n for n, ok in (("minigrad.cuda (CuPy + GPU)", mg), ("torch.cuda", tc)) if not ok]
    return False, "no GPU: " + " and ".join(missing) + " not available"


def _gpu_name():
    """The GPU's name and the versions that made the CUDA numbers (for the report)."""
    import cupy
    import torch
    return (f"{torch.cuda.get_device_name(0)}; torch {torch.__version__}, "
            f"CuPy {cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}")


# ------------------------------------------------------------------ profile


def profile_training(settings, out_dir, steps=200, names=("mnist_mlp", "lenet", "blobs")):
    """cProfile ``steps`` minigrad training steps of each training case; write the top
    functions by own time and by cumulative time to ``profile_<case>.txt``."""
    import cProfile
    import io
    import pstats
    fws = [Framework("minigrad")]
    paths = []
    for case in cases(settings):
        if case.name not in names:
            continue
        step, _ = case.setup(fws)["minigrad"]
        for _ in range(5):
            step()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(steps):
            step()
        prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        buf.write(f"# cProfile of {steps} minigrad training steps: {case.description}\n")
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(30)
        path = os.path.join(out_dir, f"profile_{case.name}.txt")
        with open(path, "w") as f:
            f.write(buf.getvalue())
        paths.append(path)
    return paths


# --------------------------------------------------------------------- main


def run(settings, out_dir, only=(), profile=False, log=print):
    from . import report
    os.makedirs(out_dir, exist_ok=True)
    results = {"settings": {"quick": settings.quick, "repeats": settings.repeats,
                            "clock": settings.clock,
                            "flush_denormal": settings.flush_denormal,
                            "block_seconds": settings.block_seconds,
                            "warmup_steps": settings.warmup_steps},
               "machine": machine_info(), "benchmarks": []}
    log(report.header_text(results["machine"]))
    if settings.quick:
        log(report.QUICK_WARNING)
    fws = [Framework(name) for name in FRAMEWORKS]
    for case in cases(settings):
        if not _selected(case.name, case.group, only):
            continue
        record = run_case(case, fws, settings)
        results["benchmarks"].append(record)
        log(report.console_line(record))

    fit = report.overhead_fit(results["benchmarks"])
    if fit:
        results["scaling_fit"] = fit

    if _selected("memory", "memory", only):
        log("memory: one LeNet epoch per framework, each in its own subprocess ...")
        results["memory"] = measure_memory(settings)
        log(report.memory_text(results["memory"]))

    gpu_cases = [c for c in cases(settings, device="cuda") if _selected(c.name, c.group, only)]
    if gpu_cases:
        ok, reason = cuda_status()
        if ok:
            gpu = [Framework(name, device="cuda") for name in FRAMEWORKS]
            results["cuda"] = {"skipped": False, "device": _gpu_name(), "benchmarks": []}
            for c in gpu_cases:
                record = run_case(c, gpu, settings)
                results["cuda"]["benchmarks"].append(record)
                log(report.console_line(record))
        else:
            results["cuda"] = {"skipped": True, "reason": reason}
            log(f"CUDA comparison skipped: {reason}")

    if profile:
        results["profiles"] = profile_training(settings, out_dir,
                                               steps=20 if settings.quick else 200)
        log("profiles: " + ", ".join(results["profiles"]))

    results["machine"]["load_average_end"] = _loadavg()
    paths = report.write(results, out_dir)
    log(report.summary_table(results))
    log("wrote " + ", ".join(paths))
    return results


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes and 3 repeats (smoke run)")
    p.add_argument("--out", default="bench-out", help="report directory (default ./bench-out)")
    p.add_argument("--only", default="",
                   help="comma-separated names, name fragments or groups "
                        "(train, ops, scaling, memory, cuda)")
    p.add_argument("--repeats", type=int, default=None,
                   help="timed blocks per framework (default 15, 3 with --quick)")
    p.add_argument("--profile", action="store_true",
                   help="also cProfile minigrad's training steps (profile_*.txt)")
    p.add_argument("--threads", type=int, default=None,
                   help="set torch's intra-op threads and NumPy's BLAS threads to N "
                        "(default: leave both at their defaults)")
    p.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                   help="wall: elapsed time (default); cpu: process CPU time, steadier on a "
                        "busy machine (use it with --threads 1)")
    p.add_argument("--flush-denormal", action="store_true",
                   help="turn on flush-to-zero for the main thread's floating point (via "
                        "torch.set_flush_denormal): Adam's moments of weights whose gradient "
                        "stays 0 decay into denormal values that slow every later step. "
                        "minigrad's optimizers flush them during their step by default; "
                        "this flag flushes everywhere, for both, so that neither pays")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="cpu: the CPU comparison (default); cuda: only the CUDA comparison "
                        "(minigrad on CuPy against torch on CUDA), which needs a GPU")
    p.add_argument("--memory-worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    p.add_argument("--memory-samples", type=int, default=60_000, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.memory_worker:
        print(json.dumps(memory_worker(args.memory_worker, args.memory_samples)))
        return 0
    if args.repeats is not None and args.repeats < 1:
        p.error(f"--repeats must be at least 1, got {args.repeats}")
    if args.threads is not None and args.threads < 1:
        p.error(f"--threads must be at least 1, got {args.threads}")
    only = tuple(tok.strip() for tok in args.only.split(",") if tok.strip())
    if args.device == "cuda":
        ok, reason = cuda_status()
        if not ok:
            print(f"python -m bench --device cuda: {reason}", file=sys.stderr)
            return 2
        only = tuple(tok if tok.startswith("cuda") else f"cuda_{tok}" for tok in only) or ("cuda",)
    unknown = unknown_selections(only)
    if unknown:
        p.error(f"--only {','.join(unknown)} matches no benchmark; names: "
                f"{', '.join(c.name for c in cases(Settings()))}; groups: "
                f"{', '.join(GROUPS)}")
    if args.clock == "cpu" and args.threads != 1:
        print("note: --clock cpu counts the CPU time of every thread (spin-waiting included); "
              "it compares frameworks fairly only with --threads 1")
    settings = Settings(quick=args.quick, repeats=args.repeats, clock=args.clock)
    if args.flush_denormal:
        import torch
        settings.flush_denormal = bool(torch.set_flush_denormal(True))
    with (limited_threads(args.threads) if args.threads else contextlib.nullcontext()):
        run(settings, args.out, only, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
