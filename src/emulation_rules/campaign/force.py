"""Documents in force (hiệu lực): which texts each rule rests on, and whether a review date falls
inside their force (issue 19, item 8).

A document may carry ``in_force: {from, to}`` (both inclusive; an open end is still in force) and
``replaced_by`` (the id of the document replacing it). A *rule* is a criterion, an award's
eligibility, a score-sheet item, a quota, a target or a parameter; it *rests on* every document
its citations name (:func:`rules`). :func:`force_problems` reports, located, each rule resting on a
document not in force on a review date: at ``validate``, the last day of each phase (the review at
its end; an open phase's first day); at ``evaluate``, the evaluation's review date. They are
warnings; ``--strict`` refuses the campaign.

Example: the acceptance campaign's 15% cap cites NĐ 91/2017 (``in_force: {to: 2023-12-31}``,
replaced by NĐ 98/2023), so the review of 2025 falls outside its force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import PathItem, Problem
from emulation_rules.frozen import frozen

__all__ = ["ForceStatus", "Rule", "force_problems", "force_status", "review_days", "rules", "status_text"]

ForceStatus = Literal["in_force", "expired", "not_yet", "undated"]
PathT = tuple[PathItem, ...]


@frozen
class Rule:
    """A rule and the documents it rests on (ids, first cited first)."""

    path: PathT
    kind: str
    id: str
    award: str | None
    docs: tuple[str, ...]


def force_status(doc: m.Document, day: dt.date) -> ForceStatus:
    """Whether ``doc`` is in force on ``day``: ``undated`` when it gives no ``in_force``."""
    span = doc.in_force
    if span is None or (span.from_ is None and span.to is None):
        return "undated"
    if span.from_ is not None and day < span.from_:
        return "not_yet"
    if span.to is not None and day > span.to:
        return "expired"
    return "in_force"


def status_text(campaign: m.Campaign, doc: m.Document, status: ForceStatus) -> m.Text:
    """The status in words, e.g. 'hết hiệu lực từ 01/01/2024, thay bằng Nghị định 98/2023/NĐ-CP'."""
    span = doc.in_force
    by = ""
    if doc.replaced_by is not None:
        with_name = next((d.citation_name() for d in campaign.documents if d.id == doc.replaced_by),
                         doc.replaced_by)
        by = with_name
    if status == "expired" and span is not None and span.to is not None:
        end = (span.to + dt.timedelta(days=1)).strftime("%d/%m/%Y")
        return m.Text.of(vi=f"hết hiệu lực từ {end}" + (f", thay bằng {by}" if by else ""),
                      en=f"expired on {end}" + (f", replaced by {by}" if by else ""))
    if status == "not_yet" and span is not None and span.from_ is not None:
        start = span.from_.strftime("%d/%m/%Y")
        return m.Text.of(vi=f"chưa có hiệu lực (từ {start})", en=f"not yet in force (from {start})")
    if status == "in_force":
        return m.Text.of(vi="còn hiệu lực", en="in force")
    return m.Text.of(vi="không ghi thời gian hiệu lực", en="force not dated")


def rules(campaign: m.Campaign) -> Iterator[Rule]:
    """Every rule of ``campaign`` with the documents its citations name, in file order."""
    for i, a in enumerate(campaign.awards):
        base: PathT = ("awards", i)
        yield _rule((*base, "eligibility"), "eligibility", a.id, a.id, a.eligibility)
        for j, c in enumerate(a.criteria):
            yield _rule((*base, "criteria", j), "criterion", c.id, a.id, c)
        if a.score_sheet is not None:
            for j, item in enumerate(a.score_sheet.items):
                yield _rule((*base, "score_sheet", "items", j), "score item", item.id, a.id, item)
    for i, q in enumerate(campaign.quotas):
        yield _rule(("quotas", i), "quota", q.id, None, q)
    for i, t in enumerate(campaign.targets):
        yield _rule(("targets", i), "target", t.id, None, t)
    for i, p in enumerate(campaign.parameters):
        yield _rule(("parameters", i), "parameter", p.id, None, p)


def _rule(path: PathT, kind: str, rule_id: str, award: str | None, node: Any) -> Rule:
    docs = tuple(dict.fromkeys(src.doc for src, _ in m.citations(node)))
    return Rule(path, kind, rule_id, award, docs)


def review_days(campaign: m.Campaign) -> dict[str, dt.date]:
    """``{phase id: review date}`` used by ``validate``: a phase's last day, or its first day when
    it has no end. A standing regulation (no phases) is reviewed every year: the review years
    just after a cited document ends, and just before it begins, are checked (their last days)."""
    if campaign.phases or campaign.review_year is None:
        return {p.id: p.end or p.start for p in campaign.phases}
    edges = {day for d in campaign.documents if d.in_force is not None
             for day in (d.in_force.to and d.in_force.to + dt.timedelta(days=1),
                         d.in_force.from_ and d.in_force.from_ - dt.timedelta(days=1)) if day is not None}
    years = sorted((p for p in map(campaign.review_year.phase_at, edges)), key=lambda p: p.start)
    return {p.id: p.end or p.start for p in years}


def force_problems(campaign: m.Campaign, days: Mapping[str, dt.date],
                   locate: Any = None) -> list[Problem]:
    """One ``document-not-in-force`` problem per rule and document not in force on a review date.

    Args:
        campaign: the loaded campaign.
        days: ``{what is reviewed (a phase id, or 'review'): review date}``.
        locate: ``path -> SourceLocation | None`` (a :class:`SourceMap`'s ``locate``), or None.
    """
    docs = {d.id: d for d in campaign.documents}
    out: list[Problem] = []
    for rule in rules(campaign):
        for doc_id in rule.docs:
            doc = docs.get(doc_id)
            if doc is None:
                continue
            for what, day in days.items():
                status = force_status(doc, day)
                if status not in ("expired", "not_yet"):
                    continue
                words = status_text(campaign, doc, status)  # in English; Vietnamese: the catalogue
                message = (f"{rule.kind} {rule.id!r} rests on {doc.citation_name()}, {words.en}: the review "
                           f"of {what} ({day.isoformat()}) falls outside its force")
                out.append(Problem("document-not-in-force", message, rule.path,
                                   locate(rule.path) if locate is not None else None))
    return out
