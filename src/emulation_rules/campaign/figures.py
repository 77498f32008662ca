"""Figure check: every figure of a campaign stands on the plan lines its rule cites.

An encoding slip (a threshold typed 96 for the plan's 95, a date a day off) gives wrong verdicts
that no evaluator can notice, since every evaluator reads the same file. So, for every

* threshold of a condition (``value`` of a comparison or a count) in a criterion, a score item,
  a target's metric or a quota, checked against the lines its criterion, item, target or quota
  cites;
* target figure (``targets[].values[].value``), against the value's own ``source`` if it has
  one, else the target's;
* quota share or count (``min_share``, ``max_share``, ``max_count``), against the quota's ``source``;
* date: a phase's ``start`` and ``end``, the initiative window's ``start`` and ``end`` (against
  their ``source``) and ``research_applied_from`` (against the ``research_project_accepted``
  check's ``source``);

the figure must be printed on the cited lines of the document's text in one of the ways Vietnamese
plans print it (:func:`printed_forms`), else the loader reports ``figure-not-in-source`` naming
the lines searched. A figure the plan does not print (100% for "đạt dự toán giao", a start
"từ nay") is declared on the node that carries it with ``derived: "<reason>"``; such figures
are listed by ``emulation-rules validate --verbose``. Booleans, enum values and parameters (a
parameter carries its own ``reason``) are not figures.

A document's ``text`` is a path relative to the campaign file; when no file is there, it is
looked up by file name in the directories listed (``os.pathsep``-separated) in the
``EMULATION_RULES_DOCUMENTS`` environment variable. Every cited line range must lie inside its
text (``bad-citation``). Where a text is absent its lines and figures are not checked, and
``validate --verbose`` says so.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulation_rules.campaign import model as m
from emulation_rules.campaign.dependencies import leaves_with_paths
from emulation_rules.campaign.money import parse_amount, plain_number
from emulation_rules.campaign.safe_yaml import SourceMap
from emulation_rules.campaign.texts import DOCUMENTS_ENV as DOCUMENTS_ENV
from emulation_rules.campaign.texts import DocumentTexts as DocumentTexts
from emulation_rules.errors import PathItem, Problem
from emulation_rules.frozen import frozen

__all__ = [
    "DOCUMENTS_ENV",
    "DocumentTexts",
    "Figure",
    "FigureReport",
    "check_figures",
    "is_printed",
    "iter_figures",
    "printed_forms",
]

PathT = tuple[PathItem, ...]
Value = int | float | dt.date


@frozen
class Figure:
    """One figure of a campaign and the plan lines that must print it.

    Attributes:
        path: data path of the figure in the campaign file, e.g. ``targets[3].values[0].value``.
        value: the figure: a number (percent 0-100, a count, a sum) or a date.
        source: the citation its rule gives.
        derived: the declared reason when the plan does not print it, else ``None``.
        kind: ``threshold``, ``target``, ``quota share``, ``quota count``, ``vote share`` or ``date``.
    """

    path: PathT
    value: Value
    source: m.Source
    derived: str | None
    kind: str


@dataclass
class FigureReport:
    """What the figure check did, for ``validate --verbose``.

    Attributes:
        texts: document id -> the text file read, for the documents whose text was found.
        missing: ids of documents declaring a ``text`` that was not found (not checked).
        checked: figures looked for on their cited lines.
        found: of those, figures printed there.
        derived: figures declared ``derived`` and not printed, with their reason.
        problems: ``figure-not-in-source`` and ``bad-citation`` (lines past the text's end).
    """

    texts: dict[str, Path] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    checked: int = 0
    found: int = 0
    derived: list[Figure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def note(self) -> str:
        """One line for people: how many figures were found, derived, or why none were checked."""
        text = (
            f"figure check: {self.found} of {self.checked} figures printed on their cited "
            f"lines, {len(self.derived)} declared derived, {len(self.problems)} problems"
        )
        if self.missing:
            text += (
                f"; text not found for {', '.join(self.missing)} (its lines and figures are not "
                f"checked: put the file where 'text' says, or list its directory in {DOCUMENTS_ENV})"
            )
        return text


# --- where the figures are ------------------------------------------------------------------


def iter_figures(c: m.Campaign) -> Iterator[Figure]:
    """Every figure of ``c`` with the citation that must print it (see the module doc)."""
    facts = {f.id: f for f in c.facts}
    for i, a in enumerate(c.awards):
        for j, crit in enumerate(a.criteria):
            yield from _conditions(
                crit.condition, ("awards", i, "criteria", j, "condition"), crit.source, facts)
        if a.score_sheet is not None:
            for j, item in enumerate(a.score_sheet.items):
                if item.condition is not None:
                    yield from _conditions(
                        item.condition,
                        ("awards", i, "score_sheet", "items", j, "condition"),
                        item.source, facts)
        if a.vote is not None:
            for key in ("threshold", "quorum"):
                figure = getattr(a.vote, key)
                if figure is not None and not isinstance(figure, m.BoundParam):  # a parameter has its reason
                    yield Figure(("awards", i, "vote", key), figure, a.vote.source, a.vote.derived, "vote share")
    for i, t in enumerate(c.targets):
        metric = t.metric
        population = getattr(metric, "population", None)
        if population is not None and population.where is not None:
            yield from _conditions(
                population.where, ("targets", i, "metric", "population", "where"), t.source, facts)
        condition = getattr(metric, "condition", None)
        if condition is not None:
            yield from _conditions(condition, ("targets", i, "metric", "condition"), t.source, facts)
        for j, v in enumerate(t.values):
            yield Figure(
                ("targets", i, "values", j, "value"),
                v.value,
                v.source or t.source,
                v.derived,
                "target",
            )
    for i, q in enumerate(c.quotas):
        for key in ("min_share", "max_share", "max_count"):
            figure = getattr(q, key)
            if figure is not None and not isinstance(figure, m.BoundParam):  # a parameter has its reason
                kind = "quota count" if key == "max_count" else "quota share"
                yield Figure(("quotas", i, key), figure, q.source, q.derived, kind)
        yield from _conditions(q.condition, ("quotas", i, "condition"), q.source, facts)
        if q.of is not None and q.of.population is not None and q.of.population.where is not None:
            yield from _conditions(q.of.population.where, ("quotas", i, "of", "population", "where"), q.source, facts)
    for i, p in enumerate(c.phases):
        yield Figure(("phases", i, "start"), p.start, p.source, p.derived, "date")
        if p.end is not None:
            yield Figure(("phases", i, "end"), p.end, p.source, p.derived, "date")
    prog = c.initiatives
    if prog is not None:
        w = prog.window
        yield Figure(("initiatives", "window", "start"), w.start, w.source, w.derived, "date")
        yield Figure(("initiatives", "window", "end"), w.end, w.source, w.derived, "date")
        research = next((ch for ch in prog.checks if ch.check == "research_project_accepted"), None)
        if prog.research_applied_from is not None and research is not None:
            yield Figure(
                ("initiatives", "research_applied_from"),
                prog.research_applied_from,
                research.source,
                None,
                "date",
            )


def _conditions(cond: Any, path: PathT, source: m.Source, facts: dict[str, m.FactDecl],
                records: m.FactDecl | None = None) -> Iterator[Figure]:
    for node, where in leaves_with_paths(cond, path):
        if isinstance(node, m.Count):
            if node.value is not None:
                yield Figure((*where, "value"), node.value, source, node.derived, "threshold")
            if node.count.where is not None:
                yield from _conditions(node.count.where, (*where, "count", "where"), source, facts,
                                       facts.get(node.count.fact))
            if node.count.within is not None and node.count.within.last_years is not None:
                yield Figure((*where, "count", "within", "last_years"), node.count.within.last_years, source,
                             node.derived, "number of years")
        elif isinstance(node, m.Aggregate):
            spec = node.aggregate
            decl = facts.get(spec.of)
            fields = {f.id: f for f in decl.fields} if decl is not None else {}
            value: Value | None = node.value if _plain_figure(node.value) else None  # type: ignore[assignment]
            if isinstance(node.value, str) and fields.get(spec.field or "") is not None \
                    and fields[spec.field or ""].type == "money":
                value = parse_amount(node.value)
            if value is not None:
                yield Figure((*where, "value"), value, source, node.derived, "threshold")
            if spec.where is not None:
                yield from _conditions(spec.where, (*where, "aggregate", "where"), source, facts, decl)
            if spec.within is not None and spec.within.last_years is not None:
                yield Figure((*where, "aggregate", "within", "last_years"), spec.within.last_years, source,
                             node.derived, "number of years")
        elif isinstance(node, m.OfUnit):
            yield from _conditions(node.unit, (*where, "unit"), source, facts, records)
        elif isinstance(node, m.Held):
            for key in ("each_of_last_years", "consecutive_years", "times_in_phase"):
                years = getattr(node, key)
                if years is not None:
                    yield Figure((*where, key), years, source, node.derived, "number of years")
        elif isinstance(node, m.Compare):
            value = _figure(node, facts, records)
            if value is not None:
                yield Figure((*where, "value"), value, source, node.derived, "threshold")


def _plain_figure(value: Any) -> bool:
    return isinstance(value, (int, float, dt.date)) and not isinstance(value, bool)


def _figure(node: m.Compare, facts: dict[str, m.FactDecl], records: m.FactDecl | None) -> Value | None:
    """The figure a comparison's ``value`` stands for: a number or a date; an amount of money
    written in words ("80 triệu đồng") as its number of đồng; None for anything else."""
    value = node.value
    if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return value
    fields = {f.id: f for f in records.fields} if records is not None else {}
    decl = fields.get(node.field or "") if records is not None else facts.get(node.fact or "")
    if isinstance(value, str) and decl is not None and decl.type == "money":
        return parse_amount(value)
    return None


# --- how a plan prints a figure ---------------------------------------------------------------

_NOT_AFTER_NUMBER = r"(?<!\d)(?<!\d[.,])"
_NOT_BEFORE_NUMBER = r"(?!\d)(?![.,]\d)"


def _grouped(n: int) -> str:
    """``70000`` -> ``70[.,  ]?000``: thousands separated by a dot, a comma, a space or nothing."""
    digits = str(n)
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[k : k + 3] for k in range(head, len(digits), 3)]
    return r"[., \u00a0]?".join(groups)


_WORDS = {
    1: "một",
    2: "hai",
    3: "ba",
    4: "bốn",
    6: "sáu",
    7: "bảy",
    8: "tám",
    9: "chín",
    10: "mười",
}
"""Small numbers as plans write them in words ("ít nhất một đoàn viên", 004 L84); five ("năm")
is left out, as it is also the word for year."""


def _scaled(n: int) -> list[str]:
    """``80000000`` -> "80 triệu"; ``1500000000`` -> "1,5 tỷ" (or "1.500 triệu"): an amount
    printed with a scale word (figures of money, members, initiatives alike)."""
    out = []
    for words, factor in (("tỷ|tỉ", 10**9), ("triệu", 10**6), ("nghìn|ngàn", 10**3)):
        whole, rest = divmod(n, factor)
        if whole == 0 or (rest * 1000) % factor:
            continue  # below the scale, or more than three decimals of it
        frac = f"{rest * 1000 // factor:03d}".rstrip("0")
        number = _grouped(whole) + (rf"[.,]{frac}" if frac else "")
        out.append(rf"{_NOT_AFTER_NUMBER}{number}\s*(?:{words})(?!\w)")
    return out


def _number_pattern(value: float) -> str:
    if float(value).is_integer():
        word = _WORDS.get(int(value))
        digits = rf"{_NOT_AFTER_NUMBER}0*{_grouped(int(value))}{_NOT_BEFORE_NUMBER}"
        scaled = _scaled(int(value)) if int(value) >= 1000 else []
        return "|".join([digits, *scaled, *([rf"\b{word}\b"] if word else [])])
    whole, _, frac = f"{float(value):.6f}".rstrip("0").partition(".")
    return rf"{_NOT_AFTER_NUMBER}{_grouped(int(whole))}[.,]{frac}{_NOT_BEFORE_NUMBER}"


def _date_patterns(d: dt.date) -> list[str]:
    day, month, year = rf"0?{d.day}", rf"0?{d.month}", str(d.year)
    sep = r"\s*[/.\-]\s*"
    out = [
        rf"(?<!\d){day}{sep}{month}{sep}{year}(?!\d)",
        rf"ngày\s+{day}\s+tháng\s+{month}\s+năm\s+{year}(?!\d)",
        # "từ 01/9 đến 31/12/2021": a day and month without a year, the year printed elsewhere
        rf"(?<![\d/]){day}/{month}(?![/\d])[\s\S]*(?<!\d){year}(?!\d)",
        rf"(?<!\d){year}(?!\d)[\s\S]*(?<![\d/]){day}/{month}(?![/\d])",
    ]
    import calendar  # here: with locale, it costs a cold start that checks no figure ~2 ms

    last = calendar.monthrange(d.year, d.month)[1]
    if d.day in (1, last):  # "tháng 9/2021", "tháng 9 năm 2021", "9/2021": the first or last day
        out += [
            rf"tháng\s+{month}{sep}{year}(?!\d)",
            rf"tháng\s+{month}\s+năm\s+{year}(?!\d)",
            rf"(?<![\d/]){month}/{year}(?!\d)",
        ]
    if (d.month, d.day) in ((1, 1), (12, 31)):  # "năm 2021", "2021-2025": the first or last day
        out.append(rf"(?<![\d/.]){year}(?!\d)(?![/.]\d)")
    return out


def printed_forms(value: Value) -> list[re.Pattern[str]]:
    """Patterns matching the ways Vietnamese plans print ``value``.

    A number ``95`` matches "95", "95%", "95 %", "095"; ``1`` to ``10`` (but 5) also in
    words ("một", "hai"); ``70000`` matches "70.000", "70,000",
    "70 000"; ``1`` matches "01"; ``0.5`` matches "0,5" and "0.5"; never part of a larger number
    ("950", "9,5", the "2" of "2.2.1"). A date 2021-09-01 matches "01/9/2021", "1/9/2021",
    "01-09-2021", "ngày 01 tháng 9 năm 2021", "01/9" (year elsewhere); as the first day of a
    month also "tháng 9/2021", "tháng 9 năm 2021", "9/2021"; a first or last day of a year also
    "năm 2021" or "2021".
    """
    patterns = _date_patterns(value) if isinstance(value, dt.date) else [_number_pattern(value)]
    return [re.compile(p, re.IGNORECASE) for p in patterns]


def is_printed(value: Value, text: str) -> bool:
    """True when ``value`` is printed in ``text`` (NFC) in one of :func:`printed_forms`."""
    text = unicodedata.normalize("NFC", text).replace("*", "")  # "ngày **29** tháng 3" (000 L5)
    return any(p.search(text) for p in printed_forms(value))


# --- the check ---------------------------------------------------------------------------------


def _show(value: Value) -> str:
    if isinstance(value, dt.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if float(value).is_integer() and abs(value) >= 10000:  # 80.000.000, as plans print it
        return f"{int(value):,}".replace(",", ".")
    return plain_number(value)


def check_figures(c: m.Campaign, smap: SourceMap | None,
                  texts: DocumentTexts | None) -> FigureReport:
    """Check every citation's lines against its document's text, and look for every figure of
    ``c`` on the lines it cites.

    Args:
        c: a campaign that passed the model and semantic checks.
        smap: where each value stands in the campaign file (for located problems).
        texts: where the documents' texts are; ``None`` skips the check.

    Returns:
        The :class:`FigureReport`; its ``problems`` are ``bad-citation`` (lines past the end of
        the text) and ``figure-not-in-source``, each located and naming the lines searched. A
        document whose text is not found leaves its citations unchecked (``report.missing``).
    """
    report = FigureReport()
    if texts is None:
        return report
    smap = smap or SourceMap()
    docs = {d.id: d for d in c.documents}
    for i, d in enumerate(c.documents):
        if d.text is None:
            continue
        found = texts.find(d)
        if found is not None and texts.lines(d) is not None:
            report.texts[d.id] = found
        else:
            report.missing.append(d.id)
        if found is None and d.id in texts.outside:
            where: PathT = ("documents", i, "text")
            report.problems.append(Problem(
                "document-outside",
                f"the text {d.text!r} lies outside the campaign's folder and the documents folders; "
                "it is not read",
                where, smap.locate(where),
                f"put the text beside the campaign, or list its folder in {DOCUMENTS_ENV}"))
    for src, where in m.citations(c):
        doc = docs.get(src.doc)
        lines = texts.lines(doc) if doc is not None else None
        if lines is not None and src.lines is not None and src.lines[1] > len(lines):
            report.problems.append(Problem(
                "bad-citation",
                f"cites line {src.lines[1]} of {src.doc!r}, whose text has {len(lines)} lines",
                (*where, "lines"), smap.locate((*where, "lines")),
                "correct the line numbers, or the document's 'text' path"))
    for fig in iter_figures(c):
        doc = docs.get(fig.source.doc)
        lines = texts.lines(doc) if doc is not None else None
        if lines is None or fig.source.lines is None:
            continue
        a, b = fig.source.lines
        report.checked += 1
        if is_printed(fig.value, "\n".join(lines[a - 1 : b])):
            report.found += 1
        elif fig.derived:
            report.derived.append(fig)
        else:
            report.problems.append(
                Problem(
                    "figure-not-in-source",
                    f"the {fig.kind} {_show(fig.value)} is not printed on {fig.source.cite()}",
                    fig.path,
                    smap.locate(fig.path),
                    'correct the figure or the citation, or declare derived: "<reason>" when the '
                    "plan does not print it",
                )
            )
    return report
