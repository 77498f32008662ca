"""Result workbooks (.xlsx) people read: ``evaluate|targets|initiatives --format xlsx -o FILE``.

Sheets, Vietnamese first (English in the second header line where it helps):

* **Tổng hợp** (summary): the campaign, review date and phase; verdict counts per award;
  quotas with status and shortfall (caps and groups: one row per group, then the ranked
  awardees); targets of the phase with value, figure and status; initiatives accepted and excluded;
* **Kết quả** (verdicts): one row per subject and award, verdict in Vietnamese with its colour,
  points and band, the failing criteria and the missing facts in words;
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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.errors import Problem
from emulation_rules.evaluate.result import Evaluation
from emulation_rules.results.quota_ranking import OUTCOME_LABELS
from emulation_rules.results.render import FORMULA_TRIGGERS
from emulation_rules.results.summary import VerdictCounts, verdict_counts
from emulation_rules.results.targets import TargetReport

__all__ = [
    "FORMULA_TRIGGERS",
    "STATUS_VI",
    "VERDICT_COLOURS",
    "VERDICT_VI",
    "print_setup",
    "put",
    "write_workbook",
]


VERDICT_VI = {
    "awarded": "Đạt",
    "not_awarded": "Không đạt",
    "incomplete": "Thiếu dữ liệu",
    "not_eligible": "Không thuộc đối tượng",
}
VERDICT_COLOURS = {  # fill colours (RGB): green, red, amber, grey
    "awarded": "C6EFCE",
    "not_awarded": "FFC7CE",
    "incomplete": "FFEB9C",
    "not_eligible": "E7E6E6",
}
STATUS_VI = {
    "pass": "Đạt",
    "fail": "Không đạt",
    "unknown": "Chưa rõ",
    "met": "Đạt",
    "not_met": "Không đạt",
    "pending": "Chưa đến hạn",
}
_STATUS_COLOURS = {
    "pass": "C6EFCE",
    "met": "C6EFCE",
    "fail": "FFC7CE",
    "not_met": "FFC7CE",
    "pending": "DDEBF7",
    "unknown": "FFEB9C",
}
_HEADER_FILL = "DDEBF7"
_GROUP_VI = {"all": "Toàn bộ", "no unit": "Không ghi đơn vị", "no level": "Không xác định cấp"}


def write_workbook(
    target: str | os.PathLike[str],
    campaign: m.Campaign,
    *,
    evaluation: Evaluation | None = None,
    targets: TargetReport | None = None,
    initiatives: Sequence[Any] | None = None,
    rejected: Sequence[Problem] = (),
    counts: VerdictCounts | None = None,
) -> Path:
    """Write a result workbook.

    Args:
        target: the .xlsx file to write.
        campaign: the campaign (labels of facts, defects).
        evaluation: verdicts (``evaluate``), if any.
        targets: the targets report (``targets``, or ``evaluate`` of a campaign with targets).
        initiatives: judged initiative register
            (:class:`~emulation_rules.facts.initiatives.InitiativeAssessment`), if any.
        rejected: facts problems of subjects left out.
        counts: verdicts per award of a bulk run (the summary only: its rows are in a file).

    Returns:
        The path written.

    Raises:
        ImportError: openpyxl is not installed.
        OSError: the file cannot be written.
    """
    from openpyxl import Workbook

    wb = Workbook()
    w = _Writer(wb, campaign)
    w.summary(wb.active, evaluation, targets, initiatives, counts)
    if evaluation is not None:
        w.verdicts(evaluation)
        w.criteria(evaluation)
    if targets is not None and targets.results:
        w.targets(targets)
    if initiatives:
        w.initiatives(initiatives)
    w.defects()
    problems = list(rejected) or (list(evaluation.rejected) if evaluation is not None else [])
    if problems:
        w.rejected(problems)
    for ws in wb.worksheets:
        print_setup(ws)
    path = Path(target)
    wb.save(path)
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
    def __init__(self, wb: Any, campaign: m.Campaign) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.wb = wb
        self.c = campaign
        self.bold = Font(bold=True)
        self._fill = PatternFill
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")

    def fill(self, rgb: str) -> Any:
        """A solid fill of colour ``rgb``."""
        return self._fill("solid", fgColor=rgb)

    def fact_label(self, fact_id: str) -> str:
        try:
            return self.c.fact(fact_id).label.vi
        except KeyError:
            return fact_id

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        colour_col: int | None = None,
        colours: dict[str, str] | None = None,
        keys: Sequence[str] | None = None,
    ) -> Any:
        """A sheet with a bold header, frozen, filtered; ``keys[i]`` (the raw verdict/status of
        row i) picks the fill of column ``colour_col``."""
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title)
        for j, (h, width) in enumerate(zip(headers, widths, strict=True), start=1):
            cell = put(ws, 1, j, h)
            cell.font = self.bold
            cell.fill = self.fill(_HEADER_FILL)
            cell.alignment = self.wrap
            ws.column_dimensions[get_column_letter(j)].width = width
        for i, row in enumerate(rows, start=2):
            lines = 1
            for j, value in enumerate(row, start=1):
                cell = put(ws, i, j, value)
                cell.alignment = self.top
                if isinstance(value, str) and len(value) > widths[j - 1]:
                    cell.alignment = self.wrap
                    lines = max(lines, _lines(value, widths[j - 1]))
            if lines > 1:  # spreadsheets do not grow a row for wrapped text they did not lay out
                ws.row_dimensions[i].height = 15 * min(lines, 12)
            if colour_col is not None and keys is not None and colours is not None:
                rgb = colours.get(keys[i - 2])
                if rgb:
                    ws.cell(i, colour_col).fill = self.fill(rgb)
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
        return ws

    # --- sheets --------------------------------------------------------------------------

    def summary(
        self,
        ws: Any,
        evaluation: Evaluation | None,
        targets: TargetReport | None,
        initiatives: Sequence[Any] | None,
        counts: VerdictCounts | None = None,
    ) -> None:
        ws.title = "Tổng hợp"
        c = self.c
        ws.column_dimensions["A"].width = 48
        for letter in "BCDEFG":
            ws.column_dimensions[letter].width = 16
        put(ws, 1, 1, f"KẾT QUẢ XÉT THI ĐUA: {c.title.vi}").font = self.bold
        put(ws, 2, 1, c.issuer.vi)
        run: Any = next((x for x in (evaluation, counts, targets) if x is not None), None)
        as_of = run.as_of if run is not None else None
        phase = run.phase if run is not None else None
        put(ws, 3, 1, "Ngày xét")
        put(ws, 3, 2, as_of)
        put(ws, 4, 1, "Giai đoạn")
        put(ws, 4, 2, _phase_label(c, phase))
        r = 6
        if counts is not None:
            r = self.counts(ws, r, counts.per_award)
        if evaluation is not None:
            r = self.counts(ws, r, verdict_counts(evaluation))
            if evaluation.quotas:
                r = self.quotas(ws, r, evaluation.quotas)
        if targets is not None and targets.results:
            r = self.target_summary(ws, r, targets)
        if initiatives:
            accepted = sum(1 for a in initiatives if a.accepted)
            put(ws, r, 1, "Sáng kiến").font = self.bold
            put(ws, r + 1, 1, "Được công nhận")
            put(ws, r + 1, 2, accepted)
            put(ws, r + 2, 1, "Bị loại")
            put(ws, r + 2, 2, len(initiatives) - accepted)

    def _head(self, ws: Any, r: int, headers: Sequence[str]) -> None:
        for j, h in enumerate(headers, start=1):
            cell = put(ws, r, j, h)
            cell.font = self.bold
            cell.fill = self.fill(_HEADER_FILL)
            cell.alignment = self.wrap

    def counts(self, ws: Any, r: int, per_award: Mapping[str, Mapping[str, int]]) -> int:
        put(ws, r, 1, "Số lượng theo danh hiệu và kết quả").font = self.bold
        r += 1
        self._head(ws, r, ["Danh hiệu / hình thức", *VERDICT_VI.values(), "Tổng"])
        for j, verdict in enumerate(VERDICT_VI, start=2):
            ws.cell(r, j).fill = self.fill(VERDICT_COLOURS[verdict])
        for a in self.c.awards:
            counts = {v: per_award.get(a.id, {}).get(v, 0) for v in VERDICT_VI}
            if not any(counts.values()):
                continue
            r += 1
            put(ws, r, 1, a.label.vi)
            for j, verdict in enumerate(VERDICT_VI, start=2):
                put(ws, r, j, counts[verdict])
            put(ws, r, len(VERDICT_VI) + 2, sum(counts.values()))
        return r + 2

    def quotas(self, ws: Any, r: int, quotas: Sequence[Any]) -> int:
        put(ws, r, 1, "Tỷ lệ tối thiểu trong số được khen").font = self.bold
        r += 1
        self._head(
            ws,
            r,
            [
                "Tỷ lệ",
                "Được khen",
                "Thuộc diện",
                "Tỷ lệ (%)",
                "Yêu cầu (%)",
                "Kết quả",
                "Còn thiếu",
            ],
        )
        for q in quotas:
            r += 1
            row = [
                q.label.vi,
                q.awardees,
                q.qualifying,
                None if q.share is None else round(q.share, 2),
                q.required,
                STATUS_VI.get(q.status, q.status),
                q.shortfall,
            ]
            for j, v in enumerate(row, start=1):
                put(ws, r, j, v)
            ws.cell(r, 6).fill = self.fill(_STATUS_COLOURS.get(q.status, "FFFFFF"))
        extended = [q for q in quotas if q.extended]
        return self.quota_groups(ws, r + 2, extended) if extended else r + 2

    def quota_groups(self, ws: Any, r: int, quotas: Sequence[Any]) -> int:
        """Caps, denominators and groups: one row per group, then the ranked awardees."""
        put(ws, r, 1, "Tỷ lệ, hạn mức theo từng nhóm").font = self.bold
        self._head(ws, r + 1, ["Tỷ lệ", "Nhóm", "Được tính", "Mẫu số", "Giới hạn", "Kết quả", "Nhận xét"])
        r += 1
        for q in quotas:
            for g in q.groups:
                r += 1
                group = g.group if g.group is not None else _GROUP_VI.get(g.label, g.label)
                row = [q.label.vi, group, g.numerator, g.denominator, g.limit, STATUS_VI.get(g.status, g.status),
                       g.advice.vi]
                for j, v in enumerate(row, start=1):
                    put(ws, r, j, v)
                ws.cell(r, 6).fill = self.fill(_STATUS_COLOURS.get(g.status, "FFFFFF"))
        outcomes = [(q, o) for q in quotas for o in q.outcomes]
        if not outcomes:
            return r + 2
        r += 2
        put(ws, r, 1, "Xếp hạng khi vượt hạn mức (kết quả khen thưởng không đổi)").font = self.bold
        self._head(ws, r + 1, ["Tỷ lệ", "Nhóm", "Đối tượng", "Thứ hạng", "Giá trị", "Kết quả", "Ghi chú"])
        r += 1
        for q, o in outcomes:
            r += 1
            value = o.value.isoformat() if isinstance(o.value, dt.date) else o.value
            row = [q.label.vi, o.group, o.subject, o.rank, value, OUTCOME_LABELS[o.status].vi, o.note]
            for j, v in enumerate(row, start=1):
                put(ws, r, j, v)
        return r + 2

    def target_summary(self, ws: Any, r: int, report: TargetReport) -> int:
        put(ws, r, 1, "Chỉ tiêu").font = self.bold
        r += 1
        self._head(
            ws, r, ["Chỉ tiêu", "Giai đoạn", "Đạt được", "Chỉ tiêu đặt ra", "Đơn vị", "Kết quả"]
        )
        for t in report.results:
            r += 1
            row = [
                t.label.vi,
                _phase_label(self.c, t.phase),
                t.value,
                t.target,
                t.unit or "",
                STATUS_VI.get(t.status, t.status),
            ]
            for j, v in enumerate(row, start=1):
                put(ws, r, j, v)
            ws.cell(r, 6).fill = self.fill(_STATUS_COLOURS.get(t.status, "FFFFFF"))
        return r + 2

    def verdicts(self, evaluation: Evaluation) -> None:
        rows, keys = [], []
        for s in evaluation.subjects:
            for a in s.awards:
                failed = "; ".join(c.label.vi for c in a.criteria if c.status == "fail")
                missing = "; ".join(self.fact_label(f) for f in a.missing_facts)
                points = "" if a.points is None else f"{a.points:g}/{a.max_points:g}"
                rows.append(
                    [
                        s.subject_id,
                        s.name or "",
                        _level_label(self.c, s.level, s.role),
                        a.label.vi,
                        VERDICT_VI[a.verdict],
                        points,
                        a.band or "",
                        failed,
                        missing,
                        a.reason or "",
                    ]
                )
                keys.append(a.verdict)
        self.table(
            "Kết quả",
            [
                "Mã",
                "Tên",
                "Cấp / vai trò",
                "Danh hiệu / hình thức",
                "Kết quả",
                "Điểm",
                "Xếp loại",
                "Tiêu chí không đạt",
                "Thiếu dữ liệu",
                "Ghi chú",
            ],
            rows,
            [14, 30, 22, 34, 16, 10, 12, 40, 40, 30],
            5,
            VERDICT_COLOURS,
            keys,
        )

    def criteria(self, evaluation: Evaluation) -> None:
        rows, keys = [], []
        for s in evaluation.subjects:
            for a in s.awards:
                for c in a.criteria:
                    values = "; ".join(
                        f"{self.fact_label(k)} = {_show(v)}" for k, v in c.values.items()
                    )
                    missing = "; ".join(self.fact_label(f) for f in c.missing)
                    rows.append(
                        [
                            s.subject_id,
                            a.label.vi,
                            c.label.vi,
                            STATUS_VI[c.status],
                            c.threshold,
                            values,
                            missing,
                            c.source.cite(),
                            c.text_vi,
                        ]
                    )
                    keys.append(c.status)
        self.table(
            "Tiêu chí",
            [
                "Mã",
                "Danh hiệu / hình thức",
                "Tiêu chí",
                "Kết quả",
                "Điều kiện",
                "Giá trị",
                "Thiếu dữ liệu",
                "Nguồn (kế hoạch)",
                "Nguyên văn",
            ],
            rows,
            [14, 30, 34, 12, 30, 40, 30, 36, 60],
            4,
            _STATUS_COLOURS,
            keys,
        )

    def targets(self, report: TargetReport) -> None:
        rows = [
            [
                t.label.vi,
                _phase_label(self.c, t.phase),
                t.value,
                t.op,
                t.target,
                t.unit or "",
                None if t.ratio is None else round(t.ratio, 4),
                STATUS_VI.get(t.status, t.status),
                t.reason or "",
                t.source.cite(),
                t.text_vi,
            ]
            for t in report.results
        ]
        self.table(
            "Chỉ tiêu",
            [
                "Chỉ tiêu",
                "Giai đoạn",
                "Đạt được",
                "So sánh",
                "Chỉ tiêu đặt ra",
                "Đơn vị",
                "Tỷ lệ hoàn thành",
                "Kết quả",
                "Lý do",
                "Nguồn",
                "Nguyên văn",
            ],
            rows,
            [40, 22, 12, 8, 14, 10, 12, 12, 30, 36, 60],
            8,
            _STATUS_COLOURS,
            [t.status for t in report.results],
        )

    def initiatives(self, assessments: Sequence[Any]) -> None:
        prog = self.c.initiatives
        labels = {ch.id: ch.label.vi for ch in prog.checks} if prog else {}
        rows, keys = [], []
        for a in assessments:
            failed = "; ".join(
                f"{labels.get(ch.check_id, ch.check_id)}: {ch.detail} ({ch.source.cite()})"
                for ch in a.failed
            )
            rows.append(
                [
                    a.initiative.id,
                    a.initiative.title or "",
                    "Được công nhận" if a.accepted else "Chưa đến hạn" if a.not_yet else "Bị loại",
                    failed,
                    ", ".join(a.credited),
                    a.attribution,
                ]
            )
            keys.append("pass" if a.accepted else "pending" if a.not_yet else "fail")
        self.table(
            "Sáng kiến",
            ["Mã", "Tên sáng kiến", "Kết quả", "Điều kiện không đạt", "Được tính cho", "Cách tính"],
            rows,
            [10, 40, 16, 50, 16, 50],
            3,
            _STATUS_COLOURS,
            keys,
        )

    def defects(self) -> None:
        rows = [
            [d.id, m.cite_many(d.sources), d.text, d.resolution]
            for d in self.c.defects
        ]
        self.table(
            "Khiếm khuyết",
            ["Mã", "Nơi trong văn bản", "Khiếm khuyết của văn bản", "Cách xử lý"],
            rows,
            [10, 16, 70, 70],
        )

    def rejected(self, problems: Sequence[Problem]) -> None:
        rows = [[str(p.location or ""), p.code, p.message, p.hint or ""] for p in problems]
        self.table("Bị loại", ["Vị trí", "Mã lỗi", "Nội dung", "Gợi ý"], rows, [40, 18, 60, 30])


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (an estimate)."""
    per_line = max(int(width * 1.1), 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _phase_label(c: m.Campaign, phase: str | None) -> str:
    for p in c.phases:
        if p.id == phase:
            return p.label.vi
    return phase or ""


def _level_label(c: m.Campaign, level: str | None, role: str | None) -> str:
    for lv in (*c.subjects.collective_levels, *c.subjects.individual_roles):
        if lv.id in (level, role):
            return lv.label.vi
    return level or role or ""


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
