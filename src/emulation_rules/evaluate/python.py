"""The python backend: the campaign model interpreted directly in plain Python (the oracle).

It shares no evaluation code with the durable path (:mod:`.durable.compiler` and :mod:`.durable.engine` are not
imported): conditions are walked as written, ``not`` is classical negation, ordered enums compare
by rank, a ``count`` filters the records itself. Its purpose is to be a second, independent
reading of the same model, so that differential tests (``tests/property/test_differential.py``)
catch a mistranslation into durable-rules. It also runs where durable-rules cannot be imported
(CPython 3.13).

It returns the same result objects (:mod:`.result`) with the same values as
:meth:`Engine.evaluate <emulation_rules.engine.Engine.evaluate>`:

* a criterion reading a fact that was not submitted is ``unknown`` (a records fact is present
  when it was submitted, even as an empty list);
* the verdict is ``not_awarded`` if any criterion fails, else ``incomplete`` if any is unknown,
  else ``awarded``; a subject whose level (collectives) or role (individuals) is not in the
  award's eligibility gets ``not_eligible`` with no criteria (Luật Thi đua, khen thưởng 2022,
  Art 17: "đối tượng" of the plan);
* an award whose standards are delegated to another instrument is ``incomplete``;
* awards apply only to subjects of their ``subject`` kind;
* a ``count`` or ``aggregate`` reads the records satisfying ``where`` (and a window),
  three-valued: a blank optional field leaves it unknown when a filling of the blank could change
  the answer (:mod:`.record_sets`), and the blank fields are then missing (``fact.field``);
* score sheets: condition items score all or nothing, points facts are clamped to
  ``[0, max_points]``; the band is the highest whose ``min_points`` the total reaches.

Example:
    >>> from emulation_rules import load_campaign
    >>> python = PythonEvaluator(load_campaign("campaigns/tkv_2019.yaml"))
    >>> python.evaluate([{"id": "NV-1", "kind": "individual", "role": "member",
    ...                   "facts": {"member_rating": "Yếu"}}]).verdicts()
    {('NV-1', 'individual_recognition'): 'not_awarded'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.dependencies import dependency_order
from emulation_rules.evaluate.base import BackendName, BaseEvaluator, resolve_params
from emulation_rules.evaluate.compiled import Judged, compile_condition
from emulation_rules.evaluate.dependencies import expand_missing, shown_values
from emulation_rules.evaluate.record_sets import bounds_of
from emulation_rules.evaluate.result import (
    AwardResult,
    CriterionResult,
    ScoredItem,
    Status,
    SubjectResult,
    award_result,
    combine,
    criterion_result,
    score_sheet_result,
    subject_result,
)
from emulation_rules.evaluate.semantics import (
    AS_OF,
    counts_in,
    describe,
    judge,
    lacking,
    reads,
    synthetic_decls,
    synthetic_facts,
)
from emulation_rules.evaluate.units import ELIGIBILITY, lower
from emulation_rules.facts.history import ReviewYears
from emulation_rules.facts.reader import Subject, check_subject

__all__ = ["PythonEvaluator"]



class PythonEvaluator(BaseEvaluator):
    """The ``python`` backend: evaluates subjects by interpreting their conditions in Python.

    Runs everywhere (no C extension); usually reached through :class:`~emulation_rules.Engine`
    (``backend="python"``, or ``"auto"`` where durable-rules cannot load), which adds quotas.

    Args:
        campaign: a loaded campaign.
        params: overrides of parameter defaults, ``{parameter id: number}``.
        explain: False: each award's verdict, missing facts, points and band only, its
            ``criteria`` left empty (the same verdicts, without building what explains them:
            ``Engine.evaluate(explain=False)``).

    Raises:
        CompileError: an override names no parameter of the campaign (same error as durable).
    """

    backend: BackendName = "python"

    def __init__(self, campaign: m.Campaign, *, params: Mapping[str, float] | None = None,
                 explain: bool = True) -> None:
        campaign = lower(campaign)  # {unit: ...} read through unit__ facts
        self.campaign = campaign
        self.explain = explain
        self.params: dict[str, float] = resolve_params(campaign, params)
        self._facts = {**synthetic_decls(campaign), **{f.id: f for f in campaign.facts}}
        self.campaign_facts = frozenset(f.id for f in campaign.facts)
        self._order = dependency_order(campaign)
        self._award_ids = frozenset(a.id for a in campaign.awards)
        self._memo: dict[tuple[int, int], Any] = {}  # a subject's counts of records, read twice
        # per award, once: each criterion with what it reads, the declared facts shown as values
        # (plain ones, then records facts), its counts of records and its compiled condition
        self._described: dict[int, str] = {}  # per condition, once (see describe)
        self._plans: dict[str, tuple[_Plan, ...]] = {a.id: tuple(self._plan(c) for c in a.criteria)
                                                     for a in campaign.awards}
        self._synthetic = any(p.words for plans in self._plans.values() for p in plans)
        # per subject kind: its awards in dependency order, and their ids in the campaign's order
        self._by_kind = {
            kind: (tuple(a for a in self._order if a.subject == kind),
                   tuple(a.id for a in campaign.awards if a.subject == kind))
            for kind in {a.subject for a in campaign.awards}
        }

    def _plan(self, crit: m.Criterion) -> _Plan:
        read = reads(crit.condition, self._award_ids, self._facts)
        declared = [f for f in read if f in self.campaign_facts]
        return _Plan(crit, compile_condition(crit.condition, self._facts, self.params, self._bounds), tuple(read),
                     tuple(f for f in declared if self._facts[f].type != "records"),
                     tuple(f for f in declared if self._facts[f].type == "records"),
                     tuple(counts_in(crit.condition)), len(declared) < len(read), self.describe(crit.condition))

    def evaluate_subject(self, subject: Subject, review: ReviewYears | None = None) -> SubjectResult:
        """One subject against the awards of its kind (see :meth:`evaluate`), each after the
        awards it requires; ``review`` gives the years ``held`` conditions look at.

        Raises:
            EvaluationError: not a :class:`Subject`, or (built by hand) it carries an undeclared
                fact or an uncoerced value.
        """
        check_subject(self.campaign, subject)
        self._memo.clear()
        ordered, shown = self._by_kind.get(subject.kind, ((), ()))
        done: dict[str, AwardResult] = {}
        for a in ordered:
            facts = subject.facts
            if self._synthetic:  # the campaign reads verdicts or history
                verdicts = {k: r.verdict for k, r in done.items()}
                facts = {**facts, **synthetic_facts(subject.history, review, verdicts)}
            done[a.id] = self._award(a, subject, facts, done)
        return subject_result(subject, tuple(done[i] for i in shown))

    # awards ------------------------------------------------------------------------------------
    def _award(self, award: m.Award, subject: Subject, facts: Mapping[str, Any],
               done: Mapping[str, AwardResult]) -> AwardResult:
        elig = award.eligibility
        allowed = elig.levels if award.subject == "collective" else elig.roles
        mine = subject.level if award.subject == "collective" else subject.role
        if mine not in allowed:
            return AwardResult(
                award.id,
                award.label,
                "not_eligible",
                reason=f"{mine} is not among {', '.join(allowed)} ({elig.source.cite()})",
            )
        if award.criteria_delegated_to is not None:
            return AwardResult(
                award.id,
                award.label,
                "incomplete",
                reason=(
                    f"criteria delegated to {award.criteria_delegated_to} ({award.source.cite()})"
                ),
            )
        if not self.explain:
            return self._verdict_only(award, facts, done)
        results = [self._criterion(p, facts, done) for p in self._plans[award.id]]
        points = band = max_points = None
        if award.score_sheet is not None:
            points, band, sheet_result = self._score(award.score_sheet, facts)
            max_points = award.score_sheet.max_points
            results.append(sheet_result)
        missing = tuple(dict.fromkeys(f for r in results for f in r.missing))
        return award_result(award.id, award.label, combine([r.status for r in results]), tuple(results), missing,
                            points, max_points, band)

    def _verdict_only(self, award: m.Award, facts: Mapping[str, Any],
                      done: Mapping[str, AwardResult]) -> AwardResult:
        """:meth:`_award` for an eligible subject without the criteria's explanations: the same
        statuses (the compiled conditions) and the same missing facts, in the same order; only
        the unit gate is built whole, since the subject's eligibility is read from it afterwards
        (:func:`~emulation_rules.evaluate.units.eligibility_verdicts`; the Engine leaves it out)."""
        statuses: list[Status] = []
        missing: list[str] = []
        gates: list[CriterionResult] = []
        for plan in self._plans[award.id]:
            if plan.criterion.id == ELIGIBILITY:
                gates.append(self._criterion(plan, facts, done))
            truth = plan.judged(facts)
            statuses.append("unknown" if truth is None else "pass" if truth else "fail")
            if truth is None:
                missing.extend(expand_missing((f for f in plan.read if lacking(f, facts)), done))
        points = band = max_points = None
        if award.score_sheet is not None:
            points, band, sheet_result = self._score(award.score_sheet, facts)
            max_points = award.score_sheet.max_points
            statuses.append(sheet_result.status)
            missing.extend(sheet_result.missing)
        return award_result(award.id, award.label, combine(statuses), tuple(gates), tuple(dict.fromkeys(missing)),
                            points, max_points, band)

    def _criterion(self, plan: _Plan, facts: Mapping[str, Any], done: Mapping[str, AwardResult]) -> CriterionResult:
        crit, judged, read, plain, records, counts, words, threshold = plan
        truth = judged(facts)  # Kleene: decided or not (semantics.judge, compiled once)
        status: Status = "unknown" if truth is None else "pass" if truth else "fail"
        # missing facts are listed where they leave the criterion undecided (a required award's
        # own missing facts stand for it)
        missing = expand_missing((f for f in read if lacking(f, facts)), done) if truth is None else ()
        values: dict[str, Any] = {f: facts[f] for f in plain if f in facts}
        if words:  # synthetic reads, shown in words
            values.update(shown_values(crit.condition, read, facts, done))
        for fact_id in records:
            if fact_id in facts:
                values[f"{fact_id} (records)"] = len(facts[fact_id])
        if counts:
            counted = [n for n in (self._count(c, facts) for c in counts if c.count.fact in facts) if n is not None]
            if counted:
                values["counted"] = counted[0] if len(counted) == 1 else counted
        return criterion_result(crit.id, crit.label, crit.text_vi, status, values, missing, threshold, crit.source,
                                crit.reviewer_judgement)

    def _score(
        self, sheet: m.ScoreSheet, facts: Mapping[str, Any]
    ) -> tuple[float | None, str | None, CriterionResult]:
        scored: list[ScoredItem] = []
        for item in sheet.items:
            read = reads(item.condition) if item.condition is not None else [item.points_fact]
            lacking = tuple(f for f in read if f not in facts)
            held = None if lacking or item.condition is None else self._holds(item.condition, facts)
            scored.append((item, lacking, held))  # type: ignore[arg-type]
        return score_sheet_result(sheet, facts, scored)

    # conditions (the shared semantics, evaluate.semantics) ----------------------------------------
    def _holds(self, cond: m.Condition, facts: Mapping[str, Any]) -> bool:
        """Truth of a condition over facts that are all present."""
        return judge(cond, facts, self._facts, self.params) is True

    def _count(self, cond: m.Count, facts: Mapping[str, Any]) -> int | None:
        """Records surely counted (None when a window's years are not known)."""
        spec = cond.count
        bounds = self._bounds(spec, self._facts[spec.fact], facts[spec.fact], facts.get(AS_OF))
        return None if bounds is None else int(bounds.lo)

    def _bounds(self, spec: Any, decl: m.FactDecl, records: Any, review: Any) -> Any:
        """:func:`bounds_of`, kept for the subject being evaluated (its criterion reads a count
        to decide and again to show it); the memo is emptied for each subject."""
        key = (id(spec), id(records))
        hit = self._memo.get(key)
        if hit is None or hit[0] is not records or hit[1] is not review:
            hit = self._memo[key] = (records, review, bounds_of(spec, decl, records, review))
        return hit[2]

    def describe(self, cond: m.Condition) -> str:
        """A condition in words, as the engine shows it (e.g. ``union_rating ≥ strong``); worded
        once per condition (it depends on the campaign and the parameters only, never on the
        subject; wording it for every subject was about a quarter of this backend's time)."""
        text = self._described.get(id(cond))
        if text is None:
            text = self._described[id(cond)] = describe(cond, self.params)
        return text



class _Plan(NamedTuple):
    """One criterion as :meth:`PythonEvaluator._criterion` reads it, gathered once."""

    criterion: m.Criterion
    judged: Judged
    read: tuple[str, ...]
    plain: tuple[str, ...]
    records: tuple[str, ...]
    counts: tuple[m.Count, ...]
    words: bool
    """Whether it reads synthetic facts (verdicts, history, review date), shown in words."""
    threshold: str
    """The condition in words (:meth:`PythonEvaluator.describe`)."""
