"""Initiatives (sáng kiến): a register judged against a campaign's initiative programme.

A facts file (YAML or JSON) for a campaign with an ``initiatives`` programme may carry a
top-level ``initiatives`` list, the register::

    initiatives:
      - id: SK-001                       # unique in the register
        title: "Phần mềm theo dõi đoàn phí"
        kind: union_work                 # one of the programme's kinds
        unit: CDCS-A                     # optional: the unit (a collective subject) that registered it
        applied_on: 2021-09-01           # first (trial) application; absent = not applied yet
        recognizer: council              # one of the programme's recognizers; absent = not recognised
        recognized_on: 2021-10-15
        submitted_on: 2022-01-10         # sent on to the provincial federation (L25, L27)
        new_within_unit: true            # required yes/no
        benefit_vnd: 12000000            # optional monetary benefit per year, VND
        benefit_non_monetary: "..."      # optional: the social benefit, when not in money
        against_public_order: false      # required yes/no
        ip_protected: false              # required yes/no
        research_accepted: true          # research projects only: accepted (nghiệm thu)
        effect_confirmed: true           # research projects only: effect confirmed by the head
        leader: P01                      # optional: project leader (chủ nhiệm), one of the authors
        authors:                         # each person once; shares in percent adding up to 100
          - {person: P01, share: 60}     # (a single author may omit the share)
          - {person: P02, share: 40}

Each initiative is **accepted** when every check the programme lists holds, else
**excluded**, with the failing checks named and cited. Rules (Vĩnh Linh 002):

* ``applied_in_window``: ``window.start <= applied_on <= window.end``, both ends inclusive
  (L63 "ngoài thời gian từ 01/9/2021-01/9/2023": 01/9/2021 and 01/9/2023 are inside);
* ``recognized``: a recognizer of the programme (council or head of unit, L49) and a date;
* ``research_project_accepted``: for the research kind only, accepted, applied on or after
  ``research_applied_from`` and effect confirmed (L57); other kinds pass;
* the others read the register's flags (L49-55, L65-66).

**Attribution** (L59) ``leader_or_top_share``: the leader if the register names one, even when
another author has a higher share (the plan's "chủ nhiệm đề tài hoặc …" names the leader
first); otherwise the author with the highest share; a tie goes to the one listed first (the
request form's order, TT 18/2013 Phụ lục I). ``all_authors`` credits every author.

**Derived facts.** With a register, the programme's ``credited_fact`` of every individual
subject is set to the number of accepted initiatives credited to them, and its ``unit_fact``
of every collective subject to the number of accepted initiatives it registered, so awards and
targets read them like any fact. Submitting those facts *and* a register is a conflict.

Bad entries are reported with their index and field (``initiatives[3].applied_on``); with
``on_error="skip"`` the bad entry is left out and listed, never silently dropped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import PathItem, Problem, did_you_mean, id_listing, unknown_key
from emulation_rules.facts.asof import counts_as_of
from emulation_rules.facts.coerce import MISSING, Invalid, coerce_value

REGISTER_KEYS = (
    "id", "title", "kind", "unit", "applied_on", "recognizer", "recognized_on", "submitted_on",
    "new_within_unit", "benefit_vnd", "benefit_non_monetary", "against_public_order",
    "ip_protected", "research_accepted", "effect_confirmed", "leader", "authors",
)
_REQUIRED_FLAGS = ("new_within_unit", "against_public_order", "ip_protected")
_RESEARCH_FLAGS = ("research_accepted", "effect_confirmed")
_SHARE_TOLERANCE = 0.01


@dataclass(frozen=True)
class Author:
    """An author of an initiative with their contribution share in percent (0-100]."""

    person: str
    share: float


@dataclass(frozen=True)
class Initiative:
    """One validated register entry (see the module docstring for the fields)."""

    id: str
    kind: str
    authors: tuple[Author, ...]
    title: str | None = None
    unit: str | None = None
    applied_on: dt.date | None = None
    recognizer: str | None = None
    recognized_on: dt.date | None = None
    submitted_on: dt.date | None = None
    new_within_unit: bool = False
    benefit_vnd: float | None = None
    benefit_non_monetary: str | None = None
    against_public_order: bool = False
    ip_protected: bool = False
    research_accepted: bool | None = None
    effect_confirmed: bool | None = None
    leader: str | None = None

    def date(self, basis: str) -> dt.date | None:
        """The date named ``applied_on``, ``recognized_on`` or ``submitted_on``."""
        value: dt.date | None = getattr(self, basis)
        return value

    def as_of(self, day: dt.date | None) -> tuple[Initiative, tuple[str, ...]]:
        """The entry as it stood on review date ``day`` (:mod:`.asof`): every event dated after
        it is treated as not having happened yet. Returns ``(entry, later event names)``."""
        later = tuple(k for k in ("applied_on", "recognized_on", "submitted_on")
                      if not counts_as_of(getattr(self, k), day))
        if not later:
            return self, ()
        changes: dict[str, Any] = dict.fromkeys(later)
        if "recognized_on" in later:
            changes["recognizer"] = None
        return replace(self, **changes), later


@dataclass(frozen=True)
class CheckResult:
    """One check of the programme applied to one initiative."""

    check_id: str
    check: str
    passed: bool
    detail: str
    source: m.Source
    exclusion: bool


@dataclass(frozen=True)
class InitiativeAssessment:
    """An initiative judged: accepted or excluded, and to whom it is credited.

    Attributes:
        initiative: the register entry.
        accepted: every check holds.
        checks: each check with its outcome, detail and citation, in programme order.
        credited: person ids credited (one for ``leader_or_top_share``; none when excluded).
        attribution: why those people, in words (the tie-break is named when used).
        as_of: the review date it was judged for (None: no review date).
        later: the events (``applied_on``, ``recognized_on``, ``submitted_on``) dated after
            ``as_of``, treated as not having happened yet (:mod:`.asof`).
        not_yet: excluded only because of those later events (status ``not_yet``).
    """

    initiative: Initiative
    accepted: bool
    checks: tuple[CheckResult, ...]
    credited: tuple[str, ...]
    attribution: str
    as_of: dt.date | None = None
    later: tuple[str, ...] = ()
    not_yet: bool = False

    @property
    def status(self) -> str:
        """``accepted``; ``not_yet`` (it would be accepted, but an event it needs comes after
        the review date); or ``excluded``."""
        return "accepted" if self.accepted else "not_yet" if self.not_yet else "excluded"

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        """The checks that do not hold."""
        return tuple(c for c in self.checks if not c.passed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (``initiatives --format json``)."""
        i = self.initiative
        return {
            "id": i.id,
            "title": i.title,
            "kind": i.kind,
            "unit": i.unit,
            "applied_on": _iso(i.applied_on),
            "recognized_on": _iso(i.recognized_on),
            "submitted_on": _iso(i.submitted_on),
            "status": self.status,
            "as_of": _iso(self.as_of),
            "later": list(self.later),
            "credited": list(self.credited),
            "attribution": self.attribution,
            "checks": [
                {"check": c.check_id, "kind": c.check, "passed": c.passed, "detail": c.detail,
                 "exclusion": c.exclusion, "source": c.source.cite()}
                for c in self.checks
            ],
        }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


# --- reading ---------------------------------------------------------------------------------


def register_fields(prog: m.InitiativeProgramme) -> dict[str, m.RecordField]:
    """Typed declarations of the register's scalar keys (used for coercion and messages)."""

    def f(fid: str, t: str, vi: str, en: str, **kw: Any) -> m.RecordField:
        return m.made_like(prog, "RecordField", id=fid, type=t, label=m.Text.of(vi=vi, en=en), **kw)  # type: ignore[no-any-return]

    return {
        "kind": f("kind", "enum", "Loại sáng kiến", "Kind", values=prog.kinds),
        "recognizer": f("recognizer", "enum", "Cấp công nhận", "Recognizer", values=prog.recognizers),
        "applied_on": f("applied_on", "date", "Ngày áp dụng", "Applied on"),
        "recognized_on": f("recognized_on", "date", "Ngày công nhận", "Recognised on"),
        "submitted_on": f("submitted_on", "date", "Ngày gửi LĐLĐ tỉnh", "Submitted on"),
        "benefit_vnd": f("benefit_vnd", "decimal", "Giá trị làm lợi", "Benefit", unit="VND", minimum=0),
        **{k: f(k, "bool", k, k) for k in (*_REQUIRED_FLAGS, *_RESEARCH_FLAGS)},
        **{k: f(k, "text", k, k) for k in ("title", "benefit_non_monetary", "unit", "leader")},
    }


def read_register(
    raw: Any,
    prog: m.InitiativeProgramme,
    problem: Any,
    *,
    from_text: bool = False,
) -> tuple[list[Initiative], list[Problem]]:
    """Validate a raw register (a list of mappings).

    Args:
        raw: the parsed ``initiatives`` value.
        prog: the campaign's programme (kinds, recognizers).
        problem: ``problem(code, message, path, hint=None) -> Problem`` locating a path.

    Returns:
        ``(valid entries, problems)``; an entry with any problem is left out of the first list.
    """
    fields = register_fields(prog)
    if not isinstance(raw, list):
        return [], [problem("invalid-value", "'initiatives' must be a list", ("initiatives",))]
    out: list[Initiative] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, rec in enumerate(raw):
        path: tuple[PathItem, ...] = ("initiatives", i)
        bad: list[Problem] = []
        if not isinstance(rec, dict):
            problems.append(problem("invalid-value", "an initiative must be a mapping", path))
            continue
        for key in rec:
            if key not in REGISTER_KEYS:
                message, hint = unknown_key(key, REGISTER_KEYS)
                bad.append(problem("unknown-key", message, (*path, key), hint))
        iid = rec.get("id")
        if isinstance(iid, int) and not isinstance(iid, bool):
            iid = str(iid)
        if not isinstance(iid, str) or not iid.strip():
            bad.append(problem("missing-key", "an initiative needs a non-empty 'id'", (*path, "id")))
            iid = ""
        iid = unicodedata.normalize("NFC", iid.strip())
        if iid and iid in seen:
            bad.append(problem("duplicate-id", f"initiative id {iid!r} is used twice", (*path, "id")))
        seen.add(iid)
        values: dict[str, Any] = {}
        for key, decl in fields.items():
            v = rec.get(key)
            if v is None:
                continue
            got = coerce_value(decl, v, from_text=from_text)
            if isinstance(got, Invalid):
                bad.append(problem("invalid-value", got.message, (*path, key), got.hint))
            elif got is not MISSING:
                values[key] = got
        if "kind" not in values and rec.get("kind") is None:
            bad.append(problem("missing-key", "an initiative needs 'kind'", (*path, "kind")))
        for key in _REQUIRED_FLAGS:
            if rec.get(key) is None:
                bad.append(problem("missing-key", f"state {key!r} (true or false)", (*path, key)))
        if values.get("kind") is not None and values["kind"] == prog.research_kind:
            for key in _RESEARCH_FLAGS:
                if rec.get(key) is None:
                    bad.append(problem("missing-key", f"a research project states {key!r} (true or false)",
                                       (*path, key)))
        if (values.get("recognizer") is None) != (values.get("recognized_on") is None) and not bad:
            missing = "recognized_on" if values.get("recognizer") else "recognizer"
            bad.append(problem("missing-key", f"give both 'recognizer' and 'recognized_on' or neither; "
                               f"{missing!r} is missing", (*path, missing)))
        authors = _authors(rec.get("authors"), (*path, "authors"), problem, bad)
        leader = values.get("leader")
        if leader is not None:
            leader = unicodedata.normalize("NFC", leader)
            if authors and leader not in {a.person for a in authors}:
                bad.append(problem("invalid-value", f"leader {leader!r} is not one of the authors",
                                   (*path, "leader")))
        if bad:
            problems.extend(bad)
            continue
        unit = values.get("unit")
        out.append(Initiative(
            id=iid, kind=values["kind"], authors=tuple(authors), title=values.get("title"),
            unit=unicodedata.normalize("NFC", unit) if unit else None,
            applied_on=values.get("applied_on"), recognizer=values.get("recognizer"),
            recognized_on=values.get("recognized_on"), submitted_on=values.get("submitted_on"),
            new_within_unit=values["new_within_unit"], benefit_vnd=values.get("benefit_vnd"),
            benefit_non_monetary=values.get("benefit_non_monetary"),
            against_public_order=values["against_public_order"], ip_protected=values["ip_protected"],
            research_accepted=values.get("research_accepted"),
            effect_confirmed=values.get("effect_confirmed"), leader=leader,
        ))
    return out, problems


def _authors(raw: Any, path: tuple[PathItem, ...], problem: Any, bad: list[Problem]) -> list[Author]:
    if isinstance(raw, str):
        with contextlib.suppress(json.JSONDecodeError):
            raw = json.loads(raw)
    if not isinstance(raw, list) or not raw:
        bad.append(problem("missing-key", "an initiative needs 'authors': a non-empty list of "
                           "{person, share}", path))
        return []
    authors: list[Author] = []
    people: set[str] = set()
    for j, a in enumerate(raw):
        apath = (*path, j)
        if not isinstance(a, dict):
            bad.append(problem("invalid-value", "an author must be a mapping {person, share}", apath))
            continue
        for key in a:
            if key not in ("person", "share"):
                message, hint = unknown_key(key, ("person", "share"))
                bad.append(problem("unknown-key", message, (*apath, key), hint))
        person = a.get("person")
        if isinstance(person, int) and not isinstance(person, bool):
            person = str(person)
        if not isinstance(person, str) or not person.strip():
            bad.append(problem("missing-key", "an author needs 'person' (a subject id)", (*apath, "person")))
            continue
        person = unicodedata.normalize("NFC", person.strip())
        if person in people:
            bad.append(problem("duplicate-id", f"author {person!r} is listed twice", (*apath, "person")))
        people.add(person)
        share = a.get("share")
        if share is None:
            if len(raw) > 1:
                bad.append(problem("missing-key", "with several authors each needs a 'share' (percent)",
                                   (*apath, "share")))
                continue
            share = 100
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 100:
            bad.append(problem("invalid-value", f"share must be a percent in (0, 100], not {share!r}",
                               (*apath, "share")))
            continue
        authors.append(Author(person, float(share)))
    if len(authors) == len(raw):
        total = sum(a.share for a in authors)
        if abs(total - 100) > _SHARE_TOLERANCE:
            bad.append(problem("invalid-value", f"shares add up to {total:g}%, not 100%", path))
    return authors


# --- judging ---------------------------------------------------------------------------------


def assess(
    initiative: Initiative, prog: m.InitiativeProgramme, as_of: dt.date | None = None
) -> InitiativeAssessment:
    """Apply every check of ``prog`` to ``initiative`` as it stood on ``as_of`` (events dated
    later have not happened yet, :mod:`.asof`) and attribute it; see the module docstring."""
    seen, later = initiative.as_of(as_of)
    results = tuple(_check(ch, seen, prog, later) for ch in prog.checks)
    accepted = all(r.passed for r in results)
    if not accepted:
        not_yet = bool(later) and all(_check(ch, initiative, prog).passed for ch in prog.checks)
        return InitiativeAssessment(initiative, False, results, (), "excluded: credited to nobody",
                                    as_of, later, not_yet)
    credited, why = attribute(seen, prog.attribution)
    return InitiativeAssessment(initiative, True, results, credited, why, as_of, later)


def attribute(initiative: Initiative, rule: m.Attribution) -> tuple[tuple[str, ...], str]:
    """``(credited person ids, reason)`` under the programme's attribution policy."""
    authors = initiative.authors
    if rule.policy == "all_authors":
        return tuple(a.person for a in authors), "every co-author (all_authors)"
    if initiative.leader is not None:
        return (initiative.leader,), "project leader (chủ nhiệm)"
    top = max(a.share for a in authors)
    tied = [a for a in authors if a.share == top]
    if len(tied) == 1:
        return (tied[0].person,), f"highest contribution share ({top:g}%)"
    return (tied[0].person,), (
        f"highest contribution share ({top:g}%), tied with "
        f"{', '.join(a.person for a in tied[1:])}: the first listed is credited (tie-break first_listed)"
    )


def _check(ch: m.InitiativeCheck, i: Initiative, prog: m.InitiativeProgramme,
           later: tuple[str, ...] = ()) -> CheckResult:
    ok: bool
    if ch.check in ("recognized", "applied_in_window") and (
            ("recognized_on" if ch.check == "recognized" else "applied_on") in later):
        what = "recognised" if ch.check == "recognized" else "applied"
        return CheckResult(ch.id, ch.check, False, f"not {what} yet on the review date "
                           f"({what} after it)", ch.source, ch.exclusion)
    if ch.check == "new_within_unit":
        ok, detail = i.new_within_unit, f"new within the unit: {_yes(i.new_within_unit)}"
    elif ch.check == "recognized":
        accepted = {r.id for r in prog.recognizers}
        ok = i.recognizer in accepted and i.recognized_on is not None
        detail = (f"recognised by {i.recognizer} on {i.recognized_on}" if ok
                  else "not recognised by " + " or ".join(sorted(accepted)))
    elif ch.check == "applied_in_window":
        w = prog.window
        if i.applied_on is None:
            ok, detail = False, "not applied yet (no applied_on)"
        else:
            ok = w.start <= i.applied_on <= w.end
            detail = (f"applied on {i.applied_on}, {'inside' if ok else 'outside'} "
                      f"{w.start}..{w.end} (both ends inclusive)")
    elif ch.check == "has_benefit":
        money = i.benefit_vnd is not None and i.benefit_vnd > 0
        social = bool(i.benefit_non_monetary and i.benefit_non_monetary.strip())
        ok = money or social
        detail = (f"benefit {i.benefit_vnd:,.0f} VND" if money else
                  "non-monetary benefit stated" if social else "no benefit stated")
    elif ch.check == "research_project_accepted":
        if i.kind != prog.research_kind:
            ok, detail = True, "not a research project"
        else:
            since = prog.research_applied_from
            applied_ok = i.applied_on is not None and since is not None and i.applied_on >= since
            ok = bool(i.research_accepted) and bool(i.effect_confirmed) and applied_ok
            detail = (f"accepted: {_yes(i.research_accepted)}, effect confirmed: "
                      f"{_yes(i.effect_confirmed)}, applied since {since}: {_yes(applied_ok)}")
    elif ch.check == "not_against_public_order":
        ok = not i.against_public_order
        detail = f"against public order or social morality: {_yes(i.against_public_order)}"
    else:  # not_ip_protected
        ok = not i.ip_protected
        detail = f"under intellectual-property protection: {_yes(i.ip_protected)}"
    return CheckResult(ch.id, ch.check, bool(ok), detail, ch.source, ch.exclusion)


def _yes(v: bool | None) -> str:
    return "not stated" if v is None else "yes" if v else "no"


def check_people(
    register: Sequence[Initiative],
    individuals: Collection[str],
    collectives: Collection[str],
    problem: Any,
) -> tuple[list[Initiative], list[Problem]]:
    """Refuse entries whose author (or leader) is not an individual of the submission, or whose
    unit is not a collective of it: a typo would silently move a credit (L59 credits the
    author; L23 counts people "có sáng kiến"). Each is a located ``unknown-author`` or
    ``unknown-unit`` problem with a did-you-mean; a campaign whose programme sets
    ``outside_authors: true`` skips this check. A register judged on its own (no individual,
    or no collective subjects submitted) credits nobody, and is not checked for that kind.

    Returns:
        ``(entries kept, problems)``.
    """
    kept: list[Initiative] = []
    problems: list[Problem] = []
    for n, i in enumerate(register):
        path: tuple[PathItem, ...] = ("initiatives", n)
        bad = [problem("unknown-author", f"author {a.person!r} is not an individual subject of "
                       "this submission", (*path, "authors", j, "person"),
                       _people_hint(a.person, individuals))
               for j, a in enumerate(i.authors) if individuals and a.person not in individuals]
        if i.unit is not None and collectives and i.unit not in collectives:
            bad.append(problem("unknown-unit", f"unit {i.unit!r} is not a collective subject of "
                               "this submission", (*path, "unit"), _people_hint(i.unit, collectives)))
        if bad:
            problems.extend(bad)
        else:
            kept.append(i)
    return kept, problems


def _people_hint(word: str, ids: Collection[str]) -> str:
    close = did_you_mean(word, ids)
    return (close + "; " if close else "") + f"subjects: {id_listing(sorted(ids))}"


def apply_register(
    subjects: Sequence[Any],
    register: Sequence[Initiative],
    prog: m.InitiativeProgramme,
    problem: Any,
    paths: Mapping[str, tuple[PathItem, ...]],
    *,
    as_of: dt.date | None = None,
) -> tuple[list[Any], tuple[InitiativeAssessment, ...], list[Problem]]:
    """Judge the register as of ``as_of`` and set the derived count facts on the subjects.

    Args:
        subjects: validated :class:`~emulation_rules.facts.Subject` objects.
        register: validated initiatives.
        prog: the campaign's programme.
        problem: locating factory, as in :func:`read_register`.
        paths: subject id -> its path in the file, to locate conflicts.
        as_of: review date: events dated after it have not happened yet (:mod:`.asof`).

    Returns:
        ``(subjects with derived facts, assessments, problems)``: a subject that submits a
        derived fact itself is a ``derived-fact`` problem and is left out of the subjects.
    """
    out: list[Any] = []
    problems: list[Problem] = []
    for s in subjects:
        fact_id = prog.credited_fact if s.kind == "individual" else prog.unit_fact
        if fact_id is not None and fact_id in s.facts:
            problems.append(problem(
                "derived-fact",
                f"{fact_id!r} is computed from the 'initiatives' register; do not submit it as well",
                (*paths.get(s.id, ()), "facts", fact_id)))
            continue
        out.append(s)
    derived, assessments = derive_register(out, register, prog, as_of)
    return derived, assessments, problems


def derive_register(
    subjects: Sequence[Any],
    register: Sequence[Initiative],
    prog: m.InitiativeProgramme,
    as_of: dt.date | None,
) -> tuple[list[Any], tuple[InitiativeAssessment, ...]]:
    """Judge the register as of ``as_of`` and (re)set the derived count facts of ``subjects``
    (no conflict check: see :func:`apply_register`). Used again when a review date other than
    the file's is asked for."""
    assessments = tuple(assess(i, prog, as_of) for i in register)
    credited: dict[str, int] = {}
    by_unit: dict[str, int] = {}
    for a in assessments:
        if not a.accepted:
            continue
        for person in a.credited:
            credited[person] = credited.get(person, 0) + 1
        if a.initiative.unit is not None:
            by_unit[a.initiative.unit] = by_unit.get(a.initiative.unit, 0) + 1
    out: list[Any] = []
    for s in subjects:
        fact_id, counts = (
            (prog.credited_fact, credited) if s.kind == "individual" else (prog.unit_fact, by_unit)
        )
        if fact_id is None:
            out.append(s)
            continue
        facts = dict(s.facts)
        facts[fact_id] = counts.get(s.id, 0)
        out.append(replace(s, facts=MappingProxyType(facts)))
    return out, assessments


def count_in_phase(
    assessments: Sequence[InitiativeAssessment],
    basis: m.DateBasis,
    start: dt.date,
    end: dt.date | None,
    *,
    eligible_only: bool = True,
) -> int:
    """Initiatives whose ``basis`` date lies in ``[start, end]`` (both inclusive) and on or
    before the review date they were judged for (:mod:`.asof`)."""
    n = 0
    for a in assessments:
        if eligible_only and not a.accepted:
            continue
        d = a.initiative.date(basis)
        if d is not None and start <= d and (end is None or d <= end) and counts_as_of(d, a.as_of):
            n += 1
    return n


_hint = did_you_mean


__all__ = [
    "REGISTER_KEYS",
    "Author",
    "CheckResult",
    "Initiative",
    "InitiativeAssessment",
    "apply_register",
    "assess",
    "attribute",
    "check_people",
    "count_in_phase",
    "derive_register",
    "read_register",
    "register_fields",
]
