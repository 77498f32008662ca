"""The result of one quota judged over one evaluation (:mod:`.quotas` judges it, :mod:`.quota_text`
words it): plain data, so that the judging and the wording modules both read it and neither
imports the other for it."""

from __future__ import annotations

from typing import Any, Literal

from emulation_rules.campaign import shapes as m
from emulation_rules.frozen import frozen
from emulation_rules.results.quota_ranking import QuotaOutcome

__all__ = ["QuotaGroup", "QuotaKind", "QuotaResult", "QuotaStatus"]

QuotaStatus = Literal["met", "not_met", "unknown"]
QuotaKind = Literal["min_share", "max_share", "max_count"]


@frozen
class QuotaGroup:
    """One group of a quota (a unit, a level, or the whole submission) judged on its own.

    Attributes:
        group: the unit or level id; None for the whole submission (``per: campaign``) or for the
            subjects without a unit/level.
        label: ``group``, or ``all``, ``no unit``, ``no level``.
        numerator: awardees counted (the condition holds).
        undecided: awardees whose condition is unknown (a fact is missing).
        denominator: decided members of the denominator (None for ``max_count``).
        denominator_undecided: subjects that may belong to the denominator (a ``where`` fact is missing).
        share: numerator / denominator in percent, None when it has no denominator.
        limit: for a minimum, the qualifying awardees needed (``ceil``); for a cap, the awardees
            allowed (``floor``, or ``max_count``); None when a minimum has no denominator.
        status: ``met``, ``not_met`` or ``unknown``.
        shortfall, additional_needed: a minimum's shortfall (module docstring), else None.
        excess: a cap's excess over the allowed number (0 when met), else None.
        advice: the status in words, Vietnamese and English.
        counted_ids, undecided_ids: ids of the counted and the undecided awardees.
    """

    group: str | None
    label: str
    numerator: int
    undecided: int
    denominator: int | None
    denominator_undecided: int
    share: float | None
    limit: int | None
    status: QuotaStatus
    shortfall: int | None
    additional_needed: int | None
    excess: int | None
    advice: m.Text
    counted_ids: tuple[str, ...] = ()
    undecided_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "group": self.group, "label": self.label, "status": self.status,
            "numerator": self.numerator, "undecided": self.undecided, "denominator": self.denominator,
            "denominator_undecided": self.denominator_undecided, "share": self.share, "limit": self.limit,
            "shortfall": self.shortfall, "additional_needed": self.additional_needed, "excess": self.excess,
            "advice": {"vi": self.advice.vi, "en": self.advice.en},
            "counted_ids": list(self.counted_ids), "undecided_ids": list(self.undecided_ids),
        }


@frozen
class QuotaResult:
    """One quota judged over one evaluation.

    Attributes:
        quota_id: the quota's id.
        awardees: members of the denominator (by default the awardees of the quota's awards),
            summed over the groups.
        qualifying: awardees counted (the numerator), summed over the groups.
        undecided: awardees whose condition could not be decided (a fact is missing).
        share: qualifying / awardees in percent (0-100), None when nobody was awarded, for a
            ``max_count`` and for a grouped quota (each group has its own).
        required: the quota's figure: ``min_share`` or ``max_share`` percent, or ``max_count``.
        required_count: the group's ``limit`` (see :class:`QuotaGroup`) when not grouped, else None.
        status: ``met``, ``not_met`` or ``unknown`` (grouped: the worst group's).
        shortfall: ``required_count - qualifying - undecided`` when a minimum is not met (the
            least that is missing even if every undecided awardee qualified), 0 when met, None when
            unknown: how many of the current awardees would have to be qualifying ones.
        additional_needed: qualifying awardees to *add* to the set to reach the share (adding
            k raises both counts by k); 0 when met, None when unknown or unreachable (100%).
        source: the plan clause.
        label, text_vi: the quota's label and the plan's wording.
        undecided_ids: ids of the undecided awardees (their missing facts decide the status).
        kind: ``min_share``, ``max_share`` or ``max_count``.
        per: ``campaign``, ``unit`` or ``level``.
        extended: the quota uses a key beyond ``min_share`` over its own awardees (the JSON then
            has the keys below; a plain quota prints as it always did).
        excess: a cap's excess when not grouped (0 when met), else None.
        groups: the groups, first appearance first, the one without unit/level last.
        outcomes: per-subject places in over-cap groups (only with a ``ranking``).
        ranked: the quota declares a ranking.
    """

    quota_id: str
    awardees: int
    qualifying: int
    undecided: int
    share: float | None
    required: float
    required_count: int | None
    status: QuotaStatus
    shortfall: int | None
    additional_needed: int | None
    source: m.Source
    label: m.Text
    text_vi: str
    undecided_ids: tuple[str, ...] = ()
    kind: QuotaKind = "min_share"
    per: str = "campaign"
    extended: bool = False
    excess: int | None = None
    groups: tuple[QuotaGroup, ...] = ()
    outcomes: tuple[QuotaOutcome, ...] = ()
    ranked: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (a plain min_share quota has exactly the keys it always had)."""
        out: dict[str, Any] = {
            "quota": self.quota_id,
            "label": {"vi": self.label.vi, "en": self.label.en},
            "awardees": self.awardees,
            "qualifying": self.qualifying,
            "undecided": self.undecided,
            "undecided_ids": list(self.undecided_ids),
            "share": self.share,
            "required": self.required,
            "required_count": self.required_count,
            "status": self.status,
            "shortfall": self.shortfall,
            "additional_needed": self.additional_needed,
            "source": self.source.cite(),
            "text_vi": self.text_vi,
        }
        if self.extended:
            out.update({
                "kind": self.kind, "per": self.per, "excess": self.excess, "ranked": self.ranked,
                "groups": [g.to_dict() for g in self.groups],
                "outcomes": [o.to_dict() for o in self.outcomes],
            })
        return out
