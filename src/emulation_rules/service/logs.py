"""The service's own log lines in the operator's language.

What the service logs itself (a campaign file left out at start or at a reload, what a reload
changed, a SIGHUP that cannot raise the reload generation) goes through the ``logging`` logger
``emulation_rules.service`` to uvicorn's error stream. ``serve --lang`` (default Vietnamese, or
``$EMULATION_RULES_LANG``) chooses the language of those lines as it does for every line the
command writes itself: :func:`speak` puts a filter on that logger which writes each record's
message in that language through the message catalogue (:mod:`emulation_rules.messages`); a line
the catalogue does not know is left as it is. uvicorn's own lines are uvicorn's.
"""

from __future__ import annotations

import logging

from emulation_rules.messages import Lang, translate_line

__all__ = ["LOGGER", "speak"]

LOGGER = "emulation_rules.service"
"""The name of the logger the service writes its own lines to."""


class _InLanguage(logging.Filter):
    """Rewrites a record's message in :attr:`lang` (never drops a record)."""

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.lang: Lang = lang

    def filter(self, record: logging.LogRecord) -> bool:
        if self.lang != "en":
            record.msg, record.args = translate_line(record.getMessage(), self.lang), None
        return True


def speak(lang: Lang) -> None:
    """Write the service's log lines in ``lang`` from now on, in this process (one filter on the
    logger :data:`LOGGER`; called again, it changes that filter's language)."""
    logger = logging.getLogger(LOGGER)
    for f in logger.filters:
        if isinstance(f, _InLanguage):
            f.lang = lang
            return
    logger.addFilter(_InLanguage(lang))
