"""The HTTP service: FastAPI app serving every valid campaign of one directory.

Endpoints (JSON; OpenAPI 3.1 at ``/openapi.json``, docs at ``/docs``; docs/service.md has a
request and a response for each)::

    GET  /healthz, /readyz                       liveness; campaigns loaded (open, no token)
    GET  /campaigns, /campaigns/{id}             served campaigns; metadata and content hash
    GET  /campaigns/{id}/schema                  JSON Schema of a facts submission
    POST /campaigns/{id}/evaluations             facts JSON -> evaluation JSON (with quotas)
    POST /campaigns/{id}/targets                 facts JSON -> target statuses of one phase
    POST /campaigns/{id}/initiatives             facts JSON with a register -> judged initiatives
    POST /campaigns/{id}/reviews                 facts JSON with a review -> both results (.cycle_routes)
    POST /register/decisions, GET /register/subjects/{id}/history   the register of titles
    POST /validate                               campaign YAML -> located problems
    GET  /evaluations/{uuid}                     one logged decision
    POST /admin/reload                           re-read the directory (also on SIGHUP)

Errors are ``application/problem+json`` (:mod:`.problems`). Work that may take time (parsing,
evaluating, serialising) runs in a worker thread under the evaluation timeout; the decision is
then logged and answered in that order (:mod:`.delivery`). Connections are guarded by
:mod:`.protocol` (head size and count, deadlines); with several workers a reload reaches each of
them (:mod:`.supervisor`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import logging
import signal
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from emulation_rules import __version__
from emulation_rules.errors import CampaignError, Problem
from emulation_rules.facts.conferred import ConferralRegister
from emulation_rules.service import protocol
from emulation_rules.service import schemas as s
from emulation_rules.service.cycle_routes import add_cycle_routes
from emulation_rules.service.decisions import DecisionLog
from emulation_rules.service.delivery import ClientDisconnect, answer, compute, in_background, in_thread
from emulation_rules.service.impact import add_impact_routes
from emulation_rules.service.language import install_language
from emulation_rules.service.limits import BodyLimit, bearer_auth, bearer_check, require_media
from emulation_rules.service.logs import speak
from emulation_rules.service.problems import (
    PROBLEM_MEDIA_TYPE,
    NoCampaignsError,
    ServiceProblem,
    problem_response,
)
from emulation_rules.service.query import EvaluationQuery, evaluation_options, query_parameters
from emulation_rules.service.registry import CampaignRegistry, Served, campaign_from_text
from emulation_rules.service.settings import ServiceSettings
from emulation_rules.service.state import ServiceState
from emulation_rules.service.supervisor import Generation, settle_heap, watch_parent
from emulation_rules.service.work import (
    Options,
    dumps,
    run_evaluation,
    run_initiatives,
    run_targets,
)

__all__ = ["app_from_env", "create_app"]

log = logging.getLogger("emulation_rules.service")

_YAML_TYPES = (
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
    "text/plain",
    "application/json",
)


def _problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    ref = {"$ref": "#/components/schemas/ProblemDetails"}
    return {
        st: {"description": s_desc, "content": {PROBLEM_MEDIA_TYPE: {"schema": ref}}}
        for st, s_desc in ((st, _STATUS_DOC[st]) for st in statuses)
    }


_STATUS_DOC = {
    400: "Unreadable body (not UTF-8 or not JSON)",
    401: "Missing or wrong bearer token",
    403: "Admin call from elsewhere than loopback with authentication off",
    404: "Unknown campaign or decision; no register",
    409: "A decision of that number is already recorded for that issuing body",
    413: "Body or subject count over the limit",
    415: "Wrong media type",
    422: "Invalid facts or options (located problems)",
    500: "Engine failure",
    503: "Evaluation timeout or decision log unavailable",
}
_FACTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": s.FACTS_REQUEST_SCHEMA}},
    }
}
_YAML_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/yaml": {"schema": {"type": "string"}}},
    }
}


def create_app(campaigns_dir: str | Path, *, settings: ServiceSettings | None = None) -> FastAPI:
    """Build the service for the campaigns of ``campaigns_dir``.

    Campaigns are loaded (and their engines built) here; invalid files are logged and left out.

    Args:
        campaigns_dir: directory of campaign YAML files.
        settings: limits, tokens, decision log; defaults to :class:`ServiceSettings` defaults
            (no authentication, no decision log).

    Raises:
        NoCampaignsError: no valid campaign in the directory.
        sqlalchemy.exc.SQLAlchemyError: the decision log cannot be opened.
    """
    directory = Path(campaigns_dir)
    settings = dataclasses.replace(settings or ServiceSettings(directory), campaigns_dir=directory)
    speak(settings.lang)  # the log lines below in the operator's language (service/logs.py)
    generation = Generation(Path(settings.generation_file)) if settings.generation_file else None
    # the generation before the directory: a reload raised by another worker while this one
    # reads and builds is caught up at the first request (read after, it would be lost)
    seen, served_generation = generation.read() if generation is not None else (None, 0)
    registry = CampaignRegistry(directory, backend=settings.backend)
    report = registry.reload()
    if not registry.campaigns:
        raise NoCampaignsError(str(directory), report.problems)
    for problems in report.problems.values():
        for p in problems:
            log.warning("left out: %s", p)
    decisions = DecisionLog(settings.log_db) if settings.log_db else None
    titles = ConferralRegister(settings.register_db) if settings.register_db else None
    state = ServiceState(settings, registry, decisions, generation, served_generation, seen)
    protocol.configure(
        protocol.Limits(
            max_head_bytes=settings.max_head_bytes,
            max_headers=settings.max_headers,
            head_timeout_s=settings.head_timeout_s,
            body_timeout_s=settings.body_timeout_s,
        )
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        # SIGHUP: a reload in a worker thread, counted as thread work (small bodies then go to
        # threads: it builds engines under a lock they may need); app.state.hangup does the
        # same from any thread (where no signal reaches: a server in a thread of the tests)
        _app.state.hangup = lambda: loop.call_soon_threadsafe(in_background, state.reload)
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            loop.add_signal_handler(signal.SIGHUP, in_background, state.reload)
        try:
            yield
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
                loop.remove_signal_handler(signal.SIGHUP)
            if decisions is not None:
                await decisions.aclose()  # what is queued on this loop is committed first
            if titles is not None:
                titles.close()

    app = FastAPI(
        title="emulation-rules",
        version=__version__,
        lifespan=lifespan,
        summary="Vietnamese trade-union emulation campaigns as executable, explainable rules.",
        description="Evaluate facts submissions against the served campaigns; every verdict is "
        "explained criterion by criterion with the plan clause it comes from.",
    )
    app.state.service = state
    _install_errors(app)
    install_language(app)  # Accept-Language: vi (service/language.py)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    protected = [Depends(bearer_auth(settings.tokens))] if settings.tokens else []
    auth_errors = (401,) if settings.tokens else ()
    plain = _routes(app, state, protected, auth_errors)
    add_cycle_routes(app, state, protected, _problem_responses, auth_errors, _read, titles)
    _install_openapi(app, plain)
    return app


def app_from_env() -> FastAPI:
    """App factory for uvicorn worker processes (settings from ``SETTINGS_ENV``); the worker
    exits when its parent dies (:func:`~.supervisor.watch_parent`); its start-up heap is
    frozen (:func:`~.supervisor.settle_heap`)."""
    watch_parent()
    settings = ServiceSettings.from_env()
    app = create_app(settings.campaigns_dir, settings=settings)
    settle_heap()
    return app


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ServiceProblem)
    async def _service_problem(_r: Request, exc: ServiceProblem) -> Response:
        return problem_response(exc.status, exc.code, exc.detail, exc.problems, exc.headers)

    @app.exception_handler(ClientDisconnect)  # also ClientGoneError; or the client left mid-body
    async def _gone(_r: Request, _exc: ClientDisconnect) -> Response:
        return Response(status_code=499)  # nobody reads it: the connection is closed

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_r: Request, exc: RequestValidationError) -> Response:
        problems = [
            Problem(
                "invalid-option",
                str(e.get("msg", "invalid")),
                tuple(str(x) for x in e.get("loc", ())),
            )
            for e in exc.errors()
        ]
        return problem_response(
            422, "invalid-options", "invalid query or path parameters", problems
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_r: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem_response(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_r: Request, exc: Exception) -> Response:
        log.exception("unexpected error", exc_info=exc)
        return problem_response(
            500,
            "engine-failure",
            "the engine failed on this request; the server log has the details",
        )


_EVALUATIONS = "/campaigns/{campaign_id}/evaluations"


def _install_openapi(app: FastAPI, plain: list[Route]) -> None:
    """The OpenAPI document of the routes as written. The evaluations are served by a plain
    starlette route (``plain``) tried first: starlette tries each route's pattern in turn (they
    came tenth) and no other pattern matches their paths. FastAPI's route of the same path is
    kept for the document; serving through it cost 0.06 ms more a request (its dependency
    solving and exit stacks, for a handler that reads its query itself, .query, and whose one
    dependency, the bearer token, the plain route checks first, as FastAPI does)."""
    documented = list(app.routes)  # the order written: the OpenAPI document keeps it
    app.router.routes[:0] = plain

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=documented,
            )
            comps = doc.setdefault("components", {}).setdefault("schemas", {})
            problem = s.ProblemDetails.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            comps.update(problem.pop("$defs", {}))
            comps["ProblemDetails"] = problem
            for name in ("HTTPValidationError", "ValidationError"):
                comps.pop(name, None)
            evaluation = doc["paths"]["/campaigns/{campaign_id}/evaluations"]["post"]
            evaluation["parameters"] += query_parameters(EvaluationQuery)  # read by the handler
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _served(state: ServiceState, campaign_id: str) -> Served:
    served = state.registry.campaigns.get(campaign_id)
    if served is None:
        known = sorted(state.registry.campaigns)
        raise ServiceProblem(
            404,
            "unknown-campaign",
            f"no campaign {campaign_id!r} is served; served: {', '.join(known)}",
        )
    return served


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json", headers=headers)


def _routes(
    app: FastAPI, state: ServiceState, protected: list[Any], auth_errors: tuple[int, ...]
) -> list[Route]:
    settings = state.settings

    @app.get("/healthz", tags=["health"], summary="Liveness")
    def healthz() -> dict[str, str]:
        """Always 200 while the process serves requests (no token needed)."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="Readiness: campaigns loaded",
        responses=_problem_responses(503),
    )
    async def readyz() -> Response:
        """200 with the number of campaigns served, the reload generation this process serves
        and each campaign's content hash; 503 when none is loaded (no token needed)."""
        await state.sync()
        served = state.registry.campaigns
        if not served:
            return problem_response(503, "not-ready", "no campaign is loaded")
        return _json(
            {
                "status": "ready",
                "campaigns": len(served),
                "generation": state.served_generation,
                "content_hashes": {k: v.content_hash for k, v in sorted(served.items())},
            }
        )

    @app.get(
        "/campaigns",
        tags=["campaigns"],
        dependencies=protected,
        response_model=list[s.CampaignSummary],
        responses=_problem_responses(*auth_errors),
    )
    async def list_campaigns() -> Response:
        """The served campaigns, by id."""
        await state.sync()
        return _json([_summary(v) for _, v in sorted(state.registry.campaigns.items())])

    @app.get(
        "/campaigns/{campaign_id}",
        tags=["campaigns"],
        dependencies=protected,
        response_model=s.CampaignDetail,
        responses=_problem_responses(*auth_errors, 404, 422),
    )
    async def get_campaign(campaign_id: str) -> Response:
        """Metadata, phases, awards (with criteria and citations), targets, quotas, documents
        and the content hash (SHA-256 of the campaign file)."""
        await state.sync()
        return _json(_detail(_served(state, campaign_id)))

    @app.get(
        "/campaigns/{campaign_id}/schema",
        tags=["campaigns"],
        dependencies=protected,
        response_model=dict[str, Any],
        responses=_problem_responses(*auth_errors, 404, 422),
    )
    async def get_schema(campaign_id: str) -> Response:
        """JSON Schema (2020-12) of a facts submission for this campaign."""
        await state.sync()
        return _json(s.facts_schema(_served(state, campaign_id).campaign))

    post_errors = _problem_responses(*auth_errors, 400, 404, 413, 415, 422, 500, 503)

    @app.post(  # documented here; served by the plain route of the same path (_install_openapi)
        _EVALUATIONS,
        tags=["evaluate"],
        dependencies=protected,
        response_model=s.EvaluationDoc,
        responses=post_errors,
        openapi_extra=_FACTS_BODY,
    )
    async def evaluate(request: Request, campaign_id: str) -> Response:
        """Evaluate a facts submission: the same JSON document as ``evaluate --format json``,
        with quotas. The decision id is in the ``X-Decision-Id`` header."""
        opts = evaluation_options(request)  # the query options, read here, not by FastAPI (.query)
        served, body = await _read(request, state, campaign_id, ("application/json",))
        out = await compute(
            request, lambda: run_evaluation(served, body, opts, settings), settings.timeout_s
        )
        return await answer(request, out, state.decisions, settings.timeout_s)

    guard = bearer_check(settings.tokens) if settings.tokens else None

    async def evaluate_plainly(request: Request) -> Response:
        if guard is not None:
            await guard(request)  # what `protected` does, first, as FastAPI runs it
        return await evaluate(request, request.path_params["campaign_id"])

    plain = [Route(_EVALUATIONS, evaluate_plainly, methods=["POST"])]

    @app.post(
        "/campaigns/{campaign_id}/targets",
        tags=["evaluate"],
        dependencies=protected,
        response_model=s.TargetsDoc,
        responses=post_errors,
        openapi_extra=_FACTS_BODY,
    )
    async def targets(
        request: Request,
        campaign_id: str,
        as_of: str | None = Query(None, description="Review date YYYY-MM-DD; picks the phase"),
        phase: str | None = Query(None, description="Phase id to judge (wins over as_of)"),
        param: list[str] = Query([], description="Parameter override NAME=NUMBER (repeatable)"),  # noqa: B008
    ) -> Response:
        """Judge the campaign's targets (chỉ tiêu) for one phase (``targets --format json``)."""
        served, body = await _read(request, state, campaign_id, ("application/json",))
        opts = Options(as_of=as_of, phase=phase, params=tuple(param))
        out = await compute(
            request, lambda: run_targets(served, body, opts, settings), settings.timeout_s
        )
        return await answer(request, out, state.decisions, settings.timeout_s)

    @app.post(
        "/campaigns/{campaign_id}/initiatives",
        tags=["evaluate"],
        dependencies=protected,
        response_model=s.InitiativesDoc,
        responses=post_errors,
        openapi_extra=_FACTS_BODY,
    )
    async def initiatives(request: Request, campaign_id: str) -> Response:
        """Judge the submission's ``initiatives`` register (``initiatives --format json``)."""
        served, body = await _read(request, state, campaign_id, ("application/json",))
        out = await compute(
            request, lambda: run_initiatives(served, body, settings), settings.timeout_s
        )
        return await answer(request, out, state.decisions, settings.timeout_s)

    @app.post(
        "/validate",
        tags=["campaigns"],
        dependencies=protected,
        response_model=s.ValidationDoc,
        openapi_extra=_YAML_BODY,
        responses=_problem_responses(*auth_errors, 413, 415, 503),
    )
    async def validate(request: Request) -> Response:
        """Validate a campaign YAML text (never a path): ``ok`` and the located problems,
        located in ``<request>``."""
        require_media(request, _YAML_TYPES)
        body = await request.body()
        return _json(await in_thread(lambda: _validate(body), settings.timeout_s))

    async def served_by_id(campaign_id: str) -> Served:
        await state.sync()
        return _served(state, campaign_id)

    add_impact_routes(app, lambda r, cid: _read(r, state, cid, ("application/json",)), served_by_id, settings,
                      protected, post_errors, _FACTS_BODY)  # advice and diff (service/impact.py)

    @app.get(
        "/evaluations/{decision_id}",
        tags=["decisions"],
        dependencies=protected,
        response_model=s.DecisionDoc,
        responses=_problem_responses(*auth_errors, 404, 422),
    )
    def get_decision(decision_id: uuid.UUID) -> Response:
        """One logged decision (the submission itself is never returned here)."""
        if state.decisions is None:
            raise ServiceProblem(404, "decision-log-off", "this service keeps no decision log")
        record = state.decisions.get(str(decision_id))
        if record is None:
            raise ServiceProblem(404, "unknown-decision", f"no decision {decision_id} in the log")
        return _json(record.to_dict())

    @app.post(
        "/admin/reload",
        tags=["admin"],
        dependencies=protected,
        response_model=s.ReloadDoc,
        responses=_problem_responses(*auth_errors, 403, 503),
    )
    async def reload(request: Request) -> Response:
        """Re-read the campaign directory atomically (as on SIGHUP). A file with problems never
        replaces the version being served: it is reported under ``problems`` and ``kept``.
        With several workers, this one reloads before answering and raises the reload
        generation: every other worker re-reads the directory before its next request
        (``/readyz`` shows the generation each serves). With authentication off, only loopback
        clients may call it."""
        if not settings.tokens and not _loopback(request):
            raise ServiceProblem(
                403,
                "forbidden",
                "reload is open to loopback clients only when the service runs without tokens",
            )
        report = await in_thread(state.reload, settings.timeout_s)
        return _json(report.to_dict())

    return plain


async def _read(
    request: Request, state: ServiceState, campaign_id: str, media: tuple[str, ...]
) -> tuple[Served, bytes]:
    await state.sync()
    served = _served(state, campaign_id)
    require_media(request, media)
    return served, await request.body()


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("testclient", "localhost")


def _validate(body: bytes) -> dict[str, Any]:
    try:
        campaign = campaign_from_text(body, file="<request>")
    except CampaignError as exc:
        problems = getattr(exc, "problems", ()) or (Problem("unreadable", str(exc)),)
        return {"ok": False, "campaign": None, "problems": [p.to_dict() for p in problems]}
    except RecursionError:
        return {
            "ok": False,
            "campaign": None,
            "problems": [Problem("too-deep", "the YAML nests too deeply").to_dict()],
        }
    return {"ok": True, "campaign": campaign.id, "problems": []}


def _summary(v: Served) -> dict[str, Any]:
    c = v.campaign
    return {
        "id": c.id,
        "title": {"vi": c.title.vi, "en": c.title.en},
        "document_number": c.plan.number,
        "mode": c.mode,
        "content_hash": v.content_hash,
        "file": v.file,
    }


_DETAIL_FIELDS = {
    "id",
    "title",
    "issuer",
    "documents",
    "mode",
    "legal_basis",
    "phases",
    "reviews",
    "subjects",
    "parameters",
    "awards",
    "targets",
    "quotas",
    "initiatives",
    "defects",
}


def _detail(v: Served) -> dict[str, Any]:
    data = v.campaign.model_dump(mode="json", by_alias=True, include=_DETAIL_FIELDS)
    data["content_hash"] = v.content_hash
    data["file"] = v.file
    return data
