"""The register of titles conferred behind the service's token (``serve --register DB``), as
``emulation-rules register add`` and ``register history`` give it on the command line.

* ``POST /register/decisions``: record a decision (``DECISION_REQUEST_SCHEMA``): its number,
  date and issuing body, and the titles from an evaluation document (``evaluation``: the
  awarded titles within every quota, :func:`emulation_rules.facts.conferring.from_evaluation`;
  the quotas come from the served campaign named by ``campaign`` or by the document) or listed
  (``conferrals``); ``revokes`` makes it a revocation. Answer 201 with the decision as recorded.
* ``GET /register/subjects/{subject}/history``: the titles a subject holds (revocations applied).

The store is :class:`~emulation_rules.facts.conferred.ConferralRegister` (SQLite file or
PostgreSQL URL; a decision and its conferrals in one transaction; a decision number once per
issuing body: 409). Problems in a body are located in ``<request>`` (line and column).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any

import orjson

from emulation_rules.errors import FactsError, PathItem, Problem, SourceLocation, unknown_key
from emulation_rules.facts.conferred import ConferralRegister, Decision
from emulation_rules.facts.history import FIRST_YEAR, LAST_YEAR
from emulation_rules.service.problems import ServiceProblem
from emulation_rules.service.registry import CampaignRegistry
from emulation_rules.service.work import REQUEST_FILE, _unreadable

__all__ = ["history_document", "record_decision"]

KEYS = ("number", "date", "issued_by", "year", "revokes", "campaign", "awards", "evaluation", "conferrals")


def _problems(problems: list[Problem] | tuple[Problem, ...]) -> ServiceProblem:
    n = len(problems)
    if any(p.code == "duplicate-id" for p in problems):
        return ServiceProblem(409, "duplicate-decision", problems[0].message, problems=list(problems))
    if any(p.code == "unreadable" for p in problems):
        return ServiceProblem(503, "register-unavailable", problems[0].message, problems=list(problems))
    return ServiceProblem(422, "bad-decision", f"{n} problem{'s' if n != 1 else ''} in the decision "
                          f"(quyết định có {n} lỗi)", problems=list(problems))


def record_decision(store: ConferralRegister, registry: CampaignRegistry, body: bytes) -> dict[str, Any]:
    """Record the decision of ``body``; the decision as recorded (``RegisterDecisionDoc``).

    Raises:
        ServiceProblem: 400 (not JSON), 409 (the body already has that number), 422 (a bad
            body, located; an unknown campaign; nothing to revoke), 503 (the register cannot be used).
    """
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as fast:
        _unreadable(body, fast)
    try:
        decision, notes = _decision(data, registry, lambda path: None)
    except FactsError as exc:
        problems = exc.problems
        from emulation_rules.facts.json_text import parse_json

        try:
            located, smap = parse_json(body.decode("utf-8"), file=REQUEST_FILE)
            _decision(located, registry, smap.locate)
        except FactsError as again:
            problems = again.problems
        except (RecursionError, ValueError):  # positions are a courtesy: keep the plain problems
            pass
        raise _problems(problems) from None
    try:
        decision_id = store.add(decision)
    except FactsError as exc:
        raise _problems(exc.problems) from None
    return {
        "id": decision_id, "number": _nfc(decision.number), "issued_by": _nfc(decision.issued_by),
        "date": decision.date.isoformat(), "kind": "revoke" if decision.revokes else "confer",
        "revokes": decision.revokes, "campaign": decision.campaign,
        "conferrals": [{"subject": c.subject, "title": c.title, "year": c.year, "name": c.name}
                       for c in decision.conferrals],
        "notes": notes,
    }


LIMITS = {"number": 128, "issued_by": 256, "revokes": 128, "campaign": 128, "subject": 256, "name": 512}
"""Longest texts the register's columns hold (:mod:`emulation_rules.facts.conferred`)."""


def _fits(text: str, limit: int) -> bool:
    return len(text) <= limit and "\x00" not in text


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _decision(data: Any, registry: CampaignRegistry, locate: Any) -> tuple[Decision, list[str]]:
    from emulation_rules.facts.conferring import from_evaluation, from_rows

    def bad(code: Any, message: str, path: tuple[PathItem, ...], hint: str | None = None) -> Problem:
        return Problem(code, message, path, locate(path) or SourceLocation(REQUEST_FILE, 1, 1), hint)

    if not isinstance(data, Mapping):
        raise FactsError([bad("invalid-value", "a decision is a JSON object {number, date, issued_by, "
                              "evaluation | conferrals} (quyết định là một đối tượng JSON)", ())])
    problems = []
    for key in data:
        if key not in KEYS:
            message, hint = unknown_key(str(key), KEYS)
            problems.append(bad("unknown-key", message, (str(key),), hint))
    text: dict[str, str] = {}
    for key, what in (("number", "số quyết định"), ("issued_by", "cơ quan ban hành")):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(bad("missing-key", f"the decision needs {key!r}, a text ({what})", (key,)))
        elif not _fits(value, LIMITS[key]):
            problems.append(bad("invalid-value", f"{key} is longer than {LIMITS[key]} characters or holds a NUL "
                                f"character ({what} quá dài)", (key,)))
        else:
            text[key] = value
    day = None
    with contextlib.suppress(ValueError):
        day = dt.date.fromisoformat(data["date"]) if isinstance(data.get("date"), str) else None
    if day is None:
        problems.append(bad("invalid-value", "date must be a date YYYY-MM-DD (ngày quyết định)", ("date",)))
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or
                             not FIRST_YEAR <= year <= LAST_YEAR):
        problems.append(bad("invalid-value", f"year must be a whole year from {FIRST_YEAR} to {LAST_YEAR} (năm)",
                            ("year",)))
        year = None
    for key in ("revokes", "campaign"):
        if data.get(key) is not None and (not isinstance(data[key], str) or not _fits(data[key], LIMITS[key])):
            problems.append(bad("invalid-value", f"{key} must be a text of at most {LIMITS[key]} characters "
                                "(phải là chữ, không quá dài)", (key,)))
    awards = data.get("awards") or []
    if not isinstance(awards, list) or not all(isinstance(a, str) for a in awards):
        problems.append(bad("invalid-value", "awards must be a list of award ids (danh sách mã danh hiệu)",
                            ("awards",)))
        awards = []
    if ("evaluation" in data) == ("conferrals" in data):
        problems.append(bad("missing-key", "give 'evaluation' (an evaluation document) or 'conferrals' (a list), "
                            "exactly one (kết quả xét hoặc danh sách, một trong hai)", ()))
    if problems or day is None:
        raise FactsError(problems)
    notes: list[str] = []
    campaign_id: str | None = data.get("campaign")
    if "evaluation" in data:
        evaluation = data["evaluation"]
        named = campaign_id or (evaluation.get("campaign") if isinstance(evaluation, Mapping) else None)
        served = registry.campaigns.get(named) if isinstance(named, str) else None
        if named is not None and served is None:
            at = ("campaign",) if campaign_id else ("evaluation", "campaign")
            raise FactsError([bad("invalid-value", f"no campaign {named!r} is served (phong trào không có); served: "
                                  f"{', '.join(sorted(registry.campaigns))}", at)])
        conferrals, _, year, notes = from_evaluation(
            evaluation, served.campaign if served else None, awards=awards, year=year, default_year=day.year,
            locate=lambda path: locate(("evaluation", *path)))
        campaign_id = campaign_id or (served.campaign.id if served else None)
    else:
        conferrals = from_rows(data["conferrals"], year or day.year, locate=locate)
    for i, c in enumerate(conferrals):  # what the register's columns hold
        if not _fits(c.subject, LIMITS["subject"]) or not _fits(c.name or "", LIMITS["name"]):
            where: tuple[PathItem, ...] = ("conferrals", i) if "conferrals" in data else ("evaluation",)
            raise FactsError([bad("invalid-value", f"subject {c.subject[:40]!r}: an id over {LIMITS['subject']} "
                                  f"or a name over {LIMITS['name']} characters, or a NUL character (quá dài)",
                                  where)])
    return Decision(text["number"], day, text["issued_by"], tuple(conferrals), data.get("revokes"), campaign_id,
                    "POST /register/decisions"), notes


def history_document(store: ConferralRegister, subject: str) -> dict[str, Any]:
    """``{"subject", "history": [{title, year, decided_by, decision}]}`` (``register history``).

    Raises:
        ServiceProblem: 503 when the register cannot be used.
    """
    sid = _nfc(subject)
    try:
        held = store.history(sid)
    except FactsError as exc:
        raise _problems(exc.problems) from None
    return {"subject": sid, "history": [{"title": h.title, "year": h.year, "decided_by": h.decided_by,
                                         "decision": h.decision} for h in held]}
