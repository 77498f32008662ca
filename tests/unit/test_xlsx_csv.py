"""xlsx = CSV (issue 22, item 7): a facts CSV opened in a spreadsheet program and saved as .xlsx
reads exactly as the CSV, JSON record cells (``initiatives``) and ``history`` included; and the
generated form's history sheet (the titles held) is read back as a YAML ``history`` list is.

A spreadsheet program saving a CSV types what looks like a number as a number and TRUE/FALSE as
booleans, and keeps every other cell (dates written D/M/YYYY, "có", JSON lists) as text:
:func:`_as_a_spreadsheet_saves` does the same with openpyxl.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from emulation_rules import Engine, load_campaign, load_facts
from emulation_rules.errors import FactsError

from ..conftest import CAMPAIGNS, EXAMPLES, ROOT

DEPS = ROOT / "tests" / "data" / "award_deps"
SHIPPED_CSV = sorted(p for p in EXAMPLES.rglob("*.csv")  # facts files (a register table of the review cycle is not)
                     if (CAMPAIGNS / f"{p.relative_to(EXAMPLES).parts[0]}.yaml").is_file())


def _campaign_of(path: Path) -> Path:
    return CAMPAIGNS / f"{path.relative_to(EXAMPLES).parts[0]}.yaml"


def _as_a_spreadsheet_saves(rows: list[list[str]], target: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            value: Any = text if text != "" else None
            if re.fullmatch(r"-?\d+", text):
                value = int(text)
            elif re.fullmatch(r"-?\d+\.\d+", text):
                value = float(text)
            elif text.upper() in ("TRUE", "FALSE"):
                value = text.upper() == "TRUE"
            ws.cell(r, c, value)
    wb.save(target)
    return target


def _subjects(sub: Any) -> list[tuple[Any, ...]]:
    return [(s.id, s.kind, s.level, s.role, s.unit, s.name, dict(s.facts), s.history) for s in sub.subjects]


def _convert(csv_path: Path, tmp_path: Path) -> Path:
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    return _as_a_spreadsheet_saves(rows, tmp_path / f"{csv_path.stem}.xlsx")


@pytest.mark.parametrize("path", SHIPPED_CSV, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_a_shipped_csv_saved_as_xlsx_reads_as_the_csv(path: Path, tmp_path: Path) -> None:
    campaign = load_campaign(_campaign_of(path))
    from_csv = load_facts(path, campaign)
    from_xlsx = load_facts(_convert(path, tmp_path), campaign)
    assert _subjects(from_xlsx) == _subjects(from_csv)
    assert from_csv.subjects  # the example has subjects


def test_json_cells_of_records_and_history_read_as_in_the_csv(tmp_path: Path) -> None:
    """tests/data/award_deps/facts.yaml written as a CSV with a ``history`` JSON column, then saved
    as .xlsx: the same subjects, histories and verdicts from the YAML, the CSV and the workbook;
    examples/tkv_2019/individuals.csv's ``initiatives`` column (a JSON list per person) is
    read as records from the workbook too (the first test)."""
    import json

    campaign = load_campaign(DEPS / "campaign.yaml")
    doc = yaml.safe_load((DEPS / "facts.yaml").read_text(encoding="utf-8"))
    facts = sorted({k for s in doc["subjects"] for k in s.get("facts", {})})
    head = ["id", "kind", "role", *facts, "history"]
    rows = [head] + [[s["id"], s["kind"], s["role"], *(str(s["facts"].get(k, "")).lower() for k in facts),
                      json.dumps(s["history"], ensure_ascii=False) if "history" in s else ""]
                     for s in doc["subjects"]]
    src = tmp_path / "deps.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    book = _convert(src, tmp_path)
    yaml_sub, csv_sub, xlsx_sub = (load_facts(p, campaign) for p in (DEPS / "facts.yaml", src, book))
    assert _subjects(xlsx_sub) == _subjects(csv_sub)
    assert [s.history for s in xlsx_sub.subjects] == [s.history for s in yaml_sub.subjects]
    engine = Engine(campaign, backend="python")
    as_of = yaml_sub.as_of
    assert engine.evaluate(xlsx_sub, as_of=as_of).verdicts() == engine.evaluate(yaml_sub, as_of=as_of).verdicts()
    tkv = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    people = load_facts(_convert(EXAMPLES / "tkv_2019" / "individuals.csv", tmp_path), tkv)
    assert all(isinstance(s.facts["initiatives"], tuple) for s in people.subjects if "initiatives" in s.facts)


def test_a_records_cell_that_is_not_json_is_located(tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO((EXAMPLES / "tkv_2019" / "individuals.csv").read_text(encoding="utf-8"))))
    col = rows[0].index("initiatives")
    rows[2][col] = '[{"title": "x",'
    book = _as_a_spreadsheet_saves(rows, tmp_path / "bad.xlsx")
    with pytest.raises(FactsError) as err:
        load_facts(book, load_campaign(CAMPAIGNS / "tkv_2019.yaml"))
    (p,) = err.value.problems
    assert p.code == "invalid-value" and "records cell is not a JSON list" in p.message
    assert (p.location.sheet, p.location.line, p.location.column) == ("Sheet", 3, col + 1)


def _fill_form(form: Path, doc: dict[str, Any], *, history: bool = True) -> Path:
    """Fill the generated form as a union would: one row per person, the titles held on the
    history sheet (a person with an empty history: a row with only the id)."""
    wb = openpyxl.load_workbook(form)
    ws = wb["Cá nhân"]
    keys = [c.value for c in ws[2]]
    for r, s in enumerate(doc["subjects"], start=3):
        values = {"id": s["id"], "role": s["role"], **s["facts"]}
        for c, key in enumerate(keys, start=1):
            if key in values:
                ws.cell(r, c, values[key])
    hs = wb["Danh hiệu đã đạt"]
    hkeys = [c.value for c in hs[2]]
    row = 3
    for s in doc["subjects"] if history else ():
        for entry in s.get("history", ()) or [{}] if "history" in s else ():
            values = {"@history.subject": s["id"], **{f"@history.{k}": v for k, v in entry.items()}}
            for c, key in enumerate(hkeys, start=1):
                if key in values:
                    hs.cell(row, c, values[key])
            row += 1
    helper = wb["Hướng dẫn"]
    helper["C5"] = doc["as_of"]
    out = form.with_name("filled.xlsx")
    wb.save(out)
    return out


def test_the_forms_history_sheet_is_read_back(tmp_path: Path) -> None:
    from emulation_rules.authoring.forms import FormSpec, write_form

    campaign = load_campaign(DEPS / "campaign.yaml")
    doc = yaml.safe_load((DEPS / "facts.yaml").read_text(encoding="utf-8"))
    form = write_form(campaign, tmp_path / "form.xlsx", FormSpec(kinds=("individual",), rows=20))
    assert "Danh hiệu đã đạt" in openpyxl.load_workbook(form).sheetnames
    filled = _fill_form(form, doc)
    from_form, from_yaml = load_facts(filled, campaign), load_facts(DEPS / "facts.yaml", campaign)
    assert [(s.id, s.history) for s in from_form.subjects] == [(s.id, s.history) for s in from_yaml.subjects]
    engine = Engine(campaign, backend="python")
    assert engine.evaluate(from_form).verdicts() == engine.evaluate(from_yaml).verdicts()
    # a row naming no subject of the form is located, with the subjects it could be
    wb = openpyxl.load_workbook(filled)
    wb["Danh hiệu đã đạt"]["A40"] = "S1-all-pas"
    wb.save(filled)
    with pytest.raises(FactsError) as err:
        load_facts(filled, campaign)
    (p,) = err.value.problems
    assert p.code == "unknown-subject" and (p.location.sheet, p.location.line) == ("Danh hiệu đã đạt", 40)
    assert p.hint is not None and "S1-all-pass" in p.hint
