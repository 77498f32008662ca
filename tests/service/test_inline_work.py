"""A small body computed on the event loop (service/delivery.py ``INLINE_BYTES``) never holds the
loop while it waits for a lock that a computation in a worker thread holds.

A large body's evaluation runs in a worker thread; with the durable backend it holds the
evaluator's lock (durable-rules is driven one session at a time, evaluate/durable/engine.py), and
an engine for parameter overrides is looked up under the registry's lock. A small body computed on
the loop at that moment would wait for the same lock there, and the whole process would stop
answering (every other connection, ``/healthz``, the decision log's commits) until the large one
ended. The lock is held here by the test, at a gate that counts who reached it: the large request
reaches it from its thread, then the small one; ``/healthz`` must still answer meanwhile.
The same while a reload started by ``SIGHUP`` builds an engine under the registry's lock.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulation_rules.evaluate.base import backend_problem
from emulation_rules.service import registry
from emulation_rules.service.app import create_app
from emulation_rules.service.delivery import INLINE_BYTES
from emulation_rules.service.settings import ServiceSettings

from .conftest import JSON, UNIT_BODY, WAIT_S, copy_campaigns, serving_in_thread, unit


class _Gate:
    """A lock's stand-in: counts each entry, then takes the real lock (held by the test)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.entries = 0
        self.changed = threading.Condition()

    def __enter__(self) -> _Gate:
        with self.changed:
            self.entries += 1
            self.changed.notify_all()
        self.inner.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.inner.release()

    def wait_for(self, entries: int) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.entries >= entries, WAIT_S)


def _small_waits_while_the_loop_serves(gate: _Gate, url: str, little: threading.Thread, holder: str) -> None:
    """With the gate's lock held by the test: ``holder`` (started) reaches it first, then the small
    request ``little`` (started here); ``/healthz`` must still answer while both wait."""
    assert gate.wait_for(1), f"{holder} did not reach the lock"
    little.start()
    assert gate.wait_for(2), "the small request did not reach the lock"
    health = httpx.get(f"{url}/healthz", timeout=5.0)  # the loop still serves
    assert health.status_code == 200


@pytest.mark.parametrize("held", ["durable", "params"])
def test_a_small_request_does_not_stop_the_loop_while_a_thread_holds_its_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: str
) -> None:
    if held == "durable" and backend_problem("durable") is not None:
        pytest.skip("durable-rules is not available on this Python")
    campaigns = copy_campaigns(tmp_path / "campaigns", "tkv_2019")
    backend = "durable" if held == "durable" else "python"
    app = create_app(campaigns, settings=ServiceSettings(campaigns, backend=backend))  # type: ignore[arg-type]
    served = app.state.service.registry.campaigns["tkv_2019"]
    if held == "durable":
        impl = served.engine._impl
        gate = _Gate(impl._lock)
        monkeypatch.setattr(impl, "_lock", gate)
        query = ""
    else:
        gate = _Gate(registry._ENGINES_LOCK)
        monkeypatch.setattr(registry, "_ENGINES_LOCK", gate)
        query = "?param=many_individuals_min=3"  # tkv_2019's one parameter (default 2)
    small = unit()
    small["subjects"] = small["subjects"][:4]
    small_body = json.dumps(small).encode()
    assert len(small_body) <= INLINE_BYTES < len(UNIT_BODY)
    answers: dict[str, int] = {}

    def post(name: str, body: bytes) -> None:
        r = httpx.post(f"{url}/campaigns/tkv_2019/evaluations{query}", content=body, headers=JSON,
                       timeout=WAIT_S)
        answers[name] = r.status_code

    with serving_in_thread(app) as url:
        gate.inner.acquire()
        large = threading.Thread(target=post, args=("large", UNIT_BODY))
        little = threading.Thread(target=post, args=("small", small_body))
        try:
            large.start()
            _small_waits_while_the_loop_serves(gate, url, little, "the large request")
        finally:
            gate.inner.release()
            large.join(WAIT_S)
            little.join(WAIT_S)
    assert answers == {"large": 200, "small": 200}


def test_a_small_request_does_not_stop_the_loop_while_a_sighup_reload_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SIGHUP starts a reload in a worker thread (app.state.hangup does what the signal does: no
    # signal reaches the loop of a server in a thread); the reload builds the edited campaign's
    # engine under the registry's lock, which a small `?param=` request needs too: it must wait
    # in a thread, not on the loop, so that /healthz still answers
    campaigns = copy_campaigns(tmp_path / "campaigns", "tkv_2019")
    app = create_app(campaigns, settings=ServiceSettings(campaigns, backend="python"))
    gate = _Gate(registry._ENGINES_LOCK)
    monkeypatch.setattr(registry, "_ENGINES_LOCK", gate)
    small = unit()
    small["subjects"] = small["subjects"][:4]
    small_body = json.dumps(small).encode()
    assert len(small_body) <= INLINE_BYTES
    answers: dict[str, int] = {}

    def post() -> None:
        r = httpx.post(f"{url}/campaigns/tkv_2019/evaluations?param=many_individuals_min=3",
                       content=small_body, headers=JSON, timeout=WAIT_S)
        answers["small"] = r.status_code

    with serving_in_thread(app) as url:
        edited = campaigns / "tkv_2019.yaml"  # new bytes: the reload builds a new engine
        edited.write_text(edited.read_text(encoding="utf-8") + "# sửa\n", encoding="utf-8")
        gate.inner.acquire()
        little = threading.Thread(target=post)
        try:
            app.state.hangup()
            _small_waits_while_the_loop_serves(gate, url, little, "the reload")
        finally:
            gate.inner.release()
            little.join(WAIT_S)
        assert answers == {"small": 200}
        loaded = httpx.get(f"{url}/readyz", timeout=5.0)
        assert loaded.status_code == 200
