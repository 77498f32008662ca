"""Each optional extra, absent: the command says in one line which extra to install, with the
documented exit code (2), never a traceback (issue 22, item 3).

Absence is real, not mocked: each command runs in a fresh interpreter whose import system
refuses the extra's modules (a finder first on ``sys.meta_path`` raising ``ModuleNotFoundError``,
what Python raises for a package that is not installed), then runs the console entry point.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from emulation_rules.cli.extras import EXTRAS

from ..conftest import CAMPAIGNS, EXAMPLES

BLOCKED_RUN = """
import io, json, sys
blocked = set()
class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NotInstalled())
results = []
for modules, argv in json.loads(sys.argv[1]):
    blocked.clear()
    blocked.update(modules)
    if argv[0] == "--import":
        try:
            __import__(argv[1])
            results.append([0, ""])
        except ImportError as exc:
            results.append([1, str(exc)])
        continue
    from emulation_rules.cli.app import run
    out, err = io.StringIO(), io.StringIO()
    results.append([run(argv, stdout=out, stderr=err), err.getvalue()])
print(json.dumps(results))
"""

TKV = str(CAMPAIGNS / "tkv_2019.yaml")
CSV = str(EXAMPLES / "tkv_2019" / "individuals.csv")
PG = "postgresql+psycopg://nobody@127.0.0.1:1/none"

COMMANDS = [
    ("bulk", ["evaluate", TKV, "--bulk", "--facts", CSV]),
    ("bulk", ["evaluate", TKV, "--bulk", "--facts", CSV, "--format", "html", "-o", "summary.html"]),
    ("bulk", ["explain", TKV, "--bulk", "--facts", CSV, "--subject", "NV-001"]),
    ("service", ["serve", str(CAMPAIGNS)]),
    ("service", ["replay", "00000000-0000-0000-0000-000000000000"]),
    ("postgres", ["serve", str(CAMPAIGNS), "--log-db", PG]),
    ("postgres", ["replay", "00000000-0000-0000-0000-000000000000", "--log-db", PG]),
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    """Every command of COMMANDS (and a few more) run once, each with its extra blocked, in one
    fresh interpreter (the import system is the real one, with the extra's modules refused)."""
    runs = [(EXTRAS[extra], argv) for extra, argv in COMMANDS]
    runs.append((EXTRAS["bulk"], ["evaluate", TKV, "--bulk", "--facts", CSV, "--lang", "en"]))
    runs.append((EXTRAS["testing"], ["--import", "emulation_rules.testing"]))
    cwd = tmp_path_factory.mktemp("extras")
    done = subprocess.run([sys.executable, "-c", BLOCKED_RUN, json.dumps(runs)],
                          capture_output=True, text=True, timeout=300, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert not list(cwd.iterdir())  # nothing written
    return json.loads(done.stdout)


@pytest.mark.parametrize("i", range(len(COMMANDS)),
                         ids=[" ".join(a[:1] + a[2:4]) + f" [{e}]" for e, a in COMMANDS])
def test_a_missing_extra_is_one_line_naming_it(answers, i):
    extra = COMMANDS[i][0]
    code, err = answers[i]
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lỗi: ")  # Vietnamese by default
    assert f"pip install 'emulation-rules[{extra}]'" in lines[0]
    assert f"'{extra}'" in lines[0]


def test_the_message_is_english_on_request(answers):
    code, err = answers[len(COMMANDS)]
    assert code == 2
    assert err.startswith("error: --bulk needs the 'bulk' extra (polars is not installed)")


def test_the_testing_extra_names_itself_on_import(answers):
    code, message = answers[len(COMMANDS) + 1]
    assert code == 1
    assert "pip install 'emulation-rules[testing]'" in message


def test_spreadsheets_and_reports_need_no_extra():
    """openpyxl, python-calamine and Jinja2 are dependencies, not extras."""
    from importlib.metadata import requires

    base = {r.split(";")[0].split(">")[0].split("=")[0].strip().lower()
            for r in requires("emulation-rules") or [] if "extra ==" not in r}
    assert {"openpyxl", "python-calamine", "jinja2"} <= base
    assert set(EXTRAS) <= {r.split("extra ==")[1].strip().strip("'\"")
                           for r in requires("emulation-rules") or [] if "extra ==" in r}
