"""Killing quota mutants with populations built at the quota's boundary (issue 19, item 9).

A mutant of a quota's bound (``max_count`` 300 -> 301 or 299, ``max_share`` or ``min_share`` one
point up or down, or the default of the parameter a bound reads) changes a verdict only for a
population at the boundary: 300 and 301 certificates of a theme. Author cases rarely hold such
populations, so :func:`boundary_killer` builds them from the campaign's own strategies
(:mod:`.strategies`): it finds one subject that the quota counts in its numerator and denominator
(and one counted in the denominator only, for a share), by drawing subjects with
:func:`~emulation_rules.authoring.strategies.facts_for` until the python backend and the quota
judge place one so, then copies them (same group: same unit, same facts) into populations of the
sizes where the original and the mutated bound disagree. The mutant is killed when the quota's
status differs on one of them; the boundary is the campaign's own, so no expectation is invented:
the unmutated campaign is the oracle and the mutant must differ from it somewhere.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.facts.history import some_review_day

__all__ = ["boundary_killer", "quota_bound_paths"]

_MAX_POPULATION = 1000
"""Largest population built (a share's boundary may need a large denominator)."""


def quota_bound_paths(c: m.Campaign) -> dict[tuple[Any, ...], int]:
    """``{path of a bound (or of the default of a parameter a bound reads): quota index}``."""
    out: dict[tuple[Any, ...], int] = {}
    params = {p.id: i for i, p in enumerate(c.parameters)}
    for i, q in enumerate(c.quotas):
        for key in ("min_share", "max_share", "max_count"):
            bound = getattr(q, key)
            if isinstance(bound, m.BoundParam):
                if bound.param in params:
                    out[("parameters", params[bound.param], "default")] = i
            elif bound is not None:
                out[("quotas", i, key)] = i
    return out


def boundary_killer(original: m.Campaign, mutated: m.Campaign, path: tuple[Any, ...]) -> str | None:
    """A description of the boundary population on which ``mutated`` judges the quota whose bound
    ``path`` changes differently from ``original``, or None when none was found."""
    index = quota_bound_paths(original).get(path)
    if index is None:
        return None
    q = original.quotas[index]
    day = _review_day(original)
    counted = _find(original, q, numerator=True, denominator=True, day=day)
    if counted is None:
        return None
    outside = None if q.max_count is not None else _find(original, q, numerator=False, denominator=True,
                                                         day=day, like=counted)
    for population in _populations(original, mutated, q, mutated.quotas[index], counted, outside):
        a, b = (_status(c, q.id, population, day) for c in (original, mutated))
        if a != b:
            n = sum(1 for s in population if s["id"].startswith("N"))
            return (f"(boundary population: {n} counted of {len(population)}; quota {q.id} "
                    f"{a} here, {b} with the mutant)")
    return None


def _review_day(c: m.Campaign) -> dt.date:
    return some_review_day(c)


_ENGINES: dict[int, tuple[m.Campaign, Any]] = {}


def _engine(c: m.Campaign) -> Any:
    from emulation_rules.engine import Engine

    kept = _ENGINES.get(id(c))
    if kept is None or kept[0] is not c:
        if len(_ENGINES) > 8:
            _ENGINES.clear()
        kept = _ENGINES[id(c)] = (c, Engine(c, backend="python"))
    return kept[1]


def _status(c: m.Campaign, quota_id: str, population: list[dict[str, Any]], day: dt.date) -> str:
    from emulation_rules.facts.reader import parse_facts

    ev = _engine(c).evaluate(parse_facts(population, c), as_of=day)
    return str(next(r.status for r in ev.quotas if r.quota_id == quota_id))


def _place(c: m.Campaign, q: m.Quota, raw: dict[str, Any], day: dt.date) -> tuple[bool, bool] | None:
    """(in the numerator, in the denominator) of one subject alone, decided; None if undecided."""
    from emulation_rules.errors import EmulationRulesError
    from emulation_rules.facts.reader import parse_facts

    try:
        ev = _engine(c).evaluate(parse_facts([raw], c), as_of=day)
    except (EmulationRulesError, ValueError):
        return None
    r = next(r for r in ev.quotas if r.quota_id == q.id)
    if r.undecided or any(g.denominator_undecided for g in r.groups):
        return None
    return r.qualifying == 1, r.awardees == 1


def _find(c: m.Campaign, q: m.Quota, *, numerator: bool, denominator: bool, day: dt.date,
          like: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """A raw subject the quota places so, drawn from the campaign's strategies (deterministic)."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    from emulation_rules.authoring.strategies import facts_for
    from emulation_rules.evaluate.units import reads_unit

    denominator_awards = (q.of.awards if q.of is not None and q.of.awards else q.awards)
    first = q.awards if numerator else denominator_awards  # the likeliest strategies first
    wanted = [(k, a) for a in (*first, *q.awards, *denominator_awards) for k in q.kinds
              if original_subject(c, a) == k and not reads_unit(c.award(a))]  # a lone subject lacks its unit
    options = [] if numerator else [facts_for(c, k, a, False, as_of=day) for a in q.awards for k in q.kinds
                                    if original_subject(c, a) == k]  # every fact given, not counted
    options += [facts_for(c, k, a, True, as_of=day) for k, a in dict.fromkeys(wanted)]
    options += [facts_for(c, k, None, False, as_of=day) for k in q.kinds if _has_award(c, k)]
    group = _group(c, q, like, day) if like is not None else None

    def fits(raw: dict[str, Any]) -> bool:
        if _place(c, q, raw, day) != (numerator, denominator):
            return False
        return group is None or _group(c, q, raw, day) == group

    quiet = settings(database=None, max_examples=100, phases=[Phase.generate], derandomize=True,
                     suppress_health_check=list(HealthCheck), deadline=None)
    for strategy in (o.map(lambda raw: _placed(c, q, raw)) for o in options):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found: dict[str, Any] = find(strategy, fits, settings=quiet)
                return found
        except (NoSuchExample, ValueError, KeyError):
            continue
    return None


def _placed(c: m.Campaign, q: m.Quota, raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with a value for each fact naming the quota's group that it lacks (the strategies
    give only the facts the awards read; a subject without its group is undecided)."""
    if not isinstance(q.per, m.QuotaPer) or not q.per.facts:
        return raw
    facts = dict(raw.get("facts") or {})
    for fact_id in q.per.facts:
        decl = next((f for f in c.facts if f.id == fact_id), None)
        if decl is None or decl.applies_to != raw.get("kind") or fact_id in facts:
            continue
        facts[fact_id] = (decl.values[0].id if decl.values else True if decl.type == "bool"
                          else 0 if decl.type == "int" else "A")
    return {**raw, "facts": facts}


def original_subject(c: m.Campaign, award_id: str) -> str:
    """The subject kind of ``award_id``."""
    return c.award(award_id).subject


def _has_award(c: m.Campaign, kind: str) -> bool:
    return any(a.subject == kind and a.criteria_delegated_to is None for a in c.awards)


def _group(c: m.Campaign, q: m.Quota, raw: dict[str, Any], day: dt.date) -> Any:
    from emulation_rules.facts.reader import parse_facts
    from emulation_rules.results.quota_groups import group_key

    (s,) = parse_facts([raw], c).subjects
    return group_key(q.per, s, {s.id: s}, {f.id: f for f in c.facts})


def _copies(raw: dict[str, Any], prefix: str, n: int) -> list[dict[str, Any]]:
    return [{**raw, "id": f"{prefix}{i}"} for i in range(n)]


def _limits(q: m.Quota, c: m.Campaign, d: int) -> int:
    """The quota's number at denominator ``d``: the cap allowed, or the qualifying needed."""
    params = c.parameter_defaults()
    raw = q.min_share if q.min_share is not None else q.max_share if q.max_share is not None else q.max_count
    bound = params[raw.param] if isinstance(raw, m.BoundParam) else raw
    if q.max_count is not None:
        return int(bound or 0)
    p = Fraction(str(bound)) / 100
    return math.ceil(p * d) if q.min_share is not None else math.floor(p * d)


def _populations(original: m.Campaign, mutated: m.Campaign, q: m.Quota, mq: m.Quota,
                 counted: dict[str, Any], outside: dict[str, Any] | None) -> Iterator[list[dict[str, Any]]]:
    """Populations at the sizes where the original and mutated bounds part."""
    if q.max_count is not None:
        for n in sorted({_limits(q, original, 0), _limits(mq, mutated, 0)}):
            for k in (n - 1, n, n + 1, n + 2):
                if 0 <= k <= _MAX_POPULATION:
                    yield _copies(counted, "N", k)
        return
    d = next((d for d in range(1, _MAX_POPULATION + 1)
              if _limits(q, original, d) != _limits(mq, mutated, d)), None)
    if d is None:
        return
    for k in sorted({_limits(q, original, d), _limits(mq, mutated, d)}):
        for n in (k - 1, k, k + 1):
            if 0 <= n <= d and (outside is not None or n == d):
                yield _copies(counted, "N", n) + (_copies(outside, "D", d - n) if outside else [])
