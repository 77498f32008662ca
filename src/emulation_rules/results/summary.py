"""Verdict counts per award: the summary the result workbook and the HTML report show, computed
from an evaluation or given by a bulk run (whose rows go to a CSV or Parquet file)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from emulation_rules.evaluate.result import Evaluation
from emulation_rules.frozen import frozen

__all__ = ["VERDICTS", "VerdictCounts", "verdict_counts"]

VERDICTS = ("awarded", "not_awarded", "incomplete", "not_eligible")
"""The verdicts of the judged subjects, in the order of the summary's columns (``not_proposed``,
the subjects not judged for an award requiring a proposal, is counted beside them)."""


@frozen
class VerdictCounts:
    """The verdicts of a run whose rows are not listed (``evaluate --bulk --format html|xlsx``).

    Attributes:
        as_of: the review date, if given.
        phase: the phase judged (its id), if any.
        subjects: subjects scored.
        per_award: ``{award id: {verdict: result rows}}``.
    """

    as_of: dt.date | None
    phase: str | None
    subjects: int
    per_award: Mapping[str, Mapping[str, int]]


def verdict_counts(evaluation: Evaluation) -> dict[str, dict[str, int]]:
    """``{award id: {verdict: subjects}}`` of an evaluation (every verdict present, 0 if none)."""
    out: dict[str, dict[str, int]] = {}
    for s in evaluation.subjects:
        for a in s.awards:
            counts = out.setdefault(a.award_id, dict.fromkeys(VERDICTS, 0))
            counts[a.verdict] = counts.get(a.verdict, 0) + 1
    return out
