"""Settings of the HTTP service: limits, authentication, decision log.

One frozen :class:`ServiceSettings` is given to :func:`~emulation_rules.service.app.create_app`.
With several uvicorn workers each worker process builds its own app from the settings passed in
the environment variable :data:`SETTINGS_ENV` (JSON), written by ``emulation-rules serve``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = ["SETTINGS_ENV", "ServiceSettings"]

SETTINGS_ENV = "EMULATION_RULES_SERVICE_SETTINGS"
"""Environment variable holding the settings as JSON for worker processes."""

MiB = 1024 * 1024


@dataclass(frozen=True)
class ServiceSettings:
    """How the service runs; every limit has a safe default.

    Attributes:
        campaigns_dir: directory whose ``*.yaml`` campaign files are served (not recursive;
            author test cases in sub-directories are not campaigns).
        max_body_bytes: largest request body accepted, bytes (default 10 MiB); larger -> 413.
        max_subjects: most subjects in one submission (default 10,000); more -> 413.
        timeout_s: evaluation timeout, seconds (default 30); longer -> 503.
        tokens: bearer tokens accepted; empty = authentication off. Health endpoints, the
            OpenAPI document and the docs page stay open.
        log_db: decision log as a SQLite file path or an SQLAlchemy URL
            (``postgresql+psycopg://...``); ``None`` = no decision log.
        log_facts: also store each full submission (needed by ``emulation-rules replay``).
        register_db: the register of titles conferred (SQLite file path or URL) behind
            ``/register/...``; ``None`` = no register.
        cors_origins: origins allowed by CORS; empty = CORS off (default).
        backend: evaluation backend for default parameters (``auto``, ``durable``, ``python``).
        max_head_bytes: largest request head (request line and headers), bytes (default
            64 KiB); larger -> 431 (:mod:`.protocol`).
        max_headers: most header fields in a request (default 100); more -> 431.
        head_timeout_s: a request head must arrive within this many seconds of the connection
            or of its first byte (default 10); else 408 and the connection is closed.
        body_timeout_s: a request body must arrive within this many seconds of its head
            (default 60); else 408, closed.
        keep_alive_s: an idle keep-alive connection is closed after this many seconds (5).
        generation_file: the reload generation shared by the workers (:mod:`.supervisor`);
            ``None`` with one process.
        lang: the language of the service's own log lines (``vi``, the default, or ``en``;
            :mod:`.logs`); answers follow each request's ``Accept-Language``.
    """

    campaigns_dir: Path
    max_body_bytes: int = 10 * MiB
    max_subjects: int = 10_000
    timeout_s: float = 30.0
    tokens: tuple[str, ...] = ()
    log_db: str | None = None
    log_facts: bool = False
    cors_origins: tuple[str, ...] = ()
    backend: Literal["auto", "durable", "python"] = "auto"
    max_head_bytes: int = 64 * 1024
    max_headers: int = 100
    head_timeout_s: float = 10.0
    body_timeout_s: float = 60.0
    keep_alive_s: int = 5
    generation_file: str | None = None
    register_db: str | None = None
    lang: Literal["vi", "en"] = "vi"

    def to_env(self) -> str:
        """JSON text for :data:`SETTINGS_ENV` (tokens included: the variable is process-local)."""
        data: dict[str, Any] = dataclasses.asdict(self)
        data["campaigns_dir"] = str(self.campaigns_dir)
        return json.dumps(data)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServiceSettings:
        """Settings from :data:`SETTINGS_ENV`.

        Raises:
            KeyError: the variable is not set.
        """
        data = json.loads((environ if environ is not None else os.environ)[SETTINGS_ENV])
        data["campaigns_dir"] = Path(data["campaigns_dir"])
        data["tokens"] = tuple(data.get("tokens", ()))
        data["cors_origins"] = tuple(data.get("cors_origins", ()))
        return cls(**data)
