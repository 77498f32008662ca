"""What a condition means, in plain Python: the one interpreter the python backend, targets
(populations, shares) and quotas share.

* Comparisons (``>=``, ``>``, ``<=``, ``<``, ``==``, ``!=``) compare the coerced value with the
  threshold (a constant of the fact's type, or a parameter); ordered enums compare by rank
  (lowest first), ``at_least`` is ``>=`` by rank, ``in`` is membership.
* ``count`` counts the records satisfying ``where``, or the distinct values of a field among them;
  a record lacking a field a comparison reads does not match, and ``not`` matches only records
  having every field it reads (the durable compiler and the polars scorer read records the same
  way, independently).
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

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from emulation_rules.campaign import model as m

__all__ = [
    "count_records",
    "counts_in",
    "describe",
    "fields_read",
    "judge",
    "leaf",
    "reads",
    "record_matches",
]

_OPS = m.OPS
_SYMBOL = m.OP_SYMBOLS

Decl = m.FactDecl | m.RecordField
Leaf = m.Compare | m.AtLeast | m.OneOf
"""A comparison of one fact or record field with a threshold."""


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
    if isinstance(cond, m.Count):
        fact_id = cond.count.fact
        if fact_id not in facts:
            if missing is not None:
                missing.append(fact_id)
            return None
        n = count_records(cond.count, facts[fact_id], decls[fact_id])
        bound = params[cond.param] if cond.param is not None else float(cond.value or 0)
        return bool(_OPS[cond.op](n, bound))
    fact_id = cond.fact or ""
    if fact_id not in facts:
        if missing is not None:
            missing.append(fact_id)
        return None
    return leaf(cond, decls[fact_id], facts[fact_id], params)


def count_records(spec: m.CountSpec, records: Iterable[Mapping[str, Any]], decl: m.FactDecl) -> int:
    """How many records satisfy ``spec.where`` (or how many distinct ``spec.distinct`` values)."""
    fields = {f.id: f for f in decl.fields}
    hits = [r for r in records if spec.where is None or record_matches(spec.where, fields, r)]
    if spec.distinct is None:
        return len(hits)
    return len({r[spec.distinct] for r in hits if spec.distinct in r})


def leaf(cond: Leaf, decl: Decl, value: Any, params: Mapping[str, float]) -> bool:
    """A comparison, ``at_least`` or ``in`` on one present value."""
    ordered = decl.type == "ordered_enum"
    if isinstance(cond, m.AtLeast):
        return _rank(decl, value) >= _rank(decl, cond.at_least)
    if isinstance(cond, m.OneOf):
        return value in {_const(decl, v) for v in cond.in_}
    bound = params[cond.param] if cond.param is not None else _const(decl, cond.value)
    if ordered and isinstance(bound, str):
        return bool(_OPS[cond.op](_rank(decl, value), _rank(decl, bound)))
    return bool(_OPS[cond.op](value, bound))


def record_matches(cond: m.Condition, fields: Mapping[str, m.RecordField], record: Mapping[str, Any]) -> bool:
    """Whether one record satisfies a ``where``; lacking a field read means no match."""
    if isinstance(cond, m.AllOf):
        return all(record_matches(s, fields, record) for s in cond.all)
    if isinstance(cond, m.AnyOf):
        return any(record_matches(s, fields, record) for s in cond.any)
    if isinstance(cond, m.NotOf):
        return all(f in record for f in fields_read(cond.not_)) and not record_matches(
            cond.not_, fields, record
        )
    if isinstance(cond, m.Count) or cond.field is None or cond.field not in record:
        return False  # a count has no meaning inside a record (refused by the loader)
    return leaf(cond, fields[cond.field], record[cond.field], {})


def reads(cond: m.Condition) -> list[str]:
    """Facts a condition reads, first occurrence first."""
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
        elif isinstance(c, m.Count):
            out.append(c.count.fact)
        elif c.fact is not None:
            out.append(c.fact)

    walk(cond)
    return list(dict.fromkeys(out))


def counts_in(cond: m.Condition) -> list[m.Count]:
    """The ``count`` leaves of a condition, in order."""
    if isinstance(cond, m.AllOf):
        return [k for s in cond.all for k in counts_in(s)]
    if isinstance(cond, m.AnyOf):
        return [k for s in cond.any for k in counts_in(s)]
    if isinstance(cond, m.NotOf):
        return counts_in(cond.not_)
    return [cond] if isinstance(cond, m.Count) else []


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
        return f"count({what}{where}) {_SYMBOL[cond.op]} {bound}"
    name = cond.fact or cond.field
    if isinstance(cond, m.AtLeast):
        return f"{name} ≥ {cond.at_least}"
    if isinstance(cond, m.OneOf):
        return f"{name} ∈ {{{', '.join(_text(v) for v in cond.in_)}}}"
    return f"{name} {_SYMBOL[cond.op]} {_bound_text(cond.value, cond.param, params)}"


def _bound_text(value: Any, param: str | None, params: Mapping[str, float]) -> str:
    if param is not None:
        return f"{param} (= {_text(params.get(param))})"
    return _text(value)


def _rank(decl: Decl, value: str) -> int:
    return [v.id for v in decl.values].index(value)


def _const(decl: Decl, value: Any) -> Any:
    """A threshold constant as the type of ``decl`` (ISO text for dates)."""
    if decl.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if decl.type in ("decimal", "percent") and not isinstance(value, bool):
        return float(value)
    return value


def fields_read(cond: m.Condition) -> list[str]:
    """Record fields a ``where`` condition reads, in order (with repeats)."""
    if isinstance(cond, m.AllOf):
        return [f for s in cond.all for f in fields_read(s)]
    if isinstance(cond, m.AnyOf):
        return [f for s in cond.any for f in fields_read(s)]
    if isinstance(cond, m.NotOf):
        return fields_read(cond.not_)
    return [cond.field] if not isinstance(cond, m.Count) and cond.field else []


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
