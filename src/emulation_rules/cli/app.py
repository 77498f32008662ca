"""Command-line tool ``emulation-rules``; thin over the library.

Exit codes: 0 success; 1 problems found (invalid campaign, failing test cases);
2 bad usage or unreadable/invalid input (facts, campaign); 3 the engine failed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import emulation_rules
from emulation_rules.campaign.opening import load_campaign
from emulation_rules.campaign.texts import text_warnings
from emulation_rules.cli import paths as _paths
from emulation_rules.cli import sheets as _sheets
from emulation_rules.cli.author import AUTHOR_COMMANDS, cmd_test
from emulation_rules.cli.author import add_parsers as add_author_commands
from emulation_rules.cli.documents import open_campaign
from emulation_rules.cli.extras import EXIT_MISSING_EXTRA, require
from emulation_rules.cli.force import STRICT_HELP, evaluation_force, figures_verbose, validate_force
from emulation_rules.cli.hierarchy import HIERARCHY_COMMANDS
from emulation_rules.cli.hierarchy import add_parser as add_hierarchy_commands
from emulation_rules.cli.impact import IMPACT_COMMANDS
from emulation_rules.cli.impact import add_parser as add_impact_commands
from emulation_rules.cli.language import (
    Closed,
    Localised,
    add_lang_options,
    argv_lang,
    handle,
    localised_problem,
    localised_streams,
)
from emulation_rules.cli.options import OneOrMany, help_width
from emulation_rules.cli.options import date_option as _date
from emulation_rules.cli.options import param_option as _param
from emulation_rules.cli.serve import SERVICE_COMMANDS, add_service_commands
from emulation_rules.cli.shipped import SHIPPED_COMMANDS, add_shipped_commands
from emulation_rules.cli.submission import facts_of, forwarded_note
from emulation_rules.engine import Engine
from emulation_rules.errors import (
    CampaignError,
    CampaignValidationError,
    CaseFileError,
    CompileError,
    EmulationRulesError,
    EngineUnavailableError,
    EvaluationError,
    FactsError,
    YAMLSyntaxError,
)
from emulation_rules.results.render import localised, render_csv, render_explanation, render_json, render_table
from emulation_rules.writing import write_atomic

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT, EXIT_ENGINE = 0, 1, 2, 3
EXIT_PIPE = 141  # the output's reader went away (`… | head`): no message, 128 + SIGPIPE as `yes | head`

DESCRIPTION = """\
Turn Vietnamese trade-union emulation campaigns (phong trào thi đua) into executable,
explainable rules: validate campaign files, score units and people against submitted facts,
and explain every verdict criterion by criterion with the plan clause it comes from.
"""

EPILOG = """\
examples:
  (from any directory: a shipped campaign's id stands wherever a campaign file is asked for)
  emulation-rules campaigns                                 # the shipped campaigns
  emulation-rules example tkv_2019 --dir tkv                # its example facts and a blank form
  emulation-rules validate tkv_2019                         # or a file: emulation-rules validate my.yaml
  emulation-rules evaluate tkv_2019 --facts tkv/facts.yaml
  emulation-rules evaluate tkv_2019 --facts tkv/facts.yaml --format json
  emulation-rules explain tkv_2019 --facts tkv/facts.yaml --subject CD-HALAM
  emulation-rules evaluate tkv_2019 --facts tkv/facts.yaml --format html -o report.html
  emulation-rules evaluate tkv_2019 --bulk --facts tkv/individuals.csv --output results.parquet
  emulation-rules explain tkv_2019 --bulk --facts tkv/individuals.csv --subject NV-101
  emulation-rules example thanhhoa_2021_2030 --dir thanhhoa
  emulation-rules targets thanhhoa_2021_2030 --facts thanhhoa/facts.yaml --as-of 2027-12-31
  emulation-rules example dienbien_2020 --dir dienbien
  emulation-rules evaluate dienbien_2020 --facts dienbien/facts.yaml   # with the 15% quota
  emulation-rules example vinhlinh_2022 --dir vinhlinh
  emulation-rules initiatives vinhlinh_2022 --facts vinhlinh/facts.yaml
  emulation-rules form tkv_2019 -o form.xlsx                # fill it in, then --facts form.xlsx
  emulation-rules schema > campaign.schema.json
  emulation-rules test tkv_2019                             # its author cases; or case files, directories
  emulation-rules new my_campaign --dir my                  # a starter campaign and its cases
  emulation-rules migrate old.yaml --write                  # a version 1 file to version 2
  emulation-rules serve campaigns/ --port 8000 --log-facts  # a directory of campaign files
  emulation-rules replay 3f2b...-uuid --log-db decisions.sqlite --campaigns campaigns/

exit codes: 0 ok; 1 problems found; 2 bad usage or invalid input; 3 engine failure
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors through our stderr and exit code 2."""

    def __init__(self, *args: object, stderr: TextIO | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._stderr = stderr

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        if message:
            (self._stderr or sys.stderr).write(message)
        raise _Exit(status)

    def print_help(self, file: Any = None) -> None:
        super().print_help(file or _current_stdout[0])

    def _get_formatter(self) -> argparse.HelpFormatter:  # the width argparse finds, without shutil
        return self.formatter_class(prog=self.prog, width=help_width())  # type: ignore[call-arg]

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            (file if file not in (None, sys.stderr) else self._stderr or sys.stderr).write(message)


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


_current_stdout: list[TextIO] = [sys.stdout]


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        parser.exit(0, f"{parser.prog} {emulation_rules.__version__}\n")


class _Unbuilt:
    """The parser of a sub-command this run does not run: it takes every option and sub-command
    given to it and keeps none (building them all cost a one-unit ``evaluate`` a tenth of its run)."""

    def __init__(self, **_: object) -> None:
        self._actions: list[argparse.Action] = []
        self._option_string_actions: dict[str, argparse.Action] = {}
        self.choices: dict[str, object] = {}

    def __getattr__(self, name: str) -> Callable[..., _Unbuilt]:
        return lambda *_, **__: self


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The sub-commands: each named and described (usage errors and ``--help`` list them all), but
    only the one asked for (:attr:`wanted`) gets its options when it is known."""

    wanted: str | None = None

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if self.wanted is None or self.wanted == name or self.wanted in kwargs.get("aliases", ()):
            return super().add_parser(name, **kwargs)
        real, self._parser_class = self._parser_class, _Unbuilt
        try:
            return super().add_parser(name, **kwargs)
        finally:
            self._parser_class = real


def build_parser(stderr: TextIO | None = None, *, command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation tools); with ``command``, the sub-commands
    other than that one are named and described but get no options (they will not run)."""
    p = _Parser(prog="emulation-rules", description=DESCRIPTION, epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter, stderr=stderr)
    p.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, action=_Commands)
    sub.wanted = command  # type: ignore[attr-defined]  # a _Commands
    sub.required = True

    v = sub.add_parser("validate", help="check campaign files; print every problem as file:line:col",
                       description="Check campaign files against the model and the semantic rules. "
                       "Every problem is printed as FILE:LINE:COLUMN: PATH: MESSAGE [CODE]. "
                       "Exit 1 if any file has a problem.", stderr=stderr)
    v.add_argument("files", nargs="+", metavar="FILE", help="campaign YAML files")
    v.add_argument("--format", choices=("text", "json"), default="text")
    v.add_argument("--verbose", "-v", action="store_true",
                   help="also say how many figures were found on their cited plan lines and list "
                   "the figures declared derived (not printed in the plan), with their reasons")
    v.add_argument("--strict", action="store_true", help=STRICT_HELP)

    s = sub.add_parser("schema", help="print the campaign JSON Schema (for editors)",
                       description="Print the JSON Schema of campaign files, with every field "
                       "documented, for editor completion and checks.", stderr=stderr)
    s.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")

    def facts_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file")
        sp.add_argument("--facts", required=True, type=Path, nargs="+", action=OneOrMany, metavar="PATH",
                        help="subjects and their facts: .yaml, .json, .csv or .xlsx (a filled-in form); "
                        "several files or a folder of them are read as one review")
        sp.add_argument("--units", type=Path, metavar="FILE",
                        help="the tree of units (id, name, level, parent, cluster): subjects' units "
                        "are checked against it and units that submitted nothing are listed")
        sp.add_argument("--as-of", type=_date, metavar="DATE",
                        help="review date YYYY-MM-DD (default: the facts file's as_of); picks the "
                        "phase; records dated after it are left out")
        sp.add_argument("--phase", metavar="ID",
                        help="judge this phase (id or Vietnamese label), e.g. when the review date "
                        "lies outside every phase")
        sp.add_argument("--param", type=_param, action="append", default=[], metavar="NAME=VALUE",
                        help="override a campaign parameter, e.g. many_individuals_min=3 (repeatable)")
        sp.add_argument("--strict", action="store_true", help=STRICT_HELP)
        sp.add_argument("--skip-invalid", action="store_true",
                        help="evaluate the valid subjects and list the invalid ones, "
                        "instead of refusing the whole file")
        sp.add_argument("--bulk", action="store_true",
                        help="large inputs: read --facts as .csv, .parquet (in chunks) or .xlsx with "
                        "the vectorised evaluator (needs the 'bulk' extra); evaluate writes --output "
                        "as .csv or .parquet, one row per subject and award, or with --format html "
                        "or xlsx the summary: verdicts per award, problems, defects")
        sp.add_argument("--backend", choices=("auto", "durable", "python", "polars"), default="auto",
                        help="evaluation backend: auto (default: durable-rules where it imports, "
                        "i.e. CPython 3.11-3.12, else python), durable, python or polars (one "
                        "table, no per-criterion values); all give the same verdicts. Exit 3 if the one "
                        "asked for cannot load here")

    e = sub.add_parser("evaluate", help="score subjects: a verdict per subject and award",
                       description="Score every subject in the facts file against every award of the "
                       "campaign. Verdicts: awarded, not_awarded, incomplete (facts missing, listed), "
                       "not_eligible.", stderr=stderr,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    facts_args(e)
    e.add_argument("--format", choices=("table", "json", "csv", "xlsx", "html"), default=None,
                   help="table for people (default), json (stable, format_version 1), csv, "
                   "xlsx (a workbook: summary, verdicts, criteria, defects; needs --output) or "
                   "html (the same as one self-contained page with charts; needs --output)")
    e.add_argument("--output", "-o", type=Path, help="write to this file instead of stdout")
    e.add_argument("--lang", choices=("vi", "en"), default="vi",
                   help="language of the table and the html page: vi (default: Vietnamese labels "
                   "of awards, verdicts and failing criteria) or en")
    e.add_argument("--ids", action="store_true",
                   help="the table shows ids of awards, verdicts and criteria instead of labels")
    _paths.add_no_bulk(e)

    x = sub.add_parser("explain", help="why one subject got or missed each award",
                       description="Show the reasoning for one subject, criterion by criterion, in "
                       "Vietnamese with the English label beside it: status, values used, rule and "
                       "the plan clause cited.", stderr=stderr)
    facts_args(x)
    x.add_argument("--subject", required=True, metavar="ID", help="subject id in the facts file")
    x.add_argument("--format", choices=("text", "json"), default="text")

    t = sub.add_parser("targets", help="judge the campaign's targets (chỉ tiêu) over the submission",
                       description="Judge every target (chỉ tiêu) of the campaign for one phase: "
                       "value, figure, ratio and status (met, not_met, unknown when the population is "
                       "empty or facts are missing), with the plan clause cited.", stderr=stderr)
    t.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file")
    t.add_argument("--facts", required=True, type=Path, metavar="FILE",
                   help="subjects and their facts: .yaml, .json, .csv or .xlsx (a filled-in form)")
    when = t.add_mutually_exclusive_group()
    when.add_argument("--phase", metavar="ID", help="phase id to judge")
    when.add_argument("--as-of", type=_date, metavar="DATE",
                      help="review date YYYY-MM-DD (default: the facts file's as_of); picks the phase")
    t.add_argument("--format", choices=("table", "json", "xlsx", "html"), default="table")
    t.add_argument("--output", "-o", type=Path, help="file for --format xlsx or html")
    t.add_argument("--lang", choices=("vi", "en"), default="vi",
                   help="language of the html page: vi (default) or en")

    n = sub.add_parser("initiatives",
                       help="judge an initiative register: accepted or excluded, and who is credited",
                       description="Judge every initiative in the facts file's 'initiatives' register "
                       "against the campaign's initiative programme: accepted or excluded (each failing "
                       "check named, with the plan clause), and the author credited under the "
                       "programme's attribution policy (tie-break named when used). The register "
                       "format is documented in emulation_rules.facts.initiatives.", stderr=stderr)
    n.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file with an 'initiatives' programme")
    n.add_argument("--facts", required=True, type=Path, metavar="FILE",
                   help="facts file (.yaml or .json) with a top-level 'initiatives' list, or an "
                   ".xlsx form with its register sheet filled in")
    n.add_argument("--skip-invalid", action="store_true",
                   help="judge the valid entries and list the invalid ones, instead of refusing the file")
    n.add_argument("--as-of", type=_date, metavar="DATE",
                   help="review date YYYY-MM-DD (default: the facts file's as_of): each initiative "
                   "is judged as it stood that day; events dated later have not happened yet")
    n.add_argument("--format", choices=("table", "json", "xlsx", "html"), default="table")
    n.add_argument("--output", "-o", type=Path, help="file for --format xlsx or html")
    n.add_argument("--lang", choices=("vi", "en"), default="vi",
                   help="language of the html page: vi (default) or en")

    c = sub.add_parser("test",
                       help="run author test cases (expected verdicts, points, target statuses)",
                       description="Run author test cases: YAML files with subjects, a review date "
                       "and the expected verdicts, criterion statuses, points and target statuses, "
                       "each citing the plan line (format: emulation_rules.authoring.cases). Directories are "
                       "searched for YAML files with a top-level 'cases' key. Prints an "
                       "expected-vs-actual diff for each failure; exit 1 if any case fails.",
                       stderr=stderr)
    c.add_argument("paths", nargs="+", metavar="PATH",
                   help="case files or directories (e.g. campaigns/), or a shipped campaign's id "
                   "for its shipped cases")
    c.add_argument("--quiet", "-q", action="store_true", help="print only failures and the summary")
    _sheets.add_parser(sub, stderr)
    add_service_commands(sub, stderr)  # serve, replay (cli/serve.py)
    add_author_commands(sub, stderr)  # new, migrate (cli/author.py)
    add_hierarchy_commands(sub, stderr, _param)  # rollup (cli/hierarchy.py)
    add_impact_commands(sub, stderr, _param)  # diff (cli/impact.py)
    add_shipped_commands(sub, stderr)  # campaigns, example (cli/shipped.py)
    c.add_argument("--mutate", action="store_true",
                   help="mutation testing: change the campaign one figure or operator at a time "
                   "(numbers +1, >= <-> >, dates +-1 day, at_least one rank up or down, any <-> "
                   "all, a criterion dropped), run the cases against each change, and list the "
                   "changes no case notices (survivors) with file:line and the plan line cited; "
                   "exit 1 if any survives (see emulation_rules.authoring.mutate)")
    c.add_argument("--coverage", action="store_true",
                   help="coverage of the campaign by its cases: for every award criterion whether "
                   "the cases make it pass, fail and unknown; for every target and quota whether "
                   "they make it met and not met; for every numeric threshold whether a case sits "
                   "below, on and above it (see emulation_rules.authoring.coverage)")
    c.add_argument("--min-coverage", type=float, metavar="PCT",
                   help="with --coverage: exit 1 when a campaign's coverage is below PCT percent")
    c.add_argument("--format", choices=("text", "json"), default="text",
                   help="with --mutate or --coverage: text (default) or json for CI")
    add_lang_options(sub)  # every command speaks Vietnamese, or English on request
    return p


def run(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None,
        stderr: TextIO | None = None) -> int:
    """Run the tool with ``argv``; returns the exit code (never calls ``sys.exit``)."""
    out: TextIO = stdout or sys.stdout or Closed()  # type: ignore[assignment]
    err: TextIO = stderr or sys.stderr or Closed()  # type: ignore[assignment]
    _current_stdout[0] = out
    words = list(sys.argv[1:] if argv is None else argv)
    usage_err = Localised(err, argv_lang(words))  # usage errors in the language asked for, too
    # the command's own options only: argv begins with it (an option first: every command built)
    wanted = words[0] if words and not words[0].startswith("-") else None
    parser = build_parser(usage_err, command=wanted)  # type: ignore[arg-type]  # a TextIO in all but name
    try:
        args = parser.parse_args(words)
    except _Exit as exc:
        usage_err.flush()
        return exc.status
    handler: Callable[[argparse.Namespace, TextIO, TextIO], int] = _COMMANDS[args.command]
    out, err = localised_streams(args, out, err)
    try:
        return handle(handler, args, out, err)
    except (CampaignError, FactsError, CompileError, CaseFileError) as exc:
        err.write(f"{exc}\n")
        return EXIT_INPUT
    except EvaluationError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_ENGINE
    except EmulationRulesError as exc:  # pragma: no cover - future subclasses
        err.write(f"error: {exc}\n")
        return EXIT_INPUT
    except BrokenPipeError:  # the reader closed the pipe: it wants no more, and no error
        return EXIT_PIPE
    except OSError as exc:  # output cannot be written: a closed or full stdout
        with contextlib.suppress(OSError, ValueError):
            err.write(f"error: cannot write the output: {exc.strerror or exc}\n")
        return EXIT_INPUT


def main() -> None:
    """Console entry point."""
    gc.freeze()  # what the imports made lives to the end: no collection, nor those at exit, scans it again
    code = run()
    gc.freeze()  # nor what the run made: the process ends here and its memory goes back whole
    try:
        if sys.stdout is not None:
            sys.stdout.flush()  # a full or closed stdout fails here, not at interpreter exit
    except (OSError, ValueError) as exc:
        if isinstance(exc, BrokenPipeError):  # the reader went away (``| head``): quietly
            code = code or EXIT_PIPE
        else:
            with contextlib.suppress(OSError, ValueError):
                reason = getattr(exc, "strerror", None) or exc
                sys.stderr.write(f"error: cannot write the output: {reason}\n")
            code = code or EXIT_INPUT
        with contextlib.suppress(OSError):  # let the interpreter exit without a second report
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)


def _write(text: str, out: TextIO, target: Path | None) -> None:
    if target is None:
        out.write(text)
        return
    try:  # whole or not at all (a device such as /dev/full is written in place and fails)
        write_atomic(target, text)
    except OSError as exc:
        raise OSError(exc.errno, f"{target}: {exc.strerror or exc}") from None


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    bad = 0
    report = []
    for name in args.files:
        try:
            c = load_campaign(name)
        except (CampaignValidationError, YAMLSyntaxError) as exc:
            bad += 1
            report.append({"file": name, "ok": False,
                           "problems": [localised_problem(p.to_dict(), args.lang) for p in exc.problems]})
            if args.format == "text":
                for p in exc.problems:
                    out.write(f"{p}\n")
            continue
        except CampaignError as exc:
            bad += 1
            report.append({"file": name, "ok": False, "problems": [{"code": "unreadable", "message": str(exc)}]})
            if args.format == "text":
                out.write(f"{exc}\n")
            continue
        warnings = text_warnings(c)
        entry: dict[str, Any] = {"file": name, "ok": True, "campaign": c.id,
                                 "warnings": [w.to_dict() for w in warnings]}
        report.append(entry)
        if validate_force(name, c, entry, out, text=args.format == "text", strict=args.strict):
            bad += 1
            continue
        if args.format == "text":
            out.write(f"ok: {name} ({c.id}: {len(c.facts)} facts, {len(c.awards)} awards, "
                      f"{len(c.defects)} recorded defects)\n")
            out.writelines(f"warning: {w}\n" for w in warnings)
        if args.verbose:
            figures_verbose(c, name, entry, out, text=args.format == "text")
    if args.format == "json":
        out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    if bad and args.format == "text":
        err.write(f"{bad} of {len(args.files)} files have problems\n")
    return EXIT_PROBLEMS if bad else EXIT_OK


def _cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from emulation_rules.campaign.model import Campaign, build_models

    build_models()
    schema = Campaign.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "emulation_rules campaign"
    _write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", out, args.output)
    return EXIT_OK


def _evaluate(args: argparse.Namespace, err: TextIO) -> tuple[Engine, object]:
    campaign = open_campaign(args, err, light=True)  # the evaluators read twins alike (campaign/twins.py)
    engine = _sheets.build_engine(campaign, args, err)
    submission = facts_of(args, campaign, err)
    ev = engine.evaluate(submission, as_of=args.as_of, phase=args.phase)
    err.write(forwarded_note(ev, submission, getattr(args, "lang", "vi")))  # passed up: where this level differs
    return engine, ev


def _one_table(args: argparse.Namespace, err: TextIO) -> bool:
    """``--bulk`` reads one table file: refuse several files, a folder or ``--units`` (exit 2)."""
    if isinstance(args.facts, tuple) or args.facts.is_dir() or args.units is not None:
        err.write("--bulk reads one .csv, .parquet or .xlsx table; several files, a folder and "
                  "--units are read without --bulk\n")
        return False
    return True


def _cmd_evaluate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.bulk and not require("bulk", "--bulk", err, lang=args.lang):
        return EXIT_MISSING_EXTRA
    code = _paths.columnar_first(args, out, err, forced=_cmd_evaluate_bulk, one_table=_one_table)
    if code is not None:  # --bulk, or a large table by itself (cli/paths.py)
        return code
    if args.format in ("xlsx", "html") or args.reviewed is not None:  # a report, or the review beside it
        return _sheets.evaluate_report(args, out, err)
    engine, ev = _evaluate(args, err)
    if evaluation_force(args, engine.campaign, ev, err):
        return EXIT_PROBLEMS
    if (args.format or "table") == "table":
        text = render_table(ev, lang=args.lang, ids=args.ids, campaign=engine.campaign)  # type: ignore[arg-type]
    else:
        text = render_json(ev, lang=args.lang) if args.format == "json" else render_csv(ev, engine.campaign)  # type: ignore[arg-type]
    _write(text, out, args.output)
    for p in ev.rejected:  # type: ignore[attr-defined]
        err.write(f"skipped: {p}\n")
    _sheets.say_if_blank(ev, err, args.lang)
    return EXIT_OK


def _cmd_evaluate_bulk(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``evaluate --bulk``: CSV/Parquet/.xlsx in; CSV or Parquet rows out by --output's extension,
    or with ``--format html|xlsx`` the summary (verdicts per award, problems, defects)."""
    if args.format not in (None, "csv", "html", "xlsx"):
        err.write(f"--bulk writes CSV or Parquet rows (by --output's extension), or an html or xlsx "
                  f"summary, not --format {args.format}\n")
        return EXIT_INPUT
    if args.format in ("html", "xlsx"):
        return _sheets.evaluate_bulk_report(args, out, err)
    if args.output is not None and args.output.suffix.lower() not in (".csv", ".parquet", ".pq"):
        err.write(f"--bulk --output must end in .csv or .parquet: {args.output}\n")
        return EXIT_INPUT
    campaign = open_campaign(args, err)
    _sheets.note_bulk_quotas(campaign, err)
    engine = _sheets.build_engine(campaign, args, err, bulk=True)
    result = engine.evaluate_many(args.facts, output=args.output or out, as_of=args.as_of,
                                  on_error="skip" if args.skip_invalid else "raise", progress=err,
                                  phase=args.phase)
    for p in result.rejected:
        err.write(f"skipped: {p}\n")
    err.write(result.summary() + (f"; results in {args.output}" if args.output else "") + "\n")
    return EXIT_OK


def _explain_bulk(args: argparse.Namespace, err: TextIO) -> object:
    """``explain --bulk``: find the subject's row in a large CSV/Parquet file, evaluate it alone."""
    try:
        from emulation_rules.evaluate.polars import find_subject
    except ImportError as exc:
        raise EngineUnavailableError(str(exc)) from None
    campaign = open_campaign(args, err)
    engine = _sheets.build_engine(campaign, args, err)
    try:
        subject = find_subject(campaign, args.facts, args.subject)
    except KeyError:
        return engine.evaluate([], as_of=args.as_of, phase=args.phase)
    args.subject = subject.id
    return engine.evaluate([subject], as_of=args.as_of, phase=args.phase)


def _cmd_explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    args.subject = unicodedata.normalize("NFC", args.subject.strip())  # ids are read as NFC
    if args.bulk and not require("bulk", "--bulk", err):
        return EXIT_MISSING_EXTRA
    if args.bulk and not _one_table(args, err):
        return EXIT_INPUT
    evaluation = _explain_bulk(args, err) if args.bulk else _evaluate(args, err)[1]
    if evaluation_force(args, campaign := load_campaign(args.campaign, light=True), evaluation, err):
        return EXIT_PROBLEMS
    try:
        if args.format == "json":
            data = evaluation.to_dict()  # type: ignore[attr-defined]
            subject = next(s for s in data["subjects"] if s["id"] == args.subject)
            later = evaluation.later  # type: ignore[attr-defined]
            subject["left_out_later"] = {"records": later.records.get(args.subject, 0),
                                         "initiatives": later.initiatives}
            out.write(json.dumps(localised(subject, args.lang), ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(render_explanation(evaluation, args.subject, lang=args.lang,  # type: ignore[arg-type]
                                         campaign=campaign))
    except (KeyError, StopIteration):
        ids = [s.subject_id for s in evaluation.subjects]  # type: ignore[attr-defined]
        err.write(f"no subject {args.subject!r} in {args.facts}; subjects: {', '.join(ids[:20])}"
                  f"{' …' if len(ids) > 20 else ''}\n")
        return EXIT_INPUT
    return EXIT_OK


def _cmd_targets(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from emulation_rules.results.targets import render_targets_json, render_targets_table

    if args.format in ("xlsx", "html"):
        return _sheets.targets_report(args, out, err)
    judged = _sheets.judged_targets(args, err)
    if judged is None:
        return EXIT_INPUT
    report = judged[1]
    out.write(render_targets_json(report) if args.format == "json" else render_targets_table(report, args.lang))
    return EXIT_OK


def _cmd_initiatives(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from emulation_rules.results.initiatives import render_initiatives_json, render_initiatives_table

    if args.format in ("xlsx", "html"):
        return _sheets.initiatives_report(args, out, err)
    loaded = _sheets.register_submission(args, err)
    if loaded is None:
        return EXIT_INPUT
    _, submission = loaded
    if args.format == "json":
        out.write(render_initiatives_json(submission.initiatives or ()))
    else:
        out.write(render_initiatives_table(submission.initiatives or (), args.lang))
    for p in submission.rejected:
        err.write(f"skipped: {p}\n")
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "validate": _cmd_validate,
    "schema": _cmd_schema,
    "evaluate": _cmd_evaluate,
    "explain": _cmd_explain,
    "targets": _cmd_targets,
    "initiatives": _cmd_initiatives,
    "test": cmd_test,
    **_sheets.COMMANDS,  # form; register, dossier (cli/register.py)
    **SERVICE_COMMANDS,
    **AUTHOR_COMMANDS,
    **HIERARCHY_COMMANDS,
    **IMPACT_COMMANDS,
    **SHIPPED_COMMANDS,
}
