"""``emulation-rules diff``: the impact of a rule change on the same facts
(:mod:`emulation_rules.results.impact`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from emulation_rules.campaign.opening import load_campaign
from emulation_rules.campaign.shapes import Campaign
from emulation_rules.cli.options import add_review_options
from emulation_rules.cli.options import date_option as _date
from emulation_rules.engine import Engine
from emulation_rules.facts.load import load_facts

if TYPE_CHECKING:  # the impact report and the targets load only for diff (evaluate's cold start skips them)
    from emulation_rules.evaluate.result import Evaluation
    from emulation_rules.results.targets import TargetResult

EXIT_OK, EXIT_INPUT = 0, 2

__all__ = ["IMPACT_COMMANDS", "add_parser"]


def add_parser(sub: Any, stderr: TextIO | None, param: Callable[[str], tuple[str, float]]) -> None:
    """Register ``diff`` and ``advise`` on ``sub`` (argparse sub-parsers)."""
    a = sub.add_parser(
        "advise",
        help="what a subject lacks: the smallest fact changes that would award it, checked",
        description="For each award the subject does not get (or --award), the smallest sets of fact "
        "changes that would award it: ratings up the ladder, numbers by the least step, yes/no "
        "flipped, records added, missing facts provided; facts the campaign marks changeable: false "
        "are never changed. Every suggestion is checked by evaluating it, and cites the criteria it "
        "meets. For an incomplete verdict, the missing facts that decide it are named.",
        epilog="example:\n  emulation-rules advise campaigns/ldtt_cstdcs_2025.yaml "
        "--facts examples/ldtt_cstdcs_2025/facts.yaml --subject A10",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        stderr=stderr,
    )
    a.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file")
    a.add_argument("--facts", required=True, type=Path, nargs="+", metavar="PATH", help="facts files or folders")
    who = a.add_mutually_exclusive_group(required=True)
    who.add_argument("--subject", metavar="ID", help="the subject's id")
    who.add_argument("--unit", metavar="ID", help="a unit: what each quota group and each target of the unit "
                     "lacks, who is within a ranked cap, the subjects nearest to a target and the least change "
                     "that would meet it")
    a.add_argument("--units", type=Path, metavar="FILE",
                   help="the tree of units: with --unit, its targets run over the unit's whole subtree")
    a.add_argument("--award", metavar="ID", help="only this award (default: every award it does not get)")
    add_review_options(a, backend_help="the backend that checks each suggestion",
                       as_of_help="review date YYYY-MM-DD (default: the facts' as_of)")
    a.add_argument("--format", choices=("table", "json"), default="table", help="table (default) or json")
    a.add_argument("--lang", choices=("vi", "en"), default="vi", help="language: vi (default) or en")
    d = sub.add_parser(
        "diff",
        help="the impact of a rule change: who gains, who loses, targets and quotas that change",
        description="Evaluate the same facts under old and new rules and compare: per award who gains "
        "(now awarded) and who loses (no longer awarded), with the criteria that changed; counts per "
        "unit and level; targets and quotas whose status changes; places under a ranked cap that "
        "change; and the rules that differ (criteria added or removed, thresholds moved, citations). "
        "Compare two campaign files (OLD NEW), or one campaign with other parameter values "
        "(--old-param / --new-param).",
        epilog="examples:\n"
        "  emulation-rules diff campaigns/ldtt_cstdcs_2025.yaml --facts examples/ldtt_cstdcs_2025/facts.yaml "
        "--old-param cstdcs_cap_pct=15 --new-param cstdcs_cap_pct=25\n"
        "  emulation-rules diff old.yaml new.yaml --facts facts.yaml --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        stderr=stderr,
    )
    d.add_argument("old", metavar="OLD", help="campaign YAML file (the rules in force)")
    d.add_argument("new", metavar="NEW", nargs="?", help="campaign YAML file with the changed rules (default: OLD)")
    d.add_argument("--facts", required=True, type=Path, nargs="+", metavar="PATH",
                   help="subjects and their facts (files or folders), evaluated under both")
    d.add_argument("--old-param", type=param, action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value under the old rules (repeatable)")
    d.add_argument("--new-param", type=param, action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value under the new rules (repeatable)")
    d.add_argument("--as-of", type=_date, metavar="DATE", help="review date YYYY-MM-DD (default: the facts' as_of)")
    d.add_argument("--phase", metavar="ID", help="judge this phase (id or label)")
    d.add_argument("--backend", choices=("auto", "durable", "python", "polars"), default="auto",
                   help="evaluation backend (all give the same verdicts)")
    d.add_argument("--format", choices=("table", "json", "html", "xlsx"), default="table",
                   help="table (default), json, html (with a chart of gains and losses per award) or xlsx; "
                   "html and xlsx need -o FILE")
    d.add_argument("--lang", choices=("vi", "en"), default="vi", help="language: vi (default) or en")
    d.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE (whole or not at all)")
    d.add_argument("--bulk", action="store_true",
                   help="large populations: read --facts as one .csv or .parquet table on the columnar path "
                   "(needs the 'bulk' extra); reports gains, losses and changes per award and the rules that "
                   "differ, and with -o FILE.csv|.parquet writes every changed (subject, award)")


def _evaluate(campaign: Campaign, params: dict[str, float], args: argparse.Namespace
              ) -> tuple[Evaluation, tuple[TargetResult, ...]]:
    from emulation_rules.results.targets import evaluate_targets

    submission = load_facts(args.facts if len(args.facts) > 1 else args.facts[0], campaign)
    evaluation = Engine(campaign, params=params, backend=args.backend).evaluate(
        submission, as_of=args.as_of, phase=args.phase)
    targets: tuple[TargetResult, ...] = ()
    if campaign.targets and evaluation.as_of is not None:
        try:
            targets = evaluate_targets(campaign, submission, as_of=evaluation.as_of, phase=args.phase,
                                       params=params).results
        except KeyError:
            targets = ()
    return evaluation, targets


def _cmd_diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from emulation_rules.results.impact import impact, render_impact_json, render_impact_table, rule_changes

    old = load_campaign(args.old)
    new = load_campaign(args.new) if args.new else old
    old_params, new_params = dict(args.old_param), dict(args.new_param)
    if args.format in ("html", "xlsx") and args.output is None:
        err.write(f"--format {args.format} writes a file: give -o FILE.{args.format}\n")
        return EXIT_INPUT
    rules = rule_changes(old, new, old_params=old_params, new_params=new_params)
    if args.bulk:
        return _diff_bulk(args, old, new, old_params, new_params, rules, out, err)
    before, old_targets = _evaluate(old, old_params, args)
    after, new_targets = _evaluate(new, new_params, args)
    report = impact(before, after, old_targets=old_targets, new_targets=new_targets, rules=rules)
    if args.format in ("html", "xlsx"):
        from emulation_rules.results.impact_report import write_impact_html, write_impact_workbook

        (write_impact_html if args.format == "html" else write_impact_workbook)(report, new, args.output,
                                                                                 lang=args.lang)
        err.write(f"{args.output}\n")
        return EXIT_OK
    text = render_impact_json(report) if args.format == "json" else render_impact_table(report, new, lang=args.lang)
    _emit(text, out, args.output)
    return EXIT_OK


def _emit(text: str, out: TextIO, target: Path | None) -> None:
    if target is None:
        out.write(text)
        return
    from emulation_rules.cli.hierarchy import write_whole

    write_whole(target, text)


def _diff_bulk(args: argparse.Namespace, old: Campaign, new: Campaign, old_params: dict[str, float],
               new_params: dict[str, float], rules: Any, out: TextIO, err: TextIO) -> int:
    from emulation_rules.results.impact import ImpactReport, render_impact_json, render_impact_table

    if len(args.facts) != 1 or args.facts[0].suffix.lower() not in (".csv", ".parquet", ".pq"):
        err.write("diff --bulk reads one .csv or .parquet table\n")
        return EXIT_INPUT
    if args.format not in ("table", "json"):
        err.write("diff --bulk writes table or json (and the changed rows with -o FILE.csv|.parquet)\n")
        return EXIT_INPUT
    from emulation_rules.results.impact_table import compare_many

    summary, changed, _ = compare_many(Engine(old, params=old_params, backend="polars"),
                                       Engine(new, params=new_params, backend="polars"), args.facts[0],
                                       as_of=args.as_of, phase=args.phase, progress=err)
    if args.output is not None:
        from emulation_rules.results.impact_table import write_changes

        write_changes(changed, args.output)
        err.write(f"{changed.height} changed rows in {args.output}\n")
    report = ImpactReport((), summary, {}, {}, rules=tuple(rules))
    text = (render_impact_json(report) if args.format == "json"
            else render_impact_table(report, new, lang=args.lang))
    out.write(text)
    return EXIT_OK


def _cmd_advise(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json
    import unicodedata

    from emulation_rules.advice import advise, render_advice

    campaign = load_campaign(args.campaign)
    submission = load_facts(args.facts if len(args.facts) > 1 else args.facts[0], campaign)
    if args.unit is not None:
        from emulation_rules.advice import advise_unit, render_unit_advice
        from emulation_rules.advice_targets import advise_targets, render_target_advice

        unit = unicodedata.normalize("NFC", args.unit.strip())
        tree = None
        if args.units is not None:
            from emulation_rules.facts.units import load_units

            tree = load_units(args.units, campaign)
            if unit not in tree:
                from emulation_rules.errors import unknown_id

                message, hint = unknown_id("unit", unit, [u.id for u in tree.units])
                err.write(f"{message}{f' ({hint})' if hint else ''}\n")
                return EXIT_INPUT
        found = advise_unit(Engine(campaign, params=dict(args.param), backend=args.backend), submission, unit,
                            as_of=args.as_of, phase=args.phase)
        targets = advise_targets(campaign, submission, unit=unit, tree=tree, as_of=args.as_of, phase=args.phase,
                                 params=dict(args.param))
        if args.format == "json":
            out.write(json.dumps({"format_version": 1, "campaign": campaign.id, "unit": unit,
                                  "quotas": [q.to_dict() for q in found],
                                  "targets": [t.to_dict() for t in targets]}, ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(render_unit_advice(found, lang=args.lang) if found else "")
            out.write(render_target_advice(targets, campaign, lang=args.lang) if targets else "")
        return EXIT_OK
    wanted = unicodedata.normalize("NFC", args.subject.strip())
    subject = next((s for s in submission.subjects if s.id == wanted), None)
    if subject is None:
        from emulation_rules.errors import unknown_id

        message, hint = unknown_id("subject", wanted, [s.id for s in submission.subjects])
        err.write(f"{message}{f' ({hint})' if hint else ''}\n")
        return EXIT_INPUT
    awards = [a.id for a in campaign.awards if a.subject == subject.kind]
    if args.award is not None:
        if args.award not in awards:
            from emulation_rules.errors import unknown_id

            message, hint = unknown_id("award", args.award, awards)
            err.write(f"{message}{f' ({hint})' if hint else ''}\n")
            return EXIT_INPUT
        awards = [args.award]
    engine = Engine(campaign, params=dict(args.param), backend=args.backend)
    as_of = args.as_of or submission.as_of
    items = [advise(engine, subject, a, as_of=as_of, phase=args.phase) for a in awards]
    if args.format == "json":
        out.write(json.dumps({"format_version": 1, "campaign": campaign.id, "subject": subject.id,
                              "advice": [i.to_dict() for i in items]}, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(render_advice(items, campaign, lang=args.lang))
    return EXIT_OK


IMPACT_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "diff": _cmd_diff, "advise": _cmd_advise}
