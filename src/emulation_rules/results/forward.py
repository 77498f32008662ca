"""Passing proposals up (chuyển đề nghị lên cấp trên): a level's result as the next level's input.

A review at one level (a grassroots union, an upper-level union) ends with the list of whom it
proposes to the level above, with what justified each proposal. :func:`forward` writes that list
as facts files the next level's review reads like any other submission (``emulation-rules
evaluate`` or ``rollup`` with ``--facts`` on the folder): each proposed subject with its facts and
history as submitted, a ``proposals`` list, and a ``forwarded`` block with the verdicts, points,
bands and criteria (with their citations) of the level below (:mod:`emulation_rules.facts.forwarded`).

Who is passed up: for each award (or those asked for), the subjects whose verdict is ``awarded``
and whom no quota's cap leaves out (an over-cap group with a ranking keeps its ``within_quota``
awardees; one without a ranking keeps none and says so), as the register records conferrals.
With a tree of units and a level, one file per unit of that level holds the subjects under it
(``<unit id>.yaml``); without, one file holds them all.

The next level judges the subjects again from their facts; :func:`differences` lists each
subject and award on which its verdict differs from the level below's, so a reviewer sees where
the two levels part (Law on Emulation and Commendation 2022, art. 84-86: the level above reviews
the proposals it receives before its council decides).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulation_rules.campaign import shapes as m
from emulation_rules.campaign.safe_yaml import dump_yaml
from emulation_rules.evaluate.result import Evaluation, SubjectResult, jsonable
from emulation_rules.facts.reader import Subject, Submission
from emulation_rules.facts.units import UnitTree

__all__ = ["Difference", "ForwardFile", "LeftOut", "differences", "differences_text", "forward", "within_caps"]

_CAPS = ("max_share", "max_count")


@dataclass(frozen=True)
class LeftOut:
    """An awardee not passed up, and why (Vietnamese and English)."""

    subject: str
    award: str
    reason: m.Text


@dataclass(frozen=True)
class ForwardFile:
    """One file of proposals for the level above.

    Attributes:
        unit: the unit of the chosen level whose subjects it holds (None: one file for all).
        subjects: how many subjects it passes up.
        document: the facts document (plain data: ``campaign``, ``as_of``, ``forwarded``,
            ``subjects``, ``proposals``), written as YAML by :meth:`text`.
    """

    unit: str | None
    subjects: int
    document: Mapping[str, Any]

    @property
    def name(self) -> str:
        """The file name: ``<unit id>.yaml``, or ``proposals.yaml`` for one file."""
        return f"{self.unit}.yaml" if self.unit is not None else "proposals.yaml"

    def text(self) -> str:
        """The document as YAML (a facts file: :func:`emulation_rules.facts.load.load_facts` reads it)."""
        head = ("# Đề nghị chuyển lên cấp trên (emulation-rules forward): các đối tượng được đề nghị, dữ kiện,\n"
                "# danh sách đề nghị và kết quả xét của cấp dưới / Proposals passed up to the level above.\n")
        return head + dump_yaml(dict(self.document))


@dataclass(frozen=True)
class Difference:
    """A subject and award on which this level's verdict differs from the level below's."""

    subject: str
    award: str
    below: str
    here: str
    by: str | None


def within_caps(campaign: m.Campaign, evaluation: Evaluation) -> tuple[set[tuple[str, str]], list[LeftOut]]:
    """The ``(subject, award)`` pairs awarded and left within every cap, and the awardees left out.

    A cap (``max_share``, ``max_count``) whose group is ``not_met`` leaves out its counted
    awardees for the quota's awards, except those its ranking places ``within_quota``.

    Returns:
        ``(pairs passed, awardees left out with the reason)``.
    """
    quotas = {q.id: q for q in campaign.quotas}
    out: dict[tuple[str, str], m.Text] = {}
    for r in evaluation.quotas:
        model = quotas.get(r.quota_id)
        if model is None or r.kind not in _CAPS:
            continue
        for g in r.groups:
            if g.status != "not_met":
                continue
            outcomes = [o for o in r.outcomes if o.group == g.group]
            if outcomes:
                over = {o.subject for o in outcomes if o.status != "within_quota"}
                why = m.Text.of(vi=f"vượt hạn mức {r.quota_id} ({g.label}), theo thứ tự xếp hạng",
                             en=f"over the cap {r.quota_id} ({g.label}), by its ranking")
            else:
                over = set(g.counted_ids)
                why = m.Text.of(vi=f"vượt hạn mức {r.quota_id} ({g.label}), chưa xếp thứ tự ai trong hạn mức",
                             en=f"over the cap {r.quota_id} ({g.label}); no ranking says who stays within")
            out.update({(s, a): why for s in over for a in model.awards})
    passed = {(s.subject_id, a.award_id) for s in evaluation.subjects for a in s.awards
              if a.verdict == "awarded" and (s.subject_id, a.award_id) not in out}
    left = [LeftOut(s, a, why) for (s, a), why in out.items()
            if any(x.subject_id == s and any(y.award_id == a and y.verdict == "awarded" for y in x.awards)
                   for x in evaluation.subjects)]
    return passed, left


def forward(campaign: m.Campaign, evaluation: Evaluation, submission: Submission, *,
            awards: Iterable[str] = (), tree: UnitTree | None = None, level: str | None = None,
            by: str | None = None) -> tuple[list[ForwardFile], list[LeftOut], list[str]]:
    """The proposals of this review, as the next level's facts files.

    Args:
        campaign: the campaign judged.
        evaluation: this level's evaluation of ``submission``.
        submission: the facts it judged (the proposed subjects' facts are copied from it).
        awards: award ids to pass up (empty: every award).
        tree, level: with both, one file per unit of ``level`` holding the subjects under it.
        by: the unit that passes the proposals up, when one file is written (recorded in it).

    Returns:
        ``(files, awardees left out by a cap, ids of proposed subjects under no unit of the level)``.

    Raises:
        ValueError: ``level`` without ``tree``, or a level the tree does not have.
    """
    if level is not None and (tree is None or level not in {u.level for u in tree.units}):
        raise ValueError(f"level {level!r} is not a level of the tree of units" if tree is not None
                         else "a level needs the tree of units (--units)")
    wanted = set(awards)
    passed, left = within_caps(campaign, evaluation)
    pairs = {p for p in passed if not wanted or p[1] in wanted}
    left = [x for x in left if not wanted or x.award in wanted]
    by_id = {s.id: s for s in submission.subjects}
    results = {s.subject_id: s for s in evaluation.subjects}
    order = [s.id for s in submission.subjects if any(p[0] == s.id for p in pairs)]
    groups: dict[str | None, list[str]] = {}
    unplaced: list[str] = []
    for sid in order:
        key = by if level is None else _unit_at(by_id[sid], tree, level)  # type: ignore[arg-type]
        if level is not None and key is None:
            unplaced.append(sid)
            continue
        groups.setdefault(key, []).append(sid)
    files = []
    for unit, ids in groups.items():
        doc = _document(campaign, evaluation, [by_id[i] for i in ids], [results[i] for i in ids], pairs,
                        unit, level)
        files.append(ForwardFile(unit if level is not None else None, len(ids), doc))
    return files, left, unplaced


def _unit_at(subject: Subject, tree: UnitTree, level: str) -> str | None:
    unit = subject.id if subject.kind == "collective" and subject.id in tree else subject.unit
    if unit is None or unit not in tree:
        return None
    here = tree.unit(unit)
    for u in (here, *tree.ancestors(here.id)):
        if u.level == level:
            return u.id
    return None


def _document(campaign: m.Campaign, evaluation: Evaluation, subjects: Sequence[Subject],
              results: Sequence[SubjectResult], pairs: set[tuple[str, str]], by: str | None,
              level: str | None) -> dict[str, Any]:
    verdicts = []
    proposals: dict[str, list[str]] = {}
    for s in results:
        for a in s.awards:
            if (s.subject_id, a.award_id) not in pairs:
                continue
            proposals.setdefault(a.award_id, []).append(s.subject_id)
            v: dict[str, Any] = {"subject": s.subject_id, "award": a.award_id, "verdict": a.verdict}
            if a.points is not None:
                v["points"] = a.points
            if a.band is not None:
                v["band"] = a.band
            v["criteria"] = [{"criterion": c.criterion_id, "status": c.status, "source": c.source.cite()}
                             for c in a.criteria]
            verdicts.append(v)
    block: dict[str, Any] = {"by": by, "level": level,
                             "as_of": evaluation.as_of.isoformat() if evaluation.as_of else None,
                             "verdicts": verdicts}
    ratings = {r.id for r in campaign.ratings}
    return {
        "campaign": campaign.id,
        "as_of": evaluation.as_of.isoformat() if evaluation.as_of else None,
        "forwarded": {k: v for k, v in block.items() if v is not None},
        "subjects": [_subject(s, ratings) for s in subjects],
        "proposals": [{"award": a, "subjects": ids} for a, ids in proposals.items()],
    }


def _subject(s: Subject, ratings: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": s.id, "kind": s.kind}
    for key in ("level", "role", "unit", "name"):
        if getattr(s, key) is not None:
            out[key] = getattr(s, key)
    out["facts"] = {k: jsonable(v) for k, v in s.facts.items()}
    if s.history is not None:
        out["history"] = [{("rating" if h.title in ratings else "title"): h.title, "year": h.year,
                           **({"decided_by": h.decided_by} if h.decided_by else {}),
                           **({"decision": h.decision} if h.decision else {})} for h in s.history]
    return out


def differences(evaluation: Evaluation, submission: Submission) -> list[Difference]:
    """Each subject and award whose verdict here differs from the verdict passed up from below."""
    here = evaluation.verdicts()
    out = []
    for block in submission.forwarded:
        for v in block.verdicts:
            got = here.get((v.subject, v.award))
            if got is not None and got != v.verdict:
                out.append(Difference(v.subject, v.award, v.verdict, got, block.by))
    return out


_WORDS = {
    "vi": {"awarded": "đạt", "not_awarded": "không đạt", "incomplete": "chưa đủ căn cứ",
           "not_eligible": "không thuộc đối tượng", "not_proposed": "không đề nghị"},
    "en": {"awarded": "awarded", "not_awarded": "not awarded", "incomplete": "incomplete",
           "not_eligible": "not eligible", "not_proposed": "not proposed"},
}


def differences_text(diffs: Sequence[Difference], lang: str = "vi") -> str:
    """One line per difference, in Vietnamese (default) or English; empty when none."""
    words = _WORDS["en" if lang == "en" else "vi"]
    lines = []
    for d in diffs:
        who = f" ({d.by})" if d.by else ""
        if lang == "en":
            lines.append(f"{d.subject}, {d.award}: {words[d.here]} here, {words[d.below]} at the level below{who}\n")
        else:
            lines.append(f"{d.subject}, {d.award}: cấp này {words[d.here]}, cấp dưới{who} {words[d.below]}\n")
    return "".join(lines)
