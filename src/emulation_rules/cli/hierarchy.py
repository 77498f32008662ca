"""``emulation-rules rollup``: one review of many submissions rolled up a tree of units
(:mod:`emulation_rules.facts.units`, :mod:`emulation_rules.facts.many`,
:mod:`emulation_rules.results.rollup`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from emulation_rules.campaign.opening import load_campaign
from emulation_rules.campaign.shapes import Campaign
from emulation_rules.cli.options import add_review_options
from emulation_rules.cli.submission import facts_of, missing_units_note
from emulation_rules.engine import Engine
from emulation_rules.writing import write_atomic

if TYPE_CHECKING:  # the tree and the roll-up load only when used (evaluate of one file skips them)
    from emulation_rules.facts.units import UnitTree

EXIT_OK, EXIT_INPUT = 0, 2

__all__ = ["HIERARCHY_COMMANDS", "add_parser", "facts_of", "missing_units_note", "write_whole"]


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
        "--units examples/dienbien_2020/province/units.yaml --facts examples/dienbien_2020/province/forms/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        stderr=stderr,
    )
    r.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file")
    r.add_argument("--units", required=True, type=Path, metavar="FILE",
                   help="the tree of units: .yaml, .json, .csv or .xlsx (id, name, level, parent, cluster)")
    r.add_argument("--facts", required=True, type=Path, nargs="+", metavar="PATH",
                   help="facts files and folders of them (.yaml, .json, .csv, .xlsx), read as one review")
    add_review_options(r)
    r.add_argument("--format", choices=("table", "json", "csv", "html", "xlsx"), default=None,
                   help="table (default, for people), json (the tree, for machines), html (a page with the "
                   "tree, expandable, and the clusters) or xlsx (a sheet per level) with -o FILE; with --bulk "
                   "table, json or csv (unit, award, verdict, subjects)")
    r.add_argument("--bulk", action="store_true",
                   help="millions of members: read --facts as .csv or .parquet tables on the columnar path "
                   "(needs the 'bulk' extra), one or several (one per province: each rolled up alone, so memory "
                   "is bounded by the largest, and the counts summed), and roll up the verdict counts only "
                   "(targets and quotas per unit are judged without --bulk)")
    r.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the table: vi (default) or en")
    r.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE (whole or not at all)")
    _forward_parser(sub, stderr, param)


def _forward_parser(sub: Any, stderr: TextIO | None, param: Callable[[str], tuple[str, float]]) -> None:
    f = sub.add_parser(
        "forward",
        help="pass this level's proposals up: the next level's facts files, with the verdicts that justify them",
        description="Evaluate this level's review and write whom it proposes to the level above as facts "
        "files the next level's review reads (evaluate or rollup --facts on the folder): each subject "
        "awarded and within every cap, with its facts and history as submitted, a 'proposals' list, and a "
        "'forwarded' block with this level's verdicts, points, bands and the criteria with their "
        "citations. With --units and --level, one file per unit of that level (UNIT.yaml in the folder "
        "-o); else one file. When the next level judges them, evaluate lists where its verdicts differ.",
        epilog="example:\n  emulation-rules forward campaigns/dienbien_2020.yaml --facts "
        "examples/dienbien_2020/province/forms/ \\\n    --units examples/dienbien_2020/province/units.yaml "
        "--level upper_union -o proposals/\n  emulation-rules evaluate campaigns/dienbien_2020.yaml --facts proposals/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        stderr=stderr,
    )
    f.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file (or a shipped campaign's id)")
    f.add_argument("--facts", required=True, type=Path, nargs="+", metavar="PATH",
                   help="this level's facts files and folders of them (.yaml, .json, .csv, .xlsx)")
    f.add_argument("--units", type=Path, metavar="FILE", help="the tree of units (with --level)")
    f.add_argument("--level", metavar="LEVEL",
                   help="write one file per unit of this level of the tree (e.g. upper_union): -o is a folder")
    f.add_argument("--award", action="append", default=[], metavar="ID",
                   help="pass up proposals for this award only (repeatable; default: every award)")
    f.add_argument("--by", metavar="UNIT", help="the unit passing the proposals up, recorded in the file (one file)")
    add_review_options(f)
    f.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the summary: vi (default) or en")
    f.add_argument("--output", "-o", type=Path, metavar="PATH",
                   help="the file to write (default: standard output), or the folder with --level")


def _cmd_rollup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from emulation_rules.facts.units import load_units
    from emulation_rules.results.rollup import render_rollup_json, render_rollup_table, rollup

    campaign = load_campaign(args.campaign)
    tree = load_units(args.units, campaign)
    if args.bulk:
        return _rollup_bulk(args, campaign, tree, out, err)
    if args.format == "csv":
        err.write("--format csv is the columnar roll-up's (with --bulk); use table, json, html or xlsx\n")
        return EXIT_INPUT
    if args.format in ("html", "xlsx") and args.output is None:
        err.write(f"--format {args.format} writes a file: give -o FILE.{args.format}\n")
        return EXIT_INPUT
    submission = facts_of(args, campaign, err)
    engine = Engine(campaign, params=dict(args.param), backend=args.backend)
    evaluation = engine.evaluate(submission, as_of=args.as_of, phase=args.phase)
    report = rollup(campaign, evaluation, submission, tree)
    if args.format in ("html", "xlsx"):
        from emulation_rules.results.rollup_report import write_rollup_html, write_rollup_workbook

        write = write_rollup_html if args.format == "html" else write_rollup_workbook
        write(report, campaign, args.output, lang=args.lang)
        err.write(f"{args.output}\n")
        return EXIT_OK
    text = (render_rollup_json(report) if args.format == "json"
            else render_rollup_table(report, campaign, lang=args.lang))
    if args.output is None:
        out.write(text)
    else:
        write_whole(args.output, text)
    return EXIT_OK


def _rollup_bulk(args: argparse.Namespace, campaign: Campaign, tree: UnitTree, out: TextIO, err: TextIO) -> int:
    if args.format in ("html", "xlsx"):
        err.write("rollup --bulk writes table, json or csv; html and xlsx are written without --bulk\n")
        return EXIT_INPUT
    if any(f.suffix.lower() not in (".csv", ".parquet", ".pq") or not f.is_file() for f in args.facts):
        err.write("rollup --bulk reads .csv or .parquet tables of members (id, kind, unit, facts), "
                  "one or several (one per province, say)\n")
        return EXIT_INPUT
    try:
        from emulation_rules.results.rollup_table import read_members, rollup_files, shared_ids
    except ImportError:  # pragma: no cover - the bulk extra is installed with the tests
        err.write("rollup --bulk needs the 'bulk' extra: pip install 'emulation-rules[bulk]'\n")
        return EXIT_INPUT
    try:
        for f in args.facts:
            read_members(f)
    except ValueError as exc:
        err.write(f"{f}: {exc}\n")
        return EXIT_INPUT
    if len(args.facts) > 1:
        twice = shared_ids(args.facts)
        for sid, first, other in twice:
            err.write(f"{other}: subject {sid!r} is also in {first}; a review reads each subject once: "
                      "remove one of them [duplicate-subject]\n")
        if twice:
            return EXIT_INPUT
    engine = Engine(campaign, params=dict(args.param), backend="polars")
    table, present, result = rollup_files(engine, args.facts, tree, as_of=args.as_of, phase=args.phase,
                                          progress=err)
    missing = [u for u in tree.leaves() if u.id not in present]
    err.write(missing_units_note(missing, args.lang))
    if args.format == "csv":
        text = table.write_csv()
    elif args.format == "json":
        text = json.dumps({"format_version": 1, "campaign": campaign.id, "path": "columnar",
                           "as_of": result.as_of.isoformat() if result.as_of else None, "phase": result.phase,
                           "missing": [u.id for u in missing], "counts": table.to_dicts()},
                          ensure_ascii=False, indent=2) + "\n"
    else:
        text = _counts_table(table, tree, campaign, args.lang)
    if args.output is None:
        out.write(text)
    else:
        write_whole(args.output, text)
    return EXIT_OK


def _counts_table(table: Any, tree: UnitTree, campaign: Campaign, lang: str) -> str:
    from emulation_rules.results.rollup import VERDICT_WORDS

    words = VERDICT_WORDS["en" if lang == "en" else "vi"]
    awards = {a.id: (a.label.en if lang == "en" else a.label.vi) for a in campaign.awards}
    by_unit: dict[str, list[str]] = {}
    for row in table.iter_rows(named=True):
        by_unit.setdefault(row["unit"], []).append(
            f"{awards.get(row['award'], row['award'])}: {words.get(row['verdict'], row['verdict'])} {row['subjects']}")
    lines: list[str] = []
    stack = [(u, 0) for u in reversed(tree.roots())]
    while stack:
        unit, depth = stack.pop()
        lines.append(f"{'  ' * depth}{unit.id}{f' {unit.name}' if unit.name else ''}")
        lines.extend(f"{'  ' * depth}  - {x}" for x in by_unit.get(unit.id, ()))
        stack.extend((c, depth + 1) for c in reversed(tree.children(unit.id)))
    if "" in by_unit:
        lines.append("?")
        lines.extend(f"  - {x}" for x in by_unit[""])
    return "\n".join(lines) + "\n"


def write_whole(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` whole or not at all (the tool's one atomic-write helper,
    :func:`emulation_rules.writing.write_atomic`)."""
    try:
        write_atomic(target, text)
    except OSError as exc:
        raise OSError(exc.errno, f"{target}: {exc.strerror or exc}") from None


def _cmd_forward(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from emulation_rules.results.forward import forward

    en = args.lang == "en"
    if args.level is not None and (args.units is None or args.output is None):
        err.write("--level writes one file per unit: give --units FILE and -o FOLDER\n" if en else
                  "--level ghi mỗi đơn vị một tệp: cần --units TỆP và -o THƯ_MỤC\n")
        return EXIT_INPUT
    campaign = load_campaign(args.campaign)
    unknown = [a for a in args.award if a not in {x.id for x in campaign.awards}]
    if unknown:
        err.write(f"unknown award {unknown[0]!r}; awards: {', '.join(a.id for a in campaign.awards)}\n")
        return EXIT_INPUT
    tree = None
    if args.units is not None:
        from emulation_rules.facts.units import load_units

        tree = load_units(args.units, campaign)
        if args.level is not None and args.level not in {u.level for u in tree.units}:
            err.write(f"{args.units}: no unit of level {args.level!r}; levels: "
                      f"{', '.join(sorted({u.level for u in tree.units}))}\n")
            return EXIT_INPUT
    submission = facts_of(args, campaign, err)
    engine = Engine(campaign, params=dict(args.param), backend=args.backend)
    evaluation = engine.evaluate(submission, as_of=args.as_of, phase=args.phase)
    files, left, unplaced = forward(campaign, evaluation, submission, awards=args.award, tree=tree,
                                    level=args.level, by=args.by)
    for x in left:
        err.write(f"{x.subject}, {x.award}: " + (f"not passed up: {x.reason.en}\n" if en
                                                 else f"không chuyển lên: {x.reason.vi}\n"))
    for sid in unplaced:
        err.write(f"{sid}: " + (f"under no unit of level {args.level}: not passed up\n" if en
                                else f"không thuộc đơn vị cấp {args.level} nào: không chuyển lên\n"))
    if args.level is None:
        text = files[0].text() if files else _empty(campaign, evaluation)
        if args.output is None:
            out.write(text)
        else:
            write_whole(args.output, text)
        n = files[0].subjects if files else 0
        err.write(f"{n} subjects passed up\n" if en else f"{n} đối tượng được đề nghị lên cấp trên\n")
        return EXIT_OK
    if args.output.exists() and not args.output.is_dir():
        err.write(f"{args.output}: not a folder (--level writes one file per unit into it)\n" if en else
                  f"{args.output}: không phải thư mục (--level ghi mỗi đơn vị một tệp vào đó)\n")
        return EXIT_INPUT
    args.output.mkdir(parents=True, exist_ok=True)
    for f in files:
        write_whole(args.output / f.name, f.text())
        err.write(f"{args.output / f.name}: " + (f"{f.subjects} subjects\n" if en else f"{f.subjects} đối tượng\n"))
    if not files:
        err.write("nobody to pass up\n" if en else "không có đối tượng nào được đề nghị lên cấp trên\n")
    return EXIT_OK


def _empty(campaign: Campaign, evaluation: Any) -> str:
    from emulation_rules.campaign.safe_yaml import dump_yaml

    return dump_yaml({"campaign": campaign.id,
                      "as_of": evaluation.as_of.isoformat() if evaluation.as_of else None,
                      "subjects": [], "proposals": []})


HIERARCHY_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "rollup": _cmd_rollup, "forward": _cmd_forward}
