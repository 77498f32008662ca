"""Regressions of issue 23 on the doors added since its first round (its closing note, item 4):
the review's corrections (``evaluate --reviewed``) and the register's tables (``register import``,
``register add --table``, ``--evaluation``) were read whole with ``read_bytes`` and handed to the
xlsx reader unchecked: a FIFO blocked for ever, and the 2 KB workbook with one cell at
XFD1048576 killed the process (SIGABRT, a 512 GiB allocation) as it once did for facts. Each
runs in a fresh interpreter (``run_all``): a native abort shows as a missing answer.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from emulation_rules.cli.app import run
from tests.fuzz.xlsx_parts import inline, sheet, workbook
from tests.regressions.test_issue_23_xlsx import run_all

pytest.importorskip("python_calamine")
pytest.importorskip("sqlalchemy")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "review_cycle"
CAMPAIGN, FACTS = str(EXAMPLE / "campaign.yaml"), str(EXAMPLE / "facts_2025.yaml")
_HEAD = inline("A1", "subject") + inline("B1", "title") + inline("C1", "year")
FAR = workbook(sheet(f'<row r="1">{_HEAD}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[int, str]]]:
    tmp = tmp_path_factory.mktemp("doors23")
    (tmp / "far.xlsx").write_bytes(FAR)
    for name in ("fifo.yaml", "fifo.csv", "fifo.json"):
        os.mkfifo(tmp / name)
    (tmp / "zero.csv").symlink_to("/dev/zero")
    db = str(tmp / "reg.sqlite")
    add = ["register", "add", db, "--number", "1/QĐ", "--date", "2025-12-30", "--issued-by", "Giám đốc"]
    cases = {
        "reviewed:far": ["evaluate", CAMPAIGN, "--facts", FACTS, "--reviewed", str(tmp / "far.xlsx")],
        "reviewed:fifo": ["evaluate", CAMPAIGN, "--facts", FACTS, "--reviewed", str(tmp / "fifo.yaml")],
        "import:far": ["register", "import", db, str(tmp / "far.xlsx")],
        "import:fifo": ["register", "import", db, str(tmp / "fifo.csv")],
        "import:zero": ["register", "import", db, str(tmp / "zero.csv")],
        "table:far": [*add, "--table", str(tmp / "far.xlsx")],
        "evaluation:fifo": [*add, "--campaign", CAMPAIGN, "--evaluation", str(tmp / "fifo.json")],
    }
    return tmp, run_all(cases, timeout=90)


@pytest.mark.parametrize(("case", "code", "where"), [
    ("reviewed:far", "too-many-cells", "far.xlsx:Cá nhân!XFD1048576"),
    ("import:far", "too-many-cells", "far.xlsx:Cá nhân!XFD1048576"),
    ("table:far", "too-many-cells", "far.xlsx:Cá nhân!XFD1048576"),
    ("reviewed:fifo", "not-a-file", "fifo.yaml:1"),
    ("import:fifo", "not-a-file", "fifo.csv:1"),
    ("import:zero", "not-a-file", "zero.csv:1"),
    ("evaluation:fifo", "not-a-file", "fifo.json:1"),
])
def test_a_hostile_file_on_a_new_door_is_refused_located(answers, case: str, code: str, where: str) -> None:
    tmp, got = answers
    rc, err = got[case]
    assert rc == 2, (rc, err[-1500:])
    assert "Traceback" not in err and f"[{code}]" in err and f"{tmp}/{where}" in err, err[-1500:]


@pytest.mark.parametrize(("where", "code"), [("db", "unreadable"), ("subject", "bad-character"),
                                             ("number", "bad-character")])
def test_bytes_that_are_not_utf8_on_the_register_command_line_are_refused(tmp_path: Path, where: str,
                                                                          code: str) -> None:
    # a name typed with bytes that are not UTF-8 reaches Python as lone surrogates ("\udcff"):
    # SQLite cannot encode them, and rendering the register's URL for the message failed too
    bad = "\udcff"
    db = str(tmp_path / (f"{bad}.sqlite" if where == "db" else "reg.sqlite"))
    argv = {"db": ["register", "import", db, str(EXAMPLE / "list_2023.csv")],
            "subject": ["register", "history", db, "--subject", f"A{bad}"],
            "number": ["register", "add", db, "--table", str(EXAMPLE / "conferred_2024.csv"), "--number",
                       f"1/{bad}", "--date", "2024-12-30", "--issued-by", "Giám đốc"]}[where]
    out, err = io.StringIO(), io.StringIO()
    assert run([*argv, "--lang", "en"], stdout=out, stderr=err) == 2, err.getvalue()
    said = "not valid UTF-8" if where == "db" else "U+DCFF, a lone surrogate"
    assert f"[{code}]" in err.getvalue() and said in err.getvalue() and "Traceback" not in err.getvalue()


def test_a_review_of_a_campaign_read_from_the_cache_is_evaluated() -> None:
    # evaluate --reviewed in a fresh interpreter, the campaign read from the cache (the second run):
    # PydanticUserError "Criterion is not fully defined" (the council's vote made a Criterion before
    # the models were built)
    argv = ["evaluate", CAMPAIGN, "--facts", FACTS, "--reviewed", str(EXAMPLE / "review_2025.yaml"), "--lang", "en"]
    for run_ in ("first", "cached"):
        rc, err = run_all({run_: argv}, timeout=90)[run_]
        assert rc == 0 and "Traceback" not in err, (run_, rc, err[-1500:])
