"""How evaluations are shown: stable JSON for machines, CSV for spreadsheets, tables and
explanations for people (Vietnamese first, English beside it).

Every function takes an :class:`~emulation_rules.evaluate.result.Evaluation` (whatever backend
produced it) and returns text.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.money import plain_number
from emulation_rules.evaluate.result import (
    CSV_COLUMNS,
    FORMULA_TRIGGERS,
    Evaluation,
    defects_at,
    text_cell,
)
from emulation_rules.results._tables import present
from emulation_rules.results.documents import RestsOn, documents_lines
from emulation_rules.results.presentation import Formatter
from emulation_rules.results.quota_text import render_quotas_table
from emulation_rules.results.summary import VERDICTS
from emulation_rules.results.words import STATUS, Lang
from emulation_rules.results.words import VERDICTS as VERDICT_WORDS

__all__ = ["FORMULA_TRIGGERS", "localised", "render_csv", "render_explanation", "render_json", "render_table",
           "text_cell"]


def render_json(evaluation: Evaluation, *, lang: str = "en") -> str:
    """Pretty, stable JSON (UTF-8 text, Vietnamese kept as is); with ``lang="vi"`` the reasons and
    notes read in Vietnamese (codes and ids as they are)."""
    return json.dumps(localised(evaluation.to_dict(), lang), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def localised(doc: dict[str, Any], lang: str) -> dict[str, Any]:
    """An evaluation document (or one subject of it) with its messages in ``lang``, changed in place:
    the awards' reasons, the quota outcomes' notes, the refused subjects' problems (codes and ids
    as they are; :mod:`emulation_rules.messages`)."""
    if lang == "en":
        return doc
    from emulation_rules.messages import translate_message

    def vi(text: Any) -> Any:
        return translate_message(text) or text if isinstance(text, str) else text

    for s in doc.get("subjects", [doc]):
        for a in s.get("awards", ()):
            if a.get("reason"):
                a["reason"] = vi(a["reason"])
    for q in doc.get("quotas", ()):
        for o in q.get("outcomes") or ():
            if o.get("note"):
                o["note"] = vi(o["note"])
    for p in doc.get("rejected", ()):
        for key in ("message", "hint"):
            if p.get(key):
                p[key] = vi(p[key])
    return doc




def render_csv(evaluation: Evaluation, campaign: m.Campaign | None = None) -> str:
    """One row per subject and award (``CSV_COLUMNS``, codes and ids, not words: the
    presentation's detail rows read by their keys); lists joined with ``;``. Text that a
    spreadsheet would read as a formula is neutralised (:func:`text_cell`)."""
    import csv  # the CSV output only

    from emulation_rules.results._tables import Builder

    details = Builder(Formatter("vi", campaign), ids=True).details(evaluation)  # the one table it needs
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in details.rows:
        key = {c.key: cell.key or "" for c, cell in zip(details.columns, r.cells, strict=True)}
        w.writerow([text_cell(key["id"]), key["kind"], text_cell(key["level"]), text_cell(key["name"]),
                    key["award"], key["result"], key["points"], key["band"], key["failed"], key["missing"]])
    return buf.getvalue()


_MARK = {"pass": "✓", "fail": "✗", "unknown": "?"}
_VERDICT_VI = {code: vi.lower() for code, (vi, _) in VERDICT_WORDS.items()}
_TABLE_COLUMNS = ("id", "name", "level", "award", "result", "why")


def render_table(evaluation: Evaluation, *, lang: str = "vi", ids: bool = False,
                 campaign: m.Campaign | None = None) -> str:
    """A plain-text table for the people who use it: one row per subject and award (the
    presentation's detail rows, :mod:`.presentation`), then the number of subjects and, for each
    award, how many subjects got each verdict.

    Args:
        evaluation: any backend's evaluation.
        lang: ``"vi"`` (default: Vietnamese labels of awards, verdicts and failing criteria)
            or ``"en"`` (the English labels).
        ids: show the ids of awards, verdicts and criteria instead of labels (for scripts and
            for matching ``explain``'s ``[id]`` marks).
        campaign: the campaign, for the labels of levels, roles, phases and facts and the awards
            a quota's outcome concerns (ids without it).
    """
    language: Lang = "en" if lang == "en" else "vi"
    p = present(campaign, evaluation=evaluation, lang=language, ids=ids, tables=())  # the details and counts
    f = Formatter(language, campaign)
    head = f"{f.w('campaign')} {evaluation.campaign_id}"
    if evaluation.as_of:
        head += f" — {f.w('as_of').lower()} {evaluation.as_of.isoformat()}"
    if evaluation.phase:
        head += f" ({f.w('phase').lower()} {p.phase.text})"
    details = p.details
    assert details is not None  # an evaluation always has its detail table
    at = [details.column(k) for k in _TABLE_COLUMNS]
    outcome = details.column("quota_outcome")
    rows: list[tuple[str, ...]] = [tuple(details.columns[i].title for i in at)]
    for r in details.rows:
        cells = [r.cells[i].text for i in at]
        if r.cells[outcome].text:
            cells[4] += f" ({r.cells[outcome].text})"
        rows.append(tuple(cells))
    out = [head, "", *_grid(rows), ""]
    out.extend(p.notes)
    out.append(f"{len(evaluation.subjects)} {f.w('subjects_word')}; {f.w('per_award')}:")
    if p.counts is not None:
        for r in p.counts.rows:
            n = r.cells[-1].value
            parts = ", ".join(f"{v if ids else _lower_first(f.verdict(v))} {c.text}"
                              for v, c in zip(VERDICTS, r.cells[1:-1], strict=True) if c.value)
            out.append(f"  {r.cells[0].text}: {n} {f.w('subjects_word')} — {parts}")
    for note in evaluation.later.notes():
        out.append(f"note: {note}")
    if evaluation.rejected:
        out.append(f"{len(evaluation.rejected)} {f.w('problems')}:")
        out.extend(f"  {p}" for p in evaluation.rejected)
    if evaluation.quotas:
        out.append(render_quotas_table(evaluation.quotas, language).rstrip("\n"))
    out.extend(documents_lines(_dated(evaluation), lang))
    return "\n".join(out) + "\n"


def _dated(evaluation: Evaluation) -> list[RestsOn]:
    """The awards and quotas resting on a document whose force the campaign dates (others print
    nothing: a campaign without ``in_force`` reads as it always did)."""
    return [r for r in evaluation.documents if any(d.status != "undated" for d in r.documents)]


def _grid(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    widths[-1] = 0
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * max(w, len(c)) for c, w in zip(r, widths, strict=True)))
    return lines


_EXPLAIN: dict[str, dict[str, str]] = {
    "vi": {"as_of": "Ngày xét", "phase": "giai đoạn", "later": "Bỏ qua: {n} hồ sơ ghi ngày sau ngày xét",
           "note": "Ghi chú", "none": "Không danh hiệu nào của phong trào áp dụng cho đối tượng này.",
           "verdict": "Kết quả", "missing_facts": "Thiếu dữ liệu", "points": "Điểm", "band": "mức",
           "rule": "điều kiện", "values": "giá trị", "missing": "thiếu", "judgement": "(đánh giá của người xét)",
           "source": "nguồn", "defect": "khiếm khuyết văn bản", "rests_on": "Căn cứ"},
    "en": {"as_of": "As of", "phase": "phase", "later": "Left out: {n} record(s) dated after the review date",
           "note": "Note", "none": "No award of this campaign applies to this subject.",
           "verdict": "Verdict", "missing_facts": "Missing facts", "points": "Points", "band": "band",
           "rule": "rule", "values": "values", "missing": "missing", "judgement": "(reviewer's judgement)",
           "source": "source", "defect": "plan defect", "rests_on": "Rests on"},
}


def render_explanation(evaluation: Evaluation, subject_id: str, *, lang: str = "vi",
                       campaign: m.Campaign | None = None) -> str:
    """Criterion-by-criterion reasoning for one subject, in Vietnamese (``lang="vi"``, the
    default) or English; the plan's own words are quoted as they are.

    Args:
        campaign: the evaluated campaign, for the labels of the subject's level or role and of
            the phase in the heading ("tập thể, Công đoàn cơ sở"; without it their ids).

    Raises:
        KeyError: no such subject.
    """
    from emulation_rules.messages import translate_message

    en = lang == "en"
    w = _EXPLAIN["en" if en else "vi"]
    s = evaluation.subject(subject_id)
    who = s.name or s.subject_id
    if campaign is None:
        lines = [f"{who} ({s.subject_id}; {s.kind}, {s.level or s.role})"]
        phase = evaluation.phase
    else:
        f = Formatter("en" if en else "vi", campaign)
        lines = [f"{who} ({s.subject_id}; {_lower_first(f.kind(s.kind))}, {f.level(s.level, s.role)})"]
        phase = f.phase(evaluation.phase) if evaluation.phase else None
    if evaluation.as_of:
        lines.append(f"{w['as_of']}: {evaluation.as_of.isoformat()}"
                     + (f"; {w['phase']}: {phase}" if phase else ""))
    later = evaluation.later.records.get(subject_id, 0)
    if later:
        lines.append(w["later"].format(n=later))
    lines.extend(f"{w['note']}: {n if en else translate_message(n) or n}"
                 for n in evaluation.later.notes() if "initiative" in n)
    if not s.awards:
        lines.append(w["none"])
    for a in s.awards:
        lines.append("")
        lines.append(f"■ {a.label.en if en else a.label.vi} [{a.award_id}]")
        lines.append(f"  {w['verdict']}: {_lower_first(VERDICT_WORDS[a.verdict][1 if en else 0])}")
        if a.reason:
            lines.append(f"  {a.reason if en else translate_message(a.reason) or a.reason}")
        if a.missing_facts:
            lines.append(f"  {w['missing_facts']}: {', '.join(a.missing_facts)}")
        if a.points is not None:
            band = f", {w['band']} {a.band}" if a.band else ""
            lines.append(f"  {w['points']}: {a.points:g}/{a.max_points:g}{band}")
        for r in _dated(evaluation):
            if r.kind == "award" and r.id == a.award_id:
                lines.append(f"  {w['rests_on']}: {r.shown('en' if en else 'vi')}")
        for c in a.criteria:
            status = _lower_first(STATUS[c.status][1 if en else 0])
            lines.append(f"  {_MARK[c.status]} {c.label.en if en else c.label.vi} [{c.criterion_id}]: {status}")
            if c.text_vi:  # the unit gate (evaluate/units.py) has no wording of its own
                lines.append(f"      “{c.text_vi}”")
            lines.append(f"      {w['rule']}: {c.threshold}")
            if c.values:
                used = ", ".join(f"{k if en else _value_key_vi(k)} = "
                                 f"{_show(v) if en else translate_message(_show(v)) or _show(v)}"
                                 for k, v in c.values.items())
                lines.append(f"      {w['values']}: {used}")
            if c.missing:
                lines.append(f"      {w['missing']}: {', '.join(c.missing)}")
            if c.reviewer_judgement:
                lines.append(f"      {w['judgement']}")
            lines.append(f"      {w['source']}: {c.source.cite()}")
            for d in defects_at(evaluation.defects, c.source):
                lines.append(f"      {w['defect']} {d.id} ({m.cite_many(d.sources)}): {d.text} → {d.resolution}")
    return "\n".join(lines) + "\n"


def _value_key_vi(key: str) -> str:
    """A key of a criterion's values in Vietnamese: ``counted``, ``F (records)`` (others are ids)."""
    if key == "counted":
        return "số được tính"
    return key.removesuffix(" (records)") + " (số bản ghi)" if key.endswith(" (records)") else key


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return plain_number(value)
    return str(value)


def _lower_first(text: str) -> str:
    """A label in the middle of a sentence: "Không đạt" -> "không đạt"."""
    return text[:1].lower() + text[1:]
