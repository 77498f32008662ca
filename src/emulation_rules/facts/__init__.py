"""Stage 2, submitted facts: readers (YAML, JSON, CSV), coercion to declared types, the one input
vocabulary (:mod:`.vocab`: ids or labels), the initiative register with its derived facts, and
what a review date sees (:mod:`.asof`, :mod:`.review`)."""

import typing

from emulation_rules.lazy import lazy_names as _lazy_names

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


__getattr__, __dir__ = _lazy_names(__name__, _LAZY)
