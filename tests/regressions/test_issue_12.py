"""Regressions of issue 12: never a traceback, never a hang, never a native crash.

One test (or one parametrised group) per numbered finding of the issue, each with the exit
code or error code it must give. Inputs that once crashed the interpreter (SIGSEGV inside
durable-rules) run in a subprocess, so a crash fails the test instead of killing pytest.
Data files are under ``tests/regressions/issue_12/``; the probe campaign there is synthetic
(no plan clause): the expected verdicts come from the python backend, the reference.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from emulation_rules import Engine
from emulation_rules.campaign.loader import load_campaign
from emulation_rules.evaluate.durable import limits

HERE = Path(__file__).parent / "issue_12"
PROBE = (HERE / "probe_campaign.yaml").read_text(encoding="utf-8")


def probe_campaign(tmp_path: Path, condition: object, name: str = "probe.yaml") -> Path:
    """The probe campaign with ``condition`` (as flow YAML/JSON) as its one criterion."""
    path = tmp_path / name
    path.write_text(PROBE.replace("CONDITION", json.dumps(condition)), encoding="utf-8")
    return path


def facts_file(tmp_path: Path, x: int, name: str = "facts.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"subjects:\n  - {{id: U1, kind: collective, level: unit, facts: {{x: {x}}}}}\n",
                    encoding="utf-8")
    return path


def cli(*args: str, timeout: float = 120, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh interpreter (a native crash shows as rc < 0)."""
    return subprocess.run([sys.executable, "-m", "emulation_rules", *args], capture_output=True,
                          text=True, timeout=timeout, input=None if stdin is None else stdin.decode())


def verdicts(stdout: str) -> list[tuple[str, str, str]]:
    data = json.loads(stdout)
    return [(s["id"], a["award"], a["verdict"]) for s in data["subjects"] for a in s["awards"]]


# 1. A native crash: `any` with 64 or more children ---------------------------------------------

def _raw_durable(n: int) -> subprocess.CompletedProcess[str]:
    """durable-rules alone: the sentinel plus an $or of n matching disjuncts."""
    code = textwrap.dedent(f"""
        from emulation_rules.evaluate.durable.engine import import_durable
        durable = import_durable()
        class Host(durable.Host):
            def _run(self): return None
        rules = {{"seen": {{"all": [{{"m": {{"seen__": 1}}}}]}},
                 "r": {{"all": [{{"m": {{"$or": [{{"$gte": {{"f_x": i}}}} for i in range({n})]}}}}]}}}}
        for rule in rules.values():
            rule["run"] = lambda c: None
        host = Host()
        host.set_rulesets({{"rs": rules}})
        host.assert_fact("rs", {{"sid": "1", "seen__": 1, "f_x": 10000}})
        print("ok")
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_durable_limit_measured_63_fits_64_breaks() -> None:
    """The boundary limits.py models: 63 disjuncts + sentinel fit durable's 64-slot stack."""
    assert _raw_durable(63).stdout.strip() == "ok"
    broken = _raw_durable(64)
    assert broken.returncode != 0 and "ok" not in broken.stdout  # error 303, or SIGSEGV/SIGABRT
    ors = [{"$or": [{"$gte": {"f_x": i}} for i in range(n)]} for n in (63, 64)]
    assert limits.stack_peak([limits.SENTINEL, ors[0]]) == limits.MAX_STACK
    assert limits.stack_peak([limits.SENTINEL, ors[1]]) == limits.MAX_STACK + 1


@pytest.mark.parametrize("n", [63, 64, 200])
@pytest.mark.parametrize("shape", ["any", "not_all", "in"])
def test_wide_conditions_evaluate_and_agree(tmp_path: Path, n: int, shape: str) -> None:
    leaves = [{"fact": "x", "op": ">=", "value": i} for i in range(n)]
    condition = {"any": {"any": leaves}, "not_all": {"not": {"all": leaves}},
                 "in": {"fact": "x", "in": list(range(n))}}[shape]
    campaign_path = probe_campaign(tmp_path, condition)
    for x in (5, 10_000):  # some disjuncts match / every disjunct matches
        facts = facts_file(tmp_path, x)
        got = cli("evaluate", str(campaign_path), "--facts", str(facts), "--format", "json",
                  "--backend", "durable")
        assert got.returncode == 0, got.stderr
        expected = Engine(load_campaign(campaign_path), backend="python").evaluate(
            {"subjects": [{"id": "U1", "kind": "collective", "level": "unit", "facts": {"x": x}}]})
        assert verdicts(got.stdout) == [(s.subject_id, a.award_id, a.verdict)
                                        for s in expected.subjects for a in s.awards]


def test_many_wide_criteria_spread_over_rule_sets() -> None:
    """64 criteria each matching: the root fans out past 64, so rules go to several rule sets."""
    rules = {f"c{i}": {"$gte": {"f_x": i}} for i in range(200)}
    sets = limits.pack(rules)
    assert len(sets) > 1 and [r for s in sets for r in s] == list(rules)
    assert all(limits.fits(s.values()) for s in sets)


def test_sixteen_groups_are_cut_below_durable_sequence_limit() -> None:
    """16 '$and'/'$or' groups in one rule: durable error 113; cut into rules of <= 15 groups."""
    expr = {"$and": [{"$or": [{f"f_a{i}": 1}, {f"f_b{i}": 1}]} for i in range(15)]}
    assert limits.groups(expr) == 16
    parts = limits.split(expr)
    assert len(parts) >= 2 and all(limits.groups(p) <= limits.MAX_GROUPS for p in parts)
