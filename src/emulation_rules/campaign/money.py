"""Money and figures as people write them.

A ``money`` fact (or record field) holds an amount in Vietnamese đồng (VND), a whole number:
never a float, so that 80.000.000 is exactly 80000000 on every backend. An amount may be written
as Vietnamese documents print it, in a campaign's threshold or in a submitted value:

* digits grouped by thousands: ``80.000.000``, ``80 000 000``, ``80,000,000`` (one kind of
  separator, groups of exactly three digits), or plain ``80000000``;
* a scale word: ``80 triệu`` (10^6), ``1,5 tỷ`` or ``1,5 tỉ`` (10^9), ``500 nghìn`` / ``500 ngàn``
  (10^3), with a decimal comma or point before it (``1,5 tỷ`` = 1500000000);
* followed by a currency word or none: ``đồng``, ``đ``, ``VND``, ``VNĐ``.

The result must be a whole number of đồng (``1,2345 nghìn`` is refused). Printed back with
:func:`money_text` ("80.000.000 đồng"). :func:`plain_number` prints any figure without an
exponent (Python's ``8e+07`` is neither what a plan prints nor what durable-rules' JSON reads).

Example:
    >>> parse_amount("80 triệu đồng"), parse_amount("1,5 tỷ đồng"), parse_amount("80.000.000 đ")
    (80000000, 1500000000, 80000000)
    >>> money_text(80000000), plain_number(8e7), plain_number(0.00001)
    ('80.000.000 đồng', '80000000', '0.00001')
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["SCALES", "money_text", "parameter_problem", "parse_amount", "plain_number"]

SCALES = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
"""Scale words of Vietnamese amounts and their factors."""

_CURRENCY = r"(?:đồng|đ|vnd|vnđ)"
_SCALED = re.compile(
    rf"^(?P<num>\d{{1,15}}(?:[.,]\d{{1,6}})?)\s*(?P<scale>{'|'.join(SCALES)})(?:\s*{_CURRENCY})?$"
)
_GROUPED = re.compile(rf"^(?P<num>\d{{1,3}}(?:(?P<sep>[., \u00a0])\d{{3}})(?:(?P=sep)\d{{3}})*)\s*(?:{_CURRENCY})?$")
_PLAIN = re.compile(rf"^(?P<num>\d{{1,19}})\s*(?:{_CURRENCY})?$")
MAX_AMOUNT = 2**63 - 1


def parse_amount(value: Any) -> int | None:
    """An amount of đồng from an int or a text as people write it; ``None`` when it is not one
    (a float, a bool, a fraction of a đồng, a negative or a malformed text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_AMOUNT else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 <= value <= MAX_AMOUNT else None
    if not isinstance(value, str) or len(value) > 60:
        return None
    text = unicodedata.normalize("NFC", value).strip().casefold()
    amount: Decimal | None = None
    if (hit := _SCALED.match(text)) is not None:
        try:
            amount = Decimal(hit["num"].replace(",", ".")) * SCALES[hit["scale"]]
        except InvalidOperation:
            return None
    elif (hit := _GROUPED.match(text)) is not None:
        amount = Decimal(re.sub(r"[., \u00a0]", "", hit["num"]))
    elif (hit := _PLAIN.match(text)) is not None:
        amount = Decimal(hit["num"])
    if amount is None or amount != amount.to_integral_value() or amount > MAX_AMOUNT:
        return None
    return int(amount)


def money_text(amount: int) -> str:
    """An amount as Vietnamese documents print it: ``80.000.000 đồng``."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def plain_number(value: float | int) -> str:
    """A figure without an exponent: ``80000000`` (not ``8e+07``), ``0.5``, ``0.00001``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def parameter_problem(kind: str, value: Any) -> str | None:
    """Why ``value`` cannot be a parameter of type ``kind``, or None when it can.

    Every parameter is a finite number (not a boolean or text); an ``int`` is a whole number
    from 0 to 2**53 (a count, exact as a float); a ``percent`` lies in [0, 100].
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, not {type(value).__name__}"
    try:
        number = float(value)
    except OverflowError:
        return "is too large"
    if not math.isfinite(number):
        return f"must be a finite number, not {value}"
    if kind == "int" and (not number.is_integer() or not 0 <= number <= 2**53):
        return f"must be a whole number from 0 to 2**53 (an int parameter), not {plain_number(number)}"
    if kind == "percent" and not 0 <= number <= 100:
        return f"must be a percent from 0 to 100, not {plain_number(number)}"
    return None
