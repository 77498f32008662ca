"""How every backend reads ``{unit: ...}`` conditions (issue 19, item 6): the campaign is *lowered*
before a backend compiles it, and the unit's answers are handed to its members as facts.

:func:`lower` rewrites each ``{unit: C}`` of an individual award into ``C`` over facts named
``unit__<fact>``, declared for individuals with the unit fact's type; ``{level: [...]}`` inside
it reads ``unit__level`` and ``{award: x}`` reads ``unit__award__x`` (the verdict: ``awarded``,
``not_awarded`` or ``not_eligible``). An award's ``eligibility.unit`` becomes its first criterion,
``unit_eligibility__``; when that criterion fails, :func:`eligibility_verdicts` turns the verdict
into ``not_eligible``. The backends see a plain campaign, so durable-rules, the Python reference
and polars read these conditions with the code they read any other with.

:func:`evaluate_in_order` judges every collective first, then gives each individual the facts of
its unit (:func:`unit_facts`): its submitted facts, its level and the verdicts just given. A unit
not in the submission gives nothing, so the conditions over it are unknown (three-valued), and a
unit's ``incomplete`` verdict is left out (unknown) as for ``{award: ...}`` of the same subject.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.memo import kept_for
from emulation_rules.evaluate.result import AwardResult, SubjectResult
from emulation_rules.facts.reader import Subject

__all__ = ["ELIGIBILITY", "PREFIX", "bulk_unsupported", "evaluate_in_order", "lower", "reads_unit", "reads_units",
           "unit_facts"]

PREFIX = "unit__"
"""Prefix of the facts a member reads from its unit."""
LEVEL = PREFIX + "level"
AWARD = PREFIX + "award__"
ELIGIBILITY = "unit_eligibility__"
"""Id of the criterion an award's ``eligibility.unit`` becomes."""
_VERDICTS = ("awarded", "not_awarded", "not_eligible")


def reads_units(campaign: m.Campaign) -> bool:
    """Whether any award reads the subject's unit (kept per campaign object: every evaluation
    asks)."""
    return bool(kept_for(campaign, _reads_units))


def _reads_units(campaign: m.Campaign) -> bool:
    return any(reads_unit(a) for a in campaign.awards)


def bulk_unsupported(campaign: m.Campaign) -> str | None:
    """Why a table scored in bulk (each row alone, in chunks) cannot read the units' answers that
    ``campaign``'s awards read, or None."""
    awards = [a.id for a in campaign.awards if reads_unit(a)]
    if not awards:
        return None
    return (f"bulk scoring reads each row alone, and {', '.join(awards)} reads the subject's unit "
            "(its level, facts or verdicts); evaluate without --bulk")


def reads_unit(award: m.Award) -> bool:
    """Whether ``award`` reads the subject's unit (its eligibility or a criterion)."""
    return award.eligibility.unit is not None or any(_has_unit(c.condition) for c in award.criteria)


def _has_unit(cond: Any) -> bool:
    if isinstance(cond, m.OfUnit):
        return True
    if isinstance(cond, m.AllOf | m.AnyOf):
        return any(_has_unit(s) for s in (cond.all if isinstance(cond, m.AllOf) else cond.any))
    if isinstance(cond, m.NotOf):
        return _has_unit(cond.not_)
    return False


class _Lowering:
    def __init__(self, campaign: m.Campaign) -> None:
        self.c = campaign
        self.decls = {f.id: f for f in campaign.facts}
        self.added: dict[str, m.FactDecl] = {}

    def fact(self, fact_id: str) -> str:
        new = PREFIX + fact_id
        decl = self.decls.get(fact_id)
        if decl is not None and new not in self.added:
            self.added[new] = m.replace(decl, id=new, applies_to="individual")
        return new

    def enum(self, fact_id: str, values: tuple[str, ...], label: m.Text) -> str:
        if fact_id not in self.added:
            self.added[fact_id] = m.FactDecl.new(
                id=fact_id, applies_to="individual", type="enum", label=label,
                values=tuple(m.EnumValue.new(id=v, label=m.Text.of(vi=v, en=v)) for v in values),
                fields=(), unit=None, minimum=None, maximum=None, judgement=False, source=None, note=None)
        return fact_id

    def cond(self, cond: Any, inside: bool) -> Any:
        if isinstance(cond, m.AllOf):
            return m.replace(cond, all=tuple(self.cond(s, inside) for s in cond.all))
        if isinstance(cond, m.AnyOf):
            return m.replace(cond, any=tuple(self.cond(s, inside) for s in cond.any))
        if isinstance(cond, m.NotOf):
            return m.replace(cond, not_=self.cond(cond.not_, inside))
        if isinstance(cond, m.OfUnit):
            return self.cond(cond.unit, True)
        if not inside:
            return cond
        if isinstance(cond, m.LevelIn):
            levels = tuple(lv.id for lv in self.c.subjects.collective_levels)
            key = self.enum(LEVEL, levels, m.Text.of(vi="Cấp của đơn vị", en="Level of the unit"))
            return m.OneOf.new(fact=key, field=None, in_=cond.level)
        if isinstance(cond, m.AwardRef):
            key = self.enum(AWARD + cond.award, _VERDICTS, m.Text.of(vi=f"Kết quả {cond.award} của đơn vị",
                                                                  en=f"The unit's {cond.award} verdict"))
            accepted = ("awarded",) if cond.verdict == "awarded" else ("not_awarded", "not_eligible")
            return m.OneOf.new(fact=key, field=None, in_=accepted)
        if isinstance(cond, m.Count):
            spec = m.replace(cond.count, fact=self.fact(cond.count.fact))
            return m.replace(cond, count=spec)
        if isinstance(cond, m.Aggregate):
            agg = m.replace(cond.aggregate, of=self.fact(cond.aggregate.of))
            return m.replace(cond, aggregate=agg)
        if getattr(cond, "fact", None) is not None:
            return m.replace(cond, fact=self.fact(cond.fact))
        return cond

    def award(self, a: m.Award) -> m.Award:
        if a.subject != "individual":
            return a
        criteria = tuple(m.replace(c, condition=self.cond(c.condition, False)) for c in a.criteria)
        elig = a.eligibility
        if elig.unit is not None:
            gate = m.Criterion.new(
                id=ELIGIBILITY,
                label=m.Text.of(vi="Đơn vị của cá nhân thuộc đối tượng", en="The subject's unit qualifies"),
                text_vi="", condition=self.cond(elig.unit, True),  # the eligibility has no wording of its own
                reviewer_judgement=False, source=elig.source, note=None)
            criteria = (gate, *criteria)
            elig = m.replace(elig, unit=None)
        return m.replace(a, criteria=criteria, eligibility=elig)


def lower(campaign: m.Campaign) -> m.Campaign:
    """``campaign`` with every ``unit`` condition read through ``unit__`` facts (module doc);
    the campaign itself when no award reads a unit."""
    if not reads_units(campaign):
        return campaign
    low = _Lowering(campaign)
    awards = tuple(low.award(a) for a in campaign.awards)
    return m.replace(campaign, awards=awards, facts=(*campaign.facts, *low.added.values()))


def unit_facts(campaign: m.Campaign, unit: Subject, verdicts: Mapping[str, str]) -> dict[str, Any]:
    """The facts a member reads from ``unit`` under a lowered ``campaign``: the unit's facts that
    are read, its level, and its decided verdicts."""
    out: dict[str, Any] = {}
    for f in campaign.facts:
        if not f.id.startswith(PREFIX):
            continue
        if f.id == LEVEL:
            if unit.level is not None:
                out[LEVEL] = unit.level
        elif f.id.startswith(AWARD):
            verdict = verdicts.get(f.id[len(AWARD):])
            if verdict in _VERDICTS:
                out[f.id] = verdict
        elif f.id[len(PREFIX):] in unit.facts:
            out[f.id] = unit.facts[f.id[len(PREFIX):]]
    return out


def evaluate_in_order(campaign: m.Campaign, subjects: tuple[Subject, ...],
                      run: Callable[[tuple[Subject, ...]], tuple[SubjectResult, ...]]) -> tuple[SubjectResult, ...]:
    """Results of ``subjects`` in their order: the collectives judged first by ``run``, then the
    individuals, each given its unit's facts and verdicts."""
    units = {s.id: s for s in subjects if s.kind == "collective"}
    first = run(tuple(units.values()))
    verdicts = {r.subject_id: {a.award_id: a.verdict for a in r.awards} for r in first}
    members = tuple(_with_unit(campaign, s, units, verdicts) for s in subjects if s.kind != "collective")
    by_id = {r.subject_id: r for r in (*first, *(eligibility_verdicts(r) for r in run(members)))}
    return tuple(by_id[s.id] for s in subjects)


def _with_unit(campaign: m.Campaign, s: Subject, units: Mapping[str, Subject],
               verdicts: Mapping[str, Mapping[str, str]]) -> Subject:
    unit = units.get(s.unit) if s.unit is not None else None
    if unit is None:
        return s
    extra = unit_facts(campaign, unit, verdicts.get(unit.id, {}))
    return dataclasses.replace(s, facts=MappingProxyType({**s.facts, **extra})) if extra else s


def eligibility_verdicts(r: SubjectResult) -> SubjectResult:
    """``r`` with ``not_eligible`` for the awards whose unit gate (``unit_eligibility__``) fails."""
    changed = False
    awards: list[AwardResult] = []
    for a in r.awards:
        gate = next((c for c in a.criteria if c.criterion_id == ELIGIBILITY), None)
        if gate is not None and gate.status == "fail":
            a = AwardResult(a.award_id, a.label, "not_eligible",
                            reason=f"the unit does not qualify: {gate.threshold} ({gate.source.cite()})")
            changed = True
        awards.append(a)
    return dataclasses.replace(r, awards=tuple(awards)) if changed else r
