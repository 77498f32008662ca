"""Shared pieces of the campaign model: identifiers, texts, citations, the document itself."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

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
    """A label in Vietnamese with its standard English rendering (e.g. vi 'Công đoàn cơ sở',
    en 'Grassroots union'; vi 'Chiến sĩ thi đua', en 'Emulation soldier')."""

    vi: str = Field(description="Vietnamese text, as in the plan (NFC).")
    en: str = Field(description="English label, the standard rendering of the Vietnamese term "
                    "(e.g. 'Lao động tiên tiến' -> 'Advanced worker', 'tập thể' -> 'collective').")


class Source(_Model):
    """Citation of the plan clause a rule encodes: the plan's text file (the seed: the plan as
    plain UTF-8 text, one printed line per line) and the lines in it."""

    seed: str = Field(description="File name of the plan's text (the seed), e.g. "
                      "'000_40cc82fbe8059212.txt'; the same as the campaign's source_seed.")
    lines: tuple[int, int] = Field(
        description="Inclusive 1-based line range in the plan's text file; a single line may be "
        "given as an int."
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


class EnumValue(_Model):
    """One value of an enum or ordered enum (rating ladder)."""

    id: Ident
    label: Text


class NotMachineCheckable(_Model):
    """Seed lines carrying a number, a percentage or a date that this encoding deliberately does
    not turn into a rule, with the reason (so that every figure of the plan is either a rule or
    listed here)."""

    lines: tuple[int, ...] = Field(min_length=1, description="Seed lines (1-based).")
    reason: str = Field(min_length=10, description="Why no rule encodes these lines.")


class Defect(_Model):
    """A defect of the source text and how the encoding resolves it (never silently fixed)."""

    id: Ident
    lines: tuple[int, ...] = Field(min_length=1, description="Seed lines where the defect stands.")
    text: str = Field(description="What is wrong, quoting the plan.")
    resolution: str = Field(description="What this encoding does about it.")


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
        return f"must be a whole number from 0 to 2**53 (an int parameter), not {number:g}"
    if kind == "percent" and not 0 <= number <= 100:
        return f"must be a percent from 0 to 100, not {number:g}"
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
