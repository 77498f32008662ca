"""The decision log: every evaluation served, recorded before it is answered.

One row per request answered 200 by ``POST /campaigns/{id}/evaluations`` (and ``/targets``,
``/initiatives``): a UUID, the time (UTC), the campaign id and content hash, the backend and package
version, the SHA-256 of the submitted body, the options, the verdicts, the SHA-256 of the result
document, and (with ``log_facts``) the submission itself, which ``emulation-rules replay`` needs.

Storage is SQLAlchemy 2 Core: a SQLite file by default, in WAL mode with ``synchronous=NORMAL``
(a committed row survives the process being killed: it is in the WAL file before the answer is
sent), or PostgreSQL given a ``postgresql+psycopg://`` URL.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

__all__ = ["DecisionLog", "DecisionRecord", "database_url"]

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
        out["facts_logged"] = self.facts is not None
        if with_facts:
            out["facts"] = self.facts
        return out


class DecisionLog:
    """Append-only log of decisions in SQLite (WAL) or PostgreSQL.

    Args:
        target: a SQLite file path or an SQLAlchemy URL.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: the database cannot be opened or the table created.
    """

    def __init__(self, target: str) -> None:
        self.url = database_url(target)
        self.engine = sa.create_engine(self.url, pool_pre_ping=not self.url.startswith("sqlite"))
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self._write_lock = threading.Lock()  # one writer at a time in this process (SQLite)
        _META.create_all(self.engine)

    def record(
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
    ) -> str:
        """Store one decision and commit; returns its UUID (text)."""
        decision_id = str(uuid.uuid4())
        row = {
            "id": decision_id,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "kind": kind,
            "campaign_id": campaign_id,
            "content_hash": content_hash,
            "backend": backend,
            "package_version": package_version,
            "facts_sha256": facts_sha256,
            "result_sha256": result_sha256,
            "options": dict(options),
            "verdicts": verdicts,
            "facts": facts,
        }
        if self.is_sqlite:
            with self._write_lock, self.engine.begin() as conn:
                conn.execute(DECISIONS.insert(), row)
        else:
            with self.engine.begin() as conn:
                conn.execute(DECISIONS.insert(), row)
        return decision_id

    def get(self, decision_id: str) -> DecisionRecord | None:
        """The decision ``decision_id``, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(DECISIONS).where(DECISIONS.c.id == decision_id)).first()
        return None if row is None else DecisionRecord(**row._mapping)

    def ids(self) -> set[str]:
        """Every logged decision id (for tests and audits of small logs)."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(DECISIONS.c.id)).scalars())

    def count(self) -> int:
        """Number of logged decisions."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(DECISIONS)).scalar_one())

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()
