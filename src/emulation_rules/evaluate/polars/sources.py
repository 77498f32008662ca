"""Sources: CSV and Parquet files or in-memory tables, read in chunks with exact row numbers."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import stat
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.errors import FactsError, PathItem, Problem, SourceLocation
from emulation_rules.evaluate.durable.compiler import (
    compile_campaign,
)
from emulation_rules.evaluate.polars._common import _ROW, _WS, DEFAULT_CHUNK_ROWS, Source
from emulation_rules.evaluate.polars.scoring import BulkEvaluator
from emulation_rules.facts.reader import CSV_META_COLUMNS, FactsReader, Subject

# --- sources -----------------------------------------------------------------------------------


class _Reread(Exception):
    """The fast CSV reader met something it cannot number exactly; read with Python's csv."""


class _Counting(io.RawIOBase):
    """A binary file wrapper counting bytes and line ends as it is read."""

    def __init__(self, fh: Any) -> None:
        super().__init__()
        self.fh = fh
        self.pos = 0
        self.newlines = 0
        self.lone_cr = 0
        self.last = b""

    def _count(self, data: bytes) -> None:
        self.pos += len(data)
        self.newlines += data.count(b"\n")
        self.lone_cr += data.count(b"\r") - data.count(b"\r\n")
        if data:
            self.last = data[-1:]

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.fh.read(size)
        self._count(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data: bytes = self.fh.read(len(buffer))
        self._count(data)
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.fh.close()
        super().close()


@dataclass
class _Input:
    """A chunked view of the input: ``chunks()`` yields string or typed frames with ``__row``."""

    name: str
    header: list[str]
    raw_header: list[str]
    kind: Literal["csv", "parquet", "frame"]
    path: Path | None = None
    frame: pl.DataFrame | None = None
    total_rows: int | None = None
    size: int = 0
    exact: bool = False
    done_bytes: int = 0
    read_rows: int = 0
    rows_given: bool = False  # the frame has its own row numbers in ``__row`` (.xlsx)
    sheet: str | None = None  # .xlsx: problems are located as file:Sheet!C12
    file: str = ""
    key_row: int = 1
    sheet_columns: list[int] | None = None

    def locate(self, problems: list[Problem]) -> list[Problem]:
        """``problems`` located in the sheet (``file:Sheet!C12``) when the input is a sheet:
        they come located as in a CSV file named :attr:`name`, header row 1 and the columns
        counted in :attr:`header`."""
        if self.sheet is None:
            return problems
        return [self._locate(p) for p in problems]

    def _locate(self, p: Problem) -> Problem:
        loc = p.location
        if loc is None or loc.file != self.name:
            return p
        columns = self.sheet_columns or []
        column = loc.column
        if column is not None and 1 <= column <= len(columns):
            column = columns[column - 1]
        line = self.key_row if loc.line == 1 else loc.line
        return dataclasses.replace(p, location=SourceLocation(self.file, line, column, self.sheet))

    def progress(self, rows: int) -> float | None:
        """Fraction done after ``rows`` rows; for CSV the total is estimated from the bytes
        the reader has consumed for the rows it has produced (it reads ahead)."""
        if self.kind == "csv" and self.size:
            if not self.done_bytes or not self.read_rows:
                return 0.0
            return min(rows * self.done_bytes / (self.read_rows * self.size), 1.0)
        if self.total_rows:
            return min(rows / self.total_rows, 1.0)
        return None


def _plain(df: pl.DataFrame) -> pl.DataFrame:
    """Categorical (dictionary-encoded) columns as plain text, e.g. from pandas via Parquet."""
    names = [c for c, t in df.schema.items() if isinstance(t, pl.Categorical | pl.Enum)]
    return df.with_columns(pl.col(names).cast(pl.String)) if names else df


def _open_input(source: Source, evaluator: BulkEvaluator) -> _Input:
    if isinstance(source, pl.DataFrame | pa.Table):
        df = source if isinstance(source, pl.DataFrame) else pl.from_arrow(source)
        assert isinstance(df, pl.DataFrame)
        df = _plain(df)
        header = evaluator.check_columns(df.columns, "<table>")
        df = df.rename(dict(zip(df.columns, header, strict=True)))
        evaluator.check_types(df.schema, "<table>")
        return _Input("<table>", header, list(df.columns), "frame", frame=df, total_rows=df.height)
    path = Path(source)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, evaluator)
    if suffix not in (".csv", ".parquet", ".pq"):
        raise FactsError(
            [
                Problem(
                    "unsupported-format",
                    f"bulk input must be .csv, .parquet or .xlsx, not {suffix or 'no extension'!r};"
                    " YAML and JSON facts are read without --bulk",
                    location=SourceLocation(name, 1),
                )
            ]
        )
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO blocks, /dev/zero never ends (issue 12)
            raise FactsError([Problem("not-a-file", "not a regular file (a FIFO, a device or a "
                                      "directory)", location=SourceLocation(name, 1))])
        size = st.st_size
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                try:
                    raw_header = next(csv.reader(fh))
                except StopIteration:
                    raise FactsError(
                        [Problem("empty", "no header row", location=SourceLocation(name, 1))]
                    ) from None
                except UnicodeDecodeError:
                    raise _bad_encoding(path) from None
                except csv.Error as exc:
                    raise FactsError(
                        [Problem("csv-syntax", str(exc), location=SourceLocation(name, 1))]
                    ) from None
            header = evaluator.check_columns(raw_header, name)
            return _Input(name, header, raw_header, "csv", path=path, size=size)
        pf = pq.ParquetFile(path)
    except OSError as exc:
        raise FactsError(
            [
                Problem(
                    "unreadable",
                    f"cannot read: {exc.strerror or exc}",
                    location=SourceLocation(name, 1),
                )
            ]
        ) from None
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise FactsError(
            [Problem("unreadable", f"not a Parquet file: {exc}", location=SourceLocation(name, 1))]
        ) from None
    raw_header = list(pf.schema_arrow.names)
    header = evaluator.check_columns(raw_header, name)
    schema = _plain(pl.DataFrame(pf.schema_arrow.empty_table())).schema
    evaluator.check_types(dict(zip(header, schema.values(), strict=True)), name)
    return _Input(
        name, header, raw_header, "parquet", path=path, total_rows=pf.metadata.num_rows, size=size
    )


Chunk = tuple[pl.DataFrame, list[Problem]]


def _open_xlsx(path: Path, evaluator: BulkEvaluator) -> _Input:
    """An .xlsx subject sheet read whole as text cells (like CSV), rows numbered as in the sheet,
    blank rows left out; problems are located as ``file:Sheet!C12``."""
    from emulation_rules.campaign.reading import InputFileError, read_limited
    from emulation_rules.facts.xlsx import column_text, subject_table
    from emulation_rules.facts.xlsx_bounds import MAX_INFLATED

    name = str(path)
    try:  # the checks of the per-row path: a regular file (no FIFO, no device), bounded
        data = read_limited(path, MAX_INFLATED)
    except InputFileError as exc:
        raise FactsError([Problem(exc.code, f"cannot read: {exc.message}",
                                  location=SourceLocation(name, 1))]) from None
    table = subject_table(data, name)
    inp = _Input(f"{name}:{table.sheet}", [], table.header, "frame", rows_given=True,
                 sheet=table.sheet, file=name, key_row=table.key_row,
                 sheet_columns=table.sheet_columns)
    try:
        inp.header = header = evaluator.check_columns(table.header, inp.name)
    except FactsError as exc:
        raise FactsError(inp.locate(list(exc.problems))) from None
    rows = len(table.columns[0]) if table.columns else 0
    frame = pl.DataFrame([_text_series(h, col, column_text)
                          for h, col in zip(header, table.columns, strict=True)])
    # an empty cell is missing (as an empty CSV cell); a row with no cell read is skipped
    frame = frame.with_columns(
        *(pl.when(pl.col(h) != "").then(pl.col(h)).alias(h) for h in header),
        pl.int_range(table.first_row, table.first_row + rows, dtype=pl.Int64).alias(_ROW),
    ).filter(~pl.all_horizontal(pl.col(header[: table.read]).is_null()))
    inp.frame = frame
    inp.total_rows = frame.height
    return inp


def _text_series(name: str, cells: list[Any], to_text: Callable[[list[Any]], list[str]]) -> pl.Series:
    """A column of text cells as is (polars checks they are all text); a column holding any
    Excel-typed cell is first turned to text cell by cell (``to_text``)."""
    try:
        return pl.Series(name, cells, dtype=pl.String)
    except TypeError:
        return pl.Series(name, to_text(cells), dtype=pl.String)


def _chunks(inp: _Input, chunk_rows: int) -> Iterator[Chunk]:
    """Frames of at most ``chunk_rows`` rows (normalised header and ``__row``), each with the
    problems of rows that could not even be split into cells (CSV rows of the wrong width)."""
    if inp.kind == "frame":
        assert inp.frame is not None
        for start in range(0, inp.frame.height, chunk_rows):
            part = inp.frame.slice(start, chunk_rows)
            if not inp.rows_given:
                part = part.with_columns(
                    pl.int_range(start + 1, start + part.height + 1, dtype=pl.Int64).alias(_ROW)
                )
            yield part, []
        return
    assert inp.path is not None
    if inp.kind == "parquet":
        pf = pq.ParquetFile(inp.path)
        start = 0
        for batch in pf.iter_batches(batch_size=chunk_rows):
            df = _plain(pl.DataFrame(batch.rename_columns(inp.header)))
            yield (
                df.with_columns(
                    pl.int_range(start + 1, start + df.height + 1, dtype=pl.Int64).alias(_ROW)
                ),
                [],
            )
            start += df.height
        return
    if inp.exact:
        yield from _csv_exact(inp, chunk_rows)
    else:
        yield from _csv_fast(inp, chunk_rows)


def _rechunk(batches: Iterator[pa.RecordBatch], chunk_rows: int) -> Iterator[pa.Table]:
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        while batch.num_rows:
            take = min(chunk_rows - count, batch.num_rows)
            pending.append(batch.slice(0, take))
            count += take
            batch = batch.slice(take)
            if count == chunk_rows:
                yield pa.Table.from_batches(pending)
                pending, count = [], 0
    if pending:
        yield pa.Table.from_batches(pending)


def _csv_fast(inp: _Input, chunk_rows: int) -> Iterator[Chunk]:
    """pyarrow's multi-threaded CSV reader; rows are numbered by position (physical lines).

    Raises _Reread when that numbering could be wrong: a row of the wrong width, a line break
    inside a cell, a lone carriage return, or anything pyarrow cannot parse.
    """
    assert inp.path is not None
    invalid: list[str] = []

    def handler(row: Any) -> str:
        invalid.append(row.text)
        return "skip"

    with inp.path.open("rb") as fh:
        counting = _Counting(fh)
        line = 2
        try:
            reader = pa_csv.open_csv(
                counting,
                read_options=pa_csv.ReadOptions(block_size=1 << 20, encoding="utf8"),
                parse_options=pa_csv.ParseOptions(
                    newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=handler
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types={c: pa.string() for c in inp.raw_header},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            if len(reader.schema.names) != len(inp.header):
                raise _Reread
            for table in _rechunk(iter(reader), chunk_rows):
                if invalid:
                    raise _Reread
                df = pl.DataFrame(table.rename_columns(inp.header))
                inp.done_bytes = counting.pos
                inp.read_rows = line - 2 + df.height
                yield (
                    df.with_columns(
                        pl.int_range(line, line + df.height, dtype=pl.Int64).alias(_ROW)
                    ),
                    [],
                )
                line += df.height
        except (pa.ArrowException, UnicodeDecodeError):
            raise _Reread from None
        lines = counting.newlines + (1 if counting.last not in (b"", b"\n") else 0)
        if invalid or counting.lone_cr or lines != line - 1:
            raise _Reread


def _csv_exact(inp: _Input, chunk_rows: int) -> Iterator[Chunk]:
    """Python's csv module, numbering rows exactly as the facts reader (``reader.line_num``)."""
    assert inp.path is not None
    width = len(inp.header)
    with inp.path.open("rb") as raw_fh:
        counting = _Counting(raw_fh)
        text = io.TextIOWrapper(io.BufferedReader(counting), encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        cols: list[list[str]] = [[] for _ in range(width)]
        rows: list[int] = []
        problems: list[Problem] = []
        try:
            next(reader)
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise FactsError(
                        [
                            Problem(
                                "csv-syntax",
                                str(exc),
                                location=SourceLocation(inp.name, reader.line_num),
                            )
                        ]
                    ) from None
                row_no = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != width:
                    problems.append(
                        Problem(
                            "csv-row",
                            f"row has {len(cells)} cells, header has {width}",
                            (f"row {row_no}",),
                            SourceLocation(inp.name, row_no),
                        )
                    )
                    continue
                for i, c in enumerate(cells):
                    cols[i].append(c)
                rows.append(row_no)
                if len(rows) == chunk_rows:
                    inp.done_bytes = counting.pos
                    inp.read_rows = reader.line_num
                    yield _exact_frame(inp.header, cols, rows), problems
                    cols, rows, problems = [[] for _ in range(width)], [], []
        except UnicodeDecodeError:
            raise _bad_encoding(inp.path) from None
        inp.done_bytes = counting.pos
        if rows or problems:
            yield _exact_frame(inp.header, cols, rows), problems


def _bad_encoding(path: Path) -> FactsError:
    """The problem the facts reader reports for a file that is not UTF-8 (first bad byte)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                offset += exc.start - pending
                break
            offset += len(block)
    return FactsError(
        [
            Problem(
                "bad-encoding", f"not UTF-8 at byte {offset}", location=SourceLocation(str(path), 1)
            )
        ]
    )


def _exact_frame(header: list[str], cols: list[list[str]], rows: list[int]) -> pl.DataFrame:
    df = pl.DataFrame(
        {h: pl.Series(h, c, dtype=pl.String) for h, c in zip(header, cols, strict=True)}
    )
    return df.with_columns(pl.Series(_ROW, rows, dtype=pl.Int64))


def find_subject(campaign: m.Campaign, facts: Source, subject_id: str) -> Subject:
    """Read one subject from a bulk input, validated by the facts reader (for explanations).

    The first valid row with that id is the subject, as in
    :func:`~emulation_rules.facts.load_facts`.

    Raises:
        KeyError: no row has that id.
        FactsError: every row with that id is invalid (their problems are listed).
    """
    evaluator = BulkEvaluator(compile_campaign(campaign))
    wanted = unicodedata.normalize("NFC", subject_id.strip())
    inp = _open_input(facts, evaluator)
    for exact in (False, True):
        inp.exact = exact
        try:
            return _find(evaluator, inp, wanted)
        except _Reread:
            continue
        except FactsError as exc:
            raise FactsError(inp.locate(list(exc.problems))) from None
    raise AssertionError("unreachable")


def _find(evaluator: BulkEvaluator, inp: _Input, wanted: str) -> Subject:
    problems: list[Problem] = []
    for raw, _ in _chunks(inp, DEFAULT_CHUNK_ROWS):
        if "id" not in raw.columns:
            break
        ids = raw["id"]
        if ids.dtype != pl.String:
            ids = ids.cast(pl.String)
        ids = ids.str.strip_chars(_WS).str.normalize("NFC")
        hits = raw.filter(ids == wanted)
        if not hits.height:
            continue
        smap = SourceMap(file=inp.name)
        reader = FactsReader(evaluator.campaign, smap, from_text=True)
        columns = [c for c in hits.columns if c != _ROW]
        for record in hits.iter_rows(named=True):
            row_no = record[_ROW]
            base: tuple[PathItem, ...] = (f"row {row_no}",)
            smap.values[base] = SourceLocation(inp.name, row_no)
            subject: dict[str, Any] = {"facts": {}}
            for i, c in enumerate(columns, start=1):
                key_path = (*base, c) if c in CSV_META_COLUMNS else (*base, "facts", c)
                smap.values[key_path] = SourceLocation(inp.name, row_no, i)
                cell = record[c]
                if isinstance(cell, str):
                    cell = cell.strip() or None
                if cell is None:
                    continue
                if c in CSV_META_COLUMNS:
                    subject[c] = cell
                else:
                    subject["facts"][c] = cell
            out: list[Problem] = []
            parsed = reader.subject(subject, base, out)
            if parsed is not None and not out:
                return parsed
            problems.extend(out)
    if problems:
        raise FactsError(problems)
    raise KeyError(wanted)
