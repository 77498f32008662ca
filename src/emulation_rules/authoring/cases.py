"""Author test cases: expected outcomes that policy staff write next to each campaign.

A case file shows that a campaign does what its plan says: for subjects with given facts, on a
given review date, each award gets the expected verdict (and, where stated, the expected
criterion statuses, missing facts, points and band), and each target (chỉ tiêu) the expected
status. Every expectation cites the plan line that justifies it. Case files live beside the
campaigns, in ``campaigns/cases/<campaign id>.yaml`` (so ``emulation-rules validate
campaigns/*.yaml`` does not take them for campaigns), and are run by ``emulation-rules test
PATH...`` and by pytest (``tests/unit/test_cases.py``).

The format::

    campaign: ../tkv_2019.yaml          # the campaign file, relative to this file
    fact_sets:                          # optional named sets of facts subjects can start from
      collective_meets_all: {launched_campaign: true, union_rating: strong, ...}
    cases:
      - id: strong_union_all_standards_met        # unique in the file
        description: "CĐCS đạt mọi tiêu chuẩn"     # optional
        as_of: 2019-12-31                          # optional review date (picks the phase)
        params: {many_individuals_min: 2}          # optional parameter overrides
        subjects:                                  # as in a facts file (facts.py)
          - id: CD-A
            kind: collective
            level: grassroots_union
            use: collective_meets_all              # optional: start from a fact set ...
            facts: {union_rating: fair}            # ... then these (null leaves a fact out)
        expect:                                    # award outcomes
          - subject: CD-A
            award: collective_recognition
            verdict: awarded                       # or not_awarded, incomplete, not_eligible
            criteria: {rated_strong: pass}         # optional: statuses of the named criteria
            missing: [union_rating]                # optional: exactly the missing facts
            points: 90                             # optional (score sheets)
            band: strong                           # optional (score sheets)
            source: {doc: plan, lines: [102, 102]}   # required citation
            why: "L102: vững mạnh trở lên"          # optional note
        targets:                                   # optional target outcomes
          - target: members_recruited
            phase: phase_1                         # optional when only one phase is judged
            status: met                            # met | not_met | pending | unknown | not_judged
            value: 12000                           # optional computed figure
            source: {doc: plan, lines: [88, 88]}
        quotas:                                    # optional quota outcomes (quotas.py)
          - quota: direct_workers_among_commended
            status: met                            # met | not_met | unknown
            awardees: 20                           # optional: size of the award set
            qualifying: 3                          # optional
            shortfall: 0                           # optional
            excess: 1                              # optional: over a cap (not grouped)
            groups: {CD-B: not_met, no unit: met}  # optional: status per unit/level group
            outcomes: {B1: over_quota}             # optional: within_quota | over_quota | tied_at_cap
            source: {doc: plan, lines: [14, 14]}
        initiatives: [...]                         # optional register, as in a facts file

Rules: every expectation needs a ``source`` citing one of the campaign's ``documents``;
the subjects, awards, criteria and targets named must exist; an award named for a subject must
apply to the subject's kind. A case with ``targets`` judges them with
:func:`~emulation_rules.targets.evaluate_targets` over the case's subjects, for the phase its
``as_of`` falls in (or each expectation's ``phase``). A file with a problem is refused as a
whole (:class:`CaseFileError`, every problem located as ``file:line:column``).

Outcomes are computed by the durable-rules :class:`~emulation_rules.engine.Engine`, created once
per campaign file and parameter set and reused across cases.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulation_rules.authoring.case_files import CaseFile, ExpectedAward, ExpectedQuota, LoadedCase, load_cases
from emulation_rules.campaign import model as m
from emulation_rules.campaign.money import plain_number
from emulation_rules.campaign.reading import InputFileError, read_limited
from emulation_rules.campaign.safe_yaml import MAX_BYTES
from emulation_rules.errors import (
    CaseFileError,
    Problem,
    ReviewDateError,
    SourceLocation,
)
from emulation_rules.evaluate.result import AwardResult, Evaluation
from emulation_rules.results.quotas import bound_text

__all__ = [
    "CaseFile",
    "CaseResult",
    "Mismatch",
    "find_case_files",
    "load_cases",
    "render_results",
    "run_case",
    "run_case_file",
    "run_cases",
]


@dataclass(frozen=True)
class Mismatch:
    """One expected value that the evaluation did not give.

    Attributes:
        what: ``"<subject> / <award>"`` or ``"target <id> [<phase>]"``.
        item: which part differs: ``verdict``, ``criterion <id>``, ``missing``, ``points``,
            ``band``, ``status``, ``value``.
        expected: the expected value, as written.
        actual: the value computed.
        source: the citation given for the expectation.
        location: where the expectation stands in the case file.
        detail: the actual outcome in words (failing criteria, missing facts, reason).
    """

    what: str
    item: str
    expected: Any
    actual: Any
    source: m.Source
    location: SourceLocation | None
    detail: str = ""


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case: passed when there is no mismatch."""

    file: Path
    case_id: str
    location: SourceLocation | None
    checked: int
    mismatches: tuple[Mismatch, ...] = ()

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.mismatches


# --- loading -----------------------------------------------------------------------------------


class _Engines:
    """One durable-rules Engine per (campaign file, parameters), created on first use."""

    def __init__(self) -> None:
        self._engines: dict[tuple[Path, tuple[tuple[str, float], ...]], Any] = {}

    def get(self, case_file: CaseFile, params: Mapping[str, float]) -> Any:
        from emulation_rules.engine import Engine

        key = (case_file.campaign_path, tuple(sorted(params.items())))
        if key not in self._engines:
            self._engines[key] = Engine(case_file.campaign, params=dict(params))
        return self._engines[key]


_SHARED_ENGINES = _Engines()


def run_case_file(case_file: CaseFile, *, engines: _Engines | None = None) -> list[CaseResult]:
    """Run every case of a loaded case file.

    Args:
        case_file: from :func:`load_cases`.
        engines: an engine cache to share across files (default: a process-wide one, so each
            campaign and parameter set compiles once).

    Returns:
        One :class:`CaseResult` per case, in file order.

    Raises:
        EvaluationError: durable-rules failed.
    """
    return [run_case(case_file, loaded, engines=engines) for loaded in case_file.cases]


def run_case(
    case_file: CaseFile, loaded: LoadedCase, *, engines: _Engines | None = None
) -> CaseResult:
    """Run one case of ``case_file`` and compare every expectation; see :func:`run_case_file`."""
    engine = (engines or _SHARED_ENGINES).get(case_file, loaded.case.params)
    case = loaded.case
    mismatches: list[Mismatch] = []
    checked = 0
    evaluation: Evaluation | None = None
    refused: ReviewDateError | None = None
    if case.expect or case.quotas:
        try:
            evaluation = engine.evaluate(loaded.submission, as_of=case.as_of)
        except ReviewDateError as exc:  # a review date in no phase: nothing is judged (issue 11)
            refused = exc
    for exp, where in zip(case.expect, loaded.expect_locations, strict=True):
        checked += 1
        if evaluation is None:
            mismatches.append(Mismatch(f"{exp.subject} / {exp.award}", "verdict", exp.verdict,
                                       "refused", exp.source, where, str(refused)))
            continue
        mismatches.extend(_compare_award(exp, evaluation, where))
    if case.targets:
        mismatches.extend(_compare_targets(case_file, loaded))
        checked += len(case.targets)
    for exp_q in case.quotas:
        checked += 1
        if evaluation is None:
            mismatches.append(Mismatch(f"quota {exp_q.quota}", "status", exp_q.status, "refused",
                                       exp_q.source, loaded.location, str(refused)))
            continue
        mismatches.extend(_compare_quota(exp_q, evaluation, loaded.location))
    return CaseResult(case_file.path, case.id, loaded.location, checked, tuple(mismatches))


def _outcome(a: AwardResult) -> str:
    parts = []
    failing = [c.criterion_id for c in a.criteria if c.status == "fail"]
    unknown = [c.criterion_id for c in a.criteria if c.status == "unknown"]
    if failing:
        parts.append("failing: " + ", ".join(failing))
    if unknown:
        parts.append("unknown: " + ", ".join(unknown))
    if a.missing_facts:
        parts.append("missing: " + ", ".join(a.missing_facts))
    if a.points is not None:
        parts.append(f"points {a.points:g}" + (f", band {a.band}" if a.band else ""))
    if a.reason:
        parts.append(a.reason)
    return "; ".join(parts)


def _compare_award(
    exp: ExpectedAward, evaluation: Evaluation, where: SourceLocation | None
) -> list[Mismatch]:
    what = f"{exp.subject} / {exp.award}"
    try:
        result = evaluation.subject(exp.subject).award(exp.award)
    except KeyError:
        return [Mismatch(what, "verdict", exp.verdict, "no result", exp.source, where)]
    detail = _outcome(result)
    out: list[Mismatch] = []

    def differ(item: str, expected: Any, actual: Any) -> None:
        out.append(Mismatch(what, item, expected, actual, exp.source, where, detail))

    if result.verdict != exp.verdict:
        differ("verdict", exp.verdict, result.verdict)
    statuses = {c.criterion_id: c.status for c in result.criteria}
    for cid, status in exp.criteria.items():
        if statuses.get(cid) != status:
            differ(f"criterion {cid}", status, statuses.get(cid, "not evaluated"))
    if exp.missing is not None and sorted(exp.missing) != sorted(result.missing_facts):
        differ("missing", sorted(exp.missing), sorted(result.missing_facts))
    if exp.points is not None and (result.points is None or abs(result.points - exp.points) > 1e-9):
        differ("points", exp.points, result.points)
    if exp.band is not None and result.band != exp.band:
        differ("band", exp.band, result.band)
    return out


def _compare_quota(
    exp: ExpectedQuota, evaluation: Evaluation, where: SourceLocation | None
) -> list[Mismatch]:
    what = f"quota {exp.quota}"
    result = next((q for q in evaluation.quotas if q.quota_id == exp.quota), None)
    if result is None:
        return [Mismatch(what, "status", exp.status, "not judged", exp.source, where)]
    detail = (f"{result.qualifying} of {result.awardees} awardees qualify"
              f"{f', {result.undecided} undecided' if result.undecided else ''}; "
              + (bound_text(result) if result.extended else f"required >= {result.required:g}%"))
    groups = {g.label: g for g in result.groups}
    placed = {o.subject: o.status for o in result.outcomes}
    checks: list[tuple[str, Any, Any]] = [
        ("status", exp.status, result.status),
        ("awardees", exp.awardees, result.awardees),
        ("qualifying", exp.qualifying, result.qualifying),
        ("shortfall", exp.shortfall, result.shortfall),
        ("excess", exp.excess, result.excess),
    ]
    checks += [(f"group {k}", v, groups[k].status if k in groups else "no such group") for k, v in exp.groups.items()]
    checks += [(f"subject {k}", v, placed.get(k, "not placed")) for k, v in exp.outcomes.items()]
    out = []
    for item, expected, actual in checks:
        if expected is not None and expected != actual:
            out.append(Mismatch(what, item, expected, actual, exp.source, where, detail))
    return out


def _compare_targets(case_file: CaseFile, loaded: LoadedCase) -> list[Mismatch]:
    from emulation_rules.results.targets import evaluate_targets

    case = loaded.case
    out: list[Mismatch] = []
    reports: dict[str | None, Any] = {}
    for exp, where in zip(case.targets, loaded.target_locations, strict=True):
        if exp.phase not in reports:
            try:
                reports[exp.phase] = evaluate_targets(
                    case_file.campaign,
                    loaded.submission,
                    phase=exp.phase,
                    as_of=case.as_of,
                    params=case.params,
                )
            except KeyError:  # the review date lies in no phase: no target is judged
                reports[exp.phase] = None
        report = reports[exp.phase]
        judged = exp.phase or (report.phase if report is not None else None)
        what = f"target {exp.target} [{judged or 'no phase'}]"
        try:
            if report is None:
                raise KeyError(exp.target)
            result = report.result(exp.target, exp.phase and report.phase)  # the id of a label
        except KeyError:
            if exp.status == "not_judged":
                continue
            out.append(
                Mismatch(
                    what,
                    "status",
                    exp.status,
                    "not judged",
                    exp.source,
                    where,
                    f"the target sets no figure for phase {judged}" if judged
                    else f"{case.as_of} lies in no phase of the campaign",
                )
            )
            continue
        detail = (
            f"value {plain_number(result.value)}; the figure is {result.op} {plain_number(result.target)}"
            if result.value is not None
            else (result.reason or "")
        )
        if result.status != exp.status:
            out.append(
                Mismatch(what, "status", exp.status, result.status, exp.source, where, detail)
            )
        if exp.value is not None and (result.value is None or abs(result.value - exp.value) > 1e-9):
            out.append(Mismatch(what, "value", exp.value, result.value, exp.source, where, detail))
    return out


# --- finding and reporting ---------------------------------------------------------------------


def find_case_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Case files among ``paths``: files as given; directories searched recursively for YAML
    files whose top level has a ``cases`` key (campaign files are skipped).

    Raises:
        CaseFileError: a path that does not exist.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for p in map(Path, paths):
        try:
            mode = os.stat(p).st_mode
        except OSError as exc:  # missing, or a name too long (ENAMETOOLONG): an input problem
            reason = "no such file or directory" if isinstance(exc, FileNotFoundError) else exc.strerror or exc
            problems.append(Problem("unreadable", str(reason), location=SourceLocation(str(p), 1)))
            continue
        if stat.S_ISDIR(mode):
            for f in sorted([*p.rglob("*.yaml"), *p.rglob("*.yml")]):
                if _looks_like_cases(f):
                    found.append(f)
        elif stat.S_ISREG(mode):
            found.append(p)
        else:
            kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a character device" if stat.S_ISCHR(mode)
                    else "a block device" if stat.S_ISBLK(mode) else "not a regular file")
            problems.append(Problem("not-a-file", f"{kind}, not a case file",
                                    location=SourceLocation(str(p), 1)))
    if problems:
        raise CaseFileError(problems)
    return list(dict.fromkeys(found))


def _looks_like_cases(path: Path) -> bool:
    try:
        text = read_limited(path, MAX_BYTES).decode("utf-8")
    except (InputFileError, UnicodeDecodeError):
        return False
    return any(line.startswith("cases:") for line in text.splitlines())


def run_cases(paths: Sequence[str | os.PathLike[str]], *,
              loaded: Callable[[list[CaseFile]], None] | None = None) -> list[CaseResult]:
    """Find, load and run every case file under ``paths`` (see :func:`find_case_files`).

    Args:
        paths: case files or directories.
        loaded: called with the loaded case files before any case runs (the CLI notes there
            which campaigns cite lines it could not check).

    Raises:
        CaseFileError: a case file is invalid (nothing is run).
        CampaignError: a campaign it names is invalid.
    """
    files = [load_cases(f) for f in find_case_files(paths)]
    if loaded is not None:
        loaded(files)
    pool = _Engines()
    return [r for cf in files for r in run_case_file(cf, engines=pool)]


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def render_results(results: Sequence[CaseResult], *, failures_only: bool = False) -> str:
    """A report: one line per case (``ok``/``FAIL``), then an expected-vs-actual diff for each
    failing expectation with its citation, then a summary line over every case.

    Args:
        results: from :func:`run_cases` or :func:`run_case_file`.
        failures_only: leave out the ``ok`` lines.
    """
    lines: list[str] = []
    for r in results:
        if failures_only and r.passed:
            continue
        head = f"{'ok  ' if r.passed else 'FAIL'} {r.file}::{r.case_id}"
        lines.append(head + (f" ({r.checked} expectations)" if r.passed else ""))
        for mm in r.mismatches:
            where = f"{mm.location}: " if mm.location else ""
            lines.append(f"    {where}{mm.what}: {mm.item}")
            lines.append(f"      - expected: {_show(mm.expected)}")
            lines.append(f"      + actual:   {_show(mm.actual)}")
            if mm.detail:
                lines.append(f"        ({mm.detail})")
            lines.append(f"        plan: {mm.source.cite()}")
    failed = sum(not r.passed for r in results)
    total = sum(r.checked for r in results)
    lines.append(
        f"{len(results) - failed} passed, {failed} failed "
        f"({len(results)} cases, {total} expectations)"
    )
    return "\n".join(lines) + "\n"
