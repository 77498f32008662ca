"""Fuzzing every input path with mutations of the shipped campaigns and examples.

Properties, for each input kind (campaign YAML; facts YAML, JSON and CSV):

* nothing but the library's own errors (:class:`EmulationRulesError`) ever escapes;
* every problem is located: the file, and a line >= 1;
* facts that are accepted give the same verdicts on the durable and the python backends;
* in long runs (more than 60 examples), no input takes more than 5 s.

The budget is fixed per run: ``EMULATION_RULES_FUZZ_EXAMPLES`` examples per input kind (default
60, under a minute in CI). Long local runs raise it (``EMULATION_RULES_FUZZ_EXAMPLES=20000``);
``tests/fuzz/atheris_target.py`` is the same check for coverage-guided runs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from emulation_rules import Engine
from emulation_rules.campaign.opening import load_campaign
from emulation_rules.errors import EmulationRulesError, FactsError, ReviewDateError
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.facts.load import load_facts
from tests.fuzz.mutations import mutated

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("EMULATION_RULES_FUZZ_EXAMPLES", "60"))
# Long runs also check that no input takes over 5 s (a hang); CI runs are not timed.
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=EXAMPLES <= 60,
    deadline=dt.timedelta(seconds=5) if EXAMPLES > 60 else None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

CAMPAIGNS = sorted((ROOT / "campaigns").glob("*.yaml"))
CAMPAIGN_BASES = [p.read_bytes() for p in CAMPAIGNS]


def _examples() -> dict[str, list[bytes]]:
    """Example facts of each campaign, in each format a facts file may take."""
    out: dict[str, list[bytes]] = {"yaml": [], "json": [], "csv": []}
    for campaign in CAMPAIGNS:
        for path in sorted((ROOT / "examples" / campaign.stem).glob("*")):
            if path.suffix == ".yaml":
                out["yaml"].append(path.read_bytes())
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
                out["json"].append(
                    json.dumps(data, ensure_ascii=False, indent=1, default=str).encode()
                )
            elif path.suffix == ".csv":
                out["csv"].append(path.read_bytes())
    return out


FACT_BASES = _examples()
TKV = load_campaign(ROOT / "campaigns" / "tkv_2019.yaml")
CAMPAIGN_BY_ID = {c.id: c for c in (load_campaign(p) for p in CAMPAIGNS)}
_ENGINES: dict[str, tuple[Engine, Engine]] = {}  # durable-rules never frees an engine: build once


def engines(campaign: object) -> tuple[Engine, Engine]:
    cid = campaign.id  # type: ignore[attr-defined]
    if cid not in _ENGINES:
        # durable against python where durable-rules loads (CPython < 3.13), else polars
        other = "durable" if backend_problem("durable") is None else "polars"
        _ENGINES[cid] = (Engine(campaign, backend=other), Engine(campaign, backend="python"))  # type: ignore[arg-type]
    return _ENGINES[cid]


def assert_located(exc: EmulationRulesError, path: Path) -> None:
    problems = getattr(exc, "problems", None)
    if problems is None:  # an unreadable file: its name leads the message
        assert str(path) in str(exc), str(exc)
        return
    assert problems, str(exc)
    for p in problems:
        assert p.location is not None and p.location.file == str(path) and p.location.line >= 1, (
            str(p)
        )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=mutated(CAMPAIGN_BASES))
def test_campaign_loader(scratch: Path, data: bytes) -> None:
    _count("campaign")
    path = scratch / "campaign.yaml"
    path.write_bytes(data)
    try:
        load_campaign(path)
    except EmulationRulesError as exc:
        assert_located(exc, path)


def _verdicts(evaluation: object) -> list[tuple[str, str, str]]:
    return [(s.subject_id, a.award_id, a.verdict) for s in evaluation.subjects for a in s.awards]  # type: ignore[attr-defined]


_NAMED = re.compile(rb'campaign"?\s*:\s*"?([a-z0-9_]+)')
_PROGRESS = os.environ.get("EMULATION_RULES_FUZZ_PROGRESS")  # a file: counts of long runs
_COUNTS: dict[str, int] = {}


def _count(kind: str) -> None:
    """Count inputs per kind; with EMULATION_RULES_FUZZ_PROGRESS, write the counts every 500."""
    _COUNTS[kind] = _COUNTS.get(kind, 0) + 1
    if _PROGRESS and _COUNTS[kind] % 500 == 0:
        Path(_PROGRESS).write_text(json.dumps(_COUNTS) + "\n", encoding="utf-8")


def _facts_check(scratch: Path, data: bytes, suffix: str) -> None:
    _count(suffix)
    path = scratch / f"facts{suffix}"
    path.write_bytes(data)
    named = _NAMED.search(data)  # the campaign the (mutated) file names, else TKV
    campaign_id = named.group(1).decode() if named else ""
    campaigns = [CAMPAIGN_BY_ID.get(campaign_id, TKV)]
    for campaign in campaigns:
        try:
            submission = load_facts(path, campaign, on_error="skip")
        except FactsError as exc:
            assert_located(exc, path)
            continue
        for p in submission.rejected:
            assert p.location is not None and p.location.file == str(path), str(p)
        if submission.subjects and submission.campaign_id in (None, campaign.id):
            durable_engine, python_engine = engines(campaign)
            try:
                durable = durable_engine.evaluate(submission)
            except ReviewDateError:  # a mutated as_of in no phase (0020-12-31): refused as documented
                with pytest.raises(ReviewDateError):
                    python_engine.evaluate(submission)
                return
            python = python_engine.evaluate(submission)
            assert _verdicts(durable) == _verdicts(python)
            return


@FUZZ
@given(data=mutated(FACT_BASES["yaml"]))
def test_facts_yaml(scratch: Path, data: bytes) -> None:
    _facts_check(scratch, data, ".yaml")


@FUZZ
@given(data=mutated(FACT_BASES["json"]))
def test_facts_json(scratch: Path, data: bytes) -> None:
    _facts_check(scratch, data, ".json")


@FUZZ
@given(data=mutated(FACT_BASES["csv"]))
def test_facts_csv(scratch: Path, data: bytes) -> None:
    _facts_check(scratch, data, ".csv")
