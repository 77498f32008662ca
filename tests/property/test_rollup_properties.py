"""Issue 21: on generated trees of units and generated subjects, a unit's rolled-up counts equal
its own subjects' counts plus its children's, every subject is counted once at each root, and a
target's population at a unit is the sum of its children's plus its own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emulation_rules import Engine, load_campaign, parse_facts
from emulation_rules.authoring.strategies import facts_for
from emulation_rules.facts.units import Unit, UnitTree
from emulation_rules.results.rollup import rollup

from ..conftest import CAMPAIGNS

CAMPAIGN = load_campaign(CAMPAIGNS / "dienbien_2020.yaml")
ENGINE = Engine(CAMPAIGN, backend="python")
LEVELS = ("grassroots_union", "upper_union", "provincial_federation")
PEOPLE = facts_for(CAMPAIGN, "individual")


@st.composite
def trees(draw: st.DrawFn) -> UnitTree:
    """A province, 1-3 upper-level unions, 0-3 grassroots unions under each."""
    units = [Unit("P", "provincial_federation")]
    for i in range(draw(st.integers(1, 3))):
        units.append(Unit(f"U{i}", "upper_union", parent="P"))
        for j in range(draw(st.integers(0, 3))):
            units.append(Unit(f"G{i}{j}", "grassroots_union", parent=f"U{i}"))
    return UnitTree(tuple(units), LEVELS)


@st.composite
def reviews(draw: st.DrawFn) -> tuple[UnitTree, list[dict]]:
    tree = draw(trees())
    raw = []
    for k, unit in enumerate(tree.units):
        if draw(st.booleans()):
            facts = {"emulation_plan_launched": draw(st.booleans())} if draw(st.booleans()) else {}
            raw.append({"id": unit.id, "kind": "collective", "level": unit.level, "facts": facts})
        for n in range(draw(st.integers(0, 2))):
            person = draw(PEOPLE)
            raw.append({**person, "id": f"I{k}-{n}", "unit": unit.id})
    return tree, raw


@settings(max_examples=60)  # each example evaluates a whole review; the ci profile's 200 take 40 s
@given(reviews())
def test_rolled_up_counts_are_the_sums_over_the_children(review):
    tree, raw = review
    submission = parse_facts({"campaign": CAMPAIGN.id, "as_of": "2020-12-31", "subjects": raw}, CAMPAIGN)
    evaluation = ENGINE.evaluate(submission)
    report = rollup(CAMPAIGN, evaluation, submission, tree)
    verdicts = evaluation.verdicts()
    stack = list(report.roots)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        assert len(node.subjects) == len(node.own) + sum(len(c.subjects) for c in node.children)
        for award, counts in node.counts.items():
            for verdict, n in counts.items():
                own = sum(1 for sid in node.own if verdicts.get((sid, award)) == verdict)
                assert n == own + sum(c.counts[award][verdict] for c in node.children)
        for t in node.targets:
            if t.population is not None and t.target_id == "grassroots_unions_launch_plan":
                below = sum(next(x for x in c.targets if x.target_id == t.target_id).population or 0
                            for c in node.children)
                own = sum(1 for s in submission.subjects if s.id in node.own and s.level == "grassroots_union")
                assert t.population == own + below
    assert sorted(i for r in report.roots for i in r.subjects) == sorted(s.id for s in submission.subjects)
