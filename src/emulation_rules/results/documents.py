"""The documents each verdict rests on, with their force on the review date (issue 19, item 8).

An award's verdict rests on the documents its own citation, its eligibility, its criteria and its
score sheet cite; a quota's on those its citations name. Each is listed with its status on the
evaluation's review date (``in_force``, ``expired``, ``not_yet`` or ``undated``; see
:mod:`emulation_rules.campaign.force`), in the JSON (``documents``), the table and ``explain``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.force import ForceStatus, force_status, status_text
from emulation_rules.campaign.memo import kept_for
from emulation_rules.evaluate.result import amended
from emulation_rules.frozen import frozen

if TYPE_CHECKING:
    from emulation_rules.evaluate.result import Evaluation

__all__ = ["DocumentUse", "RestsOn", "documents_lines", "rests_on", "with_documents"]


@frozen
class DocumentUse:
    """A document a verdict rests on and its force on the review date."""

    doc: str
    name: str
    status: ForceStatus
    words: m.Text
    in_force_from: dt.date | None
    in_force_to: dt.date | None
    replaced_by: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"doc": self.doc, "name": self.name, "status": self.status,
                "status_text": {"vi": self.words.vi, "en": self.words.en},
                "in_force_from": self.in_force_from.isoformat() if self.in_force_from else None,
                "in_force_to": self.in_force_to.isoformat() if self.in_force_to else None,
                "replaced_by": self.replaced_by}


@frozen
class RestsOn:
    """The documents an award's (or a quota's) verdicts rest on."""

    kind: str
    id: str
    documents: tuple[DocumentUse, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {self.kind: self.id, "documents": [d.to_dict() for d in self.documents]}

    def shown(self, lang: str = "vi") -> str:
        """``Luật TĐKT 2022 (còn hiệu lực); Nghị định 91/2017 (hết hiệu lực từ 01/01/2024, ...)``;
        ``lang`` ``vi``, ``en`` or ``both``."""
        def words(t: m.Text) -> str:
            return t.en if lang == "en" else t.vi if lang == "vi" else f"{t.vi} / {t.en}"

        return "; ".join(f"{d.name} ({words(d.words)})" for d in self.documents)


def rests_on(campaign: m.Campaign, day: dt.date | None) -> tuple[RestsOn, ...]:
    """Per award, then per quota, the documents cited and their status on ``day`` (undated
    when no review date is known). Kept per campaign object and day (it reads no fact, and a
    service asks it for every request)."""
    by_day: dict[dt.date | None, tuple[RestsOn, ...]] = kept_for(campaign, _days)
    found = by_day.get(day)
    if found is None:
        if len(by_day) >= 256:  # review dates come from requests: a bounded memory
            by_day.clear()
        found = by_day[day] = _rests_on(campaign, day)
    return found


def _days(_campaign: m.Campaign) -> dict[dt.date | None, tuple[RestsOn, ...]]:
    return {}


def _rests_on(campaign: m.Campaign, day: dt.date | None) -> tuple[RestsOn, ...]:
    docs = {d.id: d for d in campaign.documents}

    def uses(node: Any) -> tuple[DocumentUse, ...]:
        out = []
        for doc_id in _cited(node):
            d = docs.get(doc_id)
            if d is None:
                continue
            status: ForceStatus = force_status(d, day) if day is not None else "undated"
            span = d.in_force
            out.append(DocumentUse(d.id, d.citation_name(), status, status_text(campaign, d, status),
                                   span.from_ if span else None, span.to if span else None, d.replaced_by))
        return tuple(out)

    return (*(RestsOn("award", a.id, uses(a)) for a in campaign.awards),
            *(RestsOn("quota", q.id, uses(q)) for q in campaign.quotas))


def _cited(node: Any) -> tuple[str, ...]:
    """The documents ``node`` cites, first cited first (kept per award or quota object: every
    evaluation of a campaign asks again)."""
    docs: tuple[str, ...] = kept_for(node, _cited_docs)
    return docs


def _cited_docs(node: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(src.doc for src, _ in m.citations(node)))


def with_documents(campaign: m.Campaign, evaluation: Evaluation) -> Evaluation:
    """``evaluation`` with the documents its verdicts rest on (at its review date, else the judged
    phase's last day)."""
    day = evaluation.as_of
    if day is None and evaluation.phase is not None:
        phase = campaign.phase_named(evaluation.phase)
        day = (phase.end or phase.start) if phase is not None else None
    return amended(evaluation, documents=rests_on(campaign, day))


def documents_lines(items: Sequence[RestsOn], lang: str = "vi") -> list[str]:
    """Plain-text lines for the table: one per award or quota."""
    if not items:
        return []
    head = "Documents relied on:" if lang == "en" else "Văn bản làm căn cứ:"
    return ["", head, *(f"  {r.id}: {r.shown(lang)}" for r in items)]
