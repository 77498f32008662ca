"""Generated campaigns whose one criterion nests ``all`` / ``any`` / ``not`` three deep (issue 10,
item 4, "Done when"): every backend (durable-rules, python, polars) gives the criterion the status
of Kleene's three-valued logic, computed here by a ten-line oracle that shares no code with the
library, for subjects whose facts are each given or missing.

Kleene: ``any`` passes if a branch passes, else is unknown if a branch is unknown, else fails;
``all`` fails if a branch fails, else is unknown if a branch is unknown, else passes; ``not``
swaps pass and fail and keeps unknown. A leaf reading a missing fact is unknown.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulation_rules import Engine, parse_facts
from emulation_rules.campaign.loader import validate_campaign
from emulation_rules.evaluate.base import backend_problem

RANKS = ["low", "mid", "high"]
SRC = {"doc": "plan", "section": "I"}


def _campaign(condition: dict[str, Any]) -> dict[str, Any]:
    label = {"vi": "x", "en": "x"}
    return {
        "schema_version": 2, "id": "generated", "title": label, "issuer": label, "mode": "regular",
        "documents": [{"id": "plan", "kind": "plan", "number": "1/KH"}],
        "phases": [{"id": "y", "label": label, "start": "2025-01-01", "end": "2025-12-31", "source": SRC}],
        "subjects": {"individual_roles": [{"id": "member", "label": label}]},
        "facts": [
            {"id": "b1", "applies_to": "individual", "type": "bool", "label": label},
            {"id": "b2", "applies_to": "individual", "type": "bool", "label": label},
            {"id": "n1", "applies_to": "individual", "type": "int", "label": label},
            {"id": "r", "applies_to": "individual", "type": "ordered_enum", "label": label,
             "values": [{"id": v, "label": label} for v in RANKS]},
        ],
        "awards": [{
            "id": "t", "kind": "title", "subject": "individual", "label": label, "source": SRC,
            "eligibility": {"roles": ["member"], "source": SRC},
            "criteria": [{"id": "c", "label": label, "text_vi": "x", "condition": condition,
                          "source": SRC}],
        }],
    }


LEAVES = st.one_of(
    st.builds(lambda f, v: {"fact": f, "op": "==", "value": v}, st.sampled_from(["b1", "b2"]), st.booleans()),
    st.builds(lambda op, v: {"fact": "n1", "op": op, "value": v},
              st.sampled_from([">=", "<", "==", "!="]), st.integers(0, 4)),
    st.builds(lambda v: {"fact": "r", "at_least": v}, st.sampled_from(RANKS)),
    st.builds(lambda vs: {"fact": "r", "in": vs}, st.lists(st.sampled_from(RANKS), min_size=1, max_size=2, unique=True)),
)


def conditions(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    """A condition nesting all/any/not up to ``depth`` levels above its leaves."""
    if depth == 0:
        return LEAVES
    sub = conditions(depth - 1)
    return st.one_of(
        st.lists(sub, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
        st.lists(sub, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
        sub.map(lambda x: {"not": x}),
    )


FACT_VALUES = st.fixed_dictionaries({}, optional={
    "b1": st.booleans(), "b2": st.booleans(), "n1": st.integers(0, 4), "r": st.sampled_from(RANKS)})


def oracle(cond: dict[str, Any], facts: dict[str, Any]) -> str:
    """Kleene's three-valued value of ``cond`` over ``facts`` (a missing fact: unknown)."""
    if "all" in cond or "any" in cond:
        values = [oracle(c, facts) for c in cond.get("all", cond.get("any"))]
        decisive, other = ("fail", "pass") if "all" in cond else ("pass", "fail")
        return decisive if decisive in values else "unknown" if "unknown" in values else other
    if "not" in cond:
        return {"pass": "fail", "fail": "pass", "unknown": "unknown"}[oracle(cond["not"], facts)]
    if cond["fact"] not in facts:
        return "unknown"
    value = facts[cond["fact"]]
    if "at_least" in cond:
        held = RANKS.index(value) >= RANKS.index(cond["at_least"])
    elif "in" in cond:
        held = value in cond["in"]
    else:
        held = {">=": value >= cond["value"], "<": value < cond["value"],
                "==": value == cond["value"], "!=": value != cond["value"]}[cond["op"]]
    return "pass" if held else "fail"


BACKENDS = [b for b in ("durable", "python", "polars") if backend_problem(b) is None]


@pytest.mark.skipif(len(BACKENDS) < 2, reason="needs at least two backends to compare")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions(3), st.lists(FACT_VALUES, min_size=1, max_size=6))
def test_nested_three_deep_every_backend_is_kleene(condition: dict[str, Any],
                                                   people: list[dict[str, Any]]) -> None:
    campaign = validate_campaign(_campaign(condition))
    raw = [{"id": f"P{i}", "kind": "individual", "role": "member", "facts": f}
           for i, f in enumerate(people)]
    submission = parse_facts(raw, campaign)
    expected = {f"P{i}": oracle(condition, f) for i, f in enumerate(people)}
    for backend in BACKENDS:
        evaluation = Engine(campaign, backend=backend).evaluate(submission)
        got = {s.subject_id: s.awards[0].criteria[0].status for s in evaluation.subjects}
        assert got == expected, (backend, condition, people)
        verdicts = {s.subject_id: s.awards[0].verdict for s in evaluation.subjects}
        assert verdicts == {k: {"pass": "awarded", "fail": "not_awarded", "unknown": "incomplete"}[v]
                            for k, v in expected.items()}, (backend, condition)
