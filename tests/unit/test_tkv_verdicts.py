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

# subject -> (verdict, failing criteria, unknown criteria, missing facts). Verdict rules
# (explain.py): any failing criterion -> not_awarded; else any unknown -> incomplete.
EXPECTED = {
    # L96-L102 all met; L100 ledger has 2 distinct authors (NV-001 twice, NV-002) >= 2.
    "CD-HALAM": ("awarded", [], [], []),
    # L96 "có ký giao ước thi đua": pledge_signed is false.
    "CD-MAOKHE": ("not_awarded", ["pledge"], [], []),
    # L100 "nhiều cá nhân": one recognised author (NV-008's entry is not recognised) < 2.
    "CD-NUIBEO": ("not_awarded", ["many_applied_initiatives"], [], []),
    # L102 "vững mạnh trở lên": rated Khá (fair) is below strong.
    "CD-VANGDANH": ("not_awarded", ["rated_strong"], [], []),
    # L102: rating not submitted -> cannot decide; nothing else fails.
    "CD-HONGAI": ("incomplete", [], ["rated_strong"], ["union_rating"]),
    # L100 "sơ tổng kết hàng năm" not held and review of initiatives not "nghiêm túc";
    # L102 "nội bộ đoàn kết" not met.
    "CD-DEONAI": ("not_awarded", ["yearly_review", "rigorous_review", "solidarity"], [], []),
    # L102 "trở lên": strong_excellent is above strong; L100: 2 authors counted (NV-019, NV-020);
    # the not-applied (NV-019) and not-highly-effective (NV-021) entries are not counted.
    "CD-QUANGHANH": ("awarded", [], [], []),
    # L96 launched/propaganda/registration false; L100 empty ledger; L102 average rating;
    # L100 "xét duyệt nghiêm túc" not assessed: unknown, but the failures decide.
    "CD-KHECHAM": ("not_awarded",
                   ["launched", "propaganda", "registration", "many_applied_initiatives",
                    "rated_strong"],
                   ["rigorous_review"], ["initiatives_reviewed_rigorously"]),
    # L71/L100: the Golden Book (Sổ vàng sáng kiến) was not submitted.
    "CD-THONGNHAT": ("incomplete", [], ["many_applied_initiatives"], ["initiative_ledger"]),
    # L33: a union section and an upper union take part; L89: only grassroots unions are awarded.
    "CDBP-KT1-HALAM": ("not_eligible", [], [], []),
    "CD-TCT-DONGBAC": ("not_eligible", [], [], []),
    # Individuals (L90 union officers and members).
    # L106 initiative council, applied, high effect; L108 complies; L110 xuất sắc >= khá.
    "NV-001": ("awarded", [], [], []),
    # L110 "khá trở lên": khá itself is enough; L106, L108 met.
    "NV-002": ("awarded", [], [], []),
    # L106 "được ứng dụng trong thực tế": the only initiative is not applied.
    "NV-003": ("not_awarded", ["accepted_applied_initiative"], [], []),
    # L106 "Hội đồng khoa học nghiệm thu": the science council counts as well.
    "NV-004": ("awarded", [], [], []),
    # L110: trung bình (average) is below khá.
    "NV-005": ("not_awarded", ["member_rated_fair"], [], []),
    # L108 "chấp hành tốt": does not comply.
    "NV-006": ("not_awarded", ["complies"], [], []),
    # L106, L108, L110 (khá) met.
    "NV-007": ("awarded", [], [], []),
    # L106 "được ... nghiệm thu": not accepted by any council.
    "NV-008": ("not_awarded", ["accepted_applied_initiative"], [], []),
    # L106 "Có đề tài, sáng kiến": none.
    "NV-009": ("not_awarded", ["accepted_applied_initiative"], [], []),
    # L106 "mang lại hiệu quả cao": the reviewer judged the effect not high.
    "NV-010": ("not_awarded", ["accepted_applied_initiative"], [], []),
    # L110: member classification not done yet; L106, L108 met.
    "NV-011": ("incomplete", [], ["member_rated_fair"], ["member_rating"]),
    # L106, L108: initiatives and compliance not submitted; L110 met (xuất sắc).
    "NV-012": ("incomplete", [], ["accepted_applied_initiative", "complies"],
               ["initiatives", "complies_with_policy"]),
    # L106 "Có đề tài, sáng kiến": one qualifying initiative of two is enough.
    "NV-013": ("awarded", [], [], []),
    # L110: yếu (weak) fails; L106 initiatives not submitted (unknown) cannot rescue it.
    "NV-014": ("not_awarded", ["member_rated_fair"], ["accepted_applied_initiative"],
               ["initiatives"]),
    # L106 science council, applied, high effect; L108; L110 xuất sắc.
    "NV-015": ("awarded", [], [], []),
    # L106, L108, L110 (khá) met; his union fails L100/L102, which does not bear on L104-L110.
    "NV-016": ("awarded", [], [], []),
    # L106 none, L108 does not comply, L110 trung bình: every individual standard fails.
    "NV-017": ("not_awarded", ["accepted_applied_initiative", "complies", "member_rated_fair"],
               [], []),
    # L90 "Cán bộ, đoàn viên công đoàn": a worker who is not a member is not considered.
    "NV-018": ("not_eligible", [], [], []),
    # L106: one applied initiative suffices (the other is not applied); L108; L110 xuất sắc.
    "NV-019": ("awarded", [], [], []),
    # L106, L108, L110 (khá) met; a union officer (L90).
    "NV-020": ("awarded", [], [], []),
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
    verdict, failing, unknown, missing = EXPECTED[subject_id]
    subject = evaluation.subject(subject_id)
    (award,) = subject.awards  # one award per subject kind
    assert award.award_id == ("collective_recognition" if subject.kind == "collective"
                              else "individual_recognition")
    assert award.verdict == verdict
    assert [c.criterion_id for c in award.criteria if c.status == "fail"] == failing
    assert [c.criterion_id for c in award.criteria if c.status == "unknown"] == unknown
    assert list(award.missing_facts) == missing
    if verdict == "not_eligible":
        assert award.criteria == ()
    else:
        # every criterion of the award is reported, none silently left out (L96-L102, L106-L110)
        assert len(award.criteria) == (9 if subject.kind == "collective" else 3)


def test_every_criterion_both_passes_and_fails_in_the_example(evaluation, campaign):
    seen: dict[str, set[str]] = {}
    for s in evaluation.subjects:
        for a in s.awards:
            for c in a.criteria:
                seen.setdefault(c.criterion_id, set()).add(c.status)
    for award in campaign.awards:
        for crit in award.criteria:
            assert {"pass", "fail"} <= seen[crit.id], crit.id


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_explanation_carries_values_threshold_and_citation(evaluation):
    award = evaluation.subject("CD-VANGDANH").award("collective_recognition")
    rated = next(c for c in award.criteria if c.criterion_id == "rated_strong")
    assert rated.values == {"union_rating": "fair"}
    assert rated.threshold == "union_rating ≥ strong"
    assert rated.source.lines == (102, 102)
    assert rated.source.doc == "plan"
    assert rated.source.cite() == "Kế hoạch 115/KH-CĐTKV, mục V.2 Tiêu chuẩn (dòng lệch cấp) (dòng 102)"
    many = next(c for c in evaluation.subject("CD-NUIBEO").award("collective_recognition").criteria
                if c.criterion_id == "many_applied_initiatives")
    assert many.values["counted"] == 1
    assert "many_individuals_min (= 2)" in many.threshold


def test_parameter_for_nhieu_changes_the_verdict(campaign):
    # L100 "nhiều" is the parameter many_individuals_min (defect d08): with 1, Núi Béo's single
    # recognised author is enough; with 3, even Hà Lầm's two authors are not.
    # Only the collective verdicts that hinge on L100 change; individuals (L106-L110) never do.
    facts = load_facts(EXAMPLES / "tkv_2019" / "facts.yaml", campaign)
    default = Engine(campaign).evaluate(facts).verdicts()
    one = Engine(campaign, params={"many_individuals_min": 1}).evaluate(facts)
    three = Engine(campaign, params={"many_individuals_min": 3}).evaluate(facts)
    changed_one = {k: v for k, v in one.verdicts().items() if default[k] != v}
    changed_three = {k: v for k, v in three.verdicts().items() if default[k] != v}
    # 1 recognised author (NV-007) now counts as "nhiều"; Khe Chàm (0 authors, other
    # failures) and Thống Nhất (no ledger) are unchanged.
    assert changed_one == {("CD-NUIBEO", "collective_recognition"): "awarded"}
    # Hà Lầm, Quang Hanh and Hòn Gai have exactly 2 distinct authors (< 3); Hòn Gai was
    # incomplete (rating missing, L102) and now has a failing criterion, so it is not_awarded.
    assert changed_three == {("CD-HALAM", "collective_recognition"): "not_awarded",
                             ("CD-QUANGHANH", "collective_recognition"): "not_awarded",
                             ("CD-HONGAI", "collective_recognition"): "not_awarded"}
    assert three.params == {"many_individuals_min": 3.0}
    many = next(c for c in three.subject("CD-HALAM").award("collective_recognition").criteria
                if c.criterion_id == "many_applied_initiatives")
    assert (many.status, many.values["counted"]) == ("fail", 2)


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
