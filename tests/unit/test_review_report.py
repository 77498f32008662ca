"""Issue 20, item 2: the HTML page and the workbook of ``evaluate --reviewed`` show, per subject,
the self-assessed and the reviewed verdict, points and band side by side, and every corrected
fact and changed criterion with both values and the reviewer's note: read back (the page in
headless Chromium, the workbook with openpyxl) and compared cell by cell with ``--format json``.

Two reviews: the worked example's (examples/review_cycle/review_2025.yaml: two facts changed,
verdicts only) and a score sheet's (the sheet of tests/unit/test_score_sheet.py, from DOMAIN.md
§2.2 B: bands vững mạnh >= 85, khá 70 to under 85; see :func:`_score_sheet`).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from emulation_rules.cli.app import run
from emulation_rules.results.words import STATUS, VERDICTS

from ..conftest import EXAMPLES
from .test_html_report import _browser, _chromium, _number, _read
from .test_score_sheet import _sheet_yaml

CYCLE = EXAMPLES / "review_cycle"


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _score_sheet(tmp_path: Path) -> list[str]:
    """A union group scoring itself 100 points (band "strong", >= 85); the review cuts item 1
    from 20 to 12 and finds a member disciplined (item 6, all-or-nothing: 10 -> 0): 82 points,
    band "fair" (70 to under 85), not the passing band."""
    (tmp_path / "sheet.yaml").write_text(_sheet_yaml(), encoding="utf-8")
    points = ", ".join(f"{k}_points: {v}" for k, v in (
        ("i1_upper_tasks", 20), ("i2_representation", 15), ("i3_emulation", 10), ("i4_concerns", 15),
        ("i5_solidarity", 10), ("i7_recruitment", 10), ("ii_specific", 10)))
    (tmp_path / "facts.yaml").write_text(
        "campaign: union_group_sheet\nas_of: 2015-12-31\nsubjects:\n"
        f"  - {{id: T1, kind: collective, level: union_group, name: 'Tổ 1', facts: {{{points}, member_disciplined: false}}}}\n"
        f"  - {{id: T2, kind: collective, level: union_group, name: 'Tổ 2', facts: {{{points}, member_disciplined: false}}}}\n",
        encoding="utf-8")
    (tmp_path / "review.yaml").write_text(
        "reviewed_by: 'Ban Tổ chức LĐLĐ (ví dụ)'\ncorrections:\n"
        "  - {subject: T1, item: i1_upper_tasks, value: 12, note: 'Thiếu báo cáo quý III'}\n"
        "  - {subject: T1, fact: member_disciplined, value: true, note: 'Đoàn viên bị cảnh cáo', reviewer: UBKT}\n",
        encoding="utf-8")
    return [str(tmp_path / "sheet.yaml"), "--facts", str(tmp_path / "facts.yaml"),
            "--reviewed", str(tmp_path / "review.yaml")]


def _cycle(tmp_path: Path) -> list[str]:
    return [str(CYCLE / "campaign.yaml"), "--facts", str(CYCLE / "facts_2025.yaml"),
            "--reviewed", str(CYCLE / "review_2025.yaml")]


CASES = {"cycle": _cycle, "score_sheet": _score_sheet}


def _review_json(argv: list[str]) -> list[dict[str, Any]]:
    code, text, err = _cli("evaluate", *argv, "--format", "json")
    assert code == 0, err
    review: list[dict[str, Any]] = json.loads(text)["review"]
    return review


def _notes(r: dict[str, Any], facts: list[str]) -> tuple[str, str]:
    changes = [c for f in facts for c in r["changes"] if c["fact"] == f]
    return ("; ".join(c["note"] for c in changes if c["note"]),
            "; ".join(dict.fromkeys(c["reviewer"] for c in changes if c["reviewer"])))


def test_the_score_sheet_review_changes_points_and_band(tmp_path: Path) -> None:
    review = _review_json(_score_sheet(tmp_path))
    (t1,) = review  # T2 was not corrected
    (award,) = t1["awards"]
    assert award["self_assessed"] == {"verdict": "awarded", "points": 100, "band": "strong"}
    # 100 - (20 - 12) - 10 = 82: khá (70 to under 85), under the passing band vững mạnh (>= 85)
    assert award["reviewed"] == {"verdict": "not_awarded", "points": 82, "band": "fair"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_page_shows_both_results_as_the_json(tmp_path: Path, case: str) -> None:
    binary = _chromium()
    argv = CASES[case](tmp_path)
    page = tmp_path / "review.html"
    code, _, err = _cli("evaluate", *argv, "--format", "html", "-o", str(page))
    assert code == 0, err
    shown = _read(_browser(binary, page, "--dump-dom").stdout)
    assert shown.scripts == 0 and not shown.fetches
    tables: dict[str, dict[tuple[str, ...], dict[str, tuple[str, str | None]]]] = {}
    for keys, text in shown.cells:
        if keys["tag"] != "td" or "section-review" not in keys["in"]:
            continue
        table = keys["in"].split()[-1]
        row = tuple(keys[k] for k in ("data-subject", "data-award", "data-fact", "data-criterion") if k in keys)
        tables.setdefault(table, {}).setdefault(row, {})[keys["data-key"]] = (text, keys.get("data-code"))
    review = _review_json(argv)
    assert review, "the review corrected nobody"

    awards = tables["review"]
    assert set(awards) == {(r["subject"], a["award"]) for r in review for a in r["awards"]}
    for r in review:
        for a in r["awards"]:
            row = awards[(r["subject"], a["award"])]
            assert row["subject"] == (r["subject"], r["subject"]) and row["name"][0] == (r["name"] or "")
            assert row["award"] == (a["label"]["vi"], a["award"])
            for side in ("self", "reviewed"):
                given = a["self_assessed" if side == "self" else "reviewed"]
                assert row[f"{side}_verdict"] == (VERDICTS[given["verdict"]][0], given["verdict"])
                text, code = row[f"{side}_points"]
                if given["points"] is None:
                    assert (text, code) == ("", None)
                else:
                    assert _number(text) == round(given["points"], 2) and code == f"{given['points']:g}"
                assert row[f"{side}_band"][1] == given["band"]
            changed = a["self_assessed"]["verdict"] != a["reviewed"]["verdict"]
            assert row["changed"][0] == ("có" if changed or a["self_assessed"] != a["reviewed"] else "")

    facts = tables["review-facts"]
    assert set(facts) == {(r["subject"], c["fact"]) for r in review for c in r["changes"]}
    for r in review:
        for c in r["changes"]:
            row = facts[(r["subject"], c["fact"])]
            assert json.loads(row["self_value"][1] or "") == c["self_assessed"]
            assert json.loads(row["reviewed_value"][1] or "") == c["reviewed"]
            assert row["note"][0] == (c["note"] or "") and row["reviewer"][0] == (c["reviewer"] or "")
            assert row["item"][0] == (c["item"] or "")

    criteria = tables["review-criteria"]
    assert set(criteria) == {(r["subject"], a["award"], c["criterion"]) for r in review for a in r["awards"]
                             for c in a["criteria"]}
    for r in review:
        for a in r["awards"]:
            for c in a["criteria"]:
                row = criteria[(r["subject"], a["award"], c["criterion"])]
                assert row["self_status"] == (STATUS[c["self_assessed"]][0], c["self_assessed"])
                assert row["reviewed_status"] == (STATUS[c["reviewed"]][0], c["reviewed"])
                assert row["corrected_facts"][1] == (";".join(c["corrected_facts"]) or None)
                note, reviewer = _notes(r, c["corrected_facts"])
                assert (row["note"][0], row["reviewer"][0]) == (note, reviewer)
                assert note or not c["corrected_facts"], "a corrected fact without its note"
    if case == "score_sheet":  # both values of a changed criterion, as the reader sees them
        sheet = criteria[("T1", "strong_union_group", "score_sheet")]
        assert "20 → 12" in sheet["corrected_facts"][0] and "không → có" in sheet["corrected_facts"][0]
        row = awards[("T1", "strong_union_group")]
        assert (row["self_band"][0], row["reviewed_band"][0]) == ("Vững mạnh", "Khá")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_workbook_shows_both_results_as_the_json(tmp_path: Path, lang: str) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    argv = _score_sheet(tmp_path)
    out = tmp_path / "review.xlsx"
    code, _, err = _cli("evaluate", *argv, "--format", "xlsx", "-o", str(out), "--lang", lang)
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    names = (("Thẩm định", "Thẩm định - số liệu", "Thẩm định - tiêu chí") if lang == "vi"
             else ("Review", "Review - facts", "Review - criteria"))
    assert book.sheetnames[2:5] == list(names)  # right after the verdicts
    sheets = [list(book[n].iter_rows(values_only=True)) for n in names]
    (r,) = _review_json(argv)
    (a,) = r["awards"]
    word = 0 if lang == "vi" else 1
    (row,) = sheets[0][1:]
    s, rv = a["self_assessed"], a["reviewed"]
    bands = {"strong": ("Vững mạnh", "Strong"), "fair": ("Khá", "Fair")}
    assert row == ("T1", "Tổ 1", "Tổ công đoàn vững mạnh" if lang == "vi" else "Strong union group",
                   VERDICTS[s["verdict"]][word], VERDICTS[rv["verdict"]][word], s["points"], rv["points"],
                   bands[s["band"]][word], bands[rv["band"]][word], "có" if lang == "vi" else "yes")
    assert (row[5], row[6]) == (100, 82)  # stored as numbers
    facts = sheets[1][1:]
    yes_no = {True: ("có", "yes")[word], False: ("không", "no")[word]}

    def stored(value: Any) -> Any:  # a number as itself, yes/no in words
        return yes_no[value] if isinstance(value, bool) else value

    assert [(f[0], f[3], f[4], f[5], f[6], f[7]) for f in facts] == [
        ("T1", c["item"], stored(c["self_assessed"]), stored(c["reviewed"]), c["note"], c["reviewer"])
        for c in r["changes"]]
    assert [stored(c["reviewed"]) for c in r["changes"]] == [12, yes_no[True]]
    (criterion,) = sheets[2][1:]
    (c,) = a["criteria"]
    assert criterion[:5] == ("T1", row[2], criterion[2], STATUS[c["self_assessed"]][word], STATUS[c["reviewed"]][word])
    assert criterion[6:] == _notes(r, c["corrected_facts"])
