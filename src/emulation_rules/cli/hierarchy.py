"""``emulation-rules rollup``: one review of many submissions rolled up a tree of units
(:mod:`emulation_rules.facts.units`, :mod:`emulation_rules.facts.many`,
:mod:`emulation_rules.results.rollup`)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from emulation_rules.campaign.loader import load_campaign
from emulation_rules.campaign.model import Campaign
from emulation_rules.engine import Engine
from emulation_rules.facts.load import load_facts
from emulation_rules.facts.reader import Submission
from emulation_rules.facts.units import load_units
from emulation_rules.results.rollup import render_rollup_json, render_rollup_table, rollup

EXIT_OK, EXIT_INPUT = 0, 2

__all__ = ["HIERARCHY_COMMANDS", "add_parser", "facts_of", "missing_units_note"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_parser(sub: Any, stderr: TextIO | None, param: Callable[[str], tuple[str, float]]) -> None:
    """Register ``rollup`` on ``sub`` (argparse sub-parsers)."""
    r = sub.add_parser(
        "rollup",
        help="roll a review of many submissions up a tree of units (counts, targets, quotas per unit)",
        description="Read every submission of a review (a folder of forms, or several files), check "
        "each subject's unit against the tree of units (--units: id, name, level, parent, cluster), "
        "evaluate once, and report per unit of the tree, from the results below it: the verdicts "
        "per award, each target and each quota judged over the unit's subtree, and the units "
        "that submitted nothing. A subject in two files, or in a unit not in the tree, is a "
        "located problem (exit 2); a missing submission is listed and the review still runs.",
        epilog="example:\n  emulation-rules rollup campaigns/ldtt_cstdcs_2025.yaml "
        "--units examples/province/units.yaml --facts examples/province/forms/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        stderr=stderr,
    )
    r.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file")
    r.add_argument("--units", required=True, type=Path, metavar="FILE",
                   help="the tree of units: .yaml, .json, .csv or .xlsx (id, name, level, parent, cluster)")
    r.add_argument("--facts", required=True, type=Path, nargs="+", metavar="PATH",
                   help="facts files and folders of them (.yaml, .json, .csv, .xlsx), read as one review")
    r.add_argument("--as-of", type=_date, metavar="DATE", help="review date YYYY-MM-DD (default: the files' as_of)")
    r.add_argument("--phase", metavar="ID", help="judge this phase (id or label)")
    r.add_argument("--param", type=param, action="append", default=[], metavar="NAME=VALUE",
                   help="override a campaign parameter (repeatable)")
    r.add_argument("--backend", choices=("auto", "durable", "python", "polars"), default="auto",
                   help="evaluation backend (all give the same verdicts)")
    r.add_argument("--format", choices=("table", "json"), default="table",
                   help="table (default, for people) or json (the tree, for machines)")
    r.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the table: vi (default) or en")
    r.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE (whole or not at all)")


def missing_units_note(missing: Any, lang: str = "vi") -> str:
    """One line per unit with no submission, for stderr."""
    word = "no submission from unit" if lang == "en" else "chưa nộp hồ sơ: đơn vị"
    return "".join(f"{word} {u.id}{f' ({u.name})' if u.name else ''}\n" for u in missing)


def facts_of(args: argparse.Namespace, campaign: Campaign, err: TextIO) -> Submission:
    """The submission of ``--facts`` (one file, several, or folders of them), checked against
    ``--units`` when given; the units that submitted nothing are listed on ``err``.

    Raises:
        FactsError: every problem of every file, located.
    """
    units = load_units(args.units, campaign) if getattr(args, "units", None) is not None else None
    submission = load_facts(args.facts, campaign, units=units,
                            on_error="skip" if getattr(args, "skip_invalid", False) else "raise")
    err.write(missing_units_note(submission.missing_units, getattr(args, "lang", None) or "vi"))
    return submission


def _cmd_rollup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    campaign = load_campaign(args.campaign)
    tree = load_units(args.units, campaign)
    submission = facts_of(args, campaign, err)
    engine = Engine(campaign, params=dict(args.param), backend=args.backend)
    evaluation = engine.evaluate(submission, as_of=args.as_of, phase=args.phase)
    report = rollup(campaign, evaluation, submission, tree)
    text = (render_rollup_json(report) if args.format == "json"
            else render_rollup_table(report, campaign, lang=args.lang))
    if args.output is None:
        out.write(text)
    else:
        _write_whole(args.output, text)
    return EXIT_OK


def _write_whole(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file beside it, renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OSError(exc.errno, f"{target}: {exc.strerror or exc}") from None


HIERARCHY_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {"rollup": _cmd_rollup}
