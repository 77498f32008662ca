"""Benchmark: ``evaluate`` on a large facts CSV without flags, against the paths forced.

    python benchmarks/bench_paths.py -n 100000

N synthetic TKV 2019 subjects (``emulation_rules.authoring._synthetic``, deterministic for a
seed) are written once to a CSV; then, as whole processes of the command line, each writing its
result rows to a CSV file:

* ``auto``: ``evaluate CAMPAIGN --facts big.csv -o out.csv``, no flags (the path is chosen by
  itself: ``emulation_rules.cli.paths``; which one ran is read from its notice);
* ``--bulk``: the columnar path forced;
* ``--no-bulk``: subject by subject forced, on the first ``--per-subject`` rows only (default
  20,000; it scores a few thousand subjects a second) and its time scaled to N.

Figures, from one run: median wall and CPU seconds of ``--repeat`` processes (CPU: user + system
of the child, which a busy machine inflates less), the ratio auto / ``--bulk`` (goal: at most
1.5) and ``--no-bulk`` / auto, and whether the rows are the same: auto and ``--bulk`` byte for
byte on N rows, ``--no-bulk`` on its sample against the same rows of the others.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from emulation_rules import load_campaign  # noqa: E402
from emulation_rules.authoring import _synthetic as synthetic  # noqa: E402

CAMPAIGN = ROOT / "campaigns" / "tkv_2019.yaml"
AS_OF = "2019-12-31"
GOAL = 1.5


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(argv: list[str], env: dict[str, str], repeat: int) -> tuple[float, float, str]:
    """Median wall and CPU seconds of ``repeat`` processes, and the last one's stderr."""
    walls, cpus, err = [], [], ""
    for _ in range(repeat):
        cpu0, t0 = _children_cpu(), time.perf_counter()
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - cpu0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
        err = proc.stderr
    return statistics.median(walls), statistics.median(cpus), err


def _head(src: Path, dst: Path, rows: int) -> Path:
    with src.open(encoding="utf-8", newline="") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        fout.writelines(itertools.islice(fin, rows + 1))
    return dst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="rows of the CSV (100,000)")
    parser.add_argument("--per-subject", type=int, default=20_000,
                        help="rows run subject by subject, the time scaled to N (20,000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="bench_paths_") as tmp:
        work = Path(tmp)
        data = synthetic.write_csv(load_campaign(CAMPAIGN), args.n, work / "big.csv", seed=args.seed)
        size_mb = data.stat().st_size / 1e6
        # notes in English: the way auto took is read from them (Vietnamese is the default)
        env = {**os.environ, "EMULATION_RULES_CACHE": str(work / "cache"), "EMULATION_RULES_LANG": "en"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
        cli = [sys.executable, "-m", "emulation_rules", "evaluate", str(CAMPAIGN), "--as-of", AS_OF]
        auto_s, auto_cpu, auto_err = _run([*cli, "--facts", str(data), "-o", str(work / "auto.csv")], env, repeat)
        bulk_s, bulk_cpu, _ = _run([*cli, "--facts", str(data), "--bulk", "-o", str(work / "bulk.csv")], env,
                                   repeat)
        k = min(args.n, args.per_subject)
        sample = _head(data, work / "sample.csv", k)
        one_s, one_cpu, _ = _run([*cli, "--facts", str(sample), "--no-bulk", "-o", str(work / "one.csv")], env,
                                 1)
        auto_rows = (work / "auto.csv").read_text(encoding="utf-8").splitlines()
        same_bulk = auto_rows == (work / "bulk.csv").read_text(encoding="utf-8").splitlines()
        one_rows = (work / "one.csv").read_text(encoding="utf-8").splitlines()
        same_one = one_rows == auto_rows[: len(one_rows)]
    way = "columnar" if "columnar path" in auto_err else "subject by subject"
    scale = args.n / k
    load = os.getloadavg()
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; N = {args.n:,} rows "
          f"({size_mb:,.1f} MB CSV), median of {repeat} processes")
    print(f"{'':40} {'wall s':>8} {'CPU s':>8}")
    print(f"{'auto (no flags): ' + way:40} {auto_s:8.2f} {auto_cpu:8.2f}")
    print(f"{'--bulk':40} {bulk_s:8.2f} {bulk_cpu:8.2f}")
    print(f"{f'--no-bulk ({k:,} rows, x{scale:.1f})':40} {one_s * scale:8.2f} {one_cpu * scale:8.2f}")
    ratio = auto_cpu / bulk_cpu
    print(f"auto / --bulk: {auto_s / bulk_s:.2f}x wall, {ratio:.2f}x CPU "
          f"(goal <= {GOAL}x: {'met' if ratio <= GOAL else 'NOT met'}); "
          f"--no-bulk / auto: {one_cpu * scale / auto_cpu:.1f}x CPU")
    print(f"same rows: auto and --bulk {'yes' if same_bulk else 'NO'}; "
          f"--no-bulk on its {k:,} rows {'yes' if same_one else 'NO'}")
    return 0 if same_bulk and same_one else 1


if __name__ == "__main__":
    sys.exit(main())
