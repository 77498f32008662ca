"""A real service in a subprocess on 127.0.0.1 (a free port), started and stopped by fixtures.

``tests/data/service/tkv_unit_31.json`` is one unit's submission for TKV 2019 (seed 000): the
grassroots union CD-HALAM, which meets every collective standard (L96-L102), and 30 members:
HL-001..010 meet L106 (accepted, applied, highly effective initiative), L108 (compliance) and
L110 (rated khá); HL-011..020 are rated yếu, below "khá trở lên" (L110); HL-021..030 have no
rating, so L110 cannot be decided.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..conftest import CAMPAIGNS, ROOT, SEEDS

UNIT_FILE = ROOT / "tests" / "data" / "service" / "tkv_unit_31.json"
UNIT_BODY = UNIT_FILE.read_bytes()
JSON = {"content-type": "application/json"}


def unit() -> dict:
    """The unit submission (1 CĐCS + 30 members) as data."""
    return json.loads(UNIT_BODY)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``emulation-rules serve`` in a subprocess; ``url`` once ready.

    Args:
        campaigns: the served directory.
        args: extra command-line options.
        port: a fixed port (to restart on the same one), else a free one.
    """

    def __init__(
        self, campaigns: Path, *args: str, port: int | None = None, cwd: Path | None = None
    ) -> None:
        self.campaigns = campaigns
        self.args = args
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr_path = (cwd or campaigns.parent) / f"server-{self.port}.log"

    def start(self, timeout_s: float = 60.0) -> Server:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if SEEDS.is_dir():  # the plans' texts, so that the served copies check their cited lines
            env.setdefault("EMULATION_RULES_DOCUMENTS", str(SEEDS))
        with self.stderr_path.open("ab") as err:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "emulation_rules",
                    "serve",
                    str(self.campaigns),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    *self.args,
                ],
                stdout=subprocess.DEVNULL,
                stderr=err,
                cwd=self.cwd,
                env=env,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout_s} s: {self.log()}")

    def log(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)


@pytest.fixture(autouse=True)
def _plan_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process commands (replay) read the plans' texts as the served copies do."""
    if SEEDS.is_dir():
        monkeypatch.setenv("EMULATION_RULES_DOCUMENTS", str(SEEDS))


def copy_campaigns(target: Path, *only: str) -> Path:
    """A private copy of the shipped campaigns (top-level files only; ``only`` these ids)."""
    target.mkdir(parents=True, exist_ok=True)
    for f in CAMPAIGNS.glob("*.yaml"):
        if not only or f.stem in only:
            shutil.copy(f, target / f.name)
    if not (target / "documents").exists():  # the legal excerpts the acceptance campaign cites
        shutil.copytree(CAMPAIGNS / "documents", target / "documents")
    return target


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shipped campaigns, no token, decision log with facts, a register of titles
    conferred, small limits for the tests."""
    base = tmp_path_factory.mktemp("service")
    srv = Server(
        copy_campaigns(base / "campaigns"),
        "--log-db",
        str(base / "decisions.sqlite"),
        "--log-facts",
        "--max-body",
        "2000000",
        "--max-subjects",
        "500",
        "--register",
        str(base / "register.sqlite"),
    )
    srv.db = base / "decisions.sqlite"  # type: ignore[attr-defined]
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


WAIT_S = 30.0
"""Longest wait of the in-process server tests for a server, a thread or a barrier."""


@contextmanager
def serving_in_thread(app: Any) -> Iterator[str]:
    """``app`` behind a real uvicorn server on 127.0.0.1, in a thread of this process; its URL
    (for tests that must reach into the app while it serves: locks, barriers)."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(int(WAIT_S / 0.02)):
            if server.started:
                break
            threading.Event().wait(0.02)
        assert server.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(WAIT_S)
