"""The table builders of :mod:`.presentation` (one method per table)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from emulation_rules.campaign import shapes as m
from emulation_rules.errors import Problem
from emulation_rules.evaluate.result import AwardResult, Evaluation, SubjectResult
from emulation_rules.results.presentation import Cell, Column, Formatter, Presentation, Row, Table
from emulation_rules.results.summary import VERDICTS, VerdictCounts, verdict_counts
from emulation_rules.results.words import Lang

if TYPE_CHECKING:  # judged by the commands that show targets (evaluate skips the module)
    from emulation_rules.results.targets import TargetReport


__all__ = ["Builder", "present"]


class Builder:
    """Builds a :class:`Presentation` with one :class:`Formatter`."""

    def __init__(self, f: Formatter, ids: bool) -> None:
        self.f = f
        self.ids = ids
        self.c = f.c

    def col(self, key: str, width: float = 16, numeric: bool = False, title: str | None = None) -> Column:
        return Column(key, title if title is not None else self.f.w(key), width, numeric)

    def build(self, evaluation: Evaluation | None, targets: TargetReport | None,
              initiatives: Sequence[Any] | None, rejected: Sequence[Problem],
              counts: VerdictCounts | None, tables: Collection[str] | None = None) -> Presentation:
        f, c = self.f, self.c

        def wanted(name: str) -> bool:
            return tables is None or name in tables
        run: Any = next((x for x in (evaluation, counts, targets) if x is not None), None)
        as_of = run.as_of if run is not None else None
        phase = run.phase if run is not None else None
        parts: dict[str, Any] = {}
        notes: list[str] = []
        if counts is not None:
            parts["counts"] = self.counts(counts.per_award)
            parts["subject_count"] = counts.subjects
        if evaluation is not None:
            parts["subject_count"] = len(evaluation.subjects)
            parts["counts"] = self.counts(verdict_counts(evaluation))
            if evaluation.quotas and wanted("quotas"):
                parts.update(self.quotas(evaluation.quotas))
            parts["details"] = self.details(evaluation)
            if wanted("subjects"):
                parts["subjects"] = self.subjects(evaluation, parts["details"])
            if wanted("criteria"):
                parts["criteria"] = self.criteria(evaluation)
            if not evaluation.subjects and not evaluation.rejected:
                notes.append(f.w("no_subjects"))
        if targets is not None and targets.results:
            parts["target_summary"], parts["targets"] = self.targets(targets)
            parts["raw_targets"] = tuple((t.value, t.target) for t in targets.results)
        if initiatives:
            accepted = sum(1 for a in initiatives if a.accepted)
            parts["initiative_counts"] = {"accepted": accepted, "excluded": len(initiatives) - accepted}
            parts["initiatives"] = self.initiatives(initiatives)
        if c is not None and wanted("defects"):
            parts["defects"] = self.defects(c)
        problems = list(rejected) or (list(evaluation.rejected) if evaluation is not None else [])
        if problems and wanted("rejected"):
            parts["rejected"] = self.rejected(problems)
        return Presentation(
            lang=f.lang,
            title=f.text(c.title) if c is not None else (evaluation.campaign_id if evaluation else ""),
            issuer=f.text(c.issuer) if c is not None else "",
            as_of=Cell(f.date(as_of), as_of),
            phase=Cell.of((phase or "") if self.ids else f.phase(phase), phase),
            notes=tuple(notes),
            **parts,
        )

    # --- summary -------------------------------------------------------------------------

    def award_order(self, present_ids: Sequence[str]) -> list[str]:
        order = [a.id for a in self.c.awards] if self.c is not None else []
        return [a for a in order if a in present_ids] + [a for a in present_ids if a not in order]

    def counts(self, per_award: Mapping[str, Mapping[str, int]]) -> Table:
        f = self.f
        labels = {a.id: f.text(a.label) for a in self.c.awards} if self.c is not None else {}
        rows = []
        for award in self.award_order(list(per_award)):
            n = {v: per_award.get(award, {}).get(v, 0) for v in VERDICTS}
            if not any(n.values()):
                continue
            rows.append(Row((Cell.of(award if self.ids else labels.get(award, award), award),
                             *(Cell(f.number(n[v]), n[v], v) for v in VERDICTS),
                             Cell(f.number(sum(n.values())), sum(n.values()), "total"))))
        columns = (self.col("award", 48), *(self.col(v, 16, True, f.verdict(v)) for v in VERDICTS),
                   self.col("total", 10, True))
        return Table("counts", f.w("counts"), columns, tuple(rows), colour=())

    def quotas(self, quotas: Sequence[Any]) -> dict[str, Table]:
        f = self.f
        rows, groups, outcomes = [], [], []
        for q in quotas:
            label = Cell.of(q.quota_id if self.ids else f.text(q.label), q.quota_id)
            if q.kind == "min_share":
                bound = Cell(f.w("at_least_pct", x=f.number(q.required)), q.required)
                gap = (q.shortfall if q.shortfall is not None else sum(g.shortfall or 0 for g in q.groups)
                       ) if q.status == "not_met" else None
                gap_cell = Cell(f.w("short_by", n=gap), gap) if gap else Cell("")
            else:
                key = "at_most_pct" if q.kind == "max_share" else "at_most_n"
                bound = Cell(f.w(key, x=f.number(q.required)), q.required)
                excess = q.excess if q.excess is not None else sum(g.excess or 0 for g in q.groups)
                gap_cell = Cell(f.w("over_by", n=excess), excess) if excess else Cell("")
            rows.append(Row((label, Cell.of(f.w(q.kind), q.kind), f.count(q.awardees), f.count(q.qualifying),
                             f.percent(q.share), bound, Cell.of(f.status(q.status), q.status), gap_cell)))
            for g in q.groups if q.extended else ():
                name = g.group if g.group is not None else f.w(f"group_{g.label}")
                groups.append(Row((label, Cell.of(name, g.group), f.count(g.numerator), f.count(g.denominator),
                                   f.percent(g.share), f.count(g.limit), Cell.of(f.status(g.status), g.status),
                                   Cell.of(f.text(g.advice)))))
            for o in q.outcomes:
                note = Cell.of(f.message(o.note or ""))
                outcomes.append(Row((label, Cell.of(o.group or "", o.group), Cell.of(o.subject, o.subject),
                                     f.count(o.rank), self.value_cell(o.value), Cell.of(f.status(o.status), o.status),
                                     note)))
        out = {"quotas": Table("quotas", f.w("quotas"), (
            self.col("quota", 48), self.col("bound_kind", 22), self.col("awardees", 14, True),
            self.col("qualifying", 12, True), self.col("share", 12, True), self.col("bound", 16, True),
            self.col("result", 14), self.col("gap", 14, True)), tuple(rows), colour=(6,))}
        if groups:
            out["quota_groups"] = Table("quota-groups", f.w("groups"), (
                self.col("quota", 48), self.col("group", 20), self.col("numerator", 12, True),
                self.col("denominator", 12, True), self.col("share", 12, True), self.col("limit", 12, True),
                self.col("result", 14), self.col("advice", 40)), tuple(groups), colour=(6,))
        if outcomes:
            out["outcomes"] = Table("outcomes", f.w("ranked"), (
                self.col("quota", 48), self.col("group", 20), self.col("subject", 16), self.col("rank", 10, True),
                self.col("value", 12, True), self.col("result", 18), self.col("hint", 40, title=f.w("reason"))),
                tuple(outcomes), colour=())
        return out

    def value_cell(self, value: Any) -> Cell:
        text = "" if value is None else self.f.value(value)
        stored = value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else text or None
        return Cell(text, stored)

    # --- verdicts ------------------------------------------------------------------------

    def outcomes_of(self, evaluation: Evaluation) -> dict[tuple[str, str], str]:
        """``{(subject, award): outcome status}`` of the quotas' rankings (over or tied only)."""
        awards = {q.id: q.awards for q in self.c.quotas} if self.c is not None else {}
        out: dict[tuple[str, str], str] = {}
        for q in evaluation.quotas:
            for o in q.outcomes:
                if o.status == "within_quota":
                    continue
                for award in awards.get(q.quota_id, ()):
                    out[(o.subject, award)] = o.status
        return out

    def details(self, evaluation: Evaluation) -> Table:
        f = self.f
        placed = self.outcomes_of(evaluation)
        rows = []
        for s in evaluation.subjects:
            for a in s.awards:
                outcome = placed.get((s.subject_id, a.award_id))
                failed = [c for c in a.criteria if c.status == "fail"]
                rows.append(Row((
                    Cell.of(s.subject_id, s.subject_id),
                    Cell.of(s.name or "", s.name or ""),
                    Cell.of(self.kind(s.kind), s.kind),
                    Cell.of(self.level(s), s.level or s.role or ""),
                    Cell.of(a.award_id if self.ids else f.text(a.label), a.award_id),
                    Cell.of(a.verdict if self.ids else f.verdict(a.verdict), a.verdict),
                    Cell.of("" if outcome is None else outcome if self.ids else f.status(outcome), outcome),
                    Cell(f.points(a.points, a.max_points), a.points, "" if a.points is None else f"{a.points:g}"),
                    Cell.of(a.band or "", a.band or ""),
                    Cell.of("; ".join(c.criterion_id if self.ids else f.text(c.label) for c in failed),
                            ";".join(c.criterion_id for c in failed)),
                    Cell.of("; ".join(x if self.ids else f.fact(x) for x in a.missing_facts),
                            ";".join(a.missing_facts)),
                    Cell.of(self.why(a)),
                )))
        return Table("details", f.w("details_title"), (
            self.col("id", 14), self.col("name", 30), self.col("kind", 12, title=f.w("subject")),
            self.col("level", 22), self.col("award", 34), self.col("result", 16), self.col("quota_outcome", 16),
            self.col("points", 10, True), self.col("band", 12), self.col("failed", 40), self.col("missing", 40),
            self.col("why", 50)), tuple(rows), colour=(5,))

    def kind(self, kind: str) -> str:
        return kind if self.ids else self.f.kind(kind)

    def level(self, s: SubjectResult) -> str:
        return (s.level or s.role or "") if self.ids else self.f.level(s.level, s.role)

    def why(self, a: AwardResult) -> str:
        """The verdict's reason in words, as the table's last column."""
        f, ids = self.f, self.ids
        if a.verdict in ("not_eligible", "not_proposed"):
            return f.message(a.reason or "")
        facts = [x if ids else f.fact(x) for x in a.missing_facts]
        missing = f"{f.w('missing_short')}: {', '.join(facts)}" if facts else ""
        if a.verdict == "not_awarded":
            failed = [c.criterion_id if ids else f.text(c.label) for c in a.criteria if c.status == "fail"]
            text = f"{f.w('fails')}: " + "; ".join(failed)
            return text + (f"; {missing}" if missing else "")
        if a.verdict == "incomplete":
            if a.reason and not a.missing_facts:  # e.g. criteria delegated to another instrument
                return f.message(a.reason)
            undecided = [f.text(c.label) for c in a.criteria if c.status == "unknown"]
            if ids or not undecided:
                return missing
            return f"{f.w('undecided')}: {'; '.join(undecided)} ({missing})"
        text = f.w("all_met")
        if a.points is not None:
            text += f"; {f.points(a.points, a.max_points)} {f.w('points_word')}"
            text += f", {f.w('band_word')} {a.band}" if a.band else ""
        return text

    def subjects(self, evaluation: Evaluation, details: Table) -> Table:
        """One row per subject, its awards side by side; the detail rows ride along."""
        f = self.f
        awards = self.award_order(list(dict.fromkeys(a.award_id for s in evaluation.subjects for a in s.awards)))
        labels = {a.award_id: a.label for s in evaluation.subjects for a in s.awards}
        placed = self.outcomes_of(evaluation)
        by_subject: dict[str, list[tuple[Cell, ...]]] = {}
        for r in details.rows:
            by_subject.setdefault(r.cells[0].text, []).append(r.cells[4:])
        rows = []
        for s in evaluation.subjects:
            mine = {a.award_id: a for a in s.awards}
            cells = [Cell.of(s.subject_id, s.subject_id), Cell.of(s.name or ""), Cell.of(self.level(s))]
            for award in awards:
                a = mine.get(award)
                if a is None:
                    cells.append(Cell(""))
                    continue
                text = a.verdict if self.ids else f.verdict(a.verdict)
                outcome = placed.get((s.subject_id, award))
                if outcome is not None:
                    text += f" ({outcome if self.ids else f.status(outcome).lower()})"
                cells.append(Cell.of(text, a.verdict))
            rows.append(Row(tuple(cells), tuple(by_subject.get(s.subject_id, ()))))
        columns = (self.col("id", 14), self.col("name", 30), self.col("level", 22),
                   *(Column(a, a if self.ids else f.text(labels[a]), 24) for a in awards))
        return Table("subjects", f.w("verdicts"), columns, tuple(rows),
                     colour=tuple(range(3, 3 + len(awards))), detail_columns=details.columns[4:])

    def criteria(self, evaluation: Evaluation) -> Table:
        f = self.f
        rows = []
        for s in evaluation.subjects:
            for a in s.awards:
                for c in a.criteria:
                    values = "; ".join(f"{f.fact(k)} = {f.fact_value(k, v)}" for k, v in c.values.items())
                    rows.append(Row((
                        Cell.of(s.subject_id, s.subject_id),
                        Cell.of(a.award_id if self.ids else f.text(a.label), a.award_id),
                        Cell.of(c.criterion_id if self.ids else f.text(c.label), c.criterion_id),
                        Cell.of(f.status(c.status), c.status),
                        Cell.of(c.threshold),
                        Cell.of(values),
                        Cell.of("; ".join(f.fact(x) for x in c.missing)),
                        Cell.of(c.source.cite()),
                        Cell.of(c.text_vi),
                    )))
        return Table("criteria", f.w("criteria"), (
            self.col("id", 14), self.col("award", 30), self.col("criterion", 34), self.col("result", 12),
            self.col("condition", 30), self.col("values", 40), self.col("missing", 30), self.col("cited", 36),
            self.col("text_vi", 60)), tuple(rows), colour=(3,))

    # --- targets, initiatives, defects, problems -----------------------------------------

    def targets(self, report: TargetReport) -> tuple[Table, Table]:
        f = self.f
        short, full = [], []
        for t in report.results:
            label = Cell.of(t.target_id if self.ids else f.text(t.label), t.target_id)
            phase = Cell.of(f.phase(t.phase), t.phase)
            value = Cell(f.number(t.value), t.value)
            figure = Cell(f.number(t.target), t.target)
            status = Cell.of(f.status(t.status), t.status)
            short.append(Row((label, phase, value, figure, Cell.of(t.unit or ""), status)))
            ratio = Cell("" if t.ratio is None else f.number(t.ratio * 100, 1) + " %",
                         None if t.ratio is None else round(t.ratio, 4))
            full.append(Row((label, phase, value, Cell.of(t.op), figure, Cell.of(t.unit or ""), ratio, status,
                             Cell.of(f.message(t.reason or "")), Cell.of(t.source.cite()), Cell.of(t.text_vi))))
        head = (self.col("target", 40), self.col("phase", 22), self.col("reached", 12, True))
        summary = Table("target-summary", f.w("targets"), (*head, self.col("figure", 14, True),
                        self.col("unit", 10), self.col("result", 12)), tuple(short), colour=(5,))
        detail = Table("targets", f.w("targets"), (
            *head, self.col("op", 8), self.col("figure", 14, True), self.col("unit", 10),
            self.col("ratio", 12, True), self.col("result", 12), self.col("reason", 30), self.col("source", 36),
            self.col("text_vi", 60)), tuple(full), colour=(7,))
        return summary, detail

    def initiatives(self, assessments: Sequence[Any]) -> Table:
        f = self.f
        prog = self.c.initiatives if self.c is not None else None
        labels = {ch.id: f.text(ch.label) for ch in prog.checks} if prog else {}
        rows = []
        for a in assessments:
            key = "accepted" if a.accepted else "not_yet" if a.not_yet else "excluded"
            colour = "pass" if a.accepted else "pending" if a.not_yet else "fail"
            failed = "; ".join(f"{labels.get(ch.check_id, ch.check_id)}: {f.message(ch.detail)} ({ch.source.cite()})"
                               for ch in a.failed)
            rows.append(Row((Cell.of(a.initiative.id, a.initiative.id), Cell.of(a.initiative.title or ""),
                             Cell.of(f.status(key), colour), Cell.of(failed), Cell.of(", ".join(a.credited)),
                             Cell.of(f.message(a.attribution)))))
        return Table("initiatives", f.w("initiatives"), (
            self.col("id", 10), self.col("initiative_title", 40), self.col("result", 16),
            self.col("failed_checks", 50), self.col("credited", 16), self.col("attribution", 50)),
            tuple(rows), colour=(2,))

    def defects(self, c: m.Campaign) -> Table:
        rows = tuple(Row((Cell.of(d.id, d.id), Cell.of(m.cite_many(d.sources)), Cell.of(d.text),
                          Cell.of(d.resolution))) for d in c.defects)
        return Table("defects", self.f.w("defects"), (
            self.col("id", 10), self.col("lines", 16), self.col("defect", 70), self.col("resolution", 70)), rows)

    def rejected(self, problems: Sequence[Problem]) -> Table:
        f = self.f
        rows = tuple(Row((Cell.of(str(p.location or "")), Cell.of(p.code, p.code), Cell.of(f.message(p.message)),
                          Cell.of(f.message(p.hint or "")))) for p in problems)
        return Table("rejected", self.f.w("rejected"), (
            self.col("location", 40), self.col("code", 18), self.col("message", 60), self.col("hint", 30)), rows)


def present(
    campaign: m.Campaign | None,
    *,
    evaluation: Evaluation | None = None,
    targets: TargetReport | None = None,
    initiatives: Sequence[Any] | None = None,
    rejected: Sequence[Problem] = (),
    counts: VerdictCounts | None = None,
    lang: Lang = "vi",
    ids: bool = False,
    tables: Collection[str] | None = None,
) -> Presentation:
    """The presentation of a run (arguments as for the workbook and the page).

    Args:
        campaign: the campaign (labels of facts, levels, phases, awards' quotas, defects);
            None for a table of an evaluation alone (ids where a label needs the campaign).
        evaluation: verdicts, if any.
        targets: the targets report, if any.
        initiatives: judged initiative register, if any.
        rejected: facts problems of subjects left out (default: the evaluation's).
        counts: verdicts per award of a bulk run (the summary only).
        lang: ``vi`` (default) or ``en``.
        ids: codes instead of labels for awards, verdicts, levels and criteria (the table's
            ``--ids``).
        tables: the tables wanted among ``quotas`` (with the quota groups and outcomes),
            ``subjects``, ``criteria``, ``defects`` and ``rejected`` (default: all; the others are
            always built). The text table shows only the details and the counts: its run need
            not build the criteria of every subject.
    """
    return Builder(Formatter(lang, campaign), ids).build(evaluation, targets, initiatives, rejected, counts,
                                                         tables)
