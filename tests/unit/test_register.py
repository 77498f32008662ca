"""Issue 20, item 4: the register of titles conferred (a real SQLite file, a real subprocess)."""

from __future__ import annotations

import gc
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from emulation_rules.cli.app import run

pytest.importorskip("sqlalchemy")

from emulation_rules.facts.conferred import ConferralRegister

from ..conftest import EXAMPLES

CYCLE = EXAMPLES / "review_cycle"
BODY = "Giám đốc Công ty A"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _table(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    path.write_text("subject,title,year\n" + "".join(f"{s},{t},{y}\n" for s, t, y in rows), encoding="utf-8")
    return path


def test_a_decision_is_recorded_once_per_issuing_body(tmp_path: Path) -> None:
    db = str(tmp_path / "reg.sqlite")
    table = _table(tmp_path / "t.csv", [("A07", "grassroots_emulation_fighter", 2024)])
    args = ["register", "add", db, "--table", str(table), "--number", "21/QĐ-CTA", "--date", "2024-12-30"]
    assert _run(*args, "--issued-by", BODY)[0] == 0
    code, _, err = _run(*args, "--issued-by", f"  {BODY} ")  # the same body, as typed with spaces
    assert code == 2 and "[duplicate-id]" in err and "Traceback" not in err
    assert _run(*args, "--issued-by", "Chủ tịch Công đoàn")[0] == 0  # another body may use the number
    with closing(ConferralRegister(db)) as store:  # closed: no connection left to the collector
        assert len(store.entries()) == 2


def test_a_revocation_is_a_new_entry_and_history_leaves_the_title_out(tmp_path: Path) -> None:
    db = str(tmp_path / "reg.sqlite")
    rows = [("A07", "grassroots_emulation_fighter", 2024), ("A08", "grassroots_emulation_fighter", 2024)]
    common = ["--date", "2024-12-30", "--issued-by", BODY]
    assert _run("register", "add", db, "--table", str(_table(tmp_path / "t.csv", rows)), "--number", "21/QĐ-CTA",
                *common)[0] == 0
    back = _table(tmp_path / "back.csv", rows[1:])
    assert _run("register", "add", db, "--table", str(back), "--number", "22/QĐ-CTA", "--revokes", "21/QĐ-CTA",
                *common)[0] == 0
    with closing(ConferralRegister(db)) as store:
        assert [(h.title, h.year, h.decision) for h in store.history("A07")] == [
            ("grassroots_emulation_fighter", 2024, "21/QĐ-CTA")]
        assert store.history("A08") == ()
        entries = store.entries()
    assert [(e.number, e.kind, e.revokes) for e in entries] == [("21/QĐ-CTA", "confer", None),
                                                               ("22/QĐ-CTA", "revoke", "21/QĐ-CTA")]
    # what was never conferred cannot be taken back
    code, _, err = _run("register", "add", db, "--table", str(_table(tmp_path / "x.csv", [("A09", "x", 2024)])),
                        "--number", "23/QĐ-CTA", "--revokes", "21/QĐ-CTA", *common, "--lang", "en")
    assert code == 2 and "cannot be revoked" in err


def test_export_and_import_read_back_the_same_rows(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    db = str(tmp_path / "reg.sqlite")
    past = tmp_path / "past.csv"
    past.write_text("subject,title,year,decision,issued_by,date,name\n"
                    f"A07,grassroots_emulation_fighter,2023,09/QĐ-CTA,{BODY},2024-01-10,Người lao động A07\n"
                    f"A07,grassroots_emulation_fighter,2024,21/QĐ-CTA,{BODY},2024-12-30,Người lao động A07\n",
                    encoding="utf-8")
    assert _run("register", "import", db, str(past))[0] == 0
    assert _run("register", "export", db, "-o", str(tmp_path / "reg.xlsx"))[0] == 0
    sheet = openpyxl.load_workbook(tmp_path / "reg.xlsx").active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Số quyết định"
    assert [r[0] for r in rows[1:]] == ["09/QĐ-CTA", "21/QĐ-CTA"] and rows[1][8] == 2023
    code, out, _ = _run("register", "history", db, "--subject", "A07", "--format", "json")
    assert code == 0 and '"year": 2024' in out


def test_a_bad_table_row_is_located(tmp_path: Path) -> None:
    table = _table(tmp_path / "t.csv", [("A07", "Chiến sĩ", 2024), ("A08", "grassroots_emulation_fighter", 1900)])
    code, _, err = _run("register", "add", str(tmp_path / "r.sqlite"), "--table", str(table), "--number", "1",
                        "--date", "2024-12-30", "--issued-by", BODY)
    assert code == 2
    assert f"{table}:2:2:" in err and f"{table}:3:3:" in err


def test_history_from_the_register_is_merged_and_a_conflict_is_located(tmp_path: Path) -> None:
    db = str(tmp_path / "reg.sqlite")
    assert _run("register", "add", db, "--table",
                str(_table(tmp_path / "t.csv", [("A07", "grassroots_emulation_fighter", 2024)])),
                "--number", "21/QĐ-CTA", "--date", "2024-12-30", "--issued-by", BODY)[0] == 0
    facts = tmp_path / "f.yaml"
    facts.write_text(
        "as_of: 2025-12-31\nsubjects:\n"
        "  - id: A07\n    kind: individual\n    role: employee\n    facts: {}\n"
        "    history: [{title: grassroots_emulation_fighter, year: 2024, decision: 99/QĐ-CTA},\n"
        "              {title: grassroots_emulation_fighter, year: 2023}]\n"
        "proposals: [{award: director_certificate, subjects: [A07]}]\n", encoding="utf-8")
    argv = ["explain", str(CYCLE / "campaign.yaml"), "--facts", str(facts), "--register", db, "--subject", "A07"]
    code, out, err = _run(*argv)
    assert code == 2
    assert f"{facts}:3:5:" in err and "[history-conflict]" in err and "21/QĐ-CTA" in err
    facts.write_text(facts.read_text(encoding="utf-8").replace(", decision: 99/QĐ-CTA", ""), encoding="utf-8")
    code, out, err = _run(*argv)
    assert code == 0, err
    # the register's 2024 and the facts' 2023 both count: 2 years before 2025 held
    assert "✓ Đạt “Chiến sĩ thi đua cơ sở” 2 năm liền trước năm xét" in out


_KILLER = """
import sys
from emulation_rules.cli import main
sys.argv = ["emulation-rules", *sys.argv[1:]]
main()
"""


def test_a_decision_killed_while_recorded_is_all_or_nothing(tmp_path: Path) -> None:
    """SIGKILL while ``register add`` writes 30,000 conferrals: afterwards the register holds the
    decision with every one of them, or no trace of it (one transaction)."""
    db = tmp_path / "reg.sqlite"
    n = 30_000
    table = _table(tmp_path / "big.csv", [(f"P{i:06d}", "advanced_laborer", 2025) for i in range(n)])
    assert _run("register", "add", str(db), "--table", str(_table(tmp_path / "s.csv", [("A1", "x", 2024)])),
                "--number", "1/QĐ", "--date", "2024-12-30", "--issued-by", BODY)[0] == 0
    killed_mid_way = 0
    for attempt in range(3):
        proc = subprocess.Popen([sys.executable, "-c", _KILLER, "register", "add", str(db), "--table", str(table),
                                 "--number", f"2/QĐ-{attempt}", "--date", "2025-12-30", "--issued-by", BODY],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
        wal = Path(f"{db}-wal")
        start = wal.stat().st_size if wal.exists() else 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:  # kill once the transaction writes
            if wal.exists() and wal.stat().st_size > start + 64 * 1024:
                break
            time.sleep(0.002)
        if proc.poll() is None:  # still running: kill it (once reaped, its pid may be another's)
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode == -signal.SIGKILL:  # the kill landed before the child finished by itself
            killed_mid_way += 1
        with closing(sqlite3.connect(db)) as conn:  # a Connection's own with does not close it
            rows = conn.execute("SELECT d.number, count(c.id) FROM register_decisions d LEFT JOIN "
                                "register_conferrals c ON c.decision_id = d.id GROUP BY d.id").fetchall()
        counts = dict(rows)
        assert counts["1/QĐ"] == 1
        assert counts.get(f"2/QĐ-{attempt}", n) == n, counts
        if killed_mid_way:
            break
    assert killed_mid_way, "the process always finished before it was killed: the test proved nothing"


def test_a_register_that_cannot_be_opened_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    code, _, err = _run("register", "history", str(tmp_path / "no" / "such" / "dir" / "r.sqlite"), "--subject", "A1")
    assert code == 2 and "[unreadable]" in err and "Traceback" not in err
    code, _, err = _run("register", "history", "postgresql+psycopg://u:secret@127.0.0.1:1/db", "--subject", "A1")
    assert code == 2 and "[unreadable]" in err and "secret" not in err


def _open_sqlite_connections() -> set[int]:
    gc.collect()
    found = set()
    for obj in gc.get_objects():
        if isinstance(obj, sqlite3.Connection):
            try:
                obj.total_changes  # noqa: B018 (raises once closed)
            except sqlite3.ProgrammingError:
                continue
            found.add(id(obj))
    return found


def test_a_register_keeps_no_connection_open_between_calls(tmp_path: Path) -> None:
    # CPython 3.13 warned "unclosed database" for a register dropped without close(): its
    # connection pool kept the SQLite connection until the collector found it
    before = _open_sqlite_connections()
    store = ConferralRegister(str(tmp_path / "reg.sqlite"))
    assert store.entries() == [] and store.history("A07") == ()
    assert _open_sqlite_connections() - before == set()
    store.close()
