"""Where each value of a campaign loaded from a file stands in it, kept for the process.

A campaign read from the cache (:mod:`.cache`) was not parsed this time, yet a warning about it
(a rule resting on a document not in force, :mod:`.force`) must still say ``file:line:column``.
The loader keeps the :class:`~.safe_yaml.SourceMap` of every campaign it returns (the cache
stores it beside the campaign), so that a warning need not parse the file again: parsing it was a
tenth of a one-unit ``evaluate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulation_rules.campaign.model import Campaign
    from emulation_rules.campaign.safe_yaml import SourceMap

__all__ = ["remember_source", "source_map_of"]

_KEPT: dict[int, tuple[Campaign, SourceMap]] = {}
_MOST = 64
"""Campaigns kept at most (a service holds a few, a test run many): the oldest go first."""


def remember_source(campaign: Campaign, smap: SourceMap) -> None:
    """Keep ``smap`` as where ``campaign``'s values stand (the campaign is kept with it, so its
    id names no other object while the entry lives)."""
    while len(_KEPT) >= _MOST:
        del _KEPT[next(iter(_KEPT))]
    _KEPT[id(campaign)] = (campaign, smap)


def source_map_of(campaign: Campaign) -> SourceMap | None:
    """The source map kept for ``campaign`` by the loader, or None (built in code, or forgotten)."""
    kept = _KEPT.get(id(campaign))
    return kept[1] if kept is not None and kept[0] is campaign else None
