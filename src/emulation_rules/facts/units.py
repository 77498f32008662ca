"""The tree of units (cây đơn vị): which union body stands under which, read from a units file.

A review is run by one level of the union for the level below it: an upper-level union (công đoàn
cấp trên trực tiếp cơ sở) for its grassroots unions, a provincial federation (LĐLĐ tỉnh) for its
upper-level unions, the Confederation for the provinces and sectors. The levels changed with the
2025 local-government reform (district level abolished), so the tree is data, never code.

A units file is YAML, JSON, CSV or .xlsx (first sheet). YAML/JSON::

    levels: [grassroots_union, upper_level_union, province]   # optional, lowest first
    units:
      - {id: LDLD-X, name: Liên đoàn Lao động tỉnh X, level: province}
      - {id: CDCT-1, name: Công đoàn ..., level: upper_level_union, parent: LDLD-X}
      - {id: CD-A, name: ..., level: grassroots_union, parent: CDCT-1, cluster: khoi-1}

CSV and .xlsx: one unit per row with the columns ``id, name, level, parent, cluster`` (the
Vietnamese headers ``mã, tên, cấp, đơn vị cấp trên, cụm`` are read too).

Checks (every problem located, all reported at once): a unit id twice (``duplicate-id``), a parent
that is no unit of the file (``unknown-unit``, with did-you-mean), a cycle of parents
(``unit-cycle``), and a unit whose parent's level is not above its own (``unit-level-order``) in the
level order: the file's ``levels`` when given, else the campaign's ``collective_levels`` (lowest
first). A level that is in neither is ``unknown-level``.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.safe_yaml import SourceMap, parse_yaml
from emulation_rules.errors import (
    FactsError,
    Problem,
    ProblemCode,
    SourceLocation,
    YAMLSyntaxError,
    unknown_id,
)
from emulation_rules.facts.inputs import read_input

__all__ = ["MAX_UNITS_BYTES", "Unit", "UnitTree", "load_units", "parse_units"]

MAX_UNITS_BYTES = 16 * 1024 * 1024
"""Largest units file read (16 MiB: about 130,000 grassroots unions as CSV)."""

_COLUMNS = ("id", "name", "level", "parent", "cluster")
_VI_HEADERS = {"mã": "id", "mã đơn vị": "id", "tên": "name", "tên đơn vị": "name", "cấp": "level",
               "đơn vị cấp trên": "parent", "cấp trên": "parent", "cụm": "cluster", "khối": "cluster",
               "cụm, khối": "cluster"}


def _nfc(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


@dataclass(frozen=True)
class Unit:
    """One union body of the tree.

    Attributes:
        id: the unit's id (NFC), the same id its subject carries in a facts file.
        name: display name.
        level: level id (e.g. ``grassroots_union``).
        parent: id of the unit directly above, None for a root.
        cluster: emulation cluster or block (cụm, khối thi đua) it is ranked in, if any.
        location: where the unit is written in its file.
    """

    id: str
    level: str
    name: str | None = None
    parent: str | None = None
    cluster: str | None = None
    location: SourceLocation | None = None


@dataclass(frozen=True)
class UnitTree:
    """A checked tree (a forest) of units; build it with :func:`load_units` or :func:`parse_units`.

    Attributes:
        units: the units in file order.
        levels: level ids, lowest first.
    """

    units: tuple[Unit, ...]
    levels: tuple[str, ...] = ()
    _by_id: Mapping[str, Unit] = field(default_factory=dict, repr=False, compare=False)
    _children: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {u.id: u for u in self.units}
        children: dict[str, list[str]] = {}
        for u in self.units:
            if u.parent is not None:
                children.setdefault(u.parent, []).append(u.id)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})

    def __contains__(self, unit_id: object) -> bool:
        return isinstance(unit_id, str) and unicodedata.normalize("NFC", unit_id) in self._by_id

    def unit(self, unit_id: str) -> Unit:
        """The unit ``unit_id``.

        Raises:
            KeyError: no such unit.
        """
        return self._by_id[unicodedata.normalize("NFC", unit_id)]

    def children(self, unit_id: str) -> tuple[Unit, ...]:
        """The units directly under ``unit_id``, in file order."""
        return tuple(self._by_id[c] for c in self._children.get(unit_id, ()))

    def roots(self) -> tuple[Unit, ...]:
        """The units with no parent, in file order."""
        return tuple(u for u in self.units if u.parent is None)

    def ancestors(self, unit_id: str) -> tuple[Unit, ...]:
        """The units above ``unit_id``, nearest first (empty for a root)."""
        out = []
        parent = self.unit(unit_id).parent
        while parent is not None:
            unit = self._by_id[parent]
            out.append(unit)
            parent = unit.parent
        return tuple(out)

    def subtree(self, unit_id: str) -> tuple[Unit, ...]:
        """``unit_id`` and every unit below it, depth first in file order."""
        out: list[Unit] = []
        stack = [unit_id]
        while stack:
            uid = stack.pop()
            out.append(self._by_id[uid])
            stack.extend(reversed(self._children.get(uid, ())))
        return tuple(out)

    def leaves(self) -> tuple[Unit, ...]:
        """The units with no unit below them (the ones expected to submit), in file order."""
        return tuple(u for u in self.units if u.id not in self._children)

    def depth_order(self) -> tuple[Unit, ...]:
        """Every unit, the deepest first: an order in which each child comes before its parent."""
        depth = {u.id: len(self.ancestors(u.id)) for u in self.units}
        return tuple(sorted(self.units, key=lambda u: -depth[u.id]))

    def clusters(self) -> dict[str, tuple[Unit, ...]]:
        """``{cluster id: its units in file order}`` for the units that name a cluster."""
        out: dict[str, list[Unit]] = {}
        for u in self.units:
            if u.cluster is not None:
                out.setdefault(u.cluster, []).append(u)
        return {k: tuple(v) for k, v in out.items()}


def load_units(source: str | os.PathLike[str], campaign: m.Campaign | None = None) -> UnitTree:
    """Read and check a units file (``.yaml``/``.yml``, ``.json``, ``.csv`` or ``.xlsx``).

    Args:
        source: the file's path.
        campaign: gives the level order when the file has no ``levels`` list.

    Returns:
        The checked :class:`UnitTree`.

    Raises:
        FactsError: every problem of the file, each located (``file:line:column`` or
            ``file:Sheet!C12``): unreadable file, syntax, ``duplicate-id``, ``unknown-unit``,
            ``unit-cycle``, ``unit-level-order``, ``unknown-level``, ``missing-key``.
    """
    name = str(source)
    raw = read_input(source, MAX_UNITS_BYTES, name, reading="cannot read the units file")
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _from_table(_xlsx_rows(raw, name), campaign, name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FactsError([Problem("bad-encoding", f"not UTF-8 at byte {exc.start}",
                                  location=SourceLocation(name, 1))]) from None
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return _from_table(((None, i, row) for i, row in enumerate(rows, start=1)), campaign, name)
    return parse_units(text, campaign, file=name, json=suffix == ".json")


def parse_units(text: str, campaign: m.Campaign | None = None, *, file: str = "<string>",
                json: bool = False) -> UnitTree:
    """Check a units document given as YAML or JSON text; see :func:`load_units`."""
    smap: SourceMap
    if json:
        from emulation_rules.facts.json_text import parse_json

        data, smap = parse_json(text, file=file)
    else:
        try:
            data, smap = parse_yaml(text, file=file)
        except YAMLSyntaxError as exc:
            raise FactsError(exc.problems) from None
    here = SourceLocation(file, 1)
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise FactsError([Problem("missing-key", "a units file is a mapping with a 'units' list",
                                  location=smap.locate(()) or here)])
    problems: list[Problem] = []
    unknown = sorted(set(data) - {"units", "levels"})
    for key in unknown:
        message, hint = unknown_id("key", key, ["levels", "units"])
        problems.append(Problem("unknown-key", message, (key,), smap.locate((key,), prefer_key=True), hint))
    levels = _levels(data.get("levels"), smap, problems)
    units: list[Unit] = []
    for i, raw in enumerate(data["units"]):
        path: tuple[str | int, ...] = ("units", i)
        if not isinstance(raw, dict):
            problems.append(Problem("invalid-value", "a unit is a mapping {id, name, level, parent, cluster}",
                                    path, smap.locate(path)))
            continue
        for key in sorted(set(raw) - set(_COLUMNS)):
            message, hint = unknown_id("key", key, _COLUMNS)
            problems.append(Problem("unknown-key", message, (*path, key),
                                    smap.locate((*path, key), prefer_key=True), hint))
        unit = _unit({k: _nfc(raw.get(k)) for k in _COLUMNS}, path, lambda key, p=path: smap.locate(
            (*p, key) if key else p) or here, problems)
        if unit is not None:
            units.append(unit)
    return _checked(units, levels, campaign, problems, file)


def _levels(raw: Any, smap: SourceMap, problems: list[Problem]) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        problems.append(Problem("invalid-value", "'levels' is a list of level ids, lowest first", ("levels",),
                                smap.locate(("levels",))))
        return None
    return tuple(unicodedata.normalize("NFC", x) for x in raw)


def _unit(cells: Mapping[str, str | None], path: tuple[str | int, ...], loc: Any,
          problems: list[Problem]) -> Unit | None:
    missing = [k for k in ("id", "level") if not cells.get(k)]
    if missing:
        problems.append(Problem("missing-key", f"a unit needs {' and '.join(repr(k) for k in missing)}",
                                path, loc(None)))
        return None
    return Unit(id=cells["id"] or "", level=cells["level"] or "", name=cells.get("name"),
                parent=cells.get("parent"), cluster=cells.get("cluster"), location=loc("id"))


def _xlsx_rows(data: bytes, file: str) -> Iterator[tuple[str | None, int, list[Any]]]:
    from emulation_rules.facts.xlsx import _read_sheets as read_sheets

    sheets = read_sheets(data, file)
    if not sheets:
        raise FactsError([Problem("empty", "the workbook has no sheet", location=SourceLocation(file, 1))])
    sheet, rows = sheets[0]
    for i, row in enumerate(rows, start=1):
        yield sheet, i, list(row)


def _from_table(rows: Iterable[tuple[str | None, int, list[Any]]], campaign: m.Campaign | None,
                file: str) -> UnitTree:
    problems: list[Problem] = []
    header: list[str | None] | None = None
    units: list[Unit] = []
    for sheet, row_no, row in rows:
        cells = [_nfc(c) for c in row]
        if header is None:
            if not any(cells):
                continue
            header = [_header(c) for c in cells]
            for col, h in enumerate(header, start=1):
                if h is None and cells[col - 1]:
                    message, hint = unknown_id("column", cells[col - 1], _COLUMNS)
                    problems.append(Problem("unknown-column", message, (), SourceLocation(file, row_no, col, sheet),
                                            hint))
            if "id" not in header or "level" not in header:
                problems.append(Problem("missing-key", "columns 'id' and 'level' are required", (),
                                        SourceLocation(file, row_no, None, sheet)))
                raise FactsError(problems)
            continue
        if not any(cells):
            continue
        by_name = {h: cells[i] if i < len(cells) else None for i, h in enumerate(header) if h}

        def loc(key: str | None, row_no: int = row_no, sheet: str | None = sheet,
                header: list[str | None] = header) -> SourceLocation:
            col = header.index(key) + 1 if key in header else None
            return SourceLocation(file, row_no, col, sheet)

        unit = _unit(by_name, (row_no,), loc, problems)
        if unit is not None:
            units.append(unit)
    if header is None:
        raise FactsError([Problem("empty", "no header row", location=SourceLocation(file, 1))])
    return _checked(units, None, campaign, problems, file)


def _header(cell: str | None) -> str | None:
    if cell is None:
        return None
    key = cell.casefold()
    return key if key in _COLUMNS else _VI_HEADERS.get(key)


def _checked(units: Sequence[Unit], levels: tuple[str, ...] | None, campaign: m.Campaign | None,
             problems: list[Problem], file: str) -> UnitTree:
    order = levels if levels is not None else (
        tuple(lv.id for lv in campaign.subjects.collective_levels) if campaign is not None else ())
    rank = {lv: i for i, lv in enumerate(order)}
    by_id: dict[str, Unit] = {}
    for u in units:
        if u.id in by_id:
            first = by_id[u.id].location
            problems.append(_p("duplicate-id", f"unit {u.id!r} is listed twice (first at {first})", u, "id"))
        else:
            by_id[u.id] = u
        if order and u.level not in rank:
            message, hint = unknown_id("level", u.level, order, where=f" of unit {u.id!r}")
            problems.append(_p("unknown-level", message, u, "level", hint))
    ids = list(by_id)
    for u in by_id.values():
        if u.parent is None:
            continue
        parent = by_id.get(u.parent)
        if parent is None:
            message, hint = unknown_id("unit", u.parent, ids, where=f" (parent of {u.id!r})")
            problems.append(_p("unknown-unit", message, u, "parent", hint))
        elif u.level in rank and parent.level in rank and rank[parent.level] <= rank[u.level]:
            problems.append(_p("unit-level-order",
                               f"unit {u.id!r} ({u.level}) stands under {parent.id!r} ({parent.level}), "
                               f"which is not a higher level; levels, lowest first: {', '.join(order)}", u, "parent"))
    problems.extend(_cycles(by_id))
    if problems:
        raise FactsError(problems)
    return UnitTree(tuple(by_id.values()), order)


def _cycles(by_id: Mapping[str, Unit]) -> list[Problem]:
    out: list[Problem] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in by_id:
        path: list[str] = []
        uid: str | None = start
        while uid is not None and uid in by_id and state.get(uid) != 2:
            if state.get(uid) == 1:
                loop = path[path.index(uid):]
                unit = by_id[uid]
                out.append(_p("unit-cycle", "units stand under each other in a cycle: "
                              + " -> ".join([*loop, uid]), unit, "parent"))
                break
            state[uid] = 1
            path.append(uid)
            uid = by_id[uid].parent
        for p in path:
            state[p] = 2
    return out


def _p(code: ProblemCode, message: str, unit: Unit, key: str, hint: str | None = None) -> Problem:
    return Problem(code, message, ("units", unit.id, key), unit.location, hint)
