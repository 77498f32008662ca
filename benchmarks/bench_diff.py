"""Benchmark: ``diff --bulk`` (issue 25) against one bulk evaluation, in one run.

    python benchmarks/bench_diff.py -n 1000000

N members of the acceptance campaign (ldtt_cstdcs_2025; the generator of bench_rollup.py) in one
Parquet file. Timed in this order, each the median of --repeat runs: one bulk evaluation
(``Engine.evaluate_many``, the columnar path), the columnar diff of the cap at 15% against 25%
and of the 6-month minimum against 5 months (``results.impact_table.compare_many``: one pass,
each chunk coerced once and scored by both rule sets), and the same months diff done as two bulk
evaluations joined (``bulk_impact``), for the ratio. The goal (issue 25): the diff under 3x one
evaluation.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_rollup import MEMBERS_PER_UNION, _members  # noqa: E402

from emulation_rules import Engine, load_campaign  # noqa: E402
from emulation_rules.results.impact_table import bulk_impact, compare_many  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=1_000_000, help="members (default 1,000,000)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    campaign = load_campaign(ROOT / "campaigns" / "ldtt_cstdcs_2025.yaml")
    five = load_campaign(
        (ROOT / "campaigns" / "ldtt_cstdcs_2025.yaml").read_text(encoding="utf-8").replace("value: 6,", "value: 5,"),
        file=str(ROOT / "campaigns" / "ldtt_cstdcs_2025_five_months.yaml"))
    as_of = campaign.phases[0].end
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}; {args.n:,} members")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "members.parquet"
        _members(args.n, max(1, args.n // MEMBERS_PER_UNION), args.seed).write_parquet(path)

        def one() -> object:
            return Engine(campaign, backend="polars").evaluate_many(path, as_of=as_of).table

        def cap() -> tuple[object, object]:
            a = Engine(campaign, params={"cstdcs_cap_pct": 15}, backend="polars")
            b = Engine(campaign, params={"cstdcs_cap_pct": 25}, backend="polars")
            return compare_many(a, b, path, as_of=as_of)[:2]

        def months() -> tuple[object, object]:
            a, b = Engine(campaign, backend="polars"), Engine(five, backend="polars")
            return compare_many(a, b, path, as_of=as_of)[:2]

        def months_twice() -> tuple[object, object]:  # the two-evaluation way, for the ratio
            a = Engine(campaign, backend="polars").evaluate_many(path, as_of=as_of)
            b = Engine(five, backend="polars").evaluate_many(path, as_of=as_of)
            return bulk_impact(a.table, b.table)

        one()  # warm-up: imports, polars' first plans
        rows = []
        for name, fn in (("one bulk evaluation", one), ("diff: cap 15% vs 25%", cap), ("diff: 6 vs 5 months", months),
                         ("two evaluations, joined", months_twice)):
            times = []
            result = None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                result = fn()
                times.append(time.perf_counter() - t0)
            rows.append((name, statistics.median(times), result))
        base = rows[0][1]
        for name, seconds, result in rows:
            extra = ""
            if isinstance(result, tuple):
                summary, changed = result
                extra = f"  changed rows {changed.height:,}; {summary}"  # type: ignore[attr-defined]
            print(f"{name:<24} {seconds:8.2f} s  {seconds / base:5.2f}x{extra}")
    print(f"# load after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
