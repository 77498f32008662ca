"""The history sheet of an .xlsx submission: the register of titles each subject already holds.

A sheet whose key row has ``@history.subject`` lists one title held per row: the subject's id,
the title's id (``@history.title``) or a yearly rating's (``@history.rating``), the year, and
optionally the deciding body (``@history.decided_by``) and the decision's number
(``@history.decision``); the generated form writes it (sheet "Danh hiệu đã đạt"). Rows of one
subject are its ``history`` (:mod:`.history`), in sheet order, checked and located there as a
YAML ``history`` list is. A row with only the subject's id says the subject holds no title
(``history: []``); a subject with no row keeps its history unknown (a ``held`` condition over it
is then undecided, never false). A subject may not have both a ``history`` cell and rows on this
sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.errors import PathItem, Problem, SourceLocation, did_you_mean, id_listing

__all__ = ["HISTORY_PREFIX", "HISTORY_SHEET_KEYS", "HistoryRow", "attach_history", "history_rows"]

HISTORY_PREFIX = "@history."
"""Prefix of the keys of the history sheet (``@history.subject``...)."""
HISTORY_SHEET_KEYS = ("subject", "title", "rating", "year", "decided_by", "decision")

HistoryRow = tuple[str, dict[str, Any], dict[str, SourceLocation], SourceLocation]
"""(subject id, the entry's keys and values, where each value is, where the row is)."""


def history_rows(keys: list[str], data: list[tuple[int, list[Any]]],
                 loc: Callable[[int, int | None], SourceLocation], problems: list[Problem]) -> list[HistoryRow]:
    """The rows of a history sheet (``keys``: its key row; ``data``: (row number, cells))."""
    out: list[HistoryRow] = []
    for row_no, cells in data:
        values: dict[str, tuple[Any, int]] = {}
        for i, k in enumerate(keys):
            v = cells[i] if i < len(cells) else None
            if k and v is not None and not (isinstance(v, str) and not v.strip()):
                values[k[len(HISTORY_PREFIX):]] = (v.strip() if isinstance(v, str) else v, i + 1)
        if not values:
            continue
        subject = values.pop("subject", None)
        if subject is None:
            problems.append(Problem("missing-key", "a history row needs the subject's id", (), loc(row_no, None)))
            continue
        sid = str(int(subject[0])) if isinstance(subject[0], float) and subject[0].is_integer() else str(subject[0])
        entry = {k: (int(v) if k == "year" and isinstance(v, float) and v.is_integer() else v)
                 for k, (v, _) in values.items()}
        out.append((sid, entry, {k: loc(row_no, col) for k, (_, col) in values.items()}, loc(row_no, None)))
    return out


def attach_history(subjects: list[dict[str, Any]], rows: list[HistoryRow], smap: SourceMap,
                   problems: list[Problem]) -> None:
    """Give each subject the history rows naming it (as its ``history`` list)."""
    index = {str(s.get("id")).strip(): i for i, s in enumerate(subjects) if s.get("id") is not None}
    from_sheet: set[int] = set()
    for sid, entry, locs, where in rows:
        i = index.get(sid)
        if i is None:
            problems.append(Problem("unknown-subject", f"history row for subject {sid!r}, which no subject "
                                    f"sheet lists; subjects: {id_listing(index)}", (), where,
                                    did_you_mean(sid, list(index))))
            continue
        subject = subjects[i]
        if "history" in subject and i not in from_sheet:
            problems.append(Problem("duplicate-key", f"the history of {sid!r} is given both in a cell and on "
                                    "the history sheet", (), where))
            continue
        got = subject.setdefault("history", [])
        from_sheet.add(i)
        smap.values.setdefault(("subjects", i, "history"), where)
        if set(entry) == set():
            continue
        path: tuple[PathItem, ...] = ("subjects", i, "history", len(got))
        smap.values[path] = where
        for key, at in locs.items():
            smap.values[(*path, key)] = at
        got.append(entry)
