"""Stage 2, submitted facts: readers (YAML, JSON, CSV), coercion to declared types, the one input
vocabulary (:mod:`.vocab`: ids or labels), the initiative register with its derived facts, and
what a review date sees (:mod:`.asof`, :mod:`.review`)."""

import importlib
import typing

if typing.TYPE_CHECKING:
    from emulation_rules.facts.coerce import coerce_value
    from emulation_rules.facts.load import load_facts
    from emulation_rules.facts.reader import Subject, Submission, parse_facts

_LAZY = {
    "Subject": "emulation_rules.facts.reader",
    "Submission": "emulation_rules.facts.reader",
    "coerce_value": "emulation_rules.facts.coerce",
    "load_facts": "emulation_rules.facts.load",
    "parse_facts": "emulation_rules.facts.reader",
}

__all__ = ["Subject", "Submission", "coerce_value", "load_facts", "parse_facts"]


def __getattr__(name: str) -> typing.Any:
    """Import a public name on first use (a command loads only what it runs)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
