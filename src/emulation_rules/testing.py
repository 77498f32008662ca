"""Hypothesis strategies from a campaign, for integrators' property tests (extra ``testing``).

The public facade over :mod:`emulation_rules.authoring.strategies`, as hypothesis exposes its
``_internal`` package; see that module for what the strategies generate.
"""

from emulation_rules.authoring.strategies import boundary_values, facts_for, subject_for, subjects

__all__ = ["boundary_values", "facts_for", "subject_for", "subjects"]
