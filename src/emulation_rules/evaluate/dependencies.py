"""What every backend shares about awards that build on awards and titles held: the verdicts a
subject's later awards read, their missing facts and how they are shown.

The backends judge a subject's awards in
:func:`~emulation_rules.campaign.dependencies.dependency_order` and pass each finished verdict
on as a synthetic read (:func:`~emulation_rules.evaluate.semantics.synthetic_facts`); each
backend decides the conditions itself. This module only words the outcome the same way:

* a criterion reading ``award:<id>`` lists, when undecided, the facts *that* award misses
  (:func:`expand_missing`), not the synthetic key;
* its values name the award and its verdict (:func:`dependency_note`, e.g.
  ``'Lao động tiên tiến: not_awarded (failed: rating)'``), and the titles and years of the
  history a ``held`` condition looked at (:func:`shown_values`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.record_sets import window_dates
from emulation_rules.evaluate.result import AwardResult
from emulation_rules.evaluate.semantics import AS_OF, HISTORY, award_key, leaves, titles_used

__all__ = ["dependency_note", "expand_missing", "held_conditions", "shown_values"]

_PREFIX = award_key("")


def dependency_note(result: AwardResult) -> str:
    """An award's verdict with why, for the criteria that require it."""
    detail = ""
    if result.verdict == "not_awarded":
        failed = [c.criterion_id for c in result.criteria if c.status == "fail"]
        detail = f"failed: {', '.join(failed)}" if failed else ""
    elif result.verdict == "incomplete":
        detail = (f"missing: {', '.join(result.missing_facts)}" if result.missing_facts
                  else result.reason or "")
    elif result.verdict == "not_eligible":
        detail = result.reason or ""
    return f"{result.label.vi}: {result.verdict}" + (f" ({detail})" if detail else "")


def expand_missing(missing: Iterable[str], done: Mapping[str, AwardResult]) -> tuple[str, ...]:
    """``missing`` with each ``award:<id>`` replaced by the facts that award misses."""
    out: list[str] = []
    for f in missing:
        if f.startswith(_PREFIX):
            dep = done.get(f[len(_PREFIX):])
            out.extend(dep.missing_facts if dep is not None else ())
        else:
            out.append(f)
    return tuple(dict.fromkeys(out))


def held_conditions(cond: Any) -> list[m.Held]:
    """The ``held`` leaves of a condition, in order."""
    return [h for h in leaves(cond) if isinstance(h, m.Held)]


def shown_values(cond: Any, reads: Iterable[str], facts: Mapping[str, Any],
                 done: Mapping[str, AwardResult]) -> dict[str, Any]:
    """Values of the synthetic reads a criterion used, as explanations show them.

    ``award:<id>`` -> :func:`dependency_note`; ``history`` -> the titles and years looked at;
    ``as_of`` -> the review year.
    """
    out: dict[str, Any] = {}
    for key in reads:
        if key.startswith(_PREFIX):
            dep = done.get(key[len(_PREFIX):])
            if dep is not None:
                out[key] = dependency_note(dep)
        elif key == HISTORY and HISTORY in facts and AS_OF in facts:
            review = facts[AS_OF]
            used = [titles_used(h, facts[HISTORY], review) for h in held_conditions(cond)
                    if h.times_in_phase is None or review.phase_first is not None]
            out[HISTORY] = "; ".join(dict.fromkeys(used))
        elif key == AS_OF and AS_OF in facts:
            out[AS_OF] = facts[AS_OF].year
            for leaf in leaves(cond):  # the days a record window reads
                spec = leaf.count if isinstance(leaf, m.Count) else getattr(leaf, "aggregate", None)
                window = getattr(spec, "within", None)
                days = window_dates(window, facts[AS_OF]) if window is not None else None
                if spec is not None and days is not None:
                    name = spec.fact if isinstance(spec, m.CountSpec) else spec.of
                    out[f"{name} dated"] = f"{days[0].isoformat()} .. {days[1].isoformat()}"
    return out
