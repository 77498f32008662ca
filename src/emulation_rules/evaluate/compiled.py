"""Conditions turned once into functions of a subject's facts, for the python backend.

:func:`compile_condition` gives, for a condition of the campaign, a function ``facts -> True |
False | None`` with exactly the answers of :func:`.semantics.judge` (without its ``missing``
list): ``all``/``any`` are Kleene's, ``not`` keeps unknown, an absent fact is unknown. The
comparisons of one fact with a constant or a parameter (most of a campaign) are resolved once:
the threshold read in the fact's type, the operator chosen, the ladder of an ordered rating
ranked; every other node (records, history, verdicts of other awards) is read by ``judge``
itself, so the two cannot part. Reading the tree node by node for every subject was most of the
python backend's time (issue 24, item 5).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.comparison import _const
from emulation_rules.evaluate.record_sets import Bounds, bounds_of, compare_bounds, kleene, kleene_not
from emulation_rules.evaluate.semantics import AS_OF, judge, record_spec, record_threshold

__all__ = ["BoundsFn", "Judged", "compile_condition"]

Judged = Callable[[Mapping[str, Any]], "bool | None"]
BoundsFn = Callable[[Any, m.FactDecl, Any, Any], "Bounds | None"]
"""How the interval of a count or an aggregate is found (:func:`.record_sets.bounds_of`, or a
memo of it that a backend keeps per subject, since a criterion's shown values read it again)."""


def compile_condition(cond: m.Condition, decls: Mapping[str, m.FactDecl], params: Mapping[str, float],
                      bounds: BoundsFn = bounds_of) -> Judged:
    """``cond`` as a function of one subject's facts (see the module docstring)."""
    if isinstance(cond, m.AllOf | m.AnyOf):
        nodes = cond.all if isinstance(cond, m.AllOf) else cond.any
        parts = tuple(compile_condition(c, decls, params, bounds) for c in nodes)
        return kleene(parts, decisive=isinstance(cond, m.AnyOf))
    if isinstance(cond, m.NotOf):
        return kleene_not(compile_condition(cond.not_, decls, params, bounds))
    leaf = _leaf(cond, decls, params)
    if leaf is not None:
        return leaf
    if isinstance(cond, m.Count | m.Aggregate):
        return _records(cond, decls, params, bounds)
    return lambda facts: judge(cond, facts, decls, params)


def _records(cond: m.Count | m.Aggregate, decls: Mapping[str, m.FactDecl], params: Mapping[str, float],
             bounds: BoundsFn) -> Judged:
    """A count or an aggregate of records against its threshold, as :func:`.semantics.judge` reads it."""
    spec, fact_id = record_spec(cond)
    decl = decls[fact_id]
    threshold, op = record_threshold(cond, decl, params), cond.op

    def over_records(facts: Mapping[str, Any]) -> bool | None:
        if fact_id not in facts:
            return None
        found = bounds(spec, decl, facts[fact_id], facts.get(AS_OF))
        return None if found is None else compare_bounds(op, found, threshold)

    return over_records


def _leaf(cond: Any, decls: Mapping[str, m.FactDecl], params: Mapping[str, float]) -> Judged | None:
    """A comparison of one declared fact, resolved once; None for any other node."""
    if not isinstance(cond, m.Compare | m.AtLeast | m.OneOf) or getattr(cond, "field", None) is not None:
        return None
    name = cond.fact
    decl = decls.get(name or "")
    if name is None or decl is None:
        return None
    ranks = {v.id: i for i, v in enumerate(decl.values)}
    if isinstance(cond, m.AtLeast):
        floor = ranks[str(cond.at_least)]

        def at_least(facts: Mapping[str, Any]) -> bool | None:
            return ranks[facts[name]] >= floor if name in facts else None

        return at_least
    if isinstance(cond, m.OneOf):
        allowed = frozenset(_const(decl, v) for v in cond.in_)

        def one_of(facts: Mapping[str, Any]) -> bool | None:
            return facts[name] in allowed if name in facts else None

        return one_of
    op = m.OPS[cond.op]
    bound = params[cond.param] if cond.param is not None else _const(decl, cond.value)
    if decl.type == "ordered_enum" and isinstance(bound, str):
        rank = ranks[bound]

        def ranked(facts: Mapping[str, Any]) -> bool | None:
            return bool(op(ranks[facts[name]], rank)) if name in facts else None

        return ranked

    def compared(facts: Mapping[str, Any]) -> bool | None:
        return bool(op(facts[name], bound)) if name in facts else None

    return compared

