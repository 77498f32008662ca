"""Backwards-compatible name of the python backend (README: ``emulation_rules.reference``).

:class:`ReferenceEvaluator` is the python backend with quotas attached, as before the backends
were unified; new code uses ``Engine(campaign, backend="python")``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.engine import Engine
from emulation_rules.evaluate.interface import Submitted
from emulation_rules.evaluate.result import Evaluation

__all__ = ["ReferenceEvaluator", "evaluate"]


class ReferenceEvaluator(Engine):
    """``Engine(campaign, params=params, backend="python")`` under its former name.

    Example:
        >>> from emulation_rules import load_campaign
        >>> ReferenceEvaluator(load_campaign("campaigns/tkv_2019.yaml")).backend
        'python'
    """

    def __init__(self, campaign: m.Campaign, *, params: Mapping[str, float] | None = None) -> None:
        super().__init__(campaign, params=params, backend="python")

    def describe(self, cond: m.Condition) -> str:
        """A condition in words, as the engine shows it (e.g. ``union_rating ≥ strong``)."""
        from emulation_rules.evaluate.semantics import describe

        return describe(cond, self.params)


def evaluate(campaign: Any, facts: Submitted, *, as_of: dt.date | None = None) -> Evaluation:
    """Evaluate ``facts`` with the python backend.

    Args:
        campaign: a :class:`~emulation_rules.campaign.model.Campaign`, or any object with
            ``campaign`` and ``params`` attributes (such as ``Engine(...).compiled``).
        facts: as for :meth:`Engine.evaluate`.
        as_of: review date.
    """
    if isinstance(campaign, m.Campaign):
        return ReferenceEvaluator(campaign).evaluate(facts, as_of=as_of)
    return ReferenceEvaluator(campaign.campaign, params=dict(campaign.params)).evaluate(
        facts, as_of=as_of
    )
