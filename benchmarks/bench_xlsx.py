"""Benchmark: ``evaluate --bulk`` reading the same subjects from .xlsx and from CSV.

    python benchmarks/bench_xlsx.py --campaign campaigns/tkv_2019.yaml -n 100000 --seed 0

Subjects come from ``emulation_rules._synthetic`` (deterministic for a seed), written once to a
CSV file and copied cell for cell (as text, as a CSV holds them) into one sheet of an .xlsx
workbook (openpyxl, write-only; not timed). Each input is then scored end to end with
``Engine.evaluate_many(path, output=results.parquet)`` ``--repeat`` times (default 3), the two
inputs taking turns; the median wall-clock time of each, the ratio xlsx / CSV and a check that
both give the same verdicts are printed, with the median CPU time of the process (all threads)
beside: on a machine shared with other jobs the wall-clock figures move with their load, the
CPU figures much less. The issue's bar: .xlsx within 3x the CSV time.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the shipped campaigns name their texts in ../shared/seeds, read only from a documents directory
os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(ROOT.parent / "shared" / "seeds"))
sys.path.insert(0, str(ROOT / "src"))

import polars as pl  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from emulation_rules import Engine, load_campaign  # noqa: E402
from emulation_rules.authoring import _synthetic as synthetic  # noqa: E402


def to_xlsx(src: Path, dst: Path) -> Path:
    """Copy a CSV file into one sheet of a workbook, every cell as text (empty cells left out)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Cá nhân")
    with src.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            ws.append([c if c != "" else None for c in row])
    wb.save(dst)
    return dst


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--campaign", default=str(ROOT / "campaigns" / "tkv_2019.yaml"))
    p.add_argument("-n", type=int, default=100_000, help="subjects (rows)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    campaign = load_campaign(args.campaign)
    engine = Engine(campaign, backend="python")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = work / "subjects.csv"
        synthetic.write_csv(campaign, args.n, src, seed=args.seed)
        t0 = time.perf_counter()
        xlsx = to_xlsx(src, work / "subjects.xlsx")
        made = time.perf_counter() - t0
        times: dict[str, list[float]] = {"csv": [], "xlsx": []}
        cpu: dict[str, list[float]] = {"csv": [], "xlsx": []}
        outputs = {}
        for _ in range(args.repeat):
            for kind, path in (("csv", src), ("xlsx", xlsx)):
                out = work / f"results_{kind}.parquet"
                c0, t0 = time.process_time(), time.perf_counter()
                engine.evaluate_many(path, output=out, on_error="skip")
                times[kind].append(time.perf_counter() - t0)
                cpu[kind].append(time.process_time() - c0)
                outputs[kind] = out
        same = pl.read_parquet(outputs["csv"]).equals(pl.read_parquet(outputs["xlsx"]))
        csv_s, xlsx_s = (statistics.median(times[k]) for k in ("csv", "xlsx"))
        csv_c, xlsx_c = (statistics.median(cpu[k]) for k in ("csv", "xlsx"))
        print(
            f"{platform.python_implementation()} {platform.python_version()}, {args.n} subjects "
            f"of {campaign.id}; CSV {src.stat().st_size / 1e6:.1f} MB, "
            f"xlsx {xlsx.stat().st_size / 1e6:.1f} MB (written in {made:.1f} s, not timed)"
        )
        print(f"--bulk from CSV : {csv_s:6.2f} s  ({args.n / csv_s:,.0f} subjects/s)  CPU {csv_c:5.2f} s")
        print(f"--bulk from xlsx: {xlsx_s:6.2f} s  ({args.n / xlsx_s:,.0f} subjects/s)  CPU {xlsx_c:5.2f} s")
        print(f"xlsx / CSV      : {xlsx_s / csv_s:.2f}x (CPU {xlsx_c / csv_c:.2f}x)   same verdicts: {same}")
        print(f"load average    : {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
