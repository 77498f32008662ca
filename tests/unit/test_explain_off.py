"""``Engine.evaluate(explain=False)``: every award's criteria left out, everything else exactly as
with explanations (verdicts, reasons, missing facts, points, bands, quotas, documents); the python
backend then judges without building the explanations (evaluate/python.py ``_verdict_only``), the
others leave them out afterwards. Checked on every shipped campaign with its example (the
examples' own expected verdicts are checked elsewhere), and on the review-cycle example, whose
campaign has a score sheet, a council vote and awards that need a proposal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulation_rules import Engine, load_campaign, load_facts
from emulation_rules.evaluate.base import backend_problem
from tests.conftest import EXAMPLES, campaign_files

CASES = [(p, EXAMPLES / p.stem / "facts.yaml") for p in campaign_files() if (EXAMPLES / p.stem / "facts.yaml").is_file()]
CASES.append((EXAMPLES / "review_cycle" / "campaign.yaml", EXAMPLES / "review_cycle" / "facts_2025.yaml"))
BACKENDS = ["python", *(["durable"] if backend_problem("durable") is None else [])]


def _without_criteria(doc: dict[str, Any]) -> dict[str, Any]:
    for subject in doc["subjects"]:
        for award in subject["awards"]:
            award["criteria"] = []
    return doc


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("campaign_path", "facts_path"), CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_explain_off_leaves_out_the_criteria_and_nothing_else(campaign_path: Path, facts_path: Path,
                                                              backend: str) -> None:
    campaign = load_campaign(campaign_path)
    engine = Engine(campaign, backend=backend)  # type: ignore[arg-type]
    submission = load_facts(facts_path, campaign)
    explained = engine.evaluate(submission)
    lean = engine.evaluate(submission, explain=False)
    assert all(a.criteria == () for s in lean.subjects for a in s.awards)
    assert lean.to_dict() == _without_criteria(explained.to_dict())


def test_the_examples_have_criteria_to_leave_out() -> None:
    """The comparison above is not empty: most examples' awards explain their criteria (the Phù
    Riêng and Thanh Hóa plans delegate theirs, so their awards have none)."""
    with_criteria = 0
    for campaign_path, facts_path in CASES:
        campaign = load_campaign(campaign_path)
        explained = Engine(campaign, backend="python").evaluate(load_facts(facts_path, campaign))
        with_criteria += any(a.criteria for s in explained.subjects for a in s.awards)
    assert with_criteria >= len(CASES) - 2


def test_the_python_backend_does_not_build_what_it_leaves_out() -> None:
    """The lean evaluation never builds a criterion's result (whose wording and values are most of
    the python backend's time): its criterion builder is never called."""
    from emulation_rules.evaluate import python as py

    campaign_path, facts_path = CASES[0]
    campaign = load_campaign(campaign_path)
    engine = Engine(campaign, backend="python")
    submission = load_facts(facts_path, campaign)
    calls: list[str] = []
    lean = engine._verdicts_only
    assert isinstance(lean, py.PythonEvaluator) and not lean.explain
    original = py.PythonEvaluator._criterion

    def counting(self: Any, *args: Any) -> Any:
        calls.append("built")
        return original(self, *args)

    py.PythonEvaluator._criterion = counting  # type: ignore[method-assign]
    try:
        engine.evaluate(submission, explain=False)
        assert calls == []
        engine.evaluate(submission)
        assert calls
    finally:
        py.PythonEvaluator._criterion = original  # type: ignore[method-assign]
