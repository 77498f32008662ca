"""Submission forms: an .xlsx workbook generated from a campaign, to be filled in by a union.

A district union sends the form to each grassroots union and reads it back with
``evaluate --facts form.xlsx`` (:mod:`emulation_rules.facts.xlsx` reads it by the same rules as
YAML or CSV). The workbook holds:

* **Hướng dẫn** (instructions, Vietnamese): the campaign, the review date to fill in, how to
  fill in the form, and one line per fact with its meaning, type, unit, allowed values, the
  sheet and column it goes in, and the plan clauses that use it (seed file and lines);
* **Tập thể** / **Cá nhân**: one row per unit / person, one column per fact, Vietnamese labels
  as headers (row 1) over a hidden row of keys (row 2), so a renamed header still reads;
  required columns end in ``*``; drop-downs for yes/no (Có/Không), enums, levels and roles;
  whole/decimal number and date checks with the declared ranges; frozen headers;
* one sheet per records fact (e.g. *Sổ vàng sáng kiến*, the Golden Book) with the subject id
  in its first column, one record per row;
* **Sổ đăng ký sáng kiến**, the initiative register, for a campaign with an initiative
  programme (authors as ``P01: 60; P02: 40``); **Danh hiệu đã đạt**, the titles held;
  **Danh sách đề nghị**, who is proposed for which award (awards with ``requires_proposal``);
* **Danh mục** (hidden): the lists the drop-downs read.

Needs openpyxl (a dependency).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulation_rules.authoring.form_history import history_sheet
from emulation_rules.authoring.form_proposals import proposals_sheet
from emulation_rules.campaign import model as m
from emulation_rules.campaign.money import plain_number
from emulation_rules.evaluate.semantics import reads
from emulation_rules.facts.initiatives import REGISTER_KEYS, register_fields
from emulation_rules.facts.xlsx import KIND_TAG, META_AS_OF, META_CAMPAIGN, RECORDS_SUBJECT, REGISTER_PREFIX
from emulation_rules.results.workbook import print_setup
from emulation_rules.writing import replacing

__all__ = ["FORM_ROWS", "FormSpec", "write_form"]

FORM_ROWS = 500
"""Rows prepared (with checks and formats) on each data sheet."""

YES, NO = "Có", "Không"
SHEET_COLLECTIVE, SHEET_INDIVIDUAL, SHEET_LISTS, SHEET_HELP = ("Tập thể", "Cá nhân", "Danh mục", "Hướng dẫn")
SHEET_REGISTER = "Sổ đăng ký sáng kiến"
DATE_FORMAT = "dd/mm/yyyy"
_HEADER_FILL, _REQUIRED_FILL, _INPUT_FILL = "DDEBF7", "FCE4D6", "FFF2CC"
_TYPE_VI = {
    "bool": "Có/Không",
    "int": "Số nguyên",
    "money": "Số tiền (đồng)",
    "decimal": "Số",
    "percent": "Phần trăm (0-100)",
    "date": "Ngày (ngày/tháng/năm)",
    "text": "Chữ",
    "enum": "Chọn một giá trị",
    "ordered_enum": "Chọn một mức (thấp đến cao)",
    "records": "Danh sách (trang riêng)",
}
_KIND_VI = {"collective": "Tập thể", "individual": "Cá nhân"}


@dataclass(frozen=True)
class FormSpec:
    """What the form covers.

    Attributes:
        kinds: subject kinds given a sheet (``collective``, ``individual``).
        levels: collective levels offered in the level drop-down (default: every level
            that takes part).
        rows: rows prepared on each data sheet.
    """

    kinds: tuple[m.SubjectKind, ...] = ("collective", "individual")
    levels: tuple[str, ...] = ()
    rows: int = FORM_ROWS


@dataclass
class _Column:
    key: str
    header: str
    kind: str  # a fact type, or "level" / "role" / "unit" / "id"
    required: bool = False
    values: tuple[str, ...] = ()  # drop-down labels
    minimum: float | None = None
    maximum: float | None = None
    width: float = 12
    list_key: str = ""  # the drop-down's list on the lists sheet


def write_form(
    campaign: m.Campaign, target: str | os.PathLike[str], spec: FormSpec | None = None
) -> Path:
    """Write the submission form of ``campaign`` to ``target`` (.xlsx).

    Args:
        campaign: the validated campaign.
        target: file to write.
        spec: which kinds and levels; default both kinds, every participating level.

    Returns:
        The path written.

    Raises:
        ValueError: a level in ``spec.levels`` that the campaign does not declare.
        ImportError: openpyxl is not installed.
    """
    from openpyxl import Workbook

    spec = spec or FormSpec()
    known_levels = {lv.id for lv in campaign.subjects.collective_levels}
    unknown = [lv for lv in spec.levels if lv not in known_levels]
    if unknown:
        raise ValueError(
            f"unknown level(s) {', '.join(unknown)}; the campaign declares "
            f"{', '.join(sorted(known_levels))}"
        )
    wb = Workbook()
    help_ws = wb.active
    help_ws.title = SHEET_HELP
    writer = _FormWriter(campaign, spec, wb)
    writer.lists_sheet()
    placed: dict[str, str] = {}
    for kind in spec.kinds:
        placed.update(writer.subject_sheet(kind))
    for decl in campaign.facts:
        if decl.type == "records" and decl.applies_to in spec.kinds:
            placed[decl.id] = writer.records_sheet(decl)
    if campaign.initiatives is not None:
        writer.register_sheet(campaign.initiatives)
    history_sheet(writer, _Column)
    proposals_sheet(writer, _Column, campaign, SHEET_LISTS)
    writer.help_sheet(help_ws, placed)
    wb.move_sheet(SHEET_LISTS, offset=len(wb.sheetnames))
    wb[SHEET_LISTS].sheet_state = "hidden"
    for ws in wb.worksheets:
        print_setup(ws)
    path = Path(target)
    with replacing(path) as tmp:
        wb.save(tmp)
    return path


class _FormWriter:
    def __init__(self, campaign: m.Campaign, spec: FormSpec, wb: Any) -> None:
        self.c = campaign
        self.spec = spec
        self.wb = wb
        self.lists: dict[str, str] = {}  # list name -> absolute range on the lists sheet
        self.uses = _fact_uses(campaign)

    # --- lists ---------------------------------------------------------------------------

    def lists_sheet(self) -> None:
        ws = self.wb.create_sheet(SHEET_LISTS)
        columns: list[tuple[str, str, Sequence[str]]] = [("bool", "Có/Không", (YES, NO))]
        levels = [
            lv
            for lv in self.c.subjects.collective_levels
            if (lv.id in self.spec.levels if self.spec.levels else lv.participates)
        ]
        columns.append(("level", "Cấp đơn vị", [lv.label.vi for lv in levels]))
        roles = [r for r in self.c.subjects.individual_roles if r.participates]
        columns.append(("role", "Vai trò", [r.label.vi for r in roles]))
        for decl in self.c.facts:
            if decl.values:
                columns.append((decl.id, decl.label.vi, [v.label.vi for v in decl.values]))
            for f in decl.fields:
                if f.values:
                    columns.append(
                        (f"{decl.id}.{f.id}", f.label.vi, [v.label.vi for v in f.values])
                    )
        if self.c.initiatives is not None:
            for key, f in register_fields(self.c.initiatives).items():
                if f.values:
                    columns.append(
                        (f"{REGISTER_PREFIX}{key}", f.label.vi, [v.label.vi for v in f.values])
                    )
        from openpyxl.utils import get_column_letter, quote_sheetname

        for col, (name, title, values) in enumerate(columns, start=1):
            ws.cell(1, col, title)
            for row, value in enumerate(values, start=2):
                ws.cell(row, col, value)
            letter = get_column_letter(col)
            last = max(2, len(values) + 1)
            self.lists[name] = f"{quote_sheetname(SHEET_LISTS)}!${letter}$2:${letter}${last}"

    # --- data sheets -----------------------------------------------------------------------

    def subject_sheet(self, kind: m.SubjectKind) -> dict[str, str]:
        title = SHEET_COLLECTIVE if kind == "collective" else SHEET_INDIVIDUAL
        who = "đơn vị" if kind == "collective" else "cá nhân"
        cols = [
            _Column(f"{KIND_TAG}{kind}", "STT", "stt", width=6),
            _Column("id", f"Mã {who}", "id", required=True, width=14),
            _Column(
                "name", "Họ và tên" if kind == "individual" else "Tên đơn vị", "text", width=30
            ),
        ]
        if kind == "collective":
            cols.append(_Column("level", "Cấp đơn vị", "level", required=True, width=24))
            cols.append(_Column("unit", "Mã đơn vị cấp trên", "text", width=16))
        else:
            cols.append(_Column("role", "Vai trò", "role", required=True, width=22))
            cols.append(_Column("unit", "Mã đơn vị (công đoàn cơ sở)", "text", width=16))
        for decl in self.c.facts:
            if decl.applies_to == kind and decl.type != "records":
                cols.append(self.fact_column(decl.id, decl))
        for decl in self.c.facts:  # how many rows on the records sheet; 0 = none (not "unknown")
            if decl.applies_to == kind and decl.type == "records":
                header = f"{decl.label.vi}: số mục (ghi 0 nếu không có; chi tiết ở trang riêng)"
                cols.append(_Column(decl.id, header, "int", minimum=0, width=18))
        self.table(title, cols)
        from openpyxl.utils import get_column_letter

        return {
            c.key: f"{title}!{get_column_letter(i)}"
            for i, c in enumerate(cols, start=1)
            if c.key not in CSV_KEYS
        }

    def fact_column(
        self,
        key: str,
        decl: m.FactDecl | m.RecordField,
        list_key: str | None = None,
        required: bool = False,
    ) -> _Column:
        header = decl.label.vi + (f" ({decl.unit})" if decl.unit else "")
        values: tuple[str, ...] = ()
        if decl.type == "bool":
            values = (YES, NO)
        elif decl.values:
            values = tuple(v.label.vi for v in decl.values)
        lo, hi = decl.minimum, decl.maximum
        if decl.type == "percent":
            lo, hi = (0.0 if lo is None else lo), (100.0 if hi is None else hi)
        if decl.type == "money" and lo is None:
            lo = 0.0
        width = min(40.0, max(12.0, len(header) * 0.55, *(len(v) * 1.1 + 3 for v in values)))
        return _Column(
            key,
            header,
            decl.type,
            required,
            values,
            lo,
            hi,
            width,
            list_key or ("bool" if decl.type == "bool" else key),
        )

    def records_sheet(self, decl: m.FactDecl) -> str:
        title = _sheet_title(decl.label.vi, self.wb.sheetnames)
        who = "đơn vị" if decl.applies_to == "collective" else "cá nhân"
        cols = [_Column(RECORDS_SUBJECT, f"Mã {who}", "id", required=True, width=14)]
        for f in decl.fields:
            cols.append(self.fact_column(f"{decl.id}.{f.id}", f, required=f.required))
        self.table(title, cols)
        return title

    def register_sheet(self, prog: m.InitiativeProgramme) -> None:
        fields = register_fields(prog)
        labels = {
            "id": "Mã sáng kiến",
            "title": "Tên sáng kiến",
            "unit": "Mã đơn vị đăng ký",
            "new_within_unit": "Mới trong phạm vi đơn vị",
            "benefit_non_monetary": "Lợi ích không tính bằng tiền",
            "against_public_order": "Trái trật tự công cộng, thuần phong mỹ tục",
            "ip_protected": "Đang được bảo hộ sở hữu trí tuệ",
            "research_accepted": "Đề tài đã nghiệm thu",
            "effect_confirmed": "Thủ trưởng xác nhận hiệu quả",
            "leader": "Chủ nhiệm đề tài (mã)",
            "authors": "Tác giả (mã: tỷ lệ %; ...)",
        }
        required = {
            "id",
            "kind",
            "new_within_unit",
            "against_public_order",
            "ip_protected",
            "authors",
        }
        cols = []
        for key in REGISTER_KEYS:
            rkey = f"{REGISTER_PREFIX}{key}"
            decl = fields.get(key)
            if decl is not None and decl.type != "text":
                col = self.fact_column(rkey, decl, required=key in required)
                if key in labels:
                    col.header = labels[key]
                cols.append(col)
            else:
                cols.append(
                    _Column(
                        rkey,
                        labels.get(key, key),
                        "id" if key == "id" else "text",
                        required=key in required,
                        width=30 if key in ("title", "authors") else 16,
                    )
                )
        self.table(SHEET_REGISTER, cols)

    def table(self, title: str, cols: list[_Column]) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        ws = self.wb.create_sheet(title)
        first, last = 3, 2 + self.spec.rows
        thin = Side(style="thin", color="999999")
        for i, col in enumerate(cols, start=1):
            letter = get_column_letter(i)
            header = col.header + (" *" if col.required else "")
            cell = ws.cell(1, i, header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.fill = PatternFill(
                "solid", fgColor=_REQUIRED_FILL if col.required else _HEADER_FILL
            )
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            ws.cell(2, i, col.key)
            ws.column_dimensions[letter].width = col.width
            rng = f"{letter}{first}:{letter}{last}"
            dv = _validation(col, self.lists, DataValidation)
            if dv is not None:
                ws.add_data_validation(dv)
                dv.add(rng)
            fmt = {
                "date": DATE_FORMAT,
                "int": "0",
                "money": "#,##0",
                "percent": '0.##"%"',
                "decimal": "#,##0.##",
            }.get(col.kind)
            if fmt or col.kind in ("id", "text"):
                for row in range(first, last + 1):
                    ws.cell(row, i).number_format = fmt or "@"
        ws.row_dimensions[2].hidden = True
        lines = max(math.ceil(len(c.header) / max(c.width - 2, 4)) for c in cols)
        ws.row_dimensions[1].height = 15 * min(max(lines, 1), 8) + 4
        ws.freeze_panes = "C3" if len(cols) > 2 else "A3"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}1"

    # --- instructions ---------------------------------------------------------------------

    def help_sheet(self, ws: Any, placed: dict[str, str]) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.worksheet.datavalidation import DataValidation

        c = self.c
        ws.column_dimensions["A"].hidden = True
        for letter, width in zip("BCDEFGHI", (22, 48, 12, 20, 10, 40, 18, 44), strict=True):
            ws.column_dimensions[letter].width = width
        wrap = Alignment(wrap_text=True, vertical="top")
        ws["B1"] = f"BIỂU MẪU BÁO CÁO THI ĐUA: {c.title.vi}"
        ws["B1"].font = Font(bold=True, size=14)
        doc = c.plan
        ws["B2"] = " ".join(
            x
            for x in (
                c.issuer.vi,
                f"- {doc.citation_name()}",
                f"ngày {doc.date:%d/%m/%Y}" if doc.date else "",
            )
            if x
        )
        rows = [
            (META_CAMPAIGN, "Mã phong trào", c.id, "Không sửa ô này."),
            (
                META_AS_OF,
                "Ngày xét (ngày/tháng/năm)",
                None,
                "Ngày xét quyết định giai đoạn: " + "; ".join(
                    f"{p.label.vi} {p.start:%d/%m/%Y}-{p.end:%d/%m/%Y}"
                    if p.end else f"{p.label.vi} từ {p.start:%d/%m/%Y}"
                    for p in c.phases) if c.phases or c.review_year is None else "Ngày xét quyết định năm xét (quy chế "
                f"xét hằng năm, năm xét bắt đầu ngày {c.review_year.starts.day:02d}/{c.review_year.starts.month:02d})",
            ),
        ]
        for r, (key, label, value, note) in enumerate(rows, start=4):
            ws.cell(r, 1, key)
            ws.cell(r, 2, label).font = Font(bold=True)
            cell = ws.cell(r, 3, value)
            cell.fill = PatternFill("solid", fgColor=_INPUT_FILL)
            ws.cell(r, 4, note).alignment = Alignment(wrap_text=False)
        as_of = ws.cell(5, 3)
        as_of.number_format = DATE_FORMAT
        dv = DataValidation(
            type="date",
            operator="between",
            formula1="1",
            formula2="2958465",
            allow_blank=True,
            showErrorMessage=True,
            error="Nhập ngày dạng ngày/tháng/năm.",
        )
        ws.add_data_validation(dv)
        dv.add("C5")
        how = [
            "CÁCH ĐIỀN",
            "1. Mỗi đơn vị (tập thể) một dòng ở trang «Tập thể»; "
            "mỗi cá nhân một dòng ở trang «Cá nhân».",
            "2. Cột có dấu * là bắt buộc. Ô để trống nghĩa là chưa có số liệu: kết quả xét sẽ là "
            "«chưa đủ thông tin», không phải «không đạt».",
            "3. Câu hỏi có/không: chọn Có hoặc Không. "
            "Cột có danh sách: chọn trong danh sách thả xuống.",
            "4. Ngày ghi theo dạng ngày/tháng/năm (ví dụ 15/6/2019); số ghi bằng chữ số.",
            "5. Danh sách (sáng kiến, đề tài...): mỗi mục một dòng ở trang riêng, cột đầu là mã đơn vị "
            "hoặc cá nhân; danh hiệu đã đạt các năm trước ở trang «Danh hiệu đã đạt» (chỉ ghi mã "
            "đối tượng: không có danh hiệu nào; không có dòng nào: chưa rõ).",
            "6. Không sửa, không xóa dòng mã ẩn (dòng 2) của mỗi trang; "
            "có thể đổi tên tiêu đề cột.",
        ]
        if c.initiatives is not None:
            how.append(
                "7. Sổ đăng ký sáng kiến: mỗi sáng kiến một dòng; tác giả ghi «mã: tỷ lệ %», "
                "cách nhau bởi dấu chấm phẩy, ví dụ «P01: 60; P02: 40»."
            )
        r = 7
        for i, line in enumerate(how):
            cell = ws.cell(r + i, 2, line)
            if i == 0:
                cell.font = Font(bold=True)
        r += len(how) + 1
        heads = (
            "Mã",
            "Thông tin",
            "Áp dụng cho",
            "Kiểu",
            "Đơn vị tính",
            "Giá trị cho phép",
            "Trang!cột",
            "Điều khoản kế hoạch",
        )
        for j, h in enumerate(heads, start=2):
            cell = ws.cell(r, j, h)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        for decl in c.facts:
            if decl.applies_to not in self.spec.kinds:
                continue
            r += 1
            cells = (
                decl.id,
                decl.label.vi + (" (đánh giá của người xét)" if decl.judgement else ""),
                _KIND_VI[decl.applies_to],
                _TYPE_VI[decl.type],
                decl.unit or "",
                _allowed(decl),
                placed.get(decl.id, ""),
                self.citations(decl),
            )
            widths = (22, 48, 12, 20, 10, 40, 18, 44)
            for j, value in enumerate(cells, start=2):
                ws.cell(r, j, value).alignment = wrap
            lines = max(_lines(str(v), w) for v, w in zip(cells, widths, strict=True))
            ws.row_dimensions[r].height = 15 * min(lines, 15)
        ws.freeze_panes = "B4"

    def citations(self, decl: m.FactDecl) -> str:
        parts = [f"Khai báo: {decl.source.cite()}"] if decl.source else []
        parts.extend(self.uses.get(decl.id, ()))
        return "\n".join(parts)


CSV_KEYS = {"id", "name", "level", "role", "unit"}


def _validation(col: _Column, lists: dict[str, str], dv_cls: Any) -> Any:
    err = {"showErrorMessage": True, "allow_blank": True}
    if col.kind in ("bool", "enum", "ordered_enum", "level", "role"):
        key = col.list_key or col.kind
        if key not in lists:
            return None
        return dv_cls(
            type="list",
            formula1=f"={lists[key]}",
            error="Chọn một giá trị trong danh sách.",
            errorTitle="Giá trị không hợp lệ",
            **err,
        )
    if col.kind in ("int", "money", "decimal", "percent"):
        kind = "whole" if col.kind in ("int", "money") else "decimal"
        lo = -1e15 if col.minimum is None else col.minimum
        hi = 1e15 if col.maximum is None else col.maximum
        text = f"Nhập {'số nguyên' if kind == 'whole' else 'số'} từ {plain_number(lo)} đến {plain_number(hi)}."
        return dv_cls(
            type=kind,
            operator="between",
            formula1=plain_number(lo),
            formula2=plain_number(hi),
            error=text,
            errorTitle="Số không hợp lệ",
            **err,
        )
    if col.kind == "date":
        return dv_cls(
            type="date",
            operator="between",
            formula1="1",
            formula2="2958465",
            error="Nhập ngày dạng ngày/tháng/năm, ví dụ 15/6/2019.",
            errorTitle="Ngày không hợp lệ",
            **err,
        )
    return None


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (an estimate)."""
    per_line = max(int(width * 1.1), 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _allowed(decl: m.FactDecl) -> str:
    if decl.type == "bool":
        return f"{YES} / {NO}"
    if decl.values:
        return "; ".join(v.label.vi for v in decl.values)
    if decl.type == "records":
        return "; ".join(
            f.label.vi + ("" if f.required else " (không bắt buộc)") for f in decl.fields
        )
    lo, hi = decl.minimum, decl.maximum
    if decl.type == "percent":
        lo, hi = (0 if lo is None else lo), (100 if hi is None else hi)
    if lo is None and hi is None:
        return ""
    return f"từ {'' if lo is None else plain_number(lo)} đến {'' if hi is None else plain_number(hi)}".replace(
        "từ  ", ""
    ).strip()


def _fact_uses(c: m.Campaign) -> dict[str, list[str]]:
    """fact id -> lines naming the award criteria, score items, targets and quotas reading it."""
    uses: dict[str, list[str]] = {}

    def add(cond: Any, what: str, source: m.Source) -> None:
        if cond is None:
            return
        for fid in reads(cond):
            line = f"{what}: {source.cite()}"
            if line not in uses.setdefault(fid, []):
                uses[fid].append(line)

    for a in c.awards:
        for cr in a.criteria:
            add(cr.condition, f"{a.label.vi} - {cr.label.vi}", cr.source)
        if a.score_sheet is not None:
            for item in a.score_sheet.items:
                add(item.condition, f"{a.label.vi} - {item.label.vi}", item.source)
                if item.points_fact:
                    uses.setdefault(item.points_fact, []).append(
                        f"{a.label.vi} - {item.label.vi}: {item.source.cite()}"
                    )
    for t in c.targets:
        metric = t.metric
        conds = [
            getattr(metric, "condition", None),
            getattr(getattr(metric, "population", None), "where", None),
        ]
        for cond in conds:
            add(cond, f"Chỉ tiêu {t.label.vi}", t.source)
        fact = getattr(metric, "fact", None)
        if fact:
            uses.setdefault(fact, []).append(f"Chỉ tiêu {t.label.vi}: {t.source.cite()}")
    for q in c.quotas:
        add(q.condition, q.label.vi, q.source)
        if q.of is not None and q.of.population is not None:
            add(q.of.population.where, q.label.vi, q.source)
        for key in q.ranking.by if q.ranking is not None else ():
            line = f"{q.label.vi} (xếp hạng): {q.source.cite()}"
            if line not in uses.setdefault(key.fact, []):
                uses[key.fact].append(line)
    return uses


def _sheet_title(label: str, taken: Sequence[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", label).strip()[:31] or "Danh sách"
    title, n = base, 2
    while title in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title
