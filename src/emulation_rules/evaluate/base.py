"""The evaluation interface every backend implements, and how a backend is chosen.

Three backends read the same campaign model and give the same verdicts (the differential tests
run every installed backend against every other):

========== ===================================================== ===========================
name       what it is                                            needs
========== ===================================================== ===========================
durable    the campaign compiled to durable-rules rule sets      durable-rules (CPython < 3.13)
python     the model interpreted in plain Python (the oracle)    nothing
polars     vectorised scoring of whole tables (bulk)             polars, pyarrow
========== ===================================================== ===========================

A backend answers for the subjects it is given: verdicts, criteria, points. What is judged over a
whole evaluation (quotas, targets, initiatives) and how results are shown sit above the backends,
in :mod:`emulation_rules.results`, and are shared by all of them.

Example:
    >>> BACKENDS
    ('durable', 'python', 'polars')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib.util
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.memo import kept_for
from emulation_rules.errors import CompileError, EngineUnavailableError
from emulation_rules.evaluate.interface import BackendName, Evaluator, Submitted
from emulation_rules.evaluate.result import Evaluation, SubjectResult
from emulation_rules.evaluate.units import PREFIX, evaluate_in_order, reads_units
from emulation_rules.facts.history import ReviewYears, review_years
from emulation_rules.facts.reader import Subject
from emulation_rules.facts.review import resolve_submission
from emulation_rules.facts.vocab import review_phase

__all__ = [
    "BACKENDS",
    "DEFER_FROM",
    "BackendName",
    "BaseEvaluator",
    "Evaluator",
    "Submitted",
    "backend_problem",
    "collections_deferred_for",
    "full_collections_deferred",
    "resolve_params",
]

BACKENDS: tuple[BackendName, ...] = ("durable", "python", "polars")



_GC_LOCK = threading.Lock()
_gc_batches = 0
_gc_saved: tuple[int, int, int] = (700, 10, 10)


DEFER_FROM = 64
"""Fewest subjects an evaluation defers full collections for (:func:`collections_deferred_for`):
a few results never make one rescan much, and a request of one unit need not pay the lock and
the two threshold changes."""

_NOT_DEFERRED = contextlib.nullcontext()


@contextlib.contextmanager
def full_collections_deferred() -> Iterator[None]:
    """Defer Python's full (oldest-generation) garbage collections while a batch is evaluated.

    Tens of thousands of result objects kept in a list make every automatic full collection rescan
    them all; measured on 16,000 TKV individuals (``benchmarks/bench_engine.py``) these rescans
    took a third of ``evaluate``. Young collections go on (durable-rules leaves short-lived
    reference cycles behind each action, and they are reclaimed young, as before); only the
    threshold of the oldest generation is raised, and restored when the last concurrent batch
    ends. Nothing is kept alive longer than it would be otherwise.
    """
    global _gc_batches, _gc_saved
    with _GC_LOCK:
        if _gc_batches == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(_gc_saved[0], _gc_saved[1], 1_000_000)
        _gc_batches += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_batches -= 1
            if _gc_batches == 0:
                gc.set_threshold(*_gc_saved)


def collections_deferred_for(subjects: int) -> contextlib.AbstractContextManager[None]:
    """:func:`full_collections_deferred` for an evaluation of ``subjects`` subjects, or nothing
    below :data:`DEFER_FROM` of them."""
    return full_collections_deferred() if subjects >= DEFER_FROM else _NOT_DEFERRED


def resolve_params(campaign: m.Campaign, params: Mapping[str, float] | None) -> dict[str, float]:
    """The campaign's parameter defaults with ``params`` applied, ``{id: float}``.

    Raises:
        CompileError: an override names no parameter of the campaign.
    """
    values = {p.id: float(p.default) for p in campaign.parameters}
    kinds = {p.id: p.type for p in campaign.parameters}
    for key, value in (params or {}).items():
        if key not in values:
            raise CompileError(
                f"unknown parameter {key!r}; known: {', '.join(sorted(values)) or 'none'}"
            )
        problem = m.parameter_problem(kinds[key], value)
        if problem is not None:
            raise CompileError(f"parameter {key!r} {problem}")
        values[key] = float(value)
    return values


class BaseEvaluator:
    """Shared ``evaluate`` of the per-subject backends: validate, pick the phase, collect.

    Subclasses set :attr:`backend` and implement :meth:`evaluate_subject`.
    """

    backend: BackendName
    campaign: m.Campaign
    params: Mapping[str, float]

    def evaluate(
        self, submission: Submitted, *, as_of: dt.date | None = None, phase: str | None = None
    ) -> Evaluation:
        """Evaluate every subject against every award of its kind (no quotas: see Engine).

        Args:
            submission: a :class:`Submission`, validated subjects, or raw data (a mapping with
                ``subjects`` or a list of subject mappings), which is validated first.
            as_of: review date; defaults to the submission's ``as_of``; picks the phase.
            phase: the phase judged (id or label), whatever the review date.

        Returns:
            An :class:`Evaluation`, subjects in input order, ``backend`` set.

        Raises:
            FactsError: raw data that does not validate.
            ReviewDateError: the review date lies in no phase (and no ``phase`` is given).
            EvaluationError: a subject the backend cannot evaluate.
        """
        subjects, day, rejected = resolve_submission(submission, self.campaign, as_of)
        return self.evaluate_resolved(subjects, day, rejected, phase=phase)

    def evaluate_resolved(
        self,
        subjects: tuple[Subject, ...],
        day: dt.date | None,
        rejected: tuple[Any, ...] = (),
        *,
        phase: str | None = None,
    ) -> Evaluation:
        """:meth:`evaluate` for subjects already seen as of ``day``
        (:func:`~emulation_rules.facts.review.submission_as_of`), so they are not scanned twice.

        Raises:
            ReviewDateError: ``day`` lies in no phase (and no ``phase`` is given).
        """
        chosen, review = self._review(day, phase)
        if kept_for(self.campaign, _in_order):
            results = evaluate_in_order(self.campaign, subjects, lambda s: self.evaluate_subjects(s, review))
        else:
            results = self.evaluate_subjects(subjects, review)
        return Evaluation(
            self.campaign.id,
            day,
            chosen,
            dict(self.params),
            results,
            rejected,
            backend=self.backend,
            defects=self.campaign.defects,
        )

    def _review(self, day: dt.date | None, phase: str | None) -> tuple[str | None, ReviewYears]:
        """The phase judged and the years of a review on ``day`` (:func:`review_phase`,
        :func:`review_years`), kept per day and phase asked: they depend on the campaign only.

        Raises:
            ReviewDateError: as :func:`review_phase` (never kept).
        """
        reviews: dict[tuple[dt.date | None, str | None], tuple[str | None, ReviewYears]] | None
        reviews = self.__dict__.get("_reviews")
        if reviews is None:
            reviews = self.__dict__["_reviews"] = {}
        hit = reviews.get((day, phase))
        if hit is None:
            chosen, _ = review_phase(self.campaign, day, phase)
            hit = chosen, review_years(self.campaign, day, chosen)
            if len(reviews) >= _REVIEWS_KEPT:
                reviews.clear()
            reviews[(day, phase)] = hit
        return hit

    def evaluate_table(self, facts: Any, *, output: Any = None, as_of: dt.date | None = None,
                       on_error: str = "raise", chunk_rows: int | None = None, progress: Any = None,
                       phase: str | None = None) -> Any:
        """Score columnar input with the vectorised scorer, in chunks (every backend: a table is
        always scored as columns); ``BulkResult.explain(id)`` then evaluates one subject here.

        Raises:
            EngineUnavailableError: polars or pyarrow is not installed.
            FactsError: unreadable input or bad rows, located by file, row and column.
        """
        problem = backend_problem("polars")
        if problem is not None:
            raise unavailable("polars", problem)
        from emulation_rules.evaluate.durable.compiler import compile_campaign
        from emulation_rules.evaluate.polars import DEFAULT_CHUNK_ROWS, evaluate_many

        compiled = getattr(self, "compiled", None) or compile_campaign(self.campaign, params=self.params, fit=False)
        return evaluate_many(compiled, facts, explainer=self, output=output, as_of=as_of,
                             on_error=on_error,  # type: ignore[arg-type]
                             chunk_rows=chunk_rows or DEFAULT_CHUNK_ROWS, progress=progress, phase=phase)

    def evaluate_subjects(self, subjects: tuple[Subject, ...],
                          review: ReviewYears | None = None) -> tuple[SubjectResult, ...]:
        """Results for validated subjects, in order (override to batch or lock); ``review``
        gives the years ``held`` conditions look at (None: they are unknown)."""
        with collections_deferred_for(len(subjects)):
            return tuple(self.evaluate_subject(s, review) for s in subjects)

    def evaluate_subject(self, subject: Subject,
                         review: ReviewYears | None = None) -> SubjectResult:  # pragma: no cover - abstract
        """One subject against the awards of its kind."""
        raise NotImplementedError


_REVIEWS_KEPT = 64
"""Most (review date, phase) pairs an evaluator keeps the phase and years of (all forgotten when full)."""


def _in_order(campaign: m.Campaign) -> bool:
    """Whether the subjects are judged units first (:func:`evaluate_in_order`): an award reads the
    subject's unit, or a fact is one a member reads from its unit."""
    return reads_units(campaign) or any(f.id.startswith(PREFIX) for f in campaign.facts)


def backend_problem(name: BackendName) -> str | None:
    """Why backend ``name`` cannot run here, or ``None`` if it can.

    Only looks for the packages (no import of durable-rules' C extension happens here, so this
    is cheap); the durable backend's real import is checked when it is first used.
    """
    import sys

    if name == "python":
        return None
    if name == "durable":
        if sys.version_info >= (3, 13):
            return (
                "durable-rules 2.0.28 does not import on CPython "
                f"{sys.version_info.major}.{sys.version_info.minor} (PyEval_CallObject was removed "
                "in 3.13)"
            )
        if not _importable("durable"):
            return "durable-rules is not installed (pip install durable-rules==2.0.28)"
        return None
    missing = [p for p in ("polars", "pyarrow") if not _importable(p)]
    if missing:
        return f"{' and '.join(missing)} not installed (pip install 'emulation-rules[bulk]')"
    return None


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError, AttributeError):  # e.g. sys.modules[name] is None
        return False


def unavailable(name: BackendName, reason: str) -> EngineUnavailableError:
    """The error for a backend that was asked for by name and cannot load here."""
    other = "python" if name != "python" else "durable"
    return EngineUnavailableError(
        f"the {name!r} backend cannot be used here: {reason}. Use backend='auto' or "
        f"backend={other!r} (CLI: --backend auto|{other}); every backend gives the same verdicts."
    )
