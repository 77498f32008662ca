"""One typed presentation of a result, rendered by every format (text table, CSV, workbook, HTML).

:func:`present` turns an evaluation (and the targets, the initiatives and the problems of a run)
into :class:`Presentation`: tables of :class:`Cell` s whose ``text`` is what a person reads in the
chosen language, whose ``value`` is what a spreadsheet stores (a number stays a number, a date a
date) and whose ``key`` is the stable code behind the text (a verdict, a status; the colours and
the page's ``data-*`` attributes use it). Each kind of value has one formatter
(:class:`Formatter`): numbers, dates, yes/no, points, percentages, lists and records; nothing is
ever shown through ``str()`` of a Python object, so no format can print a repr.

Tables:

* ``subjects``: one row per subject, its awards side by side (verdict, with the quota outcome
  beside it when a cap places it over the quota), each row carrying its detail rows;
* ``details``: one row per subject and award (points, band, failing criteria, missing facts, the
  reason in words); ``criteria``: one row per criterion with its values and citation;
* ``counts``, ``quotas``, ``quota_groups``, ``outcomes``, ``target_summary`` (the summary);
  ``targets``, ``initiatives``, ``defects``, ``rejected``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.facts.vocab import KINDS
from emulation_rules.frozen import frozen
from emulation_rules.messages import translate_message
from emulation_rules.results.words import STATUS, Lang, word
from emulation_rules.results.words import VERDICTS as VERDICT_WORDS

__all__ = ["Cell", "CellValue", "Column", "Formatter", "Presentation", "Row", "Table", "format_number"]

CellValue = str | int | float | dt.date | None
"""What a spreadsheet cell stores: text, a number, a date, or nothing (an empty cell)."""


def format_number(value: float | int | None, lang: Lang = "vi", digits: int = 2) -> str:
    """A number as people read it: at most ``digits`` decimals, trailing zeros dropped;
    Vietnamese ``1.234,5`` or English ``1,234.5``; ``""`` for None.

    >>> format_number(1234.5), format_number(1234.5, "en"), format_number(90.0), format_number(None)
    ('1.234,5', '1,234.5', '90', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        value = int(value)
    text = f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,d}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_VI_SEPARATORS) if lang == "vi" else text


_VI_SEPARATORS = str.maketrans(",.", ".,")
_KIND_LABELS: dict[str, m.Text | None] = dict(KINDS)


@frozen
class Cell:
    """One cell: ``text`` as read, ``value`` as stored in a spreadsheet, ``key`` the code behind."""

    text: str
    value: CellValue = None
    key: str | None = None

    @staticmethod
    def of(text: str, key: str | None = None) -> Cell:
        """A text cell (stored as the same text; empty text is an empty cell)."""
        return Cell(text, text or None, key)


@frozen
class Column:
    """A column: its key (stable, for tests and ``data-key``), heading, width in characters
    (the workbook's) and whether it holds numbers (right-aligned)."""

    key: str
    title: str
    width: float = 16
    numeric: bool = False


@frozen
class Row:
    """A row of cells; ``details``: rows of the table's ``detail_columns`` (shown on expand)."""

    cells: tuple[Cell, ...]
    details: tuple[tuple[Cell, ...], ...] = ()


@frozen
class Table:
    """A table every format shows the same way. ``colour``: the column whose cells' ``key``
    picks a fill (verdict or status)."""

    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    colour: tuple[int, ...] = ()
    detail_columns: tuple[Column, ...] = ()

    def column(self, key: str) -> int:
        """Index of the column ``key``."""
        return next(i for i, c in enumerate(self.columns) if c.key == key)


@frozen
class Presentation:
    """What every format shows of one run (tables absent when the run has no such part)."""

    lang: Lang
    title: str
    issuer: str
    as_of: Cell
    phase: Cell
    subject_count: int | None = None
    counts: Table | None = None
    quotas: Table | None = None
    quota_groups: Table | None = None
    outcomes: Table | None = None
    target_summary: Table | None = None
    initiative_counts: Mapping[str, int] | None = None
    subjects: Table | None = None
    details: Table | None = None
    criteria: Table | None = None
    targets: Table | None = None
    initiatives: Table | None = None
    defects: Table | None = None
    rejected: Table | None = None
    notes: tuple[str, ...] = ()
    raw_targets: tuple[tuple[float | None, float], ...] = field(default=())
    """Per target row, (value, figure) as numbers (the chart's bar lengths)."""

    def detail_tables(self) -> tuple[Table, ...]:
        """The tables listing rows of the run (what the tests read cell by cell)."""
        return tuple(t for t in (self.subjects, self.details, self.criteria, self.targets,
                                 self.initiatives, self.defects, self.rejected) if t is not None)


class Formatter:
    """One formatter per kind of value, in one language."""

    def __init__(self, lang: Lang, campaign: m.Campaign | None = None) -> None:
        self.lang: Lang = lang
        self.c = campaign

    def w(self, key: str, **values: object) -> str:
        """A label of the catalogue (:mod:`.words`)."""
        return word(key, self.lang, **values)

    def message(self, text: str) -> str:
        """A message written in English where it arose (a reason, a note, a problem), in the
        chosen language (:mod:`emulation_rules.messages`; unchanged when the catalogue lacks it)."""
        return translate_message(text, self.lang) or text

    def text(self, t: m.Text) -> str:
        """A bilingual text in the chosen language."""
        return t.vi if self.lang == "vi" else t.en

    def number(self, value: float | int | None, digits: int = 2) -> str:
        """A number (``""`` for None)."""
        return format_number(value, self.lang, digits)

    def date(self, value: dt.date | None) -> str:
        """A date as ``dd/mm/yyyy`` (``""`` for None)."""
        return "" if value is None else f"{value:%d/%m/%Y}"

    def value(self, value: Any) -> str:
        """Any fact value as read: yes/no, a date, a number, text; a list joined with ``, ``;
        a record as ``key: value`` pairs; None as the word for unknown."""
        if value is None:
            return self.w("unknown_value")
        if isinstance(value, bool):
            return self.w("yes") if value else self.w("no")
        if isinstance(value, dt.date):
            return self.date(value)
        if isinstance(value, (int, float)):
            return self.number(value, 4)
        if isinstance(value, str):
            return value
        if isinstance(value, Mapping):
            return ", ".join(f"{k}: {self.value(v)}" for k, v in value.items())
        if isinstance(value, (list, tuple, set, frozenset)):
            return ", ".join(self.value(v) for v in value)
        return self.w("unknown_value")  # no other kind exists; never a repr

    def verdict(self, code: str) -> str:
        """A verdict in words."""
        vi, en = VERDICT_WORDS[code]
        return vi if self.lang == "vi" else en

    def kind(self, code: str) -> str:
        """A subject kind's label (:data:`~emulation_rules.facts.vocab.KINDS`: "Tập thể", "Cá
        nhân"; an unknown kind as it is)."""
        label = _KIND_LABELS.get(code)
        return code if label is None else self.text(label)

    def status(self, code: str) -> str:
        """A status in words (criterion, quota, target, initiative, quota outcome)."""
        vi, en = STATUS.get(code, (code, code))
        return vi if self.lang == "vi" else en

    def fact(self, fact_id: str) -> str:
        """A fact's label (its id when the campaign does not declare it)."""
        if self.c is not None:
            try:
                return self.text(self.c.fact(fact_id).label)
            except KeyError:
                pass
        return fact_id

    def fact_value(self, fact_id: str, value: Any) -> str:
        """A fact's value as read: an enum value by its label, anything else by :meth:`value`."""
        if self.c is not None and isinstance(value, str):
            try:
                decl = self.c.fact(fact_id)
            except KeyError:
                return value
            for v in decl.values:
                if v.id == value:
                    return self.text(v.label)
        return self.value(value)

    def phase(self, phase: str | None) -> str:
        """A phase's label."""
        p = self.c.phase_named(phase) if self.c is not None else None
        if p is not None:  # declared, or a standing regulation's review year
            return self.text(p.label)
        return phase or ""

    def level(self, level: str | None, role: str | None) -> str:
        """A collective level's or an individual role's label."""
        if self.c is not None:
            for lv in (*self.c.subjects.collective_levels, *self.c.subjects.individual_roles):
                if lv.id in (level, role):
                    return self.text(lv.label)
        return level or role or ""

    def points(self, points: float | None, max_points: float | None) -> str:
        """``points/max`` (``""`` when there are no points)."""
        if points is None:
            return ""
        return f"{self.number(points)}/{self.number(max_points)}"

    def percent(self, share: float | None, digits: int = 2) -> Cell:
        """A percentage: the number as text and value."""
        return Cell("" if share is None else self.number(share, digits),
                    None if share is None else round(share, digits))

    def count(self, n: int | None) -> Cell:
        """A whole number (an empty cell for None)."""
        return Cell("" if n is None else self.number(n), n)

