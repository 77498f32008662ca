"""Mutation testing of a campaign against its author cases (``emulation-rules test --mutate``).

A slip in a campaign file (95 typed 96, ``>`` for "trở lên") gives wrong verdicts that the
evaluators cannot notice, since they all read the same file. Author cases, whose expectations
come from the plan's text, can: this module changes the campaign one figure or operator at a
time and runs the cases against each change (a *mutant*). A mutant no case notices *survives*:
the cases do not pin the rule down, and a case sitting on that figure is missing.

The mutations, each applied in memory to the parsed campaign file (never written to disk):

``+1``
    a number raised by one: a comparison's or count's ``value``, a target figure, a quota's
    ``min_share``, ``max_share`` or ``max_count``, a parameter's ``default``, the years of a
    ``held`` condition;
``-1``
    a quota's bound (or the default of the parameter it reads) lowered by one (a share by one
    point);
``op``
    a comparator swapped with its strict or non-strict twin (``>=`` <-> ``>``, ``<=`` <-> ``<``)
    in a comparison, a count or a target;
``+1d``, ``-1d``
    a date a day later or earlier: a date threshold, a phase's ``start`` and ``end``, the
    initiative window, ``research_applied_from``;
``rank+1``, ``rank-1``
    an ``at_least`` one rank up or down its ordered enum;
``any``, ``all``
    ``all`` of two or more conditions turned into ``any``, and back;
``drop``
    a criterion of an award removed;
``verdict``
    an ``{award: ...}`` condition's ``verdict`` turned round (``awarded`` <-> ``not_awarded``).

Each mutant is validated as the loader would (model and semantic checks, not the figure check):
a mutant the loader refuses is ``invalid`` (the file guards itself). The valid ones run every
case of the case file on the Python backend (one engine per mutant and parameter set, parsed
cases reused; initiative registers, judged when cases load, are judged again for a change to
the initiative programme), stopping at the first case that fails: the mutant is ``killed``. A
quota-bound mutant no case kills is then run on populations built at the quota's boundary from
the campaign's own strategies (:mod:`.quota_mutants`): killed when the quota's status differs
from the unmutated campaign's on one of them, so no quota mutant needs declaring. A
mutant that cannot change any verdict is declared in the case file under ``equivalent_mutants``
with its id and a reason, and is reported as ``equivalent``; the rest are ``survived``, listed
with the file:line:column of the changed value and the plan lines its rule cites.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from emulation_rules.authoring.cases import CaseFile, load_cases, run_case
from emulation_rules.authoring.quota_mutants import boundary_killer, quota_bound_paths
from emulation_rules.campaign import model as m
from emulation_rules.campaign.loader import validate_campaign
from emulation_rules.campaign.money import parse_amount, plain_number
from emulation_rules.campaign.safe_yaml import SourceMap, parse_yaml
from emulation_rules.errors import (
    CampaignError,
    EmulationRulesError,
    PathItem,
    SourceLocation,
    format_path,
)

__all__ = [
    "Mutant",
    "MutationReport",
    "mutants",
    "mutation_test",
    "render_mutation_json",
    "render_mutation_report",
]

PathT = tuple[PathItem, ...]
Outcome = Literal["killed", "invalid", "equivalent", "survived"]
_TWINS = {">=": ">", ">": ">=", "<=": "<", "<": "<="}


@dataclass(frozen=True)
class Mutant:
    """One change to a campaign file.

    Attributes:
        id: stable name ``<path> <operator>``, e.g. ``targets[3].values[0].value +1``; an
            ``equivalent_mutants`` entry of a case file names it.
        path: data path of the changed value (or of the dropped criterion).
        operator: ``+1``, ``op``, ``+1d``, ``-1d``, ``rank+1``, ``rank-1``, ``any``, ``all``, ``verdict``,
            ``drop``.
        before: the value before, as text.
        after: the value after, as text.
        source: the plan lines the mutated rule cites (the nearest ``source`` above it).
    """

    id: str
    path: PathT
    operator: str
    before: str
    after: str
    source: m.Source | None
    _new: Any = dataclasses.field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class MutantResult:
    """A mutant and what became of it: killed (by ``case``), invalid, equivalent or survived."""

    mutant: Mutant
    outcome: Outcome
    location: SourceLocation | None
    case: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class MutationReport:
    """Mutation testing of one case file's campaign.

    Attributes:
        case_file: the case file.
        campaign_id: the campaign mutated.
        results: one per mutant, in file order.
        seconds: wall time.
        unused_equivalents: ``equivalent_mutants`` entries that name no mutant (stale).
    """

    case_file: str
    campaign_id: str
    results: tuple[MutantResult, ...]
    seconds: float
    unused_equivalents: tuple[str, ...] = ()

    def count(self, outcome: Outcome) -> int:
        """How many mutants had ``outcome``."""
        return sum(r.outcome == outcome for r in self.results)

    @property
    def score(self) -> float:
        """Killed share of the mutants that could be killed (valid, not equivalent), percent."""
        live = self.count("killed") + self.count("survived")
        return 100.0 if live == 0 else 100.0 * self.count("killed") / live

    @property
    def survivors(self) -> list[MutantResult]:
        """The mutants no case noticed."""
        return [r for r in self.results if r.outcome == "survived"]


# --- finding the mutants -------------------------------------------------------------------------


def mutants(c: m.Campaign) -> list[Mutant]:
    """Every mutant of ``c`` (see the module doc), in the order of the campaign's sections."""
    return list(_Finder(c).run())


class _Finder:
    def __init__(self, c: m.Campaign) -> None:
        self.c = c
        self.facts = {f.id: f for f in c.facts}
        self.bounds = quota_bound_paths(c)

    def run(self) -> Iterator[Mutant]:
        c = self.c
        for i, p in enumerate(c.parameters):
            yield from self._number(("parameters", i, "default"), p.default, p.source)
            if ("parameters", i, "default") in self.bounds:
                yield from self._minus(("parameters", i, "default"), p.default, p.source)
        for i, ph in enumerate(c.phases):
            yield from self._date(("phases", i, "start"), ph.start, ph.source)
            if ph.end is not None:
                yield from self._date(("phases", i, "end"), ph.end, ph.source)
        for i, a in enumerate(c.awards):
            for j, crit in enumerate(a.criteria):
                path = ("awards", i, "criteria", j)
                yield Mutant(
                    f"{format_path(path)} drop", path, "drop", crit.id, "(removed)", crit.source
                )
                yield from self._cond(crit.condition, (*path, "condition"), crit.source, None)
            if a.score_sheet is not None:
                for j, item in enumerate(a.score_sheet.items):
                    if item.condition is not None:
                        yield from self._cond(
                            item.condition,
                            ("awards", i, "score_sheet", "items", j, "condition"),
                            item.source,
                            None,
                        )
        for i, t in enumerate(c.targets):
            base: PathT = ("targets", i)
            yield from self._op((*base, "op"), t.op, t.source)
            pop = getattr(t.metric, "population", None)
            if pop is not None and pop.where is not None:
                yield from self._cond(
                    pop.where, (*base, "metric", "population", "where"), t.source, None
                )
            cond = getattr(t.metric, "condition", None)
            if cond is not None:
                yield from self._cond(cond, (*base, "metric", "condition"), t.source, None)
            for j, v in enumerate(t.values):
                yield from self._number(
                    (*base, "values", j, "value"), v.value, v.source or t.source
                )
        for i, q in enumerate(c.quotas):
            for key in ("min_share", "max_share", "max_count"):
                if getattr(q, key) is not None and not isinstance(getattr(q, key), m.BoundParam):
                    yield from self._number(("quotas", i, key), getattr(q, key), q.source)
                    yield from self._minus(("quotas", i, key), getattr(q, key), q.source)
            yield from self._cond(q.condition, ("quotas", i, "condition"), q.source, None)
        prog = c.initiatives
        if prog is not None:
            w = prog.window
            yield from self._date(("initiatives", "window", "start"), w.start, w.source)
            yield from self._date(("initiatives", "window", "end"), w.end, w.source)
            if prog.research_applied_from is not None:
                src = next(
                    (ch.source for ch in prog.checks if ch.check == "research_project_accepted"),
                    prog.kinds_source,
                )
                yield from self._date(
                    ("initiatives", "research_applied_from"), prog.research_applied_from, src
                )

    def _number(self, path: PathT, value: Any, source: m.Source | None) -> Iterator[Mutant]:
        if isinstance(value, str) and not value.strip().isdigit() and parse_amount(value) is not None:
            value = parse_amount(value)  # money as written ("80 triệu đồng"): one đồng more
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        new = int(value) + 1 if float(value).is_integer() else value + 1
        yield Mutant(f"{format_path(path)} +1", path, "+1", plain_number(value), plain_number(new), source, new)

    def _minus(self, path: PathT, value: Any, source: m.Source | None) -> Iterator[Mutant]:
        """A quota's bound (or the parameter it reads) one lower: killed at the boundary."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1:
            return
        new = int(value) - 1 if float(value).is_integer() else value - 1
        yield Mutant(f"{format_path(path)} -1", path, "-1", f"{value:g}", f"{new:g}", source, new)

    def _date(self, path: PathT, value: dt.date, source: m.Source | None) -> Iterator[Mutant]:
        for op, days in (("+1d", 1), ("-1d", -1)):
            new = value + dt.timedelta(days=days)
            yield Mutant(
                f"{format_path(path)} {op}",
                path,
                op,
                value.isoformat(),
                new.isoformat(),
                source,
                new,
            )

    def _op(self, path: PathT, op: str, source: m.Source | None) -> Iterator[Mutant]:
        if op in _TWINS:
            yield Mutant(f"{format_path(path)} op", path, "op", op, _TWINS[op], source, _TWINS[op])

    def _cond(
        self, cond: Any, path: PathT, source: m.Source, records: m.FactDecl | None
    ) -> Iterator[Mutant]:
        if isinstance(cond, (m.AllOf, m.AnyOf)):
            key, subs = ("all", cond.all) if isinstance(cond, m.AllOf) else ("any", cond.any)
            other = "any" if key == "all" else "all"
            if len(subs) >= 2:
                yield Mutant(
                    f"{format_path(path)} {other}", path, other, key, other, source, (key, other)
                )
            for i, sub in enumerate(subs):
                yield from self._cond(sub, (*path, key, i), source, records)
        elif isinstance(cond, m.NotOf):
            yield from self._cond(cond.not_, (*path, "not"), source, records)
        elif isinstance(cond, m.OfUnit):
            yield from self._cond(cond.unit, (*path, "unit"), source, records)
        elif isinstance(cond, m.Count):
            yield from self._op((*path, "op"), cond.op, source)
            if cond.value is not None:
                yield from self._number((*path, "value"), cond.value, source)
            if cond.count.where is not None:
                yield from self._cond(
                    cond.count.where,
                    (*path, "count", "where"),
                    source,
                    self.facts.get(cond.count.fact),
                )
        elif isinstance(cond, m.Aggregate):  # the op, the threshold (money as written), the filter
            spec = cond.aggregate
            yield from self._op((*path, "op"), cond.op, source)
            if cond.value is not None:
                yield from self._number((*path, "value"), cond.value, source)
            if spec.where is not None:
                yield from self._cond(spec.where, (*path, "aggregate", "where"), source, self.facts.get(spec.of))
            if spec.within is not None and spec.within.last_years is not None:
                yield from self._number((*path, "aggregate", "within", "last_years"), spec.within.last_years, source)
        elif isinstance(cond, m.Held):  # one year more in the window or the count
            for key in ("each_of_last_years", "consecutive_years", "times_in_phase"):
                if getattr(cond, key) is not None:
                    yield from self._number((*path, key), getattr(cond, key), source)
        elif isinstance(cond, m.AwardRef):  # the required verdict turned round
            new = "not_awarded" if cond.verdict == "awarded" else "awarded"
            where = (*path, "verdict")
            yield Mutant(f"{format_path(path)} verdict", where, "verdict", cond.verdict, new, source, new)
        elif isinstance(cond, m.Compare):
            yield from self._op((*path, "op"), cond.op, source)
            if isinstance(cond.value, dt.date):
                yield from self._date((*path, "value"), cond.value, source)
            else:
                yield from self._number((*path, "value"), cond.value, source)
        elif isinstance(cond, m.AtLeast):
            decl: Any = (
                self.facts.get(cond.fact)
                if cond.fact is not None
                else next((f for f in records.fields if f.id == cond.field), None)
                if records
                else None
            )
            ranks = [v.id for v in decl.values] if decl is not None else []
            if cond.at_least in ranks:
                k = ranks.index(cond.at_least)
                for op, j in (("rank+1", k + 1), ("rank-1", k - 1)):
                    if 0 <= j < len(ranks):
                        yield Mutant(
                            f"{format_path((*path, 'at_least'))} {op}",
                            (*path, "at_least"),
                            op,
                            cond.at_least,
                            ranks[j],
                            source,
                            ranks[j],
                        )


def apply(data: Any, mutant: Mutant) -> Any:
    """A deep copy of the parsed campaign ``data`` with ``mutant`` applied."""
    out = copy.deepcopy(data)
    *head, last = mutant.path
    node = out
    for key in head:
        node = node[key]
    if mutant.operator == "drop":
        del node[last]
    elif mutant.operator in ("any", "all"):
        old, new = mutant._new
        cond = node[last]
        node[last] = {new if k == old else k: v for k, v in cond.items()}
    else:
        node[last] = mutant._new
    return out


# --- running -------------------------------------------------------------------------------------


class _PythonEngines:
    """One Python-backend Engine per (mutant, parameters); duck-types the cases engine cache."""

    def __init__(self) -> None:
        self._engines: dict[tuple[tuple[str, float], ...], Any] = {}

    def get(self, case_file: CaseFile, params: Mapping[str, float]) -> Any:
        from emulation_rules.engine import Engine

        key = tuple(sorted(params.items()))
        if key not in self._engines:
            self._engines[key] = Engine(case_file.campaign, params=dict(params), backend="python")
        return self._engines[key]


def _first_failure(case_file: CaseFile) -> str | None:
    """The id of the first case that fails (or cannot run) on ``case_file.campaign``, if any."""
    engines = _PythonEngines()
    for loaded in case_file.cases:
        try:
            passed = run_case(case_file, loaded, engines=engines).passed  # type: ignore[arg-type]
        except (EmulationRulesError, KeyError, ValueError):
            passed = False  # the change makes the case unrunnable: noticed all the same
        if not passed:
            return loaded.case.id
    return None


def mutation_test(case_path: str | Any) -> MutationReport:
    """Mutate the campaign a case file names and run the file's cases against every mutant.

    Args:
        case_path: a case file (``campaigns/cases/<id>.yaml``).

    Returns:
        The :class:`MutationReport`.

    Raises:
        CaseFileError: the case file is invalid.
        CampaignError: the campaign is invalid, or its cases fail on the unmutated campaign
            (mutation testing needs a passing suite).
    """
    start = time.perf_counter()
    case_file = load_cases(case_path)
    failing = _first_failure(case_file)
    if failing is not None:
        raise CampaignError(
            f"{case_file.path}: case {failing!r} fails on the unmutated campaign "
            f"{case_file.campaign_path.name}; fix it before mutation testing"
        )
    data, smap = parse_yaml(case_file.campaign_path.read_bytes(), file=_shown(case_file))
    declared = dict(case_file.equivalent_mutants)
    case_yaml: tuple[Any, SourceMap] | None = None  # parsed once, for initiative mutants
    results: list[MutantResult] = []
    seen: set[str] = set()
    bounds = quota_bound_paths(case_file.campaign)
    for mutant in mutants(case_file.campaign):
        seen.add(mutant.id)
        where = smap.locate(mutant.path)
        try:
            campaign = validate_campaign(apply(data, mutant), SourceMap())
        except CampaignError as exc:
            problems = getattr(exc, "problems", ())
            results.append(
                MutantResult(
                    mutant,
                    "invalid",
                    where,
                    reason=", ".join(sorted({p.code for p in problems})) or str(exc),
                )
            )
            continue
        if mutant.path[0] == "initiatives":  # registers are judged when the cases load
            if case_yaml is None:
                case_yaml = parse_yaml(case_file.path.read_bytes(), file=str(case_file.path))
            try:
                mutated = load_cases(case_file.path, campaign=campaign, parsed=case_yaml)
            except EmulationRulesError:
                results.append(MutantResult(mutant, "killed", where, case="(case file refused)"))
                continue
        else:
            mutated = dataclasses.replace(case_file, campaign=campaign)
        killer = _first_failure(mutated)
        if killer is None and mutant.path in bounds:  # a population at the quota's boundary
            killer = boundary_killer(case_file.campaign, campaign, mutant.path)
        if killer is not None:
            results.append(MutantResult(mutant, "killed", where, case=killer))
        elif mutant.id in declared:
            results.append(MutantResult(mutant, "equivalent", where, reason=declared[mutant.id]))
        else:
            results.append(MutantResult(mutant, "survived", where))
    return MutationReport(
        str(case_file.path),
        case_file.campaign.id,
        tuple(results),
        time.perf_counter() - start,
        tuple(k for k in declared if k not in seen),
    )


def _shown(case_file: CaseFile) -> str:
    """The campaign file as the case file names it (relative to the working directory if it can)."""
    from pathlib import Path

    try:
        return str(case_file.campaign_path.relative_to(Path.cwd()))
    except ValueError:
        return str(case_file.campaign_path)


# --- reporting -----------------------------------------------------------------------------------


def render_mutation_report(reports: Sequence[MutationReport]) -> str:
    """A table per campaign (mutants, killed, invalid, equivalent, survived, score), then each
    survivor as ``file:line:col: id: before -> after (plan: Kế hoạch ... (dòng x-y))``."""
    lines = [
        f"{'campaign':<22} {'mutants':>7} {'killed':>6} {'invalid':>7} {'equiv':>5} "
        f"{'survived':>8} {'score':>6} {'time':>6}"
    ]
    for r in reports:
        lines.append(
            f"{r.campaign_id:<22} {len(r.results):>7} {r.count('killed'):>6} "
            f"{r.count('invalid'):>7} {r.count('equivalent'):>5} {r.count('survived'):>8} "
            f"{r.score:>5.1f}% {r.seconds:>5.1f}s"
        )
    for r in reports:
        for s in r.survivors:
            mu = s.mutant
            plan = f" (plan: {mu.source.cite()})" if mu.source else ""
            lines.append(
                f"{s.location or r.case_file}: survived: {mu.id}: {mu.before} -> {mu.after}{plan}"
            )
        for stale in r.unused_equivalents:
            lines.append(f"{r.case_file}: equivalent_mutants names no mutant: {stale!r}")
    total = sum(len(r.survivors) for r in reports)
    lines.append(f"{total} surviving mutant{'s' if total != 1 else ''}")
    return "\n".join(lines) + "\n"


def render_mutation_json(reports: Sequence[MutationReport]) -> str:
    """The reports as JSON (``format_version`` 1), one entry per mutant, for CI."""
    out = []
    for r in reports:
        out.append(
            {
                "case_file": r.case_file,
                "campaign": r.campaign_id,
                "seconds": round(r.seconds, 3),
                "score": round(r.score, 2),
                "counts": {k: r.count(k) for k in ("killed", "invalid", "equivalent", "survived")},
                "unused_equivalents": list(r.unused_equivalents),
                "mutants": [
                    {
                        "id": x.mutant.id,
                        "operator": x.mutant.operator,
                        "before": x.mutant.before,
                        "after": x.mutant.after,
                        "outcome": x.outcome,
                        "case": x.case,
                        "reason": x.reason,
                        "location": str(x.location) if x.location else None,
                        "cites": x.mutant.source.cite() if x.mutant.source else None,
                    }
                    for x in r.results
                ],
            }
        )
    return json.dumps({"format_version": 1, "campaigns": out}, ensure_ascii=False, indent=2) + "\n"
