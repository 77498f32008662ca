"""Strict JSON for facts: every value located, duplicate keys refused, work bounded.

``json.loads`` keeps the last of two equal keys, raises ``ValueError`` on integers over 4,300
digits and ``RecursionError`` on deep nesting, accepts ``NaN``/``Infinity``, and says nothing
of where a value stands. This reader is one pass over the text with a regular expression and
an explicit stack (no recursion), so it locates every value (line:column) whatever the file's
size or indentation, and stops at the first breach of:

* ``MAX_DEPTH`` nesting levels (``too-deep``);
* ``MAX_NUMBER_CHARS`` characters in a number (``invalid-value``);
* duplicate keys in one object (``duplicate-key``, every one reported);
* anything that is not standard JSON (``json-syntax``; ``NaN``, ``Infinity``, comments,
  trailing commas included).

Strings are normalised to Unicode NFC, like YAML text.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import re
import unicodedata
from typing import Any

from emulation_rules.campaign.safe_yaml import MAX_DEPTH, SourceMap, value_problem
from emulation_rules.errors import FactsError, PathItem, Problem, ProblemCode, SourceLocation

MAX_NUMBER_CHARS = 400
"""Longest number accepted, in characters (Python's own limit for integers is 4,300 digits)."""

_TOKEN = re.compile(
    r"""[ \t\n\r]*(?:
      (")
    | (-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    | (true|false|null)
    | ([{}\[\]:,])
    )""",
    re.VERBOSE,
)
_STRING, _NUMBER, _LITERAL, _PUNCT = 1, 2, 3, 4  # the token's group (match.lastindex)
_WS_END = re.compile(r"[ \t\n\r]*\Z")
_LITERALS = {"true": True, "false": False, "null": None}

# parser states
_VALUE, _ARRAY_FIRST, _OBJECT_FIRST, _KEY, _COLON, _AFTER, _DONE = range(7)
_DUPLICATE = object()


class _Lines:
    def __init__(self, text: str, file: str) -> None:
        self.starts = [m.end() for m in re.finditer("\n", text)]
        self.file = file

    def at(self, offset: int) -> SourceLocation:
        line = bisect.bisect_right(self.starts, offset)
        start = self.starts[line - 1] if line else 0
        return SourceLocation(self.file, line + 1, offset - start + 1)


class OffsetSourceMap(SourceMap):
    """A :class:`SourceMap` that holds character offsets and turns one into ``line:column``
    only when it is asked for (most values of a large file are never located)."""

    def __init__(self, lines: _Lines) -> None:
        super().__init__(file=lines.file)
        self._lines = lines

    def locate(
        self, path: tuple[PathItem, ...], *, prefer_key: bool = False
    ) -> SourceLocation | None:
        found: Any = super().locate(path, prefer_key=prefer_key)
        return self._lines.at(found) if isinstance(found, int) else found


def parse_json(text: str, *, file: str = "<string>") -> tuple[Any, SourceMap]:
    """Parse JSON text into plain data and a :class:`SourceMap` of every value and key.

    Raises:
        FactsError: located ``json-syntax``, ``too-deep``, ``invalid-value`` or
            ``duplicate-key`` problems.
    """
    lines = _Lines(text, file)
    smap = OffsetSourceMap(lines)
    values: dict[Any, Any] = smap.values  # path -> offset, located on demand
    problems: list[Problem] = []
    # a frame: [container, its path, pending key of an object (or _DUPLICATE)]
    stack: list[list[Any]] = []
    root: Any = None
    state = _VALUE
    pos = 0

    def fail(code: ProblemCode, message: str, offset: int) -> FactsError:
        return FactsError([*problems, Problem(code, message, location=lines.at(offset))])

    value: Any = None
    path: Any = None
    while state != _DONE:
        match = _TOKEN.match(text, pos)
        if match is None:
            at = _WS_END.match(text, pos)
            if at is not None:
                raise fail("json-syntax", "unexpected end of the text", len(text))
            start = len(text) - len(text[pos:].lstrip(" \t\n\r"))
            raise fail("json-syntax", f"unexpected character {text[start]!r}", start)
        kind = match.lastindex
        start = match.start(kind)  # type: ignore[arg-type]
        pos = match.end()
        punct = match.group(_PUNCT)
        if state in (_OBJECT_FIRST, _KEY):
            if kind == _STRING:
                key, pos = _string(text, start, fail)
                frame = stack[-1]
                path = (*frame[1], key)
                if key in frame[0]:
                    problems.append(
                        Problem(
                            "duplicate-key",
                            f"key {key!r} appears twice in this object",
                            path,
                            lines.at(start),
                        )
                    )
                    frame[2] = _DUPLICATE
                else:
                    smap.keys[path] = start  # type: ignore[assignment]
                    frame[2] = key
                state = _COLON
                continue
            if punct == "}" and state == _OBJECT_FIRST:
                stack.pop()
                state = _AFTER if stack else _DONE
                continue
            raise fail("json-syntax", "expected a key in double quotes", start)
        if state == _COLON:
            if punct != ":":
                raise fail("json-syntax", "expected ':' after the key", start)
            state = _VALUE
            continue
        if state == _AFTER:
            frame = stack[-1]
            closing = "]" if isinstance(frame[0], list) else "}"
            if punct == ",":
                state = _VALUE if closing == "]" else _KEY
            elif punct == closing:
                stack.pop()
                state = _AFTER if stack else _DONE
            else:
                raise fail("json-syntax", f"expected ',' or {closing!r}", start)
            continue
        # a value is expected (_VALUE, or _ARRAY_FIRST which may also close the array)
        if punct == "]" and state == _ARRAY_FIRST:
            stack.pop()
            state = _AFTER if stack else _DONE
            continue
        if kind == _STRING:
            value, pos = _string(text, start, fail)
        elif kind == _NUMBER:
            number = match.group(_NUMBER)
            if len(number) > MAX_NUMBER_CHARS:
                raise fail(
                    "invalid-value",
                    f"a number of {len(number)} characters is longer than {MAX_NUMBER_CHARS}",
                    start,
                )
            value = (
                float(number) if "." in number or "e" in number or "E" in number else int(number)
            )
            if isinstance(value, float) and value_problem(value) is not None:  # 1e999 is inf
                raise fail("invalid-value", f"{number} is not a finite number", start)
        elif kind == _LITERAL:
            value = _LITERALS[match.group(_LITERAL)]
        elif punct in ("{", "["):
            if len(stack) >= MAX_DEPTH:
                raise fail("too-deep", f"nested more than {MAX_DEPTH} levels deep", start)
            value = {} if punct == "{" else []
        else:
            raise fail("json-syntax", "expected a value", start)
        path = _attach(stack, value)
        if path is not None:
            values.setdefault(path, start)
        if not stack:
            root = value
        if punct in ("{", "["):
            stack.append([value, path if path is not None else (), None])
            state = _OBJECT_FIRST if punct == "{" else _ARRAY_FIRST
        else:
            state = _AFTER if stack else _DONE
    if _WS_END.match(text, pos) is None:
        start = len(text) - len(text[pos:].lstrip(" \t\n\r"))
        raise fail("json-syntax", "extra data after the JSON value", start)
    if problems:
        raise FactsError(problems)
    return root, smap


def loads_value(text: str) -> Any:
    """Plain data from a short JSON text (a CSV cell), with the limits of :func:`parse_json`.

    Uses the C decoder with hooks (duplicate keys, NaN, long numbers refused) and checks the
    depth after; on any refusal :func:`parse_json` runs to say where.

    Raises:
        FactsError: as :func:`parse_json`, located in ``text`` (line 1 for a one-line cell).
    """
    try:
        data = json.loads(
            text, object_pairs_hook=_unique_pairs, parse_constant=_refuse, parse_int=_checked_int,
            parse_float=_checked_float,
        )
        if "\\u" in text and _holds_surrogate(data):
            data = _MISSING
    except (ValueError, RecursionError):
        data = _MISSING
    if data is _MISSING or _deeper_than(data, MAX_DEPTH):
        data, _ = parse_json(text)  # raises the located problem
    return data


_MISSING = object()


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = {unicodedata.normalize("NFC", k): v for k, v in pairs}
    if len(out) != len(pairs):
        raise ValueError("duplicate key")
    return {k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v for k, v in out.items()}


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _checked_float(text: str) -> float:
    value = float(text)
    if value_problem(value) is not None:
        raise ValueError("not a finite number")
    return value


def _holds_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if value_problem(node) is not None:
                return True
        elif isinstance(node, dict):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _checked_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError("number too long")
    return int(text)


def _deeper_than(data: Any, limit: int) -> bool:
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth >= limit:
                return True
            stack.extend(
                (v, depth + 1) for v in (node.values() if isinstance(node, dict) else node)
            )
    return False


def _attach(stack: list[list[Any]], value: Any) -> tuple[PathItem, ...] | None:
    """Put ``value`` into the open container; its path (None under a duplicate key)."""
    if not stack:
        return ()
    container, path, key = stack[-1]
    if isinstance(container, list):
        container.append(value)
        return (*path, len(container) - 1)
    if key is _DUPLICATE or path is None:
        stack[-1][2] = None
        return None
    container[key] = value
    stack[-1][2] = None
    return (*path, key)


def _string(text: str, start: int, fail: Any) -> tuple[str, int]:
    try:
        value, end = json.decoder.scanstring(text, start + 1, True)  # type: ignore[attr-defined]
    except json.JSONDecodeError as exc:
        raise fail("json-syntax", exc.msg, exc.pos) from None
    problem = value_problem(value)
    if problem is not None:  # "\ud800": a lone surrogate
        raise fail(problem[0], problem[1], start)
    return unicodedata.normalize("NFC", value), end
