"""Quotas on the award set: Điện Biên (shared/seeds/001_0bb5bd67ed852005.txt) L14
"Ít nhất 15% tổng số cá nhân được khen thưởng hàng năm là công nhân, lao động trực tiếp sản
xuất, công chức, viên chức không giữ vị trí lãnh đạo, quản lý".

"Ít nhất" makes exactly 15% met; ceil(15% x 20) = 3 qualifying people are needed among 20.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulation_rules import Engine, load_campaign
from emulation_rules.cli.app import run
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.reader import parse_facts
from emulation_rules.reference import ReferenceEvaluator
from emulation_rules.results.quotas import additional_needed, render_quotas_table

from ..conftest import CAMPAIGNS, EXAMPLES, ROOT, refused_problems

DB = CAMPAIGNS / "dienbien_2020.yaml"
DB_FACTS = EXAMPLES / "dienbien_2020" / "facts.yaml"

QUALIFIES = {"commended_by": "grassroots_union", "direct_production_worker": True,
             "civil_servant_or_public_employee": False, "holds_management_post": False}
MANAGER = {"commended_by": "upper_union", "direct_production_worker": False,
           "civil_servant_or_public_employee": True, "holds_management_post": True}


@pytest.fixture(scope="module")
def db():
    return load_campaign(DB)


@pytest.fixture(scope="module")
def engine(db):
    return Engine(db)


def people(qualifying: int, others: int) -> list[dict]:
    return [{"id": f"Q{i}", "kind": "individual", "role": "worker", "facts": QUALIFIES}
            for i in range(qualifying)] + [
        {"id": f"M{i}", "kind": "individual", "role": "worker", "facts": MANAGER}
        for i in range(others)]


@pytest.mark.parametrize(
    ("qualifying", "others", "status", "shortfall", "added"),
    [
        (3, 17, "met", 0, 0),       # 3/20 = 15% exactly: "ít nhất" -> met
        (2, 18, "not_met", 1, 2),   # 2/20 = 10%: 3 needed; adding k: (2+k)/(20+k) >= .15 -> k = 2
        (0, 7, "not_met", 2, 2),    # ceil(1.05) = 2 needed; (0+k)/(7+k) >= .15 -> k >= 1.24 -> 2
        (1, 5, "met", 0, 0),        # 1/6 = 16.7%
        (1, 6, "not_met", 1, 1),    # 1/7 = 14.3%: ceil(1.05) = 2; (1+1)/8 = 25%
    ],
)
def test_status_and_shortfall(engine, qualifying, others, status, shortfall, added) -> None:
    ev = engine.evaluate(parse_facts(people(qualifying, others), engine.campaign))
    (q,) = ev.quotas
    assert (q.awardees, q.qualifying, q.status, q.shortfall, q.additional_needed) == (
        qualifying + others, qualifying, status, shortfall, added)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 200), st.integers(0, 200), st.sampled_from([10.0, 15.0, 33.3, 50.0, 99.0]))
def test_additional_needed_is_the_smallest_sufficient_k(n_other, q, share) -> None:
    n = q + n_other
    k = additional_needed(n, q, share)
    p = share / 100
    reached = lambda k: n + k > 0 and (q + k) >= p * (n + k) - 1e-12  # noqa: E731
    assert reached(k)
    assert k == 0 or not reached(k - 1)


def test_a_hundred_percent_quota_cannot_be_reached_by_adding() -> None:
    with pytest.raises(ValueError):
        additional_needed(10, 9, 100)


def test_only_awardees_are_counted(engine) -> None:
    # 001 L14 counts "cá nhân được khen thưởng": a qualifying person not commended is outside
    raw = [*people(3, 17), {"id": "N", "kind": "individual", "role": "worker",
                            "facts": {**QUALIFIES, "commended_by": "none"}}]
    (q,) = engine.evaluate(parse_facts(raw, engine.campaign)).quotas
    assert (q.awardees, q.qualifying) == (20, 3)


def test_reference_evaluator_gives_the_same_quotas(db, engine) -> None:
    raw = people(2, 18)
    sub = parse_facts(raw, db)
    assert ReferenceEvaluator(db).evaluate(sub).quotas == engine.evaluate(sub).quotas


@pytest.mark.usefixtures("seeds_dir")  # checks cited plan lines: needs the plans' texts
def test_evaluate_json_and_table_report_the_quota() -> None:
    out = io.StringIO()
    assert run(["evaluate", str(DB), "--facts", str(DB_FACTS), "--format", "json"], stdout=out) == 0
    (q,) = json.loads(out.getvalue())["quotas"]
    # examples/dienbien_2020/facts.yaml: 3 of the 20 commended people qualify (P03 counted once)
    assert (q["quota"], q["awardees"], q["qualifying"], q["status"], q["required_count"]) == (
        "direct_workers_among_commended", 20, 3, "met", 3)
    assert q["source"] == "Kế hoạch LĐLĐ tỉnh Điện Biên 2020, mục II.3 (dòng 14)"
    table = io.StringIO()
    run(["evaluate", str(DB), "--facts", str(DB_FACTS), "--lang", "en"], stdout=table)
    assert "direct_workers_among_commended: met — 3/20 awardees qualify (15.00%" in table.getvalue()


def test_json_has_quotas_key_even_without_quotas() -> None:
    out = io.StringIO()
    run(["evaluate", str(CAMPAIGNS / "tkv_2019.yaml"), "--facts",
         str(EXAMPLES / "tkv_2019" / "facts.yaml"), "--format", "json"], stdout=out)
    assert json.loads(out.getvalue())["quotas"] == []


def test_table_states_the_shortfall(engine) -> None:
    from emulation_rules.results.render import render_table

    ev = engine.evaluate(parse_facts(people(2, 18), engine.campaign))
    assert "short by 1 of the 3 needed (or add 2 qualifying awardee(s))" in render_table(ev, lang="en")


# --- caps, denominators, groups, rankings (issue 10, item 3) ------------------------------------
# Fixture campaign tests/data/quotas/caps.yaml. Its minimum reads seed 001 L14 ("Ít nhất 15% tổng
# số cá nhân được khen thưởng hàng năm là công nhân, lao động trực tiếp sản xuất..."); its caps
# follow the rule the issue quotes ("CSTĐCS may not exceed 15% of the unit's LĐTT"): allowed =
# floor(15% x LĐTT), so 9 LĐTT allow floor(1.35) = 1 CSTĐCS.

CAPS = ROOT / "tests" / "data" / "quotas" / "caps.yaml"
BACKENDS = ("durable", "python", "polars")


@pytest.fixture(scope="module")
def caps():
    return load_campaign(CAPS)


def person(pid: str, unit: str | None, *, ldtt: bool = True, direct: bool | None = False,
           cstdcs: bool = False, points: float | None = None, rank: int | None = None) -> dict:
    """An individual: LĐTT when ``ldtt``, CSTĐCS when also ``cstdcs`` (the fixture's criteria)."""
    facts: dict = {"completes_tasks_well": ldtt, "excellent_with_initiative": cstdcs}
    for key, value in (("is_direct_worker", direct), ("points", points), ("reviewer_rank", rank)):
        if value is not None:
            facts[key] = value
    raw = {"id": pid, "kind": "individual", "role": "worker", "facts": facts}
    if unit is not None:
        raw["unit"] = unit
    return raw


def two_unions(points_b1: float = 80, points_b2: float = 90, **b) -> list[dict]:
    """The issue's example: unit A has 1 LĐTT (a direct worker), unit B 9 LĐTT (none direct),
    of whom B1 and B2 are CSTĐCS."""
    return [person("A1", "CD-A", direct=True)] + [
        person(f"B{i}", "CD-B", cstdcs=i <= 2, points={1: points_b1, 2: points_b2}.get(i), **b)
        for i in range(1, 10)]


def quota(ev, quota_id: str):
    return next(q for q in ev.quotas if q.quota_id == quota_id)


def evaluate(campaign, raw, backend: str = "python"):
    problem = backend_problem(backend)  # type: ignore[arg-type]
    if problem is not None:
        pytest.skip(f"{backend} backend not available here: {problem}")
    ev = Engine(campaign, backend=backend).evaluate(parse_facts(raw, campaign))
    assert ev.backend == backend
    return ev


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_unions_in_one_submission_are_judged_apart(caps, backend) -> None:
    # pooled, 1 direct worker among 10 LĐTT would be one figure; per unit A is 1/1, B is 0/9
    q = quota(evaluate(caps, two_unions(), backend), "direct_workers_per_unit")
    a, b = q.groups
    assert (a.group, a.numerator, a.denominator, a.status) == ("CD-A", 1, 1, "met")
    # 0/9: ceil(15% x 9) = 2 needed; adding k: k / (9 + k) >= 15% -> k >= 1.59 -> 2
    assert (b.group, b.numerator, b.denominator, b.status, b.limit) == ("CD-B", 0, 9, "not_met", 2)
    assert b.advice.en == "needs 2 more qualifying awardees"
    assert b.advice.vi == "cần thêm 2 cá nhân được khen thưởng đạt điều kiện"
    assert q.status == "not_met" and q.share is None  # grouped: no pooled share


@pytest.mark.parametrize("backend", BACKENDS)
def test_cap_of_15_percent_of_9_allows_1_and_the_lower_ranked_is_over_quota(caps, backend) -> None:
    ev = evaluate(caps, two_unions(points_b1=80, points_b2=90), backend)
    q = quota(ev, "cstdcs_cap")
    b = next(g for g in q.groups if g.group == "CD-B")
    assert (b.numerator, b.denominator, b.limit, b.excess, b.status) == (2, 9, 1, 1, "not_met")
    assert b.advice.en == "1 over the cap of 1"
    assert b.advice.vi == "vượt 1 so với mức tối đa 1"
    assert [(o.subject, o.status, o.rank, o.value) for o in q.outcomes] == [
        ("B2", "within_quota", 1, 90), ("B1", "over_quota", 2, 80)]
    # the award verdicts themselves never change
    assert ev.verdicts()[("B1", "grassroots_emulation_fighter")] == "awarded"
    a = next(g for g in q.groups if g.group == "CD-A")
    assert (a.numerator, a.limit, a.status, a.advice.en) == (0, 0, "met", "within the cap of 0 (0 counted)")


def test_a_tie_is_settled_by_the_next_fact_then_by_the_order_of_the_submission(caps) -> None:
    ev = evaluate(caps, two_unions(points_b1=90, points_b2=90))
    q = quota(ev, "cstdcs_cap")
    assert [(o.subject, o.status) for o in q.outcomes] == [("B1", "within_quota"), ("B2", "over_quota")]
    # the second fact (reviewer_rank, asc) decides before the order of the submission
    raw = two_unions(points_b1=90, points_b2=90)
    raw[1]["facts"]["reviewer_rank"], raw[2]["facts"]["reviewer_rank"] = 2, 1
    q = quota(evaluate(caps, raw), "cstdcs_cap")
    assert [(o.subject, o.status) for o in q.outcomes] == [("B2", "within_quota"), ("B1", "over_quota")]


def test_ties_none_names_nobody_at_the_cut(caps) -> None:
    q = quota(evaluate(caps, two_unions(points_b1=90, points_b2=90)), "cstdcs_cap_ties_none")
    assert [(o.subject, o.status, o.rank) for o in q.outcomes] == [
        ("B1", "tied_at_cap", 1), ("B2", "tied_at_cap", 1)]


def test_a_subject_lacking_the_ranking_fact_is_ranked_last_and_told_so(caps) -> None:
    raw = two_unions()
    del raw[1]["facts"]["points"]  # B1 has no points
    raw[2]["facts"]["points"] = 10
    q = quota(evaluate(caps, raw), "cstdcs_cap")
    assert [(o.subject, o.status, o.value) for o in q.outcomes] == [
        ("B2", "within_quota", 10), ("B1", "over_quota", None)]
    assert q.outcomes[1].note == "no points: ranked after those having it"
    assert q.outcomes[0].note is None  # reviewer_rank: nobody has it, it decides nothing


def test_without_a_ranking_the_excess_is_reported_and_nobody_named(caps) -> None:
    ev = evaluate(caps, two_unions())
    q = quota(ev, "cstdcs_cap_unranked")
    assert q.outcomes == () and q.status == "not_met"
    from emulation_rules.results.render import render_table

    assert "CD-B: not_met — 2/9 (22.22%); 1 over the cap of 1; no ranking declared: nobody named" in (
        render_table(ev, lang="en"))


def test_max_count_is_a_fixed_number(caps) -> None:
    raw = [person("P1", "CD-A", cstdcs=True, rank=3), person("P2", "CD-A", cstdcs=True, rank=1),
           person("P3", "CD-B", cstdcs=True, rank=2), person("P4", "CD-B")]
    q = quota(evaluate(caps, raw), "cstdcs_fixed")
    (g,) = q.groups
    assert (g.numerator, g.denominator, g.limit, g.excess, g.status) == (3, None, 2, 1, "not_met")
    assert (q.required, q.required_count, q.excess, q.awardees, q.qualifying) == (2, 2, 1, 3, 3)
    assert [(o.subject, o.status) for o in q.outcomes] == [
        ("P2", "within_quota"), ("P3", "within_quota"), ("P1", "over_quota")]
    q = quota(evaluate(caps, raw[1:]), "cstdcs_fixed")
    assert (q.status, q.excess, q.outcomes, q.groups[0].advice.en) == (
        "met", 0, (), "within the cap of 2 (2 counted)")


def test_a_population_denominator_counts_the_submitted_subjects(caps) -> None:
    # denominator: workers who are direct workers (of.population with where); 7 of them allow
    # floor(15% x 7) = 1 CSTĐCS; 2 CSTĐCS are 1 over
    raw = [person(f"W{i}", None, ldtt=False, direct=True) for i in range(5)] + [
        person("C1", None, direct=True, cstdcs=True), person("C2", None, direct=True, cstdcs=True),
        person("M1", None, direct=False)]
    q = quota(evaluate(caps, raw), "cstdcs_of_workers")
    (g,) = q.groups
    assert (g.numerator, g.denominator, g.limit, g.status, g.advice.en) == (
        2, 7, 1, "not_met", "1 over the cap of 1")
    # one CSTĐCS: 6 direct workers allow floor(0.9) = 0, a 7th (is_direct_worker missing) would
    # allow 1: undecided; with 2 CSTĐCS the cap is exceeded either way
    raw[0]["facts"].pop("is_direct_worker")
    (g,) = quota(evaluate(caps, raw), "cstdcs_of_workers").groups
    assert (g.denominator, g.denominator_undecided, g.status, g.excess) == (6, 1, "not_met", 1)
    raw[6]["facts"]["excellent_with_initiative"] = False
    (g,) = quota(evaluate(caps, raw), "cstdcs_of_workers").groups
    assert (g.numerator, g.denominator, g.denominator_undecided, g.status) == (1, 6, 1, "unknown")
    assert g.advice.en == "undecided: 1 subject lacks a fact the quota reads"


def test_an_undecided_condition_leaves_the_minimum_unknown(caps) -> None:
    # unit B: 9 LĐTT need ceil(1.35) = 2 direct workers; 1 is, 1 is unknown -> undecided
    raw = two_unions()
    raw[1]["facts"]["is_direct_worker"] = True
    raw[2]["facts"].pop("is_direct_worker")
    q = quota(evaluate(caps, raw), "direct_workers_per_unit")
    b = q.groups[1]
    assert (b.numerator, b.undecided, b.status, b.undecided_ids) == (1, 1, "unknown", ("B2",))
    assert q.status == "unknown"
    assert b.advice.vi == "chưa xác định: 1 đối tượng còn thiếu dữ kiện"


def test_per_unit_and_per_level_name_the_group_without_unit(caps) -> None:
    raw = [{"id": "CD-A", "kind": "collective", "level": "grassroots_union"},
           {"id": "CD-B", "kind": "collective", "level": "upper_union"},
           *two_unions(), person("X1", None, cstdcs=True), person("Y1", "CD-ELSEWHERE")]
    ev = evaluate(caps, raw)
    by_unit = quota(ev, "cstdcs_cap")
    assert [(g.group, g.label) for g in by_unit.groups] == [
        ("CD-A", "CD-A"), ("CD-B", "CD-B"), ("CD-ELSEWHERE", "CD-ELSEWHERE"), (None, "no unit")]
    no_unit = by_unit.groups[-1]
    assert (no_unit.numerator, no_unit.denominator, no_unit.advice.en) == (1, 1, "1 over the cap of 0")
    by_level = quota(ev, "cstdcs_per_level")
    # Y1's unit is not in the submission: its level is unknown, like X1's
    assert [(g.group, g.label, g.numerator, g.denominator) for g in by_level.groups] == [
        ("grassroots_union", "grassroots_union", 0, 1), ("upper_union", "upper_union", 2, 9),
        (None, "no level", 1, 2)]
    table = render_quotas_table(ev.quotas, "en")
    assert "    no unit: not_met — 1/1 (100.00%); 1 over the cap of 0" in table
    assert "    no level: not_met — 1/2 (50.00%); 1 over the cap of 0" in table


def test_cli_json_table_and_workbook_report_groups_and_outcomes(tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"subjects": two_unions()}, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run(["evaluate", str(CAPS), "--facts", str(facts), "--format", "json"], stdout=out, stderr=err) == 0
    q = next(q for q in json.loads(out.getvalue())["quotas"] if q["quota"] == "cstdcs_cap")
    assert (q["kind"], q["per"], q["status"], q["ranked"]) == ("max_share", "unit", "not_met", True)
    b = next(g for g in q["groups"] if g["group"] == "CD-B")
    assert (b["numerator"], b["denominator"], b["limit"], b["excess"]) == (2, 9, 1, 1)
    assert b["advice"] == {"vi": "vượt 1 so với mức tối đa 1", "en": "1 over the cap of 1"}
    assert [(o["subject"], o["status"], o["rank"]) for o in q["outcomes"]] == [
        ("B2", "within_quota", 1), ("B1", "over_quota", 2)]
    table = io.StringIO()
    assert run(["evaluate", str(CAPS), "--facts", str(facts), "--lang", "en"], stdout=table, stderr=err) == 0
    assert "      2. B1: over_quota (value 80)" in table.getvalue()
    book = tmp_path / "out.xlsx"
    assert run(["evaluate", str(CAPS), "--facts", str(facts), "--format", "xlsx", "-o", str(book)],
               stdout=io.StringIO(), stderr=err) == 0, err.getvalue()
    ws = openpyxl.load_workbook(book)["Tổng hợp"]
    rows = [tuple(c for c in row if c is not None) for row in ws.iter_rows(values_only=True)]
    label = "CSTĐCS không quá 15% số LĐTT"
    assert (label, "CD-B", 2, 9, 22.22, 1, "Không đạt", "vượt 1 so với mức tối đa 1") in rows
    assert (label, "Hạn mức (tỷ lệ tối đa)", 10, 2, 15, "Không đạt", 1) in rows  # a cap, labelled as one
    assert (label, "CD-B", "B1", 2, 80, "Vượt hạn mức") in rows
    assert (label, "CD-B", "B2", 1, 90, "Trong hạn mức") in rows
    # beside the verdict: B1 is awarded, and over the cap (the verdict itself does not change)
    sheet = openpyxl.load_workbook(book)["Kết quả"]
    verdicts = {row[0]: row[3:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Đạt (vượt hạn mức)" in verdicts["B1"] and "Đạt (vượt hạn mức)" not in verdicts["B2"]


def test_plain_quota_json_keeps_its_keys(db, engine) -> None:
    (q,) = engine.evaluate(parse_facts(people(3, 17), db)).quotas
    assert not q.extended and "groups" not in q.to_dict() and q.groups[0].label == "all"


# --- loader checks: the fixture with one quota changed, each problem located -----------------

def _broken(tmp_path, change) -> list:
    return refused_problems(tmp_path, CAPS, "quotas", change)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda qs: qs[1].pop("max_share"), ("bad-quota", "quotas.1")),
        (lambda qs: qs[1].update(max_count=3), ("bad-quota", "quotas.1.max_count")),
        (lambda qs: qs[0].update(ranking={"by": [{"fact": "points"}], "ties": "none"}),
         ("bad-quota", "quotas.0.ranking")),
        (lambda qs: qs[1]["ranking"]["by"].append({"fact": "note_text"}),
         ("bad-quota", "quotas.1.ranking.by.2.fact")),
        (lambda qs: qs[1]["ranking"]["by"].append({"fact": "pointz"}),
         ("unknown-fact", "quotas.1.ranking.by.2.fact")),
        (lambda qs: qs[1]["of"].update(awards=["advanced_labourer"]), ("unknown-award", "quotas.1.of.awards.0")),
        (lambda qs: qs[1]["of"].update(population={"kind": "individual"}), ("bad-quota", "quotas.1.of")),
        (lambda qs: qs[6].update(of={"awards": ["advanced_laborer"]}), ("bad-quota", "quotas.6.of")),
        (lambda qs: qs[1].update(per="branch"), ("bad-choice", "quotas.1.per")),
    ],
    ids=["no-bound", "two-bounds", "ranking-on-a-minimum", "ranking-by-text", "ranking-unknown-fact",
         "of-unknown-award", "of-both", "max-count-with-of", "bad-per"],
)
def test_loader_refuses_a_bad_quota_with_a_located_problem(tmp_path, change, expected) -> None:
    assert expected in _broken(tmp_path, change)


def test_service_document_keeps_one_language_of_the_advice(caps) -> None:
    pytest.importorskip("fastapi")
    from emulation_rules.service.work import Options, evaluation_document

    doc = evaluation_document(Engine(caps, backend="python"), parse_facts(two_unions(), caps), Options(lang="vi"))
    q = next(q for q in doc["quotas"] if q["quota"] == "cstdcs_cap")
    assert [g["advice"] for g in q["groups"]] == [
        {"vi": "không vượt mức tối đa 0 (hiện có 0)"}, {"vi": "vượt 1 so với mức tối đa 1"}]


def test_author_cases_expect_groups_and_outcomes(tmp_path) -> None:
    from emulation_rules.authoring.cases import render_results, run_cases

    cases = CAPS.with_name("caps_cases.yaml")
    assert all(r.passed for r in run_cases([cases]))
    swapped = cases.read_text(encoding="utf-8").replace(
        "campaign: caps.yaml", f"campaign: {CAPS.as_posix()}").replace(
        "{B2: within_quota, B1: over_quota}", "{B2: over_quota, B1: within_quota}")
    (tmp_path / "swapped_cases.yaml").write_text(swapped, encoding="utf-8")
    (result,) = run_cases([tmp_path / "swapped_cases.yaml"])
    assert [(m.item, m.expected, m.actual) for m in result.mismatches] == [
        ("subject B2", "over_quota", "within_quota"), ("subject B1", "within_quota", "over_quota")]
    assert "at most 15% (rounded down), per unit" in render_results([result])


def test_a_unit_spelt_in_nfd_and_nfc_is_one_group(caps) -> None:
    import unicodedata

    unit = "CĐCS Hà Lâm"
    raw = [person("P1", unicodedata.normalize("NFD", unit), direct=True),
           person("P2", unicodedata.normalize("NFC", unit))]
    (g,) = quota(evaluate(caps, raw), "direct_workers_per_unit").groups
    assert (g.group, g.numerator, g.denominator, g.status) == (unicodedata.normalize("NFC", unit), 1, 2, "met")
