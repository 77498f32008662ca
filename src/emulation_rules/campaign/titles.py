"""Conditions over other awards and titles held: ``{award: <id>}`` and ``{held: <title>, ...}``.

Part of the condition union of :mod:`.model` (re-exported there). What they mean is in
:mod:`emulation_rules.evaluate.semantics`; the order awards are judged in, and the cycle check,
in :mod:`.dependencies`.
"""

from typing import Literal

from pydantic import Field

from emulation_rules.campaign.common import Ident, Source, Text, _Model
from emulation_rules.campaign.nodes import AwardRefShape, HeldShape, YearlyRatingShape

__all__ = ["AwardRef", "Held", "YearlyRating"]


class AwardRef(AwardRefShape, _Model):
    """``{award: <id>, verdict: awarded}``: another award of the same subject kind, judged for
    the same subject in the same evaluation ('CSTĐCS requires the LĐTT title': a reference to
    the LĐTT award, not a copy of its standards). Unknown while that award is ``incomplete``."""

    award: Ident = Field(description="Id of an award of this campaign, of the same subject kind.")
    verdict: Literal["awarded", "not_awarded"] = Field(
        default="awarded",
        description="awarded: holds when that award's verdict is 'awarded'; not_awarded: holds when "
        "its verdict is 'not_awarded' or 'not_eligible'. Unknown when it is 'incomplete'.",
    )


class YearlyRating(YearlyRatingShape, _Model):
    """A yearly rating (xếp loại) a subject's ``history`` may record, as it records titles:
    ``{rating: completed_tasks_excellently, year: 2024}``. ``held`` conditions read titles and
    ratings alike. With ``fact`` and ``values``, the review year's rating comes from the submitted
    facts: year Y holds it when the fact has one of ``values`` (unknown when the fact is missing)."""

    id: Ident = Field(description="Rating id, e.g. 'completed_tasks_excellently'.")
    subject: Literal["collective", "individual"] = Field(description="Who is rated.")
    label: Text
    fact: Ident | None = Field(default=None, description="Enum fact giving the review year's rating.")
    values: tuple[Ident, ...] = Field(default=(), description="Values of 'fact' that mean this rating.")
    source: Source


class Held(HeldShape, _Model):
    """A title the subject already holds, read from its ``history`` (title, year): give exactly
    one of ``each_of_last_years``, ``consecutive_years``, ``times_in_phase``. Y is the year of
    the review date. No history submitted: unknown; a history without the title: not held."""

    held: Ident = Field(
        description="Title or rating id looked up in the history: an award id of this campaign, a "
        "rating the campaign declares (its review-year value read from the facts), or any other "
        "title's id (e.g. 'lao_dong_tien_tien')."
    )
    each_of_last_years: int | None = Field(
        default=None, ge=1, le=100,
        description="Held in each of the N years before the review year (Y-N .. Y-1).",
    )
    consecutive_years: int | None = Field(
        default=None, ge=1, le=100,
        description="Held in each of the N years up to the review year (Y-N+1 .. Y); year Y counts "
        "when the history has it or, for an award of this campaign, this evaluation awards it.",
    )
    times_in_phase: int | None = Field(
        default=None, ge=1, le=100,
        description="Held in at least N distinct years inside the judged phase (its first year to "
        "its last, or to the review year when the phase has no end).",
    )
    derived: str | None = Field(
        default=None,
        description="Why the number of years is not printed on the cited lines; without it the loader "
        "requires it there (figure-not-in-source), like every figure.",
    )
