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
    Discriminator,
    Field,
    Tag,
)

from emulation_rules.campaign.common import _NOTE, _Model
from emulation_rules.campaign.common import (  # re-exported: the model's public names
    Defect as Defect,
)
from emulation_rules.campaign.common import (
    Document as Document,
)
from emulation_rules.campaign.common import (
    EnumValue as EnumValue,
)
from emulation_rules.campaign.common import (
    Ident as Ident,
)
from emulation_rules.campaign.common import (
    LegalBasis as LegalBasis,
)
from emulation_rules.campaign.common import (
    NotMachineCheckable as NotMachineCheckable,
)
from emulation_rules.campaign.common import (
    Parameter as Parameter,
)
from emulation_rules.campaign.common import (
    Scalar as Scalar,
)
from emulation_rules.campaign.common import (
    Source as Source,
)
from emulation_rules.campaign.common import (
    Text as Text,
)
from emulation_rules.campaign.common import (
    parameter_problem as parameter_problem,
)
from emulation_rules.campaign.programme import (  # re-exported
    Attribution as Attribution,
)
from emulation_rules.campaign.programme import (
    DateWindow as DateWindow,
)
from emulation_rules.campaign.programme import (
    InitiativeCheck as InitiativeCheck,
)
from emulation_rules.campaign.programme import (
    InitiativeCheckKind as InitiativeCheckKind,
)
from emulation_rules.campaign.programme import (
    InitiativeProgramme as InitiativeProgramme,
)
from emulation_rules.campaign.titles import (  # re-exported: conditions over awards and titles
    AwardRef as AwardRef,
)
from emulation_rules.campaign.titles import (
    Held as Held,
)

SCHEMA_VERSION = 1


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
    derived: str | None = Field(
        default=None,
        description="Why the start date is not printed on the cited lines ('từ nay' = the plan's date); "
        "without it the loader requires both dates on those lines (figure-not-in-source).",
    )
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
DateBasis = Literal["applied_on", "recognized_on", "submitted_on"]


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
    derived: str | None = Field(
        default=None,
        description="Why the figure here is not printed on the cited lines (e.g. 100% for 'đạt dự toán "
        "giao'); without it the loader requires the figure on those lines (figure-not-in-source).",
    )


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
    derived: str | None = Field(
        default=None,
        description="Why the figure here is not printed on the cited lines (e.g. 100% for 'đạt dự toán "
        "giao'); without it the loader requires the figure on those lines (figure-not-in-source).",
    )


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
            AwardRef: "award", Held: "held",
        }.get(type(value))
    if not isinstance(value, dict):
        return None
    for key in ("all", "any", "not", "count", "at_least", "in", "award", "held"):
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
    | Annotated[AwardRef, Tag("award")]
    | Annotated[Held, Tag("held")]
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
    date_basis: DateBasis = Field(
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
    derived: str | None = Field(
        default=None,
        description="Why the figure here is not printed on the cited lines (e.g. 100% for 'đạt dự toán "
        "giao'); without it the loader requires the figure on those lines (figure-not-in-source).",
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
    derived: str | None = Field(
        default=None,
        description="Why the figure here is not printed on the cited lines (e.g. 100% for 'đạt dự toán "
        "giao'); without it the loader requires the figure on those lines (figure-not-in-source).",
    )
    note: str | None = Field(default=None, description=_NOTE)


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
