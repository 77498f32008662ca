"""Titles a subject already holds (``history``) and the years a review looks at.

A subject in a YAML or JSON facts file may list the titles it was given in earlier years::

    history:
      - {title: lao_dong_tien_tien, year: 2023, decided_by: Giám đốc Công ty, decision: 12/QĐ-CT}
      - {title: lao_dong_tien_tien, year: 2024}

``title`` is an identifier (an award id of the campaign, or any other title's id, e.g.
``lao_dong_tien_tien``), compared in NFC; an entry may give a yearly ``rating`` instead (an
id the campaign declares under ``ratings``, e.g. ``{rating: completed_tasks_excellently, year:
2024}``), which ``held`` conditions read as they read titles; ``year`` a whole year; ``decided_by`` (the deciding
body) and ``decision`` (its number) are kept for explanations. No ``history`` key means the
history is not known (a ``held`` condition is then unknown); ``history: []`` means no title held.
A CSV file or a plain .xlsx table gives it in a ``history`` column, as a JSON list in the cell
(``[{"title": "lao_dong_tien_tien", "year": 2024}]``; :func:`history_cell`); ``--bulk`` does not
read it and says so.

Conditions over it (:class:`~emulation_rules.campaign.model.Held`) are judged against
:class:`ReviewYears`: Y, the year of the review date, and the judged phase's years.

Example:
    >>> problems = []
    >>> read_history([{"title": "lao_dong_tien_tien", "year": "2024"}], (), _plain, problems)
    (HeldTitle(title='lao_dong_tien_tien', year=2024, decided_by=None, decision=None),)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import (
    FactsError,
    PathItem,
    Problem,
    ProblemCode,
    SourceLocation,
    did_you_mean,
    identifier_message,
)
from emulation_rules.frozen import frozen

__all__ = [
    "FIRST_YEAR",
    "HISTORY_KEYS",
    "LAST_YEAR",
    "HeldTitle",
    "ReviewYears",
    "read_history",
    "review_years",
    "some_review_day",
    "year_of",
]

HISTORY_KEYS = ("title", "rating", "year", "decided_by", "decision")
FIRST_YEAR, LAST_YEAR = 1945, 2200
"""Years a history entry may name (inclusive); anything else is a typing error."""
MAX_ENTRIES = 1000
"""Most entries in one subject's history."""

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
ProblemFn = Callable[[ProblemCode, str, tuple[PathItem, ...], "str | None"], Problem]


@frozen
class HeldTitle:
    """One title a subject held: which, in which year, decided by whom (as submitted, NFC)."""

    title: str
    year: int
    decided_by: str | None = None
    decision: str | None = None


@frozen
class ReviewYears:
    """The years a review judges titles against.

    Attributes:
        year: Y, the year of the review date (None: no review date and no phase: unknown).
        phase_first: first year of the judged phase (None: no phase chosen).
        phase_last: last year of the judged phase (its end, or Y when it has no end).
    """

    year: int | None = None
    phase_first: int | None = None
    phase_last: int | None = None
    starts: tuple[int, int] = (1, 1)
    """(month, day) a review year starts on: (1, 1) for calendar years, (9, 1) for school years.
    Year ``y`` runs from that day of ``y`` to the day before it in ``y + 1``."""

    def dates(self, first: int, last: int) -> tuple[dt.date, dt.date]:
        """First and last day of review years ``first`` .. ``last`` (inclusive)."""
        month, day = self.starts
        return dt.date(first, month, day), dt.date(last + 1, month, day) - dt.timedelta(days=1)


def year_of(day: dt.date, starts: tuple[int, int] = (1, 1)) -> int:
    """The review year ``day`` falls in: its calendar year, or for a year starting on 1 September
    the year it started (31/5/2025 is in review year 2024, "năm học 2024-2025")."""
    return day.year if (day.month, day.day) >= starts else day.year - 1


def some_review_day(campaign: m.Campaign) -> dt.date:
    """A review date the campaign judges, for examples and generated populations: the end (else the
    start) of its first phase with an end; for a standing regulation, the last day of the review
    year of its latest dated document."""
    if campaign.phases:
        phase = next((p for p in campaign.phases if p.end is not None), campaign.phases[0])
        return phase.end or phase.start
    dated = [d.date for d in campaign.documents if d.date is not None]
    standing = campaign.phase_at(max(dated) if dated else dt.date(2000, 1, 1))
    assert standing is not None and standing.end is not None  # checks: no phases needs review_year
    return standing.end


def review_years(campaign: m.Campaign, day: dt.date | None, phase_id: str | None) -> ReviewYears:
    """Y and the judged phase's years for a review on ``day`` judging ``phase_id``.

    Without a review date, Y is the last year of the judged phase (its end, else its start).
    """
    declared = getattr(campaign, "review_year", None)
    starts = (declared.starts.month, declared.starts.day) if declared is not None else (1, 1)
    phase = campaign.phase_named(phase_id)  # declared, or a standing regulation's review year
    if day is None and phase is not None:
        day = phase.end or phase.start
    year = year_of(day, starts) if day is not None else None
    if phase is None:
        return ReviewYears(year, starts=starts)
    first = year_of(phase.start, starts)
    last = year_of(phase.end, starts) if phase.end is not None else year
    return ReviewYears(year, first, last, starts)


HISTORY_COLUMN = "history"
"""The column of a CSV file or a plain .xlsx table holding a subject's history (JSON)."""


def history_cell(text: Any) -> Any:
    """The value of a ``history`` cell: a JSON list decoded (with the bounds of facts JSON), or
    the text as it is when it is not JSON, so that :func:`read_history` says what is wrong."""
    if not isinstance(text, str):
        return text
    from emulation_rules.facts.json_text import loads_value  # tables only (YAML facts hold lists)

    try:
        return loads_value(text)
    except FactsError:
        return text


def read_history(value: Any, path: tuple[PathItem, ...], problem: ProblemFn,
                 out: list[Problem]) -> tuple[HeldTitle, ...] | None:
    """Validate a submitted ``history`` list; problems are appended to ``out``, located.

    Returns:
        The entries (NFC), or None when ``value`` is None (history not known).
    """
    if value is None:
        return None
    if not isinstance(value, list):
        out.append(problem("invalid-value", "'history' must be a list of {title, year} entries", path, None))
        return None
    if len(value) > MAX_ENTRIES:
        out.append(problem("invalid-value", f"'history' has {len(value)} entries; at most {MAX_ENTRIES}",
                           path, None))
        return None
    entries: list[HeldTitle] = []
    for i, raw in enumerate(value):
        where = (*path, i)
        if not isinstance(raw, dict):
            out.append(problem("invalid-value", "a history entry must be a mapping {title, year, "
                               "decided_by, decision}", where, None))
            continue
        bad = False
        for key in raw:
            if key not in HISTORY_KEYS:
                out.append(problem("unknown-key", f"unknown key {key!r}", (*where, key),
                                   did_you_mean(str(key), HISTORY_KEYS)))
                bad = True
        key = "rating" if "rating" in raw and "title" not in raw else "title"
        if "rating" in raw and "title" in raw:
            out.append(problem("invalid-value", "a history entry gives a 'title' or a 'rating', not both",
                               where, None))
            bad = True
        title = _title(raw.get(key), (*where, key), problem, out)
        year = _year(raw.get("year"), (*where, "year"), problem, out)
        by, number = (_text(raw.get(k), (*where, k), problem, out) for k in ("decided_by", "decision"))
        if bad or title is None or year is None or by is False or number is False:
            continue
        entries.append(HeldTitle(title, year, str(by) or None, str(number) or None))
    return tuple(entries)


def _title(value: Any, path: tuple[PathItem, ...], problem: ProblemFn, out: list[Problem]) -> str | None:
    if value is None:
        out.append(problem("missing-key", "a history entry needs 'title' (or 'rating')", path, None))
        return None
    text = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else None
    if text is None or len(text) > 64 or not _IDENT.match(text):
        message, hint = identifier_message(value if text is None else text)
        out.append(problem("invalid-value", f"title {message}", path, hint))
        return None
    return text


def _year(value: Any, path: tuple[PathItem, ...], problem: ProblemFn, out: list[Problem]) -> int | None:
    if value is None:
        out.append(problem("missing-key", "a history entry needs 'year'", path, None))
        return None
    year: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        year = int(value.strip())
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        out.append(problem("invalid-value", f"year {value!r} is not a whole year from {FIRST_YEAR} "
                           f"to {LAST_YEAR}", path, None))
        return None
    return year


def _text(value: Any, path: tuple[PathItem, ...], problem: ProblemFn, out: list[Problem]) -> str | bool:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        out.append(problem("invalid-value", f"{path[-1]!r} must be text, not {value!r}", path, None))
        return False
    return unicodedata.normalize("NFC", str(value).strip())


def _plain(code: ProblemCode, message: str, path: Sequence[PathItem], hint: str | None) -> Problem:
    return Problem(code, message, tuple(path), SourceLocation("<history>", 1) if path else None, hint)
