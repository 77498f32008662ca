"""``load_facts``: a facts file of any supported format, chosen by its extension."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.reading import STDIN
from emulation_rules.facts.one_file import load_facts_file
from emulation_rules.facts.reader import OnError, Submission

if TYPE_CHECKING:
    from emulation_rules.facts.units import UnitTree

__all__ = ["load_facts"]


def load_facts(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    campaign: m.Campaign,
    *,
    format: Literal["auto", "yaml", "json", "csv", "xlsx"] = "auto",
    on_error: OnError = "raise",
    units: UnitTree | None = None,
) -> Submission:
    """Read and validate a facts file for ``campaign``.

    Args:
        source: path to a ``.yaml``/``.yml``, ``.json``, ``.csv`` or ``.xlsx`` file (the
            last read by python-calamine; layout in :mod:`.xlsx`); or a folder of such files,
            or a list of files and folders, read as one review by :func:`~.many.load_many`.
        campaign: the campaign whose declared facts give names and types.
        format: force a format instead of guessing from the extension (one file only).
        on_error: ``"raise"`` refuses the whole file on any problem; ``"skip"`` leaves out the
            subjects with problems and lists them in ``Submission.rejected``. File-level
            problems (syntax, campaign mismatch) always raise.
        units: the tree of units (:mod:`.units`): subjects' units are checked against it and
            the units with no submission are listed in ``Submission.missing_units``.

    Raises:
        FactsError: with every problem, each naming file, row (or line) and field.
    """
    if (not isinstance(source, (str, os.PathLike)) or units is not None
            or (os.fspath(source) != STDIN and Path(source).is_dir())):
        from emulation_rules.facts.many import load_many  # (one file, the usual case, skips it)

        sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
        collected = load_many(sources, campaign, units=units, on_error=on_error)
        return dataclasses.replace(collected.submission, missing_units=collected.missing)
    return load_facts_file(source, campaign, format=format, on_error=on_error)
