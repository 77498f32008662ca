"""Kill the server mid-load (SIGKILL) and restart it: every evaluation answered 200 is in the log.

A decision is committed to the log (SQLite in WAL mode) before its answer is sent, so an answer
the client received cannot be lost by the process dying.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from emulation_rules.service.decisions import DecisionLog

from .conftest import JSON, UNIT_BODY, Server, copy_campaigns

CLIENTS = 4
LOAD_S = 3.0


def test_sigkill_mid_load_loses_no_answered_decision(tmp_path: Path) -> None:
    sigkill_mid_load(tmp_path, str(tmp_path / "decisions.sqlite"))


def sigkill_mid_load(tmp_path: Path, target: str) -> None:
    """Post from several clients, SIGKILL the server, restart: every answer 200 is logged
    (``target``: a SQLite path or a PostgreSQL URL; group commit in both)."""
    campaigns = copy_campaigns(tmp_path / "campaigns", "tkv_2019")
    srv = Server(campaigns, "--log-db", target, "--log-facts").start()
    answered: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            while not stop.is_set():
                try:
                    r = c.post("/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON)
                except httpx.TransportError:
                    continue  # the server is gone: no answer, nothing to find in the log
                with lock:
                    if r.status_code == 200:
                        answered.append(r.headers["x-decision-id"])
                    else:
                        failures.append(r.text)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        time.sleep(LOAD_S)
        srv.kill()  # SIGKILL while the clients are still posting
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not failures
    assert len(answered) >= 20, "too little load to mean anything"
    restarted = Server(campaigns, "--log-db", target, port=srv.port).start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=10) as c:
            for decision in answered[-20:]:
                assert c.get(f"/evaluations/{decision}").status_code == 200
        log = DecisionLog(target)
        try:
            logged = log.ids()
        finally:
            log.close()
        missing = set(answered) - logged
        assert not missing, f"{len(missing)} of {len(answered)} answered decisions lost"
    finally:
        restarted.stop()
