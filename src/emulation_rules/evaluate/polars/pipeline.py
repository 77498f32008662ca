"""Entry points: evaluate_many (chunked, overlapped read/score/write) and find_subject."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

import polars as pl

from emulation_rules.errors import FactsError, Problem, SourceLocation
from emulation_rules.evaluate.durable.compiler import (
    CompiledCampaign,
)
from emulation_rules.evaluate.interface import Evaluator
from emulation_rules.evaluate.polars._common import (
    _ROW,
    DEFAULT_CHUNK_ROWS,
    MAX_LISTED_PROBLEMS,
    Output,
    Source,
    _problem_order,
    _SeenIds,
)
from emulation_rules.evaluate.polars.result import BulkResult
from emulation_rules.evaluate.polars.scoring import BulkEvaluator
from emulation_rules.evaluate.polars.sinks import _Prefetch, _Progress, _Sink, _Writer
from emulation_rules.evaluate.polars.sources import _chunks, _Input, _open_input, _Reread
from emulation_rules.facts.history import review_years
from emulation_rules.facts.reader import OnError
from emulation_rules.facts.vocab import review_phase

# --- entry points --------------------------------------------------------------------------------


def evaluate_many(
    compiled: CompiledCampaign,
    facts: Source,
    *,
    explainer: Evaluator | None = None,
    output: Output = None,
    as_of: dt.date | None = None,
    on_error: OnError = "raise",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: TextIO | None = None,
    phase: str | None = None,
) -> BulkResult:
    """Score every subject of a CSV or Parquet file (or table) against every award, in chunks.

    See :meth:`Engine.evaluate_many <emulation_rules.Engine.evaluate_many>` (the public entry
    point) for arguments and errors. ``explainer`` is the per-subject evaluator that
    :meth:`BulkResult.explain` uses for one subject on demand (without one, explain refuses).
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    chosen, _ = review_phase(compiled.campaign, as_of, phase)  # a date in no phase: refused
    evaluator = BulkEvaluator(compiled, as_of=as_of,
                              review=review_years(compiled.campaign, as_of, chosen))
    inp = _open_input(facts, evaluator)
    for exact in (False, True):
        inp.exact = exact
        try:
            result = _run(compiled, explainer, evaluator, inp, output, as_of, on_error, chunk_rows,
                          progress)
            return dataclasses.replace(result, phase=chosen)
        except _Reread:
            continue
    raise AssertionError("unreachable: the exact reader never asks to re-read")


def _run(
    compiled: CompiledCampaign,
    explainer: Evaluator | None,
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
        found = inp.locate(sorted(row_problems + chunk_problems + dup_problems, key=_problem_order))
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
    phase = compiled.campaign.phase_at(as_of) if as_of else None  # evaluate_many sets --phase
    target = Path(output) if isinstance(output, str | os.PathLike) else None
    return BulkResult(
        compiled.campaign.id,
        as_of,
        phase.id if phase else None,
        dict(compiled.params),
        subjects,
        dict(counts),
        tuple(problems),
        table,
        target,
        inp.frame if inp.kind == "frame" else inp.path,
        explainer,
    )
