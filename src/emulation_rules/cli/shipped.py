"""The shipped campaigns on the command line: ``emulation-rules campaigns`` lists them (id,
title, years, documents and whether their texts are there), ``emulation-rules example ID --dir
DIR`` writes a campaign's example facts and its blank submission form, ready for
``evaluate ID --facts DIR/facts.yaml`` (:mod:`emulation_rules.campaign.shipped`).

Exit codes: 0 done; 1 a shipped campaign does not load (a broken installation); 2 bad usage (an
unknown id, existing files without ``--force``, a directory that cannot be written).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from emulation_rules.campaign.opening import load_campaign
from emulation_rules.campaign.shapes import Campaign
from emulation_rules.campaign.shipped import is_campaign_id, shipped_campaigns, shipped_example_dir, shipped_root
from emulation_rules.errors import CampaignError, did_you_mean

__all__ = ["SHIPPED_COMMANDS", "add_shipped_commands", "case_paths"]

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT = 0, 1, 2

_WORDS: dict[str, dict[str, str]] = {
    "vi": {"id": "Mã", "title": "Tên phong trào", "years": "Năm", "documents": "Văn bản", "yearly": "hằng năm",
           "none": "không có phong trào nào đi kèm bản cài này",
           "unknown": "không có phong trào đi kèm mã {id!r}; các mã: {ids}",
           "exists": "{files} đã có; chọn thư mục khác hoặc thêm --force để ghi đè",
           "no_example": "phong trào {id!r} không có dữ liệu mẫu",
           "wrote": "đã ghi {files}",
           "next": "tiếp theo: emulation-rules evaluate {id} --facts {facts}",
           "cannot": "không ghi được {path}: {why}"},
    "en": {"id": "Id", "title": "Campaign", "years": "Years", "documents": "Documents", "yearly": "yearly",
           "none": "no campaign is shipped with this installation",
           "unknown": "no shipped campaign {id!r}; the ids: {ids}",
           "exists": "{files} already exist; choose another directory or pass --force to overwrite",
           "no_example": "campaign {id!r} has no example facts",
           "wrote": "wrote {files}",
           "next": "next: emulation-rules evaluate {id} --facts {facts}",
           "cannot": "cannot write {path}: {why}"},
}


_TEXT_STATUS = {
    "vi": {"checked": "có văn bản", "not-found": "thiếu văn bản", "unreadable": "không đọc được",
           "mismatch": "khác phiên bản", "not-looked-up": "chưa tra", None: "trích theo điều, khoản"},
    "en": {"checked": "text found", "not-found": "text missing", "unreadable": "text unreadable",
           "mismatch": "other version", "not-looked-up": "not looked up", None: "cited by article"},
}


def add_shipped_commands(sub: Any, stderr: TextIO | None) -> None:
    """Register ``campaigns`` and ``example`` on ``sub`` (argparse sub-parsers)."""
    c = sub.add_parser(
        "campaigns",
        help="list the shipped campaigns: id, title, years, documents",
        description="List the campaigns shipped with the package: their id (usable wherever a "
        "CAMPAIGN file is asked for), title, years and the documents they cite, with whether "
        "each document's text is there to check the cited lines.",
        stderr=stderr,
    )
    c.add_argument("--format", choices=("table", "json"), default="table")
    c.add_argument("--lang", choices=("vi", "en"), default="vi", help="vi (default) or en")
    e = sub.add_parser(
        "example",
        help="write a shipped campaign's example facts and its blank form into a directory",
        description="Write the example facts of a shipped campaign (facts.yaml, and any CSV "
        "or README of the example) and its blank submission form (form.xlsx) into DIR; each "
        "file is written whole or not at all. Then: emulation-rules evaluate ID --facts "
        "DIR/facts.yaml.",
        stderr=stderr,
    )
    e.add_argument("id", metavar="ID", help="shipped campaign id (see: emulation-rules campaigns)")
    e.add_argument("--dir", type=Path, default=Path("."), metavar="DIR",
                   help="where to write (default: the current directory; created if needed)")
    e.add_argument("--force", action="store_true", help="overwrite existing files")
    e.add_argument("--lang", choices=("vi", "en"), default="vi", help="vi (default) or en")


def _years(c: Campaign) -> tuple[int, int | None] | None:
    phases = getattr(c, "phases", ()) or ()
    if not phases:
        return None
    first = min(p.start.year for p in phases)
    ends = [p.end.year for p in phases if p.end is not None]
    return first, (max(ends) if ends and len(ends) == len(phases) else None)


def _entry(cid: str, path: Path) -> dict[str, Any]:
    c = load_campaign(path)
    years = _years(c)
    return {
        "id": cid,
        "title": {"vi": c.title.vi, "en": c.title.en},
        "years": list(years) if years else None,
        "standing": not c.phases and c.review_year is not None,  # reviewed every year, no phases
        "documents": [{"id": d.id, "kind": d.kind, "name": d.citation_name(), "number": d.number,
                       "date": d.date.isoformat() if d.date else None, "text": d.text,
                       "text_status": d.text_status, "sha256": d.sha256} for d in c.documents],
        "example": shipped_example_dir(cid) is not None,
        "file": str(path),
    }


def cmd_campaigns(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the shipped campaigns; exit 1 when one of them does not load."""
    w = _WORDS[args.lang]
    found = shipped_campaigns()
    if not found:
        err.write(w["none"] + "\n")
        return EXIT_PROBLEMS
    entries, bad = [], 0
    for cid, path in found.items():
        try:
            entries.append(_entry(cid, path))
        except CampaignError as exc:
            bad += 1
            err.write(f"{exc}\n")
    if args.format == "json":
        out.write(json.dumps(entries, ensure_ascii=False, indent=2) + "\n")
        return EXIT_PROBLEMS if bad else EXIT_OK
    rows = [(w["id"], w["years"], w["title"])]
    docs = [""]
    for e in entries:
        y = e["years"]
        years = "" if y is None else (f"{y[0]}" if y[1] in (None, y[0]) else f"{y[0]}-{y[1]}")
        years = w["yearly"] if e["standing"] else years
        rows.append((e["id"], years, e["title"][args.lang]))
        docs.append("; ".join(f"{d['name']} ({_TEXT_STATUS[args.lang][d['text_status'] if d['text'] else None]})"
                              for d in e["documents"]))
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    for n, r in enumerate(rows):
        out.write(f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}\n")
        if n == 0:
            out.write(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * len(r[2])}\n")
        else:
            out.write(f"{' ' * (widths[0] + 2)}{w['documents']}: {docs[n]}\n")
    return EXIT_PROBLEMS if bad else EXIT_OK


def _atomic(target: Path, write: Callable[[Path], object]) -> None:
    """Write ``target`` through a temporary file beside it, renamed into place when whole."""
    import tempfile  # here: a cold start of every other command skips it

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary file, not mkstemp's 0600
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cmd_example(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write the example; exit 2 for an unknown id or existing files (without ``--force``)."""
    from emulation_rules.authoring.forms import write_form

    w = _WORDS[args.lang]
    found = shipped_campaigns()
    if args.id not in found:
        hint = did_you_mean(args.id, list(found))
        err.write(w["unknown"].format(id=args.id, ids=", ".join(found)) + (f" ({hint})" if hint else "") + "\n")
        return EXIT_INPUT
    source = shipped_example_dir(args.id)
    if source is None:
        err.write(w["no_example"].format(id=args.id) + "\n")
        return EXIT_INPUT
    files = sorted(p for p in source.iterdir() if p.is_file() and p.suffix in (".yaml", ".json", ".csv", ".md"))
    directory: Path = args.dir
    targets = [directory / p.name for p in files] + [directory / "form.xlsx"]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not args.force:
        err.write(w["exists"].format(files=", ".join(existing)) + "\n")
        return EXIT_INPUT
    campaign = load_campaign(found[args.id])
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for src, dest in zip(files, targets, strict=False):
            data = src.read_bytes()
            _atomic(dest, lambda tmp, data=data: tmp.write_bytes(data))  # type: ignore[misc]
        _atomic(targets[-1], lambda tmp: write_form(campaign, tmp))
    except OSError as exc:
        err.write(w["cannot"].format(path=exc.filename or directory, why=exc.strerror or exc) + "\n")
        return EXIT_INPUT
    out.write(w["wrote"].format(files=", ".join(map(str, targets))) + "\n")
    facts = next((t for t in targets if t.name.startswith("facts.")), targets[0])
    out.write(w["next"].format(id=args.id, facts=facts) + "\n")
    return EXIT_OK


def case_paths(paths: list[str]) -> list[str]:
    """``test`` paths, with a shipped campaign's id standing for its shipped case file (a path
    that exists as written is never taken for an id)."""
    root = shipped_root()
    out = []
    for p in paths:
        cases = root / "campaigns" / "cases" / f"{p}.yaml" if root is not None else None
        out.append(str(cases) if cases is not None and is_campaign_id(p) and not Path(p).exists()
                   and cases.is_file() else p)
    return out


SHIPPED_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "campaigns": cmd_campaigns,
    "example": cmd_example,
}
