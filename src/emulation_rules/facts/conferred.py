"""The register of titles conferred (sổ theo dõi khen thưởng): decisions, append-only.

A *decision* (quyết định) has a number, a date, an issuing body (cơ quan ban hành), the year its
titles are for, and its conferrals: which title to which subject. A revocation is a new decision
citing the old one (``revokes``) and listing what it takes back; nothing is ever updated or
deleted. A decision number is recorded once per issuing body (NFC).

Storage is SQLAlchemy 2 Core, as the service's decision log
(:mod:`emulation_rules.service.decisions`) and with the same tooling (``MetaData.create_all``):
a SQLite file by default (WAL, ``synchronous=NORMAL``), or PostgreSQL given a
``postgresql+psycopg://`` URL. A decision and its conferrals are written in one transaction, so
a process killed while recording leaves the whole decision or none of it.

:meth:`ConferralRegister.history` gives a subject's titles as
:class:`~emulation_rules.facts.history.HeldTitle` entries (title, year, issuing body, number):
what ``evaluate --register DB`` reads as the subject's ``history``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulation_rules.errors import FactsError, Problem
from emulation_rules.facts.history import HeldTitle

__all__ = ["Conferral", "ConferralRegister", "Decision", "RegisterEntry", "merge_history", "register_url"]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


@dataclass(frozen=True)
class Conferral:
    """One title conferred (or, in a revocation, taken back) to one subject."""

    subject: str
    title: str
    year: int
    name: str | None = None


@dataclass(frozen=True)
class Decision:
    """A decision to record (quyết định khen thưởng), or a revocation citing ``revokes``.

    Attributes:
        number: the decision's number, e.g. ``15/QĐ-CTA``.
        date: the day it was signed.
        issued_by: the issuing body, e.g. ``Giám đốc Công ty A``.
        conferrals: the titles conferred (for a revocation: the ones taken back).
        revokes: the number of the decision (same issuing body) this one revokes, or None.
        campaign: the campaign id the titles come from, if known.
        origin: where the list came from (an evaluation file, a table), for the record.
    """

    number: str
    date: dt.date
    issued_by: str
    conferrals: tuple[Conferral, ...]
    revokes: str | None = None
    campaign: str | None = None
    origin: str | None = None


@dataclass(frozen=True)
class RegisterEntry:
    """A recorded decision as stored (``register export``, ``history``)."""

    id: int
    number: str
    date: dt.date
    issued_by: str
    kind: str
    revokes: str | None
    campaign: str | None
    origin: str | None
    recorded_at: str
    conferrals: tuple[Conferral, ...] = field(default=())


def register_url(target: str) -> str:
    """An SQLAlchemy URL for ``target``: a URL as given, else a SQLite file path."""
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


def _tables() -> tuple[Any, Any, Any]:
    import sqlalchemy as sa

    meta = sa.MetaData()
    decisions = sa.Table(
        "register_decisions", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(128), nullable=False),
        sa.Column("issued_by", sa.String(256), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),  # ISO 8601
        sa.Column("kind", sa.String(8), nullable=False),  # confer | revoke
        sa.Column("revokes_id", sa.Integer, sa.ForeignKey("register_decisions.id")),
        sa.Column("campaign", sa.String(128)),
        sa.Column("origin", sa.Text),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("issued_by", "number", name="register_decision_number_once"),
    )
    conferrals = sa.Table(
        "register_conferrals", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("register_decisions.id"), nullable=False),
        sa.Column("subject", sa.String(256), nullable=False),
        sa.Column("title", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("name", sa.String(512)),
    )
    sa.Index("register_conferrals_subject", conferrals.c.subject)
    return meta, decisions, conferrals


class ConferralRegister:
    """The register in SQLite (a file path) or PostgreSQL (a URL); append-only.

    Raises:
        FactsError: ``missing-extra`` when SQLAlchemy (the ``service`` extra) is not installed.
        sqlalchemy.exc.SQLAlchemyError: the database cannot be opened or its tables created.
    """

    def __init__(self, target: str) -> None:
        try:
            import sqlalchemy as sa
        except ImportError:
            raise FactsError([Problem(
                "missing-extra", "the register needs SQLAlchemy: pip install 'emulation-rules[service]' "
                "(sổ theo dõi khen thưởng cần SQLAlchemy)")]) from None
        self._sa = sa
        if target != target.encode("utf-8", "replace").decode("utf-8"):  # SQLite takes UTF-8 names only
            shown = target.encode("utf-8", "backslashreplace").decode()
            raise FactsError([Problem("unreadable", f"the register {shown} cannot be used: its name is not "
                                      "valid UTF-8 (tên sổ theo dõi khen thưởng không hợp lệ)")])
        self.url = register_url(target)
        sqlite = self.url.startswith("sqlite")
        # a SQLite file is opened per transaction (no pool): a register dropped without close()
        # leaves no connection behind (CPython 3.13 warns about one left to the collector)
        pooling: dict[str, Any] = {"poolclass": sa.pool.NullPool} if sqlite else {"pool_pre_ping": True}
        self.engine = sa.create_engine(self.url, **pooling)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self._meta, self.decisions, self.conferrals = _tables()
        try:
            with self.guard():
                self._meta.create_all(self.engine)
        except BaseException:
            self.engine.dispose()  # no connection left open behind a refused register
            raise

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a database error (unreachable server, unwritable file, locked) into a
        ``FactsError`` (``unreadable``) naming the register, its password hidden."""
        try:
            yield
        except UnicodeEncodeError as exc:  # a lone surrogate (from a command line's bytes) in a text
            bad = exc.object[exc.start] if isinstance(exc.object, str) else "?"
            raise FactsError([Problem("bad-character", f"a text for the register holds U+{ord(bad):04X}, a lone "
                                      "surrogate (bytes that are not UTF-8), which is not a character (văn bản "
                                      "có ký tự không hợp lệ)")]) from None
        except self._sa.exc.SQLAlchemyError as exc:
            shown = self.engine.url.render_as_string(hide_password=True)
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise FactsError([Problem("unreadable", f"the register {shown} cannot be used: {reason} "
                                      "(không mở được sổ theo dõi khen thưởng)")]) from None

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def _find(self, conn: Any, issued_by: str, number: str) -> Any:
        d = self.decisions
        return conn.execute(self._sa.select(d).where(d.c.issued_by == issued_by, d.c.number == number)).first()

    def add(self, decision: Decision) -> int:
        """Record ``decision`` and its conferrals in one transaction; returns its id.

        Raises:
            FactsError: ``duplicate-id`` when the issuing body already has a decision of that
                number; ``unknown-subject`` when a revocation cites a decision not recorded, or
                takes back a title that decision did not confer.
        """
        return self.add_all([decision])[0]

    def add_all(self, decisions: Iterable[Decision]) -> list[int]:
        """Record several decisions in one transaction (all or none); returns their ids."""
        with self.guard(), self.engine.begin() as conn:
            return [self._insert(conn, d) for d in decisions]

    def _insert(self, conn: Any, decision: Decision) -> int:
        sa = self._sa
        number, body = _nfc(decision.number), _nfc(decision.issued_by)
        if self._find(conn, body, number) is not None:
            raise _duplicate(number, body)
        revokes_id = None
        if decision.revokes is not None:
            old = self._find(conn, body, _nfc(decision.revokes))
            if old is None:
                raise FactsError([Problem("unknown-subject", f"decision {decision.revokes!r} of {body!r} "
                                          "is not in the register: nothing to revoke (không có quyết "
                                          "định này trong sổ)")])
            revokes_id = old.id
            given = {(c.subject, c.title, c.year) for c in self._conferrals(conn, old.id)}
            bad = [c for c in decision.conferrals if (_nfc(c.subject), c.title, c.year) not in given]
            if bad:
                c = bad[0]
                raise FactsError([Problem("unknown-subject", f"decision {old.number!r} did not confer "
                                          f"{c.title!r} {c.year} on {c.subject!r}: it cannot be revoked")])
        # no SAVEPOINT here: with pysqlite, releasing the outermost savepoint commits, and the
        # decision would stand without its conferrals (the SIGKILL test caught it)
        try:
            result = conn.execute(self.decisions.insert().values(
                number=number, issued_by=body, date=decision.date.isoformat(),
                kind="revoke" if revokes_id is not None else "confer", revokes_id=revokes_id,
                campaign=decision.campaign, origin=decision.origin,
                recorded_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")))
        except sa.exc.IntegrityError:  # a concurrent writer recorded the same number first
            raise _duplicate(number, body) from None
        decision_id = int(result.inserted_primary_key[0])
        rows = [{"decision_id": decision_id, "subject": _nfc(c.subject), "title": c.title,
                 "year": c.year, "name": c.name} for c in decision.conferrals]
        if rows:
            conn.execute(self.conferrals.insert(), rows)
        return decision_id

    def _conferrals(self, conn: Any, decision_id: int) -> list[Conferral]:
        c = self.conferrals
        rows = conn.execute(self._sa.select(c).where(c.c.decision_id == decision_id).order_by(c.c.id))
        return [Conferral(r.subject, r.title, r.year, r.name) for r in rows]

    def entries(self) -> list[RegisterEntry]:
        """Every recorded decision with its conferrals, in the order recorded."""
        sa, d = self._sa, self.decisions
        with self.guard(), self.engine.connect() as conn:
            rows = conn.execute(sa.select(d).order_by(d.c.id)).all()
            numbers = {r.id: r.number for r in rows}
            return [RegisterEntry(r.id, r.number, dt.date.fromisoformat(r.date), r.issued_by, r.kind,
                                  numbers.get(r.revokes_id), r.campaign, r.origin, r.recorded_at,
                                  tuple(self._conferrals(conn, r.id))) for r in rows]

    def histories(self, subjects: Iterable[str] | None = None) -> dict[str, tuple[HeldTitle, ...]]:
        """``{subject id: titles held}`` from the register: every conferral not taken back by a
        later revocation, sorted by year and title (all subjects when ``subjects`` is None)."""
        sa, d, c = self._sa, self.decisions, self.conferrals
        query = sa.select(c.c.subject, c.c.title, c.c.year, d.c.kind, d.c.id, d.c.revokes_id,
                          d.c.number, d.c.issued_by).join(d, c.c.decision_id == d.c.id)
        wanted = None if subjects is None else {_nfc(s) for s in subjects}
        if wanted is not None:
            query = query.where(c.c.subject.in_(sorted(wanted)))
        with self.guard(), self.engine.connect() as conn:
            rows = conn.execute(query.order_by(d.c.id, c.c.id)).all()
        revoked = {(r.revokes_id, r.subject, r.title, r.year) for r in rows if r.kind == "revoke"}
        out: dict[str, list[HeldTitle]] = {s: [] for s in wanted or ()}
        for r in rows:
            if r.kind == "confer" and (r.id, r.subject, r.title, r.year) not in revoked:
                out.setdefault(r.subject, []).append(HeldTitle(r.title, r.year, r.issued_by, r.number))
        return {s: tuple(sorted(h, key=lambda t: (t.year, t.title))) for s, h in out.items()}

    def history(self, subject: str) -> tuple[HeldTitle, ...]:
        """The titles ``subject`` holds according to the register (see :meth:`histories`)."""
        return self.histories([subject])[_nfc(subject)]


def _duplicate(number: str, body: str) -> FactsError:
    return FactsError([Problem("duplicate-id", f"decision {number!r} of {body!r} is already in the register; "
                               "a decision number is recorded once per issuing body (số quyết định đã có "
                               "trong sổ); a correction is a new decision (--revokes)")])


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def merge_history(facts: tuple[HeldTitle, ...] | None, register: tuple[HeldTitle, ...]
                  ) -> tuple[tuple[HeldTitle, ...], list[str]]:
    """A subject's history from its facts merged with the register's: the register's entries,
    plus the facts' entries for titles and years the register does not hold. A facts entry
    naming another decision (number or body) than the register for the same title and year is
    a conflict, described in the returned list (the register's entry is kept)."""
    held = {(h.title, h.year): h for h in register}
    conflicts: list[str] = []
    extra: list[HeldTitle] = []
    for h in facts or ():
        mine = held.get((h.title, h.year))
        if mine is None:
            extra.append(h)
            continue
        for attr, what in (("decision", "decision"), ("decided_by", "issuing body")):
            given, recorded = getattr(h, attr), getattr(mine, attr)
            if given and recorded and _nfc(given) != _nfc(recorded):
                conflicts.append(f"history gives {h.title} {h.year} by {what} {given!r}; the register "
                                 f"records {recorded!r} (lịch sử khác sổ theo dõi khen thưởng): correct the "
                                 "entry or leave it out, the register gives it")
    merged = sorted((*register, *extra), key=lambda t: (t.year, t.title))
    return tuple(merged), conflicts


def with_register(submission: Any, store: ConferralRegister) -> tuple[Any, list[Problem]]:
    """``submission`` (a :class:`~emulation_rules.facts.reader.Submission`) with each subject's
    history merged with the register's (:func:`merge_history`): the register is taken as the
    record, so a subject it does not list holds no title from it (an empty history, not an
    unknown one). Conflicts come back as ``history-conflict`` problems, located at the subject."""
    import dataclasses

    found = store.histories([s.id for s in submission.subjects])
    subjects: list[Any] = []
    problems: list[Problem] = []
    for s in submission.subjects:
        merged, conflicts = merge_history(s.history, found.get(s.id, ()))
        problems.extend(Problem("history-conflict", f"{s.id}: {c}", ("subjects", s.id, "history"), s.location)
                        for c in conflicts)
        subjects.append(dataclasses.replace(s, history=merged))
    return dataclasses.replace(submission, subjects=tuple(subjects)), problems
