"""Fuzzing the command line: random invocations from a vocabulary of commands, options, paths
(devices, directories, missing files, '-') and values (nan, 1e400, bad dates).

Property: ``run`` returns one of the documented exit codes (0-3) and never lets an exception
or a traceback out. Budget: ``EMULATION_RULES_FUZZ_EXAMPLES`` invocations (default 60).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulation_rules.cli.app import run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("EMULATION_RULES_FUZZ_EXAMPLES", "60"))

COMMANDS = ["validate", "evaluate", "explain", "targets", "initiatives", "test", "schema", "bogus"]
INPUTS = [
    str(ROOT / "campaigns" / "tkv_2019.yaml"),
    str(ROOT / "campaigns" / "vinhlinh_2022.yaml"),
    str(ROOT / "examples" / "tkv_2019" / "facts.yaml"),
    str(ROOT / "examples" / "tkv_2019" / "individuals.csv"),
    str(ROOT / "examples" / "vinhlinh_2022" / "facts.yaml"),
    str(ROOT / "campaigns" / "cases"),
    "/dev/zero",
    "/dev/null",
    "/nonexistent.yaml",
    str(ROOT),
    "",
    "x.parquet",
]
OPTIONS = [
    "--facts",
    "--format",
    "--as-of",
    "--param",
    "--subject",
    "--skip-invalid",
    "--bulk",
    "--backend",
    "--phase",
    "-o",
    "--quiet",
    "--version",
    "--help",
]
VALUES = [
    "json",
    "csv",
    "table",
    "text",
    "nan",
    "2019-12-31",
    "2019-02-30",
    "2019-W52-7",
    "many_individuals_min=3",
    "many_individuals_min=nan",
    "many_individuals_min=1e400",
    "many_individuals_min=-5",
    "x=1",
    "=",
    "durable",
    "python",
    "auto",
    "CD-HALAM",
    "NV-101",
    "campaign",
    "\x00",
    "é",
    "-",
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    base = tmp_path_factory.mktemp("cli-out")
    return [
        str(base / "out.json"),
        str(base / "out.csv"),
        str(base),
        str(base / "no" / "x.json"),
        "/dev/full",
    ]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_cli_invocations(outputs: list[str], data: st.DataObject) -> None:
    argv = [data.draw(st.sampled_from(COMMANDS))]
    argv += data.draw(st.lists(st.sampled_from(INPUTS), max_size=2))
    for _ in range(data.draw(st.integers(0, 5))):
        option = data.draw(st.sampled_from(OPTIONS))
        argv.append(option)
        if option == "-o":
            argv.append(data.draw(st.sampled_from(outputs)))
        elif option not in ("--skip-invalid", "--bulk", "--quiet", "--version", "--help"):
            argv.append(data.draw(st.sampled_from(VALUES + INPUTS)))
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, stdout=out, stderr=err)
    assert code in (0, 1, 2, 3), (argv, code)
    assert "Traceback" not in out.getvalue() + err.getvalue(), argv
