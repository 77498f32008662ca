"""The evaluation interface: what every backend (and the Engine) offers.

Kept apart from :mod:`.base` (the shared implementation and the backend choice) so that the
backends' own modules can name the interface without importing the code that chooses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Protocol, runtime_checkable

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.result import Evaluation, SubjectResult
from emulation_rules.facts.history import ReviewYears
from emulation_rules.facts.reader import Subject, Submission

__all__ = ["BackendName", "Evaluator", "Submitted"]

BackendName = Literal["durable", "python", "polars"]

Submitted = Submission | Iterable[Subject] | Mapping[str, Any] | list[Any]
"""What ``evaluate`` accepts: a :class:`Submission`, validated subjects, or raw data."""


@runtime_checkable
class Evaluator(Protocol):
    """What every evaluation backend (and :class:`~emulation_rules.Engine`) offers.

    Attributes:
        backend: the backend's name (``"durable"``, ``"python"`` or ``"polars"``).
        campaign: the campaign evaluated.
        params: parameter values in force, ``{parameter id: number}``.
    """

    @property
    def backend(self) -> BackendName:
        """The backend's name."""
        ...

    @property
    def campaign(self) -> m.Campaign:
        """The campaign evaluated."""
        ...

    @property
    def params(self) -> Mapping[str, float]:
        """Parameter values in force."""
        ...

    def evaluate(
        self, submission: Submitted, *, as_of: dt.date | None = None, phase: str | None = None
    ) -> Evaluation:
        """Verdicts for every subject of ``submission``; ``as_of`` (or ``phase``) picks the phase."""
        ...

    def evaluate_subject(self, subject: Subject, review: ReviewYears | None = None) -> SubjectResult:
        """Verdicts for one validated subject against the awards of its kind (``review``: the
        years ``held`` conditions look at; None leaves them unknown)."""
        ...

    def evaluate_table(self, facts: Any, *, output: Any = None, as_of: dt.date | None = None,
                       on_error: str = "raise", chunk_rows: int | None = None, progress: Any = None,
                       phase: str | None = None) -> Any:
        """Score columnar input (CSV, Parquet, .xlsx, a polars or pyarrow table) in chunks; returns a
        :class:`~emulation_rules.evaluate.polars.BulkResult` whose ``explain`` uses this evaluator."""
        ...
