"""What a unit's targets (chỉ tiêu) lack: how many more subjects must meet a target's condition,
the subjects nearest to it and the fewest fact changes that would bring them there, checked by
judging the target again.

A count or share target ("90% Công đoàn cơ sở xây dựng kế hoạch, phát động thi đua", seed 001
L12) over a unit's subjects (with a tree of units, every subject of the unit's subtree, as the
roll-up judges it) is short by a number of subjects. Each subject of the target's population for
whom the condition does not hold is solved for the least change that makes it hold (the same
solver as :func:`emulation_rules.advice.advise`: ratings up the ladder, numbers by the least
step, yes/no flipped, missing facts provided, ``changeable: false`` facts left alone); the
subjects needing the fewest changes come first, and as many as the target lacks are proposed.
The proposal is checked: the target judged again with those changes applied is met. A sum, an
average or a single figure says by how much it falls short; an unknown status names the
missing facts that decide it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from emulation_rules.advice import FactChange, _apply, _minimal, _Solver, change_text
from emulation_rules.campaign import model as m
from emulation_rules.campaign.money import plain_number
from emulation_rules.evaluate.semantics import judge
from emulation_rules.facts.reader import Subject, Submission
from emulation_rules.facts.units import UnitTree
from emulation_rules.results.targets import TargetResult, evaluate_targets

__all__ = ["TargetAdvice", "advise_targets", "render_target_advice", "unit_subjects"]


@dataclass(frozen=True)
class TargetAdvice:
    """One target of a unit: its status and the least change that would meet it.

    Attributes:
        target: the target judged over the unit's subjects (:class:`TargetResult`).
        needed: for a count or share, how many more subjects must meet the condition (0 when
            met; None when it cannot be said: unknown status, or another kind of metric).
        nearest: ``(subject id, changes)`` for the ``needed`` subjects that need the fewest
            changes, fewest first.
        checked: the target judged again with ``nearest`` applied is met.
        change: the shortfall in words (Vietnamese and English), None when met.
    """

    target: TargetResult
    needed: int | None
    nearest: tuple[tuple[str, tuple[FactChange, ...]], ...]
    checked: bool
    change: m.Text | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: the target's own keys, then the advice."""
        return {**self.target.to_dict(), "needed": self.needed, "checked": self.checked,
                "nearest": [{"subject": s, "changes": [c.to_dict() for c in changes]} for s, changes in self.nearest],
                "change": None if self.change is None else {"vi": self.change.vi, "en": self.change.en}}


def unit_subjects(submission: Submission, unit_id: str, tree: UnitTree | None = None) -> tuple[Subject, ...]:
    """The subjects a unit's targets run over: with a tree, every subject of the unit's subtree
    (a collective that is a unit of the tree, and anyone whose ``unit`` is one); without, the unit
    itself and the subjects whose ``unit`` is ``unit_id``."""
    if tree is None:
        return tuple(s for s in submission.subjects if s.id == unit_id or s.unit == unit_id)
    inside = {u.id for u in tree.subtree(tree.unit(unit_id).id)}
    return tuple(s for s in submission.subjects
                 if (s.kind == "collective" and s.id in inside) or (s.unit is not None and s.unit in inside))


def advise_targets(campaign: m.Campaign, submission: Submission, *, unit: str | None = None,
                   tree: UnitTree | None = None, as_of: dt.date | None = None, phase: str | None = None,
                   params: Mapping[str, float] | None = None) -> tuple[TargetAdvice, ...]:
    """What each target lacks over a unit's subjects (every subject when ``unit`` is None).

    Args:
        campaign: the campaign.
        submission: the review's subjects (:func:`~emulation_rules.facts.load.load_facts`).
        unit: the unit whose targets are advised; with ``tree``, over its subtree.
        as_of, phase, params: as for :func:`~emulation_rules.results.targets.evaluate_targets`.

    Returns:
        One :class:`TargetAdvice` per target judged, in campaign order.

    Raises:
        KeyError: ``unit`` is not in ``tree``; the review date lies in no phase.
    """
    subjects = unit_subjects(submission, unit, tree) if unit is not None else submission.subjects
    part = dataclasses.replace(submission, subjects=subjects, missing_units=())
    values = {**campaign.parameter_defaults(), **dict(params or {})}
    report = evaluate_targets(campaign, part, phase=phase, as_of=as_of, params=values)
    targets = {t.id: t for t in campaign.targets}
    h = campaign.hierarchy
    level = tree.unit(unit).level if tree is not None and unit is not None else None
    out = []
    for r in report.results:
        if level is not None and h is not None and (
                (h.levels and level not in h.levels) or not h.judged("target", r.target_id, level)):
            continue  # as the roll-up: the campaign judges this target at other levels
        out.append(_advise(campaign, part, targets[r.target_id], r, values, as_of or part.as_of, phase))
    return tuple(out)


def _advise(campaign: m.Campaign, part: Submission, t: m.Target, r: TargetResult, params: Mapping[str, float],
            as_of: dt.date | None, phase: str | None) -> TargetAdvice:
    if r.status == "met":
        return TargetAdvice(r, 0 if isinstance(t.metric, m.CountMetric | m.ShareMetric) else None, (), True, None)
    if r.status == "unknown":
        shown = ", ".join(f"{s}.{f}" for s, f in r.missing[:5]) + (" …" if len(r.missing) > 5 else "")
        words = (m.Text.of(vi=f"khai các dữ kiện còn thiếu: {shown}", en=f"provide the missing facts: {shown}")
                 if r.missing else m.Text.of(vi=_reason_vi(r.reason), en=r.reason or "unknown"))
        return TargetAdvice(r, None, (), False, words)
    metric = t.metric
    if not isinstance(metric, m.CountMetric | m.ShareMetric) or metric.condition is None:
        gap = None if r.value is None else abs(r.target - r.value)
        text = plain_number(round(gap, 2)) if gap is not None else "?"
        return TargetAdvice(r, None, (), False, m.Text.of(vi=f"còn thiếu {text} so với chỉ tiêu",
                                                       en=f"{text} short of the target"))
    population = r.population or 0
    want = _least_count(r.target, population, t.op, share=isinstance(metric, m.ShareMetric))
    if want is None or want > population:
        return TargetAdvice(r, None, (), False, m.Text.of(
            vi="không thể đạt với số đối tượng hiện có", en="cannot be met with the subjects submitted"))
    needed = max(want - (r.counted or 0), 0)
    decls = {f.id: f for f in campaign.facts}
    solver = _Solver(campaign, dict(params), as_of)
    candidates: list[tuple[int, int, str, dict[str, FactChange]]] = []
    for i, s in enumerate(_population(metric.population, part.subjects, decls, params)):
        if judge(metric.condition, s.facts, decls, params) is True:
            continue
        options = [o for o in _minimal(solver.solve(metric.condition, dict(s.facts)))
                   if judge(metric.condition, _apply(s.facts, o), decls, params) is True]
        if options:
            candidates.append((len(options[0]), i, s.id, options[0]))
    chosen = sorted(candidates)[:needed]
    nearest = tuple((sid, tuple(o[k] for k in sorted(o))) for _, _, sid, o in chosen)
    checked = False
    if len(chosen) == needed:
        changes = {sid: o for _, _, sid, o in chosen}
        again = dataclasses.replace(part, subjects=tuple(
            dataclasses.replace(s, facts=MappingProxyType(_apply(s.facts, changes[s.id])), validated_for=None)
            if s.id in changes else s for s in part.subjects))
        rerun = evaluate_targets(campaign, again, phase=phase or r.phase, as_of=as_of, params=params)
        checked = any(x.target_id == r.target_id and x.phase == r.phase and x.status == "met" for x in rerun.results)
    short = "" if len(chosen) == needed else f" ({len(chosen)})"
    words = m.Text.of(vi=f"thêm {needed} đối tượng đạt điều kiện{short}",
                   en=f"{needed} more subject(s) meeting the condition{short}")
    return TargetAdvice(r, needed, nearest, checked, words)


def _reason_vi(reason: str | None) -> str:
    """The Vietnamese of a target's unknown reason (:mod:`emulation_rules.results.targets`)."""
    import re

    if reason is None:
        return "chưa xác định"
    hit = re.fullmatch(r"(\d+) subjects of level '(.+)' submitted; the figure needs exactly one", reason)
    if hit:
        return f"{hit[1]} đối tượng cấp {hit[2]} đã nộp; số liệu cần đúng một đơn vị"
    return {"the population is empty: no subject submitted": "không có đối tượng nào thuộc diện trong hồ sơ",
            "the submission has no 'initiatives' register": "hồ sơ không có sổ sáng kiến"}.get(reason, reason)


def _least_count(target: float, population: int, op: str, *, share: bool) -> int | None:
    """The fewest subjects meeting the condition for ``value op target`` to hold."""
    if op not in (">=", ">"):
        return None
    need = target * population / 100 if share else target
    whole = math.ceil(round(need, 9))
    return whole + 1 if op == ">" and whole == round(need, 9) else whole


def _population(pop: m.Population, subjects: Iterable[Subject], decls: Mapping[str, m.FactDecl],
                params: Mapping[str, float]) -> list[Subject]:
    out = []
    for s in subjects:
        if s.kind != pop.kind:
            continue
        if pop.kind == "collective" and pop.levels and s.level not in pop.levels:
            continue
        if pop.kind == "individual" and pop.roles and s.role not in pop.roles:
            continue
        if pop.where is not None and judge(pop.where, s.facts, decls, params) is not True:
            continue
        out.append(s)
    return out


def render_target_advice(items: Iterable[TargetAdvice], campaign: m.Campaign, *, lang: str = "vi") -> str:
    """A unit's target advice as text (Vietnamese by default)."""
    en = lang == "en"
    decls = {f.id: f for f in campaign.facts}
    words = {"met": ("đạt", "met"), "not_met": ("không đạt", "not met"), "pending": ("chưa đạt, còn hạn", "pending"),
             "unknown": ("chưa xác định", "unknown")}
    lines = []
    for a in items:
        r = a.target
        status = words.get(r.status, (r.status, r.status))[1 if en else 0]
        value = "?" if r.value is None else plain_number(round(r.value, 2))
        figure = f"{value} {r.op} {plain_number(r.target)}{r.unit or ''}"
        lines.append(f"{r.label.en if en else r.label.vi} [{r.target_id}]: {status} "
                     f"({figure if en else figure.replace('.', ',')}) ({r.source.cite()})")
        if a.change is not None:
            lines.append(f"  {'to meet it' if en else 'để đạt'}: {a.change.en if en else a.change.vi}")
        for sid, changes in a.nearest:
            lines.append(f"    {sid}: {'; '.join(change_text(decls, c, lang) for c in changes)}")
        if a.nearest:
            lines.append("  " + (("checked: the target is met with these changes" if a.checked else
                                  "not enough: the target is still not met with these changes") if en else
                                 ("đã kiểm tra: với các thay đổi này chỉ tiêu đạt" if a.checked else
                                  "chưa đủ: với các thay đổi này chỉ tiêu vẫn chưa đạt")))
    return "\n".join(lines) + "\n"
