"""The decision log itself, on a real SQLite file: group commit, undelivered marks, read-only open."""

from __future__ import annotations

import contextlib
import io
import threading
from pathlib import Path

import pytest

from emulation_rules.cli import run
from emulation_rules.service.decisions import DecisionLog


def _fields(n: int) -> dict:
    return {
        "kind": "evaluation",
        "campaign_id": "tkv_2019",
        "content_hash": "0" * 64,
        "backend": "python",
        "package_version": "test",
        "facts_sha256": f"{n:064d}",
        "result_sha256": "1" * 64,
        "options": {"explain": True},
        "verdicts": {"subjects": {f"S{n}": {"a": "awarded"}}, "quotas": {}},
        "facts": None,
    }


def test_group_commit_writes_every_decision_in_fewer_commits(tmp_path: Path) -> None:
    log = DecisionLog(str(tmp_path / "d.sqlite"))
    ids: list[str] = []
    futures = []
    lock = threading.Lock()

    def client(k: int) -> None:
        for i in range(50):
            decision_id, done = log.submit(**_fields(k * 100 + i))
            with lock:
                ids.append(decision_id)
                futures.append(done)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for done in futures:
        done.result(timeout=60)  # committed when done
    try:
        assert log.ids() == set(ids) and len(ids) == 400
        assert log.commits < 400, "one commit per decision: no grouping"
        record = log.get(ids[0])
        assert record is not None and record.delivered and record.to_dict()["delivered"] is True
    finally:
        log.close()


def test_a_decision_is_stored_as_given_under_a_time_ordered_uuid_and_the_utc_time(tmp_path: Path) -> None:
    """The id is a version 7 UUID as ``str(uuid.UUID(...))`` writes it, whose first 48 bits are
    the time in milliseconds (so ids sort by time); the time is UTC with microseconds as
    ``datetime.isoformat`` writes it; the JSON columns read back as given."""
    import datetime as dt
    import uuid

    log = DecisionLog(str(tmp_path / "d.sqlite"))
    try:
        before = dt.datetime.now(dt.UTC)
        ids = [log.record(**_fields(n)) for n in range(3)]
        after = dt.datetime.now(dt.UTC)
        assert len(set(ids)) == 3 and [i[:13] for i in ids] == sorted(i[:13] for i in ids)
        for n, decision_id in enumerate(ids):
            parsed = uuid.UUID(decision_id)
            assert str(parsed) == decision_id and parsed.version == 7 and parsed.variant == uuid.RFC_4122
            record = log.get(decision_id)
            assert record is not None
            at = dt.datetime.fromisoformat(record.created_at)
            epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
            assert parsed.int >> 80 == (at - epoch) // dt.timedelta(milliseconds=1)  # the same instant
            assert record.created_at == at.isoformat(timespec="microseconds") and at.utcoffset() == dt.timedelta(0)
            assert before - dt.timedelta(seconds=1) <= at <= after + dt.timedelta(seconds=1)
            fields = _fields(n)
            assert {k: getattr(record, k) for k in fields} == fields
    finally:
        log.close()


def test_an_undelivered_answer_is_marked_never_erased(tmp_path: Path) -> None:
    log = DecisionLog(str(tmp_path / "d.sqlite"))
    try:
        kept = log.record(**_fields(1))
        lost = log.record(**_fields(2))
        log.mark_undelivered(lost, "client-disconnected").result(timeout=30)
        assert log.undelivered() == {lost: "client-disconnected"}
        assert log.count() == 2  # append-only: the decision stays
        got = log.get(lost)
        assert got is not None and got.to_dict()["delivered"] is False
        assert log.get(kept).delivered  # type: ignore[union-attr]
    finally:
        log.close()


def test_a_mark_lands_only_beside_its_decision(tmp_path: Path) -> None:
    """A request that stopped waiting for its commit (503, ``log-timeout``) marks its decision
    undelivered; when that decision's own commit then fails, no answer was sent and there is no
    decision to mark: the mark, committed after, must not stand alone."""
    log = DecisionLog(str(tmp_path / "d.sqlite"))
    try:
        good = log.record(**_fields(1))
        # a decision whose commit fails (kind is NOT NULL), as a disk or server error would
        failed_id, failed = log.submit(**{**_fields(2), "kind": None})
        with pytest.raises(Exception, match="NOT NULL"):
            failed.result(timeout=30)  # type: ignore[union-attr]
        log.mark_undelivered(failed_id, "log-timeout").result(timeout=30)  # type: ignore[union-attr]
        log.mark_undelivered(good, "log-timeout").result(timeout=30)  # type: ignore[union-attr]
        assert log.undelivered() == {good: "log-timeout"}
        assert log.ids() == {good}
    finally:
        log.close()


def test_a_write_failure_reaches_every_waiting_request(tmp_path: Path) -> None:
    db = tmp_path / "d.sqlite"
    log = DecisionLog(str(db))
    try:
        with log.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE decisions")
        _, done = log.submit(**_fields(1))
        with pytest.raises(Exception, match="decisions"):
            done.result(timeout=30)
        _, again = log.submit(**_fields(2))  # the writer survives the failure
        with pytest.raises(Exception, match="decisions"):
            again.result(timeout=30)
    finally:
        log.close()


def test_on_an_event_loop_one_turn_of_decisions_is_one_commit_made_on_the_loop(tmp_path: Path) -> None:
    """A SQLite log submitted to from the server's event loop commits on the loop itself: the 40
    decisions queued in one turn go in one commit at the turn after next, in order, each waiter
    done only then; no writer thread is started; a blocking record() there is refused, not hung."""
    import asyncio
    import sqlite3

    log = DecisionLog(str(tmp_path / "d.sqlite"))

    async def main() -> list[str]:
        submitted = [log.submit(**_fields(n)) for n in range(40)]
        waiters = [done for _, done in submitted]
        assert all(isinstance(w, asyncio.Future) for w in waiters) and not any(w.done() for w in waiters)
        assert log.count() == 0  # nothing is committed before the loop turns
        await asyncio.gather(*waiters)
        assert log.commits == 1
        lost = submitted[3][0]
        await log.mark_undelivered(lost, "client-disconnected")  # type: ignore[misc]
        with pytest.raises(RuntimeError, match="await"):
            log.record(**_fields(99))
        return [decision_id for decision_id, _ in submitted]

    try:
        ids = asyncio.run(main())
        assert log.commits == 2 and log._writer is None  # the refused record queued nothing
        with contextlib.closing(sqlite3.connect(tmp_path / "d.sqlite")) as db:
            stored = [r[0] for r in db.execute("SELECT id FROM decisions ORDER BY rowid")]
        assert stored == ids
        assert log.undelivered() == {ids[3]: "client-disconnected"}
    finally:
        log.close()


def test_on_an_event_loop_the_decisions_of_the_next_turn_join_the_commit(tmp_path: Path) -> None:
    """The commit waits one turn more: decisions queued during the turn after the first join it
    (under load, the requests read meanwhile), and the turn after that starts the next commit."""
    import asyncio

    log = DecisionLog(str(tmp_path / "d.sqlite"))

    async def main() -> None:
        first = [log.submit(**_fields(n))[1] for n in range(3)]
        await asyncio.sleep(0)  # one turn: nothing committed yet
        assert log.commits == 0 and not any(w.done() for w in first)
        second = [log.submit(**_fields(10 + n))[1] for n in range(3)]
        await asyncio.gather(*first, *second)
        assert log.commits == 1 and log.count() == 6
        await asyncio.gather(*(log.submit(**_fields(20 + n))[1] for n in range(3)))
        assert log.commits == 2 and log.count() == 9

    try:
        asyncio.run(main())
    finally:
        log.close()


def test_on_an_event_loop_a_write_failure_reaches_every_waiter(tmp_path: Path) -> None:
    import asyncio

    log = DecisionLog(str(tmp_path / "d.sqlite"))
    with log.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE decisions")

    async def main() -> None:
        waiters = [log.submit(**_fields(n))[1] for n in range(3)]
        results = await asyncio.gather(*waiters, return_exceptions=True)
        assert all("decisions" in str(r) for r in results), results

    try:
        asyncio.run(main())
    finally:
        log.close()


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_replay_never_creates_a_decision_log(tmp_path: Path, state: str) -> None:
    db = tmp_path / "decisions.sqlite"
    if state == "empty":
        db.write_bytes(b"")
    err = io.StringIO()
    code = run(
        ["replay", "00000000-0000-0000-0000-000000000000", "--log-db", str(db), "--lang", "en"],
        stdout=io.StringIO(),
        stderr=err,
    )
    assert code == 2 and "no decision log here" in err.getvalue()
    assert db.exists() == (state == "empty") and (state == "missing" or db.stat().st_size == 0)


def test_sqlite_checkpoints_in_a_thread_of_its_own_never_in_a_commit(tmp_path: Path) -> None:
    """A checkpoint waits for the disk (two fsyncs): it runs in the log's checkpointer thread
    shortly after commits, never in a commit on the server's loop (wal_autocheckpoint off), and
    what it leaves is checkpointed when the log closes."""
    import asyncio
    import sqlite3
    import time

    path = tmp_path / "d.sqlite"
    log = DecisionLog(str(path))

    async def main() -> list[str]:
        ids = []
        for turn in range(20):  # twenty turns of the loop: twenty commits, none checkpointing
            submitted = [log.submit(**_fields(turn * 100 + n)) for n in range(100)]
            await asyncio.gather(*(done for _, done in submitted))
            ids += [decision_id for decision_id, _ in submitted]
        return ids

    try:
        ids = asyncio.run(main())
        assert log.commits == 20
        raw = log.engine.raw_connection()
        try:
            assert raw.cursor().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        finally:
            raw.close()
        deadline = time.monotonic() + 30
        while log.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert log.checkpoints >= 1 and log._checkpointer is not None
        with contextlib.closing(sqlite3.connect(path)) as db:
            busy, frames, done = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and frames == done  # nothing left for it: the thread checkpointed
    finally:
        log.close()
    assert log._checkpointer is None
    assert not (tmp_path / "d.sqlite-wal").exists() or (tmp_path / "d.sqlite-wal").stat().st_size == 0
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert {r[0] for r in db.execute("SELECT id FROM decisions")} == set(ids)


def _wal_frames(path: Path) -> int:
    """The frames in ``path``'s WAL, read by a passive checkpoint of our own; while the log's
    checkpointer runs one, SQLite answers busy with -1 frames: asked again."""
    import sqlite3
    import time

    deadline = time.monotonic() + 30
    while True:
        with contextlib.closing(sqlite3.connect(path)) as db:
            busy, frames, _ = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if not busy and frames >= 0:
            return int(frames)
        assert time.monotonic() < deadline, "the WAL stayed busy"
        time.sleep(0.01)


def test_under_steady_writes_the_wal_starts_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Passive checkpoints alone never let SQLite start the log again while commits keep coming
    (the WAL grew to 334 MB in 40,000 decisions): past RESTART_FRAMES the checkpointer restarts
    it, and the frames written after that start from the log's beginning: the WAL file, which
    held over RESTART_FRAMES frames once (a restart never shrinks it), does not grow. (The
    frames counted at the end depend on how many commits followed the last restart: 17 of them
    under a loaded machine, so they are not what is compared.)"""
    import asyncio
    import time

    from emulation_rules.service import decisions

    monkeypatch.setattr(decisions, "RESTART_FRAMES", 20)
    path = tmp_path / "d.sqlite"
    log = DecisionLog(str(path))

    async def turns(n: int, first: int) -> None:
        for turn in range(n):
            submitted = [log.submit(**_fields(first + turn * 50 + k)) for k in range(50)]
            await asyncio.gather(*(done for _, done in submitted))
            await asyncio.sleep(0.01)  # commits keep coming while the checkpointer works

    try:
        asyncio.run(turns(60, 0))
        deadline = time.monotonic() + 30
        while log.restarts == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert log.restarts >= 1
        wal = path.with_name(path.name + "-wal")
        before = wal.stat().st_size
        page = 4096
        assert before > 32 + 20 * (24 + page)  # its header, 20 frames (each a 24-byte head and a page)
        _wal_frames(path)  # a checkpoint of our own: everything written so far is in the database
        asyncio.run(turns(1, 10_000))  # one commit after the restart: written from the start
        assert wal.stat().st_size == before  # not appended: the next commit wrote from the beginning
        assert log.count() == 60 * 50 + 50
    finally:
        log.close()
