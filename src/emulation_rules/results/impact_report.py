"""The impact of a rule change as a page (with a chart of gains and losses per award) and as a
workbook: ``diff --format html|xlsx -o FILE``. Vietnamese by default; written whole or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.results.impact import ImpactReport, rule_kind, status_word
from emulation_rules.results.rollup_report import atomic_write

__all__ = ["render_impact_html", "write_impact_html", "write_impact_workbook"]

WORDS = {
    "vi": {"title": "Tác động của thay đổi quy định", "award": "Danh hiệu", "gain": "Được thêm", "loss": "Mất",
           "change": "Thay đổi khác", "subject": "Đối tượng", "unit": "Đơn vị", "old": "Trước", "new": "Sau",
           "kind": "Loại", "criteria": "Tiêu chuẩn đổi", "changes": "Các thay đổi", "rules": "Quy định khác nhau",
           "path": "Vị trí", "targets": "Chỉ tiêu", "quotas": "Cơ cấu, hạn mức", "placements": "Vị trí trong hạn mức",
           "summary": "Tổng hợp", "none": "Không có thay đổi nào.",
           "others": "Chỉ tiêu, hạn mức và quy định thay đổi"},
    "en": {"title": "Impact of the rule change", "award": "Award", "gain": "Gains", "loss": "Losses",
           "change": "Other changes", "subject": "Subject", "unit": "Unit", "old": "Before", "new": "After",
           "kind": "Kind", "criteria": "Criteria changed", "changes": "Changes", "rules": "Rules that differ",
           "path": "Where", "targets": "Targets", "quotas": "Quotas", "placements": "Places under a cap",
           "summary": "Summary", "none": "Nothing changes.",
           "others": "Targets, quotas and rules that change"},
}


def _tables(report: ImpactReport, campaign: m.Campaign, lang: str) -> dict[str, Any]:
    en = lang == "en"
    w = WORDS["en" if en else "vi"]
    labels = {a.id: (a.label.en if en else a.label.vi) for a in campaign.awards}
    summary = [(award, labels.get(award, award), c["gain"], c["loss"], c["change"])
               for award, c in report.per_award.items()]
    changes = [(c.subject_id, c.unit or "", labels.get(c.award_id, c.award_id), w[c.kind],
                status_word(c.old, lang), status_word(c.new, lang),
                "; ".join(f"{cid}: {status_word(o, lang)} → {status_word(n, lang)}" for cid, o, n in c.criteria))
               for c in report.changes]
    others = ([(w["targets"], f"{t} ({p})", status_word(o, lang), status_word(n, lang))
               for t, p, o, n, _, _ in report.targets]
              + [(w["quotas"], f"{q}{f' [{g}]' if g else ''}", status_word(o, lang), status_word(n, lang))
                 for q, g, o, n in report.quotas]
              + [(w["placements"], f"{q}: {s}", status_word(o, lang), status_word(n, lang))
                 for q, s, o, n in report.placements]
              + [(w["rules"], f"{r.path} ({rule_kind(r.kind, lang)})", r.old or "",
                  r.new or "") for r in report.rules])
    return {"w": w, "summary": summary, "changes": changes, "others": others}


def render_impact_html(report: ImpactReport, campaign: m.Campaign, *, lang: str = "vi") -> str:
    """The report as one self-contained page: a bar chart of gains (green) and losses (red) per
    award, the changes, and the targets, quotas, places and rules that differ."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("emulation_rules.results", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    t = _tables(report, campaign, lang)
    top = max([1, *(max(g, lo) for _, _, g, lo, _ in t["summary"])])
    return env.get_template("impact.html.j2").render(lang="en" if lang == "en" else "vi", top=top,
                                                      title=campaign.title.en if lang == "en" else campaign.title.vi,
                                                      **t)


def write_impact_html(report: ImpactReport, campaign: m.Campaign, path: Path, *, lang: str = "vi") -> None:
    """Write :func:`render_impact_html` to ``path``, whole or not at all."""
    text = render_impact_html(report, campaign, lang=lang)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_impact_workbook(report: ImpactReport, campaign: m.Campaign, path: Path, *, lang: str = "vi") -> None:
    """Write the report as .xlsx: a summary sheet per award, the changes, and the rest; whole or not at all."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    t = _tables(report, campaign, lang)
    w = t["w"]
    book = Workbook()
    sheets = [(w["summary"], [w["award"], w["gain"], w["loss"], w["change"]], [r[1:] for r in t["summary"]]),
              (w["changes"], [w["subject"], w["unit"], w["award"], w["kind"], w["old"], w["new"], w["criteria"]],
               t["changes"]),
              (w["others"], [w["kind"], w["path"], w["old"], w["new"]], t["others"])]
    book.remove(book.active)
    for name, head, rows in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.append(head)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
    atomic_write(path, lambda tmp: book.save(tmp))
