"""``serve --workers 2``: no worker outlives its parent; a reload reaches every worker, drops nothing.

The reload tests edit TKV 2019 so that "xếp loại khá trở lên" (L110) becomes "xuất sắc" (an edit
for the test, not the plan): member HL-001 (rated khá) goes from awarded to not awarded, and the
campaign's content hash changes.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx

from .conftest import JSON, UNIT_BODY, Server, copy_campaigns

NEW_CONNECTIONS = 40


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    kids = [int(c) for c in f.read().split()]
                found.update(kids)
                todo += kids
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigkill_of_the_parent_leaves_no_worker_and_the_port_is_free(tmp_path: Path) -> None:
    campaigns = copy_campaigns(tmp_path / "campaigns", "tkv_2019")
    srv = Server(campaigns, "--workers", "2", "--no-log").start()
    assert srv.proc is not None
    deadline = time.monotonic() + 30
    workers = _descendants(srv.proc.pid)
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = _descendants(srv.proc.pid)
    assert len(workers) >= 2, workers
    with httpx.Client(base_url=srv.url, timeout=10) as c:  # a kept-alive connection open
        assert c.get("/readyz").status_code == 200
        srv.kill()
        killed = time.monotonic()
        while any(_alive(w) for w in workers) and time.monotonic() - killed < 5:
            time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "a worker outlived its parent by 5 s"
    restarted = Server(campaigns, "--workers", "2", "--no-log", port=srv.port).start()
    try:
        assert httpx.get(f"{restarted.url}/readyz").json()["campaigns"] >= 1
    finally:
        restarted.stop()


def _hashes(url: str, n: int) -> list[str]:
    """The TKV content hash seen by ``n`` new connections (spread over the workers)."""
    out = []
    for _ in range(n):
        with httpx.Client(base_url=url, timeout=10) as c:  # a new connection each
            out.append(c.get("/readyz").json()["content_hashes"]["tkv_2019"])
    return out


def _edit(campaigns: Path, old: bytes, new: bytes) -> None:
    tkv = campaigns / "tkv_2019.yaml"
    tkv.write_bytes(tkv.read_bytes().replace(old, new))


def test_a_reload_reaches_every_worker_and_sighup_drops_no_connection(tmp_path: Path) -> None:
    """POST /admin/reload to one worker, then SIGHUP to the parent under load (one server)."""
    campaigns = copy_campaigns(tmp_path / "campaigns", "tkv_2019")
    srv = Server(campaigns, "--workers", "2", "--no-log").start()
    try:
        before = set(_hashes(srv.url, 4))
        assert len(before) == 1
        _edit(campaigns, b"at_least: fair", b"at_least: excellent")
        report = httpx.post(f"{srv.url}/admin/reload", timeout=30).json()
        assert report["loaded"] == ["tkv_2019"]
        seen = _hashes(srv.url, NEW_CONNECTIONS)
        assert not before & set(seen), f"{sum(h in before for h in seen)} connections kept the old"
        assert httpx.get(f"{srv.url}/readyz").json()["generation"] == 1
        r = httpx.post(f"{srv.url}/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON)
        assert r.json()["subjects"][1]["awards"][0]["verdict"] == "not_awarded"  # new rules
        before |= set(seen)
        _sighup_under_load(srv, campaigns)
        seen = _hashes(srv.url, NEW_CONNECTIONS)
        assert not before & set(seen), f"{sum(h in before for h in seen)} connections kept the old"
        assert httpx.get(f"{srv.url}/readyz").json()["generation"] == 2
        r = httpx.post(f"{srv.url}/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON)
        assert r.json()["subjects"][1]["awards"][0]["verdict"] == "not_awarded"
    finally:
        srv.stop()


def _sighup_under_load(srv: Server, campaigns: Path) -> None:
    """Four keep-alive clients post while the file changes and the parent gets SIGHUP."""
    errors: list[str] = []
    answered = [0]
    stop = threading.Event()
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=srv.url, timeout=30) as c:  # keep-alive connections
            while not stop.is_set():
                try:
                    r = c.post("/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON)
                    failure = None if r.status_code == 200 else f"{r.status_code}: {r.text[:200]}"
                except httpx.TransportError as exc:
                    failure = repr(exc)
                with lock:
                    if failure is None:
                        answered[0] += 1
                    else:
                        errors.append(failure)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        _edit(campaigns, b"\nid: tkv_2019", b"\n# a third version (same rules)\nid: tkv_2019")
        srv.signal(signal.SIGHUP)
        time.sleep(2.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors[:3]
    assert answered[0] >= 10


def test_each_worker_listens_on_a_socket_of_its_own() -> None:
    """On Linux the supervisor's address is bound with SO_REUSEPORT and never listened on; what a
    worker receives (pickled as multiprocessing hands it over) is a new socket on the same address,
    so the kernel spreads connections over the workers' accept queues, not the first to wake."""
    import pickle
    import socket
    import sys
    from multiprocessing.reduction import ForkingPickler

    import pytest

    from emulation_rules.service.supervisor import WorkerConfig

    if not (sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")):
        pytest.skip("SO_REUSEPORT spreads connections on Linux only")
    parent = WorkerConfig("emulation_rules.service.app:app_from_env", host="127.0.0.1", port=0).bind_socket()
    workers = [pickle.loads(ForkingPickler.dumps(parent)) for _ in range(2)]
    try:
        assert parent.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
        for w in workers:
            assert w.getsockname() == parent.getsockname() and w.fileno() != parent.fileno()
            w.listen(64)
        clients = [socket.create_connection(parent.getsockname()) for _ in range(32)]
        accepted = []
        for w in workers:
            w.setblocking(False)
            n = 0
            while True:
                try:
                    w.accept()[0].close()
                except BlockingIOError:
                    break
                n += 1
            accepted.append(n)
        for c in clients:
            c.close()
        assert sum(accepted) == 32 and min(accepted) > 0  # both queues got some (2 in 2**32 not)
        port = parent.getsockname()[1]
        with pytest.raises(SystemExit):  # a second server on a port served already is refused
            WorkerConfig("emulation_rules.service.app:app_from_env", host="127.0.0.1", port=port).bind_socket()
    finally:
        for s in (parent, *workers):
            s.close()
