"""Issue 20, item 1: the generated form's proposals sheet (danh sách đề nghị), filled with openpyxl
as a union office fills it (award labels from the drop-down) and read back: the same proposals,
hence the same verdicts, as the YAML facts of the worked example (examples/review_cycle/
facts_2025.yaml: A07-A10 proposed for CSTĐCS, A07 for the director's certificate); unknown awards
and subjects are located as ``file:Sheet!C12``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("python_calamine")

from emulation_rules import Engine, load_campaign  # noqa: E402
from emulation_rules.authoring.forms import FormSpec, write_form  # noqa: E402
from emulation_rules.errors import FactsError  # noqa: E402
from emulation_rules.facts.load import load_facts  # noqa: E402

from ..conftest import CAMPAIGNS, EXAMPLES  # noqa: E402

CYCLE = EXAMPLES / "review_cycle"
SHEET = "Danh sách đề nghị"


def _fill(form: Path, doc: dict[str, Any], campaign: Any, out: Path) -> Path:
    """One row per person on "Cá nhân"; one row per proposed subject and award on the proposals
    sheet, the award written as the drop-down offers it (its Vietnamese label)."""
    labels = {a.id: a.label.vi for a in campaign.awards}
    wb = openpyxl.load_workbook(form)
    ws = wb["Cá nhân"]
    keys = [c.value for c in ws[2]]
    for r, s in enumerate(doc["subjects"], start=3):
        values = {"id": s["id"], "role": s["role"], "name": s["name"], "unit": s["unit"], **s["facts"]}
        for c, key in enumerate(keys, start=1):
            if key in values:
                ws.cell(r, c, values[key])
    ps = wb[SHEET]
    pkeys = [c.value for c in ps[2]]
    row = 3
    for p in doc["proposals"]:
        for sid in p["subjects"]:
            award = labels.get(p["award"], p["award"])
            ps.cell(row, pkeys.index("@proposals.subject") + 1, sid)
            ps.cell(row, pkeys.index("@proposals.award") + 1, award)
            row += 1
    help_ws = wb["Hướng dẫn"]
    for cells in help_ws.iter_rows(min_col=1, max_col=1):
        if cells[0].value == "@as_of":
            help_ws.cell(cells[0].row, 3, doc["as_of"])
    wb.save(out)
    return out


def test_the_proposals_sheet_is_written_with_its_drop_down(tmp_path: Path) -> None:
    campaign = load_campaign(CYCLE / "campaign.yaml")
    form = write_form(campaign, tmp_path / "form.xlsx", FormSpec(kinds=("individual",), rows=30))
    wb = openpyxl.load_workbook(form)
    ws = wb[SHEET]
    assert [c.value for c in ws[2]] == ["@proposals.subject", "@proposals.award"]
    assert ws.row_dimensions[2].hidden
    (dv,) = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    lists = wb["Danh mục"]
    column = dv.formula1.split("!")[1].split(":")[0].replace("$", "")[:-1]
    offered = [c.value for c in lists[column][1:] if c.value is not None]
    assert offered == [a.label.vi for a in campaign.awards if a.requires_proposal]  # the two proposed awards
    assert str(dv.sqref) == "B3:B32"
    # a campaign where no award requires a proposal gets no such sheet
    plain = write_form(load_campaign(CAMPAIGNS / "tkv_2019.yaml"), tmp_path / "tkv.xlsx", FormSpec(rows=5))
    assert SHEET not in openpyxl.load_workbook(plain).sheetnames


def test_the_filled_sheet_reads_as_the_yaml_proposals(tmp_path: Path) -> None:
    campaign = load_campaign(CYCLE / "campaign.yaml")
    doc = yaml.safe_load((CYCLE / "facts_2025.yaml").read_text(encoding="utf-8"))
    form = write_form(campaign, tmp_path / "form.xlsx", FormSpec(kinds=("individual",), rows=30))
    filled = _fill(form, doc, campaign, tmp_path / "filled.xlsx")
    from_form = load_facts(filled, campaign)
    no_ballots = tmp_path / "facts.yaml"
    no_ballots.write_text(yaml.safe_dump({k: v for k, v in doc.items() if k != "ballots"}, allow_unicode=True),
                          encoding="utf-8")
    from_yaml = load_facts(no_ballots, campaign)  # the form has no ballots sheet: compare without them
    assert from_form.proposals == from_yaml.proposals
    assert from_form.proposals == {"grassroots_emulation_fighter": frozenset({"A07", "A08", "A09", "A10"}),
                                   "director_certificate": frozenset({"A07"})}
    engine = Engine(campaign, backend="python")
    verdicts = engine.evaluate(from_form).verdicts()
    assert verdicts == engine.evaluate(from_yaml).verdicts()
    assert verdicts[("A11", "grassroots_emulation_fighter")] == "not_proposed"  # rated excellent, not proposed
    assert verdicts[("A07", "grassroots_emulation_fighter")] == "incomplete"  # proposed; no ballot yet


def test_unknown_awards_and_subjects_are_located_on_the_sheet(tmp_path: Path) -> None:
    campaign = load_campaign(CYCLE / "campaign.yaml")
    doc = yaml.safe_load((CYCLE / "facts_2025.yaml").read_text(encoding="utf-8"))
    form = write_form(campaign, tmp_path / "form.xlsx", FormSpec(kinds=("individual",), rows=30))
    filled = _fill(form, doc, campaign, tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(filled)
    ws = wb[SHEET]
    ws["A12"] = "A08"  # no award: the row is refused where it stands
    wb.save(filled)
    with pytest.raises(FactsError) as err:
        load_facts(filled, campaign)
    (p,) = err.value.problems
    assert (p.code, p.location.sheet, p.location.line) == ("missing-key", SHEET, 12)
    ws["A12"], ws["B12"] = "A07", "Chiến sĩ thi đua toàn quốc"  # not an award of the campaign
    ws["A13"], ws["B13"] = "A99", "Chiến sĩ thi đua cơ sở"  # not a subject of the form
    wb.save(filled)
    with pytest.raises(FactsError) as err:
        load_facts(filled, campaign)
    got = sorted((p.code, p.location.sheet, p.location.line, p.location.column) for p in err.value.problems)
    assert got == [("unknown-award", SHEET, 12, 2), ("unknown-subject", SHEET, 13, 1)]
    text = {p.code: str(p) for p in err.value.problems}
    assert f"filled.xlsx:{SHEET}!B12" in text["unknown-award"]
    assert f"filled.xlsx:{SHEET}!A13" in text["unknown-subject"]
    assert "A09" in (next(p for p in err.value.problems if p.code == "unknown-subject").hint or "")
