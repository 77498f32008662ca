"""Roll-up up the union hierarchy: verdicts, targets and quotas per unit of the tree, from the
results of the units and people below it.

Each level of the union reviews the level below (công đoàn cấp trên trực tiếp cơ sở for its
grassroots unions, LĐLĐ tỉnh for its upper-level unions, ...). :func:`rollup` judges one
evaluation of everything submitted once, then, for every unit of the tree of units
(:mod:`emulation_rules.facts.units`), gathers the subjects that stand in its subtree (the unit
itself, its members, and every unit and member below) and reports:

- ``counts``: per award, how many of those subjects got each verdict;
- ``targets``: each target of the campaign judged over those subjects only (so "80% of a
  province's grassroots unions rated strong" is computed from the unions' own facts);
- ``quotas``: each quota judged over those subjects' verdicts (caps per union, per level ...);
- ``missing``: the units below it that submitted nothing.

A unit's counts are the sum of its own subjects' and its children's counts (a property test
checks it on generated trees). Verdicts never change by the roll-up: a subject is judged once.
The campaign's ``hierarchy`` (:mod:`emulation_rules.campaign.hierarchy`) may restrict the levels
reported (a unit of another level shows its counts only) and the levels at which each target and
quota is judged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.result import Evaluation
from emulation_rules.facts.many import unit_of
from emulation_rules.facts.reader import Subject, Submission
from emulation_rules.facts.units import Unit, UnitTree
from emulation_rules.results.clusters import ClusterResult, cluster_lines, rank_clusters
from emulation_rules.results.quotas import QuotaResult, check_quotas, quotas_json
from emulation_rules.results.targets import TargetResult, evaluate_targets

__all__ = ["VERDICTS", "VERDICT_WORDS", "NodeResult", "RollupReport", "figure", "phase_label", "render_rollup_json",
           "render_rollup_table", "rollup"]

VERDICTS = ("awarded", "not_awarded", "incomplete", "not_eligible")


@dataclass(frozen=True)
class NodeResult:
    """One unit of the tree with what stands below it.

    Attributes:
        unit: the unit.
        subjects: ids of the subjects in its subtree (itself, its members, the units below).
        own: ids of the subjects that are the unit itself or its direct members.
        counts: ``{award id: {verdict: number of subjects}}`` over ``subjects`` (every verdict
            key present, 0 when none).
        targets: the campaign's targets judged over ``subjects``.
        quotas: the campaign's quotas judged over ``subjects``' verdicts.
        missing: ids of the units of its subtree expected to submit that submitted nothing.
        children: the units directly below, as :class:`NodeResult`.
    """

    unit: Unit
    subjects: tuple[str, ...]
    own: tuple[str, ...]
    counts: Mapping[str, Mapping[str, int]]
    targets: tuple[TargetResult, ...]
    quotas: tuple[QuotaResult, ...]
    missing: tuple[str, ...]
    children: tuple[NodeResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping; keys never depend on the data."""
        return {
            "unit": self.unit.id,
            "name": self.unit.name,
            "level": self.unit.level,
            "cluster": self.unit.cluster,
            "subjects": len(self.subjects),
            "own_subjects": list(self.own),
            "counts": {a: dict(v) for a, v in self.counts.items()},
            "targets": [t.to_dict() for t in self.targets],
            "quotas": quotas_json(self.quotas),
            "missing": list(self.missing),
            "children": [c.to_dict() for c in self.children],
        }


@dataclass(frozen=True)
class RollupReport:
    """The roll-up of one review over a tree of units.

    Attributes:
        campaign_id: the campaign.
        as_of: the review date.
        phase: the phase judged.
        roots: one :class:`NodeResult` per root of the tree.
        outside: subjects that stand in no unit of the tree (should be none: the reader refuses
            them with ``unknown-unit``).
        missing: every unit expected to submit that submitted nothing.
        clusters: each emulation cluster of the tree ranked by the campaign's cluster rule
            (:mod:`.clusters`); empty when the campaign has none.
    """

    campaign_id: str
    as_of: dt.date | None
    phase: str | None
    roots: tuple[NodeResult, ...]
    outside: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    clusters: tuple[ClusterResult, ...] = ()

    def node(self, unit_id: str) -> NodeResult:
        """The result of ``unit_id``.

        Raises:
            KeyError: no such unit.
        """
        stack = list(self.roots)
        while stack:
            n = stack.pop()
            if n.unit.id == unit_id:
                return n
            stack.extend(n.children)
        raise KeyError(unit_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping ``{format_version, campaign, as_of, phase, missing, outside, tree, clusters}``."""
        return {
            "format_version": 1,
            "campaign": self.campaign_id,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "phase": self.phase,
            "missing": list(self.missing),
            "outside": list(self.outside),
            "tree": [r.to_dict() for r in self.roots],
            "clusters": [c.to_dict() for c in self.clusters],
        }


def rollup(
    campaign: m.Campaign,
    evaluation: Evaluation,
    submission: Submission,
    tree: UnitTree,
    *,
    params: Mapping[str, float] | None = None,
) -> RollupReport:
    """Roll one evaluation up the tree of units.

    Args:
        campaign: the campaign evaluated.
        evaluation: the engine's evaluation of ``submission`` (any backend).
        submission: the subjects evaluated (from :func:`~emulation_rules.facts.load.load_facts`,
            e.g. a folder of forms with ``units=tree``).
        tree: the tree of units.
        params: parameter overrides used for the evaluation.

    Returns:
        The :class:`RollupReport`.

    Raises:
        KeyError: the review date lies in no phase (as :func:`evaluate_targets`).
    """
    values = dict(evaluation.params) if params is None else dict(params)
    by_unit: dict[str, list[Subject]] = {}
    outside = []
    for s in submission.subjects:
        uid = unit_of(s, tree)
        if uid is None:
            outside.append(s.id)
        else:
            by_unit.setdefault(uid, []).append(s)
    results = {r.subject_id: r for r in evaluation.subjects}
    by_id = {s.id: s for s in submission.subjects}
    missing = {u.id for u in submission.missing_units}
    judged: dict[str, NodeResult] = {}
    h = campaign.hierarchy
    for unit in tree.depth_order():  # children before parents
        own = tuple(by_unit.get(unit.id, ()))
        children = tuple(judged[c.id] for c in tree.children(unit.id))
        ids = tuple(s.id for s in own) + tuple(i for c in children for i in c.subjects)
        subjects = [by_id[i] for i in ids]
        sub_eval = dataclasses.replace(evaluation, subjects=tuple(results[i] for i in ids if i in results),
                                       quotas=())
        counts: dict[str, dict[str, int]] = {a.id: dict.fromkeys(VERDICTS, 0) for a in campaign.awards}
        for r in sub_eval.subjects:
            for a in r.awards:
                counts.setdefault(a.award_id, dict.fromkeys(VERDICTS, 0))
                counts[a.award_id][a.verdict] = counts[a.award_id].get(a.verdict, 0) + 1
        part = dataclasses.replace(submission, subjects=tuple(subjects), missing_units=())
        takes_part = h is None or not h.levels or unit.level in h.levels
        targets = tuple(t for t in evaluate_targets(campaign, part, phase=evaluation.phase, as_of=evaluation.as_of,
                                                    params=values).results
                        if takes_part and (h is None or h.judged("target", t.target_id, unit.level))
                        ) if campaign.targets else ()
        quotas = tuple(q for q in check_quotas(campaign, sub_eval, subjects, values)
                       if takes_part and (h is None or h.judged("quota", q.quota_id, unit.level))
                       ) if campaign.quotas else ()
        below_missing = tuple(sorted({u.id for u in tree.subtree(unit.id)} & missing))
        judged[unit.id] = NodeResult(unit, ids, tuple(s.id for s in own), counts, targets, quotas,
                                     below_missing, children)
    roots = tuple(judged[r.id] for r in tree.roots())
    return RollupReport(campaign.id, evaluation.as_of, evaluation.phase, roots, tuple(outside),
                        tuple(u.id for u in submission.missing_units),
                        rank_clusters(campaign, evaluation, submission, tree))


def render_rollup_json(report: RollupReport) -> str:
    """The report as JSON text (``rollup --format json``)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


_WORDS = {
    "vi": {"campaign": "Phong trào", "as_of": "ngày xét", "phase": "giai đoạn", "subjects": "đối tượng",
           "missing": "chưa nộp hồ sơ", "awarded": "đạt", "not_awarded": "không đạt", "incomplete": "thiếu dữ liệu",
           "not_eligible": "không thuộc diện", "target": "chỉ tiêu", "quota": "hạn mức",
           "met": "đạt", "not_met": "không đạt", "pending": "chưa đến hạn", "unknown": "chưa xác định",
           "outside": "không thuộc đơn vị nào trong cây"},
    "en": {"campaign": "Campaign", "as_of": "review date", "phase": "phase", "subjects": "subjects",
           "missing": "no submission", "awarded": "awarded", "not_awarded": "not awarded",
           "incomplete": "incomplete", "not_eligible": "not eligible", "target": "target", "quota": "quota",
           "met": "met", "not_met": "not met", "pending": "pending", "unknown": "unknown",
           "outside": "in no unit of the tree"},
}


VERDICT_WORDS = {lang: {v: _WORDS[lang][v] for v in VERDICTS} for lang in _WORDS}
"""Verdicts in words, ``{"vi": {...}, "en": {...}}``."""


def phase_label(campaign: m.Campaign, phase: str | None, lang: str) -> str | None:
    """The phase's label in ``lang`` (its id when the campaign has no such phase)."""
    p = campaign.phase_named(phase)  # declared, or a standing regulation's review year
    if p is not None:
        return p.label.en if lang == "en" else p.label.vi
    return phase


def figure(x: float, lang: str) -> str:
    """``66,7`` (vi) or ``66.7`` (en): at most one decimal, never an exponent."""
    text = f"{x:.1f}".removesuffix(".0")
    return text.replace(".", ",") if lang != "en" else text


def render_rollup_table(report: RollupReport, campaign: m.Campaign, *, lang: str = "vi") -> str:
    """The tree as indented text, in Vietnamese (``lang="vi"``, default) or English: per unit,
    the number of subjects, the verdict counts per award, each target's and quota's status, and
    the units below that submitted nothing."""
    w = _WORDS["en" if lang == "en" else "vi"]
    awards = {a.id: (a.label.en if lang == "en" else a.label.vi) for a in campaign.awards}
    levels = {lv.id: (lv.label.en if lang == "en" else lv.label.vi) for lv in campaign.subjects.collective_levels}
    head = f"{w['campaign']} {report.campaign_id}"
    if report.as_of:
        head += f" — {w['as_of']} {report.as_of.isoformat()}"
    if report.phase:
        head += f" ({w['phase']} {phase_label(campaign, report.phase, lang)})"
    lines = [head, ""]

    def node(n: NodeResult, depth: int) -> None:
        pad = "  " * depth
        name = f" {n.unit.name}" if n.unit.name else ""
        level = levels.get(n.unit.level, n.unit.level)
        lines.append(f"{pad}{n.unit.id}{name} [{level}]: {len(n.subjects)} {w['subjects']}")
        for award_id, counts in n.counts.items():
            if not any(counts.values()):
                continue
            shown = ", ".join(f"{w[v]} {c}" for v, c in counts.items() if c and v in w)
            lines.append(f"{pad}  - {awards.get(award_id, award_id)}: {shown}")
        for t in n.targets:
            if t.value is None and not t.missing:
                continue  # nothing under this unit that the target counts (JSON keeps it)
            label = t.label.en if lang == "en" else t.label.vi
            value = "?" if t.value is None else figure(t.value, lang)
            lines.append(f"{pad}  - {w['target']} {label}: {value} / {figure(t.target, lang)} — {w[t.status]}")
        for q in n.quotas:
            if not q.awardees and q.status == "unknown":
                continue
            label = q.label.en if lang == "en" else q.label.vi
            lines.append(f"{pad}  - {w['quota']} {label}: {q.qualifying}/{q.awardees} — {w.get(q.status, q.status)}")
        if n.missing and not n.children:
            lines.append(f"{pad}  ! {w['missing']}")
        for c in n.children:
            node(c, depth + 1)

    for r in report.roots:
        node(r, 0)
    if report.missing:
        lines += ["", f"{w['missing']}: {', '.join(report.missing)}"]
    if report.outside:
        lines += ["", f"{w['outside']}: {', '.join(report.outside)}"]
    lines += cluster_lines(report.clusters, campaign.hierarchy.clusters if campaign.hierarchy else None, lang)
    return "\n".join(lines) + "\n"
