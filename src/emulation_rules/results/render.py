"""How evaluations are shown: stable JSON for machines, CSV for spreadsheets, tables and
explanations for people (Vietnamese first, English beside it).

Every function takes an :class:`~emulation_rules.evaluate.result.Evaluation` (whatever backend
produced it) and returns text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.evaluate.result import (
    CSV_COLUMNS,
    FORMULA_TRIGGERS,
    AwardResult,
    Evaluation,
    defects_at,
    text_cell,
)
from emulation_rules.results.quotas import render_quotas_table

__all__ = ["FORMULA_TRIGGERS", "render_csv", "render_explanation", "render_json", "render_table",
           "text_cell"]


def render_json(evaluation: Evaluation) -> str:
    """Pretty, stable JSON (UTF-8 text, Vietnamese kept as is)."""
    return json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"




def render_csv(evaluation: Evaluation) -> str:
    """One row per subject and award (``CSV_COLUMNS``); lists joined with ``;``. Text that a
    spreadsheet would read as a formula is neutralised (:func:`text_cell`)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for s in evaluation.subjects:
        for a in s.awards:
            w.writerow([
                text_cell(s.subject_id), s.kind, text_cell(s.level or s.role or ""),
                text_cell(s.name or ""), a.award_id, a.verdict,
                "" if a.points is None else f"{a.points:g}", a.band or "",
                ";".join(c.criterion_id for c in a.criteria if c.status == "fail"),
                ";".join(a.missing_facts),
            ])
    return buf.getvalue()


_MARK = {"pass": "✓", "fail": "✗", "unknown": "?"}
_VERDICT_VI = {
    "awarded": "đạt", "not_awarded": "không đạt", "incomplete": "thiếu dữ liệu",
    "not_eligible": "không thuộc đối tượng",
}


_VERDICT_EN = {
    "awarded": "awarded", "not_awarded": "not awarded", "incomplete": "incomplete (facts missing)",
    "not_eligible": "not eligible",
}
_WORDS = {
    "vi": {"campaign": "Phong trào", "as_of": "ngày xét", "phase": "giai đoạn",
           "head": ("Mã", "Tên", "Cấp/vai trò", "Danh hiệu", "Kết quả", "Lý do"),
           "fails": "không đạt", "missing": "thiếu", "undecided": "chưa xét được",
           "all": "đạt mọi tiêu chí", "points": "điểm",
           "band": "hạng", "subjects": "đối tượng", "per_award": "kết quả theo danh hiệu",
           "problems": "lỗi trong dữ liệu; các đối tượng đó không được xét"},
    "en": {"campaign": "Campaign", "as_of": "as of", "phase": "phase",
           "head": ("Subject", "Name", "Level/role", "Award", "Verdict", "Why"),
           "fails": "fails", "missing": "missing", "undecided": "undecided",
           "all": "all criteria met", "points": "points",
           "band": "band", "subjects": "subjects", "per_award": "verdicts per award",
           "problems": "problems in the facts; those subjects were not evaluated"},
}


def render_table(evaluation: Evaluation, *, lang: str = "vi", ids: bool = False) -> str:
    """A plain-text table for the people who use it: one row per subject and award, then the
    number of subjects and, for each award, how many subjects got each verdict.

    Args:
        evaluation: any backend's evaluation.
        lang: ``"vi"`` (default: Vietnamese labels of awards, verdicts and failing criteria)
            or ``"en"`` (the English labels).
        ids: show the ids of awards, verdicts and criteria instead of labels (for scripts and
            for matching ``explain``'s ``[id]`` marks).
    """
    w = _WORDS["en" if lang == "en" else "vi"]
    verdict_word = _VERDICT_VI if lang != "en" else _VERDICT_EN
    head = f"{w['campaign']} {evaluation.campaign_id}"
    if evaluation.as_of:
        head += f" — {w['as_of']} {evaluation.as_of.isoformat()}"
    if evaluation.phase:
        head += f" ({w['phase']} {evaluation.phase})"
    rows: list[tuple[str, ...]] = [tuple(w["head"])]
    per_award: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for s in evaluation.subjects:
        for a in s.awards:
            label = a.award_id if ids else (a.label.en if lang == "en" else a.label.vi)
            names[a.award_id] = label
            counts = per_award.setdefault(a.award_id, {})
            counts[a.verdict] = counts.get(a.verdict, 0) + 1
            rows.append((s.subject_id, s.name or "", s.level or s.role or "", label,
                         a.verdict if ids else verdict_word[a.verdict], _why(a, w, lang, ids)))
    out = [head, "", *_grid(rows), ""]
    out.append(f"{len(evaluation.subjects)} {w['subjects']}; {w['per_award']}:")
    for award_id, counts in per_award.items():
        n = sum(counts.values())
        parts = ", ".join(f"{k if ids else verdict_word[k]} {counts[k]}" for k in _VERDICT_VI
                          if counts.get(k))
        out.append(f"  {names[award_id]}: {n} {w['subjects']} — {parts}")
    for note in evaluation.later.notes():
        out.append(f"note: {note}")
    if evaluation.rejected:
        out.append(f"{len(evaluation.rejected)} {w['problems']}:")
        out.extend(f"  {p}" for p in evaluation.rejected)
    if evaluation.quotas:
        out.append(render_quotas_table(evaluation.quotas).rstrip("\n"))
    return "\n".join(out) + "\n"


def _why(a: AwardResult, w: dict[str, Any], lang: str, ids: bool) -> str:
    if a.verdict == "not_eligible":
        return a.reason or ""
    missing = f"{w['missing']}: {', '.join(a.missing_facts)}" if a.missing_facts else ""
    if a.verdict == "not_awarded":
        failed = [c.criterion_id if ids else (c.label.en if lang == "en" else c.label.vi)
                  for c in a.criteria if c.status == "fail"]
        text = f"{w['fails']}: " + "; ".join(failed)
        return text + (f"; {missing}" if missing else "")
    if a.verdict == "incomplete":
        if a.reason and not a.missing_facts:  # e.g. criteria delegated to another instrument
            return a.reason
        undecided = [c.label.en if lang == "en" else c.label.vi for c in a.criteria
                     if c.status == "unknown"]
        if ids or not undecided:
            return missing
        return f"{w['undecided']}: {'; '.join(undecided)} ({missing})"
    text = str(w["all"])
    if a.points is not None:
        text += (f"; {a.points:g}/{a.max_points:g} {w['points']}"
                 + (f", {w['band']} {a.band}" if a.band else ""))
    return text


def _grid(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    widths[-1] = 0
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * max(w, len(c)) for c, w in zip(r, widths, strict=True)))
    return lines


def render_explanation(evaluation: Evaluation, subject_id: str) -> str:
    """Criterion-by-criterion reasoning for one subject, Vietnamese with English beside it.

    Raises:
        KeyError: no such subject.
    """
    s = evaluation.subject(subject_id)
    who = s.name or s.subject_id
    lines = [f"{who} ({s.subject_id}; {s.kind}, {s.level or s.role})"]
    if evaluation.as_of:
        lines.append(f"Ngày xét / as of: {evaluation.as_of.isoformat()}"
                     + (f"; giai đoạn / phase: {evaluation.phase}" if evaluation.phase else ""))
    later = evaluation.later.records.get(subject_id, 0)
    if later:
        lines.append(f"Bỏ qua / left out: {later} record(s) dated after the review date "
                     "(hồ sơ ghi ngày sau ngày xét)")
    lines.extend(f"Ghi chú / note: {n}" for n in evaluation.later.notes() if "initiative" in n)
    if not s.awards:
        lines.append("No award of this campaign applies to this subject.")
    for a in s.awards:
        lines.append("")
        lines.append(f"■ {a.label.vi} / {a.label.en} [{a.award_id}]")
        lines.append(f"  Kết quả / verdict: {_VERDICT_VI[a.verdict]} / {a.verdict}")
        if a.reason:
            lines.append(f"  {a.reason}")
        if a.missing_facts:
            lines.append(f"  Thiếu dữ liệu / missing facts: {', '.join(a.missing_facts)}")
        if a.points is not None:
            band = f", band {a.band}" if a.band else ""
            lines.append(f"  Điểm / points: {a.points:g}/{a.max_points:g}{band}")
        for c in a.criteria:
            lines.append(f"  {_MARK[c.status]} {c.label.vi} / {c.label.en} [{c.criterion_id}]: {c.status}")
            lines.append(f"      “{c.text_vi}”")
            lines.append(f"      điều kiện / rule: {c.threshold}")
            if c.values:
                used = ", ".join(f"{k} = {_show(v)}" for k, v in c.values.items())
                lines.append(f"      giá trị / values: {used}")
            if c.missing:
                lines.append(f"      thiếu / missing: {', '.join(c.missing)}")
            if c.reviewer_judgement:
                lines.append("      (đánh giá của người xét / reviewer's judgement)")
            lines.append(f"      nguồn / source: {c.source.cite()}")
            for d in defects_at(evaluation.defects, c.source):
                lines.append(f"      khiếm khuyết văn bản / plan defect {d.id} ({m.cite_many(d.sources)}): "
                             f"{d.text} → {d.resolution}")
    return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
