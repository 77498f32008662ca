"""How an initiative register's verdicts are shown (``emulation-rules initiatives``): a table
for people and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence

from emulation_rules.facts.initiatives import InitiativeAssessment

__all__ = ["render_initiatives_json", "render_initiatives_table"]


def _iso(d: object) -> str | None:
    return d.isoformat() if d else None  # type: ignore[attr-defined]


def render_initiatives_table(assessments: Sequence[InitiativeAssessment]) -> str:
    """Plain text: one row per initiative (status, credited person, dates), then the reasons
    for each exclusion with the plan clause."""
    rows = [("initiative", "kind", "unit", "applied", "submitted", "status", "credited")]
    for a in assessments:
        i = a.initiative
        rows.append((i.id, i.kind, i.unit or "", _iso(i.applied_on) or "", _iso(i.submitted_on) or "",
                     a.status, ", ".join(a.credited)))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    n_ok = sum(a.accepted for a in assessments)
    n_later = sum(a.not_yet for a in assessments)
    lines.append(f"{len(assessments)} initiatives: {n_ok} accepted, "
                 f"{len(assessments) - n_ok - n_later} excluded"
                 + (f", {n_later} not yet (accepted after the review date)" if n_later else ""))
    later = [a for a in assessments if a.later]
    if later and later[0].as_of is not None:
        lines.append(f"{len(later)} initiative(s) with an event after the review date "
                     f"{later[0].as_of.isoformat()}, judged as they stood on that day:")
        lines.extend(f"  {a.initiative.id}: later: {', '.join(a.later)}" for a in later)
    for a in assessments:
        if not a.accepted:
            for c in a.failed:
                lines.append(f"  {a.initiative.id}: {c.check_id}: {c.detail} [{c.source.cite()}]")
        elif "tie-break" in a.attribution or a.initiative.leader is not None:
            lines.append(f"  {a.initiative.id}: credited to {', '.join(a.credited)}: {a.attribution}")
    return "\n".join(lines) + "\n"


def render_initiatives_json(assessments: Sequence[InitiativeAssessment]) -> str:
    """``{"initiatives": [...]}`` as JSON text."""
    return json.dumps({"initiatives": [a.to_dict() for a in assessments]}, ensure_ascii=False,
                      indent=2) + "\n"
