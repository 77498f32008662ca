"""The only module that imports PyYAML: text -> (plain data, SourceMap).

Safety: a private ``SafeLoader`` subclass (no object construction, unknown tags are errors),
limits on input size, on aliases and on the number of nodes built (so nested aliases cannot
expand into a "billion laughs"), and duplicate keys are errors instead of silently overriding.
Every string is normalised to Unicode NFC.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from emulation_rules.errors import PathItem, Problem, ProblemCode, SourceLocation, YAMLSyntaxError

MAX_BYTES = 4 * 1024 * 1024
"""Largest YAML text accepted, in bytes (4 MiB)."""
MAX_ALIASES = 100
"""Most ``*alias`` references accepted in one document."""
MAX_NODES = 500_000
"""Most nodes in one document (counted while composing, and again with aliases expanded)."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted (``too-deep``); aliases expanded."""
SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp"))
"""Scalar tags accepted; any other (``!!binary``, ``!!python/...``) is an ``unsafe-tag``."""

Path = tuple[PathItem, ...]


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a parsed document stands in its file.

    ``values[path]`` is the location of the value at ``path``; ``keys[path]`` the location of
    the key that leads to it (used for unknown-key errors).
    """

    file: str = "<string>"
    values: dict[Path, SourceLocation] = field(default_factory=dict)
    keys: dict[Path, SourceLocation] = field(default_factory=dict)
    split: dict[Path, str] = field(default_factory=dict)
    """Keys of a flow mapping written without a value right after a plain text value
    (``{vi: Văn hóa, Thể thao}``): the comma ended the text; ``split[key path]`` is the text before."""

    def locate(self, path: Path, *, prefer_key: bool = False) -> SourceLocation | None:
        """The location of ``path``, or of its nearest located ancestor."""
        probe = tuple(path)
        while True:
            if prefer_key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if probe in self.keys:
                return self.keys[probe]
            if not probe:
                return None
            probe = probe[:-1]


_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)  # None without libyaml


_Composer: Any = yaml.composer.Composer


class _Composing(_Composer):  # type: ignore[misc]
    """Private safe composer that bounds the work of composing while it composes: aliases, nodes
    and depth are counted as the events arrive, and an alias to a node still being composed
    (``a: &a [*a]``, a cycle) is refused.

    Events come from libyaml's parser where PyYAML was built with it (:class:`_Loader`, several
    times faster on a campaign file), else from PyYAML's pure-Python one (:class:`_PyLoader`,
    which also words syntax errors as the guide shows them); nodes are composed here, in Python,
    with the same marks either way, so limits and positions are ours.
    """

    def _compose_init(self) -> None:
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    aliases_seen = 0
    nodes_seen = 0
    depth = 0
    max_nodes = MAX_NODES

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_ALIASES:
                raise _LimitError("too-many-aliases", f"more than {MAX_ALIASES} aliases", event.start_mark)
            if event.anchor in self._open:
                raise _LimitError("recursive-alias", f"alias *{event.anchor} refers to a node that "
                                  "contains it", event.start_mark)
            return super().compose_node(parent, index)
        self.nodes_seen += 1
        if self.nodes_seen > self.max_nodes:
            raise _LimitError("too-many-nodes", f"more than {self.max_nodes} nodes",
                              event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise _LimitError("too-deep", f"nested more than {MAX_DEPTH} levels deep",
                              event.start_mark)
        anchor = getattr(event, "anchor", None)
        self.depth += 1
        self._open.append(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1
            self._open.pop()

    @property
    def _open(self) -> list[Any]:
        opened: list[Any] | None = self.__dict__.get("_opened")
        if opened is None:
            opened = self.__dict__["_opened"] = []
        return opened


class _PyLoader(_Composing, yaml.parser.Parser, yaml.reader.Reader, yaml.scanner.Scanner,
                yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """Pure-Python PyYAML reads, scans and parses."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)  # refuses control characters (NUL, ESC, DEL)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        self._compose_init()


if _CParser is not None:
    class _CLoader(_Composing, _CParser, yaml.constructor.SafeConstructor,  # type: ignore[misc]
                   yaml.resolver.Resolver):
        """libyaml reads, scans and parses; characters are checked as PyYAML's reader does
        (libyaml would give a byte index)."""

        def __init__(self, stream: str) -> None:
            bad = yaml.reader.Reader.NON_PRINTABLE.search(stream)
            if bad is not None:
                raise yaml.reader.ReaderError("<string>", bad.start(), ord(bad.group()),
                                              "unicode", "special characters are not allowed")
            _CParser.__init__(self, stream)
            self._compose_init()

    _Loader: Any = _CLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _Loader = _PyLoader


class _LimitError(Exception):
    def __init__(self, code: ProblemCode, message: str, mark: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.mark = mark


def _loc(file: str, mark: Any) -> SourceLocation:
    return SourceLocation(file, mark.line + 1, mark.column + 1)


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def parse_yaml(text: str | bytes, *, file: str = "<string>",
               max_nodes: int = MAX_NODES) -> tuple[Any, SourceMap]:
    """Parse one YAML document safely.

    Args:
        text: YAML text (bytes are decoded as UTF-8).
        file: name used in locations.
        max_nodes: most nodes accepted (campaigns use a smaller bound than facts).

    Returns:
        ``(data, source_map)``: plain dicts, lists, str, int, float, bool, None, date.

    Raises:
        YAMLSyntaxError: bad syntax or encoding, a size/alias/node limit, an unsafe tag,
            a non-string key, or a duplicate key. Every problem is located.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise YAMLSyntaxError([_too_large(file, len(text))])
        raw = text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            # point at the first bad byte: its line, and its column in characters
            line_start = raw.rfind(b"\n", 0, exc.start) + 1
            line = raw.count(b"\n", 0, exc.start) + 1
            column = len(raw[line_start:exc.start].decode("utf-8", errors="replace")) + 1
            raise YAMLSyntaxError(
                [Problem("bad-encoding", f"not UTF-8: {exc.reason} at byte {exc.start}",
                         location=SourceLocation(file, line, column))]
            ) from None
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise YAMLSyntaxError([_too_large(file, size)])

    try:
        return _parse(text, file, max_nodes, _Loader)
    except YAMLSyntaxError as exc:
        if _Loader is _PyLoader or exc.problems[0].code != "yaml-syntax":
            raise
    return _parse(text, file, max_nodes, _PyLoader)  # PyYAML's words for the syntax error


def _parse(text: str, file: str, max_nodes: int, loader_cls: Any) -> tuple[Any, SourceMap]:
    smap = SourceMap(file=file)
    try:
        loader: Any = loader_cls(text)  # the reader refuses control characters (NUL, ESC, DEL, U+FFFF) here
    except yaml.reader.ReaderError as exc:
        raise YAMLSyntaxError([_reader_problem(text, file, exc)]) from None
    loader.max_nodes = max_nodes
    try:
        try:
            root = loader.get_single_node()
        except _LimitError as exc:
            raise YAMLSyntaxError(
                [Problem(exc.code, exc.message, location=_loc(file, exc.mark))]
            ) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            context = exc.context
            start = exc.context_mark
            if context and start is not None and exc.problem_mark is not None:
                context += f" (from line {start.line + 1}, column {start.column + 1})"
            msg = ": ".join(str(p) for p in (context, exc.problem) if p)
            raise YAMLSyntaxError(
                [Problem("yaml-syntax", msg or "invalid YAML",
                         location=_loc(file, mark) if mark else SourceLocation(file, 1, 1))]
            ) from None
        except yaml.reader.ReaderError as exc:
            raise YAMLSyntaxError([_reader_problem(text, file, exc)]) from None
        except yaml.YAMLError as exc:
            raise YAMLSyntaxError(
                [Problem("yaml-syntax", str(exc), location=SourceLocation(file, 1, 1))]
            ) from None
        except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting long before
            raise YAMLSyntaxError([Problem("too-deep", "nested too deeply",
                                           location=SourceLocation(file, 1, 1))]) from None
        if root is None:
            return None, smap
        builder = _Builder(loader, smap, file, max_nodes)
        data = builder.build(root, ())
        if builder.problems:
            raise YAMLSyntaxError(builder.problems)
        return data, smap
    finally:
        loader.dispose()


def _implicit_null(node: yaml.Node) -> bool:
    """An entry of a flow mapping given no ``:`` and no value (an empty plain scalar)."""
    return (isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style  # plain: None or ""
            and node.start_mark.index == node.end_mark.index)


def explain_splits(problems: list[Problem], smap: SourceMap | None) -> list[Problem]:
    """Problems about a key that a comma split off a text in a flow mapping (see
    :attr:`SourceMap.split`) get a hint naming the cause."""
    if smap is None or not smap.split:
        return problems
    out = []
    for p in problems:
        cause = next(((k, v) for k, v in smap.split.items() if tuple(p.path[:len(k)]) == k), None)
        if cause is not None:
            text = f"{cause[1]}, {cause[0][-1]}"
            p = replace(p, hint=(
                f"a comma inside {{...}} ends a value: '{text}' was read as two entries; write it in "
                f'quotes ("{text}") / dấu phẩy trong {{...}} kết thúc giá trị: hãy đặt "{text}" trong ngoặc kép'))
        out.append(p)
    return out


def _reader_problem(text: str, file: str, exc: Any) -> Problem:
    """A located problem for a character YAML does not allow (the reader's position is an index)."""
    position = min(max(int(exc.position), 0), len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    char = exc.character
    if isinstance(char, str):
        char = ord(char[:1] or "\0")
    code = f"U+{char:04X}" if isinstance(char, int) else repr(char)
    return Problem("bad-character", f"character {code} is not allowed in YAML text",
                   location=SourceLocation(file, line, column),
                   hint="remove control characters; YAML allows tab, newline and printable text")


def _too_large(file: str, size: int) -> Problem:
    return Problem("too-large", f"{size} bytes is over the {MAX_BYTES}-byte limit",
                   location=SourceLocation(file, 1, 1))


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class _Builder:
    def __init__(self, loader: Any, smap: SourceMap, file: str,
                 max_nodes: int = MAX_NODES) -> None:
        self.loader = loader
        self.smap = smap
        self.file = file
        self.nodes = 0
        self.max_nodes = max_nodes
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise YAMLSyntaxError(
                [Problem("too-many-nodes", f"more than {self.max_nodes} nodes (nested aliases?)",
                         path, _loc(self.file, node.start_mark))]
            )
        if len(path) > MAX_DEPTH:  # aliases inside aliases can nest deeper than the text
            raise YAMLSyntaxError(
                [Problem("too-deep", f"nested more than {MAX_DEPTH} levels deep (aliases expanded)",
                         path, _loc(self.file, node.start_mark))]
            )
        self.smap.values.setdefault(path, _loc(self.file, node.start_mark))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            self.problems.append(Problem(
                "unsafe-tag", f"tag {node.tag!r} is not allowed (only plain maps and lists)",
                path, _loc(self.file, node.start_mark)))
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node, path)
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    self.problems.append(Problem(
                        "bad-key", f"mapping keys must be strings, not {type(key).__name__}",
                        path, _loc(self.file, key_node.start_mark)))
                    continue
                if key in out:
                    self.problems.append(Problem(
                        "duplicate-key", f"key {key!r} appears twice in this mapping",
                        (*path, key), _loc(self.file, key_node.start_mark)))
                    continue
                self.smap.keys[(*path, key)] = _loc(self.file, key_node.start_mark)
                if node.flow_style and out and isinstance(key, str) and _implicit_null(value_node):
                    before = node.value[len(out) - 1][1]
                    if isinstance(before, yaml.ScalarNode) and not before.style and before.value:
                        self.smap.split[(*path, key)] = before.value
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.Node, path: Path) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.problems.append(Problem("bad-key", "mapping keys must be plain scalars",
                                         path, _loc(self.file, node.start_mark)))
            return None
        if node.tag not in SCALAR_TAGS:
            self.problems.append(Problem(
                "unsafe-tag", f"tag {node.tag!r} is not allowed (only text, numbers, booleans, "
                "null and dates)", path, _loc(self.file, node.start_mark)))
            return None
        try:
            value = _nfc(self.loader.construct_object(node, deep=True))
        except yaml.constructor.ConstructorError as exc:
            self.problems.append(Problem(
                "unsafe-tag", str(exc.problem or "value cannot be constructed safely"),
                path, _loc(self.file, node.start_mark)))
            return None
        except Exception as exc:  # any constructor failure is a bad value
            # the date 2019-13-29 (ValueError), !!bool maybe (KeyError), !!timestamp hello
            # (AttributeError), an empty !!float (IndexError): PyYAML's constructors assume the
            # text fits its explicit tag; whatever they raise, the value is refused, located
            kind = node.tag.rsplit(":", 1)[-1]
            why = f": {exc}" if isinstance(exc, (ValueError, OverflowError)) else ""
            self.problems.append(Problem(
                "invalid-value", f"{str(node.value)[:80]!r} cannot be read as a {kind}{why}",
                path, _loc(self.file, node.start_mark)))
            return None
        problem = value_problem(value)
        if problem is not None:
            self.problems.append(Problem(problem[0], problem[1], path, _loc(self.file, node.start_mark),
                                         problem[2]))
            return None
        return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def value_problem(value: Any) -> tuple[ProblemCode, str, str] | None:
    """``(code, message, hint)`` when a read value cannot be used: text holding a lone surrogate
    (``"\\ud800"``: half of a UTF-16 pair, no character, which no output can encode), or a
    number that is not finite (``.nan``, ``.inf``, ``1e999``). Every reader of campaigns and
    facts (YAML, JSON, CSV, .xlsx) refuses both, located."""
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        if found is not None:
            return ("bad-character", f"the text holds U+{ord(found[0]):04X}, a lone surrogate (half of a "
                    "UTF-16 pair), which is not a character",
                    "write the character itself, or its pair of \\u escapes")
    elif isinstance(value, float) and not math.isfinite(value):
        return ("invalid-value", f"{value} is not a finite number", "write a number such as 0.5 or 12")
    return None


class _Dumper(yaml.SafeDumper):
    """Private safe dumper: block style, Unicode kept as is."""


def dump_yaml(data: Any) -> str:
    """YAML text for plain data (the inverse of :func:`parse_yaml` on such data)."""
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=100)
    return text
