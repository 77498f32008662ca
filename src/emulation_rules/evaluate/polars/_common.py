"""Shared constants, column names and Polars/Arrow helpers of the polars backend."""

from __future__ import annotations

import functools
import math
import os
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, TextIO, TypeAlias

try:
    import polars as pl
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pa_json
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "bulk scoring needs polars and pyarrow: pip install 'emulation-rules[bulk]'"
    ) from exc

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.errors import CompileError, PathItem, Problem
from emulation_rules.evaluate.durable.compiler import (
    CompiledAward,
    checked_threshold,
)
from emulation_rules.evaluate.result import CSV_COLUMNS
from emulation_rules.evaluate.semantics import fields_read
from emulation_rules.facts.coerce import MIN_DECIMAL_MAGNITUDE, Invalid

RESULT_COLUMNS: tuple[str, ...] = CSV_COLUMNS
"""Columns of the result table, one row per subject and award (as ``evaluate --format csv``)."""

DEFAULT_CHUNK_ROWS = 100_000
"""Rows per chunk: about 30-60 MB of working memory for a dozen fact columns."""

MAX_LISTED_PROBLEMS = 1000
"""When a run is refused, at most this many problems are listed (then a count of the rest)."""

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
    if t in ("int", "money"):
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
    if decl.type in ("int", "money"):
        return pa.int64()
    if decl.type in ("decimal", "percent"):
        return pa.float64()
    return pa.string()


def _rank(decl: m.FactDecl | m.RecordField) -> dict[str, int]:
    return {v.id: i for i, v in enumerate(decl.values)}



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
        known = _KNOWN_FIELDS.get(m.shape_of(type(node))) if isinstance(node, m.Shape) else None
        if known is None:
            return
        _, names, _, defaults, _ = m.layout_of(node)
        for name, default in zip(names, defaults, strict=True):
            value = getattr(node, name)
            if name not in known and value != default and value not in (None, (), {}):
                raise _unsupported(f"{type(node).__name__}.{name}")
            walk(value)

    for award in campaign.awards:
        walk(award)


def _count_fields(cond: Any, out: dict[str, set[str]]) -> None:
    """Record fields read by the counts in ``cond`` (``where`` and ``distinct``), per fact."""
    if isinstance(cond, m.AllOf | m.AnyOf):
        for sub in cond.all if isinstance(cond, m.AllOf) else cond.any:
            _count_fields(sub, out)
    elif isinstance(cond, m.NotOf):
        _count_fields(cond.not_, out)
    elif isinstance(cond, m.Count | m.Aggregate):
        spec = cond.count if isinstance(cond, m.Count) else cond.aggregate
        fields = out.setdefault(spec.fact if isinstance(spec, m.CountSpec) else spec.of, set())
        if spec.where is not None:
            fields.update(fields_read(spec.where))
        other = spec.distinct if isinstance(spec, m.CountSpec) else spec.field
        if other is not None:
            fields.add(other)
        if spec.within is not None and spec.within.by is not None:
            fields.add(spec.within.by)


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
    v = checked_threshold(decl, value)
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


def _record_truth(
    cond: Any, fields: Mapping[str, m.RecordField], params: Mapping[str, float]
) -> pl.Expr:
    """A ``where`` over one record as an element expression, three-valued: a blank field read is
    null (unknown); polars' ``all_horizontal``, ``any_horizontal`` and ``~`` are Kleene's."""
    if isinstance(cond, m.AllOf):
        return pl.all_horizontal([_record_truth(s, fields, params) for s in cond.all])
    if isinstance(cond, m.AnyOf):
        return pl.any_horizontal([_record_truth(s, fields, params) for s in cond.any])
    if isinstance(cond, m.NotOf):
        return ~_record_truth(cond.not_, fields, params)
    if not isinstance(cond, _LEAVES) or cond.field is None:
        raise _unsupported(f"record condition {type(cond).__name__}")
    decl = fields[cond.field]
    col = pl.element().struct.field(decl.id)
    return pl.when(col.is_null()).then(pl.lit(None, pl.Boolean)).otherwise(_leaf(cond, decl, col, params))


def _blank_limits(f: m.RecordField) -> tuple[float, float]:
    """What a blank value of ``f`` may be (money and percent from 0, percent up to 100)."""
    lo = f.minimum if f.minimum is not None else 0.0 if f.type in ("money", "percent") else -math.inf
    hi = f.maximum if f.maximum is not None else 100.0 if f.type == "percent" else math.inf
    return lo, hi


def _out_of_range(decl: m.FactDecl | m.RecordField, values: pl.Series) -> pl.Series:
    """Numbers :func:`~emulation_rules.facts.coerce_value` refuses: outside the declared bounds
    (percent: [0, 100]), not finite, or (decimals) non-zero below ``MIN_DECIMAL_MAGNITUDE``."""
    t = decl.type
    if t not in ("int", "money", "decimal", "percent"):
        return _const(False, len(values))
    lo = decl.minimum if decl.minimum is not None else (0.0 if t in ("percent", "money") else None)
    hi = decl.maximum if decl.maximum is not None else (100.0 if t == "percent" else None)
    expr = pl.lit(False)
    v = pl.col("v")
    if t not in ("int", "money"):
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
        if isinstance(out, Invalid):
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
    if t in ("int", "money") and not -(2**63) <= value < 2**63:
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
    "money": (pa.int64(), pa.string(), pa.null()),
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


def _problem_order(p: Problem) -> int:
    """Row order; a row's own problems keep the facts reader's order (the sort is stable)."""
    return p.location.line if p.location else 0
