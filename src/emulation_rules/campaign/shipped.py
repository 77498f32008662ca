"""The campaigns shipped with the package, found by id.

The installed package carries, as package data under ``emulation_rules/shipped/``, the
repository's ``campaigns/*.yaml`` (the seven campaigns), ``campaigns/cases/`` (their author cases),
``campaigns/documents/`` (the legal excerpts the project may distribute, with ``SOURCES.md``)
and ``examples/<id>/`` (example facts): ``setup.py`` copies them into the wheel at build time, so
the repository keeps one copy where the README, the guide and the tests use it. In a source
checkout (an editable install) the same files are read from the checkout.

The five union plans' own texts are not the project's to ship: their documents name a ``text``
that is looked up beside the campaign file and then, by file name, in the directories of
``$EMULATION_RULES_DOCUMENTS`` (:mod:`.figures`); without it their cited lines are printed as
not checked (:mod:`.texts`).

Example:
    >>> "tkv_2019" in shipped_campaigns()
    True
    >>> shipped_campaign_path("tkv_2019").name
    'tkv_2019.yaml'
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = [
    "SHIPPED_DIR",
    "is_campaign_id",
    "shipped_campaign_path",
    "shipped_campaigns",
    "shipped_example_dir",
    "shipped_root",
]

SHIPPED_DIR = "shipped"
"""Directory of the package data inside the installed package (``emulation_rules/shipped``)."""

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def shipped_root() -> Path | None:
    """The directory holding ``campaigns/`` and ``examples/``: the package data of an installed
    wheel, else the source checkout this package runs from; ``None`` when neither has them."""
    package = Path(__file__).resolve().parents[1]
    installed = package / SHIPPED_DIR
    if (installed / "campaigns").is_dir():
        return installed
    checkout = package.parents[1]  # src/emulation_rules -> the repository
    if (checkout / "campaigns").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return None


def shipped_campaigns() -> dict[str, Path]:
    """Every shipped campaign file by id (the file name without ``.yaml``), sorted by id."""
    root = shipped_root()
    if root is None:
        return {}
    return {p.stem: p for p in sorted((root / "campaigns").glob("*.yaml")) if _ID.match(p.stem)}


def is_campaign_id(source: str | os.PathLike[str]) -> bool:
    """True when ``source`` is written like a campaign id (no directory, no extension)."""
    return isinstance(source, str) and _ID.match(source) is not None


def shipped_campaign_path(source: str | os.PathLike[str]) -> Path | None:
    """The shipped file of campaign id ``source``, or ``None``: a path that exists as written
    is never taken for an id (``tkv_2019`` in the current directory wins)."""
    if not is_campaign_id(source) or Path(source).exists():
        return None
    return shipped_campaigns().get(str(source))


def shipped_example_dir(campaign_id: str) -> Path | None:
    """The directory of the shipped example facts of ``campaign_id``, or ``None``."""
    root = shipped_root()
    if root is None or not _ID.match(campaign_id):
        return None
    directory = root / "examples" / campaign_id
    return directory if directory.is_dir() else None
