"""Several worker processes: one reload generation for all, and no worker outliving its parent.

``serve --workers N`` runs uvicorn's process supervisor with two changes:

* **Reload reaches every worker.** The workers share a *reload generation*: a number in a file of
  a private temporary directory made by the parent (:class:`Generation`). ``POST /admin/reload``
  (in whichever worker receives it) and ``SIGHUP`` to the parent raise it; every worker compares
  the file before it serves a request and, when it moved, re-reads the campaign directory first.
  No worker is restarted, so no connection is dropped (uvicorn's own ``SIGHUP`` replaces every
  worker, closing their keep-alive connections). ``/readyz`` shows the generation a worker serves.
  The rule that makes it hold (:class:`~.state.ServiceState`): a worker serves generation *g* only
  from a directory read that began after it saw *g*, and it marks *g* as served only once that
  read succeeded. The parent raises the generation in the ``SIGHUP`` handler itself, not in
  uvicorn's supervision loop (which looks at its signals every half second, after its health
  checks).
* **No orphan.** Each worker asks the kernel for ``SIGTERM`` when its parent dies
  (``PR_SET_PDEATHSIG``, Linux) and, everywhere, watches its parent id twice a second; once
  orphaned it shuts down gracefully and is gone within :data:`ORPHAN_GRACE_S` seconds at most.
  A SIGKILL of the parent therefore frees the port for a restart within seconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from uvicorn import Config
from uvicorn.supervisors.multiprocess import Multiprocess

__all__ = [
    "ORPHAN_GRACE_S",
    "PARENT_ENV",
    "YOUNG_OBJECTS",
    "Generation",
    "Supervisor",
    "WorkerConfig",
    "settle_heap",
    "watch_parent",
]

PARENT_ENV = "EMULATION_RULES_SERVICE_PARENT"
"""Environment variable naming the supervisor's process id to its workers."""

ORPHAN_GRACE_S = 2.0
"""Seconds an orphaned worker is given to finish its requests before it exits."""

_PR_SET_PDEATHSIG = 1

logger = logging.getLogger("emulation_rules.service")


class Generation:
    """The reload generation shared by the workers of one service (a small file).

    Args:
        path: the generation file (created with generation 0 by :meth:`create`).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, directory: Path) -> Generation:
        """A new generation file (0) in ``directory``."""
        gen = cls(directory / "generation")
        gen._write(0)
        return gen

    def stamp(self) -> tuple[int, int, int] | None:
        """What changes whenever the generation is raised (a ``stat`` of the file: cheap enough
        to compare before every request); ``None`` if the file cannot be read."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def read(self) -> tuple[tuple[int, int, int] | None, int]:
        """The stamp, then the value: a raise in between gives an old stamp with the new value,
        so the next comparison of stamps looks again (never the other way round)."""
        stamp = self.stamp()
        return stamp, self.value()

    def value(self) -> int:
        """The current generation."""
        try:
            return int(self.path.read_text(encoding="ascii") or 0)
        except (OSError, ValueError):
            return 0

    def _write(self, value: int) -> None:
        tmp = self.path.with_name(f".generation.{os.getpid()}")
        tmp.write_text(str(value), encoding="ascii")
        os.replace(tmp, self.path)  # atomic: a reader sees the old or the new number

    def bump(self) -> tuple[tuple[int, int, int] | None, int]:
        """Raise the generation by one (serialised across processes); the stamp of the file
        written and the new value."""
        with open(self.path.with_name("lock"), "a") as lock:
            with contextlib.suppress(ImportError):  # POSIX; elsewhere one bump at a time is luck
                import fcntl

                fcntl.flock(lock, fcntl.LOCK_EX)
            value = self.value() + 1
            self._write(value)
            return self.stamp(), value  # still under the lock: the stamp of this very write


class Supervisor(Multiprocess):
    """uvicorn's process supervisor; ``SIGHUP`` raises the reload generation (module docstring)."""

    generation: Generation | None = None
    _hups = 0
    _bumping = False

    def run(self) -> None:
        os.environ[PARENT_ENV] = str(os.getpid())  # inherited by the workers it spawns
        if hasattr(signal, "SIGHUP"):  # raised when the signal arrives, not at the next loop turn
            signal.signal(signal.SIGHUP, self._on_hup)
        super().run()

    def _on_hup(self, _sig: int, _frame: object) -> None:
        # A second SIGHUP may interrupt the handler while it holds the lock file: it is counted,
        # and the running handler raises the generation once more when it is done.
        self._hups += 1
        while self._hups and not self._bumping:
            self._bumping = True
            try:
                self._hups = 0
                self.handle_hup()
            finally:
                self._bumping = False

    def handle_hup(self) -> None:
        if self.generation is not None:
            try:
                self.generation.bump()
            except OSError as exc:  # the private directory went away (shutting down)
                logger.warning("SIGHUP: the reload generation cannot be raised: %s", exc)


class WorkerConfig(Config):
    """uvicorn's configuration; in a worker process, the parent watch starts first of all
    (uvicorn sets up each worker's logging before it imports the application)."""

    def configure_logging(self) -> None:
        if multiprocessing.parent_process() is not None:
            watch_parent()
        super().configure_logging()

    def bind_socket(self) -> socket.socket:
        """The address the supervisor hands its workers. On Linux, a TCP address is bound with
        ``SO_REUSEPORT`` and never listened on here: each worker gets a socket of its own on it
        (:class:`_EachWorkerItsOwn`), and the kernel spreads new connections over the workers'
        sockets. One socket shared by all (uvicorn's way) left it to whichever worker woke first
        to accept a burst of connections: 32 keep-alive connections opened at once were split
        23:9, 21:11, 20:12 in three runs, and the busier worker set the latency; spread by the
        kernel, 14:18 to 16:16 in most of 30 trials. A port something already listens on is
        refused as before (a probe binds it without ``SO_REUSEPORT``); left open: a second server
        of the same user started while this one's workers are still starting would share the
        port with it (as any process of that user may already signal or trace the server)."""
        if not (sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")) or self.uds or self.fd:
            return super().bind_socket()
        family = socket.AF_INET6 if self.host and ":" in self.host else socket.AF_INET
        sock = _EachWorkerItsOwn(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            if self.port:  # refused where something listens already, as without SO_REUSEPORT
                with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    probe.bind((self.host, self.port))
            _reuse(sock).bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            logging.getLogger("uvicorn.error").error(exc)  # as uvicorn says it
            sys.exit(3)  # uvicorn's STARTUP_FAILURE
        sock.set_inheritable(True)
        return sock


class _EachWorkerItsOwn(socket.socket):
    """A bound address that a worker process receives as a new socket of its own on the same
    address (pickled by address, not by file descriptor), for uvicorn to listen on there."""

    def __reduce__(self) -> tuple[object, tuple[int, tuple[object, ...]]]:
        return _worker_socket, (int(self.family), self.getsockname())


def _worker_socket(family: int, address: tuple[object, ...]) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    _reuse(sock).bind(address)
    return sock


def _reuse(sock: socket.socket) -> socket.socket:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


_watching = False


def watch_parent() -> None:
    """In a worker: exit (gracefully, then for good) once the parent process is gone.

    The parent is the process named by :data:`PARENT_ENV` (set by the supervisor before it
    starts workers), so a worker still starting when its parent died knows it at once.
    """
    global _watching
    if _watching:
        return
    _watching = True
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown
        time.sleep(ORPHAN_GRACE_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


YOUNG_OBJECTS = 10_000
"""The collector's first threshold in a serving process (CPython's default: 700)."""


def settle_heap() -> None:
    """In a serving process, once its campaigns are loaded and its engines built: what start-up
    made is moved out of the cyclic collector's sight (``gc.freeze``) and the youngest generation
    is collected after :data:`YOUNG_OBJECTS` net allocations rather than 700.

    Measured on the one-unit request with the app driven in-process (decision log on): with the
    defaults the collector took 0.08 ms per request, 0.045 of it in a full collection of the whole
    start-up heap (about 65 ms, once every 1,400 requests: a latency spike) and 0.03 in 228 young
    collections per 1,000 requests; frozen, with this threshold, none ran (a request's objects are
    freed by their reference counts; its peak stays under the threshold). Cyclic garbage still
    goes, a little later. The campaigns a reload brings are not frozen: they are collected as usual.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS)
