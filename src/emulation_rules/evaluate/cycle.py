"""Proposals and council votes, judged the same way whatever the backend.

Both sit around the backends (:class:`~emulation_rules.engine.Engine` calls them), so durable,
python and polars see the same campaign and the same facts and give the same verdicts:

* **The vote is one more criterion.** :func:`judged_campaign` gives each award with a ``vote`` a
  derived yes/no fact (:func:`~emulation_rules.campaign.cycle.vote_fact`) and a criterion
  ``council_vote`` reading it, cited to the vote's source. :func:`with_ballots` sets that fact
  from the subject's ballot before the backend runs: yes when the members present reach the
  quorum and the votes for reach the threshold (of those present, or of the members), no
  otherwise. Without a ballot the fact is absent, so the criterion is ``unknown`` and the verdict
  ``incomplete``, naming the vote among the missing facts: a review can run before the council
  meets and again after it. :func:`decided` then shows the ballot's figures as the criterion's
  values and the rule in words, for every backend alike.
* **Proposals decide who is judged.** For an award with ``requires_proposal: true``, a subject
  the submission does not propose for it gets the verdict ``not_proposed`` ("không đề nghị", no
  criteria), which no quota counts, neither as awarded nor as undecided. A subject that may not
  receive the award at all keeps ``not_eligible``. An award that requires another award reads
  that award's judged verdict, proposed or not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.memo import kept_for
from emulation_rules.campaign.nodes import vote_fact
from emulation_rules.evaluate.result import AwardResult, CriterionResult, Evaluation, amended
from emulation_rules.facts.reader import Subject

if TYPE_CHECKING:  # for annotations: a run without proposals or ballots never reads them
    from emulation_rules.facts.cycle import Ballot, Proposals

__all__ = ["VOTE_CRITERION", "cycle_unsupported", "decided", "judged_campaign", "vote_carried",
           "with_ballots", "without_proposals"]

VOTE_CRITERION = "council_vote"
"""The id of the criterion a ``vote`` adds to its award."""
NOT_PROPOSED_REASON = "not proposed by the unit"  # in Vietnamese from the catalogue (messages)


def judged_campaign(campaign: m.Campaign) -> m.Campaign:
    """``campaign`` as the backends judge it: each award with a ``vote`` gains the derived fact
    and the ``council_vote`` criterion; a campaign without votes is returned as it is."""
    voted = [a for a in campaign.awards if a.vote is not None]
    if not voted:
        return campaign
    facts = list(campaign.facts)
    awards = []
    for a in campaign.awards:
        if a.vote is None:
            awards.append(a)
            continue
        facts.append(m.made_like(
            campaign, "FactDecl",
            id=vote_fact(a.id), applies_to=a.subject, type="bool",
            label=m.Text.of(vi=f"Hội đồng TĐKT bỏ phiếu đạt: {a.label.vi}",
                         en=f"Council ballot carried: {a.label.en}")))
        criterion = m.made_like(
            campaign, "Criterion", id=VOTE_CRITERION,
            label=m.Text.of(vi="Hội đồng thi đua, khen thưởng bỏ phiếu kín đạt tỷ lệ",
                         en="The emulation council's secret ballot reaches the threshold"),
            text_vi=_rule_vi(a.vote),
            condition=m.made_like(campaign, "Compare", fact=vote_fact(a.id), op="==", value=True),
            source=a.vote.source)
        # the vote is now a criterion: the backends judge it as any other
        awards.append(m.replace(a, criteria=(*a.criteria, criterion), vote=None))
    return m.replace(campaign, facts=tuple(facts), awards=tuple(awards))


def without_proposals(campaign: m.Campaign) -> m.Campaign:
    """``campaign`` with ``requires_proposal`` left to :func:`decided` (the backends judge every
    subject; unproposed ones are then shown ``not_proposed``)."""
    if not any(a.requires_proposal for a in campaign.awards):
        return campaign
    return m.replace(campaign, awards=tuple(m.replace(a, requires_proposal=False) for a in campaign.awards))


def cycle_unsupported(campaign: m.Campaign) -> str | None:
    """Why a table scored in bulk cannot follow ``campaign``'s proposals or votes, or None."""
    awards = [a.id for a in campaign.awards if a.requires_proposal or a.vote is not None]
    if not awards:
        return None
    return (f"bulk scoring reads no proposals or ballots, and {', '.join(awards)} needs them "
            "(requires_proposal or vote); evaluate without --bulk")


def _bound(value: float | m.BoundParam | None, params: Mapping[str, float]) -> float | None:
    if isinstance(value, m.BoundParam):
        return params[value.param]
    return value


def vote_carried(vote: m.Vote, ballot: Ballot, params: Mapping[str, float]) -> bool:
    """Whether ``ballot`` carries under ``vote``: quorum reached (present ≥ quorum% of members)
    and votes for ≥ threshold% of those present (``of: present``) or of the members. Exact
    (fractions), both inclusive ("từ … trở lên")."""
    quorum = _bound(vote.quorum, params)
    if quorum is not None and Fraction(ballot.present * 100) < Fraction(str(quorum)) * ballot.members:
        return False
    threshold = _bound(vote.threshold, params)
    assert threshold is not None
    base = ballot.present if vote.of == "present" else ballot.members
    return Fraction(ballot.votes_for * 100) >= Fraction(str(threshold)) * base


def with_ballots(subjects: tuple[Subject, ...], ballots: tuple[Ballot, ...], campaign: m.Campaign,
                 params: Mapping[str, float]) -> tuple[Subject, ...]:
    """``subjects`` with each ballot's outcome set as its award's derived vote fact."""
    if not ballots:
        return subjects
    by_subject: dict[str, dict[str, bool]] = {}
    for b in ballots:
        vote = campaign.award(b.award).vote
        if vote is not None:
            by_subject.setdefault(b.subject, {})[vote_fact(b.award)] = vote_carried(vote, b, params)
    out = []
    for s in subjects:
        derived = by_subject.get(s.id)
        if derived:
            kinds = {vote_fact(a.id) for a in campaign.awards if a.subject == s.kind}
            extra = {k: v for k, v in derived.items() if k in kinds}
            s = dataclasses.replace(s, facts=MappingProxyType({**s.facts, **extra}))
        out.append(s)
    return tuple(out)


def _pct(value: float | m.BoundParam | None, params: Mapping[str, float]) -> str:
    got = _bound(value, params)
    return f"{got:g}%"


def _rule_vi(vote: m.Vote) -> str:
    of = "số thành viên có mặt" if vote.of == "present" else "tổng số thành viên Hội đồng"
    threshold = vote.threshold if not isinstance(vote.threshold, m.BoundParam) else vote.threshold.param
    text = f"Được Hội đồng thi đua, khen thưởng bỏ phiếu kín đồng ý từ {threshold}% trở lên trên {of}"
    return text + ("." if vote.quorum is None else "; phiên họp đủ số thành viên có mặt theo quy định.")


def _threshold(vote: m.Vote, params: Mapping[str, float]) -> str:
    of = "of those present / trên số có mặt" if vote.of == "present" else "of the members / trên tổng số thành viên"
    text = f"votes for ≥ {_pct(vote.threshold, params)} {of}"
    if vote.quorum is not None:
        text += f"; present ≥ {_pct(vote.quorum, params)} of the members / có mặt"
    return text


def _vote_values(ballot: Ballot, vote: m.Vote) -> dict[str, Any]:
    base = ballot.present if vote.of == "present" else ballot.members
    share = round(ballot.votes_for * 100 / base, 2) if base else 0.0
    values: dict[str, Any] = {"members": ballot.members, "present": ballot.present,
                              "votes_for": ballot.votes_for, "share_pct": share}
    if ballot.minutes:
        values["minutes"] = ballot.minutes
    return values


def decided(campaign: m.Campaign, evaluation: Evaluation, proposals: Proposals | None,
            ballots: tuple[Ballot, ...], params: Mapping[str, float]) -> Evaluation:
    """``evaluation`` with proposals applied (``not_proposed``) and each vote criterion showing
    its ballot's figures and its rule in words (the same for every backend)."""
    needs, votes = kept_for(campaign, _judged_by_council)
    if not needs and not votes:
        return evaluation
    proposed = proposals or {}
    by_key = {(b.subject, b.award): b for b in ballots}
    subjects = []
    for s in evaluation.subjects:
        awards = []
        for a in s.awards:
            if a.award_id in needs and a.verdict != "not_eligible" and s.subject_id not in proposed.get(
                    a.award_id, frozenset()):
                a = AwardResult(a.award_id, a.label, "not_proposed", reason=NOT_PROPOSED_REASON)
            elif a.award_id in votes and a.criteria:
                a = dataclasses.replace(a, criteria=tuple(
                    _shown(c, votes[a.award_id], by_key.get((s.subject_id, a.award_id)), params)
                    for c in a.criteria))
            awards.append(a)
        subjects.append(dataclasses.replace(s, awards=tuple(awards)) if awards != list(s.awards) else s)
    return amended(evaluation, subjects=tuple(subjects))


def _judged_by_council(campaign: m.Campaign) -> tuple[frozenset[str], dict[str, m.Vote]]:
    """The awards that require a proposal, and the vote of each award put to one (kept per
    campaign: every evaluation asks)."""
    return (frozenset(a.id for a in campaign.awards if a.requires_proposal),
            {a.id: a.vote for a in campaign.awards if a.vote is not None})


def _shown(c: CriterionResult, vote: m.Vote, ballot: Ballot | None,
           params: Mapping[str, float]) -> CriterionResult:
    if c.criterion_id != VOTE_CRITERION:
        return c
    values = _vote_values(ballot, vote) if ballot is not None else {}
    return dataclasses.replace(c, values=values, threshold=_threshold(vote, params))
