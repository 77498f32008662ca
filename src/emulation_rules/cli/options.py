"""Option values shared by the commands: a review date and a ``NAME=NUMBER`` parameter."""

from __future__ import annotations

import argparse
import datetime as dt
import math

__all__ = ["add_review_options", "date_option", "param_option"]


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
