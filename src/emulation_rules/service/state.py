"""What one service process serves, and the reload generation it serves (:mod:`.supervisor`).

With several workers, ``POST /admin/reload`` in one worker and ``SIGHUP`` to the parent raise a
shared generation; every worker compares it before each request (one ``stat``) and re-reads the
campaign directory when it moved. The rule that makes a reload reach every request that starts
after its answer is stated on :class:`ServiceState`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading

import anyio

from emulation_rules.service.decisions import DecisionLog
from emulation_rules.service.delivery import _timed_out, in_thread  # the 503 of a timeout, as for evaluations
from emulation_rules.service.registry import CampaignRegistry, ReloadReport
from emulation_rules.service.settings import ServiceSettings
from emulation_rules.service.supervisor import Generation

__all__ = ["ServiceState", "reload_directory"]

log = logging.getLogger("emulation_rules.service")


@dataclasses.dataclass
class ServiceState:
    """What a worker serves, and which reload generation it serves (:mod:`.supervisor`).

    A worker serves generation *g* only from a directory read that began after it saw *g* (at
    start, the generation is read before the directory), and it marks *g* as served only once
    that read succeeded: a reload that fails or runs out of time is tried again by the next
    request, and a request arriving while another one's reload runs waits for it.
    """

    settings: ServiceSettings
    registry: CampaignRegistry
    decisions: DecisionLog | None
    generation: Generation | None = None
    served_generation: int = 0
    seen: tuple[int, int, int] | None = None  # the generation file's stamp when last compared
    _reloading: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    _syncing: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)

    async def sync(self) -> None:
        """Before serving: re-read the directory if another process raised the generation."""
        gen = self.generation
        if gen is None or self._current(gen):
            return  # the usual case: one stat
        timeout_s = self.settings.timeout_s
        try:
            with anyio.fail_after(timeout_s):  # waiting included
                async with self._syncing:  # one catch-up at a time; the others wait for it
                    if not self._current(gen):
                        await in_thread(self._catch_up, timeout_s)
        except TimeoutError:
            raise _timed_out(timeout_s) from None

    def _current(self, gen: Generation) -> bool:
        stamp = gen.stamp()
        return stamp is None or stamp == self.seen  # None: the file is gone (shutting down)

    def _catch_up(self) -> None:
        gen = self.generation
        assert gen is not None
        with self._reloading:
            stamp, value = gen.read()  # before the directory is read
            if stamp is None or stamp == self.seen:
                return
            if value != self.served_generation:
                reload_directory(self)
                self.served_generation = value
            self.seen = stamp

    def reload(self) -> ReloadReport:
        """Re-read the directory here and tell the other workers (the generation): raised first,
        so that whatever the generation says was edited before it is in the read."""
        with self._reloading:
            if self.generation is None:
                return reload_directory(self)
            stamp, value = self.generation.bump()
            report = reload_directory(self)
            self.served_generation, self.seen = value, stamp
            return report


def reload_directory(state: ServiceState) -> ReloadReport:
    """Re-read the served directory (the registry swaps it in at once) and log what changed."""
    report = state.registry.reload()
    for problems in report.problems.values():
        for p in problems:
            log.warning("reload: %s", p)
    log.warning(
        "reload: loaded %s; unchanged %s; kept (bad edit) %s; removed %s",
        list(report.loaded),
        list(report.unchanged),
        list(report.kept),
        list(report.removed),
    )
    return report
