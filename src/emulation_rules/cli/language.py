"""The command line's streams and language: ``--lang vi`` (default) or ``en`` on every command,
the streams that write each line in it (:mod:`emulation_rules.messages`), and the stand-in for a
standard stream closed before the tool started."""

from __future__ import annotations

import argparse
import errno
import io
from collections.abc import Callable
from typing import Any, TextIO

from emulation_rules.messages import translate_line, translate_message

__all__ = ["Closed", "Localised", "add_lang_options", "argv_lang", "handle", "localised_problem", "localised_streams"]


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


def argv_lang(argv: list[str]) -> str:
    """The language ``argv`` asks for (``--lang en`` or ``--lang=en``), before it is parsed: the
    parser's own errors are written in it."""
    for i, word in enumerate(argv):
        if word == "--lang=en" or (word == "--lang" and argv[i + 1 : i + 2] == ["en"]):
            return "en"
    return "vi"


def add_lang_options(sub: Any) -> None:
    """Give every sub-command without one a ``--lang`` option (the actions of a command that has
    its own, such as ``register add``, each get it: after the action, where its options go)."""
    for command in sub.choices.values():
        nested = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for action in nested:
                add_lang_options(action)
        elif "--lang" not in command._option_string_actions:
            command.add_argument("--lang", choices=("vi", "en"), default="vi",
                                 help="language of messages: vi (default, Vietnamese) or en")


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


