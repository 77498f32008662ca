"""The service speaks the client's language: the messages of error responses and of ``/validate``
(``detail``, and each problem's ``message`` and ``hint``) are in Vietnamese (the default, as on the
command line) unless ``Accept-Language`` prefers English (:mod:`emulation_rules.messages`). Codes,
types, paths and ids never change: programs read those. Evaluation documents keep the reasons as
the library gives them (English; codes beside them), so that the answer of every evaluation is not
parsed again on its way out."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from emulation_rules.messages import Lang, localise

__all__ = ["install_language", "preferred"]


def preferred(header: str | None) -> Lang:
    """``en`` when the ``Accept-Language`` header prefers English to Vietnamese (quality values
    honoured), else ``vi``: no header, or a header naming neither, gets Vietnamese.

    >>> preferred("en-US,en;q=0.9"), preferred("fr, en;q=0.3, vi;q=0.8"), preferred(None)
    ('en', 'vi', 'vi')
    """
    quality = {"vi": 0.0, "en": 0.0}
    for part in (header or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        lang = tag.strip().lower().split("-")[0]
        try:
            value = float(q) if q else 1.0
        except ValueError:
            value = 0.0
        if lang in quality:
            quality[lang] = max(quality[lang], value)
    return "en" if quality["en"] > quality["vi"] else "vi"


_KEYS = frozenset({"detail", "message", "hint"})


def install_language(app: Any) -> None:
    """Add the middleware that translates error responses unless ``Accept-Language`` asks for English (a plain
    ASGI middleware: the request body streams through untouched, so the body limits still answer)."""
    app.add_middleware(_Language)


class _Language:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        accept = None  # the one header read here (the last one given), without decoding the others
        for k, v in scope.get("headers", ()):
            if k.lower() == b"accept-language":
                accept = v.decode("latin-1")
        if scope["type"] != "http" or preferred(accept) != "vi":
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
                    body = json.dumps(localise(json.loads(body), "vi", _KEYS), ensure_ascii=False).encode("utf-8")
                start = held.pop("start")
                out = [(k, v) for k, v in start.get("headers", ()) if k.lower() != b"content-length"]
                out += [(b"content-length", str(len(body)).encode()), (b"content-language", b"vi")]
                await send({**start, "headers": out})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, localised)
