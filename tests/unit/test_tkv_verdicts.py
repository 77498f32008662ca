"""Verdicts for the shipped TKV 2019 example, each derived from the plan's text.

Seed: shared/seeds/000_40cc82fbe8059212.txt. Collective standards: L96 (launched, propaganda,
pledge, registration), L100 (yearly review, rigorous review, "nhiều cá nhân" with recognised,
applied, highly effective initiatives), L102 (solidarity; rated "vững mạnh trở lên").
Individual standards: L106 (initiative accepted by an initiative/science council, applied, high
effect), L108 (compliance), L110 (member rated "khá trở lên"). Eligibility: L89 grassroots unions
only; L90 union officers and members.
"""

from __future__ import annotations

import pytest

from emulation_rules import Engine, load_campaign, load_facts

from ..conftest import CAMPAIGNS, EXAMPLES

# subject -> (verdict, failing criteria, missing facts)
EXPECTED = {
    # L96-L102 all met; ledger has 2 distinct authors (NV-001, NV-002) >= many_individuals_min 2.
    "CD-HALAM": ("awarded", [], []),
    # L96 "có ký giao ước thi đua": pledge_signed is false.
    "CD-MAOKHE": ("not_awarded", ["pledge"], []),
    # L100 "nhiều cá nhân": one author recognised (NV-008's entry is not recognised) < 2.
    "CD-NUIBEO": ("not_awarded", ["many_applied_initiatives"], []),
    # L102 "vững mạnh trở lên": rated Khá (fair) is below strong.
    "CD-VANGDANH": ("not_awarded", ["rated_strong"], []),
    # L102: rating not submitted -> cannot decide; nothing else fails.
    "CD-HONGAI": ("incomplete", [], ["union_rating"]),
    # L100 "sơ tổng kết hàng năm" not held and review of initiatives not "nghiêm túc";
    # L102 "nội bộ đoàn kết" not met.
    "CD-DEONAI": ("not_awarded", ["yearly_review", "rigorous_review", "solidarity"], []),
    # L102 "trở lên": strong_excellent is above strong; L100: 2 authors counted (NV-019, NV-020);
    # the not-applied and not-highly-effective entries are not counted.
    "CD-QUANGHANH": ("awarded", [], []),
    # L96 launched/propaganda/registration false; L100 empty ledger; L102 average rating;
    # the rigorous-review judgement is missing but failures decide the verdict.
    "CD-KHECHAM": ("not_awarded",
                   ["launched", "propaganda", "registration", "many_applied_initiatives", "rated_strong"],
                   ["initiatives_reviewed_rigorously"]),
    # L71/L100: the Golden Book was not submitted.
    "CD-THONGNHAT": ("incomplete", [], ["initiative_ledger"]),
    # L33 participate, L89 only grassroots unions are awarded.
    "CDBP-KT1-HALAM": ("not_eligible", [], []),
    "CD-TCT-DONGBAC": ("not_eligible", [], []),
    # Individuals.
    "NV-001": ("awarded", [], []),                                   # L106, L108, L110 (excellent)
    "NV-002": ("awarded", [], []),                                   # L110 "khá" exactly
    "NV-003": ("not_awarded", ["accepted_applied_initiative"], []),  # L106: not applied
    "NV-004": ("awarded", [], []),                                   # L106: science council counts
    "NV-005": ("not_awarded", ["member_rated_fair"], []),            # L110: average < khá
    "NV-006": ("not_awarded", ["complies"], []),                     # L108
    "NV-007": ("awarded", [], []),
    "NV-008": ("not_awarded", ["accepted_applied_initiative"], []),  # L106: not accepted
    "NV-009": ("not_awarded", ["accepted_applied_initiative"], []),  # L106: no initiative
    "NV-010": ("not_awarded", ["accepted_applied_initiative"], []),  # L106: not "hiệu quả cao"
    "NV-011": ("incomplete", [], ["member_rating"]),                 # L110 undecided
    "NV-012": ("incomplete", [], ["initiatives", "complies_with_policy"]),
    "NV-013": ("awarded", [], []),                                   # one of two initiatives suffices
    "NV-014": ("not_awarded", ["member_rated_fair"], ["initiatives"]),  # L110: weak
    "NV-015": ("awarded", [], []),
    "NV-016": ("awarded", [], []),
    "NV-017": ("not_awarded", ["accepted_applied_initiative", "complies", "member_rated_fair"], []),
    "NV-018": ("not_eligible", [], []),                              # L90: not a union member
    "NV-019": ("awarded", [], []),
    "NV-020": ("awarded", [], []),
}


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGNS / "tkv_2019.yaml")


@pytest.fixture(scope="module")
def evaluation(campaign):
    engine = Engine(campaign)
    return engine.evaluate(load_facts(EXAMPLES / "tkv_2019" / "facts.yaml", campaign))


def test_example_covers_every_subject(evaluation):
    assert [s.subject_id for s in evaluation.subjects] == list(EXPECTED)
    assert evaluation.as_of.isoformat() == "2019-12-31"
    assert evaluation.phase == "campaign"


@pytest.mark.parametrize("subject_id", list(EXPECTED))
def test_verdict(evaluation, subject_id):
    verdict, failing, missing = EXPECTED[subject_id]
    subject = evaluation.subject(subject_id)
    (award,) = subject.awards  # one award per subject kind
    assert award.verdict == verdict
    assert [c.criterion_id for c in award.criteria if c.status == "fail"] == failing
    assert list(award.missing_facts) == missing
    if verdict == "not_eligible":
        assert award.criteria == ()


def test_every_criterion_both_passes_and_fails_in_the_example(evaluation, campaign):
    seen: dict[str, set[str]] = {}
    for s in evaluation.subjects:
        for a in s.awards:
            for c in a.criteria:
                seen.setdefault(c.criterion_id, set()).add(c.status)
    for award in campaign.awards:
        for crit in award.criteria:
            assert {"pass", "fail"} <= seen[crit.id], crit.id


def test_explanation_carries_values_threshold_and_citation(evaluation):
    award = evaluation.subject("CD-VANGDANH").award("collective_recognition")
    rated = next(c for c in award.criteria if c.criterion_id == "rated_strong")
    assert rated.values == {"union_rating": "fair"}
    assert rated.threshold == "union_rating ≥ strong"
    assert rated.source.lines == (102, 102)
    assert rated.source.seed == "000_40cc82fbe8059212.txt"
    many = next(c for c in evaluation.subject("CD-NUIBEO").award("collective_recognition").criteria
                if c.criterion_id == "many_applied_initiatives")
    assert many.values["counted"] == 1
    assert "many_individuals_min (= 2)" in many.threshold


def test_parameter_for_nhieu_changes_the_verdict(campaign):
    # L100 "nhiều" is the parameter many_individuals_min (defect d08): with 1, Núi Béo's single
    # recognised author is enough; with 3, even Hà Lầm's two authors are not.
    facts = load_facts(EXAMPLES / "tkv_2019" / "facts.yaml", campaign)
    one = Engine(campaign, params={"many_individuals_min": 1}).evaluate(facts)
    three = Engine(campaign, params={"many_individuals_min": 3}).evaluate(facts)
    assert one.subject("CD-NUIBEO").award("collective_recognition").verdict == "awarded"
    assert three.subject("CD-HALAM").award("collective_recognition").verdict == "not_awarded"
    assert three.params == {"many_individuals_min": 3.0}


def test_csv_example_gives_the_same_rules(campaign):
    # individuals.csv: có/không booleans, Vietnamese enum labels, JSON record cells, D/M/YYYY dates.
    facts = load_facts(EXAMPLES / "tkv_2019" / "individuals.csv", campaign)
    got = Engine(campaign).evaluate(facts).verdicts()
    assert got == {
        ("NV-101", "individual_recognition"): "awarded",        # L106, L108, L110 met
        ("NV-102", "individual_recognition"): "awarded",        # science council; xuất sắc
        ("NV-103", "individual_recognition"): "not_awarded",    # L106 none; L108 "không"
        ("NV-104", "individual_recognition"): "not_awarded",    # L110: trung bình
        ("NV-105", "individual_recognition"): "incomplete",     # L110: rating cell empty
        ("NV-106", "individual_recognition"): "not_eligible",   # L90: not a member
    }
