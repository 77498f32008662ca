"""Bounded load test of the HTTP service on 127.0.0.1: the service's own cost, as ratios in one run.

One *one-unit request* is TKV 2019's grassroots union CD-HALAM with three members (HL-001 rated
khá, HL-011 yếu, HL-021 unrated; taken from ``tests/data/service/tkv_unit_31.json``) posted to
``POST /campaigns/tkv_2019/evaluations`` (explanations on, the default). The load client is a
small asyncio loop writing ready-made HTTP/1.1 requests on keep-alive connections, so that it
takes little of the CPU the server needs. Each configuration runs for ``--duration`` seconds after
a warm-up, and prints requests/s, p50/p99 latency and the server's CPU per request (user + system
of the server process and its workers, from /proc):

1. ``trivial``: a FastAPI app that reads the body and answers a constant, under the same uvicorn
   (httptools, uvloop, one process): the framework's floor;
2. ``service, log off`` and 3. ``service, log on`` (SQLite, group commit), one worker;
4. ``service, log on, --workers 2`` at ``--connections-2`` (32) connections.

The four run side by side: all are started, warmed up, then loaded in turn, ``--rounds`` slices
of ``--duration / --rounds`` seconds each (the order reversed every other round), so that a
change in the shared machine's speed reaches every configuration alike; each line sums its
slices. (One configuration after another, the log on/off ratio moved between 0.75x and 1.14x
from one run to the next on a quiet machine.)

Then the ratios: service vs trivial (requests/s and CPU per request), log on vs off (of the
summed slices, and round by round: the median and range of the rounds' ratios, each from two
slices close in time, show how far the figure moves with the machine). Goals
(issue 24): CPU per one-unit request <= 0.8 ms, >= 1,000 one-unit evaluations/s with --workers 2
and p99 < 50 ms at 32 connections, log on vs off >= 0.9x. The load average is printed before and
after: on a shared machine the figures are only comparable inside one run.

``--postgres`` adds ``service, log on (PostgreSQL)``: the decision log in a throwaway PostgreSQL
cluster on 127.0.0.1 (its server binaries needed; as root it runs as the ``postgres`` user), with
the server's defaults (fsync on: a commit is durable), side by side with the others, and its
ratio to log off.

``--kill`` ends with a SIGKILL of the logging server under load, a restart, and a check that every
decision answered 200 is in the log. ``--reloads N`` reloads tkv_2019 N times alternating two
versions and prints the server's RSS before and after (engines are reused, not rebuilt).

Usage::

    python benchmarks/bench_service.py                       # the comparison, 10 s each
    python benchmarks/bench_service.py --duration 3 --kill --reloads 20 --postgres
"""


import argparse
import asyncio
import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# the shipped campaigns name their texts in ../shared/seeds, read only from a documents directory
os.environ.setdefault("EMULATION_RULES_DOCUMENTS", str(ROOT.parent / "shared" / "seeds"))
URL_PATH = b"/campaigns/tkv_2019/evaluations"
MEMBERS = ("HL-001", "HL-011", "HL-021")


def one_unit() -> bytes:
    """The one-unit submission: CD-HALAM and three of its members."""
    data = json.loads((ROOT / "tests" / "data" / "service" / "tkv_unit_31.json").read_bytes())
    data["subjects"] = [data["subjects"][0]] + [
        s for s in data["subjects"] if s["id"] in MEMBERS
    ]
    return json.dumps(data, ensure_ascii=False).encode()


def trivial() -> Any:
    """The trivial app (``uvicorn --factory bench_service:trivial``): body read, constant answer."""
    from fastapi import FastAPI, Request, Response

    app = FastAPI()

    @app.post("/campaigns/{campaign_id}/evaluations")
    async def evaluate(request: Request, campaign_id: str) -> Response:
        await request.body()
        return Response(b'{"ok":true}', media_type="application/json")

    @app.get("/readyz")
    async def ready() -> Response:
        return Response(b'{"status":"ready"}', media_type="application/json")

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return out


class Server:
    """A server process (ours or the trivial app) on a free port."""

    def __init__(self, cmd: list[str], port: int, cwd: Path | None = None) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited ({self.proc.returncode}): {' '.join(cmd)}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                    s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(12).endswith(b"200"):
                        self._settle(cmd, deadline)
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("server did not start")

    def _settle(self, cmd: list[str], deadline: float) -> None:
        """With ``--workers N``, wait until every worker has started (N processes under the
        supervisor) and none is still building its engines (CPU still rising): /readyz answers
        as soon as one worker serves, and a load begun then keeps its connections on that one."""
        if "--workers" not in cmd:
            return
        workers = int(cmd[cmd.index("--workers") + 1])
        last = None
        while time.monotonic() < deadline:
            time.sleep(0.5)
            if len(_tree(self.proc.pid)) <= workers:
                last = None
                continue
            cpu = self.cpu_s()
            if last is not None and cpu - last < 0.02:
                return
            last = cpu

    def cpu_s(self) -> float:
        """CPU seconds (user + system) of the server process and its workers so far."""
        total = 0.0
        for p in _tree(self.proc.pid):
            try:
                with open(f"/proc/{p}/stat", encoding="ascii") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                continue
        return total

    def rss_kib(self) -> int:
        total = 0
        for p in _tree(self.proc.pid):
            try:
                with open(f"/proc/{p}/status", encoding="ascii") as f:
                    total += next(int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:"))
            except (OSError, StopIteration):
                continue
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


PG = "service, log on (PostgreSQL)"


def serve_cmd(campaigns: Path, port: int, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "emulation_rules", "serve", str(campaigns),
        "--host", "127.0.0.1", "--port", str(port), *extra,
    ]


@contextlib.contextmanager
def postgres() -> Iterator[str | None]:
    """A throwaway PostgreSQL cluster on 127.0.0.1: its SQLAlchemy URL, or None (with the reason
    printed) when the server binaries or a user to run them as are missing."""
    import pwd

    def find(name: str) -> str | None:
        return shutil.which(name) or (sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [None])[-1]

    initdb, pg_ctl = find("initdb"), find("pg_ctl")
    if not (initdb and pg_ctl):
        print("PostgreSQL: no server binaries (initdb, pg_ctl) here; apt-get install postgresql")
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        user = pwd.getpwnam("postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
        os.chown(base, user.pw_uid, user.pw_gid)
    data, port = base / "data", _free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "bench", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-w", "-l", str(base / "server.log"), "-o",
                    f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://bench@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def trivial_cmd(port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--app-dir", str(Path(__file__).parent), "--factory",
        "bench_service:trivial", "--host", "127.0.0.1", "--port", str(port), "--http",
        "httptools", "--loop", "uvloop", "--log-level", "warning", "--no-access-log",
    ]


@dataclass
class Run:
    requests: int
    errors: int
    wall_s: float
    latencies: list[float]
    cpu_s: float
    decisions: list[str]

    @property
    def rate(self) -> float:
        return self.requests / self.wall_s

    def pct(self, q: float) -> float:
        lat = sorted(self.latencies)
        return 1000 * lat[min(len(lat) - 1, int(q / 100 * len(lat)))] if lat else float("nan")

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / max(self.requests, 1)


async def _connection(
    port: int, request: bytes, stop_at: float, out: Run, stop: asyncio.Event
) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        out.errors += 1
        return
    try:
        while time.monotonic() < stop_at and not stop.is_set():
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lower = head.lower()
            at = lower.index(b"content-length:") + 15
            await reader.readexactly(int(lower[at : lower.index(b"\r\n", at)]))
            out.latencies.append(time.perf_counter() - t0)
            if head[9:12] != b"200":
                out.errors += 1
                continue
            out.requests += 1
            at = lower.find(b"x-decision-id:")
            if at >= 0:
                out.decisions.append(head[at + 14 : head.index(b"\r\n", at)].strip().decode())
    except (OSError, asyncio.IncompleteReadError, ValueError):
        out.errors += 1
    finally:
        writer.close()


def load(srv: Server, body: bytes, connections: int, duration_s: float) -> Run:
    """``connections`` keep-alive connections posting ``body`` for ``duration_s`` seconds."""
    request = (
        b"POST " + URL_PATH + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )
    out = Run(0, 0, 0.0, [], 0.0, [])

    async def main() -> None:
        stop = asyncio.Event()
        stop_at = time.monotonic() + duration_s
        await asyncio.gather(
            *(_connection(srv.port, request, stop_at, out, stop) for _ in range(connections))
        )

    cpu0, t0 = srv.cpu_s(), time.perf_counter()
    asyncio.run(main())
    out.wall_s, out.cpu_s = time.perf_counter() - t0, srv.cpu_s() - cpu0
    return out


def _line(name: str, r: Run) -> str:
    return (
        f"{name:<34} {r.rate:7.0f} req/s  p50 {r.pct(50):6.1f} ms  p99 {r.pct(99):6.1f} ms  "
        f"CPU/request {r.cpu_ms:5.2f} ms  errors {r.errors}"
    )


def combined(runs: list[Run]) -> Run:
    """One run of several slices: their requests, errors, latencies, wall and CPU time summed."""
    return Run(sum(r.requests for r in runs), sum(r.errors for r in runs),
               sum(r.wall_s for r in runs), [x for r in runs for x in r.latencies],
               sum(r.cpu_s for r in runs), [d for r in runs for d in r.decisions])


def interleaved(servers: dict[str, tuple[Server, int]], body: bytes, args: argparse.Namespace
                ) -> dict[str, list[Run]]:
    """Each server (name -> server, connections) warmed up, then loaded in ``args.rounds``
    slices in turn, the order reversed every other round: its slices, in round order."""
    for srv, conns in servers.values():
        load(srv, body, conns, args.warmup)
    slices: dict[str, list[Run]] = {name: [] for name in servers}
    names = list(servers)
    for r in range(args.rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            srv, conns = servers[name]
            slices[name].append(load(srv, body, conns, args.duration / args.rounds))
    return slices


def per_round(on: list[Run], off: list[Run]) -> str:
    """The log on/off ratio of requests/s round by round (each pair of slices close in time):
    median and range, so that a run shows how far its ratio moves with the machine."""
    ratios = sorted(a.rate / b.rate for a, b in zip(on, off, strict=True) if b.rate > 0)
    if not ratios:
        return "no round"
    return (f"{statistics.median(ratios):.2f}x median of {len(ratios)} rounds "
            f"(from {ratios[0]:.2f}x to {ratios[-1]:.2f}x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per run (default 10)")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up (default 2)")
    ap.add_argument("--rounds", type=int, default=5,
                    help="slices per configuration, taken in turn (default 5)")
    ap.add_argument("--connections", type=int, default=8, help="one-worker runs (default 8)")
    ap.add_argument("--connections-2", type=int, default=32, help="--workers 2 run (default 32)")
    ap.add_argument("--backend", choices=("auto", "durable", "python"), default="auto")
    ap.add_argument("--kill", action="store_true", help="SIGKILL under load, restart, check log")
    ap.add_argument("--postgres", action="store_true", help="also log on in a throwaway PostgreSQL")
    ap.add_argument("--reloads", type=int, default=0, help="reloads of tkv_2019 (RSS check)")
    args = ap.parse_args()
    body = one_unit()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs; one-unit body {len(body)} bytes (4 subjects)")
    with tempfile.TemporaryDirectory() as tmp:
        campaigns = Path(tmp) / "campaigns"
        campaigns.mkdir()
        shutil.copy(ROOT / "campaigns" / "tkv_2019.yaml", campaigns)
        db = Path(tmp) / "decisions.sqlite"
        backend = ("--backend", args.backend)
        configs: list[tuple[str, list[str], int]] = [
            ("trivial FastAPI app", trivial_cmd(port := _free_port()), port),
            ("service, log off", serve_cmd(campaigns, p1 := _free_port(), "--no-log", *backend), p1),
            ("service, log on", serve_cmd(campaigns, p2 := _free_port(), "--log-db", str(db),
                                          *backend), p2),
            ("service, log on, --workers 2", serve_cmd(campaigns, p3 := _free_port(), "--log-db",
                                                       str(Path(tmp) / "decisions-2.sqlite"),
                                                       "--workers", "2", *backend), p3),
        ]
        servers: dict[str, tuple[Server, int]] = {}
        with postgres() if args.postgres else contextlib.nullcontext(None) as url:
            if url is not None:
                configs.append((PG, serve_cmd(campaigns, pp := _free_port(), "--log-db", url, *backend), pp))
            try:
                for name, cmd, port in configs:
                    servers[name] = (Server(cmd, port),
                                     args.connections_2 if "workers" in name else args.connections)
                slices = interleaved(servers, body, args)
                runs = {name: combined(runs) for name, runs in slices.items()}
            finally:
                for srv, _ in servers.values():
                    srv.stop()
        for name, r in runs.items():
            print(_line(f"{name} ({servers[name][1]} conn.)", r), flush=True)
        t, off, on = runs["trivial FastAPI app"], runs["service, log off"], runs["service, log on"]
        w2 = runs["service, log on, --workers 2"]
        print(f"service (log off) vs trivial: {off.rate / t.rate:.2f}x requests/s, "
              f"{off.cpu_ms / t.cpu_ms:.1f}x CPU per request "
              f"({off.cpu_ms - t.cpu_ms:.2f} ms over the framework's {t.cpu_ms:.2f} ms)")
        print(f"log on vs off: {on.rate / off.rate:.2f}x requests/s, "
              f"{on.cpu_ms - off.cpu_ms:+.2f} ms CPU per request; round by round "
              f"{per_round(slices['service, log on'], slices['service, log off'])}")
        print(f"goals: CPU/request {on.cpu_ms:.2f} ms (<= 0.8), --workers 2 {w2.rate:.0f}/s "
              f"(>= 1000), p99 {w2.pct(99):.1f} ms at {args.connections_2} conn. (< 50), "
              f"log on/off {on.rate / off.rate:.2f}x (>= 0.9)")
        if PG in runs:
            pg = runs[PG]
            print(f"log on (PostgreSQL) vs off: {pg.rate / off.rate:.2f}x requests/s, "
                  f"{pg.cpu_ms - off.cpu_ms:+.2f} ms CPU per request (server process only)")
        if args.kill:
            kill_check(campaigns, db, body, args)
        if args.reloads:
            reload_check(campaigns, args.reloads)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def kill_check(campaigns: Path, db: Path, body: bytes, args: argparse.Namespace) -> None:
    """SIGKILL the logging server during a load; after a restart every answer is in the log."""
    port = _free_port()
    srv = Server(serve_cmd(campaigns, port, "--log-db", str(db)), port)
    threads_run: list[Run] = []

    def killer() -> None:
        time.sleep(args.duration / 2)
        srv.proc.send_signal(signal.SIGKILL)

    import threading

    threading.Thread(target=killer, daemon=True).start()
    threads_run.append(load(srv, body, args.connections, args.duration))
    srv.proc.wait()
    from emulation_rules.service.decisions import DecisionLog

    log = DecisionLog(str(db))
    try:
        missing = set(threads_run[0].decisions) - log.ids()
    finally:
        log.close()
    print(f"kill -9 under load: {len(threads_run[0].decisions)} answered 200, "
          f"{len(missing)} missing from the log")


def reload_check(campaigns: Path, reloads: int) -> None:
    """Reload tkv_2019 ``reloads`` times alternating two versions; the RSS must not grow."""
    port = _free_port()
    srv = Server(serve_cmd(campaigns, port, "--no-log"), port)
    tkv = campaigns / "tkv_2019.yaml"
    versions = [tkv.read_bytes(), tkv.read_bytes() + b"\n# edited\n"]
    request = b"POST /admin/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    def reload() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.sendall(request)
            assert s.recv(12).endswith(b"200")

    try:
        for v in versions:  # both versions' engines exist before measuring
            tkv.write_bytes(v)
            reload()
        r0, t0 = srv.rss_kib(), time.perf_counter()
        for i in range(reloads):
            tkv.write_bytes(versions[i % 2])
            reload()
        dt, r1 = time.perf_counter() - t0, srv.rss_kib()
    finally:
        srv.stop()
        tkv.write_bytes(versions[0])
    print(f"reload: {reloads} reloads alternating two versions in {dt:.1f} s; RSS "
          f"{r0 / 1024:.1f} -> {r1 / 1024:.1f} MiB ({100 * (r1 - r0) / r0:+.1f}%)")


if __name__ == "__main__":
    main()
