"""Semantic checks of a campaign model (facts, conditions, awards, targets, quotas, initiatives):
every problem located through the source map; called by :func:`.loader.validate_campaign`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.campaign.checks_records import check_aggregate, check_ratings, check_window
from emulation_rules.campaign.dependencies import award_refs, find_cycle
from emulation_rules.campaign.safe_yaml import (
    SourceMap,
)
from emulation_rules.campaign.scope_checks import ScopeChecks
from emulation_rules.campaign.thresholds import BAD as _BAD
from emulation_rules.campaign.thresholds import coerce_threshold
from emulation_rules.errors import (
    PathItem,
    Problem,
    ProblemCode,
    did_you_mean,
    id_listing,
    unknown_id,
)

PathT = tuple[PathItem, ...]

MAX_CONDITION_DEPTH = 32
"""Deepest nesting of ``all``/``any``/``not`` in a condition (``too-deep``)."""


def check_campaign(c: m.Campaign, smap: SourceMap | None = None) -> list[Problem]:
    """Semantic checks the model cannot express; returns every problem found (maybe none)."""
    return list(_Checker(c, smap or SourceMap()).run())


_NUMERIC = {"int", "money", "decimal", "percent"}
_ORDERED = _NUMERIC | {"date", "ordered_enum"}


class _Checker(ScopeChecks):
    def __init__(self, c: m.Campaign, smap: SourceMap) -> None:
        self.c = c
        self.smap = smap
        self.facts = {f.id: f for f in c.facts}
        self.params = {p.id: p for p in c.parameters}
        self.problems: list[Problem] = []
        self._in_award: m.Award | None = None
        self._criterion: m.Criterion | None = None
        self._in_unit = False

    def add(self, code: ProblemCode, message: str, path: PathT, hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, path, self.smap.locate(path), hint))

    def unknown(self, code: ProblemCode, what: str, value: object, items: Iterable[Any],
                path: PathT, where: str = "") -> None:
        """An "unknown X" problem listing the valid ids of ``items`` (ids or objects with ``id``
        and maybe ``label``) with a did-you-mean over ids and labels."""
        ids: list[str] = []
        aliases: dict[str, str] = {}
        for item in items:
            cid = item if isinstance(item, str) else item.id
            ids.append(cid)
            label = getattr(item, "label", None)
            if isinstance(label, m.Text):
                aliases.setdefault(label.vi, cid)
                aliases.setdefault(label.en, cid)
        message, hint = unknown_id(what, value, ids, where=where, aliases=aliases)
        self.add(code, message, path, hint)

    def run(self) -> Iterator[Problem]:
        c = self.c
        self._unique("facts", c.facts)
        self._unique("parameters", c.parameters)
        self._unique("awards", c.awards)
        self._unique("phases", c.phases)
        self._unique("reviews", c.reviews)
        self._unique("defects", c.defects)
        self._unique(("subjects", "collective_levels"), c.subjects.collective_levels)
        self._unique(("subjects", "individual_roles"), c.subjects.individual_roles)
        for i, f in enumerate(c.facts):
            self._unique(("facts", i, "values"), f.values)
            self._unique(("facts", i, "fields"), f.fields)
            for j, rf in enumerate(f.fields):
                self._unique(("facts", i, "fields", j, "values"), rf.values)
            if f.type in ("enum", "ordered_enum") and not f.values:
                self.add("invalid-value", f"fact {f.id!r} of type {f.type} needs 'values'", ("facts", i))
            if f.type == "records" and not f.fields:
                self.add("invalid-value", f"fact {f.id!r} of type records needs 'fields'", ("facts", i))
        self._standing()
        for i, p in enumerate(c.phases):
            if p.end is not None and p.end < p.start:
                self.add("phase-order", f"phase {p.id!r} ends ({p.end}) before it starts ({p.start})",
                         ("phases", i, "end"))
        self._sources()
        check_ratings(self)
        levels = {lv.id for lv in c.subjects.collective_levels}
        roles = {r.id for r in c.subjects.individual_roles}
        all_levels, all_roles = c.subjects.collective_levels, c.subjects.individual_roles
        for i, a in enumerate(c.awards):
            base: PathT = ("awards", i)
            self._unique((*base, "criteria"), a.criteria)
            for j, lv in enumerate(a.eligibility.levels):
                if lv not in levels:
                    self.unknown("unknown-level", "collective level", lv, all_levels,
                                 (*base, "eligibility", "levels", j))
            for j, role in enumerate(a.eligibility.roles):
                if role not in roles:
                    self.unknown("unknown-role", "individual role", role, all_roles,
                                 (*base, "eligibility", "roles", j))
            if a.subject == "collective" and a.eligibility.roles:
                self.add("unknown-role", "a collective award lists individual roles",
                         (*base, "eligibility", "roles"))
            if a.subject == "individual" and a.eligibility.levels:
                self.add("unknown-level", "an individual award lists collective levels",
                         (*base, "eligibility", "levels"))
            self._in_award = a
            if a.eligibility.unit is not None:
                self._unit(m.OfUnit.model_construct(unit=a.eligibility.unit), (*base, "eligibility"),
                           a.subject, None)
            for j, crit in enumerate(a.criteria):
                self._criterion = crit
                self._condition(crit.condition, (*base, "criteria", j, "condition"), a.subject, None)
            self._criterion = None
            self._in_award = None
            if a.score_sheet is not None:
                self._score_sheet(a.score_sheet, (*base, "score_sheet"), a.subject)
            if a.vote is not None:
                self._vote(a, a.vote, (*base, "vote"))
        self._cycle()
        self._unique("targets", c.targets)
        for i, t in enumerate(c.targets):
            self._target(t, ("targets", i), levels, roles)
        self._unique("quotas", c.quotas)
        for i, q in enumerate(c.quotas):
            self._quota(q, ("quotas", i), levels, roles)
        if c.initiatives is not None:
            self._initiatives(c.initiatives, ("initiatives",))
        if c.hierarchy is not None:
            self._hierarchy(c.hierarchy, ("hierarchy",), c.subjects.collective_levels)
        yield from self.problems

    def _hierarchy(self, h: m.Hierarchy, path: PathT, all_levels: Iterable[m.SubjectLevel]) -> None:
        known = {lv.id for lv in all_levels}
        for i, lv in enumerate(h.levels):
            if lv not in known:
                self.unknown("unknown-level", "collective level", lv, all_levels, (*path, "levels", i))
        for i, j in enumerate(h.judged_at):
            where: PathT = (*path, "judged_at", i)
            if j.target is not None and j.target not in {t.id for t in self.c.targets}:
                self.unknown("unknown-target", "target", j.target, self.c.targets, (*where, "target"))
            if j.quota is not None and j.quota not in {q.id for q in self.c.quotas}:
                self.unknown("unknown-quota", "quota", j.quota, self.c.quotas, (*where, "quota"))
            for k, lv in enumerate(j.levels):
                if lv not in known:
                    self.unknown("unknown-level", "collective level", lv, all_levels, (*where, "levels", k))
        if h.clusters is not None:
            self._clusters(h.clusters, (*path, "clusters", "score"))

    def _clusters(self, r: m.ClusterRanking, path: PathT) -> None:
        if r.score.fact is not None:
            decl = self._fact(r.score.fact, (*path, "fact"), "collective")
            if decl is not None and decl.type not in ("int", "decimal", "percent", "ordered_enum"):
                self.add("not-ordered", f"clusters are ranked by a number or an ordered enum; "
                         f"{decl.id!r} is {decl.type}", (*path, "fact"))
            return
        award = next((a for a in self.c.awards if a.id == r.score.award), None)
        if award is None:
            self.unknown("unknown-award", "award", r.score.award, self.c.awards, (*path, "award"))
        elif award.score_sheet is None or award.subject != "collective":
            self.add("bad-quota", f"clusters are ranked by the points of a collective award's score sheet; "
                     f"{award.id!r} has none", (*path, "award"))

    def _quota(self, q: m.Quota, path: PathT, levels: set[str], roles: set[str]) -> None:
        self._quota_awards(q.awards, q.kinds, (*path, "awards"))
        if q.condition is not None:
            self._quota_one_kind(q, "condition", path)
            self._condition(q.condition, (*path, "condition"), q.kinds[0], None)
        if isinstance(q.per, m.QuotaPer):
            self._quota_per(q, q.per, (*path, "per"), levels)
        bounds = [k for k in ("min_share", "max_share", "max_count") if getattr(q, k) is not None]
        if len(bounds) != 1:
            self.add("bad-quota", f"a quota sets exactly one of min_share, max_share, max_count; "
                     f"this one sets {' and '.join(bounds) if bounds else 'none'}",
                     (*path, bounds[1]) if len(bounds) > 1 else path,
                     "min_share for 'ít nhất x%', max_share for 'không quá x%', max_count for a fixed number")
        for key in bounds:
            bound = getattr(q, key)
            if isinstance(bound, m.BoundParam):
                want = "int" if key == "max_count" else "percent"
                decl = next((p for p in self.c.parameters if p.id == bound.param), None)
                if decl is None:
                    self.unknown("unknown-param", "parameter", bound.param, self.c.parameters,
                                 (*path, key, "param"))
                elif decl.type != want:
                    self.add("bad-quota", f"{key} reads parameter {bound.param!r} of type "
                             f"{decl.type}; it needs a {want} parameter", (*path, key, "param"))
        if q.of is not None:
            opath: PathT = (*path, "of")
            if bool(q.of.awards) == (q.of.population is not None):
                self.add("bad-quota", "'of' names either 'awards' or a 'population', exactly one", opath,
                         "of: {awards: [...]} counts the subjects awarded any of them; of: {population: "
                         "{kind: ...}} counts the submitted subjects")
            self._quota_awards(q.of.awards, q.kinds, (*opath, "awards"))
            if q.of.population is not None:
                if q.of.population.kind not in q.kinds:
                    self.add("bad-quota", f"the population is of {q.of.population.kind} subjects; the quota "
                             f"counts {q.subject} subjects", (*opath, "population", "kind"))
                self._population(q.of.population, (*opath, "population"), levels, roles)
            if q.max_count is not None:
                self.add("bad-quota", "max_count is a fixed number: 'of' (a denominator) has no meaning "
                         "with it", opath, "drop 'of', or use max_share for a share of it")
        if q.ranking is not None:
            self._ranking(q, (*path, "ranking"))

    def _vote(self, award: m.Award, vote: m.Vote, path: PathT) -> None:
        """A vote's threshold and quorum read percent parameters when given as ``{param: id}``;
        the criterion and the fact a vote adds (``council_vote``, ``vote__AWARD``) are free."""
        if any(c.id == "council_vote" for c in award.criteria):
            self.add("duplicate-id", "criterion id 'council_vote' is the one a vote adds; rename the "
                     "criterion", path)
        if f"vote__{award.id}"[:64] in self.facts:
            self.add("duplicate-id", f"fact id 'vote__{award.id}' is the one a vote adds; rename the fact", path)
        for key in ("threshold", "quorum"):
            bound = getattr(vote, key)
            if isinstance(bound, m.BoundParam):
                decl = self.params.get(bound.param)
                if decl is None:
                    self.unknown("unknown-param", "parameter", bound.param, self.c.parameters,
                                 (*path, key, "param"))
                elif decl.type != "percent":
                    self.add("invalid-value", f"vote {key} reads parameter {bound.param!r} of type "
                             f"{decl.type}; it needs a percent parameter", (*path, key, "param"))

    def _quota_awards(self, ids: Iterable[str], kinds: tuple[str, ...], path: PathT) -> None:
        awards = {a.id: a for a in self.c.awards}
        for j, award_id in enumerate(ids):
            a = awards.get(award_id)
            if a is None:
                self.unknown("unknown-award", "award", award_id, self.c.awards, (*path, j))
            elif a.subject not in kinds:
                self.add("bad-quota", f"award {award_id!r} is for {a.subject} subjects; the quota "
                         f"counts {' and '.join(kinds)} subjects", (*path, j))

    def _ranking(self, q: m.Quota, path: PathT) -> None:
        if q.min_share is not None:
            self.add("bad-quota", "a ranking chooses who stays within a cap; a minimum (min_share) "
                     "has no cap to rank for", path, "use max_share or max_count, or drop 'ranking'")
        if len(q.kinds) > 1:
            self._quota_one_kind(q, "ranking", path[:-1])
            return
        for j, key in enumerate(q.ranking.by if q.ranking else ()):
            kpath: PathT = (*path, "by", j, "fact")
            decl = self._fact(key.fact, kpath, q.kinds[0])
            if decl is not None and decl.type not in _ORDERED:
                self.add("bad-quota", f"fact {key.fact!r} is {decl.type}; a ranking needs a number, a date "
                         "or an ordered_enum", kpath, "rank by points (int/decimal) or a reviewer's rank")

    def _initiatives(self, prog: m.InitiativeProgramme, path: PathT) -> None:
        self._unique((*path, "kinds"), prog.kinds)
        self._unique((*path, "recognizers"), prog.recognizers)
        self._unique((*path, "checks"), prog.checks)
        if prog.window.end < prog.window.start:
            self.add("bad-initiatives", f"the window ends ({prog.window.end}) before it starts "
                     f"({prog.window.start})", (*path, "window", "end"))
        kinds = [k.id for k in prog.kinds]
        if prog.research_kind is not None and prog.research_kind not in kinds:
            self.add("bad-initiatives", f"research_kind {prog.research_kind!r} is not one of the kinds; "
                     f"valid: {id_listing(kinds)}", (*path, "research_kind"), _hint(prog.research_kind, kinds))
        if any(ch.check == "research_project_accepted" for ch in prog.checks) and (
                prog.research_kind is None or prog.research_applied_from is None):
            self.add("bad-initiatives", "the research_project_accepted check needs research_kind "
                     "and research_applied_from", path)
        for key, kind in (("credited_fact", "individual"), ("unit_fact", "collective")):
            fact_id = getattr(prog, key)
            if fact_id is None:
                continue
            decl = self._fact(fact_id, (*path, key), kind)
            if decl is not None and decl.type != "int":
                self.add("bad-initiatives", f"{key} {fact_id!r} must be an int fact, not {decl.type}",
                         (*path, key))

    def _unique(self, where: str | PathT, items: Iterable[Any]) -> None:
        base: PathT = (where,) if isinstance(where, str) else where
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                self.add("duplicate-id", f"id {item.id!r} is used twice here", (*base, i, "id"))
            seen.add(item.id)

    def _sources(self) -> None:
        docs = {d.id: d for d in self.c.documents}
        self._unique("documents", self.c.documents)
        for source, path in m.citations(self.c):
            self._citation(source, path, docs)
        self._documents_force(docs)

    def _citation(self, src: m.Source, path: PathT, docs: dict[str, m.Document]) -> None:
        doc = docs.get(src.doc)
        if doc is None:
            self.unknown("unknown-document", "document", src.doc, self.c.documents, (*path, "doc"),
                         " (declare it under 'documents')")
        elif src.lines is not None and doc.text is None:
            self.add("bad-citation",
                     f"gives lines, but document {src.doc!r} has no 'text' to number them; "
                     "cite it by article/clause/point or section, or declare its text",
                     (*path, "lines"))

    # conditions ---------------------------------------------------------------------------
    def _condition(self, cond: Any, path: PathT, kind: str, records: m.FactDecl | None,
                   depth: int = 0) -> None:
        if depth >= MAX_CONDITION_DEPTH and isinstance(cond, (m.AllOf, m.AnyOf, m.NotOf)):
            self.add("too-deep", f"'all'/'any'/'not' nested more than {MAX_CONDITION_DEPTH} "
                     "levels deep", path)
            return
        if isinstance(cond, m.AllOf):
            for i, sub in enumerate(cond.all):
                self._condition(sub, (*path, "all", i), kind, records, depth + 1)
        elif isinstance(cond, m.AnyOf):
            for i, sub in enumerate(cond.any):
                self._condition(sub, (*path, "any", i), kind, records, depth + 1)
        elif isinstance(cond, m.NotOf):
            self._condition(cond.not_, (*path, "not"), kind, records, depth + 1)
        elif isinstance(cond, m.Count):
            self._count(cond, path, kind, records)
        elif isinstance(cond, m.Aggregate):
            check_aggregate(self, cond, path, kind, records)
        elif isinstance(cond, m.AwardRef | m.Held):
            self._award_read(cond, path, kind, records)
        elif isinstance(cond, (m.OfUnit, m.LevelIn)):
            self._unit(cond, path, kind, records)
        else:
            self._leaf(cond, path, kind, records)

    def _award_read(self, cond: m.AwardRef | m.Held, path: PathT, kind: str,
                    records: m.FactDecl | None) -> None:
        """``{award: ...}`` and ``{held: ...}``: only in an award's criteria; same subject kind."""
        what = "'award'" if isinstance(cond, m.AwardRef) else "'held'"
        if isinstance(cond, m.Held) and self._in_unit:
            self.add("bad-compare", "'held' inside 'unit' is not read: the unit's history is not part "
                     "of its members' evaluation", path)
            return
        if records is not None or self._in_award is None:
            self.add("bad-compare", f"{what} may only be used in an award's criteria (it reads this "
                     "evaluation's verdicts or the subject's history)", path)
            return
        awards = {a.id: a for a in self.c.awards}
        if isinstance(cond, m.Held):
            given = [k for k in ("each_of_last_years", "consecutive_years", "times_in_phase")
                     if getattr(cond, k) is not None]
            if len(given) != 1:
                self.add("bad-compare", "give exactly one of 'each_of_last_years', "
                         f"'consecutive_years', 'times_in_phase' (got {', '.join(given) or 'none'})", path)
            other = awards.get(cond.held)
            if other is not None and other.subject != kind and cond.consecutive_years is not None:
                self.add("fact-subject-mismatch", f"award {cond.held!r} is for {other.subject} "
                         f"subjects, not {kind}", (*path, "held"))
            rating = next((r for r in self.c.ratings if r.id == cond.held), None)
            if rating is not None and rating.subject != kind:
                self.add("fact-subject-mismatch", f"rating {cond.held!r} is of {rating.subject} "
                         f"subjects, not {kind}", (*path, "held"))
            return
        other = awards.get(cond.award)
        if other is None:
            self.add("unknown-award", f"unknown award {cond.award!r}; the campaign's awards: "
                     f"{', '.join(awards) or 'none'}", (*path, "award"), _hint(cond.award, awards))
        elif other.subject != kind:
            self.add("fact-subject-mismatch", f"award {cond.award!r} is for {other.subject} "
                     f"subjects, not {kind}", (*path, "award"))

    def _cycle(self) -> None:
        cycle = find_cycle(self.c)
        if cycle is None:
            return
        first, second = cycle[0], cycle[1]
        index = [a.id for a in self.c.awards].index(first)
        award = self.c.awards[index]
        ids = {a.id for a in self.c.awards}
        where: PathT = ("awards", index)
        for j, crit in enumerate(award.criteria):
            hits = [p for a, p in award_refs(crit.condition, ids) if a == second]
            if hits:
                where = ("awards", index, "criteria", j, "condition", *hits[0])
                break
        self.add("award-cycle", f"awards require each other in a cycle: {' -> '.join(cycle)}", where,
                 "none of them can be judged first; remove one of the references (a title held in "
                 "earlier years is read from the subject's history instead)")

    def _count(self, cond: m.Count, path: PathT, kind: str, records: m.FactDecl | None) -> None:
        if records is not None:
            self.add("bad-compare", "'count' cannot be nested inside 'where'", (*path, "count"))
            return
        decl = self._fact(cond.count.fact, (*path, "count", "fact"), kind)
        self._threshold_param(cond.param, cond.value, path, allow_value_none=False)
        if decl is None:
            return
        if decl.type != "records":
            self.add("not-records", f"fact {decl.id!r} is {decl.type}, not records",
                     (*path, "count", "fact"))
            return
        if cond.count.distinct is not None and cond.count.distinct not in {f.id for f in decl.fields}:
            self.unknown("unknown-field", "field", cond.count.distinct, decl.fields,
                         (*path, "count", "distinct"), f" in the records of {decl.id!r}")
        if cond.count.where is not None:
            self._condition(cond.count.where, (*path, "count", "where"), kind, decl)
        if cond.count.within is not None:
            check_window(self, cond.count.within, decl, (*path, "count", "within"))

    def _threshold_param(self, param: str | None, value: Any, path: PathT, *,
                         allow_value_none: bool) -> None:
        if (param is None) == (value is None) and not (allow_value_none and param is None):
            self.add("bad-compare", "give exactly one of 'value' and 'param'", path)
        if param is not None and param not in self.params:
            self.unknown("unknown-param", "parameter", param, self.c.parameters, (*path, "param"))

    def _fact(self, fact_id: str, path: PathT, kind: str) -> m.FactDecl | None:
        decl = self.facts.get(fact_id)
        if decl is None:
            self.unknown("unknown-fact", "fact", fact_id,
                         [f for f in self.c.facts if f.applies_to == kind] or self.c.facts, path)
            return None
        if decl.applies_to != kind:
            self.add("fact-subject-mismatch",
                     f"fact {fact_id!r} applies to {decl.applies_to} subjects, not {kind}", path)
            return None
        return decl

    def _leaf(self, cond: Any, path: PathT, kind: str, records: m.FactDecl | None) -> None:
        decl: m.FactDecl | m.RecordField | None
        if records is None:
            if cond.field is not None or cond.fact is None:
                self.add("bad-compare", "use 'fact' here ('field' is only for 'where' in a count)", path)
                return
            decl = self._fact(cond.fact, (*path, "fact"), kind)
        else:
            if cond.fact is not None or cond.field is None:
                self.add("bad-compare", "inside 'where' use 'field', not 'fact'", path)
                return
            fields = {f.id: f for f in records.fields}
            decl = fields.get(cond.field)
            if decl is None:
                self.unknown("unknown-field", "field", cond.field, records.fields, (*path, "field"),
                             f" in the records of {records.id!r}")
                return
        if decl is None:
            return
        if isinstance(cond, m.Compare):
            self._threshold_param(cond.param, cond.value, path, allow_value_none=False)
            if cond.op not in ("==", "!=") and decl.type not in _ORDERED:
                self.add("not-ordered", f"{decl.type} {decl.id!r} cannot be compared with {cond.op}",
                         (*path, "op"))
            if cond.param is not None and decl.type not in _NUMERIC:
                self.add("type-mismatch", f"a parameter is a number; {decl.id!r} is {decl.type}",
                         (*path, "param"))
            if cond.value is not None:
                self._value(decl, cond.value, (*path, "value"))
        elif isinstance(cond, m.AtLeast):
            if decl.type != "ordered_enum":
                self.add("not-ordered", f"'at_least' needs an ordered_enum; {decl.id!r} is {decl.type}",
                         (*path, "at_least"))
            else:
                self._value(decl, cond.at_least, (*path, "at_least"))
        elif isinstance(cond, m.OneOf):
            for i, v in enumerate(cond.in_):
                self._value(decl, v, (*path, "in", i))

    def _value(self, decl: m.FactDecl | m.RecordField, value: Any, path: PathT) -> None:
        if coerce_threshold(decl, value) is _BAD:
            if decl.type in ("enum", "ordered_enum"):
                self.unknown("unknown-enum-value", "value", value, decl.values, path, f" of {decl.id!r}")
            else:
                self.add("type-mismatch", f"{value!r} is not a {decl.type} for {decl.id!r}", path)

    # targets ------------------------------------------------------------------------------
    def _target(self, t: m.Target, path: PathT, levels: set[str], roles: set[str]) -> None:
        phases = {p.id for p in self.c.phases}
        seen: set[str] = set()
        for j, v in enumerate(t.values):
            if v.phase not in phases:
                self.unknown("unknown-phase", "phase", v.phase, self.c.phases, (*path, "values", j, "phase"))
            elif v.phase in seen:
                self.add("bad-target", f"phase {v.phase!r} is given twice", (*path, "values", j, "phase"))
            seen.add(v.phase)
            if isinstance(t.metric, m.ShareMetric) and not 0 <= v.value <= 100:
                self.add("bad-target", f"a share is a percent (0-100), not {v.value:g}",
                         (*path, "values", j, "value"))
        metric = t.metric
        mpath: PathT = (*path, "metric")
        if isinstance(metric, m.InitiativeCountMetric):
            if self.c.initiatives is None:
                self.add("bad-target", "an 'initiatives' metric needs the campaign's 'initiatives' "
                         "programme", (*mpath, "kind"))
            return
        if isinstance(metric, m.ValueMetric):
            if metric.level not in levels:
                self.unknown("unknown-level", "collective level", metric.level,
                             self.c.subjects.collective_levels, (*mpath, "level"))
            self._numeric(metric.fact, (*mpath, "fact"), "collective")
            return
        pop = metric.population
        self._population(pop, (*mpath, "population"), levels, roles)
        if isinstance(metric, (m.CountMetric, m.ShareMetric)):
            if metric.condition is not None:
                self._condition(metric.condition, (*mpath, "condition"), pop.kind, None)
        else:
            self._numeric(metric.fact, (*mpath, "fact"), pop.kind)

    def _population(self, pop: m.Population, ppath: PathT, levels: set[str], roles: set[str]) -> None:
        for j, lv in enumerate(pop.levels):
            if pop.kind != "collective":
                self.add("unknown-level", "an individual population lists collective levels", (*ppath, "levels"))
                break
            if lv not in levels:
                self.unknown("unknown-level", "collective level", lv, self.c.subjects.collective_levels,
                             (*ppath, "levels", j))
        for j, role in enumerate(pop.roles):
            if pop.kind != "individual":
                self.add("unknown-role", "a collective population lists individual roles", (*ppath, "roles"))
                break
            if role not in roles:
                self.unknown("unknown-role", "individual role", role, self.c.subjects.individual_roles,
                             (*ppath, "roles", j))
        if pop.where is not None:
            self._condition(pop.where, (*ppath, "where"), pop.kind, None)

    def _numeric(self, fact_id: str, path: PathT, kind: str) -> None:
        decl = self._fact(fact_id, path, kind)
        if decl is not None and decl.type not in _NUMERIC:
            self.add("bad-target", f"fact {fact_id!r} is {decl.type}; a target needs a number", path)

    def _score_sheet(self, sheet: m.ScoreSheet, path: PathT, kind: str) -> None:
        self._unique((*path, "items"), sheet.items)
        self._unique((*path, "bands"), sheet.bands)
        total = 0.0
        for i, item in enumerate(sheet.items):
            ipath = (*path, "items", i)
            total += item.max_points
            if (item.points_fact is None) == (item.condition is None):
                self.add("score-sheet", "an item needs exactly one of 'points_fact' and 'condition'", ipath)
            if item.points_fact is not None:
                decl = self._fact(item.points_fact, (*ipath, "points_fact"), kind)
                if decl is not None and decl.type not in _NUMERIC:
                    self.add("type-mismatch", f"points_fact {decl.id!r} must be numeric", (*ipath, "points_fact"))
            if item.condition is not None:
                self._condition(item.condition, (*ipath, "condition"), kind, None)
        if abs(total - sheet.max_points) > 1e-9:
            self.add("score-sheet", f"items add up to {total:g}, not max_points {sheet.max_points:g}",
                     (*path, "max_points"))
        mins = [b.min_points for b in sheet.bands]
        if mins != sorted(mins) or len(set(mins)) != len(mins):
            self.add("score-sheet", "bands must be listed lowest first with distinct min_points", (*path, "bands"))
        if sheet.pass_band is not None and sheet.pass_band not in {b.id for b in sheet.bands}:
            self.unknown("score-sheet", "band", sheet.pass_band, sheet.bands, (*path, "pass_band"))


_hint = did_you_mean
