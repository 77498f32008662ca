"""The submission of a review as every command reads it: ``--facts`` (one file, several, or folders),
checked against ``--units``, with each subject's history from ``--register``. One module that the
commands of ``cli/`` import, so that none of them imports another for it."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from emulation_rules.campaign.shapes import Campaign
from emulation_rules.errors import FactsError
from emulation_rules.facts.load import load_facts
from emulation_rules.facts.reader import Submission

__all__ = ["facts_of", "forwarded_note", "missing_units_note", "read_history"]


def missing_units_note(missing: Any, lang: str = "vi") -> str:
    """One line per unit with no submission, for stderr, located at the unit in the units file."""
    word = "no submission from unit" if lang == "en" else "chưa nộp hồ sơ: đơn vị"
    return "".join(f"{f'{u.location}: ' if u.location else ''}{word} {u.id}{f' ({u.name})' if u.name else ''}\n"
                   for u in missing)


def forwarded_note(evaluation: Any, submission: Submission, lang: str | None = "vi") -> str:
    """For stderr: each subject and award on which this review's verdict differs from the verdict
    the level below passed up with its proposal (:mod:`emulation_rules.results.forward`); a
    count line first. Empty when the submission passed nothing up."""
    if not submission.forwarded:
        return ""
    from emulation_rules.results.forward import differences, differences_text

    diffs = differences(evaluation, submission)
    en = lang == "en"
    n = sum(len(b.verdicts) for b in submission.forwarded)
    head = (f"{n} verdicts passed up from the level below; {len(diffs)} differ here\n" if en
            else f"{n} kết quả do cấp dưới đề nghị; {len(diffs)} kết quả khác ở cấp này\n")
    return head + differences_text(diffs, "en" if en else "vi")


def facts_of(args: argparse.Namespace, campaign: Campaign, err: TextIO) -> Submission:
    """The submission of ``--facts`` (one file, several, or folders of them), checked against
    ``--units`` when given; the units that submitted nothing are listed on ``err``.

    Raises:
        FactsError: every problem of every file, located.
    """
    units = None
    if getattr(args, "units", None) is not None:
        from emulation_rules.facts.units import load_units

        units = load_units(args.units, campaign)
    submission = load_facts(args.facts, campaign, units=units,
                            on_error="skip" if getattr(args, "skip_invalid", False) else "raise")
    err.write(missing_units_note(submission.missing_units, getattr(args, "lang", None) or "vi"))
    return read_history(args, submission, err)


def read_history(args: argparse.Namespace, submission: Submission, err: TextIO | None) -> Submission:
    """``evaluate --register DB``: the submission with each subject's history read from the
    register (merged with its facts').

    Raises:
        FactsError: ``history-conflict``, located at the subject, for each history entry that
            names another decision than the register for the same title and year.
    """
    if getattr(args, "register", None) is None:
        return submission
    from emulation_rules.facts.conferred import ConferralRegister, with_register

    store = ConferralRegister(args.register)
    try:
        submission, conflicts = with_register(submission, store)
    finally:
        store.close()
    if conflicts:
        raise FactsError(conflicts)
    return submission
