"""One facts file of any supported format, chosen by its extension (:func:`load_facts_file`);
:func:`~.load.load_facts` also reads several files and folders (:mod:`.many`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.reading import STDIN
from emulation_rules.errors import FactsError, Problem, SourceLocation
from emulation_rules.facts.inputs import read_input
from emulation_rules.facts.reader import (
    MAX_FACTS_BYTES,
    OnError,
    Submission,
    parse_facts_csv,
    parse_facts_text,
)

__all__ = ["load_facts_file"]


def load_facts_file(
    source: str | os.PathLike[str],
    campaign: m.Campaign,
    *,
    format: Literal["auto", "yaml", "json", "csv", "xlsx"] = "auto",
    on_error: OnError = "raise",
) -> Submission:
    """Read and validate one facts file (``-`` for standard input); see :func:`~.load.load_facts`.

    Raises:
        FactsError: with every problem, each naming file, row (or line) and field.
    """
    path = Path(source)
    name = "<stdin>" if os.fspath(source) == STDIN else str(path)
    raw = read_input(source, MAX_FACTS_BYTES, name, too_large="the limit when facts are read whole; use --bulk")
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
