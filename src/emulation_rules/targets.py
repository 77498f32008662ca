"""Backwards-compatible path of :mod:`emulation_rules.results.targets` (README)."""

from emulation_rules.results.targets import (
    TargetReport,
    TargetResult,
    evaluate_targets,
    render_targets_json,
    render_targets_table,
)

__all__ = [
    "TargetReport",
    "TargetResult",
    "evaluate_targets",
    "render_targets_json",
    "render_targets_table",
]
