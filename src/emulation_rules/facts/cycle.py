"""A submission's proposals (đề nghị) and the council's ballots (phiếu bầu), as submitted.

YAML or JSON facts may add, beside ``subjects``::

    proposals:                     # who the unit proposes for which award (danh sách đề nghị)
      - {award: grassroots_emulation_fighter, subjects: [A08, A09, B07]}
    ballots:                       # the council's secret ballot, per subject and award (biên bản)
      - {subject: A09, award: Chiến sĩ thi đua cơ sở, members: 9, present: 8, votes_for: 7,
         minutes: "Biên bản số 03/BB-HĐTĐKT ngày 20/12/2025"}

A CSV file or a plain .xlsx table gives proposals in a ``proposed_for`` column: the award ids or
labels a subject is proposed for, separated by ``;``. Awards and subjects are named by id or
label (any case, NFC or NFD, :mod:`.vocab`); every problem is located.

An award declaring ``requires_proposal: true`` judges only the subjects proposed for it; the
others get the verdict ``not_proposed`` (:mod:`emulation_rules.evaluate.cycle`). An award with a
``vote`` is decided by the ballot given for the subject (none given: the vote is unknown).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import PathItem, Problem, ProblemCode, SourceLocation, did_you_mean, unknown_key
from emulation_rules.facts.vocab import Choice, choose, unknown_message

__all__ = [
    "BALLOT_KEYS",
    "PROPOSED_COLUMN",
    "Ballot",
    "Proposals",
    "award_choices",
    "proposals_from_cells",
    "read_ballots",
    "read_proposals",
]

PROPOSED_COLUMN = "proposed_for"
"""The column of a CSV file or a plain .xlsx table naming the awards a subject is proposed for."""
BALLOT_KEYS = ("subject", "award", "members", "present", "votes_for", "minutes")
PROPOSAL_KEYS = ("award", "subjects")
MAX_COUNCIL = 100_000
"""Largest council a ballot may report (a typing error beyond it)."""

Proposals = Mapping[str, frozenset[str]]
"""``{award id: ids of the subjects proposed for it}``."""
ProblemFn = Callable[[ProblemCode, str, tuple[PathItem, ...], "str | None"], Problem]


@dataclass(frozen=True)
class Ballot:
    """One secret ballot of the council on one subject and award (phiếu bầu, biên bản).

    Attributes:
        subject: the subject's id (NFC).
        award: the award's id.
        members: the council's members.
        present: members present (voting).
        votes_for: votes in favour.
        minutes: the minutes' reference (biên bản), as written.
        location: where the ballot stands in its file.
    """

    subject: str
    award: str
    members: int
    present: int
    votes_for: int
    minutes: str | None = None
    location: SourceLocation | None = None


def award_choices(campaign: m.Campaign) -> tuple[Choice, ...]:
    """The campaign's awards as choices (by id or label)."""
    return tuple((a.id, a.label) for a in campaign.awards)


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value).strip())


def _award(value: Any, campaign: m.Campaign, path: tuple[PathItem, ...], problem: ProblemFn,
           out: list[Problem]) -> str | None:
    found = choose(_nfc(value), award_choices(campaign)) if isinstance(value, str) else None
    if found is None:
        message, hint = unknown_message("award", value, award_choices(campaign))
        out.append(problem("unknown-award", message, path, hint))
    return found


def _subject(value: Any, subjects: Iterable[str], path: tuple[PathItem, ...], problem: ProblemFn,
             out: list[Problem]) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    known = set(subjects)
    sid = _nfc(value) if isinstance(value, str) else None
    if sid is None or sid not in known:
        out.append(problem("unknown-subject", f"subject {value!r} is not in the submission "
                           f"(đối tượng không có trong hồ sơ)", path, did_you_mean(str(value), sorted(known))))
        return None
    return sid


def read_proposals(raw: Any, campaign: m.Campaign, subjects: Iterable[str], problem: ProblemFn,
                   out: list[Problem]) -> dict[str, frozenset[str]]:
    """Validate a ``proposals`` list: ``[{award, subjects: [ids]}]``; problems appended to ``out``."""
    ids = tuple(subjects)
    found: dict[str, set[str]] = {}
    if not isinstance(raw, list):
        out.append(problem("invalid-value", "'proposals' must be a list of {award, subjects} "
                           "(danh sách đề nghị theo danh hiệu)", ("proposals",), None))
        return {}
    for i, entry in enumerate(raw):
        path: tuple[PathItem, ...] = ("proposals", i)
        if not isinstance(entry, dict):
            out.append(problem("invalid-value", "a proposal must be a mapping {award, subjects}", path, None))
            continue
        for key in entry:
            if key not in PROPOSAL_KEYS:
                message, hint = unknown_key(key, PROPOSAL_KEYS)
                out.append(problem("unknown-key", message, (*path, key), hint))
        award = _award(entry.get("award"), campaign, (*path, "award"), problem, out)
        people = entry.get("subjects")
        if not isinstance(people, list):
            out.append(problem("missing-key", "a proposal needs 'subjects', a list of subject ids",
                               (*path, "subjects"), None))
            continue
        chosen = [_subject(s, ids, (*path, "subjects", j), problem, out) for j, s in enumerate(people)]
        if award is not None:
            found.setdefault(award, set()).update(s for s in chosen if s is not None)
    return {k: frozenset(v) for k, v in found.items()}


def proposals_from_cells(cells: Mapping[str, tuple[str, tuple[PathItem, ...]]], campaign: m.Campaign,
                         problem: ProblemFn, out: list[Problem]) -> dict[str, frozenset[str]]:
    """Proposals from a ``proposed_for`` column: ``{subject id: (cell text, its path)}``; each
    cell names awards by id or label, separated by ``;``."""
    found: dict[str, set[str]] = {}
    for sid, (text, path) in cells.items():
        for part in str(text).split(";"):
            if not part.strip():
                continue
            award = _award(part, campaign, path, problem, out)
            if award is not None:
                found.setdefault(award, set()).add(sid)
    return {k: frozenset(v) for k, v in found.items()}


def _count(value: Any, path: tuple[PathItem, ...], problem: ProblemFn, out: list[Problem]) -> int | None:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNCIL:
        out.append(problem("invalid-value", f"{path[-1]!r} must be a whole number from 0 to {MAX_COUNCIL}, "
                           f"not {value!r}", path, None))
        return None
    return value


def read_ballots(raw: Any, campaign: m.Campaign, subjects: Iterable[str], problem: ProblemFn,
                 locate: Callable[[tuple[PathItem, ...]], SourceLocation | None],
                 out: list[Problem]) -> tuple[Ballot, ...]:
    """Validate a ``ballots`` list; problems appended to ``out``, located.

    A ballot names an award that declares a ``vote``; ``votes_for <= present <= members``; one
    ballot per subject and award.
    """
    ids = tuple(subjects)
    if not isinstance(raw, list):
        out.append(problem("invalid-value", "'ballots' must be a list of {subject, award, members, "
                           "present, votes_for}", ("ballots",), None))
        return ()
    ballots: list[Ballot] = []
    seen: set[tuple[str, str]] = set()
    for i, entry in enumerate(raw):
        path: tuple[PathItem, ...] = ("ballots", i)
        if not isinstance(entry, dict):
            out.append(problem("invalid-value", "a ballot must be a mapping {subject, award, members, "
                               "present, votes_for, minutes}", path, None))
            continue
        bad = len(out)
        for key in entry:
            if key not in BALLOT_KEYS:
                message, hint = unknown_key(key, BALLOT_KEYS)
                out.append(problem("unknown-key", message, (*path, key), hint))
        sid = _subject(entry.get("subject"), ids, (*path, "subject"), problem, out)
        award = _award(entry.get("award"), campaign, (*path, "award"), problem, out)
        if award is not None and campaign.award(award).vote is None:
            out.append(problem("invalid-value", f"award {award!r} is not decided by a council vote "
                               "(the campaign gives it no 'vote')", (*path, "award"), None))
        members, present, votes = (_count(entry.get(k), (*path, k), problem, out)
                                   for k in ("members", "present", "votes_for"))
        if members is not None and present is not None and votes is not None \
                and not votes <= present <= members:
            out.append(problem("invalid-value", f"a ballot needs votes_for ≤ present ≤ members; got "
                               f"{votes}, {present}, {members}", path, None))
        minutes = entry.get("minutes")
        if minutes is not None and not isinstance(minutes, (str, int)):
            out.append(problem("invalid-value", "'minutes' must be text", (*path, "minutes"), None))
        if sid is not None and award is not None and (sid, award) in seen:
            out.append(problem("duplicate-id", f"a second ballot for {sid!r} and {award!r}", path, None))
        if len(out) > bad or sid is None or award is None:
            continue
        seen.add((sid, award))
        assert members is not None and present is not None and votes is not None
        ballots.append(Ballot(sid, award, members, present, votes,
                              None if minutes is None else _nfc(minutes), locate(path)))
    return tuple(ballots)
