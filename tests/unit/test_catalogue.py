"""Every message template in the code has its Vietnamese (issue 22, item 4).

The messages people read are written in English where they arise and translated by the
catalogue (:mod:`emulation_rules.messages`). This test reads the source (``ast``) and finds
every message a problem, a refused value, a verdict's reason or a command's stderr line can
carry: the text of each ``Problem(code, message, ..., hint)``-like call (any call whose first
argument is a problem code), of ``unknown(code, what, value, ...)``, of ``Invalid(...)``, of
``...Error(...)`` raised with a literal, the ``detail`` of the service's error responses
(``ServiceProblem(status, code, detail)``) and ``err.write(...)`` in the command line. Each
template becomes a sample (each ``{value}`` an ``x1``, each short conditional both ways) and the
catalogue must translate it: a message added without its Vietnamese fails here, naming the file
and line. A message built from a variable is traced where the variable's text is a literal.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from emulation_rules.errors import PROBLEM_CODES
from emulation_rules.messages import translate_line, translate_message

from .test_messages import ENGLISH, _prose

SRC = Path(__file__).resolve().parents[2] / "src" / "emulation_rules"

_SAMPLE = "x1"

FOR_PROGRAMMERS = ("__init__.py", "authoring/strategies.py", "frozen.py", "campaign/twins.py")
"""Modules whose errors only a programmer meets (the lazy loader's AttributeError, the hypothesis
strategies' argument checks, ``@frozen``'s refusals, which are ``dataclass``'s own words, a
campaign twin's refusals of an unknown or missing field): English, like Python's own."""

NOT_READ = ("AssertionError", "AttributeError", "ReaderError")
"""Exceptions that never reach a person as text (an internal invariant; PyYAML's reader error is
read for its position and re-worded)."""


def _samples(node: ast.AST | None) -> list[str] | None:
    """The texts ``node`` can build, with a sample for each interpolated value; None when it is
    not built from literals here."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        outs = [""]
        for v in node.values:
            if isinstance(v, ast.Constant):
                outs = [o + str(v.value) for o in outs]
                continue
            assert isinstance(v, ast.FormattedValue)
            inner = _samples(v.value) if isinstance(v.value, ast.IfExp) else None
            if inner is not None and all(len(i) < 40 for i in inner):
                outs = [o + i for o in outs for i in inner]
            else:
                outs = [o + (f"'{_SAMPLE}'" if v.conversion == ord("r") else _SAMPLE) for o in outs]
        return outs
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _samples(node.left), _samples(node.right)
        return None if left is None or right is None else [a + b for a in left for b in right]
    if isinstance(node, ast.IfExp):
        if _asks_english(node.test):  # "English" if en else "Vietnamese": written in both already
            return [] if _samples(node.orelse) is not None else None
        body, other = _samples(node.body), _samples(node.orelse)
        return None if body is None or other is None else body + other
    return None


def _asks_english(test: ast.AST) -> bool:
    """``en`` or ``lang == "en"``: the test of a message written in both languages at its place."""
    if isinstance(test, ast.Name):
        return test.id == "en"
    return (isinstance(test, ast.Compare) and isinstance(test.left, (ast.Name, ast.Attribute))
            and _name(test.left) == "lang" and any(isinstance(c, ast.Constant) and c.value == "en"
                                                  for c in test.comparators))


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _messages() -> list[tuple[str, str, str]]:
    """(where, kind, sample) of every literal message template of the source."""
    found: list[tuple[str, str, str]] = []
    for path in sorted(SRC.rglob("*.py")):
        rel = str(path.relative_to(SRC))
        if rel in FOR_PROGRAMMERS:
            continue
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            name, first = _name(call.func), call.args[0]
            pieces: list[tuple[str, ast.AST | None]] = []
            is_code = isinstance(first, ast.Constant) and first.value in PROBLEM_CODES
            unknown = (name == "unknown" and is_code and len(call.args) >= 3) or (
                name in ("unknown_id", "unknown_message") and isinstance(first, ast.Constant))
            if unknown:  # unknown(code, what, value, ids, path, where) or unknown_id(what, value, ids, where=)
                args = call.args[1:] if name == "unknown" else call.args
                tail = next((k.value for k in call.keywords if k.arg == "where"), None)
                if tail is None and name == "unknown" and len(call.args) > 5:
                    tail = call.args[5]
                for what in _samples(args[0]) or []:
                    for where in _samples(tail) or [""]:
                        found.append((f"{rel}:{call.lineno}", "unknown",
                                      f"unknown {what} '{_SAMPLE}'{where}; valid: a, b"))
                continue
            if is_code and len(call.args) >= 2:
                pieces.append(("message", call.args[1]))
                hint = next((k.value for k in call.keywords if k.arg == "hint"), None)
                if hint is None and len(call.args) >= 4 and " " in "".join(_samples(call.args[-1]) or ()):
                    hint = call.args[-1]  # the last argument, when it reads as words (not a field name)
                pieces.append(("hint", hint))
            elif name in ("ServiceProblem", "problem_response", "problem_body") and len(call.args) >= 3:
                pieces.append(("detail", call.args[2]))  # (status, code, detail, ...)
            elif name == "Invalid" or (name.endswith("Error") and name[:1].isupper() and name not in NOT_READ):
                pieces.append((name, first))
            elif name == "write" and isinstance(call.func, ast.Attribute) and rel.startswith("cli/") and (
                    _name(call.func.value) in ("err", "stderr")):
                pieces.append(("stderr", first))
            for kind, node in pieces:
                for sample in _samples(node) or []:
                    found.append((f"{rel}:{call.lineno}", kind, sample))
    return found


def _untranslated(kind: str, sample: str) -> str | None:
    """Why ``sample`` does not read in Vietnamese (None when it does): no entry, or English
    words left in the translation (an entry too general for it)."""
    text = sample.rstrip("\n")
    if not any(c.isalpha() for c in re.sub(r"--[a-z-]+", "", text.replace(_SAMPLE, ""))):
        return None  # a value passed on (f"{exc}", f"--register: {p}"): translated where it was made
    if re.fullmatch(r"[\w.]+: \{.*\}", text):  # a YAML example as the hint: unit: {level: [...]}
        return None
    lines = [line for line in text.split("\n") if line.strip(" x1:'")]
    if kind in ("stderr", "unknown"):
        done = [translate_line(line) for line in lines]
        if done == lines:
            return "no entry"
    else:
        found = translate_message(text)
        if found is None:
            return "no entry"
        done = [found]
    shown = " ".join(done).replace(_SAMPLE, " ")
    while re.search(r"\{[^{}]*\}", shown):  # YAML examples, {subject, award}
        shown = re.sub(r"\{[^{}]*\}", " ", shown)
    shown = re.sub(r"\b[a-z_]+(?:=|: (?=[ \"]))", " ", shown)  # keys: phase=, of: {...}, derived: "..."
    english = ENGLISH.findall(_prose(shown))
    return f"English left: {english}" if english else None


MESSAGES = _messages()


def test_the_walk_finds_the_messages() -> None:
    """The walk itself: it finds the templates of every stage (a broken walk passes nothing)."""
    where = {w.split("/")[0] for w, _, _ in MESSAGES}
    assert {"campaign", "facts", "cli", "service", "authoring", "evaluate"} <= where, where
    assert len(MESSAGES) > 400


def test_every_message_template_has_vietnamese() -> None:
    missing = sorted({f"{w} {k}: {s!r}: {why}" for w, k, s in MESSAGES if (why := _untranslated(k, s))})
    assert not missing, f"{len(missing)} messages without Vietnamese:\n" + "\n".join(missing)
