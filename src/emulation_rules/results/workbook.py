"""Result workbooks (.xlsx) people read: ``evaluate|targets|initiatives --format xlsx -o FILE``.

Every sheet renders the run's one presentation (:mod:`emulation_rules.results.presentation`),
as the HTML page and the text table do; Vietnamese by default, English with ``lang="en"``:

* **Tổng hợp** (summary): the campaign, review date and phase; verdict counts per award;
  minimum shares and caps, each labelled as what it is, with status and what is short or over
  (grouped quotas: one row per group, then the awardees a cap ranks); targets of the phase with
  value, figure and status; initiatives accepted and excluded; a blank submission says so;
* **Kết quả** (verdicts): one row per subject, its awards side by side (the verdict, with
  "vượt hạn mức" beside it when a cap ranks the subject over the quota);
* **Thẩm định**, **Thẩm định - số liệu**, **Thẩm định - tiêu chí** (with ``--reviewed``): the
  self-assessed and the reviewed verdict, points and band side by side, every corrected fact and
  every changed criterion with both values and the note (:mod:`.review_report`);
* **Chi tiết** (details): one row per subject and award: verdict, quota outcome, points, band,
  failing criteria, missing facts and the reason in words;
* **Tiêu chí** (criteria): one row per criterion, status, the rule, the values used and the
  plan clause cited;
* **Chỉ tiêu**, **Sáng kiến**: targets and initiatives in full, when given;
* **Khiếm khuyết** (defects): the campaign's recorded defects of the plan text and their
  resolutions; **Bị loại**: facts problems of subjects left out (``--skip-invalid``).

Every text cell is written as text: a value beginning with ``=``, ``+``, ``-``, ``@``, tab or
CR (a subject name such as ``=HYPERLINK(...)``) is stored as a string with Excel's quote
prefix, never as a formula. Needs openpyxl (the ``xlsx`` extra).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import Problem
from emulation_rules.evaluate.result import Evaluation
from emulation_rules.results._tables import present
from emulation_rules.results.presentation import Cell, Presentation, Table
from emulation_rules.results.render import FORMULA_TRIGGERS
from emulation_rules.results.review import SubjectReview
from emulation_rules.results.review_report import REVIEW_WORDS, review_tables
from emulation_rules.results.summary import VerdictCounts
from emulation_rules.results.targets import TargetReport
from emulation_rules.results.words import STATUS, Lang, word
from emulation_rules.writing import replacing

__all__ = [
    "FORMULA_TRIGGERS",
    "STATUS_COLOURS",
    "print_setup",
    "put",
    "write_workbook",
]


STATUS_COLOURS = {  # fill colours (RGB) of a verdict or status key: green, red, amber, grey, blue
    "awarded": "C6EFCE",
    "not_awarded": "FFC7CE",
    "incomplete": "FFEB9C",
    "not_eligible": "E7E6E6",
    "not_proposed": "F2F2F2",
    "pass": "C6EFCE",
    "met": "C6EFCE",
    "fail": "FFC7CE",
    "not_met": "FFC7CE",
    "pending": "DDEBF7",
    "unknown": "FFEB9C",
}
_HEADER_FILL = "DDEBF7"
_SHEETS = {"subjects": "verdicts", "details": "details", "criteria": "criteria", "targets": "targets",
           "initiatives": "initiatives", "defects": "defects", "rejected": "rejected"}


def write_workbook(
    target: str | os.PathLike[str],
    campaign: m.Campaign,
    *,
    evaluation: Evaluation | None = None,
    targets: TargetReport | None = None,
    initiatives: Sequence[Any] | None = None,
    rejected: Sequence[Problem] = (),
    counts: VerdictCounts | None = None,
    lang: Lang = "vi",
    review: Sequence[SubjectReview] | None = None,
) -> Path:
    """Write a result workbook (whole or not at all: a temporary file beside it, then renamed).

    Args:
        target: the .xlsx file to write.
        campaign: the campaign (labels of facts, defects).
        evaluation: verdicts (``evaluate``), if any.
        targets: the targets report (``targets``, or ``evaluate`` of a campaign with targets).
        initiatives: judged initiative register
            (:class:`~emulation_rules.facts.initiatives.InitiativeAssessment`), if any.
        rejected: facts problems of subjects left out.
        counts: verdicts per award of a bulk run (the summary only: its rows are in a file).
        lang: ``vi`` (default) or ``en`` headings and words.
        review: the upper level's review (``evaluate --reviewed``): three sheets after the
            verdicts, the self-assessed and the reviewed result side by side
            (:mod:`~emulation_rules.results.review_report`).

    Returns:
        The path written.

    Raises:
        ImportError: openpyxl is not installed.
        OSError: the file cannot be written.
    """
    from openpyxl import Workbook

    p = present(campaign, evaluation=evaluation, targets=targets, initiatives=initiatives,
                rejected=rejected, counts=counts, lang=lang)
    wb = Workbook()
    w = _Writer(wb, lang)
    w.summary(wb.active, p)
    reviewed = review_tables(review, campaign, lang) if review is not None else ()
    for table in p.detail_tables():
        if table.rows or table.id in ("subjects", "details", "criteria", "defects"):
            w.table(word(_SHEETS[table.id], lang), table)
        if table.id == "subjects":  # the review beside the verdicts
            for t in reviewed:
                vi, en = REVIEW_WORDS["sheet_" + t.id.replace("-", "_")]
                w.table(vi if lang == "vi" else en, t)
    for ws in wb.worksheets:
        print_setup(ws)
    path = Path(target)
    with replacing(path) as tmp:
        wb.save(tmp)
    return path


def print_setup(ws: Any) -> None:
    """Landscape A4, fitted to the page width, header row repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.max_row > 1 and ws.freeze_panes:
        ws.print_title_rows = f"1:{int(ws.freeze_panes[1:]) - 1}"


def put(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write ``value`` to a cell; text is always stored as text (never a formula)."""
    cell = ws.cell(row, col)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    elif isinstance(value, (dt.date, int, float, bool)) or value is None:
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = "dd/mm/yyyy"
    else:
        put(ws, row, col, str(value))
    return cell


class _Writer:
    def __init__(self, wb: Any, lang: Lang) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.wb = wb
        self.lang: Lang = lang
        self.bold = Font(bold=True)
        self._fill = PatternFill
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")

    def fill(self, rgb: str) -> Any:
        """A solid fill of colour ``rgb``."""
        return self._fill("solid", fgColor=rgb)

    def cell(self, ws: Any, r: int, j: int, cell: Cell, coloured: bool) -> Any:
        out = put(ws, r, j, cell.value)
        if coloured and cell.key in STATUS_COLOURS:
            out.fill = self.fill(STATUS_COLOURS[cell.key])
        return out

    def head(self, ws: Any, r: int, table: Table) -> None:
        for j, col in enumerate(table.columns, start=1):
            cell = put(ws, r, j, col.title)
            cell.font = self.bold
            cell.fill = self.fill(STATUS_COLOURS.get(col.key, _HEADER_FILL))
            cell.alignment = self.wrap

    def table(self, title: str, table: Table) -> Any:
        """A sheet of ``table``: a bold header, frozen, filtered; status cells coloured."""
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title)
        self.head(ws, 1, table)
        for j, col in enumerate(table.columns, start=1):
            ws.column_dimensions[get_column_letter(j)].width = col.width
        for i, row in enumerate(table.rows, start=2):
            lines = 1
            for j, (col, c) in enumerate(zip(table.columns, row.cells, strict=True), start=1):
                out = self.cell(ws, i, j, c, j - 1 in table.colour)
                out.alignment = self.top
                if isinstance(c.value, str) and len(c.value) > col.width:
                    out.alignment = self.wrap
                    lines = max(lines, _lines(c.value, col.width))
            if lines > 1:  # spreadsheets do not grow a row for wrapped text they did not lay out
                ws.row_dimensions[i].height = 15 * min(lines, 12)
        ws.freeze_panes = "A2"
        if table.rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
        return ws

    def summary(self, ws: Any, p: Presentation) -> None:
        ws.title = word("summary", self.lang)
        ws.column_dimensions["A"].width = 48
        for letter in "BCDEFGH":
            ws.column_dimensions[letter].width = 16
        put(ws, 1, 1, f"{word('title', self.lang)}: {p.title}").font = self.bold
        put(ws, 2, 1, p.issuer)
        put(ws, 3, 1, word("as_of", self.lang))
        put(ws, 3, 2, p.as_of.value)
        put(ws, 4, 1, word("phase", self.lang))
        put(ws, 4, 2, p.phase.text or None)
        r = 6
        for note in p.notes:
            put(ws, r, 1, note).font = self.bold
            r += 2
        for table in (p.counts, p.quotas, p.quota_groups, p.outcomes, p.target_summary):
            if table is None or not table.rows:
                continue
            put(ws, r, 1, table.title).font = self.bold
            self.head(ws, r + 1, table)
            r += 1
            for row in table.rows:
                r += 1
                for j, c in enumerate(row.cells, start=1):
                    self.cell(ws, r, j, c, j - 1 in table.colour)
            r += 2
        if p.initiative_counts is not None:
            put(ws, r, 1, word("initiatives", self.lang)).font = self.bold
            for i, key in enumerate(("accepted", "excluded"), start=1):
                put(ws, r + i, 1, _status(key, self.lang))
                put(ws, r + i, 2, p.initiative_counts[key])


def _status(key: str, lang: Lang) -> str:
    vi, en = STATUS[key]
    return vi if lang == "vi" else en


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (an estimate)."""
    per_line = max(int(width * 1.1), 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
