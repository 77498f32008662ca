"""A threshold constant read in the type of the fact it is compared with: shared by the campaign
checks (which report a threshold that cannot be read) and the durable compiler (which writes it
into the rules), so that compiling a campaign read from the cache does not load the checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.money import parse_amount

__all__ = ["BAD", "coerce_threshold"]


class _Bad:
    pass


BAD: Any = _Bad()


def coerce_threshold(decl: m.FactDecl | m.RecordField, value: Any) -> Any:
    """Coerce a threshold constant to the type of ``decl``; returns ``BAD`` when impossible.

    Dates may be written as ``2021-09-01`` (a YAML date) or as an ISO string.
    """
    t = decl.type
    if t == "bool":
        return value if isinstance(value, bool) else BAD
    if isinstance(value, bool):
        return BAD
    if t == "int":
        return value if isinstance(value, int) else BAD
    if t == "money":  # 80000000, "80.000.000 đồng", "80 triệu đồng", "1,5 tỷ đồng"
        amount = parse_amount(value)
        return BAD if amount is None else amount
    if t in ("decimal", "percent"):
        return float(value) if isinstance(value, (int, float)) else BAD
    if t == "date":
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return BAD
        return BAD
    if t in ("enum", "ordered_enum"):
        return value if isinstance(value, str) and value in {v.id for v in decl.values} else BAD
    if t == "text":
        return value if isinstance(value, str) else BAD
    return BAD
