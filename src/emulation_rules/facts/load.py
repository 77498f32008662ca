"""``load_facts``: a facts file of any supported format, chosen by its extension."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from emulation_rules.campaign import model as m
from emulation_rules.campaign.reading import STDIN, InputFileError, read_limited
from emulation_rules.errors import FactsError, Problem, SourceLocation
from emulation_rules.facts.reader import (
    MAX_FACTS_BYTES,
    OnError,
    Submission,
    parse_facts_csv,
    parse_facts_text,
)

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
            last needs the ``xlsx`` extra; layout in :mod:`.xlsx`); or a folder of such files,
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
        from emulation_rules.facts.many import load_many

        sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
        collected = load_many(sources, campaign, units=units, on_error=on_error)
        return dataclasses.replace(collected.submission, missing_units=collected.missing)
    path = Path(source)
    name = "<stdin>" if os.fspath(source) == STDIN else str(path)
    try:
        raw = read_limited(source, MAX_FACTS_BYTES)
    except InputFileError as exc:
        message = (f"{exc.message}, the limit when facts are read whole; use --bulk"
                   if exc.code == "too-large" else f"cannot read: {exc.message}")
        raise FactsError([Problem(exc.code, message, location=SourceLocation(name, 1))]) from None
    fmt = format if format != "auto" else _guess(path)
    if fmt == "xlsx":
        from emulation_rules.facts.xlsx import read_facts_xlsx  # optional extra, read on demand

        return read_facts_xlsx(raw, campaign, file=name, on_error=on_error)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FactsError([Problem("bad-encoding", f"not UTF-8 at byte {exc.start}",
                                  location=SourceLocation(name, 1))]) from None
    if fmt == "csv":
        return parse_facts_csv(text, campaign, file=name, on_error=on_error)
    return parse_facts_text(text, campaign, file=name, format=fmt, on_error=on_error)


def _guess(path: Path) -> Literal["yaml", "json", "csv", "xlsx"]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        return "json"
    return "yaml"
