"""Conditions over the subject's unit (issue 19, item 6), the same on every backend.

Fixture tests/data/units/unit_conditions.yaml: a member of a union awarded the flag (the flag:
union rated strong); a member of a grassroots union (eligibility) rated fair or better.
"""

from __future__ import annotations

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.reader import parse_facts
from emulation_rules.messages import translate_message

from ..conftest import ROOT, refused_problems

UNITS = ROOT / "tests" / "data" / "units" / "unit_conditions.yaml"
BACKENDS = ("durable", "python", "polars")


@pytest.fixture(scope="module")
def units():
    return load_campaign(UNITS)


def union(uid: str, rating: str | None, level: str = "grassroots_union") -> dict:
    return {"id": uid, "kind": "collective", "level": level,
            "facts": {} if rating is None else {"union_rating": rating}}


def member(pid: str, unit: str | None, merit: bool = True) -> dict:
    raw = {"id": pid, "kind": "individual", "role": "member", "facts": {"member_merit": merit}}
    if unit is not None:
        raw["unit"] = unit
    return raw


SUBMISSION = [
    member("P1", "U1"),  # listed before its unit: the order of the submission does not matter
    union("U1", "strong"), union("U2", "fair"), union("U3", None), union("UP", "strong", "upper_union"),
    member("P2", "U2"), member("P3", "U9"), member("P4", "U3"), member("P5", "UP"), member("P6", "U1", merit=False),
]


def evaluate(campaign, raw, backend: str):
    problem = backend_problem(backend)  # type: ignore[arg-type]
    if problem is not None:
        pytest.skip(f"{backend} backend not available here: {problem}")
    return Engine(campaign, backend=backend).evaluate(parse_facts(raw, campaign))


@pytest.mark.parametrize("backend", BACKENDS)
def test_members_read_their_unit_in_the_same_evaluation(units, backend) -> None:
    ev = evaluate(units, SUBMISSION, backend)
    got = ev.verdicts()
    assert {k: v for k, v in got.items() if k[1] == "flag"} == {
        ("U1", "flag"): "awarded", ("U2", "flag"): "not_awarded", ("U3", "flag"): "incomplete",
        ("UP", "flag"): "not_eligible"}
    assert {k[0]: v for k, v in got.items() if k[1] == "member_of_flag_union"} == {
        "P1": "awarded",       # U1 awarded the flag
        "P2": "not_awarded",   # U2 not awarded
        "P3": "incomplete",    # U9 is not in the submission: unknown
        "P4": "incomplete",    # U3's flag is incomplete (its rating is missing): unknown
        "P5": "not_awarded",   # UP is not eligible for the flag: not awarded
        "P6": "not_awarded",   # its own criterion fails, whatever the unit
    }
    assert {k[0]: v for k, v in got.items() if k[1] == "member_of_strong_grassroots"} == {
        "P1": "awarded", "P2": "awarded",
        "P3": "incomplete",    # no unit: the eligibility over it is unknown
        "P4": "incomplete",    # a grassroots union, its rating missing
        "P5": "not_eligible",  # an upper-level union's member: not eligible
        "P6": "awarded"}
    p3 = ev.subject("P3").award("member_of_flag_union")
    assert p3.missing_facts == ("unit__award__flag",)
    p5 = ev.subject("P5").award("member_of_strong_grassroots")
    assert p5.reason.startswith("the unit does not qualify: unit__level ∈")
    assert translate_message(p5.reason).startswith("đơn vị không thuộc đối tượng: unit__level ∈")


def test_every_backend_gives_the_same_results(units) -> None:
    got = {b: evaluate(units, SUBMISSION, b).verdicts() for b in BACKENDS if backend_problem(b) is None}
    assert len({tuple(sorted(v.items())) for v in got.values()}) == 1


def _problems(tmp_path, change) -> list:
    return refused_problems(tmp_path, UNITS, "awards", change)


def _set(index: int, crit: int, cond: dict):
    return lambda awards: awards[index]["criteria"][crit].update(condition=cond)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set(0, 0, {"unit": {"fact": "union_rating", "at_least": "fair"}}), ("bad-compare", "awards.0.criteria.0.condition")),
        (_set(1, 1, {"unit": {"unit": {"award": "flag"}}}), ("bad-compare", "awards.1.criteria.1.condition.unit")),
        (_set(1, 1, {"unit": {"award": "member_of_flag_union"}}),
         ("fact-subject-mismatch", "awards.1.criteria.1.condition.unit.award")),
        (_set(1, 1, {"unit": {"fact": "member_merit", "op": "==", "value": True}}),
         ("fact-subject-mismatch", "awards.1.criteria.1.condition.unit.fact")),
        (_set(1, 1, {"level": ["grassroots_union"]}), ("bad-compare", "awards.1.criteria.1.condition")),
        (_set(1, 1, {"unit": {"level": ["province"]}}), ("unknown-level", "awards.1.criteria.1.condition.unit.level.0")),
        (_set(1, 1, {"unit": {"held": "flag", "consecutive_years": 2}}), ("bad-compare", "awards.1.criteria.1.condition.unit")),
        (lambda awards: awards[0]["eligibility"].update(unit={"level": ["grassroots_union"]}),
         ("bad-compare", "awards.0.eligibility")),
    ],
    ids=["in-a-collective-award", "nested", "an-individual-award", "an-individual-fact", "level-outside",
         "unknown-level", "held-inside", "collective-eligibility"],
)
def test_loader_refuses_a_bad_unit_condition_with_a_located_problem(tmp_path, change, expected) -> None:
    assert expected in _problems(tmp_path, change)


def test_a_table_scored_in_bulk_is_refused_rather_than_read_without_its_units(units, tmp_path):
    """Bulk scoring reads each row alone: a member's unit is not at hand there, so the run is
    refused (and a large table goes subject by subject, cli/paths.py) instead of leaving every
    unit condition unknown."""
    from emulation_rules import CompileError

    if backend_problem("polars") is not None:
        pytest.skip("polars not installed")
    table = tmp_path / "t.csv"
    table.write_text("id,kind,level,role,unit,member_merit,union_rating\n"
                     "U1,collective,grassroots_union,,,,strong\nP1,individual,,member,U1,true,\n",
                     encoding="utf-8")
    with pytest.raises(CompileError, match="reads the subject's unit"):
        Engine(units, backend="polars").evaluate_many(table, as_of=None)


def test_explain_shows_the_unit_gate_without_an_empty_quotation(units) -> None:
    """The unit gate is a criterion the engine adds (evaluate/units.py): it has no wording of its
    own, so explain shows its rule and source and no empty quotation marks."""
    from emulation_rules.results.render import render_explanation

    evaluation = Engine(units, backend="python").evaluate(parse_facts(SUBMISSION, units))
    text = render_explanation(evaluation, "P1")
    assert "[unit_eligibility__]" in text and "“”" not in text
