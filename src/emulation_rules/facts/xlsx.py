"""Facts from an .xlsx workbook: a filled-in submission form, or a plain table made by hand.

The workbook is turned into the same data a YAML facts file holds and validated by
:func:`~emulation_rules.facts.reader.parse_facts`, so the rules are the same as for YAML, JSON
and CSV (:func:`~emulation_rules.facts.coerce.coerce_value`). Every problem is located as the
sheet and cell, ``form.xlsx:Cá nhân!D7: subjects[3].facts.member_rating: ...``.

Layout (what :mod:`emulation_rules.authoring.forms` writes; a hand-made table works too):

* **Key row.** Each table has a row of keys: ``id, kind, level, role, unit, name`` and fact
  ids. It is row 1 (a plain table, data from row 2), or row 2 under a row of labels (a form:
  row 1 holds the Vietnamese headers, row 2 the keys, hidden, data from row 3). The labels
  are never read, so a renamed header still reads.
* **Subjects.** A sheet whose key row has ``id`` holds one subject per row (any number of
  such sheets, e.g. one for units and one for people); ``kind`` may be left out of the key
  row when every row is one kind and the sheet's key row says so with ``@kind=collective``
  or ``@kind=individual`` in its first cell (the form does this).
* **Records.** A sheet whose key row has ``@subject`` holds one record per row of a records
  fact (e.g. the Golden Book): the subject id in the ``@subject`` column, the fields as
  ``<fact>.<field>`` keys (``initiative_ledger.title``). Rows of one subject are its records,
  in sheet order. On the subject sheet, the records fact's own column (optional) holds how
  many records the subject has: ``0`` is a known empty list (a blank cell with no rows is
  *not known*, as an absent fact), and a count that differs from the rows is refused; or it
  holds the records themselves as the JSON list a CSV cell holds (``[{"title": ...}]``), so
  that a facts CSV saved as .xlsx by a spreadsheet program reads exactly as the CSV.
* **History.** A sheet whose key row has ``@history.subject`` lists the titles each subject
  already holds, one per row (:mod:`.xlsx_history`); **proposals**, ``@proposals.subject``: who
  is proposed for which award, one per row (:mod:`.xlsx_proposals`).
* **Initiative register.** A sheet whose key row has ``@initiatives.id`` holds the register
  (:mod:`.initiatives`), one initiative per row; ``@initiatives.authors`` reads
  ``P01: 60; P02: 40`` (person and share in percent; a single author may be just ``P01``).
* **Campaign and review date.** A sheet with ``@campaign`` or ``@as_of`` in its first column
  takes the value from the third column of that row.

Excel-typed cells (numbers, booleans, dates; a number in a date column is read as an Excel
date serial) and text cells (``"15/6/2019"``, ``"có"``) are both accepted. Formulas are read
as their last computed value. Sheets of no kind above (instructions, lists) are ignored.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.errors import FactsError, PathItem, Problem, SourceLocation, did_you_mean, id_listing, unknown_id
from emulation_rules.facts.history import HISTORY_COLUMN, history_cell
from emulation_rules.facts.initiatives import REGISTER_KEYS, register_fields
from emulation_rules.facts.json_text import loads_value
from emulation_rules.facts.reader import CSV_META_COLUMNS, OnError, Submission, parse_facts
from emulation_rules.facts.xlsx_bounds import check_xlsx
from emulation_rules.facts.xlsx_cells import (
    _blank,
    _ident,
    _key,
    _label_index,
    _text,
    _typed,
    excel_serial_to_date,
    format_authors,
    parse_authors,
)
from emulation_rules.facts.xlsx_history import HISTORY_PREFIX, HISTORY_SHEET_KEYS, attach_history, history_rows
from emulation_rules.facts.xlsx_proposals import PROPOSALS_PREFIX, proposal_rows, proposals_document, sheet_keys

__all__ = [
    "KIND_TAG",
    "META_AS_OF",
    "META_CAMPAIGN",
    "RECORDS_SUBJECT",
    "REGISTER_PREFIX",
    "SubjectTable",
    "column_text",
    "excel_serial_to_date",
    "format_authors",
    "parse_authors",
    "read_facts_xlsx",
    "subject_table",
]

RECORDS_SUBJECT = "@subject"
"""Key of the subject-id column of a records sheet."""
REGISTER_PREFIX = "@initiatives."
"""Prefix of the keys of the initiative register sheet (``@initiatives.id``...)."""
META_CAMPAIGN = "@campaign"
META_AS_OF = "@as_of"
KIND_TAG = "@kind="
"""First key of a one-kind subject sheet: ``@kind=collective`` stands for the ``kind`` column."""


def read_facts_xlsx(
    data: bytes,
    campaign: m.Campaign,
    *,
    file: str = "<workbook>",
    on_error: OnError = "raise",
) -> Submission:
    """Validate the facts of an .xlsx workbook (layout in the module docstring).

    Args:
        data: the file's bytes.
        campaign: the campaign whose declared facts give names and types.
        file: file name used in locations.
        on_error: as for :func:`~emulation_rules.facts.reader.load_facts`.

    Raises:
        FactsError: unreadable workbook (``unreadable``), no subject sheet (``empty``), unknown
            keys, or any invalid value, each located as ``file:Sheet!C12``; ``missing-extra``
            when python-calamine (a dependency) is not installed.
    """
    sheets = _read_sheets(data, file)
    book = _Book(campaign, file)
    for name, rows in sheets:
        book.sheet(name, rows)
    if book.problems:
        raise FactsError(book.problems)
    if not book.subject_sheets:
        raise FactsError([Problem("empty", "no sheet has a key row with 'id' (one subject per row)",
                                  location=SourceLocation(file, 1))])
    return parse_facts(book.document(), campaign, source_map=book.smap, on_error=on_error)


def _read_sheets(data: bytes, file: str) -> list[tuple[str, list[list[Any]]]]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise FactsError(
            [
                Problem(
                    "missing-extra",
                    "reading .xlsx needs python-calamine",
                    location=SourceLocation(file, 1),
                    hint="python-calamine is a dependency of emulation-rules: pip install python-calamine",
                )
            ]
        ) from None
    check_xlsx(data, file)  # the reader allocates from what the sheets say: bound it first
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        out = []
        for name in wb.sheet_names:
            out.append((name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)))
        wb.close()
    except Exception as exc:
        raise FactsError(
            [
                Problem(
                    "unreadable", f"not an .xlsx workbook: {exc}", location=SourceLocation(file, 1)
                )
            ]
        ) from None
    return out


@dataclass(frozen=True)
class SubjectTable:
    """The first subject sheet of a workbook, as text columns for the bulk evaluator.

    Attributes:
        sheet: the sheet's name.
        key_row: the sheet row (1-based) of the key row.
        first_row: the sheet row of the first data row (``key_row + 1``); data row ``j``
            (0-based) is sheet row ``first_row + j``, blank rows included.
        header: the keys read, in sheet order (``@`` keys and unkeyed columns left out), with
            ``kind`` last when the sheet is of one kind (``@kind=...``).
        columns: one list of cells per key as calamine reads them: ``""`` for an empty cell,
            text as ``str``, Excel-typed cells as numbers, booleans and dates
            (:func:`column_text` turns a column to text).
        sheet_columns: the sheet column (1-based) of each key (for ``kind`` from ``@kind=``,
            the column of that tag).
        read: how many of the keys come from the sheet's cells (all but an added ``kind``): a
            row is blank when these cells are.
    """

    sheet: str
    key_row: int
    first_row: int
    header: list[str]
    columns: list[list[Any]]
    sheet_columns: list[int]
    read: int


def column_text(cells: Sequence[Any]) -> list[str]:
    """A column of cells as the text a CSV would hold: an integral number its digits, a date
    ``YYYY-MM-DD``, a boolean ``true``/``false``, an empty cell ``""``; text as it is."""
    return ["" if v == "" else v if type(v) is str else _text(v) or "" for v in cells]


def subject_table(data: bytes, file: str) -> SubjectTable:
    """The first subject sheet as text columns, for the bulk evaluator (which reads every cell
    as CSV text).

    A one-kind sheet (``@kind=...``) gets a ``kind`` column. Records sheets and the register are not read here.
    Blank rows are kept (the caller drops them), so that row numbers stay those of the sheet.

    Raises:
        FactsError: unreadable workbook or no subject sheet.
    """
    for name, rows in _read_sheets(data, file):
        for r in (0, 1):
            keys = [_key(v) for v in rows[r]] if r < len(rows) else []
            if "id" in keys:
                break
        else:
            continue
        kind = keys[0][len(KIND_TAG) :] if keys and keys[0].startswith(KIND_TAG) else None
        body = rows[r + 1 :]
        # the hot path for 100,000-row sheets: columns picked in C (itemgetter over the rows,
        # which calamine gives as a rectangle); cells go through as they are, Excel-typed ones
        # included: the caller turns a column to text with column_text only when it holds any
        width = max(map(len, body), default=0)
        if any(len(row) != width for row in body):
            body = [[*row, *[""] * (width - len(row))] for row in body]
        wanted = [(i, k) for i, k in enumerate(keys) if k and not k.startswith("@")]
        columns: list[list[Any]] = [
            list(map(itemgetter(i), body)) if i < width else [""] * len(body) for i, _ in wanted
        ]
        header = [k for _, k in wanted]
        read = len(header)
        sheet_columns = [i + 1 for i, _ in wanted]
        if kind is not None and "kind" not in header:
            header.append("kind")
            columns.append([kind] * len(body))
            sheet_columns.append(1)
        return SubjectTable(name, r + 1, r + 2, header, columns, sheet_columns, read)
    raise FactsError(
        [
            Problem(
                "empty",
                "no sheet has a key row with 'id' (one subject per row)",
                location=SourceLocation(file, 1),
            )
        ]
    )


class _Book:
    """Collects the subjects, records, register and meta cells of the workbook's sheets."""

    def __init__(self, campaign: m.Campaign, file: str) -> None:
        self.c = campaign
        self.file = file
        self.facts = {f.id: f for f in campaign.facts}
        self.smap = SourceMap(file=file)
        self.problems: list[Problem] = []
        self.subjects: list[dict[str, Any]] = []
        self.subject_sheets: list[str] = []
        self.records: list[
            tuple[str, str, dict[str, Any], dict[str, SourceLocation], SourceLocation]
        ] = []
        self.register: list[dict[str, Any]] = []
        self.meta: dict[str, Any] = {}
        self.counts: dict[tuple[int, str], tuple[int, SourceLocation]] = {}
        self.json_cells: set[tuple[int, str]] = set()  # records given as a JSON list in a cell
        self.histories: list[Any] = []  # rows of the history sheet (.xlsx_history)
        self.proposals: list[Any] = []  # rows of the proposals sheet (.xlsx_proposals)
        self.reg_fields = register_fields(campaign.initiatives) if campaign.initiatives else {}
        # the form's drop-downs show level and role labels; the reader wants ids
        self.level_ids = _label_index(campaign.subjects.collective_levels)
        self.role_ids = _label_index(campaign.subjects.individual_roles)

    def loc(self, sheet: str, row: int, col: int | None = None) -> SourceLocation:
        return SourceLocation(self.file, row, col, sheet)

    def sheet(self, name: str, rows: list[list[Any]]) -> None:
        key_row = None
        for r in (0, 1):
            if r < len(rows):
                keys = [_key(v) for v in rows[r]]
                if (
                    "id" in keys
                    or RECORDS_SUBJECT in keys
                    or f"{REGISTER_PREFIX}id" in keys
                    or f"{HISTORY_PREFIX}subject" in keys
                    or f"{PROPOSALS_PREFIX}subject" in keys
                    or (keys and keys[0].startswith(KIND_TAG))
                ):
                    key_row = r
                    break
        if key_row is None:
            self.meta_cells(name, rows)
            return
        keys = [_key(v) for v in rows[key_row]]
        if len({k for k in keys if k}) != len([k for k in keys if k]):
            self.problems.append(
                Problem(
                    "duplicate-key",
                    "a key is repeated in the key row",
                    (),
                    self.loc(name, key_row + 1),
                )
            )
            return
        data = [(i + 1, row) for i, row in enumerate(rows) if i > key_row]
        if RECORDS_SUBJECT in keys:
            self.records_sheet(name, key_row + 1, keys, data)
        elif f"{REGISTER_PREFIX}id" in keys:
            self.register_sheet(name, key_row + 1, keys, data)
        elif f"{HISTORY_PREFIX}subject" in keys:
            if not self.unknown_keys(name, key_row + 1, keys, [f"{HISTORY_PREFIX}{k}" for k in HISTORY_SHEET_KEYS]):
                self.histories += history_rows(keys, data, lambda r, c: self.loc(name, r, c), self.problems)
        elif f"{PROPOSALS_PREFIX}subject" in keys:  # danh sách đề nghị (.xlsx_proposals)
            if not self.unknown_keys(name, key_row + 1, keys, sheet_keys()):
                self.proposals += proposal_rows(keys, data, lambda r, c: self.loc(name, r, c), self.problems)
        else:
            self.subject_sheet(name, key_row + 1, keys, data)

    def meta_cells(self, name: str, rows: list[list[Any]]) -> None:
        for i, row in enumerate(rows, start=1):
            key = _key(row[0]) if row else ""
            if key in (META_CAMPAIGN, META_AS_OF):
                value = row[2] if len(row) > 2 else None
                value = _blank(value)
                if (
                    key == META_AS_OF
                    and isinstance(value, (int, float))
                    and not isinstance(value, bool)
                ):
                    value = excel_serial_to_date(value) or value
                if value is not None:
                    field = key[1:]
                    self.meta[field] = value
                    self.smap.values[(field,)] = self.loc(name, i, 3)

    def unknown(self, name: str, row: int, col: int, key: str, known: Iterable[str]) -> None:
        message, hint = unknown_id("key", key, known, where=" in the key row")
        self.problems.append(Problem("unknown-column", message, (key,), self.loc(name, row, col), hint))

    def unknown_keys(self, name: str, row: int, keys: list[str], known: Collection[str]) -> bool:
        """Report every key of the key row not in ``known``; True when there was one."""
        bad = [(col, k) for col, k in enumerate(keys, start=1) if k and k not in known]
        for col, k in bad:
            self.unknown(name, row, col, k, known)
        return bool(bad)

    def subject_sheet(
        self, name: str, key_row: int, keys: list[str], data: list[tuple[int, list[Any]]]
    ) -> None:
        kind = None
        if keys and keys[0].startswith(KIND_TAG):
            kind = keys[0][len(KIND_TAG) :]
            if kind not in ("collective", "individual"):
                self.problems.append(
                    Problem(
                        "bad-choice",
                        f"{keys[0]!r}: kind must be collective or individual",
                        (),
                        self.loc(name, key_row, 1),
                    )
                )
                return
            keys = ["", *keys[1:]]
        known = set(CSV_META_COLUMNS) | set(self.facts) | {HISTORY_COLUMN, "proposed_for"}
        if self.unknown_keys(name, key_row, keys, known):
            return
        self.subject_sheets.append(name)
        for row_no, cells in data:
            values = {k: _blank(cells[i]) for i, k in enumerate(keys) if k and i < len(cells)}
            if all(v is None for v in values.values()):
                continue
            path: tuple[PathItem, ...] = ("subjects", len(self.subjects))
            self.smap.values[path] = self.loc(name, row_no)
            subject: dict[str, Any] = {"facts": {}}
            if kind is not None:
                subject["kind"] = kind
            for col, k in enumerate(keys, start=1):
                value = values.get(k)
                if not k or value is None:
                    continue
                if k in (HISTORY_COLUMN, "proposed_for"):  # proposed_for: read with the subject (.cycle)
                    self.smap.values[(*path, k)] = self.loc(name, row_no, col)
                    subject[k] = history_cell(value)
                elif k in CSV_META_COLUMNS:
                    self.smap.values[(*path, k)] = self.loc(name, row_no, col)
                    if k in ("id", "unit"):
                        value = _ident(value)
                    elif k in ("level", "role") and isinstance(value, str):
                        index = self.level_ids if k == "level" else self.role_ids
                        value = index.get(value.casefold(), value)
                    subject[k] = value
                elif self.facts[k].type == "records" and isinstance(value, str) and value.lstrip()[:1] == "[":
                    self.records_cell(subject, path, k, value, self.loc(name, row_no, col))
                elif self.facts[k].type == "records":
                    self.record_count(path, k, value, self.loc(name, row_no, col))
                else:
                    self.smap.values[(*path, "facts", k)] = self.loc(name, row_no, col)
                    subject["facts"][k] = _typed(self.facts[k].type, value)
            self.subjects.append(subject)

    def records_cell(self, subject: dict[str, Any], path: tuple[PathItem, ...], fact: str, value: str,
                     where: SourceLocation) -> None:
        """A records fact's cell holding the JSON list a CSV cell holds (a CSV saved as .xlsx):
        decoded with the bounds of facts JSON, each field typed as its cell would be."""
        self.smap.values[(*path, "facts", fact)] = where
        try:
            records = loads_value(value)
        except FactsError as exc:
            first = exc.problems[0]
            at = f" (at character {first.location.column})" if first.location else ""
            self.problems.append(Problem("invalid-value", f"records cell is not a JSON list: {first.message}{at}",
                                         (*path, "facts", fact), where))
            return
        fields = {f.id: f.type for f in self.facts[fact].fields}
        if isinstance(records, list):
            records = [{k: _typed(fields[k], v) if k in fields else v for k, v in r.items()}
                       if isinstance(r, dict) else r for r in records]
        subject["facts"][fact] = records
        self.json_cells.add((int(path[1]), fact))

    def record_count(
        self, path: tuple[PathItem, ...], fact: str, value: Any, where: SourceLocation
    ) -> None:
        """A records fact's cell on a subject sheet holds how many records the subject has on the
        records sheet: 0 says "none" (a known empty list, unlike a blank cell) and a count that
        differs from the rows found is refused (a lost or extra row)."""
        n = value
        if isinstance(n, str) and n.isdigit():
            n = int(n)
        if isinstance(n, float) and n.is_integer():
            n = int(n)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            self.problems.append(
                Problem(
                    "invalid-value",
                    f"expected the number of {fact!r} records (0 for none), got {value!r}",
                    (*path, "facts", fact),
                    where,
                )
            )
            return
        self.counts[(int(path[1]), fact)] = (n, where)

    def records_sheet(
        self, name: str, key_row: int, keys: list[str], data: list[tuple[int, list[Any]]]
    ) -> None:
        fact_ids = {k.split(".", 1)[0] for k in keys if "." in k}
        records = [
            self.facts[f] for f in fact_ids if f in self.facts and self.facts[f].type == "records"
        ]
        if len(fact_ids) != 1 or len(records) != 1:
            known = [f.id for f in self.c.facts if f.type == "records"]
            self.problems.append(
                Problem(
                    "unknown-column",
                    "a records sheet needs keys '<fact>.<field>' of one records fact "
                    f"(records facts: {', '.join(known) or 'none'})",
                    (),
                    self.loc(name, key_row),
                )
            )
            return
        decl = records[0]
        fields = {f.id: f for f in decl.fields}
        bad = False
        for col, k in enumerate(keys, start=1):
            if not k or k == RECORDS_SUBJECT:
                continue
            field = k.split(".", 1)[1] if "." in k else k
            if field not in fields:
                self.unknown(name, key_row, col, k, [f"{decl.id}.{f}" for f in fields])
                bad = True
        if bad:
            return
        scol = keys.index(RECORDS_SUBJECT)
        for row_no, cells in data:
            values = [_blank(cells[i]) if i < len(cells) else None for i in range(len(keys))]
            if all(v is None for v in values):
                continue
            sid = values[scol]
            if sid is None:
                self.problems.append(
                    Problem(
                        "missing-key",
                        "a record needs the subject id",
                        (),
                        self.loc(name, row_no, scol + 1),
                    )
                )
                continue
            rec: dict[str, Any] = {}
            locs: dict[str, SourceLocation] = {}
            for col, k in enumerate(keys, start=1):
                if not k or k == RECORDS_SUBJECT or values[col - 1] is None:
                    continue
                field = k.split(".", 1)[1]
                rec[field] = _typed(fields[field].type, values[col - 1])
                locs[field] = self.loc(name, row_no, col)
            self.records.append((_ident(sid), decl.id, rec, locs, self.loc(name, row_no)))

    def register_sheet(
        self, name: str, key_row: int, keys: list[str], data: list[tuple[int, list[Any]]]
    ) -> None:
        if self.c.initiatives is None:
            self.problems.append(
                Problem(
                    "unknown-key",
                    f"campaign {self.c.id!r} declares no initiative "
                    "programme; the register sheet cannot be read",
                    (),
                    self.loc(name, key_row),
                )
            )
            return
        known = [f"{REGISTER_PREFIX}{k}" for k in REGISTER_KEYS]
        if self.unknown_keys(name, key_row, keys, known):
            return
        for row_no, cells in data:
            values = {
                k[len(REGISTER_PREFIX) :]: (_blank(cells[i]), i + 1)
                for i, k in enumerate(keys)
                if k and i < len(cells)
            }
            if all(v is None for v, _ in values.values()):
                continue
            path: tuple[PathItem, ...] = ("initiatives", len(self.register))
            self.smap.values[path] = self.loc(name, row_no)
            entry: dict[str, Any] = {}
            for key, (value, col) in values.items():
                if value is None:
                    continue
                self.smap.values[(*path, key)] = self.loc(name, row_no, col)
                if key == "authors" and isinstance(value, str):
                    value = parse_authors(value) or value
                elif key in ("id", "unit", "leader"):
                    value = _ident(value)
                elif key in self.reg_fields:
                    value = _typed(self.reg_fields[key].type, value)
                entry[key] = value
            self.register.append(entry)

    def document(self) -> dict[str, Any]:
        index = {
            str(s.get("id")).strip(): i
            for i, s in enumerate(self.subjects)
            if s.get("id") is not None
        }
        for sid, fact, rec, locs, where in self.records:
            i = index.get(sid)
            if i is None:
                self.problems.append(
                    Problem(
                        "unknown-subject",
                        f"record of {fact!r} for subject {sid!r}, which no subject sheet lists; "
                        f"subjects: {id_listing(index)}",
                        (),
                        where,
                        did_you_mean(sid, list(index)),
                    )
                )
                continue
            got = self.subjects[i]["facts"].setdefault(fact, [])
            if not isinstance(got, list) or (i, fact) in self.json_cells:
                self.problems.append(
                    Problem(
                        "duplicate-key",
                        f"{fact!r} of {sid!r} is given both in a cell and on a records sheet",
                        (),
                        where,
                    )
                )
                continue
            rpath: tuple[PathItem, ...] = ("subjects", i, "facts", fact, len(got))
            self.smap.values.setdefault(("subjects", i, "facts", fact), where)
            self.smap.values[rpath] = where
            for field, loc in locs.items():
                self.smap.values[(*rpath, field)] = loc
            got.append(rec)
        for (i, fact), (n, where) in self.counts.items():
            got = self.subjects[i]["facts"].setdefault(fact, [])
            self.smap.values.setdefault(("subjects", i, "facts", fact), where)
            if isinstance(got, list) and len(got) != n:
                self.problems.append(
                    Problem(
                        "record-count",
                        f"the subject sheet gives {n} record(s) of {fact!r}, the records "
                        f"sheet has {len(got)} for {self.subjects[i].get('id')!r}",
                        ("subjects", i, "facts", fact),
                        where,
                    )
                )
        attach_history(self.subjects, self.histories, self.smap, self.problems)
        if self.problems:
            raise FactsError(self.problems)
        doc: dict[str, Any] = {**self.meta, "subjects": self.subjects}
        if self.register:
            doc["initiatives"] = self.register
        if self.proposals:
            doc["proposals"] = proposals_document(self.proposals, self.smap)
        return doc
