"""``emulation-rules register``: the register of titles conferred (sổ theo dõi khen thưởng).

::

    register add DB --campaign C --evaluation result.json --number 15/QĐ-CTA --date 2025-12-31 \\
        --issued-by "Giám đốc Công ty A"           # the titles awarded and within every quota
    register add DB --table list.csv --number ... --date ... --issued-by ... [--year 2024]
    register add DB --revokes 15/QĐ-CTA --table taken_back.csv --number ... --date ... --issued-by ...
    register import DB past_years.xlsx              # lists of past years, one decision per number
    register export DB -o register.xlsx             # or .csv
    register history DB --subject A07 [--format json]

A table lists ``subject, title, year`` (``name`` optional; ``year`` defaults to ``--year``, else
the decision's year); an import table adds ``decision, issued_by, date`` per row. DB is a SQLite
file path or a PostgreSQL URL (:mod:`emulation_rules.facts.conferred`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from emulation_rules.cli.options import date_option as _date
from emulation_rules.cli.submission import facts_of, read_history
from emulation_rules.errors import FactsError, PathItem, Problem, ProblemCode, SourceLocation
from emulation_rules.writing import replacing

if TYPE_CHECKING:
    pass

__all__ = ["COMMANDS", "add_parser", "add_register_option", "add_reviewed_option", "cmd_register", "cmd_reviewed",
           "read_history"]

TABLE_COLUMNS = ("subject", "title", "year", "name")
IMPORT_COLUMNS = (*TABLE_COLUMNS, "decision", "issued_by", "date")
EXPORT_COLUMNS = ("decision", "date", "issued_by", "kind", "revokes", "subject", "name", "title", "year")
EXPORT_HEAD_VI = ("Số quyết định", "Ngày", "Cơ quan ban hành", "Loại", "Thu hồi quyết định", "Mã đối tượng",
                  "Họ tên / tên", "Danh hiệu", "Năm")


def add_register_option(parser: argparse.ArgumentParser) -> None:
    """``--register DB`` of ``evaluate`` and ``explain``."""
    parser.add_argument("--register", metavar="DB",
                        help="read each subject's history from this register of titles conferred "
                        "(emulation-rules register; a SQLite file or a PostgreSQL URL), merged with the facts'")


def add_reviewed_option(parser: argparse.ArgumentParser) -> None:
    """``--reviewed FILE`` of ``evaluate``."""
    parser.add_argument("--reviewed", type=Path, metavar="FILE",
                        help="the upper level's corrections of this self-assessment (YAML, JSON, CSV, xlsx: "
                        "subject, fact or item, value, note, reviewer); the reviewed verdict counts; the table, "
                        "the JSON and the html or xlsx report show both")


def cmd_reviewed(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``evaluate --reviewed FILE`` as table, JSON or CSV (:mod:`.review`); the output file is
    written whole or not at all."""
    from emulation_rules.cli import review

    evaluation, reviews = review.evaluate_reviewed(args, out, err)
    text = review.render(args, evaluation, reviews)
    if args.output is None:
        out.write(text)
        return 0
    _atomic(args.output, lambda path: path.write_text(text, encoding="utf-8"))
    return 0


def add_parser(sub: Any) -> None:
    """Add the ``register`` command and its subcommands, the ``dossier`` command, and the
    options ``--register`` (``evaluate``, ``explain``) and ``--reviewed`` (``evaluate``)."""
    for name in ("evaluate", "explain"):
        if name in sub.choices:
            add_register_option(sub.choices[name])
    if "evaluate" in sub.choices:
        add_reviewed_option(sub.choices["evaluate"])
    r = sub.add_parser("register", help="the register of titles conferred (sổ theo dõi khen thưởng)",
                       description="Record decisions conferring titles (append-only; a revocation is a new "
                       "decision citing the old one), export the register, read a subject's history. "
                       "DB is a SQLite file path or a postgresql+psycopg:// URL.")
    rs = r.add_subparsers(dest="register_command", required=True, metavar="ACTION")
    a = rs.add_parser("add", help="record one decision from an evaluation's JSON or from a table")
    a.add_argument("db", metavar="DB")
    src = a.add_mutually_exclusive_group(required=True)
    src.add_argument("--evaluation", type=Path, metavar="FILE",
                     help="an 'evaluate --format json' result: its awarded titles within every quota")
    src.add_argument("--table", type=Path, metavar="FILE", help="a CSV or .xlsx table: subject, title, year, name")
    a.add_argument("--campaign", metavar="CAMPAIGN", help="the campaign of --evaluation (its quotas' awards)")
    a.add_argument("--number", required=True, help="the decision's number (số quyết định)")
    a.add_argument("--date", required=True, type=_date, help="the decision's date, YYYY-MM-DD")
    a.add_argument("--issued-by", required=True, help="the issuing body (cơ quan ban hành)")
    a.add_argument("--year", type=int, help="the year the titles are for (default: the review's, else the date's)")
    a.add_argument("--revokes", metavar="NUMBER", help="this decision revokes that one (same issuing body)")
    a.add_argument("--award", action="append", default=[], metavar="ID",
                   help="with --evaluation: record only these awards (default: all)")
    i = rs.add_parser("import", help="record past years' lists from a table (one decision per number)")
    i.add_argument("db", metavar="DB")
    i.add_argument("table", type=Path, metavar="FILE",
                   help="CSV or .xlsx: subject, title, year, decision, issued_by, date, name")
    e = rs.add_parser("export", help="write the register as CSV or .xlsx")
    e.add_argument("db", metavar="DB")
    e.add_argument("--output", "-o", required=True, type=Path, help="a .csv or .xlsx file")
    h = rs.add_parser("history", help="the titles a subject holds according to the register")
    h.add_argument("db", metavar="DB")
    h.add_argument("--subject", required=True, metavar="ID")
    h.add_argument("--format", choices=("text", "json"), default="text")
    d = sub.add_parser("dossier", help="the dossier of a review: proposal lists and the council's votes "
                       "(hồ sơ đề nghị), printable A4 HTML or .xlsx, in Vietnamese")
    d.add_argument("campaign", metavar="CAMPAIGN", help="campaign YAML file")
    d.add_argument("--facts", required=True, type=Path, metavar="FILE", help="the submission (as for evaluate)")
    d.add_argument("--output", "-o", required=True, type=Path, help="a .html or .xlsx file")
    d.add_argument("--as-of", type=_date, metavar="DATE", help="review date (default: the facts file's)")
    d.add_argument("--phase", metavar="ID", help="judge this phase whatever the review date")
    d.add_argument("--backend", choices=("auto", "durable", "python", "polars"), default="auto")
    add_register_option(d)
    add_reviewed_option(d)


def cmd_dossier(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``dossier``: the reviewed (or plain) evaluation written as a dossier (:mod:`..results.dossier`)."""
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.results.dossier import write_dossier

    if args.output.suffix.lower() not in (".html", ".xlsx"):
        err.write(f"--output must end in .html or .xlsx: {args.output}\n")
        return 2
    args.param, args.skip_invalid, args.units = [], False, None
    if args.reviewed is not None:
        from emulation_rules.cli import review

        evaluation, _ = review.evaluate_reviewed(args, out, err)
    else:
        from emulation_rules.engine import Engine

        campaign = load_campaign(args.campaign)
        submission = facts_of(args, campaign, err)  # --register read there
        evaluation = Engine(campaign, backend=args.backend).evaluate(submission, as_of=args.as_of, phase=args.phase)
    write_dossier(args.output, load_campaign(args.campaign), evaluation)
    out.write(f"wrote the dossier to {args.output}\n")
    return 0


def cmd_register(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``register ACTION``; exit 0, or 2 for bad input (the problem printed, located)."""
    from emulation_rules.facts.conferred import ConferralRegister

    store = ConferralRegister(args.db)
    try:
        action: Callable[[Any, argparse.Namespace, TextIO, TextIO], int] = {
            "add": _add, "import": _import, "export": _export, "history": _history}[args.register_command]
        return action(store, args, out, err)
    finally:
        store.close()


def _add(store: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from emulation_rules.facts.conferred import Decision

    campaign_id = None
    if args.evaluation is not None:
        conferrals, campaign_id, year, left = _from_evaluation(args)
        for line in left:
            err.write(f"note: {line}\n")
    else:
        year = args.year or args.date.year
        conferrals = _from_table(args.table, year, with_decision=False)[0]
    decision = Decision(args.number, args.date, args.issued_by, tuple(conferrals), args.revokes, campaign_id,
                        str(args.evaluation or args.table))
    store.add(decision)
    what = "revoked" if args.revokes else "conferred"
    out.write(f"recorded {args.number} ({args.issued_by}, {args.date.isoformat()}): {len(conferrals)} title(s) "
              f"{what}" + (f" for {year}" if year else "") + "\n")  # in Vietnamese through the catalogue
    return 0


def _from_evaluation(args: argparse.Namespace) -> tuple[list[Any], str | None, int | None, list[str]]:
    """The awarded titles of an evaluation JSON that no quota's cap leaves out
    (:func:`emulation_rules.facts.conferring.from_evaluation`)."""
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.campaign.reading import InputFileError, read_limited
    from emulation_rules.facts.conferring import from_evaluation
    from emulation_rules.facts.reader import MAX_FACTS_BYTES

    where = str(args.evaluation)
    try:
        data = json.loads(read_limited(args.evaluation, MAX_FACTS_BYTES).decode("utf-8"))
    except InputFileError as exc:
        raise FactsError([Problem(exc.code, f"cannot read the evaluation: {exc.message}",
                                  location=SourceLocation(where, 1))]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FactsError([Problem("unreadable", f"cannot read the evaluation: {exc}",
                                  location=SourceLocation(where, 1))]) from None
    campaign = load_campaign(args.campaign) if args.campaign else None
    try:
        return from_evaluation(data, campaign, awards=args.award, year=args.year, default_year=args.date.year,
                               locate=lambda path: SourceLocation(where, 1))
    except FactsError as exc:  # the file's own option names
        raise FactsError([p if p.code != "missing-key" else Problem(
            p.code, "the evaluation has quotas: give --campaign so that the titles over a cap are left out "
            "(kết quả có hạn mức: cần --campaign)",
            location=p.location) for p in exc.problems]) from None


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]], Callable[[int, int], SourceLocation]]:
    """A table's header and rows (CSV or the first sheet of an .xlsx), with a locator."""
    from emulation_rules.facts.inputs import read_input
    from emulation_rules.facts.reader import MAX_FACTS_BYTES
    from emulation_rules.facts.xlsx_bounds import check_xlsx

    name = str(path)
    raw = read_input(path, MAX_FACTS_BYTES, name)  # bounded, a regular file only
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        check_xlsx(raw, name)  # the reader allocates from what the sheets say: bound it first
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:
            raise FactsError([Problem("missing-extra", "reading .xlsx needs python-calamine: pip install "
                                      "'emulation-rules[xlsx]'", location=SourceLocation(name, 1))]) from None
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
            sheet = book.sheet_names[0]
            cells = book.get_sheet_by_name(sheet).to_python()
        except Exception as exc:  # calamine raises its own types for a broken file
            raise FactsError([Problem("unreadable", f"not a readable .xlsx: {exc}",
                                      location=SourceLocation(name, 1))]) from None
        header = [unicodedata.normalize("NFC", str(c).strip()) for c in (cells[0] if cells else [])]
        return header, list(enumerate(cells[1:], start=2)), lambda r, c: SourceLocation(name, r, c, sheet)
    text = raw.decode("utf-8-sig", errors="replace")
    import csv  # a register's table only

    reader = list(csv.reader(io.StringIO(text, newline="")))
    header = [unicodedata.normalize("NFC", h.strip()) for h in (reader[0] if reader else [])]
    return header, list(enumerate(reader[1:], start=2)), lambda r, c: SourceLocation(name, r, c)


def _from_table(path: Path, year: int | None, *, with_decision: bool) -> tuple[list[Any], list[dict[str, Any]]]:
    """Conferrals of a table (``with_decision``: also each row's decision, issued_by, date)."""
    from emulation_rules.facts.conferred import Conferral
    from emulation_rules.facts.history import read_history

    header, rows, loc = _rows(path)
    allowed = IMPORT_COLUMNS if with_decision else TABLE_COLUMNS
    needed = ("subject", "title", *(("decision", "issued_by", "date", "year") if with_decision else ()))
    problems = [Problem("unknown-column", f"unknown column {h!r}; columns: {', '.join(allowed)}", (h,), loc(1, i))
                for i, h in enumerate(header, start=1) if h not in allowed]
    problems += [Problem("missing-key", f"the table needs a column {k!r}", (), loc(1, 1))
                 for k in needed if k not in header]
    if problems:
        raise FactsError(problems)
    conferrals, meta = [], []
    col = {h: i for i, h in enumerate(header, start=1)}
    for row_no, cells in rows:
        values = {h: (str(cells[i]).strip() if i < len(cells) and cells[i] is not None else "")
                  for i, h in enumerate(header)}
        if not any(values.values()):
            continue
        if isinstance(cells, list) and "year" in header:  # spreadsheets give years as 2024.0
            values["year"] = values["year"].removesuffix(".0")
        def problem(code: ProblemCode, message: str, where: tuple[PathItem, ...], hint: str | None,
                    row: int = row_no) -> Problem:
            key = next((p for p in reversed(where) if isinstance(p, str) and p in col), "subject")
            return Problem(code, message, where, loc(row, col.get(key, 1)), hint)

        entry = {"title": values.get("title") or None, "year": values.get("year") or year}
        found: list[Problem] = []
        held = read_history([entry], (), problem, found)
        if not values.get("subject"):
            found.append(problem("missing-key", "a row needs a subject", ("subject",), None))
        extra: dict[str, Any] = {}
        if with_decision:
            for k in ("decision", "issued_by"):
                if not values.get(k):
                    found.append(problem("missing-key", f"a row needs {k!r}", (k,), None))
            try:
                extra = {"decision": values.get("decision"), "issued_by": values.get("issued_by"),
                         "date": dt.date.fromisoformat(values.get("date", "")[:10])}
            except ValueError:
                found.append(problem("invalid-value", f"date {values.get('date')!r} is not YYYY-MM-DD", ("date",),
                                     None))
        problems.extend(found)
        if found or not held:
            continue
        conferrals.append(Conferral(unicodedata.normalize("NFC", values["subject"]), held[0].title, held[0].year,
                                    values.get("name") or None))
        meta.append(extra)
    if problems:
        raise FactsError(problems)
    return conferrals, meta


def _import(store: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from emulation_rules.facts.conferred import Decision

    conferrals, meta = _from_table(args.table, None, with_decision=True)
    groups: dict[tuple[str, str], tuple[dt.date, list[Any]]] = {}
    for c, m in zip(conferrals, meta, strict=True):
        key = (unicodedata.normalize("NFC", m["issued_by"]), unicodedata.normalize("NFC", m["decision"]))
        groups.setdefault(key, (m["date"], []))[1].append(c)
    decisions = [Decision(number, day, body, tuple(items), origin=str(args.table))
                 for (body, number), (day, items) in groups.items()]
    store.add_all(decisions)
    out.write(f"imported {len(decisions)} decision(s), {len(conferrals)} title(s)\n")
    return 0


def _export(store: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    rows = [[e.number, e.date.isoformat(), e.issued_by, e.kind, e.revokes or "", c.subject, c.name or "", c.title,
             c.year] for e in store.entries() for c in e.conferrals]
    target: Path = args.output
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        err.write(f"--output must end in .csv or .xlsx: {target}\n")
        return 2

    def write(tmp: Path) -> None:
        if suffix == ".csv":
            import csv

            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                w = csv.writer(handle, lineterminator="\n")
                w.writerow(EXPORT_COLUMNS)
                w.writerows(rows)
            return
        try:
            import openpyxl
        except ImportError:
            raise FactsError([Problem("missing-extra", "writing .xlsx needs openpyxl: pip install "
                                      "'emulation-rules[xlsx]'")]) from None
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Sổ khen thưởng"
        sheet.append(list(EXPORT_HEAD_VI))
        for row in rows:
            sheet.append(row)
        book.save(tmp)

    _atomic(target, write)
    out.write(f"wrote {len(rows)} row(s) to {target}\n")
    return 0


def _atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """Write ``path`` whole or not at all (:func:`emulation_rules.writing.replacing`)."""
    with replacing(path) as tmp:
        write(tmp)


def _history(store: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    subject = unicodedata.normalize("NFC", args.subject.strip())
    held = store.history(subject)
    if args.format == "json":
        out.write(json.dumps({"subject": subject, "history": [
            {"title": h.title, "year": h.year, "decided_by": h.decided_by, "decision": h.decision} for h in held]},
            ensure_ascii=False, indent=2) + "\n")
        return 0
    if not held:
        out.write(f"{subject}: no title in the register\n")
    for h in held:
        out.write(f"{subject}  {h.year}  {h.title}  ({h.decision}, {h.decided_by})\n")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "register": cmd_register,
    "dossier": cmd_dossier,
}
