"""Stage 2, submitted facts: readers (YAML, JSON, CSV), coercion to declared types, the one input
vocabulary (:mod:`.vocab`: ids or labels), the initiative register with its derived facts, and
what a review date sees (:mod:`.asof`, :mod:`.review`)."""

from emulation_rules.facts.coerce import coerce_value
from emulation_rules.facts.load import load_facts
from emulation_rules.facts.reader import Subject, Submission, parse_facts

__all__ = ["Subject", "Submission", "coerce_value", "load_facts", "parse_facts"]
