"""The review cycle in a campaign: proposals (đề nghị) and the council's vote (bỏ phiếu kín).

An award may declare::

    requires_proposal: true        # only subjects the unit proposes (đề nghị) are judged for it
    vote:                          # the emulation council's secret ballot decides it
      threshold: 70                # percent of votes for, inclusive ("từ 70% trở lên")
      of: members                  # ... of the council's members, or of those present
      quorum: 66.67                # optional: percent of members present for the ballot to count
      source: {doc: decree_98_2023, article: "...", lines: 12}

Thresholds differ by title and level and change with each decree, so they are data here, cited,
and figure-checked like every other figure (a ``{param: id}`` bound reads a percent parameter).
How a vote is judged is :mod:`emulation_rules.evaluate.cycle`.
"""

from typing import Annotated, Literal

from pydantic import Field

from emulation_rules.campaign.common import BoundParam, Source, _Model
from emulation_rules.campaign.nodes import VoteShape
from emulation_rules.campaign.nodes import vote_fact as vote_fact  # re-exported

__all__ = ["Share", "Vote", "vote_fact"]

Share = Annotated[float, Field(ge=0, le=100)] | BoundParam


class Vote(VoteShape, _Model):
    """The council's secret ballot on an award: a share of votes for, and an optional quorum."""

    threshold: Share = Field(description="Lowest share of votes for, percent 0-100 (inclusive: 'từ x% trở lên'), or {param: id}.")
    of: Literal["present", "members"] = Field(default="present", description="The share is taken of the members present (present) or of all the council's members (members).")
    quorum: Share | None = Field(default=None, description="Lowest share of the members present for the ballot to count, percent 0-100 (inclusive), or {param: id}; none = no quorum.")
    source: Source = Field(description="Where the threshold (and quorum) are stated.")
    derived: str | None = Field(default=None, description="Why the figures are not printed on the cited lines; without it the loader requires them there.")
