"""The upper level's review of a self-assessment (thẩm định, chấm lại): corrections to facts.

A grassroots union assesses (and scores) itself; the upper-level union reviews it and changes
some facts or score-sheet items, saying why. ``evaluate --reviewed FILE`` reads those
corrections, in the formats facts take::

    reviewed_by: "Ban Thi đua LĐLĐ (ví dụ)"        # the reviewer of every line without its own
    corrections:
      - {subject: A10, fact: task_rating, value: completed_well,
         note: "Bảng đánh giá của đơn vị ghi hoàn thành tốt nhiệm vụ"}
      - {subject: CD-A, item: recruitment, value: 8, note: "...", reviewer: "..."}  # a score-sheet item

A CSV file or a plain .xlsx table has one correction per row: ``subject, fact | item, value,
note, reviewer``. ``item`` names a score-sheet item whose points are a fact (``points_fact``).
Every value is validated and coerced like a submitted fact; a blank value means "not known".
Subjects, facts and items are located when unknown.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.errors import FactsError, PathItem, Problem, SourceLocation, did_you_mean, unknown_key
from emulation_rules.facts.coerce import Invalid, coerce_value
from emulation_rules.facts.reader import FactsReader, Submission

__all__ = ["Correction", "apply_corrections", "load_corrections", "read_corrections"]

KEYS = ("subject", "fact", "item", "value", "note", "reviewer")


@dataclass(frozen=True)
class Correction:
    """One reviewed value: ``fact`` of ``subject`` becomes ``value`` (None: not known).

    Attributes:
        item: the score-sheet item named, when the line named an item rather than a fact.
        note: why (diễn giải), as written.
        reviewer: who reviewed (the file's ``reviewed_by`` when the line names nobody).
    """

    subject: str
    fact: str
    value: Any
    note: str | None = None
    reviewer: str | None = None
    item: str | None = None
    location: SourceLocation | None = None


def _items(campaign: m.Campaign) -> dict[str, str]:
    """``{score-sheet item id: its points fact}`` over every award."""
    return {i.id: i.points_fact for a in campaign.awards if a.score_sheet is not None
            for i in a.score_sheet.items if i.points_fact is not None}


def load_corrections(source: str | os.PathLike[str], campaign: m.Campaign, submission: Submission
                     ) -> tuple[Correction, ...]:
    """Read and check the corrections of ``source`` (YAML, JSON, CSV or .xlsx) for ``submission``.

    Raises:
        FactsError: every problem, located (unknown subject, fact or item; a bad value).
    """
    path = Path(source)
    name = str(path)
    from emulation_rules.facts.inputs import read_input
    from emulation_rules.facts.reader import MAX_FACTS_BYTES

    raw = read_input(path, MAX_FACTS_BYTES, name)  # bounded, a regular file only
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx", ".xlsm"):
        smap = SourceMap(file=name)
        lines = _table(raw, name, smap, xlsx=suffix != ".csv")
        return _check(lines, campaign, submission, smap, None, True)
    from emulation_rules.campaign.safe_yaml import parse_yaml
    from emulation_rules.facts.json_text import parse_json

    text = raw.decode("utf-8-sig", errors="replace")
    data, smap = parse_json(text, file=name) if suffix == ".json" else parse_yaml(text, file=name)
    return read_corrections(data, campaign, submission, source_map=smap)


def read_corrections(data: Any, campaign: m.Campaign, submission: Submission, *,
                     source_map: SourceMap | None = None, path: tuple[PathItem, ...] = ()
                     ) -> tuple[Correction, ...]:
    """Check already-parsed corrections (``{reviewed_by, corrections: [...]}``, at ``path`` of
    the document ``source_map`` locates; the service reads them under ``review``).

    Raises:
        FactsError: every problem, located.
    """
    smap = source_map or SourceMap()
    if not isinstance(data, dict) or not isinstance(data.get("corrections"), list):
        raise FactsError([Problem("missing-key", "a review is a mapping with 'corrections', a list of "
                                  "{subject, fact | item, value, note, reviewer} (thẩm định cần danh sách "
                                  "'corrections')", path,
                                  smap.locate(path) or SourceLocation(smap.file, 1))])
    for key in data:
        if key not in ("campaign", "reviewed_by", "corrections"):
            message, hint = unknown_key(key, ("campaign", "reviewed_by", "corrections"))
            raise FactsError([Problem("unknown-key", message, (*path, key), smap.locate((*path, key)), hint)])
    lines = [((*path, "corrections", i), entry) for i, entry in enumerate(data["corrections"])]
    return _check(lines, campaign, submission, smap, data.get("reviewed_by"), False)


def _table(raw: bytes, name: str, smap: SourceMap, *, xlsx: bool) -> list[tuple[tuple[PathItem, ...], Any]]:
    if xlsx:
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:
            raise FactsError([Problem("missing-extra", "reading .xlsx needs python-calamine: pip install "
                                      "'emulation-rules[xlsx]'", location=SourceLocation(name, 1))]) from None
        from emulation_rules.facts.xlsx_bounds import check_xlsx

        check_xlsx(raw, name)  # the reader allocates from what the sheets say: bound it first
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
            sheet = book.sheet_names[0]
            rows = [[("" if c is None else str(c)) for c in r] for r in book.get_sheet_by_name(sheet).to_python()]
        except Exception as exc:  # calamine raises its own types for a broken file
            raise FactsError([Problem("unreadable", f"not a readable .xlsx: {exc}",
                                      location=SourceLocation(name, 1))]) from None
    else:
        sheet = None
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig", errors="replace"), newline="")))
    header = [unicodedata.normalize("NFC", h.strip()) for h in (rows[0] if rows else [])]
    bad = [Problem("unknown-column", f"unknown column {h!r}; columns: {', '.join(KEYS)}", (h,),
                   SourceLocation(name, 1, i, sheet), did_you_mean(h, KEYS))
           for i, h in enumerate(header, start=1) if h not in KEYS]
    if bad or "subject" not in header:
        raise FactsError(bad or [Problem("missing-key", "a review table needs a 'subject' column",
                                         location=SourceLocation(name, 1, None, sheet))])
    out: list[tuple[tuple[PathItem, ...], Any]] = []
    for row_no, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        entry = {h: cells[i].strip() for i, h in enumerate(header) if i < len(cells) and cells[i].strip()}
        path: tuple[PathItem, ...] = ("corrections", len(out))
        smap.values[path] = SourceLocation(name, row_no, None, sheet)
        for i, h in enumerate(header, start=1):
            smap.values[(*path, h)] = SourceLocation(name, row_no, i, sheet)
        out.append((path, entry))
    return out


def _check(lines: list[tuple[tuple[PathItem, ...], Any]], campaign: m.Campaign, submission: Submission,
           smap: SourceMap, reviewer: Any, from_text: bool) -> tuple[Correction, ...]:
    reader = FactsReader(campaign, smap, from_text=from_text)
    subjects = {s.id: s for s in submission.subjects}
    items = _items(campaign)
    problems: list[Problem] = []
    out: list[Correction] = []
    for path, entry in lines:
        if not isinstance(entry, dict):
            problems.append(reader.problem("invalid-value", "a correction must be a mapping", path))
            continue
        for key in entry:
            if key not in KEYS:
                message, hint = unknown_key(key, KEYS)
                problems.append(reader.problem("unknown-key", message, (*path, key), hint))
        sid = unicodedata.normalize("NFC", str(entry.get("subject", "")).strip())
        subject = subjects.get(sid)
        if subject is None:
            problems.append(reader.problem("unknown-subject", f"subject {sid!r} is not in the submission "
                                           "(đối tượng không có trong hồ sơ tự đánh giá)", (*path, "subject"),
                                           did_you_mean(sid, list(subjects))))
            continue
        item = entry.get("item")
        fact_id = entry.get("fact")
        if (item is None) == (fact_id is None):
            problems.append(reader.problem("missing-key", "a correction names a 'fact' or a score-sheet 'item', "
                                           "exactly one", path))
            continue
        if item is not None:
            fact_id = items.get(str(item))
            if fact_id is None:
                problems.append(reader.problem("unknown-fact", f"score-sheet item {item!r} has no points fact; "
                                               f"items: {', '.join(items) or 'none'}", (*path, "item"),
                                               did_you_mean(str(item), list(items))))
                continue
        decl = reader.facts.get(str(fact_id))
        if decl is None or decl.applies_to != subject.kind or decl.type == "records":
            problems.append(reader.problem("unknown-fact", f"fact {fact_id!r} is not a plain fact of "
                                           f"{subject.kind} subjects", (*path, "fact"),
                                           did_you_mean(str(fact_id), [f for f, d in reader.facts.items()
                                                                       if d.applies_to == subject.kind])))
            continue
        value = entry.get("value")
        if value is not None and value != "":
            value = coerce_value(decl, value, from_text=from_text)
            if isinstance(value, Invalid):
                problems.append(reader.problem("invalid-value", value.message, (*path, "value"), value.hint))
                continue
        else:
            value = None
        note, who = entry.get("note"), entry.get("reviewer", reviewer)
        out.append(Correction(sid, decl.id, value, None if note is None else str(note),
                              None if who is None else str(who), None if item is None else str(item),
                              smap.locate(path)))
    if problems:
        raise FactsError(problems)
    return tuple(out)


def apply_corrections(submission: Submission, corrections: tuple[Correction, ...]) -> Submission:
    """The submission as reviewed: each corrected fact replaced (removed when its value is None)."""
    by_subject: dict[str, dict[str, Any]] = {}
    for c in corrections:
        by_subject.setdefault(c.subject, {})[c.fact] = c.value
    subjects = []
    for s in submission.subjects:
        changes: Mapping[str, Any] | None = by_subject.get(s.id)
        if changes:
            facts = {k: v for k, v in {**s.facts, **changes}.items() if v is not None}
            s = dataclasses.replace(s, facts=MappingProxyType(facts))
        subjects.append(s)
    return dataclasses.replace(submission, subjects=tuple(subjects))
