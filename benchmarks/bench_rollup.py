"""Benchmark: the columnar roll-up up a 4-level tree of units (issue 21, item 7).

    python benchmarks/bench_rollup.py -n 1000000 -n 3000000 --seed 0

For each size N: N members (individuals of the acceptance campaign ldtt_cstdcs_2025, facts drawn
around its thresholds) in grassroots unions of about 85 members (130,000 unions for 11 million:
the Confederation's figures), under a tree of 4 levels (Confederation -> 63 provinces -> upper-level
unions of about 20 grassroots unions -> grassroots unions). Each size runs in a child process, so
that its peak memory (max RSS) is its own, and reports: writing the members Parquet file, the bulk
evaluation (``Engine.evaluate_many``, the columnar path), the roll-up of the verdict counts to every
unit (``results.rollup_table.rollup_counts``), and the peak memory; with ``--split``, the same members
as one Parquet file per province rolled up one file after the other (``rollup_files``, as ``rollup
--bulk`` with several files does), in a process of its own: time and peak memory. Figures depend on
the machine and its load: the output states both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

MEMBERS_PER_UNION = 85
UNIONS_PER_UPPER = 20
PROVINCES = 63


def _tree(unions: int):  # type: ignore[no-untyped-def]
    from emulation_rules.facts.units import Unit, UnitTree

    units = [Unit("TLD", "confederation", name="Tổng Liên đoàn")]
    units += [Unit(f"P{p:02d}", "province", parent="TLD") for p in range(PROVINCES)]
    uppers = max(1, unions // UNIONS_PER_UPPER)
    units += [Unit(f"U{u:05d}", "upper_union", parent=f"P{u % PROVINCES:02d}") for u in range(uppers)]
    units += [Unit(f"G{g:06d}", "grassroots_union", parent=f"U{g % uppers:05d}") for g in range(unions)]
    return UnitTree(tuple(units), ("grassroots_union", "upper_union", "province", "confederation"))


def _members(n: int, unions: int, seed: int):  # type: ignore[no-untyped-def]
    """N members, deterministic for a seed (hashes of the row number), in polars only."""
    import polars as pl

    def draw(k: int, m: int) -> pl.Expr:  # a value in 0..m-1, independent per k
        return (pl.int_range(0, n, dtype=pl.UInt64).hash(seed * 100 + k) % m).cast(pl.Int64)

    def pick(k: int, values: list[str], weights: list[int]) -> pl.Expr:
        r, expr, acc = draw(k, sum(weights)), None, 0
        for v, w in zip(values, weights, strict=True):
            acc += w
            expr = pl.when(r < acc).then(pl.lit(v)) if expr is None else expr.when(r < acc).then(pl.lit(v))
        return expr.otherwise(pl.lit(values[-1]))  # type: ignore[union-attr]

    return pl.select(
        ("M" + pl.int_range(0, n).cast(pl.String).str.zfill(8)).alias("id"),
        pl.lit("individual").alias("kind"),
        pl.lit("employee").alias("role"),
        ("G" + draw(1, unions).cast(pl.String).str.zfill(6)).alias("unit"),
        pick(2, ["worker", "public_employee", "cadre", "none"], [60, 25, 10, 5]).alias("employment_status"),
        pick(3, ["not_completed", "completed", "completed_well", "completed_excellently"], [5, 20, 60, 15])
        .alias("task_rating"),
        (draw(4, 100) < 95).alias("emulation_spirit_confirmed"),
        draw(5, 400).alias("months_since_recruitment"),
        (draw(6, 100) < 2).alias("under_disciplinary_review"),
        draw(7, 3).alias("initiatives_recognized"),
        draw(8, 2).alias("research_accepted"),
    )


def _child(n: int, seed: int) -> None:
    import polars as pl

    from emulation_rules import Engine, load_campaign
    from emulation_rules.results.rollup_table import rollup_counts

    unions = max(1, n // MEMBERS_PER_UNION)
    campaign = load_campaign(ROOT / "campaigns" / "ldtt_cstdcs_2025.yaml")
    out: dict[str, float | int] = {"members": n, "grassroots_unions": unions}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        tree = _tree(unions)
        path = Path(tmp) / "members.parquet"
        _members(n, unions, seed).write_parquet(path)
        out["units"] = len(tree.units)
        out["generate_s"] = round(time.perf_counter() - t0, 2)
        engine = Engine(campaign, backend="polars")
        t0 = time.perf_counter()
        result = engine.evaluate_many(path, as_of=campaign.phases[0].end)
        out["evaluate_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        table = rollup_counts(result.table, pl.scan_parquet(path).select("id", "unit"), tree)
        out["rollup_s"] = round(time.perf_counter() - t0, 2)
        root = table.filter(pl.col("unit") == "TLD")
        out["root_rows"] = int(root["subjects"].sum())
        out["result_rows"] = result.table.height if result.table is not None else 0
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


def _split_child(n: int, seed: int) -> None:
    """The same members written one Parquet file per province, rolled up one file after the
    other (``rollup_files``) in a process of its own: its peak memory is the largest province's."""
    import polars as pl

    from emulation_rules import Engine, load_campaign
    from emulation_rules.results.rollup_table import rollup_files

    unions = max(1, n // MEMBERS_PER_UNION)
    uppers = max(1, unions // UNIONS_PER_UPPER)
    campaign = load_campaign(ROOT / "campaigns" / "ldtt_cstdcs_2025.yaml")
    out: dict[str, float | int] = {"members": n}
    with tempfile.TemporaryDirectory() as tmp:
        tree = _tree(unions)
        province = ((pl.col("unit").str.slice(1).cast(pl.Int64) % uppers) % PROVINCES).alias("province")
        paths = []
        for (p,), part in _members(n, unions, seed).with_columns(province).partition_by("province", as_dict=True,
                                                                                        include_key=False).items():
            paths.append(Path(tmp) / f"P{p:02d}.parquet")
            part.write_parquet(paths[-1])
        out["files"] = len(paths)
        t0 = time.perf_counter()
        table, _, _ = rollup_files(Engine(campaign, backend="polars"), sorted(paths), tree,
                                   as_of=campaign.phases[0].end)
        out["split_s"] = round(time.perf_counter() - t0, 2)
        out["root_rows"] = int(table.filter(pl.col("unit") == "TLD")["subjects"].sum())
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, action="append", help="members (repeatable; default 1,000,000 and 3,000,000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--split", action="store_true",
                   help="also roll up the same members as one file per province, one after the other")
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    p.add_argument("--split-child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child is not None:
        _child(args.child, args.seed)
        return 0
    if args.split_child is not None:
        _split_child(args.split_child, args.seed)
        return 0
    print(f"# {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    print("members  units    generate_s  evaluate_s  rollup_s  peak_mb  (root counts = members x 2 awards)")
    for n in args.n or [1_000_000, 3_000_000]:
        done = subprocess.run([sys.executable, __file__, "--child", str(n), "--seed", str(args.seed)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        assert r["root_rows"] == r["result_rows"] == 2 * n, r  # every verdict reaches the root once
        print(f"{r['members']:>8,} {r['units']:>7,} {r['generate_s']:>10} {r['evaluate_s']:>11} "
              f"{r['rollup_s']:>9} {r['peak_mb']:>8}")
        if args.split:
            done = subprocess.run([sys.executable, __file__, "--split-child", str(n), "--seed", str(args.seed)],
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            s = json.loads(done.stdout.strip().splitlines()[-1])
            assert s["root_rows"] == 2 * n, s
            print(f"  one file per province ({s['files']} files, evaluated and rolled up one after the other): "
                  f"{s['split_s']} s, peak {s['peak_mb']} MB")
    print(f"# load after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
