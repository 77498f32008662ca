"""The nearest way to qualify (recourse): the smallest sets of fact changes that would award a
subject an award it does not get, and, for a unit, what its quotas lack.

``advise(engine, subject, award)`` reads the award's criteria (and, through ``{award: ...}``
conditions, the awards they build on) as a condition tree and, under the three-valued semantics
of :mod:`emulation_rules.evaluate.semantics`, solves it for the facts:

- each leaf gives the least change that makes it hold, by the fact's type: an ordered rating
  moves up (or down) the ladder to the threshold, a number to the threshold by the least step (1
  for an integer, 0.01 otherwise, within the fact's minimum and maximum), a yes/no flips, an enum
  takes one of the accepted values, a records fact gains the records the count lacks, with the
  fields its ``where`` needs; a missing fact is *provided* with such a value;
- ``all`` needs a change set for every part (applied in turn), ``any`` one part, ``not`` is pushed
  down to the leaves (De Morgan); a title that must already be held (``held``) cannot be advised;
- facts the campaign marks ``changeable: false`` (age, years of service) are never changed, only
  provided when missing.

The alternatives are reduced to the minimal ones (no suggestion's facts include another's), and
every suggestion is checked by evaluating the changed subject with the engine: only those that
award the subject are returned. For an ``incomplete`` verdict the facts whose absence decides it
are named. Each suggestion cites the criteria it satisfies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.campaign.money import money_text, plain_number
from emulation_rules.engine import Engine
from emulation_rules.evaluate.result import jsonable
from emulation_rules.evaluate.semantics import award_key, judge
from emulation_rules.facts.reader import Subject

__all__ = ["Advice", "FactChange", "QuotaAdvice", "Suggestion", "advise", "advise_unit", "change_text",
           "render_advice", "render_unit_advice"]

MAX_SUGGESTIONS = 5
_STEP = {"int": 1, "money": 1, "decimal": 0.01, "percent": 0.01}


@dataclass(frozen=True)
class FactChange:
    """One fact changed (or provided, when it was missing).

    Attributes:
        fact: the fact id.
        old: the submitted value (None when missing).
        new: the value that satisfies the criterion; for a records fact, the records to add.
        kind: ``provide`` (was missing), ``set`` (changed) or ``add_records``.
    """

    fact: str
    old: Any
    new: Any
    kind: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        new = [dict(r) for r in self.new] if self.kind == "add_records" else self.new
        return {"fact": self.fact, "old": jsonable(self.old), "new": jsonable(new), "kind": self.kind}


@dataclass(frozen=True)
class Suggestion:
    """A smallest set of fact changes that awards the subject, checked by evaluating it.

    Attributes:
        changes: the changes, by fact id.
        criteria: ``(criterion id, label, citation)`` of the criteria the changes make hold.
    """

    changes: tuple[FactChange, ...]
    criteria: tuple[tuple[str, m.Text, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"changes": [c.to_dict() for c in self.changes],
                "criteria": [{"criterion": c, "label": {"vi": t.vi, "en": t.en}, "source": s}
                             for c, t, s in self.criteria]}


@dataclass(frozen=True)
class Advice:
    """What a subject lacks for one award.

    Attributes:
        subject_id, award_id, verdict: the subject, the award and its verdict now.
        suggestions: the smallest checked change sets, fewest changes first (empty when awarded).
        deciding: for ``incomplete``, the missing facts whose values decide the verdict.
        unadvisable: why some criterion cannot be advised (a title that must already be held, a
            fact that cannot change, a construct the solver does not read), in words.
    """

    subject_id: str
    award_id: str
    verdict: str
    suggestions: tuple[Suggestion, ...] = ()
    deciding: tuple[str, ...] = ()
    unadvisable: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"subject": self.subject_id, "award": self.award_id, "verdict": self.verdict,
                "suggestions": [s.to_dict() for s in self.suggestions], "deciding": list(self.deciding),
                "unadvisable": list(self.unadvisable)}


Changes = dict[str, FactChange]


class _Solver:
    def __init__(self, campaign: m.Campaign, params: Mapping[str, float], as_of: dt.date | None) -> None:
        self.c = campaign
        self.decls = {f.id: f for f in campaign.facts}
        self.params = params
        self.as_of = as_of
        self.blocked: list[str] = []

    def solve(self, cond: Any, facts: Mapping[str, Any], negate: bool = False) -> list[Changes]:
        """Alternative change sets that make ``cond`` (``not cond`` when ``negate``) true."""
        if not negate and not isinstance(cond, m.AwardRef) and judge(cond, facts, self.decls, self.params) is True:
            return [{}]
        if negate and not isinstance(cond, m.AwardRef) and judge(cond, facts, self.decls, self.params) is False:
            return [{}]
        if isinstance(cond, m.NotOf):
            return self.solve(cond.not_, facts, not negate)
        if isinstance(cond, m.AllOf | m.AnyOf):
            parts = cond.all if isinstance(cond, m.AllOf) else cond.any
            conjunction = isinstance(cond, m.AllOf) != negate
            return self._all(parts, facts, negate) if conjunction else [
                x for p in parts for x in self.solve(p, facts, negate)]
        if isinstance(cond, m.AwardRef):
            return self._award(cond, facts, negate)
        if isinstance(cond, m.Held):
            self.blocked.append(f"held: {cond.held}")
            return []
        if isinstance(cond, m.Count):
            return self._count(cond, facts, negate)
        return self._leaf(cond, facts, negate)

    def _all(self, parts: Iterable[Any], facts: Mapping[str, Any], negate: bool) -> list[Changes]:
        options: list[Changes] = [{}]
        for part in parts:
            nxt: list[Changes] = []
            for done in options:
                applied = _apply(facts, done)
                for more in self.solve(part, applied, negate):
                    if all(k not in done or done[k].new == v.new for k, v in more.items()):
                        nxt.append({**done, **more})
            options = _minimal(nxt)[:32]
            if not options:
                return []
        return options

    def _award(self, cond: m.AwardRef, facts: Mapping[str, Any], negate: bool) -> list[Changes]:
        wanted = (cond.verdict == "awarded") != negate
        award = next(a for a in self.c.awards if a.id == cond.award)
        plain = not any(_reads_award(c.condition) for c in award.criteria)
        if wanted and plain and all(judge(c.condition, facts, self.decls, self.params) is True
                                    for c in award.criteria):
            return [{}]
        if not wanted:
            self.blocked.append(f"award {award.id} must not be awarded")
            return []
        return self._all([c.condition for c in award.criteria], facts, False)

    def _leaf(self, cond: Any, facts: Mapping[str, Any], negate: bool) -> list[Changes]:
        fact_id = cond.fact or ""
        decl = self.decls.get(fact_id)
        if decl is None:
            self.blocked.append(f"{type(cond).__name__} over {fact_id or '?'}")
            return []
        old = facts.get(fact_id)
        if old is not None and not getattr(decl, "changeable", True):
            self.blocked.append(f"{fact_id} cannot change")
            return []
        kind = "provide" if old is None else "set"
        return [{fact_id: FactChange(fact_id, old, v, kind)} for v in self._values(cond, decl, old, negate)]

    def _values(self, cond: Any, decl: m.FactDecl, old: Any, negate: bool) -> list[Any]:
        if isinstance(cond, m.AtLeast):
            ranks = [v.id for v in decl.values]
            i = ranks.index(str(cond.at_least))
            return [ranks[i - 1]] if negate and i > 0 else [] if negate else [cond.at_least]
        if isinstance(cond, m.OneOf):
            allowed: list[Any] = [v.id for v in decl.values] if decl.values else []
            choices: list[Any] = [v for v in allowed if (v in cond.in_) != negate] if allowed else (
                [] if negate else list(cond.in_))
            if decl.type == "ordered_enum" and old is not None:
                order = [v.id for v in decl.values]
                choices.sort(key=lambda v: abs(order.index(v) - order.index(old)))
            return choices[:3]
        op = _NEGATED[cond.op] if negate else cond.op
        bound = self.params[cond.param] if cond.param is not None else cond.value
        if decl.type == "bool":
            want = bool(bound) if op == "==" else not bool(bound)
            return [want]
        if decl.type == "ordered_enum":
            order = [v.id for v in decl.values]
            i = order.index(str(bound))
            other = i + 1 if i + 1 < len(order) else i - 1
            target = {">=": i, ">": i + 1, "<=": i, "<": i - 1, "==": i, "!=": other}[op]
            return [order[target]] if 0 <= target < len(order) else []
        if decl.type in _STEP and isinstance(bound, (int, float)):
            step = _STEP[decl.type]
            value = {">=": bound, ">": bound + step, "<=": bound, "<": bound - step, "==": bound,
                     "!=": bound + step}[op]
            if decl.type in ("int", "money"):
                value = int(value) if float(value).is_integer() else int(value) + (1 if op in (">", ">=") else 0)
            else:
                value = round(float(value), 2)
            too_low = decl.minimum is not None and value < decl.minimum
            if too_low or (decl.maximum is not None and value > decl.maximum):
                return []
            return [value]
        if op == "==":
            return [bound]
        self.blocked.append(f"{decl.id} {op} {bound}")
        return []

    def _count(self, cond: m.Count, facts: Mapping[str, Any], negate: bool) -> list[Changes]:
        if negate:
            self.blocked.append(f"fewer records of {cond.count.fact}")
            return []
        decl = self.decls[cond.count.fact]
        bound = self.params[cond.param] if cond.param is not None else (cond.value or 0)
        need = int(bound) + (1 if cond.op == ">" else 0)
        old = facts.get(decl.id)
        have = 0
        if old is not None:
            from emulation_rules.evaluate.semantics import count_records

            have = count_records(cond.count, old, decl)
        if cond.op not in (">=", ">") or need <= have:
            self.blocked.append(f"count of {decl.id} {cond.op} {bound}")
            return []
        record = self._record(decl, cond.count.where)
        if record is None:
            return []
        added = tuple(MappingProxyType(dict(record, **({cond.count.distinct: f"#{have + k + 1}"}
                                                       if cond.count.distinct else {})))
                      for k in range(need - have))
        return [{decl.id: FactChange(decl.id, old, added, "add_records")}]

    def _record(self, decl: m.FactDecl, where: Any) -> dict[str, Any] | None:
        fields = {f.id: f for f in decl.fields}
        record: dict[str, Any] = {}
        if where is not None:
            fake = m.FactDecl  # the record's fields solved as facts of their own
            sub = _Solver(self.c, self.params, self.as_of)
            sub.decls = {f.id: fake(id=f.id, applies_to=decl.applies_to, type=f.type, label=f.label,
                                    values=f.values, minimum=f.minimum, maximum=f.maximum) for f in decl.fields}
            options = sub.solve(_as_facts(where), {})
            if not options:
                self.blocked.extend(sub.blocked)
                return None
            record = {k: v.new for k, v in options[0].items()}
        for f in decl.fields:
            if f.id not in record and f.required:
                record[f.id] = _placeholder(f, self.as_of)
        return {k: v for k, v in record.items() if k in fields}


def _reads_award(cond: Any) -> bool:
    if isinstance(cond, m.AwardRef):
        return True
    if isinstance(cond, m.AllOf | m.AnyOf):
        return any(_reads_award(c) for c in (cond.all if isinstance(cond, m.AllOf) else cond.any))
    if isinstance(cond, m.NotOf):
        return _reads_award(cond.not_)
    return False


_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}


def _as_facts(cond: Any) -> Any:
    """A ``where`` condition (over record fields) read as a condition over facts of those names."""
    m.build_models()  # conditions are built here; a campaign read from the cache came without the validators
    if isinstance(cond, m.AllOf):
        return m.AllOf(all=tuple(_as_facts(c) for c in cond.all))
    if isinstance(cond, m.AnyOf):
        return m.AnyOf(any=tuple(_as_facts(c) for c in cond.any))
    if isinstance(cond, m.NotOf):
        return m.NotOf.model_validate({"not": _as_facts(cond.not_)})
    if getattr(cond, "field", None) is not None:
        return cond.model_copy(update={"fact": cond.field, "field": None})
    return cond


def _placeholder(f: m.RecordField, as_of: dt.date | None) -> Any:
    return {"bool": True, "int": int(f.minimum or 0), "decimal": float(f.minimum or 0),
            "percent": float(f.minimum or 0), "date": as_of or dt.date.today(),
            "text": "…"}.get(f.type, f.values[0].id if f.values else "…")


def _apply(facts: Mapping[str, Any], changes: Changes) -> dict[str, Any]:
    out = dict(facts)
    for k, c in changes.items():
        out[k] = tuple(c.old or ()) + tuple(c.new) if c.kind == "add_records" else c.new
    return out


def _minimal(options: list[Changes]) -> list[Changes]:
    unique: dict[tuple[tuple[str, str], ...], Changes] = {}
    for o in options:
        unique.setdefault(tuple(sorted((k, repr(v.new)) for k, v in o.items())), o)
    kept = sorted(unique.values(), key=len)
    return [o for o in kept if not any(set(p) < set(o) for p in kept)]


def advise(engine: Engine, subject: Subject, award_id: str, *, as_of: dt.date | None = None,
           phase: str | None = None) -> Advice:
    """What ``subject`` lacks for ``award_id``: the smallest checked change sets.

    Args:
        engine: the engine (its campaign, parameters and backend) that judges the subject.
        subject: a validated subject (from :func:`~emulation_rules.facts.load.load_facts`).
        award_id: the award.
        as_of, phase: the review date or phase, as for :meth:`Engine.evaluate`.

    Returns:
        The :class:`Advice`; ``suggestions`` is empty when the subject is awarded, not eligible,
        or no change of the facts can award it (``unadvisable`` says why).

    Raises:
        KeyError: ``award_id`` is not an award of the campaign.
    """
    campaign = engine.campaign
    award = next((a for a in campaign.awards if a.id == award_id), None)
    if award is None:
        raise KeyError(award_id)
    now = engine.evaluate([subject], as_of=as_of, phase=phase).subject(subject.id).award(award_id)
    if now.verdict in ("awarded", "not_eligible"):
        return Advice(subject.id, award_id, now.verdict)
    params = {**campaign.parameter_defaults(), **dict(getattr(engine, "params", {}) or {})}
    solver = _Solver(campaign, params, as_of)
    facts = dict(subject.facts)
    options = _minimal(solver._all([c.condition for c in award.criteria], facts, False))
    checked: list[Suggestion] = []
    before = {c.criterion_id: c.status for c in now.criteria}
    for option in options:
        changed = dataclasses.replace(subject, facts=MappingProxyType(_apply(facts, option)), validated_for=None)
        result = engine.evaluate([changed], as_of=as_of, phase=phase).subject(subject.id).award(award_id)
        if result.verdict != "awarded":
            continue
        met = tuple((c.criterion_id, c.label, c.source.cite()) for c in result.criteria
                    if c.status == "pass" and before.get(c.criterion_id) != "pass")
        checked.append(Suggestion(tuple(option[k] for k in sorted(option)), met))
        if len(checked) == MAX_SUGGESTIONS:
            break
    deciding = tuple(f for f in now.missing_facts if not f.startswith(award_key("")))
    return Advice(subject.id, award_id, now.verdict, tuple(checked), deciding, tuple(dict.fromkeys(solver.blocked)))


_WORDS = {
    "vi": {"awarded": "đã đạt", "not_eligible": "không thuộc diện xét", "option": "Cách", "provide": "khai",
           "set": "đổi", "add_records": "thêm", "records": "bản ghi", "none": "không tìm được thay đổi nào của "
           "dữ kiện đủ để đạt", "deciding": "dữ kiện còn thiếu quyết định kết quả", "why": "không tư vấn được",
           "meets": "đáp ứng", "lacks": "cần gì để đạt", "from": "từ", "to": "thành"},
    "en": {"awarded": "already awarded", "not_eligible": "not eligible", "option": "Option", "provide": "provide",
           "set": "change", "add_records": "add", "records": "record(s)", "none": "no change of the facts "
           "awards it", "deciding": "missing facts that decide the verdict", "why": "cannot be advised",
           "meets": "meets", "lacks": "what it takes", "from": "from", "to": "to"},
}


def render_advice(items: Iterable[Advice], campaign: m.Campaign, *, lang: str = "vi") -> str:
    """The advice as text for people, in Vietnamese (default) or English, with labels and citations."""
    en = lang == "en"
    w = _WORDS["en" if en else "vi"]
    decls = {f.id: f for f in campaign.facts}
    awards = {a.id: (a.label.en if en else a.label.vi) for a in campaign.awards}
    lines: list[str] = []
    for a in items:
        lines.append(f"{a.subject_id} — {awards.get(a.award_id, a.award_id)}: "
                     + (w[a.verdict] if a.verdict in ("awarded", "not_eligible") else w["lacks"]))
        if a.verdict in ("awarded", "not_eligible"):
            continue
        if a.deciding:
            lines.append(f"  {w['deciding']}: {', '.join(_fact_label(decls, f, en) for f in a.deciding)}")
        for i, s in enumerate(a.suggestions, start=1):
            lines.append(f"  {w['option']} {i}: {'; '.join(change_text(decls, c, lang) for c in s.changes)}")
            for cid, label, cite in s.criteria:
                lines.append(f"    {w['meets']} {label.en if en else label.vi} [{cid}] ({cite})")
        if not a.suggestions:
            lines.append(f"  {w['none']}" + (f" ({w['why']}: {', '.join(a.unadvisable)})" if a.unadvisable else ""))
    return "\n".join(lines) + "\n"


def change_text(decls: Mapping[str, m.FactDecl], c: FactChange, lang: str = "vi") -> str:
    """One fact change in words, with the fact's label and values as people read them
    (money as "80.000.000 đồng", numbers never in scientific notation)."""
    en = lang == "en"
    w = _WORDS["en" if en else "vi"]
    fact = _fact_label(decls, c.fact, en)
    if c.kind == "add_records":
        return f"{w['add_records']} {len(c.new)} {w['records']} {fact}"
    if c.kind == "provide":
        return f"{w['provide']} {fact} = {_shown(decls.get(c.fact), c.new, en)}"
    return (f"{w['set']} {fact} {w['from']} {_shown(decls.get(c.fact), c.old, en)} "
            f"{w['to']} {_shown(decls.get(c.fact), c.new, en)}")


def _fact_label(decls: Mapping[str, m.FactDecl], fact_id: str, en: bool) -> str:
    decl = decls.get(fact_id)
    if decl is None:
        return fact_id
    return f"“{decl.label.en if en else decl.label.vi}” [{fact_id}]"


def _shown(decl: m.FactDecl | None, value: Any, en: bool) -> str:
    if value is None:
        return "—"
    if decl is not None and decl.values:
        for v in decl.values:
            if v.id == value:
                return v.label.en if en else v.label.vi
    if isinstance(value, bool):
        return ("yes" if value else "no") if en else ("có" if value else "không")
    if decl is not None and decl.type == "money" and isinstance(value, (int, float)):
        return money_text(int(value))
    if isinstance(value, (int, float)):
        return plain_number(value) if en else plain_number(value).replace(".", ",")
    return str(value)


# --- a unit: what its quotas lack -------------------------------------------------------------


@dataclass(frozen=True)
class QuotaAdvice:
    """One quota group of a unit: its status and the least change that would meet it.

    Attributes:
        quota_id, label, group, status: the quota, the unit's group and its status.
        counted, limit: awardees counted and the allowed (cap) or needed (minimum) number.
        within, over: for a ranked cap over its limit, who is within and who is over (by the ranking).
        change: the least change in words (Vietnamese and English): for a cap, how many fewer
            awardees, or the least cap that admits them all (checked by judging the quota again);
            for a minimum, how many more qualifying awardees.
        least_bound: for a cap whose bound is a parameter, the least value that meets it (checked).
    """

    quota_id: str
    label: m.Text
    group: str | None
    status: str
    counted: int
    limit: int | None
    within: tuple[str, ...]
    over: tuple[str, ...]
    change: m.Text | None
    least_bound: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"quota": self.quota_id, "label": {"vi": self.label.vi, "en": self.label.en}, "group": self.group,
                "status": self.status, "counted": self.counted, "limit": self.limit, "within": list(self.within),
                "over": list(self.over), "least_bound": self.least_bound,
                "change": None if self.change is None else {"vi": self.change.vi, "en": self.change.en}}


def advise_unit(engine: Engine, subjects: Any, unit_id: str, *, as_of: dt.date | None = None,
                phase: str | None = None) -> tuple[QuotaAdvice, ...]:
    """What the quotas of ``unit_id`` lack (every quota group named by that unit).

    Args:
        engine: the engine that judges the submission.
        subjects: the submission (or its subjects), as for :meth:`Engine.evaluate`.
        unit_id: the unit (its id as the subjects' ``unit`` gives it).

    Returns:
        One :class:`QuotaAdvice` per quota group of the unit, in campaign order.
    """
    from emulation_rules.results.quotas import check_quotas

    evaluation = engine.evaluate(subjects, as_of=as_of, phase=phase)
    subs = tuple(getattr(subjects, "subjects", subjects))
    out = []
    for q, decl in zip(evaluation.quotas, engine.campaign.quotas, strict=True):
        for g in q.groups:
            if g.group != unit_id:
                continue
            within = tuple(o.subject for o in q.outcomes if o.group == unit_id and o.status == "within_quota")
            over = tuple(o.subject for o in q.outcomes if o.group == unit_id and o.status != "within_quota")
            change, least = _quota_change(engine, evaluation, subs, q, g, decl, check_quotas)
            out.append(QuotaAdvice(q.quota_id, q.label, g.group, g.status, g.numerator, g.limit, within, over,
                                   change, least))
    return tuple(out)


def _quota_change(engine: Engine, evaluation: Any, subs: Any, q: Any, g: Any, decl: m.Quota,
                  check: Any) -> tuple[m.Text | None, float | None]:
    if g.status != "not_met":
        return None, None
    if q.kind in ("max_share", "max_count") and g.excess:
        words = m.Text.of(vi=f"bớt {g.excess} người khỏi diện xét", en=f"{g.excess} fewer awardee(s)")
        bound = decl.max_share if q.kind == "max_share" else decl.max_count
        param = getattr(bound, "param", None)
        if param is None or not g.denominator:
            return words, None
        need = g.numerator * 100 / g.denominator if q.kind == "max_share" else g.numerator
        least = float(need) if q.kind == "max_count" else _ceil2(need)
        params = {**engine.params, param: least}
        again = check(engine.campaign, evaluation, subs, params)
        ok = any(x.group == g.group and x.status == "met" for r in again if r.quota_id == q.quota_id for x in r.groups)
        if not ok:
            return words, None
        shown = f"{plain_number(least)}{'%' if q.kind == 'max_share' else ''}"
        return m.Text.of(vi=f"{words.vi}, hoặc nâng {param} lên ít nhất {shown.replace('.', ',')}",
                      en=f"{words.en}, or {param} at least {shown}"), least
    if q.kind == "min_share" and g.additional_needed:
        return m.Text.of(vi=f"thêm {g.additional_needed} người đạt thuộc diện",
                      en=f"{g.additional_needed} more qualifying awardee(s)"), None
    return None, None


def _ceil2(x: float) -> float:
    import math

    return math.ceil(round(x * 100, 6)) / 100


def render_unit_advice(items: Iterable[QuotaAdvice], *, lang: str = "vi") -> str:
    """A unit's quota advice as text (Vietnamese by default)."""
    en = lang == "en"
    words = {"met": ("đạt", "met"), "not_met": ("không đạt", "not met"), "unknown": ("chưa xác định", "unknown")}
    lines = []
    for a in items:
        status = words.get(a.status, (a.status, a.status))[1 if en else 0]
        lines.append(f"{a.group} — {a.label.en if en else a.label.vi}: {status} ({a.counted}/{a.limit})")
        if a.within or a.over:
            lines.append(f"  {'within the cap' if en else 'trong hạn mức'}: {', '.join(a.within) or '—'}; "
                         f"{'over it' if en else 'vượt hạn mức'}: {', '.join(a.over) or '—'}")
        if a.change is not None:
            lines.append(f"  {'to meet it' if en else 'để đạt'}: {a.change.en if en else a.change.vi}")
    return "\n".join(lines) + "\n"
