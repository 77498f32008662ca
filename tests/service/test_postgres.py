"""The decision log in PostgreSQL: a throwaway server in a temporary directory on a free port.

Needs the PostgreSQL server binaries (Debian: ``apt-get install postgresql``); skipped with the
reason when they are absent. As root, the server runs as the ``postgres`` user (initdb refuses
root).
"""

from __future__ import annotations

import glob
import io
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulation_rules.cli import run
from emulation_rules.service.decisions import DecisionLog

from .conftest import JSON, UNIT_BODY, Server, copy_campaigns, free_port
from .test_crash import sigkill_mid_load


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not installed: apt-get install postgresql"
        )
    prefix: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="emulation-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no 'postgres' user to run the server as")
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root without runuser to drop to the 'postgres' user")
        prefix = [runuser, "-u", "postgres", "--"]
        os.chown(base, user.pw_uid, user.pw_gid)
    data, port = base / "data", free_port()
    subprocess.run(
        [
            *prefix,
            initdb,
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "emulation",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-w",
            "-l",
            str(base / "server.log"),
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://emulation@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(base, ignore_errors=True)


def test_decision_log_in_postgres(postgres_url: str, tmp_path: Path) -> None:
    campaigns = copy_campaigns(tmp_path / "campaigns")
    srv = Server(campaigns, "--log-db", postgres_url, "--log-facts").start()
    try:
        with httpx.Client(base_url=srv.url, timeout=30) as c:
            answered = []
            for _ in range(5):
                r = c.post("/campaigns/tkv_2019/evaluations", content=UNIT_BODY, headers=JSON)
                assert r.status_code == 200, r.text
                answered.append(r.headers["x-decision-id"])
            record = c.get(f"/evaluations/{answered[0]}").json()
            # CD-HALAM meets every collective standard, seed 000 L96-L102
            assert record["verdicts"]["subjects"]["CD-HALAM"] == {
                "collective_recognition": "awarded"
            }
    finally:
        srv.stop()
    log = DecisionLog(postgres_url)
    try:
        assert set(answered) <= log.ids()
    finally:
        log.close()
    out = io.StringIO()
    assert (
        run(
            ["replay", answered[-1], "--log-db", postgres_url, "--campaigns", str(campaigns)],
            stdout=out,
            stderr=io.StringIO(),
        )
        == 0
    )
    assert out.getvalue().startswith("identical:")


def test_sigkill_mid_load_loses_no_decision_in_postgres(postgres_url: str, tmp_path: Path) -> None:
    """The same guarantee as SQLite: an answer 200 is sent only after its commit."""
    sigkill_mid_load(tmp_path, postgres_url)


def test_on_the_event_loop_decisions_are_committed_by_one_task_in_groups(postgres_url: str) -> None:
    """Submitted on the server's event loop, PostgreSQL rows go through psycopg's asynchronous
    connection on the loop itself (no writer thread): the 40 decisions queued at once are
    committed in fewer than 40 commits, each waiter done only after its commit, a mark after its
    decision; a connection that dropped is opened again by the next commit."""
    import asyncio

    log = DecisionLog(postgres_url)
    fields = {"kind": "evaluation", "campaign_id": "tkv_2019", "content_hash": "0" * 64,
              "backend": "python", "package_version": "test", "facts_sha256": "0" * 64,
              "result_sha256": "1" * 64, "options": {"explain": True},
              "verdicts": {"subjects": {"S": {"a": "awarded"}}, "quotas": {}}, "facts": None}
    never = "00000000-0000-4000-8000-000000000000"  # no decision has this id

    async def main() -> list[str]:
        submitted = [log.submit(**fields) for _ in range(40)]
        assert not any(done.done() for _, done in submitted)
        await asyncio.gather(*(done for _, done in submitted))
        assert 1 <= log.commits < 40
        await log.mark_undelivered(submitted[0][0], "client-disconnected")  # type: ignore[misc]
        await log.mark_undelivered(never, "log-timeout")  # type: ignore[misc]  # no such decision
        await log._aconn.close()  # the connection drops: the next commit opens another
        log._aconn = None
        again = log.submit(**fields)
        await again[1]  # type: ignore[misc]
        await log.aclose()
        return [decision_id for decision_id, _ in submitted] + [again[0]]

    ids = asyncio.run(main())
    assert log._writer is None
    check = DecisionLog(postgres_url)
    try:
        assert set(ids) <= check.ids()
        assert check.undelivered().get(ids[0]) == "client-disconnected"
        assert never not in check.undelivered()  # a mark lands only beside its decision
    finally:
        check.close()
