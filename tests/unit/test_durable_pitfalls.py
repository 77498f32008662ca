"""One test per durable-rules pitfall of shared/DURABLE_RULES.md, each failing without its guard.

The facts used are the TKV 2019 collective standards (seed 000 L96-L102): a grassroots union that
meets every one of them is awarded; the tests then remove, corrupt or fail single facts.
"""

from __future__ import annotations

import json
import sys
import threading
from io import StringIO
from types import MappingProxyType

import pytest

from emulation_rules import Engine, EvaluationError, FactsError, load_campaign, parse_facts
from emulation_rules.cli.app import run
from emulation_rules.errors import EngineUnavailableError
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.evaluate.durable.compiler import compile_campaign
from emulation_rules.facts.reader import Subject

from ..conftest import CAMPAIGNS, ROOT, campaign_files

TKV = CAMPAIGNS / "tkv_2019.yaml"

# Every collective standard of seed 000 met: L96 (launched, propaganda, pledge, registration),
# L100 (yearly review, rigorous review, >= 2 authors with recognised+applied+high-effect
# initiatives), L102 (solidarity, rated "vững mạnh" = strong).
GOOD_UNION = {
    "launched_campaign": True,
    "propaganda_held": True,
    "pledge_signed": True,
    "registration_organised": True,
    "yearly_review_held": True,
    "initiatives_reviewed_rigorously": True,
    "solidarity_and_compliance": True,
    "union_rating": "strong",
    "initiative_ledger": [
        {"title": "Cải tiến sổ theo dõi", "author": "NV-1", "recognized_by": "initiative_council",
         "applied": True, "high_effect": True},
        {"title": "Số hóa hồ sơ đoàn viên", "author": "NV-2", "recognized_by": "science_council",
         "applied": True, "high_effect": True},
    ],
}


def union(sid: str = "CD-1", **changes: object) -> dict[str, object]:
    facts = {k: v for k, v in GOOD_UNION.items() if k not in changes or changes[k] is not None}
    facts.update({k: v for k, v in changes.items() if v is not None})
    for key, value in changes.items():
        if value is None:
            facts.pop(key, None)
    return {"id": sid, "kind": "collective", "level": "grassroots_union", "facts": facts}


needs_durable = pytest.mark.skipif(
    backend_problem("durable") is not None,
    reason=f"durable-rules not loadable here: {backend_problem('durable')}")


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(TKV)


@pytest.fixture(scope="module")
def engine(campaign):
    return Engine(campaign)


def verdict(engine, subject):
    return engine.evaluate([subject]).subjects[0].award("collective_recognition")


def test_baseline_all_standards_met_is_awarded(engine):
    assert verdict(engine, union()).verdict == "awarded"


# Pitfall 1: a fact lacking a field a rule reads is "not handled": missing looks like failing.
def test_missing_fact_is_incomplete_not_failed(engine):
    result = verdict(engine, union(union_rating=None))
    assert result.verdict == "incomplete"
    assert result.missing_facts == ("union_rating",)
    rated = next(c for c in result.criteria if c.criterion_id == "rated_strong")
    assert rated.status == "unknown"
    assert rated.missing == ("union_rating",)


def test_subject_failing_every_criterion_is_handled(engine):
    # Nothing matches but the sentinel: durable would raise MessageNotHandledException.
    bad = {k: False for k, v in GOOD_UNION.items() if isinstance(v, bool)}
    result = verdict(engine, union(**bad, union_rating="weak", initiative_ledger=[]))
    assert result.verdict == "not_awarded"
    assert {c.status for c in result.criteria} == {"fail"}


# Pitfall 2: `$nex` makes the action loop spin forever: it is never emitted.
@pytest.mark.parametrize("path", campaign_files(), ids=lambda p: p.stem)
def test_no_rule_set_uses_nex(path):
    compiled = compile_campaign(load_campaign(path))
    for award in compiled.awards:
        text = award.ruleset_json()
        assert "$nex" not in text
        assert "$not" not in text


def test_negated_condition_compiles_without_nex(campaign):
    yaml_text = TKV.read_text(encoding="utf-8").replace(
        "condition: {fact: member_rating, at_least: fair}",
        "condition: {not: {fact: member_rating, op: '<', value: fair}}",
    )
    c = load_campaign(yaml_text, file="negated.yaml")
    award = next(a for a in compile_campaign(c).awards if a.award.id == "individual_recognition")
    rules = json.loads(award.ruleset_json())[award.ruleset_name]
    assert rules["c__member_rated_fair"] == {"all": [{"m": {"$gte": {"f_member_rating": 2}}}]}


# Pitfall 3: durable fires `score >= 90` for '95' and 'abc', and `flag == true` for 1.
def test_loose_values_are_refused_before_the_engine(campaign):
    with pytest.raises(FactsError) as info:
        parse_facts([union(union_rating="abc"), union("CD-2", pledge_signed=1)], campaign)
    codes = [(p.path[-1], p.code) for p in info.value.problems]
    assert codes == [("union_rating", "invalid-value"), ("pledge_signed", "invalid-value")]


def test_hand_built_subject_with_loose_value_is_refused(engine):
    facts = dict(parse_facts([union()], engine.campaign).subjects[0].facts)
    facts["pledge_signed"] = 1  # durable would read 1 == true as a pass
    subject = Subject("CD-X", "collective", level="grassroots_union", facts=MappingProxyType(facts))
    with pytest.raises(EvaluationError, match="pledge_signed"):
        engine.evaluate([subject])


# Pitfall 4: a rule-set name registers once per host; set_rulesets mutates its input.
@needs_durable
def test_rule_sets_register_once_and_are_not_mutated(campaign):
    engine = Engine(campaign, backend="durable")
    before = [a.ruleset_json() for a in engine.compiled.awards]
    assert verdict(engine, union()).verdict == "awarded"
    assert verdict(engine, union()).verdict == "awarded"  # second call: no re-registration
    assert [a.ruleset_json() for a in engine.compiled.awards] == before
    other = Engine(campaign, backend="durable")  # same campaign, same names, another host
    assert verdict(other, union()).verdict == "awarded"


def test_rule_set_names_carry_content_hash(campaign):
    default = compile_campaign(campaign)
    raised = compile_campaign(campaign, params={"many_individuals_min": 3})
    names = {a.award.id: a.ruleset_name for a in default.awards}
    raised_names = {a.award.id: a.ruleset_name for a in raised.awards}
    assert names["collective_recognition"] != raised_names["collective_recognition"]
    assert names["individual_recognition"] == raised_names["individual_recognition"]
    assert all(n.startswith("er_tkv_2019__") for n in names.values())


# Pitfall 5: hosts start timer threads and rule sets are never freed: no host, each set of rule
# sets registered with durable's core once.
@needs_durable
def test_engine_starts_no_threads(campaign):
    before = threading.active_count()
    engine = Engine(campaign, backend="durable")
    verdict(engine, union())
    assert threading.active_count() == before
    handles = engine._impl._handles
    verdict(engine, union("CD-2"))
    assert engine._impl._handles is handles
    assert Engine(campaign, backend="durable")._impl._shared is engine._impl._shared  # registered once


# Pitfall 6: post_batch returns before actions ran: evaluation is synchronous.
def test_results_are_complete_when_evaluate_returns(engine):
    subjects = [union(f"CD-{i}", pledge_signed=(i % 2 == 0)) for i in range(40)]
    result = engine.evaluate(subjects)
    got = [s.award("collective_recognition").verdict for s in result.subjects]
    # L96 "có ký giao ước thi đua": odd-numbered unions did not sign the pledge.
    assert got == ["awarded" if i % 2 == 0 else "not_awarded" for i in range(40)]


# Pitfall 7: facts accumulate in a session unless retracted: sessions are deleted.
@needs_durable
def test_sessions_are_deleted_after_each_subject(campaign):
    engine = Engine(campaign, backend="durable")
    engine.evaluate([union("CD-1"), union("CD-2")])
    core, handles = engine._impl._core, engine._impl._handles
    for award in engine.compiled.awards:
        for n in range(2):
            with pytest.raises(Exception, match="309"):  # as durable's host.get_facts asks it
                core.get_facts(handles[award.ruleset_name], f"{engine._impl._prefix}{n}")


# Python 3.13: durable-rules builds but fails at import. "auto" falls back to the python backend
# (same verdicts); asking for durable by name is a clear error, exit 3, never a traceback.
def _without_durable(monkeypatch):
    for name in [n for n in sys.modules if n == "durable" or n.startswith("durable.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "durable", None)  # import durable -> ImportError


@needs_durable
def test_auto_backend_falls_back_to_python_with_the_same_verdicts(campaign, monkeypatch):
    expected = Engine(campaign, backend="durable").evaluate([union()])
    _without_durable(monkeypatch)
    engine = Engine(campaign)
    assert engine.backend == "python"
    got = engine.evaluate([union()])
    assert got == expected
    assert (got.backend, expected.backend) == ("python", "durable")


def test_durable_backend_by_name_is_reported_clearly(campaign, monkeypatch):
    _without_durable(monkeypatch)
    with pytest.raises(EngineUnavailableError, match="durable") as info:
        Engine(campaign, backend="durable")
    assert "backend='python'" in str(info.value)


def test_cli_reports_engine_unavailable_with_exit_3(monkeypatch, tmp_path):
    _without_durable(monkeypatch)
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"subjects": [union()]}), encoding="utf-8")
    out, err = StringIO(), StringIO()
    code = run(["evaluate", str(TKV), "--facts", str(facts), "--backend", "durable"],
               stdout=out, stderr=err)
    assert code == 3
    assert "durable" in err.getvalue() and "--backend auto|python" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    out = StringIO()
    code = run(["evaluate", str(TKV), "--facts", str(facts), "--format", "json"], stdout=out,
               stderr=StringIO())
    assert code == 0
    assert json.loads(out.getvalue())["backend"] == "python"


# Found here (not in DURABLE_RULES.md): durable's JSON parser fails with error 204 on numbers
# written with an exponent and no decimal point, as Python writes 1e+16 or 1e-05.
BENEFIT_CAMPAIGN = (ROOT / "tests" / "cases" / "invalid" / "unknown-key.yaml").read_text(
    encoding="utf-8").replace("txt_vi:", "text_vi:").replace("""  - id: launched
    applies_to: collective
    type: bool""", """  - id: benefit_vnd
    applies_to: collective
    type: decimal
    unit: VND
    label: {vi: "Giá trị làm lợi", en: "Benefit value"}
  - id: launched
    applies_to: collective
    type: bool""").replace(
    'condition: {fact: launched, op: "==", value: true}',
    # DOMAIN.md §1.3, Bằng Lao động sáng tạo (1.1): at least 80 million VND.
    'condition: {fact: benefit_vnd, op: ">=", value: 80000000}')


@needs_durable
def test_large_and_small_decimals_never_reach_durable_in_exponent_form(monkeypatch):
    # a campaign given as text is figure-checked only against configured documents (the suite
    # configures the seeds for the shipped campaigns): this one's thresholds are not in the plan
    monkeypatch.delenv("EMULATION_RULES_DOCUMENTS", raising=False)
    c = load_campaign(BENEFIT_CAMPAIGN, file="benefit.yaml")
    engine = Engine(c, backend="durable")
    ledger = [{"author": "NV-1", "applied": True}, {"author": "NV-2", "applied": True}]
    subjects = [
        {"id": f"U{i}", "kind": "collective", "level": "grassroots_union",
         "facts": {"rating": "strong", "ledger": ledger, "benefit_vnd": value}}
        for i, value in enumerate([1e16, 79_999_999.5, 80_000_000.0, 1e300])
    ]
    got = [s.awards[0].verdict for s in engine.evaluate(subjects).subjects]
    assert got == ["awarded", "not_awarded", "awarded", "awarded"]
    with pytest.raises(FactsError) as info:
        parse_facts([{**subjects[0], "facts": {"benefit_vnd": 1e-05}}], c)
    assert "too small" in info.value.problems[0].message
