"""Load and check campaign files: safe YAML -> pydantic model -> semantic checks.

Every problem is collected and raised once, each located as ``file:line:column: path: message
[code]``. Codes (stable, tested one invalid file each under ``tests/cases/invalid``):

``yaml-syntax``, ``duplicate-key``, ``too-large``, ``too-many-aliases``, ``too-many-nodes``,
``too-deep``, ``recursive-alias``, ``bad-character``, ``unsafe-tag``, ``bad-key``, ``bad-encoding``
    the text itself (see :mod:`.safe_yaml`): limits are enforced while reading and composing
    (``MAX_BYTES`` 4 MiB, ``MAX_CAMPAIGN_NODES``, ``MAX_DEPTH`` 64 levels); ``too-deep`` also
    for a condition nested more than ``MAX_CONDITION_DEPTH`` (32) ``all``/``any``/``not`` levels;
``unknown-key``, ``missing-key``, ``bad-choice``, ``bad-identifier``, ``invalid-value``
    the model (pydantic);
``duplicate-id``, ``phase-order``, ``unknown-fact``, ``fact-subject-mismatch``, ``unknown-field``,
``unknown-param``, ``unknown-enum-value``, ``not-ordered``, ``type-mismatch``, ``not-records``,
``bad-compare``, ``unknown-level``, ``unknown-role``, ``score-sheet``, ``source-seed-mismatch``
    semantic checks.
``unknown-phase``, ``bad-target``
    targets (chỉ tiêu): a value names a phase the campaign does not declare, or a metric does
    not fit its facts (a value/sum/average over a non-numeric fact, a value metric reading an
    individual fact, a share above 100%, a phase given twice); unknown facts, levels and roles
    in a target's metric or population use ``unknown-fact``, ``unknown-level``, ``unknown-role``;
    an ``initiatives`` metric in a campaign without an initiative programme is ``bad-target``.
``unknown-award``, ``bad-quota``
    quotas on an award set: a quota names an award the campaign does not declare, or an award
    of the other subject kind.
``bad-initiatives``
    the initiative programme: its window ends before it starts, its research kind is not one of
    its kinds, or a derived count fact (``credited_fact``, ``unit_fact``) is not an int fact of
    the right subject kind.
"""

from __future__ import annotations

import datetime as dt
import os
import types
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Tag, ValidationError

from emulation_rules.campaign import model as m
from emulation_rules.campaign.reading import STDIN, InputFileError, read_limited
from emulation_rules.campaign.safe_yaml import (
    MAX_BYTES,
    MAX_DEPTH,
    SourceMap,
    dump_yaml,
    parse_yaml,
)
from emulation_rules.errors import (
    CampaignError,
    CampaignValidationError,
    PathItem,
    Problem,
    SourceLocation,
    YAMLSyntaxError,
    did_you_mean,
)

PathT = tuple[PathItem, ...]

_PYDANTIC_CODES = {
    "extra_forbidden": "unknown-key",
    "missing": "missing-key",
    "literal_error": "bad-choice",
    "string_pattern_mismatch": "bad-identifier",
    "union_tag_not_found": "invalid-value",
}


MAX_CAMPAIGN_NODES = 100_000
"""Most YAML nodes in a campaign file (``too-many-nodes``; the largest shipped one has ~3,300)."""
MAX_CONDITION_DEPTH = 32
"""Deepest nesting of ``all``/``any``/``not`` in a condition (``too-deep``)."""


def load_campaign(source: str | os.PathLike[str], *, file: str | None = None) -> m.Campaign:
    """Load a campaign from a path or from YAML text.

    Args:
        source: a path to a ``.yaml`` file, or YAML text (recognised by containing a newline).
        file: name used in error locations for text input (default ``"<string>"``).

    Returns:
        The validated, frozen :class:`~emulation_rules.model.Campaign`.

    Raises:
        YAMLSyntaxError: unreadable or unsafe YAML.
        CampaignValidationError: model or semantic problems; ``.problems`` lists them all.
        CampaignError: the file cannot be read.

    Example:
        >>> c = load_campaign("campaigns/tkv_2019.yaml")  # doctest: +SKIP
        >>> c.document.number
        '115/KH-CĐTKV'
    """
    text, name = _read(source, file)
    data, smap = parse_yaml(text, file=name, max_nodes=MAX_CAMPAIGN_NODES)
    return validate_campaign(data, smap)


def _read(source: str | os.PathLike[str], file: str | None) -> tuple[str | bytes, str]:
    if isinstance(source, str) and ("\n" in source or not source.strip()):
        return source, file or "<string>"
    path = Path(source)
    name = file or ("<stdin>" if os.fspath(source) == STDIN else str(path))
    try:
        return read_limited(source, MAX_BYTES), name
    except InputFileError as exc:
        if exc.code == "too-large":
            raise YAMLSyntaxError([Problem(
                "too-large", f"{exc.message}: over the {MAX_BYTES}-byte limit",
                location=SourceLocation(name, 1, 1))]) from None
        raise CampaignError(f"{name}: cannot read campaign: {exc.message}") from None


def validate_campaign(data: Any, smap: SourceMap | None = None) -> m.Campaign:
    """Validate parsed data as a campaign (model, then semantic checks).

    Raises:
        CampaignValidationError: with every problem found, located through ``smap``.
    """
    smap = smap or SourceMap()
    if not isinstance(data, dict):
        where = smap.locate(()) or SourceLocation(smap.file, 1, 1)
        raise CampaignValidationError([Problem(
            "invalid-value",
            "a campaign file must be a mapping" + (" (the file is empty)" if data is None else ""),
            (), where)])
    deep = _too_deep(data)
    if deep is not None:  # data given as Python objects: YAML text is bounded while parsing
        raise CampaignValidationError([Problem(
            "too-deep", f"nested more than {MAX_DEPTH} levels deep", deep, smap.locate(deep))])
    try:
        campaign = m.Campaign.model_validate(data)
    except ValidationError as exc:
        raise CampaignValidationError(sorted(
            _from_pydantic(exc, data, smap), key=_order)) from None
    problems = sorted(check_campaign(campaign, smap), key=_order)
    if problems:
        raise CampaignValidationError(problems)
    return campaign


def _too_deep(data: Any) -> PathT | None:
    """The path of the first list or mapping nested deeper than MAX_DEPTH (iterative), or None."""
    stack: list[tuple[Any, PathT]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, (dict, list, tuple)):
            if len(path) >= MAX_DEPTH:
                return path
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((v, (*path, k)) for k, v in items)
    return None


def dump_campaign(campaign: m.Campaign) -> str:
    """YAML text of ``campaign`` such that ``load_campaign(dump_campaign(c)) == c``.

    Dates stay YAML dates (not ISO text), so a date threshold in a condition loads back as a
    date; tuples become lists.
    """
    data = campaign.model_dump(mode="python", by_alias=True, exclude_defaults=True)
    return dump_yaml(_plain(data))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _order(p: Problem) -> tuple[int, int, str]:
    loc = p.location
    return (loc.line if loc else 0, (loc.column or 0) if loc else 0, p.code)


# --- pydantic errors -> located problems ------------------------------------------------------

def _from_pydantic(exc: ValidationError, data: Any, smap: SourceMap) -> Iterator[Problem]:
    seen: set[tuple[str, PathT]] = set()
    errors = [(err, *_data_path(err["loc"], data)) for err in exc.errors(include_url=False)]
    for err, path, model_cls in errors:
        kind = err["type"]
        code = _PYDANTIC_CODES.get(kind, "invalid-value")
        if (code, path) in seen:
            continue
        if kind == "too_short" and any(len(p) > len(path) and p[:len(path)] == path
                                       for _, p, _ in errors):
            continue  # knock-on: the list is short only because its items failed (reported below)
        seen.add((code, path))
        hint = None
        message = err["msg"].removeprefix("Value error, ")
        if code == "unknown-key":
            key = path[-1] if path else ""
            message = f"unknown key {key!r}"
            allowed = _allowed_keys(model_cls)
            hint = did_you_mean(str(key), allowed) or (
                f"allowed: {', '.join(sorted(allowed))}" if allowed else None)
        elif code == "missing-key":
            message = f"missing required key {path[-1]!r}" if path else message
        location = smap.locate(path, prefer_key=code == "unknown-key")
        if code == "missing-key":
            location = smap.locate(path[:-1])
        yield Problem(code, message, path, location, hint)


def _data_path(loc: tuple[int | str, ...], data: Any) -> tuple[PathT, type[BaseModel] | None]:
    """Drop union tags from a pydantic ``loc`` and find the model class at the parent."""
    path: list[PathItem] = []
    node = data
    cls: Any = m.Campaign
    parent_cls: Any = m.Campaign
    for item in loc:
        if isinstance(cls, dict) and isinstance(item, str) and item in cls:
            # pydantic names the member of a tagged union before its fields; a tag may also be
            # a data key ('all', 'count'), so the tag is consumed first, without a path step.
            cls = cls[item]
        elif isinstance(node, dict) and isinstance(item, str) and item in node:
            path.append(item)
            node = node[item]
            parent_cls = cls
            cls = _field_type(cls, item)
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            path.append(item)
            node = node[item]
            parent_cls = cls
            cls = _item_type(cls)
        else:
            # key absent (missing) or extra key not in the model: keep it for the message
            path.append(item)
            parent_cls = cls
            break
    model_cls = parent_cls if _is_model(parent_cls) else None
    return tuple(path), model_cls


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, BaseModel)


def _field_type(cls: Any, key: str) -> Any:
    if not _is_model(cls):
        return None
    for name, info in cls.model_fields.items():
        if key in (name, info.alias):
            return _unwrap(info.annotation)
    return None


def _item_type(cls: Any) -> Any:
    args = typing.get_args(cls)
    return _unwrap(args[0]) if args else None


def _unwrap(tp: Any) -> Any:
    """Strip Optional/Annotated to reach a model class or a tuple type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
            return _union_tags(args)  # a tagged union (condition, metric): resolved by its tag
        return tp


def _union_tags(members: list[Any]) -> dict[str, Any] | None:
    """``{tag: model}`` for the members of a tagged union, as pydantic names them in ``loc``:
    a ``Tag`` annotation, else the single literal of the member's ``kind`` field."""
    tags: dict[str, Any] = {}
    for member in members:
        tag = None
        if typing.get_origin(member) is typing.Annotated:
            member, *meta = typing.get_args(member)
            tag = next((x.tag for x in meta if isinstance(x, Tag)), None)
        if not _is_model(member):
            return None
        if tag is None:
            kind = member.model_fields.get("kind")
            literals = typing.get_args(kind.annotation) if kind is not None else ()
            if len(literals) != 1:
                return None
            tag = str(literals[0])
        tags[tag] = member
    return tags


def _allowed_keys(cls: type[BaseModel] | None) -> list[str]:
    if cls is None:
        return []
    return [info.alias or name for name, info in cls.model_fields.items()]


# --- semantic checks ---------------------------------------------------------------------------

def check_campaign(c: m.Campaign, smap: SourceMap | None = None) -> list[Problem]:
    """Semantic checks the model cannot express; returns every problem found (maybe none)."""
    return list(_Checker(c, smap or SourceMap()).run())


_NUMERIC = {"int", "decimal", "percent"}
_ORDERED = _NUMERIC | {"date", "ordered_enum"}


class _Checker:
    def __init__(self, c: m.Campaign, smap: SourceMap) -> None:
        self.c = c
        self.smap = smap
        self.facts = {f.id: f for f in c.facts}
        self.params = {p.id: p for p in c.parameters}
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, path: PathT, hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, path, self.smap.locate(path), hint))

    def run(self) -> Iterator[Problem]:
        c = self.c
        self._unique("facts", c.facts)
        self._unique("parameters", c.parameters)
        self._unique("awards", c.awards)
        self._unique("phases", c.phases)
        self._unique("reviews", c.reviews)
        self._unique("defects", c.defects)
        self._unique(("subjects", "collective_levels"), c.subjects.collective_levels)
        self._unique(("subjects", "individual_roles"), c.subjects.individual_roles)
        for i, f in enumerate(c.facts):
            self._unique(("facts", i, "values"), f.values)
            self._unique(("facts", i, "fields"), f.fields)
            for j, rf in enumerate(f.fields):
                self._unique(("facts", i, "fields", j, "values"), rf.values)
            if f.type in ("enum", "ordered_enum") and not f.values:
                self.add("invalid-value", f"fact {f.id!r} of type {f.type} needs 'values'", ("facts", i))
            if f.type == "records" and not f.fields:
                self.add("invalid-value", f"fact {f.id!r} of type records needs 'fields'", ("facts", i))
        for i, p in enumerate(c.phases):
            if p.end is not None and p.end < p.start:
                self.add("phase-order", f"phase {p.id!r} ends ({p.end}) before it starts ({p.start})",
                         ("phases", i, "end"))
        self._sources()
        levels = {lv.id for lv in c.subjects.collective_levels}
        roles = {r.id for r in c.subjects.individual_roles}
        for i, a in enumerate(c.awards):
            base: PathT = ("awards", i)
            self._unique((*base, "criteria"), a.criteria)
            for j, lv in enumerate(a.eligibility.levels):
                if lv not in levels:
                    self.add("unknown-level", f"unknown collective level {lv!r}",
                             (*base, "eligibility", "levels", j), _hint(lv, levels))
            for j, role in enumerate(a.eligibility.roles):
                if role not in roles:
                    self.add("unknown-role", f"unknown individual role {role!r}",
                             (*base, "eligibility", "roles", j), _hint(role, roles))
            if a.subject == "collective" and a.eligibility.roles:
                self.add("unknown-role", "a collective award lists individual roles",
                         (*base, "eligibility", "roles"))
            if a.subject == "individual" and a.eligibility.levels:
                self.add("unknown-level", "an individual award lists collective levels",
                         (*base, "eligibility", "levels"))
            for j, crit in enumerate(a.criteria):
                self._condition(crit.condition, (*base, "criteria", j, "condition"), a.subject, None)
            if a.score_sheet is not None:
                self._score_sheet(a.score_sheet, (*base, "score_sheet"), a.subject)
        self._unique("targets", c.targets)
        for i, t in enumerate(c.targets):
            self._target(t, ("targets", i), levels, roles)
        self._unique("quotas", c.quotas)
        for i, q in enumerate(c.quotas):
            self._quota(q, ("quotas", i))
        if c.initiatives is not None:
            self._initiatives(c.initiatives, ("initiatives",))
        yield from self.problems

    def _quota(self, q: m.Quota, path: PathT) -> None:
        awards = {a.id: a for a in self.c.awards}
        for j, award_id in enumerate(q.awards):
            a = awards.get(award_id)
            if a is None:
                self.add("unknown-award", f"unknown award {award_id!r}", (*path, "awards", j),
                         _hint(award_id, awards))
            elif a.subject != q.subject:
                self.add("bad-quota", f"award {award_id!r} is for {a.subject} subjects; the quota "
                         f"counts {q.subject} subjects", (*path, "awards", j))
        self._condition(q.condition, (*path, "condition"), q.subject, None)

    def _initiatives(self, prog: m.InitiativeProgramme, path: PathT) -> None:
        self._unique((*path, "kinds"), prog.kinds)
        self._unique((*path, "recognizers"), prog.recognizers)
        self._unique((*path, "checks"), prog.checks)
        if prog.window.end < prog.window.start:
            self.add("bad-initiatives", f"the window ends ({prog.window.end}) before it starts "
                     f"({prog.window.start})", (*path, "window", "end"))
        kinds = [k.id for k in prog.kinds]
        if prog.research_kind is not None and prog.research_kind not in kinds:
            self.add("bad-initiatives", f"research_kind {prog.research_kind!r} is not one of the kinds",
                     (*path, "research_kind"), _hint(prog.research_kind, kinds))
        if any(ch.check == "research_project_accepted" for ch in prog.checks) and (
                prog.research_kind is None or prog.research_applied_from is None):
            self.add("bad-initiatives", "the research_project_accepted check needs research_kind "
                     "and research_applied_from", path)
        for key, kind in (("credited_fact", "individual"), ("unit_fact", "collective")):
            fact_id = getattr(prog, key)
            if fact_id is None:
                continue
            decl = self._fact(fact_id, (*path, key), kind)
            if decl is not None and decl.type != "int":
                self.add("bad-initiatives", f"{key} {fact_id!r} must be an int fact, not {decl.type}",
                         (*path, key))

    def _unique(self, where: str | PathT, items: Iterable[Any]) -> None:
        base: PathT = (where,) if isinstance(where, str) else where
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                self.add("duplicate-id", f"id {item.id!r} is used twice here", (*base, i, "id"))
            seen.add(item.id)

    def _sources(self) -> None:
        seed = self.c.source_seed

        def walk(node: Any, path: PathT) -> None:
            if isinstance(node, m.Source):
                if node.seed != seed:
                    self.add("source-seed-mismatch",
                             f"cites {node.seed!r} but the campaign encodes {seed!r}", (*path, "seed"))
                return
            if isinstance(node, BaseModel):
                for name, info in type(node).model_fields.items():
                    walk(getattr(node, name), (*path, info.alias or name))
            elif isinstance(node, tuple):
                for i, item in enumerate(node):
                    walk(item, (*path, i))

        walk(self.c, ())

    # conditions ---------------------------------------------------------------------------
    def _condition(self, cond: Any, path: PathT, kind: str, records: m.FactDecl | None,
                   depth: int = 0) -> None:
        if depth >= MAX_CONDITION_DEPTH and isinstance(cond, (m.AllOf, m.AnyOf, m.NotOf)):
            self.add("too-deep", f"'all'/'any'/'not' nested more than {MAX_CONDITION_DEPTH} "
                     "levels deep", path)
            return
        if isinstance(cond, m.AllOf):
            for i, sub in enumerate(cond.all):
                self._condition(sub, (*path, "all", i), kind, records, depth + 1)
        elif isinstance(cond, m.AnyOf):
            for i, sub in enumerate(cond.any):
                self._condition(sub, (*path, "any", i), kind, records, depth + 1)
        elif isinstance(cond, m.NotOf):
            self._condition(cond.not_, (*path, "not"), kind, records, depth + 1)
        elif isinstance(cond, m.Count):
            self._count(cond, path, kind, records)
        else:
            self._leaf(cond, path, kind, records)

    def _count(self, cond: m.Count, path: PathT, kind: str, records: m.FactDecl | None) -> None:
        if records is not None:
            self.add("bad-compare", "'count' cannot be nested inside 'where'", (*path, "count"))
            return
        decl = self._fact(cond.count.fact, (*path, "count", "fact"), kind)
        self._threshold_param(cond.param, cond.value, path, allow_value_none=False)
        if decl is None:
            return
        if decl.type != "records":
            self.add("not-records", f"fact {decl.id!r} is {decl.type}, not records",
                     (*path, "count", "fact"))
            return
        if cond.count.distinct is not None and cond.count.distinct not in {f.id for f in decl.fields}:
            self.add("unknown-field", f"records of {decl.id!r} have no field {cond.count.distinct!r}",
                     (*path, "count", "distinct"), _hint(cond.count.distinct, [f.id for f in decl.fields]))
        if cond.count.where is not None:
            self._condition(cond.count.where, (*path, "count", "where"), kind, decl)

    def _threshold_param(self, param: str | None, value: Any, path: PathT, *,
                         allow_value_none: bool) -> None:
        if (param is None) == (value is None) and not (allow_value_none and param is None):
            self.add("bad-compare", "give exactly one of 'value' and 'param'", path)
        if param is not None and param not in self.params:
            self.add("unknown-param", f"unknown parameter {param!r}", (*path, "param"),
                     _hint(param, self.params))

    def _fact(self, fact_id: str, path: PathT, kind: str) -> m.FactDecl | None:
        decl = self.facts.get(fact_id)
        if decl is None:
            self.add("unknown-fact", f"unknown fact {fact_id!r}", path, _hint(fact_id, self.facts))
            return None
        if decl.applies_to != kind:
            self.add("fact-subject-mismatch",
                     f"fact {fact_id!r} applies to {decl.applies_to} subjects, not {kind}", path)
            return None
        return decl

    def _leaf(self, cond: Any, path: PathT, kind: str, records: m.FactDecl | None) -> None:
        decl: m.FactDecl | m.RecordField | None
        if records is None:
            if cond.field is not None or cond.fact is None:
                self.add("bad-compare", "use 'fact' here ('field' is only for 'where' in a count)", path)
                return
            decl = self._fact(cond.fact, (*path, "fact"), kind)
        else:
            if cond.fact is not None or cond.field is None:
                self.add("bad-compare", "inside 'where' use 'field', not 'fact'", path)
                return
            fields = {f.id: f for f in records.fields}
            decl = fields.get(cond.field)
            if decl is None:
                self.add("unknown-field", f"records of {records.id!r} have no field {cond.field!r}",
                         (*path, "field"), _hint(cond.field, fields))
                return
        if decl is None:
            return
        if isinstance(cond, m.Compare):
            self._threshold_param(cond.param, cond.value, path, allow_value_none=False)
            if cond.op not in ("==", "!=") and decl.type not in _ORDERED:
                self.add("not-ordered", f"{decl.type} {decl.id!r} cannot be compared with {cond.op}",
                         (*path, "op"))
            if cond.param is not None and decl.type not in _NUMERIC:
                self.add("type-mismatch", f"a parameter is a number; {decl.id!r} is {decl.type}",
                         (*path, "param"))
            if cond.value is not None:
                self._value(decl, cond.value, (*path, "value"))
        elif isinstance(cond, m.AtLeast):
            if decl.type != "ordered_enum":
                self.add("not-ordered", f"'at_least' needs an ordered_enum; {decl.id!r} is {decl.type}",
                         (*path, "at_least"))
            else:
                self._value(decl, cond.at_least, (*path, "at_least"))
        elif isinstance(cond, m.OneOf):
            for i, v in enumerate(cond.in_):
                self._value(decl, v, (*path, "in", i))

    def _value(self, decl: m.FactDecl | m.RecordField, value: Any, path: PathT) -> None:
        if coerce_threshold(decl, value) is _BAD:
            if decl.type in ("enum", "ordered_enum"):
                ids = [v.id for v in decl.values]
                self.add("unknown-enum-value", f"{value!r} is not a value of {decl.id!r}", path,
                         _hint(str(value), ids) or f"values: {', '.join(ids)}")
            else:
                self.add("type-mismatch", f"{value!r} is not a {decl.type} for {decl.id!r}", path)

    # targets ------------------------------------------------------------------------------
    def _target(self, t: m.Target, path: PathT, levels: set[str], roles: set[str]) -> None:
        phases = {p.id for p in self.c.phases}
        seen: set[str] = set()
        for j, v in enumerate(t.values):
            if v.phase not in phases:
                self.add("unknown-phase", f"unknown phase {v.phase!r}", (*path, "values", j, "phase"),
                         _hint(v.phase, phases))
            elif v.phase in seen:
                self.add("bad-target", f"phase {v.phase!r} is given twice", (*path, "values", j, "phase"))
            seen.add(v.phase)
            if isinstance(t.metric, m.ShareMetric) and not 0 <= v.value <= 100:
                self.add("bad-target", f"a share is a percent (0-100), not {v.value:g}",
                         (*path, "values", j, "value"))
        metric = t.metric
        mpath: PathT = (*path, "metric")
        if isinstance(metric, m.InitiativeCountMetric):
            if self.c.initiatives is None:
                self.add("bad-target", "an 'initiatives' metric needs the campaign's 'initiatives' "
                         "programme", (*mpath, "kind"))
            return
        if isinstance(metric, m.ValueMetric):
            if metric.level not in levels:
                self.add("unknown-level", f"unknown collective level {metric.level!r}", (*mpath, "level"),
                         _hint(metric.level, levels))
            self._numeric(metric.fact, (*mpath, "fact"), "collective")
            return
        pop = metric.population
        ppath: PathT = (*mpath, "population")
        for j, lv in enumerate(pop.levels):
            if pop.kind != "collective":
                self.add("unknown-level", "an individual population lists collective levels", (*ppath, "levels"))
                break
            if lv not in levels:
                self.add("unknown-level", f"unknown collective level {lv!r}", (*ppath, "levels", j),
                         _hint(lv, levels))
        for j, role in enumerate(pop.roles):
            if pop.kind != "individual":
                self.add("unknown-role", "a collective population lists individual roles", (*ppath, "roles"))
                break
            if role not in roles:
                self.add("unknown-role", f"unknown individual role {role!r}", (*ppath, "roles", j),
                         _hint(role, roles))
        if pop.where is not None:
            self._condition(pop.where, (*ppath, "where"), pop.kind, None)
        if isinstance(metric, (m.CountMetric, m.ShareMetric)):
            if metric.condition is not None:
                self._condition(metric.condition, (*mpath, "condition"), pop.kind, None)
        else:
            self._numeric(metric.fact, (*mpath, "fact"), pop.kind)

    def _numeric(self, fact_id: str, path: PathT, kind: str) -> None:
        decl = self._fact(fact_id, path, kind)
        if decl is not None and decl.type not in _NUMERIC:
            self.add("bad-target", f"fact {fact_id!r} is {decl.type}; a target needs a number", path)

    def _score_sheet(self, sheet: m.ScoreSheet, path: PathT, kind: str) -> None:
        self._unique((*path, "items"), sheet.items)
        self._unique((*path, "bands"), sheet.bands)
        total = 0.0
        for i, item in enumerate(sheet.items):
            ipath = (*path, "items", i)
            total += item.max_points
            if (item.points_fact is None) == (item.condition is None):
                self.add("score-sheet", "an item needs exactly one of 'points_fact' and 'condition'", ipath)
            if item.points_fact is not None:
                decl = self._fact(item.points_fact, (*ipath, "points_fact"), kind)
                if decl is not None and decl.type not in _NUMERIC:
                    self.add("type-mismatch", f"points_fact {decl.id!r} must be numeric", (*ipath, "points_fact"))
            if item.condition is not None:
                self._condition(item.condition, (*ipath, "condition"), kind, None)
        if abs(total - sheet.max_points) > 1e-9:
            self.add("score-sheet", f"items add up to {total:g}, not max_points {sheet.max_points:g}",
                     (*path, "max_points"))
        mins = [b.min_points for b in sheet.bands]
        if mins != sorted(mins) or len(set(mins)) != len(mins):
            self.add("score-sheet", "bands must be listed lowest first with distinct min_points", (*path, "bands"))
        if sheet.pass_band is not None and sheet.pass_band not in {b.id for b in sheet.bands}:
            self.add("score-sheet", f"unknown band {sheet.pass_band!r}", (*path, "pass_band"),
                     _hint(sheet.pass_band, [b.id for b in sheet.bands]))


class _Bad:
    pass


_BAD: Any = _Bad()


def coerce_threshold(decl: m.FactDecl | m.RecordField, value: Any) -> Any:
    """Coerce a threshold constant to the type of ``decl``; returns ``_BAD`` when impossible.

    Dates may be written as ``2021-09-01`` (a YAML date) or as an ISO string.
    """
    t = decl.type
    if t == "bool":
        return value if isinstance(value, bool) else _BAD
    if isinstance(value, bool):
        return _BAD
    if t == "int":
        return value if isinstance(value, int) else _BAD
    if t in ("decimal", "percent"):
        return float(value) if isinstance(value, (int, float)) else _BAD
    if t == "date":
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return _BAD
        return _BAD
    if t in ("enum", "ordered_enum"):
        return value if isinstance(value, str) and value in {v.id for v in decl.values} else _BAD
    if t == "text":
        return value if isinstance(value, str) else _BAD
    return _BAD


_hint = did_you_mean
