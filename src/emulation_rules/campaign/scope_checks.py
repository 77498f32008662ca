"""Semantic checks of what reaches beyond one subject (issue 19): a quota's groups and kinds
(``per: {fact, within}``, ``subjects: [...]``), conditions over the subject's unit
(``{unit: ...}``, ``{level: [...]}``), documents' force (``in_force``, ``replaced_by``) and a
standing regulation's review year. Mixed into the checker of :mod:`.checks`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.errors import PathItem, ProblemCode

PathT = tuple[PathItem, ...]


class ScopeChecks:
    """The checks of quota scopes and unit conditions; the checker provides what is declared here."""

    c: m.Campaign
    facts: dict[str, m.FactDecl]
    _in_award: m.Award | None
    _in_unit: bool

    def add(self, code: ProblemCode, message: str, path: PathT, hint: str | None = None) -> None:
        raise NotImplementedError  # pragma: no cover - provided by the checker

    def unknown(self, code: ProblemCode, what: str, value: object, items: Iterable[Any],
                path: PathT, where: str = "") -> None:
        raise NotImplementedError  # pragma: no cover - provided by the checker

    def _condition(self, cond: Any, path: PathT, kind: str, records: m.FactDecl | None,
                   depth: int = 0) -> None:
        raise NotImplementedError  # pragma: no cover - provided by the checker

    def _standing(self) -> None:
        """A campaign without phases is a standing regulation: it declares its review year."""
        if not self.c.phases and self.c.review_year is None:
            self.add("invalid-value", "a campaign without phases must declare review_year (a standing "
                     "regulation judged by review year)", ("phases",),
                     "give its phases, or review_year: {starts: {month: 1, day: 1}, source: {...}}")

    def _documents_force(self, docs: dict[str, m.Document]) -> None:
        """A document's ``replaced_by`` names a declared document; its ``in_force`` ends after it starts."""
        for i, d in enumerate(self.c.documents):
            if d.replaced_by is not None and d.replaced_by not in docs:
                self.unknown("unknown-document", "document", d.replaced_by, self.c.documents,
                             ("documents", i, "replaced_by"), " (declare it under 'documents')")
            span = d.in_force
            if span is not None and span.from_ and span.to and span.to < span.from_:
                self.add("document-not-in-force", f"in force to {span.to} before it is in force from {span.from_}",
                         ("documents", i, "in_force", "to"))

    def _quota_one_kind(self, q: m.Quota, key: str, path: PathT) -> None:
        if len(q.kinds) > 1:
            self.add("bad-quota", f"'{key}' reads facts of one subject kind; this quota counts "
                     f"{' and '.join(q.kinds)} subjects", (*path, key),
                     "split the quota by kind, or group by a fact with per: {fact: [...]}")


    def _quota_per(self, q: m.Quota, per: m.QuotaPer, path: PathT, levels: set[str]) -> None:
        if not per.facts and per.within is None:
            self.add("bad-quota", "per: {...} names a 'fact', a 'within' level, or both", path)
        if per.within is not None and per.within not in levels:
            self.unknown("unknown-level", "collective level", per.within, sorted(levels), (*path, "within"))
        read = {self.facts[f].applies_to for f in per.facts if f in self.facts}
        for j, fact_id in enumerate(per.facts):
            fpath: PathT = (*path, "fact", j) if len(per.facts) > 1 else (*path, "fact")
            decl = self.facts.get(fact_id)
            if decl is None:
                self.unknown("unknown-fact", "fact", fact_id, self.c.facts, fpath)
            elif decl.applies_to not in q.kinds:
                self.add("fact-subject-mismatch", f"fact {fact_id!r} applies to {decl.applies_to} "
                         f"subjects; the quota counts {' and '.join(q.kinds)} subjects", fpath)
            elif decl.type in ("records", "date", "decimal", "percent"):
                self.add("bad-quota", f"fact {fact_id!r} is {decl.type}; a group is named by an enum, "
                         "text, bool or int value", fpath)
        if (per.facts and len(per.facts) != len(set(per.facts))) or (
                per.facts and read and len(read) != len(per.facts)):
            self.add("bad-quota", "per.fact names one fact per subject kind counted", (*path, "fact"))
        elif per.facts and set(q.kinds) - read and all(f in self.facts for f in per.facts):
            self.add("bad-quota", f"per.fact names no fact of the {' and '.join(sorted(set(q.kinds) - read))} "
                     "subjects the quota counts", (*path, "fact"),
                     "list one fact per kind: per: {fact: [union_theme, member_theme]}")


    def _unit(self, cond: m.OfUnit | m.LevelIn, path: PathT, kind: str, records: m.FactDecl | None) -> None:
        """``{unit: ...}`` in an individual award's criteria, not nested; ``{level: [...]}`` inside it."""
        if isinstance(cond, m.LevelIn):
            if not self._in_unit:
                self.add("bad-compare", "'level' reads the level of the subject's unit: use it inside "
                         "'unit'", path, "unit: {level: [grassroots_union]}")
            for j, level in enumerate(cond.level):
                if level not in {lv.id for lv in self.c.subjects.collective_levels}:
                    self.unknown("unknown-level", "collective level", level,
                                 self.c.subjects.collective_levels, (*path, "level", j))
            return
        if records is not None or self._in_award is None or self._in_unit or kind != "individual":
            self.add("bad-compare", "'unit' reads the unit of an individual: only in an individual "
                     "award's criteria or eligibility, and not inside another 'unit'", path)
            return
        self._in_unit = True
        self._condition(cond.unit, (*path, "unit"), "collective", None)
        self._in_unit = False
