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
``bad-compare``, ``unknown-level``, ``unknown-role``, ``score-sheet``, ``source-seed-mismatch``
    semantic checks.
``unknown-phase``, ``bad-target``
    targets (chỉ tiêu): a value names a phase the campaign does not declare, or a metric does
    not fit its facts (a value/sum/average over a non-numeric fact, a value metric reading an
    individual fact, a share above 100%, a phase given twice); unknown facts, levels and roles
    in a target's metric or population use ``unknown-fact``, ``unknown-level``, ``unknown-role``;
    an ``initiatives`` metric in a campaign without an initiative programme is ``bad-target``.
``figure-not-in-source``
    a threshold, target figure, quota share or date is not printed on the seed lines its rule
    cites and is not declared ``derived`` (see :mod:`.figures`; run when the seeds are found).
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

import os
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Tag, ValidationError

from emulation_rules.campaign import model as m
from emulation_rules.campaign.checks import MAX_CONDITION_DEPTH as MAX_CONDITION_DEPTH
from emulation_rules.campaign.checks import check_campaign
from emulation_rules.campaign.figures import check_figures, find_seeds
from emulation_rules.campaign.reading import STDIN, InputFileError, read_limited
from emulation_rules.campaign.safe_yaml import (
    MAX_BYTES,
    MAX_DEPTH,
    SourceMap,
    dump_yaml,
    parse_yaml,
)
from emulation_rules.errors import (
    PYDANTIC_CODES,
    CampaignError,
    CampaignValidationError,
    PathItem,
    Problem,
    SourceLocation,
    YAMLSyntaxError,
    did_you_mean,
    identifier_message,
)

PathT = tuple[PathItem, ...]

MAX_CAMPAIGN_NODES = 100_000
"""Most YAML nodes in a campaign file (``too-many-nodes``; the largest shipped one has ~3,300)."""


def load_campaign(source: str | os.PathLike[str], *, file: str | None = None,
                  seeds: str | os.PathLike[str] | None = None) -> m.Campaign:
    """Load a campaign from a path or from YAML text.

    Args:
        source: a path to a ``.yaml`` file, or YAML text (recognised by containing a newline).
        file: name used in error locations for text input (default ``"<string>"``).
        seeds: directory of the seed texts for the figure check (:mod:`.figures`); default:
            found beside a campaign file given by path, none for text input (no check).

    Returns:
        The validated, frozen :class:`~emulation_rules.model.Campaign`.

    Raises:
        YAMLSyntaxError: unreadable or unsafe YAML.
        CampaignValidationError: model or semantic problems; ``.problems`` lists them all.
        CampaignError: the file cannot be read.

    Example:
        >>> c = load_campaign("campaigns/tkv_2019.yaml")
        >>> c.document.number
        '115/KH-CĐTKV'
    """
    text, name = _read(source, file)
    data, smap = parse_yaml(text, file=name, max_nodes=MAX_CAMPAIGN_NODES)
    if seeds is None and not isinstance(text, str):  # a file (read as bytes), not YAML text
        seeds = find_seeds(Path(name).parent)
    return validate_campaign(data, smap, seeds=seeds)


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


def validate_campaign(data: Any, smap: SourceMap | None = None, *,
                      seeds: str | os.PathLike[str] | None = None) -> m.Campaign:
    """Validate parsed data as a campaign (model, semantic checks, then the figure check
    against the seed texts in ``seeds`` when given).

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
    problems = check_campaign(campaign, smap)
    if not problems and seeds is not None:
        problems = check_figures(campaign, smap, Path(seeds)).problems
    problems = sorted(problems, key=_order)
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
            key = path[-1] if path else ""
            message = f"unknown key {key!r}"
            allowed = _allowed_keys(model_cls)
            hint = did_you_mean(str(key), allowed) or (
                f"allowed: {', '.join(sorted(allowed))}" if allowed else None)
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
