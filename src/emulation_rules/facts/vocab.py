"""One input vocabulary: a choice is given by its id **or** its Vietnamese (or English) label,
in any case, NFC or NFD, everywhere (facts files, CLI options, case files).

Used for subject kinds, levels, roles, enum values and phases. A value matching none is refused
with the valid ids, each with its Vietnamese label, and a did-you-mean (over ids and labels).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import ReviewDateError, unknown_id

__all__ = ["KINDS", "Choice", "choose", "choose_in", "fold", "folded", "label_aliases", "listing", "review_phase",
           "unknown_message"]

Choice = tuple[str, "m.Text | None"]
"""An id and its label (None when it has none)."""

KINDS: tuple[Choice, ...] = (  # built, not validated: no model is built at import (a cold start)
    ("collective", m.Text.new(vi="Tập thể", en="Collective")),
    ("individual", m.Text.new(vi="Cá nhân", en="Individual")),
)
"""Subject kinds (GLOSSARY: tập thể, cá nhân)."""


def fold(text: str) -> str:
    """``text`` for comparison: NFC, trimmed, case-folded (``"ĐOÀN VIÊN"`` == ``"đoàn viên"``)."""
    return unicodedata.normalize("NFC", text).strip().casefold()


def choose(value: object, choices: Iterable[Choice]) -> str | None:
    """The id ``value`` names (an id or a label, any case, NFC or NFD), or None."""
    if not isinstance(value, str):
        return None
    choices = tuple(choices)
    for cid, _ in choices:  # the exact id, the common case, without folding
        if cid == value:
            return cid
    key = fold(value)
    for cid, label in choices:
        if key == fold(cid) or (label is not None and key in (fold(label.vi), fold(label.en))):
            return cid
    return None


def folded(choices: Iterable[Choice]) -> tuple[frozenset[str], dict[str, str]]:
    """``(ids, {folded id or label: id})``: what :func:`choose` finds by scanning ``choices``, found
    by :func:`choose_in` in two look-ups (for choices kept per campaign; the first choice naming a
    key keeps it, as in the scan)."""
    choices = tuple(choices)
    index: dict[str, str] = {}
    for cid, label in choices:
        for name in (cid, *((label.vi, label.en) if label is not None else ())):
            index.setdefault(fold(name), cid)
    return frozenset(cid for cid, _ in choices), index


def choose_in(value: object, ids: frozenset[str], index: dict[str, str]) -> str | None:
    """:func:`choose` over choices given as :func:`folded` made them."""
    if not isinstance(value, str):
        return None
    return value if value in ids else index.get(fold(value))


def listing(choices: Iterable[Choice]) -> str:
    """``"id (nhãn), id2 (nhãn 2)"``: the valid ids with their Vietnamese labels."""
    return ", ".join(f"{cid} ({label.vi})" if label is not None else cid for cid, label in choices)


def unknown_message(what: str, value: object, choices: Sequence[Choice]) -> tuple[str, str | None]:
    """``(message, hint)`` for a value naming none of ``choices``: the message lists them with
    their Vietnamese labels (:func:`~emulation_rules.errors.unknown_id`); the hint is a
    did-you-mean over ids and labels (also without diacritics), given as the id."""
    return unknown_id(what, value, [cid for cid, _ in choices], aliases=label_aliases(choices),
                      shown=[f"{cid} ({label.vi})" if label is not None else cid
                             for cid, label in choices])


def label_aliases(choices: Iterable[Choice]) -> dict[str, str]:
    """``{label: id}`` for the Vietnamese and English labels of ``choices``."""
    out: dict[str, str] = {}
    for cid, label in choices:
        if label is not None:
            out.setdefault(label.vi, cid)
            out.setdefault(label.en, cid)
    return out


def phase_choices(campaign: m.Campaign) -> tuple[Choice, ...]:
    """The campaign's phases as choices."""
    return tuple((p.id, p.label) for p in campaign.phases)


def _phase_dates(campaign: m.Campaign) -> str:
    return "; ".join(f"{p.id} ({p.label.vi}): {p.start.isoformat()} to "
                     f"{p.end.isoformat() if p.end else 'open'}" for p in campaign.phases)


def review_phase(
    campaign: m.Campaign, as_of: dt.date | None, phase: str | None = None
) -> tuple[str | None, frozenset[str] | None]:
    """The phase a review judges: ``(chosen phase id, ids of every phase judged)``.

    ``phase`` (an id or a label) wins; else the review date picks the most specific phase
    containing it (:meth:`Campaign.phase_at`) and every phase containing it is judged; with
    neither, ``(None, None)``: nothing is chosen. A campaign without phases judges any date.

    Raises:
        ReviewDateError: ``phase`` is not one of the campaign's, or ``as_of`` lies in no phase;
            the message names the phases with their dates and the ``--phase`` option.
    """
    standing = not campaign.phases and campaign.review_year is not None  # judged by review year
    if phase is not None:
        named = campaign.phase_named(phase.strip()) if standing else None
        found = named.id if named is not None else choose(phase, phase_choices(campaign))
        if found is None and standing:
            raise ReviewDateError(f"{phase!r} is not a review year of {campaign.id}: a standing regulation "
                                  "judges review_year_<year>, e.g. review_year_2024")
        if found is None:
            message, hint = unknown_message("phase", phase, phase_choices(campaign))
            raise ReviewDateError(message + (f" ({hint})" if hint else ""))
        return found, frozenset({found})
    if as_of is None or not (campaign.phases or standing):
        return None, None
    at = campaign.phase_at(as_of)
    if at is None:
        raise ReviewDateError(
            f"{as_of.isoformat()} lies in no phase of {campaign.id}: {_phase_dates(campaign)}. "
            "Choose a review date inside a phase (--as-of), or judge a phase with --phase ID "
            "(phase= in the library)")
    return at.id, frozenset(p.id for p in campaign.phases if p.contains(as_of)) or frozenset({at.id})
