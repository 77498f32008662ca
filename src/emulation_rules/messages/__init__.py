"""Messages people read, in Vietnamese (the default) and English: the message catalogue.

Problems, hints and the command line's notes are written in English where they arise (at some
two hundred places, in every stage, with their values in them); this catalogue gives each of them
in Vietnamese. An entry is an English template with named ``{placeholders}`` and its Vietnamese
rendering; :func:`translate_message` finds the entry whose template matches a whole message and
writes the Vietnamese with the same values (ids, figures, citations stay as they are).
:func:`translate_line` does the same for one line of output that carries a message after a
location and a path (``file:12:5: awards[0].id: <message> (<hint>) [code]``), leaving the
location, the path and the code as they are. JSON keeps its codes and ids; only ``message`` and
``hint`` follow the chosen language.

Why a table in Python rather than gettext ``.po`` files: the messages are f-strings built at
their call sites, in modules other sessions change every day; marking each for gettext would
touch all of them, while matching the finished message needs none, keeps the catalogue in one
typed package (package data by construction, nothing to compile into ``.mo`` files) and lets the
tests fail on any message left in English: ``tests/unit/test_catalogue.py`` walks the source for
every message template (problems, hints, refused values, errors, the service's details, the
command line's stderr lines), ``tests/unit/test_messages.py`` runs the invalid-campaign corpus and
every command in both languages.

The entries live by stage (``_unknown``, ``_base``, ``_inputs``, ``_facts``, ``_commands``); the most
specific entry (the one with the most text of its own) is tried first, and only the entries whose
rarest word is in the text are tried at all. Placeholders: any ``{name}`` is a value kept as it
is; ``{line}`` is a line translated in turn, ``{why...}``/``{kind...}`` a message translated in
turn, ``{what}`` the kind of id an unknown value should name (:data:`_unknown.NOUNS`),
``{codes...}`` outcome codes, ``{dates...}`` phases with their dates, ``{yn...}`` yes/no, ``{same...}`` a
value the English repeats.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any, Literal

from emulation_rules.messages import _base, _commands, _facts, _inputs, _unknown
from emulation_rules.messages._unknown import NOUNS

__all__ = ["CATALOGUE", "MESSAGE_KEYS", "Lang", "localise", "translate_line", "translate_message"]

Lang = Literal["vi", "en"]

CATALOGUE: tuple[tuple[str, str], ...] = (*_unknown.ENTRIES, *_base.ENTRIES, *_inputs.ENTRIES, *_facts.ENTRIES,
                                         *_commands.ENTRIES)
"""(English template, Vietnamese template); placeholders ``{name}`` match any text; ``{line}``
holds a line of its own, translated in turn (``skipped: <problem>``)."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"[A-Za-z]{3,}")
_DATES = re.compile(r"(\d{4}-\d\d-\d\d) to (open|\d{4}-\d\d-\d\d)")

OUTCOMES = {"pass": "đạt", "fail": "không đạt", "unknown": "chưa rõ", "below": "dưới ngưỡng",
            "on": "đúng ngưỡng", "above": "trên ngưỡng"}
"""Outcome codes a coverage line lists (``{codes}`` placeholders), in Vietnamese."""


_Entries = tuple[tuple[str, str, str, tuple[str, ...]], ...]
_Index = tuple[dict[str, set[int]], set[int]]


@cache
def _tables() -> tuple[_Entries, _Index]:
    """:func:`_compiled` and :func:`_index`, kept between runs of this release (:mod:`._kept`)."""
    from emulation_rules.messages._kept import kept

    def build() -> tuple[_Entries, _Index]:
        entries = _entries()
        return entries, _word_index(entries)

    return kept(build)


def _compiled() -> _Entries:
    """(the entry's longest piece of its own text, its pattern's source, its Vietnamese, its whole
    words), most specific first; a pattern is compiled when a text first gets that far
    (:func:`_pattern`): compiling all seven hundred cost a one-unit run a fifth of its time."""
    return _tables()[0]


def _index() -> _Index:
    """The entries by the rarest whole word of their own text (an entry can only match a text
    holding that word), and the entries with no such word, always tried."""
    return _tables()[1]


def _entries() -> _Entries:
    """:func:`_compiled`, computed."""
    out = []
    nouns = "|".join(re.escape(n) for n in sorted(NOUNS, key=len, reverse=True))
    # the most specific entry first: the one with the most text of its own ("cannot write the
    # output: {why}" before "cannot write {f}: {why}"); equal ones in the catalogue's order
    for en, vi in sorted(CATALOGUE, key=lambda e: -len(_PLACEHOLDER.sub("", e[0]))):
        parts = _PLACEHOLDER.split(en)
        # a value the entry starts with holds no ": " (a line's location and path stay before it)
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{nouns})" if p == "what"
                          else f"(?P<{p}>(?:(?!: ).)+?)" if i == 1 and not parts[0] else f"(?P<{p}>.+?)"
                          for i, p in enumerate(parts))
        out.append((max(parts[::2], key=len), pattern + r"\Z", vi, _whole_words(parts[::2])))
    return tuple(out)


@cache
def _pattern(source: str) -> re.Pattern[str]:
    """The compiled pattern of an entry (see :func:`_compiled`)."""
    return re.compile(source, re.DOTALL)


def _whole_words(pieces: list[str]) -> tuple[str, ...]:
    """The words of an entry's own text that stand whole in any message it matches (not those
    touching a placeholder: ``FILE`` of ``FILE{suffix}``)."""
    out = []
    last = len(pieces) - 1
    for n, piece in enumerate(pieces):
        for found in _WORD.finditer(piece):
            if (found.start() == 0 and n > 0) or (found.end() == len(piece) and n < last):
                continue
            out.append(found.group())
    return tuple(out)


def _word_index(entries: _Entries) -> _Index:
    """:func:`_index`, computed."""
    count: dict[str, int] = {}
    for *_, words in entries:
        for w in set(words):
            count[w] = count.get(w, 0) + 1
    by_word: dict[str, set[int]] = {}
    always: set[int] = set()
    for i, (*_, words) in enumerate(entries):
        if words:
            by_word.setdefault(min(words, key=lambda w: count[w]), set()).add(i)
        else:
            always.add(i)
    return by_word, always


@lru_cache(maxsize=8192)  # the same reasons and notes come back for every subject
def translate_message(text: str, lang: Lang = "vi") -> str | None:
    """``text`` (a whole message, or a message followed by its hint in parentheses) in ``lang``;
    None when the catalogue has no entry for it (English is returned as it is).

    >>> translate_message("unknown fact 'ratng'; valid: rating (did you mean 'rating'?)")
    "dữ kiện không có trong phong trào 'ratng'; hợp lệ: rating (có phải 'rating'?)"
    """
    if lang == "en":
        return text
    # a message and its hint, "message (hint)": each translated on its own
    if text.endswith(")"):
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0 and text[i] == "(" and i > 0 and text[i - 1] == " ":
                head, hint = translate_message(text[: i - 1]), translate_message(text[i + 1 : -1])
                if head is not None and hint is not None:
                    return f"{head} ({hint})"
                break
    words = set(_WORD.findall(text))
    by_word, always = _index()
    wanted = {i for w in words & by_word.keys() for i in by_word[w]} | always
    if not wanted:  # most lines of a table hold no message at all
        return None
    entries = _compiled()
    for i in sorted(wanted):  # the catalogue's order: the most specific entry first
        piece, source, vi, own = entries[i]
        if piece not in text or not words.issuperset(own):  # quick looks before the pattern
            continue
        found = _pattern(source).match(text)
        if found:
            values = found.groupdict()
            for key, value in values.items():
                if key == "line":  # a line of its own: skipped: <problem>
                    values[key] = translate_line(value, lang)
                elif key.startswith(("why", "kind")):  # a reason given by another message
                    values[key] = translate_message(value, lang) or value
                elif key == "what":  # the kind of id an unknown value should name
                    values[key] = NOUNS[value]
                elif key.startswith("dates"):  # phases with their dates, "2021-01-01 to open"
                    values[key] = _DATES.sub(lambda d: f"{d[1]} đến {'nay' if d[2] == 'open' else d[2]}", value)
                elif key.startswith("codes"):  # outcome codes, "pass, fail"
                    values[key] = ", ".join(OUTCOMES.get(c, c) for c in value.split(", "))
                elif key.startswith("yn"):  # yes/no answers inside a message
                    values[key] = {"yes": "có", "no": "không", "not stated": "chưa ghi"}.get(value, value)
            return _fill(vi, values)
    return None


def _fill(template: str, values: dict[str, str]) -> str:
    """``template`` with its ``{name}`` placeholders replaced (other braces kept: ``{title, year}``)."""
    return _PLACEHOLDER.sub(lambda p: values[p[1]], template)


_CODE = re.compile(r" \[[a-z0-9-]+\]\Z")


def translate_line(line: str, lang: Lang = "vi") -> str:
    """One output line in ``lang``: the message after any ``location: path:`` prefix is
    translated, the prefix and a trailing ``[code]`` kept; a line with no catalogue entry is
    returned unchanged."""
    if lang == "en" or not line.strip():
        return line
    end = line.rstrip("\n")
    newline = line[len(end):]
    code = _CODE.search(end)
    body, tail = (end[: code.start()], end[code.start():]) if code else (end, "")
    indent = len(body) - len(body.lstrip(" "))  # an indented line keeps its indentation
    starts = [indent] + [m.end() for m in re.finditer(r": ", body)]
    for start in starts:
        done = translate_message(body[start:], lang)
        if done is not None:
            return body[:start] + done + tail + newline
    return line


MESSAGE_KEYS = frozenset({"reason", "message", "hint", "note", "detail", "attribution"})
"""The keys of the JSON documents (results, problems, error responses) whose text is a message;
codes, ids, paths and figures sit under other keys and never change."""


def localise(data: Any, lang: Lang = "vi", keys: frozenset[str] = MESSAGE_KEYS) -> Any:
    """``data`` (a JSON-ready document, changed in place) with the message under each of ``keys``
    in ``lang``, at any depth; a text the catalogue lacks (a reviewer's note, a campaign's own
    words) is kept.

    >>> localise({"subjects": [{"id": "A1", "reason": "criteria delegated to X (L1)"}]})
    {'subjects': [{'id': 'A1', 'reason': 'tiêu chuẩn do X quy định (L1)'}]}
    """
    if lang == "en":
        return data
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str):
                    if k in keys:
                        node[k] = translate_message(v, lang) or v
                elif isinstance(v, (dict, list)):
                    stack.append(v)
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return data
