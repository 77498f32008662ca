"""The reference evaluator on the TKV 2019 example: the same seed-derived verdicts as the
durable engine (expected values and their seed lines: tests/unit/test_tkv_verdicts.py, seed 000
L89-L110), and it imports no durable-path code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from emulation_rules import CompileError, load_campaign, load_facts
from emulation_rules.evaluate import python as ref_module
from emulation_rules.reference import ReferenceEvaluator

from ..conftest import CAMPAIGNS, EXAMPLES
from .test_tkv_verdicts import EXPECTED


@pytest.fixture(scope="module")
def evaluation():
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    return ReferenceEvaluator(campaign).evaluate(
        load_facts(EXAMPLES / "tkv_2019" / "facts.yaml", campaign)
    )


@pytest.mark.parametrize("subject_id", list(EXPECTED))
def test_verdict(evaluation, subject_id):
    verdict, failing, unknown, missing = EXPECTED[subject_id]
    (award,) = evaluation.subject(subject_id).awards
    assert award.verdict == verdict
    assert [c.criterion_id for c in award.criteria if c.status == "fail"] == failing
    assert [c.criterion_id for c in award.criteria if c.status == "unknown"] == unknown
    assert list(award.missing_facts) == missing


def test_param_override_changes_many_individuals():
    # L100 "nhiều cá nhân": CD-HALAM has 2 distinct authors; with many_individuals_min = 3 it fails.
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    facts = load_facts(EXAMPLES / "tkv_2019" / "facts.yaml", campaign)
    result = ReferenceEvaluator(campaign, params={"many_individuals_min": 3}).evaluate(facts)
    award = result.subject("CD-HALAM").award("collective_recognition")
    assert award.verdict == "not_awarded"
    assert [c.criterion_id for c in award.criteria if c.status == "fail"] == [
        "many_applied_initiatives"
    ]
    with pytest.raises(CompileError):
        ReferenceEvaluator(campaign, params={"nhieu": 3})


def test_shares_no_evaluation_code_with_the_durable_path():
    tree = ast.parse(Path(ref_module.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(
        name and ("compiler" in name or "engine" in name or "durable" in name) for name in imported
    ), imported
