"""Coverage of a campaign by its author cases (``emulation-rules test --coverage``).

Which outcomes do the cases of one case file actually pin down? Only asserted outcomes count:
an award of a subject with an ``expect`` entry, a target or quota with an expectation.

For every *award criterion*, the statuses it takes in asserted awards: ``pass`` and ``fail`` are
required; ``unknown`` (a fact it reads is missing) is required too, since every criterion reads a
fact a submission can leave out. For every *target figure* (one per phase) and every *quota*, the
statuses asserted: ``met`` and ``not_met``. For every *numeric threshold* of a criterion (a
comparison or a count of a fact against a number, a date or a parameter) and of a target figure,
whether an asserted case sits ``below`` it, exactly ``on`` it and ``above`` it: the three places
where a threshold typed one off or a ``>`` for ``>=`` would show (a percent target of 100%
has no ``above``). Thresholds on record fields
inside ``where`` are not measured (their values are per record).

Coverage is the share of these required outcomes the cases reach. Outcomes are computed with the
Python backend, as the mutation tester does (:mod:`.mutate`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from emulation_rules.authoring.cases import CaseFile, load_cases
from emulation_rules.campaign import model as m
from emulation_rules.campaign.money import plain_number
from emulation_rules.errors import EmulationRulesError

__all__ = [
    "CoverageItem",
    "CoverageReport",
    "case_coverage",
    "render_coverage_json",
    "render_coverage_table",
]

_ORDER_OPS = (">=", ">", "<=", "<")


@dataclass
class CoverageItem:
    """One thing to cover and what the cases reached of it.

    Attributes:
        kind: ``criterion``, ``target``, ``quota`` or ``threshold``.
        name: e.g. ``collective_recognition/rated_strong``, ``finance_collected[phase_2]``.
        required: the outcomes wanted (``pass``/``fail``/``unknown``, ``met``/``not_met``,
            ``below``/``on``/``above``).
        reached: the outcomes the cases gave.
        source: the plan lines of the rule.
    """

    kind: str
    name: str
    required: tuple[str, ...]
    source: m.Source | None
    reached: set[str] = field(default_factory=set)

    @property
    def missing(self) -> list[str]:
        """Required outcomes no case reached, in the order of ``required``."""
        return [r for r in self.required if r not in self.reached]


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of one campaign by one case file."""

    case_file: str
    campaign_id: str
    items: tuple[CoverageItem, ...]

    @property
    def percent(self) -> float:
        """Reached required outcomes over all required outcomes, percent (100 when none)."""
        need = sum(len(i.required) for i in self.items)
        got = sum(len(i.required) - len(i.missing) for i in self.items)
        return 100.0 if need == 0 else 100.0 * got / need


def _leaves(cond: Any) -> Iterator[Any]:
    if isinstance(cond, m.AllOf | m.AnyOf):
        for sub in cond.all if isinstance(cond, m.AllOf) else cond.any:
            yield from _leaves(sub)
    elif isinstance(cond, m.NotOf):
        yield from _leaves(cond.not_)
    else:
        yield cond


def _side(value: Any, figure: Any) -> str | None:
    if value is None or figure is None or isinstance(value, bool):
        return None
    try:
        return "below" if value < figure else "on" if value == figure else "above"
    except TypeError:
        return None


def case_coverage(case_path: Any) -> CoverageReport:
    """Measure how far the cases of ``case_path`` cover its campaign (see the module doc).

    Raises:
        CaseFileError: the case file is invalid.
        CampaignError: the campaign it names is invalid.
    """
    from emulation_rules.engine import Engine
    from emulation_rules.results.targets import evaluate_targets

    cf: CaseFile = load_cases(case_path)
    c = cf.campaign
    items: dict[tuple[str, str], CoverageItem] = {}
    thresholds: dict[tuple[str, str], list[tuple[str, Any]]] = {}  # award/criterion -> (fact, leaf)
    for a in c.awards:
        for crit in a.criteria:
            key = f"{a.id}/{crit.id}"
            items[("criterion", key)] = CoverageItem(
                "criterion", key, ("pass", "fail", "unknown"), crit.source
            )
            for leaf in _leaves(crit.condition):
                fact = leaf.count.fact if isinstance(leaf, m.Count) else getattr(leaf, "fact", None)
                op = getattr(leaf, "op", None)
                value = getattr(leaf, "value", None)
                if fact and op in _ORDER_OPS and (leaf.param or not isinstance(value, bool)):
                    name = f"{key}: {fact} {op} {leaf.param or value}"
                    items[("threshold", name)] = CoverageItem(
                        "threshold", name, ("below", "on", "above"), crit.source
                    )
                    thresholds.setdefault((a.id, crit.id), []).append((name, leaf))
    for t in c.targets:
        for tv in t.values:
            key = f"{t.id}[{tv.phase}]"
            items[("target", key)] = CoverageItem(
                "target", key, ("met", "not_met"), tv.source or t.source
            )
            if t.op in _ORDER_OPS:
                name = f"{key}: value {t.op} {plain_number(tv.value)}"
                fact = getattr(t.metric, "fact", None)
                percent = isinstance(t.metric, m.ShareMetric) or (
                    fact is not None and any(f.id == fact and f.type == "percent" for f in c.facts)
                )
                sides = ("below", "on") if percent and tv.value >= 100 else ("below", "on", "above")
                items[("threshold", name)] = CoverageItem(
                    "threshold", name, sides, tv.source or t.source
                )
    for q in c.quotas:
        items[("quota", q.id)] = CoverageItem(
            "quota", q.id, ("met", "not_met", "unknown"), q.source
        )

    engines: dict[tuple[tuple[str, float], ...], Any] = {}
    for loaded in cf.cases:
        case = loaded.case
        pkey = tuple(sorted(case.params.items()))
        if pkey not in engines:
            engines[pkey] = Engine(c, params=dict(case.params), backend="python")
        engine = engines[pkey]
        params = engine.params
        try:
            evaluation = engine.evaluate(loaded.submission, as_of=case.as_of)
        except EmulationRulesError:
            continue
        for exp in case.expect:
            try:
                result = evaluation.subject(exp.subject).award(exp.award)
            except KeyError:
                continue
            for cr in result.criteria:
                item = items.get(("criterion", f"{exp.award}/{cr.criterion_id}"))
                if item is not None:
                    item.reached.add(cr.status)
                for name, leaf in thresholds.get((exp.award, cr.criterion_id), []):
                    fact = leaf.count.fact if isinstance(leaf, m.Count) else leaf.fact
                    figure = params.get(leaf.param) if leaf.param else leaf.value
                    if isinstance(figure, str):
                        try:
                            figure = dt.date.fromisoformat(figure)
                        except ValueError:
                            figure = None
                    seen = (
                        cr.values.get("counted")
                        if isinstance(leaf, m.Count)
                        else cr.values.get(fact)
                    )
                    side = _side(seen, figure)
                    if side:
                        items[("threshold", name)].reached.add(side)
        for exp_q in case.quotas:
            qr = next((q for q in evaluation.quotas if q.quota_id == exp_q.quota), None)
            if qr is not None and ("quota", exp_q.quota) in items:
                items[("quota", exp_q.quota)].reached.add(qr.status)
        for exp_t in case.targets:
            try:
                report = evaluate_targets(
                    c,
                    loaded.submission,
                    phase=exp_t.phase,
                    as_of=None if exp_t.phase else case.as_of,
                    params=case.params,
                )
                tr = report.result(exp_t.target, exp_t.phase)
            except KeyError:
                continue
            key = f"{tr.target_id}[{tr.phase}]"
            if ("target", key) in items:
                items[("target", key)].reached.add(tr.status)
            for (kind, name), item in items.items():
                if kind == "threshold" and name.startswith(f"{key}: "):
                    side = _side(tr.value, tr.target)
                    if side:
                        item.reached.add(side)
    return CoverageReport(str(cf.path), c.id, tuple(items.values()))


def render_coverage_table(reports: Sequence[CoverageReport], *, show_all: bool = False) -> str:
    """For people: per campaign a summary line, then each item still missing an outcome (or
    every item with ``show_all``) with what it lacks and the plan lines it cites."""
    lines: list[str] = []
    for r in reports:
        full = sum(not i.missing for i in r.items)
        lines.append(
            f"{r.campaign_id}: {r.percent:.1f}% of required outcomes reached; "
            f"{full} of {len(r.items)} items fully covered ({r.case_file})"
        )
        for i in r.items:
            if i.missing or show_all:
                got = ", ".join(x for x in i.required if x in i.reached) or "-"
                lack = ", ".join(i.missing) or "-"
                cite = f"  [{i.source.cite()}]" if i.source else ""
                lines.append(f"  {i.kind:<9} {i.name}: reached {got}; missing {lack}{cite}")
    return "\n".join(lines) + "\n"


def render_coverage_json(reports: Sequence[CoverageReport]) -> str:
    """For CI: ``{format_version: 1, campaigns: [{campaign, percent, items: [...]}]}``."""
    return (
        json.dumps(
            {
                "format_version": 1,
                "campaigns": [
                    {
                        "case_file": r.case_file,
                        "campaign": r.campaign_id,
                        "percent": round(r.percent, 2),
                        "items": [
                            {
                                "kind": i.kind,
                                "name": i.name,
                                "required": list(i.required),
                                "reached": [x for x in i.required if x in i.reached],
                                "missing": i.missing,
                                "cites": i.source.cite() if i.source else None,
                            }
                            for i in r.items
                        ],
                    }
                    for r in reports
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
