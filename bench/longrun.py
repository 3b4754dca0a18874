"""Long-run checks: memory stays flat over thousands of training steps, graphs built
under no_grad hold nothing, and backward through a very deep chain costs linear time.

    python -m bench.longrun                      # 5,000 MLP steps, chains of 1e5 and 1e6 ops
    python -m bench.longrun --quick              # smaller: 1,000 steps, chains of 1e4 and 1e5
    python -m bench.longrun --mnist ~/data       # real MNIST (torchvision layout) instead of noise

This is a measurement script, not a test: it prints a small table and exits 0 unless a
check that has a clear answer fails (a graph built under no_grad is still referenced,
or the chain's gradient is wrong).
"""
import argparse
import gc
import json
import sys
import time
import weakref

import numpy as np

import minigrad
import minigrad.nn as nn
import minigrad.optim as optim

from . import models


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _rss_mb():
    return _status_kb("VmRSS") / 1024


def _peak_mb():
    return _status_kb("VmHWM") / 1024


def _live_nodes():
    """How many graph nodes (``Op`` objects) are alive right now."""
    op = minigrad.autograd.Op
    return sum(1 for o in gc.get_objects() if issubclass(type(o), op))


# ---------------------------------------------------------------- flat memory


def _batches(mnist_root, batch, pool):
    """``pool`` fixed batches of (x, y) as minigrad tensors: random MNIST-shaped data, or
    the first ``pool * batch`` real MNIST training images when ``mnist_root`` is given."""
    n = pool * batch
    if mnist_root:
        from minigrad.datasets import MNIST
        ds = MNIST(mnist_root, train=True)
        xs = np.stack([np.asarray(ds[i][0].numpy()) for i in range(n)]).astype(np.float32)
        ys = np.array([int(ds[i][1]) for i in range(n)], dtype=np.int64)
        source = f"real MNIST from {mnist_root}"
    else:
        rng = np.random.default_rng(0)
        xs = rng.random((n, 1, 28, 28), dtype=np.float32)
        ys = rng.integers(0, 10, size=n, dtype=np.int64)
        source = "random MNIST-shaped data"
    out = [(minigrad.from_numpy(xs[i:i + batch]), minigrad.from_numpy(ys[i:i + batch]))
           for i in range(0, n, batch)]
    return out, source


def flat_memory(steps=5000, checkpoints=(500, 5000), batch=64, pool=100, mnist_root=None):
    """Train the MNIST MLP (Adam) for ``steps`` steps over a fixed pool of batches and
    record RSS, peak RSS, tracked objects and live graph nodes at each checkpoint."""
    minigrad.manual_seed(0)
    model = models.mlp(nn)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    data, source = _batches(mnist_root, batch, pool)
    rows = []
    t0 = time.perf_counter()
    loss = None
    for step in range(1, steps + 1):
        x, y = data[step % pool]
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if step in checkpoints:
            rows.append({"step": step, "rss_mb": _rss_mb(), "peak_rss_mb": _peak_mb(),
                         "gc_objects": len(gc.get_objects()), "live_graph_nodes": _live_nodes(),
                         "loss": float(loss.item()),
                         "seconds": time.perf_counter() - t0})
    first, last = rows[0], rows[-1]
    return {"source": source, "steps": steps, "batch": batch, "rows": rows,
            "peak_growth_mb": last["peak_rss_mb"] - first["peak_rss_mb"],
            "rss_growth_mb": last["rss_mb"] - first["rss_mb"],
            "gc_objects_growth": last["gc_objects"] - first["gc_objects"]}


# ------------------------------------------------------------ no_grad graphs


def no_grad_holds_nothing():
    """Intermediate tensors of a computation under ``no_grad`` die as soon as the user's
    names for them go: the result keeps no graph (``grad_fn is None``) pointing back.

    The same computation with gradients on is the control: there the result's graph must
    keep the intermediates alive, which shows the weakref check can see a reference.
    """
    minigrad.manual_seed(0)
    model = models.mlp(nn)
    x = minigrad.randn(8, 1, 28, 28)

    def run(grad):
        with minigrad.set_grad_enabled(grad):
            flat = model[0](x)
            hidden = model[2](model[1](flat))  # Linear then ReLU
            out = model[3](hidden).sum()
        refs = [weakref.ref(flat), weakref.ref(hidden)]
        del flat, hidden
        alive = [r() is not None for r in refs]  # refcounting alone, no gc.collect()
        return out, alive

    out_ng, alive_ng = run(False)
    out_g, alive_g = run(True)
    return {"no_grad": {"result_grad_fn": repr(out_ng.grad_fn),
                        "result_requires_grad": out_ng.requires_grad,
                        "intermediates_alive": sum(alive_ng), "intermediates": len(alive_ng)},
            "grad_control": {"result_grad_fn": repr(out_g.grad_fn),
                             "intermediates_alive": sum(alive_g),
                             "intermediates": len(alive_g)},
            "ok": out_ng.grad_fn is None and not any(alive_ng) and all(alive_g)}


# --------------------------------------------------------------- deep chains


def chain(n, factor=1.0000001, framework="minigrad"):
    """Build ``y = x * factor`` repeated ``n`` times (float64) and time its backward."""
    if framework == "torch":
        import torch as lib
    else:
        lib = minigrad
    x = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
    gc.collect()
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    y = x
    for _ in range(n):
        y = y * factor
    t_build = time.perf_counter() - t0
    rss_graph = _rss_mb()
    t0 = time.perf_counter()
    y.backward()
    t_back = time.perf_counter() - t0
    expected = factor ** n
    rel = abs(float(x.grad.item()) - expected) / expected
    t0 = time.perf_counter()
    del y
    t_free = time.perf_counter() - t0
    return {"framework": framework, "ops": n, "build_s": t_build, "backward_s": t_back,
            "free_s": t_free, "backward_us_per_op": 1e6 * t_back / n,
            "build_us_per_op": 1e6 * t_build / n, "graph_mb": rss_graph - rss0,
            "grad_rel_error": rel}


# --------------------------------------------------------------------- main


def _print_report(res):
    fm = res["flat_memory"]
    print(f"\n1. MNIST MLP 784-128-10, Adam, batch {fm['batch']}, {fm['steps']} steps "
          f"({fm['source']}):")
    print(f"   {'step':>6} {'RSS MB':>8} {'peak RSS MB':>12} {'gc objects':>11} "
          f"{'live nodes':>11} {'loss':>7} {'elapsed s':>10}")
    for r in fm["rows"]:
        print(f"   {r['step']:>6} {r['rss_mb']:>8.1f} {r['peak_rss_mb']:>12.1f} "
              f"{r['gc_objects']:>11} {r['live_graph_nodes']:>11} {r['loss']:>7.3f} "
              f"{r['seconds']:>10.1f}")
    print(f"   growth between the checkpoints: peak RSS {fm['peak_growth_mb']:+.2f} MB, "
          f"RSS {fm['rss_growth_mb']:+.2f} MB, gc-tracked objects {fm['gc_objects_growth']:+d}")
    print("   (live nodes: the last loss's graph, still referenced by the loop's `loss`; its "
          "saved arrays were freed by backward)")
    ng = res["no_grad"]
    print("\n2. graphs built under no_grad hold no references (weakrefs to 2 intermediates):")
    print(f"   no_grad : result grad_fn {ng['no_grad']['result_grad_fn']}, intermediates "
          f"still alive {ng['no_grad']['intermediates_alive']}/{ng['no_grad']['intermediates']}")
    print(f"   control : result grad_fn {ng['grad_control']['result_grad_fn']}, intermediates "
          f"still alive {ng['grad_control']['intermediates_alive']}/"
          f"{ng['grad_control']['intermediates']} (the graph keeps them, as it must)")
    print(f"   -> {'OK' if ng['ok'] else 'FAILED'}")
    print("\n3. backward through a chain y = y * 1.0000001 (float64):")
    print(f"   {'framework':<9} {'ops':>9} {'build s':>8} {'backward s':>11} {'us/op bwd':>10} "
          f"{'us/op build':>12} {'graph MB':>9} {'grad rel err':>13}")
    for c in res["chains"]:
        print(f"   {c['framework']:<9} {c['ops']:>9,} {c['build_s']:>8.2f} "
              f"{c['backward_s']:>11.2f} "
              f"{c['backward_us_per_op']:>10.2f} {c['build_us_per_op']:>12.2f} "
              f"{c['graph_mb']:>9.0f} {c['grad_rel_error']:>13.1e}")
    mg = [c for c in res["chains"] if c["framework"] == "minigrad"]
    if len(mg) >= 2:
        a, b = mg[0], mg[-1]
        print(f"   minigrad backward time per op, {b['ops']:,} vs {a['ops']:,} ops: "
              f"{b['backward_us_per_op'] / a['backward_us_per_op']:.2f}x (1.0 = linear)")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.longrun",
                                description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=5000,
                   help="MLP training steps for the memory check (default 5000)")
    p.add_argument("--chains", default="100000,1000000",
                   help="comma-separated chain lengths (default 100000,1000000)")
    p.add_argument("--quick", action="store_true",
                   help="1,000 steps (checkpoints 100 and 1,000) and chains of 1e4 and 1e5")
    p.add_argument("--no-torch", action="store_true", help="skip torch's chain for comparison")
    p.add_argument("--mnist", metavar="ROOT", help="train on real MNIST from ROOT")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = p.parse_args(argv)
    steps, checkpoints = args.steps, (args.steps // 10, args.steps)
    sizes = [int(s) for s in args.chains.split(",") if s.strip()]
    if args.quick:
        steps, checkpoints, sizes = 1000, (100, 1000), [10_000, 100_000]

    res = {"flat_memory": flat_memory(steps, checkpoints, mnist_root=args.mnist),
           "no_grad": no_grad_holds_nothing(), "chains": []}
    for n in sizes:
        res["chains"].append(chain(n))
        gc.collect()
    if not args.no_torch:
        for n in sizes:
            res["chains"].append(chain(n, framework="torch"))
            gc.collect()
    _print_report(res)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    ok = res["no_grad"]["ok"] and all(c["grad_rel_error"] < 1e-9 for c in res["chains"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
