"""The long run: many seeded programs, a summary line, the first disagreements shrunk to
minimal programs by hypothesis."""
import argparse
import sys

from .compare import compare
from .known import KNOWN_ORDER2, known_reason
from .ops import discover
from .programs import RandomDraw, program, programs

def fuzz(cases, seed=0, mixed_dtypes=False, ops=None, progress=False, order=1, stats=None,
         n_steps=None):
    """Run ``cases`` random programs; return (agreed, known, new, skipped ops). ``order=2``
    compares second derivatives too (over float programs), counting into ``stats``;
    ``n_steps`` fixes the programs' length (1 or 2; else one in three has two)."""
    all_ops, skipped = discover()
    ops = all_ops if ops is None else [o for o in all_ops if o.name in ops]
    agreed, known, new = 0, [], []
    for i in range(cases):
        prog = program(RandomDraw(seed * 1_000_003 + i), ops, mixed_dtypes, n_steps,
                       differentiable=order > 1)
        d = compare(prog, order=order, stats=stats)
        if d is None:
            agreed += 1
        elif known_reason(d):
            known.append(d)
        else:
            new.append(d)
        if progress and (i + 1) % 500 == 0:
            print(f"  {i + 1} programs, {len(new)} disagreements", file=sys.stderr)
    return agreed, known, new, skipped


def shrink(d, ops, mixed_dtypes=False, max_examples=100, order=1):
    """A minimal program over the same ops that disagrees in the same way (hypothesis)."""
    from hypothesis import HealthCheck, find, settings

    chosen = [o for o in ops if o.name in d.program.ops]
    n = len(d.program.steps)

    def disagrees(data_prog):
        got = compare(data_prog, order=order)
        return got is not None and got.kind == d.kind and not known_reason(got)

    try:
        strategy = programs(chosen, mixed_dtypes, n_steps=n, differentiable=order > 1)
        prog = find(strategy, disagrees, settings=settings(
            max_examples=max_examples, database=None, deadline=None,
            suppress_health_check=list(HealthCheck)))
    except Exception:  # noqa: BLE001 - not found again: show the original
        return d
    return compare(prog, order=order) or d


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m parity.fuzz", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mixed-dtypes", action="store_true",
                        help="let programs mix dtypes (compares type promotion)")
    parser.add_argument("--order", type=int, default=1, choices=(1, 2),
                        help="2: also compare second derivatives (autograd.grad with "
                        "create_graph=True, over float programs)")
    parser.add_argument("--steps", type=int, choices=(1, 2), help="every program this long")
    parser.add_argument("--show", type=int, default=5, help="disagreements to shrink and show")
    parser.add_argument("--ops", nargs="*", help="only these ops (names as listed by --list)")
    parser.add_argument("--list", action="store_true", help="list the ops and the skipped ones")
    args = parser.parse_args(argv)
    ops, skipped = discover()
    if args.list:
        print(f"{len(ops)} ops: " + ", ".join(o.name for o in ops))
        print(f"{len(skipped)} skipped:")
        for name, why in sorted(skipped.items()):
            print(f"  {name}: {why}")
        return 0
    stats = {}
    agreed, known, new, skipped = fuzz(args.cases, args.seed, args.mixed_dtypes, args.ops,
                                       progress=True, order=args.order, stats=stats,
                                       n_steps=args.steps)
    pct = 100.0 * agreed / max(args.cases, 1)
    print(f"fuzz: {agreed} of {args.cases} programs agreed with torch ({pct:.1f}%); "
          f"{len(known)} known disagreements (allowlisted), {len(new)} new; "
          f"{len(ops)} ops, {len(skipped)} skipped")
    if args.order > 1:
        print(f"second derivatives compared in {stats.get('order2', 0)} programs "
              f"({stats.get('order2_nonzero', 0)} with torch's not all zero)")
    print("skipped ops: " + ", ".join(f"{n} ({w})" for n, w in sorted(skipped.items())))
    if known:
        kinds = {}
        for d in known:
            r = known_reason(d)
            kinds[r] = kinds.get(r, 0) + 1
        print("known:")
        for r, n in kinds.items():
            print(f"  {n} x {r}")
    if args.order > 1:  # (an entry a long run never sees may be fixed: check, then drop it)
        unseen = [k for k in KNOWN_ORDER2 if not any(k.matches(d) for d in known)]
        if unseen:
            print(f"order-2 allowlist entries not seen: " + "; ".join(
                f"{'/'.join(k.ops[:3])} [{','.join(k.kinds)}] {k.reason[:60]}..." for k in unseen))
    seen = set()
    shown = 0
    for d in new:
        sig = (d.program.ops, d.kind)
        if sig in seen or shown >= args.show:
            continue
        seen.add(sig)
        shown += 1
        print(f"disagreement {shown} (shrunk):\n  "
              f"{shrink(d, ops, args.mixed_dtypes, order=args.order)}")
    by_kind = {}
    for d in new:
        key = f"{'+'.join(d.program.ops)} [{d.kind}]"
        by_kind[key] = by_kind.get(key, 0) + 1
    if by_kind:
        print("new disagreements by op and kind: " + ", ".join(
            f"{k} x{n}" for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1])))
    verdict = (f"PASS: no new disagreements in {args.cases} programs" if not new else
               f"FAIL: {len(new)} new disagreements in {args.cases} programs")
    print(verdict)  # (the last line, as python -m parity ends)
    return 0 if not new else 1
