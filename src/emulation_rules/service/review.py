"""``POST /campaigns/{id}/reviews``: the self-assessment beside the upper level's review, as
``evaluate --reviewed FILE --format json`` gives it.

The body is a facts submission (the facts JSON format) with one more key, ``review``: the
corrections in the format of a review file (:mod:`emulation_rules.facts.corrections`)::

    {"campaign": "...", "as_of": "2025-12-31", "subjects": [...], "proposals": [...],
     "review": {"reviewed_by": "Ban Thi đua LĐLĐ",
                "corrections": [{"subject": "A10", "fact": "task_rating", "value": "completed_well",
                                 "note": "..."}]}}

The answer is the reviewed evaluation document (the verdicts that count, with quotas: the same
JSON as ``POST .../evaluations`` would give for the corrected facts), with two more keys:
``self_assessed``, the evaluation document of the unit's own facts, and ``review``, per subject
corrected: every corrected fact with both values and the note, each award's two verdicts, points
and bands, and the criteria that changed (:func:`emulation_rules.results.review.review_dict`).
Problems in the facts or the corrections are located in ``<request>`` (line and column).
"""

from __future__ import annotations

from typing import Any

import orjson

from emulation_rules.engine import Engine
from emulation_rules.errors import CompileError, EvaluationError, FactsError, Problem
from emulation_rules.facts.corrections import Correction, apply_corrections, read_corrections
from emulation_rules.facts.reader import Submission, parse_facts
from emulation_rules.service.problems import ServiceProblem
from emulation_rules.service.registry import Served
from emulation_rules.service.settings import ServiceSettings
from emulation_rules.service.work import (
    REQUEST_FILE,
    Options,
    Outcome,
    _bad,
    _loc,
    _outcome,
    _unreadable,
    dumps,
    evaluation_verdicts,
    parse_params,
    review_date,
    shape_document,
)

__all__ = ["parse_review", "review_document", "review_verdicts", "run_review"]


def _facts_problem(problems: list[Problem] | tuple[Problem, ...]) -> ServiceProblem:
    n = len(problems)
    return ServiceProblem(422, "bad-facts", f"{n} problem{'s' if n != 1 else ''} in the facts or the review "
                          f"(dữ kiện hoặc thẩm định có {n} lỗi)", problems=list(problems))


def parse_review(engine: Engine, body: bytes, max_subjects: int) -> tuple[Submission, tuple[Correction, ...]]:
    """The submission and the corrections of a review body.

    The fast path reads the parsed data; when it has problems the text is read again with
    positions, so that each problem names ``<request>:line:column``.

    Raises:
        ServiceProblem: 400 (not UTF-8, not JSON), 413 (too many subjects), 422 (bad facts or
            corrections, located; no ``review``).
    """
    campaign = engine.campaign
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as fast:
        _unreadable(body, fast)
    if not isinstance(data, dict) or not isinstance(data.get("review"), dict):
        message = ("the body is a facts submission with a 'review': {reviewed_by, corrections} "
                   "(dữ kiện kèm 'review': các sửa đổi của cấp trên)")
        raise ServiceProblem(422, "bad-facts", message,
                             problems=[Problem("missing-key", message, ("review",), _loc(1, 1))])
    subjects = data.get("subjects")
    if isinstance(subjects, list) and len(subjects) > max_subjects:
        raise ServiceProblem(413, "too-many-subjects", f"{len(subjects)} subjects is over the limit "
                             f"of {max_subjects} per request; split the submission")
    try:
        return _read(data, campaign, None)
    except FactsError as exc:
        problems = exc.problems
    from emulation_rules.facts.json_text import parse_json

    try:
        located, smap = parse_json(body.decode("utf-8"), file=REQUEST_FILE)
        _read(located, campaign, smap)
    except FactsError as exc:
        problems = exc.problems
    except (RecursionError, ValueError):  # positions are a courtesy: keep the plain problems
        pass
    raise _facts_problem(problems)


def _read(data: dict[str, Any], campaign: Any, smap: Any) -> tuple[Submission, tuple[Correction, ...]]:
    facts = {k: v for k, v in data.items() if k != "review"}
    submission = parse_facts(facts, campaign, source_map=smap)
    return submission, read_corrections(data["review"], campaign, submission, source_map=smap, path=("review",))


def review_document(engine: Engine, body: bytes, opts: Options, *, max_subjects: int) -> dict[str, Any]:
    """The answer: the reviewed evaluation document with ``self_assessed`` and ``review``.

    Raises:
        ServiceProblem: 4xx for a bad body or options, 500 when the engine fails.
    """
    from emulation_rules.results.review import compare, review_dict

    submission, corrections = parse_review(engine, body, max_subjects)
    as_of = review_date(engine.campaign, opts)
    try:
        assessed = engine.evaluate(submission, as_of=as_of)
        reviewed = engine.evaluate(apply_corrections(submission, corrections), as_of=as_of)
    except EvaluationError as exc:
        raise ServiceProblem(500, "engine-failure", f"the engine failed: {exc}") from None
    review = review_dict(compare(engine.campaign, assessed, reviewed, submission, corrections))
    doc = shape_document(reviewed.to_dict(), opts)
    doc["self_assessed"] = shape_document(assessed.to_dict(), opts)
    doc["review"] = review
    return doc


def review_verdicts(doc: dict[str, Any]) -> dict[str, Any]:
    """The verdicts logged: the reviewed ones (as an evaluation's) and the self-assessed ones."""
    return {**evaluation_verdicts(doc), "self_assessed": evaluation_verdicts(doc["self_assessed"])["subjects"]}


def run_review(served: Served, body: bytes, opts: Options, settings: ServiceSettings) -> Outcome:
    """``POST /campaigns/{id}/reviews``: parse, evaluate twice, compare, serialise."""
    params = parse_params(served.campaign, opts.params)
    try:
        engine = served.engine_for(params)
    except CompileError as exc:
        raise _bad("bad-param", str(exc), ("param",)) from None
    doc = review_document(engine, body, opts, max_subjects=settings.max_subjects)
    return _outcome("review", served, engine.backend, body, dumps(doc), opts.to_dict(), lambda: review_verdicts(doc),
                    settings)
