"""Quotas inside an award set: minimum shares (Điện Biên 001 L14), caps and fixed numbers.

A :class:`~emulation_rules.campaign.model.Quota` counts the subjects awarded any of ``awards``
for whom ``condition`` holds (all of them without a condition): the *numerator*. The
*denominator* is ``of``: the subjects awarded any of ``of.awards``, or the submitted subjects of
``of.population``; by default the awardees of ``awards``. A subject is counted once however many
awards or branches it fits (defect 001 #4, resolution in campaigns/dienbien_2020.yaml). Verdicts
``awarded`` count; an ``incomplete`` verdict is no award yet, but may become one: its subject is
counted as undecided (in the numerator, the denominator or both), so that a cap is not ``met``
while undecided awardees could still exceed it (three-valued, as the criteria).

Bounds, exactly one per quota:

* ``min_share``: met when numerator >= ``ceil(min_share% x denominator)`` (exactly at the share
  is met: "ít nhất");
* ``max_share``: a cap; ``allowed = floor(max_share% x denominator)`` (a 15% cap over 9 allows 1);
  met when numerator <= allowed;
* ``max_count``: a cap of a fixed number; met when numerator <= max_count.

Status ``met``, ``not_met`` or ``unknown``: unknown when awardees whose condition (or
denominator members whose population ``where``) cannot be decided for a missing fact could change
the answer, or, for a minimum, when the denominator is empty (the share is undefined).

``per`` judges each group on its own people: ``campaign`` pools the whole submission (the
default, as before); ``unit`` groups individuals by their ``unit`` and collectives by their own
id; ``level`` groups collectives by level and individuals by the level of their unit when that
unit is in the submission. Subjects without a unit (or level) form one group, labelled
``no unit`` (``no level``). A grouped quota is ``not_met`` when a group is, else ``unknown``
when a group is, else ``met``.

A minimum's shortfall is stated two ways: ``shortfall``, how many of the current awardees would
have to be qualifying ones (``ceil(min_share% x awardees) - qualifying``), and
``additional_needed``, how many qualifying awardees would have to be added to the set; a cap's
``excess`` is how many awardees are over it. The advice is worded per kind: "needs 1 more
qualifying awardee", "2 over the cap of 1".

When a cap is exceeded and the quota declares a ``ranking``, the group's awardees are placed
within or over the quota (:mod:`.quota_ranking`) in ``QuotaResult.outcomes``; without a ranking,
or while an undecided subject could move the cut, nobody is named. The award verdicts never change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.result import amended
from emulation_rules.evaluate.semantics import judge
from emulation_rules.facts.reader import Subject, Submission
from emulation_rules.results.quota_groups import GroupKey, Tally, fits, group_key, group_label, is_unplaced
from emulation_rules.results.quota_ranking import QuotaOutcome, rank_group
from emulation_rules.results.quota_result import QuotaGroup, QuotaKind, QuotaResult, QuotaStatus
from emulation_rules.results.quota_text import bound_text, render_quotas_table, share_text

if TYPE_CHECKING:
    from emulation_rules.evaluate.result import Evaluation

def advice(kind: QuotaKind, status: QuotaStatus, subject: str, counted: int, denominator: int,
           limit: int | None, shortfall: int | None, add: int | None, excess: int | None,
           undecided: int) -> m.Text:
    """A group's status in words, worded for the kind of quota.

    Examples: a minimum not met -> "needs 1 more qualifying awardee"; a cap exceeded ->
    "2 over the cap of 1".
    """
    who_vi = {"individual": "cá nhân", "collective": "tập thể"}.get(subject, "tập thể, cá nhân")
    if status == "unknown":
        if kind == "min_share" and not denominator and not undecided:
            return m.Text.new(vi="chưa có đối tượng để tính tỷ lệ",
                                          en="nobody to take the share of: undefined")
        return m.Text.new(vi=f"chưa xác định: {undecided} đối tượng còn thiếu dữ kiện",
                      en=f"undecided: {undecided} subject{_s(undecided)} lack{'s' if undecided == 1 else ''} "
                         "a fact the quota reads")
    if kind == "min_share":
        if status == "met":
            return m.Text.new(vi=f"đạt: {counted}/{denominator}, tối thiểu {limit}",
                          en=f"met: {counted} of {denominator}, at least {limit} needed")
        if add is None:
            return m.Text.new(vi=f"cần thêm {shortfall} {who_vi} đạt điều kiện trong số được khen thưởng",
                          en=f"needs {shortfall} more of the awardees to qualify")
        return m.Text.new(vi=f"cần thêm {add} {who_vi} được khen thưởng đạt điều kiện",
                      en=f"needs {add} more qualifying awardee{_s(add)}")
    if status == "met":
        return m.Text.new(vi=f"không vượt mức tối đa {limit} (hiện có {counted})",
                      en=f"within the cap of {limit} ({counted} counted)")
    return m.Text.new(vi=f"vượt {excess} so với mức tối đa {limit}", en=f"{excess} over the cap of {limit}")


def _s(n: int | None) -> str:
    return "" if n == 1 else "s"


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

    Source: Điện Biên 001 L14 (the only quota on an award set in the five shipped plans); caps,
    groups and rankings: issue 10, item 3.
    """
    subs = tuple(subjects.subjects if isinstance(subjects, Submission) else subjects)
    by_id = {s.id: s for s in subs}
    values = {**campaign.parameter_defaults(), **(params or {})}
    decls = {f.id: f for f in campaign.facts}
    awarded: dict[str, set[str]] = {
        r.subject_id: {a.award_id for a in r.awards if a.verdict == "awarded"} for r in evaluation.subjects
    }
    pending: dict[str, set[str]] = {
        r.subject_id: {a.award_id for a in r.awards if a.verdict == "incomplete"} for r in evaluation.subjects
    }
    judged = [s for s in subs if s.id in awarded]
    return tuple(_Judge(q, judged, by_id, awarded, decls, values, pending).result()
                 for q in campaign.quotas)


class _Judge:
    """One quota over the evaluated subjects: its groups, their counts, status and outcomes."""

    def __init__(self, q: m.Quota, subs: Sequence[Subject], by_id: Mapping[str, Subject],
                 awarded: Mapping[str, set[str]], decls: Mapping[str, m.FactDecl],
                 values: Mapping[str, float], pending: Mapping[str, set[str]] | None = None) -> None:
        self.q, self.by_id, self.decls, self.values = q, by_id, decls, values
        self.kind: QuotaKind = ("min_share" if q.min_share is not None
                                else "max_share" if q.max_share is not None else "max_count")
        raw = (q.min_share if q.min_share is not None else q.max_share if q.max_share is not None
               else q.max_count or 0)
        self.bound = float(values[raw.param] if isinstance(raw, m.BoundParam) else raw)
        wanted = self.wanted = frozenset(q.awards)
        self.of_awards = frozenset(q.of.awards if q.of is not None else ())
        self.groups: dict[GroupKey, Tally] = {}
        unplaced: list[tuple[GroupKey, Subject, bool | None, bool, bool | None]] = []
        for s in subs:
            if s.kind not in q.kinds:
                continue
            mine = awarded[s.id]
            maybe = pending.get(s.id, set()) if pending is not None else set()
            got: bool | None = False
            if not wanted.isdisjoint(mine) or not wanted.isdisjoint(maybe):
                got = True if q.condition is None else judge(q.condition, s.facts, decls, values)
                got = got if got is False or not wanted.isdisjoint(mine) else None
            member = self._member(s, mine)
            if member is False and maybe and self._member(s, mine | maybe) is not False:
                member = None  # an incomplete verdict may still make it a member
            key = group_key(q.per, s, by_id, decls)
            if is_unplaced(key):  # a missing fact: undecided in every group it may be in
                unplaced.append((key, s, got, got is not False, member))
                continue
            if got is not False:
                self._tally(key).add_numerator(s, got)
            if member is not False:
                self._tally(key).add_denominator(member)
        for key, s, _got, counted, member in unplaced:
            for k in [k for k in self.groups if fits(key, k)] or [key]:
                if counted:
                    self._tally(k).add_numerator(s, None)
                if member is not False:
                    self._tally(k).add_denominator(None)

    def _member(self, s: Subject, mine: set[str]) -> bool | None:
        of = self.q.of
        if of is None:
            return not self.wanted.isdisjoint(mine)
        if of.population is None:
            return not self.of_awards.isdisjoint(mine)
        pop = of.population
        if (pop.kind == "collective" and pop.levels and s.level not in pop.levels) or (
                pop.kind == "individual" and pop.roles and s.role not in pop.roles):
            return False
        return True if pop.where is None else judge(pop.where, s.facts, self.decls, self.values)

    def _tally(self, key: GroupKey) -> Tally:
        if key not in self.groups:
            self.groups[key] = Tally()
        return self.groups[key]

    def result(self) -> QuotaResult:
        q = self.q
        keys = sorted(self.groups, key=lambda k: k is None)  # first appearance; "no unit" last
        groups = tuple(self._group(k, self.groups[k]) for k in keys)
        if q.per == "campaign":
            g = groups[0] if groups else self._group(None, Tally())
            status, share, need = g.status, g.share, g.limit
            short, add, excess = g.shortfall, g.additional_needed, g.excess
        else:
            states = {g.status for g in groups}
            status = ("not_met" if "not_met" in states else "unknown" if "unknown" in states
                      else "met" if groups or self.kind != "min_share" else "unknown")
            share = need = short = add = excess = None
        outcomes = tuple(o for k, g in zip(keys, groups, strict=True) for o in self._rank(k, g))
        return QuotaResult(
            q.id, sum(t.d_yes for t in self.groups.values()), sum(g.numerator for g in groups),
            sum(g.undecided for g in groups), share, self.bound, need, status, short, add, q.source,
            q.label, q.text_vi, tuple(i for g in groups for i in g.undecided_ids),
            kind=self.kind, per=q.per if isinstance(q.per, str) else q.per.text(), extended=_extended(q),
            excess=excess, groups=groups,
            outcomes=outcomes, ranked=q.ranking is not None,
        )

    def _group(self, key: GroupKey, t: Tally) -> QuotaGroup:
        y, uy, dlo, dhi = len(t.yes), len(t.undecided), t.d_yes, t.d_yes + t.d_undecided
        p = Fraction(str(self.bound)) / 100
        short = add = excess = None
        limit: int | None
        status: QuotaStatus
        if self.kind == "min_share":
            limit = math.ceil(p * dlo) if dlo else None
            if dlo and y >= math.ceil(p * dhi):
                status, short, add = "met", 0, 0
            elif dlo and y + uy < math.ceil(p * dlo):
                status, short = "not_met", (limit or 0) - y - uy
                try:
                    add = additional_needed(dlo, y + uy, self.bound)
                except ValueError:
                    add = None
            else:
                status = "unknown"
        else:
            cap_lo, cap_hi = self._cap(dlo), self._cap(dhi)
            limit = cap_lo
            if y + uy <= cap_lo:
                status, excess = "met", 0
            elif y > cap_hi:
                status, excess = "not_met", y - cap_hi
            else:
                status = "unknown"
        denominator = None if self.kind == "max_count" else dlo
        share = float(Fraction(y * 100, dlo)) if dlo and denominator is not None else None
        if self.kind == "max_count":
            share = None
        label = group_label(self.q.per, key)
        name = key if isinstance(key, str) or key is None else label
        return QuotaGroup(
            name, label, y, uy, denominator, t.d_undecided, share, limit, status,
            short, add, excess, advice(self.kind, status, "+".join(self.q.kinds), y, dlo, limit, short, add, excess,
                                       uy + t.d_undecided),
            tuple(s.id for s in t.yes), tuple(t.undecided),
        )

    def _cap(self, denominator: int) -> int:
        """How many a cap allows over ``denominator``: ``floor(max_share% x denominator)`` or
        the fixed ``max_count``."""
        if self.kind == "max_count":
            return int(self.bound)
        return math.floor(Fraction(str(self.bound)) / 100 * denominator)

    def _rank(self, key: GroupKey, g: QuotaGroup) -> tuple[QuotaOutcome, ...]:
        """Outcomes of an over-cap group, when the cap and its awardees are decided."""
        t = self.groups.get(key)
        if self.q.ranking is None or g.status != "not_met" or t is None or g.limit is None:
            return ()
        if t.undecided or (t.d_undecided and self._cap(t.d_yes + t.d_undecided) != g.limit):
            return ()  # an undecided awardee or denominator could move the cut: nobody is named yet
        return rank_group(self.q.ranking, t.yes, g.limit, self.decls, g.group)


def _extended(q: m.Quota) -> bool:
    """Whether ``q`` uses a key of issue 10 (a quota without them prints as it always did)."""
    return (q.min_share is None or q.of is not None or q.per != "campaign" or q.ranking is not None
            or q.condition is None or bool(q.subjects))


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
    return amended(evaluation, quotas=check_quotas(campaign, evaluation, subjects, params))


def quotas_json(results: Sequence[QuotaResult]) -> list[dict[str, Any]]:
    """JSON-ready list for the evaluate output's ``quotas`` key."""
    return [r.to_dict() for r in results]


__all__ = [
    "QuotaGroup", "QuotaKind", "QuotaOutcome", "QuotaResult", "QuotaStatus", "additional_needed", "advice",
    "bound_text", "check_quotas", "quotas_json", "render_quotas_table", "share_text",
    "with_quotas",
]
