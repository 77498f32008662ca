"""The durable backend shares a result among subjects that end alike (evaluate/durable/reading.py):
the JSON of every subject must be what it would be built alone, byte for byte.

The python backend builds every result afresh, so its JSON is the reference.
"""

from __future__ import annotations

import json
import sys
import threading
from types import MappingProxyType

import pytest

from emulation_rules import Engine, load_campaign, load_facts, parse_facts
from emulation_rules.authoring import _synthetic as synthetic
from emulation_rules.evaluate.durable import reading
from emulation_rules.facts.reader import Subject

from ..conftest import CAMPAIGNS
from .test_durable_pitfalls import BENEFIT_CAMPAIGN, needs_durable

pytestmark = needs_durable


def _text(evaluation) -> str:
    doc = evaluation.to_dict()
    doc.pop("backend")
    return json.dumps(doc, ensure_ascii=False)


def _both(campaign, subjects):
    durable = Engine(campaign, backend="durable").evaluate(subjects)
    python = Engine(campaign, backend="python").evaluate(subjects)
    return durable, python


def test_subjects_that_end_alike_share_a_result_and_print_the_same(tmp_path):
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    path = synthetic.write_csv(campaign, 400, tmp_path / "subjects.csv", seed=7)
    subjects = load_facts(path, campaign).subjects
    durable, python = _both(campaign, subjects)
    assert _text(durable) == _text(python)
    results = [s.award("individual_recognition") for s in durable.subjects if s.kind == "individual"]
    shared = len(results) - len({id(r) for r in results})
    assert shared > 100  # 400 synthetic people, values around a few thresholds: many end alike


def _benefit(sid: str, value: float, *, hand_built: bool = False):
    ledger = [{"author": "NV-1", "applied": True}, {"author": "NV-2", "applied": True}]
    facts = {"rating": "strong", "ledger": ledger, "benefit_vnd": value}
    if hand_built:  # not through the reader: a decimal may then be an int (is_coerced)
        facts["ledger"] = tuple(MappingProxyType(r) for r in ledger)
        return Subject(sid, "collective", level="grassroots_union", facts=MappingProxyType(facts))
    return {"id": sid, "kind": "collective", "level": "grassroots_union", "facts": facts}


def test_equal_numbers_that_print_differently_are_never_shared(monkeypatch):
    monkeypatch.delenv("EMULATION_RULES_DOCUMENTS", raising=False)  # see test_durable_pitfalls
    campaign = load_campaign(BENEFIT_CAMPAIGN, file="benefit.yaml")
    read = parse_facts([_benefit("A", -0.0), _benefit("B", 0.0), _benefit("D", 90_000_000.0)],
                       campaign).subjects
    subjects = [*read[:2], _benefit("C", 90_000_000, hand_built=True), read[2]]
    durable, python = _both(campaign, subjects)
    assert _text(durable) == _text(python)
    shown = [json.dumps(s.awards[0].criteria[1].values["benefit_vnd"]) for s in durable.subjects]
    assert shown == ["-0.0", "0.0", "90000000", "90000000.0"]  # 0.0 == -0.0 and 9e7 == 9e7 in Python


def test_the_memory_of_results_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MEMO_SIZE", 8)
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    path = synthetic.write_csv(campaign, 200, tmp_path / "subjects.csv", seed=11)
    subjects = load_facts(path, campaign).subjects
    engine = Engine(campaign, backend="durable")
    durable = engine.evaluate(subjects)
    assert _text(durable) == _text(Engine(campaign, backend="python").evaluate(subjects))
    memos = [len(r.memo) for r in engine._impl._readings.values()]
    assert max(memos) <= 8 and sum(memos) > 0


@pytest.mark.parametrize("kind", ["collective", "individual"])
def test_a_subject_alone_prints_as_in_a_batch(tmp_path, kind):
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    path = synthetic.write_csv(campaign, 120, tmp_path / "subjects.csv", seed=5)
    subjects = [s for s in load_facts(path, campaign).subjects if s.kind == kind]
    batch = Engine(campaign, backend="durable").evaluate(subjects).to_dict()["subjects"]
    for i in range(0, len(subjects), max(1, len(subjects) // 10)):
        alone = Engine(campaign, backend="durable").evaluate([subjects[i]])  # a fresh memory each
        assert json.dumps(alone.to_dict()["subjects"][0], ensure_ascii=False) == json.dumps(
            batch[i], ensure_ascii=False)


def test_one_subject_at_a_time_from_several_threads(tmp_path):
    # Engine.evaluate_subject shares the durable host and the set of rules fired with every
    # other call: without the lock, another thread's subject cleared it ("sentinel rule did not
    # fire") or mixed its rules into this one's (wrong statuses)
    before = sys.getswitchinterval()
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    subjects = load_facts(synthetic.write_csv(campaign, 150, tmp_path / "s.csv", seed=2), campaign).subjects
    engine = Engine(campaign, backend="durable")
    expected = {s.id: engine.evaluate_subject(s) for s in subjects}
    wrong: list[object] = []

    def work() -> None:
        try:
            for s in subjects * 2:
                if engine.evaluate_subject(s) != expected[s.id]:
                    wrong.append(s.id)
        except Exception as exc:  # reported by the assertion below
            wrong.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(before)
    assert wrong == []
