"""Quotas: minimum shares inside an award set (Điện Biên 001 L14).

A :class:`~emulation_rules.model.Quota` says that at least ``min_share`` percent of the subjects
awarded any of ``awards`` must satisfy ``condition``. Status rules:

* ``met``: qualifying awardees / awardees >= min_share (exactly at the share is met: "ít nhất"),
  counting undecided awardees as not qualifying;
* ``not_met``: the share stays below min_share even if every undecided awardee qualified;
* ``unknown``: undecided awardees (a fact the condition reads is missing) could change the
  answer, or nobody was awarded (the share is undefined).

A person fitting several branches of the condition (a direct worker who also holds no management
post) is one awardee and is counted once (defect 001 #4, resolution in campaigns/dienbien_2020.yaml).

The shortfall is stated two ways: ``shortfall``, how many of the current awardees would have to
be qualifying ones for the share to hold (``ceil(min_share% x awardees) - qualifying``), and
``additional_needed``, how many qualifying awardees would have to be added to the set.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from emulation_rules.campaign import model as m
from emulation_rules.evaluate.semantics import judge
from emulation_rules.facts.reader import Subject, Submission

if TYPE_CHECKING:
    from emulation_rules.evaluate.result import Evaluation

QuotaStatus = Literal["met", "not_met", "unknown"]


@dataclass(frozen=True)
class QuotaResult:
    """One quota judged over one evaluation.

    Attributes:
        quota_id: the quota's id.
        awardees: subjects awarded any of the quota's awards (the denominator).
        qualifying: awardees for whom the condition holds (the numerator).
        undecided: awardees whose condition could not be decided (a fact is missing).
        share: qualifying / awardees in percent (0-100), None when nobody was awarded.
        required: the quota's min_share, percent.
        required_count: qualifying awardees the share needs at the current size,
            ``ceil(required% x awardees)`` (None when nobody was awarded).
        status: ``met``, ``not_met`` or ``unknown``.
        shortfall: ``required_count - qualifying - undecided`` when not met (the least that is
            missing even if every undecided awardee qualified), 0 when met, None when unknown:
            how many of the current awardees would have to be qualifying ones.
        additional_needed: qualifying awardees to *add* to the set to reach the share (adding
            k raises both counts by k); 0 when met, None when unknown or unreachable (100%).
        source: the plan clause.
        label, text_vi: the quota's label and the plan's wording.
        undecided_ids: ids of the undecided awardees (their missing facts decide the status).
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
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


def additional_needed(awardees: int, qualifying: int, min_share: float) -> int:
    """Smallest k >= 0 with (qualifying + k) / (awardees + k) >= min_share / 100.

    Raises:
        ValueError: min_share is 100 and some awardee does not qualify (no k suffices).
    """
    p = Fraction(str(min_share)) / 100
    if awardees == 0:
        return 1 if p > 0 else 0  # an empty set reaches the share with its first qualifying member
    if Fraction(qualifying, awardees) >= p:
        return 0
    if p >= 1:
        raise ValueError("a 100% quota cannot be reached by adding awardees")
    return max(0, math.ceil((p * awardees - qualifying) / (1 - p)))


def check_quotas(
    campaign: m.Campaign,
    evaluation: Evaluation,
    subjects: Submission | Sequence[Subject],
    params: Mapping[str, float] | None = None,
) -> tuple[QuotaResult, ...]:
    """Judge every quota of ``campaign`` over an evaluation's verdicts.

    Args:
        campaign: the loaded campaign.
        evaluation: the engine's :class:`Evaluation` of ``subjects`` (verdict ``awarded`` counts).
        subjects: the evaluated subjects (their facts decide the quota's condition).
        params: parameter values for conditions that use parameters (default: the campaign's).

    Returns:
        One :class:`QuotaResult` per quota, in campaign order.

    Source: Điện Biên 001 L14 (the only quota on an award set in the five shipped plans).
    """
    subs = tuple(subjects.subjects if isinstance(subjects, Submission) else subjects)
    by_id = {s.id: s for s in subs}
    values = {**campaign.parameter_defaults(), **(params or {})}
    decls = {f.id: f for f in campaign.facts}
    out: list[QuotaResult] = []
    for q in campaign.quotas:
        wanted = set(q.awards)
        n = yes = 0
        undecided: list[str] = []
        for r in evaluation.subjects:
            s = by_id.get(r.subject_id)
            if s is None or s.kind != q.subject:
                continue
            if not any(a.award_id in wanted and a.verdict == "awarded" for a in r.awards):
                continue
            n += 1
            got = judge(q.condition, s.facts, decls, values)
            if got is True:
                yes += 1
            elif got is None:
                undecided.append(s.id)
        p = Fraction(str(q.min_share)) / 100
        status: QuotaStatus
        need = math.ceil(p * n) if n else None
        short: int | None
        add: int | None
        if n == 0:
            status, short, add = "unknown", None, None
        elif Fraction(yes, n) >= p:
            status, short, add = "met", 0, 0
        elif Fraction(yes + len(undecided), n) < p:
            status = "not_met"
            short = (need or 0) - yes - len(undecided)
            try:
                add = additional_needed(n, yes + len(undecided), q.min_share)
            except ValueError:
                add = None
        else:
            status, short, add = "unknown", None, None
        share = float(Fraction(yes * 100, n)) if n else None
        out.append(QuotaResult(q.id, n, yes, len(undecided), share, q.min_share, need, status,
                               short, add, q.source, q.label, q.text_vi, tuple(undecided)))
    return tuple(out)


def with_quotas(
    campaign: m.Campaign,
    evaluation: Evaluation,
    subjects: Sequence[Subject],
    params: Mapping[str, float],
) -> Evaluation:
    """``evaluation`` with its ``quotas`` judged (unchanged when the campaign has none).

    The one place both evaluators (the durable engine and the reference evaluator) attach
    quota results; see :func:`check_quotas` for the rules.
    """
    if not campaign.quotas:
        return evaluation
    return dataclasses.replace(evaluation, quotas=check_quotas(campaign, evaluation, subjects, params))


def render_quotas_table(results: Sequence[QuotaResult]) -> str:
    """Plain-text lines, one per quota, for after the evaluate table."""
    lines = ["", "Quotas:"]
    for r in results:
        share = "n/a" if r.share is None else f"{share_text(r.share, r.required)}%"
        line = (f"  {r.quota_id}: {r.status} — {r.qualifying}/{r.awardees} awardees qualify "
                f"({share}, required >= {r.required:g}%)")
        if r.undecided:
            line += f", {r.undecided} undecided"
        if r.status == "not_met":
            line += (f"; short by {r.shortfall} of the {r.required_count} needed"
                     + (f" (or add {r.additional_needed} qualifying awardee(s))"
                        if r.additional_needed is not None else ""))
        line += f" [{r.source.cite()}]"
        lines.append(line)
    return "\n".join(lines) + "\n"


def share_text(share: float, required: float) -> str:
    """``share`` with two decimals, and more where two would print an unequal share as the
    required one (14.999% of a 15% quota prints 14.9990, never 15.00)."""
    for digits in (2, 4, 6):
        text = f"{share:.{digits}f}"
        if share == required or float(text) != required:
            return text
    return repr(share)


def quotas_json(results: Sequence[QuotaResult]) -> list[dict[str, Any]]:
    """JSON-ready list for the evaluate output's ``quotas`` key."""
    return [r.to_dict() for r in results]


__all__ = [
    "QuotaResult", "additional_needed", "check_quotas", "quotas_json", "render_quotas_table", "share_text",
    "with_quotas",
]
