"""The campaign model: pydantic v2, frozen, unknown keys are errors.

A campaign file encodes one plan (kế hoạch phát động thi đua). Its top-level sections follow the plan (Luật Thi đua, khen thưởng 2022, Art 17: goals, subjects, content and criteria, time, review): ``document`` and ``legal_basis``; ``phases`` and ``reviews``; ``subjects``; declared ``facts`` and ``parameters``; ``awards`` with their ``criteria`` and optional ``score_sheet``; ``defects`` of the source text and how the encoding resolves each.

Every field carries a description, so ``emulation-rules schema`` gives editors a documented JSON Schema. Semantic checks (unknown facts, enum values, dates) live in :mod:`.loader`.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, model_validator

from emulation_rules.campaign.citing import name_citations as name_citations
from emulation_rules.campaign.common import _NOTE, _Model

# re-exported: the model's public names
from emulation_rules.campaign.common import BoundParam as BoundParam
from emulation_rules.campaign.common import Defect as Defect
from emulation_rules.campaign.common import Document as Document
from emulation_rules.campaign.common import DocumentKind as DocumentKind
from emulation_rules.campaign.common import EnumValue as EnumValue
from emulation_rules.campaign.common import Ident as Ident
from emulation_rules.campaign.common import LegalBasis as LegalBasis
from emulation_rules.campaign.common import NotMachineCheckable as NotMachineCheckable
from emulation_rules.campaign.common import Parameter as Parameter
from emulation_rules.campaign.common import Scalar as Scalar
from emulation_rules.campaign.common import Source as Source
from emulation_rules.campaign.common import Text as Text
from emulation_rules.campaign.common import citations as citations
from emulation_rules.campaign.common import cite_many as cite_many
from emulation_rules.campaign.common import parameter_problem as parameter_problem
from emulation_rules.campaign.cycle import Vote as Vote  # re-exported: council votes
from emulation_rules.campaign.frame import DateBasis as DateBasis
from emulation_rules.campaign.frame import FactDecl as FactDecl
from emulation_rules.campaign.frame import FactType as FactType
from emulation_rules.campaign.frame import Phase as Phase
from emulation_rules.campaign.frame import RecordField as RecordField
from emulation_rules.campaign.frame import Review as Review
from emulation_rules.campaign.frame import ReviewYear as ReviewYear
from emulation_rules.campaign.frame import SubjectKind as SubjectKind
from emulation_rules.campaign.frame import SubjectLevel as SubjectLevel
from emulation_rules.campaign.frame import Subjects as Subjects
from emulation_rules.campaign.hierarchy import ClusterRanking as ClusterRanking
from emulation_rules.campaign.hierarchy import Hierarchy as Hierarchy
from emulation_rules.campaign.nodes import OP_SYMBOLS as OP_SYMBOLS
from emulation_rules.campaign.nodes import OPS as OPS
from emulation_rules.campaign.nodes import (
    AllOfShape,
    AnyOfShape,
    AtLeastShape,
    AveragePerMetricShape,
    AwardShape,
    BandShape,
    CampaignShape,
    CompareShape,
    CountMetricShape,
    CountShape,
    CountSpecShape,
    CriterionShape,
    EligibilityShape,
    InitiativeCountMetricShape,
    NotOfShape,
    OneOfShape,
    PopulationShape,
    QuotaOfShape,
    QuotaShape,
    ScoreItemShape,
    ScoreSheetShape,
    ShareMetricShape,
    SumMetricShape,
    TargetShape,
    TargetValueShape,
    ValueMetricShape,
)
from emulation_rules.campaign.nodes import Op as Op
from emulation_rules.campaign.programme import Attribution as Attribution
from emulation_rules.campaign.programme import DateWindow as DateWindow
from emulation_rules.campaign.programme import InitiativeCheck as InitiativeCheck
from emulation_rules.campaign.programme import InitiativeCheckKind as InitiativeCheckKind
from emulation_rules.campaign.programme import InitiativeProgramme as InitiativeProgramme
from emulation_rules.campaign.quota_scope import QuotaPer as QuotaPer
from emulation_rules.campaign.ranking import Ranking as Ranking
from emulation_rules.campaign.ranking import RankKey as RankKey
from emulation_rules.campaign.records import Aggregate as Aggregate
from emulation_rules.campaign.records import AggregateSpec as AggregateSpec
from emulation_rules.campaign.records import Window as Window
from emulation_rules.campaign.titles import AwardRef as AwardRef
from emulation_rules.campaign.titles import Held as Held
from emulation_rules.campaign.titles import YearlyRating as YearlyRating
from emulation_rules.campaign.twins import register_models
from emulation_rules.campaign.units import LevelIn as LevelIn
from emulation_rules.campaign.units import OfUnit as OfUnit

SCHEMA_VERSION = 2
_DERIVED = ("Why the figure here is not printed on the cited lines (e.g. 100% for 'đạt dự toán giao'); "
            "without it the loader requires the figure on those lines (figure-not-in-source).")


# --- Conditions ---------------------------------------------------------------------------

class Compare(CompareShape, _Model):
    """``fact op value``: compare a fact (or, inside ``where``, a record field) with a constant
    or a parameter. On an ordered enum the comparison is by rank."""

    fact: Ident | None = Field(default=None, description="Fact compared (outside 'where').")
    field: Ident | None = Field(default=None, description="Record field compared (inside 'where').")
    op: Op = Field(description="'trở lên'/'ít nhất' -> '>=', 'trên' -> '>'.")
    value: Scalar | None = Field(default=None, description="Constant threshold.")
    param: Ident | None = Field(default=None, description="Parameter giving the threshold.")
    derived: str | None = Field(default=None, description=_DERIVED)


class AtLeast(AtLeastShape, _Model):
    """``fact at least value`` on an ordered enum ('xếp loại khá trở lên')."""

    fact: Ident | None = Field(default=None, description="Fact tested (outside 'where').")
    field: Ident | None = Field(default=None, description="Record field tested (inside 'where').")
    at_least: Ident = Field(description="Lowest accepted value of the ordered enum.")


class OneOf(OneOfShape, _Model):
    """``fact in {values}`` for enums."""

    fact: Ident | None = Field(default=None, description="Fact tested (outside 'where').")
    field: Ident | None = Field(default=None, description="Record field tested (inside 'where').")
    in_: tuple[Scalar, ...] = Field(alias="in", min_length=1, description="Accepted values.")


class CountSpec(CountSpecShape, _Model):
    """What to count in a list-of-records fact."""

    fact: Ident = Field(description="A fact of type 'records'.")
    where: "Condition | None" = Field(default=None, description="Records counted must satisfy this (uses 'field').")
    distinct: Ident | None = Field(default=None, description="Count distinct values of this field instead of records.")
    within: Window | None = Field(default=None, description="Only records dated in these years of the review.")


class Count(CountShape, _Model):
    """``count(records where ...) op value`` ('ít nhất 01 sáng kiến được công nhận')."""

    count: CountSpec
    op: Op = Field(description="How the count compares with the threshold.")
    value: int | None = Field(default=None, ge=0, description="Constant threshold (a count).")
    param: Ident | None = Field(default=None, description="Parameter giving the threshold.")
    derived: str | None = Field(default=None, description=_DERIVED)


class AllOf(AllOfShape, _Model):
    """Every sub-condition holds."""

    all: "tuple[Condition, ...]" = Field(min_length=1)


class AnyOf(AnyOfShape, _Model):
    """At least one sub-condition holds."""

    any: "tuple[Condition, ...]" = Field(min_length=1)


class NotOf(NotOfShape, _Model):
    """The sub-condition does not hold."""

    not_: "Condition" = Field(alias="not")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {
            AllOf: "all", AnyOf: "any", NotOf: "not", Count: "count", Aggregate: "aggregate",
            AtLeast: "at_least", OneOf: "in", Compare: "compare",
            AwardRef: "award", Held: "held", OfUnit: "unit", LevelIn: "level",
        }.get(type(value))
    if not isinstance(value, dict):
        return None
    for key in ("all", "any", "not", "count", "aggregate", "at_least", "in", "award", "held", "unit", "level"):
        if key in value:
            return key
    return "compare"


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[Count, Tag("count")]
    | Annotated[Aggregate, Tag("aggregate")]
    | Annotated[AtLeast, Tag("at_least")]
    | Annotated[OneOf, Tag("in")]
    | Annotated[AwardRef, Tag("award")]
    | Annotated[Held, Tag("held")]
    | Annotated[OfUnit, Tag("unit")]
    | Annotated[LevelIn, Tag("level")]
    | Annotated[Compare, Tag("compare")],
    Discriminator(_condition_tag),
]


class Criterion(CriterionShape, _Model):
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


class Eligibility(EligibilityShape, _Model):
    """Who may receive an award (đối tượng xét chọn)."""

    levels: tuple[Ident, ...] = Field(default=(), description="Collective levels that may receive it.")
    roles: tuple[Ident, ...] = Field(default=(), description="Individual roles that may receive it.")
    unit: Condition | None = Field(default=None, description="Individuals only: a condition over their unit "
                                   "({level: [...]}, its facts, {award: ...}); unknown when the unit is not submitted.")
    source: Source


class ScoreItem(ScoreItemShape, _Model):
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


class Band(BandShape, _Model):
    """A rating band by total points (xếp loại), e.g. vững mạnh >= 85."""

    id: Ident
    label: Text
    min_points: float = Field(ge=0, description="Lowest total (inclusive) for this band.")


class ScoreSheet(ScoreSheetShape, _Model):
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


class Award(AwardShape, _Model):
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
    requires_proposal: bool = Field(
        default=False,
        description="Only subjects the submission proposes (đề nghị) for it are judged; the others get 'not_proposed'.",
    )
    vote: Vote | None = Field(
        default=None,
        description="The emulation council's secret ballot decides it: one more criterion, unknown until a ballot is submitted.",
    )
    source: Source
    note: str | None = Field(default=None, description=_NOTE)


# --- Targets (chỉ tiêu) ----------------------------------------------------------------------


class Population(PopulationShape, _Model):
    """The subjects a count, share, sum or average runs over.

    ``where`` restricts the population itself (a nested denominator: Phú Riềng L50 "of which
    50%" counts only the enterprises that signed a collective agreement)."""

    kind: SubjectKind = Field(description="collective (units) or individual (people).")
    levels: tuple[Ident, ...] = Field(default=(), description="Collective levels included; empty = every level.")
    roles: tuple[Ident, ...] = Field(default=(), description="Individual roles included; empty = every role.")
    where: Condition | None = Field(
        default=None, description="Only subjects for which this holds are in the population (uses 'fact')."
    )


class ValueMetric(ValueMetricShape, _Model):
    """A single figure supplied for the issuing body (e.g. members recruited in the year)."""

    kind: Literal["value"] = Field(description="Metric kind (selects the shape).")
    fact: Ident = Field(description="Numeric collective fact holding the figure.")
    level: Ident = Field(description="Collective level of the subject that supplies the figure (the issuing body).")


class CountMetric(CountMetricShape, _Model):
    """Number of subjects of a population satisfying a condition ('thành lập mới 100 CĐCS')."""

    kind: Literal["count"] = Field(description="Metric kind (selects the shape).")
    population: Population
    condition: Condition | None = Field(default=None, description="Counted subjects satisfy this; null = every subject.")


class ShareMetric(ShareMetricShape, _Model):
    """Percent (0-100) of a population satisfying a condition ('80% CĐCS đạt vững mạnh')."""

    kind: Literal["share"] = Field(description="Metric kind (selects the shape).")
    population: Population
    condition: Condition


class SumMetric(SumMetricShape, _Model):
    """Sum of a numeric fact over a population."""

    kind: Literal["sum"] = Field(description="Metric kind (selects the shape).")
    population: Population
    fact: Ident = Field(description="Numeric fact summed.")


class AveragePerMetric(AveragePerMetricShape, _Model):
    """Sum of a numeric fact over a population divided by the population size
    ('trung bình mỗi CĐCS giới thiệu ít nhất một đoàn viên ưu tú')."""

    kind: Literal["average_per"] = Field(description="Metric kind (selects the shape).")
    population: Population
    fact: Ident = Field(description="Numeric fact summed, then divided by the number of subjects.")


class InitiativeCountMetric(InitiativeCountMetricShape, _Model):
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


class TargetValue(TargetValueShape, _Model):
    """The figure a target sets for one phase."""

    phase: Ident = Field(description="Phase id this figure applies to.")
    value: float = Field(description="Threshold, in the metric's unit (percent 0-100 for a share).")
    source: Source | None = Field(
        default=None,
        description="Where the plan states this phase's figure, when not on the target's own lines "
        "(Thanh Hóa 004 gives phase II figures in a second block).",
    )
    derived: str | None = Field(default=None, description=_DERIVED)


class Target(TargetShape, _Model):
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



QuotaShare = Annotated[float, Field(ge=0, le=100)] | BoundParam
QuotaCount = Annotated[int, Field(ge=0)] | BoundParam


class QuotaOf(QuotaOfShape, _Model):
    """A quota's denominator: the subjects awarded any of ``awards``, or a ``population``."""

    awards: tuple[Ident, ...] = Field(default=(), description="Subjects awarded any of these form the denominator.")
    population: Population | None = Field(default=None, description="Or: these subjects form the denominator.")


class Quota(QuotaShape, _Model):
    """A share or a count bounded inside an award set: a minimum (Điện Biên 001 L14: "Ít nhất 15%
    tổng số cá nhân được khen thưởng … là công nhân…"), a cap (``max_share``) or a fixed number
    (``max_count``). The numerator is the awardees of ``awards`` for whom ``condition`` holds (all of
    them without one); the denominator is ``of``, by default the awardees of ``awards``. A subject
    is counted once however many awards or branches it fits."""

    id: Ident
    label: Text
    text_vi: str = Field(description="The plan's Vietnamese wording of the quota.")
    source: Source
    subject: SubjectKind = Field(default="individual", description="Kind of the awardees counted.")
    subjects: tuple[SubjectKind, ...] = Field(
        default=(), description="Several kinds counted together (e.g. [collective, individual]); "
        "replaces 'subject'. Each awardee counts once.")
    awards: tuple[Ident, ...] = Field(min_length=1, description="Awards whose awardees are counted.")
    condition: Condition | None = Field(default=None, description="Only awardees for whom it holds count (uses 'fact').")
    of: QuotaOf | None = Field(default=None, description="Denominator; absent = the awardees of 'awards'.")
    min_share: QuotaShare | None = Field(default=None, description="Lowest share of the denominator, percent 0-100 (inclusive), or {param: id}.")
    max_share: QuotaShare | None = Field(default=None, description="Cap: at most floor(max_share% x denominator) counted; a percent 0-100 or {param: id}.")
    max_count: QuotaCount | None = Field(default=None, description="Cap as a fixed number of counted awardees, or {param: id}.")
    per: Annotated[
        Annotated[Literal["campaign", "unit", "level"], Tag("name")] | Annotated[QuotaPer, Tag("by")],
        Discriminator(lambda v: "by" if isinstance(v, (dict, QuotaPer)) else "name"),
    ] = Field(
        default="campaign", description="Judged over the whole submission, per unit (individuals by their unit), "
        "per collective level, or per {fact: ..., within: <level>} (the value of a fact, the unit of a level above)."
    )
    ranking: Ranking | None = Field(default=None, description="Who stays within a cap when it is exceeded.")
    period: Literal["yearly", "phase", "campaign"] = Field(default="yearly", description="Award round the share is taken over.")
    derived: str | None = Field(default=None, description=_DERIVED)
    note: str | None = Field(default=None, description=_NOTE)


class Campaign(CampaignShape, _Model):
    """A campaign (phong trào thi đua) as encoded from its plan and the documents it cites."""

    schema_version: Literal[2] = Field(
        description="Version of this file format: 2 (documents and citations). A version 1 file is "
        "converted by 'emulation-rules migrate FILE'."
    )
    id: Ident
    title: Text
    issuer: Text
    documents: tuple[Document, ...] = Field(
        min_length=1,
        description="The documents the campaign cites: its plan first (kind 'plan'), then the laws, "
        "decrees and guidance its rules rest on. Every 'source' names one of them by id.",
    )
    mode: Literal["regular", "thematic", "sprint"] = Field(
        description="thi đua thường xuyên / theo chuyên đề / đợt (sprint)."
    )
    legal_basis: tuple[LegalBasis, ...] = ()
    phases: tuple[Phase, ...] = Field(default=(), description="Dated phases; none for a standing regulation, whose review date picks its review year (review_year).")
    review_year: ReviewYear | None = Field(default=None, description="A standing regulation's yearly review (review years from a given day); without phases, the period judged.")
    ratings: tuple[YearlyRating, ...] = Field(default=(), description="Yearly ratings a history may record and 'held' may read.")
    reviews: tuple[Review, ...] = ()
    subjects: Subjects
    parameters: tuple[Parameter, ...] = ()
    facts: tuple[FactDecl, ...] = ()
    awards: tuple[Award, ...] = ()
    targets: tuple[Target, ...] = Field(default=(), description="Targets (chỉ tiêu) per phase.")
    quotas: tuple[Quota, ...] = Field(default=(), description="Minimum shares and caps inside award sets.")
    initiatives: InitiativeProgramme | None = Field(default=None, description="Initiative programme rules, if any.")
    hierarchy: Hierarchy | None = Field(default=None, description="Roll-up levels, where targets and quotas are judged, emulation clusters.")
    defects: tuple[Defect, ...] = ()
    not_machine_checkable: tuple[NotMachineCheckable, ...] = Field(
        default=(), description="Numbered or dated lines of the documents deliberately left without a rule, with reasons."
    )

    @model_validator(mode="after")
    def _name_citations(self) -> "Campaign":
        """Let every citation print its document's name (:meth:`Source.cite`); link each record window ``within: {held: t}`` to its criterion's ``held``."""
        name_citations(self, self.documents)
        link_windows(self)
        return self



def _leaves(cond: Any) -> list[Any]:
    """The leaves of a condition (under ``all``/``any``/``not``), in reading order."""
    if isinstance(cond, AllOf | AnyOf):
        return [x for c in (cond.all if isinstance(cond, AllOf) else cond.any) for x in _leaves(c)]
    return _leaves(cond.not_) if isinstance(cond, NotOf) else [] if cond is None else [cond]


def link_windows(campaign: Campaign) -> None:
    """Give every ``within: {held: t}`` of a criterion the ``held`` condition on ``t`` of that
    criterion (the first, in reading order), so that evaluators read its years. The loader
    reports a window whose criterion has no such condition (``bad-compare``)."""
    for award in campaign.awards:
        for crit in award.criteria:
            leaves = _leaves(crit.condition)
            held = {leaf.held: leaf for leaf in reversed(leaves) if isinstance(leaf, Held)}
            for leaf in leaves:
                spec = leaf.count if isinstance(leaf, Count) else leaf.aggregate if isinstance(leaf, Aggregate) else None
                window = getattr(spec, "within", None)
                if window is not None and window.held is not None:
                    window._held_window = held.get(window.held)


_BUILT: list[bool] = []


def build_models() -> None:
    """Build the validators, once, before a campaign is validated or dumped (the loader, the
    case files, the schema and the service call it). Not at import: a campaign read from the cache
    is never validated, and building them is most of a cold start. Left to pydantic's first use
    (defer_build alone), the tagged unions of conditions are named otherwise in error locations."""
    if _BUILT:
        return
    AggregateSpec.model_rebuild(_types_namespace={"Condition": Condition})
    OfUnit.model_rebuild(_types_namespace={"Condition": Condition})
    for model in (Eligibility, Aggregate, CountSpec, AllOf, AnyOf, NotOf, Criterion, ScoreItem, Population,
                  CountMetric, ShareMetric, Target, QuotaOf, Quota, Campaign):
        model.model_rebuild()
    _BUILT.append(True)


def restore_model(kind: str, values: tuple[Any, ...], fields_set: set[str], private: dict[str, Any] | None) -> Any:
    """A node kept in a cache entry (:func:`.nodes.restore`'s arguments) as its model class, in
    the state pydantic's own unpickling gives it (fields, fields set, private values)."""
    cls = _MODELS_BY_KIND[kind]
    node = cls.__new__(cls)
    node.__setstate__({"__dict__": dict(zip(cls.model_fields, values, strict=True)),
                       "__pydantic_fields_set__": fields_set, "__pydantic_extra__": None,
                       "__pydantic_private__": private})
    return node


_MODELS_BY_KIND = {cls.__name__: cls for cls in _Model.__subclasses__()}
register_models(_Model.__subclasses__(), build_models)  # every kind, each under its shape (.nodes)
