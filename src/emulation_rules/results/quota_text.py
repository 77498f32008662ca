"""Quotas as lines of the evaluate table, in Vietnamese (the default) or English: one line per
quota, one per group of a grouped or capped quota, and one per awardee a cap ranks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from emulation_rules.campaign.money import plain_number
from emulation_rules.messages import Lang, translate_message

if TYPE_CHECKING:
    from emulation_rules.results.quota_ranking import QuotaOutcome
    from emulation_rules.results.quota_result import QuotaResult

__all__ = ["bound_text", "bound_words", "render_quotas_table", "share_text"]

_W: dict[str, dict[str, str]] = {
    "en": {
        "head": "Quotas:", "met": "met", "not_met": "not_met", "unknown": "unknown",
        "plain": "{q}/{a} awardees qualify ({share}, required >= {req}%)", "undecided": "undecided",
        "short": "; short by {n} of the {need} needed", "add": " (or add {n} qualifying awardee(s))",
        "min_share": "at least {x}%", "max_share": "at most {x}% (rounded down)", "max_count": "at most {x}",
        "unit": ", per unit", "level": ", per level", "counted": "{n} counted", "maybe": "maybe in the denominator",
        "wait": "; nobody named until the missing facts are given", "unranked": "; no ranking declared: nobody named",
        "value": "value", "none": "none", "nobody": "nobody awarded", "n/a": "n/a",
        "all": "all", "no unit": "no unit", "no level": "no level",
        "within_quota": "within_quota", "over_quota": "over_quota", "tied_at_cap": "tied_at_cap",
    },
    "vi": {
        "head": "Tỷ lệ, hạn mức:", "met": "đạt", "not_met": "không đạt", "unknown": "chưa xác định",
        "plain": "{q}/{a} người được khen thuộc diện ({share}, yêu cầu ≥ {req}%)", "undecided": "chưa xét được",
        "short": "; thiếu {n} so với {need} cần có", "add": " (hoặc thêm {n} người được khen thuộc diện)",
        "min_share": "tối thiểu {x}%", "max_share": "tối đa {x}% (làm tròn xuống)", "max_count": "tối đa {x}",
        "unit": ", theo đơn vị", "level": ", theo cấp", "counted": "{n} được tính", "maybe": "có thể thuộc mẫu số",
        "wait": "; chưa nêu tên ai cho đến khi có đủ dữ kiện",
        "unranked": "; không khai báo cách xếp hạng: không nêu tên ai",
        "value": "giá trị", "none": "không có", "nobody": "không ai được khen", "n/a": "không xác định",
        "all": "toàn bộ", "no unit": "không ghi đơn vị", "no level": "không xác định cấp",
        "within_quota": "trong hạn mức", "over_quota": "vượt hạn mức", "tied_at_cap": "bằng nhau tại ngưỡng",
    },
}


def bound_words(r: QuotaResult, lang: Lang = "en") -> str:
    """The quota's bound in words, e.g. ``at most 15% (rounded down), per unit``."""
    w = _W[lang]
    x = plain_number(r.required) if r.kind == "max_count" else f"{r.required:g}"
    by = ", theo {p}" if lang == "vi" else ", per {p}"  # per the value of a fact, a unit above
    return w[r.kind].format(x=x) + (w.get(r.per, by.format(p=r.per)) if r.per != "campaign" else "")


def render_quotas_table(results: Sequence[QuotaResult], lang: Lang = "vi") -> str:
    """Plain-text lines, one per quota (and one per group of a grouped or capped quota, and one
    per placed awardee), for after the evaluate table."""
    w = _W[lang]
    lines = ["", w["head"]]
    for r in results:
        if r.extended:
            lines.extend(_extended_lines(r, lang))
            continue
        share = w["n/a"] if r.share is None else f"{share_text(r.share, r.required)}%"
        line = f"  {r.quota_id}: {w[r.status]} — " + w["plain"].format(
            q=r.qualifying, a=r.awardees, share=share, req=f"{r.required:g}")
        if r.undecided:
            line += f", {r.undecided} {w['undecided']}"
        if r.status == "not_met":
            line += w["short"].format(n=r.shortfall, need=r.required_count)
            line += w["add"].format(n=r.additional_needed) if r.additional_needed is not None else ""
        lines.append(line + f" [{r.source.cite()}]")
    return "\n".join(lines) + "\n"


def _extended_lines(r: QuotaResult, lang: Lang) -> list[str]:
    w = _W[lang]
    out = [f"  {r.quota_id}: {w[r.status]} — {bound_words(r, lang)} [{r.source.cite()}]"]
    placed: dict[str | None, list[QuotaOutcome]] = {}
    for o in r.outcomes:
        placed.setdefault(o.group, []).append(o)
    for g in r.groups:
        counts = (w["counted"].format(n=g.numerator) if g.denominator is None
                  else f"{g.numerator}/{g.denominator}"
                  + ("" if g.share is None else f" ({share_text(g.share, r.required)}%)"))
        extra = [f"{n} {what}" for n, what in ((g.undecided, w["undecided"]), (g.denominator_undecided, w["maybe"]))
                 if n]
        advice = g.advice.vi if lang == "vi" else g.advice.en
        label = g.group if g.group is not None else w.get(g.label, g.label)
        line = f"    {label}: {w[g.status]} — {counts}{', ' + ', '.join(extra) if extra else ''}; {advice}"
        if g.status == "not_met" and r.kind != "min_share" and g.group not in placed:
            line += w["wait"] if r.ranked else w["unranked"]
        out.append(line)
        for o in placed.get(g.group, ()):
            note = f"; {translate_message(o.note, lang) or o.note}" if o.note else ""
            out.append(f"      {o.rank}. {o.subject}: {w[o.status]} ({w['value']} {_value(o.value, w)}){note}")
    if not r.groups:
        out.append(f"    {w['nobody']}")
    return out


def _value(v: Any, w: dict[str, str]) -> str:
    return w["none"] if v is None else v.isoformat() if hasattr(v, "isoformat") else plain_number(v) if isinstance(
        v, float) else str(v)


def bound_text(r: QuotaResult) -> str:
    """The quota's bound in English words, e.g. ``at most 15% (rounded down), per unit``."""
    return bound_words(r, "en")


def share_text(share: float, required: float) -> str:
    """``share`` with two decimals, and more where two would print an unequal share as the
    required one (14.999% of a 15% quota prints 14.9990, never 15.00)."""
    for digits in (2, 4, 6):
        text = f"{share:.{digits}f}"
        if share == required or float(text) != required:
            return text
    return repr(share)
