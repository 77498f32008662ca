"""The impact of a rule change on the columnar path: two bulk evaluations of the same table
joined on ``(subject_id, award)`` (:mod:`.impact` for the per-subject comparison). Needs the
``bulk`` extra (polars)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulation_rules.writing import replacing

if TYPE_CHECKING:
    import polars as pl

__all__ = ["bulk_impact", "write_changes"]


def bulk_impact(old: Any, new: Any) -> tuple[dict[str, dict[str, int]], pl.DataFrame]:
    """Compare two bulk result tables (``subject_id, award, verdict, ...``).

    Returns:
        ``({award: {"gain": n, "loss": n, "change": n}}, changed rows)``; the rows have the
        columns ``subject_id, award, old, new, kind`` (``gain``, ``loss`` or ``change``), sorted.
    """
    import polars as pl

    joined = (
        old.lazy().select("subject_id", "award", pl.col("verdict").alias("old"))
        .join(new.lazy().select("subject_id", "award", pl.col("verdict").alias("new")),
              on=["subject_id", "award"], how="inner")
        .filter(pl.col("old") != pl.col("new"))
        .with_columns(
            pl.when(pl.col("new") == "awarded").then(pl.lit("gain"))
            .when(pl.col("old") == "awarded").then(pl.lit("loss"))
            .otherwise(pl.lit("change")).alias("kind"))
        .sort("subject_id", "award")
        .collect()
    )
    summary: dict[str, dict[str, int]] = {}
    for row in joined.group_by("award", "kind").len().sort("award", "kind").iter_rows(named=True):
        summary.setdefault(row["award"], {"gain": 0, "loss": 0, "change": 0})[row["kind"]] = row["len"]
    return summary, joined


def write_changes(changed: pl.DataFrame, path: Path) -> None:
    """Write the changed rows as .csv or .parquet, whole or not at all.

    Raises:
        ValueError: another extension.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise ValueError(f"the changed rows are written as .csv or .parquet, not {suffix or 'nothing'!r}")
    with replacing(path) as tmp:  # the tool's one atomic-write helper
        if suffix == ".csv":
            changed.write_csv(tmp)
        else:
            changed.write_parquet(tmp)
