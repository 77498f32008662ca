"""The command line's streams and language: ``--lang vi`` (default) or ``en`` on every command,
the streams that write each line in it (:mod:`emulation_rules.messages`), and the stand-in for a
standard stream closed before the tool started."""

from __future__ import annotations

import argparse
import errno
import io
import os
from collections.abc import Callable
from typing import Any, TextIO

from emulation_rules.messages import translate_line, translate_message

__all__ = ["LANG_ENV", "Closed", "Localised", "add_lang_options", "argv_lang", "default_lang", "handle",
           "localised_problem", "localised_streams"]


class Closed(io.TextIOBase):
    """Stands for a standard stream that was closed before we started (writing fails)."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def localised_streams(args: argparse.Namespace, out: TextIO, err: TextIO) -> tuple[TextIO, TextIO]:
    """``out`` and ``err`` writing in ``args.lang`` (the data formats, JSON and CSV, keep their own
    text on ``out``)."""
    lang = getattr(args, "lang", "vi")
    if getattr(args, "format", None) not in ("json", "csv"):
        out = Localised(out, lang)  # type: ignore[assignment]  # a TextIO in all but name
    return out, Localised(err, lang)  # type: ignore[return-value]


LANG_ENV = "EMULATION_RULES_LANG"
"""The environment variable naming the default language (``vi`` when unset or neither)."""


def default_lang() -> str:
    """``en`` when ``$EMULATION_RULES_LANG`` says so, else ``vi``: the default of ``--lang``."""
    return "en" if os.environ.get(LANG_ENV, "").strip().lower().startswith("en") else "vi"


def argv_lang(argv: list[str]) -> str:
    """The language ``argv`` asks for (``--lang en|vi``, ``--lang=en|vi``, else the default),
    before it is parsed: the parser's own errors are written in it."""
    lang = default_lang()
    for i, word in enumerate(argv):
        if word.startswith("--lang="):
            lang = word.partition("=")[2]
        elif word == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
    return "en" if lang == "en" else "vi"


def add_lang_options(sub: Any) -> None:
    """Give every sub-command without one a ``--lang`` option (the actions of a command that has
    its own, such as ``register add``, each get it: after the action, where its options go)."""
    for command in sub.choices.values():
        nested = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for action in nested:
                add_lang_options(action)
        elif "--lang" in command._option_string_actions:  # a command's own --lang: the same default
            command._option_string_actions["--lang"].default = default_lang()
        else:
            command.add_argument("--lang", choices=("vi", "en"), default=default_lang(),
                                 help=f"language of messages: vi (the default, Vietnamese) or en; ${LANG_ENV} "
                                      "sets the default")


class Localised(io.TextIOBase):
    """A text stream that writes each line in the chosen language (:mod:`emulation_rules.messages`):
    problems, notes and reasons written in English where they arise read in Vietnamese."""

    def __init__(self, stream: TextIO, lang: str) -> None:
        super().__init__()
        self.stream = stream
        self.lang = "en" if lang == "en" else "vi"
        self.pending = ""

    def write(self, text: str) -> int:
        if self.lang == "en":
            return self.stream.write(text)
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.stream.write(translate_line(line, "vi") + "\n")
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self.stream.write(translate_line(self.pending, "vi"))
            self.pending = ""
        self.stream.flush()


def handle(handler: Callable[[argparse.Namespace, TextIO, TextIO], int], args: argparse.Namespace,
            out: TextIO, err: TextIO) -> int:
    try:
        return handler(args, out, err)
    finally:  # a last line without its newline is written too
        for stream in (out, err):
            if isinstance(stream, Localised) and stream.pending:
                stream.flush()


def localised_problem(problem: dict[str, Any], lang: str) -> dict[str, Any]:
    """A problem's JSON form with its message and hint in ``lang`` (codes and paths unchanged)."""
    if lang == "en":
        return problem
    out = dict(problem)
    for key in ("message", "hint"):
        if isinstance(out.get(key), str):
            out[key] = translate_message(out[key]) or out[key]
    return out


