"""Many submissions in one review: a folder (or a list) of facts files read as one submission.

An upper-level union collects the forms of its grassroots unions (the generated ``.xlsx`` forms,
YAML, JSON or CSV files) and reviews them together. Each subject keeps its origin
(``Subject.location``: ``file:line:column`` or ``file:Sheet!C12``). Nothing is merged silently:

- the same subject id in two files is a ``duplicate-subject`` problem naming both places;
- two files giving different review dates (``as_of``) is an ``invalid-value`` problem (give
  ``--as-of``);
- with a tree of units (:mod:`.units`), a subject whose unit (its own id for a collective, its
  ``unit`` for a person) is not in the tree is ``unknown-unit``, and every unit with no unit below
  it that no file submitted is listed in :attr:`Collected.missing` (the review still runs, and says
  what it lacks).

Every problem of every file is collected and raised once.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import FactsError, Problem, SourceLocation, unknown_id
from emulation_rules.facts.cycle import Ballot
from emulation_rules.facts.forwarded import Forwarded
from emulation_rules.facts.one_file import load_facts_file
from emulation_rules.facts.reader import OnError, Subject, Submission
from emulation_rules.facts.units import Unit, UnitTree

__all__ = ["FACTS_SUFFIXES", "Collected", "expand_sources", "load_many", "unit_of"]

FACTS_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx", ".xlsm")
"""File endings read from a folder of submissions (others are passed over)."""


@dataclass(frozen=True)
class Collected:
    """The submissions of one review, read together.

    Attributes:
        submission: every subject of every file, in file order (files sorted by name within a
            folder); ``rejected`` gathers the left-out subjects of all files (``on_error="skip"``).
        files: the files read, in the order read.
        missing: units of the tree expected to submit (no unit below them) for which no file
            holds the unit itself or a member; empty without a tree.
    """

    submission: Submission
    files: tuple[str, ...]
    missing: tuple[Unit, ...] = ()


def expand_sources(sources: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files named by ``sources``: a folder gives its facts files (not searched
    recursively; hidden files and office lock files ``~$...`` passed over), sorted by name.

    Raises:
        FactsError: ``empty`` for a folder holding no facts file.
    """
    files: list[Path] = []
    for source in sources:
        path = Path(source)
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(p for p in path.iterdir()
                       if p.suffix.lower() in FACTS_SUFFIXES and not p.name.startswith((".", "~$"))
                       and p.is_file())
        if not found:
            raise FactsError([Problem("empty", f"the folder holds no facts file ({', '.join(FACTS_SUFFIXES)})",
                                      location=SourceLocation(str(path), 1))])
        files.extend(found)
    return files


def unit_of(subject: Subject, tree: UnitTree) -> str | None:
    """The tree unit a subject belongs to: a collective that is itself a unit of the tree is
    that unit, anyone else belongs to its ``unit``; None when neither is in the tree."""
    if subject.kind == "collective" and subject.id in tree:
        return tree.unit(subject.id).id
    if subject.unit is not None and subject.unit in tree:
        return tree.unit(subject.unit).id
    return None


def load_many(
    sources: Sequence[str | os.PathLike[str]],
    campaign: m.Campaign,
    *,
    units: UnitTree | None = None,
    on_error: OnError = "raise",
) -> Collected:
    """Read several facts files (or folders of them) as one submission.

    Args:
        sources: files and folders; each file is read by :func:`~.one_file.load_facts_file`.
        campaign: the campaign every file must be for.
        units: the tree of units, to check subjects' units and list missing submissions.
        on_error: as for :func:`~.load.load_facts`, per file.

    Returns:
        The :class:`Collected` submission.

    Raises:
        FactsError: every problem of every file, located, plus ``duplicate-subject``,
            conflicting review dates and (with a tree) ``unknown-unit``.
    """
    problems: list[Problem] = []
    subjects: list[Subject] = []
    rejected: list[Problem] = []
    registers: list[object] = []
    has_register = False
    dates: dict[dt.date, str] = {}
    cid: str | None = None
    seen: dict[str, Subject] = {}
    proposals: dict[str, frozenset[str]] | None = None
    ballots: list[Ballot] = []
    forwarded: list[Forwarded] = []
    files = expand_sources(sources)
    for path in files:
        try:
            sub = load_facts_file(path, campaign, on_error=on_error)
        except FactsError as exc:
            problems.extend(exc.problems)
            continue
        cid = cid or sub.campaign_id
        rejected.extend(sub.rejected)
        if sub.as_of is not None:
            dates.setdefault(sub.as_of, str(path))
        if sub.initiatives is not None:
            has_register = True
            registers.extend(sub.initiatives)
        if sub.proposals is not None:  # each file proposes its own subjects: the lists are joined
            proposals = proposals or {}
            for award, who in sub.proposals.items():
                proposals[award] = proposals.get(award, frozenset()) | who
        ballots.extend(sub.ballots)
        forwarded.extend(sub.forwarded)
        for s in sub.subjects:
            first = seen.get(s.id)
            if first is not None:
                problems.append(Problem(
                    "duplicate-subject",
                    f"subject {s.id!r} is also in another file (first at {first.location or '?'}); "
                    "a review reads each subject once: remove one of them", ("subjects", s.id),
                    s.location or SourceLocation(str(path), 1)))
                continue
            seen[s.id] = s
            subjects.append(s)
    if len(dates) > 1:
        listed = ", ".join(f"{f} {d.isoformat()}" for d, f in sorted(dates.items()))
        problems.append(Problem("invalid-value", f"the files give different review dates: {listed}",
                                ("as_of",), SourceLocation(next(iter(dates.values())), 1),
                                "give the review date with --as-of"))
    missing: tuple[Unit, ...] = ()
    if units is not None:
        problems.extend(_unknown_units(subjects, units))
        present = {unit_of(s, units) for s in subjects}
        missing = tuple(u for u in units.leaves() if u.id not in present)
    if problems:
        raise FactsError(problems)
    submission = Submission(tuple(subjects), next(iter(dates), None), cid, tuple(rejected),
                            tuple(registers) if has_register else None, proposals=proposals,
                            ballots=tuple(ballots), forwarded=tuple(forwarded))
    return Collected(submission, tuple(str(f) for f in files), missing)


def _unknown_units(subjects: Sequence[Subject], tree: UnitTree) -> list[Problem]:
    out = []
    ids = [u.id for u in tree.units]
    for s in subjects:
        if unit_of(s, tree) is not None:
            continue
        value = s.unit if s.unit is not None else s.id
        message, hint = unknown_id("unit", value, ids, where=f" (subject {s.id!r})")
        out.append(Problem("unknown-unit", message + "; add it to the units file or correct the subject's unit",
                           ("subjects", s.id, "unit"), s.location, hint))
    return out

