"""Issue 20, item 5: the dossier (hồ sơ đề nghị) of the worked example's 2025 review, read back
from the written .xlsx and HTML and compared with the evaluation's JSON."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from emulation_rules.cli.app import run

from ..conftest import EXAMPLES

CYCLE = EXAMPLES / "review_cycle"
ARGS = [str(CYCLE / "campaign.yaml"), "--facts", str(CYCLE / "facts_2025.yaml"),
        "--reviewed", str(CYCLE / "review_2025.yaml")]


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _json() -> dict:
    out = io.StringIO()
    assert run(["evaluate", *ARGS, "--format", "json"], stdout=out, stderr=io.StringIO()) == 0
    return json.loads(out.getvalue())


def test_the_html_dossier_lists_the_proposed_and_the_votes(tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    target = tmp_path / "dossier.html"
    assert run(["dossier", *ARGS, "-o", str(target)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    text = target.read_text(encoding="utf-8")
    assert "@page { size: A4" in text
    parser = _Cells()
    parser.feed(text)
    data = _json()
    # one list per award with someone judged (not_proposed left out), then the vote table
    cstdcs = parser.tables[1]
    judged = [s["id"] for s in data["subjects"] for a in s["awards"]
              if a["award"] == "grassroots_emulation_fighter" and a["verdict"] != "not_proposed"]
    assert [row[1] for row in cstdcs[1:]] == judged == ["A07", "A08", "A09", "A10"]
    assert cstdcs[1][4] == "Đạt" and cstdcs[2][4] == "Không đạt" and cstdcs[3][4] == "Chưa đủ căn cứ"
    votes = parser.tables[-1]
    assert votes[0][:8] == ["TT", "Danh hiệu", "Mã", "Họ tên / tên", "Thành viên", "Có mặt", "Đồng ý", "Tỷ lệ (%)"]
    a08 = next(r for r in votes if r[2] == "A08" and r[1] == "Chiến sĩ thi đua cơ sở")
    assert a08[4:8] == ["9", "8", "5", "62.50"] and a08[9] == "Không đạt"  # 5/8 < 70% (line 13)
    assert "Quy chế 05/QĐ-CTA (ví dụ), Điều 6 (dòng 12-13)" in a08[8]
    a09 = next(r for r in votes if r[2] == "A09")
    assert "chưa bỏ phiếu" in a09 and a09[-2] == "Chưa bỏ phiếu"


def test_the_xlsx_dossier_reads_as_the_json(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "dossier.xlsx"
    assert run(["dossier", *ARGS, "-o", str(target)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["1. Lao động tiên tiến", "2. Chiến sĩ thi đua cơ sở", "3. Giấy khen của Giám đốc",
                               "Bỏ phiếu"]
    verdicts = {(s["id"], a["award"]): a["verdict"] for s in _json()["subjects"] for a in s["awards"]}
    words = {"awarded": "Đạt", "not_awarded": "Không đạt", "incomplete": "Chưa đủ căn cứ"}
    for sheet, award in zip(book.sheetnames[:3], ("advanced_laborer", "grassroots_emulation_fighter",
                                                   "director_certificate"), strict=True):
        rows = list(book[sheet].iter_rows(min_row=4, values_only=True))
        assert rows, sheet
        for row in rows:
            assert row[4] == words[verdicts[(row[1], award)]], (sheet, row)
    votes = list(book["Bỏ phiếu"].iter_rows(min_row=3, values_only=True))
    assert [(r[2], r[6], r[10]) for r in votes] == [("A07", 7, "Đạt"), ("A08", 5, "Không đạt"),
                                                    ("A09", None, "Chưa bỏ phiếu"), ("A10", 6, "Đạt"),
                                                    ("A07", 6, "Đạt")]


def test_a_name_is_escaped_and_a_bad_target_refused(tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    facts = tmp_path / "f.yaml"
    facts.write_text((CYCLE / "facts_2025.yaml").read_text(encoding="utf-8").replace(
        'name: "Người lao động A07"', 'name: "<script>alert(1)</script>"'), encoding="utf-8")
    target = tmp_path / "d.html"
    assert run(["dossier", str(CYCLE / "campaign.yaml"), "--facts", str(facts), "-o", str(target)],
               stdout=io.StringIO(), stderr=io.StringIO()) == 0
    text = target.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text
    err = io.StringIO()
    assert run(["dossier", str(CYCLE / "campaign.yaml"), "--facts", str(facts), "-o", str(tmp_path / "d.pdf")],
               stdout=io.StringIO(), stderr=err) == 2
    assert not (tmp_path / "d.pdf").exists()
