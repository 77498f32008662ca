"""Spreadsheets and reports on the command line: ``emulation-rules form`` writes the .xlsx
submission form of a campaign (:mod:`emulation_rules.authoring.forms`); ``evaluate``,
``targets`` and ``initiatives`` with ``--format xlsx -o FILE.xlsx`` write a result workbook
(:mod:`emulation_rules.results.workbook`), with ``--format html -o FILE.html`` the same content
as one self-contained page (:mod:`emulation_rules.results.html`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from emulation_rules.campaign.shapes import Campaign
from emulation_rules.cli import register
from emulation_rules.cli.documents import open_campaign
from emulation_rules.cli.submission import facts_of
from emulation_rules.engine import Engine
from emulation_rules.facts.load import load_facts
from emulation_rules.facts.reader import Submission
from emulation_rules.facts.review import submission_as_of
from emulation_rules.facts.vocab import KINDS, choose, unknown_message

if TYPE_CHECKING:  # loaded by the commands that use them (a cold start of evaluate skips them)
    from emulation_rules.results.targets import TargetReport

EXIT_OK, EXIT_INPUT = 0, 2


def add_parser(sub: Any, stderr: TextIO | None) -> None:
    """Register the ``form`` sub-command on ``sub`` (argparse sub-parsers), and the review cycle's
    ``register`` and ``dossier`` with their options on ``evaluate`` and ``explain``."""
    f = sub.add_parser(
        "form",
        help="write an .xlsx submission form for a campaign (to fill in, then --facts)",
        description="Write an .xlsx form generated from the campaign: instructions in Vietnamese "
        "(the review date, every fact with its meaning, unit, allowed values and plan clause), "
        "one sheet per subject kind with drop-downs and checks, one sheet per records fact, "
        "the initiative register, the titles held and the proposals (awards that judge only the "
        "subjects proposed). Read it back with --facts form.xlsx.",
        stderr=stderr,
    )
    f.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file")
    f.add_argument(
        "--kind",
        action="append",
        metavar="KIND",
        help="only this subject kind: collective or individual (or Tập thể, Cá nhân); "
        "repeatable; default both",
    )
    f.add_argument(
        "--level",
        action="append",
        default=[],
        metavar="ID",
        help="offer only this collective level (id or label) in the level drop-down (repeatable)",
    )
    f.add_argument(
        "--rows", type=int, default=500, metavar="N", help="rows prepared per sheet (500)"
    )
    f.add_argument(
        "--output", "-o", type=Path, required=True, metavar="FILE.xlsx", help="file to write"
    )
    _add_register(sub)


def _add_register(sub: Any) -> None:
    register.add_parser(sub)  # register, dossier; --register, --reviewed on evaluate and explain


def cmd_form(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write the form; exit 2 for an unknown level, a bad output name or missing openpyxl."""
    try:
        from emulation_rules.authoring.forms import FormSpec, write_form
    except ImportError as exc:
        err.write(f"the form needs openpyxl, a dependency of emulation-rules: pip install openpyxl ({exc})\n")
        return EXIT_INPUT
    if args.output.suffix.lower() != ".xlsx":
        err.write(f"--output must end in .xlsx: {args.output}\n")
        return EXIT_INPUT
    if not 1 <= args.rows <= 100_000:
        err.write(f"--rows must be between 1 and 100000, not {args.rows}\n")
        return EXIT_INPUT
    campaign = open_campaign(args, err)
    levels = tuple((lv.id, lv.label) for lv in campaign.subjects.collective_levels)
    chosen: dict[str, list[str]] = {"kind": [], "level": []}
    for what, given, choices in (("kind", args.kind or (), KINDS), ("level", args.level, levels)):
        for value in given:
            found = choose(value, choices)
            if found is None:
                message, hint = unknown_message(what, value, choices)
                err.write(f"--{what}: {message}{f' ({hint})' if hint else ''}\n")
                return EXIT_INPUT
            chosen[what].append(found)
    kinds = tuple(dict.fromkeys(chosen["kind"] or ("collective", "individual")))
    try:
        path = write_form(
            campaign, args.output,
            FormSpec(kinds=kinds, levels=tuple(chosen["level"]), rows=args.rows),  # type: ignore[arg-type]
        )
    except ValueError as exc:
        err.write(f"{exc}\n")
        return EXIT_INPUT
    except OSError as exc:
        err.write(f"cannot write {args.output}: {exc.strerror or exc}\n")
        return EXIT_INPUT
    err.write(f"form for {campaign.id} written to {path}\n")
    return EXIT_OK


_SUFFIXES = {"xlsx": (".xlsx",), "html": (".html", ".htm")}


def _report_target(args: argparse.Namespace, err: TextIO) -> Path | None:
    """``--output`` when its extension fits ``--format`` (xlsx or html), else None (said on err)."""
    target: Path | None = getattr(args, "output", None)
    fmt = args.format
    if target is None or target.suffix.lower() not in _SUFFIXES[fmt]:
        what = "a workbook" if fmt == "xlsx" else "a page"
        err.write(f"--format {fmt} writes {what}: give --output FILE{_SUFFIXES[fmt][0]}\n")
        return None
    return target


def _save(args: argparse.Namespace, target: Path, err: TextIO, **kw: Any) -> int:
    """Write the workbook or the page (by ``args.format``); exit 2 when it cannot be written."""
    write: Callable[..., Path]
    try:
        kw["lang"] = getattr(args, "lang", "vi")
        if args.format == "html":
            from emulation_rules.results.html import write_html as write
        else:
            from emulation_rules.results.workbook import write_workbook as write
    except ImportError as exc:  # pragma: no cover - openpyxl and jinja2 are dependencies
        module = "jinja2" if args.format == "html" else "openpyxl"
        err.write(f"--format {args.format} needs {module}, a dependency of emulation-rules: "
                  f"pip install {module} ({exc})\n")
        return EXIT_INPUT
    try:
        write(target, **kw)
    except OSError as exc:
        err.write(f"cannot write {target}: {exc.strerror or exc}\n")
        return EXIT_INPUT
    err.write(f"results written to {target}\n")
    return EXIT_OK


def evaluate_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``evaluate --format xlsx|html -o FILE``: verdicts, criteria, quotas, and the targets of
    the phase when the campaign has targets; ``--reviewed`` as text or JSON is the review beside the
    self-assessment (cli/register.py)."""
    if args.format not in ("xlsx", "html"):
        return register.cmd_reviewed(args, out, err)
    target = _report_target(args, err)
    if target is None:
        return EXIT_INPUT
    campaign = open_campaign(args, err)
    engine = build_engine(campaign, args, err)
    submission = facts_of(args, campaign, err)
    before: tuple[Any, Submission, Any] | None = None  # the self-assessment, with --reviewed
    if getattr(args, "reviewed", None) is not None:  # the reviewed verdict counts; both shown
        from emulation_rules.facts.corrections import apply_corrections, load_corrections

        corrections = load_corrections(args.reviewed, campaign, submission)
        before = (engine.evaluate(submission, as_of=args.as_of, phase=args.phase), submission, corrections)
        submission = apply_corrections(submission, corrections)
    evaluation = engine.evaluate(submission, as_of=args.as_of, phase=args.phase)
    review = None
    if before is not None:
        from emulation_rules.results.review import compare

        review = compare(campaign, before[0], evaluation, before[1], before[2])
    from emulation_rules.results.targets import evaluate_targets

    report = None
    if campaign.targets and evaluation.as_of is not None:
        try:
            report = evaluate_targets(campaign, submission, as_of=evaluation.as_of,
                                      phase=args.phase, params=dict(args.param))
        except KeyError:  # the review date lies in no phase: no targets to judge
            report = None
    for p in evaluation.rejected:
        err.write(f"skipped: {p}\n")
    say_if_blank(evaluation, err, getattr(args, "lang", "vi"))
    return _save(
        args,
        target,
        err,
        campaign=campaign,
        evaluation=evaluation,
        targets=report,
        initiatives=submission_as_of(submission, campaign, evaluation.as_of)[0].initiatives,
        review=review,
    )


def say_if_blank(evaluation: Any, err: TextIO, lang: str = "vi") -> None:
    """Say on ``err`` that the facts name no subject (a blank or unfilled form), when so."""
    from emulation_rules.results.words import word

    if not evaluation.subjects and not evaluation.rejected:
        err.write(f"note: {word('no_subjects', 'en' if lang == 'en' else 'vi')}\n")


def build_engine(campaign: Campaign, args: argparse.Namespace, err: TextIO, *, bulk: bool = False) -> Engine:
    """The engine for ``--backend``, saying on ``err`` what it does when that is not plain: a
    campaign durable-rules cannot hold, evaluated with python under ``auto``; ``--bulk``,
    which scores every row with the polars backend whatever ``--backend`` says."""
    if bulk and args.backend not in ("auto", "polars"):
        err.write(f"note: --bulk scores every row with the polars backend (the same verdicts); "
                  f"--backend {args.backend} is not used for them\n")
    engine = Engine(campaign, params=dict(args.param), backend="python" if bulk else args.backend)
    if engine.notice and not bulk:
        err.write(f"note: {engine.notice}\n")
    return engine


def note_bulk_quotas(campaign: Campaign, err: TextIO) -> None:
    """Say that ``--bulk`` judges no quotas, when the campaign has some."""
    if campaign.quotas:
        err.write("note: --bulk writes verdicts only; quotas on the award set are not judged "
                  "(run evaluate without --bulk for them)\n")


def evaluate_bulk_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``evaluate --bulk --format html|xlsx -o FILE``: the summary of a bulk run (verdicts per
    award, the problems of rows left out, the campaign's defects); its rows are not listed
    (``--format csv`` or an .csv/.parquet ``--output`` writes them)."""
    target = _report_target(args, err)
    if target is None:
        return EXIT_INPUT
    campaign = open_campaign(args, err)
    note_bulk_quotas(campaign, err)
    engine = build_engine(campaign, args, err, bulk=True)
    result = engine.evaluate_many(args.facts, output=None, as_of=args.as_of, progress=err,
                                  on_error="skip" if args.skip_invalid else "raise", phase=args.phase)
    per_award: dict[str, dict[str, int]] = {}
    if result.table is not None:
        for award, verdict, n in result.table.group_by("award", "verdict").len().iter_rows():
            per_award.setdefault(award, {})[verdict] = n
    for p in result.rejected:
        err.write(f"skipped: {p}\n")
    err.write(result.summary() + "\n")
    from emulation_rules.results.summary import VerdictCounts

    counts = VerdictCounts(result.as_of, result.phase, result.subjects, per_award)
    return _save(args, target, err, campaign=campaign, counts=counts, rejected=result.rejected)


def judged_targets(args: argparse.Namespace, err: TextIO) -> tuple[Campaign, TargetReport] | None:
    """The campaign and its targets judged over the facts, for the ``targets`` command (any
    format); ``None`` after saying on ``err`` why (the review date lies in no phase)."""
    from emulation_rules.results.targets import evaluate_targets

    campaign = open_campaign(args, err)
    submission = load_facts(args.facts, campaign)
    try:
        return campaign, evaluate_targets(campaign, submission, phase=args.phase, as_of=args.as_of)
    except KeyError as exc:
        err.write(f"{exc.args[0]}\n")
        return None


def targets_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``targets --format xlsx|html -o FILE``."""
    target = _report_target(args, err)
    if target is None:
        return EXIT_INPUT
    judged = judged_targets(args, err)
    if judged is None:
        return EXIT_INPUT
    return _save(args, target, err, campaign=judged[0], targets=judged[1])


def register_submission(args: argparse.Namespace, err: TextIO) -> tuple[Campaign, Submission] | None:
    """The campaign and the facts with their initiative register as of the review date, for the
    ``initiatives`` command (any format); ``None`` after saying on ``err`` why there is none (the
    campaign has no programme, or the facts file no register)."""
    campaign = open_campaign(args, err)
    if campaign.initiatives is None:
        err.write(f"campaign {campaign.id!r} declares no initiative programme\n")
        return None
    submission = load_facts(args.facts, campaign, on_error="skip" if args.skip_invalid else "raise")
    if submission.initiatives is None:
        err.write(f"{args.facts} has no 'initiatives' register\n")
        return None
    return campaign, submission_as_of(submission, campaign, args.as_of)[0]


def initiatives_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``initiatives --format xlsx|html -o FILE``."""
    target = _report_target(args, err)
    if target is None:
        return EXIT_INPUT
    loaded = register_submission(args, err)
    if loaded is None:
        return EXIT_INPUT
    campaign, submission = loaded
    for p in submission.rejected:
        err.write(f"skipped: {p}\n")
    return _save(
        args,
        target,
        err,
        campaign=campaign,
        initiatives=submission.initiatives,
        rejected=submission.rejected,
    )


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "form": cmd_form,
    **register.COMMANDS,
}
