"""Three-valued (Kleene) logic, the same in every backend (issue 10, item 4).

``any`` is true as soon as one branch is true, whatever the others; ``all`` is false as soon as
one branch is false; ``not`` swaps true and false and keeps unknown. A fact that was not
submitted leaves a criterion undecided only where it matters, and only then is it listed as
missing. The example of the issue: a person with 12 months' work and no ``maternity_leave``
fact was ``incomplete`` for a title whose standard reads "12 months' work, or maternity leave".
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulation_rules import Engine, load_campaign
from emulation_rules.evaluate.base import backend_problem

CAMPAIGN = """\
schema_version: 2
id: kleene
title: {vi: "Ba giá trị", en: "Three values"}
issuer: {vi: "Kiểm thử", en: "Test"}
documents: [{id: plan, kind: plan, number: "0/KT", text: plan.txt}]
mode: regular
phases:
  - {id: y, kind: campaign, label: {vi: "Năm", en: "Year"}, start: 2020-01-01,
     source: {doc: plan, lines: 1}}
subjects:
  collective_levels: []
  individual_roles:
    - {id: worker, label: {vi: "Người lao động", en: "Worker"}}
facts:
  - {id: months_worked, applies_to: individual, type: int, minimum: 0, label: {vi: "Số tháng", en: "Months"}}
  - {id: maternity_leave, applies_to: individual, type: bool, label: {vi: "Nghỉ thai sản", en: "Maternity leave"}}
  - {id: disciplined, applies_to: individual, type: bool, label: {vi: "Bị kỷ luật", en: "Disciplined"}}
awards:
  - id: title
    kind: title
    subject: individual
    label: {vi: "Danh hiệu", en: "Title"}
    eligibility: {roles: [worker], source: {doc: plan, lines: 1}}
    source: {doc: plan, lines: 1}
    criteria:
      - id: worked
        label: {vi: "Đủ thời gian", en: "Worked long enough"}
        text_vi: "Làm việc đủ 12 tháng hoặc nghỉ thai sản"
        condition: {any: [{fact: months_worked, op: ">=", value: 12},
                          {fact: maternity_leave, op: "==", value: true}]}
        source: {doc: plan, lines: 1}
      - id: clean_and_worked
        label: {vi: "Không kỷ luật", en: "Not disciplined"}
        text_vi: "Không bị kỷ luật và làm đủ 6 tháng"
        condition: {all: [{not: {fact: disciplined, op: "==", value: true}},
                          {fact: months_worked, op: ">=", value: 6}]}
        source: {doc: plan, lines: 1}
"""

BACKENDS = [b for b in ("durable", "python", "polars") if backend_problem(b) is None]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def engines() -> dict[str, Engine]:
    campaign = load_campaign(CAMPAIGN, file="kleene.yaml")
    return {b: Engine(campaign, backend=b) for b in BACKENDS}  # type: ignore[arg-type]


def _statuses(engine: Engine, facts: dict) -> tuple:
    result = engine.evaluate([{"id": "P", "kind": "individual", "role": "worker", "facts": facts}])
    award = result.subjects[0].award("title")
    return award.verdict, tuple((c.criterion_id, c.status) for c in award.criteria), award.missing_facts


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # any: one true branch decides, the missing one does not matter (the example)
        ({"months_worked": 12, "disciplined": False},
         ("awarded", (("worked", "pass"), ("clean_and_worked", "pass")), ())),
        # any: the known branch is false, the other is missing -> undecided, that fact listed
        ({"months_worked": 3, "disciplined": False},
         ("not_awarded", (("worked", "unknown"), ("clean_and_worked", "fail")), ("maternity_leave",))),
        # all: one false branch decides (disciplined), the other is missing
        ({"disciplined": True, "maternity_leave": True},
         ("not_awarded", (("worked", "pass"), ("clean_and_worked", "fail")), ())),
        # not keeps unknown: nothing known about discipline, enough months worked
        ({"months_worked": 13},
         ("incomplete", (("worked", "pass"), ("clean_and_worked", "unknown")), ("disciplined",))),
    ],
)
def test_kleene_in_every_backend(engines, facts, expected):
    for backend, engine in engines.items():
        assert _statuses(engine, facts) == expected, backend


FACTS = st.fixed_dictionaries(
    {},
    optional={"months_worked": st.integers(0, 24), "maternity_leave": st.booleans(),
              "disciplined": st.booleans()},
)


@settings(max_examples=150, deadline=None)
@given(FACTS, st.sampled_from(["months_worked", "maternity_leave", "disciplined"]), st.data())
def test_adding_a_fact_never_undoes_a_decision(engines, facts, extra, data):
    """Monotonic: a criterion decided without a fact stays decided, the same way, with it."""
    if extra in facts:
        return
    value = data.draw(st.integers(0, 24) if extra == "months_worked" else st.booleans())
    for engine in engines.values():
        before = dict(_statuses(engine, facts)[1])
        after = dict(_statuses(engine, {**facts, extra: value})[1])
        for crit, status in before.items():
            if status != "unknown":
                assert after[crit] == status, (facts, extra, value)
