"""Who stays within an exceeded cap: the quota's ``ranking`` applied to one group's awardees.

Rules (issue 10, item 3):

* awardees are ordered by the ranking's facts, the first deciding and the next ones breaking its
  ties; ``order: desc`` puts the highest value first, ``asc`` the lowest; an ordered enum ranks
  by its declared order (lowest first), a date by the day;
* an awardee lacking a ranking fact is ranked after every awardee having it, and its outcome says
  so (``note``; a fact no awardee of the group has decides nothing and is not mentioned);
* the first ``allowed`` awardees are ``within_quota``, the rest ``over_quota``;
* ties left at the cut: ``first_listed`` keeps the order of the submission (the earlier one is
  within); ``none`` reports every awardee tied at the cut ``tied_at_cap`` and chooses nobody.

The outcomes are a separate per-subject result: the award verdicts never change.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from emulation_rules.campaign import shapes as m
from emulation_rules.facts.reader import Subject
from emulation_rules.frozen import frozen

OutcomeStatus = Literal["within_quota", "over_quota", "tied_at_cap"]

OUTCOME_LABELS: dict[str, m.Text] = {
    "within_quota": m.Text.new(vi="Trong hạn mức", en="Within the cap"),
    "over_quota": m.Text.new(vi="Vượt hạn mức", en="Over the cap"),
    "tied_at_cap": m.Text.new(vi="Bằng nhau tại ngưỡng", en="Tied at the cut, nobody chosen"),
}
"""Each outcome in words, for the workbook and the HTML report."""


@frozen
class QuotaOutcome:
    """One awardee of an over-cap group, placed by the quota's ranking.

    Attributes:
        subject: the subject's id.
        group: the group it was judged in (unit or level id; None for the whole submission or for
            the subjects without a unit/level).
        status: ``within_quota``, ``over_quota`` or ``tied_at_cap``.
        rank: 1-based place in the group's ranking (awardees tied with ``ties: none`` share one).
        value: the value of the ranking's first fact (None when the subject lacks it).
        note: why it was ranked where it was, when not by its value (a missing fact).
    """

    subject: str
    group: str | None
    status: OutcomeStatus
    rank: int
    value: Any
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO text)."""
        value = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
        return {"subject": self.subject, "group": self.group, "status": self.status, "rank": self.rank,
                "value": value, "note": self.note}


def rank_group(
    ranking: m.Ranking,
    members: Sequence[Subject],
    allowed: int,
    decls: Mapping[str, m.FactDecl],
    group: str | None,
) -> tuple[QuotaOutcome, ...]:
    """Place the counted awardees of one over-cap group.

    Args:
        ranking: the quota's ranking.
        members: the group's counted awardees, in submission order.
        allowed: how many of them the cap allows (``floor(max_share% x denominator)`` or
            ``max_count``).
        decls: the campaign's fact declarations by id (ordered enums rank by declared order).
        group: the group's key, copied into each outcome.

    Returns:
        One outcome per member, best ranked first.
    """
    keyed = [(_key(ranking, s, decls), i, s) for i, s in enumerate(members)]
    keyed.sort()  # equal keys: the earlier in the submission first (indexes are unique: no subject compared)
    cut_tie = None
    if ranking.ties == "none" and 0 < allowed < len(keyed) and keyed[allowed - 1][0] == keyed[allowed][0]:
        cut_tie = keyed[allowed][0]
    out: list[QuotaOutcome] = []
    keys = [k for k, _, _ in keyed]
    first = ranking.by[0].fact
    present = {k.fact for k in ranking.by if any(k.fact in s.facts for s in members)}  # none has it: no say
    for pos, (key, _, s) in enumerate(keyed):
        rank = 1 + bisect_left(keys, key) if ranking.ties == "none" else pos + 1  # ties share a rank
        status: OutcomeStatus
        if cut_tie is not None and key == cut_tie:
            status = "tied_at_cap"
        else:
            status = "within_quota" if pos < allowed else "over_quota"
        lacking = [k.fact for k in ranking.by if k.fact not in s.facts and k.fact in present]
        note = f"no {', '.join(lacking)}: ranked after those having it" if lacking else None
        out.append(QuotaOutcome(s.id, group, status, rank, s.facts.get(first), note))
    return tuple(out)


def _key(ranking: m.Ranking, s: Subject, decls: Mapping[str, m.FactDecl]) -> tuple[tuple[int, float], ...]:
    """Sort key: per ranking fact ``(0, value)`` (negated for desc) or ``(1, 0)`` when missing."""
    parts: list[tuple[int, float]] = []
    for k in ranking.by:
        if k.fact not in s.facts:
            parts.append((1, 0.0))
            continue
        v = s.facts[k.fact]
        decl = decls.get(k.fact)
        if decl is not None and decl.type == "ordered_enum":
            x = float([e.id for e in decl.values].index(str(v)))
        elif isinstance(v, dt.date):
            x = float(v.toordinal())
        else:
            x = float(v)  # type: ignore[arg-type]
        parts.append((0, -x if k.order == "desc" else x))
    return tuple(parts)


__all__ = ["OutcomeStatus", "QuotaOutcome", "rank_group"]
