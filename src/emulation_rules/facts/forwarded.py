"""Proposals passed up from the level below (đề nghị của cấp dưới), as the next level reads them.

A level's review writes its proposals as the next level's input (``emulation-rules forward``,
:mod:`emulation_rules.results.forward`): an ordinary facts file (the proposed subjects, their facts
and history, a ``proposals`` list) with one more key, ``forwarded``, which carries the verdicts of
the level below and what justified them::

    forwarded:
      by: LDLD-HUYEN-A                 # the unit that passes the proposals up (optional)
      level: upper_union               # its level (optional)
      as_of: 2020-12-31                # the date of its review (optional)
      verdicts:
        - subject: P101
          award: annual_commended_individual
          verdict: awarded             # awarded | not_awarded | incomplete | not_eligible | not_proposed
          points: 92                   # optional, with a score sheet
          band: excellent              # optional
          criteria:                    # optional: what the level below judged, kept as written
            - {criterion: not_already_commended, status: pass, source: "Kế hoạch …, mục II.3 (dòng 14)"}

The next level judges the subjects again from their facts, as with any submission; the
verdicts of the level below are kept beside its own (:func:`emulation_rules.results.forward.
differences` names each subject and award on which the two differ). Subjects and awards are named
by id or label (NFC); every problem is located.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import PathItem, Problem, unknown_key
from emulation_rules.facts.cycle import ProblemFn, _award, _nfc, _subject

__all__ = ["FORWARDED_KEYS", "VERDICT_KEYS", "Forwarded", "ForwardedVerdict", "read_forwarded"]

FORWARDED_KEYS = ("by", "level", "as_of", "verdicts")
VERDICT_KEYS = ("subject", "award", "verdict", "points", "band", "criteria")
_VERDICTS = ("awarded", "not_awarded", "incomplete", "not_eligible", "not_proposed")


@dataclass(frozen=True)
class ForwardedVerdict:
    """One verdict of the level below, passed up with its proposal.

    Attributes:
        subject: the subject's id (NFC).
        award: the award's id.
        verdict: the level below's verdict (``awarded`` for a proposal).
        points: its score-sheet total, when the award has one.
        band: its band, when the award has one.
        criteria: what the level below judged, as written (``{criterion, status, source}`` each).
    """

    subject: str
    award: str
    verdict: str
    points: float | None = None
    band: str | None = None
    criteria: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Forwarded:
    """The ``forwarded`` block of one file: who passed it up, and the verdicts."""

    by: str | None = None
    level: str | None = None
    as_of: dt.date | None = None
    verdicts: tuple[ForwardedVerdict, ...] = field(default=())


def read_forwarded(raw: Any, campaign: m.Campaign, subjects: Iterable[str], problem: ProblemFn,
                   out: list[Problem]) -> Forwarded | None:
    """Validate a ``forwarded`` block; problems appended to ``out`` (None when it is unusable)."""
    if not isinstance(raw, Mapping):
        out.append(problem("invalid-value", "'forwarded' must be a mapping with 'verdicts' "
                           "(kết quả xét của cấp dưới)", ("forwarded",), None))
        return None
    ids = list(subjects)
    for key in raw:
        if key not in FORWARDED_KEYS:
            message, hint = unknown_key(str(key), FORWARDED_KEYS)
            out.append(problem("unknown-key", message, ("forwarded", key), hint))
    as_of = raw.get("as_of")
    if as_of is not None and not isinstance(as_of, dt.date):
        try:
            as_of = dt.date.fromisoformat(str(as_of))
        except ValueError:
            out.append(problem("invalid-value", "as_of must be a date (YYYY-MM-DD)", ("forwarded", "as_of"), None))
            as_of = None
    texts = {k: (None if raw.get(k) is None else _nfc(raw[k])) for k in ("by", "level")}
    items = raw.get("verdicts", [])
    if not isinstance(items, list):
        out.append(problem("invalid-value", "'forwarded.verdicts' must be a list of {subject, award, verdict}",
                           ("forwarded", "verdicts"), None))
        items = []
    verdicts = []
    for i, item in enumerate(items):
        got = _verdict(item, ("forwarded", "verdicts", i), campaign, ids, problem, out)
        if got is not None:
            verdicts.append(got)
    return Forwarded(texts["by"], texts["level"], as_of, tuple(verdicts))


def _verdict(item: Any, path: tuple[PathItem, ...], campaign: m.Campaign, ids: list[str], problem: ProblemFn,
             out: list[Problem]) -> ForwardedVerdict | None:
    if not isinstance(item, Mapping):
        out.append(problem("invalid-value", "a forwarded verdict must be a mapping {subject, award, verdict}",
                           path, None))
        return None
    before = len(out)
    for key in item:
        if key not in VERDICT_KEYS:
            message, hint = unknown_key(str(key), VERDICT_KEYS)
            out.append(problem("unknown-key", message, (*path, key), hint))
    for key in ("subject", "award", "verdict"):
        if item.get(key) is None:
            out.append(problem("missing-key", f"a forwarded verdict needs '{key}'", (*path, key), None))
    sid = _subject(item["subject"], ids, (*path, "subject"), problem, out) if item.get("subject") is not None else None
    award = _award(item["award"], campaign, (*path, "award"), problem, out) if item.get("award") is not None else None
    verdict = item.get("verdict")
    if verdict is not None and verdict not in _VERDICTS:
        out.append(problem("invalid-value", f"verdict {verdict!r} is not one of {', '.join(_VERDICTS)}",
                           (*path, "verdict"), None))
    points = item.get("points")
    if points is not None and (isinstance(points, bool) or not isinstance(points, (int, float))
                               or points != points or points in (float("inf"), float("-inf"))):
        out.append(problem("invalid-value", "points must be a finite number", (*path, "points"), None))
    criteria = item.get("criteria", [])
    if not isinstance(criteria, list) or not all(isinstance(c, Mapping) for c in criteria):
        out.append(problem("invalid-value", "'criteria' must be a list of mappings {criterion, status, source}",
                           (*path, "criteria"), None))
    if len(out) > before or sid is None or award is None:
        return None
    band = item.get("band")
    return ForwardedVerdict(sid, award, str(verdict), None if points is None else float(points),
                            None if band is None else _nfc(band), tuple(dict(c) for c in criteria))

