"""What the evaluators read of a campaign: its kinds of node, for either form of a node.

Modules that read a campaign test a node's kind here (``from emulation_rules.campaign import
shapes as m``; ``isinstance(node, m.Compare)``): at run time each name is the kind's shape
(:mod:`.nodes`), from which the pydantic model class and the plain twin read back from the cache
both derive, so a campaign of either form reads alike and ``evaluate`` from the cache never
imports pydantic. For a type checker each name is the model's class itself, with its fields.
Building or validating a node still takes :mod:`.model`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulation_rules.campaign import nodes as _nodes
from emulation_rules.campaign.citing import citations as citations
from emulation_rules.campaign.citing import cite_many as cite_many
from emulation_rules.campaign.citing import name_citations as name_citations
from emulation_rules.campaign.money import parameter_problem as parameter_problem
from emulation_rules.campaign.nodes import OP_SYMBOLS as OP_SYMBOLS
from emulation_rules.campaign.nodes import OPS as OPS
from emulation_rules.campaign.nodes import Op as Op
from emulation_rules.campaign.twins import Shape as Shape
from emulation_rules.campaign.twins import fields_of as fields_of
from emulation_rules.campaign.twins import is_twin as is_twin
from emulation_rules.campaign.twins import layout_of as layout_of
from emulation_rules.campaign.twins import made_like as made_like
from emulation_rules.campaign.twins import replace as replace
from emulation_rules.campaign.twins import shape_of as shape_of

KINDS = (
    "Aggregate", "AggregateSpec", "AllOf", "AnyOf", "AtLeast", "Attribution", "AveragePerMetric", "Award",
    "AwardRef", "Band", "BoundParam", "Campaign", "ClusterRanking", "ClusterScore", "Compare", "Count",
    "CountMetric", "CountSpec", "Criterion", "DateWindow", "Defect", "Document", "Eligibility", "EnumValue",
    "FactDecl", "Held", "Hierarchy", "InForce", "InitiativeCheck", "InitiativeCountMetric",
    "InitiativeProgramme", "JudgedAt", "LegalBasis", "LevelIn", "NotMachineCheckable", "NotOf", "OfUnit",
    "OneOf", "Parameter", "Phase", "Population", "Quota", "QuotaOf", "QuotaPer", "Ranking", "RankKey",
    "RecordField", "Review", "ReviewYear", "ScoreItem", "ScoreSheet", "ShareMetric", "Source",
    "SubjectLevel", "Subjects", "SumMetric", "Target", "TargetValue", "Text", "ValueMetric", "Vote",
    "Window", "YearlyRating", "YearStart",
)
"""Every kind of campaign node, by the name of its model class."""

if TYPE_CHECKING:
    from emulation_rules.campaign.common import InForce as InForce
    from emulation_rules.campaign.frame import YearStart as YearStart
    from emulation_rules.campaign.hierarchy import ClusterScore as ClusterScore
    from emulation_rules.campaign.hierarchy import JudgedAt as JudgedAt
    from emulation_rules.campaign.model import Aggregate as Aggregate
    from emulation_rules.campaign.model import AggregateSpec as AggregateSpec
    from emulation_rules.campaign.model import AllOf as AllOf
    from emulation_rules.campaign.model import AnyOf as AnyOf
    from emulation_rules.campaign.model import AtLeast as AtLeast
    from emulation_rules.campaign.model import Attribution as Attribution
    from emulation_rules.campaign.model import AveragePerMetric as AveragePerMetric
    from emulation_rules.campaign.model import Award as Award
    from emulation_rules.campaign.model import AwardRef as AwardRef
    from emulation_rules.campaign.model import Band as Band
    from emulation_rules.campaign.model import BoundParam as BoundParam
    from emulation_rules.campaign.model import Campaign as Campaign
    from emulation_rules.campaign.model import ClusterRanking as ClusterRanking
    from emulation_rules.campaign.model import Compare as Compare
    from emulation_rules.campaign.model import Condition as Condition
    from emulation_rules.campaign.model import Count as Count
    from emulation_rules.campaign.model import CountMetric as CountMetric
    from emulation_rules.campaign.model import CountSpec as CountSpec
    from emulation_rules.campaign.model import Criterion as Criterion
    from emulation_rules.campaign.model import DateBasis as DateBasis
    from emulation_rules.campaign.model import DateWindow as DateWindow
    from emulation_rules.campaign.model import Defect as Defect
    from emulation_rules.campaign.model import Document as Document
    from emulation_rules.campaign.model import DocumentKind as DocumentKind
    from emulation_rules.campaign.model import Eligibility as Eligibility
    from emulation_rules.campaign.model import EnumValue as EnumValue
    from emulation_rules.campaign.model import FactDecl as FactDecl
    from emulation_rules.campaign.model import FactType as FactType
    from emulation_rules.campaign.model import Held as Held
    from emulation_rules.campaign.model import Hierarchy as Hierarchy
    from emulation_rules.campaign.model import Ident as Ident
    from emulation_rules.campaign.model import InitiativeCheck as InitiativeCheck
    from emulation_rules.campaign.model import InitiativeCountMetric as InitiativeCountMetric
    from emulation_rules.campaign.model import InitiativeProgramme as InitiativeProgramme
    from emulation_rules.campaign.model import LegalBasis as LegalBasis
    from emulation_rules.campaign.model import LevelIn as LevelIn
    from emulation_rules.campaign.model import Metric as Metric
    from emulation_rules.campaign.model import NotMachineCheckable as NotMachineCheckable
    from emulation_rules.campaign.model import NotOf as NotOf
    from emulation_rules.campaign.model import OfUnit as OfUnit
    from emulation_rules.campaign.model import OneOf as OneOf
    from emulation_rules.campaign.model import Parameter as Parameter
    from emulation_rules.campaign.model import Phase as Phase
    from emulation_rules.campaign.model import Population as Population
    from emulation_rules.campaign.model import Quota as Quota
    from emulation_rules.campaign.model import QuotaOf as QuotaOf
    from emulation_rules.campaign.model import QuotaPer as QuotaPer
    from emulation_rules.campaign.model import Ranking as Ranking
    from emulation_rules.campaign.model import RankKey as RankKey
    from emulation_rules.campaign.model import RecordField as RecordField
    from emulation_rules.campaign.model import Review as Review
    from emulation_rules.campaign.model import ReviewYear as ReviewYear
    from emulation_rules.campaign.model import Scalar as Scalar
    from emulation_rules.campaign.model import ScoreItem as ScoreItem
    from emulation_rules.campaign.model import ScoreSheet as ScoreSheet
    from emulation_rules.campaign.model import ShareMetric as ShareMetric
    from emulation_rules.campaign.model import Source as Source
    from emulation_rules.campaign.model import SubjectKind as SubjectKind
    from emulation_rules.campaign.model import SubjectLevel as SubjectLevel
    from emulation_rules.campaign.model import Subjects as Subjects
    from emulation_rules.campaign.model import SumMetric as SumMetric
    from emulation_rules.campaign.model import Target as Target
    from emulation_rules.campaign.model import TargetValue as TargetValue
    from emulation_rules.campaign.model import Text as Text
    from emulation_rules.campaign.model import ValueMetric as ValueMetric
    from emulation_rules.campaign.model import Vote as Vote
    from emulation_rules.campaign.model import Window as Window
    from emulation_rules.campaign.model import YearlyRating as YearlyRating
else:
    globals().update({kind: getattr(_nodes, kind + "Shape") for kind in KINDS})
