"""From the rules durable-rules fired to an award's result, with what does not depend on the
subject prepared once per compiled award.

Per award, once (:class:`AwardReading`): who is eligible, the message's reads, and per
criterion the facts it shows and the rules whose firing means it holds or fails. Per subject,
:meth:`AwardReading.result` decides each criterion from the rules fired and the facts present
(three-valued; a missing fact listed) and builds the result.

Results are immutable, and many subjects of a campaign end alike: the same statuses over the
same shown values (a rating, a yes/no, a count). Results are remembered by everything they are
built from, so such a subject shares the objects already built (equal in every field: the
verdicts, explanations and JSON are the same; at most :data:`MEMO_SIZE` per award). Built
afresh every time: an award with a score sheet (its points) or with a criterion that shows
synthetic reads in words or several counts. Decimal values are keyed by ``repr``: ``9`` and
``9.0``, ``0.0`` and ``-0.0`` are equal in Python but print differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.dependencies import expand_missing, shown_values
from emulation_rules.evaluate.durable.compiler import CompiledAward
from emulation_rules.evaluate.result import (
    AwardResult,
    CriterionResult,
    Status,
    award_result,
    combine,
    criterion_result,
)
from emulation_rules.evaluate.semantics import lacking

MEMO_SIZE = 4096
"""Results remembered per award reading (cleared when full: memory stays bounded)."""

_ABSENT = object()
_EXACT_TYPES = frozenset({"bool", "int", "money", "enum", "ordered_enum", "text", "date"})
"""Declared types whose coerced values print alike when equal (``is_coerced``: one Python type
each); ``decimal``/``percent`` may hold ``9`` or ``9.0``, keyed by ``repr``."""


class AwardReading:
    """What reading one compiled award's outcome needs, prepared once (see the module)."""

    def __init__(self, compiled: CompiledAward, declared: frozenset[str], records: frozenset[str],
                 reads: tuple[str, ...], decls: Mapping[str, m.FactDecl]) -> None:
        self.compiled = compiled
        award = self.award = compiled.award
        elig = award.eligibility
        self.collective = award.subject == "collective"
        self.allowed = frozenset(elig.levels if self.collective else elig.roles)
        self._allowed_text = ", ".join(elig.levels if self.collective else elig.roles)
        self._cite = elig.source.cite()
        self.reads = reads
        self.delegated: AwardResult | None = None
        if award.criteria_delegated_to is not None:
            # The plan lists no standards of its own (e.g. Thanh Hóa 004 L42, L47): never 'awarded'.
            self.delegated = AwardResult(
                award.id, award.label, "incomplete",
                reason=f"criteria delegated to {award.criteria_delegated_to} ({award.source.cite()})")
        self._not_eligible: dict[Any, AwardResult] = {}
        self.memo: dict[tuple[Any, ...], AwardResult] = {}
        plans = []
        keyed = award.score_sheet is None
        for p in compiled.criteria:
            scalars = tuple(f for f in p.reads if f in declared and f not in records)
            counted = tuple(f for f in p.reads if f in records)
            words = len(scalars) < len(p.reads) - len(counted)  # synthetic reads: shown in words
            keyed = keyed and not words and len(p.count_fields) <= 1
            plans.append((
                p, frozenset(p.reads), p.guard or None,
                frozenset(compiled.alternatives.get(p.rule, (p.rule,))),
                frozenset(compiled.alternatives.get(p.rule_false, (p.rule_false,))),
                tuple((f, decls[f].type in _EXACT_TYPES) for f in scalars), counted,
                p.count_fields[0] if p.count_fields else None,
                scalars, words,
            ))
        self.plans = tuple(plans)
        self.keyed = keyed
        """Whether a result can be remembered by its key: no score sheet (points), no criterion
        showing synthetic reads in words or several counts."""

    def not_eligible(self, mine: Any) -> AwardResult:
        """The result for a subject whose level or role ``mine`` cannot receive the award."""
        hit = self._not_eligible.get(mine)
        if hit is None:
            award = self.award
            hit = AwardResult(award.id, award.label, "not_eligible",
                              reason=f"{mine} is not among {self._allowed_text} ({self._cite})")
            if len(self._not_eligible) < MEMO_SIZE:
                self._not_eligible[mine] = hit
        return hit

    def result(self, facts: Mapping[str, Any], message: Mapping[str, Any], fired: frozenset[str],
               done: Mapping[str, AwardResult], sheet: Any = None) -> AwardResult:
        """The award's result for one subject from the rules ``fired`` on its ``message``.

        ``sheet`` (awards with a score sheet): a function of ``facts`` and ``fired`` giving
        ``(points, band, the score_sheet criterion)``.
        """
        present = facts.keys()
        decided: list[tuple[Status, tuple[str, ...]]] = []
        key: list[Any] = []
        keyed = self.keyed
        for plan, reads, guard, holds_if, fails_if, scalars, counted, count_field, _, _ in self.plans:
            missing: tuple[str, ...] = ()
            status: Status
            if reads <= present and (guard is None or guard not in message):
                status = "fail" if fired.isdisjoint(holds_if) else "pass"
            elif not fired.isdisjoint(holds_if):  # three-valued: decided although a fact is missing
                status = "pass"
            elif not fired.isdisjoint(fails_if):
                status = "fail"
            else:
                status = "unknown"
                missing = expand_missing((f for f in plan.reads if lacking(f, facts)), done)
            decided.append((status, missing))
            if keyed:
                key.append(status)
                key.append(missing)
                for f, exact in scalars:  # what the criterion shows: its values, counts and sizes
                    v = facts.get(f, _ABSENT)
                    key.append(v if exact or v is _ABSENT else repr(v))
                for f in counted:
                    key.append(len(facts[f]) if f in facts else -1)
                if count_field is not None:
                    key.append(message.get(count_field, _ABSENT))
        if not keyed:
            return self._build(decided, facts, message, fired, done, sheet)
        frozen = tuple(key)
        hit = self.memo.get(frozen)
        if hit is None:
            hit = self._build(decided, facts, message, fired, done, sheet)
            if len(self.memo) >= MEMO_SIZE:
                self.memo.clear()
            self.memo[frozen] = hit
        return hit

    def _build(self, decided: list[tuple[Status, tuple[str, ...]]], facts: Mapping[str, Any],
               message: Mapping[str, Any], fired: frozenset[str], done: Mapping[str, AwardResult],
               sheet: Any) -> AwardResult:
        results: list[CriterionResult] = []
        for (status, missing), (plan, *_, counted, _, scalars, words) in zip(decided, self.plans, strict=True):
            values: dict[str, Any] = {f: facts[f] for f in scalars if f in facts}
            if words:
                values.update(shown_values(plan.criterion.condition, plan.reads, facts, done))
            for fact_id in counted:
                if fact_id in facts:
                    values[fact_id + " (records)"] = len(facts[fact_id])
            if plan.count_fields:
                counts = [message[k] for k in plan.count_fields if k in message]
                if counts:
                    values["counted"] = counts[0] if len(counts) == 1 else counts
            crit = plan.criterion
            results.append(criterion_result(crit.id, crit.label, crit.text_vi, status, values, missing,
                                            plan.threshold, crit.source, crit.reviewer_judgement))
        points = band = max_points = None
        award = self.award
        if sheet is not None and award.score_sheet is not None:
            points, band, sheet_criterion = sheet(facts, fired)
            max_points = award.score_sheet.max_points
            results.append(sheet_criterion)
        statuses = [r.status for r in results]
        missing_facts = tuple(dict.fromkeys(f for r in results for f in r.missing))
        return award_result(award.id, award.label, combine(statuses), tuple(results), missing_facts,
                            points, max_points, band)
