"""The service speaks the client's language: ``Accept-Language: vi`` gives the messages of error
responses and of ``/validate`` (``detail``, and each problem's ``message`` and ``hint``) in Vietnamese
(:mod:`emulation_rules.messages`); ``en``, or no header, keeps them in English, as before, for
the programs that read them. Codes, types, paths and ids never change."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulation_rules.messages import Lang, translate_message

__all__ = ["install_language", "preferred"]


def preferred(header: str | None) -> Lang:
    """The first of ``vi`` and ``en`` the ``Accept-Language`` header prefers (quality values
    honoured); ``en`` when it names neither."""
    best: tuple[float, Lang] = (0.0, "en")
    for part in (header or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        lang = tag.strip().lower().split("-")[0]
        try:
            quality = float(q) if q else 1.0
        except ValueError:
            quality = 0.0
        if lang in ("vi", "en") and quality > best[0]:
            best = (quality, lang)  # type: ignore[assignment]
    return best[1]


def _localise(data: Any) -> Any:
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key in ("detail", "message", "hint") and isinstance(value, str):
                out[key] = translate_message(value) or value
            else:
                out[key] = _localise(value) if key == "problems" else value
        return out
    if isinstance(data, list):
        return [_localise(v) for v in data]
    return data


def install_language(app: Any) -> None:
    """Add the middleware that translates error responses for ``Accept-Language: vi``."""

    @app.middleware("http")  # type: ignore[untyped-decorator]  # app is typed Any here
    async def _language(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        kind = response.headers.get("content-type", "")
        problems = kind.startswith("application/problem+json") or (
            kind.startswith("application/json") and request.url.path.endswith("/validate"))
        if not problems or preferred(request.headers.get("accept-language")) != "vi":
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        try:
            data = _localise(json.loads(body))
        except ValueError:
            data = None
        text = body if data is None else json.dumps(data, ensure_ascii=False).encode("utf-8")
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        headers["content-language"] = "vi"
        return Response(text, status_code=response.status_code, headers=headers,
                        media_type=response.media_type)
