"""The dossier of a review (hồ sơ đề nghị khen thưởng): proposal lists and the council's votes.

From one evaluation: per award, the proposal list (danh sách đề nghị): each subject proposed
(for an award without ``requires_proposal``, each subject judged), its verdict, the criteria it
meets with their citations, and its ballot; and the council's vote table (members, present,
votes for, share, the threshold and its source, the outcome). Written as a printable A4 HTML
page or an .xlsx workbook (a sheet per award and one for the votes), in Vietnamese, to attach to
the submission letter (tờ trình). Every file is written whole or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.result import Evaluation
from emulation_rules.writing import replacing

__all__ = ["DossierRow", "dossier_rows", "render_dossier_html", "write_dossier"]

VERDICT_VI = {"awarded": "Đạt", "not_awarded": "Không đạt", "incomplete": "Chưa đủ căn cứ",
              "not_eligible": "Không thuộc đối tượng", "not_proposed": "Không đề nghị"}


@dataclass(frozen=True)
class DossierRow:
    """One subject on an award's proposal list."""

    subject_id: str
    name: str
    unit: str
    verdict: str
    met: tuple[tuple[str, str], ...]
    """``(criterion label, citation)`` of each criterion met."""
    not_met: tuple[str, ...]
    vote: dict[str, Any] | None
    """The ballot's figures (members, present, votes_for, share_pct, minutes) and the rule."""


def dossier_rows(campaign: m.Campaign, evaluation: Evaluation) -> list[tuple[m.Award, list[DossierRow]]]:
    """Per award, the subjects on its list: those judged (``not_proposed`` and ``not_eligible``
    left out), in submission order."""
    out = []
    for award in campaign.awards:
        rows = []
        for s in evaluation.subjects:
            a = next((x for x in s.awards if x.award_id == award.id), None)
            if a is None or a.verdict in ("not_proposed", "not_eligible"):
                continue
            met = tuple((c.label.vi, c.source.cite()) for c in a.criteria if c.status == "pass")
            not_met = tuple(c.label.vi + (" (chưa rõ)" if c.status == "unknown" else "")
                            for c in a.criteria if c.status != "pass")
            vote = next((dict(c.values, rule=c.threshold, status=c.status, source=c.source.cite())
                         for c in a.criteria if c.criterion_id == "council_vote"), None)
            rows.append(DossierRow(s.subject_id, s.name or "", s.unit or "", a.verdict, met, not_met, vote))
        if rows:
            out.append((award, rows))
    return out


_TEMPLATE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Hồ sơ đề nghị khen thưởng — {{ title }}</title>
<style>
  @page { size: A4; margin: 18mm 15mm; }
  body { font-family: "Times New Roman", serif; font-size: 12pt; color: #000; }
  h1 { font-size: 15pt; text-align: center; text-transform: uppercase; margin: 0 0 4mm; }
  h2 { font-size: 13pt; margin: 6mm 0 2mm; page-break-after: avoid; }
  p.sub { text-align: center; margin: 0 0 6mm; }
  table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
  tr { page-break-inside: avoid; }
  th, td { border: 1px solid #000; padding: 1.5mm 2mm; vertical-align: top; }
  th { background: #eee; }
  td.n { text-align: right; white-space: nowrap; }
  small { font-size: 9.5pt; }
  section.award { page-break-before: always; }
  section.award:first-of-type { page-break-before: auto; }
</style></head><body>
<h1>Hồ sơ đề nghị khen thưởng</h1>
<p class="sub">{{ title }}{% if as_of %} — ngày xét {{ as_of }}{% endif %}</p>
{% for award, rows in awards %}
<section class="award">
<h2>Danh sách đề nghị tặng “{{ award.label.vi }}”</h2>
<p><small>Căn cứ: {{ award.source.cite() }}</small></p>
<table>
<thead><tr><th>TT</th><th>Mã</th><th>Họ tên / tên</th><th>Đơn vị</th><th>Kết quả</th>
<th>Tiêu chuẩn đạt (căn cứ)</th><th>Chưa đạt / chưa rõ</th></tr></thead>
<tbody>
{% for r in rows %}
<tr><td class="n">{{ loop.index }}</td><td>{{ r.subject_id }}</td><td>{{ r.name }}</td><td>{{ r.unit }}</td>
<td>{{ verdicts[r.verdict] }}</td>
<td>{% for label, cite in r.met %}{{ label }} <small>({{ cite }})</small>
{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>{{ r.not_met | join("; ") }}</td></tr>
{% endfor %}
</tbody></table>
</section>
{% endfor %}
{% if votes %}
<h2>Kết quả bỏ phiếu kín của Hội đồng thi đua, khen thưởng</h2>
<table>
<thead><tr><th>TT</th><th>Danh hiệu</th><th>Mã</th><th>Họ tên / tên</th><th>Thành viên</th><th>Có mặt</th>
<th>Đồng ý</th><th>Tỷ lệ (%)</th><th>Yêu cầu (căn cứ)</th><th>Kết quả</th><th>Biên bản</th></tr></thead>
<tbody>
{% for award, r in votes %}
<tr><td class="n">{{ loop.index }}</td><td>{{ award.label.vi }}</td><td>{{ r.subject_id }}</td><td>{{ r.name }}</td>
{% if r.vote.members is defined %}<td class="n">{{ r.vote.members }}</td><td class="n">{{ r.vote.present }}</td>
<td class="n">{{ r.vote.votes_for }}</td><td class="n">{{ "%.2f"|format(r.vote.share_pct) }}</td>
{% else %}<td colspan="4">chưa bỏ phiếu</td>{% endif %}
<td>{{ r.vote.rule }} <small>({{ r.vote.source }})</small></td>
<td>{{ statuses[r.vote.status] }}</td><td>{{ r.vote.minutes if r.vote.minutes is defined else "" }}</td></tr>
{% endfor %}
</tbody></table>
{% endif %}
</body></html>
"""

_STATUS_VI = {"pass": "Đạt", "fail": "Không đạt", "unknown": "Chưa bỏ phiếu"}


def render_dossier_html(campaign: m.Campaign, evaluation: Evaluation) -> str:
    """The dossier as one printable A4 HTML page (Vietnamese; every text escaped)."""
    import jinja2

    awards = dossier_rows(campaign, evaluation)
    votes = [(a, r) for a, rows in awards for r in rows if r.vote is not None]
    env = jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    return env.from_string(_TEMPLATE).render(
        title=campaign.title.vi, as_of=evaluation.as_of.strftime("%d/%m/%Y") if evaluation.as_of else None,
        awards=awards, votes=votes, verdicts=VERDICT_VI, statuses=_STATUS_VI)


def _xlsx(campaign: m.Campaign, evaluation: Evaluation, path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    awards = dossier_rows(campaign, evaluation)
    for i, (award, rows) in enumerate(awards, start=1):
        sheet = book.create_sheet(f"{i}. {award.label.vi}"[:31])
        sheet.append([f"Danh sách đề nghị tặng “{award.label.vi}”"])
        sheet.append([f"Căn cứ: {award.source.cite()}"])
        sheet.append(["TT", "Mã", "Họ tên / tên", "Đơn vị", "Kết quả", "Tiêu chuẩn đạt (căn cứ)", "Chưa đạt / chưa rõ"])
        for n, r in enumerate(rows, start=1):
            sheet.append([n, r.subject_id, r.name, r.unit, VERDICT_VI[r.verdict],
                          "\n".join(f"{label} ({cite})" for label, cite in r.met), "; ".join(r.not_met)])
        for cell in sheet[3]:
            cell.font = bold
        sheet["A1"].font = bold
        for row in sheet.iter_rows(min_row=4):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col, width in zip("ABCDEFG", (5, 10, 24, 10, 14, 60, 30), strict=True):
            sheet.column_dimensions[col].width = width
    votes = [(a, r) for a, rows in awards for r in rows if r.vote is not None]
    if votes:
        sheet = book.create_sheet("Bỏ phiếu")
        sheet.append(["Kết quả bỏ phiếu kín của Hội đồng thi đua, khen thưởng"])
        sheet.append(["TT", "Danh hiệu", "Mã", "Họ tên / tên", "Thành viên", "Có mặt", "Đồng ý", "Tỷ lệ (%)",
                      "Yêu cầu", "Căn cứ", "Kết quả", "Biên bản"])
        for n, (award, r) in enumerate(votes, start=1):
            v = r.vote or {}
            sheet.append([n, award.label.vi, r.subject_id, r.name, v.get("members"), v.get("present"),
                          v.get("votes_for"), v.get("share_pct"), v.get("rule"), v.get("source"),
                          _STATUS_VI[v["status"]], v.get("minutes", "")])
        for cell in sheet[2]:
            cell.font = bold
    if not book.sheetnames:
        book.create_sheet("Hồ sơ").append(["Không có đối tượng nào được đề nghị"])
    book.save(path)


def _atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """Write ``path`` whole or not at all (:func:`emulation_rules.writing.replacing`)."""
    with replacing(path) as tmp:
        write(tmp)


def write_dossier(target: str | os.PathLike[str], campaign: m.Campaign, evaluation: Evaluation) -> Path:
    """Write the dossier as ``.html`` (printable A4) or ``.xlsx``, by the target's extension.

    Raises:
        ValueError: another extension.
        OSError: the file cannot be written.
    """
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix == ".html":
        text = render_dossier_html(campaign, evaluation)
        _atomic(path, lambda p: p.write_text(text, encoding="utf-8"))
    elif suffix == ".xlsx":
        _atomic(path, lambda p: _xlsx(campaign, evaluation, p))
    else:
        raise ValueError(f"the dossier is written as .html or .xlsx, not {suffix or 'no extension'}")
    return path
