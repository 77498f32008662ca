"""Compile a campaign into durable-rules rule sets built from data (plain dicts, no decorators).

Pure and deterministic: the same campaign and parameters give the same rule sets, names and
JSON (sorted keys, no random ids), so rule sets can be compared against golden files.

Per award, one rule set named ``er_<campaign id>__<award id>__<hash>`` where the hash covers the
rule set's content (durable-rules registers a name once per host and cannot redefine it,
DURABLE_RULES.md). It holds:

* ``seen``: a sentinel rule matching every posted subject, so that durable never raises
  "message not handled" for a subject that meets no criterion (missing and failing would
  otherwise look alike);
* ``c__<criterion id>``: one rule per criterion, its condition in negation normal form
  (``not`` is pushed down with De Morgan, since durable's JSON has no expression negation);
* ``s__<item id>``: one rule per all-or-nothing score-sheet item.

Encoding of values in the posted fact: ``f_<fact>`` fields; bools as JSON booleans, numbers as
numbers, dates as proleptic ordinals (int), ordered enums as their rank (0 = lowest), enums and
text as strings. A ``count`` or ``aggregate`` over records is pre-aggregated into bounds
(``k<n>l``, ``k<n>h``: the least and most it may be, blanks allowing) by
:meth:`CompiledAward.encode`, since durable-rules has no aggregate over a list; the rules compare
the bounds (surely true, surely false). ``$nex`` is
never emitted (it makes durable's action loop spin forever).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import field
from functools import cached_property
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.thresholds import coerce_threshold
from emulation_rules.errors import CompileError
from emulation_rules.evaluate.durable import limits
from emulation_rules.evaluate.record_sets import window_dates
from emulation_rules.evaluate.semantics import AS_OF, HISTORY, award_key, describe, record_reads
from emulation_rules.evaluate.units import lower
from emulation_rules.frozen import frozen

Expr = dict[str, Any]
_AWARD_READ = award_key("")
RecordPredicate = Callable[[Mapping[str, Any]], bool | None]

_FLIP = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}
_DURABLE_OP = {">=": "$gte", ">": "$gt", "<=": "$lte", "<": "$lt", "!=": "$neq"}


@frozen
class CountPlan:
    """A pre-aggregated ``count`` or ``aggregate`` over the records of ``fact``, three-valued:
    ``column + "l"`` and ``column + "h"`` bound the aggregate (left out when infinite: a blank
    without bounds), ``column + "d"`` / ``column + "p"`` are 1 when some record surely / maybe
    belongs (min and max of no record are undefined). ``predicate`` gives a record's membership
    (True, False, None) from ``where`` and the window; ``fn`` is ``count``, ``distinct`` (of
    ``key``), ``sum``, ``min`` or ``max`` (of ``key``)."""

    column: str
    fact: str
    fn: str
    key: str | None
    predicate: Callable[[Mapping[str, Any], Any], bool | None] = field(compare=False, repr=False)
    limits: tuple[float, float] = (0.0, 0.0)
    window: Any = None

    def encode(self, records: Any, review: Any, out: dict[str, Any]) -> bool:
        """Write this plan's columns for one subject; True when they leave it undecided-able
        (bounds apart, a maybe-empty set, or a window whose years are not known)."""
        dates = None
        if self.window is not None:
            dates = window_dates(self.window, review) if review is not None else None
            if dates is None:
                return True
        sure: list[Mapping[str, Any]] = []
        maybe: list[Mapping[str, Any]] = []
        for r in records:
            got = self.predicate(r, dates)
            if got is not False:
                (sure if got else maybe).append(r)
        lo: float
        hi: float
        key = self.key or ""
        every = sure + maybe
        if self.fn == "count":
            lo, hi = len(sure), len(every)
        elif self.fn == "distinct":
            seen = {r[key] for r in sure if r.get(key) is not None}
            lo = len(seen) or (1 if any(r.get(key) is None for r in sure) else 0)
            hi = len({r[key] for r in every if r.get(key) is not None}) + len([r for r in every if r.get(key) is None])
        else:
            low, high = self.limits
            spans = [(low, high) if r.get(key) is None else (r[key], r[key]) for r in every]
            n = len(sure)
            if self.fn == "sum":
                lo = sum(a for a, _ in spans[:n]) + sum(min(0, a) for a, _ in spans[n:])
                hi = sum(b for _, b in spans[:n]) + sum(max(0, b) for _, b in spans[n:])
            elif not spans:
                out[self.column + "d"], out[self.column + "p"] = 0, 0
                return False
            elif self.fn == "max":
                lo = max(a for a, _ in spans[:n]) if n else min(a for a, _ in spans)
                hi = max(b for _, b in spans)
            else:
                lo = min(a for a, _ in spans)
                hi = min(b for _, b in spans[:n]) if n else max(b for _, b in spans)
            out[self.column + "d"], out[self.column + "p"] = int(bool(sure)), 1
        for suffix, value in (("l", lo), ("h", hi)):
            if value not in (math.inf, -math.inf):
                out[self.column + suffix] = _posted(value)
        return lo != hi or (self.fn in ("min", "max") and not sure)


@frozen
class HeldPlan:
    """A pre-aggregated ``held`` condition: ``column`` = how many distinct years of the window
    (relative to the review year, read from the message's ``as_of``) the history holds
    ``title``; for ``consecutive_years``, ``column`` covers the years before Y and
    ``column + "y"`` is 1 when the history holds Y itself (the award verdict may stand for it)."""

    column: str
    title: str
    mode: str
    years: int

    def encode(self, history: Iterable[Any], review: Any, out: dict[str, Any]) -> None:
        """Write this plan's columns for one subject's history (left out when unknown)."""
        y = review.year
        if self.mode == "each_of_last_years":
            lo, hi = y - self.years, y - 1
        elif self.mode == "consecutive_years":
            lo, hi = y - self.years + 1, y - 1
        else:
            if review.phase_first is None:
                return
            lo, hi = review.phase_first, min(review.phase_last, y)
        seen = {h.year for h in history if h.title == self.title}
        out[self.column] = sum(1 for year in seen if lo <= year <= hi)
        if self.mode == "consecutive_years":
            out[self.column + "y"] = 1 if y in seen else 0


@frozen
class CriterionPlan:
    """How one criterion is decided.

    Attributes:
        criterion: the model criterion.
        rule: durable rule name (``c__<id>``): fires when the condition is true.
        reads: facts the criterion reads.
        threshold: the condition in words, e.g. ``union_rating ≥ strong``.
        rule_false: the rule (``n__<id>``) that fires when the condition is false although a
            fact it reads is missing (three-valued logic: ``any`` with a true branch is true,
            ``all`` with a false branch is false); guarded by ``guard``, set in the message only
            when a read is missing, so it costs no action otherwise.
    """

    criterion: m.Criterion
    rule: str
    reads: tuple[str, ...]
    threshold: str
    count_fields: tuple[str, ...] = ()
    rule_false: str = ""
    guard: str = ""
    record_fields: tuple[str, ...] = ()
    """The lower-bound columns of every ``count`` and ``aggregate`` it reads (:class:`CountPlan`)."""


@frozen
class ItemPlan:
    """How one score-sheet item is scored (rule for conditions, clamp for points facts)."""

    item: m.ScoreItem
    rule: str | None
    reads: tuple[str, ...]
    threshold: str


@frozen
class CompiledAward:
    """One award compiled: its durable rule set (as data) and how to encode a subject."""

    award: m.Award
    ruleset_name: str
    rules: Mapping[str, Expr]
    criteria: tuple[CriterionPlan, ...]
    items: tuple[ItemPlan, ...]
    counts: tuple[CountPlan, ...]
    encoders: Mapping[str, Callable[[Any], Any]] = field(repr=False)
    held: tuple[HeldPlan, ...] = ()
    """``held`` conditions, pre-aggregated from the subject's history (``as_of`` and ``history``
    are synthetic reads: :mod:`emulation_rules.evaluate.semantics`)."""
    rulesets: tuple[tuple[str, Mapping[str, Expr]], ...] = ()
    """``(name, rules)`` as registered with durable: ``((ruleset_name, rules),)`` unless a rule
    was too large for durable-rules and was cut (see :mod:`.limits`)."""
    alternatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """For a rule cut into several: the names of its parts (any one firing means it holds)."""

    def fired(self, rule: str, fired: AbstractSet[str]) -> bool:
        """True when ``rule`` (or one of the parts it was cut into) is in ``fired``."""
        return any(r in fired for r in self.alternatives.get(rule, (rule,)))

    def encode(self, sid: str, facts: Mapping[str, Any], reads: Iterable[str]) -> dict[str, Any]:
        """The durable fact for one subject: ``sid``, the sentinel and the encoded ``reads``."""
        out: dict[str, Any] = {"sid": sid, "seen__": 1}
        columns = self._columns
        for fact_id in reads:
            if fact_id in facts:
                column = columns.get(fact_id)
                if column is not None:
                    out[column[0]] = facts[fact_id] if column[1] is None else column[1](facts[fact_id])
                elif fact_id.startswith(_AWARD_READ):  # a verdict of this evaluation, as text
                    out["d_" + fact_id[len(_AWARD_READ):]] = facts[fact_id]
        if self.held and HISTORY in facts and AS_OF in facts:
            for held in self.held:
                held.encode(facts[HISTORY], facts[AS_OF], out)
        open_: set[str] = set()
        for plan in self.counts:
            records = facts.get(plan.fact)
            if records is not None and plan.encode(records, facts.get(AS_OF), out):
                open_.add(plan.column + "l")
        present = facts.keys()
        for guard, needs, fields in self._guarded:  # a read is missing: the "definitely false" rule may decide
            if not needs <= present or not open_.isdisjoint(fields):
                out[guard] = 1
        return out

    @cached_property
    def _columns(self) -> dict[str, tuple[str, Callable[[Any], Any] | None]]:
        """Per fact with an encoder, its column in the message and the encoder (None: posted as it is)."""
        return {f: ("f_" + f, None if e is _identity else e) for f, e in self.encoders.items()}

    @cached_property
    def _guarded(self) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
        """The criteria with a "definitely false" rule: its guard, what it reads and its lower-bound columns."""
        return tuple((c.guard, frozenset(c.reads), frozenset(c.record_fields)) for c in self.criteria if c.guard)

    def ruleset_json(self) -> str:
        """The rule set as canonical JSON (sorted keys), e.g. for golden-file tests."""
        return json.dumps({self.ruleset_name: self.rules}, sort_keys=True, ensure_ascii=False, indent=1)


@frozen
class CompiledCampaign:
    """A campaign compiled with fixed parameter values."""

    campaign: m.Campaign
    params: Mapping[str, float]
    awards: tuple[CompiledAward, ...]


def compile_campaign(campaign: m.Campaign, *, params: Mapping[str, float] | None = None,
                     fit: bool = True) -> CompiledCampaign:
    """Compile every award of ``campaign`` into a durable-rules rule set (as data).

    Args:
        campaign: a validated campaign.
        params: overrides of parameter defaults (e.g. ``{"many_individuals_min": 3}``).
        fit: cut the rules into rule sets durable-rules can hold (:mod:`.limits`, which may
            refuse with :class:`~.limits.DurableLimitError`); the polars scorer, which reads
            the conditions and not the rule sets, compiles without.

    Raises:
        CompileError: an unknown parameter override or a value it cannot encode.
    """
    campaign = lower(campaign)  # {unit: ...} read through unit__ facts
    values = campaign.parameter_defaults()
    kinds = {p.id: p.type for p in campaign.parameters}
    for key, value in (params or {}).items():
        if key not in values:
            raise CompileError(f"unknown parameter {key!r}; known: {', '.join(sorted(values)) or 'none'}")
        problem = m.parameter_problem(kinds[key], value)
        if problem is not None:
            raise CompileError(f"parameter {key!r} {problem}")
        values[key] = float(value)
    facts = {f.id: f for f in campaign.facts}
    awards = tuple(_Compiler(campaign, facts, values, fit=fit).award(a) for a in campaign.awards)
    return CompiledCampaign(campaign, dict(values), awards)


class _Compiler:
    def __init__(self, campaign: m.Campaign, facts: dict[str, m.FactDecl], params: dict[str, float],
                 *, fit: bool = True) -> None:
        self.fit = fit
        self.campaign = campaign
        self.facts = facts
        self.params = params
        self._reuse: Iterator[str] | None = None

    def award(self, award: m.Award) -> CompiledAward:
        self.counts: list[CountPlan] = []
        self.held: dict[str, HeldPlan] = {}
        self.subject = award.subject
        rules: dict[str, Expr] = {"seen": {"all": [{"m": {"seen__": 1}}]}}
        plans: list[CriterionPlan] = []
        for crit in award.criteria:
            reads: list[str] = []
            first_count = len(self.counts)
            expr = self.expr(crit.condition, negate=False, reads=reads)
            name = f"c__{crit.id}"
            rules[name] = {"all": [{"m": expr}]}
            made = self.counts[first_count:]
            columns = tuple(c.column + "l" for c in made)
            # the negation in negation normal form, reading the same count columns
            self._reuse = iter(columns)
            negated = self.expr(crit.condition, negate=True, reads=[])
            self._reuse = None
            guard = f"u__{len(plans)}"
            rules[f"n__{crit.id}"] = {"all": [{"m": {"$and": [{guard: 1}, negated]}}]}
            plans.append(CriterionPlan(
                crit, name, tuple(dict.fromkeys(reads)), describe(crit.condition, self.params),
                tuple(c.column + "l" for c in made if c.fn in ("count", "distinct")), f"n__{crit.id}", guard,
                columns))
        items: list[ItemPlan] = []
        if award.score_sheet is not None:
            for item in award.score_sheet.items:
                if item.condition is not None:
                    reads = []
                    expr = self.expr(item.condition, negate=False, reads=reads)
                    name = f"s__{item.id}"
                    rules[name] = {"all": [{"m": expr}]}
                    items.append(ItemPlan(item, name, tuple(dict.fromkeys(reads)),
                                          describe(item.condition, self.params)))
                else:
                    assert item.points_fact is not None
                    items.append(ItemPlan(item, None, (item.points_fact,),
                                          f"{item.points_fact} in [0, {item.max_points:g}]"))
        digest = hashlib.sha256(json.dumps(rules, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
        name = f"er_{self.campaign.id}__{award.id}__{digest}"
        used = {r for p in plans for r in p.reads} | {r for p in items for r in p.reads}
        encoders = {fid: _encoder(self.facts[fid]) for fid in used
                    if fid in self.facts and self.facts[fid].type != "records"}
        rulesets, alternatives = limits.fit(name, rules) if self.fit else (((name, rules),), {})
        return CompiledAward(award, name, rules, tuple(plans), tuple(items), tuple(self.counts),
                             encoders, tuple(self.held.values()), rulesets, alternatives)

    # expressions in negation normal form ------------------------------------------------------
    def expr(self, cond: Any, *, negate: bool, reads: list[str]) -> Expr:
        if isinstance(cond, m.AllOf | m.AnyOf):
            subs = cond.all if isinstance(cond, m.AllOf) else cond.any
            parts = [self.expr(s, negate=negate, reads=reads) for s in subs]
            conj = isinstance(cond, m.AllOf) != negate  # De Morgan
            return parts[0] if len(parts) == 1 else {("$and" if conj else "$or"): parts}
        if isinstance(cond, m.NotOf):
            return self.expr(cond.not_, negate=not negate, reads=reads)
        if isinstance(cond, m.Count | m.Aggregate):
            return self.records_expr(cond, negate=negate, reads=reads)
        if isinstance(cond, m.AwardRef):
            reads.append(_AWARD_READ + cond.award)
            want = (cond.verdict == "awarded") != negate  # not_awarded = anything decided but awarded
            return _cmp("d_" + cond.award, "==" if want else "!=", "awarded")
        if isinstance(cond, m.Held):
            return self.held_expr(cond, negate=negate, reads=reads)
        assert cond.fact is not None, "record fields only appear inside count.where"
        decl = self.facts[cond.fact]
        reads.append(decl.id)
        field_name = f"f_{decl.id}"
        enc = _encoder(decl)
        if isinstance(cond, m.AtLeast):
            return _cmp(field_name, "<" if negate else ">=", enc(cond.at_least))
        if isinstance(cond, m.OneOf):
            values = [enc(checked_threshold(decl, v)) for v in cond.in_]
            parts = [_cmp(field_name, "!=" if negate else "==", v) for v in values]
            return parts[0] if len(parts) == 1 else {("$and" if negate else "$or"): parts}
        assert isinstance(cond, m.Compare)
        if cond.param is not None:
            value: Any = self.threshold(None, cond.param)
        else:
            value = enc(checked_threshold(decl, cond.value))
        return _cmp(field_name, _FLIP[cond.op] if negate else cond.op, value)

    def records_expr(self, cond: m.Count | m.Aggregate, *, negate: bool, reads: list[str]) -> Expr:
        """A ``count`` or ``aggregate`` over its pre-aggregated bounds (see :class:`CountPlan`):
        surely true, or (negated) surely false."""
        spec = cond.count if isinstance(cond, m.Count) else cond.aggregate
        decl = self.facts[spec.fact if isinstance(spec, m.CountSpec) else spec.of]
        reads.append(decl.id)
        reads.extend(record_reads(cond, decl))
        if spec.within is not None:
            reads.append(AS_OF)
        fields = {f.id: f for f in decl.fields}
        reuse = self._reuse
        if reuse is not None:  # the negated rule reads the columns the positive one made
            name = next(reuse)[:-1]
        else:
            name = f"k{len(self.counts)}"
            where = _record_predicate(spec.where, fields) if spec.where is not None else _always
            by = None
            if spec.within is not None:
                by = spec.within.by or next(f.id for f in decl.fields if f.type == "date")
            if isinstance(spec, m.CountSpec):
                fn, key = ("count", None) if spec.distinct is None else ("distinct", spec.distinct)
            else:
                fn, key = spec.fn, spec.field
            limits = _blank_limits(fields[key]) if key is not None and fn not in ("count", "distinct") else (0.0, 0.0)
            self.counts.append(CountPlan(name, decl.id, fn, key, _member(where, by), limits, spec.within))
        if cond.param is not None:
            t: Any = self.params[cond.param]
        elif isinstance(spec, m.AggregateSpec) and spec.fn != "count" and spec.field is not None:
            t = checked_threshold(fields[spec.field], cond.value)
        else:
            t = float(cond.value or 0)  # type: ignore[arg-type]
        t = int(t) if isinstance(t, float | int) and float(t).is_integer() else t
        lo, hi = name + "l", name + "h"
        if not negate:
            body = {">=": [_cmp(lo, ">=", t)], ">": [_cmp(lo, ">", t)], "<=": [_cmp(hi, "<=", t)],
                    "<": [_cmp(hi, "<", t)], "==": [_cmp(lo, "==", t), _cmp(hi, "==", t)],
                    "!=": [{"$or": [_cmp(hi, "<", t), _cmp(lo, ">", t)]}]}[cond.op]
            if isinstance(spec, m.AggregateSpec) and spec.fn in ("min", "max"):
                body = [_cmp(name + "d", "==", 1), *body]
            return body[0] if len(body) == 1 else {"$and": body}
        never = {">=": _cmp(hi, "<", t), ">": _cmp(hi, "<=", t), "<=": _cmp(lo, ">", t), "<": _cmp(lo, ">=", t),
                 "==": {"$or": [_cmp(hi, "<", t), _cmp(lo, ">", t)]},
                 "!=": {"$and": [_cmp(lo, "==", t), _cmp(hi, "==", t)]}}[cond.op]
        if isinstance(spec, m.AggregateSpec) and spec.fn in ("min", "max"):
            return {"$or": [_cmp(name + "p", "==", 0), never]}
        return never

    def held_expr(self, cond: m.Held, *, negate: bool, reads: list[str]) -> Expr:
        """A ``held`` condition over its pre-aggregated columns (see :class:`HeldPlan`)."""
        reads.extend((HISTORY, AS_OF))
        for mode in ("each_of_last_years", "consecutive_years", "times_in_phase"):
            years = getattr(cond, mode)
            if years is not None:
                break
        column = f"h_{mode}_{years}_{cond.held}"
        self.held.setdefault(column, HeldPlan(column, cond.held, mode, years))
        if mode != "consecutive_years":  # every year of the window, or N distinct years
            return _cmp(column, "<" if negate else ">=", years)
        prior = _cmp(column, "<" if negate else ">=", years - 1)
        this_year = _cmp(column + "y", "==", 0 if negate else 1)
        other = next((a for a in self.campaign.awards if a.id == cond.held), None)
        if other is not None and other.subject == self.subject:  # this evaluation may award it
            reads.append(_AWARD_READ + cond.held)
            verdict = _cmp("d_" + cond.held, "!=" if negate else "==", "awarded")
            this_year = {"$and" if negate else "$or": [this_year, verdict]}
        rating = next((r for r in self.campaign.ratings if r.id == cond.held and r.fact is not None), None)
        if rating is not None and rating.fact is not None:  # year Y's rating, from the facts
            decl = self.facts[rating.fact]
            reads.append(decl.id)
            enc = _encoder(decl)
            tests = [_cmp("f_" + decl.id, "!=" if negate else "==", enc(v)) for v in rating.values]
            this_year = {"$and" if negate else "$or": [this_year, *tests]}
        return {"$or" if negate else "$and": [prior, this_year]}

    def threshold(self, value: Any, param: str | None) -> float:
        if param is not None:
            return self.params[param]
        assert value is not None
        return float(value)


MIN_MAGNITUDE = 1e-4
"""Smallest non-zero magnitude of a decimal value durable-rules can read (see durable_number)."""


def durable_number(value: float) -> int | float:
    """A number in a form durable-rules' JSON parser reads.

    durable-rules 2.0.28 fails (error 204) on JSON numbers written with an exponent and no
    decimal point, as Python writes ``1e+16`` or ``1e-05``. Integral values are sent as ints
    (exact below 2**53, and every double from 1e16 up is integral); non-integral values of
    magnitude >= 1e-4 never use an exponent. Smaller non-zero values are refused by
    :func:`~emulation_rules.facts.coerce_value` and here.

    Raises:
        CompileError: a non-zero value of magnitude below ``MIN_MAGNITUDE``.
    """
    if isinstance(value, bool | int):
        return value
    if value.is_integer():
        return int(value)
    if abs(value) < MIN_MAGNITUDE:
        raise CompileError(f"{value!r} is below the smallest magnitude durable-rules reads ({MIN_MAGNITUDE})")
    return value


def _cmp(field_name: str, op: str, value: Any) -> Expr:
    if isinstance(value, float):
        value = durable_number(value)
    if op == "==":
        return {field_name: value}
    return {_DURABLE_OP[op]: {field_name: value}}


def checked_threshold(decl: m.FactDecl | m.RecordField, value: Any) -> Any:
    coerced = coerce_threshold(decl, value)
    if type(coerced).__name__ == "_Bad":
        raise CompileError(f"{value!r} cannot be compared with {decl.type} {decl.id!r}")
    return coerced


def _encoder(decl: m.FactDecl | m.RecordField) -> Callable[[Any], Any]:
    if decl.type == "date":
        return lambda v: v.toordinal() if isinstance(v, dt.date) else dt.date.fromisoformat(v).toordinal()
    if decl.type == "ordered_enum":
        ranks = {v.id: i for i, v in enumerate(decl.values)}
        return lambda v: ranks[v]
    if decl.type in ("decimal", "percent"):
        return lambda v: durable_number(float(v))
    return _identity


def _identity(value: Any) -> Any:
    return value


def _always(_record: Mapping[str, Any]) -> bool | None:
    return True


def _blank_limits(f: m.RecordField) -> tuple[float, float]:
    """What a blank value of ``f`` may be (money and percent from 0, percent up to 100)."""
    lo = f.minimum if f.minimum is not None else 0.0 if f.type in ("money", "percent") else -math.inf
    hi = f.maximum if f.maximum is not None else 100.0 if f.type == "percent" else math.inf
    return lo, hi


def _member(where: Callable[[Mapping[str, Any]], bool | None], by: str | None
            ) -> Callable[[Mapping[str, Any], Any], bool | None]:
    """A record's membership (Kleene): its ``where`` and, with a window, its date ``by`` in the
    window's first and last day (a blank date: unknown)."""
    def member(r: Mapping[str, Any], dates: Any) -> bool | None:
        got = where(r)
        if got is False or by is None:
            return got
        day = r.get(by)
        inside = None if day is None else dates[0] <= day <= dates[1]
        if inside is False:
            return False
        return None if got is None or inside is None else True
    return member


def _posted(value: float) -> int | float:
    """A bound as durable reads it: ints as ints; a sum of decimals rounded off its float noise."""
    if isinstance(value, int):
        return value
    value = round(value, 9)
    return 0 if abs(value) < MIN_MAGNITUDE else durable_number(value)


def _record_predicate(cond: Any, fields: dict[str, m.RecordField]) -> RecordPredicate:
    """A Python predicate over one record, three-valued (used to pre-aggregate counts and
    aggregates for durable-rules): a blank field read gives None (unknown), and ``all``, ``any``
    and ``not`` are Kleene's."""
    if isinstance(cond, m.AllOf | m.AnyOf):
        subs = [_record_predicate(s, fields) for s in (cond.all if isinstance(cond, m.AllOf) else cond.any)]
        decisive = isinstance(cond, m.AnyOf)

        def junction(r: Mapping[str, Any]) -> bool | None:
            unknown = False
            for p in subs:  # the decisive value as soon as a part gives it
                got = p(r)
                if got == decisive:
                    return decisive
                unknown = unknown or got is None
            return None if unknown else not decisive
        return junction
    if isinstance(cond, m.NotOf):
        sub = _record_predicate(cond.not_, fields)

        def negation(r: Mapping[str, Any]) -> bool | None:
            got = sub(r)
            return None if got is None else not got
        return negation
    assert cond.field is not None
    decl = fields[cond.field]
    name = decl.id
    enc = _encoder(decl)
    if isinstance(cond, m.AtLeast):
        bound = enc(cond.at_least)
        return lambda r: None if r.get(name) is None else enc(r[name]) >= bound
    if isinstance(cond, m.OneOf):
        accepted = {checked_threshold(decl, v) for v in cond.in_}
        return lambda r: None if r.get(name) is None else r[name] in accepted
    assert isinstance(cond, m.Compare)
    if cond.value is None:
        raise CompileError("a record comparison needs a constant 'value'")
    target = enc(checked_threshold(decl, cond.value))
    test = _PY_OPS[cond.op]
    return lambda r: None if r.get(name) is None else bool(test(enc(r[name]), target))




_PY_OPS = m.OPS


