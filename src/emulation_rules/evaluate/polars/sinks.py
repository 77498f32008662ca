"""Sinks: result rows to CSV or Parquet (atomically), a progress bar, and the writer thread."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TextIO

import polars as pl
import pyarrow.parquet as pq

from emulation_rules.evaluate.polars._common import _OUT_SCHEMA, Output
from emulation_rules.evaluate.result import CSV_TEXT_COLUMNS
from emulation_rules.writing import settle

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
            # text a spreadsheet would run as a formula gets a leading ' (result.text_cell)
            safe = [
                pl.when(pl.col(c).str.contains(r"^[=+\-@\t\r]"))
                .then(pl.lit("'") + pl.col(c))
                .otherwise(pl.col(c))
                .alias(c)
                for c in CSV_TEXT_COLUMNS
            ]
            # empty cells as the evaluate --format csv output writes them (not quoted "")
            results.with_columns(text.alias("points"), *safe).with_columns(*blank).write_csv(
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
            settle(self.tmp, self.target)  # flushed to disk, then renamed over the target
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
