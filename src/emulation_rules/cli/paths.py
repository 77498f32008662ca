"""Which way ``evaluate`` goes: subject by subject (the default), or the columnar path
(``--bulk``: polars) on its own for a large table whose results it writes exactly as the
subject-by-subject path would.

Without ``--bulk`` or ``--no-bulk``, the columnar path is taken when all of these hold:

* the facts are one table (not several files, a folder, or with ``--units``): ``.parquet``
  (which only the columnar path reads), or ``.csv`` or
  ``.xlsx`` with at least :data:`AUTO_BULK_ROWS` rows (counted cheaply: lines of the CSV file,
  rows of the workbook's sheets, stopping at the threshold);
* the results are rows, which both paths write alike (the same columns, the same bytes, tested on
  every shipped campaign): ``--format csv``, or an ``--output`` ending in ``.csv`` (or in
  ``.parquet``, which only the columnar path writes, whatever the table's size);
* the backend is ``auto`` (an asked-for backend is used as asked).

Where the columnar path cannot serve (a campaign construct or a column it does not read, e.g.
a subject's history; polars not installed), the run goes subject by subject after a notice on
stderr, instead of refusing. Bad rows are refused (or with ``--skip-invalid`` listed) with the
same located messages on either path.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Literal, TextIO

AUTO_BULK_ROWS = 5_000
"""Rows from which a CSV or .xlsx table goes the columnar path by itself (below it, starting
polars costs more than it saves)."""

Way = Literal["columnar", "per_subject"]
_ROW_OUTPUTS = (".csv", ".parquet", ".pq")


def output_format(args: argparse.Namespace) -> str | None:
    """``--format``, else the one ``--output``'s extension names (``.csv``, ``.json``, ``.html``,
    ``.xlsx``), else None (the table)."""
    if args.format is not None or args.output is None:
        return args.format  # type: ignore[no-any-return]
    return {".csv": "csv", ".json": "json", ".html": "html", ".htm": "html",
            ".xlsx": "xlsx"}.get(args.output.suffix.lower())


def add_no_bulk(parser: argparse.ArgumentParser) -> None:
    """``--no-bulk`` on the ``evaluate`` parser."""
    parser.add_argument("--no-bulk", action="store_true",
                        help="evaluate subject by subject even a large table (without --bulk or "
                        f"--no-bulk, a .csv or .xlsx of {AUTO_BULK_ROWS} rows or more, or a .parquet, "
                        "whose results go out as CSV or Parquet rows, takes the columnar path by "
                        "itself: same rows, much faster)")


def choose_way(args: argparse.Namespace, err: TextIO) -> Way | None:
    """The path ``evaluate`` takes for ``args`` (see the module doc); None after saying on
    ``err`` that ``--bulk`` and ``--no-bulk`` were both given."""
    if args.bulk and args.no_bulk:
        err.write("--bulk and --no-bulk exclude each other\n")
        return None
    if args.bulk:
        return "columnar"
    if args.no_bulk or args.backend != "auto" or args.units is not None or isinstance(args.facts, tuple):
        return "per_subject"  # several files, or a tree of units: read as one review
    rows_out = args.format == "csv" or (
        args.format is None and args.output is not None and args.output.suffix.lower() in _ROW_OUTPUTS)
    if not rows_out:
        return "per_subject"
    if args.format is None and args.output.suffix.lower() in (".parquet", ".pq"):
        return "columnar"  # only the columnar path writes Parquet
    facts: Path = args.facts
    suffix = facts.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "columnar"
    if suffix == ".csv":
        return "columnar" if _csv_rows_at_least(facts, AUTO_BULK_ROWS + 1) else "per_subject"
    if suffix in (".xlsx", ".xlsm"):
        return "columnar" if _xlsx_rows_at_least(facts, AUTO_BULK_ROWS + 1) else "per_subject"
    return "per_subject"


def _csv_rows_at_least(path: Path, wanted: int) -> bool:
    """Whether the file has ``wanted`` lines (the header counted), read until it is known."""
    lines = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
                if lines >= wanted:
                    return True
    except OSError:
        return False  # the reader on the way taken says why, located
    return False


def _xlsx_rows_at_least(path: Path, wanted: int) -> bool:
    """Whether the workbook's sheets hold ``wanted`` rows together, read until it is known."""
    import zipfile  # only for a workbook (with shutil and bz2, it costs a cold start ~5 ms)

    rows = 0
    try:
        with zipfile.ZipFile(path) as book:
            for name in book.namelist():
                if not name.startswith("xl/worksheets/") or not name.endswith(".xml"):
                    continue
                with book.open(name) as sheet:
                    tail = b""
                    while block := sheet.read(1 << 20):
                        rows += (tail + block).count(b"<row ")  # a tag cut between blocks counts once
                        tail = block[-4:]
                        if rows >= wanted:
                            return True
    except (OSError, zipfile.BadZipFile, RuntimeError):
        return False
    return False


def notice_fallback(reason: str, err: TextIO) -> None:
    """Say that the columnar path cannot serve and why (in the chosen language: cli/language.py)."""
    err.write(f"note: a large table, but the columnar path cannot serve ({reason}); "
              "evaluating subject by subject\n")


def notice_columnar(err: TextIO) -> None:
    """Say that the columnar path was taken by itself (in the chosen language: cli/language.py)."""
    err.write(f"note: a table of {AUTO_BULK_ROWS} rows or more, evaluated by the columnar path "
              "(--no-bulk: subject by subject)\n")


def columnar_first(args: argparse.Namespace, out: TextIO, err: TextIO, *,
                   forced: Callable[[argparse.Namespace, TextIO, TextIO], int],
                   one_table: Callable[[argparse.Namespace, TextIO], bool]) -> int | None:
    """``evaluate`` the columnar way when it goes that way: its exit code (``forced`` runs
    ``--bulk``, after ``one_table`` checked its input), 2 for ``--bulk --no-bulk``; else None,
    with ``args.format`` taken from ``--output``'s extension when not given: subject by subject."""
    way = choose_way(args, err)
    if way is None:
        return 2
    if way == "columnar":
        if args.bulk:
            return forced(args, out, err) if one_table(args, err) else 2
        code = evaluate_columnar(args, out, err)
        if code is not None:
            return code
    args.format = output_format(args)
    return None


def evaluate_columnar(args: argparse.Namespace, out: TextIO, err: TextIO) -> int | None:
    """``evaluate`` by the columnar path taken by itself: the result rows to ``--output`` (CSV or
    Parquet by extension) or stdout (CSV); ``None`` after a notice when it cannot serve."""
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.engine import Engine
    from emulation_rules.errors import CompileError, EngineUnavailableError, FactsError
    from emulation_rules.evaluate.cycle import cycle_unsupported
    from emulation_rules.evaluate.units import bulk_unsupported

    campaign = load_campaign(args.campaign)
    unread = cycle_unsupported(campaign) or bulk_unsupported(campaign)
    if unread is not None:  # proposals, votes or a unit's answers: only subject by subject
        notice_fallback(unread, err)
        return None
    try:
        engine = Engine(campaign, params=dict(args.param), backend="polars")
    except (EngineUnavailableError, CompileError) as exc:
        notice_fallback(str(exc).splitlines()[0], err)
        return None
    notice_columnar(err)
    try:
        result = engine.evaluate_many(args.facts, output=args.output or out, as_of=args.as_of,
                                      on_error="skip" if args.skip_invalid else "raise",
                                      progress=err, phase=args.phase)
    except FactsError as exc:
        if not exc.problems or any(p.code != "unsupported-column" for p in exc.problems):
            raise
        notice_fallback("; ".join(p.message for p in exc.problems), err)
        return None
    for p in result.rejected:
        err.write(f"skipped: {p}\n")
    err.write(result.summary() + (f"; results in {args.output}" if args.output else "") + "\n")
    return 0
