"""How a capped quota ranks its awardees when the cap is exceeded (issue 10, item 3).

A quota with ``max_share`` or ``max_count`` may declare a ``ranking``: one or more ordered facts,
the first deciding and the next ones breaking its ties, then a stated rule for the ties left at
the cut. The engine marks the first ``allowed`` awardees of an over-cap group ``within_quota``
and the rest ``over_quota`` (see :mod:`emulation_rules.results.quotas`); the award verdicts never
change.
"""

from typing import Literal

from pydantic import Field

from emulation_rules.campaign.common import Ident, _Model
from emulation_rules.campaign.nodes import RankingShape, RankKeyShape


class RankKey(RankKeyShape, _Model):
    """One fact the awardees are ordered by (a number, a date or an ordered enum)."""

    fact: Ident = Field(description="Fact of the quota's subject kind: int, decimal, percent, date or ordered_enum.")
    order: Literal["desc", "asc"] = Field(
        default="desc",
        description="desc = the highest value ranks first (points); asc = the lowest first (a reviewer's rank 1, 2).",
    )


class Ranking(RankingShape, _Model):
    """Who stays within a cap: awardees ordered by ``by`` (first key decides, the next break its ties)."""

    by: tuple[RankKey, ...] = Field(min_length=1, description="Facts ranked by, most important first.")
    ties: Literal["first_listed", "none"] = Field(
        description="Ties left at the cut: first_listed = the earlier in the submission ranks first; "
        "none = every subject tied at the cut is reported tied_at_cap and nobody is chosen."
    )


__all__ = ["RankKey", "Ranking"]
