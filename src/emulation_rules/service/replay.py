"""Replaying a logged decision (``emulation-rules replay``): the same request run again on the
campaign served now, and whether the answer and the verdicts are the same (:mod:`.work` for
evaluations, targets and initiatives, :mod:`.review` for reviews)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulation_rules.engine import Engine
from emulation_rules.service.decisions import DecisionRecord
from emulation_rules.service.registry import Served
from emulation_rules.service.review import review_document, review_verdicts
from emulation_rules.service.work import (
    Options,
    dumps,
    evaluation_document,
    evaluation_verdicts,
    initiatives_document,
    parse_params,
    parse_submission,
    targets_document,
)

__all__ = ["ReplayResult", "replay"]


@dataclass(frozen=True)
class ReplayResult:
    """The outcome of replaying one logged decision.

    Attributes:
        identical: the result document hashes to the logged ``result_sha256``.
        same_verdicts: the verdicts equal the logged ones.
        verdicts: the verdicts computed now.
        differences: ``(key, logged, now)`` for each verdict that changed.
    """

    identical: bool
    same_verdicts: bool
    verdicts: Any
    differences: tuple[tuple[str, Any, Any], ...]


def replay(record: DecisionRecord, served: Served) -> ReplayResult:
    """Re-evaluate a logged submission against ``served`` (same content hash expected).

    Raises:
        ServiceProblem: the submission no longer validates, or bad logged options.
        ValueError: the decision was logged without its facts.
        EngineUnavailableError: the logged backend cannot load here.
    """
    if record.facts is None:
        raise ValueError(
            f"decision {record.id} was logged without its facts "
            "(start the service with --log-facts to replay decisions)"
        )
    body = record.facts.encode("utf-8")
    campaign = served.campaign
    opts = Options.from_dict(record.options)
    if record.kind in ("evaluation", "review"):
        engine = Engine(
            campaign, params=parse_params(campaign, opts.params),
            backend=record.backend if record.backend in ("durable", "python") else "auto",  # type: ignore[arg-type]
        )
    if record.kind == "review":  # the submission and the upper level's corrections (.review)
        doc = review_document(engine, body, opts, max_subjects=2**63)
        verdicts: Any = review_verdicts(doc)
        digest = hashlib.sha256(dumps(doc)).hexdigest()
        diffs = tuple(_diff("", record.verdicts, verdicts))
        return ReplayResult(digest == record.result_sha256, not diffs, verdicts, diffs)
    submission = parse_submission(campaign, body, max_subjects=2**63)
    if record.kind == "evaluation":
        doc = evaluation_document(engine, submission, opts)
        verdicts = evaluation_verdicts(doc)
    elif record.kind == "targets":
        doc = targets_document(campaign, submission, opts)
        verdicts = {f"{t['target']}@{t['phase']}": t["status"] for t in doc["targets"]}
    else:
        doc = initiatives_document(campaign, submission)
        verdicts = {i["id"]: i["status"] for i in doc["initiatives"]}
    digest = hashlib.sha256(dumps(doc)).hexdigest()
    diffs = tuple(_diff("", record.verdicts, verdicts))
    return ReplayResult(digest == record.result_sha256, not diffs, verdicts, diffs)


def _diff(prefix: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: list[tuple[str, Any, Any]] = []
        for key in sorted(set(old) | set(new)):
            out += _diff(f"{prefix}/{key}" if prefix else str(key), old.get(key), new.get(key))
        return out
    return [] if old == new else [(prefix, old, new)]
