"""The connection guard keeps reading once a request's body is whole (service/protocol.py,
``GuardedProtocol.on_message_complete``), so that a client that leaves while its answer is
computed is seen as gone, and its decision is not logged.

The protocol is driven in process over a real socket pair, its reads given as the event loop gives
them: uvicorn pauses reading while over 64 KiB of body wait for the application and resumes when
the application asks for more. A body whose last read brings over 64 KiB after the application
began waiting for it left reading paused until the answer was sent (the race behind
tests/service/test_faults.py::test_a_client_that_left_is_not_logged under load)."""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from uvicorn.server import ServerState

from emulation_rules.service.protocol import GONE, GuardedProtocol, Limits, configure

HEAD = b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"


async def _drive(rest: int) -> tuple[bool, bool]:
    """Send a head and 100 bytes of body, let the application wait for more, then the other
    ``rest`` bytes in one read, then the client's leaving; (whether the transport reads after the
    body, whether the application sees the client as gone while it computes)."""
    body_read = asyncio.Event()
    computed = asyncio.Event()
    seen: list[bool] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        body_read.set()
        await computed.wait()  # the answer being computed
        seen.append(bool(scope["extensions"][GONE]()))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    configure(Limits())
    config = uvicorn.Config(app, http=GuardedProtocol, log_level="error")
    config.load()
    loop = asyncio.get_running_loop()
    ours, theirs = socket.socketpair()
    try:
        transport, protocol = await loop.connect_accepted_socket(
            lambda: GuardedProtocol(config=config, server_state=ServerState(), app_state={}), ours
        )
        assert isinstance(protocol, GuardedProtocol)
        protocol.data_received(HEAD % (100 + rest) + b"x" * 100)  # one read
        for _ in range(5):
            await asyncio.sleep(0)  # the application reads the 100 bytes and waits for more
        protocol.data_received(b"x" * rest)  # one read: the rest of the body
        await asyncio.wait_for(body_read.wait(), 5)
        reading = transport.is_reading()
        theirs.close()  # the client leaves
        for _ in range(500):  # at most 5 s; at once when reading goes on
            if protocol.cycle.disconnected:
                break
            await asyncio.sleep(0.01)
        computed.set()
        for _ in range(5):
            await asyncio.sleep(0)
        transport.close()
        return reading, seen == [True]
    finally:
        theirs.close()


def test_a_body_ending_in_a_read_over_64_kib_leaves_reading_on() -> None:
    reading, gone = asyncio.run(_drive(100_000))
    assert reading
    assert gone


def test_a_body_ending_in_a_small_read_leaves_reading_on() -> None:
    reading, gone = asyncio.run(_drive(1_000))
    assert reading
    assert gone
