"""The public surface: __all__ is sorted and complete; the compiler is deterministic."""

from __future__ import annotations

import emulation_rules
from emulation_rules import compile_campaign, load_campaign

from ..conftest import campaign_files


def test_all_lists_exactly_the_public_names():
    public = {n for n in dir(emulation_rules) if not n.startswith("_")}  # names load on first use
    modules = {n for n in public if type(getattr(emulation_rules, n)).__name__ == "module"}
    assert set(emulation_rules.__all__) - {"__version__"} == public - modules
    assert list(emulation_rules.__all__) == sorted(emulation_rules.__all__)


def test_compiler_is_deterministic():
    for path in campaign_files():
        first = [a.ruleset_json() for a in compile_campaign(load_campaign(path)).awards]
        again = [a.ruleset_json() for a in compile_campaign(load_campaign(path)).awards]
        assert first == again, path.name
