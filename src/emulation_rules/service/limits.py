"""Guards in front of the handlers: body size limit, bearer tokens, media types.

* :class:`BodyLimit`: ASGI middleware answering 413 for a body over the limit, whether the
  ``Content-Length`` declares it or the streamed bytes reach it (chunked uploads);
* :func:`bearer_auth`: a dependency accepting any of the configured tokens, each compared in
  constant time (:func:`hmac.compare_digest`), so timing does not tell how much of a token matched
  (:func:`bearer_check`: the same check, called by a handler itself);
* :func:`require_media`: 415 unless the body's media type is one the endpoint reads.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulation_rules.service.problems import ServiceProblem, problem_response

__all__ = ["BodyLimit", "bearer_auth", "bearer_check", "require_media"]


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope["headers"]:
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await problem_response(
                        400, "bad-content-length", "Content-Length is not a number"
                    )(scope, receive, send)
                    return
                if declared > self.max_bytes:
                    await self._too_large(declared)(scope, receive, send)
                    return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise ServiceProblem(413, "body-too-large", self._detail(received))
            return message

        await self.app(scope, limited, send)

    def _detail(self, size: int) -> str:
        return f"the body ({size} bytes or more) is over the {self.max_bytes}-byte limit"

    def _too_large(self, size: int) -> Response:
        return problem_response(413, "body-too-large", self._detail(size))


def bearer_auth(tokens: tuple[str, ...]) -> Callable[..., None]:
    accepted = [t.encode() for t in tokens]
    bearer = HTTPBearer(auto_error=False, description="A token from the service's --token-file")

    def require_token(creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:  # noqa: B008
        given = (creds.credentials if creds else "").encode()
        ok = False
        for token in accepted:  # every token is compared, in constant time
            ok |= hmac.compare_digest(given, token)
        if not ok:
            raise ServiceProblem(
                401,
                "unauthorized",
                "a valid bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return require_token


def bearer_check(tokens: tuple[str, ...]) -> Callable[[Request], Awaitable[None]]:
    """:func:`bearer_auth`'s check called by a handler itself (a route without FastAPI's
    dependencies): the same reading of the ``Authorization`` header, the same 401."""
    bearer = HTTPBearer(auto_error=False)
    require = bearer_auth(tokens)

    async def check(request: Request) -> None:
        require(await bearer(request))

    return check


def require_media(request: Request, accepted: tuple[str, ...]) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in accepted or ("application/json" in accepted and media.endswith("+json")):
        return
    raise ServiceProblem(
        415,
        "unsupported-media-type",
        f"send the body as {' or '.join(accepted[:2])}, not {media or 'no type'!r}",
    )
