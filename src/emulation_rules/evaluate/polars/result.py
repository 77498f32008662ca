"""BulkResult: what a bulk run returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from emulation_rules.errors import Problem
from emulation_rules.evaluate.interface import Evaluator
from emulation_rules.evaluate.polars.sources import find_subject
from emulation_rules.evaluate.result import SubjectResult

# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkResult:
    """The outcome of a bulk run.

    Attributes:
        campaign_id: the campaign scored.
        as_of: review date, if given; picks ``phase``.
        phase: the phase containing ``as_of``.
        params: parameter values used.
        subjects: number of subjects scored.
        counts: result rows per verdict (``awarded``, ``not_awarded``, ``incomplete``,
            ``not_eligible``).
        rejected: problems of the rows left out (``on_error="skip"``); empty otherwise.
        table: the result rows (:data:`RESULT_COLUMNS`) when no output was given, else ``None``.
        output: the file written, if any.
        source: the input, kept so that :meth:`explain` can re-read one subject.
    """

    campaign_id: str
    as_of: dt.date | None
    phase: str | None
    params: Mapping[str, float]
    subjects: int
    counts: Mapping[str, int]
    rejected: tuple[Problem, ...] = ()
    table: pl.DataFrame | None = None
    output: Path | None = None
    source: Any = field(default=None, repr=False)
    explainer: Evaluator | None = field(default=None, repr=False)

    def verdicts(self) -> dict[tuple[str, str], str]:
        """``{(subject id, award id): verdict}`` as :meth:`Evaluation.verdicts` gives.

        Raises:
            ValueError: the results were written to a file (read it instead).
        """
        if self.table is None:
            raise ValueError("the results were written to a file; read it with polars")
        return {
            (s, a): v for s, a, v in self.table.select("subject_id", "award", "verdict").iter_rows()
        }

    def explain(self, subject_id: str) -> SubjectResult:
        """Re-read ``subject_id`` from the source and evaluate it on the run's per-subject backend.

        Returns:
            The full :class:`SubjectResult` (criteria, values used, thresholds, citations).

        Raises:
            KeyError: no such subject in the source.
            FactsError: the subject's row is invalid.
        """
        explainer = self.explainer
        if explainer is None:
            raise ValueError("this result was built without an evaluator to explain with")
        subject = find_subject(explainer.campaign, self.source, subject_id)
        return explainer.evaluate([subject], as_of=self.as_of, phase=self.phase).subjects[0]

    def summary(self) -> str:
        """One line: subjects, rows per verdict, rejected rows."""
        order = ("awarded", "not_awarded", "incomplete", "not_eligible")
        text = ", ".join(f"{k}: {self.counts.get(k, 0)}" for k in order)
        line = f"{self.subjects} subjects scored; {text}"
        if self.rejected:
            line += f"; {len(self.rejected)} problems, those rows were left out"
        return line
