"""The submission a review sees: subjects, register and review date resolved together.

Every evaluator (:mod:`emulation_rules.evaluate`), the targets and the quotas take their
subjects from :func:`submission_as_of`, so the one definition of "as of" (:mod:`.asof`) holds
everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import Problem
from emulation_rules.facts.asof import LaterCounts, subjects_as_of
from emulation_rules.facts.reader import Subject, Submission, parse_facts

__all__ = ["resolve_submission", "submission_as_of"]


def resolve_submission(
    facts: Submission | Iterable[Subject] | Mapping[str, Any] | list[Any],
    campaign: m.Campaign,
    as_of: dt.date | None = None,
) -> tuple[tuple[Subject, ...], dt.date | None, tuple[Problem, ...]]:
    """What evaluators accept, as ``(subjects, as_of, rejected)``, seen as of the review date.

    ``facts`` is a :class:`Submission`, validated subjects, or raw data (a mapping with
    ``subjects`` or a list of subject mappings), which is validated by :func:`parse_facts`.
    The explicit ``as_of`` wins over the submission's. Dated records after the review date
    are left out (:func:`submission_as_of`).

    Raises:
        FactsError: raw data that does not validate.
    """
    sub, _ = submission_as_of(facts, campaign, as_of)
    return sub.subjects, sub.as_of, sub.rejected


def submission_as_of(
    facts: Submission | Iterable[Subject] | Mapping[str, Any] | list[Any],
    campaign: m.Campaign,
    as_of: dt.date | None = None,
) -> tuple[Submission, LaterCounts]:
    """The submission as it stood on the review date (:mod:`.asof`), and what was left out.

    The review date is ``as_of`` or else the submission's own. Records of ``records`` facts
    dated after it are left out, and the initiative register is judged again as of that date
    (its derived count facts reset), so every evaluator, the targets and the quotas see the
    same facts.

    Raises:
        FactsError: raw data that does not validate.
    """
    if isinstance(facts, Mapping) or (
        isinstance(facts, list) and not all(isinstance(x, Subject) for x in facts)
    ):
        facts = parse_facts(facts, campaign)
    if not isinstance(facts, Submission):
        facts = Submission(tuple(facts))
    day = as_of or facts.as_of
    subjects, later_records = subjects_as_of(facts.subjects, campaign, day)
    assessments = facts.initiatives
    prog = campaign.initiatives
    if prog is not None and assessments is not None and any(a.as_of != day for a in assessments):
        from emulation_rules.facts.initiatives import derive_register  # only with a register

        derived, assessments = derive_register(
            subjects, [a.initiative for a in assessments], prog, day)
        subjects = tuple(derived)
    later = LaterCounts(day, MappingProxyType(later_records),
                        sum(1 for a in assessments or () if a.later))
    return Submission(subjects, day, facts.campaign_id, facts.rejected, assessments,
                      proposals=facts.proposals, ballots=facts.ballots, forwarded=facts.forwarded), later
