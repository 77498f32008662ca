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
            source: {seed: 000_40cc82fbe8059212.txt, lines: [102, 102]}   # required citation
            why: "L102: vững mạnh trở lên"          # optional note
        targets:                                   # optional target outcomes
          - target: members_recruited
            phase: phase_1                         # optional when only one phase is judged
            status: met                            # met | not_met | pending | unknown
            value: 12000                           # optional computed figure
            source: {seed: 004_a47499433eb9c31a.txt, lines: [88, 88]}
        quotas:                                    # optional quota outcomes (quotas.py)
          - quota: direct_workers_among_commended
            status: met                            # met | not_met | unknown
            awardees: 20                           # optional: size of the award set
            qualifying: 3                          # optional
            shortfall: 0                           # optional
            source: {seed: 001_0bb5bd67ed852005.txt, lines: [14, 14]}
        initiatives: [...]                         # optional register, as in a facts file

Rules: every expectation needs a ``source`` whose ``seed`` is the campaign's ``source_seed``;
the subjects, awards, criteria and targets named must exist; an award named for a subject must
apply to the subject's kind. A case with ``targets`` judges them with
:func:`~emulation_rules.targets.evaluate_targets` over the case's subjects, for the phase its
``as_of`` falls in (or each expectation's ``phase``). A file with a problem is refused as a
whole (:class:`CaseFileError`, every problem located as ``file:line:column``).

Outcomes are computed by the durable-rules :class:`~emulation_rules.engine.Engine`, created once
per campaign file and parameter set and reused across cases.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emulation_rules.campaign import model as m
from emulation_rules.campaign.loader import load_campaign
from emulation_rules.campaign.safe_yaml import SourceMap, parse_yaml
from emulation_rules.errors import (
    CaseFileError,
    FactsError,
    PathItem,
    Problem,
    SourceLocation,
    YAMLSyntaxError,
)
from emulation_rules.evaluate.result import AwardResult, Evaluation
from emulation_rules.facts.reader import Submission, parse_facts
from emulation_rules.facts.vocab import choose, phase_choices, unknown_message

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

Verdict = Literal["awarded", "not_awarded", "incomplete", "not_eligible"]


# --- the file format (pydantic, frozen, unknown keys are errors) -----------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectedAward(_Model):
    """The expected outcome of one award for one subject."""

    subject: str = Field(description="Subject id, as in the case's subjects.")
    award: m.Ident = Field(description="Award id of the campaign.")
    verdict: Verdict
    criteria: dict[str, Literal["pass", "fail", "unknown"]] = Field(
        default_factory=dict, description="Expected status of the named criteria (a subset)."
    )
    missing: tuple[str, ...] | None = Field(
        default=None, description="Exactly the facts expected to be missing (order ignored)."
    )
    points: float | None = Field(default=None, description="Expected score-sheet total.")
    band: str | None = Field(default=None, description="Expected score-sheet band.")
    source: m.Source = Field(description="The plan line that justifies the expected verdict.")
    why: str | None = None


class ExpectedTarget(_Model):
    """The expected status of one target (chỉ tiêu)."""

    target: m.Ident
    phase: str | None = Field(default=None, description="Phase judged (id or label); default: the case's.")
    status: Literal["met", "not_met", "pending", "unknown"]
    value: float | None = Field(default=None, description="Expected computed figure.")
    source: m.Source
    why: str | None = None


class ExpectedQuota(_Model):
    """The expected outcome of one quota on the award set (Điện Biên 001 L14)."""

    quota: m.Ident
    status: Literal["met", "not_met", "unknown"]
    awardees: int | None = Field(default=None, description="Expected size of the award set.")
    qualifying: int | None = Field(default=None, description="Expected qualifying awardees.")
    shortfall: int | None = Field(default=None, description="Expected shortfall (see quotas.py).")
    source: m.Source
    why: str | None = None


class Case(_Model):
    """One author test case: subjects, a review date, and expected outcomes."""

    id: m.Ident
    description: str | None = None
    as_of: dt.date | None = None
    params: dict[str, float] = Field(default_factory=dict)
    subjects: list[Any] = Field(min_length=1, description="Subjects as in a facts file.")
    expect: tuple[ExpectedAward, ...] = ()
    targets: tuple[ExpectedTarget, ...] = ()
    quotas: tuple[ExpectedQuota, ...] = ()
    initiatives: list[Any] = Field(
        default_factory=list, description="An initiative register, as in a facts file (initiatives.py)."
    )


class _CaseFileModel(_Model):
    campaign: str = Field(description="Campaign file, relative to the case file.")
    fact_sets: dict[m.Ident, dict[str, Any]] = Field(
        default_factory=dict,
        description="Named sets of facts; a subject's 'use' starts from one (or a list), then its "
        "own 'facts' override (null leaves a fact out).",
    )
    cases: tuple[Case, ...] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedCase:
    """A validated case with its subjects coerced and where it stands in its file."""

    case: Case
    submission: Submission
    location: SourceLocation | None
    expect_locations: tuple[SourceLocation | None, ...]
    target_locations: tuple[SourceLocation | None, ...]


@dataclass(frozen=True)
class CaseFile:
    """A loaded case file: its campaign and its validated cases.

    Attributes:
        path: the case file.
        campaign_path: the campaign file it names.
        campaign: the loaded campaign.
        cases: the cases, in file order.
    """

    path: Path
    campaign_path: Path
    campaign: m.Campaign
    cases: tuple[LoadedCase, ...]


# --- results ----------------------------------------------------------------------------------


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


def load_cases(path: str | os.PathLike[str]) -> CaseFile:
    """Load and check a case file and the campaign it names.

    Args:
        path: a case file (YAML).

    Returns:
        The :class:`CaseFile`, its subjects validated and coerced by :func:`parse_facts`.

    Raises:
        CaseFileError: unreadable YAML, an unknown key, a missing citation, a subject, award,
            criterion or target that does not exist, invalid facts; every problem located.
        CampaignError: the campaign file it names is missing or invalid.
    """
    file = Path(path)
    name = str(file)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise CaseFileError(
            [
                Problem(
                    "unreadable",
                    f"cannot read: {exc.strerror or exc}",
                    location=SourceLocation(name, 1),
                )
            ]
        ) from None
    try:
        data, smap = parse_yaml(raw, file=name)
    except YAMLSyntaxError as exc:
        raise CaseFileError(exc.problems) from None
    try:
        model = _CaseFileModel.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        paths = [tuple(err["loc"]) for err in errors]
        raise CaseFileError(
            [
                _pydantic_problem(err, smap)
                for err, path in zip(errors, paths, strict=True)
                # a list too short only because its items failed is not a problem of its own
                if not (
                    err["type"] == "too_short" and any(p[: len(path)] == path != p for p in paths)
                )
            ]
        ) from None
    campaign_path = (file.parent / model.campaign).resolve()
    campaign = load_campaign(campaign_path)
    problems: list[Problem] = []
    loaded: list[LoadedCase] = []
    seen: set[str] = set()
    for i, case in enumerate(model.cases):
        base: tuple[PathItem, ...] = ("cases", i)
        if case.id in seen:
            problems.append(
                Problem(
                    "duplicate-id",
                    f"case id {case.id!r} is used twice",
                    (*base, "id"),
                    smap.locate((*base, "id")),
                )
            )
        seen.add(case.id)
        submission = _subjects(case, campaign, model.fact_sets, smap, base, problems)
        _check_case(case, campaign, submission, smap, base, problems)
        loaded.append(
            LoadedCase(
                case,
                submission,
                smap.locate(base),
                tuple(smap.locate((*base, "expect", j)) for j in range(len(case.expect))),
                tuple(smap.locate((*base, "targets", j)) for j in range(len(case.targets))),
            )
        )
    if problems:
        raise CaseFileError(problems)
    return CaseFile(file, campaign_path, campaign, tuple(loaded))


def _pydantic_problem(err: Mapping[str, Any], smap: SourceMap) -> Problem:
    path = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    kind = err["type"]
    code = {
        "extra_forbidden": "unknown-key",
        "missing": "missing-key",
        "literal_error": "bad-choice",
        "string_pattern_mismatch": "bad-identifier",
    }.get(kind, "invalid-value")
    message = err["msg"]
    if code == "unknown-key":
        message = f"unknown key {path[-1]!r}"
    elif code == "missing-key":
        message = f"missing required key {path[-1]!r}"
        if path[-1] == "source":
            message += " (every expectation cites the plan line that justifies it)"
    where = smap.locate(
        path[:-1] if code == "missing-key" else path, prefer_key=code == "unknown-key"
    )
    return Problem(code, message, path, where)


def _subjects(
    case: Case,
    campaign: m.Campaign,
    fact_sets: Mapping[str, Mapping[str, Any]],
    smap: SourceMap,
    base: tuple[PathItem, ...],
    problems: list[Problem],
) -> Submission:
    """Validate the case's subjects with the facts reader, problems located in the case file.

    A subject's ``use`` names fact sets (a name or a list) merged in order under its own
    ``facts``; a fact given as null in ``facts`` is left out.
    """
    prefix = (*base, "subjects")
    sub = SourceMap(file=smap.file)
    for key in ("subjects", "initiatives"):
        pre = (*base, key)
        for table, target in ((smap.values, sub.values), (smap.keys, sub.keys)):
            for path, loc in table.items():
                if path[: len(pre)] == pre:
                    target[(key, *path[len(pre) :])] = loc
    raw_subjects: list[Any] = []
    for j, raw in enumerate(case.subjects):
        if isinstance(raw, dict) and "use" in raw:
            raw = dict(raw)
            names = raw.pop("use")
            merged: dict[str, Any] = {}
            for name in (
                [names] if isinstance(names, str) else names if isinstance(names, list) else [names]
            ):
                if not isinstance(name, str) or name not in fact_sets:
                    path = (*prefix, j, "use")
                    problems.append(
                        Problem(
                            "unknown-fact-set",
                            f"no fact set {name!r} in this file",
                            path,
                            smap.locate(path),
                        )
                    )
                    continue
                merged.update(fact_sets[name])
            own = raw.get("facts") or {}
            if isinstance(own, dict):
                merged.update(own)
                raw["facts"] = {k: v for k, v in merged.items() if v is not None}
        raw_subjects.append(raw)
    try:
        data: dict[str, Any] = {"subjects": raw_subjects}
        if case.initiatives:
            data["initiatives"] = case.initiatives
        return parse_facts(data, campaign, source_map=sub)
    except FactsError as exc:
        for p in exc.problems:
            problems.append(Problem(p.code, p.message, (*base, *p.path), p.location, p.hint))
        return Submission(())


def _check_case(
    case: Case,
    campaign: m.Campaign,
    submission: Submission,
    smap: SourceMap,
    base: tuple[PathItem, ...],
    problems: list[Problem],
) -> None:
    def add(code: str, message: str, path: tuple[PathItem, ...]) -> None:
        problems.append(Problem(code, message, path, smap.locate(path)))

    params = {p.id for p in campaign.parameters}
    for key in case.params:
        if key not in params:
            add("unknown-param", f"unknown parameter {key!r}", (*base, "params", key))
    kinds = {s.id: s.kind for s in submission.subjects}
    ids = [s.get("id") if isinstance(s, dict) else None for s in case.subjects]
    awards = {a.id: a for a in campaign.awards}
    for j, exp in enumerate(case.expect):
        path = (*base, "expect", j)
        _check_source(exp.source, campaign, (*path, "source"), add)
        if exp.subject not in kinds and exp.subject not in {str(x) for x in ids}:
            add("unknown-subject", f"no subject {exp.subject!r} in this case", (*path, "subject"))
        award = awards.get(exp.award)
        if award is None:
            add(
                "unknown-award",
                f"campaign {campaign.id!r} has no award {exp.award!r}",
                (*path, "award"),
            )
            continue
        kind = kinds.get(exp.subject)
        if kind is not None and kind != award.subject:
            add(
                "fact-subject-mismatch",
                f"award {award.id!r} is for {award.subject} subjects; {exp.subject!r} is {kind}",
                (*path, "award"),
            )
        known = {c.id for c in award.criteria} | ({"score_sheet"} if award.score_sheet else set())
        for cid in exp.criteria:
            if cid not in known:
                add(
                    "unknown-criterion",
                    f"award {award.id!r} has no criterion {cid!r}",
                    (*path, "criteria", cid),
                )
        if exp.missing is not None:
            for k, fid in enumerate(exp.missing):
                if fid not in {f.id for f in campaign.facts}:
                    add("unknown-fact", f"unknown fact {fid!r}", (*path, "missing", k))
        if (exp.points is not None or exp.band is not None) and award.score_sheet is None:
            add("score-sheet", f"award {award.id!r} has no score sheet", path)
    targets = {t.id for t in campaign.targets}
    phases = phase_choices(campaign)
    for j, exp_t in enumerate(case.targets):
        path = (*base, "targets", j)
        _check_source(exp_t.source, campaign, (*path, "source"), add)
        if exp_t.target not in targets:
            add(
                "unknown-target",
                f"campaign {campaign.id!r} has no target {exp_t.target!r}",
                (*path, "target"),
            )
        if exp_t.phase is not None and choose(exp_t.phase, phases) is None:
            add("unknown-phase", " ".join(filter(None, unknown_message("phase", exp_t.phase, phases))),
                (*path, "phase"))
        if exp_t.phase is None and case.as_of is None:
            add("missing-key", "a target expectation needs 'phase' or the case's 'as_of'", path)
    quotas = {q.id for q in campaign.quotas}
    for j, exp_q in enumerate(case.quotas):
        path = (*base, "quotas", j)
        _check_source(exp_q.source, campaign, (*path, "source"), add)
        if exp_q.quota not in quotas:
            add("unknown-quota", f"campaign {campaign.id!r} has no quota {exp_q.quota!r}", (*path, "quota"))


def _check_source(
    source: m.Source, campaign: m.Campaign, path: tuple[PathItem, ...], add: Any
) -> None:
    if source.seed != campaign.source_seed:
        add(
            "source-seed-mismatch",
            f"cites {source.seed!r} but the campaign encodes {campaign.source_seed!r}",
            (*path, "seed"),
        )


# --- running -----------------------------------------------------------------------------------


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
    evaluation: Evaluation = engine.evaluate(loaded.submission, as_of=case.as_of)
    mismatches: list[Mismatch] = []
    checked = 0
    for exp, where in zip(case.expect, loaded.expect_locations, strict=True):
        checked += 1
        mismatches.extend(_compare_award(exp, evaluation, where))
    if case.targets:
        mismatches.extend(_compare_targets(case_file, loaded))
        checked += len(case.targets)
    for exp_q in case.quotas:
        checked += 1
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
              f"required >= {result.required:g}%")
    out = []
    for item, expected, actual in (
        ("status", exp.status, result.status),
        ("awardees", exp.awardees, result.awardees),
        ("qualifying", exp.qualifying, result.qualifying),
        ("shortfall", exp.shortfall, result.shortfall),
    ):
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
            reports[exp.phase] = evaluate_targets(
                case_file.campaign,
                loaded.submission,
                phase=exp.phase,
                as_of=case.as_of,
                params=case.params,
            )
        report = reports[exp.phase]
        what = f"target {exp.target}" + (f" [{exp.phase or report.phase}]")
        try:
            result = report.result(exp.target, exp.phase and report.phase)  # the id of a label
        except KeyError:
            out.append(
                Mismatch(
                    what,
                    "status",
                    exp.status,
                    "not judged",
                    exp.source,
                    where,
                    f"the target sets no figure for phase {exp.phase or report.phase}",
                )
            )
            continue
        detail = (
            f"value {result.value:g}; the figure is {result.op} {result.target:g}"
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
        if p.is_dir():
            for f in sorted([*p.rglob("*.yaml"), *p.rglob("*.yml")]):
                if _looks_like_cases(f):
                    found.append(f)
        elif p.is_file():
            found.append(p)
        else:
            problems.append(
                Problem(
                    "unreadable", "no such file or directory", location=SourceLocation(str(p), 1)
                )
            )
    if problems:
        raise CaseFileError(problems)
    return list(dict.fromkeys(found))


def _looks_like_cases(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith("cases:") for line in text.splitlines())


def run_cases(paths: Sequence[str | os.PathLike[str]]) -> list[CaseResult]:
    """Find, load and run every case file under ``paths`` (see :func:`find_case_files`).

    Raises:
        CaseFileError: a case file is invalid (nothing is run).
        CampaignError: a campaign it names is invalid.
    """
    files = [load_cases(f) for f in find_case_files(paths)]
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
