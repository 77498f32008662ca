"""``evaluate --reviewed FILE``: the self-assessment beside the upper level's review.

The submission is evaluated as the unit assessed itself and again with the reviewer's
corrections (:mod:`emulation_rules.facts.corrections`); the reviewed evaluation is the result
(table, JSON, CSV, xlsx, HTML), and the table and the JSON add the review
(:mod:`emulation_rules.results.review`): both verdicts, points and bands per award, every
corrected fact with both values and the note, every criterion that changed. The xlsx and HTML
reports show the same review in their own tables (``cli/sheets.py``,
:mod:`emulation_rules.results.review_report`).
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

__all__ = ["evaluate_reviewed"]


def evaluate_reviewed(args: argparse.Namespace, out: TextIO, err: TextIO) -> tuple[Any, str | None]:
    """``(reviewed evaluation, the review as text or None)``; the JSON form is attached to the
    evaluation's output by :func:`render`.

    Raises:
        FactsError: bad facts or corrections (located).
    """
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.cli.submission import facts_of
    from emulation_rules.engine import Engine
    from emulation_rules.facts.corrections import apply_corrections, load_corrections
    from emulation_rules.results.review import compare

    campaign = load_campaign(args.campaign)
    engine = Engine(campaign, params=dict(args.param), backend=args.backend)
    submission = facts_of(args, campaign, err)  # --register read there
    corrections = load_corrections(args.reviewed, campaign, submission)
    assessed = engine.evaluate(submission, as_of=args.as_of, phase=args.phase)
    reviewed = engine.evaluate(apply_corrections(submission, corrections), as_of=args.as_of, phase=args.phase)
    return reviewed, compare(campaign, assessed, reviewed, submission, corrections)  # type: ignore[return-value]


def render(args: argparse.Namespace, evaluation: Any, reviews: Any) -> str:
    """The reviewed evaluation in ``args.format`` with the review beside it (table, JSON)."""
    from emulation_rules.campaign.opening import load_campaign
    from emulation_rules.results.render import render_csv, render_table
    from emulation_rules.results.review import render_review, review_dict
    from emulation_rules.results.words import VERDICTS

    fmt = args.format or "table"
    if fmt == "json":
        data = evaluation.to_dict()
        data["review"] = review_dict(reviews)
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    campaign = load_campaign(args.campaign)
    if fmt == "csv":
        return str(render_csv(evaluation, campaign))
    words = {code: (en if args.lang == "en" else vi.lower()) for code, (vi, en) in VERDICTS.items()}
    return str(render_table(evaluation, lang=args.lang, ids=args.ids, campaign=campaign)) + "\n" + render_review(
        reviews, lang=args.lang, verdict_words=words)
