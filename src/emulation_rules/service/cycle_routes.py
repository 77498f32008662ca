"""The yearly review's endpoints (issue 20), behind the service's token like every other::

    POST /campaigns/{id}/reviews                 facts + corrections -> both results (.review)
    POST /register/decisions                     record a decision in the register (.titles)
    GET  /register/subjects/{subject}/history    a subject's titles from the register

The register is the one of ``serve --register DB`` (a SQLite file or a PostgreSQL URL); without
it the register endpoints answer 404 ``register-off``. A review is a decision like an
evaluation: computed under the timeout, logged (kind ``review``), then answered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from emulation_rules.facts.conferred import ConferralRegister
from emulation_rules.service import schemas as s
from emulation_rules.service.delivery import answer, compute, in_thread
from emulation_rules.service.limits import require_media
from emulation_rules.service.problems import ServiceProblem
from emulation_rules.service.registry import CampaignRegistry, Served
from emulation_rules.service.work import Options, dumps

__all__ = ["add_cycle_routes"]


def add_cycle_routes(
    app: FastAPI,
    state: Any,
    protected: list[Any],
    responses: Callable[..., dict[int | str, dict[str, Any]]],
    auth_errors: tuple[int, ...],
    read: Callable[[Request, Any, str, tuple[str, ...]], Awaitable[tuple[Served, bytes]]],
    register: ConferralRegister | None,
) -> None:
    """Add the review and register routes to ``app`` (``state``: the app's state, with
    ``settings``, ``registry`` and ``decisions``; ``read``: the body reader of a campaign's
    POST; ``responses``: the problem responses of some statuses, for the OpenAPI document)."""
    settings = state.settings
    registry: CampaignRegistry = state.registry

    @app.post(
        "/campaigns/{campaign_id}/reviews",
        tags=["evaluate"],
        dependencies=protected,
        response_model=s.ReviewDoc,
        responses=responses(*auth_errors, 400, 404, 413, 415, 422, 500, 503),
        openapi_extra=_body(s.REVIEW_REQUEST_SCHEMA),
    )
    async def review(
        request: Request,
        campaign_id: str,
        as_of: str | None = Query(None, description="Review date YYYY-MM-DD (default: the submission's as_of)"),
        phase: str | None = Query(None, description="Phase id; the review date is its last day (exclusive with as_of)"),
        param: list[str] = Query([], description="Parameter override NAME=NUMBER (repeatable)"),  # noqa: B008
        explain: bool = Query(True, description="false: criteria lists are left empty"),
        lang: Literal["vi", "en"] | None = Query(None, description="keep labels in one language"),
    ) -> Response:
        """The self-assessment beside the upper level's review (``evaluate --reviewed FILE --format
        json``): the body is a facts submission with ``review`` (the corrections: subject, fact or
        score-sheet item, value, note, reviewer); the answer is the reviewed evaluation document
        (the verdicts that count) with ``self_assessed`` (the unit's own) and ``review`` (per subject
        corrected: both values and the note of every corrected fact, each award's two verdicts,
        points and bands, the criteria that changed). The decision id is in ``X-Decision-Id``."""
        from emulation_rules.service.review import run_review

        served, body = await read(request, state, campaign_id, ("application/json",))
        opts = Options(as_of=as_of, phase=phase, params=tuple(param), explain=explain, lang=lang)
        out = await compute(request, lambda: run_review(served, body, opts, settings), settings.timeout_s)
        return await answer(request, out, state.decisions, settings.timeout_s)

    def store() -> ConferralRegister:
        if register is None:
            raise ServiceProblem(404, "register-off", "this service keeps no register of titles conferred "
                                 "(start it with --register DB) (dịch vụ không có sổ theo dõi khen thưởng)")
        return register

    @app.post(
        "/register/decisions",
        tags=["register"],
        dependencies=protected,
        status_code=201,
        response_model=s.RegisterDecisionDoc,
        responses=responses(*auth_errors, 400, 404, 409, 413, 415, 422, 503),
        openapi_extra=_body(s.DECISION_REQUEST_SCHEMA),
    )
    async def record(request: Request) -> Response:
        """Record a decision in the register of titles conferred (``register add``): its number,
        date and issuing body, and the titles from an evaluation document (``evaluation``: the
        awarded ones within every quota of the served campaign it names) or listed
        (``conferrals``). ``revokes`` makes it a revocation of an earlier decision of the same
        body. Append-only; a decision number is recorded once per issuing body (409)."""
        from emulation_rules.service.titles import record_decision

        await state.sync()
        target = store()
        require_media(request, ("application/json",))
        body = await request.body()
        doc = await in_thread(lambda: record_decision(target, registry, body), settings.timeout_s)
        return Response(dumps(doc), status_code=201, media_type="application/json")

    @app.get(
        "/register/subjects/{subject_id}/history",
        tags=["register"],
        dependencies=protected,
        response_model=s.HistoryDoc,
        responses=responses(*auth_errors, 404, 422, 503),
    )
    async def history(subject_id: str) -> Response:
        """The titles a subject holds according to the register, revocations applied
        (``register history --format json``): what ``evaluate --register`` reads as its history."""
        from emulation_rules.service.titles import history_document

        target = store()
        doc = await in_thread(lambda: history_document(target, subject_id), settings.timeout_s)
        return Response(dumps(doc), media_type="application/json")


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
