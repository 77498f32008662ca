"""The proposals sheet of an .xlsx submission (danh sách đề nghị): who is proposed for which award.

A sheet whose key row has ``@proposals.subject`` lists one proposal per row: the subject's id
and the award (``@proposals.award``), by id or label, as a ``proposals`` list names it
(:mod:`.cycle`); the generated form writes it (sheet "Danh sách đề nghị", an award drop-down).
Each row becomes one entry ``{award, subjects: [id]}`` of the submission's ``proposals``, its
cells located, so an unknown award or subject is reported as ``form.xlsx:Danh sách đề nghị!B7``.
A subject's ``proposed_for`` cell on its own sheet still counts beside the sheet's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.errors import Problem, SourceLocation

__all__ = ["PROPOSALS_PREFIX", "PROPOSAL_SHEET_KEYS", "ProposalRow", "proposal_rows", "proposals_document",
           "sheet_keys"]

PROPOSALS_PREFIX = "@proposals."
"""Prefix of the keys of the proposals sheet (``@proposals.subject``, ``@proposals.award``)."""
PROPOSAL_SHEET_KEYS = ("subject", "award")

ProposalRow = tuple[dict[str, Any], dict[str, SourceLocation], SourceLocation]
"""(the row's subject and award, where each is, where the row is)."""


def _text(value: Any) -> Any:
    """A cell as text: an id typed as a number (101, read 101.0) as ``101``."""
    if (isinstance(value, float) and value.is_integer()) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(int(value))
    return value.strip() if isinstance(value, str) else value


def proposal_rows(keys: list[str], data: list[tuple[int, list[Any]]],
                  loc: Callable[[int, int | None], SourceLocation], problems: list[Problem]) -> list[ProposalRow]:
    """The rows of a proposals sheet (``keys``: its key row; ``data``: (row number, cells))."""
    out: list[ProposalRow] = []
    for row_no, cells in data:
        values: dict[str, Any] = {}
        where: dict[str, SourceLocation] = {}
        for i, k in enumerate(keys):
            v = cells[i] if i < len(cells) else None
            if k.startswith(PROPOSALS_PREFIX) and v is not None and not (isinstance(v, str) and not v.strip()):
                values[k[len(PROPOSALS_PREFIX):]] = _text(v)
                where[k[len(PROPOSALS_PREFIX):]] = loc(row_no, i + 1)
        if not values:
            continue
        missing = [k for k in PROPOSAL_SHEET_KEYS if k not in values]
        if missing:
            what = "the subject's id (mã đối tượng)" if "subject" in missing else "the award (danh hiệu đề nghị)"
            problems.append(Problem("missing-key", f"a proposal row needs {what}", (), loc(row_no, None)))
            continue
        out.append((values, where, loc(row_no, None)))
    return out


def sheet_keys() -> list[str]:
    """The keys a proposals sheet may have."""
    return [f"{PROPOSALS_PREFIX}{k}" for k in PROPOSAL_SHEET_KEYS]


def proposals_document(rows: list[ProposalRow], smap: SourceMap) -> list[dict[str, Any]]:
    """The ``proposals`` list of the rows (one entry per row), each cell's location in ``smap``."""
    out: list[dict[str, Any]] = []
    for values, where, row in rows:
        path = ("proposals", len(out))
        smap.values[path] = row
        smap.values[(*path, "award")] = where["award"]
        smap.values[(*path, "subjects")] = where["subject"]
        smap.values[(*path, "subjects", 0)] = where["subject"]
        out.append({"award": values["award"], "subjects": [values["subject"]]})
    return out
