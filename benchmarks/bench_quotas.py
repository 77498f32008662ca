"""Benchmark: judging quotas (caps, groups, rankings) after an evaluation, in subjects per second.

    python benchmarks/bench_quotas.py -n 100000 --units 500 --repeat 3

Subjects are individuals of the quota fixture (tests/data/quotas/caps.yaml) spread over
``--units`` unions: every one an Advanced Laborer, one in four a Grassroots Emulation Fighter with
random points (seeded), so that every union is over its 15% cap and its CSTĐCS are ranked. The
evaluation (python backend) is done once and not timed; ``check_quotas`` (all seven fixture
quotas: per unit, per level, a population denominator, a fixed number, three rankings) is timed
``--repeat`` times and the median reported, with the table rendering of the result.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from emulation_rules import Engine, load_campaign
from emulation_rules.facts.reader import parse_facts
from emulation_rules.results.quotas import check_quotas, render_quotas_table

ROOT = Path(__file__).resolve().parents[1]
CAPS = ROOT / "tests" / "data" / "quotas" / "caps.yaml"


def subjects(n: int, units: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [
        {"id": f"P{i:07d}", "kind": "individual", "role": "worker", "unit": f"CD-{i % units:05d}",
         "facts": {"completes_tasks_well": True, "excellent_with_initiative": (i // units) % 4 == 0,
                   "is_direct_worker": rng.random() < 0.5, "points": float(rng.randint(50, 100)),
                   "reviewer_rank": rng.randint(1, 50)}}
        for i in range(n)
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000, help="individuals (default 100000)")
    ap.add_argument("--units", type=int, default=500, help="unions they are spread over (default 500)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    campaign = load_campaign(CAPS)
    t0 = time.perf_counter()
    submission = parse_facts(subjects(args.n, args.units, args.seed), campaign)
    evaluation = Engine(campaign, backend="python").evaluate(submission)
    setup = time.perf_counter() - t0
    times, results = [], ()
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        results = check_quotas(campaign, evaluation, submission)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    table = render_quotas_table(results)
    render = time.perf_counter() - t0
    median = statistics.median(times)
    outcomes = sum(len(q.outcomes) for q in results)
    groups = sum(len(q.groups) for q in results)
    print(f"python {sys.version.split()[0]}; {args.n} individuals in {args.units} units; "
          f"{len(results)} quotas, {groups} groups, {outcomes} ranked outcomes")
    print(f"read + evaluate (not timed below): {setup:.2f} s")
    print(f"check_quotas: median {median:.3f} s of {args.repeat} ({args.n / median:,.0f} subjects/s)")
    print(f"render_quotas_table: {render:.3f} s ({len(table.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
