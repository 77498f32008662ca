"""Benchmark: the per-submission path against durable-rules driven directly, and the cold start.

    python benchmarks/bench_engine.py -n 20000 --repeat 3

Figures, all from one run (median of ``--repeat``; throughput in CPU time of this process, runs
of the three paths interleaved, so the ratios hold on a busy machine):

* ``Engine(backend="durable").evaluate`` on N validated TKV 2019 individuals (synthetic, values
  around every threshold), subjects per second;
* the same compiled rule sets driven straight through durable-rules: one host, the same rules
  and a minimal action recording which rule fired; per subject the message built from its facts
  (the compiled encoder: the fact values and the record counts the rules read), one
  ``assert_fact`` and one ``delete_state``, and the set of rules fired as the answer, no result
  objects: the floor any wrapper can reach (posting only the subjects whose role the award is
  for: the engine posts no other);
* the ratio of the two (issue 24's goal: at most 1.2); since the backend reads the rules fired
  from durable-rules' core rather than through its host, it is faster than this reference;
* the same rule sets driven straight through durable-rules' core (``durable_rules_engine``, the
  module its host drives): the message as JSON, ``assert_fact``, the rules fired read from the
  actions the core starts, ``delete_state``: the floor of the backend's own way, and the ratio
  of the Engine to it (what the Engine adds: checks, eligibility, results);
* ``Engine(backend="python").evaluate`` on the same subjects, and its agreement with durable;
  and again with a review date (``as_of``), whose cost is the pass that leaves out dated
  records after it (``emulation_rules.facts.asof``);
* one unit (1 CĐCS + 30 members): p50 and p99 latency of ``Engine.evaluate``;
* cold start: ``emulation-rules evaluate`` on that unit in a new process, wall time to exit, and
  the time to import the CLI (``python -X importtime``), median of ``--repeat``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# the shipped campaigns name their texts in ../shared/seeds, read only from a documents directory
os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(ROOT.parent / "shared" / "seeds"))
sys.path.insert(0, str(ROOT / "src"))

from emulation_rules import Engine, load_campaign, load_facts  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tkv_people import individuals, size_options  # noqa: E402

CAMPAIGN = ROOT / "campaigns" / "tkv_2019.yaml"


def _median_time(fn: Any, repeat: int) -> float:
    """Median CPU seconds of this process (``time.process_time``): every path runs in this one
    thread, so the figure does not depend on what else the machine is running."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def raw_durable(engine: Engine, subjects: list[Any]) -> Any:
    """A closure driving durable-rules directly with the engine's compiled rule sets."""
    from durable import engine as durable_engine

    class Host(durable_engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            return None

    compiled = engine.compiled
    host = Host()
    fired: set[str] = set()
    definitions = {}
    for award in compiled.awards:
        rules = copy.deepcopy(dict(award.rules))
        for name, rule in rules.items():
            rule["run"] = (lambda n: (lambda c: fired.add(n)))(name)
        definitions[award.ruleset_name + "_raw"] = rules
    host.set_rulesets(definitions)
    award = next(a for a in compiled.awards if a.award.id == "individual_recognition")
    name = award.ruleset_name + "_raw"
    reads = sorted({f for p in award.criteria for f in p.reads} | {f for p in award.items for f in p.reads})
    # only the subjects the award applies to: a role it is not for needs no rules (the engine
    # answers "not_eligible" without posting), so posting them would slow the reference down
    roles = set(award.award.eligibility.roles)
    facts = [s.facts for s in subjects if s.role in roles]

    def run() -> list[frozenset[str]]:
        out = []
        for i, f in enumerate(facts):
            msg = award.encode(f"raw-{i}", f, reads)  # facts -> message: any driver does this
            fired.clear()
            host.assert_fact(name, msg)
            host.delete_state(name, msg["sid"])
            out.append(frozenset(fired))
        return out

    return run


def raw_core(engine: Engine, subjects: list[Any]) -> Any:
    """A closure driving durable-rules' core directly: what the durable backend does per subject,
    without its checks and result objects."""
    from durable import engine as durable_engine

    class Host(durable_engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            return None

    core = durable_engine.durable_rules_engine
    compiled = engine.compiled
    host = Host()
    definitions = {}
    for award in compiled.awards:
        rules = copy.deepcopy(dict(award.rules))
        for rule in rules.values():
            rule["run"] = lambda c: None
        definitions[award.ruleset_name + "_core"] = rules
    host.set_rulesets(definitions)
    award = next(a for a in compiled.awards if a.award.id == "individual_recognition")
    handle = host.get_ruleset(award.ruleset_name + "_core")._handle
    reads = sorted({f for p in award.criteria for f in p.reads} | {f for p in award.items for f in p.reads})
    roles = set(award.award.eligibility.roles)
    facts = [s.facts for s in subjects if s.role in roles]
    encode = json.JSONEncoder(ensure_ascii=False).encode

    def run() -> list[frozenset[str]]:
        out = []
        for i, f in enumerate(facts):
            msg = award.encode(f"core-{i}", f, reads)
            fired = set()
            _code, state = core.assert_fact(handle, encode(msg))
            action = core.start_action_for_state(handle, state)
            started = action[1] if action else None
            while started:
                fired.add(started[2:started.index('"', 2)])
                started = core.complete_and_start_action(handle, state)
            core.delete_state(handle, msg["sid"])
            out.append(frozenset(fired))
        return out

    return run


def cold_start(facts: Path, repeat: int) -> tuple[float, float]:
    exe = Path(sys.executable).with_name("emulation-rules")
    walls = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "evaluate", str(CAMPAIGN), "--facts", str(facts)], check=True,
                       capture_output=True)
        walls.append(time.perf_counter() - t0)
    imports = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import emulation_rules.cli"],
                              capture_output=True, text=True, check=True)
        last = [ln for ln in proc.stderr.splitlines() if ln.rstrip().endswith("emulation_rules.cli")][-1]
        imports.append(int(last.split("|")[1]) / 1e6)
    return statistics.median(walls), statistics.median(imports)


def main() -> None:
    args = size_options(__doc__).parse_args()
    campaign = load_campaign(CAMPAIGN)
    subjects = individuals(campaign, args.n, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        durable = Engine(campaign, backend="durable")
        python = Engine(campaign, backend="python")
        durable.evaluate(subjects[:200])  # warm up (host creation, rule set registration)
        raw = raw_durable(durable, subjects)
        raw_c = raw_core(durable, subjects)
        assert raw() == raw_c(), "the core and the host fire different rules"

        # interleaved, so that a change in the machine's load hits every path alike
        runs: dict[str, list[float]] = {"engine": [], "raw": [], "core": [], "python": [], "as_of": []}
        review = dt.date(2019, 12, 31)  # a review date: dated records after it are left out
        for _ in range(args.repeat):
            for key, fn in (("engine", lambda: durable.evaluate(subjects)), ("raw", raw), ("core", raw_c),
                            ("python", lambda: python.evaluate(subjects)),
                            ("as_of", lambda: python.evaluate(subjects, as_of=review))):
                runs[key].append(_median_time(fn, 1))
        t_engine, t_raw, t_core, t_python, t_as_of = (
            statistics.median(runs[k]) for k in ("engine", "raw", "core", "python", "as_of"))
        agree = durable.evaluate(subjects).verdicts() == python.evaluate(subjects).verdicts()

        unit = json.loads(json.dumps({"subjects": [
            {"id": "CD-1", "kind": "collective", "level": "grassroots_union",
             "facts": {"launched_campaign": True, "union_rating": "strong"}},
            *({"id": f"NV-{i}", "kind": "individual", "role": "member",
               "facts": {"complies_with_policy": True, "member_rating": "fair"}} for i in range(30)),
        ]}))
        facts_file = Path(tmp) / "unit.json"
        facts_file.write_text(json.dumps(unit), encoding="utf-8")
        unit_sub = load_facts(facts_file, campaign)
        lat = []
        for _ in range(300):
            t0 = time.perf_counter()
            durable.evaluate(unit_sub)
            lat.append((time.perf_counter() - t0) * 1000)
        lat.sort()
        wall, imp = cold_start(facts_file, args.repeat)

    n = len(subjects)
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"N = {n} TKV individuals, median of {args.repeat}")
    print(f"Engine(durable).evaluate          {n / t_engine:10,.0f} subjects/s (CPU time)")
    print(f"durable-rules driven directly     {n / t_raw:10,.0f} subjects/s")
    print(f"ratio (direct / Engine)           {t_engine / t_raw:10.2f}x   (goal <= 1.2x)")
    print(f"durable-rules' core driven directly {n / t_core:8,.0f} subjects/s")
    print(f"ratio (core / Engine)             {t_engine / t_core:10.2f}x")
    print(f"Engine(python).evaluate           {n / t_python:10,.0f} subjects/s   (agrees with durable: {agree})")
    print(f"  with a review date (as of)      {n / t_as_of:10,.0f} subjects/s   "
          f"(+{(t_as_of / t_python - 1) * 100:.0f}% for leaving out later records)")
    print(f"one unit (1 + 30), Engine.evaluate p50 {lat[len(lat) // 2]:.1f} ms, p99 {lat[int(len(lat) * 0.99)]:.1f} ms")
    print(f"cold start, CLI evaluate of one unit  {wall * 1000:6.0f} ms wall (import of the CLI {imp * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
