"""Errors of the HTTP service as ``application/problem+json`` (RFC 9457).

Every error response carries ``type`` (``urn:emulation-rules:<code>``), ``title``, ``status``,
``detail`` and ``problems``: the located problems (:meth:`Problem.to_dict`) when the input had
them. A Python traceback never reaches a client.

Statuses: 400 unreadable body (not UTF-8, not JSON), 401 missing or wrong bearer token,
403 admin call from elsewhere than loopback with authentication off, 404 unknown campaign, route
or decision, 405 wrong method, 408 head or body not received in time, 413 body or subject count
over the limit, 415 wrong media type, 422 invalid facts or options, 431 request head too large or
too many header fields, 500 engine failure, 503 evaluation timeout or decision log down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from starlette.responses import JSONResponse

from emulation_rules.errors import EmulationRulesError, Problem

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "NoCampaignsError",
    "ServiceProblem",
    "problem_body",
    "problem_response",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Content too large",
    408: "Request timeout",
    415: "Unsupported media type",
    422: "Unprocessable content",
    431: "Request header fields too large",
    500: "Engine failure",
    503: "Service unavailable",
}


class ServiceProblem(Exception):
    """Raised by handlers; answered as problem+json.

    Args:
        status: HTTP status.
        code: stable slug, also the end of ``type`` (``urn:emulation-rules:<code>``).
        detail: one human sentence.
        problems: located problems of the input, if any.
        headers: extra response headers (``WWW-Authenticate`` for 401).
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        problems: Iterable[Problem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.problems = tuple(problems)
        self.headers = dict(headers or {})


class NoCampaignsError(EmulationRulesError):
    """The served directory holds no valid campaign: the service refuses to start.

    Attributes:
        problems: file name -> problems of each invalid file.
    """

    def __init__(self, directory: str, problems: Mapping[str, tuple[Problem, ...]]) -> None:
        self.problems = dict(problems)
        lines = [f"no valid campaign in {directory}; the service does not start"]
        lines += [str(p) for ps in self.problems.values() for p in ps]
        super().__init__("\n".join(lines))


def problem_body(
    status: int, code: str, detail: str, problems: Iterable[Problem | Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The problem+json document."""
    return {
        "type": f"urn:emulation-rules:{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "problems": [p.to_dict() if isinstance(p, Problem) else dict(p) for p in problems],
    }


def problem_response(
    status: int,
    code: str,
    detail: str,
    problems: Iterable[Problem | Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    return JSONResponse(
        problem_body(status, code, detail, problems),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )
