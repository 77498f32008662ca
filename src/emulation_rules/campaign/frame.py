"""The campaign's frame: its phases and reviews, who takes part, and the facts subjects submit."""

import datetime as dt
from typing import Literal

from pydantic import Field

from emulation_rules.campaign.common import _NOTE, EnumValue, Ident, Source, Text, _Model
from emulation_rules.campaign.nodes import (
    FactDeclShape,
    PhaseShape,
    RecordFieldShape,
    ReviewShape,
    ReviewYearShape,
    SubjectLevelShape,
    SubjectsShape,
    YearStartShape,
)


class Phase(PhaseShape, _Model):
    """A phase (giai đoạn) or round (đợt) with inclusive dates."""

    id: Ident
    label: Text
    kind: Literal["phase", "round", "campaign"] = Field(
        default="phase", description="'round' for a sprint round (đợt), 'campaign' for the whole open-ended period."
    )
    start: dt.date = Field(description="First day of the phase, inclusive.")
    end: dt.date | None = Field(default=None, description="Last day of the phase, inclusive; null when the plan sets no end.")
    source: Source
    derived: str | None = Field(
        default=None,
        description="Why a date of the phase (its start, its end, or both) is not printed on the cited "
        "lines ('từ nay' = the plan's date; a standing regulation's review year); without it the "
        "loader requires both dates on those lines (figure-not-in-source).",
    )
    note: str | None = Field(default=None, description=_NOTE)



class YearStart(YearStartShape, _Model):
    """The day a review year starts on."""

    month: int = Field(ge=1, le=12, description="Month, 1-12 (9 for a school year).")
    day: int = Field(ge=1, le=28, description="Day of the month, 1-28.")


class ReviewYear(ReviewYearShape, _Model):
    """A standing regulation (quy chế) applied at every yearly review: review years start on
    ``starts`` (1 January: calendar years; 1 September: school years). The review date picks
    its review year Y, which ``held`` conditions and record windows count from; a history entry's
    ``year`` names a review year by the calendar year it starts in (2024 = 2024-2025)."""

    starts: YearStart = Field(description="First day of every review year.")
    source: Source
    note: str | None = Field(default=None, description=_NOTE)





class Review(ReviewShape, _Model):
    """A recurring check or review (kiểm tra, sơ kết, tổng kết)."""

    id: Ident
    label: Text
    kind: Literal["inspection", "interim_review", "final_review"] = Field(
        description="inspection = kiểm tra/giám sát; interim_review = sơ kết; final_review = tổng kết."
    )
    every_months: int = Field(gt=0, description="Cadence in months (6 = every six months, 12 = yearly).")
    held_by: str | None = Field(default=None, description="Which body holds it, as in the plan.")
    source: Source


class SubjectLevel(SubjectLevelShape, _Model):
    """A kind of collective (unit level) or of individual (role) named by the plan."""

    id: Ident
    label: Text
    participates: bool = Field(default=True, description="Takes part in the campaign (đối tượng thực hiện).")
    source: Source | None = None


class Subjects(SubjectsShape, _Model):
    """Who takes part (đối tượng thực hiện) and which levels and roles exist."""

    collective_levels: tuple[SubjectLevel, ...] = Field(
        default=(), description="Unit levels, lowest first (union group ... federation)."
    )
    individual_roles: tuple[SubjectLevel, ...] = Field(default=(), description="Roles of individuals.")
    source: Source | None = None


FactType = Literal["bool", "int", "money", "decimal", "percent", "date", "text", "enum", "ordered_enum", "records"]
SubjectKind = Literal["collective", "individual"]
DateBasis = Literal["applied_on", "recognized_on", "submitted_on"]


class RecordField(RecordFieldShape, _Model):
    """A field of a record in a list-of-records fact (e.g. an initiative)."""

    id: Ident
    type: Literal[
        "bool", "int", "money", "decimal", "percent", "date", "text", "enum", "ordered_enum"
    ] = Field(description="Type of the field's values (a record holds no nested records); money = "
              "a whole number of đồng (VND), never negative.")
    label: Text
    unit: str | None = Field(default=None, description="Unit, e.g. 'VND', '%'.")
    values: tuple[EnumValue, ...] = Field(default=(), description="For enum types; ordered_enum lists lowest first.")
    minimum: float | None = Field(default=None, description="Smallest valid value, for numbers.")
    maximum: float | None = Field(default=None, description="Largest valid value, for numbers.")
    required: bool = Field(default=True, description="A record lacking a required field is rejected with its row.")
    judgement: bool = Field(default=False, description="The value is a reviewer's judgement, not a measurement.")


class FactDecl(FactDeclShape, _Model):
    """A declared fact: what a subject submits, with type and unit."""

    id: Ident
    applies_to: SubjectKind = Field(description="Which subjects submit this fact.")
    type: FactType = Field(
        description="bool, int, money (a whole number of đồng, never negative; written 80000000, "
        "'80.000.000 đồng', '80 triệu đồng' or '1,5 tỷ đồng'), decimal, percent (0-100), date, text, enum, "
        "ordered_enum (lowest first), or records (a list of records with 'fields')."
    )
    label: Text
    unit: str | None = Field(default=None, description="Unit, e.g. 'VND', '%', 'người'.")
    values: tuple[EnumValue, ...] = Field(default=(), description="Enum values; for ordered_enum, lowest first.")
    fields: tuple[RecordField, ...] = Field(default=(), description="Record fields, for type 'records'.")
    minimum: float | None = Field(default=None, description="Smallest valid value, for numbers.")
    maximum: float | None = Field(default=None, description="Largest valid value, for numbers.")
    judgement: bool = Field(
        default=False,
        description="The value is a reviewer's judgement (e.g. 'hiệu quả cao'), not a measurement.",
    )
    changeable: bool = Field(
        default=True,
        description="False for a fact no effort changes (age, years of service): advice never suggests "
        "changing it, only providing it when missing.",
    )
    source: Source | None = None
    note: str | None = Field(default=None, description=_NOTE)
