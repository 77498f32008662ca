"""Validation and coercion of table chunks, with the facts reader's rules and messages."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.errors import FactsError, PathItem, Problem, SourceLocation, unknown_id
from emulation_rules.evaluate.durable.compiler import (
    CompiledCampaign,
)
from emulation_rules.evaluate.polars._common import (
    _DEC,
    _INT,
    _NO_IDS,
    _PCT,
    _ROW,
    _arrow_type,
    _col,
    _const,
    _dtype,
    _out_of_range,
    _parse_json_cells,
    _problem_order,
    _py_map,
    _rank,
    _SeenIds,
    _text_values,
    _to_typed,
)
from emulation_rules.facts.coerce import Invalid, coerce_value
from emulation_rules.facts.history import HISTORY_COLUMN
from emulation_rules.facts.reader import CSV_META_COLUMNS, FactsReader, Subject


class _Coercion:
    """Validation and coercion of raw table chunks (the facts reader's rules, by column)."""

    campaign: m.Campaign
    compiled: CompiledCampaign
    facts: dict[str, m.FactDecl]
    levels: set[str]
    roles: set[str]
    read: list[str]
    read_fields: dict[str, set[str]]

    def check_columns(self, names: Sequence[str], file: str) -> list[str]:
        """Normalise and check a header: unknown, repeated or missing columns.

        Returns:
            The column names, NFC and stripped.

        Raises:
            FactsError: ``unknown-column``, ``duplicate-key`` or ``missing-key`` (id, kind).
        """
        header = [unicodedata.normalize("NFC", h.strip()) for h in names]
        known = [*CSV_META_COLUMNS, *self.facts]
        problems = []
        for i, h in enumerate(header, start=1):
            if h == HISTORY_COLUMN:
                problems.append(Problem(
                    "unsupported-column", "--bulk does not read a subject's history (titles held in "
                    "earlier years)", (h,), SourceLocation(file, 1, i),
                    "evaluate without --bulk to read it, or leave the column out (conditions over "
                    "titles held are then unknown)"))
            elif h not in known:
                message, hint = unknown_id("column", h, known)
                problems.append(Problem("unknown-column", message, (h,), SourceLocation(file, 1, i), hint))
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
        elif t in ("int", "money") and cells.dtype.is_integer():
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
            if isinstance(out, Invalid):
                return out
            if ranks is not None:
                return ranks[out]
            if decl.type == "int" and not -(2**63) <= out < 2**63:
                return Invalid("integer outside the 64-bit range")
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
            raw = pl.Series(values.field(names[f.id])) if f.id in names and size else _const(None, size, pl.Null)
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
            or (t in ("int", "money") and raw.dtype == pl.Int64)
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
        reader = FactsReader(self.campaign, smap, from_text=True)
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
