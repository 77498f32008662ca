"""Benchmark: the python backend against GoRules Zen on the same people, as a ratio in one run.

    pip install zen-engine            # the comparison's other engine (not a dependency of ours)
    python benchmarks/bench_zen.py -n 20000 --repeat 3

The people: N synthetic TKV 2019 subjects (``emulation_rules.authoring._synthetic``, values around
every threshold, about 80% individuals), of which the individuals are judged for
``individual_recognition``, the campaign's one award for individuals. The same award written as a
Zen decision (JDM): one expression node with the award's three criteria as the plan states them
(Kế hoạch 115/KH-CĐTKV, mục V.2, dòng 106: an accepted, applied, highly effective initiative;
dòng 108: complies with policy and law; dòng 110: a member rated fair or better) and the verdict,
in the same three-valued logic as ours (a fact not given makes its criterion unknown, not failed;
a record whose field is not given counts as maybe, so a count is known only when both bounds
agree), and the roles the award is open to (dòng 90).

Figures, all from one run (median of ``--repeat``; runs interleaved, so a change in the machine's
load hits both alike):

* ``Engine(backend="python").evaluate`` on the validated individuals: subjects/s in CPU time and
  in wall time, with explanations (every criterion's status, values, threshold and citation) and
  with ``explain=False`` (verdicts, missing facts, points: what Zen's answer holds);
* ``ZenEngine.evaluate_batch`` on the same people (their facts as dicts, made before the clock
  starts): subjects/s in CPU time (of every thread: Zen may use several) and in wall time;
* the ratios (the goal of issue 24: python backend, explanations off, at least as fast as
  ``evaluate_batch``), and whether both give the same verdict and criterion statuses for every
  person.

Without zen-engine installed the script says so and prints the python backend alone.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# the shipped campaigns name their texts in ../shared/seeds, read only from a documents directory
os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(ROOT.parent / "shared" / "seeds"))
sys.path.insert(0, str(ROOT / "src"))

from emulation_rules import Engine, load_campaign  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tkv_people import individuals, size_options  # noqa: E402

CAMPAIGN = ROOT / "campaigns" / "tkv_2019.yaml"
AWARD = "individual_recognition"

# the award as a Zen expression node: each criterion 'pass' / 'fail' / 'unknown', then the verdict
_COUNCILS = "['initiative_council', 'science_council']"
_SURE = f"(#.accepted_by in {_COUNCILS}) and #.applied == true and #.high_effect == true"
_MAYBE = (f"(#.accepted_by == null or #.accepted_by in {_COUNCILS}) and #.applied != false "
          "and #.high_effect != false")
EXPRESSIONS = {
    # dòng 106: count of accepted, applied, highly effective initiatives >= 1 (bounds: sure, maybe)
    "accepted_applied_initiative": (
        f"initiatives == null ? 'unknown' : (count(initiatives, {_SURE}) >= 1 ? 'pass' : "
        f"(count(initiatives, {_MAYBE}) >= 1 ? 'unknown' : 'fail'))"),
    # dòng 108
    "complies": "complies_with_policy == null ? 'unknown' : (complies_with_policy == true ? 'pass' : 'fail')",
    # dòng 110: the member scale weak < average < fair < excellent (campaign, defect d09)
    "member_rated_fair": ("member_rating == null ? 'unknown' : "
                          "(member_rating in ['fair', 'excellent'] ? 'pass' : 'fail')"),
}
VERDICT = ("not (role in ['union_officer', 'member']) ? 'not_eligible' : "
           "($.accepted_applied_initiative == 'fail' or $.complies == 'fail' or $.member_rated_fair == 'fail') "
           "? 'not_awarded' : ($.accepted_applied_initiative == 'unknown' or $.complies == 'unknown' "
           "or $.member_rated_fair == 'unknown' ? 'incomplete' : 'awarded')")


def decision_model() -> dict[str, Any]:
    """The JDM graph: input -> one expression node -> output."""
    expressions = [{"id": str(i), "key": k, "value": v} for i, (k, v) in enumerate(EXPRESSIONS.items())]
    expressions.append({"id": "verdict", "key": "verdict", "value": VERDICT})
    return {
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "facts", "position": {"x": 0, "y": 0}},
            {"id": "award", "type": "expressionNode", "name": AWARD, "position": {"x": 200, "y": 0},
             "content": {"expressions": expressions}},
            {"id": "out", "type": "outputNode", "name": "result", "position": {"x": 400, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "award", "type": "edge"},
                  {"id": "e2", "sourceId": "award", "targetId": "out", "type": "edge"}],
    }


def _context(subject: Any) -> dict[str, Any]:
    """A person's facts as Zen reads them (JSON values; a fact not given is null)."""
    facts = dict(subject.facts)
    records = facts.get("initiatives")
    return {
        "role": subject.role,
        "initiatives": None if records is None else [
            {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()} for r in records],
        "complies_with_policy": facts.get("complies_with_policy"),
        "member_rating": facts.get("member_rating"),
    }


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(CPU seconds of every thread of this process, wall seconds, the result) of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c0, time.perf_counter() - w0, out


def main() -> None:
    args = size_options(__doc__).parse_args()
    campaign = load_campaign(CAMPAIGN)
    people = individuals(campaign, args.n, args.seed)
    engine = Engine(campaign, backend="python")
    engine.evaluate(people[:200])  # warm up
    try:
        import zen
    except ImportError:
        zen = None
    runs: dict[str, list[tuple[float, float]]] = {"python": [], "lean": [], "zen": []}
    ours = theirs = None
    batch: Callable[[], Any] | None = None
    if zen is not None:
        decision = zen.ZenEngine({"loader": {"type": "static", "content": {AWARD: decision_model()}}})
        requests = [{"key": AWARD, "context": _context(p)} for p in people]
        decision.evaluate_batch(requests[:200])  # warm up (the model loaded and compiled)

        def batch() -> Any:
            return decision.evaluate_batch(requests)

    for _ in range(args.repeat):
        cpu, wall, ours = _timed(lambda: engine.evaluate(people))
        runs["python"].append((cpu, wall))
        cpu, wall, lean = _timed(lambda: engine.evaluate(people, explain=False))
        runs["lean"].append((cpu, wall))
        if batch is not None:
            cpu, wall, theirs = _timed(batch)
            runs["zen"].append((cpu, wall))

    n = len(people)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load {load}; "
          f"N = {n} TKV individuals ({AWARD}), median of {args.repeat}")
    py_cpu, py_wall = (statistics.median(t[i] for t in runs["python"]) for i in (0, 1))
    lean_cpu, lean_wall = (statistics.median(t[i] for t in runs["lean"]) for i in (0, 1))
    print(f"Engine(python).evaluate        {n / py_cpu:10,.0f} subjects/s CPU  {n / py_wall:10,.0f} wall  "
          "(every criterion explained)")
    print(f"  explain=False                {n / lean_cpu:10,.0f} subjects/s CPU  {n / lean_wall:10,.0f} wall  "
          f"({py_cpu / lean_cpu:.2f}x; the same verdicts: "
          f"{lean.verdicts() == ours.verdicts() if ours is not None else '-'})")
    if zen is None or theirs is None or ours is None:
        print("zen-engine is not installed here (pip install zen-engine): no comparison")
        return
    zen_cpu, zen_wall = (statistics.median(t[i] for t in runs["zen"]) for i in (0, 1))
    print(f"Zen evaluate_batch             {n / zen_cpu:10,.0f} subjects/s CPU  {n / zen_wall:10,.0f} wall")
    print(f"python backend / Zen           {zen_cpu / py_cpu:10.2f}x CPU      {zen_wall / py_wall:10.2f}x wall  "
          "(explained)")
    print(f"  explain=False / Zen          {zen_cpu / lean_cpu:10.2f}x CPU      {zen_wall / lean_wall:10.2f}x wall  "
          "(goal >= 1.0)")
    differ = 0
    for person, result, answer in zip(people, ours.subjects, theirs, strict=True):
        award = next(a for a in result.awards if a.award_id == AWARD)
        got = answer["data"]["result"] if answer.get("success", True) else {}
        mine = {c.criterion_id: c.status for c in award.criteria} if award.criteria else {}
        same = got.get("verdict") == award.verdict and all(got.get(k) == v for k, v in mine.items())
        differ += not same
        if not same and differ <= 3:
            print(f"  differs: {person.id}: ours {award.verdict} {mine}, Zen {got}")
    print(f"same verdict and criterion statuses for {n - differ} of {n} people")


if __name__ == "__main__":
    main()
