"""Strategy helpers for awards that build on awards and for titles held (``history``): used by
:mod:`.strategies` (kept apart so that module stays small)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from emulation_rules.campaign import model as m
from emulation_rules.evaluate.semantics import leaves
from emulation_rules.facts.history import ReviewYears, review_years, some_review_day

Assignment = dict[str, Any]
HISTORY_KEY = "history"
"""Assignments carry a subject's history under this key; ``facts_for`` moves it out of facts."""


def review_for(campaign: m.Campaign, as_of: dt.date | None) -> ReviewYears | None:
    """The review's years for a review on ``as_of`` (None without a date)."""
    if as_of is None:
        return None
    phase = campaign.phase_at(as_of)
    return review_years(campaign, as_of, phase.id if phase else None)


def held_titles(campaign: m.Campaign) -> list[m.Held]:
    """Every ``held`` condition of the campaign's criteria."""
    return [h for a in campaign.awards for c in a.criteria for h in leaves(c.condition)
            if isinstance(h, m.Held)]


def _entries(title: str, years: list[int]) -> list[dict[str, Any]]:
    return [{"title": title, "year": y} for y in years]


def assign_held(cond: m.Held, truth: bool, review: ReviewYears | None) -> st.SearchStrategy[Assignment]:
    """History entries making ``cond`` hold (``truth``) or not, best effort (the caller checks
    with the reference evaluator); nothing when the review's years are not known."""
    if review is None or review.year is None:
        return st.nothing()
    y = review.year
    if cond.times_in_phase is not None:
        if review.phase_first is None or review.phase_last is None:
            return st.nothing()
        window = list(range(review.phase_first, min(review.phase_last, y) + 1))
        n = cond.times_in_phase if truth else cond.times_in_phase - 1
        if n > len(window):
            return st.nothing()
        picked = st.lists(st.sampled_from(window), min_size=n, max_size=n, unique=True) if n else st.just([])
        return picked.map(lambda ys: {HISTORY_KEY: _entries(cond.held, sorted(ys))})
    if cond.each_of_last_years is not None:
        window = list(range(y - cond.each_of_last_years, y))
    else:
        assert cond.consecutive_years is not None
        window = list(range(y - cond.consecutive_years + 1, y + 1))
    if truth:
        return st.just({HISTORY_KEY: _entries(cond.held, window)})
    prior = window if cond.each_of_last_years is not None else window[:-1]
    if not prior:
        return st.nothing()
    return st.sampled_from(prior).map(
        lambda gap: {HISTORY_KEY: _entries(cond.held, [w for w in window if w != gap])})


def random_history(campaign: m.Campaign, review: ReviewYears | None) -> st.SearchStrategy[Any]:
    """A history near the windows the campaign's ``held`` conditions read (or an empty one)."""
    titles = sorted({h.held for h in held_titles(campaign)} | {a.id for a in campaign.awards})
    base = review.year if review is not None and review.year is not None else some_review_day(campaign).year
    years = list(range(base - 5, base + 2))
    entry = st.fixed_dictionaries({"title": st.sampled_from(titles), "year": st.sampled_from(years)})
    return st.lists(entry, max_size=8)


# --- conditions of a campaign (shared with strategies.py) --------------------------------------


def _all_conditions(campaign: m.Campaign) -> list[Any]:
    out: list[Any] = []
    for a in campaign.awards:
        out.extend(c.condition for c in a.criteria)
        if a.score_sheet is not None:
            out.extend(i.condition for i in a.score_sheet.items if i.condition is not None)
    return out


def _award_conditions(award: m.Award) -> list[Any]:
    conds = [c.condition for c in award.criteria]
    if award.score_sheet is not None:
        conds.extend(i.condition for i in award.score_sheet.items if i.condition is not None)
    return conds
