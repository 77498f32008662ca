"""The regression tests read the English messages (each test names the words of its issue):
they ask for English through ``$EMULATION_RULES_LANG``, which the command line and the
interpreters they start read as the default of ``--lang`` (Vietnamese otherwise)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module", autouse=True)
def _english() -> Iterator[None]:  # module-wide: module fixtures run the command line too
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EMULATION_RULES_LANG", "en")
        yield
