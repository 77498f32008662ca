"""The Engine: one campaign, one backend, and what is judged over a whole evaluation (quotas).

:class:`Engine` is the public entry point. It picks an evaluation backend
(:mod:`emulation_rules.evaluate.base`), asks it for the verdicts, and attaches the quota results
(:mod:`emulation_rules.results.quotas`), which no backend reimplements. Tables are scored by the
polars backend (:meth:`Engine.evaluate_many`).

Backends, by ``backend=``:

* ``"auto"`` (default): ``durable`` where durable-rules imports (CPython 3.11 and 3.12),
  ``python`` elsewhere (3.13 and later). Both give the same verdicts, quotas and targets
  (differential tests; ``tests/unit/test_backends.py`` against a committed expected JSON).
* ``"durable"``, ``"python"``: that backend, or :class:`EngineUnavailableError` with the reason.
* ``"polars"``: the subjects scored as one table by the vectorised scorer (extra ``bulk``): the
  same verdicts, points, failing criteria and missing facts, without per-criterion values.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.opening import load_campaign
from emulation_rules.errors import CompileError, EngineUnavailableError
from emulation_rules.evaluate.base import (
    BackendName,
    BaseEvaluator,
    Submitted,
    backend_problem,
    resolve_params,
    unavailable,
)
from emulation_rules.evaluate.cycle import (
    cycle_unsupported,
    decided,
    judged_campaign,
    with_ballots,
    without_proposals,
)
from emulation_rules.evaluate.result import Evaluation, SubjectResult, amended
from emulation_rules.evaluate.units import bulk_unsupported, lower
from emulation_rules.facts.history import review_years
from emulation_rules.facts.reader import Subject
from emulation_rules.facts.review import submission_as_of
from emulation_rules.facts.vocab import review_phase
from emulation_rules.results.documents import with_documents
from emulation_rules.results.quotas import with_quotas

if TYPE_CHECKING:
    from emulation_rules.evaluate.durable.compiler import CompiledCampaign

__all__ = ["BackendChoice", "Engine", "choose_backend", "make_backend"]

BackendChoice = Literal["auto", "durable", "python", "polars"]


def make_backend(
    campaign: m.Campaign,
    *,
    backend: BackendChoice = "auto",
    params: Mapping[str, float] | None = None,
) -> BaseEvaluator:
    """Build the per-subject backend asked for (``auto``: durable where it loads and can hold
    the campaign, else python).

    Raises:
        EngineUnavailableError: ``backend`` names one that cannot load here (with the reason).
        CompileError: a bad parameter override.
        ValueError: an unknown backend name.
    """
    return choose_backend(campaign, backend=backend, params=params)[0]


def choose_backend(
    campaign: m.Campaign,
    *,
    backend: BackendChoice = "auto",
    params: Mapping[str, float] | None = None,
) -> tuple[BaseEvaluator, str | None]:
    """:func:`make_backend`, with the notice to show when ``auto`` could not use durable-rules
    for this campaign (a structural limit such as deeply nested ``any``) and fell back to python
    (the same verdicts); ``None`` otherwise."""
    if backend not in ("auto", "durable", "python", "polars"):
        raise ValueError(f"unknown backend {backend!r}; choose auto, durable, python or polars")
    campaign = lower(campaign)  # {unit: ...} read through facts (emulation_rules.evaluate.units)
    if backend == "polars":
        problem = backend_problem("polars")
        if problem is not None:
            raise unavailable("polars", problem)
        from emulation_rules.evaluate.polars.backend import PolarsEvaluator

        return PolarsEvaluator(campaign, params=params), None
    notice = None
    if backend in ("auto", "durable"):
        problem = backend_problem("durable")
        if problem is None:
            from emulation_rules.evaluate.durable.engine import DurableEvaluator, import_durable

            try:
                import_durable()
            except EngineUnavailableError as exc:
                problem = str(exc)
            else:
                from emulation_rules.evaluate.durable.limits import DurableLimitError

                try:
                    return DurableEvaluator(campaign, params=params), None
                except DurableLimitError as exc:
                    if backend == "durable":
                        raise
                    reason = str(exc.args[0]).split(";")[0]
                    notice = (f"backend auto: durable-rules cannot hold this campaign ({reason}); "
                              "evaluated with the python backend, which gives the same verdicts")
        if backend == "durable":
            raise unavailable("durable", problem or "durable-rules does not load")
    from emulation_rules.evaluate.python import PythonEvaluator

    return PythonEvaluator(campaign, params=params), notice


class Engine:
    """Evaluates subjects against one campaign, with quotas, on the backend that fits here.

    Create one Engine per campaign (and parameter set) and reuse it: the durable backend's rule
    sets live as long as the process (durable-rules never frees them).

    Args:
        campaign: a loaded campaign.
        params: overrides of the campaign's parameters (``{"many_individuals_min": 3}``).
        backend: ``"auto"`` (durable where it imports, else python), ``"durable"`` or
            ``"python"``.

    Attributes:
        backend: the backend in use (``"durable"`` or ``"python"``); also in JSON output.
        notice: why ``auto`` did not pick durable-rules where it imports (a campaign beyond its
            structural limits: evaluated with python instead), else ``None``.

    Raises:
        CompileError: a bad parameter override.
        EngineUnavailableError: the backend asked for cannot load here (reason and alternative).

    Example:
        >>> from emulation_rules import Engine, load_campaign
        >>> engine = Engine(load_campaign("campaigns/tkv_2019.yaml"), backend="python")
        >>> engine.backend
        'python'
        >>> engine.evaluate([{"id": "NV-1", "kind": "individual", "role": "member",
        ...                   "facts": {"member_rating": "Yếu"}}]).verdicts()
        {('NV-1', 'individual_recognition'): 'not_awarded'}
    """

    def __init__(
        self,
        campaign: m.Campaign,
        *,
        params: Mapping[str, float] | None = None,
        backend: BackendChoice = "auto",
    ) -> None:
        self.campaign = campaign
        self.params: dict[str, float] = resolve_params(campaign, params)
        # a council vote is one more criterion, the same for every backend (evaluate.cycle)
        self._judged = without_proposals(judged_campaign(campaign))
        self._impl, self.notice = choose_backend(self._judged, backend=backend, params=params)
        self.backend: BackendName = self._impl.backend

    @cached_property
    def _verdicts_only(self) -> BaseEvaluator | None:
        """The python backend without explanations, when it is this engine's (see evaluate)."""
        if self.backend != "python":
            return None
        from emulation_rules.evaluate.python import PythonEvaluator

        return PythonEvaluator(self._judged, params=self.params, explain=False)

    @classmethod
    def from_path(
        cls,
        path: str | os.PathLike[str],
        *,
        params: Mapping[str, float] | None = None,
        backend: BackendChoice = "auto",
    ) -> Engine:
        """Load a campaign file and build its engine (see :func:`load_campaign` for errors)."""
        return cls(load_campaign(path), params=params, backend=backend)

    @cached_property
    def compiled(self) -> CompiledCampaign:
        """The campaign compiled with its parameters (plain data; used by the polars scorer)."""
        impl_compiled = getattr(self._impl, "compiled", None)
        if impl_compiled is not None:
            return impl_compiled  # type: ignore[no-any-return]
        from emulation_rules.evaluate.durable.compiler import compile_campaign

        return compile_campaign(self._impl.campaign, params=self.params, fit=False)  # lowered (evaluate.units)

    def evaluate(
        self, facts: Submitted, *, as_of: dt.date | None = None, phase: str | None = None,
        explain: bool = True,
    ) -> Evaluation:
        """Evaluate every subject against every award of its kind, then judge the quotas.

        Args:
            facts: a validated :class:`Submission` or subjects, or raw data (a mapping with
                ``subjects`` or a list), which is validated first.
            as_of: review date; defaults to the submission's ``as_of``. Picks the phase, and
                dated records after it are left out (:mod:`emulation_rules.facts.asof`).
            phase: judge this phase (id or Vietnamese label) whatever the review date.
            explain: False: every award's ``criteria`` left empty, all else the same (verdicts,
                reasons, missing facts, points, bands, quotas); the python backend then does not
                build the explanations at all (1.2 to 1.8 times as fast: benchmarks/bench_zen.py).

        Returns:
            An :class:`Evaluation`, subjects in input order, ``backend`` and ``quotas`` set.

        Raises:
            FactsError: raw data that does not validate.
            ReviewDateError: the review date lies in no phase and no ``phase`` is given, or
                ``phase`` names none of the campaign's.
            EvaluationError: the backend failed (every durable error is wrapped).
        """
        sub, later = submission_as_of(facts, self.campaign, as_of)
        subjects = with_ballots(sub.subjects, sub.ballots, self.campaign, self.params)
        lean = None if explain else self._verdicts_only
        evaluation = (lean or self._impl).evaluate_resolved(subjects, sub.as_of, phase=phase)
        if not explain:
            evaluation = _unexplained(evaluation)
        evaluation = amended(evaluation, rejected=sub.rejected, later=later)
        evaluation = decided(self.campaign, evaluation, sub.proposals, sub.ballots, self.params)
        return with_documents(self.campaign, with_quotas(self.campaign, evaluation, sub.subjects, self.params))

    def evaluate_subject(self, subject: Subject, *, as_of: dt.date | None = None,
                         phase: str | None = None) -> SubjectResult:
        """Evaluate one validated subject against the awards for its kind.

        ``as_of`` (or ``phase``) gives the review year and phase that ``held`` conditions read;
        without either they are unknown.

        Raises:
            ReviewDateError: as in :meth:`evaluate`.
        """
        chosen, _ = review_phase(self.campaign, as_of, phase)
        return self._impl.evaluate_subject(subject, review_years(self.campaign, as_of, chosen))

    def evaluate_many(
        self,
        facts: Any,
        *,
        output: Any = None,
        as_of: dt.date | None = None,
        on_error: str = "raise",
        chunk_rows: int | None = None,
        progress: Any = None,
        phase: str | None = None,
    ) -> Any:
        """Score a whole table with the polars backend, in chunks (alias: :meth:`evaluate_table`).

        Same verdicts as :meth:`evaluate` (tested on every shipped campaign); on the TKV
        campaign it scores validated subjects over 100 times faster than durable-rules and a CSV
        file end to end about 40 times faster, in bounded memory (README, "Bulk scoring"). Needs
        the ``bulk`` extra (polars, pyarrow).

        Args:
            facts: a ``.csv`` or ``.parquet`` path (columns ``id, kind, level, role, unit, name``
                and one per fact; records facts as JSON text), or a polars/pyarrow table.
            output: a ``.csv``/``.parquet`` path or a text stream (CSV) for the result rows; by
                default they are kept in memory (``BulkResult.table``).
            as_of: review date (picks the phase).
            on_error: ``"raise"`` refuses the run on any bad row (no output is left behind);
                ``"skip"`` leaves bad rows out and lists them in ``BulkResult.rejected``.
            chunk_rows: rows per chunk (default 100,000).
            progress: a stream for a progress bar, drawn only if it is a terminal.
            phase: the phase judged (id or label), whatever the review date; without it a
                review date in no phase is refused (:class:`ReviewDateError`). Records dated
                after the review date are left out of counts, as in :meth:`evaluate`.

        Returns:
            A :class:`~emulation_rules.evaluate.polars.BulkResult`; its ``explain(id)`` evaluates
            one subject on this engine's backend.

        Raises:
            FactsError: unreadable input, bad header, or (``on_error="raise"``) bad rows, each
                located by file, row and column.
            EngineUnavailableError: polars or pyarrow is not installed.
            ValueError: an output path that is neither ``.csv`` nor ``.parquet``.
        """
        problem = cycle_unsupported(self.campaign) or bulk_unsupported(self.campaign)
        if problem is not None:
            raise CompileError(problem)
        return self._impl.evaluate_table(facts, output=output, as_of=as_of, on_error=on_error,
                                         chunk_rows=chunk_rows, progress=progress, phase=phase)

    evaluate_table = evaluate_many


def _unexplained(evaluation: Evaluation) -> Evaluation:
    """``evaluation`` with every award's criteria left out (``explain=False``: the ones a backend
    built anyway, or the python backend's unit gates); a subject with none is kept as it is."""
    subjects = tuple(
        amended(s, awards=tuple(amended(a, criteria=()) if a.criteria else a for a in s.awards))
        if any(a.criteria for a in s.awards) else s
        for s in evaluation.subjects)
    return amended(evaluation, subjects=subjects)
