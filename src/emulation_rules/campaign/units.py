"""Conditions over the subject's unit (issue 19, item 6): ``{unit: <condition>}`` and, inside it,
``{level: [...]}``.

An individual's criterion (or its award's ``eligibility.unit``) may read the unit it belongs to
(its ``unit`` in the submission): that unit's facts, its level (``{level: [grassroots_union]}``)
and the verdicts this evaluation gives it (``{award: emulation_flag}``): 'đoàn viên của công đoàn
cơ sở được xếp loại vững mạnh', 'của công đoàn được tặng Cờ thi đua'. Unknown when the unit is not
in the submission (or lacks the fact, or its award is ``incomplete``). Unit awards are judged
before the individual awards that read them (every collective first), so no cycle can arise; the
loader refuses a ``unit`` condition outside an individual award, nested in another, or reading
an individual award.

Part of the condition union of :mod:`.model` (re-exported there); how the backends read it is in
:mod:`emulation_rules.evaluate.units`.
"""

from typing import TYPE_CHECKING

from pydantic import Field

from emulation_rules.campaign.common import Ident, _Model
from emulation_rules.campaign.nodes import LevelInShape, OfUnitShape

if TYPE_CHECKING:
    from emulation_rules.campaign.model import Condition

__all__ = ["LevelIn", "OfUnit"]


class OfUnit(OfUnitShape, _Model):
    """``{unit: <condition>}``: ``condition`` read on the subject's unit (its facts, its level with
    ``{level: [...]}``, its verdicts with ``{award: <collective award>}``)."""

    unit: "Condition" = Field(description="A condition over the unit's facts, level and awards.")


class LevelIn(LevelInShape, _Model):
    """``{level: [ids]}`` inside ``unit``: the unit's level is one of these collective levels."""

    level: tuple[Ident, ...] = Field(min_length=1, description="Collective levels accepted.")
