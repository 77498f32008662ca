# mypy: disable-error-code="misc"
# (each method's ``self`` is annotated with the model class deriving from its shape, so that its
# body is checked against the model's fields; mypy wants a self type to be a supertype instead)
"""The kinds of node a campaign is made of, and what they do, without pydantic.

Every class of the campaign model (:mod:`.model` and the modules it gathers: a ``Compare``, an
``Award``, the ``Campaign``...) derives from its kind's *shape* here (``CompareShape``...), which
holds the kind's methods (``Campaign.fact``, ``Source.cite``...); so does the plain twin of a node
read back from the cache (:mod:`.twins`). Evaluators test a node's kind against the shapes
(``isinstance(node, shapes.Compare)``, :mod:`.shapes`), which holds for either form, so they
read both alike; a test evaluates every shipped example both ways and compares the outputs.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from emulation_rules.campaign.twins import Shape, made_like, register_shapes

if TYPE_CHECKING:
    from emulation_rules.campaign.model import (
        Award,
        Campaign,
        Document,
        FactDecl,
        Hierarchy,
        Phase,
        Quota,
        QuotaPer,
        ReviewYear,
        Source,
        SubjectKind,
        Target,
        Text,
    )

Op = Literal[">=", ">", "<=", "<", "==", "!="]

OPS: dict[str, Callable[[Any, Any], Any]] = {">=": operator.ge, ">": operator.gt, "<=": operator.le,
                                             "<": operator.lt, "==": operator.eq, "!=": operator.ne}
"""What each ``Op`` means, as a function of (value, threshold). Works on plain values,
fractions and polars expressions alike (it calls the operator, which polars overloads)."""

OP_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
"""How each ``Op`` is printed in explanations."""

PHASE_PREFIX = "review_year_"
"""Prefix of the ids of a standing regulation's review years (``review_year_2024``)."""

UNCHECKED = ", chưa đối chiếu"
"""Added inside a citation's lines when they were not checked against the document's text:
"(dòng 102, chưa đối chiếu)" (lines 102, not checked)."""

KIND_VI: dict[str, str] = {
    "plan": "Kế hoạch",
    "law": "Luật",
    "decree": "Nghị định",
    "circular": "Thông tư",
    "guidance": "Hướng dẫn",
    "decision": "Quyết định",
    "resolution": "Nghị quyết",
}
"""How Vietnamese citations name each kind of document ("Kế hoạch 115/KH-CĐTKV")."""


def vote_fact(award_id: str) -> str:
    """The id of the derived fact holding whether a ballot on ``award_id`` carried (``vote__ID``).

    It is not declared by the campaign: the engine adds it for each award with a ``vote`` and
    sets it from the submitted ballot, so the vote is one more criterion on every backend.
    """
    return f"vote__{award_id}"[:64]


# --- The kinds with methods -----------------------------------------------------------------

def _fields_equal(node: object, other: object, shape: type) -> bool:
    """``node == other`` for a kind whose private values (what the loader found of the texts) are
    not compared: equal fields, whether either is a model or a twin of it."""
    if not isinstance(other, shape):
        return NotImplemented  # type: ignore[no-any-return]
    return node.__dict__ == other.__dict__


class TextShape(Shape):
    __slots__ = ()

    @classmethod
    def of(cls, *, vi: str, en: str) -> Text:
        """A text the code writes itself (a status, a reason), made without validation: the first
        validated ``Text`` of a process builds pydantic's validator and loads its plugins, a
        tenth of a one-unit run's time."""
        return cls.new(vi=vi, en=en)  # type: ignore[return-value]


class SourceShape(Shape):
    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        """Equal when the fields are: what the loader found of the texts is not compared."""
        return _fields_equal(self, other, SourceShape)

    @property
    def lines_checked(self: Source) -> bool | None:
        """Whether the cited ``lines`` were checked against the document's text when the
        campaign was loaded (``None`` when the citation has no lines): False when that text was
        absent, unreadable or not looked up (see :mod:`.texts`)."""
        return None if self.lines is None else not self._lines_unchecked

    def cite(self: Source) -> str:
        """The citation in words, e.g. ``Kế hoạch 115/KH-CĐTKV, mục V.2 (dòng 96-98)``.

        The document is named as the campaign's ``documents`` entry says (its ``cite_as``, else
        kind and number); a source not attached to a loaded campaign names the document id.
        """
        text = self.place()
        if self.lines is not None:
            a, b = self.lines
            text += f" (dòng {a}{UNCHECKED if self._lines_unchecked else ''})" if a == b else \
                f" (dòng {a}-{b}{UNCHECKED if self._lines_unchecked else ''})"
        return text

    def place(self: Source) -> str:
        """The citation without its lines: document, article, clause, point, section."""
        parts = [self._label or self.doc]
        if self.article:
            parts.append(f"Điều {self.article}")
        if self.clause:
            parts.append(f"khoản {self.clause}")
        if self.point:
            parts.append(f"điểm {self.point}")
        if self.section:
            parts.append(f"mục {self.section}")
        return ", ".join(parts) + (" (chưa đối chiếu)" if self.unchecked else "")


class DocumentShape(Shape):
    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        """Equal when the fields are: what the loader found of the texts is not compared."""
        return _fields_equal(self, other, DocumentShape)

    @property
    def text_status(self: Document) -> str | None:
        """What the loader found of the ``text``: ``checked`` (found, and the lines cited from it
        checked), ``not-found``, ``unreadable``, ``mismatch`` (another version than ``sha256``)
        or ``not-looked-up`` (a campaign given as text); ``None`` when no ``text`` is declared."""
        return self._text_status

    def citation_name(self: Document) -> str:
        """How citations name this document: ``cite_as``, else kind and number, else kind and id."""
        if self.cite_as:
            return self.cite_as
        return f"{KIND_VI[self.kind]} {self.number or self.id}"


class NotMachineCheckableShape(Shape):
    __slots__ = ()

    @property
    def lines(self) -> tuple[int, ...]:
        """Every line the sources cite, in order (1-based)."""
        return _lines(self.sources)  # type: ignore[attr-defined]


class DefectShape(Shape):
    __slots__ = ()

    @property
    def lines(self) -> tuple[int, ...]:
        """Every line the sources cite, in order (1-based)."""
        return _lines(self.sources)  # type: ignore[attr-defined]

    def stands_on(self, source: Source) -> bool:
        """True when the defect stands on a line ``source`` cites in the same document."""
        return source.lines is not None and any(
            s.doc == source.doc and s.lines is not None
            and s.lines[0] <= source.lines[1] and source.lines[0] <= s.lines[1]
            for s in self.sources  # type: ignore[attr-defined]
        )


class PhaseShape(Shape):
    __slots__ = ()

    def contains(self: Phase, day: dt.date) -> bool:
        """True when ``day`` lies in ``[start, end]`` (both inclusive)."""
        return self.start <= day and (self.end is None or day <= self.end)


class ReviewYearShape(Shape):
    __slots__ = ()

    def phase(self: ReviewYear, year: int) -> Phase:
        """Review year ``year`` as the phase a campaign without ``phases`` judges (a standing
        regulation): id ``review_year_<year>``, from its first day to the day before the next."""
        m, d = self.starts.month, self.starts.day
        span = f"{year}" if (m, d) == (1, 1) else f"{year}-{year + 1}"
        return made_like(self, "Phase", id=f"{PHASE_PREFIX}{year}", kind="campaign",  # type: ignore[no-any-return]
                          start=dt.date(year, m, d), end=dt.date(year + 1, m, d) - dt.timedelta(days=1),
                          source=self.source, label=TextShape.of(vi=f"Năm xét {span}", en=f"Review year {span}"),
                          derived="a review year of a standing regulation (review_year)")

    def phase_at(self: ReviewYear, day: dt.date) -> Phase:
        """The review year ``day`` falls in, as a phase (:meth:`phase`)."""
        return self.phase(day.year if (day.month, day.day) >= (self.starts.month, self.starts.day) else day.year - 1)

    def phase_named(self: ReviewYear, phase_id: str) -> Phase | None:
        """The review year named ``review_year_<year>``, as a phase; None for any other id."""
        year = phase_id.removeprefix(PHASE_PREFIX)
        if year == phase_id or not (year.isascii() and year.isdigit() and len(year) == 4):
            return None
        return self.phase(int(year))


class TargetShape(Shape):
    __slots__ = ()

    def value_for(self: Target, phase_id: str) -> float | None:
        """The threshold for ``phase_id``, or None when the target sets none for that phase."""
        for v in self.values:
            if v.phase == phase_id:
                return v.value
        return None


class QuotaShape(Shape):
    __slots__ = ()

    @property
    def kinds(self: Quota) -> tuple[SubjectKind, ...]:
        """The subject kinds counted: ``subjects``, else ``(subject,)``."""
        return self.subjects or (self.subject,)


class QuotaPerShape(Shape):
    __slots__ = ()

    @property
    def facts(self: QuotaPer) -> tuple[str, ...]:
        """``fact`` as a tuple (empty without one)."""
        if self.fact is None:
            return ()
        return (self.fact,) if isinstance(self.fact, str) else self.fact

    def text(self: QuotaPer) -> str:
        """How the grouping reads in the quota tables: ``provincial_federation, theme``."""
        return ", ".join([*([self.within] if self.within else []), *(["/".join(self.facts)] if self.facts else [])])


class HierarchyShape(Shape):
    __slots__ = ()

    def judged(self: Hierarchy, kind: str, item_id: str, level: str) -> bool:
        """Whether the target or quota ``item_id`` (``kind``: ``target`` | ``quota``) is judged at ``level``."""
        rules = [j for j in self.judged_at if getattr(j, kind) == item_id]
        return not rules or any(level in j.levels for j in rules)


def _by_id(items: tuple[Any, ...], item_id: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)


class CampaignShape(Shape):
    __slots__ = ()

    @property
    def plan(self: Campaign) -> Document:
        """The campaign's own plan: the first document of kind ``plan`` (else the first document)."""
        return next((d for d in self.documents if d.kind == "plan"), self.documents[0])

    def document(self: Campaign, doc_id: str) -> Document:
        """The document ``doc_id``.

        Raises:
            KeyError: no such document.
        """
        return _by_id(self.documents, doc_id)  # type: ignore[no-any-return]

    def fact(self: Campaign, fact_id: str) -> FactDecl:
        """The declared fact ``fact_id``.

        Raises:
            KeyError: no such fact.
        """
        return _by_id(self.facts, fact_id)  # type: ignore[no-any-return]

    def award(self: Campaign, award_id: str) -> Award:
        """The award ``award_id``.

        Raises:
            KeyError: no such award.
        """
        return _by_id(self.awards, award_id)  # type: ignore[no-any-return]

    def parameter_defaults(self: Campaign) -> dict[str, float]:
        """``{parameter id: default}``."""
        return {p.id: p.default for p in self.parameters}

    def phase_at(self: Campaign, day: dt.date) -> Phase | None:
        """The most specific phase containing ``day`` (a round beats a whole-campaign phase); without
        phases, the review year of a standing regulation (:meth:`ReviewYear.phase_at`)."""
        if not self.phases and self.review_year is not None:
            return self.review_year.phase_at(day)
        hits = [p for p in self.phases if p.contains(day)]
        hits.sort(key=lambda p: (p.kind == "campaign", -(p.start.toordinal())))
        return hits[0] if hits else None

    def phase_named(self: Campaign, phase_id: str | None) -> Phase | None:
        """The phase ``phase_id``: a declared one, else a standing regulation's review year."""
        found = next((p for p in self.phases if p.id == phase_id), None)
        if found is None and phase_id is not None and not self.phases and self.review_year is not None:
            return self.review_year.phase_named(phase_id)
        return found


def _lines(sources: tuple[Source, ...]) -> tuple[int, ...]:
    out: list[int] = []
    for s in sources:
        if s.lines is not None:
            out.extend(range(s.lines[0], s.lines[1] + 1))
    return tuple(out)


# --- The kinds without methods ---------------------------------------------------------------

_PLAIN = (
    "Compare", "AtLeast", "OneOf", "CountSpec", "Count", "AllOf", "AnyOf", "NotOf", "Criterion",
    "Eligibility", "ScoreItem", "Band", "ScoreSheet", "Award", "Population", "ValueMetric", "CountMetric",
    "ShareMetric", "SumMetric", "AveragePerMetric", "InitiativeCountMetric", "TargetValue", "QuotaOf",
    "InForce", "LegalBasis", "EnumValue", "Parameter", "BoundParam", "YearStart", "Review",
    "SubjectLevel", "Subjects", "RecordField", "FactDecl", "Vote", "ClusterScore", "ClusterRanking",
    "JudgedAt", "InitiativeCheck", "DateWindow", "Attribution", "InitiativeProgramme", "RankKey",
    "Ranking", "Window", "AggregateSpec", "Aggregate", "AwardRef", "YearlyRating", "Held", "OfUnit",
    "LevelIn",
)
"""Kinds whose shape holds no method (one class each all the same, for ``isinstance``)."""

if TYPE_CHECKING:
    CompareShape: TypeAlias = Shape
    AtLeastShape: TypeAlias = Shape
    OneOfShape: TypeAlias = Shape
    CountSpecShape: TypeAlias = Shape
    CountShape: TypeAlias = Shape
    AllOfShape: TypeAlias = Shape
    AnyOfShape: TypeAlias = Shape
    NotOfShape: TypeAlias = Shape
    CriterionShape: TypeAlias = Shape
    EligibilityShape: TypeAlias = Shape
    ScoreItemShape: TypeAlias = Shape
    BandShape: TypeAlias = Shape
    ScoreSheetShape: TypeAlias = Shape
    AwardShape: TypeAlias = Shape
    PopulationShape: TypeAlias = Shape
    ValueMetricShape: TypeAlias = Shape
    CountMetricShape: TypeAlias = Shape
    ShareMetricShape: TypeAlias = Shape
    SumMetricShape: TypeAlias = Shape
    AveragePerMetricShape: TypeAlias = Shape
    InitiativeCountMetricShape: TypeAlias = Shape
    TargetValueShape: TypeAlias = Shape
    QuotaOfShape: TypeAlias = Shape
    InForceShape: TypeAlias = Shape
    LegalBasisShape: TypeAlias = Shape
    EnumValueShape: TypeAlias = Shape
    ParameterShape: TypeAlias = Shape
    BoundParamShape: TypeAlias = Shape
    YearStartShape: TypeAlias = Shape
    ReviewShape: TypeAlias = Shape
    SubjectLevelShape: TypeAlias = Shape
    SubjectsShape: TypeAlias = Shape
    RecordFieldShape: TypeAlias = Shape
    FactDeclShape: TypeAlias = Shape
    VoteShape: TypeAlias = Shape
    ClusterScoreShape: TypeAlias = Shape
    ClusterRankingShape: TypeAlias = Shape
    JudgedAtShape: TypeAlias = Shape
    InitiativeCheckShape: TypeAlias = Shape
    DateWindowShape: TypeAlias = Shape
    AttributionShape: TypeAlias = Shape
    InitiativeProgrammeShape: TypeAlias = Shape
    RankKeyShape: TypeAlias = Shape
    RankingShape: TypeAlias = Shape
    WindowShape: TypeAlias = Shape
    AggregateSpecShape: TypeAlias = Shape
    AggregateShape: TypeAlias = Shape
    AwardRefShape: TypeAlias = Shape
    YearlyRatingShape: TypeAlias = Shape
    HeldShape: TypeAlias = Shape
    OfUnitShape: TypeAlias = Shape
    LevelInShape: TypeAlias = Shape
else:
    for _kind in _PLAIN:
        globals()[_kind + "Shape"] = type(_kind + "Shape", (Shape,), {"__slots__": (), "__module__": __name__})

register_shapes(Shape.__subclasses__())
