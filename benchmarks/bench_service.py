"""Bounded load test of the HTTP service on 127.0.0.1 (not a unit test; prints figures).

N concurrent clients post one unit's submission (TKV 2019: 1 CĐCS + 30 members,
``tests/data/service/tkv_unit_31.json``) to ``POST /campaigns/tkv_2019/evaluations`` for a fixed
time or number of requests, then the same campaign is reloaded ``--reloads`` times, alternating
between two versions of the file (two content hashes: engines must be reused, not rebuilt).
Prints throughput, p50/p95/p99 latency, errors and the server's RSS before and after each part.
Optionally kills the server (SIGKILL) at the end of the load and checks, after a restart, that
every decision answered 200 is in the log.

Goals (issue 13), on a 2-core machine with the client on it too: >= 300 unit evaluations/s,
p99 < 50 ms, 0 errors, RSS growth < 10% over 100,000 requests, no growth over 100 reloads.

Usage::

    python benchmarks/bench_service.py --clients 8 --duration 20
    python benchmarks/bench_service.py --clients 8 --requests 100000 --workers 2 --backend python
    python benchmarks/bench_service.py --kill
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
UNIT = (ROOT / "tests" / "data" / "service" / "tkv_unit_31.json").read_bytes()
URL_PATH = "/campaigns/tkv_2019/evaluations"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_kib(pid: int) -> int:
    """Resident set size of ``pid`` and its descendants (uvicorn workers), KiB."""
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    pids += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            continue
    return total


class _Server:
    def __init__(
        self, campaigns: Path, db: Path, args: argparse.Namespace, port: int | None = None
    ) -> None:
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            sys.executable,
            "-m",
            "emulation_rules",
            "serve",
            str(campaigns),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(args.workers),
            "--backend",
            args.backend,
        ]
        cmd += (
            ["--no-log"]
            if args.no_log
            else ["--log-db", str(db)] + (["--log-facts"] if args.log_facts else [])
        )
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise SystemExit("server did not start")

    def cpu_s(self) -> float:
        """CPU seconds (user + system) of the server process and its workers so far."""
        total, pids = 0.0, [self.proc.pid]
        while pids:
            p = pids.pop()
            try:
                with open(f"/proc/{p}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
                for task in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                        pids += [int(c) for c in f.read().split()]
            except OSError:
                continue
        return total

    def rss(self) -> int:
        return _rss_kib(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)


async def _load(
    url: str, clients: int, duration: float | None, requests: int | None, on_answer: list[str]
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    sent = 0
    stop_at = time.monotonic() + duration if duration else None
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal errors, sent
        while True:
            if stop_at is not None and time.monotonic() >= stop_at:
                return
            if requests is not None:
                if sent >= requests:
                    return
                sent += 1
            t0 = time.perf_counter()
            try:
                r = await client.post(
                    URL_PATH, content=UNIT, headers={"content-type": "application/json"}
                )
            except httpx.TransportError:
                errors += 1
                if stop_at is None and requests is None:
                    return
                continue
            latencies.append(time.perf_counter() - t0)
            if r.status_code == 200:
                if "x-decision-id" in r.headers:
                    on_answer.append(r.headers["x-decision-id"])
            else:
                errors += 1

    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        await asyncio.gather(*(one(client) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - start


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load (default 20)")
    ap.add_argument("--requests", type=int, help="a number of requests instead of --duration")
    ap.add_argument(
        "--warmup", type=int, default=500, help="requests before RSS 'before' (default 500)"
    )
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--backend", choices=("auto", "durable", "python"), default="auto")
    ap.add_argument("--no-log", action="store_true", help="run the server without a decision log")
    ap.add_argument("--log-facts", action="store_true")
    ap.add_argument(
        "--reloads", type=int, default=100, help="reloads of the same campaign (default 100)"
    )
    ap.add_argument(
        "--kill", action="store_true", help="SIGKILL at the end of the load, restart, check the log"
    )
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        campaigns = Path(tmp) / "campaigns"
        campaigns.mkdir()
        for f in (ROOT / "campaigns").glob("*.yaml"):
            shutil.copy(f, campaigns / f.name)
        db = Path(tmp) / "decisions.sqlite"
        srv = _Server(campaigns, db, args)
        answered: list[str] = []
        try:
            asyncio.run(_load(srv.url, args.clients, None, args.warmup, []))
            rss0 = srv.rss()
            cpu0, me0 = srv.cpu_s(), time.process_time()
            lat, errors, wall = asyncio.run(
                _load(
                    srv.url,
                    args.clients,
                    None if args.requests else args.duration,
                    args.requests,
                    answered,
                )
            )
            rss1 = srv.rss()
            cpu1, me1 = srv.cpu_s(), time.process_time()
            print(
                f"load: {len(lat)} requests ({args.clients} clients, {args.workers} worker(s), "
                f"backend {args.backend}, log {'off' if args.no_log else 'on'}) in {wall:.1f} s"
            )
            print(
                f"  throughput {len(lat) / wall:.0f} unit evaluations/s "
                f"({31 * len(lat) / wall:.0f} subjects/s); errors {errors}"
            )
            print(
                f"  latency p50 {_pct(lat, 50):.1f} ms, p95 {_pct(lat, 95):.1f} ms, "
                f"p99 {_pct(lat, 99):.1f} ms, max {max(lat) * 1000:.1f} ms"
            )
            print(
                f"  CPU per request: server {1000 * (cpu1 - cpu0) / len(lat):.2f} ms, "
                f"load client {1000 * (me1 - me0) / len(lat):.2f} ms"
            )
            print(
                f"  server RSS {rss0 / 1024:.1f} MiB -> {rss1 / 1024:.1f} MiB "
                f"({100 * (rss1 - rss0) / rss0:+.1f}%)"
            )
            if args.kill:
                srv.proc.send_signal(signal.SIGKILL)
                srv.proc.wait()
                srv = _Server(campaigns, db, args, port=srv.port)
                from emulation_rules.service.decisions import DecisionLog

                log = DecisionLog(str(db))
                missing = set(answered) - log.ids()
                log.close()
                print(
                    f"kill -9 and restart: {len(answered)} answered 200, "
                    f"{len(missing)} missing from the log"
                )
            if args.reloads and args.workers == 1:
                tkv = campaigns / "tkv_2019.yaml"
                versions = [tkv.read_bytes(), tkv.read_bytes() + b"\n# edited\n"]
                with httpx.Client(base_url=srv.url, timeout=60) as c:
                    for v in versions:  # both versions' engines exist before measuring
                        tkv.write_bytes(v)
                        c.post("/admin/reload").raise_for_status()
                    r0 = srv.rss()
                    t0 = time.perf_counter()
                    for i in range(args.reloads):
                        tkv.write_bytes(versions[i % 2])
                        c.post("/admin/reload").raise_for_status()
                    dt = time.perf_counter() - t0
                    r1 = srv.rss()
                print(
                    f"reload: {args.reloads} reloads alternating two versions of tkv_2019 "
                    f"in {dt:.1f} s; server RSS {r0 / 1024:.1f} MiB -> {r1 / 1024:.1f} MiB "
                    f"({100 * (r1 - r0) / r0:+.1f}%)"
                )
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
