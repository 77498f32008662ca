"""The initiative programme of a campaign (sáng kiến): checks, window, attribution."""

import datetime as dt
from typing import Literal

from pydantic import (
    Field,
)

from emulation_rules.campaign.common import _NOTE, EnumValue, Ident, Source, Text, _Model
from emulation_rules.campaign.nodes import (
    AttributionShape,
    DateWindowShape,
    InitiativeCheckShape,
    InitiativeProgrammeShape,
)

# --- Initiatives (sáng kiến) -----------------------------------------------------------------

InitiativeCheckKind = Literal[
    "new_within_unit",
    "recognized",
    "applied_in_window",
    "has_benefit",
    "research_project_accepted",
    "not_against_public_order",
    "not_ip_protected",
]


class InitiativeCheck(InitiativeCheckShape, _Model):
    """One condition an initiative must meet, or one exclusion it must escape.

    The checks are a fixed vocabulary (``check``, one of the listed words) built into the
    library; the campaign lists the ones its plan states, each with the plan's words and citation."""

    id: Ident
    check: InitiativeCheckKind = Field(
        description="new_within_unit: the register says it is new within the unit; recognized: a "
        "recognizer listed in 'recognizers' and a recognition date; applied_in_window: applied "
        "(or trial-applied) on a date inside 'window'; has_benefit: a monetary benefit above 0 VND "
        "or a stated non-monetary benefit; research_project_accepted: for the research-project "
        "kind, accepted (nghiệm thu), applied since 'research_applied_from' and its effect "
        "confirmed by the head of the unit applying it; not_against_public_order; not_ip_protected."
    )
    label: Text
    text_vi: str = Field(description="The plan's Vietnamese wording.")
    exclusion: bool = Field(default=False, description="The plan states it as an exclusion (không được tham gia).")
    source: Source
    note: str | None = Field(default=None, description=_NOTE)


class DateWindow(DateWindowShape, _Model):
    """A date window with both ends inclusive."""

    start: dt.date = Field(description="First day, inclusive.")
    end: dt.date = Field(description="Last day, inclusive.")
    source: Source
    derived: str | None = Field(
        default=None,
        description="Why the figure here is not printed on the cited lines (e.g. 100% for 'đạt dự toán "
        "giao'); without it the loader requires the figure on those lines (figure-not-in-source).",
    )
    note: str | None = Field(default=None, description=_NOTE)


class Attribution(AttributionShape, _Model):
    """Whom an initiative with several authors is credited to."""

    policy: Literal["leader_or_top_share", "all_authors"] = Field(
        description="leader_or_top_share: the project leader if the register names one, else the author "
        "with the highest contribution share (Vĩnh Linh 002 L59); all_authors: every co-author "
        "(NĐ 13/2012, TT 18/2013)."
    )
    tie_break: Literal["first_listed"] = Field(
        default="first_listed",
        description="Among authors tied on the highest share, the one listed first in the register "
        "(the request form's order, TT 18/2013 Phụ lục I).",
    )
    source: Source
    note: str | None = Field(default=None, description=_NOTE)


class InitiativeProgramme(InitiativeProgrammeShape, _Model):
    """Rules of an initiative programme (Vĩnh Linh 002 L29-66): kinds, checks, window, attribution.

    A facts file may then carry an ``initiatives`` register (a list of initiatives, each with
    ``id``, ``kind``, ``authors`` [{person, share}], ``unit``, dates and yes/no states); the
    library judges each initiative by these rules and derives the per-subject count facts named
    here (``credited_fact``, ``unit_fact``)."""

    kinds: tuple[EnumValue, ...] = Field(min_length=1, description="Accepted kinds of initiative.")
    kinds_source: Source
    research_kind: Ident | None = Field(default=None, description="The kind id of a research project (đề tài).")
    research_applied_from: dt.date | None = Field(
        default=None, description="Research projects must be applied on or after this day (L57 'từ tháng 9/2021').")
    recognizers: tuple[EnumValue, ...] = Field(min_length=1, description="Who may recognise an initiative.")
    window: DateWindow = Field(description="Window on the application date (applied_on).")
    checks: tuple[InitiativeCheck, ...] = Field(min_length=1, description="All must hold for an initiative to count.")
    attribution: Attribution
    credited_fact: Ident | None = Field(
        default=None,
        description="Individual int fact set, for each person, to the number of accepted initiatives credited to them.",
    )
    unit_fact: Ident | None = Field(
        default=None,
        description="Collective int fact set, for each unit, to the number of accepted initiatives it registered.",
    )
    outside_authors: bool = Field(default=False, description="Authors and units need not be subjects of the submission.")
