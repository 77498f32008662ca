"""Initiative register (Vĩnh Linh, shared/seeds/002_cee54b9b9a73e43a.txt): validation, checks,
attribution, derived facts and the 90 / 300 / 400 count targets.

Expected outcomes come from the seed text, cited line by line:
L25 "Từ 01/9/2021 đến 31/5/2022: phấn đấu đạt 90 sáng kiến gửi về LĐLĐ tỉnh";
L27 "Từ 01/6/2022 đến 01/9/2023: phấn đấu đạt 300 sáng kiến";
L84 "mục tiêu 400 sáng kiến của LĐLĐ huyện" (90 + 300 = 390: defect d02);
L59 "công nhận cho chủ nhiệm đề tài hoặc tác giả … có tỷ lệ đóng góp cao nhất";
L63 "ngoài thời gian từ 01/9/2021-01/9/2023" (excluded outside; both days inside).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.campaign import model as m
from emulation_rules.cli.app import run
from emulation_rules.errors import FactsError, format_path
from emulation_rules.facts.initiatives import attribute, count_in_phase
from emulation_rules.facts.reader import parse_facts
from emulation_rules.results.targets import evaluate_targets

from ..conftest import CAMPAIGNS, EXAMPLES

VL = CAMPAIGNS / "vinhlinh_2022.yaml"
VL_FACTS = EXAMPLES / "vinhlinh_2022" / "facts.yaml"


@pytest.fixture(scope="module")
def vl() -> m.Campaign:
    return load_campaign(VL)


def entry(iid: str, person: str = "P01", **kw: Any) -> dict[str, Any]:
    """An initiative meeting every check, applied 10/01/2022, unless ``kw`` says otherwise."""
    base: dict[str, Any] = {
        "id": iid, "kind": "technical", "applied_on": "2022-01-10",
        "recognizer": "initiative_council", "recognized_on": "2022-02-01",
        "new_within_unit": True, "benefit_vnd": 1_000_000,
        "against_public_order": False, "ip_protected": False,
        "authors": [{"person": person}],
    }
    base.update(kw)
    return base


def people(n: int) -> list[dict[str, Any]]:
    return [{"id": f"P{i:02d}", "kind": "individual", "role": "worker"} for i in range(1, n + 1)]


def submit(vl: m.Campaign, register: list[dict[str, Any]], subjects: list[dict[str, Any]] | None = None,
           **kw: Any):
    return parse_facts({"subjects": subjects if subjects is not None else people(1),
                        "initiatives": register}, vl, **kw)


# --- the window (L63) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("applied", "accepted"),
    [("2021-08-31", False), ("2021-09-01", True), ("2023-09-01", True), ("2023-09-02", False)],
)
def test_window_on_the_application_date_is_inclusive(vl, applied, accepted) -> None:
    # L63: outside "01/9/2021-01/9/2023" is excluded; both named days are inside (defect d03)
    sub = submit(vl, [entry("SK-1", applied_on=applied, recognized_on="2023-09-02")])
    (a,) = sub.initiatives
    assert a.accepted is accepted
    assert {c.check_id for c in a.failed} == (set() if accepted else {"applied_in_window"})
    assert sub.subjects[0].facts["initiatives_credited"] == (1 if accepted else 0)


def test_window_is_judged_on_the_application_date_not_the_submission_date(vl) -> None:
    # L63 says "đưa vào ứng dụng" (applied); being sent on later does not exclude it
    sub = submit(vl, [entry("SK-1", applied_on="2023-09-01", submitted_on="2023-12-01")])
    assert sub.initiatives[0].accepted


# --- attribution (L59) -----------------------------------------------------------------------


def test_attribution_leader_then_top_share_then_first_listed(vl) -> None:
    rule = vl.initiatives.attribution
    sub = submit(vl, [
        entry("A", authors=[{"person": "P1", "share": 30}, {"person": "P2", "share": 70}], leader="P1"),
        entry("B", authors=[{"person": "P1", "share": 30}, {"person": "P2", "share": 70}]),
        entry("C", authors=[{"person": "P3", "share": 50}, {"person": "P4", "share": 50}]),
        entry("D", authors=[{"person": "P4", "share": 50}, {"person": "P3", "share": 50}]),
    ], subjects=[])
    got = {a.initiative.id: attribute(a.initiative, rule)[0] for a in sub.initiatives}
    assert got == {"A": ("P1",), "B": ("P2",), "C": ("P3",), "D": ("P4",)}
    assert "tie-break first_listed" in sub.initiatives[2].attribution
    assert "leader" in sub.initiatives[0].attribution


def test_all_authors_policy_credits_everyone(vl) -> None:
    rule = vl.initiatives.attribution.model_copy(update={"policy": "all_authors"})
    sub = submit(vl, [entry("A", authors=[{"person": "P1", "share": 30}, {"person": "P2", "share": 70}])],
                 subjects=[])
    assert attribute(sub.initiatives[0].initiative, rule)[0] == ("P1", "P2")


def test_excluded_initiatives_credit_nobody_and_units_count_accepted_only(vl) -> None:
    unit = [{"id": "CDCS-A", "kind": "collective", "level": "grassroots_union"}]
    sub = submit(vl, [
        entry("A", unit="CDCS-A"),
        entry("B", unit="CDCS-A", ip_protected=True),          # L66
        entry("C", unit="CDCS-A", against_public_order=True),  # L65
        entry("D", unit="CDCS-A", recognizer=None, recognized_on=None),  # L64
        entry("E", unit="CDCS-A", new_within_unit=False),      # L49
        entry("F", unit="CDCS-A", benefit_vnd=None),           # L51: no benefit stated
    ], subjects=people(1) + unit)
    by_id = {a.initiative.id: a for a in sub.initiatives}
    assert [i for i, a in by_id.items() if a.accepted] == ["A"]
    assert {i: [c.check_id for c in a.failed] for i, a in by_id.items() if not a.accepted} == {
        "B": ["not_ip_protected"], "C": ["not_against_public_order"], "D": ["recognized"],
        "E": ["new_within_unit"], "F": ["has_benefit"],
    }
    assert all(a.credited == () for a in by_id.values() if not a.accepted)
    facts = {s.id: dict(s.facts) for s in sub.subjects}
    assert facts["P01"]["initiatives_credited"] == 1
    assert facts["CDCS-A"]["initiatives_accepted_in_unit"] == 1


def test_research_project_needs_acceptance_effect_and_application_since_september_2021(vl) -> None:
    # L57: "Đề tài được nghiệm thu và ứng dụng trong thực tế từ tháng 9/2021 … xác nhận hiệu quả"
    rp = {"kind": "research_project", "research_accepted": True, "effect_confirmed": True}
    sub = submit(vl, [
        entry("OK", **rp),
        entry("NOT-ACCEPTED", **{**rp, "research_accepted": False}),
        entry("NOT-CONFIRMED", **{**rp, "effect_confirmed": False}),
    ], subjects=[])
    assert [a.accepted for a in sub.initiatives] == [True, False, False]
    assert [c.check_id for c in sub.initiatives[1].failed] == ["research_project_accepted"]


# --- bad registers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"applied_on": "2022-02-30"}, "invalid-value", "initiatives[0].applied_on"),
        ({"kind": "technic"}, "invalid-value", "initiatives[0].kind"),
        ({"ip_protected": None}, "missing-key", "initiatives[0].ip_protected"),
        ({"authors": [{"person": "P1", "share": 60}, {"person": "P2", "share": 30}]}, "invalid-value",
         "initiatives[0].authors"),
        ({"authors": [{"person": "P1", "share": 60}, {"person": "P2"}]}, "missing-key",
         "initiatives[0].authors[1].share"),
        ({"authors": [{"person": "P1"}], "leader": "P9"}, "invalid-value", "initiatives[0].leader"),
        ({"kind": "research_project"}, "missing-key", "initiatives[0].research_accepted"),
        ({"recognized_on": None}, "missing-key", "initiatives[0].recognized_on"),
        ({"color": "red"}, "unknown-key", "initiatives[0].color"),
    ],
)
def test_bad_entries_are_located(vl, change, code, path) -> None:
    rec = {k: v for k, v in {**entry("SK-1"), **change}.items() if v is not None}
    with pytest.raises(FactsError) as info:
        submit(vl, [rec])
    assert (code, path) in {(p.code, format_path(p.path)) for p in info.value.problems}, info.value


def test_skip_keeps_the_good_entries_and_lists_the_bad(vl) -> None:
    sub = submit(vl, [entry("GOOD"), {**entry("BAD"), "applied_on": "not a date"}], on_error="skip")
    assert [a.initiative.id for a in sub.initiatives] == ["GOOD"]
    assert [format_path(p.path) for p in sub.rejected] == ["initiatives[1].applied_on"]


def test_submitting_a_derived_fact_and_a_register_is_a_conflict(vl) -> None:
    subject = {"id": "P01", "kind": "individual", "role": "worker", "facts": {"initiatives_credited": 5}}
    with pytest.raises(FactsError) as info:
        submit(vl, [entry("SK-1")], subjects=[subject])
    assert [p.code for p in info.value.problems] == ["derived-fact"]


def test_a_register_needs_a_campaign_with_a_programme() -> None:
    tkv = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    with pytest.raises(FactsError) as info:
        parse_facts({"subjects": [], "initiatives": []}, tkv)
    assert [p.code for p in info.value.problems] == ["unknown-key"]
    assert "no initiative programme" in (info.value.problems[0].hint or "")


# --- count targets (L25, L27, L84) ------------------------------------------------------------


def register(n: int, submitted: str, prefix: str) -> list[dict[str, Any]]:
    return [entry(f"{prefix}{i}", submitted_on=submitted) for i in range(n)]


def test_390_meets_both_phase_targets_but_not_the_district_400(vl) -> None:
    # defect d02: 90 (L25) + 300 (L27) = 390 < 400 (L84); each target is judged as printed
    sub = submit(vl, register(90, "2022-05-31", "A") + register(300, "2022-06-01", "B"))
    report = evaluate_targets(vl, sub, as_of=dt.date(2023, 9, 1))
    assert report.result("initiatives_phase_2").status == "met"
    assert report.result("initiatives_district_total").status == "not_met"
    assert report.result("initiatives_district_total").value == 390
    p1 = evaluate_targets(vl, sub, phase="phase_1").result("initiatives_phase_1")
    assert (p1.status, p1.value) == ("met", 90)


def test_400_meets_the_district_target_and_89_misses_phase_1(vl) -> None:
    sub = submit(vl, register(89, "2022-05-31", "A") + register(311, "2023-09-01", "B"))
    assert evaluate_targets(vl, sub, phase="programme").result("initiatives_district_total").status == "met"
    assert evaluate_targets(vl, sub, phase="phase_1").result("initiatives_phase_1").status == "not_met"


def test_excluded_initiatives_do_not_count_towards_targets(vl) -> None:
    reg = register(90, "2022-05-31", "A")
    reg[0]["ip_protected"] = True
    sub = submit(vl, reg)
    result = evaluate_targets(vl, sub, phase="phase_1").result("initiatives_phase_1")
    assert (result.status, result.value, result.population) == ("not_met", 89, 90)


def test_count_targets_without_a_register_are_unknown(vl) -> None:
    sub = parse_facts({"subjects": people(1)}, vl)
    result = evaluate_targets(vl, sub, phase="phase_1").result("initiatives_phase_1")
    assert result.status == "unknown"
    assert "register" in (result.reason or "")


def test_count_in_phase_is_inclusive_at_both_ends(vl) -> None:
    sub = submit(vl, [entry("A", submitted_on="2022-05-31"), entry("B", submitted_on="2022-06-01"),
                      entry("C")], subjects=[])
    d = dt.date
    assert count_in_phase(sub.initiatives, "submitted_on", d(2021, 9, 1), d(2022, 5, 31)) == 1
    assert count_in_phase(sub.initiatives, "submitted_on", d(2022, 6, 1), d(2023, 9, 1)) == 1
    assert count_in_phase(sub.initiatives, "applied_on", d(2022, 1, 10), d(2022, 1, 10)) == 3


# --- the shipped example and the CLI ----------------------------------------------------------


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_example_register_outcomes(vl) -> None:
    # examples/vinhlinh_2022/facts.yaml header lists the expected outcome of each entry
    out = io.StringIO()
    assert run(["initiatives", str(VL), "--facts", str(VL_FACTS), "--format", "json"], stdout=out) == 0
    data = {i["id"]: i for i in json.loads(out.getvalue())["initiatives"]}
    assert {k: (v["status"], v["credited"]) for k, v in data.items()} == {
        "SK-01": ("accepted", ["P01"]), "SK-02": ("excluded", []), "SK-03": ("accepted", ["P04"]),
        "SK-04": ("excluded", []), "SK-05": ("accepted", ["P06"]), "SK-06": ("excluded", []),
        "SK-07": ("accepted", ["P02"]), "SK-08": ("excluded", []),
    }
    assert [c["source"] for c in data["SK-02"]["checks"] if not c["passed"]] == [
        "Kế hoạch LĐLĐ huyện Vĩnh Linh 2022, mục II.1.4 (dòng 63)"]


def test_example_evaluates_with_derived_facts(vl) -> None:
    from emulation_rules import load_facts

    sub = load_facts(VL_FACTS, vl)
    ev = Engine(vl).evaluate(sub)
    # P01: SK-01 accepted and credited, judged outstanding -> commended (L100)
    assert ev.subject("P01").award("initiative_commendation_individual").verdict == "awarded"
    # P07 holds 70% of SK-05 but the leader P06 is credited (L59)
    assert ev.subject("P07").award("initiative_commendation_individual").verdict == "not_awarded"


def test_initiatives_command_errors() -> None:
    err = io.StringIO()
    code = run(["initiatives", str(CAMPAIGNS / "tkv_2019.yaml"), "--facts",
                str(EXAMPLES / "tkv_2019" / "facts.yaml"), "--lang", "en"], stdout=io.StringIO(), stderr=err)
    assert code == 2 and "no initiative programme" in err.getvalue()
