"""The service speaks the client's language: ``Accept-Language: vi`` gives the messages of error
responses and of ``/validate`` (``detail``, and each problem's ``message`` and ``hint``) in Vietnamese
(:mod:`emulation_rules.messages`); ``en``, or no header, keeps them in English, as before, for
the programs that read them. Codes, types, paths and ids never change."""

from __future__ import annotations

import contextlib
import json
from typing import Any

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
    """Add the middleware that translates error responses for ``Accept-Language: vi`` (a plain
    ASGI middleware: the request body streams through untouched, so the body limits still answer)."""
    app.add_middleware(_Language)


class _Language:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        if scope["type"] != "http" or preferred(headers.get("accept-language")) != "vi":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        held: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def localised(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                kind = dict(message.get("headers", ())).get(b"content-type", b"").decode("latin-1")
                if kind.startswith("application/problem+json") or (
                        kind.startswith("application/json") and path.endswith("/validate")):
                    held["start"] = message
                    return
            elif message["type"] == "http.response.body" and "start" in held:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(chunks)
                with contextlib.suppress(ValueError):  # not JSON after all: sent as it is
                    body = json.dumps(_localise(json.loads(body)), ensure_ascii=False).encode("utf-8")
                start = held.pop("start")
                out = [(k, v) for k, v in start.get("headers", ()) if k.lower() != b"content-length"]
                out += [(b"content-length", str(len(body)).encode()), (b"content-language", b"vi")]
                await send({**start, "headers": out})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, localised)
