"""Targets (chỉ tiêu): aggregate figures a plan sets per phase, judged over a submission.

A target is not a per-subject award: it is a figure over the submitted population (a count,
a share, a sum, an average per unit) or one figure supplied for the issuing body (a value).
Evaluation is pure Python: each target needs every subject of its population at once, which
durable-rules (one message per subject, see DURABLE_RULES.md) does not offer, and the
arithmetic is a handful of additions, so no rule engine is involved.

Rules implemented (stated here once; the tests cite the plan lines they come from):

* **Phase.** ``phase`` wins: only figures set for that phase are judged. Else ``as_of`` (or
  the submission's ``as_of``) picks the phase with :meth:`Campaign.phase_at` (the report's
  ``phase``), and the figures of *every* phase containing the date are judged: a round's
  figures and those of the whole sprint around it (Phú Riềng 003 L70 "từ nay đến 31/3/2018"
  spans both rounds). A 2027 review is judged against phase II's figure (Thanh Hóa 004
  L92-106), not phase I's. With neither, every (target, phase) pair is judged. A target
  that sets no figure for the chosen phase(s) is left out.
* **Population.** Subjects of the population's kind, filtered by levels/roles (empty = all),
  then by ``population.where`` (nested denominators: Phú Riềng 003 L50 "trong đó 50%" counts
  only the agreements signed).
* **Status.** ``met`` when ``value op target`` holds, ``not_met`` when it does not and the
  target's deadline has passed, ``pending`` when it does not but the period of an
  ``end_of_phase`` or ``phase_cumulative`` target ends after the review date (the value so far
  and the days left are reported: Thanh Hóa 004 "đến năm 2025" figures reviewed mid-2023), and
  ``unknown`` when the value cannot be computed: the population is empty, a value metric
  finds no (or more than one) subject of the issuing body's level, or some subject lacks a
  fact the metric needs (membership, condition or summed fact). An unknown target lists the
  missing ``(subject, fact)`` pairs; no partial figure is judged.
* **Comparators.** ``>=`` for "trở lên"/"ít nhất" and, by convention, a bare "đạt x%";
  ``>`` for "trên": exactly at the figure is met for ``>=`` and not met for ``>``.
  Comparisons are exact (fractions), so 7 of 10 is exactly 70%.
* **Initiatives.** An ``initiatives`` metric counts the register's accepted initiatives whose
  ``date_basis`` date lies in the judged phase, both ends inclusive (Vĩnh Linh 002 L25, L27:
  initiatives "gửi về LĐLĐ tỉnh" from 01/9/2021 to 31/5/2022, and from 01/6/2022 to
  01/9/2023); ``population`` is the register's size. Without a register it is unknown.
* **As of.** Subjects and register are seen as of the review date (:mod:`..facts.asof`): an
  initiative sent or recognised after it does not count yet.
* **Periods.** The submitted facts are read as the figure for the target's period: the year
  under review (``yearly``), the total since the phase began (``phase_cumulative``), the level
  reached (``end_of_phase``). The period is reported with each result; the library does not
  accumulate figures across several submissions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.result import defect_dict, defects_at
from emulation_rules.evaluate.semantics import judge, reads
from emulation_rules.facts.asof import LaterCounts
from emulation_rules.facts.reader import Subject, Submission
from emulation_rules.facts.review import submission_as_of
from emulation_rules.facts.vocab import review_phase
from emulation_rules.messages import Lang, translate_message

TargetStatus = Literal["met", "not_met", "pending", "unknown"]


@dataclass(frozen=True)
class TargetResult:
    """One target judged for one phase.

    Attributes:
        target_id, label, text_vi, owner, period, op, unit: from the target.
        phase: phase id judged.
        target: the phase's figure (percent 0-100 for a share).
        value: the computed figure, or None when unknown.
        ratio: ``value / target`` (None when unknown or the target is 0).
        status: ``met``, ``not_met``, ``pending`` (not reached yet, deadline not passed) or
            ``unknown``.
        population: number of subjects in the population (None for a value metric; the
            register size for an initiatives metric).
        counted: subjects satisfying the condition (count/share), else None.
        facts_used: fact ids the metric read.
        missing: ``(subject id, fact id)`` pairs that made the status unknown.
        reason: why the status is unknown, in words (None otherwise).
        source: the plan clause (citation).
        comparator_note: why this comparator, when the wording is bare.
        deadline: the last day of the target's period (the phase end) for ``end_of_phase``
            and ``phase_cumulative`` targets, else None.
        days_left: days from the review date to the deadline when it has not passed, else None.
        defects: the campaign's recorded defects standing on the lines ``source`` cites.

    ``source`` is the phase figure's own citation when the campaign gives one (Thanh Hóa 004
    L80 for phase I's "90% dự toán", L96 for phase II's "95%"), else the target's.
    """

    target_id: str
    label: m.Text
    text_vi: str
    owner: str
    period: str
    phase: str
    op: str
    unit: str | None
    target: float
    value: float | None
    ratio: float | None
    status: TargetStatus
    population: int | None
    counted: int | None
    facts_used: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    reason: str | None
    source: m.Source
    comparator_note: str | None = None
    deadline: dt.date | None = None
    days_left: int | None = None
    defects: tuple[m.Defect, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the ``targets --format json`` shape of one result)."""
        return {
            "target": self.target_id,
            "label": {"vi": self.label.vi, "en": self.label.en},
            "phase": self.phase,
            "owner": self.owner,
            "period": self.period,
            "op": self.op,
            "unit": self.unit,
            "target_value": self.target,
            "value": self.value,
            "ratio": self.ratio,
            "status": self.status,
            "population": self.population,
            "counted": self.counted,
            "facts_used": list(self.facts_used),
            "missing": [list(p) for p in self.missing],
            "reason": self.reason,
            "comparator_note": self.comparator_note,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "days_left": self.days_left,
            "defects": [defect_dict(d) for d in self.defects],
            "source": self.source.cite(),
            "text_vi": self.text_vi,
        }


@dataclass(frozen=True)
class TargetReport:
    """All targets judged for a campaign and a submission.

    Attributes:
        campaign_id: the campaign.
        phase: the phase chosen, the most specific one for ``as_of`` (None when every phase
            was judged).
        as_of: the review date used to choose it, if any.
        results: one :class:`TargetResult` per (target, phase), in campaign order.
    """

    campaign_id: str
    phase: str | None
    as_of: dt.date | None
    results: tuple[TargetResult, ...] = field(default_factory=tuple)
    later: LaterCounts = field(default_factory=LaterCounts)
    """What the review date left out (:mod:`emulation_rules.facts.asof`)."""

    def result(self, target_id: str, phase: str | None = None) -> TargetResult:
        """The result of ``target_id`` (for ``phase`` when several phases were judged).

        Raises:
            KeyError: no such result.
        """
        for r in self.results:
            if r.target_id == target_id and (phase is None or r.phase == phase):
                return r
        raise KeyError(target_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: ``{campaign, phase, as_of, targets: [...]}``."""
        return {
            "campaign": self.campaign_id,
            "phase": self.phase,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "targets": [r.to_dict() for r in self.results],
            "left_out_later": {"records": dict(sorted(self.later.records.items())),
                               "initiatives": self.later.initiatives},
        }


def evaluate_targets(
    campaign: m.Campaign,
    submission: Submission | Sequence[Subject],
    *,
    phase: str | None = None,
    as_of: dt.date | None = None,
    params: Mapping[str, float] | None = None,
) -> TargetReport:
    """Judge the campaign's targets (chỉ tiêu) against a submission.

    Args:
        campaign: a loaded campaign.
        submission: a :class:`Submission` (from :func:`load_facts`) or validated subjects.
        phase: phase id to judge; wins over ``as_of``.
        as_of: review date; picks the phase with :meth:`Campaign.phase_at` (default: the
            submission's ``as_of``).
        params: parameter overrides for conditions that use parameters.

    Returns:
        A :class:`TargetReport`; see the module docstring for the status rules.

    Raises:
        KeyError: ``phase`` is not a phase of the campaign, or ``as_of`` lies in no phase.
    """
    subjects = tuple(submission.subjects if isinstance(submission, Submission) else submission)
    if as_of is None and isinstance(submission, Submission):
        as_of = submission.as_of
    chosen, judged = review_phase(campaign, as_of, phase)
    seen, later = submission_as_of(submission if isinstance(submission, Submission) else subjects,
                                   campaign, as_of)
    ev = _Evaluator(campaign, seen.subjects, {**campaign.parameter_defaults(), **(params or {})})
    ev.initiatives = seen.initiatives
    ev.as_of = as_of
    results = []
    for t in campaign.targets:
        for tv in t.values:
            if judged is None or tv.phase in judged:
                results.append(ev.judge(t, tv))
    return TargetReport(campaign.id, chosen, as_of, tuple(results), later)


_OPS = m.OPS


def _frac(x: float | int) -> Fraction:
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


class _Unknown(Exception):
    pass


class _Evaluator:
    def __init__(
        self, campaign: m.Campaign, subjects: tuple[Subject, ...], params: dict[str, float]
    ) -> None:
        self.c = campaign
        self.subjects = subjects
        self.params = params
        self.facts = {f.id: f for f in campaign.facts}
        self.initiatives: tuple[Any, ...] | None = None
        self.as_of: dt.date | None = None

    def judge(self, t: m.Target, tv: m.TargetValue) -> TargetResult:
        missing: list[tuple[str, str]] = []
        used: list[str] = []
        metric = t.metric
        population: int | None = None
        counted: int | None = None
        value: Fraction | None = None
        reason: str | None = None
        if isinstance(metric, m.InitiativeCountMetric):
            used.append(f"initiatives.{metric.date_basis}")
            phase = next(p for p in self.c.phases if p.id == tv.phase)
            if self.initiatives is None:
                reason = "the submission has no 'initiatives' register"
            else:
                from emulation_rules.facts.initiatives import count_in_phase

                n = count_in_phase(self.initiatives, metric.date_basis, phase.start, phase.end,
                                   eligible_only=metric.eligible_only)
                population = len(self.initiatives)
                counted = n
                value = Fraction(n)
        elif isinstance(metric, m.ValueMetric):
            used.append(metric.fact)
            owners = [
                s for s in self.subjects if s.kind == "collective" and s.level == metric.level
            ]
            if len(owners) != 1:
                reason = (
                    f"{len(owners)} subjects of level {metric.level!r} submitted; "
                    "the figure needs exactly one"
                )
            elif metric.fact not in owners[0].facts:
                missing.append((owners[0].id, metric.fact))
            else:
                value = _frac(owners[0].facts[metric.fact])  # type: ignore[arg-type]
        else:
            pop, pop_missing = self._population(metric.population, used)
            missing += pop_missing
            population = len(pop)
            if isinstance(metric, (m.CountMetric, m.ShareMetric)):
                hits = 0
                for s in pop:
                    if metric.condition is None:
                        hits += 1
                        continue
                    got = self._cond(metric.condition, s, used, missing)
                    hits += got is True
                counted = None if missing else hits
                if not missing and pop:
                    value = (
                        Fraction(hits)
                        if isinstance(metric, m.CountMetric)
                        else Fraction(hits * 100, len(pop))
                    )
            else:
                used.append(metric.fact)
                total = Fraction(0)
                for s in pop:
                    if metric.fact not in s.facts:
                        missing.append((s.id, metric.fact))
                    else:
                        total += _frac(s.facts[metric.fact])  # type: ignore[arg-type]
                if not missing and pop:
                    value = total if isinstance(metric, m.SumMetric) else total / len(pop)
            if not pop and not missing:
                reason = "the population is empty: no subject submitted"
        if missing and reason is None:
            reason = f"{len(missing)} needed fact(s) missing"
        target = _frac(tv.value)
        status: TargetStatus = (
            "unknown" if value is None else "met" if _OPS[t.op](value, target) else "not_met"
        )
        deadline = days_left = None
        if t.period in ("end_of_phase", "phase_cumulative", "unspecified"):
            deadline = next(p for p in self.c.phases if p.id == tv.phase).end
            if deadline is not None and self.as_of is not None and self.as_of < deadline:
                days_left = (deadline - self.as_of).days
                if status == "not_met":
                    status = "pending"
        ratio = float(value / target) if value is not None and target != 0 else None
        return TargetResult(
            t.id,
            t.label,
            t.text_vi,
            t.owner,
            t.period,
            tv.phase,
            t.op,
            t.unit,
            tv.value,
            float(value) if value is not None else None,
            ratio,
            status,
            population,
            counted,
            tuple(dict.fromkeys(used)),
            tuple(dict.fromkeys(missing)),
            reason if status == "unknown" else None,
            tv.source or t.source,
            t.comparator_note,
            deadline,
            days_left,
            defects_at(self.c.defects, tv.source or t.source),
        )

    def _population(
        self, pop: m.Population, used: list[str]
    ) -> tuple[list[Subject], list[tuple[str, str]]]:
        out: list[Subject] = []
        missing: list[tuple[str, str]] = []
        for s in self.subjects:
            if s.kind != pop.kind:
                continue
            if pop.kind == "collective" and pop.levels and s.level not in pop.levels:
                continue
            if pop.kind == "individual" and pop.roles and s.role not in pop.roles:
                continue
            if pop.where is not None:
                got = self._cond(pop.where, s, used, missing)
                if got is not True:
                    continue
            out.append(s)
        return out, missing

    # three-valued conditions over one subject: True, False, or None (a fact is missing)
    def _cond(
        self, cond: m.Condition, s: Subject, used: list[str], missing: list[tuple[str, str]]
    ) -> bool | None:
        used.extend(reads(cond))
        local: list[str] = []
        got = judge(cond, s.facts, self.facts, self.params, local)
        missing.extend((s.id, f) for f in local)
        return got


def render_targets_json(report: TargetReport) -> str:
    """The report as JSON (``targets --format json``)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


_TW: dict[str, dict[str, Any]] = {
    "en": {"campaign": "campaign", "phase": "phase", "as_of": "as of",
           "head": ("target", "phase", "owner", "period", "value", "op", "target", "ratio", "status", "source",
                    "defects"),
           "defect": "defect", "resolution": "Resolution", "unknown": "unknown",
           "left": "{status}: value so far {v} (target {op} {t}), {n} day(s) left to {d}",
           "met": "met", "not_met": "not_met", "pending": "pending"},
    "vi": {"campaign": "phong trào", "phase": "giai đoạn", "as_of": "ngày xét",
           "head": ("chỉ tiêu", "giai đoạn", "chủ thể", "kỳ", "đạt được", "so sánh", "chỉ tiêu đặt ra",
                    "tỷ lệ hoàn thành", "kết quả", "nguồn", "khiếm khuyết"),
           "defect": "khiếm khuyết", "resolution": "Cách xử lý", "unknown": "chưa rõ",
           "left": "{status}: đến nay đạt {v} (chỉ tiêu {op} {t}), còn {n} ngày đến {d}",
           "met": "đạt", "not_met": "không đạt", "pending": "chưa đến hạn",
           # who owns the figure and over which period (the English is the code itself)
           "union": "công đoàn", "joint": "phối hợp", "external": "bên ngoài", "yearly": "hằng năm",
           "phase_cumulative": "lũy kế giai đoạn", "end_of_phase": "cuối giai đoạn", "unspecified": "không nêu"},
}


def render_targets_table(report: TargetReport, lang: Lang = "vi") -> str:
    """A plain-text table: target, phase, value, op, figure, ratio, status, citation; Vietnamese
    (default) or English words (ids, figures and citations as they are)."""
    w = _TW["en" if lang == "en" else "vi"]
    head = f"{w['campaign']} {report.campaign_id}"
    if report.phase:
        head += f", {w['phase']} {report.phase}"
    if report.as_of:
        head += f" ({w['as_of']} {report.as_of.isoformat()})"
    rows: list[tuple[str, ...]] = [tuple(w["head"])]
    for r in report.results:
        rows.append((r.target_id, r.phase, w.get(r.owner, r.owner), w.get(r.period, r.period), _num(r.value), r.op,
                     _num(r.target),
                     ratio_text(r.ratio), w[r.status], r.source.cite(), ", ".join(d.id for d in r.defects)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [head] + [
        "  ".join(c.ljust(width) for c, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.extend(f"note: {n}" for n in report.later.notes())
    shown = {d.id: d for r in report.results for d in r.defects}
    for d in shown.values():
        where = ", ".join(dict.fromkeys(r.target_id for r in report.results if d in r.defects))
        lines.append(f"{w['defect']} {d.id} ({m.cite_many(d.sources)}; {where}): {d.text} "
                     f"{w['resolution']}: {d.resolution}")
    for r in report.results:
        if r.days_left is not None and r.deadline is not None:
            lines.append(f"{r.target_id} [{r.phase}]: " + w["left"].format(
                status=w[r.status], v=_num(r.value), op=r.op, t=_num(r.target), n=r.days_left,
                d=r.deadline.isoformat()))
        if r.status == "unknown" and r.reason:
            reason = translate_message(r.reason, lang) or r.reason
            lines.append(
                f"{r.target_id} [{r.phase}]: {w['unknown']}: {reason}"
                + (
                    f" ({', '.join(f'{a}.{b}' for a, b in r.missing[:5])}"
                    f"{' …' if len(r.missing) > 5 else ''})"
                    if r.missing
                    else ""
                )
            )
    return "\n".join(lines) + "\n"


def ratio_text(ratio: float | None) -> str:
    """``value / target`` with two decimals, and more where two would round an unequal ratio
    onto 1.00 (89.99 of 90 prints 0.9999, never 1.00, so a not-met figure never reads as the
    target)."""
    if ratio is None:
        return ""
    for digits in (2, 4, 6):
        text = f"{ratio:.{digits}f}"
        if ratio == 1 or float(text) != 1:
            return text
    return f"{ratio!r}"


def _num(x: float | None) -> str:
    if x is None:
        return "?"
    return str(int(x)) if x == int(x) else f"{x:.6g}"  # 1000000, not 1e+06
