"""The demonstration campaign of issue 19 (campaigns/vgcl_certificates.yaml) gives the same results
on every backend for each of its author cases, not only for its example facts (test_backends.py):
its cases reach each construct (a unit's level, a cap per theme across kinds, sums of benefit
over records with blanks, windows of the review years, yearly records in the history).

Durable and python give the same documents; polars the same rows (verdicts, failing criteria,
missing facts: ``evaluate --format csv``) and quotas, as in test_backends.py.
"""

from __future__ import annotations

import pytest

from emulation_rules.authoring.case_files import load_cases
from emulation_rules.engine import Engine
from emulation_rules.evaluate.base import backend_problem
from emulation_rules.results.render import render_csv

from ..conftest import ROOT

CASES = ROOT / "campaigns" / "cases" / "vgcl_certificates.yaml"


def test_every_case_of_the_demonstration_campaign_agrees_on_every_backend() -> None:
    backends = [b for b in ("durable", "python", "polars") if backend_problem(b) is None]  # type: ignore[arg-type]
    if len(backends) < 2:
        pytest.skip("one backend only here")
    case_file = load_cases(CASES)
    engines = {b: Engine(case_file.campaign, backend=b) for b in backends}  # type: ignore[arg-type]
    assert len(case_file.cases) >= 10
    for loaded in case_file.cases:
        got = {b: e.evaluate(loaded.submission, as_of=loaded.case.as_of) for b, e in engines.items()}
        docs = {b: ev.to_dict() for b, ev in got.items() if b != "polars"}
        for doc in docs.values():
            doc.pop("backend")
        assert len({repr(d) for d in docs.values()}) == 1, loaded.case.id
        if "polars" in got:
            assert render_csv(got["polars"]) == render_csv(got["python"]), loaded.case.id
            assert ([q.to_dict() for q in got["polars"].quotas]
                    == [q.to_dict() for q in got["python"].quotas]), loaded.case.id
