"""What a condition means, in plain Python: the one interpreter the python backend, targets
(populations, shares) and quotas share.

* Comparisons (``>=``, ``>``, ``<=``, ``<``, ``==``, ``!=``) compare the coerced value with the
  threshold (a constant of the fact's type, or a parameter); ordered enums compare by rank
  (lowest first), ``at_least`` is ``>=`` by rank, ``in`` is membership.
* ``count`` and ``aggregate`` read the records satisfying ``where`` (and a window), three-valued:
  a blank optional field inside a record is unknown, and the answer is decided only when every
  filling of the blanks gives it (:mod:`.record_sets`; the durable compiler and the polars scorer
  read records the same way, independently).
* ``{award: x}`` reads the verdict this evaluation gave award ``x`` for the same subject, under
  the synthetic key ``award:x`` (:func:`award_key`): absent while ``x`` is ``incomplete``;
  ``{held: t, ...}`` reads the subject's ``history`` (:mod:`emulation_rules.facts.history`)
  and the review's years (key ``as_of``, a :class:`~emulation_rules.facts.history.ReviewYears`):
  Y-N .. Y-1 for ``each_of_last_years``, Y-N+1 .. Y for ``consecutive_years`` (year Y also
  counts when this evaluation awards ``t``), distinct years of the judged phase up to Y for
  ``times_in_phase``. Backends add these keys to a subject's facts (:func:`synthetic_facts`).
* Three-valued (Kleene) logic over a subject whose facts may be missing (:func:`judge`):
  a leaf reading a missing fact is unknown (``None``); ``all`` is false if a branch is false,
  else unknown if a branch is unknown, else true; ``any`` is true if a branch is true, else unknown
  if a branch is unknown, else false; ``not`` swaps true and false and keeps unknown.

The durable compiler (:mod:`emulation_rules.evaluate.durable.compiler`) and the polars scorer
translate the same rules into their engines without using this module, so that the differential
tests compare independent readings.

Example:
    >>> from emulation_rules.campaign import model as m
    >>> fact = m.FactDecl.model_validate({"id": "score", "applies_to": "individual",
    ...     "type": "int", "label": {"vi": "Điểm", "en": "Score"}})
    >>> cond = m.Compare.model_validate({"fact": "score", "op": ">=", "value": 90})
    >>> judge(cond, {"score": 95}, {"score": fact}, {}), judge(cond, {}, {"score": fact}, {})
    (True, None)
    >>> describe(cond, {})
    'score ≥ 90'
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.money import plain_number
from emulation_rules.evaluate.comparison import Leaf, _const, leaf
from emulation_rules.evaluate.record_sets import bounds_of, compare_bounds, date_field

__all__ = [
    "AS_OF",
    "HISTORY",
    "award_key",
    "count_records",
    "counts_in",
    "describe",
    "fields_read",
    "held_years",
    "judge",
    "lacking",
    "leaf",
    "leaves",
    "rating_key",
    "reads",
    "record_reads",
    "record_spec",
    "record_threshold",
    "synthetic_decls",
    "synthetic_facts",
    "titles_used",
]

_OPS = m.OPS
_SYMBOL = m.OP_SYMBOLS

HISTORY = "history"
"""Synthetic read: the subject's titles held (absent when no history was submitted)."""
UNIT = "unit"
"""What a ``{unit: ...}`` condition reads outside an engine (there it reads ``unit__`` facts)."""
AS_OF = "as_of"
"""Synthetic read: the review's years (absent when there is no review date and no phase)."""
_AWARD = "award:"


def award_key(award_id: str) -> str:
    """The synthetic read holding this evaluation's verdict of ``award_id`` (``award:<id>``)."""
    return _AWARD + award_id


def synthetic_decls(campaign: m.Campaign) -> dict[str, m.FactDecl]:
    """Markers for the synthetic reads, to merge into the declarations given to :func:`judge`:
    ``award:<id>`` for every award (so a ``held`` title is known to be an award), ``history``
    and ``as_of``; ``rating:<id>`` for every declared rating read from a fact (the marker names
    that fact and, as its values, those meaning the rating)."""
    marker = m.FactDecl.new(id="verdict", applies_to="individual", type="enum",
                                        label=m.Text.new(vi="Kết quả", en="Verdict"))
    ratings = {rating_key(r.id): m.FactDecl.new(
        id=r.fact, applies_to=r.subject, type="enum", label=r.label,
        values=tuple(m.EnumValue.new(id=v, label=r.label) for v in r.values))
        for r in campaign.ratings if r.fact is not None}
    return {**{award_key(a.id): marker for a in campaign.awards}, HISTORY: marker, AS_OF: marker, **ratings}


def rating_key(rating_id: str) -> str:
    """The declaration marker of a rating read from a fact (:func:`synthetic_decls`)."""
    return "rating:" + rating_id


def synthetic_facts(
    history: Any, review: Any, verdicts: Mapping[str, str]
) -> dict[str, Any]:
    """The synthetic reads of one subject: ``history`` (if known), ``as_of`` (if Y is known) and
    ``award:<id>`` for each decided verdict (``incomplete`` ones are left out: unknown).

    Args:
        history: the subject's ``history`` tuple, or None.
        review: a ``ReviewYears``, or None.
        verdicts: ``{award id: verdict}`` of the awards judged so far for this subject.
    """
    out: dict[str, Any] = {award_key(a): v for a, v in verdicts.items() if v != "incomplete"}
    if history is not None:
        out[HISTORY] = history
    if review is not None and review.year is not None:
        out[AS_OF] = review
    return out


def held_years(history: Iterable[Any], title: str) -> set[int]:
    """The distinct years ``history`` holds ``title``."""
    return {h.year for h in history if h.title == title}


def titles_used(cond: m.Held, history: Iterable[Any], review: Any) -> str:
    """The history entries a ``held`` condition looks at, in words (for explanations):
    ``'lao_dong_tien_tien 2023 (Giám đốc), 2024 (of 2023-2024)'``, or
    ``'lao_dong_tien_tien: none in 2023-2024'``: the years the window reads are named."""
    lo, hi = _window(cond, review)
    hits = sorted((h for h in history if h.title == cond.held and lo <= h.year <= hi),
                  key=lambda h: h.year)
    if not hits:
        return f"{cond.held}: none in {lo}-{hi}"
    years = ", ".join(f"{h.year}" + (f" ({h.decided_by})" if h.decided_by else "") for h in hits)
    return f"{cond.held} {years} (of {lo}-{hi})"


def _window(cond: m.Held, review: Any) -> tuple[int, int]:
    """Inclusive years a ``held`` condition reads."""
    y = review.year
    if cond.each_of_last_years is not None:
        return y - cond.each_of_last_years, y - 1
    if cond.consecutive_years is not None:
        return y - cond.consecutive_years + 1, y
    return review.phase_first, min(review.phase_last, y)


def _held(cond: m.Held, facts: Mapping[str, Any], decls: Mapping[str, Any],
          missing: list[str] | None) -> bool | None:
    lacking = [k for k in (HISTORY, AS_OF) if k not in facts]
    review: Any = facts.get(AS_OF)
    if not lacking and cond.times_in_phase is not None and review.phase_first is None:
        lacking = [AS_OF]  # no phase is judged
    if lacking:
        if missing is not None:
            missing.extend(lacking)
        return None
    years = held_years(facts[HISTORY], cond.held)
    lo, hi = _window(cond, review)
    if cond.times_in_phase is not None:
        return len({y for y in years if lo <= y <= hi}) >= cond.times_in_phase
    if cond.each_of_last_years is not None:
        return all(y in years for y in range(lo, hi + 1))
    if not all(y in years for y in range(lo, hi)):  # consecutive: the years before Y
        return False
    if hi in years:
        return True
    rating = decls.get(rating_key(cond.held))
    if rating is not None:  # the review year's rating, from the submitted facts
        if rating.id not in facts:
            if missing is not None:
                missing.append(rating.id)
            return None
        return facts[rating.id] in {v.id for v in rating.values}
    key = award_key(cond.held)
    if key not in decls:  # not an award of this campaign: the history alone decides
        return False
    if key not in facts:
        if missing is not None:
            missing.append(key)
        return None
    return bool(facts[key] == "awarded")




def judge(
    cond: m.Condition,
    facts: Mapping[str, Any],
    decls: Mapping[str, m.FactDecl],
    params: Mapping[str, float],
    missing: list[str] | None = None,
) -> bool | None:
    """Kleene truth of ``cond`` over one subject's facts: ``True``, ``False`` or ``None``.

    Args:
        cond: a condition of the campaign model.
        facts: the subject's coerced facts, ``{fact id: value}`` (absent = not submitted).
        decls: the campaign's fact declarations by id.
        params: parameter values in force.
        missing: if given, receives the facts whose absence made the answer unknown (only those
            of branches that mattered: nothing is added when the answer is decided).

    Returns:
        ``True``/``False`` when decided, ``None`` when a missing fact leaves it open.
    """
    if isinstance(cond, m.AllOf | m.AnyOf):
        parts = cond.all if isinstance(cond, m.AllOf) else cond.any
        decisive = isinstance(cond, m.AnyOf)
        local: list[str] = []
        vals = [judge(c, facts, decls, params, local) for c in parts]
        if decisive in vals:
            return decisive
        if None in vals:
            if missing is not None:
                missing.extend(local)
            return None
        return not decisive
    if isinstance(cond, m.NotOf):
        got = judge(cond.not_, facts, decls, params, missing)
        return None if got is None else not got
    if isinstance(cond, m.AwardRef):
        key = award_key(cond.award)
        if key not in facts:
            if missing is not None:
                missing.append(key)
            return None
        awarded = facts[key] == "awarded"
        return awarded if cond.verdict == "awarded" else not awarded
    if isinstance(cond, m.Held):
        return _held(cond, facts, decls, missing)
    if isinstance(cond, m.OfUnit | m.LevelIn):  # read through unit__ facts (evaluate.units.lower)
        if missing is not None:
            missing.append(UNIT)
        return None
    if isinstance(cond, m.Count | m.Aggregate):
        spec, fact_id = record_spec(cond)
        if fact_id not in facts:
            if missing is not None:
                missing.append(fact_id)
            return None
        decl = decls[fact_id]
        bounds = bounds_of(spec, decl, facts[fact_id], facts.get(AS_OF))
        if bounds is None:  # a window with no review year
            if missing is not None:
                missing.append(AS_OF)
            return None
        got = compare_bounds(cond.op, bounds, record_threshold(cond, decl, params))
        if got is None and missing is not None:
            missing.extend(r for r in record_reads(cond, decl) if lacking(r, facts))
        return got
    fact_id = cond.fact or ""
    if fact_id not in facts:
        if missing is not None:
            missing.append(fact_id)
        return None
    return leaf(cond, decls[fact_id], facts[fact_id], params)


def record_spec(cond: m.Count | m.Aggregate) -> tuple[m.CountSpec | m.AggregateSpec, str]:
    """The spec of a ``count`` or ``aggregate`` and the records fact it reads."""
    if isinstance(cond, m.Count):
        return cond.count, cond.count.fact
    return cond.aggregate, cond.aggregate.of


def record_threshold(cond: m.Count | m.Aggregate, decl: m.FactDecl, params: Mapping[str, float]) -> float:
    """The threshold of a ``count`` or ``aggregate``, as a number (money as written: its đồng)."""
    if cond.param is not None:
        return params[cond.param]
    spec = cond.aggregate if isinstance(cond, m.Aggregate) else None
    if spec is not None and spec.fn != "count" and spec.field is not None:
        fields = {f.id: f for f in decl.fields}
        return _const(fields[spec.field], cond.value)  # type: ignore[no-any-return]
    return float(cond.value or 0)  # type: ignore[arg-type]


def record_reads(cond: m.Count | m.Aggregate, decl: m.FactDecl) -> list[str]:
    """The optional record fields a ``count`` or ``aggregate`` reads, as ``<fact>.<field>``
    (in order: ``where``, then ``distinct`` or ``field``, then the window's date): a blank one
    may leave it unknown, and is then listed as missing."""
    spec, fact_id = record_spec(cond)
    names = fields_read(spec.where) if spec.where is not None else []
    other = spec.distinct if isinstance(spec, m.CountSpec) else spec.field
    if other is not None:
        names.append(other)
    if spec.within is not None:
        names.append(date_field(decl, spec.within))
    optional = {f.id for f in decl.fields if not f.required}
    return [f"{fact_id}.{n}" for n in dict.fromkeys(names) if n in optional]


def lacking(read: str, facts: Mapping[str, Any]) -> bool:
    """Whether a read is missing for a subject: a fact not submitted, or (``<fact>.<field>``) a
    record of a submitted records fact with that field blank."""
    fact_id, dot, field = read.partition(".")
    if not dot:
        return read not in facts
    return fact_id in facts and any(r.get(field) is None for r in facts[fact_id])


def count_records(spec: m.CountSpec, records: Iterable[Mapping[str, Any]], decl: m.FactDecl) -> int:
    """How many records surely satisfy ``spec.where`` (or how many distinct ``spec.distinct``
    values they surely have); 0 for a window, whose years need a review."""
    bounds = bounds_of(spec, decl, records, None)
    return 0 if bounds is None else int(bounds.lo)


def reads(cond: m.Condition, awards: Container[str] = (),
          decls: Mapping[str, m.FactDecl] | None = None) -> list[str]:
    """Facts a condition reads, first occurrence first, with the synthetic reads (``award:<id>``,
    ``history``, ``as_of``; ``award:<title>`` for ``consecutive_years`` when the title is one of
    ``awards``); with ``decls``, a records fact is followed by the optional fields it reads
    (:func:`record_reads`) and, for a window, ``as_of``."""
    out: list[str] = []

    def walk(c: m.Condition) -> None:
        if isinstance(c, m.AllOf):
            for s in c.all:
                walk(s)
        elif isinstance(c, m.AnyOf):
            for s in c.any:
                walk(s)
        elif isinstance(c, m.NotOf):
            walk(c.not_)
        elif isinstance(c, m.Count | m.Aggregate):
            spec, fact_id = record_spec(c)
            out.append(fact_id)
            if decls is not None and fact_id in decls:
                out.extend(record_reads(c, decls[fact_id]))
            if spec.within is not None:
                out.append(AS_OF)
        elif isinstance(c, m.AwardRef):
            out.append(award_key(c.award))
        elif isinstance(c, m.Held):
            out.extend((HISTORY, AS_OF))
            if c.consecutive_years is not None and c.held in awards:
                out.append(award_key(c.held))
            rating = decls.get(rating_key(c.held)) if decls is not None else None
            if c.consecutive_years is not None and rating is not None:
                out.append(rating.id)
        elif isinstance(c, m.OfUnit | m.LevelIn):
            out.append(UNIT)
        elif c.fact is not None:
            out.append(c.fact)

    walk(cond)
    return list(dict.fromkeys(out))


def leaves(cond: Any) -> list[Any]:
    """The leaves of a condition (everything under ``all``/``any``/``not``), in order."""
    if isinstance(cond, m.AllOf):
        return [x for s in cond.all for x in leaves(s)]
    if isinstance(cond, m.AnyOf):
        return [x for s in cond.any for x in leaves(s)]
    if isinstance(cond, m.NotOf):
        return leaves(cond.not_)
    return [cond]


def counts_in(cond: m.Condition) -> list[m.Count]:
    """The ``count`` leaves of a condition, in order."""
    return [k for k in leaves(cond) if isinstance(k, m.Count)]


def describe(cond: m.Condition, params: Mapping[str, float]) -> str:
    """A condition in words, as every backend shows it (e.g. ``union_rating ≥ strong``)."""
    if isinstance(cond, m.AllOf | m.AnyOf):
        subs, word = (cond.all, " and ") if isinstance(cond, m.AllOf) else (cond.any, " or ")
        parts = [describe(s, params) for s in subs]
        return word.join(f"({p})" if " and " in p or " or " in p else p for p in parts)
    if isinstance(cond, m.NotOf):
        return f"not ({describe(cond.not_, params)})"
    if isinstance(cond, m.Count):
        spec = cond.count
        what = f"distinct {spec.distinct} of {spec.fact}" if spec.distinct else spec.fact
        where = f" where {describe(spec.where, params)}" if spec.where is not None else ""
        bound = _bound_text(cond.value, cond.param, params)
        return f"count({what}{where}{_within_text(spec.within)}) {_SYMBOL[cond.op]} {bound}"
    if isinstance(cond, m.Aggregate):
        agg = cond.aggregate
        what = agg.of if agg.fn == "count" else f"{agg.field} of {agg.of}"
        where = f" where {describe(agg.where, params)}" if agg.where is not None else ""
        bound = _bound_text(cond.value, cond.param, params)
        return f"{agg.fn}({what}{where}{_within_text(agg.within)}) {_SYMBOL[cond.op]} {bound}"
    if isinstance(cond, m.AwardRef):
        return f"{cond.award} {'awarded' if cond.verdict == 'awarded' else 'not awarded'}"
    if isinstance(cond, m.Held):
        if cond.each_of_last_years is not None:
            return f"held {cond.held} in each of the last {cond.each_of_last_years} years"
        if cond.consecutive_years is not None:
            return f"held {cond.held} {cond.consecutive_years} consecutive years up to the review year"
        return f"held {cond.held} ≥ {cond.times_in_phase} times in the phase"
    if isinstance(cond, m.OfUnit):
        return f"unit: ({describe(cond.unit, params)})"
    if isinstance(cond, m.LevelIn):
        return f"level ∈ {{{', '.join(cond.level)}}}"
    name = cond.fact or cond.field
    if isinstance(cond, m.AtLeast):
        return f"{name} ≥ {cond.at_least}"
    if isinstance(cond, m.OneOf):
        return f"{name} ∈ {{{', '.join(_text(v) for v in cond.in_)}}}"
    return f"{name} {_SYMBOL[cond.op]} {_bound_text(cond.value, cond.param, params)}"


def _within_text(window: m.Window | None) -> str:
    if window is None:
        return ""
    by = f"{window.by} " if window.by else ""
    if window.review_year:
        return f", {by}in the review year"
    if window.last_years is not None:
        return f", {by}in the last {window.last_years} review years"
    return f", {by}in the years of held {window.held}"


def _bound_text(value: Any, param: str | None, params: Mapping[str, float]) -> str:
    if param is not None:
        return f"{param} (= {_text(params.get(param))})"
    return _text(value)


def fields_read(cond: m.Condition) -> list[str]:
    """Record fields a ``where`` condition reads, in order (with repeats)."""
    return [c.field for c in leaves(cond) if isinstance(c, Leaf) and c.field]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return plain_number(value)  # never 8e+07
    return str(value)
