"""The campaign across the union hierarchy: which levels take part in a roll-up, at which
levels each target and quota is judged, and how the units of an emulation cluster (cụm, khối thi
đua) are ranked for the flag.

A review is run by a level for the level below; the tree of units itself is data (the units file,
:mod:`emulation_rules.facts.units`), since the levels changed with the 2025 reform. A campaign
declares only what its text says::

    hierarchy:
      levels: [grassroots_union, upper_union, provincial_federation]   # reported in a roll-up
      judged_at:
        - {target: grassroots_unions_launch_plan, levels: [provincial_federation, upper_union]}
        - {quota: cstdcs_cap, levels: [grassroots_union]}
      clusters:
        label: {vi: "Cờ thi đua dẫn đầu cụm", en: "Cluster leader's flag"}
        score: {award: union_strength}     # points of that award's score sheet, or {fact: ...}
        order: desc                         # the highest score leads
        leaders: 1                          # how many units of a cluster get the flag
        ties: none                          # at the cut: none (nobody named) | first_listed
        source: {doc: plan, lines: 40}

Without ``levels`` every level of the tree is reported; a target or quota not listed under
``judged_at`` is judged at every unit. The Confederation's emulation flag goes to the leaders of
its emulation clusters after the council meets in December; which unit is in which cluster is the
``cluster`` column of the units file.
"""

from typing import Literal

from pydantic import Field, model_validator

from emulation_rules.campaign.common import _NOTE, Ident, Source, Text, _Model
from emulation_rules.campaign.nodes import ClusterRankingShape, ClusterScoreShape, HierarchyShape, JudgedAtShape

__all__ = ["ClusterRanking", "ClusterScore", "Hierarchy", "JudgedAt"]


class ClusterScore(ClusterScoreShape, _Model):
    """What a cluster's units are ranked by: a fact of the unit, or its points for an award."""

    fact: Ident | None = Field(default=None, description="A numeric or ordered fact of the unit (collective).")
    award: Ident | None = Field(default=None, description="An award with a score sheet: the unit's points for it.")

    @model_validator(mode="after")
    def _exactly_one(self) -> "ClusterScore":
        if (self.fact is None) == (self.award is None):
            raise ValueError("give exactly one of 'fact' and 'award'")
        return self


class ClusterRanking(ClusterRankingShape, _Model):
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


class JudgedAt(JudgedAtShape, _Model):
    """The levels of the tree at which one target or one quota is judged in a roll-up."""

    target: Ident | None = Field(default=None, description="A target id of the campaign.")
    quota: Ident | None = Field(default=None, description="A quota id of the campaign.")
    levels: tuple[Ident, ...] = Field(min_length=1, description="Collective levels at which it is judged.")
    source: Source | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "JudgedAt":
        if (self.target is None) == (self.quota is None):
            raise ValueError("give exactly one of 'target' and 'quota'")
        return self


class Hierarchy(HierarchyShape, _Model):
    """The campaign across the union hierarchy (roll-up levels, where targets and quotas are judged, clusters)."""

    levels: tuple[Ident, ...] = Field(default=(), description="Collective levels reported in a roll-up (default: all).")
    judged_at: tuple[JudgedAt, ...] = Field(
        default=(), description="Levels at which a target or quota is judged (default: every unit).")
    clusters: ClusterRanking | None = Field(
        default=None, description="How each emulation cluster's units are ranked for the flag.")

