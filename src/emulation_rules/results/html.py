"""HTML reports people read and print: ``evaluate|targets|initiatives --format html -o FILE``.

One self-contained page (no scripts, no network fetches, no external CSS or fonts) with the
content of the result workbook (:mod:`emulation_rules.results.workbook`):

* **Tổng hợp** (summary): the campaign, review date and phase; verdict counts per award, as a
  table and as a stacked bar chart; quotas with status and shortfall; targets of the phase with
  value, figure and status, as a table and as a bar chart of the value against its figure;
  initiatives accepted and excluded;
* **Kết quả** (verdicts), **Tiêu chí** (criteria with values and citations), **Chỉ tiêu**,
  **Sáng kiến**, **Khiếm khuyết** (the campaign's recorded defects) and **Bị loại** (facts
  problems of subjects left out), as in the workbook.

Charts are inline SVG computed here (bar geometry in pixels of a 760-pixel-wide drawing); the
page carries ``@media print`` rules (A4 landscape, table headers repeated on every page, rows
not split, colours kept). Vietnamese by default (``lang="vi"``: labels, decimal comma
``92,5``, thousands dot ``1.234``); ``lang="en"`` gives English labels and ``92.5``.

Every text taken from the facts or the campaign goes through Jinja2's autoescaping: a subject
named ``<script>alert(1)</script>`` is shown as that text and never runs. Needs Jinja2 (the
``html`` extra).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2

from emulation_rules.campaign import model as m
from emulation_rules.errors import Problem
from emulation_rules.evaluate.result import Evaluation
from emulation_rules.results.quota_ranking import OUTCOME_LABELS
from emulation_rules.results.summary import VERDICTS, VerdictCounts, verdict_counts
from emulation_rules.results.targets import TargetReport
from emulation_rules.results.workbook import STATUS_VI, VERDICT_VI

__all__ = ["BAR_COLOURS", "Lang", "format_number", "render_html", "write_html"]

Lang = Literal["vi", "en"]

BAR_COLOURS = {  # strong enough to tell apart on paper; the light fills of the tables beside
    "awarded": "#2e7d32",
    "not_awarded": "#c62828",
    "incomplete": "#f9a825",
    "not_eligible": "#9e9e9e",
    "met": "#2e7d32",
    "not_met": "#c62828",
    "pending": "#1565c0",
    "unknown": "#f9a825",
    "figure": "#b0bec5",
}
_VERDICT_EN = {
    "awarded": "Awarded",
    "not_awarded": "Not awarded",
    "incomplete": "Incomplete (facts missing)",
    "not_eligible": "Not eligible",
}
_STATUS_EN = {
    "pass": "Pass",
    "fail": "Fail",
    "unknown": "Unknown",
    "met": "Met",
    "not_met": "Not met",
    "pending": "Pending",
}
WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "KẾT QUẢ XÉT THI ĐUA",
        "as_of": "Ngày xét",
        "phase": "Giai đoạn",
        "summary": "Tổng hợp",
        "counts": "Số lượng theo danh hiệu và kết quả",
        "award": "Danh hiệu / hình thức",
        "total": "Tổng",
        "chart_verdicts": "Biểu đồ: kết quả theo danh hiệu",
        "chart_targets": "Biểu đồ: đạt được so với chỉ tiêu",
        "quotas": "Tỷ lệ, hạn mức trong số được khen",
        "groups": "Theo đơn vị", "ranked": "Xếp thứ tự khi vượt hạn mức",
        "group_cols": "Nhóm|Được tính|Mẫu số|Giới hạn|Kết quả|Nhận xét",
        "quota": "Tỷ lệ",
        "awardees": "Được khen",
        "qualifying": "Thuộc diện",
        "share": "Tỷ lệ (%)",
        "required": "Yêu cầu (%)",
        "result": "Kết quả",
        "shortfall": "Còn thiếu",
        "targets": "Chỉ tiêu",
        "target": "Chỉ tiêu",
        "value": "Đạt được",
        "figure": "Chỉ tiêu đặt ra",
        "unit": "Đơn vị",
        "op": "So sánh",
        "ratio": "Tỷ lệ hoàn thành",
        "reason": "Lý do",
        "source": "Nguồn",
        "text_vi": "Nguyên văn",
        "initiatives": "Sáng kiến",
        "accepted": "Được công nhận",
        "excluded": "Bị loại",
        "not_yet": "Chưa đến hạn",
        "verdicts": "Kết quả",
        "id": "Mã",
        "name": "Tên",
        "level": "Cấp / vai trò",
        "points": "Điểm",
        "band": "Xếp loại",
        "failed": "Tiêu chí không đạt",
        "missing": "Thiếu dữ liệu",
        "note": "Ghi chú",
        "criteria": "Tiêu chí",
        "criterion": "Tiêu chí",
        "condition": "Điều kiện",
        "values": "Giá trị",
        "cited": "Nguồn (kế hoạch)",
        "initiative_title": "Tên sáng kiến",
        "failed_checks": "Điều kiện không đạt",
        "credited": "Được tính cho",
        "attribution": "Cách tính",
        "defects": "Khiếm khuyết",
        "lines": "Nơi trong văn bản",
        "defect": "Khiếm khuyết của văn bản",
        "resolution": "Cách xử lý",
        "rejected": "Bị loại",
        "location": "Vị trí",
        "code": "Mã lỗi",
        "message": "Nội dung",
        "hint": "Gợi ý",
        "yes": "có",
        "no": "không",
        "none": "không có",
        "unknown_value": "chưa rõ",
        "made": "Lập bằng emulation-rules",
    },
    "en": {
        "title": "EMULATION REVIEW RESULTS",
        "as_of": "Review date",
        "phase": "Phase",
        "summary": "Summary",
        "counts": "Verdicts per award",
        "award": "Award",
        "total": "Total",
        "chart_verdicts": "Chart: verdicts per award",
        "chart_targets": "Chart: value against the target figure",
        "quotas": "Shares and caps among the awardees",
        "groups": "Per group", "ranked": "Ranking over the cap",
        "group_cols": "Group|Counted|Denominator|Limit|Result|Advice",
        "quota": "Quota",
        "awardees": "Awardees",
        "qualifying": "Qualifying",
        "share": "Share (%)",
        "required": "Required (%)",
        "result": "Result",
        "shortfall": "Shortfall",
        "targets": "Targets",
        "target": "Target",
        "value": "Value",
        "figure": "Figure",
        "unit": "Unit",
        "op": "Comparison",
        "ratio": "Ratio",
        "reason": "Reason",
        "source": "Source",
        "text_vi": "Plan text (Vietnamese)",
        "initiatives": "Initiatives",
        "accepted": "Accepted",
        "excluded": "Excluded",
        "not_yet": "Not yet",
        "verdicts": "Verdicts",
        "id": "Id",
        "name": "Name",
        "level": "Level / role",
        "points": "Points",
        "band": "Band",
        "failed": "Failing criteria",
        "missing": "Missing facts",
        "note": "Note",
        "criteria": "Criteria",
        "criterion": "Criterion",
        "condition": "Condition",
        "values": "Values",
        "cited": "Source (plan)",
        "initiative_title": "Initiative",
        "failed_checks": "Failing checks",
        "credited": "Credited to",
        "attribution": "Attribution",
        "defects": "Defects",
        "lines": "Where in the document",
        "defect": "Defect of the text",
        "resolution": "Resolution",
        "rejected": "Left out",
        "location": "Location",
        "code": "Code",
        "message": "Message",
        "hint": "Hint",
        "yes": "yes",
        "no": "no",
        "none": "none",
        "unknown_value": "unknown",
        "made": "Made with emulation-rules",
    },
}

# chart geometry, in pixels of the SVG drawing (scaled to the page width by CSS)
CHART_WIDTH = 760
_BAR_AREA = 560  # the longest bar; the rest of the width holds its numbers
_ROW = 46  # one award or target: its label line and its bar(s)
_BAR = 18


def format_number(value: float | int | None, lang: Lang = "vi", digits: int = 2) -> str:
    """A number as people read it: at most ``digits`` decimals, trailing zeros dropped;
    Vietnamese ``1.234,5`` or English ``1,234.5``; ``""`` for None.

    >>> format_number(1234.5), format_number(1234.5, "en"), format_number(90.0), format_number(None)
    ('1.234,5', '1,234.5', '90', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        value = int(value)
    text = f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,d}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_VI_SEPARATORS) if lang == "vi" else text


_VI_SEPARATORS = str.maketrans(",.", ".,")


@dataclass
class _Ctx:
    """What the template shows (plain rows of text and numbers; the template escapes them)."""

    lang: Lang
    words: dict[str, str]
    title: str
    issuer: str
    as_of: str
    phase: str
    verdict_names: dict[str, str]
    status_names: dict[str, str]
    bar_colours: dict[str, str]
    counts: list[dict[str, Any]] = field(default_factory=list)
    verdict_chart: dict[str, Any] | None = None
    quotas: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    target_chart: dict[str, Any] | None = None
    initiative_counts: dict[str, int] | None = None
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    criteria: list[dict[str, Any]] = field(default_factory=list)
    initiatives: list[dict[str, Any]] = field(default_factory=list)
    defects: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    has_evaluation: bool = False
    optional: dict[str, bool] = field(default_factory=dict)
    """Columns of the verdicts table shown only when a row fills them (points, band, note)."""


def render_html(
    campaign: m.Campaign,
    *,
    evaluation: Evaluation | None = None,
    targets: TargetReport | None = None,
    initiatives: Sequence[Any] | None = None,
    rejected: Sequence[Problem] = (),
    counts: VerdictCounts | None = None,
    lang: Lang = "vi",
) -> str:
    """The report page as HTML text (arguments as for :func:`write_html`).

    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("emulation_rules.results", "templates"),
        autoescape=True,  # every text from facts or campaign is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    ctx = _Builder(campaign, lang).build(evaluation, targets, initiatives, rejected, counts)
    return env.get_template("report.html.j2").render(r=ctx)


def write_html(
    target: str | os.PathLike[str],
    campaign: m.Campaign,
    *,
    evaluation: Evaluation | None = None,
    targets: TargetReport | None = None,
    initiatives: Sequence[Any] | None = None,
    rejected: Sequence[Problem] = (),
    counts: VerdictCounts | None = None,
    lang: Lang = "vi",
) -> Path:
    """Write the report page (UTF-8).

    Args:
        target: the .html file to write.
        campaign: the campaign (labels of facts, defects).
        evaluation: verdicts (``evaluate``), if any.
        targets: the targets report (``targets``, or ``evaluate`` of a campaign with targets).
        initiatives: judged initiative register
            (:class:`~emulation_rules.facts.initiatives.InitiativeAssessment`), if any.
        rejected: facts problems of subjects left out.
        counts: verdicts per award of a bulk run, shown in the summary instead of an
            evaluation's (whose rows the page would list).
        lang: ``vi`` (default) or ``en`` labels and number format.

    Returns:
        The path written.

    Raises:
        OSError: the file cannot be written.
    """
    text = render_html(campaign, evaluation=evaluation, targets=targets, initiatives=initiatives,
                       rejected=rejected, counts=counts, lang=lang)
    path = Path(target)
    path.write_text(text, encoding="utf-8")
    return path



def _lower_first(text: str) -> str:
    """A label in the middle of a sentence: "Trong hạn mức" -> "trong hạn mức"."""
    return text[:1].lower() + text[1:]


class _Builder:
    def __init__(self, campaign: m.Campaign, lang: Lang) -> None:
        self.c = campaign
        self.lang: Lang = lang
        self.w = WORDS[lang]

    # --- words ---------------------------------------------------------------------------

    def text(self, t: m.Text) -> str:
        return t.vi if self.lang == "vi" else t.en

    def verdict(self, v: str) -> str:
        return VERDICT_VI[v] if self.lang == "vi" else _VERDICT_EN[v]

    def status(self, s: str) -> str:
        return (STATUS_VI if self.lang == "vi" else _STATUS_EN).get(s, s)

    def num(self, value: float | int | None, digits: int = 2) -> str:
        return format_number(value, self.lang, digits)

    def fact_label(self, fact_id: str) -> str:
        try:
            return self.text(self.c.fact(fact_id).label)
        except KeyError:
            return fact_id

    def phase_label(self, phase: str | None) -> str:
        for p in self.c.phases:
            if p.id == phase:
                return self.text(p.label)
        return phase or ""

    def level_label(self, level: str | None, role: str | None) -> str:
        for lv in (*self.c.subjects.collective_levels, *self.c.subjects.individual_roles):
            if lv.id in (level, role):
                return self.text(lv.label)
        return level or role or ""

    def show(self, value: Any) -> str:
        if isinstance(value, bool):
            return self.w["yes"] if value else self.w["no"]
        if isinstance(value, dt.date):
            return f"{value:%d/%m/%Y}"
        if isinstance(value, (int, float)):
            return self.num(value, 4)
        return str(value)

    def date(self, value: dt.date | None) -> str:
        return "" if value is None else f"{value:%d/%m/%Y}"

    # --- content -------------------------------------------------------------------------

    def build(
        self,
        evaluation: Evaluation | None,
        targets: TargetReport | None,
        initiatives: Sequence[Any] | None,
        rejected: Sequence[Problem],
        counts: VerdictCounts | None = None,
    ) -> _Ctx:
        c = self.c
        run: Any = next((x for x in (evaluation, counts, targets) if x is not None), None)
        as_of = run.as_of if run is not None else None
        phase = run.phase if run is not None else None
        ctx = _Ctx(
            lang=self.lang,
            words=self.w,
            title=self.text(c.title),
            issuer=self.text(c.issuer),
            as_of=self.date(as_of),
            phase=self.phase_label(phase),
            verdict_names={v: self.verdict(v) for v in VERDICTS},
            status_names={s: self.status(s) for s in ("met", "not_met", "pending", "unknown")},
            bar_colours=BAR_COLOURS,
        )
        if counts is not None:
            ctx.has_evaluation = True
            self.counts(ctx, counts.per_award)
        if evaluation is not None:
            ctx.has_evaluation = True
            self.counts(ctx, verdict_counts(evaluation))
            ctx.quotas = [self.quota(q) for q in evaluation.quotas]
            self.verdicts(ctx, evaluation)
            ctx.optional = {k: any(v[k] for v in ctx.verdicts) for k in ("points", "band", "reason")}
        if targets is not None and targets.results:
            self.targets(ctx, targets)
        if initiatives:
            self.initiatives(ctx, initiatives)
        ctx.defects = [
            {"id": d.id, "lines": m.cite_many(d.sources), "text": d.text,
             "resolution": d.resolution}
            for d in c.defects
        ]
        problems = list(rejected) or (list(evaluation.rejected) if evaluation is not None else [])
        ctx.rejected = [
            {"location": str(p.location or ""), "code": p.code, "message": p.message,
             "hint": p.hint or ""}
            for p in problems
        ]
        return ctx

    def counts(self, ctx: _Ctx, per_award: Mapping[str, Mapping[str, int]]) -> None:
        for a in self.c.awards:
            counts = {v: per_award.get(a.id, {}).get(v, 0) for v in VERDICTS}
            if any(counts.values()):
                ctx.counts.append({"id": a.id, "label": self.text(a.label), "counts": counts,
                                   "total": sum(counts.values())})
        ctx.verdict_chart = _verdict_chart(ctx.counts) if ctx.counts else None

    def quota(self, q: Any) -> dict[str, Any]:
        return {
            "id": q.quota_id,
            "label": self.text(q.label),
            "awardees": q.awardees,
            "qualifying": q.qualifying,
            "share": self.num(q.share),
            "required": self.num(q.required),
            "status": q.status,
            "status_label": self.status(q.status),
            "shortfall": "" if q.shortfall is None else self.num(q.shortfall),
            "groups": [{"label": g.label, "numerator": g.numerator,
                        "denominator": "" if g.denominator is None else g.denominator,
                        "limit": "" if g.limit is None else g.limit, "status": g.status,
                        "status_label": self.status(g.status), "advice": self.text(g.advice)}
                       for g in (q.groups if q.per != "campaign" else ())],
            "outcomes": [{"subject": o.subject, "group": o.group or "", "rank": o.rank,
                          "status": _lower_first(self.text(OUTCOME_LABELS[o.status]))}
                         for o in q.outcomes],
        }

    def verdicts(self, ctx: _Ctx, evaluation: Evaluation) -> None:
        for s in evaluation.subjects:
            for a in s.awards:
                ctx.verdicts.append({
                    "subject": s.subject_id,
                    "name": s.name or "",
                    "level": self.level_label(s.level, s.role),
                    "award": self.text(a.label),
                    "verdict": a.verdict,
                    "verdict_label": self.verdict(a.verdict),
                    "points": "" if a.points is None
                    else f"{self.num(a.points)}/{self.num(a.max_points)}",
                    "band": a.band or "",
                    "failed": "; ".join(self.text(c.label) for c in a.criteria if c.status == "fail"),
                    "missing": "; ".join(self.fact_label(f) for f in a.missing_facts),
                    "reason": a.reason or "",
                })
                for c in a.criteria:
                    ctx.criteria.append({
                        "subject": s.subject_id,
                        "award": self.text(a.label),
                        "criterion": self.text(c.label),
                        "status": c.status,
                        "status_label": self.status(c.status),
                        "threshold": c.threshold,
                        "values": "; ".join(f"{self.fact_label(k)} = {self.show(v)}"
                                            for k, v in c.values.items()),
                        "missing": "; ".join(self.fact_label(f) for f in c.missing),
                        "source": c.source.cite(),
                        "text_vi": c.text_vi,
                    })

    def targets(self, ctx: _Ctx, report: TargetReport) -> None:
        for t in report.results:
            ctx.targets.append({
                "id": t.target_id,
                "label": self.text(t.label),
                "phase": self.phase_label(t.phase),
                "phase_id": t.phase,
                "value": self.num(t.value) if t.value is not None else "",
                "figure": self.num(t.target),
                "op": t.op,
                "unit": t.unit or "",
                "ratio": "" if t.ratio is None else self.num(t.ratio * 100, 1) + " %",
                "status": t.status,
                "status_label": self.status(t.status),
                "reason": t.reason or "",
                "source": t.source.cite(),
                "text_vi": t.text_vi,
                "raw_value": t.value,
                "raw_figure": t.target,
            })
        ctx.target_chart = _target_chart(ctx.targets, self.w)

    def initiatives(self, ctx: _Ctx, assessments: Sequence[Any]) -> None:
        prog = self.c.initiatives
        labels = {ch.id: self.text(ch.label) for ch in prog.checks} if prog else {}
        accepted = sum(1 for a in assessments if a.accepted)
        ctx.initiative_counts = {"accepted": accepted, "excluded": len(assessments) - accepted}
        for a in assessments:
            key = "accepted" if a.accepted else "not_yet" if a.not_yet else "excluded"
            ctx.initiatives.append({
                "id": a.initiative.id,
                "title": a.initiative.title or "",
                "status": "pass" if a.accepted else "pending" if a.not_yet else "fail",
                "status_label": self.w[key],
                "failed": "; ".join(
                    f"{labels.get(ch.check_id, ch.check_id)}: {ch.detail} ({ch.source.cite()})"
                    for ch in a.failed
                ),
                "credited": ", ".join(a.credited),
                "attribution": a.attribution,
            })


def _verdict_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked horizontal bars, one per award, all on one scale (the largest total)."""
    top = max(r["total"] for r in rows) or 1
    bars = []
    for i, r in enumerate(rows):
        y = 40 + i * _ROW
        x = 0.0
        segments = []
        for v in VERDICTS:
            n = r["counts"][v]
            if not n:
                continue
            w = _BAR_AREA * n / top
            segments.append({"verdict": v, "count": n, "x": round(x, 2), "w": round(w, 2),
                             "label_x": round(x + w / 2, 2), "show": w >= 22})
            x += w
        bars.append({"label": _clip(r["label"]), "full_label": r["label"], "award": r["id"], "y": y, "bar_y": y + 8,
                     "text_y": y + 8 + _BAR - 5, "segments": segments, "total": r["total"],
                     "total_x": round(x + 6, 2)})
    return {"width": CHART_WIDTH, "height": 40 + len(rows) * _ROW + 4, "bars": bars,
            "bar": _BAR, "legend": [{"verdict": v, "x": 6 + i * 190} for i, v in enumerate(VERDICTS)]}


def _target_chart(rows: list[dict[str, Any]], words: dict[str, str]) -> dict[str, Any]:
    """Per target, its figure and its value as two bars on the target's own scale (the larger
    of the two): the units differ from target to target. The phase is named in the label only
    when the rows are of several phases."""
    bars = []
    row = _ROW + _BAR + 2
    phases = len({t["phase_id"] for t in rows}) > 1
    for i, t in enumerate(rows):
        y = 40 + i * row
        value, figure = t["raw_value"], t["raw_figure"]
        scale = max(abs(value or 0), abs(figure or 0)) or 1
        label = f"{t['label']} ({t['phase']})" if phases and t["phase"] else t["label"]
        bars.append({
            "label": _clip(label),
            "full_label": label,
            "target": t["id"],
            "phase": t["phase_id"],
            "y": y,
            "figure_y": y + 8,
            "value_y": y + 10 + _BAR,
            "figure_w": round(_BAR_AREA * abs(figure or 0) / scale, 2),
            "value_w": round(_BAR_AREA * abs(value or 0) / scale, 2),
            "figure": t["figure"],
            "value": t["value"] if value is not None else words["unknown_value"],
            "unit": t["unit"],
            "status": t["status"],
        })
    legend = [{"key": k, "x": 6 + i * 150} for i, k in enumerate(("figure", "met", "not_met", "pending", "unknown"))]
    return {"width": CHART_WIDTH, "height": 40 + len(rows) * row + 4, "bars": bars, "bar": _BAR,
            "text_x": _BAR_AREA + 8, "legend": legend}


def _clip(label: str, limit: int = 100) -> str:
    """A label short enough for one line of the chart (the full one is its tooltip)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
