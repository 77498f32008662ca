"""Shared pieces of the campaign model: identifiers, texts, documents and citations."""

import datetime as dt
import math
from collections.abc import Iterator
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

from emulation_rules.campaign.money import plain_number

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


class Text(_Model):
    """A label in Vietnamese with its standard English rendering (e.g. vi 'Công đoàn cơ sở',
    en 'Grassroots union'; vi 'Chiến sĩ thi đua cơ sở', en 'Grassroots Emulation Fighter')."""

    vi: str = Field(description="Vietnamese text, as in the plan (NFC).")
    en: str = Field(description="English label, the standard rendering of the Vietnamese term "
                    "(e.g. 'Lao động tiên tiến' -> 'Advanced Laborer', 'tập thể' -> 'collective').")

    @classmethod
    def of(cls, *, vi: str, en: str) -> "Text":
        """A text the code writes itself (a status, a reason), made without validation: the first
        validated ``Text`` of a process builds pydantic's validator and loads its plugins, a
        tenth of a one-unit run's time."""
        return cls.model_construct(vi=vi, en=en)


_UNCHECKED = ", chưa đối chiếu"
"""Added inside a citation's lines when they were not checked against the document's text:
"(dòng 102, chưa đối chiếu)" (lines 102, not checked)."""

DocumentKind = Literal["plan", "law", "decree", "circular", "guidance", "decision", "resolution"]

_KIND_VI: dict[str, str] = {
    "plan": "Kế hoạch",
    "law": "Luật",
    "decree": "Nghị định",
    "circular": "Thông tư",
    "guidance": "Hướng dẫn",
    "decision": "Quyết định",
    "resolution": "Nghị quyết",
}
"""How Vietnamese citations name each kind of document ("Kế hoạch 115/KH-CĐTKV")."""


class Source(_Model):
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

    def __eq__(self, other: object) -> bool:
        """Equal when the fields are: what the loader found of the texts is not compared."""
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    @property
    def lines_checked(self) -> bool | None:
        """Whether the cited ``lines`` were checked against the document's text when the
        campaign was loaded (``None`` when the citation has no lines): False when that text was
        absent, unreadable or not looked up (see :mod:`.texts`)."""
        return None if self.lines is None else not self._lines_unchecked

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

    def cite(self) -> str:
        """The citation in words, e.g. ``Kế hoạch 115/KH-CĐTKV, mục V.2 (dòng 96-98)``.

        The document is named as the campaign's ``documents`` entry says (its ``cite_as``, else
        kind and number); a source not attached to a loaded campaign names the document id.
        """
        text = self.place()
        if self.lines is not None:
            a, b = self.lines
            text += f" (dòng {a}{_UNCHECKED if self._lines_unchecked else ''})" if a == b else \
                f" (dòng {a}-{b}{_UNCHECKED if self._lines_unchecked else ''})"
        return text

    def place(self) -> str:
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


class InForce(_Model):
    """The days a text is in force (hiệu lực), both inclusive; an open end is still in force."""

    from_: dt.date | None = Field(default=None, alias="from", description="First day in force (inclusive).")
    to: dt.date | None = Field(default=None, description="Last day in force (inclusive); null if still in force.")


class Document(_Model):
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

    def __eq__(self, other: object) -> bool:
        """Equal when the fields are: what the loader found of the texts is not compared."""
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    @property
    def text_status(self) -> str | None:
        """What the loader found of the ``text``: ``checked`` (found, and the lines cited from it
        checked), ``not-found``, ``unreadable``, ``mismatch`` (another version than ``sha256``)
        or ``not-looked-up`` (a campaign given as text); ``None`` when no ``text`` is declared."""
        return self._text_status

    def citation_name(self) -> str:
        """How citations name this document: ``cite_as``, else kind and number, else kind and id."""
        if self.cite_as:
            return self.cite_as
        return f"{_KIND_VI[self.kind]} {self.number or self.id}"


class LegalBasis(_Model):
    """An instrument the plan rests on, with the dates it is in force."""

    id: Ident
    title: str = Field(description="Instrument as named, e.g. 'Luật Thi đua, khen thưởng 15/2003/QH11'.")
    valid_from: dt.date | None = Field(default=None, description="First day in force (inclusive).")
    valid_to: dt.date | None = Field(default=None, description="Last day in force (inclusive); null if still in force.")
    note: str | None = Field(default=None, description=_NOTE)


class EnumValue(_Model):
    """One value of an enum or ordered enum (rating ladder)."""

    id: Ident
    label: Text


class NotMachineCheckable(_Model):
    """Numbered or dated lines of a document that this encoding deliberately does not turn
    into a rule, with the reason (the traceability test reads these)."""

    sources: tuple[Source, ...] = Field(min_length=1, description="Where those lines stand (with 'lines').")
    reason: str = Field(min_length=10, description="Why no rule encodes these lines.")

    @property
    def lines(self) -> tuple[int, ...]:
        """Every line the sources cite, in order (1-based)."""
        return _lines(self.sources)


class Defect(_Model):
    """A defect of a source document and how the encoding resolves it (never silently fixed)."""

    id: Ident
    sources: tuple[Source, ...] = Field(min_length=1, description="Where the defect stands.")
    text: str = Field(description="What is wrong, quoting the document.")
    resolution: str = Field(description="What this encoding does about it.")

    @property
    def lines(self) -> tuple[int, ...]:
        """Every line the sources cite, in order (1-based)."""
        return _lines(self.sources)

    def stands_on(self, source: Source) -> bool:
        """True when the defect stands on a line ``source`` cites in the same document."""
        return source.lines is not None and any(
            s.doc == source.doc and s.lines is not None
            and s.lines[0] <= source.lines[1] and source.lines[0] <= s.lines[1]
            for s in self.sources
        )


def citations(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Source, tuple[str | int, ...]]]:
    """Every :class:`Source` inside ``node`` (a model, a tuple of models, or a source) with its
    data path (keys as written in the file, e.g. ``("awards", 0, "criteria", 1, "source")``),
    in field order."""
    if isinstance(node, Source):
        yield node, path
    elif isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            value = getattr(node, name)
            if isinstance(value, (BaseModel, tuple)):
                yield from citations(value, (*path, info.alias or name))
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            if isinstance(item, (BaseModel, tuple)):
                yield from citations(item, (*path, i))


def attach_documents(node: Any, documents: tuple[Document, ...],
                     found: Iterator[tuple[Source, tuple[str | int, ...]]]) -> None:
    """Let each citation of ``found`` (those inside ``node``) print its document's name and
    whether its lines were checked against the document's text (see :meth:`Source.cite`)."""
    names = {d.id: d.citation_name() for d in documents}
    unchecked = {d.id for d in documents if d.text_status not in (None, "checked")}
    for source, _ in found:
        if source.doc in names:
            source._label = names[source.doc]
            source._lines_unchecked = source.doc in unchecked


def cite_many(sources: tuple[Source, ...]) -> str:
    """Several citations in words, those of one place in one document joined:
    ``Kế hoạch 115/KH-CĐTKV (dòng 9, 96, 98)``."""
    groups: dict[str, list[str]] = {}
    unchecked: set[str] = set()
    for s in sources:
        head = s.place()
        spans = groups.setdefault(head, [])
        if s.lines is not None:
            a, b = s.lines
            spans.append(str(a) if a == b else f"{a}-{b}")
            if s._lines_unchecked:
                unchecked.add(head)
    return "; ".join(f"{head} (dòng {', '.join(spans)}{_UNCHECKED if head in unchecked else ''})"
                     if spans else head for head, spans in groups.items())


def _lines(sources: tuple[Source, ...]) -> tuple[int, ...]:
    out: list[int] = []
    for s in sources:
        if s.lines is not None:
            out.extend(range(s.lines[0], s.lines[1] + 1))
    return tuple(out)


def parameter_problem(kind: str, value: Any) -> str | None:
    """Why ``value`` cannot be a parameter of type ``kind``, or None when it can.

    Every parameter is a finite number (not a boolean or text); an ``int`` is a whole number
    from 0 to 2**53 (a count, exact as a float); a ``percent`` lies in [0, 100].
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, not {type(value).__name__}"
    try:
        number = float(value)
    except OverflowError:
        return "is too large"
    if not math.isfinite(number):
        return f"must be a finite number, not {value}"
    if kind == "int" and (not number.is_integer() or not 0 <= number <= 2**53):
        return f"must be a whole number from 0 to 2**53 (an int parameter), not {plain_number(number)}"
    if kind == "percent" and not 0 <= number <= 100:
        return f"must be a percent from 0 to 100, not {plain_number(number)}"
    return None


class Parameter(_Model):
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


class BoundParam(_Model):
    """A quota's bound given by a parameter (a figure the campaign leaves to the unit's own
    regulation): its default applies unless the caller overrides it (``--param``)."""

    param: Ident = Field(description="Parameter giving the bound (percent for a share, int for a count).")
