"""Records, money, windows and yearly ratings (issue 19), on tests/data/records/campaign.yaml.

Expected results cite the sample regulation beside it (tests/data/records/plan.txt): L8 "ít nhất
2 sáng kiến", L12 "ngày áp dụng và ngày công nhận đều trước ngày xét" (a record counts only if
both of its dates are on or before the review date).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from emulation_rules import CampaignValidationError, Engine, load_campaign, load_facts
from emulation_rules.campaign.figures import DocumentTexts, check_figures
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.reader import parse_facts

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
              **kw: Any) -> dict[tuple[str, str], str]:
    sub = parse_facts({"subjects": subjects, **kw}, campaign)
    return Engine(campaign, backend=backend).evaluate(sub, as_of=day).verdicts()


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
    assert got == {("P1", "certificate"): "not_awarded", ("P2", "certificate"): "not_awarded",
                   ("P3", "certificate"): "awarded"}
    assert _verdicts(campaign, subjects[:1], backend, dt.date(2025, 6, 1)) == {
        ("P1", "certificate"): "awarded"}


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
    got = dict(table.select("subject_id", "verdict").iter_rows())
    assert got == {"P1": "not_awarded", "P2": "not_awarded", "P3": "awarded"}
    assert got == {s: v for (s, _), v in engine.evaluate(load_facts(csv, campaign), as_of=MAY_31).verdicts().items()}
