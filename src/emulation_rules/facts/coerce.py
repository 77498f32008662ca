"""Coercion of one submitted value to its declared fact type: the one rule every reader uses.

The facts reader (YAML, JSON, CSV), the initiative register and the polars bulk reader call
:func:`coerce_value`; a value it refuses comes back as :class:`Invalid` with the reason, and a
value not given is :data:`MISSING`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.memo import kept_for
from emulation_rules.campaign.money import money_text, parse_amount, plain_number
from emulation_rules.facts.vocab import choose_in, folded, unknown_message
from emulation_rules.frozen import frozen

__all__ = [
    "INT_MAX",
    "INT_MIN",
    "MIN_DECIMAL_MAGNITUDE",
    "MISSING",
    "Invalid",
    "Missing",
    "coerce_value",
    "is_coerced",
    "text_or_none",
    "to_date",
]

MIN_DECIMAL_MAGNITUDE = 1e-4

_TRUE = {"true", "yes", "y", "có", "co", "đúng", "x", "1"}
_FALSE = {"false", "no", "n", "không", "khong", "sai", "0"}
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
# numbers written in text: ASCII digits only (no Arabic-Indic digits, no '1_000', no 'nan'/'inf')
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$", re.ASCII)
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
"""Range of an ``int`` fact (64 bits), the same for every reader and the bulk evaluator."""
_DECIMAL_COMMA = re.compile(r"^[+-]?(?:0|\d{4,}),\d+$|^[+-]?\d{1,3},(?:\d{1,2}|\d{4,})$", re.ASCII)
"""A decimal comma that cannot be a thousands separator (see :func:`coerce_value`)."""


class Missing:
    """The type of :data:`MISSING`: a value that was not given."""


MISSING: Any = Missing()


@frozen
class Invalid:
    """A refused value: ``message`` says why, ``hint`` suggests a fix (did you mean)."""

    message: str
    hint: str | None = None


def coerce_value(decl: m.FactDecl | m.RecordField, value: Any, *, from_text: bool = False) -> Any:
    """Coerce one submitted value to the declared type of ``decl``.

    Returns the coerced value, or an ``Invalid`` carrying the reason. Rules:
    ``bool`` takes true/false (and, from CSV text, có/không, yes/no, 1/0; never the number 1);
    ``int`` rejects booleans and fractions; ``decimal``/``percent`` take numbers (and numeric text,
    ``percent`` also ``"15%"``) and must be finite. **Decimal comma** (Vietnamese writes
    ``9,6`` for 9.6): text with one comma and no dot is read as a decimal where the comma
    cannot be a thousands separator, that is when the digits after it are not exactly three
    (``9,6``, ``12,50``, ``1,2345``) or the part before it is ``0`` or has four or more digits
    (``0,125``, ``1234,567``); ``1,000`` and ``12,345`` are ambiguous and refused (write
    ``1000`` or ``1.0``), as is any comma in an ``int``; ``date`` takes a date, ``YYYY-MM-DD`` or
    ``D/M/YYYY``; enums take a value id or its Vietnamese or English label (NFC, case-insensitive).
    Declared ``minimum``/``maximum`` are checked (percent defaults to [0, 100]).
    """
    t = decl.type
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
    if t == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            low = value.casefold()
            if low in _TRUE and (from_text or low not in ("1", "x")):
                return True
            if low in _FALSE and (from_text or low != "0"):
                return False
        return Invalid(f"expected true or false, got {value!r}")
    if t == "money":
        amount = parse_amount(value)
        if amount is None:
            return Invalid(f"expected an amount of đồng (a whole number, not negative: 80000000, "
                           f"'80.000.000 đồng', '80 triệu đồng', '1,5 tỷ đồng'), got {_short(value)!r}")
        if decl.minimum is not None and amount < decl.minimum:
            return Invalid(f"{money_text(amount)} is below the minimum {money_text(int(decl.minimum))}")
        if decl.maximum is not None and amount > decl.maximum:
            return Invalid(f"{money_text(amount)} is above the maximum {money_text(int(decl.maximum))}")
        return amount
    if t in ("int", "decimal", "percent"):
        number = _to_number(value, t, from_text=True)
        if number is None:
            shown = value
            if isinstance(value, (int, str)) and len(str(value)) > 40:
                shown = f"{str(value)[:40]}…"
            wanted = "an integer" if t == "int" else "a finite number"
            hint = ("a comma before three digits may be a thousands separator: write the number "
                    "without it (1000) or with a decimal point (1.5)"
                    if isinstance(value, str) and "," in value else None)
            return Invalid(f"expected {wanted}, got {shown!r}", hint)
        if t == "int" and not INT_MIN <= number <= INT_MAX:
            return Invalid("integer outside the 64-bit range (-2**63 to 2**63-1)")
        lo = decl.minimum if decl.minimum is not None else (0.0 if t == "percent" else None)
        hi = decl.maximum if decl.maximum is not None else (100.0 if t == "percent" else None)
        if lo is not None and number < lo:
            return Invalid(f"{plain_number(number)} is below the minimum {plain_number(lo)}")
        if hi is not None and number > hi:
            return Invalid(f"{plain_number(number)} is above the maximum {plain_number(hi)}")
        if isinstance(number, float) and number != 0 and abs(number) < MIN_DECIMAL_MAGNITUDE:
            return Invalid(f"{number!r} is too small: non-zero values need a magnitude of at least "
                            f"{MIN_DECIMAL_MAGNITUDE} (durable-rules cannot read smaller ones)")
        return number
    if t == "date":
        day = to_date(value)
        return day if day is not None else Invalid(f"expected a date (YYYY-MM-DD or D/M/YYYY), got {value!r}")
    if t in ("enum", "ordered_enum"):
        found = choose_in(value, *kept_for(decl, _enum_choices))
        if found is not None:
            return found
        message, hint = unknown_message("value", value, [(v.id, v.label) for v in decl.values])
        return Invalid(message, hint)
    if t == "text":
        if isinstance(value, str):
            return value
        if from_text or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return str(value)
        return Invalid(f"expected text, got {value!r}")
    return Invalid(f"unsupported type {t}")


def _enum_choices(decl: m.FactDecl | m.RecordField) -> tuple[frozenset[str], dict[str, str]]:
    return folded((v.id, v.label) for v in decl.values)


def _short(value: Any) -> Any:
    return f"{str(value)[:40]}…" if isinstance(value, (int, str)) and len(str(value)) > 40 else value


def _to_number(value: Any, t: str, *, from_text: bool) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and from_text:
        text = value.replace(" ", "")
        if t == "percent" and text.endswith("%"):
            text = text[:-1]
        if t != "int" and _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        if not _NUMBER.match(text) or len(text) > 400:
            return None
        try:
            value = int(text) if t == "int" else float(text)
        except ValueError:
            return None
    if t == "int":
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)  # a 400-digit int overflows a float
        except OverflowError:
            return None
        return number if math.isfinite(number) else None
    return None


def to_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        s = value.strip()
        if _ISO_DATE.match(s):  # fromisoformat alone also takes '2019-W52-7' and '20191231'
            try:
                return dt.date.fromisoformat(s)
            except ValueError:
                return None
        match = _VN_DATE.match(s)
        if match:
            d, mth, y = (int(g) for g in match.groups())
            try:
                return dt.date(y, mth, d)
            except ValueError:
                return None
    return None


def text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    return unicodedata.normalize("NFC", value.strip())


def is_coerced(decl: m.FactDecl | m.RecordField, value: Any) -> bool:
    """Whether ``value`` has the Python type the facts reader gives a fact of ``decl``'s type."""
    t = decl.type
    if t == "bool":
        return isinstance(value, bool)
    if t in ("int", "money"):
        return isinstance(value, int) and not isinstance(value, bool)
    if t in ("decimal", "percent"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "date":
        return isinstance(value, dt.date)
    if t in ("enum", "ordered_enum"):
        return isinstance(value, str) and any(v.id == value for v in decl.values)
    if t == "text":
        return isinstance(value, str)
    if t == "records":
        assert isinstance(decl, m.FactDecl)
        fields = {f.id: f for f in decl.fields}
        return isinstance(value, tuple) and all(
            isinstance(r, Mapping) and all(k in fields and is_coerced(fields[k], v) for k, v in r.items())
            for r in value)
    return False
