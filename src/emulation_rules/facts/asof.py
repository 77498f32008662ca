"""What a review date sees: the one definition of "as of" shared by every evaluator, the
targets, the quotas and the initiative register.

**Rule.** A dated record counts only if its date is on or before the review date (the review
day itself is included). A review held on 31/5/2022 sees what had happened by the end of that
day and nothing later (Vĩnh Linh 002 L25: phase 1 runs "từ 01/9/2021 đến 31/5/2022"; an
initiative sent on 01/6/2022 belongs to phase 2, L27, and does not exist for a review of
31/5/2022). Undated records are kept (nothing places them after the review); without a review
date nothing is left out.

Dated records are:

* a record of a ``records`` fact that has a ``date`` field (TKV 000 L71 the Golden Book's
  recognition date, L106 an initiative's acceptance date): it counts only if **every** date it
  states is on or before the review date; otherwise it is left out of the fact as later;
* an entry of the initiative register (:mod:`.initiatives`): each of its events (applied,
  recognised, sent on) counts only if dated on or before the review date; an event after it is
  treated as not having happened yet (not applied, not recognised, not sent), so the entry is
  judged and counted as it stood on the review date.

Every left-out record is counted, and the counts travel with the evaluation so explanations and
tables can say "N records dated after the review date were left out".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import field, replace
from types import MappingProxyType
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.frozen import frozen

__all__ = ["LaterCounts", "counts_as_of", "dated_fields", "records_as_of", "subjects_as_of"]


def counts_as_of(day: dt.date | None, as_of: dt.date | None) -> bool:
    """Whether a record dated ``day`` counts for a review held on ``as_of``.

    ``True`` when there is no review date, when the record is undated, or when
    ``day <= as_of`` (the review day itself counts).

    Example:
        >>> counts_as_of(dt.date(2022, 5, 31), dt.date(2022, 5, 31))
        True
        >>> counts_as_of(dt.date(2022, 6, 1), dt.date(2022, 5, 31))
        False
    """
    return as_of is None or day is None or day <= as_of


def dated_fields(campaign: m.Campaign) -> dict[str, tuple[str, ...]]:
    """``{records fact id: its date field ids}`` for the records facts that have date fields."""
    out: dict[str, tuple[str, ...]] = {}
    for f in campaign.facts:
        if f.type == "records":
            dates = tuple(fd.id for fd in f.fields if fd.type == "date")
            if dates:
                out[f.id] = dates
    return out


def records_as_of(
    records: Iterable[Mapping[str, Any]], date_fields: tuple[str, ...], as_of: dt.date | None
) -> tuple[tuple[Mapping[str, Any], ...], int]:
    """``(records that count, number left out as later)``: a record counts only if every date
    it states (among ``date_fields``) is on or before ``as_of``."""
    kept: list[Mapping[str, Any]] = []
    later = 0
    for r in records:
        if all(counts_as_of(r.get(k), as_of) for k in date_fields):
            kept.append(r)
        else:
            later += 1
    return tuple(kept), later


@frozen
class LaterCounts:
    """What a review date left out.

    Attributes:
        as_of: the review date.
        records: ``{subject id: records left out}``, only subjects that lost some.
        initiatives: register entries with at least one event after the review date.
    """

    as_of: dt.date | None = None
    records: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    initiatives: int = 0

    @property
    def total(self) -> int:
        """Records and register entries left out, together."""
        return sum(self.records.values()) + self.initiatives

    def notes(self) -> tuple[str, ...]:
        """The left-out counts in words (empty when nothing was left out)."""
        if self.as_of is None:
            return ()
        day = self.as_of.isoformat()
        out = []
        n = sum(self.records.values())
        if n:
            out.append(f"{n} record(s) dated after the review date {day} left out "
                       f"(bỏ qua hồ sơ ghi ngày sau ngày xét) in {len(self.records)} subject(s)")
        if self.initiatives:
            out.append(f"{self.initiatives} initiative(s) of the register with an event after the "
                       f"review date {day}: judged as they stood on {day}")
        return tuple(out)


def subjects_as_of(
    subjects: Iterable[Any], campaign: m.Campaign, as_of: dt.date | None
) -> tuple[tuple[Any, ...], dict[str, int]]:
    """Subjects with their dated records after ``as_of`` left out.

    Args:
        subjects: validated :class:`~emulation_rules.facts.reader.Subject` objects.
        campaign: their campaign (which records facts carry dates).
        as_of: the review date; ``None`` keeps everything.

    Returns:
        ``(subjects, {subject id: records left out})``; a subject that loses nothing is the
        same object.
    """
    subjects = tuple(subjects)
    dated = dated_fields(campaign) if as_of is not None else {}
    if not dated:
        return subjects, {}
    out: list[Any] = []
    later: dict[str, int] = {}
    for s in subjects:
        facts = s.facts
        changed: dict[str, Any] | None = None
        lost = 0
        for fid, fields in dated.items():
            value = facts.get(fid)
            if not value:
                continue
            kept, n = records_as_of(value, fields, as_of)
            if n:
                changed = dict(facts) if changed is None else changed
                changed[fid] = kept
                lost += n
        if changed is None:
            out.append(s)
            continue
        later[s.id] = lost
        out.append(replace(s, facts=MappingProxyType(changed)))
    return tuple(out), later
