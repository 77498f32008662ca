"""One bounded read of an input file (facts, a tree of units, review corrections, a register's
table), its failure a located problem: a regular file only, at most ``limit`` bytes (a FIFO would
block, /dev/zero never end)."""

from __future__ import annotations

import os

from emulation_rules.campaign.reading import InputFileError, read_limited
from emulation_rules.errors import FactsError, Problem, SourceLocation

__all__ = ["read_input"]


def read_input(source: str | os.PathLike[str], limit: int, name: str, *, reading: str = "cannot read",
               too_large: str | None = None) -> bytes:
    """The bytes of ``source``.

    Args:
        source: a path (``-`` for standard input where the reader allows it).
        limit: the most bytes read.
        name: the file as the problem names it.
        reading: the message's start ("cannot read: <why>").
        too_large: for an input over ``limit``, what to say after the reason instead.

    Raises:
        FactsError: one problem (``too-large``, ``not-a-file``, ``unreadable`` …) at ``name``:1.
    """
    try:
        return read_limited(source, limit)
    except InputFileError as exc:
        message = (f"{exc.message}, {too_large}" if too_large is not None and exc.code == "too-large"
                   else f"{reading}: {exc.message}")
        raise FactsError([Problem(exc.code, message, location=SourceLocation(name, 1))]) from None
