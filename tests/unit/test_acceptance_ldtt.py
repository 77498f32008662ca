"""The acceptance campaign of issue 10: "Lao động tiên tiến" (LĐTT) and "Chiến sĩ thi đua cơ sở"
(CSTĐCS) from the Law on Emulation and Commendation 2022, two grassroots unions in one
submission (examples/ldtt_cstdcs_2025/facts.yaml).

Expected results come from the excerpt of the Law (campaigns/documents/luat_tdkt_2022_trich.txt):
Điều 24 khoản 1 (L27-L29) for LĐTT; Điều 23 khoản 1 (L22: "Đạt tiêu chuẩn danh hiệu “Lao động
tiên tiến”") and khoản 2 (L23) for CSTĐCS; the cap of the campaign's quota (15% of the union's
LĐTT, rounded down, per union; the figure of the expired NĐ 91/2017, defect d01).
"""

from __future__ import annotations

import io
import json

import pytest

from emulation_rules import load_campaign
from emulation_rules.cli.app import run
from emulation_rules.evaluate.base import backend_problem

from ..conftest import CAMPAIGNS, EXAMPLES

CAMPAIGN = CAMPAIGNS / "ldtt_cstdcs_2025.yaml"
FACTS = EXAMPLES / "ldtt_cstdcs_2025" / "facts.yaml"


def _evaluate(backend: str) -> dict:
    if backend_problem(backend) is not None:
        pytest.skip(backend_problem(backend))
    out, err = io.StringIO(), io.StringIO()
    code = run(["evaluate", str(CAMPAIGN), "--facts", str(FACTS), "--format", "json",
                "--backend", backend], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


def _verdicts(data: dict, award: str) -> dict[str, str]:
    return {s["id"]: a["verdict"] for s in data["subjects"] for a in s["awards"] if a["award"] == award}


@pytest.mark.parametrize("backend", ["durable", "python", "polars"])
def test_two_unions_each_judged_on_its_own_people(backend: str) -> None:
    data = _evaluate(backend)
    ldtt = _verdicts(data, "advanced_laborer")
    cstdcs = _verdicts(data, "grassroots_emulation_fighter")
    # L27-L29: A01-A09 and B01-B07 meet every LĐTT standard; A10 recruited 5 months before
    # (TT 01/2024), A11 gave no recruitment figure (undecided), B08 only "hoàn thành" (điểm a),
    # B09 retired (L27), B10 under disciplinary review (NĐ 98/2023 Điều 4)
    assert sorted(k for k, v in ldtt.items() if v == "awarded") == [
        *(f"A0{i}" for i in range(1, 10)), *(f"B0{i}" for i in range(1, 8))]
    assert (ldtt["A10"], ldtt["A11"], ldtt["B08"], ldtt["B09"], ldtt["B10"]) == (
        "not_awarded", "incomplete", "not_awarded", "not_awarded", "not_awarded")
    # L23: A08 excellent, A09 an initiative, B07 accepted research
    assert sorted(k for k, v in cstdcs.items() if v == "awarded") == ["A08", "A09", "B07"]
    (quota,) = data["quotas"]
    groups = {g["group"]: g for g in quota["groups"]}
    # CD-A: floor(15% x 9) = 1 allowed, 2 CSTĐCS: one over; CD-B: floor(15% x 7) = 1, 1 CSTĐCS
    assert (groups["CD-A"]["status"], groups["CD-A"]["numerator"], groups["CD-A"]["denominator"],
            groups["CD-A"]["limit"], groups["CD-A"]["excess"]) == ("not_met", 2, 9, 1, 1)
    assert groups["CD-A"]["advice"]["en"] == "1 over the cap of 1"
    assert (groups["CD-B"]["status"], groups["CD-B"]["numerator"], groups["CD-B"]["denominator"]) == (
        "met", 1, 7)
    # the council placed A09 first: within; A08 over the cap; the verdicts stay as they are
    assert {o["subject"]: o["status"] for o in quota["outcomes"]} == {
        "A09": "within_quota", "A08": "over_quota"}
    assert quota["status"] == "not_met"


@pytest.mark.parametrize("backend", ["durable", "python", "polars"])
def test_a_cstdcs_without_ldtt_fails_naming_the_ldtt_verdict(backend: str) -> None:
    """A10 completed tasks excellently (khoản 2 holds) but was recruited 5 months before: not
    LĐTT, so Điều 23 khoản 1 (L22) fails, and the reason names the LĐTT verdict."""
    data = _evaluate(backend)
    a10 = next(s for s in data["subjects"] if s["id"] == "A10")
    award = next(a for a in a10["awards"] if a["award"] == "grassroots_emulation_fighter")
    assert award["verdict"] == "not_awarded"
    crit = {c["criterion"]: c for c in award["criteria"]}
    assert crit["meets_advanced_laborer"]["status"] == "fail"
    assert crit["excellent_or_initiative_or_research"]["status"] == "pass"
    if backend != "polars":  # the polars backend leaves values to explain (by design)
        assert crit["meets_advanced_laborer"]["values"] == {
            "award:advanced_laborer": "Lao động tiên tiến: not_awarded (failed: not_newly_recruited)"}
    assert crit["meets_advanced_laborer"]["source"]["cite"] == "Luật TĐKT 2022, Điều 23, khoản 1 (dòng 22)"


def test_explain_names_the_ldtt_verdict() -> None:
    out = io.StringIO()
    assert run(["explain", str(CAMPAIGN), "--facts", str(FACTS), "--subject", "A10"], stdout=out,
               stderr=io.StringIO()) == 0
    text = out.getvalue()
    assert ("giá trị: award:advanced_laborer = Lao động tiên tiến: not_awarded "
            "(không đạt tiêu chí: not_newly_recruited)") in text
    assert "nguồn: Luật TĐKT 2022, Điều 23, khoản 1 (dòng 22)" in text
    out = io.StringIO()
    assert run(["explain", str(CAMPAIGN), "--facts", str(FACTS), "--subject", "A10", "--lang", "en"], stdout=out,
               stderr=io.StringIO()) == 0
    assert ("values: award:advanced_laborer = Lao động tiên tiến: not_awarded "
            "(failed: not_newly_recruited)") in out.getvalue()


def test_every_citation_names_a_document_and_unread_articles_say_so() -> None:
    c = load_campaign(CAMPAIGN)
    assert [d.id for d in c.documents] == [
        "law_tdkt_2022", "decree_98_2023", "circular_01_2024", "decree_91_2017"]
    unchecked = {k.id: k.source.cite() for a in c.awards for k in a.criteria if k.source.unchecked}
    assert unchecked == {
        "not_newly_recruited": "Thông tư 01/2024/TT-BNV, Điều 1, khoản 5, điểm d (chưa đối chiếu)",
        "not_under_review": "Nghị định 98/2023/NĐ-CP, Điều 4 (chưa đối chiếu)",
    }
    # the standards quoted from the Law stand on the excerpt's lines (checked by the loader)
    law = [k.source for a in c.awards for k in a.criteria if k.source.doc == "law_tdkt_2022"]
    assert law and all(s.lines is not None and s.unchecked is None for s in law)


def test_a_union_gives_its_own_cap_with_a_parameter() -> None:
    """The share is parameter cstdcs_cap_pct (default 15, defect d01): with 25, CD-A's 9 LĐTT
    allow floor(2.25) = 2 and its two CSTĐCS are within the cap."""
    out = io.StringIO()
    assert run(["evaluate", str(CAMPAIGN), "--facts", str(FACTS), "--format", "json", "--param",
                "cstdcs_cap_pct=25"], stdout=out, stderr=io.StringIO()) == 0
    (quota,) = json.loads(out.getvalue())["quotas"]
    groups = {g["group"]: (g["status"], g["limit"]) for g in quota["groups"]}
    assert groups == {"CD-A": ("met", 2), "CD-B": ("met", 1)} and quota["outcomes"] == []


@pytest.mark.parametrize(("param", "problem"), [
    ("cstdcs_cap", "unknown-param"),       # a typo: listed with the valid parameters
    ("months_min", "bad-quota"),           # an int parameter cannot give a share
])
def test_a_bound_parameter_is_checked(param: str, problem: str) -> None:
    text = CAMPAIGN.read_text(encoding="utf-8")
    text = text.replace("max_share: {param: cstdcs_cap_pct}", f"max_share: {{param: {param}}}")
    text = text.replace("parameters:\n", "parameters:\n  - {id: months_min, type: int, default: 6, "
                        "label: {vi: 'x', en: 'x'}, reason: 'only for this test', "
                        "source: {doc: law_tdkt_2022, article: '24'}}\n", 1)
    from emulation_rules import CampaignValidationError
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(text, file="c.yaml")
    (p,) = info.value.problems
    assert (p.code, p.path) == (problem, ("quotas", 0, "max_share", "param"))
