"""Properties of the durable-rules engine over every campaign (issue 4), with subjects generated
from the campaign itself (:mod:`emulation_rules.testing`).

Each property follows from the verdict rules (explain.py, engine.py) and the plan wording they
encode: "trở lên" / "ít nhất" is ">=" (seed 000 L100, L102, L106, L110), so a value exactly at
the threshold passes; a fact no criterion reads cannot change a verdict; a criterion that cannot
be decided makes the verdict "incomplete" and names the facts it lacks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulation_rules import Engine, dump_campaign, load_campaign, parse_facts
from emulation_rules.authoring.strategies import _record, _where, boundary_values, facts_for, subjects
from emulation_rules.campaign import model as m
from emulation_rules.evaluate.units import lower

from ..conftest import campaign_files
from ..unit.test_bulk import _CONSTRUCTS

CONSTRUCTS = Path("constructs.yaml")
# Half the profile's examples per property (ci: 100), to keep the property suite fast on 2 cores;
# the differential test runs the full count.
_HALF = settings(settings.default, max_examples=max(50, settings.default.max_examples // 2))


@pytest.fixture(scope="module", params=[*campaign_files(), CONSTRUCTS], ids=lambda p: p.stem)
def ce(request: pytest.FixtureRequest) -> tuple[m.Campaign, Engine]:
    path = request.param
    campaign = (
        load_campaign(_CONSTRUCTS, file=str(path)) if path == CONSTRUCTS else load_campaign(path)
    )
    return campaign, Engine(campaign)


def _leaves(cond: Any, negated: bool = False) -> list[tuple[Any, bool]]:
    """(leaf, under an odd number of 'not')."""
    if isinstance(cond, m.AllOf):
        return [x for s in cond.all for x in _leaves(s, negated)]
    if isinstance(cond, m.AnyOf):
        return [x for s in cond.any for x in _leaves(s, negated)]
    if isinstance(cond, m.NotOf):
        return _leaves(cond.not_, not negated)
    return [(cond, negated)]


def _conditions(award: m.Award) -> list[Any]:
    conds = [c.condition for c in award.criteria]
    if award.score_sheet:
        conds += [i.condition for i in award.score_sheet.items if i.condition is not None]
    return conds


def _reads(award: m.Award, campaign: m.Campaign) -> list[str]:
    """The facts ``award`` reads; through ``{award: x}``, those ``x`` reads (its verdict stands
    for them); a ``held`` condition reads the subject's history, and it and a record window the
    review date (listed as ``as_of`` when it is not given)."""
    out: list[str] = []
    for cond in _conditions(award):
        for leaf, _ in _leaves(cond):
            if isinstance(leaf, m.AwardRef):
                out += _reads(campaign.award(leaf.award), campaign)
            elif isinstance(leaf, m.Held):
                out += ["history", "as_of"]  # the years counted back from the review date
            else:
                out.append(leaf.count.fact if isinstance(leaf, m.Count)
                           else leaf.aggregate.of if isinstance(leaf, m.Aggregate) else leaf.fact)
                spec = leaf.count if isinstance(leaf, m.Count) else getattr(leaf, "aggregate", None)
                if getattr(spec, "within", None) is not None:
                    out.append("as_of")  # a window of review years needs the review date
    if award.score_sheet:
        out += [i.points_fact for i in award.score_sheet.items if i.points_fact]
    return out


def _verdicts(evaluation) -> dict:
    return {(s.subject_id, a.award_id): a.verdict for s in evaluation.subjects for a in s.awards}


def test_deterministic(ce) -> None:
    campaign, engine = ce

    @_HALF
    @given(subjects(campaign, max_size=4))
    def check(raw: list[dict]) -> None:
        sub = parse_facts(raw, campaign)
        assert engine.evaluate(sub) == engine.evaluate(sub)

    check()


def test_subject_order_does_not_matter(ce) -> None:
    campaign, engine = ce

    @_HALF
    @given(subjects(campaign, min_size=2, max_size=5), st.randoms(use_true_random=False))
    def check(raw: list[dict], rnd) -> None:
        shuffled = list(raw)
        rnd.shuffle(shuffled)
        a = engine.evaluate(parse_facts(raw, campaign))
        b = engine.evaluate(parse_facts(shuffled, campaign))
        assert {s.subject_id: s for s in a.subjects} == {s.subject_id: s for s in b.subjects}

    check()


def _ge_criteria(campaign: m.Campaign) -> list[tuple[m.Award, m.Criterion]]:
    return [
        (a, c)
        for a in campaign.awards
        if a.criteria_delegated_to is None
        for c in a.criteria
        if isinstance(c.condition, m.AtLeast)
        or (isinstance(c.condition, m.Compare | m.Count) and c.condition.op == ">=")
    ]


def test_at_least_passes_exactly_at_its_threshold(ce) -> None:
    """'trở lên' / 'ít nhất' (>=): threshold-1 fails, the threshold and threshold+1 pass."""
    campaign, engine = ce
    targets = _ge_criteria(campaign)
    if not targets:
        pytest.skip(f"{campaign.id} has no criterion of the form 'fact >= threshold'")
    params = campaign.parameter_defaults()

    @st.composite
    def case(draw):
        award, crit = draw(st.sampled_from(targets))
        cond = crit.condition
        places = award.eligibility.levels or award.eligibility.roles
        key = "level" if award.subject == "collective" else "role"
        subject = {"id": "S0", "kind": award.subject, key: draw(st.sampled_from(places))}
        if isinstance(cond, m.Count):
            bound = params[cond.param] if cond.param else cond.value
            n = draw(
                st.sampled_from([int(bound) - 1, int(bound), int(bound) + 1]).filter(
                    lambda k: k >= 0
                )
            )
            decl = campaign.fact(cond.count.fact)
            fields = {f.id: f for f in decl.fields}
            match = _where(cond.count.where, True, fields) if cond.count.where else st.just({})
            recs = draw(
                st.lists(
                    match.flatmap(lambda fx: _record(campaign, decl, fx)), min_size=n, max_size=n
                )
            )
            if cond.count.distinct:
                recs = [{**r, cond.count.distinct: f"A{i}"} for i, r in enumerate(recs)]
            subject["facts"] = {decl.id: recs}
            return award, crit, subject, n >= bound, n == bound
        decl = campaign.fact(cond.fact)
        if isinstance(cond, m.AtLeast):
            ids = [v.id for v in decl.values]
            at = ids.index(cond.at_least)
            value = draw(st.sampled_from(ids[max(at - 1, 0) : at + 2]))
            subject["facts"] = {decl.id: value}
            return award, crit, subject, ids.index(value) >= at, value == cond.at_least
        bound = params[cond.param] if cond.param else cond.value
        if decl.type == "date" and isinstance(bound, str):
            bound = dt.date.fromisoformat(bound)
        value = draw(
            st.sampled_from(
                [
                    v
                    for v in boundary_values(campaign, decl.id)
                    if type(v) is type(bound) or decl.type in ("decimal", "percent")
                ]
            )
        )
        subject["facts"] = {decl.id: value}
        return award, crit, subject, value >= bound, value == bound

    @given(case())
    def check(c) -> None:
        award, crit, subject, passes, _ = c
        result = engine.evaluate(parse_facts([subject], campaign)).subjects[0].award(award.id)
        status = next(r.status for r in result.criteria if r.criterion_id == crit.id)
        assert status == ("pass" if passes else "fail"), subject

    check()
    # the threshold itself passes (also checked outside the random draw)
    for award, crit in targets:
        cond = crit.condition
        places = award.eligibility.levels or award.eligibility.roles
        key = "level" if award.subject == "collective" else "role"
        subject: dict[str, Any] = {"id": "S0", "kind": award.subject, key: places[0]}
        if isinstance(cond, m.AtLeast):
            subject["facts"] = {cond.fact: cond.at_least}
        elif isinstance(cond, m.Compare):
            bound = params[cond.param] if cond.param else cond.value
            subject["facts"] = {cond.fact: bound}
        else:
            continue  # counts: the generated cases above include n == threshold
        result = engine.evaluate(parse_facts([subject], campaign)).subjects[0].award(award.id)
        assert next(r.status for r in result.criteria if r.criterion_id == crit.id) == "pass"


def test_a_fact_no_criterion_reads_changes_nothing(ce) -> None:
    """Unread declared facts and unread record fields cannot change any result (awards, and the
    quotas over the award set, which read facts of their own)."""
    campaign, engine = ce
    read = {f for a in campaign.awards for f in _reads(a, campaign)}
    for q in campaign.quotas:  # a quota reads its condition, its population's where, its ranking
        where = q.of.population.where if q.of is not None and q.of.population is not None else None
        for cond in (q.condition, where):
            read |= {leaf.fact for leaf, _ in _leaves(cond)} if cond is not None else set()
        read |= {k.fact for k in q.ranking.by} if q.ranking is not None else set()
    unread = [f for f in campaign.facts if f.id not in read and f.type != "records"]
    where_fields: dict[str, set[str]] = {}
    for a in campaign.awards:
        for cond in _conditions(a):
            for leaf, _ in _leaves(cond):
                if isinstance(leaf, m.Count):
                    names = (
                        {x.field for x, _ in _leaves(leaf.count.where)}
                        if leaf.count.where
                        else set()
                    )
                    where_fields.setdefault(leaf.count.fact, set()).update(
                        names | ({leaf.count.distinct} if leaf.count.distinct else set())
                    )
    extra_fields = [
        (f, rf)
        for f in campaign.facts
        if f.type == "records"
        for rf in f.fields
        if rf.id not in where_fields.get(f.id, set()) and not rf.required
    ]
    if not unread and not extra_fields:
        pytest.skip(f"{campaign.id}: every declared fact and optional record field is read")
    from emulation_rules.authoring.strategies import _any_value

    @_HALF
    @given(subjects(campaign, max_size=3), st.data())
    def check(raw: list[dict], data) -> None:
        changed = []
        for s in raw:
            facts = dict(s.get("facts", {}))
            for f in unread:
                if f.applies_to == s["kind"]:
                    facts[f.id] = data.draw(_any_value(f))
            for f, rf in extra_fields:
                if f.applies_to == s["kind"] and isinstance(facts.get(f.id), list):
                    facts[f.id] = [{**r, rf.id: data.draw(_any_value(rf))} for r in facts[f.id]]
            changed.append({**s, "facts": facts})
        assert engine.evaluate(parse_facts(raw, campaign)) == engine.evaluate(
            parse_facts(changed, campaign)
        )

    check()


def test_incomplete_names_exactly_the_missing_facts(ce) -> None:
    """'incomplete' = nothing fails and some criterion is undecided for lack of facts; the facts
    listed are the absent ones those undecided criteria read (or, ``fact.field``, a blank field in
    a submitted record), no others (three-valued logic: a criterion decided without a fact does
    not list it)."""
    campaign, engine = ce

    @given(subjects(campaign, max_size=4))
    def check(raw: list[dict]) -> None:
        evaluation = engine.evaluate(parse_facts(raw, campaign))
        for s, result in zip(raw, evaluation.subjects, strict=True):
            for a in result.awards:
                award = campaign.award(a.award_id)
                if a.verdict != "incomplete" or award.criteria_delegated_to is not None:
                    continue
                facts = s.get("facts", {})
                low = lower(campaign)  # with the unit__ facts a member reads from its unit
                absent = {f for f in _reads(low.award(award.id), low) if f not in facts}
                absent |= {f"{fid}.{rf.id}" for fid, recs in facts.items() if isinstance(recs, list)
                           for rf in campaign.fact(fid).fields for r in recs if r.get(rf.id) is None}
                undecided = {f for c in a.criteria if c.status == "unknown" for f in c.missing}
                assert undecided and set(a.missing_facts) == undecided <= absent, (s, a.missing_facts)
                assert all(c.status != "fail" for c in a.criteria)
                assert all(c.missing == () for c in a.criteria if c.status != "unknown")

    check()


def _monotone_enums(campaign: m.Campaign, award: m.Award) -> list[m.FactDecl]:
    """Ordered-enum facts that this award reads only through 'at_least' outside any 'not'."""
    uses: dict[str, list[bool]] = {}
    for cond in _conditions(award):
        for leaf, negated in _leaves(cond):
            if getattr(leaf, "fact", None):
                uses.setdefault(leaf.fact, []).append(isinstance(leaf, m.AtLeast) and not negated)
    return [
        campaign.fact(f)
        for f, ok in uses.items()
        if all(ok) and campaign.fact(f).type == "ordered_enum"
    ]


def test_improving_an_ordered_rating_never_loses_an_award(ce) -> None:
    """'xếp loại ... trở lên' (seed 000 L102, L110): a better rating cannot lose the award."""
    campaign, engine = ce
    plan = [
        (a, d)
        for a in campaign.awards
        if a.criteria_delegated_to is None
        for d in _monotone_enums(campaign, a)
    ]
    if not plan:
        pytest.skip(f"{campaign.id} has no award gated by an ordered rating with 'at_least'")

    @st.composite
    def case(draw):
        award, decl = draw(st.sampled_from(plan))
        subject = draw(facts_for(campaign, award.subject, award.id, satisfying=True))
        ids = [v.id for v in decl.values]
        now = subject["facts"].get(decl.id)
        present = now is not None
        better = draw(st.sampled_from(ids[ids.index(now) :])) if present else None
        return award, decl, subject, better

    @_HALF
    @given(case())
    def check(c) -> None:
        award, decl, subject, better = c
        before = engine.evaluate(parse_facts([subject], campaign)).subjects[0].award(award.id)
        assert before.verdict == "awarded"
        if better is None:
            return
        improved = {**subject, "facts": {**subject["facts"], decl.id: better}}
        after = engine.evaluate(parse_facts([improved], campaign)).subjects[0].award(award.id)
        assert after.verdict == "awarded", (subject, better)

    check()


@pytest.mark.parametrize(
    "path",
    [
        *campaign_files(),
        CONSTRUCTS,
    ],
    ids=lambda p: p.stem,
)
def test_dump_then_load_gives_the_same_campaign(path: Path) -> None:
    campaign = (
        load_campaign(_CONSTRUCTS, file=str(path)) if path == CONSTRUCTS else load_campaign(path)
    )
    assert load_campaign(dump_campaign(campaign), file=f"{path.stem}-dumped.yaml") == campaign
