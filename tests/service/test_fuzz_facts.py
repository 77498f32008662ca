"""Fuzzing the evaluation endpoint with valid submissions of every shipped campaign.

Subjects come from the campaign-derived strategies (values at every threshold, facts left out,
record lists around every count); each submission posted to the real server must be answered
200 with the very document the python backend computes in-process (the server runs ``auto``,
i.e. durable-rules where it loads: a differential test across the HTTP layer and the backends).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulation_rules import Engine, load_campaign
from emulation_rules.facts.history import some_review_day
from emulation_rules.testing import subjects

from ..conftest import campaign_files

CAMPAIGNS = {p.stem: load_campaign(p) for p in campaign_files()}


@cache
def _reference(campaign_id: str) -> Engine:
    return Engine(CAMPAIGNS[campaign_id], backend="python")


def _iso(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


@pytest.mark.parametrize("campaign_id", sorted(CAMPAIGNS))
def test_served_evaluation_equals_the_python_backend(
    client: httpx.Client, campaign_id: str
) -> None:
    campaign = CAMPAIGNS[campaign_id]
    # a standing regulation has no phases: the review year of one of its review dates
    phases = campaign.phases or (campaign.phase_at(some_review_day(campaign)),)
    days = st.sampled_from([p.start for p in phases] + [p.end for p in phases if p.end])

    @given(items=subjects(campaign, max_size=5), as_of=days)
    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def check(items: list[dict], as_of: dt.date) -> None:
        body = json.dumps(
            {"campaign": campaign_id, "as_of": as_of.isoformat(), "subjects": items},
            default=_iso,
            ensure_ascii=False,
        ).encode()
        r = client.post(
            f"/campaigns/{campaign_id}/evaluations",
            content=body,
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 200, r.text
        served = r.json()
        expected = json.loads(
            json.dumps(_reference(campaign_id).evaluate(json.loads(body)).to_dict())
        )
        assert served == {**expected, "backend": served["backend"]}

    check()
