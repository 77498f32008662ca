"""The user guide (docs/guide.en.md, docs/guide.vi.md) against the library.

(a) every problem code of :data:`~emulation_rules.errors.PROBLEM_CODES` has a row in the error
table of both guides; (b) each row's example message is what the library actually prints for an
input that produces it: the campaign files of ``tests/cases/invalid/<code>.yaml`` (run through
``emulation-rules validate``), the commands listed in ``tests/cases/guide/inputs.yaml`` (facts,
initiative registers, author cases), a few inputs too large or binary to ship, built here
(``BUILT``), and the HTTP service's request options (``tests/cases/guide/requests/<code>.yaml``,
sent to a real server by ``tests/service/test_guide_requests.py``). A changed message fails
here until the guide is changed with it. Adding a code: a row in both tables and an input.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from emulation_rules.campaign.safe_yaml import MAX_BYTES
from emulation_rules.campaign.texts import WARNING_CODES
from emulation_rules.cli.app import run
from emulation_rules.errors import PROBLEM_CODES

from ..conftest import ROOT

GUIDES = {"en": ROOT / "docs" / "guide.en.md", "vi": ROOT / "docs" / "guide.vi.md"}
INVALID = ROOT / "tests" / "cases" / "invalid"
GUIDE_INPUTS = ROOT / "tests" / "cases" / "guide"
REQUESTS = GUIDE_INPUTS / "requests"
ROW = re.compile(r"^\| `([a-z]+(?:-[a-z]+)*)` \| `(.+)` \| (.+) \|$")


def table(lang: str) -> dict[str, str]:
    """``{code: example message}`` from the error table of one guide."""
    rows: dict[str, str] = {}
    for line in GUIDES[lang].read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match[1] not in rows, f"{lang}: {match[1]} has two rows"
            rows[match[1]] = match[2]
    return rows


def _csv_field_too_long(tmp: Path) -> list[str]:
    # Python's csv module refuses a cell over 131,072 characters
    (tmp / "long.csv").write_text("id,kind,level,name\nCD-A,collective,grassroots_union," + "x" * 140_000 + "\n",
                                  encoding="utf-8")
    return ["evaluate", "campaigns/tkv_2019.yaml", "--facts", str(tmp / "long.csv")]


def _campaign_too_large(tmp: Path) -> list[str]:
    (tmp / "big.yaml").write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    return ["validate", str(tmp / "big.yaml")]


def _many_bad_rows(tmp: Path) -> list[str]:
    rows = "".join(f"CD-{i},collective,grassroots_union,maybe\n" for i in range(1100))
    (tmp / "many.csv").write_text("id,kind,level,launched_campaign\n" + rows, encoding="utf-8")
    return ["evaluate", "campaigns/tkv_2019.yaml", "--bulk", "--output", str(tmp / "out.csv"),
            "--facts", str(tmp / "many.csv")]


def _nested_parquet(tmp: Path) -> list[str]:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table_ = pa.table({"id": ["NV-1"], "kind": ["individual"], "role": ["member"],
                       "initiatives": [[{"title": "t", "applied": True}]]})
    pq.write_table(table_, tmp / "nested.parquet")
    return ["evaluate", "campaigns/tkv_2019.yaml", "--bulk", "--output", str(tmp / "out.csv"),
            "--facts", str(tmp / "nested.parquet")]


def _count_disagrees(tmp: Path) -> list[str]:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cá nhân"
    ws.append(["id", "kind", "role", "initiatives"])
    ws.append(["NV-1", "individual", "member", 2])
    rec = wb.create_sheet("Đề tài")
    rec.append(["@subject", "initiatives.title", "initiatives.accepted_by", "initiatives.applied",
                "initiatives.high_effect"])
    rec.append(["NV-1", "A", "Hội đồng sáng kiến", "Có", "Có"])
    wb.save(tmp / "count.xlsx")
    return ["evaluate", "campaigns/tkv_2019.yaml", "--facts", str(tmp / "count.xlsx")]


def _xlsx(tmp: Path, name: str, sheet_data: str, strings: str | None = None, pad: int = 0) -> Path:
    """A minimal workbook written part by part (openpyxl would not write these on purpose)."""
    import zipfile

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    path = tmp / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" '
                   'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f"<worksheet {ns}><sheetData>{sheet_data}</sheetData></worksheet>")
        if strings is not None:
            z.writestr("xl/sharedStrings.xml", f"<sst {ns}>{strings}</sst>")
        if pad:
            with z.open("xl/media/pad.bin", "w") as handle:
                for _ in range(pad):
                    handle.write(bytes(1 << 20))
    return path


def _far_cell(tmp: Path) -> list[str]:
    # one cell at XFD1048576 once aborted the process (a 512 GiB rectangle, issue 23)
    path = _xlsx(tmp, "far.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
                 '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    return ["evaluate", "campaigns/tkv_2019.yaml", "--facts", str(path)]


def _copied_strings(tmp: Path) -> list[str]:
    cells = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>' for i in range(1, 2001))
    path = _xlsx(tmp, "strings.xlsx", cells, f"<si><t>{'x' * 40_000}</t></si>")
    return ["evaluate", "campaigns/tkv_2019.yaml", "--facts", str(path)]


def _inflated(tmp: Path) -> list[str]:
    path = _xlsx(tmp, "inflated.xlsx", "", pad=256)
    return ["evaluate", "campaigns/tkv_2019.yaml", "--bulk", "--output", str(tmp / "out.csv"),
            "--facts", str(path)]


def _history_conflict(tmp: Path) -> list[str]:
    table = tmp / "list.csv"
    table.write_text("subject,title,year\nA07,grassroots_emulation_fighter,2024\n", encoding="utf-8")
    db = str(tmp / "register.sqlite")
    assert run(["register", "add", db, "--table", str(table), "--number", "21/QĐ-CTA", "--date", "2024-12-30",
                "--issued-by", "Giám đốc Công ty A"], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    (tmp / "facts.yaml").write_text(
        "subjects:\n  - id: A07\n    kind: individual\n    role: employee\n    facts: {}\n"
        "    history: [{title: grassroots_emulation_fighter, year: 2024, decision: 12/QĐ-CTA}]\n",
        encoding="utf-8")
    return ["evaluate", "examples/review_cycle/campaign.yaml", "--facts", str(tmp / "facts.yaml"),
            "--register", db, "--phase", "year_2025"]


BUILT: dict[str, Callable[[Path], list[str]]] = {
    "too-many-cells": _far_cell,
    "too-many-strings": _copied_strings,
    "inflates-too-large": _inflated,
    "history-conflict": _history_conflict,
    "csv-syntax": _csv_field_too_long,
    "too-large": _campaign_too_large,
    "too-many-problems": _many_bad_rows,
    "unsupported-column": _nested_parquet,
    "record-count": _count_disagrees,
}
"""Inputs too large or binary to ship: written to a temporary directory, then run."""

NOT_FROM_A_FILE: dict[str, str] = {
    "out-of-range": "the readers refuse an integer outside 64 bits first (invalid-value, in the "
                    "guide); this code guards the bulk engine's own typed conversion",
    "missing-extra": "produced only when an optional extra (openpyxl, polars) is not installed; "
                     "the test extra installs them all",
}
"""Codes no input file can produce here, with the reason."""


def _inputs() -> dict[str, list[str]]:
    data = yaml.safe_load((GUIDE_INPUTS / "inputs.yaml").read_text(encoding="utf-8"))
    out = {code: ["validate", str(path.relative_to(ROOT))] for code, path in
           ((p.stem, p) for p in INVALID.glob("*.yaml"))}
    out.update(data)
    return out


def produced(code: str, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The problem lines (``path: message (hint) [code]``) the command for ``code`` prints."""
    monkeypatch.chdir(ROOT)
    argv = BUILT[code](tmp) if code in BUILT else [a.replace("{tmp}", str(tmp)) for a in _inputs()[code]]
    out, err = io.StringIO(), io.StringIO()
    rc = run([*argv, "--lang", "en"], stdout=out, stderr=err)  # the guides' table quotes the English
    text = out.getvalue() + err.getvalue()
    assert rc != 0 or code in WARNING_CODES, text  # a warning: the campaign still loads
    return [unicodedata.normalize("NFC", line) for line in text.splitlines() if line.endswith(f"[{code}]")]


@pytest.mark.parametrize("lang", sorted(GUIDES))
def test_every_code_has_a_row(lang):
    rows = table(lang)
    assert set(PROBLEM_CODES) <= set(rows), sorted(set(PROBLEM_CODES) - set(rows))
    assert set(rows) <= set(PROBLEM_CODES), sorted(set(rows) - set(PROBLEM_CODES))


def test_both_guides_show_the_same_examples():
    assert table("en") == table("vi")


def test_every_code_has_an_input_or_a_reason():
    requests = {p.stem for p in REQUESTS.glob("*.yaml")}
    covered = set(_inputs()) | set(BUILT) | set(NOT_FROM_A_FILE) | requests
    assert set(PROBLEM_CODES) <= covered, sorted(set(PROBLEM_CODES) - covered)


@pytest.mark.parametrize("code", sorted(set(PROBLEM_CODES) - {p.stem for p in REQUESTS.glob("*.yaml")}
                                        - set(NOT_FROM_A_FILE)))
def test_the_example_is_what_the_library_prints(code, tmp_path, monkeypatch):
    if code == "figure-not-in-source" and not (ROOT.parent / "shared" / "seeds").is_dir():
        pytest.skip("the figure check needs the seed texts beside the repository")
    example = table("en").get(code)
    assert example, f"no row for {code} in the guide"
    lines = produced(code, tmp_path, monkeypatch)
    assert any(example in line for line in lines), (example, lines)


@pytest.mark.parametrize("lang", sorted(GUIDES))
def test_guides_are_nfc_and_point_to_no_source_file(lang):
    text = GUIDES[lang].read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert not re.search(r"src/|\.py\b|GLOSSARY|DOMAIN\.md|shared/", text)


def test_schema_refers_to_no_file_outside_the_package(monkeypatch):
    out = io.StringIO()
    assert run(["schema"], stdout=out, stderr=io.StringIO()) == 0
    text = out.getvalue()
    json.loads(text)
    found = re.findall(r".{0,40}(?:GLOSSARY|DOMAIN|shared/|src/|\.md\b|\.py\b|:mod:|:func:|:class:).{0,40}", text)
    assert not found, found


@pytest.mark.parametrize("path", sorted((GUIDE_INPUTS / "facts").iterdir()), ids=lambda p: p.name)
def test_each_facts_input_gives_its_code(path, monkeypatch):
    # the facts readers give the same codes (and lists of valid ids) as the campaign loader
    monkeypatch.chdir(ROOT)
    out, err = io.StringIO(), io.StringIO()
    rc = run(["evaluate", "campaigns/tkv_2019.yaml", "--facts", str(path.relative_to(ROOT)), "--lang", "en"],
             stdout=out, stderr=err)
    assert rc == 2
    lines = [line for line in (out.getvalue() + err.getvalue()).splitlines() if line.endswith(f"[{path.stem}]")]
    assert lines, out.getvalue() + err.getvalue()
    if path.stem.startswith("unknown-") and path.stem != "unknown-key":
        assert any("; valid: " in line and "did you mean" in line for line in lines), lines
