"""Cell values of .xlsx facts: Excel serial dates, typed cells to facts-file values, authors lists."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from emulation_rules.campaign import shapes as m

__all__ = ["excel_serial_to_date", "format_authors", "parse_authors"]

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
_MAX_SERIAL = 2958465  # 9999-12-31
_AUTHOR = re.compile(r"^\s*([^:()]+?)\s*(?:[:(]\s*([0-9]+(?:[.,][0-9]+)?)\s*%?\s*\)?)?\s*$")


def _text(value: Any) -> str | None:
    value = _blank(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def excel_serial_to_date(serial: float) -> dt.date | None:
    """The day of an Excel (1900 system) date serial, or None when out of range or fractional
    beyond a time of day."""
    if isinstance(serial, bool) or not 1 <= serial <= _MAX_SERIAL:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_authors(text: str) -> list[dict[str, Any]] | None:
    """``"P01: 60; P02: 40"`` -> ``[{person: P01, share: 60}, ...]``; ``"P01"`` -> one author
    without a share. ``P01 (60%)`` is accepted too. None when the text does not read."""
    out: list[dict[str, Any]] = []
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        match = _AUTHOR.match(part)
        if not match:
            return None
        entry: dict[str, Any] = {"person": match.group(1).strip()}
        if match.group(2):
            entry["share"] = float(match.group(2).replace(",", "."))
        out.append(entry)
    return out or None


def format_authors(authors: Iterable[dict[str, Any]]) -> str:
    """Inverse of :func:`parse_authors`: ``[{person, share}]`` -> ``"P01: 60; P02: 40"``."""
    parts = []
    for a in authors:
        share = a.get("share")
        parts.append(str(a["person"]) if share is None else f"{a['person']}: {share:g}")
    return "; ".join(parts)


def _label_index(levels: Iterable[m.SubjectLevel]) -> dict[str, str]:
    """casefolded Vietnamese or English label -> level (or role) id."""
    out: dict[str, str] = {}
    for lv in levels:
        for label in (lv.label.en, lv.label.vi):
            out[unicodedata.normalize("NFC", label).casefold()] = lv.id
    return out


def _key(value: Any) -> str:
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""


def _blank(value: Any) -> Any:
    """A cell's value with empty text as None (calamine gives ``''`` for an empty cell)."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        return value or None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return value


def _ident(value: Any) -> Any:
    """An id typed as a number by Excel reads as its digits (``12.0`` -> ``"12"``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _typed(fact_type: str, value: Any) -> Any:
    """Excel's own typing, adjusted to the declared type: a number in a date column is a date
    serial; an integral float in an int column is the int; 1 or 0 (a number, or the text) in a
    yes/no column is yes or no, as in a CSV cell and as ``--bulk`` reads it; coercion checks the
    rest."""
    if fact_type == "date" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return excel_serial_to_date(value) or value
    if fact_type == "bool" and not isinstance(value, bool):
        if isinstance(value, (int, float)) and value in (0, 1):
            return value == 1
        if isinstance(value, str) and value.strip() in ("0", "1"):
            return value.strip() == "1"
    if fact_type == "text" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value
