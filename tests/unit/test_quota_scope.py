"""Quotas per theme, across kinds, per unit of a level above (issue 19, item 7), on every backend.

Fixture tests/data/quotas/themes.yaml: at most 3 certificates per theme counting unions and
members together; at most 2 per provincial federation; at most 1 per federation and theme.
"""

from __future__ import annotations

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.reader import parse_facts

from ..conftest import ROOT, refused_problems

THEMES = ROOT / "tests" / "data" / "quotas" / "themes.yaml"
BACKENDS = ("durable", "python", "polars")


@pytest.fixture(scope="module")
def themes():
    return load_campaign(THEMES)


def union(uid: str, fed: str | None, theme: str | None, merit: bool = True) -> dict:
    facts: dict = {"union_merit": merit}
    if theme is not None:
        facts["union_theme"] = theme
    raw = {"id": uid, "kind": "collective", "level": "grassroots_union", "facts": facts}
    if fed is not None:
        raw["unit"] = fed
    return raw


def member(pid: str, unit: str, theme: str | None, merit: bool = True) -> dict:
    facts: dict = {"member_merit": merit}
    if theme is not None:
        facts["member_theme"] = theme
    return {"id": pid, "kind": "individual", "role": "member", "unit": unit, "facts": facts}


def federation(fid: str) -> dict:
    return {"id": fid, "kind": "collective", "level": "provincial_federation", "facts": {}}


def evaluate(campaign, raw, backend: str):
    problem = backend_problem(backend)  # type: ignore[arg-type]
    if problem is not None:
        pytest.skip(f"{backend} backend not available here: {problem}")
    ev = Engine(campaign, backend=backend).evaluate(parse_facts(raw, campaign))
    return {q.quota_id: q for q in ev.quotas}


def groups(q) -> dict:
    return {g.label: (g.numerator, g.undecided, g.status) for g in q.groups}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_theme_cap_counts_unions_and_members_together(themes, backend) -> None:
    raw = [federation("F1"), federation("F2"),
           union("U1", "F1", "green"), member("P1", "U1", "green"), member("P2", "U1", "green"),
           union("U2", "F2", "green"), member("P3", "U2", "culture")]
    q = evaluate(themes, raw, backend)
    # green: U1, P1, P2, U2 = 4 > 3 (a union and its members in one count); culture: P3 alone
    assert groups(q["per_theme"]) == {"green": (4, 0, "not_met"), "culture": (1, 0, "met")}
    assert q["per_theme"].status == "not_met" and q["per_theme"].per == "union_theme/member_theme"
    # F1: U1, P1, P2 = 3 > 2 (members reach F1 through U1); F2: U2, P3 = 2
    assert groups(q["per_federation"]) == {"F1": (3, 0, "not_met"), "F2": (2, 0, "met")}
    assert groups(q["per_federation_and_theme"]) == {
        "F1 / green": (3, 0, "not_met"), "F2 / green": (1, 0, "met"), "F2 / culture": (1, 0, "met")}
    (f1,) = [g for g in q["per_federation"].groups if g.label == "F1"]
    assert f1.advice.en == "1 over the cap of 2"
    assert f1.advice.vi == "vượt 1 so với mức tối đa 2"


def test_a_missing_theme_is_undecided_in_every_theme_it_may_be_in(themes) -> None:
    raw = [federation("F1"), union("U1", "F1", "green"), member("P1", "U1", "green"),
           member("P2", "U1", "culture"), member("P3", "U1", None)]
    q = evaluate(themes, raw, "python")["per_theme"]
    # P3 may be green (then 3: within) or culture: both within 3 -> met all the same
    assert groups(q) == {"green": (2, 1, "met"), "culture": (1, 1, "met")}
    raw.append(member("P4", "U1", "green"))
    q = evaluate(themes, raw, "python")["per_theme"]
    # green holds 3 decided; P3 may make it 4: unknown, never met
    assert groups(q) == {"green": (3, 1, "unknown"), "culture": (1, 1, "met")}
    assert q.status == "unknown" and q.undecided_ids.count("P3") == 2


def test_only_a_missing_theme_gives_its_own_undecided_group(themes) -> None:
    q = evaluate(themes, [union("U1", None, None)], "python")
    assert groups(q["per_theme"]) == {"?": (0, 1, "met")}
    # no federation above U1 in the submission: the group "no provincial_federation"
    assert groups(q["per_federation"]) == {"no provincial_federation": (1, 0, "met")}


def test_not_awarded_subjects_are_not_counted(themes) -> None:
    raw = [federation("F1")] + [union(f"U{i}", "F1", "green", merit=i < 2) for i in range(5)]
    q = evaluate(themes, raw, "python")
    assert groups(q["per_theme"]) == {"green": (2, 0, "met")}


def _problems(tmp_path, change) -> list:
    return refused_problems(tmp_path, THEMES, "quotas", change)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda qs: qs[0]["per"].update(fact="member_theme"), ("bad-quota", "quotas.0.per.fact")),
        (lambda qs: qs[0]["per"].update(fact=["union_theme", "member_themes"]),
         ("unknown-fact", "quotas.0.per.fact.1")),
        (lambda qs: qs[1]["per"].update(within="province"), ("unknown-level", "quotas.1.per.within")),
        (lambda qs: qs[1].update(per={}), ("bad-quota", "quotas.1.per")),
        (lambda qs: qs[0].update(condition={"fact": "member_merit", "op": "==", "value": True}),
         ("bad-quota", "quotas.0.condition")),
        (lambda qs: qs[0].update(subjects=["individual"]), ("bad-quota", "quotas.0.awards.0")),
        (lambda qs: qs[0].update(per="theme"), ("bad-choice", "quotas.0.per")),
    ],
    ids=["one-fact-two-kinds", "unknown-fact", "unknown-level", "empty-per", "condition-two-kinds",
         "award-of-another-kind", "bad-name"],
)
def test_loader_refuses_a_bad_grouping_with_a_located_problem(tmp_path, change, expected) -> None:
    assert expected in _problems(tmp_path, change)
