"""A reload reaches every request that starts after its answer, in every worker (service/state.py).

Two apps of this process stand for the two workers of ``serve --workers 2``: they serve one
directory and share one reload generation file, each behind its own real HTTP server on
127.0.0.1 (the subprocess test in test_workers.py cannot choose when each worker does what).
A worker slow at one step is made so by holding its directory read
(``CampaignRegistry.reload``) at a barrier, before or after the real read.

The edit is the one of test_workers.py: TKV 2019's "xếp loại khá trở lên" (L110) becomes
"xuất sắc", an edit for the test that changes the campaign's content hash.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulation_rules.service.app import create_app
from emulation_rules.service.registry import CampaignRegistry, ReloadReport
from emulation_rules.service.settings import ServiceSettings
from emulation_rules.service.supervisor import Generation, Supervisor

from .conftest import WAIT_S, copy_campaigns, serving_in_thread


def _readyz(url: str) -> dict[str, Any]:
    """``/readyz`` on a new connection."""
    r = httpx.get(f"{url}/readyz", timeout=WAIT_S)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _hash(url: str) -> str:
    return str(_readyz(url)["content_hashes"]["tkv_2019"])


def _edit(campaigns: Path) -> None:
    tkv = campaigns / "tkv_2019.yaml"
    tkv.write_bytes(tkv.read_bytes().replace(b"at_least: fair", b"at_least: excellent"))


def _settings(tmp_path: Path) -> tuple[Path, ServiceSettings]:
    campaigns = copy_campaigns(tmp_path / "campaigns", "tkv_2019")
    shared = tmp_path / "shared"
    shared.mkdir()
    generation = Generation.create(shared)
    return campaigns, ServiceSettings(campaigns, generation_file=str(generation.path))


def _hold(
    monkeypatch: pytest.MonkeyPatch, when: Callable[[CampaignRegistry], bool], *, after: bool
) -> tuple[threading.Event, threading.Event]:
    """Hold the registry's directory reads for which ``when`` is true at a barrier (``after``
    the real read, or before it); (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    real = CampaignRegistry.reload

    def reload(self: CampaignRegistry) -> ReloadReport:
        held = when(self)
        if held and not after:
            reached.set()
            assert release.wait(WAIT_S)
        report = real(self)
        if held and after:
            reached.set()
            assert release.wait(WAIT_S)
        return report

    monkeypatch.setattr(CampaignRegistry, "reload", reload)
    return reached, release


def test_a_reload_while_a_worker_is_still_starting_reaches_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker B has read the directory at its start and is still building when worker A reloads
    and answers: B's first request is served from the new file (start: generation, then files)."""
    campaigns, settings = _settings(tmp_path)
    first = create_app(campaigns, settings=settings)
    starting: list[threading.Thread] = []
    reached, release = _hold(monkeypatch, lambda _r: threading.current_thread() in starting, after=True)
    second: list[Any] = []
    starting.append(
        threading.Thread(target=lambda: second.append(create_app(campaigns, settings=settings)))
    )
    starting[0].start()
    try:
        assert reached.wait(WAIT_S)  # B read the old file and builds
        with serving_in_thread(first) as a:
            old = _hash(a)
            _edit(campaigns)
            report = httpx.post(f"{a}/admin/reload", timeout=WAIT_S).json()
            assert report["loaded"] == ["tkv_2019"]
            new = _hash(a)
            assert new != old
    finally:
        release.set()
        starting[0].join(WAIT_S)
    with serving_in_thread(second[0]) as b:
        assert _hash(b) == new
        assert _readyz(b)["generation"] == 1


def test_a_catch_up_that_fails_is_tried_again_and_requests_during_one_wait_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After A's reload answer, B's first request catches up: when that read fails, the next
    request tries again; a request arriving while a catch-up runs waits for it."""
    campaigns, settings = _settings(tmp_path)
    apps = [create_app(campaigns, settings=settings) for _ in range(2)]
    b_registry = apps[1].state.service.registry
    with serving_in_thread(apps[0]) as a, serving_in_thread(apps[1]) as b:
        old = _hash(b)
        _edit(campaigns)
        assert httpx.post(f"{a}/admin/reload", timeout=WAIT_S).json()["loaded"] == ["tkv_2019"]
        new = _hash(a)
        assert new != old

        failures = [OSError("the disk hiccupped")]
        real = CampaignRegistry.reload

        def failing(self: CampaignRegistry) -> ReloadReport:
            if self is b_registry and failures:
                raise failures.pop()
            return real(self)

        with monkeypatch.context() as patch:
            patch.setattr(CampaignRegistry, "reload", failing)
            r = httpx.get(f"{b}/readyz", timeout=WAIT_S)
            assert r.status_code == 500, r.text  # the failed read is reported, not hidden
            assert not failures

        reached, release = _hold(monkeypatch, lambda r: r is b_registry, after=False)
        seen: dict[str, str] = {}

        def ask(name: str) -> None:
            seen[name] = _hash(b)

        one = threading.Thread(target=ask, args=("one",))
        one.start()
        try:
            assert reached.wait(WAIT_S), "the failed catch-up was not tried again"
            two = threading.Thread(target=ask, args=("two",))
            two.start()
            two.join(1.0)  # long enough for an answer from the old campaign
            assert "two" not in seen, "a request did not wait for the catch-up under way"
        finally:
            release.set()
            one.join(WAIT_S)
        two.join(WAIT_S)
        assert seen == {"one": new, "two": new}
        assert _readyz(b)["generation"] == 1


def test_a_catch_up_slower_than_the_timeout_answers_503_and_the_next_request_is_served_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generation raised as ``SIGHUP`` to the main process raises it; the worker's re-read is
    held past ``timeout_s``: the requests meanwhile get 503, never the old campaign; once the read
    is done, the new one."""
    campaigns, settings = _settings(tmp_path)
    settings = dataclasses.replace(settings, timeout_s=0.5)
    app = create_app(campaigns, settings=settings)
    registry = app.state.service.registry
    with serving_in_thread(app) as b:
        old = _hash(b)
        _edit(campaigns)
        Generation(Path(str(settings.generation_file))).bump()
        reached, release = _hold(monkeypatch, lambda r: r is registry, after=False)
        codes: list[int] = []
        one = threading.Thread(target=lambda: codes.append(httpx.get(f"{b}/readyz").status_code))
        one.start()
        try:
            assert reached.wait(WAIT_S)
            r = httpx.get(f"{b}/readyz", timeout=WAIT_S)
            assert (r.status_code, r.json()["type"]) == (503, "urn:emulation-rules:evaluation-timeout"), r.text
        finally:
            release.set()
            one.join(WAIT_S)
        assert codes == [503]
        assert _hash(b) != old
        assert _readyz(b)["generation"] == 1


def test_a_sighup_arriving_while_the_parent_raises_the_generation_is_counted_not_reentered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The main process raises the generation in its SIGHUP handler; a second SIGHUP that
    interrupts it while it holds the lock file raises it once more, without a deadlock."""
    generation = Generation.create(tmp_path)
    supervisor = Supervisor.__new__(Supervisor)  # its signal handler only: no worker started
    supervisor.generation = generation
    real = Generation._write
    interrupted: list[int] = []

    def write(self: Generation, value: int) -> None:
        if not interrupted:
            interrupted.append(value)
            supervisor._on_hup(signal.SIGHUP, None)  # the second signal, under the lock
        real(self, value)

    monkeypatch.setattr(Generation, "_write", write)
    handler = threading.Thread(target=supervisor._on_hup, args=(signal.SIGHUP, None), daemon=True)
    handler.start()
    handler.join(WAIT_S)
    assert not handler.is_alive(), "the second SIGHUP deadlocked on the lock file"
    assert generation.value() == 2
