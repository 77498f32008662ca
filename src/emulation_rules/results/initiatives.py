"""How an initiative register's verdicts are shown (``emulation-rules initiatives``): a table
for people and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from emulation_rules.facts.initiatives import InitiativeAssessment
from emulation_rules.messages import Lang, translate_message

__all__ = ["render_initiatives_json", "render_initiatives_table"]


def _iso(d: object) -> str | None:
    return d.isoformat() if d else None  # type: ignore[attr-defined]


_W: dict[str, dict[str, Any]] = {
    "en": {"head": ("initiative", "kind", "unit", "applied", "submitted", "status", "credited"),
           "accepted": "accepted", "excluded": "excluded", "not_yet": "not_yet",
           "count": "{n} initiatives: {ok} accepted, {ex} excluded",
           "later": ", {n} not yet (accepted after the review date)",
           "events": "{n} initiative(s) with an event after the review date {d}, judged as they stood on that day:",
           "after": "later", "credited": "credited to"},
    "vi": {"head": ("sáng kiến", "loại", "đơn vị", "áp dụng", "nộp", "kết quả", "tính cho"),
           "accepted": "được công nhận", "excluded": "bị loại", "not_yet": "chưa đến hạn",
           "count": "{n} sáng kiến: {ok} được công nhận, {ex} bị loại",
           "later": ", {n} chưa đến hạn (được công nhận sau ngày xét)",
           "events": "{n} sáng kiến có sự kiện sau ngày xét {d}, được xét như tại ngày đó:",
           "after": "sau ngày xét", "credited": "tính cho"},
}


def render_initiatives_table(assessments: Sequence[InitiativeAssessment], lang: Lang = "vi") -> str:
    """Plain text: one row per initiative (status, credited person, dates), then the reasons
    for each exclusion with the plan clause; Vietnamese (default) or English words."""
    w = _W[lang]
    rows: list[tuple[str, ...]] = [tuple(w["head"])]
    for a in assessments:
        i = a.initiative
        rows.append((i.id, i.kind, i.unit or "", _iso(i.applied_on) or "", _iso(i.submitted_on) or "",
                     w[a.status], ", ".join(a.credited)))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(width) for c, width in zip(r, widths, strict=True)).rstrip() for r in rows]
    n_ok = sum(a.accepted for a in assessments)
    n_later = sum(a.not_yet for a in assessments)
    lines.append(w["count"].format(n=len(assessments), ok=n_ok, ex=len(assessments) - n_ok - n_later)
                 + (w["later"].format(n=n_later) if n_later else ""))
    later = [a for a in assessments if a.later]
    if later and later[0].as_of is not None:
        lines.append(w["events"].format(n=len(later), d=later[0].as_of.isoformat()))
        lines.extend(f"  {a.initiative.id}: {w['after']}: {', '.join(a.later)}" for a in later)
    for a in assessments:
        if not a.accepted:
            for c in a.failed:
                detail = translate_message(c.detail, lang) or c.detail
                lines.append(f"  {a.initiative.id}: {c.check_id}: {detail} [{c.source.cite()}]")
        elif "tie-break" in a.attribution or a.initiative.leader is not None:
            why = translate_message(a.attribution, lang) or a.attribution
            lines.append(f"  {a.initiative.id}: {w['credited']} {', '.join(a.credited)}: {why}")
    return "\n".join(lines) + "\n"


def render_initiatives_json(assessments: Sequence[InitiativeAssessment]) -> str:
    """``{"initiatives": [...]}`` as JSON text."""
    return json.dumps({"initiatives": [a.to_dict() for a in assessments]}, ensure_ascii=False,
                      indent=2) + "\n"
