"""The campaign model: pydantic v2, frozen, unknown keys are errors.

A campaign file encodes one plan (kế hoạch phát động thi đua). Its top-level sections follow
the plan (Luật Thi đua, khen thưởng 2022, Art 17: goals, subjects, content and criteria,
time, review): ``document`` and ``legal_basis``; ``phases`` and ``reviews``; ``subjects``;
declared ``facts`` and ``parameters``; ``awards`` with their ``criteria`` and optional
``score_sheet``; ``defects`` of the source text and how the encoding resolves each.

Every field carries a description, so ``emulation-rules schema`` gives editors a documented
JSON Schema. Semantic checks (unknown facts, enum values, dates) live in :mod:`.loader`.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
)

SCHEMA_VERSION = 1

_NOTE = "Encoder's remark on how the plan is read; not used by the engine."

Ident = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="Identifier: lower-case ASCII letters, digits and '_', starting with a letter."),
]
Scalar = bool | int | float | str | dt.date


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class Text(_Model):
    """A label in Vietnamese with its standard English rendering (GLOSSARY.md)."""

    vi: str = Field(description="Vietnamese text, as in the plan (NFC).")
    en: str = Field(description="English label using the glossary's standard terms.")


class Source(_Model):
    """Citation of the plan clause a rule encodes."""

    seed: str = Field(description="Seed file name under shared/seeds, e.g. '000_40cc82fbe8059212.txt'.")
    lines: tuple[int, int] = Field(
        description="Inclusive 1-based line range in the seed file; a single line may be given as an int."
    )
    clause: str | None = Field(
        default=None, description="Clause label as printed, e.g. 'V.2 Tiêu chuẩn — tập thể'."
    )

    @field_validator("lines", mode="before")
    @classmethod
    def _single_line(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return (value, value)
        return value

    @field_validator("lines")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] < 1 or value[1] < value[0]:
            raise ValueError("lines must be [first, last] with 1 <= first <= last")
        return value

    def cite(self) -> str:
        """Short citation such as ``000_40cc82fbe8059212.txt L96-98 (V.2 ...)``."""
        a, b = self.lines
        span = f"L{a}" if a == b else f"L{a}-{b}"
        return f"{self.seed} {span}" + (f" ({self.clause})" if self.clause else "")


class Document(_Model):
    """The plan document (kế hoạch) that launches the campaign."""

    number: str | None = Field(default=None, description="Canonical document number, e.g. '115/KH-CĐTKV'; null if the text has none.")
    number_as_printed: str | None = Field(default=None, description="The number exactly as printed, when it differs from the canonical form.")
    date: dt.date | None = Field(default=None, description="Signing date; null if the text has none.")
    place: str | None = Field(default=None, description="Place of issue.")
    signer: str | None = Field(default=None, description="Signatory as printed (a public official).")
    source: Source | None = Field(default=None, description="Where the number and date stand in the seed.")


class LegalBasis(_Model):
    """An instrument the plan rests on, with the dates it is in force."""

    id: Ident
    title: str = Field(description="Instrument as named, e.g. 'Luật Thi đua, khen thưởng 15/2003/QH11'.")
    valid_from: dt.date | None = Field(default=None, description="First day in force (inclusive).")
    valid_to: dt.date | None = Field(default=None, description="Last day in force (inclusive); null if still in force.")
    note: str | None = Field(default=None, description=_NOTE)


class Phase(_Model):
    """A phase (giai đoạn) or round (đợt) with inclusive dates."""

    id: Ident
    label: Text
    kind: Literal["phase", "round", "campaign"] = Field(
        default="phase", description="'round' for a sprint round (đợt), 'campaign' for the whole open-ended period."
    )
    start: dt.date = Field(description="First day of the phase, inclusive.")
    end: dt.date | None = Field(default=None, description="Last day of the phase, inclusive; null when the plan sets no end.")
    source: Source
    note: str | None = Field(default=None, description=_NOTE)

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` lies in ``[start, end]`` (both inclusive)."""
        return self.start <= day and (self.end is None or day <= self.end)


class Review(_Model):
    """A recurring check or review (kiểm tra, sơ kết, tổng kết)."""

    id: Ident
    label: Text
    kind: Literal["inspection", "interim_review", "final_review"] = Field(
        description="inspection = kiểm tra/giám sát; interim_review = sơ kết; final_review = tổng kết."
    )
    every_months: int = Field(gt=0, description="Cadence in months (6 = every six months, 12 = yearly).")
    held_by: str | None = Field(default=None, description="Which body holds it, as in the plan.")
    source: Source


class SubjectLevel(_Model):
    """A kind of collective (unit level) or of individual (role) named by the plan."""

    id: Ident
    label: Text
    participates: bool = Field(default=True, description="Takes part in the campaign (đối tượng thực hiện).")
    source: Source | None = None


class Subjects(_Model):
    """Who takes part (đối tượng thực hiện) and which levels and roles exist."""

    collective_levels: tuple[SubjectLevel, ...] = Field(
        default=(), description="Unit levels, lowest first (union group ... federation)."
    )
    individual_roles: tuple[SubjectLevel, ...] = Field(default=(), description="Roles of individuals.")
    source: Source | None = None


FactType = Literal["bool", "int", "decimal", "percent", "date", "text", "enum", "ordered_enum", "records"]
SubjectKind = Literal["collective", "individual"]


class EnumValue(_Model):
    """One value of an enum or ordered enum (rating ladder)."""

    id: Ident
    label: Text


class RecordField(_Model):
    """A field of a record in a list-of-records fact (e.g. an initiative)."""

    id: Ident
    type: Literal[
        "bool", "int", "decimal", "percent", "date", "text", "enum", "ordered_enum"
    ] = Field(description="Type of the field's values (a record holds no nested records).")
    label: Text
    unit: str | None = Field(default=None, description="Unit, e.g. 'VND', '%'.")
    values: tuple[EnumValue, ...] = Field(default=(), description="For enum types; ordered_enum lists lowest first.")
    minimum: float | None = Field(default=None, description="Smallest valid value, for numbers.")
    maximum: float | None = Field(default=None, description="Largest valid value, for numbers.")
    required: bool = Field(default=True, description="A record lacking a required field is rejected with its row.")
    judgement: bool = Field(default=False, description="The value is a reviewer's judgement, not a measurement.")


class FactDecl(_Model):
    """A declared fact: what a subject submits, with type and unit."""

    id: Ident
    applies_to: SubjectKind = Field(description="Which subjects submit this fact.")
    type: FactType = Field(
        description="bool, int, decimal, percent (0-100), date, text, enum, ordered_enum (lowest first), "
        "or records (a list of records with 'fields')."
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
    source: Source | None = None
    note: str | None = Field(default=None, description=_NOTE)


class Parameter(_Model):
    """A named number standing for a word the plan leaves unquantified ('nhiều', 'cao')."""

    id: Ident
    type: Literal["int", "decimal", "percent"] = Field(description="Number type of the value.")
    default: float = Field(description="Value used unless the caller overrides it.")
    label: Text
    reason: str = Field(description="Why the default was chosen; the plan gives no number.")
    source: Source


# --- Conditions ---------------------------------------------------------------------------

Op = Literal[">=", ">", "<=", "<", "==", "!="]

OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
"""What each ``Op`` means, as a function of (value, threshold). Works on plain values,
fractions and polars expressions alike (it calls the operator, which polars overloads)."""

OP_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
"""How each ``Op`` is printed in explanations."""


class Compare(_Model):
    """``fact op value``: compare a fact (or, inside ``where``, a record field) with a constant
    or a parameter. On an ordered enum the comparison is by rank."""

    fact: Ident | None = Field(default=None, description="Fact compared (outside 'where').")
    field: Ident | None = Field(default=None, description="Record field compared (inside 'where').")
    op: Op = Field(description="'trở lên'/'ít nhất' -> '>=', 'trên' -> '>'.")
    value: Scalar | None = Field(default=None, description="Constant threshold.")
    param: Ident | None = Field(default=None, description="Parameter giving the threshold.")


class AtLeast(_Model):
    """``fact at least value`` on an ordered enum ('xếp loại khá trở lên')."""

    fact: Ident | None = Field(default=None, description="Fact tested (outside 'where').")
    field: Ident | None = Field(default=None, description="Record field tested (inside 'where').")
    at_least: Ident = Field(description="Lowest accepted value of the ordered enum.")


class OneOf(_Model):
    """``fact in {values}`` for enums."""

    fact: Ident | None = Field(default=None, description="Fact tested (outside 'where').")
    field: Ident | None = Field(default=None, description="Record field tested (inside 'where').")
    in_: tuple[Scalar, ...] = Field(alias="in", min_length=1, description="Accepted values.")


class CountSpec(_Model):
    """What to count in a list-of-records fact."""

    fact: Ident = Field(description="A fact of type 'records'.")
    where: Condition | None = Field(default=None, description="Records counted must satisfy this (uses 'field').")
    distinct: Ident | None = Field(default=None, description="Count distinct values of this field instead of records.")


class Count(_Model):
    """``count(records where ...) op value`` ('ít nhất 01 sáng kiến được công nhận')."""

    count: CountSpec
    op: Op = Field(description="How the count compares with the threshold.")
    value: int | None = Field(default=None, ge=0, description="Constant threshold (a count).")
    param: Ident | None = Field(default=None, description="Parameter giving the threshold.")


class AllOf(_Model):
    """Every sub-condition holds."""

    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(_Model):
    """At least one sub-condition holds."""

    any: tuple[Condition, ...] = Field(min_length=1)


class NotOf(_Model):
    """The sub-condition does not hold."""

    not_: Condition = Field(alias="not")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {
            AllOf: "all", AnyOf: "any", NotOf: "not", Count: "count",
            AtLeast: "at_least", OneOf: "in", Compare: "compare",
        }.get(type(value))
    if not isinstance(value, dict):
        return None
    for key in ("all", "any", "not", "count", "at_least", "in"):
        if key in value:
            return key
    return "compare"


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[Count, Tag("count")]
    | Annotated[AtLeast, Tag("at_least")]
    | Annotated[OneOf, Tag("in")]
    | Annotated[Compare, Tag("compare")],
    Discriminator(_condition_tag),
]


class Criterion(_Model):
    """One standard (tiêu chuẩn) or scored item, with its plan text and citation."""

    id: Ident
    label: Text
    text_vi: str = Field(description="The plan's Vietnamese wording of this criterion.")
    condition: Condition = Field(description="When the criterion is met.")
    reviewer_judgement: bool = Field(
        default=False,
        description="The plan's wording cannot be measured; the condition reads a reviewer's judgement fact.",
    )
    source: Source
    note: str | None = Field(default=None, description=_NOTE)


class Eligibility(_Model):
    """Who may receive an award (đối tượng xét chọn)."""

    levels: tuple[Ident, ...] = Field(default=(), description="Collective levels that may receive it.")
    roles: tuple[Ident, ...] = Field(default=(), description="Individual roles that may receive it.")
    source: Source


class ScoreItem(_Model):
    """A line of a score sheet (bảng chấm điểm) with its maximum points (điểm chuẩn)."""

    id: Ident
    label: Text
    text_vi: str = Field(description="The Vietnamese wording of this item.")
    max_points: float = Field(gt=0, description="Maximum points (điểm chuẩn).")
    points_fact: Ident | None = Field(
        default=None, description="Numeric fact holding the reviewer's score, clamped to [0, max_points]."
    )
    condition: Condition | None = Field(default=None, description="All-or-nothing: max_points when it holds, else 0.")
    source: Source


class Band(_Model):
    """A rating band by total points (xếp loại), e.g. vững mạnh >= 85."""

    id: Ident
    label: Text
    min_points: float = Field(ge=0, description="Lowest total (inclusive) for this band.")


class ScoreSheet(_Model):
    """Points per item, summed; bands by total; an optional passing band and per-item floor."""

    max_points: float = Field(gt=0, description="Total points; the items add up to it.")
    items: tuple[ScoreItem, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = Field(default=(), description="Bands, lowest first.")
    pass_band: Ident | None = Field(default=None, description="Award requires this band or better.")
    item_floor_fraction: float | None = Field(
        default=None, ge=0, le=1,
        description="Gate: no item may score below this fraction of its max (e.g. 0.5).",
    )
    source: Source


class Award(_Model):
    """An emulation title or a form of commendation, with its standards."""

    id: Ident
    kind: Literal["title", "commendation", "recognition"] = Field(
        description="title = danh hiệu; commendation = hình thức khen thưởng; recognition = biểu dương."
    )
    subject: SubjectKind = Field(description="collective (units) or individual (people).")
    label: Text
    eligibility: Eligibility
    criteria: tuple[Criterion, ...] = Field(default=(), description="All must be met.")
    score_sheet: ScoreSheet | None = None
    period: Literal["yearly", "phase", "campaign"] = Field(
        default="yearly", description="How often it is considered."
    )
    criteria_delegated_to: str | None = Field(
        default=None,
        description="The plan leaves the standards to another instrument (named here) and lists none; "
        "the engine then answers 'incomplete', never 'awarded'.",
    )
    source: Source
    note: str | None = Field(default=None, description=_NOTE)


# --- Targets (chỉ tiêu) ----------------------------------------------------------------------


class Population(_Model):
    """The subjects a count, share, sum or average runs over.

    ``where`` restricts the population itself (a nested denominator: Phú Riềng L50 "of which
    50%" counts only the enterprises that signed a collective agreement)."""

    kind: SubjectKind = Field(description="collective (units) or individual (people).")
    levels: tuple[Ident, ...] = Field(default=(), description="Collective levels included; empty = every level.")
    roles: tuple[Ident, ...] = Field(default=(), description="Individual roles included; empty = every role.")
    where: Condition | None = Field(
        default=None, description="Only subjects for which this holds are in the population (uses 'fact')."
    )


class ValueMetric(_Model):
    """A single figure supplied for the issuing body (e.g. members recruited in the year)."""

    kind: Literal["value"] = Field(description="Metric kind (selects the shape).")
    fact: Ident = Field(description="Numeric collective fact holding the figure.")
    level: Ident = Field(description="Collective level of the subject that supplies the figure (the issuing body).")


class CountMetric(_Model):
    """Number of subjects of a population satisfying a condition ('thành lập mới 100 CĐCS')."""

    kind: Literal["count"] = Field(description="Metric kind (selects the shape).")
    population: Population
    condition: Condition | None = Field(default=None, description="Counted subjects satisfy this; null = every subject.")


class ShareMetric(_Model):
    """Percent (0-100) of a population satisfying a condition ('80% CĐCS đạt vững mạnh')."""

    kind: Literal["share"] = Field(description="Metric kind (selects the shape).")
    population: Population
    condition: Condition


class SumMetric(_Model):
    """Sum of a numeric fact over a population."""

    kind: Literal["sum"] = Field(description="Metric kind (selects the shape).")
    population: Population
    fact: Ident = Field(description="Numeric fact summed.")


class AveragePerMetric(_Model):
    """Sum of a numeric fact over a population divided by the population size
    ('trung bình mỗi CĐCS giới thiệu ít nhất một đoàn viên ưu tú')."""

    kind: Literal["average_per"] = Field(description="Metric kind (selects the shape).")
    population: Population
    fact: Ident = Field(description="Numeric fact summed, then divided by the number of subjects.")


class InitiativeCountMetric(_Model):
    """Number of initiatives in the submission's initiative register that the campaign's
    initiative rules accept, whose ``date_basis`` date lies in the judged phase (inclusive)
    ('Từ 01/9/2021 đến 31/5/2022: phấn đấu đạt 90 sáng kiến gửi về LĐLĐ tỉnh', 002 L25)."""

    kind: Literal["initiatives"] = Field(description="Metric kind (selects the shape).")
    date_basis: Literal["applied_on", "recognized_on", "submitted_on"] = Field(
        description="Which date of an initiative places it in a phase."
    )
    eligible_only: bool = Field(default=True, description="Count only initiatives the rules accept.")


Metric = Annotated[
    ValueMetric | CountMetric | ShareMetric | SumMetric | AveragePerMetric | InitiativeCountMetric,
    Field(discriminator="kind"),
]


class TargetValue(_Model):
    """The figure a target sets for one phase."""

    phase: Ident = Field(description="Phase id this figure applies to.")
    value: float = Field(description="Threshold, in the metric's unit (percent 0-100 for a share).")
    source: Source | None = Field(
        default=None,
        description="Where the plan states this phase's figure, when not on the target's own lines "
        "(Thanh Hóa 004 gives phase II figures in a second block).",
    )


class Target(_Model):
    """A target (chỉ tiêu): an aggregate figure the plan sets per phase, not a per-subject award."""

    id: Ident
    label: Text
    text_vi: str = Field(description="The plan's Vietnamese wording of the target.")
    source: Source
    owner: Literal["union", "joint", "external"] = Field(
        description="union = the union's own performance; joint = shared with employers/authorities; "
        "external = a socio-economic figure the union does not own (e.g. GRDP per head)."
    )
    period: Literal["yearly", "phase_cumulative", "end_of_phase", "unspecified"] = Field(
        description="yearly = each year of the phase ('hằng năm'); phase_cumulative = total over the phase; "
        "end_of_phase = level reached by the end ('đến năm 2025'); unspecified = the plan does not say."
    )
    op: Op = Field(description="'trở lên'/'ít nhất' and, by convention, bare 'đạt x%' -> '>='; 'trên' -> '>'.")
    comparator_note: str | None = Field(
        default=None, description="Why this op, when the wording is bare ('đạt 70%') or unusual."
    )
    metric: Metric
    unit: str | None = Field(default=None, description="Unit of the values, e.g. '%', 'người', 'CĐCS'.")
    values: tuple[TargetValue, ...] = Field(min_length=1, description="Threshold per phase.")
    note: str | None = Field(default=None, description=_NOTE)

    def value_for(self, phase_id: str) -> float | None:
        """The threshold for ``phase_id``, or None when the target sets none for that phase."""
        for v in self.values:
            if v.phase == phase_id:
                return v.value
        return None


class Quota(_Model):
    """A minimum share inside an award set (Điện Biên 001 L14: "Ít nhất 15% tổng số cá nhân được
    khen thưởng hàng năm là công nhân… không giữ vị trí lãnh đạo, quản lý").

    The denominator is every subject awarded any of ``awards``; the numerator is those of them for
    whom ``condition`` holds. A subject is counted once however many awards or branches it fits."""

    id: Ident
    label: Text
    text_vi: str = Field(description="The plan's Vietnamese wording of the quota.")
    source: Source
    subject: SubjectKind = Field(default="individual", description="Kind of the awardees counted.")
    awards: tuple[Ident, ...] = Field(min_length=1, description="Awards whose awardees form the denominator.")
    condition: Condition = Field(description="Awardees that qualify (uses 'fact').")
    min_share: float = Field(ge=0, le=100, description="Lowest share of qualifying awardees, percent 0-100 (inclusive).")
    period: Literal["yearly", "phase", "campaign"] = Field(default="yearly", description="Award round the share is taken over.")
    note: str | None = Field(default=None, description=_NOTE)


class NotMachineCheckable(_Model):
    """Seed lines carrying a number, a percentage or a date that this encoding deliberately does
    not turn into a rule, with the reason (the traceability test reads these)."""

    lines: tuple[int, ...] = Field(min_length=1, description="Seed lines (1-based).")
    reason: str = Field(min_length=10, description="Why no rule encodes these lines.")


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


class InitiativeCheck(_Model):
    """One condition an initiative must meet, or one exclusion it must escape.

    The checks are a fixed vocabulary (``check``) implemented in :mod:`.initiatives`; the
    campaign lists the ones its plan states, each with the plan's words and citation."""

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


class DateWindow(_Model):
    """A date window with both ends inclusive."""

    start: dt.date = Field(description="First day, inclusive.")
    end: dt.date = Field(description="Last day, inclusive.")
    source: Source
    note: str | None = Field(default=None, description=_NOTE)


class Attribution(_Model):
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


class InitiativeProgramme(_Model):
    """Rules of an initiative programme (Vĩnh Linh 002 L29-66): kinds, checks, window, attribution.

    A facts file may then carry an ``initiatives`` register; :mod:`.initiatives` judges each
    initiative and derives the per-subject count facts named here."""

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


class Defect(_Model):
    """A defect of the source text and how the encoding resolves it (never silently fixed)."""

    id: Ident
    lines: tuple[int, ...] = Field(min_length=1, description="Seed lines where the defect stands.")
    text: str = Field(description="What is wrong, quoting the plan.")
    resolution: str = Field(description="What this encoding does about it.")


class Campaign(_Model):
    """A campaign (phong trào thi đua) as encoded from one plan."""

    schema_version: Literal[1] = Field(description="Version of this file format.")
    id: Ident
    title: Text
    issuer: Text
    document: Document
    source_seed: str = Field(description="Seed file name the campaign encodes.")
    mode: Literal["regular", "thematic", "sprint"] = Field(
        description="thi đua thường xuyên / theo chuyên đề / đợt (sprint)."
    )
    legal_basis: tuple[LegalBasis, ...] = ()
    phases: tuple[Phase, ...] = Field(min_length=1)
    reviews: tuple[Review, ...] = ()
    subjects: Subjects
    parameters: tuple[Parameter, ...] = ()
    facts: tuple[FactDecl, ...] = ()
    awards: tuple[Award, ...] = ()
    targets: tuple[Target, ...] = Field(default=(), description="Targets (chỉ tiêu) per phase.")
    quotas: tuple[Quota, ...] = Field(default=(), description="Minimum shares inside award sets.")
    initiatives: InitiativeProgramme | None = Field(default=None, description="Initiative programme rules, if any.")
    defects: tuple[Defect, ...] = ()
    not_machine_checkable: tuple[NotMachineCheckable, ...] = Field(
        default=(), description="Numbered or dated seed lines deliberately left without a rule, with reasons."
    )

    def fact(self, fact_id: str) -> FactDecl:
        """The declared fact ``fact_id``.

        Raises:
            KeyError: no such fact.
        """
        for f in self.facts:
            if f.id == fact_id:
                return f
        raise KeyError(fact_id)

    def award(self, award_id: str) -> Award:
        """The award ``award_id``.

        Raises:
            KeyError: no such award.
        """
        for a in self.awards:
            if a.id == award_id:
                return a
        raise KeyError(award_id)

    def parameter_defaults(self) -> dict[str, float]:
        """``{parameter id: default}``."""
        return {p.id: p.default for p in self.parameters}

    def phase_at(self, day: dt.date) -> Phase | None:
        """The most specific phase containing ``day`` (a round beats a whole-campaign phase)."""
        hits = [p for p in self.phases if p.contains(day)]
        hits.sort(key=lambda p: (p.kind == "campaign", -(p.start.toordinal())))
        return hits[0] if hits else None


for _m in (CountSpec, AllOf, AnyOf, NotOf, Criterion, ScoreItem, Population, CountMetric, ShareMetric, Target, Quota, Campaign):
    _m.model_rebuild()
