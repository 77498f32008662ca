"""Roll-up on the columnar path: verdict counts per unit of the tree for millions of members.

At the Confederation's scale (about 11 million members in 130,000 grassroots unions) the
per-subject roll-up of :mod:`.rollup` would keep every result object in memory. Here the bulk
result rows (``subject_id, award, verdict``, :mod:`emulation_rules.evaluate.polars`) are joined
with the members' units and with the tree's closure table (one row per unit and each of its
ancestors, itself included), then grouped: ``(unit, award, verdict) -> number``, the same
numbers as :attr:`.rollup.NodeResult.counts` (a test compares the two on the example province).

Several tables (one per province) are rolled up one after the other and their counts summed
(:func:`rollup_files`): memory is bounded by the largest table, and the same sums come out of
separate machines, one province each, whose count tables are added.

Needs the ``bulk`` extra (polars). Targets and quotas are judged per unit by :mod:`.rollup` only.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from emulation_rules.facts.units import UnitTree

if TYPE_CHECKING:
    import polars as pl

__all__ = ["closure_table", "present_units", "read_members", "rollup_counts", "rollup_files", "shared_ids"]


def closure_table(tree: UnitTree) -> pl.DataFrame:
    """``(unit, ancestor)`` for every unit and each unit at or above it: ``depth + 1`` rows a unit."""
    import polars as pl

    units: list[str] = []
    ancestors: list[str] = []
    parent = {u.id: u.parent for u in tree.units}
    for u in tree.units:
        a: str | None = u.id
        while a is not None:
            units.append(u.id)
            ancestors.append(a)
            a = parent[a]
    return pl.DataFrame({"unit": units, "ancestor": ancestors}, schema={"unit": pl.String, "ancestor": pl.String})


def _placed(members: Any, tree: UnitTree) -> pl.LazyFrame:
    """``subject_id, placed``: the tree unit each member stands in (null when none)."""
    import polars as pl

    ids = pl.DataFrame({"tree_unit": [u.id for u in tree.units]}, schema={"tree_unit": pl.String}).lazy()
    m = members.lazy() if isinstance(members, pl.DataFrame) else members
    return (
        m.select(pl.col("id").cast(pl.String).str.strip_chars().str.normalize("NFC"),
                 pl.col("unit").cast(pl.String).str.strip_chars().str.normalize("NFC"))
        .join(ids, left_on="id", right_on="tree_unit", how="left", coalesce=False)
        .with_columns(
            pl.when(pl.col("tree_unit").is_not_null()).then(pl.col("id")).otherwise(pl.col("unit")).alias("placed")
        )
        .select(pl.col("id").alias("subject_id"), "placed")
    )


def present_units(members: Any, tree: UnitTree) -> set[str]:
    """The units of the tree that at least one member stands in (themselves or a member)."""
    return {u for u in _placed(members, tree).select("placed").unique().collect()["placed"].to_list() if u}


def rollup_counts(results: Any, members: Any, tree: UnitTree) -> pl.DataFrame:
    """Verdict counts per unit of the tree, over everything below each unit.

    Args:
        results: result rows with the columns ``subject_id, award, verdict`` (a polars
            DataFrame or LazyFrame, e.g. ``BulkResult.table`` or a scanned output file).
        members: the subjects with ``id, unit`` (the bulk input's columns): a subject whose id
            is a unit of the tree is that unit (a collective), anyone else belongs to its ``unit``.
        tree: the tree of units.

    Returns:
        A DataFrame ``unit, award, verdict, subjects`` (``subjects``: how many subjects of the
        unit's subtree got that verdict for that award), sorted by unit, award and verdict.
        Subjects in no unit of the tree are counted under the unit id ``""``.
    """
    import polars as pl

    placed = _placed(members, tree)
    r = results.lazy() if isinstance(results, pl.DataFrame) else results
    per_unit = (
        r.select("subject_id", "award", "verdict")
        .join(placed, on="subject_id", how="left")
        .group_by("placed", "award", "verdict")
        .agg(pl.len().alias("n"))
    )
    closure = closure_table(tree).lazy()
    inside = (
        per_unit.join(closure, left_on="placed", right_on="unit", how="inner")
        .group_by("ancestor", "award", "verdict")
        .agg(pl.col("n").sum().alias("subjects"))
        .rename({"ancestor": "unit"})
    )
    outside = (
        per_unit.join(closure.select("unit").unique(), left_on="placed", right_on="unit", how="anti")
        .group_by("award", "verdict")
        .agg(pl.col("n").sum().alias("subjects"))
        .with_columns(pl.lit("").alias("unit"))
        .select("unit", "award", "verdict", "subjects")
    )
    return (
        pl.concat([inside.select("unit", "award", "verdict", "subjects"), outside])
        .with_columns(pl.col("subjects").cast(pl.Int64))
        .sort("unit", "award", "verdict")
        .collect()
    )


def read_members(path: Any) -> pl.LazyFrame:
    """The ``id`` and ``unit`` columns of a bulk facts table (``.csv`` or ``.parquet``), lazily.

    Raises:
        ValueError: another extension, or no ``unit`` column (a roll-up needs each member's unit).
    """
    import polars as pl

    suffix = str(path).lower().rsplit(".", 1)[-1]
    if suffix == "csv":
        frame = pl.scan_csv(path, infer_schema=False)
    elif suffix in ("parquet", "pq"):
        frame = pl.scan_parquet(path)
    else:
        raise ValueError(f"a columnar roll-up reads .csv or .parquet, not .{suffix}")
    names = frame.collect_schema().names()
    if "unit" not in names or "id" not in names:
        raise ValueError("a columnar roll-up needs the columns 'id' and 'unit' (each member's unit)")
    return frame.select("id", "unit")


def shared_ids(paths: Any) -> list[tuple[str, str, str]]:
    """Subject ids that stand in two of ``paths`` (bulk tables), as ``(id, first file, other
    file)``, at most 20: each file's ids are hashed (8 bytes an id, so 11 million ids take about
    90 MB), and only the ids whose hash repeats are compared as text."""
    import polars as pl

    hashed = pl.concat([read_members(p).select(pl.col("id").cast(pl.String).str.strip_chars()
                                                 .str.normalize("NFC").hash().alias("h"),
                                                 pl.lit(i).alias("file")).collect()
                        for i, p in enumerate(paths)])
    across = (hashed.filter(pl.col("h").is_duplicated()).group_by("h").agg(pl.col("file").n_unique())
              .filter(pl.col("file") > 1))
    if across.height == 0:
        return []
    suspects = across["h"].implode()
    ids = pl.concat([read_members(p).select(pl.col("id").cast(pl.String).str.strip_chars().str.normalize("NFC"),
                                            pl.lit(i).alias("file"))
                     .filter(pl.col("id").hash().is_in(suspects)).collect() for i, p in enumerate(paths)])
    found = (ids.group_by("id").agg(pl.col("file").unique().sort()).filter(pl.col("file").list.len() > 1)
             .sort("id").head(20))
    names = [str(p) for p in paths]
    return [(row["id"], names[row["file"][0]], names[row["file"][1]]) for row in found.iter_rows(named=True)]


def rollup_files(engine: Any, paths: Any, tree: UnitTree, *, as_of: Any = None, phase: str | None = None,
                 progress: Any = None) -> tuple[pl.DataFrame, set[str], Any]:
    """The columnar roll-up of several tables (one per province, say), one after the other:
    each is evaluated and rolled up alone, so memory is bounded by the largest, and the counts
    are summed (every count is a number of subjects, and a subject stands in one file).

    Args:
        engine: the :class:`~emulation_rules.Engine` (polars backend) that scores each table.
        paths: the .csv or .parquet tables; their subjects must be disjoint (:func:`shared_ids`).
        tree: the tree of units.

    Returns:
        ``(the counts as rollup_counts gives them, the units some member stands in, the last
        BulkResult)``.
    """
    import polars as pl

    parts = []
    present: set[str] = set()
    last = None
    for path in paths:
        last = engine.evaluate_many(path, as_of=as_of, phase=phase, progress=progress)
        members = read_members(path)
        parts.append(rollup_counts(last.table, members, tree))
        present |= present_units(members, tree)
        last = dataclasses.replace(last, table=None)  # this file's rows are not kept
    if not parts:
        raise ValueError("no table to roll up")
    table = (pl.concat(parts).group_by("unit", "award", "verdict").agg(pl.col("subjects").sum())
             .with_columns(pl.col("subjects").cast(pl.Int64)).sort("unit", "award", "verdict"))
    return table, present, last
