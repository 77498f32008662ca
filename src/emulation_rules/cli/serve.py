"""``emulation-rules serve`` (the HTTP service) and ``emulation-rules replay`` (a logged decision).

Both need the ``service`` extra (FastAPI, uvicorn, SQLAlchemy); without it they exit 2 saying
what to install. The service package is imported only when one of them runs.

Exit codes: ``serve`` 0 after a clean shutdown, 1 when no campaign of the directory is valid,
2 for bad options (unreadable token file, missing extra), 3 when the engine cannot load;
``replay`` 0 when the result is identical, 1 when it differs, 2 for an unknown decision, a
decision logged without its facts or a campaign no longer served, 3 for an engine failure.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import ipaddress
import json
import os
from pathlib import Path
from typing import TextIO

from emulation_rules.cli.extras import EXIT_MISSING_EXTRA, require

__all__ = ["SERVICE_COMMANDS", "add_service_commands"]

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT, EXIT_ENGINE = 0, 1, 2, 3
DEFAULT_LOG_DB = "decisions.sqlite"


def add_service_commands(sub: argparse._SubParsersAction, stderr: TextIO | None) -> None:  # type: ignore[type-arg]
    """Register ``serve`` and ``replay`` on the main parser's sub-commands."""
    sv = sub.add_parser(
        "serve",
        help="serve the campaigns of a directory over HTTP (needs the 'service' extra)",
        description="Serve every valid campaign of CAMPAIGNS_DIR over HTTP (JSON; OpenAPI at "
        "/openapi.json, docs at /docs). Invalid files are reported and left out; the service "
        "refuses to start (exit 1) if none is valid. Campaign files are re-read on SIGHUP or "
        "POST /admin/reload; a bad edit never replaces a good loaded campaign.",
        stderr=stderr,
    )
    sv.add_argument(
        "campaigns_dir",
        metavar="CAMPAIGNS_DIR",
        type=Path,
        help="directory of campaign YAML files (not searched recursively)",
    )
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    sv.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default 1); each keeps its own engines",
    )
    sv.add_argument(
        "--token-file",
        type=Path,
        metavar="FILE",
        help="bearer tokens, one per line (# comments); without it no token is asked",
    )
    log = sv.add_mutually_exclusive_group()
    log.add_argument(
        "--log-db",
        default=DEFAULT_LOG_DB,
        metavar="URL|PATH",
        help=f"decision log: a SQLite file (default {DEFAULT_LOG_DB}) or a URL "
        "such as postgresql+psycopg://user@host/db",
    )
    log.add_argument("--no-log", action="store_true", help="keep no decision log")
    sv.add_argument(
        "--log-facts",
        action="store_true",
        help="also log each full submission (needed by 'replay')",
    )
    sv.add_argument(
        "--register",
        metavar="URL|PATH",
        help="the register of titles conferred (emulation-rules register: a SQLite file or a "
        "postgresql+psycopg:// URL) behind POST /register/decisions and "
        "GET /register/subjects/{id}/history (default: none)",
    )
    sv.add_argument(
        "--max-body",
        type=int,
        default=10 * 1024 * 1024,
        metavar="BYTES",
        help="largest request body (default 10 MiB); larger -> 413",
    )
    sv.add_argument(
        "--max-subjects",
        type=int,
        default=10_000,
        metavar="N",
        help="most subjects per request (default 10000); more -> 413",
    )
    sv.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="evaluation timeout (default 30 s); longer -> 503",
    )
    sv.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow this origin by CORS (repeatable; default: CORS off)",
    )
    sv.add_argument(
        "--backend",
        choices=("auto", "durable", "python"),
        default="auto",
        help="evaluation backend (default auto); all give the same verdicts",
    )
    sv.add_argument(
        "--max-header-bytes",
        type=int,
        default=64 * 1024,
        metavar="BYTES",
        help="largest request head, request line and headers (default 65536); larger -> 431",
    )
    sv.add_argument(
        "--max-headers",
        type=int,
        default=100,
        metavar="N",
        help="most header fields per request (default 100); more -> 431",
    )
    sv.add_argument(
        "--head-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="a request head must arrive within this time (default 10 s); else 408, closed",
    )
    sv.add_argument(
        "--body-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="a request body must arrive within this time of its head (default 60 s)",
    )
    sv.add_argument(
        "--keep-alive",
        type=int,
        default=5,
        metavar="SECONDS",
        help="an idle keep-alive connection is closed after this time (default 5 s)",
    )

    rp = sub.add_parser(
        "replay",
        help="re-evaluate a logged decision and say whether the result is identical",
        description="Re-evaluate the submission logged under UUID (the service must have run with "
        "--log-facts) against the campaign of the same content hash in --campaigns, and compare "
        "the result with the logged one. Exit 0 identical, 1 different.",
        stderr=stderr,
    )
    rp.add_argument("decision", metavar="UUID", help="the decision id (X-Decision-Id)")
    rp.add_argument(
        "--log-db",
        default=DEFAULT_LOG_DB,
        metavar="URL|PATH",
        help=f"decision log (default {DEFAULT_LOG_DB})",
    )
    rp.add_argument(
        "--campaigns",
        type=Path,
        default=Path("campaigns"),
        metavar="DIR",
        help="directory of the served campaign files (default campaigns)",
    )
    rp.add_argument("--format", choices=("text", "json"), default="text")


def _missing_extra(args: argparse.Namespace, err: TextIO) -> bool:
    """Say in one line which extra is missing (``service``, or ``postgres`` for a PostgreSQL
    decision log), and return True; False when the command can run."""
    if not require("service", args.command, err):
        return True
    log_db: str | None = None if getattr(args, "no_log", False) else args.log_db
    for option, url in (("--log-db", log_db), ("--register", getattr(args, "register", None))):
        if url is not None and url.startswith("postgres") and not require(
                "postgres", f"{option} {url.split('://', 1)[0]}://…", err):
            return True
    return False


def _tokens(path: Path | None, err: TextIO) -> tuple[str, ...] | None:
    if path is None:
        return ()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        err.write(f"{path}: cannot read the token file: {exc}\n")
        return None
    tokens = tuple(t.strip() for t in lines if t.strip() and not t.strip().startswith("#"))
    if not tokens:
        err.write(f"{path}: the token file holds no token\n")
        return None
    return tokens


def _cmd_serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if _missing_extra(args, err):
        return EXIT_MISSING_EXTRA
    import uvicorn

    from emulation_rules.errors import FactsError
    from emulation_rules.service.app import create_app
    from emulation_rules.service.problems import NoCampaignsError
    from emulation_rules.service.protocol import GuardedProtocol
    from emulation_rules.service.settings import SETTINGS_ENV, ServiceSettings
    from emulation_rules.service.supervisor import Generation, Supervisor, WorkerConfig, settle_heap

    if not args.campaigns_dir.is_dir():
        err.write(f"{args.campaigns_dir}: not a directory\n")
        return EXIT_INPUT
    positive = (
        args.workers, args.max_body, args.max_subjects, args.timeout, args.max_header_bytes,
        args.max_headers, args.head_timeout, args.body_timeout, args.keep_alive,
    )
    if min(positive) <= 0:
        err.write(
            "--workers, --max-body, --max-subjects, --timeout, --max-header-bytes, "
            "--max-headers, --head-timeout, --body-timeout and --keep-alive must be positive\n"
        )
        return EXIT_INPUT
    tokens = _tokens(args.token_file, err)
    if tokens is None:
        return EXIT_INPUT
    settings = ServiceSettings(
        args.campaigns_dir.resolve(),
        max_body_bytes=args.max_body,
        max_subjects=args.max_subjects,
        timeout_s=args.timeout,
        tokens=tokens,
        log_db=None if args.no_log else args.log_db,
        log_facts=args.log_facts,
        cors_origins=tuple(args.cors_origin),
        backend=args.backend,
        max_head_bytes=args.max_header_bytes,
        max_headers=args.max_headers,
        head_timeout_s=args.head_timeout,
        body_timeout_s=args.body_timeout,
        keep_alive_s=args.keep_alive,
        register_db=args.register,
        lang="en" if args.lang == "en" else "vi",
    )
    try:
        app = create_app(settings.campaigns_dir, settings=settings)
    except NoCampaignsError as exc:
        err.write(f"{exc}\n")
        return EXIT_PROBLEMS
    except FactsError as exc:  # the register cannot be opened (said without its password)
        for p in exc.problems:
            err.write(f"--register: {p}\n")
        return EXIT_INPUT
    registry = app.state.service.registry
    for problems in registry.last_report.problems.values():
        for p in problems:
            err.write(f"left out: {p}\n")
    if not _is_loopback(args.host):
        err.write(
            f"warning: binding {args.host}, reachable from other machines"
            f"{'' if tokens else ' without any token (--token-file)'}\n"
        )
    err.write(
        f"serving {len(registry.campaigns)} campaigns ({', '.join(sorted(registry.campaigns))}) "
        f"on http://{args.host}:{args.port} (docs at /docs); decision log: "
        f"{settings.log_db or 'off'}; register: {'on' if settings.register_db else 'off'}\n"
    )
    err.flush()
    common = {
        "host": args.host,
        "port": args.port,
        "log_level": "warning",
        "access_log": False,
        "http": GuardedProtocol,
        "timeout_keep_alive": args.keep_alive,
    }
    if args.workers == 1:
        settle_heap()  # after start-up (service/supervisor.py)
        uvicorn.run(app, **common)
        return EXIT_OK
    # Each worker process builds its own app from the settings in its environment; they share
    # a reload generation in a private directory and exit when this process dies.
    if app.state.service.decisions is not None:  # this process only checks and supervises
        app.state.service.decisions.close()
    import tempfile  # here: a cold start of every other command skips it

    with tempfile.TemporaryDirectory(prefix="emulation-rules-serve-") as shared:
        generation = Generation.create(Path(shared))
        settings = dataclasses.replace(settings, generation_file=str(generation.path))
        os.environ[SETTINGS_ENV] = settings.to_env()
        config = WorkerConfig(
            "emulation_rules.service.app:app_from_env",
            factory=True,
            workers=args.workers,
            # a worker busy building its engines must not be taken for hung and replaced
            timeout_worker_healthcheck=60,
            **common,
        )
        supervisor = Supervisor(config, sockets=[config.bind_socket()])
        supervisor.generation = generation
        supervisor.run()
    return EXIT_OK


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _cmd_replay(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if _missing_extra(args, err):
        return EXIT_MISSING_EXTRA
    from sqlalchemy.exc import SQLAlchemyError

    from emulation_rules.campaign.figures import DocumentTexts
    from emulation_rules.service.decisions import DecisionLog
    from emulation_rules.service.problems import ServiceProblem
    from emulation_rules.service.registry import Served, campaign_from_text
    from emulation_rules.service.replay import replay

    try:
        decisions = DecisionLog(args.log_db, create=False)
        try:
            record = decisions.get(args.decision)
        finally:
            decisions.close()
    except (SQLAlchemyError, OSError) as exc:
        err.write(f"{args.log_db}: cannot read the decision log: {type(exc).__name__}: {exc}\n")
        return EXIT_INPUT
    if record is None:
        err.write(f"no decision {args.decision} in {args.log_db}\n")
        return EXIT_INPUT
    served = None
    for path in sorted(args.campaigns.glob("*.y*ml")):
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() == record.content_hash:
            served = Served(
                campaign_from_text(data, file=path.name, texts=DocumentTexts(args.campaigns)),
                record.content_hash, path.name,
            )
            break
    if served is None:
        err.write(
            f"no campaign file in {args.campaigns} has the content hash "
            f"{record.content_hash} of decision {record.id} ({record.campaign_id}): the "
            "campaign changed since; replay needs the version that was served\n"
        )
        return EXIT_INPUT
    try:
        result = replay(record, served)
    except ValueError as exc:
        err.write(f"{exc}\n")
        return EXIT_INPUT
    except ServiceProblem as exc:
        err.write(f"the logged submission no longer evaluates: {exc.detail}\n")
        for p in exc.problems:
            err.write(f"  {p}\n")
        return EXIT_ENGINE if exc.status >= 500 else EXIT_INPUT
    if args.format == "json":
        out.write(
            json.dumps(
                {
                    "decision": record.id,
                    "identical": result.identical,
                    "same_verdicts": result.same_verdicts,
                    "differences": [list(d) for d in result.differences],
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    elif result.identical:
        out.write(
            f"identical: decision {record.id} ({record.kind}, campaign {record.campaign_id}, "
            f"logged {record.created_at}) gives the same result document "
            f"(sha256 {record.result_sha256[:16]}…)\n"
        )
    else:
        out.write(
            f"different: decision {record.id} ({record.kind}, campaign {record.campaign_id}) "
            f"{'has the same verdicts but' if result.same_verdicts else 'has'} a different "
            "result document\n"
        )
        for key, old, new in result.differences:
            out.write(f"  {key}: logged {old!r}, now {new!r}\n")
    return EXIT_OK if result.identical else EXIT_PROBLEMS


SERVICE_COMMANDS = {"serve": _cmd_serve, "replay": _cmd_replay}
"""Handlers by command name, merged into the CLI's table."""
