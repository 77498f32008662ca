"""The one reading of a comparison of one present value with its threshold (a fact's or a record
field's), shared by the three-valued semantics (:mod:`.semantics`) and the reading of records
(:mod:`.record_sets`), so that neither imports the other for it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.money import parse_amount

__all__ = ["Decl", "Leaf", "leaf"]

_OPS = m.OPS
Decl = m.FactDecl | m.RecordField
Leaf = m.Compare | m.AtLeast | m.OneOf
"""A comparison of one fact or record field with a threshold."""


def leaf(cond: Leaf, decl: Decl, value: Any, params: Mapping[str, float]) -> bool:
    """A comparison, ``at_least`` or ``in`` on one present value."""
    ordered = decl.type == "ordered_enum"
    if isinstance(cond, m.AtLeast):
        return _rank(decl, value) >= _rank(decl, cond.at_least)
    if isinstance(cond, m.OneOf):
        return value in {_const(decl, v) for v in cond.in_}
    bound = params[cond.param] if cond.param is not None else _const(decl, cond.value)
    if ordered and isinstance(bound, str):
        return bool(_OPS[cond.op](_rank(decl, value), _rank(decl, bound)))
    return bool(_OPS[cond.op](value, bound))


def _rank(decl: Decl, value: str) -> int:
    return [v.id for v in decl.values].index(value)


def _const(decl: Decl, value: Any) -> Any:
    """A threshold constant as the type of ``decl`` (ISO text for dates)."""
    if decl.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if decl.type in ("decimal", "percent") and not isinstance(value, bool):
        return float(value)
    if decl.type == "money":  # "80 triệu đồng" as written, or a number of đồng
        return parse_amount(value)
    return value
