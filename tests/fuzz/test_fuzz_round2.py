"""Fuzzing the doors of issue 23 (short pass; ``tests/fuzz/big_run.py`` is the big run):

* .xlsx workbooks (zip structure, cell positions and dimensions, shared strings): the facts
  reader and the bulk reader's ``subject_table`` raise nothing but the library's own located
  errors; the reader never starts on a workbook past the bounds (a native abort would end the
  run, so the workbooks are read in this process only once the bounds have refused the ones
  that once aborted: see tests/regressions/test_issue_23_xlsx.py for those, in a child process);
* ``migrate --write``: a located error with the file unchanged, or a file that validates as
  version 2 with its backup equal to the original;
* facts with lone surrogates: refused located (``bad-character``), or read and then written by
  every text output without an encoding error.

``EMULATION_RULES_FUZZ_EXAMPLES`` examples per door (default 25: a few seconds each).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulation_rules import Engine
from emulation_rules.campaign.opening import load_campaign
from emulation_rules.cli.app import run
from emulation_rules.errors import EmulationRulesError, FactsError
from emulation_rules.facts.load import load_facts
from emulation_rules.results.render import render_csv, render_json, render_table
from tests.fuzz.generators import make_migrate, make_surrogate_facts, make_xlsx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("EMULATION_RULES_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=EXAMPLES <= 60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
TKV = load_campaign(ROOT / "campaigns" / "tkv_2019.yaml")
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz23")


@FUZZ
@given(seed=SEEDS)
def test_xlsx_workbooks(seed: int) -> None:
    pytest.importorskip("python_calamine")
    from emulation_rules.facts.xlsx import read_facts_xlsx, subject_table

    data = make_xlsx(random.Random(seed))
    for read in (lambda: read_facts_xlsx(data, TKV, file="f.xlsx", on_error="skip"),
                 lambda: subject_table(data, "f.xlsx")):
        try:
            read()
        except EmulationRulesError as exc:
            for p in getattr(exc, "problems", []):
                assert p.location is not None and p.location.file.startswith("f.xlsx"), str(p)


@settings(FUZZ, max_examples=max(1, EXAMPLES // 3))  # each reads YAML three times (pure Python)
@given(seed=SEEDS)
def test_migrate_inputs(scratch: Path, seed: int) -> None:
    data, _ = make_migrate(random.Random(seed))
    path = scratch / "plan.yaml"
    for old in scratch.iterdir():
        old.unlink()
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    rc = run(["migrate", "--write", str(path)], stdout=out, stderr=err)
    if rc != 0:
        assert path.read_bytes() == data and str(path) in err.getvalue(), err.getvalue()
        return
    if "already version 2" in out.getvalue():
        assert path.read_bytes() == data
        return
    assert Path(f"{path}.bak").read_bytes() == data
    if b"\ncases:" not in data:  # a campaign (not an author case file) called converted validates
        load_campaign(path)


@FUZZ
@given(seed=SEEDS)
def test_facts_with_surrogates(scratch: Path, seed: int) -> None:
    suffix, data = make_surrogate_facts(random.Random(seed))
    path = scratch / f"facts{suffix}"
    path.write_bytes(data)
    try:
        submission = load_facts(path, TKV)
    except FactsError as exc:
        assert all(p.location is not None and p.location.file == str(path) for p in exc.problems)
        return
    evaluation = Engine(TKV, backend="python").evaluate(submission, as_of=dt.date(2019, 12, 31))
    for render in (render_json, render_csv, render_table):
        render(evaluation).encode("utf-8")  # every output can be written
