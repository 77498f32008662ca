"""Emulation clusters (cụm, khối thi đua): the units of each cluster ranked, the leaders named.

The campaign declares the rule (:class:`~emulation_rules.campaign.hierarchy.ClusterRanking`: the
score, its order, how many lead, the tie rule); the tree of units says which unit is in which
cluster. Each unit's score is its own fact or its points for an award in this evaluation. The
outcome of each unit is:

- ``leader``: within the first ``leaders`` places;
- ``not_leader``: below them;
- ``tied_at_cut``: tied with others at the last leading place when the rule names nobody at a
  tie (``ties: none``);
- ``undecided``: some unit of the cluster has no score (a fact not submitted, an incomplete or
  missing score sheet, or no submission at all), so the order is not known; those units are
  listed in ``missing``.

Ranks are competition ranks (1, 2, 2, 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from emulation_rules.campaign import shapes as m
from emulation_rules.evaluate.result import Evaluation
from emulation_rules.facts.reader import Submission
from emulation_rules.facts.units import UnitTree

__all__ = ["ClusterPlace", "ClusterResult", "rank_clusters"]

ClusterOutcome = Literal["leader", "not_leader", "tied_at_cut", "undecided"]

OUTCOME_WORDS = {
    "vi": {"leader": "dẫn đầu", "not_leader": "không dẫn đầu", "tied_at_cut": "bằng điểm tại ngưỡng",
           "undecided": "chưa xác định"},
    "en": {"leader": "leader", "not_leader": "not a leader", "tied_at_cut": "tied at the cut",
           "undecided": "undecided"},
}


@dataclass(frozen=True)
class ClusterPlace:
    """One unit of a cluster: its score (None when unknown), rank (None when unknown) and outcome."""

    unit: str
    name: str | None
    score: float | None
    shown: str | None
    rank: int | None
    outcome: ClusterOutcome

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"unit": self.unit, "name": self.name, "score": self.score, "shown": self.shown,
                "rank": self.rank, "outcome": self.outcome}


@dataclass(frozen=True)
class ClusterResult:
    """One cluster ranked: its places in rank order (units without a score last, in file order)."""

    cluster: str
    name: str | None
    places: tuple[ClusterPlace, ...]
    missing: tuple[str, ...]
    source: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"cluster": self.cluster, "name": self.name, "places": [p.to_dict() for p in self.places],
                "missing": list(self.missing), "source": self.source}


def rank_clusters(campaign: m.Campaign, evaluation: Evaluation, submission: Submission,
                  tree: UnitTree) -> tuple[ClusterResult, ...]:
    """Rank the units of every cluster of ``tree`` by the campaign's cluster rule.

    Returns:
        One :class:`ClusterResult` per cluster, in the order clusters first appear in the tree;
        empty when the campaign declares no ``clusters`` rule.
    """
    rule = campaign.hierarchy.clusters if campaign.hierarchy is not None else None
    if rule is None:
        return ()
    subjects = {s.id: s for s in submission.subjects}
    results = {r.subject_id: r for r in evaluation.subjects}
    out = []
    for cluster, units in tree.clusters().items():
        scored: list[tuple[str, str | None, float | None, str | None]] = []
        for u in units:
            score, shown = _score(rule, campaign, subjects.get(u.id), results.get(u.id))
            scored.append((u.id, u.name, score, shown))
        name = tree.unit(cluster).name if cluster in tree else None
        source = rule.source.cite() if rule.source is not None else None
        out.append(_ranked(rule, cluster, name, scored, source))
    return tuple(out)


def _score(rule: m.ClusterRanking, campaign: m.Campaign, subject: Any, result: Any) -> tuple[float | None, str | None]:
    if rule.score.fact is not None:
        if subject is None or rule.score.fact not in subject.facts:
            return None, None
        value = subject.facts[rule.score.fact]
        decl = campaign.fact(rule.score.fact)
        if decl.type == "ordered_enum":
            ids = [v.id for v in decl.values]
            return float(ids.index(value)), str(value)
        return float(value), f"{value:g}" if isinstance(value, float) else str(value)
    if result is None:
        return None, None
    try:
        award = result.award(rule.score.award)
    except KeyError:
        return None, None
    if award.points is None or award.verdict == "incomplete":
        return None, None
    return float(award.points), f"{award.points:g}"


def _ranked(rule: m.ClusterRanking, cluster: str, name: str | None,
            scored: list[tuple[str, str | None, float | None, str | None]], source: str | None) -> ClusterResult:
    missing = tuple(u for u, _, s, _ in scored if s is None)
    known = [x for x in scored if x[2] is not None]
    sign = -1.0 if rule.order == "desc" else 1.0
    known.sort(key=lambda x: sign * (x[2] or 0.0))  # stable: file order within a score
    ranks: dict[str, int] = {}
    for i, (u, _, s, _) in enumerate(known):
        ranks[u] = ranks[known[i - 1][0]] if i and known[i - 1][2] == s else i + 1
    cut = known[rule.leaders - 1][2] if len(known) >= rule.leaders else None
    above = sum(1 for x in known if x[2] != cut and ranks[x[0]] <= rule.leaders)
    at_cut = sum(1 for x in known if x[2] == cut)
    straddles = cut is not None and above + at_cut > rule.leaders and rule.ties == "none"
    places = []
    for i, (u, n, s, shown) in enumerate(known):
        outcome: ClusterOutcome
        if missing:
            outcome = "undecided"
        elif straddles and s == cut:
            outcome = "tied_at_cut"
        else:
            outcome = "leader" if i < rule.leaders and not (straddles and s == cut) else "not_leader"
        places.append(ClusterPlace(u, n, s, shown, ranks[u], outcome))
    places += [ClusterPlace(u, n, None, None, None, "undecided") for u, n, s, _ in scored if s is None]
    return ClusterResult(cluster, name, tuple(places), missing, source)


def cluster_lines(results: tuple[ClusterResult, ...], rule: m.ClusterRanking | None, lang: str) -> list[str]:
    """The clusters as text lines (Vietnamese by default), for the roll-up table."""
    if not results or rule is None:
        return []
    words = OUTCOME_WORDS["en" if lang == "en" else "vi"]
    head = "Emulation clusters" if lang == "en" else "Cụm, khối thi đua"
    lines = ["", f"{head}: {rule.label.en if lang == 'en' else rule.label.vi}"]
    for r in results:
        lines.append(f"  {r.cluster}{f' {r.name}' if r.name else ''}")
        for p in r.places:
            rank = "-" if p.rank is None else str(p.rank)
            lines.append(f"    {rank}. {p.unit}{f' {p.name}' if p.name else ''}: {p.shown or '?'} — {words[p.outcome]}")
    return lines
