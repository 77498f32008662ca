"""Two rule sets scored in one pass over a table (``diff --bulk``, issue 25).

A rule change (a parameter, a threshold, a criterion) leaves the facts as they are: when the two
campaigns declare the same facts, subjects and awards, each chunk of the input is read, validated
and coerced once, then scored by both, and the result rows carry both verdicts
(``verdict`` the old, ``new_verdict`` the new). Reading and coercion are about half of a bulk
evaluation, so the pair costs well under two evaluations; :func:`pairable` says when it applies
(else the caller runs two evaluations and joins them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

import polars as pl

from emulation_rules.errors import Problem
from emulation_rules.evaluate.durable.compiler import CompiledCampaign
from emulation_rules.evaluate.polars._common import _NO_IDS, _ROW, DEFAULT_CHUNK_ROWS, Source
from emulation_rules.evaluate.polars.pipeline import _run
from emulation_rules.evaluate.polars.result import BulkResult
from emulation_rules.evaluate.polars.scoring import BulkEvaluator
from emulation_rules.evaluate.polars.sources import _open_input, _Reread
from emulation_rules.facts.history import review_years
from emulation_rules.facts.vocab import review_phase

__all__ = ["evaluate_pair", "pairable"]


def pairable(old: CompiledCampaign, new: CompiledCampaign) -> bool:
    """True when one coercion serves both: the same facts, subjects and awards (by id, in order)."""
    a, b = old.campaign, new.campaign
    return (a.facts == b.facts and a.subjects == b.subjects and a.ratings == b.ratings
            and [x.id for x in a.awards] == [x.id for x in b.awards])


class _Pair(BulkEvaluator):
    """The old campaign's evaluator (coercion, duplicates, columns read), scoring with both."""

    def __init__(self, old: CompiledCampaign, new: CompiledCampaign, *, as_of: dt.date | None,
                 phase: str | None) -> None:
        super().__init__(old, as_of=as_of, review=review_years(old.campaign, as_of, phase))
        self.other = BulkEvaluator(new, as_of=as_of, review=review_years(new.campaign, as_of, phase))
        self.read = list(dict.fromkeys([*self.read, *self.other.read]))

    def _coerce_and_score(self, raw: pl.DataFrame, file: str) -> tuple[pl.DataFrame, list[Problem], pl.DataFrame]:
        good, problems = self.coerce(raw, file, _NO_IDS)
        before, after = self.score(good), self.other.score(good)
        if before.height == after.height and before["award"].equals(after["award"]) \
                and before[_ROW].equals(after[_ROW]):
            both = before.with_columns(after["verdict"].alias("new_verdict"))
        else:  # pragma: no cover - pairable campaigns score the same rows in the same order
            both = before.join(after.select(_ROW, "award", pl.col("verdict").alias("new_verdict")),
                               on=[_ROW, "award"], how="left")
        return good, problems, both


def evaluate_pair(old: CompiledCampaign, new: CompiledCampaign, facts: Source, *, as_of: dt.date | None = None,
                  phase: str | None = None, progress: TextIO | None = None,
                  chunk_rows: int = DEFAULT_CHUNK_ROWS) -> BulkResult:
    """Score ``facts`` against both campaigns in one pass (see the module docstring).

    Returns:
        The old campaign's :class:`BulkResult` whose ``table`` has one more column,
        ``new_verdict``.

    Raises:
        ValueError: the campaigns are not :func:`pairable`.
        FactsError: as :meth:`Engine.evaluate_many <emulation_rules.Engine.evaluate_many>`.
    """
    if not pairable(old, new):
        raise ValueError("the two campaigns declare different facts, subjects or awards: evaluate each")
    chosen, _ = review_phase(old.campaign, as_of, phase)
    evaluator = _Pair(old, new, as_of=as_of, phase=chosen)
    inp = _open_input(facts, evaluator)
    for exact in (False, True):
        inp.exact = exact
        try:
            result: Any = _run(old, None, evaluator, inp, None, as_of, "raise", chunk_rows, progress)
            return result  # type: ignore[no-any-return]
        except _Reread:
            continue
    raise AssertionError("unreachable: the exact reader never asks to re-read")
