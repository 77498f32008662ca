"""Opening a campaign on the command line: by path or shipped id, saying once when the lines it
cites were not checked against the documents' texts (:mod:`emulation_rules.campaign.texts`)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import TextIO

from emulation_rules.campaign.opening import load_campaign
from emulation_rules.campaign.shapes import Campaign
from emulation_rules.campaign.texts import unchecked_note

__all__ = ["note_unchecked", "open_campaign"]


def open_campaign(args: argparse.Namespace, err: TextIO, *, light: bool = False) -> Campaign:
    """Load ``args.campaign`` (a path or a shipped campaign's id; from the cache as plain twins
    when ``light``, see :func:`~emulation_rules.campaign.opening.load_campaign`) and, the first
    time in this command, say on ``err`` which documents' cited lines were not checked."""
    campaign = load_campaign(args.campaign, light=light)
    if not getattr(args, "_noted_unchecked", False):
        note_unchecked([campaign], err, lang=getattr(args, "lang", "vi"))
        args._noted_unchecked = True
    return campaign


def note_unchecked(campaigns: Iterable[Campaign], err: TextIO, *, lang: str = "vi") -> None:
    """Write the one-line note of :func:`~emulation_rules.campaign.texts.unchecked_note`, if any."""
    note = unchecked_note(campaigns, lang=lang)
    if note is not None:
        err.write(note + "\n")
