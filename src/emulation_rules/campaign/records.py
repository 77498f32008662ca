"""Conditions over the records of a list fact: windows relative to the review, and aggregates
(:class:`Aggregate` beside ``count``).

Re-exported by :mod:`.model`. What they mean, on every backend alike, is in
:mod:`emulation_rules.evaluate.record_sets`:

* ``within`` keeps the records whose date field ``by`` lies in years of the review: the review year
  (``review_year``), the last N review years up to it (``last_years: N``), or the years a ``held``
  condition on the same title in the same criterion reads (``held: <title>``: "2 sáng kiến trong
  thời gian đó", the two years of "2 năm liên tục hoàn thành xuất sắc nhiệm vụ"). A review year runs
  from the campaign's ``review_year.starts`` (1 January unless declared) to the day before it
  a year later.
* ``{aggregate: {fn: sum|min|max|count, field, of, where, within}, op, value|param}`` compares the
  sum, the smallest or the largest value of a record field (or the number of records) among the
  records of ``of`` satisfying ``where`` (and ``within``) with a threshold.

Three-valued: a record whose ``where`` or window reads a blank optional field may or may not be
counted, and a blank value may be anything its field allows (money: from 0; percent: 0-100; else
the declared ``minimum``/``maximum``, unbounded without them). The comparison is decided only when
every way of filling the blanks gives the same answer; else it is unknown and the blank fields are
listed as missing (``initiatives.benefit``). ``min`` and ``max`` of no record are undefined: every
comparison with them is false.
"""

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, PrivateAttr

from emulation_rules.campaign.common import Ident, Scalar, _Model
from emulation_rules.campaign.nodes import AggregateShape, AggregateSpecShape, WindowShape

if TYPE_CHECKING:
    from emulation_rules.campaign.model import Condition

_DERIVED = ("Why the figure here is not printed on the cited lines; without it the loader requires the "
            "figure on those lines (figure-not-in-source).")

__all__ = ["Aggregate", "AggregateSpec", "Window"]


class Window(WindowShape, _Model):
    """Which records count, by a date of theirs, relative to the review: exactly one of
    ``review_year``, ``last_years``, ``held``."""

    by: Ident | None = Field(
        default=None,
        description="Date field of the records placed in the window; may be left out when the records "
        "have exactly one date field.",
    )
    review_year: bool | None = Field(default=None, description="true: records dated in the review year.")
    last_years: int | None = Field(
        default=None, ge=1, le=100, description="Records dated in the last N review years, the review year included."
    )
    held: Ident | None = Field(
        default=None,
        description="Records dated in the years that the 'held' condition on this title, in the same "
        "criterion, reads ('trong thời gian đó').",
    )
    _held_window: Any = PrivateAttr(default=None)
    """The ``held`` condition named by ``held`` (set when the campaign is loaded)."""


class AggregateSpec(AggregateSpecShape, _Model):
    """What to aggregate in a list-of-records fact."""

    fn: Literal["sum", "min", "max", "count"] = Field(
        description="sum, min or max of 'field' over the records; count: the number of records."
    )
    field: Ident | None = Field(default=None, description="Numeric record field (int, money, decimal, percent); for sum, min, max.")
    of: Ident = Field(description="A fact of type 'records'.")
    where: "Condition | None" = Field(default=None, description="Records aggregated must satisfy this (uses 'field').")
    within: Window | None = Field(default=None, description="Only records dated in these years of the review.")


class Aggregate(AggregateShape, _Model):
    """``sum|min|max|count(records where ...) op value`` ('tổng giá trị làm lợi từ 80 triệu
    đồng'); three-valued: a blank field inside a record leaves it unknown when it could change the answer."""

    aggregate: AggregateSpec
    op: Literal[">=", ">", "<=", "<", "==", "!="] = Field(description="How the aggregate compares with the threshold.")
    value: Scalar | None = Field(default=None, description="Constant threshold in the field's type (money as written: '80 triệu đồng'); a number for count.")
    param: Ident | None = Field(default=None, description="Parameter giving the threshold.")
    derived: str | None = Field(default=None, description=_DERIVED)
