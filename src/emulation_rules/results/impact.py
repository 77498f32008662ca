"""The impact of a rule change before it is made: who gains, who loses, which targets and quotas
change, and which rules differ (``emulation-rules diff``).

Microsimulation tools answer "winners and losers of a reform against a baseline" for tax rules;
this module does it for emulation rules. The same facts are evaluated under two campaigns (two
files, or one file with two sets of parameter values); :func:`impact` compares the two
evaluations subject by subject and award by award:

- a **gain** is a subject the new rules award and the old did not; a **loss** the reverse; any
  other change of verdict (e.g. ``not_awarded`` -> ``incomplete``) is listed as a change. Each
  names the criteria whose status changed (old -> new);
- counts of gains and losses per award, per unit and per level;
- targets and quotas whose status changes, with both values; the subjects whose place under a
  ranked cap changes (``within_quota`` <-> ``over_quota``);
- the rules that differ (:func:`rule_changes`): awards and criteria added or removed, conditions
  changed (in words, both sides), citations changed, parameter defaults, quota bounds and target
  figures moved.

``impact(a, b)`` is the mirror of ``impact(b, a)`` (gains and losses swap), and a campaign compared
with itself changes nothing: property tests check both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.result import Evaluation
from emulation_rules.evaluate.semantics import describe
from emulation_rules.results.quotas import QuotaResult
from emulation_rules.results.targets import TargetResult

__all__ = ["Change", "ImpactReport", "RuleChange", "impact", "render_impact_json", "render_impact_table",
           "rule_changes", "rule_kind", "status_word"]


@dataclass(frozen=True)
class Change:
    """One subject's verdict for one award under the old and the new rules.

    Attributes:
        subject_id, award_id: which.
        unit, level: the subject's unit and level or role (for the counts per unit and level).
        old, new: the verdicts.
        kind: ``gain`` (now awarded), ``loss`` (no longer awarded) or ``change`` (another change).
        criteria: ``(criterion id, old status, new status)`` for each criterion whose status changed.
    """

    subject_id: str
    award_id: str
    unit: str | None
    level: str | None
    old: str
    new: str
    kind: str
    criteria: tuple[tuple[str, str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"subject": self.subject_id, "award": self.award_id, "unit": self.unit, "level": self.level,
                "old": self.old, "new": self.new, "kind": self.kind,
                "criteria": [{"criterion": c, "old": o, "new": n} for c, o, n in self.criteria]}


@dataclass(frozen=True)
class RuleChange:
    """One difference between the two campaigns' rules.

    Attributes:
        path: where, e.g. ``awards.advanced_laborer.criteria.completed_well``.
        kind: ``added``, ``removed``, ``condition``, ``citation``, ``parameter``, ``quota`` or ``target``.
        old, new: the old and new rule in words (None for added/removed).
    """

    path: str
    kind: str
    old: str | None = None
    new: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ImpactReport:
    """The comparison of two evaluations of the same facts.

    Attributes:
        changes: every (subject, award) whose verdict differs, in subject then award order.
        per_award, per_unit, per_level: ``{key: {"gain": n, "loss": n, "change": n}}``.
        targets: ``(target id, phase, old status, new status, old value, new value)`` for each
            target whose status or value changed.
        quotas: ``(quota id, group, old status, new status)`` for each quota group whose status changed.
        placements: ``(quota id, subject, old place, new place)`` for each subject whose place under
            a ranked cap changed (places: ``within_quota``, ``over_quota``, ``tied_at_cap``, ``-``).
        rules: the rule differences (:func:`rule_changes`).
    """

    changes: tuple[Change, ...]
    per_award: Mapping[str, Mapping[str, int]]
    per_unit: Mapping[str, Mapping[str, int]]
    per_level: Mapping[str, Mapping[str, int]]
    targets: tuple[tuple[str, str, str, str, float | None, float | None], ...] = ()
    quotas: tuple[tuple[str, str | None, str, str], ...] = ()
    placements: tuple[tuple[str, str, str, str], ...] = ()
    rules: tuple[RuleChange, ...] = field(default=())

    def gains(self, award_id: str | None = None) -> list[str]:
        """Subjects that gain (``award_id``: only that award), in order."""
        return [c.subject_id for c in self.changes if c.kind == "gain" and award_id in (None, c.award_id)]

    def losses(self, award_id: str | None = None) -> list[str]:
        """Subjects that lose (``award_id``: only that award), in order."""
        return [c.subject_id for c in self.changes if c.kind == "loss" and award_id in (None, c.award_id)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (``diff --format json``); keys never depend on the data."""
        return {
            "format_version": 1,
            "changes": [c.to_dict() for c in self.changes],
            "per_award": {k: dict(v) for k, v in self.per_award.items()},
            "per_unit": {k: dict(v) for k, v in self.per_unit.items()},
            "per_level": {k: dict(v) for k, v in self.per_level.items()},
            "targets": [{"target": t, "phase": p, "old": o, "new": n, "old_value": ov, "new_value": nv}
                        for t, p, o, n, ov, nv in self.targets],
            "quotas": [{"quota": q, "group": g, "old": o, "new": n} for q, g, o, n in self.quotas],
            "placements": [{"quota": q, "subject": s, "old": o, "new": n} for q, s, o, n in self.placements],
            "rules": [r.to_dict() for r in self.rules],
        }


def _kind(old: str, new: str) -> str:
    if new == "awarded" and old != "awarded":
        return "gain"
    if old == "awarded" and new != "awarded":
        return "loss"
    return "change"


def impact(
    old: Evaluation,
    new: Evaluation,
    *,
    old_targets: Sequence[TargetResult] = (),
    new_targets: Sequence[TargetResult] = (),
    rules: Sequence[RuleChange] = (),
) -> ImpactReport:
    """Compare two evaluations of the same subjects (old rules first).

    Args:
        old, new: the evaluations (any backend; quotas judged, as :meth:`Engine.evaluate` gives).
        old_targets, new_targets: the targets judged under each, if any.
        rules: the rule differences to carry in the report (:func:`rule_changes`).

    Returns:
        The :class:`ImpactReport`.
    """
    new_by = {s.subject_id: s for s in new.subjects}
    changes: list[Change] = []
    for s in old.subjects:
        n = new_by.get(s.subject_id)
        if n is None:
            continue
        new_awards = {a.award_id: a for a in n.awards}
        for a in s.awards:
            b = new_awards.get(a.award_id)
            if b is None or a.verdict == b.verdict:
                continue
            statuses = {c.criterion_id: c.status for c in b.criteria}
            moved: tuple[tuple[str, str, str], ...] = tuple(
                (c.criterion_id, str(c.status), str(statuses.get(c.criterion_id, "-")))
                for c in a.criteria if statuses.get(c.criterion_id, "-") != c.status)
            moved += tuple((cid, "-", str(st)) for cid, st in statuses.items()
                           if cid not in {c.criterion_id for c in a.criteria})
            changes.append(Change(s.subject_id, a.award_id, s.unit, s.level or s.role, a.verdict, b.verdict,
                                  _kind(a.verdict, b.verdict), moved))
    return ImpactReport(
        tuple(changes),
        _tally(changes, lambda c: c.award_id),
        _tally(changes, lambda c: c.unit or ""),
        _tally(changes, lambda c: c.level or ""),
        _targets(old_targets, new_targets),
        _quotas(old.quotas, new.quotas),
        _placements(old.quotas, new.quotas),
        tuple(rules),
    )


def _tally(changes: Iterable[Change], key: Any) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for c in changes:
        counts = out.setdefault(key(c), {"gain": 0, "loss": 0, "change": 0})
        counts[c.kind] += 1
    return out


def _targets(old: Sequence[TargetResult], new: Sequence[TargetResult]
             ) -> tuple[tuple[str, str, str, str, float | None, float | None], ...]:
    after = {(t.target_id, t.phase): t for t in new}
    out = []
    for t in old:
        n = after.get((t.target_id, t.phase))
        if n is not None and (t.status != n.status or t.value != n.value):
            out.append((t.target_id, t.phase, t.status, n.status, t.value, n.value))
    return tuple(out)


def _groups(quotas: Sequence[Any]) -> dict[tuple[str, str | None], str]:
    out: dict[tuple[str, str | None], str] = {}
    for q in quotas:
        if not isinstance(q, QuotaResult):
            continue
        out[(q.quota_id, None)] = q.status
        for g in q.groups:
            if g.group is not None:
                out[(q.quota_id, g.group)] = g.status
    return out


def _quotas(old: Sequence[Any], new: Sequence[Any]) -> tuple[tuple[str, str | None, str, str], ...]:
    before, after = _groups(old), _groups(new)
    return tuple((q, g, s, after[(q, g)]) for (q, g), s in before.items() if (q, g) in after and after[(q, g)] != s)


def _places(quotas: Sequence[Any]) -> dict[tuple[str, str], str]:
    """``{(quota, subject): place}``: a ranked cap's outcome, else ``within_quota`` for a counted
    awardee of a group within its cap."""
    out: dict[tuple[str, str], str] = {}
    for q in quotas:
        if not isinstance(q, QuotaResult) or not q.ranked:
            continue
        for g in q.groups:
            if g.status == "met":
                for sid in g.counted_ids:
                    out[(q.quota_id, sid)] = "within_quota"
        for o in q.outcomes:
            out[(q.quota_id, o.subject)] = o.status
    return out


def _placements(old: Sequence[Any], new: Sequence[Any]) -> tuple[tuple[str, str, str, str], ...]:
    before, after = _places(old), _places(new)
    keys = sorted(set(before) | set(after))
    return tuple((q, s, before.get((q, s), "-"), after.get((q, s), "-")) for q, s in keys
                 if before.get((q, s), "-") != after.get((q, s), "-"))


# --- the rules that differ --------------------------------------------------------------------


def rule_changes(old: m.Campaign, new: m.Campaign, *, old_params: Mapping[str, float] | None = None,
                 new_params: Mapping[str, float] | None = None) -> tuple[RuleChange, ...]:
    """The differences between two campaigns' rules (a structural diff), in words.

    Parameters compare the values in force: the campaign's defaults overridden by ``*_params``.
    """
    po = {**old.parameter_defaults(), **(old_params or {})}
    pn = {**new.parameter_defaults(), **(new_params or {})}
    out: list[RuleChange] = []
    for key in sorted(set(po) | set(pn)):
        if po.get(key) != pn.get(key):
            out.append(RuleChange(f"parameters.{key}", "parameter", _num(po.get(key)), _num(pn.get(key))))
    out += _by_id("awards", old.awards, new.awards)
    new_awards = {a.id: a for a in new.awards}
    for a in old.awards:
        b = new_awards.get(a.id)
        if b is None:
            continue
        base = f"awards.{a.id}.criteria"
        out += _by_id(base, a.criteria, b.criteria)
        after = {c.id: c for c in b.criteria}
        for c in a.criteria:
            d = after.get(c.id)
            if d is None:
                continue
            was, now = describe(c.condition, po), describe(d.condition, pn)
            if was != now:
                out.append(RuleChange(f"{base}.{c.id}", "condition", was, now))
            if c.source.cite() != d.source.cite():
                out.append(RuleChange(f"{base}.{c.id}.source", "citation", c.source.cite(), d.source.cite()))
    out += _by_id("quotas", old.quotas, new.quotas)
    nq = {q.id: q for q in new.quotas}
    for q in old.quotas:
        r = nq.get(q.id)
        if r is not None and _bound(q, po) != _bound(r, pn):
            out.append(RuleChange(f"quotas.{q.id}", "quota", _bound(q, po), _bound(r, pn)))
    out += _by_id("targets", old.targets, new.targets)
    nt = {t.id: t for t in new.targets}
    for t in old.targets:
        u = nt.get(t.id)
        if u is not None:
            figures_old = {v.phase: (str(t.op), v.value) for v in t.values}
            figures_new = {v.phase: (str(u.op), v.value) for v in u.values}
            if figures_old != figures_new:
                out.append(RuleChange(f"targets.{t.id}", "target", _figures(figures_old), _figures(figures_new)))
    return tuple(out)


def _by_id(path: str, old: Sequence[Any], new: Sequence[Any]) -> list[RuleChange]:
    a, b = [x.id for x in old], [x.id for x in new]
    return ([RuleChange(f"{path}.{i}", "removed") for i in a if i not in b]
            + [RuleChange(f"{path}.{i}", "added") for i in b if i not in a])


def _bound(q: m.Quota, params: Mapping[str, float]) -> str:
    parts = []
    for name in ("min_share", "max_share", "max_count"):
        value = getattr(q, name, None)
        if value is None:
            continue
        param = getattr(value, "param", None)
        shown = params.get(param) if param is not None else value
        parts.append(f"{name} {_num(shown)}{f' ({param})' if param else ''}")
    return ", ".join(parts)


def _figures(figures: Mapping[str, tuple[str, Any]]) -> str:
    return "; ".join(f"{phase}: {op} {_num(v)}" for phase, (op, v) in sorted(figures.items()))


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- text and JSON ----------------------------------------------------------------------------


def render_impact_json(report: ImpactReport) -> str:
    """The report as JSON text."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


_WORDS = {
    "vi": {"head": "Tác động của thay đổi quy định", "award": "Danh hiệu", "gain": "được thêm", "loss": "mất",
           "change": "thay đổi khác", "gains": "Được thêm", "losses": "Mất", "targets": "Chỉ tiêu đổi kết quả",
           "quotas": "Cơ cấu, hạn mức đổi kết quả", "placements": "Vị trí trong hạn mức thay đổi",
           "rules": "Quy định khác nhau", "none": "không có thay đổi nào", "unit": "Theo đơn vị",
           "criteria": "tiêu chuẩn đổi"},
    "en": {"head": "Impact of the rule change", "award": "Award", "gain": "gain", "loss": "loss",
           "change": "other change", "gains": "Gains", "losses": "Losses", "targets": "Targets whose status changes",
           "quotas": "Quotas whose status changes", "placements": "Places under a cap that change",
           "rules": "Rules that differ", "none": "nothing changes", "unit": "Per unit",
           "criteria": "criteria changed"},
}


_STATUS = {
    "vi": {"awarded": "đạt", "not_awarded": "không đạt", "incomplete": "thiếu dữ liệu",
           "not_eligible": "không thuộc diện", "pass": "đạt", "fail": "không đạt", "unknown": "chưa xác định",
           "met": "đạt", "not_met": "không đạt", "pending": "chưa đến hạn", "-": "-"},
    "en": {"awarded": "awarded", "not_awarded": "not awarded", "incomplete": "incomplete",
           "not_eligible": "not eligible", "pass": "pass", "fail": "fail", "unknown": "unknown",
           "met": "met", "not_met": "not met", "pending": "pending", "-": "-"},
}


_RULE_KINDS_VI = {"added": "thêm", "removed": "bỏ", "condition": "điều kiện", "citation": "trích dẫn",
                  "parameter": "tham số", "quota": "tỷ lệ, hạn mức", "target": "chỉ tiêu"}


def rule_kind(kind: str, lang: str) -> str:
    """What a rule change is (``quota``, ``condition``...), in ``lang`` (the English is the code)."""
    return kind if lang == "en" else _RULE_KINDS_VI.get(kind, kind)


def status_word(status: str, lang: str) -> str:
    """A verdict, criterion, target, quota or place status in words (``vi`` or ``en``)."""
    from emulation_rules.results.quota_ranking import OUTCOME_LABELS

    en = lang == "en"
    if status in OUTCOME_LABELS:
        label = OUTCOME_LABELS[status]
        return (label.en if en else label.vi).lower()
    return _STATUS["en" if en else "vi"].get(status, status)


def render_impact_table(report: ImpactReport, campaign: m.Campaign, *, lang: str = "vi") -> str:
    """The report as text for people, Vietnamese by default (``lang="en"`` for English)."""
    w = _WORDS["en" if lang == "en" else "vi"]

    def sw(status: str) -> str:
        return status_word(status, lang)

    labels = {a.id: (a.label.en if lang == "en" else a.label.vi) for a in campaign.awards}
    crit = w["criteria"]
    lines = [w["head"], ""]
    if not (report.changes or report.targets or report.quotas or report.placements or report.rules):
        return "\n".join([*lines, w["none"]]) + "\n"
    for award, counts in report.per_award.items():
        lines.append(f"{labels.get(award, award)}: {w['gain']} {counts['gain']}, {w['loss']} {counts['loss']}, "
                     f"{w['change']} {counts['change']}")
        for kind in ("gain", "loss", "change"):
            for c in (c for c in report.changes if c.award_id == award and c.kind == kind):
                moved = ", ".join(f"{cid}: {sw(o)} → {sw(n)}" for cid, o, n in c.criteria)
                lines.append(f"  {w[kind]}: {c.subject_id}{f' ({c.unit})' if c.unit else ''} {sw(c.old)} → {sw(c.new)}"
                             f"{f'; {crit}: {moved}' if moved else ''}")
    if report.per_unit and any(report.per_unit):
        lines += ["", w["unit"] + ":"]
        for unit, counts in sorted(report.per_unit.items()):
            if unit:
                lines.append(f"  {unit}: {w['gain']} {counts['gain']}, {w['loss']} {counts['loss']}")
    for title, rows in (("targets", [f"{t} ({p}): {sw(o)} → {sw(n)} ({_num(ov)} → {_num(nv)})"
                                     for t, p, o, n, ov, nv in report.targets]),
                        ("quotas", [f"{q}{f' [{g}]' if g else ''}: {sw(o)} → {sw(n)}" for q, g, o, n in report.quotas]),
                        ("placements", [f"{q}: {s} {sw(o)} → {sw(n)}" for q, s, o, n in report.placements]),
                        ("rules", [f"{r.path} ({rule_kind(r.kind, lang)})"
                                   f"{f': {r.old} → {r.new}' if r.old or r.new else ''}"
                                   for r in report.rules])):
        if rows:
            lines += ["", w[title] + ":", *(f"  {r}" for r in rows)]
    return "\n".join(lines) + "\n"
