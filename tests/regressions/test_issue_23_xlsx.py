"""Regressions of issue 23, spreadsheets: each .xlsx reproducer of the issue's "Why", per-row and
``--bulk``, in a fresh interpreter (a native abort of the xlsx reader shows as a negative return
code instead of killing pytest). Every one is refused before the reader allocates, located, with
its documented code and exit 2; none may take more than a few seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.xlsx_parts import declare_smaller, inline, shared_strings, sheet, table, workbook

pytest.importorskip("python_calamine")
CAMPAIGN = str(Path(__file__).resolve().parents[2] / "campaigns" / "tkv_2019.yaml")
HEADER = inline("A1", "id") + inline("B1", "kind") + inline("C1", "role")


CHILD = """
import io, json, sys
from emulation_rules.cli.app import run
for line in sys.stdin:
    case, argv = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    try:
        rc = run(argv, stdout=out, stderr=err)
    except BaseException as exc:  # a traceback: reported, never hidden
        rc, err = 99, io.StringIO(f"Traceback: {type(exc).__name__}: {exc}")
    print(json.dumps([case, rc, err.getvalue()]), flush=True)
"""


def run_all(cases: dict[str, list[str]], timeout: float = 120) -> dict[str, tuple[int, str]]:
    """Each command line in one fresh interpreter, one after the other: a native abort ends the
    child, and the cases it did not reach are missing from the answer (their tests fail)."""
    import json

    lines = "".join(json.dumps([case, argv]) + "\n" for case, argv in cases.items())
    got = subprocess.run([sys.executable, "-c", CHILD], input=lines, capture_output=True, text=True,
                         timeout=timeout)
    answers = {case: (rc, err) for case, rc, err in map(json.loads, got.stdout.splitlines())}
    for case in cases:
        answers.setdefault(case, (got.returncode, f"the process ended ({got.returncode}): {got.stderr[-500:]}"))
    return answers


FILES: dict[str, bytes] = {}
"""Name -> workbook bytes of each reproducer (filled below, written once per module)."""


def both(name: str, tmp: Path) -> dict[str, list[str]]:
    path = str(tmp / name)
    return {f"{name}:rows": ["evaluate", CAMPAIGN, "--facts", path],
            f"{name}:bulk": ["evaluate", CAMPAIGN, "--bulk", "--output", str(tmp / f"{name}.csv"), "--facts", path]}


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[int, str]]]:
    tmp = tmp_path_factory.mktemp("xlsx23")
    cases: dict[str, list[str]] = {}
    for name, data in FILES.items():
        (tmp / name).write_bytes(data)
        cases.update(both(name, tmp))
    fifo = tmp / "fifo.xlsx"
    os.mkfifo(fifo)
    (tmp / "zero.xlsx").symlink_to("/dev/zero")
    for name in ("fifo.xlsx", "zero.xlsx"):
        cases[f"{name}:bulk"] = both(name, tmp)[f"{name}:bulk"]
    return tmp, run_all(cases)


def refused(answers: tuple[Path, dict[str, tuple[int, str]]], name: str, code: str, where: str,
            paths: tuple[str, ...] = ("rows", "bulk")) -> None:
    tmp, got = answers
    for kind in paths:
        rc, err = got[f"{name}:{kind}"]
        assert rc == 2, (kind, rc, err[-2000:])
        assert "Traceback" not in err and f"[{code}]" in err, (kind, err[-2000:])
        assert where.replace("{tmp}", str(tmp)) in err, (kind, err[-2000:])


FILES["far.xlsx"] = workbook(sheet(f'<row r="1">{HEADER}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))


def test_one_cell_at_xfd1048576_is_refused_not_a_512_gib_allocation(answers) -> None:
    # issue: "A 2 KB workbook with one cell at XFD1048576 kills the process (SIGABRT)"
    assert len(FILES["far.xlsx"]) < 2048
    refused(answers, "far.xlsx", "too-many-cells", "{tmp}/far.xlsx:Cá nhân!XFD1048576")


FILES["past.xlsx"] = workbook(sheet(f'<row r="1">{HEADER}<c r="A4294967295"><v>1</v></c></row>'))


def test_a_cell_past_excels_grid_is_refused(answers) -> None:
    refused(answers, "past.xlsx", "too-many-cells", "outside Excel's grid")


# a row numbered at the grid's end, then a row and a cell without references: the reader puts the
# cell on the next row, past the grid
FILES["norefs.xlsx"] = workbook(sheet(f'<row r="1">{HEADER}</row><row r="1048576"/><row><c><v>1</v></c></row>'))


def test_cells_without_references_are_placed_as_the_reader_places_them(answers) -> None:
    refused(answers, "norefs.xlsx", "too-many-cells", "outside Excel's grid")


_CELLS = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>1</v></c></row>' for i in range(2, 20_002))
FILES["copies.xlsx"] = workbook(sheet(f'<row r="1">{HEADER}</row>{_CELLS}'), shared_strings(["id", "x" * 100_000]))


def test_a_shared_string_copied_into_many_cells_is_refused(answers) -> None:
    # issue: "a 206 KB file is read with 3.7 GB of memory" (each cell gets its own copy)
    assert len(FILES["copies.xlsx"]) < 300_000
    refused(answers, "copies.xlsx", "too-many-strings", "{tmp}/copies.xlsx:Cá nhân!")


_PLAIN = workbook(table(["id", "kind", "role"], [["NV-1", "individual", "member"]]),
                  extra={"xl/media/pad.bin": bytes(4 * 1024 * 1024)})
# the directory declares 1 GiB (as a 1.5 MB file inflating to 1 GB does): refused from it
FILES["inflated.xlsx"] = declare_smaller(_PLAIN, "xl/media/pad.bin", 1 << 30)
# the directory declares 1 KB, the part inflates to 4 MiB: read up to the declared size, refused
FILES["lying.xlsx"] = declare_smaller(_PLAIN, "xl/media/pad.bin", 1024)


def test_a_part_inflating_past_the_limit_is_refused_from_the_directory(answers) -> None:
    # issue: "a 1.5 MB file inflating to 1 GB takes 27 s of CPU"
    refused(answers, "inflated.xlsx", "inflates-too-large", "more than 268435456")


def test_a_part_inflating_past_its_declared_size_is_refused_while_reading(answers) -> None:
    refused(answers, "lying.xlsx", "unreadable", "xl/media/pad.bin")


def _zip_version(data: bytes, version: int) -> bytes:
    """Every central directory entry asks for zip ``version`` (x10) to extract."""
    raw = bytearray(data)
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        raw[at + 6 : at + 8] = version.to_bytes(2, "little")
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


# found by the fuzz run: zipfile raises NotImplementedError for a zip version it does not know
FILES["version.xlsx"] = _zip_version(workbook(table(["id", "kind", "role"], [["NV-1", "individual", "member"]])), 240)


def test_an_unknown_zip_version_is_unreadable_not_a_traceback(answers) -> None:
    refused(answers, "version.xlsx", "unreadable", "zip file version 24.0")


@pytest.mark.parametrize("name", ["fifo.xlsx", "zero.xlsx"])
def test_bulk_refuses_a_fifo_and_a_device_named_xlsx(answers, name: str) -> None:
    # issue: "a .xlsx link to /dev/zero ends in MemoryError after 6.7 GB, a FIFO named .xlsx
    # blocks forever" (with --bulk; the per-row path refused both)
    refused(answers, name, "not-a-file", "{tmp}/" + name, ("bulk",))


FILES["ok.xlsx"] = workbook(table(["id", "kind", "role", "member_rating"], [["NV-1", "individual", "member", "fair"]]))


def test_a_plain_workbook_still_reads_on_both_paths(answers) -> None:
    tmp, got = answers
    assert got["ok.xlsx:rows"][0] == 0, got["ok.xlsx:rows"]
    assert got["ok.xlsx:bulk"][0] == 0, got["ok.xlsx:bulk"]
    assert "NV-1" in (tmp / "ok.xlsx.csv").read_text(encoding="utf-8")
