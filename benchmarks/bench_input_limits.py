"""Benchmark: what the input limits cost (issue 12): peak memory and time at each bound.

    python benchmarks/bench_input_limits.py [--csv-mib 31]

Each case runs in a child process so that its peak memory (max RSS) is its own:

* ``csv``: the per-submission path (``load_facts``) on a CSV just under ``MAX_FACTS_BYTES``
  (rows of ``examples/tkv_2019/individuals.csv`` repeated with fresh ids);
* ``yaml-nodes``: a 4 MiB campaign that is one flow list of 2 million items, refused at the
  ``MAX_CAMPAIGN_NODES`` bound while composing;
* ``json``: the strict JSON facts reader on the same subjects written as JSON, against
  ``json.loads`` (which locates nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the shipped campaigns name their texts in ../shared/seeds, read only from a documents directory
os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(ROOT.parent / "shared" / "seeds"))


def _child(case: str, path: str) -> None:
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.errors import EmulationRulesError
    from emulation_rules.facts.json_text import parse_json
    from emulation_rules.facts.load import load_facts

    start = time.perf_counter()
    outcome = "ok"
    try:
        if case == "csv":
            campaign = load_campaign(ROOT / "campaigns" / "tkv_2019.yaml")
            outcome = f"{len(load_facts(path, campaign).subjects)} subjects"
        elif case == "yaml-nodes":
            load_campaign(path)
        elif case == "json":
            parse_json(Path(path).read_text(encoding="utf-8"), file=path)
        elif case == "json-stdlib":
            json.loads(Path(path).read_text(encoding="utf-8"))
    except EmulationRulesError as exc:
        outcome = str(exc).splitlines()[-1][-60:]
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "case": case,
                "seconds": round(seconds, 2),
                "max_rss_mib": round(rss),
                "outcome": outcome,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--csv-mib", type=float, default=31.0)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    lines = (ROOT / "examples/tkv_2019/individuals.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    csv_path, json_path = work / "facts.csv", work / "facts.json"
    target = int(args.csv_mib * 1024 * 1024)
    with csv_path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        written, n = len(header) + 1, 0
        while written < target:
            row = rows[n % len(rows)]
            line = f"S{n:08d}" + row[row.index(",") :] + "\n"
            out.write(line)
            written += len(line.encode())
            n += 1
    subjects = [
        {
            "id": f"S{i:08d}",
            "kind": "individual",
            "role": "member",
            "facts": {"member_rating": "fair", "complies_with_policy": True},
        }
        for i in range(n)
    ]
    json_path.write_text(json.dumps({"subjects": subjects}, indent=1), encoding="utf-8")
    yaml_path = work / "wide.yaml"
    yaml_path.write_text("[" + ",".join(["1"] * 2_000_000) + "]\n", encoding="utf-8")
    print(
        f"csv: {csv_path.stat().st_size / 2**20:.1f} MiB, {n} rows; json: "
        f"{json_path.stat().st_size / 2**20:.1f} MiB; "
        f"yaml: {yaml_path.stat().st_size / 2**20:.1f} MiB"
    )
    for case, path in (
        ("csv", csv_path),
        ("yaml-nodes", yaml_path),
        ("json", json_path),
        ("json-stdlib", json_path),
    ):
        subprocess.run([sys.executable, __file__, "--child", case, str(path)], check=True)


if __name__ == "__main__":
    main()
