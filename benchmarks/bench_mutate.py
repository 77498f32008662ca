"""Benchmark: wall time of mutation testing (``emulation-rules test --mutate``) per campaign.

    python benchmarks/bench_mutate.py [campaigns/cases/*.yaml] [--repeat 3]

Each shipped campaign is mutated in memory and its author cases run against every mutant on the
Python backend, in one process (``emulation_rules.authoring.mutate``). Prints, per case file,
the number of mutants and the median wall time over ``--repeat`` runs. Issue 15 asks for under
60 s on the largest campaign (Thanh Hóa 2021-2030).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from emulation_rules.authoring.mutate import mutation_test

ROOT = Path(__file__).resolve().parents[1]
# the shipped campaigns name their texts in ../shared/seeds, read only from a documents directory
os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(ROOT.parent / "shared" / "seeds"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files", nargs="*", type=Path, default=sorted((ROOT / "campaigns" / "cases").glob("*.yaml"))
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'case file':<28} {'mutants':>7} {'killed':>6} {'survived':>8} {'median s':>9}")
    for path in args.files:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = mutation_test(path)
            times.append(time.perf_counter() - start)
        print(
            f"{path.name:<28} {len(report.results):>7} {report.count('killed'):>6} "
            f"{report.count('survived'):>8} {statistics.median(times):>9.2f}"
        )


if __name__ == "__main__":
    main()
