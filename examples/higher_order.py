"""Derivatives of derivatives: three uses of ``create_graph=True``, on minigrad and on torch.

    python examples/higher_order.py --framework minigrad    # or --framework torch
    python examples/higher_order.py --compare               # both, side by side

1. Newton's method on a 1-D function, f(x) = x^4 - 3x^2 + x + 1. Each step needs f'(x) and
   f''(x): ``autograd.grad(f, x, create_graph=True)`` gives f'(x) as a tensor with a graph,
   and differentiating it again gives f''(x). x <- x - f'(x) / f''(x).
2. A Hessian-vector product H v without the Hessian: the gradient g(w) (with its graph),
   then the gradient of g(w) . v. Checked against the full Hessian from
   ``autograd.functional.hessian`` (and ``autograd.functional.hvp``).
3. A gradient penalty (WGAN-GP): a small critic (Linear-Tanh-Linear) learns to tell real
   points from fake ones while the norm of its gradient with respect to its input, at points
   between real and fake, is pushed towards 1. The penalty is a function of a gradient, so
   training it differentiates a gradient: the critic's parameters get second derivatives.

Everything runs in float64 from the same NumPy-drawn data and weights, so the two libraries
print the same numbers (to ~1e-12) and ``--compare`` shows the largest difference. It draws
no pictures (``--out`` is accepted and unused); ``--epochs`` is the number of critic steps,
and the summary's test accuracy is how often the trained critic tells fresh real points
from fake ones.
"""
import time

import numpy as np

import common  # first: it puts the repository on sys.path for `import minigrad`

# ---------------------------------------------------------------- 1. Newton


def newton(torch, x0=2.0, steps=8):
    """Minimise f(x) = x^4 - 3x^2 + x + 1 from x0 with Newton's method on f'."""
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    path = [x0]
    for _ in range(steps):
        f = x ** 4 - 3 * x ** 2 + x + 1
        df, = torch.autograd.grad(f, x, create_graph=True)  # f'(x), with its graph
        d2f, = torch.autograd.grad(df, x)                   # f''(x) = 12x^2 - 6
        with torch.no_grad():
            x -= df / d2f
        path.append(x.item())
    return {"path": path, "x": x.item(), "slope": 4 * x.item() ** 3 - 6 * x.item() + 1}


# -------------------------------------------------- 2. Hessian-vector product


def hessian_vector_product(torch, rng_state):
    """H v of f(w) = sum(tanh(A w)^2) + |w|^4 / 4 by double backward, against H from
    autograd.functional.hessian."""
    rng = np.random.default_rng(rng_state)
    A = torch.tensor(rng.standard_normal((6, 4)), dtype=torch.float64)
    w = torch.tensor(rng.standard_normal(4), dtype=torch.float64, requires_grad=True)
    v = torch.tensor(rng.standard_normal(4), dtype=torch.float64)

    def f(w):
        return (torch.tanh(A @ w) ** 2).sum() + (w * w).sum() ** 2 / 4

    g, = torch.autograd.grad(f(w), w, create_graph=True)  # the gradient, with its graph
    hv, = torch.autograd.grad((g * v).sum(), w)           # d(g . v)/dw = H v
    H = torch.autograd.functional.hessian(f, w)
    _, hv_functional = torch.autograd.functional.hvp(f, w, v)
    return {"Hv": hv.tolist(),
            "|Hv - H @ v|": float((hv - H @ v).abs().max()),
            "|Hv - functional.hvp|": float((hv - hv_functional).abs().max())}


# ------------------------------------------------------- 3. gradient penalty


def gradient_penalty(torch, critic, real, fake, eps):
    """mean over the batch of (|d critic / d x| - 1)^2 at x between real and fake."""
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)
    g, = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    norm = (g ** 2).sum(dim=1).sqrt()
    return ((norm - 1) ** 2).mean(), norm.mean()


def train_critic(fw, steps, seed, lam=10.0, lr=0.01):
    torch, nn = fw.torch, fw.nn
    rng = np.random.default_rng(seed)
    critic = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    critic = critic.double()
    with torch.no_grad():  # the same starting weights in both libraries
        for p in critic.parameters():
            p.copy_(torch.tensor(rng.uniform(-0.5, 0.5, tuple(p.shape)), dtype=torch.float64))
    optimizer = fw.optim.Adam(critic.parameters(), lr=lr, betas=(0.5, 0.9))
    history = []
    for _ in range(steps):
        real = torch.tensor(rng.normal(2.0, 0.3, (32, 2)), dtype=torch.float64)
        fake = torch.tensor(rng.normal(0.0, 0.3, (32, 2)), dtype=torch.float64)
        eps = torch.tensor(rng.uniform(0, 1, (32, 1)), dtype=torch.float64)
        wasserstein = critic(fake).mean() - critic(real).mean()
        penalty, norm = gradient_penalty(torch, critic, real, fake, eps)
        loss = wasserstein + lam * penalty
        optimizer.zero_grad()
        loss.backward()  # through the penalty's gradient: second derivatives
        optimizer.step()
        history.append((loss.item(), wasserstein.item(), norm.item()))
    return {"first (loss, critic gap, |grad|)": history[0],
            "last (loss, critic gap, |grad|)": history[-1], "history": history,
            "test accuracy": critic_accuracy(torch, critic, rng)}


def critic_accuracy(torch, critic, rng, n=256):
    """How often the critic tells fresh real points from fake ones: a point counts as real
    when its score is above the midpoint of the two groups' mean scores."""
    with torch.no_grad():
        real = critic(torch.tensor(rng.normal(2.0, 0.3, (n, 2)), dtype=torch.float64))
        fake = critic(torch.tensor(rng.normal(0.0, 0.3, (n, 2)), dtype=torch.float64))
        middle = (real.mean() + fake.mean()) / 2
        right = (real > middle).sum() + (fake < middle).sum()
    return 100.0 * right.item() / (2 * n)


# --------------------------------------------------------------------- main


def run_one(name, args):
    fw = common.framework(name)
    start = time.perf_counter()
    result = {"newton": newton(fw.torch),
              "hvp": hessian_vector_product(fw.torch, args.seed),
              "penalty": train_critic(fw, args.epochs, args.seed)}
    result["seconds"] = time.perf_counter() - start
    return result


def largest_difference(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)))


def report(name, r):
    n, h, p = r["newton"], r["hvp"], r["penalty"]
    print(f"[{name}] Newton from x = 2: " + " -> ".join(f"{x:.6f}" for x in n["path"][:5])
          + f" ... -> {n['x']:.12f}, where f'(x) = {n['slope']:.1e}")
    print(f"[{name}] Hessian-vector product: H v = "
          + ", ".join(f"{x:.6f}" for x in h["Hv"])
          + f"; differs from H @ v by {h['|Hv - H @ v|']:.1e}, from functional.hvp by "
          + f"{h['|Hv - functional.hvp|']:.1e}")
    first, last = p["first (loss, critic gap, |grad|)"], p["last (loss, critic gap, |grad|)"]
    print(f"[{name}] WGAN-GP critic, {len(p['history'])} steps: loss {first[0]:.4f} -> "
          f"{last[0]:.4f}, critic gap E[D(fake)] - E[D(real)] {first[1]:.4f} -> {last[1]:.4f}, "
          f"mean |grad D| {first[2]:.4f} -> {last[2]:.4f}")


def main(argv=None):
    # (--quick: 50 steps. The first ~20 go to the penalty, the gradient norm from ~0.3 to
    # ~1, while the critic gap may still have the wrong sign: after 20 steps a critic can
    # score 0.2% (reversed), the same in both libraries; by 40-50 steps it scores ~100%)
    args = common.parse_args(argv, "higher_order", __doc__, epochs=200, quick_epochs=50)
    names = common.FRAMEWORKS if args.compare else (args.framework,)
    common.check_device(args, names)
    results = {}
    for name in names:
        results[name] = run_one(name, args)
        report(name, results[name])
    for name in names:  # the line every example ends with ("epochs": the critic's steps)
        common.print_summary(args, common.Result(
            accuracy=results[name]["penalty"]["test accuracy"], history={}, framework=name,
            seconds=results[name]["seconds"]))
    if args.compare:
        m, t = results["minigrad"], results["torch"]
        diff = max(largest_difference(m["newton"]["path"], t["newton"]["path"]),
                   largest_difference(m["hvp"]["Hv"], t["hvp"]["Hv"]),
                   largest_difference(m["penalty"]["history"], t["penalty"]["history"]))
        print(f"minigrad and torch agree: largest difference {diff:.1e} over the Newton "
              f"path, H v and the {args.epochs} training steps")
        results["largest difference"] = diff
    return results if args.compare else results[args.framework]


if __name__ == "__main__":
    main()
