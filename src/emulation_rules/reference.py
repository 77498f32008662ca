"""A reference evaluator: the campaign model interpreted directly in plain Python.

It shares no evaluation code with the durable path (:mod:`.compiler` and :mod:`.engine` are not
imported): conditions are walked as written, ``not`` is classical negation, ordered enums compare
by rank, a ``count`` filters the records itself. Its purpose is to be a second, independent
reading of the same model, so that differential tests (``tests/property/test_differential.py``)
catch a mistranslation into durable-rules. It also runs where durable-rules cannot be imported
(CPython 3.13).

It returns the same result objects (:mod:`.explain`) with the same values as
:meth:`Engine.evaluate <emulation_rules.engine.Engine.evaluate>`:

* a criterion reading a fact that was not submitted is ``unknown`` (a records fact is present
  when it was submitted, even as an empty list);
* the verdict is ``not_awarded`` if any criterion fails, else ``incomplete`` if any is unknown,
  else ``awarded``; a subject whose level (collectives) or role (individuals) is not in the
  award's eligibility gets ``not_eligible`` with no criteria (Luật Thi đua, khen thưởng 2022,
  Art 17: "đối tượng" of the plan);
* an award whose standards are delegated to another instrument is ``incomplete``;
* awards apply only to subjects of their ``subject`` kind;
* a ``count`` counts records satisfying ``where`` (a record lacking a field the condition reads
  does not match; ``not`` matches only records having every field it reads) or the distinct
  values of a field among them;
* score sheets: condition items score all or nothing, points facts are clamped to
  ``[0, max_points]``; the band is the highest whose ``min_points`` the total reaches.

Example:
    >>> from emulation_rules import load_campaign                      # doctest: +SKIP
    >>> ref = ReferenceEvaluator(load_campaign("campaigns/tkv_2019.yaml"))
    >>> ref.evaluate({"subjects": [...]}).verdicts()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from . import model as m
from .errors import CompileError, EvaluationError
from .explain import AwardResult, CriterionResult, Evaluation, Status, SubjectResult, VerdictKind
from .facts import Subject, Submission, resolve_submission
from .quotas import with_quotas

__all__ = ["ReferenceEvaluator", "evaluate"]

_OPS = m.OPS
_SYMBOL = m.OP_SYMBOLS


class ReferenceEvaluator:
    """Evaluates subjects against one campaign by interpreting its conditions in Python.

    Args:
        campaign: a loaded campaign.
        params: overrides of parameter defaults, ``{parameter id: number}``.

    Raises:
        CompileError: an override names no parameter of the campaign (same error as the engine).
    """

    def __init__(self, campaign: m.Campaign, *, params: Mapping[str, float] | None = None) -> None:
        self.campaign = campaign
        values = {p.id: float(p.default) for p in campaign.parameters}
        for key, value in (params or {}).items():
            if key not in values:
                raise CompileError(
                    f"unknown parameter {key!r}; known: {', '.join(sorted(values)) or 'none'}"
                )
            values[key] = float(value)
        self.params: dict[str, float] = values
        self._facts = {f.id: f for f in campaign.facts}

    # public ------------------------------------------------------------------------------------
    def evaluate(
        self,
        facts: Submission | Iterable[Subject] | Mapping[str, Any] | list[Any],
        *,
        as_of: dt.date | None = None,
    ) -> Evaluation:
        """Evaluate every subject against every award of its kind.

        Args:
            facts: a :class:`Submission`, validated subjects, or raw data (a mapping with
                ``subjects`` or a list of subject mappings) which is validated first.
            as_of: review date; defaults to the submission's ``as_of``; picks the phase.

        Returns:
            An :class:`~emulation_rules.explain.Evaluation`, subjects in input order.

        Raises:
            FactsError: raw data that does not validate.
            EvaluationError: a subject carrying a fact the campaign does not declare.
        """
        subjects, as_of, rejected = resolve_submission(facts, self.campaign, as_of)
        phase = self.campaign.phase_at(as_of) if as_of else None
        results = tuple(self.evaluate_subject(s) for s in subjects)
        evaluation = Evaluation(
            self.campaign.id,
            as_of,
            phase.id if phase else None,
            dict(self.params),
            results,
            rejected,
        )
        return with_quotas(self.campaign, evaluation, subjects, self.params)

    def evaluate_subject(self, subject: Subject) -> SubjectResult:
        """One subject against the awards of its kind (see :meth:`evaluate`).

        Raises:
            EvaluationError: not a :class:`Subject`, or it carries an undeclared fact.
        """
        if not isinstance(subject, Subject):
            raise EvaluationError(f"expected a validated Subject, got {type(subject).__name__}")
        for fact_id in subject.facts:
            if fact_id not in self._facts:
                raise EvaluationError(f"subject {subject.id!r}: unknown fact {fact_id!r}")
        awards = tuple(
            self._award(a, subject) for a in self.campaign.awards if a.subject == subject.kind
        )
        return SubjectResult(
            subject.id,
            subject.kind,
            subject.level,
            subject.role,
            subject.name,
            subject.unit,
            awards,
        )

    # awards ------------------------------------------------------------------------------------
    def _award(self, award: m.Award, subject: Subject) -> AwardResult:
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
        facts = subject.facts
        results = [self._criterion(c, facts) for c in award.criteria]
        points = band = max_points = None
        if award.score_sheet is not None:
            points, band, sheet_result = self._score(award.score_sheet, facts)
            max_points = award.score_sheet.max_points
            results.append(sheet_result)
        missing = tuple(dict.fromkeys(f for r in results for f in r.missing))
        return AwardResult(
            award.id,
            award.label,
            _verdict([r.status for r in results]),
            tuple(results),
            missing,
            points,
            max_points,
            band,
        )

    def _criterion(self, crit: m.Criterion, facts: Mapping[str, Any]) -> CriterionResult:
        reads = _reads(crit.condition)
        missing = tuple(f for f in reads if f not in facts)
        status: Status = (
            "unknown" if missing else "pass" if self._holds(crit.condition, facts) else "fail"
        )
        values: dict[str, Any] = {}
        for fact_id in reads:
            if fact_id in facts and self._facts[fact_id].type != "records":
                values[fact_id] = facts[fact_id]
        for fact_id in reads:
            if fact_id in facts and self._facts[fact_id].type == "records":
                values[f"{fact_id} (records)"] = len(facts[fact_id])
        counted = [
            self._count(c.count, facts[c.count.fact])
            for c in _counts(crit.condition)
            if c.count.fact in facts
        ]
        if counted:
            values["counted"] = counted[0] if len(counted) == 1 else counted
        return CriterionResult(
            crit.id,
            crit.label,
            crit.text_vi,
            status,
            values,
            missing,
            self.describe(crit.condition),
            crit.source,
            crit.reviewer_judgement,
        )

    def _score(
        self, sheet: m.ScoreSheet, facts: Mapping[str, Any]
    ) -> tuple[float | None, str | None, CriterionResult]:
        total = 0.0
        missing: list[str] = []
        values: dict[str, Any] = {}
        below: list[str] = []
        for item in sheet.items:
            reads = _reads(item.condition) if item.condition is not None else [item.points_fact]
            lacking = [f for f in reads if f not in facts]
            if lacking:
                missing.extend(lacking)  # type: ignore[arg-type]
                continue
            if item.condition is not None:
                got = item.max_points if self._holds(item.condition, facts) else 0.0
            else:
                got = min(max(float(facts[item.points_fact]), 0.0), item.max_points)  # type: ignore[index]
            values[item.id] = got
            total += got
            if (
                sheet.item_floor_fraction is not None
                and got < sheet.item_floor_fraction * item.max_points
            ):
                below.append(item.id)
        lacking_all = tuple(dict.fromkeys(missing))
        band: str | None = None
        if not lacking_all:
            reached = [b for b in sheet.bands if total >= b.min_points]
            band = reached[-1].id if reached else None
        status: Status
        if lacking_all:
            status = "unknown"
        elif below:
            status = "fail"
        elif sheet.pass_band is not None:
            order = [b.id for b in sheet.bands]
            status = (
                "pass"
                if band is not None and order.index(band) >= order.index(sheet.pass_band)
                else "fail"
            )
        else:
            status = "pass"
        if below:
            values["below_floor"] = ", ".join(below)
        threshold = f"total points → band{' ≥ ' + sheet.pass_band if sheet.pass_band else ''}"
        if sheet.item_floor_fraction is not None:
            threshold += f"; every item ≥ {sheet.item_floor_fraction:g} × its max"  # noqa: RUF001
        result = CriterionResult(
            "score_sheet",
            m.Text(vi="Bảng chấm điểm", en="Score sheet"),
            "",
            status,
            values,
            lacking_all,
            threshold,
            sheet.source,
        )
        return (None if lacking_all else total), band, result

    # conditions --------------------------------------------------------------------------------
    def _holds(self, cond: Any, facts: Mapping[str, Any]) -> bool:
        """Truth of a condition over facts that are all present."""
        if isinstance(cond, m.AllOf):
            return all(self._holds(c, facts) for c in cond.all)
        if isinstance(cond, m.AnyOf):
            return any(self._holds(c, facts) for c in cond.any)
        if isinstance(cond, m.NotOf):
            return not self._holds(cond.not_, facts)
        if isinstance(cond, m.Count):
            n = self._count(cond.count, facts[cond.count.fact])
            return _OPS[cond.op](n, self._bound(cond.value, cond.param))
        decl = self._facts[cond.fact]
        return _leaf(cond, decl, facts[cond.fact], self.params)

    def _count(self, spec: m.CountSpec, records: Iterable[Mapping[str, Any]]) -> int:
        fields = {f.id: f for f in self._facts[spec.fact].fields}
        hits = [r for r in records if spec.where is None or _record_matches(spec.where, fields, r)]
        if spec.distinct is None:
            return len(hits)
        return len({r[spec.distinct] for r in hits if spec.distinct in r})

    def _bound(self, value: Any, param: str | None) -> float:
        return self.params[param] if param is not None else float(value)

    def describe(self, cond: Any) -> str:
        """A condition in words, as the engine shows it (e.g. ``union_rating ≥ strong``)."""
        if isinstance(cond, m.AllOf | m.AnyOf):
            subs, word = (cond.all, " and ") if isinstance(cond, m.AllOf) else (cond.any, " or ")
            parts = [self.describe(s) for s in subs]
            return word.join(f"({p})" if " and " in p or " or " in p else p for p in parts)
        if isinstance(cond, m.NotOf):
            return f"not ({self.describe(cond.not_)})"
        if isinstance(cond, m.Count):
            spec = cond.count
            what = f"distinct {spec.distinct} of {spec.fact}" if spec.distinct else spec.fact
            where = f" where {self.describe(spec.where)}" if spec.where is not None else ""
            bound = self._bound_text(cond.value, cond.param)
            return f"count({what}{where}) {_SYMBOL[cond.op]} {bound}"
        name = cond.fact or cond.field
        if isinstance(cond, m.AtLeast):
            return f"{name} ≥ {cond.at_least}"
        if isinstance(cond, m.OneOf):
            return f"{name} ∈ {{{', '.join(_text(v) for v in cond.in_)}}}"
        return f"{name} {_SYMBOL[cond.op]} {self._bound_text(cond.value, cond.param)}"

    def _bound_text(self, value: Any, param: str | None) -> str:
        if param is not None:
            return f"{param} (= {_text(self.params.get(param))})"
        return _text(value)


def evaluate(campaign: Any, facts: Any, *, as_of: dt.date | None = None) -> Evaluation:
    """Evaluate ``facts`` with the reference evaluator.

    Args:
        campaign: a :class:`~emulation_rules.model.Campaign`, or any object with ``campaign``
            and ``params`` attributes (such as ``Engine(...).compiled``), whose parameters are used.
        facts: as for :meth:`ReferenceEvaluator.evaluate`.
        as_of: review date.

    Raises:
        FactsError, EvaluationError, CompileError: see :class:`ReferenceEvaluator`.
    """
    if isinstance(campaign, m.Campaign):
        return ReferenceEvaluator(campaign).evaluate(facts, as_of=as_of)
    return ReferenceEvaluator(campaign.campaign, params=dict(campaign.params)).evaluate(
        facts, as_of=as_of
    )


# --- helpers --------------------------------------------------------------------------------------


def _verdict(statuses: list[Status]) -> VerdictKind:
    if any(s == "fail" for s in statuses):
        return "not_awarded"
    if any(s == "unknown" for s in statuses):
        return "incomplete"
    return "awarded"


def _reads(cond: Any) -> list[str]:
    """Facts a condition reads, first occurrence first."""
    out: list[str] = []

    def walk(c: Any) -> None:
        if isinstance(c, m.AllOf):
            for s in c.all:
                walk(s)
        elif isinstance(c, m.AnyOf):
            for s in c.any:
                walk(s)
        elif isinstance(c, m.NotOf):
            walk(c.not_)
        elif isinstance(c, m.Count):
            out.append(c.count.fact)
        elif c.fact is not None:
            out.append(c.fact)

    walk(cond)
    return list(dict.fromkeys(out))


def _counts(cond: Any) -> list[m.Count]:
    if isinstance(cond, m.AllOf):
        return [k for s in cond.all for k in _counts(s)]
    if isinstance(cond, m.AnyOf):
        return [k for s in cond.any for k in _counts(s)]
    if isinstance(cond, m.NotOf):
        return _counts(cond.not_)
    return [cond] if isinstance(cond, m.Count) else []


def _rank(decl: m.FactDecl | m.RecordField, value: str) -> int:
    return [v.id for v in decl.values].index(value)


def _const(decl: m.FactDecl | m.RecordField, value: Any) -> Any:
    """A threshold constant as the type of ``decl`` (ISO text for dates)."""
    if decl.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if decl.type in ("decimal", "percent") and not isinstance(value, bool):
        return float(value)
    return value


def _leaf(
    cond: Any, decl: m.FactDecl | m.RecordField, value: Any, params: Mapping[str, float]
) -> bool:
    """A comparison, ``at_least`` or ``in`` on one present value."""
    ordered = decl.type == "ordered_enum"
    if isinstance(cond, m.AtLeast):
        return _rank(decl, value) >= _rank(decl, cond.at_least)
    if isinstance(cond, m.OneOf):
        return value in {_const(decl, v) for v in cond.in_}
    bound = params[cond.param] if cond.param is not None else _const(decl, cond.value)
    if ordered and isinstance(bound, str):
        return _OPS[cond.op](_rank(decl, value), _rank(decl, bound))
    return _OPS[cond.op](value, bound)


def _read_fields(cond: Any) -> list[str]:
    if isinstance(cond, m.AllOf):
        return [f for s in cond.all for f in _read_fields(s)]
    if isinstance(cond, m.AnyOf):
        return [f for s in cond.any for f in _read_fields(s)]
    if isinstance(cond, m.NotOf):
        return _read_fields(cond.not_)
    return [cond.field] if cond.field else []


def _record_matches(
    cond: Any, fields: Mapping[str, m.RecordField], record: Mapping[str, Any]
) -> bool:
    """Whether one record satisfies a ``where``; lacking a field read means no match."""
    if isinstance(cond, m.AllOf):
        return all(_record_matches(s, fields, record) for s in cond.all)
    if isinstance(cond, m.AnyOf):
        return any(_record_matches(s, fields, record) for s in cond.any)
    if isinstance(cond, m.NotOf):
        return all(f in record for f in _read_fields(cond.not_)) and not _record_matches(
            cond.not_, fields, record
        )
    if cond.field not in record:
        return False
    return _leaf(cond, fields[cond.field], record[cond.field], {})


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
