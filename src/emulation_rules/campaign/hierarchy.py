"""How the units of an emulation cluster (cụm, khối thi đua) are ranked for the flag.

The Confederation's emulation flag goes to the leaders of its emulation clusters after the
council meets in December; a provincial federation ranks the units of each of its blocs the same
way. A campaign declares the rule once::

    clusters:
      label: {vi: "Cờ thi đua dẫn đầu cụm", en: "Cluster leader's flag"}
      score: {award: union_strength}       # points of that award's score sheet, or {fact: ...}
      order: desc                           # the highest score leads
      leaders: 1                            # how many units of a cluster get the flag
      ties: none                            # at the cut: none (nobody named) | first_listed
      source: {doc: plan, lines: 40}

Which unit is in which cluster is data: the ``cluster`` column of the tree of units
(:mod:`emulation_rules.facts.units`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from emulation_rules.campaign.common import _NOTE, Ident, Source, Text, _Model

__all__ = ["ClusterRanking", "ClusterScore"]


class ClusterScore(_Model):
    """What a cluster's units are ranked by: a fact of the unit, or its points for an award."""

    fact: Ident | None = Field(default=None, description="A numeric or ordered fact of the unit (collective).")
    award: Ident | None = Field(default=None, description="An award with a score sheet: the unit's points for it.")

    @model_validator(mode="after")
    def _exactly_one(self) -> ClusterScore:
        if (self.fact is None) == (self.award is None):
            raise ValueError("give exactly one of 'fact' and 'award'")
        return self


class ClusterRanking(_Model):
    """The ranking of each emulation cluster's units, and how many lead it (get the flag)."""

    label: Text
    score: ClusterScore
    order: Literal["desc", "asc"] = Field(default="desc", description="desc: the highest score leads; asc: the lowest.")
    leaders: int = Field(default=1, ge=1, description="How many units of each cluster lead it.")
    ties: Literal["none", "first_listed"] = Field(
        default="none",
        description="Units tied at the cut: none = nobody at that score is named a leader (said so); "
        "first_listed = in the order of the units file.",
    )
    source: Source | None = None
    note: str | None = Field(default=None, description=_NOTE)
