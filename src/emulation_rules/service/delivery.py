"""From a computed answer to its client, through the decision log, in that order.

A decision request goes: body read -> :func:`compute` (parse, evaluate, serialise under the
evaluation timeout: in a worker thread, or on the event loop itself for a small body) ->
:func:`answer` (queue the decision to the log and wait for its commit) -> :class:`LoggedResponse`
(send, then check that the answer reached the socket).

* over the timeout: 503, nothing is logged (the abandoned computation logs nothing either);
* the client left before the answer was ready: nothing is logged, nothing is sent;
* the client left while the decision was being committed, or the answer could not be written
  to its connection: the decision stays (append-only) and is marked undelivered
  (``client-disconnected``); a commit slower than the timeout: 503 and the mark ``log-timeout``;
* the log cannot be written: 503 ``decision-log-unavailable``, no verdict sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from fastapi import Request
from fastapi.responses import Response
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from emulation_rules.service.decisions import DecisionLog, Waiter
from emulation_rules.service.problems import ServiceProblem
from emulation_rules.service.protocol import DELIVERED, GONE
from emulation_rules.service.work import Outcome

__all__ = ["INLINE_BYTES", "ClientDisconnect", "ClientGoneError", "LoggedResponse", "answer", "compute",
           "in_background",
           "in_thread"]

T = TypeVar("T")

INLINE_BYTES = 8 * 1024
"""A body of at most this many bytes (one grassroots union: some fifteen people) is computed on
the event loop itself, not handed to a worker thread: the hand-over and the thread's wake-ups cost
more CPU than such a request's evaluation (0.5 ms of 2.6 ms per one-unit request, measured with
``benchmarks/bench_service.py``), and its work is a few milliseconds at most. Its timeout is then
checked when it ends (503, nothing logged, as for a thread abandoned at the timeout); a larger body
goes to a thread, abandoned at the timeout itself. While any work handed to a thread has not ended
(:func:`in_thread`, an abandoned one included), a small body goes to a thread too: that work may
hold a lock the small one needs (the durable backend's, the registry's), and waiting for it on the
loop would stop the whole process."""

_THREADS = threading.Lock()
_in_threads = 0
"""Work handed to worker threads by :func:`in_thread` that has not ended yet."""


class ClientGoneError(ClientDisconnect):
    """The client closed its connection before its answer was ready: nothing to send (a kind of
    starlette's ``ClientDisconnect``, raised when the client leaves while its body is read: one
    handler answers both, and no traceback is logged)."""


async def in_thread(fn: Callable[[], T], timeout_s: float) -> T:
    """Run ``fn`` in a worker thread; 503 ``evaluation-timeout`` past ``timeout_s``."""
    global _in_threads
    state = ["handed"]  # -> "running" -> "ended" in the thread, or "dropped" if it never started

    def run() -> T:
        global _in_threads
        with _THREADS:
            counted = state[0] == "handed"
            state[0] = "running"
        try:
            return fn()
        finally:
            with _THREADS:
                state[0] = "ended"
                _in_threads -= counted

    with _THREADS:
        _in_threads += 1
    try:
        with anyio.fail_after(timeout_s):
            return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
    except TimeoutError:
        raise _timed_out(timeout_s) from None
    finally:
        with _THREADS:
            if state[0] == "handed":  # cancelled before a thread took it: no longer counted
                state[0] = "dropped"
                _in_threads -= 1


def in_background(fn: Callable[[], object]) -> None:
    """Start ``fn`` in a worker thread of the running loop and return at once (what ``SIGHUP``
    starts: a reload), counted as work in a thread until it ends, as :func:`in_thread` counts:
    meanwhile small bodies go to threads too, since ``fn`` may hold a lock they need (a reload
    builds engines under the registry's). Must be called on the event loop's thread."""
    global _in_threads

    def run() -> None:
        global _in_threads
        try:
            fn()
        finally:
            with _THREADS:
                _in_threads -= 1

    with _THREADS:
        _in_threads += 1
    try:
        asyncio.get_running_loop().run_in_executor(None, run)
    except BaseException:
        with _THREADS:
            _in_threads -= 1
        raise


async def _gone(request: Request) -> bool:
    """Whether the client closed its connection: from the server's protocol when it tells
    (:data:`~.protocol.GONE`), else by starlette's cancelled receive (another server)."""
    gone = request.scope.get("extensions", {}).get(GONE)
    return bool(gone()) if gone is not None else await request.is_disconnected()


def _timed_out(timeout_s: float) -> ServiceProblem:
    return ServiceProblem(503, "evaluation-timeout", f"the request took longer than {timeout_s:g} s")


async def compute(request: Request, fn: Callable[[], Outcome], timeout_s: float) -> Outcome:
    """The answer of ``fn``, unless the time ran out (503) or the client left meanwhile; on the
    event loop for a body of at most :data:`INLINE_BYTES` (read already: starlette keeps it) while
    no work handed to a thread runs."""
    if len(await request.body()) <= INLINE_BYTES and not _in_threads:
        started = time.monotonic()
        out = fn()
        if time.monotonic() - started > timeout_s:
            raise _timed_out(timeout_s)
    else:
        out = await in_thread(fn, timeout_s)
    if await _gone(request):
        raise ClientGoneError
    return out


async def answer(
    request: Request, out: Outcome, decisions: DecisionLog | None, timeout_s: float
) -> Response:
    """Log ``out``'s decision (waiting for its commit), then the response that sends it."""
    if decisions is None:
        return Response(out.body, media_type="application/json")
    decision_id, done = decisions.submit(**out.log)
    try:
        await _committed(done, timeout_s)
    except TimeoutError:
        decisions.mark_undelivered(decision_id, "log-timeout")
        raise ServiceProblem(
            503,
            "decision-log-unavailable",
            f"the decision log did not commit within {timeout_s:g} s; nothing was answered",
        ) from None
    except Exception as exc:
        raise ServiceProblem(
            503,
            "decision-log-unavailable",
            f"the decision could not be logged ({type(exc).__name__}); nothing was answered",
        ) from None
    if await _gone(request):
        decisions.mark_undelivered(decision_id, "client-disconnected")
        raise ClientGoneError
    return LoggedResponse(
        out.body,
        media_type="application/json",
        headers={"X-Decision-Id": decision_id},
        on_lost=lambda: decisions.mark_undelivered(decision_id, "client-disconnected"),
    )


async def _committed(done: Waiter, timeout_s: float) -> None:
    """Wait for a decision's commit; ``TimeoutError`` past ``timeout_s``. A future of the running
    loop (the log commits on it, :mod:`.decisions`) is awaited as it is under a plain timer, which
    costs a fifth of anyio's cancel scope; a future of the writer thread under the scope."""
    if not isinstance(done, asyncio.Future):
        with anyio.fail_after(timeout_s):
            await asyncio.wrap_future(done)
        return
    timer = asyncio.get_running_loop().call_later(timeout_s, _expire, done)
    try:
        await done
    finally:
        timer.cancel()


def _expire(done: asyncio.Future[None]) -> None:
    if not done.done():  # the log skips a waiter that is done already
        done.set_exception(TimeoutError())


class LoggedResponse(Response):
    """A response that reports, after sending, an answer that did not reach its connection.

    The server's protocol (:mod:`.protocol`) tells through the scope extension
    :data:`~.protocol.DELIVERED`; under another server the answer counts as delivered.
    """

    def __init__(self, *args: object, on_lost: Callable[[], object], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._on_lost = on_lost

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            delivered = scope.get("extensions", {}).get(DELIVERED)
            if delivered is not None and not delivered():
                with contextlib.suppress(Exception):
                    self._on_lost()
