"""Hypothesis strategies derived from a loaded campaign, for property tests of its criteria.

Usable from any project's tests (no fixtures of ours needed)::

    from hypothesis import given
    from emulation_rules import load_campaign
    from emulation_rules.testing import facts_for, subjects

    CAMPAIGN = load_campaign("campaigns/tkv_2019.yaml")

    @given(facts_for(CAMPAIGN, "individual", award="individual_recognition", satisfying=True))
    def test_awarded(subject):
        result = Engine(CAMPAIGN).evaluate([subject])
        assert result.subjects[0].award("individual_recognition").verdict == "awarded"

Strategies give *raw* subject mappings, as :func:`~emulation_rules.facts.parse_facts` accepts
them (``{"id", "kind", "level" | "role", "facts"}``). Values concentrate where verdicts change:
for every threshold a criterion compares with, numbers at threshold-1, threshold and
threshold+1; ordered enums at the neighbouring ranks; dates the day before, of and after; enum
values inside and outside an ``in`` list; record lists whose count is around a ``count``
threshold, with records that match the ``where`` and records that miss by one field; and facts
left out (a missing fact makes a criterion ``unknown``).

Needs the ``testing`` extra (``pip install emulation-rules[testing]``, i.e. hypothesis);
importing this module without hypothesis raises :class:`ImportError` saying so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        "emulation_rules.testing needs hypothesis: pip install 'emulation-rules[testing]'"
    ) from exc

from emulation_rules.authoring._record_fields import record_fields_read
from emulation_rules.authoring._titles import (
    HISTORY_KEY,
    _all_conditions,
    _award_conditions,
    assign_held,
    held_titles,
    random_history,
    review_for,
)
from emulation_rules.campaign import model as m
from emulation_rules.campaign.money import parse_amount
from emulation_rules.evaluate.python import PythonEvaluator
from emulation_rules.evaluate.semantics import leaves
from emulation_rules.evaluate.units import reads_unit

__all__ = ["boundary_values", "facts_for", "subject_for", "subjects"]

_OPS = m.OPS
_TEXTS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "x")
_DAY = dt.timedelta(days=1)

Assignment = dict[str, Any]


# --- values of one declared fact or record field ---------------------------------------------


def _valid(decl: m.FactDecl | m.RecordField, value: Any) -> bool:
    """Whether ``value`` is within the declared range (so that parse_facts accepts it)."""
    t = decl.type
    if t in ("int", "money", "decimal", "percent"):
        lo = decl.minimum if decl.minimum is not None else (0.0 if t in ("percent", "money") else None)
        hi = decl.maximum if decl.maximum is not None else (100.0 if t == "percent" else None)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            return False
        return not (t not in ("int", "money") and value != 0 and abs(value) < 1e-4)
    return True


def _near(decl: m.FactDecl | m.RecordField, bound: Any) -> list[Any]:
    """Values just below, at and just above ``bound`` in the type of ``decl``."""
    t = decl.type
    if t == "ordered_enum":
        ids = [v.id for v in decl.values]
        i = ids.index(bound)
        return ids[max(i - 1, 0) : i + 2]
    if t == "enum":
        return [v.id for v in decl.values]
    if t == "bool":
        return [True, False]
    if t == "date":
        day = bound if isinstance(bound, dt.date) else dt.date.fromisoformat(bound)
        return [day - _DAY, day, day + _DAY]
    if t == "money":
        amount = parse_amount(bound)
        return [] if amount is None else [v for v in (amount - 1, amount, amount + 1) if _valid(decl, v)]
    if t == "int":
        b = int(bound) if float(bound).is_integer() else bound
        base = [int(b) - 1, int(b), int(b) + 1] if isinstance(b, int) else [int(b), int(b) + 1]
        return [v for v in base if _valid(decl, v)]
    if t in ("decimal", "percent"):
        b = float(bound)
        return [v for v in (b - 1, b - 0.01, b, b + 0.01, b + 1) if _valid(decl, round(v, 4))]
    if t == "text":
        return [bound, f"{bound}_x"]
    return []


def boundary_values(campaign: m.Campaign, fact_id: str) -> list[Any]:
    """Every value of ``fact_id`` on either side of a threshold some condition compares it with.

    Args:
        campaign: a loaded campaign.
        fact_id: a declared, non-records fact.

    Returns:
        A list without duplicates (values in the fact's coerced type: bool, int, float,
        ``datetime.date`` or an enum value id); empty when no condition compares the fact.
    """
    decl = campaign.fact(fact_id)
    params = campaign.parameter_defaults()
    out: list[Any] = []
    for cond in _all_conditions(campaign):
        for leaf in leaves(cond):
            if getattr(leaf, "fact", None) == fact_id and not isinstance(leaf, m.Count):
                out.extend(_leaf_bounds(decl, leaf, params))
    for award in campaign.awards:
        sheet = award.score_sheet
        for item in sheet.items if sheet else ():
            if item.points_fact == fact_id:
                floor = (sheet.item_floor_fraction or 0.0) * item.max_points  # type: ignore[union-attr]
                out.extend(
                    v
                    for v in (-1.0, 0.0, floor - 0.5, floor, item.max_points, item.max_points + 1)
                    if _valid(decl, v)
                )
    if decl.type == "date":
        for p in campaign.phases:
            out.extend(_near(decl, p.start))
            if p.end is not None:
                out.extend(_near(decl, p.end))
    if decl.type in ("int", "money"):
        out = [int(v) if isinstance(v, float) and v.is_integer() else v for v in out]
        out = [v for v in out if isinstance(v, int)]
    return list(dict.fromkeys(out))


def _leaf_bounds(
    decl: m.FactDecl | m.RecordField, leaf: Any, params: Mapping[str, float]
) -> list[Any]:
    if isinstance(leaf, m.AtLeast):
        return _near(decl, leaf.at_least)
    if isinstance(leaf, m.OneOf):
        return (
            list(leaf.in_) + _near(decl, leaf.in_[0])
            if decl.type != "ordered_enum"
            else [v.id for v in decl.values]
        )
    bound = params[leaf.param] if leaf.param is not None else leaf.value
    return _near(decl, bound)


def _any_value(decl: m.FactDecl | m.RecordField) -> st.SearchStrategy[Any]:
    t = decl.type
    if t == "bool":
        return st.booleans()
    if t in ("enum", "ordered_enum"):
        return st.sampled_from([v.id for v in decl.values])
    if t == "money":
        return st.integers(int(decl.minimum or 0), int(decl.maximum or 2 * 10**9))
    if t == "int":
        lo = int(decl.minimum) if decl.minimum is not None else -5
        hi = int(decl.maximum) if decl.maximum is not None else max(lo, 0) + 200
        return st.integers(lo, hi)
    if t in ("decimal", "percent"):
        lo_f = decl.minimum if decl.minimum is not None else (0.0 if t == "percent" else -100.0)
        hi_f = decl.maximum if decl.maximum is not None else (100.0 if t == "percent" else 1e6)
        return (
            st.integers(int(lo_f * 100), int(hi_f * 100))
            .map(lambda n: n / 100)
            .filter(lambda v: _valid(decl, v))
        )
    if t == "date":
        return st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))
    if t == "text":
        return st.sampled_from(_TEXTS)
    raise ValueError(f"no scalar strategy for type {t}")  # records are built separately


def _value(campaign: m.Campaign, decl: m.FactDecl) -> st.SearchStrategy[Any]:
    if decl.type == "records":
        return _records(campaign, decl, None)
    near = boundary_values(campaign, decl.id)
    base = _any_value(decl)
    return st.one_of(st.sampled_from(near), base) if near else base


# --- records ---------------------------------------------------------------------------------


def _record(
    campaign: m.Campaign, decl: m.FactDecl, fixed: Assignment
) -> st.SearchStrategy[dict[str, Any]]:
    """A record with ``fixed`` fields set; other required fields random, optional ones maybe."""
    base = _base_record(campaign, decl)
    if not fixed:
        return base
    return base.map(lambda r: {**r, **fixed})


_CACHE: dict[tuple[int, str], tuple[m.Campaign, st.SearchStrategy[dict[str, Any]]]] = {}


def _base_record(campaign: m.Campaign, decl: m.FactDecl) -> st.SearchStrategy[dict[str, Any]]:
    """A random valid record of ``decl`` (built once per campaign and fact, then reused)."""
    key = (id(campaign), decl.id)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is campaign:
        return hit[1]
    parts: dict[str, st.SearchStrategy[Any]] = {}
    read = record_fields_read(_all_conditions(campaign), decl)
    for f in decl.fields:  # a field a condition reads is never blank: blanks make it unknown
        value = _field_value(campaign, decl, f)
        parts[f.id] = value if f.required or f.id in read else st.one_of(st.none(), value)
    strategy = st.fixed_dictionaries(parts).map(
        lambda r: {k: v for k, v in r.items() if v is not None}
    )
    _CACHE[key] = (campaign, strategy)
    return strategy


def _field_value(
    campaign: m.Campaign, decl: m.FactDecl, f: m.RecordField
) -> st.SearchStrategy[Any]:
    near: list[Any] = []
    for cond in [c.count.where for c in _counts_of(campaign, decl) if c.count.where is not None]:
        for leaf in leaves(cond):
            if getattr(leaf, "field", None) == f.id:
                near.extend(_leaf_bounds(f, leaf, {}))
    near = list(dict.fromkeys(near))
    return st.one_of(st.sampled_from(near), _any_value(f)) if near else _any_value(f)


def _counts_of(campaign: m.Campaign, decl: m.FactDecl) -> list[m.Count]:
    return [
        leaf
        for c in _all_conditions(campaign)
        for leaf in leaves(c)
        if isinstance(leaf, m.Count) and leaf.count.fact == decl.id
    ]


def _records(
    campaign: m.Campaign, decl: m.FactDecl, want: tuple[m.Count, bool] | None
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """A list of records; with ``want`` = (count, truth), one whose count makes it that truth."""
    counts = _counts_of(campaign, decl)
    params = campaign.parameter_defaults()
    if want is None:
        if not counts:
            return st.lists(_record(campaign, decl, {}), max_size=4)
        return st.sampled_from(counts).flatmap(
            lambda c: st.booleans().flatmap(lambda t: _records(campaign, decl, (c, t)))
        )
    count, truth = want
    bound = params[count.param] if count.param is not None else float(count.value or 0)
    sizes = [
        n
        for n in range(max(int(bound) - 1, 0), int(bound) + 2)
        if _OPS[count.op](n, bound) == truth
    ]
    if not sizes:
        sizes = [n for n in range(0, int(bound) + 3) if _OPS[count.op](n, bound) == truth][:3]
    if not sizes:
        return st.nothing()
    spec = count.count
    fields = {f.id: f for f in decl.fields}
    matching = _where(spec.where, True, fields) if spec.where is not None else st.just({})
    missing = _where(spec.where, False, fields) if spec.where is not None else st.nothing()

    def build(n: int) -> st.SearchStrategy[list[dict[str, Any]]]:
        hits = st.lists(
            matching.flatmap(lambda fx: _record(campaign, decl, fx)), min_size=n, max_size=n
        )
        if spec.distinct is not None:
            distinct: str = spec.distinct
            hits = hits.map(lambda rs: [{**r, distinct: f"A{i}"} for i, r in enumerate(rs)])
            # extra records repeating an author already counted (counted once)
            hits = st.tuples(hits, st.integers(0, 1)).map(
                lambda p: p[0] + [dict(p[0][0])] * p[1] if p[0] else p[0]
            )
        others = (
            st.lists(missing.flatmap(lambda fx: _record(campaign, decl, fx)), max_size=2)
            if spec.where is not None
            else st.just([])
        )
        return st.tuples(hits, others, st.randoms(use_true_random=False)).map(
            lambda p: _shuffled(p[0] + p[1], p[2])
        )

    return st.sampled_from(sizes).flatmap(build)


def _shuffled(items: list[Any], rnd: Any) -> list[Any]:
    items = list(items)
    rnd.shuffle(items)
    return items


# --- assignments making a condition true or false --------------------------------------------


def _where(
    cond: Any, truth: bool, fields: Mapping[str, m.RecordField]
) -> st.SearchStrategy[Assignment]:
    """Field assignments making a record ``where`` condition ``truth`` (best effort)."""
    return _assign(cond, truth, None, fields, key="field")


def _assign(
    cond: Any,
    truth: bool,
    campaign: m.Campaign | None,
    decls: Mapping[str, Any],
    *,
    key: str = "fact",
    review: Any = None,
) -> st.SearchStrategy[Assignment]:
    """Assignments (fact or field id -> value) that make ``cond`` hold (``truth``) or not.

    Best effort: conflicting constraints on one fact are resolved by the later one, so callers
    check the result with the reference evaluator. A required award is assigned through its
    own criteria; a ``held`` condition through history entries (key ``history``).
    """
    if isinstance(cond, m.NotOf):
        return _assign(cond.not_, not truth, campaign, decls, key=key, review=review)
    if isinstance(cond, m.AllOf | m.AnyOf):
        subs = list(cond.all if isinstance(cond, m.AllOf) else cond.any)
        every = isinstance(cond, m.AllOf) == truth  # all true, or (any) all false
        if every:
            return st.tuples(*[_assign(s, truth, campaign, decls, key=key, review=review)
                               for s in subs]).map(_merge)
        return st.one_of([_assign(s, truth, campaign, decls, key=key, review=review) for s in subs])
    if isinstance(cond, m.Held | m.OfUnit | m.LevelIn):  # a unit's condition is read on the unit
        return assign_held(cond, truth, review) if isinstance(cond, m.Held) else st.just({})
    if isinstance(cond, m.AwardRef):
        assert campaign is not None
        conds = _award_conditions(campaign.award(cond.award))
        if not conds:
            return st.nothing()
        if truth == (cond.verdict == "awarded"):
            return st.tuples(*[_assign(c, True, campaign, {}, review=review) for c in conds]).map(_merge)
        return st.one_of([_assign(c, False, campaign, {}, review=review) for c in conds])
    if isinstance(cond, m.Count):
        assert campaign is not None
        decl = campaign.fact(cond.count.fact)
        return _records(campaign, decl, (cond, truth)).map(lambda rs: {decl.id: rs})
    if isinstance(cond, m.Aggregate) and campaign is not None:  # any records: the evaluator sorts them out
        decl = campaign.fact(cond.aggregate.of)
        return _records(campaign, decl, None).map(lambda rs: {decl.id: rs})
    name = getattr(cond, key)
    decl = decls[name] if campaign is None else campaign.fact(name)
    params = campaign.parameter_defaults() if campaign is not None else {}
    candidates = list(dict.fromkeys(_leaf_bounds(decl, cond, params)))
    if decl.type == "bool":
        candidates = [True, False]
    ok = [v for v in candidates if _leaf_truth(cond, decl, v, params) == truth]
    if not ok:
        return st.nothing()
    return st.sampled_from(ok).map(lambda v: {name: v})


def _merge(parts: tuple[Assignment, ...]) -> Assignment:
    """Union of assignments; two record lists for one fact (two counts over it) are joined."""
    out: Assignment = {}
    for p in parts:
        for k, v in p.items():
            out[k] = out[k] + v if isinstance(v, list) and isinstance(out.get(k), list) else v
    return out


def _leaf_truth(cond: Any, decl: Any, value: Any, params: Mapping[str, float]) -> bool:
    ids = [v.id for v in decl.values]
    if isinstance(cond, m.AtLeast):
        return ids.index(value) >= ids.index(cond.at_least)
    if isinstance(cond, m.OneOf):
        accepted = {
            dt.date.fromisoformat(v) if decl.type == "date" and isinstance(v, str) else v
            for v in cond.in_
        }
        return value in accepted
    bound = params[cond.param] if cond.param is not None else cond.value
    if decl.type == "date" and isinstance(bound, str):
        bound = dt.date.fromisoformat(bound)
    if decl.type == "ordered_enum" and isinstance(bound, str):
        return bool(_OPS[cond.op](ids.index(value), ids.index(bound)))
    return bool(_OPS[cond.op](value, bound))


# --- conditions of a campaign ----------------------------------------------------------------


def _reads(award: m.Award, campaign: m.Campaign) -> list[str]:
    """Declared facts an award reads, with those of the awards it requires."""
    out: list[str] = []
    for cond in _award_conditions(award):
        for leaf in leaves(cond):
            if isinstance(leaf, m.AwardRef):
                out.extend(_reads(campaign.award(leaf.award), campaign))
            elif not isinstance(leaf, m.Held | m.OfUnit | m.LevelIn):
                out.append(leaf.count.fact if isinstance(leaf, m.Count) else
                           leaf.aggregate.of if isinstance(leaf, m.Aggregate) else leaf.fact)
    if award.score_sheet is not None:
        out.extend(i.points_fact for i in award.score_sheet.items if i.points_fact)
    return list(dict.fromkeys(out))


# --- public strategies -----------------------------------------------------------------------


def facts_for(
    campaign: m.Campaign,
    subject_kind: str,
    award: str | None = None,
    satisfying: bool | None = None,
    *,
    missing: float = 0.15,
    as_of: dt.date | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Raw subjects of one kind, with facts near every threshold of the campaign.

    Args:
        campaign: a loaded campaign.
        subject_kind: ``"collective"`` or ``"individual"``.
        award: restrict to subjects eligible for this award id (its level or role); with
            ``satisfying`` set, the facts are built from this award's criteria.
        satisfying: ``None`` = anything (facts may be missing, the subject may be ineligible);
            ``True`` = the reference evaluator awards ``award`` (not for an award reading the
            subject's unit: a lone subject is never awarded it); ``False`` = every fact it reads
            is present and at least one criterion fails (verdict ``not_awarded``). When
            ``award`` is None and ``satisfying`` is set, an award of ``subject_kind`` is drawn.
        missing: probability (0-1) of leaving out each fact when ``satisfying`` is None.
        as_of: the review date the subjects will be evaluated on; a campaign with ``held``
            conditions gets subjects with a ``history`` around its years (needed to satisfy them).

    Returns:
        A strategy of mappings ``{"id", "kind", "level" | "role", "facts"}`` that
        :func:`~emulation_rules.facts.parse_facts` accepts.

    Raises:
        KeyError: ``award`` is not an award of the campaign.
        ValueError: ``award`` is for the other kind, or the kind has no award when
            ``satisfying`` is set, or an award with delegated criteria is asked to be satisfied.
    """
    if subject_kind not in ("collective", "individual"):
        raise ValueError(f"subject_kind must be 'collective' or 'individual', not {subject_kind!r}")
    if award is None and satisfying is not None:
        mine = [a.id for a in campaign.awards
                if a.subject == subject_kind and a.criteria_delegated_to is None and not reads_unit(a)]
        if not mine:
            raise ValueError(f"campaign {campaign.id!r} has no decidable {subject_kind} award")
        return st.sampled_from(mine).flatmap(
            lambda a: facts_for(campaign, subject_kind, a, satisfying, as_of=as_of)
        )
    chosen = campaign.award(award) if award is not None else None
    if chosen is not None and chosen.subject != subject_kind:
        raise ValueError(f"award {award!r} is for {chosen.subject} subjects")
    if chosen is not None and satisfying and (chosen.criteria_delegated_to is not None or reads_unit(chosen)):
        raise ValueError(f"award {award!r} " + ("reads the subject's unit: a lone subject cannot be awarded it"
                         if reads_unit(chosen) else "delegates its criteria: it is never awarded"))
    key = "level" if subject_kind == "collective" else "role"
    if chosen is not None:
        places = list(chosen.eligibility.levels if key == "level" else chosen.eligibility.roles)
    else:
        levels = (
            campaign.subjects.collective_levels
            if key == "level"
            else campaign.subjects.individual_roles
        )
        places = [lv.id for lv in levels]
    if not places:
        return st.nothing()
    decls = [f for f in campaign.facts if f.applies_to == subject_kind]
    where = st.sampled_from(places)

    review = review_for(campaign, as_of)
    history: st.SearchStrategy[Any] = st.just(_ABSENT)
    if held_titles(campaign):
        history = st.one_of(st.just(_ABSENT), random_history(campaign, review))

    def shape(place: str, facts: Assignment, hist: Any = _ABSENT) -> dict[str, Any]:
        facts = dict(facts)
        hist = facts.pop(HISTORY_KEY, hist)
        out = {"id": "S0", "kind": subject_kind, key: place, "facts": facts}
        return out if hist is _ABSENT else {**out, "history": hist}

    if satisfying is None or chosen is None:
        parts = {
            d.id: st.one_of(st.just(_ABSENT), _value(campaign, d))
            if missing > 0
            else _value(campaign, d)
            for d in decls
        }
        weights = st.fixed_dictionaries(parts)
        facts = (
            weights
            if missing <= 0
            else st.tuples(
                weights, st.lists(st.floats(0, 1), min_size=len(decls), max_size=len(decls))
            ).map(
                lambda p: {
                    k: v
                    for (k, v), r in zip(p[0].items(), p[1], strict=True)
                    if v is not _ABSENT and r >= missing
                }
            )
        )
        facts = facts.map(lambda f: {k: v for k, v in f.items() if v is not _ABSENT})
        return st.builds(shape, where, facts, history)

    ref = PythonEvaluator(campaign)
    reads = _reads(chosen, campaign)
    conds = _award_conditions(chosen)
    if satisfying:
        fixed = (
            st.tuples(*[_assign(c, True, campaign, {}, review=review) for c in conds]).map(_merge)
            if conds
            else st.just({})
        )
        sheet_points: Assignment = {}
        if chosen.score_sheet is not None:
            for item in chosen.score_sheet.items:
                if item.points_fact is not None:
                    top: Any = item.max_points
                    if campaign.fact(item.points_fact).type == "int":
                        top = int(top)
                    sheet_points[item.points_fact] = top
        fixed = fixed.map(lambda a: {**sheet_points, **a})
    else:
        crits = [c.condition for c in chosen.criteria]
        if not crits:
            return st.nothing()
        fixed = st.sampled_from(crits).flatmap(lambda c: _assign(c, False, campaign, {}, review=review))
    # facts the award reads but the assignment may leave unset; record lists come from counts
    rest = st.fixed_dictionaries(
        {
            d.id: st.just([]) if d.type == "records" else _value(campaign, d)
            for d in decls
            if d.id in reads
        }
    )
    facts = st.tuples(rest, fixed).map(lambda p: {**p[0], **p[1]})
    want = "awarded" if satisfying else "not_awarded"

    def decided(subject: dict[str, Any]) -> bool:
        result = ref.evaluate([subject], as_of=as_of)
        return result.subjects[0].award(chosen.id).verdict == want

    return st.builds(shape, where, facts).filter(decided)


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT: Any = _Absent()


def subject_for(campaign: m.Campaign, *, as_of: dt.date | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """One raw subject of any kind, level and role the campaign declares (see :func:`facts_for`)."""
    kinds = [
        k
        for k, levels in (
            ("collective", campaign.subjects.collective_levels),
            ("individual", campaign.subjects.individual_roles),
        )
        if levels
    ]
    return st.one_of([facts_for(campaign, k, as_of=as_of) for k in kinds])


def subjects(
    campaign: m.Campaign, *, min_size: int = 1, max_size: int = 6, as_of: dt.date | None = None
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Lists of raw subjects mixing kinds, levels and roles, with unique ids ``S0, S1, ...``.

    Args:
        campaign: a loaded campaign.
        min_size: fewest subjects.
        max_size: most subjects.
        as_of: the review date (see :func:`facts_for`).

    Returns:
        A strategy of lists that :func:`~emulation_rules.facts.parse_facts` accepts.
    """
    return st.lists(subject_for(campaign, as_of=as_of), min_size=min_size, max_size=max_size).map(
        lambda items: [{**s, "id": f"S{i}"} for i, s in enumerate(items)]
    )
