"""A self-assessment beside the upper level's review: what changed, and the verdict that counts.

``evaluate --reviewed FILE`` evaluates the submission twice: as the unit assessed itself, and with
the reviewer's corrections (:mod:`emulation_rules.facts.corrections`). The reviewed evaluation is
the one that counts (its verdicts, quotas and every output); beside it, per subject reviewed:
each award's self-assessed and reviewed verdict, points and band, every corrected fact with both
values, the note (diễn giải) and the reviewer, and every criterion that reads a corrected fact or
changed its status, with both statuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.result import Evaluation
from emulation_rules.evaluate.semantics import reads
from emulation_rules.facts.corrections import Correction
from emulation_rules.facts.reader import Submission

__all__ = ["AwardReview", "FactChange", "SubjectReview", "compare", "render_review", "review_dict"]


@dataclass(frozen=True)
class FactChange:
    """One corrected fact: the unit's value, the reviewer's, why and by whom."""

    fact: str
    self_value: Any
    reviewed_value: Any
    note: str | None
    reviewer: str | None
    item: str | None = None


@dataclass(frozen=True)
class AwardReview:
    """One award of a reviewed subject, self-assessed and reviewed, with the criteria changed
    (``(criterion id, label, self status, reviewed status, facts it reads that were corrected)``)."""

    award_id: str
    label: m.Text
    self_verdict: str
    reviewed_verdict: str
    self_points: float | None
    reviewed_points: float | None
    self_band: str | None
    reviewed_band: str | None
    criteria: tuple[tuple[str, m.Text, str, str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class SubjectReview:
    """A subject the review corrected."""

    subject_id: str
    name: str | None
    changes: tuple[FactChange, ...]
    awards: tuple[AwardReview, ...]


def _reads(campaign: m.Campaign) -> dict[tuple[str, str], set[str]]:
    """``{(award id, criterion id): facts it reads}``, with ``score_sheet`` reading its items'."""
    out: dict[tuple[str, str], set[str]] = {}
    for a in campaign.awards:
        for c in a.criteria:
            out[(a.id, c.id)] = set(reads(c.condition))
        if a.score_sheet is not None:
            facts: set[str] = set()
            for item in a.score_sheet.items:
                facts.update(reads(item.condition) if item.condition is not None else [item.points_fact or ""])
            out[(a.id, "score_sheet")] = facts
    return out


def compare(campaign: m.Campaign, assessed: Evaluation, reviewed: Evaluation, submission: Submission,
            corrections: tuple[Correction, ...]) -> tuple[SubjectReview, ...]:
    """The subjects ``corrections`` touch, in submission order, self-assessed beside reviewed."""
    read = _reads(campaign)
    by_subject: dict[str, list[Correction]] = {}
    for c in corrections:
        by_subject.setdefault(c.subject, []).append(c)
    out = []
    for s in submission.subjects:
        mine = by_subject.get(s.id)
        if not mine:
            continue
        changes = tuple(FactChange(c.fact, s.facts.get(c.fact), c.value, c.note, c.reviewer, c.item) for c in mine)
        corrected = {c.fact for c in mine}
        before, after = assessed.subject(s.id), reviewed.subject(s.id)
        awards = []
        for a in after.awards:
            b = before.award(a.award_id)
            old = {c.criterion_id: c.status for c in b.criteria}
            criteria = tuple(
                (c.criterion_id, c.label, old.get(c.criterion_id, "-"), c.status,
                 tuple(sorted(read.get((a.award_id, c.criterion_id), set()) & corrected)))
                for c in a.criteria
                if old.get(c.criterion_id) != c.status or read.get((a.award_id, c.criterion_id), set()) & corrected)
            awards.append(AwardReview(a.award_id, a.label, b.verdict, a.verdict, b.points, a.points, b.band,
                                      a.band, criteria))
        out.append(SubjectReview(s.id, s.name, changes, tuple(awards)))
    return tuple(out)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def review_dict(reviews: tuple[SubjectReview, ...]) -> list[dict[str, Any]]:
    """JSON-ready form (the ``review`` key of ``evaluate --reviewed --format json``)."""
    return [{
        "subject": r.subject_id, "name": r.name,
        "changes": [{"fact": c.fact, "item": c.item, "self_assessed": _json(c.self_value),
                     "reviewed": _json(c.reviewed_value), "note": c.note, "reviewer": c.reviewer}
                    for c in r.changes],
        "awards": [{"award": a.award_id, "label": {"vi": a.label.vi, "en": a.label.en},
                    "self_assessed": {"verdict": a.self_verdict, "points": a.self_points, "band": a.self_band},
                    "reviewed": {"verdict": a.reviewed_verdict, "points": a.reviewed_points,
                                 "band": a.reviewed_band},
                    "criteria": [{"criterion": cid, "label": {"vi": label.vi, "en": label.en},
                                  "self_assessed": st0, "reviewed": st1, "corrected_facts": list(facts)}
                                 for cid, label, st0, st1, facts in a.criteria]}
                   for a in r.awards],
    } for r in reviews]


_WORDS = {
    "vi": {"head": "Thẩm định của cấp trên (kết quả được tính là kết quả sau thẩm định)", "self": "tự đánh giá",
           "reviewed": "sau thẩm định", "fact": "sửa", "by": "người thẩm định", "why": "diễn giải",
           "criterion": "tiêu chí", "points": "điểm", "band": "hạng",
           "pass": "đạt", "fail": "không đạt", "unknown": "chưa rõ", "-": "—"},
    "en": {"head": "Upper-level review (the reviewed verdict counts)", "self": "self-assessed",
           "reviewed": "reviewed", "fact": "changed", "by": "reviewer", "why": "note",
           "criterion": "criterion", "points": "points", "band": "band",
           "pass": "pass", "fail": "fail", "unknown": "unknown", "-": "—"},
}


def _show(value: Any, lang: str = "vi") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else "có" if value else "không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(_json(value))


def render_review(reviews: tuple[SubjectReview, ...], *, lang: str = "vi",
                  verdict_words: dict[str, str] | None = None) -> str:
    """The review as text: per subject, the corrected facts with both values and the note, each
    award's two verdicts (with points and band), and the criteria that changed."""
    w = _WORDS["en" if lang == "en" else "vi"]
    words = verdict_words or {}
    lines = [w["head"] + ":"]
    for r in reviews:
        lines.append(f"  {r.subject_id}" + (f" ({r.name})" if r.name else ""))
        for c in r.changes:
            what = f"{c.fact} [{c.item}]" if c.item else c.fact
            line = f"    {w['fact']} {what}: {_show(c.self_value, lang)} → {_show(c.reviewed_value, lang)}"
            if c.note:
                line += f"; {w['why']}: {c.note}"
            if c.reviewer:
                line += f" ({w['by']}: {c.reviewer})"
            lines.append(line)
        for a in r.awards:
            label = a.label.en if lang == "en" else a.label.vi

            def side(verdict: str, points: float | None, band: str | None) -> str:
                text = words.get(verdict, verdict)
                if points is not None:
                    text += f", {points:g} {w['points']}" + (f", {w['band']} {band}" if band else "")
                return text

            mark = "" if a.self_verdict == a.reviewed_verdict else "  ⚠"
            lines.append(f"    {label}: {w['self']} {side(a.self_verdict, a.self_points, a.self_band)}; "
                         f"{w['reviewed']} {side(a.reviewed_verdict, a.reviewed_points, a.reviewed_band)}{mark}")
            for cid, clabel, st0, st1, facts in a.criteria:
                name = clabel.en if lang == "en" else clabel.vi
                lines.append(f"      {w['criterion']} {name} [{cid}]: {w[st0]} → {w[st1]}"
                             + (f" ({', '.join(facts)})" if facts else ""))
    return "\n".join(lines) + "\n"
