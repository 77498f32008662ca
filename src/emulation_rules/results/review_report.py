"""The upper level's review in the HTML page and the workbook: the self-assessed and the reviewed
result side by side (``evaluate --reviewed FILE --format html|xlsx``).

Three tables of :class:`~emulation_rules.results.presentation.Table`, from the same review the
table and the JSON show (:func:`emulation_rules.results.review.compare`), rendered by the page
and the workbook like every other table:

* ``review``: one row per reviewed subject and award: the self-assessed and the reviewed
  verdict, points and band, in two columns each;
* ``review-facts``: every corrected fact (or score-sheet item) with the unit's value, the
  reviewer's, the note (diễn giải) and the reviewer;
* ``review-criteria``: every criterion that reads a corrected fact or changed its status, with
  both statuses, the corrected facts it reads with both values, and their notes.

A cell's ``key`` is the code the JSON gives (award, verdict, criterion, fact, status; points as
``%g``), so a test can read the page back against ``--format json``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.results.presentation import Cell, Column, Formatter, Row, Table
from emulation_rules.results.review import FactChange, SubjectReview
from emulation_rules.results.words import Lang

__all__ = ["REVIEW_ROW_KEYS", "REVIEW_WORDS", "review_tables"]

REVIEW_WORDS: dict[str, tuple[str, str]] = {
    "review": ("Thẩm định: tự đánh giá và kết quả sau thẩm định (kết quả được tính là kết quả sau thẩm định)",
               "Review: self-assessed and reviewed (the reviewed verdict counts)"),
    "review_facts": ("Thẩm định: số liệu được sửa", "Review: facts corrected"),
    "review_criteria": ("Thẩm định: tiêu chí thay đổi", "Review: criteria changed"),
    "sheet_review": ("Thẩm định", "Review"),
    "sheet_review_facts": ("Thẩm định - số liệu", "Review - facts"),
    "sheet_review_criteria": ("Thẩm định - tiêu chí", "Review - criteria"),
    "subject": ("Mã đối tượng", "Subject"),
    "name": ("Tên", "Name"),
    "award": ("Danh hiệu / hình thức", "Award"),
    "self_verdict": ("Kết quả tự đánh giá", "Self-assessed verdict"),
    "reviewed_verdict": ("Kết quả sau thẩm định", "Reviewed verdict"),
    "self_points": ("Điểm tự chấm", "Self-assessed points"),
    "reviewed_points": ("Điểm sau thẩm định", "Reviewed points"),
    "self_band": ("Xếp loại tự đánh giá", "Self-assessed band"),
    "reviewed_band": ("Xếp loại sau thẩm định", "Reviewed band"),
    "changed": ("Thay đổi", "Changed"),
    "fact": ("Số liệu", "Fact"),
    "item": ("Mục chấm điểm", "Score-sheet item"),
    "self_value": ("Đơn vị tự kê / tự chấm", "Unit's value"),
    "reviewed_value": ("Sau thẩm định", "Reviewed value"),
    "note": ("Diễn giải", "Note"),
    "reviewer": ("Người thẩm định", "Reviewer"),
    "criterion": ("Tiêu chí", "Criterion"),
    "self_status": ("Tự đánh giá", "Self-assessed"),
    "reviewed_status": ("Sau thẩm định", "Reviewed"),
    "corrected_facts": ("Số liệu được sửa mà tiêu chí đọc", "Corrected facts it reads"),
    "yes": ("có", "yes"),
    "no": ("", ""),
}
"""The review tables' headings and words, Vietnamese and English."""

REVIEW_ROW_KEYS: dict[str, tuple[tuple[str, int], ...]] = {
    "review": (("subject", 0), ("award", 2)),
    "review-facts": (("subject", 0), ("fact", 2)),
    "review-criteria": (("subject", 0), ("award", 1), ("criterion", 2)),
}
"""Per review table, the page's ``data-*`` attributes of a row (as ``html.ROW_KEYS``)."""


def _w(key: str, lang: Lang) -> str:
    vi, en = REVIEW_WORDS[key]
    return vi if lang == "vi" else en


def _band(campaign: m.Campaign | None, award_id: str, band: str | None, f: Formatter) -> Cell:
    """A band by its label (its id as key)."""
    if band is None:
        return Cell("")
    for a in campaign.awards if campaign is not None else ():
        if a.id == award_id and a.score_sheet is not None:
            for b in a.score_sheet.bands:
                if b.id == band:
                    return Cell.of(f.text(b.label), band)
    return Cell.of(band, band)


def _points(points: float | None, f: Formatter) -> Cell:
    return Cell(f.number(points), points, None if points is None else f"{points:g}")


def _status(code: str, f: Formatter) -> Cell:
    return Cell.of("—" if code == "-" else f.status(code), code)


def _change(c: FactChange, f: Formatter) -> str:
    """``fact: self → reviewed`` in words."""
    return f"{f.fact(c.fact)}: {f.fact_value(c.fact, c.self_value)} → {f.fact_value(c.fact, c.reviewed_value)}"


def review_tables(reviews: Sequence[SubjectReview], campaign: m.Campaign | None, lang: Lang = "vi"
                  ) -> tuple[Table, Table, Table]:
    """The ``review``, ``review-facts`` and ``review-criteria`` tables of ``reviews``."""
    f = Formatter(lang, campaign)

    def col(key: str, width: float = 16, numeric: bool = False) -> Column:
        return Column(key, _w(key, lang), width, numeric)

    awards: list[Row] = []
    facts: list[Row] = []
    criteria: list[Row] = []
    for r in reviews:
        subject = Cell.of(r.subject_id, r.subject_id)
        by_fact: dict[str, list[FactChange]] = {}
        for c in r.changes:
            by_fact.setdefault(c.fact, []).append(c)
            facts.append(Row((subject, Cell.of(r.name or ""), Cell.of(f.fact(c.fact), c.fact), Cell.of(c.item or ""),
                              _value(c.fact, c.self_value, f), _value(c.fact, c.reviewed_value, f),
                              Cell.of(c.note or ""), Cell.of(c.reviewer or ""))))
        for a in r.awards:
            award = Cell.of(f.text(a.label), a.award_id)
            changed = a.self_verdict != a.reviewed_verdict or a.self_points != a.reviewed_points
            awards.append(Row((subject, Cell.of(r.name or ""), award,
                               Cell.of(f.verdict(a.self_verdict), a.self_verdict),
                               Cell.of(f.verdict(a.reviewed_verdict), a.reviewed_verdict),
                               _points(a.self_points, f), _points(a.reviewed_points, f),
                               _band(campaign, a.award_id, a.self_band, f),
                               _band(campaign, a.award_id, a.reviewed_band, f),
                               Cell.of(_w("yes" if changed else "no", lang), "changed" if changed else None))))
            for cid, label, st0, st1, read in a.criteria:
                changes = [c for x in read for c in by_fact.get(x, ())]
                criteria.append(Row((subject, award, Cell.of(f.text(label), cid), _status(st0, f), _status(st1, f),
                                     Cell.of("; ".join(_change(c, f) for c in changes), ";".join(read)),
                                     Cell.of("; ".join(c.note for c in changes if c.note)),
                                     Cell.of("; ".join(dict.fromkeys(c.reviewer for c in changes if c.reviewer))))))
    return (
        Table("review", _w("review", lang), (
            col("subject", 14), col("name", 28), col("award", 30), col("self_verdict", 16),
            col("reviewed_verdict", 16), col("self_points", 12, True), col("reviewed_points", 12, True),
            col("self_band", 14), col("reviewed_band", 14), col("changed", 10)), tuple(awards), colour=(3, 4)),
        Table("review-facts", _w("review_facts", lang), (
            col("subject", 14), col("name", 28), col("fact", 30), col("item", 16), col("self_value", 22),
            col("reviewed_value", 22), col("note", 50), col("reviewer", 30)), tuple(facts)),
        Table("review-criteria", _w("review_criteria", lang), (
            col("subject", 14), col("award", 30), col("criterion", 36), col("self_status", 14),
            col("reviewed_status", 14), col("corrected_facts", 44), col("note", 50), col("reviewer", 30)),
            tuple(criteria), colour=(3, 4)),
    )


def _value(fact: str, value: Any, f: Formatter) -> Cell:
    """A fact value in words; a spreadsheet stores a number or a date as itself; the key is the
    value as the JSON gives it (JSON text)."""
    text = f.fact_value(fact, value)
    stored = value if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool) else text
    code = json.dumps(value.isoformat() if isinstance(value, dt.date) else value, ensure_ascii=False)
    return Cell(text, stored, code)
