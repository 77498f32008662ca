"""What a quota groups by and whom it counts, beyond one subject kind per unit or level (issue 19,
item 7).

``per`` may be a mapping instead of ``campaign``, ``unit`` or ``level``:

* ``per: {fact: theme}``: one group per value of a fact ('không quá 300 bằng khen cho một
  chuyên đề': one cap per theme). A quota counting both kinds names one fact per kind
  (``fact: [union_theme, member_theme]``); each subject reads the one declared for its kind.
  A subject whose fact is missing could be in any group: it is undecided in each of them.
* ``per: {within: provincial_federation}``: one group per unit of that collective level above
  the subject in the submitted union tree (a subject's ``unit``, that unit's ``unit``, ...):
  'mỗi Liên đoàn Lao động tỉnh được đề nghị không quá ...'. A subject of that level is its own
  group; one with no such unit above it is in the group ``no <level>``.
* both: one group per (unit of that level, value of the fact).

``subjects: [collective, individual]`` counts several kinds together: every awardee of the
quota's ``awards`` (of either kind) counts once.
"""

from pydantic import Field

from emulation_rules.campaign.common import Ident, _Model
from emulation_rules.campaign.nodes import QuotaPerShape

__all__ = ["QuotaPer"]


class QuotaPer(QuotaPerShape, _Model):
    """A quota's groups: by the value of a fact, by the unit of a level above the subject, or both."""

    fact: Ident | tuple[Ident, ...] | None = Field(
        default=None,
        description="Fact whose value names the group (an enum, text, bool or int); for a quota over both "
        "kinds, one fact per kind (a list). A missing value leaves the subject undecided in every group.",
    )
    within: Ident | None = Field(
        default=None,
        description="Collective level: the group is the unit of this level at or above the subject in the "
        "submitted union tree (its 'unit', that unit's 'unit', ...).",
    )

