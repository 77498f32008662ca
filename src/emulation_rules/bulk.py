"""Bulk scoring: a vectorised evaluator compiled from the same campaign model as the engine.

durable-rules scores about 8,000-60,000 subjects a second (shared/DURABLE_RULES.md); a province
has hundreds of thousands of union members and the confederation about eleven million. This
module scores a whole table at once with column expressions (polars), reading CSV or Parquet in
chunks with bounded memory and writing one result row per subject and award, and it gives the
same verdicts as :class:`~emulation_rules.engine.Engine` (agreement is tested on every shipped
campaign). Explanations are not materialised for everyone: :meth:`BulkResult.explain` and
``emulation-rules explain --bulk`` re-read one subject's row and evaluate it with the durable
engine, giving the full criterion-by-criterion :class:`~emulation_rules.explain.SubjectResult`.

Input (the same flat layout as a facts CSV, :mod:`emulation_rules.facts`)::

    id, kind, level, role, unit, name, <one column per declared fact>

* An empty cell (or a Parquet null) is a missing fact, so a criterion reading it is ``unknown``.
* A ``records`` fact (a list of initiatives, the Golden Book...) is a JSON list of objects in its
  cell, exactly as in a facts CSV; it is parsed per chunk by pyarrow's JSON reader (strict: a
  value of the wrong JSON type, an unknown or repeated key is not guessed at) and the rows it
  cannot decide are validated one by one by :mod:`.facts`. Pre-aggregated count columns are not
  accepted: a count depends on the criterion's ``where`` and ``distinct``, and a count computed
  elsewhere could not be checked or explained. Nested Parquet columns (list or struct) are
  refused with a message; write records as JSON text.
* Cells are validated and coerced exactly as :func:`~emulation_rules.facts.coerce_value` does for
  CSV text (``có``/``không``, enum labels, ``D/M/YYYY``, ``15%``, surrounding spaces...). Typed
  Parquet columns are taken by value with the same function (a boolean column for a bool fact,
  integers for numbers, dates for dates). Canonical cells are decided by column operations;
  every other distinct cell value goes through ``coerce_value`` itself, and every row with a
  problem is re-read by the facts reader, so messages, codes and locations are the ones
  ``evaluate`` gives: ``file:row:column: row N.facts.x: ... [invalid-value]``. A bad row
  refuses the whole run (no output file is left behind), or with ``on_error="skip"``
  (``--skip-invalid``) it is left out and listed in :attr:`BulkResult.rejected`; never dropped
  silently. CSV rows are numbered like the facts reader (header = row 1, physical lines); a file
  whose records span several lines or that has rows of the wrong width is re-read with Python's
  ``csv`` module so the numbers stay exact. Parquet rows are numbered from 1.
* Integers must fit in 64 bits (larger ones are refused with ``out-of-range``); everything else
  the facts reader accepts is accepted.

Semantics (the engine's, see :mod:`.engine` and :mod:`.compiler`): a criterion whose facts are
not all present is ``unknown``; otherwise its condition decides ``pass``/``fail`` (ordered enums
by rank, dates as dates, counts over records with the record predicate of the compiler: a record
lacking a field a comparison reads does not match). Verdict: not eligible level/role ->
``not_eligible``; any fail -> ``not_awarded``; else any unknown -> ``incomplete``; else
``awarded``. Score sheets: item points summed in item order, bands, passing band and floor.

Output: one row per subject and award, columns :data:`RESULT_COLUMNS` (the ``evaluate --format
csv`` columns): ``subject_id, kind, level_or_role, name, award, verdict, points, band,
failed_criteria, missing_facts`` (lists joined with ``;``). CSV or Parquet by file extension.

Streaming: the input is read in chunks of ``chunk_rows`` (100,000) rows; reading (pyarrow),
validating and scoring (polars, one chunk per worker thread) and writing overlap, with a few
chunks in flight at most, so memory does not grow with the file: 1,000,000 TKV subjects (263 MB of
CSV) peak under 1 GB. Results go to a temporary file moved into place when the run succeeds. The
only state kept across chunks is the set of ids seen (two 64-bit hashes per subject), for the
facts reader's duplicate-id rule. A progress bar is drawn on ``progress`` if it is a terminal.

Why polars, not DuckDB (a throwaway measurement on this project's machine kind, 2 cores, 1,000,000
rows: two bool columns, an ordered enum and a count over a JSON list of records):

* the scalar part (parse the bools and the enum, rank it, combine the criteria) takes 0.05-0.07 s
  in polars and 0.03 s in DuckDB: both negligible next to reading the file;
* decoding the JSON records: DuckDB's ``from_json`` 0.15-0.25 s but lenient (``"yes"`` becomes
  ``true``, ``2.5`` an integer 2, unknown keys vanish), so it cannot be the validator; polars'
  ``str.json_decode`` 1.1-2.7 s; pyarrow's JSON reader 0.6-1.0 s and strict (wrong JSON type,
  unknown or repeated key -> error), so pyarrow decodes and polars computes.

With JSON taken by pyarrow (already needed for Parquet), polars fits the rest better: a condition
tree compiles to composable expression objects (no SQL text to build and quote), list and struct
expressions express ``count``/``where``/``distinct`` over records, Arrow data passes both ways
without copies, and the Python fallbacks for odd cells sit naturally between column operations.
DuckDB's strengths (SQL, joins, out-of-core aggregation) are not needed for a row-wise score.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import io
import os
import queue
import shutil
import tempfile
import threading
import time
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO, TypeAlias

try:
    import polars as pl
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv
    import pyarrow.json as pa_json
    import pyarrow.parquet as pq
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "bulk scoring needs polars and pyarrow: pip install 'emulation-rules[bulk]'"
    ) from exc

from . import model as m
from ._yaml import SourceMap
from .compiler import CompiledAward, CompiledCampaign
from .errors import CompileError, FactsError, PathItem, Problem, SourceLocation
from .explain import CSV_COLUMNS, SubjectResult
from .facts import (
    CSV_META_COLUMNS,
    MIN_DECIMAL_MAGNITUDE,
    Subject,
    _hint,
    _Invalid,
    _Reader,
    coerce_value,
)

if TYPE_CHECKING:
    from .engine import Engine

RESULT_COLUMNS: tuple[str, ...] = CSV_COLUMNS
"""Columns of the result table, one row per subject and award (as ``evaluate --format csv``)."""

DEFAULT_CHUNK_ROWS = 100_000
"""Rows per chunk: about 30-60 MB of working memory for a dozen fact columns."""

MAX_LISTED_PROBLEMS = 1000
"""When a run is refused, at most this many problems are listed (then a count of the rest)."""

OnError: TypeAlias = Literal["raise", "skip"]
Source: TypeAlias = "str | os.PathLike[str] | pl.DataFrame | pa.Table"
Output: TypeAlias = "str | os.PathLike[str] | TextIO | None"

# Python's str.strip() removes exactly the characters for which str.isspace() holds; they all lie
# below U+3001. Stripping with this set makes column operations agree with the facts reader.
_WS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_FAIL, _PASS, _UNKNOWN = 0, 1, 2
_INT = r"^-?[0-9]{1,18}$"
_DEC = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
_PCT = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?%?$"
_SMALL_SEGMENT = 256
_ROW = "__row"
_OUT_SCHEMA = {
    "subject_id": pl.String,
    "kind": pl.String,
    "level_or_role": pl.String,
    "name": pl.String,
    "award": pl.String,
    "verdict": pl.String,
    "points": pl.Float64,
    "band": pl.String,
    "failed_criteria": pl.String,
    "missing_facts": pl.String,
}


def _col(fact_id: str) -> str:
    return f"f:{fact_id}"


def _dtype(decl: m.FactDecl | m.RecordField) -> Any:
    t = decl.type
    if t == "bool":
        return pl.Boolean
    if t == "int":
        return pl.Int64
    if t in ("decimal", "percent"):
        return pl.Float64
    if t == "date":
        return pl.Date
    if t == "ordered_enum":
        return pl.Int16
    if t in ("enum", "text"):
        return pl.String
    assert isinstance(decl, m.FactDecl) and t == "records"
    return pl.List(pl.Struct({f.id: _dtype(f) for f in decl.fields}))


def _json_type(decl: m.RecordField) -> pa.DataType:
    if decl.type == "bool":
        return pa.bool_()
    if decl.type == "int":
        return pa.int64()
    if decl.type in ("decimal", "percent"):
        return pa.float64()
    return pa.string()


def _rank(decl: m.FactDecl | m.RecordField) -> dict[str, int]:
    return {v.id: i for i, v in enumerate(decl.values)}


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkResult:
    """The outcome of a bulk run.

    Attributes:
        campaign_id: the campaign scored.
        as_of: review date, if given; picks ``phase``.
        phase: the phase containing ``as_of``.
        params: parameter values used.
        subjects: number of subjects scored.
        counts: result rows per verdict (``awarded``, ``not_awarded``, ``incomplete``,
            ``not_eligible``).
        rejected: problems of the rows left out (``on_error="skip"``); empty otherwise.
        table: the result rows (:data:`RESULT_COLUMNS`) when no output was given, else ``None``.
        output: the file written, if any.
        source: the input, kept so that :meth:`explain` can re-read one subject.
    """

    campaign_id: str
    as_of: dt.date | None
    phase: str | None
    params: Mapping[str, float]
    subjects: int
    counts: Mapping[str, int]
    rejected: tuple[Problem, ...] = ()
    table: pl.DataFrame | None = None
    output: Path | None = None
    source: Any = field(default=None, repr=False)
    engine: Any = field(default=None, repr=False)

    def verdicts(self) -> dict[tuple[str, str], str]:
        """``{(subject id, award id): verdict}`` as :meth:`Evaluation.verdicts` gives.

        Raises:
            ValueError: the results were written to a file (read it instead).
        """
        if self.table is None:
            raise ValueError("the results were written to a file; read it with polars")
        return {
            (s, a): v for s, a, v in self.table.select("subject_id", "award", "verdict").iter_rows()
        }

    def explain(self, subject_id: str) -> SubjectResult:
        """Re-read ``subject_id`` from the source and evaluate it with the durable engine.

        Returns:
            The full :class:`SubjectResult` (criteria, values used, thresholds, citations).

        Raises:
            KeyError: no such subject in the source.
            FactsError: the subject's row is invalid.
        """
        subject = find_subject(self.engine.campaign, self.source, subject_id)
        return self.engine.evaluate([subject], as_of=self.as_of).subjects[0]  # type: ignore[no-any-return]

    def summary(self) -> str:
        """One line: subjects, rows per verdict, rejected rows."""
        order = ("awarded", "not_awarded", "incomplete", "not_eligible")
        text = ", ".join(f"{k}: {self.counts.get(k, 0)}" for k in order)
        line = f"{self.subjects} subjects scored; {text}"
        if self.rejected:
            line += f"; {len(self.rejected)} problems, those rows were left out"
        return line


# --- the evaluator -----------------------------------------------------------------------------


class BulkEvaluator:
    """Vectorised evaluator of one compiled campaign.

    Args:
        compiled: the campaign compiled with its parameters (``Engine(...).compiled``).

    Example:
        >>> engine = Engine.from_path("campaigns/tkv_2019.yaml")  # doctest: +SKIP
        >>> table = pl.read_csv("members.csv", infer_schema=False)  # doctest: +SKIP
        >>> evaluator = BulkEvaluator(engine.compiled)  # doctest: +SKIP
        >>> results, problems = evaluator.evaluate_frame(table)  # doctest: +SKIP
    """

    def __init__(self, compiled: CompiledCampaign) -> None:
        _check_supported(compiled.campaign)
        self.compiled = compiled
        self.campaign = compiled.campaign
        self.facts = {f.id: f for f in self.campaign.facts}
        self.levels = {lv.id for lv in self.campaign.subjects.collective_levels}
        self.roles = {r.id for r in self.campaign.subjects.individual_roles}
        self.read: list[str] = []
        for award in compiled.awards:
            for fid in _award_reads(award):
                if fid not in self.read:
                    self.read.append(fid)
        self.read_fields: dict[str, set[str]] = {}
        for model_award in self.campaign.awards:
            conds = [c.condition for c in model_award.criteria]
            sheet = model_award.score_sheet
            if sheet is not None:
                conds += [i.condition for i in sheet.items if i.condition is not None]
            for cond in conds:
                _count_fields(cond, self.read_fields)
        self._score_exprs = [self._award_exprs(i, a) for i, a in enumerate(compiled.awards)]

    # header --------------------------------------------------------------------------------
    def check_columns(self, names: Sequence[str], file: str) -> list[str]:
        """Normalise and check a header: unknown, repeated or missing columns.

        Returns:
            The column names, NFC and stripped.

        Raises:
            FactsError: ``unknown-column``, ``duplicate-key`` or ``missing-key`` (id, kind).
        """
        header = [unicodedata.normalize("NFC", h.strip()) for h in names]
        known = set(CSV_META_COLUMNS) | set(self.facts)
        problems = [
            Problem(
                "unknown-column",
                f"unknown column {h!r}",
                (h,),
                SourceLocation(file, 1, i),
                _hint(h, known),
            )
            for i, h in enumerate(header, start=1)
            if h not in known
        ]
        if len(set(header)) != len(header):
            problems.append(
                Problem("duplicate-key", "a column name is repeated", (), SourceLocation(file, 1))
            )
        if "id" not in header or "kind" not in header:
            problems.append(
                Problem(
                    "missing-key",
                    "columns 'id' and 'kind' are required",
                    (),
                    SourceLocation(file, 1),
                )
            )
        if problems:
            raise FactsError(problems)
        return header

    def check_types(self, schema: Mapping[str, Any], file: str) -> None:
        """Refuse column types the bulk reader does not take (nested Parquet columns).

        Raises:
            FactsError: ``unsupported-column`` for list, struct, binary or other nested columns.
        """
        problems = []
        for i, (name, dtype) in enumerate(schema.items(), start=1):
            if name == _ROW:
                continue
            ok = (
                dtype == pl.String
                or dtype == pl.Null
                or dtype.is_numeric()
                or dtype in (pl.Boolean, pl.Date)
                or isinstance(dtype, pl.Datetime)
            )
            decl = self.facts.get(name)
            if decl is not None and decl.type == "records" and dtype not in (pl.String, pl.Null):
                problems.append(
                    Problem(
                        "unsupported-column",
                        f"records fact {name!r} must be a JSON text column, not {dtype}; nested "
                        "columns and pre-aggregated counts are not supported",
                        (name,),
                        SourceLocation(file, 1, i),
                    )
                )
            elif not ok:
                problems.append(
                    Problem(
                        "unsupported-column",
                        f"column {name!r} has type {dtype}, which is not supported",
                        (name,),
                        SourceLocation(file, 1, i),
                    )
                )
        if problems:
            raise FactsError(problems)

    # coercion --------------------------------------------------------------------------------
    def coerce(
        self,
        raw: pl.DataFrame,
        file: str,
        seen: _SeenIds | None = None,
    ) -> tuple[pl.DataFrame, list[Problem]]:
        """Validate and coerce one chunk.

        Args:
            raw: the chunk's cells (string or typed columns named by the normalised header) and
                a ``__row`` column with the row number used in problem locations.
            file: file name for locations.
            seen: ids accepted in earlier chunks (duplicate ids are problems, as in facts.py).

        Returns:
            The typed frame of the valid rows (``__row``, subject columns, ``f:<fact>`` for the
            facts any criterion reads) and the problems of the other rows, in row order.
        """
        seen = seen if seen is not None else _SeenIds()
        columns = [c for c in raw.columns if c != _ROW]
        if columns:  # rows whose every cell is empty are skipped, as by the facts reader
            empty = [
                pl.col(c).is_null() | (pl.col(c) == "")
                if raw.schema[c] == pl.String
                else pl.col(c).is_null()
                for c in columns
            ]
            raw = raw.filter(~pl.all_horizontal(empty))
        n = raw.height
        bad = _const(False, n)
        typed: dict[str, pl.Series] = {_ROW: raw[_ROW]}

        def cells(name: str) -> pl.Series:
            if name not in raw.columns:
                return _const(None, n, pl.String)
            s = raw[name]
            if s.dtype == pl.String:
                return s
            if s.dtype.is_integer():
                return s.cast(pl.String)
            nonlocal bad
            bad = bad | s.is_not_null()
            return _const(None, n, pl.String)

        ids = _text_values(cells("id"))
        kinds = cells("kind")
        levels, roles = cells("level"), cells("role")
        no_level = levels.is_null() | (levels == "")
        no_role = roles.is_null() | (roles == "")
        is_coll = kinds == "collective"
        is_ind = kinds == "individual"
        # Values outside these exact spellings are decided by the facts reader (exact path).
        ok = ids.is_not_null() & (is_coll | is_ind)
        ok = ok & (
            ~is_coll
            | (levels.is_in(pl.Series(sorted(self.levels), dtype=pl.String).implode()) & no_role)
        )
        ok = ok & (
            ~is_ind
            | (roles.is_in(pl.Series(sorted(self.roles), dtype=pl.String).implode()) & no_level)
        )
        bad = bad | ~ok.fill_null(False)
        typed["id"] = ids.alias("id")
        typed["kind"] = kinds.alias("kind")
        typed["level"] = pl.select(pl.when(no_level.not_()).then(levels)).to_series().alias("level")
        typed["role"] = pl.select(pl.when(no_role.not_()).then(roles)).to_series().alias("role")
        typed["name"] = _text_values(cells("name")).alias("name")
        cells("unit")  # not in the results, but a typed unit (e.g. a boolean) is checked

        for fid, decl in self.facts.items():
            if fid not in raw.columns:
                if fid in self.read:
                    typed[_col(fid)] = _const(None, n, _dtype(decl))
                continue
            values, cell_bad, present = self._coerce_column(decl, raw[fid], need=fid in self.read)
            wrong_kind = present & (kinds != decl.applies_to).fill_null(True)
            bad = bad | wrong_kind | cell_bad
            if fid in self.read:
                assert values is not None
                typed[_col(fid)] = values.alias(_col(fid))

        schema = self._typed_schema()
        frame = pl.DataFrame(typed).select(list(schema)).cast(schema)  # type: ignore[arg-type]
        good = frame.filter(~bad)
        problems: list[Problem] = []
        if bad.any():
            rescued, problems = self._exact_rows(raw.filter(bad), file)
            if rescued is not None and rescued.height:
                good = pl.concat([good, rescued]).sort(_ROW)
        good, dup_problems = self._duplicates(good, seen, raw, file)
        problems.extend(dup_problems)
        problems.sort(key=_problem_order)
        return good, problems

    def _coerce_and_score(
        self, raw: pl.DataFrame, file: str
    ) -> tuple[pl.DataFrame, list[Problem], pl.DataFrame]:
        """What a worker thread does for one chunk: everything but the duplicate-id check,
        which needs the chunks in order (see :func:`_run`)."""
        good, problems = self.coerce(raw, file, _NO_IDS)
        return good, problems, self.score(good)

    def _coerce_column(
        self, decl: m.FactDecl, cells: pl.Series, *, need: bool
    ) -> tuple[pl.Series | None, pl.Series, pl.Series]:
        """(typed values or None when not needed, cells not decided valid, cells maybe present).

        "Maybe present" may over-approximate (a cell of spaces): such rows only take the exact
        path. Values are null exactly where the facts reader sees a missing fact.
        """
        t = decl.type
        n = len(cells)
        if cells.dtype == pl.Null:
            nothing = _const(False, n)
            return (_const(None, n, _dtype(decl)) if need else None), nothing, nothing
        maybe = (
            (cells.is_not_null() & (cells != ""))
            if cells.dtype == pl.String
            else cells.is_not_null()
        )
        if t == "records":
            if cells.dtype != pl.String:  # refused by check_types; kept as a guard
                return _const(None, n, _dtype(decl)), maybe, maybe
            values, bad = self._records(decl, cells, need=need)
            return values, bad, maybe
        if t == "text" and cells.dtype == pl.String:
            if not need:
                return None, _const(False, n), maybe
            values = _text_values(cells)
            return values, _const(False, n), maybe
        if cells.dtype == pl.String:
            if t in ("int", "decimal", "percent"):
                values, bad = self._numbers(decl, cells)
            else:
                values, bad = _py_map(cells, self._scalar_fn(decl), _dtype(decl))
            return values, bad, maybe
        # typed Parquet column
        values = None
        if t == "bool" and cells.dtype == pl.Boolean:
            values = cells
        elif t == "int" and cells.dtype.is_integer():
            values = cells.cast(pl.Int64, strict=False)
        elif t in ("decimal", "percent") and cells.dtype.is_numeric():
            values = cells.cast(pl.Float64)
        elif t == "date" and cells.dtype == pl.Date:
            values = cells
        elif t == "date" and isinstance(cells.dtype, pl.Datetime):
            values = cells.dt.date()
        if values is None:
            values, bad = _py_map(cells, self._scalar_fn(decl), _dtype(decl))
            return values, bad, maybe
        lost = cells.is_not_null() & values.is_null()
        return values, lost | _out_of_range(decl, values), maybe

    def _scalar_fn(
        self, decl: m.FactDecl | m.RecordField, *, blank_is_missing: bool = True
    ) -> Callable[[Any], Any]:
        """``coerce_value`` for one distinct cell; a blank CSV cell is a missing fact (a blank
        string inside a JSON record is a value, validated as such)."""
        ranks = _rank(decl) if decl.type == "ordered_enum" else None

        def fn(value: Any) -> Any:
            if blank_is_missing and isinstance(value, str) and not value.strip():
                return None
            out = coerce_value(decl, value, from_text=True)
            if isinstance(out, _Invalid):
                return out
            if ranks is not None:
                return ranks[out]
            if decl.type == "int" and not -(2**63) <= out < 2**63:
                return _Invalid("integer outside the 64-bit range")
            return out

        return fn

    def _numbers(
        self, decl: m.FactDecl | m.RecordField, cells: pl.Series
    ) -> tuple[pl.Series, pl.Series]:
        t = decl.type
        pattern = {"int": _INT, "decimal": _DEC, "percent": _PCT}[t]
        canonical = cells.str.contains(pattern).fill_null(False)
        text = cells.str.strip_suffix("%") if t == "percent" else cells
        fast = text.cast(pl.Int64 if t == "int" else pl.Float64, strict=False)
        fast = pl.select(pl.when(canonical).then(fast).otherwise(None)).to_series()
        odd = cells.is_not_null() & (cells != "") & ~canonical
        values, bad = fast, _const(False, len(cells))
        if odd.any():
            slow, slow_bad = _py_map(
                pl.select(pl.when(odd).then(cells)).to_series(), self._scalar_fn(decl), _dtype(decl)
            )
            values = pl.select(pl.when(odd).then(slow).otherwise(fast)).to_series()
            bad = slow_bad
        lost = canonical & values.is_null()
        return values, bad | lost | _out_of_range(decl, values)

    # records -----------------------------------------------------------------------------------
    def _records(
        self, decl: m.FactDecl, cells: pl.Series, *, need: bool
    ) -> tuple[pl.Series | None, pl.Series]:
        n = len(cells)
        empty = (cells == "[]").fill_null(False)  # the most common cell needs no parsing
        candidate = (cells.str.starts_with("[") & ~cells.str.contains("[\r\n]") & ~empty).fill_null(
            False
        )
        bad = (cells.is_not_null() & (cells != "") & ~candidate & ~empty).fill_null(False)
        positions = candidate.arg_true()
        parts: list[pa.Array] = []
        flags: list[pl.Series] = [_const(False, 0)]
        arrow_cells = cells.gather(positions).to_arrow().cast(pa.string())
        for lists, length in _parse_json_cells(arrow_cells, decl):
            if lists is None:
                parts.append(pa.nulls(length, type=_arrow_type(decl)))
                flags.append(_const(True, length))
            else:
                typed_lists, part_bad = self._check_records(decl, lists)
                parts.append(typed_lists)
                flags.append(part_bad)
        cand_bad = pl.concat(flags)
        if cand_bad.any():
            bad = bad.scatter(positions.filter(cand_bad), True)
        if not need:
            return None, bad
        parts.append(pa.array([[]], type=_arrow_type(decl)))  # the value of "[]" cells, last
        index = _const(None, n, pl.Int64).scatter(
            positions, pl.int_range(len(positions), eager=True)
        )
        index = pl.select(
            pl.when(empty).then(pl.lit(len(positions), pl.Int64)).otherwise(index)
        ).to_series()
        full = (pa.concat_arrays(parts) if len(parts) > 1 else parts[0]).take(index.to_arrow())
        return pl.Series(full).cast(_dtype(decl)), bad

    def _check_records(
        self, decl: m.FactDecl, lists: pa.ListArray
    ) -> tuple[pa.ListArray, pl.Series]:
        """Validate decoded record lists; returns typed lists and a bad flag per list."""
        n = len(lists)
        start = lists.offsets[0].as_py()
        stop = lists.offsets[-1].as_py()
        offsets = pc.subtract(lists.offsets, pa.scalar(start, pa.int32()))
        values = lists.values.slice(start, stop - start)
        size = stop - start
        elem_bad = _const(False, size)
        names: dict[str, int] = {}
        if pa.types.is_struct(values.type):
            names = {values.type.field(i).name: i for i in range(values.type.num_fields)}
            if values.null_count:
                elem_bad = pl.Series(values.is_null())
        elif size:
            elem_bad = _const(True, size)  # not a list of objects: read one by one
        read = self.read_fields.get(decl.id, set())
        children = []
        for f in decl.fields:
            if f.id in names and size:
                raw = pl.Series(values.field(names[f.id]))
            else:
                raw = _const(None, size, pl.Null)
            typed, f_bad = self._record_field(f, raw, need=f.id in read)
            if f.required:
                f_bad = f_bad | raw.is_null()
            elem_bad = elem_bad | f_bad
            children.append(typed.to_arrow().cast(_arrow_type(f)))
        bad = pl.Series(lists.is_null())
        if size and elem_bad.any():
            parents = pl.Series(pc.list_parent_indices(lists)).filter(elem_bad).unique()
            bad = bad.scatter(parents, True)
        struct = pa.StructArray.from_arrays(children, fields=list(_arrow_type(decl).value_type))
        out = pa.ListArray.from_arrays(offsets, struct, type=_arrow_type(decl), mask=bad.to_arrow())
        assert len(out) == n
        return out, bad

    def _record_field(
        self, f: m.RecordField, raw: pl.Series, *, need: bool
    ) -> tuple[pl.Series, pl.Series]:
        t = f.type
        n = len(raw)
        if raw.dtype == pl.Null or (t == "text" and not need and raw.dtype == pl.String):
            return _const(None, n, _dtype(f)), _const(False, n)
        native = (
            (t == "bool" and raw.dtype == pl.Boolean)
            or (t == "int" and raw.dtype == pl.Int64)
            or (t in ("decimal", "percent") and raw.dtype in (pl.Int64, pl.Float64))
        )
        if native:
            values = raw.cast(_dtype(f))
            return values, _out_of_range(f, values)
        if t == "text" and raw.dtype == pl.String:
            return _text_values(raw, empty_is_missing=False), _const(False, n)
        return _py_map(raw, self._scalar_fn(f, blank_is_missing=False), _dtype(f))

    # exact path ----------------------------------------------------------------------------------
    def _exact_rows(
        self, rows: pl.DataFrame, file: str
    ) -> tuple[pl.DataFrame | None, list[Problem]]:
        """Validate rows one by one with the facts reader (messages, codes and locations)."""
        smap = SourceMap(file=file)
        reader = _Reader(self.campaign, smap, from_text=True)
        columns = [c for c in rows.columns if c != _ROW]
        position = {c: i for i, c in enumerate(columns, start=1)}
        problems: list[Problem] = []
        accepted: list[dict[str, Any]] = []
        for record in rows.iter_rows(named=True):
            row_no = record[_ROW]
            base: tuple[PathItem, ...] = (f"row {row_no}",)
            smap.values[base] = SourceLocation(file, row_no)
            subject: dict[str, Any] = {"facts": {}}
            for c in columns:
                key_path = (*base, c) if c in CSV_META_COLUMNS else (*base, "facts", c)
                smap.values[key_path] = SourceLocation(file, row_no, position[c])
                cell = record[c]
                if cell is None:
                    continue
                if isinstance(cell, str):
                    cell = cell.strip()
                    if cell == "":
                        continue
                if c in CSV_META_COLUMNS:
                    subject[c] = cell
                else:
                    subject["facts"][c] = cell
            if len(subject) == 1 and not subject["facts"]:
                continue  # a blank row, skipped as the facts reader does
            out: list[Problem] = []
            parsed = reader.subject(subject, base, out)
            if out or parsed is None:
                problems.extend(out)
                continue
            typed = self._typed(parsed, row_no, smap, out)
            if out:
                problems.extend(out)
                continue
            accepted.append(typed)
        if not accepted:
            return None, problems
        return pl.DataFrame(accepted, schema=self._typed_schema(), orient="row"), problems

    def _typed_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {_ROW: pl.Int64}
        for name in ("id", "kind", "level", "role", "name"):
            schema[name] = pl.String
        for fid in self.read:
            schema[_col(fid)] = _dtype(self.facts[fid])
        return schema

    def _typed(
        self, subject: Subject, row_no: int, smap: SourceMap, out: list[Problem]
    ) -> dict[str, Any]:
        d: dict[str, Any] = {
            _ROW: row_no,
            "id": subject.id,
            "kind": subject.kind,
            "level": subject.level,
            "role": subject.role,
            "name": subject.name,
        }
        for fid in self.read:
            decl = self.facts[fid]
            value = subject.facts.get(fid)
            path = (f"row {row_no}", "facts", fid)
            d[_col(fid)] = None if value is None else _to_typed(decl, value, path, smap, out)
        return d

    def _duplicates(
        self, good: pl.DataFrame, seen: _SeenIds, raw: pl.DataFrame, file: str
    ) -> tuple[pl.DataFrame, list[Problem]]:
        if not good.height or seen is _NO_IDS:
            return good, []
        ids = good["id"]
        h1, h2 = ids.hash(seed=11), ids.hash(seed=29)
        dup = ~ids.is_first_distinct() | seen.contains(h1, h2)
        problems = []
        if dup.any():
            column = [c for c in raw.columns if c != _ROW].index("id") + 1
            for row_no, sid in good.filter(dup).select(_ROW, "id").iter_rows():
                problems.append(
                    Problem(
                        "duplicate-id",
                        f"subject id {sid!r} is used twice",
                        (f"row {row_no}", "id"),
                        SourceLocation(file, row_no, column),
                    )
                )
            keep = ~dup
            good, h1, h2 = good.filter(keep), h1.filter(keep), h2.filter(keep)
        seen.add(h1, h2)
        return good, problems

    # scoring -----------------------------------------------------------------------------------
    def _award_exprs(
        self, index: int, compiled: CompiledAward
    ) -> tuple[CompiledAward, list[pl.Expr], list[pl.Expr]]:
        """(award, expressions adding status columns, expressions of the result row).

        Statuses are materialised first: nested inside ``when`` chains, polars evaluates list
        expressions far more slowly than as plain columns.
        """
        award = compiled.award
        who = "level" if award.subject == "collective" else "role"
        allowed = list(
            award.eligibility.levels if award.subject == "collective" else award.eligibility.roles
        )
        eligible = pl.col(who).is_in(pl.Series(allowed, dtype=pl.String).implode()).fill_null(False)
        stage: list[pl.Expr] = [eligible.alias("__eligible")]
        names: list[tuple[str, str]] = []
        delegated = award.criteria_delegated_to is not None
        # The plan lists no standards of its own: never awarded, as in the engine.
        for k, plan in enumerate(() if delegated else compiled.criteria):
            present = pl.all_horizontal([pl.col(_col(f)).is_not_null() for f in plan.reads])
            cond = self._cond(plan.criterion.condition)
            stage.append(
                pl.when(~present)
                .then(pl.lit(_UNKNOWN, pl.UInt8))
                .when(cond)
                .then(pl.lit(_PASS, pl.UInt8))
                .otherwise(pl.lit(_FAIL, pl.UInt8))
                .alias(f"__s{k}")
            )
            names.append((plan.criterion.id, f"__s{k}"))
        points: pl.Expr = pl.lit(None, pl.Float64)
        band: pl.Expr = pl.lit(None, pl.String)
        if award.score_sheet is not None and not delegated:
            sheet_status, sheet_points, sheet_band = self._sheet(compiled)
            stage += [
                sheet_status.alias("__sheet"),
                sheet_points.alias("__points"),
                sheet_band.alias("__band"),
            ]
            names.append(("score_sheet", "__sheet"))
            points, band = pl.col("__points"), pl.col("__band")
        statuses = [pl.col(c) for _, c in names]
        any_fail = pl.any_horizontal([s == _FAIL for s in statuses]) if statuses else pl.lit(False)
        any_unknown = (
            pl.any_horizontal([s == _UNKNOWN for s in statuses]) if statuses else pl.lit(delegated)
        )
        ok = pl.col("__eligible")
        verdict = (
            pl.when(~ok)
            .then(pl.lit("not_eligible"))
            .when(any_fail)
            .then(pl.lit("not_awarded"))
            .when(any_unknown)
            .then(pl.lit("incomplete"))
            .otherwise(pl.lit("awarded"))
        )
        failed = pl.concat_str(
            [pl.when(pl.col(c) == _FAIL).then(pl.lit(cid)) for cid, c in names]
            or [pl.lit(None, pl.String)],
            separator=";",
            ignore_nulls=True,
        )
        order = [] if delegated else _award_reads(compiled)
        missing = pl.concat_str(
            [pl.when(pl.col(_col(f)).is_null()).then(pl.lit(f)) for f in order]
            or [pl.lit(None, pl.String)],
            separator=";",
            ignore_nulls=True,
        )
        out = [
            pl.col(_ROW),
            pl.lit(index, pl.Int32).alias("__award"),
            pl.col("id").alias("subject_id"),
            pl.col("kind"),
            pl.coalesce(pl.col("level"), pl.col("role"), pl.lit("")).alias("level_or_role"),
            pl.col("name").fill_null("").alias("name"),
            pl.lit(award.id).alias("award"),
            verdict.alias("verdict"),
            pl.when(ok).then(points).otherwise(None).cast(pl.Float64).alias("points"),
            pl.when(ok).then(band).otherwise(None).fill_null("").alias("band"),
            pl.when(ok).then(failed).otherwise(pl.lit("")).fill_null("").alias("failed_criteria"),
            pl.when(ok).then(missing).otherwise(pl.lit("")).fill_null("").alias("missing_facts"),
        ]
        return compiled, stage, out

    def score(self, typed: pl.DataFrame) -> pl.DataFrame:
        """Score a typed chunk (from :meth:`coerce`): one row per subject and award, in subject
        order then award order, with :data:`RESULT_COLUMNS` (and ``__row``)."""
        parts = []
        for compiled, stage, out in self._score_exprs:
            rows = typed.filter(pl.col("kind") == compiled.award.subject)
            if rows.height:
                parts.append(rows.with_columns(stage).select(out))
        if not parts:
            return pl.DataFrame(schema={_ROW: pl.Int64, **_OUT_SCHEMA})
        result = pl.concat(parts) if len(parts) > 1 else parts[0]
        if len(parts) > 1:
            result = result.sort(_ROW, "__award")
        return result.drop("__award")

    def evaluate_frame(
        self, frame: pl.DataFrame | pa.Table, *, on_error: OnError = "raise", file: str = "<table>"
    ) -> tuple[pl.DataFrame, list[Problem]]:
        """Validate and score an in-memory table (cells as strings or typed columns).

        Returns:
            (result rows with :data:`RESULT_COLUMNS`, problems of the rows left out).

        Raises:
            FactsError: a bad header, or (``on_error="raise"``) any row with a problem.
        """
        df = frame if isinstance(frame, pl.DataFrame) else pl.from_arrow(frame)
        assert isinstance(df, pl.DataFrame)
        header = self.check_columns(df.columns, file)
        df = df.rename(dict(zip(df.columns, header, strict=True)))
        self.check_types(df.schema, file)
        df = df.with_columns(pl.int_range(1, df.height + 1, dtype=pl.Int64).alias(_ROW))
        typed, problems = self.coerce(df, file)
        if problems and on_error == "raise":
            raise FactsError(problems)
        return self.score(typed).drop(_ROW), problems

    # conditions --------------------------------------------------------------------------------
    def _cond(self, cond: Any) -> pl.Expr:
        if isinstance(cond, m.AllOf):
            return pl.all_horizontal([self._cond(s) for s in cond.all])
        if isinstance(cond, m.AnyOf):
            return pl.any_horizontal([self._cond(s) for s in cond.any])
        if isinstance(cond, m.NotOf):
            return ~self._cond(cond.not_)
        if isinstance(cond, m.Count):
            return self._count(cond)
        if not isinstance(cond, _LEAVES) or cond.fact is None:
            raise _unsupported(f"condition {type(cond).__name__}")
        decl = self.facts[cond.fact]
        return _leaf(cond, decl, pl.col(_col(decl.id)), self.compiled.params)

    def _count(self, cond: m.Count) -> pl.Expr:
        spec = cond.count
        decl = self.facts[spec.fact]
        fields = {f.id: f for f in decl.fields}
        lst = pl.col(_col(decl.id))
        pred = (
            _record_pred(spec.where, fields, self.compiled.params)
            if spec.where is not None
            else None
        )
        if spec.distinct is None:
            count = (
                lst.list.len() if pred is None else lst.list.eval(pred.cast(pl.UInt32)).list.sum()
            )
        else:
            d = pl.element().struct.field(spec.distinct)
            keep = d.is_not_null() if pred is None else (pred & d.is_not_null())
            count = lst.list.eval(d.filter(keep).n_unique()).list.first()
        threshold = (
            float(self.compiled.params[cond.param]) if cond.param else float(cond.value or 0)
        )
        limit: int | float = int(threshold) if threshold.is_integer() else threshold
        return _OPS[cond.op](count.cast(pl.Int64), pl.lit(limit))

    def _sheet(self, compiled: CompiledAward) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
        sheet = compiled.award.score_sheet
        assert sheet is not None
        lacking = pl.any_horizontal(
            [pl.col(_col(f)).is_null() for p in compiled.items for f in p.reads] or [pl.lit(False)]
        )
        total: pl.Expr = pl.lit(0.0, pl.Float64)
        broken: list[pl.Expr] = []
        for plan in compiled.items:
            item = plan.item
            if item.condition is not None:
                got = (
                    pl.when(self._cond(item.condition))
                    .then(pl.lit(float(item.max_points)))
                    .otherwise(pl.lit(0.0))
                )
            else:
                assert item.points_fact is not None
                got = (
                    pl.col(_col(item.points_fact))
                    .cast(pl.Float64)
                    .clip(0.0, float(item.max_points))
                )
            total = total + got
            if sheet.item_floor_fraction is not None:
                broken.append(got < pl.lit(sheet.item_floor_fraction * item.max_points))
        band: pl.Expr = pl.lit(None, pl.String)
        for b in sheet.bands:  # a later band that the total reaches wins, as in the engine
            band = pl.when(total >= pl.lit(b.min_points)).then(pl.lit(b.id)).otherwise(band)
        band = pl.when(lacking).then(pl.lit(None, pl.String)).otherwise(band)
        if sheet.pass_band is not None:
            ids = [b.id for b in sheet.bands]
            good = ids[ids.index(sheet.pass_band) :]
            passed = band.is_in(good).fill_null(False)
        else:
            passed = pl.lit(True)
        floor = pl.any_horizontal(broken) if broken else pl.lit(False)
        status = (
            pl.when(lacking)
            .then(pl.lit(_UNKNOWN, pl.UInt8))
            .when(floor)
            .then(pl.lit(_FAIL, pl.UInt8))
            .when(passed)
            .then(pl.lit(_PASS, pl.UInt8))
            .otherwise(pl.lit(_FAIL, pl.UInt8))
        )
        points = pl.when(lacking).then(pl.lit(None, pl.Float64)).otherwise(total)
        return status, points, band


_OPS: dict[str, Callable[[pl.Expr, Any], pl.Expr]] = m.OPS


_LEAVES = (m.Compare, m.AtLeast, m.OneOf)

# What this evaluator implements, model field by model field. A campaign that sets anything else
# (a construct added to the model after this module) is refused with a clear message instead of
# being scored differently from the engine.
_KNOWN_FIELDS: dict[type, set[str]] = {
    m.Award: {
        "id",
        "kind",
        "subject",
        "label",
        "eligibility",
        "criteria",
        "score_sheet",
        "period",
        "criteria_delegated_to",
        "source",
        "note",
    },
    m.Criterion: {"id", "label", "text_vi", "condition", "reviewer_judgement", "source", "note"},
    m.ScoreSheet: {"max_points", "items", "bands", "pass_band", "item_floor_fraction", "source"},
    m.ScoreItem: {"id", "label", "text_vi", "max_points", "points_fact", "condition", "source"},
    m.Eligibility: {"levels", "roles", "source"},
}


def _unsupported(what: str) -> CompileError:
    return CompileError(
        f"bulk scoring does not support {what} yet; evaluate without --bulk (the durable engine)"
    )


def _check_supported(campaign: m.Campaign) -> None:
    """Raise CompileError if the campaign uses a model construct this module does not know."""

    def walk(node: Any) -> None:
        if isinstance(node, tuple):
            for item in node:
                walk(item)
            return
        known = _KNOWN_FIELDS.get(type(node))
        if known is None:
            return
        for name, info in type(node).model_fields.items():
            value = getattr(node, name)
            if name not in known and value != info.default and value not in (None, (), {}):
                raise _unsupported(f"{type(node).__name__}.{name}")
            walk(value)

    for award in campaign.awards:
        walk(award)


def _count_fields(cond: Any, out: dict[str, set[str]]) -> None:
    """Record fields read by the counts in ``cond`` (``where`` and ``distinct``), per fact."""
    from .compiler import _fields_read

    if isinstance(cond, m.AllOf | m.AnyOf):
        for sub in cond.all if isinstance(cond, m.AllOf) else cond.any:
            _count_fields(sub, out)
    elif isinstance(cond, m.NotOf):
        _count_fields(cond.not_, out)
    elif isinstance(cond, m.Count):
        fields = out.setdefault(cond.count.fact, set())
        if cond.count.where is not None:
            fields.update(_fields_read(cond.count.where))
        if cond.count.distinct is not None:
            fields.add(cond.count.distinct)


def _award_reads(compiled: CompiledAward) -> list[str]:
    """Facts an award reads, in the order the engine lists missing facts."""
    out: dict[str, None] = {}
    for plan in compiled.criteria:
        out.update(dict.fromkeys(plan.reads))
    for item in compiled.items:
        out.update(dict.fromkeys(item.reads))
    return list(out)


def _threshold(decl: m.FactDecl | m.RecordField, value: Any) -> Any:
    """A constant of the condition in the typed column's representation."""
    from .compiler import _checked

    v = _checked(decl, value)
    if decl.type == "ordered_enum":
        return _rank(decl)[v]
    return v


def _leaf(
    cond: Any, decl: m.FactDecl | m.RecordField, col: pl.Expr, params: Mapping[str, float]
) -> pl.Expr:
    if isinstance(cond, m.AtLeast):
        return col >= pl.lit(_rank(decl)[cond.at_least])
    if isinstance(cond, m.OneOf):
        values = [_threshold(decl, v) for v in cond.in_]
        return col.is_in(pl.Series(values, dtype=_dtype(decl)).implode())
    assert isinstance(cond, m.Compare)
    if cond.param is not None:
        return _OPS[cond.op](col, pl.lit(float(params[cond.param])))
    value = _threshold(decl, cond.value)
    return _OPS[cond.op](col, pl.lit(value, dtype=_dtype(decl)))


def _record_pred(
    cond: Any, fields: Mapping[str, m.RecordField], params: Mapping[str, float]
) -> pl.Expr:
    """The compiler's record predicate as an element expression (missing field -> no match)."""
    if isinstance(cond, m.AllOf):
        return pl.all_horizontal([_record_pred(s, fields, params) for s in cond.all])
    if isinstance(cond, m.AnyOf):
        return pl.any_horizontal([_record_pred(s, fields, params) for s in cond.any])
    if isinstance(cond, m.NotOf):
        from .compiler import _fields_read

        names = _fields_read(cond.not_)
        present = pl.all_horizontal(
            [pl.element().struct.field(n).is_not_null() for n in names] or [pl.lit(True)]
        )
        return present & ~_record_pred(cond.not_, fields, params)
    if not isinstance(cond, _LEAVES) or cond.field is None:
        raise _unsupported(f"record condition {type(cond).__name__}")
    decl = fields[cond.field]
    col = pl.element().struct.field(decl.id)
    return col.is_not_null() & _leaf(cond, decl, col, params).fill_null(False)


def _out_of_range(decl: m.FactDecl | m.RecordField, values: pl.Series) -> pl.Series:
    """Numbers :func:`~emulation_rules.facts.coerce_value` refuses: outside the declared bounds
    (percent: [0, 100]), not finite, or (decimals) non-zero below ``MIN_DECIMAL_MAGNITUDE``."""
    t = decl.type
    if t not in ("int", "decimal", "percent"):
        return _const(False, len(values))
    lo = decl.minimum if decl.minimum is not None else (0.0 if t == "percent" else None)
    hi = decl.maximum if decl.maximum is not None else (100.0 if t == "percent" else None)
    expr = pl.lit(False)
    v = pl.col("v")
    if t != "int":
        expr = expr | ~v.is_finite() | ((v != 0) & (v.abs() < MIN_DECIMAL_MAGNITUDE))
    if lo is not None:
        expr = expr | (v < lo)
    if hi is not None:
        expr = expr | (v > hi)
    return pl.DataFrame({"v": values}).select(expr.fill_null(False)).to_series()


def _py_map(cells: pl.Series, fn: Callable[[Any], Any], dtype: Any) -> tuple[pl.Series, pl.Series]:
    """Apply ``fn`` (a coerce function) to each distinct non-null cell; (values, invalid cells)."""
    uniques = cells.drop_nulls().unique().to_list()
    good_k, good_v, bad_k = [], [], []
    for u in uniques:
        out = fn(u)
        if isinstance(out, _Invalid):
            bad_k.append(u)
        else:
            good_k.append(u)
            good_v.append(out)
    if good_k and len(good_k) <= 16 and cells.dtype == pl.String:
        # a few spellings (booleans, enums): equality tests beat a hash-table replace
        expr: Any = pl.lit(None, dtype)
        for k, v in zip(reversed(good_k), reversed(good_v), strict=True):
            expr = pl.when(pl.col("c") == k).then(pl.lit(v, dtype)).otherwise(expr)
        values = pl.DataFrame({"c": cells}).select(expr).to_series()
    elif good_k:
        values = cells.replace_strict(
            pl.Series(good_k, dtype=cells.dtype),
            pl.Series(good_v, dtype=dtype),
            default=None,
            return_dtype=dtype,
        )
    else:
        values = _const(None, len(cells), dtype)
    bad = (
        cells.is_in(pl.Series(bad_k, dtype=cells.dtype).implode()).fill_null(False)
        if bad_k
        else _const(False, len(cells))
    )
    return values, bad


def _text_values(cells: pl.Series, *, empty_is_missing: bool = True) -> pl.Series:
    """Text as the facts reader keeps it: stripped like ``str.strip()`` and NFC (by Python's
    ``unicodedata``, for the cells that may not be NFC already); empty -> null for CSV cells."""
    s = cells.str.strip_chars(_WS)
    if empty_is_missing:
        s = pl.select(pl.when(s != "").then(s)).to_series()
    suspect = s.str.contains(_nfc_suspects()).fill_null(False)
    if suspect.any():
        idx = suspect.arg_true()
        odd = s.gather(idx)
        uniques = odd.unique().to_list()
        fixed = odd.replace_strict(
            uniques,
            [unicodedata.normalize("NFC", u).strip() for u in uniques],
            return_dtype=pl.String,
        )
        s = s.scatter(idx, fixed)
    return s.alias(cells.name)


@functools.lru_cache(maxsize=1)
def _nfc_suspects() -> str:
    """A regex class of the characters that can make a string not NFC: combining marks,
    characters NFC changes, and second halves of canonical compositions (Hangul jamo too).
    A string without any of them is already NFC (the NFC quick check answers "yes")."""
    cps = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for cp in range(0x110000):
        c = chr(cp)
        if unicodedata.combining(c):
            cps.add(cp)
            continue
        d = unicodedata.decomposition(c)
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                cps.add(int(parts[1], 16))
            if unicodedata.normalize("NFC", c) != c:
                cps.add(cp)
    ranges: list[list[int]] = []
    for cp in sorted(cps):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return (
        "["
        + "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
        + "]"
    )


def _const(value: Any, n: int, dtype: Any = pl.Boolean) -> pl.Series:
    return pl.repeat(value, n, dtype=dtype, eager=True)


def _to_typed(
    decl: m.FactDecl | m.RecordField,
    value: Any,
    path: tuple[PathItem, ...],
    smap: SourceMap,
    out: list[Problem],
) -> Any:
    t = decl.type
    if t == "ordered_enum":
        return _rank(decl)[value]
    if t == "int" and not -(2**63) <= value < 2**63:
        out.append(
            Problem(
                "out-of-range",
                f"{value} is outside the 64-bit integer range",
                path,
                smap.locate(path),
            )
        )
        return None
    if t in ("decimal", "percent"):
        return float(value)
    if t == "records":
        assert isinstance(decl, m.FactDecl)
        fields = {f.id: f for f in decl.fields}
        return [
            {
                f: (None if r.get(f) is None else _to_typed(fields[f], r[f], path, smap, out))
                for f in fields
            }
            for r in value
        ]
    return value


def _arrow_type(decl: m.FactDecl | m.RecordField) -> pa.DataType:
    """Arrow type of a typed column (records: list<struct> with 32-bit offsets)."""
    if decl.type == "records":
        assert isinstance(decl, m.FactDecl)
        return pa.list_(pa.struct([(f.id, _arrow_type(f)) for f in decl.fields]))
    return {
        pl.Boolean: pa.bool_(),
        pl.Int64: pa.int64(),
        pl.Float64: pa.float64(),
        pl.Date: pa.date32(),
        pl.Int16: pa.int16(),
        pl.String: pa.large_string(),
    }[_dtype(decl)]


_JSON_OK = {
    "bool": (pa.bool_(), pa.string(), pa.null()),
    "int": (pa.int64(), pa.string(), pa.null()),
    "decimal": (pa.int64(), pa.float64(), pa.null()),
    "percent": (pa.int64(), pa.float64(), pa.null()),
}


def _parse_json_cells(cells: pa.Array, decl: m.FactDecl) -> list[tuple[pa.ListArray | None, int]]:
    """Decode JSON cells into lists of records, in pieces; ``None`` marks a piece of cells that
    column operations cannot decide (they are then read one by one by the facts reader)."""
    strict = pa.schema([("r", pa.list_(pa.struct([(f.id, _json_type(f)) for f in decl.fields])))])
    allowed = {f.id: f for f in decl.fields}

    def attempt(part: pa.Array) -> pa.ListArray | None:
        buf = _ndjson(part)
        for options in (
            pa_json.ParseOptions(explicit_schema=strict, unexpected_field_behavior="error"),
            pa_json.ParseOptions(unexpected_field_behavior="infer"),
        ):
            try:
                table = pa_json.read_json(pa.BufferReader(buf), parse_options=options)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            if table.num_rows != len(part) or table.column_names != ["r"]:
                continue
            fitted = _fit(table.column("r").combine_chunks(), allowed)
            if fitted is not None:
                return fitted
        return None

    def solve(part: pa.Array) -> list[tuple[pa.ListArray | None, int]]:
        if len(part) == 0:
            return []
        got = attempt(part)
        if got is not None:
            return [(got, len(part))]
        if len(part) <= _SMALL_SEGMENT:
            return [(None, len(part))]
        half = len(part) // 2
        return solve(part.slice(0, half)) + solve(part.slice(half))

    return solve(cells)


def _fit(col: pa.Array, allowed: Mapping[str, m.RecordField]) -> pa.ListArray | None:
    """Check a decoded column: a list of objects whose keys are declared fields and whose JSON
    types column operations can decide; None otherwise (the cells are split or read one by one)."""
    if pa.types.is_null(col.type):
        return pa.ListArray.from_arrays(
            pa.array([0] * (len(col) + 1), pa.int32()),
            pa.nulls(0),
            mask=pa.array([True] * len(col)),
        )
    if not pa.types.is_list(col.type):
        return None
    item = col.type.value_type
    if pa.types.is_null(item):
        return col
    if not pa.types.is_struct(item):
        return None
    for i in range(item.num_fields):
        f = item.field(i)
        decl = allowed.get(f.name)
        if decl is None or f.type not in _JSON_OK.get(decl.type, (pa.string(), pa.null())):
            return None
    return col


def _ndjson(cells: pa.Array) -> pa.Buffer:
    """``{"r": <cell>}`` per line, as one buffer (no Python loop)."""
    lines = pc.binary_join_element_wise('{"r":', cells, "}\n", "")
    offsets, data = lines.buffers()[1], lines.buffers()[2]
    bounds = pa.Array.from_buffers(pa.int32(), len(lines) + 1, [None, offsets], offset=lines.offset)
    start, stop = bounds[0].as_py(), bounds[-1].as_py()
    return data.slice(start, stop - start)


_NO_IDS: Any = object()  # coerce() without the duplicate-id check (done later, in order)


class _SeenIds:
    """Ids accepted so far, as pairs of 64-bit hashes in sorted runs (16 bytes per subject)."""

    def __init__(self) -> None:
        self.runs: list[pl.DataFrame] = []

    def contains(self, h1: pl.Series, h2: pl.Series) -> pl.Series:
        hit = _const(False, len(h1))
        for run in self.runs:
            a = run["h1"]
            idx = a.search_sorted(h1, side="left")
            inside = idx < len(a)
            probe = idx.clip(0, max(len(a) - 1, 0))
            got1 = a.gather(probe)
            got2 = run["h2"].gather(probe)
            found = inside & (got1 == h1) & (got2 == h2)
            hit = hit | found
        return hit

    def add(self, h1: pl.Series, h2: pl.Series) -> None:
        if not len(h1):
            return
        self.runs.append(pl.DataFrame({"h1": h1, "h2": h2}).sort("h1"))
        while len(self.runs) > 1 and self.runs[-2].height <= 2 * self.runs[-1].height:
            last = self.runs.pop()
            self.runs[-1] = pl.concat([self.runs[-1], last]).sort("h1")


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
    if suffix not in (".csv", ".parquet", ".pq"):
        raise FactsError(
            [
                Problem(
                    "unsupported-format",
                    f"bulk input must be .csv or .parquet, not {suffix or 'no extension'!r};"
                    " YAML and JSON facts are read without --bulk",
                    location=SourceLocation(name, 1),
                )
            ]
        )
    try:
        size = path.stat().st_size
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


def _chunks(inp: _Input, chunk_rows: int) -> Iterator[Chunk]:
    """Frames of at most ``chunk_rows`` rows (normalised header and ``__row``), each with the
    problems of rows that could not even be split into cells (CSV rows of the wrong width)."""
    if inp.kind == "frame":
        assert inp.frame is not None
        for start in range(0, inp.frame.height, chunk_rows):
            part = inp.frame.slice(start, chunk_rows)
            yield (
                part.with_columns(
                    pl.int_range(start + 1, start + part.height + 1, dtype=pl.Int64).alias(_ROW)
                ),
                [],
            )
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


# --- sinks -------------------------------------------------------------------------------------


class _Sink:
    """Writes result chunks to a temporary file, moved into place (or copied to a text stream)
    only when the whole run succeeds; without an output, keeps them in memory."""

    def __init__(self, output: Output) -> None:
        self.frames: list[pl.DataFrame] = []
        self.target: Path | None = None
        self.stream: TextIO | None = None
        self.fmt: Literal["csv", "parquet", "memory"] = "memory"
        self.tmp: Path | None = None
        self.fh: Any = None
        self.parquet: Any = None
        self.first = True
        if output is None:
            return
        if isinstance(output, str | os.PathLike):
            self.target = Path(output)
            suffix = self.target.suffix.lower()
            if suffix not in (".csv", ".parquet", ".pq"):
                raise ValueError(
                    f"output must end in .csv or .parquet, not {suffix or 'nothing'!r}"
                )
            self.fmt = "csv" if suffix == ".csv" else "parquet"
            fd, name = tempfile.mkstemp(
                prefix=f".{self.target.name}.",
                suffix=".partial",
                dir=self.target.parent if str(self.target.parent) else ".",
            )
            os.close(fd)
            self.tmp = Path(name)
        else:
            self.stream = output
            self.fmt = "csv"
            fd, name = tempfile.mkstemp(prefix="emulation-rules-", suffix=".csv")
            os.close(fd)
            self.tmp = Path(name)
        if self.fmt == "csv":
            self.fh = self.tmp.open("wb")

    def write(self, results: pl.DataFrame) -> None:
        if self.fmt == "memory":
            self.frames.append(results)
            return
        if self.fmt == "csv":
            # points as evaluate --format csv writes them (Python's "g" format); Parquet keeps
            # the exact float
            values = results["points"].drop_nulls().unique().to_list()
            text = results["points"].replace_strict(
                values, [f"{v:g}" for v in values], default=None, return_dtype=pl.String
            )
            blank = [
                pl.when(pl.col(c) != "").then(pl.col(c)).alias(c)
                for c in ("level_or_role", "name", "band", "failed_criteria", "missing_facts")
            ]
            # empty cells as the evaluate --format csv output writes them (not quoted "")
            results.with_columns(text.alias("points")).with_columns(*blank).write_csv(
                self.fh, include_header=self.first
            )
        else:
            table = results.to_arrow()
            if self.parquet is None:
                self.parquet = pq.ParquetWriter(str(self.tmp), table.schema)
            self.parquet.write_table(table)
        self.first = False

    def commit(self) -> pl.DataFrame | None:
        if self.fmt == "memory":
            return pl.concat(self.frames) if self.frames else pl.DataFrame(schema=_OUT_SCHEMA)
        assert self.tmp is not None
        if self.fmt == "csv":
            if self.first:
                pl.DataFrame(schema=_OUT_SCHEMA).write_csv(self.fh)
            self.fh.close()
        else:
            if self.parquet is None:
                self.parquet = pq.ParquetWriter(
                    str(self.tmp), pl.DataFrame(schema=_OUT_SCHEMA).to_arrow().schema
                )
            self.parquet.close()
        if self.stream is not None:
            with self.tmp.open(encoding="utf-8", newline="") as fh:
                shutil.copyfileobj(fh, self.stream)
            self.tmp.unlink()
        else:
            assert self.target is not None
            os.replace(self.tmp, self.target)
        return None

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            if self.fh is not None:
                self.fh.close()
            if self.parquet is not None:
                self.parquet.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                self.tmp.unlink()


class _Progress:
    """A one-line progress bar on a terminal, shown only when a run lasts over a second."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream if stream is not None and _isatty(stream) else None
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def update(self, fraction: float | None, rows: int) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self.start < 1.0 or now - self.last < 0.2:
            return
        self.last = now
        rate = rows / max(now - self.start, 1e-9)
        if fraction is None:
            bar = f"{rows:,} rows"
        else:
            filled = int(fraction * 30)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {rows:,} rows"
        self.stream.write(f"\r{bar}, {rate:,.0f} rows/s ")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.stream is not None and self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# --- entry points --------------------------------------------------------------------------------


def evaluate_many(
    engine: Engine,
    facts: Source,
    *,
    output: Output = None,
    as_of: dt.date | None = None,
    on_error: OnError = "raise",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: TextIO | None = None,
) -> BulkResult:
    """Score every subject of a CSV or Parquet file (or table) against every award, in chunks.

    See :meth:`Engine.evaluate_many` (the public entry point) for arguments and errors.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    evaluator = BulkEvaluator(engine.compiled)
    inp = _open_input(facts, evaluator)
    for exact in (False, True):
        inp.exact = exact
        try:
            return _run(engine, evaluator, inp, output, as_of, on_error, chunk_rows, progress)
        except _Reread:
            continue
    raise AssertionError("unreachable: the exact reader never asks to re-read")


def _run(
    engine: Engine,
    evaluator: BulkEvaluator,
    inp: _Input,
    output: Output,
    as_of: dt.date | None,
    on_error: OnError,
    chunk_rows: int,
    progress: TextIO | None,
) -> BulkResult:
    sink = _Sink(output)
    bar = _Progress(progress)
    seen = _SeenIds()
    counts: Counter[str] = Counter()
    problems: list[Problem] = []
    n_problems = 0
    subjects = 0
    rows_read = 0
    # Reading (pyarrow), validating and scoring (polars, one chunk per worker thread) and writing
    # overlap: each releases the GIL. Duplicate ids are checked in chunk order. A few chunks at
    # most are in flight between stages, so memory stays bounded.
    reader = _Prefetch(_chunks(inp, chunk_rows), depth=1)
    writer = _Writer(sink)
    workers = max(1, min(4, os.cpu_count() or 1))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="emulation-rules-bulk")
    pending: deque[tuple[pl.DataFrame, list[Problem], Future[Any]]] = deque()

    def finish() -> None:
        nonlocal n_problems, subjects, rows_read
        raw, row_problems, future = pending.popleft()
        good, chunk_problems, results = future.result()
        good, dup_problems = evaluator._duplicates(good, seen, raw, inp.name)
        if dup_problems:
            results = results.filter(pl.col(_ROW).is_in(good[_ROW].implode()))
        rows_read += raw.height
        found = sorted(row_problems + chunk_problems + dup_problems, key=_problem_order)
        n_problems += len(found)
        if on_error == "skip" or len(problems) < MAX_LISTED_PROBLEMS:
            problems.extend(found)
        if not (n_problems and on_error == "raise"):
            subjects += good.height
            results = results.drop(_ROW)
            counts.update(dict(results.group_by("verdict").len().iter_rows()))
            writer.put(results)
        bar.update(inp.progress(rows_read), rows_read)

    try:
        for raw, row_problems in reader:
            pending.append(
                (raw, row_problems, pool.submit(evaluator._coerce_and_score, raw, inp.name))
            )
            if len(pending) > workers:
                finish()
        while pending:
            finish()
        writer.close()
        if n_problems and on_error == "raise":
            listed = problems[:MAX_LISTED_PROBLEMS]
            if n_problems > len(listed):
                listed.append(
                    Problem(
                        "too-many-problems",
                        f"{n_problems - len(listed)} more problems not listed",
                        location=SourceLocation(inp.name, 1),
                    )
                )
            raise FactsError(listed)
        table = sink.commit()
    except BaseException:
        reader.stop()
        writer.stop()
        sink.abort()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
    phase = engine.campaign.phase_at(as_of) if as_of else None
    target = Path(output) if isinstance(output, str | os.PathLike) else None
    return BulkResult(
        engine.campaign.id,
        as_of,
        phase.id if phase else None,
        dict(engine.compiled.params),
        subjects,
        dict(counts),
        tuple(problems),
        table,
        target,
        inp.frame if inp.kind == "frame" else inp.path,
        engine,
    )


_END = object()


class _Prefetch:
    """Runs a chunk iterator in a thread, at most ``depth`` chunks ahead; re-raises its errors."""

    def __init__(self, source: Iterator[Any], depth: int = 2) -> None:
        self.q: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self.halt = threading.Event()
        self.thread = threading.Thread(target=self._work, args=(source,), daemon=True)
        self.thread.start()

    def _work(self, source: Iterator[Any]) -> None:
        try:
            for item in source:
                if not self._put((item, None)):
                    return
            self._put((_END, None))
        except BaseException as exc:  # handed to the consumer
            self._put((_END, exc))

    def _put(self, item: Any) -> bool:
        while not self.halt.is_set():
            try:
                self.q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[Any]:
        while True:
            item, exc = self.q.get()
            if exc is not None:
                raise exc
            if item is _END:
                return
            yield item

    def stop(self) -> None:
        self.halt.set()
        self.thread.join(timeout=5)


class _Writer:
    """Writes result chunks in order in a thread; errors surface at the next put or close."""

    def __init__(self, sink: _Sink) -> None:
        self.sink = sink
        self.q: queue.Queue[Any] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            item = self.q.get()
            if item is _END:
                return
            if self.error is None:
                try:
                    self.sink.write(item)
                except BaseException as exc:
                    self.error = exc

    def put(self, frame: pl.DataFrame) -> None:
        if self.error is not None:
            raise self.error
        self.q.put(frame)

    def close(self) -> None:
        self.q.put(_END)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        if self.thread.is_alive():
            self.q.put(_END)
            self.thread.join(timeout=5)


def _problem_order(p: Problem) -> int:
    """Row order; a row's own problems keep the facts reader's order (the sort is stable)."""
    return p.location.line if p.location else 0


def find_subject(campaign: m.Campaign, facts: Source, subject_id: str) -> Subject:
    """Read one subject from a bulk input, validated by the facts reader (for explanations).

    The first valid row with that id is the subject, as in
    :func:`~emulation_rules.facts.load_facts`.

    Raises:
        KeyError: no row has that id.
        FactsError: every row with that id is invalid (their problems are listed).
    """
    from .compiler import compile_campaign

    evaluator = BulkEvaluator(compile_campaign(campaign))
    wanted = unicodedata.normalize("NFC", subject_id.strip())
    inp = _open_input(facts, evaluator)
    for exact in (False, True):
        inp.exact = exact
        try:
            return _find(evaluator, inp, wanted)
        except _Reread:
            continue
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
        reader = _Reader(evaluator.campaign, smap, from_text=True)
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
