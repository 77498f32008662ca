"""The HTTP/1.1 connection guard: uvicorn's httptools protocol with limits and deadlines.

uvicorn's own protocol has no bound on a request's head (a 64 MiB header was parsed for 4 s of
CPU, since the parser grows each header value by concatenation) and closes a connection only
after a response (keep-alive): a connection that sends nothing, or its head or body a byte at a
time, was kept for ever. :class:`GuardedProtocol` adds, per connection:

* **head size**: the bytes before the end of the head (request line and headers) are counted
  *before* they reach the parser; over :attr:`Limits.max_head_bytes` -> ``431`` and the
  connection is closed, so a huge header costs what its first chunk costs;
* **header count**: more than :attr:`Limits.max_headers` header fields -> ``431``;
* **head deadline**: a connection must complete each request head within
  :attr:`Limits.head_timeout_s` of opening (or of the request's first byte) -> ``408``, closed;
* **body deadline**: the body must arrive within :attr:`Limits.body_timeout_s` of the head ->
  ``408``, closed (the handler sees the client as gone);
* idle keep-alive connections are closed by uvicorn after ``timeout_keep_alive`` (``serve
  --keep-alive``).

It also tells the application whether an answer reached the connection: the ASGI scope carries
``scope["extensions"]["emulation_rules.delivered"]``, a function true once the whole response
was written to the socket of a connection still open (the decision log uses it, see
:mod:`.decisions`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from emulation_rules.service.problems import PROBLEM_MEDIA_TYPE, problem_body

__all__ = ["DELIVERED", "GuardedProtocol", "Limits", "configure"]

DELIVERED = "emulation_rules.delivered"
"""Scope extension key: a zero-argument function, true once the response reached the socket."""

_END = b"\r\n\r\n"


@dataclasses.dataclass(frozen=True)
class Limits:
    """Per-connection limits (``serve --max-header-bytes``, ``--max-headers``, ...)."""

    max_head_bytes: int = 64 * 1024
    max_headers: int = 100
    head_timeout_s: float = 10.0
    body_timeout_s: float = 60.0


_limits = Limits()


def configure(limits: Limits) -> None:
    """Set the limits of the connections this process accepts from now on."""
    global _limits
    _limits = limits


def current() -> Limits:
    """The limits in force in this process."""
    return _limits


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with head limits and deadlines (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = _limits
        self._in_head = True
        self._head_bytes = 0
        self._tail = b""
        self._n_headers = 0
        self._too_many = False
        self._deadline: asyncio.TimerHandle | None = None

    # deadlines
    def _arm(self, delay: float, what: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(delay, self._expired, what)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, what: str) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:  # the answer is on its way: let it finish
                return
            cycle.disconnected = True  # the handler's later writes are dropped
            cycle.message_event.set()
        self._refuse(408, "request-timeout", f"the request {what} did not arrive in time")

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self._limits.head_timeout_s, "head")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # head limits
    def data_received(self, data: bytes) -> None:
        if self._in_head:
            window = self._tail + data
            end = window.find(_END)
            counted = len(data) if end < 0 else end + len(_END) - len(self._tail)
            self._head_bytes += max(counted, 0)
            if self._head_bytes > self._limits.max_head_bytes:
                self._refuse(
                    431,
                    "head-too-large",
                    f"the request head is over {self._limits.max_head_bytes} bytes",
                )
                return
            if end < 0:
                self._tail = window[-3:]
            else:
                self._in_head = False
                self._tail = b""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError:
            if self._too_many:
                self._refuse(
                    431,
                    "too-many-headers",
                    f"the request has over {self._limits.max_headers} header fields",
                )
            else:
                self.send_400_response("Invalid HTTP request received.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._n_headers = 0
        if self._deadline is None:  # a request after a keep-alive pause
            self._arm(self._limits.head_timeout_s, "head")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._n_headers += 1
        if self._n_headers > self._limits.max_headers:
            self._too_many = True
            raise ValueError("too many header fields")  # stops the parser: 431 above
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._arm(self._limits.body_timeout_s, "body")
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle.scope is self.scope:
            extensions: dict[str, Any] = dict(self.scope.get("extensions") or {})
            extensions[DELIVERED] = lambda: cycle.response_complete and not cycle.disconnected
            self.scope["extensions"] = extensions

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_head = True
        self._head_bytes = 0
        super().on_message_complete()

    def _refuse(self, status: int, code: str, detail: str) -> None:
        """Answer ``status`` as problem+json and close the connection (reading stops)."""
        self._disarm()
        body = orjson.dumps(problem_body(status, code, detail))
        self.transport.write(
            b"".join(
                [
                    STATUS_LINE[status],
                    b"content-type: " + PROBLEM_MEDIA_TYPE.encode() + b"\r\n",
                    b"content-length: %d\r\n" % len(body),
                    b"connection: close\r\n\r\n",
                    body,
                ]
            )
        )
        self.transport.close()
