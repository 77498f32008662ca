"""What a request does once its body is read: parse, evaluate, log, serialise (in a worker thread).

Shared by the HTTP handlers (:mod:`.app`) and ``emulation-rules replay`` (:mod:`.replay`), so
that a replayed decision is computed by the very code that served it. Every failure is a
:class:`~emulation_rules.service.problems.ServiceProblem` with located problems.

The result document is serialised once, compactly (``dumps``, orjson); its SHA-256 is logged as
``result_sha256`` and is what ``replay`` compares. The run functions compute and serialise; they
log nothing: the handler queues the decision (:attr:`Outcome.log`) to the decision log once the
answer is ready and its client still there (:mod:`.app`), so a timed-out request is never logged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import orjson

from emulation_rules import __version__
from emulation_rules.campaign import model as m
from emulation_rules.engine import Engine
from emulation_rules.errors import (
    CompileError,
    EvaluationError,
    FactsError,
    Problem,
    ProblemCode,
    ReviewDateError,
    SourceLocation,
    unknown_id,
)
from emulation_rules.facts.reader import Submission, parse_facts, parse_facts_text
from emulation_rules.results.targets import evaluate_targets
from emulation_rules.service.decisions import json_bytes
from emulation_rules.service.problems import ServiceProblem
from emulation_rules.service.registry import Served
from emulation_rules.service.settings import ServiceSettings

__all__ = [
    "Options",
    "Outcome",
    "dumps",
    "review_date",
    "run_evaluation",
    "run_initiatives",
    "run_targets",
    "shape_document",
]

REQUEST_FILE = "<request>"
"""File name in the locations of problems found in a request body."""


@dataclass(frozen=True)
class Options:
    """Query options of an evaluation (as given, validated by the run functions)."""

    as_of: str | None = None
    phase: str | None = None
    params: tuple[str, ...] = ()
    explain: bool = True
    lang: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as logged."""
        return {
            "as_of": self.as_of,
            "phase": self.phase,
            "params": list(self.params),
            "explain": self.explain,
            "lang": self.lang,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Options:
        """Options read back from the log."""
        return cls(
            as_of=data.get("as_of"),
            phase=data.get("phase"),
            params=tuple(data.get("params") or ()),
            explain=bool(data.get("explain", True)),
            lang=data.get("lang"),
        )


@dataclass(frozen=True)
class Outcome:
    """A computed answer: the body bytes and how to make the decision to log
    (``DecisionLog.submit``'s keyword arguments), made only when asked: without a decision log
    nobody asks, and its two SHA-256s (the body's and the answer's, 16 KB for one unit) are
    not computed."""

    body: bytes
    decision: Callable[[], dict[str, Any]]

    @property
    def log(self) -> dict[str, Any]:
        """The decision to log (made at each call)."""
        return self.decision()


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (Vietnamese kept as is): the bytes sent and hashed, written as the
    decision log writes its JSON columns (:func:`~.decisions.json_bytes`)."""
    return json_bytes(data)


def _bad(code: ProblemCode, message: str, path: tuple[str, ...], hint: str | None = None) -> ServiceProblem:
    return ServiceProblem(
        422, "invalid-options", message, problems=[Problem(code, message, path, hint=hint)]
    )


def parse_submission(campaign: m.Campaign, body: bytes, max_subjects: int) -> Submission:
    """Validate a facts body (JSON) for ``campaign``.

    The fast path validates the parsed data directly; only when it has problems is the text read
    again with positions, so that each problem names ``<request>:line:column``.

    Raises:
        ServiceProblem: 400 (not UTF-8, not JSON), 413 (too many subjects), 422 (bad facts).
    """
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as fast:
        _unreadable(body, fast)
    if not isinstance(data, dict):
        kind = "an array" if isinstance(data, list) else f"a {type(data).__name__}"
        message = f"the body must be a JSON object with 'subjects' (the published schema), not {kind}"
        raise ServiceProblem(
            422,
            "bad-facts",
            message,
            problems=[Problem("invalid-value", message, (), location=_loc(1, 1))],
        )
    subjects = data.get("subjects")
    if isinstance(subjects, list) and len(subjects) > max_subjects:
        raise ServiceProblem(
            413,
            "too-many-subjects",
            f"{len(subjects)} subjects is over the limit "
            f"of {max_subjects} per request; split the submission",
        )
    try:
        return parse_facts(data, campaign)
    except FactsError as exc:
        problems = exc.problems
    try:
        parse_facts_text(body.decode("utf-8"), campaign, file=REQUEST_FILE, format="json")
    except FactsError as located:
        problems = located.problems
    except (RecursionError, ValueError):  # positions are a courtesy: keep the plain problems
        pass
    n = len(problems)
    raise ServiceProblem(
        422, "bad-facts", f"{n} problem{'s' if n != 1 else ''} in the facts", problems=problems
    )


def _unreadable(body: bytes, fast: orjson.JSONDecodeError) -> NoReturn:
    """Raise the 400 for a body orjson refused, located by the standard parser's reading."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ServiceProblem(
            400, "not-utf8", f"the body is not UTF-8 text (byte {exc.start})"
        ) from None
    try:
        json.loads(text)
        exc_: json.JSONDecodeError = fast  # orjson is stricter (lone surrogates, depth)
    except json.JSONDecodeError as slow:
        exc_ = slow
    except RecursionError:
        raise ServiceProblem(400, "too-deep", "the JSON nests too deeply") from None
    if "recursion" in exc_.msg:
        raise ServiceProblem(400, "too-deep", "the JSON nests too deeply") from None
    raise ServiceProblem(
        400,
        "json-syntax",
        f"the body is not JSON: {exc_.msg}",
        problems=[Problem("json-syntax", exc_.msg, location=_loc(exc_.lineno, exc_.colno))],
    ) from None


def _loc(line: int, column: int) -> SourceLocation:
    return SourceLocation(REQUEST_FILE, line, column)


def parse_params(campaign: m.Campaign, given: tuple[str, ...]) -> dict[str, float]:
    """``NAME=NUMBER`` overrides, checked against the campaign's parameters.

    Raises:
        ServiceProblem: 422 for a malformed override or an unknown parameter.
    """
    known = campaign.parameter_defaults()
    out: dict[str, float] = {}
    for n, text in enumerate(given):
        name, sep, value = text.partition("=")
        name = name.strip()
        try:
            number = float(value) if sep else None
        except ValueError:
            number = None
        if number is None or number != number or number in (float("inf"), float("-inf")):
            raise _bad("bad-param", f"expected NAME=NUMBER, got {text!r}", ("param", str(n)))
        if name not in known:
            message, hint = unknown_id("parameter", name, known, where=f" in campaign {campaign.id!r}")
            raise _bad("unknown-parameter", message, ("param", str(n)), hint)
        out[name] = number
    return out


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _bad(
            "bad-date", f"as_of must be a date YYYY-MM-DD, got {text!r}", ("as_of",)
        ) from None


def _phase(campaign: m.Campaign, phase: str | None) -> m.Phase | None:
    if phase is None:
        return None
    found = campaign.phase_named(phase)  # declared, or a standing regulation's review year
    if found is not None:
        return found
    message, hint = unknown_id("phase", phase, [p.id for p in campaign.phases],
                               where=f" in campaign {campaign.id!r}",
                               aliases={p.label.vi: p.id for p in campaign.phases})
    raise _bad("unknown-phase", message, ("phase",), hint)


def evaluation_document(engine: Engine, submission: Submission, opts: Options) -> dict[str, Any]:
    """The evaluation JSON (``evaluate --format json``), shaped by ``explain`` and ``lang``.

    Raises:
        ServiceProblem: 422 for bad options (a review date in no phase among them), 500 when the
            engine fails.
    """
    try:
        doc = engine.evaluate(submission, as_of=review_date(engine.campaign, opts), explain=opts.explain).to_dict()
    except ReviewDateError as exc:  # a review date in no phase: the caller's option, as for /targets
        raise _bad("no-phase", str(exc.args[0]), ("as_of",)) from None
    except EvaluationError as exc:
        raise ServiceProblem(500, "engine-failure", f"the engine failed: {exc}") from None
    return shape_document(doc, opts)


def review_date(campaign: m.Campaign, opts: Options) -> dt.date | None:
    """The review date of ``opts``: ``as_of``, or the last day of ``phase``.

    Raises:
        ServiceProblem: 422 for a bad date, an unknown phase, or both given.
    """
    as_of = _date(opts.as_of)
    phase = _phase(campaign, opts.phase)
    if phase is not None:
        if as_of is not None:
            raise _bad("conflicting-options", "give as_of or phase, not both", ("phase",))
        as_of = phase.end or phase.start
    return as_of


def shape_document(doc: dict[str, Any], opts: Options) -> dict[str, Any]:
    """An evaluation document as ``explain`` and ``lang`` ask (changed in place)."""
    if not opts.explain or opts.lang:
        for subject in doc["subjects"]:
            for award in subject["awards"]:
                if not opts.explain:
                    award["criteria"] = []
                if opts.lang:
                    award["label"] = {opts.lang: award["label"][opts.lang]}
                    for c in award["criteria"]:
                        c["label"] = {opts.lang: c["label"][opts.lang]}
        if opts.lang:
            for q in doc["quotas"]:
                q["label"] = {opts.lang: q["label"][opts.lang]}
                for g in q.get("groups", ()):  # caps and grouped quotas: advice per group
                    g["advice"] = {opts.lang: g["advice"][opts.lang]}
    return doc


def evaluation_verdicts(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``{"subjects": {id: {award: verdict}}, "quotas": {quota: status}}`` of a document."""
    return {
        "subjects": {
            s["id"]: {a["award"]: a["verdict"] for a in s["awards"]} for s in doc["subjects"]
        },
        "quotas": {q["quota"]: q["status"] for q in doc["quotas"]},
    }


def _outcome(
    kind: str,
    served: Served,
    backend: str | None,
    body: bytes,
    out: bytes,
    opts: Mapping[str, Any],
    verdicts: Callable[[], Any],
    settings: ServiceSettings,
) -> Outcome:
    """The outcome of one answer; ``verdicts`` makes the verdicts to log, asked with the rest of
    the decision (:class:`Outcome`)."""

    def decision() -> dict[str, Any]:
        return {
            "kind": kind,
            "campaign_id": served.campaign.id,
            "content_hash": served.content_hash,
            "backend": backend,
            "package_version": __version__,
            "facts_sha256": hashlib.sha256(body).hexdigest(),
            "result_sha256": hashlib.sha256(out).hexdigest(),
            "options": opts,
            "verdicts": verdicts(),
            "facts": body.decode("utf-8") if settings.log_facts else None,
        }

    return Outcome(out, decision)


def run_evaluation(
    served: Served,
    body: bytes,
    opts: Options,
    settings: ServiceSettings,
) -> Outcome:
    """``POST /campaigns/{id}/evaluations``: parse, evaluate, log, serialise."""
    campaign = served.campaign
    params = parse_params(campaign, opts.params)
    submission = parse_submission(campaign, body, settings.max_subjects)
    try:
        engine = served.engine_for(params)
    except CompileError as exc:
        raise _bad("bad-param", str(exc), ("param",)) from None
    doc = evaluation_document(engine, submission, opts)
    return _outcome(
        "evaluation",
        served,
        engine.backend,
        body,
        dumps(doc),
        opts.to_dict(),
        lambda: evaluation_verdicts(doc),
        settings,
    )


def targets_document(campaign: m.Campaign, submission: Submission, opts: Options) -> dict[str, Any]:
    """The targets JSON (``targets --format json``) for the phase or date of ``opts``.

    Raises:
        ServiceProblem: 422 for an unknown phase or a date in no phase.
    """
    params = parse_params(campaign, opts.params)
    phase = _phase(campaign, opts.phase)
    try:
        report = evaluate_targets(
            campaign,
            submission,
            phase=phase.id if phase else None,
            as_of=_date(opts.as_of),
            params=params,
        )
    except KeyError as exc:
        raise _bad("no-phase", str(exc.args[0]), ("as_of",)) from None
    return report.to_dict()


def run_targets(
    served: Served,
    body: bytes,
    opts: Options,
    settings: ServiceSettings,
) -> Outcome:
    """``POST /campaigns/{id}/targets``."""
    submission = parse_submission(served.campaign, body, settings.max_subjects)
    doc = targets_document(served.campaign, submission, opts)
    return _outcome(
        "targets",
        served,
        None,
        body,
        dumps(doc),
        dataclasses.replace(opts, explain=True, lang=None).to_dict(),
        lambda: {f"{t['target']}@{t['phase']}": t["status"] for t in doc["targets"]},
        settings,
    )


def initiatives_document(campaign: m.Campaign, submission: Submission) -> dict[str, Any]:
    """The initiatives JSON (``initiatives --format json``).

    Raises:
        ServiceProblem: 422 when the campaign has no programme or the body no register.
    """
    if campaign.initiatives is None:
        raise _bad(
            "no-initiative-programme",
            f"campaign {campaign.id!r} declares no initiative programme",
            (),
        )
    if submission.initiatives is None:
        raise _bad("no-register", "the submission has no 'initiatives' register", ("initiatives",))
    return {"initiatives": [a.to_dict() for a in submission.initiatives]}


def run_initiatives(served: Served, body: bytes, settings: ServiceSettings) -> Outcome:
    """``POST /campaigns/{id}/initiatives``."""
    if served.campaign.initiatives is None:
        raise _bad(
            "no-initiative-programme",
            f"campaign {served.campaign.id!r} declares no initiative programme",
            (),
        )
    submission = parse_submission(served.campaign, body, settings.max_subjects)
    doc = initiatives_document(served.campaign, submission)
    return _outcome(
        "initiatives",
        served,
        None,
        body,
        dumps(doc),
        Options().to_dict(),
        lambda: {i["id"]: i["status"] for i in doc["initiatives"]},
        settings,
    )
