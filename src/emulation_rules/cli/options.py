"""Option values shared by the commands: a review date, a ``NAME=NUMBER`` parameter, one path or
several; the width of help text."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
from typing import Any

__all__ = ["OneOrMany", "add_review_options", "date_option", "help_width", "param_option"]


def date_option(text: str) -> dt.date:
    """``YYYY-MM-DD`` as a date (``--as-of``, ``--date``).

    Raises:
        argparse.ArgumentTypeError: not such a date (argparse prints it, exit 2).
    """
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def param_option(text: str) -> tuple[str, float]:
    """``NAME=NUMBER`` as ``(name, number)`` (``--param``, ``--old-param``, ``--new-param``).

    Raises:
        argparse.ArgumentTypeError: no ``=``, or not a finite number (argparse prints it, exit 2).
    """
    name, sep, value = text.partition("=")
    try:
        if not sep:
            raise ValueError
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, got {text!r}") from None
    if not math.isfinite(number):  # nan, inf, 1e400: never a threshold (and never JSON NaN)
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    # the campaign's declared type and range are checked when the engine is built (exit 2)
    return name.strip(), number


_BACKEND_HELP = "evaluation backend (all give the same verdicts)"
_AS_OF_HELP = "review date YYYY-MM-DD (default: the files' as_of)"


def add_review_options(parser: argparse.ArgumentParser, *, backend_help: str = _BACKEND_HELP,
                       as_of_help: str = _AS_OF_HELP) -> None:
    """``--as-of``, ``--phase``, ``--param`` (repeatable) and ``--backend``: how a command judges
    a review (rollup, forward, advise)."""
    parser.add_argument("--as-of", type=date_option, metavar="DATE", help=as_of_help)
    parser.add_argument("--phase", metavar="ID", help="judge this phase (id or label)")
    parser.add_argument("--param", type=param_option, action="append", default=[], metavar="NAME=VALUE",
                        help="override a campaign parameter (repeatable)")
    parser.add_argument("--backend", choices=("auto", "durable", "python", "polars"), default="auto",
                        help=backend_help)


def help_width() -> int:
    """The width argparse's help formatter takes by itself, ``shutil.get_terminal_size().columns
    - 2`` ($COLUMNS, else the terminal's width, else 80), computed the same way without
    importing :mod:`shutil` (argparse imports it for each parser built, a cold start pays 2 ms)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # no stdout, closed, or not a terminal
            columns = 0
        columns = columns or 80
    return columns - 2


class OneOrMany(argparse.Action):
    """``--facts A [B ...]``: one path is kept as a path, several as a tuple of paths."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values[0] if len(values) == 1 else tuple(values))
