"""A standing regulation (issue 19, item 3): a campaign without phases declares its yearly review
(``review_year``) and the review date picks the period judged, review year Y (``review_year_Y``).

The phase-free campaign is tests/data/records/campaign.yaml with its one open phase taken out
(its `review_year` starts on 1 September, a school year); its author cases give the same results
without the phase. The demonstration campaign (campaigns/vgcl_certificates.yaml) is one too.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from emulation_rules import CampaignValidationError, Engine, load_campaign
from emulation_rules.authoring.cases import run_cases
from emulation_rules.cli.app import run
from emulation_rules.facts.reader import parse_facts

from ..conftest import ROOT

RECORDS = ROOT / "tests" / "data" / "records"
_PHASE = """phases:   # a standing regulation: in force from its date, reviewed every year (review_year)
  - id: in_force
    kind: campaign
    label: {vi: "Thời gian áp dụng quy chế", en: "Regulation in force"}
    start: 2024-05-29
    source: {doc: plan, lines: [3, 3]}
"""


def _standing(tmp_path: Path, *, review_year: bool = True) -> Path:
    text = (RECORDS / "campaign.yaml").read_text(encoding="utf-8")
    assert _PHASE in text
    text = text.replace(_PHASE, "")
    if not review_year:
        start = text.index("review_year:")
        text = text[:start] + text[text.index("ratings:"):]
    for name in ("plan.txt", "cases.yaml"):
        (tmp_path / name).write_bytes((RECORDS / name).read_bytes())
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_review_date_picks_the_review_year(tmp_path: Path) -> None:
    campaign = load_campaign(_standing(tmp_path))
    assert campaign.phases == ()
    sub = parse_facts({"subjects": [{"id": "A", "kind": "individual", "role": "member", "facts": {}}]},
                      campaign)
    engine = Engine(campaign, backend="python")
    # review years start on 1 September (campaign.yaml, review_year): 31/5/2025 is in 2024-2025
    for day, phase in ((dt.date(2025, 5, 31), "review_year_2024"), (dt.date(2025, 9, 1), "review_year_2025"),
                       (dt.date(2030, 8, 31), "review_year_2029")):
        assert engine.evaluate(sub, as_of=day).phase == phase
    year = campaign.phase_at(dt.date(2025, 5, 31))
    assert year is not None and (year.start, year.end) == (dt.date(2024, 9, 1), dt.date(2025, 8, 31))
    assert (year.label.vi, year.label.en) == ("Năm xét 2024-2025", "Review year 2024-2025")


def test_its_cases_give_the_same_results_without_the_phase(tmp_path: Path) -> None:
    _standing(tmp_path)
    results = run_cases([tmp_path / "cases.yaml"])
    assert results and all(r.passed for r in results), [r for r in results if not r.passed]


def test_a_review_year_is_judged_by_its_id_and_another_name_is_refused(tmp_path: Path) -> None:
    path = _standing(tmp_path)
    facts = tmp_path / "facts.yaml"
    facts.write_text("subjects:\n  - {id: A, kind: individual, role: member, facts: {}}\n", encoding="utf-8")
    code, out, err = _cli("evaluate", str(path), "--facts", str(facts), "--phase", "review_year_2026",
                          "--format", "json")
    assert code == 0, err
    assert '"phase": "review_year_2026"' in out
    code, _, err = _cli("evaluate", str(path), "--facts", str(facts), "--phase", "2026")
    assert code == 2 and "review_year_2024" in err
    code, out, _ = _cli("evaluate", str(path), "--facts", str(facts), "--as-of", "2025-05-31")
    assert code == 0 and "Năm xét 2024-2025" in out  # the table names the review year


def test_without_phases_a_campaign_declares_its_review_year(tmp_path: Path) -> None:
    with pytest.raises(CampaignValidationError) as info:
        load_campaign(_standing(tmp_path, review_year=False))
    (p,) = info.value.problems
    assert p.code == "invalid-value" and "review_year" in p.message


def test_validate_checks_a_standing_regulation_in_the_review_years_a_text_ends_or_begins() -> None:
    """QĐ 1564/QĐ-TLĐ is in force to 27/12/2017 (vgcl_certificates.yaml, documents): the review
    year 2017 ends outside its force, so every rule of the Creative Labour Certificate is warned."""
    code, out, _ = _cli("validate", str(ROOT / "campaigns" / "vgcl_certificates.yaml"))
    assert code == 0
    warned = [line for line in out.splitlines() if "[document-not-in-force]" in line]
    assert len(warned) == 3 and all("review_year_2017 (2017-12-31)" in line for line in warned)
    code, _, _ = _cli("validate", "--strict", str(ROOT / "campaigns" / "vgcl_certificates.yaml"))
    assert code == 1


def test_the_list_of_shipped_campaigns_shows_a_standing_regulation_as_yearly() -> None:
    code, out, _ = _cli("campaigns")
    assert code == 0
    (line,) = [x for x in out.splitlines() if x.startswith("vgcl_certificates ")]
    assert "hằng năm" in line
    code, out, _ = _cli("campaigns", "--lang", "en")
    assert code == 0 and "yearly" in next(x for x in out.splitlines() if x.startswith("vgcl_certificates "))
