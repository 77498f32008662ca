"""The facts reader's short way through a plain subject, prepared once per campaign.

Most subjects of a YAML or JSON submission are written plainly: their kind, level and role by
id, every fact declared for their kind, numbers as numbers, enum values by id or by a label as
the campaign writes it, no ``history``. For such a subject the reader's full checks
(:meth:`~.reader.FactsReader.subject`) find nothing to say, and walk, for every fact, the
type dispatch of :func:`~.coerce.coerce_value`, a path kept for a problem never reported, and
the campaign's declarations looked up again.

:func:`reading_plan` prepares what depends on the campaign only (kept per campaign object by
:func:`~emulation_rules.campaign.memo.kept_for`, so a reloaded campaign gets its own plan): the
fact declarations by id, the level and role ids, and for each fact a *reader* that returns the
coerced value, or :data:`SLOW` when it cannot be sure. A reader's quick checks accept only what
:func:`~.coerce.coerce_value` accepts, giving the same value; anything else goes to
``coerce_value`` itself, and a value it refuses is :data:`SLOW`. :meth:`ReadingPlan.subject`
gives up (``None``) at the first thing that is not plain, and the reader then reads the subject
the full way, from the start: every problem, its message, path and order, comes from that one
place. Text read from CSV cells (``from_text``) always goes the full way.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.memo import kept_for
from emulation_rules.facts.coerce import (
    INT_MAX,
    INT_MIN,
    MIN_DECIMAL_MAGNITUDE,
    Invalid,
    coerce_value,
    text_or_none,
    to_date,
)
from emulation_rules.frozen import frozen

__all__ = ["SLOW", "SUBJECT_KEYS", "ReadingPlan", "reading_plan"]

SLOW: Any = object()
"""What a fact reader returns when the value must be read the full way (it may be invalid)."""

SUBJECT_KEYS = ("id", "kind", "level", "role", "unit", "name", "facts", "history", "proposed_for")
"""The keys a subject may have (the facts reader's, in the order its messages list them)."""
_SUBJECT_KEYS = frozenset(SUBJECT_KEYS)
_KINDS: dict[str, m.SubjectKind] = {"collective": "collective", "individual": "individual"}
"""The kinds by id (a kind given by its label is read the full way)."""

Read = Callable[[Any], Any]
if TYPE_CHECKING:  # a plain subject's id, kind, level, role, unit, name, facts (its history is None)
    Plain = tuple[str, m.SubjectKind, str | None, str | None, str | None, str | None, Mapping[str, Any]]


@frozen
class ReadingPlan:
    """What reading a plain subject needs of one campaign (:func:`reading_plan`).

    Attributes:
        facts: fact id -> (the kind of subject it is for, its reader).
        levels: the ids of the collective levels (as the reader keeps them: NFC, trimmed).
        roles: the ids of the individual roles (the same).
    """

    facts: Mapping[str, tuple[str, Read]]
    levels: frozenset[str]
    roles: frozenset[str]

    def subject(self, raw: dict[str, Any]) -> Plain | None:
        """The fields of a plain subject, or None: then it is read the full way."""
        for key in raw:
            if key not in _SUBJECT_KEYS:
                return None
        if raw.get("history") is not None:
            return None
        sid, given = raw.get("id"), raw.get("kind")
        if type(sid) is not str or not (sid := sid.strip()) or type(given) is not str:
            return None
        kind = _KINDS.get(given)
        level, role = raw.get("level"), raw.get("role")  # by id, exactly: what text_or_none keeps
        if kind == "collective":
            if type(level) is not str or level not in self.levels or role is not None:
                return None
        elif kind == "individual":
            if type(role) is not str or role not in self.roles or level is not None:
                return None
        else:
            return None
        unit, name = raw.get("unit"), raw.get("name")
        if unit is not None:
            if type(unit) is not str:
                return None
            unit = text_or_none(unit)
        if name is not None:
            if type(name) is not str:
                return None
            name = text_or_none(name)
        facts_raw = raw.get("facts")
        if facts_raw is None:
            facts_raw = {}
        elif type(facts_raw) is not dict:
            return None
        facts: dict[str, Any] = {}
        for key, value in facts_raw.items():
            known = self.facts.get(key)
            if known is None or known[0] != kind:
                return None
            if value is None:
                continue  # explicit null: not known, same as absent
            coerced = known[1](value)
            if coerced is SLOW:
                return None
            facts[key] = coerced
        return unicodedata.normalize("NFC", sid), kind, level, role, unit, name, MappingProxyType(facts)


def reading_plan(campaign: m.Campaign) -> ReadingPlan:
    """The plan of ``campaign``, made once per campaign object."""
    return kept_for(campaign, _plan)  # type: ignore[no-any-return]


def _plan(campaign: m.Campaign) -> ReadingPlan:
    return ReadingPlan(
        MappingProxyType({f.id: (f.applies_to, _reader(f)) for f in campaign.facts}),
        frozenset(lv.id for lv in campaign.subjects.collective_levels if text_or_none(lv.id) == lv.id),
        frozenset(r.id for r in campaign.subjects.individual_roles if text_or_none(r.id) == r.id),
    )


def _reader(decl: m.FactDecl | m.RecordField) -> Read:
    """The reader of one declared fact or record field: its quick checks, else ``coerce_value``."""
    t = decl.type
    if t == "records":
        return _records(decl) if isinstance(decl, m.FactDecl) else lambda v: SLOW

    def full(value: Any) -> Any:
        coerced = coerce_value(decl, value)
        return SLOW if isinstance(coerced, Invalid) else coerced

    if t == "bool":
        return lambda v: v if v is True or v is False else full(v)
    if t == "int":
        return _int(decl.minimum, decl.maximum, full)
    if t in ("decimal", "percent"):
        lo = decl.minimum if decl.minimum is not None else (0.0 if t == "percent" else None)
        hi = decl.maximum if decl.maximum is not None else (100.0 if t == "percent" else None)
        return _decimal(lo, hi, full)
    if t == "date":
        return lambda v: v if type(v) is dt.date else _day(v, full)
    if t in ("enum", "ordered_enum"):
        exact = _names(decl)
        return lambda v: exact[v] if type(v) is str and v in exact else full(v)
    if t == "text":
        return lambda v: unicodedata.normalize("NFC", v).strip() if type(v) is str else full(v)
    return full


def _int(lo: float | None, hi: float | None, full: Read) -> Read:
    def read(v: Any) -> Any:
        if type(v) is int and INT_MIN <= v <= INT_MAX and (lo is None or v >= lo) and (hi is None or v <= hi):
            return v
        return full(v)

    return read


def _decimal(lo: float | None, hi: float | None, full: Read) -> Read:
    def read(v: Any) -> Any:
        if type(v) is float or (type(v) is int and -(2**53) <= v <= 2**53):
            x = float(v)
            if (math.isfinite(x) and (lo is None or x >= lo) and (hi is None or x <= hi)
                    and (x == 0 or abs(x) >= MIN_DECIMAL_MAGNITUDE)):
                return x
        return full(v)

    return read


def _day(v: Any, full: Read) -> Any:
    if type(v) is str and v.isascii():  # NFC leaves ASCII as it is; to_date strips
        day = to_date(v)
        if day is not None:
            return day
    return full(v)


def _names(decl: m.FactDecl | m.RecordField) -> dict[str, str]:
    """Each id and label of an enum as the campaign writes it -> the id ``coerce_value`` reads
    it as (asked once here)."""
    names: dict[str, str] = {}
    for v in decl.values:
        for name in (v.id, *((v.label.vi, v.label.en) if v.label is not None else ())):
            found = coerce_value(decl, name)
            if isinstance(found, str):
                names[name] = found
    return names


def _records(decl: m.FactDecl) -> Read:
    fields = {f.id: _reader(f) for f in decl.fields}
    required = tuple(f.id for f in decl.fields if f.required)

    def read(value: Any) -> Any:
        if type(value) is not list:
            return SLOW
        rows: list[Mapping[str, Any]] = []
        for rec in value:
            if type(rec) is not dict:
                return SLOW
            row: dict[str, Any] = {}
            for key, v in rec.items():
                field = fields.get(key)
                if field is None:
                    return SLOW
                if v is None:
                    continue
                coerced = field(v)
                if coerced is SLOW:
                    return SLOW
                row[key] = coerced
            for key in required:
                if rec.get(key) is None:
                    return SLOW
            rows.append(MappingProxyType(row))
        return tuple(rows)

    return read
