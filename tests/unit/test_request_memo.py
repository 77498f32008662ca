"""What an evaluator keeps from one request to the next (issue 24): whatever depends on the campaign
only (the phase and years of a review date, whether units are judged first, each criterion's plan)
is kept, and the results stay those of a fresh engine: per date and phase, per campaign, after a
campaign is loaded again."""

from __future__ import annotations

import datetime as dt

import pytest

from emulation_rules import Engine, load_campaign
from emulation_rules.errors import ReviewDateError
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.load import load_facts
from emulation_rules.results.render import render_json
from tests.conftest import CAMPAIGNS, EXAMPLES

BACKENDS = ["python"] + (["durable"] if backend_problem("durable") is None else [])
CYCLE = EXAMPLES / "review_cycle"


def _same(engine: Engine, fresh: Engine, facts: object, **kw: object) -> None:
    got, want = engine.evaluate(facts, **kw), fresh.evaluate(facts, **kw)  # type: ignore[arg-type]
    assert (got.phase, got.as_of) == (want.phase, want.as_of)
    assert render_json(got) == render_json(want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_review_kept_per_date_and_phase(backend: str) -> None:
    campaign = load_campaign(CYCLE / "campaign.yaml")
    facts = load_facts(CYCLE / "facts_2025.yaml", campaign)
    engine = Engine(campaign, backend=backend)  # type: ignore[arg-type]
    phases = []
    for day in (dt.date(2025, 6, 1), dt.date(2024, 6, 1), dt.date(2025, 6, 1), dt.date(2026, 1, 1), None):
        _same(engine, Engine(campaign, backend=backend), facts, as_of=day)  # type: ignore[arg-type]
        phases.append(engine.evaluate(facts, as_of=day).phase)
    assert phases == ["year_2025", "year_2024", "year_2025", "year_2026", "year_2025"]
    for phase in ("year_2024", "year_2026"):  # the same date, another phase asked
        _same(engine, Engine(campaign, backend=backend), facts,  # type: ignore[arg-type]
              as_of=dt.date(2025, 6, 1), phase=phase)
        assert engine.evaluate(facts, as_of=dt.date(2025, 6, 1), phase=phase).phase == phase


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_review_date_is_refused_every_time(backend: str) -> None:
    campaign = load_campaign(CYCLE / "campaign.yaml")
    facts = load_facts(CYCLE / "facts_2025.yaml", campaign)
    engine = Engine(campaign, backend=backend)  # type: ignore[arg-type]
    for _ in range(2):
        with pytest.raises(ReviewDateError, match="2031-01-01 lies in no phase"):
            engine.evaluate(facts, as_of=dt.date(2031, 1, 1))
        with pytest.raises(ReviewDateError):
            engine.evaluate(facts, phase="year_2031")
    assert engine.evaluate(facts, as_of=dt.date(2025, 6, 1)).phase == "year_2025"


@pytest.mark.parametrize("backend", BACKENDS)
def test_kept_per_campaign_not_shared(backend: str) -> None:
    """Campaigns evaluated in turn (one judges units first, the other not), each loaded twice:
    every result is that of an engine built for it alone."""
    runs = []
    for name in ("vgcl_certificates", "tkv_2019"):
        for _ in range(2):  # loaded again: another campaign object, the same results
            campaign = load_campaign(CAMPAIGNS / f"{name}.yaml")
            facts = load_facts(EXAMPLES / name / "facts.yaml", campaign)
            runs.append((Engine(campaign, backend=backend), campaign, facts))  # type: ignore[arg-type]
    for _ in range(2):
        for engine, campaign, facts in runs:
            _same(engine, Engine(campaign, backend=backend), facts)  # type: ignore[arg-type]
            _same(engine, Engine(campaign, backend=backend), facts, explain=False)  # type: ignore[arg-type]
    first, again = render_json(runs[0][0].evaluate(runs[0][2])), render_json(runs[1][0].evaluate(runs[1][2]))
    assert first == again


def _examples() -> list[tuple[str, object, object]]:
    out = []
    for path in sorted(EXAMPLES.glob("*/facts.yaml")):
        campaign = load_campaign(CAMPAIGNS / f"{path.parent.name}.yaml")
        out.append((path.parent.name, campaign, load_facts(path, campaign)))
    return out


def _mutate(doc: object) -> None:
    """Change every container and text of a JSON-ready document in place."""
    if isinstance(doc, dict):
        for key in list(doc):
            _mutate(doc[key])
            if isinstance(doc[key], str | int | float | type(None)):
                doc[key] = "changed"
        doc["added"] = 1
    elif isinstance(doc, list):
        for item in doc:
            _mutate(item)
        doc.append("added")


@pytest.mark.parametrize("backend", BACKENDS)
def test_to_dict_is_fresh_every_time(backend: str) -> None:
    """What to_dict keeps per campaign (citations, defects) is copied out: a caller may change the
    document it gets (the service and localised() do) without changing the next one."""
    for _, campaign, facts in _examples():
        evaluation = Engine(campaign, backend=backend).evaluate(facts)  # type: ignore[arg-type]
        want = render_json(evaluation)
        _mutate(evaluation.to_dict())
        assert render_json(evaluation) == want


@pytest.mark.parametrize("backend", BACKENDS)
def test_citations_kept_per_campaign(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example evaluated in turn, twice, and again with a table of citations that is full at
    every criterion: the same JSON (campaigns without defects share one table, by source)."""
    from emulation_rules.evaluate import result

    runs = [(Engine(c, backend=backend), f) for _, c, f in _examples()]  # type: ignore[arg-type]
    first = [render_json(e.evaluate(f)) for e, f in runs]  # type: ignore[arg-type]
    assert [render_json(e.evaluate(f)) for e, f in runs] == first  # type: ignore[arg-type]
    monkeypatch.setattr(result, "MAX_CITED", 1)
    assert [render_json(e.evaluate(f)) for e, f in runs] == first  # type: ignore[arg-type]


def test_amended_is_dataclasses_replace() -> None:
    import dataclasses

    from emulation_rules.evaluate.result import amended

    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    evaluation = Engine(campaign, backend="python").evaluate(load_facts(EXAMPLES / "tkv_2019" / "facts.yaml", campaign))
    for change in ({"quotas": ()}, {"phase": "x", "rejected": ("r",)}, {"documents": ()}, {}):
        got, want = amended(evaluation, **change), dataclasses.replace(evaluation, **change)
        assert got == want and vars(got) == vars(want) and list(vars(got)) == list(vars(want))
        assert got is not evaluation and got.backend == evaluation.backend
    with pytest.raises(TypeError, match="unexpected keyword argument 'verdict'"):
        amended(evaluation, verdict="awarded")
    subject = evaluation.subjects[0]
    award = subject.awards[0]
    for obj, change in ((subject, {"awards": ()}), (award, {"criteria": (), "reason": "r"}),
                        (award.criteria[0], {"status": "unknown"})):
        got, want = amended(obj, **change), dataclasses.replace(obj, **change)  # type: ignore[type-var]
        assert type(got) is type(obj) and got == want and list(vars(got).items()) == list(vars(want).items())
    with pytest.raises(TypeError, match="unexpected keyword argument 'status'"):
        amended(award, status="pass")


def _message_as_before(compiled: object, sid: str, facts: dict[str, object], reads: tuple[str, ...]) -> dict[str, object]:
    """A durable message as the compiled award wrote it before its columns and guards were kept."""
    from emulation_rules.evaluate.durable.compiler import _AWARD_READ
    from emulation_rules.evaluate.semantics import AS_OF, HISTORY

    c: object = compiled
    out: dict[str, object] = {"sid": sid, "seen__": 1}
    for fact_id in reads:
        if fact_id in facts:
            if fact_id in c.encoders:  # type: ignore[attr-defined]
                out["f_" + fact_id] = c.encoders[fact_id](facts[fact_id])  # type: ignore[attr-defined]
            elif fact_id.startswith(_AWARD_READ):
                out["d_" + fact_id[len(_AWARD_READ):]] = facts[fact_id]
    if c.held and HISTORY in facts and AS_OF in facts:  # type: ignore[attr-defined]
        for held in c.held:  # type: ignore[attr-defined]
            held.encode(facts[HISTORY], facts[AS_OF], out)
    open_: set[str] = set()
    for plan in c.counts:  # type: ignore[attr-defined]
        records = facts.get(plan.fact)
        if records is not None and plan.encode(records, facts.get(AS_OF), out):
            open_.add(plan.column + "l")
    for crit in c.criteria:  # type: ignore[attr-defined]
        if crit.guard and (not all(f in facts for f in crit.reads) or not open_.isdisjoint(crit.record_fields)):
            out[crit.guard] = 1
    return out


@pytest.mark.skipif("durable" not in BACKENDS, reason="durable-rules not loadable here")
def test_durable_messages_as_before() -> None:
    """Each compiled award keeps its facts' columns and its guarded criteria: every message the
    examples' subjects make (and the same with every second fact left out) is the one written
    before, whatever was encoded first, and its text is json.dumps(..., ensure_ascii=False)'s."""
    import json

    from emulation_rules.evaluate.durable.engine import _ENCODE_MESSAGE
    from emulation_rules.evaluate.semantics import AS_OF

    for name, campaign, facts in _examples():
        impl = Engine(campaign, backend="durable")._impl  # type: ignore[arg-type]
        review = impl._review(facts.as_of, None)[1]  # type: ignore[attr-defined]
        for compiled in impl.compiled.awards:  # type: ignore[attr-defined]
            reads = impl._readings[compiled.award.id].reads  # type: ignore[attr-defined]
            for s in reversed(facts.subjects):  # type: ignore[attr-defined]
                full = {**s.facts, AS_OF: review}
                for given in (full, {k: v for i, (k, v) in enumerate(full.items()) if i % 2}):
                    got = compiled.encode("x-1", given, reads)
                    assert got == _message_as_before(compiled, "x-1", given, reads), (name, s.id)
                    assert _ENCODE_MESSAGE(got) == json.dumps(got, ensure_ascii=False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_record_predicates_kept_per_spec(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The membership of a record in a count or an aggregate is made once per spec of a loaded
    campaign: every example gives the same JSON with the kept functions forgotten at each use."""
    from emulation_rules.campaign import memo
    from emulation_rules.evaluate import record_sets

    runs = [(Engine(c, backend=backend), f) for _, c, f in _examples()]  # type: ignore[arg-type]
    first = [render_json(e.evaluate(f)) for e, f in runs]  # type: ignore[arg-type]
    monkeypatch.setattr(record_sets, "_PREDICATES_MAX", 0)  # the where predicates
    monkeypatch.setattr(memo, "MAX_KEPT", 0)  # the memberships (kept_for_pair), and all kept_for
    assert [render_json(e.evaluate(f)) for e, f in runs] == first  # type: ignore[arg-type]
    reloaded = [(Engine(load_campaign(CAMPAIGNS / f"{n}.yaml"), backend=backend), f)  # type: ignore[arg-type]
                for n, _, f in _examples()]
    assert [render_json(e.evaluate(f)) for e, f in reloaded] == first  # type: ignore[arg-type]
