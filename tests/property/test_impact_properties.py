"""Issue 25, item 3: on generated people and generated parameter values, a campaign diffed with
itself changes nothing, and diff(A, B) is the mirror of diff(B, A) (gains and losses swap, every
change reversed), on the acceptance campaign's cap parameter."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emulation_rules import Engine, load_campaign, parse_facts
from emulation_rules.authoring.strategies import facts_for
from emulation_rules.results.impact import impact, rule_changes

from ..conftest import CAMPAIGNS

CAMPAIGN = load_campaign(CAMPAIGNS / "ldtt_cstdcs_2025.yaml")
PEOPLE = st.lists(st.one_of(facts_for(CAMPAIGN, "individual"),  # many awarded, so that caps bind
                            facts_for(CAMPAIGN, "individual", "grassroots_emulation_fighter", True, missing=0)),
                  min_size=1, max_size=12)
CAPS = st.integers(min_value=0, max_value=100)


def _evaluate(people, cap, tweak=0):
    raw = [{**p, "id": f"P{i}", "unit": "CD-A" if i % 3 else "CD-B"} for i, p in enumerate(people)]
    submission = parse_facts({"campaign": CAMPAIGN.id, "as_of": "2025-12-31", "subjects": raw}, CAMPAIGN)
    campaign = CAMPAIGN
    if tweak:  # move the months threshold of the LĐTT criterion not_newly_recruited
        award = campaign.awards[0]
        crits = tuple(c if c.id != "not_newly_recruited" else c.model_copy(
            update={"condition": c.condition.model_copy(update={"value": 6 + tweak})}) for c in award.criteria)
        campaign = campaign.model_copy(update={"awards": (award.model_copy(update={"criteria": crits}),
                                                          *campaign.awards[1:])})
    return Engine(campaign, params={"cstdcs_cap_pct": cap}, backend="python").evaluate(submission), campaign


@settings(max_examples=40)  # each example evaluates four times
@given(PEOPLE, CAPS, CAPS, st.integers(-6, 6))
def test_diff_with_itself_is_empty_and_diff_is_a_mirror(people, cap_a, cap_b, tweak):
    a, ca = _evaluate(people, cap_a)
    b, _ = _evaluate(people, cap_b, tweak)
    same = impact(a, a, rules=rule_changes(ca, ca, old_params={"cstdcs_cap_pct": cap_a},
                                           new_params={"cstdcs_cap_pct": cap_a}))
    assert not (same.changes or same.quotas or same.placements or same.targets or same.rules)
    forward, backward = impact(a, b), impact(b, a)
    assert sorted(forward.gains()) == sorted(backward.losses())
    assert sorted(forward.losses()) == sorted(backward.gains())
    assert sorted((c.subject_id, c.award_id, c.old, c.new) for c in forward.changes) == sorted(
        (c.subject_id, c.award_id, c.new, c.old) for c in backward.changes)
    assert sorted(forward.quotas, key=repr) == sorted(((q, g, n, o) for q, g, o, n in backward.quotas), key=repr)
    assert sorted((q, s, o, n) for q, s, o, n in forward.placements) == sorted(
        (q, s, n, o) for q, s, o, n in backward.placements)
    for c in forward.changes:  # every reported change is a real difference of the two evaluations
        assert a.verdicts()[(c.subject_id, c.award_id)] == c.old
        assert b.verdicts()[(c.subject_id, c.award_id)] == c.new
    if cap_a == cap_b and tweak == 0:
        assert not forward.changes and not forward.quotas

