"""Author test-case files: their model, reading and checking (format: :mod:`.cases`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emulation_rules.campaign import model as m
from emulation_rules.campaign.loader import model_at
from emulation_rules.campaign.opening import load_campaign
from emulation_rules.campaign.reading import InputFileError, read_limited
from emulation_rules.campaign.safe_yaml import MAX_BYTES, SourceMap, parse_yaml
from emulation_rules.errors import (
    PYDANTIC_CODES,
    CaseFileError,
    FactsError,
    PathItem,
    Problem,
    ProblemCode,
    SourceLocation,
    YAMLSyntaxError,
    unknown_id,
    unknown_key,
)
from emulation_rules.evaluate.result import Status, VerdictKind
from emulation_rules.evaluate.semantics import AS_OF, HISTORY
from emulation_rules.evaluate.units import lower
from emulation_rules.facts.reader import Submission, parse_facts
from emulation_rules.facts.vocab import choose, phase_choices, unknown_message
from emulation_rules.results.quota_ranking import OutcomeStatus
from emulation_rules.results.quotas import QuotaStatus
from emulation_rules.results.targets import TargetStatus

Verdict = VerdictKind


# --- the file format (pydantic, frozen, unknown keys are errors) -----------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectedAward(_Model):
    """The expected outcome of one award for one subject."""

    subject: str = Field(description="Subject id, as in the case's subjects.")
    award: m.Ident = Field(description="Award id of the campaign.")
    verdict: Verdict
    criteria: dict[str, Status] = Field(
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
    status: TargetStatus | Literal["not_judged"] = Field(
        description="not_judged: the review date lies in no phase that sets a figure for the "
        "target (before the plan starts, after it ends, or in another round).")
    value: float | None = Field(default=None, description="Expected computed figure.")
    source: m.Source
    why: str | None = None


class ExpectedQuota(_Model):
    """The expected outcome of one quota on the award set (Điện Biên 001 L14)."""

    quota: m.Ident
    status: QuotaStatus
    awardees: int | None = Field(default=None, description="Expected size of the award set.")
    qualifying: int | None = Field(default=None, description="Expected qualifying awardees.")
    shortfall: int | None = Field(default=None, description="Expected shortfall (see quotas.py).")
    excess: int | None = Field(default=None, description="Expected excess over a cap (not grouped).")
    groups: dict[str, QuotaStatus] = Field(
        default_factory=dict, description="Expected status per group: unit or level id, or 'no unit', 'no level'."
    )
    outcomes: dict[str, OutcomeStatus] = Field(
        default_factory=dict, description="Expected place per subject id in an over-cap group (ranking)."
    )
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
    equivalent_mutants: tuple[EquivalentMutant, ...] = Field(
        default=(), description="Mutants (emulation_rules.authoring.mutate) that cannot change any "
        "verdict, each with the reason; reported as equivalent, not as survivors.")


class EquivalentMutant(_Model):
    """A mutant declared equivalent: no submission can tell it from the campaign."""

    mutant: str = Field(description="The mutant's id, e.g. 'targets[3].values[0].value +1'.")
    reason: str = Field(min_length=10, description="Why no verdict can change.")


_CaseFileModel.model_rebuild()


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
        equivalent_mutants: ``(mutant id, reason)`` declared in the file (mutate.py).
    """

    path: Path
    campaign_path: Path
    campaign: m.Campaign
    cases: tuple[LoadedCase, ...]
    equivalent_mutants: tuple[tuple[str, str], ...] = ()


# --- results ----------------------------------------------------------------------------------



def load_cases(
    path: str | os.PathLike[str],
    *,
    campaign: m.Campaign | None = None,
    parsed: tuple[Any, SourceMap] | None = None,
) -> CaseFile:
    """Load and check a case file and the campaign it names.

    Args:
        path: a case file (YAML).
        campaign: use this campaign instead of loading the file the case file names (the
            mutation tester passes a changed campaign, so initiative registers are judged by it).
        parsed: the file's YAML as :func:`parse_yaml` returned it, when already parsed (the
            mutation tester reloads one file for many campaigns; it is not modified).

    Returns:
        The :class:`CaseFile`, its subjects validated and coerced by :func:`parse_facts`.

    Raises:
        CaseFileError: unreadable YAML, an unknown key, a missing citation, a subject, award,
            criterion or target that does not exist, invalid facts; every problem located.
        CampaignError: the campaign file it names is missing or invalid.
    """
    file = Path(path)
    name = str(file)
    if parsed is not None:
        return _build(file, *parsed, campaign)
    try:
        raw = read_limited(file, MAX_BYTES)  # bounded; a FIFO or a device is refused
    except InputFileError as exc:
        raise CaseFileError(
            [
                Problem(
                    exc.code,
                    f"cannot read: {exc.message}",
                    location=SourceLocation(name, 1),
                )
            ]
        ) from None
    try:
        data, smap = parse_yaml(raw, file=name)
    except YAMLSyntaxError as exc:
        raise CaseFileError(exc.problems) from None
    return _build(file, data, smap, campaign)


def _build(file: Path, data: Any, smap: SourceMap, campaign: m.Campaign | None) -> CaseFile:
    m.build_models()
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
    if campaign is None:
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
    return CaseFile(file, campaign_path, campaign, tuple(loaded),
                    tuple((e.mutant, e.reason) for e in model.equivalent_mutants))


def _pydantic_problem(err: Mapping[str, Any], smap: SourceMap) -> Problem:
    path = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
    kind = err["type"]
    code: ProblemCode = "invalid-value" if kind == "union_tag_not_found" else PYDANTIC_CODES.get(kind, "invalid-value")
    message = err["msg"]
    hint = None
    if code == "unknown-key":
        cls = model_at(_CaseFileModel, tuple(err["loc"]))
        message, hint = unknown_key(path[-1], [i.alias or n for n, i in cls.model_fields.items()]
                                    if cls is not None else [])
    elif code == "missing-key":
        message = f"missing required key {path[-1]!r}"
        if path[-1] == "source":
            message += " (every expectation cites the plan line that justifies it)"
    where = smap.locate(
        path[:-1] if code == "missing-key" else path, prefer_key=code == "unknown-key"
    )
    return Problem(code, message, path, where, hint)


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
                    message, hint = unknown_id("fact set", name, fact_sets, where=" in this file")
                    problems.append(Problem("unknown-fact-set", message, path, smap.locate(path), hint))
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
    def add(code: ProblemCode, message: str, path: tuple[PathItem, ...], hint: str | None = None) -> None:
        problems.append(Problem(code, message, path, smap.locate(path), hint))

    def unknown(code: ProblemCode, what: str, value: object, ids: Any, path: tuple[PathItem, ...],
                where: str = "") -> None:
        message, hint = unknown_id(what, value, ids, where=where)
        add(code, message, path, hint)

    params = [p.id for p in campaign.parameters]
    for key in case.params:
        if key not in params:
            unknown("unknown-param", "parameter", key, params, (*base, "params", key))
    kinds = {s.id: s.kind for s in submission.subjects}
    ids = [s.get("id") if isinstance(s, dict) else None for s in case.subjects]
    awards = {a.id: a for a in campaign.awards}
    for j, exp in enumerate(case.expect):
        path = (*base, "expect", j)
        _check_source(exp.source, campaign, (*path, "source"), add)
        if exp.subject not in kinds and exp.subject not in {str(x) for x in ids}:
            unknown("unknown-subject", "subject", exp.subject, [str(x) for x in ids if x is not None],
                    (*path, "subject"), " in this case")
        award = awards.get(exp.award)
        if award is None:
            unknown("unknown-award", "award", exp.award, awards, (*path, "award"),
                    f" in campaign {campaign.id!r}")
            continue
        kind = kinds.get(exp.subject)
        if kind is not None and kind != award.subject:
            add(
                "fact-subject-mismatch",
                f"award {award.id!r} is for {award.subject} subjects; {exp.subject!r} is {kind}",
                (*path, "award"),
            )
        known = [c.id for c in award.criteria] + (["score_sheet"] if award.score_sheet else [])
        for cid in exp.criteria:
            if cid not in known:
                unknown("unknown-criterion", "criterion", cid, known, (*path, "criteria", cid),
                        f" of award {award.id!r}")
        if exp.missing is not None:
            names = missing_names(campaign) + [f.id for f in lower(campaign).facts if f.id.startswith("unit__")]
            for k, fid in enumerate(exp.missing):
                if fid not in names:
                    unknown("unknown-fact", "fact", fid, names, (*path, "missing", k))
        if (exp.points is not None or exp.band is not None) and award.score_sheet is None:
            add("score-sheet", f"award {award.id!r} has no score sheet", path)
    targets = [t.id for t in campaign.targets]
    phases = phase_choices(campaign)
    for j, exp_t in enumerate(case.targets):
        path = (*base, "targets", j)
        _check_source(exp_t.source, campaign, (*path, "source"), add)
        if exp_t.target not in targets:
            unknown("unknown-target", "target", exp_t.target, targets, (*path, "target"),
                    f" in campaign {campaign.id!r}")
        if exp_t.phase is not None and choose(exp_t.phase, phases) is None:
            message, hint = unknown_message("phase", exp_t.phase, phases)
            add("unknown-phase", message, (*path, "phase"), hint)
        if exp_t.phase is None and case.as_of is None:
            add("missing-key", "a target expectation needs 'phase' or the case's 'as_of'", path)
    quotas = [q.id for q in campaign.quotas]
    for j, exp_q in enumerate(case.quotas):
        path = (*base, "quotas", j)
        _check_source(exp_q.source, campaign, (*path, "source"), add)
        if exp_q.quota not in quotas:
            unknown("unknown-quota", "quota", exp_q.quota, quotas, (*path, "quota"), f" in campaign {campaign.id!r}")


def missing_names(campaign: m.Campaign) -> list[str]:
    """What an evaluation may list as missing, so what a case may expect: the declared facts, the
    subject's ``history``, the review date (``as_of``) and each optional field of a records fact
    (``initiatives.benefit``, a blank inside a record)."""
    names = [f.id for f in campaign.facts]
    names += [f"{f.id}.{rf.id}" for f in campaign.facts for rf in f.fields if not rf.required]
    return [*names, HISTORY, AS_OF]


def _check_source(
    source: m.Source, campaign: m.Campaign, path: tuple[PathItem, ...], add: Any
) -> None:
    m.name_citations(source, campaign.documents)
    docs = [d.id for d in campaign.documents]
    if source.doc not in docs:
        add(
            "unknown-document",
            f"cites document {source.doc!r}; campaign {campaign.id!r} declares: {', '.join(docs)}",
            (*path, "doc"),
        )


# --- running -----------------------------------------------------------------------------------
