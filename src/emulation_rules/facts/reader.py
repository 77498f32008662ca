"""Submitted facts: subjects (units and individuals) read from YAML, JSON, CSV or .xlsx.

Every value is validated and coerced to its declared type before any evaluator sees it
(durable-rules would otherwise fire ``score >= 90`` for ``score='abc'``, see DURABLE_RULES.md).
Every bad row or value becomes a located :class:`~emulation_rules.errors.Problem`
(file, row, field); nothing is silently dropped: the whole submission is refused
(:class:`~emulation_rules.errors.FactsError`), or with ``on_error="skip"`` the bad subjects are
left out *and listed* in :attr:`Submission.rejected`.

A facts file (YAML or JSON)::

    campaign: tkv_2019          # optional; checked against the campaign when given
    as_of: 2019-12-31           # optional review date
    subjects:
      - id: CD-HALAM
        kind: collective        # collective | individual (or Tập thể | Cá nhân)
        level: grassroots_union # collectives: a level of the campaign, by id or label
        name: Công đoàn Công ty Than Hà Lầm
        facts: {launched_campaign: true, union_rating: strong, ...}
      - id: NV-001
        kind: individual
        role: member            # individuals: a role of the campaign, by id or label
        unit: CD-HALAM
        name: Nguyễn Văn An
        facts: {member_rating: fair, initiatives: [{title: ..., accepted_by: initiative_council, ...}]}

For a campaign with an initiative programme (Vĩnh Linh), a YAML or JSON file may add a
top-level ``initiatives:`` register; it is judged by :mod:`.initiatives`, which sets the
programme's derived count facts on the subjects (``Submission.initiatives`` holds the verdicts).

Kinds, levels, roles and enum values are given by id or label, any case, NFC or NFD
(:mod:`.vocab`); numbers may use a decimal comma where it cannot be a thousands separator
(:func:`~.coerce.coerce_value`). Dated records after the review date are left out at
evaluation (:mod:`.asof`).

A CSV file has one subject per row with the columns ``id, kind, level, role, unit, name`` and
one column per fact; an empty cell is a missing fact; a records fact is a JSON list in its cell.

An .xlsx workbook (a filled-in submission form) is read by :mod:`.xlsx` into the same data
and validated by the same rules.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.memo import kept_for
from emulation_rules.campaign.safe_yaml import SourceMap, explain_splits, parse_yaml
from emulation_rules.errors import (
    EvaluationError,
    FactsError,
    PathItem,
    Problem,
    ProblemCode,
    SourceLocation,
    YAMLSyntaxError,
    did_you_mean,
    unknown_id,
    unknown_key,
)
from emulation_rules.facts.coerce import (
    MISSING,
    Invalid,
    coerce_value,
    is_coerced,
    text_or_none,
    to_date,
)
from emulation_rules.facts.history import HISTORY_COLUMN, HeldTitle, history_cell, read_history
from emulation_rules.facts.plan import SUBJECT_KEYS, reading_plan
from emulation_rules.facts.vocab import KINDS, Choice, choose, unknown_message
from emulation_rules.frozen import frozen

if TYPE_CHECKING:  # read when a file has them (a cold start of a plain submission skips ~7 ms)
    from emulation_rules.facts.cycle import Ballot, Proposals
    from emulation_rules.facts.forwarded import Forwarded

MAX_FACTS_BYTES = 32 * 1024 * 1024
"""Largest facts file the per-submission path reads (32 MiB, ``too-large``); larger inputs
belong to the bulk evaluator (``--bulk``), which reads CSV and Parquet in chunks. YAML facts
are further bounded to 4 MiB by the YAML reader."""

CSV_META_COLUMNS = ("id", "kind", "level", "role", "unit", "name")

"""Smallest non-zero magnitude of a decimal/percent fact (durable-rules reads no smaller)."""

OnError = Literal["raise", "skip"]
"""What a reader does with an invalid subject: refuse the whole input, or leave it out and list it."""

FactValue = bool | int | float | str | dt.date | tuple[Mapping[str, Any], ...]


@frozen
class Subject:
    """A unit or a person with coerced facts.

    Attributes:
        id: the caller's identifier, unique in a submission.
        kind: ``"collective"`` or ``"individual"``.
        level: for collectives, a level id declared by the campaign.
        role: for individuals, a role id declared by the campaign.
        unit: id of the unit the subject belongs to, if given.
        name: display name (NFC).
        facts: fact id -> coerced value; a records fact is a tuple of read-only dicts.
        location: where the subject starts in its file.
        validated_for: id of the campaign whose reader validated and coerced these facts
            (set by the facts reader; a subject built by hand has ``None`` and is type-checked
            by the evaluators before use).
        history: titles held in earlier years (:mod:`.history`); None = not known.
    """

    id: str
    kind: m.SubjectKind
    level: str | None = None
    role: str | None = None
    unit: str | None = None
    name: str | None = None
    facts: Mapping[str, FactValue] = field(default_factory=lambda: MappingProxyType({}))
    location: SourceLocation | None = None
    validated_for: str | None = field(default=None, compare=False, repr=False)
    history: tuple[HeldTitle, ...] | None = None


@frozen
class Submission:
    """Subjects to evaluate, with the review date if the file gave one.

    Attributes:
        subjects: the valid subjects, in file order.
        as_of: review date from the file (the CLI's ``--as-of`` wins).
        campaign_id: campaign id the file names, if any.
        rejected: problems of subjects (or register entries) left out with
            ``on_error="skip"`` (empty otherwise).
        initiatives: the judged initiative register
            (:class:`~emulation_rules.facts.initiatives.InitiativeAssessment`), or None when the file
            has no ``initiatives`` list.
        missing_units: units of the tree of units (:mod:`.units`) expected to submit that no
            file of the review submitted (:mod:`.many`); empty when no tree was given.
        proposals: ``{award id: subject ids proposed for it}`` (:mod:`.cycle`); None when the
            file proposes nobody (then an award with ``requires_proposal`` judges nobody).
        ballots: the council's ballots (:class:`~.cycle.Ballot`), in file order.
        forwarded: the verdicts of the level below that passed these subjects up
            (:class:`~.forwarded.Forwarded`, one per file that has a ``forwarded`` block).
    """

    subjects: tuple[Subject, ...]
    as_of: dt.date | None = None
    campaign_id: str | None = None
    rejected: tuple[Problem, ...] = ()
    initiatives: tuple[Any, ...] | None = None
    missing_units: tuple[Any, ...] = ()
    proposals: Proposals | None = None
    ballots: tuple[Ballot, ...] = ()
    forwarded: tuple[Forwarded, ...] = ()


def parse_facts_text(
    text: str,
    campaign: m.Campaign,
    *,
    file: str = "<string>",
    format: Literal["yaml", "json"] = "yaml",
    on_error: OnError = "raise",
) -> Submission:
    """Validate YAML or JSON facts text; see :func:`load_facts`."""
    if format == "json":
        from emulation_rules.facts.json_text import parse_json  # JSON facts only

        data, smap = parse_json(text, file=file)  # strict, every value located (json_text.py)
    else:
        try:
            data, smap = parse_yaml(text, file=file)
        except YAMLSyntaxError as exc:
            raise FactsError(exc.problems) from None
    return parse_facts(data, campaign, source_map=smap, on_error=on_error)


def check_subject(campaign: m.Campaign, subject: Any) -> None:
    """Refuse a subject an evaluator cannot trust: not a :class:`Subject`, or (built by hand)
    carrying an undeclared fact or a value not coerced to its declared type.

    Subjects from the facts reader of the same campaign are trusted without re-checking.
    durable-rules compares loosely (``1 == true``, ``'95' >= 90``), so nothing uncoerced may
    reach any backend (shared/DURABLE_RULES.md).

    Raises:
        EvaluationError: with the subject, the fact and what is wrong.
    """
    if not isinstance(subject, Subject):
        raise EvaluationError(f"expected a validated Subject, got {type(subject).__name__}; use parse_facts()")
    if subject.validated_for == campaign.id:
        return
    for fact_id, value in subject.facts.items():
        try:
            decl = campaign.fact(fact_id)
        except KeyError:
            raise EvaluationError(f"subject {subject.id!r}: unknown fact {fact_id!r}") from None
        if not is_coerced(decl, value):
            raise EvaluationError(
                f"subject {subject.id!r}: fact {fact_id!r} = {value!r} is not a coerced "
                f"{decl.type}; build subjects with parse_facts()/load_facts()")


def parse_facts(
    data: Any,
    campaign: m.Campaign,
    *,
    source_map: SourceMap | None = None,
    on_error: OnError = "raise",
) -> Submission:
    """Validate already-parsed facts (a mapping with ``subjects``, or a list of subjects).

    This is the entry point for embedding systems that hold facts as Python data.

    Raises:
        FactsError: see :func:`load_facts`.
    """
    smap = source_map or SourceMap()
    reader = FactsReader(campaign, smap)
    if isinstance(data, list):
        data = {"subjects": data}
    if not isinstance(data, dict):
        empty = " (the file is empty)" if data is None else ""
        raise FactsError([Problem(
            "invalid-value", f"facts must be a mapping with 'subjects'{empty}",
            (), smap.locate(()) or SourceLocation(smap.file, 1, 1))])
    file_problems: list[Problem] = []
    top_keys = ("campaign", "as_of", "subjects", "proposals", "ballots", "forwarded") + (
        ("initiatives",) if campaign.initiatives else ())
    for key in data:
        if key not in top_keys:
            message, hint = unknown_key(key, top_keys)
            if key == "initiatives":
                hint = f"campaign {campaign.id!r} declares no initiative programme"
            file_problems.append(reader.problem("unknown-key", message, (key,), hint))
    cid = data.get("campaign")
    if cid is not None and cid != campaign.id:
        file_problems.append(reader.problem(
            "campaign-mismatch", f"facts are for campaign {cid!r}, not {campaign.id!r}", ("campaign",)))
    as_of = None
    if data.get("as_of") is not None:
        as_of = to_date(data["as_of"])
        if as_of is None:
            file_problems.append(reader.problem("invalid-value", "as_of must be a date (YYYY-MM-DD)", ("as_of",)))
    subjects_raw = data.get("subjects")
    if not isinstance(subjects_raw, list):
        file_problems.append(reader.problem("missing-key", "'subjects' must be a list", ("subjects",)))
        subjects_raw = []
    if file_problems:
        raise FactsError(explain_splits(file_problems, smap))
    subjects, rejected = reader.read_all(
        (("subjects", i), raw) for i, raw in enumerate(subjects_raw))
    assessments = None
    if campaign.initiatives is not None and "initiatives" in data:
        from emulation_rules.facts.initiatives import apply_register, check_people, read_register

        register, bad = read_register(data["initiatives"], campaign.initiatives, reader.problem)
        rejected.extend(bad)
        paths = {_nfc(raw.get("id")): ("subjects", i) for i, raw in enumerate(subjects_raw)
                 if isinstance(raw, dict) and raw.get("id") is not None}
        if not campaign.initiatives.outside_authors:
            kinds = {_nfc(raw.get("id")): raw.get("kind") for raw in subjects_raw
                     if isinstance(raw, dict) and raw.get("id") is not None}
            register, bad = check_people(
                register, {k for k, v in kinds.items() if v == "individual"},
                {k for k, v in kinds.items() if v == "collective"}, reader.problem)
            rejected.extend(bad)
        subjects, assessments, conflicts = apply_register(
            subjects, register, campaign.initiatives, reader.problem, paths, as_of=as_of)
        rejected.extend(conflicts)
    proposals, ballots = _cycle(data, campaign, reader, subjects_raw, rejected)
    forwarded = None
    if "forwarded" in data:
        ids = [_nfc(raw.get("id")) for raw in subjects_raw if isinstance(raw, dict) and raw.get("id") is not None]
        from emulation_rules.facts.forwarded import read_forwarded

        forwarded = read_forwarded(data["forwarded"], campaign, ids, reader.problem, rejected)
    rejected = explain_splits(rejected, smap)
    if rejected and on_error == "raise":
        raise FactsError(rejected)
    return Submission(tuple(subjects), as_of, cid, tuple(rejected), assessments, proposals=proposals,
                      ballots=ballots, forwarded=(forwarded,) if forwarded is not None else ())


def _cycle(data: Mapping[str, Any], campaign: m.Campaign, reader: FactsReader, subjects_raw: list[Any],
           rejected: list[Problem]) -> tuple[Proposals | None, tuple[Ballot, ...]]:
    """The ``proposals`` and ``ballots`` of a YAML/JSON submission (:mod:`.cycle`); they may name
    every subject of the file, also one left out for its own problems."""
    if ("proposals" not in data and "ballots" not in data
            and not any(isinstance(raw, dict) and raw.get("proposed_for") is not None for raw in subjects_raw)):
        return None, ()  # none of them: the review cycle's reader is not even loaded
    from emulation_rules.facts.cycle import PROPOSED_COLUMN, proposals_from_cells, read_ballots, read_proposals

    ids = [_nfc(raw.get("id")) for raw in subjects_raw if isinstance(raw, dict) and raw.get("id") is not None]
    proposals = None
    if "proposals" in data:
        proposals = read_proposals(data["proposals"], campaign, ids, reader.problem, rejected)
    cells = {_nfc(raw.get("id")): (";".join(map(str, raw["proposed_for"])) if isinstance(raw["proposed_for"], list)
                                   else str(raw["proposed_for"]), ("subjects", i, PROPOSED_COLUMN))
             for i, raw in enumerate(subjects_raw) if isinstance(raw, dict) and raw.get("proposed_for") is not None}
    if cells:  # a subject's own proposed_for (an .xlsx column), beside the proposals list
        for award, who in proposals_from_cells(cells, campaign, reader.problem, rejected).items():
            proposals = {**(proposals or {}), award: (proposals or {}).get(award, frozenset()) | who}
    ballots: tuple[Ballot, ...] = ()
    if "ballots" in data:
        ballots = read_ballots(data["ballots"], campaign, ids, reader.problem, reader.smap.locate, rejected)
    return proposals, ballots


def parse_facts_csv(
    text: str,
    campaign: m.Campaign,
    *,
    file: str = "<string>",
    on_error: OnError = "raise",
) -> Submission:
    """Validate CSV facts (one subject per row); problems name the row and column."""
    import csv  # CSV facts only

    from emulation_rules.facts.cycle import PROPOSED_COLUMN, proposals_from_cells

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FactsError([Problem("empty", "no header row", location=SourceLocation(file, 1))]) from None
    except csv.Error as exc:
        raise FactsError([Problem("csv-syntax", str(exc), location=SourceLocation(file, 1))]) from None
    header = [unicodedata.normalize("NFC", h.strip()) for h in header]
    smap = SourceMap(file=file)
    r = FactsReader(campaign, smap, from_text=True)
    problems: list[Problem] = []
    known = set(CSV_META_COLUMNS) | {f.id for f in campaign.facts} | {HISTORY_COLUMN, PROPOSED_COLUMN}
    for col, h in enumerate(header, start=1):
        if h not in known:
            message, hint = unknown_id("column", h, [*CSV_META_COLUMNS, *(f.id for f in campaign.facts),
                                                     HISTORY_COLUMN, PROPOSED_COLUMN])
            problems.append(Problem("unknown-column", message, (h,), SourceLocation(file, 1, col), hint))
    if len(set(header)) != len(header):
        problems.append(Problem("duplicate-key", "a column name is repeated", (),
                                SourceLocation(file, 1)))
    if "id" not in header or "kind" not in header:
        problems.append(Problem("missing-key", "columns 'id' and 'kind' are required", (),
                                SourceLocation(file, 1)))
    if problems:
        raise FactsError(problems)

    proposed: dict[str, tuple[str, tuple[PathItem, ...]]] = {}

    def rows() -> Iterable[tuple[tuple[PathItem, ...], Any]]:
        row_no = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FactsError([Problem("csv-syntax", str(exc),
                                          location=SourceLocation(file, reader.line_num))]) from None
            row_no = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                rowpath: tuple[PathItem, ...] = (f"row {row_no}",)
                smap.values[rowpath] = SourceLocation(file, row_no)
                yield rowpath, _WrongWidth(len(cells), len(header))
                continue
            subject: dict[str, Any] = {"facts": {}}
            base: tuple[PathItem, ...] = (f"row {row_no}",)
            smap.values[base] = SourceLocation(file, row_no)
            for col, (h, cell) in enumerate(zip(header, cells, strict=True), start=1):
                meta = h in CSV_META_COLUMNS or h in (HISTORY_COLUMN, PROPOSED_COLUMN)
                key_path = (*base, h) if meta else (*base, "facts", h)
                smap.values[key_path] = SourceLocation(file, row_no, col)
                cell = cell.strip()
                if cell == "":
                    continue
                if h == PROPOSED_COLUMN:
                    smap.values[(*base, h)] = SourceLocation(file, row_no, col)
                    proposed[_nfc(cells[header.index("id")])] = (cell, (*base, h))
                elif h == HISTORY_COLUMN:
                    subject[h] = history_cell(cell)
                elif h in CSV_META_COLUMNS:
                    subject[h] = cell
                else:
                    subject["facts"][h] = cell
            yield base, subject

    subjects, rejected = r.read_all(rows())
    proposals = None
    if PROPOSED_COLUMN in header:
        proposals = proposals_from_cells(proposed, campaign, r.problem, rejected)
    if rejected and on_error == "raise":
        raise FactsError(rejected)
    return Submission(tuple(subjects), None, None, tuple(rejected), proposals=proposals)


@frozen
class _WrongWidth:
    got: int
    want: int


class FactsReader:
    """Validates subjects one by one, collecting located problems."""

    def __init__(self, campaign: m.Campaign, smap: SourceMap, *, from_text: bool = False) -> None:
        self.c = campaign
        self.smap = smap
        self.from_text = from_text
        self.facts, self.levels, self.roles = kept_for(campaign, _vocabulary)  # per campaign, not per read
        self.plan = None if from_text else reading_plan(campaign)  # a plain subject's short way (.plan)

    def problem(self, code: ProblemCode, message: str, path: tuple[PathItem, ...], hint: str | None = None) -> Problem:
        return Problem(code, message, path, self.smap.locate(path), hint)

    def read_all(
        self, items: Iterable[tuple[tuple[PathItem, ...], Any]]
    ) -> tuple[list[Subject], list[Problem]]:
        subjects: list[Subject] = []
        rejected: list[Problem] = []
        seen: dict[str, tuple[PathItem, ...]] = {}
        for path, raw in items:
            problems: list[Problem] = []
            subject = self.subject(raw, path, problems)
            if subject is not None and subject.id in seen:
                problems.append(self.problem("duplicate-id", f"subject id {subject.id!r} is used twice",
                                             (*path, "id")))
            if problems:
                rejected.extend(problems)
                continue
            assert subject is not None
            seen[subject.id] = path
            subjects.append(subject)
        return subjects, rejected

    def subject(self, raw: Any, path: tuple[PathItem, ...], out: list[Problem]) -> Subject | None:
        if self.plan is not None and type(raw) is dict and (plain := self.plan.subject(raw)) is not None:
            return Subject(*plain, location=self.smap.locate(path), validated_for=self.c.id)
        if isinstance(raw, _WrongWidth):
            out.append(self.problem("csv-row", f"row has {raw.got} cells, header has {raw.want}", path))
            return None
        if not isinstance(raw, dict):
            out.append(self.problem("invalid-value", "a subject must be a mapping", path))
            return None
        for key in raw:
            if key not in SUBJECT_KEYS:
                message, hint = unknown_key(key, SUBJECT_KEYS)
                out.append(self.problem("unknown-key", message, (*path, key), hint))
        sid = raw.get("id")
        if isinstance(sid, int) and not isinstance(sid, bool):
            sid = str(sid)
        if not isinstance(sid, str) or not sid.strip():
            out.append(self.problem("missing-key", "subject needs a non-empty 'id'", (*path, "id")))
            sid = None
        else:
            sid = unicodedata.normalize("NFC", sid.strip())
        kind = choose(raw.get("kind"), KINDS)
        if kind is None:
            message, hint = unknown_message("kind", raw.get("kind"), KINDS)
            out.append(self.problem("bad-choice", message, (*path, "kind"), hint))
        for key in ("unit", "name"):  # never drop a value silently: a list or a mapping is refused
            value = raw.get(key)
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, (str, int, float))):
                out.append(self.problem("invalid-value", f"{key!r} must be text, not {value!r}",
                                        (*path, key)))
        level = text_or_none(raw.get("level"))
        role = text_or_none(raw.get("role"))
        if kind == "collective":
            if level is None:
                out.append(self.problem("missing-key", "a collective needs 'level'", (*path, "level")))
            elif (found := choose(level, self.levels)) is not None:
                level = found
            else:
                message, hint = unknown_message("level", level, self.levels)
                out.append(self.problem("unknown-level", message, (*path, "level"), hint))
            if role is not None:
                out.append(self.problem("invalid-value", "a collective has no 'role'", (*path, "role")))
        elif kind == "individual":
            if role is None:
                out.append(self.problem("missing-key", "an individual needs 'role'", (*path, "role")))
            elif (found := choose(role, self.roles)) is not None:
                role = found
            else:
                message, hint = unknown_message("role", role, self.roles)
                out.append(self.problem("unknown-role", message, (*path, "role"), hint))
            if level is not None:
                out.append(self.problem("invalid-value", "an individual has no 'level'", (*path, "level")))
        facts_raw = raw.get("facts", {})
        if facts_raw is None:
            facts_raw = {}
        if not isinstance(facts_raw, dict):
            out.append(self.problem("invalid-value", "'facts' must be a mapping", (*path, "facts")))
            facts_raw = {}
        facts: dict[str, FactValue] = {}
        for key, value in facts_raw.items():
            fpath = (*path, "facts", key)
            decl = self.facts.get(key)
            if decl is None:
                message, hint = unknown_message("fact", key, [
                    (f.id, f.label) for f in self.facts.values() if kind in (None, f.applies_to)])
                out.append(self.problem("unknown-fact", message, fpath, hint))
                continue
            if kind is not None and decl.applies_to != kind:
                out.append(self.problem("fact-subject-mismatch",
                                        f"fact {key!r} is for {decl.applies_to} subjects", fpath))
                continue
            if value is None:
                continue  # explicit null: not known, same as absent
            coerced = self.value(decl, value, fpath, out)
            if coerced is not MISSING:
                facts[key] = coerced
        history = read_history(raw.get("history"), (*path, "history"), self.problem, out)
        if out or sid is None or kind is None:
            return None
        return Subject(
            id=sid, kind=kind,  # type: ignore[arg-type]  # one of KINDS
            level=level, role=role, unit=text_or_none(raw.get("unit")),
            name=text_or_none(raw.get("name")), facts=MappingProxyType(facts), location=self.smap.locate(path),
            validated_for=self.c.id, history=history,
        )

    def value(self, decl: m.FactDecl | m.RecordField, value: Any, path: tuple[PathItem, ...],
              out: list[Problem]) -> Any:
        if decl.type == "records":
            assert isinstance(decl, m.FactDecl)
            return self.records(decl, value, path, out)
        result = coerce_value(decl, value, from_text=self.from_text)
        if isinstance(result, Invalid):
            out.append(self.problem("invalid-value", result.message, path, result.hint))
            return MISSING
        return result

    def records(self, decl: m.FactDecl, value: Any, path: tuple[PathItem, ...],
                out: list[Problem]) -> Any:
        if isinstance(value, str) and self.from_text:
            from emulation_rules.facts.json_text import loads_value  # records written in a cell

            try:
                value = loads_value(value)  # bounded: depth, number length, duplicate keys
            except FactsError as exc:
                first = exc.problems[0]
                where = f" (at character {first.location.column})" if first.location else ""
                out.append(self.problem(
                    "invalid-value", f"records cell is not a JSON list: {first.message}{where}",
                    path))
                return MISSING
        if not isinstance(value, list):
            out.append(self.problem("invalid-value", f"{decl.id!r} must be a list of records", path))
            return MISSING
        fields = {f.id: f for f in decl.fields}
        rows: list[Mapping[str, Any]] = []
        for i, rec in enumerate(value):
            rpath = (*path, i)
            if not isinstance(rec, dict):
                out.append(self.problem("invalid-value", "a record must be a mapping", rpath))
                continue
            row: dict[str, Any] = {}
            for key, v in rec.items():
                fdecl = fields.get(key)
                if fdecl is None:
                    message, hint = unknown_id("field", key, fields, where=f" in the records of {decl.id!r}")
                    out.append(self.problem("unknown-field", message, (*rpath, key), hint))
                    continue
                if v is None:
                    continue
                coerced = self.value(fdecl, v, (*rpath, key), out)
                if coerced is not MISSING:
                    row[key] = coerced
            for fdecl in decl.fields:
                if fdecl.required and rec.get(fdecl.id) is None:
                    out.append(self.problem("missing-field", f"record lacks required field {fdecl.id!r}",
                                            rpath))
            rows.append(MappingProxyType(row))
        return tuple(rows)


_hint = did_you_mean


def _vocabulary(c: m.Campaign) -> tuple[dict[str, m.FactDecl], tuple[Choice, ...], tuple[Choice, ...]]:
    return ({f.id: f for f in c.facts}, tuple((lv.id, lv.label) for lv in c.subjects.collective_levels),
            tuple((r.id, r.label) for r in c.subjects.individual_roles))


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value).strip())
