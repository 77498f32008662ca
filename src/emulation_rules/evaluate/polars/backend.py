"""The polars backend behind the :class:`~emulation_rules.evaluate.base.Evaluator` interface.

``Engine(campaign, backend="polars")`` scores validated subjects with the vectorised scorer
(:class:`~.scoring.BulkEvaluator`): the subjects become one table, cell for cell as a facts CSV
would hold them, which is validated and scored in one pass. It gives what the scorer computes:
per subject and award the verdict, points, band, the failing criteria and the missing facts; each
criterion's status is read from those (``fail`` if it failed, ``unknown`` if a fact it reads is
missing, else ``pass``), and its ``values`` are empty (the per-subject backends show them, and
``BulkResult.explain`` gives them on demand). It suits large submissions; ``auto`` never picks it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import polars as pl

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.base import BackendName, BaseEvaluator, full_collections_deferred
from emulation_rules.evaluate.durable.compiler import compile_campaign
from emulation_rules.evaluate.polars.scoring import BulkEvaluator, history_series
from emulation_rules.evaluate.result import AwardResult, CriterionResult, Status, SubjectResult
from emulation_rules.evaluate.semantics import award_key, describe, reads
from emulation_rules.evaluate.units import lower
from emulation_rules.facts.history import ReviewYears
from emulation_rules.facts.reader import CSV_META_COLUMNS, Subject, check_subject

__all__ = ["PolarsEvaluator"]

_AWARD_READ = award_key("")


class PolarsEvaluator(BaseEvaluator):
    """The ``polars`` backend: validated subjects scored as one table.

    Args:
        campaign: a loaded campaign.
        params: overrides of parameter defaults, ``{parameter id: number}``.

    Raises:
        CompileError: an override names no parameter of the campaign, or the campaign uses a
            construct the vectorised scorer does not support.
    """

    backend: BackendName = "polars"

    def __init__(self, campaign: m.Campaign, *, params: Mapping[str, float] | None = None) -> None:
        self.campaign = campaign = lower(campaign)  # {unit: ...} read through unit__ facts
        self.compiled = compile_campaign(campaign, params=params, fit=False)  # no durable rule sets
        self.params = self.compiled.params
        self._scorers: dict[ReviewYears | None, BulkEvaluator] = {None: BulkEvaluator(self.compiled)}
        self._award_ids = frozenset(a.id for a in campaign.awards)
        self._columns = [*CSV_META_COLUMNS, *(f.id for f in campaign.facts)]

    def evaluate_subject(self, subject: Subject, review: ReviewYears | None = None) -> SubjectResult:
        """One subject against the awards of its kind (a table of one row)."""
        return self.evaluate_subjects((subject,), review)[0]

    def evaluate_subjects(self, subjects: tuple[Subject, ...],
                          review: ReviewYears | None = None) -> tuple[SubjectResult, ...]:
        """Results for validated subjects, in order, scored as one table."""
        for s in subjects:
            check_subject(self.campaign, s)
        if not subjects:
            return ()
        table = pl.DataFrame(
            {c: [_cell(s, c) for s in subjects] for c in self._columns},
            schema={c: pl.String for c in self._columns},
        )
        scorer = self._scorers.get(review)
        if scorer is None:  # 'held' conditions are built with the review's years as literals
            scorer = self._scorers.setdefault(review, BulkEvaluator(self.compiled, review=review))
        rows, _ = scorer.evaluate_frame(table, file="<subjects>", detailed=True,
                                        history=history_series([s.history for s in subjects]))
        by_subject: dict[str, list[dict[str, Any]]] = {}
        for row in rows.iter_rows(named=True):
            by_subject.setdefault(row["subject_id"], []).append(row)
        with full_collections_deferred():
            return tuple(self._subject(s, by_subject.get(s.id, [])) for s in subjects)

    def _subject(self, subject: Subject, rows: list[dict[str, Any]]) -> SubjectResult:
        awards = {a.id: a for a in self.campaign.awards}
        deps = {r["award"]: r for r in rows}
        return SubjectResult(subject.id, subject.kind, subject.level, subject.role, subject.name,
                             subject.unit, tuple(self._award(awards[r["award"]], r, deps) for r in rows))

    def _statuses(self, award: m.Award, row: Mapping[str, Any]) -> dict[str, Status]:
        failed = set(filter(None, (row["failed_criteria"] or "").split(";")))
        unknown = set(filter(None, (row["__unknown"] or "").split(";")))
        return {c.id: "fail" if c.id in failed else "unknown" if c.id in unknown else "pass"
                for c in award.criteria}

    def _lacking(self, cond: m.Condition, missing: tuple[str, ...],
                 deps: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
        """The missing facts of an undecided criterion (a required award's stand for it)."""
        out: list[str] = []
        for f in reads(cond, self._award_ids):
            if f.startswith(_AWARD_READ):
                dep = deps.get(f[len(_AWARD_READ):])
                if dep is not None and dep["verdict"] == "incomplete":
                    out.extend(filter(None, (dep["missing_facts"] or "").split(";")))
            elif f in missing:
                out.append(f)
        return tuple(dict.fromkeys(out))

    def _award(self, award: m.Award, row: Mapping[str, Any],
               deps: Mapping[str, Mapping[str, Any]]) -> AwardResult:
        verdict = row["verdict"]
        if verdict == "not_eligible" or award.criteria_delegated_to is not None:
            return AwardResult(award.id, award.label, verdict)
        failed = set(filter(None, (row["failed_criteria"] or "").split(";")))
        missing = tuple(filter(None, (row["missing_facts"] or "").split(";")))
        statuses = self._statuses(award, row)
        criteria: list[CriterionResult] = []
        for crit in award.criteria:
            status: Status = statuses[crit.id]
            lacking = self._lacking(crit.condition, missing, deps) if status == "unknown" else ()
            criteria.append(CriterionResult(crit.id, crit.label, crit.text_vi, status, {}, lacking,
                                            describe(crit.condition, self.params), crit.source,
                                            crit.reviewer_judgement))
        sheet = award.score_sheet
        if sheet is not None:
            status = "fail" if "score_sheet" in failed else "pass"
            if row["points"] is None:
                status = "unknown"
            criteria.append(CriterionResult("score_sheet", m.Text.of(vi="Bảng chấm điểm", en="Score sheet"), "",
                                            status, {}, (), "total points → band", sheet.source))
        return AwardResult(award.id, award.label, verdict, tuple(criteria), missing, row["points"],
                           sheet.max_points if sheet is not None else None, row["band"] or None)


def _cell(subject: Subject, column: str) -> str | None:
    """A subject's value as the facts CSV writes it (``None``: not submitted)."""
    if column in CSV_META_COLUMNS:
        value: Any = getattr(subject, column)
        return None if value is None else str(value)
    if column not in subject.facts:
        return None
    return _text(subject.facts[column])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple):
        return json.dumps([{k: _json(v) for k, v in r.items()} for r in value], ensure_ascii=False)
    return str(value)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
