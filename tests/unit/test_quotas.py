"""Quotas on the award set: Điện Biên (shared/seeds/001_0bb5bd67ed852005.txt) L14
"Ít nhất 15% tổng số cá nhân được khen thưởng hàng năm là công nhân, lao động trực tiếp sản
xuất, công chức, viên chức không giữ vị trí lãnh đạo, quản lý".

"Ít nhất" makes exactly 15% met; ceil(15% x 20) = 3 qualifying people are needed among 20.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulation_rules import Engine, load_campaign
from emulation_rules.cli.app import run
from emulation_rules.facts.reader import parse_facts
from emulation_rules.reference import ReferenceEvaluator
from emulation_rules.results.quotas import additional_needed

from ..conftest import CAMPAIGNS, EXAMPLES

DB = CAMPAIGNS / "dienbien_2020.yaml"
DB_FACTS = EXAMPLES / "dienbien_2020" / "facts.yaml"

QUALIFIES = {"commended_by": "grassroots_union", "direct_production_worker": True,
             "civil_servant_or_public_employee": False, "holds_management_post": False}
MANAGER = {"commended_by": "upper_union", "direct_production_worker": False,
           "civil_servant_or_public_employee": True, "holds_management_post": True}


@pytest.fixture(scope="module")
def db():
    return load_campaign(DB)


@pytest.fixture(scope="module")
def engine(db):
    return Engine(db)


def people(qualifying: int, others: int) -> list[dict]:
    return [{"id": f"Q{i}", "kind": "individual", "role": "worker", "facts": QUALIFIES}
            for i in range(qualifying)] + [
        {"id": f"M{i}", "kind": "individual", "role": "worker", "facts": MANAGER}
        for i in range(others)]


@pytest.mark.parametrize(
    ("qualifying", "others", "status", "shortfall", "added"),
    [
        (3, 17, "met", 0, 0),       # 3/20 = 15% exactly: "ít nhất" -> met
        (2, 18, "not_met", 1, 2),   # 2/20 = 10%: 3 needed; adding k: (2+k)/(20+k) >= .15 -> k = 2
        (0, 7, "not_met", 2, 2),    # ceil(1.05) = 2 needed; (0+k)/(7+k) >= .15 -> k >= 1.24 -> 2
        (1, 5, "met", 0, 0),        # 1/6 = 16.7%
        (1, 6, "not_met", 1, 1),    # 1/7 = 14.3%: ceil(1.05) = 2; (1+1)/8 = 25%
    ],
)
def test_status_and_shortfall(engine, qualifying, others, status, shortfall, added) -> None:
    ev = engine.evaluate(parse_facts(people(qualifying, others), engine.campaign))
    (q,) = ev.quotas
    assert (q.awardees, q.qualifying, q.status, q.shortfall, q.additional_needed) == (
        qualifying + others, qualifying, status, shortfall, added)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 200), st.integers(0, 200), st.sampled_from([10.0, 15.0, 33.3, 50.0, 99.0]))
def test_additional_needed_is_the_smallest_sufficient_k(n_other, q, share) -> None:
    n = q + n_other
    k = additional_needed(n, q, share)
    p = share / 100
    reached = lambda k: n + k > 0 and (q + k) >= p * (n + k) - 1e-12  # noqa: E731
    assert reached(k)
    assert k == 0 or not reached(k - 1)


def test_a_hundred_percent_quota_cannot_be_reached_by_adding() -> None:
    with pytest.raises(ValueError):
        additional_needed(10, 9, 100)


def test_only_awardees_are_counted(engine) -> None:
    # 001 L14 counts "cá nhân được khen thưởng": a qualifying person not commended is outside
    raw = [*people(3, 17), {"id": "N", "kind": "individual", "role": "worker",
                            "facts": {**QUALIFIES, "commended_by": "none"}}]
    (q,) = engine.evaluate(parse_facts(raw, engine.campaign)).quotas
    assert (q.awardees, q.qualifying) == (20, 3)


def test_reference_evaluator_gives_the_same_quotas(db, engine) -> None:
    raw = people(2, 18)
    sub = parse_facts(raw, db)
    assert ReferenceEvaluator(db).evaluate(sub).quotas == engine.evaluate(sub).quotas


def test_evaluate_json_and_table_report_the_quota() -> None:
    out = io.StringIO()
    assert run(["evaluate", str(DB), "--facts", str(DB_FACTS), "--format", "json"], stdout=out) == 0
    (q,) = json.loads(out.getvalue())["quotas"]
    # examples/dienbien_2020/facts.yaml: 3 of the 20 commended people qualify (P03 counted once)
    assert (q["quota"], q["awardees"], q["qualifying"], q["status"], q["required_count"]) == (
        "direct_workers_among_commended", 20, 3, "met", 3)
    assert q["source"] == "Kế hoạch LĐLĐ tỉnh Điện Biên 2020, mục II.3 (dòng 14)"
    table = io.StringIO()
    run(["evaluate", str(DB), "--facts", str(DB_FACTS)], stdout=table)
    assert "direct_workers_among_commended: met — 3/20 awardees qualify (15.00%" in table.getvalue()


def test_json_has_quotas_key_even_without_quotas() -> None:
    out = io.StringIO()
    run(["evaluate", str(CAMPAIGNS / "tkv_2019.yaml"), "--facts",
         str(EXAMPLES / "tkv_2019" / "facts.yaml"), "--format", "json"], stdout=out)
    assert json.loads(out.getvalue())["quotas"] == []


def test_table_states_the_shortfall(engine) -> None:
    from emulation_rules.results.render import render_table

    ev = engine.evaluate(parse_facts(people(2, 18), engine.campaign))
    assert "short by 1 of the 3 needed (or add 2 qualifying awardee(s))" in render_table(ev)
