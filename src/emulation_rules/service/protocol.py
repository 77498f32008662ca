"""The HTTP/1.1 connection guard: uvicorn's httptools protocol with limits and deadlines.

uvicorn's own protocol has no bound on a request's head (a 64 MiB header was parsed for 4 s of
CPU, since the parser grows each header value by concatenation) and closes a connection only
after a response (keep-alive): a connection that sends nothing, or its head or body a byte at a
time, was kept for ever. :class:`GuardedProtocol` adds, per connection:

* **head size**: the bytes before the end of the head (request line and headers) are counted
  *before* they reach the parser; over :attr:`Limits.max_head_bytes` -> ``431`` and the
  connection is closed, so a huge header costs what its first chunk costs; the data is fed to the
  parser in pieces cut at the end of each head and body, since one read may end a request and
  begin the next (a body is never taken for a head); a refusal waits for the answers due to the
  requests read before it (pipelined);
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
:mod:`.decisions`), and ``scope["extensions"]["emulation_rules.gone"]``, true once the client
closed its connection before its answer was written (cheaper to ask than starlette's
``is_disconnected``, which cancels a receive each time).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httptools
import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from emulation_rules.service.problems import PROBLEM_MEDIA_TYPE, problem_body

__all__ = ["DELIVERED", "GONE", "GuardedProtocol", "Limits", "configure"]

DELIVERED = "emulation_rules.delivered"
"""Scope extension key: a zero-argument function, true once the response reached the socket."""

GONE = "emulation_rules.gone"
"""Scope extension key: a zero-argument function, true once the client closed its connection
before its whole answer was written (what starlette's ``Request.is_disconnected`` finds by a
cancelled receive, read without one)."""

_END = b"\r\n\r\n"
_MAX_SPLITS = 64
"""Most pieces a read of a chunked body is cut into (at its blank lines); past them the rest is fed
whole, and a next request's head begun in that read is counted from the next read on."""


def _body_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """A request body's length from its head (lower-case names): ``None`` when chunked."""
    for name, value in headers:
        if name == b"transfer-encoding" and b"chunked" in value.lower():
            return None
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the parser refuses it (400)
    return 0


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
        self._in_head = True  # between requests or in a head (the parser's callbacks switch it)
        self._head_bytes = 0
        self._tail = b""  # the last 3 bytes fed, for a blank line split between two reads
        self._body_left: int | None = 0  # bytes of a Content-Length body still to come; None: chunked
        self._n_headers = 0
        self._too_many = False
        self._deadline: asyncio.TimerHandle | None = None
        self._refusal: tuple[int, str, str] | None = None  # sent once the answers due before are sent

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
        """Feed ``data`` to the parser in pieces that end where the parser's state may change
        (the end of a head, of a ``Content-Length`` body, of a blank line in a chunked body), so
        that each byte is known to be of a head or of a body: one read may end a request and hold
        the next one's head, or its head and body (a pipelining or simply fast client); the head
        bytes are counted before they reach the parser."""
        if self._refusal is not None:  # refused, waiting for the answers due before
            return
        self._unset_keepalive_if_required()
        view, pos, size, splits = memoryview(data), 0, len(data), 0
        while pos < size and not self.transport.is_closing():
            if self._in_head:
                end = self._end_after(data, pos)
                stop = size if end < 0 else end
                self._head_bytes += stop - pos
                if self._head_bytes > self._limits.max_head_bytes:
                    limit = self._limits.max_head_bytes
                    self._refuse_in_turn(431, "head-too-large", f"the request head is over {limit} bytes")
                    return
            elif self._body_left is not None:  # a Content-Length body: exactly its bytes
                stop = min(size, pos + self._body_left) if self._body_left else size
                self._body_left -= min(stop - pos, self._body_left)
            else:  # a chunked body ends with a blank line: stop after each one (a few per read at most)
                end = self._end_after(data, pos) if splits < _MAX_SPLITS else -1
                stop, splits = (size, splits) if end < 0 else (end, splits + 1)
            if not self._feed(view[pos:stop]):
                return
            self._tail = (self._tail + data[max(pos, stop - 3) : stop])[-3:]
            pos = stop

    def _end_after(self, data: bytes, pos: int) -> int:
        """The index just after the first blank line (CRLF CRLF) ending in ``data[pos:]``, the
        bytes fed before (``_tail``) included; -1 when there is none."""
        joint = (self._tail + data[pos : pos + 3]).find(_END)
        if joint >= 0:
            return pos + joint + len(_END) - len(self._tail)
        at = data.find(_END, pos)
        return -1 if at < 0 else at + len(_END)

    def _feed(self, piece: memoryview) -> bool:
        """Parse ``piece``; false when the connection was answered and is closing."""
        try:
            self.parser.feed_data(piece)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return False
        except httptools.HttpParserError:
            if self._too_many:
                self._refuse_in_turn(
                    431,
                    "too-many-headers",
                    f"the request has over {self._limits.max_headers} header fields",
                )
            else:
                self.send_400_response("Invalid HTTP request received.")
            return False
        return True

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
        self._in_head = False
        self._body_left = _body_length(self.headers)
        self._arm(self._limits.body_timeout_s, "body")
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle.scope is self.scope:
            extensions: dict[str, Any] = dict(self.scope.get("extensions") or {})
            extensions[DELIVERED] = lambda: cycle.response_complete and not cycle.disconnected
            extensions[GONE] = lambda: cycle.disconnected
            self.scope["extensions"] = extensions

    def on_message_complete(self) -> None:
        """The body is whole: reading goes on, so that a client closing its connection is seen
        while its answer is computed. uvicorn pauses reading while over 64 KiB of body wait for
        the application and resumes it only when the application asks for more; a read that
        brought the body's end over that mark left reading paused until the answer was sent, so
        a client that had left was taken as served (and its decision logged as delivered). What
        comes next is a next request's head: counted by the head limit, and reading pauses again
        at its end while this answer is due (uvicorn's pipelining)."""
        self._disarm()
        self._in_head, self._head_bytes, self._body_left = True, 0, 0
        super().on_message_complete()
        if not self.transport.is_closing():
            self.flow.resume_reading()

    def _refuse_in_turn(self, status: int, code: str, detail: str) -> None:
        """:meth:`_refuse` once the requests read before this one (pipelined) are answered, so
        that each answer goes to its request; reading stops meanwhile."""
        if self._answers_due():
            self._refusal = (status, code, detail)
            self._disarm()  # the refused head's deadline must not cut the answers due
            self.flow.pause_reading()
        else:
            self._refuse(status, code, detail)

    def _answers_due(self) -> bool:
        cycle = self.cycle
        return bool(self.pipeline) or (cycle is not None and not cycle.response_complete and not cycle.disconnected)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._refusal is not None and not self.transport.is_closing() and not self._answers_due():
            self._refuse(*self._refusal)

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
