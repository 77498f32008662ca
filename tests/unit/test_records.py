"""Records, money, windows and yearly ratings (issue 19), on tests/data/records/campaign.yaml.

Expected results cite the sample regulation beside it (tests/data/records/plan.txt): L8 "ít nhất
2 sáng kiến", L12 "ngày áp dụng và ngày công nhận đều trước ngày xét" (a record counts only if
both of its dates are on or before the review date).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from emulation_rules import CampaignValidationError, Engine, load_campaign, load_facts
from emulation_rules.campaign.figures import DocumentTexts, check_figures
from emulation_rules.campaign.money import money_text, parse_amount, plain_number
from emulation_rules.cli.app import run
from emulation_rules.errors import FactsError
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.reader import parse_facts
from emulation_rules.results.render import render_explanation

from ..conftest import ROOT

HERE = ROOT / "tests" / "data" / "records"
CAMPAIGN = HERE / "campaign.yaml"
BACKENDS = [b for b in ("durable", "python", "polars") if backend_problem(b) is None]
MAY_31 = dt.date(2025, 5, 31)


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(CAMPAIGN)


def _person(pid: str, **facts: Any) -> dict[str, Any]:
    return {"id": pid, "kind": "individual", "role": "member", "facts": facts}


def _verdicts(campaign, subjects: list[dict[str, Any]], backend: str, day: dt.date = MAY_31,
              award: str = "initiative_count") -> dict[tuple[str, str], str]:
    sub = parse_facts({"subjects": subjects}, campaign)
    got = Engine(campaign, backend=backend).evaluate(sub, as_of=day).verdicts()
    return {k: v for k, v in got.items() if k[1] == award}


# --- the figure check reads exactly the cited lines ----------------------------------------------


def _with_citation(tmp_path: Path, old: str, new: str) -> Path:
    text = CAMPAIGN.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "campaign.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    (tmp_path / "plan.txt").write_bytes((HERE / "plan.txt").read_bytes())
    return path


@pytest.mark.parametrize("lines", [[7, 7], [9, 9], [6, 7]])
def test_a_figure_on_the_line_beside_its_citation_is_not_found(tmp_path: Path, lines: list[int]) -> None:
    """'ít nhất 2 sáng kiến' stands on L8 only: a citation of L7 or L9 alone does not print it
    (the check must read lines a..b of the text, not one more on either side)."""
    path = _with_citation(
        tmp_path,
        'source: {doc: plan, lines: [8, 8]}\n        condition: {count: {fact: initiatives}, op: ">=", value: 2}',
        f'source: {{doc: plan, lines: {lines}}}\n        condition: {{count: {{fact: initiatives}}, op: ">=", value: 2}}',
    )
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(path)
    hits = [p for p in info.value.problems if p.code == "figure-not-in-source"]
    assert [p.path[-1] for p in hits] == ["value"], [str(p) for p in info.value.problems]


def test_a_figure_on_the_first_and_last_cited_line_is_found(campaign) -> None:
    report = check_figures(campaign, None, DocumentTexts(HERE))
    assert report.problems == [] and report.checked == report.found + len(report.derived)


# --- "as of": every date of a record --------------------------------------------------------------


def _two_dated(applied: str, recognized: str) -> dict[str, Any]:
    return {"title": f"{applied}/{recognized}", "applied_on": applied, "recognized_on": recognized}


SPLIT = [  # L12: both dates before the review; the second record is recognised after 31/5/2025
    _two_dated("2024-10-01", "2024-12-01"),
    _two_dated("2024-10-01", "2025-06-01"),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_record_with_one_date_after_the_review_is_left_out(campaign, backend: str) -> None:
    subjects = [_person("P1", initiatives=SPLIT),
                _person("P2", initiatives=[SPLIT[0], _two_dated("2025-06-01", "2024-12-01")]),
                _person("P3", initiatives=[SPLIT[0], _two_dated("2024-11-01", "2025-01-01")])]
    got = _verdicts(campaign, subjects, backend)
    assert got == {("P1", "initiative_count"): "not_awarded", ("P2", "initiative_count"): "not_awarded",
                   ("P3", "initiative_count"): "awarded"}
    assert _verdicts(campaign, subjects[:1], backend, dt.date(2025, 6, 1)) == {
        ("P1", "initiative_count"): "awarded"}


def test_a_table_leaves_out_a_record_with_one_later_date(campaign, tmp_path: Path) -> None:
    """The columnar path (evaluate_many) applies the same rule to JSON records in a CSV cell."""
    rows = [("P1", SPLIT), ("P2", [SPLIT[0], _two_dated("2025-06-01", "2024-12-01")]),
            ("P3", [SPLIT[0], _two_dated("2024-11-01", "2025-01-01")])]
    csv = tmp_path / "people.csv"
    lines = ["id,kind,role,initiatives"]
    for pid, recs in rows:
        cell = json.dumps(recs).replace('"', '""')
        lines.append(f'{pid},individual,member,"{cell}"')
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    engine = Engine(campaign, backend="python")
    table = engine.evaluate_many(csv, as_of=MAY_31).table
    got = dict(table.filter(pl.col("award") == "initiative_count").select("subject_id", "verdict").iter_rows())
    assert got == {"P1": "not_awarded", "P2": "not_awarded", "P3": "awarded"}
    again = engine.evaluate(load_facts(csv, campaign), as_of=MAY_31).verdicts()
    assert got == {s: v for (s, a), v in again.items() if a == "initiative_count"}


# --- money as people write it (item 5) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("80.000.000 đồng", 80_000_000),  # L9 "5.000.000 đồng"
        ("80 triệu đồng", 80_000_000),  # L7
        ("1,5 tỷ đồng", 1_500_000_000),  # L13
        ("1.5 tỉ", 1_500_000_000),
        ("80 000 000", 80_000_000),
        ("80,000,000 VND", 80_000_000),
        ("500 nghìn đ", 500_000),
        ("80000000", 80_000_000),
        (80_000_000, 80_000_000),
    ],
)
def test_amounts_are_read_as_written(text: Any, amount: int) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["1,2345 nghìn", "80.00.000", "80.000,000", "-5", "1.5", 1.5, True, "tám triệu", "80 triệu triệu"])
def test_what_is_not_an_amount_of_dong_is_refused(text: Any) -> None:
    assert parse_amount(text) is None


def test_no_figure_is_printed_with_an_exponent() -> None:
    assert [plain_number(v) for v in (8e7, 1.5e9, 1e-05, 0.5, 3, 1e16)] == [
        "80000000", "1500000000", "0.00001", "0.5", "3", "10000000000000000"]
    assert money_text(1_500_000_000) == "1.500.000.000 đồng"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_money_threshold_written_in_words_decides_alike(campaign, backend: str) -> None:
    """L13 "từ 1,5 tỷ đồng": 1.499.999.999 is short by one đồng; values as people type them."""
    subjects = [_person("P1", total_benefit="1.499.999.999 đồng"), _person("P2", total_benefit="1,5 tỷ"),
                _person("P3", total_benefit=2_000_000_000)]
    got = {s: v for (s, _), v in _verdicts(campaign, subjects, backend, award="grand_prize").items()}
    assert got == {"P1": "not_awarded", "P2": "awarded", "P3": "awarded"}


@pytest.mark.parametrize("value", ["1,5", 1.5, -1, "một tỷ"])
def test_a_money_fact_refuses_fractions_and_words(campaign, value: Any) -> None:
    with pytest.raises(FactsError) as info:
        parse_facts({"subjects": [_person("P1", total_benefit=value)]}, campaign)
    assert info.value.problems[0].code == "invalid-value"
    assert "đồng" in info.value.problems[0].message


def test_a_table_reads_money_as_typed(campaign, tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text('id,kind,role,total_benefit\nP1,individual,member,1.499.999.999\n'
                   'P2,individual,member,"1,5 tỷ đồng"\nP3,individual,member,1500000000\n', encoding="utf-8")
    engine = Engine(campaign, backend="python")
    table = engine.evaluate_many(csv, as_of=MAY_31).table.filter(pl.col("award") == "grand_prize")
    assert dict(table.select("subject_id", "verdict").iter_rows()) == {
        "P1": "not_awarded", "P2": "awarded", "P3": "awarded"}


def test_a_money_threshold_off_by_one_dong_is_named_as_printed(tmp_path: Path) -> None:
    path = _with_citation(tmp_path, 'value: "1,5 tỷ đồng"', "value: 1500000001")
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(path)
    (problem,) = info.value.problems
    assert "the threshold 1.500.000.001 is not printed" in problem.message
    assert "e+" not in str(problem)
    assert load_campaign(_with_citation(tmp_path, 'value: "1,5 tỷ đồng"', "value: 1500000000"))


def test_explanations_show_the_threshold_as_written(campaign) -> None:
    sub = parse_facts({"subjects": [_person("P1", total_benefit="2 tỷ")]}, campaign)
    text = render_explanation(Engine(campaign, backend="python").evaluate(sub, as_of=MAY_31), "P1")
    assert "total_benefit ≥ 1,5 tỷ đồng" in text and "e+" not in text


# --- aggregates, windows and yearly ratings, three-valued (items 1, 2, 4) -------------------------

EXCELLENT_2023 = [{"rating": "completed_tasks_excellently", "year": 2023}]


def _rec(recognized: str | None, benefit: Any = None, applied: str = "2023-09-02") -> dict[str, Any]:
    out: dict[str, Any] = {"title": f"SK {recognized}", "applied_on": applied}
    if recognized is not None:
        out["recognized_on"] = recognized
    if benefit is not None:
        out["benefit"] = benefit
    return out


def _sub(pid: str, recs: list[dict[str, Any]], rating: str | None = "excellent",
         history: Any = EXCELLENT_2023) -> dict[str, Any]:
    facts: dict[str, Any] = {"initiatives": recs}
    if rating is not None:
        facts["task_rating"] = rating
    out = _person(pid, **facts)
    if history is not None:
        out["history"] = history
    return out


# Review on 31/5/2025: review year 2024 (1/9/2024-31/8/2025, L4); "two consecutive years" are
# 2023 and 2024 (L10), the window of "trong thời gian đó" 1/9/2023-31/8/2025 (L8).
GOOD = [_rec("2023-10-01", "50.000.000 đồng"), _rec("2024-10-01", "40 triệu")]
CASES = {
    "A": (_sub("A", GOOD), "awarded", ()),
    "B": (_sub("B", GOOD, rating="good"), "not_awarded", ()),  # 2024 not rated excellent (L10)
    "C": (_sub("C", [GOOD[0], _rec("2024-10-01")]), "incomplete", ("initiatives.benefit",)),
    "D": (_sub("D", [_rec("2023-10-01", 100_000_000), _rec("2024-10-01")]), "incomplete",
          ("initiatives.benefit",)),  # the sum is met whatever the blank; the smallest is not known
    "E": (_sub("E", [*GOOD, _rec(None, 1)], rating="good"), "not_awarded", ()),  # a blank date, but 2024 fails
    "F": (_sub("F", GOOD, rating=None), "incomplete", ("task_rating",)),
    "G": (_sub("G", GOOD, history=None), "incomplete", ("history",)),
    "H": (_sub("H", [GOOD[0], _rec("2025-06-01", 40_000_000, applied="2025-06-01")]), "not_awarded", ()),
    "I": (_sub("I", [_rec("2022-10-01", 90_000_000), _rec("2024-10-01", 40_000_000)]), "not_awarded", ()),
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_aggregates_windows_and_ratings_decide_alike(campaign, backend: str) -> None:
    """L7 sum from 80 triệu, L8 two initiatives in the years of L10, L9 the smallest from
    5.000.000, L10 two consecutive years rated excellent (2023 from the history, 2024 from the
    facts), L11 one in the review year; a blank value or date is unknown, never 0."""
    sub = parse_facts({"subjects": [c[0] for c in CASES.values()]}, campaign)
    result = Engine(campaign, backend=backend).evaluate(sub, as_of=MAY_31)
    got = {s.subject_id: (s.award("certificate").verdict, s.award("certificate").missing_facts)
           for s in result.subjects}
    assert got == {k: (v, m) for k, (_, v, m) in CASES.items()}


def test_the_blank_that_cannot_change_the_answer_leaves_it_decided(campaign) -> None:
    sub = parse_facts({"subjects": [CASES["D"][0]]}, campaign)
    award = Engine(campaign, backend="python").evaluate(sub, as_of=MAY_31).subjects[0].award("certificate")
    status = {c.criterion_id: c.status for c in award.criteria}
    assert status == {"benefit_80_million": "pass", "two_initiatives": "pass",
                      "smallest_benefit": "unknown", "one_this_year": "pass"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_last_years_counts_the_review_years_up_to_the_review(campaign, backend: str) -> None:
    """L14 "3 sáng kiến ... trong 3 năm gần nhất": review years 2022-2024, from 1/9/2022."""
    inside = [_rec("2022-09-01"), _rec("2023-05-01"), _rec("2025-01-01")]
    subjects = [_sub("IN", inside), _sub("OUT", [_rec("2022-08-31"), *inside[1:]]),
                _sub("BLANK", [_rec(None), *inside[1:]])]
    got = _verdicts(campaign, subjects, backend, award="praise")
    assert got == {("IN", "praise"): "awarded", ("OUT", "praise"): "not_awarded",
                   ("BLANK", "praise"): "incomplete"}


def test_a_school_year_review_reads_the_year_it_started(campaign) -> None:
    """L4: the review year starts on 1 September; 31/8/2025 is still review year 2024, and
    1/9/2025 starts 2025 (then 2024 must be in the history: it is not, so not two years)."""
    sub = parse_facts({"subjects": [CASES["A"][0]]}, campaign)
    engine = Engine(campaign, backend="python")
    assert engine.evaluate(sub, as_of=dt.date(2025, 8, 31)).verdicts()[("A", "certificate")] == "awarded"
    assert engine.evaluate(sub, as_of=dt.date(2025, 9, 1)).verdicts()[("A", "certificate")] == "not_awarded"


# --- the loader on records conditions, ratings and commas (items 2, 4, 10) -------------------------


def _bad(tmp_path: Path, old: str, new: str) -> list[tuple[str, tuple[Any, ...]]]:
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(_with_citation(tmp_path, old, new))
    return [(p.code, p.path[-1]) for p in info.value.problems]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("{fn: sum, field: benefit, of: initiatives}", "{fn: sum, of: initiatives}", ("missing-key", "aggregate")),
    ("{fn: sum, field: benefit, of: initiatives}", "{fn: sum, field: title, of: initiatives}", ("type-mismatch", "field")),
    ("{fn: sum, field: benefit, of: initiatives}", "{fn: sum, field: benfit, of: initiatives}", ("unknown-field", "field")),
    ("{fn: sum, field: benefit, of: initiatives}", "{fn: sum, field: benefit, of: task_rating}", ("not-records", "of")),
    ('op: ">=", value: "80 triệu đồng"', 'op: ">=", value: "tám mươi triệu"', ("type-mismatch", "value")),
    ("within: {review_year: true, by: recognized_on}", "within: {review_year: true}", ("missing-key", "within")),
    ("within: {review_year: true, by: recognized_on}", "within: {review_year: true, by: title}", ("unknown-field", "by")),
    ("within: {review_year: true, by: recognized_on}", "within: {review_year: true, last_years: 2, by: recognized_on}",
     ("bad-compare", "within")),
    ("within: {last_years: 3, by: recognized_on}", "within: {held: completed_tasks_excellently, by: recognized_on}",
     ("bad-compare", "held")),
    ("    values: [excellent]\n", "    values: [superb]\n", ("unknown-enum-value", 0)),
])
def test_records_conditions_are_checked_where_written(tmp_path: Path, old: str, new: str, expected: tuple[str, Any]) -> None:
    assert _bad(tmp_path, old, new) == [expected]


def test_a_comma_in_a_flow_mapping_is_named_as_the_cause(tmp_path: Path, campaign) -> None:
    """'{vi: Tổng giá trị, làm lợi}': YAML reads two entries; the message says why, in both languages."""
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(_with_citation(tmp_path, 'label: {vi: "Tổng giá trị làm lợi", en: "Total benefit value"}',
                                     'label: {vi: Tổng giá trị, làm lợi, en: "Total benefit value"}'))
    (problem,) = info.value.problems
    assert problem.code == "unknown-key" and problem.hint is not None
    assert '"Tổng giá trị, làm lợi"' in problem.hint and "ngoặc kép" in problem.hint
    facts = tmp_path / "facts.yaml"
    facts.write_text("subjects:\n  - {id: P1, kind: individual, role: member, facts: {task_rating: excellent, "
                     "Thể thao, total_benefit: 5}}\n", encoding="utf-8")
    with pytest.raises(FactsError) as err:
        load_facts(facts, campaign)
    (problem,) = err.value.problems
    assert problem.code == "unknown-fact" and "'excellent, Thể thao' was read as two entries" in (problem.hint or "")


def test_author_cases_may_expect_history_and_a_blank_field_missing() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run(["test", str(HERE / "cases.yaml"), "--lang", "en"], stdout=out, stderr=err) == 0, out.getvalue() + err.getvalue()
    assert "3 passed, 0 failed" in out.getvalue()


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "polars"])  # polars shows no values
def test_explanations_name_the_years_used(campaign, backend: str) -> None:
    sub = parse_facts({"subjects": [CASES["A"][0]]}, campaign)
    result = Engine(campaign, backend=backend).evaluate(sub, as_of=MAY_31).subjects[0].award("certificate")
    values = {c.criterion_id: c.values for c in result.criteria}
    assert values["two_initiatives"]["history"] == "completed_tasks_excellently 2023 (of 2023-2024)"
    assert values["two_initiatives"]["task_rating"] == "excellent"  # 2024, from the facts (L10)
    assert values["two_initiatives"]["initiatives dated"] == "2023-09-01 .. 2025-08-31"
    assert values["one_this_year"]["initiatives dated"] == "2024-09-01 .. 2025-08-31"
