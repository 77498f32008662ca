"""Which group of a quota a subject falls in (``per``), and the counts kept per group.

``per: campaign | unit | level`` as before (see :mod:`.quotas`); ``per: {fact, within}``
(:class:`~emulation_rules.campaign.quota_scope.QuotaPer`): the group is named by the unit of the
``within`` level at or above the subject in the submitted union tree and by the value of the
subject's ``fact``. A subject whose fact is missing cannot be placed: :func:`group_key` returns a
key with ``UNPLACED`` for that part, and the judge counts it undecided in every group it may be in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.facts.reader import Subject

__all__ = ["UNPLACED", "GroupKey", "Tally", "fits", "group_key", "group_label"]

UNPLACED = object()
"""A part of a group key that a missing fact leaves unknown."""

GroupKey = tuple[Any, ...] | str | None


def group_key(per: m.QuotaPer | str, s: Subject, by_id: Mapping[str, Subject],
              decls: Mapping[str, m.FactDecl]) -> GroupKey:
    """The group of ``s`` under ``per`` (a tuple for ``per: {...}``, with :data:`UNPLACED` parts)."""
    if isinstance(per, str):
        return _plain(per, s, by_id)
    parts: list[Any] = []
    if per.within is not None:
        parts.append(_above(s, per.within, by_id))
    if per.facts:
        fact = next((f for f in per.facts if f in decls and decls[f].applies_to == s.kind), None)
        value = s.facts.get(fact) if fact is not None else None
        parts.append(UNPLACED if value is None else _text(value))
    return tuple(parts)


def _plain(per: str, s: Subject, by_id: Mapping[str, Subject]) -> str | None:
    if per == "campaign":
        return None
    if s.kind == "collective":
        return s.id if per == "unit" else s.level
    if per == "unit":
        return s.unit
    unit = by_id.get(s.unit) if s.unit is not None else None
    return unit.level if unit is not None and unit.kind == "collective" else None


def _above(s: Subject, level: str, by_id: Mapping[str, Subject]) -> str | None:
    """The id of the unit of ``level`` at or above ``s`` (None when the submitted tree has none)."""
    seen: set[str] = set()
    node: Subject | None = s
    while node is not None and node.id not in seen:
        if node.kind == "collective" and node.level == level:
            return node.id
        seen.add(node.id)
        node = by_id.get(node.unit) if node.unit is not None else None
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fits(unplaced: GroupKey, key: GroupKey) -> bool:
    """Whether a subject with the key ``unplaced`` (some parts :data:`UNPLACED`) may be in ``key``."""
    if not isinstance(unplaced, tuple) or not isinstance(key, tuple):
        return False
    return all(u is UNPLACED or u == k for u, k in zip(unplaced, key, strict=True))


def is_unplaced(key: GroupKey) -> bool:
    """Whether a missing fact leaves the group of ``key`` unknown."""
    return isinstance(key, tuple) and any(p is UNPLACED for p in key)


def group_label(per: m.QuotaPer | str, key: GroupKey) -> str:
    """How a group is printed: the unit or level id, ``all``, ``no unit``; for ``per: {...}`` its
    parts joined by ' / ' (``no <level>`` for a subject with no unit of that level above it)."""
    if isinstance(per, str):
        if key is not None:
            return str(key)
        return {"campaign": "all", "unit": "no unit", "level": "no level"}[per]
    assert isinstance(key, tuple)
    parts: list[str] = []
    values = list(key)
    if per.within is not None:
        first = values.pop(0)
        parts.append(f"no {per.within}" if first is None else "?" if first is UNPLACED else str(first))
    if per.facts:
        value = values.pop(0)
        parts.append("?" if value is UNPLACED else str(value))
    return " / ".join(parts)


class Tally:
    """Counts of one group: the counted awardees (decided or not) and the denominator's members."""

    def __init__(self) -> None:
        self.yes: list[Subject] = []
        self.undecided: list[str] = []
        self.d_yes = 0
        self.d_undecided = 0

    def add_numerator(self, s: Subject, got: bool | None) -> None:
        """An awardee counted (True) or that may be counted (None)."""
        if got is True:
            self.yes.append(s)
        else:
            self.undecided.append(s.id)

    def add_denominator(self, member: bool | None) -> None:
        """A member of the denominator (True) or a subject that may be one (None)."""
        if member is True:
            self.d_yes += 1
        else:
            self.d_undecided += 1
