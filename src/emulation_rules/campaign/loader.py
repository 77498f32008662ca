"""Load and check campaign files: safe YAML -> pydantic model -> semantic checks.

Every problem is collected and raised once, each located as ``file:line:column: path: message
[code]``. Codes (stable, tested one invalid file each under ``tests/cases/invalid``):

The codes are declared, with what each means, in :data:`emulation_rules.errors.PROBLEM_CODES`.

``yaml-syntax``, ``duplicate-key``, ``too-large``, ``too-many-aliases``, ``too-many-nodes``,
``too-deep``, ``recursive-alias``, ``bad-character``, ``unsafe-tag``, ``bad-key``, ``bad-encoding``
    the text itself (see :mod:`.safe_yaml`): limits are enforced while reading and composing
    (``MAX_BYTES`` 4 MiB, ``MAX_CAMPAIGN_NODES``, ``MAX_DEPTH`` 64 levels); ``too-deep`` also
    for a condition nested more than ``MAX_CONDITION_DEPTH`` (32) ``all``/``any``/``not`` levels;
``unknown-key``, ``missing-key``, ``bad-choice``, ``bad-identifier``, ``invalid-value``
    the model (pydantic);
``duplicate-id``, ``phase-order``, ``unknown-fact``, ``fact-subject-mismatch``, ``unknown-field``,
``unknown-param``, ``unknown-enum-value``, ``not-ordered``, ``type-mismatch``, ``not-records``,
``bad-compare``, ``unknown-level``, ``unknown-role``, ``score-sheet``, ``unknown-document``,
``bad-citation``, ``schema-version``
    semantic checks.
``unknown-phase``, ``bad-target``
    targets (chỉ tiêu): a value names a phase the campaign does not declare, or a metric does
    not fit its facts (a value/sum/average over a non-numeric fact, a value metric reading an
    individual fact, a share above 100%, a phase given twice); unknown facts, levels and roles
    in a target's metric or population use ``unknown-fact``, ``unknown-level``, ``unknown-role``;
    an ``initiatives`` metric in a campaign without an initiative programme is ``bad-target``.
``figure-not-in-source``
    a threshold, target figure, quota share or date is not printed on the document lines its rule
    cites and is not declared ``derived`` (see :mod:`.figures`; run when the texts are found).
``unknown-award``, ``bad-quota``
    quotas on an award set: a quota names an award the campaign does not declare, or an award
    of the other subject kind; ``unknown-award`` also for a condition ``{award: id}`` naming no
    award (the message lists the campaign's awards).
``award-cycle``
    awards that require each other (``{award: ...}``, or ``held ... consecutive_years`` over an
    award of this evaluation) in a cycle: none can be judged first (:mod:`.dependencies`).
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
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Tag, TypeAdapter, ValidationError

from emulation_rules.campaign import model as m
from emulation_rules.campaign.safe_yaml import (
    MAX_DEPTH,
    SourceMap,
    dump_yaml,
    explain_splits,
)
from emulation_rules.campaign.texts import DocumentTexts
from emulation_rules.errors import (
    PYDANTIC_CODES,
    CampaignValidationError,
    PathItem,
    Problem,
    SourceLocation,
    did_you_mean,
    identifier_message,
    unknown_key,
)

PathT = tuple[PathItem, ...]

MAX_CAMPAIGN_NODES = 100_000
"""Most YAML nodes in a campaign file (``too-many-nodes``; the largest shipped one has ~3,300)."""


def validate_campaign(data: Any, smap: SourceMap | None = None, *,
                      texts: DocumentTexts | None = None,
                      seeds: str | os.PathLike[str] | None = None) -> m.Campaign:
    """Validate parsed data as a campaign (format version, model, semantic checks, then the
    citation and figure check against the documents' texts when ``texts`` is given).

    Args:
        data: the parsed file.
        smap: where each value stands in the file.
        texts: where the documents' texts are (:class:`~.figures.DocumentTexts`).
        seeds: a directory of document texts (former API; same as ``texts`` searching it).

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
    version = _version_problem(data, smap)
    if version is not None:
        raise CampaignValidationError([version])
    m.build_models()
    try:
        campaign = m.Campaign.model_validate(data)
    except ValidationError as exc:
        found = list(_from_pydantic(exc, data, smap))
        found += _salvaged_checks(data, smap, {(p.code, p.path) for p in found})
        raise CampaignValidationError(explain_splits(sorted(found, key=_order), smap)) from None
    from emulation_rules.campaign.checks import check_campaign  # not needed by a campaign read from the cache
    from emulation_rules.campaign.figures import check_figures
    from emulation_rules.campaign.texts import check_texts

    problems = check_campaign(campaign, smap)
    if texts is None and seeds is not None:
        texts = DocumentTexts(None, [seeds])
    problems += check_texts(campaign, smap, texts)[0]  # marks the citations whose lines go unchecked
    if texts is not None:  # also beside other problems: no problem hides another
        problems = [*problems, *check_figures(campaign, smap, texts).problems]
    problems = sorted(problems, key=_order)
    if problems:
        raise CampaignValidationError(explain_splits(problems, smap))
    return campaign


def _version_problem(data: dict[Any, Any], smap: SourceMap) -> Problem | None:
    version = data.get("schema_version")
    if version == m.SCHEMA_VERSION or "schema_version" not in data:
        return None  # missing: the model says so with the other missing keys
    path: PathT = ("schema_version",)
    from emulation_rules.campaign.migrate import needs_migration

    if needs_migration(data):
        return Problem(
            "schema-version",
            "this campaign is in format version 1 (one 'source_seed', citations by 'seed'); "
            f"this release reads version {m.SCHEMA_VERSION}, which declares 'documents' and cites "
            "them by id",
            path, smap.locate(path),
            "convert it with: emulation-rules migrate FILE --write (comments and layout are kept)")
    return Problem("schema-version", f"unknown format version {version!r}; this release reads "
                   f"version {m.SCHEMA_VERSION}", path, smap.locate(path),
                   f"write schema_version: {m.SCHEMA_VERSION}")


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
    m.build_models()
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


# --- no problem hides another: the semantic checks on what the model could read --------------

MAX_SALVAGE_ROUNDS = 64
"""Most rounds of leaving out what the model refuses before the semantic checks give up."""


class _Pruned:
    """The campaign data with some keys and list items left out (by their original paths), and
    the way back from a path in the pruned data to the original one."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.removed: set[PathT] = set()
        self.kept: dict[PathT, list[int]] = {}  # original list path -> original indexes kept

    def build(self) -> Any:
        self.kept = {}
        return self._build(self.data, ())

    def _build(self, node: Any, path: PathT) -> Any:
        if isinstance(node, dict):
            return {k: self._build(v, (*path, k)) for k, v in node.items() if (*path, k) not in self.removed}
        if isinstance(node, list):
            kept = [i for i in range(len(node)) if (*path, i) not in self.removed]
            if len(kept) != len(node):
                self.kept[path] = kept
            return [self._build(node[i], (*path, i)) for i in kept]
        return node

    def original(self, path: PathT) -> PathT:
        out: list[PathItem] = []
        for item in path:
            kept = self.kept.get(tuple(out))
            if isinstance(item, int) and kept is not None and 0 <= item < len(kept):
                item = kept[item]
            out.append(item)
        return tuple(out)

    def leave_out(self, path: PathT, kind: str, model_cls: type[BaseModel] | None) -> bool:
        """Leave out what makes the error at (original) ``path``: an unknown key, else the
        innermost list item holding it, else an optional key (its default is then read).
        False when nothing can be left out."""
        ends = [i for i, item in enumerate(path) if isinstance(item, int)]
        target: PathT | None = None
        if kind == "extra_forbidden" and path:
            target = path
        elif ends:
            target = path[:ends[-1] + 1]
        elif path and kind != "missing" and isinstance(path[-1], str) and _optional(model_cls, path[-1]):
            target = path
        if target is None or target in self.removed:
            return False
        self.removed.add(target)
        return True


def _optional(cls: type[BaseModel] | None, key: str) -> bool:
    if cls is None:
        return False
    return any(key in (name, info.alias) and not info.is_required()
               for name, info in cls.model_fields.items())


def _salvaged_checks(data: dict[str, Any], smap: SourceMap,
                     reported: set[tuple[str, PathT]]) -> list[Problem]:
    """The semantic problems of ``data`` the model refused, so that no problem hides another.

    Each top-level section is read on its own; what the model refuses in it is left out (an
    unknown key, else the list item holding the error, else an optional key) until the rest
    reads; a required section that still cannot be read stands in as an empty placeholder.
    The checks then run on what was read, their problems located at the original paths. A
    problem about a mapping that lost a key, an ``unknown-*`` problem naming the id of an item
    left out, or an unknown document when ``documents`` itself is unreadable, is a knock-on
    of a problem already reported: dropped.
    """
    pruned = _Pruned(data)
    broken: set[str] = set()
    for _ in range(MAX_SALVAGE_ROUNDS):
        rest = pruned.build()
        values: dict[str, Any] = {}
        failed = False
        for name, info in m.Campaign.model_fields.items():
            key = info.alias or name
            if key not in rest or key in broken:
                if key in broken or info.is_required():
                    broken.add(key)
                    values[name] = _placeholder(info.annotation)
                continue
            try:
                values[name] = _adapter(name).validate_python(rest[key])
            except ValidationError as exc:
                failed = True
                progress = False
                for err in exc.errors(include_url=False):
                    path, model_cls = _data_path((key, *err["loc"]), rest)
                    progress |= pruned.leave_out(pruned.original(path), err["type"], model_cls)
                if not progress:
                    broken.add(key)
        if not failed:
            campaign = m.Campaign.model_construct(**values)
            break
    else:
        return []
    left_out = [_value_at(data, p) for p in pruned.removed if isinstance(p[-1], int)]
    ids = {str(item.get("id")) for item in left_out if isinstance(item, dict) and "id" in item}
    holders = {p[:-1] for p in pruned.removed}  # e.g. a campaign whose only phase is refused: not phase-free
    out: list[Problem] = []
    from emulation_rules.campaign.checks import check_campaign

    for p in check_campaign(campaign, SourceMap(file=smap.file)):
        path = pruned.original(p.path)
        if (p.code, path) in reported or path in holders:
            continue  # reported, or about a mapping or list that lost a key or item (fixing it may fix this)
        if p.code.startswith("unknown-") and str(_value_at(data, path)) in ids:
            continue  # names an item left out above: already reported there
        if p.code == "unknown-document" and "documents" in broken:
            continue  # the documents could not be read: every citation would look unknown
        out.append(Problem(p.code, p.message, path, smap.locate(path), p.hint))
    return out


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(name: str) -> TypeAdapter[Any]:
    """A validator of one top-level field of the campaign, with its constraints (min_length)."""
    if name not in _ADAPTERS:
        m.build_models()
        info = m.Campaign.model_fields[name]
        tp: Any = info.annotation
        if info.metadata:
            tp = typing.Annotated[(tp, *info.metadata)]
        _ADAPTERS[name] = TypeAdapter(tp, config=m.Campaign.model_config if not _is_model(tp) else None)
    return _ADAPTERS[name]


def _placeholder(tp: Any) -> Any:
    """An empty stand-in of type ``tp`` for a required section that cannot be read."""
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin is tuple or tp is tuple:
        return ()
    if origin is typing.Literal:
        return typing.get_args(tp)[0]
    if _is_model(tp):
        return tp.model_construct(**{name: _placeholder(info.annotation)
                                     for name, info in tp.model_fields.items() if info.is_required()})
    if tp is dt.date:
        return dt.date.min
    if tp in (int, float):
        return 0
    return ""


def _value_at(data: Any, path: PathT) -> Any:
    node = data
    for item in path:
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            return None
    return node


# --- pydantic errors -> located problems ------------------------------------------------------

def _from_pydantic(exc: ValidationError, data: Any, smap: SourceMap) -> Iterator[Problem]:
    seen: set[tuple[str, PathT]] = set()
    errors = [(err, *_data_path(err["loc"], data)) for err in exc.errors(include_url=False)]
    for err, path, model_cls in errors:
        kind = err["type"]
        code = PYDANTIC_CODES.get(kind, "invalid-value")
        if (code, path) in seen:
            continue
        if kind == "too_short" and any(len(p) > len(path) and p[:len(path)] == path
                                       for _, p, _ in errors):
            continue  # knock-on: the list is short only because its items failed (reported below)
        seen.add((code, path))
        hint = None
        message = err["msg"].removeprefix("Value error, ")
        if code == "unknown-key":
            message, hint = unknown_key_message(path[-1] if path else "", model_cls)
        elif code == "missing-key":
            message = f"missing required key {path[-1]!r}" if path else message
        elif code == "bad-identifier":
            message, hint = identifier_message(err.get("input"))
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
            if tag is None:
                return None
            tags[tag] = member  # a tagged plain member (a quota's per: a name or a mapping)
            continue
        if tag is None:
            kind = member.model_fields.get("kind")
            literals = typing.get_args(kind.annotation) if kind is not None else ()
            if len(literals) != 1:
                return None
            tag = str(literals[0])
        tags[tag] = member
    return tags


_CONDITION_FORMS: dict[type[BaseModel], str] = {
    m.AllOf: "all", m.AnyOf: "any", m.NotOf: "not", m.Count: "count", m.Aggregate: "aggregate", m.AtLeast: "at_least",
    m.OneOf: "in", m.Compare: "op",
}
"""The condition forms and the key that picks each (a mapping with none of them is a comparison)."""


def unknown_key_message(key: PathItem, cls: type[BaseModel] | None) -> tuple[str, str | None]:
    """``(message, hint)`` of an ``unknown-key`` problem: the keys allowed there and a
    did-you-mean (never a key of opposite meaning, see :func:`~emulation_rules.errors.suggestion`).
    In a condition, the keys of every condition form are named, since the form is chosen by its keys."""
    message, hint = unknown_key(key, _allowed_keys(cls))
    if cls in _CONDITION_FORMS:
        others = [k for c, k in _CONDITION_FORMS.items() if c is not cls]
        message += f"; other forms of condition start with: {', '.join(others)}"
        hint = did_you_mean(str(key), {k for c in _CONDITION_FORMS for k in _allowed_keys(c)})
    return message, hint


def model_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class holding the last key of a pydantic error ``loc`` under ``root`` (to list
    the keys allowed beside an unknown one), or None when it is not a model."""
    cls: Any = root
    for item in loc[:-1]:
        if isinstance(cls, dict):
            cls = cls.get(item) if isinstance(item, str) else None
        elif isinstance(item, int) or not _is_model(cls):
            cls = _item_type(cls)  # a list item, or the value of a str-keyed mapping
        else:
            cls = _field_type(cls, item)
        if cls is None:
            return None
    return cls if _is_model(cls) else None


def _allowed_keys(cls: type[BaseModel] | None) -> list[str]:
    if cls is None:
        return []
    return [info.alias or name for name, info in cls.model_fields.items()]


# --- semantic checks ---------------------------------------------------------------------------
