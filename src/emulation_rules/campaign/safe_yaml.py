"""The only module that imports PyYAML: text -> (plain data, SourceMap).

Safety: a private ``SafeLoader`` subclass (no object construction, unknown tags are errors),
limits on input size, on aliases and on the number of nodes built (so nested aliases cannot
expand into a "billion laughs"), and duplicate keys are errors instead of silently overriding.
Every string is normalised to Unicode NFC.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from emulation_rules.errors import PathItem, Problem, ProblemCode, SourceLocation, YAMLSyntaxError

MAX_BYTES = 4 * 1024 * 1024
"""Largest YAML text accepted, in bytes (4 MiB)."""
MAX_ALIASES = 100
"""Most ``*alias`` references accepted in one document."""
MAX_NODES = 500_000
"""Most nodes built from one document, aliases expanded."""

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


_Parser: Any = getattr(yaml, "CParser", None) or yaml.parser.Parser
_Reading: tuple[type, ...] = () if _Parser is not yaml.parser.Parser else (yaml.reader.Reader, yaml.scanner.Scanner)


class _Loader(yaml.composer.Composer, _Parser, *_Reading, yaml.constructor.SafeConstructor,  # type: ignore[misc]
              yaml.resolver.Resolver):
    """Private safe loader that counts aliases.

    Events come from libyaml's parser where PyYAML was built with it (six times faster on a
    campaign file, which is most of a cold start), else from PyYAML's pure-Python one; nodes are
    composed here, in Python, with the same marks either way, so limits and positions are ours.
    """

    def __init__(self, stream: str) -> None:
        if _Reading:  # pure-Python PyYAML: reader and scanner feed the parser
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            _Parser.__init__(self)
        else:  # libyaml reads, scans and parses
            _Parser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    aliases_seen = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_ALIASES:
                event = self.peek_event()
                raise _LimitError("too-many-aliases", f"more than {MAX_ALIASES} aliases", event.start_mark)
        return super().compose_node(parent, index)


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


def parse_yaml(text: str | bytes, *, file: str = "<string>") -> tuple[Any, SourceMap]:
    """Parse one YAML document safely.

    Args:
        text: YAML text (bytes are decoded as UTF-8).
        file: name used in locations.

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

    smap = SourceMap(file=file)
    loader = _Loader(text)
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
        except yaml.YAMLError as exc:
            raise YAMLSyntaxError(
                [Problem("yaml-syntax", str(exc), location=SourceLocation(file, 1, 1))]
            ) from None
        if root is None:
            return None, smap
        builder = _Builder(loader, smap, file)
        data = builder.build(root, ())
        if builder.problems:
            raise YAMLSyntaxError(builder.problems)
        return data, smap
    finally:
        loader.dispose()


def _too_large(file: str, size: int) -> Problem:
    return Problem("too-large", f"{size} bytes is over the {MAX_BYTES}-byte limit",
                   location=SourceLocation(file, 1, 1))


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class _Builder:
    def __init__(self, loader: _Loader, smap: SourceMap, file: str) -> None:
        self.loader = loader
        self.smap = smap
        self.file = file
        self.nodes = 0
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YAMLSyntaxError(
                [Problem("too-many-nodes", f"more than {MAX_NODES} nodes (nested aliases?)",
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
        try:
            return _nfc(self.loader.construct_object(node, deep=True))
        except yaml.constructor.ConstructorError as exc:
            self.problems.append(Problem(
                "unsafe-tag", str(exc.problem or "value cannot be constructed safely"),
                path, _loc(self.file, node.start_mark)))
            return None
        except (ValueError, OverflowError) as exc:  # e.g. the date 2019-13-29
            kind = node.tag.rsplit(":", 1)[-1]
            self.problems.append(Problem(
                "invalid-value", f"{node.value!r} cannot be read as a {kind}: {exc}",
                path, _loc(self.file, node.start_mark)))
            return None


class _Dumper(yaml.SafeDumper):
    """Private safe dumper: block style, Unicode kept as is."""


def dump_yaml(data: Any) -> str:
    """YAML text for plain data (the inverse of :func:`parse_yaml` on such data)."""
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=100)
    return text
