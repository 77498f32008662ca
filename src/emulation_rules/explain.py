"""Results of an evaluation and how they are shown: JSON for machines, tables for people.

Shapes (all frozen dataclasses)::

    Evaluation
      campaign_id, as_of, phase, params
      subjects: (SubjectResult, ...)
        subject_id, kind, level | role, name, unit
        awards: (AwardResult, ...)
          award_id, label, verdict, missing_facts, points, max_points, band
          criteria: (CriterionResult, ...)
            criterion_id, label (vi/en), text_vi, status, values, missing, threshold, source

Verdicts: ``awarded`` (every criterion passes), ``not_awarded`` (at least one fails),
``incomplete`` (none fails, at least one cannot be decided for missing facts, which are listed),
``not_eligible`` (the subject's level or role cannot receive the award).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from . import model as m

Status = Literal["pass", "fail", "unknown"]
VerdictKind = Literal["awarded", "not_awarded", "incomplete", "not_eligible"]
JSON_FORMAT_VERSION = 1


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's outcome for one subject.

    Attributes:
        status: ``pass``, ``fail`` or ``unknown`` (a fact it reads is missing).
        values: the fact values used (records facts as their pre-aggregated count).
        missing: facts it reads that were not submitted.
        threshold: the condition in words, e.g. ``union_rating ≥ strong``.
        source: the plan clause cited.
    """

    criterion_id: str
    label: m.Text
    text_vi: str
    status: Status
    values: Mapping[str, Any]
    missing: tuple[str, ...]
    threshold: str
    source: m.Source
    reviewer_judgement: bool = False


@dataclass(frozen=True)
class AwardResult:
    """One award's verdict for one subject, with the reasons."""

    award_id: str
    label: m.Text
    verdict: VerdictKind
    criteria: tuple[CriterionResult, ...] = ()
    missing_facts: tuple[str, ...] = ()
    points: float | None = None
    max_points: float | None = None
    band: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class SubjectResult:
    """All award results of one subject."""

    subject_id: str
    kind: str
    level: str | None
    role: str | None
    name: str | None
    unit: str | None
    awards: tuple[AwardResult, ...]

    def award(self, award_id: str) -> AwardResult:
        """The result for ``award_id``.

        Raises:
            KeyError: the award does not apply to this subject.
        """
        for a in self.awards:
            if a.award_id == award_id:
                return a
        raise KeyError(award_id)


@dataclass(frozen=True)
class Evaluation:
    """The result of evaluating a submission against a campaign."""

    campaign_id: str
    as_of: dt.date | None
    phase: str | None
    params: Mapping[str, float]
    subjects: tuple[SubjectResult, ...]
    rejected: tuple[Any, ...] = field(default=())
    quotas: tuple[Any, ...] = field(default=())
    """Quota results (:class:`~emulation_rules.quotas.QuotaResult`) over these verdicts."""

    def subject(self, subject_id: str) -> SubjectResult:
        """The result for ``subject_id``.

        Raises:
            KeyError: no such subject.
        """
        for s in self.subjects:
            if s.subject_id == subject_id:
                return s
        raise KeyError(subject_id)

    def verdicts(self) -> dict[tuple[str, str], str]:
        """``{(subject id, award id): verdict}``, handy for tests and diffs."""
        return {(s.subject_id, a.award_id): a.verdict for s in self.subjects for a in s.awards}

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON-ready form (``format_version`` 1); keys never depend on the data."""
        return {
            "format_version": JSON_FORMAT_VERSION,
            "campaign": self.campaign_id,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "phase": self.phase,
            "params": dict(sorted(self.params.items())),
            "subjects": [_subject_dict(s) for s in self.subjects],
            "rejected": [p.to_dict() for p in self.rejected],
            "quotas": [q.to_dict() for q in self.quotas],
        }


def combine(statuses: list[Status]) -> VerdictKind:
    """Verdict from criterion statuses: any fail -> not_awarded; else any unknown -> incomplete."""
    if "fail" in statuses:
        return "not_awarded"
    if "unknown" in statuses:
        return "incomplete"
    return "awarded"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _subject_dict(s: SubjectResult) -> dict[str, Any]:
    return {
        "id": s.subject_id, "kind": s.kind, "level": s.level, "role": s.role,
        "name": s.name, "unit": s.unit,
        "awards": [
            {
                "award": a.award_id,
                "label": {"vi": a.label.vi, "en": a.label.en},
                "verdict": a.verdict,
                "reason": a.reason,
                "missing_facts": list(a.missing_facts),
                "points": a.points, "max_points": a.max_points, "band": a.band,
                "criteria": [
                    {
                        "criterion": c.criterion_id,
                        "label": {"vi": c.label.vi, "en": c.label.en},
                        "status": c.status,
                        "values": _jsonable(c.values),
                        "missing": list(c.missing),
                        "threshold": c.threshold,
                        "reviewer_judgement": c.reviewer_judgement,
                        "source": {"seed": c.source.seed, "lines": list(c.source.lines),
                                   "clause": c.source.clause},
                    }
                    for c in a.criteria
                ],
            }
            for a in s.awards
        ],
    }


def render_json(evaluation: Evaluation) -> str:
    """Pretty, stable JSON (UTF-8 text, Vietnamese kept as is)."""
    return json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ("subject_id", "kind", "level_or_role", "name", "award", "verdict", "points", "band",
               "failed_criteria", "missing_facts")


def render_csv(evaluation: Evaluation) -> str:
    """One row per subject and award (``CSV_COLUMNS``); lists joined with ``;``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for s in evaluation.subjects:
        for a in s.awards:
            w.writerow([
                s.subject_id, s.kind, s.level or s.role or "", s.name or "", a.award_id, a.verdict,
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


def render_table(evaluation: Evaluation) -> str:
    """A plain-text table: one row per subject and award, with a count per verdict."""
    head = f"Campaign {evaluation.campaign_id}"
    if evaluation.as_of:
        head += f" — as of {evaluation.as_of.isoformat()}"
    if evaluation.phase:
        head += f" (phase {evaluation.phase})"
    rows: list[tuple[str, ...]] = [("Subject", "Name", "Level/role", "Award", "Verdict", "Why")]
    counts: dict[str, int] = {}
    for s in evaluation.subjects:
        for a in s.awards:
            counts[a.verdict] = counts.get(a.verdict, 0) + 1
            rows.append((s.subject_id, s.name or "", s.level or s.role or "", a.award_id,
                         a.verdict, _why(a)))
    out = [head, "", *_grid(rows), ""]
    summary = ", ".join(f"{k}: {counts.get(k, 0)}" for k in _VERDICT_VI)
    out.append(f"{len(evaluation.subjects)} subjects; {summary}")
    if evaluation.rejected:
        out.append(f"{len(evaluation.rejected)} problems in the facts; those subjects were not evaluated:")
        out.extend(f"  {p}" for p in evaluation.rejected)
    if evaluation.quotas:
        from .quotas import render_quotas_table

        out.append(render_quotas_table(evaluation.quotas).rstrip("\n"))
    return "\n".join(out) + "\n"


def _why(a: AwardResult) -> str:
    if a.verdict == "not_eligible":
        return a.reason or ""
    if a.verdict == "not_awarded":
        failed = [c.criterion_id for c in a.criteria if c.status == "fail"]
        text = "fails: " + ", ".join(failed)
        return text + (f"; missing: {', '.join(a.missing_facts)}" if a.missing_facts else "")
    if a.verdict == "incomplete":
        if a.reason and not a.missing_facts:  # e.g. criteria delegated to another instrument
            return a.reason
        return "missing: " + ", ".join(a.missing_facts)
    text = "all criteria met"
    if a.points is not None:
        text += f"; {a.points:g}/{a.max_points:g} points" + (f", band {a.band}" if a.band else "")
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
    return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
