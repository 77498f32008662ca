"""What a condition over records means (``count`` and ``aggregate``), three-valued, in plain Python:
the reading of :mod:`.semantics` (the python backend, targets, quotas).

A record *may* belong to the set a condition reads: its ``where`` (Kleene over its fields, a blank
field unknown) and its window (:class:`~emulation_rules.campaign.model.Window`: its date in the
review years, a blank date unknown) give true, false or unknown. With D the records that surely
belong and P those that may (D ⊆ P), an aggregate lies in an interval:

* ``count``: [|D|, |P|]; distinct values of a field: [values in D (at least 1 if D has only
  blanks), values in P + blanks in P];
* ``sum``: each record of D adds its value, or for a blank any value its field allows
  ([minimum, maximum]: money and percent from 0, percent up to 100, else the declared bounds,
  unbounded without them); a record of P not in D adds 0 or that;
* ``max``: from the largest lowest value in D (or the smallest in P when D is empty) to the
  largest highest value in P; ``min`` likewise; with D empty the set may be empty, and an empty
  set's min or max is undefined (every comparison false): the answer is then false or unknown.

The comparison with the threshold is true (false) when it holds (fails) over the whole interval,
else unknown. Filling a blank only narrows the interval, so it never undoes a decision.

Example:
    >>> compare_bounds(">=", Bounds(2, 5), 2), compare_bounds(">=", Bounds(1, 5), 2)
    (True, None)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.memo import kept_for_pair
from emulation_rules.evaluate.comparison import _const, leaf  # the one reading of a comparison
from emulation_rules.facts.history import ReviewYears
from emulation_rules.frozen import frozen

__all__ = ["Bounds", "bounds_of", "compare_bounds", "date_field", "kleene", "kleene_not", "record_truth",
           "window_dates"]

INF = math.inf


@frozen
class Bounds:
    """Where an aggregate lies: ``lo`` .. ``hi`` (infinite when a blank is unbounded);
    ``maybe_empty``/``empty``: the set of a min or max may be / is empty (undefined)."""

    lo: float
    hi: float
    maybe_empty: bool = False
    empty: bool = False


def compare_bounds(op: str, b: Bounds, threshold: float) -> bool | None:
    """Kleene truth of ``aggregate op threshold`` for an aggregate within ``b``."""
    if b.empty:
        return False
    lo, hi, t = b.lo, b.hi, threshold
    surely, never = {
        ">=": (lo >= t, hi < t), ">": (lo > t, hi <= t), "<=": (hi <= t, lo > t),
        "<": (hi < t, lo >= t), "==": (lo == hi == t, t < lo or t > hi),
        "!=": (t < lo or t > hi, lo == hi == t),
    }[op]
    if never:
        return False
    if surely and not b.maybe_empty:
        return True
    return None


def date_field(decl: m.FactDecl, window: m.Window) -> str:
    """The date field a window places records by: ``by``, else the records' only date field."""
    if window.by is not None:
        return window.by
    return next(f.id for f in decl.fields if f.type == "date")


def window_dates(window: m.Window, review: ReviewYears | None) -> tuple[dt.date, dt.date] | None:
    """First and last day of the years ``window`` reads, or None when they are not known (no
    review year, or a phase's years without a phase)."""
    if review is None or review.year is None:
        return None
    y = review.year
    if window.review_year:
        return review.dates(y, y)
    if window.last_years is not None:
        return review.dates(y - window.last_years + 1, y)
    held: m.Held | None = window._held_window
    if held is None:
        return None
    if held.each_of_last_years is not None:
        return review.dates(y - held.each_of_last_years, y - 1)
    if held.consecutive_years is not None:
        return review.dates(y - held.consecutive_years + 1, y)
    if review.phase_first is None:
        return None
    return review.dates(review.phase_first, min(review.phase_last or y, y))


def record_truth(cond: Any, fields: Mapping[str, m.RecordField], record: Mapping[str, Any]) -> bool | None:
    """Kleene truth of a ``where`` over one record: a blank field read is unknown.

    The condition is turned once into a function of the record (kept per condition object),
    which is what every record of every subject then runs."""
    return _kept_predicate(cond, fields)(record)


def _kept_predicate(cond: Any, fields: Mapping[str, m.RecordField]) -> Predicate:
    hit = _PREDICATES.get(id(cond))
    if hit is None or hit[0] is not cond:
        if len(_PREDICATES) >= _PREDICATES_MAX:
            _PREDICATES.clear()
        hit = _PREDICATES[id(cond)] = (cond, _predicate(cond, fields))
    return hit[1]


Predicate = Callable[[Mapping[str, Any]], "bool | None"]
_PREDICATES: dict[int, tuple[Any, Predicate]] = {}
_PREDICATES_MAX = 4096


def kleene(parts: tuple[Callable[[Any], bool | None], ...], *, decisive: bool) -> Callable[[Any], bool | None]:
    """Kleene's ``any`` (``decisive`` True) or ``all`` (False) of functions of one input: the
    decisive value as soon as a part gives it, else unknown if a part is unknown."""

    def combined(given: Any) -> bool | None:
        unknown = False
        for part in parts:
            got = part(given)
            if got is decisive:
                return decisive
            unknown = unknown or got is None
        return None if unknown else not decisive

    return combined


def kleene_not(inner: Callable[[Any], bool | None]) -> Callable[[Any], bool | None]:
    """Kleene's ``not`` of a function of one input: unknown stays unknown."""

    def negated(given: Any) -> bool | None:
        got = inner(given)
        return None if got is None else not got

    return negated


def _predicate(cond: Any, fields: Mapping[str, m.RecordField]) -> Predicate:
    """``cond`` as a function of one record, with the same three-valued answers as reading it
    node by node: ``all``/``any`` are Kleene's, ``not`` keeps unknown, a blank field is unknown."""
    if isinstance(cond, m.AllOf | m.AnyOf):
        parts = tuple(_predicate(s, fields) for s in (cond.all if isinstance(cond, m.AllOf) else cond.any))
        return kleene(parts, decisive=isinstance(cond, m.AnyOf))
    if isinstance(cond, m.NotOf):
        return kleene_not(_predicate(cond.not_, fields))
    name = cond.field
    decl = fields.get(name)
    if isinstance(cond, m.Compare) and cond.param is None and decl is not None and decl.type != "ordered_enum":
        op, bound = m.OPS[cond.op], _const(decl, cond.value)

        def compared(record: Mapping[str, Any]) -> bool | None:
            value = record.get(name)
            return None if value is None else bool(op(value, bound))

        return compared
    if isinstance(cond, m.OneOf) and decl is not None:
        allowed = frozenset(_const(decl, v) for v in cond.in_)

        def one_of(record: Mapping[str, Any]) -> bool | None:
            value = record.get(name)
            return None if value is None else value in allowed

        return one_of

    def read(record: Mapping[str, Any]) -> bool | None:  # the general reading of a leaf
        value = record.get(name)
        return None if value is None else leaf(cond, fields[name], value, {})

    return read


def _limits(f: m.RecordField) -> tuple[float, float]:
    """What a blank value of ``f`` may be."""
    lo = f.minimum if f.minimum is not None else 0.0 if f.type in ("money", "percent") else -INF
    hi = f.maximum if f.maximum is not None else 100.0 if f.type == "percent" else INF
    return lo, hi


Member = Callable[[Mapping[str, Any], "tuple[dt.date, dt.date] | None"], "bool | None"]


def _member_of(spec: Any, decl: m.FactDecl) -> Member:
    """Whether a record belongs to the records ``spec`` reads (Kleene): its ``where`` and, with a
    window, its date in the window's first and last day (a blank date: unknown). Made once per
    ``spec`` of the loaded campaign and ``decl``, its records fact (:func:`kept_for_pair`)."""
    member: Member = kept_for_pair(spec, decl, _member)
    return member


def _member(spec: Any, decl: m.FactDecl) -> Member:
    where = None if spec.where is None else _kept_predicate(spec.where, fields_of(decl))
    by = None if spec.within is None else date_field(decl, spec.within)

    def member(record: Mapping[str, Any], dates: tuple[dt.date, dt.date] | None) -> bool | None:
        got = True if where is None else where(record)
        if got is False or by is None:
            return got
        assert dates is not None
        day = record.get(by)
        inside = None if day is None else dates[0] <= day <= dates[1]
        return False if inside is False else None if None in (got, inside) else True

    return member


_FIELDS: dict[int, tuple[m.FactDecl, Mapping[str, m.RecordField]]] = {}


def fields_of(decl: m.FactDecl) -> Mapping[str, m.RecordField]:
    """``{field id: field}`` of a records fact, kept per declaration of the loaded campaign."""
    hit = _FIELDS.get(id(decl))
    if hit is None or hit[0] is not decl:
        if len(_FIELDS) >= _PREDICATES_MAX:
            _FIELDS.clear()
        hit = _FIELDS[id(decl)] = (decl, {f.id: f for f in decl.fields})
    return hit[1]


def bounds_of(spec: m.CountSpec | m.AggregateSpec, decl: m.FactDecl, records: Iterable[Mapping[str, Any]],
              review: Any) -> Bounds | None:
    """The interval a ``count`` or ``aggregate`` lies in over ``records``; None when its window's
    years are not known."""
    dates = window_dates(spec.within, review) if spec.within is not None else None
    if spec.within is not None and dates is None:
        return None
    member = _member_of(spec, decl)
    sure: list[Mapping[str, Any]] = []
    maybe: list[Mapping[str, Any]] = []
    for r in records:
        got = member(r, dates)
        if got is not False:
            (sure if got else maybe).append(r)
    if isinstance(spec, m.CountSpec):
        if spec.distinct is None:
            return Bounds(len(sure), len(sure) + len(maybe))
        key = spec.distinct
        seen = {r[key] for r in sure if r.get(key) is not None}
        lo = len(seen) or (1 if any(r.get(key) is None for r in sure) else 0)
        every = sure + maybe
        return Bounds(lo, len({r[key] for r in every if r.get(key) is not None})
                      + sum(1 for r in every if r.get(key) is None))
    if spec.fn == "count":
        return Bounds(len(sure), len(sure) + len(maybe))
    assert spec.field is not None
    low, high = _limits(fields_of(decl)[spec.field])

    def span(r: Mapping[str, Any]) -> tuple[float, float]:
        v = r.get(spec.field)  # type: ignore[arg-type]
        return (low, high) if v is None else (v, v)

    if spec.fn == "sum":
        return Bounds(sum(span(r)[0] for r in sure) + sum(min(0, span(r)[0]) for r in maybe),
                      sum(span(r)[1] for r in sure) + sum(max(0, span(r)[1]) for r in maybe))
    every = sure + maybe
    if not every:
        return Bounds(0, 0, True, True)
    if spec.fn == "max":
        top = max(span(r)[0] for r in sure) if sure else min(span(r)[0] for r in every)
        return Bounds(top, max(span(r)[1] for r in every), not sure)
    least = min(span(r)[1] for r in sure) if sure else max(span(r)[1] for r in every)
    return Bounds(min(span(r)[0] for r in every), least, not sure)
