"""The public strategies of :mod:`emulation_rules.testing` do what their docstrings promise,
checked against the durable-rules engine (not the reference evaluator they filter with)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from emulation_rules import Engine, load_campaign, parse_facts
from emulation_rules.authoring.strategies import boundary_values, facts_for, subjects
from emulation_rules.campaign import model as m
from emulation_rules.evaluate.units import reads_unit

from ..conftest import CAMPAIGNS, campaign_files
from ..unit.test_bulk import _CONSTRUCTS

CONSTRUCTS = Path("constructs.yaml")
_FEW = settings(settings.default, max_examples=max(30, settings.default.max_examples // 4))


@pytest.fixture(scope="module", params=[*campaign_files(), CONSTRUCTS], ids=lambda p: p.stem)
def ce(request: pytest.FixtureRequest) -> tuple[m.Campaign, Engine]:
    path = request.param
    campaign = (
        load_campaign(_CONSTRUCTS, file=str(path)) if path == CONSTRUCTS else load_campaign(path)
    )
    return campaign, Engine(campaign)


@pytest.mark.parametrize("satisfying", [True, False])
def test_facts_for_satisfying_gives_that_verdict(ce, satisfying: bool) -> None:
    campaign, engine = ce
    awards = [a for a in campaign.awards if a.criteria_delegated_to is None and a.criteria
              and not (satisfying and reads_unit(a))]  # a lone subject lacks the unit it reads
    if not awards:
        pytest.skip(f"{campaign.id}: every award delegates its criteria")
    for award in awards:
        _check_award(campaign, engine, award, satisfying)


def _check_award(campaign: m.Campaign, engine: Engine, award: m.Award, satisfying: bool) -> None:
    @_FEW
    @given(facts_for(campaign, award.subject, award.id, satisfying=satisfying))
    def check(raw: dict) -> None:
        result = engine.evaluate(parse_facts([raw], campaign)).subjects[0].award(award.id)
        assert result.verdict == ("awarded" if satisfying else "not_awarded"), raw
        assert (raw.get("level") or raw.get("role")) in (
            award.eligibility.levels or award.eligibility.roles
        )

    check()


def test_subjects_are_valid_and_mix_kinds(ce) -> None:
    campaign, _ = ce
    kinds: set[str] = set()

    @_FEW
    @given(subjects(campaign))
    def check(raw: list[dict]) -> None:
        submission = parse_facts(raw, campaign)  # raises FactsError if a value is invalid
        assert len({s.id for s in submission.subjects}) == len(raw)
        kinds.update(s.kind for s in submission.subjects)

    check()
    declared = {
        k
        for k, levels in (
            ("collective", campaign.subjects.collective_levels),
            ("individual", campaign.subjects.individual_roles),
        )
        if levels
    }
    assert kinds == declared


def test_boundary_values_of_tkv_ratings() -> None:
    campaign = load_campaign(CAMPAIGNS / "tkv_2019.yaml")
    # seed 000 L102 "vững mạnh trở lên": the ranks beside 'strong' on the union scale (d09).
    assert set(boundary_values(campaign, "union_rating")) == {"fair", "strong", "strong_excellent"}
    # seed 000 L110 "khá trở lên": the ranks beside 'fair' on the member scale.
    assert set(boundary_values(campaign, "member_rating")) == {"average", "fair", "excellent"}


def test_boundary_values_of_numbers_and_dates() -> None:
    campaign = load_campaign(_CONSTRUCTS, file="constructs.yaml")
    values = boundary_values(campaign, "joined")  # constructs: joined >= 2020-01-01
    import datetime as dt

    assert {dt.date(2019, 12, 31), dt.date(2020, 1, 1), dt.date(2020, 1, 2)} <= set(values)


def test_import_without_hypothesis_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n import emulation_rules.testing\nexcept ImportError as e: print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "emulation-rules[testing]" in out.stdout
