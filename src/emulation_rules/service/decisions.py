"""The decision log: every evaluation served, recorded before it is answered.

One row per request answered 200 by ``POST /campaigns/{id}/evaluations`` (and ``/targets``,
``/initiatives``): a UUID (version 7, time-ordered: see :func:`_new_id`), the time (UTC), the
campaign id and content hash, the backend and package version, the SHA-256 of the submitted body,
the options, the verdicts, the SHA-256 of the result document, and (with ``log_facts``) the
submission itself, which ``emulation-rules replay`` needs.

The guarantee: **an answer is sent only after its decision is committed**, and a decision whose
answer did not reach the client is marked so. A request that timed out (503) or whose client left
before its answer was ready is never logged; a client that leaves while its decision is being
committed, or before the answer is written to its connection, gets a row in ``undelivered``
(the decision's id, the time and why), which ``GET /evaluations/{uuid}`` shows as
``"delivered": false``. The log is append-only: nothing is ever updated or deleted.

Group commit: rows submitted from the server's event loop are committed on the loop itself,
without the hand-over to a thread and back, which cost more CPU than the commit. With SQLite, the
rows queued from one turn of the loop on go in one commit at the turn after next, so that the
requests read during the turn between join it: under load (8 connections) 7.7 rows a commit
instead of 3.8 at the next turn, and one commit costs the CPU of three or four rows. A commit in
WAL mode is a write without fsync; the checkpoint, which copies the log into the database and
waits for the disk twice, runs in a thread of its own, :data:`CHECKPOINT_AFTER_S` after a commit,
not in the commit that fills a thousand pages of log: there it stopped the loop for 15 to 60 ms
on this machine's disk, every few hundred commits; past :data:`RESTART_FRAMES` that thread also
starts the log again, holding the commits back meanwhile. With PostgreSQL (psycopg 3), one task
commits on an asynchronous connection, everything queued while the previous commit was on its
way in the next. Rows submitted from a plain thread go to one writer thread per process, which
inserts everything queued in one transaction and one commit, then releases the requests waiting
for it. Under load one commit carries many decisions, so logging costs little more than not
logging. The requests wait on a future (:meth:`DecisionLog.submit`), not a thread each.

Storage is SQLAlchemy 2 Core: a SQLite file by default, in WAL mode with ``synchronous=NORMAL``
(a committed row survives the process being killed: it is in the WAL file before the answer is
sent; a power cut may lose the commits since the last checkpoint, about a quarter of a second),
or PostgreSQL given a ``postgresql+psycopg://`` URL (committed = durable on the server,
``synchronous_commit`` as the server is configured).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import queue
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson
import sqlalchemy as sa

__all__ = ["CHECKPOINT_AFTER_S", "MAX_BATCH", "RESTART_FRAMES", "DecisionLog", "DecisionRecord", "Waiter",
           "database_url", "json_bytes"]

Waiter = Future[None] | asyncio.Future[None]
"""What :meth:`DecisionLog.submit` returns: done once the row is committed (``asyncio.wrap_future``
awaits either kind)."""

MAX_BATCH = 512
"""Most rows written by one commit of the writer thread."""

CHECKPOINT_AFTER_S = 0.25
"""How long the SQLite checkpointer thread waits after a commit before it checkpoints (the
commits of that while go in the same checkpoint)."""

RESTART_FRAMES = 8192
"""WAL frames (pages: 32 MiB at 4 KiB) past which the checkpointer also restarts the log. A
passive checkpoint never waits for a writer, so under a steady load a commit always comes between
it and the next write, and SQLite starts the log again from its beginning only after a checkpoint
that left nothing behind: the WAL grew without end (334 MB for 40,000 decisions). A RESTART
checkpoint holds the writers back while it copies what the passive ones left (little) and waits
for the disk, a few milliseconds once every several thousand decisions."""

_META = sa.MetaData()
DECISIONS = sa.Table(
    "decisions",
    _META,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("created_at", sa.String(32), nullable=False),  # ISO 8601, UTC, microseconds
    sa.Column("kind", sa.String(16), nullable=False),  # evaluation | targets | initiatives
    sa.Column("campaign_id", sa.String(128), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("backend", sa.String(16)),
    sa.Column("package_version", sa.String(64), nullable=False),
    sa.Column("facts_sha256", sa.String(64), nullable=False),
    sa.Column("result_sha256", sa.String(64), nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("verdicts", sa.JSON, nullable=False),
    sa.Column("facts", sa.Text),  # the submitted body (UTF-8 JSON text), with log_facts only
)
sa.Index("decisions_campaign_time", DECISIONS.c.campaign_id, DECISIONS.c.created_at)
UNDELIVERED = sa.Table(
    "undelivered",
    _META,
    sa.Column("id", sa.String(36), primary_key=True),  # a decisions.id
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),  # client-disconnected | log-timeout
)


def database_url(target: str) -> str:
    """An SQLAlchemy URL for ``target``: a URL as given, else a SQLite file path."""
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


@dataclass(frozen=True)
class DecisionRecord:
    """One logged decision (``GET /evaluations/{uuid}``; ``replay``)."""

    id: str
    created_at: str
    kind: str
    campaign_id: str
    content_hash: str
    backend: str | None
    package_version: str
    facts_sha256: str
    result_sha256: str
    options: Mapping[str, Any]
    verdicts: Any
    facts: str | None
    delivered: bool = True

    def to_dict(self, *, with_facts: bool = False) -> dict[str, Any]:
        """JSON-ready form; the submission itself only when ``with_facts``."""
        out = {
            k: getattr(self, k)
            for k in (
                "id",
                "created_at",
                "kind",
                "campaign_id",
                "content_hash",
                "backend",
                "package_version",
                "facts_sha256",
                "result_sha256",
                "options",
                "verdicts",
            )
        }
        out["options"] = dict(self.options)
        out["delivered"] = self.delivered
        out["facts_logged"] = self.facts is not None
        if with_facts:
            out["facts"] = self.facts
        return out


class DecisionLog:
    """Append-only log of decisions in SQLite (WAL) or PostgreSQL, written by group commit.

    Args:
        target: a SQLite file path or an SQLAlchemy URL.
        create: create the database and its tables when missing (``replay`` reads only).

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database cannot be opened or the table created.
        FileNotFoundError: ``create`` is false and the SQLite file is missing or empty.
    """

    def __init__(self, target: str, *, create: bool = True) -> None:
        self.url = database_url(target)
        if not create and self.url.startswith("sqlite:///"):
            path = Path(self.url.removeprefix("sqlite:///"))
            if not path.is_file() or path.stat().st_size == 0:
                raise FileNotFoundError(f"{target}: no decision log here (missing or empty file)")
        self.engine = sa.create_engine(
            self.url,
            pool_pre_ping=not self.url.startswith("sqlite"),
            json_serializer=_json_text,
            json_deserializer=orjson.loads,
        )
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        if create:
            _META.create_all(self.engine)
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        self._insert_sql = {
            t.name: f"INSERT INTO {t.name} ({', '.join(c.name for c in t.columns)}) "
            f"VALUES ({', '.join(mark for _ in t.columns)})"
            for t in (DECISIONS, UNDELIVERED)
        }
        # a mark lands only beside its decision: a decision whose own commit failed after its
        # request gave up waiting (log-timeout) leaves no mark of a decision that is not there
        self._insert_sql[UNDELIVERED.name] = (
            f"INSERT INTO {UNDELIVERED.name} ({', '.join(c.name for c in UNDELIVERED.columns)}) "
            f"SELECT {', '.join(mark for _ in UNDELIVERED.columns)} "
            f"WHERE EXISTS (SELECT 1 FROM {DECISIONS.name} WHERE id = {mark})"
        )
        self._raw: Any = None
        self._loop_raw: Any = None  # the event loop's own connection (SQLite), see _put
        self._pending: list[_Job] = []  # queued on the event loop, committed at the turn after next
        # PostgreSQL through psycopg 3: the event loop's own connection, asynchronous (see _put)
        self._async_pg = self.engine.dialect.name == "postgresql" and self.engine.dialect.driver == "psycopg"
        self._aconn: Any = None
        self._flusher: asyncio.Task[None] | None = None
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.commits = 0  # transactions committed by the writer (for tests and benchmarks)
        # SQLite: checkpoints in a thread of their own, never in a commit (see _sqlite_pragmas)
        self._checkpointer: threading.Thread | None = None
        self._wal_grown = threading.Event()
        self._closing = threading.Event()
        self.checkpoints = 0  # checkpoints run by that thread (for tests)
        self.restarts = 0  # of which also restarted the WAL (RESTART_FRAMES)

    def submit(
        self,
        *,
        kind: str,
        campaign_id: str,
        content_hash: str,
        backend: str | None,
        package_version: str,
        facts_sha256: str,
        result_sha256: str,
        options: Mapping[str, Any],
        verdicts: Any,
        facts: str | None,
    ) -> tuple[str, Waiter]:
        """Queue one decision; its UUID and a future done once it is committed (an asyncio
        future when submitted on a SQLite log's event loop: await it, never block on it)."""
        micros = time.time_ns() // 1000
        decision_id = _new_id(micros // 1000)
        row = (  # the driver's parameters, in the order of DECISIONS' columns; JSON as text
            decision_id,
            _now(micros),
            kind,
            campaign_id,
            content_hash,
            backend,
            package_version,
            facts_sha256,
            result_sha256,
            _json_text(options if type(options) is dict else dict(options)),
            _json_text(verdicts),
            facts,
        )
        return decision_id, self._put(DECISIONS, row)

    def record(self, **fields: Any) -> str:
        """Store one decision and wait for its commit; returns its UUID (text). Blocks: not for
        an event loop's thread (use :meth:`submit` and await)."""
        if self._loop_lane() is not None:  # nothing queued: the caller is told at once
            raise RuntimeError("DecisionLog.record blocks: on an event loop, await submit()'s future")
        decision_id, done = self.submit(**fields)
        assert isinstance(done, Future)
        done.result()
        return decision_id

    def mark_undelivered(self, decision_id: str, reason: str) -> Waiter:
        """Record that the answer of ``decision_id`` did not reach its client (in the commit after
        its decision's, or in the same; nothing is recorded when the decision itself is not in
        the log: its commit failed after its request stopped waiting, so no answer was sent)."""
        # UNDELIVERED's columns, then the decision id once more for the condition (_insert_sql)
        return self._put(UNDELIVERED, (decision_id, _now(), reason, decision_id))

    def _put(self, table: sa.Table, row: tuple[Any, ...]) -> Waiter:
        loop = self._loop_lane()
        if loop is not None:
            waiter: asyncio.Future[None] = loop.create_future()
            self._pending.append(_Job(table, row, waiter))
            if self.is_sqlite:
                if len(self._pending) == 1:  # the first queued: commit at the turn after next
                    loop.call_soon(loop.call_soon, self._commit_pending)
            elif self._flusher is None or self._flusher.done():  # PostgreSQL: one commit at a time
                self._flusher = loop.create_task(self._flush_async())
            return waiter
        done: Future[None] = Future()
        if self._writer is None:
            self._start_once("_writer", self._write_loop, "decision-log")
        self._queue.put(_Job(table, row, done))
        return done

    def _loop_lane(self) -> asyncio.AbstractEventLoop | None:
        """The running event loop when this row is committed on it, on the loop's own thread:
        SQLite (a commit in WAL mode does not wait for the disk), or PostgreSQL through psycopg 3,
        whose asynchronous connection waits for the server without holding the loop."""
        if not (self.is_sqlite or self._async_pg):
            return None
        try:
            return asyncio.get_running_loop()
        except RuntimeError:  # a plain thread: the writer thread commits
            return None

    def _commit_pending(self) -> None:
        batch, self._pending = self._pending, []
        for start in range(0, len(batch), MAX_BATCH):
            self._loop_raw = self._commit(batch[start : start + MAX_BATCH], self._loop_raw)

    async def _flush_async(self) -> None:
        """PostgreSQL on the event loop: commit what is queued, one transaction at a time; what
        is queued during a commit goes in the next (group commit, as the writer thread)."""
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            await self._commit_async(batch)

    async def _commit_async(self, batch: list[_Job]) -> None:
        try:
            if self._aconn is None:
                import psycopg

                url = sa.engine.make_url(self.url).set(drivername="postgresql")
                self._aconn = await psycopg.AsyncConnection.connect(url.render_as_string(hide_password=False))
            async with self._aconn.cursor() as cursor:
                for table in (DECISIONS, UNDELIVERED):  # a decision before its mark
                    rows = [j.row for j in batch if j.table is table]
                    if rows:
                        await cursor.executemany(self._insert_sql[table.name], rows)
            await self._aconn.commit()
        except Exception as exc:  # every waiting request is told, none hangs
            conn, self._aconn = self._aconn, None
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
            _settle(batch, exc)
            return
        self.commits += 1
        _settle(batch, None)

    async def aclose(self) -> None:
        """:meth:`close` from the event loop: what is queued on it is committed first (the
        server's shutdown)."""
        if self._flusher is not None:
            with contextlib.suppress(Exception):
                await self._flusher
        if self._aconn is not None:
            with contextlib.suppress(Exception):
                await self._aconn.close()
            self._aconn = None
        self.close()

    def _write_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._raw = self._commit(batch, self._raw)
            if stop:
                return

    def _commit(self, batch: list[_Job], raw: Any) -> Any:
        """Insert ``batch`` in one transaction on ``raw`` (opened when None; each lane keeps its
        own, between commits) and settle its waiters; the connection to keep (None if broken)."""
        try:
            if raw is None:
                raw = self.engine.raw_connection()
            cursor = raw.cursor()
            try:
                for table in (DECISIONS, UNDELIVERED):  # a decision before its mark
                    rows = [j.row for j in batch if j.table is table]
                    if rows:  # the driver's executemany: no SQL built per row
                        cursor.executemany(self._insert_sql[table.name], rows)
                raw.commit()
            finally:
                cursor.close()
        except Exception as exc:  # every waiting request is told, none hangs
            _drop(raw)
            _settle(batch, exc)
            return None
        self.commits += 1
        if self.is_sqlite and not self._wal_grown.is_set():
            self._checkpoint_soon()
        _settle(batch, None)
        return raw

    def _checkpoint_soon(self) -> None:
        """Have the checkpointer thread (started on the first commit) checkpoint shortly."""
        if self._checkpointer is None:
            self._start_once("_checkpointer", self._checkpoint_loop, "decision-log-checkpoint")
        self._wal_grown.set()

    def _start_once(self, attribute: str, target: Callable[[], None], name: str) -> None:
        """Start the thread kept in ``attribute`` unless a caller did (one per log)."""
        with self._start_lock:
            if getattr(self, attribute) is None:
                thread = threading.Thread(target=target, name=name, daemon=True)
                setattr(self, attribute, thread)
                thread.start()

    def _checkpoint_loop(self) -> None:
        """Checkpoint the WAL :data:`CHECKPOINT_AFTER_S` after a commit, then wait for the next:
        the fsyncs of a checkpoint wait for the disk here, not on a server's event loop. PASSIVE:
        it copies what it can without waiting for a writer or a reader, so it stops nobody; past
        :data:`RESTART_FRAMES` a RESTART one follows, so that the log starts again."""
        raw: Any = None
        while self._wal_grown.wait() and not self._closing.wait(CHECKPOINT_AFTER_S):
            self._wal_grown.clear()  # a commit from now on asks for the next checkpoint
            try:
                if raw is None:
                    raw = self.engine.raw_connection()
                cursor = raw.cursor()
                try:
                    _, frames, _ = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if frames > RESTART_FRAMES:
                        cursor.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                        self.restarts += 1
                finally:
                    cursor.close()
                self.checkpoints += 1
            except Exception:  # the next commit asks again; until then the WAL only grows
                _drop(raw)
                raw = None
        if raw is not None:
            with contextlib.suppress(Exception):
                raw.close()

    def get(self, decision_id: str) -> DecisionRecord | None:
        """The decision ``decision_id``, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(DECISIONS).where(DECISIONS.c.id == decision_id)).first()
            if row is None:
                return None
            mark = None
            if self._has_marks(conn):
                mark = conn.execute(
                    sa.select(UNDELIVERED.c.id).where(UNDELIVERED.c.id == decision_id)
                ).first()
        return DecisionRecord(**row._mapping, delivered=mark is None)

    def _has_marks(self, conn: sa.Connection) -> bool:
        # a log written before the table existed, read without ``create`` (replay)
        return bool(sa.inspect(conn).has_table(UNDELIVERED.name))

    def ids(self) -> set[str]:
        """Every logged decision id (for tests and audits of small logs)."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(DECISIONS.c.id)).scalars())

    def undelivered(self) -> dict[str, str]:
        """Decision id -> reason, for every answer that did not reach its client."""
        with self.engine.connect() as conn:
            if not self._has_marks(conn):
                return {}
            rows = conn.execute(sa.select(UNDELIVERED.c.id, UNDELIVERED.c.reason))
            return {str(r[0]): str(r[1]) for r in rows}

    def count(self) -> int:
        """Number of logged decisions."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(DECISIONS)).scalar_one())

    def close(self) -> None:
        """Write what is queued, stop the writer, release the connection pool."""
        if self._pending:
            self._commit_pending()
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join(timeout=30)
            self._writer = None
        if self._checkpointer is not None:  # the last connection closed checkpoints what is left
            self._closing.set()
            self._wal_grown.set()
            self._checkpointer.join(timeout=30)
            self._checkpointer = None
        for raw in (self._raw, self._loop_raw):
            if raw is not None:
                with contextlib.suppress(Exception):
                    raw.close()
        self._raw = self._loop_raw = None
        self.engine.dispose()


class _Job(NamedTuple):
    table: sa.Table
    row: tuple[Any, ...]  # the driver's parameters for the table's insert (_insert_sql)
    done: Waiter


def _settle(batch: list[_Job], exc: Exception | None) -> None:
    """Tell each waiter of ``batch`` its rows are committed (or why not); one that gave up is
    skipped."""
    for job in batch:
        if not job.done.done():
            try:  # not a context manager per waiter: the done ones are the rule, a race the exception
                if exc is None:
                    job.done.set_result(None)
                else:
                    job.done.set_exception(exc)
            except (InvalidStateError, asyncio.InvalidStateError):  # given up meanwhile (a thread's)
                pass


def _drop(raw: Any) -> None:
    """Give up a broken connection (not returned to the pool)."""
    if raw is not None:
        with contextlib.suppress(Exception):
            raw.rollback()
        with contextlib.suppress(Exception):
            raw.invalidate()


def json_bytes(data: Any) -> bytes:
    """Compact UTF-8 JSON (Vietnamese kept as is, orjson): the log's JSON columns, and the bytes
    the service sends and hashes (:func:`~emulation_rules.service.work.dumps`). Keys that are not
    text (numbers, dates) are written as text; orjson's option for them doubles its time on every
    document (15.5 against 8.5 us for a one-unit evaluation), so it is asked only for a document
    that has one.

    Raises:
        TypeError: a value orjson cannot write.
    """
    try:
        return orjson.dumps(data)
    except TypeError:  # a key that is not text (or a value orjson cannot write: raised again)
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def _json_text(data: Any) -> str:
    return json_bytes(data).decode()


def _new_id(millis: int) -> str:
    """A time-ordered UUID (version 7, RFC 9562) as text, as ``str(uuid.UUID(...))`` writes it: the
    Unix time in milliseconds (``millis``), then 74 random bits. Its index entry goes at the end of the
    primary key's B-tree, beside the previous decisions', where a random (version 4) id dirtied
    a page of its own anywhere in the index for each decision: one frame more in the WAL and in
    each checkpoint, and, once the index outgrows SQLite's page cache, a read (measured: insert
    and commit 23.3 against 14.7 us a row, checkpoint 8.1 against 2.1 us, in a log of 300,000)."""
    raw = bytearray(millis.to_bytes(6) + os.urandom(10))
    raw[6] = raw[6] & 0x0F | 0x70  # version 7
    raw[8] = raw[8] & 0x3F | 0x80  # variant RFC 9562 (RFC 4122's)
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_second: tuple[int, str] = (-1, "")
"""The last second :func:`_now` wrote, and its text up to the seconds."""


def _now(micros: int | None = None) -> str:
    """The time (UTC; ``micros`` since the epoch, or now) as
    ``datetime.isoformat(timespec="microseconds")`` writes it; the text of the second is kept, not
    written again for each decision of that second."""
    global _second
    second, micro = divmod(time.time_ns() // 1000 if micros is None else micros, 1_000_000)
    last = _second
    if last[0] != second:
        last = _second = (second, dt.datetime.fromtimestamp(second, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    return f"{last[1]}.{micro:06d}+00:00"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints: DecisionLog's own thread
    cur.close()
