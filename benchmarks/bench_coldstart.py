"""Benchmark: cold start of ``emulation-rules evaluate`` on one unit, against a bare interpreter.

    python benchmarks/bench_coldstart.py --runs 10

One unit: ``examples/ldtt_cstdcs_2025/facts.yaml`` (two grassroots unions, 21 people) against
``campaigns/ldtt_cstdcs_2025.yaml``, as a person or a script runs it: a new process each time,
timed from start to exit (wall) and by the CPU time it used (user + system, which a busy machine
inflates less). Figures, all from one run, median of ``--runs`` whole processes each:

* ``python -c pass``: the bare interpreter, the floor;
* ``evaluate``, the validated campaign read back from the cache (the usual case: the campaign
  file unchanged since the last run);
* ``evaluate`` with the cache off (``EMULATION_RULES_CACHE=off``): the campaign parsed and
  checked again, as on the first run after a change;
* the ratios to the bare interpreter, and the goal (under 200 ms to the first answer);
* ``python -X importtime``: the modules that cost most to import (cumulative and self).

Bytecode is written to a private prefix (``PYTHONPYCACHEPREFIX``) and warmed by one untimed
run, as an installed package has it; the cache goes to a temporary directory.

One run (7 December 2026, 06:03 UTC, load average 0.95; 2-core x86_64 VM, CPython 3.11.7): bare
interpreter 15 ms CPU; ``evaluate`` from the cache 166 ms CPU, 167 ms wall (goal met: the campaign
comes back as plain twins of its nodes, without pydantic); cache off 398 ms CPU. The tree before,
run right after: 266 ms from the cache, 439 ms with it off.
"""

from __future__ import annotations

import argparse
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
CAMPAIGN = ROOT / "campaigns" / "ldtt_cstdcs_2025.yaml"
FACTS = ROOT / "examples" / "ldtt_cstdcs_2025" / "facts.yaml"
GOAL_MS = 200.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``runs`` whole processes of ``argv`` (after one
    untimed run that writes the bytecode and the cache)."""
    subprocess.run(argv, env=env, check=True, capture_output=True)
    walls, cpus = [], []
    for _ in range(runs):
        cpu0, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((_children_cpu() - cpu0) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _import_top(argv: list[str], env: dict[str, str], top: int) -> list[tuple[int, int, str]]:
    """``(self us, cumulative us, module)`` of the ``top`` imports of one run costliest by
    themselves (their own module body, without what they import)."""
    proc = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, check=True,
                          capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(own), int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="whole processes per figure (10)")
    parser.add_argument("--top", type=int, default=15, help="import entries listed (15)")
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    with tempfile.TemporaryDirectory(prefix="bench_coldstart_") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=str(Path(tmp) / "pyc"), EMULATION_RULES_CACHE=str(Path(tmp) / "cache"))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
        evaluate = [sys.executable, "-m", "emulation_rules", "evaluate", str(CAMPAIGN), "--facts", str(FACTS)]
        bare_wall, bare_cpu = _timed([sys.executable, "-c", "pass"], env, runs)
        hit_wall, hit_cpu = _timed(evaluate, env, runs)
        off_wall, off_cpu = _timed(evaluate, {**env, "EMULATION_RULES_CACHE": "off"}, runs)
        top = _import_top(evaluate, env, args.top)
    load = os.getloadavg()
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; median of {runs} processes")
    print(f"{'':44} {'wall ms':>8} {'CPU ms':>8} {'x bare (wall)':>14} {'x bare (CPU)':>13}")
    for label, wall, cpu in (("python -c pass (bare interpreter)", bare_wall, bare_cpu),
                             ("evaluate one unit, campaign from the cache", hit_wall, hit_cpu),
                             ("evaluate one unit, cache off", off_wall, off_cpu)):
        print(f"{label:44} {wall:8.0f} {cpu:8.0f} {wall / bare_wall:14.1f} {cpu / max(bare_cpu, 1):13.1f}")
    print(f"cache saves {off_wall - hit_wall:.0f} ms wall ({off_wall / hit_wall:.2f}x); "
          f"goal: first answer under {GOAL_MS:.0f} ms: {hit_wall:.0f} ms "
          f"{'met' if hit_wall < GOAL_MS else 'NOT met'} (CPU {hit_cpu:.0f} ms)")
    print(f"\ncostliest imports of one run by their own time (python -X importtime, campaign from "
          f"the cache; wall time, so inflated by load):\n{'self ms':>8} {'cumulative ms':>14}  module")
    for own, cumulative, name in top:
        print(f"{own / 1000:8.1f} {cumulative / 1000:14.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
