"""What ``validate`` reports besides problems: rules resting on a document not in force on the review
date (:mod:`emulation_rules.campaign.force`: located warnings, a refusal with ``--strict``, also for
``evaluate`` and ``explain``), and with ``--verbose`` the figure check's summary."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.force import force_problems, review_days
from emulation_rules.campaign.money import plain_number
from emulation_rules.campaign.reading import STDIN
from emulation_rules.campaign.safe_yaml import SourceMap, parse_yaml
from emulation_rules.campaign.shipped import shipped_campaign_path
from emulation_rules.campaign.sources import source_map_of
from emulation_rules.errors import PathItem, Problem, SourceLocation

__all__ = ["STRICT_HELP", "evaluation_force", "figures_verbose", "validate_force"]

STRICT_HELP = ("refuse (exit 1) when a rule cites a document not in force on the review date "
               "(documents' in_force); without it, a located warning")


def _located(path: str | Path, campaign: m.Campaign, days: Mapping[str, dt.date]) -> list[Problem]:
    if not force_problems(campaign, days):  # the usual case: nothing to locate
        return []
    path = shipped_campaign_path(path) or path  # a shipped campaign's id: its file
    smap = source_map_of(campaign)  # kept by the loader, also for a campaign read from the cache
    named = "<stdin>" if os.fspath(path) == STDIN else str(Path(path))  # as the loader names it
    if smap is None:
        try:
            smap = parse_yaml(Path(path).read_bytes(), file=str(path))[1]
        except (OSError, ValueError):  # pragma: no cover - the file was just loaded
            return force_problems(campaign, days)
    elif smap.file != named:  # the cache's names another file of the same bytes: located in this one
        return force_problems(campaign, days, _in_file(smap, str(path)))
    return force_problems(campaign, days, smap.locate)


def _in_file(smap: SourceMap, file: str) -> Callable[[tuple[PathItem, ...]], SourceLocation | None]:
    """``smap.locate`` for another file of the same bytes: the same lines and columns, named as
    parsing ``file`` would name them (not parsed again)."""

    def locate(path: tuple[PathItem, ...]) -> SourceLocation | None:
        found = smap.locate(path)
        return None if found is None else replace(found, file=file)

    return locate


def validate_force(name: str, campaign: m.Campaign, entry: dict[str, Any], out: TextIO, *,
                   text: bool, strict: bool) -> bool:
    """Warn (or, ``strict``, refuse) for each rule citing a document not in force at the end of a
    phase. Returns True when the file is refused."""
    problems = _located(name, campaign, review_days(campaign))
    if not problems:
        return False
    entry["warnings"] = [p.to_dict() for p in problems]
    if strict:
        entry["ok"] = False
    if text:  # written in English, in Vietnamese through the command's stream (messages.py)
        word = "error" if strict else "warning"
        for p in problems:
            out.write(f"{word}: {p}\n")
    return strict


def evaluation_force(args: argparse.Namespace, campaign: m.Campaign, evaluation: Any, err: TextIO) -> bool:
    """Warn on ``err`` (or, with ``--strict``, refuse) for each rule citing a document not in force
    on the evaluation's review date (else the judged phase's last day). Returns True when refused."""
    day = evaluation.as_of
    if day is None:
        phase = campaign.phase_named(evaluation.phase)
        day = (phase.end or phase.start) if phase is not None else None
    if day is None:
        return False
    problems = _located(args.campaign, campaign, {evaluation.phase or "review": day})
    strict = bool(getattr(args, "strict", False))
    word = "error" if strict else "warning"
    for p in problems:
        err.write(f"{word}: {p}\n")
    return strict and bool(problems)


def figures_verbose(c: m.Campaign, name: str, entry: dict[str, Any], out: TextIO, *,
                    text: bool) -> None:
    """``validate --verbose``: the figure check's summary and the figures declared derived."""
    from emulation_rules.campaign.figures import DocumentTexts, check_figures
    from emulation_rules.errors import format_path

    fig = check_figures(c, None, DocumentTexts(Path(name).resolve().parent))
    derived = [{"path": format_path(f.path),
                "value": f.value.isoformat() if isinstance(f.value, dt.date) else plain_number(f.value),
                "kind": f.kind, "cites": f.source.cite(), "derived": f.derived} for f in fig.derived]
    entry["figures"] = {"checked": fig.checked, "found": fig.found, "derived": derived,
                        "texts_found": sorted(fig.texts), "texts_missing": fig.missing,
                        "note": fig.note}
    if text:
        out.write(f"  {fig.note}\n")
        for d in derived:
            out.write(f"  derived {d['path']} = {d['value']} ({d['cites']}): {d['derived']}\n")
