"""Results of an evaluation, the same whatever backend produced them (rendering: results.render).

Shapes (all frozen dataclasses)::

    Evaluation
      campaign_id, as_of, phase, params
      subjects: (SubjectResult, ...)
        subject_id, kind, level | role, name, unit
        awards: (AwardResult, ...)
          award_id, label, verdict, missing_facts, points, max_points, band
          criteria: (CriterionResult, ...)
            criterion_id, label (vi/en), text_vi, status, values, missing, threshold, source

Verdicts: ``awarded`` (every criterion passes), ``not_awarded`` (at least one fails),
``incomplete`` (none fails, at least one cannot be decided for missing facts, which are listed),
``not_eligible`` (the subject's level or role cannot receive the award), ``not_proposed`` (the
award requires a proposal and the submission does not propose the subject: not judged,
:mod:`.cycle`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Any, Literal, TypeVar

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.memo import kept_for, kept_for_pair
from emulation_rules.facts.asof import LaterCounts
from emulation_rules.frozen import frozen

Status = Literal["pass", "fail", "unknown"]
VerdictKind = Literal["awarded", "not_awarded", "incomplete", "not_eligible", "not_proposed"]
JSON_FORMAT_VERSION = 1


@frozen
class CriterionResult:
    """One criterion's outcome for one subject.

    Attributes:
        status: ``pass``, ``fail`` or ``unknown`` (a fact it reads is missing).
        values: the fact values used (records facts as their pre-aggregated count).
        missing: facts it reads that were not submitted.
        threshold: the condition in words, e.g. ``union_rating ≥ strong``.
        source: the plan clause cited.
    """

    criterion_id: str
    label: m.Text
    text_vi: str
    status: Status
    values: Mapping[str, Any]
    missing: tuple[str, ...]
    threshold: str
    source: m.Source
    reviewer_judgement: bool = False


def criterion_result(
    criterion_id: str,
    label: m.Text,
    text_vi: str,
    status: Status,
    values: Mapping[str, Any],
    missing: tuple[str, ...],
    threshold: str,
    source: m.Source,
    reviewer_judgement: bool = False,
) -> CriterionResult:
    """A :class:`CriterionResult` built without the frozen-dataclass guard on each field.

    Evaluators build several per subject and award; this is the same object (equal, hashable,
    immutable afterwards) at about a third of the cost of the generated ``__init__``.
    """
    obj = object.__new__(CriterionResult)
    obj.__dict__.update(
        criterion_id=criterion_id, label=label, text_vi=text_vi, status=status, values=values,
        missing=missing, threshold=threshold, source=source, reviewer_judgement=reviewer_judgement)
    return obj


@frozen
class AwardResult:
    """One award's verdict for one subject, with the reasons."""

    award_id: str
    label: m.Text
    verdict: VerdictKind
    criteria: tuple[CriterionResult, ...] = ()
    missing_facts: tuple[str, ...] = ()
    points: float | None = None
    max_points: float | None = None
    band: str | None = None
    reason: str | None = None


def award_result(award_id: str, label: m.Text, verdict: VerdictKind, criteria: tuple[CriterionResult, ...] = (),
                 missing_facts: tuple[str, ...] = (), points: float | None = None, max_points: float | None = None,
                 band: str | None = None, reason: str | None = None) -> AwardResult:
    """An :class:`AwardResult` built as :func:`criterion_result` builds a criterion's (the same object)."""
    obj = object.__new__(AwardResult)
    obj.__dict__.update(award_id=award_id, label=label, verdict=verdict, criteria=criteria,
                        missing_facts=missing_facts, points=points, max_points=max_points, band=band, reason=reason)
    return obj


@frozen
class SubjectResult:
    """All award results of one subject."""

    subject_id: str
    kind: str
    level: str | None
    role: str | None
    name: str | None
    unit: str | None
    awards: tuple[AwardResult, ...]

    def award(self, award_id: str) -> AwardResult:
        """The result for ``award_id``.

        Raises:
            KeyError: the award does not apply to this subject.
        """
        for a in self.awards:
            if a.award_id == award_id:
                return a
        raise KeyError(award_id)


def subject_result(subject: Any, awards: tuple[AwardResult, ...]) -> SubjectResult:
    """The :class:`SubjectResult` of ``subject`` (a validated subject: its id, kind, level, role,
    name and unit) with ``awards``, built as :func:`criterion_result` builds a criterion's."""
    obj = object.__new__(SubjectResult)
    obj.__dict__.update(subject_id=subject.id, kind=subject.kind, level=subject.level, role=subject.role,
                        name=subject.name, unit=subject.unit, awards=awards)
    return obj


@frozen
class Evaluation:
    """The result of evaluating a submission against a campaign."""

    campaign_id: str
    as_of: dt.date | None
    phase: str | None
    params: Mapping[str, float]
    subjects: tuple[SubjectResult, ...]
    rejected: tuple[Any, ...] = field(default=())
    quotas: tuple[Any, ...] = field(default=())
    """Quota results (:class:`~emulation_rules.results.quotas.QuotaResult`) over these verdicts."""
    backend: str | None = field(default=None, compare=False)
    """The backend that produced the verdicts (``durable``, ``python`` or ``polars``); never
    part of equality, since every backend must give the same results."""
    later: LaterCounts = field(default_factory=LaterCounts)
    """Dated records left out because they are dated after the review date
    (:mod:`emulation_rules.facts.asof`)."""
    defects: tuple[m.Defect, ...] = ()
    """The campaign's recorded defects of the plan text; each criterion shows those standing
    on its cited lines (:func:`defects_at`)."""
    documents: tuple[Any, ...] = ()
    """The documents each award's and quota's verdicts rest on, with their force on the review
    date (:class:`~emulation_rules.results.documents.RestsOn`)."""

    def subject(self, subject_id: str) -> SubjectResult:
        """The result for ``subject_id``.

        Raises:
            KeyError: no such subject.
        """
        for s in self.subjects:
            if s.subject_id == subject_id:
                return s
        raise KeyError(subject_id)

    def verdicts(self) -> dict[tuple[str, str], str]:
        """``{(subject id, award id): verdict}``, handy for tests and diffs."""
        return {(s.subject_id, a.award_id): a.verdict for s in self.subjects for a in s.awards}

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON-ready form (``format_version`` 1); keys never depend on the data."""
        cited = kept_for(self.defects, _citations)
        return {
            "format_version": JSON_FORMAT_VERSION,
            "campaign": self.campaign_id,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "phase": self.phase,
            "backend": self.backend,
            "params": dict(sorted(self.params.items())),
            "subjects": [_subject_dict(s, cited, self.defects) for s in self.subjects],
            "rejected": [p.to_dict() for p in self.rejected],
            "quotas": [q.to_dict() for q in self.quotas],
            "left_out_later": {"records": dict(sorted(self.later.records.items())),
                               "initiatives": self.later.initiatives},
            "defects": [{**d, "lines": list(d["lines"])} for d in kept_for(self.defects, _defect_dicts)],
            "documents": [d.to_dict() for d in self.documents],
        }


_Result = TypeVar("_Result", "Evaluation", "SubjectResult", "AwardResult", "CriterionResult")


def amended(obj: _Result, **changes: Any) -> _Result:
    """``dataclasses.replace(obj, **changes)`` for a result (:class:`Evaluation`, :class:`SubjectResult`,
    :class:`AwardResult`, :class:`CriterionResult`): the same object, without the generic function's walk
    over the fields and call of ``__init__`` (every request's evaluation is amended three times).

    Raises:
        TypeError: a change names no field of the object's class (``dataclasses.replace``'s own).
    """
    fields = type(obj).__dataclass_fields__
    if not all(name in fields for name in changes):
        return dataclasses.replace(obj, **changes)  # its TypeError
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


def combine(statuses: list[Status]) -> VerdictKind:
    """Verdict from criterion statuses: any fail -> not_awarded; else any unknown -> incomplete."""
    if "fail" in statuses:
        return "not_awarded"
    if "unknown" in statuses:
        return "incomplete"
    return "awarded"


ScoredItem = tuple[m.ScoreItem, tuple[str, ...], bool | None]
"""One score-sheet item as a backend judged it: the item, the facts it lacks, and whether its
condition holds (``None`` for a points-fact item, or when facts are lacking)."""


def score_sheet_result(sheet: m.ScoreSheet, facts: Mapping[str, Any], scored: Iterable[ScoredItem]
                       ) -> tuple[float | None, str | None, CriterionResult]:
    """Total, band and the ``score_sheet`` criterion of a score sheet (bảng chấm điểm).

    Each item scores ``max_points`` when its condition holds (else 0) or its points fact clamped
    to ``[0, max_points]``; the band is the highest whose ``min_points`` the total reaches; the
    criterion is ``unknown`` when an item lacks a fact, ``fail`` when an item is below
    ``item_floor_fraction`` of its max or the band is below ``pass_band``, else ``pass``.

    Args:
        sheet: the award's score sheet.
        facts: the subject's facts (points facts are read here).
        scored: per item, in sheet order, what the backend judged (:data:`ScoredItem`).

    Returns:
        ``(total points or None when a fact is lacking, band id or None, the criterion)``.
    """
    total = 0.0
    missing: list[str] = []
    values: dict[str, Any] = {}
    below: list[str] = []
    for item, lacking, held in scored:
        if lacking:
            missing.extend(lacking)
            continue
        if item.condition is not None:
            got = item.max_points if held else 0.0
        else:
            got = min(max(float(facts[item.points_fact]), 0.0), item.max_points)  # type: ignore[index]
        values[item.id] = got
        total += got
        if sheet.item_floor_fraction is not None and got < sheet.item_floor_fraction * item.max_points:
            below.append(item.id)
    lacking_all = tuple(dict.fromkeys(missing))
    band: str | None = None
    if not lacking_all:
        reached = [b for b in sheet.bands if total >= b.min_points]
        band = reached[-1].id if reached else None
    status: Status
    if lacking_all:
        status = "unknown"
    elif below:
        status = "fail"
    elif sheet.pass_band is not None:
        order = [b.id for b in sheet.bands]
        status = "pass" if band is not None and order.index(band) >= order.index(sheet.pass_band) else "fail"
    else:
        status = "pass"
    if below:
        values["below_floor"] = ", ".join(below)
    threshold = f"total points → band{' ≥ ' + sheet.pass_band if sheet.pass_band else ''}"
    if sheet.item_floor_fraction is not None:
        threshold += f"; every item ≥ {sheet.item_floor_fraction:g} × its max"  # noqa: RUF001
    result = CriterionResult("score_sheet", m.Text.new(vi="Bảng chấm điểm", en="Score sheet"), "",
                             status, values, lacking_all, threshold, sheet.source)
    return (None if lacking_all else total), band, result


_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types :func:`jsonable` gives back as they are, told by one look-up (most values are these)."""


def jsonable(value: Any) -> Any:
    """``value`` with dates as ISO text and tuples as lists, ready for JSON (mappings and
    sequences walked; anything else as is)."""
    if type(value) in _PLAIN:
        return value
    if type(value) is dict:  # a criterion's values: before the slower checks below
        return {k: v if type(v) in _PLAIN else jsonable(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: v if type(v) in _PLAIN else jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _PLAIN else jsonable(v) for v in value]
    return value


def defects_at(defects: tuple[m.Defect, ...], source: m.Source) -> tuple[m.Defect, ...]:
    """The recorded defects standing on the lines ``source`` cites, in the same document.

    Remembered per campaign (its ``defects`` tuple and the criterion's ``source`` object:
    :func:`~emulation_rules.campaign.memo.kept_for_pair`): the answer depends on no facts, and
    computing it for every criterion of every subject cost a quarter of a served evaluation.
    """
    if not defects:
        return ()
    found: tuple[m.Defect, ...] = kept_for_pair(defects, source, _defects_at)
    return found


def _defects_at(defects: tuple[m.Defect, ...], source: m.Source) -> tuple[m.Defect, ...]:
    return tuple(d for d in defects if d.stands_on(source))


def source_dict(src: m.Source) -> dict[str, Any]:
    """JSON-ready form of a citation: ``{"doc", "article", "clause", "point", "section",
    "lines" ([first, last] or null), "lines_checked" (false when the document's text was not
    there to check them; null without lines), "cite" (the citation in words)}``. Built once per
    citation of the loaded campaign (a fresh copy each call)."""
    return _fresh(kept_for(src, _source_dict))


def _fresh(built: dict[str, Any]) -> dict[str, Any]:
    """A copy of a kept citation dict that the caller may change (its list of lines too)."""
    lines = built["lines"]
    return {**built, "lines": None if lines is None else list(lines)}


def _source_dict(src: m.Source) -> dict[str, Any]:
    return {
        "doc": src.doc, "article": src.article, "clause": src.clause, "point": src.point,
        "section": src.section, "lines": list(src.lines) if src.lines is not None else None,
        "lines_checked": src.lines_checked, "cite": src.cite(),
    }


def defect_dict(d: m.Defect) -> dict[str, Any]:
    """JSON-ready form of a recorded defect: id, the lines it stands on, its citations in
    words (``cites``), the text and the resolution. Built once per defect of the loaded campaign
    (a fresh copy each call)."""
    built = kept_for(d, _defect_dict)
    return {**built, "lines": list(built["lines"])}


def _defect_dict(d: m.Defect) -> dict[str, Any]:
    return {"id": d.id, "lines": list(d.lines), "cite": m.cite_many(d.sources),
            "text": d.text, "resolution": d.resolution}


def _defect_dicts(defects: tuple[m.Defect, ...]) -> tuple[dict[str, Any], ...]:
    return tuple(kept_for(d, _defect_dict) for d in defects)


_Citations = dict[int, tuple[m.Source, dict[str, Any], tuple[str, ...]]]


def _citations(defects: tuple[m.Defect, ...]) -> _Citations:
    """The table of citations of the criteria an evaluation with ``defects`` shows, kept per
    campaign (its defects tuple; :func:`_citation` fills it)."""
    return {}


def _citation(cited: _Citations, source: m.Source, defects: tuple[m.Defect, ...]
              ) -> tuple[m.Source, dict[str, Any], tuple[str, ...]]:
    """A criterion's source as :func:`source_dict` builds it (not to be changed: copy it) and the ids of
    the defects standing on it (:func:`defects_at`), kept in ``cited`` by the source: both depend on
    the campaign only. The entry holds the source, so that its id stays its own."""
    if len(cited) >= MAX_CITED:
        cited.clear()
    found = cited[id(source)] = (source, kept_for(source, _source_dict),
                                 tuple(d.id for d in defects_at(defects, source)))
    return found


MAX_CITED = 4096
"""Most citations a table of :func:`_citations` holds (all forgotten when full; the table of a
campaign without defects is the one of every such campaign)."""


def _subject_dict(s: SubjectResult, cited: _Citations, defects: tuple[m.Defect, ...]) -> dict[str, Any]:
    awards = []
    for a in s.awards:
        criteria = []
        for c in a.criteria:  # written out here: the dict every evaluation writes most often
            src = c.source
            hit = cited.get(id(src))
            if hit is None or hit[0] is not src:
                hit = _citation(cited, src, defects)
            source = hit[1].copy()
            if source["lines"] is not None:
                source["lines"] = source["lines"][:]
            values = c.values
            criteria.append({
                "criterion": c.criterion_id,
                "label": {"vi": c.label.vi, "en": c.label.en},
                "status": c.status,
                "values": ({k: v if type(v) in _PLAIN else jsonable(v) for k, v in values.items()}
                           if type(values) is dict else jsonable(values)),
                "missing": list(c.missing),
                "threshold": c.threshold,
                "reviewer_judgement": c.reviewer_judgement,
                "source": source,
                "defects": list(hit[2]),
            })
        awards.append({
            "award": a.award_id,
            "label": {"vi": a.label.vi, "en": a.label.en},
            "verdict": a.verdict,
            "reason": a.reason,
            "missing_facts": list(a.missing_facts),
            "points": a.points, "max_points": a.max_points, "band": a.band,
            "criteria": criteria,
        })
    return {"id": s.subject_id, "kind": s.kind, "level": s.level, "role": s.role, "name": s.name, "unit": s.unit,
            "awards": awards}


CSV_COLUMNS = ("subject_id", "kind", "level_or_role", "name", "award", "verdict", "points", "band",
               "failed_criteria", "missing_facts")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (CSV injection)."""
CSV_TEXT_COLUMNS = ("subject_id", "level_or_role", "name")
"""Columns of ``CSV_COLUMNS`` holding submitted text, neutralised by :func:`text_cell`."""


def text_cell(value: str) -> str:
    """``value`` made safe for a spreadsheet: text beginning with ``=``, ``+``, ``-``, ``@``,
    tab or CR gets a leading ``'`` so Excel and LibreOffice show it as text and never run it
    as a formula (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``); other text is unchanged.
    Every CSV of results (``evaluate --format csv``, ``--bulk`` to .csv) applies it to
    ``CSV_TEXT_COLUMNS``."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
