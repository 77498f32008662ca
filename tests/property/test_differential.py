"""Differential test (issues 4, 9): the durable-rules engine, the python backend
(reference evaluator) and the polars backend
(:mod:`emulation_rules.reference`, which shares no evaluation code with the compiler) give the
same verdict and per-criterion status for every generated subject, on every campaign file
present under campaigns/ and on the every-construct campaign of tests/unit/test_bulk.py
(score sheet, dates, parameters, records with not/distinct).

Expected values are not hand-picked here: each path is the other's oracle. The seed-derived
verdicts of both are tested in tests/unit (test_tkv_verdicts.py, test_reference.py).
Examples per campaign: the hypothesis profile (tests/property/conftest.py; "ci" = 200).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulation_rules import Engine, load_campaign, parse_facts
from emulation_rules.authoring.strategies import facts_for, subjects
from emulation_rules.campaign import model as m
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.reference import ReferenceEvaluator
from emulation_rules.results.render import render_csv

from ..conftest import campaign_files
from ..unit.test_bulk import _CONSTRUCTS

CONSTRUCTS = Path("constructs.yaml")
AWARD_DEPS = Path(__file__).resolve().parents[1] / "data" / "award_deps" / "campaign.yaml"
"""Awards that build on awards and titles held (issue 10, item 2), reviewed on AS_OF."""
AS_OF = {"award_deps": dt.date(2024, 12, 31)}  # by campaign id


def _load(path: Path) -> m.Campaign:
    return load_campaign(_CONSTRUCTS, file=str(path)) if path == CONSTRUCTS else load_campaign(path)


@pytest.fixture(scope="module", params=[*campaign_files(), CONSTRUCTS, AWARD_DEPS],
                ids=lambda p: p.parent.name if p == AWARD_DEPS else p.stem)
def pair(request: pytest.FixtureRequest) -> tuple[m.Campaign, Engine, ReferenceEvaluator, Engine | None]:
    campaign = _load(request.param)
    polars = Engine(campaign, backend="polars") if backend_problem("polars") is None else None
    return campaign, Engine(campaign), ReferenceEvaluator(campaign), polars


def mixed(campaign: m.Campaign, as_of: dt.date | None = None) -> st.SearchStrategy[list[dict]]:
    """Random subject lists, plus single subjects built to be awarded or to fail an award."""
    parts: list[st.SearchStrategy[list[dict]]] = [subjects(campaign, as_of=as_of)]
    for kind in ("collective", "individual"):
        if any(a.subject == kind and a.criteria_delegated_to is None for a in campaign.awards):
            for sat in (True, False):
                parts.append(facts_for(campaign, kind, satisfying=sat, as_of=as_of).map(lambda s: [s]))
    return st.one_of(parts)


def _statuses(evaluation) -> dict:
    return {
        (s.subject_id, a.award_id): (
            a.verdict,
            tuple((c.criterion_id, c.status) for c in a.criteria),
        )
        for s in evaluation.subjects
        for a in s.awards
    }


def test_engine_and_reference_agree(pair) -> None:
    campaign, engine, reference, polars = pair
    as_of = AS_OF.get(campaign.id)

    @given(mixed(campaign, as_of))
    def check(raw: list[dict]) -> None:
        submission = parse_facts(raw, campaign)
        durable = engine.evaluate(submission, as_of=as_of)
        ref = reference.evaluate(submission, as_of=as_of)
        assert _statuses(durable) == _statuses(ref), raw
        # beyond verdicts: missing facts, values, thresholds, points and bands are equal too
        assert durable == ref, raw
        if polars is not None:  # the third backend: statuses, points, bands, missing facts
            table = polars.evaluate(submission, as_of=as_of)
            assert _statuses(table) == _statuses(ref), raw
            assert render_csv(table) == render_csv(ref), raw

    check()
