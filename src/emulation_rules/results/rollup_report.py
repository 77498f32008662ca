"""The roll-up as a page and as a workbook: ``rollup --format html|xlsx -o FILE``.

The HTML page (self-contained, autoescaped, printable on A4 landscape) shows the tree: each unit
with its verdict counts per award, its targets and quotas, expandable (``<details>``) down to the
grassroots unions; then the emulation clusters ranked. The workbook has one sheet per level of the
tree (highest first; one row per unit with its counts, targets and quotas) and a sheet of the
clusters. Both in Vietnamese (default) or English. Files are written whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.results.clusters import OUTCOME_WORDS
from emulation_rules.results.rollup import VERDICTS, NodeResult, RollupReport, figure, phase_label
from emulation_rules.writing import replacing

__all__ = ["atomic_write", "render_rollup_html", "write_rollup_html", "write_rollup_workbook"]

WORDS = {
    "vi": {"title": "Tổng hợp kết quả thi đua theo đơn vị", "as_of": "Ngày xét", "phase": "giai đoạn",
           "subjects": "đối tượng", "missing": "Chưa nộp hồ sơ", "award": "Danh hiệu", "awarded": "Đạt",
           "not_awarded": "Không đạt", "incomplete": "Thiếu dữ liệu", "not_eligible": "Không thuộc diện",
           "target": "Chỉ tiêu", "value": "Kết quả", "figure": "Chỉ tiêu đặt ra", "status": "Đánh giá",
           "quota": "Cơ cấu, hạn mức", "counted": "Số thuộc diện / tổng", "met": "Đạt", "not_met": "Không đạt",
           "pending": "Chưa đến hạn", "unknown": "Chưa xác định", "clusters": "Cụm, khối thi đua",
           "unit": "Mã đơn vị", "name": "Tên đơn vị", "parent": "Đơn vị cấp trên", "rank": "Thứ hạng",
           "score": "Điểm", "outcome": "Kết quả", "cluster": "Cụm, khối"},
    "en": {"title": "Emulation results rolled up by unit", "as_of": "Review date", "phase": "phase",
           "subjects": "subjects", "missing": "No submission", "award": "Award", "awarded": "Awarded",
           "not_awarded": "Not awarded", "incomplete": "Incomplete", "not_eligible": "Not eligible",
           "target": "Target", "value": "Value", "figure": "Figure set", "status": "Status",
           "quota": "Quota", "counted": "Counted / total", "met": "Met", "not_met": "Not met",
           "pending": "Pending", "unknown": "Unknown", "clusters": "Emulation clusters",
           "unit": "Unit id", "name": "Unit name", "parent": "Parent unit", "rank": "Rank",
           "score": "Score", "outcome": "Outcome", "cluster": "Cluster"},
}


def _views(report: RollupReport, campaign: m.Campaign, lang: str) -> dict[str, Any]:
    en = lang == "en"
    awards = {a.id: (a.label.en if en else a.label.vi) for a in campaign.awards}

    def awards_shown(n: NodeResult) -> list[str]:
        return [a for a, counts in n.counts.items() if any(counts.values())]

    def targets_shown(n: NodeResult) -> list[dict[str, Any]]:
        return [{"id": t.target_id, "label": t.label.en if en else t.label.vi,
                 "value": "?" if t.value is None else figure(t.value, lang), "target": figure(t.target, lang),
                 "status": t.status} for t in n.targets if t.value is not None or t.missing]

    def quotas_shown(n: NodeResult) -> list[dict[str, Any]]:
        return [{"id": q.quota_id, "label": q.label.en if en else q.label.vi,
                 "counted": f"{q.qualifying}/{q.awardees}", "status": q.status}
                for q in n.quotas if q.awardees or q.status != "unknown"]

    return {"awards": awards, "awards_shown": awards_shown, "targets_shown": targets_shown,
            "quotas_shown": quotas_shown}


def render_rollup_html(report: RollupReport, campaign: m.Campaign, *, lang: str = "vi") -> str:
    """The roll-up as one self-contained HTML page (no script, no external resource)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("emulation_rules.results", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    en = lang == "en"
    return env.get_template("rollup.html.j2").render(
        lang="en" if en else "vi", w=WORDS["en" if en else "vi"], verdicts=VERDICTS,
        campaign_title=campaign.title.en if en else campaign.title.vi, as_of=report.as_of,
        phase=phase_label(campaign, report.phase, lang),
        missing=report.missing, roots=report.roots, clusters=report.clusters,
        cluster_label=_cluster_label(campaign, en),
        outcome_words=OUTCOME_WORDS["en" if en else "vi"],
        levels={lv.id: (lv.label.en if en else lv.label.vi) for lv in campaign.subjects.collective_levels},
        **_views(report, campaign, lang))


def _cluster_label(campaign: m.Campaign, en: bool) -> str:
    rule = campaign.hierarchy.clusters if campaign.hierarchy is not None else None
    return "" if rule is None else (rule.label.en if en else rule.label.vi)


def write_rollup_html(report: RollupReport, campaign: m.Campaign, path: Path, *, lang: str = "vi") -> None:
    """Write :func:`render_rollup_html` to ``path``, whole or not at all."""
    text = render_rollup_html(report, campaign, lang=lang)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_rollup_workbook(report: RollupReport, campaign: m.Campaign, path: Path, *, lang: str = "vi") -> None:
    """Write the roll-up as an .xlsx workbook: one sheet per level of the tree (highest first),
    then the clusters; whole or not at all."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    en = lang == "en"
    w = WORDS["en" if en else "vi"]
    views = _views(report, campaign, lang)
    levels = {lv.id: (lv.label.en if en else lv.label.vi) for lv in campaign.subjects.collective_levels}
    by_level: dict[str, list[NodeResult]] = {}
    depth: dict[str, int] = {}
    stack = [(r, 0) for r in report.roots]
    while stack:
        n, d = stack.pop()
        by_level.setdefault(n.unit.level, []).append(n)
        depth[n.unit.level] = min(depth.get(n.unit.level, d), d)
        stack.extend((c, d + 1) for c in reversed(n.children))
    book = Workbook()
    book.remove(book.active)
    award_ids = [a.id for a in campaign.awards]
    for level in sorted(by_level, key=lambda lv: depth[lv]):
        sheet = book.create_sheet(_sheet_name(levels.get(level, level), book.sheetnames))
        head = [w["unit"], w["name"], w["parent"], w["subjects"],
                *(f"{views['awards'][a]}: {w[v]}" for a in award_ids for v in VERDICTS)]
        targets = [t.id for t in campaign.targets]
        head += [f"{w['target']}: {t.label.en if en else t.label.vi}" for t in campaign.targets]
        head += [f"{w['quota']}: {q.label.en if en else q.label.vi}" for q in campaign.quotas]
        sheet.append(head)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for n in sorted(by_level[level], key=lambda n: n.unit.id):
            status_t = {t.target_id: t for t in n.targets}
            row: list[Any] = [n.unit.id, n.unit.name or "", n.unit.parent or "", len(n.subjects)]
            row += [n.counts.get(a, {}).get(v, 0) for a in award_ids for v in VERDICTS]
            row += [_target_cell(status_t.get(t), w, lang) for t in targets]
            row += [f"{q.qualifying}/{q.awardees} {w[q.status]}" if q.awardees or q.status != "unknown" else ""
                    for q in n.quotas]
            sheet.append(row)
    if report.clusters:
        sheet = book.create_sheet(_sheet_name(w["clusters"], book.sheetnames))
        sheet.append([w["cluster"], w["rank"], w["unit"], w["name"], w["score"], w["outcome"]])
        words = OUTCOME_WORDS["en" if en else "vi"]
        for c in report.clusters:
            for p in c.places:
                sheet.append([c.cluster, p.rank, p.unit, p.name or "", p.shown or "?", words[p.outcome]])
    atomic_write(path, lambda tmp: book.save(tmp))


def _target_cell(t: Any, w: dict[str, str], lang: str) -> str:
    if t is None or (t.value is None and not t.missing):
        return ""
    value = "?" if t.value is None else figure(t.value, lang)
    return f"{value} / {figure(t.target, lang)} {w[t.status]}"


def _sheet_name(name: str, taken: list[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in name)[:31].strip() or "Sheet"
    out, k = clean, 2
    while out in taken:
        out = f"{clean[:27]} ({k})"
        k += 1
    return out


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``; on
    any failure the temporary file is removed and ``path`` is left as it was (the tool's one
    atomic-write helper, :func:`emulation_rules.writing.replacing`)."""
    with replacing(path) as tmp:
        write(tmp)
