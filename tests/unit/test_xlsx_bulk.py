"""``evaluate --bulk`` from an .xlsx sheet: same verdicts and same located problems as the
facts reader (``evaluate`` without ``--bulk``) on the same workbook.

The sheets are laid out as the generated form lays them (a label row, a key row whose first
cell is ``@kind=individual``, data from row 3) with Excel-typed cells (booleans, a number in
an enum column) and blank rows between the data rows, so the sheet's row numbers and column
letters differ from a CSV's. TKV 2019 (seed 000_40cc82fbe8059212.txt): an individual is
recognised when they comply with policy (L108) and are rated at least fair (L110); without the
initiatives column the initiative criterion (L106) is unknown, so the verdict is incomplete or,
when another criterion fails, not awarded.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("python_calamine")
pytest.importorskip("polars")

from emulation_rules.cli.app import run  # noqa: E402

from ..conftest import CAMPAIGNS  # noqa: E402

TKV = str(CAMPAIGNS / "tkv_2019.yaml")
LABELS = ["", "Mã", "Vai trò", "Đơn vị", "Họ tên", "Chấp hành chính sách", "Xếp loại đoàn viên"]
KEYS = ["@kind=individual", "id", "role", "unit", "name", "complies_with_policy", "member_rating"]


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _sheet(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cá nhân"
    ws.append(LABELS)
    ws.append(KEYS)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _verdicts(csv_text: str) -> dict[str, str]:
    return {r["subject_id"]: r["verdict"] for r in csv.DictReader(io.StringIO(csv_text))}


def _located(err: str) -> list[str]:
    """The location of each ``skipped:`` problem (``file:Sheet!C12``)."""
    return sorted(line.split(": ")[1] for line in err.splitlines() if line.startswith("skipped: "))


def test_bulk_gives_the_facts_readers_verdicts_on_typed_cells_and_blank_rows(tmp_path: Path) -> None:
    book = _sheet(tmp_path / "f.xlsx", [
        [None, "NV-1", "member", "CD-HALAM", "Nguyễn Văn An", True, "Khá"],        # row 3
        [],                                                                        # row 4 blank
        [None, "NV-2", "union_officer", "CD-HALAM", "Trần Thị Bình", "có", "xuất sắc"],
        [None, "NV-3", "member", "CD-MAOKHE", "Lê Văn Cường", False, "Khá"],       # row 6
        [None, "NV-4", "Đoàn viên công đoàn", "CD-MAOKHE", "Phạm Thị Dung", True, "Trung bình"],
        [None, None, None, None, None, None, None],                                # row 8 blank
        [None, "NV-5", "member", "CD-MAOKHE", " Võ Văn Em ", " Có ", None],        # row 9
    ])
    code, bulk, err = _cli("evaluate", TKV, "--bulk", "--facts", str(book), "-o", str(tmp_path / "b.csv"))
    assert code == 0, err
    bulk = (tmp_path / "b.csv").read_text(encoding="utf-8")
    code, plain, err = _cli("evaluate", TKV, "--facts", str(book), "--format", "csv")
    assert code == 0, err
    assert _verdicts(bulk) == _verdicts(plain) == {
        "NV-1": "incomplete",  # complies (L108), fair (L110); initiatives (L106) not given
        "NV-2": "incomplete",
        "NV-3": "not_awarded",  # does not comply (L108)
        "NV-4": "not_awarded",  # rated average, below fair (L110)
        "NV-5": "incomplete",  # no rating given
    }


def test_bulk_locates_bad_cells_as_the_facts_reader_does(tmp_path: Path) -> None:
    book = _sheet(tmp_path / "bad.xlsx", [
        [None, "NV-1", "member", "CD-HALAM", "Nguyễn Văn An", True, "Khá"],   # row 3
        [],
        [],
        [None, "NV-2", "member", "CD-HALAM", "Trần Thị Bình", True, 7],       # row 6: G6
        [None, "NV-3", "chairman", "CD-HALAM", "Lê Văn Cường", "có", "Khá"],  # row 7: C7
        [None, "NV-1", "member", "CD-HALAM", "Nguyễn Văn An", True, "Khá"],   # row 8: B8 twice
    ])
    code, _, bulk_err = _cli("evaluate", TKV, "--bulk", "--skip-invalid", "--facts", str(book),
                             "-o", str(tmp_path / "b.csv"), "--lang", "en")
    assert code == 0, bulk_err
    code, _, plain_err = _cli("evaluate", TKV, "--skip-invalid", "--facts", str(book), "--lang", "en")
    assert code == 0, plain_err
    want = [f"{book}:Cá nhân!{cell}" for cell in ("B8", "C7", "G6")]
    assert _located(bulk_err) == want
    assert _located(plain_err) == want


def test_bulk_refuses_an_unknown_key_located_in_the_key_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cá nhân"
    ws.append([*LABELS, "Ghi chú"])
    ws.append([*KEYS, "member_ratin"])
    ws.append([None, "NV-1", "member", "CD-HALAM", "An", True, "Khá", "x"])
    wb.save(tmp_path / "k.xlsx")
    code, _, err = _cli("evaluate", TKV, "--bulk", "--facts", str(tmp_path / "k.xlsx"),
                        "-o", str(tmp_path / "k.csv"))
    assert code == 2
    assert f"{tmp_path / 'k.xlsx'}:Cá nhân!H2:" in err and "member_rating" in err


def test_bulk_summary_workbook_counts_the_verdicts(tmp_path: Path) -> None:
    """``evaluate --bulk --format xlsx``: the Tổng hợp sheet counts the verdicts per award as the
    facts reader's workbook does on the same sheet."""
    book = _sheet(tmp_path / "f.xlsx", [
        [None, "NV-1", "member", "CD-HALAM", "Nguyễn Văn An", True, "Khá"],
        [None, "NV-3", "member", "CD-MAOKHE", "Lê Văn Cường", False, "Khá"],
        [None, "NV-4", "member", "CD-MAOKHE", "Phạm Thị Dung", True, "Trung bình"],
    ])
    sheets = []
    for bulk in (["--bulk"], []):
        out = tmp_path / f"r{len(bulk)}.xlsx"
        code, _, err = _cli("evaluate", TKV, *bulk, "--facts", str(book), "--format", "xlsx", "-o", str(out))
        assert code == 0, err
        ws = openpyxl.load_workbook(out)["Tổng hợp"]
        sheets.append([[c.value for c in row] for row in ws.iter_rows(min_row=6, max_row=9)])
    assert sheets[0] == sheets[1]
    # one incomplete (L106 unknown), two not awarded (L108, L110)
    assert ["Biểu dương, khen thưởng cá nhân trong phong trào", 0, 2, 1, 0, 3] in sheets[0]
