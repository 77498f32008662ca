"""Authoring on the command line: ``emulation-rules new`` writes a starter campaign and its
author cases (:mod:`emulation_rules.authoring.starter`); ``emulation-rules migrate`` converts a
version 1 campaign or case file to version 2 (:mod:`emulation_rules.campaign.migrate`)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from emulation_rules.campaign.reading import InputFileError, read_limited
from emulation_rules.campaign.safe_yaml import MAX_BYTES, parse_yaml
from emulation_rules.errors import CampaignError, CaseFileError, identifier_message
from emulation_rules.writing import backup_path, write_atomic

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT = 0, 1, 2
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


def add_parsers(sub: Any, stderr: TextIO | None) -> None:
    """Register ``new`` and ``migrate`` on ``sub`` (argparse sub-parsers)."""
    n = sub.add_parser(
        "new",
        help="write a commented starter campaign and its author cases, ready to validate",
        description="Write ID.yaml (documents, one phase, one role, one fact, one award) and "
        "cases/ID.yaml (two cases) in DIR, both commented in Vietnamese and English, then "
        "validate them and run the cases. Edit the <...> placeholders with the plan's words, "
        "then: emulation-rules validate DIR/ID.yaml; emulation-rules test DIR/cases/ID.yaml.",
        stderr=stderr,
    )
    n.add_argument("id", metavar="ID", help="campaign id: lower-case ASCII letters, digits and _ "
                   "(no diacritics), e.g. ldtt_2025")
    n.add_argument("--dir", type=Path, default=Path("."), metavar="DIR",
                   help="where to write (default: the current directory)")
    n.add_argument("--title", default="<Tên phong trào thi đua>", metavar="TEXT",
                   help="the campaign's Vietnamese title")
    n.add_argument("--year", type=int, default=dt.date.today().year, metavar="YYYY",
                   help="the year of the one phase (default: this year)")
    n.add_argument("--force", action="store_true", help="overwrite existing files")
    m = sub.add_parser(
        "migrate",
        help="convert a version 1 campaign or case file to version 2 (documents, citations)",
        description="Convert version 1 files (one 'source_seed', citations {seed: FILE, ...}) to "
        "version 2: the plan becomes documents[0] (id 'plan'), citations become {doc: plan, "
        "...}, a plan heading 'clause' becomes 'section', defects cite through 'sources'. "
        "Comments and layout are kept. Prints a diff unless --write; --write keeps the version 1 "
        "file as FILE.bak and writes the new one whole or not at all, only when the converted "
        "campaign validates as version 2.",
        stderr=stderr,
    )
    m.add_argument("files", nargs="+", type=Path, metavar="FILE", help="campaign or case files")
    m.add_argument("--write", action="store_true", help="rewrite the files in place (the old one kept as FILE.bak)")


def cmd_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write and check the starter; exit 2 for a bad id or existing files, 1 if it fails."""
    from emulation_rules.authoring.case_files import load_cases  # loaded only for 'new'
    from emulation_rules.authoring.cases import run_case_file
    from emulation_rules.authoring.starter import starter_campaign, starter_cases
    from emulation_rules.campaign.opening import load_campaign

    if not _IDENT.match(args.id):
        message, hint = identifier_message(args.id)
        err.write(f"error: campaign id: {message} ({hint})\n")
        return EXIT_INPUT
    if not 1000 <= args.year <= 9999:  # a YAML date has four digits
        err.write(f"error: --year {args.year}: give a four-digit year (1000 to 9999), e.g. "
                  f"{dt.date.today().year}\n")
        return EXIT_INPUT
    directory: Path = args.dir
    campaign_path = directory / f"{args.id}.yaml"
    cases_path = directory / "cases" / f"{args.id}.yaml"
    existing = [p for p in (campaign_path, cases_path) if p.exists()]
    if existing and not args.force:
        err.write(f"error: {', '.join(map(str, existing))} already exists; choose another id or "
                  "--dir, or pass --force to overwrite\n")
        return EXIT_INPUT
    try:
        cases_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(campaign_path,
                     starter_campaign(args.id, title=args.title, year=args.year,
                                      file=str(campaign_path), cases=str(cases_path)))
        write_atomic(cases_path,
                     starter_cases(campaign_file=str(campaign_path),
                                   campaign_rel=Path(os.path.relpath(campaign_path, cases_path.parent)).as_posix(),
                                   cases_file=str(cases_path), year=args.year))
    except OSError as exc:
        err.write(f"error: cannot write the starter: {exc.strerror or exc}\n")
        return EXIT_INPUT
    try:
        load_campaign(campaign_path)
        results = run_case_file(load_cases(cases_path))
    except (CampaignError, CaseFileError) as exc:  # pragma: no cover - the starter validates
        err.write(f"{exc}\n")
        return EXIT_PROBLEMS
    failed = sum(not r.passed for r in results)
    out.write(f"wrote {campaign_path} and {cases_path} (valid; {len(results) - failed} of "
              f"{len(results)} cases pass)\nnext:\n"
              f"  1. replace the <...> placeholders with the plan's words; cite it by section,\n"
              f"     or add its text (documents[0].text) to cite lines\n"
              f"  2. emulation-rules validate {campaign_path}\n"
              f"  3. emulation-rules test {cases_path}\n")
    return EXIT_OK if failed == 0 else EXIT_PROBLEMS


def cmd_migrate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Convert each file; exit 2 when one cannot be read or converted, 1 when a converted
    campaign does not validate as version 2 (then nothing is written)."""
    status = EXIT_OK
    for path in args.files:
        try:
            status = max(status, _migrate_one(path, args.write, out, err))
        except (CampaignError, CaseFileError) as exc:
            problems = getattr(exc, "problems", None)
            text = "\n".join(map(str, problems)) if problems else str(exc)
            err.write(f"{text}\n{path}: nothing converted\n")
            status = max(status, EXIT_INPUT)
        except OSError as exc:  # the backup or the new file cannot be written: the file is intact
            err.write(f"{path}: cannot write, the file is unchanged: {exc.strerror or exc}\n")
            status = max(status, EXIT_INPUT)
    return status


def _migrate_one(path: Path, write: bool, out: TextIO, err: TextIO) -> int:
    import difflib  # here: a cold start of every other command skips it

    try:  # bounded as the loader reads campaigns (a 4 MiB file at most)
        raw = read_limited(path, MAX_BYTES)
    except InputFileError as exc:
        err.write(f"{path}: cannot read: {exc.message}\n")
        return EXIT_INPUT
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        parse_yaml(raw, file=str(path))  # raises the located bad-encoding problem
        raise
    from emulation_rules.campaign.figures import DocumentTexts  # loaded only when converting
    from emulation_rules.campaign.loader import validate_campaign
    from emulation_rules.campaign.migrate import convert

    new, data, smap = convert(text, path)
    if new == text:
        out.write(f"{path}: already version 2, unchanged\n")
        return EXIT_OK
    if isinstance(data, dict):  # a converted campaign (an author case file is not validated here)
        try:
            # as the loader will read the file: its texts from its folder (or the documents folders)
            validate_campaign(data, smap, texts=DocumentTexts(path.parent))
        except CampaignError as exc:
            err.write(f"{exc}\n{path}: the converted text does not validate as version 2; nothing "
                      "written (fix these in the version 1 file, or run without --write to see the "
                      "converted text)\n")
            if not write:
                out.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                    str(path), f"{path} (version 2)"))
            return EXIT_PROBLEMS
    if not write:
        out.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                            str(path), f"{path} (version 2)"))
        return EXIT_OK
    backup = backup_path(path)
    write_atomic(backup, raw)  # first the backup, whole; then the file, whole or not at all
    write_atomic(path, new)
    out.write(f"{path}: converted to version 2 (the version 1 file is kept as {backup}); "
              f"now run: emulation-rules validate {path}\n")
    return EXIT_OK


def cmd_test(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``test``: run author cases, or with ``--mutate``/``--coverage`` judge them; exit 1 when a
    case fails (a mutant survives, coverage is below ``--min-coverage``), 2 for bad paths."""
    from emulation_rules.authoring.case_files import load_cases
    from emulation_rules.authoring.cases import find_case_files, render_results, run_cases
    from emulation_rules.cli.documents import note_unchecked
    from emulation_rules.cli.shipped import case_paths

    args.paths = case_paths(args.paths)  # a shipped campaign's id: its shipped cases
    if args.mutate or args.coverage:
        files = find_case_files(args.paths)
        if not files:
            err.write(f"no test cases found in {', '.join(args.paths)}\n")
            return EXIT_INPUT
        note_unchecked([load_cases(f).campaign for f in files], err, lang=args.lang)
    if args.mutate:
        from emulation_rules.authoring.mutate import (
            mutation_test,
            render_mutation_json,
            render_mutation_report,
        )

        reports = [mutation_test(f) for f in files]
        render = render_mutation_json if args.format == "json" else render_mutation_report
        out.write(render(reports))
        return EXIT_PROBLEMS if any(r.survivors for r in reports) else EXIT_OK
    if args.coverage:
        from emulation_rules.authoring.coverage import (
            case_coverage,
            render_coverage_json,
            render_coverage_table,
        )

        cov = [case_coverage(f) for f in files]
        out.write(render_coverage_json(cov) if args.format == "json" else render_coverage_table(cov))
        low = [r for r in cov if args.min_coverage is not None and r.percent < args.min_coverage]
        for r in low:
            err.write(f"{r.campaign_id}: coverage {r.percent:.1f}% is below {args.min_coverage:g}%\n")
        return EXIT_PROBLEMS if low else EXIT_OK
    results = run_cases(args.paths, loaded=lambda files: note_unchecked([f.campaign for f in files], err,
                                                                               lang=args.lang))
    if not results:
        err.write(f"no test cases found in {', '.join(args.paths)}\n")
        return EXIT_INPUT
    out.write(render_results(results, failures_only=args.quiet))
    return EXIT_OK if all(r.passed for r in results) else EXIT_PROBLEMS


AUTHOR_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "new": cmd_new,
    "migrate": cmd_migrate,
}
