"""The service's advice and impact endpoints: ``advise`` and ``diff`` for systems that do not run
the command line (issue 25).

- ``POST /campaigns/{id}/advice?subject=S[&award=A]`` or ``?unit=U``: the same JSON as
  ``emulation-rules advise --format json``: for a subject, per award it does not get, the
  smallest checked fact changes; for a unit, what each of its quota groups and targets lacks.
- ``POST /campaigns/{id}/diff?old_param=K=V&new_param=K=V`` (one campaign, other parameter
  values) or ``?against=OTHER`` (the served campaign OTHER as the new rules): the same JSON as
  ``emulation-rules diff --format json``: who gains and who loses, per award, unit and level,
  targets and quotas whose status changes, and the rules that differ.

The body is a facts submission (JSON), read and checked as for an evaluation. Neither answer is
a decision, so neither is written to the decision log; both run under the service's time limit.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from emulation_rules.campaign import model as m
from emulation_rules.engine import Engine
from emulation_rules.errors import CompileError, EvaluationError, unknown_id
from emulation_rules.facts.reader import Submission
from emulation_rules.service.delivery import in_thread
from emulation_rules.service.problems import ServiceProblem
from emulation_rules.service.registry import Served
from emulation_rules.service.settings import ServiceSettings
from emulation_rules.service.work import _bad, _date, _phase, dumps, parse_params, parse_submission

__all__ = ["add_impact_routes", "advice_document", "diff_document"]

Reader = Callable[[Request, str], Awaitable[tuple[Served, bytes]]]


def _when(campaign: m.Campaign, as_of: str | None, phase: str | None) -> tuple[dt.date | None, str | None]:
    day = _date(as_of)
    chosen = _phase(campaign, phase)
    if chosen is not None and day is not None:
        raise _bad("conflicting-options", "give as_of or phase, not both", ("phase",))
    return day, None if chosen is None else chosen.id


def advice_document(served: Served, submission: Submission, *, subject: str | None, unit: str | None,
                    award: str | None, as_of: str | None, phase: str | None,
                    params: tuple[str, ...]) -> dict[str, Any]:
    """``advise --format json`` for one subject (``subject``) or one unit (``unit``).

    Raises:
        ServiceProblem: 422 for bad options (both or neither of subject and unit, an unknown
            subject or award, a bad date, phase or parameter); 500 when the engine fails.
    """
    from emulation_rules.advice import advise, advise_unit
    from emulation_rules.advice_targets import advise_targets

    campaign = served.campaign
    if (subject is None) == (unit is None):
        raise _bad("conflicting-options", "give subject or unit, exactly one", ("subject",))
    values = parse_params(campaign, params)
    day, phase_id = _when(campaign, as_of, phase)
    try:
        engine = Engine(campaign, params=values, backend="python")
    except CompileError as exc:
        raise _bad("bad-param", str(exc), ("param",)) from None
    try:
        if unit is not None:
            uid = unicodedata.normalize("NFC", unit.strip())
            quotas = advise_unit(engine, submission, uid, as_of=day, phase=phase_id)
            targets = advise_targets(campaign, submission, unit=uid, as_of=day, phase=phase_id, params=values)
            return {"format_version": 1, "campaign": campaign.id, "unit": uid,
                    "quotas": [q.to_dict() for q in quotas], "targets": [t.to_dict() for t in targets]}
        sid = unicodedata.normalize("NFC", (subject or "").strip())
        found = next((x for x in submission.subjects if x.id == sid), None)
        if found is None:
            message, hint = unknown_id("subject", sid, [x.id for x in submission.subjects])
            raise _bad("unknown-subject", message, ("subject",), hint)
        awards = [a.id for a in campaign.awards if a.subject == found.kind]
        if award is not None:
            if award not in awards:
                message, hint = unknown_id("award", award, awards)
                raise _bad("unknown-award", message, ("award",), hint)
            awards = [award]
        items = [advise(engine, found, a, as_of=day or submission.as_of, phase=phase_id) for a in awards]
    except (EvaluationError, KeyError) as exc:
        raise ServiceProblem(500 if isinstance(exc, EvaluationError) else 422,
                             "engine-failure" if isinstance(exc, EvaluationError) else "invalid-options",
                             f"cannot advise: {exc}") from None
    return {"format_version": 1, "campaign": campaign.id, "subject": found.id,
            "advice": [i.to_dict() for i in items]}


def diff_document(old: Served, new: Served, submissions: tuple[Submission, Submission], *,
                  old_params: tuple[str, ...], new_params: tuple[str, ...], as_of: str | None,
                  phase: str | None) -> dict[str, Any]:
    """``diff --format json``: ``old`` with ``old_params`` against ``new`` with ``new_params``,
    on the same facts read for each (``submissions``: old, new).

    Raises:
        ServiceProblem: 422 for bad options; 500 when the engine fails.
    """
    from emulation_rules.results.impact import impact, rule_changes
    from emulation_rules.results.targets import evaluate_targets

    before_params, after_params = parse_params(old.campaign, old_params), parse_params(new.campaign, new_params)
    day, phase_id = _when(old.campaign, as_of, phase)

    def run(campaign: m.Campaign, values: dict[str, float], submission: Submission) -> tuple[Any, tuple[Any, ...]]:
        try:
            evaluation = Engine(campaign, params=values, backend="python").evaluate(submission, as_of=day,
                                                                                    phase=phase_id)
        except CompileError as exc:
            raise _bad("bad-param", str(exc), ("param",)) from None
        except EvaluationError as exc:
            raise ServiceProblem(500, "engine-failure", f"the engine failed: {exc}") from None
        targets: tuple[Any, ...] = ()
        if campaign.targets and evaluation.as_of is not None:
            try:
                targets = evaluate_targets(campaign, submission, as_of=evaluation.as_of, phase=phase_id,
                                           params=values).results
            except KeyError:
                targets = ()
        return evaluation, targets

    before, old_targets = run(old.campaign, before_params, submissions[0])
    after, new_targets = run(new.campaign, after_params, submissions[1])
    rules = rule_changes(old.campaign, new.campaign, old_params=before_params, new_params=after_params)
    return impact(before, after, old_targets=old_targets, new_targets=new_targets, rules=rules).to_dict()


def add_impact_routes(app: FastAPI, read: Reader, served_by_id: Callable[[str], Awaitable[Served]],
                      settings: ServiceSettings, protected: list[Any], errors: dict[int | str, dict[str, Any]],
                      body: dict[str, Any]) -> None:
    """Register ``POST /campaigns/{id}/advice`` and ``POST /campaigns/{id}/diff`` on ``app``."""

    @app.post("/campaigns/{campaign_id}/advice", tags=["advice"], dependencies=protected,
              response_model=dict[str, Any], responses=errors, openapi_extra=body)
    async def advice(
        request: Request,
        campaign_id: str,
        subject: str | None = Query(None, description="the subject to advise (or unit)"),
        unit: str | None = Query(None, description="the unit whose quotas and targets to advise (or subject)"),
        award: str | None = Query(None, description="only this award (with subject)"),
        as_of: str | None = Query(None, description="Review date YYYY-MM-DD (default: the submission's)"),
        phase: str | None = Query(None, description="Phase id (exclusive with as_of)"),
        param: list[str] = Query([], description="Parameter override NAME=NUMBER (repeatable)"),  # noqa: B008
    ) -> Response:
        """What a subject lacks for each award it does not get (the smallest checked fact changes,
        with the criteria and clauses they satisfy), or what a unit's quotas and targets lack
        (``advise --format json``). Not written to the decision log."""
        served, raw = await read(request, campaign_id)

        def work() -> bytes:
            submission = parse_submission(served.campaign, raw, settings.max_subjects)
            return dumps(advice_document(served, submission, subject=subject, unit=unit, award=award,
                                         as_of=as_of, phase=phase, params=tuple(param)))

        return Response(await in_thread(work, settings.timeout_s), media_type="application/json")

    @app.post("/campaigns/{campaign_id}/diff", tags=["advice"], dependencies=protected,
              response_model=dict[str, Any], responses=errors, openapi_extra=body)
    async def diff(
        request: Request,
        campaign_id: str,
        against: str | None = Query(None, description="a served campaign id: the new rules (default: the same)"),
        old_param: list[str] = Query([], description="NAME=NUMBER for the old rules (repeatable)"),  # noqa: B008
        new_param: list[str] = Query([], description="NAME=NUMBER for the new rules (repeatable)"),  # noqa: B008
        as_of: str | None = Query(None, description="Review date YYYY-MM-DD (default: the submission's)"),
        phase: str | None = Query(None, description="Phase id (exclusive with as_of)"),
    ) -> Response:
        """Who gains and who loses between two rule sets on the same submission: per award, unit
        and level, targets and quotas whose status changes, and the rules that differ
        (``diff --format json``). Not written to the decision log."""
        old, raw = await read(request, campaign_id)
        new = old if against is None else await served_by_id(against)

        def work() -> bytes:
            first = parse_submission(old.campaign, raw, settings.max_subjects)
            second = first if new is old else parse_submission(new.campaign, raw, settings.max_subjects)
            return dumps(diff_document(old, new, (first, second), old_params=tuple(old_param),
                                       new_params=tuple(new_param), as_of=as_of, phase=phase))

        return Response(await in_thread(work, settings.timeout_s), media_type="application/json")
