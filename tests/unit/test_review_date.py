"""What a review date means (issue 11, items 1-4): one "as of" for every evaluator, target and
register; a date in no phase refused alike by evaluate and targets; pending targets; register
authors and units that are not subjects refused.

Expected results come from the plan texts in shared/seeds:

* Vĩnh Linh 002 L25 "Từ 01/9/2021 đến 31/5/2022: phấn đấu đạt 90 sáng kiến gửi về LĐLĐ tỉnh";
  L27 phase 2 from 01/6/2022; L23 "ít nhất 10% ... có sáng kiến"; L84 "mục tiêu 400 sáng kiến";
  L59 credit to the author (chủ nhiệm or the highest share).
* TKV 000 L5 "Hà Nội, ngày 29 tháng 3 năm 2019": the plan's date, the campaign's first day.
* Thanh Hóa 004 L59 "Giai đoạn I: Từ năm 2021 đến năm 2025"; L78 "Kết nạp mới 70.000 đoàn viên".
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

from emulation_rules import Engine, load_campaign, load_facts
from emulation_rules.cli.app import run
from emulation_rules.errors import FactsError, ReviewDateError
from emulation_rules.facts.asof import counts_as_of
from emulation_rules.facts.reader import parse_facts
from emulation_rules.results.targets import evaluate_targets, ratio_text

from ..conftest import CAMPAIGNS, EXAMPLES

VL = CAMPAIGNS / "vinhlinh_2022.yaml"
VL_FACTS = EXAMPLES / "vinhlinh_2022" / "facts.yaml"
TKV = CAMPAIGNS / "tkv_2019.yaml"
TKV_FACTS = EXAMPLES / "tkv_2019" / "facts.yaml"
TH = CAMPAIGNS / "thanhhoa_2021_2030.yaml"
TH_FACTS = EXAMPLES / "thanhhoa_2021_2030" / "facts.yaml"
MAY_31 = dt.date(2022, 5, 31)


@pytest.fixture(scope="module")
def vl():
    return load_campaign(VL)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _entry(iid: str, person: str, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": iid, "kind": "technical", "unit": "CD-A", "applied_on": "2021-10-01",
        "recognizer": "initiative_council", "recognized_on": "2021-11-01",
        "submitted_on": "2022-01-10", "new_within_unit": True, "benefit_vnd": 1_000_000,
        "against_public_order": False, "ip_protected": False, "authors": [{"person": person}],
    }
    base.update(kw)
    return base


def _people(n: int) -> list[dict[str, Any]]:
    return [{"id": "CD-A", "kind": "collective", "level": "grassroots_union"}] + [
        {"id": f"P{i:02d}", "kind": "individual", "role": "worker"} for i in range(1, n + 1)]


# --- 1. one "as of" ------------------------------------------------------------------------


def test_a_record_dated_on_the_review_day_counts_and_the_next_day_does_not() -> None:
    # L25 "đến 31/5/2022": the review day itself is inside.
    assert counts_as_of(MAY_31, MAY_31)
    assert not counts_as_of(dt.date(2022, 6, 1), MAY_31)
    assert counts_as_of(None, MAY_31) and counts_as_of(dt.date(2030, 1, 1), None)


def test_vinhlinh_review_on_31_may_2022_counts_only_what_existed(vl) -> None:
    # Example register: sent on by 31/5/2022 and accepted: SK-01 (sent 10/01/2022) and SK-03
    # (sent 31/5/2022, the last day of phase 1, L25). SK-04..SK-08 are applied, recognised or
    # sent later (L27: phase 2 starts 01/6/2022) and did not exist for this review.
    report = evaluate_targets(vl, load_facts(VL_FACTS, vl), as_of=MAY_31)
    assert report.result("initiatives_district_total").value == 2      # L84; was 4 before
    assert report.result("initiatives_phase_1").value == 2             # L25
    # L23 "có sáng kiến": P01 (SK-01) and P04 (SK-03) of 20 people = 10%; P06 (SK-05, 2022)
    # and P02 (SK-07, 2023) are not yet credited.
    participation = report.result("participation")
    assert participation.value == 10 and participation.status == "met"
    assert report.later.initiatives == 5
    assert report.to_dict()["left_out_later"] == {"records": {}, "initiatives": 5}


def test_the_issue_probe_sent_1_june_recognised_2023_is_not_counted(vl) -> None:
    # 3 entries, one existed on 31/5/2022: sent 31/5; the others were sent on 01/6/2022 (L27:
    # phase 2) or recognised in 2023.
    register = [
        _entry("SK-A", "P01", submitted_on="2022-05-31"),
        _entry("SK-B", "P02", submitted_on="2022-06-01", recognized_on="2023-02-01"),
        _entry("SK-C", "P03", submitted_on="2022-03-01", recognized_on="2023-02-01"),
    ]
    sub = parse_facts({"as_of": "2022-05-31", "subjects": _people(10), "initiatives": register}, vl)
    report = evaluate_targets(vl, sub)
    assert report.result("initiatives_district_total").value == 1
    assert report.result("participation").value == 10    # P01 only: 1 of 10 people
    by_id = {a.initiative.id: a for a in sub.initiatives}
    assert by_id["SK-A"].accepted and not by_id["SK-C"].accepted
    assert by_id["SK-C"].later == ("recognized_on",)
    # the same submission reviewed at the end of the programme (01/9/2023, L63) counts all three
    later = evaluate_targets(vl, sub, as_of=dt.date(2023, 9, 1))
    assert later.result("initiatives_district_total").value == 3
    assert later.result("participation").value == 30


def test_engine_and_backends_see_the_derived_facts_as_of_the_review_date(vl) -> None:
    sub = load_facts(VL_FACTS, vl)
    for backend in ("python", "durable"):
        try:
            engine = Engine(vl, backend=backend)  # type: ignore[arg-type]
        except Exception as exc:  # durable-rules may not load on this interpreter
            if backend == "durable":
                pytest.skip(str(exc))
            raise
        ev = engine.evaluate(sub, as_of=MAY_31)
        assert ev.later.initiatives == 5
        assert ev.to_dict()["left_out_later"] == {"records": {}, "initiatives": 5}
        at_end = engine.evaluate(sub)
        assert at_end.later.initiatives == 0
        # the JSON of the whole evaluation says it too
        assert ev.as_of == MAY_31 and at_end.as_of == dt.date(2023, 9, 1)


def test_tkv_records_dated_after_the_review_are_left_out() -> None:
    # TKV L106: an individual's initiatives "được nghiệm thu"; accepted 2020 is not there in 2019.
    tkv = load_campaign(TKV)
    rec = {"title": "X", "accepted_by": "initiative_council", "applied": True, "high_effect": True}
    sub = parse_facts({"subjects": [{"id": "NV", "kind": "individual", "role": "member", "facts": {
        "initiatives": [{**rec, "accepted_on": "2019-06-01"}, {**rec, "accepted_on": "2020-02-01"}]}}]},
        tkv)
    ev = Engine(tkv, backend="python").evaluate(sub, as_of=dt.date(2019, 12, 31))
    assert ev.later.records == {"NV": 1}
    assert ev.to_dict()["left_out_later"]["records"] == {"NV": 1}
    assert Engine(tkv, backend="python").evaluate(sub, as_of=dt.date(2020, 12, 31)).later.total == 0


# --- 2. a review date outside every phase -------------------------------------------------


def test_tkv_before_the_plan_date_is_refused_by_evaluate_as_by_targets() -> None:
    # L5: the plan is dated 29/3/2019; 28/3/2019 lies in no phase.
    tkv = load_campaign(TKV)
    sub = load_facts(TKV_FACTS, tkv)
    with pytest.raises(ReviewDateError) as ev_err:
        Engine(tkv, backend="python").evaluate(sub, as_of=dt.date(2019, 3, 28))
    with pytest.raises(KeyError) as t_err:
        evaluate_targets(tkv, sub, as_of=dt.date(2019, 3, 28))
    assert str(ev_err.value) == str(t_err.value)
    assert "2019-03-29" in str(ev_err.value) and "--phase" in str(ev_err.value)
    code, out, err = _run("evaluate", str(TKV), "--facts", str(TKV_FACTS), "--as-of", "2019-03-28")
    assert code == 2 and out == "" and "2019-03-29" in err and "--phase" in err
    assert "Traceback" not in err
    code, _, err_t = _run("targets", str(TKV), "--facts", str(TKV_FACTS), "--as-of", "2019-03-28", "--lang", "en")
    assert code == 2 and str(ev_err.value) in err_t
    # the first day of the plan is inside
    code, out, _ = _run("evaluate", str(TKV), "--facts", str(TKV_FACTS), "--as-of", "2019-03-29",
                        "--format", "json")
    assert code == 0 and json.loads(out)["phase"] == "campaign"


def test_an_explicit_phase_judges_that_phase_and_an_unknown_one_is_listed() -> None:
    code, out, _ = _run("evaluate", str(TKV), "--facts", str(TKV_FACTS), "--as-of", "2019-03-28",
                        "--phase", "campaign", "--format", "json")
    assert code == 0 and json.loads(out)["phase"] == "campaign"
    code, _, err = _run("evaluate", str(VL), "--facts", str(VL_FACTS), "--phase", "phase_3", "--lang", "en")
    assert code == 2
    assert "unknown phase 'phase_3'" in err and "phase_1 (Giai đoạn 1" in err
    assert "did you mean" in err


def test_vinhlinh_after_the_programme_is_refused_not_judged_with_a_null_phase(vl) -> None:
    # Phases end 01/9/2023 (L27, L63) and 2025 (exemplar plan); 2026-01-01 is in none.
    with pytest.raises(ReviewDateError):
        Engine(vl, backend="python").evaluate(load_facts(VL_FACTS, vl), as_of=dt.date(2026, 1, 1))


# --- 3. pending targets ---------------------------------------------------------------------


def test_thanhhoa_mid_phase_targets_are_pending_with_value_so_far_and_days_left() -> None:
    # L59 phase I 2021-2025; L78 "Kết nạp mới 70.000 đoàn viên": the example's 41,250 on
    # 30/6/2023 is not missed yet; 915 days remain to 31/12/2025.
    th = load_campaign(TH)
    report = evaluate_targets(th, load_facts(TH_FACTS, th), as_of=dt.date(2023, 6, 30))
    r = report.result("members_recruited")
    assert (r.status, r.value, r.days_left) == ("pending", 41250, 915)
    assert r.deadline == dt.date(2025, 12, 31)
    # a figure already reached before the deadline is met (L78 "300 CĐCS trở lên": 352)
    assert report.result("grassroots_unions_founded").status == "met"
    # once the phase has ended, the same figure is missed
    final = evaluate_targets(th, load_facts(TH_FACTS, th), as_of=dt.date(2025, 12, 31))
    assert final.result("members_recruited").status == "not_met"
    assert final.result("members_recruited").days_left is None
    code, out, _ = _run("targets", str(TH), "--facts", str(TH_FACTS), "--as-of", "2023-06-30",
                        "--format", "json")
    data = {t["target"]: t for t in json.loads(out)["targets"]}
    assert code == 0 and data["members_recruited"]["status"] == "pending"
    assert data["members_recruited"]["days_left"] == 915
    code, out, _ = _run("targets", str(TH), "--facts", str(TH_FACTS), "--as-of", "2023-06-30", "--lang", "en")
    assert "members_recruited [phase_1]: pending: value so far 41250" in out
    assert "915 day(s) left to 2025-12-31" in out
    code, out, _ = _run("targets", str(TH), "--facts", str(TH_FACTS), "--as-of", "2023-06-30")  # Vietnamese
    assert "members_recruited [phase_1]: chưa đến hạn: đến nay đạt 41250" in out and "còn 915 ngày đến 2025-12-31" in out


def test_a_ratio_below_the_figure_never_prints_as_one() -> None:
    # 89.99 of a 90 figure: not met, and never shown as 1.00.
    assert ratio_text(89.99 / 90) == "0.9999"
    assert ratio_text(1.0) == "1.00" and ratio_text(0.5) == "0.50" and ratio_text(None) == ""


# --- 4. register authors and units that are not subjects ----------------------------------


def test_an_unknown_author_is_refused_with_did_you_mean(vl) -> None:
    # L59 credits the author: a typo (P1O for P10) would silently move the credit.
    with pytest.raises(FactsError) as err:
        parse_facts({"subjects": _people(10), "initiatives": [_entry("SK-1", "P1O")]}, vl)
    (p,) = err.value.problems
    assert p.code == "unknown-author" and p.path == ("initiatives", 0, "authors", 0, "person")
    assert p.hint and "did you mean 'P10'?" in p.hint


def test_an_unknown_unit_is_refused(vl) -> None:
    with pytest.raises(FactsError) as err:
        parse_facts({"subjects": _people(2), "initiatives": [_entry("SK-1", "P01", unit="CD-B")]}, vl)
    (p,) = err.value.problems
    assert p.code == "unknown-unit" and "did you mean 'CD-A'?" in (p.hint or "")


def test_outside_authors_allowed_when_the_campaign_says_so(vl) -> None:
    assert vl.initiatives is not None
    open_prog = vl.model_copy(update={"initiatives": vl.initiatives.model_copy(
        update={"outside_authors": True})})
    sub = parse_facts({"subjects": _people(2), "initiatives": [_entry("SK-1", "X99")]}, open_prog)
    assert sub.initiatives is not None and sub.initiatives[0].accepted


def test_bulk_scoring_leaves_out_the_same_later_records() -> None:
    # examples/tkv_2019/individuals.csv: NV-102's initiative was accepted on 15/10/2019 (L106
    # "Hội đồng khoa học nghiệm thu"); a review on 01/10/2019 cannot count it.
    tkv = load_campaign(TKV)
    csv = EXAMPLES / "tkv_2019" / "individuals.csv"
    engine = Engine(tkv, backend="python")
    sub = load_facts(csv, tkv)
    for day, verdict in ((dt.date(2019, 10, 1), "not_awarded"), (dt.date(2019, 12, 31), "awarded")):
        bulk = engine.evaluate_many(csv, as_of=day)
        rows = {(s, a): v for s, a, v in bulk.table.select("subject_id", "award", "verdict").iter_rows()}
        assert rows == engine.evaluate(sub, as_of=day).verdicts()
        assert rows[("NV-102", "individual_recognition")] == verdict
    with pytest.raises(ReviewDateError):
        engine.evaluate_many(csv, as_of=dt.date(2019, 3, 28))
    assert engine.evaluate_many(csv, as_of=dt.date(2019, 3, 28), phase="campaign").phase == "campaign"


def test_explain_says_how_many_records_were_left_out_as_later() -> None:
    # NV-102's initiative was accepted on 15/10/2019 (L106); reviewed on 01/10/2019 it is left out.
    csv = EXAMPLES / "tkv_2019" / "individuals.csv"
    code, out, _ = _run("explain", str(TKV), "--facts", str(csv), "--subject", "NV-102",
                        "--as-of", "2019-10-01")
    assert code == 0 and "Bỏ qua: 1 hồ sơ ghi ngày sau ngày xét" in out
    code, out, _ = _run("explain", str(TKV), "--facts", str(csv), "--subject", "NV-102",
                        "--as-of", "2019-10-01", "--lang", "en")
    assert code == 0 and "Left out: 1 record(s) dated after the review date" in out
    code, out, _ = _run("explain", str(TKV), "--facts", str(csv), "--subject", "NV-102",
                        "--as-of", "2019-10-01", "--format", "json")
    assert json.loads(out)["left_out_later"] == {"records": 1, "initiatives": 0}
    code, out, _ = _run("explain", str(TKV), "--facts", str(csv), "--subject", "NV-102",
                        "--as-of", "2019-12-31")
    assert code == 0 and "Bỏ qua" not in out


def test_pending_reaches_the_workbook(tmp_path) -> None:
    # L59/L78 as above: the targets sheet says "Chưa đến hạn" (not yet due), read back.
    import openpyxl

    target = tmp_path / "targets.xlsx"
    code, _, err = _run("targets", str(TH), "--facts", str(TH_FACTS), "--as-of", "2023-06-30",
                        "--format", "xlsx", "--output", str(target))
    assert code == 0, err
    cells = [c.value for ws in openpyxl.load_workbook(target).worksheets for row in ws.iter_rows()
             for c in row]
    assert "Chưa đến hạn" in cells


def test_initiatives_command_judges_the_register_as_of_the_review_date() -> None:
    # SK-07 is applied, recognised and sent on 01/9/2023 (L63: inside the window); on 31/5/2022
    # none of that has happened: not yet, not excluded. SK-06 (IP-protected, L66) stays excluded.
    code, out, _ = _run("initiatives", str(VL), "--facts", str(VL_FACTS), "--as-of", "2022-05-31",
                        "--format", "json")
    assert code == 0
    status = {i["id"]: i["status"] for i in json.loads(out)["initiatives"]}
    assert status["SK-07"] == "not_yet" and status["SK-06"] == "excluded"
    assert status["SK-01"] == status["SK-03"] == "accepted"
    code, out, _ = _run("initiatives", str(VL), "--facts", str(VL_FACTS), "--format", "json")
    assert {i["id"]: i["status"] for i in json.loads(out)["initiatives"]}["SK-07"] == "accepted"
