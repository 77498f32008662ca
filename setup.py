"""Build step of the wheel (the project's metadata is in pyproject.toml).

The shipped campaigns, their author cases, their example facts and the legal excerpts the project
may distribute are package data (``emulation_rules/shipped/``), found by
:mod:`emulation_rules.campaign.shipped`. They are copied here from the repository's
``campaigns/`` and ``examples/`` rather than moved under ``src/``: the README, the guide, the
tests and every contributor's open branch use those paths, and one copy stays the truth. The
five union plans' own texts (``../shared/seeds``) are not the project's to ship and are not
copied. ``tests/unit/test_wheel.py`` builds the wheel and runs it from a fresh venv.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {
    "campaigns": ("*.yaml", "cases/*.yaml", "documents/*.txt", "documents/*.md"),
    "examples": ("*/*.yaml", "*/*.json", "*/*.csv", "*/*.md"),
}
"""What is shipped: repository directory -> glob patterns of the files taken from it."""


class BuildPyWithShipped(build_py):
    """``build_py`` that also copies :data:`SHIPPED` into ``emulation_rules/shipped/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout
            return
        target = Path(self.build_lib) / "emulation_rules" / "shipped"
        for top, patterns in SHIPPED.items():
            for pattern in patterns:
                for source in sorted((ROOT / top).glob(pattern)):
                    if source.is_file():
                        dest = target / top / source.relative_to(ROOT / top)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(source, dest)


setup(cmdclass={"build_py": BuildPyWithShipped})
