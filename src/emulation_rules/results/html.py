"""HTML reports people read and print: ``evaluate|targets|initiatives --format html -o FILE``.

One self-contained page (no scripts, no network fetches, no external CSS or fonts) with the
content of the result workbook (:mod:`emulation_rules.results.workbook`):

* **Tổng hợp** (summary): the campaign, review date and phase; verdict counts per award, as a
  table and as a stacked bar chart; quotas with status and shortfall; targets of the phase with
  value, figure and status, as a table and as a bar chart of the value against its figure;
  initiatives accepted and excluded;
* **Kết quả** (verdicts): one row per subject, its awards side by side (with the quota outcome
  beside a verdict a cap ranks over the quota), each row's details (one line per award: points,
  band, failing criteria, missing facts, the reason) in a ``<details>`` element, opened on click;
* **Thẩm định** (with ``--reviewed``): the self-assessed and the reviewed result side by side,
  the corrected facts and the changed criteria with both values and the note (:mod:`.review_report`);
* **Tiêu chí** (criteria with values and citations), **Chỉ tiêu**, **Sáng kiến**,
  **Khiếm khuyết** (the campaign's recorded defects) and **Bị loại** (facts problems of subjects
  left out), as in the workbook.

Every table is a :class:`~emulation_rules.results.presentation.Table` of the run's one
presentation, the same the workbook and the text table render: the template never formats a
value nor reads a Python object's attribute by a name a dict also has.

Charts are inline SVG computed here (bar geometry in pixels of a 760-pixel-wide drawing); the
page carries ``@media print`` rules (A4 landscape, table headers repeated on every page, rows
not split, colours kept). Vietnamese by default (``lang="vi"``: labels, decimal comma
``92,5``, thousands dot ``1.234``); ``lang="en"`` gives English labels and ``92.5``.

Every text taken from the facts or the campaign goes through Jinja2's autoescaping: a subject
named ``<script>alert(1)</script>`` is shown as that text and never runs. Needs Jinja2 (the
``html`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import Problem
from emulation_rules.evaluate.result import Evaluation
from emulation_rules.results._tables import present
from emulation_rules.results.presentation import Presentation, Table, format_number
from emulation_rules.results.review import SubjectReview
from emulation_rules.results.review_report import REVIEW_ROW_KEYS, review_tables
from emulation_rules.results.summary import VERDICTS, VerdictCounts
from emulation_rules.results.targets import TargetReport
from emulation_rules.results.words import STATUS, WORDS, Lang
from emulation_rules.results.words import VERDICTS as VERDICT_WORDS
from emulation_rules.writing import write_atomic

__all__ = ["BAR_COLOURS", "Lang", "format_number", "render_html", "write_html"]

BAR_COLOURS = {  # strong enough to tell apart on paper; the light fills of the tables beside
    "awarded": "#2e7d32",
    "not_awarded": "#c62828",
    "incomplete": "#f9a825",
    "not_eligible": "#9e9e9e",
    "not_proposed": "#cfd8dc",
    "met": "#2e7d32",
    "not_met": "#c62828",
    "pending": "#1565c0",
    "unknown": "#f9a825",
    "figure": "#b0bec5",
}

ROW_KEYS: dict[str, tuple[tuple[str, int], ...]] = {
    "counts": (("award", 0),),
    "quotas": (("quota", 0),),
    "quota-groups": (("quota", 0), ("group", 1)),
    "outcomes": (("quota", 0), ("subject", 2)),
    "target-summary": (("target", 0), ("phase", 1)),
    "targets": (("target", 0), ("phase", 1)),
    "subjects": (("subject", 0),),
    "details": (("subject", 0), ("award", 4)),
    "criteria": (("subject", 0), ("award", 1), ("criterion", 2)),
    "initiatives": (("initiative", 0),),
    "defects": (("defect", 0),),
    **REVIEW_ROW_KEYS,
}
"""Per table, the ``data-*`` attributes of its rows: (name, column whose cell key is the value)."""

# chart geometry, in pixels of the SVG drawing (scaled to the page width by CSS)
CHART_WIDTH = 760
_BAR_AREA = 560  # the longest bar; the rest of the width holds its numbers
_ROW = 46  # one award or target: its label line and its bar(s)
_BAR = 18


@dataclass
class _Ctx:
    """What the template shows: the presentation, the words and the charts' geometry."""

    lang: Lang
    words: dict[str, str]
    p: Presentation
    verdict_names: dict[str, str]
    status_names: dict[str, str]
    bar_colours: dict[str, str]
    row_keys: dict[str, tuple[tuple[str, int], ...]]
    verdict_chart: dict[str, Any] | None = None
    target_chart: dict[str, Any] | None = None
    has_evaluation: bool = False
    review: tuple[Table, ...] = ()


def render_html(
    campaign: m.Campaign,
    *,
    evaluation: Evaluation | None = None,
    targets: TargetReport | None = None,
    initiatives: Sequence[Any] | None = None,
    rejected: Sequence[Problem] = (),
    counts: VerdictCounts | None = None,
    lang: Lang = "vi",
    review: Sequence[SubjectReview] | None = None,
) -> str:
    """The report page as HTML text (arguments as for :func:`write_html`)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("emulation_rules.results", "templates"),
        autoescape=True,  # every text from facts or campaign is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    p = present(campaign, evaluation=evaluation, targets=targets, initiatives=initiatives,
                rejected=rejected, counts=counts, lang=lang)
    ctx = _Ctx(
        lang=lang,
        words={k: (vi if lang == "vi" else en) for k, (vi, en) in WORDS.items()},
        p=p,
        verdict_names={k: (vi if lang == "vi" else en) for k, (vi, en) in VERDICT_WORDS.items()},
        status_names={k: (vi if lang == "vi" else en) for k, (vi, en) in STATUS.items()},
        bar_colours=BAR_COLOURS,
        row_keys=ROW_KEYS,
        has_evaluation=evaluation is not None or counts is not None,
        review=() if review is None else review_tables(review, campaign, lang),
    )
    if p.counts is not None and p.counts.rows:
        ctx.verdict_chart = _verdict_chart(p.counts)
    if p.target_summary is not None:
        ctx.target_chart = _target_chart(p, ctx.words)
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
    review: Sequence[SubjectReview] | None = None,
) -> Path:
    """Write the report page (UTF-8; whole or not at all: a temporary file beside it, renamed).

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
        review: the upper level's review (``evaluate --reviewed``): its section shows the
            self-assessed and the reviewed result side by side
            (:mod:`~emulation_rules.results.review_report`).

    Returns:
        The path written.

    Raises:
        OSError: the file cannot be written.
    """
    text = render_html(campaign, evaluation=evaluation, targets=targets, initiatives=initiatives,
                       rejected=rejected, counts=counts, lang=lang, review=review)
    path = Path(target)
    write_atomic(path, text)
    return path


def _verdict_chart(table: Table) -> dict[str, Any]:
    """Stacked horizontal bars, one per award, all on one scale (the largest total)."""
    rows = [(r.cells[0], [_count(c.value) for c in r.cells[1:-1]], _count(r.cells[-1].value))
            for r in table.rows]
    top = max(total for _, _, total in rows) or 1
    bars = []
    for i, (label, counts, total) in enumerate(rows):
        y = 40 + i * _ROW
        x = 0.0
        segments = []
        for v, n in zip(VERDICTS, counts, strict=True):
            if not n:
                continue
            w = _BAR_AREA * n / top
            segments.append({"verdict": v, "count": n, "x": round(x, 2), "w": round(w, 2),
                             "label_x": round(x + w / 2, 2), "show": w >= 22})
            x += w
        bars.append({"label": _clip(label.text), "full_label": label.text, "award": label.key, "y": y,
                     "bar_y": y + 8, "text_y": y + 8 + _BAR - 5, "segments": segments, "total": total,
                     "total_x": round(x + 6, 2)})
    return {"width": CHART_WIDTH, "height": 40 + len(rows) * _ROW + 4, "bars": bars,
            "bar": _BAR, "legend": [{"verdict": v, "x": 6 + i * 190} for i, v in enumerate(VERDICTS)]}


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def _target_chart(p: Presentation, words: dict[str, str]) -> dict[str, Any]:
    """Per target, its figure and its value as two bars on the target's own scale (the larger
    of the two): the units differ from target to target. The phase is named in the label only
    when the rows are of several phases."""
    assert p.target_summary is not None
    rows = p.target_summary.rows
    bars = []
    row = _ROW + _BAR + 2
    phases = len({r.cells[1].key for r in rows}) > 1
    for i, (r, (value, figure)) in enumerate(zip(rows, p.raw_targets, strict=True)):
        label_cell, phase, value_cell, figure_cell, unit, status = r.cells
        y = 40 + i * row
        scale = max(abs(value or 0), abs(figure or 0)) or 1
        label = f"{label_cell.text} ({phase.text})" if phases and phase.text else label_cell.text
        bars.append({
            "label": _clip(label),
            "full_label": label,
            "target": label_cell.key,
            "phase": phase.key,
            "y": y,
            "figure_y": y + 8,
            "value_y": y + 10 + _BAR,
            "figure_w": round(_BAR_AREA * abs(figure or 0) / scale, 2),
            "value_w": round(_BAR_AREA * abs(value or 0) / scale, 2),
            "figure": figure_cell.text,
            "value": value_cell.text if value is not None else words["unknown_value"],
            "unit": unit.text,
            "status": status.key,
        })
    legend = [{"key": k, "x": 6 + i * 150} for i, k in enumerate(("figure", "met", "not_met", "pending", "unknown"))]
    return {"width": CHART_WIDTH, "height": 40 + len(rows) * row + 4, "bars": bars, "bar": _BAR,
            "text_x": _BAR_AREA + 8, "legend": legend}


def _clip(label: str, limit: int = 100) -> str:
    """A label short enough for one line of the chart (the full one is its tooltip)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
