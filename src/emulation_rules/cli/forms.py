"""``emulation-rules form``: write the .xlsx submission form of a campaign
(:mod:`emulation_rules.authoring.forms`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from emulation_rules.campaign.loader import load_campaign

EXIT_OK, EXIT_INPUT = 0, 2


def add_parser(sub: Any, stderr: TextIO | None) -> None:
    """Register the ``form`` sub-command on ``sub`` (argparse sub-parsers)."""
    f = sub.add_parser(
        "form",
        help="write an .xlsx submission form for a campaign (to fill in, then --facts)",
        description="Write an .xlsx form generated from the campaign: instructions in Vietnamese "
        "(the review date, every fact with its meaning, unit, allowed values and plan clause), "
        "one sheet per subject kind with drop-downs and checks, one sheet per records fact and "
        "the initiative register. Read it back with --facts form.xlsx.",
        stderr=stderr,
    )
    f.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file")
    f.add_argument(
        "--kind",
        choices=("collective", "individual"),
        action="append",
        help="only this subject kind (repeatable; default both)",
    )
    f.add_argument(
        "--level",
        action="append",
        default=[],
        metavar="ID",
        help="offer only this collective level in the level drop-down (repeatable)",
    )
    f.add_argument(
        "--rows", type=int, default=500, metavar="N", help="rows prepared per sheet (500)"
    )
    f.add_argument(
        "--output", "-o", type=Path, required=True, metavar="FILE.xlsx", help="file to write"
    )


def cmd_form(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write the form; exit 2 for an unknown level, a bad output name or missing openpyxl."""
    try:
        from emulation_rules.authoring.forms import FormSpec, write_form
    except ImportError as exc:
        err.write(f"the form needs openpyxl: pip install 'emulation-rules[xlsx]' ({exc})\n")
        return EXIT_INPUT
    if args.output.suffix.lower() != ".xlsx":
        err.write(f"--output must end in .xlsx: {args.output}\n")
        return EXIT_INPUT
    if not 1 <= args.rows <= 100_000:
        err.write(f"--rows must be between 1 and 100000, not {args.rows}\n")
        return EXIT_INPUT
    campaign = load_campaign(args.campaign)
    kinds = tuple(dict.fromkeys(args.kind or ("collective", "individual")))
    try:
        path = write_form(
            campaign, args.output, FormSpec(kinds=kinds, levels=tuple(args.level), rows=args.rows)
        )
    except ValueError as exc:
        err.write(f"{exc}\n")
        return EXIT_INPUT
    except OSError as exc:
        err.write(f"cannot write {args.output}: {exc.strerror or exc}\n")
        return EXIT_INPUT
    err.write(f"form for {campaign.id} written to {path}\n")
    return EXIT_OK
