"""The impact of a rule change on the columnar path: the same table scored by both rule sets,
in one pass when the campaigns declare the same facts (:mod:`emulation_rules.evaluate.polars.paired`),
else two bulk evaluations joined on ``(subject_id, award)`` (:mod:`.impact` for the per-subject
comparison). Needs the ``bulk`` extra (polars)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from emulation_rules.writing import replacing

if TYPE_CHECKING:
    import polars as pl

__all__ = ["bulk_impact", "compare_many", "write_changes"]


def compare_many(old: Any, new: Any, facts: Any, *, as_of: Any = None, phase: str | None = None,
                 progress: Any = None) -> tuple[dict[str, dict[str, int]], pl.DataFrame, Any]:
    """Score ``facts`` (a .csv or .parquet table) with two engines' rule sets and compare.

    Args:
        old, new: :class:`~emulation_rules.Engine` instances (their campaigns and parameters).
        facts, as_of, phase, progress: as for :meth:`Engine.evaluate_many`.

    Returns:
        ``(summary, changed rows, the old rule set's BulkResult)`` as :func:`bulk_impact`.
    """
    import polars as pl

    from emulation_rules.evaluate.polars.paired import evaluate_pair, pairable

    if pairable(old.compiled, new.compiled):
        both = evaluate_pair(old.compiled, new.compiled, facts, as_of=as_of, phase=phase, progress=progress)
        table = both.table
        assert table is not None  # no output file: the rows are kept
        summary, changed = _classified(table.lazy().select(
            "subject_id", "award", pl.col("verdict").alias("old"), pl.col("new_verdict").alias("new")))
        return summary, changed, both
    before = old.evaluate_many(facts, as_of=as_of, phase=phase, progress=progress)
    after = new.evaluate_many(facts, as_of=as_of, phase=phase, progress=progress)
    summary, changed = bulk_impact(before.table, after.table)
    return summary, changed, before


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
    )
    return _classified(joined)


def _classified(pairs: Any) -> tuple[dict[str, dict[str, int]], pl.DataFrame]:
    """The changed rows of a lazy frame ``subject_id, award, old, new``, classified and counted."""
    import polars as pl

    changed = (
        pairs.filter(pl.col("old") != pl.col("new"))
        .with_columns(
            pl.when(pl.col("new") == "awarded").then(pl.lit("gain"))
            .when(pl.col("old") == "awarded").then(pl.lit("loss"))
            .otherwise(pl.lit("change")).alias("kind"))
        .sort("subject_id", "award")
        .collect()
    )
    summary: dict[str, dict[str, int]] = {}
    for row in changed.group_by("award", "kind").len().sort("award", "kind").iter_rows(named=True):
        summary.setdefault(row["award"], {"gain": 0, "loss": 0, "change": 0})[row["kind"]] = row["len"]
    return summary, changed


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
