"""Shared pieces of the campaign model: identifiers, texts, documents and citations."""

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from emulation_rules.campaign.citing import attach_documents as attach_documents  # re-exported
from emulation_rules.campaign.citing import citations as citations
from emulation_rules.campaign.citing import cite_many as cite_many
from emulation_rules.campaign.money import parameter_problem as parameter_problem
from emulation_rules.campaign.nodes import (
    BoundParamShape,
    DefectShape,
    DocumentShape,
    EnumValueShape,
    InForceShape,
    LegalBasisShape,
    NotMachineCheckableShape,
    ParameterShape,
    SourceShape,
    TextShape,
)

_NOTE = "Encoder's remark on how the plan is read; not used by the engine."

Ident = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="Identifier: lower-case ASCII letters, digits and '_', starting with a letter."),
]
Scalar = bool | int | float | str | dt.date


class _Model(BaseModel):
    # The modules defining models do without ``from __future__ import annotations``: pydantic
    # then takes each field's type as written instead of compiling and evaluating its text,
    # a sixth of the models' cost at every start (only names defined further down are quoted).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False, defer_build=True)


class Text(TextShape, _Model):
    """A label in Vietnamese with its standard English rendering (e.g. vi 'Công đoàn cơ sở',
    en 'Grassroots union'; vi 'Chiến sĩ thi đua cơ sở', en 'Grassroots Emulation Fighter')."""

    vi: str = Field(description="Vietnamese text, as in the plan (NFC).")
    en: str = Field(description="English label, the standard rendering of the Vietnamese term "
                    "(e.g. 'Lao động tiên tiến' -> 'Advanced Laborer', 'tập thể' -> 'collective').")


DocumentKind = Literal["plan", "law", "decree", "circular", "guidance", "decision", "resolution"]


class Source(SourceShape, _Model):
    """A citation: which document, and where in it, a rule comes from.

    A law or decree is cited as people cite law (article, clause, point: "Điều 24, khoản 1,
    điểm a"); a plan by its section ("mục V.2"). ``lines`` are allowed only when the cited
    document declares a ``text`` and are then checked against it (inside the file, and the
    figures of the rule printed there). Printed by :meth:`cite`, e.g.
    "Kế hoạch 115/KH-CĐTKV, mục V.2 (dòng 96-98)" or "Luật TĐKT 2022, Điều 24, khoản 1".
    """

    doc: Ident = Field(description="Id of a document declared under the campaign's 'documents'.")
    article: str | None = Field(default=None, description="Article (Điều) as printed, e.g. '24'.")
    clause: str | None = Field(default=None, description="Clause (khoản) as printed, e.g. '1'.")
    point: str | None = Field(default=None, description="Point (điểm) as printed, e.g. 'a'.")
    section: str | None = Field(
        default=None, description="Section (mục) of a plan as printed, e.g. 'V.2 Tiêu chuẩn — tập thể'."
    )
    lines: tuple[int, int] | None = Field(
        default=None,
        description="Inclusive 1-based line range in the document's text (only when the document has "
        "a 'text'); a single line may be given as an int.",
    )
    unchecked: str | None = Field(
        default=None,
        description="Why the article, clause or point number could not be checked against the "
        "published text; printed as '(chưa đối chiếu)' beside the citation.",
    )
    _label: str | None = PrivateAttr(default=None)
    _lines_unchecked: bool = PrivateAttr(default=False)

    @field_validator("lines", mode="before")
    @classmethod
    def _single_line(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return (value, value)
        return value

    @field_validator("lines")
    @classmethod
    def _ordered(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and (value[0] < 1 or value[1] < value[0]):
            raise ValueError("lines must be [first, last] with 1 <= first <= last")
        return value


class InForce(InForceShape, _Model):
    """The days a text is in force (hiệu lực), both inclusive; an open end is still in force."""

    from_: dt.date | None = Field(default=None, alias="from", description="First day in force (inclusive).")
    to: dt.date | None = Field(default=None, description="Last day in force (inclusive); null if still in force.")


class Document(DocumentShape, _Model):
    """A document the campaign rests on or cites: its plan, a law, a decree, a guidance..."""

    id: Ident
    kind: DocumentKind = Field(
        description="plan = kế hoạch; law = luật; decree = nghị định; circular = thông tư; "
        "guidance = hướng dẫn; decision = quyết định; resolution = nghị quyết."
    )
    number: str | None = Field(default=None, description="Number (số hiệu) in canonical form, e.g. '115/KH-CĐTKV' or '98/2023/NĐ-CP'; null if the text has none.")
    number_as_printed: str | None = Field(default=None, description="The number exactly as printed, when it differs from the canonical form.")
    title: str | None = Field(default=None, description="Title as printed, e.g. 'Luật Thi đua, khen thưởng'.")
    issuer: str | None = Field(default=None, description="Issuing body as printed, e.g. 'Quốc hội'.")
    date: dt.date | None = Field(default=None, description="Signing or adoption date; null if the text has none.")
    place: str | None = Field(default=None, description="Place of issue.")
    signer: str | None = Field(default=None, description="Signatory as printed (a public official).")
    text: str | None = Field(
        default=None,
        description="Path of a UTF-8 text of the document, relative to the campaign file (else looked "
        "up by file name in the directories of EMULATION_RULES_DOCUMENTS); needed to cite lines.",
    )
    cite_as: str | None = Field(
        default=None,
        description="How citations name it, e.g. 'Luật TĐKT 2022'; default: kind and number "
        "('Kế hoạch 115/KH-CĐTKV').",
    )
    sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (hex, lower case) of the text file's bytes: a text supplied later (beside the "
        "campaign file or through EMULATION_RULES_DOCUMENTS) must be this version, else the campaign is "
        "refused (text-mismatch), since its cited lines would point elsewhere.",
    )
    source: Source | None = Field(default=None, description="Where the number and date stand in its own text.")
    in_force: InForce | None = Field(
        default=None, description="When the text is in force; a review date outside it is reported for "
        "every rule citing it (validate, evaluate; refused with --strict).")
    replaced_by: Ident | None = Field(default=None, description="Id of the document (declared here) that replaces it.")
    note: str | None = Field(default=None, description=_NOTE)
    _text_status: str | None = PrivateAttr(default=None)
    _text_warning: Any = PrivateAttr(default=None)  # the located Problem saying why, if any



class LegalBasis(LegalBasisShape, _Model):
    """An instrument the plan rests on, with the dates it is in force."""

    id: Ident
    title: str = Field(description="Instrument as named, e.g. 'Luật Thi đua, khen thưởng 15/2003/QH11'.")
    valid_from: dt.date | None = Field(default=None, description="First day in force (inclusive).")
    valid_to: dt.date | None = Field(default=None, description="Last day in force (inclusive); null if still in force.")
    note: str | None = Field(default=None, description=_NOTE)


class EnumValue(EnumValueShape, _Model):
    """One value of an enum or ordered enum (rating ladder)."""

    id: Ident
    label: Text


class NotMachineCheckable(NotMachineCheckableShape, _Model):
    """Numbered or dated lines of a document that this encoding deliberately does not turn
    into a rule, with the reason (the traceability test reads these)."""

    sources: tuple[Source, ...] = Field(min_length=1, description="Where those lines stand (with 'lines').")
    reason: str = Field(min_length=10, description="Why no rule encodes these lines.")


class Defect(DefectShape, _Model):
    """A defect of a source document and how the encoding resolves it (never silently fixed)."""

    id: Ident
    sources: tuple[Source, ...] = Field(min_length=1, description="Where the defect stands.")
    text: str = Field(description="What is wrong, quoting the document.")
    resolution: str = Field(description="What this encoding does about it.")



class Parameter(ParameterShape, _Model):
    """A named number standing for a word the plan leaves unquantified ('nhiều', 'cao')."""

    id: Ident
    type: Literal["int", "decimal", "percent"] = Field(description="Number type of the value.")
    default: float = Field(
        description="Value used unless the caller overrides it: a finite number; "
        "an int is a whole number >= 0, a percent lies in [0, 100].")
    label: Text
    reason: str = Field(description="Why the default was chosen; the plan gives no number.")
    source: Source

    @field_validator("default", mode="before")
    @classmethod
    def _checked_default(cls, value: Any, info: ValidationInfo) -> Any:
        problem = parameter_problem(info.data.get("type", "decimal"), value)
        if problem is not None:
            raise ValueError(problem)
        return value


class BoundParam(BoundParamShape, _Model):
    """A quota's bound given by a parameter (a figure the campaign leaves to the unit's own
    regulation): its default applies unless the caller overrides it (``--param``)."""

    param: Ident = Field(description="Parameter giving the bound (percent for a share, int for a count).")
