"""The facts reader's short way through a plain subject (facts/plan.py) reads what the full way
reads, value for value and type for type, and gives up on everything else; its plan is made once
per campaign object, so a campaign loaded again (edited) is read by its own."""

from __future__ import annotations

import copy
import datetime as dt
import random
import unicodedata
from typing import Any

import pytest
import yaml

from emulation_rules import FactsError, load_campaign, parse_facts
from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.facts.coerce import Invalid, coerce_value
from emulation_rules.facts.plan import SLOW, reading_plan
from emulation_rules.facts.reader import FactsReader

from ..conftest import CAMPAIGNS, EXAMPLES

PAIRS = sorted((c, EXAMPLES / c.stem / "facts.yaml") for c in CAMPAIGNS.glob("*.yaml")
               if (EXAMPLES / c.stem / "facts.yaml").exists())
PAIRS.append((EXAMPLES / "review_cycle" / "campaign.yaml", EXAMPLES / "review_cycle" / "facts_2025.yaml"))

POOL: list[Any] = [
    None, True, False, 0, 1, -1, 7, 100, 101, 2**53, 2**53 + 1, 2**63, -(2**63) - 1, 2**70, 10**400, 0.0, -0.0,
    1.5, 99.99, 100.0, 100.5, -0.5, 1e-9, 5e-5, 1e-4, 1e300, float("inf"), float("nan"), "", " ", "abc", "1",
    "0", "x", "yes", "true", "có", "9,6", "1,000", "15%", "50", " 7 ", "2019-12-31", " 2019-12-31 ", "31/12/2019",
    "2019-02-30", "2019-W52-7", "20191231", "Khá", "KHÁ", " khá", "Vững mạnh", unicodedata.normalize("NFD", "Yếu"),
    "Tập thể", "ﬁ", [], {}, [{}], [1], {"a": 1}, dt.date(2019, 6, 14), dt.datetime(2019, 6, 14, 8, 0),
]


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1 == 1.0 == True would pass ``==``)."""
    return a == b and repr(a) == repr(b)


def names(decl: Any) -> list[Any]:
    """Each enum value's id and labels, as written and altered."""
    out: list[Any] = []
    for v in getattr(decl, "values", ()) or ():
        for name in (v.id, v.label.vi, v.label.en):
            out += [name, name.upper(), f" {name} ", unicodedata.normalize("NFD", name)]
    return out


def every_decl(campaign: Any) -> list[Any]:
    out = []
    for f in campaign.facts:
        out.append(f)
        out += list(f.fields)
    return out


@pytest.mark.parametrize(("campaign_file", "facts_file"), PAIRS, ids=lambda p: p.parent.name + "/" + p.name)
def test_a_fact_is_read_as_coerce_value_reads_it(campaign_file, facts_file) -> None:
    campaign = load_campaign(campaign_file)
    plan = reading_plan(campaign)
    for decl in campaign.facts:
        if decl.type == "records":
            continue  # read row by row: the subjects below
        read = plan.facts[decl.id][1]
        for value in POOL + names(decl):
            want = coerce_value(decl, value)
            got = read(value)
            if isinstance(want, Invalid):
                assert got is SLOW, (decl.id, value, got)
            else:
                assert same(got, want), (decl.id, value, got, want)


def mutated(data: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """``data`` with one subject changed at random: a key, a fact or a record field."""
    d = copy.deepcopy(data)
    s = rnd.choice(d["subjects"])
    r = rnd.random()
    if r < 0.1:
        s[rnd.choice(["bogus", "history", "proposed_for"])] = rnd.choice(POOL)
    elif r < 0.3:
        key = rnd.choice(["id", "kind", "level", "role", "unit", "name", "facts"])
        s[key] = rnd.choice([*POOL, "collective", "individual", "Cá nhân", str(s.get(key, "")).upper()])
    else:
        facts = s.setdefault("facts", {}) or {}
        if not facts:
            return d
        key = rnd.choice(list(facts))
        value = facts[key]
        if isinstance(value, list) and value and isinstance(value[0], dict) and rnd.random() < 0.7:
            rec = rnd.choice(value)
            field = rnd.choice([*rec, "unknown_field"]) if rec else "unknown_field"
            rec[field] = rnd.choice([*POOL, *names(_decl_of(field))])
        else:
            facts[key] = rnd.choice([*POOL, *names(_decl_of(key)), "unknown_fact"] if r < 0.95 else [None])
            if r > 0.97:
                facts["unknown_fact"] = 1
    return d


_DECLS: dict[str, Any] = {}


def _decl_of(fid: str) -> Any:
    return _DECLS.get(fid)


def read_both(campaign: Any, raw: Any) -> tuple[Any, list[Any], Any, list[Any], bool]:
    """A subject read with the plan and the full way: (subject, problems) of each, and whether
    the short way took it."""
    fast = FactsReader(campaign, SourceMap())
    full = FactsReader(campaign, SourceMap())
    full.plan = None
    out_fast: list[Any] = []
    out_full: list[Any] = []
    took = fast.plan is not None and isinstance(raw, dict) and fast.plan.subject(raw) is not None
    return (fast.subject(raw, ("subjects", 0), out_fast), out_fast,
            full.subject(raw, ("subjects", 0), out_full), out_full, took)


@pytest.mark.parametrize(("campaign_file", "facts_file"), PAIRS, ids=lambda p: p.parent.name + "/" + p.name)
def test_a_subject_is_read_as_the_full_way_reads_it(campaign_file, facts_file) -> None:
    campaign = load_campaign(campaign_file)
    _DECLS.clear()
    _DECLS.update({d.id: d for d in every_decl(campaign)})
    data = yaml.safe_load(facts_file.read_text(encoding="utf-8"))
    rnd = random.Random(facts_file.name)
    taken = 0
    variants = [data] + [mutated(data, rnd) for _ in range(150)]
    for variant in variants:
        for raw in variant["subjects"]:
            fast, fast_problems, full, full_problems, took = read_both(campaign, raw)
            assert same(fast, full), raw
            assert [p.to_dict() for p in fast_problems] == [p.to_dict() for p in full_problems], raw
            if took:
                assert fast is not None and not full_problems, raw
                taken += 1
    plain = sum(read_both(campaign, raw)[4] for raw in data["subjects"])
    assert plain >= len(data["subjects"]) // 2, "the shipped example's subjects are mostly plain"
    assert taken > plain


def test_csv_text_is_read_the_full_way() -> None:
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    assert FactsReader(campaign, SourceMap(), from_text=True).plan is None
    assert FactsReader(campaign, SourceMap()).plan is reading_plan(campaign)


def test_the_plan_is_made_once_per_campaign_and_an_edited_campaign_has_its_own(tmp_path) -> None:
    text = (CAMPAIGNS / "tkv_2019.yaml").read_text(encoding="utf-8")
    before = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    assert reading_plan(before) is reading_plan(before)
    (tmp_path / "tkv_2019.yaml").write_text(
        text.replace('label: {vi: "Khá", en: "Fair"}', 'label: {vi: "Khá tốt", en: "Fair"}'), encoding="utf-8")
    edited = load_campaign(tmp_path / "tkv_2019.yaml")
    assert reading_plan(edited) is not reading_plan(before)
    member = {"id": "NV-1", "kind": "individual", "role": "member", "facts": {"member_rating": "Khá tốt"}}
    assert parse_facts([member], edited).subjects[0].facts["member_rating"] == "fair"
    with pytest.raises(FactsError) as info:
        parse_facts([member], before)
    assert info.value.problems[0].code == "invalid-value"
    member["facts"]["member_rating"] = "Khá"
    assert parse_facts([member], before).subjects[0].facts["member_rating"] == "fair"
    with pytest.raises(FactsError):
        parse_facts([member], edited)
