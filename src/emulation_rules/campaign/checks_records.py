"""Checks of the conditions over records (``aggregate``, record windows) and of declared yearly
ratings: part of the semantic checks of :mod:`.checks`, which calls these with itself."""

from __future__ import annotations

from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.campaign.dependencies import leaves_with_paths

PathT = tuple[Any, ...]
_NUMERIC = {"int", "money", "decimal", "percent"}

__all__ = ["check_aggregate", "check_ratings", "check_window"]


def check_aggregate(chk: Any, cond: m.Aggregate, path: PathT, kind: str, records: m.FactDecl | None) -> None:
    spec, where = cond.aggregate, (*path, "aggregate")
    if records is not None:
        chk.add("bad-compare", "'aggregate' cannot be nested inside 'where'", where)
        return
    decl = chk._fact(spec.of, (*where, "of"), kind)
    chk._threshold_param(cond.param, cond.value, path, allow_value_none=False)
    if decl is None:
        return
    if decl.type != "records":
        chk.add("not-records", f"fact {decl.id!r} is {decl.type}, not records", (*where, "of"))
        return
    fields = {f.id: f for f in decl.fields}
    if spec.fn == "count":
        if spec.field is not None:
            chk.add("bad-compare", "'count' counts records: leave 'field' out", (*where, "field"))
        elif cond.value is not None and (not isinstance(cond.value, int) or isinstance(cond.value, bool)):
            chk.add("type-mismatch", f"{cond.value!r} is not a count", (*path, "value"))
    elif spec.field is None:
        chk.add("missing-key", f"'{spec.fn}' needs 'field': the record field it reads", where)
    elif spec.field not in fields:
        chk.unknown("unknown-field", "field", spec.field, decl.fields, (*where, "field"),
                     f" in the records of {decl.id!r}")
    elif fields[spec.field].type not in _NUMERIC:
        chk.add("type-mismatch", f"'{spec.fn}' needs a number; field {spec.field!r} is "
                 f"{fields[spec.field].type}", (*where, "field"))
    elif cond.value is not None:
        chk._value(fields[spec.field], cond.value, (*path, "value"))
    if spec.where is not None:
        chk._condition(spec.where, (*where, "where"), kind, decl)
    if spec.within is not None:
        check_window(chk, spec.within, decl, (*where, "within"))


def check_window(chk: Any, w: m.Window, decl: m.FactDecl, path: PathT) -> None:
    """``within``: one way of choosing years, a date field of the records, and for ``held``
    a ``held`` condition on that title in the same criterion."""
    given = [k for k in ("review_year", "last_years", "held") if getattr(w, k) not in (None, False)]
    if len(given) != 1:
        chk.add("bad-compare", "give exactly one of 'review_year: true', 'last_years', 'held' "
                 f"(got {', '.join(given) or 'none'})", path)
    dates = [f for f in decl.fields if f.type == "date"]
    if w.by is not None and w.by not in {f.id for f in dates}:
        chk.unknown("unknown-field", "date field", w.by, dates, (*path, "by"),
                     f" in the records of {decl.id!r}")
    elif w.by is None and len(dates) != 1:
        chk.add("missing-key", f"the records of {decl.id!r} have {len(dates)} date fields: say "
                 f"which one places a record in the window with 'by'", path)
    crit = chk._criterion
    if w.held is not None and (crit is None or not any(
            isinstance(h, m.Held) and h.held == w.held for h, _ in leaves_with_paths(crit.condition))):
        chk.add("bad-compare", f"no 'held: {w.held}' condition in this criterion gives the years "
                 "(a window 'held' reads the years of one, in an award's criterion)", (*path, "held"))


def check_ratings(chk: Any) -> None:
    """Declared yearly ratings: unique ids, and the fact (if any) an enum of their subjects
    holding the values named."""
    chk._unique("ratings", chk.c.ratings)
    for i, r in enumerate(chk.c.ratings):
        path: PathT = ("ratings", i)
        if r.fact is None:
            if r.values:
                chk.add("bad-compare", "'values' are read from a 'fact': name it", (*path, "values"))
            continue
        decl = chk._fact(r.fact, (*path, "fact"), r.subject)
        if decl is None:
            continue
        if decl.type not in ("enum", "ordered_enum") or not r.values:
            chk.add("type-mismatch", f"a rating reads values of an enum fact: {decl.id!r} is "
                     f"{decl.type}" if decl.type not in ("enum", "ordered_enum") else
                     "name the fact's 'values' that mean this rating", (*path, "fact"))
            continue
        for j, v in enumerate(r.values):
            chk._value(decl, v, (*path, "values", j))
